//! What kind of bundle an archive holds. iOS installs only iPhone and iPad apps over the air;
//! every other kind is named here with the marker that gave it away.
//!
//! The markers, each one Xcode writes for that kind of bundle and never for an iPhone or iPad
//! app:
//! - simulator: a platform (`DTPlatformName` or `CFBundleSupportedPlatforms`) ending in
//!   `simulator` (`iphonesimulator`, `xrsimulator`, ...);
//! - visionOS: platform `xros`, or `UIDeviceFamily` 7 alone;
//! - macOS and Mac Catalyst: platform `macosx`, the macOS bundle layout (`Contents/Info.plist`),
//!   or `LSMinimumSystemVersion` without `MinimumOSVersion`. Mac Catalyst is such a bundle that
//!   also declares a `UIDeviceFamily` (a UIKit app: `[2, 6]` or `[2]`), or one whose only
//!   families are Mac (6);
//! - tvOS: platform `appletvos`, or `UIDeviceFamily` 3 alone;
//! - watch-only: platform `watchos`, `WKWatchOnly` or `WKApplication` set to true (the bundle
//!   is the watch app itself), `ITSWatchOnlyContainer` (the stub that carries a watch-only
//!   app), or `UIDeviceFamily` 4 alone;
//! - App Clip: the `NSAppClip` key, or a profile granting
//!   `com.apple.developer.parent-application-identifiers`.

use super::info::AppInfo;
use super::profile::Profile;
use crate::facts::DeviceFamily;

/// A kind of bundle iOS cannot install over the air.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotForIos {
    Simulator,
    VisionOs,
    MacOs,
    MacCatalyst,
    TvOs,
    WatchOnly,
    AppClip,
}

impl NotForIos {
    pub const ALL: [NotForIos; 7] = [
        NotForIos::Simulator,
        NotForIos::VisionOs,
        NotForIos::MacOs,
        NotForIos::MacCatalyst,
        NotForIos::TvOs,
        NotForIos::WatchOnly,
        NotForIos::AppClip,
    ];

    /// How the sentence about this kind starts: also how such a sentence is recognised.
    fn opening(self) -> &'static str {
        match self {
            NotForIos::Simulator => "This is a simulator build (",
            NotForIos::VisionOs => "This is a visionOS build (",
            NotForIos::MacOs => "This is a macOS build (",
            NotForIos::MacCatalyst => "This is a Mac Catalyst build (",
            NotForIos::TvOs => "This is a tvOS build (",
            NotForIos::WatchOnly => "This is a watch-only app (",
            NotForIos::AppClip => "This is an App Clip (",
        }
    }

    /// Why iOS refuses it.
    fn why(self) -> &'static str {
        match self {
            NotForIos::Simulator => {
                "it runs only in Xcode's Simulator on a Mac, so no iPhone or iPad can install it."
            }
            NotForIos::VisionOs => {
                "it runs only on Apple Vision Pro, so iPhone and iPad cannot install it."
            }
            NotForIos::MacOs => {
                "a Mac app, which iPhone and iPad cannot run, and Macs do not install apps from an install link."
            }
            NotForIos::MacCatalyst => {
                "the Mac version of an iPad app, which iPhone and iPad cannot install; publish the app's iOS archive instead."
            }
            NotForIos::TvOs => {
                "an Apple TV app, which iPhone and iPad cannot run, and Apple TV does not install apps from a web page."
            }
            NotForIos::WatchOnly => {
                "it has no iPhone app to install, and Apple Watch does not install apps from a web page."
            }
            NotForIos::AppClip => {
                "iOS opens App Clips from App Clip codes, NFC tags and links, never from an install link; publish the full app that contains it instead."
            }
        }
    }

    /// The catalog code of the sentence (`problem.<code>`, its text takes `{marker}`).
    pub fn code(self) -> &'static str {
        match self {
            NotForIos::Simulator => "not_for_ios.simulator",
            NotForIos::VisionOs => "not_for_ios.visionos",
            NotForIos::MacOs => "not_for_ios.macos",
            NotForIos::MacCatalyst => "not_for_ios.mac_catalyst",
            NotForIos::TvOs => "not_for_ios.tvos",
            NotForIos::WatchOnly => "not_for_ios.watch_only",
            NotForIos::AppClip => "not_for_ios.app_clip",
        }
    }

    /// The sentence for a build of this kind, naming the marker that was found.
    pub fn message(self, marker: &str) -> String {
        format!("{}{marker}): {}", self.opening(), self.why())
    }

    /// Whether `message` is one [`NotForIos::message`] wrote.
    pub fn is_message(message: &str) -> bool {
        Self::ALL
            .iter()
            .any(|kind| message.starts_with(kind.opening()))
    }
}

/// The kind of bundle iOS cannot install, with the marker that shows it; `None` for an iPhone
/// or iPad app (or one without any marker, which iOS treats as one).
pub fn not_for_ios(info: &AppInfo, profile: Option<&Profile>) -> Option<(NotForIos, String)> {
    let platforms: Vec<String> = info
        .platform
        .iter()
        .cloned()
        .chain(
            info.supported_platforms
                .iter()
                .map(|p| p.to_ascii_lowercase()),
        )
        .collect();
    let platform = |wanted: &str| {
        platforms
            .iter()
            .any(|p| p == wanted)
            .then(|| format!("platform {wanted}"))
    };
    let families: Vec<DeviceFamily> = info
        .device_family
        .iter()
        .map(|&n| DeviceFamily::from_number(n))
        .collect();
    let only = |family: DeviceFamily, number: u64| {
        (!families.is_empty() && families.iter().all(|&f| f == family))
            .then(|| format!("UIDeviceFamily {number} alone"))
    };
    let flag = |key: &str, set: bool| set.then(|| format!("{key} set"));

    if let Some(simulator) = platforms.iter().find(|p| p.ends_with("simulator")) {
        return Some((NotForIos::Simulator, format!("platform {simulator}")));
    }
    if let Some(marker) = platform("xros").or_else(|| only(DeviceFamily::Vision, 7)) {
        return Some((NotForIos::VisionOs, marker));
    }
    let mac = platform("macosx")
        .or_else(|| {
            info.mac_bundle
                .then(|| "Contents/Info.plist, the macOS bundle layout".to_string())
        })
        .or_else(|| {
            (info.min_macos.is_some() && info.min_os.is_none())
                .then(|| "LSMinimumSystemVersion without MinimumOSVersion".to_string())
        })
        .or_else(|| only(DeviceFamily::Mac, 6));
    if let Some(marker) = mac {
        let uikit = !families.is_empty();
        return Some(if uikit && marker.starts_with("UIDeviceFamily") {
            (NotForIos::MacCatalyst, marker)
        } else if uikit {
            let numbers: Vec<String> = info.device_family.iter().map(u64::to_string).collect();
            (
                NotForIos::MacCatalyst,
                format!("{marker} with UIDeviceFamily [{}]", numbers.join(", ")),
            )
        } else {
            (NotForIos::MacOs, marker)
        });
    }
    if let Some(marker) = platform("appletvos").or_else(|| only(DeviceFamily::Tv, 3)) {
        return Some((NotForIos::TvOs, marker));
    }
    let watch = platform("watchos")
        .or_else(|| flag("WKWatchOnly", info.watch_only))
        .or_else(|| flag("WKApplication", info.watch_app))
        .or_else(|| flag("ITSWatchOnlyContainer", info.watch_only_container))
        .or_else(|| only(DeviceFamily::Watch, 4));
    if let Some(marker) = watch {
        return Some((NotForIos::WatchOnly, marker));
    }
    let clip_parents = profile.map_or(&[][..], |p| &p.app_clip_parents[..]);
    let clip = (info.app_clip)
        .then(|| "NSAppClip in Info.plist".to_string())
        .or_else(|| {
            (!clip_parents.is_empty()).then(|| {
                format!(
                    "its profile grants com.apple.developer.parent-application-identifiers {}",
                    clip_parents.join(", ")
                )
            })
        });
    clip.map(|marker| (NotForIos::AppClip, marker))
}
