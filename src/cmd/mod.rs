//! The command layer: the only code that sees the command line's types. Each command resolves
//! its arguments once into what the library takes, runs it, and says how it ended; the exit
//! code is decided here.

mod build;
mod check;
mod devices;
mod diff;
mod init;
mod inspect;
mod notify;
mod serve;

use crate::cli::Command;
use crate::config::ConfigError;
use crate::http::ExtraRootsError;
use crate::messages;
use crate::output::OutputError;
use crate::pipeline::BuildError;

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

/// Runs one parsed command line, prints how it ended and returns the exit code.
pub fn run(command: Command) -> u8 {
    let outcome = match command {
        Command::Inspect(args) => inspect::run(&args),
        Command::Build(args) => build::run(&args),
        Command::Init(args) => init::run(&args),
        Command::Check(args) => check::run(&args),
        Command::Serve(args) => serve::run(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Notify(args) => notify::run(&args),
        Command::Devices(args) => devices::run(&args),
    };
    finish(outcome)
}

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
            if is_usage(&error) {
                exit::USAGE
            } else {
                exit::FAILED
            }
        }
    }
}

/// Errors the person running the command fixes in what they typed or configured.
fn is_usage(error: &anyhow::Error) -> bool {
    error.is::<UsageError>()
        || error.is::<ConfigError>()
        || error.is::<ExtraRootsError>()
        || is_refused_output(error)
}

/// An output folder that is, holds or lies inside an input: a mistake in `--out` or `output`.
fn is_refused_output(error: &anyhow::Error) -> bool {
    let output = match error.downcast_ref::<BuildError>() {
        Some(BuildError::Output(output)) => Some(output),
        _ => error.downcast_ref::<OutputError>(),
    };
    matches!(output, Some(OutputError::Protected { .. }))
}
