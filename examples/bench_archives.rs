//! Writes COUNT synthetic `.ipa` archives of about SIZE MiB each into a folder, for
//! benchmarking `otasite build` (scripts/bench-build.sh):
//!
//! ```text
//! cargo run --release --example bench_archives -- OUT_DIR COUNT SIZE [--first K] [--apps A]
//! ```
//!
//! SIZE is in MiB (`2`), or in KiB with a `k` (`64k`): small archives let a set of tens of
//! thousands of builds, where per-build costs dominate, fit on a disk.
//!
//! Archive `i` (numbered from `--first`, default 0) is `OUT_DIR/bench-{i:05}.ipa`: build `i` of
//! app `i % A` (`com.example.bench.appNNN`, A = 50 apps by default), version `1.{i / A}.0`,
//! build number `i + 1`, so every archive is a distinct (bundle id, version) and the site has
//! A app pages listing COUNT / A builds each. `--first` lets a later call add "one new build"
//! to an existing set.
//!
//! Each archive holds an XML Info.plist, an ad-hoc provisioning profile, a 180 px CgBI icon
//! (hue per app) and one stored entry of incompressible bytes (the "executable", seeded per
//! archive so no two archives share content) sized so the whole archive is SIZE_MIB MiB. The
//! payload is generated and written in 1 MiB blocks straight into the zip: memory stays flat
//! whatever SIZE is. Archives are written in parallel (rayon, one per core).

#[path = "../tests/support/mod.rs"]
mod support;

use std::fs::File;
use std::io::{BufWriter, Seek, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use plist::Value;
use rayon::prelude::*;
use zip::CompressionMethod;
use zip::write::SimpleFileOptions;

use support::cgbi::{encode_cgbi, sample_icon};
use support::ipa::{IpaBuilder, Kind, ProfileSpec};

const BLOCK: usize = 1 << 20;
const MIB: u64 = 1 << 20;
const KIB: u64 = 1 << 10;

struct Args {
    out: PathBuf,
    count: u64,
    /// Bytes per archive.
    size: u64,
    first: u64,
    apps: u64,
}

fn parse_args() -> anyhow::Result<Args> {
    const USAGE: &str =
        "usage: bench_archives OUT_DIR COUNT SIZE (MiB, or KiB as 64k) [--first K] [--apps A]";
    let mut positional = Vec::new();
    let mut first = 0;
    let mut apps = 50;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--first" => first = args.next().context(USAGE)?.parse().context("--first K")?,
            "--apps" => apps = args.next().context(USAGE)?.parse().context("--apps A")?,
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            _ => positional.push(arg),
        }
    }
    let [out, count, size] = positional.as_slice() else {
        bail!(USAGE);
    };
    if apps == 0 {
        bail!("--apps must be at least 1");
    }
    Ok(Args {
        out: PathBuf::from(out),
        count: count.parse().context("COUNT must be a whole number")?,
        size: parse_size(size)?,
        first,
        apps,
    })
}

/// `2` is 2 MiB, `64k` is 64 KiB.
fn parse_size(text: &str) -> anyhow::Result<u64> {
    let (number, unit) = match text.strip_suffix(['k', 'K']) {
        Some(kib) => (kib, KIB),
        None => (text, MIB),
    };
    let n: u64 = number
        .parse()
        .with_context(|| format!("SIZE must be a whole number of MiB, or of KiB as 64k: {text}"))?;
    Ok(n * unit)
}

fn main() -> anyhow::Result<()> {
    let args = parse_args()?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    // The icon only depends on the app: encode each once, up front.
    let icons: Vec<Vec<u8>> = (0..args.apps.min(args.first + args.count))
        .into_par_iter()
        .map(|app| encode_cgbi(&sample_icon(180, app as u32 + 1)))
        .collect();
    (args.first..args.first + args.count)
        .into_par_iter()
        .try_for_each(|i| {
            let path = args.out.join(format!("bench-{i:05}.ipa"));
            let icon = &icons[(i % args.apps) as usize];
            write_archive(&path, i, args.apps, args.size, icon)
                .with_context(|| format!("writing {}", path.display()))
        })?;
    eprintln!(
        "wrote {} archive(s) of {} KiB into {}",
        args.count,
        args.size / KIB,
        args.out.display()
    );
    Ok(())
}

/// Writes archive `i`, `target` bytes long or a little less (deflate shrinks the small entries).
fn write_archive(path: &Path, i: u64, apps: u64, target: u64, icon: &[u8]) -> anyhow::Result<()> {
    let app = i % apps;
    let name = format!("Bench App {app:03}");
    let builder = IpaBuilder::new(&format!("com.example.bench.app{app:03}"), &name)
        .version(&format!("1.{}.0", i / apps), &(i + 1).to_string())
        .profile(Some(ProfileSpec::new(Kind::AdHoc)))
        .set(
            "CFBundleIconFiles",
            Value::Array(vec![Value::from("AppIcon60x60")]),
        )
        .app_file("AppIcon60x60@3x.png", icon.to_vec());
    let executable = format!("Payload/{}/{}", builder.app, name.replace(' ', ""));
    let entries = builder.entries();

    let file = File::create(path)?;
    let mut zip = zip::ZipWriter::new(BufWriter::with_capacity(BLOCK, file));
    let stamp = zip_time(builder.modified + i as i64 * 3600)?;
    let deflated = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(stamp);
    let stored = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .last_modified_time(stamp)
        .large_file(target >= 4 << 30);

    // Info.plist first, then the big executable, then the profile and the icon: a reader that
    // wants the metadata has to seek past the payload, as in many real archives.
    let (first, rest) = entries.split_first().context("Info.plist comes first")?;
    write_entry(&mut zip, &first.0, &first.1, deflated)?;
    zip.start_file(executable.as_str(), stored)?;
    // The other entries are stored deflated (smaller than this), plus ~100 bytes of headers each.
    let others: u64 = entries
        .iter()
        .map(|(name, bytes)| bytes.len() as u64 + 2 * name.len() as u64 + 100)
        .sum();
    let mut remaining = target.saturating_sub(others + 2 * executable.len() as u64 + 100);
    let mut noise = Noise(0x9e37_79b9_7f4a_7c15 ^ (i + 1).wrapping_mul(0xd1b5_4a32_d192_ed03));
    let mut block = vec![0u8; BLOCK];
    while remaining > 0 {
        let n = remaining.min(BLOCK as u64) as usize;
        noise.fill(&mut block[..n]);
        zip.write_all(&block[..n])?;
        remaining -= n as u64;
    }
    for (entry, bytes) in rest {
        write_entry(&mut zip, entry, bytes, deflated)?;
    }
    zip.finish()?.flush()?;
    Ok(())
}

fn write_entry<W: Write + Seek>(
    zip: &mut zip::ZipWriter<W>,
    name: &str,
    bytes: &[u8],
    options: SimpleFileOptions,
) -> anyhow::Result<()> {
    zip.start_file(name, options)?;
    zip.write_all(bytes)?;
    Ok(())
}

fn zip_time(unix_seconds: i64) -> anyhow::Result<zip::DateTime> {
    let t = time::OffsetDateTime::from_unix_timestamp(unix_seconds)?;
    zip::DateTime::from_date_and_time(
        t.year() as u16,
        t.month() as u8,
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
    )
    .map_err(|e| anyhow::anyhow!("zip time: {e:?}"))
}

/// xorshift64*: fast, and incompressible as far as deflate is concerned.
struct Noise(u64);

impl Noise {
    fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            let bytes = self.0.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
    }
}
