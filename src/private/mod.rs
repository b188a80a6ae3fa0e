//! Private apps: the keys from the environment and the password-locked pages.
//!
//! A private app's folders are named by tokens ([`crate::layout::token`]) and its pages are
//! published encrypted ([`lock`]): AES-256-GCM under a key derived from the password by
//! PBKDF2-SHA-256. The theme's `static/unlock.js` reverses [`PageKey::lock`] with WebCrypto.
//!
//! The PBKDF2 salt ([`salt`]) is drawn at random once per site and kept from build to build, so
//! that share links keep working; the private catalog ([`catalog`]) carries every fact of the
//! site, private apps included, sealed with the same key.

pub mod catalog;
pub mod salt;

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The environment variable holding the secret the private folders' tokens are made from.
pub const SECRET_VAR: &str = "OTASITE_SECRET";
/// The environment variable holding the password of the private pages.
pub const PASSWORD_VAR: &str = "OTASITE_PASSWORD";
/// The shortest secret accepted: 32 characters (128 bits as hex).
pub const SECRET_MIN: usize = 32;
/// PBKDF2-SHA-256 rounds: OWASP's 2023 figure for this function.
pub const ITERATIONS: u32 = 600_000;
/// The fragment parameter of a share link that carries the page key: `#k=…`.
pub const SHARE_PARAM: &str = "k";

type HmacSha256 = Hmac<Sha256>;

/// HMAC-SHA-256 of `parts` (each length-prefixed, so no two lists collide) under `key`.
pub fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut mac =
        <HmacSha256 as hmac::KeyInit>::new_from_slice(key).expect("HMAC takes a key of any length");
    for part in parts {
        mac.update(&(part.len() as u64).to_le_bytes());
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// The secret and the password of a site with private apps. Neither is ever printed: the
/// `Debug` form says only that they are set.
#[derive(Clone)]
pub struct Keys {
    secret: String,
    password: String,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys { secret: <set>, password: <set> }")
    }
}

impl Keys {
    pub fn new(secret: String, password: String) -> Keys {
        Keys { secret, password }
    }

    /// The secret the tokens are made from.
    pub fn secret(&self) -> &[u8] {
        self.secret.as_bytes()
    }

    /// The password of the locked pages.
    pub fn password(&self) -> &str {
        &self.password
    }

    /// Stands for both keys in the build's record of its inputs (beside the cache, never
    /// published): the same keys give the same value, and without the secret it gives no way
    /// to test guesses of the password.
    pub fn inputs_digest(&self) -> [u8; 32] {
        hmac(
            self.secret.as_bytes(),
            &[b"otasite inputs", self.password.as_bytes()],
        )
    }

    /// The key of the pages under `salt` (PBKDF2 is deliberately slow: derive it once).
    pub fn page_key(&self, salt: [u8; SALT_LEN]) -> PageKey {
        PageKey {
            key: page_key(&self.password, &salt),
            salt,
        }
    }
}

/// Bytes of the site's PBKDF2 salt.
pub const SALT_LEN: usize = 16;

/// A new salt from the operating system's random source.
pub fn random_salt() -> Result<[u8; SALT_LEN], String> {
    use aes_gcm::aead::Generate;
    let mut salt = [0; SALT_LEN];
    for half in salt.chunks_mut(8) {
        let value = u64::try_generate()
            .map_err(|e| format!("the operating system gave no random bytes: {e}"))?;
        half.copy_from_slice(&value.to_le_bytes());
    }
    Ok(salt)
}

/// The AES-256 key of a site's locked pages and the salt it was derived with ([`salt`]).
#[derive(Clone)]
pub struct PageKey {
    key: [u8; 32],
    salt: [u8; SALT_LEN],
}

impl std::fmt::Debug for PageKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PageKey { key: <set> }")
    }
}

impl PageKey {
    /// The key with the salt a locked page or catalog gives, when they fit.
    pub fn from_parts(key: [u8; 32], salt: &[u8]) -> Option<PageKey> {
        Some(PageKey {
            key,
            salt: salt.try_into().ok()?,
        })
    }

    /// The key, as a share link carries it.
    pub fn share_key(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.key)
    }

    /// Identifies the key and its salt without revealing the key: fingerprints of locked pages
    /// include it, so a new password or salt rewrites them.
    pub fn key_id(&self) -> String {
        hex::encode(Sha256::digest([&self.key[..], &self.salt].concat()))
    }

    /// The salt, as the locked pages carry it.
    pub fn salt(&self) -> [u8; SALT_LEN] {
        self.salt
    }

    /// `page` (a whole HTML document, or the catalog) sealed with this key.
    pub fn lock(&self, page: &[u8]) -> Locked {
        seal(&self.key, &self.salt, page)
    }
}

/// PBKDF2-HMAC-SHA-256 of the password, [`ITERATIONS`] rounds.
pub fn page_key(password: &str, salt: &[u8]) -> [u8; 32] {
    let mut key = [0; 32];
    pbkdf2::pbkdf2_hmac::<Sha256>(password.as_bytes(), salt, ITERATIONS, &mut key);
    key
}

/// An encrypted page, as the locked template writes it (all base64).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Locked {
    pub salt: String,
    pub iterations: u32,
    pub nonce: String,
    /// Ciphertext followed by the 16-byte GCM tag.
    pub payload: String,
}

fn seal(key: &[u8; 32], salt: &[u8], page: &[u8]) -> Locked {
    // The nonce is a MAC of the plaintext under a key of its own derived from the page key:
    // the same page always gets the same nonce (so an unchanged page is byte for byte the
    // same and is not rewritten), and two different pages get the same nonce only if
    // HMAC-SHA-256 collides on 96 bits. GCM fails only when one nonce encrypts two different
    // plaintexts under one key, which this rules out; an identical ciphertext for an
    // identical page tells an observer nothing the unchanged file did not already.
    let nonce_key = hmac(key, &[b"otasite nonce key"]);
    let digest = Sha256::digest(page);
    let nonce_bytes = hmac(&nonce_key, &[&digest]);
    let nonce = Nonce::try_from(&nonce_bytes[..12]).expect("12 bytes");
    let cipher = Aes256Gcm::new_from_slice(key).expect("a 32-byte key");
    let payload = cipher
        .encrypt(&nonce, page)
        .expect("AES-GCM encrypts any page of less than 64 GB");
    Locked {
        salt: STANDARD.encode(salt),
        iterations: ITERATIONS,
        nonce: STANDARD.encode(&nonce_bytes[..12]),
        payload: STANDARD.encode(payload),
    }
}

/// Why a locked page did not open.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum UnlockError {
    #[error("the page holds no locked content (no data-payload)")]
    NotLocked,
    #[error("the locked content is damaged: {0}")]
    Damaged(String),
    #[error("wrong password: the page does not decrypt with it")]
    WrongKey,
}

/// The locked content of an HTML page: the `data-*` attributes of its `#locked` element.
pub fn locked_in(html: &str) -> Result<Locked, UnlockError> {
    let attribute = |name: &str| -> Result<String, UnlockError> {
        let start = html
            .find(&format!("data-{name}=\""))
            .ok_or(UnlockError::NotLocked)?
            + name.len()
            + 7;
        let end = html[start..].find('"').ok_or(UnlockError::NotLocked)? + start;
        Ok(html[start..end].to_string())
    };
    Ok(Locked {
        salt: attribute("salt")?,
        iterations: attribute("iterations")?
            .parse()
            .map_err(|_| UnlockError::Damaged("data-iterations is not a number".into()))?,
        nonce: attribute("nonce")?,
        payload: attribute("payload")?,
    })
}

/// The page a locked page holds, opened with the password (as the page's form does).
pub fn unlock_with_password(locked: &Locked, password: &str) -> Result<Vec<u8>, UnlockError> {
    unlock_with_key(locked, &password_key(locked, password)?)
}

/// The key a password gives for a locked page (PBKDF2 with the page's salt and rounds). Pages
/// of one site share them, so a caller opening many can derive it once per salt.
pub fn password_key(locked: &Locked, password: &str) -> Result<[u8; 32], UnlockError> {
    let salt = decode(&locked.salt)?;
    if locked.iterations < ITERATIONS {
        return Err(UnlockError::Damaged(format!(
            "{} PBKDF2 rounds, fewer than {ITERATIONS}",
            locked.iterations
        )));
    }
    let mut key = [0; 32];
    pbkdf2::pbkdf2_hmac::<Sha256>(password.as_bytes(), &salt, locked.iterations, &mut key);
    Ok(key)
}

/// The page a locked page holds, opened with a share link's key (`#k=…`, base64url).
pub fn unlock_with_share_key(locked: &Locked, share_key: &str) -> Result<Vec<u8>, UnlockError> {
    let key = URL_SAFE_NO_PAD
        .decode(share_key)
        .map_err(|_| UnlockError::WrongKey)?;
    unlock_with_key(locked, &key)
}

/// The page a locked page holds, opened with a raw 32-byte key.
pub fn unlock_with_key(locked: &Locked, key: &[u8]) -> Result<Vec<u8>, UnlockError> {
    let cipher = Aes256Gcm::new_from_slice(key).map_err(|_| UnlockError::WrongKey)?;
    let nonce = Nonce::try_from(decode(&locked.nonce)?.as_slice())
        .map_err(|_| UnlockError::Damaged("the nonce is not 12 bytes".into()))?;
    cipher
        .decrypt(&nonce, decode(&locked.payload)?.as_slice())
        .map_err(|_| UnlockError::WrongKey)
}

fn decode(text: &str) -> Result<Vec<u8>, UnlockError> {
    STANDARD
        .decode(text)
        .map_err(|e| UnlockError::Damaged(format!("not base64: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_locked_page_opens_with_the_password_or_the_share_key_only() {
        let secrets = Keys::new("s".repeat(32), "hunter2".into());
        let keys = secrets.page_key(random_salt().unwrap());
        let page = b"<html><body>Secret App 1.2</body></html>";
        let locked = keys.lock(page);
        assert_eq!(locked, keys.lock(page), "deterministic");
        assert_ne!(locked.nonce, keys.lock(b"other").nonce);
        assert_eq!(unlock_with_password(&locked, "hunter2").unwrap(), page);
        assert_eq!(
            unlock_with_share_key(&locked, &keys.share_key()).unwrap(),
            page
        );
        assert_eq!(
            unlock_with_password(&locked, "hunter3"),
            Err(UnlockError::WrongKey)
        );
        let other = secrets.page_key(random_salt().unwrap());
        assert_ne!(other.lock(page), locked, "a new salt, a new key");
        assert_ne!(other.salt(), keys.salt(), "salts are random");
        assert!(!format!("{secrets:?}").contains("hunter2"));
    }
}
