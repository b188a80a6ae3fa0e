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
    let icon = match (&apk.icon, options.decode_icon) {
        (Some(found), true) => match decode_icon(path, &found.path) {
            Ok(image) => Some(Icon {
                path: found.path.clone(),
                width: image.width,
                height: image.height,
                cgbi: false,
                image,
            }),
            Err(why) => {
                problems.push(Problem::warning(format!(
                    "The icon {} could not be read ({why}): pages show a placeholder.",
                    found.path
                )));
                None
            }
        },
        (Some(found), false) => Some(Icon {
            path: found.path.clone(),
            width: found.width,
            height: found.height,
            cgbi: false,
            image: Default::default(),
        }),
        (None, _) => None,
    };
    let released = released(path);
    Ok(Ipa {
        released,
        ..to_ipa(apk, icon, problems)
    })
}

fn decode_icon(path: &Path, entry: &str) -> Result<crate::raster::RgbaImage, String> {
    let mut archive = Archive::open(path).map_err(|e| e.to_string())?;
    let bytes = archive.read(entry, ICON_LIMIT).map_err(|e| e.to_string())?;
    crate::raster::decode_png(&bytes).map_err(|e| e.to_string())
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
