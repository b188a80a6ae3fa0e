//! Finding the archives under the builds folder.
//!
//! The builds folder is untrusted (CI builds pull requests), so links are followed only when
//! they resolve to a regular file inside it, and special files (FIFOs, devices, sockets) are
//! never opened: each is skipped with a warning.

use std::fs;
use std::path::{Path, PathBuf};

use super::BuildError;
use crate::cache::FileKey;

/// One archive (`.ipa`, `.apk`, or `.aab` to refuse) found under the builds folder.
#[derive(Debug, Clone)]
pub struct Found {
    pub path: PathBuf,
    /// Relative to the builds folder, `/`-separated.
    pub relative: String,
    pub channel: Option<String>,
    /// Size, time and inode, from the scan's own look at the file.
    pub key: FileKey,
    /// Whether the scan saw a `<same name>.md` beside it (release notes): archives without
    /// one are not looked for notes again.
    pub notes: bool,
}

/// What the scan found, and what it skipped and why.
#[derive(Debug, Default)]
pub struct Scanned {
    pub found: Vec<Found>,
    pub warnings: Vec<String>,
}

/// Every `.ipa`, `.apk` and `.aab` under the folder, recursively, in a deterministic order.
pub fn scan(builds_dir: &Path) -> Result<Scanned, BuildError> {
    let root = Root::new(builds_dir);
    let mut scanned = Scanned::default();
    let mut notes = std::collections::HashSet::new();
    let walker = walkdir::WalkDir::new(builds_dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        let entry = entry.map_err(|source| BuildError::Scan {
            path: builds_dir.to_path_buf(),
            source,
        })?;
        if entry.depth() == 0 || entry.file_type().is_dir() {
            continue;
        }
        let extension = entry.path().extension();
        // `.apk` builds are published beside `.ipa` ones; an `.aab` is found to be refused.
        let is_ipa = extension.is_some_and(|e| {
            ["ipa", "apk", "aab"]
                .iter()
                .any(|x| e.eq_ignore_ascii_case(x))
        });
        if extension.is_some_and(|e| e == "md") {
            notes.insert(entry.path().to_path_buf());
            continue;
        }
        let key = match root.regular_file(entry.path()) {
            Ok(meta) if is_ipa => match FileKey::from_metadata(&meta) {
                Ok(key) => key,
                Err(e) => {
                    scanned.warnings.push(format!(
                        "skipped {}: its modification time cannot be read ({e})",
                        entry.path().display()
                    ));
                    continue;
                }
            },
            Ok(_) => continue,
            Err(Refused::FolderLink) => {
                scanned.warnings.push(format!(
                    "skipped {}: links to folders are not followed",
                    entry.path().display()
                ));
                continue;
            }
            Err(_) if !is_ipa => continue,
            Err(why) => {
                scanned
                    .warnings
                    .push(format!("skipped {}: {why}", entry.path().display()));
                continue;
            }
        };
        let relative_path = entry
            .path()
            .strip_prefix(builds_dir)
            .unwrap_or(entry.path());
        let parts: Vec<String> = relative_path
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let channel = (parts.len() > 1).then(|| parts[0].clone());
        scanned.found.push(Found {
            path: entry.path().to_path_buf(),
            relative: parts.join("/"),
            channel,
            key,
            notes: false,
        });
    }
    for found in &mut scanned.found {
        found.notes = notes.contains(&found.path.with_extension("md"));
    }
    Ok(scanned)
}

/// The builds folder as the file system resolves it, to judge where links lead.
pub(super) struct Root {
    real: Option<PathBuf>,
}

/// Why a path under the builds folder is not read.
#[derive(Debug, thiserror::Error)]
pub(super) enum Refused {
    #[error("it is a link to {0}, outside the builds folder (links are followed only within it)")]
    Outside(PathBuf),
    #[error("it is a link to nothing")]
    Dangling,
    #[error("not a regular file (a FIFO, device or socket is never read)")]
    Special,
    #[error("links to folders are not followed")]
    FolderLink,
    #[error("{0}")]
    Io(std::io::Error),
}

impl Root {
    pub fn new(builds_dir: &Path) -> Root {
        Root {
            real: fs::canonicalize(builds_dir).ok(),
        }
    }

    /// The file's metadata when `path` is a regular file, or a link that resolves to a regular
    /// file inside the builds folder (then the target's); `NotFound` comes back as an `Io`
    /// error.
    pub fn regular_file(&self, path: &Path) -> Result<fs::Metadata, Refused> {
        let meta = fs::symlink_metadata(path).map_err(Refused::Io)?;
        let meta = if meta.file_type().is_symlink() {
            let real = fs::canonicalize(path).map_err(|_| Refused::Dangling)?;
            let meta = fs::metadata(&real).map_err(Refused::Io)?;
            if meta.is_dir() {
                return Err(Refused::FolderLink);
            }
            let inside = self
                .real
                .as_ref()
                .is_some_and(|root| real.starts_with(root));
            if !inside {
                return Err(Refused::Outside(real));
            }
            meta
        } else {
            meta
        };
        if meta.is_file() {
            Ok(meta)
        } else {
            Err(Refused::Special)
        }
    }
}
