//! Drawing an Android launcher icon for the pages: PNG and WebP bitmaps decoded within
//! [`raster::MAX_ICON_DIMENSION`], vector drawables drawn by [`super::vector`], and adaptive
//! icons (`<adaptive-icon>`: a background colour, bitmap or vector under a foreground bitmap
//! or vector) composed and masked the way launchers show them.

use std::io::{Cursor, Read, Seek};

use super::arsc::{self, Table};
use super::chunk::Value;
use super::icon::{self, IconKind};
use super::vector::{self, Drawn, Resources};
use crate::ipa::archive::Archive;
use crate::raster::{self, RgbaImage};

/// The most otasite inflates for one icon file.
const ICON_LIMIT: u64 = 8 << 20;
/// `android:drawable`.
const DRAWABLE: u32 = 0x0101_0199;
/// An adaptive icon's canvas is 108dp; launchers show the 72dp in its middle.
const CANVAS_DP: u32 = 108;
const VISIBLE_DP: u32 = 72;
/// The edge of a composed icon: 108dp at xxxhdpi (4 px per dp).
const CANVAS_PX: u32 = CANVAS_DP * 4;
/// Configurations of a layer looked at: real layers have up to a dozen.
const MAX_LAYER_CANDIDATES: usize = 32;
/// The edge of a vector icon drawn on its own: the largest icon the pages use.
const VECTOR_PX: u32 = 512;
/// The mask's corner radius, as a share of the visible square's edge (a rounded square, as
/// most launchers' default shape).
const CORNER_SHARE: f32 = 0.2;

/// Decodes a PNG or WebP icon file.
pub fn decode_bitmap(bytes: &[u8]) -> Result<RgbaImage, String> {
    match IconKind::of(bytes) {
        IconKind::Png => raster::decode_png(bytes).map_err(|e| e.to_string()),
        IconKind::Webp => decode_webp(bytes),
        IconKind::Jpeg => Err("JPEG icons are not decoded".into()),
        _ => Err("not a PNG or WebP bitmap".into()),
    }
}

fn decode_webp(bytes: &[u8]) -> Result<RgbaImage, String> {
    let mut decoder =
        image_webp::WebPDecoder::new(Cursor::new(bytes)).map_err(|e| format!("WebP: {e}"))?;
    let (width, height) = decoder.dimensions();
    let max = raster::MAX_ICON_DIMENSION;
    if width > max || height > max {
        return Err(format!(
            "the WebP is {width}x{height}, larger than {max}x{max}"
        ));
    }
    let size = decoder
        .output_buffer_size()
        .ok_or("the WebP's size overflows")?;
    let mut buffer = vec![0u8; size];
    decoder
        .read_image(&mut buffer)
        .map_err(|e| format!("WebP: {e}"))?;
    let pixels = if decoder.has_alpha() {
        buffer
    } else {
        buffer
            .chunks_exact(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect()
    };
    RgbaImage::new(width, height, pixels).map_err(|e| e.to_string())
}

/// One layer of an adaptive icon.
enum Layer {
    Colour([u8; 4]),
    Bitmap(RgbaImage),
}

/// Reads a file of the package by its path inside the archive (None when it is not there or
/// cannot be read within [`ICON_LIMIT`]).
pub type ReadFile<'a> = dyn FnMut(&str) -> Option<Vec<u8>> + 'a;

/// The reader of `archive`'s files for drawing an icon.
pub fn archive_files<R: Read + Seek>(
    archive: &mut Archive<R>,
) -> impl FnMut(&str) -> Option<Vec<u8>> + '_ {
    move |path| {
        if !archive.contains(path) {
            return None;
        }
        archive.read(path, ICON_LIMIT).ok()
    }
}

/// Composes an adaptive icon from its XML (binary) with the layers the table names.
pub fn adaptive(read: &mut ReadFile<'_>, xml: &[u8], table: &Table<'_>) -> Result<Drawn, String> {
    let elements = super::axml::parse(xml).map_err(|e| e.to_string())?;
    if elements.first().map(|e| e.name.as_str()) != Some("adaptive-icon") {
        return Err("not an <adaptive-icon>".into());
    }
    let layer = |name: &str| {
        elements[1..]
            .iter()
            .find(|e| e.name == name)
            .and_then(|e| e.attribute(Some(DRAWABLE), "drawable").cloned())
    };
    let background = layer("background").ok_or("it has no background drawable")?;
    let foreground = layer("foreground").ok_or("it has no foreground drawable")?;
    let mut notes = Vec::new();
    let background = read_layer(read, &background, table, &mut notes)?;
    let foreground = match read_layer(read, &foreground, table, &mut notes)? {
        Layer::Bitmap(bitmap) => bitmap,
        Layer::Colour(_) => return Err("its foreground is a colour".into()),
    };
    Ok(Drawn {
        image: compose(&background, &foreground),
        notes,
    })
}

/// Draws a vector drawable shown on its own as an icon: a square, its aspect ratio kept.
pub fn vector_icon(
    read: &mut ReadFile<'_>,
    xml: &[u8],
    table: Option<&Table<'_>>,
) -> Result<Drawn, String> {
    vector::draw_square(xml, VECTOR_PX, &mut Resources { table, read })
}

fn read_layer(
    read: &mut ReadFile<'_>,
    value: &Value,
    table: &Table<'_>,
    notes: &mut Vec<String>,
) -> Result<Layer, String> {
    if let Some(colour) = colour(value) {
        return Ok(Layer::Colour(colour));
    }
    let Value::Reference(id) = value else {
        return Err("a layer is neither a colour nor a resource".into());
    };
    if let Some(colour) = table
        .resolve(value, arsc::default_config)
        .as_ref()
        .and_then(colour)
    {
        return Ok(Layer::Colour(colour));
    }
    let candidates = icon::candidates(&Value::Reference(*id), table);
    for (_, path) in candidates.iter().take(MAX_LAYER_CANDIDATES) {
        let Some(bytes) = read(path) else {
            continue;
        };
        return match IconKind::of(&bytes) {
            IconKind::Xml => {
                let mut resources = Resources {
                    table: Some(table),
                    read: &mut *read,
                };
                let drawn = vector::draw(&bytes, CANVAS_PX, CANVAS_PX, &mut resources)
                    .map_err(|e| format!("its layer {path} cannot be drawn: {e}"))?;
                notes.extend(drawn.notes.into_iter().map(|n| format!("{path}: {n}")));
                Ok(Layer::Bitmap(drawn.image))
            }
            _ => decode_bitmap(&bytes)
                .map(Layer::Bitmap)
                .map_err(|e| format!("{path}: {e}")),
        };
    }
    Err(format!(
        "no file of its layer @{id:08X} is in the archive, or one is larger than {} MiB",
        ICON_LIMIT >> 20
    ))
}

/// A colour value of a layer (a colour given as text is not one: aapt compiles them).
fn colour(value: &Value) -> Option<[u8; 4]> {
    match value {
        Value::Other(..) => vector::colour(value),
        _ => None,
    }
}

/// The layers on the 108dp canvas, the middle 72dp cut out and masked.
fn compose(background: &Layer, foreground: &RgbaImage) -> RgbaImage {
    let side = CANVAS_PX as usize;
    let mut canvas = match background {
        Layer::Colour(c) => c.repeat(side * side),
        Layer::Bitmap(b) => b.resize(CANVAS_PX, CANVAS_PX).pixels,
    };
    let front = foreground.resize(CANVAS_PX, CANVAS_PX);
    for (under, over) in canvas.chunks_exact_mut(4).zip(front.pixels.chunks_exact(4)) {
        blend(under, over);
    }
    let visible = (CANVAS_PX * VISIBLE_DP / CANVAS_DP) as usize;
    let inset = (side - visible) / 2;
    let radius = visible as f32 * CORNER_SHARE;
    let mut pixels = Vec::with_capacity(visible * visible * 4);
    for y in 0..visible {
        for x in 0..visible {
            let at = ((y + inset) * side + x + inset) * 4;
            let mut pixel = [canvas[at], canvas[at + 1], canvas[at + 2], canvas[at + 3]];
            let coverage = rounded_square_coverage(x, y, visible, radius);
            pixel[3] = (f32::from(pixel[3]) * coverage).round() as u8;
            pixels.extend_from_slice(&pixel);
        }
    }
    RgbaImage {
        width: visible as u32,
        height: visible as u32,
        pixels,
    }
}

/// `over` drawn onto `under`, both straight (not premultiplied) RGBA.
fn blend(under: &mut [u8], over: &[u8]) {
    let alpha = f32::from(over[3]) / 255.0;
    let below = f32::from(under[3]) / 255.0;
    let out = alpha + below * (1.0 - alpha);
    if out <= 0.0 {
        under.copy_from_slice(&[0, 0, 0, 0]);
        return;
    }
    for channel in 0..3 {
        let value = (f32::from(over[channel]) * alpha
            + f32::from(under[channel]) * below * (1.0 - alpha))
            / out;
        under[channel] = value.round() as u8;
    }
    under[3] = (out * 255.0).round() as u8;
}

/// How much of pixel (x, y) lies inside a rounded square of edge `side`: 1 inside, 0 outside,
/// in between on the corners' edge (so the curve is smooth).
fn rounded_square_coverage(x: usize, y: usize, side: usize, radius: f32) -> f32 {
    let centre = |v: usize| v as f32 + 0.5;
    let edge = side as f32;
    let nearest = |v: f32| v.clamp(radius, edge - radius);
    let (px, py) = (centre(x), centre(y));
    let distance = ((px - nearest(px)).powi(2) + (py - nearest(py)).powi(2)).sqrt();
    (radius - distance + 0.5).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_read_as_rgba() {
        assert_eq!(
            colour(&Value::Other(0x1d, 0xff33_6699)),
            Some([0x33, 0x66, 0x99, 255])
        );
        assert_eq!(
            colour(&Value::Other(0x1c, 0x8011_2233)),
            Some([0x11, 0x22, 0x33, 0x80])
        );
        assert_eq!(colour(&Value::Other(0x10, 1)), None);
    }

    #[test]
    fn composing_shows_the_middle_masked() {
        // A transparent foreground with an opaque red square in its middle third.
        let edge = 108u32;
        let mut pixels = vec![0u8; (edge * edge * 4) as usize];
        for y in 36..72 {
            for x in 36..72 {
                let at = ((y * edge + x) * 4) as usize;
                pixels[at..at + 4].copy_from_slice(&[255, 0, 0, 255]);
            }
        }
        let foreground = RgbaImage::new(edge, edge, pixels).unwrap();
        let icon = compose(&Layer::Colour([0, 0, 255, 255]), &foreground);
        let side = CANVAS_PX * VISIBLE_DP / CANVAS_DP;
        assert_eq!((icon.width, icon.height), (side, side));
        let at = |x: u32, y: u32| {
            let i = ((y * side + x) * 4) as usize;
            icon.pixels[i..i + 4].to_vec()
        };
        // The centre is the foreground, the edges' middles the background, corners masked.
        assert_eq!(at(side / 2, side / 2)[..3], [255, 0, 0]);
        assert_eq!(at(side / 2, 2), vec![0, 0, 255, 255]);
        assert_eq!(at(0, 0)[3], 0, "the corner is outside the mask");
    }

    #[test]
    fn webp_beyond_the_icon_limit_is_refused_before_decoding() {
        // A lossless WebP header claiming 4000x4000 pixels, and no image data.
        let (w, h) = (4000u32, 4000u32);
        let bits = (w - 1) | ((h - 1) << 14);
        let mut vp8l = vec![0x2f];
        vp8l.extend_from_slice(&bits.to_le_bytes());
        let mut riff = b"RIFF".to_vec();
        riff.extend_from_slice(&((4 + 8 + vp8l.len()) as u32).to_le_bytes());
        riff.extend_from_slice(b"WEBPVP8L");
        riff.extend_from_slice(&(vp8l.len() as u32).to_le_bytes());
        riff.extend_from_slice(&vp8l);
        let error = decode_bitmap(&riff).unwrap_err();
        assert!(error.contains("larger than"), "{error}");
    }
}
