//! Private apps on a public static host: a site with a public and a private app publishes
//! nothing of the private one outside its token folders and encrypted pages; the pages open
//! with the password or a share link's key and with nothing else; the tokens follow the
//! secret. Decryption here is written from the format (PBKDF2-SHA-256, AES-256-GCM, base64
//! attributes), not with otasite's own code.

mod support;

use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use support::https::{Reply, Server, TestCa};
use support::ipa::IpaBuilder;
use support::run::{Otasite, assert_ok, tree};
use support::site;

const SECRET: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f0-test-secret";
const PASSWORD: &str = "correct horse battery";
const PRIVATE_ID: &str = "com.acme.zephyrsecret";
const PRIVATE_NAME: &str = "Zephyr Clandestine";
const PRIVATE_VERSION: &str = "7.31.4";

fn make_site(dir: &Path) {
    let extra = format!("apps:\n  {PRIVATE_ID}:\n    private: true\n");
    site::write_config(dir, &site::config("Acme builds", site::BASE_URL, &extra));
    make_site_archives(dir);
}

fn make_site_archives(dir: &Path) {
    IpaBuilder::new("com.example.open", "Open App")
        .version("1.0", "1")
        .modified(1_714_564_800)
        .write(&dir.join("builds/Open App.ipa"));
    IpaBuilder::new(PRIVATE_ID, PRIVATE_NAME)
        .version(PRIVATE_VERSION, "9041")
        .modified(1_714_568_400)
        .write(&dir.join(format!("builds/beta/{PRIVATE_NAME}.ipa")));
}

fn build(dir: &Path, secret: &str) -> String {
    let output = Otasite::new(["build"])
        .dir(dir)
        .env("OTASITE_SECRET", secret)
        .env("OTASITE_PASSWORD", PASSWORD)
        .output();
    let stdout = assert_ok(&output);
    let said = format!("{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(!said.contains(secret) && !said.contains(PASSWORD), "{said}");
    said
}

fn is_token(name: &str) -> bool {
    name.len() == 32 && name.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The private app's folder (the only token folder at the root) and its build's folder.
fn tokens(dist: &Path) -> (String, String) {
    let roots: Vec<String> = std::fs::read_dir(dist)
        .expect("dist")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|name| is_token(name))
        .collect();
    assert_eq!(roots.len(), 1, "one private app folder: {roots:?}");
    let app = roots[0].clone();
    let builds: Vec<String> = std::fs::read_dir(dist.join(&app))
        .expect("app folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|name| is_token(name))
        .collect();
    assert_eq!(builds.len(), 1, "one private build folder: {builds:?}");
    (app, builds[0].clone())
}

/// The attribute `name` of the page's `#locked` element.
fn attribute<'a>(html: &'a str, name: &str) -> &'a str {
    let start = html
        .find(&format!("data-{name}=\""))
        .unwrap_or_else(|| panic!("no data-{name} in {html}"))
        + name.len()
        + 7;
    let end = html[start..].find('"').expect("attribute end") + start;
    &html[start..end]
}

fn password_key(html: &str, password: &str) -> [u8; 32] {
    let salt = STANDARD.decode(attribute(html, "salt")).expect("salt");
    let rounds: u32 = attribute(html, "iterations").parse().expect("rounds");
    assert!(rounds >= 600_000, "{rounds}");
    assert!(salt.len() >= 16, "salt of {} bytes", salt.len());
    let mut key = [0; 32];
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password.as_bytes(), &salt, rounds, &mut key);
    key
}

fn decrypt(html: &str, key: &[u8]) -> Option<String> {
    let nonce = STANDARD.decode(attribute(html, "nonce")).expect("nonce");
    let payload = STANDARD
        .decode(attribute(html, "payload"))
        .expect("payload");
    let cipher = Aes256Gcm::new_from_slice(key).expect("key");
    let nonce = Nonce::try_from(nonce.as_slice()).expect("12-byte nonce");
    let plain = cipher.decrypt(&nonce, payload.as_slice()).ok()?;
    Some(String::from_utf8(plain).expect("UTF-8 page"))
}

/// `html` without the encrypted payload: what anyone can read of a locked page.
fn outside_payload(html: &str) -> String {
    let payload = attribute(html, "payload");
    html.replace(payload, "")
}

#[test]
fn nothing_public_reveals_the_private_app_and_its_pages_open_only_with_the_key() {
    let temp = tempfile::tempdir().expect("temp");
    let dir = temp.path();
    make_site(dir);
    build(dir, SECRET);
    let dist = dir.join("dist");
    let (app_token, build_token) = tokens(&dist);
    let private_root = format!("{app_token}/");

    let needles = [
        PRIVATE_ID,
        PRIVATE_NAME,
        "Zephyr",
        PRIVATE_VERSION,
        "9041",
        &app_token,
        &build_token,
        PASSWORD,
        SECRET,
    ];
    let mut locked_pages = Vec::new();
    for (path, bytes) in tree(&dist) {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let inside = path.starts_with(&private_root);
        // What iOS fetches from the token folder has to say what it installs.
        let for_the_installer =
            path.ends_with(".plist") || path.ends_with(".ipa") || path.ends_with(".png");
        let readable = if inside && for_the_installer {
            String::new()
        } else if inside && path.ends_with(".html") {
            locked_pages.push((path.clone(), text.clone()));
            outside_payload(&text)
        } else {
            text
        };
        // Inside the token folders a file's name is the tokens and what follows them.
        let name_shown = path
            .replace(&format!("{app_token}/{build_token}/"), "")
            .replace(&private_root, "");
        for needle in needles {
            assert!(!readable.contains(needle), "{path} mentions {needle:?}");
            assert!(
                !name_shown.contains(needle),
                "the file name {path} shows {needle:?}"
            );
        }
    }
    assert!(dist.join("index.html").is_file() && dist.join("com.example.open").is_dir());
    let index = std::fs::read_to_string(dist.join("index.html")).expect("index");
    assert!(index.contains("Open App"), "the public app stays listed");
    let robots = std::fs::read_to_string(dist.join("robots.txt")).expect("robots.txt");
    assert!(robots.contains("Disallow: /"), "{robots}");
    assert!(
        dist.join(format!("{app_token}/{build_token}/app.ipa"))
            .is_file(),
        "the archive under its token folder, with a name that says nothing"
    );

    assert_eq!(locked_pages.len(), 2, "the app page and the build page");
    for (path, html) in &locked_pages {
        assert!(html.contains("noindex"), "{path}");
        assert!(!html.contains("<script>"), "no inline script: {path}");
        let key = password_key(html, PASSWORD);
        let page = decrypt(html, &key).unwrap_or_else(|| panic!("{path} opens"));
        assert!(
            page.contains(PRIVATE_NAME) && page.contains(PRIVATE_ID),
            "{path}"
        );
        let share = URL_SAFE_NO_PAD.encode(key);
        let shared = URL_SAFE_NO_PAD.decode(share).expect("share key");
        assert_eq!(decrypt(html, &shared).as_deref(), Some(page.as_str()));
        assert!(
            decrypt(html, &password_key(html, "wrong horse")).is_none(),
            "{path}"
        );

        // Once open, the install link's manifest is a file of the site under the tokens.
        let install = page
            .split("itms-services://?action=download-manifest&amp;url=")
            .nth(1)
            .unwrap_or_else(|| panic!("{path} has an install link"));
        let manifest = install.split('"').next().expect("href end");
        let manifest = percent_decode(manifest);
        let relative = manifest
            .strip_prefix(site::BASE_URL)
            .unwrap_or_else(|| panic!("{manifest} is on the site"));
        assert!(relative.starts_with(&private_root), "{relative}");
        assert!(dist.join(relative).is_file(), "{relative} resolves");
    }
}

fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .expect("UTF-8")
        .into_owned()
}

#[test]
fn the_same_secret_keeps_the_paths_and_a_new_one_moves_them() {
    let temp = tempfile::tempdir().expect("temp");
    let dir = temp.path();
    make_site(dir);
    build(dir, SECRET);
    let dist = dir.join("dist");
    let first = tokens(&dist);
    let first_tree = tree(&dist);

    // A build from nothing (as in CI) with the same secret: the same folders, the same bytes.
    std::fs::remove_dir_all(&dist).expect("remove dist");
    for entry in std::fs::read_dir(dir).expect("site") {
        let path = entry.expect("entry").path();
        if path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with(".dist."))
        {
            std::fs::remove_dir_all(&path).expect("remove the cache");
        }
    }
    build(dir, SECRET);
    assert_eq!(tokens(&dist), first);
    assert!(
        tree(&dist) == first_tree,
        "same secret and inputs, same site"
    );

    build(dir, &format!("{SECRET}-rotated"));
    let second = tokens(&dist);
    assert_ne!(second.0, first.0);
    assert_ne!(second.1, first.1);
    assert!(!dist.join(&first.0).exists(), "the old folder is gone");
    for (path, bytes) in tree(&dist) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains(&first.0) && !text.contains(&first.1),
            "{path}"
        );
    }
}

#[test]
fn a_private_app_without_the_secret_is_a_usage_error() {
    let temp = tempfile::tempdir().expect("temp");
    let dir = temp.path();
    make_site(dir);
    let output = Otasite::new(["build"])
        .dir(dir)
        .env("OTASITE_PASSWORD", PASSWORD)
        .output();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("site.yaml:5") && stderr.contains("OTASITE_SECRET"),
        "{stderr}"
    );
    assert!(!stderr.contains(PASSWORD), "{stderr}");
    assert!(!dir.join("dist").exists());
}

/// `otasite check` in `dir` (the site's folder), with the password or without it.
fn check(dir: &Path, password: Option<&str>, extra: &[&str]) -> (bool, String) {
    // check needs no secret: only the password, to open the locked pages.
    let mut run = Otasite::new(["check"]).args(extra).dir(dir);
    if let Some(password) = password {
        run = run.env("OTASITE_PASSWORD", password);
    }
    let output = run.output();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!said.contains(SECRET) && !said.contains(PASSWORD), "{said}");
    (output.status.success(), said)
}

#[test]
fn check_opens_every_locked_page_and_finds_private_names_in_public_files() {
    let temp = tempfile::tempdir().expect("temp");
    let dir = temp.path();
    make_site(dir);
    build(dir, SECRET);
    let dist = dir.join("dist");
    let (app_token, build_token) = tokens(&dist);

    let (ok, said) = check(dir, Some(PASSWORD), &[]);
    assert!(
        ok && !said.contains("error:") && !said.contains("warning:"),
        "{said}"
    );

    // Without the password the pages cannot be verified: said, but not a failure, whether
    // check finds the site through site.yaml or is given its folder (check reads site.yaml
    // without asking for the keys a build needs).
    for args in [&[][..], &["dist"][..]] {
        let (ok, said) = check(dir, None, args);
        assert!(ok, "check {args:?}: {said}");
        assert!(
            said.contains("warning:")
                && said.contains("2 locked page(s) not verified")
                && said.contains("OTASITE_PASSWORD"),
            "check {args:?}: {said}"
        );
    }

    let (ok, said) = check(dir, Some("wrong horse"), &[]);
    assert!(!ok, "{said}");
    assert!(
        said.matches("does not open with the password in OTASITE_PASSWORD")
            .count()
            == 2,
        "{said}"
    );
    assert!(
        !said.contains(&app_token),
        "findings never print a token: {said}"
    );

    // A public file that names the private app, or one of its tokens.
    let robots = dist.join("robots.txt");
    let original = std::fs::read_to_string(&robots).expect("robots.txt");
    std::fs::write(&robots, format!("{original}# {PRIVATE_ID}\n")).expect("write");
    let headers = dist.join("_headers");
    let original_headers = std::fs::read_to_string(&headers).expect("_headers");
    std::fs::write(&headers, format!("{original_headers}/{app_token}/*\n")).expect("write");
    let (ok, said) = check(dir, Some(PASSWORD), &[]);
    assert!(!ok, "{said}");
    assert!(
        said.contains(&format!(
            "error: robots.txt: is public and mentions the private app {PRIVATE_ID:?}"
        )),
        "{said}"
    );
    assert!(
        said.contains("error: _headers: is public and mentions a private folder's token"),
        "{said}"
    );
    assert!(!said.contains(&app_token), "{said}");
    std::fs::write(&robots, original).expect("restore");
    std::fs::write(&headers, original_headers).expect("restore");

    // An archive missing from its token folder: the opened pages' manifest names it.
    std::fs::remove_file(dist.join(format!("{app_token}/{build_token}/app.ipa"))).expect("rm");
    let (ok, said) = check(dir, Some(PASSWORD), &[]);
    assert!(!ok, "{said}");
    assert!(
        said.contains(&format!(
            "names {}…/{}…/app.ipa, which the site lacks",
            &app_token[..6],
            &build_token[..6]
        )),
        "{said}"
    );
}

/// Serves `root` over HTTPS (files as they are, 404 otherwise).
fn serve(root: std::path::PathBuf, listener: std::net::TcpListener, ca: &TestCa) -> Server {
    let handler = move |_method: &str, target: &str| -> Reply {
        let path = percent_decode(target.split('?').next().unwrap_or(target));
        let mut file = root.join(path.trim_start_matches('/'));
        if path.ends_with('/') {
            file = file.join("index.html");
        }
        match std::fs::read(&file) {
            Ok(body) if !path.contains("..") => (
                "200 OK",
                vec![
                    ("Content-Type", content_type(&file).to_string()),
                    ("Content-Length", body.len().to_string()),
                ],
                body,
            ),
            _ => (
                "404 Not Found",
                vec![("Content-Length", "0".to_string())],
                Vec::new(),
            ),
        }
    };
    Server::start(
        listener,
        ca.server_config(&["127.0.0.1"]),
        std::sync::Arc::new(handler),
    )
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "plist" => "text/xml",
        "png" => "image/png",
        "json" => "application/json",
        "html" => "text/html; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[test]
fn check_remote_opens_the_deployed_locked_pages_and_follows_their_token_links() {
    let temp = tempfile::tempdir().expect("temp");
    let dir = temp.path();
    let (listener, port) = Server::bind();
    let base = format!("https://127.0.0.1:{port}/");
    let extra = format!("apps:\n  {PRIVATE_ID}:\n    private: true\n");
    site::write_config(dir, &site::config("Acme builds", &base, &extra));
    make_site_archives(dir);
    build(dir, SECRET);
    let dist = dir.join("dist");
    let (app_token, build_token) = tokens(&dist);
    // The deployed copy, which the test then damages.
    let served = dir.join("served");
    for (path, bytes) in tree(&dist) {
        let file = served.join(path);
        std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
        std::fs::write(file, bytes).expect("copy");
    }
    let ca = TestCa::new("otasite private test CA");
    let ca_file = dir.join("ca.pem");
    std::fs::write(&ca_file, &ca.pem).expect("CA");
    let _server = serve(served.clone(), listener, &ca);
    let remote = |password: Option<&str>| {
        let mut run = Otasite::new(["check", "dist", "--remote", &base, "--timeout", "10"])
            .dir(dir)
            .env("OTASITE_EXTRA_CA_CERT", &ca_file)
            .env("OTASITE_SECRET", SECRET);
        if let Some(password) = password {
            run = run.env("OTASITE_PASSWORD", password);
        }
        let output = run.output();
        let said = String::from_utf8_lossy(&output.stdout).into_owned();
        (output.status.success(), said)
    };

    let (ok, said) = remote(Some(PASSWORD));
    assert!(ok && !said.contains("error:"), "{said}");
    let (ok, said) = remote(None);
    assert!(
        ok && said.contains("2 locked page(s) not verified"),
        "{said}"
    );
    let (ok, said) = remote(Some("wrong horse"));
    assert!(
        !ok && said.contains("does not open with the password"),
        "{said}"
    );

    std::fs::remove_file(served.join(format!("{app_token}/{build_token}/manifest.plist")))
        .expect("rm");
    let index = served.join("index.html");
    let html = std::fs::read_to_string(&index).expect("index");
    std::fs::write(
        &index,
        html.replace("</body>", &format!("{PRIVATE_NAME}</body>")),
    )
    .expect("write");
    let (ok, said) = remote(Some(PASSWORD));
    assert!(!ok, "{said}");
    assert!(
        said.contains(&format!(
            "error: {base}index.html: is public and mentions the private app {PRIVATE_NAME:?}"
        )),
        "{said}"
    );
    assert!(
        said.contains(&format!(
            "links to {base}{}…/{}…/manifest.plist, which answers HTTP 404",
            &app_token[..6],
            &build_token[..6]
        )),
        "{said}"
    );
    assert!(!said.contains(&app_token), "{said}");
}
