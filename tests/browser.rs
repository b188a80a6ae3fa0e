//! The install pages in a real browser: a site built from synthetic archives, served on
//! 127.0.0.1 and visited by Debian's headless Chromium (driven by `tests/browser/driver.mjs`
//! with playwright-core) as an iPhone, an iPad that claims to be a Mac, a Mac, in-app browsers,
//! Chrome on iOS, Android, an iPhone whose iOS is too old, with a clock past the profile's
//! expiry, and without JavaScript. Every page is also checked by the Nu Html Checker and axe-core.
//!
//! Needs `/usr/bin/chromium` (or `OTASITE_CHROMIUM`), node and `npm ci` at the repository root,
//! and Java for the checker, so these tests are ignored by default; `cargo test -- --ignored`
//! runs them, and there a missing tool fails the test with what to install. Screenshots of
//! every case are written to `target/browser-screenshots/`.

mod support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{Value as Json, json};
use support::agents::{
    CHROME_IOS, IPHONE_SAFARI, IPHONE_SAFARI_16_2, MAC_SAFARI, WINDOWS_CHROME, install_url,
};
use support::browser::{assert_valid_html, html_pages, run_driver, target_dir, tools};
use support::cgbi::{encode_cgbi, sample_icon};
use support::ipa::{IpaBuilder, Kind, ProfileSpec};
use support::run::Otasite;
use support::site;
use tempfile::TempDir;

const BASE: &str = "https://apps.example.test/";
/// The moment the site is built (SOURCE_DATE_EPOCH): 2026-01-01T00:00:00Z.
const BUILT_AT: i64 = 1_767_225_600;
const DAY: i64 = 86_400;
/// The profile of the "Soon" build expires three days after the build.
const SOON_EXPIRES: i64 = BUILT_AT + 3 * DAY;

// The pages of the synthetic site, relative to its root.
/// Ad hoc, iOS 16.10 or later (numerically newer than 16.2), iPhone and iPad.
const FIELD: &str = "com.example.field/2.0-20/";
const FIELD_APP: &str = "com.example.field/";
/// Field's app page at its beta channel's section (both Field builds are in `beta/`; 2.0 is
/// promoted to `stable`, the default channel).
const FIELD_BETA: &str = "com.example.field/#channel-beta";
/// Ad hoc, iPad only.
const SKETCH: &str = "com.example.sketch/1.0-1/";
/// Enterprise.
const KIOSK: &str = "com.example.kiosk/3.0-300/";
/// Development, profile valid at build time but expiring three days later.
const SOON: &str = "com.example.soon/0.9-9/";
/// App Store signed: cannot be installed over the air.
const STORE: &str = "com.example.store/1.0-1/";

// User agents as the apps send them (version numbers are incidental).
const IOS: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko)";
const IPAD_SAFARI: &str = "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
const IOS26_SAFARI: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/26.0 Mobile/15E148 Safari/604.1";
const FIREFOX_IOS: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/126.0 Mobile/15E148 Safari/605.1.15";
const EDGE_IOS: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 EdgiOS/125.2535.60 Mobile/15E148 Safari/605.1.15";
const ANDROID_CHROME: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Mobile Safari/537.36";

fn facebook() -> String {
    format!(
        "{IOS} Mobile/15E148 [FBAN/FBIOS;FBAV/468.0.0.39.110;FBBV/620034383;FBDV/iPhone15,2;FBMD/iPhone;FBSN/iOS;FBSV/17.5;FBSS/3;FBID/phone;FBLC/en_US;FBOP/5]"
    )
}
fn slack() -> String {
    format!("{IOS} Mobile/15E148 Slack/24.05.10")
}
fn wechat() -> String {
    format!("{IOS} Mobile/15E148 MicroMessenger/8.0.49(0x18003129) NetType/WIFI Language/zh_CN")
}

// ---------------------------------------------------------------------------------------------
// The site
// ---------------------------------------------------------------------------------------------

/// Builds the synthetic site into a temporary folder; returns it and the site's folder.
fn build_site() -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let builds = dir.path().join("builds");
    let icon = |seed| encode_cgbi(&sample_icon(120, seed));
    IpaBuilder::new("com.example.field", "Field")
        .version("2.0", "20")
        .modified(BUILT_AT - DAY)
        .set("MinimumOSVersion", "16.10")
        .set("CFBundleIconFile", "Icon.png")
        .app_file("Icon.png", icon(1))
        .write(&builds.join("beta/Field 2.0.ipa"));
    IpaBuilder::new("com.example.field", "Field")
        .version("1.0", "10")
        .modified(BUILT_AT - 30 * DAY)
        .write(&builds.join("beta/Field 1.0.ipa"));
    IpaBuilder::new("com.example.sketch", "Sketch")
        .set("UIDeviceFamily", vec![plist::Value::from(2)])
        .set("CFBundleIconFile", "Icon.png")
        .app_file("Icon.png", icon(2))
        .write(&builds.join("Sketch.ipa"));
    IpaBuilder::new("com.example.kiosk", "Kiosk")
        .version("3.0", "300")
        .profile(Some(ProfileSpec::new(Kind::Enterprise)))
        .write(&builds.join("Kiosk.ipa"));
    IpaBuilder::new("com.example.soon", "Soon")
        .version("0.9", "9")
        .profile(Some(
            ProfileSpec::new(Kind::Development).expires(SOON_EXPIRES),
        ))
        .write(&builds.join("Soon.ipa"));
    IpaBuilder::new("com.example.store", "Store")
        .profile(Some(ProfileSpec::new(Kind::AppStore)))
        .write(&builds.join("Store.ipa"));
    let config = site::write_config(
        dir.path(),
        &site::config(
            "Browser test builds",
            BASE,
            "builds: builds\noutput: site\napps:\n  com.example.field:\n    promote:\n      \"20\": [stable]\n",
        ),
    );
    let output = Otasite::new(["build", "--config"])
        .args([&config])
        .dir(dir.path())
        .epoch(BUILT_AT)
        .output();
    assert!(
        output.status.success(),
        "otasite build failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let site = dir.path().join("site");
    for page in [FIELD, FIELD_APP, SKETCH, KIOSK, SOON, STORE] {
        assert!(
            site.join(page).join("index.html").is_file(),
            "the site lacks {page}index.html"
        );
    }
    (dir, site)
}

// ---------------------------------------------------------------------------------------------
// The visitors
// ---------------------------------------------------------------------------------------------

/// One visit: a fresh browser context with this device's user agent and touch support.
struct Visit {
    name: &'static str,
    page: &'static str,
    user_agent: String,
    /// `navigator.maxTouchPoints`: 5 on iPhone, iPad and Android, 0 on a computer.
    touch: u32,
    mobile: bool,
    viewport: (u32, u32),
    javascript: bool,
    /// The browser's clock, when not the real one.
    now: Option<i64>,
    /// Click "Copy link": with the clipboard API ("clipboard") or without it ("fallback").
    copy: Option<&'static str>,
    dark: bool,
}

fn phone(name: &'static str, page: &'static str, user_agent: impl Into<String>) -> Visit {
    Visit {
        name,
        page,
        user_agent: user_agent.into(),
        touch: 5,
        mobile: true,
        viewport: (390, 844),
        javascript: true,
        now: None,
        copy: None,
        dark: false,
    }
}

fn computer(name: &'static str, page: &'static str, user_agent: &str) -> Visit {
    Visit {
        touch: 0,
        mobile: false,
        viewport: (1280, 900),
        ..phone(name, page, user_agent)
    }
}

impl Visit {
    fn copy(mut self, how: &'static str) -> Self {
        self.copy = Some(how);
        self
    }
    fn at(mut self, unix_seconds: i64) -> Self {
        self.now = Some(unix_seconds);
        self
    }
    fn plan(&self) -> Json {
        json!({
            "name": self.name,
            "path": self.page,
            "user_agent": self.user_agent,
            "max_touch_points": self.touch,
            "mobile": self.mobile,
            "viewport": {"width": self.viewport.0, "height": self.viewport.1},
            "javascript": self.javascript,
            "now_ms": self.now.map(|s| s * 1000),
            "copy": self.copy,
            "color_scheme": if self.dark { "dark" } else { "light" },
        })
    }
}

fn visits() -> Vec<Visit> {
    vec![
        phone("iphone-safari", FIELD, IPHONE_SAFARI).copy("clipboard"),
        Visit {
            dark: true,
            ..phone("iphone-safari-dark", KIOSK, IPHONE_SAFARI)
        },
        Visit {
            mobile: false,
            viewport: (820, 1180),
            ..phone("ipad-safari-mac-ua", SKETCH, MAC_SAFARI)
        },
        computer("mac-no-touch", FIELD, MAC_SAFARI).copy("clipboard"),
        phone("inapp-facebook", FIELD, facebook()).copy("clipboard"),
        phone("inapp-slack-app-page", FIELD_APP, slack()).copy("fallback"),
        phone("inapp-wechat", KIOSK, wechat()),
        phone("chrome-ios", FIELD, CHROME_IOS),
        phone("android", FIELD, ANDROID_CHROME),
        phone("iphone-ios-16-2", FIELD, IPHONE_SAFARI_16_2),
        phone("iphone-ipad-only-build", SKETCH, IPHONE_SAFARI),
        phone("iphone-profile-valid", SOON, IPHONE_SAFARI).at(BUILT_AT + DAY),
        phone("iphone-profile-expired", SOON, IPHONE_SAFARI).at(SOON_EXPIRES + 7 * DAY),
        phone("iphone-app-store-build", STORE, IPHONE_SAFARI),
        Visit {
            javascript: false,
            ..phone("iphone-no-javascript", FIELD, IPHONE_SAFARI)
        },
        Visit {
            javascript: false,
            ..computer("computer-no-javascript", FIELD_APP, WINDOWS_CHROME)
        },
        phone("iphone-channel-section", FIELD_BETA, IPHONE_SAFARI),
        Visit {
            javascript: false,
            ..phone(
                "iphone-channel-section-no-javascript",
                FIELD_BETA,
                IPHONE_SAFARI,
            )
        },
        computer("index-mac", "index.html", MAC_SAFARI),
        phone("index-iphone", "index.html", IPHONE_SAFARI),
    ]
}

/// A user agent run through `otasite.classify` directly, with what it should find.
struct Agent {
    label: &'static str,
    user_agent: String,
    touch: u32,
    mode: &'static str,
    /// The in-app browser's or other iOS browser's id in browsers.json.
    id: Option<&'static str>,
    ios_version: Option<&'static str>,
}

fn classify_table() -> Vec<Agent> {
    let row = |label, user_agent: String, touch, mode, id, ios_version| Agent {
        label,
        user_agent,
        touch,
        mode,
        id,
        ios_version,
    };
    let app = |tail: &str| format!("{IOS} Mobile/15E148 {tail}");
    vec![
        row("iPhone Safari", IPHONE_SAFARI.into(), 5, "safari", None, Some("17.5")),
        row("iPad Safari", IPAD_SAFARI.into(), 5, "safari", None, Some("17.5")),
        row("iPad Safari as a Mac", MAC_SAFARI.into(), 5, "safari", None, Some("17.1")),
        row("Mac Safari", MAC_SAFARI.into(), 0, "computer", None, None),
        row("Mac with one touch point", MAC_SAFARI.into(), 1, "computer", None, None),
        row("iOS 26 Safari (frozen OS token)", IOS26_SAFARI.into(), 5, "safari", None, Some("26.0")),
        row("Windows Chrome", WINDOWS_CHROME.into(), 0, "computer", None, None),
        row("Android Chrome", ANDROID_CHROME.into(), 5, "android", None, None),
        row(
            "Android Facebook",
            "Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP1A; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/125.0.0.0 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/468.0.0.39.110;]".into(),
            5,
            "android",
            None,
            None,
        ),
        row("Chrome on iOS", CHROME_IOS.into(), 5, "other-browser", Some("chrome"), Some("17.5")),
        row("Firefox on iOS", FIREFOX_IOS.into(), 5, "other-browser", Some("firefox"), Some("17.5")),
        row("Edge on iOS", EDGE_IOS.into(), 5, "other-browser", Some("edge"), Some("17.5")),
        row("Facebook", facebook(), 5, "inapp", Some("facebook"), Some("17.5")),
        row(
            "Messenger",
            app("[FBAN/MessengerForiOS;FBAV/458.0.0.43.107;FBBV/599112306;FBDV/iPhone14,5;FBMD/iPhone;FBSN/iOS;FBSV/17.5]"),
            5,
            "inapp",
            Some("messenger"),
            Some("17.5"),
        ),
        row(
            "Instagram",
            app("Instagram 330.0.3.12.235 (iPhone14,5; iOS 17_5; en_US; en-US; scale=3.00; 1170x2532; 596000000)"),
            5,
            "inapp",
            Some("instagram"),
            Some("17.5"),
        ),
        row("WeChat", wechat(), 5, "inapp", Some("wechat"), Some("17.5")),
        row("LINE", app("Safari Line/14.7.0"), 5, "inapp", Some("line"), Some("17.5")),
        row("LinkedIn", app("[LinkedInApp]/9.29.9148"), 5, "inapp", Some("linkedin"), Some("17.5")),
        row("X (Twitter)", app("Twitter for iPhone/10.43"), 5, "inapp", Some("twitter"), Some("17.5")),
        row("Slack", slack(), 5, "inapp", Some("slack"), Some("17.5")),
        row("Microsoft Teams", app("TeamsMobile-iOS"), 5, "inapp", Some("teams"), Some("17.5")),
        row("Gmail", app("Gmail/6.0.240512"), 5, "inapp", Some("gmail"), Some("17.5")),
        row(
            "Google app",
            format!("{IOS} GSA/317.0.634488990 Mobile/15E148 Safari/604.1"),
            5,
            "inapp",
            Some("google"),
            Some("17.5"),
        ),
        row("Telegram", app("Telegram-iOS/10.12"), 5, "inapp", Some("telegram"), Some("17.5")),
        row(
            "TikTok",
            app("musical_ly_34.6.0 JsSdk/2.0 NetType/WIFI Channel/App Store ByteLocale/en Region/US"),
            5,
            "inapp",
            Some("tiktok"),
            Some("17.5"),
        ),
        row(
            "Snapchat",
            app("Snapchat/13.0.0.34 (like Safari/8617.2.4.10.8, panda)"),
            5,
            "inapp",
            Some("snapchat"),
            Some("17.5"),
        ),
        row(
            "DingTalk",
            app("AliApp(DingTalk/7.5.30) com.laiwang.DingTalk/37067432 Channel/201200 language/zh-Hans-CN"),
            5,
            "inapp",
            Some("dingtalk"),
            Some("17.5"),
        ),
        row("Discord", app("Discord/230.0"), 5, "inapp", Some("discord"), Some("17.5")),
        row("an unknown app's web view", app(""), 5, "inapp", Some("webview"), Some("17.5")),
    ]
}

// ---------------------------------------------------------------------------------------------
// Checking the report
// ---------------------------------------------------------------------------------------------

/// Collects every failed expectation, so one run shows them all.
struct Checks {
    failures: Vec<String>,
}

impl Checks {
    fn fail(&mut self, case: &str, message: String) {
        self.failures.push(format!("[{case}] {message}"));
    }

    fn block<'a>(&mut self, case: &'a Json, id: &str) -> &'a Json {
        &case["blocks"][id]
    }

    fn visible(&mut self, case: &Json, ids: &[&str]) {
        for id in ids {
            if self.block(case, id)["visible"] != true {
                self.fail(name(case), format!("#{id} should be visible but is not"));
            }
        }
    }

    fn hidden(&mut self, case: &Json, ids: &[&str]) {
        for id in ids {
            if self.block(case, id)["visible"] != false {
                self.fail(name(case), format!("#{id} should not be visible but is"));
            }
        }
    }

    /// `upper` is visible and shows above `lower` (which is visible too).
    fn above(&mut self, case: &Json, upper: &str, lower: &str) {
        let top = |id: &str| case["blocks"][id]["top"].as_f64();
        match (top(upper), top(lower)) {
            (Some(a), Some(b)) if a < b => {}
            (a, b) => self.fail(
                name(case),
                format!("#{upper} (top {a:?}) should show above #{lower} (top {b:?})"),
            ),
        }
    }

    fn text(&mut self, case: &Json, id: &str, wanted: &str) {
        let text = self.block(case, id)["text"].as_str().unwrap_or("");
        if !text.contains(wanted) {
            self.fail(
                name(case),
                format!("#{id} should say {wanted:?}, it says {text:?}"),
            );
        }
    }

    fn equal(&mut self, case: &Json, what: &str, actual: &Json, expected: Json) {
        if *actual != expected {
            self.fail(
                name(case),
                format!("{what}: expected {expected}, got {actual}"),
            );
        }
    }

    /// Expectations shared by every visit.
    fn common(&mut self, case: &Json, origin: &str) {
        let case_name = name(case);
        for request in case["requests"].as_array().into_iter().flatten() {
            let url = request.as_str().unwrap_or("");
            if !url.starts_with(origin) {
                self.fail(
                    case_name,
                    format!("the page requested {url}, outside the site"),
                );
            }
        }
        for key in ["failed_requests", "console_errors", "page_errors"] {
            for item in case[key].as_array().into_iter().flatten() {
                self.fail(case_name, format!("{key}: {item}"));
            }
        }
        for violation in case["axe"].as_array().into_iter().flatten() {
            if matches!(violation["impact"].as_str(), Some("serious" | "critical")) {
                self.fail(
                    case_name,
                    format!(
                        "axe {} ({}): {} at {}",
                        violation["id"], violation["impact"], violation["help"], violation["nodes"]
                    ),
                );
            }
        }
    }

    fn finish(self, report: &str) {
        assert!(
            self.failures.is_empty(),
            "{} browser expectation(s) failed:\n  {}\n\n(report: {report})",
            self.failures.len(),
            self.failures.join("\n  ")
        );
    }
}

fn name(case: &Json) -> &str {
    case["name"].as_str().unwrap_or("?")
}

fn page_url(page: &str) -> String {
    format!("{BASE}{page}")
}

fn check_visit(checks: &mut Checks, case: &Json) {
    let field_install = json!(install_url(FIELD));
    let href = &case["install_href"];
    match name(case) {
        "iphone-safari" => {
            checks.equal(case, "visitor", &case["visitor"], json!("safari"));
            checks.visible(
                case,
                &[
                    "install-button",
                    "safari-fallback",
                    "page-url",
                    "copy-link",
                    "help-developer-mode",
                ],
            );
            checks.hidden(
                case,
                &[
                    "inapp",
                    "compat",
                    "other-browser",
                    "android",
                    "desktop",
                    "expired-note",
                ],
            );
            checks.above(case, "install-button", "safari-fallback");
            checks.equal(case, "install link", href, field_install);
            checks.equal(
                case,
                "clipboard after Copy link",
                &case["clipboard"],
                json!(page_url(FIELD)),
            );
        }
        "iphone-safari-dark" => {
            checks.visible(case, &["install-button", "help-trust"]);
            checks.text(case, "help-trust", "VPN & Device Management");
            checks.text(case, "help-trust", "Example Team");
            checks.hidden(case, &["help-developer-mode", "compat", "desktop"]);
            checks.equal(case, "install link", href, json!(install_url(KIOSK)));
        }
        "ipad-safari-mac-ua" => {
            checks.equal(
                case,
                "navigator.maxTouchPoints",
                &case["max_touch_points"],
                json!(5),
            );
            checks.equal(case, "visitor", &case["visitor"], json!("safari"));
            checks.visible(case, &["install-button", "safari-fallback"]);
            checks.hidden(case, &["desktop", "compat", "inapp", "android"]);
            checks.equal(case, "install link", href, json!(install_url(SKETCH)));
        }
        "mac-no-touch" => {
            checks.equal(
                case,
                "navigator.maxTouchPoints",
                &case["max_touch_points"],
                json!(0),
            );
            checks.equal(case, "visitor", &case["visitor"], json!("computer"));
            checks.visible(case, &["desktop", "page-url", "copy-link"]);
            checks.hidden(
                case,
                &[
                    "install-button",
                    "fallback-intro",
                    "inapp",
                    "compat",
                    "android",
                ],
            );
            checks.above(case, "desktop", "page-url");
            checks.equal(
                case,
                "clipboard after Copy link",
                &case["clipboard"],
                json!(page_url(FIELD)),
            );
        }
        "inapp-facebook" => {
            checks.equal(case, "visitor", &case["visitor"], json!("inapp"));
            checks.visible(
                case,
                &[
                    "inapp",
                    "inapp-how",
                    "safari-fallback",
                    "page-url",
                    "copy-link",
                    "install-button",
                ],
            );
            checks.text(case, "inapp", "Open this page in Safari");
            checks.text(case, "inapp-name", "Facebook");
            checks.text(case, "inapp-how", "Open in external browser");
            checks.hidden(case, &["desktop", "compat", "fallback-intro"]);
            checks.above(case, "inapp", "safari-fallback");
            checks.above(case, "safari-fallback", "install-button");
            checks.equal(case, "install link", href, field_install);
            checks.equal(
                case,
                "clipboard after Copy link",
                &case["clipboard"],
                json!(page_url(FIELD)),
            );
        }
        "inapp-slack-app-page" => {
            checks.equal(case, "visitor", &case["visitor"], json!("inapp"));
            checks.visible(
                case,
                &["inapp", "inapp-how", "safari-fallback", "copy-link"],
            );
            checks.text(case, "inapp-name", "Slack");
            checks.above(case, "safari-fallback", "install-button");
            checks.text(case, "page-url", &page_url(FIELD_APP));
            checks.equal(case, "install link", href, field_install);
            // Copied without navigator.clipboard: the execCommand fallback.
            checks.equal(
                case,
                "clipboard after Copy link (fallback)",
                &case["clipboard"],
                json!(page_url(FIELD_APP)),
            );
            if !case["copy_status"]
                .as_str()
                .is_some_and(|s| s.starts_with("Link copied"))
            {
                checks.fail(name(case), format!("copy status: {}", case["copy_status"]));
            }
        }
        "inapp-wechat" => {
            checks.equal(case, "visitor", &case["visitor"], json!("inapp"));
            checks.visible(case, &["inapp", "inapp-how", "help-trust"]);
            checks.text(case, "inapp-name", "WeChat");
            checks.text(case, "inapp-how", "Open in Safari");
            checks.above(case, "inapp", "install-button");
            checks.above(case, "safari-fallback", "install-button");
            checks.equal(case, "install link", href, json!(install_url(KIOSK)));
        }
        "chrome-ios" => {
            checks.equal(case, "visitor", &case["visitor"], json!("other-browser"));
            checks.visible(
                case,
                &["install-button", "other-browser", "safari-fallback"],
            );
            checks.text(case, "other-browser", "Chrome");
            checks.text(case, "other-browser", "Safari is the reliable choice");
            checks.hidden(case, &["inapp", "desktop", "compat"]);
            checks.above(case, "install-button", "other-browser");
            checks.equal(case, "install link", href, field_install);
        }
        "android" => {
            checks.equal(case, "visitor", &case["visitor"], json!("android"));
            checks.visible(case, &["android", "desktop", "page-url"]);
            checks.text(case, "android", "This is an iOS app");
            // The QR code, without the words meant for computers.
            checks.hidden(case, &["desktop-text"]);
            checks.hidden(case, &["install-button", "inapp", "compat"]);
            checks.above(case, "android", "desktop");
        }
        "iphone-ios-16-2" => {
            checks.visible(case, &["compat", "install-button"]);
            checks.text(case, "compat", "needs iOS 16.10 or later");
            checks.text(case, "compat", "runs iOS 16.2");
            checks.above(case, "compat", "install-button");
            checks.equal(case, "install link", href, field_install);
        }
        "iphone-ipad-only-build" => {
            checks.visible(case, &["compat", "install-button"]);
            checks.text(case, "compat", "iPad only");
            checks.above(case, "compat", "install-button");
        }
        "iphone-profile-valid" => {
            checks.visible(case, &["install-button", "help-developer-mode"]);
            checks.hidden(case, &["expired-note"]);
            checks.equal(case, "install link", href, json!(install_url(SOON)));
        }
        "iphone-profile-expired" => {
            checks.visible(case, &["expired-note"]);
            checks.text(case, "expired-note", "expired on 2026-01-04");
            checks.hidden(
                case,
                &[
                    "install-button",
                    "install-action",
                    "compat",
                    "inapp",
                    "fallback-intro",
                    "help",
                ],
            );
        }
        "iphone-app-store-build" => {
            checks.visible(case, &["blocked"]);
            checks.hidden(case, &["fallback-intro", "help"]);
            checks.equal(case, "install link", href, Json::Null);
        }
        "iphone-no-javascript" => {
            checks.equal(case, "visitor", &case["visitor"], Json::Null);
            checks.visible(
                case,
                &[
                    "install-button",
                    "safari-fallback",
                    "fallback-intro",
                    "page-url",
                    "desktop",
                    "help",
                ],
            );
            // Blocks that only a script can fill stay out of the way; so does a button that
            // only a script can make work.
            checks.hidden(
                case,
                &[
                    "inapp",
                    "android",
                    "compat",
                    "other-browser",
                    "expired-note",
                    "copy-link",
                ],
            );
            checks.equal(case, "install link", href, field_install);
        }
        "computer-no-javascript" => {
            checks.visible(
                case,
                &["install-button", "safari-fallback", "page-url", "desktop"],
            );
            checks.text(case, "page-url", &page_url(FIELD_APP));
            checks.equal(case, "install link", href, field_install);
        }
        "iphone-channel-section" | "iphone-channel-section-no-javascript" => {
            let channel = |name: &str| {
                let install = format!(
                    "itms-services://?action=download-manifest&url=https%3A%2F%2Fapps.example.test%2Fcom.example.field%2Fchannels%2F{name}%2Fmanifest.plist"
                );
                json!({
                    "id": format!("channel-{name}"),
                    "visible": true,
                    "in_view": name == "beta",
                    "install_href": install,
                    "qr": true,
                })
            };
            // The default channel first; the visit lands on the beta section.
            checks.equal(
                case,
                "channel sections",
                &case["channels"],
                json!([channel("stable"), channel("beta")]),
            );
            checks.equal(case, "install link", href, field_install);
        }
        "index-mac" | "index-iphone" => {
            checks.equal(
                case,
                "install block",
                &case["blocks"]["install"]["present"],
                json!(false),
            );
        }
        other => checks.fail(other, "no expectations for this case".into()),
    }
}

// ---------------------------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------------------------

#[test]
#[ignore = "needs Chromium and the npm packages (apt-get install chromium chromium-driver; npm ci)"]
fn install_pages_adapt_to_each_visitor_in_chromium() {
    let tools = tools(&["chromium", "node", "npm:playwright-core", "npm:axe-core"]);
    let started = Instant::now();
    let (dir, site) = build_site();
    let work = dir.path().to_path_buf();
    // OTASITE_KEEP_SITE=1 keeps the site and the plan, to rerun the driver by hand:
    // `node tests/browser/driver.mjs <folder>/plan.json`.
    let _cleanup = match std::env::var_os("OTASITE_KEEP_SITE") {
        Some(_) => {
            let kept = dir.keep();
            let _ = writeln!(
                std::io::stderr(),
                "browser tests: keeping {}",
                kept.display()
            );
            None
        }
        None => Some(dir),
    };
    let screenshots = target_dir().join("browser-screenshots");
    let _ = std::fs::remove_dir_all(&screenshots);
    let visits = visits();
    let table = classify_table();
    let plan = json!({
        "site": site,
        "screenshots": screenshots,
        "chromium": tools.chromium,
        "axe": tools.node_modules("axe-core/axe.min.js"),
        "cases": visits.iter().map(Visit::plan).collect::<Vec<_>>(),
        "classify_page": FIELD,
        "classify": table.iter().map(|a| json!({
            "label": a.label, "user_agent": a.user_agent, "max_touch_points": a.touch,
        })).collect::<Vec<_>>(),
    });
    let report: Json = run_driver(
        &tools,
        "driver.mjs",
        &plan,
        &work.join("plan.json"),
        Duration::from_secs(240),
    );
    let report_path = screenshots.join("report.json");
    std::fs::write(
        &report_path,
        serde_json::to_vec_pretty(&report).expect("json"),
    )
    .expect("writing the report");
    let origin = report["origin"].as_str().expect("origin").to_string();
    assert!(
        origin.starts_with("http://127.0.0.1:"),
        "served from {origin}"
    );

    let mut checks = Checks {
        failures: Vec::new(),
    };
    let cases = report["cases"].as_array().expect("cases");
    assert_eq!(cases.len(), visits.len(), "one report per visit");
    for case in cases {
        if let Some(error) = case["error"].as_str() {
            checks.fail(name(case), format!("the visit failed: {error}"));
            continue;
        }
        checks.common(case, &origin);
        check_visit(&mut checks, case);
        let shot = case["screenshot"].as_str().map(PathBuf::from);
        if !shot.as_deref().is_some_and(Path::is_file) {
            checks.fail(name(case), format!("no screenshot at {shot:?}"));
        }
    }

    // The user-agent data and the classification, on many more agents than the visits above.
    let classify = &report["classify"];
    for bad in classify["invalid_patterns"]
        .as_array()
        .into_iter()
        .flatten()
    {
        checks.fail("browsers.json", format!("pattern does not compile: {bad}"));
    }
    let ids: Vec<&str> = classify["in_app_ids"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Json::as_str)
        .collect();
    for required in [
        "facebook",
        "messenger",
        "instagram",
        "wechat",
        "line",
        "linkedin",
        "twitter",
        "slack",
        "teams",
        "gmail",
        "google",
        "telegram",
        "tiktok",
        "snapchat",
        "dingtalk",
        "discord",
    ] {
        if !ids.contains(&required) {
            checks.fail(
                "browsers.json",
                format!("no in-app browser entry {required:?}"),
            );
        }
    }
    let rows = classify["rows"].as_array().expect("classify rows");
    for (agent, row) in table.iter().zip(rows) {
        let got_id = row["in_app"].as_str().or(row["browser"].as_str());
        let got_version = row["ios_version"].as_str();
        if row["mode"] != agent.mode || got_id != agent.id || got_version != agent.ios_version {
            checks.fail(
                "classify",
                format!(
                    "{}: expected mode {}, id {:?}, iOS {:?}; got mode {}, id {got_id:?}, iOS {got_version:?}",
                    agent.label, agent.mode, agent.id, agent.ios_version, row["mode"]
                ),
            );
        }
    }
    let compare: Vec<i64> = classify["compare"]
        .as_array()
        .expect("compare")
        .iter()
        .map(|c| c["result"].as_i64().unwrap_or(99))
        .collect();
    if compare != [1, -1, 0, 1, -1] {
        checks.fail(
            "compareVersions",
            format!("16.10>16.2, 16.2<16.10, 17==17.0, 17.0.1>17.0, 9.3<10: got {compare:?}"),
        );
    }

    let _ = writeln!(
        std::io::stderr(),
        "browser tests: {} visits in Chromium {} took {:.1?}; screenshots in {}",
        cases.len(),
        report["chromium"].as_str().unwrap_or("?"),
        started.elapsed(),
        screenshots.display()
    );
    checks.finish(&report_path.display().to_string());
}

#[test]
#[ignore = "needs Java and the npm packages (apt-get install default-jre-headless; npm ci)"]
fn every_page_is_valid_html() {
    let tools = tools(&["java", "npm:vnu-jar"]);
    let (_dir, site) = build_site();
    let pages = html_pages(&site);
    // index, two app pages' worth of builds: every kind of page is in there.
    assert!(
        pages.len() >= 10,
        "expected every page of the site, found {pages:?}"
    );
    assert_valid_html(&tools, &pages, Duration::from_secs(120));
}

/// The data file itself, without a browser: each entry complete, ids unique.
#[test]
fn browser_data_file_is_complete() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/data/browsers.json");
    let data: Json =
        serde_json::from_slice(&std::fs::read(&path).expect("browsers.json")).expect("valid JSON");
    for platform in ["iphone", "ipad", "mac", "android"] {
        assert!(
            data["platforms"][platform].is_string(),
            "platforms.{platform} is missing"
        );
    }
    let mut seen = std::collections::BTreeSet::new();
    for list in ["in_app", "ios_browsers"] {
        let entries = data[list]
            .as_array()
            .unwrap_or_else(|| panic!("{list} is not a list"));
        assert!(!entries.is_empty(), "{list} is empty");
        for entry in entries {
            for key in ["id", "pattern"] {
                assert!(
                    entry[key].as_str().is_some_and(|s| !s.is_empty()),
                    "{list} entry {entry} lacks {key}"
                );
            }
            // Only the catch-all web view has no name: pages speak of "this app" in the
            // visitor's language.
            assert!(
                entry["name"].as_str().is_some_and(|s| !s.is_empty())
                    || (entry["name"].is_null() && entry["id"] == "webview"),
                "{list} entry {entry} lacks name"
            );
            assert!(
                seen.insert(entry["id"].as_str().unwrap_or_default().to_string()),
                "duplicate id in {entry}"
            );
        }
    }
}

/// One page opened under the security policy.
fn csp_visit(name: String, page: &str, user_agent: &str, copy: Option<&str>) -> Json {
    let computer = user_agent == MAC_SAFARI || user_agent == WINDOWS_CHROME;
    json!({
        "name": name,
        "path": page,
        "user_agent": user_agent,
        "max_touch_points": if computer { 0 } else { 5 },
        "mobile": !computer,
        "viewport": if computer { json!({"width": 1280, "height": 900}) } else { json!({"width": 390, "height": 844}) },
        "copy": copy,
    })
}

/// Every page of every kind (index, app pages, build pages of each distribution, the page of a
/// build that cannot be installed) under the site's Content-Security-Policy, both as the
/// `<meta>` each page carries and as the headers `_headers` gives hosts: no violation at all,
/// while the install script still adapts the page and copies the link (with the clipboard API
/// and with its fallback). An inline script inserted afterwards must be blocked and reported,
/// which shows that violations are seen.
#[test]
#[ignore = "needs Chromium and the npm packages (apt-get install chromium chromium-driver; npm ci)"]
fn no_page_violates_the_content_security_policy_in_chromium() {
    let tools = tools(&["chromium", "node", "npm:playwright-core"]);
    let (dir, site) = build_site();
    let headers_file = std::fs::read_to_string(site.join("_headers")).expect("_headers");
    let header = |name: &str| {
        let prefix = format!("  {name}: ");
        let values: std::collections::BTreeSet<&str> = headers_file
            .lines()
            .filter_map(|line| line.strip_prefix(prefix.as_str()))
            .collect();
        assert_eq!(values.len(), 1, "one {name} in _headers: {values:?}");
        values.into_iter().next().unwrap_or_default().to_string()
    };
    let policy = header("Content-Security-Policy");
    let meta_policy = policy
        .strip_suffix("; frame-ancestors 'none'")
        .expect("the header policy adds frame-ancestors")
        .to_string();

    let mut visits = Vec::new();
    let pages = html_pages(&site);
    for page in &pages {
        let relative = page
            .strip_prefix(&site)
            .expect("a page of the site")
            .to_string_lossy()
            .replace('\\', "/");
        visits.push(csp_visit(
            format!("iphone {relative}"),
            &relative,
            IPHONE_SAFARI,
            None,
        ));
    }
    visits.push(csp_visit(
        "mac copy".into(),
        FIELD,
        MAC_SAFARI,
        Some("clipboard"),
    ));
    visits.push(csp_visit(
        "slack copy fallback".into(),
        FIELD_APP,
        &slack(),
        Some("fallback"),
    ));
    visits.push(csp_visit("android".into(), KIOSK, ANDROID_CHROME, None));
    visits.push(csp_visit(
        "windows index".into(),
        "index.html",
        WINDOWS_CHROME,
        None,
    ));
    let plan = json!({
        "site": site,
        "chromium": tools.chromium,
        "headers": {
            "Content-Security-Policy": policy,
            "X-Content-Type-Options": header("X-Content-Type-Options"),
            "Referrer-Policy": header("Referrer-Policy"),
        },
        "csp_visits": visits,
    });
    let report: Json = run_driver(
        &tools,
        "driver.mjs",
        &plan,
        &dir.path().join("csp-plan.json"),
        Duration::from_secs(240),
    );
    let results = report["visits"].as_array().expect("visits");
    assert_eq!(results.len(), visits.len(), "one report per visit");

    let origin = report["origin"].as_str().expect("origin");
    let mut failures = Vec::new();
    let mut fail =
        |visit: &Json, message: String| failures.push(format!("[{}] {message}", name(visit)));
    for visit in results {
        if let Some(error) = visit["error"].as_str() {
            fail(visit, format!("the visit failed: {error}"));
            continue;
        }
        for key in ["violations", "console_before_control", "page_errors"] {
            for item in visit[key].as_array().into_iter().flatten() {
                fail(visit, format!("{key}: {item}"));
            }
        }
        if visit["meta_policy"] != json!(meta_policy) {
            fail(
                visit,
                format!("the page's <meta> policy is {}", visit["meta_policy"]),
            );
        }
        if visit["stylesheets"].as_u64() != Some(1) {
            fail(
                visit,
                format!("{} style sheets applied", visit["stylesheets"]),
            );
        }
        // Every page but the index and the install doctor has the install block that the
        // script adapts.
        let relative = visit["url"]
            .as_str()
            .and_then(|url| url.strip_prefix(origin))
            .unwrap_or_default();
        if !["index.html", "help/index.html"].contains(&relative) && visit["visitor"].is_null() {
            fail(visit, "the install script did not run".into());
        }
        if visit["control_ran"] != json!(false) {
            fail(visit, "an inline script inserted into the page ran".into());
        }
        let control = visit["control_violations"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        if !control
            .iter()
            .any(|v| v["directive"] == "script-src-elem" && v["blocked"] == "inline")
        {
            fail(
                visit,
                format!("the blocked inline script was not reported: {control:?}"),
            );
        }
        if let Some(status) = visit["copy_status"].as_str()
            && !status.starts_with("Link copied")
        {
            fail(visit, format!("copy status: {status:?}"));
        }
    }
    assert!(
        results.len() >= pages.len() && pages.len() >= 10,
        "every page was visited: {} pages",
        pages.len()
    );
    assert!(
        failures.is_empty(),
        "{} security policy failure(s) in Chromium {}:\n  {}",
        failures.len(),
        report["chromium"].as_str().unwrap_or("?"),
        failures.join("\n  ")
    );
}

// ---------------------------------------------------------------------------------------------
// Locked pages
// ---------------------------------------------------------------------------------------------

const PRIVATE_SECRET: &str = "5e1f0c9a7b3d2e4f6a8b0c1d2e3f4a5b-browser";
const PRIVATE_PASSWORD: &str = "tester's pass phrase";
const PRIVATE_NAME: &str = "Vault";

/// A site with a public app and a private one; returns it, the site's folder and the private
/// build's locked page (relative to the site).
fn build_private_site() -> (TempDir, PathBuf, String) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let builds = dir.path().join("builds");
    IpaBuilder::new("com.example.open", "Open")
        .version("1.0", "1")
        .modified(BUILT_AT - DAY)
        .write(&builds.join("Open.ipa"));
    IpaBuilder::new("com.example.vault", PRIVATE_NAME)
        .version("4.2", "42")
        .modified(BUILT_AT - DAY)
        .profile(Some(ProfileSpec::new(Kind::Enterprise)))
        .write(&builds.join("Vault.ipa"));
    let config = site::write_config(
        dir.path(),
        &site::config(
            "Private browser test builds",
            BASE,
            "builds: builds\noutput: site\napps:\n  com.example.vault:\n    private: true\n",
        ),
    );
    let output = Otasite::new(["build", "--config"])
        .args([&config])
        .dir(dir.path())
        .epoch(BUILT_AT)
        .env("OTASITE_SECRET", PRIVATE_SECRET)
        .env("OTASITE_PASSWORD", PRIVATE_PASSWORD)
        .output();
    assert!(
        output.status.success(),
        "otasite build failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let site = dir.path().join("site");
    // The private build's page: the only page two token folders deep.
    let is_token = |name: &str| name.len() == 32 && name.bytes().all(|b| b.is_ascii_hexdigit());
    let locked: Vec<String> = html_pages(&site)
        .iter()
        .map(|p| {
            p.strip_prefix(&site)
                .expect("a page of the site")
                .to_string_lossy()
                .replace('\\', "/")
        })
        .filter(|p| {
            let parts: Vec<&str> = p.split('/').collect();
            parts.len() == 3 && is_token(parts[0]) && is_token(parts[1])
        })
        .collect();
    assert_eq!(locked.len(), 1, "one private build page: {locked:?}");
    (dir, site, locked[0].clone())
}

/// The share key of a locked page, derived here from its attributes and the password.
fn share_key(html: &str, password: &str) -> String {
    use base64::Engine;
    let attribute = |name: &str| {
        let start = html
            .find(&format!("data-{name}=\""))
            .unwrap_or_else(|| panic!("the locked page has no data-{name}"))
            + name.len()
            + 7;
        let end = html[start..].find('"').expect("attribute end") + start;
        html[start..end].to_string()
    };
    let salt = base64::engine::general_purpose::STANDARD
        .decode(attribute("salt"))
        .expect("base64 salt");
    let rounds: u32 = attribute("iterations").parse().expect("rounds");
    let mut key = [0; 32];
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password.as_bytes(), &salt, rounds, &mut key);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key)
}

/// A private build's locked page in Chromium, under the site's security policy (as `<meta>`
/// and as the `_headers` header): the password opens it, and so does a share link without
/// typing; once open, the install link's manifest is a file of the site and the page offers
/// the share link that opens it; a wrong password leaves it locked with a message. No policy
/// violation or script error in any of it.
#[test]
#[ignore = "needs Chromium and the npm packages (apt-get install chromium chromium-driver; npm ci)"]
fn a_locked_page_opens_in_chromium_with_the_password_and_the_share_link() {
    let tools = tools(&["chromium", "node", "npm:playwright-core"]);
    let (dir, site, locked) = build_private_site();
    let headers_file = std::fs::read_to_string(site.join("_headers")).expect("_headers");
    let policy = headers_file
        .lines()
        .find_map(|line| line.strip_prefix("  Content-Security-Policy: "))
        .expect("a Content-Security-Policy in _headers")
        .to_string();
    let html = std::fs::read_to_string(site.join(&locked)).expect("the locked page");
    assert!(!html.contains(PRIVATE_NAME), "the locked page is encrypted");
    let key = share_key(&html, PRIVATE_PASSWORD);

    let visit = |name: &str, password: Option<&str>, hash: Option<String>| json!({ "name": name, "path": locked, "password": password, "hash": hash });
    let plan = json!({
        "site": site,
        "chromium": tools.chromium,
        "headers": { "Content-Security-Policy": policy },
        "unlock_visits": [
            visit("password", Some(PRIVATE_PASSWORD), None),
            visit("share link", None, Some(format!("#k={key}"))),
            visit("wrong password", Some("not the password"), None),
            visit("wrong share link", None, Some(format!("#k={}", "A".repeat(43)))),
        ],
    });
    let report: Json = run_driver(
        &tools,
        "driver.mjs",
        &plan,
        &dir.path().join("unlock-plan.json"),
        Duration::from_secs(240),
    );
    let results = report["visits"].as_array().expect("visits");
    assert_eq!(results.len(), 4, "one report per visit");

    let mut failures = Vec::new();
    for visit in results {
        let mut fail = |message: String| failures.push(format!("[{}] {message}", name(visit)));
        if let Some(error) = visit["error"].as_str() {
            fail(format!("the visit failed: {error}"));
            continue;
        }
        for key in ["violations", "console", "page_errors"] {
            for item in visit[key].as_array().into_iter().flatten() {
                fail(format!("{key}: {item}"));
            }
        }
        // A share link may open the page before it has finished loading.
        let typed = visit["name"] != "share link";
        if typed
            && !visit["locked_title"]
                .as_str()
                .is_some_and(|t| t.starts_with("Locked page"))
        {
            fail(format!("the page first shows {}", visit["locked_title"]));
        }
        let opens = matches!(name(visit), "password" | "share link");
        if !opens {
            if visit["still_locked"] != json!(true) || !visit["install_href"].is_null() {
                fail("the page opened".into());
            }
            let wanted = if name(visit) == "wrong password" {
                "Wrong password"
            } else {
                "The share link does not open this page"
            };
            if !visit["message"]
                .as_str()
                .is_some_and(|m| m.starts_with(wanted))
            {
                fail(format!("the message is {}", visit["message"]));
            }
            continue;
        }
        if visit["still_locked"] != json!(false) {
            fail(format!("the page stayed locked: {}", visit["message"]));
            continue;
        }
        if !visit["title"]
            .as_str()
            .is_some_and(|t| t.contains(PRIVATE_NAME))
        {
            fail(format!("the open page's title is {}", visit["title"]));
        }
        if visit["visitor"].is_null() {
            fail("the install script did not adapt the open page".into());
        }
        match visit["install_href"].as_str() {
            None => fail("the open page has no install link".into()),
            Some(href) => {
                let manifest = href
                    .strip_prefix("itms-services://?action=download-manifest&url=")
                    .map(|url| {
                        percent_encoding::percent_decode_str(url)
                            .decode_utf8_lossy()
                            .into_owned()
                    });
                let file = manifest
                    .as_deref()
                    .and_then(|url| url.strip_prefix(BASE))
                    .map(|relative| site.join(relative));
                if !file.as_ref().is_some_and(|f| f.is_file()) {
                    fail(format!("the install link {href} names no file of the site"));
                }
            }
        }
        let wanted_share = format!("#k={key}");
        if !visit["share_href"]
            .as_str()
            .is_some_and(|h| h.ends_with(&wanted_share) && h.contains(&locked))
        {
            fail(format!(
                "the share link is {}, not …{locked}{wanted_share}",
                visit["share_href"]
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} locked page failure(s) in Chromium {}:\n  {}",
        failures.len(),
        report["chromium"].as_str().unwrap_or("?"),
        failures.join("\n  ")
    );
}
