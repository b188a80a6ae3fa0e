//! Devices in a browser: a visitor registers through the result page (as the endpoint's
//! redirect leaves them there), and each ad hoc or development build page then says whether
//! its profile lists the device; the site holds no identifier in clear. Driven by
//! `tests/browser/devices.mjs` in Debian's headless Chromium.

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value as Json, json};
use support::browser::{run_driver, tools};
use support::ipa::{IpaBuilder, Kind, ProfileSpec};
use support::run::{assert_ok, otasite, tree};
use support::site::{BASE_URL, config, write_config};

const MINE: &str = "00008030-001A2D3E0C38802E";
const OLD: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
const OTHER: &str = "00008101-000A1B2C3D4E5F60";

fn build_site(root: &Path) -> PathBuf {
    let builds = root.join("builds");
    std::fs::create_dir_all(&builds).unwrap();
    IpaBuilder::new("com.example.beta", "Beta")
        .version("1.0", "1")
        .profile(Some(ProfileSpec::new(Kind::AdHoc).devices(&[OLD, MINE])))
        .write(&builds.join("Beta-1.ipa"));
    IpaBuilder::new("com.example.beta", "Beta")
        .version("1.0", "2")
        .profile(Some(ProfileSpec::new(Kind::AdHoc).devices(&[OLD, OTHER])))
        .write(&builds.join("Beta-2.ipa"));
    IpaBuilder::new("com.example.dev", "Dev")
        .profile(Some(ProfileSpec::new(Kind::Development).devices(&[MINE])))
        .write(&builds.join("Dev.ipa"));
    let extra =
        "devices:\n  endpoint: https://udid.example.test/enroll\n  email: qa@example.test\n";
    write_config(root, &config("Devices", BASE_URL, extra));
    // Served from 127.0.0.1 by the driver: the pages' links are relative.
    assert_ok(&otasite(&["build"], root));
    root.join("dist")
}

fn state(visit: &Json, id: &str) -> (bool, String) {
    let block = &visit[id];
    assert!(!block.is_null(), "no #{id} on {}: {visit}", visit["name"]);
    (
        block["hidden"].as_bool().unwrap_or(true),
        block["text"].as_str().unwrap_or_default().to_string(),
    )
}

#[test]
#[ignore = "needs Chromium and the npm packages (apt-get install chromium chromium-driver; npm ci)"]
fn a_registered_visitor_learns_which_builds_list_their_device() {
    let tools = tools(&["chromium", "node", "npm:playwright-core"]);
    let tmp = tempfile::tempdir().unwrap();
    let site = build_site(tmp.path());

    // The output holds no identifier in clear, in any case.
    for (path, bytes) in tree(&site) {
        let text = String::from_utf8_lossy(&bytes).to_ascii_uppercase();
        for id in [MINE, OLD, OTHER] {
            assert!(
                !text.contains(&id.to_ascii_uppercase()),
                "{path} holds {id}"
            );
        }
    }

    let plan = json!({
        "site": site,
        "chromium": tools.chromium,
        // As the endpoint redirects: the attributes in the fragment, the UDID in lower case.
        "register": format!("devices/registered/#udid={}&product=iPhone16%2C1&version=21F90", MINE.to_lowercase()),
        "builds": [
            {"name": "listed", "path": "com.example.beta/1.0-1/"},
            {"name": "unlisted", "path": "com.example.beta/1.0-2/"},
            {"name": "development", "path": "com.example.dev/1.0-1/"},
        ],
    });
    let report: Json = run_driver(
        &tools,
        "devices.mjs",
        &plan,
        &tmp.path().join("plan.json"),
        Duration::from_secs(120),
    );
    assert_eq!(report["errors"], json!([]), "{report}");

    for visit in report["before"].as_array().unwrap() {
        assert!(
            state(visit, "device-check").0,
            "without a registered device nothing shows: {visit}"
        );
    }

    let registered = &report["registered"];
    assert!(!state(registered, "device-found").0, "{registered}");
    assert_eq!(state(registered, "device-udid").1, MINE);
    assert_eq!(state(registered, "device-model").1, "iPhone 15 Pro");
    assert_eq!(state(registered, "device-version").1, "21F90");
    assert!(
        !registered["address"].as_str().unwrap().contains('#'),
        "the identifier leaves the address bar: {registered}"
    );
    let stored: Json =
        serde_json::from_str(registered["stored"].as_str().expect("stored")).unwrap();
    assert_eq!(stored["udid"], MINE);
    let mail = registered["mail"].as_str().unwrap();
    assert!(
        mail.starts_with("mailto:qa@example.test?subject=") && mail.contains(MINE),
        "{mail}"
    );

    let after = report["after"].as_array().unwrap();
    let by_name = |name: &str| after.iter().find(|v| v["name"] == name).unwrap();
    for name in ["listed", "development"] {
        let visit = by_name(name);
        assert!(!state(visit, "device-check").0, "{visit}");
        let (hidden, text) = state(visit, "device-listed");
        assert!(
            !hidden && text.contains("Your device is in this build's profile"),
            "{visit}"
        );
        assert!(state(visit, "device-unlisted").0, "{visit}");
    }
    let visit = by_name("unlisted");
    let (hidden, text) = state(visit, "device-unlisted");
    assert!(
        !hidden && text.contains("Your device is not in this build's profile"),
        "{visit}"
    );
    assert!(state(visit, "device-listed").0, "{visit}");
}
