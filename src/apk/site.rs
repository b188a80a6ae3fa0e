//! An `.apk` read for the site: its facts in the model every build shares, its icon decoded.

use std::path::Path;

use super::vector::Drawn;
use super::{Apk, Kind};
use crate::android::{AndroidFacts, BUNDLE_REFUSED, android_version, is_bundle_name};
use crate::ipa::archive::Archive;
use crate::ipa::{AppInfo, Icon, Ipa, IpaError, Problem, ReadOptions};

/// The most otasite inflates for one icon bitmap.
const ICON_LIMIT: u64 = 8 << 20;

/// Reads an `.apk` for the site: its facts in the shared model, its icon decoded when
/// `options.decode_icon` asks for it. An `.aab` is refused: no device installs one.
pub fn read_for_site(path: &Path, options: ReadOptions) -> Result<Ipa, IpaError> {
    let apk = super::read_apk(path, options).map_err(|e| match e {
        super::ApkError::Archive(e) => e,
        other => IpaError::Android(other.to_string()),
    })?;
    if apk.kind == Kind::Bundle || is_bundle_name(&path.to_string_lossy()) {
        return Err(IpaError::Android(BUNDLE_REFUSED.to_string()));
    }
    let mut problems = apk.problems.clone();
    let icon = match options.decode_icon {
        true => drawn_icon(path, &apk, &mut problems),
        false => apk.icon.as_ref().map(|found| Icon {
            path: found.path.clone(),
            width: found.width,
            height: found.height,
            cgbi: false,
            image: Default::default(),
        }),
    };
    let released = released(path);
    Ok(Ipa {
        released,
        ..to_ipa(apk, icon, problems)
    })
}

/// The icon the pages show, drawn: an adaptive icon composed or a vector drawable drawn, else
/// the best bitmap decoded. What cannot be drawn is said in a warning, and pages show the
/// bitmap beside it or a placeholder.
fn drawn_icon(path: &Path, apk: &Apk, problems: &mut Vec<Problem>) -> Option<Icon> {
    let mut archive = match Archive::open(path) {
        Ok(archive) => archive,
        Err(e) => {
            problems.push(
                Problem::warning(format!(
                    "The icon could not be read ({e}): pages show a placeholder."
                ))
                .coded("android.icon_unreadable", &[("reason", &e.to_string())]),
            );
            return None;
        }
    };
    if let Some(resource) = &apk.icon_resource {
        match drawable_icon(&mut archive, resource) {
            Some(Ok(drawn)) => {
                problems.extend(drawn.notes.iter().map(|note| {
                    Problem::warning(format!(
                        "The icon {resource} is drawn approximately: {note}."
                    ))
                    .coded(
                        "android.icon_approximate",
                        &[("path", resource), ("note", note)],
                    )
                }));
                return Some(icon_of(resource, drawn.image));
            }
            Some(Err(why)) => problems.push(match &apk.icon {
                Some(bitmap) => Problem::warning(format!(
                    "The icon {resource} cannot be drawn ({why}): its bitmap {} is shown instead.",
                    bitmap.path
                ))
                .coded(
                    "android.icon_not_drawn_bitmap",
                    &[
                        ("path", resource),
                        ("reason", &why),
                        ("bitmap", &bitmap.path),
                    ],
                ),
                None => Problem::warning(format!(
                    "The icon {resource} cannot be drawn ({why}): pages show a placeholder."
                ))
                .coded(
                    "android.icon_not_drawn",
                    &[("path", resource), ("reason", &why)],
                ),
            }),
            None => {}
        }
    }
    let found = apk.icon.as_ref()?;
    let decoded = archive
        .read(&found.path, ICON_LIMIT)
        .map_err(|e| e.to_string())
        .and_then(|bytes| super::launcher::decode_bitmap(&bytes));
    match decoded {
        Ok(image) => Some(icon_of(&found.path, image)),
        Err(why) => {
            problems.push(
                Problem::warning(format!(
                    "The icon {} could not be read ({why}): pages show a placeholder.",
                    found.path
                ))
                .coded(
                    "android.icon_bitmap_unreadable",
                    &[("path", &found.path), ("reason", &why)],
                ),
            );
            None
        }
    }
}

fn icon_of(path: &str, image: crate::raster::RgbaImage) -> Icon {
    Icon {
        path: path.to_string(),
        width: image.width,
        height: image.height,
        cgbi: false,
        image,
    }
}

/// The icon resource drawn, when it is an adaptive icon or a vector drawable (None when it is
/// neither: a bitmap, or another kind of XML drawable, which the reader has warned about).
fn drawable_icon<R: std::io::Read + std::io::Seek>(
    archive: &mut Archive<R>,
    resource: &str,
) -> Option<Result<Drawn, String>> {
    let xml = archive.read(resource, ICON_LIMIT).ok()?;
    let root = super::icon::xml_root(&xml)?;
    if root != "adaptive-icon" && root != "vector" {
        return None;
    }
    let table_bytes = match archive.contains(super::RESOURCES) {
        true => match archive.read(super::RESOURCES, super::RESOURCES_LIMIT) {
            Ok(bytes) => Some(bytes),
            Err(e) => return Some(Err(e.to_string())),
        },
        false => None,
    };
    let table = match table_bytes.as_deref().map(super::arsc::Table::parse) {
        Some(Ok(table)) => Some(table),
        Some(Err(e)) => return Some(Err(e.to_string())),
        None => None,
    };
    let mut read = super::launcher::archive_files(archive);
    Some(match (root.as_str(), &table) {
        ("adaptive-icon", Some(table)) => super::launcher::adaptive(&mut read, &xml, table),
        ("adaptive-icon", None) => Err(format!("the archive has no {}", super::RESOURCES)),
        _ => super::launcher::vector_icon(&mut read, &xml, table.as_ref()),
    })
}

/// When the package was built: its manifest entry's timestamp, read as UTC.
fn released(path: &Path) -> Option<time::OffsetDateTime> {
    let archive = Archive::open(path).ok()?;
    archive
        .modified(super::MANIFEST)
        .and_then(crate::ipa::entry_time_to_utc)
}

/// The shared model of an Android build: `bundle_id` is the package name, `version` the
/// `versionName`, `build` the `versionCode`.
fn to_ipa(apk: Apk, icon: Option<Icon>, problems: Vec<Problem>) -> Ipa {
    let name = apk.name().to_string();
    let manifest = apk.manifest;
    let min_android = manifest
        .min_sdk
        .and_then(android_version)
        .map(|v| format!("Android {v}"));
    let info = AppInfo {
        bundle_id: Some(manifest.package.clone()),
        version: manifest.version_name.clone(),
        build: manifest.version_code.map(|c| c.to_string()),
        min_os: min_android.clone(),
        platform: Some("android".to_string()),
        ..AppInfo::default()
    };
    Ipa {
        file: apk.file,
        size: apk.size,
        sha256: apk.sha256,
        app_dir: String::new(),
        bundle_id: manifest.package,
        name,
        info,
        profile: None,
        icon,
        extensions: Vec::new(),
        problems,
        released: None,
        signature: None,
        provisioned_devices: Vec::new(),
        android: Some(AndroidFacts {
            min_sdk: manifest.min_sdk,
            target_sdk: manifest.target_sdk,
            version_code: manifest.version_code,
            labels: manifest.labels,
            abis: apk.abis,
            debuggable: manifest.debuggable,
            test_only: manifest.test_only,
            signing: apk.signing,
            min_android,
        }),
    }
}
