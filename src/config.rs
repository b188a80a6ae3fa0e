//! site.yaml -> typed config (unknown keys rejected) -> validated settings.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_saphyr::Spanned;

/// The site.yaml file as written. Paths are relative to the file's folder.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    /// Site title shown on every page. Default: "iOS builds".
    pub title: Option<String>,
    /// Absolute https:// URL the site is served from. Required (or `--base-url`).
    pub base_url: Option<Spanned<String>>,
    /// Folder searched recursively for `.ipa` files. Default: `builds`.
    pub builds: Option<PathBuf>,
    /// Folder the site is written to. Default: `dist`.
    pub output: Option<PathBuf>,
    /// Folder whose files override the built-in theme file by file. Default: none.
    pub theme: Option<PathBuf>,
    /// Where the `.ipa` files are hosted when not beside the pages (they are then not copied).
    /// Default: none (copied into the site).
    pub ipa_base_url: Option<Spanned<String>>,
    /// Keep only the newest N builds of each app. Default: all.
    pub keep: Option<Spanned<usize>>,
    /// Per bundle id: `name` and `description` overrides. Default: none.
    #[serde(default)]
    pub apps: BTreeMap<String, AppOverride>,
    /// Custom domain written to a `CNAME` file (GitHub Pages). Default: none.
    pub cname: Option<String>,
}

/// Per-app overrides.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct AppOverride {
    /// Display name instead of the one in Info.plist.
    pub name: Option<String>,
    /// A short description shown on the app's page.
    pub description: Option<String>,
}

/// Validated settings the pipeline runs on: absolute paths, normalised URLs.
#[derive(Debug, Clone)]
pub struct Settings {
    pub config_file: PathBuf,
    pub title: String,
    /// Always ends with `/`.
    pub base_url: String,
    pub builds_dir: PathBuf,
    pub output_dir: PathBuf,
    pub theme_dir: Option<PathBuf>,
    /// Always ends with `/` when set.
    pub ipa_base_url: Option<String>,
    pub keep: Option<usize>,
    pub apps: BTreeMap<String, AppOverride>,
    pub cname: Option<String>,
}

/// Command-line values that take precedence over the file.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub base_url: Option<String>,
    pub output: Option<PathBuf>,
}

/// A configuration error: names the file, the line where known, and what to write instead.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: {message}")]
    Invalid {
        path: String,
        line: u64,
        column: u64,
        message: String,
    },
    #[error("{path}: {message}")]
    Missing { path: String, message: String },
}

pub const DEFAULT_TITLE: &str = "iOS builds";

/// Loads and validates `path`.
pub fn load(path: &Path, overrides: &Overrides) -> Result<Settings, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.display().to_string(),
        source,
    })?;
    let raw = parse(path, &text)?;
    validate(path, raw, overrides)
}

/// Parses YAML text into the raw config, with file, line and column on any error.
pub fn parse(path: &Path, text: &str) -> Result<RawConfig, ConfigError> {
    if text.trim().is_empty() {
        return Err(ConfigError::Missing {
            path: path.display().to_string(),
            message: "the file is empty; it needs at least `base_url: https://…`".into(),
        });
    }
    serde_saphyr::from_str::<RawConfig>(text).map_err(|e| {
        let (line, column) = e
            .location()
            .map_or((0, 0), |loc| (loc.line(), loc.column()));
        ConfigError::Invalid {
            path: path.display().to_string(),
            line,
            column,
            message: first_line(&e.to_string()),
        }
    })
}

/// The error's headline, without the source snippet some parsers append.
fn first_line(message: &str) -> String {
    let line = message.lines().next().unwrap_or(message).trim();
    let known = "title, base_url, builds, output, theme, ipa_base_url, keep, apps, cname";
    if line.contains("unknown field") && !line.contains("expected") {
        format!("{line} (known keys: {known})")
    } else {
        line.to_string()
    }
}

fn validate(path: &Path, raw: RawConfig, overrides: &Overrides) -> Result<Settings, ConfigError> {
    let file = path.display().to_string();
    let folder = path.parent().unwrap_or(Path::new("."));
    let at = |loc: &serde_saphyr::Location, message: String| ConfigError::Invalid {
        path: file.clone(),
        line: loc.line(),
        column: loc.column(),
        message,
    };
    let base_url = match (&overrides.base_url, &raw.base_url) {
        (Some(url), _) => https_url(url).map_err(|m| ConfigError::Missing {
            path: "--base-url".into(),
            message: m,
        })?,
        (None, Some(url)) => {
            https_url(&url.value).map_err(|m| at(&url.referenced, format!("base_url: {m}")))?
        }
        (None, None) => {
            return Err(ConfigError::Missing {
                path: file,
                message: "base_url is required: add `base_url: https://your.host/path/` (iOS installs only over HTTPS), or pass --base-url".into(),
            });
        }
    };
    let ipa_base_url = raw
        .ipa_base_url
        .as_ref()
        .map(|url| {
            https_url(&url.value).map_err(|m| at(&url.referenced, format!("ipa_base_url: {m}")))
        })
        .transpose()?;
    let keep = match &raw.keep {
        Some(keep) if keep.value == 0 => {
            return Err(at(
                &keep.referenced,
                "keep: must be at least 1 (remove the key to keep every build)".into(),
            ));
        }
        other => other.as_ref().map(|k| k.value),
    };
    let resolve = |p: &Path| folder.join(p);
    Ok(Settings {
        config_file: path.to_path_buf(),
        title: raw
            .title
            .filter(|t| !t.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_TITLE.to_string()),
        base_url,
        builds_dir: resolve(raw.builds.as_deref().unwrap_or(Path::new("builds"))),
        output_dir: overrides
            .output
            .clone()
            .unwrap_or_else(|| resolve(raw.output.as_deref().unwrap_or(Path::new("dist")))),
        theme_dir: raw.theme.as_deref().map(resolve),
        ipa_base_url,
        keep,
        apps: raw.apps,
        cname: raw
            .cname
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty()),
    })
}

/// Accepts an absolute https URL and returns it ending with `/`.
pub fn https_url(text: &str) -> Result<String, String> {
    let parsed = url::Url::parse(text.trim()).map_err(|e| {
        format!("{text:?} is not a valid URL ({e}); write e.g. https://example.com/apps/")
    })?;
    if parsed.scheme() != "https" {
        return Err(format!(
            "{text:?} must start with https:// because iOS installs apps only over HTTPS"
        ));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(format!("{text:?} must not have a query or fragment"));
    }
    let mut url = parsed.to_string();
    if !url.ends_with('/') {
        url.push('/');
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_text(text: &str) -> Result<Settings, ConfigError> {
        let path = Path::new("/site/site.yaml");
        validate(path, parse(path, text)?, &Overrides::default())
    }

    #[test]
    fn defaults_and_relative_paths() {
        let s = load_text("base_url: https://example.com/apps\n").unwrap();
        assert_eq!(s.base_url, "https://example.com/apps/");
        assert_eq!(s.title, DEFAULT_TITLE);
        assert_eq!(s.builds_dir, Path::new("/site/builds"));
        assert_eq!(s.output_dir, Path::new("/site/dist"));
        assert!(s.keep.is_none() && s.ipa_base_url.is_none() && s.theme_dir.is_none());
    }

    #[test]
    fn unknown_key_names_file_line_and_column() {
        let err = load_text("base_url: https://x.org/\ntitel: Hi\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("/site/site.yaml:2:1: "), "{err}");
        assert!(err.contains("titel"), "{err}");
    }

    #[test]
    fn type_error_names_line() {
        let err = load_text("base_url: https://x.org/\nkeep: many\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("/site/site.yaml:2:"), "{err}");
    }

    #[test]
    fn http_is_refused_with_the_line() {
        let err = load_text("title: T\nbase_url: http://x.org/\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("/site/site.yaml:2:"), "{err}");
        assert!(err.contains("https://"), "{err}");
    }

    #[test]
    fn missing_base_url_says_what_to_write() {
        let err = load_text("title: T\n").unwrap_err().to_string();
        assert!(err.contains("base_url is required"), "{err}");
    }

    #[test]
    fn keep_zero_is_refused() {
        let err = load_text("base_url: https://x.org/\nkeep: 0\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains(":2:") && err.contains("at least 1"), "{err}");
    }
}
