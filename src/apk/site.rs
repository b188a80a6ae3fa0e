//! An `.apk` read for the site: its facts in the model every build shares, its icon decoded.

use std::path::Path;

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

/// The icon the pages show, drawn: an adaptive icon composed, else the best bitmap decoded.
/// What cannot be drawn is said in a warning, and pages show a placeholder.
fn drawn_icon(path: &Path, apk: &Apk, problems: &mut Vec<Problem>) -> Option<Icon> {
    let mut archive = match Archive::open(path) {
        Ok(archive) => archive,
        Err(e) => {
            problems.push(Problem::warning(format!(
                "The icon could not be read ({e}): pages show a placeholder."
            )));
            return None;
        }
    };
    if let Some(resource) = &apk.icon_resource {
        match adaptive_icon(&mut archive, resource) {
            Some(Ok(image)) => {
                // Drawn after all: the warning that it is not drawn no longer holds.
                let undrawn = format!("The icon {resource} is an adaptive icon");
                problems.retain(|p| !p.message.starts_with(&undrawn));
                return Some(icon_of(resource, image));
            }
            Some(Err(why)) if apk.icon.is_none() => {
                // One line that says why, instead of the reader's general one.
                let undrawn = format!("The icon {resource} is an adaptive icon");
                problems.retain(|p| !p.message.starts_with(&undrawn));
                problems.push(Problem::warning(format!(
                    "The adaptive icon {resource} cannot be drawn ({why}, which otasite does not draw): pages show a placeholder."
                )));
            }
            _ => {}
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
            problems.push(Problem::warning(format!(
                "The icon {} could not be read ({why}): pages show a placeholder.",
                found.path
            )));
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

/// The icon resource composed, when it is an adaptive icon (None when it is not one).
fn adaptive_icon<R: std::io::Read + std::io::Seek>(
    archive: &mut Archive<R>,
    resource: &str,
) -> Option<Result<crate::raster::RgbaImage, String>> {
    let xml = archive.read(resource, ICON_LIMIT).ok()?;
    if super::icon::xml_root(&xml).as_deref() != Some("adaptive-icon") {
        return None;
    }
    let table_bytes = match archive.read(super::RESOURCES, super::RESOURCES_LIMIT) {
        Ok(bytes) => bytes,
        Err(e) => return Some(Err(e.to_string())),
    };
    let table = match super::arsc::Table::parse(&table_bytes) {
        Ok(table) => table,
        Err(e) => return Some(Err(e.to_string())),
    };
    Some(super::launcher::adaptive(archive, &xml, &table))
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
