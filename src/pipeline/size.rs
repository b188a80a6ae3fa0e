//! Adding up the written site's size for hosts' limits without walking the folders a build
//! kept unchanged: an app folder moved whole from the previous site has the sizes recorded
//! when it was written.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use rayon::prelude::*;

/// (bytes of every file, bytes of the `.ipa` files), by top-level folder of the site.
pub(super) type Sizes = BTreeMap<String, (u64, u64)>;

/// A top-level entry of the site: its name, whether it is a folder, and its sizes.
type Measured = (String, bool, (u64, u64));

/// The site's total sizes, and those of each top-level folder for the next build. Folders in
/// `kept` with an entry in `previous` are not walked.
pub(super) fn site_sizes(
    output: &Path,
    kept: &BTreeSet<String>,
    previous: &Sizes,
) -> (Result<(u64, u64), String>, Sizes) {
    let entries: Vec<(String, bool)> = match std::fs::read_dir(output) {
        Ok(entries) => entries
            .flatten()
            .map(|e| {
                let dir = e.file_type().is_ok_and(|t| t.is_dir());
                (e.file_name().to_string_lossy().into_owned(), dir)
            })
            .collect(),
        Err(e) => return (Err(e.to_string()), Sizes::new()),
    };
    let measured: Vec<Result<Measured, String>> = entries
        .into_par_iter()
        .map(|(name, dir)| {
            let known = dir
                .then(|| kept.contains(&name).then(|| previous.get(&name)).flatten())
                .flatten();
            let sizes = match known {
                Some(&sizes) => sizes,
                None => {
                    crate::hosting::tree_sizes(&output.join(&name)).map_err(|e| e.to_string())?
                }
            };
            Ok((name, dir, sizes))
        })
        .collect();
    let mut total = (0, 0);
    let mut folders = Sizes::new();
    for item in measured {
        match item {
            Ok((name, dir, sizes)) => {
                total = (total.0 + sizes.0, total.1 + sizes.1);
                if dir {
                    folders.insert(name, sizes);
                }
            }
            Err(e) => return (Err(e), Sizes::new()),
        }
    }
    (Ok(total), folders)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_folders_take_their_recorded_sizes_and_the_rest_is_walked() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path();
        for (path, bytes) in [
            ("a/1/A.ipa", 100),
            ("a/index.html", 10),
            ("b/1/B.ipa", 200),
            ("b/index.html", 20),
            ("c/index.html", 30),
            ("index.html", 5),
        ] {
            std::fs::create_dir_all(site.join(path).parent().unwrap()).unwrap();
            std::fs::write(site.join(path), vec![0u8; bytes]).unwrap();
        }
        let kept: BTreeSet<String> = ["a", "c"].map(String::from).into();
        // What the previous build recorded for a; c was not recorded, so it is walked.
        let previous: Sizes = [("a".to_string(), (1000, 900))].into();
        let (total, folders) = site_sizes(site, &kept, &previous);
        assert_eq!(total.unwrap(), (1000 + 220 + 30 + 5, 900 + 200));
        assert_eq!(
            folders,
            [
                ("a".to_string(), (1000, 900)),
                ("b".to_string(), (220, 200)),
                ("c".to_string(), (30, 0)),
            ]
            .into()
        );
    }

    #[test]
    fn a_missing_site_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let (total, _) = site_sizes(&dir.path().join("none"), &BTreeSet::new(), &Sizes::new());
        assert!(total.is_err());
    }
}
