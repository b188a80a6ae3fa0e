//! Android pages in a real browser: a site with an app on both systems and an Android-only app
//! (minSdk 26), built by the binary, served on 127.0.0.1 and visited by headless Chromium
//! (driven by `tests/browser/android.mjs`) as an Android phone, an iPhone and a computer; and
//! the Nu Html Checker on every page of that site.
//!
//! Needs `/usr/bin/chromium` (or `OTASITE_CHROMIUM`), node and `npm ci` at the repository root
//! (and Java for the HTML check).

mod support;

use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Value as Json, json};
use support::agents::ANDROID_7_CHROME;
use support::apk::ApkBuilder;
use support::browser::{assert_valid_html, html_pages, run_driver, tools};
use support::ipa::IpaBuilder;
use support::run::{assert_ok, otasite};
use support::site;
use tempfile::TempDir;

const ANDROID_13_CHROME: &str = "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36";
const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";
const COMPUTER: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";

/// The built site: `com.example.app` on both systems, `com.example.new` on Android only.
fn build_site() -> (TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tmp");
    site::write_config(
        tmp.path(),
        &site::config(
            "Android site",
            site::BASE_URL,
            "apps:\n  com.example.app:\n    android: com.example.droid\n",
        ),
    );
    IpaBuilder::new("com.example.app", "Example").write(&tmp.path().join("builds/Example.ipa"));
    ApkBuilder::new("com.example.droid", "Example")
        .version("2.0", 20)
        .write(&tmp.path().join("builds/Example.apk"));
    ApkBuilder::new("com.example.new", "New")
        .version("1.0", 3)
        .min_sdk(26)
        .write(&tmp.path().join("builds/New.apk"));
    assert_ok(&otasite(&["build"], tmp.path()));
    let site = tmp.path().join("dist");
    (tmp, site)
}

fn build_page(site: &std::path::Path, app: &str) -> String {
    let catalog: Json =
        serde_json::from_slice(&std::fs::read(site.join("catalog.json")).unwrap()).unwrap();
    let app = catalog["apps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["bundle_id"] == app)
        .expect("the app");
    let build = app["builds"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["os"] == "android")
        .expect("its Android build");
    format!("{}index.html", build["path"].as_str().unwrap())
}

#[test]
#[ignore = "needs Chromium and the npm packages (apt-get install chromium chromium-driver; npm ci)"]
fn each_visitor_gets_the_right_build_first_in_chromium() {
    let tools = tools(&["chromium", "node", "npm:playwright-core"]);
    let (tmp, site) = build_site();
    let new_page = build_page(&site, "com.example.new");
    let visit = |name: &str, page: &str, ua: &str, mobile: bool| json!({ "name": name, "page": page, "user_agent": ua, "mobile": mobile });
    let plan = json!({
        "site": site,
        "chromium": tools.chromium,
        "visits": [
            visit("android on the combined page", "com.example.app/index.html", ANDROID_13_CHROME, true),
            visit("iphone on the combined page", "com.example.app/index.html", IPHONE, true),
            visit("computer on the combined page", "com.example.app/index.html", COMPUTER, false),
            visit("old android on a minSdk 26 build", &new_page, ANDROID_7_CHROME, true),
            visit("new android on a minSdk 26 build", &new_page, ANDROID_13_CHROME, true),
            visit("iphone on an android-only app", "com.example.new/index.html", IPHONE, true),
        ],
    });
    let report: Json = run_driver(
        &tools,
        "android.mjs",
        &plan,
        &tmp.path().join("plan.json"),
        Duration::from_secs(240),
    );
    let visits = report["visits"].as_array().expect("visits");
    let get = |name: &str| -> &Json {
        let v = visits
            .iter()
            .find(|v| v["name"] == name)
            .unwrap_or_else(|| panic!("no report for {name}"));
        assert!(v["error"].is_null(), "{name}: {}", v["error"]);
        assert_eq!(v["errors"], json!([]), "{name}: script errors");
        &v["facts"]
    };
    let visible = |facts: &Json, id: &str| facts[id]["visible"] == true;

    let android = get("android on the combined page");
    assert_eq!(android["first_platform"], "android", "the APK first");
    assert!(android["platform-android"]["top"].as_f64() < android["platform-ios"]["top"].as_f64());
    assert!(visible(android, "apk-button"));
    assert!(
        !visible(android, "android"),
        "no 'this is an iOS app' beside the APK"
    );

    let iphone = get("iphone on the combined page");
    assert_eq!(iphone["first_platform"], "ios", "the iOS build first");
    assert!(visible(iphone, "install-button"));
    assert!(
        !visible(iphone, "ios-visitor"),
        "the iOS build is right there"
    );

    let computer = get("computer on the combined page");
    assert!(
        visible(computer, "android-desktop"),
        "a QR code for computers"
    );

    let old = get("old android on a minSdk 26 build");
    assert!(
        visible(old, "android-old"),
        "Android 7 is older than API 26"
    );
    assert_eq!(old["visitor_version"], "Android 7.0 (API level 24)");
    let new = get("new android on a minSdk 26 build");
    assert!(!visible(new, "android-old"));
    assert!(!visible(new, "android-desktop"));

    let ios_visitor = get("iphone on an android-only app");
    assert!(
        visible(ios_visitor, "ios-visitor"),
        "told it is an Android app"
    );
}

#[test]
#[ignore = "needs Java and the npm packages (apt-get install default-jre-headless; npm ci)"]
fn android_pages_are_valid_html() {
    let tools = tools(&["java", "npm:vnu-jar"]);
    let (_dir, site) = build_site();
    let pages = html_pages(&site);
    assert!(pages.len() >= 5, "every page of the site: {pages:?}");
    assert_valid_html(&tools, &pages, Duration::from_secs(120));
}
