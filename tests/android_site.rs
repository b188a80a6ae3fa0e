//! Android builds on the site: `.apk` files beside `.ipa` files, built end to end from
//! packages the tests encode (and from the real corpus), checked in the catalog, the pages,
//! the feed, the headers, `check`, `--previous` and no-op rebuilds.

mod support;

use std::path::Path;

use otasite::config::Overrides;
use otasite::pipeline::BuildOptions;
use serde_json::Value;
use support::apk::ApkBuilder;
use support::fixtures::real_fixtures;
use support::ipa::IpaBuilder;
use support::run::{assert_ok, otasite};
use support::site;

const APK_TYPE: &str = "application/vnd.android.package-archive";

fn write_site(dir: &Path, extra: &str) {
    site::write_config(dir, &site::config("Test site", site::BASE_URL, extra));
}

fn catalog(dir: &Path) -> Value {
    let bytes = std::fs::read(dir.join("dist/catalog.json")).expect("catalog.json");
    serde_json::from_slice(&bytes).expect("catalog parses")
}

fn read(dir: &Path, relative: &str) -> String {
    std::fs::read_to_string(dir.join("dist").join(relative))
        .unwrap_or_else(|e| panic!("dist/{relative}: {e}"))
}

fn android_build(app: &Value) -> &Value {
    app["builds"]
        .as_array()
        .expect("builds")
        .iter()
        .find(|b| b["os"] == "android")
        .expect("an Android build")
}

/// An iOS app and its Android package, joined by site.yaml.
fn combined_site() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tmp");
    write_site(
        tmp.path(),
        "apps:\n  com.example.app:\n    android: com.example.droid\n",
    );
    IpaBuilder::new("com.example.app", "Example").write(&tmp.path().join("builds/Example.ipa"));
    ApkBuilder::new("com.example.droid", "Example for Android")
        .version("2.0", 20)
        .min_sdk(26)
        .write(&tmp.path().join("builds/Example.apk"));
    tmp
}

#[test]
fn a_joined_app_has_both_platforms_in_the_catalog_and_pages() {
    let tmp = combined_site();
    assert_ok(&otasite(&["build"], tmp.path()));
    let catalog = catalog(tmp.path());
    let apps = catalog["apps"].as_array().expect("apps");
    assert_eq!(apps.len(), 1, "one product: {catalog:#}");
    let app = &apps[0];
    assert_eq!(app["bundle_id"], "com.example.app");
    assert_eq!(app["platforms"], serde_json::json!(["ios", "android"]));
    let ios = app["builds"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["os"] == "ios")
        .expect("the iOS build");
    assert!(
        ios["manifest_url"]
            .as_str()
            .unwrap()
            .ends_with("manifest.plist")
    );
    let droid = android_build(app);
    assert_eq!(droid["bundle_id"], "com.example.droid");
    assert_eq!(droid["platform"], "android");
    assert_eq!(droid["version"], "2.0");
    assert_eq!(droid["build"], "20");
    assert_eq!(droid["min_os"], "Android 8.0");
    assert_eq!(droid["android"]["min_sdk"], 26);
    assert_eq!(droid["android"]["target_sdk"], 34);
    assert_eq!(droid["android"]["version_code"], 20);
    assert_eq!(droid["android"]["signing"]["v1"], true);
    assert_eq!(droid["installable"], true, "{droid:#}");
    assert_eq!(droid["manifest_url"], "", "no manifest for an APK");
    let apk_url = droid["ipa_url"].as_str().unwrap();
    assert!(apk_url.ends_with("/Example.apk"), "{apk_url}");
    assert_eq!(droid["install_url"], apk_url);

    // The Android build's folder: the APK and its page, never a manifest.
    let folder = droid["path"].as_str().unwrap();
    assert!(folder.starts_with("com.example.app/"), "{folder}");
    assert!(folder.ends_with("-android/"), "{folder}");
    let dist = tmp.path().join("dist");
    assert_eq!(
        std::fs::read(dist.join(folder).join("Example.apk")).unwrap(),
        std::fs::read(tmp.path().join("builds/Example.apk")).unwrap()
    );
    assert!(!dist.join(folder).join("manifest.plist").exists());
    let page = read(tmp.path(), &format!("{folder}index.html"));
    assert!(page.contains(r#"id="apk-button" href="https://apps.example.test/"#));
    assert!(page.contains("Example.apk"));
    assert!(page.contains("requires Android 8.0 or later"));
    assert!(page.contains("Install unknown apps"));
    assert!(page.contains("Samsung Internet") && page.contains("Firefox"));
    assert!(page.contains("Play Protect"));
    assert!(page.contains(r#"data-min-sdk="26""#));
    assert!(page.contains("<svg"), "a QR code for computers");
    assert!(!page.contains("itms-services"), "no iOS install link");

    // The app page: one section per system, iOS first in the page's own order.
    let app_page = read(tmp.path(), "com.example.app/index.html");
    let ios_at = app_page.find(r#"id="platform-ios""#).expect("iOS section");
    let android_at = app_page
        .find(r#"id="platform-android""#)
        .expect("Android section");
    assert!(ios_at < android_at);
    assert!(app_page.contains("itms-services://"));
    assert!(app_page.contains(r#"id="apk-button""#));

    // The stable manifest installs the iOS build.
    let manifest = read(tmp.path(), "com.example.app/manifest.plist");
    assert!(manifest.contains("com.example.app") && !manifest.contains("com.example.droid"));

    let feed = read(tmp.path(), "feed.xml");
    assert!(feed.contains(droid["page_url"].as_str().unwrap()), "{feed}");

    let headers = read(tmp.path(), "_headers");
    assert!(
        headers.contains(&format!("/*.apk\n  Content-Type: {APK_TYPE}")),
        "{headers}"
    );
    assert_eq!(otasite::hosting::content_type("a/b/App.apk"), APK_TYPE);

    // The built site passes check; without the APK it does not.
    assert_ok(&otasite(&["check"], tmp.path()));
    std::fs::remove_file(dist.join(folder).join("Example.apk")).unwrap();
    let broken = otasite(&["check"], tmp.path());
    assert!(!broken.status.success());
    assert!(
        String::from_utf8_lossy(&broken.stdout).contains("Example.apk")
            || String::from_utf8_lossy(&broken.stderr).contains("Example.apk")
    );
}

#[test]
fn packages_not_joined_are_apps_of_their_own() {
    let tmp = tempfile::tempdir().expect("tmp");
    write_site(tmp.path(), "");
    IpaBuilder::new("com.example.app", "Example").write(&tmp.path().join("builds/Example.ipa"));
    ApkBuilder::new("com.example.droid", "Droid").write(&tmp.path().join("builds/Droid.apk"));
    assert_ok(&otasite(&["build"], tmp.path()));
    let catalog = catalog(tmp.path());
    let apps = catalog["apps"].as_array().unwrap();
    assert_eq!(apps.len(), 2);
    let droid = apps
        .iter()
        .find(|a| a["bundle_id"] == "com.example.droid")
        .expect("the Android app");
    assert_eq!(droid["platforms"], serde_json::json!(["android"]));
    assert!(droid["manifest_url"].is_null(), "no stable manifest");
    let page = read(tmp.path(), "com.example.droid/index.html");
    // An iPhone visitor is told this is an Android app (shown by the script).
    assert!(page.contains(r#"id="ios-visitor""#) && page.contains("This is an Android app"));
    assert!(!page.contains(r#"id="platform-ios""#));
    assert_ok(&otasite(&["check"], tmp.path()));
}

#[test]
fn an_app_bundle_is_refused_by_name_and_does_not_stop_the_others() {
    let tmp = tempfile::tempdir().expect("tmp");
    write_site(tmp.path(), "");
    ApkBuilder::new("com.example.droid", "Droid").write(&tmp.path().join("builds/Droid.apk"));
    std::fs::write(tmp.path().join("builds/Droid.aab"), b"PK not read").unwrap();
    let failed = otasite(&["build"], tmp.path());
    assert_eq!(failed.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&failed.stderr);
    let line = stderr
        .lines()
        .find(|l| l.contains("Droid.aab") && !l.starts_with("read "))
        .unwrap_or_else(|| panic!("names the file: {stderr}"));
    assert!(line.contains("bundletool"), "{line}");
    assert!(!tmp.path().join("dist/catalog.json").exists());

    // --keep-going builds the rest, and its exit code says something was skipped.
    let partial = otasite(&["build", "--keep-going"], tmp.path());
    assert_eq!(partial.status.code(), Some(3));
    let catalog = catalog(tmp.path());
    assert_eq!(catalog["apps"][0]["bundle_id"], "com.example.droid");
}

#[test]
fn install_problems_make_an_android_build_not_installable() {
    let tmp = tempfile::tempdir().expect("tmp");
    write_site(tmp.path(), "");
    ApkBuilder::new("com.example.tests", "Tests")
        .test_only()
        .write(&tmp.path().join("builds/Tests.apk"));
    let mut unsigned = ApkBuilder::new("com.example.unsigned", "Unsigned");
    unsigned.signed = false;
    unsigned.write(&tmp.path().join("builds/Unsigned.apk"));
    assert_ok(&otasite(&["build"], tmp.path()));
    let catalog = catalog(tmp.path());
    for (id, says) in [
        ("com.example.tests", "testOnly"),
        ("com.example.unsigned", "not signed"),
    ] {
        let app = catalog["apps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["bundle_id"] == id)
            .expect(id);
        let build = android_build(app);
        assert_eq!(build["installable"], false, "{id}");
        let blocking: Vec<&str> = build["blocking"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert!(
            blocking.iter().any(|b| b.contains(says)),
            "{id}: {blocking:?}"
        );
        let page = read(
            tmp.path(),
            &format!("{}index.html", build["path"].as_str().unwrap()),
        );
        assert!(page.contains("This build cannot be installed"), "{id}");
        assert!(!page.contains(r#"id="apk-button""#), "{id}");
    }
}

fn library_build(dir: &Path, previous: Option<String>) -> otasite::pipeline::BuildStats {
    let settings =
        otasite::config::load(&dir.join("site.yaml"), &Overrides::default()).expect("site.yaml");
    let options = BuildOptions {
        previous,
        ..support::site::build_options()
    };
    otasite::pipeline::build(&settings, &options)
        .expect("build")
        .stats
}

#[test]
fn a_rebuild_with_nothing_changed_reads_no_package() {
    let tmp = combined_site();
    let first = library_build(tmp.path(), None);
    assert_eq!(first.archives_read, 2);
    let before = catalog(tmp.path());
    let second = library_build(tmp.path(), None);
    assert_eq!(second.archives_read, 0, "both came from the cache");
    assert_eq!(catalog(tmp.path()), before, "the same catalog");
}

#[test]
fn previous_keeps_android_builds_of_the_deployed_site() {
    let tmp = combined_site();
    // Kept builds link archives hosted apart from the site.
    write_site(
        tmp.path(),
        "ipa_base_url: \"https://files.example.test/\"\napps:\n  com.example.app:\n    android: com.example.droid\n",
    );
    assert_ok(&otasite(&["build"], tmp.path()));
    let deployed = tmp.path().join("deployed");
    std::fs::rename(tmp.path().join("dist"), &deployed).unwrap();
    let old = catalog_at(&deployed);
    // The next build has only a newer APK: the deployed builds are kept from the catalog.
    std::fs::remove_dir_all(tmp.path().join("builds")).unwrap();
    ApkBuilder::new("com.example.droid", "Example for Android")
        .version("2.1", 21)
        .write(&tmp.path().join("builds/Example-2.1.apk"));
    assert_ok(&otasite(
        &[
            "build",
            "--previous",
            deployed.join("catalog.json").to_str().unwrap(),
        ],
        tmp.path(),
    ));
    let catalog = catalog(tmp.path());
    let app = &catalog["apps"][0];
    let builds = app["builds"].as_array().unwrap();
    let kept = builds
        .iter()
        .find(|b| b["build"] == "20")
        .expect("the deployed Android build is kept");
    assert_eq!(kept["os"], "android");
    assert_eq!(kept["installable"], true, "{kept:#}");
    assert_eq!(kept["ipa_url"], android_build(&old["apps"][0])["ipa_url"]);
    assert!(builds.iter().any(|b| b["build"] == "21"));
    assert!(builds.iter().any(|b| b["os"] == "ios"));
}

fn catalog_at(dist: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dist.join("catalog.json")).unwrap()).unwrap()
}

#[test]
fn old_catalogs_without_os_read_as_ios() {
    let build: otasite::catalog::Build = serde_json::from_value(serde_json::json!({
        "bundle_id": "com.a", "version": "1", "build": "1", "channel": null,
        "page_url": "https://x/", "manifest_url": "https://x/m", "ipa_url": "https://x/a.ipa",
        "install_url": "itms-services://", "icon_url": "https://x/i.png", "size": 1,
        "sha256": "", "min_os": null, "device_family": [], "installable": true,
        "problems": [], "profile": null, "released": null, "name": "A", "path": "com.a/1-1/",
        "file": "a.ipa", "platform": null, "extensions": [], "notes_html": null,
        "icon_source": null
    }))
    .expect("an old build entry");
    assert_eq!(build.os, otasite::android::Os::Ios);
    assert!(build.android.is_none());
}

#[test]
#[ignore = "needs ../shared/fixtures (the real-archive corpus)"]
fn a_site_from_the_real_android_packages() {
    let corpus = real_fixtures().join("apk");
    let expected: Value =
        serde_json::from_slice(&std::fs::read(corpus.join("expected.json")).expect("expected"))
            .expect("expected.json");
    let tmp = tempfile::tempdir().expect("tmp");
    write_site(tmp.path(), "");
    let builds = tmp.path().join("builds");
    std::fs::create_dir_all(&builds).unwrap();
    let files = expected["files"]
        .as_array()
        .or_else(|| expected.as_array())
        .expect("expected.json lists files");
    // One package of each version: two files of the same version are one build too many.
    let mut versions = std::collections::BTreeSet::new();
    for want in files {
        let name = want["file"].as_str().expect("file");
        let version = (
            want["package"].to_string(),
            want["version_code"].to_string(),
        );
        if want["kind"] == "apk" && !versions.insert(version) {
            continue;
        }
        std::fs::copy(corpus.join(name), builds.join(name)).unwrap();
    }
    let output = otasite(&["build", "--keep-going"], tmp.path());
    assert_eq!(output.status.code(), Some(3), "the bundle is skipped");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr
            .lines()
            .any(|l| l.contains(".aab") && l.contains("bundletool")),
        "the bundle is refused by name: {stderr}"
    );
    let catalog = catalog(tmp.path());
    let built: Vec<&Value> = catalog["apps"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|a| a["builds"].as_array().unwrap())
        .collect();
    let mut compared = 0;
    for want in files {
        let file = want["file"].as_str().unwrap_or_default();
        let Some(got) = built.iter().find(|b| b["file"] == file) else {
            continue;
        };
        compared += 1;
        assert_eq!(got["os"], "android", "{file}");
        let package = want["package"].as_str().or(want["bundle_id"].as_str());
        if let Some(package) = package {
            assert_eq!(got["bundle_id"], package, "{file}");
        }
        assert_eq!(got["android"]["min_sdk"], want["min_sdk"], "{file}");
        assert_eq!(
            got["android"]["version_code"], want["version_code"],
            "{file}"
        );
        let folder = tmp.path().join("dist").join(got["path"].as_str().unwrap());
        let kind = want["icon"]["kind"].as_str().unwrap_or_default();
        if matches!(kind, "png" | "xml-vector" | "xml-adaptive") {
            // The icon aapt names is the one on the pages, drawn when it is XML.
            assert_eq!(got["icon_source"], want["icon"]["path"], "{file}");
            let problems = got["problems"].to_string();
            assert!(
                !problems.contains("placeholder") && !problems.contains("cannot be drawn"),
                "{file}: {problems}"
            );
        }
        if kind.starts_with("xml-") {
            // A drawn vector or adaptive icon shows something (a bitmap may be one colour).
            let png = std::fs::read(folder.join("icon-512.png")).expect("the icon");
            let icon = otasite::raster::decode_png(&png).expect("a PNG");
            let distinct: std::collections::BTreeSet<&[u8]> = icon.pixels.chunks_exact(4).collect();
            assert!(
                distinct.len() > 2,
                "{file}: the icon shows something ({} colours)",
                distinct.len()
            );
        }
        assert!(folder.join("index.html").is_file(), "{file}");
        assert!(folder.join(file).is_file(), "{file}: the APK is published");
    }
    assert!(compared >= 10, "most packages are on the site: {compared}");
    assert_ok(&otasite(&["check"], tmp.path()));
}

/// An opaque square of `colour` in the middle third of a transparent `edge`-pixel PNG.
fn centred_square_png(edge: u32, colour: [u8; 4]) -> Vec<u8> {
    let mut pixels = vec![0u8; (edge * edge * 4) as usize];
    for y in edge / 3..edge * 2 / 3 {
        for x in edge / 3..edge * 2 / 3 {
            let at = ((y * edge + x) * 4) as usize;
            pixels[at..at + 4].copy_from_slice(&colour);
        }
    }
    otasite::raster::RgbaImage::new(edge, edge, pixels)
        .expect("pixels")
        .to_png()
}

#[test]
fn an_adaptive_icon_is_composed_and_masked() {
    use support::apk::{ResValue, ResourceTable, adaptive_icon_xml};
    const LAUNCHER: u32 = 0x7f01_0000;
    const FOREGROUND: u32 = 0x7f01_0001;
    const BACKGROUND: u32 = 0x7f02_0000;
    let xml_path = "res/mipmap-anydpi-v26/ic_launcher.xml";
    let png_path = "res/mipmap-xxxhdpi-v4/ic_launcher_foreground.png";
    let table = ResourceTable::default()
        .value(1, 0xfffe, 26, 0, ResValue::Path(xml_path.into()))
        .value(1, 640, 4, 1, ResValue::Path(png_path.into()))
        .value(2, 0, 0, 0, ResValue::Colour(0xff33_66cc));
    let tmp = tempfile::tempdir().expect("tmp");
    write_site(tmp.path(), "");
    ApkBuilder::new("com.example.adaptive", "Adaptive")
        .icon(
            LAUNCHER,
            vec![
                ("resources.arsc".into(), table.bytes()),
                (xml_path.into(), adaptive_icon_xml(BACKGROUND, FOREGROUND)),
                (png_path.into(), centred_square_png(432, [200, 30, 30, 255])),
            ],
        )
        .write(&tmp.path().join("builds/Adaptive.apk"));
    assert_ok(&otasite(&["build"], tmp.path()));
    let catalog = catalog(tmp.path());
    let build = android_build(&catalog["apps"][0]);
    assert_eq!(build["icon_source"], xml_path, "{build:#}");
    assert!(
        !build["problems"].to_string().contains("adaptive"),
        "drawn, so no warning: {}",
        build["problems"]
    );
    let png = std::fs::read(
        tmp.path()
            .join("dist")
            .join(build["path"].as_str().unwrap())
            .join("icon-512.png"),
    )
    .expect("the icon");
    let icon = otasite::raster::decode_png(&png).expect("a PNG");
    let pixel = |x: u32, y: u32| {
        let at = ((y * icon.width + x) * 4) as usize;
        icon.pixels[at..at + 4].to_vec()
    };
    let side = icon.width;
    assert_eq!(pixel(0, 0)[3], 0, "the mask cuts the corners");
    let edge = pixel(side / 2, 6);
    assert!(
        edge[3] == 255 && edge[0].abs_diff(0x33) < 8 && edge[2].abs_diff(0xcc) < 8,
        "the background colour at the edge: {edge:?}"
    );
    let centre = pixel(side / 2, side / 2);
    assert!(
        centre[0] > 180 && centre[1] < 60,
        "the foreground in the middle: {centre:?}"
    );
}

#[test]
fn two_packages_of_one_version_are_named_with_their_version_code() {
    let tmp = tempfile::tempdir().expect("tmp");
    write_site(tmp.path(), "");
    let apk = ApkBuilder::new("com.example.droid", "Droid").version("1.0", 7);
    apk.write(&tmp.path().join("builds/a.apk"));
    apk.write(&tmp.path().join("builds/b.apk"));
    let failed = otasite(&["build"], tmp.path());
    assert_eq!(failed.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(
        stderr.contains("a.apk and b.apk both hold com.example.droid")
            && stderr.contains("different versionCode values"),
        "{stderr}"
    );
}

#[test]
fn a_private_android_app_is_published_in_its_token_folder() {
    let tmp = tempfile::tempdir().expect("tmp");
    write_site(
        tmp.path(),
        "apps:\n  com.example.secret:\n    private: true\n",
    );
    ApkBuilder::new("com.example.open", "Open").write(&tmp.path().join("builds/Open.apk"));
    ApkBuilder::new("com.example.secret", "Secret").write(&tmp.path().join("builds/Secret.apk"));
    let output = support::run::Otasite::new(["build"])
        .dir(tmp.path())
        .env(
            "OTASITE_SECRET",
            "0f1e2d3c4b5a69788796a5b4c3d2e1f0-test-secret",
        )
        .env("OTASITE_PASSWORD", "correct horse battery")
        .output();
    assert_ok(&output);
    let catalog = catalog(tmp.path());
    let ids: Vec<&str> = catalog["apps"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["bundle_id"].as_str())
        .collect();
    assert_eq!(ids, ["com.example.open"], "the private app is not public");
    let secret = std::fs::read(tmp.path().join("builds/Secret.apk")).unwrap();
    let published: Vec<_> = walkdir::WalkDir::new(tmp.path().join("dist"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name() == "app.apk")
        .collect();
    assert_eq!(published.len(), 1, "the private APK as app.apk");
    assert_eq!(std::fs::read(published[0].path()).unwrap(), secret);
    let headers = read(tmp.path(), "_headers");
    assert!(!headers.contains("com.example.secret"));
}

#[test]
fn channels_of_an_android_only_app_list_its_builds_without_an_ios_error() {
    let tmp = tempfile::tempdir().expect("tmp");
    write_site(tmp.path(), "");
    ApkBuilder::new("com.example.droid", "Droid")
        .version("1.1", 11)
        .write(&tmp.path().join("builds/beta/Droid.apk"));
    assert_ok(&otasite(&["build"], tmp.path()));
    let catalog = catalog(tmp.path());
    let build = android_build(&catalog["apps"][0]);
    assert_eq!(build["channels"], serde_json::json!(["beta"]));
    let page = read(tmp.path(), "com.example.droid/index.html");
    assert!(page.contains("Channel beta"));
    assert!(!page.contains("can be installed over the air"), "{page}");
    assert!(page.contains(build["path"].as_str().unwrap()));
    assert_ok(&otasite(&["check"], tmp.path()));
}

/// Builds a site of one APK whose launcher icon is `icon_path`, with the resource table and
/// files given; returns its catalog build and its 512-pixel icon.
fn site_icon(
    icon_path: &str,
    table: support::apk::ResourceTable,
    files: Vec<(String, Vec<u8>)>,
) -> (Value, otasite::raster::RgbaImage) {
    const LAUNCHER: u32 = 0x7f01_0000;
    let tmp = tempfile::tempdir().expect("tmp");
    write_site(tmp.path(), "");
    let table = table.value(1, 0, 0, 0, support::apk::ResValue::Path(icon_path.into()));
    let mut entries = vec![("resources.arsc".to_string(), table.bytes())];
    entries.extend(files);
    ApkBuilder::new("com.example.vector", "Vector")
        .icon(LAUNCHER, entries)
        .write(&tmp.path().join("builds/Vector.apk"));
    assert_ok(&otasite(&["build"], tmp.path()));
    let build = android_build(&catalog(tmp.path())["apps"][0]).clone();
    let png = std::fs::read(
        tmp.path()
            .join("dist")
            .join(build["path"].as_str().unwrap())
            .join("icon-512.png"),
    )
    .expect("the icon");
    (build, otasite::raster::decode_png(&png).expect("a PNG"))
}

fn pixel(icon: &otasite::raster::RgbaImage, x: u32, y: u32) -> [u8; 4] {
    let at = ((y * icon.width + x) * 4) as usize;
    icon.pixels[at..at + 4].try_into().unwrap()
}

#[test]
fn a_vector_icon_is_drawn() {
    use support::apk::{ResourceTable, fill, path_data, vector_xml};
    // A red square from (6, 6) to (18, 18) of a 24-unit viewport: pixels 128..384 of 512.
    let xml = vector_xml(24.0, 24.0, |x| {
        x.start("path", &[path_data("M6,6h12v12h-12z"), fill(0xffff_0000)])
            .end();
    });
    let path = "res/drawable/ic_launcher.xml";
    let (build, icon) = site_icon(path, ResourceTable::default(), vec![(path.into(), xml)]);
    assert_eq!(build["icon_source"], path);
    assert_eq!(
        build["problems"],
        serde_json::json!([]),
        "drawn, no warning"
    );
    assert_eq!((icon.width, icon.height), (512, 512));
    for y in (0..512).step_by(4) {
        for x in (0..512).step_by(4) {
            let inside = (129..383).contains(&x) && (129..383).contains(&y);
            let outside = !(127..385).contains(&x) || !(127..385).contains(&y);
            let got = pixel(&icon, x, y);
            if inside {
                assert_eq!(got, [255, 0, 0, 255], "({x}, {y}) is in the square");
            } else if outside {
                assert_eq!(got[3], 0, "({x}, {y}) is outside the square: {got:?}");
            }
        }
    }
}

#[test]
fn a_vector_with_a_second_root_element_is_drawn_from_the_first() {
    use support::apk::{ResourceTable, fill, path_data, vector_xml};
    // The first <vector> holds a red square; a second top-level element after it (which
    // Android never reads) holds a blue square covering everything.
    let xml = vector_xml(24.0, 24.0, |x| {
        x.start("path", &[path_data("M6,6h12v12h-12z"), fill(0xffff_0000)])
            .end();
        x.end();
        x.start("vector", &[]);
        x.start("path", &[path_data("M0,0h24v24h-24z"), fill(0xff00_00ff)])
            .end();
    });
    let path = "res/drawable/ic_launcher.xml";
    let (build, icon) = site_icon(path, ResourceTable::default(), vec![(path.into(), xml)]);
    assert_eq!(build["icon_source"], path);
    assert_eq!(
        pixel(&icon, 256, 256),
        [255, 0, 0, 255],
        "the first root's square"
    );
    assert_eq!(pixel(&icon, 10, 10)[3], 0, "nothing of the second root");
}

#[test]
fn vector_groups_clip_paths_strokes_and_colour_resources_are_drawn() {
    use support::apk::{
        Attr, FILL_COLOR, ResValue, ResourceTable, STROKE_COLOR, STROKE_WIDTH, TRANSLATE_X, attr,
        path_data, vector_xml,
    };
    const BLUE: u32 = 0x7f02_0000;
    // A 20-unit viewport (25.6 px a unit). The group moves 10 units right; inside it a clip
    // path keeps its top half, and a 10-unit square filled with a colour resource is cut to
    // it: blue only over x 10..20, y 0..5. A green horizontal stroke, 2 units wide, at y 15.
    let xml = vector_xml(20.0, 20.0, |x| {
        x.start(
            "group",
            &[attr("translateX", Some(TRANSLATE_X), Attr::Float(10.0))],
        );
        x.start("clip-path", &[path_data("M0,0h10v5h-10z")]).end();
        x.start(
            "path",
            &[
                path_data("M0,0h10v10h-10z"),
                attr("fillColor", Some(FILL_COLOR), Attr::Reference(BLUE)),
            ],
        )
        .end();
        x.end();
        x.start(
            "path",
            &[
                path_data("M0,15H20"),
                attr("strokeColor", Some(STROKE_COLOR), Attr::Colour(0xff00_ff00)),
                attr("strokeWidth", Some(STROKE_WIDTH), Attr::Float(2.0)),
            ],
        )
        .end();
    });
    let path = "res/drawable/ic_launcher.xml";
    let table = ResourceTable::default().value(2, 0, 0, 0, ResValue::Colour(0xff00_00ff));
    let (build, icon) = site_icon(path, table, vec![(path.into(), xml)]);
    assert_eq!(
        build["problems"],
        serde_json::json!([]),
        "drawn, no warning"
    );
    let unit = |u: f32| (u * 25.6) as u32;
    assert_eq!(
        pixel(&icon, unit(15.0), unit(2.5)),
        [0, 0, 255, 255],
        "clipped fill"
    );
    assert_eq!(pixel(&icon, unit(11.0), unit(4.5)), [0, 0, 255, 255]);
    assert_eq!(
        pixel(&icon, unit(15.0), unit(7.5))[3],
        0,
        "cut by the clip path"
    );
    assert_eq!(
        pixel(&icon, unit(5.0), unit(2.5))[3],
        0,
        "left of the group"
    );
    assert_eq!(
        pixel(&icon, unit(3.0), unit(15.0)),
        [0, 255, 0, 255],
        "the stroke"
    );
    assert_eq!(
        pixel(&icon, unit(3.0), unit(17.0))[3],
        0,
        "beyond the stroke"
    );
}

#[test]
fn an_adaptive_icon_of_vectors_draws_a_gradient_as_its_average_with_a_warning() {
    use support::apk::{
        Attr, FILL_COLOR, ResValue, ResourceTable, adaptive_icon_xml, attr, fill, gradient_xml,
        path_data, vector_xml,
    };
    const BACKGROUND: u32 = 0x7f03_0000;
    const FOREGROUND: u32 = 0x7f03_0001;
    const GRADIENT: u32 = 0x7f03_0002;
    let background = vector_xml(108.0, 108.0, |x| {
        x.start(
            "path",
            &[
                path_data("M0,0h108v108h-108z"),
                attr("fillColor", Some(FILL_COLOR), Attr::Reference(GRADIENT)),
            ],
        )
        .end();
    });
    // A white square over the middle 36 units of the 108-unit canvas (the visible 72 are
    // shown at 512 px: the square spans 128..384).
    let foreground = vector_xml(108.0, 108.0, |x| {
        x.start("path", &[path_data("M36,36h36v36h-36z"), fill(0xffff_ffff)])
            .end();
    });
    let files = [
        (
            "res/mipmap-anydpi-v26/ic_launcher.xml",
            adaptive_icon_xml(BACKGROUND, FOREGROUND),
        ),
        ("res/drawable/ic_launcher_background.xml", background),
        ("res/drawable/ic_launcher_foreground.xml", foreground),
        (
            "res/drawable/$ic_launcher_background__0.xml",
            gradient_xml(0xffff_0000, 0xff00_00ff),
        ),
    ];
    let table = ResourceTable::default()
        .value(3, 0, 0, 0, ResValue::Path(files[1].0.into()))
        .value(3, 0, 0, 1, ResValue::Path(files[2].0.into()))
        .value(3, 0, 0, 2, ResValue::Path(files[3].0.into()));
    let (build, icon) = site_icon(
        files[0].0,
        table,
        files
            .iter()
            .map(|(p, b)| (p.to_string(), b.clone()))
            .collect(),
    );
    let problems = build["problems"].to_string();
    assert!(
        problems.contains("gradient") && problems.contains("average colour"),
        "{problems}"
    );
    assert_eq!(pixel(&icon, 0, 0)[3], 0, "the mask cuts the corners");
    let edge = pixel(&icon, 256, 20);
    assert!(
        edge[3] == 255 && edge[0].abs_diff(127) < 4 && edge[1] == 0 && edge[2].abs_diff(127) < 4,
        "the gradient's average behind: {edge:?}"
    );
    assert_eq!(
        pixel(&icon, 256, 256),
        [255, 255, 255, 255],
        "the foreground"
    );
    assert_eq!(pixel(&icon, 140, 140), [255, 255, 255, 255]);
    assert_ne!(
        pixel(&icon, 110, 256),
        [255, 255, 255, 255],
        "beside the foreground"
    );
}

#[test]
fn a_vector_beyond_the_limits_is_a_placeholder_with_a_warning() {
    use support::apk::{ResourceTable, fill, path_data, vector_xml};
    let path = "res/drawable/ic_launcher.xml";
    // An arc of radius 1e300 would expand to more curves than memory holds.
    let xml = vector_xml(24.0, 24.0, |x| {
        x.start(
            "path",
            &[path_data("M1,1A1e300,1e300 0 1 1 2,2z"), fill(0xffff_0000)],
        )
        .end();
    });
    let (build, icon) = site_icon(path, ResourceTable::default(), vec![(path.into(), xml)]);
    let problems = build["problems"].to_string();
    assert!(
        problems.contains(&format!("The icon {path} cannot be drawn"))
            && problems.contains("beyond")
            && problems.contains("placeholder"),
        "{problems}"
    );
    assert!(build["icon_source"].is_null(), "{build:#}");
    assert_eq!(icon.width, 512, "the placeholder");
    // A malformed path data is one line too.
    let xml = vector_xml(24.0, 24.0, |x| {
        x.start("path", &[path_data("M1,1 L2"), fill(0xffff_0000)])
            .end();
    });
    let (build, _) = site_icon(path, ResourceTable::default(), vec![(path.into(), xml)]);
    assert!(
        build["problems"].to_string().contains("malformed"),
        "{}",
        build["problems"]
    );
}

/// A site with an iOS app and an Android app, served over HTTPS from a local test server
/// that gives `.apk` files `apk_type`; returns what `check --remote` says of it.
fn check_remote_with_apk_type(apk_type: &'static str) -> (std::process::Output, String) {
    use std::sync::Arc;
    use support::https::{Reply, Server, TestCa};
    let tmp = tempfile::tempdir().expect("tmp");
    let (listener, port) = Server::bind();
    let base = format!("https://127.0.0.1:{port}/");
    site::write_config(tmp.path(), &site::config("Test site", &base, ""));
    IpaBuilder::new("com.example.app", "Example").write(&tmp.path().join("builds/Example.ipa"));
    ApkBuilder::new("com.example.droid", "Droid")
        .version("2.0", 20)
        .write(&tmp.path().join("builds/Droid.apk"));
    assert_ok(&otasite(&["build"], tmp.path()));
    let dist = tmp.path().join("dist");
    let ca = TestCa::new("otasite test CA");
    let ca_file = tmp.path().join("ca.pem");
    std::fs::write(&ca_file, &ca.pem).expect("write the CA");
    let handler = move |_method: &str, target: &str| -> Reply {
        let path = target.split('?').next().unwrap_or(target);
        let path = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
        let mut file = dist.join(path.trim_start_matches('/'));
        if path.ends_with('/') {
            file = file.join("index.html");
        }
        let Ok(body) = std::fs::read(&file) else {
            return (
                "404 Not Found",
                vec![("Content-Length", "0".into())],
                Vec::new(),
            );
        };
        let content_type = match file.extension().and_then(|e| e.to_str()) {
            Some("apk") => apk_type,
            Some("plist") => "text/xml",
            Some("png") => "image/png",
            Some("json") => "application/json",
            Some("html") => "text/html; charset=utf-8",
            _ => "application/octet-stream",
        };
        let headers = vec![
            ("Content-Type", content_type.to_string()),
            ("Content-Length", body.len().to_string()),
        ];
        ("200 OK", headers, body)
    };
    let tls = ca.server_config(&["127.0.0.1"]);
    let server = Server::start(listener, tls, Arc::new(handler));
    let run = support::run::Otasite::new(["check", "--remote", &base, "--timeout", "10"])
        .dir(tmp.path())
        .env("OTASITE_EXTRA_CA_CERT", &ca_file)
        .output();
    drop(server);
    let catalog = catalog(tmp.path());
    let app = catalog["apps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["bundle_id"] == "com.example.droid")
        .expect("the Android app");
    let apk_url = android_build(app)["ipa_url"]
        .as_str()
        .expect("the APK's URL");
    (run, apk_url.to_string())
}

#[test]
fn check_remote_passes_an_apk_served_as_an_android_package() {
    let (run, _) = check_remote_with_apk_type(APK_TYPE);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert_ok(&run);
    assert!(
        stdout.contains("0 errors, 0 warnings")
            && !stdout.lines().any(|l| l.starts_with("warning:")),
        "{stdout}"
    );
}

#[test]
fn check_remote_fails_an_apk_served_as_octet_stream() {
    let (run, apk_url) = check_remote_with_apk_type("application/octet-stream");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert_eq!(run.status.code(), Some(1), "{stdout}");
    let line = stdout
        .lines()
        .find(|l| l.contains(".apk"))
        .unwrap_or_else(|| panic!("a line names the APK: {stdout}"));
    assert_eq!(
        line,
        format!(
            "error: {apk_url}: is served as application/octet-stream, which Android's browsers do not hand to the package installer; serve .apk files as {APK_TYPE}"
        )
    );
}

/// A site with a public app and a private Android app, built with a secret and a password.
fn private_android_site() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tmp");
    write_site(
        tmp.path(),
        "apps:\n  com.example.secret:\n    private: true\n",
    );
    ApkBuilder::new("com.example.open", "Open").write(&tmp.path().join("builds/Open.apk"));
    ApkBuilder::new("com.example.secret", "Hush Hush").write(&tmp.path().join("builds/Secret.apk"));
    assert_ok(&private_run(tmp.path(), &["build"], true));
    tmp
}

const PRIVATE_PASSWORD: &str = "correct horse battery";

fn private_run(dir: &Path, args: &[&str], password: bool) -> std::process::Output {
    let mut run = support::run::Otasite::new(args.iter().copied())
        .dir(dir)
        .env(
            "OTASITE_SECRET",
            "0f1e2d3c4b5a69788796a5b4c3d2e1f0-test-secret",
        );
    if password {
        run = run.env("OTASITE_PASSWORD", PRIVATE_PASSWORD);
    }
    run.output()
}

/// The private APK's path in the site (its token folder's `app.apk`).
fn private_apk(dir: &Path) -> std::path::PathBuf {
    walkdir::WalkDir::new(dir.join("dist"))
        .into_iter()
        .filter_map(Result::ok)
        .find(|e| e.file_name() == "app.apk")
        .expect("the private APK")
        .into_path()
}

#[test]
fn check_passes_a_private_android_app_and_follows_its_token_paths() {
    let tmp = private_android_site();
    let run = private_run(tmp.path(), &["check"], true);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert_ok(&run);
    assert!(stdout.contains("0 errors"), "{stdout}");
    // The opened page's download link leads to the token folder's app.apk: gone, it is missed.
    std::fs::remove_file(private_apk(tmp.path())).unwrap();
    let run = private_run(tmp.path(), &["check"], true);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert_eq!(run.status.code(), Some(1), "{stdout}");
    let missed = stdout
        .lines()
        .find(|l| l.starts_with("error:") && l.contains("/app.apk, which the site lacks"))
        .unwrap_or_else(|| panic!("the missing APK is named: {stdout}"));
    assert!(
        !missed.contains(&tmp.path().display().to_string()) && missed.contains('…'),
        "the token is cut short: {missed}"
    );
}

#[test]
fn check_finds_a_private_android_app_named_in_a_public_file() {
    let tmp = private_android_site();
    let index = tmp.path().join("dist/index.html");
    let mut html = std::fs::read_to_string(&index).unwrap();
    html.push_str("<!-- com.example.secret -->");
    std::fs::write(&index, html).unwrap();
    // With the password (the private catalog names it) and without (the APK itself does).
    for password in [true, false] {
        let run = private_run(tmp.path(), &["check"], password);
        let stdout = String::from_utf8_lossy(&run.stdout);
        assert_eq!(run.status.code(), Some(1), "password {password}: {stdout}");
        assert!(
            stdout.lines().any(|l| l.starts_with("error: index.html")
                && l.contains("the private app \"com.example.secret\"")),
            "password {password}: {stdout}"
        );
    }
}

#[test]
fn a_colour_list_fills_with_its_stateless_colour_and_nesting_is_bounded() {
    use support::apk::{
        Attr, Axml, COLOR, FILL_COLOR, ResValue, ResourceTable, STATE_PRESSED, attr, fill,
        path_data, vector_xml,
    };
    const LIST: u32 = 0x7f02_0000;
    let list_path = "res/color/tint.xml";
    let mut list = Axml::default();
    list.start("selector", &[]);
    list.start(
        "item",
        &[
            attr("state_pressed", Some(STATE_PRESSED), Attr::Bool(true)),
            attr("color", Some(COLOR), Attr::Colour(0xffff_0000)),
        ],
    )
    .end();
    list.start(
        "item",
        &[attr("color", Some(COLOR), Attr::Colour(0xff00_ff00))],
    )
    .end();
    list.end();
    let xml = vector_xml(10.0, 10.0, |x| {
        x.start(
            "path",
            &[
                path_data("M0,0h10v10h-10z"),
                attr("fillColor", Some(FILL_COLOR), Attr::Reference(LIST)),
            ],
        )
        .end();
    });
    let path = "res/drawable/ic_launcher.xml";
    let table = ResourceTable::default().value(2, 0, 0, 0, ResValue::Path(list_path.into()));
    let (build, icon) = site_icon(
        path,
        table,
        vec![(path.into(), xml), (list_path.into(), list.bytes())],
    );
    assert_eq!(build["problems"], serde_json::json!([]));
    assert_eq!(
        pixel(&icon, 256, 256),
        [0, 255, 0, 255],
        "not the pressed colour"
    );

    // 16 levels are drawn (the vector, 14 groups and the path); one more is refused.
    let nested = |groups: usize| {
        vector_xml(10.0, 10.0, |x| {
            for _ in 0..groups {
                x.start("group", &[]);
            }
            x.start("path", &[path_data("M0,0h10v10h-10z"), fill(0xff00_00ff)])
                .end();
            for _ in 0..groups {
                x.end();
            }
        })
    };
    let (build, icon) = site_icon(
        path,
        ResourceTable::default(),
        vec![(path.into(), nested(14))],
    );
    assert_eq!(build["problems"], serde_json::json!([]));
    assert_eq!(pixel(&icon, 256, 256), [0, 0, 255, 255]);
    let (build, _) = site_icon(
        path,
        ResourceTable::default(),
        vec![(path.into(), nested(15))],
    );
    let problems = build["problems"].to_string();
    assert!(problems.contains("nested deeper than 16"), "{problems}");
}
