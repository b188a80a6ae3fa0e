//! Copying into the site with errors blamed on the right side: a full disk is a problem of
//! the output, not of the archive being copied.

use std::fs;
use std::io;
use std::path::Path;

use super::OutputError;

/// Copies `source` to `target` (`shown` is how the target is named in messages: its place
/// in the output), and returns the SHA-256 of the bytes when `hash` is set.
pub(super) fn copy(
    source: &Path,
    target: &Path,
    shown: &Path,
    hash: bool,
) -> Result<Option<String>, OutputError> {
    if hash {
        // The kernel copies while another core hashes: one read of the archive each.
        let (copied, hashed) = rayon::join(
            || fs::copy(source, target),
            || crate::hash::sha256_file(source),
        );
        let sha = hashed.map_err(|source_error| read_error(source, source_error))?;
        copied.map_err(|e| blame(source, shown, e))?;
        return Ok(Some(sha));
    }
    fs::copy(source, target).map_err(|e| blame(source, shown, e))?;
    Ok(None)
}

/// Hard-links `source` to `target`, copying when the link is refused.
pub(super) fn link_or_copy(source: &Path, target: &Path, shown: &Path) -> Result<(), OutputError> {
    if fs::hard_link(source, target).is_ok() {
        return Ok(());
    }
    copy(source, target, shown, false).map(|_| ())
}

/// A failed copy is the source's fault only when the source cannot be read to its end;
/// otherwise (disk full, quota, read-only output) it is the output's.
fn blame(source: &Path, shown: &Path, error: io::Error) -> OutputError {
    match readable(source) {
        Err(read) => read_error(source, read),
        Ok(()) => OutputError::Write {
            path: shown.to_path_buf(),
            error,
        },
    }
}

fn readable(source: &Path) -> io::Result<()> {
    let mut file = fs::File::open(source)?;
    io::copy(&mut file, &mut io::sink()).map(|_| ())
}

fn read_error(path: &Path, error: io::Error) -> OutputError {
    OutputError::Read {
        path: path.to_path_buf(),
        error,
    }
}
