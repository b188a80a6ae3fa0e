//! Streaming SHA-256 of whole files.

use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

const BLOCK: usize = 1 << 20;

/// Lowercase hex SHA-256 of a file, read in blocks (never whole into memory).
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; BLOCK];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Copies `source` to `target` and hashes it at the same time. The kernel copies
/// (`copy_file_range`: no byte passes through this process, and file systems with reflinks
/// share the blocks) on one core while this thread hashes on another, so the copy costs
/// about what `cp` costs and the hash what `--link` costs, side by side instead of in turn.
pub fn copy_and_hash(source: &Path, target: &Path) -> std::io::Result<String> {
    let (copied, hashed) = rayon::join(|| std::fs::copy(source, target), || sha256_file(source));
    copied?;
    hashed
}

/// Lowercase hex SHA-256 of bytes already in memory.
pub fn sha256_bytes(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_and_hash_copies_every_byte_and_hashes_them() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("in.ipa");
        // Larger than one read block, and not a multiple of it.
        let bytes: Vec<u8> = (0..BLOCK * 3 + 12345)
            .map(|i| (i * 31 % 251) as u8)
            .collect();
        std::fs::write(&source, &bytes).unwrap();
        let target = dir.path().join("out.ipa");
        let sha = copy_and_hash(&source, &target).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), bytes);
        assert_eq!(sha, sha256_bytes(&bytes));
        assert_eq!(sha, sha256_file(&source).unwrap());
    }

    #[test]
    fn copy_and_hash_names_a_missing_source() {
        let dir = tempfile::tempdir().unwrap();
        let err = copy_and_hash(&dir.path().join("gone.ipa"), &dir.path().join("out")).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    }
}
