//! Android packages built by the tests: a zip with a binary `AndroidManifest.xml` encoded here
//! (one UTF-16 string pool, a resource map, the elements), a v1 signature file when signed,
//! and an optional launcher icon with its `resources.arsc`; the same binary XML writer encodes
//! adaptive icons, vector drawables and gradients.

use std::path::{Path, PathBuf};

/// Framework attribute ids (`android.R.attr`): Android matches attributes by these.
pub const LABEL: u32 = 0x0101_0001;
pub const ICON: u32 = 0x0101_0002;
pub const DEBUGGABLE: u32 = 0x0101_000f;
pub const MIN_SDK: u32 = 0x0101_020c;
pub const VERSION_CODE: u32 = 0x0101_021b;
pub const VERSION_NAME: u32 = 0x0101_021c;
pub const TARGET_SDK: u32 = 0x0101_0270;
pub const TEST_ONLY: u32 = 0x0101_0272;

/// An attribute value: a string, an integer, a boolean, a float, a colour or a reference.
#[derive(Clone, Debug)]
pub enum Attr {
    Str(String),
    Int(u32),
    Bool(bool),
    /// A resource reference (`@7F010000`).
    Reference(u32),
    Float(f32),
    /// `#AARRGGBB`.
    Colour(u32),
}

/// An attribute: its name, its framework id when it has one, its value.
pub type Attribute = (String, Option<u32>, Attr);

/// A binary XML writer.
#[derive(Default)]
pub struct Axml {
    strings: Vec<String>,
    ids: Vec<u32>,
    body: Vec<u8>,
}

impl Axml {
    fn intern(&mut self, text: &str) -> u32 {
        match self.strings.iter().position(|s| s == text) {
            Some(i) => i as u32,
            None => {
                self.strings.push(text.to_string());
                (self.strings.len() - 1) as u32
            }
        }
    }

    /// Opens an element; attribute names with resource ids come first, as aapt writes them.
    pub fn start(&mut self, name: &str, attributes: &[Attribute]) -> &mut Self {
        for (attr, id, _) in attributes {
            if let Some(id) = id {
                let index = self.intern(attr);
                if self.ids.len() <= index as usize {
                    self.ids.resize(index as usize + 1, 0);
                }
                self.ids[index as usize] = *id;
            }
        }
        let name = self.intern(name);
        let mut chunk = Vec::new();
        chunk.extend_from_slice(&u32::MAX.to_le_bytes()); // namespace
        chunk.extend_from_slice(&name.to_le_bytes());
        chunk.extend_from_slice(&20u16.to_le_bytes());
        chunk.extend_from_slice(&20u16.to_le_bytes());
        chunk.extend_from_slice(&(attributes.len() as u16).to_le_bytes());
        chunk.extend_from_slice(&[0; 6]);
        for (attr, _, value) in attributes {
            let attr = self.intern(attr);
            let (raw, kind, data) = match value {
                Attr::Str(s) => {
                    let i = self.intern(s);
                    (i, 0x03u8, i)
                }
                Attr::Int(i) => (u32::MAX, 0x10, *i),
                Attr::Bool(b) => (u32::MAX, 0x12, if *b { u32::MAX } else { 0 }),
                Attr::Reference(id) => (u32::MAX, 0x01, *id),
                Attr::Float(f) => (u32::MAX, 0x04, f.to_bits()),
                Attr::Colour(argb) => (u32::MAX, 0x1c, *argb),
            };
            chunk.extend_from_slice(&u32::MAX.to_le_bytes());
            chunk.extend_from_slice(&attr.to_le_bytes());
            chunk.extend_from_slice(&raw.to_le_bytes());
            chunk.extend_from_slice(&8u16.to_le_bytes());
            chunk.push(0);
            chunk.push(kind);
            chunk.extend_from_slice(&data.to_le_bytes());
        }
        self.node(0x0102, &chunk);
        self
    }

    pub fn end(&mut self) -> &mut Self {
        self.node(0x0103, &[0xff; 8]);
        self
    }

    fn node(&mut self, kind: u16, ext: &[u8]) {
        self.body.extend_from_slice(&kind.to_le_bytes());
        self.body.extend_from_slice(&16u16.to_le_bytes());
        self.body
            .extend_from_slice(&((16 + ext.len()) as u32).to_le_bytes());
        self.body.extend_from_slice(&[0; 8]); // line, comment
        self.body.extend_from_slice(ext);
    }

    pub fn bytes(&self) -> Vec<u8> {
        let pool = string_pool(&self.strings);
        let mut map = Vec::new();
        map.extend_from_slice(&0x0180u16.to_le_bytes());
        map.extend_from_slice(&8u16.to_le_bytes());
        map.extend_from_slice(&((8 + self.ids.len() * 4) as u32).to_le_bytes());
        self.ids
            .iter()
            .for_each(|i| map.extend_from_slice(&i.to_le_bytes()));
        let total = 8 + pool.len() + map.len() + self.body.len();
        let mut out = Vec::new();
        out.extend_from_slice(&3u16.to_le_bytes());
        out.extend_from_slice(&8u16.to_le_bytes());
        out.extend_from_slice(&(total as u32).to_le_bytes());
        out.extend(pool);
        out.extend(map);
        out.extend_from_slice(&self.body);
        out
    }
}

/// A UTF-16 string pool chunk.
pub fn string_pool(strings: &[String]) -> Vec<u8> {
    let mut data = Vec::new();
    let mut offsets = Vec::new();
    for s in strings {
        offsets.push(data.len() as u32);
        let units: Vec<u16> = s.encode_utf16().collect();
        data.extend_from_slice(&(units.len() as u16).to_le_bytes());
        units
            .iter()
            .for_each(|u| data.extend_from_slice(&u.to_le_bytes()));
        data.extend_from_slice(&[0, 0]);
    }
    while data.len() % 4 != 0 {
        data.push(0);
    }
    let strings_start = 28 + offsets.len() * 4;
    let mut pool = Vec::new();
    pool.extend_from_slice(&1u16.to_le_bytes());
    pool.extend_from_slice(&28u16.to_le_bytes());
    pool.extend_from_slice(&((strings_start + data.len()) as u32).to_le_bytes());
    pool.extend_from_slice(&(offsets.len() as u32).to_le_bytes());
    pool.extend_from_slice(&[0; 8]); // styles, flags (UTF-16)
    pool.extend_from_slice(&(strings_start as u32).to_le_bytes());
    pool.extend_from_slice(&0u32.to_le_bytes());
    offsets
        .iter()
        .for_each(|o| pool.extend_from_slice(&o.to_le_bytes()));
    pool.extend_from_slice(&data);
    pool
}

/// One value of a resource table entry: a file path (a string of the global pool) or a colour.
#[derive(Clone, Debug)]
pub enum ResValue {
    Path(String),
    /// `#AARRGGBB`.
    Colour(u32),
}

/// A minimal `resources.arsc`: one package (0x7f), each type chunk one configuration
/// (type id, density, SDK level) with its entries by index.
#[derive(Default)]
pub struct ResourceTable {
    types: Vec<TypeConfig>,
}

/// One type chunk: type id, density, SDK level, and its entries by index.
type TypeConfig = (u8, u16, u16, Vec<(usize, ResValue)>);

impl ResourceTable {
    /// Adds `value` as entry `index` of type `type_id` for the configuration (density, sdk).
    pub fn value(
        mut self,
        type_id: u8,
        density: u16,
        sdk: u16,
        index: usize,
        value: ResValue,
    ) -> Self {
        match self
            .types
            .iter_mut()
            .find(|t| (t.0, t.1, t.2) == (type_id, density, sdk))
        {
            Some(t) => t.3.push((index, value)),
            None => self
                .types
                .push((type_id, density, sdk, vec![(index, value)])),
        }
        self
    }

    pub fn bytes(&self) -> Vec<u8> {
        let mut strings = Vec::new();
        let mut type_chunks = Vec::new();
        for (type_id, density, sdk, entries) in &self.types {
            let count = entries.iter().map(|(i, _)| i + 1).max().unwrap_or(0);
            let mut config = vec![0u8; 28];
            config[..4].copy_from_slice(&28u32.to_le_bytes());
            config[14..16].copy_from_slice(&density.to_le_bytes());
            config[24..26].copy_from_slice(&sdk.to_le_bytes());
            let header = 20 + config.len();
            let entries_start = header + count * 4;
            let mut offsets = vec![u32::MAX; count];
            let mut body = Vec::new();
            for (index, value) in entries {
                offsets[*index] = body.len() as u32;
                let (kind, data) = match value {
                    ResValue::Path(path) => {
                        strings.push(path.clone());
                        (0x03u8, (strings.len() - 1) as u32)
                    }
                    ResValue::Colour(argb) => (0x1c, *argb),
                };
                body.extend_from_slice(&8u16.to_le_bytes()); // entry size
                body.extend_from_slice(&0u16.to_le_bytes()); // flags
                body.extend_from_slice(&0u32.to_le_bytes()); // key
                body.extend_from_slice(&8u16.to_le_bytes()); // value size
                body.push(0);
                body.push(kind);
                body.extend_from_slice(&data.to_le_bytes());
            }
            let mut chunk = Vec::new();
            chunk.extend_from_slice(&0x0201u16.to_le_bytes());
            chunk.extend_from_slice(&(header as u16).to_le_bytes());
            chunk.extend_from_slice(&((entries_start + body.len()) as u32).to_le_bytes());
            chunk.push(*type_id);
            chunk.push(0); // flags
            chunk.extend_from_slice(&0u16.to_le_bytes());
            chunk.extend_from_slice(&(count as u32).to_le_bytes());
            chunk.extend_from_slice(&(entries_start as u32).to_le_bytes());
            chunk.extend_from_slice(&config);
            offsets
                .iter()
                .for_each(|o| chunk.extend_from_slice(&o.to_le_bytes()));
            chunk.extend(body);
            type_chunks.extend(chunk);
        }
        let mut package = Vec::new();
        package.extend_from_slice(&0x0200u16.to_le_bytes());
        package.extend_from_slice(&12u16.to_le_bytes());
        package.extend_from_slice(&((12 + type_chunks.len()) as u32).to_le_bytes());
        package.extend_from_slice(&0x7fu32.to_le_bytes());
        package.extend(type_chunks);
        let pool = string_pool(&strings);
        let mut table = Vec::new();
        table.extend_from_slice(&0x0002u16.to_le_bytes());
        table.extend_from_slice(&12u16.to_le_bytes());
        table.extend_from_slice(&((12 + pool.len() + package.len()) as u32).to_le_bytes());
        table.extend_from_slice(&1u32.to_le_bytes());
        table.extend(pool);
        table.extend(package);
        table
    }
}

/// `android:drawable`.
pub const DRAWABLE: u32 = 0x0101_0199;

/// An `<adaptive-icon>` whose layers are the resources `background` and `foreground`.
pub fn adaptive_icon_xml(background: u32, foreground: u32) -> Vec<u8> {
    let mut xml = Axml::default();
    xml.start("adaptive-icon", &[]);
    xml.start(
        "background",
        &[attr(
            "drawable",
            Some(DRAWABLE),
            Attr::Reference(background),
        )],
    )
    .end();
    xml.start(
        "foreground",
        &[attr(
            "drawable",
            Some(DRAWABLE),
            Attr::Reference(foreground),
        )],
    )
    .end();
    xml.end();
    xml.bytes()
}

pub fn attr(name: &str, id: Option<u32>, value: Attr) -> Attribute {
    (name.to_string(), id, value)
}

/// Framework attribute ids of vector drawables and gradients.
pub const VIEWPORT_WIDTH: u32 = 0x0101_0402;
pub const VIEWPORT_HEIGHT: u32 = 0x0101_0403;
pub const FILL_COLOR: u32 = 0x0101_0404;
pub const PATH_DATA: u32 = 0x0101_0405;
pub const STROKE_COLOR: u32 = 0x0101_0406;
pub const STROKE_WIDTH: u32 = 0x0101_0407;
pub const TRANSLATE_X: u32 = 0x0101_045a;
pub const TRANSLATE_Y: u32 = 0x0101_045b;
pub const COLOR: u32 = 0x0101_01a5;
pub const STATE_PRESSED: u32 = 0x0101_00a7;
pub const START_COLOR: u32 = 0x0101_019d;
pub const END_COLOR: u32 = 0x0101_019e;

/// A `<vector>` drawable of `width` x `height` viewport units; `body` writes its elements.
pub fn vector_xml(width: f32, height: f32, body: impl FnOnce(&mut Axml)) -> Vec<u8> {
    let mut xml = Axml::default();
    xml.start(
        "vector",
        &[
            attr("viewportWidth", Some(VIEWPORT_WIDTH), Attr::Float(width)),
            attr("viewportHeight", Some(VIEWPORT_HEIGHT), Attr::Float(height)),
        ],
    );
    body(&mut xml);
    xml.end();
    xml.bytes()
}

/// `android:pathData`.
pub fn path_data(data: &str) -> Attribute {
    attr("pathData", Some(PATH_DATA), Attr::Str(data.to_string()))
}

/// `android:fillColor` as a colour (`#AARRGGBB`).
pub fn fill(argb: u32) -> Attribute {
    attr("fillColor", Some(FILL_COLOR), Attr::Colour(argb))
}

/// A `<gradient>` from `start` to `end` (`#AARRGGBB`), as aapt2 extracts an inline one.
pub fn gradient_xml(start: u32, end: u32) -> Vec<u8> {
    let mut xml = Axml::default();
    xml.start(
        "gradient",
        &[
            attr("startColor", Some(START_COLOR), Attr::Colour(start)),
            attr("endColor", Some(END_COLOR), Attr::Colour(end)),
        ],
    )
    .end();
    xml.bytes()
}

/// One `.apk` to build.
#[derive(Clone, Debug)]
pub struct ApkBuilder {
    pub package: String,
    pub label: String,
    pub version_name: String,
    pub version_code: u32,
    pub min_sdk: u32,
    pub target_sdk: u32,
    pub test_only: bool,
    pub debuggable: bool,
    pub signed: bool,
    /// The zip entries' timestamp (seconds since 1970).
    pub modified: i64,
    /// `android:icon`, a resource reference.
    pub icon: Option<u32>,
    /// More entries: `resources.arsc`, icon files.
    pub extra: Vec<(String, Vec<u8>)>,
}

impl ApkBuilder {
    pub fn new(package: &str, label: &str) -> Self {
        ApkBuilder {
            package: package.to_string(),
            label: label.to_string(),
            version_name: "1.0".to_string(),
            version_code: 1,
            min_sdk: 24,
            target_sdk: 34,
            test_only: false,
            debuggable: false,
            signed: true,
            modified: 1_700_000_000,
            icon: None,
            extra: Vec::new(),
        }
    }

    pub fn version(mut self, name: &str, code: u32) -> Self {
        self.version_name = name.to_string();
        self.version_code = code;
        self
    }

    pub fn min_sdk(mut self, level: u32) -> Self {
        self.min_sdk = level;
        self
    }

    /// `android:icon="@<id>"`, with the entries that hold it (`resources.arsc`, files).
    pub fn icon(mut self, id: u32, entries: Vec<(String, Vec<u8>)>) -> Self {
        self.icon = Some(id);
        self.extra.extend(entries);
        self
    }

    pub fn test_only(mut self) -> Self {
        self.test_only = true;
        self
    }

    pub fn modified(mut self, seconds: i64) -> Self {
        self.modified = seconds;
        self
    }

    /// The binary manifest.
    pub fn manifest(&self) -> Vec<u8> {
        let mut xml = Axml::default();
        xml.start(
            "manifest",
            &[
                attr(
                    "versionCode",
                    Some(VERSION_CODE),
                    Attr::Int(self.version_code),
                ),
                attr(
                    "versionName",
                    Some(VERSION_NAME),
                    Attr::Str(self.version_name.clone()),
                ),
                attr("package", None, Attr::Str(self.package.clone())),
            ],
        );
        xml.start(
            "uses-sdk",
            &[
                attr("minSdkVersion", Some(MIN_SDK), Attr::Int(self.min_sdk)),
                attr(
                    "targetSdkVersion",
                    Some(TARGET_SDK),
                    Attr::Int(self.target_sdk),
                ),
            ],
        )
        .end();
        let mut application = vec![
            attr("label", Some(LABEL), Attr::Str(self.label.clone())),
            attr("debuggable", Some(DEBUGGABLE), Attr::Bool(self.debuggable)),
            attr("testOnly", Some(TEST_ONLY), Attr::Bool(self.test_only)),
        ];
        if let Some(icon) = self.icon {
            application.push(attr("icon", Some(ICON), Attr::Reference(icon)));
        }
        xml.start("application", &application).end();
        xml.end();
        xml.bytes()
    }

    pub fn bytes(&self) -> Vec<u8> {
        let mut entries = vec![("AndroidManifest.xml".to_string(), self.manifest())];
        entries.push(("classes.dex".to_string(), b"dex\n035\0".to_vec()));
        entries.extend(self.extra.iter().cloned());
        if self.signed {
            entries.push(("META-INF/CERT.RSA".to_string(), b"signature".to_vec()));
        }
        super::ipa::zip_bytes(&entries, self.modified)
    }

    pub fn write(&self, path: &Path) -> PathBuf {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create the folder");
        }
        std::fs::write(path, self.bytes()).expect("write the apk");
        path.to_path_buf()
    }
}
