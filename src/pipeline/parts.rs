//! What a build records beside the cache for a later one to keep the apps whose inputs did
//! not change (see `partial`).

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use crate::catalog::App;
use crate::catalog::kept::Kept;
use crate::render::FeedKey;

/// What a build records for a later one to keep the apps whose inputs did not change.
#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Parts {
    /// `shortcut::common_digest` of the build.
    pub common: String,
    /// Each archive found, by `shortcut::line_id` of its line, with its app's folder.
    pub archives: HashMap<String, String>,
    /// The same by the archive's path in the builds folder: an archive found changed at a
    /// known path is looked up in its app's shard first.
    pub paths: HashMap<String, String>,
    /// By app folder.
    pub apps: BTreeMap<String, AppPart>,
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct AppPart {
    pub stub: App,
    pub kept: Kept,
    /// The file of its part of `catalog.json` in the cache's catalog folder.
    pub catalog: String,
    /// Where the app's newest build the feed left out stands in the feed's order.
    pub feed_next: Option<FeedKey>,
}
