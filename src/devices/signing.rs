//! Signing the enrollment profile with the team's certificate, so that Settings shows it as
//! "Verified" with the team's name instead of "Unverified".
//!
//! The certificate and its private key come from the environment (CI secrets), as PEM: the
//! text itself, or the path of a PEM file. The profile becomes a CMS SignedData (RFC 5652)
//! holding the property list, signed with RSA (PKCS #1 v1.5, SHA-256) or ECDSA P-256
//! (SHA-256), with the signed attributes contentType, messageDigest and signingTime, and the
//! certificates of the PEM (the signer's first found, its intermediates after) so that iOS
//! can build the chain. Nothing here ever prints or logs the key.

use std::fmt;

use cms::builder::{SignedDataBuilder, SignerInfoBuilder, create_content_type_attribute};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::signed_data::{EncapsulatedContentInfo, SignerIdentifier};
use der::asn1::{OctetString, SetOfVec};
use der::{Any, Decode, Encode, Tag};
use p256::pkcs8::DecodePrivateKey;
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::EncodePublicKey;
use sha2::{Digest, Sha256};
use x509_cert::Certificate;
use x509_cert::attr::{Attribute, AttributeValue};
use x509_cert::spki::AlgorithmIdentifierOwned;

/// The signing certificate (PEM: the certificate, then any intermediates), or a PEM file's path.
pub const CERT_ENV: &str = "OTASITE_PROFILE_SIGNING_CERT";
/// The certificate's private key (PEM, unencrypted: PKCS #8, PKCS #1 RSA or SEC1 EC), or a
/// PEM file's path.
pub const KEY_ENV: &str = "OTASITE_PROFILE_SIGNING_KEY";
/// A PEM read from a file is never longer than this.
const PEM_LIMIT: u64 = 256 * 1024;

/// The team's signing identity, ready to sign profiles.
pub struct ProfileSigner {
    /// The signer's certificate first, then the rest of the PEM's certificates.
    chain: Vec<Certificate>,
    key: Key,
}

enum Key {
    Rsa(rsa::pkcs1v15::SigningKey<Sha256>),
    P256(p256::ecdsa::SigningKey),
}

/// Names the certificate only: the key must never reach a log.
impl fmt::Debug for ProfileSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProfileSigner")
            .field("subject", &self.subject())
            .finish_non_exhaustive()
    }
}

impl ProfileSigner {
    /// The signer the environment describes: none when neither variable is set; an error
    /// (one line naming the variable) when only one is, or when either is unusable.
    pub fn from_env() -> Result<Option<ProfileSigner>, String> {
        let read = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
        match (read(CERT_ENV), read(KEY_ENV)) {
            (None, None) => Ok(None),
            (Some(_), None) => Err(format!(
                "{CERT_ENV} is set but {KEY_ENV} is not: set both to sign the enrollment profile, or neither to publish it unsigned"
            )),
            (None, Some(_)) => Err(format!(
                "{KEY_ENV} is set but {CERT_ENV} is not: set both to sign the enrollment profile, or neither to publish it unsigned"
            )),
            (Some(cert), Some(key)) => {
                let cert = pem_text(CERT_ENV, &cert)?;
                let key = pem_text(KEY_ENV, &key)?;
                ProfileSigner::from_pem(&cert, &key).map(Some)
            }
        }
    }

    /// The signer made of a certificate PEM (the signer's certificate and any intermediates)
    /// and its private key's PEM.
    pub fn from_pem(cert_pem: &str, key_pem: &str) -> Result<ProfileSigner, String> {
        let certificates = Certificate::load_pem_chain(cert_pem.trim().as_bytes())
            .map_err(|e| format!("{CERT_ENV}: not a PEM certificate ({e})"))?;
        if certificates.is_empty() {
            return Err(format!("{CERT_ENV}: holds no certificate"));
        }
        let key = parse_key(key_pem)?;
        let public = key.public_key_bits()?;
        let Some(position) = certificates.iter().position(|c| {
            c.tbs_certificate()
                .subject_public_key_info()
                .subject_public_key
                .raw_bytes()
                == public.as_slice()
        }) else {
            return Err(format!(
                "{KEY_ENV}: this key does not belong to any certificate of {CERT_ENV}"
            ));
        };
        let mut chain = certificates;
        let signer = chain.remove(position);
        chain.insert(0, signer);
        Ok(ProfileSigner { chain, key })
    }

    /// The signing certificate's subject, e.g. `CN=Apple Development: …, O=Acme`.
    pub fn subject(&self) -> String {
        self.chain[0].tbs_certificate().subject().to_string()
    }

    /// The profile `content` as a DER CMS SignedData with the content attached, signed at
    /// `signing_time`.
    pub fn sign(
        &self,
        content: &[u8],
        signing_time: time::OffsetDateTime,
    ) -> Result<Vec<u8>, String> {
        self.try_sign(content, signing_time)
            .map_err(|e| format!("signing the enrollment profile failed: {e}"))
    }

    fn try_sign(
        &self,
        content: &[u8],
        signing_time: time::OffsetDateTime,
    ) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
        let data = const_oid::db::rfc5911::ID_DATA;
        let econtent = Any::new(Tag::OctetString, OctetString::new(content)?.into_bytes())?;
        let content_info = EncapsulatedContentInfo {
            econtent_type: data,
            econtent: Some(econtent),
        };
        let certificate = &self.chain[0];
        let sid = SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: certificate.tbs_certificate().issuer().clone(),
            serial_number: certificate.tbs_certificate().serial_number().clone(),
        });
        let sha256 = AlgorithmIdentifierOwned {
            oid: const_oid::db::rfc5912::ID_SHA_256,
            parameters: None,
        };
        let mut signer_info = SignerInfoBuilder::new(sid, sha256.clone(), &content_info, None)?;
        // The builder computes and adds messageDigest itself.
        signer_info.add_signed_attribute(create_content_type_attribute(data)?)?;
        signer_info.add_signed_attribute(signing_time_attribute(signing_time)?)?;
        let mut builder = SignedDataBuilder::new(&content_info);
        builder.add_digest_algorithm(sha256)?;
        for certificate in &self.chain {
            builder.add_certificate(CertificateChoices::Certificate(certificate.clone()))?;
        }
        match &self.key {
            Key::Rsa(key) => {
                builder.add_signer_info::<_, rsa::pkcs1v15::Signature>(signer_info, key)?
            }
            Key::P256(key) => {
                builder.add_signer_info::<_, p256::ecdsa::DerSignature>(signer_info, key)?
            }
        };
        Ok(builder.build()?.to_der()?)
    }
}

/// A digest of the signing identity the environment names (the variables' PEM text, or the
/// files they name), so that a site signed with another identity, or unsigned, is rebuilt.
/// One-way: it says nothing of the key.
pub fn environment_digest() -> [u8; 32] {
    let mut hasher = Sha256::new();
    for name in [CERT_ENV, KEY_ENV] {
        hasher.update(name.as_bytes());
        match std::env::var_os(name).filter(|v| !v.is_empty()) {
            Some(value) => {
                let text = pem_text(name, &value).unwrap_or_default();
                hasher.update(b"=");
                hasher.update(Sha256::digest(value.as_encoded_bytes()));
                hasher.update(Sha256::digest(text.as_bytes()));
            }
            None => hasher.update(b" unset"),
        }
    }
    hasher.finalize().into()
}

/// The signingTime attribute (RFC 5652 § 11.3) for `moment`.
fn signing_time_attribute(moment: time::OffsetDateTime) -> der::Result<Attribute> {
    let seconds = u64::try_from(moment.unix_timestamp()).unwrap_or(0);
    let date = der::DateTime::from_unix_duration(std::time::Duration::from_secs(seconds))?;
    let value = AttributeValue::from_der(&x509_cert::time::Time::from(date).to_der()?)?;
    let mut values = SetOfVec::new();
    values.insert(value)?;
    Ok(Attribute {
        oid: const_oid::db::rfc5911::ID_SIGNING_TIME,
        values,
    })
}

/// The PEM an environment variable holds, or the PEM of the file it names.
fn pem_text(name: &str, value: &std::ffi::OsStr) -> Result<String, String> {
    if let Some(text) = value.to_str()
        && text.contains("-----BEGIN ")
    {
        return Ok(text.to_string());
    }
    let path = std::path::Path::new(value);
    // The value is not echoed: it may be a secret pasted without its PEM lines.
    let size = std::fs::metadata(path)
        .map_err(|e| {
            format!("{name}: neither PEM text (-----BEGIN …) nor the path of a readable file ({e})")
        })?
        .len();
    if size > PEM_LIMIT {
        return Err(format!(
            "{name}: {} is {size} bytes, more than a PEM file can be ({PEM_LIMIT} bytes)",
            path.display()
        ));
    }
    std::fs::read_to_string(path)
        .map_err(|e| format!("{name}: {} cannot be read ({e})", path.display()))
}

/// The private key of `pem`; errors name the variable and the label, never the key.
fn parse_key(pem: &str) -> Result<Key, String> {
    let (label, der) = der::pem::decode_vec(pem.trim().as_bytes())
        .map_err(|e| format!("{KEY_ENV}: not a PEM private key ({e})"))?;
    let unusable = |kind: &str, e: &dyn fmt::Display| {
        format!("{KEY_ENV}: the {kind} key cannot be read ({e})")
    };
    match label {
        "PRIVATE KEY" => {
            if let Ok(key) = rsa::PrivateKey::from_pkcs8_der(&der) {
                Ok(Key::Rsa(rsa::pkcs1v15::SigningKey::new(key)))
            } else {
                p256::SecretKey::from_pkcs8_der(&der)
                    .map(|key| Key::P256(key.into()))
                    .map_err(|e| {
                        format!("{KEY_ENV}: neither an RSA nor a P-256 PKCS #8 key ({e}); profiles are signed with RSA or P-256 keys")
                    })
            }
        }
        "RSA PRIVATE KEY" => rsa::PrivateKey::from_pkcs1_der(&der)
            .map(|key| Key::Rsa(rsa::pkcs1v15::SigningKey::new(key)))
            .map_err(|e| unusable("RSA", &e)),
        "EC PRIVATE KEY" => p256::SecretKey::from_sec1_der(&der)
            .map(|key| Key::P256(key.into()))
            .map_err(|e| unusable("EC (P-256)", &e)),
        "ENCRYPTED PRIVATE KEY" => Err(format!(
            "{KEY_ENV}: the key is encrypted; store it decrypted in the secret (openssl pkcs8 -in key.pem -out plain-key.pem)"
        )),
        other => Err(format!(
            "{KEY_ENV}: a PEM {other:?} is not a private key (expected PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)"
        )),
    }
}

impl Key {
    /// The public key as a certificate's subjectPublicKey bits hold it.
    fn public_key_bits(&self) -> Result<Vec<u8>, String> {
        let spki = match self {
            Key::Rsa(key) => rsa::PublicKey::from(key.as_ref()).to_public_key_der(),
            Key::P256(key) => key.verifying_key().to_public_key_der(),
        }
        .map_err(|e| format!("{KEY_ENV}: its public key cannot be encoded ({e})"))?;
        let info = x509_cert::spki::SubjectPublicKeyInfoOwned::from_der(spki.as_bytes())
            .map_err(|e| format!("{KEY_ENV}: its public key cannot be encoded ({e})"))?;
        Ok(info.subject_public_key.raw_bytes().to_vec())
    }
}
