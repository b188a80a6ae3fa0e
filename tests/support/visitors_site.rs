//! The three apps the browser tests show to each kind of visitor, as archives: Field (ad hoc,
//! iOS 16.10 or later, in the `beta` channel, with an icon), Kiosk (enterprise) and Soon
//! (development, its profile expiring ten days after the build).

use std::path::Path;

use super::cgbi::{encode_cgbi, sample_icon};
use super::ipa::{IpaBuilder, Kind, ProfileSpec};

/// The moment the site is built (SOURCE_DATE_EPOCH): 2026-01-01T00:00:00Z.
pub const BUILT_AT: i64 = 1_767_225_600;
pub const DAY: i64 = 86_400;

/// Field's build page: ad hoc, iOS 16.10 or later.
pub const FIELD: &str = "com.example.field/2.0-20/";
/// Kiosk's build page: enterprise.
pub const KIOSK: &str = "com.example.kiosk/3.0-300/";
/// Soon's build page: development, its profile expiring ten days after the build.
pub const SOON: &str = "com.example.soon/0.9-9/";

/// Writes the three archives into `builds`, released a day before [`BUILT_AT`].
pub fn write_archives(builds: &Path) {
    IpaBuilder::new("com.example.field", "Field")
        .version("2.0", "20")
        .modified(BUILT_AT - DAY)
        .set("MinimumOSVersion", "16.10")
        .set("CFBundleIconFile", "Icon.png")
        .app_file("Icon.png", encode_cgbi(&sample_icon(120, 1)))
        .profile(Some(ProfileSpec::new(Kind::AdHoc)))
        .write(&builds.join("beta/Field.ipa"));
    IpaBuilder::new("com.example.kiosk", "Kiosk")
        .version("3.0", "300")
        .modified(BUILT_AT - DAY)
        .profile(Some(ProfileSpec::new(Kind::Enterprise)))
        .write(&builds.join("Kiosk.ipa"));
    IpaBuilder::new("com.example.soon", "Soon")
        .version("0.9", "9")
        .modified(BUILT_AT - DAY)
        .profile(Some(
            ProfileSpec::new(Kind::Development).expires(BUILT_AT + 10 * DAY),
        ))
        .write(&builds.join("Soon.ipa"));
}
