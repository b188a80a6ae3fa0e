mod support;

use std::io::{Cursor, Read};

use otasite::raster::{self, MAX_DIMENSION, PngInfo, RasterError, RgbaImage};
use support::cgbi::{CgbiOptions, encode_cgbi, encode_cgbi_with, premultiply, sample_icon};

/// Deterministic pseudo-random RGBA (xorshift), covering every alpha value.
fn noise_image(width: u32, height: u32, seed: u32) -> RgbaImage {
    let mut state = seed.wrapping_mul(0x9e37_79b9) | 1;
    let pixels = (0..width * height * 4)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state >> 24) as u8
        })
        .collect();
    RgbaImage::new(width, height, pixels).expect("consistent noise image")
}

fn with_alpha(mut image: RgbaImage, alpha: u8) -> RgbaImage {
    image.pixels.chunks_exact_mut(4).for_each(|p| p[3] = alpha);
    image
}

/// Checks that `decoded` is what a CgBI round trip of `original` should give.
///
/// CgBI stores `round(colour * alpha / 255)`, which keeps only `alpha + 1`
/// distinct colour levels, so un-premultiplying cannot always recover the
/// original value. With rounding on both sides the error is at most
/// `(alpha + 255) / (2 * alpha)` (integer division): 0 for opaque pixels,
/// ±1 once alpha ≥ 128, growing as alpha shrinks. Premultiplying the decoded
/// pixel must still give back exactly the stored value.
fn assert_cgbi_round_trip(original: &RgbaImage, decoded: &RgbaImage) {
    assert_eq!(
        (decoded.width, decoded.height),
        (original.width, original.height)
    );
    let pairs = original
        .pixels
        .chunks_exact(4)
        .zip(decoded.pixels.chunks_exact(4));
    for (index, (want, got)) in pairs.enumerate() {
        let alpha = want[3];
        assert_eq!(got[3], alpha, "alpha of pixel {index}");
        if alpha == 0 {
            assert_eq!(&got[..3], &[0, 0, 0], "transparent pixel {index} is black");
            continue;
        }
        let tolerance = if alpha == 255 {
            0
        } else {
            (u32::from(alpha) + 255) / (2 * u32::from(alpha))
        };
        for channel in 0..3 {
            let (w, g) = (want[channel], got[channel]);
            assert_eq!(
                premultiply(g, alpha),
                premultiply(w, alpha),
                "premultiplied channel {channel} of pixel {index} (alpha {alpha})"
            );
            assert!(
                u32::from(w.abs_diff(g)) <= tolerance,
                "channel {channel} of pixel {index}: want {w}, got {g}, alpha {alpha}"
            );
        }
    }
}

fn decode(bytes: &[u8]) -> RgbaImage {
    raster::decode_png(bytes).expect("decodes")
}

#[test]
fn cgbi_sample_icons_round_trip() {
    for (size, seed) in [(1, 0), (2, 1), (7, 2), (29, 3), (60, 4), (180, 5)] {
        let icon = sample_icon(size, seed);
        assert_cgbi_round_trip(&icon, &decode(&encode_cgbi(&icon)));
    }
}

#[test]
fn sample_icon_has_transparent_translucent_and_opaque_pixels() {
    let icon = sample_icon(64, 7);
    let alphas: Vec<u8> = icon.pixels.chunks_exact(4).map(|p| p[3]).collect();
    assert!(alphas.contains(&0));
    assert!(alphas.contains(&255));
    assert!(alphas.iter().any(|&a| a > 0 && a < 255));
    assert_ne!(
        sample_icon(64, 7),
        sample_icon(64, 8),
        "seed changes the icon"
    );
}

#[test]
fn cgbi_semi_transparent_pixels_within_one_when_alpha_is_high() {
    // Every alpha ≥ 128 must come back within ±1 per channel.
    for alpha in 128..=254 {
        let original = with_alpha(noise_image(16, 4, u32::from(alpha)), alpha);
        let decoded = decode(&encode_cgbi(&original));
        for (want, got) in original.pixels.iter().zip(&decoded.pixels) {
            assert!(want.abs_diff(*got) <= 1, "alpha {alpha}: {want} vs {got}");
        }
    }
}

#[test]
fn cgbi_every_alpha_value_round_trips() {
    let image = noise_image(64, 64, 99);
    assert_cgbi_round_trip(&image, &decode(&encode_cgbi(&image)));
}

#[test]
fn cgbi_fully_transparent_image_decodes_to_transparent_black() {
    let image = with_alpha(noise_image(9, 5, 1), 0);
    let decoded = decode(&encode_cgbi(&image));
    assert!(decoded.pixels.iter().all(|&b| b == 0));
    assert!(!decoded.is_opaque());
}

#[test]
fn cgbi_fully_opaque_image_is_exact() {
    let image = with_alpha(noise_image(13, 11, 2), 255);
    let decoded = decode(&encode_cgbi(&image));
    assert_eq!(decoded, image);
    assert!(decoded.is_opaque());
}

#[test]
fn cgbi_each_filter_type_decodes_exactly() {
    let image = with_alpha(noise_image(17, 9, 3), 255);
    for filter in 0..5 {
        let options = CgbiOptions {
            filter: Some(filter),
            ..CgbiOptions::default()
        };
        assert_eq!(
            decode(&encode_cgbi_with(&image, options)),
            image,
            "filter {filter}"
        );
    }
}

#[test]
fn cgbi_interlaced_images_decode() {
    for (width, height) in [(1, 1), (2, 3), (5, 9), (8, 8), (33, 17)] {
        let image = noise_image(width, height, width * 31 + height);
        let options = CgbiOptions {
            interlaced: true,
            filter: None,
        };
        let decoded = decode(&encode_cgbi_with(&image, options));
        assert_cgbi_round_trip(&image, &decoded);
    }
}

#[test]
fn png_info_reads_cgbi_and_standard_headers() {
    let image = noise_image(37, 21, 4);
    let cgbi = encode_cgbi(&image);
    let expected = |cgbi| PngInfo {
        width: 37,
        height: 21,
        cgbi,
    };
    assert_eq!(
        raster::png_info(&cgbi).expect("CgBI header"),
        expected(true)
    );
    assert_eq!(
        raster::png_info(&image.to_png()).expect("PNG header"),
        expected(false)
    );
    // Only the header is needed.
    assert_eq!(
        raster::png_info(&cgbi[..8 + 12 + 4 + 12 + 13]).expect("prefix"),
        expected(true)
    );
}

/// Encodes raw samples with the `png` crate in any colour type / bit depth.
fn standard_png(
    width: u32,
    height: u32,
    color: png::ColorType,
    depth: png::BitDepth,
    samples: &[u8],
    palette: Option<(&[u8], &[u8])>,
) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(color);
    encoder.set_depth(depth);
    if let Some((plte, trns)) = palette {
        encoder.set_palette(plte.to_vec());
        encoder.set_trns(trns.to_vec());
    }
    let mut writer = encoder.write_header().expect("header");
    writer.write_image_data(samples).expect("image data");
    writer.finish().expect("finish");
    out
}

#[test]
fn standard_png_color_types_decode_to_rgba() {
    use png::BitDepth::{Eight, One, Sixteen};
    use png::ColorType::{Grayscale, GrayscaleAlpha, Indexed, Rgb, Rgba};
    let cases: Vec<(Vec<u8>, Vec<u8>)> = vec![
        (
            standard_png(2, 1, Grayscale, Eight, &[0, 200], None),
            vec![0, 0, 0, 255, 200, 200, 200, 255],
        ),
        (
            // 1-bit grey: 0b1010_0000 → white, black, white, black.
            standard_png(4, 1, Grayscale, One, &[0b1010_0000], None),
            [[255, 255, 255, 255], [0, 0, 0, 255]].concat().repeat(2),
        ),
        (
            standard_png(1, 1, GrayscaleAlpha, Eight, &[90, 30], None),
            vec![90, 90, 90, 30],
        ),
        (
            standard_png(1, 1, Rgb, Eight, &[1, 2, 3], None),
            vec![1, 2, 3, 255],
        ),
        (
            // 16-bit keeps the high byte.
            standard_png(1, 1, Rgba, Sixteen, &[1, 99, 2, 99, 3, 99, 4, 99], None),
            vec![1, 2, 3, 4],
        ),
        (
            standard_png(1, 1, Grayscale, Sixteen, &[0xab, 0xcd], None),
            vec![0xab, 0xab, 0xab, 255],
        ),
        (
            standard_png(
                3,
                1,
                Indexed,
                Eight,
                &[0, 1, 2],
                Some((&[10, 20, 30, 40, 50, 60, 70, 80, 90], &[0, 128])),
            ),
            vec![10, 20, 30, 0, 40, 50, 60, 128, 70, 80, 90, 255],
        ),
    ];
    for (index, (png, want)) in cases.iter().enumerate() {
        let decoded = decode(png);
        assert_eq!(decoded.pixels, *want, "case {index}");
        assert!(!raster::png_info(png).expect("header").cgbi);
    }
}

#[test]
fn resize_gives_requested_size_and_a_standard_png() {
    let icon = decode(&encode_cgbi(&sample_icon(180, 9)));
    for (width, height) in [(57, 57), (512, 512), (40, 90), (1, 1)] {
        let resized = icon.resize(width, height);
        assert_eq!((resized.width, resized.height), (width, height));
        assert_eq!(resized.pixels.len(), (width * height * 4) as usize);

        let png = resized.to_png();
        assert_eq!(png, resized.to_png(), "deterministic bytes");
        let info = raster::png_info(&png).expect("header");
        assert_eq!(
            info,
            PngInfo {
                width,
                height,
                cgbi: false
            }
        );
        assert_eq!(
            &png[12..16],
            b"IHDR",
            "IHDR comes straight after the signature"
        );

        // The reference decoder reads it as plain RGBA8 with the same pixels.
        let mut reader = png::Decoder::new(Cursor::new(&png))
            .read_info()
            .expect("png crate reads it");
        let mut buffer = vec![0; reader.output_buffer_size().expect("size")];
        let frame = reader.next_frame(&mut buffer).expect("frame");
        assert_eq!(
            (frame.color_type, frame.bit_depth),
            (png::ColorType::Rgba, png::BitDepth::Eight)
        );
        assert_eq!(buffer, resized.pixels);
    }
}

#[test]
fn resize_does_not_bleed_hidden_colour_of_transparent_pixels() {
    // Left half: transparent with a hidden bright red; right half: opaque blue.
    let pixels = (0..32 * 32)
        .flat_map(|i| {
            if i % 32 < 16 {
                [255, 0, 0, 0]
            } else {
                [0, 0, 255, 255]
            }
        })
        .collect();
    let image = RgbaImage::new(32, 32, pixels).expect("image");
    let small = image.resize(7, 7);
    for pixel in small.pixels.chunks_exact(4).filter(|p| p[3] > 0) {
        assert!(pixel[0] <= 2, "red leaked into {pixel:?}");
    }
}

#[test]
fn square_centres_and_pads() {
    let tall = RgbaImage::new(10, 40, [200, 10, 10, 255].repeat(400)).expect("image");
    let square = tall.square(32);
    assert_eq!((square.width, square.height), (32, 32));
    let alpha = |x: usize, y: usize| square.pixels[(y * 32 + x) * 4 + 3];
    assert_eq!(alpha(0, 16), 0);
    assert_eq!(alpha(31, 16), 0);
    assert_eq!(alpha(16, 0), 255);
    assert_eq!(alpha(16, 31), 255);
    // An already-square image just scales.
    assert_eq!(sample_icon(50, 1).square(50), sample_icon(50, 1));
}

#[test]
fn rgba_image_new_checks_pixel_length() {
    assert!(RgbaImage::new(3, 3, vec![0; 36]).is_ok());
    assert!(matches!(
        RgbaImage::new(3, 3, vec![0; 35]),
        Err(RasterError::PixelLength { .. })
    ));
}

fn truncations(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    (0..bytes.len()).step_by(7).map(|cut| &bytes[..cut])
}

#[test]
fn truncated_inputs_are_errors() {
    let icon = sample_icon(24, 3);
    for bytes in [encode_cgbi(&icon), icon.to_png()] {
        for cut in truncations(&bytes) {
            assert!(
                raster::decode_png(cut).is_err(),
                "decoded {} of {} bytes",
                cut.len(),
                bytes.len()
            );
            let _ = raster::png_info(cut); // may succeed on a long prefix; must not panic
        }
    }
}

#[test]
fn corrupted_bytes_are_errors() {
    let icon = sample_icon(16, 4);
    for bytes in [encode_cgbi(&icon), icon.to_png()] {
        for index in 0..bytes.len() {
            for flip in [0x01, 0x80, 0xff] {
                let mut corrupt = bytes.clone();
                corrupt[index] ^= flip;
                // Every byte is covered by the signature, a length, or a CRC.
                assert!(
                    raster::decode_png(&corrupt).is_err(),
                    "byte {index} ^ {flip:#x} of {} went unnoticed",
                    bytes.len()
                );
            }
        }
    }
}

#[test]
fn garbage_does_not_panic() {
    let mut state = 12345u32;
    for length in 0..300 {
        let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
        bytes.extend((0..length).map(|_| {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (state >> 16) as u8
        }));
        assert!(raster::decode_png(&bytes).is_err());
    }
}

/// A header-only PNG claiming the given size: no pixel data follows.
fn png_claiming(width: u32, height: u32, cgbi: bool) -> Vec<u8> {
    let image = noise_image(1, 1, 0);
    let real = if cgbi {
        encode_cgbi(&image)
    } else {
        image.to_png()
    };
    // Patch IHDR's width/height and recompute its CRC.
    let ihdr_at = if cgbi { 8 + 12 + 4 } else { 8 };
    let mut bytes = real;
    bytes[ihdr_at + 8..ihdr_at + 12].copy_from_slice(&width.to_be_bytes());
    bytes[ihdr_at + 12..ihdr_at + 16].copy_from_slice(&height.to_be_bytes());
    let mut crc = flate2::Crc::new();
    crc.update(&bytes[ihdr_at + 4..ihdr_at + 8 + 13]);
    bytes[ihdr_at + 8 + 13..ihdr_at + 12 + 13].copy_from_slice(&crc.sum().to_be_bytes());
    bytes
}

#[test]
fn absurd_dimensions_are_rejected_before_decoding() {
    for cgbi in [true, false] {
        for (width, height) in [
            (MAX_DIMENSION + 1, 1),
            (1, 100_000),
            (0x7fff_ffff, 0x7fff_ffff),
        ] {
            let bytes = png_claiming(width, height, cgbi);
            let info = raster::png_info(&bytes).expect("the header itself is valid");
            assert_eq!((info.width, info.height, info.cgbi), (width, height, cgbi));
            assert!(matches!(
                raster::decode_png(&bytes),
                Err(RasterError::TooLarge { .. })
            ));
        }
        // Beyond what PNG allows at all.
        assert!(raster::png_info(&png_claiming(u32::MAX, 1, cgbi)).is_err());
        assert!(raster::png_info(&png_claiming(0, 1, cgbi)).is_err());
    }
}

#[test]
fn maximum_size_header_without_data_fails_cleanly() {
    for cgbi in [true, false] {
        let bytes = png_claiming(MAX_DIMENSION, MAX_DIMENSION, cgbi);
        assert!(raster::decode_png(&bytes).is_err());
    }
}

/// An archive whose icons Xcode crushed to CgBI.
const REAL_IPA: &str = "ipa/calabash__iOSDeviceManager__Permissions_old_f60df0c.ipa";

/// Reads every `.png` directly inside `Payload/<App>.app/`.
fn real_app_pngs() -> Vec<(String, Vec<u8>)> {
    let path = support::fixtures::real_fixtures().join(REAL_IPA);
    let file =
        std::fs::File::open(&path).unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
    let mut archive = zip::ZipArchive::new(file).expect("a zip archive");
    let mut pngs = Vec::new();
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).expect("zip entry");
        let name = entry.name().expect("UTF-8 entry name").into_owned();
        let parts: Vec<&str> = name.split('/').collect();
        let top_level = matches!(parts.as_slice(), ["Payload", app, file] if app.ends_with(".app") && file.ends_with(".png"));
        if top_level {
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).expect("read entry");
            pngs.push((name, bytes));
        }
    }
    pngs
}

#[test]
#[ignore = "needs ../shared/fixtures (the real-archive corpus)"]
fn real_cgbi_icons_decode() {
    let pngs = real_app_pngs();
    assert!(
        pngs.len() >= 10,
        "expected the app's icons and launch images"
    );
    let mut icon = None;
    for (name, bytes) in &pngs {
        let info = raster::png_info(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(info.cgbi, "{name} is crushed");
        let image = raster::decode_png(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            (image.width, image.height),
            (info.width, info.height),
            "{name}"
        );
        if name.ends_with("/AppIcon60x60@3x.png") {
            icon = Some(image);
        }
    }
    let icon = icon.expect("AppIcon60x60@3x.png is in the bundle");
    assert_eq!((icon.width, icon.height), (180, 180));
    assert_plausible_icon(&icon);
}

/// A real icon: mostly visible, with varied colour rather than a flat or garbled fill.
fn assert_plausible_icon(icon: &RgbaImage) {
    let pixels: Vec<&[u8]> = icon.pixels.chunks_exact(4).collect();
    let visible = pixels.iter().filter(|p| p[3] > 0).count();
    assert!(visible > pixels.len() / 2, "only {visible} visible pixels");
    for channel in 0..3 {
        let min = pixels.iter().map(|p| p[channel]).min();
        let max = pixels.iter().map(|p| p[channel]).max();
        assert_ne!(min, max, "channel {channel} is flat");
    }
    // Straight alpha never leaves colour on fully transparent pixels.
    assert!(
        pixels
            .iter()
            .filter(|p| p[3] == 0)
            .all(|p| p[..3] == [0, 0, 0])
    );
    // App icons are square artwork: the centre is drawn.
    let centre = pixels[90 * 180 + 90];
    assert_eq!(centre[3], 255, "centre pixel {centre:?}");
}
