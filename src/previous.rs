//! `build --previous FILE`: builds of the deployed site, taken from its `catalog.json`, so CI
//! can publish a new build without having every old `.ipa` on disk.

use std::path::{Path, PathBuf};

use time::OffsetDateTime;

use crate::catalog::{Build, BuildInput, Catalog};
use crate::ipa::{AppInfo, Ipa, Problem, problems};
use crate::render::IconFiles;

#[derive(Debug, thiserror::Error)]
pub enum PreviousError {
    #[error("cannot read the previous catalog {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not an otasite catalog.json: {message}")]
    Invalid { path: PathBuf, message: String },
}

/// The builds of a previous catalog as build inputs. Their `.ipa` files keep their published
/// URLs; icons are taken from beside the catalog when that folder holds them (a downloaded
/// copy of the deployed site), else the pages show a placeholder.
pub fn load(
    path: &Path,
    now: OffsetDateTime,
) -> Result<(Vec<BuildInput>, Vec<String>), PreviousError> {
    let bytes = std::fs::read(path).map_err(|source| PreviousError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let catalog: Catalog = serde_json::from_slice(&bytes).map_err(|e| PreviousError::Invalid {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let site_dir = path.parent().unwrap_or(Path::new("."));
    let mut warnings = Vec::new();
    let inputs = catalog
        .apps
        .into_iter()
        .flat_map(|app| app.builds)
        .map(|build| {
            let icons = icons_beside(site_dir, &build);
            if icons.is_none() && build.icon_source.is_some() {
                warnings.push(format!(
                    "{}: the icon of {} is not beside {}; its pages show a placeholder",
                    build.bundle_id,
                    build.display_version(),
                    path.display()
                ));
            }
            to_input(build, icons, now)
        })
        .collect();
    Ok((inputs, warnings))
}

fn icons_beside(site_dir: &Path, build: &Build) -> Option<IconFiles> {
    let small = site_dir.join(&build.path).join("icon-57.png");
    let large = site_dir.join(&build.path).join("icon-512.png");
    (build.icon_source.is_some() && small.is_file() && large.is_file())
        .then_some(IconFiles { small, large })
}

fn to_input(build: Build, icon_files: Option<IconFiles>, now: OffsetDateTime) -> BuildInput {
    let info = AppInfo {
        bundle_id: Some(build.bundle_id.clone()),
        display_name: Some(build.name.clone()),
        version: build.version.clone(),
        build: build.build.clone(),
        min_os: build.min_os.clone(),
        device_family: build
            .device_family
            .iter()
            .filter_map(|f| family_number(f))
            .collect(),
        platform: build.platform.clone(),
        ..AppInfo::default()
    };
    // Judge the build again now (profiles expire); icon notes came from reading the archive.
    let mut problems = problems::assess(&info, build.profile.clone().map(Ok).as_ref(), now);
    problems.extend(
        build
            .problems
            .iter()
            .filter(|p| p.to_ascii_lowercase().contains("icon"))
            .map(|p| Problem::warning(p.clone())),
    );
    let released = build.released.as_deref().and_then(|r| {
        OffsetDateTime::parse(r, &time::format_description::well_known::Rfc3339).ok()
    });
    let ipa = Ipa {
        file: PathBuf::from(&build.file),
        size: build.size,
        sha256: Some(build.sha256.clone()),
        app_dir: String::new(),
        bundle_id: build.bundle_id.clone(),
        name: build.name.clone(),
        info,
        profile: build.profile.clone(),
        icon: None,
        extensions: build.extensions.clone(),
        problems,
        released,
    };
    BuildInput {
        ipa,
        relative: build.file.clone(),
        channel: build.channel.clone(),
        notes_html: build.notes_html.clone(),
        icon_files,
        cache_key: None,
        published: None,
        published_ipa_url: Some(build.ipa_url.clone()),
        icon_source: build.icon_source.clone(),
    }
}

fn family_number(name: &str) -> Option<u64> {
    match name {
        "iphone" => Some(1),
        "ipad" => Some(2),
        "tv" => Some(3),
        "watch" => Some(4),
        "mac" => Some(6),
        "vision" => Some(7),
        other => other.strip_prefix("family-")?.parse().ok(),
    }
}
