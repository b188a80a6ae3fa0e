//! A test-side CgBI encoder, and a synthetic app icon to feed it.
//!
//! It mimics what Xcode's `pngcrush -iphone` does: premultiplied BGRA samples,
//! filtered rows, a raw deflate stream (no zlib wrapper) and a `CgBI` chunk
//! before `IHDR`. It is written independently of the library's decoder so the
//! round-trip tests check one against the other.

use std::io::Write;

use flate2::Crc;
use flate2::write::DeflateEncoder;
use otasite::raster::RgbaImage;

/// How to lay out the encoded rows.
#[derive(Clone, Copy, Debug, Default)]
pub struct CgbiOptions {
    /// Use Adam7 interlacing.
    pub interlaced: bool,
    /// PNG filter type (0–4) for every row; `None` cycles through all five row by row.
    pub filter: Option<u8>,
}

/// Encodes `img` as a CgBI PNG, cycling through all five filter types.
pub fn encode_cgbi(img: &RgbaImage) -> Vec<u8> {
    encode_cgbi_with(img, CgbiOptions::default())
}

/// Encodes `img` as a CgBI PNG with the given layout.
pub fn encode_cgbi_with(img: &RgbaImage, options: CgbiOptions) -> Vec<u8> {
    let crushed = crush_pixels(&img.pixels);
    let (width, height) = (img.width as usize, img.height as usize);
    let scanlines = if options.interlaced {
        adam7_passes(width, height)
            .into_iter()
            .flat_map(|pass| {
                let sub = extract_pass(&crushed, width, pass);
                let (pass_width, _) = pass_size(width, height, pass);
                filter_rows(&sub, pass_width, options.filter)
            })
            .collect()
    } else {
        filter_rows(&crushed, width, options.filter)
    };
    let deflated = raw_deflate(&scanlines);

    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    // The flags Xcode writes; decoders only look for the chunk's presence.
    write_chunk(&mut png, b"CgBI", &[0x50, 0x00, 0x20, 0x06]);
    write_chunk(&mut png, b"IHDR", &ihdr(img, options.interlaced));
    // Two IDAT chunks so decoders must concatenate them.
    let (first, second) = deflated.split_at(deflated.len() / 2);
    write_chunk(&mut png, b"IDAT", first);
    write_chunk(&mut png, b"IDAT", second);
    write_chunk(&mut png, b"IEND", &[]);
    png
}

/// `colour * alpha / 255`, rounded to nearest: how CgBI stores colour.
pub fn premultiply(colour: u8, alpha: u8) -> u8 {
    ((u32::from(colour) * u32::from(alpha) + 127) / 255) as u8
}

/// Straight RGBA to premultiplied BGRA.
fn crush_pixels(pixels: &[u8]) -> Vec<u8> {
    pixels
        .chunks_exact(4)
        .flat_map(|p| {
            let a = p[3];
            [
                premultiply(p[2], a),
                premultiply(p[1], a),
                premultiply(p[0], a),
                a,
            ]
        })
        .collect()
}

fn ihdr(img: &RgbaImage, interlaced: bool) -> Vec<u8> {
    let mut data = Vec::with_capacity(13);
    data.extend_from_slice(&img.width.to_be_bytes());
    data.extend_from_slice(&img.height.to_be_bytes());
    // 8-bit, colour type 6 (RGBA), deflate, adaptive filtering, interlace flag.
    data.extend_from_slice(&[8, 6, 0, 0, u8::from(interlaced)]);
    data
}

fn write_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    let mut crc = Crc::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&crc.sum().to_be_bytes());
}

fn raw_deflate(data: &[u8]) -> Vec<u8> {
    let mut encoder = DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).expect("writing to a Vec");
    encoder.finish().expect("writing to a Vec")
}

/// Prefixes each 4-byte-per-pixel row with a filter type and filters it.
fn filter_rows(pixels: &[u8], width: usize, filter: Option<u8>) -> Vec<u8> {
    let stride = width * 4;
    if stride == 0 {
        return Vec::new();
    }
    let zero_row = vec![0u8; stride];
    let mut out = Vec::with_capacity(pixels.len() + pixels.len() / stride);
    let mut previous: &[u8] = &zero_row;
    for (y, row) in pixels.chunks_exact(stride).enumerate() {
        // Start the cycle at Sub so the first row also exercises a non-trivial filter.
        let kind = filter.unwrap_or(((y + 1) % 5) as u8);
        out.push(kind);
        out.extend(filter_row(kind, row, previous));
        previous = row;
    }
    out
}

fn filter_row(kind: u8, row: &[u8], previous: &[u8]) -> Vec<u8> {
    const BPP: usize = 4;
    (0..row.len())
        .map(|i| {
            let left = if i >= BPP { row[i - BPP] } else { 0 };
            let up = previous[i];
            let up_left = if i >= BPP { previous[i - BPP] } else { 0 };
            let predictor = match kind {
                0 => 0,
                1 => left,
                2 => up,
                3 => ((u16::from(left) + u16::from(up)) / 2) as u8,
                4 => paeth(left, up, up_left),
                _ => panic!("no PNG filter type {kind}"),
            };
            row[i].wrapping_sub(predictor)
        })
        .collect()
}

fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let p = i16::from(a) + i16::from(b) - i16::from(c);
    let (pa, pb, pc) = (
        (p - i16::from(a)).abs(),
        (p - i16::from(b)).abs(),
        (p - i16::from(c)).abs(),
    );
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}

/// Adam7 passes as (x offset, y offset, x step, y step), skipping empty ones.
fn adam7_passes(width: usize, height: usize) -> Vec<(usize, usize, usize, usize)> {
    [
        (0, 0, 8, 8),
        (4, 0, 8, 8),
        (0, 4, 4, 8),
        (2, 0, 4, 4),
        (0, 2, 2, 4),
        (1, 0, 2, 2),
        (0, 1, 1, 2),
    ]
    .into_iter()
    .filter(|&pass| {
        let (w, h) = pass_size(width, height, pass);
        w > 0 && h > 0
    })
    .collect()
}

fn pass_size(
    width: usize,
    height: usize,
    (x0, y0, dx, dy): (usize, usize, usize, usize),
) -> (usize, usize) {
    (
        width.saturating_sub(x0).div_ceil(dx),
        height.saturating_sub(y0).div_ceil(dy),
    )
}

fn extract_pass(
    pixels: &[u8],
    width: usize,
    (x0, y0, dx, dy): (usize, usize, usize, usize),
) -> Vec<u8> {
    let height = pixels.len() / (width * 4);
    let mut out = Vec::new();
    for y in (y0..height).step_by(dy) {
        for x in (x0..width).step_by(dx) {
            let at = (y * width + x) * 4;
            out.extend_from_slice(&pixels[at..at + 4]);
        }
    }
    out
}

/// Draws a recognisable app icon: a diagonal gradient in a rounded square,
/// a translucent disc with a ring, a half-transparent band along the bottom,
/// anti-aliased edges and fully transparent corners. `seed` shifts the hue.
pub fn sample_icon(size: u32, seed: u32) -> RgbaImage {
    let size = size.max(1);
    let hue = (seed.wrapping_mul(2_654_435_761) % 360) as f32;
    let top = hsv(hue, 0.65, 0.98);
    let bottom = hsv(hue + 150.0, 0.85, 0.55);
    let s = size as f32;
    let mut pixels = Vec::with_capacity((size * size * 4) as usize);
    for y in 0..size {
        for x in 0..size {
            let (u, v) = ((x as f32 + 0.5) / s, (y as f32 + 0.5) / s);
            pixels.extend(icon_pixel(u, v, s, top, bottom));
        }
    }
    RgbaImage::new(size, size, pixels).expect("sample icon is size × size RGBA")
}

/// One pixel of [`sample_icon`] at normalised coordinates `(u, v)`.
fn icon_pixel(u: f32, v: f32, size: f32, top: [f32; 3], bottom: [f32; 3]) -> [u8; 4] {
    let pixel = 1.0 / size; // anti-aliasing width in normalised units
    let t = (u + v) / 2.0;
    let mut rgb = [0, 1, 2].map(|i| top[i] + (bottom[i] - top[i]) * t);

    // A translucent white disc with a darker ring, blended over the gradient.
    let distance = ((u - 0.5).powi(2) + (v - 0.45).powi(2)).sqrt();
    let disc = coverage(0.24 - distance, pixel) * 0.7;
    let ring = coverage(0.03 - (distance - 0.27).abs(), pixel) * 0.9;
    rgb = rgb.map(|c| c + (1.0 - c) * disc);
    rgb = rgb.map(|c| c * (1.0 - ring * 0.6));

    // Rounded-square silhouette; the bottom band is half transparent.
    let mut alpha = coverage(-rounded_square_distance(u, v, 0.22), pixel);
    if v > 0.82 {
        alpha *= 0.55;
    }
    let byte = |f: f32| (f.clamp(0.0, 1.0) * 255.0).round() as u8;
    [byte(rgb[0]), byte(rgb[1]), byte(rgb[2]), byte(alpha)]
}

/// Signed distance from `(u, v)` to a unit square with rounded corners (negative inside).
fn rounded_square_distance(u: f32, v: f32, radius: f32) -> f32 {
    let half = 0.5 - radius;
    let dx = ((u - 0.5).abs() - half).max(0.0);
    let dy = ((v - 0.5).abs() - half).max(0.0);
    (dx * dx + dy * dy).sqrt() - radius
}

/// Maps a signed distance (positive inside) to 0..1 coverage over one pixel.
fn coverage(inside: f32, pixel: f32) -> f32 {
    (inside / pixel + 0.5).clamp(0.0, 1.0)
}

fn hsv(hue: f32, saturation: f32, value: f32) -> [f32; 3] {
    let h = hue.rem_euclid(360.0) / 60.0;
    let c = value * saturation;
    let x = c * (1.0 - (h % 2.0 - 1.0).abs());
    let (r, g, b) = match h as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = value - c;
    [r + m, g + m, b + m]
}
