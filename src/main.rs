//! The `otasite` binary: parse arguments, run the command, print how it ended, exit.

use std::process::ExitCode;

use clap::Parser;
use otasite::cli::{Cli, Command};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Inspect(args) => otasite::commands::inspect(&args),
        Command::Build(args) => otasite::commands::build(&args),
        Command::Init(args) => otasite::init::run(&args),
        Command::Check(args) => otasite::check::run(&args),
        Command::Serve(args) => otasite::serve::run(&args),
    };
    ExitCode::from(otasite::commands::finish(outcome))
}
