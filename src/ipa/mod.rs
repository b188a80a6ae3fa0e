//! Reading one `.ipa`: locate `Payload/<App>.app`, collect its facts or its errors.
//!
//! Only the central directory, the local headers (checked against it) and the few entries
//! needed are read, within a budget per archive (`docs/limits.md`); the archive is never
//! extracted and never held in memory.

pub mod archive;
pub mod assets_car;
pub mod codesign;
pub mod icon;
pub mod info;
pub mod plist_guard;
pub mod problems;
pub mod profile;
pub mod target;

use std::collections::BTreeSet;
use std::io::{Read, Seek};
use std::path::{Path, PathBuf};

use time::OffsetDateTime;

use archive::{Archive, EntryTime};
pub use codesign::CodeSignature;
pub use icon::Icon;
pub use info::AppInfo;
pub use problems::{Problem, Severity};
pub use profile::{DistributionKind, Profile, ProfileError};

/// The most otasite inflates for the app's Info.plist or its profile.
pub const PLIST_LIMIT: u64 = 16 << 20;

/// The most otasite inflates for an extension's or watch app's Info.plist: only its bundle id
/// is needed, and real ones take a few KiB.
const NESTED_PLIST_LIMIT: u64 = 1 << 20;

/// Why a file is not a usable app archive. Each message is a sentence a person can act on.
#[derive(Debug, thiserror::Error)]
pub enum IpaError {
    #[error("cannot read the file: {0}")]
    Io(#[source] std::io::Error),
    #[error("the file is empty")]
    Empty,
    #[error("not a regular file (a folder, FIFO, device or socket): it is never opened")]
    NotAFile,
    #[error(
        "this is a Git LFS pointer, not the archive: fetch the LFS objects (git lfs pull, or actions/checkout with lfs: true)"
    )]
    LfsPointer,
    #[error("not a zip archive")]
    NotZip,
    #[error("truncated or damaged zip archive ({0})")]
    Truncated(String),
    #[error("unsafe entry name {0:?}: it is absolute or climbs out with '..'")]
    UnsafeEntryName(String),
    #[error("not an iOS app archive: no Payload/ folder, so no .app bundle under Payload/")]
    NoPayload,
    #[error("Payload/ is inside the folder {0:?}; it must be at the archive's root")]
    NestedPayload(String),
    #[error("no .app bundle under Payload/")]
    NoApp,
    #[error("more than one app under Payload/: {}", .0.join(", "))]
    SeveralApps(Vec<String>),
    #[error("no Info.plist in {0}")]
    NoInfoPlist(String),
    #[error("{path}: {source}")]
    BadInfoPlist {
        path: String,
        #[source]
        source: info::InfoError,
    },
    #[error("{0}Info.plist has no CFBundleIdentifier")]
    NoBundleId(String),
    #[error("cannot read entry {name}: {reason}")]
    Entry { name: String, reason: String },
    #[error("the archive has more than one entry named {0:?}: tools disagree on which one counts")]
    DuplicateEntry(String),
    #[error("the archive's local headers disagree with its central directory ({0})")]
    Inconsistent(String),
    #[error("refused as a decompression bomb: {0}")]
    OverBudget(String),
    /// An Android package that cannot be read or published; the text says why.
    #[error("{0}")]
    Android(String),
    /// The reader itself failed on this archive (a defect, not the archive's fault alone):
    /// the archive counts as unreadable, and no other archive's reading is touched.
    #[error("the reader failed on this archive ({0}); please report it with the file")]
    ReaderFault(String),
}

/// Runs a reader so that a defect it hits on one input (a panic) becomes that input's
/// [`IpaError::ReaderFault`], and every other archive is still read.
pub fn caught<T>(read: impl FnOnce() -> T) -> Result<T, IpaError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(read)).map_err(|panic| {
        let text = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "an internal error".to_string());
        IpaError::ReaderFault(text)
    })
}

/// Everything read from one archive.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Ipa {
    pub file: PathBuf,
    pub size: u64,
    /// Lowercase hex SHA-256 of the whole file, when it was asked for.
    pub sha256: Option<String>,
    /// `Payload/<Name>.app/`
    pub app_dir: String,
    pub bundle_id: String,
    pub name: String,
    pub info: AppInfo,
    pub profile: Option<Profile>,
    pub icon: Option<Icon>,
    /// Bundle ids of nested app extensions and watch apps.
    pub extensions: Vec<String>,
    pub problems: Vec<Problem>,
    /// When the app was packaged: the Info.plist entry's timestamp, read as UTC.
    #[serde(with = "time::serde::rfc3339::option")]
    pub released: Option<OffsetDateTime>,
    /// The main executable's code signature; none when the archive has no executable or its
    /// signature could not be read (a warning then says why).
    #[serde(default)]
    pub signature: Option<CodeSignature>,
    /// The facts of an Android package (`.apk`); none for an iOS app.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub android: Option<crate::android::AndroidFacts>,
    /// The device identifiers the profile lists (kept here so the cache holds them; the
    /// profile itself never serialises them).
    #[serde(default)]
    pub provisioned_devices: Vec<String>,
}

impl Ipa {
    /// Which operating system the build is for.
    pub fn os(&self) -> crate::android::Os {
        match self.android {
            Some(_) => crate::android::Os::Android,
            None => crate::android::Os::Ios,
        }
    }
}

impl Ipa {
    /// False when a blocking problem applies.
    pub fn installable(&self) -> bool {
        problems::installable(&self.problems)
    }

    /// When the build stops launching (the earliest expiry of profile and certificates).
    pub fn stops_launching(&self) -> Option<(OffsetDateTime, profile::ExpiryOf)> {
        codesign::stops_launching(self.profile.as_ref(), self.signature.as_ref())
    }
}

/// What to do beyond reading metadata.
#[derive(Debug, Clone, Copy)]
pub struct ReadOptions {
    /// Hash the whole file (the one full pass over its bytes).
    pub hash: bool,
    /// The moment profile expiry is judged against.
    pub now: OffsetDateTime,
    /// Decode the chosen icon's pixels (a build needs them; `inspect` needs only its size).
    pub decode_icon: bool,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            hash: true,
            now: crate::clock::now(),
            decode_icon: true,
        }
    }
}

/// Reads one `.ipa`.
pub fn read_ipa(path: &Path, options: ReadOptions) -> Result<Ipa, IpaError> {
    let size = std::fs::metadata(path).map_err(IpaError::Io)?.len();
    let archive = Archive::open(path)?;
    let mut ipa = read_archive(archive, path, size, options)?;
    if options.hash {
        ipa.sha256 = Some(crate::hash::sha256_file(path).map_err(IpaError::Io)?);
    }
    Ok(ipa)
}

/// Reads an `.ipa` held in memory, as if from a file named `name` (for fuzzing and tools).
pub fn read_ipa_bytes(bytes: &[u8], name: &Path, options: ReadOptions) -> Result<Ipa, IpaError> {
    let archive = Archive::from_reader(std::io::Cursor::new(bytes))?;
    let mut ipa = read_archive(archive, name, bytes.len() as u64, options)?;
    if options.hash {
        ipa.sha256 = Some(crate::hash::sha256_bytes(bytes));
    }
    Ok(ipa)
}

/// Everything but the hash, from an opened archive. An archive whose reading overspent its
/// budget is refused even when only optional entries (icons, extensions) were cut short.
fn read_archive<R: Read + Seek>(
    mut archive: Archive<R>,
    path: &Path,
    size: u64,
    options: ReadOptions,
) -> Result<Ipa, IpaError> {
    let ipa = read_facts(&mut archive, path, size, options);
    match archive.overspent() {
        Some(error) => Err(error),
        None => ipa,
    }
}

fn read_facts<R: Read + Seek>(
    archive: &mut Archive<R>,
    path: &Path,
    size: u64,
    options: ReadOptions,
) -> Result<Ipa, IpaError> {
    let app_dir = locate_app(archive.names())?;
    // A Mac app keeps its Info.plist and profile under Contents/: read it, to say what it is.
    let mac_bundle = !archive.contains(&format!("{app_dir}Info.plist"))
        && archive.contains(&format!("{app_dir}Contents/Info.plist"));
    let (plist_path, profile_path) = if mac_bundle {
        (
            format!("{app_dir}Contents/Info.plist"),
            format!("{app_dir}Contents/embedded.provisionprofile"),
        )
    } else {
        (
            format!("{app_dir}Info.plist"),
            format!("{app_dir}embedded.mobileprovision"),
        )
    };
    if !archive.contains(&plist_path) {
        return Err(IpaError::NoInfoPlist(app_dir));
    }
    let info_bytes = archive.read(&plist_path, PLIST_LIMIT)?;
    let info = AppInfo::parse(&info_bytes).map_err(|source| IpaError::BadInfoPlist {
        path: plist_path.clone(),
        source,
    })?;
    let info = AppInfo { mac_bundle, ..info };
    let bundle_id = info
        .bundle_id
        .clone()
        .ok_or_else(|| IpaError::NoBundleId(app_dir.clone()))?;
    let name = info
        .name()
        .map(str::to_string)
        .unwrap_or_else(|| app_stem(&app_dir).to_string());

    let profile = archive.contains(&profile_path).then(|| {
        archive
            .read(&profile_path, PLIST_LIMIT)
            .map_err(|e| e.to_string())
            .and_then(|bytes| Profile::parse(&bytes).map_err(|e| e.to_string()))
    });
    let (icon, icon_warnings) = icon::find_icon(archive, &app_dir, &info, options.decode_icon);
    let extensions = nested_bundle_ids(archive, &app_dir);
    let released = archive.modified(&plist_path).and_then(entry_time_to_utc);
    let executable = info.executable.as_deref().map(|name| match mac_bundle {
        true => format!("{app_dir}Contents/MacOS/{name}"),
        false => format!("{app_dir}{name}"),
    });
    let (signature, signature_warning) = match executable {
        Some(path) if archive.contains(&path) => read_code_signature(archive, &path),
        _ => (None, None),
    };

    let mut problems = problems::assess(&info, profile.as_ref(), signature.as_ref(), options.now);
    problems.extend(icon_warnings);
    problems.extend(signature_warning);

    Ok(Ipa {
        file: path.to_path_buf(),
        size,
        sha256: None,
        app_dir,
        bundle_id,
        name,
        info,
        provisioned_devices: profile
            .as_ref()
            .and_then(|p| p.as_ref().ok())
            .map(|p| p.device_ids.clone())
            .unwrap_or_default(),
        profile: profile.and_then(Result::ok),
        icon,
        extensions,
        problems,
        released,
        signature,
        android: None,
    })
}

/// The executable's code signature, streamed from its entry; a signature that cannot be read
/// is a warning, not a refusal: iOS is the judge of signatures, otasite only reports expiry.
fn read_code_signature<R: Read + Seek>(
    archive: &mut Archive<R>,
    path: &str,
) -> (Option<CodeSignature>, Option<Problem>) {
    let warning = |reason: String| {
        Problem::warning(format!(
            "The app's code signature could not be read, so its certificate's expiry is unknown: {path}: {reason}."
        ))
        .coded("unreadable_signature", &[("path", path), ("reason", &reason)])
    };
    match archive.stream(path, codesign::read_signature) {
        Ok(streamed) => match streamed.value {
            Ok(signature) => (Some(signature), None),
            Err(_) if streamed.reached_budget => {
                let mib = (archive::MAX_INFLATED_PER_ARCHIVE >> 20).to_string();
                let reason = format!(
                    "its code signature lies beyond the {mib} MiB otasite inflates per archive"
                );
                let problem = warning(reason).coded(
                    "unreadable_signature_budget",
                    &[("path", path), ("mib", &mib)],
                );
                (None, Some(problem))
            }
            Err(reason) => (None, Some(warning(reason))),
        },
        Err(error) => (None, Some(warning(error.to_string()))),
    }
}

/// Finds the one top-level `Payload/<Name>.app/`, ignoring `__MACOSX/` resource forks and
/// anything outside Payload (`Symbols/`, `BCSymbolMaps/`, …).
fn locate_app(names: &[String]) -> Result<String, IpaError> {
    let mut apps = BTreeSet::new();
    let mut has_payload = false;
    let mut nested_payload = None;
    for name in names.iter().filter(|n| !n.starts_with("__MACOSX/")) {
        if let Some(rest) = name.strip_prefix("Payload/") {
            has_payload = true;
            let first = rest.split('/').next().unwrap_or_default();
            let is_dir = rest.len() > first.len();
            if is_dir && first.to_ascii_lowercase().ends_with(".app") && first.len() > 4 {
                apps.insert(first.to_string());
            }
        } else if let Some(at) = name.find("/Payload/") {
            nested_payload.get_or_insert_with(|| name[..at + 1].to_string());
        }
    }
    match apps.len() {
        1 => Ok(format!("Payload/{}/", apps.pop_first().unwrap_or_default())),
        0 if has_payload => Err(IpaError::NoApp),
        0 => Err(nested_payload.map_or(IpaError::NoPayload, IpaError::NestedPayload)),
        _ => Err(IpaError::SeveralApps(apps.into_iter().collect())),
    }
}

/// `Payload/Foo Bar.app/` -> `Foo Bar`.
fn app_stem(app_dir: &str) -> &str {
    let folder = app_dir
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(app_dir);
    &folder[..folder.len().saturating_sub(4)]
}

/// Bundle ids of app extensions (`PlugIns/*.appex`, including those of a watch app) and
/// watch apps (`Watch/*.app`).
fn nested_bundle_ids<R: Read + Seek>(archive: &mut Archive<R>, app_dir: &str) -> Vec<String> {
    let plists: Vec<String> = archive
        .names()
        .iter()
        .filter(|name| {
            name.strip_prefix(app_dir)
                .and_then(|rest| rest.strip_suffix("/Info.plist"))
                .is_some_and(is_nested_bundle)
        })
        .cloned()
        .collect();
    let mut ids: Vec<String> = plists
        .iter()
        .filter_map(|path| archive.read(path, NESTED_PLIST_LIMIT).ok())
        .filter_map(|bytes| AppInfo::parse(&bytes).ok()?.bundle_id)
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// `PlugIns/X.appex`, `Watch/W.app`, `Watch/W.app/PlugIns/E.appex`.
fn is_nested_bundle(relative: &str) -> bool {
    let parts: Vec<&str> = relative.split('/').collect();
    match parts.as_slice() {
        ["PlugIns", ext] => ext.ends_with(".appex"),
        ["Watch", app] => app.ends_with(".app"),
        ["Watch", app, "PlugIns", ext] => app.ends_with(".app") && ext.ends_with(".appex"),
        _ => false,
    }
}

pub(crate) fn entry_time_to_utc(t: EntryTime) -> Option<OffsetDateTime> {
    let month = time::Month::try_from(t.month).ok()?;
    let date = time::Date::from_calendar_date(t.year as i32, month, t.day).ok()?;
    let clock = time::Time::from_hms(t.hour, t.minute, t.second).ok()?;
    Some(time::PrimitiveDateTime::new(date, clock).assume_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_reader_that_panics_fails_its_input_alone() {
        match caught(|| -> () { panic!("index out of range in a chunk") }) {
            Err(IpaError::ReaderFault(text)) => assert_eq!(text, "index out of range in a chunk"),
            other => panic!("expected a reader fault, got {other:?}"),
        }
        let message = caught(|| -> () { panic!("{} of {}", 3, 2) })
            .unwrap_err()
            .to_string();
        assert_eq!(
            message,
            "the reader failed on this archive (3 of 2); please report it with the file"
        );
        assert_eq!(
            caught(|| 7).ok(),
            Some(7),
            "a reader that returns is untouched"
        );
    }

    #[test]
    fn locates_the_one_app() {
        let found = locate_app(&names(&[
            "__MACOSX/Payload/Other.app/x",
            "Payload/A.app/Info.plist",
            "Payload/A.app/PlugIns/B.appex/Info.plist",
            "Symbols/x.symbols",
        ]));
        assert_eq!(found.unwrap(), "Payload/A.app/");
    }

    #[test]
    fn layout_errors_are_distinct() {
        let err = |list: &[&str]| locate_app(&names(list)).unwrap_err().to_string();
        assert_eq!(err(&["x.txt"]), IpaError::NoPayload.to_string());
        assert!(err(&["Build/Payload/A.app/Info.plist"]).contains("\"Build/\""));
        assert_eq!(err(&["Payload/"]), "no .app bundle under Payload/");
        assert!(err(&["Payload/A.app/x", "Payload/B.app/x"]).contains("A.app, B.app"));
    }

    #[test]
    fn nested_bundles() {
        assert!(is_nested_bundle("PlugIns/Share.appex"));
        assert!(is_nested_bundle("Watch/W.app/PlugIns/E.appex"));
        assert!(!is_nested_bundle("Frameworks/F.framework"));
    }

    #[test]
    fn stem_of_app_folder() {
        assert_eq!(
            app_stem("Payload/very capable app.app/"),
            "very capable app"
        );
    }
}
