//! Android packages: every fact of every real `.apk`/`.aab` in the corpus against what aapt,
//! androguard and apksigner read (`expected.json`), through the binary's JSON contract; and
//! synthetic manifests, valid and malformed, built here, which must give facts or one clean
//! error, never a panic.

mod support;

use std::path::{Path, PathBuf};

use serde_json::Value;
use support::apk::{
    Attr, Attribute, Axml, DEBUGGABLE, LABEL, MIN_SDK, TARGET_SDK, TEST_ONLY, VERSION_CODE,
    VERSION_NAME, attr,
};
use support::fixtures::real_fixtures;
use support::ipa::zip_bytes;
use support::run::Otasite;

fn expected() -> Vec<Value> {
    let path = real_fixtures().join("apk/expected.json");
    let text = std::fs::read_to_string(&path).expect("apk/expected.json");
    serde_json::from_str::<Value>(&text)
        .expect("json")
        .as_array()
        .expect("array")
        .clone()
}

fn inspect(paths: &[PathBuf]) -> (Option<i32>, Vec<Value>) {
    let output = Otasite::new(["inspect", "--json"]).args(paths).output();
    let reports = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "json array ({e}): {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.code(), reports)
}

/// What blocks an install, derived from the tools' facts by the rules otasite applies.
fn installable(want: &Value) -> bool {
    let level = |key: &str| want[key].as_u64();
    let target = level("target_sdk").or(level("min_sdk")).unwrap_or(1);
    let signing = &want["signing"];
    let signed = ["v1", "v2", "v3"].iter().any(|k| signing[k] == true);
    let bundle = want["kind"] == "aab";
    let split = want.get("split").is_some_and(|s| !s.is_null());
    signed && !bundle && !split && want["test_only"] == false && target >= 23
}

#[test]
#[ignore = "needs ../shared/fixtures (the real-archive corpus)"]
fn every_real_android_package_matches_expected_json() {
    let expected = expected();
    let paths: Vec<PathBuf> = expected
        .iter()
        .map(|e| {
            real_fixtures()
                .join("apk")
                .join(e["file"].as_str().expect("file"))
        })
        .collect();
    let (code, reports) = inspect(&paths);
    // The LFS pointer and the empty zip fail; the others are still reported.
    assert_eq!(code, Some(1));
    assert_eq!(reports.len(), expected.len());
    for (want, got) in expected.iter().zip(&reports) {
        let file = want["file"].as_str().expect("file");
        assert!(got["file"].as_str().expect("file").ends_with(file), "order");
        if want.get("error").is_some() {
            let error = got["error"]
                .as_str()
                .unwrap_or_else(|| panic!("{file}: {got}"));
            assert!(error.len() > 20, "{file}: a sentence: {error}");
            assert_eq!(got.as_object().map(|o| o.len()), Some(2), "{file}");
            continue;
        }
        check_shared(file, want, got);
        check_android(file, want, &got["android"]);
        check_icon(file, want, got);
        assert_eq!(got["installable"], installable(want), "{file}: {got}");
    }
}

fn check_shared(file: &str, want: &Value, got: &Value) {
    assert_eq!(got["platform"], "android", "{file}");
    assert_eq!(got["size"], want["size"], "{file}: size");
    assert_eq!(got["sha256"], want["sha256"], "{file}: sha256");
    assert_eq!(got["bundle_id"], want["package"], "{file}: package");
    let name = want["label"].as_str().or(want["package"].as_str());
    assert_eq!(got["name"].as_str(), name, "{file}: name");
    // aapt prints versionName='' for a manifest without one; otasite reports none.
    let version = want["version_name"].as_str().filter(|v| !v.is_empty());
    assert_eq!(got["version"].as_str(), version, "{file}: versionName");
    let build = want["version_code"].as_u64().map(|c| c.to_string());
    assert_eq!(got["build"].as_str(), build.as_deref(), "{file}: build");
}

fn check_android(file: &str, want: &Value, got: &Value) {
    assert_eq!(got["version_code"], want["version_code"], "{file}");
    for key in ["min_sdk", "target_sdk", "abis", "debuggable", "test_only"] {
        assert_eq!(got[key], want[key], "{file}: {key}");
    }
    let split = want.get("split").cloned().unwrap_or(Value::Null);
    assert_eq!(got["split"], split, "{file}: split");
    assert_eq!(got["bundle"], want["kind"] == "aab", "{file}: bundle");
    if want["kind"] == "aab" {
        // No tool listed a bundle's per-locale labels: the ones they did list must be there.
        for (locale, label) in want["labels"].as_object().expect("labels") {
            assert_eq!(&got["labels"][locale], label, "{file}: label {locale}");
        }
        assert_eq!(got["modules"], want["modules"], "{file}: modules");
    } else {
        assert_eq!(got["labels"], want["labels"], "{file}: labels");
    }
    for key in ["v1", "v2", "v3", "cert_sha256"] {
        assert_eq!(
            got["signing"][key], want["signing"][key],
            "{file}: signing.{key}"
        );
    }
    let has_cert = !want["signing"]["cert_sha256"].is_null();
    assert_eq!(
        got["signing"]["cert_subject"]
            .as_str()
            .is_some_and(|s| s.contains("=")),
        has_cert,
        "{file}: subject"
    );
}

/// The icon resource is the one aapt names; the bitmap shown is the best raster.
fn check_icon(file: &str, want: &Value, got: &Value) {
    if want["kind"] == "aab" {
        // A bundle's icon (a proto-XML adaptive icon) is not resolved: it must be reported
        // as absent, never as some other resource.
        assert!(
            got["icon"].is_null() && got["android"]["icon_resource"].is_null(),
            "{file}: no icon is read from a bundle, got {}",
            got["icon"]
        );
        return;
    }
    assert_eq!(
        got["android"]["icon_resource"], want["icon"]["path"],
        "{file}: icon resource"
    );
    let raster = want.get("icon_raster").map(|r| &r["path"]);
    let raster = match (raster, want["icon"]["kind"].as_str()) {
        (Some(path), _) => Some(path.clone()),
        // A raster icon resource without icon_raster (aapt's pick) is itself the bitmap.
        (None, Some("png" | "webp" | "jpeg")) => Some(want["icon"]["path"].clone()),
        _ => None,
    };
    match raster {
        Some(path) => {
            assert_eq!(got["icon"]["path"], path, "{file}: icon");
            assert!(
                got["icon"]["width"].as_u64().is_some_and(|w| w > 0),
                "{file}"
            );
            assert!(
                got["icon"]["height"].as_u64().is_some_and(|h| h > 0),
                "{file}"
            );
        }
        None => assert!(got["icon"].is_null(), "{file}: no bitmap icon"),
    }
}

// ---- Synthetic manifests ----

/// A manifest with the given application and uses-sdk attributes.
fn manifest(root: &[Attribute], sdk: &[Attribute], application: &[Attribute]) -> Vec<u8> {
    let mut xml = Axml::default();
    xml.start("manifest", root);
    xml.start("uses-sdk", sdk).end();
    xml.start("application", application).end();
    xml.end();
    xml.bytes()
}

fn demo_manifest() -> Vec<u8> {
    manifest(
        &[
            attr("versionCode", Some(VERSION_CODE), Attr::Int(42)),
            attr("versionName", Some(VERSION_NAME), Attr::Str("3.1".into())),
            attr("package", None, Attr::Str("com.example.demo".into())),
        ],
        &[
            attr(
                "minSdkVersion",
                Some(MIN_SDK),
                Attr::Str("VanillaIceCream".into()),
            ),
            attr("targetSdkVersion", Some(TARGET_SDK), Attr::Int(35)),
        ],
        &[
            attr("label", Some(LABEL), Attr::Str("Demo App".into())),
            attr("debuggable", Some(DEBUGGABLE), Attr::Bool(true)),
        ],
    )
}

fn write_apk(dir: &Path, name: &str, entries: &[(&str, Vec<u8>)]) -> PathBuf {
    let entries: Vec<(String, Vec<u8>)> = entries
        .iter()
        .map(|(n, b)| (n.to_string(), b.clone()))
        .collect();
    let path = dir.join(name);
    std::fs::write(&path, zip_bytes(&entries, 1_700_000_000)).expect("write apk");
    path
}

#[test]
fn a_synthetic_manifest_gives_its_facts() {
    let facts = otasite::apk::manifest_facts(&demo_manifest(), None).expect("facts");
    assert_eq!(facts.package, "com.example.demo");
    assert_eq!(facts.version_name.as_deref(), Some("3.1"));
    assert_eq!(facts.version_code, Some(42));
    assert_eq!(facts.min_sdk, Some(35), "a codename is its API level");
    assert_eq!(facts.target_sdk, Some(35));
    assert_eq!(facts.label.as_deref(), Some("Demo App"));
    assert!(facts.debuggable);
    assert!(!facts.test_only);
}

#[test]
fn inspect_reports_a_synthetic_apk_in_the_contract_shape() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_apk(
        dir.path(),
        "demo.apk",
        &[
            ("AndroidManifest.xml", demo_manifest()),
            ("META-INF/CERT.RSA", b"not a real signature".to_vec()),
            ("lib/arm64-v8a/libdemo.so", vec![0; 16]),
            ("lib/x86_64/libdemo.so", vec![0; 16]),
        ],
    );
    let (code, reports) = inspect(std::slice::from_ref(&path));
    assert_eq!(code, Some(0), "{reports:?}");
    let report = &reports[0];
    assert_eq!(report["platform"], "android");
    assert_eq!(report["bundle_id"], "com.example.demo");
    assert_eq!(report["name"], "Demo App");
    assert_eq!(report["version"], "3.1");
    assert_eq!(report["build"], "42");
    let bytes = std::fs::read(&path).expect("read");
    assert_eq!(report["size"], bytes.len());
    assert_eq!(report["sha256"], otasite::hash::sha256_bytes(&bytes));
    assert_eq!(report["installable"], true, "{report}");
    let android = &report["android"];
    assert_eq!(android["version_code"], 42);
    assert_eq!(android["min_sdk"], 35);
    assert_eq!(android["abis"], serde_json::json!(["arm64-v8a", "x86_64"]));
    assert_eq!(android["debuggable"], true);
    assert_eq!(android["bundle"], false);
    assert_eq!(android["signing"]["v1"], true);
    assert!(android["signing"]["cert_sha256"].is_null());
}

/// A package's entries: name and bytes.
type Entries = Vec<(&'static str, Vec<u8>)>;

#[test]
fn blocking_problems_are_each_one_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let signature = ("META-INF/CERT.RSA", b"signature".to_vec());
    let root = |extra: Option<Attribute>| {
        let mut root = vec![attr("package", None, Attr::Str("com.example.demo".into()))];
        root.extend(extra);
        root
    };
    let sdk = [attr("targetSdkVersion", Some(TARGET_SDK), Attr::Int(34))];
    let cases: Vec<(&str, Entries, &str)> = vec![
        (
            "test-only.apk",
            vec![
                (
                    "AndroidManifest.xml",
                    manifest(
                        &root(None),
                        &sdk,
                        &[attr("testOnly", Some(TEST_ONLY), Attr::Bool(true))],
                    ),
                ),
                signature.clone(),
            ],
            "testOnly",
        ),
        (
            "unsigned.apk",
            vec![("AndroidManifest.xml", manifest(&root(None), &sdk, &[]))],
            "not signed",
        ),
        (
            "old.apk",
            vec![
                (
                    "AndroidManifest.xml",
                    manifest(
                        &root(None),
                        &[attr("targetSdkVersion", Some(TARGET_SDK), Attr::Int(22))],
                        &[],
                    ),
                ),
                signature.clone(),
            ],
            "API level 22",
        ),
        (
            "split.apk",
            vec![
                (
                    "AndroidManifest.xml",
                    manifest(
                        &root(Some(attr("split", None, Attr::Str("config.de".into())))),
                        &sdk,
                        &[],
                    ),
                ),
                signature.clone(),
            ],
            "split APK 'config.de'",
        ),
        (
            "bundle.aab",
            vec![
                ("BundleConfig.pb", Vec::new()),
                // aapt2's XmlNode: element { name: "manifest", attribute { name: "package",
                // value: "com.example.demo" } }.
                ("base/manifest/AndroidManifest.xml", proto_manifest()),
                signature.clone(),
            ],
            "bundletool",
        ),
    ];
    for (name, entries, says) in cases {
        let path = write_apk(dir.path(), name, &entries);
        let (code, reports) = inspect(&[path]);
        assert_eq!(code, Some(0), "{name}: {reports:?}");
        let report = &reports[0];
        assert_eq!(report["installable"], false, "{name}: {report}");
        let problems = report["problems"].as_array().expect("problems");
        let hit = problems
            .iter()
            .filter_map(Value::as_str)
            .find(|p| p.contains(says));
        let hit = hit.unwrap_or_else(|| panic!("{name}: {problems:?} should say {says:?}"));
        assert!(!hit.contains('\n'), "{name}: one line");
        assert_eq!(report["bundle_id"], "com.example.demo", "{name}");
    }
}

/// A protobuf `XmlNode` holding `<manifest package="com.example.demo">`.
fn proto_manifest() -> Vec<u8> {
    fn field(number: u8, payload: &[u8]) -> Vec<u8> {
        let mut out = vec![(number << 3) | 2, payload.len() as u8];
        out.extend_from_slice(payload);
        out
    }
    let mut attribute = field(2, b"package");
    attribute.extend(field(3, b"com.example.demo"));
    let mut element = field(3, b"manifest");
    element.extend(field(4, &attribute));
    field(1, &element)
}

/// Every corruption of a valid manifest: an error or facts, never a panic.
#[test]
fn malformed_manifests_give_clean_errors() {
    let good = demo_manifest();
    let check = |bytes: &[u8], what: &str| {
        let result = std::panic::catch_unwind(|| otasite::apk::manifest_facts(bytes, Some(bytes)));
        let result = result.unwrap_or_else(|_| panic!("{what}: panicked"));
        if let Err(error) = result {
            assert!(
                !error.is_empty() && !error.contains('\n'),
                "{what}: {error:?}"
            );
        }
    };
    // Truncated at every length.
    for len in 0..good.len() {
        check(&good[..len], &format!("truncated to {len}"));
        assert!(otasite::apk::manifest_facts(&good[..len], None).is_err() || len == good.len());
    }
    // Wrong chunk sizes: the document's, the string pool's, every node's.
    let pool_size_at = 8 + 4;
    for (at, value) in [
        (4usize, u32::MAX),
        (4, 7),
        (pool_size_at, u32::MAX),
        (pool_size_at, 0),
        (8 + 8, u32::MAX),  // string count
        (8 + 8, 0),         // no strings at all
        (8 + 20, u32::MAX), // strings start
    ] {
        let mut bad = good.clone();
        bad[at..at + 4].copy_from_slice(&value.to_le_bytes());
        check(&bad, &format!("u32 {value:#x} at {at}"));
        let error = otasite::apk::manifest_facts(&bad, None).expect_err("refused");
        assert!(error.len() > 10, "{error}");
    }
    // Every byte flipped, one at a time, and a bogus string offset table.
    for at in 0..good.len() {
        let mut bad = good.clone();
        bad[at] ^= 0xff;
        check(&bad, &format!("byte {at} flipped"));
    }
    // The clean error reaches `inspect` as {file, error}, exit 1.
    let dir = tempfile::tempdir().expect("tempdir");
    let mut bad = good.clone();
    bad[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
    let path = write_apk(dir.path(), "bad.apk", &[("AndroidManifest.xml", bad)]);
    let (code, reports) = inspect(&[path]);
    assert_eq!(code, Some(1));
    let error = reports[0]["error"].as_str().expect("error");
    assert!(error.starts_with("AndroidManifest.xml: "), "{error}");
    assert_eq!(reports[0].as_object().map(|o| o.len()), Some(2));
}

#[test]
fn a_zip_without_a_manifest_named_apk_is_not_an_android_package() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write_apk(dir.path(), "empty.apk", &[("readme.txt", b"hi".to_vec())]);
    let (code, reports) = inspect(&[path]);
    assert_eq!(code, Some(1));
    let error = reports[0]["error"].as_str().expect("error");
    assert!(error.contains("not an Android package"), "{error}");
}
