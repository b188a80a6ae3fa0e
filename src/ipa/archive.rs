//! The zip layer: open an archive by its central directory and read single entries with a cap.

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use super::IpaError;

/// The first bytes of a Git LFS pointer file that stands in for the real archive.
const LFS_POINTER_PREFIX: &[u8] = b"version https://git-lfs.github.com/spec/";

/// Local file header signature: the file starts like a zip even when its end is missing.
const ZIP_LOCAL_HEADER: &[u8] = b"PK\x03\x04";

/// How many archives this process has opened: lets a rebuild prove it read nothing unchanged.
pub static OPENED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// An opened archive: its entry names (decoded) and a reader positioned by the central directory.
pub struct Archive {
    zip: zip::ZipArchive<BufReader<File>>,
    names: Vec<String>,
}

/// A decoded DOS timestamp of an entry, treated as UTC (zip stores no zone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryTime {
    pub year: u16,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
}

impl Archive {
    /// Opens `path` reading only its central directory, with precise errors for the
    /// non-zip files people commit by mistake.
    pub fn open(path: &Path) -> Result<Self, IpaError> {
        OPENED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut file = File::open(path).map_err(IpaError::Io)?;
        let mut head = [0u8; 64];
        let head_len = read_prefix(&mut file, &mut head).map_err(IpaError::Io)?;
        let head = &head[..head_len];
        if head.starts_with(LFS_POINTER_PREFIX) {
            return Err(IpaError::LfsPointer);
        }
        if head.is_empty() {
            return Err(IpaError::Empty);
        }
        let zip = zip::ZipArchive::new(BufReader::new(file)).map_err(|e| match e {
            zip::result::ZipError::Io(io) => IpaError::Io(io),
            _ if head.starts_with(ZIP_LOCAL_HEADER) => IpaError::Truncated(e.to_string()),
            _ => IpaError::NotZip,
        })?;
        let names = decode_names(&zip)?;
        Ok(Archive { zip, names })
    }

    /// Every entry name, in central directory order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Whether an entry of exactly this name exists.
    pub fn contains(&self, name: &str) -> bool {
        self.zip.index_for_name(name).is_some()
    }

    /// The modification time recorded for an entry.
    pub fn modified(&self, name: &str) -> Option<EntryTime> {
        let index = self.zip.index_for_name(name)?;
        let metadata = self.zip.metadata();
        let time = metadata.entry(index).ok()?.last_modified()?;
        Some(EntryTime {
            year: time.year(),
            month: time.month(),
            day: time.day(),
            hour: time.hour(),
            minute: time.minute(),
            second: time.second(),
        })
    }

    /// Reads at most the first `length` inflated bytes of an entry (e.g. a PNG's header).
    pub fn read_prefix(&mut self, name: &str, length: u64) -> Result<Vec<u8>, IpaError> {
        let mut entry = self.zip.by_name(name).map_err(|e| IpaError::Entry {
            name: name.to_string(),
            reason: e.to_string(),
        })?;
        let mut bytes = Vec::with_capacity(length as usize);
        (&mut entry)
            .take(length)
            .read_to_end(&mut bytes)
            .map_err(|e| IpaError::Entry {
                name: name.to_string(),
                reason: e.to_string(),
            })?;
        Ok(bytes)
    }

    /// Reads one entry whole, refusing to inflate more than `limit` bytes so that a zip
    /// bomb is an error rather than an out-of-memory.
    pub fn read(&mut self, name: &str, limit: u64) -> Result<Vec<u8>, IpaError> {
        let entry_error = |reason: String| IpaError::Entry {
            name: name.to_string(),
            reason,
        };
        let mut entry = self
            .zip
            .by_name(name)
            .map_err(|e| entry_error(e.to_string()))?;
        if entry.size() > limit {
            return Err(entry_error(too_large(limit)));
        }
        let mut bytes = Vec::with_capacity(entry.size().min(limit) as usize);
        // The declared size may lie: cap what is actually inflated too.
        (&mut entry)
            .take(limit + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| entry_error(e.to_string()))?;
        if bytes.len() as u64 > limit {
            return Err(entry_error(too_large(limit)));
        }
        Ok(bytes)
    }
}

fn too_large(limit: u64) -> String {
    format!(
        "it inflates to more than {} MiB, the most otasite reads for this kind of entry",
        limit >> 20
    )
}

fn read_prefix(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    use std::io::Seek;
    file.rewind()?;
    Ok(filled)
}

/// Decodes every entry name and rejects names that would escape a folder if extracted:
/// other tools that do extract these archives would write outside their target.
fn decode_names(zip: &zip::ZipArchive<BufReader<File>>) -> Result<Vec<String>, IpaError> {
    let metadata = zip.metadata();
    let mut names = Vec::with_capacity(zip.len());
    for index in 0..zip.len() {
        let name = match zip.name_for_index(index) {
            Some(Ok(name)) => name,
            Some(Err(_)) | None => {
                let raw = metadata
                    .entry(index)
                    .map(|e| String::from_utf8_lossy(e.name_raw()).into_owned())
                    .unwrap_or_default();
                Cow::Owned(raw)
            }
        };
        if is_unsafe_name(&name) {
            return Err(IpaError::UnsafeEntryName(name.into_owned()));
        }
        names.push(name.into_owned());
    }
    Ok(names)
}

fn is_unsafe_name(name: &str) -> bool {
    let normalized = name.replace('\\', "/");
    let bytes = normalized.as_bytes();
    let has_drive = bytes.len() >= 2 && bytes[1] == b':' && bytes[0].is_ascii_alphabetic();
    normalized.starts_with('/') || has_drive || normalized.split('/').any(|part| part == "..")
}

#[cfg(test)]
mod tests {
    use super::is_unsafe_name;

    #[test]
    fn unsafe_names_are_recognised() {
        for name in ["/etc/passwd", "../x", "Payload/../../x", "C:/x", "a\\..\\b"] {
            assert!(is_unsafe_name(name), "{name}");
        }
        for name in ["Payload/A.app/Info.plist", "a..b/c", "Payload/..foo.app/x"] {
            assert!(!is_unsafe_name(name), "{name}");
        }
    }
}
