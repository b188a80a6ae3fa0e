//! What expires: the signing certificate a provisioning profile embeds is read beside the
//! profile's own expiry; the earlier drives warnings, problems and pages.

mod support;

use std::path::Path;

use serde_json::Value;
use support::ipa::{IpaBuilder, Kind, ProfileSpec};
use support::run::{Otasite, assert_ok};
use support::site;

const DAY: i64 = 86_400;
/// The moment tests judge against (2026-01-01), as `support::run` pins it.
const NOW: i64 = 1_767_225_600;

/// A self-signed certificate valid until `not_after` (seconds since 1970, whole days).
fn certificate(not_after: i64) -> Vec<u8> {
    let at = time::OffsetDateTime::from_unix_timestamp(not_after).expect("a moment");
    let mut params =
        rcgen::CertificateParams::new(vec!["iPhone Distribution: Example".into()]).expect("params");
    params.not_before = rcgen::date_time_ymd(2024, 1, 1);
    params.not_after = rcgen::date_time_ymd(at.year(), at.month() as u8, at.day());
    let key = rcgen::KeyPair::generate().expect("key");
    params
        .self_signed(&key)
        .expect("certificate")
        .der()
        .to_vec()
}

fn build_site(dir: &Path, builder: &IpaBuilder) -> Value {
    site::write_config(dir, &site::config("T", site::BASE_URL, ""));
    builder.write(&dir.join("builds/App.ipa"));
    assert_ok(&Otasite::new(["build", "-q"]).dir(dir).output());
    let text = std::fs::read_to_string(dir.join("dist/catalog.json")).expect("catalog.json");
    serde_json::from_str(&text).expect("catalog.json is JSON")
}

fn app(profile: ProfileSpec) -> IpaBuilder {
    IpaBuilder::new("com.example.expiry", "Expiry").profile(Some(profile))
}

#[test]
fn a_certificate_expiring_before_the_profile_warns_and_shows_on_the_build_page() {
    let tmp = tempfile::tempdir().expect("tmp");
    let profile = ProfileSpec::new(Kind::AdHoc)
        .expires(NOW + 300 * DAY)
        .certificate(certificate(NOW + 5 * DAY));
    let catalog = build_site(tmp.path(), &app(profile));
    let build = &catalog["apps"][0]["builds"][0];
    assert_eq!(
        build["profile"]["certificate_expires"],
        "2026-01-06T00:00:00Z"
    );
    assert_eq!(build["installable"], true);
    let problems = build["problems"].as_array().expect("problems");
    assert!(
        problems.iter().any(|p| p
            .as_str()
            .is_some_and(|p| p.contains("signing certificate") && p.contains("2026-01-06"))),
        "{problems:?}"
    );
    let page_path = tmp
        .path()
        .join("dist")
        .join(build["path"].as_str().expect("path"));
    let page = std::fs::read_to_string(page_path.join("index.html")).expect("build page");
    assert!(
        page.contains("Certificate expires"),
        "the build page shows it"
    );
    assert!(page.contains("2026-01-06"));
    assert!(
        page.contains("data-expires=\"2026-01-06T00:00:00Z\""),
        "the browser judges the earlier"
    );
    assert!(page.contains("certificate valid until 2026-01-06"));
}

#[test]
fn an_expired_certificate_blocks_the_install() {
    let tmp = tempfile::tempdir().expect("tmp");
    let profile = ProfileSpec::new(Kind::AdHoc)
        .expires(NOW + 300 * DAY)
        .certificate(certificate(NOW - 10 * DAY));
    let catalog = build_site(tmp.path(), &app(profile));
    let build = &catalog["apps"][0]["builds"][0];
    assert_eq!(build["installable"], false);
    let blocking = build["blocking"].as_array().expect("blocking");
    assert!(
        blocking.iter().any(|p| p.as_str().is_some_and(
            |p| p.contains("signing certificate") && p.contains("expired on 2025-12-22")
        )),
        "{blocking:?}"
    );
}

#[test]
fn of_several_certificates_the_latest_counts_and_a_later_one_changes_nothing() {
    let tmp = tempfile::tempdir().expect("tmp");
    let profile = ProfileSpec::new(Kind::AdHoc)
        .expires(NOW + 30 * DAY)
        .certificate(certificate(NOW + 3 * DAY))
        .certificate(certificate(NOW + 400 * DAY));
    let catalog = build_site(tmp.path(), &app(profile));
    let build = &catalog["apps"][0]["builds"][0];
    assert_eq!(
        build["profile"]["certificate_expires"],
        "2027-02-05T00:00:00Z"
    );
    let problems = build["problems"].as_array().expect("problems");
    assert!(
        !problems
            .iter()
            .any(|p| p.as_str().is_some_and(|p| p.contains("expire"))),
        "{problems:?}"
    );
}

#[test]
fn without_certificates_the_field_is_absent_and_old_catalogs_still_read() {
    let tmp = tempfile::tempdir().expect("tmp");
    let catalog = build_site(tmp.path(), &app(ProfileSpec::new(Kind::AdHoc)));
    let build = catalog["apps"][0]["builds"][0].clone();
    assert_eq!(build["profile"].get("certificate_expires"), None);
    let old: otasite::catalog::Build = serde_json::from_value(build).expect("an older build reads");
    assert_eq!(old.profile.expect("profile").certificate_expires, None);
}
