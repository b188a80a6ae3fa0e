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
    pub builds: Option<Spanned<PathBuf>>,
    /// Folder the site is written to. Default: `dist`.
    pub output: Option<PathBuf>,
    /// Folder whose files override the built-in theme file by file. Default: none.
    pub theme: Option<Spanned<PathBuf>>,
    /// Where the `.ipa` files are hosted when not beside the pages (they are then not copied).
    /// Default: none (copied into the site).
    pub ipa_base_url: Option<Spanned<String>>,
    /// Keep the newest N builds of each channel of each app (and each channel's newest
    /// installable build). Default: all.
    pub keep: Option<Spanned<usize>>,
    /// Which builds later builds drop besides `keep` (age, expiry) and which always stay
    /// (`pin`); each channel's newest installable build always stays. Default: none.
    pub retention: Option<Spanned<Retention>>,
    /// The channel the app pages' main Install button and the app-wide manifests follow,
    /// when the app has it. Default: the rule the README states (stable, release or
    /// production; else the top of the builds folder; else the newest build's channel).
    pub default_channel: Option<String>,
    /// Per bundle id: `name`, `description`, `default_channel` and `promote`. Default: none.
    #[serde(default)]
    pub apps: BTreeMap<String, AppOverride>,
    /// Custom domain written to a `CNAME` file (GitHub Pages): a bare host name. Default: none.
    pub cname: Option<Spanned<String>>,
    /// Publish every app privately (unguessable folders, password-locked pages) unless its
    /// `apps` entry says `private: false`. The secret and the password come from the
    /// environment (`OTASITE_SECRET`, `OTASITE_PASSWORD`), never from this file. Default: false.
    pub private: Option<Spanned<bool>>,
    /// Collecting testers' device identifiers: `endpoint` (the https:// URL of the function
    /// `otasite init --udid` writes), and optionally `email` and `webhook_env`. Default: none
    /// (no registration pages).
    pub devices: Option<Spanned<crate::devices::enroll::RawDevices>>,
    /// The language pages are written in (a catalog of the theme, e.g. `en`, `ja`, `pt-BR`).
    /// Default: `en`.
    pub language: Option<String>,
    /// The languages pages switch to in the browser. Default: every language the theme has.
    #[serde(default)]
    pub languages: Vec<String>,
}

/// The language pages are written in when `site.yaml` names none (the theme's reference
/// catalog).
pub const DEFAULT_LANGUAGE: &str = "en";

/// The retention rules of `site.yaml`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Retention {
    /// Drop builds released more than this many days ago.
    pub max_age_days: Option<u32>,
    /// Drop builds whose profile or signing certificate expired more than this many days ago
    /// (0: as soon as it expires).
    pub expired_grace_days: Option<u32>,
    /// Builds never dropped: a build's folder in the site (`com.example.app/1.2-45/`) or its
    /// archive's path under the builds folder (`beta/MyApp.ipa`).
    #[serde(default)]
    pub pin: Vec<String>,
}

/// The most days a retention rule may count (about 100 years).
const RETENTION_DAYS_LIMIT: u32 = 36_500;

/// Per-app overrides.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct AppOverride {
    /// Display name instead of the one in Info.plist.
    pub name: Option<String>,
    /// A short description shown on the app's page.
    pub description: Option<String>,
    /// The channel this app's main Install button and app-wide manifest follow.
    pub default_channel: Option<String>,
    /// Builds that also belong to other channels than their folder's, by build: the key is
    /// the build's `CFBundleVersion` (`"45"`) or its folder in the site (`"1.2-45"`), the
    /// value the channels it is promoted to (`[stable]`).
    #[serde(default)]
    pub promote: BTreeMap<String, Vec<String>>,
    /// Publish this app privately (`true`) or publicly (`false`). Default: the site's `private`.
    pub private: Option<bool>,
    /// The package name of the same product's Android app, shown on this app's page.
    pub android: Option<String>,
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
    pub retention: Retention,
    pub default_channel: Option<String>,
    pub apps: BTreeMap<String, AppOverride>,
    pub cname: Option<String>,
    /// The secret and password of private apps; set when any app is private.
    pub private: Option<crate::private::Keys>,
    /// Whether apps are private unless their `apps` entry says otherwise.
    pub private_by_default: bool,
    /// The device registration settings (`devices:`), when set.
    pub devices: Option<crate::devices::Devices>,
    /// Where each setting was written (`site.yaml:3:11`, `--base-url`), for messages about it
    /// later: keys `base_url`, `builds`, `theme` and `apps.<bundle id>`.
    pub origins: BTreeMap<String, String>,
    /// The language pages are written in.
    pub language: String,
    /// The languages pages offer (empty: all the theme has).
    pub languages: Vec<String>,
}

impl Settings {
    /// Whether the app `bundle_id` is published privately.
    pub fn is_private(&self, bundle_id: &str) -> bool {
        self.private.is_some()
            && self
                .apps
                .get(bundle_id)
                .and_then(|o| o.private)
                .unwrap_or(self.private_by_default)
    }

    /// The keys of `bundle_id` when it is published privately.
    pub fn private_keys(&self, bundle_id: &str) -> Option<&crate::private::Keys> {
        self.private.as_ref().filter(|_| self.is_private(bundle_id))
    }

    /// Where `key` was set, else the config file itself.
    pub fn origin(&self, key: &str) -> String {
        self.origins
            .get(key)
            .cloned()
            .unwrap_or_else(|| self.config_file.display().to_string())
    }
}

/// Command-line values that take precedence over the file.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub base_url: Option<String>,
    pub output: Option<PathBuf>,
    /// The local `http://` address of `otasite serve`: it replaces the (still validated)
    /// base_url for a preview site that is never deployed.
    pub preview_url: Option<String>,
    /// Leave the private apps' keys unread: `check` verifies a built site and asks for the
    /// password only where it opens locked pages.
    pub without_private_keys: bool,
}

/// A configuration error: names the file, the line where known, and what to write instead.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "{path} does not exist: run `otasite init` to start a site here, or pass --config FILE"
    )]
    NotFound { path: String },
    #[error("cannot read {path}")]
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
    /// `at` is the file, or the file and the line of the key.
    #[error("{at}: {message}")]
    Missing { at: String, message: String },
}

pub const DEFAULT_TITLE: &str = "iOS builds";

/// Every key of site.yaml, in the order the README documents them.
const KNOWN_KEYS: &str = "title, base_url, builds, output, theme, ipa_base_url, keep, retention, default_channel, apps, cname, private, devices";

/// Loads and validates `path`.
pub fn load(path: &Path, overrides: &Overrides) -> Result<Settings, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| {
        let path = path.display().to_string();
        if source.kind() == std::io::ErrorKind::NotFound {
            ConfigError::NotFound { path }
        } else {
            ConfigError::Read { path, source }
        }
    })?;
    let raw = parse(path, &text)?;
    let mut settings = validate(path, raw, overrides)?;
    for (key, line) in key_lines(&text) {
        let wanted = match key.as_slice() {
            [top] => ["base_url", "builds", "theme", "private"].contains(&top.as_str()),
            [apps, _] => apps == "apps",
            [apps, _, key] => {
                apps == "apps" && ["default_channel", "promote", "private"].contains(&key.as_str())
            }
            _ => false,
        };
        if wanted {
            let origin = format!("{}:{line}", path.display());
            settings.origins.entry(key.join(".")).or_insert(origin);
        }
    }
    if overrides.base_url.is_some() {
        settings
            .origins
            .insert("base_url".into(), "--base-url".into());
    }
    if !overrides.without_private_keys {
        settings.private = private_keys(&settings, |name| std::env::var_os(name))?;
    }
    Ok(settings)
}

/// The folders a build reads must exist: a missing one is a mistake in site.yaml (or a
/// checkout without them), never an empty site.
pub fn check_inputs(settings: &Settings) -> Result<(), ConfigError> {
    if !settings.builds_dir.is_dir() {
        return Err(ConfigError::Missing {
            at: settings.origin("builds"),
            message: format!(
                "the builds folder {} {}: create it and put the .ipa files in it, or set `builds:` to the folder that holds them",
                settings.builds_dir.display(),
                missing_or_not_a_folder(&settings.builds_dir)
            ),
        });
    }
    if let Some(theme) = settings.theme_dir.as_ref().filter(|t| !t.is_dir()) {
        return Err(ConfigError::Missing {
            at: settings.origin("theme"),
            message: format!(
                "the theme folder {} {}: `otasite init --theme` writes one, or remove the `theme:` key to use the built-in theme",
                theme.display(),
                missing_or_not_a_folder(theme)
            ),
        });
    }
    Ok(())
}

/// The keys of a site with private apps, from the environment (`env`); None when every app
/// is public. A private app without them is a usage error naming the variable to set.
pub fn private_keys(
    settings: &Settings,
    env: impl Fn(&str) -> Option<std::ffi::OsString>,
) -> Result<Option<crate::private::Keys>, ConfigError> {
    // With `private: true` every app not listed as public is private.
    let (any_private, at) = if settings.private_by_default {
        (true, settings.origin("private"))
    } else {
        match settings.apps.iter().find(|(_, o)| o.private == Some(true)) {
            Some((id, _)) => (true, settings.origin(&format!("apps.{id}.private"))),
            None => (false, String::new()),
        }
    };
    if !any_private {
        return Ok(None);
    }
    let read = |name: &str, what: &str| {
        let value = env(name)
            .and_then(|v| v.into_string().ok())
            .filter(|v| !v.is_empty());
        value.ok_or_else(|| ConfigError::Missing {
            at: at.clone(),
            message: format!(
                "private apps need {what} in the environment variable {name}, which is not set \
                 (site.yaml never holds it)"
            ),
        })
    };
    let secret = read(crate::private::SECRET_VAR, "the site's secret")?;
    if secret.len() < crate::private::SECRET_MIN {
        return Err(ConfigError::Missing {
            at,
            message: format!(
                "{} is too short to be unguessable: use at least {} characters, e.g. the \
                 output of `openssl rand -hex 32`",
                crate::private::SECRET_VAR,
                crate::private::SECRET_MIN
            ),
        });
    }
    let password = read(crate::private::PASSWORD_VAR, "the pages' password")?;
    Ok(Some(crate::private::Keys::new(secret, password)))
}

fn missing_or_not_a_folder(path: &Path) -> &'static str {
    if path.exists() {
        "is not a folder"
    } else {
        "does not exist"
    }
}

/// Parses YAML text into the raw config, with file, line and column on any error.
pub fn parse(path: &Path, text: &str) -> Result<RawConfig, ConfigError> {
    if text.trim().is_empty() {
        return Err(ConfigError::Missing {
            at: path.display().to_string(),
            message: "the file is empty; it needs at least `base_url: https://…`".into(),
        });
    }
    serde_saphyr::from_str::<RawConfig>(text).map_err(|e| {
        use serde_saphyr::MessageFormatter;
        let (line, column) = e
            .location()
            .map_or((0, 0), |loc| (loc.line(), loc.column()));
        let said = serde_saphyr::UserMessageFormatter.format_message(&e);
        let key = key_at(text, line);
        ConfigError::Invalid {
            path: path.display().to_string(),
            line,
            column,
            message: explain(first_line(&said), &key),
        }
    })
}

/// The error's headline, without the source snippet some parsers append.
fn first_line(message: &str) -> &str {
    message.lines().next().unwrap_or(message).trim()
}

/// A YAML library message said in site.yaml's terms: which key, what it takes.
fn explain(message: &str, key: &[String]) -> String {
    let parent = key.len().checked_sub(1).map_or(&key[..0], |n| &key[..n]);
    let under = |text: String| {
        if parent.is_empty() {
            text
        } else {
            format!("{}: {text}", parent.join("."))
        }
    };
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let name = rest.split(',').next().unwrap_or(rest).trim();
        let known = if parent.is_empty() {
            KNOWN_KEYS.to_string()
        } else {
            rest.split_once("expected ")
                .map_or(String::new(), |(_, k)| k.replace("one of ", ""))
        };
        return under(format!("unknown key {name} (known keys: {known})"));
    }
    if message.starts_with("duplicate mapping key") {
        let name = key.last().map_or("a key".to_string(), |k| format!("`{k}`"));
        return under(format!("{name} appears twice; keep one of them"));
    }
    let Some(name) = key.last() else {
        return message.to_string();
    };
    let what = match (parent.first().map(String::as_str), name.as_str()) {
        (None, "keep") => Some("a whole number of builds to keep per channel, e.g. `keep: 20`"),
        (None, "retention") => Some("`max_age_days`, `expired_grace_days` and/or `pin`"),
        (Some("retention"), "max_age_days" | "expired_grace_days") => {
            Some("a whole number of days, e.g. `max_age_days: 90`")
        }
        (Some("retention"), "pin") => Some("a list of build folders or archive paths"),
        (None, "default_channel") => Some("a channel's name, e.g. `default_channel: stable`"),
        (None, "title") => Some("a text, e.g. `title: Acme test builds`"),
        (None, "base_url" | "ipa_base_url") => Some("an https:// URL"),
        (None, "builds" | "output" | "theme") => Some("a folder path"),
        (None, "cname") => Some("a host name, e.g. `cname: builds.example.com`"),
        (None, "private") | (Some("apps"), "private") => Some("`true` or `false`"),
        (None, "devices") => Some("`endpoint` (an https:// URL), `email` and/or `webhook_env`"),
        (Some("devices"), _) => Some("a text"),
        (None, "apps") => Some(
            "bundle ids, each with `name`, `description`, `default_channel`, `promote` and/or `private`",
        ),
        (Some("apps"), _) if parent.len() == 1 => {
            Some("`name`, `description`, `default_channel`, `promote` and/or `private`")
        }
        (Some("apps"), "name" | "description" | "default_channel") => Some("a text"),
        (Some("apps"), "promote") => {
            Some("builds, each with its channels, e.g. `\"1.2-45\": [stable]`")
        }
        _ => None,
    };
    let type_error = message.starts_with("invalid") || message.starts_with("expected");
    match what {
        Some(what) if type_error => format!("{}: expected {what}", key.join(".")),
        _ => format!("{}: {message}", key.join(".")),
    }
}

/// The path of keys (`apps`, `com.example.app`, `name`) of the block-style key written on
/// `line` or the nearest line above it.
fn key_at(text: &str, line: u64) -> Vec<String> {
    key_lines(text)
        .into_iter()
        .take_while(|(_, at)| *at <= line)
        .last()
        .map(|(key, _)| key)
        .unwrap_or_default()
}

/// Every block-style key of a YAML text with its 1-based line, as a path from the top. Flow
/// collections (`{…}`, `[…]`) are not looked into; block scalars (`|`, `>`) are skipped.
fn key_lines(text: &str) -> Vec<(Vec<String>, u64)> {
    let mut keys = Vec::new();
    let mut stack: Vec<(usize, String)> = Vec::new();
    let mut scalar_above: Option<usize> = None;
    for (index, line) in text.lines().enumerate() {
        let body = line.trim_start();
        let indent = line.len() - body.len();
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        match scalar_above {
            Some(key_indent) if indent > key_indent => continue,
            _ => scalar_above = None,
        }
        let Some((key, value)) = split_key(body) else {
            continue;
        };
        while stack.last().is_some_and(|(i, _)| *i >= indent) {
            stack.pop();
        }
        stack.push((indent, key));
        keys.push((
            stack.iter().map(|(_, k)| k.clone()).collect(),
            index as u64 + 1,
        ));
        if value.starts_with('|') || value.starts_with('>') {
            scalar_above = Some(indent);
        }
    }
    keys
}

/// `key: value` -> (`key`, `value`), quotes removed from the key.
fn split_key(body: &str) -> Option<(String, &str)> {
    let (key, value) = match body.as_bytes().first() {
        Some(quote @ (b'"' | b'\'')) => {
            let end = body[1..].find(*quote as char)? + 1;
            let value = body[end + 1..].trim_start().strip_prefix(':')?;
            (body[1..end].to_string(), value)
        }
        _ => {
            let colon = body
                .match_indices(':')
                .map(|(i, _)| i)
                .find(|&i| body[i + 1..].is_empty() || body[i + 1..].starts_with([' ', '\t']))?;
            let key = body[..colon].trim();
            if key.is_empty() || key.starts_with(['-', '{', '[', '?']) {
                return None;
            }
            (key.to_string(), &body[colon + 1..])
        }
    };
    Some((key, value.trim()))
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
            at: "--base-url".into(),
            message: m,
        })?,
        (None, Some(url)) => {
            https_url(&url.value).map_err(|m| at(&url.referenced, format!("base_url: {m}")))?
        }
        (None, None) => {
            return Err(ConfigError::Missing {
                at: file,
                message: "base_url is required: add `base_url: https://your.host/path/` (iOS installs only over HTTPS), or pass --base-url".into(),
            });
        }
    };
    let base_url = overrides.preview_url.clone().unwrap_or(base_url);
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
    let retention = match &raw.retention {
        Some(rules) => {
            let days = [rules.value.max_age_days, rules.value.expired_grace_days];
            if days.into_iter().flatten().any(|d| d > RETENTION_DAYS_LIMIT) {
                return Err(at(
                    &rules.referenced,
                    format!("retention: days must be at most {RETENTION_DAYS_LIMIT}"),
                ));
            }
            if rules.value.max_age_days == Some(0) {
                return Err(at(
                    &rules.referenced,
                    "retention: max_age_days must be at least 1 (remove it to keep builds of any age)".into(),
                ));
            }
            rules.value.clone()
        }
        None => Retention::default(),
    };
    let cname = match &raw.cname {
        Some(cname) => {
            host_name(&cname.value).map_err(|m| at(&cname.referenced, format!("cname: {m}")))?
        }
        None => None,
    };
    let devices = match &raw.devices {
        Some(devices) => Some(
            devices
                .value
                .validate()
                .map_err(|m| at(&devices.referenced, m))?,
        ),
        None => None,
    };
    let resolve = |p: &Path| folder.join(p);
    Ok(Settings {
        config_file: path.to_path_buf(),
        title: raw
            .title
            .filter(|t| !t.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_TITLE.to_string()),
        base_url,
        builds_dir: resolve(
            raw.builds
                .as_ref()
                .map_or(Path::new("builds"), |b| b.value.as_path()),
        ),
        output_dir: overrides
            .output
            .clone()
            .unwrap_or_else(|| resolve(raw.output.as_deref().unwrap_or(Path::new("dist")))),
        theme_dir: raw.theme.as_ref().map(|t| resolve(&t.value)),
        ipa_base_url,
        keep,
        retention,
        default_channel: raw
            .default_channel
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty()),
        apps: raw.apps,
        cname,
        private: None,
        private_by_default: raw.private.is_some_and(|p| p.value),
        devices,
        origins: BTreeMap::new(),
        language: raw
            .language
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .unwrap_or_else(|| DEFAULT_LANGUAGE.to_string()),
        languages: raw.languages.iter().map(|l| l.trim().to_string()).collect(),
    })
}

/// A `cname` must be what GitHub Pages reads from `CNAME`: a bare host name, nothing else.
fn host_name(text: &str) -> Result<Option<String>, String> {
    let host = text.trim();
    if host.is_empty() {
        return Ok(None);
    }
    let fix = "write a bare host name such as `builds.example.com` (no https://, no path, no port)";
    if host.contains("://") || host.contains(['/', ':', '?', '#', '@']) {
        return Err(format!("{host:?} is not a bare host name: {fix}"));
    }
    let label_ok = |label: &str| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    let labels: Vec<&str> = host.strip_suffix('.').unwrap_or(host).split('.').collect();
    if host.len() > 253 || labels.len() < 2 || !labels.iter().all(|l| label_ok(l)) {
        return Err(format!(
            "{host:?} is not a valid host name (letters, digits and `-` between dots): {fix}"
        ));
    }
    Ok(Some(host.to_ascii_lowercase()))
}

/// The host of `url` when it is a documentation placeholder (`example.com`, `.org`, `.net` or
/// a subdomain: names reserved by RFC 2606, the value `otasite init` writes), which no
/// device can install from.
pub fn placeholder_host(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    let host = parsed
        .host_str()?
        .trim_end_matches('.')
        .to_ascii_lowercase();
    let reserved = ["example.com", "example.org", "example.net"];
    reserved
        .iter()
        .any(|r| host == *r || host.ends_with(&format!(".{r}")))
        .then_some(host)
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
    fn key_paths_follow_indentation_and_skip_block_scalars() {
        let text = "title: T\napps:\n  com.example.a:\n    description: |\n      not: a key\n    name: A\n  \"com.example.b\":\n    name: B\nkeep: 3\n";
        let keys: Vec<(String, u64)> = key_lines(text)
            .into_iter()
            .map(|(path, line)| (path.join("."), line))
            .collect();
        let expected = [
            ("title", 1),
            ("apps", 2),
            ("apps.com.example.a", 3),
            ("apps.com.example.a.description", 4),
            ("apps.com.example.a.name", 6),
            ("apps.com.example.b", 7),
            ("apps.com.example.b.name", 8),
            ("keep", 9),
        ];
        let expected: Vec<(String, u64)> =
            expected.iter().map(|(k, l)| (k.to_string(), *l)).collect();
        assert_eq!(keys, expected);
        assert_eq!(key_at(text, 5), ["apps", "com.example.a", "description"]);
    }

    #[test]
    fn cname_is_a_bare_host_name() {
        assert_eq!(
            host_name("Apps.Example.TEST").unwrap().as_deref(),
            Some("apps.example.test")
        );
        assert_eq!(host_name("  ").unwrap(), None);
        for bad in [
            "https://a.b",
            "a.b/c",
            "a.b:443",
            "localhost",
            "a..b",
            "-a.b",
            "a b.c",
        ] {
            assert!(host_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn placeholder_hosts_are_the_reserved_example_domains() {
        assert_eq!(
            placeholder_host("https://builds.example.com/").as_deref(),
            Some("builds.example.com")
        );
        assert!(placeholder_host("https://EXAMPLE.org./x/").is_some());
        assert!(placeholder_host("https://example.net/").is_some());
        for real in [
            "https://example.test/",
            "https://myexample.com/",
            "https://example.com.evil.io/",
        ] {
            assert_eq!(placeholder_host(real), None, "{real}");
        }
    }

    #[test]
    fn channels_are_read_per_site_and_per_app() {
        let s = load_text(
            "base_url: https://x.org/\ndefault_channel: stable\napps:\n  com.a:\n    default_channel: beta\n    promote:\n      \"1.2-45\": [stable, qa]\n",
        )
        .unwrap();
        assert_eq!(s.default_channel.as_deref(), Some("stable"));
        let app = &s.apps["com.a"];
        assert_eq!(app.default_channel.as_deref(), Some("beta"));
        assert_eq!(app.promote["1.2-45"], ["stable", "qa"]);
        let err = load_text("base_url: https://x.org/\napps:\n  com.a:\n    promote: stable\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("/site/site.yaml:4:"), "{err}");
        assert!(err.contains("apps.com.a.promote: expected builds"), "{err}");
    }

    #[test]
    fn private_is_read_per_site_and_per_app_and_needs_the_environment() {
        let s = load_text(
            "base_url: https://x.org/\nprivate: true\napps:\n  com.pub:\n    private: false\n",
        )
        .unwrap();
        assert!(s.private_by_default);
        let env = |name: &str| match name {
            "OTASITE_SECRET" => Some("s".repeat(32).into()),
            "OTASITE_PASSWORD" => Some("pw".into()),
            _ => None,
        };
        let keys = private_keys(&s, env).unwrap().expect("keys");
        let mut s = s;
        s.private = Some(keys);
        assert!(s.is_private("com.any") && !s.is_private("com.pub"));
        let printed = format!("{s:?}");
        assert!(
            !printed.contains(&"s".repeat(32)) && !printed.contains("\"pw\""),
            "{printed}"
        );

        let text = "base_url: https://x.org/\napps:\n  com.a:\n    private: true\n";
        let s = load_text(text).unwrap();
        let err = private_keys(&s, |_| None).unwrap_err().to_string();
        assert!(
            err.contains("OTASITE_SECRET") && err.contains("not set"),
            "{err}"
        );
        let short = |name: &str| (name == "OTASITE_SECRET").then(|| "short".into());
        let err = private_keys(&s, short).unwrap_err().to_string();
        assert!(err.contains("too short"), "{err}");
        let no_password = |name: &str| (name == "OTASITE_SECRET").then(|| "x".repeat(40).into());
        let err = private_keys(&s, no_password).unwrap_err().to_string();
        assert!(err.contains("OTASITE_PASSWORD"), "{err}");
        let public = load_text("base_url: https://x.org/\n").unwrap();
        assert!(private_keys(&public, |_| None).unwrap().is_none());

        let err = load_text("base_url: https://x.org/\nprivate: yes please\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("/site/site.yaml:2:"), "{err}");
        let err = load_text("base_url: https://x.org/\nprivate: true\nsecret: abc\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("/site/site.yaml:3:1") && err.contains("unknown key `secret`"),
            "{err}"
        );
    }

    #[test]
    fn keep_zero_is_refused() {
        let err = load_text("base_url: https://x.org/\nkeep: 0\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains(":2:") && err.contains("at least 1"), "{err}");
    }
}
