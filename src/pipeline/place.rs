//! Putting the archives into the site: linked from the previous site when unchanged, else
//! copied and hashed in one pass.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use rayon::prelude::*;

use super::BuildError;
use crate::catalog::{BuildInput, Inputs};
use crate::config::Settings;
use crate::layout;
use crate::output::{IpaMode, Stage};

/// How one archive entered the site.
pub(super) struct Placed {
    pub sha256: String,
    /// Its path inside the site, when it was copied or linked there.
    pub published: Option<String>,
    /// Linked from the previous site instead of copied or hashed again.
    pub reused: bool,
    /// Read in full to compute its SHA-256 by this build.
    pub hashed: bool,
}

/// Puts every archive into the stage (unless hosted elsewhere) and makes sure its SHA-256 is
/// known, with one pass over each changed archive at most. Returns how each entered the site,
/// by its build's folder (as `inputs` are keyed). The archives of the build folders in `kept`
/// are in app folders kept whole: they join the new site with them.
pub(super) fn place_archives(
    stage: &Stage,
    settings: &Settings,
    inputs: &Inputs,
    mode: IpaMode,
    kept: &HashSet<String>,
) -> Result<BTreeMap<String, Placed>, BuildError> {
    let jobs: Vec<(&String, &BuildInput)> = inputs.iter().collect();
    jobs.par_iter()
        .map(|&(build_path, input)| {
            let placed = match kept.contains(build_path) {
                true => Placed {
                    sha256: input.ipa.sha256.clone().unwrap_or_default(),
                    published: input.published.clone(),
                    reused: true,
                    hashed: false,
                },
                false => place(stage, settings, build_path, input, mode)?,
            };
            Ok((build_path.clone(), placed))
        })
        .collect()
}

/// Puts one archive into the stage; `build_path` is its build's folder in the site.
fn place(
    stage: &Stage,
    settings: &Settings,
    build_path: &str,
    input: &BuildInput,
    mode: IpaMode,
) -> Result<Placed, BuildError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| BuildError::Output(crate::output::OutputError::Io { path, source })
    };
    let source = input.ipa.file.as_path();
    let known = input.ipa.sha256.clone().filter(|s| !s.is_empty());
    if input.published_ipa_url.is_some() {
        // Kept from the previous catalog: the archive is not here and stays where it is.
        return Ok(Placed {
            sha256: known.unwrap_or_default(),
            published: None,
            reused: false,
            hashed: false,
        });
    }
    if settings.ipa_base_url.is_some() {
        let hashed = known.is_none();
        let sha256 = match known {
            Some(sha) => sha,
            None => crate::hash::sha256_file(source).map_err(io(source))?,
        };
        return Ok(Placed {
            sha256,
            published: None,
            reused: false,
            hashed,
        });
    }
    let private = settings.is_private(&input.ipa.bundle_id);
    let relative = layout::file_in(build_path, layout::archive_file(&input.relative, private));
    let previous = settings.output_dir.join(&relative);
    let unchanged = known.is_some() && input.published.as_deref() == Some(relative.as_str());
    if let Some(sha256) = known
        .clone()
        .filter(|_| unchanged && same_size(&previous, input.ipa.size))
    {
        // Kept as it is: the previous site's file joins the new site at commit.
        if !stage.keep_previous(&relative)? {
            stage.place_file(&relative, &previous, IpaMode::Link)?;
        }
        return Ok(Placed {
            sha256,
            published: Some(relative),
            reused: true,
            hashed: false,
        });
    }
    let hashed = known.is_none();
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
    crate::memory::archive_done();
    Ok(Placed {
        sha256,
        published: Some(relative),
        reused: false,
        hashed,
    })
}

fn same_size(path: &Path, size: u64) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.len() == size)
}
