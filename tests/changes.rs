//! What changed: each build's `changes` in catalog.json (against the previous build of the
//! same app and channel), shown on build pages and in the feed, and `otasite diff` on the same
//! facts. Two archives that differ in one fact each (besides the version, and the size that
//! follows from any difference).

mod support;

use std::path::Path;

use plist::{Dictionary, Value as Plist};
use serde_json::Value;
use support::codesign::{self, Signing};
use support::ipa::{IpaBuilder, Kind, ProfileSpec};
use support::run::{Otasite, assert_ok, otasite};
use support::site;

const BUNDLE_ID: &str = "com.example.changes";

fn old() -> IpaBuilder {
    IpaBuilder::new(BUNDLE_ID, "Changes")
        .version("1.0", "1")
        .set("NSCameraUsageDescription", "Scan receipts")
}

/// The next build, before its one difference.
fn new() -> IpaBuilder {
    old().version("1.1", "2").modified(1_714_564_800 + 3600)
}

/// A profile as [`IpaBuilder::new`] embeds, to change one fact of.
fn profile() -> ProfileSpec {
    ProfileSpec::new(Kind::AdHoc)
}

fn extension_plist(bundle_id: &str) -> Vec<u8> {
    let mut dict = Dictionary::new();
    dict.insert("CFBundleIdentifier".into(), bundle_id.into());
    let mut out = Vec::new();
    plist::to_writer_xml(&mut out, &Plist::Dictionary(dict)).expect("plist");
    out
}

fn build_site(dir: &Path, archives: &[(&str, &IpaBuilder)]) -> Value {
    site::write_config(dir, &site::config("T", site::BASE_URL, ""));
    for (path, builder) in archives {
        builder.write(&dir.join("builds").join(path));
    }
    assert_ok(&otasite(&["build", "-q"], dir));
    let text = std::fs::read_to_string(dir.join("dist/catalog.json")).expect("catalog.json");
    serde_json::from_str(&text).expect("catalog.json is JSON")
}

fn builds(catalog: &Value) -> &Vec<Value> {
    catalog["apps"][0]["builds"].as_array().expect("builds")
}

/// The newest build's changes after building a site of `old` then `new` in one channel.
fn changes(old: IpaBuilder, new: IpaBuilder) -> Value {
    let tmp = tempfile::tempdir().expect("tmp");
    let catalog = build_site(
        tmp.path(),
        &[("beta/old.ipa", &old), ("beta/new.ipa", &new)],
    );
    let builds = builds(&catalog);
    assert_eq!(builds[0]["version"], "1.1", "the newer build comes first");
    assert!(builds[1]["changes"].is_null(), "a channel's first build");
    let changes = builds[0]["changes"].clone();
    assert_eq!(changes["since"]["path"], builds[1]["path"]);
    // `otasite diff` says the same of the two archives, and of the two builds of the catalog.
    let archives = tmp.path().join("builds/beta");
    let from_archives = diff_json(&[archives.join("old.ipa"), archives.join("new.ipa")]);
    assert_eq!(from_archives["facts"], changes["facts"]);
    let catalog_file = tmp.path().join("dist/catalog.json");
    let side = |build: &Value| {
        format!(
            "{}#{}",
            catalog_file.display(),
            build["path"].as_str().unwrap()
        )
    };
    let from_catalog = diff_json(&[side(&builds[1]), side(&builds[0])]);
    assert_eq!(from_catalog["facts"], changes["facts"]);
    changes
}

fn diff(args: &[impl AsRef<std::ffi::OsStr>]) -> std::process::Output {
    Otasite::new(["diff"]).args(args).output()
}

fn diff_json(sides: &[impl AsRef<std::ffi::OsStr>]) -> Value {
    let output = diff(&[sides[0].as_ref(), sides[1].as_ref(), "--json".as_ref()]);
    assert_ok(&output);
    serde_json::from_slice(&output.stdout).expect("diff --json prints JSON")
}

/// The change of `fact`, after checking that nothing else changed but the version and size.
fn only(changes: &Value, fact: &str) -> Value {
    let facts = changes["facts"].as_array().expect("facts");
    let names: Vec<&str> = facts.iter().filter_map(|f| f["fact"].as_str()).collect();
    let unexpected: Vec<&&str> = names
        .iter()
        .filter(|n| !["version", "size", fact].contains(n))
        .collect();
    assert!(unexpected.is_empty(), "only {fact} changed, got {names:?}");
    facts
        .iter()
        .find(|f| f["fact"] == fact)
        .unwrap_or_else(|| panic!("{fact} changed, got {names:?}"))
        .clone()
}

#[test]
fn version_and_size_always_tell() {
    let changes = changes(old(), new().app_file("Assets.car", vec![7; 50_000]));
    let version = only(&changes, "version");
    assert_eq!(version["before"], "1.0 (1)");
    assert_eq!(version["after"], "1.1 (2)");
    let size = only(&changes, "size");
    let (before, after) = (size["before"].as_i64(), size["after"].as_i64());
    let (before, after) = (before.expect("a size"), after.expect("a size"));
    assert!(after > before);
    assert_eq!(size["delta"].as_i64(), Some(after - before));
    assert_eq!(changes["since"]["version"], "1.0");
    assert_eq!(changes["since"]["build"], "1");
}

#[test]
fn minimum_ios() {
    let change = only(
        &changes(old(), new().set("MinimumOSVersion", "17.0")),
        "min-os",
    );
    assert_eq!(
        (&change["before"], &change["after"]),
        (&"15.0".into(), &"17.0".into())
    );
}

#[test]
fn device_families() {
    let iphone_only = new().set("UIDeviceFamily", Plist::Array(vec![1.into()]));
    let change = only(&changes(old(), iphone_only), "device-family");
    assert_eq!(change["before"], "iphone, ipad");
    assert_eq!(change["after"], "iphone");
}

#[test]
fn entitlements_added_and_removed() {
    let old = old().profile(Some(profile().entitlement("com.apple.developer.nfc", true)));
    let new = new().profile(Some(profile().entitlement("aps-environment", "production")));
    let change = only(&changes(old, new), "entitlements");
    assert_eq!(change["added"], serde_json::json!(["aps-environment"]));
    assert_eq!(
        change["removed"],
        serde_json::json!(["com.apple.developer.nfc"])
    );
}

#[test]
fn usage_descriptions_added_removed_and_changed() {
    let old = old().set("NSMicrophoneUsageDescription", "Voice notes");
    let new = new()
        .set("NSCameraUsageDescription", "Scan receipts and faces")
        .set("NSLocationWhenInUseUsageDescription", "Nearby stores");
    let change = only(&changes(old, new), "usage-descriptions");
    assert_eq!(
        change["added"],
        serde_json::json!(["NSLocationWhenInUseUsageDescription"])
    );
    assert_eq!(
        change["removed"],
        serde_json::json!(["NSMicrophoneUsageDescription"])
    );
    assert_eq!(
        change["changed"],
        serde_json::json!(["NSCameraUsageDescription"])
    );
}

#[test]
fn app_extensions_added_and_removed() {
    let old = old().app_file(
        "PlugIns/Share.appex/Info.plist",
        extension_plist("com.example.changes.share"),
    );
    let new = new().app_file(
        "PlugIns/Widget.appex/Info.plist",
        extension_plist("com.example.changes.widget"),
    );
    let change = only(&changes(old, new), "extensions");
    assert_eq!(
        change["added"],
        serde_json::json!(["com.example.changes.widget"])
    );
    assert_eq!(
        change["removed"],
        serde_json::json!(["com.example.changes.share"])
    );
}

#[test]
fn distribution_kind() {
    let new = new().profile(Some(ProfileSpec {
        devices: profile().devices,
        ..ProfileSpec::new(Kind::Development)
    }));
    let change = only(&changes(old(), new), "distribution");
    assert_eq!(change["before"], "ad-hoc");
    assert_eq!(change["after"], "development");
}

#[test]
fn team() {
    let other = ProfileSpec {
        team_name: "Other Team".into(),
        team_id: "ZZZZZ99999".into(),
        ..profile()
    };
    let change = only(&changes(old(), new().profile(Some(other))), "team");
    assert_eq!(change["before"], "Example Team (ABCDE12345)");
    assert_eq!(change["after"], "Other Team (ZZZZZ99999)");
}

#[test]
fn profile_expiry() {
    // 2101-01-01
    let later = profile().expires(4_133_980_800);
    let change = only(
        &changes(old(), new().profile(Some(later))),
        "profile-expiry",
    );
    assert_eq!(change["before"], "2100-01-01T00:00:00Z");
    assert_eq!(change["after"], "2101-01-01T00:00:00Z");
}

#[test]
fn signing_certificate_expiry() {
    let signed = |not_after: i64| {
        let chain = codesign::chain("Apple Distribution: Example", not_after);
        codesign::executable(&Signing::Certificates { chain, signer: 1 }, false, 4096)
    };
    // 2030-06-01, then 2031-06-01
    let old = old().executable(signed(1_906_502_400));
    let new = new().executable(signed(1_938_038_400));
    let change = only(&changes(old.clone(), new.clone()), "certificate-expiry");
    assert_eq!(change["before"], "2030-06-01T00:00:00Z");
    assert_eq!(change["after"], "2031-06-01T00:00:00Z");

    // The catalog and `otasite diff --json` agree (checked by `changes`); the text says it too.
    let tmp = tempfile::tempdir().expect("tmp");
    let (a, b) = (
        old.write(&tmp.path().join("a.ipa")),
        new.write(&tmp.path().join("b.ipa")),
    );
    let text = diff(&[&a, &b]);
    assert!(text.status.success(), "{text:?}");
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert!(
        stdout.contains("Signing certificate expires: 2030-06-01 → 2031-06-01"),
        "{stdout}"
    );
}

#[test]
fn registered_devices() {
    let more = ProfileSpec {
        devices: 7,
        ..profile()
    };
    let change = only(&changes(old(), new().profile(Some(more))), "devices");
    assert_eq!(
        (change["before"].as_u64(), change["after"].as_u64()),
        (Some(3), Some(7))
    );
}

#[test]
fn builds_compare_within_their_channel_only() {
    let tmp = tempfile::tempdir().expect("tmp");
    let stable = old();
    let beta = new().set("MinimumOSVersion", "17.0");
    let beta_next = new()
        .version("1.2", "3")
        .modified(1_714_564_800 + 7200)
        .set("MinimumOSVersion", "17.0");
    let catalog = build_site(
        tmp.path(),
        &[
            ("stable/a.ipa", &stable),
            ("beta/b.ipa", &beta),
            ("beta/c.ipa", &beta_next),
        ],
    );
    let by_version = |v: &str| {
        builds(&catalog)
            .iter()
            .find(|b| b["version"] == v)
            .expect("the build")
            .clone()
    };
    assert!(by_version("1.0")["changes"].is_null());
    assert!(
        by_version("1.1")["changes"].is_null(),
        "beta's first build is not compared with stable's"
    );
    assert_eq!(by_version("1.2")["changes"]["since"]["version"], "1.1");
}

#[test]
fn build_page_and_feed_say_what_changed() {
    let tmp = tempfile::tempdir().expect("tmp");
    let newer = new().set("MinimumOSVersion", "17.0");
    let catalog = build_site(
        tmp.path(),
        &[("beta/old.ipa", &old()), ("beta/new.ipa", &newer)],
    );
    let path = builds(&catalog)[0]["path"]
        .as_str()
        .expect("path")
        .to_string();
    let since = builds(&catalog)[1]["path"]
        .as_str()
        .expect("path")
        .to_string();
    let page = std::fs::read_to_string(tmp.path().join("dist").join(&path).join("index.html"))
        .expect("build page");
    let section = page
        .split_once("id=\"changes-heading\"")
        .expect("a What changed section")
        .1;
    assert!(section.contains(&format!("../../{since}index.html\">1.0 (1)</a> of beta")));
    assert!(
        section.contains(">Minimum iOS: 15.0 → 17.0</span></li>"),
        "{section}"
    );
    let first_page =
        std::fs::read_to_string(tmp.path().join("dist").join(&since).join("index.html"))
            .expect("older build page");
    assert!(
        !first_page.contains("changes-heading"),
        "the first build has nothing to compare"
    );
    let feed = std::fs::read_to_string(tmp.path().join("dist/feed.xml")).expect("feed");
    assert!(
        feed.contains("&lt;li&gt;Minimum iOS: 15.0 → 17.0&lt;/li&gt;"),
        "{feed}"
    );
}

#[test]
fn previous_catalog_without_changes_still_loads() {
    let tmp = tempfile::tempdir().expect("tmp");
    let first = tmp.path().join("first");
    let extra = "ipa_base_url: https://archives.example.test/builds/\n";
    site::write_config(&first, &site::config("T", site::BASE_URL, extra));
    old().write(&first.join("builds/beta/old.ipa"));
    assert_ok(&otasite(&["build", "-q"], &first));
    // A catalog written before `changes` and `usage_descriptions` existed.
    let path = first.join("dist/catalog.json");
    let mut catalog: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("catalog")).expect("JSON");
    for build in catalog["apps"][0]["builds"].as_array_mut().expect("builds") {
        let build = build.as_object_mut().expect("a build");
        assert!(build.remove("changes").is_some());
        assert!(build.remove("usage_descriptions").is_some());
    }
    std::fs::write(&path, serde_json::to_vec(&catalog).expect("JSON")).expect("write");

    let second = tmp.path().join("second");
    site::write_config(&second, &site::config("T", site::BASE_URL, extra));
    new().write(&second.join("builds/beta/new.ipa"));
    let previous = path.to_str().expect("utf8");
    assert_ok(&otasite(&["build", "-q", "--previous", previous], &second));
    let text = std::fs::read_to_string(second.join("dist/catalog.json")).expect("catalog");
    let catalog: Value = serde_json::from_str(&text).expect("JSON");
    let changes = &builds(&catalog)[0]["changes"];
    assert_eq!(changes["since"]["version"], "1.0");
    // The old catalog did not record usage descriptions: the camera's reads as added.
    assert_eq!(
        only(changes, "usage-descriptions")["added"],
        serde_json::json!(["NSCameraUsageDescription"])
    );
}

#[test]
fn diff_prints_one_line_per_changed_fact() {
    let tmp = tempfile::tempdir().expect("tmp");
    let old = old().write(&tmp.path().join("old.ipa"));
    let new = new()
        .set("MinimumOSVersion", "16.0")
        .profile(Some(profile().entitlement("aps-environment", "production")))
        .write(&tmp.path().join("new.ipa"));
    let output = diff(&[&old, &new]);
    assert_ok(&output);
    let text = String::from_utf8(output.stdout).expect("utf8");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "com.example.changes: 1.0 (1) → 1.1 (2)");
    assert!(lines.contains(&"  Version: 1.0 (1) → 1.1 (2)"), "{text}");
    assert!(lines.contains(&"  Minimum iOS: 15.0 → 16.0"), "{text}");
    assert!(
        lines.contains(&"  Entitlements: added aps-environment"),
        "{text}"
    );
    assert!(lines.iter().any(|l| l.starts_with("  Size: ")), "{text}");

    let same = diff(&[&old, &old]);
    assert_ok(&same);
    let text = String::from_utf8(same.stdout).expect("utf8");
    assert_eq!(
        text,
        "com.example.changes: 1.0 (1) → 1.0 (1)\n  no difference in the compared facts\n"
    );
}

#[test]
fn diff_json_names_both_sides() {
    let tmp = tempfile::tempdir().expect("tmp");
    let old = old().write(&tmp.path().join("old.ipa"));
    let new = new().write(&tmp.path().join("new.ipa"));
    let report = diff_json(&[&old, &new]);
    assert_eq!(report["old"]["bundle_id"], BUNDLE_ID);
    assert_eq!(report["old"]["version"], "1.0");
    assert_eq!(report["new"]["build"], "2");
    assert_eq!(report["new"]["source"], new.to_str().expect("utf8"));
}

#[test]
fn diff_refuses_what_it_cannot_compare_in_one_line() {
    let tmp = tempfile::tempdir().expect("tmp");
    let old = old().write(&tmp.path().join("old.ipa"));
    let missing = tmp.path().join("missing.ipa");
    let output = diff(&[old.as_os_str(), missing.as_os_str()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("missing.ipa: no such file"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");

    let catalog = build_site(tmp.path(), &[("beta/old.ipa", &self::old())]);
    let path = builds(&catalog)[0]["path"]
        .as_str()
        .expect("path")
        .to_string();
    let unknown = format!(
        "{}#com.example.changes/9.9-9/",
        tmp.path().join("dist/catalog.json").display()
    );
    let output = diff(&[old.as_os_str(), unknown.as_ref()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("has no build com.example.changes/9.9-9/"),
        "{stderr}"
    );
    assert!(stderr.contains(&path), "names the builds it has: {stderr}");

    let junk = tmp.path().join("junk.ipa");
    std::fs::write(&junk, b"not a zip").expect("write");
    let output = diff(&[old.as_os_str(), junk.as_os_str()]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("junk.ipa") && stderr.contains("not a zip"),
        "{stderr}"
    );
}

#[test]
fn diff_reads_a_deployed_catalog_by_its_url() {
    use std::sync::Arc;
    use support::https::{Reply, Server, TestCa};

    let tmp = tempfile::tempdir().expect("tmp");
    let catalog = build_site(tmp.path(), &[("beta/old.ipa", &old())]);
    let path = builds(&catalog)[0]["path"]
        .as_str()
        .expect("path")
        .to_string();
    let text = std::fs::read(tmp.path().join("dist/catalog.json")).expect("catalog");
    let ca = TestCa::new("otasite diff CA");
    let ca_file = tmp.path().join("ca.pem");
    std::fs::write(&ca_file, &ca.pem).expect("write CA");
    let (listener, port) = Server::bind();
    let handler = move |_method: &str, target: &str| -> Reply {
        match target {
            "/catalog.json" => (
                "200 OK",
                vec![("Content-Length", text.len().to_string())],
                text.clone(),
            ),
            _ => (
                "404 Not Found",
                vec![("Content-Length", "0".into())],
                Vec::new(),
            ),
        }
    };
    let _server = Server::start(
        listener,
        ca.server_config(&["127.0.0.1"]),
        Arc::new(handler),
    );
    let newer = new()
        .set("MinimumOSVersion", "16.0")
        .write(&tmp.path().join("new.ipa"));
    let deployed = format!("https://127.0.0.1:{port}/catalog.json#{path}");
    let output = Otasite::new(["diff", "--json", deployed.as_str()])
        .args([&newer])
        .env("OTASITE_EXTRA_CA_CERT", &ca_file)
        .output();
    assert_ok(&output);
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(report["old"]["source"], deployed);
    assert_eq!(only(&report, "min-os")["after"], "16.0");

    let missing = format!("https://127.0.0.1:{port}/gone.json#{path}");
    let output = Otasite::new(["diff", missing.as_str()])
        .args([&newer])
        .env("OTASITE_EXTRA_CA_CERT", &ca_file)
        .output();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot fetch the catalog") && stderr.contains("404"),
        "{stderr}"
    );
}
