//! `otasite serve`: build into a preview folder and serve it on loopback, rebuilding when
//! builds, config or theme change.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::config::{Overrides, Settings};
use crate::hosting::content_type;
use crate::messages;
use crate::output::IpaMode;
use crate::pipeline::{self, BuildOptions, Verbosity};

const BANNER: &str = "Local preview. Installing needs the site on HTTPS with a trusted certificate: install links here do not work on a device.";

/// The address could not be listened on (taken, not local, not an address).
#[derive(Debug, thiserror::Error)]
#[error("cannot listen on {bind}:{port}: {message}")]
pub struct ListenError {
    pub bind: String,
    pub port: u16,
    pub message: String,
}

/// A server listening on its address, not serving yet.
pub struct Preview {
    server: tiny_http::Server,
    address: String,
}

/// Starts listening on `bind:port` (port 0 picks a free one).
pub fn listen(bind: &str, port: u16) -> Result<Preview, ListenError> {
    let server = tiny_http::Server::http((bind, port)).map_err(|e| ListenError {
        bind: bind.to_string(),
        port,
        message: e.to_string(),
    })?;
    let address = server
        .server_addr()
        .to_ip()
        .map(|a| a.to_string())
        .unwrap_or_else(|| format!("{bind}:{port}"));
    Ok(Preview { server, address })
}

impl Preview {
    /// What replaces the config's `base_url` and `output` for the site of `config_file`: the
    /// preview lives apart from the real output, with URLs pointing at this server.
    pub fn overrides(&self, config_file: &Path) -> Overrides {
        Overrides {
            preview_url: Some(format!("http://{}/", self.address)),
            output: Some(preview_dir(config_file)),
            ..Overrides::default()
        }
    }

    /// Builds the site of `settings` (loaded with [`Preview::overrides`]) and serves it until
    /// the process ends, rebuilding when its inputs change.
    pub fn serve(self, settings: Settings) {
        let root = settings.output_dir.clone();
        let options = BuildOptions {
            ipa_mode: IpaMode::Link,
            strict: false,
            keep_going: true,
            // A rebuild after one archive changed reads and renders only its app.
            force: false,
            verbosity: Verbosity::Normal,
            banner: Some(BANNER.to_string()),
            previous: None,
            allow_empty: true,
            new_salt: false,
        };
        // Taken before the first build, so that a change made while it runs, or before the
        // watcher's first look, is seen as one.
        let watched = watched_paths(&settings);
        let mut last = newest_change(&watched);
        rebuild(&settings, &options);
        messages::info(format!(
            "Serving {} at http://{}/ (Ctrl-C to stop)",
            root.display(),
            self.address
        ));
        std::thread::spawn(move || {
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
        for request in self.server.incoming_requests() {
            let response = respond(&root, request.url());
            let _ = request.respond(response);
        }
    }
}

/// A temporary folder of its own for each site: named after the config file's absolute path,
/// so that two sites previewed at once (each with its `site.yaml`) never share one.
fn preview_dir(config_file: &Path) -> PathBuf {
    let absolute = std::fs::canonicalize(config_file).unwrap_or_else(|_| config_file.to_path_buf());
    let id = crate::hash::sha256_bytes(absolute.display().to_string().as_bytes());
    std::env::temp_dir().join(format!("otasite-preview-{}", &id[..12]))
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
