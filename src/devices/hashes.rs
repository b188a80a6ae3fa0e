//! `devices.json` of an ad hoc or development build: the devices its profile lists, published
//! only as HMAC-SHA-256 of each canonical UDID under the site's salt. A tester's browser
//! computes the same hash of the UDID it keeps and looks it up; the file names no device.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::udid;

/// The file in each ad hoc or development build's folder.
pub const FILE: &str = "devices.json";
/// The algorithm the file states, which the build pages' script implements.
pub const ALGORITHM: &str = "HMAC-SHA-256";
/// The most identifiers hashed of one profile.
pub const DEVICES_LIMIT: usize = crate::ipa::profile::DEVICES_LIMIT;

/// The file's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DevicesFile {
    /// Always [`ALGORITHM`]: HMAC-SHA-256 keyed by the UTF-8 bytes of `salt`, of the UDID in
    /// upper case.
    pub algorithm: String,
    /// The site's salt: 32 hex digits.
    pub salt: String,
    /// Lower-case hex hashes, sorted (the profile's order would say nothing useful).
    pub hashes: Vec<String>,
}

/// The site's salt: derived from its address, so that each site's hashes differ from every
/// other site's (no table computed for one site serves another) and rebuilds are identical.
pub fn salt(base_url: &str) -> String {
    let digest = Sha256::new()
        .chain_update(b"otasite devices salt\n")
        .chain_update(base_url.as_bytes())
        .finalize();
    hex::encode(&digest[..16])
}

/// The hash of one UDID (already canonical) under `salt`.
pub fn hash(salt: &str, canonical_udid: &str) -> String {
    let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(salt.as_bytes())
        .expect("HMAC takes a key of any length");
    mac.update(canonical_udid.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The file for a profile listing `devices`; entries that are not UDIDs are left out (no
/// device can match them).
pub fn file_for(salt: &str, devices: &[String]) -> DevicesFile {
    let mut hashes: Vec<String> = devices
        .iter()
        .take(DEVICES_LIMIT)
        .filter_map(|id| udid::canonical(id).ok())
        .map(|id| hash(salt, &id))
        .collect();
    hashes.sort();
    hashes.dedup();
    DevicesFile {
        algorithm: ALGORITHM.into(),
        salt: salt.into(),
        hashes,
    }
}

/// What a build's `devices.json` is made from.
#[derive(Debug, Clone, Copy)]
pub enum Source<'a> {
    /// The identifiers its profile lists (a build read from its archive).
    Profile(&'a [String]),
    /// The file the deployed site published (a build kept with `--previous`).
    Published(&'a DevicesFile),
}

impl Source<'_> {
    /// The file under `salt`; none for a published file of another salt (the site moved to
    /// another address: its hashes cannot be made again without the identifiers).
    pub fn file(self, salt: &str) -> Option<DevicesFile> {
        match self {
            Source::Profile(ids) => Some(file_for(salt, ids)),
            Source::Published(file) => (file.salt == salt).then(|| file.clone()),
        }
    }
}

impl DevicesFile {
    pub fn to_json(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).expect("plain strings serialise");
        bytes.push(b'\n');
        bytes
    }

    /// Reads a published file, or says what is wrong with it.
    pub fn parse(bytes: &[u8]) -> Result<DevicesFile, String> {
        let file: DevicesFile =
            serde_json::from_slice(bytes).map_err(|e| format!("not the expected JSON: {e}"))?;
        let hex = |s: &str, len: usize| {
            s.len() == len && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        };
        if file.algorithm != ALGORITHM {
            return Err(format!(
                "algorithm is {:?}, expected {ALGORITHM:?}",
                udid::shorten(&file.algorithm)
            ));
        }
        if !hex(&file.salt, 32) {
            return Err("salt is not 32 lower-case hex digits".into());
        }
        if let Some(bad) = file.hashes.iter().find(|h| !hex(h, 64)) {
            return Err(format!(
                "{:?} is not a hash (64 lower-case hex digits)",
                udid::shorten(bad)
            ));
        }
        Ok(file)
    }

    /// Whether the device `id` (either format, any case) is among the hashes.
    pub fn lists(&self, id: &str) -> bool {
        udid::canonical(id).is_ok_and(|id| self.hashes.contains(&hash(&self.salt, &id)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listed_devices_match_in_any_case_and_nothing_else_does() {
        let salt = salt("https://builds.example.test/");
        assert_eq!(salt.len(), 32);
        assert_ne!(salt, super::salt("https://other.example.test/"));
        let old = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678".to_string();
        let new = "00008030-001A2D3E0C38802E".to_string();
        let file = file_for(
            &salt,
            &[old.clone(), new.clone(), "junk".into(), old.clone()],
        );
        assert_eq!(file.hashes.len(), 2);
        assert!(file.lists(&old.to_ascii_uppercase()) && file.lists(&new.to_lowercase()));
        assert!(!file.lists("00008030-001A2D3E0C38802F"));
        let json = file.to_json();
        let text = String::from_utf8(json.clone()).unwrap();
        assert!(udid::find_all(text.as_bytes()).is_empty(), "{text}");
        assert_eq!(DevicesFile::parse(&json).unwrap(), file);
        let mut bad = file.clone();
        bad.hashes.push(new.clone());
        assert!(DevicesFile::parse(&bad.to_json()).is_err());
    }

    /// The value the build pages' WebCrypto computes for the same inputs (RFC 4231 shape:
    /// key and message as UTF-8).
    #[test]
    fn hash_is_hmac_sha256_of_the_utf8_bytes() {
        assert_eq!(
            hash("key", "The quick brown fox jumps over the lazy dog"),
            "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        );
    }
}
