//! "Expires in N days" on the index and the app page, judged by the visitor's clock in
//! headless Chromium (the page may be older than the news): three days before the build stops
//! launching, and after; without JavaScript the day is stated.

mod support;

use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};
use support::browser::{run_driver, tools};
use support::codesign::{self, Signing};
use support::ipa::{IpaBuilder, Kind, ProfileSpec};
use support::run::{Otasite, assert_ok};
use support::site;

const DAY: i64 = 86_400;
/// The moment the site is built (2026-01-01), as `support::run` pins it.
const NOW: i64 = 1_767_225_600;
/// When the app's signing certificate expires (2026-02-01): before its profile, so it drives.
const EXPIRES: i64 = NOW + 31 * DAY;

/// A site of one app: a build at the top of `builds/` and one in channel `beta`, both signed
/// by a certificate that expires at [`EXPIRES`], their profiles a year later.
fn build_site(dir: &Path) {
    site::write_config(dir, &site::config("T", site::BASE_URL, ""));
    let chain = codesign::chain("iPhone Distribution: Example", EXPIRES);
    let executable = codesign::executable(&Signing::Certificates { chain, signer: 1 }, false, 4096);
    let profile = ProfileSpec::new(Kind::AdHoc).expires(NOW + 365 * DAY);
    let app = IpaBuilder::new("com.example.expiry", "Expiry")
        .profile(Some(profile))
        .executable(executable);
    app.clone().write(&dir.join("builds/App.ipa"));
    app.version("2.0", "5")
        .write(&dir.join("builds/beta/App.ipa"));
    assert_ok(&Otasite::new(["build", "-q"]).dir(dir).output());
}

fn visit(name: &str, path: &str, javascript: bool, now: Option<i64>) -> Value {
    json!({
        "name": name,
        "path": path,
        "javascript": javascript,
        "now_ms": now.map(|s| s * 1000),
    })
}

#[test]
#[ignore = "needs Chromium and the npm packages (apt-get install chromium chromium-driver; npm ci)"]
fn expiry_shows_on_the_index_and_the_app_page_by_the_visitors_clock() {
    let tools = tools(&["chromium", "node", "npm:playwright-core"]);
    let tmp = tempfile::tempdir().expect("tmp");
    build_site(tmp.path());
    let site = tmp.path().join("dist");
    let soon = EXPIRES - 3 * DAY;
    let after = EXPIRES + DAY;
    let app = "com.example.expiry/index.html";
    let plan = json!({
        "site": site,
        "chromium": tools.chromium,
        "visits": [
            visit("index, 3 days before", "index.html", true, Some(soon)),
            visit("app page, 3 days before", app, true, Some(soon)),
            visit("index, after", "index.html", true, Some(after)),
            visit("app page, after", app, true, Some(after)),
            visit("index, no JavaScript", "index.html", false, None),
            visit("app page, no JavaScript", app, false, None),
        ],
    });
    let report: Value = run_driver(
        &tools,
        "expiry.mjs",
        &plan,
        &tmp.path().join("plan.json"),
        Duration::from_secs(120),
    );
    let visits = report["visits"].as_array().expect("visits");
    let seen = |name: &str| -> Vec<(String, Value)> {
        let visit = visits
            .iter()
            .find(|v| v["name"] == name)
            .unwrap_or_else(|| panic!("no visit {name}"));
        assert!(visit["error"].is_null(), "{name}: {}", visit["error"]);
        assert_eq!(visit["errors"], json!([]), "{name}: page errors");
        visit["expiries"]
            .as_array()
            .expect("expiries")
            .iter()
            .map(|e| {
                (
                    e["text"].as_str().unwrap_or_default().to_string(),
                    e["state"].clone(),
                )
            })
            .collect()
    };
    let all = |text: &str, state: Value, count: usize| -> Vec<(String, Value)> {
        vec![(text.to_string(), state); count]
    };
    // The index has one card; the app page says it for the latest build and the beta channel.
    assert_eq!(
        seen("index, 3 days before"),
        all("Expires in 3 days (2026-02-01)", json!("soon"), 1)
    );
    assert_eq!(
        seen("app page, 3 days before"),
        all("Expires in 3 days (2026-02-01)", json!("soon"), 2)
    );
    assert_eq!(
        seen("index, after"),
        all("Expired on 2026-02-01", json!("expired"), 1)
    );
    assert_eq!(
        seen("app page, after"),
        all("Expired on 2026-02-01", json!("expired"), 2)
    );
    assert_eq!(
        seen("index, no JavaScript"),
        all("Valid until 2026-02-01", Value::Null, 1)
    );
    assert_eq!(
        seen("app page, no JavaScript"),
        all("Valid until 2026-02-01", Value::Null, 2)
    );
    // Flagged, not only worded: the soon and expired lines take the warning colour.
    let colour = |name: &str| {
        visits.iter().find(|v| v["name"] == name).expect(name)["expiries"][0]["color"].clone()
    };
    assert_ne!(
        colour("index, 3 days before"),
        colour("index, no JavaScript")
    );
}
