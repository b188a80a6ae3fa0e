//! What expires: the signing certificate a provisioning profile embeds and the one that signed
//! the app (its executable's code signature) are read beside the profile's own expiry; the
//! earliest drives warnings, problems, retention and pages.

mod support;

use std::path::Path;
use std::process::Output;
use std::sync::{Arc, Mutex};

use otasite::ipa::codesign::SignatureKind;
use serde_json::Value;
use support::codesign::{self, Signing};
use support::https::{Server, TestCa};
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

/// When the profiles of the `check --expiring` site expire: 2026-02-01.
const EXPIRES: i64 = NOW + 31 * DAY;
const WINDOW: i64 = 14 * DAY;

/// A site of one app: at the top of `builds/`, a build whose profile expires at [`EXPIRES`]
/// (and a newer one that cannot be installed, which does not count); in channel `beta`, a
/// build whose profile lasts long but whose certificate expires a week after [`EXPIRES`].
fn expiring_site(dir: &Path) {
    site::write_config(dir, &site::config("T", site::BASE_URL, ""));
    let builds = dir.join("builds");
    app(ProfileSpec::new(Kind::AdHoc).expires(EXPIRES))
        .version("1.0", "1")
        .write(&builds.join("App-1.ipa"));
    app(ProfileSpec::new(Kind::AppStore).expires(NOW + 300 * DAY))
        .version("1.1", "2")
        .modified(1_714_564_800 + 3600)
        .write(&builds.join("App-2.ipa"));
    app(ProfileSpec::new(Kind::AdHoc)
        .expires(NOW + 300 * DAY)
        .certificate(certificate(EXPIRES + 7 * DAY)))
    .version("2.0", "5")
    .write(&builds.join("beta/App.ipa"));
    assert_ok(&Otasite::new(["build", "-q"]).dir(dir).output());
}

fn check_expiring(dir: &Path, epoch: i64, extra: &[&str], github: bool) -> (i32, String) {
    let output: Output = Otasite::new(["check", "--expiring", "14d"])
        .args(extra)
        .dir(dir)
        .epoch(epoch)
        .env("GITHUB_ACTIONS", if github { "true" } else { "false" })
        .output();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.is_empty(), "{stderr}");
    (output.status.code().expect("an exit code"), stdout)
}

#[test]
fn check_expiring_passes_until_the_window_reaches_the_earliest_expiry() {
    let tmp = tempfile::tempdir().expect("tmp");
    expiring_site(tmp.path());
    let (code, stdout) = check_expiring(tmp.path(), EXPIRES - WINDOW - 1, &[], false);
    assert_eq!(code, 0, "{stdout}");
    assert_eq!(
        stdout,
        "0 of 2 channels stop launching within 14 days (dist/catalog.json)\n"
    );

    let (code, stdout) = check_expiring(tmp.path(), EXPIRES - WINDOW, &[], false);
    assert_eq!(code, 1, "{stdout}");
    assert_eq!(
        stdout,
        "warning: Expiry (com.example.expiry): 1.0 (1) stops launching on 2026-02-01, in 14 days: \
         its provisioning profile expires; publish a re-signed build before\n\
         1 of 2 channels stop launching within 14 days (dist/catalog.json)\n"
    );
}

#[test]
fn check_expiring_names_the_certificate_and_what_already_expired() {
    let tmp = tempfile::tempdir().expect("tmp");
    expiring_site(tmp.path());
    let (code, stdout) = check_expiring(tmp.path(), EXPIRES + 1, &[], false);
    assert_eq!(code, 1, "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[0],
        "error: Expiry (com.example.expiry): 1.0 (1) stopped launching on 2026-02-01: its \
         provisioning profile expired; publish a re-signed build"
    );
    assert_eq!(
        lines[1],
        "warning: Expiry (com.example.expiry), channel beta: 2.0 (5) stops launching on \
         2026-02-08, in 6 days: its signing certificate expires; publish a re-signed build before"
    );
    assert_eq!(lines.len(), 3, "{stdout}");
}

#[test]
fn check_expiring_prints_github_annotations_on_actions() {
    let tmp = tempfile::tempdir().expect("tmp");
    expiring_site(tmp.path());
    let (code, stdout) = check_expiring(tmp.path(), EXPIRES + 1, &[], true);
    assert_eq!(code, 1);
    assert!(
        stdout.contains(
            "::error file=dist/catalog.json,title=Build expired::Expiry (com.example.expiry): 1.0 (1) stopped launching on 2026-02-01"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "::warning file=dist/catalog.json,title=Build expires soon::Expiry (com.example.expiry), channel beta"
        ),
        "{stdout}"
    );
    let (_, quiet) = check_expiring(tmp.path(), EXPIRES + 1, &[], false);
    assert!(
        !quiet.contains("::"),
        "no annotations outside Actions: {quiet}"
    );
}

#[test]
fn check_expiring_refuses_a_bad_window() {
    let tmp = tempfile::tempdir().expect("tmp");
    let output = Otasite::new(["check", "--expiring", "fortnight"])
        .dir(tmp.path())
        .output();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr).trim_end(),
        "error: --expiring \"fortnight\" is not a window such as 14d, 36h or 2w"
    );
}

#[test]
fn check_expiring_reads_the_deployed_catalog_with_remote() {
    let tmp = tempfile::tempdir().expect("tmp");
    expiring_site(tmp.path());
    let catalog = std::fs::read(tmp.path().join("dist/catalog.json")).expect("catalog");
    let ca = TestCa::new("otasite expiry test CA");
    let ca_file = tmp.path().join("ca.pem");
    std::fs::write(&ca_file, &ca.pem).expect("write CA");
    let (listener, port) = Server::bind();
    let _server = Server::start(
        listener,
        ca.server_config(&["127.0.0.1"]),
        Arc::new(move |_method: &str, target: &str| match target {
            "/site/catalog.json" => ("200 OK", Vec::new(), catalog.clone()),
            _ => ("404 Not Found", Vec::new(), Vec::new()),
        }),
    );
    let elsewhere = tempfile::tempdir().expect("no local site");
    let url = format!("https://127.0.0.1:{port}/site/");
    let output = Otasite::new(["check", "--expiring", "14d", "--remote", &url])
        .dir(elsewhere.path())
        .epoch(EXPIRES - WINDOW)
        .env("OTASITE_EXTRA_CA_CERT", &ca_file)
        .env("GITHUB_ACTIONS", "true")
        .output();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("::warning title=Build expires soon::Expiry (com.example.expiry): 1.0 (1) stops launching on 2026-02-01"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with(&format!(
            "1 of 2 channels stop launching within 14 days ({url}catalog.json)\n"
        )),
        "{stdout}"
    );
}

#[test]
#[ignore = "needs ../shared/fixtures (the real-archive corpus)"]
fn real_profiles_give_their_certificates_expiry() {
    let dir = support::fixtures::real_fixtures().join("profiles");
    let read = |name: &str| {
        let bytes = std::fs::read(dir.join(name)).expect("read a corpus profile");
        otasite::ipa::Profile::parse(&bytes).expect("a readable profile")
    };
    // As `openssl x509 -enddate` reads the one certificate of DeveloperCertificates: it
    // expires before the profile, so it is what stops the build launching.
    let development = read("icyleaf__app-info__ios_development.mobileprovision");
    let certificate = time::macros::datetime!(2021-05-28 13:33:21 UTC);
    assert_eq!(development.certificate_expires, Some(certificate));
    assert_eq!(
        development.stops_launching(),
        Some((certificate, otasite::ipa::profile::ExpiryOf::Certificate))
    );
    // An ad hoc profile and an app extension's read too.
    for name in [
        "icyleaf__app-info__ios_adhoc.mobileprovision",
        "icyleaf__app-info__NotificationService.appex_embedded.mobileprovision",
    ] {
        let profile = read(name);
        let (Some(certificate), Some(expires)) = (profile.certificate_expires, profile.expires)
        else {
            panic!("{name}: no certificate expiry read");
        };
        assert!(
            expires <= certificate,
            "{name}: the profile ends with its certificate"
        );
    }
}

/// An archive whose executable is signed by a certificate valid until `not_after`.
fn signed_app(profile: ProfileSpec, not_after: i64, fat: bool) -> IpaBuilder {
    let chain = codesign::chain("iPhone Distribution: Example (ABCDE12345)", not_after);
    let signing = Signing::Certificates { chain, signer: 1 };
    app(profile).executable(codesign::executable(&signing, fat, 64 << 10))
}

fn inspect_json(builder: &IpaBuilder) -> Value {
    let tmp = tempfile::tempdir().expect("tmp");
    let file = builder.write(&tmp.path().join("App.ipa"));
    let output = Otasite::new(["inspect", "--json"])
        .args([&file])
        .dir(tmp.path())
        .output();
    assert_ok(&output);
    let report: Value = serde_json::from_slice(&output.stdout).expect("inspect --json is JSON");
    match report {
        Value::Array(mut reports) => reports.remove(0),
        one => one,
    }
}

#[test]
fn the_certificate_that_signed_the_app_expiring_first_drives_warnings_and_pages() {
    let tmp = tempfile::tempdir().expect("tmp");
    let profile = ProfileSpec::new(Kind::AdHoc)
        .expires(NOW + 300 * DAY)
        .certificate(certificate(NOW + 200 * DAY));
    let catalog = build_site(tmp.path(), &signed_app(profile, NOW + 5 * DAY, false));
    let build = &catalog["apps"][0]["builds"][0];
    assert_eq!(build["signature"]["kind"], "certificate");
    assert_eq!(build["signature"]["expires"], "2026-01-06T00:00:00Z");
    let subject = build["signature"]["subject"].as_str().expect("subject");
    assert!(
        subject.starts_with("CN=iPhone Distribution: Example (ABCDE12345)"),
        "the leaf, not the CA listed before it: {subject}"
    );
    assert_eq!(build["installable"], true);
    let problems = build["problems"].as_array().expect("problems");
    assert!(
        problems.iter().any(|p| p.as_str().is_some_and(|p| p.starts_with(
            "The certificate that signed the app (\"iPhone Distribution: Example (ABCDE12345)\") expires on 2026-01-06"
        ))),
        "{problems:?}"
    );
    let page_path = tmp
        .path()
        .join("dist")
        .join(build["path"].as_str().expect("path"));
    let page = std::fs::read_to_string(page_path.join("index.html")).expect("build page");
    assert!(
        page.contains("App signing certificate expires"),
        "both show"
    );
    assert!(page.contains("Certificate expires"));
    assert!(page.contains("data-expires=\"2026-01-06T00:00:00Z\""));

    let (code, stdout) = check_expiring(tmp.path(), NOW, &[], false);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.starts_with(
            "warning: Expiry (com.example.expiry): 1.0 (1) stops launching on 2026-01-06, in 5 days: its code signing certificate expires"
        ),
        "{stdout}"
    );
}

#[test]
fn an_expired_app_certificate_blocks_and_retention_drops_the_build() {
    let tmp = tempfile::tempdir().expect("tmp");
    let builds = tmp.path().join("builds");
    signed_app(ProfileSpec::new(Kind::AdHoc), NOW - 10 * DAY, false)
        .version("1.0", "1")
        .write(&builds.join("App-1.ipa"));
    signed_app(ProfileSpec::new(Kind::AdHoc), NOW + 100 * DAY, false)
        .version("1.1", "2")
        .modified(1_714_564_800 + 3600)
        .write(&builds.join("App-2.ipa"));
    site::write_config(tmp.path(), &site::config("T", site::BASE_URL, ""));
    assert_ok(&Otasite::new(["build", "-q"]).dir(tmp.path()).output());
    site::write_config(
        tmp.path(),
        &site::config("T", site::BASE_URL, "retention:\n  expired_grace_days: 7\n"),
    );
    let output = Otasite::new(["check", "--retention"])
        .dir(tmp.path())
        .output();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("its code signing certificate expired on 2025-12-22")
            && stdout.contains("1 of 2 builds would be removed"),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let tmp = tempfile::tempdir().expect("tmp");
    let catalog = build_site(
        tmp.path(),
        &signed_app(ProfileSpec::new(Kind::AdHoc), NOW - 10 * DAY, true),
    );
    let build = &catalog["apps"][0]["builds"][0];
    assert_eq!(build["installable"], false);
    assert!(
        build["blocking"][0]
            .as_str()
            .is_some_and(|p| p.contains("signed the app") && p.contains("expired on 2025-12-22")),
        "{build}"
    );
}

#[test]
fn inspect_reports_the_signature_of_fat_thin_ad_hoc_and_unsigned_executables() {
    let profile = || ProfileSpec::new(Kind::AdHoc);
    for fat in [false, true] {
        let report = inspect_json(&signed_app(profile(), NOW + 40 * DAY, fat));
        assert_eq!(report["signature"]["kind"], "certificate", "fat: {fat}");
        assert_eq!(report["signature"]["expires"], "2026-02-10T00:00:00Z");
    }
    // A large executable is streamed to its signature at the end.
    let chain = codesign::chain("Apple Development: Big", NOW + 40 * DAY);
    let signing = Signing::Certificates { chain, signer: 1 };
    let big = app(profile()).executable(codesign::executable(&signing, true, 24 << 20));
    assert_eq!(
        inspect_json(&big)["signature"]["subject"]
            .as_str()
            .map(|s| s.starts_with("CN=Apple Development: Big")),
        Some(true)
    );

    for (signing, kind, says) in [
        (Signing::AdHoc, "ad-hoc", "ad hoc signed"),
        (Signing::Unsigned, "unsigned", "has no code signature"),
    ] {
        let report =
            inspect_json(&app(profile()).executable(codesign::executable(&signing, false, 4096)));
        assert_eq!(report["signature"], serde_json::json!({ "kind": kind }));
        assert_eq!(report["installable"], true, "a warning, not an error");
        assert!(
            report["problems"]
                .as_array()
                .expect("problems")
                .iter()
                .any(|p| p.as_str().is_some_and(|p| p.contains(says))),
            "{report}"
        );
    }

    let report = inspect_json(&app(profile()));
    assert_eq!(
        report["signature"],
        Value::Null,
        "no executable, no signature"
    );
    let report = inspect_json(&app(profile()).executable(b"#!/bin/sh\necho not Mach-O\n".to_vec()));
    assert_eq!(report["signature"], Value::Null);
    assert!(
        report["problems"]
            .as_array()
            .expect("problems")
            .iter()
            .any(|p| p.as_str().is_some_and(|p| p.contains(
                "code signature could not be read, so its certificate's expiry is unknown: \
                 Payload/Expiry.app/Expiry: it is not a Mach-O executable"
            ))),
        "{report}"
    );
}

#[test]
#[ignore = "needs ../shared/fixtures (the real-archive corpus)"]
fn real_archives_give_the_certificate_that_signed_them() {
    let dir = support::fixtures::real_fixtures().join("ipa");
    let read = |name: &str| {
        let options = otasite::ipa::ReadOptions {
            hash: false,
            decode_icon: false,
            ..Default::default()
        };
        otasite::ipa::read_ipa(&dir.join(name), options).expect("a readable corpus archive")
    };
    // As `openssl pkcs7 -print_certs` reads the signer of each CMS blob (the last of the chain).
    let fat = read("calabash__iOSDeviceManager__AppStub.ipa");
    let signature = fat.signature.expect("a signature");
    assert_eq!(
        signature.expires,
        Some(time::macros::datetime!(2021-01-12 09:15:47 UTC))
    );
    assert_eq!(
        signature.common_name(),
        Some("iPhone Developer: Karl Krukow (YTTN6Y2QS9)")
    );
    let thin = read("iineva__ipa-server__ipa.ipa");
    let signature = thin.signature.expect("a signature");
    assert_eq!(
        signature.expires,
        Some(time::macros::datetime!(2022-04-17 05:10:27 UTC))
    );
    assert!(
        signature
            .subject
            .as_deref()
            .is_some_and(|s| s.starts_with("UID=N5KRGSZ96B, CN=Apple Development: Qin Junru")),
        "{signature:?}"
    );
    // Every archive with an executable is signed by a certificate its profile embeds, so the
    // profile's latest certificate expiry is never before the signer's.
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(support::fixtures::real_fixtures().join("expected.json"))
            .expect("expected.json"),
    )
    .expect("expected.json is JSON");
    let mut signed = 0;
    for entry in expected.as_array().expect("a list") {
        let name = entry["file"].as_str().expect("file");
        if !name.ends_with(".ipa") || entry.get("error").is_some() || entry["profile"].is_null() {
            continue;
        }
        let ipa = read(name);
        let signature = ipa
            .signature
            .unwrap_or_else(|| panic!("{name}: no signature read: {:?}", ipa.problems));
        assert_eq!(signature.kind, SignatureKind::Certificate, "{name}");
        let (Some(signer), Some(latest)) = (
            signature.expires,
            ipa.profile.and_then(|p| p.certificate_expires),
        ) else {
            panic!("{name}: an expiry is missing");
        };
        assert!(signer <= latest, "{name}: {signer} after {latest}");
        signed += 1;
    }
    assert_eq!(signed, 10, "every signed corpus archive was judged");
}

/// The secret part of every webhook URL: it must never be printed.
const SECRET: &str = "exp1ry-T0KEN";

/// A recording webhook receiver: the first request to `slack` is answered 429 with
/// `Retry-After: 0`, every other one 200. Returns the server, its port, the CA file and the
/// recorded (path, body) pairs.
#[allow(clippy::type_complexity)]
fn receiver(
    dir: &Path,
) -> (
    Server,
    u16,
    std::path::PathBuf,
    Arc<Mutex<Vec<(String, Value)>>>,
) {
    let ca = TestCa::new("otasite expiry notify CA");
    let ca_file = dir.join("ca.pem");
    std::fs::write(&ca_file, &ca.pem).expect("write CA");
    let recorded = Arc::new(Mutex::new(Vec::new()));
    let requests = recorded.clone();
    let (listener, port) = Server::bind();
    let handler = move |_method: &str, target: &str, body: &[u8]| {
        let path = target.split('/').nth(1).unwrap_or_default().to_string();
        let mut requests = requests.lock().unwrap();
        let first_slack = path == "slack" && !requests.iter().any(|(p, _)| *p == path);
        requests.push((path, serde_json::from_slice(body).unwrap_or(Value::Null)));
        if first_slack {
            (
                "429 Too Many Requests",
                vec![
                    ("Retry-After", "0".to_string()),
                    ("Content-Length", "0".into()),
                ],
                Vec::new(),
            )
        } else {
            ("200 OK", vec![("Content-Length", "0".into())], Vec::new())
        }
    };
    let server = Server::start_with_body(
        listener,
        ca.server_config(&["127.0.0.1"]),
        Arc::new(handler),
    );
    (server, port, ca_file, recorded)
}

fn check_notify(dir: &Path, epoch: i64, port: u16, ca_file: &Path) -> Output {
    let hook = |path: &str| format!("https://127.0.0.1:{port}/{path}/{SECRET}");
    Otasite::new(["check", "--expiring", "14d", "--notify"])
        .dir(dir)
        .epoch(epoch)
        .env("GITHUB_ACTIONS", "false")
        .env("OTASITE_EXTRA_CA_CERT", ca_file)
        .env("OTASITE_SLACK_WEBHOOK", hook("slack"))
        .env("OTASITE_TEAMS_WEBHOOK", hook("teams"))
        .env("OTASITE_DISCORD_WEBHOOK", hook("discord"))
        .env("OTASITE_WEBHOOK_URL", hook("generic"))
        .output()
}

#[test]
fn check_expiring_notify_posts_one_reminder_per_service() {
    let tmp = tempfile::tempdir().expect("tmp");
    expiring_site(tmp.path());
    let (_server, port, ca_file, recorded) = receiver(tmp.path());

    // Nothing within the window: nothing posted.
    let output = check_notify(tmp.path(), EXPIRES - WINDOW - 1, port, &ca_file);
    assert_eq!(output.status.code(), Some(0));
    assert!(recorded.lock().unwrap().is_empty());

    let output = check_notify(tmp.path(), EXPIRES + 1, port, &ca_file);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "something expires: {stderr}");
    for stream in [&output.stdout, &output.stderr] {
        let text = String::from_utf8_lossy(stream);
        assert!(!text.contains(SECRET), "a webhook URL was printed: {text}");
    }
    assert!(stderr.contains("retrying"), "the 429 was retried: {stderr}");
    let requests = recorded.lock().unwrap().clone();
    let paths: Vec<&str> = requests.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(paths, ["slack", "slack", "teams", "discord", "generic"]);
    let body = |path: &str| &requests.iter().rfind(|(p, _)| p == path).expect(path).1;
    let page = format!("{}com.example.expiry/", site::BASE_URL);

    let slack = body("slack");
    assert_eq!(
        slack["text"],
        "2 builds stop launching within 14 days: publish re-signed builds"
    );
    assert_eq!(slack["blocks"][0]["text"]["type"], "mrkdwn");
    let text = slack["blocks"][0]["text"]["text"].as_str().expect("mrkdwn");
    assert!(
        text.contains(&format!("• <{page}1.0-1/|Expiry (com.example.expiry)>: 1.0 (1) stopped launching on 2026-02-01"))
            && text.contains("channel beta>: 2.0 (5) stops launching on 2026-02-08, in 6 days: its signing certificate expires"),
        "{text}"
    );

    let teams = &body("teams")["attachments"][0];
    assert_eq!(
        teams["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
    assert_eq!(teams["content"]["type"], "AdaptiveCard");
    assert_eq!(teams["content"]["version"], "1.4");
    let lines = teams["content"]["body"].as_array().expect("body");
    assert_eq!(lines.len(), 3, "a title and one block per build");
    assert_eq!(lines[1]["color"], "Attention");
    assert_eq!(lines[2]["color"], "Warning");

    let discord = &body("discord")["embeds"][0];
    assert!(
        discord["description"].as_str().is_some_and(
            |d| d.lines().count() == 2 && d.starts_with("- [Expiry (com.example.expiry)](")
        ),
        "{discord}"
    );

    let generic = body("generic");
    assert_eq!(generic["event"], "builds.expiring");
    assert_eq!(generic["window"], "14 days");
    assert_eq!(generic["builds"][0]["expired"], true);
    assert_eq!(generic["builds"][0]["because"], "provisioning profile");
    assert_eq!(generic["builds"][1]["channel"], "beta");
    assert_eq!(
        generic["builds"][1]["stops_launching"],
        "2026-02-08T00:00:00Z"
    );
    assert_eq!(generic["builds"][1]["because"], "signing certificate");
}

#[test]
fn check_expiring_notify_dry_run_prints_and_needs_a_webhook_otherwise() {
    let tmp = tempfile::tempdir().expect("tmp");
    expiring_site(tmp.path());
    let output = Otasite::new(["check", "--expiring", "14d", "--notify", "--dry-run"])
        .dir(tmp.path())
        .epoch(EXPIRES + 1)
        .env("GITHUB_ACTIONS", "false")
        .output();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    for header in [
        "# Slack (OTASITE_SLACK_WEBHOOK)",
        "# Microsoft Teams (OTASITE_TEAMS_WEBHOOK)",
        "# Discord (OTASITE_DISCORD_WEBHOOK)",
        "# webhook (OTASITE_WEBHOOK_URL)",
    ] {
        assert!(stdout.contains(header), "{header}: {stdout}");
    }
    assert!(
        stdout.contains("\"event\": \"builds.expiring\""),
        "{stdout}"
    );

    let output = Otasite::new(["check", "--expiring", "14d", "--notify"])
        .dir(tmp.path())
        .epoch(EXPIRES + 1)
        .output();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("no webhook is configured"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Runs the shell of the weekly workflow's expiry step with `otasite` and `yq` stubbed,
/// returning the otasite arguments it used.
fn weekly_expiry_command(workflow: &str, secret: Option<&str>) -> String {
    let script: String = workflow
        .split_once("- name: Builds that stop launching")
        .and_then(|(_, step)| step.split_once("run: |\n"))
        .map(|(_, script)| script)
        .expect("the step's script")
        .lines()
        .take_while(|line| line.starts_with("          ") || line.is_empty())
        .map(|line| format!("{}\n", line.trim_start()))
        .collect();
    let tmp = tempfile::tempdir().expect("tmp");
    let bin = tmp.path().join("bin");
    std::fs::create_dir_all(&bin).expect("mkdir");
    for (name, body) in [
        ("otasite", "echo \"otasite $*\""),
        ("yq", "echo https://apps.example.com/"),
    ] {
        let path = bin.join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("stub");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut command = std::process::Command::new("bash");
    command
        .args(["-e", "-c", &script])
        .env_clear()
        .env("PATH", path)
        .env("SITE_URL", "");
    for variable in [
        "OTASITE_SLACK_WEBHOOK",
        "OTASITE_TEAMS_WEBHOOK",
        "OTASITE_DISCORD_WEBHOOK",
        "OTASITE_WEBHOOK_URL",
    ] {
        command.env(variable, "");
    }
    if let Some(variable) = secret {
        command.env(variable, "https://hooks.example.test/x");
    }
    let output = command.output().expect("bash");
    assert!(output.status.success(), "{output:?}");
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

#[test]
fn the_weekly_workflow_notifies_when_a_webhook_secret_is_set() {
    let tmp = tempfile::tempdir().expect("tmp");
    assert_ok(
        &Otasite::new(["init", "site", "--host", "github-pages"])
            .dir(tmp.path())
            .output(),
    );
    let workflow =
        std::fs::read_to_string(tmp.path().join("site/.github/workflows/otasite-expiry.yml"))
            .expect("the weekly workflow");
    assert!(
        workflow.contains("OTASITE_TEAMS_WEBHOOK: ${{ secrets.OTASITE_TEAMS_WEBHOOK }}"),
        "{workflow}"
    );
    assert_eq!(
        weekly_expiry_command(&workflow, None),
        "otasite check --expiring 14d --remote https://apps.example.com/"
    );
    assert_eq!(
        weekly_expiry_command(&workflow, Some("OTASITE_DISCORD_WEBHOOK")),
        "otasite check --expiring 14d --remote https://apps.example.com/ --notify"
    );
}

/// The build's problems, installability and the build page's words after building at `epoch`,
/// and whether the archive was opened (not taken from the cache).
fn rebuilt_at(dir: &Path, epoch: i64) -> (Vec<Value>, Value, String, bool) {
    let output = Otasite::new(["build", "-v"]).dir(dir).epoch(epoch).output();
    assert_ok(&output);
    let log = String::from_utf8_lossy(&output.stderr).into_owned()
        + &String::from_utf8_lossy(&output.stdout);
    let opened = !log.contains("(0 opened");
    let text = std::fs::read_to_string(dir.join("dist/catalog.json")).expect("catalog.json");
    let catalog: Value = serde_json::from_str(&text).expect("catalog.json is JSON");
    let build = &catalog["apps"][0]["builds"][0];
    let page = std::fs::read_to_string(
        dir.join("dist")
            .join(build["path"].as_str().expect("path"))
            .join("index.html"),
    )
    .expect("build page");
    (
        build["problem_details"]
            .as_array()
            .expect("details")
            .clone(),
        build["installable"].clone(),
        page,
        opened,
    )
}

#[test]
fn a_cached_build_is_judged_again_as_its_profile_nears_and_passes_expiry() {
    let tmp = tempfile::tempdir().expect("tmp");
    let expires = NOW + 30 * DAY;
    let profile = ProfileSpec::new(Kind::AdHoc).expires(expires);
    site::write_config(tmp.path(), &site::config("T", site::BASE_URL, ""));
    app(profile).write(&tmp.path().join("builds/App.ipa"));
    let codes = |details: &[Value]| -> Vec<String> {
        details
            .iter()
            .filter_map(|d| d["code"].as_str().map(str::to_string))
            .collect()
    };

    // Read while the profile has a month left: no expiry problem.
    let (details, installable, _, opened) = rebuilt_at(tmp.path(), NOW);
    assert!(opened, "the first build reads the archive");
    assert!(!codes(&details).iter().any(|c| c.starts_with("profile_exp")));
    assert_eq!(installable, true);

    // Ten days before, from the cache: the warning appears.
    let (details, installable, page, opened) = rebuilt_at(tmp.path(), expires - 10 * DAY);
    assert!(!opened, "the archive's facts come from the cache");
    assert!(
        codes(&details).contains(&"profile_expires_soon".to_string()),
        "{details:?}"
    );
    assert_eq!(installable, true);
    assert!(page.contains("2026-01-31"), "the page names the day");

    // A day after: the build can no longer be installed.
    let (details, installable, _, opened) = rebuilt_at(tmp.path(), expires + DAY);
    assert!(!opened, "the archive's facts come from the cache");
    let codes = codes(&details);
    assert!(codes.contains(&"profile_expired".to_string()), "{codes:?}");
    assert!(!codes.contains(&"profile_expires_soon".to_string()));
    assert_eq!(installable, false);

    // Each of those builds took the archive's facts from the cache: reading it fresh now
    // gives the same judgement.
    let fresh = tempfile::tempdir().expect("tmp");
    site::write_config(fresh.path(), &site::config("T", site::BASE_URL, ""));
    std::fs::create_dir_all(fresh.path().join("builds")).expect("builds");
    std::fs::copy(
        tmp.path().join("builds/App.ipa"),
        fresh.path().join("builds/App.ipa"),
    )
    .expect("copy");
    let (fresh_details, _, _, opened) = rebuilt_at(fresh.path(), expires + DAY);
    assert!(opened);
    assert_eq!(fresh_details, details);
}
