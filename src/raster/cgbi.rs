//! Apple's CgBI ("crushed") PNG variant.
//!
//! Xcode rewrites the PNGs it copies into an app bundle: a `CgBI` chunk comes
//! before `IHDR`, the `IDAT` stream is raw deflate (no zlib header or Adler-32
//! trailer), pixels are stored B G R (A) and colour is premultiplied by alpha.
//!
//! Rather than unfiltering by hand, we re-inflate the raw stream, re-wrap it as
//! a standard zlib stream inside a standard PNG, let the `png` crate do the
//! unfiltering (all five filter types, Adam7 interlacing, every bit depth),
//! then swap the channels back and undo the premultiplication.
//!
//! This module also holds the small chunk walker that [`super`] (the raster module) uses
//! to read PNG headers, since it is needed here anyway.

use std::io::{Read, Write};

use flate2::Crc;
use flate2::read::DeflateDecoder;
use flate2::write::ZlibEncoder;

use super::{self as raster, RasterError, RgbaImage};

/// The eight bytes every PNG (crushed or not) starts with.
pub(crate) const SIGNATURE: [u8; 8] = *b"\x89PNG\r\n\x1a\n";

/// The PNG spec caps chunk lengths and dimensions at 2^31 - 1.
const PNG_MAX_U31: u32 = 0x7fff_ffff;

/// One chunk whose length and CRC have been checked.
pub(crate) struct Chunk<'a> {
    pub kind: [u8; 4],
    pub data: &'a [u8],
}

impl Chunk<'_> {
    fn name(&self) -> String {
        String::from_utf8_lossy(&self.kind).into_owned()
    }
}

/// Walks the chunks after the signature, yielding at most one error (then stopping).
pub(crate) struct Chunks<'a> {
    rest: &'a [u8],
    failed: bool,
}

/// Checks the signature and returns an iterator over the chunks that follow.
pub(crate) fn chunks(bytes: &[u8]) -> Result<Chunks<'_>, RasterError> {
    match bytes.strip_prefix(&SIGNATURE[..]) {
        Some(rest) => Ok(Chunks {
            rest,
            failed: false,
        }),
        None => Err(RasterError::NotPng),
    }
}

impl<'a> Iterator for Chunks<'a> {
    type Item = Result<Chunk<'a>, RasterError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.rest.is_empty() {
            return None;
        }
        let result = self.split_chunk();
        self.failed = result.is_err();
        Some(result)
    }
}

impl<'a> Chunks<'a> {
    fn split_chunk(&mut self) -> Result<Chunk<'a>, RasterError> {
        let (length, rest) = split_u32(self.rest).ok_or(RasterError::Truncated)?;
        if length > PNG_MAX_U31 {
            return Err(RasterError::Malformed("a chunk length exceeds 2^31 - 1"));
        }
        let length = length as usize;
        // Chunk type (4) + data (length) + CRC (4); `length` fits in 31 bits so no overflow.
        if rest.len() < 4 + length + 4 {
            return Err(RasterError::Truncated);
        }
        let (typed, rest) = rest.split_at(4 + length);
        let (stored_crc, rest) = split_u32(rest).ok_or(RasterError::Truncated)?;
        let mut crc = Crc::new();
        crc.update(typed);
        let (kind, data) = typed.split_at(4);
        let chunk = Chunk {
            kind: [kind[0], kind[1], kind[2], kind[3]],
            data,
        };
        if crc.sum() != stored_crc {
            return Err(RasterError::BadCrc {
                chunk: chunk.name(),
            });
        }
        self.rest = rest;
        Ok(chunk)
    }
}

fn split_u32(bytes: &[u8]) -> Option<(u32, &[u8])> {
    let (head, rest) = bytes.split_first_chunk::<4>()?;
    Some((u32::from_be_bytes(*head), rest))
}

/// The fields of an `IHDR` chunk, validated against the PNG spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Ihdr {
    pub width: u32,
    pub height: u32,
    pub bit_depth: u8,
    pub color_type: u8,
    pub interlaced: bool,
}

/// Adam7 passes as (x offset, y offset, x step, y step).
const ADAM7: [(u32, u32, u32, u32); 7] = [
    (0, 0, 8, 8),
    (4, 0, 8, 8),
    (0, 4, 4, 8),
    (2, 0, 4, 4),
    (0, 2, 2, 4),
    (1, 0, 2, 2),
    (0, 1, 1, 2),
];

impl Ihdr {
    pub fn parse(data: &[u8]) -> Result<Self, RasterError> {
        let Ok(fields) = <[u8; 13]>::try_from(data) else {
            return Err(RasterError::Malformed(
                "the IHDR chunk is not 13 bytes long",
            ));
        };
        let [
            w0,
            w1,
            w2,
            w3,
            h0,
            h1,
            h2,
            h3,
            bit_depth,
            color_type,
            compression,
            filter,
            interlace,
        ] = fields;
        let ihdr = Ihdr {
            width: u32::from_be_bytes([w0, w1, w2, w3]),
            height: u32::from_be_bytes([h0, h1, h2, h3]),
            bit_depth,
            color_type,
            interlaced: interlace == 1,
        };
        if ihdr.width == 0 || ihdr.height == 0 {
            return Err(RasterError::Malformed(
                "the image has a zero width or height",
            ));
        }
        if ihdr.width > PNG_MAX_U31 || ihdr.height > PNG_MAX_U31 {
            return Err(RasterError::Malformed(
                "the image width or height exceeds 2^31 - 1",
            ));
        }
        if ihdr.channels().is_none() {
            return Err(RasterError::Malformed(
                "invalid colour type and bit depth combination",
            ));
        }
        if compression != 0 || filter != 0 || interlace > 1 {
            return Err(RasterError::Malformed(
                "unknown compression, filter or interlace method",
            ));
        }
        Ok(ihdr)
    }

    /// Samples per pixel, or `None` for a combination the spec forbids.
    fn channels(&self) -> Option<u64> {
        let channels = match self.color_type {
            0 => 1,
            2 => 3,
            3 => 1,
            4 => 2,
            6 => 4,
            _ => return None,
        };
        let depth_ok = match self.color_type {
            0 => matches!(self.bit_depth, 1 | 2 | 4 | 8 | 16),
            3 => matches!(self.bit_depth, 1 | 2 | 4 | 8),
            _ => matches!(self.bit_depth, 8 | 16),
        };
        depth_ok.then_some(channels)
    }

    fn has_alpha(&self) -> bool {
        matches!(self.color_type, 4 | 6)
    }

    fn is_truecolor(&self) -> bool {
        matches!(self.color_type, 2 | 6)
    }

    /// Exact size of the inflated `IDAT` stream: filter byte plus packed samples per row.
    fn raw_data_len(&self) -> Option<usize> {
        if !self.interlaced {
            return self.scanlines_len(self.width, self.height);
        }
        ADAM7.iter().try_fold(0usize, |total, &(x0, y0, dx, dy)| {
            let width = self.width.saturating_sub(x0).div_ceil(dx);
            let height = self.height.saturating_sub(y0).div_ceil(dy);
            total.checked_add(self.scanlines_len(width, height)?)
        })
    }

    fn scanlines_len(&self, width: u32, height: u32) -> Option<usize> {
        if width == 0 || height == 0 {
            return Some(0); // empty Adam7 passes carry no rows at all
        }
        let bits = u64::from(width) * self.channels()? * u64::from(self.bit_depth);
        let row = bits.div_ceil(8) + 1;
        usize::try_from(row.checked_mul(u64::from(height))?).ok()
    }
}

/// What the first chunks of a PNG say.
pub(crate) struct Header {
    pub ihdr: Ihdr,
    pub cgbi: bool,
}

/// Reads the signature, an optional leading `CgBI` chunk and `IHDR`; nothing more.
pub(crate) fn read_header(bytes: &[u8]) -> Result<Header, RasterError> {
    let mut chunks = chunks(bytes)?;
    let mut next = || chunks.next().unwrap_or(Err(RasterError::Truncated));
    let mut first = next()?;
    let cgbi = &first.kind == b"CgBI";
    if cgbi {
        first = next()?;
    }
    if &first.kind != b"IHDR" {
        return Err(RasterError::Malformed("the first chunk is not IHDR"));
    }
    Ok(Header {
        ihdr: Ihdr::parse(first.data)?,
        cgbi,
    })
}

/// The chunks of a crushed PNG that matter for decoding.
struct Crushed<'a> {
    ihdr: Ihdr,
    palette: Option<&'a [u8]>,
    transparency: Option<&'a [u8]>,
    /// All `IDAT` payloads concatenated: one raw deflate stream.
    deflated: Vec<u8>,
}

impl<'a> Crushed<'a> {
    /// Walks every chunk (checking each CRC) up to `IEND`.
    fn parse(bytes: &'a [u8]) -> Result<Self, RasterError> {
        let header = read_header(bytes)?;
        if !header.cgbi {
            return Err(RasterError::Malformed("the CgBI chunk is missing"));
        }
        let mut crushed = Crushed {
            ihdr: header.ihdr,
            palette: None,
            transparency: None,
            deflated: Vec::new(),
        };
        // The header chunks were validated by `read_header`; skip CgBI and IHDR.
        for chunk in chunks(bytes)?.skip(2) {
            let chunk = chunk?;
            match &chunk.kind {
                b"IDAT" => crushed.deflated.extend_from_slice(chunk.data),
                b"PLTE" => crushed.palette = Some(chunk.data),
                b"tRNS" => crushed.transparency = Some(chunk.data),
                b"IEND" => return Ok(crushed),
                _ => {} // ancillary metadata (gAMA, iTXt, …) is not needed for pixels
            }
        }
        Err(RasterError::Truncated)
    }

    /// Inflates the raw deflate stream, reading no more than the header implies.
    fn inflate(&self) -> Result<Vec<u8>, RasterError> {
        let expected = self.ihdr.raw_data_len().ok_or(RasterError::TooLarge {
            width: self.ihdr.width,
            height: self.ihdr.height,
        })?;
        // Grow with the data actually present instead of trusting `expected` up front.
        let mut raw = Vec::with_capacity(expected.min(self.deflated.len().saturating_mul(4)));
        DeflateDecoder::new(self.deflated.as_slice())
            .take(expected as u64)
            .read_to_end(&mut raw)
            .map_err(|e| RasterError::Png(format!("the CgBI image data does not inflate: {e}")))?;
        if raw.len() < expected {
            return Err(RasterError::Truncated);
        }
        Ok(raw)
    }

    /// Builds a standard PNG holding the same (still premultiplied, BGR-ordered) samples.
    fn to_standard_png(&self, raw: &[u8]) -> Result<Vec<u8>, RasterError> {
        let zlib = zlib_stored(raw)
            .map_err(|e| RasterError::Png(format!("cannot re-wrap the CgBI data: {e}")))?;
        if zlib.len() > PNG_MAX_U31 as usize {
            return Err(RasterError::TooLarge {
                width: self.ihdr.width,
                height: self.ihdr.height,
            });
        }
        let mut png = Vec::with_capacity(zlib.len() + 1024);
        png.extend_from_slice(&SIGNATURE);
        write_chunk(&mut png, b"IHDR", &self.ihdr_bytes());
        if let Some(palette) = self.palette {
            write_chunk(&mut png, b"PLTE", palette);
        }
        if let Some(transparency) = self.transparency {
            write_chunk(&mut png, b"tRNS", transparency);
        }
        write_chunk(&mut png, b"IDAT", &zlib);
        write_chunk(&mut png, b"IEND", &[]);
        Ok(png)
    }

    fn ihdr_bytes(&self) -> [u8; 13] {
        let ihdr = &self.ihdr;
        let mut out = [0u8; 13];
        out[..4].copy_from_slice(&ihdr.width.to_be_bytes());
        out[4..8].copy_from_slice(&ihdr.height.to_be_bytes());
        out[8] = ihdr.bit_depth;
        out[9] = ihdr.color_type;
        out[12] = u8::from(ihdr.interlaced);
        out
    }
}

/// Wraps data in a zlib stream of stored (uncompressed) blocks: the PNG built
/// from it is inflated once and thrown away, so compressing would be wasted work.
fn zlib_stored(raw: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut encoder = ZlibEncoder::new(Vec::new(), flate2::Compression::none());
    encoder.write_all(raw)?;
    encoder.finish()
}

/// Appends one chunk with its length and CRC. `data` must be shorter than 2^31.
fn write_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    let mut crc = Crc::new();
    crc.update(kind);
    crc.update(data);
    // Callers only pass IHDR/PLTE/tRNS (from checked chunks) or IDAT checked above.
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&crc.sum().to_be_bytes());
}

/// Decodes a CgBI PNG into straight-alpha RGBA.
pub(crate) fn decode(bytes: &[u8]) -> Result<RgbaImage, RasterError> {
    let crushed = Crushed::parse(bytes)?;
    raster::check_dimensions(crushed.ihdr.width, crushed.ihdr.height)?;
    let raw = crushed.inflate()?;
    let standard = crushed.to_standard_png(&raw)?;
    drop(raw);
    let mut image = raster::decode_standard(&standard)?;
    restore_channels(&mut image.pixels, &crushed.ihdr);
    Ok(image)
}

/// Undoes Apple's BGR order and premultiplication on decoded RGBA pixels.
fn restore_channels(pixels: &mut [u8], ihdr: &Ihdr) {
    // Palette and grey images carry no channel order; only truecolour is swapped.
    let swap = ihdr.is_truecolor();
    let unpremultiply = ihdr.has_alpha();
    for pixel in pixels.chunks_exact_mut(4) {
        if swap {
            pixel.swap(0, 2);
        }
        if unpremultiply {
            unpremultiply_pixel(pixel);
        }
    }
}

/// Turns premultiplied RGBA into straight RGBA, rounding to nearest.
fn unpremultiply_pixel(pixel: &mut [u8]) {
    let alpha = u32::from(pixel[3]);
    match alpha {
        255 => {}
        // Fully transparent pixels have no recoverable colour: use black.
        0 => pixel[..3].fill(0),
        _ => {
            for channel in &mut pixel[..3] {
                let straight = (u32::from(*channel) * 255 + alpha / 2) / alpha;
                // A corrupt file may store colour > alpha; clamp instead of wrapping.
                *channel = straight.min(255) as u8;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ihdr(width: u32, height: u32, color_type: u8, bit_depth: u8, interlaced: bool) -> Ihdr {
        Ihdr {
            width,
            height,
            bit_depth,
            color_type,
            interlaced,
        }
    }

    #[test]
    fn cgbi_unpremultiply_rounds_to_nearest() {
        let mut pixel = [64, 32, 0, 128];
        unpremultiply_pixel(&mut pixel);
        // 64 * 255 / 128 = 127.5 -> 128; 32 * 255 / 128 = 63.75 -> 64.
        assert_eq!(pixel, [128, 64, 0, 128]);
    }

    #[test]
    fn cgbi_unpremultiply_handles_extremes() {
        let mut transparent = [10, 20, 30, 0];
        unpremultiply_pixel(&mut transparent);
        assert_eq!(transparent, [0, 0, 0, 0]);

        let mut opaque = [10, 20, 30, 255];
        unpremultiply_pixel(&mut opaque);
        assert_eq!(opaque, [10, 20, 30, 255]);

        // Invalid premultiplied data (colour above alpha) saturates.
        let mut invalid = [200, 0, 0, 10];
        unpremultiply_pixel(&mut invalid);
        assert_eq!(invalid, [255, 0, 0, 10]);
    }

    #[test]
    fn cgbi_restore_swaps_only_truecolor() {
        let mut rgba = [1, 2, 3, 255];
        restore_channels(&mut rgba, &ihdr(1, 1, 6, 8, false));
        assert_eq!(rgba, [3, 2, 1, 255]);

        let mut grey = [1, 2, 3, 255];
        restore_channels(&mut grey, &ihdr(1, 1, 0, 8, false));
        assert_eq!(grey, [1, 2, 3, 255]);
    }

    #[test]
    fn cgbi_raw_len_non_interlaced() {
        assert_eq!(ihdr(3, 2, 6, 8, false).raw_data_len(), Some(2 * (1 + 12)));
        assert_eq!(ihdr(9, 1, 0, 1, false).raw_data_len(), Some(1 + 2));
        assert_eq!(ihdr(1, 1, 2, 16, false).raw_data_len(), Some(1 + 6));
    }

    #[test]
    fn cgbi_raw_len_interlaced_skips_empty_passes() {
        // A 1×1 image only has a pixel in the first Adam7 pass.
        assert_eq!(ihdr(1, 1, 6, 8, true).raw_data_len(), Some(1 + 4));
        // An 8×8 image: passes are 1×1, 1×1, 2×1, 2×2, 4×2, 4×4, 8×4 pixels.
        let rows = [(1, 1), (1, 1), (2, 1), (2, 2), (4, 2), (4, 4), (8, 4)];
        let expected: usize = rows.iter().map(|&(w, h)| h * (1 + w * 4)).sum();
        assert_eq!(ihdr(8, 8, 6, 8, true).raw_data_len(), Some(expected));
    }

    #[test]
    fn cgbi_ihdr_rejects_invalid_fields() {
        let mut data = [0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0];
        assert!(Ihdr::parse(&data).is_ok());
        data[9] = 5; // no such colour type
        assert!(Ihdr::parse(&data).is_err());
        data[9] = 3;
        data[8] = 16; // palette images cannot be 16-bit
        assert!(Ihdr::parse(&data).is_err());
        assert!(Ihdr::parse(&data[..12]).is_err());
    }

    #[test]
    fn cgbi_chunk_walker_checks_crc() {
        let mut png = SIGNATURE.to_vec();
        write_chunk(&mut png, b"IEND", &[]);
        assert_eq!(chunks(&png).map(|c| c.count()).ok(), Some(1));

        let last = png.len() - 1;
        png[last] ^= 1;
        let first = chunks(&png).ok().and_then(|mut c| c.next());
        assert!(matches!(first, Some(Err(RasterError::BadCrc { .. }))));
    }

    #[test]
    fn cgbi_chunk_walker_rejects_overlong_lengths() {
        let mut png = SIGNATURE.to_vec();
        png.extend_from_slice(&[0xff, 0xff, 0xff, 0xf0]);
        png.extend_from_slice(b"IDAT");
        let results: Vec<_> = chunks(&png).into_iter().flatten().collect();
        assert_eq!(results.len(), 1);
        assert!(results[0].is_err());
    }
}
