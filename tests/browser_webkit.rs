//! The pages that matter on an iPhone, in WebKit (the engine of iOS Safari): WebKitGTK's
//! MiniBrowser driven through WebKitWebDriver by `tests/browser/webkit.mjs`, one session per
//! visitor with that visitor's user agent. Safari gets the install link, an in-app browser
//! gets the way out (the Safari hand-off from iOS 17.5), an old iOS gets the warning, the
//! install doctor answers first what fits, Copy link copies, and a private page opens with its
//! password through WebKit's own WebCrypto.
//!
//! Needs WebKitGTK's WebDriver and a virtual display (`apt-get install webkit2gtk-driver xvfb
//! xauth`) and node, so it is ignored by default; with `--include-ignored` a missing tool
//! fails the test with what to install.

mod support;

use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Value as Json, json};
use support::agents::{IPHONE_SAFARI, IPHONE_SAFARI_16_2, install_url, slack_on};
use support::browser::{html_pages, run_driver, tools, webkit};
use support::ipa::{IpaBuilder, Kind, ProfileSpec};
use support::run::{Otasite, assert_ok};
use support::site;
use support::visitors_site::{self, BUILT_AT, DAY, FIELD, KIOSK};
use tempfile::TempDir;

const SECRET: &str = "3b1f0c9e8d7a6b5c4d3e2f1a0b9c8d7e-webkit";
const PASSWORD: &str = "tester pass phrase for webkit";

/// The site, built; and the private app's build page.
fn build_site() -> (TempDir, PathBuf, String) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let builds = dir.path().join("builds");
    // Soon's profile expired ten days after the build: long before any clock that runs this.
    visitors_site::write_archives(&builds);
    IpaBuilder::new("com.example.vault", "Vault")
        .version("4.2", "42")
        .modified(BUILT_AT - DAY)
        .profile(Some(ProfileSpec::new(Kind::Enterprise)))
        .write(&builds.join("Vault.ipa"));
    let config = site::write_config(
        dir.path(),
        &site::config(
            "WebKit test builds",
            "https://apps.example.test/",
            "builds: builds\noutput: site\napps:\n  com.example.vault:\n    private: true\n",
        ),
    );
    assert_ok(
        &Otasite::new(["build", "--config"])
            .args([&config])
            .dir(dir.path())
            .epoch(BUILT_AT)
            .env("OTASITE_SECRET", SECRET)
            .env("OTASITE_PASSWORD", PASSWORD)
            .output(),
    );
    let site = dir.path().join("site");
    // The private build page sits under a token folder: the only page three folders deep
    // whose path names no bundle id.
    let private = html_pages(&site)
        .into_iter()
        .map(|p| {
            p.strip_prefix(&site)
                .expect("a page of the site")
                .to_string_lossy()
                .replace('\\', "/")
        })
        .find(|p| p.split('/').count() == 3 && !p.starts_with("com.example."))
        .expect("the private build page");
    (dir, site, private)
}

fn visit(name: &str, path: &str, user_agent: impl Into<String>) -> Json {
    json!({ "name": name, "path": path, "user_agent": user_agent.into() })
}

/// Failures collected over every visit, reported together.
#[derive(Default)]
struct Checks(Vec<String>);

impl Checks {
    fn equal(&mut self, case: &Json, what: &str, got: &Json, wanted: Json) {
        if *got != wanted {
            self.0
                .push(format!("{}: {what} is {got}, not {wanted}", case["name"]));
        }
    }

    fn shown(&mut self, case: &Json, ids: &[&str], wanted: bool) {
        for id in ids {
            let got = &case["seen"]["visible"][id];
            self.equal(case, &format!("#{id} visible"), got, json!(wanted));
        }
    }

    fn contains(&mut self, case: &Json, field: &str, wanted: &str) {
        let got = case["seen"][field].as_str().unwrap_or("");
        if !got.contains(wanted) {
            self.0.push(format!(
                "{}: {field} should contain {wanted:?}, it is {got:?}",
                case["name"]
            ));
        }
    }
}

#[test]
#[ignore = "needs WebKitGTK's WebDriver, xvfb and node (apt-get install webkit2gtk-driver xvfb xauth)"]
fn iphone_visitors_get_what_they_need_in_webkit() {
    let tools = tools(&["node"]);
    let webkit = webkit();
    let (dir, site, private) = build_site();
    let mut copy = visit("safari, copy link", FIELD, IPHONE_SAFARI);
    copy["click"] = json!("copy-link");
    let mut doctor_inapp = visit("doctor, in-app", FIELD, slack_on("17_5"));
    doctor_inapp["help_link"] = json!(true);
    let mut doctor_old = visit("doctor, old iOS", FIELD, IPHONE_SAFARI_16_2);
    doctor_old["help_link"] = json!(true);
    let mut doctor_enterprise = visit("doctor, enterprise", KIOSK, IPHONE_SAFARI);
    doctor_enterprise["help_link"] = json!(true);
    let mut unlock = visit("private page, password", &private, IPHONE_SAFARI);
    unlock["password"] = json!(PASSWORD);
    let mut wrong = visit("private page, wrong password", &private, IPHONE_SAFARI);
    wrong["password"] = json!("not the pass phrase");
    let visits = vec![
        visit("index", "index.html", IPHONE_SAFARI),
        visit("safari", FIELD, IPHONE_SAFARI),
        copy,
        visit("slack 17.5", FIELD, slack_on("17_5")),
        visit("slack 16.7", FIELD, slack_on("16_7")),
        visit("safari 16.2, build for 16.10", FIELD, IPHONE_SAFARI_16_2),
        doctor_inapp,
        doctor_old,
        doctor_enterprise,
        unlock,
        wrong,
    ];
    let plan = json!({
        "site": site,
        "driver": webkit.driver,
        "xvfb_run": webkit.xvfb_run,
        "minibrowser": webkit.minibrowser,
        "visits": visits,
    });
    let report = run_driver(
        &tools,
        "webkit.mjs",
        &plan,
        &dir.path().join("webkit-plan.json"),
        Duration::from_secs(600),
    );
    let cases = report["visits"].as_array().expect("visits");
    assert_eq!(cases.len(), visits.len(), "one report per visit");
    let case = |name: &str| -> &Json {
        let case = cases
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("no report for {name}"));
        assert!(case["error"].is_null(), "{name}: {}", case["error"]);
        assert!(
            case["seen"]["user_agent"]
                == visits.iter().find(|v| v["name"] == name).unwrap()["user_agent"],
            "{name}: WebKit did not take the user agent: {}",
            case["seen"]["user_agent"]
        );
        case
    };
    let mut checks = Checks::default();

    // The index judges expiry by the visitor's clock (WebKit parses the dates itself).
    let index = case("index");
    let expiries = index["seen"]["expiries"].as_array().expect("expiries");
    checks.equal(index, "expiry lines", &json!(expiries.len()), json!(3));
    let expired: Vec<&Json> = expiries
        .iter()
        .filter(|e| e["state"] == "expired")
        .collect();
    checks.equal(
        index,
        "expired lines",
        &json!(expired),
        json!([{ "text": "Expired on 2026-01-11", "state": "expired" }]),
    );

    let safari = case("safari");
    checks.equal(
        safari,
        "visitor",
        &safari["seen"]["visitor"],
        json!("safari"),
    );
    checks.equal(
        safari,
        "install link",
        &safari["seen"]["install_href"],
        json!(install_url(FIELD)),
    );
    checks.shown(
        safari,
        &["install-button", "safari-fallback", "copy-link"],
        true,
    );
    checks.shown(
        safari,
        &["inapp", "compat", "desktop", "safari-handoff"],
        false,
    );

    checks.contains(case("safari, copy link"), "copy_status", "Link copied");

    let slack = case("slack 17.5");
    checks.equal(slack, "visitor", &slack["seen"]["visitor"], json!("inapp"));
    checks.contains(slack, "inapp_name", "Slack");
    checks.shown(
        slack,
        &["inapp", "inapp-how", "safari-handoff", "copy-link"],
        true,
    );
    checks.equal(
        slack,
        "hand-off link",
        &slack["seen"]["handoff_href"],
        json!(format!("x-safari-https://apps.example.test/{FIELD}")),
    );
    let old_slack = case("slack 16.7");
    checks.shown(old_slack, &["inapp", "copy-link"], true);
    checks.shown(old_slack, &["safari-handoff"], false);

    let old = case("safari 16.2, build for 16.10");
    checks.shown(old, &["compat"], true);

    for (name, first, text) in [
        ("doctor, in-app", "inapp", "Opened inside another app"),
        (
            "doctor, old iOS",
            "old-ios",
            "iOS is older than the build needs",
        ),
        (
            "doctor, enterprise",
            "enterprise-trust",
            "VPN & Device Management",
        ),
    ] {
        let doctor = case(name);
        checks.equal(
            doctor,
            "doctor's first answer",
            &doctor["seen"]["doctor_first"],
            json!(first),
        );
        checks.contains(doctor, "doctor_top_text", text);
    }

    let opened = case("private page, password");
    checks.shown(opened, &["unlock-form"], false);
    checks.contains(opened, "h1", "Vault");
    checks.equal(
        opened,
        "visitor",
        &opened["seen"]["visitor"],
        json!("safari"),
    );
    let refused = case("private page, wrong password");
    checks.shown(refused, &["unlock-form"], true);
    checks.contains(refused, "unlock_message", "password");

    assert!(checks.0.is_empty(), "{}", checks.0.join("\n"));
}
