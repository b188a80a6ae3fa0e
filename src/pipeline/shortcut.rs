//! The no-op rebuild decided from the inputs alone, before the build cache's index is read or
//! the catalog assembled: a digest of everything the site is made from (each archive's and
//! release note's file key, the settings, the theme, the options and environment that change
//! the output, otasite's version), recorded beside the cache with the site it produced and
//! the span of time in which no decision of the build depends on the clock.
//!
//! The record describes exactly one state of the build cache (the index file and the icon
//! folder, by their file keys) and of the output (the site's fingerprint): anything else that
//! touched them since makes the build take the long way, which decides the same thing from
//! the catalog.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::BuildOptions;
use super::scan::{Found, Root};
use crate::cache::{Cache, FileKey};
use crate::config::Settings;
use crate::render::theme::Theme;

const RECORD: &str = "up-to-date.json";
const PARTS: &str = "parts.json";
/// Bumped whenever what the digest covers changes.
const VERSION: &str = concat!("otasite-", env!("CARGO_PKG_VERSION"), "-inputs-2");

/// What a build that wrote (or found up to date) the site in place recorded about it.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Record {
    version: String,
    /// [`digest`] of the inputs.
    inputs: String,
    /// The fingerprint of the site those inputs made.
    site: String,
    /// The cache's index and icon folder as they were left.
    index: Option<FileKey>,
    icons: Option<FileKey>,
    /// Nanoseconds since 1970: the record holds from `valid_from` until just before
    /// `valid_until` (forever when none).
    valid_from: i128,
    pub valid_until: Option<i128>,
    pub apps: usize,
    pub builds: usize,
    /// What a build of these inputs warns about once the site is up to date: the warnings
    /// given while reading and assembling, then those about the result.
    pub warnings: Vec<String>,
    pub after: Vec<String>,
    /// The file key of the record's parts (`parts.json`: what a build that changes only some
    /// apps keeps of the others, see `partial`), kept apart so that a no-op never reads them.
    #[serde(default)]
    parts: Option<FileKey>,
}

impl Record {
    /// The parts written with this record, if they are still the file it names.
    pub fn parts(&self, settings: &Settings) -> Option<super::parts::Parts> {
        let path = Cache::dir_for(&settings.output_dir).join(PARTS);
        let key = self.parts?;
        (FileKey::of(&path).ok()? == key).then_some(())?;
        serde_json::from_slice(&fs::read(&path).ok()?).ok()
    }
}

/// The span of time a build's clock-dependent decisions hold for.
#[derive(Debug, Clone, Copy)]
pub(super) struct Window {
    pub from: OffsetDateTime,
    pub until: Option<OffsetDateTime>,
}

/// Whether a build with these settings and options can be decided from its inputs: not when
/// forced, nor when it depends on what is not in the inputs: a previous catalog (a file or URL
/// read anew each time) or a new salt for the private pages. (A private site's salt is kept
/// in the site itself, which the record's output fingerprint covers, and its keys are in the
/// digest.)
pub(super) fn applies(options: &BuildOptions) -> bool {
    !options.force && options.previous.is_none() && !options.new_salt
}

/// The record of the site in place, if it says that these inputs made it and that nothing of
/// it has changed since.
pub(super) fn check(settings: &Settings, options: &BuildOptions, inputs: &Inputs) -> Decision {
    let Some(record) = current(settings, options) else {
        return Decision::Unknown;
    };
    if inputs.digest() == record.inputs {
        Decision::UpToDate(record)
    } else {
        Decision::Changed(record)
    }
}

/// What the record beside the cache says of a build's inputs.
pub(super) enum Decision {
    /// They made the site in place.
    UpToDate(Record),
    /// The record holds for the site in place, and some input changed since.
    Changed(Record),
    /// No record holds for the site in place.
    Unknown,
}

/// The record, if it describes the site in place and the cache as they are, now.
fn current(settings: &Settings, options: &BuildOptions) -> Option<Record> {
    if !applies(options) {
        return None;
    }
    let cache_dir = Cache::dir_for(&settings.output_dir);
    let record: Record = serde_json::from_slice(&fs::read(cache_dir.join(RECORD)).ok()?).ok()?;
    let now = crate::clock::now().unix_timestamp_nanos();
    let current = record.version == VERSION
        && (record.index, record.icons) == cache_keys(&cache_dir)
        && record.valid_from <= now
        && record.valid_until.is_none_or(|until| now < until)
        && crate::output::fingerprint(&settings.output_dir).as_deref() == Some(&record.site);
    current.then_some(record)
}

/// What a build that found the site up to date, or wrote it and saved the cache, records.
pub(super) struct Made<'a> {
    pub inputs: &'a Inputs,
    /// The fingerprint of the site in place.
    pub site: &'a str,
    pub window: Window,
    pub apps: usize,
    pub builds: usize,
    pub warnings: Vec<String>,
    pub after: Vec<String>,
    pub parts: Option<super::parts::Parts>,
}

/// Records that `made` describes the site in place, or forgets any record when the build
/// cannot be decided from its inputs. A record that cannot be written only costs the next
/// build the long way.
pub(super) fn save(settings: &Settings, options: &BuildOptions, made: Option<Made>) {
    let cache_dir = Cache::dir_for(&settings.output_dir);
    let path = cache_dir.join(RECORD);
    let made = made.filter(|m| {
        applies(options)
            && m.window
                .until
                .is_none_or(|until| until > crate::clock::now())
    });
    let parts_path = cache_dir.join(PARTS);
    let Some(made) = made else {
        let _ = fs::remove_file(&path);
        let _ = fs::remove_file(&parts_path);
        return;
    };
    let parts = made.parts.and_then(|parts| {
        let bytes = serde_json::to_vec(&parts).ok()?;
        write_atomically(&parts_path, &bytes).ok()?;
        FileKey::of(&parts_path).ok()
    });
    if parts.is_none() {
        let _ = fs::remove_file(&parts_path);
    }
    let (index, icons) = cache_keys(&cache_dir);
    let record = Record {
        version: VERSION.to_string(),
        inputs: made.inputs.digest(),
        site: made.site.to_string(),
        index,
        icons,
        valid_from: made.window.from.unix_timestamp_nanos(),
        valid_until: made.window.until.map(OffsetDateTime::unix_timestamp_nanos),
        apps: made.apps,
        builds: made.builds,
        warnings: made.warnings,
        after: made.after,
        parts,
    };
    let written = serde_json::to_vec(&record)
        .ok()
        .map(|bytes| write_atomically(&path, &bytes));
    if !matches!(written, Some(Ok(()))) {
        let _ = fs::remove_file(&path);
    }
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("json.tmp");
    fs::write(&tmp, bytes)?;
    fs::rename(&tmp, path)
}

/// The file keys of the cache's index and icon folder (a folder's changes when a file is
/// added to it or removed).
fn cache_keys(cache_dir: &Path) -> (Option<FileKey>, Option<FileKey>) {
    (
        FileKey::of(&cache_dir.join(crate::cache::INDEX)).ok(),
        FileKey::of(&cache_dir.join(crate::cache::ICONS)).ok(),
    )
}

/// Everything a build reads that its site depends on, the clock aside, as digests made once
/// per build: the [`common_digest`], and each archive found with its file key and its release
/// notes' (its [`archive_line`]), in the scan's order.
pub(super) struct Inputs {
    pub common: String,
    pub lines: Vec<String>,
}

impl Inputs {
    pub fn of(
        settings: &Settings,
        options: &BuildOptions,
        theme: &Theme,
        found: &[Found],
    ) -> Inputs {
        let root = Root::new(&settings.builds_dir);
        Inputs {
            common: common_digest(settings, options, theme),
            lines: found.iter().map(|f| archive_line(&root, f)).collect(),
        }
    }

    /// The digest of them all.
    fn digest(&self) -> String {
        let mut hasher = Sha256::new();
        hasher.update(VERSION);
        hasher.update(&self.common);
        for line in &self.lines {
            hasher.update(line);
        }
        hex::encode(hasher.finalize())
    }
}

/// What a build reads that its site depends on besides the archives and their notes: the
/// settings (every field), the options that change the site or whether it builds, the
/// working folder (relative paths resolve from it), the theme's files, the signing identity
/// the environment names. Secrets the environment holds are hashed, never kept.
fn common_digest(settings: &Settings, options: &BuildOptions, theme: &Theme) -> String {
    let mut hasher = Sha256::new();
    hasher.update(VERSION);
    let mut field = |text: String| {
        hasher.update((text.len() as u64).to_le_bytes());
        hasher.update(text);
    };
    field(format!("{settings:?}"));
    field(format!(
        "{:?}|{}|{}",
        options.banner, options.strict, options.allow_empty
    ));
    field(format!("{:?}", std::env::current_dir().ok()));
    for (path, bytes) in &theme.files {
        hasher.update((path.len() as u64).to_le_bytes());
        hasher.update(path.as_bytes());
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    }
    hasher.update(crate::devices::signing::environment_digest());
    // A private site's secret and password (`Settings`' Debug form only says they are set).
    if let Some(keys) = &settings.private {
        hasher.update(keys.inputs_digest());
    }
    hex::encode(hasher.finalize())
}

/// One archive as the digest covers it: its path, channel and file key, and its notes'.
fn archive_line(root: &Root, f: &Found) -> String {
    let notes = f.notes.then(|| notes_key(root, &f.path));
    format!(
        "{:?}|{:?}|{:?}|{:?}|{:?}\n",
        f.path, f.relative, f.channel, f.key, notes
    )
}

/// A short digest of an archive's line, naming it in the record.
pub(super) fn line_id(line: &str) -> String {
    hex::encode(&Sha256::digest(line.as_bytes())[..12])
}

/// The release notes beside an archive as the read step finds them: their file key, or why
/// they are not read.
fn notes_key(root: &Root, archive: &Path) -> Result<FileKey, String> {
    let path: PathBuf = archive.with_extension("md");
    let meta = root.regular_file(&path).map_err(|e| e.to_string())?;
    FileKey::from_metadata(&meta).map_err(|e| e.to_string())
}
