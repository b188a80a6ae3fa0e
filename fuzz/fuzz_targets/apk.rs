//! Feeds arbitrary bytes to the Android manifest and resource parsers: binary XML
//! (`AndroidManifest.xml`), the resource table (`resources.arsc`) that resolves its
//! references, and an app bundle's protobuf manifest; and to the launcher icon's drawing:
//! an adaptive icon composed from its layers, and vector drawables drawn. The input is a
//! document and a table: a little-endian `u32` length, that many document bytes (a manifest,
//! an adaptive icon or a vector), then the table (seeds from `scripts/fuzz-apk.sh` have this
//! shape); the whole input is also tried as each alone. Every call must return: no panic,
//! no hang, no allocation without bound.

#![no_main]

use libfuzzer_sys::fuzz_target;
use otasite::apk::vector::{self, Resources};
use otasite::apk::{arsc, axml, bundle, icon, launcher, manifest_facts};

fuzz_target!(|bytes: &[u8]| {
    let (manifest, resources) = split(bytes);
    let _ = manifest_facts(manifest, Some(resources));
    let _ = manifest_facts(bytes, Some(bytes));
    let _ = axml::parse(bytes);
    let _ = bundle::manifest(bytes, Some(bytes));
    let _ = bundle::manifest(manifest, Some(resources));
    let table = arsc::Table::parse(resources).ok();
    draw_icons(bytes, manifest, table.as_ref());
    if let Some(table) = &table {
        // Look up ids the input names, as the icon and label references do.
        for window in manifest.chunks_exact(4).take(64) {
            let id = u32::from_le_bytes([window[0], window[1], window[2], window[3]]);
            let reference = otasite::apk::chunk::Value::Reference(id);
            let _ = icon::candidates(&reference, table);
            let _ = table.resolve(&reference, arsc::default_config);
        }
    }
});

/// The document drawn as a vector and composed as an adaptive icon; every file it names
/// (layers, colour lists, gradients) is one of the input's parts, chosen by the path's length
/// so the fuzzer can steer which.
fn draw_icons(whole: &[u8], document: &[u8], table: Option<&arsc::Table<'_>>) {
    let (first, second) = split(document);
    let parts = [document, first, second, whole];
    let mut read = |path: &str| Some(parts[path.len() % parts.len()].to_vec());
    let mut resources = Resources {
        table,
        read: &mut read,
    };
    let _ = vector::draw(document, 48, 40, &mut resources);
    let _ = launcher::vector_icon(&mut read, document, table);
    if let Some(table) = table {
        let _ = launcher::adaptive(&mut read, document, table);
    }
}

fn split(bytes: &[u8]) -> (&[u8], &[u8]) {
    let Some(head) = bytes.get(..4) else {
        return (bytes, &[]);
    };
    let length = u32::from_le_bytes([head[0], head[1], head[2], head[3]]) as usize;
    let rest = &bytes[4..];
    rest.split_at(length.min(rest.len()))
}
