//! The site is safe from its inputs and from the file system: no archive takes over another
//! app's folder, no link leads out of the builds folder, no special file hangs a build, no
//! text amplifies the site, a killed or concurrent build leaves a complete site, and no
//! output replaces an input.

mod support;

use std::path::Path;
use std::time::Duration;

use support::ipa::{IpaBuilder, noise};
use support::run::{
    Otasite, assert_ok, leftovers_beside, otasite, otasite_env, spawn_otasite, tree, wait_at_most,
};
use support::site;

const BASE: &str = "https://apps.example.test/";

fn write_config(dir: &Path, extra: &str) {
    site::write_config(dir, &site::config("Test site", BASE, extra));
}

fn catalog(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("dist/catalog.json")).expect("catalog.json");
    serde_json::from_str(&text).expect("json")
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Every file of the site that holds `needle`.
fn files_holding(dist: &Path, needle: &str) -> Vec<String> {
    tree(dist)
        .into_iter()
        .filter(|(_, bytes)| bytes.windows(needle.len()).any(|w| w == needle.as_bytes()))
        .map(|(name, _)| name)
        .collect()
}

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("run mkfifo");
    assert!(status.success(), "mkfifo {}", path.display());
}

// Class 2: bundle ids (and build labels) that slug alike.

#[test]
fn bundle_ids_that_slug_alike_get_a_folder_each() {
    let tmp = tempfile::tempdir().expect("tmp");
    let ids = [
        "com.example.app",
        "com.example.app-",
        // Invisible and markup characters are refused by the reader; these warn and are built.
        "com.example app",
        "com.example(app)",
        "com.example-app",
        "com.example(app-",
    ];
    for (i, id) in ids.iter().enumerate() {
        IpaBuilder::new(id, &format!("App{i}"))
            .write(&tmp.path().join(format!("builds/app{i}.ipa")));
    }
    // Two builds of one app whose labels slug alike (an invisible character after "1").
    IpaBuilder::new("com.example.app", "App0")
        .version("1.0", "1\u{200b}")
        .write(&tmp.path().join("builds/app0-spaced.ipa"));
    write_config(tmp.path(), "");
    assert_ok(&otasite(&["build", "-q"], tmp.path()));

    let catalog = catalog(tmp.path());
    let apps = catalog["apps"].as_array().expect("apps");
    assert_eq!(apps.len(), ids.len());
    let mut page_urls: Vec<&str> = apps
        .iter()
        .map(|a| a["page_url"].as_str().unwrap())
        .collect();
    page_urls.sort();
    page_urls.dedup();
    assert_eq!(page_urls.len(), ids.len(), "one page_url per app");
    let dist = tmp.path().join("dist");
    for app in apps {
        let id = app["bundle_id"].as_str().unwrap();
        // Each app's stable manifest installs that app, not another one.
        let folder = app["page_url"]
            .as_str()
            .unwrap()
            .strip_prefix(BASE)
            .unwrap();
        let manifest = std::fs::read_to_string(dist.join(folder).join("manifest.plist"))
            .expect("stable manifest");
        let escaped = id.replace('<', "&lt;").replace('>', "&gt;");
        assert!(
            manifest.contains(&format!("<string>{escaped}</string>")),
            "{id:?}: {manifest}"
        );
    }
    let main = apps
        .iter()
        .find(|a| a["bundle_id"] == "com.example.app")
        .expect("com.example.app");
    assert_eq!(
        main["page_url"],
        format!("{BASE}com.example.app/"),
        "a clean id is its own folder"
    );
    let mut build_urls: Vec<&str> = main["builds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["page_url"].as_str().unwrap())
        .collect();
    build_urls.dedup();
    assert_eq!(build_urls.len(), 2, "{build_urls:?}");
}

#[test]
fn bundle_ids_differing_only_in_case_fail_naming_both_files() {
    let tmp = tempfile::tempdir().expect("tmp");
    IpaBuilder::new("com.example.app", "A").write(&tmp.path().join("builds/a.ipa"));
    IpaBuilder::new("com.Example.App", "B").write(&tmp.path().join("builds/b.ipa"));
    write_config(tmp.path(), "");
    let output = otasite(&["build", "-q"], tmp.path());
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.starts_with("error: b.ipa (bundle id \"com.Example.App\") and a.ipa (bundle id \"com.example.app\") would publish to the same folder com.example.app/ of the site"),
        "{err}"
    );
    assert!(!tmp.path().join("dist").exists(), "nothing was written");
}

// Class 3: links and special files in the builds folder and the theme.

#[test]
fn links_out_of_the_builds_folder_are_never_followed() {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = tmp.path();
    let outside = root.join("outside");
    std::fs::create_dir_all(&outside).expect("mkdir");
    std::fs::write(outside.join("secret.txt"), "SECRET=hunter2").expect("secret");
    IpaBuilder::new("com.example.outside", "Outside").write(&outside.join("outside.ipa"));
    IpaBuilder::new("com.example.folder", "Folder").write(&outside.join("sub/folder.ipa"));
    IpaBuilder::new("com.example.a", "A").write(&root.join("builds/a.ipa"));
    // Hidden folders are not scanned: this archive is found only through the link below.
    IpaBuilder::new("com.example.b", "B").write(&root.join("builds/.store/b.ipa"));
    let link = |target: &Path, name: &str| {
        std::os::unix::fs::symlink(target, root.join("builds").join(name)).expect("symlink")
    };
    link(&outside.join("secret.txt"), "a.md");
    link(&outside.join("outside.ipa"), "outside.ipa");
    link(&outside.join("sub"), "channel");
    link(Path::new("/etc/passwd"), "passwd.ipa");
    // A link that stays inside the builds folder is read.
    link(Path::new(".store/b.ipa"), "b.ipa");
    write_config(root, "");

    let output = otasite(&["build"], root);
    assert_ok(&output);
    let err = stderr(&output);
    for skipped in ["a.md", "outside.ipa", "passwd.ipa"] {
        assert!(
            err.lines().any(|l| l.starts_with("warning: ")
                && l.contains(skipped)
                && l.contains("outside the builds folder")),
            "{skipped}: {err}"
        );
    }
    assert!(
        err.contains("channel: links to folders are not followed"),
        "{err}"
    );
    let dist = root.join("dist");
    assert!(files_holding(&dist, "hunter2").is_empty());
    assert!(files_holding(&dist, "root:x:0").is_empty());
    let ids: Vec<String> = catalog(root)["apps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["bundle_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        ids.iter().filter(|id| *id == "com.example.b").count(),
        1,
        "{ids:?}"
    );
    assert!(ids.contains(&"com.example.a".to_string()), "{ids:?}");
    assert!(
        !ids.iter()
            .any(|id| id.contains("outside") || id.contains("folder")),
        "{ids:?}"
    );
}

#[test]
fn special_files_are_skipped_with_a_warning_never_read() {
    let tmp = tempfile::tempdir().expect("tmp");
    IpaBuilder::new("com.example.a", "A").write(&tmp.path().join("builds/a.ipa"));
    // A FIFO as release notes and one as an archive: opening either would block forever.
    mkfifo(&tmp.path().join("builds/a.md"));
    mkfifo(&tmp.path().join("builds/b.ipa"));
    write_config(tmp.path(), "");
    let child = spawn_otasite(&["build"], tmp.path());
    let output = wait_at_most(child, Duration::from_secs(60));
    assert_ok(&output);
    let err = stderr(&output);
    assert!(
        err.contains("skipped release notes") && err.contains("a.md: not a regular file"),
        "{err}"
    );
    assert!(err.contains("b.ipa: not a regular file"), "{err}");
    assert_eq!(catalog(tmp.path())["apps"].as_array().unwrap().len(), 1);
}

#[test]
fn theme_files_that_are_links_or_special_files_are_not_read() {
    let tmp = tempfile::tempdir().expect("tmp");
    std::fs::write(tmp.path().join("secret.txt"), "SECRET=hunter2").expect("secret");
    IpaBuilder::new("com.example.a", "A").write(&tmp.path().join("builds/a.ipa"));
    let statics = tmp.path().join("theme/static");
    std::fs::create_dir_all(&statics).expect("mkdir");
    std::os::unix::fs::symlink(tmp.path().join("secret.txt"), statics.join("leak.css"))
        .expect("symlink");
    mkfifo(&statics.join("hang.css"));
    std::fs::write(statics.join("extra.css"), "body{}").expect("css");
    write_config(tmp.path(), "theme: theme\n");
    let output = wait_at_most(
        spawn_otasite(&["build"], tmp.path()),
        Duration::from_secs(60),
    );
    assert_ok(&output);
    let dist = tmp.path().join("dist");
    assert!(
        dist.join("static/extra.css").is_file(),
        "regular theme files are used"
    );
    assert!(!dist.join("static/leak.css").exists());
    assert!(!dist.join("static/hang.css").exists());
    assert!(files_holding(&dist, "hunter2").is_empty());
}

// Class 5 (text): names and notes are capped.

#[test]
fn huge_names_and_notes_are_capped_with_a_warning() {
    let tmp = tempfile::tempdir().expect("tmp");
    let name = "N".repeat(1 << 20);
    IpaBuilder::new("com.example.a", "A")
        .set("CFBundleDisplayName", name.as_str())
        .set("CFBundleName", name.as_str())
        .write(&tmp.path().join("builds/a.ipa"));
    let notes = format!("{}\n\nTHE-END-OF-THE-NOTES\n", "word ".repeat(4 << 20));
    std::fs::write(tmp.path().join("builds/a.md"), notes).expect("notes");
    write_config(tmp.path(), "");
    let output = otasite(&["build"], tmp.path());
    assert_ok(&output);
    let err = stderr(&output);
    assert!(
        err.contains("a.ipa: the app name is 1048576 characters long: pages show its first 200"),
        "{err}"
    );
    assert!(
        err.contains("a.md are longer than 64 KiB: pages show only their beginning"),
        "{err}"
    );
    let dist = tmp.path().join("dist");
    let total: usize = tree(&dist).iter().map(|(_, bytes)| bytes.len()).sum();
    assert!(total < 2 << 20, "the site is {total} bytes");
    let shown = format!("{}…", "N".repeat(200));
    assert_eq!(catalog(tmp.path())["apps"][0]["name"], shown.as_str());
    assert!(files_holding(&dist, "THE-END-OF-THE-NOTES").is_empty());
    assert!(
        !files_holding(&dist, "word word").is_empty(),
        "the notes' beginning is shown"
    );
}

#[test]
fn a_bundle_id_too_long_to_be_one_makes_the_archive_unreadable() {
    let tmp = tempfile::tempdir().expect("tmp");
    IpaBuilder::new(&"a".repeat(300), "Long").write(&tmp.path().join("builds/long.ipa"));
    write_config(tmp.path(), "");
    let output = otasite(&["build", "-q"], tmp.path());
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains("long.ipa: cannot read entry Payload/Long.app/Info.plist: CFBundleIdentifier is 300 characters long (at most 255 are accepted)"),
        "{err}"
    );
}

// Class 6: a build killed inside the commit.

/// A site of three apps, built once; then a new build of one app, so that a commit both
/// writes new folders and moves unchanged ones back.
fn site_with_a_change() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tmp");
    for i in 0..3 {
        IpaBuilder::new(&format!("com.example.app{i}"), &format!("App{i}"))
            .write(&tmp.path().join(format!("builds/app{i}.ipa")));
    }
    write_config(tmp.path(), "");
    assert_ok(&otasite(&["build", "-q"], tmp.path()));
    IpaBuilder::new("com.example.app0", "App0")
        .version("2.0", "2")
        .write(&tmp.path().join("builds/app0-2.ipa"));
    tmp
}

#[test]
fn a_build_killed_at_any_commit_step_is_finished_or_undone_by_the_next() {
    let steps = [
        "staged", "journal", "aside", "swapped", "moving", "moved", "marked", "cleaned",
    ];
    for step in steps {
        let tmp = site_with_a_change();
        let root = tmp.path();
        let killed = otasite_env(
            &["build", "-q"],
            root,
            &[("OTASITE_FAULT", &format!("commit:{step}"))],
        );
        assert_eq!(killed.status.code(), None, "{step}: stopped by a signal");
        assert!(
            stderr(&killed).contains(&format!("stopping at commit:{step}")),
            "{step}: {}",
            stderr(&killed)
        );
        // Leftovers of other dead builds are cleaned too.
        std::fs::create_dir_all(root.join(".dist.old-4000000/x")).expect("mkdir");
        std::fs::create_dir_all(root.join(".dist.staging-4000000")).expect("mkdir");

        let next = otasite(&["build"], root);
        assert_ok(&next);
        assert!(
            !stderr(&next).contains("up to date"),
            "{step}: {}",
            stderr(&next)
        );
        assert_eq!(
            leftovers_beside(root, "dist"),
            Vec::<String>::new(),
            "{step}"
        );

        // The site is exactly what an uninterrupted build of the same inputs writes.
        assert_ok(&otasite(&["build", "-q", "--out", "reference"], root));
        let (site, reference) = (tree(&root.join("dist")), tree(&root.join("reference")));
        let names = |t: &[(String, Vec<u8>)]| t.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
        assert_eq!(names(&site), names(&reference), "{step}");
        assert!(site == reference, "{step}: same bytes");
        let again = otasite(&["build"], root);
        assert_ok(&again);
        assert!(
            stderr(&again).contains("up to date"),
            "{step}: {}",
            stderr(&again)
        );
    }
}

// Class 7 and 13: two builds on one output.

#[test]
fn concurrent_builds_of_one_output_take_turns() {
    let tmp = tempfile::tempdir().expect("tmp");
    for i in 0..40 {
        IpaBuilder::new(&format!("com.example.app{i}"), &format!("App{i}"))
            .app_file("payload.bin", noise(512 << 10, i))
            .write(&tmp.path().join(format!("builds/app{i}.ipa")));
    }
    write_config(tmp.path(), "");
    assert_ok(&otasite(&["build", "-q"], tmp.path()));
    let first = spawn_otasite(&["build", "--force"], tmp.path());
    let second = spawn_otasite(&["build", "--force"], tmp.path());
    let outputs = [
        wait_at_most(first, Duration::from_secs(300)),
        wait_at_most(second, Duration::from_secs(300)),
    ];
    for output in &outputs {
        assert_ok(output);
        assert!(
            !stderr(output).contains("neither a regular file"),
            "{}",
            stderr(output)
        );
    }
    assert!(
        outputs
            .iter()
            .any(|o| stderr(o).contains("waiting for another build of")),
        "one build waited for the other: {} / {}",
        stderr(&outputs[0]),
        stderr(&outputs[1])
    );
    assert_eq!(leftovers_beside(tmp.path(), "dist"), Vec::<String>::new());
    assert_ok(&otasite(&["build", "-q", "--out", "reference"], tmp.path()));
    assert!(tree(&tmp.path().join("dist")) == tree(&tmp.path().join("reference")));
}

// Class 8: outputs that would destroy inputs.

#[test]
fn outputs_that_are_or_hold_inputs_are_refused_even_with_force() {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = tmp.path();
    let archive = IpaBuilder::new("com.example.a", "A").write(&root.join("site/builds/a.ipa"));
    std::fs::create_dir_all(root.join("site/theme/static")).expect("theme");
    std::fs::create_dir_all(root.join("home")).expect("home");
    write_config(&root.join("site"), "theme: theme\n");
    let home = root.join("home");
    let cases: [(&str, &str); 9] = [
        ("builds", "is the builds folder"),
        ("builds/site", "lies inside the builds folder"),
        ("theme", "is the theme folder"),
        ("theme/static", "lies inside the theme folder"),
        (".", "is the config file's folder"),
        ("..", "contains the builds folder"),
        ("../home", "is the home directory"),
        ("/", "is the root folder"),
        ("../site/./builds/", "is the builds folder"),
    ];
    for (out, says) in cases {
        let output = otasite_env(
            &["build", "--force", "--out", out],
            &root.join("site"),
            &[("HOME", home.to_str().unwrap())],
        );
        assert_eq!(output.status.code(), Some(2), "--out {out}: a usage error");
        let err = stderr(&output);
        assert_eq!(err.lines().count(), 1, "one line for --out {out}: {err}");
        assert!(
            err.starts_with("error: refusing to write the site to") && err.contains(says),
            "--out {out}: {err}"
        );
        assert!(archive.is_file(), "--out {out} left the archive");
    }
    // The current directory, when it is not the config file's folder.
    let output = otasite_env(
        &["build", "--force", "-c", "site/site.yaml", "--out", "."],
        root,
        &[("HOME", home.to_str().unwrap())],
    );
    let err = stderr(&output);
    assert!(
        err.contains("contains the builds folder") || err.contains("is the current directory"),
        "{err}"
    );
    assert!(archive.is_file());
    assert_ok(&otasite(&["build", "-q"], &root.join("site")));
}

// Class 13: a full disk is the output's problem.

#[test]
fn a_full_output_is_reported_against_the_output_not_the_archive() {
    let tmp = tempfile::tempdir().expect("tmp");
    IpaBuilder::new("com.example.big", "Big")
        .app_file("payload.bin", noise(2 << 20, 7))
        .write(&tmp.path().join("builds/big.ipa"));
    write_config(tmp.path(), "");
    // Files may grow to 1 MiB: the archive's copy into the site fails as on a full disk.
    let output = Otasite::new(["build", "-q"])
        .dir(tmp.path())
        .after_shell("ulimit -f 1024; trap '' XFSZ")
        .output();
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.starts_with("error: cannot write dist/com.example.big/1.0-1/big.ipa: File too large"),
        "{err}"
    );
    assert!(!err.contains("builds/big.ipa"), "{err}");
    assert!(!tmp.path().join("dist").exists());
}
