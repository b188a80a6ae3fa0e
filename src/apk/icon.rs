//! The launcher icon: the icon resource's best-density file, and the best bitmap among its
//! configurations (what otasite can show: adaptive and vector XML icons are not drawn).

use super::arsc::{self, Config, Table};
use super::chunk::Value;

/// How an icon file is encoded, read from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IconKind {
    Png,
    Webp,
    Jpeg,
    /// Binary XML: `<adaptive-icon>`, `<vector>` or another drawable.
    Xml,
    Unknown,
}

impl IconKind {
    pub fn of(prefix: &[u8]) -> IconKind {
        if prefix.starts_with(b"\x89PNG\r\n\x1a\n") {
            IconKind::Png
        } else if prefix.len() >= 12 && &prefix[..4] == b"RIFF" && &prefix[8..12] == b"WEBP" {
            IconKind::Webp
        } else if prefix.starts_with(&[0xff, 0xd8, 0xff]) {
            IconKind::Jpeg
        } else if prefix.starts_with(&[0x03, 0x00, 0x08, 0x00]) {
            IconKind::Xml
        } else {
            IconKind::Unknown
        }
    }

    pub fn is_bitmap(self) -> bool {
        matches!(self, IconKind::Png | IconKind::Webp | IconKind::Jpeg)
    }
}

/// The file paths of the icon resource, best density first (any-density XML ranks highest,
/// then no-density, then the highest density; the unqualified default counts as mdpi).
pub fn candidates(icon: &Value, table: &Table<'_>) -> Vec<(Config, String)> {
    let Value::Reference(id) = icon else {
        return Vec::new();
    };
    // An icon that is an alias (`@mipmap/a` → `@mipmap/b`) is followed first.
    let mut values = table.values(*id);
    for _ in 0..arsc::MAX_REFERENCE_DEPTH {
        match values.iter().find_map(|(_, v)| match v {
            Value::Reference(next) => Some(*next),
            _ => None,
        }) {
            Some(next) if values.iter().all(|(_, v)| matches!(v, Value::Reference(_))) => {
                values = table.values(next)
            }
            _ => break,
        }
    }
    let mut paths: Vec<(Config, String)> = values
        .into_iter()
        .filter_map(|(config, value)| match value {
            Value::String(path) => Some((config, path)),
            _ => None,
        })
        .collect();
    paths.sort_by_key(|(config, _)| std::cmp::Reverse(rank(config.density)));
    paths
}

fn rank(density: u16) -> u32 {
    match density {
        arsc::DENSITY_ANY => u32::MAX,
        arsc::DENSITY_NONE => u32::MAX - 1,
        0 => 160,
        d => u32::from(d),
    }
}

/// Width and height of a PNG, WebP or JPEG from its first bytes.
pub fn dimensions(kind: IconKind, bytes: &[u8]) -> Option<(u32, u32)> {
    let be32 = |at: usize| Some(u32::from_be_bytes(bytes.get(at..at + 4)?.try_into().ok()?));
    let le16 = |at: usize| Some(u16::from_le_bytes(bytes.get(at..at + 2)?.try_into().ok()?));
    let le24 = |at: usize| {
        let b = bytes.get(at..at + 3)?;
        Some(u32::from(b[0]) | u32::from(b[1]) << 8 | u32::from(b[2]) << 16)
    };
    match kind {
        IconKind::Png => Some((be32(16)?, be32(20)?)),
        IconKind::Webp => match bytes.get(12..16)? {
            b"VP8 " => Some((u32::from(le16(26)? & 0x3fff), u32::from(le16(28)? & 0x3fff))),
            b"VP8L" => {
                let bits = u32::from_le_bytes(bytes.get(21..25)?.try_into().ok()?);
                Some(((bits & 0x3fff) + 1, ((bits >> 14) & 0x3fff) + 1))
            }
            b"VP8X" => Some((le24(24)? + 1, le24(27)? + 1)),
            _ => None,
        },
        IconKind::Jpeg => jpeg_dimensions(bytes),
        IconKind::Xml | IconKind::Unknown => None,
    }
}

/// Walks JPEG markers to the first start-of-frame.
fn jpeg_dimensions(bytes: &[u8]) -> Option<(u32, u32)> {
    let mut at = 2;
    loop {
        if *bytes.get(at)? != 0xff {
            return None;
        }
        let marker = *bytes.get(at + 1)?;
        let length = usize::from(u16::from_be_bytes([
            *bytes.get(at + 2)?,
            *bytes.get(at + 3)?,
        ]));
        let is_frame = matches!(marker, 0xc0..=0xcf) && !matches!(marker, 0xc4 | 0xc8 | 0xcc);
        if is_frame {
            let height = u16::from_be_bytes([*bytes.get(at + 5)?, *bytes.get(at + 6)?]);
            let width = u16::from_be_bytes([*bytes.get(at + 7)?, *bytes.get(at + 8)?]);
            return Some((u32::from(width), u32::from(height)));
        }
        at = at.checked_add(2 + length)?;
    }
}

/// The root element name of a binary XML drawable (`adaptive-icon`, `vector`, …).
pub fn xml_root(bytes: &[u8]) -> Option<String> {
    super::axml::parse(bytes)
        .ok()
        .and_then(|elements| elements.into_iter().next())
        .map(|root| root.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bitmap_sizes_come_from_their_headers() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend_from_slice(&48u32.to_be_bytes());
        png.extend_from_slice(&36u32.to_be_bytes());
        assert_eq!(IconKind::of(&png), IconKind::Png);
        assert_eq!(dimensions(IconKind::Png, &png), Some((48, 36)));
        assert_eq!(dimensions(IconKind::Png, &png[..18]), None);
        let mut webp = b"RIFF\0\0\0\0WEBPVP8X\0\0\0\0\0\0\0\0".to_vec();
        webp.extend_from_slice(&[191, 0, 0, 95, 0, 0]);
        assert_eq!(dimensions(IconKind::of(&webp), &webp), Some((192, 96)));
        assert_eq!(jpeg_dimensions(&[0xff, 0xd8, 0xff, 0xe0, 0xff, 0xff]), None);
    }
}
