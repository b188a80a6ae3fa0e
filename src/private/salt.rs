//! The salt of a site's locked pages, kept from build to build: share links carry the key
//! PBKDF2 derives from the password and the salt, so a new salt breaks every share link.
//!
//! The salt is drawn at random for a site's first private build and read back afterwards from
//! the site's own private catalog ([`super::catalog`]): the one `--previous` points beside (the
//! deployed site, as CI builds from nothing) or else the one in the output folder. It is kept
//! only when that catalog opens with the password and was built with the same secret (the
//! caller tells, from the catalog's private folders); otherwise, and when asked to rotate, a new
//! random salt is drawn: a new `OTASITE_SECRET` thus breaks the old share links too.

use std::path::Path;

use super::{Keys, PageKey, UnlockError, catalog};

/// The key of a build's locked pages, and the previous site's whole catalog when `--previous`
/// has a private catalog that opens.
#[derive(Debug)]
pub struct Prepared {
    pub key: PageKey,
    /// The catalog `--previous` points at, as its private catalog holds it (private apps
    /// included), and where it was read; None when there is none, and the public one is read
    /// as usual.
    pub previous: Option<(Vec<u8>, String)>,
    /// Where the salt came from, for the build's log.
    pub origin: String,
    /// What the build should warn about.
    pub warnings: Vec<String>,
}

/// The page key of a build: the salt of the previous private catalog (beside `previous`, else in
/// `output`) when `same_secret` says its content was built with this secret, a new random one
/// otherwise or when `rotate`.
pub fn prepare(
    keys: &Keys,
    output: &Path,
    previous: Option<&str>,
    rotate: bool,
    same_secret: impl Fn(&[u8]) -> bool,
) -> Result<Prepared, String> {
    let mut warnings = Vec::new();
    let mut candidates = Vec::new();
    let mut previous_catalog = None;
    if let Some(source) = previous {
        let location = catalog::beside(source);
        if let Some(bytes) = catalog::read(&location)? {
            match catalog::open(&bytes, keys.password()) {
                Ok((key, plain)) => {
                    candidates.push((key, plain.clone(), location.clone()));
                    previous_catalog = Some((plain, location));
                }
                Err(UnlockError::WrongKey) => warnings.push(format!(
                    "{location} does not open with the password in {} (a new password?): the private builds it lists are not kept, and the locked pages get a new salt",
                    super::PASSWORD_VAR
                )),
                Err(other) => return Err(format!("{location}: {other}")),
            }
        }
    }
    let local = output.join(catalog::FILE);
    // A damaged or foreign private catalog in the output only means a new salt.
    if let Ok(Some(bytes)) = catalog::read(&local.to_string_lossy())
        && let Ok((key, plain)) = catalog::open(&bytes, keys.password())
    {
        candidates.push((key, plain, local.display().to_string()));
    }
    let kept = candidates
        .into_iter()
        .find(|(_, plain, _)| !rotate && same_secret(plain));
    let (key, origin) = match kept {
        Some((key, _, location)) => (key, format!("salt kept from {location}")),
        None if rotate => (
            keys.page_key(super::random_salt()?),
            "new salt (asked for)".to_string(),
        ),
        None => (keys.page_key(super::random_salt()?), "new salt".to_string()),
    };
    Ok(Prepared {
        key,
        previous: previous_catalog,
        origin,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_salt_of_the_outputs_private_catalog_is_kept_unless_rotated_or_foreign() {
        let output = tempfile::tempdir().unwrap();
        let keys = Keys::new("s".repeat(32), "hunter2".into());
        let first = prepare(&keys, output.path(), None, false, |_| true).unwrap();
        assert_eq!(first.origin, "new salt", "nothing to keep yet");
        let sealed = catalog::seal(&first.key, b"{}");
        std::fs::write(output.path().join(catalog::FILE), sealed).unwrap();

        let kept = prepare(&keys, output.path(), None, false, |_| true).unwrap();
        assert_eq!(kept.key.salt(), first.key.salt());
        assert_eq!(kept.key.key_id(), first.key.key_id());
        let rotated = prepare(&keys, output.path(), None, true, |_| true).unwrap();
        assert_ne!(rotated.key.salt(), first.key.salt());
        let foreign = prepare(&keys, output.path(), None, false, |_| false).unwrap();
        assert_ne!(
            foreign.key.salt(),
            first.key.salt(),
            "another secret's catalog"
        );
        let other_password = Keys::new("s".repeat(32), "hunter3".into());
        let reopened = prepare(&other_password, output.path(), None, false, |_| true).unwrap();
        assert_ne!(reopened.key.salt(), first.key.salt());
        assert!(reopened.previous.is_none() && reopened.warnings.is_empty());
    }
}
