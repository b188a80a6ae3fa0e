//! What `check` verifies of the devices feature: each ad hoc or development build's
//! `devices.json` (present, well formed, no more hashes than its profile has devices), and
//! that no file of the site holds a device identifier in clear.

use std::path::Path;

use super::report::Report;
use crate::catalog::Build;
use crate::devices::{hashes, udid};

/// Files larger than this are not scanned for identifiers (archives, images: binary).
const SCAN_LIMIT: u64 = 16 * 1024 * 1024;
/// Extensions of files that cannot hold text a visitor reads.
const BINARY: &[&str] = &[
    "ipa", "apk", "aab", "png", "jpg", "jpeg", "gif", "webp", "ico", "woff", "woff2",
];

/// Checks the `devices.json` in `folder`, the folder of `build`'s page.
pub fn build_file(report: &mut Report, folder: &Path, build: &Build, who: &str) {
    if !crate::render::lists_devices(build) {
        return;
    }
    let path = folder.join(hashes::FILE);
    let subject = path.display().to_string();
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            report.warning(
                subject,
                format!(
                    "is missing: the page of {who} (an ad hoc or development build) cannot tell testers whether their device is in its profile (a build kept with --previous from a site that published none, or at another address, has none until it is built from its archive)"
                ),
            );
            return;
        }
        Err(e) => {
            report.error(subject, format!("cannot be read ({e})"));
            return;
        }
    };
    let file = match hashes::DevicesFile::parse(&bytes) {
        Ok(file) => file,
        Err(message) => {
            report.error(subject, message);
            return;
        }
    };
    let listed = build.profile.as_ref().and_then(|p| p.devices).unwrap_or(0);
    if file.hashes.len() as u64 > listed {
        report.error(
            subject,
            format!(
                "holds {} hashes, but the profile of {who} lists {listed} devices",
                file.hashes.len()
            ),
        );
    }
}

/// Reports `path` if its text holds a device identifier in clear.
pub fn scan(report: &mut Report, path: &Path, size: u64) {
    let binary = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| BINARY.contains(&e.to_ascii_lowercase().as_str()));
    if binary || size > SCAN_LIMIT {
        return;
    }
    let Ok(bytes) = std::fs::read(path) else {
        return;
    };
    if is_enrollment_profile(path) {
        profile(report, &path.display().to_string(), &bytes);
    }
    let found = udid::find_all(&bytes);
    if let Some(first) = found.first() {
        report.error(
            path.display().to_string(),
            format!(
                "holds {} device identifier(s) in clear (the first starts {}…): the site must publish only the hashes of devices.json",
                found.len(),
                &first[..8]
            ),
        );
    }
}

/// Whether `path` is the site's `devices/enroll.mobileconfig`.
fn is_enrollment_profile(path: &Path) -> bool {
    use crate::devices::enroll::{FOLDER, PROFILE};
    path.file_name().is_some_and(|name| name == PROFILE)
        && path
            .parent()
            .and_then(Path::file_name)
            .is_some_and(|name| name == FOLDER)
}

/// The enrollment profile (local or deployed): a Profile Service payload, unsigned or signed
/// intact with a certificate that has not expired.
pub fn profile(report: &mut Report, subject: &str, bytes: &[u8]) {
    use crate::devices::published;
    let published = match published::read(bytes) {
        Ok(published) => published,
        Err(message) => {
            report.error(subject, message);
            return;
        }
    };
    if let Some(signer) = published.signer
        && signer.not_after < std::time::SystemTime::from(crate::clock::now())
    {
        report.error(
            subject,
            format!(
                "is signed with a certificate that has expired ({}): Settings shows it as Not Verified; sign it with a current certificate and rebuild",
                signer.subject
            ),
        );
    }
}
