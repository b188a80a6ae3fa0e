//! `otasite serve`: build into a preview folder and serve it on loopback, rebuilding when
//! builds, config or theme change.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::cli::ServeArgs;
use crate::commands::{Outcome, UsageError};
use crate::config::{self, Overrides, Settings};
use crate::hosting::content_type;
use crate::messages;
use crate::output::IpaMode;
use crate::pipeline::{self, BuildOptions, Verbosity};

const BANNER: &str = "Local preview. Installing needs the site on HTTPS with a trusted certificate: install links here do not work on a device.";

pub fn run(args: &ServeArgs) -> anyhow::Result<Outcome> {
    let mut settings = config::load(&args.config, &Overrides::default())?;
    config::check_inputs(&settings)?;
    let server = tiny_http::Server::http((args.bind.as_str(), args.port))
        .map_err(|e| UsageError(format!("cannot listen on {}:{}: {e}", args.bind, args.port)))?;
    let address = server
        .server_addr()
        .to_ip()
        .map(|a| a.to_string())
        .unwrap_or_else(|| format!("{}:{}", args.bind, args.port));
    // The preview lives apart from the real output, with URLs pointing at this server.
    settings.base_url = format!("http://{address}/");
    settings.output_dir = std::env::temp_dir().join(format!(
        "otasite-preview-{}",
        &crate::hash::sha256_bytes(settings.config_file.display().to_string().as_bytes())[..12]
    ));
    let root = settings.output_dir.clone();
    let options = BuildOptions {
        ipa_mode: IpaMode::Link,
        strict: false,
        keep_going: true,
        force: true,
        verbosity: Verbosity::Normal,
        banner: Some(BANNER.to_string()),
        previous: None,
        allow_empty: true,
    };
    rebuild(&settings, &options);
    messages::info(format!(
        "Serving {} at http://{address}/ (Ctrl-C to stop)",
        root.display()
    ));
    let watched = watched_paths(&settings);
    std::thread::spawn(move || {
        let mut last = newest_change(&watched);
        loop {
            std::thread::sleep(Duration::from_millis(700));
            let now = newest_change(&watched);
            if now != last {
                last = now;
                messages::info("Change detected, rebuilding…");
                rebuild(&settings, &options);
            }
        }
    });
    for request in server.incoming_requests() {
        let response = respond(&root, request.url());
        let _ = request.respond(response);
    }
    Ok(Outcome::Success)
}

fn rebuild(settings: &Settings, options: &BuildOptions) {
    if let Err(e) = pipeline::build(settings, options) {
        messages::error(&e);
    }
}

/// The builds folder, the config file and the theme folder.
fn watched_paths(settings: &Settings) -> Vec<PathBuf> {
    let mut paths = vec![settings.config_file.clone(), settings.builds_dir.clone()];
    paths.extend(settings.theme_dir.clone());
    paths
}

/// A fingerprint of the watched trees: polling works on every file system, network mounts
/// included, and a preview needs no sub-second reaction.
fn newest_change(paths: &[PathBuf]) -> (Option<SystemTime>, usize) {
    let mut newest = None;
    let mut count = 0;
    for path in paths {
        for entry in walkdir::WalkDir::new(path).into_iter().flatten() {
            count += 1;
            let modified = entry.metadata().ok().and_then(|m| m.modified().ok());
            newest = newest.max(modified);
        }
    }
    (newest, count)
}

fn respond(root: &Path, url: &str) -> tiny_http::Response<std::io::Cursor<Vec<u8>>> {
    let path = url.split(['?', '#']).next().unwrap_or("/");
    let decoded = percent_encoding::percent_decode_str(path)
        .decode_utf8_lossy()
        .into_owned();
    let relative = decoded.trim_start_matches('/');
    let safe = Path::new(relative)
        .components()
        .all(|c| matches!(c, std::path::Component::Normal(_)));
    let mut file = root.join(relative);
    if file.is_dir() {
        file = file.join(crate::layout::INDEX);
    }
    match std::fs::read(&file) {
        Ok(bytes) if safe || relative.is_empty() => {
            let header = tiny_http::Header::from_bytes("Content-Type", content_type(&file))
                .unwrap_or_else(|_| {
                    tiny_http::Header::from_bytes("Content-Type", "application/octet-stream")
                        .expect("static header")
                });
            tiny_http::Response::from_data(bytes).with_header(header)
        }
        _ => tiny_http::Response::from_data(b"Not found".to_vec()).with_status_code(404),
    }
}
