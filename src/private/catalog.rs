//! The private catalog, `catalog.locked.json`: the whole `catalog.json` of a site with private
//! apps (private apps included) sealed with the pages' key, so that `build --previous` and
//! `check` can read every build back with the password while the public `catalog.json` lists
//! the public apps only.
//!
//! ```json
//! { "format": "otasite-locked-catalog/1", "cipher": "AES-256-GCM", "kdf": "PBKDF2-SHA-256",
//!   "salt": "…", "iterations": 600000, "nonce": "…", "payload": "…" }
//! ```
//!
//! The payload (base64, ciphertext then the 16-byte tag) opens to the bytes a public
//! `catalog.json` of the same site would hold; the key is PBKDF2-SHA-256 of the password with
//! `salt` and `iterations`, as for the locked pages (a share link's key opens it too).

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use super::{Locked, PageKey, UnlockError};
use crate::http::{CATALOG_LIMIT, Client, Method};

/// The private catalog's name, at the site's root.
pub const FILE: &str = "catalog.locked.json";
/// The `format` of the envelope this version writes and reads.
pub const FORMAT: &str = "otasite-locked-catalog/1";
/// Seconds before fetching a deployed private catalog gives up.
const FETCH_TIMEOUT: u64 = 30;

#[derive(Debug, Serialize, Deserialize)]
struct Envelope {
    format: String,
    cipher: String,
    kdf: String,
    salt: String,
    iterations: u32,
    nonce: String,
    payload: String,
}

/// The private catalog file for `catalog_json` (the full catalog, as `catalog.json` is written).
pub fn seal(key: &PageKey, catalog_json: &[u8]) -> Vec<u8> {
    let locked = key.lock(catalog_json);
    let envelope = Envelope {
        format: FORMAT.into(),
        cipher: "AES-256-GCM".into(),
        kdf: "PBKDF2-SHA-256".into(),
        salt: locked.salt,
        iterations: locked.iterations,
        nonce: locked.nonce,
        payload: locked.payload,
    };
    let mut bytes = serde_json::to_vec_pretty(&envelope).expect("an envelope is plain JSON");
    bytes.push(b'\n');
    bytes
}

/// The sealed content of a private catalog file.
pub fn envelope(bytes: &[u8]) -> Result<Locked, UnlockError> {
    let envelope: Envelope = serde_json::from_slice(bytes)
        .map_err(|e| UnlockError::Damaged(format!("not a private catalog: {e}")))?;
    if envelope.format != FORMAT {
        return Err(UnlockError::Damaged(format!(
            "format {:?}, not {FORMAT:?}",
            envelope.format
        )));
    }
    Ok(Locked {
        salt: envelope.salt,
        iterations: envelope.iterations,
        nonce: envelope.nonce,
        payload: envelope.payload,
    })
}

/// A private catalog opened with the password: its key (with its salt) and the catalog's bytes.
pub fn open(bytes: &[u8], password: &str) -> Result<(PageKey, Vec<u8>), UnlockError> {
    let locked = envelope(bytes)?;
    let key = super::password_key(&locked, password)?;
    let plain = super::unlock_with_key(&locked, &key)?;
    let salt = base64::engine::general_purpose::STANDARD
        .decode(&locked.salt)
        .map_err(|e| UnlockError::Damaged(format!("the salt is not base64: {e}")))?;
    let key = PageKey::from_parts(key, &salt).ok_or_else(|| {
        UnlockError::Damaged(format!(
            "a salt of {} bytes, not {}",
            salt.len(),
            super::SALT_LEN
        ))
    })?;
    Ok((key, plain))
}

/// A private catalog opened with a share link's key (`#k=…`).
pub fn open_with_share_key(bytes: &[u8], share_key: &str) -> Result<Vec<u8>, UnlockError> {
    let locked = envelope(bytes)?;
    let key = URL_SAFE_NO_PAD
        .decode(share_key)
        .map_err(|_| UnlockError::WrongKey)?;
    super::unlock_with_key(&locked, &key)
}

/// Where the private catalog of the site whose `catalog.json` is `source` (a file or an
/// `https://` URL) lies: beside it, or `source` itself when it names the private catalog.
pub fn beside(source: &str) -> String {
    if source.ends_with(FILE) {
        return source.to_string();
    }
    if source.starts_with("https://") {
        let folder = match source.rsplit_once('/') {
            Some((folder, _)) => folder,
            None => source,
        };
        return format!("{folder}/{FILE}");
    }
    Path::new(source)
        .with_file_name(FILE)
        .to_string_lossy()
        .into_owned()
}

/// The bytes of the private catalog at `source` (a file or an `https://` URL), or None when
/// there is none (a missing file; HTTP 404, or 403 as S3 answers for a missing object).
pub fn read(source: &str) -> Result<Option<Vec<u8>>, String> {
    if !source.starts_with("https://") {
        return match std::fs::metadata(source) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("cannot read {source}: {e}")),
            Ok(meta) if meta.len() > CATALOG_LIMIT => Err(format!(
                "{source} is larger than {CATALOG_LIMIT} bytes: not a private catalog"
            )),
            Ok(_) => std::fs::read(source)
                .map(Some)
                .map_err(|e| format!("cannot read {source}: {e}")),
        };
    }
    let client = Client::new(FETCH_TIMEOUT).map_err(|e| format!("cannot fetch {source}: {e:#}"))?;
    let response = client
        .fetch_limited(Method::Get, source, CATALOG_LIMIT)
        .map_err(|e| format!("cannot fetch {source}: {e}"))?;
    match response.status {
        200 => Ok(Some(response.body)),
        403 | 404 => Ok(None),
        _ => Err(format!(
            "cannot fetch {source}: the server answered {}",
            response.status_text()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::private::{Keys, random_salt};

    #[test]
    fn a_private_catalog_opens_with_the_password_and_the_share_key() {
        let keys = Keys::new("s".repeat(32), "hunter2".into());
        let key = keys.page_key(random_salt().unwrap());
        let file = seal(&key, b"{\"apps\":[]}");
        let (opened, plain) = open(&file, "hunter2").unwrap();
        assert_eq!(plain, b"{\"apps\":[]}");
        assert_eq!(opened.salt(), key.salt());
        assert_eq!(opened.key_id(), key.key_id());
        assert_eq!(open_with_share_key(&file, &key.share_key()).unwrap(), plain);
        assert_eq!(open(&file, "hunter3").err(), Some(UnlockError::WrongKey));
        assert!(matches!(
            open(b"{}", "hunter2"),
            Err(UnlockError::Damaged(_))
        ));
    }

    #[test]
    fn the_private_catalog_lies_beside_the_public_one() {
        assert_eq!(
            beside("https://x.test/apps/catalog.json"),
            "https://x.test/apps/catalog.locked.json"
        );
        assert_eq!(
            beside("https://x.test/apps/catalog.locked.json"),
            "https://x.test/apps/catalog.locked.json"
        );
        assert_eq!(beside("site/catalog.json"), "site/catalog.locked.json");
    }
}
