//! Running the `otasite` binary in tests and looking at what it wrote.

use std::path::Path;
use std::process::{Command, Output};

/// The moment every test build judges profile expiry against (2026-01-01), for stable output.
pub const PINNED_EPOCH: &str = "1767225600";

/// Runs `otasite ARGS` in `dir` with the pinned clock.
pub fn otasite(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_otasite"))
        .args(args)
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", PINNED_EPOCH)
        .output()
        .expect("run otasite")
}

/// Fails with both output streams unless the command succeeded; returns stdout.
pub fn assert_ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Every file under `dir`, relative, sorted, with its bytes.
pub fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.expect("walk"))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let relative = e.path().strip_prefix(dir).expect("inside dir");
            (
                relative.to_string_lossy().into_owned(),
                std::fs::read(e.path()).expect("read"),
            )
        })
        .collect();
    files.sort();
    files
}
