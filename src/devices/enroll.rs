//! Registering a device: the `devices:` settings of `site.yaml` and the enrollment profile
//! (`devices/enroll.mobileconfig`) that makes iOS send the device's attributes to the
//! team's endpoint, which redirects the device to the site's result page.

use plist::{Dictionary, Value};
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// The site's folder of the registration pages and the profile.
pub const FOLDER: &str = "devices";
/// The enrollment profile inside [`FOLDER`].
pub const PROFILE: &str = "enroll.mobileconfig";
/// The result page's folder inside [`FOLDER`], where the endpoint redirects the device.
pub const REGISTERED: &str = "registered";
/// The folders of the registration pages inside the site.
pub fn page_folders() -> [&'static str; 2] {
    ["devices/", "devices/registered/"]
}

/// The attributes the device is asked for.
pub const ATTRIBUTES: [&str; 4] = ["UDID", "PRODUCT", "VERSION", "SERIAL"];

/// `devices:` in `site.yaml`, as written.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RawDevices {
    /// The https:// URL of the endpoint `otasite init --udid` writes.
    pub endpoint: String,
    /// Where the result page's "Send to the team" e-mail goes. Default: none (the tester
    /// fills in the address).
    pub email: Option<String>,
    /// The name of the endpoint's environment variable holding a webhook URL the endpoint
    /// forwards each registration to; the result page then says the team was told. Default:
    /// none (nothing is forwarded).
    pub webhook_env: Option<String>,
}

/// The validated settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Devices {
    pub endpoint: String,
    pub email: Option<String>,
    pub webhook_env: Option<String>,
}

impl RawDevices {
    pub fn validate(&self) -> Result<Devices, String> {
        let url = url::Url::parse(self.endpoint.trim()).map_err(|e| {
            format!(
                "devices.endpoint: {:?} is not a valid URL ({e}); write the https:// address of the endpoint",
                self.endpoint
            )
        })?;
        if url.scheme() != "https" || url.fragment().is_some() {
            return Err(format!(
                "devices.endpoint: {:?} must be an https:// URL without a fragment (iOS sends the device's attributes only over HTTPS)",
                self.endpoint
            ));
        }
        let email = self
            .email
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty());
        if let Some(email) = email
            && (!email.contains('@')
                || email.contains(|c: char| c.is_whitespace() || "<>?&,;\"".contains(c)))
        {
            return Err(format!(
                "devices.email: {email:?} is not one e-mail address"
            ));
        }
        let webhook_env = self
            .webhook_env
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty());
        if let Some(name) = webhook_env
            && !name
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(format!(
                "devices.webhook_env: {name:?} is not an environment variable name (A-Z, 0-9, _)"
            ));
        }
        Ok(Devices {
            endpoint: url.to_string(),
            email: email.map(str::to_string),
            webhook_env: webhook_env.map(str::to_string),
        })
    }
}

/// A UUID derived from the site's address and `purpose`: the same site always publishes the
/// same profile (reinstalling replaces it instead of adding a second one).
pub fn stable_uuid(base_url: &str, purpose: &str) -> String {
    let digest = Sha256::new()
        .chain_update(b"otasite enroll\n")
        .chain_update(purpose.as_bytes())
        .chain_update(b"\n")
        .chain_update(base_url.as_bytes())
        .finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x80; // version 8: custom, name-based
    b[8] = (b[8] & 0x3f) | 0x80; // RFC 9562 variant
    let h = hex::encode_upper(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

/// The payload identifier: the site's host reversed, then `otasite.enroll`.
pub fn payload_identifier(base_url: &str) -> String {
    let host = url::Url::parse(base_url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| "site".into());
    let mut labels: Vec<&str> = host.split('.').filter(|l| !l.is_empty()).collect();
    labels.reverse();
    format!("{}.otasite.enroll", labels.join("."))
}

/// The enrollment profile's property list (XML), before any signing.
pub fn mobileconfig(devices: &Devices, title: &str, base_url: &str) -> Vec<u8> {
    let mut content = Dictionary::new();
    content.insert("URL".into(), devices.endpoint.clone().into());
    content.insert(
        "DeviceAttributes".into(),
        Value::Array(ATTRIBUTES.iter().map(|a| Value::from(*a)).collect()),
    );
    let host = url::Url::parse(&devices.endpoint)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default();
    let mut dict = Dictionary::new();
    dict.insert("PayloadContent".into(), Value::Dictionary(content));
    dict.insert("PayloadType".into(), "Profile Service".into());
    dict.insert("PayloadVersion".into(), Value::Integer(1.into()));
    dict.insert(
        "PayloadIdentifier".into(),
        payload_identifier(base_url).into(),
    );
    dict.insert(
        "PayloadUUID".into(),
        stable_uuid(base_url, "profile service").into(),
    );
    dict.insert(
        "PayloadDisplayName".into(),
        format!("{title}: register this device").into(),
    );
    dict.insert(
        "PayloadDescription".into(),
        format!(
            "Sends this device's identifier (UDID), model, iOS version and serial number to {host} once, so that the team can add the device to its test builds. It installs nothing on the device."
        )
        .into(),
    );
    dict.insert("PayloadOrganization".into(), title.into());
    let mut out = Vec::new();
    plist::to_writer_xml(&mut out, &Value::Dictionary(dict)).expect("writing to memory");
    out.push(b'\n');
    out
}

/// The published enrollment profile: signed when the environment holds the team's signing
/// identity ([`super::signing`]), else the plain property list.
pub struct Profile {
    pub bytes: Vec<u8>,
    pub signed: bool,
}

impl Profile {
    /// Reads the signing identity from the environment; an unusable one is an error (one line
    /// naming the variable, never its value).
    pub fn build(devices: &Devices, title: &str, base_url: &str) -> Result<Profile, String> {
        let plist = mobileconfig(devices, title, base_url);
        match super::signing::ProfileSigner::from_env()? {
            Some(signer) => Ok(Profile {
                bytes: signer.sign(&plist, crate::clock::now())?,
                signed: true,
            }),
            None => Ok(Profile {
                bytes: plist,
                signed: false,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(endpoint: &str) -> RawDevices {
        RawDevices {
            endpoint: endpoint.into(),
            email: Some("qa@example.test".into()),
            webhook_env: Some("OTASITE_DEVICES_WEBHOOK".into()),
        }
    }

    #[test]
    fn settings_are_checked() {
        let ok = raw("https://udid.example.test/enroll").validate().unwrap();
        assert_eq!(ok.endpoint, "https://udid.example.test/enroll");
        assert!(raw("http://udid.example.test/").validate().is_err());
        assert!(raw("udid").validate().is_err());
        let mut bad = raw("https://x.test/");
        bad.email = Some("a@b.test?cc=x".into());
        assert!(bad.validate().unwrap_err().contains("devices.email"));
        let mut bad = raw("https://x.test/");
        bad.webhook_env = Some("hook url".into());
        assert!(bad.validate().unwrap_err().contains("devices.webhook_env"));
    }

    #[test]
    fn the_profile_is_stable_per_site() {
        let devices = raw("https://udid.example.test/enroll").validate().unwrap();
        let a = mobileconfig(&devices, "Acme", "https://builds.example.test/");
        assert_eq!(
            a,
            mobileconfig(&devices, "Acme", "https://builds.example.test/")
        );
        let b = mobileconfig(&devices, "Acme", "https://other.example.test/");
        assert_ne!(a, b);
        let value = Value::from_reader_xml(a.as_slice()).unwrap();
        let dict = value.as_dictionary().unwrap();
        assert_eq!(dict["PayloadType"].as_string(), Some("Profile Service"));
        assert_eq!(
            dict["PayloadIdentifier"].as_string(),
            Some("test.example.builds.otasite.enroll")
        );
        let uuid = dict["PayloadUUID"].as_string().unwrap();
        assert_eq!(uuid.len(), 36);
        assert_eq!(&uuid[14..15], "8");
    }
}
