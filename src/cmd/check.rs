//! `otasite check`: the flags checked and resolved into a [`check::Plan`], the report printed
//! on stdout; any error finding fails the command.

use super::{Outcome, UsageError};
use crate::check::{self, Plan};
use crate::cli::CheckArgs;
use crate::{config, messages};

pub fn run(args: &CheckArgs) -> anyhow::Result<Outcome> {
    if let Some(window) = &args.expiring {
        return expiring(args, window);
    }
    if args.retention {
        check::retention::run(
            std::path::Path::new("site.yaml"),
            args.dir.as_deref(),
            crate::clock::now(),
            &mut messages::stdout(),
        )?;
        return Ok(Outcome::Success);
    }
    let plan = plan(args)?;
    let report = check::run(&plan)?;
    report.print(
        &mut messages::stdout(),
        plan.subject(),
        messages::stdout_colour(),
    )?;
    Ok(if report.has_errors() {
        Outcome::Failed
    } else {
        Outcome::Success
    })
}

/// `--expiring WINDOW`: only the expiry of each channel's newest installable build.
fn expiring(args: &CheckArgs, window: &str) -> anyhow::Result<Outcome> {
    use check::expiring::{self, Source};
    let window =
        expiring::parse_window(window).map_err(|m| UsageError(format!("--expiring {m}")))?;
    let source = match &args.remote {
        Some(url) => {
            Source::Remote(config::https_url(url).map_err(|m| UsageError(format!("--remote {m}")))?)
        }
        None => Source::Local(check::site_dir(args.dir.as_deref())?),
    };
    // Refuse a missing webhook before reading anything, as `notify` does.
    let targets = match args.notify {
        true => Some(super::notify::configured_targets(args.dry_run)?),
        false => None,
    };
    let github = std::env::var_os("GITHUB_ACTIONS").is_some_and(|v| v == "true");
    let now = crate::clock::now();
    let found = expiring::run(&source, window, now, github, &mut messages::stdout())?;
    let mut posted = true;
    if let Some(targets) = targets {
        if found.is_empty() {
            messages::info("notify: nothing stops launching within the window; nothing posted");
        } else {
            let reminder = crate::notify::expiring::Reminder {
                span: expiring::span(window),
                now,
                builds: found.clone(),
            };
            posted = super::notify::remind(&targets, &reminder, args.dry_run)?;
        }
    }
    Ok(if found.is_empty() && posted {
        Outcome::Success
    } else {
        Outcome::Failed
    })
}

fn plan(args: &CheckArgs) -> Result<Plan, UsageError> {
    if args.concurrency == 0 {
        return Err(UsageError("--concurrency must be at least 1".into()));
    }
    if args.timeout == 0 {
        return Err(UsageError("--timeout must be at least 1 second".into()));
    }
    let remote = args
        .remote
        .as_deref()
        .map(|url| config::https_url(url).map_err(|m| UsageError(format!("--remote {m}"))))
        .transpose()?;
    Ok(Plan {
        dir: args.dir.clone(),
        remote,
        concurrency: args.concurrency,
        timeout: args.timeout,
        allow_empty: args.allow_empty,
    })
}
