//! `otasite check`: verify a built site before deploying it, or a deployed one with `--remote`.
//!
//! Findings are printed one per line (`error|warning|note: <file or URL>: <what is wrong>`),
//! then a summary with counts; any error makes the exit code 1.
//!
//! With `--remote`, the environment variable `OTASITE_EXTRA_CA_CERT=<pem file>` adds root
//! certificates to trust besides the public ones (for a test server with a private CA).

mod devices;
pub mod expiring;
mod offline;
pub mod previews;
mod private_site;
mod remote;
mod report;
pub mod retention;
mod site;

use std::path::{Path, PathBuf};

use crate::config::{self, Overrides, Settings};
use crate::http;

pub use report::{Finding, Report, Severity};

/// The config file `check` reads, like `build`, from the current folder.
const CONFIG_FILE: &str = "site.yaml";
const DEFAULT_OUTPUT: &str = "dist";

/// What to check and how, resolved from the command line.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The built site (default: the config's output folder, else `dist`).
    pub dir: Option<PathBuf>,
    /// The deployed site to check instead, as a validated https:// URL.
    pub remote: Option<String>,
    /// Most requests in flight at once with `remote` (at least 1).
    pub concurrency: usize,
    /// Seconds before a request with `remote` gives up (at least 1).
    pub timeout: u64,
    /// Accept a site that lists no app.
    pub allow_empty: bool,
}

impl Plan {
    /// What the summary line counts: files of a built site or URLs of a deployed one.
    pub fn subject(&self) -> &'static str {
        if self.remote.is_some() { "URL" } else { "file" }
    }
}

/// Runs the check the plan describes; the findings decide whether it passed.
pub fn run(plan: &Plan) -> anyhow::Result<Report> {
    let config = load_config(plan)?;
    let dir = match (&plan.dir, &config) {
        (Some(dir), _) => dir.clone(),
        (None, Some(settings)) => settings.output_dir.clone(),
        (None, None) => PathBuf::from(DEFAULT_OUTPUT),
    };
    match &plan.remote {
        Some(url) => check_remote(plan, url, &dir),
        None => check_offline(plan, &dir, config.as_ref()),
    }
}

/// `./site.yaml` when present. Without an explicit DIR it must load (it names DIR); with one,
/// it only tells `ipa_base_url`, so a broken file is not fatal.
fn load_config(plan: &Plan) -> anyhow::Result<Option<Settings>> {
    let path = Path::new(CONFIG_FILE);
    if !path.is_file() {
        return Ok(None);
    }
    match load_site_config(path) {
        Ok(settings) => Ok(Some(settings)),
        Err(_) if plan.dir.is_some() => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// `site.yaml` read as every check reads it: without the private apps' keys, which only the
/// commands that write a site need.
pub fn load_site_config(path: &Path) -> Result<Settings, config::ConfigError> {
    let overrides = Overrides {
        without_private_keys: true,
        ..Overrides::default()
    };
    config::load(path, &overrides)
}

/// The built site a check reads: DIR when given, else the output of `./site.yaml`, else `dist`.
pub fn site_dir(dir: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(dir) = dir {
        return Ok(dir.to_path_buf());
    }
    let config = Path::new(CONFIG_FILE);
    if config.is_file() {
        return Ok(load_site_config(config)?.output_dir);
    }
    Ok(PathBuf::from(DEFAULT_OUTPUT))
}

fn check_offline(plan: &Plan, dir: &Path, config: Option<&Settings>) -> anyhow::Result<Report> {
    let (catalog, _) = site::read_catalog(dir)?;
    // site.yaml describes DIR when DIR is its output, or when it serves the same base_url.
    let describes_dir = |settings: &Settings| {
        plan.dir.is_none()
            || same_folder(dir, &settings.output_dir)
            || settings.base_url == catalog.site.base_url
    };
    let ipa_base = match config.filter(|s| describes_dir(s)) {
        Some(settings) => offline::IpaBase::Known(settings.ipa_base_url.clone()),
        None => offline::IpaBase::Unknown,
    };
    let mut report = offline::check(&offline::Site {
        dir,
        catalog: &catalog,
        ipa_base,
        now: crate::clock::now(),
        allow_empty: plan.allow_empty,
    });
    private_site::check_local(
        dir,
        &catalog.site.base_url,
        private_site::password_from_env(),
        &mut report,
    );
    Ok(report)
}

fn check_remote(plan: &Plan, url: &str, dir: &Path) -> anyhow::Result<Report> {
    // The local build is optional: compared with when given, or when the default one exists.
    let local = if plan.dir.is_some() || dir.join(crate::layout::CATALOG).is_file() {
        let (catalog, catalog_bytes) = site::read_catalog(dir)?;
        Some(remote::Local {
            dir: dir.to_path_buf(),
            catalog,
            catalog_bytes,
        })
    } else {
        None
    };
    let client = http::Client::new(plan.timeout)?;
    let mut report = remote::check(&remote::Remote {
        url,
        local: local.as_ref(),
        client: &client,
        concurrency: plan.concurrency,
        allow_empty: plan.allow_empty,
    });
    if let Some(local) = &local {
        private_site::check_remote(
            url,
            &local.dir,
            &client,
            private_site::password_from_env(),
            &mut report,
        );
    }
    if local.is_none() {
        report.note(
            dir.display().to_string(),
            "no local build here, so the deployed manifests were not compared with it",
        );
    }
    Ok(report)
}

fn same_folder(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}
