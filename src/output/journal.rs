//! The commit journal: what a commit is doing, written beside the output before the first
//! rename and removed after the last step, so that a build killed mid-commit is finished
//! (or undone) by the next one before it looks at the site.
//!
//! A commit is: the new site is staged in `.<out>.staging-<pid>`; the previous site moves
//! aside to `.<out>.old-<pid>`; the stage becomes the output; unchanged folders move back
//! from the previous site; the marker gets the fingerprint (the site is then complete); the
//! previous site is deleted. Killed before the stage became the output, the commit is undone
//! (the previous site moves back); killed after, it is finished.

use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::{OutputError, io_error};
use crate::layout::{MARKER_TMP, beside};

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Journal {
    /// The committing process: names its staging and previous-site folders.
    pub pid: u32,
    pub had_previous: bool,
    /// Folders (relative to the site) that move from the previous site into the new one.
    pub moves: Vec<String>,
    pub fingerprint: String,
}

/// What [`recover`] found and did.
#[derive(Debug, PartialEq, Eq)]
pub enum Recovery {
    /// No interrupted commit.
    Clean,
    /// The commit was stopped before the new site was in place: the previous site is back.
    Undone,
    /// The new site was in place: its missing folders were moved in and it is complete.
    Finished,
}

impl Journal {
    pub fn path(output: &Path) -> PathBuf {
        beside::journal(output)
    }

    pub fn staging(&self, output: &Path) -> PathBuf {
        beside::staging(output, self.pid)
    }

    pub fn old(&self, output: &Path) -> PathBuf {
        beside::old(output, self.pid)
    }

    /// Written whole or not at all: through a temporary file and a rename.
    pub fn save(&self, output: &Path) -> Result<(), OutputError> {
        let path = Journal::path(output);
        let tmp = path.with_extension("commit-tmp");
        let bytes = serde_json::to_vec(self).expect("a journal serialises");
        fs::write(&tmp, bytes).map_err(io_error(&tmp))?;
        fs::rename(&tmp, &path).map_err(io_error(&path))
    }

    fn load(output: &Path) -> Result<Option<Journal>, OutputError> {
        let path = Journal::path(output);
        match fs::read(&path) {
            Ok(bytes) => {
                serde_json::from_slice(&bytes)
                    .map(Some)
                    .map_err(|e| OutputError::Journal {
                        path: path.clone(),
                        message: e.to_string(),
                    })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(OutputError::Io { path, source }),
        }
    }

    /// The steps after the new site is in place: move the unchanged folders in, mark the
    /// site complete, delete the previous site, forget the journal. Each step can be run
    /// again after an interruption.
    pub fn finish(&self, output: &Path) -> Result<(), OutputError> {
        let old = self.old(output);
        if let Some((first, rest)) = self.moves.split_first() {
            move_back(&old, output, first)?;
            super::fault("moving");
            rest.par_iter()
                .try_for_each(|folder| move_back(&old, output, folder))?;
        }
        super::fault("moved");
        super::write_marker(output, Some(&self.fingerprint))?;
        super::fault("marked");
        if old.exists() {
            super::remove_tree(&old).map_err(io_error(&old))?;
        }
        super::fault("cleaned");
        let path = Journal::path(output);
        fs::remove_file(&path).map_err(io_error(&path))
    }
}

/// Moves one unchanged folder from the previous site into the new one, unless an earlier
/// run already did.
fn move_back(old: &Path, output: &Path, folder: &str) -> Result<(), OutputError> {
    let from = old.join(folder);
    let to = output.join(folder);
    if !from.exists() {
        return Ok(());
    }
    if to.exists() {
        // Half-moved by an interrupted run: the previous site's copy is the whole one.
        fs::remove_dir_all(&to).map_err(io_error(&to))?;
    }
    super::move_folder(&from, &to)
}

/// Finishes or undoes a commit that a killed build left, then removes every staging and
/// previous-site folder of this output. Call it holding the output's lock: any such folder
/// then belongs to a build that is gone.
pub fn recover(output: &Path) -> Result<Recovery, OutputError> {
    let outcome = match Journal::load(output)? {
        None => Recovery::Clean,
        Some(journal) => {
            let staging = journal.staging(output);
            let old = journal.old(output);
            if staging.exists() {
                // The stage never became the output: put the previous site back.
                if journal.had_previous && !output.exists() && old.exists() {
                    fs::rename(&old, output).map_err(io_error(output))?;
                }
                let path = Journal::path(output);
                fs::remove_file(&path).map_err(io_error(&path))?;
                Recovery::Undone
            } else {
                journal.finish(output)?;
                Recovery::Finished
            }
        }
    };
    remove_leftovers(output)?;
    Ok(outcome)
}

/// Removes the staging and previous-site folders and temporary files of builds that are gone.
fn remove_leftovers(output: &Path) -> Result<(), OutputError> {
    let parent = beside::parent(output);
    let Ok(entries) = fs::read_dir(&parent) else {
        return Ok(());
    };
    let prefixes = [beside::staging_prefix(output), beside::old_prefix(output)];
    let journal_tmp = Journal::path(output).with_extension("commit-tmp");
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if prefixes.iter().any(|p| name.starts_with(p.as_str())) {
            super::remove_tree(&path).map_err(io_error(&path))?;
        } else if path == journal_tmp {
            fs::remove_file(&path).map_err(io_error(&path))?;
        }
    }
    let marker_tmp = output.join(MARKER_TMP);
    if marker_tmp.exists() {
        fs::remove_file(&marker_tmp).map_err(io_error(&marker_tmp))?;
    }
    Ok(())
}
