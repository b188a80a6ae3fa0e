//! The mechanics that make a rebuild cost what changed (counts and inodes, not timings).

mod support;

use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::Command;

use support::cgbi::{encode_cgbi, sample_icon};
use support::ipa::IpaBuilder;
use support::site;

use otasite::config::Overrides;
use otasite::output::IpaMode;
use otasite::pipeline::BuildOptions;

/// Runs a build through the library and returns (archives opened, archives hashed, archives
/// linked from the previous site), as the build counted them.
fn build(dir: &Path) -> (usize, usize, usize) {
    build_with(dir, IpaMode::Copy, false)
}

/// Like [`build`], with the archive mode and `force` given (`serve` links and forces).
fn build_with(dir: &Path, ipa_mode: IpaMode, force: bool) -> (usize, usize, usize) {
    let settings =
        otasite::config::load(&dir.join("site.yaml"), &Overrides::default()).expect("site.yaml");
    let options = BuildOptions {
        ipa_mode,
        force,
        ..site::build_options()
    };
    let stats = otasite::pipeline::build(&settings, &options)
        .expect("build")
        .stats;
    (
        stats.archives_read,
        stats.archives_hashed,
        stats.archives_linked,
    )
}

fn site(count: usize) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tmp");
    site::write_config(tmp.path(), &format!("base_url: {}\n", site::BASE_URL));
    for i in 0..count {
        IpaBuilder::new(&format!("com.example.app{i}"), &format!("App {i}"))
            .app_file(
                "AppIcon60x60@2x.png",
                encode_cgbi(&sample_icon(120, i as u32)),
            )
            .write(&tmp.path().join(format!("builds/app{i}.ipa")));
    }
    tmp
}

/// Writes version `(short, build)` of the app `site` made as number `app`, as `builds/<file>`.
fn write_version(dir: &Path, app: usize, (short, build): (&str, &str), file: &str) {
    IpaBuilder::new(&format!("com.example.app{app}"), &format!("App {app}"))
        .version(short, build)
        .write(&dir.join("builds").join(file));
}

fn inode(path: &Path) -> u64 {
    std::fs::metadata(path).expect("metadata").ino()
}

#[test]
fn no_op_rebuild_reads_hashes_and_writes_nothing() {
    let tmp = site(3);
    assert_eq!(
        build(tmp.path()),
        (3, 3, 0),
        "cold build reads and hashes each archive once"
    );
    let published = tmp.path().join("dist/com.example.app1/1.0-1/app1.ipa");
    let page = tmp.path().join("dist/com.example.app1/1.0-1/index.html");
    let before = (inode(&published), inode(&page));
    assert_eq!(build(tmp.path()), (0, 0, 0), "no-op rebuild");
    assert_eq!(
        (inode(&published), inode(&page)),
        before,
        "the site was left as it was"
    );
}

#[test]
fn any_change_of_input_rewrites_the_site_linking_unchanged_archives() {
    let tmp = site(3);
    build(tmp.path());
    let published = tmp.path().join("dist/com.example.app1/1.0-1/app1.ipa");
    let before = inode(&published);
    // A theme override changes every page but no archive.
    std::fs::create_dir_all(tmp.path().join("theme/static")).expect("mkdir");
    std::fs::write(
        tmp.path().join("theme/static/style.css"),
        "body { color: red }",
    )
    .expect("css");
    let config = tmp.path().join("site.yaml");
    let text = std::fs::read_to_string(&config).expect("config");
    std::fs::write(&config, format!("{text}theme: theme\n")).expect("config");
    assert_eq!(
        build(tmp.path()),
        (0, 0, 3),
        "archives linked from the previous site"
    );
    assert_eq!(
        inode(&published),
        before,
        "the unchanged .ipa is the same file, not a copy"
    );
    let css = std::fs::read_to_string(tmp.path().join("dist/static/style.css")).expect("css");
    assert_eq!(css, "body { color: red }");
}

#[test]
fn touched_or_replaced_archive_is_read_again() {
    let tmp = site(3);
    build(tmp.path());
    // Touched: same bytes, new modification time.
    let touched = tmp.path().join("builds/app0.ipa");
    let file = std::fs::File::options()
        .write(true)
        .open(&touched)
        .expect("open");
    file.set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(5))
        .expect("touch");
    drop(file);
    assert_eq!(build(tmp.path()), (1, 1, 2));
    // Replaced: new content under the same name.
    write_version(tmp.path(), 2, ("2.0", "9"), "app2.ipa");
    assert_eq!(build(tmp.path()), (1, 1, 2));
    let catalog = std::fs::read_to_string(tmp.path().join("dist/catalog.json")).expect("catalog");
    assert!(
        catalog.contains("com.example.app2/2.0-9/"),
        "the new version is published"
    );
    assert!(
        !tmp.path().join("dist/com.example.app2/1.0-1").exists(),
        "the replaced build is gone"
    );
}

#[test]
fn one_new_build_costs_one_archive() {
    let tmp = site(4);
    build(tmp.path());
    let other_page = tmp.path().join("dist/com.example.app1/1.0-1/index.html");
    let index = tmp.path().join("dist/index.html");
    let before = (inode(&other_page), inode(&index));
    IpaBuilder::new("com.example.new", "New").write(&tmp.path().join("builds/new.ipa"));
    assert_eq!(build(tmp.path()), (1, 1, 4));
    assert_eq!(
        inode(&other_page),
        before.0,
        "a page that does not list the new build is kept"
    );
    assert_ne!(
        inode(&index),
        before.1,
        "the index lists it and is rendered again"
    );
    let text = std::fs::read_to_string(&index).expect("index");
    assert!(text.contains("com.example.new"));
}

#[test]
fn corrupt_cache_is_rebuilt() {
    let tmp = site(2);
    build(tmp.path());
    let index = tmp.path().join(".dist.otasite-cache/index.json");
    std::fs::write(&index, b"{\"version\": 12, garbage").expect("corrupt");
    assert_eq!(build(tmp.path()), (2, 2, 0), "everything is read again");
    assert_eq!(build(tmp.path()), (0, 0, 0), "and the cache works again");
    // Icons deleted from the cache: the archive is read again to render them.
    for entry in std::fs::read_dir(tmp.path().join(".dist.otasite-cache/icons")).expect("icons") {
        std::fs::remove_file(entry.expect("entry").path()).expect("remove");
    }
    let (opened, _, _) = build(tmp.path());
    assert_eq!(opened, 2);
}

#[test]
fn cached_and_fresh_builds_give_identical_sites() {
    let tmp = site(3);
    build(tmp.path());
    let first = std::fs::read(tmp.path().join("dist/catalog.json")).expect("catalog");
    let page =
        std::fs::read(tmp.path().join("dist/com.example.app0/1.0-1/index.html")).expect("page");
    build(tmp.path());
    assert_eq!(
        first,
        std::fs::read(tmp.path().join("dist/catalog.json")).expect("catalog")
    );
    assert_eq!(
        page,
        std::fs::read(tmp.path().join("dist/com.example.app0/1.0-1/index.html")).expect("page")
    );
}

#[test]
fn unchanged_build_folders_move_to_the_new_site_whole() {
    let tmp = site(3);
    // A second build of app0: adding a third changes app0's page and the pages of its
    // previous newest build, nothing in the other builds' folders.
    write_version(tmp.path(), 0, ("2.0", "2"), "app0-2.ipa");
    build(tmp.path());
    let dist = tmp.path().join("dist");
    let folder = |path: &str| inode(&dist.join(path));
    let before = (
        folder("com.example.app1/1.0-1"),
        folder("com.example.app0/1.0-1"),
        folder("com.example.app0"),
        folder("com.example.app1"),
    );
    write_version(tmp.path(), 0, ("3.0", "3"), "app0-3.ipa");
    assert_eq!(build(tmp.path()), (1, 1, 4));
    assert_eq!(
        folder("com.example.app1/1.0-1"),
        before.0,
        "another app's build folder is the previous site's folder, moved"
    );
    assert_eq!(
        folder("com.example.app0/1.0-1"),
        before.1,
        "so is an older build's folder of the app that gained a build"
    );
    assert_ne!(
        folder("com.example.app0"),
        before.2,
        "the app's folder holds a changed page: made anew"
    );
    assert_eq!(
        folder("com.example.app1"),
        before.3,
        "an app with nothing new moves as one folder"
    );
    let beside: Vec<String> = std::fs::read_dir(tmp.path())
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".dist.") && !name.ends_with("otasite-cache"))
        .collect();
    assert!(
        beside.is_empty(),
        "nothing of the previous site is left: {beside:?}"
    );

    // The same site as a build from scratch, file for file.
    let fresh = tempfile::tempdir().expect("tmp");
    for name in ["site.yaml", "builds"] {
        let status = Command::new("cp")
            .args(["-r"])
            .arg(tmp.path().join(name))
            .arg(fresh.path())
            .status()
            .expect("cp");
        assert!(status.success());
    }
    build(fresh.path());
    assert_eq!(
        support::run::tree(&fresh.path().join("dist")),
        support::run::tree(&dist)
    );
}

/// Rebuilds the site in `dir` and checks, by folder identity, which app folders were written
/// anew (the others are the previous site's folders, moved), and that the result is the site
/// a build from scratch makes of the same inputs, file for file.
fn rebuild_and_compare(dir: &Path, change: &str, app0_anew: bool, app1_anew: bool) {
    let dist = dir.join("dist");
    let before = (
        inode(&dist.join("com.example.app0")),
        inode(&dist.join("com.example.app1")),
    );
    build(dir);
    let after = (
        inode(&dist.join("com.example.app0")),
        inode(&dist.join("com.example.app1")),
    );
    assert_eq!(
        (before.0 != after.0, before.1 != after.1),
        (app0_anew, app1_anew),
        "{change}: which app folders are written anew (app0, app1)"
    );
    let fresh = tempfile::tempdir().expect("tmp");
    for name in ["site.yaml", "builds", "theme"] {
        if !dir.join(name).exists() {
            continue;
        }
        let status = Command::new("cp")
            .arg("-r")
            .arg(dir.join(name))
            .arg(fresh.path())
            .status()
            .expect("cp");
        assert!(status.success());
    }
    build(fresh.path());
    assert!(
        support::run::tree(&fresh.path().join("dist")) == support::run::tree(&dist),
        "{change}: the rebuilt site differs from a build from scratch"
    );
}

#[test]
fn each_change_rewrites_the_folders_of_the_apps_it_concerns_and_no_other() {
    let tmp = site(2);
    let dir = tmp.path();
    let page = |path: &str| std::fs::read_to_string(dir.join("dist").join(path)).expect("page");
    build(dir);

    write_version(dir, 0, ("2.0", "2"), "app0-2.ipa");
    rebuild_and_compare(dir, "a build added", true, false);
    assert!(page("com.example.app0/index.html").contains("2.0"));

    std::fs::write(dir.join("builds/app0-2.md"), "Fixed the *sign-in* screen.").expect("notes");
    rebuild_and_compare(dir, "release notes added", true, false);
    assert!(page("com.example.app0/2.0-2/index.html").contains("sign-in"));

    let config = dir.join("site.yaml");
    let base = std::fs::read_to_string(&config).expect("config");
    std::fs::write(
        &config,
        format!("{base}apps:\n  com.example.app0:\n    promote:\n      \"1.0-1\": [stable]\n"),
    )
    .expect("config");
    rebuild_and_compare(dir, "a channel promotion", true, false);
    assert!(
        dir.join("dist/com.example.app0/channels/stable/manifest.plist")
            .is_file()
    );

    std::fs::write(&config, &base).expect("config");
    rebuild_and_compare(dir, "the promotion removed", true, false);
    assert!(!dir.join("dist/com.example.app0/channels/stable").exists());

    std::fs::remove_file(dir.join("builds/app0-2.ipa")).expect("remove");
    rebuild_and_compare(dir, "a build removed", true, false);
    assert!(!dir.join("dist/com.example.app0/2.0-2").exists());

    std::fs::write(&config, format!("{base}title: Another title\n")).expect("config");
    rebuild_and_compare(dir, "site.yaml's title", true, true);
    assert!(page("com.example.app1/index.html").contains("Another title"));

    std::fs::create_dir_all(dir.join("theme/static")).expect("mkdir");
    std::fs::write(dir.join("theme/static/style.css"), "body { color: red }").expect("css");
    std::fs::write(
        &config,
        format!("{base}title: Another title\ntheme: theme\n"),
    )
    .expect("config");
    rebuild_and_compare(dir, "the theme", true, true);

    // Nothing changed: both folders are the previous ones.
    rebuild_and_compare(dir, "nothing", false, false);
}

#[test]
fn forced_linked_rebuilds_read_only_the_replaced_archive() {
    let tmp = site(3);
    assert_eq!(build_with(tmp.path(), IpaMode::Link, true), (3, 3, 0));
    let untouched = tmp.path().join("dist/com.example.app1");
    let before = inode(&untouched);
    write_version(tmp.path(), 0, ("2.0", "2"), "app0.ipa");
    assert_eq!(
        build_with(tmp.path(), IpaMode::Link, true),
        (1, 1, 2),
        "the other archives come from the cache and the previous site"
    );
    assert_eq!(
        inode(&untouched),
        before,
        "an app with nothing new keeps its folder"
    );
    assert!(tmp.path().join("dist/com.example.app0/2.0-2").is_dir());
}

/// The library build's summary, with `banner` and `previous` as given.
fn summary_with(
    dir: &Path,
    banner: Option<&str>,
    previous: Option<&Path>,
) -> otasite::pipeline::BuildSummary {
    let settings =
        otasite::config::load(&dir.join("site.yaml"), &Overrides::default()).expect("site.yaml");
    let options = BuildOptions {
        banner: banner.map(str::to_string),
        previous: previous.map(|p| p.display().to_string()),
        ..site::build_options()
    };
    otasite::pipeline::build(&settings, &options).expect("build")
}

/// How a build of `dir` went: "inputs" when it found the site up to date from its inputs
/// alone (no catalog assembled), "catalog" when it found it up to date from the catalog (of
/// every app, or of the apps whose inputs changed with the others kept), "rebuilt" when it
/// wrote a new site.
fn decided(dir: &Path) -> &'static str {
    decided_with(dir, None)
}

fn decided_with(dir: &Path, banner: Option<&str>) -> &'static str {
    let summary = summary_with(dir, banner, None);
    let assembled = summary.catalog.is_some() || summary.stats.apps_kept > 0;
    match (summary.stats.up_to_date, assembled) {
        (true, false) => "inputs",
        (true, true) => "catalog",
        (false, _) => "rebuilt",
    }
}

#[test]
fn no_op_is_decided_from_the_inputs_without_reading_the_cache() {
    let tmp = site(3);
    assert_eq!(decided(tmp.path()), "rebuilt");
    let index = tmp.path().join(".dist.otasite-cache/index.json");
    let page = tmp.path().join("dist/com.example.app1/1.0-1/index.html");
    let before = (inode(&index), inode(&page));
    for _ in 0..2 {
        let summary = summary_with(tmp.path(), None, None);
        assert!(summary.stats.up_to_date && summary.catalog.is_none());
        assert_eq!((summary.apps, summary.builds), (3, 3));
        assert_eq!(
            (summary.stats.archives_read, summary.stats.archives_hashed),
            (0, 0)
        );
    }
    assert_eq!((inode(&index), inode(&page)), before, "nothing was written");
}

#[test]
fn each_kind_of_input_change_takes_the_long_way_and_the_next_no_op_is_short_again() {
    let tmp = site(2);
    let dir = tmp.path();
    decided(dir);
    assert_eq!(decided(dir), "inputs");
    let config = dir.join("site.yaml");
    let base = std::fs::read_to_string(&config).expect("config");
    let touch = |path: &Path, seconds: u64| {
        let file = std::fs::File::options()
            .write(true)
            .open(path)
            .expect("open");
        file.set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(seconds))
            .expect("touch");
    };
    // (what changes, the change, how the next build goes)
    type Change<'a> = (&'a str, Box<dyn Fn() + 'a>, &'a str);
    let changes: Vec<Change> = vec![
        (
            "an archive touched (same bytes)",
            Box::new(|| touch(&dir.join("builds/app0.ipa"), 5)),
            "rebuilt",
        ),
        (
            "an archive added",
            Box::new(|| {
                write_version(dir, 0, ("2.0", "2"), "app0-2.ipa");
            }),
            "rebuilt",
        ),
        (
            "release notes added",
            Box::new(|| std::fs::write(dir.join("builds/app0-2.md"), "First").expect("notes")),
            "rebuilt",
        ),
        (
            "release notes changed",
            Box::new(|| {
                std::fs::write(dir.join("builds/app0-2.md"), "First and second").expect("notes")
            }),
            "rebuilt",
        ),
        (
            "release notes touched (same text)",
            Box::new(|| touch(&dir.join("builds/app0-2.md"), 10)),
            "catalog",
        ),
        (
            "a setting of site.yaml",
            Box::new(|| {
                std::fs::write(&config, format!("{base}title: Another title\n")).expect("config")
            }),
            "rebuilt",
        ),
        (
            "a theme file",
            Box::new(|| {
                std::fs::create_dir_all(dir.join("theme/static")).expect("mkdir");
                std::fs::write(dir.join("theme/static/style.css"), "a{}").expect("css");
                std::fs::write(
                    &config,
                    format!("{base}title: Another title\ntheme: theme\n"),
                )
                .expect("config");
            }),
            "rebuilt",
        ),
        (
            "the theme file changed",
            Box::new(|| std::fs::write(dir.join("theme/static/style.css"), "b{}").expect("css")),
            "rebuilt",
        ),
        (
            "an archive removed",
            Box::new(|| std::fs::remove_file(dir.join("builds/app0-2.ipa")).expect("remove")),
            "rebuilt",
        ),
        (
            "the site's fingerprint in the output changed",
            Box::new(|| {
                let marker = std::fs::read_dir(dir.join("dist"))
                    .expect("list")
                    .map(|e| e.expect("entry").path())
                    .find(|p| std::fs::read_to_string(p).is_ok_and(|t| t.contains("fingerprint: ")))
                    .expect("the marker file");
                let text = std::fs::read_to_string(&marker).expect("marker");
                std::fs::write(&marker, text.replace("fingerprint: ", "fingerprint: 0"))
                    .expect("marker");
            }),
            "rebuilt",
        ),
        (
            "the cache's index removed",
            Box::new(|| {
                std::fs::remove_file(dir.join(".dist.otasite-cache/index.json")).expect("rm")
            }),
            "rebuilt",
        ),
    ];
    for (change, make, expected) in changes {
        make();
        assert_eq!(decided(dir), expected, "{change}");
        assert_eq!(decided(dir), "inputs", "the no-op after: {change}");
    }
    // An option that changes the pages: the banner.
    assert_eq!(decided_with(dir, Some("Maintenance")), "rebuilt");
    assert_eq!(decided_with(dir, Some("Maintenance")), "inputs");
    assert_eq!(decided(dir), "rebuilt", "the banner gone");
    rebuild_and_compare(dir, "nothing after all those changes", false, false);
}

#[test]
fn forced_and_previous_builds_never_take_the_short_way() {
    let tmp = site(2);
    decided(tmp.path());
    assert_eq!(build_with(tmp.path(), IpaMode::Copy, true), (0, 0, 2));
    let previous = tmp.path().join("previous.json");
    // The deployed catalog without its apps: nothing to fetch, only to read.
    let mut catalog: serde_json::Value = serde_json::from_slice(
        &std::fs::read(tmp.path().join("dist/catalog.json")).expect("catalog"),
    )
    .expect("json");
    catalog["apps"] = serde_json::json!([]);
    std::fs::write(&previous, catalog.to_string()).expect("previous");
    let summary = summary_with(tmp.path(), None, Some(&previous));
    assert!(
        summary.catalog.is_some(),
        "a previous catalog is read again each time"
    );
}

#[test]
fn warnings_are_given_again_by_a_no_op_decided_from_the_inputs() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    site::write_config(
        dir,
        &format!(
            "base_url: {}\napps:\n  com.example.nothing:\n    name: Unused\n",
            site::BASE_URL
        ),
    );
    IpaBuilder::new("com.example.long", &"Long name ".repeat(40))
        .write(&dir.join("builds/long.ipa"));
    IpaBuilder::new("com.example.unsigned", "Unsigned")
        .profile(None)
        .write(&dir.join("builds/unsigned.ipa"));
    let warnings = |output: &std::process::Output| {
        support::run::assert_ok(output);
        let mut lines: Vec<String> = String::from_utf8_lossy(&output.stderr)
            .lines()
            .filter(|l| l.starts_with("warning"))
            .map(str::to_string)
            .collect();
        lines.sort();
        lines
    };
    let first = warnings(&support::run::otasite(&["build"], dir));
    let second = support::run::otasite(&["build", "-v"], dir);
    assert!(String::from_utf8_lossy(&second.stderr).contains("inputs unchanged"));
    assert_eq!(warnings(&second), first);
    for expected in ["long.ipa", "com.example.nothing", "Unsigned"] {
        assert!(
            first.iter().any(|w| w.contains(expected)),
            "{expected}: {first:?}"
        );
    }
}

/// `otasite build -v` at `epoch`: whether it found the site up to date from its inputs alone.
fn short_at(dir: &Path, epoch: i64) -> bool {
    let output = support::run::Otasite::new(["build", "-v"])
        .dir(dir)
        .epoch(epoch)
        .output();
    support::run::assert_ok(&output);
    String::from_utf8_lossy(&output.stderr).contains("inputs unchanged")
}

const DAY: i64 = 86_400;

#[test]
fn retention_by_age_is_judged_again_once_its_day_comes() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    site::write_config(
        dir,
        &format!(
            "base_url: {}\nretention:\n  max_age_days: 30\n",
            site::BASE_URL
        ),
    );
    let released = 1_714_564_800;
    IpaBuilder::new("com.example.app", "App")
        .modified(released)
        .write(&dir.join("builds/app-1.ipa"));
    IpaBuilder::new("com.example.app", "App")
        .version("2.0", "2")
        .modified(released + 10 * DAY)
        .write(&dir.join("builds/app-2.ipa"));
    let old = dir.join("dist/com.example.app/1.0-1");
    assert!(!short_at(dir, released + 20 * DAY));
    assert!(old.is_dir());
    assert!(short_at(dir, released + 29 * DAY), "before the day");
    assert!(
        !short_at(dir, released + 31 * DAY),
        "the first build is older than 30 days"
    );
    assert!(!old.exists(), "and dropped");
    assert!(short_at(dir, released + 32 * DAY));
    assert!(
        !short_at(dir, released + 20 * DAY),
        "a clock set back is judged again"
    );
    assert!(old.is_dir(), "the first build is back");
}

#[test]
fn expiry_is_judged_again_once_a_warning_or_expiry_instant_passes() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    site::write_config(dir, &format!("base_url: {}\n", site::BASE_URL));
    let expires = 1_800_000_000;
    IpaBuilder::new("com.example.app", "App")
        .profile(Some(
            support::ipa::ProfileSpec::new(support::ipa::Kind::AdHoc).expires(expires),
        ))
        .write(&dir.join("builds/app.ipa"));
    assert!(!short_at(dir, expires - 30 * DAY));
    assert!(short_at(dir, expires - 20 * DAY));
    assert!(
        !short_at(dir, expires - 13 * DAY),
        "within the warning window"
    );
    assert!(short_at(dir, expires - 12 * DAY));
    assert!(!short_at(dir, expires + 1), "expired");
    assert!(short_at(dir, expires + DAY));
}

#[test]
fn fingerprints_refreshed_for_new_archives_are_those_of_the_catalog() {
    let tmp = site(3);
    let dir = tmp.path();
    decided(dir);
    write_version(dir, 0, ("2.0", "2"), "app0-2.ipa");
    assert_eq!(decided(dir), "rebuilt");
    // The long way computes every app's fingerprint from the catalog: the site written with
    // only app0's refreshed must be the same site.
    std::fs::remove_file(dir.join(".dist.otasite-cache/up-to-date.json")).expect("record");
    assert_eq!(decided(dir), "catalog");
}

#[test]
fn a_log_that_is_not_a_terminal_names_only_the_archives_read() {
    let tmp = site(5);
    let dir = tmp.path();
    let read_lines = |output: &std::process::Output| -> Vec<String> {
        support::run::assert_ok(output);
        String::from_utf8_lossy(&output.stderr)
            .lines()
            .filter(|l| l.starts_with("read "))
            .map(str::to_string)
            .collect()
    };
    // The test's stderr is a pipe, as in CI.
    let first = read_lines(&support::run::otasite(&["build"], dir));
    assert_eq!(first.len(), 5, "{first:?}");
    IpaBuilder::new("com.example.app5", "App 5").write(&dir.join("builds/app5.ipa"));
    let second = read_lines(&support::run::otasite(&["build"], dir));
    assert_eq!(second.len(), 1, "only the new archive: {second:?}");
    assert!(second[0].contains("app5.ipa"), "{second:?}");
}

/// The site a fresh, forced build of `dir`'s inputs writes into `dir/full`, file by file.
fn full_site(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let full = dir.join("full");
    let _ = std::fs::remove_dir_all(&full);
    let _ = std::fs::remove_dir_all(dir.join(".full.otasite-cache"));
    let overrides = Overrides {
        output: Some(full.clone()),
        ..Overrides::default()
    };
    let settings = otasite::config::load(&dir.join("site.yaml"), &overrides).expect("site.yaml");
    let options = BuildOptions {
        force: true,
        ..site::build_options()
    };
    let summary = otasite::pipeline::build(&settings, &options).expect("full build");
    assert_eq!(
        summary.stats.apps_kept, 0,
        "a forced build keeps no app unread"
    );
    support::run::tree(&full)
}

fn feed_app_build(dir: &Path, app: usize, build: usize) -> std::path::PathBuf {
    let path = dir.join(format!("builds/app{app}-{build}.ipa"));
    IpaBuilder::new(&format!("com.example.feed{app}"), &format!("Feed {app}"))
        .version("1.0", &build.to_string())
        .modified(1_700_000_000 + (build * 3 + app) as i64 * 3600)
        .app_file(
            "AppIcon60x60@2x.png",
            encode_cgbi(&sample_icon(120, app as u32)),
        )
        .write(&path)
}

/// Builds that change some apps read only those apps' archives and keep the others whole,
/// and write, file for file, the site a full build of the same inputs writes: a new build, a
/// build removed, release notes changed, an app added and removed, and builds removed that
/// the feed then needs from apps it kept (which the build reads in full instead).
#[test]
fn builds_keeping_unchanged_apps_write_the_site_a_full_build_writes() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    site::write_config(dir, &format!("base_url: {}\n", site::BASE_URL));
    // 3 apps of 36 builds: more builds than the feed lists.
    for build in 0..36 {
        for app in 0..3 {
            feed_app_build(dir, app, build);
        }
    }
    std::fs::write(dir.join("builds/app1-3.md"), "First notes").expect("notes");
    let cold = summary_with(dir, None, None);
    assert_eq!((cold.builds, cold.stats.apps_kept), (108, 0));
    let site = || support::run::tree(&dir.join("dist"));
    assert_eq!(site(), full_site(dir), "cold build");

    type Change<'a> = Box<dyn Fn() + 'a>;
    let changes: Vec<(&str, Change, usize, usize)> = vec![
        (
            "a new build of one app",
            Box::new(|| {
                feed_app_build(dir, 0, 36);
            }),
            2,
            1,
        ),
        (
            "release notes changed",
            Box::new(|| std::fs::write(dir.join("builds/app1-3.md"), "New notes").expect("notes")),
            2,
            0,
        ),
        (
            "the newest build of one app removed",
            Box::new(|| std::fs::remove_file(dir.join("builds/app2-35.ipa")).expect("rm")),
            2,
            0,
        ),
        (
            // Released before every other build: outside the feed, which stays complete
            // when it goes again.
            "a new app",
            Box::new(|| {
                IpaBuilder::new("com.example.other", "Other")
                    .modified(1_600_000_000)
                    .write(&dir.join("builds/other.ipa"));
            }),
            3,
            1,
        ),
        (
            "that app removed",
            Box::new(|| std::fs::remove_file(dir.join("builds/other.ipa")).expect("rm")),
            3,
            0,
        ),
    ];
    for (change, make, kept, opened) in changes {
        make();
        let summary = summary_with(dir, None, None);
        assert_eq!(summary.stats.apps_kept, kept, "apps kept whole: {change}");
        assert_eq!(
            summary.stats.archives_read, opened,
            "archives opened: {change}"
        );
        assert!(summary.catalog.is_none(), "{change}");
        assert_eq!(site(), full_site(dir), "{change}");
        assert_eq!(decided(dir), "inputs", "the no-op after: {change}");
    }

    // A cache that lost the kept apps' parts of catalog.json: every app is read again.
    std::fs::remove_dir_all(dir.join(".dist.otasite-cache/catalog")).expect("rm parts");
    feed_app_build(dir, 1, 36);
    let summary = summary_with(dir, None, None);
    assert_eq!(summary.stats.apps_kept, 0, "parts missing: every app read");
    assert_eq!(site(), full_site(dir), "parts missing");
    feed_app_build(dir, 2, 36);
    assert_eq!(
        summary_with(dir, None, None).stats.apps_kept,
        2,
        "parts written again"
    );
    assert_eq!(site(), full_site(dir), "after the parts were written again");

    // The 30 newest builds of app 0 go: the feed's newest 100 now reach builds of apps 1
    // and 2 it left out before, which the build reads in full rather than keep.
    for build in 7..37 {
        std::fs::remove_file(dir.join(format!("builds/app0-{build}.ipa"))).expect("rm");
    }
    let summary = summary_with(dir, None, None);
    assert_eq!(summary.stats.apps_kept, 0, "every app read");
    assert_eq!(summary.stats.archives_read, 0, "from the cache");
    assert_eq!(site(), full_site(dir), "builds the feed left out");
}

/// Archives retention leaves out are cached like the others: judging them again at the next
/// build reads nothing, even when every app is read (forced, as after a settings change).
#[test]
fn archives_left_out_by_retention_are_not_read_again() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path();
    site::write_config(dir, &format!("base_url: {}\nkeep: 1\n", site::BASE_URL));
    for build in 0..3 {
        feed_app_build(dir, 0, build);
    }
    assert_eq!(build(dir), (3, 1, 0), "3 read, the 1 kept hashed");
    assert_eq!(
        build_with(dir, IpaMode::Copy, true),
        (0, 0, 1),
        "forced: nothing read"
    );
    // The newest goes: the next one is kept again, hashed only now.
    std::fs::remove_file(dir.join("builds/app0-2.ipa")).expect("rm");
    assert_eq!(
        build(dir),
        (0, 1, 0),
        "the build kept again is hashed, not read"
    );
    assert_eq!(support::run::tree(&dir.join("dist")), full_site(dir));
}

/// `serve` rebuilds linked, unforced: a replaced archive is read alone, and the apps it does
/// not concern are kept whole, unread.
#[test]
fn linked_rebuilds_as_serve_makes_them_keep_the_other_apps() {
    let tmp = site(3);
    assert_eq!(build_with(tmp.path(), IpaMode::Link, false), (3, 3, 0));
    write_version(tmp.path(), 0, ("2.0", "2"), "app0.ipa");
    let summary = summary_with(tmp.path(), None, None);
    assert_eq!(
        (summary.stats.archives_read, summary.stats.apps_kept),
        (1, 2),
        "the replaced archive read; the two other apps kept"
    );
    assert!(tmp.path().join("dist/com.example.app0/2.0-2").is_dir());
    assert_eq!(
        support::run::tree(&tmp.path().join("dist")),
        full_site(tmp.path())
    );
}

/// A damaged record of kept apps or cache shard costs the long way, never a wrong site.
#[test]
fn damaged_parts_or_shards_take_the_long_way() {
    let tmp = site(3);
    let dir = tmp.path();
    build(dir);
    let cache = dir.join(".dist.otasite-cache");
    // What is damaged, the next version of app 0, and how many archives are then read.
    let damages = [
        (
            "parts.json",
            "{not json",
            ("2.0", "2"),
            1,
            "the others from the cache",
        ),
        (
            "apps/com.example.app0.json",
            "[1,2",
            ("3.0", "3"),
            3,
            "the cache was discarded",
        ),
    ];
    for (damaged, text, version, read, why) in damages {
        std::fs::write(cache.join(damaged), text).expect("damaging the cache");
        write_version(dir, 0, version, "app0.ipa");
        let summary = summary_with(dir, None, None);
        assert_eq!(
            summary.stats.apps_kept, 0,
            "a damaged {damaged}: every app read"
        );
        assert_eq!(summary.stats.archives_read, read, "{why}");
        assert_eq!(support::run::tree(&dir.join("dist")), full_site(dir));
    }
    assert_eq!(decided(dir), "inputs", "and the next no-op is short again");
}
