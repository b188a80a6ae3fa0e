//! `otasite build` end to end: the sample site, synthetic archives and the real fixtures,
//! checked file by file.

mod support;

use std::path::{Path, PathBuf};

use plist::Value;
use serde_json::Value as Json;
use support::fixtures::real_fixtures;
use support::ipa::{IpaBuilder, Kind, ProfileSpec};
use support::run::{Otasite, assert_ok, otasite, tree};
use support::site;

const BASE: &str = "https://apps.example.test/my apps/";

fn write_config(dir: &Path, extra: &str) -> PathBuf {
    site::write_config(dir, &site::config("Test site", BASE, extra))
}

/// Maps an absolute site URL to the file it names inside `dist`.
fn url_to_file(dist: &Path, base: &str, url: &str) -> PathBuf {
    let encoded_base = url::Url::parse(base).expect("base").to_string();
    let rest = url
        .strip_prefix(&encoded_base)
        .unwrap_or_else(|| panic!("{url} is not under {encoded_base}"));
    let decoded = percent_encoding::percent_decode_str(rest)
        .decode_utf8()
        .expect("utf8");
    let mut path = dist.join(decoded.as_ref());
    if url.ends_with('/') {
        path = path.join("index.html");
    }
    path
}

fn assert_resolves(dist: &Path, url: &str) {
    assert!(url.starts_with("https://"), "{url}");
    let file = url_to_file(dist, BASE, url);
    assert!(file.is_file(), "{url} -> {} is missing", file.display());
}

fn assert_png(dist: &Path, url: &str, size: u32) {
    let bytes = std::fs::read(url_to_file(dist, BASE, url)).expect("png");
    let info = otasite::raster::png_info(&bytes).expect("png header");
    assert!(!info.cgbi, "{url} must be a standard PNG");
    assert_eq!((info.width, info.height), (size, size), "{url}");
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder
        .read_info()
        .expect("a standard PNG decoder reads it");
}

/// Checks a manifest's structure and that every URL in it resolves; returns the ipa URL.
fn check_manifest(dist: &Path, manifest_url: &str, bundle_id: &str) -> String {
    let bytes = std::fs::read(url_to_file(dist, BASE, manifest_url)).expect("manifest");
    assert!(bytes.starts_with(b"<?xml"), "XML plist");
    let value = Value::from_reader_xml(&bytes[..]).expect("manifest parses");
    let item = value.as_dictionary().expect("dict")["items"]
        .as_array()
        .expect("items")[0]
        .as_dictionary()
        .expect("item")
        .clone();
    let mut urls = std::collections::BTreeMap::new();
    for asset in item["assets"].as_array().expect("assets") {
        let asset = asset.as_dictionary().expect("asset");
        urls.insert(
            asset["kind"].as_string().expect("kind").to_string(),
            asset["url"].as_string().expect("url").to_string(),
        );
    }
    let kinds: Vec<&str> = urls.keys().map(String::as_str).collect();
    assert_eq!(
        kinds,
        ["display-image", "full-size-image", "software-package"]
    );
    assert_png(dist, &urls["display-image"], 57);
    assert_png(dist, &urls["full-size-image"], 512);
    let metadata = item["metadata"].as_dictionary().expect("metadata");
    assert_eq!(metadata["bundle-identifier"].as_string(), Some(bundle_id));
    assert_eq!(metadata["kind"].as_string(), Some("software"));
    assert!(
        metadata["bundle-version"]
            .as_string()
            .is_some_and(|v| !v.is_empty())
    );
    assert!(metadata["title"].as_string().is_some_and(|v| !v.is_empty()));
    urls["software-package"].clone()
}

/// The catalog's contract: fields, URLs that resolve, manifests, icons, install links.
fn check_site(dist: &Path, copied_ipas: bool) -> Json {
    let catalog: Json =
        serde_json::from_slice(&std::fs::read(dist.join("catalog.json")).expect("catalog"))
            .expect("json");
    assert_eq!(
        catalog["site"]["base_url"],
        "https://apps.example.test/my%20apps/"
    );
    for file in ["index.html", "feed.xml", ".nojekyll"] {
        assert!(dist.join(file).is_file(), "{file}");
    }
    for app in catalog["apps"].as_array().expect("apps") {
        let bundle_id = app["bundle_id"].as_str().expect("bundle id");
        assert_resolves(dist, app["page_url"].as_str().expect("page"));
        if let Some(manifest) = app["manifest_url"].as_str() {
            check_manifest(dist, manifest, bundle_id);
            assert_eq!(
                otasite::urls::manifest_of_install_url(
                    app["install_url"].as_str().expect("install")
                )
                .as_deref(),
                Some(manifest)
            );
        }
        for build in app["builds"].as_array().expect("builds") {
            for key in [
                "version",
                "build",
                "channel",
                "page_url",
                "manifest_url",
                "ipa_url",
                "install_url",
                "icon_url",
                "size",
                "sha256",
                "min_os",
                "device_family",
                "installable",
                "problems",
                "profile",
                "released",
            ] {
                assert!(build.get(key).is_some(), "catalog build lacks {key}");
            }
            for key in ["page_url", "manifest_url", "icon_url"] {
                assert_resolves(dist, build[key].as_str().expect("url"));
            }
            let manifest = build["manifest_url"].as_str().expect("manifest");
            let ipa_url = check_manifest(dist, manifest, bundle_id);
            assert_eq!(ipa_url, build["ipa_url"].as_str().expect("ipa url"));
            if copied_ipas {
                assert_resolves(dist, &ipa_url);
                let size = std::fs::metadata(url_to_file(dist, BASE, &ipa_url))
                    .expect("ipa")
                    .len();
                assert_eq!(Some(size), build["size"].as_u64());
            }
            let install = build["install_url"].as_str().expect("install");
            assert_eq!(
                otasite::urls::manifest_of_install_url(install).as_deref(),
                Some(manifest)
            );
            // The page carries the exact link, with & written as &amp;.
            let page = std::fs::read_to_string(url_to_file(
                dist,
                BASE,
                build["page_url"].as_str().expect("page"),
            ))
            .expect("page");
            let link = format!("href=\"{}\"", install.replace('&', "&amp;"));
            match build["installable"].as_bool() {
                Some(true) => assert!(page.contains(&link), "install link on page"),
                _ => assert!(
                    !page.contains(&link) && page.contains("cannot be installed"),
                    "reason instead of link"
                ),
            }
            assert_png(dist, build["icon_url"].as_str().expect("icon"), 512);
        }
    }
    catalog
}

fn sample_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn sample_site_builds_completely_and_reproducibly() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = tmp.path().join("dist");
    let config = sample_dir().join("site.yaml");
    let args = [
        "build",
        "--config",
        config.to_str().expect("utf8"),
        "--out",
        out.to_str().expect("utf8"),
        "--base-url",
        BASE,
        "-q",
    ];
    assert_ok(&otasite(&args, tmp.path()));
    let catalog = check_site(&out, true);
    let apps = catalog["apps"].as_array().expect("apps");
    assert_eq!(apps.len(), 3);
    let field = apps
        .iter()
        .find(|a| a["bundle_id"] == "com.example.acme.field")
        .expect("field");
    let versions: Vec<&str> = field["builds"]
        .as_array()
        .expect("b")
        .iter()
        .map(|b| b["version"].as_str().expect("v"))
        .collect();
    assert_eq!(versions, ["1.2", "1.1", "1.0"], "newest first");
    assert_eq!(field["builds"][0]["channel"], "beta");
    assert!(
        field["builds"][1]["notes_html"]
            .as_str()
            .expect("notes")
            .contains("<li>Offline maps")
    );
    let kinds: Vec<&str> = apps
        .iter()
        .map(|a| a["builds"][0]["profile"]["kind"].as_str().expect("kind"))
        .collect();
    assert!(kinds.contains(&"enterprise") && kinds.contains(&"ad-hoc"));

    let first = tree(&out);
    // --force rewrites every file even though nothing changed.
    let forced: Vec<&str> = args.iter().copied().chain(["--force"]).collect();
    assert_ok(&otasite(&forced, tmp.path()));
    assert!(first == tree(&out), "rebuilding gives identical bytes");
}

/// Broken archives fail the build, each named, and nothing is written; `--keep-going` builds
/// the site from the others and still exits 1.
#[test]
fn broken_archives_fail_the_build_unless_keep_going() {
    let tmp = tempfile::tempdir().expect("tmp");
    let builds = tmp.path().join("builds");
    IpaBuilder::new("com.example.good", "Good").write(&builds.join("very capable app.ipa"));
    std::fs::write(
        builds.join("not-an-ipa.ipa"),
        "plain text, not a zip archive",
    )
    .expect("write");
    let no_app = support::ipa::zip_bytes(
        &[("Payload/readme.txt".to_string(), b"no bundle".to_vec())],
        1_700_000_000,
    );
    std::fs::write(builds.join("no-app-bundle.ipa"), no_app).expect("write");
    write_config(tmp.path(), "");

    let failed = otasite(&["build"], tmp.path());
    assert_eq!(failed.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&failed.stderr);
    for broken in ["not-an-ipa.ipa", "no-app-bundle.ipa"] {
        assert!(
            stderr.contains(broken),
            "{broken} should be listed: {stderr}"
        );
    }
    assert!(!tmp.path().join("dist").exists(), "nothing written");

    let output = otasite(&["build", "--keep-going"], tmp.path());
    assert_eq!(
        output.status.code(),
        Some(3),
        "built, with skipped inputs: exit code 3"
    );
    let catalog = check_site(&tmp.path().join("dist"), true);
    let bundle_ids: Vec<&str> = catalog["apps"]
        .as_array()
        .expect("apps")
        .iter()
        .map(|a| a["bundle_id"].as_str().expect("bundle_id"))
        .collect();
    assert_eq!(bundle_ids, ["com.example.good"]);
    let text = std::fs::read_to_string(tmp.path().join("dist/catalog.json")).expect("catalog");
    assert!(text.contains("very%20capable%20app.ipa"), "space encoded");
}

#[test]
#[ignore = "needs ../shared/fixtures (the real-archive corpus)"]
fn real_fixtures_site() {
    let tmp = tempfile::tempdir().expect("tmp");
    let builds = tmp.path().join("builds");
    std::fs::create_dir(&builds).expect("mkdir");
    let mut readable = 0;
    for entry in std::fs::read_dir(real_fixtures().join("ipa")).expect("fixtures") {
        let path = entry.expect("entry").path();
        // The same app as testApp.ipa with a binary plist: it would be a duplicate build.
        if path.to_string_lossy().ends_with("testApp-binaryPlist.ipa") {
            continue;
        }
        // Copied: links out of the builds folder are not followed.
        std::fs::copy(&path, builds.join(path.file_name().expect("name"))).expect("copy");
        readable += 1;
    }
    write_config(tmp.path(), "");
    // Broken fixtures make the build fail, listing every one of them, and write nothing.
    let failed = otasite(&["build"], tmp.path());
    assert_eq!(failed.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&failed.stderr);
    for broken in [
        "not-an-ipa.ipa",
        "no-app-bundle.ipa",
        "with_no_swift.ipa",
        "NotAnApp.ipa",
    ] {
        assert!(
            stderr.contains(broken),
            "{broken} should be listed: {stderr}"
        );
    }
    assert!(!tmp.path().join("dist").exists(), "nothing written");

    let output = otasite(&["build", "--keep-going"], tmp.path());
    assert_eq!(
        output.status.code(),
        Some(3),
        "built with skipped archives has its own exit code"
    );
    let catalog = check_site(&tmp.path().join("dist"), true);
    let builds_count: usize = catalog["apps"]
        .as_array()
        .expect("apps")
        .iter()
        .map(|a| a["builds"].as_array().expect("b").len())
        .sum();
    assert_eq!(builds_count, readable - 4);
    // A file name with spaces is percent-encoded in URLs.
    let text = std::fs::read_to_string(tmp.path().join("dist/catalog.json")).expect("catalog");
    assert!(text.contains("very%20capable%20app.ipa"), "space encoded");
}

#[test]
fn hostile_names_are_escaped_everywhere() {
    let tmp = tempfile::tempdir().expect("tmp");
    let evil = "<script>alert(1)</script> & \"Co\"";
    IpaBuilder::new("com.example.evil", "Evil")
        .set("CFBundleDisplayName", evil)
        .version("1.0 <b>", "1")
        .write(&tmp.path().join("builds/evil.ipa"));
    std::fs::write(
        tmp.path().join("builds/evil.md"),
        format!("{evil}\n\n<img src=x onerror=alert(1)>"),
    )
    .expect("notes");
    write_config(tmp.path(), "");
    assert_ok(&otasite(&["build", "-q"], tmp.path()));
    let dist = tmp.path().join("dist");
    for (rel, bytes) in tree(&dist) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("<script>alert"), "{rel} has raw script");
        assert!(!text.contains("<img src=x"), "{rel} has raw img");
    }
    let catalog: Json =
        serde_json::from_slice(&std::fs::read(dist.join("catalog.json")).expect("c"))
            .expect("json");
    assert_eq!(
        catalog["apps"][0]["name"], evil,
        "JSON keeps the text exactly"
    );
    let manifest = std::fs::read(dist.join("com.example.evil/manifest.plist")).expect("manifest");
    let value = Value::from_reader_xml(&manifest[..]).expect("parses");
    let title = value.as_dictionary().expect("d")["items"]
        .as_array()
        .expect("a")[0]
        .as_dictionary()
        .expect("i")["metadata"]
        .as_dictionary()
        .expect("m")["title"]
        .as_string()
        .map(str::to_string);
    assert_eq!(title.as_deref(), Some(evil));
    let page = std::fs::read_to_string(dist.join("com.example.evil/index.html")).expect("page");
    assert!(page.contains("&lt;script&gt;alert(1)&lt;"), "{page}");
    let feed = std::fs::read_to_string(dist.join("feed.xml")).expect("feed");
    assert!(feed.contains("&lt;script&gt;"), "feed escapes");
}

/// Bundle ids named like files at the site's root get folders of their own: the catalog,
/// the theme's assets and the index stay what they are, and every app still installs.
#[test]
fn bundle_ids_named_like_root_files_do_not_take_their_place() {
    let tmp = tempfile::tempdir().expect("tmp");
    let ids = ["catalog.json", "static", "index.html", "feed.xml", "CNAME"];
    for id in ids {
        IpaBuilder::new(id, "Squatter").write(&tmp.path().join(format!("builds/{id}.ipa")));
    }
    write_config(tmp.path(), "cname: apps.example.test\n");
    assert_ok(&otasite(&["build", "-q"], tmp.path()));
    let dist = tmp.path().join("dist");
    let catalog = check_site(&dist, true);
    let apps = catalog["apps"].as_array().expect("apps");
    assert_eq!(apps.len(), ids.len());
    for app in apps {
        let page = app["page_url"].as_str().expect("page url");
        let folder = page
            .strip_prefix("https://apps.example.test/my%20apps/")
            .and_then(|rest| rest.strip_suffix('/'))
            .expect("a folder at the root");
        assert!(
            !ids.iter().any(|id| id.eq_ignore_ascii_case(folder)),
            "{} took {folder}/",
            app["bundle_id"]
        );
        assert!(dist.join(folder).is_dir(), "{folder}");
    }
    assert!(dist.join("catalog.json").is_file() && dist.join("feed.xml").is_file());
    assert!(dist.join("static/style.css").is_file());
    assert_eq!(
        std::fs::read_to_string(dist.join("CNAME")).expect("CNAME"),
        "apps.example.test\n"
    );
}

#[test]
fn duplicates_name_both_files() {
    let tmp = tempfile::tempdir().expect("tmp");
    let app = IpaBuilder::new("com.example.dup", "Dup").version("1.0", "1");
    app.write(&tmp.path().join("builds/a.ipa"));
    app.write(&tmp.path().join("builds/beta/b.ipa"));
    write_config(tmp.path(), "");
    let output = otasite(&["build"], tmp.path());
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("a.ipa") && stderr.contains("beta/b.ipa"),
        "{stderr}"
    );
}

#[test]
fn strict_fails_on_blocked_newest_build() {
    let tmp = tempfile::tempdir().expect("tmp");
    IpaBuilder::new("com.example.store", "Store")
        .profile(Some(ProfileSpec::new(Kind::AppStore)))
        .write(&tmp.path().join("builds/store.ipa"));
    write_config(tmp.path(), "");
    assert_ok(&otasite(&["build", "-q"], tmp.path()));
    let page = std::fs::read_to_string(tmp.path().join("dist/com.example.store/1.0-1/index.html"))
        .expect("page");
    assert!(
        page.contains("cannot be installed over the air"),
        "reason shown instead of the button"
    );
    assert!(!page.contains("id=\"install-button\""));
    let output = otasite(&["build", "--strict"], tmp.path());
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("App Store"));
}

#[test]
fn config_errors_exit_2_with_location() {
    let tmp = tempfile::tempdir().expect("tmp");
    write_config(tmp.path(), "colour: blue\n");
    let output = otasite(&["build"], tmp.path());
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("site.yaml:3:1") && stderr.contains("colour"),
        "{stderr}"
    );
    let output = otasite(&["build", "--config", "missing.yaml"], tmp.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("missing.yaml"));
}

#[test]
fn keep_ipa_base_url_link_and_cname() {
    let tmp = tempfile::tempdir().expect("tmp");
    for build in 1..=3 {
        IpaBuilder::new("com.example.keep", "Keep")
            .version(&format!("1.{build}"), &build.to_string())
            .write(&tmp.path().join(format!("builds/keep-{build}.ipa")));
    }
    write_config(
        tmp.path(),
        "keep: 2\nipa_base_url: https://cdn.example.test/ipas\ncname: apps.example.test\n",
    );
    assert_ok(&otasite(&["build", "-q"], tmp.path()));
    let dist = tmp.path().join("dist");
    let catalog = check_site(&dist, false);
    let builds = catalog["apps"][0]["builds"].as_array().expect("builds");
    assert_eq!(builds.len(), 2);
    assert_eq!(
        builds[0]["ipa_url"],
        "https://cdn.example.test/ipas/keep-3.ipa"
    );
    assert!(
        !dist.join("com.example.keep/1.3-3/keep-3.ipa").exists(),
        "not copied"
    );
    assert_eq!(
        std::fs::read_to_string(dist.join("CNAME")).expect("cname"),
        "apps.example.test\n"
    );

    // --link: the archive in the site is the same inode as the source.
    write_config(tmp.path(), "");
    assert_ok(&otasite(&["build", "-q", "--link"], tmp.path()));
    use std::os::unix::fs::MetadataExt;
    let source = std::fs::metadata(tmp.path().join("builds/keep-3.ipa"))
        .expect("src")
        .ino();
    let linked = std::fs::metadata(dist.join("com.example.keep/1.3-3/keep-3.ipa"))
        .expect("dst")
        .ino();
    assert_eq!(source, linked);
}

#[test]
fn refuses_foreign_output_folder_without_force() {
    let tmp = tempfile::tempdir().expect("tmp");
    IpaBuilder::new("com.example.a", "A").write(&tmp.path().join("builds/a.ipa"));
    write_config(tmp.path(), "");
    std::fs::create_dir(tmp.path().join("dist")).expect("mkdir");
    std::fs::write(tmp.path().join("dist/precious.txt"), "keep me").expect("write");
    let output = otasite(&["build"], tmp.path());
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--force"));
    assert!(tmp.path().join("dist/precious.txt").exists());
    assert_ok(&otasite(&["build", "--force", "-q"], tmp.path()));
    assert!(!tmp.path().join("dist/precious.txt").exists());
}

#[test]
fn bad_archive_leaves_previous_site_untouched() {
    let tmp = tempfile::tempdir().expect("tmp");
    IpaBuilder::new("com.example.a", "A").write(&tmp.path().join("builds/a.ipa"));
    write_config(tmp.path(), "");
    assert_ok(&otasite(&["build", "-q"], tmp.path()));
    let before = tree(&tmp.path().join("dist"));
    std::fs::write(tmp.path().join("builds/broken.ipa"), b"not a zip").expect("write");
    let output = otasite(&["build"], tmp.path());
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("broken.ipa: not a zip archive"));
    assert!(
        before == tree(&tmp.path().join("dist")),
        "previous site intact"
    );
}

#[test]
fn killed_build_leaves_previous_site_intact() {
    let tmp = tempfile::tempdir().expect("tmp");
    IpaBuilder::new("com.example.a", "A").write(&tmp.path().join("builds/a.ipa"));
    write_config(tmp.path(), "");
    assert_ok(&otasite(&["build", "-q"], tmp.path()));
    let before = tree(&tmp.path().join("dist"));
    // Many archives make the staging phase long enough to interrupt.
    for i in 0..150 {
        IpaBuilder::new(&format!("com.example.many{i}"), "Many")
            .app_file("payload.bin", vec![i as u8; 2 << 20])
            .write(&tmp.path().join(format!("builds/many-{i}.ipa")));
    }
    let mut child = Otasite::new(["build", "-q"]).dir(tmp.path()).spawn();
    let staging_seen = (0..4000).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(2));
        std::fs::read_dir(tmp.path()).expect("dir").any(|e| {
            e.expect("e")
                .file_name()
                .to_string_lossy()
                .starts_with(".dist.staging-")
        })
    });
    child.kill().expect("kill");
    child.wait().expect("wait");
    assert!(
        staging_seen,
        "the build reached its staging phase before being killed"
    );
    assert!(
        before == tree(&tmp.path().join("dist")),
        "previous site intact after kill"
    );
    // The next build cleans the leftover staging folder and succeeds.
    assert_ok(&otasite(&["build", "-q"], tmp.path()));
    let leftovers: Vec<String> = std::fs::read_dir(tmp.path())
        .expect("dir")
        .map(|e| e.expect("e").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".dist.") && n != ".dist.otasite-cache")
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// A feed reader polls `feed.xml`: it lists the newest builds, not the whole history (which
/// `catalog.json` keeps).
#[test]
fn feed_lists_only_the_newest_hundred_builds() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    write_config(dir, "");
    let start = 1_700_000_000;
    for i in 0..105 {
        IpaBuilder::new(&format!("com.example.feed{}", i % 3), "Feed")
            .version("1.0", &i.to_string())
            .modified(start + i * 3600)
            .write(&dir.join(format!("builds/feed{i}.ipa")));
    }
    assert_ok(&otasite(&["build", "-q"], dir));
    let feed = std::fs::read_to_string(dir.join("dist/feed.xml")).expect("feed");
    let entries: Vec<&str> = feed.split("<entry>").skip(1).collect();
    assert_eq!(entries.len(), 100, "the newest 100 of 105 builds");
    // Newest first: builds 104 down to 5; the five oldest are left out.
    assert!(entries[0].contains("(104)"), "{}", entries[0]);
    assert!(entries[99].contains("(5)"), "{}", entries[99]);
    let titles: Vec<&str> = entries
        .iter()
        .map(|entry| {
            entry
                .split("<title")
                .nth(1)
                .and_then(|t| t.split("</title>").next())
        })
        .map(|title| title.expect("each entry has a title"))
        .collect();
    for old in 0..5 {
        let label = format!("({old})");
        assert!(!titles.iter().any(|t| t.ends_with(&label)), "{titles:?}");
    }
    let catalog: Json =
        serde_json::from_slice(&std::fs::read(dir.join("dist/catalog.json")).expect("catalog"))
            .expect("json");
    let builds: usize = catalog["apps"]
        .as_array()
        .expect("apps")
        .iter()
        .map(|app| app["builds"].as_array().expect("builds").len())
        .sum();
    assert_eq!(builds, 105, "the catalog keeps every build");
}
