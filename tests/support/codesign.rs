//! Builds Mach-O executables carrying a code signature: load commands with
//! `LC_CODE_SIGNATURE`, a SuperBlob, and a CMS blob holding a certificate chain made with
//! rcgen, laid out as `codesign` writes them (indefinite-length BER, chain root-most first).

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};

/// How the executable is signed.
#[derive(Debug, Clone)]
pub enum Signing {
    /// A CMS blob with these certificates (DER, in this order) whose SignerInfo names the one
    /// at `signer`.
    Certificates { chain: Vec<Vec<u8>>, signer: usize },
    /// A SuperBlob whose signature slot holds an empty CMS blob (`codesign -s -`).
    AdHoc,
    /// No `LC_CODE_SIGNATURE` at all.
    Unsigned,
}

/// A signer certificate chain: a self-signed CA, then a leaf it signed valid until the day
/// of `not_after` (seconds since 1970) with the common name `name`. Returns `[ca, leaf]`.
pub fn chain(name: &str, not_after: i64) -> Vec<Vec<u8>> {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "Test Worldwide Developer Relations");
    ca_params.not_before = rcgen::date_time_ymd(2020, 1, 1);
    ca_params.not_after = rcgen::date_time_ymd(2099, 1, 1);
    let ca_key = KeyPair::generate().expect("key");
    let ca = ca_params.self_signed(&ca_key).expect("ca");
    let issuer = Issuer::new(ca_params, ca_key);

    let at = time::OffsetDateTime::from_unix_timestamp(not_after).expect("a moment");
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
    params.distinguished_name.push(DnType::CommonName, name);
    params
        .distinguished_name
        .push(DnType::OrganizationalUnitName, "ABCDE12345");
    params.not_before = rcgen::date_time_ymd(2024, 1, 1);
    params.not_after = rcgen::date_time_ymd(at.year(), at.month() as u8, at.day());
    let key = KeyPair::generate().expect("key");
    let leaf = params.signed_by(&key, &issuer).expect("leaf");
    vec![ca.der().to_vec(), leaf.der().to_vec()]
}

/// A Mach-O executable of `code` noise bytes then its signature: thin 64-bit, or fat with a
/// 32-bit and a 64-bit slice (the fat header lists the later slice first).
pub fn executable(signing: &Signing, fat: bool, code: usize) -> Vec<u8> {
    if !fat {
        return thin(signing, true, code, 1);
    }
    let first = thin(signing, false, code, 2);
    let second = thin(signing, true, code, 3);
    let align = 0x4000usize;
    let first_at = align;
    let second_at = (first_at + first.len()).div_ceil(align) * align;
    let mut out = Vec::new();
    out.extend(0xcafe_babe_u32.to_be_bytes());
    out.extend(2u32.to_be_bytes());
    for (cpu, at, len) in [
        (0x0100_000c_u32, second_at, second.len()),
        (12, first_at, first.len()),
    ] {
        for field in [cpu, 0, at as u32, len as u32, 14] {
            out.extend(field.to_be_bytes());
        }
    }
    out.resize(first_at, 0);
    out.extend(first);
    out.resize(second_at, 0);
    out.extend(second);
    out
}

/// One Mach-O (little-endian, as on ARM).
fn thin(signing: &Signing, wide: bool, code: usize, seed: u64) -> Vec<u8> {
    let header_len = if wide { 32 } else { 28 };
    // A dummy LC_UUID before LC_CODE_SIGNATURE, as real executables have many commands.
    let mut commands = Vec::new();
    commands.extend(0x1b_u32.to_le_bytes());
    commands.extend(24u32.to_le_bytes());
    commands.extend([0x42; 16]);
    let signature = match signing {
        Signing::Unsigned => None,
        other => Some(super_blob(other)),
    };
    let mut count = 1u32;
    let body_start = header_len + commands.len() + if signature.is_some() { 16 } else { 0 };
    let signature_at = (body_start + code).div_ceil(16) * 16;
    if let Some(blob) = &signature {
        count += 1;
        commands.extend(0x1d_u32.to_le_bytes());
        commands.extend(16u32.to_le_bytes());
        commands.extend((signature_at as u32).to_le_bytes());
        commands.extend((blob.len() as u32).to_le_bytes());
    }
    let mut out = Vec::new();
    let magic: u32 = if wide { 0xfeed_facf } else { 0xfeed_face };
    let cpu: u32 = if wide { 0x0100_000c } else { 12 };
    for field in [magic, cpu, 0, 2, count, commands.len() as u32, 0] {
        out.extend(field.to_le_bytes());
    }
    if wide {
        out.extend(0u32.to_le_bytes());
    }
    out.extend(commands);
    out.extend(super::ipa::noise(code, seed));
    out.resize(signature_at, 0);
    if let Some(blob) = signature {
        out.extend(blob);
    }
    out
}

/// A SuperBlob: a stand-in CodeDirectory, then the CMS blob in the signature slot.
fn super_blob(signing: &Signing) -> Vec<u8> {
    let directory = blob(0xfade_0c02, &[0x20; 24]);
    let cms = match signing {
        Signing::Certificates { chain, signer } => blob(0xfade_0b01, &cms(chain, *signer)),
        _ => blob(0xfade_0b01, &[]),
    };
    let index_end = 12 + 2 * 8;
    let mut out = Vec::new();
    let total = index_end + directory.len() + cms.len();
    for field in [0xfade_0cc0_u32, total as u32, 2] {
        out.extend(field.to_be_bytes());
    }
    for (slot, at) in [(0u32, index_end), (0x10000, index_end + directory.len())] {
        out.extend(slot.to_be_bytes());
        out.extend((at as u32).to_be_bytes());
    }
    out.extend(directory);
    out.extend(cms);
    out
}

fn blob(magic: u32, content: &[u8]) -> Vec<u8> {
    let mut out = magic.to_be_bytes().to_vec();
    out.extend((8 + content.len() as u32).to_be_bytes());
    out.extend_from_slice(content);
    out
}

/// A CMS SignedData with indefinite lengths, as `codesign` writes it; its one SignerInfo
/// names `chain[signer]` by issuer and serial number (the signature value is a stand-in).
fn cms(chain: &[Vec<u8>], signer: usize) -> Vec<u8> {
    const SIGNED_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];
    const DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01];
    const SHA256: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
    let sha256 = der(0x30, &[der(0x06, SHA256), der(0x05, &[])].concat());
    let (issuer, serial) = issuer_and_serial(&chain[signer]);
    let signer_info = der(
        0x30,
        &[
            der(0x02, &[1]),
            der(0x30, &[issuer, der(0x02, &serial)].concat()),
            sha256.clone(),
            sha256.clone(),
            der(0x04, &[0x5a; 64]),
        ]
        .concat(),
    );
    let signed = indefinite(
        0x30,
        &[
            der(0x02, &[1]),
            der(0x31, &sha256),
            indefinite(0x30, &der(0x06, DATA)),
            der(0xa0, &chain.concat()),
            der(0x31, &signer_info),
        ]
        .concat(),
    );
    indefinite(
        0x30,
        &[der(0x06, SIGNED_DATA), indefinite(0xa0, &signed)].concat(),
    )
}

/// The issuer Name (whole) and the serial number (content) of a DER certificate.
fn issuer_and_serial(certificate: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let (_, cert_content) = split(certificate);
    let (_, tbs) = split(cert_content);
    let mut fields = Vec::new();
    let mut rest = tbs;
    while !rest.is_empty() {
        let (whole, _) = split(rest);
        fields.push(whole);
        rest = &rest[whole.len()..];
    }
    let fields: Vec<&[u8]> = fields.into_iter().skip_while(|f| f[0] == 0xa0).collect();
    (fields[2].to_vec(), split(fields[0]).1.to_vec())
}

/// The first element of `bytes` (definite length): its whole encoding and its content.
fn split(bytes: &[u8]) -> (&[u8], &[u8]) {
    let first = bytes[1] as usize;
    let (length, header) = if first < 0x80 {
        (first, 2)
    } else {
        let count = first & 0x7f;
        let length = bytes[2..2 + count]
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | b as usize);
        (length, 2 + count)
    };
    (&bytes[..header + length], &bytes[header..header + length])
}

fn indefinite(tag: u8, content: &[u8]) -> Vec<u8> {
    [&[tag, 0x80][..], content, &[0, 0]].concat()
}

fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .iter()
            .copied()
            .skip_while(|&b| b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}
