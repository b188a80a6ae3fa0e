//! A build that rebuilds only the apps whose inputs changed. Every build of a site without
//! private apps records, beside the cache, which app each archive went to and what the
//! site-wide files need of each app (its stub, build folders, feed builds, fingerprints and
//! its part of `catalog.json`). A later build whose other inputs (settings, theme, options)
//! are the same, inside the same span of time, then reads only the new or changed archives
//! and the cache shards of their apps: every other app is kept whole, its archives neither
//! looked up nor assembled, its folder moved into the new site.
//!
//! Whatever this cannot decide (an archive it cannot read, a folder clash with a kept app,
//! a feed it cannot complete from what it kept) is left to the long way, which decides the
//! same from every input.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use super::log::Log;
use super::parts::{AppPart, Parts};
use super::read::{self, Read};
use super::scan::Root;
use super::shortcut::{self, Inputs, Record};
use super::{BuildOptions, Found};
use crate::cache::Cache;
use crate::catalog::kept::Kept;
use crate::catalog::{App, Build, Catalog};
use crate::config::Settings;
use crate::render::FeedKey;
use crate::render::catalog_json::CatalogParts;

/// The folder of the cache holding the apps' parts of `catalog.json`.
pub(super) fn catalog_dir(settings: &Settings) -> std::path::PathBuf {
    Cache::dir_for(&settings.output_dir).join("catalog")
}

/// A build that keeps the apps of `kept` and reads the archives of the others.
pub(super) struct Plan {
    parts: Parts,
    /// Archives not in the record (new, changed or moved), by index into the scan.
    new: Vec<usize>,
    /// The recorded archives of each app found again unchanged, by index into the scan.
    by_app: BTreeMap<String, Vec<usize>>,
    /// Apps whose recorded archives are not all found unchanged.
    changed: BTreeSet<String>,
    /// Until when the kept apps' decisions hold (nanoseconds since 1970).
    valid_until: Option<i128>,
}

/// The plan for rebuilding only what changed since `record`, if its other inputs are those
/// of this build and at least one app is kept.
pub(super) fn plan(
    settings: &Settings,
    options: &BuildOptions,
    found: &[Found],
    inputs: &Inputs,
    record: Record,
) -> Option<Plan> {
    if settings.private.is_some() || !shortcut::applies(options) {
        return None;
    }
    let valid_until = record.valid_until;
    let parts = record.parts(settings)?;
    if parts.common != inputs.common {
        return None;
    }
    let mut new = Vec::new();
    let mut by_app: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut moved = BTreeSet::new();
    for (index, (f, line)) in found.iter().zip(&inputs.lines).enumerate() {
        match parts.archives.get(&shortcut::line_id(line)) {
            Some(app) => by_app.entry(app.clone()).or_default().push(index),
            None => {
                moved.extend(parts.paths.get(&f.relative).cloned());
                new.push(index);
            }
        }
    }
    let mut recorded: HashMap<&str, usize> = HashMap::new();
    for app in parts.archives.values() {
        *recorded.entry(app.as_str()).or_default() += 1;
    }
    let mut changed: BTreeSet<String> = recorded
        .iter()
        .filter(|(app, count)| by_app.get(**app).map_or(0, Vec::len) != **count)
        .map(|(app, _)| app.to_string())
        .collect();
    changed.extend(moved);
    let keeps_any = parts.apps.keys().any(|app| !changed.contains(app));
    keeps_any.then_some(Plan {
        parts,
        new,
        by_app,
        changed,
        valid_until,
    })
}

/// The apps kept whole, as their stubs, with what the build needs of their record.
pub(super) struct Partial {
    /// Until when the kept apps' decisions hold (nanoseconds since 1970).
    valid_until: Option<i128>,
    pub kept: Vec<App>,
    /// The app folder of each archive the record knows, by path in the builds folder.
    pub folders: HashMap<String, String>,
    /// Each kept app's newest build the feed left out, by app folder.
    pub feed_next_of: HashMap<String, FeedKey>,
}

/// Reads the new archives, then the recorded archives of every app they or a change touch
/// (from the shards of those apps, loaded into `cache`), and keeps the other apps; None when
/// the long way must decide.
pub(super) fn read(
    plan: Plan,
    found: &[Found],
    settings: &Settings,
    cache: &mut Cache,
    log: &Log,
) -> Result<Option<(Read, Partial)>, super::BuildError> {
    let root = Root::new(&settings.builds_dir);
    let pick =
        |indices: &[usize]| -> Vec<Found> { indices.iter().map(|&i| found[i].clone()).collect() };
    // The shards of the apps known to change first: a new line of an archive at a known
    // path (its notes touched, say) may still be the cached reading.
    let mut changed = plan.changed;
    let shards: Vec<String> = changed.iter().cloned().collect();
    if cache.load_shards(&shards).is_err() {
        return Ok(None);
    }
    let fresh = read::read_all(&pick(&plan.new), &root, cache, log)?;
    if !fresh.failures.is_empty() {
        return Ok(None);
    }
    let more: Vec<String> = fresh
        .inputs
        .iter()
        .map(|input| read::app_folder(settings, &input.ipa))
        .filter(|app| !changed.contains(app))
        .collect();
    if cache.load_shards(&more).is_err() {
        return Ok(None);
    }
    changed.extend(more);
    let again: Vec<usize> = changed
        .iter()
        .filter_map(|app| plan.by_app.get(app))
        .flatten()
        .copied()
        .collect();
    let recorded = read::read_all(&pick(&again), &root, cache, log)?;
    if !recorded.failures.is_empty() {
        return Ok(None);
    }
    let mut kept = Vec::new();
    let mut feed_next_of = HashMap::new();
    let mut kept_folders = BTreeSet::new();
    for (folder, part) in plan.parts.apps {
        if changed.contains(&folder) {
            continue;
        }
        let present = settings.output_dir.join(&folder).is_dir()
            && catalog_dir(settings).join(&part.catalog).is_file();
        if !present {
            return Ok(None);
        }
        kept_folders.insert(folder.to_lowercase());
        if let Some(next) = part.feed_next {
            feed_next_of.insert(folder.clone(), next);
        }
        let mut app = part.stub;
        app.kept = Some(Arc::new(part.kept));
        kept.push(app);
    }
    // Folders are compared without letter case, as the long way does.
    let clash = changed
        .iter()
        .any(|folder| kept_folders.contains(&folder.to_lowercase()));
    if clash {
        return Ok(None);
    }
    let mut inputs = fresh.inputs;
    inputs.extend(recorded.inputs);
    let read = Read {
        inputs,
        failures: Vec::new(),
        opened: fresh.opened + recorded.opened,
    };
    let partial = Partial {
        kept,
        folders: plan.parts.paths,
        valid_until: plan.valid_until,
        feed_next_of,
    };
    Ok(Some((read, partial)))
}

/// The span of time a build's decisions hold for: `until`, the read apps', and the kept
/// apps' when some are kept.
pub(super) fn until(
    until: Option<time::OffsetDateTime>,
    partial: Option<&Partial>,
) -> Option<time::OffsetDateTime> {
    let kept = partial
        .and_then(|partial| partial.valid_until)
        .and_then(|nanos| time::OffsetDateTime::from_unix_timestamp_nanos(nanos).ok());
    match (until, kept) {
        (Some(until), Some(kept)) => Some(until.min(kept)),
        (until, kept) => until.or(kept),
    }
}

impl Partial {
    /// The bundle ids of the kept apps.
    pub fn kept_ids(&self) -> BTreeSet<String> {
        self.kept.iter().map(|app| app.bundle_id.clone()).collect()
    }

    /// Adds the kept apps to the catalog of the changed ones; false when the feed cannot be
    /// made from what was kept (a build the previous feed left out would now be in it).
    pub fn merge_into(&mut self, catalog: &mut Catalog) -> bool {
        catalog.apps.append(&mut self.kept);
        crate::catalog::sort_apps(&mut catalog.apps);
        let mut candidates: Vec<FeedKey> = catalog
            .apps
            .iter()
            .flat_map(|app| app.feed_builds())
            .map(FeedKey::of)
            .collect();
        candidates.sort();
        // The feed made of the candidates is the whole site's when every build a kept app
        // left out comes after its last entry.
        match candidates.get(crate::layout::FEED_ENTRIES - 1) {
            Some(cut) => self.feed_next_of.values().all(|next| next > cut),
            None => self.feed_next_of.is_empty(),
        }
    }
}

/// The file names of the apps' parts of `catalog.json`, each named by the fingerprint of the
/// app's facts (what the part is made from).
pub(super) fn catalog_parts(
    settings: &Settings,
    catalog: &Catalog,
    facts: impl Fn(&str) -> Option<String>,
) -> Option<CatalogParts> {
    if settings.private.is_some() {
        return None;
    }
    let names = catalog
        .apps
        .iter()
        .filter_map(|app| {
            let facts = match &app.kept {
                Some(kept) => kept.facts.clone(),
                None => facts(app.dir())?,
            };
            Some((
                app.dir().to_string(),
                format!("{}-{}.json", app.dir(), &facts[..16]),
            ))
        })
        .collect();
    Some(CatalogParts {
        dir: catalog_dir(settings),
        names,
    })
}

/// What a build knows from its start that its record for the next build is made of.
pub(super) struct Recorder<'a> {
    /// What the build's inputs are.
    pub inputs: &'a Inputs,
    pub found: &'a [Found],
    /// The app folder of each archive, by path in the builds folder.
    pub folders: &'a HashMap<String, String>,
    /// Each kept app's newest build the feed left out, by app folder.
    pub feed_next: &'a HashMap<String, FeedKey>,
}

impl Recorder<'_> {
    /// What the build of `catalog` records for the next: None for a site with private apps,
    /// or when an archive found is in no app of the catalog nor left out by retention.
    /// `pages` are the fingerprints of the generated files, `parts` where the catalog's
    /// parts were written.
    pub fn make(
        &self,
        catalog: &Catalog,
        fingerprints: &super::fingerprint::Fingerprints,
        pages: &BTreeMap<String, String>,
        parts: Option<&CatalogParts>,
    ) -> Option<Parts> {
        make(self, catalog, fingerprints, pages, parts?)
    }
}

fn make(
    recorder: &Recorder<'_>,
    catalog: &Catalog,
    fingerprints: &super::fingerprint::Fingerprints,
    pages: &BTreeMap<String, String>,
    parts: &CatalogParts,
) -> Option<Parts> {
    let Recorder {
        inputs,
        found,
        folders,
        feed_next: previous_next,
    } = *recorder;
    let mut archives = HashMap::with_capacity(found.len());
    let mut paths = HashMap::with_capacity(found.len());
    for (f, line) in found.iter().zip(&inputs.lines) {
        let folder = folders.get(&f.relative)?;
        archives.insert(shortcut::line_id(line), folder.clone());
        paths.insert(f.relative.clone(), folder.clone());
    }
    let mut newest: Vec<&Build> = catalog
        .apps
        .iter()
        .flat_map(|app| app.feed_builds())
        .collect();
    newest.sort_by(|a, b| crate::render::feed_order(a, b));
    newest.truncate(crate::layout::FEED_ENTRIES);
    let in_feed: BTreeSet<&str> = newest.iter().map(|b| b.path.as_str()).collect();
    let mut apps = BTreeMap::new();
    for app in &catalog.apps {
        let dir = app.dir().to_string();
        let feed: Vec<Build> = app
            .feed_builds()
            .iter()
            .filter(|b| in_feed.contains(b.path.as_str()))
            .cloned()
            .collect();
        let kept = match &app.kept {
            Some(kept) => Kept {
                feed,
                ..(**kept).clone()
            },
            None => {
                let prefix = crate::layout::app_path(&dir);
                Kept {
                    build_count: app.builds.len(),
                    paths: app.builds.iter().map(|b| b.path.clone()).collect(),
                    feed,
                    facts: fingerprints.facts_of(&dir)?,
                    folder: fingerprints.apps.get(&dir)?.clone(),
                    files: pages
                        .range(prefix.clone()..)
                        .take_while(|(path, _)| path.starts_with(&prefix))
                        .count(),
                }
            }
        };
        let stub = if app.kept.is_some() {
            App {
                kept: None,
                ..app.clone()
            }
        } else {
            app.stub()
        };
        // Its newest build left out: of all its builds, or for a kept app, of the one it
        // left out before and those the feed no longer lists.
        let left_out = app
            .feed_builds()
            .iter()
            .filter(|b| !in_feed.contains(b.path.as_str()))
            .map(FeedKey::of);
        let before = app
            .kept
            .as_ref()
            .and_then(|_| previous_next.get(&dir).cloned());
        let feed_next = left_out.chain(before).min();
        let catalog = parts.names.get(&dir)?.clone();
        // A site found up to date was not rendered: its parts may predate this cache.
        if !parts.dir.join(&catalog).is_file() {
            return None;
        }
        apps.insert(
            dir,
            AppPart {
                stub,
                kept,
                catalog,
                feed_next,
            },
        );
    }
    remove_unused_catalog_parts(parts, &apps);
    Some(Parts {
        common: inputs.common.clone(),
        archives,
        paths,
        apps,
    })
}

/// Removes the parts of `catalog.json` no app of the record names.
fn remove_unused_catalog_parts(parts: &CatalogParts, apps: &BTreeMap<String, AppPart>) {
    let used: BTreeSet<&str> = apps.values().map(|part| part.catalog.as_str()).collect();
    let Ok(files) = std::fs::read_dir(&parts.dir) else {
        return;
    };
    for file in files.flatten() {
        let name = file.file_name().to_string_lossy().into_owned();
        if !used.contains(name.as_str()) {
            let _ = std::fs::remove_file(file.path());
        }
    }
}

/// The generated files in kept apps' folders, counted as kept.
pub(super) fn files_in_kept(catalog: &Catalog) -> usize {
    catalog
        .apps
        .iter()
        .filter_map(|app| app.kept.as_ref())
        .map(|kept| kept.files)
        .sum()
}
