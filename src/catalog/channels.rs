//! Channels: the first-level folder of each archive under the builds folder, plus the
//! channels `site.yaml` promotes a build to. Which builds each channel holds, its newest
//! installable build, the app's default channel.
//!
//! Builds at the top of the builds folder form a group of their own, written `None` here
//! (the catalog's `default_channel: null`): no named channel, but the app-wide manifest
//! follows them when they are the default.

use std::collections::{BTreeMap, BTreeSet};

use super::{App, Build, BuildInput};
use crate::config::Settings;
use crate::layout;

/// Names that make a channel the default when `site.yaml` names none, in this order.
pub const PREFERRED: &[&str] = &["stable", "release", "production"];

/// What `site.yaml` says about channels that does not fit the archives.
#[derive(Debug, thiserror::Error)]
pub enum ChannelError {
    #[error(
        "{at}: apps.{bundle_id}.promote: {key:?} matches no build of {bundle_id} (its builds: {builds}); write a CFBundleVersion or a build's folder such as 1.2-45"
    )]
    UnknownBuild {
        at: String,
        bundle_id: String,
        key: String,
        builds: String,
    },
    #[error(
        "{at}: apps.{bundle_id}.promote: {key:?} matches several builds ({matches}); write the build's folder instead, e.g. {example}"
    )]
    Ambiguous {
        at: String,
        bundle_id: String,
        key: String,
        matches: String,
        example: String,
    },
    #[error(
        "{at}: apps.{bundle_id}.promote: no archive has the bundle id {bundle_id}; correct it, or remove the promotions of an app that is gone"
    )]
    UnknownApp { at: String, bundle_id: String },
    #[error("{at}: apps.{bundle_id}.promote.{key}: a channel's name cannot be empty")]
    EmptyName {
        at: String,
        bundle_id: String,
        key: String,
    },
    #[error(
        "{at}: apps.{bundle_id}.default_channel: {bundle_id} has no channel {channel:?} (its channels: {channels})"
    )]
    UnknownDefault {
        at: String,
        bundle_id: String,
        channel: String,
        channels: String,
    },
    #[error(
        "{bundle_id}: the channels {first:?} and {second:?} would publish to the same folder {folder}/; rename one of them"
    )]
    SharedFolder {
        bundle_id: String,
        first: String,
        second: String,
        folder: String,
    },
}

/// A build's channels: its folder's first, then those `promoted` names, each once.
pub fn memberships(home: Option<&str>, promoted: &[String]) -> Vec<String> {
    let mut channels: Vec<String> = home.map(str::to_string).into_iter().collect();
    for name in promoted {
        if !channels.contains(name) {
            channels.push(name.clone());
        }
    }
    channels
}

/// The channels `site.yaml` promotes each build of one app to, by the index of the build in
/// `group`. Every key must name exactly one build (by `CFBundleVersion` or by its folder).
pub fn promotions(
    settings: &Settings,
    bundle_id: &str,
    group: &[BuildInput],
) -> Result<BTreeMap<usize, Vec<String>>, ChannelError> {
    let mut promoted: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    let Some(rules) = settings.apps.get(bundle_id).map(|o| &o.promote) else {
        return Ok(promoted);
    };
    let at = settings.origin(&format!("apps.{bundle_id}.promote"));
    for (key, names) in rules {
        let key = key.trim();
        let matches: Vec<usize> = group
            .iter()
            .enumerate()
            .filter(|(_, input)| {
                input.dir().build == key || input.ipa.info.build.as_deref() == Some(key)
            })
            .map(|(index, _)| index)
            .collect();
        let folders = |indexes: &mut dyn Iterator<Item = usize>| {
            indexes
                .map(|i| group[i].dir().build)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let index = match matches.as_slice() {
            [one] => *one,
            [] => {
                return Err(ChannelError::UnknownBuild {
                    at,
                    bundle_id: bundle_id.into(),
                    key: key.into(),
                    builds: folders(&mut (0..group.len())),
                });
            }
            several => {
                return Err(ChannelError::Ambiguous {
                    at,
                    bundle_id: bundle_id.into(),
                    key: key.into(),
                    matches: folders(&mut several.iter().copied()),
                    example: group[several[0]].dir().build,
                });
            }
        };
        for name in names {
            let name = name.trim();
            if name.is_empty() {
                return Err(ChannelError::EmptyName {
                    at,
                    bundle_id: bundle_id.into(),
                    key: key.into(),
                });
            }
            let list = promoted.entry(index).or_default();
            if !list.iter().any(|n| n == name) {
                list.push(name.to_string());
            }
        }
    }
    Ok(promoted)
}

/// Whether `build` belongs to `channel` (`None`: the top of the builds folder).
pub fn holds(build: &Build, channel: Option<&str>) -> bool {
    match channel {
        Some(name) => build.channels.iter().any(|c| c == name),
        None => build.channel.is_none(),
    }
}

/// Every named channel of the builds, by name.
pub fn names(builds: &[Build]) -> BTreeSet<&str> {
    builds
        .iter()
        .flat_map(|b| b.channels.iter().map(String::as_str))
        .collect()
}

/// Two channels whose folders would be one (compared without letter case).
pub fn reject_shared_folders(bundle_id: &str, builds: &[Build]) -> Result<(), ChannelError> {
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for name in names(builds) {
        let folder = layout::channel_dir(name);
        if let Some(first) = seen.insert(folder.to_lowercase(), name) {
            return Err(ChannelError::SharedFolder {
                bundle_id: bundle_id.into(),
                first: first.into(),
                second: name.into(),
                folder: format!(
                    "{}/{}/{folder}",
                    layout::app_dir(bundle_id),
                    layout::CHANNELS
                ),
            });
        }
    }
    Ok(())
}

/// The app's default channel: the app's `default_channel` (which must be one of its
/// channels), else the site's when the app has it, else the first of [`PREFERRED`] the app
/// has, else the top of the builds folder when it holds a build, else the newest build's.
pub fn default_channel(
    settings: &Settings,
    bundle_id: &str,
    builds: &[Build],
) -> Result<Option<String>, ChannelError> {
    let names = names(builds);
    let has = |name: &str| names.contains(name);
    let configured = settings
        .apps
        .get(bundle_id)
        .and_then(|o| o.default_channel.as_deref())
        .map(str::trim)
        .filter(|c| !c.is_empty());
    if let Some(channel) = configured {
        if !has(channel) {
            return Err(ChannelError::UnknownDefault {
                at: settings.origin(&format!("apps.{bundle_id}.default_channel")),
                bundle_id: bundle_id.into(),
                channel: channel.into(),
                channels: names.iter().copied().collect::<Vec<_>>().join(", "),
            });
        }
        return Ok(Some(channel.to_string()));
    }
    if let Some(channel) = settings.default_channel.as_deref().filter(|c| has(c)) {
        return Ok(Some(channel.to_string()));
    }
    if let Some(channel) = PREFERRED.iter().find(|p| has(p)) {
        return Ok(Some(channel.to_string()));
    }
    if builds.iter().any(|b| b.channel.is_none()) {
        return Ok(None);
    }
    Ok(builds.first().and_then(|b| b.channel.clone()))
}

/// Sets each build's `changes`: compared with the next older build (of `builds`, newest
/// first) of the build's folder's channel, the first of its channels.
pub fn fill_changes(builds: &mut [Build]) {
    for index in 0..builds.len() {
        let lane = builds[index].channel.clone();
        let previous = builds[index + 1..]
            .iter()
            .find(|b| holds(b, lane.as_deref()))
            .map(|old| builds[index].changes_since(old));
        builds[index].changes = previous;
    }
}

impl App {
    /// The builds of `channel`, newest first.
    pub fn builds_in<'a>(&'a self, channel: Option<&'a str>) -> impl Iterator<Item = &'a Build> {
        self.builds.iter().filter(move |b| holds(b, channel))
    }

    /// The newest installable iOS build of `channel`, the build its stable manifest installs.
    pub fn latest_in(&self, channel: Option<&str>) -> Option<&Build> {
        self.latest_of(crate::android::Os::Ios, channel)
    }

    /// The newest installable build for `os` of `channel`.
    pub fn latest_of(&self, os: crate::android::Os, channel: Option<&str>) -> Option<&Build> {
        self.builds
            .iter()
            .find(|b| b.os == os && b.installable && holds(b, channel))
    }

    /// The newest installable build of a channel of `build` that is newer than `build`, with
    /// that channel: the build's own folder's channel is asked first, then its promotions.
    pub fn newer_than<'a>(&'a self, build: &'a Build) -> Option<(Option<&'a str>, &'a Build)> {
        let position = self.builds.iter().position(|b| b.path == build.path)?;
        let home = build.channel.is_none().then_some(None);
        let lanes = home
            .into_iter()
            .chain(build.channels.iter().map(|c| Some(c.as_str())));
        for lane in lanes {
            let Some(latest) = self.latest_of(build.os, lane) else {
                continue;
            };
            let newer = self.builds[..position]
                .iter()
                .any(|b| b.path == latest.path);
            if newer {
                return Some((lane, latest));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memberships_put_the_folder_first_and_name_each_channel_once() {
        let promoted = ["stable".to_string(), "beta".to_string(), "qa".into()];
        assert_eq!(
            memberships(Some("beta"), &promoted),
            ["beta", "stable", "qa"]
        );
        assert_eq!(memberships(None, &[]), Vec::<String>::new());
    }
}
