//! The facts only Android builds have, and what pages and hosts need to know about them. A
//! leaf module: the readers (`apk::site`) and the model (`catalog::android`) build on it.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// The content type an `.apk` must be served with: browsers on Android hand it to the
/// package installer only then.
pub const APK_CONTENT_TYPE: &str = "application/vnd.android.package-archive";

/// The name of a private Android build's archive in its token folder.
pub const PRIVATE_APK: &str = "app.apk";

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

/// Why an `.aab` is not published: one sentence naming what to do instead.
pub const BUNDLE_REFUSED: &str = "an Android App Bundle (.aab) cannot be installed from a site: build a universal APK from it with bundletool (bundletool build-apks --mode=universal) and publish that";

/// The signing facts of an archive.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Signing {
    /// A v1 (JAR) signature is present.
    pub v1: bool,
    /// An APK Signature Scheme v2 block is present.
    pub v2: bool,
    /// An APK Signature Scheme v3 block is present.
    pub v3: bool,
    /// SHA-256 of the first signer's DER certificate (v3, else v2, else v1), lowercase hex.
    pub cert_sha256: Option<String>,
    /// The signer certificate's subject (`CN=…, O=…`).
    pub cert_subject: Option<String>,
}

impl Signing {
    pub fn is_signed(&self) -> bool {
        self.v1 || self.v2 || self.v3
    }
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
