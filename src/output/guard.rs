//! Outputs that are never written, even with `--force`: replacing them would destroy inputs
//! or far more than a site.

use std::path::{Component, Path, PathBuf};

use super::OutputError;

/// A folder the output must keep clear of.
pub struct Protected {
    /// What it is, for the message: "the builds folder".
    pub role: &'static str,
    pub path: PathBuf,
    /// Whether an output inside it is refused too (true for inputs such as the builds folder;
    /// false for the config file's folder, which normally holds the output).
    pub refuse_inside: bool,
}

/// The folders a build protects: its inputs, the config file's folder, the current and home
/// directories, and `/`.
pub fn protected(builds: &Path, theme: Option<&Path>, config_file: &Path) -> Vec<Protected> {
    let mut list = vec![Protected {
        role: "the builds folder",
        path: builds.to_path_buf(),
        refuse_inside: true,
    }];
    if let Some(theme) = theme {
        list.push(Protected {
            role: "the theme folder",
            path: theme.to_path_buf(),
            refuse_inside: true,
        });
    }
    let config_folder = match config_file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    list.push(Protected {
        role: "the config file's folder",
        path: config_folder,
        refuse_inside: false,
    });
    if let Ok(cwd) = std::env::current_dir() {
        list.push(Protected {
            role: "the current directory",
            path: cwd,
            refuse_inside: false,
        });
    }
    if let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        list.push(Protected {
            role: "the home directory",
            path: PathBuf::from(home),
            refuse_inside: false,
        });
    }
    list.push(Protected {
        role: "the root folder",
        path: PathBuf::from("/"),
        refuse_inside: false,
    });
    list
}

/// Refuses an output that is, contains, or (for inputs) lies inside a protected folder.
/// Paths are compared after resolving links and `..`, so no spelling slips through.
pub fn check(output: &Path, protected: &[Protected]) -> Result<(), OutputError> {
    let out = resolved(output);
    let folders: Vec<PathBuf> = protected.iter().map(|g| resolved(&g.path)).collect();
    // The closest relation is the clearest message: "is" before "contains".
    for relation in ["is", "contains", "lies inside"] {
        let holds = |guard: &Protected, folder: &PathBuf| match relation {
            "is" => out == *folder,
            "contains" => folder.starts_with(&out),
            _ => guard.refuse_inside && out.starts_with(folder),
        };
        if let Some((guard, _)) = protected
            .iter()
            .zip(&folders)
            .find(|(guard, folder)| holds(guard, folder))
        {
            return Err(OutputError::Protected {
                output: output.to_path_buf(),
                relation,
                role: guard.role,
                path: guard.path.clone(),
            });
        }
    }
    Ok(())
}

/// The real absolute path: the longest existing ancestor canonicalised, the rest appended
/// with `.` and `..` applied.
fn resolved(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = existing.canonicalize() {
            let mut out = real;
            for part in rest.iter().rev() {
                match part {
                    Component::ParentDir => {
                        out.pop();
                    }
                    Component::Normal(name) => out.push(name),
                    _ => {}
                }
            }
            return out;
        }
        match (existing.parent(), existing.components().next_back()) {
            (Some(parent), Some(last)) => {
                rest.push(last);
                existing = parent;
            }
            _ => return absolute,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guards(root: &Path) -> Vec<Protected> {
        vec![
            Protected {
                role: "the builds folder",
                path: root.join("builds"),
                refuse_inside: true,
            },
            Protected {
                role: "the config file's folder",
                path: root.to_path_buf(),
                refuse_inside: false,
            },
        ]
    }

    #[test]
    fn refuses_inputs_and_their_ancestors_whatever_the_spelling() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("builds")).unwrap();
        let g = guards(root);
        let refused = |p: PathBuf| check(&p, &g).unwrap_err().to_string();
        assert!(refused(root.join("builds")).contains("is the builds folder"));
        assert!(refused(root.join("dist/../builds/")).contains("is the builds folder"));
        assert!(refused(root.join("builds/site")).contains("lies inside the builds folder"));
        assert!(refused(root.to_path_buf()).contains("is the config file's folder"));
        assert!(refused(root.join("..")).contains("contains the builds folder"));
        assert!(check(&root.join("dist"), &g).is_ok());
        assert!(check(&root.join("not/yet/there"), &g).is_ok());
    }

    #[test]
    fn a_link_to_the_builds_folder_is_the_builds_folder() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("builds")).unwrap();
        std::os::unix::fs::symlink(root.join("builds"), root.join("alias")).unwrap();
        let err = check(&root.join("alias"), &guards(root)).unwrap_err();
        assert!(err.to_string().contains("is the builds folder"), "{err}");
    }
}
