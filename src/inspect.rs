//! `otasite inspect`: the JSON contract and the human summary of what an archive holds.

use std::path::Path;

use serde::Serialize;

use crate::apk::{self, Apk, ApkIcon, Signing};
use crate::ipa::codesign::SignatureKind;
use crate::ipa::{self, CodeSignature, Ipa, IpaError, Profile, ReadOptions};

/// One file's report: the facts of an app archive (iOS or Android), of a profile alone, or
/// why it failed.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Report {
    App(Box<AppReport>),
    Android(Box<AndroidReport>),
    Profile(Box<ProfileReport>),
    Failed { file: String, error: String },
}

impl Report {
    pub fn is_error(&self) -> bool {
        matches!(self, Report::Failed { .. })
    }
}

#[derive(Debug, Serialize)]
pub struct AppReport {
    pub file: String,
    pub size: u64,
    pub sha256: Option<String>,
    pub bundle_id: String,
    pub name: String,
    pub version: Option<String>,
    pub build: Option<String>,
    pub min_os: Option<String>,
    pub device_family: Vec<String>,
    pub platform: Option<String>,
    pub icon: Option<IconReport>,
    pub profile: Option<Profile>,
    /// The main executable's code signature (kind, signer subject, expiry); null when the
    /// archive has no executable or its signature could not be read.
    pub signature: Option<CodeSignature>,
    pub extensions: Vec<String>,
    pub problems: Vec<String>,
    pub installable: bool,
}

/// An Android package's report: the fields shared with iOS reports, then `android`.
#[derive(Debug, Serialize)]
pub struct AndroidReport {
    pub file: String,
    pub size: u64,
    pub sha256: Option<String>,
    /// Always `"android"`.
    pub platform: &'static str,
    /// The package name.
    pub bundle_id: String,
    /// The label in the default locale, else the package name.
    pub name: String,
    /// `versionName`.
    pub version: Option<String>,
    /// `versionCode` as a string.
    pub build: Option<String>,
    pub icon: Option<ApkIcon>,
    pub problems: Vec<String>,
    pub installable: bool,
    pub android: AndroidFacts,
}

/// The facts only Android packages have.
#[derive(Debug, Serialize)]
pub struct AndroidFacts {
    pub min_sdk: Option<u32>,
    pub target_sdk: Option<u32>,
    pub version_code: Option<i64>,
    /// Locale → label, for locales that define their own.
    pub labels: std::collections::BTreeMap<String, String>,
    pub abis: Vec<String>,
    pub debuggable: bool,
    pub test_only: bool,
    /// The split name of a split (configuration or feature) APK.
    pub split: Option<String>,
    /// An app bundle (`.aab`), not an APK.
    pub bundle: bool,
    /// A bundle's modules.
    pub modules: Vec<String>,
    /// The icon resource's best-density file (it may be adaptive or vector XML).
    pub icon_resource: Option<String>,
    pub signing: Signing,
}

#[derive(Debug, Serialize)]
pub struct IconReport {
    pub path: String,
    pub width: u32,
    pub height: u32,
    pub cgbi: bool,
}

#[derive(Debug, Serialize)]
pub struct ProfileReport {
    pub file: String,
    pub size: u64,
    pub sha256: String,
    pub profile: Profile,
    pub problems: Vec<String>,
}

/// Inspects one file: a provisioning profile is reported as a profile, anything else as an
/// app. Which one is told by content (see [`looks_like`]), so that a `.provisionprofile`, or a
/// profile under any name, is read as a profile.
pub fn inspect_file(path: &Path, options: ReadOptions) -> Report {
    let file = path.display().to_string();
    // A defect in a reader fails this file's report alone, not the other files named.
    let result = ipa::caught(|| match looks_like(path) {
        Ok(Content::Profile) => inspect_profile(path, &file, options),
        Ok(Content::Archive) if is_android_file(path) => apk::read_apk(path, options)
            .map(|apk| Report::Android(Box::new(android_report(&file, apk))))
            .map_err(|e| e.to_string()),
        Ok(Content::Archive) => ipa::read_ipa(path, options)
            .map(|ipa| Report::App(Box::new(app_report(&file, ipa))))
            .map_err(|e| e.to_string()),
        Err(error) => Err(error),
    })
    .unwrap_or_else(|fault| Err(fault.to_string()));
    result.unwrap_or_else(|error| Report::Failed { file, error })
}

/// What a file named on the command line holds, as far as its first bytes tell.
#[derive(Debug, PartialEq, Eq)]
enum Content {
    Profile,
    Archive,
}

/// The OID of CMS SignedData (1.2.840.113549.1.7.2), DER-encoded with its tag and length:
/// what a signed profile's outer SEQUENCE starts with.
const SIGNED_DATA_OID: [u8; 11] = [
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02,
];

/// A CMS SignedData blob (a signed profile) or anything else, which is read as an archive
/// unless its name says profile (`.mobileprovision`, `.provisionprofile`): then the profile
/// reader explains what is wrong with it. Only a regular file is opened (a FIFO would block).
fn looks_like(path: &Path) -> Result<Content, String> {
    use std::io::Read;
    let cannot = |e: std::io::Error| format!("cannot read the file: {e}");
    if !std::fs::metadata(path).map_err(cannot)?.is_file() {
        return Err(IpaError::NotAFile.to_string());
    }
    let mut head = Vec::with_capacity(32);
    std::fs::File::open(path)
        .map_err(cannot)?
        .take(32)
        .read_to_end(&mut head)
        .map_err(cannot)?;
    let named_profile = path.extension().is_some_and(|e| {
        e.eq_ignore_ascii_case("mobileprovision") || e.eq_ignore_ascii_case("provisionprofile")
    });
    Ok(if is_signed_data(&head) {
        Content::Profile
    } else if head.starts_with(b"PK") || !named_profile {
        Content::Archive
    } else {
        Content::Profile
    })
}

/// A DER or BER SEQUENCE (`0x30`, then a short, indefinite `0x80` or long `0x81`-`0x84`
/// length) whose first element is the SignedData OID.
fn is_signed_data(head: &[u8]) -> bool {
    let header = match head {
        [0x30, len, ..] if *len <= 0x80 => 2,
        [0x30, len @ 0x81..=0x84, ..] => 2 + usize::from(len - 0x80),
        _ => return false,
    };
    head.get(header..header + SIGNED_DATA_OID.len()) == Some(&SIGNED_DATA_OID[..])
}

/// An `.apk` or `.aab` by name, or any archive whose content is an Android package.
fn is_android_file(path: &Path) -> bool {
    let named = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("apk") || e.eq_ignore_ascii_case("aab"));
    let named_ipa = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("ipa"));
    named || (!named_ipa && apk::is_android(path))
}

pub fn android_report(file: &str, apk: Apk) -> AndroidReport {
    let installable = apk.installable();
    AndroidReport {
        file: file.to_string(),
        size: apk.size,
        sha256: apk.sha256.clone(),
        platform: "android",
        bundle_id: apk.manifest.package.clone(),
        name: apk.name().to_string(),
        version: apk.manifest.version_name.clone(),
        build: apk.manifest.version_code.map(|c| c.to_string()),
        icon: apk.icon,
        problems: apk.problems.into_iter().map(|p| p.message).collect(),
        installable,
        android: AndroidFacts {
            min_sdk: apk.manifest.min_sdk,
            target_sdk: apk.manifest.target_sdk,
            version_code: apk.manifest.version_code,
            labels: apk.manifest.labels,
            abis: apk.abis,
            debuggable: apk.manifest.debuggable,
            test_only: apk.manifest.test_only,
            split: apk.manifest.split,
            bundle: apk.kind == apk::Kind::Bundle,
            modules: apk.modules,
            icon_resource: apk.icon_resource,
            signing: apk.signing,
        },
    }
}

/// A profile named on the command line: a regular file of bounded size only (a
/// FIFO would block forever, a device never end).
fn read_profile_file(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let cannot = |e: std::io::Error| format!("cannot read the file: {e}");
    if !std::fs::metadata(path).map_err(cannot)?.is_file() {
        return Err(IpaError::NotAFile.to_string());
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .map_err(cannot)?
        .take(ipa::PLIST_LIMIT + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > ipa::PLIST_LIMIT {
        return Err(format!(
            "the profile is larger than {} MiB, far beyond any real one",
            ipa::PLIST_LIMIT >> 20
        ));
    }
    Ok(bytes)
}

fn inspect_profile(path: &Path, file: &str, options: ReadOptions) -> Result<Report, String> {
    let bytes = read_profile_file(path)?;
    let profile = Profile::parse(&bytes).map_err(|e| e.to_string())?;
    let expired = profile.is_expired_at(options.now);
    let problems = match profile.expires {
        Some(expires) if expired => vec![format!(
            "The profile expired on {}.",
            crate::clock::date(expires)
        )],
        _ => Vec::new(),
    };
    Ok(Report::Profile(Box::new(ProfileReport {
        file: file.to_string(),
        size: bytes.len() as u64,
        sha256: crate::hash::sha256_bytes(&bytes),
        profile,
        problems,
    })))
}

pub fn app_report(file: &str, ipa: Ipa) -> AppReport {
    let installable = ipa.installable();
    AppReport {
        file: file.to_string(),
        size: ipa.size,
        sha256: ipa.sha256,
        bundle_id: ipa.bundle_id,
        name: ipa.name,
        version: ipa.info.version,
        build: ipa.info.build,
        min_os: ipa.info.min_os,
        device_family: crate::facts::DeviceFamily::names(&ipa.info.device_family),
        platform: ipa.info.platform,
        icon: ipa.icon.map(|icon| IconReport {
            path: icon.path,
            width: icon.width,
            height: icon.height,
            cgbi: icon.cgbi,
        }),
        profile: ipa.profile,
        signature: ipa.signature,
        extensions: ipa.extensions,
        problems: ipa.problems.into_iter().map(|p| p.message).collect(),
        installable,
    }
}

/// The human summary of one report.
pub fn summary(report: &Report) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".to_string());
    match report {
        Report::Failed { file, error } => {
            let _ = writeln!(out, "{file}\n  error: {error}");
        }
        Report::Profile(p) => {
            let _ = writeln!(out, "{}", p.file);
            write_profile(&mut out, &p.profile);
            for problem in &p.problems {
                let _ = writeln!(out, "  ! {problem}");
            }
        }
        Report::Android(app) => write_android(&mut out, app),
        Report::App(app) => {
            let _ = writeln!(out, "{}", app.file);
            let _ = writeln!(out, "  {} ({})", app.name, app.bundle_id);
            let _ = writeln!(
                out,
                "  version   {} ({})",
                opt(&app.version),
                opt(&app.build)
            );
            let _ = writeln!(out, "  min iOS   {}", opt(&app.min_os));
            let _ = writeln!(out, "  devices   {}", app.device_family.join(", "));
            let _ = writeln!(out, "  platform  {}", opt(&app.platform));
            let _ = writeln!(out, "  size      {} bytes", app.size);
            if let Some(sha) = &app.sha256 {
                let _ = writeln!(out, "  sha256    {sha}");
            }
            match &app.icon {
                Some(i) => {
                    let cgbi = if i.cgbi { ", CgBI" } else { "" };
                    let _ = writeln!(
                        out,
                        "  icon      {} ({}x{}{cgbi})",
                        i.path, i.width, i.height
                    );
                }
                None => {
                    let _ = writeln!(out, "  icon      none");
                }
            }
            match &app.profile {
                Some(profile) => write_profile(&mut out, profile),
                None => {
                    let _ = writeln!(out, "  profile   none");
                }
            }
            if let Some(signature) = &app.signature {
                let _ = writeln!(out, "  signed    {}", signed_by(signature));
            }
            if !app.extensions.is_empty() {
                let _ = writeln!(out, "  extensions {}", app.extensions.join(", "));
            }
            let verdict = if app.installable { "yes" } else { "NO" };
            let _ = writeln!(out, "  installable over the air: {verdict}");
            for problem in &app.problems {
                let _ = writeln!(out, "  ! {problem}");
            }
        }
    }
    out
}

/// Who signed the executable and until when, for the human summary.
fn signed_by(signature: &CodeSignature) -> String {
    match signature.kind {
        SignatureKind::AdHoc => "ad hoc (no certificate)".into(),
        SignatureKind::Unsigned => "no code signature".into(),
        SignatureKind::Certificate => format!(
            "{}, certificate expires {}",
            signature.common_name().unwrap_or("(no common name)"),
            signature
                .expires
                .map(crate::clock::date)
                .unwrap_or_else(|| "-".into())
        ),
    }
}

fn write_android(out: &mut String, app: &AndroidReport) {
    use std::fmt::Write;
    let opt = |v: Option<String>| v.unwrap_or_else(|| "-".to_string());
    let facts = &app.android;
    let kind = if facts.bundle { "app bundle" } else { "APK" };
    let _ = writeln!(out, "{}", app.file);
    let _ = writeln!(out, "  {} ({}), Android {kind}", app.name, app.bundle_id);
    let _ = writeln!(
        out,
        "  version   {} ({})",
        opt(app.version.clone()),
        opt(app.build.clone())
    );
    let _ = writeln!(
        out,
        "  SDK       min {}, target {}",
        opt(facts.min_sdk.map(|l| l.to_string())),
        opt(facts.target_sdk.map(|l| l.to_string()))
    );
    if !facts.abis.is_empty() {
        let _ = writeln!(out, "  ABIs      {}", facts.abis.join(", "));
    }
    if let Some(split) = &facts.split {
        let _ = writeln!(out, "  split     {split}");
    }
    let _ = writeln!(out, "  size      {} bytes", app.size);
    if let Some(sha) = &app.sha256 {
        let _ = writeln!(out, "  sha256    {sha}");
    }
    match &app.icon {
        Some(i) => {
            let _ = writeln!(out, "  icon      {} ({}x{})", i.path, i.width, i.height);
        }
        None => {
            let _ = writeln!(out, "  icon      none");
        }
    }
    let signing = &facts.signing;
    let schemes: Vec<&str> = [("v1", signing.v1), ("v2", signing.v2), ("v3", signing.v3)]
        .iter()
        .filter(|(_, present)| *present)
        .map(|(name, _)| *name)
        .collect();
    let schemes = if schemes.is_empty() {
        "unsigned".to_string()
    } else {
        schemes.join(", ")
    };
    let _ = writeln!(out, "  signing   {schemes}");
    if let Some(subject) = &signing.cert_subject {
        let _ = writeln!(out, "  signer    {subject}");
    }
    if let Some(sha) = &signing.cert_sha256 {
        let _ = writeln!(out, "  cert      sha256 {sha}");
    }
    if facts.debuggable {
        let _ = writeln!(out, "  debuggable");
    }
    let verdict = if app.installable { "yes" } else { "NO" };
    let _ = writeln!(out, "  installable: {verdict}");
    for problem in &app.problems {
        let _ = writeln!(out, "  ! {problem}");
    }
}

fn write_profile(out: &mut String, profile: &Profile) {
    use std::fmt::Write;
    let text = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".to_string());
    let _ = writeln!(
        out,
        "  profile   {} \"{}\"",
        profile.kind.label(),
        text(&profile.name)
    );
    let _ = writeln!(
        out,
        "  team      {} ({})",
        text(&profile.team_name),
        text(&profile.team_id)
    );
    if let Some(expires) = profile.expires {
        let _ = writeln!(out, "  expires   {}", crate::clock::rfc3339(expires));
    }
    if let Some(devices) = profile.devices {
        let _ = writeln!(out, "  devices   {devices} registered");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_data_is_recognised_with_every_length_form() {
        let body = |prefix: &[u8]| [prefix, &SIGNED_DATA_OID[..], &[0xa0, 0x80]].concat();
        assert!(is_signed_data(&body(&[0x30, 0x80])));
        assert!(is_signed_data(&body(&[0x30, 0x2f])));
        assert!(is_signed_data(&body(&[0x30, 0x81, 0xc8])));
        assert!(is_signed_data(&body(&[0x30, 0x82, 0x1f, 0x3a])));
        assert!(is_signed_data(&body(&[0x30, 0x84, 0, 1, 0, 0])));
    }

    #[test]
    fn other_sequences_and_zips_are_not_signed_data() {
        assert!(!is_signed_data(b"PK\x03\x04"));
        assert!(!is_signed_data(&[0x30, 0x82, 0x01]));
        assert!(!is_signed_data(&[0x30, 0x85, 0, 0, 0, 0, 0]));
        let certificate = [0x30, 0x82, 0x03, 0x00, 0x30, 0x82, 0x02, 0x00, 0xa0, 0x03];
        assert!(!is_signed_data(&certificate));
        assert!(!is_signed_data(&[]));
    }
}
