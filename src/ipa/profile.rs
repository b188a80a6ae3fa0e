//! embedded.mobileprovision: a CMS-signed property list -> profile facts and distribution kind.

use plist::{Dictionary, Value};
use serde::{Deserialize, Serialize};

use super::info::value_kind;
use super::plist_guard::check_shape;
use time::OffsetDateTime;

/// How a build is signed, which decides who can install it over the air.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DistributionKind {
    /// Registered devices, debuggable (get-task-allow).
    Development,
    /// Registered devices.
    AdHoc,
    /// Any device of the organisation (ProvisionsAllDevices).
    Enterprise,
    /// Store only: iOS refuses to install it from a web page.
    AppStore,
}

impl DistributionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DistributionKind::Development => "development",
            DistributionKind::AdHoc => "ad-hoc",
            DistributionKind::Enterprise => "enterprise",
            DistributionKind::AppStore => "app-store",
        }
    }

    /// Whether builds of this kind install only on the devices the profile lists.
    pub fn lists_devices(self) -> bool {
        matches!(
            self,
            DistributionKind::Development | DistributionKind::AdHoc
        )
    }

    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            DistributionKind::Development => "Development",
            DistributionKind::AdHoc => "Ad Hoc",
            DistributionKind::Enterprise => "Enterprise (in-house)",
            DistributionKind::AppStore => "App Store",
        }
    }
}

/// The facts of a provisioning profile that matter for installing over the air.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub kind: DistributionKind,
    pub name: Option<String>,
    pub team_name: Option<String>,
    pub team_id: Option<String>,
    /// Expiry, RFC 3339 in UTC.
    #[serde(with = "time::serde::rfc3339::option")]
    pub expires: Option<OffsetDateTime>,
    /// When the signing certificate the profile embeds expires (`DeveloperCertificates`, X.509
    /// notAfter), RFC 3339 in UTC; absent when none can be read. Of several, the latest: the
    /// build was signed by one of them, and the profile stays usable while any is valid.
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub certificate_expires: Option<OffsetDateTime>,
    /// Number of registered devices; null for profiles that do not list devices.
    pub devices: Option<u64>,
    /// The apps an App Clip belongs to (entitlement
    /// `com.apple.developer.parent-application-identifiers`); only App Clip profiles have any.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub app_clip_parents: Vec<String>,
    /// The entitlement keys the profile grants, sorted; bounded by [`ENTITLEMENTS_LIMIT`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entitlements: Vec<String>,
    /// The identifiers under `ProvisionedDevices` (bounded by
    /// [`DEVICES_LIMIT`]). Never serialised: the catalog and
    /// `inspect` publish only their count; the cache keeps them in [`crate::ipa::Ipa`].
    #[serde(skip)]
    pub device_ids: Vec<String>,
}

/// The most device identifiers kept of one profile (Apple allows 100 devices of each family a
/// year).
pub const DEVICES_LIMIT: usize = 1000;

/// The most entitlement keys kept of one profile (real ones grant a few dozen).
pub const ENTITLEMENTS_LIMIT: usize = 256;

/// The most `DeveloperCertificates` read of one profile (real ones embed one to a few).
pub const CERTIFICATES_LIMIT: usize = 64;

/// Which expiry stops a build launching first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpiryOf {
    Profile,
    /// A certificate the provisioning profile embeds.
    Certificate,
    /// The certificate in the executable's code signature.
    AppCertificate,
}

impl ExpiryOf {
    /// The thing that expires, for sentences: `provisioning profile`, `signing certificate`
    /// (embedded in the profile) or `code signing certificate` (the app's own).
    pub fn noun(self) -> &'static str {
        match self {
            ExpiryOf::Profile => "provisioning profile",
            ExpiryOf::Certificate => "signing certificate",
            ExpiryOf::AppCertificate => "code signing certificate",
        }
    }
}

/// Why a profile could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ProfileError {
    #[error("the profile is empty")]
    Empty,
    #[error("no property list found inside the profile's signature envelope")]
    NoPlist,
    #[error("the profile's property list is invalid: {0}")]
    InvalidPlist(String),
    #[error("the profile's property list is not a dictionary")]
    NotDictionary,
    #[error("the profile is truncated: {0}")]
    Truncated(&'static str),
    #[error("the profile has no ExpirationDate")]
    NoExpiration,
    #[error("the profile's ExpirationDate is {0}, not a date")]
    ExpirationNotDate(&'static str),
}

impl Profile {
    /// Parses a `.mobileprovision` file's bytes.
    pub fn parse(bytes: &[u8]) -> Result<Self, ProfileError> {
        if bytes.is_empty() {
            return Err(ProfileError::Empty);
        }
        let value = match find_xml_plist(bytes)? {
            Some(xml) => parse_xml_plist(xml)?,
            None => {
                let binary = find_binary_plist(bytes)?.ok_or(ProfileError::NoPlist)?;
                check_shape(binary).map_err(ProfileError::InvalidPlist)?;
                Value::from_reader(std::io::Cursor::new(binary))
                    .map_err(|e| ProfileError::InvalidPlist(e.to_string()))?
            }
        };
        let dict = value.as_dictionary().ok_or(ProfileError::NotDictionary)?;
        Self::from_dictionary(dict)
    }

    fn from_dictionary(dict: &Dictionary) -> Result<Self, ProfileError> {
        let devices = dict
            .get("ProvisionedDevices")
            .and_then(Value::as_array)
            .map(|d| d.len() as u64);
        let device_ids = dict
            .get("ProvisionedDevices")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_string)
            .filter(|id| id.len() <= 64)
            .take(DEVICES_LIMIT)
            .map(str::to_string)
            .collect();
        let all_devices = dict
            .get("ProvisionsAllDevices")
            .and_then(Value::as_boolean)
            .unwrap_or(false);
        let entitlements = dict.get("Entitlements").and_then(Value::as_dictionary);
        let app_clip_parents = entitlements
            .and_then(|e| e.get("com.apple.developer.parent-application-identifiers"))
            .and_then(Value::as_array)
            .map(|ids| {
                ids.iter()
                    .filter_map(Value::as_string)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let debuggable = entitlements
            .and_then(|e| e.get("get-task-allow"))
            .and_then(Value::as_boolean)
            .unwrap_or(false);
        let kind = match (all_devices, devices.is_some(), debuggable) {
            (true, _, _) => DistributionKind::Enterprise,
            (false, true, true) => DistributionKind::Development,
            (false, true, false) => DistributionKind::AdHoc,
            (false, false, _) => DistributionKind::AppStore,
        };
        let text = |key: &str| dict.get(key).and_then(Value::as_string).map(str::to_string);
        let team_id = dict
            .get("TeamIdentifier")
            .and_then(Value::as_array)
            .and_then(|ids| ids.first())
            .and_then(Value::as_string)
            .map(str::to_string);
        // iOS refuses a profile whose expiry it cannot read, so otasite does too.
        let expires = match dict.get("ExpirationDate") {
            Some(Value::Date(date)) => OffsetDateTime::from(std::time::SystemTime::from(*date)),
            Some(other) => return Err(ProfileError::ExpirationNotDate(value_kind(other))),
            None => return Err(ProfileError::NoExpiration),
        };
        let mut entitlement_keys: Vec<String> = entitlements
            .into_iter()
            .flat_map(|e| e.keys())
            .filter(|key| key.len() <= 256 && !key.chars().any(char::is_control))
            .take(ENTITLEMENTS_LIMIT)
            .cloned()
            .collect();
        entitlement_keys.sort();
        Ok(Profile {
            kind,
            entitlements: entitlement_keys,
            name: text("Name"),
            team_name: text("TeamName"),
            team_id,
            expires: Some(expires),
            certificate_expires: certificate_expiry(dict),
            devices,
            app_clip_parents,
            device_ids,
        })
    }

    /// The moment the build stops launching: the earlier of the profile's and the
    /// certificate's expiry (the profile's on a tie), with which one it is.
    pub fn stops_launching(&self) -> Option<(OffsetDateTime, ExpiryOf)> {
        let profile = self.expires.map(|e| (e, ExpiryOf::Profile));
        let certificate = self.certificate_expires.map(|e| (e, ExpiryOf::Certificate));
        match (profile, certificate) {
            (Some(p), Some(c)) => Some(if c.0 < p.0 { c } else { p }),
            (p, c) => p.or(c),
        }
    }

    /// Whether the profile has expired at `now`.
    pub fn is_expired_at(&self, now: OffsetDateTime) -> bool {
        self.expires.is_some_and(|e| e <= now)
    }
}

/// The latest notAfter of the certificates under `DeveloperCertificates` (bounded by
/// [`CERTIFICATES_LIMIT`]); certificates that do not read are skipped.
fn certificate_expiry(dict: &Dictionary) -> Option<OffsetDateTime> {
    dict.get("DeveloperCertificates")
        .and_then(Value::as_array)?
        .iter()
        .take(CERTIFICATES_LIMIT)
        .filter_map(Value::as_data)
        .filter_map(crate::der::certificate_not_after)
        .max()
}

/// The XML plist inside the CMS envelope: it may start with `<?xml`, `<!DOCTYPE` or `<plist`.
/// A start without `</plist>` after it is a profile cut short.
fn find_xml_plist(bytes: &[u8]) -> Result<Option<&[u8]>, ProfileError> {
    let Some(start) = [&b"<?xml"[..], b"<!DOCTYPE plist", b"<plist"]
        .iter()
        .filter_map(|marker| find(bytes, marker))
        .min()
    else {
        return Ok(None);
    };
    let end_tag = b"</plist>";
    let end = find(&bytes[start..], end_tag).ok_or(ProfileError::Truncated(
        "its property list has no closing </plist>",
    ))?;
    Ok(Some(&bytes[start..start + end + end_tag.len()]))
}

/// Parses the XML plist; some tools write DeveloperCertificates `<data>` that is not valid
/// base64, so on failure the `<data>` bodies (which otasite does not need) are blanked and
/// parsing is retried.
fn parse_xml_plist(xml: &[u8]) -> Result<Value, ProfileError> {
    check_shape(xml).map_err(ProfileError::InvalidPlist)?;
    match Value::from_reader_xml(xml) {
        Ok(value) => Ok(value),
        Err(first) => {
            let blanked = blank_data_elements(xml);
            check_shape(&blanked).map_err(ProfileError::InvalidPlist)?;
            Value::from_reader_xml(&blanked[..])
                .map_err(|_| ProfileError::InvalidPlist(first.to_string()))
        }
    }
}

fn blank_data_elements(xml: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(xml.len());
    let mut rest = xml;
    while let Some(open) = find(rest, b"<data>") {
        let body_start = open + b"<data>".len();
        out.extend_from_slice(&rest[..body_start]);
        match find(&rest[body_start..], b"</data>") {
            Some(close) => rest = &rest[body_start + close..],
            None => {
                rest = &rest[body_start..];
                break;
            }
        }
    }
    out.extend_from_slice(rest);
    out
}

/// A binary plist inside the envelope. Its trailer sits at its very end, so the exact length
/// is needed: it comes from the DER/BER OCTET STRING header right before `bplist00`. A length
/// running past the end of the file is a profile cut short.
fn find_binary_plist(bytes: &[u8]) -> Result<Option<&[u8]>, ProfileError> {
    let Some(start) = find(bytes, b"bplist00") else {
        return Ok(None);
    };
    let available = bytes.len() - start;
    let length = match octet_string_length_before(&bytes[..start]) {
        Some(length) if length > available => {
            return Err(ProfileError::Truncated(
                "its property list ends before the length its envelope declares",
            ));
        }
        Some(length) => length,
        None => available,
    };
    Ok(Some(&bytes[start..start + length]))
}

/// Reads the definite length of an OCTET STRING (tag 0x04) whose header ends at `prefix.len()`.
fn octet_string_length_before(prefix: &[u8]) -> Option<usize> {
    let n = prefix.len();
    // Short form: 04 LL
    if n >= 2 && prefix[n - 2] == 0x04 && prefix[n - 1] < 0x80 {
        return Some(prefix[n - 1] as usize);
    }
    // Long form: 04 8k L1..Lk
    for k in 1..=4usize {
        if n < k + 2 {
            break;
        }
        if prefix[n - k - 2] == 0x04 && prefix[n - k - 1] == 0x80 | k as u8 {
            let len = prefix[n - k..]
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | b as usize);
            return Some(len);
        }
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blanking_keeps_structure() {
        let xml = b"<a><data>!!not base64</data><data>QQ==</data></a>";
        assert_eq!(
            blank_data_elements(xml),
            b"<a><data></data><data></data></a>"
        );
    }

    #[test]
    fn octet_string_lengths() {
        assert_eq!(octet_string_length_before(&[0x30, 0x04, 0x10]), Some(16));
        assert_eq!(
            octet_string_length_before(&[0x04, 0x82, 0x01, 0x00]),
            Some(256)
        );
        assert_eq!(octet_string_length_before(&[0x00]), None);
    }

    #[test]
    fn cut_short_is_truncated() {
        assert!(matches!(
            Profile::parse(b"junk<?xml version=\"1.0\"?><plist><dict>"),
            Err(ProfileError::Truncated(_))
        ));
        let mut binary = vec![0x04, 0x40];
        binary.extend_from_slice(b"bplist00");
        assert!(matches!(
            Profile::parse(&binary),
            Err(ProfileError::Truncated(_))
        ));
    }

    #[test]
    fn expiration_must_be_a_date() {
        let xml = |body: &str| format!("<plist><dict>{body}</dict></plist>").into_bytes();
        assert_eq!(
            Profile::parse(&xml("<key>ExpirationDate</key><string>2030-01-01</string>")),
            Err(ProfileError::ExpirationNotDate("a string"))
        );
        assert_eq!(
            Profile::parse(&xml("<key>Name</key><string>P</string>")),
            Err(ProfileError::NoExpiration)
        );
        let dated = Profile::parse(&xml(
            "<key>ExpirationDate</key><date>2030-01-01T00:00:00Z</date>",
        ))
        .expect("a date reads");
        assert!(dated.expires.is_some());
    }

    #[test]
    fn entitlement_keys_are_read_sorted_and_bounded() {
        let keys: String = (0..ENTITLEMENTS_LIMIT + 3)
            .rev()
            .map(|i| format!("<key>k{i:04}</key><true/>"))
            .collect();
        let xml = format!(
            "<plist><dict><key>ExpirationDate</key><date>2030-01-01T00:00:00Z</date>\
             <key>Entitlements</key><dict>{keys}</dict></dict></plist>"
        );
        let profile = Profile::parse(xml.as_bytes()).expect("a profile");
        assert_eq!(profile.entitlements.len(), ENTITLEMENTS_LIMIT);
        assert!(profile.entitlements.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn garbage_is_an_error() {
        assert_eq!(Profile::parse(b""), Err(ProfileError::Empty));
        assert_eq!(Profile::parse(b"hello"), Err(ProfileError::NoPlist));
    }
}
