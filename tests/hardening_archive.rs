//! Hostile archives, built in the tests: what no archive may do to `inspect` or `build`
//! (exhaust memory or time), and what iOS would refuse that otasite must not call installable.

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use otasite::ipa::{Ipa, IpaError, ReadOptions, Severity, read_ipa, read_ipa_bytes};
use plist::Value;
use tempfile::TempDir;
use time::macros::datetime;

use support::cgbi::{encode_cgbi, sample_icon};
use support::ipa::{
    IpaBuilder, Kind, ProfileSpec, padded_bplist, profile_bytes, shared_reference_bplist,
    zip_bytes, zip_with_copies, zip_with_overlapping_copies,
};
use support::run::{Otasite, otasite, wait_at_most};

fn options() -> ReadOptions {
    ReadOptions {
        hash: false,
        now: datetime!(2026-01-01 0:00 UTC),
        decode_icon: true,
    }
}

fn demo() -> IpaBuilder {
    IpaBuilder::new("com.example.demo", "Demo")
}

fn read(bytes: &[u8]) -> Result<Ipa, IpaError> {
    read_ipa_bytes(bytes, Path::new("app.ipa"), options())
}

fn refusal(bytes: &[u8]) -> String {
    match read(bytes) {
        Ok(ipa) => panic!("read although it should be refused: {ipa:?}"),
        Err(error) => error.to_string(),
    }
}

fn has_message(ipa: &Ipa, severity: Severity, needle: &str) -> bool {
    ipa.problems
        .iter()
        .any(|p| p.severity == severity && p.message.contains(needle))
}

/// The usual Info.plist strings, for plists built by hand.
const INFO: &[(&str, &str)] = &[
    ("CFBundleIdentifier", "com.example.shared"),
    ("CFBundleName", "Shared"),
    ("CFBundleShortVersionString", "1.0"),
    ("CFBundleVersion", "1"),
    ("MinimumOSVersion", "15.0"),
    ("DTPlatformName", "iphoneos"),
];

/// 2024-05-01T12:00:00Z, for entries zipped by hand.
const STAMP: i64 = 1_714_564_800;

fn entry(name: &str, bytes: Vec<u8>) -> (String, Vec<u8>) {
    (name.to_string(), bytes)
}

/// A site folder with `site.yaml` and the given archives under `builds/`.
struct Site(TempDir);

impl Site {
    fn new(archives: &[(&str, Vec<u8>)]) -> Self {
        let dir = tempfile::tempdir().expect("a temporary folder");
        std::fs::write(
            dir.path().join("site.yaml"),
            "title: Hardening\nbase_url: https://apps.example.test/\n",
        )
        .expect("site.yaml");
        std::fs::create_dir(dir.path().join("builds")).expect("builds/");
        for (name, bytes) in archives {
            std::fs::write(dir.path().join("builds").join(name), bytes).expect("archive");
        }
        Site(dir)
    }

    fn path(&self) -> &Path {
        self.0.path()
    }

    fn archive(&self, name: &str) -> PathBuf {
        self.path().join("builds").join(name)
    }

    fn run(&self, args: &[&str]) -> Output {
        otasite(args, self.path())
    }

    fn catalog(&self) -> serde_json::Value {
        let text = std::fs::read_to_string(self.path().join("dist/catalog.json"))
            .expect("the site was written");
        serde_json::from_str(&text).expect("catalog.json")
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Exited by itself (no abort, no signal) with a code other than 0.
fn failed_cleanly(output: &Output) -> i32 {
    let code = output
        .status
        .code()
        .unwrap_or_else(|| panic!("killed by a signal; stderr: {}", text(&output.stderr)));
    assert!(
        code != 0 && code != 134,
        "exit {code}; stderr: {}",
        text(&output.stderr)
    );
    code
}

// ---------------------------------------------------------------------------------------------
// 1. Binary plists whose shared references expand without bound
// ---------------------------------------------------------------------------------------------

/// Four levels of a thousand references each: 10^12 values from about 8 KB.
fn exploding_info_plist() -> Vec<u8> {
    shared_reference_bplist(INFO, 4, 1000)
}

const EXPANSION_ERROR: &str = "its shared references expand to more than 1048576 values";

#[test]
fn shared_reference_info_plist_is_refused_with_one_clear_error() {
    let plist = exploding_info_plist();
    assert!(plist.len() < 10_000, "{} bytes", plist.len());
    let archive = zip_bytes(&[entry("Payload/Shared.app/Info.plist", plist)], STAMP);
    assert_eq!(
        refusal(&archive),
        format!(
            "Payload/Shared.app/Info.plist: Info.plist is not a valid property list: {EXPANSION_ERROR}"
        )
    );
}

#[test]
fn a_few_shared_references_still_read() {
    // 3 levels of 10: a thousand values, as an honest plist may share strings.
    let plist = shared_reference_bplist(INFO, 3, 10);
    let archive = zip_bytes(&[entry("Payload/Shared.app/Info.plist", plist)], STAMP);
    let ipa = read(&archive).unwrap_or_else(|e| panic!("reads: {e}"));
    assert_eq!(ipa.bundle_id, "com.example.shared");
}

#[test]
fn inspect_and_build_report_a_shared_reference_bomb_and_keep_going_builds_the_rest() {
    let bomb = zip_bytes(
        &[entry(
            "Payload/Shared.app/Info.plist",
            exploding_info_plist(),
        )],
        STAMP,
    );
    let site = Site::new(&[("Bomb.ipa", bomb), ("Good.ipa", demo().to_bytes())]);
    let bomb_path = site.archive("Bomb.ipa");

    let inspect = site.run(&["inspect", bomb_path.to_str().expect("utf-8 path")]);
    assert_eq!(inspect.status.code(), Some(1), "{}", text(&inspect.stderr));
    let report = format!("{}{}", text(&inspect.stdout), text(&inspect.stderr));
    assert!(
        report.contains(&bomb_path.display().to_string()),
        "{report}"
    );
    assert!(report.contains(EXPANSION_ERROR), "{report}");

    let build = site.run(&["build"]);
    failed_cleanly(&build);
    let stderr = text(&build.stderr);
    let line = stderr
        .lines()
        .find(|l| l.contains(EXPANSION_ERROR))
        .unwrap_or_else(|| panic!("no line names the problem: {stderr}"));
    assert!(line.contains("Bomb.ipa"), "the line names the file: {line}");

    let keep_going = site.run(&["build", "--keep-going"]);
    failed_cleanly(&keep_going);
    assert!(text(&keep_going.stderr).contains(EXPANSION_ERROR));
    let catalog = site.catalog();
    let apps = catalog["apps"].as_array().expect("apps");
    let ids: Vec<&str> = apps
        .iter()
        .filter_map(|a| a["bundle_id"].as_str())
        .collect();
    assert_eq!(ids, ["com.example.demo"], "only the good archive is built");
}

#[test]
fn shared_reference_profile_blocks_the_build_without_stopping_the_site() {
    let profile = profile_bytes(&shared_reference_bplist(&[("Name", "Bomb")], 4, 1000));
    let app = demo()
        .profile(None)
        .app_file("embedded.mobileprovision", profile);
    let ipa = read(&app.to_bytes()).unwrap_or_else(|e| panic!("reads: {e}"));
    assert!(ipa.profile.is_none());
    assert!(
        has_message(&ipa, Severity::Blocking, EXPANSION_ERROR),
        "{:?}",
        ipa.problems
    );
    assert!(!ipa.installable());

    let site = Site::new(&[("Demo.ipa", app.to_bytes())]);
    let build = site.run(&["build"]);
    assert_eq!(build.status.code(), Some(0), "{}", text(&build.stderr));
    let catalog = site.catalog();
    assert_eq!(catalog["apps"][0]["builds"][0]["installable"], false);
}

#[test]
fn shared_reference_extension_plist_is_skipped() {
    let app = demo().app_file("PlugIns/Bomb.appex/Info.plist", exploding_info_plist());
    let ipa = read(&app.to_bytes()).unwrap_or_else(|e| panic!("reads: {e}"));
    assert!(ipa.extensions.is_empty());
}

// ---------------------------------------------------------------------------------------------
// 4. Work per archive is budgeted, not only per entry
// ---------------------------------------------------------------------------------------------

/// An extension's Info.plist padded to just under the 1 MiB such a plist may take: binary,
/// with data nothing refers to, so that only inflating it costs anything.
fn padded_extension_plist() -> Vec<u8> {
    padded_bplist(
        &[("CFBundleIdentifier", "com.example.demo.ext")],
        (1 << 20) - 1024,
    )
}

#[test]
fn many_large_extension_plists_are_refused_once_the_archive_budget_is_spent() {
    let app = demo();
    let archive = zip_with_copies(&app.entries(), &padded_extension_plist(), 300, |i| {
        format!("Payload/Demo.app/PlugIns/E{i:04}.appex/Info.plist")
    });
    assert!(archive.len() < 1 << 20, "{} bytes", archive.len());
    let started = Instant::now();
    let message = refusal(&archive);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(
        message,
        "refused as a decompression bomb: reading its metadata would inflate more than 256 MiB"
    );
}

#[test]
fn extension_plists_declaring_more_than_their_cap_are_skipped_without_inflating() {
    let huge = padded_bplist(&[("CFBundleIdentifier", "com.example.demo.ext")], 16 << 20);
    let archive = zip_with_copies(&demo().entries(), &huge, 1_500, |i| {
        format!("Payload/Demo.app/PlugIns/E{i:04}.appex/Info.plist")
    });
    let started = Instant::now();
    let ipa = read(&archive).unwrap_or_else(|e| panic!("reads: {e}"));
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    assert!(ipa.extensions.is_empty());
}

#[test]
fn too_many_entries_to_read_are_refused() {
    let app = demo();
    let archive = zip_with_copies(
        &app.entries(),
        &support_info_plist("com.example.demo.ext"),
        2_100,
        |i| format!("Payload/Demo.app/PlugIns/E{i:04}.appex/Info.plist"),
    );
    assert_eq!(
        refusal(&archive),
        "refused as a decompression bomb: reading its metadata would open more than 2000 entries"
    );
}

#[test]
fn a_dozen_extensions_are_well_within_the_budget() {
    let mut app = demo();
    for i in 0..12 {
        app = app.app_file(
            &format!("PlugIns/E{i}.appex/Info.plist"),
            support_info_plist(&format!("com.example.demo.e{i}")),
        );
    }
    let ipa = read(&app.to_bytes()).unwrap_or_else(|e| panic!("reads: {e}"));
    assert_eq!(ipa.extensions.len(), 12);
}

#[test]
fn overlapping_entries_are_refused_before_anything_is_inflated() {
    let app = demo();
    let entries = [entry(
        "Payload/Demo.app/PlugIns/E.appex/Info.plist",
        padded_extension_plist(),
    )]
    .into_iter()
    .chain(app.entries())
    .collect::<Vec<_>>();
    let archive = zip_with_overlapping_copies(&entries, 5_000, |i| {
        format!("Payload/Demo.app/PlugIns/E{i:04}.appex/Info.plist")
    });
    assert!(archive.len() < 1 << 20, "{} bytes", archive.len());
    let started = Instant::now();
    let message = refusal(&archive);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    assert!(
        message.starts_with("the archive's local headers disagree with its central directory ("),
        "{message}"
    );
}

fn support_info_plist(bundle_id: &str) -> Vec<u8> {
    let mut dict = plist::Dictionary::new();
    dict.insert("CFBundleIdentifier".into(), bundle_id.into());
    let mut out = Vec::new();
    plist::to_writer_xml(&mut out, &Value::Dictionary(dict)).expect("plist");
    out
}

// ---------------------------------------------------------------------------------------------
// 5. Icons beyond the pixel limit are skipped before decoding, by inspect as by build
// ---------------------------------------------------------------------------------------------

/// A valid 1-bit greyscale PNG: 8192×8192 pixels in a few KB.
fn huge_valid_png(edge: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, edge, edge);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::One);
    encoder.set_compression(png::Compression::Fast);
    let mut writer = encoder.write_header().expect("header");
    writer
        .write_image_data(&vec![0u8; (edge as usize / 8) * edge as usize])
        .expect("pixels");
    writer.finish().expect("finish");
    out
}

const ICON_LIMIT: &str = "beyond the 2048×2048 limit for icons";

#[test]
fn an_icon_beyond_the_pixel_limit_is_skipped_for_a_smaller_one() {
    let huge = huge_valid_png(8192);
    let app = demo()
        .app_file("AppIcon1024x1024.png", huge)
        .app_file("AppIcon60x60@2x.png", encode_cgbi(&sample_icon(120, 3)));
    let bytes = app.to_bytes();
    assert!(bytes.len() < 100_000, "{} bytes", bytes.len());

    let started = Instant::now();
    let ipa = read(&bytes).unwrap_or_else(|e| panic!("reads: {e}"));
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "decoding was attempted"
    );
    assert_eq!(ipa.icon.as_ref().map(|i| i.width), Some(120));
    assert!(has_message(&ipa, Severity::Warning, "8192×8192"));
    assert!(has_message(&ipa, Severity::Warning, ICON_LIMIT));
}

#[test]
fn inspect_reports_the_icon_build_refuses_in_text_and_json() {
    let app = demo().app_file("AppIcon1024x1024.png", huge_valid_png(8192));
    let site = Site::new(&[("Huge.ipa", app.to_bytes())]);
    let path = site.archive("Huge.ipa");
    let path = path.to_str().expect("utf-8 path");

    let human = site.run(&["inspect", path]);
    assert_eq!(human.status.code(), Some(0), "{}", text(&human.stderr));
    let human = text(&human.stdout);
    assert!(human.contains("  icon      none"), "{human}");
    assert!(human.contains(ICON_LIMIT), "{human}");

    let json = site.run(&["inspect", "--json", path]);
    let reports: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(reports[0]["icon"], serde_json::Value::Null);
    let problems = reports[0]["problems"].to_string();
    assert!(problems.contains(ICON_LIMIT), "{problems}");

    // The build refuses the same icon and says so the same way.
    let build = site.run(&["build"]);
    assert_eq!(build.status.code(), Some(0), "{}", text(&build.stderr));
    let catalog = site.catalog();
    let build_problems = catalog["apps"][0]["builds"][0]["problems"].to_string();
    assert!(build_problems.contains(ICON_LIMIT), "{build_problems}");
}

#[test]
fn a_cgbi_icon_beyond_the_pixel_limit_is_skipped() {
    let mut cgbi = encode_cgbi(&sample_icon(16, 1));
    // CgBI chunk (8 + 12 + 4 bytes) then IHDR: set 4096×4096 and fix the CRC.
    let ihdr = 8 + 12 + 4;
    cgbi[ihdr + 8..ihdr + 12].copy_from_slice(&4096u32.to_be_bytes());
    cgbi[ihdr + 12..ihdr + 16].copy_from_slice(&4096u32.to_be_bytes());
    let mut crc = flate2::Crc::new();
    crc.update(&cgbi[ihdr + 4..ihdr + 8 + 13]);
    cgbi[ihdr + 8 + 13..ihdr + 12 + 13].copy_from_slice(&crc.sum().to_be_bytes());
    let ipa = read(&demo().app_file("AppIcon.png", cgbi).to_bytes()).expect("reads");
    assert!(ipa.icon.is_none());
    assert!(has_message(&ipa, Severity::Warning, "4096×4096"));
}

// ---------------------------------------------------------------------------------------------
// 12. Archives iOS would refuse are not called installable
// ---------------------------------------------------------------------------------------------

/// Replaces `from` by `to` (same length) at the given occurrences (0-based) in raw bytes.
fn patch(bytes: &mut [u8], from: &[u8], to: &[u8], occurrences: &[usize]) {
    assert_eq!(from.len(), to.len());
    let found: Vec<usize> = (0..=bytes.len() - from.len())
        .filter(|&at| &bytes[at..at + from.len()] == from)
        .collect();
    for &n in occurrences {
        let at = found[n];
        bytes[at..at + from.len()].copy_from_slice(to);
    }
}

#[test]
fn two_info_plist_entries_are_refused() {
    let mut bytes = demo()
        .app_file("Info.plisX", support_info_plist("com.example.other"))
        .to_bytes();
    // Both copies of the second name (local header and central directory).
    patch(&mut bytes, b"Info.plisX", b"Info.plist", &[0, 1]);
    assert_eq!(
        refusal(&bytes),
        "the archive has more than one entry named \"Payload/Demo.app/Info.plist\": \
         tools disagree on which one counts"
    );
}

#[test]
fn a_central_directory_name_that_differs_from_the_local_header_is_refused() {
    let mut bytes = demo().app_file("Extra.txt", b"x".to_vec()).to_bytes();
    // The second occurrence of the name is the central directory's.
    patch(&mut bytes, b"Extra.txt", b"Extra.exe", &[1]);
    let message = refusal(&bytes);
    assert!(
        message.starts_with(
            "the archive's local headers disagree with its central directory \
             (entry \"Payload/Demo.app/Extra.exe\": "
        ),
        "{message}"
    );
}

#[test]
fn a_local_header_size_that_differs_from_the_central_directory_is_refused() {
    let mut bytes = demo().to_bytes();
    // The first local header is at offset 0; its uncompressed size is at bytes 22..26.
    let size = u32::from_le_bytes(bytes[22..26].try_into().expect("4 bytes"));
    bytes[22..26].copy_from_slice(&(size + 1).to_le_bytes());
    let message = refusal(&bytes);
    assert!(
        message.contains("entry \"Payload/Demo.app/Info.plist\"") && message.contains("size"),
        "{message}"
    );
}

#[test]
fn a_bundle_identifier_that_is_not_a_string_is_refused() {
    let cases: [(Value, &str); 4] = [
        (Value::Integer(42.into()), "an integer"),
        (Value::Array(vec!["com.example".into()]), "an array"),
        (Value::Dictionary(plist::Dictionary::new()), "a dictionary"),
        (Value::Boolean(true), "a boolean"),
    ];
    for (value, kind) in cases {
        let bytes = demo().set("CFBundleIdentifier", value).to_bytes();
        assert_eq!(
            refusal(&bytes),
            format!("Payload/Demo.app/Info.plist: CFBundleIdentifier is {kind}, not a string")
        );
    }
}

#[test]
fn a_bundle_identifier_with_control_characters_or_markup_is_refused() {
    for (id, shown) in [
        ("com.example.a\nb", "'\\n' (U+000A)"),
        ("com.example.a\u{7}", "'\\u{7}' (U+0007)"),
        ("com.example/evil", "'/' (U+002F)"),
        ("com.example.<b>", "'<' (U+003C)"),
        ("com.example.a&b", "'&' (U+0026)"),
        ("com.example.\u{200B}demo", "'\\u{200b}' (U+200B)"),
    ] {
        let bytes = demo().set("CFBundleIdentifier", id).to_bytes();
        let message = refusal(&bytes);
        assert_eq!(
            message,
            format!(
                "Payload/Demo.app/Info.plist: CFBundleIdentifier {id:?} contains {shown}; \
                 a bundle identifier holds only letters, digits, '.' and '-'"
            )
        );
    }
}

#[test]
fn a_bundle_identifier_with_other_unusual_characters_warns() {
    let ipa = read(
        &demo()
            .set("CFBundleIdentifier", "com.example.my_app")
            .to_bytes(),
    )
    .unwrap_or_else(|e| panic!("reads: {e}"));
    assert_eq!(ipa.bundle_id, "com.example.my_app");
    assert!(has_message(&ipa, Severity::Warning, "contains '_'"));
    assert!(ipa.installable());
}

#[test]
fn an_unreadable_truncated_or_oversized_profile_blocks_the_install() {
    let whole = ProfileSpec::new(Kind::AdHoc).to_bytes();
    let cut = whole[..whole.len() / 2].to_vec();
    let mut oversized = ProfileSpec::new(Kind::AdHoc).plist_bytes();
    oversized.splice(0..0, vec![b' '; 17 << 20]);
    let cases = [
        (profile_bytes(b"no property list"), "no property list found"),
        (cut, "the profile is truncated"),
        (oversized, "inflates to more than 16 MiB"),
    ];
    for (profile, reason) in cases {
        let app = demo()
            .profile(None)
            .app_file("embedded.mobileprovision", profile);
        let ipa = read(&app.to_bytes()).unwrap_or_else(|e| panic!("reads: {e}"));
        assert!(ipa.profile.is_none());
        assert!(
            has_message(&ipa, Severity::Blocking, reason),
            "{reason}: {:?}",
            ipa.problems
        );
        assert!(!ipa.installable(), "{reason}");
    }
}

#[test]
fn an_expiration_date_of_the_wrong_type_blocks_the_install() {
    let xml = String::from_utf8(ProfileSpec::new(Kind::AdHoc).plist_bytes()).expect("XML");
    let wrong = xml.replace(
        "<date>2100-01-01T00:00:00Z</date>",
        "<string>2100-01-01</string>",
    );
    assert_ne!(wrong, xml, "the profile's date was replaced");
    let app = demo()
        .profile(None)
        .app_file("embedded.mobileprovision", profile_bytes(wrong.as_bytes()));
    let ipa = read(&app.to_bytes()).unwrap_or_else(|e| panic!("reads: {e}"));
    assert!(has_message(
        &ipa,
        Severity::Blocking,
        "the profile's ExpirationDate is a string, not a date"
    ));
    assert!(!ipa.installable());
}

#[test]
fn reading_from_bytes_and_from_a_file_agree() {
    let bytes = demo()
        .app_file("AppIcon60x60@2x.png", encode_cgbi(&sample_icon(120, 2)))
        .to_bytes();
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("app.ipa");
    std::fs::write(&path, &bytes).expect("write");
    let hashed = ReadOptions {
        hash: true,
        ..options()
    };
    let from_file = read_ipa(&path, hashed).expect("reads");
    let from_bytes = read_ipa_bytes(&bytes, &path, hashed).expect("reads");
    assert_eq!(
        serde_json::to_value(&from_file).expect("json"),
        serde_json::to_value(&from_bytes).expect("json")
    );
}

/// `inspect` never opens a FIFO (opening one blocks until a writer comes) nor a device.
#[test]
fn inspect_refuses_special_files_without_opening_them() {
    let tmp = tempfile::tempdir().unwrap();
    for name in ["pipe.ipa", "pipe.mobileprovision"] {
        let path = tmp.path().join(name);
        let status = std::process::Command::new("mkfifo")
            .arg(&path)
            .status()
            .expect("run mkfifo");
        assert!(status.success());
        let output = wait_at_most(
            Otasite::new(["inspect"]).args([&path]).spawn(),
            Duration::from_secs(20),
        );
        assert_eq!(output.status.code(), Some(1), "{name}");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            stdout.contains("not a regular file (a folder, FIFO, device or socket)"),
            "{name}: {stdout}"
        );
    }
    let output = wait_at_most(
        Otasite::new(["inspect", "/dev/zero"]).spawn(),
        Duration::from_secs(20),
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stdout).contains("not a regular file"));
}
