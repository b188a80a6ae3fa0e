//! `otasite build` as a fixed sequence of named steps: config, scan, read, catalog, render,
//! stage, swap.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

use crate::cache::{Cache, FileKey};
use crate::catalog::{self, BuildInput, Catalog};
use crate::config::Settings;
use crate::ipa::{self, Ipa, IpaError, ReadOptions};
use crate::output::{IpaMode, Stage};
use crate::render::{self, IconFiles, SiteExtras, notes, theme::Theme};

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
    /// The deployed site's catalog.json, whose builds are kept.
    pub previous: Option<PathBuf>,
}

/// Why a build failed. The previous site is untouched in every case.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("cannot read the builds folder {path}: {source}")]
    Scan {
        path: PathBuf,
        #[source]
        source: walkdir::Error,
    },
    #[error("{} archive(s) could not be read (use --keep-going to build the rest):\n{}", .0.len(), list(.0))]
    Unreadable(Vec<(PathBuf, IpaError)>),
    #[error(transparent)]
    Duplicate(#[from] catalog::DuplicateBuild),
    #[error("--strict: the newest build of {} cannot be installed:\n{}", .0.len(), .0.join("\n"))]
    Strict(Vec<String>),
    #[error(transparent)]
    Render(#[from] render::RenderError),
    #[error(transparent)]
    Output(#[from] crate::output::OutputError),
    #[error(transparent)]
    Previous(#[from] crate::previous::PreviousError),
    #[error("cannot read release notes {path}: {source}")]
    Notes {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
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

/// One `.ipa` found under the builds folder.
#[derive(Debug, Clone)]
pub struct Found {
    pub path: PathBuf,
    /// Relative to the builds folder, `/`-separated.
    pub relative: String,
    pub channel: Option<String>,
}

/// Runs the whole build.
pub fn build(settings: &Settings, options: &BuildOptions) -> Result<BuildSummary, BuildError> {
    let log = Log(options.verbosity);
    let started = Instant::now();

    let step = Instant::now();
    let found = scan(&settings.builds_dir)?;
    log.debug(format!("scan: {} archives in {:?}", found.len(), step.elapsed()));

    let step = Instant::now();
    let mut cache = Cache::open(Cache::dir_for(&settings.output_dir));
    if let Some(reason) = &cache.discarded {
        log.debug(format!("cache discarded ({reason}); rebuilding it"));
    }
    let (inputs, failures) = read_all(&found, &cache, &log)?;
    log.debug(format!("read: {:?}", step.elapsed()));
    if !failures.is_empty() && !options.keep_going {
        return Err(BuildError::Unreadable(failures));
    }
    for (path, error) in &failures {
        log.warn(format!("skipped {}: {error}", path.display()));
    }

    let inputs = match &options.previous {
        Some(path) => with_previous(inputs, path, &log)?,
        None => inputs,
    };

    let step = Instant::now();
    let (mut catalog, mut inputs) = catalog::assemble(settings, inputs)?;
    if options.strict {
        check_strict(&catalog)?;
    }
    log.debug(format!("catalog: {:?}", step.elapsed()));

    let step = Instant::now();
    let theme = Theme::load(settings.theme_dir.as_deref()).map_err(render::RenderError::from)?;
    let stage = Stage::begin(&settings.output_dir, options.force)?;
    let placed = place_archives(&stage, settings, &catalog, &inputs, options.ipa_mode)?;
    for ((build, input), placed) in builds_mut(&mut catalog).zip(inputs.iter_mut()).zip(&placed) {
        build.sha256 = placed.sha256.clone();
        input.ipa.sha256 = Some(placed.sha256.clone());
        input.published = placed.published.clone();
    }
    save_cache(&mut cache, &inputs, &log);
    log.debug(format!(
        "archives: {:?} ({} opened, {} hashed, {} linked from the previous site)",
        step.elapsed(),
        crate::ipa::archive::OPENED.load(std::sync::atomic::Ordering::Relaxed),
        crate::hash::FILES_HASHED.load(std::sync::atomic::Ordering::Relaxed),
        placed.iter().filter(|p| p.reused).count(),
    ));

    let step = Instant::now();
    let icons: HashMap<String, &IconFiles> = builds_of(&catalog)
        .zip(&inputs)
        .filter_map(|(build, input)| Some((build.path.clone(), input.icon_files.as_ref()?)))
        .collect();
    let extras = SiteExtras {
        icons,
        banner: options.banner.clone(),
        cname: settings.cname.clone(),
    };
    render::render_site(&stage, &theme, &catalog, &extras)?;
    log.debug(format!("render: {:?}", step.elapsed()));
    stage.commit()?;
    crate::hosting::size_warnings(&settings.output_dir).into_iter().for_each(|w| log.warn(w));

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
fn with_previous(mut inputs: Vec<BuildInput>, path: &Path, log: &Log) -> Result<Vec<BuildInput>, BuildError> {
    let (kept, warnings) = crate::previous::load(path, crate::clock::now())?;
    for warning in warnings {
        log.warn(warning);
    }
    let dir_of = |input: &BuildInput| {
        catalog::build_dir(&input.ipa.bundle_id, input.ipa.info.version.as_deref(), input.ipa.info.build.as_deref())
    };
    let local: std::collections::HashSet<(String, String)> = inputs.iter().map(dir_of).collect();
    let before = inputs.len();
    inputs.extend(kept.into_iter().filter(|k| !local.contains(&dir_of(k))));
    log.debug(format!("previous: kept {} build(s) from {}", inputs.len() - before, path.display()));
    Ok(inputs)
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
        let relative_path = entry.path().strip_prefix(builds_dir).unwrap_or(entry.path());
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

/// Reads every archive in parallel, or takes its facts from the cache when it is unchanged;
/// failures are collected, not fatal here. Icons are rendered right away so that no decoded
/// image stays in memory.
#[allow(clippy::type_complexity)]
fn read_all(
    found: &[Found],
    cache: &Cache,
    log: &Log,
) -> Result<(Vec<BuildInput>, Vec<(PathBuf, IpaError)>), BuildError> {
    let options = ReadOptions {
        // Hashing happens while the archive is copied into the site: one pass.
        hash: false,
        ..ReadOptions::default()
    };
    let progress = log.progress(found.len() as u64);
    let results: Vec<Result<Result<BuildInput, IpaError>, BuildError>> = found
        .par_iter()
        .map(|f| {
            let result = read_one(f, cache, options);
            progress.step(&f.relative);
            match result {
                Ok(input) => Ok(Ok(BuildInput {
                    notes_html: read_notes(&f.path)?,
                    ..input
                })),
                Err(e) => Ok(Err(e)),
            }
        })
        .collect();
    progress.finish();
    let mut inputs = Vec::new();
    let mut failures = Vec::new();
    for (result, f) in results.into_iter().zip(found) {
        match result? {
            Ok(input) => inputs.push(input),
            Err(error) => failures.push((f.path.clone(), error)),
        }
    }
    Ok((inputs, failures))
}

fn read_one(f: &Found, cache: &Cache, options: ReadOptions) -> Result<BuildInput, IpaError> {
    let key = FileKey::of(&f.path).map_err(IpaError::Io)?;
    let absolute = absolute(&f.path);
    let icon_files = |id: &str| IconFiles {
        small: cache.icon_path(id, 57),
        large: cache.icon_path(id, 512),
    };
    let input = |ipa: Ipa, icon_files: Option<IconFiles>, published: Option<String>| BuildInput {
        ipa,
        relative: f.relative.clone(),
        channel: f.channel.clone(),
        notes_html: None,
        icon_files,
        cache_key: Some(key),
        published,
        published_ipa_url: None,
        icon_source: None,
    };
    if let Some(entry) = cache.get(&absolute, key) {
        let mut ipa = entry.ipa.clone();
        ipa.file = f.path.clone();
        return Ok(input(ipa, entry.icon_id.as_deref().map(icon_files), entry.published.clone()));
    }
    let mut ipa = ipa::read_ipa(&f.path, options)?;
    let mut files = None;
    if let Some(icon) = ipa.icon.as_mut() {
        match cache.store_icons(key, &absolute, &icon.image) {
            Ok(id) => files = Some(icon_files(&id)),
            Err(e) => ipa.problems.push(crate::ipa::Problem::warning(format!(
                "The icon could not be rendered into the build cache ({e}); pages show a placeholder."
            ))),
        }
        // The pixels live on as PNG files; keep memory flat however many builds there are.
        icon.image = crate::raster::RgbaImage::default();
    }
    Ok(input(ipa, files, None))
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

fn save_cache(cache: &mut Cache, inputs: &[BuildInput], log: &Log) {
    let entries = inputs
        .iter()
        .filter_map(|input| {
            let key = input.cache_key?;
            let entry = crate::cache::Entry {
                key,
                ipa: input.ipa.clone(),
                icon_id: input.icon_files.as_ref().and_then(|f| {
                    let name = f.small.file_name()?.to_string_lossy().into_owned();
                    Some(name.trim_end_matches("-57.png").to_string())
                }),
                published: input.published.clone(),
            };
            Some((absolute(&input.ipa.file), entry))
        })
        .collect();
    if let Err(e) = cache.save(entries) {
        log.warn(format!("the build cache could not be saved ({e}); the next build reads every archive again"));
    }
}

/// `<same name>.md` beside the archive, as sanitised HTML.
fn read_notes(ipa_path: &Path) -> Result<Option<String>, BuildError> {
    let path = ipa_path.with_extension("md");
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Some(notes::markdown_to_html(&text))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(BuildError::Notes { path, source }),
    }
}

fn check_strict(catalog: &Catalog) -> Result<(), BuildError> {
    let blocked: Vec<String> = catalog
        .apps
        .iter()
        .filter(|app| !app.builds[0].installable)
        .map(|app| {
            let newest = &app.builds[0];
            format!("  {} ({}): {}", app.name, newest.file, newest.blocking.join(" "))
        })
        .collect();
    if blocked.is_empty() {
        Ok(())
    } else {
        Err(BuildError::Strict(blocked))
    }
}

/// How one archive entered the site.
struct Placed {
    sha256: String,
    /// Its path inside the site, when it was copied or linked there.
    published: Option<String>,
    /// Linked from the previous site instead of copied or hashed again.
    reused: bool,
}

/// Puts every archive into the stage (unless hosted elsewhere) and makes sure its SHA-256 is
/// known, with one pass over each changed archive at most.
fn place_archives(
    stage: &Stage,
    settings: &Settings,
    catalog: &Catalog,
    inputs: &[BuildInput],
    mode: IpaMode,
) -> Result<Vec<Placed>, BuildError> {
    let jobs: Vec<(&catalog::Build, &BuildInput)> = builds_of(catalog).zip(inputs).collect();
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| BuildError::Output(crate::output::OutputError::Io { path, source })
    };
    jobs.par_iter()
        .map(|(build, input)| {
            let source = input.ipa.file.as_path();
            let known = input.ipa.sha256.clone().filter(|s| !s.is_empty());
            if input.published_ipa_url.is_some() {
                // Kept from the previous catalog: the archive is not here and stays where it is.
                return Ok(Placed { sha256: known.unwrap_or_default(), published: None, reused: false });
            }
            if settings.ipa_base_url.is_some() {
                let sha256 = match known {
                    Some(sha) => sha,
                    None => crate::hash::sha256_file(source).map_err(io(source))?,
                };
                return Ok(Placed { sha256, published: None, reused: false });
            }
            let name = build.file.rsplit('/').next().unwrap_or(&build.file);
            let relative = format!("{}{name}", build.path);
            let previous = settings.output_dir.join(&relative);
            let unchanged = known.is_some() && input.published.as_deref() == Some(relative.as_str());
            if let Some(sha256) = known.clone().filter(|_| unchanged && same_size(&previous, input.ipa.size)) {
                stage.place_file(&relative, &previous, IpaMode::Link)?;
                return Ok(Placed { sha256, published: Some(relative), reused: true });
            }
            let sha256 = match (mode, known) {
                (IpaMode::Link, known) if stage.try_link(&relative, source)? => match known {
                    Some(sha) => sha,
                    None => crate::hash::sha256_file(source).map_err(io(source))?,
                },
                (_, Some(sha)) => {
                    stage.place_file(&relative, source, IpaMode::Copy)?;
                    sha
                }
                (_, None) => stage.copy_and_hash(&relative, source)?,
            };
            Ok(Placed { sha256, published: Some(relative), reused: false })
        })
        .collect()
}

fn same_size(path: &Path, size: u64) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.len() == size)
}

fn builds_of(catalog: &Catalog) -> impl Iterator<Item = &catalog::Build> {
    catalog.apps.iter().flat_map(|app| app.builds.iter())
}

fn builds_mut(catalog: &mut Catalog) -> impl Iterator<Item = &mut catalog::Build> {
    catalog.apps.iter_mut().flat_map(|app| app.builds.iter_mut())
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

/// Messages to stderr according to verbosity.
struct Log(Verbosity);

impl Log {
    fn info(&self, message: String) {
        if self.0 != Verbosity::Quiet {
            eprintln!("{message}");
        }
    }

    fn warn(&self, message: String) {
        eprintln!("warning: {message}");
    }

    fn debug(&self, message: String) {
        if self.0 == Verbosity::Verbose {
            eprintln!("debug: {message}");
        }
    }

    fn progress(&self, total: u64) -> Progress {
        use std::io::IsTerminal;
        let bar = (self.0 != Verbosity::Quiet && std::io::stderr().is_terminal()).then(|| {
            let bar = indicatif::ProgressBar::new(total);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {wide_msg}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar
        });
        Progress {
            bar,
            plain: self.0 == Verbosity::Verbose,
            total,
            done: std::sync::atomic::AtomicU64::new(0),
        }
    }
}

/// A progress bar on a terminal, plain lines otherwise (in verbose mode).
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    plain: bool,
    total: u64,
    done: std::sync::atomic::AtomicU64,
}

impl Progress {
    fn step(&self, name: &str) {
        let done = self.done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        match &self.bar {
            Some(bar) => {
                bar.set_message(name.to_string());
                bar.inc(1);
            }
            None if self.plain => eprintln!("read {done}/{} {name}", self.total),
            None => {}
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
