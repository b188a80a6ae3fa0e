//! Feeds arbitrary bytes to the whole archive reader (zip, Info.plist, profile, icons, asset
//! catalog) as `build` and `inspect` use it, and to the property list and profile parsers
//! directly (inside a zip, most mutations only break a CRC). Every call must return: no
//! panic, no hang, no allocation without bound. Seeds: `scripts/fuzz-archive.sh`.

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use otasite::ipa::{AppInfo, Profile, ReadOptions, read_ipa_bytes};

fuzz_target!(|bytes: &[u8]| {
    let build = ReadOptions {
        hash: false,
        decode_icon: true,
        ..ReadOptions::default()
    };
    let inspect = ReadOptions {
        decode_icon: false,
        ..build
    };
    let name = Path::new("fuzz.ipa");
    let _ = read_ipa_bytes(bytes, name, build);
    let _ = read_ipa_bytes(bytes, name, inspect);
    let _ = AppInfo::parse(bytes);
    let _ = Profile::parse(bytes);
});
