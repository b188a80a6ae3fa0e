//! Why an over-the-air install of a build would fail, and what deserves a warning.

use std::collections::BTreeMap;

use time::OffsetDateTime;

use super::codesign::{CodeSignature, SignatureKind, stops_launching};
use super::info::AppInfo;
use super::profile::{DistributionKind, ExpiryOf, Profile};
use super::target::{NotForIos, not_for_ios};
use crate::facts::EXPIRY_WARNING;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// iOS will refuse the install.
    Blocking,
    /// The install works, but something deserves attention.
    Warning,
}

/// One sentence about a build: its English `message`, and for pages in other languages a
/// stable `code` (the theme's catalog key `problem.<code>`) with the `params` its text takes.
/// A problem without a code shows its message as it is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Problem {
    pub severity: Severity,
    pub message: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub code: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, String>,
}

impl Problem {
    pub fn blocking(message: impl Into<String>) -> Self {
        Problem {
            severity: Severity::Blocking,
            message: message.into(),
            code: String::new(),
            params: BTreeMap::new(),
        }
    }

    pub fn warning(message: impl Into<String>) -> Self {
        Problem {
            severity: Severity::Warning,
            message: message.into(),
            code: String::new(),
            params: BTreeMap::new(),
        }
    }

    /// The problem with its catalog code and the parameters of the code's text.
    pub fn coded(mut self, code: &str, params: &[(&str, &str)]) -> Self {
        self.code = code.to_string();
        self.params = params
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        self
    }
}

/// True unless a blocking problem applies.
pub fn installable(problems: &[Problem]) -> bool {
    problems.iter().all(|p| p.severity != Severity::Blocking)
}

/// Judges a build from its Info.plist, its embedded profile (absent, unreadable or read) and
/// its executable's code signature (when read).
pub fn assess(
    info: &AppInfo,
    profile: Option<&Result<Profile, String>>,
    signature: Option<&CodeSignature>,
    now: OffsetDateTime,
) -> Vec<Problem> {
    let mut problems = platform_problems(info, profile.and_then(|p| p.as_ref().ok()));
    match profile {
        None => problems.push(
            Problem::blocking(
                "No embedded.mobileprovision: the build is unsigned or signed for the App Store, so iOS cannot install it over the air.",
            )
            .coded("no_profile", &[]),
        ),
        Some(Err(reason)) => problems.push(
            Problem::blocking(format!(
                "The embedded provisioning profile could not be read ({reason}): iOS refuses to install a build whose profile it cannot read."
            ))
            .coded("unreadable_profile", &[("reason", reason)]),
        ),
        Some(Ok(profile)) => problems.extend(profile_problems(profile, signature, now)),
    }
    match signature.map(|s| s.kind) {
        Some(SignatureKind::AdHoc) => problems.push(
            Problem::warning(
                "The app's executable is ad hoc signed (its code signature holds no certificate): iOS devices launch only apps signed with a certificate of their provisioning profile.",
            )
            .coded("executable_ad_hoc", &[]),
        ),
        Some(SignatureKind::Unsigned) => problems.push(
            Problem::warning(
                "The app's executable has no code signature: iOS devices launch only signed apps.",
            )
            .coded("executable_unsigned", &[]),
        ),
        Some(SignatureKind::Certificate) | None => {}
    }
    if let Some((id, c)) = info
        .bundle_id
        .as_deref()
        .and_then(|id| Some((id, super::info::unusual_bundle_id_char(id)?)))
    {
        problems.push(
            Problem::warning(format!(
                "CFBundleIdentifier {id:?} contains {c:?}, outside the letters, digits, '.' and '-' Apple documents for bundle identifiers: iOS may refuse it."
            ))
            .coded("unusual_bundle_id", &[("id", id), ("char", &c.to_string())]),
        );
    }
    for (value, key, why, code) in [
        (
            &info.version,
            "CFBundleShortVersionString",
            "pages show the build number as the version",
            "missing_version",
        ),
        (
            &info.build,
            "CFBundleVersion",
            "the build number is unknown",
            "missing_build",
        ),
        (
            &info.min_os,
            "MinimumOSVersion",
            "the minimum iOS version is unknown",
            "missing_min_os",
        ),
    ] {
        if value.is_none() {
            problems.push(
                Problem::warning(format!("Info.plist has no {key}: {why}.")).coded(code, &[]),
            );
        }
    }
    if info.device_family.is_empty() {
        problems.push(
            Problem::warning(
                "Info.plist has no UIDeviceFamily: iOS treats the app as iPhone-only.",
            )
            .coded("no_device_family", &[]),
        );
    }
    problems
}

/// A bundle iOS cannot install over the air (see [`super::target`]): one blocking problem
/// naming its kind and the marker that shows it.
fn platform_problems(info: &AppInfo, profile: Option<&Profile>) -> Vec<Problem> {
    not_for_ios(info, profile)
        .map(|(kind, marker)| {
            Problem::blocking(kind.message(&marker)).coded(kind.code(), &[("marker", &marker)])
        })
        .into_iter()
        .collect()
}

/// Whether `message` says that the bundle is not an iPhone or iPad app: reading the archive
/// again is the only way to find it anew, so whoever judges a build from its catalog entry
/// keeps such a problem.
pub fn is_platform_problem(message: &str) -> bool {
    NotForIos::is_message(message)
}

fn profile_problems(
    profile: &Profile,
    signature: Option<&CodeSignature>,
    now: OffsetDateTime,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let name = profile.name.as_deref().unwrap_or("(unnamed)");
    if profile.kind == DistributionKind::AppStore {
        problems.push(
            Problem::blocking(format!(
                "The provisioning profile \"{name}\" is for App Store distribution: iOS installs such builds only from the App Store or TestFlight."
            ))
            .coded("app_store_profile", &[("name", name)]),
        );
    }
    problems.extend(expiry_problem(profile, signature, now));
    problems
}

/// The problem the earliest expiry of a build's profile and certificates gives at `now`: past,
/// it blocks; within [`EXPIRY_WARNING`], it warns.
fn expiry_problem(
    profile: &Profile,
    signature: Option<&CodeSignature>,
    now: OffsetDateTime,
) -> Option<Problem> {
    let name = profile.name.as_deref().unwrap_or("(unnamed)");
    let (expires, of) = stops_launching(Some(profile), signature)?;
    let day = crate::clock::date(expires);
    let signer = signature.and_then(CodeSignature::common_name);
    let (what, subject, params): (String, &str, Vec<(&str, &str)>) = match of {
        ExpiryOf::Profile => (
            format!("The provisioning profile \"{name}\""),
            "profile",
            vec![("name", name)],
        ),
        ExpiryOf::Certificate => (
            format!("The signing certificate embedded in the provisioning profile \"{name}\""),
            "certificate",
            vec![("name", name)],
        ),
        ExpiryOf::AppCertificate => match signer {
            Some(signer) => (
                format!("The certificate that signed the app (\"{signer}\")"),
                "app_certificate",
                vec![("signer", signer)],
            ),
            None => (
                "The certificate that signed the app".to_string(),
                "app_certificate_unnamed",
                Vec::new(),
            ),
        },
    };
    let mut params = params;
    params.push(("until_date", &day));
    if expires <= now {
        Some(
            Problem::blocking(format!(
                "{what} expired on {day}: iOS refuses to install or launch the build."
            ))
            .coded(&format!("{subject}_expired"), &params),
        )
    } else if expires - now <= EXPIRY_WARNING {
        Some(
            Problem::warning(format!(
                "{what} expires on {day}: the app stops launching after that."
            ))
            .coded(&format!("{subject}_expires_soon"), &params),
        )
    } else {
        None
    }
}

/// Whether `problem` is one an expiry gives (it depends on the moment it was judged at).
fn is_expiry(problem: &Problem) -> bool {
    problem.code.ends_with("_expired") || problem.code.ends_with("_expires_soon")
}

/// Judges a build's expiry again at `now`: a build read days ago, whose facts come from the
/// cache, may have expired since, or come within the warning. The expiry problem found when
/// it was read is replaced in place; a new one takes the place [`assess`] gives it (after the
/// bundle-kind and App Store problems).
pub fn rejudge_expiry(
    problems: &mut Vec<Problem>,
    profile: Option<&Profile>,
    signature: Option<&CodeSignature>,
    now: OffsetDateTime,
) {
    let fresh = profile.and_then(|p| expiry_problem(p, signature, now));
    let at = problems.iter().position(is_expiry);
    problems.retain(|p| !is_expiry(p));
    if let Some(fresh) = fresh {
        let at = at.unwrap_or_else(|| {
            problems
                .iter()
                .take_while(|p| is_platform_problem(&p.message) || p.code == "app_store_profile")
                .count()
        });
        problems.insert(at, fresh);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn profile(kind: DistributionKind, expires: OffsetDateTime) -> Profile {
        Profile {
            kind,
            name: Some("P".into()),
            team_name: None,
            team_id: None,
            expires: Some(expires),
            certificate_expires: None,
            devices: None,
            app_clip_parents: Vec::new(),
            entitlements: Vec::new(),
            device_ids: Vec::new(),
        }
    }

    fn complete_info() -> AppInfo {
        AppInfo {
            version: Some("1".into()),
            build: Some("1".into()),
            min_os: Some("15.0".into()),
            device_family: vec![1],
            platform: Some("iphoneos".into()),
            ..AppInfo::default()
        }
    }

    #[test]
    fn expiry_is_blocking_and_soon_is_a_warning() {
        let now = datetime!(2026-01-01 0:00 UTC);
        let info = complete_info();
        let expired = Ok(profile(
            DistributionKind::AdHoc,
            datetime!(2025-12-31 0:00 UTC),
        ));
        assert!(!installable(&assess(&info, Some(&expired), None, now)));
        let soon = Ok(profile(
            DistributionKind::AdHoc,
            datetime!(2026-01-10 0:00 UTC),
        ));
        let problems = assess(&info, Some(&soon), None, now);
        assert!(installable(&problems));
        assert!(problems[0].message.contains("expires on 2026-01-10"));
        let later = Ok(profile(
            DistributionKind::AdHoc,
            datetime!(2027-01-10 0:00 UTC),
        ));
        assert!(assess(&info, Some(&later), None, now).is_empty());
    }

    #[test]
    fn the_earlier_of_profile_and_certificate_drives_expiry() {
        let now = datetime!(2026-01-01 0:00 UTC);
        let info = complete_info();
        let with_certificate = |certificate| {
            Ok(Profile {
                certificate_expires: Some(certificate),
                ..profile(DistributionKind::AdHoc, datetime!(2027-01-01 0:00 UTC))
            })
        };
        let soon = with_certificate(datetime!(2026-01-05 0:00 UTC));
        let problems = assess(&info, Some(&soon), None, now);
        assert!(installable(&problems));
        assert!(
            problems[0].message.contains("signing certificate")
                && problems[0].message.contains("2026-01-05"),
            "{problems:?}"
        );
        let expired = with_certificate(datetime!(2025-12-01 0:00 UTC));
        let problems = assess(&info, Some(&expired), None, now);
        assert!(!installable(&problems));
        let message = &problems[0].message;
        assert!(message.starts_with("The signing certificate"), "{message}");
        assert!(message.contains("expired on 2025-12-01"), "{message}");
        let later = with_certificate(datetime!(2028-01-01 0:00 UTC));
        assert!(assess(&info, Some(&later), None, now).is_empty());
    }

    #[test]
    fn blocking_cases() {
        let now = datetime!(2026-01-01 0:00 UTC);
        let store = Ok(profile(
            DistributionKind::AppStore,
            datetime!(2027-01-01 0:00 UTC),
        ));
        assert!(!installable(&assess(
            &complete_info(),
            Some(&store),
            None,
            now
        )));
        assert!(!installable(&assess(&complete_info(), None, None, now)));
        let good = Ok(profile(
            DistributionKind::Enterprise,
            datetime!(2027-01-01 0:00 UTC),
        ));
        for platform in ["iphonesimulator", "appletvos"] {
            let info = AppInfo {
                platform: Some(platform.into()),
                ..complete_info()
            };
            assert!(
                !installable(&assess(&info, Some(&good), None, now)),
                "{platform}"
            );
        }
        let watch_only = AppInfo {
            device_family: vec![4],
            ..complete_info()
        };
        assert!(!installable(&assess(&watch_only, Some(&good), None, now)));
    }

    #[test]
    fn unreadable_profile_is_blocking() {
        let now = datetime!(2026-01-01 0:00 UTC);
        let problems = assess(&complete_info(), Some(&Err("bad".into())), None, now);
        assert!(!installable(&problems));
        assert_eq!(problems.len(), 1);
    }

    #[test]
    fn unusual_bundle_id_characters_warn() {
        let now = datetime!(2026-01-01 0:00 UTC);
        let info = AppInfo {
            bundle_id: Some("com.example.my_app".into()),
            ..complete_info()
        };
        let good = Ok(profile(
            DistributionKind::AdHoc,
            datetime!(2027-01-01 0:00 UTC),
        ));
        let problems = assess(&info, Some(&good), None, now);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].severity, Severity::Warning);
        assert!(problems[0].message.contains("'_'"), "{problems:?}");
    }
}
