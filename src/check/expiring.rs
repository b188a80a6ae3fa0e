//! `otasite check --expiring WINDOW`: which app and channel has a newest installable build that
//! stops launching within WINDOW (the earlier of its profile's and its signing certificate's
//! expiry), read from a built site's catalog or a deployed one's. Any finding fails the command,
//! so a scheduled CI job fails ahead of the day testers would find out.

use std::io::Write;
use std::path::PathBuf;

use time::{Duration, OffsetDateTime};

use crate::catalog::{App, Build, Catalog, channels};
use crate::ipa::profile::ExpiryOf;

/// The longest window accepted: ten years.
const WINDOW_LIMIT_DAYS: i64 = 3650;

/// Where the catalog comes from.
#[derive(Debug, Clone)]
pub enum Source {
    /// A built site's folder.
    Local(PathBuf),
    /// A deployed site's https:// URL.
    Remote(String),
}

impl Source {
    /// The catalog's file or URL.
    pub fn catalog(&self) -> String {
        match self {
            Source::Local(dir) => dir.join(crate::layout::CATALOG).display().to_string(),
            Source::Remote(url) => {
                format!("{}/{}", url.trim_end_matches('/'), crate::layout::CATALOG)
            }
        }
    }
}

/// One channel whose newest installable build stops launching within the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expiring {
    /// `App name (bundle id)`, then `, channel NAME` for a named channel.
    pub who: String,
    pub name: String,
    pub bundle_id: String,
    /// The named channel, or none for the top of the builds folder.
    pub channel: Option<String>,
    /// The build's page.
    pub page_url: String,
    /// The build's version for people, e.g. `1.2 (45)`.
    pub version: String,
    pub at: OffsetDateTime,
    pub of: ExpiryOf,
    /// Already stopped launching at the moment judged.
    pub expired: bool,
}

impl Expiring {
    /// One sentence saying what expires when.
    pub fn message(&self, now: OffsetDateTime) -> String {
        let day = crate::clock::date(self.at);
        let noun = self.of.noun();
        if self.expired {
            format!(
                "{}: {} stopped launching on {day}: its {noun} expired; publish a re-signed build",
                self.who, self.version
            )
        } else {
            let days = (self.at - now).whole_days();
            let when = match days {
                0 => "within a day".to_string(),
                1 => "in 1 day".to_string(),
                n => format!("in {n} days"),
            };
            format!(
                "{}: {} stops launching on {day}, {when}: its {noun} expires; publish a re-signed build before",
                self.who, self.version
            )
        }
    }
}

/// `14d`, `36h` or `2w` (a bare number counts days).
pub fn parse_window(text: &str) -> Result<Duration, String> {
    let invalid = || format!("{text:?} is not a window such as 14d, 36h or 2w");
    let (number, unit) = match text.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&text[..i], c),
        Some(_) => (text, 'd'),
        None => return Err(invalid()),
    };
    let count: i64 = number.parse().map_err(|_| invalid())?;
    let hours = match unit {
        'h' => count,
        'd' => count.checked_mul(24).ok_or_else(invalid)?,
        'w' => count.checked_mul(24 * 7).ok_or_else(invalid)?,
        _ => return Err(invalid()),
    };
    if !(0..=WINDOW_LIMIT_DAYS * 24).contains(&hours) {
        return Err(format!("{text:?} is longer than {WINDOW_LIMIT_DAYS} days"));
    }
    Ok(Duration::hours(hours))
}

/// Each app and channel, in catalog order, whose newest installable build stops launching
/// within `window` of `now`; the count of channels judged.
pub fn find(catalog: &Catalog, now: OffsetDateTime, window: Duration) -> (Vec<Expiring>, usize) {
    let mut found = Vec::new();
    let mut judged = 0;
    for app in &catalog.apps {
        for (channel, build) in newest_per_channel(app) {
            judged += 1;
            let Some((at, of)) = build.stops_launching() else {
                continue;
            };
            if at - now > window {
                continue;
            }
            let mut who = format!("{} ({})", app.name, app.bundle_id);
            if let Some(name) = channel {
                who.push_str(&format!(", channel {name}"));
            }
            found.push(Expiring {
                who,
                name: app.name.clone(),
                bundle_id: app.bundle_id.clone(),
                channel: channel.map(str::to_string),
                page_url: build.page_url.clone(),
                version: build.display_version(),
                at,
                of,
                expired: at <= now,
            });
        }
    }
    (found, judged)
}

/// The newest installable build of each channel of `app`: the top of the builds folder first
/// (when it holds builds), then the named channels by name.
fn newest_per_channel(app: &App) -> Vec<(Option<&str>, &Build)> {
    let top = app
        .builds
        .iter()
        .any(|b| b.channel.is_none())
        .then_some(None);
    let named = channels::names(&app.builds).into_iter().map(Some);
    top.into_iter()
        .chain(named)
        .filter_map(|channel| Some((channel, app.latest_in(channel)?)))
        .collect()
}

/// The window for people: `14 days`, or `36 hours` when not whole days.
pub fn span(window: Duration) -> String {
    let hours = window.whole_hours();
    match (hours % 24, hours / 24) {
        (0, 1) => "1 day".to_string(),
        (0, days) => format!("{days} days"),
        _ => format!("{hours} hours"),
    }
}

/// Reads the catalog, prints one line per finding (and a GitHub Actions annotation each when
/// `github`), then a summary; returns the findings (any fails the command).
pub fn run(
    source: &Source,
    window: Duration,
    now: OffsetDateTime,
    github: bool,
    out: &mut impl Write,
) -> anyhow::Result<Vec<Expiring>> {
    let catalog_at = source.catalog();
    let catalog = crate::previous::read_catalog(&catalog_at)?;
    let (found, judged) = find(&catalog, now, window);
    let file = match source {
        Source::Local(_) => Some(catalog_at.as_str()),
        Source::Remote(_) => None,
    };
    for expiring in &found {
        let (level, title) = if expiring.expired {
            ("error", "Build expired")
        } else {
            ("warning", "Build expires soon")
        };
        let message = expiring.message(now);
        writeln!(out, "{level}: {message}")?;
        if github {
            writeln!(out, "{}", annotation(level, title, file, &message))?;
        }
    }
    let channels = if judged == 1 { "channel" } else { "channels" };
    writeln!(
        out,
        "{} of {judged} {channels} stop launching within {} ({catalog_at})",
        found.len(),
        span(window)
    )?;
    Ok(found)
}

/// A GitHub Actions workflow command (`::warning file=…,title=…::message`), its values escaped
/// as the runner expects.
fn annotation(level: &str, title: &str, file: Option<&str>, message: &str) -> String {
    let mut properties = Vec::new();
    if let Some(file) = file {
        properties.push(format!("file={}", escape_property(file)));
    }
    properties.push(format!("title={}", escape_property(title)));
    format!(
        "::{level} {}::{}",
        properties.join(","),
        escape_data(message)
    )
}

fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows() {
        assert_eq!(parse_window("14d"), Ok(Duration::days(14)));
        assert_eq!(parse_window("14"), Ok(Duration::days(14)));
        assert_eq!(parse_window("36h"), Ok(Duration::hours(36)));
        assert_eq!(parse_window("2w"), Ok(Duration::days(14)));
        assert_eq!(parse_window("0d"), Ok(Duration::ZERO));
        for bad in ["", "d", "-1d", "14x", "1.5d", "99999999999999999w"] {
            assert!(parse_window(bad).is_err(), "{bad:?}");
        }
        assert!(parse_window("3651d").unwrap_err().contains("longer than"));
    }

    #[test]
    fn spans() {
        assert_eq!(span(Duration::days(14)), "14 days");
        assert_eq!(span(Duration::days(1)), "1 day");
        assert_eq!(span(Duration::hours(36)), "36 hours");
    }

    #[test]
    fn annotations_are_escaped() {
        assert_eq!(
            annotation("warning", "T", Some("a:b,c.json"), "50% done\nnext"),
            "::warning file=a%3Ab%2Cc.json,title=T::50%25 done%0Anext"
        );
        assert_eq!(annotation("error", "T", None, "m"), "::error title=T::m");
    }
}
