//! Feeds arbitrary bytes to the `Assets.car` reader: it must return, never panic, hang or
//! allocate without bound. Seeds: `scripts/fuzz-assets-car.sh`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use otasite::ipa::assets_car::largest_icon;

fuzz_target!(|car: &[u8]| {
    // "AppIcon" is the usual facet; AppStub's seed names its facet "AppStubIcon".
    if let Ok(None) = largest_icon(car, "AppIcon") {
        let _ = largest_icon(car, "AppStubIcon");
    }
});
