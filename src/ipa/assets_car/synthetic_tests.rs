//! Whole-catalog tests on synthetic files: deep trees, appearances, links, payload kinds
//! and malformed structures that the real fixtures do not exercise.

use super::test_support::*;
use super::*;

const ICON: u16 = 6849;
const OTHER: u16 = 42;

/// A premultiplied BGRA pixel as straight RGBA, computed independently of the reader.
fn straight(pixel: &[u8]) -> [u8; 4] {
    let alpha = u32::from(pixel[3]);
    let channel = |c: u8| match alpha {
        0 => 0,
        _ => ((u32::from(c) * 255 + alpha / 2) / alpha).min(255) as u8,
    };
    [
        channel(pixel[2]),
        channel(pixel[1]),
        channel(pixel[0]),
        pixel[3],
    ]
}

fn expected_rgba(rows: &[u8], width: usize, stride: usize) -> Vec<u8> {
    rows.chunks_exact(stride)
        .flat_map(|row| {
            row[..width * 4]
                .chunks_exact(4)
                .flat_map(straight)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// An uncompressed `ARGB` image rendition of the icon facet.
fn plain_icon(name: &str, size: u32, extra_key: &[(u16, u16)]) -> Entry {
    let rows = bgra_rows(size as usize, size as usize, size as usize * 4);
    let mut key = vec![(17, ICON), (12, 1), (15, 1)];
    key.extend(extra_key);
    Entry {
        key,
        value: CsiSpec::image(name, size, size, b"ARGB", bitmap(0, &rows)).encode(),
    }
}

/// A catalog whose facet `AppIcon` has these renditions (8 entries per tree node).
fn icon_catalog_of(renditions: &[Entry]) -> Vec<u8> {
    catalog(&[("AppIcon", ICON)], renditions, 8)
}

/// A catalog whose facet `AppIcon` has the one rendition `csi`.
fn icon_catalog(csi: &CsiSpec) -> Vec<u8> {
    icon_catalog_of(&[Entry {
        key: vec![(17, ICON)],
        value: csi.encode(),
    }])
}

fn icon_sizes(car: &[u8]) -> Vec<(String, u32)> {
    icons(car, "AppIcon")
        .unwrap()
        .into_iter()
        .map(|icon| (icon.rendition, icon.image.width))
        .collect()
}

#[test]
fn deep_trees_are_walked_across_every_leaf() {
    // 60 renditions of another facet, then the icons, three entries per node: the RENDITIONS
    // tree gets four levels and the icons sit in its last leaves.
    let mut renditions: Vec<Entry> = (0..60)
        .map(|i| Entry {
            key: vec![(17, OTHER), (9, i)],
            value: CsiSpec::image("other.png", 1, 1, b"ARGB", bitmap(0, &[0, 0, 0, 255])).encode(),
        })
        .collect();
    renditions.push(plain_icon("small.png", 2, &[]));
    renditions.push(plain_icon("large.png", 6, &[(9, 1)]));
    let facets: Vec<(String, u16)> = (0..10).map(|i| (format!("Facet{i}"), i)).collect();
    let mut facets: Vec<(&str, u16)> = facets
        .iter()
        .map(|(name, id)| (name.as_str(), *id))
        .collect();
    facets.push(("AppIcon", ICON));
    facets.sort();
    let car = catalog(&facets, &renditions, 3);

    let icon = largest_icon(&car, "AppIcon").unwrap().unwrap();
    assert_eq!(
        (icon.rendition.as_str(), icon.image.width),
        ("large.png", 6)
    );
    assert_eq!(
        icon_sizes(&car),
        [("large.png".to_owned(), 6), ("small.png".to_owned(), 2)]
    );
    assert_eq!(icons(&car, "Facet3").unwrap().len(), 0);
}

#[test]
fn leaves_linking_back_are_an_error_not_a_loop() {
    let renditions: Vec<Entry> = (1..=9)
        .map(|size| plain_icon("icon.png", size, &[(9, size as u16)]))
        .collect();
    let (mut bom, leaves) = catalog_writer(&[("AppIcon", ICON)], &renditions, 2);
    // Point the last leaf's forward link back at the first leaf.
    let car = bom_with_forward(&mut bom, *leaves.last().unwrap(), leaves[0]);
    let error = largest_icon(&car, "AppIcon").unwrap_err();
    assert!(
        matches!(
            error,
            CarError::MalformedTree {
                tree: "RENDITIONS",
                ..
            }
        ),
        "{error}"
    );
}

/// Rewrites the forward link of leaf `leaf` of a built file.
fn bom_with_forward(bom: &mut BomWriter, leaf: u32, forward: u32) -> Vec<u8> {
    let car = bom.build();
    let node = read_block(&car, leaf);
    let mut patched = node.clone();
    patched[4..8].copy_from_slice(&forward.to_be_bytes());
    bom.set_block(leaf, patched);
    bom.build()
}

fn read_block(car: &[u8], index: u32) -> Vec<u8> {
    let bom = super::bom::Bom::parse(car).unwrap();
    bom.block(index).unwrap().to_vec()
}

#[test]
fn index_nodes_pointing_at_themselves_are_an_error_not_a_loop() {
    let mut bom = BomWriter::new();
    let looping = bom.add_block(Vec::new());
    let mut node = 0u16.to_be_bytes().to_vec(); // index node
    node.extend(1u16.to_be_bytes());
    node.extend([0; 8]);
    node.extend(looping.to_be_bytes()); // its only child is itself
    node.extend(0u32.to_be_bytes());
    bom.set_block(looping, node);
    let mut header = b"tree".to_vec();
    for field in [1, looping, 4096, 1] {
        header.extend(u32::to_be_bytes(field));
    }
    header.push(0);
    bom.add_variable("FACETKEYS", header);
    let car = bom.build();
    let error = largest_icon(&car, "AppIcon").unwrap_err();
    assert!(
        matches!(
            error,
            CarError::MalformedTree {
                tree: "FACETKEYS",
                ..
            }
        ),
        "{error}"
    );
}

#[test]
fn dark_and_tinted_appearances_are_skipped() {
    let renditions = [
        plain_icon("light.png", 2, &[]),
        plain_icon("dark.png", 4, &[(7, 1)]),
        plain_icon("tinted.png", 5, &[(7, 2), (9, 1)]),
    ];
    let car = icon_catalog_of(&renditions);
    assert_eq!(icon_sizes(&car), [("light.png".to_owned(), 2)]);
}

#[test]
fn equal_sizes_prefer_direct_storage_then_srgb_then_no_subtype() {
    let link_target = [(1u16, 9u16), (2, 181)];
    let atlas_rows = bgra_rows(3, 3, 12);
    let atlas = Entry {
        key: link_target.to_vec(),
        value: CsiSpec::image(
            "ZZZZPackedAsset-1.1.0-gamut0",
            3,
            3,
            b"ARGB",
            bitmap(0, &atlas_rows),
        )
        .encode(),
    };
    let mut linked = CsiSpec::image("linked.png", 3, 3, b"ARGB", Vec::new());
    linked.layout = 1003;
    linked
        .tlvs
        .push(internal_link_tlv([0, 0, 3, 3], &link_target));
    let renditions = [
        atlas,
        Entry {
            key: vec![(17, ICON), (9, 1)],
            value: linked.encode(),
        },
        plain_icon("p3.png", 3, &[(24, 1), (9, 2)]),
        plain_icon("subtype.png", 3, &[(16, 1792), (9, 3)]),
        plain_icon("plain.png", 3, &[(9, 4)]),
    ];
    let car = icon_catalog_of(&renditions);
    let names: Vec<String> = icon_sizes(&car).into_iter().map(|(name, _)| name).collect();
    assert_eq!(names, ["plain.png", "subtype.png", "p3.png", "linked.png"]);
}

#[test]
fn links_crop_the_packed_atlas_with_a_bottom_left_origin() {
    let (width, height) = (4, 3);
    let atlas_rows = bgra_rows(width, height, width * 4);
    let atlas_key = [(1u16, 9u16), (2, 181), (12, 2)];
    let atlas = Entry {
        key: atlas_key.to_vec(),
        value: CsiSpec::image(
            "ZZZZPackedAsset-2.1.0-gamut0",
            4,
            3,
            b"ARGB",
            bitmap(0, &atlas_rows),
        )
        .encode(),
    };
    let mut link = CsiSpec::image("Icon-40@2x.png", 2, 2, b"ARGB", Vec::new());
    link.layout = 1003;
    link.scale = 200;
    // Frame (1, 0, 2, 2) from the bottom left: columns 1–2 of the atlas's two lowest rows.
    link.tlvs.push(internal_link_tlv(
        [1, 0, 2, 2],
        &[(12, 2), (1, 9), (2, 181)],
    ));
    let linked = Entry {
        key: vec![(17, ICON), (12, 2)],
        value: link.encode(),
    };
    let car = icon_catalog_of(&[atlas, linked]);

    let icon = largest_icon(&car, "AppIcon").unwrap().unwrap();
    assert_eq!((icon.rendition.as_str(), icon.scale), ("Icon-40@2x.png", 2));
    let atlas_rgba = expected_rgba(&atlas_rows, width, width * 4);
    let expected: Vec<u8> = atlas_rgba
        .chunks_exact(width * 4)
        .skip(1)
        .flat_map(|row| row[4..12].to_vec())
        .collect();
    assert_eq!(icon.image.pixels, expected);
}

#[test]
fn links_to_missing_or_linked_atlases_are_errors() {
    let mut link = CsiSpec::image("Icon.png", 2, 2, b"ARGB", Vec::new());
    link.layout = 1003;
    link.tlvs
        .push(internal_link_tlv([0, 0, 2, 2], &[(1, 9), (2, 181)]));
    let missing = Entry {
        key: vec![(17, ICON)],
        value: link.encode(),
    };
    let car = icon_catalog_of(&[missing]);
    let error = largest_icon(&car, "AppIcon").unwrap_err();
    assert!(error.to_string().contains("packed image"), "{error}");

    // A link whose target is itself a link (here: the same key) must not be followed.
    let mut self_link = CsiSpec::image("Icon.png", 2, 2, b"ARGB", Vec::new());
    self_link.layout = 1003;
    self_link
        .tlvs
        .push(internal_link_tlv([0, 0, 2, 2], &[(17, ICON)]));
    let entry = Entry {
        key: vec![(17, ICON)],
        value: self_link.encode(),
    };
    let car = icon_catalog_of(&[entry]);
    assert!(largest_icon(&car, "AppIcon").is_err());
}

#[test]
fn chunked_lzfse_bitmaps_with_padded_rows_are_stacked() {
    let (width, height, stride) = (5, 4, 32);
    let rows = bgra_rows(width, height, stride);
    let chunks: Vec<(u32, Vec<u8>)> = [(0, 2), (2, 3), (3, 4)]
        .iter()
        .map(|&(first, end)| {
            let mut frame = Vec::new();
            lzfse_rust::encode_bytes(&rows[first * stride..end * stride], &mut frame).unwrap();
            ((end - first) as u32, frame)
        })
        .collect();
    let csi =
        CsiSpec::image("chunked.png", 5, 4, b"ARGB", chunked_bitmap(4, &chunks)).with_stride(32);
    let car = icon_catalog(&csi);
    let icon = largest_icon(&car, "AppIcon").unwrap().unwrap();
    assert_eq!(icon.image.pixels, expected_rgba(&rows, width, stride));

    // Chunks that do not add up to the height are rejected.
    let short =
        CsiSpec::image("short.png", 5, 4, b"ARGB", chunked_bitmap(4, &chunks[..2])).with_stride(32);
    let car = icon_catalog(&short);
    assert!(largest_icon(&car, "AppIcon").is_err());
}

#[test]
fn every_bitmap_compression_decodes_through_a_catalog() {
    use std::io::Write;
    let (width, height) = (3, 2);
    let rows = bgra_rows(width, height, width * 4);
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gzip.write_all(&rows).unwrap();
    let mut lzfse = Vec::new();
    lzfse_rust::encode_bytes(&rows, &mut lzfse).unwrap();
    let payloads = [
        (0, rows.clone()),
        (2, gzip.finish().unwrap()),
        (3, lzvn::encode_raw(&rows)),
        (4, lzfse),
    ];
    for (compression, blob) in payloads {
        let csi = CsiSpec::image("icon.png", 3, 2, b"ARGB", bitmap(compression, &blob));
        let car = icon_catalog(&csi);
        let icon = largest_icon(&car, "AppIcon").unwrap().unwrap();
        assert_eq!(
            icon.image.pixels,
            expected_rgba(&rows, width, width * 4),
            "compression {compression}"
        );
    }
}

#[test]
fn gray_alpha_bitmaps_become_rgba() {
    // Premultiplied (gray, alpha): (100, 255), (64, 128), (0, 0).
    let csi = CsiSpec::image(
        "tinted.png",
        3,
        1,
        b"GA8 ",
        bitmap(0, &[100, 255, 64, 128, 0, 0]),
    );
    let car = icon_catalog(&csi);
    let icon = largest_icon(&car, "AppIcon").unwrap().unwrap();
    assert_eq!(
        icon.image.pixels,
        [100, 100, 100, 255, 128, 128, 128, 128, 0, 0, 0, 0]
    );
}

#[test]
fn raw_png_and_jpeg_payloads_decode_and_rank_by_their_own_size() {
    let png_image = crate::raster::RgbaImage {
        width: 3,
        height: 2,
        pixels: (0..24).map(|i| i * 10).collect(),
    };
    let mut png = CsiSpec::image("icon.png", 0, 0, b"DATA", raw_data(&png_image.to_png()));
    png.layout = 1000;
    let jpeg = CsiSpec::image("icon.jpg", 0, 0, b"JPEG", raw_data(&flat_gray_jpeg(192)));
    let mut json = CsiSpec::image("Contents.json", 0, 0, b"DATA", raw_data(b"{}"));
    json.layout = 1000;
    let renditions = [
        Entry {
            key: vec![(17, ICON), (9, 1)],
            value: png.encode(),
        },
        Entry {
            key: vec![(17, ICON), (9, 2)],
            value: jpeg.encode(),
        },
        Entry {
            key: vec![(17, ICON), (9, 3)],
            value: json.encode(),
        },
    ];
    let car = icon_catalog_of(&renditions);
    let decoded = icons(&car, "AppIcon").unwrap();
    assert_eq!(decoded.len(), 2, "the JSON data is no image");
    let (jpeg_icon, png_icon) = (&decoded[0], &decoded[1]);
    assert_eq!((jpeg_icon.image.width, jpeg_icon.image.height), (8, 8));
    for pixel in jpeg_icon.image.pixels.chunks_exact(4) {
        assert!(
            pixel[0].abs_diff(192) <= 1 && pixel[0] == pixel[1] && pixel[1] == pixel[2],
            "{pixel:?}"
        );
        assert_eq!(pixel[3], 255);
    }
    assert_eq!(png_icon.image, png_image);
}

#[test]
fn an_undecodable_largest_rendition_falls_back_to_the_next() {
    let hevc = CsiSpec::image("big.heic", 9, 9, b"ARGB", bitmap(9, b"not decodable"));
    let renditions = [
        Entry {
            key: vec![(17, ICON), (9, 1)],
            value: hevc.encode(),
        },
        plain_icon("small.png", 2, &[]),
    ];
    let car = icon_catalog_of(&renditions);
    assert_eq!(
        largest_icon(&car, "AppIcon").unwrap().unwrap().rendition,
        "small.png"
    );
    assert_eq!(icon_sizes(&car), [("small.png".to_owned(), 2)]);

    let only_hevc = icon_catalog_of(&renditions[..1]);
    let error = largest_icon(&only_hevc, "AppIcon").unwrap_err();
    assert_eq!(
        error.to_string(),
        "rendition \"big.heic\" cannot be decoded: it uses the hevc compression, which this reader does not support"
    );
    assert!(icons(&only_hevc, "AppIcon").is_err());
}

#[test]
fn oversized_bitmaps_are_rejected_before_decoding() {
    let too_wide = CsiSpec::image("wide.png", 5000, 1, b"ARGB", bitmap(0, &[]));
    // 2048 rows of a 1 GiB stride: within the dimension limit, beyond the byte limit.
    let huge_stride =
        CsiSpec::image("stride.png", 2048, 2048, b"ARGB", bitmap(3, &[])).with_stride(1 << 30);
    let error = largest_icon(&icon_catalog(&too_wide), "AppIcon").unwrap_err();
    assert!(
        matches!(source_of(&error), CarError::IconTooLarge { .. }),
        "{error}"
    );
    // Sizing from headers refuses it the same way, so `inspect` agrees with `build`.
    let error = largest_icon_size(&icon_catalog(&too_wide), "AppIcon").unwrap_err();
    assert!(
        matches!(source_of(&error), CarError::IconTooLarge { .. }),
        "{error}"
    );
    let error = largest_icon(&icon_catalog(&huge_stride), "AppIcon").unwrap_err();
    assert!(
        matches!(source_of(&error), CarError::RowsTooLarge { .. }),
        "{error}"
    );
}

/// The cause inside a [`CarError::Rendition`].
fn source_of(error: &CarError) -> &CarError {
    match error {
        CarError::Rendition { source, .. } => source,
        other => other,
    }
}

#[test]
fn nameless_renditions_get_a_descriptive_name() {
    let mut entry = plain_icon("", 2, &[]);
    entry.value = CsiSpec::image("", 2, 2, b"ARGB", bitmap(0, &bgra_rows(2, 2, 8))).encode();
    let car = icon_catalog_of(&[entry]);
    assert_eq!(
        largest_icon(&car, "AppIcon").unwrap().unwrap().rendition,
        "AppIcon 2x2"
    );
}

#[test]
fn data_that_is_no_catalog_is_an_error() {
    assert!(matches!(
        largest_icon(b"", "AppIcon"),
        Err(CarError::NotABomStore)
    ));
    assert!(matches!(
        largest_icon(b"PK\x03\x04 zip", "AppIcon"),
        Err(CarError::NotABomStore)
    ));
    assert!(matches!(
        largest_icon(b"BOMStore", "AppIcon"),
        Err(CarError::Truncated { .. })
    ));
}
