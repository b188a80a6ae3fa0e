//! Writing the site: a staging folder beside the output, the one write function, `.ipa`
//! copies or links, and the swap that replaces the previous site only when all succeeded.

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;

mod kept;

/// A file otasite leaves in every site it writes, so it never replaces a folder it did not create.
pub const MARKER: &str = ".otasite";

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
    #[error("refusing to write {0:?}: the path leaves the output folder")]
    Escapes(String),
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
    /// Files kept unchanged from the previous site, placed at commit.
    kept: kept::Kept,
}

impl Stage {
    /// Prepares a fresh staging folder next to `output`, after checking that `output` is
    /// either absent, empty, ours, or `force` is given. Stale staging folders of interrupted
    /// builds are removed first.
    pub fn begin(output: &Path, force: bool) -> Result<Stage, OutputError> {
        check_replaceable(output, force)?;
        let parent = parent_of(output);
        fs::create_dir_all(&parent).map_err(io_error(&parent))?;
        remove_stale(&parent, &staging_prefix(output));
        let staging = parent.join(format!("{}{}", staging_prefix(output), std::process::id()));
        if staging.exists() {
            fs::remove_dir_all(&staging).map_err(io_error(&staging))?;
        }
        fs::create_dir(&staging).map_err(io_error(&staging))?;
        Ok(Stage {
            output: output.to_path_buf(),
            staging,
            committed: false,
            made_dirs: Mutex::new(HashSet::new()),
            kept: kept::Kept::default(),
        })
    }

    pub fn root(&self) -> &Path {
        &self.staging
    }

    /// The one write function: `relative` must stay inside the site.
    pub fn write(&self, relative: &str, bytes: &[u8]) -> Result<(), OutputError> {
        let path = self.target(relative)?;
        fs::write(&path, bytes).map_err(io_error(&path))
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
        fs::copy(source, &path)
            .map(|_| ())
            .map_err(io_error(source))
    }

    /// Keeps the previous site's file at `relative` unchanged in the new site; false when the
    /// previous site has no such file. It is placed at commit: with its whole folder when
    /// nothing else in that folder changed, else by hard link.
    pub fn keep_previous(&self, relative: &str) -> Result<bool, OutputError> {
        let rel = checked(relative)?;
        if !self.output.join(rel).is_file() {
            return Ok(false);
        }
        self.kept.keep(rel);
        Ok(true)
    }

    /// Hard-links `source` into the site; false when the file systems differ (or links are
    /// refused), so the caller can copy instead.
    pub fn try_link(&self, relative: &str, source: &Path) -> Result<bool, OutputError> {
        let path = self.target(relative)?;
        Ok(fs::hard_link(source, &path).is_ok())
    }

    /// Copies `source` into the site and returns its SHA-256, reading it once.
    pub fn copy_and_hash(&self, relative: &str, source: &Path) -> Result<String, OutputError> {
        let path = self.target(relative)?;
        crate::hash::copy_and_hash(source, &path).map_err(io_error(source))
    }

    fn target(&self, relative: &str) -> Result<PathBuf, OutputError> {
        let rel = checked(relative)?;
        self.kept.made(rel);
        self.make_parent(rel)?;
        Ok(self.staging.join(rel))
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
                fs::create_dir_all(&absolute).map_err(io_error(&absolute))?;
                self.made_dirs
                    .lock()
                    .expect("no panic while holding the lock")
                    .insert(parent.to_path_buf());
            }
        }
        Ok(())
    }

    /// Swaps the staging folder in place of the output. The previous site is moved aside
    /// first and deleted only after the new one is in place.
    /// `fingerprint` identifies every input of the site, so an unchanged rebuild can be skipped.
    pub fn commit(mut self, fingerprint: &str) -> Result<(), OutputError> {
        self.write(
            MARKER,
            format!("This folder is written by otasite; it is replaced on every build.\n{FINGERPRINT}{fingerprint}\n").as_bytes(),
        )?;
        let plan = std::mem::take(&mut self.kept).plan(&self.output);
        plan.links.par_iter().try_for_each(|rel| {
            let from = self.output.join(rel);
            self.make_parent(rel)?;
            link_or_copy(&from, &self.staging.join(rel))
        })?;
        for folder in &plan.moves {
            self.make_parent(folder)?;
        }
        let parent = parent_of(&self.output);
        let old = parent.join(format!(
            "{}{}",
            old_prefix(&self.output),
            std::process::id()
        ));
        let had_previous = self.output.exists();
        if had_previous {
            fs::rename(&self.output, &old).map_err(io_error(&self.output))?;
        }
        if let Err(source) = fs::rename(&self.staging, &self.output) {
            if had_previous {
                // Put the previous site back so nothing is lost.
                let _ = fs::rename(&old, &self.output);
            }
            return Err(OutputError::Io {
                path: self.output.clone(),
                source,
            });
        }
        self.committed = true;
        // The new site is in place; the folders it keeps whole join it from the previous one.
        // Were this interrupted, the next build would make the missing folders again.
        plan.moves
            .par_iter()
            .try_for_each(|folder| move_folder(&old.join(folder), &self.output.join(folder)))?;
        if had_previous {
            remove_tree(&old).map_err(io_error(&old))?;
        }
        Ok(())
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

fn link_or_copy(from: &Path, to: &Path) -> Result<(), OutputError> {
    if fs::hard_link(from, to).is_ok() {
        return Ok(());
    }
    fs::copy(from, to).map(|_| ()).map_err(io_error(from))
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
        link_or_copy(&entry.path(), &to.join(entry.file_name()))?;
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

/// A hidden folder beside the output that belongs to it: `.<output name>.<role>`.
pub fn sibling(output: &Path, role: &str) -> PathBuf {
    parent_of(output).join(format!(".{}.{role}", file_name(output)))
}

fn parent_of(output: &Path) -> PathBuf {
    match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn file_name(output: &Path) -> String {
    output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "site".into())
}

fn staging_prefix(output: &Path) -> String {
    format!(".{}.staging-", file_name(output))
}

fn old_prefix(output: &Path) -> String {
    format!(".{}.old-", file_name(output))
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
