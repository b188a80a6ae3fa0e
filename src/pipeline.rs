//! `otasite build` as a fixed sequence of named steps: config, scan, read, catalog, render,
//! stage, swap.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

use crate::catalog::{self, BuildInput, Catalog};
use crate::config::Settings;
use crate::ipa::{self, IpaError, ReadOptions};
use crate::output::{IpaMode, Stage};
use crate::render::{self, SiteExtras, notes, theme::Theme};

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
    let (inputs, failures) = read_all(&found, &log)?;
    log.debug(format!("read: {:?}", step.elapsed()));
    if !failures.is_empty() && !options.keep_going {
        return Err(BuildError::Unreadable(failures));
    }
    for (path, error) in &failures {
        log.warn(format!("skipped {}: {error}", path.display()));
    }

    let step = Instant::now();
    let (catalog, inputs) = catalog::assemble(settings, inputs)?;
    if options.strict {
        check_strict(&catalog)?;
    }
    log.debug(format!("catalog: {:?}", step.elapsed()));

    let step = Instant::now();
    let theme = Theme::load(settings.theme_dir.as_deref()).map_err(render::RenderError::from)?;
    let stage = Stage::begin(&settings.output_dir, options.force)?;
    let icons: HashMap<String, &crate::raster::RgbaImage> = catalog
        .apps
        .iter()
        .flat_map(|app| app.builds.iter())
        .zip(&inputs)
        .filter_map(|(build, input)| Some((build.path.clone(), &input.ipa.icon.as_ref()?.image)))
        .collect();
    let extras = SiteExtras {
        icons,
        banner: options.banner.clone(),
        cname: settings.cname.clone(),
    };
    render::render_site(&stage, &theme, &catalog, &extras)?;
    log.debug(format!("render: {:?}", step.elapsed()));

    let step = Instant::now();
    if settings.ipa_base_url.is_none() {
        place_archives(&stage, &catalog, &inputs, options.ipa_mode)?;
    }
    log.debug(format!("archives: {:?}", step.elapsed()));
    stage.commit()?;

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

/// Reads every archive in parallel; failures are collected, not fatal here.
#[allow(clippy::type_complexity)]
fn read_all(found: &[Found], log: &Log) -> Result<(Vec<BuildInput>, Vec<(PathBuf, IpaError)>), BuildError> {
    let options = ReadOptions::default();
    let progress = log.progress(found.len() as u64);
    let results: Vec<Result<Result<BuildInput, IpaError>, BuildError>> = found
        .par_iter()
        .map(|f| {
            let result = ipa::read_ipa(&f.path, options);
            progress.step(&f.relative);
            let ipa = match result {
                Ok(ipa) => ipa,
                Err(e) => return Ok(Err(e)),
            };
            Ok(Ok(BuildInput {
                ipa,
                relative: f.relative.clone(),
                channel: f.channel.clone(),
                notes_html: read_notes(&f.path)?,
            }))
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

fn place_archives(
    stage: &Stage,
    catalog: &Catalog,
    inputs: &[BuildInput],
    mode: IpaMode,
) -> Result<(), BuildError> {
    let builds = catalog.apps.iter().flat_map(|app| app.builds.iter());
    let jobs: Vec<(String, &Path)> = builds
        .zip(inputs)
        .map(|(build, input)| {
            let name = build.file.rsplit('/').next().unwrap_or(&build.file);
            (format!("{}{name}", build.path), input.ipa.file.as_path())
        })
        .collect();
    jobs.par_iter()
        .try_for_each(|(relative, source)| stage.place_file(relative, source, mode))?;
    Ok(())
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
