//! Site folders as tests set them up: the one way `site.yaml` is written.

use std::path::{Path, PathBuf};

/// The `base_url` test sites are served from unless a test needs another.
pub const BASE_URL: &str = "https://apps.example.test/";

/// `site.yaml` text: `title` and `base_url` (quoted, so spaces stay), then `extra` as it is.
pub fn config(title: &str, base_url: &str, extra: &str) -> String {
    format!("title: {title}\nbase_url: \"{base_url}\"\n{extra}")
}

/// Writes `text` as `dir/site.yaml` (creating `dir`); returns its path.
pub fn write_config(dir: &Path, text: &str) -> PathBuf {
    std::fs::create_dir_all(dir).expect("create the site folder");
    let path = dir.join("site.yaml");
    std::fs::write(&path, text).expect("write site.yaml");
    path
}

/// The options of a plain `otasite build` run through the library: archives copied, nothing
/// forced, quiet. Tests change the fields they are about.
pub fn build_options() -> otasite::pipeline::BuildOptions {
    otasite::pipeline::BuildOptions {
        ipa_mode: otasite::output::IpaMode::Copy,
        strict: false,
        keep_going: false,
        force: false,
        verbosity: otasite::pipeline::Verbosity::Quiet,
        banner: None,
        previous: None,
        allow_empty: false,
        new_salt: false,
    }
}
