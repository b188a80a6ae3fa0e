//! Feeds arbitrary bytes to the Android manifest and resource parsers: binary XML
//! (`AndroidManifest.xml`), the resource table (`resources.arsc`) that resolves its
//! references, and an app bundle's protobuf manifest. The input is a manifest and a table:
//! a little-endian `u32` length, that many manifest bytes, then the table (seeds from
//! `scripts/fuzz-apk.sh` have this shape); the whole input is also tried as each alone.
//! Every call must return: no panic, no hang, no allocation without bound.

#![no_main]

use libfuzzer_sys::fuzz_target;
use otasite::apk::{arsc, axml, bundle, icon, manifest_facts};

fuzz_target!(|bytes: &[u8]| {
    let (manifest, resources) = split(bytes);
    let _ = manifest_facts(manifest, Some(resources));
    let _ = manifest_facts(bytes, Some(bytes));
    let _ = axml::parse(bytes);
    let _ = bundle::manifest(bytes, Some(bytes));
    let _ = bundle::manifest(manifest, Some(resources));
    if let Ok(table) = arsc::Table::parse(resources) {
        // Look up ids the input names, as the icon and label references do.
        for window in manifest.chunks_exact(4).take(64) {
            let id = u32::from_le_bytes([window[0], window[1], window[2], window[3]]);
            let reference = otasite::apk::chunk::Value::Reference(id);
            let _ = icon::candidates(&reference, &table);
            let _ = table.resolve(&reference, arsc::default_config);
        }
    }
});

fn split(bytes: &[u8]) -> (&[u8], &[u8]) {
    let Some(head) = bytes.get(..4) else {
        return (bytes, &[]);
    };
    let length = u32::from_le_bytes([head[0], head[1], head[2], head[3]]) as usize;
    let rest = &bytes[4..];
    rest.split_at(length.min(rest.len()))
}
