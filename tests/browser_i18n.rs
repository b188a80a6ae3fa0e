//! Languages, the Safari hand-off and the install doctor in a real browser: a site built from
//! synthetic archives, served on 127.0.0.1 and visited by headless Chromium (driven by
//! `tests/browser/i18n.mjs`) as visitors whose phones are set to Japanese, Chinese, Arabic or
//! German, without JavaScript, choosing a language in the picker, in in-app browsers on
//! several iOS versions, and as the kinds of visitor the install doctor tells apart. The
//! Nu Html Checker reads the pages of a site built in each shipped language; axe-core checks
//! the page in each language the browser switches to.
//!
//! Needs Chromium, node and `npm ci` (and Java for the checker), so these tests are ignored
//! by default; with `--include-ignored` a missing tool fails the test with what to install.

mod support;

use std::path::PathBuf;
use std::time::Duration;

use otasite::render::i18n::SHIPPED;
use serde_json::{Value as Json, json};
use support::agents::{
    ANDROID_7_CHROME, CHROME_IOS, IPHONE_SAFARI, IPHONE_SAFARI_16_2, MAC_SAFARI, WINDOWS_CHROME,
    slack_on,
};
use support::apk::ApkBuilder;
use support::browser::{assert_valid_html, html_pages, run_driver, tools};
use support::ipa::{IpaBuilder, Kind, ProfileSpec};
use support::run::{Otasite, assert_ok};
use support::site;
use support::visitors_site::{self, BUILT_AT, DAY, FIELD, KIOSK, SOON};
use tempfile::TempDir;

const HELP: &str = "help/index.html";
/// The device registration page.
const REGISTER: &str = "devices/index.html";

fn facebook_17_5() -> String {
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/468.0.0.39.110;FBSV/17.5]".into()
}

fn wechat_17_5() -> String {
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.49(0x18003129) NetType/WIFI Language/zh_CN".into()
}

/// Builds the synthetic site with `extra` in `site.yaml`.
fn build_site(extra: &str) -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let builds = dir.path().join("builds");
    visitors_site::write_archives(&builds);
    let config = site::write_config(
        dir.path(),
        &site::config(
            "Language test builds",
            "https://apps.example.test/",
            &format!("builds: builds\noutput: site\n{extra}"),
        ),
    );
    assert_ok(
        &Otasite::new(["build", "--config"])
            .args([&config])
            .dir(dir.path())
            .epoch(BUILT_AT)
            .output(),
    );
    let site = dir.path().join("site");
    (dir, site)
}

/// A site with an Android build (API level 26 at least) and device registration, and the
/// Android build's page.
fn build_android_and_devices_site() -> (TempDir, PathBuf, String) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    ApkBuilder::new("com.example.droid", "Droid")
        .version("1.0", 3)
        .min_sdk(26)
        .write(&dir.path().join("builds/Droid.apk"));
    site::write_config(
        dir.path(),
        &site::config(
            "Language test builds",
            site::BASE_URL,
            "devices:\n  endpoint: https://udid.example.test/enroll\n  email: qa@example.test\n",
        ),
    );
    assert_ok(&Otasite::new(["build", "-q"]).dir(dir.path()).output());
    let site = dir.path().join("dist");
    let catalog: Json =
        serde_json::from_slice(&std::fs::read(site.join("catalog.json")).expect("catalog.json"))
            .expect("catalog.json is JSON");
    let apk = format!(
        "{}index.html",
        catalog["apps"][0]["builds"][0]["path"]
            .as_str()
            .expect("the Android build's path")
    );
    for page in [&apk, REGISTER] {
        assert!(site.join(page).is_file(), "the site lacks {page}");
    }
    (dir, site, apk)
}

struct Visit {
    name: String,
    path: String,
    via_help_link: bool,
    user_agent: String,
    touch: u32,
    mobile: bool,
    languages: Vec<&'static str>,
    javascript: bool,
    now: Option<i64>,
    pick: Option<&'static str>,
    password: Option<&'static str>,
}

fn visit(name: &str, path: &str, user_agent: impl Into<String>) -> Visit {
    Visit {
        name: name.to_string(),
        path: path.to_string(),
        via_help_link: false,
        user_agent: user_agent.into(),
        touch: 5,
        mobile: true,
        languages: vec!["en-US"],
        javascript: true,
        now: None,
        pick: None,
        password: None,
    }
}

impl Visit {
    fn languages(mut self, languages: &[&'static str]) -> Self {
        self.languages = languages.to_vec();
        self
    }
    fn computer(mut self) -> Self {
        self.touch = 0;
        self.mobile = false;
        self
    }
    fn doctor(mut self) -> Self {
        self.via_help_link = true;
        self
    }
    fn plan(&self) -> Json {
        json!({
            "name": self.name,
            "path": self.path,
            "via_help_link": self.via_help_link,
            "user_agent": self.user_agent,
            "max_touch_points": self.touch,
            "mobile": self.mobile,
            "languages": self.languages,
            "javascript": self.javascript,
            "now_ms": self.now.map(|s| s * 1000),
            "pick": self.pick,
            "password": self.password,
        })
    }
}

/// Runs the driver over `visits` on `site`; returns the reports by visit name.
fn drive(site: &std::path::Path, work: &std::path::Path, visits: &[Visit]) -> Vec<Json> {
    let tools = tools(&["chromium", "node", "npm:playwright-core", "npm:axe-core"]);
    let plan = json!({
        "site": site,
        "chromium": tools.chromium,
        "axe": tools.node_modules("axe-core/axe.min.js"),
        "visits": visits.iter().map(Visit::plan).collect::<Vec<_>>(),
    });
    let report = run_driver(
        &tools,
        "i18n.mjs",
        &plan,
        &work.join("i18n-plan.json"),
        Duration::from_secs(300),
    );
    let visits_out = report["visits"].as_array().expect("visits").clone();
    assert_eq!(visits_out.len(), visits.len(), "one report per visit");
    visits_out
}

/// Failures collected over every visit, reported together.
#[derive(Default)]
struct Checks(Vec<String>);

impl Checks {
    fn that(&mut self, ok: bool, case: &Json, what: String) {
        if !ok {
            self.0
                .push(format!("{}: {what}", case["name"].as_str().unwrap_or("?")));
        }
    }

    fn seen(&mut self, case: &Json, field: &str, wanted: &str) {
        let got = case["seen"][field].as_str().unwrap_or("");
        self.that(
            got.contains(wanted),
            case,
            format!("{field} should contain {wanted:?}, it is {got:?}"),
        );
    }

    /// No errors, a visible body, and no serious axe violation.
    fn clean(&mut self, case: &Json) {
        if let Some(error) = case["error"].as_str() {
            self.0
                .push(format!("{}: the visit failed: {error}", case["name"]));
            return;
        }
        for key in ["console_errors", "page_errors", "failed_requests"] {
            for item in case[key].as_array().into_iter().flatten() {
                self.that(false, case, format!("{key}: {item}"));
            }
        }
        for when in ["seen", "after_pick", "after_reload"] {
            if case[when].is_object() {
                self.that(
                    case[when]["body_visible"] == json!(true)
                        && case[when]["pending"] == json!(false),
                    case,
                    format!("the page stays hidden ({when})"),
                );
            }
        }
        for axe in ["axe", "axe_after_pick"] {
            for violation in case[axe].as_array().into_iter().flatten() {
                if matches!(violation["impact"].as_str(), Some("serious" | "critical")) {
                    self.that(
                        false,
                        case,
                        format!(
                            "axe {} ({}): {}",
                            violation["id"], violation["impact"], violation["nodes"]
                        ),
                    );
                }
            }
        }
    }

    fn finish(self) {
        assert!(
            self.0.is_empty(),
            "{} expectation(s) failed:\n  {}",
            self.0.len(),
            self.0.join("\n  ")
        );
    }
}

fn by_name<'a>(cases: &'a [Json], name: &str) -> &'a Json {
    cases
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no report for {name}"))
}

#[test]
#[ignore = "needs Chromium and the npm packages (apt-get install chromium chromium-driver; npm ci)"]
fn pages_show_the_visitors_language_and_the_picker_remembers_a_choice() {
    let (dir, site) = build_site("");
    let mut visits = vec![
        visit("ja", FIELD, IPHONE_SAFARI).languages(&["ja-JP", "en-US"]),
        visit("zh-hans", FIELD, IPHONE_SAFARI).languages(&["zh-Hans-CN", "en"]),
        visit("zh-tw", FIELD, IPHONE_SAFARI).languages(&["zh-TW"]),
        visit("ar", FIELD, IPHONE_SAFARI).languages(&["ar"]),
        visit("de", FIELD, IPHONE_SAFARI).languages(&["de-DE", "en"]),
        visit("unoffered", FIELD, IPHONE_SAFARI).languages(&["nl-NL", "fy"]),
        Visit {
            javascript: false,
            ..visit("ja-without-javascript", FIELD, IPHONE_SAFARI).languages(&["ja-JP"])
        },
        Visit {
            pick: Some("fr"),
            ..visit("picker", FIELD, IPHONE_SAFARI).languages(&["ja-JP"])
        },
    ];
    // axe on the build page and the doctor in every language the browser switches to.
    for language in SHIPPED {
        visits.push(visit(&format!("axe-{language}"), KIOSK, IPHONE_SAFARI).languages(&[language]));
        visits.push(
            visit(&format!("axe-help-{language}"), HELP, IPHONE_SAFARI).languages(&[language]),
        );
    }
    let cases = drive(&site, dir.path(), &visits);
    let mut checks = Checks::default();
    for case in &cases {
        checks.clean(case);
    }
    let expect = |checks: &mut Checks, name: &str, lang: &str, dir: &str, button: &str| {
        let case = by_name(&cases, name);
        checks.seen(case, "lang", lang);
        checks.seen(case, "dir", dir);
        checks.seen(case, "install_button", button);
    };
    expect(
        &mut checks,
        "ja",
        "ja",
        "ltr",
        "Field 2.0 (20) をインストール",
    );
    expect(
        &mut checks,
        "zh-hans",
        "zh-Hans",
        "ltr",
        "安装 Field 2.0 (20)",
    );
    expect(
        &mut checks,
        "zh-tw",
        "zh-Hant",
        "ltr",
        "安裝 Field 2.0 (20)",
    );
    expect(&mut checks, "ar", "ar", "rtl", "تثبيت Field 2.0 (20)");
    expect(
        &mut checks,
        "de",
        "de",
        "ltr",
        "Field 2.0 (20) installieren",
    );
    expect(
        &mut checks,
        "unoffered",
        "en",
        "ltr",
        "Install Field 2.0 (20)",
    );
    expect(
        &mut checks,
        "ja-without-javascript",
        "en",
        "ltr",
        "Install Field 2.0 (20)",
    );
    // Texts, dates and the doctor link follow the language; app names stay.
    let ja = by_name(&cases, "ja");
    checks.seen(ja, "facts_heading", "このビルドについて");
    checks.seen(ja, "date", "2025年12月31日");
    checks.seen(ja, "fallback", "その他の原因と対処法");
    checks.that(
        ja["seen"]["picker_visible"] == json!(true),
        ja,
        "the picker is hidden".into(),
    );
    checks.seen(by_name(&cases, "de"), "date", "31. Dezember 2025");
    let plain = by_name(&cases, "ja-without-javascript");
    checks.seen(plain, "date", "2025-12-31");
    checks.that(
        plain["seen"]["picker_visible"] == json!(false),
        plain,
        "the picker shows without JavaScript".into(),
    );
    // The choice applies at once and is remembered over the phone's language.
    let picker = by_name(&cases, "picker");
    checks.seen(picker, "lang", "ja");
    for when in ["after_pick", "after_reload"] {
        let got = &picker[when];
        checks.that(
            got["lang"] == "fr"
                && got["picker_value"] == "fr"
                && got["install_button"]
                    .as_str()
                    .is_some_and(|b| b.contains("Installer Field 2.0 (20)")),
            picker,
            format!("{when}: expected French, got {got}"),
        );
    }
    for language in SHIPPED {
        let case = by_name(&cases, &format!("axe-help-{language}"));
        checks.seen(case, "lang", language);
    }
    checks.finish();
}

#[test]
#[ignore = "needs Chromium and the npm packages (apt-get install chromium chromium-driver; npm ci)"]
fn android_help_and_device_registration_follow_the_visitors_language() {
    let (dir, site, apk) = build_android_and_devices_site();
    let visits = [
        visit("android-de", &apk, ANDROID_7_CHROME).languages(&["de-DE", "en"]),
        visit("register-de", REGISTER, IPHONE_SAFARI).languages(&["de-DE", "en"]),
        visit("register-ja", REGISTER, IPHONE_SAFARI).languages(&["ja-JP"]),
    ];
    let cases = drive(&site, dir.path(), &visits);
    let mut checks = Checks::default();
    for case in &cases {
        checks.clean(case);
    }
    // German Android help, and the visitor's version worded by the script in German too.
    let android = by_name(&cases, "android-de");
    checks.seen(android, "lang", "de");
    checks.seen(
        android,
        "android_download",
        "Droid 1.0 (3) herunterladen (APK)",
    );
    checks.seen(android, "android_help", "So installierst du eine APK");
    checks.seen(
        android,
        "android_chrome",
        "Chrome: Einstellungen › Apps › Spezieller App-Zugriff › Unbekannte Apps installieren › Chrome › Dieser Quelle vertrauen.",
    );
    checks.seen(
        android,
        "android_visitor_version",
        "Android 7.0 (API-Level 24)",
    );
    checks.that(
        android["seen"]["android_old_visible"] == json!(true),
        android,
        "Android 7 is older than the build's API level 26".into(),
    );
    // The registration steps with the names iOS shows in the visitor's language.
    let german = by_name(&cases, "register-de");
    checks.seen(german, "help_heading", "Dieses Gerät registrieren");
    checks.seen(
        german,
        "register_step",
        "Öffne Einstellungen und tippe oben auf Profil geladen (oder auf Allgemein › VPN und Geräteverwaltung und dann auf das Profil).",
    );
    let japanese = by_name(&cases, "register-ja");
    checks.seen(japanese, "help_heading", "このデバイスを登録");
    checks.that(
        japanese["seen"]["register_step"]
            .as_str()
            .is_some_and(|s| s.contains("ダウンロード済みのプロファイル")),
        japanese,
        "the Japanese step names ダウンロード済みのプロファイル".into(),
    );
    checks.finish();
}

/// A locked page (a private site's index) follows the visitor's language like every page:
/// `locked.html` loads the catalogs and `i18n.js`, and `unlock.js` words its messages through
/// them.
#[test]
#[ignore = "needs Chromium and the npm packages (apt-get install chromium chromium-driver; npm ci)"]
fn a_locked_page_speaks_the_visitors_language() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    IpaBuilder::new("com.example.vault", "Vault").write(&dir.path().join("builds/Vault.ipa"));
    site::write_config(
        dir.path(),
        &site::config("Locked", site::BASE_URL, "private: true\n"),
    );
    assert_ok(
        &Otasite::new(["build", "-q"])
            .dir(dir.path())
            .env(
                "OTASITE_SECRET",
                "5d1c8e2a7f4b9c0e3a6d8f1b4e7c0a2d-locked-i18n",
            )
            .env("OTASITE_PASSWORD", "the testers' pass phrase")
            .output(),
    );
    let site = dir.path().join("dist");
    let visits = [Visit {
        password: Some("not the pass phrase"),
        ..visit("locked-de", "index.html", IPHONE_SAFARI).languages(&["de-DE", "en"])
    }];
    let cases = drive(&site, dir.path(), &visits);
    let mut checks = Checks::default();
    let locked = by_name(&cases, "locked-de");
    checks.clean(locked);
    checks.seen(locked, "lang", "de");
    checks.seen(locked, "locked_heading", "Diese Seite ist gesperrt");
    let message = locked["unlock_message"].as_str().unwrap_or_default();
    checks.that(
        message.starts_with("Falsches Passwort: Die Seite bleibt gesperrt."),
        locked,
        format!("the wrong password message is {message:?}"),
    );
    checks.finish();
}

/// LINE's in-app browser on iOS 17.5.
fn line_17_5() -> String {
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Safari Line/14.7.0".into()
}

/// A plain web view in an app no entry of browsers.json names.
fn webview_17_5() -> String {
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148".into()
}

/// A site whose pages show what otasite words from facts: what changed between two builds
/// (size, devices, distribution), an app iOS cannot install (on the index) and QR codes.
fn build_changes_site() -> (TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let builds = dir.path().join("builds");
    IpaBuilder::new("com.example.field", "Field")
        .version("1.0", "10")
        .modified(BUILT_AT - 2 * DAY)
        .set("UIDeviceFamily", vec![plist::Value::from(1)])
        .profile(Some(ProfileSpec::new(Kind::AdHoc)))
        .write(&builds.join("Field-10.ipa"));
    IpaBuilder::new("com.example.field", "Field")
        .version("2.0", "20")
        .modified(BUILT_AT - DAY)
        .set(
            "UIDeviceFamily",
            vec![plist::Value::from(1), plist::Value::from(2)],
        )
        .app_file("Padding.bin", support::ipa::noise(40_000, 3))
        .profile(Some(ProfileSpec::new(Kind::Enterprise)))
        .write(&builds.join("Field-20.ipa"));
    IpaBuilder::new("com.example.stale", "Stale")
        .modified(BUILT_AT - DAY)
        .profile(Some(
            ProfileSpec::new(Kind::AdHoc).expires(BUILT_AT - 30 * DAY),
        ))
        .write(&builds.join("Stale.ipa"));
    site::write_config(dir.path(), &site::config("Changes", site::BASE_URL, ""));
    assert_ok(
        &Otasite::new(["build", "-q"])
            .dir(dir.path())
            .epoch(BUILT_AT)
            .output(),
    );
    let site = dir.path().join("dist");
    (dir, site)
}

/// What otasite words from facts switches with the page: how to leave an in-app browser,
/// what changed (sizes with the language's decimal sign, device and distribution names),
/// why an app cannot be installed, and the QR code's label.
#[test]
#[ignore = "needs Chromium and the npm packages (apt-get install chromium chromium-driver; npm ci)"]
fn in_app_hints_changes_reasons_and_qr_labels_follow_the_visitors_language() {
    let (dir, site) = build_changes_site();
    let newer = "com.example.field/2.0-20/";
    let visits = [
        visit("line-ja", newer, line_17_5()).languages(&["ja-JP"]),
        visit("line-en", newer, line_17_5()),
        visit("webview-de", newer, webview_17_5()).languages(&["de-DE"]),
        visit("changes-de", newer, IPHONE_SAFARI).languages(&["de-DE"]),
        visit("index-ja", "index.html", IPHONE_SAFARI).languages(&["ja-JP"]),
        visit("index-en", "index.html", IPHONE_SAFARI),
    ];
    let cases = drive(&site, dir.path(), &visits);
    let mut checks = Checks::default();
    for case in &cases {
        checks.clean(case);
    }
    let line_ja = by_name(&cases, "line-ja");
    checks.seen(
        line_ja,
        "inapp_how",
        "LINE では: 右上の ⋮ をタップし、「Safariで開く」をタップします。",
    );
    checks.seen(line_ja, "qr_label", "このページのアドレスの QR コード");
    checks.seen(
        by_name(&cases, "line-en"),
        "inapp_how",
        "In LINE: Tap ⋮ at the top right, then Open in Safari.",
    );
    // An app browsers.json does not name: the general words, and no "how" line.
    let webview = by_name(&cases, "webview-de");
    checks.that(
        webview["seen"]["inapp_visible"] == json!(true)
            && webview["seen"]["inapp_how_visible"] == json!(false),
        webview,
        format!("in-app notice without a how line, got {}", webview["seen"]),
    );
    let changes = by_name(&cases, "changes-de");
    for wanted in [
        "Geräte: iPhone → iPhone, iPad",
        "Verteilung: Ad Hoc → Enterprise (intern)",
    ] {
        checks.seen(changes, "changes", wanted);
    }
    // Sizes with the German decimal comma: "Größe: 1,1 KB → 41,2 KB (+40,1 KB)".
    let size = changes["seen"]["changes"]
        .as_str()
        .and_then(|c| c.split("Größe: ").nth(1))
        .unwrap_or_default();
    let german_number = |text: &str| {
        text.split_whitespace().next().is_some_and(|n| {
            n.trim_start_matches(['+', '('])
                .split_once(',')
                .is_some_and(|(a, b)| {
                    !a.is_empty() && a.chars().chain(b.chars()).all(|c| c.is_ascii_digit())
                })
        })
    };
    let sides: Vec<&str> = size.splitn(2, " → ").collect();
    checks.that(
        sides.len() == 2
            && german_number(sides[0])
            && german_number(sides[1])
            && sides[1].contains("(+"),
        changes,
        format!("the size change is not in German numbers: {size:?}"),
    );
    checks.seen(changes, "qr_label", "QR-Code mit der Adresse dieser Seite");
    checks.seen(
        by_name(&cases, "index-ja"),
        "not_installable",
        "に期限切れになりました",
    );
    checks.seen(
        by_name(&cases, "index-en"),
        "not_installable",
        "expired on 2025-12-02",
    );
    checks.finish();
}

#[test]
#[ignore = "needs Chromium and the npm packages (apt-get install chromium chromium-driver; npm ci)"]
fn open_in_safari_shows_in_in_app_browsers_from_ios_17_5_only() {
    let (dir, site) = build_site("");
    let visits = vec![
        visit("slack-17.5", FIELD, slack_on("17_5")),
        visit("facebook-17.5", FIELD, facebook_17_5()),
        visit("slack-18.6-frozen", FIELD, slack_on("18_6")),
        visit("slack-17.4", FIELD, slack_on("17_4")),
        visit("slack-16.7", FIELD, slack_on("16_7")),
        visit("wechat-17.5", FIELD, wechat_17_5()),
        visit("safari-17.5", FIELD, IPHONE_SAFARI),
        visit("chrome-ios", FIELD, CHROME_IOS),
    ];
    let cases = drive(&site, dir.path(), &visits);
    let mut checks = Checks::default();
    for case in &cases {
        checks.clean(case);
        let name = case["name"].as_str().unwrap_or("");
        let wanted = matches!(name, "slack-17.5" | "facebook-17.5" | "slack-18.6-frozen");
        checks.that(
            case["seen"]["handoff_visible"] == json!(wanted),
            case,
            format!(
                "Open in Safari should be {}",
                if wanted { "shown" } else { "hidden" }
            ),
        );
        // Copying the link stays available wherever the page may be stuck.
        if name.starts_with("slack") || name.starts_with("wechat") || name.starts_with("facebook") {
            checks.that(
                case["seen"]["copy_visible"] == json!(true),
                case,
                "no Copy link fallback".into(),
            );
        }
    }
    let handoff = by_name(&cases, "slack-17.5");
    checks.that(
        handoff["seen"]["handoff_href"]
            == "x-safari-https://apps.example.test/com.example.field/2.0-20/",
        handoff,
        format!("hand-off link {}", handoff["seen"]["handoff_href"]),
    );
    checks.finish();
}

#[test]
#[ignore = "needs Chromium and the npm packages (apt-get install chromium chromium-driver; npm ci)"]
fn the_install_doctor_answers_first_what_fits_the_visitor() {
    let (dir, site) = build_site("");
    let expired = Visit {
        now: Some(BUILT_AT + 30 * DAY),
        ..visit("expired", SOON, IPHONE_SAFARI).doctor()
    };
    let visits = vec![
        visit("computer", FIELD, WINDOWS_CHROME).computer().doctor(),
        visit("in-app", FIELD, slack_on("17_5")).doctor(),
        visit("chrome-ios", FIELD, CHROME_IOS).doctor(),
        visit("ipad-desktop-mode", FIELD, MAC_SAFARI).doctor(),
        visit("old-ios", FIELD, IPHONE_SAFARI_16_2).doctor(),
        expired,
        visit("ad-hoc", FIELD, IPHONE_SAFARI).doctor(),
        visit("enterprise", KIOSK, IPHONE_SAFARI).doctor(),
        visit("enterprise-ja", KIOSK, IPHONE_SAFARI)
            .languages(&["ja-JP"])
            .doctor(),
    ];
    let cases = drive(&site, dir.path(), &visits);
    let mut checks = Checks::default();
    let expected = [
        ("computer", "not-ios", "Not on an iPhone or iPad"),
        ("in-app", "inapp", "Opened inside another app"),
        ("chrome-ios", "other-browser", "Not in Safari"),
        (
            "ipad-desktop-mode",
            "ipad-desktop",
            "iPad asks for desktop websites",
        ),
        ("old-ios", "old-ios", "iOS is older than the build needs"),
        ("expired", "expired", "The build has expired"),
        ("ad-hoc", "unregistered", "Device not registered"),
        ("enterprise", "enterprise-trust", "VPN & Device Management"),
        ("enterprise-ja", "enterprise-trust", "VPNとデバイス管理"),
    ];
    for (name, cause, text) in expected {
        let case = by_name(&cases, name);
        checks.clean(case);
        checks.seen(case, "doctor_first", cause);
        checks.seen(case, "doctor_top_section", &format!("cause-{cause}"));
        checks.seen(case, "doctor_top_text", text);
        checks.that(
            case["help_link"]
                .as_str()
                .is_some_and(|l| l.contains("help/index.html?kind=")),
            case,
            format!("followed {}", case["help_link"]),
        );
    }
    checks.seen(
        by_name(&cases, "enterprise"),
        "doctor_top_text",
        "Most likely for you",
    );
    checks.seen(
        by_name(&cases, "enterprise-ja"),
        "doctor_top_text",
        "最も可能性が高い原因",
    );
    checks.seen(
        by_name(&cases, "enterprise-ja"),
        "title",
        "インストールのヘルプ · Language test builds",
    );
    checks.finish();
}

#[test]
#[ignore = "needs Java and the npm packages (apt-get install default-jre-headless; npm ci)"]
fn every_page_in_every_language_is_valid_html() {
    let tools = tools(&["java", "npm:vnu-jar"]);
    let mut sites = Vec::new();
    let mut pages = Vec::new();
    for language in SHIPPED {
        let (dir, site) = build_site(&format!("language: {language}\n"));
        let html = std::fs::read_to_string(site.join("index.html")).expect("index");
        assert!(
            html.contains(&format!("<html lang=\"{language}\"")),
            "{language}: the index is not in that language"
        );
        pages.extend(html_pages(&site));
        sites.push(dir);
    }
    assert!(pages.len() >= SHIPPED.len() * 7, "found only {pages:?}");
    // What changed, and an app iOS cannot install on the index.
    let (dir, site) = build_changes_site();
    pages.extend(html_pages(&site));
    sites.push(dir);
    assert_valid_html(&tools, &pages, Duration::from_secs(300));
}
