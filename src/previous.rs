//! `build --previous FILE|URL`: builds of the deployed site, taken from its `catalog.json`, so
//! CI can publish a new build without having every old `.ipa` on disk.
//!
//! The catalog is read from a file or fetched from the deployed site. Icons of the kept builds
//! are taken from beside a catalog file when that folder is a copy of the site, and fetched
//! from their published URLs otherwise.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use time::OffsetDateTime;

use crate::cache::{Cache, IconFiles};
use crate::catalog::{Build, BuildInput, Catalog};
use crate::config::Settings;
use crate::devices::hashes::{self, DevicesFile};
use crate::facts::DeviceFamily;
use crate::http::{CATALOG_LIMIT, Client, Method, bounded_map};
use crate::ipa::{AppInfo, Ipa, Problem, problems};
use crate::layout::{DISPLAY_IMAGE, FULL_SIZE_IMAGE};

/// Requests in flight at once while fetching the catalog's icons.
const FETCH_CONCURRENCY: usize = 8;
/// Seconds before a fetch from the deployed site gives up.
const FETCH_TIMEOUT: u64 = 30;

#[derive(Debug, thiserror::Error)]
pub enum PreviousError {
    #[error("cannot read the {what} {path}")]
    Read {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot fetch the {what} {url}: {message}")]
    Fetch {
        what: &'static str,
        url: String,
        message: String,
    },
    #[error("{path} is not an otasite catalog.json: {message}")]
    Invalid { path: PathBuf, message: String },
    #[error(
        "{count} kept build(s) link their .ipa inside this site ({example}), but the new site will not contain those files, so their install links would break once it is deployed: keep their archives in {builds} (they are then published again), or host the archives elsewhere and set ipa_base_url in {config}"
    )]
    Unpublished {
        count: usize,
        example: String,
        builds: String,
        config: String,
    },
}

/// Kept builds must link to archives that outlive the deploy: an `.ipa` URL inside the site
/// names a file the new site does not hold (kept builds bring no archive), unless it lies under
/// `ipa_base_url`, which is uploaded apart from the site.
pub fn check_kept(kept: &[BuildInput], settings: &Settings) -> Result<(), PreviousError> {
    let hosted_apart = |url: &str| {
        settings
            .ipa_base_url
            .as_deref()
            .is_some_and(|base| url.starts_with(base))
    };
    let broken: Vec<&str> = kept
        .iter()
        .filter_map(|input| input.published_ipa_url.as_deref())
        .filter(|url| url.starts_with(&settings.base_url) && !hosted_apart(url))
        .collect();
    match broken.first() {
        None => Ok(()),
        Some(example) => Err(PreviousError::Unpublished {
            count: broken.len(),
            example: (*example).to_string(),
            builds: settings.builds_dir.display().to_string(),
            config: settings.config_file.display().to_string(),
        }),
    }
}

/// The builds of a previous catalog as build inputs, with warnings to show. `source` is a
/// file or an `https://` URL. Their `.ipa` files keep their published URLs. Icons come from
/// beside a catalog file when that folder holds them (a downloaded copy of the deployed site),
/// else from the catalog's icon URLs, rendered into `cache`; a build whose icon cannot be had
/// either way shows a placeholder.
pub fn load(
    source: &str,
    now: OffsetDateTime,
    cache: &Cache,
) -> Result<(Vec<BuildInput>, Vec<String>), PreviousError> {
    let catalog = read_catalog_as(source, "previous catalog")?;
    Ok(load_catalog(catalog, source, now, cache))
}

/// [`load`] of a catalog already read from `source` (a private site's whole catalog, opened
/// from its private catalog beside `source`).
pub fn load_catalog(
    catalog: Catalog,
    source: &str,
    now: OffsetDateTime,
    cache: &Cache,
) -> (Vec<BuildInput>, Vec<String>) {
    let is_url = source.starts_with("https://");
    let builds: Vec<Build> = catalog
        .apps
        .into_iter()
        .flat_map(|app| app.builds)
        .collect();
    let site_dir = Path::new(source).parent().unwrap_or(Path::new("."));
    let beside = |build: &Build| (!is_url).then(|| icons_beside(site_dir, build)).flatten();
    let to_fetch: Vec<&Build> = builds
        .iter()
        .filter(|build| build.icon_source.is_some() && beside(build).is_none())
        .collect();
    let mut fetched = fetch_icons(&to_fetch, cache);
    let mut warnings = Vec::new();
    let listing: Vec<&Build> = builds.iter().filter(|b| lists_devices(b)).collect();
    // Like the icons: beside a catalog file that lies in a copy of the site, else fetched.
    let mut devices: HashMap<String, Result<Option<DevicesFile>, String>> = HashMap::new();
    if !is_url {
        for build in &listing {
            if let found @ (Ok(Some(_)) | Err(_)) = devices_beside(site_dir, build) {
                devices.insert(build.path.clone(), found);
            }
        }
    }
    let to_fetch: Vec<&Build> = listing
        .into_iter()
        .filter(|build| !devices.contains_key(&build.path))
        .collect();
    devices.extend(fetch_devices(&to_fetch));
    let inputs = builds
        .into_iter()
        .map(|build| {
            let icons = beside(&build).or_else(|| match fetched.remove(&build.path)? {
                Ok(files) => Some(files),
                Err(reason) => {
                    warnings.push(format!(
                        "{}: the icon of {} could not be fetched ({reason}); its pages show a placeholder",
                        build.bundle_id,
                        build.display_version(),
                    ));
                    None
                }
            });
            let devices = match devices.remove(&build.path) {
                Some(Ok(file)) => file,
                Some(Err(reason)) => {
                    warnings.push(format!(
                        "{}: the devices.json of {} could not be had ({reason}); its page cannot tell testers whether their device is listed",
                        build.bundle_id,
                        build.display_version(),
                    ));
                    None
                }
                None => None,
            };
            BuildInput {
                published_devices: devices,
                ..to_input(build, icons, now)
            }
        })
        .collect();
    (inputs, warnings)
}

/// A catalog from a file or an `https://` URL (`diff`, `notify`).
pub fn read_catalog(source: &str) -> Result<Catalog, PreviousError> {
    read_catalog_as(source, "catalog")
}

/// [`read_catalog`], errors naming it as `what`.
pub fn read_catalog_as(source: &str, what: &'static str) -> Result<Catalog, PreviousError> {
    let bytes = if source.starts_with("https://") {
        fetch_catalog(source, what)?
    } else {
        std::fs::read(source).map_err(|source_error| PreviousError::Read {
            what,
            path: PathBuf::from(source),
            source: source_error,
        })?
    };
    serde_json::from_slice(&bytes).map_err(|e| PreviousError::Invalid {
        path: PathBuf::from(source),
        message: e.to_string(),
    })
}

fn fetch_catalog(url: &str, what: &'static str) -> Result<Vec<u8>, PreviousError> {
    let error = |message: String| PreviousError::Fetch {
        what,
        url: url.to_string(),
        message,
    };
    let client = Client::new(FETCH_TIMEOUT).map_err(|e| error(format!("{e:#}")))?;
    let response = client
        .fetch_limited(Method::Get, url, CATALOG_LIMIT)
        .map_err(error)?;
    if response.status != 200 {
        return Err(error(format!(
            "the server answered {}",
            response.status_text()
        )));
    }
    Ok(response.body)
}

/// Fetches each build's published icons (512 px from the catalog's URL, 57 px beside it) into
/// the cache, by each build's folder. They are used as they are: re-rendering the 57 px icon
/// from the 512 px one would not give the bytes the archive's own icon gave.
fn fetch_icons(builds: &[&Build], cache: &Cache) -> HashMap<String, Result<IconFiles, String>> {
    if builds.is_empty() {
        return HashMap::new();
    }
    let client = match Client::new(FETCH_TIMEOUT) {
        Ok(client) => client,
        Err(e) => {
            let failed = |build: &&Build| (build.path.clone(), Err(format!("{e:#}")));
            return builds.iter().map(failed).collect();
        }
    };
    let fetch = |build: &Build| {
        let large_url = &build.icon_url;
        let small_url = match large_url.rsplit_once('/') {
            Some((folder, _)) => crate::layout::url_in(&format!("{folder}/"), DISPLAY_IMAGE.file),
            None => return Err("the icon URL has no folder".to_string()),
        };
        let large = fetch_png(&client, large_url, FULL_SIZE_IMAGE.size)?;
        let small = fetch_png(&client, &small_url, DISPLAY_IMAGE.size)?;
        let id = cache
            .store_rendered_icons(&small, &large)
            .map_err(|e| format!("cannot write it into the build cache: {e}"))?;
        Ok(cache.icon_files(&id))
    };
    bounded_map(builds, FETCH_CONCURRENCY, |build| {
        (build.path.clone(), fetch(build))
    })
    .into_iter()
    .collect()
}

fn lists_devices(build: &Build) -> bool {
    build
        .profile
        .as_ref()
        .is_some_and(|p| p.kind.lists_devices())
}

/// The most bytes read of one published `devices.json` (1,000 hashes take about 70 KB).
const DEVICES_FILE_LIMIT: u64 = 1024 * 1024;

/// The `devices.json` published beside the catalog file's copy of the site: none when absent
/// (a site published before it existed), else the file or why it cannot be used.
fn devices_beside(site_dir: &Path, build: &Build) -> Result<Option<DevicesFile>, String> {
    let path = site_dir.join(&build.path).join(hashes::FILE);
    match std::fs::read(&path) {
        Ok(bytes) => DevicesFile::parse(&bytes)
            .map(Some)
            .map_err(|e| format!("{}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

/// Each build's published `devices.json`, by build folder; a 404 is no file (a site
/// published before it existed).
fn fetch_devices(builds: &[&Build]) -> HashMap<String, Result<Option<DevicesFile>, String>> {
    if builds.is_empty() {
        return HashMap::new();
    }
    let client = match Client::new(FETCH_TIMEOUT) {
        Ok(client) => client,
        Err(e) => {
            let failed = |build: &&Build| (build.path.clone(), Err(format!("{e:#}")));
            return builds.iter().map(failed).collect();
        }
    };
    let fetch = |build: &Build| {
        let url = crate::layout::url_in(&build.page_url, hashes::FILE);
        let response = client.fetch_limited(Method::Get, &url, DEVICES_FILE_LIMIT)?;
        match response.status {
            200 => DevicesFile::parse(&response.body)
                .map(Some)
                .map_err(|e| format!("{url}: {e}")),
            404 => Ok(None),
            _ => Err(format!(
                "{url}: the server answered {}",
                response.status_text()
            )),
        }
    };
    bounded_map(builds, FETCH_CONCURRENCY, |build| {
        (build.path.clone(), fetch(build))
    })
    .into_iter()
    .collect()
}

/// A standard PNG of `size`×`size` pixels from `url`, or why not.
fn fetch_png(client: &Client, url: &str, size: u32) -> Result<Vec<u8>, String> {
    let response = client.fetch(Method::Get, url)?;
    if response.status != 200 {
        return Err(format!(
            "{url}: the server answered {}",
            response.status_text()
        ));
    }
    let image = crate::raster::decode_png(&response.body)
        .map_err(|e| format!("{url} is not a usable PNG: {e}"))?;
    let standard = !crate::raster::png_info(&response.body).is_ok_and(|info| info.cgbi);
    if !standard || (image.width, image.height) != (size, size) {
        return Err(format!("{url} is not a standard {size}×{size} PNG"));
    }
    Ok(response.body)
}

fn icons_beside(site_dir: &Path, build: &Build) -> Option<IconFiles> {
    let small = site_dir.join(&build.path).join(DISPLAY_IMAGE.file);
    let large = site_dir.join(&build.path).join(FULL_SIZE_IMAGE.file);
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
            .filter_map(|name| DeviceFamily::from_name(name).map(DeviceFamily::number))
            .collect(),
        platform: build.platform.clone(),
        usage_descriptions: build.usage_descriptions.clone(),
        ..AppInfo::default()
    };
    // Judge the build again now (profiles expire); icon notes came from reading the archive.
    let mut problems = problems::assess(
        &info,
        build.profile.clone().map(Ok).as_ref(),
        build.signature.as_ref(),
        now,
    );
    // What kind of bundle it is (watch-only, App Clip, ...) shows in markers the catalog does
    // not keep: the sentence found when the archive was read stands.
    problems.retain(|p| !problems::is_platform_problem(&p.message));
    let kind = build
        .problems
        .iter()
        .filter(|p| problems::is_platform_problem(p));
    problems.splice(0..0, kind.map(|p| Problem::blocking(p.clone())));
    problems.extend(
        build
            .problems
            .iter()
            .filter(|p| {
                p.to_ascii_lowercase().contains("icon") || p.contains("code signature could not")
            })
            .map(|p| Problem::warning(p.clone())),
    );
    if build.os.is_android() {
        // Android problems do not change with time: those found when the package was read stand.
        problems = build
            .problems
            .iter()
            .map(|p| match build.blocking.contains(p) {
                true => Problem::blocking(p.clone()),
                false => Problem::warning(p.clone()),
            })
            .collect();
    }
    // Sentences kept from the catalog keep the code they were found with (a deployed catalog is
    // untrusted: only a few short parameters are taken).
    const PROBLEM_TEXT_CAP: usize = 1000;
    let bounded = |d: &&Problem| {
        d.code.len() <= 64
            && d.params.len() <= 8
            && d.params.values().all(|v| v.len() <= PROBLEM_TEXT_CAP)
    };
    for problem in problems.iter_mut().filter(|p| p.code.is_empty()) {
        if let Some(found) = build
            .problem_details
            .iter()
            .filter(bounded)
            .find(|d| d.message == problem.message)
        {
            problem.code = found.code.clone();
            problem.params = found.params.clone();
        }
    }
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
        signature: build.signature.clone(),
        android: build.android.clone(),
        // The deployed catalog publishes only the count: such a build has no devices.json.
        provisioned_devices: Vec::new(),
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
        app_id: None,
        published_devices: None,
    }
}
