//! The message each service takes for one new build: Slack Block Kit, a Microsoft Teams
//! Adaptive Card (as Workflows webhooks take it), a Discord embed, and otasite's own JSON.

use serde_json::{Value, json};

use super::Announcement;

/// Slack: one section with the icon beside the text (mrkdwn), then a button to the build page.
pub fn slack(a: &Announcement) -> Value {
    let title = format!(
        "*<{}|{} {}>*",
        a.page_url,
        slack_escape(&a.name),
        slack_escape(&a.version)
    );
    let mut text = title;
    if let Some(channel) = &a.channel {
        text.push_str(&format!(" · {}", slack_escape(channel)));
    }
    for line in &a.changes {
        text.push_str(&format!("\n• {}", slack_escape(line)));
    }
    json!({
        "text": a.summary(),
        "blocks": [
            {
                "type": "section",
                "text": { "type": "mrkdwn", "text": truncate(&text, 3000) },
                "accessory": {
                    "type": "image",
                    "image_url": a.icon_url,
                    "alt_text": format!("{} icon", a.name),
                },
            },
            {
                "type": "actions",
                "elements": [{
                    "type": "button",
                    "text": { "type": "plain_text", "text": "Open install page" },
                    "url": a.page_url,
                }],
            },
        ],
    })
}

/// Teams Workflows ("Post to a channel when a webhook request is received"): a message with
/// one Adaptive Card attachment.
pub fn teams(a: &Announcement) -> Value {
    let mut facts = vec![json!({ "title": "Version", "value": a.version })];
    if let Some(channel) = &a.channel {
        facts.push(json!({ "title": "Channel", "value": channel }));
    }
    let changes: String = a.changes.iter().map(|l| format!("- {l}\n")).collect();
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "body": [
                    {
                        "type": "ColumnSet",
                        "columns": [
                            {
                                "type": "Column",
                                "width": "auto",
                                "items": [{
                                    "type": "Image",
                                    "url": a.icon_url,
                                    "size": "Medium",
                                    "altText": format!("{} icon", a.name),
                                }],
                            },
                            {
                                "type": "Column",
                                "width": "stretch",
                                "items": [{
                                    "type": "TextBlock",
                                    "text": format!("{} {}", a.name, a.version),
                                    "weight": "Bolder",
                                    "size": "Medium",
                                    "wrap": true,
                                }],
                            },
                        ],
                    },
                    { "type": "FactSet", "facts": facts },
                    { "type": "TextBlock", "text": changes.trim_end(), "wrap": true },
                ],
                "actions": [{
                    "type": "Action.OpenUrl",
                    "title": "Open install page",
                    "url": a.page_url,
                }],
            },
        }],
    })
}

/// Discord: one embed linking the build page, the icon as its thumbnail.
pub fn discord(a: &Announcement) -> Value {
    let mut description = String::new();
    if let Some(channel) = &a.channel {
        description.push_str(&format!("Channel: {channel}\n"));
    }
    for line in &a.changes {
        description.push_str(&format!("- {line}\n"));
    }
    json!({
        "embeds": [{
            "title": truncate(&format!("{} {}", a.name, a.version), 256),
            "url": a.page_url,
            "description": truncate(description.trim_end(), 4096),
            "thumbnail": { "url": a.icon_url },
        }],
    })
}

/// otasite's own JSON, for any other receiver.
pub fn generic(a: &Announcement) -> Value {
    json!({
        "event": "build.published",
        "text": a.summary(),
        "app": { "bundle_id": a.bundle_id, "name": a.name },
        "build": {
            "version": a.version,
            "channel": a.channel,
            "page_url": a.page_url,
            "install_url": a.install_url,
            "icon_url": a.icon_url,
        },
        "changes": a.changes,
    })
}

/// Slack's mrkdwn gives `&`, `<` and `>` meaning: they are sent as entities.
pub(super) fn slack_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// At most `limit` characters, the last an ellipsis when cut.
pub(super) fn truncate(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(limit - 1).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slack_text_escapes_markup_and_stays_within_its_limit() {
        assert_eq!(slack_escape("a<b>&c"), "a&lt;b&gt;&amp;c");
        let long = "x".repeat(5000);
        assert_eq!(truncate(&long, 3000).chars().count(), 3000);
    }
}
