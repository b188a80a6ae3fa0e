//! CoreUI bitmap compressions: each turns one compressed blob into `rows × stride` bytes.
//!
//! Ids as in `_CUIConvertCompressionTypeToString` (Timac), with HEVC inserted at 9 by later
//! CoreUI (carutil, ipsw, car-parser agree). General-purpose codecs come from crates
//! (flate2, lzvn, lzfse_rust); CoreUI's own RLE and palette formats are decoded here.

use std::io::Read;

use flate2::read::{DeflateDecoder, MultiGzDecoder, ZlibDecoder};
use lzfse_rust::LzfseRingDecoder;

use super::CarError;
use super::bytes::{Cursor, to_usize};

/// A bitmap compression id from the `MLEC` header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Compression {
    Uncompressed,
    Rle,
    Zip,
    Lzvn,
    Lzfse,
    PaletteImg,
    /// Known but undecodable here: jpeg-lzfse, blurred, astc, hevc, deepmap…
    Unsupported(&'static str),
}

impl Compression {
    pub(super) fn from_id(id: u32) -> Self {
        match id {
            0 => Compression::Uncompressed,
            1 => Compression::Rle,
            2 => Compression::Zip,
            3 => Compression::Lzvn,
            4 => Compression::Lzfse,
            5 => Compression::Unsupported("jpeg-lzfse"),
            6 => Compression::Unsupported("blurred"),
            7 => Compression::Unsupported("astc"),
            8 => Compression::PaletteImg,
            9 => Compression::Unsupported("hevc"),
            10 => Compression::Unsupported("deepmap-lzfse"),
            11 => Compression::Unsupported("deepmap2"),
            12 => Compression::Unsupported("dxtc"),
            _ => Compression::Unsupported("unknown"),
        }
    }
}

/// The shape of the decompressed rows one blob must produce.
#[derive(Clone, Copy, Debug)]
pub(super) struct Rows {
    /// Pixels per row.
    pub width: usize,
    /// Number of rows.
    pub count: usize,
    pub bytes_per_pixel: usize,
    /// Bytes from one row to the next, at least `width × bytes_per_pixel`.
    pub stride: usize,
}

impl Rows {
    /// `count × stride`: the size of the buffer a blob decompresses into.
    pub(super) fn byte_len(&self) -> usize {
        self.count.saturating_mul(self.stride)
    }

    fn packed_row_len(&self) -> usize {
        self.width * self.bytes_per_pixel
    }
}

/// Decompresses one blob into `out`, which holds exactly `rows.byte_len()` bytes; the blob
/// must fill it completely. `rows` must have a non-zero stride no smaller than a packed row
/// (checked by the caller).
pub(super) fn decompress_into(
    compression: Compression,
    blob: &[u8],
    rows: Rows,
    out: &mut [u8],
) -> Result<(), CarError> {
    match compression {
        Compression::Uncompressed => uncompressed(blob, rows, out),
        Compression::Rle => rle(blob, rows, out),
        Compression::Zip => fill_from(inflater(blob), out, "zip"),
        Compression::Lzvn if blob.starts_with(b"bvxn") => lzfse(blob, out),
        Compression::Lzvn => lzvn(blob, out),
        Compression::Lzfse => lzfse(blob, out),
        Compression::PaletteImg => palette_image(blob, rows, out),
        Compression::Unsupported(name) => Err(CarError::UnsupportedCompression(name)),
    }
}

/// Raw rows; tolerates writers that stored packed rows although the stride is padded.
fn uncompressed(blob: &[u8], rows: Rows, out: &mut [u8]) -> Result<(), CarError> {
    if let Some(padded) = blob.get(..out.len()) {
        out.copy_from_slice(padded);
        return Ok(());
    }
    let packed = blob
        .get(..rows.count * rows.packed_row_len())
        .ok_or_else(|| decompression_error("uncompressed", "the pixel data is too short"))?;
    for (source, target) in packed
        .chunks_exact(rows.packed_row_len())
        .zip(out.chunks_exact_mut(rows.stride))
    {
        target[..source.len()].copy_from_slice(source);
    }
    Ok(())
}

/// "zip" is gzip in every known writer (xcbuild, iineva, car-parser), but ipsw also met zlib
/// and raw deflate, so the wrapper is recognised from the first bytes.
fn inflater(blob: &[u8]) -> Box<dyn Read + '_> {
    match blob {
        [0x1f, 0x8b, ..] => Box::new(MultiGzDecoder::new(blob)),
        [method, flags, ..]
            if method & 0x0f == 8 && (u16::from(*method) << 8 | u16::from(*flags)) % 31 == 0 =>
        {
            Box::new(ZlibDecoder::new(blob))
        }
        _ => Box::new(DeflateDecoder::new(blob)),
    }
}

/// A raw LZVN stream (no `bvxn` block header). Decoding into the fixed-size `out` makes a
/// stream that claims more output fail instead of growing memory.
fn lzvn(blob: &[u8], out: &mut [u8]) -> Result<(), CarError> {
    let written =
        lzvn::decode_raw_into(blob, out).map_err(|error| decompression_error("LZVN", error))?;
    if written != out.len() {
        return Err(decompression_error(
            "LZVN",
            format!("it produced {written} bytes instead of {}", out.len()),
        ));
    }
    Ok(())
}

/// A complete LZFSE frame (`bvx2`/`bvx1`/`bvxn`/`bvx-` blocks up to `bvx$`). The streaming
/// reader is used, read only as far as `out` reaches, because the frame's own size fields
/// are untrusted.
fn lzfse(blob: &[u8], out: &mut [u8]) -> Result<(), CarError> {
    let mut decoder = LzfseRingDecoder::default();
    fill_from(decoder.reader_bytes(blob), out, "LZFSE")
}

/// Fills `out` from a decompressing reader; a stream that ends early is an error.
fn fill_from(mut reader: impl Read, out: &mut [u8], codec: &'static str) -> Result<(), CarError> {
    reader
        .read_exact(out)
        .map_err(|error| decompression_error(codec, error))
}

/// CoreUI "rle" (compression 1), inferred from an Xcode 11.3.1 sample and checked against
/// the same icon stored as a PNG (ASSETS_CAR.md §3.3): `u32 bytesPerPixel, u32 width,
/// u32 height`, one `u32` offset per row from the blob start (identical rows may share one),
/// and per row `u32` run headers until `width` pixels: bit 31 set means one pixel repeated
/// `header & 0x7fffffff` times, clear means that many literal pixels.
fn rle(blob: &[u8], rows: Rows, out: &mut [u8]) -> Result<(), CarError> {
    let mut header = Cursor::new(blob, "an RLE header");
    let shape = (header.u32_le()?, header.u32_le()?, header.u32_le()?);
    let expected_shape = (rows.bytes_per_pixel, rows.width, rows.count);
    if (to_usize(shape.0), to_usize(shape.1), to_usize(shape.2)) != expected_shape {
        return Err(decompression_error(
            "RLE",
            format!(
                "its header describes {shape:?} (bytes per pixel, width, height), not {expected_shape:?}"
            ),
        ));
    }
    for row in out.chunks_exact_mut(rows.stride) {
        let offset = to_usize(header.u32_le()?);
        rle_row(
            blob,
            offset,
            &mut row[..rows.packed_row_len()],
            rows.bytes_per_pixel,
        )?;
    }
    Ok(())
}

fn rle_row(
    blob: &[u8],
    offset: usize,
    row: &mut [u8],
    bytes_per_pixel: usize,
) -> Result<(), CarError> {
    const REPEAT: u32 = 1 << 31;
    let mut runs = Cursor::at(blob, offset, "an RLE row")?;
    let mut filled = 0;
    // Every run header consumes 4 input bytes, so this ends with the blob at the latest.
    while filled < row.len() {
        let header = runs.u32_le()?;
        let run_bytes = to_usize(header & !REPEAT).saturating_mul(bytes_per_pixel);
        let target = filled
            .checked_add(run_bytes)
            .and_then(|end| row.get_mut(filled..end))
            .ok_or_else(|| decompression_error("RLE", "a run extends past the end of its row"))?;
        if header & REPEAT != 0 {
            let pixel = runs.take(bytes_per_pixel)?;
            target
                .chunks_exact_mut(bytes_per_pixel)
                .for_each(|slot| slot.copy_from_slice(pixel));
        } else {
            target.copy_from_slice(runs.take(run_bytes)?);
        }
        filled += run_bytes;
    }
    Ok(())
}

/// "palette-img" (compression 8): an LZFSE frame holding `u32 0xCAFEF00D, u32 version,
/// u16 colourCount, colourCount × {A, R, G, B} (premultiplied), width × height u8 indices`
/// (carutil `QuantizedImage`, ipsw `decodePalettedImage`). The indices are stored as
/// little-endian `u16` pairs with the first pixel in the high byte (carutil), so each pair
/// is swapped. Produces premultiplied B, G, R, A like the other bitmap codecs.
fn palette_image(blob: &[u8], rows: Rows, out: &mut [u8]) -> Result<(), CarError> {
    const MAGIC: u32 = 0xCAFE_F00D;
    const MAX_HEADER: usize = 10 + 4 * u16::MAX as usize;
    if rows.bytes_per_pixel != 4 {
        return Err(decompression_error(
            "palette-img",
            "only 4-byte pixels can be paletted",
        ));
    }
    let pixel_count = rows.width * rows.count;
    let mut decoder = LzfseRingDecoder::default();
    let mut decoded = Vec::new();
    decoder
        .reader_bytes(blob)
        .take(u64::try_from(MAX_HEADER + pixel_count + 1).unwrap_or(u64::MAX))
        .read_to_end(&mut decoded)
        .map_err(|error| decompression_error("palette-img", error))?;

    let mut cursor = Cursor::new(&decoded, "a palette image");
    if cursor.u32_le()? != MAGIC {
        return Err(decompression_error(
            "palette-img",
            "it does not start with 0xCAFEF00D",
        ));
    }
    let _version = cursor.u32_le()?;
    let colour_count = usize::from(cursor.u16_le()?);
    let palette = cursor.take(colour_count * 4)?;
    let indices = cursor.take(pixel_count)?;

    for (y, row) in out.chunks_exact_mut(rows.stride).enumerate() {
        for (x, slot) in row.chunks_exact_mut(4).take(rows.width).enumerate() {
            let index =
                usize::from(indices[swapped_pair_position(y * rows.width + x, pixel_count)]);
            let colour = palette.get(index * 4..index * 4 + 4).ok_or_else(|| {
                decompression_error("palette-img", "an index is beyond the palette")
            })?;
            slot.copy_from_slice(&[colour[3], colour[2], colour[1], colour[0]]);
        }
    }
    Ok(())
}

/// Where pixel `i` of `len` indices is stored when indices are swapped in pairs; an
/// unpaired last index stays in place.
fn swapped_pair_position(i: usize, len: usize) -> usize {
    let partner = i ^ 1;
    if partner < len { partner } else { i }
}

fn decompression_error(codec: &'static str, detail: impl ToString) -> CarError {
    CarError::Decompression {
        codec,
        detail: detail.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;
    use crate::ipa::assets_car::test_support::bgra_rows;

    const WIDTH: usize = 5;
    const HEIGHT: usize = 4;
    /// Padded beyond `WIDTH × 4` like Xcode 12's 32-byte row alignment.
    const STRIDE: usize = 32;

    fn shape(stride: usize) -> Rows {
        Rows {
            width: WIDTH,
            count: HEIGHT,
            bytes_per_pixel: 4,
            stride,
        }
    }

    /// Decompresses into a fresh buffer of the shape's size.
    fn decompress(compression: Compression, blob: &[u8], rows: Rows) -> Result<Vec<u8>, CarError> {
        let mut out = vec![0; rows.byte_len()];
        decompress_into(compression, blob, rows, &mut out)?;
        Ok(out)
    }

    fn sample() -> Vec<u8> {
        bgra_rows(WIDTH, HEIGHT, STRIDE)
    }

    #[test]
    fn uncompressed_accepts_padded_and_packed_rows() {
        assert_eq!(
            decompress(Compression::Uncompressed, &sample(), shape(STRIDE)).unwrap(),
            sample()
        );
        let packed = bgra_rows(WIDTH, HEIGHT, WIDTH * 4);
        assert_eq!(
            decompress(Compression::Uncompressed, &packed, shape(STRIDE)).unwrap(),
            sample()
        );
        assert!(decompress(Compression::Uncompressed, &packed[1..], shape(STRIDE)).is_err());
    }

    #[test]
    fn zip_accepts_gzip_zlib_and_raw_deflate() {
        let level = flate2::Compression::default();
        let mut gzip = flate2::write::GzEncoder::new(Vec::new(), level);
        let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), level);
        let mut deflate = flate2::write::DeflateEncoder::new(Vec::new(), level);
        gzip.write_all(&sample()).unwrap();
        zlib.write_all(&sample()).unwrap();
        deflate.write_all(&sample()).unwrap();
        for blob in [
            gzip.finish().unwrap(),
            zlib.finish().unwrap(),
            deflate.finish().unwrap(),
        ] {
            assert_eq!(
                decompress(Compression::Zip, &blob, shape(STRIDE)).unwrap(),
                sample()
            );
            assert!(decompress(Compression::Zip, &blob[..blob.len() / 2], shape(STRIDE)).is_err());
        }
    }

    #[test]
    fn lzvn_decodes_raw_streams_and_bvxn_blocks() {
        let raw = lzvn::encode_raw(&sample());
        assert_eq!(
            decompress(Compression::Lzvn, &raw, shape(STRIDE)).unwrap(),
            sample()
        );
        let framed = lzvn::encode_bvxn(&sample()).unwrap();
        assert_eq!(
            decompress(Compression::Lzvn, &framed, shape(STRIDE)).unwrap(),
            sample()
        );
        assert!(decompress(Compression::Lzvn, &raw[..raw.len() / 2], shape(STRIDE)).is_err());
        // A stream holding more than the bitmap needs is rejected, not followed.
        let too_long = lzvn::encode_raw(&[sample(), sample()].concat());
        assert!(decompress(Compression::Lzvn, &too_long, shape(STRIDE)).is_err());
    }

    #[test]
    fn lzfse_decodes_frames_and_rejects_short_or_truncated_ones() {
        let mut frame = Vec::new();
        lzfse_rust::encode_bytes(&sample(), &mut frame).unwrap();
        assert_eq!(
            decompress(Compression::Lzfse, &frame, shape(STRIDE)).unwrap(),
            sample()
        );
        assert!(decompress(Compression::Lzfse, &frame[..frame.len() / 2], shape(STRIDE)).is_err());
        let mut short = Vec::new();
        lzfse_rust::encode_bytes(&sample()[..40], &mut short).unwrap();
        assert!(decompress(Compression::Lzfse, &short, shape(STRIDE)).is_err());
    }

    /// The CoreUI RLE layout as described in ASSETS_CAR.md §3.3: repeat runs for equal
    /// neighbours, literal runs otherwise, and identical rows sharing one offset.
    fn rle_encode(rows: &[u8], shape: Rows) -> Vec<u8> {
        let header_len = 12 + 4 * shape.count;
        let mut body = Vec::new();
        let mut offsets: Vec<(Vec<u8>, u32)> = Vec::new();
        let mut row_offsets = Vec::new();
        for row in rows.chunks_exact(shape.stride) {
            let row = &row[..shape.packed_row_len()];
            if let Some((_, offset)) = offsets.iter().find(|(seen, _)| seen == row) {
                row_offsets.push(*offset);
                continue;
            }
            let offset = u32::try_from(header_len + body.len()).unwrap();
            offsets.push((row.to_vec(), offset));
            row_offsets.push(offset);
            let pixels: Vec<&[u8]> = row.chunks_exact(4).collect();
            let mut start = 0;
            while start < pixels.len() {
                let run = pixels[start..]
                    .iter()
                    .take_while(|p| **p == pixels[start])
                    .count();
                if run > 1 {
                    body.extend((0x8000_0000 | run as u32).to_le_bytes());
                    body.extend(pixels[start]);
                } else {
                    body.extend(1u32.to_le_bytes());
                    body.extend(pixels[start]);
                }
                start += run;
            }
        }
        let mut blob = Vec::new();
        for field in [4, shape.width as u32, shape.count as u32] {
            blob.extend(field.to_le_bytes());
        }
        row_offsets
            .iter()
            .for_each(|offset| blob.extend(offset.to_le_bytes()));
        blob.extend(body);
        blob
    }

    #[test]
    fn rle_decodes_repeat_and_literal_runs_with_shared_rows() {
        let mut rows = sample();
        // Make rows 2 and 3 identical and partly uniform, so offsets are shared.
        let (head, tail) = rows.split_at_mut(3 * STRIDE);
        tail.copy_from_slice(&head[2 * STRIDE..]);
        head[2 * STRIDE..2 * STRIDE + 12].copy_from_slice(&[9, 9, 9, 255].repeat(3));
        tail[..12].copy_from_slice(&[9, 9, 9, 255].repeat(3));
        let blob = rle_encode(&rows, shape(STRIDE));
        assert_eq!(
            decompress(Compression::Rle, &blob, shape(STRIDE)).unwrap(),
            rows
        );
    }

    #[test]
    fn rle_rejects_overlong_runs_wrong_shapes_and_truncation() {
        let blob = rle_encode(&sample(), shape(STRIDE));
        assert!(decompress(Compression::Rle, &blob[..blob.len() - 3], shape(STRIDE)).is_err());
        let wrong_width = Rows {
            width: 4,
            ..shape(STRIDE)
        };
        assert!(decompress(Compression::Rle, &blob, wrong_width).is_err());
        let mut overlong = blob.clone();
        let first_row = 12 + 4 * HEIGHT;
        overlong[first_row..first_row + 4].copy_from_slice(&(0x8000_0000u32 | 6).to_le_bytes());
        assert!(decompress(Compression::Rle, &overlong, shape(STRIDE)).is_err());
    }

    /// `0xCAFEF00D, version, colour count, {A, R, G, B}…, indices swapped in pairs`, LZFSE.
    fn palette_blob(palette: &[[u8; 4]], indices: &[u8]) -> Vec<u8> {
        let mut plain = 0xCAFE_F00Du32.to_le_bytes().to_vec();
        plain.extend(1u32.to_le_bytes());
        plain.extend(u16::try_from(palette.len()).unwrap().to_le_bytes());
        palette.iter().for_each(|colour| plain.extend(colour));
        let mut swapped = indices.to_vec();
        swapped.chunks_exact_mut(2).for_each(|pair| pair.swap(0, 1));
        plain.extend(swapped);
        let mut blob = Vec::new();
        lzfse_rust::encode_bytes(&plain, &mut blob).unwrap();
        blob
    }

    #[test]
    fn palette_image_maps_swapped_indices_to_bgra() {
        let palette = [[255, 10, 20, 30], [128, 40, 50, 60], [0, 0, 0, 0]];
        let indices: Vec<u8> = (0..WIDTH * HEIGHT).map(|i| (i % 3) as u8).collect();
        let decoded = decompress(
            Compression::PaletteImg,
            &palette_blob(&palette, &indices),
            shape(STRIDE),
        )
        .unwrap();
        for (pixel, &index) in indices.iter().enumerate() {
            let [alpha, red, green, blue] = palette[usize::from(index)];
            let at = pixel / WIDTH * STRIDE + pixel % WIDTH * 4;
            assert_eq!(
                decoded[at..at + 4],
                [blue, green, red, alpha],
                "pixel {pixel}"
            );
        }
        let out_of_palette = vec![3; WIDTH * HEIGHT];
        assert!(
            decompress(
                Compression::PaletteImg,
                &palette_blob(&palette, &out_of_palette),
                shape(STRIDE)
            )
            .is_err()
        );
        assert!(
            decompress(
                Compression::PaletteImg,
                &palette_blob(&palette, &indices[1..]),
                shape(STRIDE)
            )
            .is_err()
        );
    }

    #[test]
    fn unsupported_compressions_are_named() {
        for (id, name) in [
            (6, "blurred"),
            (9, "hevc"),
            (11, "deepmap2"),
            (99, "unknown"),
        ] {
            let error = decompress(Compression::from_id(id), &[], shape(STRIDE)).unwrap_err();
            assert!(error.to_string().contains(name), "{error}");
        }
    }
}
