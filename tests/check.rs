//! `otasite check`: offline on a built site and on damaged copies of it, and `--remote` against
//! a local HTTPS server (its CA made here with rcgen) that serves the site correctly or
//! misbehaves in one way. Each test asserts the exact report line a user sees.

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use support::cgbi::{encode_cgbi, sample_icon};
use support::https::{Reply, Server, TestCa};
use support::ipa::{IpaBuilder, Kind, ProfileSpec};
use support::run::Otasite;
use support::site;

/// 2026-01-01T00:00:00Z: builds and checks judge profile expiry at this moment.
const EPOCH: i64 = 1_767_225_600;
const DAY: i64 = 86_400;
const BASE: &str = "https://apps.example.test/my apps/";
const ENCODED_BASE: &str = "https://apps.example.test/my%20apps/";

// ---------------------------------------------------------------------------------------------
// Running the binary

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }

    fn assert_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code,
            Some(code),
            "stdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    fn assert_line(&self, line: &str) -> &Self {
        assert!(
            self.lines().contains(&line),
            "expected the line\n  {line}\nin the report:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    fn summary(&self) -> &str {
        self.lines().last().copied().unwrap_or_default()
    }

    fn assert_clean(&self) -> &Self {
        self.assert_code(0);
        assert!(
            self.summary().ends_with(": 0 errors, 0 warnings, 0 notes"),
            "a clean report expected:\n{}",
            self.stdout
        );
        self
    }
}

fn otasite(args: &[&str], dir: &Path, envs: &[(&str, String)]) -> Run {
    let output: Output = envs
        .iter()
        .fold(
            Otasite::new(args).dir(dir).epoch(EPOCH),
            |run, (key, value)| run.env(key, value),
        )
        .output();
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn check(dir: &Path, args: &[&str]) -> Run {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    otasite(&all, dir, &[])
}

// ---------------------------------------------------------------------------------------------
// Building sites

/// Two apps, three builds: com.example.alpha 1.0 (1) and 1.1 (2), com.example.beta 1.0 (1).
fn build_site(root: &Path, base: &str, extra_config: &str) -> PathBuf {
    IpaBuilder::new("com.example.alpha", "Alpha")
        .version("1.0", "1")
        .modified(1_714_564_800)
        .write(&root.join("builds/alpha-1.ipa"));
    IpaBuilder::new("com.example.alpha", "Alpha")
        .version("1.1", "2")
        .modified(1_714_651_200)
        .write(&root.join("builds/alpha-2.ipa"));
    IpaBuilder::new("com.example.beta", "Beta")
        .profile(Some(ProfileSpec::new(Kind::Enterprise)))
        .app_file("payload.bin", vec![7; 4096])
        .write(&root.join("builds/beta.ipa"));
    site::write_config(root, &site::config("Check", base, extra_config));
    otasite(&["build", "-q"], root, &[]).assert_code(0);
    root.join("dist")
}

fn replace_in(file: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(file).expect("read");
    assert!(text.contains(from), "{} lacks {from:?}", file.display());
    std::fs::write(file, text.replacen(from, to, 1)).expect("write");
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk");
        let target = to.join(entry.path().strip_prefix(from).expect("prefix"));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Offline

#[test]
fn offline_good_site_passes() {
    let tmp = tempfile::tempdir().expect("tmp");
    build_site(tmp.path(), BASE, "");
    let run = check(tmp.path(), &["dist"]);
    run.assert_clean();
    assert!(run.summary().starts_with("checked "), "{}", run.stdout);
}

#[test]
fn offline_default_dir_is_the_configs_output() {
    let tmp = tempfile::tempdir().expect("tmp");
    build_site(tmp.path(), BASE, "output: public\n");
    check(tmp.path(), &[]).assert_clean();
    std::fs::remove_file(
        tmp.path()
            .join("public/com.example.beta/1.0-1/icon-512.png"),
    )
    .expect("rm");
    check(tmp.path(), &[])
        .assert_code(1)
        .assert_line(&format!(
            "error: {ENCODED_BASE}com.example.beta/1.0-1/icon-512.png: leads to no file: public/com.example.beta/1.0-1/icon-512.png is missing (full-size-image of public/com.example.beta/manifest.plist)"
        ));
}

#[test]
fn offline_missing_or_invalid_catalog_is_one_line() {
    let tmp = tempfile::tempdir().expect("tmp");
    let run = check(tmp.path(), &[]);
    run.assert_code(1);
    assert_eq!(
        run.stderr.trim_end(),
        "error: cannot read dist/catalog.json (No such file or directory (os error 2)): pass the folder `otasite build` wrote, or build the site first"
    );
    std::fs::create_dir(tmp.path().join("dist")).expect("mkdir");
    std::fs::write(tmp.path().join("dist/catalog.json"), "{}").expect("write");
    let run = check(tmp.path(), &[]);
    run.assert_code(1);
    assert_eq!(
        run.stderr.trim_end(),
        "error: dist/catalog.json is not an otasite catalog (missing field `site` at line 1 column 2); run `otasite build` to write it again"
    );
}

#[test]
fn offline_manifest_missing_a_key() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dist = build_site(tmp.path(), BASE, "");
    let manifest = dist.join("com.example.alpha/1.0-1/manifest.plist");
    replace_in(&manifest, "<key>title</key>", "<key>subtitle</key>");
    check(tmp.path(), &["dist"]).assert_code(1).assert_line(
        "error: dist/com.example.alpha/1.0-1/manifest.plist: the manifest has no `title` in items[0].metadata (iOS needs bundle-identifier, bundle-version, kind and title)",
    );
}

#[test]
fn offline_deleted_icon() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dist = build_site(tmp.path(), BASE, "");
    std::fs::remove_file(dist.join("com.example.alpha/1.1-2/icon-57.png")).expect("rm");
    check(tmp.path(), &["dist"]).assert_code(1).assert_line(&format!(
        "error: {ENCODED_BASE}com.example.alpha/1.1-2/icon-57.png: leads to no file: dist/com.example.alpha/1.1-2/icon-57.png is missing (display-image of dist/com.example.alpha/manifest.plist)"
    ));
}

#[test]
fn offline_cgbi_and_wrong_size_icons() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dist = build_site(tmp.path(), BASE, "");
    let build = dist.join("com.example.beta/1.0-1");
    std::fs::write(
        build.join("icon-512.png"),
        encode_cgbi(&sample_icon(512, 3)),
    )
    .expect("write");
    std::fs::write(build.join("icon-57.png"), sample_icon(64, 3).to_png()).expect("write");
    check(tmp.path(), &["dist"])
        .assert_code(1)
        .assert_line(
            "error: dist/com.example.beta/1.0-1/icon-512.png: the image is an Apple CgBI (\"crushed\") PNG, which iOS cannot show in the install prompt: it must be a standard PNG",
        )
        .assert_line("error: dist/com.example.beta/1.0-1/icon-57.png: the image is 64×64 pixels; the manifest needs 57×57");
}

#[test]
fn offline_http_url() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dist = build_site(tmp.path(), BASE, "");
    let icon = format!("{ENCODED_BASE}com.example.beta/1.0-1/icon-512.png");
    let http_icon = icon.replacen("https://", "http://", 1);
    replace_in(
        &dist.join("catalog.json"),
        &format!("\"icon_url\": \"{icon}\""),
        &format!("\"icon_url\": \"{http_icon}\""),
    );
    check(tmp.path(), &["dist"]).assert_code(1).assert_line(&format!(
        "error: {http_icon}: is not https (icon_url of com.example.beta 1.0 (1) in catalog.json): iOS installs only over HTTPS"
    ));
}

#[test]
fn offline_tampered_install_links() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dist = build_site(tmp.path(), BASE, "");
    // On a page: the link now names a file that is no manifest.
    replace_in(
        &dist.join("com.example.beta/1.0-1/index.html"),
        "1.0-1%2Fmanifest.plist",
        "1.0-1%2Fmanifest.xml",
    );
    // In the catalog: build 1.0's link leads to build 1.1's manifest.
    let catalog = dist.join("catalog.json");
    let text = std::fs::read_to_string(&catalog).expect("read");
    let own = "com.example.alpha%2F1.0-1%2Fmanifest.plist\"";
    assert_eq!(
        text.matches(own).count(),
        1,
        "one install_url names build 1.0's manifest"
    );
    std::fs::write(
        &catalog,
        text.replace(own, "com.example.alpha%2F1.1-2%2Fmanifest.plist\""),
    )
    .expect("write");
    check(tmp.path(), &["dist"])
        .assert_code(1)
        .assert_line(&format!(
            "error: dist/com.example.beta/1.0-1/index.html: has an install link to {ENCODED_BASE}com.example.beta/1.0-1/manifest.xml, which is not one of the site's manifests"
        ))
        .assert_line(&format!(
            "error: dist/catalog.json: the install_url of com.example.alpha 1.0 (1) leads to {ENCODED_BASE}com.example.alpha/1.1-2/manifest.plist, not to its manifest {ENCODED_BASE}com.example.alpha/1.0-1/manifest.plist"
        ));
}

#[test]
fn offline_modified_ipa() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dist = build_site(tmp.path(), BASE, "");
    let catalog: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dist.join("catalog.json")).expect("read"))
            .expect("json");
    let beta = &catalog["apps"]
        .as_array()
        .expect("apps")
        .iter()
        .find(|a| a["bundle_id"] == "com.example.beta")
        .expect("beta")["builds"][0];
    let (size, sha) = (
        beta["size"].as_u64().expect("size"),
        beta["sha256"].as_str().expect("sha").to_string(),
    );

    // Same size, one byte changed: only the hash can tell.
    let ipa = dist.join("com.example.beta/1.0-1/beta.ipa");
    let mut bytes = std::fs::read(&ipa).expect("read");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&ipa, &bytes).expect("write");
    let actual = otasite::hash::sha256_bytes(&bytes);
    check(tmp.path(), &["dist"]).assert_code(1).assert_line(&format!(
        "error: dist/com.example.beta/1.0-1/beta.ipa: has SHA-256 {actual}, but catalog.json says {sha}: the archive changed after the site was built; run `otasite build` again"
    ));

    bytes.push(0);
    std::fs::write(&ipa, &bytes).expect("write");
    check(tmp.path(), &["dist"]).assert_code(1).assert_line(&format!(
        "error: dist/com.example.beta/1.0-1/beta.ipa: is {} bytes, but catalog.json says {size}: the archive changed after the site was built; run `otasite build` again",
        size + 1
    ));
}

#[test]
fn offline_profile_expiry() {
    let tmp = tempfile::tempdir().expect("tmp");
    IpaBuilder::new("com.example.gamma", "Gamma")
        .profile(Some(ProfileSpec::new(Kind::AdHoc).expires(EPOCH + 5 * DAY)))
        .write(&tmp.path().join("builds/gamma.ipa"));
    site::write_config(tmp.path(), &format!("base_url: \"{BASE}\"\n"));
    otasite(&["build", "-q"], tmp.path(), &[]).assert_code(0);
    check(tmp.path(), &[]).assert_code(0).assert_line(
        "warning: dist/catalog.json: com.example.gamma 1.0 (1): the provisioning profile expires on 2026-01-06: the app stops installing and launching then; publish a re-signed build before",
    );
    // Ten days later the site still offers the build, but iOS refuses it.
    let later = [("SOURCE_DATE_EPOCH", (EPOCH + 10 * DAY).to_string())];
    otasite(&["check"], tmp.path(), &later).assert_code(1).assert_line(
        "error: dist/catalog.json: com.example.gamma 1.0 (1): the provisioning profile expired on 2026-01-06, yet the build is marked installable: iOS will refuse it; re-sign the app and build the site again",
    );
}

#[test]
fn offline_host_size_limits() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dist = build_site(tmp.path(), BASE, "");
    // Sparse files: large on paper, nothing on disk.
    let big = std::fs::File::create(dist.join("big.bin")).expect("create");
    big.set_len(101 << 20).expect("grow");
    let huge = std::fs::File::create(dist.join("huge.bin")).expect("create");
    huge.set_len(1 << 30).expect("grow");
    let run = check(tmp.path(), &["dist"]);
    run.assert_code(0).assert_line(
        "warning: dist/big.bin: is 101.0 MiB, over GitHub's 100 MiB limit for one file: keep .ipa files in Git LFS, or host them elsewhere with `ipa_base_url`",
    );
    let site_line = run
        .lines()
        .into_iter()
        .find(|l| l.starts_with("warning: dist: the site is "));
    // The total is the sparse files plus whatever the theme and pages weigh today.
    let total: u64 = walkdir::WalkDir::new(&dist)
        .into_iter()
        .map(|e| e.expect("walking the site"))
        .filter(|e| e.file_type().is_file())
        .map(|e| e.metadata().expect("metadata").len())
        .sum();
    let expected = format!(
        "warning: dist: the site is {:.1} GB, {:.1} MB over GitHub Pages' 1 GB limit: host the .ipa files elsewhere with `ipa_base_url` in site.yaml (release assets, a bucket)",
        total as f64 / 1e9,
        (total - 1_000_000_000) as f64 / 1e6
    );
    assert_eq!(site_line, Some(expected.as_str()), "{}", run.stdout);
}

#[test]
fn offline_ipa_base_url_is_not_checked_but_said_so() {
    let tmp = tempfile::tempdir().expect("tmp");
    build_site(
        tmp.path(),
        BASE,
        "ipa_base_url: https://cdn.example.test/ipas\n",
    );
    let run = check(tmp.path(), &[]);
    run.assert_code(0).assert_line(
        "note: https://cdn.example.test/ipas/beta.ipa: not checked offline: the .ipa is hosted under ipa_base_url (software-package of dist/com.example.beta/manifest.plist); check it after deploying with `otasite check --remote`",
    );
    assert!(
        run.summary().ends_with(": 0 errors, 0 warnings, 3 notes"),
        "{}",
        run.stdout
    );
}

// ---------------------------------------------------------------------------------------------
// A server that misbehaves on purpose

/// One way the server gets things wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    None,
    RedirectManifests,
    PlistAsOctetStream,
    IpaAsHtml,
    IpaOneByteShort,
    RedirectIpas,
    MissingSmallIcons,
    ManifestBytesChanged,
    /// Correct answers, each after a pause: requests overlap, so the client's bound shows.
    Slow,
}

/// Requests being answered now, and the most there ever were at once. A request counts from
/// the moment its head is read until just before its answer is sent, a window in which its
/// client is certainly still waiting.
#[derive(Default)]
struct Load {
    now: AtomicUsize,
    most: AtomicUsize,
}

impl Load {
    fn enter(&self) {
        let now = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.most.fetch_max(now, Ordering::SeqCst);
    }

    fn leave(&self) {
        self.now.fetch_sub(1, Ordering::SeqCst);
    }
}

fn respond(root: &Path, target: &str, fault: Fault) -> Reply {
    let path = target.split('?').next().unwrap_or(target);
    let path = percent_encoding::percent_decode_str(path)
        .decode_utf8_lossy()
        .into_owned();
    let not_found = (
        "404 Not Found",
        vec![("Content-Length", "0".to_string())],
        Vec::new(),
    );
    if path.split('/').any(|segment| segment == "..") {
        return not_found;
    }
    if fault == Fault::RedirectManifests && path.ends_with("/manifest.plist") {
        let location = ("Location", "/elsewhere/manifest.plist".to_string());
        return (
            "302 Found",
            vec![location, ("Content-Length", "0".into())],
            Vec::new(),
        );
    }
    if fault == Fault::RedirectIpas && path.ends_with(".ipa") && !target.contains('?') {
        let location = ("Location", format!("{target}?moved"));
        return (
            "302 Found",
            vec![location, ("Content-Length", "0".into())],
            Vec::new(),
        );
    }
    if fault == Fault::MissingSmallIcons && path.ends_with("/icon-57.png") {
        return not_found;
    }
    let mut file = root.join(path.trim_start_matches('/'));
    if path.ends_with('/') {
        file = file.join("index.html");
    }
    let Ok(mut body) = std::fs::read(&file) else {
        return not_found;
    };
    let extension = file.extension().and_then(|e| e.to_str()).unwrap_or("");
    let content_type = match (extension, fault) {
        ("plist", Fault::PlistAsOctetStream) => "application/octet-stream",
        ("plist", _) => "text/xml",
        ("ipa", Fault::IpaAsHtml) => "text/html",
        ("ipa", _) => "application/octet-stream",
        ("png", _) => "image/png",
        ("json", _) => "application/json",
        ("html", _) => "text/html; charset=utf-8",
        _ => "application/octet-stream",
    };
    match (extension, fault) {
        // Trailing whitespace: still a valid plist, but not the bytes that were built.
        ("plist", Fault::ManifestBytesChanged) => body.push(b'\n'),
        ("ipa", Fault::IpaOneByteShort) => {
            body.pop();
        }
        _ => {}
    }
    let headers = vec![
        ("Content-Type", content_type.to_string()),
        ("Content-Length", body.len().to_string()),
    ];
    ("200 OK", headers, body)
}

// ---------------------------------------------------------------------------------------------
// Remote

/// A built site served over HTTPS, and the CA file the client is told to trust.
struct Deployed {
    // Declared first so that it stops before the folder it serves is removed.
    server: Server,
    load: Arc<Load>,
    tmp: tempfile::TempDir,
    ca_file: PathBuf,
}

impl Deployed {
    fn url(&self) -> String {
        format!("https://127.0.0.1:{}/", self.server.port)
    }

    fn check(&self) -> Run {
        self.check_with_concurrency(3)
    }

    fn check_with_concurrency(&self, concurrency: usize) -> Run {
        let url = self.url();
        let concurrency = concurrency.to_string();
        let env = [("OTASITE_EXTRA_CA_CERT", self.ca_file.display().to_string())];
        let args = [
            "check",
            "--remote",
            url.as_str(),
            "--concurrency",
            concurrency.as_str(),
            "--timeout",
            "10",
        ];
        otasite(&args, self.tmp.path(), &env)
    }
}

/// Builds the site for a fresh port, lets `prepare` make the served copy (default: `dist`
/// as built), and serves it with `fault` and a certificate from `cert`.
fn deploy(fault: Fault, cert: CertKind, prepare: impl FnOnce(&Path, u16) -> PathBuf) -> Deployed {
    let tmp = tempfile::tempdir().expect("tmp");
    let (listener, port) = Server::bind();
    build_site(tmp.path(), &format!("https://127.0.0.1:{port}/"), "");
    let served = prepare(tmp.path(), port);
    let trusted = TestCa::new("otasite test CA");
    let ca_file = tmp.path().join("ca.pem");
    std::fs::write(&ca_file, &trusted.pem).expect("write CA");
    let tls = match cert {
        CertKind::Good => trusted.server_config(&["127.0.0.1", "localhost"]),
        CertKind::WrongHost => trusted.server_config(&["other.example.test"]),
        CertKind::Untrusted => TestCa::new("someone else's CA").server_config(&["127.0.0.1"]),
    };
    let load = Arc::new(Load::default());
    let counting = load.clone();
    let handler = move |_method: &str, target: &str| {
        counting.enter();
        if fault == Fault::Slow {
            std::thread::sleep(Duration::from_millis(100));
        }
        let reply = respond(&served, target, fault);
        counting.leave();
        reply
    };
    let server = Server::start(listener, tls, Arc::new(handler));
    Deployed {
        server,
        load,
        tmp,
        ca_file,
    }
}

#[derive(Debug, Clone, Copy)]
enum CertKind {
    Good,
    WrongHost,
    Untrusted,
}

fn as_built(root: &Path, _port: u16) -> PathBuf {
    root.join("dist")
}

fn serve(fault: Fault) -> Deployed {
    deploy(fault, CertKind::Good, as_built)
}

#[test]
fn remote_good_site_passes() {
    let site = serve(Fault::None);
    let run = site.check();
    run.assert_clean();
    // The catalog, 5 manifests, 6 icons and 3 archives.
    assert!(
        run.summary().starts_with("checked 15 URLs:"),
        "{}",
        run.stdout
    );
}

#[test]
fn remote_requests_stay_within_concurrency() {
    for limit in [1, 4] {
        let site = serve(Fault::Slow);
        let run = site.check_with_concurrency(limit);
        run.assert_clean();
        // Every request waits 100 ms on the server, so workers overlap whenever allowed to:
        // the bound is reached, and never passed.
        assert_eq!(
            site.load.most.load(Ordering::SeqCst),
            limit,
            "--concurrency {limit}"
        );
    }
}

#[test]
fn remote_refuses_http() {
    let tmp = tempfile::tempdir().expect("tmp");
    let run = check(tmp.path(), &["--remote", "http://127.0.0.1:9/"]);
    run.assert_code(2);
    assert_eq!(
        run.stderr.trim_end(),
        "error: --remote \"http://127.0.0.1:9/\" must start with https:// because iOS installs apps only over HTTPS"
    );
}

#[test]
fn remote_http_url_in_catalog() {
    let site = deploy(Fault::None, CertKind::Good, |root, port| {
        let served = root.join("served");
        copy_tree(&root.join("dist"), &served);
        let icon = format!("https://127.0.0.1:{port}/com.example.beta/1.0-1/icon-512.png");
        replace_in(
            &served.join("catalog.json"),
            &format!("\"icon_url\": \"{icon}\""),
            &format!("\"icon_url\": \"http{}\"", &icon[5..]),
        );
        served
    });
    let port = site.server.port;
    site.check().assert_code(1).assert_line(&format!(
        "error: http://127.0.0.1:{port}/com.example.beta/1.0-1/icon-512.png: is not https (icon_url of com.example.beta 1.0 (1) in catalog.json): iOS installs only over HTTPS"
    ));
}

/// A deployed catalog whose base_url is a documentation placeholder fails the check.
#[test]
fn remote_placeholder_base_url() {
    let site = deploy(Fault::None, CertKind::Good, |root, port| {
        let served = root.join("served");
        copy_tree(&root.join("dist"), &served);
        replace_in(
            &served.join("catalog.json"),
            &format!("\"base_url\": \"https://127.0.0.1:{port}/\""),
            "\"base_url\": \"https://apps.example.net/\"",
        );
        served
    });
    let url = site.url();
    site.check().assert_code(1).assert_line(&format!(
        "error: {url}catalog.json: site.base_url https://apps.example.net/ is a placeholder (apps.example.net is reserved for examples): no device can install from it; build again with base_url set to the https:// URL the site is served from"
    ));
}

#[test]
fn remote_redirect_on_manifest() {
    let site = serve(Fault::RedirectManifests);
    let url = site.url();
    site.check().assert_code(1).assert_line(&format!(
        "error: {url}com.example.alpha/manifest.plist: redirects (302 Found) to {url}elsewhere/manifest.plist: iOS does not reliably follow redirects when it fetches a manifest; serve it at this URL"
    ));
}

#[test]
fn remote_redirect_elsewhere_is_a_warning_and_followed() {
    let site = serve(Fault::RedirectIpas);
    let url = site.url();
    let run = site.check();
    run.assert_code(0).assert_line(&format!(
        "warning: {url}com.example.beta/1.0-1/beta.ipa: redirects (302 Found) to {url}com.example.beta/1.0-1/beta.ipa?moved; link to the final URL to spare iOS the extra request"
    ));
    assert!(
        run.summary().ends_with(": 0 errors, 3 warnings, 0 notes"),
        "{}",
        run.stdout
    );
}

#[test]
fn remote_timeout() {
    let tmp = tempfile::tempdir().expect("tmp");
    // Connections complete in the kernel's backlog, but nobody ever answers.
    let (_listener, port) = Server::bind();
    let url = format!("https://127.0.0.1:{port}/");
    let started = std::time::Instant::now();
    check(tmp.path(), &["--remote", &url, "--timeout", "1"])
        .assert_code(1)
        .assert_line(&format!(
            "error: {url}catalog.json: no complete answer within 1 second (--timeout)"
        ));
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "the timeout bounds the wait"
    );
}

#[test]
fn remote_wrong_content_type_for_plist() {
    let site = serve(Fault::PlistAsOctetStream);
    let url = site.url();
    site.check().assert_code(0).assert_line(&format!(
        "warning: {url}com.example.beta/1.0-1/manifest.plist: is served as application/octet-stream; serve .plist files as text/xml or application/xml"
    ));
}

#[test]
fn remote_wrong_content_type_for_ipa() {
    let site = serve(Fault::IpaAsHtml);
    let url = site.url();
    site.check().assert_code(1).assert_line(&format!(
        "error: {url}com.example.beta/1.0-1/beta.ipa: is served as text/html, a web page rather than the archive; serve .ipa files as application/octet-stream"
    ));
}

#[test]
fn remote_wrong_content_length() {
    let site = serve(Fault::IpaOneByteShort);
    let url = site.url();
    let size = std::fs::metadata(site.tmp.path().join("dist/com.example.beta/1.0-1/beta.ipa"))
        .expect("ipa")
        .len();
    site.check().assert_code(1).assert_line(&format!(
        "error: {url}com.example.beta/1.0-1/beta.ipa: has a Content-Length of {} bytes, but catalog.json says {size}: the deployed archive is not the one built",
        size - 1
    ));
}

#[test]
fn remote_missing_icon() {
    let site = serve(Fault::MissingSmallIcons);
    let url = site.url();
    site.check()
        .assert_code(1)
        .assert_line(&format!("error: {url}com.example.beta/1.0-1/icon-57.png: answers HTTP 404 Not Found instead of 200 OK"));
}

#[test]
fn remote_manifest_differs_from_local_build() {
    let site = serve(Fault::ManifestBytesChanged);
    let url = site.url();
    site.check().assert_code(1).assert_line(&format!(
        "error: {url}com.example.beta/1.0-1/manifest.plist: differs from the local build's dist/com.example.beta/1.0-1/manifest.plist: deploy the site again"
    ));
}

#[test]
fn remote_certificate_from_an_untrusted_ca() {
    let site = deploy(Fault::None, CertKind::Untrusted, as_built);
    let url = site.url();
    let run = site.check();
    run.assert_code(1).assert_line(&format!(
        "error: {url}catalog.json: certificate problem: the certificate is not signed by a trusted certificate authority; iOS installs only from a site whose certificate is publicly trusted and valid for its host"
    ));
    assert_eq!(
        run.lines().len(),
        2,
        "one finding, then the summary:\n{}",
        run.stdout
    );
}

#[test]
fn remote_certificate_for_another_host() {
    let site = deploy(Fault::None, CertKind::WrongHost, as_built);
    let url = site.url();
    site.check().assert_code(1).assert_line(&format!(
        "error: {url}catalog.json: certificate problem: the certificate is not valid for the host name 127.0.0.1; iOS installs only from a site whose certificate is publicly trusted and valid for its host"
    ));
}

#[test]
fn remote_without_the_extra_ca_the_test_server_is_untrusted() {
    let site = serve(Fault::None);
    let url = site.url();
    let args = ["check", "--remote", url.as_str(), "--timeout", "10"];
    otasite(&args, site.tmp.path(), &[]).assert_code(1).assert_line(&format!(
        "error: {url}catalog.json: certificate problem: the certificate is not signed by a trusted certificate authority; iOS installs only from a site whose certificate is publicly trusted and valid for its host"
    ));
}
