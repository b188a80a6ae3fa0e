//! What every browser test shares: the tools it needs (a missing one fails the test, naming
//! what to install), the pages of a built site, and running the driver scripts with a limit.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub struct Tools {
    pub chromium: PathBuf,
    /// The repository root (where `node_modules/` and `tests/browser/` are).
    pub root: PathBuf,
}

impl Tools {
    pub fn node_modules(&self, path: &str) -> PathBuf {
        self.root.join("node_modules").join(path)
    }
}

/// The browser tools (`chromium`, `node`, `java`, `npm:<module>`); a missing one fails the test, naming what to install.
pub fn tools(needs: &[&str]) -> Tools {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let chromium = std::env::var_os("OTASITE_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    let mut missing = Vec::new();
    if needs.contains(&"chromium") && !chromium.is_file() {
        missing.push(format!(
            "no Chromium at {} (apt-get install chromium, or set OTASITE_CHROMIUM)",
            chromium.display()
        ));
    }
    let runs = |program: &str| {
        Command::new(program)
            .arg("-version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok()
    };
    if needs.contains(&"node") && !runs("node") {
        missing.push("node is not installed".into());
    }
    if needs.contains(&"java") && !runs("java") {
        missing.push("java is not installed".into());
    }
    for module in needs.iter().filter_map(|n| n.strip_prefix("npm:")) {
        if !root.join("node_modules").join(module).exists() {
            missing.push(format!(
                "node_modules/{module} is missing (run `npm ci` in {})",
                root.display()
            ));
        }
    }
    assert!(
        missing.is_empty(),
        "the browser tests cannot run: {}",
        missing.join("; ")
    );
    Tools { chromium, root }
}

pub fn html_pages(site: &Path) -> Vec<PathBuf> {
    let mut pages: Vec<PathBuf> = walkdir::WalkDir::new(site)
        .into_iter()
        .map(|e| e.expect("walking the site"))
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| e.into_path())
        .collect();
    pages.sort();
    pages
}

/// `target/` (where the test binary's `otasite` lives), for the screenshots.
pub fn target_dir() -> PathBuf {
    let bin = Path::new(env!("CARGO_BIN_EXE_otasite"));
    bin.parent()
        .and_then(Path::parent)
        .expect("target/<profile>/otasite")
        .to_path_buf()
}

/// Runs a command, killing it after `limit`.
pub fn run_with_limit(command: &mut Command, limit: Duration) -> std::process::Output {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {command:?}: {e}"));
    let stdout = child.stdout.take().expect("stdout");
    let stderr = child.stderr.take().expect("stderr");
    let read = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            bytes
        })
    };
    let (out, err) = (read(Box::new(stdout)), read(Box::new(stderr)));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting") {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            let err = err.join().expect("stderr reader");
            panic!(
                "{command:?} did not finish within {limit:?}; its stderr:\n{}",
                String::from_utf8_lossy(&err)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    std::process::Output {
        status,
        stdout: out.join().expect("stdout reader"),
        stderr: err.join().expect("stderr reader"),
    }
}

/// Runs the Nu Html Checker (vnu-jar, under Java) on `pages` and fails on any error, naming
/// each by its path under the site folder, line and message.
pub fn assert_valid_html(tools: &Tools, pages: &[PathBuf], limit: Duration) {
    let output = run_with_limit(
        Command::new("java")
            .arg("-jar")
            .arg(tools.node_modules("vnu-jar/build/dist/vnu.jar"))
            .args(["--errors-only", "--format", "json"])
            .args(pages),
        limit,
    );
    // vnu writes its JSON report to stderr.
    let text = String::from_utf8_lossy(&output.stderr);
    let report: serde_json::Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("vnu output is not JSON ({e}): {text}"));
    let errors: Vec<String> = report["messages"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| {
            let file = m["url"].as_str().unwrap_or("?");
            let relative = file.rsplit_once("/site/").map_or(file, |(_, r)| r);
            format!(
                "{relative}:{}: {}",
                m["lastLine"],
                m["message"].as_str().unwrap_or("?")
            )
        })
        .collect();
    assert!(
        errors.is_empty(),
        "the Nu Html Checker found errors:\n  {}",
        errors.join("\n  ")
    );
    assert!(output.status.success(), "vnu failed: {text}");
}

/// Writes `plan` beside the site as `plan_file`, runs `tests/browser/<script>` on it with a
/// limit, and returns the JSON report the script prints; a failed run or a report that is not
/// JSON fails the test with the script's output.
pub fn run_driver(
    tools: &Tools,
    script: &str,
    plan: &serde_json::Value,
    plan_file: &Path,
    limit: Duration,
) -> serde_json::Value {
    std::fs::write(plan_file, plan.to_string()).expect("writing the plan");
    let output = run_with_limit(
        Command::new("node")
            .arg(tools.root.join("tests/browser").join(script))
            .arg(plan_file)
            .current_dir(&tools.root),
        limit,
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{script} failed ({:?}):\n{}\n{stdout}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{script}'s output is not JSON ({e}): {stdout}"))
}

/// WebKitGTK's WebDriver, the virtual display it runs in and its MiniBrowser: WebKit, the
/// engine of iOS Safari.
pub struct WebKit {
    pub driver: PathBuf,
    pub xvfb_run: PathBuf,
    pub minibrowser: PathBuf,
}

/// Finds WebKitGTK's tools; a missing one fails the test, naming what to install.
pub fn webkit() -> WebKit {
    let install = "apt-get install webkit2gtk-driver xvfb xauth";
    let on_path = |name: &str| {
        std::env::var_os("PATH")
            .into_iter()
            .flat_map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
            .map(|dir| dir.join(name))
            .find(|candidate| candidate.is_file())
            .unwrap_or_else(|| panic!("the WebKit tests cannot run: no {name} ({install})"))
    };
    let minibrowser = std::env::var_os("OTASITE_MINIBROWSER")
        .map(PathBuf::from)
        .or_else(|| {
            ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib"]
                .iter()
                .flat_map(|lib| ["webkit2gtk-4.1", "webkit2gtk-4.0", "webkitgtk-6.0"].map(|v| Path::new(lib).join(v).join("MiniBrowser")))
                .find(|p| p.is_file())
        })
        .unwrap_or_else(|| {
            panic!("the WebKit tests cannot run: no MiniBrowser ({install}, or set OTASITE_MINIBROWSER)")
        });
    WebKit {
        driver: on_path("WebKitWebDriver"),
        xvfb_run: on_path("xvfb-run"),
        minibrowser,
    }
}
