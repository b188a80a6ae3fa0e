//! Running the `otasite` binary in tests and looking at what it wrote.
//!
//! Every run goes through [`Otasite`], which pins what the binary reads from its surroundings:
//! the clock (`SOURCE_DATE_EPOCH`), colour (`NO_COLOR`), `HOME` (which the output guard
//! protects), the working folder, and none of otasite's own variables inherited from the shell
//! that started the tests.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

/// The moment every test build judges profile expiry against (2026-01-01), for stable output.
pub const PINNED_EPOCH: &str = "1767225600";

/// A `HOME` that is no folder of the machine running the tests.
pub const PINNED_HOME: &str = "/nonexistent/otasite-test-home";

/// Variables otasite reads that a developer's shell may have set.
const OTASITE_VARIABLES: &[&str] = &[
    "OTASITE_EXTRA_CA_CERT",
    "OTASITE_FAULT",
    "OTASITE_UPDATE_THEME_DOC",
    "OTASITE_SECRET",
    "OTASITE_PASSWORD",
    "OTASITE_SLACK_WEBHOOK",
    "OTASITE_TEAMS_WEBHOOK",
    "OTASITE_DISCORD_WEBHOOK",
    "OTASITE_WEBHOOK_URL",
    "OTASITE_PROFILE_SIGNING_CERT",
    "OTASITE_PROFILE_SIGNING_KEY",
];

/// One run of the binary, with the clock and the environment pinned.
pub struct Otasite {
    args: Vec<OsString>,
    /// A shell command run before the binary replaces the shell (`ulimit -f 1024`).
    shell_prefix: Option<String>,
    dir: PathBuf,
    env: Vec<(String, OsString)>,
}

impl Otasite {
    /// `otasite ARGS` in the system temporary folder (no test's files), until [`Otasite::dir`].
    pub fn new<I, S>(args: I) -> Otasite
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        Otasite {
            args: Vec::new(),
            shell_prefix: None,
            dir: std::env::temp_dir(),
            env: Vec::new(),
        }
        .args(args)
    }

    /// Runs in `dir`.
    pub fn dir(mut self, dir: &Path) -> Otasite {
        self.dir = dir.to_path_buf();
        self
    }

    /// More arguments after the ones given.
    pub fn args<I, S>(mut self, args: I) -> Otasite
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// Sets (or replaces a pinned) environment variable.
    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Otasite {
        self.env.push((key.to_string(), value.as_ref().to_owned()));
        self
    }

    /// Judges dates against `epoch` (seconds since 1970) instead of [`PINNED_EPOCH`].
    pub fn epoch(self, epoch: i64) -> Otasite {
        self.env("SOURCE_DATE_EPOCH", epoch.to_string())
    }

    /// Runs `script` in bash first (a limit with `ulimit`), which then becomes otasite.
    pub fn after_shell(mut self, script: &str) -> Otasite {
        self.shell_prefix = Some(script.to_string());
        self
    }

    fn command(&self) -> Command {
        let binary = env!("CARGO_BIN_EXE_otasite");
        let mut command = match &self.shell_prefix {
            None => Command::new(binary),
            Some(script) => {
                let mut bash = Command::new("bash");
                bash.args(["-c", &format!("{script}; exec \"$0\" \"$@\""), binary]);
                bash
            }
        };
        command
            .args(&self.args)
            .current_dir(&self.dir)
            .env("SOURCE_DATE_EPOCH", PINNED_EPOCH)
            .env("NO_COLOR", "1")
            .env("HOME", PINNED_HOME);
        for name in OTASITE_VARIABLES {
            command.env_remove(name);
        }
        command.envs(self.env.iter().map(|(k, v)| (k, v)));
        command
    }

    /// Runs to the end, both output streams captured.
    pub fn output(self) -> Output {
        self.command().output().expect("run otasite")
    }

    /// Starts it with both output streams piped to the test.
    pub fn spawn(self) -> Child {
        self.command()
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn otasite")
    }
}

/// Runs `otasite ARGS` in `dir` with the pinned clock and environment.
pub fn otasite(args: &[&str], dir: &Path) -> Output {
    Otasite::new(args).dir(dir).output()
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
    env.iter()
        .fold(Otasite::new(args).dir(dir), |run, (key, value)| {
            run.env(key, value)
        })
        .output()
}

/// Starts `otasite ARGS` in `dir` with the pinned clock, its output streams captured.
pub fn spawn_otasite(args: &[&str], dir: &Path) -> Child {
    Otasite::new(args).dir(dir).spawn()
}

/// Waits for a started `otasite` at most `limit`; kills it and fails the test beyond that.
pub fn wait_at_most(mut child: Child, limit: std::time::Duration) -> Output {
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
