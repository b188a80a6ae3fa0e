//! `otasite build` as a fixed sequence of named steps: config, scan, read, catalog, stage,
//! archives, render, swap.

mod bounds;
mod fingerprint;
mod log;
mod partial;
mod parts;
mod place;
mod private;
mod read;
mod scan;
mod shortcut;
mod size;

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Instant;

use crate::cache::Cache;
use crate::catalog::{self, BuildInput, Catalog};
use crate::config::Settings;
use crate::ipa::IpaError;
use crate::output::{self, IpaMode, Stage};
use crate::render::{self, Reuse, SiteExtras, theme::Theme};
pub use bounds::{NAME_CAP, NOTES_CAP};
use log::Log;
pub use scan::{Found, Scanned, scan};

/// How chatty the build is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

/// Build flags beyond the config file.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub ipa_mode: IpaMode,
    pub strict: bool,
    pub keep_going: bool,
    pub force: bool,
    pub verbosity: Verbosity,
    /// A note shown on every page.
    pub banner: Option<String>,
    /// The deployed site's catalog.json (a file or an https:// URL), whose builds are kept.
    pub previous: Option<String>,
    /// Publish a site without any app instead of failing.
    pub allow_empty: bool,
    /// Draw a new salt for the locked pages (every share link stops working).
    pub new_salt: bool,
}

/// Why a build failed. The previous site is untouched in every case.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("cannot read the builds folder {path}")]
    Scan {
        path: PathBuf,
        #[source]
        source: walkdir::Error,
    },
    #[error("{} archive(s) could not be read (use --keep-going to build the rest):\n{}", .0.len(), list(.0))]
    Unreadable(Vec<(PathBuf, IpaError)>),
    #[error(transparent)]
    Assemble(#[from] catalog::AssembleError),
    #[error("--strict: the newest build of {} cannot be installed:\n{}", .0.len(), .0.join("\n"))]
    Strict(Vec<String>),
    #[error(transparent)]
    Render(#[from] render::RenderError),
    #[error(transparent)]
    Output(#[from] crate::output::OutputError),
    #[error(transparent)]
    Previous(#[from] crate::previous::PreviousError),
    #[error("{0}")]
    Private(String),
    #[error("the folder {0} of the previous site could not be kept; build again with --force")]
    Kept(String),
    #[error("cannot read release notes {path}")]
    Notes {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "no app to publish: {} holds no readable .ipa file, and publishing would replace the site with an empty one; add archives, or pass --allow-empty if an empty site is intended",
        .0.display()
    )]
    Empty(PathBuf),
}

fn list(failures: &[(PathBuf, IpaError)]) -> String {
    failures
        .iter()
        .map(|(path, error)| format!("  {}: {error}", path.display()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// What a finished build reports.
#[derive(Debug)]
pub struct BuildSummary {
    pub apps: usize,
    pub builds: usize,
    pub skipped: Vec<(PathBuf, IpaError)>,
    pub output: PathBuf,
    /// The catalog of the site; None when the site was found up to date from its inputs
    /// alone, without assembling it.
    pub catalog: Option<Catalog>,
    pub stats: BuildStats,
    /// What to tell about the site once built: each app whose newest build cannot be
    /// installed, each `apps:` entry no build uses.
    pub warnings: Vec<String>,
}

/// What one build did, counted by that build: how a rebuild shows that it cost only what
/// changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BuildStats {
    /// Archives opened and read; the others' facts came from the build cache.
    pub archives_read: usize,
    /// Archives read in full to compute their SHA-256 (while being copied, or on their own).
    pub archives_hashed: usize,
    /// Archives that joined the new site from the previous one, neither copied nor hashed.
    pub archives_linked: usize,
    /// Rendered files kept from the previous site because their inputs did not change.
    pub files_kept: usize,
    /// No input changed since the site in place was written, so it was left as it is.
    pub up_to_date: bool,
    /// Apps kept whole from the previous build, their archives neither looked up nor
    /// assembled: every input of theirs is unchanged.
    pub apps_kept: usize,
}

/// Runs the whole build: prepare the output, scan, read, catalog, then either stop (nothing
/// changed) or place the archives, render, commit and save the cache.
pub fn build(settings: &Settings, options: &BuildOptions) -> Result<BuildSummary, BuildError> {
    build_with(settings, options, true)
}

/// [`build`]; `partly`: whether the apps whose inputs are unchanged may be kept whole
/// without being read (see `partial`).
fn build_with(
    settings: &Settings,
    options: &BuildOptions,
    partly: bool,
) -> Result<BuildSummary, BuildError> {
    let log = Log::new(options.verbosity);
    let started = Instant::now();
    // Held until the build returns: one build at a time writes this output.
    let _lock = prepare_output(settings, &log)?;
    let found = scan_builds(settings, &log)?;
    let step = Instant::now();
    let theme = Theme::load(settings.theme_dir.as_deref()).map_err(render::RenderError::from)?;
    let digests = shortcut::Inputs::of(settings, options, &theme, &found);
    let plan = match shortcut::check(settings, options, &digests) {
        shortcut::Decision::UpToDate(record) => {
            log.debug(format!("inputs unchanged: {:?}", step.elapsed()));
            return Ok(replay(settings, record, &log, started));
        }
        shortcut::Decision::Changed(record) if partly => {
            partial::plan(settings, options, &found, &digests, record)
        }
        shortcut::Decision::Changed(_) => None,
        shortcut::Decision::Unknown => None,
    };
    log.debug(format!(
        "inputs changed or not recorded: {:?}",
        step.elapsed()
    ));
    // The warnings of reading and assembling, given again while the inputs stay the same.
    log.record();

    let private = private::prepare(settings, options, &log)?;
    let Reading {
        mut cache,
        mut partial,
        read,
    } = read_step(settings, options, &found, plan, private.as_ref(), &log)?;
    let mut stats = BuildStats {
        archives_read: read.opened,
        ..BuildStats::default()
    };
    // Each archive's app folder, for the next build to tell which apps an archive changes.
    let mut folders: HashMap<String, String> = partial
        .as_mut()
        .map(|partial| std::mem::take(&mut partial.folders))
        .unwrap_or_default();
    folders.extend(read.inputs.iter().map(|input| {
        (
            input.relative.clone(),
            read::app_folder(settings, &input.ipa),
        )
    }));
    // Read before the catalog judges ages and expiries (see `shortcut::Window`).
    let from = crate::clock::now();
    let until = catalog::retention::valid_until(&settings.retention, &read.inputs, from);
    let until = partial::until(until, partial.as_ref());
    let window = shortcut::Window { from, until };
    let mut feed_next_of = HashMap::new();
    let catalog::Assembled {
        mut catalog,
        mut inputs,
        dropped,
    } = match partial {
        Some(mut partial) => {
            match assemble_kept(settings, options, read.inputs, &mut partial, &log)? {
                Some(assembled) => {
                    feed_next_of = partial.feed_next_of;
                    assembled
                }
                None => {
                    // The feed needs builds of kept apps that were not kept: the long way.
                    log.debug(
                        "the feed needs builds the record left out: reading every app".into(),
                    );
                    drop(cache);
                    drop(_lock);
                    return build_with(settings, options, false);
                }
            }
        }
        None => assemble(settings, options, read.inputs, &log)?,
    };

    let page_key = private.as_ref().map(|p| &p.key);
    let step = Instant::now();
    let before = fingerprint::of(&mut catalog, &inputs, &theme, settings, options, page_key);
    log.debug(format!("fingerprints: {:?}", step.elapsed()));
    let all_known = inputs.values().all(|i| i.ipa.sha256.is_some());
    let current_site = output::fingerprint(&settings.output_dir);
    let warnings = log.take_recorded();
    let after = warnings_about(settings, &catalog);
    let build_count: usize = catalog.apps.iter().map(catalog::App::build_count).sum();
    let app_count = catalog.apps.len();
    let kept_apps: std::collections::BTreeSet<String> = catalog
        .apps
        .iter()
        .filter(|app| app.kept.is_some())
        .map(|app| app.dir().to_string())
        .collect();
    stats.apps_kept = kept_apps.len();
    let recorder = partial::Recorder {
        inputs: &digests,
        found: &found,
        folders: &folders,
        feed_next: &feed_next_of,
    };
    let made = |site, parts| shortcut::Made {
        inputs: &digests,
        site,
        window,
        apps: app_count,
        builds: build_count,
        warnings: warnings.clone(),
        after: after.clone(),
        parts,
    };
    if all_known && !options.force && current_site.as_deref() == Some(&before.site) {
        // Every input is as it was when the current site was written: nothing to redo.
        stats.up_to_date = true;
        log_archives(&log, std::time::Duration::ZERO, &stats);
        let names = partial::catalog_parts(settings, &catalog, |dir| before.facts_of(dir));
        let parts = recorder.make(&catalog, &before, cache.pages(), names.as_ref());
        let record = read.failures.is_empty().then(|| made(&before.site, parts));
        shortcut::save(settings, options, record);
        let summary = summarise(settings, catalog, build_count, read.failures, stats, after);
        log.info(format!(
            "{} is up to date ({} app(s), {} build(s)) in {:.2?}",
            summary.output.display(),
            summary.apps,
            summary.builds,
            started.elapsed()
        ));
        return Ok(summary);
    }

    let step = Instant::now();
    let stage = Stage::begin(&settings.output_dir, options.force)?;
    let (pages, apps) = reusable(&mut cache, current_site.as_deref());
    let mut reuse = Reuse::new(pages).with_apps(apps, before.apps.clone());
    let kept = keep_unchanged_apps(&stage, &catalog, &inputs, &reuse)?;
    let placed = place::place_archives(&stage, settings, &inputs, options.ipa_mode, &kept)?;
    let hashed = apps_hashed(&catalog, &placed);
    record_hashes(&mut catalog, &mut inputs, &placed);
    stats.archives_hashed = placed.values().filter(|p| p.hashed).count();
    // A kept app's archives move with its folder.
    stats.archives_linked = placed.values().filter(|p| p.reused).count()
        + catalog
            .apps
            .iter()
            .filter(|app| app.kept.is_some())
            .map(catalog::App::build_count)
            .sum::<usize>();
    log_archives(&log, step.elapsed(), &stats);

    // The catalog now carries every archive's SHA-256, which the fingerprints cover.
    let step = Instant::now();
    let written = before.refresh(&catalog, &inputs, &hashed);
    log.debug(format!(
        "fingerprints of {} app(s) with new archives: {:?}",
        hashed.len(),
        step.elapsed()
    ));
    let step = Instant::now();
    reuse.set_apps(written.apps.clone());
    let names = partial::catalog_parts(settings, &catalog, |dir| written.facts_of(dir));
    render_pages(
        &stage, &theme, &catalog, &inputs, options, settings, &reuse, page_key, &names,
    )?;
    stats.files_kept = reuse.reused() + partial::files_in_kept(&catalog);
    log.debug(format!(
        "render: {:?} ({} unchanged files kept from the previous site){}",
        step.elapsed(),
        stats.files_kept,
        log::memory()
    ));

    let step = Instant::now();
    stage.commit(&written.site)?;
    log.debug(format!("commit: {:?}", step.elapsed()));
    let step = Instant::now();
    let (total, sizes) = size::site_sizes(&settings.output_dir, &reuse.kept_apps(), cache.sizes());
    crate::hosting::size_warnings_of(&settings.output_dir, total)
        .into_iter()
        .for_each(|w| log.warn(w));
    log.debug(format!("size check: {:?}", step.elapsed()));
    let step = Instant::now();
    // Only now do the recorded fingerprints describe the files in the output folder.
    let site = written.site.clone();
    let pages = reuse.into_fingerprints();
    let parts = recorder.make(&catalog, &written, &pages, names.as_ref());
    let record = read.failures.is_empty().then(|| made(&site, parts));
    // Each build's reading is kept in the shard of its app's folder; those retention left
    // out too, so that judging them again reads nothing.
    let entries = inputs
        .into_iter()
        .map(|(path, input)| {
            (
                path.split('/').next().unwrap_or_default().to_string(),
                input,
            )
        })
        .chain(
            dropped
                .into_iter()
                .map(|input| (read::app_folder(settings, &input.ipa), input)),
        );
    let saved = read::save_cache(&mut cache, entries, &kept_apps, pages, written, sizes, &log);
    shortcut::save(settings, options, record.filter(|_| saved));
    log.debug(format!("cache: {:?}{}", step.elapsed(), log::memory()));

    let summary = summarise(settings, catalog, build_count, read.failures, stats, after);
    log.info(format!(
        "Built {} app(s), {} build(s) into {} in {:.2?}",
        summary.apps,
        summary.builds,
        summary.output.display(),
        started.elapsed()
    ));
    Ok(summary)
}

/// The cache and what the read step gave: with `partial`, the apps kept whole and the
/// readings of the others; without, the readings of every archive.
struct Reading {
    cache: Cache,
    partial: Option<partial::Partial>,
    read: read::Read,
}

/// Reads the archives of the apps `plan` does not keep, from their cache shards, or, without
/// a plan (or when it cannot be followed), every archive from the whole cache.
fn read_step(
    settings: &Settings,
    options: &BuildOptions,
    found: &[Found],
    plan: Option<partial::Plan>,
    private: Option<&crate::private::salt::Prepared>,
    log: &Log,
) -> Result<Reading, BuildError> {
    let step = Instant::now();
    let cache_dir = Cache::dir_for(&settings.output_dir);
    let mut cache = Cache::open_index(cache_dir.clone());
    let plan = plan.filter(|_| cache.discarded.is_none());
    if let Some(plan) = plan {
        if let Some((read, partial)) = partial::read(plan, found, settings, &mut cache, log)? {
            log.debug(format!(
                "apps kept whole: {}; cache shards and archives read: {:?}",
                partial.kept.len(),
                step.elapsed()
            ));
            return Ok(Reading {
                cache,
                partial: Some(partial),
                read,
            });
        }
    }
    let mut cache = Cache::open(cache_dir);
    log.debug(format!("cache index: {:?}", step.elapsed()));
    if let Some(reason) = &cache.discarded {
        log.debug(format!("cache discarded ({reason}); rebuilding it"));
    }
    let previous_whole = private::previous_catalog(private)?;
    let read = read_archives(found, settings, options, &mut cache, previous_whole, log)?;
    Ok(Reading {
        cache,
        partial: None,
        read,
    })
}

/// The catalog of the apps read, with the kept apps of `partial`; None when the feed needs
/// builds the kept apps' record left out.
fn assemble_kept(
    settings: &Settings,
    options: &BuildOptions,
    inputs: Vec<BuildInput>,
    partial: &mut partial::Partial,
    log: &Log,
) -> Result<Option<catalog::Assembled>, BuildError> {
    let step = Instant::now();
    let mut assembled = catalog::assemble_with(settings, inputs, &partial.kept_ids())?;
    if !partial.merge_into(&mut assembled.catalog) {
        return Ok(None);
    }
    log.debug(format!("catalog: {:?}{}", step.elapsed(), log::memory()));
    if options.strict {
        check_strict(&assembled.catalog)?;
    }
    Ok(Some(assembled))
}

/// Reads every archive (or takes it from the cache), reports or refuses the unreadable ones,
/// and adds the builds kept from `--previous` (from `previous_whole`, the previous site's
/// private catalog, when it has one).
fn read_archives(
    found: &[Found],
    settings: &Settings,
    options: &BuildOptions,
    cache: &mut Cache,
    previous_whole: Option<Catalog>,
    log: &Log,
) -> Result<read::Read, BuildError> {
    let step = Instant::now();
    let mut read = read::read_all(found, &scan::Root::new(&settings.builds_dir), cache, log)?;
    log.debug(format!("read: {:?}{}", step.elapsed(), log::memory()));
    if !read.failures.is_empty() && !options.keep_going {
        return Err(BuildError::Unreadable(read.failures));
    }
    for (path, error) in &read.failures {
        log.warn(format!("skipped {}: {error}", path.display()));
    }
    if let Some(source) = &options.previous {
        let local = std::mem::take(&mut read.inputs);
        read.inputs = with_previous(local, source, previous_whole, settings, cache, log)?;
    }
    Ok(read)
}

/// The catalog of the inputs; refuses an empty site (unless allowed) and, with `--strict`,
/// an app whose newest build cannot be installed.
fn assemble(
    settings: &Settings,
    options: &BuildOptions,
    inputs: Vec<BuildInput>,
    log: &Log,
) -> Result<catalog::Assembled, BuildError> {
    let step = Instant::now();
    let assembled = catalog::assemble(settings, inputs)?;
    let catalog = &assembled.catalog;
    if catalog.apps.is_empty() && !options.allow_empty {
        return Err(BuildError::Empty(settings.builds_dir.clone()));
    }
    if options.strict {
        check_strict(catalog)?;
    }
    log.debug(format!("catalog: {:?}{}", step.elapsed(), log::memory()));
    Ok(assembled)
}

/// Renders every page, manifest, icon and feed into the stage.
#[allow(clippy::too_many_arguments)]
fn render_pages(
    stage: &Stage,
    theme: &Theme,
    catalog: &Catalog,
    inputs: &catalog::Inputs,
    options: &BuildOptions,
    settings: &Settings,
    reuse: &Reuse,
    page_key: Option<&crate::private::PageKey>,
    catalog_parts: &Option<render::catalog_json::CatalogParts>,
) -> Result<(), BuildError> {
    let extras = SiteExtras {
        catalog_parts: catalog_parts.as_ref(),
        icons: inputs
            .iter()
            .filter_map(|(path, input)| Some((path.clone(), input.icon_files.as_ref()?)))
            .collect::<HashMap<String, _>>(),
        banner: options.banner.clone(),
        cname: settings.cname.clone(),
        reuse,
        private: page_key,
        private_site: settings.private_by_default,
        devices: settings.devices.as_ref(),
        provisioned: inputs
            .iter()
            .filter_map(|(path, input)| {
                use crate::devices::hashes::Source;
                let source = match (&input.published_devices, &input.published_ipa_url) {
                    (Some(file), _) => Source::Published(file),
                    (None, None) => Source::Profile(&input.ipa.provisioned_devices),
                    (None, Some(_)) => return None,
                };
                Some((path.clone(), source))
            })
            .collect(),
        language: &settings.language,
        languages: &settings.languages,
    };
    render::render_site(stage, theme, catalog, &extras)?;
    Ok(())
}

/// Refuses an output that would replace an input, takes the output's lock (waiting for
/// another build), and finishes or undoes a commit a stopped build left behind.
fn prepare_output(settings: &Settings, log: &Log) -> Result<output::OutputLock, BuildError> {
    output::guard::check(
        &settings.output_dir,
        &output::guard::protected(
            &settings.builds_dir,
            settings.theme_dir.as_deref(),
            &settings.config_file,
        ),
    )?;
    let lock = output::OutputLock::acquire(&settings.output_dir, |lock| {
        log.info(format!(
            "waiting for another build of {} to finish (it holds {})",
            settings.output_dir.display(),
            lock.display()
        ))
    })?;
    match output::recover(&settings.output_dir)? {
        output::Recovery::Clean => {}
        output::Recovery::Undone => log.warn(format!(
            "a build of {} was stopped before its new site was in place: the previous site was put back",
            settings.output_dir.display()
        )),
        output::Recovery::Finished => log.warn(format!(
            "a build of {} was stopped while putting its new site in place: the site was completed",
            settings.output_dir.display()
        )),
    }
    Ok(lock)
}

/// The archives under the builds folder; links and special files skipped are warned about.
fn scan_builds(settings: &Settings, log: &Log) -> Result<Vec<Found>, BuildError> {
    let step = Instant::now();
    let scanned = scan(&settings.builds_dir)?;
    for warning in &scanned.warnings {
        log.warn(warning.clone());
    }
    log.debug(format!(
        "scan: {} archives in {:?}",
        scanned.found.len(),
        step.elapsed()
    ));
    Ok(scanned.found)
}

/// Keeps the previous site's folder of every app whose fingerprint is already final (each of
/// its archives' SHA-256 known) and unchanged, before any archive is placed: their archives
/// then move with their folders, neither looked at nor linked one by one. Returns the build
/// folders of those apps.
fn keep_unchanged_apps(
    stage: &Stage,
    catalog: &Catalog,
    inputs: &catalog::Inputs,
    reuse: &Reuse,
) -> Result<std::collections::HashSet<String>, BuildError> {
    let mut kept = std::collections::HashSet::new();
    for app in &catalog.apps {
        if app.kept.is_some() {
            if !reuse.keep_app_whole(stage, app.dir())? {
                return Err(BuildError::Kept(app.dir().to_string()));
            }
            continue;
        }
        let known = app.builds.iter().all(|build| {
            inputs.get(&build.path).is_some_and(|input| {
                input.ipa.sha256.is_some() && input.published_ipa_url.is_none()
            })
        });
        if known && reuse.keep_app(stage, app.dir())? {
            kept.extend(app.builds.iter().map(|build| build.path.clone()));
        }
    }
    Ok(kept)
}

/// The folders of the apps with a build whose SHA-256 was not known before it was placed.
fn apps_hashed(
    catalog: &Catalog,
    placed: &std::collections::BTreeMap<String, place::Placed>,
) -> std::collections::HashSet<String> {
    catalog
        .apps
        .iter()
        .filter(|app| {
            app.builds.iter().any(|build| {
                placed
                    .get(&build.path)
                    .is_some_and(|p| p.sha256 != build.sha256)
            })
        })
        .map(|app| app.dir().to_string())
        .collect()
}

/// Writes the SHA-256 each archive got while being placed into its build and its input.
fn record_hashes(
    catalog: &mut Catalog,
    inputs: &mut catalog::Inputs,
    placed: &std::collections::BTreeMap<String, place::Placed>,
) {
    for build in builds_mut(catalog) {
        if let Some(placed) = placed.get(&build.path) {
            build.sha256 = placed.sha256.clone();
        }
    }
    for (build_path, input) in inputs.iter_mut() {
        if let Some(placed) = placed.get(build_path) {
            input.ipa.sha256 = Some(placed.sha256.clone());
            input.published = placed.published.clone();
        }
    }
}

type Fingerprints = std::collections::BTreeMap<String, String>;

/// The page and app fingerprints of the previous build, when they describe the site in place
/// (a build stopped between its commit and saving the cache leaves them describing another).
fn reusable(cache: &mut Cache, current_site: Option<&str>) -> (Fingerprints, Fingerprints) {
    match current_site {
        Some(site) if cache.site() == Some(site) => cache.take_fingerprints(),
        _ => Default::default(),
    }
}

fn log_archives(log: &Log, elapsed: std::time::Duration, stats: &BuildStats) {
    log.debug(format!(
        "archives: {elapsed:?} ({} opened, {} hashed, {} linked from the previous site)",
        stats.archives_read, stats.archives_hashed, stats.archives_linked,
    ));
}

fn summarise(
    settings: &Settings,
    catalog: Catalog,
    builds: usize,
    skipped: Vec<(PathBuf, IpaError)>,
    stats: BuildStats,
    warnings: Vec<String>,
) -> BuildSummary {
    // A catalog with kept apps holds only their stubs: not the site's catalog.
    let whole = catalog.apps.iter().all(|app| app.kept.is_none());
    BuildSummary {
        apps: catalog.apps.len(),
        builds,
        skipped,
        output: settings.output_dir.clone(),
        catalog: whole.then_some(catalog),
        stats,
        warnings,
    }
}

/// The summary of a build found up to date from its inputs alone: what the build that
/// recorded them said, said again.
fn replay(
    settings: &Settings,
    record: shortcut::Record,
    log: &Log,
    started: Instant,
) -> BuildSummary {
    for warning in record.warnings {
        log.warn(warning);
    }
    let stats = BuildStats {
        up_to_date: true,
        ..BuildStats::default()
    };
    log_archives(log, std::time::Duration::ZERO, &stats);
    log.info(format!(
        "{} is up to date ({} app(s), {} build(s)) in {:.2?}",
        settings.output_dir.display(),
        record.apps,
        record.builds,
        started.elapsed()
    ));
    BuildSummary {
        apps: record.apps,
        builds: record.builds,
        skipped: Vec::new(),
        output: settings.output_dir.clone(),
        catalog: None,
        stats,
        warnings: record.after,
    }
}

/// Adds the builds of a previous catalog that are not rebuilt from a local archive.
fn with_previous(
    mut inputs: Vec<BuildInput>,
    source: &str,
    whole: Option<Catalog>,
    settings: &Settings,
    cache: &Cache,
    log: &Log,
) -> Result<Vec<BuildInput>, BuildError> {
    let now = crate::clock::now();
    let (kept, warnings) = match whole {
        Some(catalog) => crate::previous::load_catalog(catalog, source, now, cache),
        None => crate::previous::load(source, now, cache)?,
    };
    for warning in warnings {
        log.warn(warning);
    }
    let local: std::collections::HashSet<crate::layout::BuildDir> =
        inputs.iter().map(BuildInput::dir).collect();
    let before = inputs.len();
    inputs.extend(kept.into_iter().filter(|k| !local.contains(&k.dir())));
    crate::previous::check_kept(&inputs[before..], settings)?;
    log.debug(format!(
        "previous: kept {} build(s) from {source}",
        inputs.len() - before,
    ));
    Ok(inputs)
}

fn check_strict(catalog: &Catalog) -> Result<(), BuildError> {
    let blocked: Vec<String> = catalog
        .apps
        .iter()
        .filter(|app| !app.builds[0].installable)
        .map(|app| {
            let newest = &app.builds[0];
            format!(
                "  {} ({}): {}",
                app.name,
                newest.file,
                newest.blocking.join(" ")
            )
        })
        .collect();
    if blocked.is_empty() {
        Ok(())
    } else {
        Err(BuildError::Strict(blocked))
    }
}

fn builds_mut(catalog: &mut Catalog) -> impl Iterator<Item = &mut catalog::Build> {
    catalog
        .apps
        .iter_mut()
        .flat_map(|app| app.builds.iter_mut())
}

/// Warnings about the site a build made, for after the build: [`summary_warnings`] and each
/// `apps:` entry of `site.yaml` that no build uses.
pub fn warnings_about(settings: &Settings, catalog: &Catalog) -> Vec<String> {
    let mut warnings = summary_warnings(catalog);
    warnings.extend(unused_app_entries(settings, catalog));
    warnings
}

/// `apps:` entries naming a bundle id no build has: most likely a typo, silently unused.
fn unused_app_entries(settings: &Settings, catalog: &Catalog) -> Vec<String> {
    settings
        .apps
        .keys()
        .filter(|id| !catalog.apps.iter().any(|app| &app.bundle_id == *id))
        .map(|id| {
            format!(
                "{}: apps: {id}: no archive has the bundle id {id}, so this entry is unused",
                settings.origin(&format!("apps.{id}"))
            )
        })
        .collect()
}

/// Warnings that only matter to people, after the build.
pub fn summary_warnings(catalog: &Catalog) -> Vec<String> {
    catalog
        .apps
        .iter()
        .filter(|app| !app.builds[0].installable)
        .map(|app| {
            format!(
                "{}: the newest build ({}) cannot be installed: {}",
                app.name,
                app.builds[0].display_version(),
                app.builds[0].blocking.join(" ")
            )
        })
        .collect()
}
