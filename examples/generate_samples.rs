//! Regenerates the sample builds in `builds/` that the repository's `site.yaml` publishes:
//! `cargo run --example generate_samples`. The archives are synthetic (no real binaries) but
//! carry everything otasite reads: Info.plist, a provisioning profile and CgBI icons.

#[path = "../tests/support/mod.rs"]
mod support;

use std::path::Path;

use support::cgbi::{encode_cgbi, sample_icon};
use support::ipa::{IpaBuilder, Kind, ProfileSpec};

struct Sample {
    file: &'static str,
    name: &'static str,
    bundle_id: &'static str,
    version: &'static str,
    build: &'static str,
    kind: Kind,
    families: &'static [i64],
    min_os: &'static str,
    icon_seed: u32,
    /// Seconds since 1970: when the sample was "packaged".
    packaged: i64,
    notes: Option<&'static str>,
}

const DAY: i64 = 86_400;
const START: i64 = 1_767_225_600; // 2026-01-01

const SAMPLES: &[Sample] = &[
    Sample {
        file: "stable/Acme Field 1.0.ipa",
        name: "Acme Field",
        bundle_id: "com.example.acme.field",
        version: "1.0",
        build: "1",
        kind: Kind::AdHoc,
        families: &[1, 2],
        min_os: "15.0",
        icon_seed: 1,
        packaged: START + 10 * DAY,
        notes: None,
    },
    Sample {
        file: "stable/Acme Field 1.1.ipa",
        name: "Acme Field",
        bundle_id: "com.example.acme.field",
        version: "1.1",
        build: "5",
        kind: Kind::AdHoc,
        families: &[1, 2],
        min_os: "15.0",
        icon_seed: 1,
        packaged: START + 40 * DAY,
        notes: Some(
            "## What's new\n\n- Offline maps for the whole region\n- Faster sync\n\nSee the [changelog](https://example.com/field/changelog).",
        ),
    },
    Sample {
        file: "beta/Acme Field 1.2 beta.ipa",
        name: "Acme Field",
        bundle_id: "com.example.acme.field",
        version: "1.2",
        build: "7",
        kind: Kind::Development,
        families: &[1, 2],
        min_os: "16.0",
        icon_seed: 1,
        packaged: START + 55 * DAY,
        notes: Some("Beta: **new camera flow**. Known issue: the photo picker can be slow."),
    },
    Sample {
        file: "Acme Inventory.ipa",
        name: "Acme Inventory",
        bundle_id: "com.example.acme.inventory",
        version: "2.3",
        build: "230",
        kind: Kind::Enterprise,
        families: &[1],
        min_os: "16.10",
        icon_seed: 2,
        packaged: START + 50 * DAY,
        notes: Some("- Barcode scanning works in low light\n- Stock counts export as CSV"),
    },
    Sample {
        file: "Acme Kiosk.ipa",
        name: "Acme Kiosk",
        bundle_id: "com.example.acme.kiosk",
        version: "3.0",
        build: "3000",
        kind: Kind::AdHoc,
        families: &[2],
        min_os: "17.0",
        icon_seed: 3,
        packaged: START + 30 * DAY,
        notes: None,
    },
];

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("builds");
    for sample in SAMPLES {
        let icon_large = encode_cgbi(&sample_icon(180, sample.icon_seed));
        let icon_small = encode_cgbi(&sample_icon(120, sample.icon_seed));
        let families: Vec<plist::Value> = sample.families.iter().map(|&f| f.into()).collect();
        let mut profile = ProfileSpec::new(sample.kind);
        profile.name = format!("{} {:?}", sample.name, sample.kind);
        profile.team_name = "Acme Corp".into();
        let builder = IpaBuilder::new(sample.bundle_id, sample.name)
            .version(sample.version, sample.build)
            .set("MinimumOSVersion", sample.min_os)
            .set("UIDeviceFamily", plist::Value::Array(families))
            .set(
                "CFBundleIconFiles",
                plist::Value::Array(vec!["AppIcon60x60".into()]),
            )
            .profile(Some(profile))
            .modified(sample.packaged)
            .app_file("AppIcon60x60@3x.png", icon_large)
            .app_file("AppIcon60x60@2x.png", icon_small);
        let path = root.join(sample.file);
        builder.write(&path);
        if let Some(notes) = sample.notes {
            std::fs::write(path.with_extension("md"), format!("{notes}\n")).expect("write notes");
        }
        println!("wrote {}", path.display());
    }
}
