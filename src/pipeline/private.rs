//! The private side of a build: the locked pages' key, its salt kept from the previous site's
//! private catalog, and the whole previous catalog that private catalog holds.

use std::time::Instant;

use super::log::Log;
use super::{BuildError, BuildOptions};
use crate::catalog::Catalog;
use crate::config::Settings;
use crate::private::salt::Prepared;

/// The key of the locked pages of a site with private apps, its salt kept from the previous
/// site's private catalog (see [`crate::private::salt`]).
pub(super) fn prepare(
    settings: &Settings,
    options: &BuildOptions,
    log: &Log,
) -> Result<Option<Prepared>, BuildError> {
    let Some(keys) = &settings.private else {
        return Ok(None);
    };
    let step = Instant::now();
    // A private catalog made with another secret lists its private apps in other folders.
    let same_secret = |bytes: &[u8]| {
        serde_json::from_slice::<Catalog>(bytes).is_ok_and(|whole| {
            whole.apps.iter().filter(|app| app.private).all(|app| {
                app.dir() == crate::layout::private_app_dir(keys.secret(), &app.bundle_id)
            })
        })
    };
    let prepared = crate::private::salt::prepare(
        keys,
        &settings.output_dir,
        options.previous.as_deref(),
        options.new_salt,
        same_secret,
    )
    .map_err(BuildError::Private)?;
    for warning in &prepared.warnings {
        log.warn(warning.clone());
    }
    log.debug(format!(
        "private: {} in {:?}",
        prepared.origin,
        step.elapsed()
    ));
    Ok(Some(prepared))
}

/// The whole catalog the private catalog beside `--previous` holds, when it opened.
pub(super) fn previous_catalog(prepared: Option<&Prepared>) -> Result<Option<Catalog>, BuildError> {
    let Some((bytes, location)) = prepared.and_then(|p| p.previous.as_ref()) else {
        return Ok(None);
    };
    serde_json::from_slice(bytes).map(Some).map_err(|e| {
        BuildError::Private(format!(
            "{location} opens, but what it holds is not an otasite catalog: {e}"
        ))
    })
}
