//! `otasite diff OLD NEW`: what changed between two builds, each an archive or a build of a
//! catalog (`CATALOG#BUILD`), as text or JSON.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use serde::Serialize;

use super::{Outcome, UsageError};
use crate::cli::DiffArgs;
use crate::diff::{self, Change, Facts};
use crate::ipa::{ReadOptions, read_ipa};
use crate::messages;

/// One side of the comparison, as `--json` names it.
#[derive(Debug, Serialize)]
struct Side {
    /// The argument as given.
    source: String,
    bundle_id: String,
    version: Option<String>,
    build: Option<String>,
    #[serde(skip)]
    facts: Facts,
}

/// `otasite diff --json`.
#[derive(Debug, Serialize)]
struct Report<'a> {
    old: &'a Side,
    new: &'a Side,
    facts: Vec<Change>,
}

pub fn run(args: &DiffArgs) -> anyhow::Result<Outcome> {
    let old = side(&args.old)?;
    let new = side(&args.new)?;
    let report = Report {
        facts: diff::compare(&old.facts, &new.facts),
        old: &old,
        new: &new,
    };
    let mut out = messages::stdout();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
        return Ok(Outcome::Success);
    }
    let id = if old.bundle_id == new.bundle_id {
        old.bundle_id.clone()
    } else {
        format!("{} → {}", old.bundle_id, new.bundle_id)
    };
    writeln!(
        out,
        "{id}: {} → {}",
        old.facts.display_version(),
        new.facts.display_version()
    )?;
    if report.facts.is_empty() {
        writeln!(out, "  no difference in the compared facts")?;
    }
    for change in &report.facts {
        writeln!(out, "  {}", change.describe())?;
    }
    Ok(Outcome::Success)
}

/// An archive when `arg` names a file, else `CATALOG#BUILD`: a catalog.json (file or
/// `https://` URL) and a build's folder in it (`com.example.app/1.2-45/`).
fn side(arg: &str) -> anyhow::Result<Side> {
    if Path::new(arg).is_file() {
        let options = ReadOptions {
            decode_icon: false,
            ..ReadOptions::default()
        };
        let ipa = read_ipa(Path::new(arg), options).with_context(|| arg.to_string())?;
        return Ok(Side {
            source: arg.to_string(),
            bundle_id: ipa.bundle_id.clone(),
            version: ipa.info.version.clone(),
            build: ipa.info.build.clone(),
            facts: Facts::of_ipa(&ipa),
        });
    }
    let Some((catalog, wanted)) = arg.rsplit_once('#') else {
        return Err(UsageError(format!(
            "{arg}: no such file; name an .ipa file, or a build of a catalog as CATALOG#BUILD (e.g. dist/catalog.json#com.example.app/1.2-45/)"
        ))
        .into());
    };
    let catalog = crate::previous::read_catalog(catalog)?;
    let wanted = wanted.trim_end_matches('/');
    let builds = || catalog.apps.iter().flat_map(|app| &app.builds);
    let build = builds()
        .find(|b| b.path.trim_end_matches('/') == wanted)
        .ok_or_else(|| {
            let known: Vec<&str> = builds().map(|b| b.path.as_str()).take(5).collect();
            UsageError(format!(
                "{arg}: the catalog has no build {wanted}/ (its builds include: {})",
                known.join(", ")
            ))
        })?;
    Ok(Side {
        source: arg.to_string(),
        bundle_id: build.bundle_id.clone(),
        version: build.version.clone(),
        build: build.build.clone(),
        facts: build.facts(),
    })
}
