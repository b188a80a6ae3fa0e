//! Rendition payloads to straight RGBA: `MLEC` bitmaps (possibly in `KCBC` chunks), `DWAR`
//! raw JPEG/PNG data, pixel format conversion and atlas crops.

use zune_jpeg::JpegDecoder;
use zune_jpeg::zune_core::bytestream::ZCursor;
use zune_jpeg::zune_core::colorspace::ColorSpace;
use zune_jpeg::zune_core::options::DecoderOptions;

use super::bytes::{Cursor, to_usize};
use super::codecs::{self, Compression, Rows};
use super::csi::{Csi, Rect};
use super::{CarError, MAX_BITMAP_BYTES, MAX_DECODE_BUDGET, MAX_DIMENSION};
use crate::raster::{self, RgbaImage};

/// `MLEC` flags bit 0: the length field counts `KCBC` chunks instead of bytes (ipsw
/// `csiBitmapFlags.ChunksFollow`).
const CHUNKS_FOLLOW: u32 = 1;

/// Bytes left for decoding in one call; every bitmap-sized allocation draws from it, so a
/// catalog with thousands of large renditions cannot exhaust memory or time.
pub(super) struct Budget {
    remaining: usize,
}

impl Budget {
    pub(super) fn new() -> Self {
        Budget {
            remaining: MAX_DECODE_BUDGET,
        }
    }

    fn spend(&mut self, bytes: usize) -> Result<(), CarError> {
        self.remaining = self
            .remaining
            .checked_sub(bytes)
            .ok_or(CarError::BudgetExceeded)?;
        Ok(())
    }
}

/// Bitmap pixel formats, both premultiplied (xcbuild `PremultipliedBGRA8`, `PremultipliedGA8`).
#[derive(Clone, Copy)]
enum PixelFormat {
    /// `ARGB`: a little-endian ARGB word, so B, G, R, A in memory.
    Bgra8,
    /// `GA8 `: gray, alpha.
    GrayAlpha8,
}

impl PixelFormat {
    fn from_four_cc(four_cc: [u8; 4]) -> Option<Self> {
        match &four_cc {
            b"ARGB" => Some(PixelFormat::Bgra8),
            b"GA8 " => Some(PixelFormat::GrayAlpha8),
            _ => None,
        }
    }

    fn bytes_per_pixel(self) -> usize {
        match self {
            PixelFormat::Bgra8 => 4,
            PixelFormat::GrayAlpha8 => 2,
        }
    }
}

/// Rounds to nearest like the CgBI decoder, so both decodings of one icon agree; colour
/// above alpha (corrupt data) is clamped, fully transparent pixels become black.
fn unpremultiply(colour: u8, alpha: u8) -> u8 {
    let (colour, alpha) = (u32::from(colour), u32::from(alpha));
    match alpha {
        0 => 0,
        255 => colour as u8,
        _ => ((colour * 255 + alpha / 2) / alpha).min(255) as u8,
    }
}

/// Decodes a rendition's own pixels (`MLEC` or `DWAR` payload).
pub(super) fn decode(csi: &Csi, budget: &mut Budget) -> Result<RgbaImage, CarError> {
    match csi.payload.get(..4) {
        Some(b"MLEC") => decode_bitmap(csi, budget),
        Some(b"DWAR") => decode_raw_image(raw_data(csi.payload)?, budget),
        _ => Err(CarError::UnsupportedPixelFormat(format!(
            "{} without bitmap or image data",
            csi.pixel_format_name()
        ))),
    }
}

/// A bitmap: `'MLEC', u32 flags, u32 compression, u32 length`, then either one compressed
/// blob of `length` bytes or `length` chunks `'KCBC', u32 0, u32 0, u32 rows, u32 size,
/// data`, each an independent stream of `rows` rows (ipsw `csiBitmapChunk`).
struct Bitmap<'a> {
    compression: Compression,
    blobs: Vec<(usize, &'a [u8])>,
}

fn parse_bitmap<'a>(payload: &'a [u8], height: usize) -> Result<Bitmap<'a>, CarError> {
    let mut cursor = Cursor::new(payload, "a bitmap payload");
    cursor.expect_signature("MLEC")?;
    let flags = cursor.u32_le()?;
    let compression = Compression::from_id(cursor.u32_le()?);
    let length = cursor.u32_le()?;
    if flags & CHUNKS_FOLLOW == 0 {
        let blob = cursor.take(to_usize(length))?;
        return Ok(Bitmap {
            compression,
            blobs: vec![(height, blob)],
        });
    }
    // Each chunk header takes 20 bytes, so a corrupt count runs out of data quickly.
    let mut blobs = Vec::new();
    for _ in 0..length {
        cursor.expect_signature("KCBC")?;
        cursor.skip(8)?;
        let rows = to_usize(cursor.u32_le()?);
        let size = to_usize(cursor.u32_le()?);
        blobs.push((rows, cursor.take(size)?));
    }
    let total_rows = blobs
        .iter()
        .fold(0usize, |sum, &(rows, _)| sum.saturating_add(rows));
    if total_rows != height {
        return Err(CarError::Corrupt(format!(
            "a bitmap's chunks hold {total_rows} rows, but the image is {height} rows high"
        )));
    }
    Ok(Bitmap { compression, blobs })
}

fn decode_bitmap(csi: &Csi, budget: &mut Budget) -> Result<RgbaImage, CarError> {
    let format = PixelFormat::from_four_cc(csi.pixel_format)
        .ok_or_else(|| CarError::UnsupportedPixelFormat(csi.pixel_format_name()))?;
    check_dimensions(csi.width, csi.height)?;
    let (width, height) = (to_usize(csi.width), to_usize(csi.height));
    let stride = row_stride(csi, width, format)?;
    let bitmap = parse_bitmap(csi.payload, height)?;

    budget.spend(height * stride)?;
    let mut rows = vec![0; height * stride];
    let mut unfilled = rows.as_mut_slice();
    for (count, blob) in bitmap.blobs {
        let shape = Rows {
            width,
            count,
            bytes_per_pixel: format.bytes_per_pixel(),
            stride,
        };
        // The chunks' rows add up to the height (checked by `parse_bitmap`).
        let (chunk, rest) = unfilled
            .split_at_mut_checked(shape.byte_len())
            .ok_or_else(|| CarError::Corrupt("a bitmap chunk overruns its image".to_owned()))?;
        codecs::decompress_into(bitmap.compression, blob, shape, chunk)?;
        unfilled = rest;
    }
    if format.bytes_per_pixel() < 4 {
        budget.spend(width * height * 4)?;
    }
    Ok(RgbaImage {
        width: csi.width,
        height: csi.height,
        pixels: straight_rgba(rows, width, stride, format),
    })
}

/// Rejects empty images and any side above [`MAX_DIMENSION`].
fn check_dimensions(width: u32, height: u32) -> Result<(), CarError> {
    if width == 0 || height == 0 {
        return Err(CarError::Empty { width, height });
    }
    if width > MAX_DIMENSION || height > MAX_DIMENSION {
        return Err(CarError::TooLarge { width, height });
    }
    Ok(())
}

/// TLV 1007 when present (Xcode 12+ pads rows to 32 bytes), else packed rows.
fn row_stride(csi: &Csi, width: usize, format: PixelFormat) -> Result<usize, CarError> {
    let packed = width * format.bytes_per_pixel();
    let stride = csi.bytes_per_row()?.map_or(packed, to_usize);
    if stride < packed {
        return Err(CarError::Corrupt(format!(
            "a row of {width} pixels cannot fit in {stride} bytes"
        )));
    }
    let total = stride.checked_mul(to_usize(csi.height));
    if total.is_none_or(|total| total > MAX_BITMAP_BYTES) {
        return Err(CarError::RowsTooLarge {
            rows: csi.height,
            stride: u32::try_from(stride).unwrap_or(u32::MAX),
        });
    }
    Ok(stride)
}

/// Converts premultiplied rows to straight RGBA without their padding; BGRA rows are
/// converted in place, the common case for icons.
fn straight_rgba(mut rows: Vec<u8>, width: usize, stride: usize, format: PixelFormat) -> Vec<u8> {
    match format {
        PixelFormat::Bgra8 => {
            for row in rows.chunks_exact_mut(stride) {
                row[..width * 4]
                    .chunks_exact_mut(4)
                    .for_each(straighten_bgra);
            }
            drop_row_padding(&mut rows, width * 4, stride);
            rows
        }
        PixelFormat::GrayAlpha8 => rows
            .chunks_exact(stride)
            .flat_map(|row| row[..width * 2].chunks_exact(2))
            .flat_map(|pixel| {
                let gray = unpremultiply(pixel[0], pixel[1]);
                [gray, gray, gray, pixel[1]]
            })
            .collect(),
    }
}

/// Premultiplied B, G, R, A to straight R, G, B, A, in place.
fn straighten_bgra(pixel: &mut [u8]) {
    let alpha = pixel[3];
    pixel.swap(0, 2);
    if alpha != 255 {
        for channel in &mut pixel[..3] {
            *channel = unpremultiply(*channel, alpha);
        }
    }
}

/// Moves each row's first `row_len` bytes together, dropping the rest of each `stride`.
fn drop_row_padding(rows: &mut Vec<u8>, row_len: usize, stride: usize) {
    if row_len == stride {
        return;
    }
    let height = rows.len() / stride;
    for y in 1..height {
        rows.copy_within(y * stride..y * stride + row_len, y * row_len);
    }
    rows.truncate(height * row_len);
}

/// `'DWAR', u32 version, u32 length, data` (Timac; xcbuild `car_rendition_data_header_raw`).
fn raw_data(payload: &[u8]) -> Result<&[u8], CarError> {
    let mut cursor = Cursor::new(payload, "a raw data payload");
    cursor.expect_signature("DWAR")?;
    let _version = cursor.u32_le()?;
    let length = to_usize(cursor.u32_le()?);
    cursor.take(length)
}

/// An image file stored whole in a rendition.
enum EmbeddedImage {
    Png,
    Jpeg,
}

impl EmbeddedImage {
    fn sniff(data: &[u8]) -> Option<Self> {
        if data.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(EmbeddedImage::Png)
        } else if data.starts_with(&[0xff, 0xd8, 0xff]) {
            Some(EmbeddedImage::Jpeg)
        } else {
            None
        }
    }
}

/// The pixel size of a `DWAR` payload's image, read from its header only; `None` when the
/// payload is not a PNG or JPEG (e.g. a PDF or a layer stack's JSON).
pub(super) fn raw_image_size(csi: &Csi) -> Option<(u32, u32)> {
    let data = raw_data(csi.payload).ok()?;
    match EmbeddedImage::sniff(data)? {
        EmbeddedImage::Png => raster::png_info(data)
            .ok()
            .map(|info| (info.width, info.height)),
        EmbeddedImage::Jpeg => {
            let mut decoder = jpeg_decoder(data);
            decoder.decode_headers().ok()?;
            let (width, height) = decoder.dimensions()?;
            Some((u32::try_from(width).ok()?, u32::try_from(height).ok()?))
        }
    }
}

fn decode_raw_image(data: &[u8], budget: &mut Budget) -> Result<RgbaImage, CarError> {
    let embedded_error =
        |format: &'static str, detail: String| CarError::EmbeddedImage { format, detail };
    match EmbeddedImage::sniff(data) {
        Some(EmbeddedImage::Png) => {
            let info =
                raster::png_info(data).map_err(|error| embedded_error("PNG", error.to_string()))?;
            check_dimensions(info.width, info.height)?;
            budget.spend(to_usize(info.width) * to_usize(info.height) * 4)?;
            raster::decode_png(data).map_err(|error| embedded_error("PNG", error.to_string()))
        }
        Some(EmbeddedImage::Jpeg) => decode_jpeg(data, budget).map_err(|error| match error {
            CarError::Decompression { detail, .. } => embedded_error("JPEG", detail),
            other => other,
        }),
        None => Err(CarError::UnsupportedPixelFormat(
            "raw data that is neither PNG nor JPEG".to_owned(),
        )),
    }
}

fn jpeg_decoder(data: &[u8]) -> JpegDecoder<ZCursor<&[u8]>> {
    let options = DecoderOptions::default()
        .jpeg_set_out_colorspace(ColorSpace::RGBA)
        .set_max_width(MAX_DIMENSION as usize)
        .set_max_height(MAX_DIMENSION as usize);
    JpegDecoder::new_with_options(ZCursor::new(data), options)
}

fn decode_jpeg(data: &[u8], budget: &mut Budget) -> Result<RgbaImage, CarError> {
    let jpeg_error = |error: zune_jpeg::errors::DecodeErrors| CarError::Decompression {
        codec: "JPEG",
        detail: error.to_string(),
    };
    let mut decoder = jpeg_decoder(data);
    decoder.decode_headers().map_err(jpeg_error)?;
    let (width, height) = decoder.dimensions().unwrap_or_default();
    let (width, height) = (
        u32::try_from(width).unwrap_or(u32::MAX),
        u32::try_from(height).unwrap_or(u32::MAX),
    );
    check_dimensions(width, height)?;
    budget.spend(to_usize(width) * to_usize(height) * 4)?;
    let pixels = decoder.decode().map_err(jpeg_error)?;
    if pixels.len() != to_usize(width) * to_usize(height) * 4 {
        return Err(CarError::Decompression {
            codec: "JPEG",
            detail: format!(
                "it produced {} bytes for {width}x{height} RGBA pixels",
                pixels.len()
            ),
        });
    }
    Ok(RgbaImage {
        width,
        height,
        pixels,
    })
}

/// The `frame` rectangle of a packed atlas, for internal-link renditions. The frame is in
/// Core Graphics coordinates, origin at the bottom left: in AppStub (Xcode 12) only that
/// reading makes the linked `Icon-60@3x.png` equal its directly stored copy.
pub(super) fn crop(atlas: &RgbaImage, frame: Rect) -> Result<RgbaImage, CarError> {
    let fits =
        |start: u32, len: u32, limit: u32| start.checked_add(len).is_some_and(|end| end <= limit);
    if frame.width == 0
        || frame.height == 0
        || !fits(frame.x, frame.width, atlas.width)
        || !fits(frame.y, frame.height, atlas.height)
    {
        return Err(CarError::BrokenLink(format!(
            "is {}x{} pixels, too small for the {}x{} rectangle at ({}, {})",
            atlas.width, atlas.height, frame.width, frame.height, frame.x, frame.y
        )));
    }
    let top = atlas.height - frame.y - frame.height;
    let atlas_stride = to_usize(atlas.width) * 4;
    let (x, width) = (to_usize(frame.x) * 4, to_usize(frame.width) * 4);
    let pixels = atlas
        .pixels
        .chunks_exact(atlas_stride)
        .skip(to_usize(top))
        .take(to_usize(frame.height))
        .flat_map(|row| &row[x..x + width])
        .copied()
        .collect();
    Ok(RgbaImage {
        width: frame.width,
        height: frame.height,
        pixels,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unpremultiplies_with_rounding_and_clamping() {
        assert_eq!(unpremultiply(0, 0), 0);
        assert_eq!(unpremultiply(200, 255), 200);
        assert_eq!(unpremultiply(64, 128), 128);
        assert_eq!(unpremultiply(200, 100), 255);
    }

    #[test]
    fn bgra_and_gray_alpha_become_straight_rgba() {
        let bgra = vec![10, 20, 30, 255, 32, 64, 96, 128];
        assert_eq!(
            straight_rgba(bgra, 2, 8, PixelFormat::Bgra8),
            [30, 20, 10, 255, 191, 128, 64, 128]
        );
        let gray_alpha = vec![64, 128, 0, 0];
        assert_eq!(
            straight_rgba(gray_alpha, 2, 4, PixelFormat::GrayAlpha8),
            [128, 128, 128, 128, 0, 0, 0, 0]
        );
    }

    #[test]
    fn padded_rows_are_cropped_to_the_width() {
        let rows = vec![1, 2, 3, 255, 9, 9, 9, 9, 4, 5, 6, 255, 9, 9, 9, 9];
        assert_eq!(
            straight_rgba(rows, 1, 8, PixelFormat::Bgra8),
            [3, 2, 1, 255, 6, 5, 4, 255]
        );
        let gray_rows = vec![7, 255, 9, 9, 8, 255, 9, 9];
        assert_eq!(
            straight_rgba(gray_rows, 1, 4, PixelFormat::GrayAlpha8),
            [7, 7, 7, 255, 8, 8, 8, 255]
        );
    }

    #[test]
    fn crop_copies_the_rectangle_and_rejects_outside_frames() {
        let atlas = RgbaImage {
            width: 3,
            height: 2,
            pixels: (0..24).collect(),
        };
        let frame = Rect {
            x: 1,
            y: 1,
            width: 2,
            height: 1,
        };
        // y counts from the bottom: y = 1 of a 2-row atlas is its top row.
        assert_eq!(
            crop(&atlas, frame).unwrap().pixels,
            (4..12).collect::<Vec<u8>>()
        );
        for bad in [
            (2, 0, 2, 1),
            (0, 1, 1, 2),
            (u32::MAX, 0, 2, 1),
            (0, 0, 0, 1),
        ] {
            let (x, y, width, height) = bad;
            assert!(
                crop(
                    &atlas,
                    Rect {
                        x,
                        y,
                        width,
                        height
                    }
                )
                .is_err(),
                "{bad:?}"
            );
        }
    }
}
