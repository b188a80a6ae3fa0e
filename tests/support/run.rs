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

/// Runs `otasite ARGS` in `dir` with the pinned clock and extra environment variables.
pub fn otasite_env(args: &[&str], dir: &Path, env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_otasite"))
        .args(args)
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", PINNED_EPOCH)
        .envs(env.iter().copied())
        .output()
        .expect("run otasite")
}

/// Starts `otasite ARGS` in `dir` with the pinned clock, its output streams captured.
pub fn spawn_otasite(args: &[&str], dir: &Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_otasite"))
        .args(args)
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", PINNED_EPOCH)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn otasite")
}

/// Waits for a started `otasite` at most `limit`; kills it and fails the test beyond that.
pub fn wait_at_most(mut child: std::process::Child, limit: std::time::Duration) -> Output {
    let started = std::time::Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            let output = child.wait_with_output().expect("wait");
            panic!(
                "otasite still running after {limit:?} (killed); stderr: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

/// Names of the entries beside the output `dist` that a build leaves there (staging and
/// previous-site folders, journals), besides the build cache.
pub fn leftovers_beside(dir: &Path, output: &str) -> Vec<String> {
    let prefix = format!(".{output}.");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(&prefix) && !n.ends_with(".otasite-cache"))
        .collect();
    names.sort();
    names
}
