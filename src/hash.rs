//! Streaming SHA-256 of whole files.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use sha2::{Digest, Sha256};

/// How many full passes over files this process has made: lets a rebuild prove it hashed
/// nothing unchanged.
pub static FILES_HASHED: AtomicUsize = AtomicUsize::new(0);

const BLOCK: usize = 1 << 20;

/// Lowercase hex SHA-256 of a file, read in blocks (never whole into memory).
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    stream(path, None)
}

/// Copies `source` to `target` and hashes it in the same pass: the archive is read once.
pub fn copy_and_hash(source: &Path, target: &Path) -> std::io::Result<String> {
    let mut out = std::fs::File::create(target)?;
    stream(source, Some(&mut out))
}

fn stream(path: &Path, mut copy_to: Option<&mut std::fs::File>) -> std::io::Result<String> {
    FILES_HASHED.fetch_add(1, Ordering::Relaxed);
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; BLOCK];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        if let Some(out) = copy_to.as_mut() {
            out.write_all(&buf[..n])?;
        }
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Lowercase hex SHA-256 of bytes already in memory.
pub fn sha256_bytes(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}
