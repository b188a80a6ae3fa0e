//! Reading a published enrollment profile back, for `check`: the plain property list, or the
//! CMS SignedData [`super::signing`] makes, whose content must still match its signed digest
//! and whose signing certificate must not have expired.

use std::time::SystemTime;

use cms::cert::CertificateChoices;
use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier};
use der::Decode;
use der::asn1::OctetString;
use plist::Value;
use sha2::{Digest, Sha256};

/// A profile is never larger than this (the generated one is about 2 KiB, 6 KiB signed).
pub const LIMIT: usize = 1024 * 1024;

/// What a published profile holds.
#[derive(Debug)]
pub struct Published {
    /// `PayloadContent`'s `URL`: where devices send their attributes.
    pub endpoint: String,
    /// The signer, when the profile is signed.
    pub signer: Option<Signer>,
}

#[derive(Debug)]
pub struct Signer {
    /// The signing certificate's subject.
    pub subject: String,
    /// The end of the signing certificate's validity.
    pub not_after: SystemTime,
}

/// Reads `bytes` as an enrollment profile; the error says what is wrong, in one line.
pub fn read(bytes: &[u8]) -> Result<Published, String> {
    if bytes.len() > LIMIT {
        return Err(format!(
            "is {} bytes, more than an enrollment profile can be ({LIMIT})",
            bytes.len()
        ));
    }
    // A DER SEQUENCE: signed. An XML property list starts with `<` (perhaps after a BOM or
    // blank space).
    if bytes.first() == Some(&0x30) {
        let (content, signer) = open_signed(bytes)?;
        Ok(Published {
            endpoint: endpoint(&content)?,
            signer: Some(signer),
        })
    } else {
        Ok(Published {
            endpoint: endpoint(bytes)?,
            signer: None,
        })
    }
}

/// The signed content and its signer, once the content matches the signed digest.
fn open_signed(bytes: &[u8]) -> Result<(Vec<u8>, Signer), String> {
    let broken =
        |what: &str, e: der::Error| format!("is not a readable signed profile: {what} ({e})");
    let info = ContentInfo::from_der(bytes).map_err(|e| broken("ContentInfo", e))?;
    if info.content_type != const_oid::db::rfc5911::ID_SIGNED_DATA {
        return Err(format!(
            "is a CMS message of type {}, not SignedData",
            info.content_type
        ));
    }
    let signed: SignedData = info
        .content
        .decode_as()
        .map_err(|e| broken("SignedData", e))?;
    let content = signed
        .encap_content_info
        .econtent
        .as_ref()
        .ok_or(
            "is signed without its content (a detached signature): iOS needs the profile inside",
        )?
        .decode_as::<OctetString>()
        .map_err(|e| broken("content", e))?
        .into_bytes()
        .into_vec();
    let signer_info = signed
        .signer_infos
        .0
        .iter()
        .next()
        .ok_or("is a SignedData without a signer")?;
    if signer_info.digest_alg.oid != const_oid::db::rfc5912::ID_SHA_256 {
        return Err(format!(
            "is signed with the digest {}; otasite signs with SHA-256",
            signer_info.digest_alg.oid
        ));
    }
    let digest = signer_info
        .signed_attrs
        .iter()
        .flat_map(|attrs| attrs.iter())
        .find(|a| a.oid == const_oid::db::rfc5911::ID_MESSAGE_DIGEST)
        .and_then(|a| a.values.iter().next())
        .ok_or("has no signed messageDigest attribute")?
        .decode_as::<OctetString>()
        .map_err(|e| broken("messageDigest", e))?;
    if digest.as_bytes() != Sha256::digest(&content).as_slice() {
        return Err(
            "was changed after it was signed (its content no longer matches the signed digest): rebuild the site instead of editing the file".into(),
        );
    }
    let SignerIdentifier::IssuerAndSerialNumber(sid) = &signer_info.sid else {
        return Err(
            "names its signer by key identifier; otasite signs with the issuer and serial number"
                .into(),
        );
    };
    let certificate = signed
        .certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .find_map(|choice| match choice {
            CertificateChoices::Certificate(c)
                if c.tbs_certificate().issuer() == &sid.issuer
                    && c.tbs_certificate().serial_number() == &sid.serial_number =>
            {
                Some(c)
            }
            _ => None,
        })
        .ok_or("does not hold its signer's certificate: iOS cannot show it as verified")?;
    let tbs = certificate.tbs_certificate();
    Ok((
        content,
        Signer {
            subject: tbs.subject().to_string(),
            not_after: tbs.validity().not_after.to_system_time(),
        },
    ))
}

/// The profile's endpoint, once the property list is a Profile Service payload.
fn endpoint(plist: &[u8]) -> Result<String, String> {
    let value =
        Value::from_reader_xml(plist).map_err(|e| format!("is not an XML property list ({e})"))?;
    let dict = value
        .as_dictionary()
        .ok_or("is a property list, but not a dictionary")?;
    if dict.get("PayloadType").and_then(Value::as_string) != Some("Profile Service") {
        return Err("is not a Profile Service payload (PayloadType)".into());
    }
    dict.get("PayloadContent")
        .and_then(Value::as_dictionary)
        .and_then(|c| c.get("URL"))
        .and_then(Value::as_string)
        .map(str::to_string)
        .ok_or_else(|| "has no PayloadContent URL (the endpoint)".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::devices::enroll::{RawDevices, mobileconfig};
    use crate::devices::signing::ProfileSigner;

    fn plist() -> Vec<u8> {
        let devices = RawDevices {
            endpoint: "https://udid.example.test/".into(),
            email: None,
            webhook_env: None,
        }
        .validate()
        .unwrap();
        mobileconfig(&devices, "Acme", "https://builds.example.test/")
    }

    #[test]
    fn reads_unsigned_and_signed_profiles() {
        let unsigned = read(&plist()).unwrap();
        assert_eq!(unsigned.endpoint, "https://udid.example.test/");
        assert!(unsigned.signer.is_none());
        let team = rcgen::generate_simple_self_signed(vec!["Acme".to_string()]).unwrap();
        let signer =
            ProfileSigner::from_pem(&team.cert.pem(), &team.signing_key.serialize_pem()).unwrap();
        assert!(!format!("{signer:?}").contains("PRIVATE"));
        let signed = signer
            .sign(&plist(), time::macros::datetime!(2026-06-01 12:00 UTC))
            .unwrap();
        let read_back = read(&signed).unwrap();
        assert_eq!(read_back.endpoint, "https://udid.example.test/");
        assert!(read_back.signer.unwrap().subject.starts_with("CN="));
        // The same input and time sign to the same bytes (ECDSA per RFC 6979).
        let again = signer
            .sign(&plist(), time::macros::datetime!(2026-06-01 12:00 UTC))
            .unwrap();
        assert_eq!(signed, again);
    }

    #[test]
    fn refuses_what_is_not_an_enrollment_profile() {
        assert!(
            read(&[0x30, 0x03, 0x02, 0x01])
                .unwrap_err()
                .contains("signed profile")
        );
        assert!(
            read(b"<?xml version=\"1.0\"?><plist><dict/></plist>")
                .unwrap_err()
                .contains("Profile Service")
        );
        assert!(
            read(&vec![b' '; LIMIT + 1])
                .unwrap_err()
                .contains("more than")
        );
    }
}
