//! Tests against real `Assets.car` files read out of the shared fixture archives.

use std::io::Read;
use std::path::PathBuf;

use super::*;

const IPA_SERVER: &str = "iineva__ipa-server__ipa.ipa";
const APP_STUB: &str = "calabash__iOSDeviceManager__AppStub.ipa";
const PERMISSIONS: &str = "calabash__iOSDeviceManager__Permissions.ipa";
const PERMISSIONS_OLD: &str = "calabash__iOSDeviceManager__Permissions_old_f60df0c.ipa";

/// An archive of the real corpus (`../shared/fixtures/real`, or `OTASITE_FIXTURES`); every
/// test here is ignored by default because it needs that corpus.
fn fixture(name: &str) -> PathBuf {
    let corpus = std::env::var_os("OTASITE_FIXTURES").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/real"),
        PathBuf::from,
    );
    let path = corpus.join("ipa").join(name);
    assert!(
        path.is_file(),
        "the real-archive corpus is missing: no {} (set OTASITE_FIXTURES to the folder holding it)",
        path.display()
    );
    path
}

/// The first archive member whose path ends with `suffix`.
fn read_member(ipa: &str, suffix: &str) -> Vec<u8> {
    let file = std::fs::File::open(fixture(ipa)).unwrap_or_else(|e| panic!("{ipa}: {e}"));
    let mut archive = zip::ZipArchive::new(file).unwrap();
    let name = archive
        .file_names()
        .filter_map(Result::ok)
        .find(|name| name.ends_with(suffix))
        .unwrap_or_else(|| panic!("{ipa} has no {suffix}"))
        .into_owned();
    let mut bytes = Vec::new();
    archive
        .by_name(&name)
        .unwrap()
        .read_to_end(&mut bytes)
        .unwrap();
    bytes
}

fn assets_car(ipa: &str) -> Vec<u8> {
    read_member(ipa, ".app/Assets.car")
}

/// Not blank: some opaque pixels and more than one colour.
fn assert_plausible(icon: &CarIcon) {
    let image = &icon.image;
    assert_eq!(
        image.pixels.len(),
        (image.width * image.height * 4) as usize
    );
    assert!(
        image.pixels.chunks_exact(4).any(|p| p[3] > 0),
        "{}: all transparent",
        icon.rendition
    );
    let first = &image.pixels[..4];
    assert!(
        image.pixels.chunks_exact(4).any(|p| p != first),
        "{}: uniform",
        icon.rendition
    );
}

fn summary(icons: &[CarIcon]) -> Vec<(String, u32, u32, u32)> {
    icons
        .iter()
        .map(|icon| {
            (
                icon.rendition.clone(),
                icon.image.width,
                icon.image.height,
                icon.scale,
            )
        })
        .collect()
}

#[test]
#[ignore = "needs ../shared/fixtures (the real-archive corpus)"]
fn ipa_server_largest_icon_is_the_180_pixel_lzfse_icon() {
    let icon = largest_icon(&assets_car(IPA_SERVER), "AppIcon")
        .unwrap()
        .unwrap();
    assert_eq!(
        (icon.image.width, icon.image.height, icon.scale),
        (180, 180, 3)
    );
    assert_eq!(icon.rendition, "icon-1.png");
    assert_plausible(&icon);
}

#[test]
#[ignore = "needs ../shared/fixtures (the real-archive corpus)"]
fn app_stub_largest_icon_is_the_1024_marketing_icon() {
    let icon = largest_icon(&assets_car(APP_STUB), "AppStubIcon")
        .unwrap()
        .unwrap();
    assert_eq!(
        (icon.image.width, icon.image.height, icon.scale),
        (1024, 1024, 1)
    );
    assert_eq!(icon.rendition, "icon.png");
    assert_plausible(&icon);
}

#[test]
#[ignore = "needs ../shared/fixtures (the real-archive corpus)"]
fn permissions_largest_icon_is_the_180_pixel_lzvn_icon() {
    let icon = largest_icon(&assets_car(PERMISSIONS), "AppIcon")
        .unwrap()
        .unwrap();
    assert_eq!(
        (icon.image.width, icon.image.height, icon.scale),
        (180, 180, 3)
    );
    assert_eq!(icon.rendition, "Icon-60@3x.png");
    assert_plausible(&icon);
}

#[test]
#[ignore = "needs ../shared/fixtures (the real-archive corpus)"]
fn unknown_facets_and_catalogs_without_icons_give_none() {
    assert!(
        largest_icon(&assets_car(PERMISSIONS), "NoSuchIcon")
            .unwrap()
            .is_none()
    );
    assert!(icons(&assets_car(APP_STUB), "AppIcon").unwrap().is_empty());
}

#[test]
#[ignore = "needs ../shared/fixtures (the real-archive corpus)"]
fn every_permissions_rendition_decodes_lzvn_chunked_single_and_rle() {
    let icons = icons(&assets_car(PERMISSIONS), "AppIcon").unwrap();
    // 17 renditions minus 3 multisize sets.
    assert_eq!(icons.len(), 14, "{:?}", summary(&icons));
    icons.iter().for_each(assert_plausible);
    let sizes: Vec<u32> = icons.iter().map(|icon| icon.image.width).collect();
    assert_eq!(
        sizes,
        [180, 180, 167, 152, 120, 120, 87, 80, 80, 76, 58, 58, 40, 29]
    );
}

/// The 180×180 icon of the Xcode 11 Permissions build (LZVN in three `KCBC` chunks, rows
/// padded to 736 bytes) is the same art as the loose CgBI PNG of the older build.
#[test]
#[ignore = "needs ../shared/fixtures (the real-archive corpus)"]
fn permissions_icon_equals_the_cgbi_png_of_the_older_build() {
    let png = read_member(PERMISSIONS_OLD, ".app/AppIcon60x60@3x.png");
    let expected = crate::raster::decode_png(&png).unwrap();
    let icons = icons(&assets_car(PERMISSIONS), "AppIcon").unwrap();
    let icon = icons.iter().find(|icon| icon.image.width == 180).unwrap();
    assert_eq!(icon.image.pixels.len(), expected.pixels.len());
    assert!(icon.image.pixels == expected.pixels, "pixels differ");
}

/// The 29×29 iPad icon is the one RLE rendition; the older build has it as a CgBI PNG.
#[test]
#[ignore = "needs ../shared/fixtures (the real-archive corpus)"]
fn permissions_rle_icon_equals_the_cgbi_png_of_the_older_build() {
    let png = read_member(PERMISSIONS_OLD, ".app/AppIcon29x29~ipad.png");
    let expected = crate::raster::decode_png(&png).unwrap();
    let icons = icons(&assets_car(PERMISSIONS), "AppIcon").unwrap();
    let icon = icons
        .iter()
        .find(|icon| icon.rendition == "Icon-Small-1.png")
        .unwrap();
    assert_eq!((icon.image.width, icon.image.height), (29, 29));
    assert!(icon.image.pixels == expected.pixels, "pixels differ");
}

#[test]
#[ignore = "needs ../shared/fixtures (the real-archive corpus)"]
fn every_app_stub_rendition_decodes_including_atlas_links() {
    let icons = icons(&assets_car(APP_STUB), "AppStubIcon").unwrap();
    // 28 renditions minus 5 atlases (another facet) and 4 multisize sets.
    assert_eq!(icons.len(), 19, "{:?}", summary(&icons));
    icons.iter().for_each(assert_plausible);
    assert_eq!(icons[0].image.width, 1024);
}

/// `Icon-60@3x.png` is stored twice in AppStub: directly (subtype 1792, layout 12) and as a
/// link to the frame (2, 2, 180, 180) of the @3x packed atlas. Both must decode the same.
#[test]
#[ignore = "needs ../shared/fixtures (the real-archive corpus)"]
fn app_stub_atlas_crop_matches_the_directly_stored_copy() {
    let icons = icons(&assets_car(APP_STUB), "AppStubIcon").unwrap();
    let copies: Vec<_> = icons
        .iter()
        .filter(|icon| icon.rendition == "Icon-60@3x.png")
        .collect();
    assert_eq!(copies.len(), 2);
    assert!(
        copies[0].image == copies[1].image,
        "the atlas crop differs from the direct copy"
    );
}

#[test]
#[ignore = "needs ../shared/fixtures (the real-archive corpus)"]
fn ipa_server_both_180_pixel_copies_decode() {
    let icons = icons(&assets_car(IPA_SERVER), "AppIcon").unwrap();
    assert_eq!(summary(&icons).len(), 2);
    assert!(icons[0].image == icons[1].image);
}

/// The fixtures with the facet their Info.plist names.
const CATALOGS: [(&str, &str); 3] = [
    (IPA_SERVER, "AppIcon"),
    (APP_STUB, "AppStubIcon"),
    (PERMISSIONS, "AppIcon"),
];

/// Cutting a catalog anywhere gives an error (or, when only unused trailing bytes are cut,
/// the same icon), never a panic or a different image.
#[test]
#[ignore = "needs ../shared/fixtures (the real-archive corpus)"]
fn truncated_catalogs_are_errors_not_panics() {
    for (ipa, facet) in CATALOGS {
        let car = assets_car(ipa);
        let full = largest_icon(&car, facet).unwrap();
        let step = (car.len() / 300).max(1);
        let mut errors = 0;
        for length in (0..car.len())
            .step_by(step)
            .chain(car.len().saturating_sub(64)..car.len())
        {
            match largest_icon(&car[..length], facet) {
                Ok(icon) => assert_eq!(icon, full, "{ipa} cut at {length}"),
                Err(_) => errors += 1,
            }
        }
        assert!(errors > 300, "{ipa}: only {errors} truncations failed");
    }
}

/// xorshift64: reproducible pseudo-random corruption without another dependency.
fn next_random(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// Overwriting bytes anywhere (structure, keys, headers, compressed streams) must never
/// panic or hang; both entry points are exercised.
#[test]
#[ignore = "needs ../shared/fixtures (the real-archive corpus)"]
fn corrupted_catalogs_do_not_panic() {
    let mut state = 0x9E37_79B9_7F4A_7C15;
    // Fewer rounds for AppStub, whose 1024×1024 icon is slow to convert in debug builds.
    for ((ipa, facet), rounds) in CATALOGS.into_iter().zip([300, 60, 300]) {
        let car = assets_car(ipa);
        for round in 0..rounds {
            let mut corrupt = car.clone();
            for _ in 0..1 + round % 4 {
                let position = next_random(&mut state) as usize % corrupt.len();
                corrupt[position] = next_random(&mut state) as u8;
            }
            let _ = largest_icon(&corrupt, facet);
            if round % 5 == 0 {
                let _ = icons(&corrupt, facet);
            }
        }
    }
}

/// Corrupting the BOM structure specifically (header, block table, variables): every byte
/// of the tables is replaced with values likely to break offsets and lengths.
#[test]
#[ignore = "needs ../shared/fixtures (the real-archive corpus)"]
fn corrupted_block_tables_are_errors_not_panics() {
    let car = assets_car(PERMISSIONS);
    let table_offset = u32::from_be_bytes(car[16..20].try_into().unwrap()) as usize;
    for position in (0..32).chain((table_offset..car.len()).step_by(7)) {
        for value in [0x00, 0x7f, 0xff] {
            let mut corrupt = car.clone();
            corrupt[position] = value;
            let _ = largest_icon(&corrupt, "AppIcon");
        }
    }
}
