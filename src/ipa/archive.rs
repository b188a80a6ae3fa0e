//! The zip layer: open an archive by its central directory and read single entries with a cap,
//! within a budget for the whole archive.

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use zip::read::ZipReadOptions;

use super::IpaError;

/// The first bytes of a Git LFS pointer file that stands in for the real archive.
const LFS_POINTER_PREFIX: &[u8] = b"version https://git-lfs.github.com/spec/";

/// Local file header signature: the file starts like a zip even when its end is missing.
const ZIP_LOCAL_HEADER: &[u8] = b"PK\x03\x04";

/// The most bytes otasite inflates from one archive, all entries together: Info.plist, the
/// profile, icons, `Assets.car` and extension plists of a real app take a few MiB.
pub const MAX_INFLATED_PER_ARCHIVE: u64 = 256 << 20;

/// The most entries otasite opens in one archive (icon candidates, extension plists, …).
pub const MAX_ENTRIES_READ: u32 = 2_000;

/// An opened archive: its entry names (decoded) and a reader positioned by the central directory.
pub struct Archive<R: Read + Seek = BufReader<File>> {
    zip: zip::ZipArchive<R>,
    names: Vec<String>,
    budget: Budget,
}

/// What is left to spend on one archive; once overspent, every further read fails.
#[derive(Debug, Default)]
struct Budget {
    inflated: u64,
    entries: u32,
    exceeded: Option<Overspent>,
}

/// Which part of the archive budget ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overspent {
    Inflated,
    Entries,
}

impl Overspent {
    fn error(self) -> IpaError {
        IpaError::OverBudget(match self {
            Overspent::Inflated => format!(
                "reading its metadata would inflate more than {} MiB",
                MAX_INFLATED_PER_ARCHIVE >> 20
            ),
            Overspent::Entries => {
                format!("reading its metadata would open more than {MAX_ENTRIES_READ} entries")
            }
        })
    }
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
        // Opening a FIFO blocks until a writer appears, and a device can be read forever:
        // only regular files are opened at all.
        if !std::fs::metadata(path).map_err(IpaError::Io)?.is_file() {
            return Err(IpaError::NotAFile);
        }
        let file = File::open(path).map_err(IpaError::Io)?;
        Archive::from_reader(BufReader::new(file))
    }
}

impl<R: Read + Seek> Archive<R> {
    /// Opens an archive from any seekable source (a file, bytes in memory).
    ///
    /// Archives that tools would unpack differently are refused: duplicate entry names, and
    /// local headers that disagree with the central directory or overlap another entry.
    pub fn from_reader(mut reader: R) -> Result<Self, IpaError> {
        let mut head = [0u8; 64];
        let head_len = read_prefix(&mut reader, &mut head).map_err(IpaError::Io)?;
        let head = &head[..head_len];
        if head.starts_with(LFS_POINTER_PREFIX) {
            return Err(IpaError::LfsPointer);
        }
        if head.is_empty() {
            return Err(IpaError::Empty);
        }
        let looks_like_zip = head.starts_with(ZIP_LOCAL_HEADER);
        let zip = zip::ZipArchive::new(reader).map_err(|e| match e {
            zip::result::ZipError::Io(io) => IpaError::Io(io),
            _ if looks_like_zip => IpaError::Truncated(e.to_string()),
            _ => IpaError::NotZip,
        })?;
        if zip.has_duplicate_names() {
            let start = zip.central_directory_start();
            let name = first_duplicate_name(&mut zip.into_inner(), start);
            return Err(IpaError::DuplicateEntry(name.unwrap_or_default()));
        }
        let names = decode_names(&zip)?;
        let mut archive = Archive {
            zip,
            names,
            budget: Budget::default(),
        };
        archive.check_headers()?;
        Ok(archive)
    }

    /// Every local header must match its central directory record (name, sizes, CRC,
    /// method), and no two entries may share bytes.
    fn check_headers(&mut self) -> Result<(), IpaError> {
        let Err(error) = self.zip.validate_header_consistency() else {
            return Ok(());
        };
        let reason = zip_reason(&error);
        // Name the first entry whose own header is inconsistent, when one is.
        let strict = ZipReadOptions::new().enforce_header_consistency(true);
        for index in 0..self.zip.len() {
            let strict_fails = self
                .zip
                .by_index_with_options(index, strict.clone())
                .is_err();
            if strict_fails && self.zip.by_index(index).is_ok() {
                let name = self.names.get(index).cloned().unwrap_or_default();
                return Err(IpaError::Inconsistent(format!("entry {name:?}: {reason}")));
            }
        }
        Err(IpaError::Inconsistent(reason))
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

    /// Which part of the archive budget ran out, if one did: the caller then refuses the
    /// archive even when the read that failed was optional.
    pub fn overspent(&self) -> Option<IpaError> {
        self.budget.exceeded.map(Overspent::error)
    }

    /// Counts one more entry opened, failing once the archive's entry budget is spent.
    fn open_entry(&mut self) -> Result<(), IpaError> {
        if let Some(exceeded) = self.budget.exceeded {
            return Err(exceeded.error());
        }
        self.budget.entries += 1;
        if self.budget.entries > MAX_ENTRIES_READ {
            self.budget.exceeded = Some(Overspent::Entries);
            return Err(Overspent::Entries.error());
        }
        Ok(())
    }

    /// Bytes still allowed to be inflated from this archive.
    fn inflate_allowance(&self) -> u64 {
        MAX_INFLATED_PER_ARCHIVE.saturating_sub(self.budget.inflated)
    }

    /// Reads at most the first `length` inflated bytes of an entry (e.g. a PNG's header).
    pub fn read_prefix(&mut self, name: &str, length: u64) -> Result<Vec<u8>, IpaError> {
        self.read_capped(name, length, false)
    }

    /// Reads one entry whole, refusing to inflate more than `limit` bytes so that a zip
    /// bomb is an error rather than an out-of-memory.
    pub fn read(&mut self, name: &str, limit: u64) -> Result<Vec<u8>, IpaError> {
        self.read_capped(name, limit, true)
    }

    /// Reads up to `limit` bytes of an entry; with `whole`, more than `limit` is an error.
    fn read_capped(&mut self, name: &str, limit: u64, whole: bool) -> Result<Vec<u8>, IpaError> {
        let entry_error = |reason: String| IpaError::Entry {
            name: name.to_string(),
            reason,
        };
        self.open_entry()?;
        let allowance = self.inflate_allowance();
        let mut entry = self
            .zip
            .by_name(name)
            .map_err(|e| entry_error(e.to_string()))?;
        if whole && entry.size() > limit {
            return Err(entry_error(too_large(limit)));
        }
        if whole && entry.size() > allowance {
            self.budget.exceeded = Some(Overspent::Inflated);
            return Err(Overspent::Inflated.error());
        }
        // The declared size may lie: cap what is actually inflated too, reading one byte more
        // than may be kept to tell "exactly at the cap" from "beyond it".
        let cap = limit.min(allowance);
        let mut bytes = Vec::with_capacity(entry.size().min(cap) as usize);
        let result = (&mut entry).take(cap + 1).read_to_end(&mut bytes);
        drop(entry);
        self.budget.inflated += bytes.len() as u64;
        result.map_err(|e| entry_error(e.to_string()))?;
        if bytes.len() as u64 <= cap {
            return Ok(bytes);
        }
        match (whole, cap == limit) {
            (false, true) => {
                bytes.truncate(cap as usize);
                Ok(bytes)
            }
            (true, true) => Err(entry_error(too_large(limit))),
            (_, false) => {
                self.budget.exceeded = Some(Overspent::Inflated);
                Err(Overspent::Inflated.error())
            }
        }
    }

    /// Hands one entry's inflated bytes to `read` as a stream it may stop reading early, for
    /// entries too large to hold (an executable read for the code signature at its end). At
    /// most what is left of the archive's inflate budget is inflated and counted; a stream that
    /// runs into that limit ends there, and [`Streamed::reached_budget`] says so. Reaching it
    /// does not refuse the archive: what is streamed is optional.
    pub fn stream<T>(
        &mut self,
        name: &str,
        read: impl FnOnce(&mut dyn Read) -> T,
    ) -> Result<Streamed<T>, IpaError> {
        self.open_entry()?;
        let allowance = self.inflate_allowance();
        let entry = self.zip.by_name(name).map_err(|e| IpaError::Entry {
            name: name.to_string(),
            reason: e.to_string(),
        })?;
        let mut limited = entry.take(allowance);
        let value = read(&mut limited);
        let inflated = allowance - limited.limit();
        self.budget.inflated += inflated;
        Ok(Streamed {
            value,
            reached_budget: limited.limit() == 0,
        })
    }
}

/// What [`Archive::stream`] read, and whether the stream ran into the archive's budget.
pub struct Streamed<T> {
    pub value: T,
    pub reached_budget: bool,
}

fn too_large(limit: u64) -> String {
    format!(
        "it inflates to more than {} MiB, the most otasite reads for this kind of entry",
        limit >> 20
    )
}

/// The reason inside a zip error, without the crate's "invalid Zip archive" prefix.
fn zip_reason(error: &zip::result::ZipError) -> String {
    match error {
        zip::result::ZipError::InvalidArchive(reason) => reason.to_string(),
        other => other.to_string(),
    }
}

fn read_prefix(reader: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

/// The first name that appears twice in the central directory starting at `start`, read
/// record by record (the zip crate keeps only one entry per name).
fn first_duplicate_name(reader: &mut (impl Read + Seek), start: u64) -> Option<String> {
    const RECORD: &[u8] = b"PK\x01\x02";
    let mut seen = std::collections::HashSet::new();
    reader.seek(SeekFrom::Start(start)).ok()?;
    let mut fixed = [0u8; 46];
    loop {
        reader.read_exact(&mut fixed).ok()?;
        if &fixed[..4] != RECORD {
            return None;
        }
        let length = |at: usize| u64::from(u16::from_le_bytes([fixed[at], fixed[at + 1]]));
        let (name_len, rest_len) = (length(28), length(30) + length(32));
        let mut name = Vec::new();
        reader.by_ref().take(name_len).read_to_end(&mut name).ok()?;
        let rest = i64::try_from(rest_len).ok()?;
        reader.seek(SeekFrom::Current(rest)).ok()?;
        let name = String::from_utf8_lossy(&name).into_owned();
        if !seen.insert(name.clone()) {
            return Some(name);
        }
    }
}

/// Decodes every entry name and rejects names that would escape a folder if extracted:
/// other tools that do extract these archives would write outside their target.
fn decode_names<R: Read + Seek>(zip: &zip::ZipArchive<R>) -> Result<Vec<String>, IpaError> {
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
