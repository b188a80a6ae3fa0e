//! An app a build keeps from the previous one without reading its archives: every input of
//! it is unchanged, so its folder, its part of `catalog.json` and its feed entries are those
//! the previous build made. The catalog holds it as a stub (the builds the site-wide pages
//! show of it) with the rest summarised here.

use serde::{Deserialize, Serialize};

use super::{App, Build};

/// What a kept app contributes to the site-wide files beyond its stub's builds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Kept {
    /// How many builds the app has.
    pub build_count: usize,
    /// Every build's folder ([`Build::path`]), newest first.
    pub paths: Vec<String>,
    /// The app's builds among the newest of the site's feed, newest first.
    pub feed: Vec<Build>,
    /// The fingerprint of the app's facts, and of its folder (hex).
    pub facts: String,
    pub folder: String,
    /// How many generated files its folder holds.
    pub files: usize,
}

impl App {
    /// The stub of this app: its newest build and the one its page offers first, the only
    /// builds the index, the link previews and the build's warnings look at.
    pub fn stub(&self) -> App {
        let mut builds = vec![self.builds[0].clone()];
        let latest = self.latest();
        if latest.path != self.builds[0].path {
            builds.push(latest.clone());
        }
        App {
            builds,
            kept: None,
            ..self.clone_without_builds()
        }
    }

    fn clone_without_builds(&self) -> App {
        App {
            bundle_id: self.bundle_id.clone(),
            name: self.name.clone(),
            description: self.description.clone(),
            page_url: self.page_url.clone(),
            manifest_url: self.manifest_url.clone(),
            install_url: self.install_url.clone(),
            default_channel: self.default_channel.clone(),
            channels: self.channels.clone(),
            builds: Vec::new(),
            private: self.private,
            platforms: self.platforms.clone(),
            kept: None,
        }
    }

    /// How many builds the app has (a kept app's stub holds only some of them).
    pub fn build_count(&self) -> usize {
        self.kept
            .as_ref()
            .map_or(self.builds.len(), |kept| kept.build_count)
    }

    /// The builds the feed may list, newest first: every build, or a kept app's feed builds.
    pub fn feed_builds(&self) -> &[Build] {
        self.kept.as_ref().map_or(&self.builds, |kept| &kept.feed)
    }

    /// Every build's folder, newest first.
    pub fn build_paths(&self) -> Box<dyn Iterator<Item = &str> + '_> {
        match &self.kept {
            Some(kept) => Box::new(kept.paths.iter().map(String::as_str)),
            None => Box::new(self.builds.iter().map(|b| b.path.as_str())),
        }
    }
}
