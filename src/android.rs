//! Android builds on the site: an `.apk` read into the model every build shares, the facts
//! only Android builds have, and what pages and hosts need to know about them.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::apk::{self, Apk, Kind, Signing};
use crate::ipa::archive::Archive;
use crate::ipa::{AppInfo, Icon, Ipa, IpaError, Problem, ReadOptions};

/// The content type an `.apk` must be served with: browsers on Android hand it to the
/// package installer only then.
pub const APK_CONTENT_TYPE: &str = "application/vnd.android.package-archive";

/// The name of a private Android build's archive in its token folder.
pub const PRIVATE_APK: &str = "app.apk";

/// The most otasite inflates for one icon bitmap.
const ICON_LIMIT: u64 = 8 << 20;

/// Which operating system a build is for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Os {
    /// Also what a catalog written before Android builds existed means.
    #[default]
    Ios,
    Android,
}

impl Os {
    pub fn of(path: &str) -> Os {
        if is_apk_name(path) {
            Os::Android
        } else {
            Os::Ios
        }
    }

    pub fn is_android(self) -> bool {
        self == Os::Android
    }
}

/// The facts only Android builds have (`catalog.json`'s `android` object of a build).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct AndroidFacts {
    /// `minSdkVersion`: the oldest API level the build installs on (a codename read as the
    /// level it stands for), or null.
    pub min_sdk: Option<u32>,
    /// `targetSdkVersion`, or null.
    pub target_sdk: Option<u32>,
    /// `versionCode` as a number, or null.
    pub version_code: Option<i64>,
    /// Locale → label, for locales that define their own.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Native code's ABIs (`lib/<abi>/`), e.g. `arm64-v8a`; empty for code that runs on any.
    #[serde(default)]
    pub abis: Vec<String>,
    /// `android:debuggable`: a debug build.
    #[serde(default)]
    pub debuggable: bool,
    /// `android:testOnly`: the package installer refuses it.
    #[serde(default)]
    pub test_only: bool,
    /// The signature schemes present and the signer certificate.
    #[serde(default)]
    pub signing: Signing,
    /// The Android version `min_sdk` stands for, e.g. `Android 8.0`.
    pub min_android: Option<String>,
}

/// Whether a file name is an Android package's (`.apk`).
pub fn is_apk_name(name: &str) -> bool {
    Path::new(name)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("apk"))
}

/// Whether a file name is an Android App Bundle's (`.aab`).
pub fn is_bundle_name(name: &str) -> bool {
    Path::new(name)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("aab"))
}

/// The Android release that introduced an API level (the versions the UI shows).
pub fn android_version(api: u32) -> Option<&'static str> {
    const VERSIONS: &[(u32, &str)] = &[
        (1, "1.0"),
        (2, "1.1"),
        (3, "1.5"),
        (4, "1.6"),
        (5, "2.0"),
        (6, "2.0.1"),
        (7, "2.1"),
        (8, "2.2"),
        (9, "2.3"),
        (10, "2.3.3"),
        (11, "3.0"),
        (12, "3.1"),
        (13, "3.2"),
        (14, "4.0"),
        (15, "4.0.3"),
        (16, "4.1"),
        (17, "4.2"),
        (18, "4.3"),
        (19, "4.4"),
        (20, "4.4W"),
        (21, "5.0"),
        (22, "5.1"),
        (23, "6.0"),
        (24, "7.0"),
        (25, "7.1"),
        (26, "8.0"),
        (27, "8.1"),
        (28, "9"),
        (29, "10"),
        (30, "11"),
        (31, "12"),
        (32, "12L"),
        (33, "13"),
        (34, "14"),
        (35, "15"),
        (36, "16"),
    ];
    VERSIONS.iter().find(|(a, _)| *a == api).map(|(_, v)| *v)
}

/// Reads an `.apk` for the site: its facts in the shared model, its icon decoded when
/// `options.decode_icon` asks for it. An `.aab` is refused: no device installs one.
pub fn read_for_site(path: &Path, options: ReadOptions) -> Result<Ipa, IpaError> {
    let apk = apk::read_apk(path, options).map_err(|e| match e {
        apk::ApkError::Archive(e) => e,
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

/// Why an `.aab` is not published: one sentence naming what to do instead.
pub const BUNDLE_REFUSED: &str = "an Android App Bundle (.aab) cannot be installed from a site: build a universal APK from it with bundletool (bundletool build-apks --mode=universal) and publish that";

fn decode_icon(path: &Path, entry: &str) -> Result<crate::raster::RgbaImage, String> {
    let mut archive = Archive::open(path).map_err(|e| e.to_string())?;
    let bytes = archive.read(entry, ICON_LIMIT).map_err(|e| e.to_string())?;
    crate::raster::decode_png(&bytes).map_err(|e| e.to_string())
}

/// When the package was built: its manifest entry's timestamp, read as UTC.
fn released(path: &Path) -> Option<time::OffsetDateTime> {
    let archive = Archive::open(path).ok()?;
    archive
        .modified(apk::MANIFEST)
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

/// The iOS app `site.yaml` joins an Android package to (`apps: <bundle id>: android:
/// <package>`), when it does.
pub fn joined_app(settings: &crate::config::Settings, ipa: &Ipa) -> Option<String> {
    if !ipa.os().is_android() {
        return None;
    }
    settings
        .apps
        .iter()
        .find(|(_, o)| o.android.as_deref() == Some(ipa.bundle_id.as_str()))
        .map(|(id, _)| id.clone())
}

/// The identifier of the app a catalog build is shown in.
pub fn app_id_of(settings: &crate::config::Settings, build: &crate::catalog::Build) -> String {
    if build.os.is_android() {
        let joined = settings
            .apps
            .iter()
            .find(|(_, o)| o.android.as_deref() == Some(build.bundle_id.as_str()));
        if let Some((id, _)) = joined {
            return id.clone();
        }
    }
    build.bundle_id.clone()
}

/// The systems an app has builds for, iOS first.
pub fn platforms(builds: &[crate::catalog::Build]) -> Vec<Os> {
    [Os::Ios, Os::Android]
        .into_iter()
        .filter(|os| builds.iter().any(|b| b.os == *os))
        .collect()
}

/// `keep` and `retention` judged for each system's builds apart: an app's iOS builds never
/// push its Android builds out, nor the other way round.
pub fn judge_per_os(
    builds: &[crate::catalog::Build],
    rules: &crate::catalog::retention::Rules<'_>,
) -> Vec<Option<String>> {
    let mut verdicts = vec![None; builds.len()];
    for os in [Os::Ios, Os::Android] {
        let (indices, own): (Vec<usize>, Vec<crate::catalog::Build>) = builds
            .iter()
            .enumerate()
            .filter(|(_, b)| b.os == os)
            .map(|(i, b)| (i, b.clone()))
            .unzip();
        for (index, verdict) in indices
            .into_iter()
            .zip(crate::catalog::retention::judge(&own, rules))
        {
            verdicts[index] = verdict;
        }
    }
    verdicts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_levels_name_their_release() {
        assert_eq!(android_version(33), Some("13"));
        assert_eq!(android_version(26), Some("8.0"));
        assert_eq!(android_version(0), None);
    }

    #[test]
    fn os_by_file_name() {
        assert_eq!(Os::of("beta/App.APK"), Os::Android);
        assert_eq!(Os::of("App.ipa"), Os::Ios);
        assert!(is_bundle_name("x/App.aab"));
    }

    #[test]
    fn old_catalogs_read_as_ios() {
        assert_eq!(Os::default(), Os::Ios);
        let os: Os = serde_json::from_str("\"android\"").unwrap();
        assert!(os.is_android());
    }
}
