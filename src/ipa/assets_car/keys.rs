//! Rendition keys: `KEYFORMAT` (+ `KEYFORMATWORKAROUND`), facets and rendition keys.
//!
//! A rendition key is a row of `u16` values, one per attribute listed in `KEYFORMAT`; a facet
//! (`FACETKEYS` entry) names a set of attributes, among them the `identifier` that its
//! renditions carry (Timac "Reverse engineering the .car file format"; xcbuild `Reader.cpp`).

use super::CarError;
use super::bom::TreeEntry;
use super::bytes::Cursor;

/// Attribute ids, as in `-[CUIRenditionKey nameOfAttributeName:]` (Timac).
pub(super) mod attribute {
    pub const APPEARANCE: u16 = 7;
    pub const SCALE: u16 = 12;
    pub const SUBTYPE: u16 = 16;
    pub const IDENTIFIER: u16 = 17;
    pub const DISPLAY_GAMUT: u16 = 24;
}

/// More attributes than CoreUI has ever defined (27 known); bounds a corrupt count.
const MAX_KEY_ATTRIBUTES: usize = 256;

/// The attribute id held by each slot of a rendition key.
pub(super) struct KeyFormat {
    attributes: Vec<u16>,
}

/// A rendition key as `(attribute, value)` pairs in `KEYFORMAT` order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct RenditionKey {
    pairs: Vec<(u16, u16)>,
}

impl KeyFormat {
    /// Parses `KEYFORMAT` (`'tmfk', u32 version, u32 count, count × u32 id`, little-endian,
    /// stored as the reversed FourCC `kfmt`) and applies `KEYFORMATWORKAROUND`.
    pub(super) fn parse(key_format: &[u8], workaround: Option<&[u8]>) -> Result<Self, CarError> {
        let mut cursor = Cursor::new(key_format, "the KEYFORMAT table");
        cursor.expect_signature("tmfk")?;
        let _version = cursor.u32_le()?;
        let count = usize::try_from(cursor.u32_le()?).unwrap_or(usize::MAX);
        if count > MAX_KEY_ATTRIBUTES {
            return Err(CarError::Corrupt(format!(
                "KEYFORMAT lists {count} attributes"
            )));
        }
        let mut attributes = Vec::with_capacity(count);
        for _ in 0..count {
            attributes.push(attribute_id(cursor.u32_le()?));
        }
        if let Some(workaround) = workaround {
            apply_workaround(&mut attributes, workaround);
        }
        Ok(KeyFormat { attributes })
    }

    /// Decodes a `RENDITIONS` key: one little-endian `u16` per `KEYFORMAT` slot.
    pub(super) fn rendition_key(&self, key: &[u8]) -> Result<RenditionKey, CarError> {
        let mut cursor = Cursor::new(key, "a rendition key");
        let pairs = self
            .attributes
            .iter()
            .map(|&attribute| Ok((attribute, cursor.u16_le()?)))
            .collect::<Result<_, CarError>>()?;
        Ok(RenditionKey { pairs })
    }
}

/// Attribute ids are stored as `u32`; an id beyond `u16` can name no attribute that keys,
/// facets or links (all `u16`) could refer to, so it becomes the unused id 0xFFFF.
fn attribute_id(stored: u32) -> u16 {
    u16::try_from(stored).unwrap_or(u16::MAX)
}

/// `KEYFORMATWORKAROUND` has one `u32` per `KEYFORMAT` slot; its non-zero entries name the
/// attributes that older CoreUI stored as placeholders (Xcode 11.3: glyph weight/size 26, 27
/// in the two slots KEYFORMAT lists as 5). Any other shape is ignored: it never affects the
/// identifier, scale, idiom or appearance slots.
fn apply_workaround(attributes: &mut [u16], workaround: &[u8]) {
    if workaround.len() != attributes.len() * 4 {
        return;
    }
    for (attribute, replacement) in attributes.iter_mut().zip(workaround.chunks_exact(4)) {
        let replacement = u32::from_le_bytes([
            replacement[0],
            replacement[1],
            replacement[2],
            replacement[3],
        ]);
        if replacement != 0 {
            *attribute = attribute_id(replacement);
        }
    }
}

impl RenditionKey {
    pub(super) fn from_pairs(pairs: Vec<(u16, u16)>) -> Self {
        RenditionKey { pairs }
    }

    /// The value of `attribute`; attributes absent from the key format count as 0.
    pub(super) fn get(&self, attribute: u16) -> u16 {
        self.pairs
            .iter()
            .find(|&&(id, _)| id == attribute)
            .map_or(0, |&(_, value)| value)
    }

    /// The attributes with non-zero values, sorted: equal for keys naming the same rendition
    /// whatever slot order they were written in (used to resolve internal links).
    pub(super) fn significant_pairs(&self) -> Vec<(u16, u16)> {
        let mut pairs: Vec<_> = self
            .pairs
            .iter()
            .copied()
            .filter(|&(_, value)| value != 0)
            .collect();
        pairs.sort_unstable();
        pairs
    }
}

/// The identifier of the facet named `name` in `FACETKEYS`, or `None` if there is no such
/// facet. A facet value is `u16 hotspotX, u16 hotspotY, u16 count, count × {u16 attribute,
/// u16 value}` (Timac `renditionkeytoken`, xcbuild `car_facet_value`).
pub(super) fn facet_identifier(facets: &[TreeEntry], name: &str) -> Result<Option<u16>, CarError> {
    let Some(facet) = facets
        .iter()
        .find(|facet| trim_nuls(facet.key) == name.as_bytes())
    else {
        return Ok(None);
    };
    let mut cursor = Cursor::new(facet.value, "a FACETKEYS entry");
    cursor.skip(4)?;
    let count = cursor.u16_le()?;
    for _ in 0..count {
        let attribute = cursor.u16_le()?;
        let value = cursor.u16_le()?;
        if attribute == attribute::IDENTIFIER {
            return Ok(Some(value));
        }
    }
    Err(CarError::Corrupt(format!(
        "the facet {name:?} has no identifier"
    )))
}

fn trim_nuls(bytes: &[u8]) -> &[u8] {
    let end = bytes
        .iter()
        .rposition(|&byte| byte != 0)
        .map_or(0, |last| last + 1);
    &bytes[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_format_bytes(ids: &[u32]) -> Vec<u8> {
        let mut bytes = b"tmfk".to_vec();
        bytes.extend(0u32.to_le_bytes());
        bytes.extend(u32::try_from(ids.len()).unwrap().to_le_bytes());
        ids.iter().for_each(|id| bytes.extend(id.to_le_bytes()));
        bytes
    }

    #[test]
    fn workaround_replaces_placeholder_slots() {
        // The Xcode 11.3.1 shape: two placeholder (5) slots become glyph weight/size.
        let format = key_format_bytes(&[7, 13, 12, 15, 16, 5, 5, 9, 17, 1, 2]);
        let mut workaround = vec![0u8; 44];
        workaround[20..24].copy_from_slice(&26u32.to_le_bytes());
        workaround[24..28].copy_from_slice(&27u32.to_le_bytes());
        let format = KeyFormat::parse(&format, Some(&workaround)).unwrap();
        assert_eq!(format.attributes, [7, 13, 12, 15, 16, 26, 27, 9, 17, 1, 2]);
    }

    #[test]
    fn workaround_of_another_length_is_ignored() {
        let format = KeyFormat::parse(&key_format_bytes(&[12, 5, 17]), Some(&[1, 2, 3])).unwrap();
        assert_eq!(format.attributes, [12, 5, 17]);
    }

    #[test]
    fn rendition_key_reads_one_value_per_slot() {
        let format = KeyFormat::parse(&key_format_bytes(&[12, 17]), None).unwrap();
        let key = format.rendition_key(&[3, 0, 0xC1, 0x1A]).unwrap();
        assert_eq!(key.get(attribute::SCALE), 3);
        assert_eq!(key.get(attribute::IDENTIFIER), 6849);
        assert_eq!(key.get(attribute::APPEARANCE), 0);
        assert!(format.rendition_key(&[3, 0, 0xC1]).is_err());
    }

    #[test]
    fn corrupt_key_formats_are_errors() {
        assert!(KeyFormat::parse(b"kfmt\0\0\0\0\0\0\0\0", None).is_err());
        let mut huge = key_format_bytes(&[]);
        huge[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(KeyFormat::parse(&huge, None).is_err());
    }
}
