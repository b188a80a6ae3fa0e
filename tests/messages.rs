//! What a user sees when something is wrong: the full stderr (and exit code) of one failure per
//! kind, pinned as a contract. Each message is one `error:` or `warning:` line that names the
//! file (and line) and says what to do; causes are said once.

mod support;

use std::path::Path;

use support::ipa::IpaBuilder;
use support::run::{Otasite, otasite};
use support::site;

/// Exit code and stderr of `otasite ARGS` in `dir`.
fn run(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let output = otasite(args, dir);
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A site folder with `site.yaml` holding `config` and the given archives under `builds/`.
fn site(config: &str, archives: &[(&str, IpaBuilder)]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tmp");
    site::write_config(tmp.path(), config);
    std::fs::create_dir(tmp.path().join("builds")).expect("builds");
    for (name, builder) in archives {
        builder.write(&tmp.path().join("builds").join(name));
    }
    tmp
}

fn app() -> (&'static str, IpaBuilder) {
    ("app.ipa", IpaBuilder::new("com.example.app", "App"))
}

const BASE: &str = "base_url: https://apps.example.test/\n";

fn config_error(config: &str) -> String {
    let tmp = site(config, &[app()]);
    let (code, stderr) = run(tmp.path(), &["build", "-q"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(!tmp.path().join("dist").exists(), "nothing written");
    stderr
}

#[test]
fn no_config_file_suggests_init() {
    let tmp = tempfile::tempdir().expect("tmp");
    assert_eq!(
        run(tmp.path(), &["build"]),
        (
            Some(2),
            "error: site.yaml does not exist: run `otasite init` to start a site here, or pass --config FILE\n"
                .into()
        )
    );
}

#[test]
fn wrong_type_names_the_key_and_what_it_takes() {
    assert_eq!(
        config_error(&format!("{BASE}keep: \"twenty\"\n")),
        "error: site.yaml:2:7: keep: expected a whole number of builds to keep per channel, e.g. `keep: 20`\n"
    );
    assert_eq!(
        config_error(&format!(
            "{BASE}apps:\n  com.example.app:\n    name: [A, B]\n"
        )),
        "error: site.yaml:4:11: apps.com.example.app.name: expected a text\n"
    );
}

#[test]
fn duplicate_key_says_so_in_site_yaml_terms() {
    assert_eq!(
        config_error(&format!("{BASE}title: A\ntitle: B\n")),
        "error: site.yaml:3:1: `title` appears twice; keep one of them\n"
    );
}

#[test]
fn unknown_key_lists_the_known_ones() {
    assert_eq!(
        config_error(&format!("{BASE}titel: A\n")),
        "error: site.yaml:2:1: unknown key `titel` (known keys: title, base_url, builds, output, \
         theme, ipa_base_url, keep, retention, default_channel, apps, cname, private, devices)\n"
    );
}

#[test]
fn invalid_url_is_said_once_with_its_location() {
    assert_eq!(
        config_error("base_url: http://apps.example.test/\n"),
        "error: site.yaml:1:11: base_url: \"http://apps.example.test/\" must start with https:// \
         because iOS installs apps only over HTTPS\n"
    );
}

#[test]
fn cname_must_be_a_bare_host_name() {
    assert_eq!(
        config_error(&format!("{BASE}cname: https://apps.example.test/x\n")),
        "error: site.yaml:2:8: cname: \"https://apps.example.test/x\" is not a bare host name: \
         write a bare host name such as `builds.example.com` (no https://, no path, no port)\n"
    );
    let tmp = site(&format!("{BASE}cname: Apps.Example.Test\n"), &[app()]);
    let (code, stderr) = run(tmp.path(), &["build", "-q"]);
    assert_eq!((code, stderr.as_str()), (Some(0), ""));
    let cname = std::fs::read_to_string(tmp.path().join("dist/CNAME")).expect("CNAME");
    assert_eq!(cname, "apps.example.test\n");
}

#[test]
fn missing_input_folders_are_configuration_errors() {
    let tmp = tempfile::tempdir().expect("tmp");
    site::write_config(tmp.path(), BASE);
    assert_eq!(
        run(tmp.path(), &["build"]),
        (
            Some(2),
            "error: site.yaml: the builds folder builds does not exist: create it and put the .ipa \
             files in it, or set `builds:` to the folder that holds them\n"
                .into()
        )
    );
    let tmp = site(&format!("{BASE}theme: mytheme\n"), &[app()]);
    assert_eq!(
        run(tmp.path(), &["build"]),
        (
            Some(2),
            "error: site.yaml:2: the theme folder mytheme does not exist: `otasite init --theme` \
             writes one, or remove the `theme:` key to use the built-in theme\n"
                .into()
        )
    );
}

#[test]
fn an_empty_builds_folder_fails_unless_allowed() {
    let tmp = site(BASE, &[]);
    assert_eq!(
        run(tmp.path(), &["build"]),
        (
            Some(1),
            "error: no app to publish: builds holds no readable .ipa file, and publishing would \
             replace the site with an empty one; add archives, or pass --allow-empty if an empty \
             site is intended\n"
                .into()
        )
    );
    assert!(!tmp.path().join("dist").exists(), "nothing written");

    assert_eq!(
        run(tmp.path(), &["build", "-q", "--allow-empty"]),
        (Some(0), String::new())
    );
    let check = otasite(&["check"], tmp.path());
    assert_eq!(check.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&check.stdout),
        "error: dist/catalog.json: the site lists no app: deploying it would replace the live \
         portal with an empty one (pass --allow-empty if that is intended)\n\
         checked 3 files: 1 error, 0 warnings, 0 notes\n"
    );
    let allowed = otasite(&["check", "--allow-empty"], tmp.path());
    assert_eq!(allowed.status.code(), Some(0));
}

#[test]
fn every_archive_skipped_is_an_empty_site_too() {
    let tmp = site(BASE, &[]);
    std::fs::write(tmp.path().join("builds/bad.ipa"), b"not a zip").expect("write");
    assert_eq!(
        run(tmp.path(), &["build", "-q", "--keep-going"]),
        (
            Some(1),
            "warning: skipped builds/bad.ipa: not a zip archive\n\
             error: no app to publish: builds holds no readable .ipa file, and publishing would \
             replace the site with an empty one; add archives, or pass --allow-empty if an empty \
             site is intended\n"
                .into()
        )
    );
}

#[test]
fn keep_going_with_skipped_inputs_exits_3() {
    let tmp = site(BASE, &[app()]);
    std::fs::write(tmp.path().join("builds/bad.ipa"), b"not a zip").expect("write");
    assert_eq!(
        run(tmp.path(), &["build", "-q"]),
        (
            Some(1),
            "error: 1 archive(s) could not be read (use --keep-going to build the rest):\n  \
             builds/bad.ipa: not a zip archive\n"
                .into()
        )
    );
    assert_eq!(
        run(tmp.path(), &["build", "-q", "--keep-going"]),
        (
            Some(3),
            "warning: skipped builds/bad.ipa: not a zip archive\n".into()
        )
    );
    assert!(tmp.path().join("dist/com.example.app/index.html").is_file());
}

#[test]
fn placeholder_base_url_warns_in_build_and_fails_check() {
    let tmp = site(
        "title: T\nbase_url: https://builds.example.com/\n",
        &[app()],
    );
    assert_eq!(
        run(tmp.path(), &["build", "-q"]),
        (
            Some(0),
            "warning: site.yaml:2: base_url https://builds.example.com/ is a placeholder \
             (builds.example.com is reserved for examples): install links on this site will not \
             work; set base_url to the https:// URL the site is served from\n"
                .into()
        )
    );
    let check = otasite(&["check"], tmp.path());
    assert_eq!(check.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&check.stdout);
    assert_eq!(
        stdout.lines().next(),
        Some(
            "error: dist/catalog.json: site.base_url https://builds.example.com/ is a placeholder \
             (builds.example.com is reserved for examples): no device can install from it; build \
             again with base_url set to the https:// URL the site is served from"
        ),
        "{stdout}"
    );
    assert!(
        stdout.ends_with(" 1 error, 0 warnings, 0 notes\n"),
        "{stdout}"
    );

    let overridden = run(
        tmp.path(),
        &["build", "-q", "--base-url", "https://example.org/apps/"],
    );
    assert_eq!(
        overridden,
        (
            Some(0),
            "warning: --base-url: base_url https://example.org/apps/ is a placeholder \
             (example.org is reserved for examples): install links on this site will not work; \
             set base_url to the https:// URL the site is served from\n"
                .into()
        )
    );
}

#[test]
fn an_apps_entry_no_archive_has_is_named() {
    let config = format!(
        "{BASE}apps:\n  com.example.app:\n    name: Mine\n  com.example.typo:\n    name: Lost\n"
    );
    let tmp = site(&config, &[app()]);
    assert_eq!(
        run(tmp.path(), &["build", "-q"]),
        (
            Some(0),
            "warning: site.yaml:5: apps: com.example.typo: no archive has the bundle id \
             com.example.typo, so this entry is unused\n"
                .into()
        )
    );
}

#[test]
fn a_cause_is_said_once() {
    let tmp = site(BASE, &[app()]);
    let (code, stderr) = run(tmp.path(), &["build", "-q", "--previous", "gone.json"]);
    assert_eq!(code, Some(1));
    assert_eq!(
        stderr,
        "error: cannot read the previous catalog gone.json: No such file or directory (os error 2)\n"
    );
}

#[test]
fn usage_errors_exit_2() {
    let tmp = tempfile::tempdir().expect("tmp");
    assert_eq!(
        run(tmp.path(), &["check", "--concurrency", "0"]),
        (Some(2), "error: --concurrency must be at least 1\n".into())
    );
}

#[test]
fn help_documents_the_exit_codes() {
    let tmp = tempfile::tempdir().expect("tmp");
    let help = otasite(&["--help"], tmp.path());
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(
        text.ends_with(
            "Exit codes:\n  0  success\n  1  the build, the check or an input failed\n  \
             2  usage or configuration error\n  3  built, with skipped inputs (build --keep-going)\n"
        ),
        "{text}"
    );
    let build_help = otasite(&["build", "--help"], tmp.path());
    let words: Vec<String> = String::from_utf8_lossy(&build_help.stdout)
        .split_whitespace()
        .map(String::from)
        .collect();
    assert!(
        words
            .join(" ")
            .contains("(exit code 3 when any was skipped)"),
        "{words:?}"
    );
}

/// `otasite inspect --json *.ipa | head -c1`: the reader leaving early is not an error.
#[test]
fn a_closed_stdout_is_a_quiet_success() {
    let tmp = site(BASE, &[app()]);
    let archive = tmp.path().join("builds/app.ipa");
    let mut child = Otasite::new(["inspect", "--json"])
        .args(std::iter::repeat_n(&archive, 200))
        .spawn();
    // Closing the reading end before otasite writes makes its first write fail with EPIPE.
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("wait");
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}

/// `otasite init | head -n1` in a new folder: the report's reader leaving early is not an error.
#[test]
fn init_with_a_closed_stdout_is_a_quiet_success() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut child = Otasite::new(["init", "--host", "github-pages"])
        .dir(tmp.path())
        .spawn();
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("wait");
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
    assert!(
        tmp.path().join("site.yaml").is_file(),
        "the site was written"
    );
}
