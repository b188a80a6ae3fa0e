//! A whole private site (`private: true`, one app published publicly) in Chromium and in the
//! Nu Html Checker: the locked index, app and build pages are axe-clean locked and once opened
//! (with the password or a share link), the links of the opened index and the install links of
//! the opened pages lead to files of the site, and every page is valid HTML both locked and
//! opened (opened here by decrypting the page from its documented format).
//!
//! Needs Chromium, node and `npm ci` (and Java for the checker), so these tests are ignored by
//! default; with `--include-ignored` a missing tool fails the test, naming what to install.

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value as Json, json};
use support::browser::{assert_valid_html, html_pages, run_driver, tools};
use support::ipa::{IpaBuilder, Kind, ProfileSpec};
use support::run::{Otasite, assert_ok};
use support::site;
use tempfile::TempDir;

const BASE: &str = "https://apps.example.test/";
/// The moment the site is built (SOURCE_DATE_EPOCH): 2026-01-01T00:00:00Z.
const BUILT_AT: i64 = 1_767_225_600;
const SECRET: &str = "7c2e9a1f4b6d8e0a3c5f7b9d1e3a5c7e-private-browser";
const PASSWORD: &str = "a long tester pass phrase";
const PRIVATE_NAME: &str = "Vault";

/// The private site, built; the pages the tests visit, relative to it.
struct PrivateSite {
    _dir: TempDir,
    site: PathBuf,
    app_page: String,
    build_page: String,
}

fn is_token(name: &str) -> bool {
    name.len() == 32 && name.bytes().all(|b| b.is_ascii_hexdigit())
}

fn build_private_site() -> PrivateSite {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let builds = dir.path().join("builds");
    IpaBuilder::new("com.example.open", "Open")
        .version("1.0", "1")
        .modified(BUILT_AT - 86_400)
        .write(&builds.join("Open.ipa"));
    IpaBuilder::new("com.example.vault", PRIVATE_NAME)
        .version("4.2", "42")
        .modified(BUILT_AT - 86_400)
        .profile(Some(ProfileSpec::new(Kind::Enterprise)))
        .write(&builds.join("Vault.ipa"));
    let config = site::write_config(
        dir.path(),
        &site::config(
            "Private site browser test",
            BASE,
            "builds: builds\noutput: site\nprivate: true\napps:\n  com.example.open:\n    private: false\n",
        ),
    );
    let output = Otasite::new(["build", "--config"])
        .args([&config])
        .dir(dir.path())
        .epoch(BUILT_AT)
        .env("OTASITE_SECRET", SECRET)
        .env("OTASITE_PASSWORD", PASSWORD)
        .output();
    assert_ok(&output);
    let site = dir.path().join("site");
    let private_pages: Vec<String> = html_pages(&site)
        .iter()
        .map(|p| relative(&site, p))
        .filter(|p| p.split('/').next().is_some_and(is_token))
        .collect();
    let app_page = private_pages
        .iter()
        .find(|p| p.split('/').count() == 2)
        .expect("the private app page")
        .clone();
    let build_page = private_pages
        .iter()
        .find(|p| p.split('/').count() == 3)
        .expect("the private build page")
        .clone();
    PrivateSite {
        _dir: dir,
        site,
        app_page,
        build_page,
    }
}

fn relative(site: &Path, page: &Path) -> String {
    page.strip_prefix(site)
        .expect("a page of the site")
        .to_string_lossy()
        .replace('\\', "/")
}

/// The `data-*` attribute `name` of a locked page.
fn attribute(html: &str, name: &str) -> String {
    let start = html
        .find(&format!("data-{name}=\""))
        .unwrap_or_else(|| panic!("the locked page has no data-{name}"))
        + name.len()
        + 7;
    let end = html[start..].find('"').expect("attribute end") + start;
    html[start..end].to_string()
}

/// The key the password gives for a locked page (PBKDF2-SHA-256 with its salt and rounds).
fn password_key(html: &str) -> [u8; 32] {
    let salt = STANDARD
        .decode(attribute(html, "salt"))
        .expect("base64 salt");
    let rounds: u32 = attribute(html, "iterations").parse().expect("rounds");
    let mut key = [0; 32];
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(PASSWORD.as_bytes(), &salt, rounds, &mut key);
    key
}

/// The page a locked page holds (AES-256-GCM).
fn opened(html: &str, key: &[u8; 32]) -> String {
    let nonce = STANDARD.decode(attribute(html, "nonce")).expect("nonce");
    let payload = STANDARD
        .decode(attribute(html, "payload"))
        .expect("payload");
    let cipher = Aes256Gcm::new_from_slice(key).expect("key");
    let nonce = Nonce::try_from(nonce.as_slice()).expect("12-byte nonce");
    let plain = cipher
        .decrypt(&nonce, payload.as_slice())
        .expect("the page opens with the password");
    String::from_utf8(plain).expect("UTF-8")
}

fn is_locked(html: &str) -> bool {
    html.contains("data-payload=\"")
}

/// The file of the site a URL served from `origin` names, if any.
fn file_of(site: &Path, origin: &str, url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix(origin)?;
    let rest = rest.split(['#', '?']).next().unwrap_or(rest);
    let mut path = percent_encoding::percent_decode_str(rest)
        .decode_utf8()
        .ok()?
        .into_owned();
    if path.is_empty() || path.ends_with('/') {
        path.push_str("index.html");
    }
    Some(site.join(path))
}

/// The manifest file an `itms-services:` install link names, under the site's base URL.
fn manifest_file(site: &Path, href: &str) -> Option<PathBuf> {
    let url = href.strip_prefix("itms-services://?action=download-manifest&url=")?;
    let url = percent_encoding::percent_decode_str(url)
        .decode_utf8()
        .ok()?;
    Some(site.join(url.strip_prefix(BASE)?))
}

#[test]
#[ignore = "needs Chromium and the npm packages (apt-get install chromium chromium-driver; npm ci)"]
fn a_private_sites_pages_are_axe_clean_locked_and_open_and_their_links_resolve() {
    let tools = tools(&["chromium", "node", "npm:playwright-core", "npm:axe-core"]);
    let private = build_private_site();
    let site = &private.site;
    let index = std::fs::read_to_string(site.join("index.html")).expect("index");
    assert!(
        is_locked(&index) && !index.contains(PRIVATE_NAME),
        "the index is locked"
    );
    let share = format!("#k={}", URL_SAFE_NO_PAD.encode(password_key(&index)));
    let visit = |name: &str, path: &str, password: Option<&str>, hash: Option<&str>| json!({ "name": name, "path": path, "password": password, "hash": hash });
    let plan = json!({
        "site": site,
        "chromium": tools.chromium,
        "axe": tools.node_modules("axe-core/axe.min.js"),
        "visits": [
            visit("index, locked", "index.html", None, None),
            visit("index, password", "index.html", Some(PASSWORD), None),
            visit("index, share link", "index.html", None, Some(&share)),
            visit("app page, locked", &private.app_page, None, None),
            visit("app page, share link", &private.app_page, None, Some(&share)),
            visit("build page, password", &private.build_page, Some(PASSWORD), None),
        ],
    });
    let report: Json = run_driver(
        &tools,
        "private.mjs",
        &plan,
        &private._dir.path().join("private-plan.json"),
        Duration::from_secs(300),
    );
    let origin = report["origin"].as_str().expect("origin").to_string();
    let visits = report["visits"].as_array().expect("visits");
    assert_eq!(visits.len(), 6, "one report per visit");

    let mut failures = Vec::new();
    for visit in visits {
        let name = visit["name"].as_str().unwrap_or("?");
        let mut fail = |message: String| failures.push(format!("[{name}] {message}"));
        if let Some(error) = visit["error"].as_str() {
            fail(format!("the visit failed: {error}"));
            continue;
        }
        for key in ["console", "page_errors"] {
            for item in visit[key].as_array().into_iter().flatten() {
                fail(format!("{key}: {item}"));
            }
        }
        for violation in visit["axe"].as_array().into_iter().flatten() {
            fail(format!(
                "axe {} ({}): {} at {}",
                violation["id"], violation["impact"], violation["help"], violation["nodes"]
            ));
        }
        if visit["lang"] != "en" {
            fail(format!("the page's language is {}", visit["lang"]));
        }
        let locked = name.ends_with("locked");
        if visit["still_locked"] != json!(locked) {
            fail(format!("still locked: {}", visit["still_locked"]));
            continue;
        }
        if locked {
            continue;
        }
        let title = visit["title"].as_str().unwrap_or("");
        if title.is_empty() || title.starts_with("Locked page") {
            fail(format!("the open page's title is {}", visit["title"]));
        }
        // Every link of the open page into the site names one of its files.
        let links: Vec<&str> = visit["links"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Json::as_str)
            .collect();
        for link in &links {
            if let Some(file) = file_of(site, &origin, link)
                && !file.is_file()
            {
                fail(format!("the link {link} names no file of the site"));
            }
        }
        if name.starts_with("index") {
            let app_page = format!("{origin}{}", private.app_page);
            if !links.contains(&app_page.as_str()) {
                fail(format!(
                    "the open index does not link {app_page}: {links:?}"
                ));
            }
            continue;
        }
        match visit["install_href"].as_str() {
            None => fail("the open page has no install link".into()),
            Some(href) => {
                if !manifest_file(site, href).is_some_and(|f| f.is_file()) {
                    fail(format!("the install link {href} names no file of the site"));
                }
            }
        }
        if !visit["share_href"]
            .as_str()
            .is_some_and(|h| h.ends_with(&share))
        {
            fail(format!("the share link is {}", visit["share_href"]));
        }
    }
    assert!(
        failures.is_empty(),
        "{} private site failure(s) in Chromium {}:\n  {}",
        failures.len(),
        report["chromium"].as_str().unwrap_or("?"),
        failures.join("\n  ")
    );
}

#[test]
#[ignore = "needs Java and the npm packages (apt-get install default-jre-headless; npm ci)"]
fn a_private_sites_pages_are_valid_html_locked_and_open() {
    let tools = tools(&["java", "npm:vnu-jar"]);
    let private = build_private_site();
    let site = &private.site;
    let opened_dir = private._dir.path().join("opened");
    let mut pages = html_pages(site);
    let mut locked = 0;
    for page in pages.clone() {
        let html = std::fs::read_to_string(&page).expect("a page");
        if !is_locked(&html) {
            continue;
        }
        locked += 1;
        let file = opened_dir.join(relative(site, &page));
        std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
        std::fs::write(&file, opened(&html, &password_key(&html))).expect("write");
        pages.push(file);
    }
    assert_eq!(locked, 3, "the index, the app page and the build page");
    assert_valid_html(&tools, &pages, Duration::from_secs(120));
}
