//! `otasite notify`: posts each build the built site has and the previous catalog lacked to
//! every webhook configured in the environment, or prints the payloads with `--dry-run`.

use std::io::Write;

use super::{Outcome, UsageError};
use crate::catalog::Catalog;
use crate::cli::NotifyArgs;
use crate::messages;
use crate::notify::expiring::Reminder;
use crate::notify::{self, Announcement, Service, Target};
use crate::previous::read_catalog;

pub fn run(args: &NotifyArgs) -> anyhow::Result<Outcome> {
    let targets = configured_targets(args.dry_run)?;
    let catalog_file = args.dir.join("catalog.json");
    let current: Catalog = read_catalog(&catalog_file.to_string_lossy())?;
    let previous = crate::previous::read_catalog_as(&args.previous, "previous catalog")?;
    let builds = notify::new_builds(&current, &previous);
    if builds.is_empty() {
        messages::info("notify: no new build since the previous catalog");
        return Ok(Outcome::Success);
    }
    let announcements: Vec<Announcement> = builds.into_iter().map(Announcement::of).collect();
    if args.dry_run {
        return dry_run(&targets, &announcements);
    }
    let client = notify::client()?;
    let mut failed = false;
    for target in &targets {
        for announcement in &announcements {
            let body = serde_json::to_vec(&target.service.payload(announcement))?;
            let said = format!(
                "{} {} to {}",
                announcement.name,
                announcement.version,
                target.name()
            );
            match notify::post(&client, target, &body, &|line| messages::warning(line)) {
                Ok(()) => messages::info(format!("notify: posted {said}")),
                Err(why) => {
                    failed = true;
                    messages::error_text(format!("notify: could not post {said}: {why}"));
                }
            }
        }
    }
    Ok(if failed {
        Outcome::Failed
    } else {
        Outcome::Success
    })
}

/// The webhooks set in the environment; none is a usage error unless only printing.
pub(super) fn configured_targets(dry_run: bool) -> Result<Vec<Target>, UsageError> {
    let targets =
        notify::targets(|key| std::env::var(key).ok()).map_err(|e| UsageError(e.to_string()))?;
    if targets.is_empty() && !dry_run {
        let names: Vec<&str> = Service::ALL.iter().map(|s| s.variable()).collect();
        return Err(UsageError(format!(
            "no webhook is configured: set one of {} (or use --dry-run to see the messages)",
            names.join(", ")
        )));
    }
    Ok(targets)
}

/// `check --expiring --notify`: posts `reminder` to each target (with retries), or prints its
/// payloads with `dry_run` (for every service when none is configured); false when a post
/// failed.
pub(super) fn remind(
    targets: &[Target],
    reminder: &Reminder,
    dry_run: bool,
) -> anyhow::Result<bool> {
    if dry_run {
        let mut out = messages::stdout();
        let services: Vec<Service> = match targets {
            [] => Service::ALL.to_vec(),
            _ => targets.iter().map(|t| t.service).collect(),
        };
        for service in services {
            writeln!(out, "# {} ({})", service.label(), service.variable())?;
            serde_json::to_writer_pretty(&mut out, &reminder.payload(service))?;
            writeln!(out)?;
        }
        return Ok(true);
    }
    let client = notify::client()?;
    let mut posted = true;
    for target in targets {
        let body = serde_json::to_vec(&reminder.payload(target.service))?;
        match notify::post(&client, target, &body, &|line| messages::warning(line)) {
            Ok(()) => messages::info(format!(
                "notify: posted the expiry reminder to {}",
                target.name()
            )),
            Err(why) => {
                posted = false;
                messages::error_text(format!(
                    "notify: could not post the expiry reminder to {}: {why}",
                    target.name()
                ));
            }
        }
    }
    Ok(posted)
}

/// Prints each payload as it would be posted: for the configured webhooks, or for every
/// service when none is.
fn dry_run(targets: &[Target], announcements: &[Announcement]) -> anyhow::Result<Outcome> {
    let services: Vec<Service> = if targets.is_empty() {
        Service::ALL.to_vec()
    } else {
        targets.iter().map(|t| t.service).collect()
    };
    let mut out = messages::stdout();
    for service in services {
        for announcement in announcements {
            writeln!(
                out,
                "# {} ({}): {} {}",
                service.label(),
                service.variable(),
                announcement.name,
                announcement.version
            )?;
            serde_json::to_writer_pretty(&mut out, &service.payload(announcement))?;
            writeln!(out)?;
        }
    }
    Ok(Outcome::Success)
}
