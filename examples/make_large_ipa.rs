//! Writes a large but otherwise ordinary `.ipa` for benchmarking `otasite inspect`:
//! `cargo run --release --example make_large_ipa -- OUT.ipa SIZE_MIB`.
//!
//! The archive holds an XML Info.plist, an ad-hoc provisioning profile, a CgBI icon and a
//! couple of thousand small resources, plus one stored entry of SIZE_MIB incompressible bytes
//! (the "executable"). The big entry sits between Info.plist and the profile and icon, so a
//! reader has to seek past it. It is generated in 1 MiB blocks: memory stays small whatever
//! SIZE_MIB is.

// Only the two builders it needs, not every test helper module.
#[allow(dead_code)]
#[path = "../tests/support/cgbi.rs"]
mod cgbi;
#[allow(dead_code)]
#[path = "../tests/support/ipa.rs"]
mod ipa;

use std::fs::File;
use std::io::{BufWriter, Seek, Write};
use std::path::PathBuf;

use anyhow::{Context, bail};
use plist::Value;
use zip::CompressionMethod;
use zip::write::SimpleFileOptions;

use cgbi::{encode_cgbi, sample_icon};
use ipa::{IpaBuilder, Kind, ProfileSpec};

const BLOCK: usize = 1 << 20;
const RESOURCES: usize = 2_000;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [out, size_mib] = args.as_slice() else {
        bail!("usage: make_large_ipa OUT.ipa SIZE_MIB");
    };
    let out = PathBuf::from(out);
    let size_mib: u64 = size_mib
        .parse()
        .context("SIZE_MIB must be a whole number")?;

    let app = IpaBuilder::new("com.example.large", "Large App")
        .version("1.2.3", "456")
        .profile(Some(ProfileSpec::new(Kind::AdHoc)))
        .set(
            "CFBundleIconFiles",
            Value::Array(vec![Value::from("AppIcon60x60")]),
        )
        .app_file("AppIcon60x60@3x.png", encode_cgbi(&sample_icon(180, 42)));
    let executable = format!("Payload/{}/LargeApp", app.app);
    let mut entries = app.entries().into_iter();
    let info_plist = entries.next().context("Info.plist comes first")?;

    let file = File::create(&out).with_context(|| format!("creating {}", out.display()))?;
    let mut zip = zip::ZipWriter::new(BufWriter::with_capacity(BLOCK, file));
    let deflated = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    let stored = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .large_file(size_mib >= 4 * 1024);

    write_entry(&mut zip, &info_plist.0, &info_plist.1, deflated)?;
    zip.start_file(executable.as_str(), stored)?;
    let mut noise = Noise(0x9e37_79b9_7f4a_7c15);
    let mut block = vec![0u8; BLOCK];
    for _ in 0..size_mib {
        noise.fill(&mut block);
        zip.write_all(&block)?;
    }
    for (name, bytes) in entries {
        write_entry(&mut zip, &name, &bytes, deflated)?;
    }
    for i in 0..RESOURCES {
        let name = format!(
            "Payload/{}/Resources/r{:02}/item{i:04}.json",
            app.app,
            i % 50
        );
        let body = format!("{{\"item\":{i},\"label\":\"resource {i}\"}}\n");
        write_entry(&mut zip, &name, body.as_bytes(), deflated)?;
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

/// xorshift64*: fast, incompressible enough that deflate could not shrink it.
struct Noise(u64);

impl Noise {
    fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_exact_mut(8) {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            chunk.copy_from_slice(&self.0.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes());
        }
    }
}
