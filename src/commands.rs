//! Each command as a function of its parsed arguments; `main` only maps outcomes to exit codes.

use std::io::Write;

use rayon::prelude::*;

use crate::cli::{BuildArgs, InspectArgs};
use crate::config::{self, Overrides};
use crate::inspect::{self, Report};
use crate::ipa::ReadOptions;
use crate::output::IpaMode;
use crate::pipeline::{self, BuildOptions, Verbosity};

/// How a command ended when it did not hit an error of its own.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Success,
    /// The command ran but some input failed (exit code 1).
    Failed,
}

/// A problem with the command line or configuration (exit code 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

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
    let mut out = std::io::stdout().lock();
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
    let settings = config::load(&args.config, &overrides).map_err(|e| UsageError(e.to_string()))?;
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
    };
    let summary = pipeline::build(&settings, &options)?;
    for warning in pipeline::summary_warnings(&summary.catalog) {
        eprintln!("warning: {warning}");
    }
    Ok(if summary.skipped.is_empty() {
        Outcome::Success
    } else {
        Outcome::Failed
    })
}
