//! Writing the site: a staging folder beside the output, the one write function, `.ipa`
//! copies or links, and the swap that replaces the previous site only when all succeeded.

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;

mod copy;
pub mod guard;
mod journal;
mod kept;
mod lock;

pub use journal::{Recovery, recover};
pub use lock::OutputLock;

use crate::layout::beside;
use crate::layout::{MARKER, MARKER_TMP};

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error(
        "{0} exists and was not written by otasite (no {MARKER} file): refusing to replace it; pass --force to replace it anyway"
    )]
    NotOurs(PathBuf),
    #[error("{path}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    // `error`, not `source`: the message already says it, so it is not repeated as a cause.
    #[error("cannot write {path}: {error}")]
    Write { path: PathBuf, error: io::Error },
    #[error("cannot read {path}: {error}")]
    Read { path: PathBuf, error: io::Error },
    #[error("refusing to write {0:?}: the path leaves the output folder")]
    Escapes(String),
    #[error("two files of the site would be written to {0}: refusing to let one replace the other")]
    Collision(String),
    #[error(
        "refusing to write the site to {output}: it {relation} {role} ({path}), which a build would replace (even with --force); choose another output folder"
    )]
    Protected {
        output: PathBuf,
        relation: &'static str,
        role: &'static str,
        path: PathBuf,
    },
    #[error(
        "another build of {output} has held its lock ({lock}) for {minutes} minutes: giving up; if no build is running, try again"
    )]
    Locked {
        output: PathBuf,
        lock: PathBuf,
        minutes: u64,
    },
    #[error(
        "the commit journal {path} is damaged ({message}): check the output folder and the .old-/.staging- folders beside it, then delete the journal"
    )]
    Journal { path: PathBuf, message: String },
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// How `.ipa` files enter the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IpaMode {
    Copy,
    /// Hard link, falling back to a copy across file systems.
    Link,
}

/// A site being written. Dropping it without [`Stage::commit`] removes the staging folder.
pub struct Stage {
    output: PathBuf,
    staging: PathBuf,
    committed: bool,
    /// Folders already made inside the stage, so writing thousands of files does not ask the
    /// file system for each of their parents again.
    made_dirs: Mutex<HashSet<PathBuf>>,
    /// Every file path of the new site so far, compared without case (as macOS and Windows
    /// file systems do): two parts of the site must never write one file.
    claimed: Mutex<HashSet<String>>,
    /// Files kept unchanged from the previous site, placed at commit.
    kept: kept::Kept,
}

impl Stage {
    /// Prepares a fresh staging folder next to `output`, after checking that `output` is
    /// either absent, empty, ours, or `force` is given. Stale staging folders of interrupted
    /// builds are removed first.
    pub fn begin(output: &Path, force: bool) -> Result<Stage, OutputError> {
        check_replaceable(output, force)?;
        let parent = beside::parent(output);
        fs::create_dir_all(&parent).map_err(io_error(&parent))?;
        remove_stale(&parent, &beside::staging_prefix(output));
        let staging = beside::staging(output, std::process::id());
        if staging.exists() {
            fs::remove_dir_all(&staging).map_err(io_error(&staging))?;
        }
        fs::create_dir(&staging).map_err(io_error(&staging))?;
        Ok(Stage {
            output: output.to_path_buf(),
            staging,
            committed: false,
            made_dirs: Mutex::new(HashSet::new()),
            claimed: Mutex::new(HashSet::new()),
            kept: kept::Kept::default(),
        })
    }

    pub fn root(&self) -> &Path {
        &self.staging
    }

    /// The one write function: `relative` must stay inside the site.
    pub fn write(&self, relative: &str, bytes: &[u8]) -> Result<(), OutputError> {
        let path = self.target(relative)?;
        fs::write(&path, bytes).map_err(|error| OutputError::Write {
            path: self.output.join(relative),
            error,
        })
    }

    /// Like [`Stage::write`] for a file too large to build in memory first: `fill` writes it
    /// through a buffer.
    pub fn write_streamed(
        &self,
        relative: &str,
        fill: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> Result<(), OutputError> {
        let path = self.target(relative)?;
        let written = fs::File::create(&path).and_then(|file| {
            let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
            fill(&mut out)?;
            std::io::Write::flush(&mut out)
        });
        written.map_err(|error| OutputError::Write {
            path: self.output.join(relative),
            error,
        })
    }

    /// Places an `.ipa` (or any large file) into the site by copy or hard link.
    pub fn place_file(
        &self,
        relative: &str,
        source: &Path,
        mode: IpaMode,
    ) -> Result<(), OutputError> {
        let path = self.target(relative)?;
        if mode == IpaMode::Link && fs::hard_link(source, &path).is_ok() {
            return Ok(());
        }
        copy::copy(source, &path, &self.output.join(relative), false).map(|_| ())
    }

    /// Keeps the previous site's file at `relative` unchanged in the new site; false when the
    /// previous site has no such file. It is placed at commit: with its whole folder when
    /// nothing else in that folder changed, else by hard link.
    pub fn keep_previous(&self, relative: &str) -> Result<bool, OutputError> {
        let rel = checked(relative)?;
        if !self.output.join(rel).is_file() {
            return Ok(false);
        }
        self.claim(relative)?;
        self.kept.keep(rel);
        Ok(true)
    }

    /// Keeps the previous site's folder `folder` whole, with `files` (every generated file in
    /// it, as the previous build recorded them) and whatever else it holds: it moves into the
    /// new site at commit, its files neither looked at nor linked. False when the previous site
    /// has no such folder or a file was already made anew inside it.
    pub fn keep_previous_folder<'a>(
        &self,
        folder: &str,
        files: impl IntoIterator<Item = &'a str>,
    ) -> Result<bool, OutputError> {
        let rel = checked(folder)?;
        if !self.output.join(rel).is_dir() || !self.kept.keep_whole(rel) {
            return Ok(false);
        }
        for file in files {
            checked(file)?;
            self.claim(file)?;
        }
        Ok(true)
    }

    /// Hard-links `source` into the site; false when the file systems differ (or links are
    /// refused), so the caller can copy instead.
    pub fn try_link(&self, relative: &str, source: &Path) -> Result<bool, OutputError> {
        let path = self.target(relative)?;
        if fs::hard_link(source, &path).is_ok() {
            return Ok(true);
        }
        // The caller copies to the same place next.
        self.unclaim(relative);
        Ok(false)
    }

    /// Copies `source` into the site and returns its SHA-256, reading it once.
    pub fn copy_and_hash(&self, relative: &str, source: &Path) -> Result<String, OutputError> {
        let path = self.target(relative)?;
        let sha = copy::copy(source, &path, &self.output.join(relative), true)?;
        Ok(sha.unwrap_or_default())
    }

    fn target(&self, relative: &str) -> Result<PathBuf, OutputError> {
        let rel = checked(relative)?;
        self.claim(relative)?;
        self.kept.made(rel);
        self.make_parent(rel)?;
        Ok(self.staging.join(rel))
    }

    fn claim(&self, relative: &str) -> Result<(), OutputError> {
        let fresh = self
            .claimed
            .lock()
            .expect("no panic while holding the lock")
            .insert(relative.to_lowercase());
        if fresh {
            Ok(())
        } else {
            Err(OutputError::Collision(relative.to_string()))
        }
    }

    fn unclaim(&self, relative: &str) {
        self.claimed
            .lock()
            .expect("no panic while holding the lock")
            .remove(&relative.to_lowercase());
    }

    fn make_parent(&self, rel: &Path) -> Result<(), OutputError> {
        if let Some(parent) = rel.parent().filter(|p| !p.as_os_str().is_empty()) {
            let made = self
                .made_dirs
                .lock()
                .expect("no panic while holding the lock")
                .contains(parent);
            if !made {
                let absolute = self.staging.join(parent);
                fs::create_dir_all(&absolute).map_err(|error| OutputError::Write {
                    path: self.output.join(parent),
                    error,
                })?;
                self.made_dirs
                    .lock()
                    .expect("no panic while holding the lock")
                    .insert(parent.to_path_buf());
            }
        }
        Ok(())
    }

    /// Swaps the staging folder in place of the output. The previous site is moved aside
    /// first and deleted only after the new one is complete; a journal beside the output lets
    /// the next build finish or undo a commit that was killed (see [`journal`]).
    /// `fingerprint` identifies every input of the site, so an unchanged rebuild can be
    /// skipped; it is written last, when the site is complete.
    pub fn commit(mut self, fingerprint: &str) -> Result<(), OutputError> {
        write_marker(&self.staging, None)?;
        let plan = std::mem::take(&mut self.kept).plan(&self.output);
        plan.links.par_iter().try_for_each(|rel| {
            self.make_parent(rel)?;
            copy::link_or_copy(
                &self.output.join(rel),
                &self.staging.join(rel),
                &self.output.join(rel),
            )
        })?;
        for folder in &plan.moves {
            self.make_parent(folder)?;
        }
        fault("staged");
        let journal = journal::Journal {
            pid: std::process::id(),
            had_previous: self.output.exists(),
            moves: plan
                .moves
                .iter()
                .map(|m| m.to_string_lossy().into_owned())
                .collect(),
            fingerprint: fingerprint.to_string(),
        };
        journal.save(&self.output)?;
        fault("journal");
        let old = journal.old(&self.output);
        if journal.had_previous {
            fs::rename(&self.output, &old).map_err(io_error(&self.output))?;
        }
        fault("aside");
        if let Err(error) = fs::rename(&self.staging, &self.output) {
            if journal.had_previous {
                // Put the previous site back so nothing is lost.
                let _ = fs::rename(&old, &self.output);
            }
            let _ = fs::remove_file(journal::Journal::path(&self.output));
            return Err(OutputError::Write {
                path: self.output.clone(),
                error,
            });
        }
        self.committed = true;
        fault("swapped");
        journal.finish(&self.output)
    }
}

/// Writes the marker into the site folder `dir`, with the fingerprint once the site is
/// complete; whole or not at all.
fn write_marker(dir: &Path, fingerprint: Option<&str>) -> Result<(), OutputError> {
    let mut text =
        "This folder is written by otasite; it is replaced on every build.\n".to_string();
    if let Some(fingerprint) = fingerprint {
        text.push_str(&format!("{FINGERPRINT}{fingerprint}\n"));
    }
    let tmp = dir.join(MARKER_TMP);
    let write = |error| OutputError::Write {
        path: dir.join(MARKER),
        error,
    };
    fs::write(&tmp, text).map_err(write)?;
    fs::rename(&tmp, dir.join(MARKER)).map_err(write)
}

/// Stops the process at a named commit step when `OTASITE_FAULT=commit:<step>` is set, to
/// test recovery from a build killed there. Only in debug builds: release binaries ignore it.
fn fault(step: &str) {
    if cfg!(debug_assertions)
        && std::env::var("OTASITE_FAULT").is_ok_and(|v| v.strip_prefix("commit:") == Some(step))
    {
        eprintln!("OTASITE_FAULT: stopping at commit:{step}");
        std::process::abort();
    }
}

impl Drop for Stage {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

/// Checks that `relative` names a path inside the site.
fn checked(relative: &str) -> Result<&Path, OutputError> {
    let rel = Path::new(relative);
    let safe = !relative.is_empty() && rel.components().all(|c| matches!(c, Component::Normal(_)));
    if safe {
        Ok(rel)
    } else {
        Err(OutputError::Escapes(relative.to_string()))
    }
}

/// Renames a folder of the previous site into the new one, or links its files one by one
/// where a rename is refused.
fn move_folder(from: &Path, to: &Path) -> Result<(), OutputError> {
    if fs::rename(from, to).is_ok() {
        return Ok(());
    }
    fs::create_dir_all(to).map_err(io_error(to))?;
    for entry in fs::read_dir(from).map_err(io_error(from))? {
        let entry = entry.map_err(io_error(from))?;
        let target = to.join(entry.file_name());
        if entry.file_type().map_err(io_error(from))?.is_dir() {
            move_folder(&entry.path(), &target)?;
        } else {
            copy::link_or_copy(&entry.path(), &target, &target)?;
        }
    }
    Ok(())
}

/// Deletes a folder and everything in it, its top-level entries in parallel: the previous
/// site has thousands of files, and deleting them one after the other on one core was the
/// largest cost of a rebuild that adds one build.
fn remove_tree(path: &Path) -> io::Result<()> {
    let entries: Vec<fs::DirEntry> = fs::read_dir(path)?.collect::<io::Result<_>>()?;
    entries.par_iter().try_for_each(|entry| {
        if entry.file_type()?.is_dir() {
            fs::remove_dir_all(entry.path())
        } else {
            fs::remove_file(entry.path())
        }
    })?;
    fs::remove_dir(path)
}

const FINGERPRINT: &str = "fingerprint: ";

/// The fingerprint of the inputs the site in `output` was written from, if otasite wrote it.
pub fn fingerprint(output: &Path) -> Option<String> {
    if journal::Journal::path(output).exists() {
        // A commit is unfinished: the site may be incomplete.
        return None;
    }
    let marker = fs::read_to_string(output.join(MARKER)).ok()?;
    marker
        .lines()
        .find_map(|line| line.strip_prefix(FINGERPRINT))
        .map(str::to_string)
}

fn check_replaceable(output: &Path, force: bool) -> Result<(), OutputError> {
    if force || !output.exists() || output.join(MARKER).exists() {
        return Ok(());
    }
    let empty = fs::read_dir(output)
        .map_err(io_error(output))?
        .next()
        .is_none();
    if empty {
        Ok(())
    } else {
        Err(OutputError::NotOurs(output.to_path_buf()))
    }
}

/// Removes staging and old folders left by interrupted builds (of processes no longer running).
fn remove_stale(parent: &Path, prefix: &str) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.strip_prefix(prefix) else {
            continue;
        };
        let alive = Path::new("/proc").join(pid).exists() && pid != std::process::id().to_string();
        if !alive {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_paths_that_escape() {
        let dir = tempfile::tempdir().unwrap();
        let stage = Stage::begin(&dir.path().join("dist"), false).unwrap();
        for bad in ["../x", "/etc/x", "a/../../x", ""] {
            assert!(
                matches!(stage.write(bad, b""), Err(OutputError::Escapes(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn rebuild_replaces_every_file_of_the_previous_site() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("dist");
        let stage = Stage::begin(&out, false).unwrap();
        for i in 0..20 {
            stage
                .write(&format!("app{i}/1.0-{i}/index.html"), b"old")
                .unwrap();
            stage
                .write(&format!("app{i}/manifest.plist"), b"old")
                .unwrap();
        }
        stage.write("index.html", b"old").unwrap();
        stage.commit("one").unwrap();

        let stage = Stage::begin(&out, false).unwrap();
        stage.write("app0/2.0-1/index.html", b"new").unwrap();
        stage.write("app0/2.0-2/index.html", b"new").unwrap();
        stage.commit("two").unwrap();

        let mut files: Vec<String> = walkdir::WalkDir::new(&out)
            .into_iter()
            .map(|e| e.unwrap())
            .filter(|e| e.file_type().is_file())
            .map(|e| e.path().strip_prefix(&out).unwrap().display().to_string())
            .collect();
        files.sort();
        assert_eq!(
            files,
            [".otasite", "app0/2.0-1/index.html", "app0/2.0-2/index.html"]
        );
        assert_eq!(fingerprint(&out).as_deref(), Some("two"));
        let beside = fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(
            beside, 1,
            "the previous site is deleted, not left beside dist"
        );
    }

    #[test]
    fn refuses_a_folder_it_did_not_create() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("dist");
        fs::create_dir(&out).unwrap();
        fs::write(out.join("mine.txt"), "x").unwrap();
        let err = Stage::begin(&out, false).err().unwrap().to_string();
        assert!(err.contains("--force"), "{err}");
        assert!(Stage::begin(&out, true).is_ok());
    }

    #[test]
    fn dropped_stage_leaves_previous_site() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("dist");
        let stage = Stage::begin(&out, false).unwrap();
        stage.write("index.html", b"one").unwrap();
        stage.commit("test").unwrap();
        let stage = Stage::begin(&out, false).unwrap();
        stage.write("index.html", b"two").unwrap();
        drop(stage);
        assert_eq!(fs::read(out.join("index.html")).unwrap(), b"one");
        let leftovers = fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "only dist remains");
    }
}
