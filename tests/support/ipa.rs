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
    /// Entitlements beyond `get-task-allow`.
    pub entitlements: Vec<(String, Value)>,
    /// DER X.509 certificates listed under `DeveloperCertificates`.
    pub certificates: Vec<Vec<u8>>,
    /// The identifiers under `ProvisionedDevices`; empty: `devices` made-up ones.
    pub device_ids: Vec<String>,
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
            entitlements: Vec::new(),
            certificates: Vec::new(),
            device_ids: Vec::new(),
        }
    }

    /// Lists exactly these device identifiers under `ProvisionedDevices`.
    pub fn devices(mut self, ids: &[&str]) -> Self {
        self.device_ids = ids.iter().map(|id| id.to_string()).collect();
        self.devices = ids.len();
        self
    }

    /// Embeds one more signing certificate (DER) under `DeveloperCertificates`.
    pub fn certificate(mut self, der: Vec<u8>) -> Self {
        self.certificates.push(der);
        self
    }

    pub fn expires(mut self, unix_seconds: i64) -> Self {
        self.expires = unix_seconds;
        self
    }

    pub fn binary(mut self) -> Self {
        self.binary = true;
        self
    }

    /// Grants one more entitlement.
    pub fn entitlement(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.entitlements.push((key.to_string(), value.into()));
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
        if !self.certificates.is_empty() {
            let certificates = self.certificates.iter().cloned().map(Value::Data);
            dict.insert(
                "DeveloperCertificates".into(),
                Value::Array(certificates.collect()),
            );
        }
        let mut entitlements = Dictionary::new();
        entitlements.insert(
            "get-task-allow".into(),
            Value::Boolean(self.kind == Kind::Development),
        );
        for (key, value) in &self.entitlements {
            entitlements.insert(key.clone(), value.clone());
        }
        dict.insert("Entitlements".into(), Value::Dictionary(entitlements));
        let devices: Vec<Value> = if self.device_ids.is_empty() {
            (0..self.devices)
                .map(|i| format!("00008030-{i:016X}").into())
                .collect()
        } else {
            self.device_ids.iter().map(|id| id.clone().into()).collect()
        };
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
    /// Lay the bundle out as a Mac app: `Contents/Info.plist`, `Contents/embedded.provisionprofile`.
    pub mac_layout: bool,
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
            mac_layout: false,
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

    /// Lays the bundle out as a Mac app does (`Contents/...`).
    pub fn mac_layout(mut self) -> Self {
        self.mac_layout = true;
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

    /// Adds the main executable (the file `CFBundleExecutable` names) to the app bundle, e.g.
    /// a signed Mach-O from `support::codesign::executable`.
    pub fn executable(self, bytes: Vec<u8>) -> Self {
        let name = self
            .info
            .get("CFBundleExecutable")
            .and_then(Value::as_string)
            .expect("CFBundleExecutable")
            .to_string();
        self.app_file(&name, bytes)
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
        let (plist, profile) = if self.mac_layout {
            ("Contents/Info.plist", "Contents/embedded.provisionprofile")
        } else {
            ("Info.plist", "embedded.mobileprovision")
        };
        let mut entries = vec![(
            format!("Payload/{}/{plist}", self.app),
            self.info_plist_bytes(),
        )];
        if let Some(spec) = &self.profile {
            entries.push((format!("Payload/{}/{profile}", self.app), spec.to_bytes()));
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

/// `len` bytes that do not compress (xorshift noise from `seed`): archives of a chosen size.
pub fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect()
}

/// A binary plist: a dictionary of the given string pairs plus a `Shared` key holding the
/// first of `levels` arrays, each referring `refs` times to the next, the last to one string.
/// A few KiB that a parser copying every reference expands to `refs ^ levels` values.
pub fn shared_reference_bplist(strings: &[(&str, &str)], levels: usize, refs: usize) -> Vec<u8> {
    // Object 0 is the top dictionary, 1..=pairs its keys, pairs+1..=2*pairs its values; the
    // last value is the first array of the chain, and the leaf string follows the chain.
    let pairs = strings.len() + 1;
    let first_array = 2 * pairs;
    let count = first_array + levels + 1;
    assert!(count < 1 << 16, "references are two bytes wide");
    let reference = |id: usize| (id as u16).to_be_bytes();
    let mut objects: Vec<Vec<u8>> = Vec::with_capacity(count);
    let mut top = bplist_header(0xD, pairs);
    (1..=2 * pairs).for_each(|id| top.extend(reference(id)));
    objects.push(top);
    let keys = strings.iter().map(|(k, _)| *k).chain(["Shared"]);
    objects.extend(keys.map(bplist_ascii));
    objects.extend(strings.iter().map(|(_, v)| bplist_ascii(v)));
    for level in 0..levels {
        let mut array = bplist_header(0xA, refs);
        let next = first_array + level + 1;
        (0..refs).for_each(|_| array.extend(reference(next)));
        objects.push(array);
    }
    objects.push(bplist_ascii("leaf"));
    bplist_from_objects(&objects, 2)
}

/// A binary plist: a dictionary of the given string pairs, then `padding` bytes of data no
/// object refers to. Parsers skip it, but the entry still inflates to its full size.
pub fn padded_bplist(strings: &[(&str, &str)], padding: usize) -> Vec<u8> {
    let pairs = strings.len();
    let reference = |id: usize| (id as u16).to_be_bytes();
    let mut top = bplist_header(0xD, pairs);
    (1..=2 * pairs).for_each(|id| top.extend(reference(id)));
    let mut objects = vec![top];
    objects.extend(strings.iter().map(|(k, _)| bplist_ascii(k)));
    objects.extend(strings.iter().map(|(_, v)| bplist_ascii(v)));
    let mut data = bplist_header(0x4, padding);
    data.resize(data.len() + padding, 0);
    objects.push(data);
    bplist_from_objects(&objects, 2)
}

/// The marker of a collection or string of `len` items, with its extended length if needed.
fn bplist_header(kind: u8, len: usize) -> Vec<u8> {
    if len < 15 {
        return vec![kind << 4 | len as u8];
    }
    let mut header = vec![kind << 4 | 0x0F];
    match u16::try_from(len) {
        Ok(short) => {
            header.push(0x11);
            header.extend(short.to_be_bytes());
        }
        Err(_) => {
            header.push(0x12);
            header.extend((len as u32).to_be_bytes());
        }
    }
    header
}

fn bplist_ascii(text: &str) -> Vec<u8> {
    let mut object = bplist_header(0x5, text.len());
    object.extend_from_slice(text.as_bytes());
    object
}

/// Lays out encoded objects (object 0 on top) with 4-byte offsets and `ref_size` references.
fn bplist_from_objects(objects: &[Vec<u8>], ref_size: u8) -> Vec<u8> {
    let mut plist = b"bplist00".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for object in objects {
        offsets.push(plist.len() as u32);
        plist.extend_from_slice(object);
    }
    let table = plist.len() as u64;
    offsets.iter().for_each(|o| plist.extend(o.to_be_bytes()));
    plist.extend_from_slice(&[0; 6]);
    plist.extend_from_slice(&[4, ref_size]);
    plist.extend_from_slice(&(objects.len() as u64).to_be_bytes());
    plist.extend_from_slice(&0u64.to_be_bytes());
    plist.extend_from_slice(&table.to_be_bytes());
    plist
}

/// A zip of `entries`, then `copies` more entries named by `name_of(i)` whose compressed data
/// is a copy of `repeated`'s (deflated once, so a thousand 16 MiB entries build quickly).
pub fn zip_with_copies(
    entries: &[(String, Vec<u8>)],
    repeated: &[u8],
    copies: usize,
    name_of: impl Fn(usize) -> String,
) -> Vec<u8> {
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    // Deflated as tightly as it goes: the copies are the archive's bulk.
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    writer
        .start_file("repeated", options.compression_level(Some(9)))
        .expect("entry");
    writer.write_all(repeated).expect("write");
    let source = writer.finish().expect("finish").into_inner();
    let mut source = zip::ZipArchive::new(std::io::Cursor::new(source)).expect("own zip");
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        writer.start_file(name.as_str(), options).expect("entry");
        writer.write_all(bytes).expect("write");
    }
    for i in 0..copies {
        let file = source.by_index(0).expect("the repeated entry");
        writer.raw_copy_file_rename(file, name_of(i)).expect("copy");
    }
    writer.finish().expect("finish").into_inner()
}

/// A zip whose first entry is listed `copies` more times in the central directory under other
/// names, every record pointing at the same local header and data ("overlapping" entries).
pub fn zip_with_overlapping_copies(
    entries: &[(String, Vec<u8>)],
    copies: usize,
    name_of: impl Fn(usize) -> String,
) -> Vec<u8> {
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        writer.start_file(name.as_str(), options).expect("entry");
        writer.write_all(bytes).expect("write");
    }
    for i in 0..copies {
        writer
            .shallow_copy_file(&entries[0].0, &name_of(i))
            .expect("shallow copy");
    }
    writer.finish().expect("finish").into_inner()
}

/// A provisioning profile envelope around `plist` (any bytes, valid or not).
pub fn profile_bytes(plist: &[u8]) -> Vec<u8> {
    cms_envelope(plist)
}
