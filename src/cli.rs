//! The command line: commands and flags, each with a doc line.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Build static over-the-air install portals for iOS apps from a folder of .ipa files.
#[derive(Debug, Parser)]
#[command(name = "otasite", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show what .ipa and .mobileprovision files contain and whether they install over the air.
    Inspect(InspectArgs),
}

#[derive(Debug, clap::Args)]
pub struct InspectArgs {
    /// The .ipa or .mobileprovision files to read.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Print one JSON array with one object per file.
    #[arg(long)]
    pub json: bool,
    /// Skip the SHA-256 pass over each file (sha256 is then null).
    #[arg(long)]
    pub no_hash: bool,
}
