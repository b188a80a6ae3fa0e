//! Channels: each channel's stable manifest installs the newest installable build of that
//! channel, promotions add a build to channels without copying it, `keep` counts per
//! channel, and `--previous` and `check` follow channels. Judged from catalog.json and the
//! manifests themselves, never from the pages.

mod support;

use std::path::Path;

use serde_json::Value;
use support::https::{Reply, Server, TestCa};
use support::ipa::{IpaBuilder, Kind, ProfileSpec};
use support::run::{Otasite, assert_ok, otasite};
use support::site;

const BUNDLE_ID: &str = "com.example.chan";

/// An installable build of the test app.
fn build_of(version: &str, build: &str) -> IpaBuilder {
    let hour: i64 = build.parse().expect("a numeric build");
    IpaBuilder::new(BUNDLE_ID, "Chan")
        .version(version, build)
        .modified(1_714_564_800 + hour * 3600)
}

/// A build iOS refuses over the air (signed for the App Store).
fn not_installable(version: &str, build: &str) -> IpaBuilder {
    build_of(version, build).profile(Some(ProfileSpec::new(Kind::AppStore)))
}

fn make_site(dir: &Path, extra: &str, archives: &[(&str, IpaBuilder)]) {
    site::write_config(dir, &site::config("T", site::BASE_URL, extra));
    for (path, builder) in archives {
        builder.write(&dir.join("builds").join(path));
    }
}

fn build(dir: &Path, extra: &[&str]) {
    let mut args = vec!["build", "-q"];
    args.extend_from_slice(extra);
    assert_ok(&otasite(&args, dir));
}

fn build_error(dir: &Path) -> String {
    let output = otasite(&["build", "-q"], dir);
    assert_eq!(output.status.code(), Some(1), "the build must fail");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn catalog(dir: &Path) -> Value {
    let text = std::fs::read_to_string(dir.join("dist/catalog.json")).expect("catalog.json");
    serde_json::from_str(&text).expect("catalog.json is JSON")
}

fn app(catalog: &Value) -> &Value {
    catalog["apps"]
        .as_array()
        .expect("apps")
        .iter()
        .find(|a| a["bundle_id"] == BUNDLE_ID)
        .expect("the test app")
}

/// The `.ipa` address a manifest of the site installs, read from the plist file.
fn manifest_installs(dist: &Path, manifest_url: &str) -> String {
    let relative = manifest_url
        .strip_prefix(site::BASE_URL)
        .expect("a manifest inside the site");
    let manifest = plist::Value::from_file(dist.join(relative)).expect("a manifest plist");
    let assets = manifest.as_dictionary().expect("a dictionary")["items"]
        .as_array()
        .expect("items")[0]
        .as_dictionary()
        .expect("an item")["assets"]
        .as_array()
        .expect("assets")
        .clone();
    assets
        .iter()
        .map(|a| a.as_dictionary().expect("an asset"))
        .find(|a| a["kind"].as_string() == Some("software-package"))
        .and_then(|a| a["url"].as_string())
        .expect("a software-package")
        .to_string()
}

/// The newest installable build of `channel` (`None`: the top of the builds folder), found
/// from the builds catalog.json lists, newest first.
fn newest_installable<'a>(app: &'a Value, channel: Option<&str>) -> Option<&'a Value> {
    app["builds"].as_array().expect("builds").iter().find(|b| {
        let member = match channel {
            Some(name) => b["channels"]
                .as_array()
                .expect("channels")
                .iter()
                .any(|c| c == name),
            None => b["channel"].is_null(),
        };
        member && b["installable"] == true
    })
}

/// Every channel of every app, and the app-wide manifest: the catalog's `latest` and the
/// manifest file both give the newest installable build of the channel.
fn assert_channels_install_their_newest(dir: &Path) {
    let dist = dir.join("dist");
    let catalog = catalog(dir);
    for app in catalog["apps"].as_array().expect("apps") {
        for channel in app["channels"].as_array().expect("channels") {
            let name = channel["name"].as_str().expect("a name");
            let newest = newest_installable(app, Some(name));
            match newest {
                Some(newest) => {
                    assert_eq!(channel["latest"]["page_url"], newest["page_url"], "{name}");
                    assert_eq!(channel["latest"]["build"], newest["build"], "{name}");
                    let url = channel["manifest_url"].as_str().expect("a manifest_url");
                    assert_eq!(manifest_installs(&dist, url), newest["ipa_url"], "{name}");
                    let install = channel["install_url"].as_str().expect("an install_url");
                    assert!(install.starts_with("itms-services://"), "{install}");
                }
                None => {
                    assert!(channel["latest"].is_null(), "{name}");
                    assert!(channel["manifest_url"].is_null(), "{name}");
                }
            }
        }
        let default = app["default_channel"].as_str();
        let newest = newest_installable(app, default).expect("the default channel installs");
        let url = app["manifest_url"].as_str().expect("an app manifest");
        assert_eq!(manifest_installs(&dist, url), newest["ipa_url"]);
    }
    assert_ok(&otasite(&["check", "dist"], dir));
}

fn channel_names(app: &Value) -> Vec<&str> {
    app["channels"]
        .as_array()
        .expect("channels")
        .iter()
        .map(|c| c["name"].as_str().expect("a name"))
        .collect()
}

fn channel<'a>(app: &'a Value, name: &str) -> &'a Value {
    app["channels"]
        .as_array()
        .expect("channels")
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no channel {name}"))
}

fn build_paths(app: &Value) -> Vec<&str> {
    app["builds"]
        .as_array()
        .expect("builds")
        .iter()
        .map(|b| b["path"].as_str().expect("a path"))
        .collect()
}

fn archives() -> Vec<(&'static str, IpaBuilder)> {
    vec![
        ("Chan 0.9.ipa", build_of("0.9", "9")),
        ("stable/Chan 1.0.ipa", build_of("1.0", "10")),
        ("stable/Chan 1.1.ipa", build_of("1.1", "11")),
        ("beta/Chan 1.2.ipa", build_of("1.2", "12")),
        ("beta/Chan 1.3.ipa", not_installable("1.3", "13")),
        ("qa/Chan 1.4.ipa", build_of("1.4", "14")),
    ]
}

#[test]
fn every_channel_manifest_installs_the_newest_installable_build_of_its_channel() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    let promote = format!("apps:\n  {BUNDLE_ID}:\n    promote:\n      \"12\": [stable]\n");
    make_site(dir, &promote, &archives());
    build(dir, &[]);
    assert_channels_install_their_newest(dir);

    let catalog = catalog(dir);
    let app = app(&catalog);
    assert_eq!(app["default_channel"], "stable", "stable is preferred");
    assert_eq!(channel_names(app), ["stable", "beta", "qa"]);
    assert_eq!(channel(app, "stable")["latest"]["build"], "12", "promoted");
    assert_eq!(
        channel(app, "beta")["latest"]["build"],
        "12",
        "1.3 cannot install"
    );
    assert_eq!(channel(app, "qa")["latest"]["build"], "14");
    let promoted = &app["builds"]
        .as_array()
        .expect("builds")
        .iter()
        .find(|b| b["build"] == "12")
        .expect("1.2");
    assert_eq!(promoted["channels"], serde_json::json!(["beta", "stable"]));
    assert_eq!(promoted["channel"], "beta");
    // One archive, one build, one copy of the .ipa.
    let app_dir = dir.join("dist").join(BUNDLE_ID);
    let copies: Vec<_> = walk(&app_dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "ipa"))
        .collect();
    assert_eq!(copies.len(), 6, "{copies:?}");
    assert!(app_dir.join("channels/stable/manifest.plist").is_file());

    // "A newer build exists" leads to the newer build's channel, on build pages.
    let page = |build: &str| {
        std::fs::read_to_string(app_dir.join(build).join("index.html")).expect("a build page")
    };
    let note = |channel: &str| {
        format!(
            "A newer build of {channel} exists: <a href=\"../../{BUNDLE_ID}/index.html#channel-{channel}\">"
        )
    };
    assert!(page("1.0-10").contains(&note("stable")), "older stable");
    assert!(
        page("1.1-11").contains(&note("stable")),
        "older than the promoted 1.2"
    );
    for newest in ["1.2-12", "1.3-13", "1.4-14", "0.9-9"] {
        assert!(!page(newest).contains("A newer build"), "{newest}");
    }
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read_dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[test]
fn the_default_channel_follows_site_yaml_then_the_rule() {
    let tmp = tempfile::tempdir().expect("tmp");
    let at = |name: &str| tmp.path().join(name);

    let site_wide = "default_channel: qa\n";
    make_site(&at("site"), site_wide, &archives());
    build(&at("site"), &[]);
    assert_eq!(app(&catalog(&at("site")))["default_channel"], "qa");
    assert_channels_install_their_newest(&at("site"));

    let per_app =
        format!("default_channel: qa\napps:\n  {BUNDLE_ID}:\n    default_channel: beta\n");
    make_site(&at("app"), &per_app, &archives());
    build(&at("app"), &[]);
    assert_eq!(app(&catalog(&at("app")))["default_channel"], "beta");
    assert_channels_install_their_newest(&at("app"));

    // Without a stable channel the top of the builds folder is the default (null).
    let no_stable: Vec<_> = archives()
        .into_iter()
        .filter(|(p, _)| !p.starts_with("stable/"))
        .collect();
    make_site(&at("root"), "", &no_stable);
    build(&at("root"), &[]);
    let catalog_root = catalog(&at("root"));
    assert!(app(&catalog_root)["default_channel"].is_null());
    assert_channels_install_their_newest(&at("root"));

    // Without one either, the newest build's channel.
    let channels_only: Vec<_> = no_stable
        .into_iter()
        .filter(|(p, _)| p.contains('/'))
        .collect();
    make_site(&at("newest"), "", &channels_only);
    build(&at("newest"), &[]);
    assert_eq!(app(&catalog(&at("newest")))["default_channel"], "qa");
    assert_channels_install_their_newest(&at("newest"));

    let unknown = format!("apps:\n  {BUNDLE_ID}:\n    default_channel: gamma\n");
    make_site(&at("unknown"), &unknown, &archives());
    assert_eq!(
        build_error(&at("unknown")),
        format!(
            "error: site.yaml:5: apps.{BUNDLE_ID}.default_channel: {BUNDLE_ID} has no channel \"gamma\" (its channels: beta, qa, stable)\n"
        )
    );
}

#[test]
fn keep_counts_per_channel_and_keeps_each_channels_newest_installable_build() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    let extra = format!("keep: 1\napps:\n  {BUNDLE_ID}:\n    promote:\n      \"1.0-10\": [lts]\n");
    make_site(dir, &extra, &archives());
    build(dir, &[]);
    let catalog = catalog(dir);
    let app = app(&catalog);
    assert_eq!(
        build_paths(app),
        [
            "com.example.chan/1.4-14/",
            "com.example.chan/1.3-13/",
            "com.example.chan/1.2-12/",
            "com.example.chan/1.1-11/",
            "com.example.chan/1.0-10/",
            "com.example.chan/0.9-9/",
        ],
        "qa 1.4; beta 1.3 (newest) and 1.2 (newest installable); stable 1.1; lts 1.0; root 0.9"
    );
    assert_channels_install_their_newest(dir);

    // Without the promotion, the older stable build goes.
    make_site(dir, "keep: 1\n", &[]);
    build(dir, &[]);
    let unpromoted = self::catalog(dir);
    let paths = build_paths(self::app(&unpromoted));
    assert!(!paths.contains(&"com.example.chan/1.0-10/"), "{paths:?}");
    assert_eq!(paths.len(), 5);
    assert_channels_install_their_newest(dir);
}

#[test]
fn previous_keeps_channel_membership() {
    let tmp = tempfile::tempdir().expect("tmp");
    let hosted = "ipa_base_url: https://archives.example.test/builds/\n";
    let promote = format!("{hosted}apps:\n  {BUNDLE_ID}:\n    promote:\n      \"12\": [stable]\n");
    let first = tmp.path().join("first");
    make_site(&first, &promote, &archives());
    build(&first, &[]);

    let second = tmp.path().join("second");
    make_site(
        &second,
        &promote,
        &[("beta/Chan 1.5.ipa", build_of("1.5", "15"))],
    );
    let previous = first.join("dist/catalog.json");
    build(&second, &["--previous", previous.to_str().expect("utf8")]);
    let catalog = catalog(&second);
    let app = app(&catalog);
    assert_eq!(channel(app, "beta")["latest"]["build"], "15");
    assert_eq!(
        channel(app, "stable")["latest"]["build"],
        "12",
        "still promoted"
    );
    assert_eq!(
        channel(app, "qa")["latest"]["build"],
        "14",
        "kept in its channel"
    );
    assert_eq!(build_paths(app).len(), 7);
    assert_channels_install_their_newest(&second);
}

#[test]
fn promotions_name_exactly_one_build() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    let unknown = format!("apps:\n  {BUNDLE_ID}:\n    promote:\n      \"99\": [stable]\n");
    make_site(dir, &unknown, &archives());
    let error = build_error(dir);
    assert!(
        error.starts_with(&format!(
            "error: site.yaml:5: apps.{BUNDLE_ID}.promote: \"99\" matches no build of {BUNDLE_ID} (its builds: 1.4-14, 1.3-13,"
        )),
        "{error}"
    );

    let ambiguous = format!("apps:\n  {BUNDLE_ID}:\n    promote:\n      \"7\": [stable]\n");
    make_site(
        dir,
        &ambiguous,
        &[
            ("beta/a.ipa", build_of("2.0", "7")),
            ("beta/b.ipa", build_of("2.1", "7")),
        ],
    );
    let error = build_error(dir);
    assert!(
        error.contains("\"7\" matches several builds (2.1-7, 2.0-7); write the build's folder"),
        "{error}"
    );

    let gone = "apps:\n  com.example.gone:\n    promote:\n      \"1\": [stable]\n";
    make_site(dir, gone, &[]);
    let error = build_error(dir);
    assert!(
        error.contains("apps.com.example.gone.promote: no archive has the bundle id"),
        "{error}"
    );
}

#[test]
fn check_finds_a_channel_manifest_that_installs_another_build() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    make_site(dir, "", &archives());
    build(dir, &[]);
    let channels = dir.join("dist").join(BUNDLE_ID).join("channels");
    std::fs::copy(
        channels.join("qa/manifest.plist"),
        channels.join("stable/manifest.plist"),
    )
    .expect("replace the stable manifest");
    let output = otasite(&["check", "dist"], dir);
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(&format!(
            "but the newest installable build of {BUNDLE_ID}'s channel stable is"
        )),
        "{stdout}"
    );
}

/// The files of `root`, served over HTTPS as a static host would.
fn respond(root: &Path, target: &str) -> Reply {
    let path = target.split('?').next().unwrap_or(target);
    let path = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    let mut file = root.join(path.trim_start_matches('/'));
    if path.ends_with('/') {
        file = file.join("index.html");
    }
    let body = match std::fs::read(&file) {
        Ok(body) if !path.split('/').any(|s| s == "..") => body,
        _ => {
            return (
                "404 Not Found",
                vec![("Content-Length", "0".into())],
                Vec::new(),
            );
        }
    };
    let content_type = match file.extension().and_then(|e| e.to_str()) {
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
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

#[test]
fn check_remote_fetches_every_channel_manifest() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    let (listener, port) = Server::bind();
    let base = format!("https://127.0.0.1:{port}/");
    site::write_config(dir, &site::config("T", &base, ""));
    for (path, builder) in archives() {
        builder.write(&dir.join("builds").join(path));
    }
    build(dir, &[]);
    let served = dir.join("served");
    copy_tree(&dir.join("dist"), &served);
    let ca = TestCa::new("otasite test CA");
    std::fs::write(dir.join("ca.pem"), &ca.pem).expect("write the CA");
    let root = served.clone();
    let _server = Server::start(
        listener,
        ca.server_config(&["127.0.0.1"]),
        std::sync::Arc::new(move |_method: &str, target: &str| respond(&root, target)),
    );
    let check = || {
        Otasite::new(["check", "--remote", base.as_str(), "--timeout", "10"])
            .dir(dir)
            .env("OTASITE_EXTRA_CA_CERT", dir.join("ca.pem"))
            .output()
    };
    let output = check();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{stdout}");
    // The catalog; 6 build, 3 channel and 1 app manifests; 12 icons; 6 archives.
    assert!(stdout.contains("checked 29 URLs"), "{stdout}");

    let channels = served.join(BUNDLE_ID).join("channels");
    std::fs::copy(
        channels.join("qa/manifest.plist"),
        channels.join("stable/manifest.plist"),
    )
    .expect("replace the deployed stable manifest");
    let output = check();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    let stable = format!("{base}{BUNDLE_ID}/channels/stable/manifest.plist");
    assert!(
        stdout.contains(&format!(
            "error: {stable}: installs {base}{BUNDLE_ID}/1.4-14/Chan%201.4.ipa, but the newest installable build of {BUNDLE_ID}'s channel stable is {base}{BUNDLE_ID}/1.1-11/Chan%201.1.ipa"
        )),
        "{stdout}"
    );
}
