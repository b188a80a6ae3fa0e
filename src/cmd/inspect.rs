//! `otasite inspect`: read each file in parallel, print one summary (or one JSON array).

use std::io::Write;

use rayon::prelude::*;

use super::Outcome;
use crate::cli::InspectArgs;
use crate::inspect::{self, Report};
use crate::ipa::ReadOptions;
use crate::messages;

pub fn run(args: &InspectArgs) -> anyhow::Result<Outcome> {
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
