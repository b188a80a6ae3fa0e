//! Which signature schemes an APK carries and who signed it: v1 is a JAR signature
//! (`META-INF/*.RSA|DSA|EC`), v2 and v3 are blocks of the APK Signing Block that sits just
//! before the zip's central directory. Presence is reported, not verification.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use crate::der;

const BLOCK_MAGIC: &[u8; 16] = b"APK Sig Block 42";
const V2_ID: u32 = 0x7109_871a;
const V3_ID: u32 = 0xf053_68c0;
const EOCD_SIGNATURE: &[u8; 4] = b"PK\x05\x06";
/// The end of central directory record is 22 bytes plus a comment of at most 64 KiB.
const EOCD_SEARCH: u64 = 22 + 0xffff;
/// Real signing blocks take a few KiB (plus padding to 4 KiB); more is refused unread.
const MAX_BLOCK: u64 = 16 << 20;
/// The most a `META-INF` signature file may inflate to.
pub const MAX_SIGNATURE_FILE: u64 = 1 << 20;

pub use crate::android::Signing;

/// The JAR signature files in `META-INF/` (what makes a v1 signature present).
pub fn v1_signature_files(names: &[String]) -> Vec<&str> {
    names
        .iter()
        .map(String::as_str)
        .filter(|n| {
            let Some(file) = n.strip_prefix("META-INF/") else {
                return false;
            };
            let upper = file.to_ascii_uppercase();
            !file.contains('/') && [".RSA", ".DSA", ".EC"].iter().any(|e| upper.ends_with(e))
        })
        .collect()
}

/// The certificate in a v1 signature file (PKCS#7).
pub fn v1_certificate(signature_file: &[u8]) -> Option<Vec<u8>> {
    der::first_pkcs7_certificate(signature_file).map(<[u8]>::to_vec)
}

/// The v2 and v3 blocks of the APK Signing Block: (v2 certificate, v3 certificate), each
/// `Some` when that scheme's block is present (the inner `Option` is its first certificate).
pub type BlockCertificates = (Option<Option<Vec<u8>>>, Option<Option<Vec<u8>>>);

/// Reads the APK Signing Block of the file at `path`, if it has one.
pub fn signing_block(path: &Path) -> std::io::Result<BlockCertificates> {
    let mut file = File::open(path)?;
    let Some(cd_offset) = central_directory_offset(&mut file)? else {
        return Ok((None, None));
    };
    let Some(block) = read_block(&mut file, cd_offset)? else {
        return Ok((None, None));
    };
    Ok(scan_block(&block))
}

/// The central directory's offset from the end of central directory record.
fn central_directory_offset(file: &mut File) -> std::io::Result<Option<u64>> {
    let len = file.metadata()?.len();
    let search = EOCD_SEARCH.min(len);
    file.seek(SeekFrom::Start(len - search))?;
    let mut tail = Vec::with_capacity(search as usize);
    file.by_ref().take(search).read_to_end(&mut tail)?;
    let Some(at) = tail
        .windows(4)
        .rposition(|w| w == EOCD_SIGNATURE)
        .filter(|&at| at + 22 <= tail.len())
    else {
        return Ok(None);
    };
    let offset = u32::from_le_bytes([tail[at + 16], tail[at + 17], tail[at + 18], tail[at + 19]]);
    Ok((offset != u32::MAX).then_some(u64::from(offset)))
}

/// The bytes of the signing block's id-value pairs, when the magic precedes the directory.
fn read_block(file: &mut File, cd_offset: u64) -> std::io::Result<Option<Vec<u8>>> {
    if cd_offset < 32 {
        return Ok(None);
    }
    let mut footer = [0u8; 24];
    file.seek(SeekFrom::Start(cd_offset - 24))?;
    if file.read_exact(&mut footer).is_err() || &footer[8..] != BLOCK_MAGIC {
        return Ok(None);
    }
    let size = u64::from_le_bytes(footer[..8].try_into().unwrap_or_default());
    // The size counts everything after its first copy: the pairs, the second size, the magic.
    if !(24..=MAX_BLOCK).contains(&size) || size + 8 > cd_offset {
        return Ok(None);
    }
    let pairs_len = size - 24;
    file.seek(SeekFrom::Start(cd_offset - size - 8 + 8))?;
    let mut pairs = Vec::with_capacity(pairs_len as usize);
    file.by_ref().take(pairs_len).read_to_end(&mut pairs)?;
    Ok((pairs.len() as u64 == pairs_len).then_some(pairs))
}

/// Walks the id-value pairs, each `u64 length, u32 id, value`.
fn scan_block(mut pairs: &[u8]) -> BlockCertificates {
    let (mut v2, mut v3) = (None, None);
    while pairs.len() >= 12 {
        let length = u64::from_le_bytes(pairs[..8].try_into().unwrap_or_default());
        let Some(end) = usize::try_from(length)
            .ok()
            .and_then(|l| l.checked_add(8))
            .filter(|&end| end <= pairs.len() && end >= 12)
        else {
            break;
        };
        let id = u32::from_le_bytes(pairs[8..12].try_into().unwrap_or_default());
        let value = &pairs[12..end];
        match id {
            V2_ID if v2.is_none() => v2 = Some(first_signer_certificate(value)),
            V3_ID if v3.is_none() => v3 = Some(first_signer_certificate(value)),
            _ => {}
        }
        pairs = &pairs[end..];
    }
    (v2, v3)
}

/// v2/v3 value: signers → first signer → signed data → (digests, certificates) → first.
/// Each level is a sequence of `u32`-length-prefixed items.
fn first_signer_certificate(value: &[u8]) -> Option<Vec<u8>> {
    let signers = prefixed(value)?.0;
    let signer = prefixed(signers)?.0;
    let signed_data = prefixed(signer)?.0;
    let (_digests, rest) = prefixed(signed_data)?;
    let certificates = prefixed(rest)?.0;
    Some(prefixed(certificates)?.0.to_vec())
}

/// A `u32`-length-prefixed item and what follows it.
fn prefixed(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let length = u32::from_le_bytes(bytes.get(..4)?.try_into().ok()?) as usize;
    let item = bytes.get(4..4usize.checked_add(length)?)?;
    Some((item, &bytes[4 + length..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(bytes: &[u8]) -> Vec<u8> {
        let mut out = (bytes.len() as u32).to_le_bytes().to_vec();
        out.extend_from_slice(bytes);
        out
    }

    #[test]
    fn the_first_certificate_is_found_in_a_v2_value() {
        let certificates = item(&item(b"CERT"));
        let mut signed_data = item(b"digests");
        signed_data.extend(certificates);
        let value = item(&item(&item(&signed_data)));
        assert_eq!(
            first_signer_certificate(&value).as_deref(),
            Some(&b"CERT"[..])
        );
    }

    #[test]
    fn lying_lengths_end_the_scan() {
        let mut pairs = u64::MAX.to_le_bytes().to_vec();
        pairs.extend_from_slice(&V2_ID.to_le_bytes());
        assert_eq!(scan_block(&pairs), (None, None));
        assert_eq!(first_signer_certificate(&[0xff; 8]), None);
    }
}
