//! The `otasite` binary: parse arguments, run the command, print how it ended, exit.

use std::process::ExitCode;

use clap::Parser;
use otasite::cli::Cli;

fn main() -> ExitCode {
    ExitCode::from(otasite::cmd::run(Cli::parse().command))
}
