//! Apple compiled asset catalogs (`Assets.car`): finding and decoding an app's icon.
//!
//! An `Assets.car` is a BOM container (big-endian, `bom.rs`) whose named B+ trees hold
//! CoreUI records (little-endian): `KEYFORMAT` says which attribute each slot of a rendition
//! key holds, `FACETKEYS` maps a name such as `AppIcon` to its identifier (`keys.rs`), and
//! `RENDITIONS` maps keys to CSI records (`csi.rs`) whose payloads are compressed bitmaps or
//! embedded JPEG/PNG files (`pixels.rs`, `codecs.rs`). `catalog.rs` picks and ranks a
//! facet's renditions and resolves links into packed atlases. The format notes with their
//! sources are in `shared/ASSETS_CAR.md`.
//!
//! Everything here treats the catalog as untrusted: reads are bounds-checked, sizes are capped
//! before allocating, tree walks cannot loop, and failures are [`CarError`]s, never panics.

mod bom;
mod bytes;
mod catalog;
mod codecs;
mod csi;
mod keys;
mod pixels;

#[cfg(test)]
mod synthetic_tests;
#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;

use crate::raster::RgbaImage;

/// Largest width or height accepted for any bitmap in a catalog.
const MAX_DIMENSION: u32 = 4096;
/// Largest decompressed buffer accepted for one bitmap.
const MAX_BITMAP_BYTES: usize = 64 << 20;
/// Total decompressed bytes one call may allocate, across every rendition it decodes.
const MAX_DECODE_BUDGET: usize = 256 << 20;

/// One decoded icon rendition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CarIcon {
    /// Straight-alpha RGBA pixels.
    pub image: RgbaImage,
    /// The rendition's file name as stored (e.g. `Icon-60@3x.png`), or `"<facet> <w>x<h>"`
    /// when the catalog stored none.
    pub rendition: String,
    /// The rendition's scale factor (1, 2 or 3).
    pub scale: u32,
}

/// Why a catalog or one of its renditions could not be read.
#[derive(thiserror::Error, Debug)]
pub enum CarError {
    #[error("the data is not an asset catalog: it does not start with the BOMStore signature")]
    NotABomStore,
    #[error("the asset catalog is truncated or corrupt: {what} runs past the end of its data")]
    Truncated { what: &'static str },
    #[error("the asset catalog is corrupt: {what} does not start with the signature {expected:?}")]
    BadSignature {
        what: &'static str,
        expected: &'static str,
    },
    #[error("the asset catalog refers to block {index}, which is not in its block table")]
    BadBlockIndex { index: u32 },
    #[error("the asset catalog has no {name} table")]
    MissingTable { name: &'static str },
    #[error("the asset catalog's {tree} tree is malformed: {reason}")]
    MalformedTree {
        tree: &'static str,
        reason: &'static str,
    },
    #[error("the asset catalog is corrupt: {0}")]
    Corrupt(String),
    #[error("it uses the {0} compression, which this reader does not support")]
    UnsupportedCompression(&'static str),
    #[error("its pixel format {0:?} is not supported")]
    UnsupportedPixelFormat(String),
    #[error("it is {width}x{height} pixels, beyond the {MAX_DIMENSION}x{MAX_DIMENSION} limit")]
    TooLarge { width: u32, height: u32 },
    #[error(
        "it is {width}x{height} pixels, beyond the {max}x{max} limit for icons",
        max = crate::raster::MAX_ICON_DIMENSION
    )]
    IconTooLarge { width: u32, height: u32 },
    #[error("it is {width}x{height} pixels: an image needs a non-zero width and height")]
    Empty { width: u32, height: u32 },
    #[error(
        "its {rows} rows of {stride} bytes exceed the {} MiB limit for one bitmap",
        MAX_BITMAP_BYTES >> 20
    )]
    RowsTooLarge { rows: u32, stride: u32 },
    #[error("its {codec} data could not be decompressed: {detail}")]
    Decompression { codec: &'static str, detail: String },
    #[error("its embedded {format} image could not be decoded: {detail}")]
    EmbeddedImage {
        format: &'static str,
        detail: String,
    },
    #[error("it links to a packed image that {0}")]
    BrokenLink(String),
    #[error("decoding would need more than {} MiB in total", MAX_DECODE_BUDGET >> 20)]
    BudgetExceeded,
    #[error("rendition {name:?} cannot be decoded: {source}")]
    Rendition {
        name: String,
        #[source]
        source: Box<CarError>,
    },
}

/// The largest light-appearance rendition of the facet `icon_name` (the app's
/// `CFBundleIconName`, else `"AppIcon"`), by pixel size.
///
/// `Ok(None)` when the catalog has no such facet or the facet has no image rendition. When
/// the largest rendition cannot be decoded the next largest is tried; the first error is
/// returned only when none can be decoded.
pub fn largest_icon(car: &[u8], icon_name: &str) -> Result<Option<CarIcon>, CarError> {
    catalog::Catalog::open(car)?.largest_icon(icon_name)
}

/// The pixel size of the largest light-appearance rendition of the facet, from the rendition
/// headers alone (nothing is decompressed).
pub fn largest_icon_size(car: &[u8], icon_name: &str) -> Result<Option<(u32, u32)>, CarError> {
    catalog::Catalog::open(car)?.largest_icon_size(icon_name)
}

/// Every decodable light-appearance rendition of the facet `icon_name`, largest first.
///
/// Renditions that cannot be decoded are left out; the first such error is returned only when
/// the facet has image renditions and none of them can be decoded.
pub fn icons(car: &[u8], icon_name: &str) -> Result<Vec<CarIcon>, CarError> {
    catalog::Catalog::open(car)?.icons(icon_name)
}
