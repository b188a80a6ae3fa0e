//! What the written site is a function of, as fingerprints: one per app folder, and one for
//! the whole site made of them. An app whose fingerprint is unchanged keeps its folder from
//! the previous site without rendering anything of it; a site whose fingerprint is unchanged
//! is not rebuilt at all.

use std::collections::BTreeMap;

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::BuildOptions;
use crate::catalog::{self, Catalog};
use crate::config::Settings;
use crate::private::PageKey;
use crate::render::theme::Theme;

/// The fingerprints of a site about to be written.
pub(super) struct Fingerprints {
    /// Everything the site is made from.
    pub site: String,
    /// By app folder: everything that app's folder is made from.
    pub apps: BTreeMap<String, String>,
    /// What every page depends on, apps aside.
    common: Vec<u8>,
    /// By app folder: the fingerprint of the app's facts.
    facts: BTreeMap<String, [u8; 32]>,
}

/// Fingerprints of the site `catalog` describes. Each app's covers what is common to every
/// page (otasite's version, the catalog without its apps, the theme files, the page banner
/// and the site's settings), the app with all of its builds, and which rendered icon files
/// its builds' icons are linked from; the site's covers the common part and every app.
pub(super) fn of(
    catalog: &mut Catalog,
    inputs: &catalog::Inputs,
    theme: &Theme,
    settings: &Settings,
    options: &BuildOptions,
    page_key: Option<&PageKey>,
) -> Fingerprints {
    let common = common(catalog, theme, settings, options, page_key);
    of_apps(catalog, inputs, common, |_| None)
}

impl Fingerprints {
    /// The fingerprint of the facts of the app in folder `dir`, in hex.
    pub fn facts_of(&self, dir: &str) -> Option<String> {
        self.facts.get(dir).map(hex::encode)
    }

    /// The fingerprints of `catalog` once its builds in the app folders `changed` got their
    /// SHA-256 (nothing else changed): only those apps are serialised and hashed again.
    pub fn refresh(
        self,
        catalog: &Catalog,
        inputs: &catalog::Inputs,
        changed: &std::collections::HashSet<String>,
    ) -> Fingerprints {
        let facts = self.facts;
        of_apps(catalog, inputs, self.common, |dir| {
            facts.get(dir).filter(|_| !changed.contains(dir)).copied()
        })
    }
}

/// The fingerprints of every app, and of the site made of them and `common`; `known` gives
/// an app's facts fingerprint when it is already known.
fn of_apps(
    catalog: &Catalog,
    inputs: &catalog::Inputs,
    common: Vec<u8>,
    known: impl Fn(&str) -> Option<[u8; 32]> + Sync,
) -> Fingerprints {
    // (app folder, fingerprint of the app's facts, fingerprint of its folder).
    let apps: Vec<(String, [u8; 32], String)> = catalog
        .apps
        .par_iter()
        .map(|app| {
            if let Some(kept) = &app.kept {
                let mut facts = [0u8; 32];
                // Written by this module's own hex encoding; a mangled record reads as zeros,
                // which no site's fingerprint matches.
                let _ = hex::decode_to_slice(&kept.facts, &mut facts);
                return (app.dir().to_string(), facts, kept.folder.clone());
            }
            let facts: [u8; 32] = known(app.dir()).unwrap_or_else(|| {
                hash_json(Sha256::new().chain_update(&common), app)
                    .finalize()
                    .into()
            });
            let mut folder = Sha256::new().chain_update(facts);
            for build in &app.builds {
                let icon = inputs
                    .get(&build.path)
                    .and_then(|input| input.icon_files.as_ref())
                    .and_then(|files| files.small.file_name());
                folder.update(format!("|{}|{icon:?}", build.path));
            }
            (app.dir().to_string(), facts, hex::encode(folder.finalize()))
        })
        .collect();
    // The site's covers the facts, not where icons were rendered from: a site assembled
    // with a previous catalog's icons is the same site.
    let mut site = Sha256::new().chain_update(&common);
    for (dir, facts, _) in &apps {
        site.update(dir);
        site.update(facts);
    }
    let facts = apps
        .iter()
        .map(|(dir, facts, _)| (dir.clone(), *facts))
        .collect();
    Fingerprints {
        site: hex::encode(site.finalize()),
        apps: apps
            .into_iter()
            .map(|(dir, _, folder)| (dir, folder))
            .collect(),
        common,
        facts,
    }
}

/// What every file of the site depends on, apps aside.
fn common(
    catalog: &mut Catalog,
    theme: &Theme,
    settings: &Settings,
    options: &BuildOptions,
    page_key: Option<&PageKey>,
) -> Vec<u8> {
    let mut hasher = Sha256::new();
    hasher.update(env!("CARGO_PKG_VERSION"));
    // The catalog without its apps (hashed one by one): set aside while it is serialised.
    let apps = std::mem::take(&mut catalog.apps);
    let mut hasher = hash_json(hasher, catalog);
    catalog.apps = apps;
    for (path, bytes) in &theme.files {
        hasher.update(path.as_bytes());
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    }
    hasher.update(format!(
        "{:?}|{:?}|{:?}|{:?}|{}",
        options.banner,
        settings.cname,
        settings.ipa_base_url,
        page_key.map(|k| k.key_id()),
        settings.private_by_default
    ));
    hasher.update(format!(
        "{:?}|{:?}|{:?}",
        settings.language, settings.languages, settings.devices
    ));
    // The profile's signing identity comes from the environment, not from site.yaml.
    hasher.update(crate::devices::signing::environment_digest());
    hasher.finalize().to_vec()
}

/// `hasher` after hashing the JSON of `value`, serialised straight into it (through a small
/// buffer: the serialiser writes a few bytes at a time) instead of into a copy first.
fn hash_json(hasher: Sha256, value: &impl serde::Serialize) -> Sha256 {
    let mut out = std::io::BufWriter::with_capacity(8192, Hashing(hasher));
    // Writing into a hash cannot fail, and the catalog's types always serialise.
    let _ = serde_json::to_writer(&mut out, value);
    let _ = std::io::Write::flush(&mut out);
    out.into_parts().0.0
}

/// A writer into a hash: what is serialised into it is hashed as it is written.
struct Hashing(Sha256);

impl std::io::Write for Hashing {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashing_while_serialising_hashes_the_serialised_bytes() {
        let value = serde_json::json!({"name": "App", "builds": [1, 2, 3], "notes": "<b>"});
        let start = Sha256::new().chain_update(b"common");
        let streamed = hash_json(start.clone(), &value).finalize();
        let whole = start.chain_update(serde_json::to_vec(&value).unwrap());
        assert_eq!(streamed, whole.finalize());
    }
}
