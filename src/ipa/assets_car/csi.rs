//! The CSI header that starts every rendition value, its TLVs and internal links.
//!
//! Layout (little-endian; Timac `csiheader`, ipsw `pkg/car/types.go`, carutil `csi.rs`):
//! `'ISTC', u32 version, u32 flags, u32 width, u32 height, u32 scale×100, u32 pixelFormat,
//! u32 colorSpace, u32 modtime, u16 layout, u16 zero, char name[128], u32 tlvLength,
//! u32 bitmapCount, u32 zero, u32 payloadLength` (184 bytes), then the TLVs, then the payload.

use super::CarError;
use super::bytes::{Cursor, to_usize};

/// Rendition layouts (Timac `CoreThemeLayout`, ipsw `renditionLayoutType`).
pub(super) mod layout {
    pub const LAYER_STACK: u16 = 1002;
    pub const INTERNAL_LINK: u16 = 1003;
    pub const COLOR: u16 = 1009;
    pub const MULTISIZE_IMAGE_SET: u16 = 1010;
}

/// TLV tags (Timac `RenditionAttributeType`, xcbuild `car_rendition_info_*`).
mod tlv {
    pub const BYTES_PER_ROW: u32 = 1007;
    pub const INTERNAL_LINK: u32 = 1010;
}

const NAME_LENGTH: usize = 128;

/// The parts of a rendition value that decoding needs.
pub(super) struct Csi<'a> {
    pub width: u32,
    pub height: u32,
    /// Scale ×100 (100, 200, 300; 0 when unscaled).
    pub scale_factor: u32,
    /// The pixel format FourCC in reading order (`ARGB`, `GA8 `, `JPEG`, `DATA`…).
    pub pixel_format: [u8; 4],
    pub layout: u16,
    /// The original file name, e.g. `Icon-60@3x.png`; empty when none was stored.
    pub name: String,
    tlvs: &'a [u8],
    pub payload: &'a [u8],
}

/// A crop rectangle in pixels, origin at the bottom left (Core Graphics).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Rect {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

/// TLV 1010 (`KLNI`): the rendition's pixels are the rectangle `frame` of the packed image
/// whose key has exactly the attribute values `key` (ipsw `csiInternalLinkData`).
#[derive(Debug)]
pub(super) struct InternalLink {
    pub frame: Rect,
    pub key: Vec<(u16, u16)>,
}

impl<'a> Csi<'a> {
    pub(super) fn parse(value: &'a [u8]) -> Result<Self, CarError> {
        let mut cursor = Cursor::new(value, "a rendition header");
        // FourCCs are little-endian u32s, so `CTSI` reads backwards on disk.
        cursor.expect_signature("ISTC")?;
        let _version = cursor.u32_le()?;
        let _flags = cursor.u32_le()?;
        let width = cursor.u32_le()?;
        let height = cursor.u32_le()?;
        let scale_factor = cursor.u32_le()?;
        let pixel_format = reversed(cursor.take_array()?);
        let _color_space = cursor.u32_le()?;
        let _modification_time = cursor.u32_le()?;
        let layout = cursor.u16_le()?;
        let _zero = cursor.u16_le()?;
        let name = c_string(cursor.take(NAME_LENGTH)?);
        let tlv_length = to_usize(cursor.u32_le()?);
        // bitmapCount and the accumulated lengths [0, payloadLength] (ipsw); always one bitmap.
        let _bitmap_count = cursor.u32_le()?;
        let _zero = cursor.u32_le()?;
        let payload_length = to_usize(cursor.u32_le()?);
        let tlvs = cursor.take(tlv_length)?;
        let payload = cursor.take(payload_length)?;
        Ok(Csi {
            width,
            height,
            scale_factor,
            pixel_format,
            layout,
            name,
            tlvs,
            payload,
        })
    }

    /// The value of the first TLV tagged `tag`.
    fn tlv(&self, tag: u32) -> Result<Option<&'a [u8]>, CarError> {
        let mut cursor = Cursor::new(self.tlvs, "a rendition TLV");
        while !cursor.is_empty() {
            let this_tag = cursor.u32_le()?;
            let length = to_usize(cursor.u32_le()?);
            let value = cursor.take(length)?;
            if this_tag == tag {
                return Ok(Some(value));
            }
        }
        Ok(None)
    }

    /// TLV 1007: the decompressed row stride, which Xcode 12+ pads to a multiple of 32 bytes.
    pub(super) fn bytes_per_row(&self) -> Result<Option<u32>, CarError> {
        self.tlv(tlv::BYTES_PER_ROW)?
            .map(|value| Cursor::new(value, "the bytes-per-row TLV").u32_le())
            .transpose()
    }

    /// TLV 1010: `'KLNI', u32 flags, u32 x, y, w, h, u16 layout, u32 length, then
    /// length/4 × {u16 attribute, u16 value}` ending at a `(0, 0)` pair (ipsw; xcbuild's
    /// `u16` length is off by two bytes).
    pub(super) fn internal_link(&self) -> Result<Option<InternalLink>, CarError> {
        let Some(value) = self.tlv(tlv::INTERNAL_LINK)? else {
            return Ok(None);
        };
        let mut cursor = Cursor::new(value, "an internal link");
        cursor.expect_signature("KLNI")?;
        let _flags = cursor.u32_le()?;
        let frame = Rect {
            x: cursor.u32_le()?,
            y: cursor.u32_le()?,
            width: cursor.u32_le()?,
            height: cursor.u32_le()?,
        };
        let _layout = cursor.u16_le()?;
        let key_length = to_usize(cursor.u32_le()?);
        let mut pairs = Cursor::new(cursor.take(key_length)?, "an internal link key");
        let mut key = Vec::new();
        while !pairs.is_empty() {
            let pair = (pairs.u16_le()?, pairs.u16_le()?);
            if pair == (0, 0) {
                break;
            }
            key.push(pair);
        }
        Ok(Some(InternalLink { frame, key }))
    }

    /// A printable pixel format, e.g. `"ARGB"`.
    pub(super) fn pixel_format_name(&self) -> String {
        String::from_utf8_lossy(&self.pixel_format)
            .trim_end()
            .to_owned()
    }
}

fn reversed(mut four_cc: [u8; 4]) -> [u8; 4] {
    four_cc.reverse();
    four_cc
}

/// A NUL-terminated name field, lossily as UTF-8.
fn c_string(field: &[u8]) -> String {
    let end = field
        .iter()
        .position(|&byte| byte == 0)
        .unwrap_or(field.len());
    String::from_utf8_lossy(&field[..end]).into_owned()
}
