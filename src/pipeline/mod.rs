//! `otasite build` as a fixed sequence of named steps: config, scan, read, catalog, stage,
//! archives, render, swap.

mod bounds;
mod log;
mod place;
mod read;
mod scan;

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
    pub catalog: Catalog,
}

/// Runs the whole build.
pub fn build(settings: &Settings, options: &BuildOptions) -> Result<BuildSummary, BuildError> {
    let log = Log(options.verbosity);
    let started = Instant::now();

    output::guard::check(
        &settings.output_dir,
        &output::guard::protected(
            &settings.builds_dir,
            settings.theme_dir.as_deref(),
            &settings.config_file,
        ),
    )?;
    // Held until the build returns: one build at a time writes this output.
    let _lock = output::OutputLock::acquire(&settings.output_dir, |lock| {
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

    let step = Instant::now();
    let scanned = scan(&settings.builds_dir)?;
    for warning in &scanned.warnings {
        log.warn(warning.clone());
    }
    let found = scanned.found;
    log.debug(format!(
        "scan: {} archives in {:?}",
        found.len(),
        step.elapsed()
    ));

    let step = Instant::now();
    let mut cache = Cache::open(Cache::dir_for(&settings.output_dir));
    if let Some(reason) = &cache.discarded {
        log.debug(format!("cache discarded ({reason}); rebuilding it"));
    }
    let (inputs, failures) =
        read::read_all(&found, &scan::Root::new(&settings.builds_dir), &cache, &log)?;
    log.debug(format!("read: {:?}", step.elapsed()));
    if !failures.is_empty() && !options.keep_going {
        return Err(BuildError::Unreadable(failures));
    }
    for (path, error) in &failures {
        log.warn(format!("skipped {}: {error}", path.display()));
    }

    let inputs = match &options.previous {
        Some(source) => with_previous(inputs, source, settings, &cache, &log)?,
        None => inputs,
    };

    let step = Instant::now();
    let (mut catalog, mut inputs) = catalog::assemble(settings, inputs)?;
    if catalog.apps.is_empty() && !options.allow_empty {
        return Err(BuildError::Empty(settings.builds_dir.clone()));
    }
    if options.strict {
        check_strict(&catalog)?;
    }
    log.debug(format!("catalog: {:?}", step.elapsed()));

    let step = Instant::now();
    let theme = Theme::load(settings.theme_dir.as_deref()).map_err(render::RenderError::from)?;
    let fingerprint = site_fingerprint(&catalog, &theme, settings, options);
    let all_known = inputs.values().all(|i| i.ipa.sha256.is_some());
    let current_site = output::fingerprint(&settings.output_dir);
    if all_known && !options.force && current_site.as_deref() == Some(&fingerprint) {
        // Every input is as it was when the current site was written: nothing to redo.
        log.debug("archives: 0ns (0 opened, 0 hashed, 0 linked from the previous site)".into());
        log.info(format!(
            "{} is up to date ({} app(s), {} build(s)) in {:.2?}",
            settings.output_dir.display(),
            catalog.apps.len(),
            inputs.len(),
            started.elapsed()
        ));
        return Ok(BuildSummary {
            apps: catalog.apps.len(),
            builds: inputs.len(),
            skipped: failures,
            output: settings.output_dir.clone(),
            catalog,
        });
    }
    let stage = Stage::begin(&settings.output_dir, options.force)?;
    let placed = place::place_archives(&stage, settings, &inputs, options.ipa_mode)?;
    for build in builds_mut(&mut catalog) {
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
    log.debug(format!(
        "archives: {:?} ({} opened, {} hashed, {} linked from the previous site)",
        step.elapsed(),
        crate::ipa::archive::OPENED.load(std::sync::atomic::Ordering::Relaxed),
        crate::hash::FILES_HASHED.load(std::sync::atomic::Ordering::Relaxed),
        placed.values().filter(|p| p.reused).count(),
    ));

    let step = Instant::now();
    let icons: HashMap<String, _> = inputs
        .iter()
        .filter_map(|(build_path, input)| Some((build_path.clone(), input.icon_files.as_ref()?)))
        .collect();
    // The cache's page fingerprints describe the site it was saved with, which may not be
    // the site in place (a build stopped between its commit and saving the cache).
    let pages = match current_site {
        Some(site) if cache.site() == Some(site.as_str()) => cache.pages().clone(),
        _ => Default::default(),
    };
    let reuse = Reuse::new(pages);
    let extras = SiteExtras {
        icons,
        banner: options.banner.clone(),
        cname: settings.cname.clone(),
        reuse: &reuse,
    };
    render::render_site(&stage, &theme, &catalog, &extras)?;
    log.debug(format!(
        "render: {:?} ({} unchanged files kept from the previous site)",
        step.elapsed(),
        reuse.reused()
    ));
    let step = Instant::now();
    let written = site_fingerprint(&catalog, &theme, settings, options);
    stage.commit(&written)?;
    log.debug(format!("commit: {:?}", step.elapsed()));
    let step = Instant::now();
    // Only now do the recorded fingerprints describe the files in the output folder.
    read::save_cache(
        &mut cache,
        inputs.values(),
        reuse.into_fingerprints(),
        &written,
        &log,
    );
    log.debug(format!("cache: {:?}", step.elapsed()));
    let step = Instant::now();
    crate::hosting::size_warnings(&settings.output_dir)
        .into_iter()
        .for_each(|w| log.warn(w));
    log.debug(format!("size check: {:?}", step.elapsed()));

    let summary = BuildSummary {
        apps: catalog.apps.len(),
        builds: inputs.len(),
        skipped: failures,
        output: settings.output_dir.clone(),
        catalog,
    };
    log.info(format!(
        "Built {} app(s), {} build(s) into {} in {:.2?}",
        summary.apps,
        summary.builds,
        summary.output.display(),
        started.elapsed()
    ));
    Ok(summary)
}

/// Adds the builds of a previous catalog that are not rebuilt from a local archive.
fn with_previous(
    mut inputs: Vec<BuildInput>,
    source: &str,
    settings: &Settings,
    cache: &Cache,
    log: &Log,
) -> Result<Vec<BuildInput>, BuildError> {
    let (kept, warnings) = crate::previous::load(source, crate::clock::now(), cache)?;
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

/// Everything the written site is a function of: otasite's version, the catalog (which carries
/// every fact, URL, note and problem), the theme files and the page banner.
fn site_fingerprint(
    catalog: &Catalog,
    theme: &Theme,
    settings: &Settings,
    options: &BuildOptions,
) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(env!("CARGO_PKG_VERSION"));
    hasher.update(serde_json::to_vec(catalog).unwrap_or_default());
    for (path, bytes) in &theme.files {
        hasher.update(path.as_bytes());
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    }
    hasher.update(format!(
        "{:?}|{:?}|{:?}",
        options.banner, settings.cname, settings.ipa_base_url
    ));
    hex::encode(hasher.finalize())
}

fn builds_mut(catalog: &mut Catalog) -> impl Iterator<Item = &mut catalog::Build> {
    catalog
        .apps
        .iter_mut()
        .flat_map(|app| app.builds.iter_mut())
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
