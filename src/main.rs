//! The `otasite` binary: parse arguments, run the command, print errors with their causes.

use std::process::ExitCode;

use clap::Parser;
use otasite::cli::{Cli, Command};

/// Documented exit codes.
const EXIT_FAILED: u8 = 1;
const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Inspect(args) => otasite::commands::inspect(&args),
        Command::Build(args) => otasite::commands::build(&args),
        Command::Init(args) => otasite::init::run(&args),
        Command::Check(args) => otasite::check::run(&args),
        Command::Serve(args) => otasite::serve::run(&args),
    };
    match outcome {
        Ok(otasite::commands::Outcome::Success) => ExitCode::SUCCESS,
        Ok(otasite::commands::Outcome::Failed) => ExitCode::from(EXIT_FAILED),
        Err(error) => {
            eprintln!("error: {error}");
            for cause in error.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            let usage = error
                .downcast_ref::<otasite::commands::UsageError>()
                .is_some();
            ExitCode::from(if usage { EXIT_USAGE } else { EXIT_FAILED })
        }
    }
}
