//! Icon extraction per archive: open the .ipa, read its `Assets.car`, then find and decode
//! the largest icon, timed over many iterations for each real fixture.
//!
//!   cargo bench --bench assets_car
//!
//! Fixtures come from ../shared/fixtures/real/ipa (override with FIXTURES=dir).

use std::fs::File;
use std::hint::black_box;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use otasite::ipa::assets_car::{CarIcon, largest_icon};

/// Each fixture with the facet its Info.plist names.
const FIXTURES: [(&str, &str); 3] = [
    ("iineva__ipa-server__ipa.ipa", "AppIcon"),
    ("calabash__iOSDeviceManager__AppStub.ipa", "AppStubIcon"),
    ("calabash__iOSDeviceManager__Permissions.ipa", "AppIcon"),
];

/// Measure each archive for at least this long and this many iterations.
const MIN_TIME: Duration = Duration::from_secs(2);
const MIN_ITERATIONS: u32 = 20;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let directory = std::env::var_os("FIXTURES").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/real/ipa"),
        PathBuf::from,
    );
    println!("Assets.car icon extraction (open zip, read Assets.car, largest_icon)");
    for (name, facet) in FIXTURES {
        let path = directory.join(name);
        let icon = extract_icon(&path, facet)?; // warm-up, and the result to report
        let (iterations, elapsed) = measure(|| extract_icon(&path, facet).map(black_box))?;
        let per_archive = elapsed.as_secs_f64() * 1000.0 / f64::from(iterations);
        println!(
            "{name:<48} {per_archive:>8.3} ms/archive  ({iterations} runs; {} {}x{} @{}x)",
            icon.rendition, icon.image.width, icon.image.height, icon.scale
        );
    }
    Ok(())
}

fn measure<T>(
    mut run: impl FnMut() -> Result<T, Box<dyn std::error::Error>>,
) -> Result<(u32, Duration), Box<dyn std::error::Error>> {
    let start = Instant::now();
    let mut iterations = 0;
    while iterations < MIN_ITERATIONS || start.elapsed() < MIN_TIME {
        run()?;
        iterations += 1;
    }
    Ok((iterations, start.elapsed()))
}

fn extract_icon(ipa: &Path, facet: &str) -> Result<CarIcon, Box<dyn std::error::Error>> {
    let mut archive = zip::ZipArchive::new(File::open(ipa)?)?;
    let member = archive
        .file_names()
        .filter_map(Result::ok)
        .find(|name| name.ends_with(".app/Assets.car") && name.matches('/').count() == 2)
        .ok_or("the archive has no Payload/<App>.app/Assets.car")?
        .into_owned();
    let mut car = Vec::new();
    archive.by_name(&member)?.read_to_end(&mut car)?;
    largest_icon(&car, facet)?.ok_or_else(|| format!("no {facet} icon").into())
}
