//! Where a generated workflow gets otasite: the package registry (crates.io), a git repository,
//! or a release archive. The choice is written once, as workflow-level `env:` values that the
//! install steps and the cache key both read, so changing it means editing one place.

/// otasite's own repository: the default for `--install git` and release archives.
pub const PROJECT_REPOSITORY: &str = "https://github.com/otasite/otasite";
/// The archive the release workflow publishes for GitHub's `ubuntu-latest` runners.
pub const RUNNER_TARGET: &str = "x86_64-unknown-linux-musl";

/// The install source, resolved from `init`'s flags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Install {
    Registry { version: String },
    Git { url: String, tag: String },
    Release { url: String },
}

/// Which kind of source `--install` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstallFrom {
    Registry,
    Git,
    Release,
}

impl InstallFrom {
    pub fn name(self) -> &'static str {
        match self {
            InstallFrom::Registry => "registry",
            InstallFrom::Git => "git",
            InstallFrom::Release => "release",
        }
    }
}

/// `init`'s install flags as given, before they are checked against each other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstallRequest {
    pub install: InstallFrom,
    pub install_version: Option<String>,
    pub install_git: Option<String>,
    pub install_url: Option<String>,
}

impl Install {
    /// The source the flags name; an error is one line saying which flag is wrong.
    pub fn resolve(args: &InstallRequest) -> Result<Install, String> {
        let version = args
            .install_version
            .clone()
            .unwrap_or_else(|| env!("CARGO_PKG_VERSION").to_string());
        check_version(&version)?;
        let stray =
            |flag: &str| format!("{flag} does not apply to --install {}", args.install.name());
        match args.install {
            InstallFrom::Registry => {
                if args.install_git.is_some() {
                    return Err(stray("--install-git"));
                }
                if args.install_url.is_some() {
                    return Err(stray("--install-url"));
                }
                Ok(Install::Registry { version })
            }
            InstallFrom::Git => {
                if args.install_url.is_some() {
                    return Err(stray("--install-url"));
                }
                let url = args
                    .install_git
                    .clone()
                    .unwrap_or_else(|| PROJECT_REPOSITORY.to_string());
                check_url("--install-git", &url, &["https", "http", "ssh", "git"])?;
                Ok(Install::Git {
                    url,
                    tag: format!("v{version}"),
                })
            }
            InstallFrom::Release => {
                if args.install_git.is_some() {
                    return Err(stray("--install-git"));
                }
                if args.install_url.is_some() && args.install_version.is_some() {
                    return Err(
                        "--install-version does not apply with --install-url: the URL names the version"
                            .into(),
                    );
                }
                let url = args.install_url.clone().unwrap_or_else(|| {
                    format!(
                        "{PROJECT_REPOSITORY}/releases/download/v{version}/otasite-{RUNNER_TARGET}.tar.gz"
                    )
                });
                check_url("--install-url", &url, &["https"])?;
                if !url.ends_with(".tar.gz") {
                    return Err(format!(
                        "--install-url {url}: expected a release archive ending in .tar.gz"
                    ));
                }
                Ok(Install::Release { url })
            }
        }
    }

    /// One line for init's report and the workflow's comment.
    pub fn describe(&self) -> String {
        match self {
            Install::Registry { version } => {
                format!(
                    "otasite {version} from crates.io (`--install registry`, built by cargo install)"
                )
            }
            Install::Git { url, tag } => {
                format!("otasite from {url} at tag {tag} (`--install git`, built by cargo install)")
            }
            Install::Release { url } => {
                format!("the prebuilt otasite of {url} (`--install release`, SHA-256 checked)")
            }
        }
    }

    /// The workflow-level `env:` block naming the source.
    pub fn env_block(&self) -> String {
        let mut out = format!(
            "# Where otasite comes from: {}.\n\
             # The cache key and the install step read these values: change them here, or run\n\
             # `otasite init` in an empty folder with other --install flags and copy this block.\n\
             # Choices: --install registry [--install-version V] | git [--install-git URL]\n\
             # [--install-version V] | release [--install-url URL of otasite-<target>.tar.gz].\n\
             env:\n",
            self.describe()
        );
        let entries: Vec<(&str, &str)> = match self {
            Install::Registry { version } => vec![("OTASITE_VERSION", version)],
            Install::Git { url, tag } => vec![("OTASITE_GIT", url), ("OTASITE_GIT_TAG", tag)],
            Install::Release { url } => vec![("OTASITE_URL", url)],
        };
        for (name, value) in entries {
            out += &format!("  {name}: {}\n", yaml_quoted(value));
        }
        out
    }

    /// The steps that restore otasite from the cache or install it, then put it on PATH;
    /// indented for a job's `steps:` list.
    pub fn steps(&self) -> String {
        let (key, run) = match self {
            Install::Registry { .. } => (
                "registry-${{ env.OTASITE_VERSION }}",
                "run: cargo install otasite --locked --version \"$OTASITE_VERSION\" --root ~/.otasite\n"
                    .to_string(),
            ),
            Install::Git { .. } => (
                "git-${{ env.OTASITE_GIT }}-${{ env.OTASITE_GIT_TAG }}",
                "run: cargo install otasite --locked --git \"$OTASITE_GIT\" --tag \"$OTASITE_GIT_TAG\" --root ~/.otasite\n"
                    .to_string(),
            ),
            Install::Release { .. } => ("release-${{ env.OTASITE_URL }}", RELEASE_RUN.to_string()),
        };
        format!(
            "- id: otasite-cache\n  \
               uses: actions/cache@v5\n  \
               with:\n    \
                 path: ~/.otasite/bin\n    \
                 key: otasite-${{{{ runner.os }}}}-{key}\n\
             - name: Install otasite\n  \
               if: steps.otasite-cache.outputs.cache-hit != 'true'\n  \
               {run}\
             - name: Put otasite on PATH\n  \
               run: echo \"$HOME/.otasite/bin\" >> \"$GITHUB_PATH\"\n"
        )
    }
}

/// Downloads the archive and the checksum file the release workflow publishes beside it,
/// checks one against the other, and unpacks the binary.
const RELEASE_RUN: &str = r#"run: |
    archive="${OTASITE_URL##*/}"
    cd "$(mktemp -d)"
    curl --fail --silent --show-error --location --retry 3 --output "$archive" "$OTASITE_URL"
    curl --fail --silent --show-error --location --retry 3 --output checksum "${OTASITE_URL%.tar.gz}.sha256"
    sha256sum --check checksum
    mkdir -p ~/.otasite/bin
    tar -xzf "$archive" -C ~/.otasite/bin otasite
"#;

/// A version as the registry and tags spell it: `1.2.3`, `1.2.3-beta.1`.
fn check_version(version: &str) -> Result<(), String> {
    let plausible = version.starts_with(|c: char| c.is_ascii_digit())
        && version
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+'));
    match plausible {
        true => Ok(()),
        false => Err(format!(
            "--install-version {version:?}: expected a version such as 0.1.0"
        )),
    }
}

/// An absolute URL with one of `schemes`, without characters the cache key refuses.
fn check_url(flag: &str, url: &str, schemes: &[&str]) -> Result<(), String> {
    let parsed = url::Url::parse(url).map_err(|e| format!("{flag} {url}: {e}"))?;
    if !schemes.contains(&parsed.scheme()) {
        return Err(format!(
            "{flag} {url}: expected a URL starting with {}://",
            schemes.join("://, ")
        ));
    }
    if url.contains(|c: char| c == ',' || c.is_whitespace()) {
        return Err(format!(
            "{flag} {url}: a URL without commas or spaces is expected"
        ));
    }
    Ok(())
}

/// A YAML single-quoted scalar: nothing inside is special except the quote itself.
fn yaml_quoted(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}
