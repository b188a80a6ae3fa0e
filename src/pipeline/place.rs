//! Putting the archives into the site: linked from the previous site when unchanged, else
//! copied and hashed in one pass.

use std::path::Path;

use rayon::prelude::*;

use super::{BuildError, builds_of};
use crate::catalog::{self, BuildInput, Catalog};
use crate::config::Settings;
use crate::output::{IpaMode, Stage};

/// How one archive entered the site.
pub(super) struct Placed {
    pub sha256: String,
    /// Its path inside the site, when it was copied or linked there.
    pub published: Option<String>,
    /// Linked from the previous site instead of copied or hashed again.
    pub reused: bool,
}

/// Puts every archive into the stage (unless hosted elsewhere) and makes sure its SHA-256 is
/// known, with one pass over each changed archive at most.
pub(super) fn place_archives(
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
                return Ok(Placed {
                    sha256: known.unwrap_or_default(),
                    published: None,
                    reused: false,
                });
            }
            if settings.ipa_base_url.is_some() {
                let sha256 = match known {
                    Some(sha) => sha,
                    None => crate::hash::sha256_file(source).map_err(io(source))?,
                };
                return Ok(Placed {
                    sha256,
                    published: None,
                    reused: false,
                });
            }
            let name = build.file.rsplit('/').next().unwrap_or(&build.file);
            let relative = format!("{}{name}", build.path);
            let previous = settings.output_dir.join(&relative);
            let unchanged =
                known.is_some() && input.published.as_deref() == Some(relative.as_str());
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
                });
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
            crate::memory::archive_done();
            Ok(Placed {
                sha256,
                published: Some(relative),
                reused: false,
            })
        })
        .collect()
}

fn same_size(path: &Path, size: u64) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.len() == size)
}
