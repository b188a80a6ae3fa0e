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
    /// Build the install portal from the builds folder into the output folder.
    Build(BuildArgs),
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

#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// The site configuration file; paths inside it are relative to its folder.
    #[arg(long, short = 'c', default_value = "site.yaml")]
    pub config: PathBuf,
    /// Write the site here instead of the config's `output`.
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
    /// Serve from this https:// URL instead of the config's `base_url`.
    #[arg(long)]
    pub base_url: Option<String>,
    /// Hard-link the .ipa files into the site instead of copying them (copies across file systems).
    #[arg(long)]
    pub link: bool,
    /// Fail when the newest build of any app cannot be installed.
    #[arg(long)]
    pub strict: bool,
    /// Build the site from the readable archives and report the others.
    #[arg(long)]
    pub keep_going: bool,
    /// Replace the output folder even if otasite did not create it.
    #[arg(long)]
    pub force: bool,
    /// Print only warnings and errors.
    #[arg(long, short = 'q', conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print each step with its timing.
    #[arg(long, short = 'v')]
    pub verbose: bool,
}
