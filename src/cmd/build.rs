//! `otasite build`: settings from the config file and the flags that override it, build
//! options from the rest; then the build and the warnings about its result.

use super::Outcome;
use crate::cli::BuildArgs;
use crate::config::{self, Overrides, Settings};
use crate::messages;
use crate::output::IpaMode;
use crate::pipeline::{self, BuildOptions, Verbosity};

pub fn run(args: &BuildArgs) -> anyhow::Result<Outcome> {
    let settings = config::load(&args.config, &overrides(args))?;
    config::check_inputs(&settings)?;
    if let Some(host) = config::placeholder_host(&settings.base_url) {
        messages::warning(placeholder_message(&settings, &host));
    }
    let summary = pipeline::build(&settings, &options(args))?;
    for warning in summary.warnings {
        messages::warning(warning);
    }
    Ok(if summary.skipped.is_empty() {
        Outcome::Success
    } else {
        Outcome::Skipped
    })
}

/// The flags that take precedence over site.yaml.
fn overrides(args: &BuildArgs) -> Overrides {
    Overrides {
        base_url: args.base_url.clone(),
        output: args.out.clone(),
        ..Overrides::default()
    }
}

fn options(args: &BuildArgs) -> BuildOptions {
    let verbosity = match (args.quiet, args.verbose) {
        (true, _) => Verbosity::Quiet,
        (_, true) => Verbosity::Verbose,
        _ => Verbosity::Normal,
    };
    BuildOptions {
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
        new_salt: args.new_salt,
    }
}

/// Why a documentation host in `base_url` is worth saying: every install link points nowhere.
fn placeholder_message(settings: &Settings, host: &str) -> String {
    format!(
        "{}: base_url {} is a placeholder ({host} is reserved for examples): install links on this site will not work; set base_url to the https:// URL the site is served from",
        settings.origin("base_url"),
        settings.base_url
    )
}
