//! Files the new site keeps unchanged from the previous one.
//!
//! While the stage is written, each such file is only announced. At commit, a folder whose
//! every file is kept, and that holds nothing else, moves over from the previous site whole:
//! one rename, instead of a hard link per file now and an unlink per file when the previous
//! site is deleted. Adding one build to a site of thousands then touches the folders of that
//! build and of the pages that list it, not every file of the site. Other kept files are
//! hard-linked into the stage as before.

use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

#[derive(Default)]
pub(super) struct Kept {
    /// Folder (relative to the site) -> names of the files kept in it.
    announced: Mutex<HashMap<PathBuf, Vec<OsString>>>,
    /// Folders that received a file made or copied anew: never moved whole.
    changed: Mutex<HashSet<PathBuf>>,
    /// Folders declared unchanged as a whole (an app whose every input is as before), moved
    /// without looking at their files.
    declared: Mutex<HashSet<PathBuf>>,
}

/// What to do with the kept files at commit.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Plan {
    /// Folders to move from the previous site whole, after the swap.
    pub moves: Vec<PathBuf>,
    /// Files to hard-link from the previous site into the stage, before the swap.
    pub links: Vec<PathBuf>,
}

impl Kept {
    /// `relative` (a file path inside the site) is kept from the previous site.
    pub fn keep(&self, relative: &Path) {
        let (folder, name) = split(relative);
        self.announced
            .lock()
            .expect("no panic while holding the lock")
            .entry(folder)
            .or_default()
            .push(name);
    }

    /// A file was made anew inside `relative`'s folder.
    pub fn made(&self, relative: &Path) {
        let (folder, _) = split(relative);
        self.changed
            .lock()
            .expect("no panic while holding the lock")
            .insert(folder);
    }

    /// `folder` is unchanged as a whole: it moves at commit, with everything in it. False (and
    /// nothing recorded) when a file was already made anew inside it.
    pub fn keep_whole(&self, folder: &Path) -> bool {
        let changed = self
            .changed
            .lock()
            .expect("no panic while holding the lock");
        if changed.iter().any(|c| c.starts_with(folder)) {
            return false;
        }
        self.declared
            .lock()
            .expect("no panic while holding the lock")
            .insert(folder.to_path_buf());
        true
    }

    /// Moves a folder whole when nothing in it changed and the previous site's folder holds
    /// exactly the kept files and folders that move whole themselves (an app whose builds are
    /// all unchanged moves as one folder); links the rest.
    pub fn plan(self, previous_site: &Path) -> Plan {
        let announced = self.announced.into_inner().unwrap_or_default();
        let changed = self.changed.into_inner().unwrap_or_default();
        let declared = self.declared.into_inner().unwrap_or_default();
        let in_declared = |folder: &Path| folder.ancestors().any(|a| declared.contains(a));
        // Files inside a declared folder move with it.
        let mut folders: Vec<(PathBuf, Vec<OsString>)> = announced
            .into_iter()
            .filter(|(folder, _)| !in_declared(folder))
            .collect();
        // Deepest first: a folder is judged after every folder inside it.
        folders.sort_by_key(|(folder, _)| std::cmp::Reverse(folder.components().count()));
        let mut whole: HashSet<PathBuf> = declared.clone();
        let mut plan = Plan::default();
        for (folder, names) in folders {
            let moves = !folder.as_os_str().is_empty()
                && !changed.contains(&folder)
                && holds_exactly(previous_site, &folder, &names, &whole);
            if moves {
                whole.insert(folder);
            } else {
                plan.links
                    .extend(names.into_iter().map(|name| folder.join(name)));
            }
        }
        // A folder inside one that moves goes with it.
        plan.moves = whole
            .iter()
            .filter(|folder| !folder.ancestors().skip(1).any(|a| whole.contains(a)))
            .cloned()
            .collect();
        plan.moves.sort();
        plan.links.sort();
        plan
    }
}

fn split(relative: &Path) -> (PathBuf, OsString) {
    let folder = relative.parent().map(Path::to_path_buf).unwrap_or_default();
    let name = relative.file_name().map(OsString::from).unwrap_or_default();
    (folder, name)
}

/// The previous site's `folder` holds the files `names` and, besides them, only folders
/// that move whole.
fn holds_exactly(
    previous_site: &Path,
    folder: &Path,
    names: &[OsString],
    whole: &HashSet<PathBuf>,
) -> bool {
    let Ok(entries) = fs::read_dir(previous_site.join(folder)) else {
        return false;
    };
    let wanted: HashSet<&OsString> = names.iter().collect();
    let mut files = 0;
    for entry in entries {
        let Ok(entry) = entry else { return false };
        let Ok(kind) = entry.file_type() else {
            return false;
        };
        let name = entry.file_name();
        if kind.is_file() && wanted.contains(&name) {
            files += 1;
        } else if !(kind.is_dir() && whole.contains(&folder.join(&name))) {
            return false;
        }
    }
    files == wanted.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(files: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for file in files {
            let path = dir.path().join(file);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, file).unwrap();
        }
        dir
    }

    #[test]
    fn a_folder_whose_every_file_is_kept_moves_whole() {
        let previous = site(&["app/1/a", "app/1/b", "app/2/a", "app/2/b", "app/index"]);
        let kept = Kept::default();
        for file in ["app/1/a", "app/1/b", "app/2/a", "app/index"] {
            kept.keep(Path::new(file));
        }
        // app/2 has a file that is not kept, so app cannot move whole; the root never moves.
        kept.keep(Path::new("index"));
        let plan = kept.plan(previous.path());
        assert_eq!(plan.moves, [PathBuf::from("app/1")]);
        assert_eq!(
            plan.links,
            ["app/2/a", "app/index", "index"].map(PathBuf::from)
        );
    }

    #[test]
    fn a_folder_whose_files_are_kept_and_folders_move_moves_whole() {
        let previous = site(&["a/1/x", "a/2/x", "a/index", "b/1/x", "b/index", "index"]);
        let kept = Kept::default();
        for file in ["a/1/x", "a/2/x", "a/index", "b/1/x", "b/index"] {
            kept.keep(Path::new(file));
        }
        kept.made(Path::new("b/index.new"));
        kept.made(Path::new("index"));
        let plan = kept.plan(previous.path());
        // b received a new file: its unchanged build folder moves alone, its page is linked.
        assert_eq!(plan.moves, ["a", "b/1"].map(PathBuf::from));
        assert_eq!(plan.links, [PathBuf::from("b/index")]);
    }

    #[test]
    fn a_declared_folder_moves_with_its_announced_files() {
        let previous = site(&["a/1/x.ipa", "a/1/index", "a/index", "b/index", "index"]);
        let kept = Kept::default();
        kept.keep(Path::new("a/1/x.ipa"));
        assert!(kept.keep_whole(Path::new("a")));
        kept.keep(Path::new("b/index"));
        kept.made(Path::new("index"));
        let plan = kept.plan(previous.path());
        assert_eq!(plan.moves, ["a", "b"].map(PathBuf::from));
        assert!(plan.links.is_empty(), "{:?}", plan.links);
    }

    #[test]
    fn a_folder_with_a_made_file_cannot_be_declared_whole() {
        let kept = Kept::default();
        kept.made(Path::new("a/2/x.ipa"));
        assert!(!kept.keep_whole(Path::new("a")));
        assert!(kept.keep_whole(Path::new("b")));
    }

    #[test]
    fn a_folder_with_a_new_file_is_linked_file_by_file() {
        let previous = site(&["app/1/a", "app/1/b"]);
        let kept = Kept::default();
        kept.keep(Path::new("app/1/a"));
        kept.keep(Path::new("app/1/b"));
        kept.made(Path::new("app/1/c"));
        let plan = kept.plan(previous.path());
        assert!(plan.moves.is_empty());
        assert_eq!(plan.links, ["app/1/a", "app/1/b"].map(PathBuf::from));
    }
}
