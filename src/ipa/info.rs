//! Info.plist (binary or XML) -> the facts an install portal shows and checks.

use plist::{Dictionary, Value};

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
}

/// Why an Info.plist could not be used.
#[derive(Debug, thiserror::Error)]
pub enum InfoError {
    #[error("Info.plist is not a valid property list: {0}")]
    Parse(String),
    #[error("Info.plist is not a dictionary")]
    NotDictionary,
}

/// Deeper than any real property list nests. Building and dropping a parsed `Value` recurses
/// once per level, so a plist nested a few hundred thousand levels deep (a few MiB) would
/// overflow the stack and abort the whole process: such plists are refused before parsing.
const MAX_DEPTH: usize = 512;

/// Refuses property lists (binary, XML or ASCII) nested deeper than [`MAX_DEPTH`]. Syntax
/// errors are left for the real parse to report.
pub(crate) fn check_depth(bytes: &[u8]) -> Result<(), String> {
    let depth = if bytes.starts_with(b"bplist00") {
        binary_depth(bytes)
    } else {
        // `plist` reads text as XML, or as ASCII when it is not XML: count both ways.
        xml_depth(bytes).max(ascii_depth(bytes))
    };
    if depth > MAX_DEPTH {
        return Err(format!("it nests more than {MAX_DEPTH} levels deep"));
    }
    Ok(())
}

/// The deepest nesting of `<array>` and `<dict>` elements (any namespace prefix), skipping
/// comments, CDATA, processing instructions, declarations and quoted attribute values.
fn xml_depth(xml: &[u8]) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut at = 0;
    while let Some(open) = find_from(xml, at, b"<") {
        let rest = &xml[open..];
        let skipped = [
            (&b"<!--"[..], &b"-->"[..]),
            (b"<![CDATA[", b"]]>"),
            (b"<?", b"?>"),
        ]
        .into_iter()
        .find(|(start, _)| rest.starts_with(start));
        if let Some((_, end)) = skipped {
            at = find_from(xml, open, end).map_or(xml.len(), |i| i + end.len());
            continue;
        }
        let mut close = open + 1;
        let mut quote = None;
        while close < xml.len() {
            match (quote, xml[close]) {
                (Some(q), c) if c == q => quote = None,
                (None, c @ (b'"' | b'\'')) => quote = Some(c),
                (None, b'>') => break,
                _ => {}
            }
            close += 1;
        }
        let tag = &xml[open + 1..close];
        at = close + 1;
        let (closing, name) = match tag.strip_prefix(b"/") {
            Some(name) => (true, name),
            None => (false, tag),
        };
        let name = name
            .split(|c| c.is_ascii_whitespace() || *c == b'/')
            .next()
            .unwrap_or_default();
        let local = name.rsplit(|&c| c == b':').next().unwrap_or_default();
        if local != b"array" && local != b"dict" {
            continue;
        }
        if closing {
            depth = depth.saturating_sub(1);
        } else if !tag.ends_with(b"/") {
            depth += 1;
            deepest = deepest.max(depth);
            if deepest > MAX_DEPTH {
                break;
            }
        }
    }
    deepest
}

/// The deepest nesting of `( … )` and `{ … }` in an ASCII (OpenStep) plist, skipping quoted
/// strings and comments.
fn ascii_depth(text: &[u8]) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut at = 0;
    while at < text.len() {
        match text[at] {
            b'"' => {
                at += 1;
                while at < text.len() && text[at] != b'"' {
                    at += if text[at] == b'\\' { 2 } else { 1 };
                }
            }
            b'/' if text[at..].starts_with(b"//") => {
                at = find_from(text, at, b"\n").unwrap_or(text.len());
            }
            b'/' if text[at..].starts_with(b"/*") => {
                at = find_from(text, at + 2, b"*/").map_or(text.len(), |i| i + 1);
            }
            b'(' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
                if deepest > MAX_DEPTH {
                    break;
                }
            }
            b')' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        at += 1;
    }
    deepest
}

/// The deepest nesting of collections in a binary plist, following object references
/// depth-first without recursion. Each object's depth is computed once, so shared objects cost
/// nothing extra; malformed parts and cycles (which the parser rejects) count as leaves.
fn binary_depth(bytes: &[u8]) -> usize {
    let Some(plist) = BinaryPlist::new(bytes) else {
        return 0;
    };
    // Per object: 0 not visited, 1 being visited, n + 2 visited and n levels deep.
    let mut state = vec![0usize; plist.count];
    state[plist.top] = 1;
    let mut stack = vec![Frame::new(&plist, plist.top, 1)];
    while let Some(frame) = stack.last_mut() {
        if frame.level > MAX_DEPTH {
            return frame.level;
        }
        if let Some(child) = frame.next_child(&plist) {
            match state[child] {
                0 => {
                    state[child] = 1;
                    let level = frame.level + 1;
                    stack.push(Frame::new(&plist, child, level));
                }
                1 => {}
                visited => frame.deepest_child = frame.deepest_child.max(visited - 2),
            }
            continue;
        }
        let depth = frame.refs.map_or(0, |_| frame.deepest_child + 1);
        state[frame.object] = depth + 2;
        stack.pop();
        if let Some(parent) = stack.last_mut() {
            parent.deepest_child = parent.deepest_child.max(depth);
        }
    }
    state[plist.top] - 2
}

/// One object being visited by [`binary_depth`].
struct Frame<'a> {
    object: usize,
    /// How deep it sits: the top object is at level 1.
    level: usize,
    /// The raw references of a collection; `None` for anything else.
    refs: Option<&'a [u8]>,
    next: usize,
    deepest_child: usize,
}

impl<'a> Frame<'a> {
    fn new(plist: &BinaryPlist<'a>, object: usize, level: usize) -> Self {
        Frame {
            object,
            level,
            refs: plist.refs(object),
            next: 0,
            deepest_child: 0,
        }
    }

    fn next_child(&mut self, plist: &BinaryPlist<'_>) -> Option<usize> {
        let refs = self.refs?;
        loop {
            let start = self.next * plist.ref_size;
            let reference = refs.get(start..start + plist.ref_size)?;
            self.next += 1;
            match usize::try_from(be(reference)) {
                Ok(child) if child < plist.count => return Some(child),
                _ => continue,
            }
        }
    }
}

/// Just enough of a binary plist to follow references: its trailer and offset table.
struct BinaryPlist<'a> {
    bytes: &'a [u8],
    offset_size: usize,
    ref_size: usize,
    count: usize,
    top: usize,
    table: usize,
}

impl<'a> BinaryPlist<'a> {
    fn new(bytes: &'a [u8]) -> Option<Self> {
        let trailer = bytes.get(bytes.len().checked_sub(32)?..)?;
        let number = |range: std::ops::Range<usize>| usize::try_from(be(&trailer[range])).ok();
        let plist = BinaryPlist {
            bytes,
            offset_size: usize::from(trailer[6]),
            ref_size: usize::from(trailer[7]),
            count: number(8..16)?,
            top: number(16..24)?,
            table: number(24..32)?,
        };
        let table_end = plist
            .count
            .checked_mul(plist.offset_size)?
            .checked_add(plist.table)?;
        let sizes_ok = (1..=8).contains(&plist.offset_size) && (1..=8).contains(&plist.ref_size);
        (sizes_ok && plist.top < plist.count && table_end <= bytes.len() - 32).then_some(plist)
    }

    /// The raw references of an array, set or dictionary (keys then values); `None` for
    /// anything else, or when the object is malformed.
    fn refs(&self, object: usize) -> Option<&'a [u8]> {
        let at = self.table + object * self.offset_size;
        let offset = usize::try_from(be(&self.bytes[at..at + self.offset_size])).ok()?;
        let marker = *self.bytes.get(offset)?;
        let per_entry = match marker >> 4 {
            0xA | 0xC => 1,
            0xD => 2,
            _ => return None,
        };
        let (count, refs_at) = match marker & 0x0F {
            0x0F => {
                let size_marker = *self.bytes.get(offset + 1)?;
                let len = 1usize << (size_marker & 0x07);
                let int = self.bytes.get(offset + 2..offset + 2 + len)?;
                (usize::try_from(be(int)).ok()?, offset + 2 + len)
            }
            small => (usize::from(small), offset + 1),
        };
        let refs_len = count.checked_mul(per_entry)?.checked_mul(self.ref_size)?;
        self.bytes.get(refs_at..refs_at.checked_add(refs_len)?)
    }
}

/// A big-endian unsigned integer of up to 8 bytes.
fn be(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0, |n, &b| (n << 8) | u64::from(b))
}

fn find_from(haystack: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

impl AppInfo {
    pub fn parse(bytes: &[u8]) -> Result<Self, InfoError> {
        check_depth(bytes).map_err(InfoError::Parse)?;
        let value = Value::from_reader(std::io::Cursor::new(bytes))
            .map_err(|e| InfoError::Parse(e.to_string()))?;
        let dict = value.as_dictionary().ok_or(InfoError::NotDictionary)?;
        Ok(Self::from_dictionary(dict))
    }

    fn from_dictionary(dict: &Dictionary) -> Self {
        let (icon_files, icon_name) = declared_icons(dict);
        AppInfo {
            bundle_id: string(dict, "CFBundleIdentifier"),
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

    fn nested(open: &str, close: &str, levels: usize) -> Vec<u8> {
        format!(
            "<plist>{}{}</plist>",
            open.repeat(levels),
            close.repeat(levels)
        )
        .into_bytes()
    }

    #[test]
    fn xml_depth_sees_through_comments_attributes_and_prefixes() {
        assert!(check_depth(&nested("<array>", "</array>", 100)).is_ok());
        assert!(check_depth(&nested("<array>", "</array>", 600)).is_err());
        assert!(check_depth(&nested("<array><!-- </array> -->", "</array>", 600)).is_err());
        assert!(check_depth(&nested("<x:dict a='/>'>", "</dict>", 600)).is_err());
        assert!(check_depth(&nested("<array/>", "", 600)).is_ok());
    }

    #[test]
    fn ascii_depth_skips_strings() {
        assert!(check_depth(&b"(".repeat(600)).is_err());
        let text = format!("{{ a = \"{}\"; }}", "(".repeat(600));
        assert!(check_depth(text.as_bytes()).is_ok());
    }

    /// A binary plist whose object `i` is an array of `refs` references to object `i + 1`
    /// (the last one to object `last_refers_to`, if any).
    fn binary_chain(objects: u8, refs: u8, last_refers_to: Option<u8>) -> Vec<u8> {
        let mut plist = b"bplist00".to_vec();
        let mut offsets = Vec::new();
        for object in 0..objects {
            offsets.push(plist.len() as u8);
            let target = if object + 1 < objects {
                Some(object + 1)
            } else {
                last_refers_to
            };
            match target {
                Some(target) => {
                    plist.push(0xA0 | refs);
                    plist.extend(std::iter::repeat_n(target, usize::from(refs)));
                }
                None => plist.push(0xA0),
            }
        }
        let table = plist.len() as u64;
        plist.extend(offsets);
        plist.extend_from_slice(&[0, 0, 0, 0, 0, 0, 1, 1]);
        plist.extend_from_slice(&u64::from(objects).to_be_bytes());
        plist.extend_from_slice(&0u64.to_be_bytes());
        plist.extend_from_slice(&table.to_be_bytes());
        plist
    }

    #[test]
    fn binary_depth_follows_references() {
        let mut real = Vec::new();
        let value = Value::Dictionary(Dictionary::from_iter([(
            "a".to_string(),
            Value::Array(vec![Value::Array(vec![1.into()])]),
        )]));
        plist::to_writer_binary(&mut real, &value).expect("plist");
        assert_eq!(binary_depth(&real), 3);
        // Each level refers to the next twice: 2^40 paths, 40 levels, visited once each.
        assert_eq!(binary_depth(&binary_chain(40, 2, None)), 40);
        // A cycle ends the walk instead of looping.
        assert_eq!(binary_depth(&binary_chain(3, 1, Some(0))), 3);
    }
}
