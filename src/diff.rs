//! What changed between two builds of an app: the facts a tester or reviewer cares about,
//! compared one by one. Build pages, the feed and `catalog.json` (`changes`), `otasite diff`
//! and `otasite notify` all say it through this module; the catalog gives the facts of its
//! builds (`Build::facts`).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::facts::DeviceFamily;
use crate::ipa::codesign::CodeSignature;
use crate::ipa::{Ipa, Profile};

/// The facts two builds are compared on.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    pub version: Option<String>,
    pub build: Option<String>,
    pub min_os: Option<String>,
    /// Device family names, as in `catalog.json` (`iphone`, `ipad`, …).
    pub device_family: Vec<String>,
    pub size: u64,
    /// The profile's entitlement keys.
    pub entitlements: Vec<String>,
    /// `NS…UsageDescription` keys and their text.
    pub usage_descriptions: BTreeMap<String, String>,
    /// Bundle ids of the app extensions and watch apps.
    pub extensions: Vec<String>,
    /// `development`, `ad-hoc`, `enterprise`, `app-store` or `unsigned`.
    pub distribution: String,
    /// "Team name (TEAMID)", or whichever of the two is known.
    pub team: Option<String>,
    /// The profile's expiry, RFC 3339.
    pub profile_expires: Option<String>,
    /// When the certificate that signed the app's executable expires, RFC 3339: the app
    /// stops launching then, whatever the profile says.
    pub certificate_expires: Option<String>,
    /// Registered devices; null for profiles that list none.
    pub devices: Option<u64>,
}

/// One fact that differs (`changes.facts[]` in `catalog.json`, `otasite diff --json`).
/// Facts with one value carry `before` and `after` (null when unknown); facts that are sets
/// carry `added`, `removed` and (usage descriptions) `changed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub fact: Fact,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<Value>,
    /// For `size`: the new size minus the old, in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delta: Option<i64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub added: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removed: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changed: Vec<String>,
}

/// What changed in a build since the previous build of its channel (`changes` of a build in
/// `catalog.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Changes {
    /// The build compared with.
    pub since: Since,
    /// The facts that differ; empty when none does.
    pub facts: Vec<Change>,
}

/// The previous build a build is compared with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Since {
    pub version: Option<String>,
    pub build: Option<String>,
    /// The build's folder inside the site, e.g. `com.example.app/1.2-45/`.
    pub path: String,
    pub page_url: String,
}

impl Changes {
    /// One line per changed fact, for people.
    pub fn lines(&self) -> Vec<String> {
        self.facts.iter().map(Change::describe).collect()
    }
}

/// A piece of a change's line in a theme's words: the catalog key (`change.<code>`) and its
/// parameters. A line is its pieces joined with "; " (a set fact gives one piece per verb).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Wording {
    /// `change.<code>`, e.g. `change.min_os`.
    pub key: String,
    /// The texts its `{params}` take.
    pub params: BTreeMap<String, String>,
}

impl Wording {
    fn new(code: &str, params: &[(&str, String)]) -> Self {
        Wording {
            key: format!("change.{code}"),
            params: params
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        }
    }
}

/// Which fact changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Fact {
    Version,
    MinOs,
    DeviceFamily,
    Size,
    Entitlements,
    UsageDescriptions,
    Extensions,
    Distribution,
    Team,
    ProfileExpiry,
    CertificateExpiry,
    Devices,
}

impl Facts {
    /// The facts of an archive read from disk.
    pub fn of_ipa(ipa: &Ipa) -> Self {
        Facts {
            version: ipa.info.version.clone(),
            build: ipa.info.build.clone(),
            min_os: ipa.info.min_os.clone(),
            device_family: DeviceFamily::names(&ipa.info.device_family),
            size: ipa.size,
            usage_descriptions: ipa.info.usage_descriptions.clone(),
            extensions: ipa.extensions.clone(),
            ..Facts::default()
        }
        .with_profile(ipa.profile.as_ref())
        .with_signature(ipa.signature.as_ref())
    }

    /// These facts with those of the provisioning profile (none: unsigned).
    pub fn with_profile(self, profile: Option<&Profile>) -> Self {
        Facts {
            entitlements: profile.map(|p| p.entitlements.clone()).unwrap_or_default(),
            distribution: profile.map_or("unsigned", |p| p.kind.as_str()).into(),
            team: profile.and_then(|p| team(p.team_name.as_deref(), p.team_id.as_deref())),
            profile_expires: profile.and_then(|p| p.expires).map(crate::clock::rfc3339),
            devices: profile.and_then(|p| p.devices),
            ..self
        }
    }

    /// These facts with the executable's code signature (none: not read).
    pub fn with_signature(self, signature: Option<&CodeSignature>) -> Self {
        Facts {
            certificate_expires: signature.and_then(|s| s.expires).map(crate::clock::rfc3339),
            ..self
        }
    }

    /// "1.2 (45)", as build pages show it.
    pub fn display_version(&self) -> String {
        match (&self.version, &self.build) {
            (Some(v), Some(b)) if v != b => format!("{v} ({b})"),
            (Some(v), _) => v.clone(),
            (None, Some(b)) => b.clone(),
            (None, None) => UNKNOWN_VERSION.into(),
        }
    }
}

/// What [`Facts::display_version`] says of a build that declares no version.
const UNKNOWN_VERSION: &str = "unknown version";

fn team(name: Option<&str>, id: Option<&str>) -> Option<String> {
    match (name, id) {
        (Some(name), Some(id)) => Some(format!("{name} ({id})")),
        (Some(one), None) | (None, Some(one)) => Some(one.to_string()),
        (None, None) => None,
    }
}

/// Every fact that differs from `old` to `new`, in a fixed order.
pub fn compare(old: &Facts, new: &Facts) -> Vec<Change> {
    let text = |v: &Option<String>| v.clone().map_or(Value::Null, Value::String);
    let count = |n: Option<u64>| n.map_or(Value::Null, Value::from);
    let size = (old.size != new.size).then(|| Change {
        before: Some(old.size.into()),
        after: Some(new.size.into()),
        delta: Some(new.size as i64 - old.size as i64),
        ..Change::new(Fact::Size)
    });
    [
        scalar(
            Fact::Version,
            old.display_version().into(),
            new.display_version().into(),
        ),
        scalar(Fact::MinOs, text(&old.min_os), text(&new.min_os)),
        scalar(
            Fact::DeviceFamily,
            old.device_family.join(", ").into(),
            new.device_family.join(", ").into(),
        ),
        size,
        sets(Fact::Entitlements, &old.entitlements, &new.entitlements),
        usage(&old.usage_descriptions, &new.usage_descriptions),
        sets(Fact::Extensions, &old.extensions, &new.extensions),
        scalar(
            Fact::Distribution,
            old.distribution.clone().into(),
            new.distribution.clone().into(),
        ),
        scalar(Fact::Team, text(&old.team), text(&new.team)),
        scalar(
            Fact::ProfileExpiry,
            text(&old.profile_expires),
            text(&new.profile_expires),
        ),
        scalar(
            Fact::CertificateExpiry,
            text(&old.certificate_expires),
            text(&new.certificate_expires),
        ),
        scalar(Fact::Devices, count(old.devices), count(new.devices)),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// A fact with one value, when it differs.
fn scalar(fact: Fact, before: Value, after: Value) -> Option<Change> {
    (before != after).then(|| Change {
        before: Some(before),
        after: Some(after),
        ..Change::new(fact)
    })
}

impl Change {
    fn new(fact: Fact) -> Self {
        Change {
            fact,
            before: None,
            after: None,
            delta: None,
            added: Vec::new(),
            removed: Vec::new(),
            changed: Vec::new(),
        }
    }

    /// One line for people, e.g. `Minimum iOS: 15.0 → 16.0`.
    pub fn describe(&self) -> String {
        let value = |v: &Option<Value>| match v {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => "none".to_string(),
        };
        let (before, after) = (value(&self.before), value(&self.after));
        match self.fact {
            Fact::Version => format!("Version: {before} → {after}"),
            Fact::MinOs => format!("Minimum iOS: {before} → {after}"),
            Fact::DeviceFamily => format!(
                "Devices: {} → {}",
                family_label(&before),
                family_label(&after)
            ),
            Fact::Size => {
                let bytes = |v: &Option<Value>| v.as_ref().and_then(Value::as_u64).unwrap_or(0);
                let delta = self.delta.unwrap_or(0);
                let sign = if delta < 0 { "−" } else { "+" };
                format!(
                    "Size: {} → {} ({sign}{})",
                    crate::units::decimal(bytes(&self.before)),
                    crate::units::decimal(bytes(&self.after)),
                    crate::units::decimal(delta.unsigned_abs())
                )
            }
            Fact::Entitlements => self.set_line("Entitlements"),
            Fact::UsageDescriptions => self.set_line("Privacy usage descriptions"),
            Fact::Extensions => self.set_line("App extensions"),
            Fact::Distribution => format!(
                "Distribution: {} → {}",
                distribution_label(&before),
                distribution_label(&after)
            ),
            Fact::Team => format!("Team: {before} → {after}"),
            Fact::ProfileExpiry => format!(
                "Profile expires: {} → {}",
                before.get(..10).unwrap_or(&before),
                after.get(..10).unwrap_or(&after)
            ),
            Fact::CertificateExpiry => format!(
                "Signing certificate expires: {} → {}",
                before.get(..10).unwrap_or(&before),
                after.get(..10).unwrap_or(&after)
            ),
            Fact::Devices => format!("Registered devices: {before} → {after}"),
        }
    }

    /// The line as catalog keys and parameters (see [`Wording`]); `describe` is its English.
    /// Dates travel as RFC 3339 (`*_date`), sizes as bytes (`*_size`) and labels as catalog
    /// keys (`*_keys`) so that each language writes them its way.
    pub fn wording(&self) -> Vec<Wording> {
        let value = |v: &Option<Value>| match v {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => "—".to_string(),
        };
        let (before, after) = (value(&self.before), value(&self.after));
        let pair = |code: &str, before: String, after: String| {
            vec![Wording::new(code, &[("before", before), ("after", after)])]
        };
        match self.fact {
            Fact::Version => {
                // Written in every language the same way when a build declares no version.
                let shown = |v: String| {
                    if v == UNKNOWN_VERSION {
                        "—".into()
                    } else {
                        v
                    }
                };
                pair("version", shown(before), shown(after))
            }
            Fact::MinOs => pair("min_os", before, after),
            Fact::DeviceFamily => vec![Wording::new(
                "devices",
                &[
                    ("before_keys", family_keys(&before)),
                    ("after_keys", family_keys(&after)),
                ],
            )],
            Fact::Size => {
                let bytes = |v: &Option<Value>| v.as_ref().and_then(Value::as_u64).unwrap_or(0);
                let delta = self.delta.unwrap_or(0);
                let sign = if delta < 0 { "-" } else { "+" };
                vec![Wording::new(
                    "size",
                    &[
                        ("before_size", bytes(&self.before).to_string()),
                        ("after_size", bytes(&self.after).to_string()),
                        ("delta_size", format!("{sign}{}", delta.unsigned_abs())),
                    ],
                )]
            }
            Fact::Entitlements => self.set_wording("entitlements"),
            Fact::UsageDescriptions => self.set_wording("usage"),
            Fact::Extensions => self.set_wording("extensions"),
            Fact::Distribution => vec![Wording::new(
                "distribution",
                &[
                    ("before_keys", distribution_key(&before)),
                    ("after_keys", distribution_key(&after)),
                ],
            )],
            Fact::Team => pair("team", before, after),
            Fact::ProfileExpiry => vec![Wording::new(
                "profile_expiry",
                &[("before_date", before), ("after_date", after)],
            )],
            Fact::CertificateExpiry => vec![Wording::new(
                "certificate_expiry",
                &[("before_date", before), ("after_date", after)],
            )],
            Fact::Devices => pair("registered_devices", before, after),
        }
    }

    fn set_wording(&self, code: &str) -> Vec<Wording> {
        [
            ("added", &self.added),
            ("removed", &self.removed),
            ("changed", &self.changed),
        ]
        .into_iter()
        .filter(|(_, items)| !items.is_empty())
        .map(|(verb, items)| {
            Wording::new(&format!("{code}_{verb}"), &[("items", items.join(", "))])
        })
        .collect()
    }

    fn set_line(&self, what: &str) -> String {
        let parts: Vec<String> = [
            ("added", &self.added),
            ("removed", &self.removed),
            ("changed", &self.changed),
        ]
        .into_iter()
        .filter(|(_, items)| !items.is_empty())
        .map(|(verb, items)| format!("{verb} {}", items.join(", ")))
        .collect();
        format!("{what}: {}", parts.join("; "))
    }
}

/// A set fact's added and removed members, or nothing when both are empty.
fn sets(fact: Fact, old: &[String], new: &[String]) -> Option<Change> {
    let (old, new): (BTreeSet<&String>, BTreeSet<&String>) =
        (old.iter().collect(), new.iter().collect());
    let added: Vec<String> = new.difference(&old).map(|s| s.to_string()).collect();
    let removed: Vec<String> = old.difference(&new).map(|s| s.to_string()).collect();
    (!added.is_empty() || !removed.is_empty()).then(|| Change {
        added,
        removed,
        ..Change::new(fact)
    })
}

/// Usage descriptions added, removed, and those whose text changed.
fn usage(old: &BTreeMap<String, String>, new: &BTreeMap<String, String>) -> Option<Change> {
    let old_keys: Vec<String> = old.keys().cloned().collect();
    let new_keys: Vec<String> = new.keys().cloned().collect();
    let mut change = sets(Fact::UsageDescriptions, &old_keys, &new_keys)
        .unwrap_or(Change::new(Fact::UsageDescriptions));
    change.changed = new
        .iter()
        .filter(|(key, text)| old.get(*key).is_some_and(|before| before != *text))
        .map(|(key, _)| key.clone())
        .collect();
    (!change.added.is_empty() || !change.removed.is_empty() || !change.changed.is_empty())
        .then_some(change)
}

fn family_label(names: &str) -> String {
    if names.is_empty() || names == "none" {
        return "not declared".into();
    }
    names
        .split(", ")
        .map(|name| {
            DeviceFamily::from_name(name)
                .map_or_else(|| name.to_string(), |f| f.label().to_string())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The device families as their product names, "not declared" as its catalog key.
fn family_keys(names: &str) -> String {
    if names.is_empty() || names == "none" {
        return "change.not_declared".into();
    }
    family_label(names)
}

/// A distribution kind's catalog key (`kind.ad-hoc`), an unknown kind as it is.
fn distribution_key(kind: &str) -> String {
    match distribution_label(kind) == kind {
        true => kind.to_string(),
        false => format!("kind.{kind}"),
    }
}

fn distribution_label(kind: &str) -> &str {
    use crate::ipa::DistributionKind::*;
    [Development, AdHoc, Enterprise, AppStore]
        .into_iter()
        .find(|k| k.as_str() == kind)
        .map_or(kind, |k| k.label())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> Facts {
        Facts {
            version: Some("1.0".into()),
            build: Some("1".into()),
            size: 1000,
            distribution: "ad-hoc".into(),
            ..Facts::default()
        }
    }

    #[test]
    fn identical_facts_have_no_changes() {
        assert!(compare(&facts(), &facts()).is_empty());
    }

    #[test]
    fn size_change_carries_its_delta_and_reads_for_people() {
        let new = Facts {
            size: 400,
            ..facts()
        };
        let changes = compare(&facts(), &new);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].delta, Some(-600));
        assert_eq!(
            changes[0].describe(),
            "Size: 1.0 KB → 400 bytes (−600 bytes)"
        );
    }

    #[test]
    fn usage_descriptions_tell_added_removed_and_changed() {
        let with = |pairs: &[(&str, &str)]| Facts {
            usage_descriptions: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..facts()
        };
        let old = with(&[("NSCamera", "a"), ("NSMicrophone", "b")]);
        let new = with(&[("NSCamera", "c"), ("NSContacts", "d")]);
        let change = usage(&old.usage_descriptions, &new.usage_descriptions).expect("a change");
        assert_eq!(change.added, ["NSContacts"]);
        assert_eq!(change.removed, ["NSMicrophone"]);
        assert_eq!(change.changed, ["NSCamera"]);
        assert_eq!(
            change.describe(),
            "Privacy usage descriptions: added NSContacts; removed NSMicrophone; changed NSCamera"
        );
    }
}
