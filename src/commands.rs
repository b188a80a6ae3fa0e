//! Each command as a function of its parsed arguments, and the documented exit codes their
//! outcomes map to.

use std::io::Write;

use rayon::prelude::*;

use crate::cli::{BuildArgs, InspectArgs};
use crate::config::{self, ConfigError, Overrides, Settings};
use crate::inspect::{self, Report};
use crate::ipa::ReadOptions;
use crate::messages;
use crate::output::IpaMode;
use crate::pipeline::{self, BuildOptions, Verbosity};

/// How a command ended when it did not hit an error of its own.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Success,
    /// The command ran but some input failed (exit code 1).
    Failed,
    /// The site was built from the readable archives; others were skipped (`build
    /// --keep-going`, exit code 3).
    Skipped,
}

/// The documented exit codes.
pub mod exit {
    pub const SUCCESS: u8 = 0;
    /// The build, the check or an input failed.
    pub const FAILED: u8 = 1;
    /// The command line or the configuration is wrong.
    pub const USAGE: u8 = 2;
    /// `build --keep-going` built the site, skipping inputs it could not read.
    pub const SKIPPED: u8 = 3;
}

/// A problem with the command line (exit code 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Prints how a command ended, through the one printer, and returns its exit code. A reader
/// that closed stdout early (`| head`) is a quiet success.
pub fn finish(result: anyhow::Result<Outcome>) -> u8 {
    if messages::stdout_closed() {
        return exit::SUCCESS;
    }
    match result {
        Ok(Outcome::Success) => exit::SUCCESS,
        Ok(Outcome::Failed) => exit::FAILED,
        Ok(Outcome::Skipped) => exit::SKIPPED,
        Err(error) => {
            messages::error(error.as_ref());
            if error.is::<UsageError>() || error.is::<ConfigError>() {
                exit::USAGE
            } else {
                exit::FAILED
            }
        }
    }
}

pub fn inspect(args: &InspectArgs) -> anyhow::Result<Outcome> {
    let options = ReadOptions {
        hash: !args.no_hash,
        decode_icon: false,
        ..ReadOptions::default()
    };
    let reports: Vec<Report> = args
        .files
        .par_iter()
        .map(|path| inspect::inspect_file(path, options))
        .collect();
    let mut out = messages::stdout();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &reports)?;
        writeln!(out)?;
    } else {
        for report in &reports {
            write!(out, "{}", inspect::summary(report))?;
        }
    }
    let failed = reports.iter().any(Report::is_error);
    Ok(if failed {
        Outcome::Failed
    } else {
        Outcome::Success
    })
}

pub fn build(args: &BuildArgs) -> anyhow::Result<Outcome> {
    let overrides = Overrides {
        base_url: args.base_url.clone(),
        output: args.out.clone(),
    };
    let settings = config::load(&args.config, &overrides)?;
    config::check_inputs(&settings)?;
    if let Some(host) = config::placeholder_host(&settings.base_url) {
        messages::warning(placeholder_message(&settings, &host));
    }
    let verbosity = match (args.quiet, args.verbose) {
        (true, _) => Verbosity::Quiet,
        (_, true) => Verbosity::Verbose,
        _ => Verbosity::Normal,
    };
    let options = BuildOptions {
        ipa_mode: if args.link {
            IpaMode::Link
        } else {
            IpaMode::Copy
        },
        strict: args.strict,
        keep_going: args.keep_going,
        force: args.force,
        verbosity,
        banner: None,
        previous: args.previous.clone(),
        allow_empty: args.allow_empty,
    };
    let summary = pipeline::build(&settings, &options)?;
    for warning in pipeline::summary_warnings(&summary.catalog) {
        messages::warning(warning);
    }
    for warning in unused_app_entries(&settings, &summary.catalog) {
        messages::warning(warning);
    }
    Ok(if summary.skipped.is_empty() {
        Outcome::Success
    } else {
        Outcome::Skipped
    })
}

/// Why a documentation host in `base_url` is worth saying: every install link points nowhere.
pub fn placeholder_message(settings: &Settings, host: &str) -> String {
    format!(
        "{}: base_url {} is a placeholder ({host} is reserved for examples): install links on this site will not work; set base_url to the https:// URL the site is served from",
        settings.origin("base_url"),
        settings.base_url
    )
}

/// `apps:` entries naming a bundle id no build has: most likely a typo, silently unused.
fn unused_app_entries(settings: &Settings, catalog: &crate::catalog::Catalog) -> Vec<String> {
    settings
        .apps
        .keys()
        .filter(|id| !catalog.apps.iter().any(|app| &app.bundle_id == *id))
        .map(|id| {
            format!(
                "{}: apps: {id}: no archive has the bundle id {id}, so this entry is unused",
                settings.origin(&format!("apps.{id}"))
            )
        })
        .collect()
}
