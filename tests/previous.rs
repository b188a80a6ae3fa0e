//! `build --previous`: publishing a new build with only the deployed catalog gives the same
//! site as building from every archive.

mod support;

use std::path::Path;
use std::process::Command;

use support::cgbi::{encode_cgbi, sample_icon};
use support::ipa::IpaBuilder;
use support::run::{assert_ok, otasite, tree};

fn build(dir: &Path, extra: &[&str]) {
    let mut args = vec!["build", "-q"];
    args.extend_from_slice(extra);
    assert_ok(&otasite(&args, dir));
}

fn site(dir: &Path, archives: &[(&str, IpaBuilder)], keep: Option<usize>) {
    let keep = keep.map(|k| format!("keep: {k}\n")).unwrap_or_default();
    std::fs::create_dir_all(dir).expect("mkdir");
    std::fs::write(
        dir.join("site.yaml"),
        format!("title: T\nbase_url: https://apps.example.test/\n{keep}"),
    )
    .expect("config");
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

    let not_ipa = |files: Vec<(String, Vec<u8>)>| -> Vec<(String, Vec<u8>)> {
        files
            .into_iter()
            .filter(|(name, _)| !name.ends_with(".ipa"))
            .collect()
    };
    let expected = not_ipa(tree(&full.join("dist")));
    let got = not_ipa(tree(&second.join("dist")));
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
    // Only the new archive is in the new site; the kept ones stay at their published URLs.
    assert!(second.join("dist/com.example.prev/1.1-2/b.ipa").is_file());
    assert!(!second.join("dist/com.example.prev/1.0-1/a.ipa").exists());
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
    let output = Command::new(env!("CARGO_BIN_EXE_otasite"))
        .args(["build", "--previous", "old.json"])
        .current_dir(tmp.path())
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("old.json is not an otasite catalog.json"),
        "{stderr}"
    );
}
