//! The generated placeholder for apps without an icon, at the sizes of the manifest's images
//! ([`crate::layout::ICONS`]).

use crate::raster::RgbaImage;

/// A rounded square in a colour derived from `seed`, with a lighter diagonal band: recognisable
/// per app, drawn without fonts.
pub fn placeholder(seed: &str, size: u32) -> RgbaImage {
    let hash = seed.bytes().fold(2_166_136_261u32, |h, b| {
        (h ^ b as u32).wrapping_mul(16_777_619)
    });
    let hue = (hash % 360) as f32;
    let (r, g, b) = hsl_to_rgb(hue, 0.55, 0.45);
    let radius = size as f32 * 0.22;
    let mut pixels = Vec::with_capacity((size * size * 4) as usize);
    for y in 0..size {
        for x in 0..size {
            let (fx, fy) = (x as f32 + 0.5, y as f32 + 0.5);
            let alpha = rounded_square_coverage(fx, fy, size as f32, radius);
            let band = ((fx + fy) / (2.0 * size as f32) - 0.5).abs() < 0.12;
            let lift = if band { 40.0 } else { 0.0 };
            pixels.extend_from_slice(&[
                (r + lift).min(255.0) as u8,
                (g + lift).min(255.0) as u8,
                (b + lift).min(255.0) as u8,
                (alpha * 255.0).round() as u8,
            ]);
        }
    }
    RgbaImage {
        width: size,
        height: size,
        pixels,
    }
}

fn rounded_square_coverage(x: f32, y: f32, size: f32, radius: f32) -> f32 {
    let cx = x.clamp(radius, size - radius);
    let cy = y.clamp(radius, size - radius);
    let distance = ((x - cx).powi(2) + (y - cy).powi(2)).sqrt();
    (radius - distance + 0.5).clamp(0.0, 1.0)
}

fn hsl_to_rgb(h: f32, s: f32, l: f32) -> (f32, f32, f32) {
    let c = (1.0 - (2.0 * l - 1.0).abs()) * s;
    let x = c * (1.0 - ((h / 60.0) % 2.0 - 1.0).abs());
    let m = l - c / 2.0;
    let (r, g, b) = match (h / 60.0) as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    ((r + m) * 255.0, (g + m) * 255.0, (b + m) * 255.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholder_is_deterministic_and_sized() {
        let a = placeholder("com.example", 57).to_png();
        assert_eq!(a, placeholder("com.example", 57).to_png());
        assert_ne!(a, placeholder("com.other", 57).to_png());
        let info = crate::raster::png_info(&a).unwrap();
        assert_eq!((info.width, info.height, info.cgbi), (57, 57, false));
    }
}
