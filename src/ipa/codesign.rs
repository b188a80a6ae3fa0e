//! The certificate that signed the app itself: the main executable's Mach-O code signature
//! (`LC_CODE_SIGNATURE` → SuperBlob → CMS blob) holds the signer's certificate chain.
//!
//! The executable is streamed, never held: its header and load commands, then straight to the
//! signature at its end, each read capped. A fat binary's first slice in the file is read (all
//! slices are signed alike). A signature without a CMS blob is ad hoc, not an error.

use std::io::{self, Read};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::profile::{ExpiryOf, Profile};
use crate::der;

/// The most bytes of Mach-O load commands read (real apps have a few dozen KiB).
const LOAD_COMMANDS_LIMIT: u32 = 2 << 20;
/// The most slices of a fat binary considered (real ones have one to three).
const FAT_SLICES_LIMIT: u32 = 32;
/// The most blobs a SuperBlob's index may list (real ones have four to eight).
const BLOBS_LIMIT: u32 = 64;
/// The most bytes of the CMS blob read (real ones take about 5 KiB).
const CMS_LIMIT: u32 = 1 << 20;

const FAT_MAGIC: u32 = 0xcafe_babe;
const FAT_MAGIC_64: u32 = 0xcafe_babf;
const MH_MAGIC: u32 = 0xfeed_face;
const MH_MAGIC_64: u32 = 0xfeed_facf;
const LC_CODE_SIGNATURE: u32 = 0x1d;
const SUPER_BLOB_MAGIC: u32 = 0xfade_0cc0;
const CMS_BLOB_MAGIC: u32 = 0xfade_0b01;
/// The SuperBlob slot of the CMS signature (`CSSLOT_SIGNATURESLOT`).
const SIGNATURE_SLOT: u32 = 0x10000;

/// How the app's executable is signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignatureKind {
    /// Signed with a certificate: its chain sits in the signature's CMS blob.
    Certificate,
    /// A code signature without a certificate (`codesign -s -`): iOS devices refuse it.
    AdHoc,
    /// No code signature at all.
    Unsigned,
}

/// The main executable's code signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeSignature {
    pub kind: SignatureKind,
    /// The signing certificate's subject, e.g. `CN=Apple Distribution: Example (ABCDE12345), …`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// When the signing certificate expires (X.509 notAfter), RFC 3339 in UTC.
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub expires: Option<OffsetDateTime>,
}

impl CodeSignature {
    /// The signing certificate's common name (`CN=`), e.g. `Apple Distribution: Example`.
    pub fn common_name(&self) -> Option<&str> {
        let subject = self.subject.as_deref()?;
        let start = subject.find("CN=")? + 3;
        let rest = &subject[start..];
        Some(rest.split(", ").next().unwrap_or(rest))
    }

    fn without_certificate(kind: SignatureKind) -> Self {
        CodeSignature {
            kind,
            subject: None,
            expires: None,
        }
    }
}

/// The moment a build stops launching: the earliest of its profile's expiry, the expiry of the
/// certificate the profile embeds and that of the certificate that signed the app, with which
/// one it is (on a tie, in that order).
pub fn stops_launching(
    profile: Option<&Profile>,
    signature: Option<&CodeSignature>,
) -> Option<(OffsetDateTime, ExpiryOf)> {
    let app = signature
        .and_then(|s| s.expires)
        .map(|at| (at, ExpiryOf::AppCertificate));
    [profile.and_then(Profile::stops_launching), app]
        .into_iter()
        .flatten()
        .reduce(|earliest, next| if next.0 < earliest.0 { next } else { earliest })
}

/// Reads the code signature of a Mach-O executable from its stream; an error is one sentence
/// saying what is wrong with the executable.
pub fn read_signature(stream: &mut dyn Read) -> Result<CodeSignature, String> {
    let mut file = Stream {
        inner: stream,
        position: 0,
    };
    let magic = file.u32_be()?;
    let slice_start = match magic {
        FAT_MAGIC | FAT_MAGIC_64 => {
            let start = first_slice(&mut file, magic == FAT_MAGIC_64)?;
            file.skip_to(start)?;
            start
        }
        _ => 0,
    };
    let Some((offset, size)) = code_signature_command(&mut file, slice_start, magic)? else {
        return Ok(CodeSignature::without_certificate(SignatureKind::Unsigned));
    };
    file.skip_to(slice_start + offset)?;
    let Some(cms) = cms_blob(&mut file, size)? else {
        return Ok(CodeSignature::without_certificate(SignatureKind::AdHoc));
    };
    let certificate = signer_certificate(&cms)
        .ok_or("its code signature's CMS blob holds no signer certificate that reads")?;
    Ok(CodeSignature {
        kind: SignatureKind::Certificate,
        subject: der::certificate_subject(certificate),
        expires: Some(
            der::certificate_not_after(certificate)
                .ok_or("its signing certificate has no readable expiry (notAfter)")?,
        ),
    })
}

/// The file offset of the fat binary's slice that comes first in the file.
fn first_slice(file: &mut Stream, wide: bool) -> Result<u64, String> {
    let count = file.u32_be()?;
    if count == 0 || count > FAT_SLICES_LIMIT {
        return Err(format!(
            "its fat header lists {count} architectures (1 to {FAT_SLICES_LIMIT} expected)"
        ));
    }
    let mut first = u64::MAX;
    for _ in 0..count {
        let offset = if wide {
            let fields = file.bytes(32)?;
            u64::from_be_bytes(fields[8..16].try_into().unwrap_or_default())
        } else {
            let fields = file.bytes(20)?;
            u64::from(be(&fields[8..12]))
        };
        first = first.min(offset);
    }
    Ok(first)
}

/// The `LC_CODE_SIGNATURE` of the Mach-O at `start` (the stream sits just past its magic,
/// `magic` read big-endian): the signature's offset in the slice and its size, or none.
fn code_signature_command(
    file: &mut Stream,
    start: u64,
    magic: u32,
) -> Result<Option<(u64, u32)>, String> {
    let magic = if start == 0 { magic } else { file.u32_be()? };
    let (little, wide) = match magic {
        m if m.swap_bytes() == MH_MAGIC => (true, false),
        m if m.swap_bytes() == MH_MAGIC_64 => (true, true),
        MH_MAGIC => (false, false),
        MH_MAGIC_64 => (false, true),
        other => {
            return Err(format!(
                "it is not a Mach-O executable (magic {other:#010x})"
            ));
        }
    };
    let word = |b: &[u8]| if little { le(b) } else { be(b) };
    // cputype, cpusubtype, filetype, ncmds, sizeofcmds, flags (+ reserved when 64-bit).
    let header = file.bytes(if wide { 28 } else { 24 })?;
    let (count, size) = (word(&header[12..16]), word(&header[16..20]));
    if size > LOAD_COMMANDS_LIMIT {
        return Err(format!(
            "its load commands take {size} bytes, more than the {} MiB otasite reads",
            LOAD_COMMANDS_LIMIT >> 20
        ));
    }
    let commands = file.bytes(size as usize)?;
    let mut rest = &commands[..];
    for _ in 0..count {
        let (Some(kind), Some(length)) = (rest.get(0..4), rest.get(4..8)) else {
            return Err("its load commands end before the count its header gives".into());
        };
        let (kind, length) = (word(kind), word(length) as usize);
        let command = rest
            .get(..length)
            .filter(|_| length >= 8)
            .ok_or("a load command's size runs past the load commands")?;
        if kind == LC_CODE_SIGNATURE {
            let fields = command
                .get(8..16)
                .ok_or("its LC_CODE_SIGNATURE load command is too short")?;
            return Ok(Some((u64::from(word(&fields[..4])), word(&fields[4..]))));
        }
        rest = &rest[length..];
    }
    Ok(None)
}

/// The CMS blob of the SuperBlob the stream sits at (`size` bytes), or none for an ad hoc
/// signature (no signature slot, or an empty one).
fn cms_blob(file: &mut Stream, size: u32) -> Result<Option<Vec<u8>>, String> {
    let start = file.position;
    let header = file.bytes(12)?;
    if be(&header[..4]) != SUPER_BLOB_MAGIC {
        return Err("its code signature is not a SuperBlob (magic 0xfade0cc0)".into());
    }
    let count = be(&header[8..12]);
    if count > BLOBS_LIMIT {
        return Err(format!(
            "its code signature lists {count} blobs, more than {BLOBS_LIMIT}"
        ));
    }
    let index = file.bytes(count as usize * 8)?;
    let Some(offset) = index
        .chunks_exact(8)
        .find(|slot| be(&slot[..4]) == SIGNATURE_SLOT)
        .map(|slot| be(&slot[4..]))
    else {
        return Ok(None);
    };
    if offset >= size {
        return Err("its code signature's CMS blob lies outside the signature".into());
    }
    file.skip_to(start + u64::from(offset))?;
    let blob = file.bytes(8)?;
    if be(&blob[..4]) != CMS_BLOB_MAGIC {
        return Err(
            "its code signature's signature slot is not a CMS blob (magic 0xfade0b01)".into(),
        );
    }
    let length = be(&blob[4..]).saturating_sub(8);
    if length == 0 {
        return Ok(None);
    }
    if length > CMS_LIMIT {
        return Err(format!(
            "its code signature's CMS blob takes {length} bytes, more than the {} MiB otasite reads",
            CMS_LIMIT >> 20
        ));
    }
    file.bytes(length as usize).map(Some)
}

/// The certificate that signed a CMS `SignedData`: the one its first SignerInfo names by
/// issuer and serial number (Apple lists the chain root-most first, the signer last); failing
/// that, the one that issued no other certificate of the set.
pub fn signer_certificate(cms: &[u8]) -> Option<&[u8]> {
    let (content_info, _) = ber_read(cms, BER_DEPTH)?;
    let explicit = ber_children(content_info.content).find(|e| e.tag == 0xa0)?;
    let (signed_data, _) = ber_read(explicit.content, BER_DEPTH)?;
    let fields: Vec<der::Element> = ber_children(signed_data.content).collect();
    let certificates: Vec<&[u8]> = fields
        .iter()
        .find(|e| e.tag == 0xa0)
        .map(|set| ber_children(set.content).filter(|c| c.tag == 0x30))
        .into_iter()
        .flatten()
        .map(|c| c.whole)
        .collect();
    let named = fields
        .iter()
        .rev()
        .find(|e| e.tag == 0x31)
        .and_then(|infos| ber_children(infos.content).next())
        .and_then(|info| ber_children(info.content).nth(1))
        .filter(|sid| sid.tag == 0x30)
        .and_then(|sid| {
            let mut parts = ber_children(sid.content);
            let (issuer, serial) = (parts.next()?, parts.next()?);
            certificates
                .iter()
                .copied()
                .find(|c| issuer_and_serial(c) == Some((issuer.whole, serial.content)))
        });
    // A leaf issues no other certificate of the set (a self-signed one issues only itself).
    named.or_else(|| {
        let issued_by: Vec<&[u8]> = certificates
            .iter()
            .filter_map(|c| {
                let (issuer, _) = issuer_and_serial(c)?;
                (Some(issuer) != subject_name(c)).then_some(issuer)
            })
            .collect();
        certificates
            .iter()
            .copied()
            .find(|c| subject_name(c).is_some_and(|s| !issued_by.contains(&s)))
            .or_else(|| certificates.last().copied())
    })
}

/// How deep indefinite-length elements may nest (CMS from `codesign` nests four).
const BER_DEPTH: u8 = 16;

/// One BER element at the start of `bytes`, and the rest after it. `codesign` writes the CMS
/// with indefinite lengths: such a constructed element runs to its end-of-contents marker.
fn ber_read(bytes: &[u8], depth: u8) -> Option<(der::Element<'_>, &[u8])> {
    let (tag, first) = (*bytes.first()?, *bytes.get(1)?);
    if first != 0x80 {
        return der::read(bytes);
    }
    if tag & 0x20 == 0 || depth == 0 {
        return None;
    }
    let mut rest = &bytes[2..];
    while !rest.starts_with(&[0, 0]) {
        rest = ber_read(rest, depth - 1)?.1;
    }
    let content_end = bytes.len() - rest.len();
    Some((
        der::Element {
            tag,
            whole: &bytes[..content_end + 2],
            content: &bytes[2..content_end],
        },
        &rest[2..],
    ))
}

/// The BER elements inside a constructed element's content, until one fails to read.
fn ber_children(content: &[u8]) -> impl Iterator<Item = der::Element<'_>> {
    let mut rest = content;
    std::iter::from_fn(move || {
        let (element, next) = ber_read(rest, BER_DEPTH)?;
        rest = next;
        Some(element)
    })
}

/// The fields of a certificate's `TBSCertificate` after the optional `[0] version`.
fn tbs_fields(certificate: &[u8]) -> Option<Vec<der::Element<'_>>> {
    let (certificate, _) = der::read(certificate)?;
    let (tbs, _) = der::read(certificate.content)?;
    Some(
        der::children(tbs.content)
            .skip_while(|e| e.tag == 0xa0)
            .collect(),
    )
}

/// The issuer Name (whole DER) and the serial number's content bytes of a certificate.
fn issuer_and_serial(certificate: &[u8]) -> Option<(&[u8], &[u8])> {
    let fields = tbs_fields(certificate)?;
    Some((fields.get(2)?.whole, fields.first()?.content))
}

/// The subject Name (whole DER) of a certificate.
fn subject_name(certificate: &[u8]) -> Option<&[u8]> {
    Some(tbs_fields(certificate)?.get(4)?.whole)
}

/// A forward-only reader that knows its position, so that offsets in the executable can be
/// reached by skipping.
struct Stream<'a> {
    inner: &'a mut dyn Read,
    position: u64,
}

impl Stream<'_> {
    fn bytes(&mut self, count: usize) -> Result<Vec<u8>, String> {
        let mut buffer = vec![0; count];
        self.inner.read_exact(&mut buffer).map_err(ended)?;
        self.position += count as u64;
        Ok(buffer)
    }

    fn u32_be(&mut self) -> Result<u32, String> {
        Ok(be(&self.bytes(4)?))
    }

    /// Skips ahead to `offset`; offsets behind the position cannot be reached in one pass, and
    /// no real executable needs them.
    fn skip_to(&mut self, offset: u64) -> Result<(), String> {
        let gap = offset.checked_sub(self.position).ok_or_else(|| {
            format!(
                "an offset in it ({offset}) points back before data already read ({})",
                self.position
            )
        })?;
        let skipped = io::copy(&mut (&mut self.inner).take(gap), &mut io::sink()).map_err(ended)?;
        self.position += skipped;
        if skipped < gap {
            return Err(format!(
                "it ends at {} bytes, before the offset {offset} its headers point to",
                self.position
            ));
        }
        Ok(())
    }
}

fn ended(error: io::Error) -> String {
    match error.kind() {
        io::ErrorKind::UnexpectedEof => "it ends inside its headers or code signature".into(),
        _ => format!("it cannot be read ({error})"),
    }
}

fn be(bytes: &[u8]) -> u32 {
    u32::from_be_bytes(bytes[..4].try_into().unwrap_or_default())
}

fn le(bytes: &[u8]) -> u32 {
    u32::from_le_bytes(bytes[..4].try_into().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    /// A thin 64-bit little-endian Mach-O: its load commands, then `signature` at `at`.
    fn macho(commands: &[(u32, Vec<u8>)], at: usize, signature: &[u8]) -> Vec<u8> {
        let mut body = Vec::new();
        for (kind, fields) in commands {
            body.extend(kind.to_le_bytes());
            body.extend((8 + fields.len() as u32).to_le_bytes());
            body.extend(fields);
        }
        let mut out = Vec::new();
        for field in [MH_MAGIC_64, 0x0100_000c, 0, 2, commands.len() as u32] {
            out.extend(field.to_le_bytes());
        }
        out.extend((body.len() as u32).to_le_bytes());
        out.extend([0; 8]);
        out.extend(body);
        out.resize(at.max(out.len()), 0);
        out.extend(signature);
        out
    }

    fn signature_command(at: u32, size: u32) -> (u32, Vec<u8>) {
        (
            LC_CODE_SIGNATURE,
            [at.to_le_bytes(), size.to_le_bytes()].concat(),
        )
    }

    /// A SuperBlob holding `blobs` (slot type, blob bytes).
    fn super_blob(blobs: &[(u32, Vec<u8>)]) -> Vec<u8> {
        let mut index = Vec::new();
        let mut data = Vec::new();
        let start = 12 + 8 * blobs.len();
        for (slot, blob) in blobs {
            index.extend(slot.to_be_bytes());
            index.extend(((start + data.len()) as u32).to_be_bytes());
            data.extend(blob);
        }
        let total = (start + data.len()) as u32;
        [
            SUPER_BLOB_MAGIC.to_be_bytes().to_vec(),
            total.to_be_bytes().to_vec(),
            (blobs.len() as u32).to_be_bytes().to_vec(),
            index,
            data,
        ]
        .concat()
    }

    fn read(bytes: &[u8]) -> Result<CodeSignature, String> {
        read_signature(&mut &bytes[..])
    }

    #[test]
    fn unsigned_and_ad_hoc_are_told_apart() {
        let unsigned = macho(&[(0x1b, vec![0; 16])], 0, &[]);
        assert_eq!(read(&unsigned).map(|s| s.kind), Ok(SignatureKind::Unsigned));
        let empty_cms = [CMS_BLOB_MAGIC.to_be_bytes(), 8u32.to_be_bytes()].concat();
        for blobs in [
            vec![(0, vec![0xfa; 8])],
            vec![(0, vec![0xfa; 8]), (SIGNATURE_SLOT, empty_cms)],
        ] {
            let blob = super_blob(&blobs);
            let file = macho(&[signature_command(4096, blob.len() as u32)], 4096, &blob);
            assert_eq!(read(&file).map(|s| s.kind), Ok(SignatureKind::AdHoc));
        }
    }

    #[test]
    fn damaged_executables_are_one_sentence_each() {
        let error = |bytes: &[u8]| read(bytes).expect_err("refused");
        assert!(error(b"#!/bin/sh\n").contains("not a Mach-O executable"));
        assert!(error(&[0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 0]).contains("lists 0 architectures"));
        let many = [0xcafe_babe_u32.to_be_bytes(), 1000u32.to_be_bytes()].concat();
        assert!(error(&many).contains("lists 1000 architectures"));
        // Huge load commands are refused before anything is allocated for them.
        let mut huge = macho(&[], 0, &[]);
        huge[20..24].copy_from_slice(&(64u32 << 20).to_le_bytes());
        assert!(error(&huge).contains("more than the 2 MiB"));
        // A signature offset inside the headers cannot be reached going forward.
        let back = macho(&[signature_command(8, 64)], 0, &[]);
        assert!(error(&back).contains("points back"), "{}", error(&back));
        let short = macho(&[signature_command(4096, 64)], 0, &[]);
        assert!(error(&short).contains("before the offset 4096"));
        let not_super = macho(&[signature_command(64, 16)], 64, &[0; 16]);
        assert!(error(&not_super).contains("not a SuperBlob"));
        let crowded = [SUPER_BLOB_MAGIC, 0, 100_000]
            .iter()
            .flat_map(|w| w.to_be_bytes())
            .collect::<Vec<_>>();
        let file = macho(&[signature_command(64, 12)], 64, &crowded);
        assert!(error(&file).contains("lists 100000 blobs"));
        let big_cms = [CMS_BLOB_MAGIC.to_be_bytes(), (8u32 << 20).to_be_bytes()].concat();
        let blob = super_blob(&[(SIGNATURE_SLOT, big_cms)]);
        let file = macho(&[signature_command(64, blob.len() as u32)], 64, &blob);
        assert!(error(&file).contains("more than the 1 MiB"));
        let junk_cms = [CMS_BLOB_MAGIC.to_be_bytes(), 12u32.to_be_bytes()].concat();
        let blob = super_blob(&[(SIGNATURE_SLOT, [junk_cms, vec![0x30, 0x02, 0, 0]].concat())]);
        let file = macho(&[signature_command(64, blob.len() as u32)], 64, &blob);
        assert!(error(&file).contains("no signer certificate"));
    }

    #[test]
    fn any_damaged_byte_is_an_answer_not_a_panic() {
        let cms = [CMS_BLOB_MAGIC.to_be_bytes(), 16u32.to_be_bytes()].concat();
        let cms = [cms, vec![0x30, 0x80, 0x30, 0x02, 0x05, 0x00, 0, 0]].concat();
        let blob = super_blob(&[(0, vec![0xfa; 8]), (SIGNATURE_SLOT, cms)]);
        let file = macho(
            &[
                (0x1b, vec![0; 16]),
                signature_command(256, blob.len() as u32),
            ],
            256,
            &blob,
        );
        for at in 0..file.len() {
            for value in [0x00, 0x80, 0xff] {
                let mut damaged = file.clone();
                damaged[at] = value;
                let _ = read(&damaged);
                let _ = read(&damaged[..at]);
            }
        }
    }

    /// DER of one element.
    fn der_of(tag: u8, content: &[u8]) -> Vec<u8> {
        let length = content.len();
        let mut out = vec![tag];
        if length < 0x80 {
            out.push(length as u8);
        } else {
            out.extend([0x82, (length >> 8) as u8, length as u8]);
        }
        out.extend_from_slice(content);
        out
    }

    #[test]
    fn without_issuer_and_serial_the_leaf_is_the_certificate_that_issued_none() {
        use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
        let mut ca = CertificateParams::new(Vec::<String>::new()).expect("params");
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name.push(DnType::CommonName, "Root");
        let ca_key = KeyPair::generate().expect("key");
        let ca_der = ca.self_signed(&ca_key).expect("ca").der().to_vec();
        let issuer = Issuer::new(ca, ca_key);
        let mut leaf = CertificateParams::new(Vec::<String>::new()).expect("params");
        leaf.distinguished_name.push(DnType::CommonName, "Leaf");
        let key = KeyPair::generate().expect("key");
        let leaf_der = leaf.signed_by(&key, &issuer).expect("leaf").der().to_vec();
        // A SignerInfo naming its signer by subject key identifier ([0]), not issuer and serial.
        let signer_info = der_of(0x30, &[der_of(0x02, &[3]), der_of(0x80, &[1; 20])].concat());
        for chain in [
            [ca_der.clone(), leaf_der.clone()],
            [leaf_der.clone(), ca_der.clone()],
        ] {
            let signed = der_of(
                0x30,
                &[
                    der_of(0x02, &[1]),
                    der_of(0x31, &[]),
                    der_of(0x30, &der_of(0x06, &[0x2a])),
                    der_of(0xa0, &chain.concat()),
                    der_of(0x31, &signer_info),
                ]
                .concat(),
            );
            let cms = der_of(
                0x30,
                &[der_of(0x06, &[0x2a]), der_of(0xa0, &signed)].concat(),
            );
            let found = signer_certificate(&cms).expect("a signer");
            assert_eq!(der::certificate_subject(found).as_deref(), Some("CN=Leaf"));
        }
    }

    #[test]
    fn indefinite_lengths_are_bounded() {
        let nested = |depth: usize| {
            let mut bytes = Vec::new();
            for _ in 0..depth {
                bytes.extend([0x30, 0x80]);
            }
            bytes.extend(std::iter::repeat_n(0, depth * 2));
            bytes
        };
        assert!(ber_read(&nested(BER_DEPTH as usize), BER_DEPTH).is_some());
        assert!(ber_read(&nested(BER_DEPTH as usize + 1), BER_DEPTH).is_none());
        // Primitive elements never take an indefinite length; an unterminated one ends nowhere.
        assert!(ber_read(&[0x04, 0x80, 0, 0], BER_DEPTH).is_none());
        assert!(ber_read(&[0x30, 0x80, 0x05, 0x00], BER_DEPTH).is_none());
    }

    #[test]
    fn the_earliest_expiry_wins_and_the_profile_on_a_tie() {
        let profile = Profile {
            kind: super::super::DistributionKind::AdHoc,
            name: None,
            team_name: None,
            team_id: None,
            expires: Some(datetime!(2026-03-01 0:00 UTC)),
            certificate_expires: Some(datetime!(2026-02-01 0:00 UTC)),
            devices: None,
            device_ids: Vec::new(),
            app_clip_parents: Vec::new(),
            entitlements: Vec::new(),
        };
        let signed = |at| CodeSignature {
            kind: SignatureKind::Certificate,
            subject: Some("CN=Apple Distribution: Example (ABCDE12345), OU=ABCDE12345".into()),
            expires: Some(at),
        };
        let earlier = signed(datetime!(2026-01-15 0:00 UTC));
        assert_eq!(
            stops_launching(Some(&profile), Some(&earlier)),
            Some((datetime!(2026-01-15 0:00 UTC), ExpiryOf::AppCertificate))
        );
        let tie = signed(datetime!(2026-02-01 0:00 UTC));
        assert_eq!(
            stops_launching(Some(&profile), Some(&tie)).map(|(_, of)| of),
            Some(ExpiryOf::Certificate)
        );
        assert_eq!(
            stops_launching(None, Some(&earlier)).map(|(_, of)| of),
            Some(ExpiryOf::AppCertificate)
        );
        assert_eq!(stops_launching(None, None), None);
        assert_eq!(
            earlier.common_name(),
            Some("Apple Distribution: Example (ABCDE12345)")
        );
    }
}
