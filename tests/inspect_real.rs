//! Every real fixture yields exactly the facts listed in expected.json, through the binary's
//! JSON contract; and the report of a lone profile and the human summary, on synthetic files.

mod support;

use serde_json::Value;
use support::fixtures::real_fixtures;
use support::ipa::{IpaBuilder, Kind, ProfileSpec};
use support::run::Otasite;

fn expected() -> Vec<Value> {
    let text =
        std::fs::read_to_string(real_fixtures().join("expected.json")).expect("expected.json");
    serde_json::from_str::<Value>(&text)
        .expect("json")
        .as_array()
        .expect("array")
        .clone()
}

fn fixture_path(file: &str) -> std::path::PathBuf {
    let folder = if file.ends_with(".mobileprovision") {
        "profiles"
    } else {
        "ipa"
    };
    real_fixtures().join(folder).join(file)
}

fn family_word(n: &Value) -> String {
    match n.as_u64().expect("number") {
        1 => "iphone",
        2 => "ipad",
        3 => "tv",
        4 => "watch",
        7 => "vision",
        other => panic!("unexpected family {other}"),
    }
    .to_string()
}

fn check_profile(file: &str, want: &Value, got: &Value) {
    for key in ["kind", "name", "team_name", "team_id", "devices"] {
        assert_eq!(got[key], want[key], "{file}: profile.{key}");
    }
    let expires = format!("{}Z", want["expires"].as_str().expect("expires"));
    assert_eq!(
        got["expires"].as_str(),
        Some(expires.as_str()),
        "{file}: expires"
    );
}

#[test]
#[ignore = "needs ../shared/fixtures (the real-archive corpus)"]
fn every_real_fixture_matches_expected_json() {
    let expected = expected();
    let paths: Vec<_> = expected
        .iter()
        .map(|e| fixture_path(e["file"].as_str().expect("file")))
        .collect();
    let output = Otasite::new(["inspect", "--json"]).args(&paths).output();
    // Several fixtures are broken on purpose: the others are still reported, exit code 1.
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let reports: Vec<Value> = serde_json::from_slice(&output.stdout).expect("json array");
    assert_eq!(reports.len(), expected.len());

    for (want, got) in expected.iter().zip(&reports) {
        let file = want["file"].as_str().expect("file");
        assert!(got["file"].as_str().expect("file").ends_with(file), "order");
        if let Some(error) = want.get("error") {
            let message = got["error"]
                .as_str()
                .unwrap_or_else(|| panic!("{file}: should fail, got {got}"));
            assert!(
                message.len() > 10,
                "{file}: error should be a sentence: {message}"
            );
            if let Some(reason) = error.as_str() {
                assert!(
                    message.contains(reason),
                    "{file}: {message:?} should say {reason:?}"
                );
            }
            assert_eq!(
                got.as_object().map(|o| o.len()),
                Some(2),
                "{file}: only file and error"
            );
            continue;
        }
        assert_eq!(got["size"], want["size"], "{file}: size");
        assert_eq!(got["sha256"], want["sha256"], "{file}: sha256");
        if file.ends_with(".mobileprovision") {
            check_profile(file, want, &got["profile"]);
            continue;
        }
        for key in [
            "bundle_id",
            "version",
            "build",
            "name",
            "min_os",
            "platform",
        ] {
            assert_eq!(got[key], want[key], "{file}: {key}");
        }
        let families: Vec<String> = want["device_family"]
            .as_array()
            .map(|a| a.iter().map(family_word).collect())
            .unwrap_or_default();
        let got_families: Vec<String> =
            serde_json::from_value(got["device_family"].clone()).expect("families");
        assert_eq!(got_families, families, "{file}: device_family");
        match want["profile"].is_null() {
            true => assert!(got["profile"].is_null(), "{file}: no profile"),
            false => check_profile(file, &want["profile"], &got["profile"]),
        }
        check_icon(file, want, &got["icon"]);
        // Every real profile has long expired, or is for the App Store, or is missing.
        assert_eq!(got["installable"], false, "{file}: installable");
        assert!(
            !got["problems"].as_array().expect("problems").is_empty(),
            "{file}: problems"
        );
    }
}

fn check_icon(file: &str, want: &Value, icon: &Value) {
    let loose = want["loose_icon_pngs"].as_u64().unwrap_or(0);
    let has_car = want["assets_car"].as_bool().unwrap_or(false);
    if loose == 0 && !has_car {
        assert!(icon.is_null(), "{file}: no icon expected, got {icon}");
        return;
    }
    assert!(!icon.is_null(), "{file}: an icon is expected");
    let (w, h) = (
        icon["width"].as_u64().unwrap(),
        icon["height"].as_u64().unwrap(),
    );
    assert!(w >= 57 && w == h, "{file}: icon {w}x{h}");
    let path = icon["path"].as_str().expect("path");
    assert!(path.starts_with("Payload/"), "{file}: {path}");
    if path.contains("Assets.car") {
        assert_eq!(icon["cgbi"], false, "{file}");
    } else if want["cgbi_pngs"].as_u64() == Some(loose) {
        assert_eq!(icon["cgbi"], true, "{file}: loose icons are all CgBI");
    }
}

#[test]
fn mobileprovision_reports_the_profile_alone() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = tmp.path().join("enterprise.mobileprovision");
    let profile = ProfileSpec::new(Kind::Enterprise).binary();
    std::fs::write(&path, profile.to_bytes()).expect("write profile");
    let output = Otasite::new(["inspect", "--json"]).args([&path]).output();
    assert!(output.status.success());
    let reports: Value = serde_json::from_slice(&output.stdout).expect("json");
    let report = &reports[0];
    assert_eq!(report["profile"]["kind"], "enterprise");
    assert_eq!(report["profile"]["name"], profile.name.as_str());
    assert!(report.get("bundle_id").is_none());
}

#[test]
fn human_summary_names_facts_and_problems() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = IpaBuilder::new("com.example.store", "Store")
        .profile(Some(ProfileSpec::new(Kind::AppStore)))
        .write(&tmp.path().join("Store.ipa"));
    let output = Otasite::new(["inspect"]).args([&path]).output();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).expect("utf8");
    assert!(text.contains("com.example.store"), "{text}");
    assert!(text.contains("installable over the air: NO"), "{text}");
    assert!(text.contains("App Store"), "{text}");
}
