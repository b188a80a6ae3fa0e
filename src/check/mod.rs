//! `otasite check`: verify a built site before deploying it, or a deployed one with `--remote`.
//!
//! Findings are printed one per line (`error|warning|note: <file or URL>: <what is wrong>`),
//! then a summary with counts; any error makes the exit code 1.
//!
//! With `--remote`, the environment variable `OTASITE_EXTRA_CA_CERT=<pem file>` adds root
//! certificates to trust besides the public ones (for a test server with a private CA).

pub(crate) mod http;
mod offline;
mod remote;
mod report;
mod site;

use std::path::{Path, PathBuf};

use crate::cli::CheckArgs;
use crate::commands::{Outcome, UsageError};
use crate::config::{self, Overrides, Settings};

pub use http::EXTRA_CA_ENV;
use report::Report;

/// The config file `check` reads, like `build`, from the current folder.
const CONFIG_FILE: &str = "site.yaml";
const DEFAULT_OUTPUT: &str = "dist";

pub fn run(args: &CheckArgs) -> anyhow::Result<Outcome> {
    if args.concurrency == 0 {
        return Err(UsageError("--concurrency must be at least 1".into()).into());
    }
    if args.timeout == 0 {
        return Err(UsageError("--timeout must be at least 1 second".into()).into());
    }
    let config = load_config(args)?;
    let dir = match (&args.dir, &config) {
        (Some(dir), _) => dir.clone(),
        (None, Some(settings)) => settings.output_dir.clone(),
        (None, None) => PathBuf::from(DEFAULT_OUTPUT),
    };
    let report = match &args.remote {
        Some(url) => check_remote(args, url, &dir)?,
        None => check_offline(args, &dir, config.as_ref())?,
    };
    let what = if args.remote.is_some() { "URL" } else { "file" };
    let colour = crate::messages::stdout_colour();
    report.print(&mut crate::messages::stdout(), what, colour)?;
    Ok(report.outcome())
}

/// `./site.yaml` when present. Without an explicit DIR it must load (it names DIR); with one,
/// it only tells `ipa_base_url`, so a broken file is not fatal.
fn load_config(args: &CheckArgs) -> anyhow::Result<Option<Settings>> {
    let path = Path::new(CONFIG_FILE);
    if !path.is_file() {
        return Ok(None);
    }
    match config::load(path, &Overrides::default()) {
        Ok(settings) => Ok(Some(settings)),
        Err(_) if args.dir.is_some() => Ok(None),
        Err(e) => Err(e.into()),
    }
}

fn check_offline(
    args: &CheckArgs,
    dir: &Path,
    config: Option<&Settings>,
) -> anyhow::Result<Report> {
    let (catalog, _) = site::read_catalog(dir)?;
    // site.yaml describes DIR when DIR is its output, or when it serves the same base_url.
    let describes_dir = |settings: &Settings| {
        args.dir.is_none()
            || same_folder(dir, &settings.output_dir)
            || settings.base_url == catalog.site.base_url
    };
    let ipa_base = match config.filter(|s| describes_dir(s)) {
        Some(settings) => offline::IpaBase::Known(settings.ipa_base_url.clone()),
        None => offline::IpaBase::Unknown,
    };
    Ok(offline::check(&offline::Site {
        dir,
        catalog: &catalog,
        ipa_base,
        now: crate::clock::now(),
        allow_empty: args.allow_empty,
    }))
}

fn check_remote(args: &CheckArgs, url: &str, dir: &Path) -> anyhow::Result<Report> {
    let url = config::https_url(url).map_err(|m| UsageError(format!("--remote {m}")))?;
    // The local build is optional: compared with when given, or when the default one exists.
    let local = if args.dir.is_some() || dir.join(crate::layout::CATALOG).is_file() {
        let (catalog, catalog_bytes) = site::read_catalog(dir)?;
        Some(remote::Local {
            dir: dir.to_path_buf(),
            catalog,
            catalog_bytes,
        })
    } else {
        None
    };
    let client = http::Client::new(args.timeout)?;
    let mut report = remote::check(&remote::Remote {
        url: &url,
        local: local.as_ref(),
        client: &client,
        concurrency: args.concurrency,
        allow_empty: args.allow_empty,
    });
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
