//! Pixel images: decoding PNGs (standard and Apple's CgBI), resizing and encoding.

use std::io::Cursor;

use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};

pub mod cgbi;

/// Largest width or height decoded at all (launch images reach 2732): a 4096×4096 image
/// takes 64 MiB as RGBA.
pub const MAX_DIMENSION: u32 = 4096;

/// Largest width or height of an app icon (the largest Apple asks for is 1024×1024): larger
/// icons are skipped before decoding, in `inspect` as in `build`, so one takes at most 16 MiB.
pub const MAX_ICON_DIMENSION: u32 = 2048;

/// Why a PNG could not be read or an image could not be built.
#[derive(Debug, thiserror::Error)]
pub enum RasterError {
    #[error("the data is not a PNG image (the PNG signature is missing)")]
    NotPng,
    #[error("the PNG data ends before the image is complete")]
    Truncated,
    #[error("the PNG chunk {chunk} is corrupted (its CRC does not match)")]
    BadCrc { chunk: String },
    #[error("the PNG structure is invalid: {0}")]
    Malformed(&'static str),
    #[error(
        "the image is {width}×{height} pixels, larger than the {MAX_DIMENSION}×{MAX_DIMENSION} limit"
    )]
    TooLarge { width: u32, height: u32 },
    #[error("the PNG image data could not be decoded: {0}")]
    Png(String),
    #[error("an image needs a non-zero width and height, got {width}×{height}")]
    Empty { width: u32, height: u32 },
    #[error("a {width}×{height} RGBA image needs {expected} bytes of pixels, got {actual}")]
    PixelLength {
        width: u32,
        height: u32,
        expected: usize,
        actual: usize,
    },
}

/// What a PNG's header says, without decoding any pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PngInfo {
    pub width: u32,
    pub height: u32,
    /// True for Apple's CgBI ("crushed") variant.
    pub cgbi: bool,
}

/// Reads only the signature and header chunks of a standard or CgBI PNG.
///
/// Reports the size as stored, even above [`MAX_DIMENSION`]; [`decode_png`] enforces the cap.
pub fn png_info(bytes: &[u8]) -> Result<PngInfo, RasterError> {
    let header = cgbi::read_header(bytes)?;
    Ok(PngInfo {
        width: header.ihdr.width,
        height: header.ihdr.height,
        cgbi: header.cgbi,
    })
}

/// Decodes a standard PNG (any colour type and bit depth) or a CgBI PNG into 8-bit straight RGBA.
pub fn decode_png(bytes: &[u8]) -> Result<RgbaImage, RasterError> {
    let info = png_info(bytes)?;
    check_dimensions(info.width, info.height)?;
    if info.cgbi {
        cgbi::decode(bytes)
    } else {
        decode_standard(bytes)
    }
}

/// Rejects images whose size alone would make decoding expensive.
pub(crate) fn check_dimensions(width: u32, height: u32) -> Result<(), RasterError> {
    if width > MAX_DIMENSION || height > MAX_DIMENSION {
        return Err(RasterError::TooLarge { width, height });
    }
    Ok(())
}

/// Decodes a standard PNG with the `png` crate and normalises it to RGBA8.
pub(crate) fn decode_standard(bytes: &[u8]) -> Result<RgbaImage, RasterError> {
    let png_error = |e: png::DecodingError| RasterError::Png(e.to_string());
    let mut decoder = png::Decoder::new(Cursor::new(bytes));
    // Expand palettes, low bit depths and tRNS; drop the low byte of 16-bit samples.
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let header = decoder.read_header_info().map_err(png_error)?;
    check_dimensions(header.width, header.height)?;

    let mut reader = decoder.read_info().map_err(png_error)?;
    let size = reader.output_buffer_size().ok_or(RasterError::TooLarge {
        width: reader.info().width,
        height: reader.info().height,
    })?;
    let mut buffer = vec![0; size];
    let frame = reader.next_frame(&mut buffer).map_err(png_error)?;
    // Reading through IEND catches truncated files and trailing-chunk corruption.
    reader.finish().map_err(png_error)?;

    buffer.truncate(frame.buffer_size());
    let pixels = expand_to_rgba(buffer, frame.color_type)?;
    RgbaImage::new(frame.width, frame.height, pixels)
}

/// Converts 8-bit samples of any expanded colour type to RGBA.
fn expand_to_rgba(samples: Vec<u8>, color: png::ColorType) -> Result<Vec<u8>, RasterError> {
    use png::ColorType::{Grayscale, GrayscaleAlpha, Indexed, Rgb, Rgba};
    let pixels = match color {
        Rgba => samples,
        Rgb => samples
            .chunks_exact(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect(),
        GrayscaleAlpha => samples
            .chunks_exact(2)
            .flat_map(|p| [p[0], p[0], p[0], p[1]])
            .collect(),
        Grayscale => samples.iter().flat_map(|&g| [g, g, g, 255]).collect(),
        // EXPAND always turns palettes into RGB(A); guard anyway rather than mis-read.
        Indexed => return Err(RasterError::Png("palette was not expanded".into())),
    };
    Ok(pixels)
}

/// An 8-bit straight-alpha RGBA image, rows packed top to bottom.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct RgbaImage {
    pub width: u32,
    pub height: u32,
    /// `width * height * 4` bytes, R G B A per pixel, alpha not premultiplied.
    pub pixels: Vec<u8>,
}

impl std::fmt::Debug for RgbaImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RgbaImage({}x{})", self.width, self.height)
    }
}

impl RgbaImage {
    /// Wraps straight-alpha RGBA pixels, checking that their length matches the size.
    pub fn new(width: u32, height: u32, pixels: Vec<u8>) -> Result<Self, RasterError> {
        if width == 0 || height == 0 {
            return Err(RasterError::Empty { width, height });
        }
        let expected = (width as usize)
            .checked_mul(height as usize)
            .and_then(|n| n.checked_mul(4));
        if expected != Some(pixels.len()) {
            return Err(RasterError::PixelLength {
                width,
                height,
                expected: expected.unwrap_or(usize::MAX),
                actual: pixels.len(),
            });
        }
        Ok(RgbaImage {
            width,
            height,
            pixels,
        })
    }

    /// True when every pixel is fully opaque.
    pub fn is_opaque(&self) -> bool {
        self.pixels.chunks_exact(4).all(|p| p[3] == 255)
    }

    /// Resamples to exactly `width`×`height` (zero is treated as 1) with Lanczos3.
    ///
    /// Colour is premultiplied by alpha while filtering, so transparent pixels'
    /// hidden colour does not bleed into visible edges.
    ///
    /// # Panics
    /// If the image breaks its invariant (`pixels.len() != width * height * 4`),
    /// which [`RgbaImage::new`] and the decoders never produce.
    pub fn resize(&self, width: u32, height: u32) -> RgbaImage {
        let (width, height) = (width.max(1), height.max(1));
        if (width, height) == (self.width, self.height) {
            return self.clone();
        }
        let source = ImageRef::new(self.width, self.height, &self.pixels, PixelType::U8x4)
            .expect("RgbaImage pixels must hold width * height * 4 bytes");
        let mut target = Image::new(width, height, PixelType::U8x4);
        let options = ResizeOptions::new()
            .resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3))
            .use_alpha(true);
        Resizer::new()
            .resize(&source, &mut target, &options)
            .expect("both images are U8x4 with matching buffers");
        RgbaImage {
            width,
            height,
            pixels: target.into_vec(),
        }
    }

    /// Fits the image into a `size`×`size` square (zero is treated as 1), keeping
    /// its aspect ratio, centred on a transparent background.
    ///
    /// # Panics
    /// Like [`RgbaImage::resize`], only for an image that breaks its invariant.
    pub fn square(&self, size: u32) -> RgbaImage {
        let size = size.max(1);
        let (width, height) = fit_within(self.width, self.height, size);
        let scaled = self.resize(width, height);
        if width == size && height == size {
            return scaled;
        }
        let side = size as usize;
        let mut pixels = vec![0u8; side * side * 4];
        let left = (size - width) as usize / 2;
        let top = (size - height) as usize / 2;
        let row_len = width as usize * 4;
        for (y, row) in scaled.pixels.chunks_exact(row_len).enumerate() {
            let start = ((top + y) * side + left) * 4;
            pixels[start..start + row_len].copy_from_slice(row);
        }
        RgbaImage {
            width: size,
            height: size,
            pixels,
        }
    }

    /// Encodes as a standard 8-bit RGBA PNG. The bytes depend only on the pixels
    /// (no timestamps or other metadata), so repeated builds are identical.
    ///
    /// # Panics
    /// If the image breaks its invariant (zero size or wrong pixel length),
    /// which [`RgbaImage::new`] and the decoders never produce.
    pub fn to_png(&self) -> Vec<u8> {
        self.try_to_png()
            .expect("RgbaImage must have a non-zero size and width * height * 4 bytes")
    }

    fn try_to_png(&self) -> Result<Vec<u8>, png::EncodingError> {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, self.width, self.height);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        // Balanced: High costs several times the time for a slightly smaller icon.
        encoder.set_compression(png::Compression::Balanced);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(&self.pixels)?;
        writer.finish()?;
        Ok(out)
    }
}

/// The largest size with the same aspect ratio that fits in `size`×`size`, never zero.
fn fit_within(width: u32, height: u32, size: u32) -> (u32, u32) {
    let (width, height, size) = (
        u64::from(width.max(1)),
        u64::from(height.max(1)),
        u64::from(size),
    );
    // Rounded division; the result is at most `size`, so it fits in u32.
    let scale = |short: u64, long: u64| ((short * size + long / 2) / long).clamp(1, size) as u32;
    if width >= height {
        (size as u32, scale(height, width))
    } else {
        (scale(width, height), size as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn solid(width: u32, height: u32, rgba: [u8; 4]) -> RgbaImage {
        let pixels = rgba.repeat(width as usize * height as usize);
        RgbaImage::new(width, height, pixels).expect("consistent test image")
    }

    #[test]
    fn raster_new_checks_length_and_size() {
        assert!(RgbaImage::new(2, 2, vec![0; 16]).is_ok());
        assert!(matches!(
            RgbaImage::new(2, 2, vec![0; 15]),
            Err(RasterError::PixelLength {
                expected: 16,
                actual: 15,
                ..
            })
        ));
        assert!(matches!(
            RgbaImage::new(0, 2, vec![]),
            Err(RasterError::Empty { .. })
        ));
    }

    #[test]
    fn raster_fit_within_keeps_aspect_ratio() {
        assert_eq!(fit_within(200, 100, 64), (64, 32));
        assert_eq!(fit_within(100, 300, 60), (20, 60));
        assert_eq!(fit_within(1000, 1, 10), (10, 1));
        assert_eq!(fit_within(5, 5, 5), (5, 5));
    }

    #[test]
    fn raster_square_pads_with_transparency() {
        let wide = solid(20, 10, [10, 20, 30, 255]);
        let square = wide.square(8);
        assert_eq!((square.width, square.height), (8, 8));
        let alpha_at = |x: usize, y: usize| square.pixels[(y * 8 + x) * 4 + 3];
        assert_eq!(alpha_at(4, 0), 0, "top padding is transparent");
        assert_eq!(alpha_at(4, 7), 0, "bottom padding is transparent");
        assert_eq!(alpha_at(4, 4), 255, "the image sits in the middle");
    }

    #[test]
    fn raster_opacity() {
        assert!(solid(3, 3, [1, 2, 3, 255]).is_opaque());
        assert!(!solid(3, 3, [1, 2, 3, 254]).is_opaque());
    }

    #[test]
    fn raster_to_png_round_trips_exactly() {
        let mut image = solid(5, 3, [200, 100, 50, 255]);
        image.pixels[7] = 17; // one semi-transparent pixel
        let png = image.to_png();
        assert_eq!(png, image.to_png(), "encoding is deterministic");
        let decoded = decode_png(&png).expect("own output decodes");
        assert_eq!(decoded, image);
        assert!(!png_info(&png).expect("header").cgbi);
    }

    #[test]
    fn raster_rejects_non_png() {
        assert!(matches!(decode_png(b"GIF89a"), Err(RasterError::NotPng)));
        assert!(matches!(png_info(&[]), Err(RasterError::NotPng)));
    }
}
