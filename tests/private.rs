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
    build_with(dir, secret, &[])
}

/// `otasite build` with more arguments; nothing it says shows the secret or the password.
fn build_with(dir: &Path, secret: &str, args: &[&str]) -> String {
    build_env(dir, secret, PASSWORD, args, &[])
}

/// `otasite build` with `args`, the keys and more of the environment.
fn build_env(
    dir: &Path,
    secret: &str,
    password: &str,
    args: &[&str],
    env: &[(&str, &Path)],
) -> String {
    let mut run = Otasite::new(["build"])
        .args(args)
        .dir(dir)
        .env("OTASITE_SECRET", secret)
        .env("OTASITE_PASSWORD", password);
    for (key, value) in env {
        run = run.env(key, value);
    }
    let output = run.output();
    let stdout = assert_ok(&output);
    let said = format!("{stdout}{}", String::from_utf8_lossy(&output.stderr));
    assert!(!said.contains(secret) && !said.contains(password), "{said}");
    said
}

/// Removes the site's output and its build cache, as a CI job starts.
fn remove_output_and_cache(dir: &Path) {
    for entry in std::fs::read_dir(dir).expect("site") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        if name == "dist" || name.starts_with(".dist.") {
            std::fs::remove_dir_all(&path).expect("remove");
        }
    }
}

fn copy_tree(from: &Path, to: &Path) {
    for (path, bytes) in tree(from) {
        let file = to.join(path);
        std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
        std::fs::write(file, bytes).expect("copy");
    }
}

/// The salt of the site's locked pages (every locked page of a site has the same).
fn salt_of(dist: &Path) -> String {
    let salts: std::collections::BTreeSet<String> = tree(dist)
        .into_iter()
        .filter(|(path, _)| path.ends_with(".html"))
        .map(|(_, bytes)| String::from_utf8_lossy(&bytes).into_owned())
        .filter(|html| html.contains("data-salt=\""))
        .map(|html| attribute(&html, "salt").to_string())
        .collect();
    assert_eq!(salts.len(), 1, "one salt per site: {salts:?}");
    salts.into_iter().next().expect("a salt")
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

    // A build from nothing (as in CI: no output, no cache) with the same secret, given the
    // deployed site: the same folders, the same bytes (the salt comes from its private catalog).
    let deployed = temp.path().join("deployed");
    copy_tree(&dist, &deployed);
    remove_output_and_cache(dir);
    let previous = deployed.join("catalog.json");
    build_with(dir, SECRET, &["--previous", &previous.to_string_lossy()]);
    assert_eq!(tokens(&dist), first);
    assert!(
        tree(&dist) == first_tree,
        "same secret and inputs, same site"
    );

    // From nothing without the deployed site: the same folders, but a new random salt.
    remove_output_and_cache(dir);
    build(dir, SECRET);
    assert_eq!(tokens(&dist), first);
    assert_ne!(salt_of(&dist), salt_of(&deployed));

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
            == 3,
        "two locked pages and the private catalog: {said}"
    );
    assert!(
        said.contains("error: catalog.locked.json: does not open with the password"),
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
    copy_tree(&dist, &served);
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

/// The locked pages of a built site: (path, html).
fn locked_pages(dist: &Path) -> Vec<(String, String)> {
    tree(dist)
        .into_iter()
        .filter(|(path, _)| path.ends_with(".html"))
        .map(|(path, bytes)| (path, String::from_utf8_lossy(&bytes).into_owned()))
        .filter(|(_, html)| html.contains("data-payload=\""))
        .collect()
}

#[test]
fn the_salt_is_random_per_site_kept_by_rebuilds_and_new_when_asked_or_with_a_new_secret() {
    let temp = tempfile::tempdir().expect("temp");
    let dir = temp.path().join("one");
    make_site(&dir);
    build(&dir, SECRET);
    let dist = dir.join("dist");
    let salt = salt_of(&dist);
    let (app_token, _) = tokens(&dist);
    let app_page = || std::fs::read_to_string(dist.join(&app_token).join("index.html")).unwrap();
    let share = password_key(&app_page(), PASSWORD);

    // Another site with the same secret and password draws its own salt.
    let other = temp.path().join("two");
    make_site(&other);
    build(&other, SECRET);
    assert_ne!(salt_of(&other.join("dist")), salt, "a salt per site");

    // A new build of the private app: same salt, and build 1's share link opens every page of
    // build 2, the new build's page included.
    IpaBuilder::new(PRIVATE_ID, PRIVATE_NAME)
        .version("7.32.0", "9042")
        .modified(1_714_572_000)
        .write(&dir.join(format!("builds/beta/{PRIVATE_NAME} 2.ipa")));
    build(&dir, SECRET);
    assert_eq!(salt_of(&dist), salt, "the salt is kept");
    let pages = locked_pages(&dist);
    assert_eq!(pages.len(), 3, "the app page and two build pages");
    for (path, html) in &pages {
        let page = decrypt(html, &share).unwrap_or_else(|| panic!("build 1's key opens {path}"));
        assert!(page.contains(PRIVATE_NAME), "{path}");
    }
    assert!(
        pages
            .iter()
            .any(|(_, html)| decrypt(html, &share).is_some_and(|p| p.contains("7.32.0"))),
        "the new build's page opens with the old share link"
    );

    // Asked for: a new salt; the old share link stops working, the password still opens.
    build_with(&dir, SECRET, &["--new-salt"]);
    let rotated = salt_of(&dist);
    assert_ne!(rotated, salt);
    assert!(
        decrypt(&app_page(), &share).is_none(),
        "old share links die"
    );
    assert!(decrypt(&app_page(), &password_key(&app_page(), PASSWORD)).is_some());
    build(&dir, SECRET);
    assert_eq!(salt_of(&dist), rotated, "the new salt is kept in turn");

    // A new secret draws a new salt too.
    let secret = format!("{SECRET}-rotated");
    build(&dir, &secret);
    assert_ne!(salt_of(&dist), rotated, "a new secret, a new salt");
}

/// A whole private site (`private: true`) with one app published publicly.
fn make_private_site(dir: &Path, base: &str, extra: &str) {
    let extra = format!("private: true\n{extra}apps:\n  com.example.open:\n    private: false\n");
    site::write_config(dir, &site::config("Acme builds", base, &extra));
}

/// The private catalog of a site opened with `key`, read by its documented format.
fn open_private_catalog(file: &Path, password: &str) -> serde_json::Value {
    let envelope: serde_json::Value =
        serde_json::from_slice(&std::fs::read(file).expect("catalog.locked.json")).expect("JSON");
    assert_eq!(envelope["format"], "otasite-locked-catalog/1");
    assert_eq!(envelope["cipher"], "AES-256-GCM");
    assert_eq!(envelope["kdf"], "PBKDF2-SHA-256");
    // The same attributes as a locked page: read through the page helpers.
    let html = format!(
        "<div data-salt=\"{}\" data-iterations=\"{}\" data-nonce=\"{}\" data-payload=\"{}\"></div>",
        envelope["salt"].as_str().expect("salt"),
        envelope["iterations"],
        envelope["nonce"].as_str().expect("nonce"),
        envelope["payload"].as_str().expect("payload"),
    );
    let plain = decrypt(&html, &password_key(&html, password)).expect("opens");
    serde_json::from_str(&plain).expect("a catalog")
}

fn app_ids(catalog: &serde_json::Value) -> Vec<&str> {
    catalog["apps"]
        .as_array()
        .expect("apps")
        .iter()
        .map(|app| app["bundle_id"].as_str().expect("bundle_id"))
        .collect()
}

#[test]
fn a_private_site_locks_its_index_and_seals_its_whole_catalog() {
    let temp = tempfile::tempdir().expect("temp");
    let dir = temp.path();
    make_private_site(dir, site::BASE_URL, "");
    make_site_archives(dir);
    build(dir, SECRET);
    let dist = dir.join("dist");
    let (app_token, build_token) = tokens(&dist);

    // The index is locked; it opens to every app, and its links are files of the site.
    let index = std::fs::read_to_string(dist.join("index.html")).expect("index");
    assert!(
        index.contains("noindex") && !index.contains("Open App"),
        "{index}"
    );
    let key = password_key(&index, PASSWORD);
    let opened = decrypt(&index, &key).expect("the index opens with the password");
    assert!(opened.contains(PRIVATE_NAME) && opened.contains("Open App"));
    let shared = URL_SAFE_NO_PAD
        .decode(URL_SAFE_NO_PAD.encode(key))
        .expect("key");
    assert_eq!(decrypt(&index, &shared).as_deref(), Some(opened.as_str()));
    assert!(decrypt(&index, &password_key(&index, "wrong horse")).is_none());
    let app_links: Vec<&str> = opened
        .split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|href| href.ends_with("/index.html") && !href.contains("://"))
        .collect();
    assert!(
        app_links.contains(&format!("{app_token}/index.html").as_str()),
        "{app_links:?}"
    );
    for link in &app_links {
        assert!(dist.join(link).is_file(), "{link} resolves");
    }

    // The public catalog lists the public app only; the private one lists both.
    let public: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dist.join("catalog.json")).expect("catalog"))
            .expect("JSON");
    assert_eq!(app_ids(&public), ["com.example.open"]);
    let whole = open_private_catalog(&dist.join("catalog.locked.json"), PASSWORD);
    let mut ids = app_ids(&whole);
    ids.sort();
    assert_eq!(ids, ["com.acme.zephyrsecret", "com.example.open"]);
    let private_app = whole["apps"]
        .as_array()
        .expect("apps")
        .iter()
        .find(|app| app["bundle_id"] == PRIVATE_ID)
        .expect("the private app");
    assert_eq!(private_app["private"], true);
    let manifest = private_app["builds"][0]["manifest_url"]
        .as_str()
        .expect("manifest_url");
    assert_eq!(
        manifest,
        format!("{}{app_token}/{build_token}/manifest.plist", site::BASE_URL)
    );
    assert!(dist.join(&manifest[site::BASE_URL.len()..]).is_file());

    // Nothing readable names the private app: not the feed, not the public catalog, not the
    // readable part of the locked index or of the private catalog.
    let sealed = std::fs::read_to_string(dist.join("catalog.locked.json")).expect("sealed");
    let payload: serde_json::Value = serde_json::from_str(&sealed).expect("JSON");
    let payload = payload["payload"].as_str().expect("payload").to_string();
    for (path, bytes) in tree(&dist) {
        if path.starts_with(&format!("{app_token}/")) {
            continue;
        }
        let text = String::from_utf8_lossy(&bytes).replace(&payload, "");
        let text = if text.contains("data-payload=\"") {
            outside_payload(&text)
        } else {
            text
        };
        for needle in [
            PRIVATE_ID,
            PRIVATE_NAME,
            PRIVATE_VERSION,
            &app_token,
            &build_token,
        ] {
            assert!(!text.contains(needle), "{path} mentions {needle:?}");
        }
    }

    // check opens the index and the private catalog with the password, and says so when not.
    let (ok, said) = check(dir, Some(PASSWORD), &[]);
    assert!(
        ok && !said.contains("error:") && !said.contains("warning:"),
        "{said}"
    );
    let (ok, said) = check(dir, Some("wrong horse"), &[]);
    assert!(!ok, "{said}");
    for subject in ["index.html", "catalog.locked.json"] {
        assert!(
            said.contains(&format!(
                "error: {subject}: does not open with the password in OTASITE_PASSWORD"
            )),
            "{subject}: {said}"
        );
    }
    let (ok, said) = check(dir, None, &[]);
    assert!(
        ok && said.contains("3 locked page(s) not verified, nor the private catalog"),
        "{said}"
    );
    // A private manifest gone: found through the opened pages and the private catalog.
    std::fs::remove_file(dist.join(format!("{app_token}/{build_token}/manifest.plist")))
        .expect("rm");
    let (ok, said) = check(dir, Some(PASSWORD), &[]);
    assert!(!ok, "{said}");
    assert!(
        said.contains(&format!(
            "{}…/{}…/manifest.plist, which the site lacks",
            &app_token[..6],
            &build_token[..6]
        )),
        "{said}"
    );
    assert!(!said.contains(&app_token), "{said}");
}

/// The private builds `--previous` keeps on a private site, from the deployed copy in a folder
/// and over HTTPS; with another password they are not kept (and the build says so); `check
/// --remote` opens the deployed index and private catalog.
#[test]
fn previous_keeps_a_private_sites_builds_from_its_private_catalog() {
    let temp = tempfile::tempdir().expect("temp");
    let (listener, port) = Server::bind();
    let base = format!("https://127.0.0.1:{port}/");
    // The archives are hosted apart from the site (as `--previous` needs), here by the same
    // server.
    let archives = format!("ipa_base_url: \"{base}ipas/\"\n");
    let archives = archives.as_str();
    let first = temp.path().join("first");
    make_private_site(&first, &base, archives);
    make_site_archives(&first);
    build(&first, SECRET);
    let served = temp.path().join("served");
    copy_tree(&first.join("dist"), &served);
    copy_tree(&first.join("builds"), &served.join("ipas"));
    let ca = TestCa::new("otasite private test CA");
    let ca_file = temp.path().join("ca.pem");
    std::fs::write(&ca_file, &ca.pem).expect("CA");
    let _server = serve(served.clone(), listener, &ca);
    let env = [("OTASITE_EXTRA_CA_CERT", ca_file.as_path())];

    // CI: only the new private build on disk, no output, no cache.
    let ci = |name: &str, password: &str, previous: &str| {
        let dir = temp.path().join(name);
        make_private_site(&dir, &base, archives);
        IpaBuilder::new(PRIVATE_ID, PRIVATE_NAME)
            .version("7.32.0", "9042")
            .modified(1_714_572_000)
            .write(&dir.join(format!("builds/beta/{PRIVATE_NAME} 2.ipa")));
        let said = build_env(&dir, SECRET, password, &["--previous", previous], &env);
        (dir.join("dist"), said)
    };
    let versions = |whole: &serde_json::Value| -> Vec<String> {
        let app = whole["apps"]
            .as_array()
            .expect("apps")
            .iter()
            .find(|app| app["bundle_id"] == PRIVATE_ID)
            .expect("the private app");
        app["builds"]
            .as_array()
            .expect("builds")
            .iter()
            .map(|b| b["version"].as_str().expect("version").to_string())
            .collect()
    };
    let folder = served.join("catalog.json");
    let url = format!("{base}catalog.json");
    for (name, previous) in [
        ("folder", folder.to_string_lossy().into_owned()),
        ("url", url),
    ] {
        let (dist, _) = ci(name, PASSWORD, &previous);
        let whole = open_private_catalog(&dist.join("catalog.locked.json"), PASSWORD);
        assert_eq!(versions(&whole), ["7.32.0", PRIVATE_VERSION], "{name}");
        assert!(app_ids(&whole).contains(&"com.example.open"), "{name}");
        assert_eq!(salt_of(&dist), salt_of(&served), "{name}: the salt is kept");
        let public = std::fs::read_to_string(dist.join("catalog.json")).expect("catalog");
        assert!(!public.contains(PRIVATE_ID), "{name}");
        for (path, html) in locked_pages(&dist) {
            assert!(
                decrypt(&html, &password_key(&html, PASSWORD)).is_some(),
                "{name}: {path}"
            );
        }
    }

    // Another password: the deployed private catalog does not open; the build goes on with
    // the public catalog, says so, and keeps no private build it cannot read.
    let (dist, said) = ci(
        "new-password",
        "another password",
        &format!("{base}catalog.json"),
    );
    assert!(
        said.contains("catalog.locked.json does not open with the password in OTASITE_PASSWORD"),
        "{said}"
    );
    let whole = open_private_catalog(&dist.join("catalog.locked.json"), "another password");
    assert_eq!(versions(&whole), ["7.32.0"]);
    assert_ne!(salt_of(&dist), salt_of(&served));

    // check --remote opens the deployed index and private catalog.
    let remote = |password: &str| {
        let output = Otasite::new(["check", "dist", "--remote", &base, "--timeout", "10"])
            .dir(&first)
            .env("OTASITE_EXTRA_CA_CERT", &ca_file)
            .env("OTASITE_PASSWORD", password)
            .output();
        let said = String::from_utf8_lossy(&output.stdout).into_owned();
        (output.status.success(), said)
    };
    let (ok, said) = remote(PASSWORD);
    assert!(ok && !said.contains("error:"), "{said}");
    let (ok, said) = remote("wrong horse");
    assert!(!ok, "{said}");
    for subject in [
        format!("{base}index.html"),
        format!("{base}catalog.locked.json"),
    ] {
        assert!(
            said.contains(&format!(
                "error: {subject}: does not open with the password in OTASITE_PASSWORD"
            )),
            "{subject}: {said}"
        );
    }
    let (app_token, build_token) = tokens(&served);
    std::fs::remove_file(served.join(format!("{app_token}/{build_token}/manifest.plist")))
        .expect("rm");
    let (ok, said) = remote(PASSWORD);
    assert!(!ok, "{said}");
    assert!(
        said.contains(&format!(
            "links to {base}{}…/{}…/manifest.plist, which answers HTTP 404",
            &app_token[..6],
            &build_token[..6]
        )),
        "{said}"
    );
}

/// `notify` announces public builds only: a private app's name, bundle id, version and tokens
/// never reach a payload.
#[test]
fn notify_never_announces_a_private_app() {
    let temp = tempfile::tempdir().expect("temp");
    let dir = temp.path();
    make_site(dir);
    build(dir, SECRET);
    let dist = dir.join("dist");
    let (app_token, build_token) = tokens(&dist);
    let mut before: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dist.join("catalog.json")).expect("catalog"))
            .expect("JSON");
    before["apps"] = serde_json::json!([]);
    let previous = dir.join("before.json");
    std::fs::write(&previous, before.to_string()).expect("write");
    let output = Otasite::new(["notify", "--dry-run", "--previous"])
        .args([previous.as_os_str(), dist.as_os_str()])
        .dir(dir)
        .env("OTASITE_PASSWORD", PASSWORD)
        .output();
    let said = assert_ok(&output);
    assert!(said.contains("Open App"), "{said}");
    for needle in [
        PRIVATE_ID,
        PRIVATE_NAME,
        PRIVATE_VERSION,
        &app_token,
        &build_token,
    ] {
        assert!(
            !said.contains(needle),
            "a payload mentions {needle:?}: {said}"
        );
    }
}

#[test]
fn an_unchanged_private_site_is_up_to_date_from_its_inputs_and_new_keys_rebuild_it() {
    let temp = tempfile::tempdir().expect("temp");
    let dir = temp.path();
    make_site(dir);
    build(dir, SECRET);
    let dist = dir.join("dist");
    let before = tree(&dist);

    // The same keys: decided from the inputs, before any key is derived; nothing rewritten.
    let said = build_with(dir, SECRET, &["-v"]);
    assert!(said.contains("inputs unchanged"), "{said}");
    assert_eq!(tree(&dist), before);

    // A new password takes the long way: the pages open with it, not with the old one.
    let new_password = "another tester pass phrase";
    let said = build_env(dir, SECRET, new_password, &["-v"], &[]);
    assert!(!said.contains("inputs unchanged"), "{said}");
    let (app_token, _) = tokens(&dist);
    let app_page = std::fs::read_to_string(dist.join(&app_token).join("index.html")).unwrap();
    assert!(decrypt(&app_page, &password_key(&app_page, new_password)).is_some());
    assert!(decrypt(&app_page, &password_key(&app_page, PASSWORD)).is_none());
    // And is recorded in turn.
    let said = build_env(dir, SECRET, new_password, &["-v"], &[]);
    assert!(said.contains("inputs unchanged"), "{said}");

    // A new secret takes the long way and moves the private folders.
    let secret = format!("{SECRET}-rotated");
    let said = build_env(dir, &secret, new_password, &["-v"], &[]);
    assert!(!said.contains("inputs unchanged"), "{said}");
    assert_ne!(tokens(&dist).0, app_token);

    // The record beside the cache holds neither key.
    let cache = tree(&dir.join(".dist.otasite-cache"));
    assert!(
        cache
            .iter()
            .any(|(path, _)| path.ends_with("up-to-date.json"))
    );
    for (path, bytes) in cache {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains(&secret) && !text.contains(new_password),
            "{path} holds a key"
        );
    }
}
