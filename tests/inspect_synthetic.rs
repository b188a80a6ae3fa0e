//! Archives built in code, read through the library and the `inspect` command: the facts
//! otasite reports, how it judges signing, and how it refuses hostile or broken files.

mod support;

use std::io::Write;
use std::path::{Path, PathBuf};

use std::time::{Duration, Instant};

use otasite::ipa::{DistributionKind, Ipa, IpaError, ReadOptions, Severity, read_ipa};
use otasite::raster::RgbaImage;
use plist::Value;
use serde_json::Value as Json;
use tempfile::TempDir;
use time::OffsetDateTime;
use time::macros::datetime;

use support::cgbi::{encode_cgbi, sample_icon};
use support::ipa::{IpaBuilder, Kind, ProfileSpec, cms_envelope, zip_bytes};
use support::run::Otasite;

/// The moment every profile is judged against.
const NOW: OffsetDateTime = datetime!(2026-01-01 0:00 UTC);
const DAY: i64 = 86_400;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn options() -> ReadOptions {
    ReadOptions {
        hash: false,
        now: NOW,
        decode_icon: true,
    }
}

/// The app most tests start from: complete, ad-hoc signed, valid until 2100.
fn demo() -> IpaBuilder {
    IpaBuilder::new("com.example.demo", "Demo")
}

/// A temporary folder that holds the archives of one test.
struct Scratch(TempDir);

impl Scratch {
    fn new() -> Self {
        Scratch(tempfile::tempdir().expect("a temporary folder"))
    }

    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.0.path().join(name);
        std::fs::write(&path, bytes).expect("writing into the temporary folder");
        path
    }
}

fn read_bytes(bytes: &[u8]) -> Result<Ipa, IpaError> {
    let scratch = Scratch::new();
    read_ipa(&scratch.file("app.ipa", bytes), options())
}

/// Reads an archive that must be valid.
fn read(builder: &IpaBuilder) -> Ipa {
    read_bytes(&builder.to_bytes()).unwrap_or_else(|e| panic!("the archive should read: {e}"))
}

/// The error message for an archive that must be refused.
fn refusal(bytes: &[u8]) -> String {
    match read_bytes(bytes) {
        Ok(ipa) => panic!("expected an error, but read {}", ipa.bundle_id),
        Err(error) => error.to_string(),
    }
}

/// A zip of `(name, bytes)` entries.
fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let owned: Vec<(String, Vec<u8>)> = entries
        .iter()
        .map(|(name, bytes)| (name.to_string(), bytes.to_vec()))
        .collect();
    zip_bytes(&owned, 1_714_564_800)
}

fn info_plist(bundle_id: &str) -> Vec<u8> {
    IpaBuilder::new(bundle_id, "Nested").info_plist_bytes()
}

fn messages(ipa: &Ipa, severity: Severity) -> Vec<&str> {
    ipa.problems
        .iter()
        .filter(|p| p.severity == severity)
        .map(|p| p.message.as_str())
        .collect()
}

fn has_message(ipa: &Ipa, severity: Severity, needle: &str) -> bool {
    messages(ipa, severity).iter().any(|m| m.contains(needle))
}

fn unix(moment: OffsetDateTime) -> i64 {
    moment.unix_timestamp()
}

/// Replaces every occurrence of `from` by `to` (same length) in raw archive bytes.
fn patch_all(bytes: &mut [u8], from: &[u8], to: &[u8]) -> usize {
    assert_eq!(from.len(), to.len(), "a patch must keep lengths");
    let mut count = 0;
    let mut at = 0;
    while at + from.len() <= bytes.len() {
        if &bytes[at..at + from.len()] == from {
            bytes[at..at + from.len()].copy_from_slice(to);
            count += 1;
            at += from.len();
        } else {
            at += 1;
        }
    }
    count
}

/// Runs `otasite inspect --json` with the clock pinned to `NOW`.
fn inspect(extra_args: &[&str], files: &[&Path]) -> (Option<i32>, Vec<Json>) {
    let output = Otasite::new(["inspect", "--json"])
        .args(extra_args)
        .args(files)
        .epoch(unix(NOW))
        .output();
    let reports = serde_json::from_slice::<Json>(&output.stdout)
        .unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}); stderr: {}",
                String::from_utf8_lossy(&output.stderr)
            )
        })
        .as_array()
        .expect("inspect --json prints an array")
        .clone();
    (output.status.code(), reports)
}

// ---------------------------------------------------------------------------------------------
// Info.plist facts
// ---------------------------------------------------------------------------------------------

#[test]
fn binary_and_xml_info_plist_give_identical_facts() {
    let xml_app = demo()
        .version("2.3.4", "567")
        .set("CFBundleDisplayName", "Demo Display")
        .set("CFBundleIconFile", "Icon.png")
        .set("CFBundleSupportedPlatforms", vec![Value::from("iPhoneOS")]);
    let binary_app = xml_app.clone().binary_plist();
    assert!(binary_app.info_plist_bytes().starts_with(b"bplist00"));
    assert!(xml_app.info_plist_bytes().starts_with(b"<?xml"));

    let (xml, binary) = (read(&xml_app), read(&binary_app));
    assert_eq!(xml.info, binary.info);
    assert_eq!(
        (&xml.bundle_id, &xml.name, &xml.problems, &xml.released),
        (
            &binary.bundle_id,
            &binary.name,
            &binary.problems,
            &binary.released
        )
    );
    assert_eq!(xml.bundle_id, "com.example.demo");
    assert_eq!(xml.name, "Demo Display");
    assert_eq!(xml.info.version.as_deref(), Some("2.3.4"));
    assert_eq!(xml.info.build.as_deref(), Some("567"));
    assert_eq!(xml.info.min_os.as_deref(), Some("15.0"));
    assert_eq!(xml.info.device_family, vec![1, 2]);
    assert_eq!(xml.info.platform.as_deref(), Some("iphoneos"));
    assert_eq!(xml.info.icon_files, vec!["Icon.png"]);
}

#[test]
fn released_is_the_info_plist_timestamp_read_as_utc() {
    let ipa = read(&demo().modified(unix(datetime!(2025-03-04 05:06:08 UTC))));
    assert_eq!(ipa.released, Some(datetime!(2025-03-04 05:06:08 UTC)));
}

#[test]
fn name_falls_back_from_display_name_to_bundle_name_to_executable_to_folder() {
    let full = demo()
        .set("CFBundleDisplayName", "Shown Name")
        .set("CFBundleName", "Bundle Name")
        .set("CFBundleExecutable", "ExecutableName");
    assert_eq!(read(&full).name, "Shown Name");

    let no_display = full.clone().remove("CFBundleDisplayName");
    assert_eq!(read(&no_display).name, "Bundle Name");

    // A blank value counts as absent.
    let blank_bundle_name = no_display.clone().set("CFBundleName", "   ");
    assert_eq!(read(&blank_bundle_name).name, "ExecutableName");

    let mut only_folder = no_display
        .remove("CFBundleName")
        .remove("CFBundleExecutable");
    only_folder.app = "Folder Name.app".into();
    let ipa = read(&only_folder);
    assert_eq!(ipa.app_dir, "Payload/Folder Name.app/");
    assert_eq!(ipa.name, "Folder Name");
}

#[test]
fn device_family_is_read_from_an_array_a_single_integer_or_strings() {
    let family = |value: Value| {
        read(&demo().set("UIDeviceFamily", value))
            .info
            .device_family
    };
    assert_eq!(family(Value::Array(vec![2.into(), 1.into()])), vec![1, 2]);
    assert_eq!(family(Value::from(2)), vec![2]);
    assert_eq!(
        family(Value::Array(vec!["1".into(), " 2 ".into()])),
        vec![1, 2]
    );
    assert_eq!(family(Value::from("2")), vec![2]);
    assert_eq!(family(Value::Array(vec![1.into(), 1.into()])), vec![1]);

    let absent = read(&demo().remove("UIDeviceFamily"));
    assert!(absent.info.device_family.is_empty());
    assert!(has_message(&absent, Severity::Warning, "no UIDeviceFamily"));
    assert!(absent.installable());
}

#[test]
fn platform_comes_from_supported_platforms_when_dt_platform_name_is_absent() {
    let ipa = read(
        &demo()
            .remove("DTPlatformName")
            .set("CFBundleSupportedPlatforms", vec![Value::from("iPhoneOS")]),
    );
    assert_eq!(ipa.info.platform.as_deref(), Some("iphoneos"));
    assert!(ipa.installable());

    let neither = read(&demo().remove("DTPlatformName"));
    assert_eq!(neither.info.platform, None);
}

#[test]
fn extensions_and_watch_apps_are_listed_by_bundle_id() {
    let mut watch_plist_builder = IpaBuilder::new("com.example.demo.watchkitapp", "W");
    watch_plist_builder.binary_plist = true;
    let app = demo()
        .app_file(
            "PlugIns/Share.appex/Info.plist",
            info_plist("com.example.demo.share"),
        )
        .app_file("PlugIns/Share.appex/Share", b"binary".to_vec())
        .app_file(
            "Watch/DemoWatch.app/Info.plist",
            watch_plist_builder.info_plist_bytes(),
        )
        .app_file(
            "Watch/DemoWatch.app/PlugIns/Complication.appex/Info.plist",
            info_plist("com.example.demo.watchkitapp.complication"),
        )
        // Not extensions: a framework, a bundle inside an extension, an unreadable plist.
        .app_file(
            "Frameworks/Kit.framework/Info.plist",
            info_plist("com.example.kit"),
        )
        .app_file(
            "PlugIns/Share.appex/Inner.bundle/Info.plist",
            info_plist("com.example.inner"),
        )
        .app_file("PlugIns/Broken.appex/Info.plist", b"not a plist".to_vec());
    let ipa = read(&app);
    assert_eq!(
        ipa.extensions,
        vec![
            "com.example.demo.share",
            "com.example.demo.watchkitapp",
            "com.example.demo.watchkitapp.complication",
        ]
    );
    assert_eq!(ipa.bundle_id, "com.example.demo");
}

// ---------------------------------------------------------------------------------------------
// Icons
// ---------------------------------------------------------------------------------------------

/// CgBI keeps only `alpha + 1` colour levels, so a straight-alpha round trip is within ±1
/// only where alpha ≥ 128: the sample icon's faint anti-aliased edge pixels are made fully
/// transparent (and black, which is what a transparent CgBI pixel decodes to).
fn icon_with_firm_edges(size: u32, seed: u32) -> RgbaImage {
    let mut icon = sample_icon(size, seed);
    for pixel in icon.pixels.chunks_exact_mut(4) {
        if pixel[3] < 128 {
            pixel.copy_from_slice(&[0, 0, 0, 0]);
        }
    }
    icon
}

fn assert_pixels_within_one(original: &RgbaImage, decoded: &RgbaImage) {
    assert_eq!(
        (decoded.width, decoded.height),
        (original.width, original.height)
    );
    let pairs = original
        .pixels
        .chunks_exact(4)
        .zip(decoded.pixels.chunks_exact(4));
    for (index, (want, got)) in pairs.enumerate() {
        for channel in 0..4 {
            assert!(
                want[channel].abs_diff(got[channel]) <= 1,
                "pixel {index} channel {channel}: want {want:?}, got {got:?}"
            );
        }
    }
}

#[test]
fn declared_cgbi_icon_is_picked_as_largest_with_its_pixels() {
    let large = icon_with_firm_edges(120, 7);
    let small = icon_with_firm_edges(58, 8);
    // "Logo…" follows no naming convention: only the plist's declaration makes it an icon.
    let primary = plist::Dictionary::from_iter([(
        "CFBundleIconFiles".to_string(),
        Value::Array(vec!["Logo29x29".into(), "Logo60x60".into()]),
    )]);
    let icons = plist::Dictionary::from_iter([(
        "CFBundlePrimaryIcon".to_string(),
        Value::Dictionary(primary),
    )]);
    let app = demo()
        .set("CFBundleIcons", Value::Dictionary(icons))
        .app_file("Logo29x29@2x.png", encode_cgbi(&small))
        .app_file("Logo60x60@2x.png", encode_cgbi(&large))
        .app_file("Background.png", large.to_png());

    let icon = read(&app).icon.expect("the declared icon is found");
    assert_eq!(icon.path, "Payload/Demo.app/Logo60x60@2x.png");
    assert_eq!((icon.width, icon.height), (120, 120));
    assert!(icon.cgbi, "the icon is reported as CgBI");
    assert_pixels_within_one(&large, &icon.image);
}

#[test]
fn standard_png_icon_is_reported_as_not_cgbi() {
    let icon = icon_with_firm_edges(40, 3);
    let ipa = read(&demo().app_file("AppIcon20x20@2x.png", icon.to_png()));
    let found = ipa.icon.expect("the conventional AppIcon name is found");
    assert!(!found.cgbi);
    assert_eq!(found.image, icon);
}

/// A PNG that is only a signature, an IHDR claiming `width`×`height`, and IEND.
fn png_header_only(width: u32, height: u32) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    for (kind, data) in [(&b"IHDR"[..], &ihdr[..]), (b"IEND", &[])] {
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(data);
        png.extend_from_slice(&(data.len() as u32).to_be_bytes());
        png.extend_from_slice(kind);
        png.extend_from_slice(data);
        png.extend_from_slice(&crc.sum().to_be_bytes());
    }
    png
}

#[test]
fn icon_claiming_absurd_dimensions_is_skipped_for_a_decodable_one() {
    let real = sample_icon(60, 5);
    let app = demo()
        .app_file("AppIcon1024x1024.png", png_header_only(100_000, 100_000))
        .app_file("AppIcon30x30@2x.png", encode_cgbi(&real));
    let ipa = read(&app);
    let icon = ipa.icon.as_ref().expect("the decodable icon is used");
    assert_eq!(icon.path, "Payload/Demo.app/AppIcon30x30@2x.png");
    assert!(has_message(&ipa, Severity::Warning, "100000×100000"));
    assert!(ipa.installable());
}

#[test]
fn missing_icon_is_a_warning_only() {
    let ipa = read(&demo());
    assert!(ipa.icon.is_none());
    assert!(has_message(
        &ipa,
        Severity::Warning,
        "No app icon was found"
    ));
    assert!(ipa.installable());
}

// ---------------------------------------------------------------------------------------------
// Provisioning profiles and installability
// ---------------------------------------------------------------------------------------------

#[test]
fn every_profile_kind_is_recognised() {
    let cases = [
        (
            Kind::Development,
            DistributionKind::Development,
            Some(3),
            true,
        ),
        (Kind::AdHoc, DistributionKind::AdHoc, Some(3), true),
        (Kind::Enterprise, DistributionKind::Enterprise, None, true),
        (Kind::AppStore, DistributionKind::AppStore, None, false),
    ];
    for (kind, expected, devices, installable) in cases {
        let ipa = read(&demo().profile(Some(ProfileSpec::new(kind))));
        let profile = ipa.profile.as_ref().expect("the profile is read");
        assert_eq!(profile.kind, expected, "{kind:?}");
        assert_eq!(profile.devices, devices, "{kind:?}");
        assert_eq!(
            profile.name.as_deref(),
            Some(format!("{kind:?} Profile").as_str())
        );
        assert_eq!(profile.team_name.as_deref(), Some("Example Team"));
        assert_eq!(profile.team_id.as_deref(), Some("ABCDE12345"));
        assert_eq!(profile.expires, Some(datetime!(2100-01-01 0:00 UTC)));
        assert_eq!(ipa.installable(), installable, "{kind:?}");
    }
    let store = read(&demo().profile(Some(ProfileSpec::new(Kind::AppStore))));
    assert!(has_message(
        &store,
        Severity::Blocking,
        "for App Store distribution"
    ));
}

#[test]
fn binary_profile_gives_the_same_facts_as_xml() {
    for kind in [
        Kind::Development,
        Kind::AdHoc,
        Kind::Enterprise,
        Kind::AppStore,
    ] {
        let spec = ProfileSpec::new(kind);
        assert!(spec.clone().binary().plist_bytes().starts_with(b"bplist00"));
        let xml = read(&demo().profile(Some(spec.clone()))).profile;
        let binary = read(&demo().profile(Some(spec.binary()))).profile;
        assert!(xml.is_some(), "{kind:?}");
        assert_eq!(xml, binary, "{kind:?}");
    }
}

#[test]
fn profile_whose_xml_starts_with_doctype_is_read() {
    let xml = ProfileSpec::new(Kind::Enterprise).plist_bytes();
    let doctype_at = xml
        .windows(9)
        .position(|w| w == b"<!DOCTYPE")
        .expect("the plist writer emits a DOCTYPE");
    let without_declaration = &xml[doctype_at..];
    let app = demo().profile(None).app_file(
        "embedded.mobileprovision",
        cms_envelope(without_declaration),
    );
    let ipa = read(&app);
    let profile = ipa.profile.as_ref().expect("the profile is read");
    assert_eq!(profile.kind, DistributionKind::Enterprise);
    assert!(ipa.installable());
}

#[test]
fn unreadable_profile_is_blocking() {
    let app = demo().profile(None).app_file(
        "embedded.mobileprovision",
        cms_envelope(b"no property list here"),
    );
    let ipa = read(&app);
    assert!(ipa.profile.is_none());
    assert!(has_message(&ipa, Severity::Blocking, "could not be read"));
    assert!(!ipa.installable());
}

#[test]
fn missing_profile_is_not_installable() {
    let ipa = read(&demo().profile(None));
    assert!(ipa.profile.is_none());
    assert!(has_message(
        &ipa,
        Severity::Blocking,
        "No embedded.mobileprovision"
    ));
    assert!(!ipa.installable());
}

#[test]
fn expired_profile_is_not_installable() {
    let spec = ProfileSpec::new(Kind::AdHoc).expires(unix(NOW) - DAY);
    let ipa = read(&demo().profile(Some(spec)));
    assert!(has_message(
        &ipa,
        Severity::Blocking,
        "expired on 2025-12-31"
    ));
    assert!(!ipa.installable());
}

#[test]
fn profile_expiring_within_fourteen_days_warns_but_installs() {
    let spec = ProfileSpec::new(Kind::AdHoc).expires(unix(NOW) + 10 * DAY);
    let ipa = read(&demo().profile(Some(spec)));
    assert!(has_message(
        &ipa,
        Severity::Warning,
        "expires on 2026-01-11"
    ));
    assert!(ipa.installable());

    let later = ProfileSpec::new(Kind::AdHoc).expires(unix(NOW) + 15 * DAY);
    let ipa = read(&demo().profile(Some(later)));
    assert!(!has_message(&ipa, Severity::Warning, "expires on"));
}

#[test]
fn simulator_build_is_not_installable() {
    let ipa = read(&demo().remove("DTPlatformName").set(
        "CFBundleSupportedPlatforms",
        vec![Value::from("iPhoneSimulator")],
    ));
    assert_eq!(ipa.info.platform.as_deref(), Some("iphonesimulator"));
    assert!(has_message(&ipa, Severity::Blocking, "simulator build"));
    assert!(!ipa.installable());
}

#[test]
fn tvos_build_is_not_installable() {
    let ipa = read(
        &demo()
            .set("DTPlatformName", "appletvos")
            .set("UIDeviceFamily", Value::Array(vec![3.into()])),
    );
    assert!(has_message(
        &ipa,
        Severity::Blocking,
        "This is a tvOS build (platform appletvos)"
    ));
    assert!(!ipa.installable());
}

#[test]
fn watch_only_device_family_is_not_installable() {
    let ipa = read(&demo().set("UIDeviceFamily", Value::Array(vec![4.into()])));
    assert!(has_message(
        &ipa,
        Severity::Blocking,
        "This is a watch-only app (UIDeviceFamily 4 alone)"
    ));
    assert!(!ipa.installable());
}

#[test]
fn complete_ad_hoc_build_has_no_blocking_problem() {
    let ipa = read(&demo().app_file("AppIcon60x60@2x.png", sample_icon(120, 1).to_png()));
    assert!(ipa.problems.is_empty(), "{:?}", ipa.problems);
    assert!(ipa.installable());
}

// ---------------------------------------------------------------------------------------------
// Hostile and broken archives
// ---------------------------------------------------------------------------------------------

/// A valid XML Info.plist padded with `padding` bytes of whitespace.
fn padded_info_plist(padding: usize) -> Vec<u8> {
    let mut xml = br#"<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0"><dict><key>CFBundleIdentifier</key><string>com.example.bomb</string>"#
        .to_vec();
    xml.resize(xml.len() + padding, b' ');
    xml.extend_from_slice(b"</dict></plist>");
    xml
}

#[test]
fn zip_bomb_info_plist_fails_fast_naming_the_cap() {
    let plist = padded_info_plist(40 << 20);
    let archive = zip_of(&[("Payload/Bomb.app/Info.plist", &plist)]);
    assert!(
        archive.len() < 1 << 20,
        "40 MiB of spaces deflate to little"
    );

    let started = Instant::now();
    let message = refusal(&archive);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(
        message,
        "cannot read entry Payload/Bomb.app/Info.plist: it inflates to more than 16 MiB, \
         the most otasite reads for this kind of entry"
    );
}

#[test]
fn zip_bomb_that_declares_a_small_size_is_still_refused() {
    let plist = padded_info_plist(40 << 20);
    let mut archive = zip_of(&[("Payload/Bomb.app/Info.plist", &plist)]);
    // Declare 1000 bytes in both the local header and the central directory.
    let real_size = (plist.len() as u32).to_le_bytes();
    assert_eq!(
        patch_all(&mut archive, &real_size, &1000u32.to_le_bytes()),
        2
    );

    let message = refusal(&archive);
    assert!(
        message.starts_with("cannot read entry Payload/Bomb.app/Info.plist: "),
        "{message}"
    );
}

#[test]
fn plist_just_under_the_cap_is_read() {
    let plist = padded_info_plist((16 << 20) - 1024);
    let archive = zip_of(&[("Payload/Big.app/Info.plist", &plist)]);
    let ipa = read_bytes(&archive).unwrap_or_else(|e| panic!("reads: {e}"));
    assert_eq!(ipa.bundle_id, "com.example.bomb");
}

/// An XML plist whose root dict holds `depth` nested arrays (a few bytes per level).
fn deeply_nested_xml_plist(depth: usize) -> Vec<u8> {
    let mut xml = br#"<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0"><dict><key>CFBundleIdentifier</key><string>com.example.deep</string>
<key>Deep</key>"#
        .to_vec();
    xml.extend(b"<array>".repeat(depth));
    xml.extend(b"</array>".repeat(depth));
    xml.extend_from_slice(b"</dict></plist>");
    xml
}

/// A binary plist of `depth` arrays, each holding only the next one.
fn deeply_nested_binary_plist(depth: u32) -> Vec<u8> {
    let mut plist = b"bplist00".to_vec();
    let mut offsets = Vec::new();
    for object in 0..depth {
        offsets.push(plist.len() as u32);
        if object + 1 < depth {
            plist.push(0xA1); // array of one reference
            plist.extend_from_slice(&(object + 1).to_be_bytes());
        } else {
            plist.push(0xA0); // empty array
        }
    }
    let offset_table = plist.len() as u64;
    offsets
        .iter()
        .for_each(|o| plist.extend_from_slice(&o.to_be_bytes()));
    plist.extend_from_slice(&[0; 6]);
    plist.extend_from_slice(&[4, 4]); // offset and reference sizes
    plist.extend_from_slice(&u64::from(depth).to_be_bytes());
    plist.extend_from_slice(&0u64.to_be_bytes()); // top object
    plist.extend_from_slice(&offset_table.to_be_bytes());
    plist
}

#[test]
fn deeply_nested_info_plist_is_refused_instead_of_overflowing_the_stack() {
    let ascii = format!("{}{}", "(".repeat(200_000), ")".repeat(200_000)).into_bytes();
    let plists = [
        ("XML", deeply_nested_xml_plist(200_000)),
        ("binary", deeply_nested_binary_plist(200_000)),
        ("ASCII", ascii),
    ];
    for (format, plist) in plists {
        let archive = zip_of(&[("Payload/Deep.app/Info.plist", &plist)]);
        assert_eq!(
            refusal(&archive),
            "Payload/Deep.app/Info.plist: Info.plist is not a valid property list: \
             it nests more than 512 levels deep",
            "{format} plist"
        );
    }
}

#[test]
fn modestly_nested_info_plist_is_read() {
    let archive = zip_of(&[("Payload/Deep.app/Info.plist", &deeply_nested_xml_plist(100))]);
    let ipa = read_bytes(&archive).unwrap_or_else(|e| panic!("reads: {e}"));
    assert_eq!(ipa.bundle_id, "com.example.deep");
}

#[test]
fn deeply_nested_profile_blocks_and_extension_plist_is_skipped() {
    let app = demo()
        .profile(None)
        .app_file(
            "embedded.mobileprovision",
            cms_envelope(&deeply_nested_xml_plist(200_000)),
        )
        .app_file(
            "PlugIns/Deep.appex/Info.plist",
            deeply_nested_binary_plist(200_000),
        );
    let ipa = read(&app);
    assert!(ipa.profile.is_none());
    assert!(has_message(
        &ipa,
        Severity::Blocking,
        "more than 512 levels deep"
    ));
    assert!(ipa.extensions.is_empty());
    assert!(!ipa.installable());
}

#[test]
fn entry_climbing_out_with_dot_dot_is_refused() {
    let bytes = demo().entry("../evil", b"x".to_vec()).to_bytes();
    assert_eq!(
        refusal(&bytes),
        "unsafe entry name \"../evil\": it is absolute or climbs out with '..'"
    );
    let deeper = demo().app_file("../../evil", b"x".to_vec()).to_bytes();
    assert!(refusal(&deeper).contains("Demo.app/../../evil"));
}

#[test]
fn absolute_entry_name_is_refused() {
    let bytes = demo().entry("/abs/path", b"x".to_vec()).to_bytes();
    assert_eq!(
        refusal(&bytes),
        "unsafe entry name \"/abs/path\": it is absolute or climbs out with '..'"
    );
}

#[test]
fn ten_thousand_entries_still_read_with_correct_facts() {
    let mut app = demo()
        .version("9.8", "765")
        .app_file(
            "PlugIns/Share.appex/Info.plist",
            info_plist("com.example.demo.share"),
        )
        .app_file("AppIcon60x60@2x.png", sample_icon(120, 2).to_png());
    for i in 0..10_000 {
        app = app.app_file(
            &format!("Resources/r{:02}/file{i:05}.txt", i % 97),
            vec![b'x'; i % 7],
        );
    }
    let bytes = app.to_bytes();
    let started = Instant::now();
    let ipa = read_bytes(&bytes).unwrap_or_else(|e| panic!("reads: {e}"));
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(ipa.bundle_id, "com.example.demo");
    assert_eq!(ipa.info.version.as_deref(), Some("9.8"));
    assert_eq!(ipa.extensions, vec!["com.example.demo.share"]);
    assert_eq!(ipa.icon.as_ref().map(|i| i.width), Some(120));
    assert!(ipa.installable());
}

#[test]
fn zip64_archive_reads() {
    let app = demo().app_file("AppIcon60x60@2x.png", sample_icon(120, 6).to_png());
    let options = zip::write::SimpleFileOptions::default().large_file(true);
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in app.entries() {
        writer.start_file(name, options).expect("entry");
        writer.write_all(&bytes).expect("write");
    }
    let bytes = writer.finish().expect("finish").into_inner();
    let ipa = read_bytes(&bytes).unwrap_or_else(|e| panic!("reads: {e}"));
    assert_eq!(ipa.bundle_id, "com.example.demo");
    assert!(ipa.profile.is_some());
    assert_eq!(ipa.icon.as_ref().map(|i| i.width), Some(120));
}

#[test]
fn streamed_archive_with_data_descriptors_reads() {
    let app = demo().app_file("AppIcon60x60@2x.png", sample_icon(120, 6).to_png());
    let options = zip::write::SimpleFileOptions::default();
    let mut writer = zip::ZipWriter::new_stream(Vec::new());
    for (name, bytes) in app.entries() {
        writer.start_file(name, options).expect("entry");
        writer.write_all(&bytes).expect("write");
    }
    let bytes = writer.finish().expect("finish").into_inner();
    // General purpose flag bit 3: sizes and CRC follow the data.
    assert_eq!(
        bytes[6] & 0x08,
        0x08,
        "the first entry uses a data descriptor"
    );
    let ipa = read_bytes(&bytes).unwrap_or_else(|e| panic!("reads: {e}"));
    assert_eq!(ipa.bundle_id, "com.example.demo");
    assert!(ipa.profile.is_some());
    assert_eq!(ipa.icon.as_ref().map(|i| i.width), Some(120));
}

#[test]
fn truncated_archive_is_reported_as_truncated_wherever_it_is_cut() {
    let bytes = demo()
        .app_file("AppIcon60x60@2x.png", sample_icon(60, 1).to_png())
        .app_file("Demo", vec![7; 4096])
        .to_bytes();
    let len = bytes.len();
    let central_directory = bytes
        .windows(4)
        .position(|w| w == b"PK\x01\x02")
        .expect("a central directory");
    let cuts = [
        ("in half", len / 2),
        ("inside the first local header", 20),
        ("inside the central directory", central_directory + 30),
        ("just before the end record", len - 22),
        ("inside the end record", len - 10),
        ("one byte short", len - 1),
    ];
    for (where_, cut) in cuts {
        let message = refusal(&bytes[..cut]);
        assert!(
            message.starts_with("truncated or damaged zip archive ("),
            "cut {where_} (at {cut} of {len}): {message}"
        );
    }
}

#[test]
fn entry_names_that_are_not_utf8_still_read() {
    let app = IpaBuilder::new("com.example.latin", "Cafe")
        .app_file(
            "PlugIns/Share.appex/Info.plist",
            info_plist("com.example.latin.share"),
        )
        .app_file("AppIcon60x60@2x.png", sample_icon(120, 4).to_png());
    let entries = app.entries().len();
    let mut bytes = app.to_bytes();
    // Names are in the local headers and the central directory; CRCs cover only the data.
    let patched = patch_all(&mut bytes, b"Payload/Cafe.app/", b"Payload/Ca\xFF\xFE.app/");
    assert_eq!(patched, 2 * entries, "every name, in both places");

    let ipa = read_bytes(&bytes).unwrap_or_else(|e| panic!("reads: {e}"));
    // Names without the UTF-8 flag are decoded as code page 437.
    assert_eq!(ipa.app_dir, "Payload/Ca\u{a0}\u{25a0}.app/");
    assert_eq!(ipa.bundle_id, "com.example.latin");
    assert_eq!(ipa.name, "Cafe");
    assert!(ipa.profile.is_some());
    assert_eq!(ipa.extensions, vec!["com.example.latin.share"]);
    assert_eq!(ipa.icon.as_ref().map(|i| i.width), Some(120));
}

#[test]
fn git_lfs_pointer_says_to_fetch_the_lfs_objects() {
    let pointer = b"version https://git-lfs.github.com/spec/v1\n\
oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 48213907\n";
    let message = refusal(pointer);
    assert!(message.contains("Git LFS pointer"), "{message}");
    assert!(message.contains("git lfs pull"), "{message}");
}

#[test]
fn file_that_is_not_a_zip_is_refused() {
    assert_eq!(refusal(b"<html>404 Not Found</html>"), "not a zip archive");
}

#[test]
fn empty_file_is_refused() {
    assert_eq!(refusal(b""), "the file is empty");
}

#[test]
fn archive_without_payload_is_refused() {
    let bytes = zip_of(&[("Demo.app/Info.plist", &info_plist("com.example.demo"))]);
    assert_eq!(
        refusal(&bytes),
        "not an iOS app archive: no Payload/ folder, so no .app bundle under Payload/"
    );
}

#[test]
fn payload_nested_in_a_folder_is_refused_naming_the_folder() {
    let bytes = zip_of(&[(
        "Build/Payload/Demo.app/Info.plist",
        &info_plist("com.example.demo"),
    )]);
    assert_eq!(
        refusal(&bytes),
        "Payload/ is inside the folder \"Build/\"; it must be at the archive's root"
    );
}

#[test]
fn payload_without_an_app_is_refused() {
    let bytes = zip_of(&[
        ("Payload/readme.txt", b"hello"),
        ("Payload/Demo/Info.plist", b"x"),
    ]);
    assert_eq!(refusal(&bytes), "no .app bundle under Payload/");
}

#[test]
fn two_apps_are_refused_naming_both() {
    let bytes = demo()
        .entry(
            "Payload/Other.app/Info.plist",
            info_plist("com.example.other"),
        )
        .to_bytes();
    assert_eq!(
        refusal(&bytes),
        "more than one app under Payload/: Demo.app, Other.app"
    );
}

#[test]
fn app_without_info_plist_is_refused() {
    let bytes = zip_of(&[("Payload/Demo.app/Demo", b"\xCF\xFA\xED\xFE")]);
    assert_eq!(refusal(&bytes), "no Info.plist in Payload/Demo.app/");
}

#[test]
fn info_plist_without_bundle_identifier_is_refused() {
    let bytes = demo().remove("CFBundleIdentifier").to_bytes();
    assert_eq!(
        refusal(&bytes),
        "Payload/Demo.app/Info.plist has no CFBundleIdentifier"
    );
}

#[test]
fn info_plist_that_is_not_a_plist_is_refused() {
    let bytes = zip_of(&[("Payload/Demo.app/Info.plist", b"{ not: a plist")]);
    let message = refusal(&bytes);
    assert!(
        message.starts_with("Payload/Demo.app/Info.plist: Info.plist is not a valid property list"),
        "{message}"
    );
}

// ---------------------------------------------------------------------------------------------
// Through the binary
// ---------------------------------------------------------------------------------------------

#[test]
fn inspect_json_reports_the_facts_of_a_good_archive() {
    let scratch = Scratch::new();
    let bytes = demo()
        .version("3.1", "42")
        .set("CFBundleDisplayName", "Demo App")
        .app_file(
            "PlugIns/Share.appex/Info.plist",
            info_plist("com.example.demo.share"),
        )
        .app_file("AppIcon60x60@2x.png", encode_cgbi(&sample_icon(120, 9)))
        .to_bytes();
    let path = scratch.file("Demo.ipa", &bytes);

    let (code, reports) = inspect(&[], &[&path]);
    assert_eq!(code, Some(0));
    let [report] = reports.as_slice() else {
        panic!("one report per file: {reports:?}")
    };
    assert_eq!(report["file"], path.display().to_string());
    assert_eq!(report["size"], bytes.len());
    assert_eq!(report["sha256"], otasite::hash::sha256_bytes(&bytes));
    assert_eq!(report["bundle_id"], "com.example.demo");
    assert_eq!(report["name"], "Demo App");
    assert_eq!(report["version"], "3.1");
    assert_eq!(report["build"], "42");
    assert_eq!(report["min_os"], "15.0");
    assert_eq!(
        report["device_family"],
        serde_json::json!(["iphone", "ipad"])
    );
    assert_eq!(report["platform"], "iphoneos");
    assert_eq!(
        report["icon"],
        serde_json::json!({
            "path": "Payload/Demo.app/AppIcon60x60@2x.png",
            "width": 120,
            "height": 120,
            "cgbi": true,
        })
    );
    assert_eq!(report["profile"]["kind"], "ad-hoc");
    assert_eq!(report["profile"]["devices"], 3);
    assert_eq!(report["profile"]["expires"], "2100-01-01T00:00:00Z");
    assert_eq!(
        report["extensions"],
        serde_json::json!(["com.example.demo.share"])
    );
    assert_eq!(report["problems"], serde_json::json!([]));
    assert_eq!(report["installable"], true);
}

#[test]
fn inspect_no_hash_leaves_sha256_null() {
    let scratch = Scratch::new();
    let path = scratch.file("Demo.ipa", &demo().to_bytes());
    let (code, reports) = inspect(&["--no-hash"], &[&path]);
    assert_eq!(code, Some(0));
    assert_eq!(reports[0]["sha256"], Json::Null);
    assert_eq!(reports[0]["bundle_id"], "com.example.demo");
}

#[test]
fn inspect_json_reports_a_build_that_cannot_install() {
    let scratch = Scratch::new();
    let expired = ProfileSpec::new(Kind::Development).expires(unix(NOW) - DAY);
    let path = scratch.file("Old.ipa", &demo().profile(Some(expired)).to_bytes());
    let (code, reports) = inspect(&["--no-hash"], &[&path]);
    // A build that cannot install is still a successful read.
    assert_eq!(code, Some(0));
    assert_eq!(reports[0]["installable"], false);
    assert_eq!(reports[0]["profile"]["kind"], "development");
    let problems = reports[0]["problems"].as_array().expect("problems");
    assert!(
        problems.iter().any(|p| p
            .as_str()
            .is_some_and(|p| p.contains("expired on 2025-12-31"))),
        "{problems:?}"
    );
}

#[test]
fn inspect_with_a_good_and_a_bad_file_reports_both_and_exits_1() {
    let scratch = Scratch::new();
    let good = scratch.file("Good.ipa", &demo().to_bytes());
    let bomb = zip_of(&[("Payload/Bomb.app/Info.plist", &padded_info_plist(40 << 20))]);
    let bad = scratch.file("Bomb.ipa", &bomb);
    let lfs = scratch.file("Lfs.ipa", b"version https://git-lfs.github.com/spec/v1\n");
    let deep_plist = deeply_nested_xml_plist(200_000);
    let deep = scratch.file(
        "Deep.ipa",
        &zip_of(&[("Payload/D.app/Info.plist", &deep_plist)]),
    );

    let (code, reports) = inspect(&["--no-hash"], &[&good, &bad, &lfs, &deep]);
    assert_eq!(code, Some(1));
    assert_eq!(reports.len(), 4, "{reports:?}");
    assert_eq!(reports[0]["bundle_id"], "com.example.demo");
    assert_eq!(reports[0]["file"], good.display().to_string());
    for (report, path, needle) in [
        (&reports[1], &bad, "more than 16 MiB"),
        (&reports[2], &lfs, "git lfs pull"),
        (&reports[3], &deep, "levels deep"),
    ] {
        let object = report.as_object().expect("an object");
        let keys: Vec<&str> = object.keys().map(String::as_str).collect();
        assert_eq!(keys, ["error", "file"], "a failure is {{file, error}} only");
        assert_eq!(report["file"], path.display().to_string());
        let error = report["error"].as_str().expect("error text");
        assert!(error.contains(needle), "{error}");
    }
}

// ---------------------------------------------------------------------------------------------
// Profiles told by content
// ---------------------------------------------------------------------------------------------

/// A signed profile is read as a profile whatever its name: `.provisionprofile` (macOS and
/// some iOS tools), another extension, or none; XML or binary inside.
#[test]
fn profiles_are_read_by_content_whatever_their_name() {
    let scratch = Scratch::new();
    let xml = ProfileSpec::new(Kind::Development).to_bytes();
    let binary = ProfileSpec::new(Kind::Enterprise).binary().to_bytes();
    let cases = [
        ("App.provisionprofile", &xml, "development"),
        ("profile.bin", &xml, "development"),
        ("downloaded", &binary, "enterprise"),
        ("Team.PROVISIONPROFILE", &binary, "enterprise"),
    ];
    let paths: Vec<PathBuf> = cases
        .iter()
        .map(|(name, bytes, _)| scratch.file(name, bytes))
        .collect();
    let refs: Vec<&Path> = paths.iter().map(PathBuf::as_path).collect();
    let (code, reports) = inspect(&[], &refs);
    assert_eq!(code, Some(0), "{reports:#?}");
    for ((name, bytes, kind), report) in cases.iter().zip(&reports) {
        assert_eq!(report["profile"]["kind"], *kind, "{name}: {report:#}");
        assert_eq!(report["size"], bytes.len(), "{name}");
        assert!(report.get("bundle_id").is_none(), "{name}: read as an app");
    }
    let text = Otasite::new(["inspect"]).args([&paths[0]]).output();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("profile   Development \""), "{text}");
}

/// An archive is an archive whatever its name; a file named as a profile that is none gets
/// the profile reader's explanation, anything else the archive reader's.
#[test]
fn archives_and_damaged_files_are_told_apart() {
    let scratch = Scratch::new();
    let archive = scratch.file("app.provisionprofile", &demo().to_bytes());
    let garbage_profile = scratch.file("bad.provisionprofile", b"not a profile at all");
    let garbage = scratch.file("bad.bin", b"not a profile at all");
    let (code, reports) = inspect(&["--no-hash"], &[&archive, &garbage_profile, &garbage]);
    assert_eq!(code, Some(1));
    assert_eq!(
        reports[0]["bundle_id"], "com.example.demo",
        "{:#}",
        reports[0]
    );
    assert_eq!(
        reports[1]["error"],
        "no property list found inside the profile's signature envelope"
    );
    assert_eq!(reports[2]["error"], "not a zip archive");
}

/// Reading by content keeps the guards: a special file is never opened, and a profile
/// larger than any real one is refused after reading no more than the limit.
#[test]
fn profile_sniffing_keeps_the_fifo_and_size_guards() {
    let scratch = Scratch::new();
    let pipe = scratch.0.path().join("pipe.provisionprofile");
    let status = std::process::Command::new("mkfifo")
        .arg(&pipe)
        .status()
        .expect("run mkfifo");
    assert!(status.success());
    let output = support::run::wait_at_most(
        Otasite::new(["inspect", "--json"]).args([&pipe]).spawn(),
        Duration::from_secs(20),
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("not a regular file"),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );

    // A signed profile's header, then a sparse 32 MiB of nothing.
    let big = scratch.file("huge", &ProfileSpec::new(Kind::AdHoc).to_bytes());
    std::fs::OpenOptions::new()
        .write(true)
        .open(&big)
        .and_then(|f| f.set_len(32 << 20))
        .expect("grow the file");
    let (code, reports) = inspect(&[], &[&big]);
    assert_eq!(code, Some(1));
    assert_eq!(
        reports[0]["error"],
        "the profile is larger than 16 MiB, far beyond any real one"
    );
}

/// Every real profile reads the same under a `.provisionprofile` name as under its own.
#[test]
#[ignore = "needs ../shared/fixtures (the real-archive corpus)"]
fn real_profiles_read_the_same_as_provisionprofile() {
    let folder = support::fixtures::real_fixtures().join("profiles");
    let scratch = Scratch::new();
    let mut compared = 0;
    for entry in std::fs::read_dir(&folder).expect("the profiles folder") {
        let original = entry.expect("an entry").path();
        let renamed = scratch
            .0
            .path()
            .join(format!("p{compared}.provisionprofile"));
        std::fs::copy(&original, &renamed).expect("copy");
        let (_, mut reports) = inspect(&[], &[&original, &renamed]);
        for report in &mut reports {
            report.as_object_mut().expect("a report").remove("file");
        }
        assert_eq!(reports[0], reports[1], "{}", original.display());
        compared += 1;
    }
    assert!(
        compared >= 5,
        "only {compared} profiles in {}",
        folder.display()
    );
}
