//! The files `otasite init` writes, by host, and the steps that follow.

use super::Host;
use super::install::Install;
use crate::render::theme::DEFAULT_THEME;

/// Where `--theme` copies the built-in theme, relative to the site folder.
pub const THEME_DIR: &str = "themes/custom";

/// Where the workflows say where otasite comes from (workflow-level `env:`) and install it
/// (a job's steps).
const ENV_MARKER: &str = "@OTASITE_ENV@\n";
const INSTALL_MARKER: &str = "      @OTASITE_INSTALL@\n";

const SITE_YAML: &str = include_str!("files/site.yaml");
const BUILDS_README: &str = include_str!("files/builds-README.md");
const GITATTRIBUTES: &str = include_str!("files/gitattributes");
const GITIGNORE: &str = include_str!("files/gitignore");
const GITHUB_PAGES_WORKFLOW: &str = include_str!("files/github-pages.yml");
const S3_WORKFLOW: &str = include_str!("files/s3.yml");
const NETLIFY_WORKFLOW: &str = include_str!("files/netlify.yml");
/// The weekly `otasite check --expiring` workflow, the same for every host.
const EXPIRY_WORKFLOW: &str = include_str!("files/expiry.yml");
/// The same script otasite's own tests run against a local S3 API.
const DEPLOY_S3_SCRIPT: &str = include_str!("../../scripts/deploy-s3.sh");
/// The deployment guides, written into the new site as DEPLOY.md.
const GITHUB_PAGES_GUIDE: &str = include_str!("../../docs/deploy-github-pages.md");
const S3_GUIDE: &str = include_str!("../../docs/deploy-s3.md");
const NETLIFY_GUIDE: &str = include_str!("../../docs/deploy-netlify.md");

pub const WORKFLOW_PATH: &str = ".github/workflows/otasite.yml";
pub const EXPIRY_WORKFLOW_PATH: &str = ".github/workflows/otasite-expiry.yml";
pub const GUIDE_PATH: &str = "DEPLOY.md";
pub const GITATTRIBUTES_PATH: &str = ".gitattributes";
/// The line that stores archives in Git LFS.
pub const LFS_LINE: &str = "*.ipa filter=lfs diff=lfs merge=lfs -text";

/// One file of the starter site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StarterFile {
    /// Relative to the site folder, `/`-separated.
    pub path: String,
    pub contents: String,
    pub executable: bool,
}

impl StarterFile {
    fn new(path: &str, contents: impl Into<String>) -> StarterFile {
        StarterFile {
            path: path.to_string(),
            contents: contents.into(),
            executable: false,
        }
    }
}

/// Every file to write for `host`, in the order they are reported.
pub fn starter_files(host: Host, theme: bool, install: &Install) -> Vec<StarterFile> {
    let mut files = vec![
        StarterFile::new("site.yaml", site_yaml(theme)),
        StarterFile::new("builds/.gitkeep", ""),
        StarterFile::new("builds/README.md", BUILDS_README),
        StarterFile::new(GITATTRIBUTES_PATH, GITATTRIBUTES),
        StarterFile::new(".gitignore", GITIGNORE),
        StarterFile::new(WORKFLOW_PATH, workflow(host, install)),
        StarterFile::new(EXPIRY_WORKFLOW_PATH, expiry_workflow(install)),
        StarterFile::new(GUIDE_PATH, guide(host)),
    ];
    if host == Host::S3 {
        files.push(StarterFile {
            executable: true,
            ..StarterFile::new("scripts/deploy-s3.sh", DEPLOY_S3_SCRIPT)
        });
    }
    if theme {
        files.extend(
            DEFAULT_THEME
                .iter()
                .map(|(path, text)| StarterFile::new(&format!("{THEME_DIR}/{path}"), *text)),
        );
    }
    files
}

/// The commented `site.yaml`; with `theme`, it uses the copied theme.
pub fn site_yaml(theme: bool) -> String {
    if theme {
        let commented = format!("# theme: {THEME_DIR}\n");
        assert!(
            SITE_YAML.contains(&commented),
            "site.yaml template names the theme folder"
        );
        SITE_YAML.replace(&commented, &format!("theme: {THEME_DIR}\n"))
    } else {
        SITE_YAML.to_string()
    }
}

/// The CI workflow that builds the site, checks it and publishes it on `host`, getting otasite
/// from `install`.
pub fn workflow(host: Host, install: &Install) -> String {
    let template = match host {
        Host::GithubPages => GITHUB_PAGES_WORKFLOW,
        Host::S3 => S3_WORKFLOW,
        Host::Netlify => NETLIFY_WORKFLOW,
    };
    with_install(template, install)
}

/// The weekly workflow that fails when a deployed build stops launching within 14 days.
pub fn expiry_workflow(install: &Install) -> String {
    with_install(EXPIRY_WORKFLOW, install)
}

/// `template` with where otasite comes from and the steps that install it filled in.
fn with_install(template: &str, install: &Install) -> String {
    let steps: String = install
        .steps()
        .lines()
        .map(|line| format!("      {line}\n"))
        .collect();
    template
        .replace(ENV_MARKER, &format!("{}\n", install.env_block()))
        .replace(INSTALL_MARKER, &steps)
}

/// The step-by-step deployment guide for `host`.
pub fn guide(host: Host) -> &'static str {
    match host {
        Host::GithubPages => GITHUB_PAGES_GUIDE,
        Host::S3 => S3_GUIDE,
        Host::Netlify => NETLIFY_GUIDE,
    }
}

pub fn host_name(host: Host) -> &'static str {
    match host {
        Host::GithubPages => "GitHub Pages",
        Host::S3 => "S3 + CloudFront",
        Host::Netlify => "Netlify",
    }
}

/// What to do on the host's side once the files are committed.
pub fn host_steps(host: Host) -> &'static [&'static str] {
    match host {
        Host::GithubPages => &[
            "On GitHub: Settings > Pages > Build and deployment > Source: \"GitHub Actions\". \
             Every push to main then builds and publishes the site; the workflow passes the \
             Pages URL as --base-url.",
        ],
        Host::S3 => &[
            "Create the bucket, a CloudFront distribution with an HTTPS certificate, and an IAM \
             role GitHub may assume over OIDC; then set the repository variables \
             AWS_DEPLOY_ROLE_ARN, AWS_REGION, S3_BUCKET and CLOUDFRONT_DISTRIBUTION_ID.",
            "Deploy by hand with: bash scripts/deploy-s3.sh dist BUCKET [DISTRIBUTION_ID]",
        ],
        Host::Netlify => &[
            "Create the Netlify site without linking the repository (the workflow deploys it), \
             then set the secret NETLIFY_AUTH_TOKEN and the variable NETLIFY_SITE_ID in the \
             repository's Actions settings.",
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// Every key of `RawConfig`; a new key must be documented in the template too.
    const KEYS: [&str; 9] = [
        "title",
        "base_url",
        "builds",
        "output",
        "theme",
        "ipa_base_url",
        "keep",
        "apps",
        "cname",
    ];

    #[test]
    fn site_yaml_documents_every_key_and_parses() {
        for theme in [false, true] {
            let text = site_yaml(theme);
            for key in KEYS {
                let written = text.lines().any(|line| {
                    let line = line.trim_start_matches("# ");
                    line.starts_with(&format!("{key}:"))
                });
                assert!(written, "site.yaml template lacks `{key}`");
            }
            let raw = crate::config::parse(Path::new("site.yaml"), &text).expect("parses");
            assert_eq!(raw.theme.is_some(), theme);
        }
    }

    #[test]
    fn commented_examples_parse_when_uncommented() {
        let uncommented: String = SITE_YAML
            .lines()
            .filter_map(|line| line.strip_prefix("# "))
            .filter(|line| {
                KEYS.iter().any(|key| line.starts_with(&format!("{key}:")))
                    || line.starts_with("  ")
            })
            .map(|line| format!("{line}\n"))
            .collect();
        let text = format!("base_url: https://builds.example.com/\n{uncommented}");
        crate::config::parse(Path::new("site.yaml"), &text)
            .expect("the commented examples are valid");
    }

    #[test]
    fn workflows_install_from_the_chosen_source() {
        let sources = [
            Install::Registry {
                version: "1.2.3".into(),
            },
            Install::Git {
                url: "https://example.com/fork/otasite".into(),
                tag: "v1.2.3".into(),
            },
            Install::Release {
                url: "https://example.com/otasite-x86_64-unknown-linux-musl.tar.gz".into(),
            },
        ];
        for host in [Host::GithubPages, Host::S3, Host::Netlify] {
            for install in &sources {
                let text = workflow(host, install);
                assert!(!text.contains("@OTASITE"), "{host:?}: a marker is left");
                assert!(text.contains(&install.describe()), "{host:?}");
                assert!(text.contains("lfs: true"));
                assert!(text.contains("otasite check dist"), "{host:?}");
                assert!(text.contains("otasite check --remote"), "{host:?}");
                let (name, value) = match install {
                    Install::Registry { version } => ("OTASITE_VERSION", version),
                    Install::Git { url, .. } => ("OTASITE_GIT", url),
                    Install::Release { url } => ("OTASITE_URL", url),
                };
                assert!(text.contains(&format!("  {name}: '{value}'\n")), "{text}");
                assert!(text.contains(&format!("${{{{ env.{name} }}}}")), "{text}");
            }
        }
    }
}
