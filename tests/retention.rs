//! What is kept: `keep` and the `retention` rules of site.yaml (age, expiry after a grace
//! period, pins) drop old builds at the next build, never a channel's newest installable build;
//! `otasite check --retention` lists beforehand what the next build would drop.

mod support;

use std::path::Path;

use serde_json::Value;
use support::ipa::{IpaBuilder, Kind, ProfileSpec};
use support::run::{Otasite, assert_ok};
use support::site;

const DAY: i64 = 86_400;
/// The moment tests judge against (2026-01-01), as `support::run` pins it.
const NOW: i64 = 1_767_225_600;
const BUNDLE_ID: &str = "com.example.kept";

/// A build released `age` days before [`NOW`], with `profile`.
fn build(version: &str, age: i64, profile: ProfileSpec) -> IpaBuilder {
    IpaBuilder::new(BUNDLE_ID, "Kept")
        .version(version, version)
        .modified(NOW - age * DAY)
        .profile(Some(profile))
}

fn ad_hoc() -> ProfileSpec {
    ProfileSpec::new(Kind::AdHoc)
}

/// beta: 1 (200 days old), 2 (100), 3 (10). The top of builds/: 4 (400 days old, its newest
/// installable build) and 5 (30 days old, whose profile expired 20 days ago). Versions order
/// builds, so catalogs list 5, 4, 3, 2, 1.
fn write_site(dir: &Path, rules: &str) {
    site::write_config(dir, &site::config("T", site::BASE_URL, rules));
    let builds = dir.join("builds");
    build("1", 200, ad_hoc()).write(&builds.join("beta/Kept-1.ipa"));
    build("2", 100, ad_hoc()).write(&builds.join("beta/Kept-2.ipa"));
    build("3", 10, ad_hoc()).write(&builds.join("beta/Kept-3.ipa"));
    build("4", 400, ad_hoc()).write(&builds.join("Kept-4.ipa"));
    build("5", 30, ad_hoc().expires(NOW - 20 * DAY)).write(&builds.join("Kept-5.ipa"));
}

/// Builds the site; the versions of its builds, newest first.
fn built_versions(dir: &Path) -> Vec<String> {
    assert_ok(&Otasite::new(["build", "-q"]).dir(dir).output());
    let text = std::fs::read_to_string(dir.join("dist/catalog.json")).expect("catalog.json");
    let catalog: Value = serde_json::from_str(&text).expect("JSON");
    catalog["apps"][0]["builds"]
        .as_array()
        .expect("builds")
        .iter()
        .map(|b| b["version"].as_str().expect("version").to_string())
        .collect()
}

fn check_retention(dir: &Path) -> String {
    assert_ok(&Otasite::new(["check", "--retention"]).dir(dir).output())
}

#[test]
fn without_rules_every_build_stays() {
    let tmp = tempfile::tempdir().expect("tmp");
    write_site(tmp.path(), "");
    assert_eq!(built_versions(tmp.path()), ["5", "4", "3", "2", "1"]);
    assert_eq!(
        check_retention(tmp.path()),
        "0 of 5 builds would be removed by the next build (site.yaml sets neither keep nor \
         retention) (dist/catalog.json)\n"
    );
}

#[test]
fn old_builds_go_but_never_a_channels_newest_installable_one() {
    let tmp = tempfile::tempdir().expect("tmp");
    write_site(tmp.path(), "");
    built_versions(tmp.path());
    site::write_config(
        tmp.path(),
        &site::config("T", site::BASE_URL, "retention:\n  max_age_days: 90\n"),
    );
    // The dry run on the site built before says what the next build drops.
    assert_eq!(
        check_retention(tmp.path()),
        "would remove com.example.kept 2 (com.example.kept/2-2/): released on 2025-09-23, more \
         than 90 days ago (max_age_days)\n\
         would remove com.example.kept 1 (com.example.kept/1-1/): released on 2025-06-15, more \
         than 90 days ago (max_age_days)\n\
         2 of 5 builds would be removed by the next build (dist/catalog.json)\n"
    );
    // 4 is 400 days old, but the newest installable build of the top of builds/ (5 expired).
    assert_eq!(built_versions(tmp.path()), ["5", "4", "3"]);
}

#[test]
fn expired_builds_go_after_the_grace_period() {
    for (grace, expected) in [
        (30, vec!["5", "4", "3", "2", "1"]),
        (20, vec!["4", "3", "2", "1"]),
    ] {
        let tmp = tempfile::tempdir().expect("tmp");
        let rules = format!("retention:\n  expired_grace_days: {grace}\n");
        write_site(tmp.path(), &rules);
        assert_eq!(built_versions(tmp.path()), expected, "grace {grace} days");
    }
}

#[test]
fn pinned_builds_stay_and_keep_still_counts() {
    let tmp = tempfile::tempdir().expect("tmp");
    // An archive's path pins it; keep: 1 still drops 2.
    let rules = "keep: 1\nretention:\n  pin: [beta/Kept-1.ipa]\n";
    write_site(tmp.path(), rules);
    assert_eq!(built_versions(tmp.path()), ["5", "4", "3", "1"]);
    assert_eq!(
        check_retention(tmp.path()),
        "0 of 4 builds would be removed by the next build (dist/catalog.json)\n"
    );
    // So does a build's folder in the site, against max_age_days.
    let tmp = tempfile::tempdir().expect("tmp");
    write_site(
        tmp.path(),
        "retention:\n  max_age_days: 90\n  pin: [com.example.kept/2-2/]\n",
    );
    assert_eq!(built_versions(tmp.path()), ["5", "4", "3", "2"]);
}

#[test]
fn retention_keys_are_checked() {
    let tmp = tempfile::tempdir().expect("tmp");
    for (rules, expected) in [
        ("retention:\n  max_age: 3\n", "unknown key"),
        (
            "retention:\n  max_age_days: 0\n",
            "max_age_days must be at least 1",
        ),
        (
            "retention:\n  expired_grace_days: soon\n",
            "a whole number of days",
        ),
    ] {
        write_site(tmp.path(), rules);
        let output = Otasite::new(["build", "-q"]).dir(tmp.path()).output();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{rules}: {stderr}");
        assert!(
            stderr.contains("site.yaml:") && stderr.contains(expected),
            "{rules}: {stderr}"
        );
    }
}
