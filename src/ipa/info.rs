//! Info.plist (binary or XML) -> the facts an install portal shows and checks.

use std::collections::BTreeMap;

use plist::{Dictionary, Value};

use super::plist_guard::check_shape;

/// What otasite needs from an app's Info.plist.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AppInfo {
    pub bundle_id: Option<String>,
    pub display_name: Option<String>,
    pub bundle_name: Option<String>,
    pub executable: Option<String>,
    pub version: Option<String>,
    pub build: Option<String>,
    pub min_os: Option<String>,
    /// Raw UIDeviceFamily values; empty when the key is absent.
    pub device_family: Vec<u64>,
    pub platform: Option<String>,
    /// Icon file names the plist declares, in the order it declares them.
    pub icon_files: Vec<String>,
    /// The asset catalog icon name (CFBundleIconName), if any.
    pub icon_name: Option<String>,
    /// Every CFBundleSupportedPlatforms entry, as written (e.g. `iPhoneOS`).
    #[serde(default)]
    pub supported_platforms: Vec<String>,
    /// LSMinimumSystemVersion: the minimum macOS version, which only Mac apps declare.
    #[serde(default)]
    pub min_macos: Option<String>,
    /// The bundle has the macOS layout: its Info.plist is `Contents/Info.plist`.
    #[serde(default)]
    pub mac_bundle: bool,
    /// WKWatchOnly is true: a watch app that runs without an iPhone app.
    #[serde(default)]
    pub watch_only: bool,
    /// WKApplication is true: the bundle is a watch app itself.
    #[serde(default)]
    pub watch_app: bool,
    /// ITSWatchOnlyContainer is true: the stub that only carries a watch-only app.
    #[serde(default)]
    pub watch_only_container: bool,
    /// The NSAppClip key is present: the bundle is an App Clip.
    #[serde(default)]
    pub app_clip: bool,
    /// The privacy usage descriptions (`NS…UsageDescription` keys) and the text iOS shows
    /// when asking for each permission; bounded by [`USAGE_DESCRIPTIONS_LIMIT`] and
    /// [`USAGE_TEXT_LIMIT`].
    #[serde(default)]
    pub usage_descriptions: BTreeMap<String, String>,
}

/// The most usage descriptions kept of one Info.plist (Apple defines a few dozen).
pub const USAGE_DESCRIPTIONS_LIMIT: usize = 128;
/// The most characters kept of one usage description's text.
pub const USAGE_TEXT_LIMIT: usize = 500;

/// Why an Info.plist could not be used.
#[derive(Debug, thiserror::Error)]
pub enum InfoError {
    #[error("Info.plist is not a valid property list: {0}")]
    Parse(String),
    #[error("Info.plist is not a dictionary")]
    NotDictionary,
    #[error("{0}")]
    BundleId(String),
}

impl AppInfo {
    pub fn parse(bytes: &[u8]) -> Result<Self, InfoError> {
        check_shape(bytes).map_err(InfoError::Parse)?;
        let value = Value::from_reader(std::io::Cursor::new(bytes))
            .map_err(|e| InfoError::Parse(e.to_string()))?;
        let dict = value.as_dictionary().ok_or(InfoError::NotDictionary)?;
        let bundle_id = bundle_id(dict).map_err(InfoError::BundleId)?;
        Ok(AppInfo {
            bundle_id,
            ..Self::from_dictionary(dict)
        })
    }

    fn from_dictionary(dict: &Dictionary) -> Self {
        let (icon_files, icon_name) = declared_icons(dict);
        AppInfo {
            bundle_id: None,
            display_name: string(dict, "CFBundleDisplayName"),
            bundle_name: string(dict, "CFBundleName"),
            executable: string(dict, "CFBundleExecutable"),
            version: string(dict, "CFBundleShortVersionString"),
            build: string(dict, "CFBundleVersion"),
            min_os: string(dict, "MinimumOSVersion"),
            device_family: device_family(dict.get("UIDeviceFamily")),
            platform: platform(dict),
            icon_files,
            icon_name,
            supported_platforms: supported_platforms(dict),
            min_macos: string(dict, "LSMinimumSystemVersion"),
            mac_bundle: false,
            watch_only: flag(dict, "WKWatchOnly"),
            watch_app: flag(dict, "WKApplication"),
            watch_only_container: flag(dict, "ITSWatchOnlyContainer"),
            app_clip: dict.contains_key("NSAppClip"),
            usage_descriptions: usage_descriptions(dict),
        }
    }

    /// The name a person sees under the icon: display name, else bundle name, else executable.
    pub fn name(&self) -> Option<&str> {
        self.display_name
            .as_deref()
            .or(self.bundle_name.as_deref())
            .or(self.executable.as_deref())
    }
}

/// CFBundleIdentifier exactly as stored: iOS compares it byte for byte, so it is not trimmed
/// or converted. `Ok(None)` when the key is absent; an error when it is no string, or holds
/// characters that would break paths and pages (see [`forbidden_in_bundle_id`]).
fn bundle_id(dict: &Dictionary) -> Result<Option<String>, String> {
    let id = match dict.get("CFBundleIdentifier") {
        None => return Ok(None),
        Some(Value::String(id)) => id,
        Some(other) => {
            return Err(format!(
                "CFBundleIdentifier is {}, not a string",
                value_kind(other)
            ));
        }
    };
    if id.is_empty() {
        return Err("CFBundleIdentifier is empty".to_string());
    }
    if let Some(c) = id.chars().find(|&c| forbidden_in_bundle_id(c)) {
        return Err(format!(
            "CFBundleIdentifier {id:?} contains {c:?} (U+{:04X}); a bundle identifier holds only \
             letters, digits, '.' and '-'",
            u32::from(c)
        ));
    }
    Ok(Some(id.clone()))
}

/// Characters a bundle identifier can never hold: control characters (newlines included),
/// invisible formatting characters, path separators and markup. Others outside `A-Z a-z 0-9 . -` only get a warning
/// ([`unusual_bundle_id_char`]).
pub fn forbidden_in_bundle_id(c: char) -> bool {
    let invisible = matches!(
        c,
        '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}'
    );
    c.is_control() || invisible || matches!(c, '/' | '\\' | '<' | '>' | '&' | '"' | '\'' | '`')
}

/// The first character outside Apple's documented set `A-Z a-z 0-9 . -`, if any.
pub fn unusual_bundle_id_char(id: &str) -> Option<char> {
    id.chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-')))
}

/// "an integer", "an array", … for messages about a value of the wrong type.
pub(crate) fn value_kind(value: &Value) -> &'static str {
    match value {
        Value::Array(_) => "an array",
        Value::Dictionary(_) => "a dictionary",
        Value::Boolean(_) => "a boolean",
        Value::Data(_) => "data",
        Value::Date(_) => "a date",
        Value::Real(_) => "a real number",
        Value::Integer(_) => "an integer",
        Value::String(_) => "a string",
        Value::Uid(_) => "a UID",
        _ => "an unknown value",
    }
}

/// A non-empty, trimmed string value. Numbers are accepted too: some build tools write
/// CFBundleVersion as an integer.
fn string(dict: &Dictionary, key: &str) -> Option<String> {
    let text = match dict.get(key)? {
        Value::String(s) => s.trim().to_string(),
        Value::Integer(i) => i.to_string(),
        Value::Real(r) => r.to_string(),
        _ => return None,
    };
    (!text.is_empty()).then_some(text)
}

/// UIDeviceFamily is usually an array of integers, sometimes a single one, sometimes strings.
fn device_family(value: Option<&Value>) -> Vec<u64> {
    let as_number = |v: &Value| match v {
        Value::Integer(i) => i.as_unsigned(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    };
    let mut family: Vec<u64> = match value {
        Some(Value::Array(items)) => items.iter().filter_map(as_number).collect(),
        Some(single) => as_number(single).into_iter().collect(),
        None => Vec::new(),
    };
    family.sort_unstable();
    family.dedup();
    family
}

/// The `NS…UsageDescription` keys with their text (a non-text value is kept as empty text:
/// the key is what grants the permission prompt). Bounded: an Info.plist is untrusted.
fn usage_descriptions(dict: &Dictionary) -> BTreeMap<String, String> {
    dict.iter()
        .filter(|(key, _)| key.starts_with("NS") && key.ends_with("UsageDescription"))
        .filter(|(key, _)| key.len() <= 128 && !key.chars().any(char::is_control))
        .take(USAGE_DESCRIPTIONS_LIMIT)
        .map(|(key, value)| {
            let text = value.as_string().unwrap_or_default().trim();
            (key.clone(), text.chars().take(USAGE_TEXT_LIMIT).collect())
        })
        .collect()
}

/// A boolean key that is true (some tools write it as the string `YES`).
fn flag(dict: &Dictionary, key: &str) -> bool {
    match dict.get(key) {
        Some(Value::Boolean(b)) => *b,
        Some(Value::String(s)) => {
            matches!(s.trim().to_ascii_lowercase().as_str(), "yes" | "true" | "1")
        }
        Some(Value::Integer(i)) => i.as_unsigned().is_some_and(|n| n != 0),
        _ => false,
    }
}

/// CFBundleSupportedPlatforms' strings, as written.
fn supported_platforms(dict: &Dictionary) -> Vec<String> {
    dict.get("CFBundleSupportedPlatforms")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_string)
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// DTPlatformName, else the first CFBundleSupportedPlatforms entry, lowercased.
fn platform(dict: &Dictionary) -> Option<String> {
    string(dict, "DTPlatformName")
        .or_else(|| {
            dict.get("CFBundleSupportedPlatforms")?
                .as_array()?
                .iter()
                .find_map(|v| v.as_string().map(str::to_string))
        })
        .map(|p| p.to_ascii_lowercase())
}

/// Icon names from CFBundleIcons, CFBundleIcons~ipad, CFBundleIconFiles and CFBundleIconFile
/// (each a string or an array), plus the asset catalog name from CFBundleIconName.
fn declared_icons(dict: &Dictionary) -> (Vec<String>, Option<String>) {
    let mut files = Vec::new();
    let mut icon_name = None;
    for key in ["CFBundleIcons", "CFBundleIcons~ipad"] {
        let Some(primary) = dict
            .get(key)
            .and_then(Value::as_dictionary)
            .and_then(|d| d.get("CFBundlePrimaryIcon"))
        else {
            continue;
        };
        match primary {
            Value::Dictionary(primary) => {
                push_names(&mut files, primary.get("CFBundleIconFiles"));
                if icon_name.is_none() {
                    icon_name = string(primary, "CFBundleIconName");
                }
            }
            other => push_names(&mut files, Some(other)),
        }
    }
    push_names(&mut files, dict.get("CFBundleIconFiles"));
    push_names(&mut files, dict.get("CFBundleIconFile"));
    let mut seen = std::collections::HashSet::new();
    files.retain(|f| seen.insert(f.clone()));
    (files, icon_name)
}

fn push_names(out: &mut Vec<String>, value: Option<&Value>) {
    match value {
        Some(Value::String(s)) if !s.trim().is_empty() => out.push(s.trim().to_string()),
        Some(Value::Array(items)) => items.iter().for_each(|v| push_names(out, Some(v))),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_xml(body: &str) -> AppInfo {
        let xml = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><plist version="1.0"><dict>{body}</dict></plist>"#
        );
        AppInfo::parse(xml.as_bytes()).expect("valid plist")
    }

    #[test]
    fn usage_descriptions_are_read_and_bounded() {
        let long = "x".repeat(USAGE_TEXT_LIMIT + 10);
        let info = parse_xml(&format!(
            "<key>NSCameraUsageDescription</key><string> Scan codes </string>\
             <key>NSMicrophoneUsageDescription</key><string>{long}</string>\
             <key>NSLocationUsageDescriptionX</key><string>not one</string>\
             <key>NSContactsUsageDescription</key><true/>"
        ));
        let keys: Vec<&str> = info.usage_descriptions.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "NSCameraUsageDescription",
                "NSContactsUsageDescription",
                "NSMicrophoneUsageDescription"
            ]
        );
        assert_eq!(
            info.usage_descriptions["NSCameraUsageDescription"],
            "Scan codes"
        );
        assert_eq!(info.usage_descriptions["NSContactsUsageDescription"], "");
        assert_eq!(
            info.usage_descriptions["NSMicrophoneUsageDescription"].len(),
            USAGE_TEXT_LIMIT
        );
        let many: String = (0..USAGE_DESCRIPTIONS_LIMIT + 5)
            .map(|i| format!("<key>NSThing{i}UsageDescription</key><string>t</string>"))
            .collect();
        assert_eq!(
            parse_xml(&many).usage_descriptions.len(),
            USAGE_DESCRIPTIONS_LIMIT
        );
    }

    #[test]
    fn name_falls_back_in_order() {
        let info = parse_xml("<key>CFBundleExecutable</key><string>Exe</string>");
        assert_eq!(info.name(), Some("Exe"));
        let info = parse_xml(
            "<key>CFBundleExecutable</key><string>Exe</string><key>CFBundleName</key><string>Nm</string>",
        );
        assert_eq!(info.name(), Some("Nm"));
    }

    #[test]
    fn device_family_accepts_every_shape() {
        let info = parse_xml("<key>UIDeviceFamily</key><integer>2</integer>");
        assert_eq!(info.device_family, vec![2]);
        let info = parse_xml(
            "<key>UIDeviceFamily</key><array><string>2</string><integer>1</integer></array>",
        );
        assert_eq!(info.device_family, vec![1, 2]);
    }

    #[test]
    fn icons_from_every_key() {
        let info = parse_xml(
            "<key>CFBundleIcons</key><dict><key>CFBundlePrimaryIcon</key><dict>\
             <key>CFBundleIconFiles</key><array><string>AppIcon60x60</string></array>\
             <key>CFBundleIconName</key><string>AppIcon</string></dict></dict>\
             <key>CFBundleIconFile</key><string>Icon.png</string>",
        );
        assert_eq!(info.icon_files, vec!["AppIcon60x60", "Icon.png"]);
        assert_eq!(info.icon_name.as_deref(), Some("AppIcon"));
    }

    #[test]
    fn platform_from_supported_platforms() {
        let info = parse_xml(
            "<key>CFBundleSupportedPlatforms</key><array><string>iPhoneSimulator</string></array>",
        );
        assert_eq!(info.platform.as_deref(), Some("iphonesimulator"));
    }
}
