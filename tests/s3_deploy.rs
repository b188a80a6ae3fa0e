//! `scripts/deploy-s3.sh` against a local S3 and CloudFront API (moto): every object of a built
//! site is stored with the Content-Type and Cache-Control `otasite::hosting::serving` names,
//! stale objects are deleted, versioned ones are not sent again, and CloudFront is invalidated.
//!
//! Needs `aws` and moto's server (`python3 -m pip install "moto[server]" awscli`), so that test
//! is ignored by default; run with `--ignored`, a missing tool fails it with what to install.

mod support;

use std::collections::BTreeMap;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::ipa::IpaBuilder;
use support::run::Otasite;
use support::site;

const INSTALL: &str = "python3 -m pip install \"moto[server]\" awscli";
const BUCKET: &str = "otasite-test";

fn repo_file(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

fn tools_missing() -> Option<String> {
    let works = |program: &str, args: &[&str]| {
        Command::new(program)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if !works("aws", &["--version"]) {
        return Some("the AWS CLI (`aws`) is not on PATH".into());
    }
    if !works("python3", &["-c", "import moto.server, flask, boto3"]) {
        return Some("python3 cannot import moto's server (moto[server]) and boto3".into());
    }
    None
}

/// A moto server on a free local port, stopped when dropped.
struct Moto {
    child: Child,
    endpoint: String,
}

impl Moto {
    fn start() -> Moto {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new("python3")
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start moto");
        let moto = Moto {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "moto did not start on port {port} within 30 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        moto
    }

    /// A command with test credentials pointed at this server, isolated from any AWS
    /// configuration of the machine.
    fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        for name in ["AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_REGION"] {
            command.env_remove(name);
        }
        command
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .env("AWS_ENDPOINT_URL", &self.endpoint)
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
        command
    }

    fn aws(&self, args: &[&str]) -> String {
        let output = self.command("aws").args(args).output().expect("run aws");
        assert_ok("aws", &output);
        String::from_utf8(output.stdout).expect("utf-8")
    }

    fn deploy(&self, dist: &Path, distribution: &str) -> Output {
        self.command("bash")
            .arg(repo_file("scripts/deploy-s3.sh"))
            .arg(dist)
            .arg(BUCKET)
            .arg(distribution)
            .output()
            .expect("run deploy-s3.sh")
    }

    /// Key -> stored headers of every object in the bucket.
    fn objects(&self) -> BTreeMap<String, Value> {
        let output = self
            .command("python3")
            .arg(repo_file("scripts/s3-object-headers.py"))
            .arg(BUCKET)
            .output()
            .expect("run s3-object-headers.py");
        assert_ok("s3-object-headers.py", &output);
        serde_json::from_slice(&output.stdout).expect("JSON")
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn assert_ok(what: &str, output: &Output) {
    assert!(
        output.status.success(),
        "{what} failed: exit {:?}\nstdout: {}\nstderr: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn build_site(dir: &Path) -> PathBuf {
    let output = Otasite::new(["build", "--quiet"]).dir(dir).output();
    assert_ok("otasite build", &output);
    dir.join("dist")
}

/// Every file of the built site that is uploaded, relative and `/`-separated.
fn uploaded_files(dist: &Path) -> Vec<String> {
    let mut files: Vec<String> = walkdir::WalkDir::new(dist)
        .into_iter()
        .map(|e| e.expect("walk dist"))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(dist)
                .expect("inside")
                .to_string_lossy()
                .replace('\\', "/")
        })
        .filter(|relative| otasite::hosting::serving(relative).is_some())
        .collect();
    files.sort();
    files
}

/// Each object carries the headers `serving` names for its key; a guessed type is a real one.
fn check_headers(objects: &BTreeMap<String, Value>) {
    for (key, stored) in objects {
        let expected = otasite::hosting::serving(key)
            .unwrap_or_else(|| panic!("{key} should not be uploaded"));
        assert_eq!(
            stored["cache_control"], expected.cache_control,
            "Cache-Control of {key}"
        );
        let content_type = stored["content_type"].as_str().unwrap_or_default();
        match expected.content_type {
            Some(wanted) => assert_eq!(content_type, wanted, "Content-Type of {key}"),
            None => assert!(
                !content_type.is_empty() && content_type != "binary/octet-stream",
                "{key} was stored as {content_type:?}: the CLI could not guess its type"
            ),
        }
    }
}

#[test]
#[ignore = "needs moto and awscli (pip install 'moto[server]' awscli)"]
fn deploy_script_stores_every_object_with_its_headers() {
    if let Some(why) = tools_missing() {
        panic!("the S3 deployment test cannot run: {why}; install with: {INSTALL}");
    }
    let site = tempfile::tempdir().expect("tempdir");
    let root = site.path();
    site::write_config(
        root,
        &site::config("S3 test", "https://builds.example.test/", ""),
    );
    IpaBuilder::new("com.example.alpha", "Alpha")
        .version("1.0", "1")
        .write(&root.join("builds/Alpha 1.0.ipa"));
    IpaBuilder::new("com.example.alpha", "Alpha")
        .version("1.1", "2")
        .write(&root.join("builds/beta/Alpha 1.1.ipa"));
    std::fs::write(
        root.join("builds/beta/Alpha 1.1.md"),
        "Fixes *everything*.\n",
    )
    .expect("notes");
    IpaBuilder::new("com.example.beta", "Beta").write(&root.join("builds/Beta.ipa"));
    let dist = build_site(root);

    let moto = Moto::start();
    moto.aws(&["s3api", "create-bucket", "--bucket", BUCKET]);
    let distribution = moto.aws(&[
        "cloudfront",
        "create-distribution",
        "--origin-domain-name",
        &format!("{BUCKET}.s3.amazonaws.com"),
        "--query",
        "Distribution.Id",
        "--output",
        "text",
    ]);
    let distribution = distribution.trim();

    // First deploy: everything uploaded, each kind of file with its headers.
    assert_ok("deploy-s3.sh", &moto.deploy(&dist, distribution));
    let first = moto.objects();
    assert_eq!(
        first.keys().cloned().collect::<Vec<_>>(),
        uploaded_files(&dist)
    );
    assert!(first.keys().any(|k| k.ends_with(".ipa")) && first.contains_key("static/style.css"));
    check_headers(&first);
    let paths = moto.aws(&[
        "cloudfront",
        "list-invalidations",
        "--distribution-id",
        distribution,
        "--query",
        "InvalidationList.Items[].Id",
        "--output",
        "text",
    ]);
    let ids: Vec<&str> = paths.split_whitespace().collect();
    assert_eq!(ids.len(), 1, "one invalidation per deploy: {ids:?}");
    let invalidated = moto.aws(&[
        "cloudfront",
        "get-invalidation",
        "--distribution-id",
        distribution,
        "--id",
        ids[0],
        "--query",
        "Invalidation.InvalidationBatch.Paths.Items",
        "--output",
        "text",
    ]);
    assert_eq!(invalidated.trim(), "/*");

    // Second deploy after a build was removed: its objects go, the others' archives stay as
    // they were (not sent again), the pages are replaced.
    std::thread::sleep(Duration::from_millis(1100)); // S3 stamps Last-Modified in seconds
    std::fs::remove_file(root.join("builds/Beta.ipa")).expect("remove a build");
    let dist = build_site(root);
    assert_ok("deploy-s3.sh again", &moto.deploy(&dist, distribution));
    let second = moto.objects();
    assert_eq!(
        second.keys().cloned().collect::<Vec<_>>(),
        uploaded_files(&dist)
    );
    assert!(
        !second.keys().any(|k| k.starts_with("com.example.beta/")),
        "stale objects are deleted"
    );
    check_headers(&second);
    for (key, stored) in &second {
        if key.ends_with(".ipa") {
            assert_eq!(
                stored["last_modified"], first[key]["last_modified"],
                "{key} was uploaded again"
            );
        }
    }
    assert_ne!(
        second["catalog.json"]["etag"], first["catalog.json"]["etag"],
        "the new catalog is uploaded"
    );
}

#[test]
fn deploy_script_refuses_a_folder_that_is_not_a_built_site() {
    let empty = tempfile::tempdir().expect("tempdir");
    let output = Command::new("bash")
        .arg(repo_file("scripts/deploy-s3.sh"))
        .arg(empty.path())
        .arg(BUCKET)
        .output()
        .expect("run bash");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("catalog.json is missing"), "{stderr}");
    assert!(
        stderr.contains(&empty.path().display().to_string()),
        "{stderr}"
    );
}

/// The guide shows the script's commands; every command line of it must be in the script.
#[test]
fn deploy_guide_shows_the_scripts_commands() {
    let guide = std::fs::read_to_string(repo_file("docs/deploy-s3.md")).expect("docs/deploy-s3.md");
    let script = std::fs::read_to_string(repo_file("scripts/deploy-s3.sh")).expect("deploy-s3.sh");
    let script_lines: Vec<&str> = script.lines().map(str::trim).collect();
    let section = guide
        .split("## What the script runs")
        .nth(1)
        .expect("the guide has a section `What the script runs`");
    let block = section
        .split("```sh\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a sh block in that section");
    let commands: Vec<&str> = block
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect();
    assert!(commands.len() > 20, "{commands:?}");
    for line in commands {
        assert!(
            script_lines.contains(&line),
            "docs/deploy-s3.md shows a line the script lacks:\n{line}"
        );
    }
}
