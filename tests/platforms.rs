//! Builds iOS cannot install over the air, one archive per kind, made here: each must be named
//! for what it is, with the marker that shows it, as a blocking problem that `otasite inspect`
//! prints and reports in JSON.

mod support;

use std::path::{Path, PathBuf};

use plist::{Dictionary, Value};
use serde_json::Value as Json;
use support::ipa::{IpaBuilder, Kind, ProfileSpec};
use support::run::Otasite;

fn app(name: &str) -> IpaBuilder {
    IpaBuilder::new(&format!("com.example.{}", name.to_lowercase()), name)
}

fn strings(items: &[&str]) -> Value {
    Value::Array(items.iter().map(|s| Value::from(*s)).collect())
}

fn integers(items: &[u64]) -> Value {
    Value::Array(items.iter().map(|&n| Value::from(n)).collect())
}

/// What `inspect --json` and `inspect` (text) say of one archive.
struct Inspected {
    json: Json,
    text: String,
}

fn inspect(dir: &Path, builder: &IpaBuilder, file: &str) -> Inspected {
    let path: PathBuf = builder.write(&dir.join(file));
    let json_run = Otasite::new(["inspect", "--json", "--no-hash"])
        .args([&path])
        .output();
    let reports: Json = serde_json::from_slice(&json_run.stdout).unwrap_or_else(|e| {
        panic!(
            "{file}: stdout is not JSON ({e}); stderr: {}",
            String::from_utf8_lossy(&json_run.stderr)
        )
    });
    let text_run = Otasite::new(["inspect", "--no-hash"])
        .args([&path])
        .output();
    Inspected {
        json: reports[0].clone(),
        text: String::from_utf8_lossy(&text_run.stdout).into_owned(),
    }
}

/// The archive is refused with exactly one sentence naming its kind and its marker, in JSON
/// and in text.
fn assert_not_for_ios(builder: IpaBuilder, opening: &str, marker: &str) {
    let tmp = tempfile::tempdir().expect("tmp");
    let file = format!("{}.ipa", builder.app);
    let seen = inspect(tmp.path(), &builder, &file);
    assert_eq!(seen.json["installable"], false, "{file}: {:#}", seen.json);
    let problems: Vec<&str> = seen.json["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .filter_map(Json::as_str)
        .collect();
    let wanted = format!("{opening} ({marker}): ");
    let matching: Vec<&&str> = problems
        .iter()
        .filter(|p| p.starts_with("This is a"))
        .collect();
    assert_eq!(
        matching.len(),
        1,
        "{file}: one kind sentence, got {problems:?}"
    );
    assert!(
        matching[0].starts_with(&wanted),
        "{file}: wanted {wanted:?}, got {problems:?}"
    );
    assert!(
        seen.text.contains("installable over the air: NO"),
        "{file}: {}",
        seen.text
    );
    assert!(
        seen.text.contains(&format!("! {}", matching[0])),
        "{file}: the text summary lacks the sentence: {}",
        seen.text
    );
}

#[test]
fn iphone_simulator_build() {
    let build = app("Sim")
        .set("DTPlatformName", "iphonesimulator")
        .set("CFBundleSupportedPlatforms", strings(&["iPhoneSimulator"]));
    assert_not_for_ios(
        build,
        "This is a simulator build",
        "platform iphonesimulator",
    );
}

#[test]
fn simulator_named_only_by_supported_platforms() {
    let build = app("SimOnly")
        .remove("DTPlatformName")
        .set("CFBundleSupportedPlatforms", strings(&["iPhoneSimulator"]));
    assert_not_for_ios(
        build,
        "This is a simulator build",
        "platform iphonesimulator",
    );
}

#[test]
fn vision_simulator_build_is_a_simulator_build() {
    let build = app("VisionSim")
        .set("DTPlatformName", "xrsimulator")
        .set("CFBundleSupportedPlatforms", strings(&["XRSimulator"]))
        .set("UIDeviceFamily", integers(&[7]));
    assert_not_for_ios(build, "This is a simulator build", "platform xrsimulator");
}

#[test]
fn visionos_build() {
    let build = app("Vision")
        .set("DTPlatformName", "xros")
        .set("CFBundleSupportedPlatforms", strings(&["XROS"]))
        .set("UIDeviceFamily", integers(&[7]));
    assert_not_for_ios(build, "This is a visionOS build", "platform xros");
}

#[test]
fn visionos_build_named_only_by_supported_platforms() {
    let build = app("VisionPlatforms")
        .remove("DTPlatformName")
        .set("CFBundleSupportedPlatforms", strings(&["XROS"]));
    assert_not_for_ios(build, "This is a visionOS build", "platform xros");
}

#[test]
fn visionos_build_named_only_by_device_family() {
    let build = app("VisionFamily")
        .remove("DTPlatformName")
        .set("UIDeviceFamily", integers(&[7]));
    assert_not_for_ios(build, "This is a visionOS build", "UIDeviceFamily 7 alone");
}

/// A Mac app as Xcode lays it out: `Contents/Info.plist`, no UIDeviceFamily.
fn mac_app(name: &str) -> IpaBuilder {
    app(name)
        .mac_layout()
        .remove("UIDeviceFamily")
        .remove("MinimumOSVersion")
        .set("LSMinimumSystemVersion", "13.0")
        .set("DTPlatformName", "macosx")
        .set("CFBundleSupportedPlatforms", strings(&["MacOSX"]))
}

#[test]
fn macos_build() {
    assert_not_for_ios(mac_app("Mac"), "This is a macOS build", "platform macosx");
}

#[test]
fn macos_build_named_only_by_its_bundle_layout() {
    let build = mac_app("MacLayout")
        .remove("DTPlatformName")
        .remove("CFBundleSupportedPlatforms");
    assert_not_for_ios(
        build,
        "This is a macOS build",
        "Contents/Info.plist, the macOS bundle layout",
    );
}

#[test]
fn macos_build_named_only_by_its_minimum_macos_version() {
    let build = app("MacFlat")
        .remove("DTPlatformName")
        .remove("UIDeviceFamily")
        .remove("MinimumOSVersion")
        .set("LSMinimumSystemVersion", "13.0");
    assert_not_for_ios(
        build,
        "This is a macOS build",
        "LSMinimumSystemVersion without MinimumOSVersion",
    );
}

#[test]
fn mac_catalyst_build_optimised_for_mac() {
    let build = mac_app("Catalyst").set("UIDeviceFamily", integers(&[2, 6]));
    assert_not_for_ios(
        build,
        "This is a Mac Catalyst build",
        "platform macosx with UIDeviceFamily [2, 6]",
    );
}

#[test]
fn mac_catalyst_build_scaled_from_ipad() {
    let build = mac_app("CatalystScaled").set("UIDeviceFamily", integers(&[2]));
    assert_not_for_ios(
        build,
        "This is a Mac Catalyst build",
        "platform macosx with UIDeviceFamily [2]",
    );
}

#[test]
fn tvos_build() {
    let build = app("Tv")
        .set("DTPlatformName", "appletvos")
        .set("UIDeviceFamily", integers(&[3]));
    assert_not_for_ios(build, "This is a tvOS build", "platform appletvos");
}

#[test]
fn watch_only_app_built_for_watchos() {
    let build = app("Watch")
        .set("DTPlatformName", "watchos")
        .set("WKApplication", true)
        .set("WKWatchOnly", true)
        .set("UIDeviceFamily", integers(&[4]));
    assert_not_for_ios(build, "This is a watch-only app", "platform watchos");
}

#[test]
fn watch_only_app_named_by_wk_watch_only() {
    let build = app("WatchOnly")
        .remove("DTPlatformName")
        .remove("UIDeviceFamily")
        .set("WKWatchOnly", true);
    assert_not_for_ios(build, "This is a watch-only app", "WKWatchOnly set");
}

#[test]
fn watch_app_named_by_wk_application() {
    let build = app("WatchApp")
        .remove("DTPlatformName")
        .remove("UIDeviceFamily")
        .set("WKApplication", true);
    assert_not_for_ios(build, "This is a watch-only app", "WKApplication set");
}

#[test]
fn watch_only_container_that_only_carries_a_watch_app() {
    let watch = app("Inner")
        .set("DTPlatformName", "watchos")
        .set("WKApplication", true)
        .info_plist_bytes();
    let build = app("Container")
        .set("ITSWatchOnlyContainer", true)
        .app_file("Watch/Inner.app/Info.plist", watch);
    assert_not_for_ios(
        build,
        "This is a watch-only app",
        "ITSWatchOnlyContainer set",
    );
}

#[test]
fn app_clip_named_by_ns_app_clip() {
    let mut clip = Dictionary::new();
    clip.insert(
        "NSAppClipRequestEphemeralUserNotification".into(),
        false.into(),
    );
    let build = app("Clip").set("NSAppClip", Value::Dictionary(clip));
    assert_not_for_ios(build, "This is an App Clip", "NSAppClip in Info.plist");
}

#[test]
fn app_clip_named_by_its_profile_entitlement() {
    let profile = ProfileSpec::new(Kind::AdHoc).entitlement(
        "com.apple.developer.parent-application-identifiers",
        strings(&["ABCDE12345.com.example.full"]),
    );
    let build = app("ClipProfile").profile(Some(profile));
    assert_not_for_ios(
        build,
        "This is an App Clip",
        "its profile grants com.apple.developer.parent-application-identifiers ABCDE12345.com.example.full",
    );
}

/// An iPhone app that carries an App Clip and a watch app is still an iPhone app.
#[test]
fn iphone_app_with_an_app_clip_and_a_watch_app_installs() {
    let mut clip = Dictionary::new();
    clip.insert(
        "NSAppClipRequestEphemeralUserNotification".into(),
        false.into(),
    );
    let clip_plist = app("Clip")
        .set("NSAppClip", Value::Dictionary(clip))
        .info_plist_bytes();
    let watch_plist = app("Watch")
        .set("DTPlatformName", "watchos")
        .set("WKApplication", true)
        .info_plist_bytes();
    let build = app("Full")
        .set("CFBundleSupportedPlatforms", strings(&["iPhoneOS"]))
        .app_file("AppClips/Clip.app/Info.plist", clip_plist)
        .app_file("Watch/Watch.app/Info.plist", watch_plist);
    let tmp = tempfile::tempdir().expect("tmp");
    let seen = inspect(tmp.path(), &build, "Full.ipa");
    assert_eq!(seen.json["installable"], true, "{:#}", seen.json);
    assert!(
        seen.text.contains("installable over the air: yes"),
        "{}",
        seen.text
    );
}

/// The catalog entry of the one build of `bundle_id` in `dist/catalog.json`.
fn catalog_build(site: &Path, bundle_id: &str) -> Json {
    let text = std::fs::read_to_string(site.join("dist/catalog.json")).expect("catalog.json");
    let catalog: Json = serde_json::from_str(&text).expect("catalog.json is JSON");
    let app = catalog["apps"]
        .as_array()
        .expect("apps")
        .iter()
        .find(|a| a["bundle_id"] == bundle_id)
        .unwrap_or_else(|| panic!("{bundle_id} is not in {text}"));
    app["builds"][0].clone()
}

fn build_site(dir: &Path, archives: &[(&str, &IpaBuilder)], extra_args: &[&str]) {
    support::site::write_config(
        dir,
        &support::site::config(
            "Platforms",
            support::site::BASE_URL,
            "ipa_base_url: https://archives.example.test/builds/\n",
        ),
    );
    for (name, builder) in archives {
        builder.write(&dir.join("builds").join(name));
    }
    let mut args = vec!["build", "-q"];
    args.extend_from_slice(extra_args);
    support::run::assert_ok(&Otasite::new(args).dir(dir).output());
}

/// A kept build is judged again from the catalog alone, which has no watch-only marker: what
/// reading the archive found stands.
#[test]
fn previous_catalog_keeps_the_kind_of_a_kept_build() {
    let tmp = tempfile::tempdir().expect("tmp");
    let container = app("Container").set("ITSWatchOnlyContainer", true);
    let first = tmp.path().join("first");
    build_site(&first, &[("container.ipa", &container)], &[]);
    let before = catalog_build(&first, "com.example.container");
    assert_eq!(before["installable"], false, "{before:#}");

    let second = tmp.path().join("second");
    let previous = first.join("dist/catalog.json");
    let previous = previous.to_str().expect("utf8");
    build_site(
        &second,
        &[("other.ipa", &app("Other"))],
        &["--previous", previous],
    );
    let after = catalog_build(&second, "com.example.container");
    assert_eq!(after["installable"], false, "{after:#}");
    assert_eq!(after["problems"], before["problems"]);
}

/// The page of a build iOS cannot install says why and gives no "after you tap Install"
/// steps; the index marks the app with a badge whose reason shows on hover and focus.
#[test]
fn site_marks_apps_ios_cannot_install() {
    let tmp = tempfile::tempdir().expect("tmp");
    let vision = app("Vision")
        .set("DTPlatformName", "xros")
        .set("UIDeviceFamily", integers(&[7]));
    let phone = app("Phone");
    build_site(
        tmp.path(),
        &[("vision.ipa", &vision), ("phone.ipa", &phone)],
        &[],
    );
    let read = |rel: &str| {
        std::fs::read_to_string(tmp.path().join("dist").join(rel))
            .unwrap_or_else(|e| panic!("{rel}: {e}"))
    };
    let reason = catalog_build(tmp.path(), "com.example.vision")["blocking"][0]
        .as_str()
        .expect("a blocking reason")
        .to_string();
    assert!(
        reason.starts_with("This is a visionOS build (platform xros): "),
        "{reason}"
    );

    for page in [
        "com.example.vision/index.html",
        "com.example.vision/1.0-1/index.html",
    ] {
        let html = read(page);
        assert!(!html.contains("id=\"help\""), "{page} shows install help");
        assert!(html.contains("cannot be installed over the air"), "{page}");
        assert!(html.contains(&reason), "{page} lacks the reason");
    }
    for page in [
        "com.example.phone/index.html",
        "com.example.phone/1.0-1/index.html",
    ] {
        assert!(
            read(page).contains("id=\"help\""),
            "{page} lacks install help"
        );
    }

    let index = read("index.html");
    let cards: Vec<&str> = index.split("<li class=\"app-card\">").skip(1).collect();
    assert_eq!(cards.len(), 2, "{index}");
    let (vision_card, phone_card) = if cards[0].contains("com.example.vision") {
        (cards[0], cards[1])
    } else {
        (cards[1], cards[0])
    };
    assert!(!phone_card.contains("not-installable"), "{phone_card}");
    // Hover and focus: the badge is focusable and described by the reason, which is text in
    // the page in the catalogs' words (the stylesheet reveals it next to the hovered or
    // focused badge).
    let badge = vision_card
        .split("<span class=\"tag tag-warn not-installable-badge\"")
        .nth(1)
        .expect("a badge on the visionOS app");
    let badge = &badge[..badge.find("</span>").expect("the badge ends")];
    assert!(badge.contains("tabindex=\"0\""), "{badge}");
    assert!(badge.contains(">Cannot be installed"), "{badge}");
    let described_by = badge
        .split("aria-describedby=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("aria-describedby");
    let described = vision_card
        .split(&format!("id=\"{described_by}\">"))
        .nth(1)
        .expect("the reason the badge names");
    assert!(
        described.starts_with("<span data-i18n=\"problem.not_for_ios.visionos\"")
            && described.contains(&format!(">{reason}</span>")),
        "{vision_card}"
    );
    // The site's CSP allows no inline style or script.
    assert!(
        !index.contains(" style=") && !index.contains("<style"),
        "{index}"
    );
    assert!(!index.contains("onfocus") && !index.contains("onmouseover"));
    let css = std::fs::read_dir(tmp.path().join("dist/static"))
        .expect("static")
        .filter_map(Result::ok)
        .find(|e| e.file_name().to_string_lossy().starts_with("style."))
        .map(|e| std::fs::read_to_string(e.path()).expect("css"))
        .expect("the stylesheet");
    assert!(
        css.contains(".not-installable-badge:focus + .not-installable-reason")
            && css.contains(".not-installable-badge:hover + .not-installable-reason"),
        "the stylesheet does not reveal the reason on hover and focus"
    );
}
