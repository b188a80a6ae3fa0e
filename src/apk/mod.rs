//! Reading one Android package: an `.apk`, or an `.aab` app bundle (recognised, reported, and
//! refused for install pages).
//!
//! The binary XML and resource table parsers are otasite's own, small and bounded. The crates
//! that exist were judged on the real APKs of the fixture corpus: `axmldecoder` reads no
//! `resources.arsc` (so no labels, no icon paths) and rejects the dynamic references real
//! apps carry (`SystemWebView`'s manifest); `abxml` is unmaintained since 2019; `apk-info-axml`
//! needs a newer Rust than otasite's minimum. Every read here is checked against the bytes
//! that hold it, and the fuzz target `apk` runs these parsers in CI.
//!
//! As for `.ipa` files, only the central directory and the few entries needed are read,
//! within the per-archive budget of [`crate::ipa::archive`].

pub mod arsc;
pub mod axml;
pub mod bundle;
pub mod chunk;
pub mod icon;
pub mod launcher;
pub mod manifest;
mod proto;
pub mod signing;
pub mod site;
pub mod vector;

use std::collections::BTreeSet;
use std::io::{Read, Seek};
use std::path::{Path, PathBuf};

use crate::ipa::archive::Archive;
use crate::ipa::{IpaError, Problem, ReadOptions};
pub use manifest::Manifest;
pub use signing::Signing;

/// The binary manifest of an APK, at the archive's root.
pub const MANIFEST: &str = "AndroidManifest.xml";
const RESOURCES: &str = "resources.arsc";
/// An app bundle's configuration and its base module's (protobuf) manifest.
const BUNDLE_CONFIG: &str = "BundleConfig.pb";
const BUNDLE_MANIFEST: &str = "base/manifest/AndroidManifest.xml";
const BUNDLE_RESOURCES: &str = "base/resources.pb";

/// The most otasite inflates for a manifest: real ones take a few KiB to a few hundred.
pub const MANIFEST_LIMIT: u64 = 8 << 20;
/// The most otasite inflates for a resource table: large apps have tables of 10-30 MiB.
pub const RESOURCES_LIMIT: u64 = 64 << 20;
/// Enough of an icon file to read its kind and size (a JPEG's frame header may come late).
const ICON_PREFIX: u64 = 64 << 10;
/// Icon configurations looked at: real icons have up to a dozen.
const MAX_ICON_CANDIDATES: usize = 32;

/// Why a file is not a readable Android package. Each message is one sentence.
#[derive(Debug, thiserror::Error)]
pub enum ApkError {
    #[error(transparent)]
    Archive(#[from] IpaError),
    #[error(
        "not an Android package: no AndroidManifest.xml at the archive's root (nor base/manifest/AndroidManifest.xml of an app bundle)"
    )]
    NotAndroid,
    #[error("{MANIFEST}: {0}")]
    Manifest(String),
    #[error("{BUNDLE_MANIFEST}: {0}")]
    BundleManifest(String),
}

/// Which kind of Android package an archive is, from its entry names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Apk,
    Bundle,
}

impl Kind {
    pub fn of(archive: &Archive<impl Read + Seek>) -> Option<Kind> {
        if archive.contains(MANIFEST) {
            Some(Kind::Apk)
        } else if archive.contains(BUNDLE_CONFIG) || archive.contains(BUNDLE_MANIFEST) {
            Some(Kind::Bundle)
        } else {
            None
        }
    }
}

/// The chosen launcher icon: a bitmap inside the archive.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ApkIcon {
    pub path: String,
    pub width: u32,
    pub height: u32,
}

/// Everything read from one Android package.
#[derive(Debug, Clone)]
pub struct Apk {
    pub file: PathBuf,
    pub size: u64,
    pub sha256: Option<String>,
    pub kind: Kind,
    pub manifest: Manifest,
    /// `lib/<abi>/` folders holding native code (for a bundle, of any module).
    pub abis: Vec<String>,
    /// A bundle's modules (`base`, feature modules); empty for an APK.
    pub modules: Vec<String>,
    pub signing: Signing,
    /// The bitmap shown for the app, when there is one.
    pub icon: Option<ApkIcon>,
    /// The icon resource's best-density file (may be adaptive or vector XML).
    pub icon_resource: Option<String>,
    pub problems: Vec<Problem>,
}

impl Apk {
    /// The name shown: the default label, else the package name.
    pub fn name(&self) -> &str {
        self.manifest
            .label
            .as_deref()
            .filter(|l| !l.trim().is_empty())
            .unwrap_or(&self.manifest.package)
    }

    /// False when a blocking problem applies.
    pub fn installable(&self) -> bool {
        crate::ipa::problems::installable(&self.problems)
    }
}

/// Whether the archive at `path` is an Android package (by content, not by name).
pub fn is_android(path: &Path) -> bool {
    Archive::open(path).is_ok_and(|archive| Kind::of(&archive).is_some())
}

/// Reads an `.apk` or `.aab`.
pub fn read_apk(path: &Path, options: ReadOptions) -> Result<Apk, ApkError> {
    let size = std::fs::metadata(path).map_err(IpaError::Io)?.len();
    let mut archive = Archive::open(path)?;
    let kind = Kind::of(&archive).ok_or(ApkError::NotAndroid)?;
    let mut problems = Vec::new();
    let (manifest, table_bytes) = match kind {
        Kind::Apk => read_apk_manifest(&mut archive, &mut problems)?,
        Kind::Bundle => (read_bundle_manifest(&mut archive)?, None),
    };
    let names = archive.names().to_vec();
    let signing = read_signing(path, &mut archive, &names)?;
    let (icon, icon_resource) = match (&manifest.icon, &table_bytes) {
        (Some(icon), Some(bytes)) => match arsc::Table::parse(bytes) {
            Ok(table) => choose_icon(&mut archive, &icon::candidates(icon, &table), &mut problems),
            Err(_) => (None, None),
        },
        _ => (None, None),
    };
    if let Some(overspent) = archive.overspent() {
        return Err(overspent.into());
    }
    let mut apk = Apk {
        file: path.to_path_buf(),
        size,
        sha256: None,
        kind,
        abis: abis(&names, kind),
        modules: if kind == Kind::Bundle {
            bundle::modules(&names)
        } else {
            Vec::new()
        },
        manifest,
        signing,
        icon,
        icon_resource,
        problems,
    };
    apk.problems.splice(0..0, assess(&apk));
    if options.hash {
        apk.sha256 = Some(crate::hash::sha256_file(path).map_err(IpaError::Io)?);
    }
    Ok(apk)
}

/// Parses a binary manifest and resolves it against a resource table: the whole of what the
/// parsers see of an APK (the fuzz target's entry point).
pub fn manifest_facts(manifest: &[u8], resources: Option<&[u8]>) -> Result<Manifest, String> {
    let elements = axml::parse(manifest).map_err(|e| e.to_string())?;
    let table = resources.and_then(|bytes| arsc::Table::parse(bytes).ok());
    manifest::facts(&elements, table.as_ref())
}

fn entry_error(name: &str) -> impl Fn(IpaError) -> ApkError + '_ {
    move |e| match e {
        IpaError::Entry { reason, .. } if name == MANIFEST => ApkError::Manifest(reason),
        other => ApkError::Archive(other),
    }
}

fn read_apk_manifest<R: Read + Seek>(
    archive: &mut Archive<R>,
    problems: &mut Vec<Problem>,
) -> Result<(Manifest, Option<Vec<u8>>), ApkError> {
    let bytes = archive
        .read(MANIFEST, MANIFEST_LIMIT)
        .map_err(entry_error(MANIFEST))?;
    let elements = axml::parse(&bytes).map_err(|e| ApkError::Manifest(e.to_string()))?;
    let table_bytes = if archive.contains(RESOURCES) {
        Some(archive.read(RESOURCES, RESOURCES_LIMIT)?)
    } else {
        None
    };
    let table = match table_bytes.as_deref().map(arsc::Table::parse) {
        Some(Ok(table)) => Some(table),
        Some(Err(e)) => {
            problems.push(
                Problem::warning(format!(
                    "{RESOURCES} cannot be read ({e}): the label, version name and icon it holds are not shown."
                ))
                .coded(
                    "android.unreadable_resources",
                    &[("file", RESOURCES), ("reason", &e.to_string())],
                ),
            );
            None
        }
        None => None,
    };
    let manifest = manifest::facts(&elements, table.as_ref()).map_err(ApkError::Manifest)?;
    drop(table);
    Ok((manifest, table_bytes))
}

fn read_bundle_manifest<R: Read + Seek>(archive: &mut Archive<R>) -> Result<Manifest, ApkError> {
    if !archive.contains(BUNDLE_MANIFEST) {
        return Err(ApkError::BundleManifest(
            "missing: an app bundle needs a base module".to_string(),
        ));
    }
    let bytes = archive.read(BUNDLE_MANIFEST, MANIFEST_LIMIT)?;
    let resources = if archive.contains(BUNDLE_RESOURCES) {
        archive.read(BUNDLE_RESOURCES, RESOURCES_LIMIT).ok()
    } else {
        None
    };
    bundle::manifest(&bytes, resources.as_deref()).map_err(ApkError::BundleManifest)
}

/// Signature schemes present, and the signer certificate (v3, else v2, else v1).
fn read_signing<R: Read + Seek>(
    path: &Path,
    archive: &mut Archive<R>,
    names: &[String],
) -> Result<Signing, ApkError> {
    let v1_files = signing::v1_signature_files(names);
    let v1_cert = match v1_files.first() {
        Some(name) => archive
            .read(name, signing::MAX_SIGNATURE_FILE)
            .ok()
            .and_then(|bytes| signing::v1_certificate(&bytes)),
        None => None,
    };
    let (v2, v3) = signing::signing_block(path).map_err(IpaError::Io)?;
    let certificate = v3
        .clone()
        .flatten()
        .or_else(|| v2.clone().flatten())
        .or(v1_cert);
    Ok(Signing {
        v1: !v1_files.is_empty(),
        v2: v2.is_some(),
        v3: v3.is_some(),
        cert_sha256: certificate.as_deref().map(crate::hash::sha256_bytes),
        cert_subject: certificate
            .as_deref()
            .and_then(crate::der::certificate_subject),
    })
}

/// The best-density icon file, and the best bitmap to show; warnings say what is not shown.
fn choose_icon<R: Read + Seek>(
    archive: &mut Archive<R>,
    candidates: &[(arsc::Config, String)],
    problems: &mut Vec<Problem>,
) -> (Option<ApkIcon>, Option<String>) {
    let mut resource: Option<(String, icon::IconKind, Vec<u8>)> = None;
    let mut bitmap = None;
    for (_, path) in candidates.iter().take(MAX_ICON_CANDIDATES) {
        if !archive.contains(path) {
            continue;
        }
        let Ok(prefix) = archive.read_prefix(path, ICON_PREFIX) else {
            continue;
        };
        let kind = icon::IconKind::of(&prefix);
        if bitmap.is_none() && kind.is_bitmap() {
            bitmap = icon::dimensions(kind, &prefix).map(|(width, height)| ApkIcon {
                path: path.clone(),
                width,
                height,
            });
        }
        if resource.is_none() {
            resource = Some((path.clone(), kind, prefix));
        }
    }
    let Some((path, kind, prefix)) = resource else {
        if let Some((_, path)) = candidates.first() {
            problems.push(
                Problem::warning(format!(
                    "The icon {path} is not in the archive: no icon is shown."
                ))
                .coded("android.icon_missing", &[("path", path)]),
            );
        }
        return (None, None);
    };
    // Adaptive icons and vector drawables are drawn for the pages; other XML drawables
    // (layer lists, insets, shapes) are not.
    if kind == icon::IconKind::Xml {
        // The whole file: a binary XML document cut at the prefix does not parse.
        let whole = archive.read(&path, MANIFEST_LIMIT).unwrap_or(prefix);
        let root = icon::xml_root(&whole);
        if !matches!(root.as_deref(), Some("adaptive-icon" | "vector")) {
            let what = match &root {
                Some(root) => format!("a <{root}> drawable"),
                None => "an XML drawable".to_string(),
            };
            // Coded `android.icon_drawable` (`<root>` known) or `android.icon_xml`, with
            // `_bitmap` when a bitmap is shown instead.
            let code = match root {
                Some(_) => "android.icon_drawable",
                None => "android.icon_xml",
            };
            let root = root.unwrap_or_default();
            problems.push(match &bitmap {
                Some(b) => Problem::warning(format!(
                    "The icon {path} is {what}, which otasite does not draw: its bitmap {} is shown instead.",
                    b.path
                ))
                .coded(
                    &format!("{code}_bitmap"),
                    &[("path", &path), ("root", &root), ("bitmap", &b.path)],
                ),
                None => Problem::warning(format!(
                    "The icon {path} is {what} with no bitmap beside it, which otasite does not draw: no icon is shown."
                ))
                .coded(code, &[("path", &path), ("root", &root)]),
            });
        }
    }
    (bitmap, Some(path))
}

/// Native ABIs: `lib/<abi>/…` (a bundle: `<module>/lib/<abi>/…`).
fn abis(names: &[String], kind: Kind) -> Vec<String> {
    let skip = usize::from(kind == Kind::Bundle);
    names
        .iter()
        .filter_map(|name| {
            let parts: Vec<&str> = name.split('/').collect();
            let rest = parts.get(skip..)?;
            match rest {
                ["lib", abi, file, ..] if !abi.is_empty() && !file.is_empty() => {
                    Some(abi.to_string())
                }
                _ => None,
            }
        })
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// The problems that stop an install, first among the warnings.
fn assess(apk: &Apk) -> Vec<Problem> {
    let mut problems = Vec::new();
    if apk.kind == Kind::Bundle {
        problems.push(Problem::blocking(
            "This is an Android App Bundle (.aab): devices cannot install it. Build a universal APK from it with bundletool (bundletool build-apks --mode=universal) and publish that.",
        ).coded("android.app_bundle", &[]));
    }
    if let Some(split) = &apk.manifest.split {
        problems.push(Problem::blocking(format!(
            "This is the split APK '{split}': it installs only together with its base APK, never on its own."
        )).coded("android.split", &[("split", split)]));
    }
    if apk.manifest.test_only {
        problems.push(Problem::blocking(
            "The app is marked android:testOnly: the package installer refuses it (only adb install -t installs it).",
        ).coded("android.test_only", &[]));
    }
    if !apk.signing.is_signed() {
        problems.push(
            Problem::blocking(
                "The package is not signed: Android refuses to install it. Sign it with apksigner.",
            )
            .coded("android.unsigned", &[]),
        );
    }
    // An absent targetSdkVersion defaults to minSdkVersion, which defaults to 1.
    let target = apk
        .manifest
        .target_sdk
        .or(apk.manifest.min_sdk)
        .unwrap_or(1);
    if target < 23 && apk.kind == Kind::Apk && apk.manifest.split.is_none() {
        problems.push(Problem::blocking(format!(
            "It targets API level {target} (targetSdkVersion below 23): Android 14 and later refuse to install it."
        )).coded("android.old_target", &[("level", &target.to_string())]));
    }
    problems
}
