//! Reading every archive, or restoring it from the cache, and saving the cache.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::log::Log;
use super::scan::{Refused, Root};
use super::{BuildError, Found};
use crate::cache::{Cache, Entry, IconFiles};
use crate::catalog::BuildInput;
use crate::ipa::{self, Ipa, IpaError, ReadOptions};
use crate::render::notes;

/// An archive that could not be read, and why.
type Failure = (PathBuf, IpaError);

/// What reading the archives gave.
pub(super) struct Read {
    pub inputs: Vec<BuildInput>,
    /// Each archive that could not be read, with why.
    pub failures: Vec<Failure>,
    /// Archives opened (the rest came from the cache).
    pub opened: usize,
}

/// Reads every archive in parallel, or takes its facts from the cache when it is unchanged;
/// failures are collected, not fatal here. Icons are rendered right away so that no decoded
/// image stays in memory.
pub(super) fn read_all(
    found: &[Found],
    root: &Root,
    cache: &mut Cache,
    log: &Log,
) -> Result<Read, BuildError> {
    let opened = std::sync::atomic::AtomicUsize::new(0);
    let options = ReadOptions {
        // Hashing happens while the archive is copied into the site: one pass.
        hash: false,
        ..ReadOptions::default()
    };
    let progress = log.progress(found.len() as u64);
    // Each failure carries the path of its archive.
    // Each unchanged archive's facts move out of the cache: no copy of thousands of them.
    let absolute: Vec<PathBuf> = found.par_iter().map(|f| absolute(&f.path)).collect();
    let cached: Vec<Option<Entry>> = found
        .iter()
        .zip(&absolute)
        .map(|(f, path)| cache.take(path, f.key))
        .collect();
    let cache: &Cache = cache;
    let results: Vec<Result<Result<BuildInput, Failure>, BuildError>> = found
        .par_iter()
        .zip(cached)
        .map(|(f, entry)| {
            let opens = entry.is_none();
            let result = read_one(f, entry, cache, options, &opened);
            if opens {
                // Only reading an archive leaves large buffers to give back; trimming
                // after each cached one would walk the heap thousands of times.
                crate::memory::archive_done();
            }
            progress.step(&f.relative, opens);
            match result.and_then(|input| bounded(f, input, log)) {
                Ok(input) => Ok(Ok(crate::memory::settle_if(
                    opens,
                    BuildInput {
                        notes_html: if f.notes {
                            read_notes(&f.path, root, log)?
                        } else {
                            None
                        },
                        ..input
                    },
                ))),
                Err(e) => Ok(Err((f.path.clone(), e))),
            }
        })
        .collect();
    progress.finish();
    let mut inputs = Vec::new();
    let mut failures = Vec::new();
    for result in results {
        match result? {
            Ok(input) => inputs.push(input),
            Err(failure) => failures.push(failure),
        }
    }
    Ok(Read {
        inputs,
        failures,
        opened: opened.into_inner(),
    })
}

/// The archive's texts cut to what pages show (with a warning); an identifier too long to be
/// one makes the archive unreadable.
fn bounded(f: &Found, mut input: BuildInput, log: &Log) -> Result<BuildInput, IpaError> {
    super::bounds::check_bundle_id(&input.ipa)?;
    for warning in super::bounds::bound_texts(&mut input.ipa) {
        log.warn(format!("{}: {warning}", f.path.display()));
    }
    Ok(input)
}

/// `cached`: the cache's reading of the archive, if it is still current.
fn read_one(
    f: &Found,
    cached: Option<Entry>,
    cache: &Cache,
    options: ReadOptions,
    opened: &std::sync::atomic::AtomicUsize,
) -> Result<BuildInput, IpaError> {
    let key = f.key;
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
        app_id: None,
        published_devices: None,
    };
    if let Some(entry) = cached {
        let mut ipa = entry.ipa;
        ipa.file = f.path.clone();
        return Ok(input(
            ipa,
            entry.icon_id.as_deref().map(|id| cache.icon_files(id)),
            entry.published,
        ));
    }
    opened.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut ipa = ipa::caught(|| match crate::android::Os::of(&f.relative) {
        crate::android::Os::Android => crate::apk::site::read_for_site(&f.path, options),
        crate::android::Os::Ios if crate::android::is_bundle_name(&f.relative) => Err(
            IpaError::Android(crate::android::BUNDLE_REFUSED.to_string()),
        ),
        crate::android::Os::Ios => ipa::read_ipa(&f.path, options),
    })??;
    let mut files = None;
    if let Some(icon) = ipa.icon.as_mut() {
        match cache.store_icons(&icon.image) {
            Ok(id) => files = Some(cache.icon_files(&id)),
            Err(e) => ipa.problems.push(
                crate::ipa::Problem::warning(format!(
                    "The icon could not be rendered into the build cache ({e}); pages show a placeholder."
                ))
                .coded("icon.cache", &[("reason", &e.to_string())]),
            ),
        }
        // The pixels live on as PNG files; keep memory flat however many builds there are.
        icon.image = crate::raster::RgbaImage::default();
    }
    Ok(input(ipa, files, None))
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// Saves the cache; false (with a warning) when it could not be.
pub(super) fn save_cache(
    cache: &mut Cache,
    inputs: impl Iterator<Item = (String, BuildInput)>,
    unchanged: &std::collections::BTreeSet<String>,
    pages: std::collections::BTreeMap<String, String>,
    written: super::fingerprint::Fingerprints,
    sizes: super::size::Sizes,
    log: &Log,
) -> bool {
    let mut apps: std::collections::BTreeMap<String, std::collections::BTreeMap<PathBuf, Entry>> =
        Default::default();
    for (app, input) in inputs {
        let Some(key) = input.cache_key else { continue };
        let entry = crate::cache::Entry {
            key,
            icon_id: input.icon_files.as_ref().and_then(|f| cache.icon_id(f)),
            published: input.published,
            ipa: input.ipa,
        };
        let path = absolute(&entry.ipa.file);
        apps.entry(app).or_default().insert(path, entry);
    }
    match cache.save(apps, unchanged, pages, written.apps, sizes, &written.site) {
        Ok(()) => true,
        Err(e) => {
            log.warn(format!(
                "the build cache could not be saved ({e}); the next build reads every archive again"
            ));
            false
        }
    }
}

/// The folder of the app an archive's facts put it in (the catalog's `App::dir` of a public
/// app): the cache shard its reading is kept in.
pub(super) fn app_folder(settings: &crate::config::Settings, ipa: &Ipa) -> String {
    let app_id =
        crate::catalog::android::joined_app(settings, ipa).unwrap_or(ipa.bundle_id.clone());
    crate::layout::app_dir(&app_id)
}

/// `<same name>.md` beside the archive, as sanitised HTML: at most
/// [`super::bounds::NOTES_CAP`] bytes of it are read; a link is followed only within the
/// builds folder, and anything but a regular file is skipped with a warning.
fn read_notes(ipa_path: &Path, root: &Root, log: &Log) -> Result<Option<String>, BuildError> {
    let path = ipa_path.with_extension("md");
    match root.regular_file(&path) {
        Ok(_) => {}
        Err(Refused::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(Refused::Io(source)) => return Err(BuildError::Notes { path, source }),
        Err(why) => {
            log.warn(format!("skipped release notes {}: {why}", path.display()));
            return Ok(None);
        }
    }
    let notes = super::bounds::read_capped(&path, super::bounds::NOTES_CAP).map_err(|source| {
        BuildError::Notes {
            path: path.clone(),
            source,
        }
    })?;
    if notes.truncated {
        log.warn(format!(
            "release notes {} are longer than {} KiB: pages show only their beginning",
            path.display(),
            super::bounds::NOTES_CAP / 1024
        ));
    }
    Ok(Some(notes::markdown_to_html(&notes.text)))
}
