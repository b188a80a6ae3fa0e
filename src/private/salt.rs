//! The salt of a site's locked pages, kept from build to build: share links carry the key
//! PBKDF2 derives from the password and the salt, so a new salt breaks every share link.
//!
//! The salt is drawn at random for a site's first private build and read back afterwards from
//! the site's own private catalog ([`super::catalog`]): the one `--previous` points beside (the
//! deployed site, as CI builds from nothing) or else the one in the output folder. It is kept
//! only when that catalog opens with the password and was built with the same secret (its
//! private apps' folders are this secret's tokens); otherwise, and when asked to rotate, a new
//! random salt is drawn: a new `OTASITE_SECRET` thus breaks the old share links too.

use std::path::Path;

use super::{Keys, PageKey, UnlockError, catalog};
use crate::catalog::Catalog;
use crate::layout;

/// The key of a build's locked pages, and the previous site's whole catalog when `--previous`
/// has a private catalog that opens.
#[derive(Debug)]
pub struct Prepared {
    pub key: PageKey,
    /// The catalog `--previous` points at, read from its private catalog (private apps
    /// included); None when it has none, and the public one is read as usual.
    pub previous: Option<Catalog>,
    /// Where the salt came from, for the build's log.
    pub origin: String,
    /// What the build should warn about.
    pub warnings: Vec<String>,
}

/// The page key of a build: the salt of the previous private catalog (beside `previous`, else in
/// `output`) when it belongs to this site, a new random one otherwise or when `rotate`.
pub fn prepare(
    keys: &Keys,
    output: &Path,
    previous: Option<&str>,
    rotate: bool,
) -> Result<Prepared, String> {
    let mut warnings = Vec::new();
    let mut candidates = Vec::new();
    let mut previous_catalog = None;
    if let Some(source) = previous {
        let location = catalog::beside(source);
        if let Some(bytes) = catalog::read(&location)? {
            match open(&bytes, keys, &location) {
                Ok((key, whole)) => {
                    previous_catalog = Some(whole.clone());
                    candidates.push((key, whole, location));
                }
                Err(Opened::WrongPassword) => warnings.push(format!(
                    "{location} does not open with the password in {} (a new password?): the private builds it lists are not kept, and the locked pages get a new salt",
                    super::PASSWORD_VAR
                )),
                Err(Opened::Damaged(message)) => return Err(message),
            }
        }
    }
    let local = output.join(layout::LOCKED_CATALOG);
    if let Ok(Some(bytes)) = catalog::read(&local.to_string_lossy()) {
        // A damaged or foreign private catalog in the output only means a new salt.
        if let Ok((key, whole)) = open(&bytes, keys, &local.display().to_string()) {
            candidates.push((key, whole, local.display().to_string()));
        }
    }
    let kept = candidates
        .into_iter()
        .find(|(_, whole, _)| !rotate && same_secret(keys, whole));
    let (key, origin) = match kept {
        Some((key, _, location)) => (key, format!("salt kept from {location}")),
        None => {
            let why = if rotate {
                "new salt (asked for)"
            } else {
                "new salt"
            };
            (keys.page_key(super::random_salt()?), why.to_string())
        }
    };
    Ok(Prepared {
        key,
        previous: previous_catalog,
        origin,
        warnings,
    })
}

enum Opened {
    WrongPassword,
    Damaged(String),
}

fn open(bytes: &[u8], keys: &Keys, location: &str) -> Result<(PageKey, Catalog), Opened> {
    let (key, plain) = catalog::open(bytes, keys.password()).map_err(|e| match e {
        UnlockError::WrongKey => Opened::WrongPassword,
        other => Opened::Damaged(format!("{location}: {other}")),
    })?;
    let whole = serde_json::from_slice(&plain).map_err(|e| {
        Opened::Damaged(format!(
            "{location} opens, but what it holds is not an otasite catalog: {e}"
        ))
    })?;
    Ok((key, whole))
}

/// Whether the private apps of `whole` live in the folders `keys`' secret names: a catalog
/// built with another secret gives its salt up.
fn same_secret(keys: &Keys, whole: &Catalog) -> bool {
    whole
        .apps
        .iter()
        .filter(|app| app.private)
        .all(|app| app.dir() == layout::private_app_dir(keys.secret(), &app.bundle_id))
}
