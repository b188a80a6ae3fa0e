//! Finding the archives under the builds folder.

use std::path::{Path, PathBuf};

use super::BuildError;

/// One `.ipa` found under the builds folder.
#[derive(Debug, Clone)]
pub struct Found {
    pub path: PathBuf,
    /// Relative to the builds folder, `/`-separated.
    pub relative: String,
    pub channel: Option<String>,
}

/// Every `.ipa` under the folder, recursively, in a deterministic order.
pub fn scan(builds_dir: &Path) -> Result<Vec<Found>, BuildError> {
    let mut found = Vec::new();
    let walker = walkdir::WalkDir::new(builds_dir)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        let entry = entry.map_err(|source| BuildError::Scan {
            path: builds_dir.to_path_buf(),
            source,
        })?;
        let is_ipa = entry
            .path()
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("ipa"));
        if !entry.file_type().is_file() || !is_ipa {
            continue;
        }
        let relative_path = entry
            .path()
            .strip_prefix(builds_dir)
            .unwrap_or(entry.path());
        let parts: Vec<String> = relative_path
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let channel = (parts.len() > 1).then(|| parts[0].clone());
        found.push(Found {
            path: entry.path().to_path_buf(),
            relative: parts.join("/"),
            channel,
        });
    }
    Ok(found)
}
