//! From a facet name to decoded icons: picks the facet's light-appearance image renditions,
//! ranks them by pixel size, and resolves internal links into packed atlases.

use std::cmp::Reverse;
use std::collections::HashMap;

use super::bom::Bom;
use super::csi::{Csi, InternalLink, layout};
use super::keys::{KeyFormat, RenditionKey, attribute, facet_identifier};
use super::pixels::{self, Budget};
use super::{CarError, CarIcon};
use crate::raster::RgbaImage;

/// An opened catalog; trees are read on demand.
pub(super) struct Catalog<'a> {
    bom: Bom<'a>,
}

/// Every rendition in `RENDITIONS`, with its decoded key.
struct Rendition<'a> {
    key: RenditionKey,
    value: &'a [u8],
}

/// One image rendition of the wanted facet, with the pixel size it will decode to.
struct Candidate<'a> {
    csi: Csi<'a>,
    key: RenditionKey,
    width: u32,
    height: u32,
    /// Set for layout 1003: the pixels are a rectangle of a packed atlas.
    link: Option<InternalLink>,
}

/// The ranked candidates of one facet, plus what decoding them needs.
struct FacetIcons<'a> {
    facet_name: String,
    renditions: Vec<Rendition<'a>>,
    /// Largest first.
    candidates: Vec<Candidate<'a>>,
    /// Renditions of the facet that could not even be parsed.
    errors: Vec<CarError>,
}

impl<'a> Catalog<'a> {
    pub(super) fn open(car: &'a [u8]) -> Result<Self, CarError> {
        Ok(Catalog {
            bom: Bom::parse(car)?,
        })
    }

    pub(super) fn largest_icon(&self, facet_name: &str) -> Result<Option<CarIcon>, CarError> {
        let Some(facet) = self.facet_icons(facet_name)? else {
            return Ok(None);
        };
        let mut decoder = IconDecoder::new(&facet);
        let mut first_error = None;
        for candidate in &facet.candidates {
            match decoder.decode(candidate) {
                Ok(icon) => return Ok(Some(icon)),
                Err(error) => {
                    first_error.get_or_insert(error);
                }
            }
        }
        match first_error.or_else(|| facet.errors.into_iter().next()) {
            Some(error) => Err(error),
            None => Ok(None),
        }
    }

    pub(super) fn largest_icon_size(
        &self,
        facet_name: &str,
    ) -> Result<Option<(u32, u32)>, CarError> {
        let Some(facet) = self.facet_icons(facet_name)? else {
            return Ok(None);
        };
        match facet.candidates.first() {
            Some(best) => Ok(Some((best.width, best.height))),
            None => facet.errors.into_iter().next().map_or(Ok(None), Err),
        }
    }

    pub(super) fn icons(&self, facet_name: &str) -> Result<Vec<CarIcon>, CarError> {
        let Some(facet) = self.facet_icons(facet_name)? else {
            return Ok(Vec::new());
        };
        let mut decoder = IconDecoder::new(&facet);
        let mut icons = Vec::new();
        let mut first_error = None;
        for candidate in &facet.candidates {
            match decoder.decode(candidate) {
                Ok(icon) => icons.push(icon),
                Err(error) => {
                    first_error.get_or_insert(error);
                }
            }
        }
        if icons.is_empty() {
            if let Some(error) = first_error.or_else(|| facet.errors.into_iter().next()) {
                return Err(error);
            }
        }
        Ok(icons)
    }

    /// The facet's ranked candidates, or `None` when the catalog has no facet of that name.
    fn facet_icons(&self, facet_name: &str) -> Result<Option<FacetIcons<'a>>, CarError> {
        let Some(facets) = self.bom.tree("FACETKEYS")? else {
            return Ok(None);
        };
        let Some(identifier) = facet_identifier(&facets, facet_name)? else {
            return Ok(None);
        };
        let renditions = self.renditions()?;
        let mut candidates = Vec::new();
        let mut errors = Vec::new();
        for rendition in renditions
            .iter()
            .filter(|r| is_light_rendition_of(&r.key, identifier))
        {
            match Candidate::from_rendition(rendition) {
                Ok(Some(candidate)) => candidates.push(candidate),
                Ok(None) => {}
                Err(error) => errors.push(error),
            }
        }
        candidates.sort_by_key(Candidate::rank);
        Ok(Some(FacetIcons {
            facet_name: facet_name.to_owned(),
            renditions,
            candidates,
            errors,
        }))
    }

    /// All renditions with their keys decoded through `KEYFORMAT`.
    fn renditions(&self) -> Result<Vec<Rendition<'a>>, CarError> {
        let Some(entries) = self.bom.tree("RENDITIONS")? else {
            return Ok(Vec::new());
        };
        let key_format = self
            .bom
            .variable_block("KEYFORMAT")?
            .ok_or(CarError::MissingTable { name: "KEYFORMAT" })?;
        let workaround = self.bom.variable_block("KEYFORMATWORKAROUND")?;
        let key_format = KeyFormat::parse(key_format, workaround)?;
        entries
            .iter()
            .map(|entry| {
                Ok(Rendition {
                    key: key_format.rendition_key(entry.key)?,
                    value: entry.value,
                })
            })
            .collect()
    }
}

/// Renditions of a facet carry its identifier; dark, tinted and other non-default
/// appearances (Xcode 16's icon variants) have a non-zero appearance.
fn is_light_rendition_of(key: &RenditionKey, identifier: u16) -> bool {
    key.get(attribute::IDENTIFIER) == identifier && key.get(attribute::APPEARANCE) == 0
}

impl<'a> Candidate<'a> {
    /// `None` for renditions that are no image: multisize sets (`SISM`, point sizes only),
    /// layer stacks, colours and raw data that is neither PNG nor JPEG.
    fn from_rendition(rendition: &Rendition<'a>) -> Result<Option<Self>, CarError> {
        let csi = Csi::parse(rendition.value)?;
        let (width, height, link) = match csi.layout {
            layout::MULTISIZE_IMAGE_SET | layout::LAYER_STACK | layout::COLOR => return Ok(None),
            layout::INTERNAL_LINK => {
                let link = csi
                    .internal_link()
                    .and_then(|link| {
                        link.ok_or_else(|| {
                            CarError::BrokenLink("has no KLNI record naming it".to_owned())
                        })
                    })
                    .map_err(|error| CarError::Rendition {
                        name: csi.name.clone(),
                        source: Box::new(error),
                    })?;
                (link.frame.width, link.frame.height, Some(link))
            }
            _ if csi.payload.starts_with(b"MLEC") => (csi.width, csi.height, None),
            _ => match pixels::raw_image_size(&csi) {
                Some((width, height)) => (width, height, None),
                None => return Ok(None),
            },
        };
        // Refused here rather than when decoding, so that sizing (`inspect`) and decoding
        // (`build`) agree on which rendition is the icon.
        if width.max(height) > crate::raster::MAX_ICON_DIMENSION {
            return Err(CarError::Rendition {
                name: csi.name.clone(),
                source: Box::new(CarError::IconTooLarge { width, height }),
            });
        }
        Ok(Some(Candidate {
            csi,
            key: rendition.key.clone(),
            width,
            height,
            link,
        }))
    }

    /// Sort key, smallest = best: most pixels, then stored directly rather than through an
    /// atlas link, then sRGB before P3, then the plain idiom variant before a subtype
    /// (e.g. the 1792 phone copy), then higher scale.
    fn rank(&self) -> (Reverse<u64>, bool, u16, u16, Reverse<u32>) {
        let area = u64::from(self.width) * u64::from(self.height);
        (
            Reverse(area),
            self.link.is_some(),
            self.key.get(attribute::DISPLAY_GAMUT),
            self.key.get(attribute::SUBTYPE),
            Reverse(self.scale()),
        )
    }

    /// From the header (scale × 100), else the key's scale attribute, else 1.
    fn scale(&self) -> u32 {
        match self.csi.scale_factor / 100 {
            0 => u32::from(self.key.get(attribute::SCALE)).max(1),
            scale => scale,
        }
    }

    fn rendition_name(&self, facet_name: &str) -> String {
        if self.csi.name.is_empty() {
            format!("{facet_name} {}x{}", self.width, self.height)
        } else {
            self.csi.name.clone()
        }
    }
}

/// Decodes candidates of one facet, sharing a memory budget and decoded atlases.
struct IconDecoder<'f, 'a> {
    facet: &'f FacetIcons<'a>,
    budget: Budget,
    /// Renditions by their sorted non-zero key attributes, built at the first link.
    by_key: Option<HashMap<Vec<(u16, u16)>, usize>>,
    /// Decoded atlases by rendition index; a failure is kept so it is not retried per link.
    atlases: HashMap<usize, Result<RgbaImage, String>>,
}

impl<'f, 'a> IconDecoder<'f, 'a> {
    fn new(facet: &'f FacetIcons<'a>) -> Self {
        IconDecoder {
            facet,
            budget: Budget::new(),
            by_key: None,
            atlases: HashMap::new(),
        }
    }

    fn decode(&mut self, candidate: &Candidate) -> Result<CarIcon, CarError> {
        let rendition = candidate.rendition_name(&self.facet.facet_name);
        let image = match &candidate.link {
            Some(link) => self.linked_pixels(link),
            None => pixels::decode(&candidate.csi, &mut self.budget),
        };
        match image {
            Ok(image) => Ok(CarIcon {
                image,
                rendition,
                scale: candidate.scale(),
            }),
            Err(error) => Err(CarError::Rendition {
                name: rendition,
                source: Box::new(error),
            }),
        }
    }

    /// Crops the link's frame out of the packed image its key names (layout 1004, e.g.
    /// `ZZZZPackedAsset-2.1.0-gamut0`).
    fn linked_pixels(&mut self, link: &InternalLink) -> Result<RgbaImage, CarError> {
        let index = self.packed_image_index(link)?;
        if !self.atlases.contains_key(&index) {
            let atlas = self.decode_atlas(index).map_err(|error| error.to_string());
            self.atlases.insert(index, atlas);
        }
        match self.atlases.get(&index) {
            Some(Ok(atlas)) => pixels::crop(atlas, link.frame),
            Some(Err(error)) => Err(CarError::BrokenLink(format!("cannot be decoded: {error}"))),
            None => Err(CarError::BrokenLink("was not decoded".to_owned())),
        }
    }

    fn decode_atlas(&mut self, index: usize) -> Result<RgbaImage, CarError> {
        let value = self
            .facet
            .renditions
            .get(index)
            .map(|r| r.value)
            .unwrap_or_default();
        let csi = Csi::parse(value)?;
        // Only one level of indirection exists; refusing links to links also rules out cycles.
        if csi.layout == layout::INTERNAL_LINK {
            return Err(CarError::BrokenLink("is itself a link".to_owned()));
        }
        pixels::decode(&csi, &mut self.budget)
    }

    fn packed_image_index(&mut self, link: &InternalLink) -> Result<usize, CarError> {
        let renditions = &self.facet.renditions;
        let by_key = self.by_key.get_or_insert_with(|| {
            let mut by_key = HashMap::new();
            for (index, rendition) in renditions.iter().enumerate() {
                by_key
                    .entry(rendition.key.significant_pairs())
                    .or_insert(index);
            }
            by_key
        });
        let wanted = RenditionKey::from_pairs(link.key.clone()).significant_pairs();
        by_key
            .get(&wanted)
            .copied()
            .ok_or_else(|| CarError::BrokenLink(format!("is not in the catalog (key {wanted:?})")))
    }
}
