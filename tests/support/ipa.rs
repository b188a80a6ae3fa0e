//! Builds synthetic `.ipa` archives and provisioning profiles in code.

use std::io::Write;
use std::path::{Path, PathBuf};

use plist::{Dictionary, Value};
use zip::write::SimpleFileOptions;

/// Which profile an archive embeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Development,
    AdHoc,
    Enterprise,
    AppStore,
}

/// A provisioning profile to embed or write alone.
#[derive(Debug, Clone)]
pub struct ProfileSpec {
    pub kind: Kind,
    pub name: String,
    pub team_name: String,
    pub team_id: String,
    /// Seconds since 1970.
    pub expires: i64,
    pub devices: usize,
    /// Encode the inner plist in binary form rather than XML.
    pub binary: bool,
}

impl ProfileSpec {
    pub fn new(kind: Kind) -> Self {
        ProfileSpec {
            kind,
            name: format!("{kind:?} Profile"),
            team_name: "Example Team".into(),
            team_id: "ABCDE12345".into(),
            // 2100-01-01
            expires: 4_102_444_800,
            devices: 3,
            binary: false,
        }
    }

    pub fn expires(mut self, unix_seconds: i64) -> Self {
        self.expires = unix_seconds;
        self
    }

    pub fn binary(mut self) -> Self {
        self.binary = true;
        self
    }

    fn plist(&self) -> Value {
        let mut dict = Dictionary::new();
        dict.insert("Name".into(), self.name.clone().into());
        dict.insert("TeamName".into(), self.team_name.clone().into());
        dict.insert(
            "TeamIdentifier".into(),
            Value::Array(vec![self.team_id.clone().into()]),
        );
        let expires = std::time::UNIX_EPOCH + std::time::Duration::from_secs(self.expires as u64);
        dict.insert("ExpirationDate".into(), Value::Date(expires.into()));
        let mut entitlements = Dictionary::new();
        entitlements.insert(
            "get-task-allow".into(),
            Value::Boolean(self.kind == Kind::Development),
        );
        dict.insert("Entitlements".into(), Value::Dictionary(entitlements));
        let devices: Vec<Value> = (0..self.devices)
            .map(|i| format!("00008030-{i:016X}").into())
            .collect();
        match self.kind {
            Kind::Development | Kind::AdHoc => {
                dict.insert("ProvisionedDevices".into(), Value::Array(devices));
            }
            Kind::Enterprise => {
                dict.insert("ProvisionsAllDevices".into(), Value::Boolean(true));
            }
            Kind::AppStore => {}
        }
        Value::Dictionary(dict)
    }

    /// The profile's property list alone (XML or binary), before it is wrapped.
    pub fn plist_bytes(&self) -> Vec<u8> {
        let mut inner = Vec::new();
        if self.binary {
            plist::to_writer_binary(&mut inner, &self.plist()).expect("plist");
        } else {
            plist::to_writer_xml(&mut inner, &self.plist()).expect("plist");
        }
        inner
    }

    /// The profile wrapped in a CMS SignedData envelope, as Apple ships it.
    pub fn to_bytes(&self) -> Vec<u8> {
        cms_envelope(&self.plist_bytes())
    }
}

/// A minimal DER CMS SignedData whose encapsulated content is `content` (no signers).
pub fn cms_envelope(content: &[u8]) -> Vec<u8> {
    const SIGNED_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];
    const DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01];
    let encap = der(
        0x30,
        &[der(0x06, DATA), der(0xa0, &der(0x04, content))].concat(),
    );
    let signed = der(
        0x30,
        &[der(0x02, &[1]), der(0x31, &[]), encap, der(0x31, &[])].concat(),
    );
    der(0x30, &[der(0x06, SIGNED_DATA), der(0xa0, &signed)].concat())
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

/// A synthetic app archive.
#[derive(Debug, Clone)]
pub struct IpaBuilder {
    pub app: String,
    pub info: Dictionary,
    pub binary_plist: bool,
    pub profile: Option<ProfileSpec>,
    pub files: Vec<(String, Vec<u8>)>,
    /// Seconds since 1970 stamped on every entry (zip keeps 2-second precision).
    pub modified: i64,
}

impl IpaBuilder {
    pub fn new(bundle_id: &str, name: &str) -> Self {
        let mut info = Dictionary::new();
        info.insert("CFBundleIdentifier".into(), bundle_id.into());
        info.insert("CFBundleName".into(), name.into());
        info.insert("CFBundleExecutable".into(), name.replace(' ', "").into());
        info.insert("CFBundleShortVersionString".into(), "1.0".into());
        info.insert("CFBundleVersion".into(), "1".into());
        info.insert("MinimumOSVersion".into(), "15.0".into());
        info.insert(
            "UIDeviceFamily".into(),
            Value::Array(vec![1.into(), 2.into()]),
        );
        info.insert("DTPlatformName".into(), "iphoneos".into());
        IpaBuilder {
            app: format!("{}.app", name.replace(' ', "")),
            info,
            binary_plist: false,
            profile: Some(ProfileSpec::new(Kind::AdHoc)),
            files: Vec::new(),
            // 2024-05-01T12:00:00Z
            modified: 1_714_564_800,
        }
    }

    pub fn version(mut self, version: &str, build: &str) -> Self {
        self.info
            .insert("CFBundleShortVersionString".into(), version.into());
        self.info.insert("CFBundleVersion".into(), build.into());
        self
    }

    pub fn set(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.info.insert(key.into(), value.into());
        self
    }

    pub fn remove(mut self, key: &str) -> Self {
        self.info.remove(key);
        self
    }

    pub fn binary_plist(mut self) -> Self {
        self.binary_plist = true;
        self
    }

    pub fn profile(mut self, profile: Option<ProfileSpec>) -> Self {
        self.profile = profile;
        self
    }

    pub fn modified(mut self, unix_seconds: i64) -> Self {
        self.modified = unix_seconds;
        self
    }

    /// Adds a file inside the app bundle.
    pub fn app_file(mut self, relative: &str, bytes: Vec<u8>) -> Self {
        self.files
            .push((format!("Payload/{}/{relative}", self.app), bytes));
        self
    }

    /// Adds an entry anywhere in the archive.
    pub fn entry(mut self, name: &str, bytes: Vec<u8>) -> Self {
        self.files.push((name.to_string(), bytes));
        self
    }

    pub fn info_plist_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let value = Value::Dictionary(self.info.clone());
        if self.binary_plist {
            plist::to_writer_binary(&mut out, &value).expect("plist");
        } else {
            plist::to_writer_xml(&mut out, &value).expect("plist");
        }
        out
    }

    /// The entries `to_bytes` zips, in order: Info.plist, the profile, then the added files.
    pub fn entries(&self) -> Vec<(String, Vec<u8>)> {
        let mut entries = vec![(
            format!("Payload/{}/Info.plist", self.app),
            self.info_plist_bytes(),
        )];
        if let Some(profile) = &self.profile {
            entries.push((
                format!("Payload/{}/embedded.mobileprovision", self.app),
                profile.to_bytes(),
            ));
        }
        entries.extend(self.files.iter().cloned());
        entries
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        zip_bytes(&self.entries(), self.modified)
    }

    pub fn write(&self, path: &Path) -> PathBuf {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, self.to_bytes()).expect("write ipa");
        path.to_path_buf()
    }
}

/// A zip of the given entries, deflated, every entry stamped with `modified`.
pub fn zip_bytes(entries: &[(String, Vec<u8>)], modified: i64) -> Vec<u8> {
    let stamp = time::OffsetDateTime::from_unix_timestamp(modified).expect("time");
    let stamp = zip::DateTime::from_date_and_time(
        stamp.year() as u16,
        stamp.month() as u8,
        stamp.day(),
        stamp.hour(),
        stamp.minute(),
        stamp.second(),
    )
    .expect("dos time");
    let options = SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1))
        .last_modified_time(stamp);
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        writer.start_file(name.as_str(), options).expect("entry");
        writer.write_all(bytes).expect("write");
    }
    writer.finish().expect("finish").into_inner()
}
