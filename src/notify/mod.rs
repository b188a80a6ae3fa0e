//! `otasite notify`: tells chat about the builds a site has that a previous catalog of it did
//! not. Webhook addresses come from environment variables only (they are secrets: anyone who
//! has one can post), and never appear in output.

pub mod expiring;
pub mod payload;

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::Value;

use crate::catalog::{Build, Catalog};
use crate::http::Client;

/// Attempts per message before giving up.
pub const ATTEMPTS: u32 = 5;
/// The longest wait between attempts, whatever `Retry-After` asks for.
const MAX_WAIT: Duration = Duration::from_secs(60);
/// The first wait after a failed attempt without `Retry-After`; doubled for each next one.
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
/// Seconds before one post gives up.
const TIMEOUT: u64 = 30;

/// A chat service and the message shape it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Slack,
    Teams,
    Discord,
    Generic,
}

impl Service {
    pub const ALL: [Service; 4] = [
        Service::Slack,
        Service::Teams,
        Service::Discord,
        Service::Generic,
    ];

    /// The environment variable holding the service's webhook URL.
    pub fn variable(self) -> &'static str {
        match self {
            Service::Slack => "OTASITE_SLACK_WEBHOOK",
            Service::Teams => "OTASITE_TEAMS_WEBHOOK",
            Service::Discord => "OTASITE_DISCORD_WEBHOOK",
            Service::Generic => "OTASITE_WEBHOOK_URL",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Service::Slack => "Slack",
            Service::Teams => "Microsoft Teams",
            Service::Discord => "Discord",
            Service::Generic => "webhook",
        }
    }

    pub fn payload(self, announcement: &Announcement) -> Value {
        match self {
            Service::Slack => payload::slack(announcement),
            Service::Teams => payload::teams(announcement),
            Service::Discord => payload::discord(announcement),
            Service::Generic => payload::generic(announcement),
        }
    }
}

/// A configured webhook. Its URL is a secret: `Debug` and every message name the variable.
#[derive(Clone)]
pub struct Target {
    pub service: Service,
    url: String,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Target({}, <redacted>)", self.service.variable())
    }
}

impl Target {
    /// "Slack (OTASITE_SLACK_WEBHOOK)"
    pub fn name(&self) -> String {
        format!("{} ({})", self.service.label(), self.service.variable())
    }

    /// `text` with the webhook URL (which errors may quote) blotted out.
    fn redact(&self, text: &str) -> String {
        text.replace(&self.url, "<redacted>")
    }
}

/// A webhook variable that is set but unusable (its value is never quoted).
#[derive(Debug, thiserror::Error)]
#[error("{variable} is set but is not an https:// URL; webhooks are posted over HTTPS only")]
pub struct TargetError {
    pub variable: &'static str,
}

/// The webhooks configured in the environment, through `lookup` (the process environment in
/// the command). An empty variable counts as unset.
pub fn targets(lookup: impl Fn(&str) -> Option<String>) -> Result<Vec<Target>, TargetError> {
    let mut targets = Vec::new();
    for service in Service::ALL {
        let Some(url) = lookup(service.variable()).map(|u| u.trim().to_string()) else {
            continue;
        };
        if url.is_empty() {
            continue;
        }
        if !url.starts_with("https://") {
            return Err(TargetError {
                variable: service.variable(),
            });
        }
        targets.push(Target { service, url });
    }
    Ok(targets)
}

/// What one message says about one new build.
#[derive(Debug, Clone, PartialEq)]
pub struct Announcement {
    pub bundle_id: String,
    pub name: String,
    /// For people: `1.2 (45)`.
    pub version: String,
    pub channel: Option<String>,
    pub page_url: String,
    pub install_url: String,
    pub icon_url: String,
    /// One sentence per changed fact (none for a channel's first build).
    pub changes: Vec<String>,
}

impl Announcement {
    pub fn of(build: &Build) -> Self {
        let changes = match &build.changes {
            Some(changes) => changes.lines(),
            None => vec!["First build of its channel".to_string()],
        };
        Announcement {
            bundle_id: build.bundle_id.clone(),
            name: build.name.clone(),
            version: build.display_version(),
            channel: build.channel.clone(),
            page_url: build.page_url.clone(),
            install_url: build.install_url.clone(),
            icon_url: build.icon_url.clone(),
            changes,
        }
    }

    /// One line: "New build: Name 1.2 (45) (beta)".
    pub fn summary(&self) -> String {
        let channel = self
            .channel
            .as_deref()
            .map(|c| format!(" ({c})"))
            .unwrap_or_default();
        format!("New build: {} {}{channel}", self.name, self.version)
    }
}

/// The builds of `current` that `previous` did not list (by their folder in the site), each
/// app's oldest first so that chat reads in order.
pub fn new_builds<'a>(current: &'a Catalog, previous: &Catalog) -> Vec<&'a Build> {
    let known: BTreeSet<&str> = previous
        .apps
        .iter()
        .flat_map(|app| &app.builds)
        .map(|b| b.path.as_str())
        .collect();
    current
        .apps
        .iter()
        .flat_map(|app| app.builds.iter().rev())
        .filter(|b| !known.contains(b.path.as_str()))
        .collect()
}

/// Posts `body` to `target`, retrying on 429 (after `Retry-After`), 5xx and failed
/// connections with a growing wait; `on_retry` hears of each retry. The error never quotes
/// the URL.
pub fn post(
    client: &Client,
    target: &Target,
    body: &[u8],
    on_retry: &dyn Fn(&str),
) -> Result<(), String> {
    let mut backoff = FIRST_BACKOFF;
    let mut last = String::new();
    for attempt in 1..=ATTEMPTS {
        let wait = match client.post_json(&target.url, body) {
            Ok(response) if (200..300).contains(&response.status) => return Ok(()),
            Ok(response) if response.status == 429 => {
                last = format!("the service answered {}", response.status_text());
                retry_after(response.retry_after.as_deref()).unwrap_or(backoff)
            }
            Ok(response) if response.status >= 500 => {
                last = format!("the service answered {}", response.status_text());
                backoff
            }
            Ok(response) => {
                return Err(format!(
                    "the service answered {}; check the webhook URL in {}",
                    response.status_text(),
                    target.service.variable()
                ));
            }
            Err(error) => {
                last = target.redact(&error);
                backoff
            }
        };
        if attempt == ATTEMPTS {
            break;
        }
        let wait = wait.min(MAX_WAIT);
        on_retry(&format!(
            "{}: {last}; retrying in {:.1} s",
            target.name(),
            wait.as_secs_f64()
        ));
        std::thread::sleep(wait);
        backoff *= 2;
    }
    Err(format!("{last} (gave up after {ATTEMPTS} attempts)"))
}

/// A client for posting webhooks.
pub fn client() -> Result<Client, crate::http::ExtraRootsError> {
    Client::new(TIMEOUT)
}

/// `Retry-After` in seconds (the HTTP-date form is left to the usual backoff).
fn retry_after(value: Option<&str>) -> Option<Duration> {
    let seconds: f64 = value?.trim().parse().ok()?;
    (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds.min(3600.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_come_from_the_environment_and_never_show_their_url() {
        let env = |key: &str| match key {
            "OTASITE_SLACK_WEBHOOK" => Some("https://hooks.example.test/secret".to_string()),
            "OTASITE_DISCORD_WEBHOOK" => Some(" ".to_string()),
            _ => None,
        };
        let targets = targets(env).expect("valid");
        assert_eq!(targets.len(), 1);
        assert_eq!(targets[0].service, Service::Slack);
        assert!(!format!("{:?}", targets[0]).contains("secret"));
        let plain = |key: &str| (key == "OTASITE_WEBHOOK_URL").then(|| "http://x/secret".into());
        let error = super::targets(plain).expect_err("http is refused");
        assert!(!error.to_string().contains("secret"));
    }

    #[test]
    fn retry_after_reads_seconds() {
        assert_eq!(retry_after(Some(" 2 ")), Some(Duration::from_secs(2)));
        assert_eq!(retry_after(Some("0.5")), Some(Duration::from_millis(500)));
        assert_eq!(retry_after(Some("Wed, 21 Oct 2015 07:28:00 GMT")), None);
        assert_eq!(retry_after(Some("-1")), None);
    }
}
