//! `build --previous`: publishing a new build with only the deployed catalog gives the same
//! site as building from every archive.

mod support;

use std::path::{Path, PathBuf};

use std::sync::Arc;

use support::cgbi::{encode_cgbi, sample_icon};
use support::https::{Reply, Server, TestCa};
use support::ipa::IpaBuilder;
use support::run::{Otasite, assert_ok, otasite, tree};
use support::site;

fn build(dir: &Path, extra: &[&str]) {
    let mut args = vec!["build", "-q"];
    args.extend_from_slice(extra);
    assert_ok(&otasite(&args, dir));
}

fn site(dir: &Path, archives: &[(&str, IpaBuilder)], keep: Option<usize>) {
    site_at(dir, "https://apps.example.test/", archives, keep);
}

/// Where the archives of these sites are hosted: apart from the site, as `--previous` needs.
const ARCHIVES: &str = "https://archives.example.test/builds/";

fn site_at(dir: &Path, base_url: &str, archives: &[(&str, IpaBuilder)], keep: Option<usize>) {
    let keep = keep.map(|k| format!("keep: {k}\n")).unwrap_or_default();
    let extra = format!("ipa_base_url: {ARCHIVES}\n{keep}");
    site_with(dir, base_url, &extra, archives);
}

fn site_with(dir: &Path, base_url: &str, extra: &str, archives: &[(&str, IpaBuilder)]) {
    std::fs::create_dir_all(dir).expect("mkdir");
    site::write_config(dir, &site::config("T", base_url, extra));
    for (name, builder) in archives {
        builder.write(&dir.join("builds").join(name));
    }
}

fn app(version: &str, build: &str, seed: u32) -> IpaBuilder {
    IpaBuilder::new("com.example.prev", "Prev")
        .version(version, build)
        .modified(1_714_564_800 + seed as i64 * 3600)
        .set(
            "CFBundleIconFiles",
            plist::Value::Array(vec!["AppIcon60x60".into()]),
        )
        .app_file("AppIcon60x60@3x.png", encode_cgbi(&sample_icon(180, seed)))
}

#[test]
fn previous_catalog_plus_new_build_equals_full_build() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (a, b) = (("a.ipa", app("1.0", "1", 1)), ("b.ipa", app("1.1", "2", 2)));
    let other = ("other.ipa", IpaBuilder::new("com.example.other", "Other"));

    let full = tmp.path().join("full");
    site(&full, &[a.clone(), b.clone(), other.clone()], None);
    build(&full, &[]);

    let first = tmp.path().join("first");
    site(&first, &[a.clone(), other.clone()], None);
    build(&first, &[]);

    let second = tmp.path().join("second");
    site(&second, std::slice::from_ref(&b), None);
    let previous = first.join("dist/catalog.json");
    build(&second, &["--previous", previous.to_str().expect("utf8")]);

    assert_same_site_apart_from_archives(&full, &second);
    // The kept build still links to its archive where it is hosted.
    let catalog = std::fs::read_to_string(second.join("dist/catalog.json")).expect("catalog");
    assert!(
        catalog.contains(&format!("\"{ARCHIVES}a.ipa\"")),
        "{catalog}"
    );
}

/// Without `ipa_base_url`, the old archives were published inside the old site; the new site
/// does not hold them, so their install links would break once it replaces the old one.
#[test]
fn previous_builds_whose_archives_the_new_site_lacks_are_refused() {
    let tmp = tempfile::tempdir().expect("tmp");
    let base = "https://apps.example.test/";
    let first = tmp.path().join("first");
    site_with(&first, base, "", &[("a.ipa", app("1.0", "1", 1))]);
    build(&first, &[]);
    let previous = first.join("dist/catalog.json");
    let previous = previous.to_str().expect("utf8");

    let second = tmp.path().join("second");
    site_with(&second, base, "", &[("b.ipa", app("1.1", "2", 2))]);
    let output = otasite(&["build", "-q", "--previous", previous], &second);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "error: 1 kept build(s) link their .ipa inside this site \
         (https://apps.example.test/com.example.prev/1.0-1/a.ipa), but the new site will not \
         contain those files, so their install links would break once it is deployed: keep \
         their archives in builds (they are then published again), or host the archives \
         elsewhere and set ipa_base_url in site.yaml\n"
    );
    assert!(!second.join("dist").exists(), "nothing written");

    // Keeping the old archive beside the new one publishes both again.
    app("1.0", "1", 1).write(&second.join("builds/a.ipa"));
    build(&second, &["--previous", previous]);
    assert!(second.join("dist/com.example.prev/1.0-1/a.ipa").is_file());
    assert!(second.join("dist/com.example.prev/1.1-2/b.ipa").is_file());
}

#[test]
fn keep_applies_across_previous_and_new_builds() {
    let tmp = tempfile::tempdir().expect("tmp");
    let first = tmp.path().join("first");
    site(
        &first,
        &[("a.ipa", app("1.0", "1", 1)), ("b.ipa", app("1.1", "2", 2))],
        None,
    );
    build(&first, &[]);
    let second = tmp.path().join("second");
    site(&second, &[("c.ipa", app("1.2", "3", 3))], Some(2));
    let previous = first.join("dist/catalog.json");
    build(&second, &["--previous", previous.to_str().expect("utf8")]);
    let catalog: serde_json::Value =
        serde_json::from_slice(&std::fs::read(second.join("dist/catalog.json")).expect("catalog"))
            .expect("json");
    let versions: Vec<&str> = catalog["apps"][0]["builds"]
        .as_array()
        .expect("builds")
        .iter()
        .map(|b| b["version"].as_str().expect("version"))
        .collect();
    assert_eq!(versions, ["1.2", "1.1"]);
}

#[test]
fn unreadable_previous_catalog_is_a_clear_error() {
    let tmp = tempfile::tempdir().expect("tmp");
    site(tmp.path(), &[("a.ipa", app("1.0", "1", 1))], None);
    std::fs::write(tmp.path().join("old.json"), "{}").expect("write");
    let output = Otasite::new(["build", "--previous", "old.json"])
        .dir(tmp.path())
        .output();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("old.json is not an otasite catalog.json"),
        "{stderr}"
    );
}

/// Every file of `expected/dist` but the archives is in `got/dist`, byte for byte, and nothing else.
fn assert_same_site_apart_from_archives(expected: &Path, got: &Path) {
    let not_ipa = |files: Vec<(String, Vec<u8>)>| -> Vec<(String, Vec<u8>)> {
        files
            .into_iter()
            .filter(|(name, _)| !name.ends_with(".ipa"))
            .collect()
    };
    let expected = not_ipa(tree(&expected.join("dist")));
    let got = not_ipa(tree(&got.join("dist")));
    let names =
        |files: &[(String, Vec<u8>)]| files.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&got), names(&expected));
    for ((name, want), (_, have)) in expected.iter().zip(&got) {
        assert!(
            want == have,
            "{name} differs:\n{}",
            String::from_utf8_lossy(have)
        );
    }
}

/// A deployed site: `root` served over HTTPS on loopback, and the CA file that trusts it.
struct Deployed {
    // Serves until dropped.
    _server: Server,
    ca_file: PathBuf,
}

impl Deployed {
    fn bind(dir: &Path) -> (std::net::TcpListener, String, PathBuf) {
        let (listener, port) = Server::bind();
        (
            listener,
            format!("https://127.0.0.1:{port}/"),
            dir.join("ca.pem"),
        )
    }

    fn serve(listener: std::net::TcpListener, root: PathBuf, ca_file: PathBuf) -> Deployed {
        let ca = TestCa::new("otasite test CA");
        std::fs::write(&ca_file, &ca.pem).expect("write CA");
        let handler = move |_method: &str, target: &str| -> Reply {
            let path = target
                .split('?')
                .next()
                .unwrap_or(target)
                .trim_start_matches('/');
            match std::fs::read(root.join(path)) {
                Ok(body) if !path.split('/').any(|s| s == "..") => (
                    "200 OK",
                    vec![("Content-Length", body.len().to_string())],
                    body,
                ),
                _ => (
                    "404 Not Found",
                    vec![("Content-Length", "0".into())],
                    Vec::new(),
                ),
            }
        };
        let tls = ca.server_config(&["127.0.0.1"]);
        Deployed {
            _server: Server::start(listener, tls, Arc::new(handler)),
            ca_file,
        }
    }

    /// Runs `otasite build --previous SOURCE` in `dir`, trusting the test CA.
    fn run_with_previous(&self, dir: &Path, source: &str) -> std::process::Output {
        Otasite::new(["build", "--previous", source])
            .dir(dir)
            .env("OTASITE_EXTRA_CA_CERT", &self.ca_file)
            .output()
    }

    /// [`Deployed::run_with_previous`], which must succeed.
    fn build_with_previous(&self, dir: &Path, source: &str) -> std::process::Output {
        let output = self.run_with_previous(dir, source);
        assert_ok(&output);
        output
    }
}

#[test]
fn previous_catalog_and_icons_fetched_from_the_deployed_site() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (listener, base, ca_file) = Deployed::bind(tmp.path());
    let (a, b) = (("a.ipa", app("1.0", "1", 1)), ("b.ipa", app("1.1", "2", 2)));
    let other = ("other.ipa", IpaBuilder::new("com.example.other", "Other"));

    let full = tmp.path().join("full");
    site_at(&full, &base, &[a.clone(), b.clone(), other.clone()], None);
    build(&full, &[]);
    let first = tmp.path().join("first");
    site_at(&first, &base, &[a, other], None);
    build(&first, &[]);
    let deployed = Deployed::serve(listener, first.join("dist"), ca_file);

    // The catalog by URL: nothing of the old site on disk.
    let second = tmp.path().join("second");
    site_at(&second, &base, std::slice::from_ref(&b), None);
    let output = deployed.build_with_previous(&second, &format!("{base}catalog.json"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("warning"), "{stderr}");
    assert_same_site_apart_from_archives(&full, &second);

    // A downloaded catalog.json alone: the icons come from the site as well.
    let third = tmp.path().join("third");
    site_at(&third, &base, &[b], None);
    let downloaded = tmp.path().join("deployed-catalog.json");
    std::fs::copy(first.join("dist/catalog.json"), &downloaded).expect("copy");
    deployed.build_with_previous(&third, downloaded.to_str().expect("utf8"));
    assert_same_site_apart_from_archives(&full, &third);
}

#[test]
fn previous_icon_that_cannot_be_fetched_is_a_placeholder_and_a_warning() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (listener, base, ca_file) = Deployed::bind(tmp.path());
    let first = tmp.path().join("first");
    site_at(&first, &base, &[("a.ipa", app("1.0", "1", 1))], None);
    build(&first, &[]);
    let real_icon = std::fs::read(first.join("dist/com.example.prev/1.0-1/icon-512.png")).unwrap();
    std::fs::remove_file(first.join("dist/com.example.prev/1.0-1/icon-57.png")).unwrap();
    let deployed = Deployed::serve(listener, first.join("dist"), ca_file);

    let second = tmp.path().join("second");
    site_at(&second, &base, &[("b.ipa", app("1.1", "2", 2))], None);
    let output = deployed.build_with_previous(&second, &format!("{base}catalog.json"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "({base}com.example.prev/1.0-1/icon-57.png: the server answered 404 Not Found); its pages show a placeholder"
        )),
        "{stderr}"
    );
    let kept_icon = std::fs::read(second.join("dist/com.example.prev/1.0-1/icon-512.png")).unwrap();
    assert_ne!(kept_icon, real_icon, "a placeholder, not the icon");
    assert!(
        second
            .join("dist/com.example.prev/1.1-2/icon-512.png")
            .is_file()
    );
}

#[test]
fn previous_catalog_url_that_fails_is_a_clear_error() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (listener, base, ca_file) = Deployed::bind(tmp.path());
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let deployed = Deployed::serve(listener, empty, ca_file);
    site_at(tmp.path(), &base, &[("a.ipa", app("1.0", "1", 1))], None);
    let url = format!("{base}catalog.json");
    let output = deployed.run_with_previous(tmp.path(), &url);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr)
            .lines()
            .find(|line| line.starts_with("error:"))
            .unwrap_or(""),
        format!(
            "error: cannot fetch the previous catalog {url}: the server answered 404 Not Found"
        )
    );
    assert!(!tmp.path().join("dist").exists(), "nothing written");
}

#[test]
fn previous_catalog_of_a_large_site_is_fetched_whole() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (listener, base, ca_file) = Deployed::bind(tmp.path());
    let first = tmp.path().join("first");
    site_at(&first, &base, &[("a.ipa", app("1.0", "1", 1))], None);
    build(&first, &[]);
    // A catalog of about ten thousand builds weighs over 16 MiB (the limit for a manifest or an
    // icon); trailing whitespace gives this one that size and leaves its JSON unchanged.
    let catalog = first.join("dist/catalog.json");
    let mut bytes = std::fs::read(&catalog).expect("catalog");
    bytes.resize(bytes.len() + (20 << 20), b' ');
    std::fs::write(&catalog, bytes).expect("pad");
    let deployed = Deployed::serve(listener, first.join("dist"), ca_file);

    let second = tmp.path().join("second");
    site_at(&second, &base, &[("b.ipa", app("1.1", "2", 2))], None);
    deployed.build_with_previous(&second, &format!("{base}catalog.json"));
    assert!(
        second
            .join("dist/com.example.prev/1.0-1/index.html")
            .is_file()
    );
}
