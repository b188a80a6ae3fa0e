//! The reminder `otasite check --expiring WINDOW --notify` posts: one message per service
//! listing each app and channel whose newest installable build stops launching within the
//! window, in the shape each service takes (as [`super::payload`] does for new builds).

use serde_json::{Value, json};
use time::OffsetDateTime;

use super::Service;
use super::payload::{slack_escape, truncate};
use crate::check::expiring::Expiring;

/// What one reminder says.
#[derive(Debug, Clone)]
pub struct Reminder {
    /// The window for people, e.g. `14 days`.
    pub span: String,
    /// The moment judged.
    pub now: OffsetDateTime,
    pub builds: Vec<Expiring>,
}

impl Reminder {
    /// One line: "2 builds stop launching within 14 days".
    pub fn summary(&self) -> String {
        let count = self.builds.len();
        let builds = if count == 1 { "build" } else { "builds" };
        let verb = if count == 1 { "stops" } else { "stop" };
        format!(
            "{count} {builds} {verb} launching within {}: publish re-signed builds",
            self.span
        )
    }

    /// The message for `service`.
    pub fn payload(&self, service: Service) -> Value {
        match service {
            Service::Slack => self.slack(),
            Service::Teams => self.teams(),
            Service::Discord => self.discord(),
            Service::Generic => self.generic(),
        }
    }

    /// The sentence for one build, without the name its link carries.
    fn line(&self, build: &Expiring) -> String {
        let sentence = build.message(self.now);
        sentence
            .strip_prefix(&format!("{}: ", build.who))
            .unwrap_or(&sentence)
            .to_string()
    }

    fn slack(&self) -> Value {
        let mut text = format!("*{}*", slack_escape(&self.summary()));
        for build in &self.builds {
            text.push_str(&format!(
                "\n• <{}|{}>: {}",
                build.page_url,
                slack_escape(&build.who),
                slack_escape(&self.line(build))
            ));
        }
        json!({
            "text": self.summary(),
            "blocks": [{
                "type": "section",
                "text": { "type": "mrkdwn", "text": truncate(&text, 3000) },
            }],
        })
    }

    fn teams(&self) -> Value {
        let mut body = vec![json!({
            "type": "TextBlock",
            "text": self.summary(),
            "weight": "Bolder",
            "size": "Medium",
            "wrap": true,
        })];
        body.extend(self.builds.iter().map(|build| {
            json!({
                "type": "TextBlock",
                "text": format!("[{}]({}): {}", build.who, build.page_url, self.line(build)),
                "wrap": true,
                "color": if build.expired { "Attention" } else { "Warning" },
            })
        }));
        json!({
            "type": "message",
            "attachments": [{
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": null,
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": body,
                },
            }],
        })
    }

    fn discord(&self) -> Value {
        let description: Vec<String> = self
            .builds
            .iter()
            .map(|b| format!("- [{}]({}): {}", b.who, b.page_url, self.line(b)))
            .collect();
        json!({
            "embeds": [{
                "title": truncate(&self.summary(), 256),
                "description": truncate(&description.join("\n"), 4096),
            }],
        })
    }

    fn generic(&self) -> Value {
        let builds: Vec<Value> = self
            .builds
            .iter()
            .map(|b| {
                json!({
                    "bundle_id": b.bundle_id,
                    "name": b.name,
                    "channel": b.channel,
                    "version": b.version,
                    "page_url": b.page_url,
                    "stops_launching": crate::clock::rfc3339(b.at),
                    "because": b.of.noun(),
                    "expired": b.expired,
                    "text": b.message(self.now),
                })
            })
            .collect();
        json!({
            "event": "builds.expiring",
            "text": self.summary(),
            "window": self.span,
            "builds": builds,
        })
    }
}
