//! The built-in theme (embedded in the binary), overridable file by file from a folder.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Every file of the built-in theme, by its path inside the theme folder.
pub const DEFAULT_THEME: &[(&str, &str)] = &[
    (
        "templates/base.html",
        include_str!("../../themes/default/templates/base.html"),
    ),
    (
        "templates/index.html",
        include_str!("../../themes/default/templates/index.html"),
    ),
    (
        "templates/app.html",
        include_str!("../../themes/default/templates/app.html"),
    ),
    (
        "templates/build.html",
        include_str!("../../themes/default/templates/build.html"),
    ),
    (
        "templates/feed.xml",
        include_str!("../../themes/default/templates/feed.xml"),
    ),
    (
        "templates/partials/install.html",
        include_str!("../../themes/default/templates/partials/install.html"),
    ),
    (
        "templates/partials/facts.html",
        include_str!("../../themes/default/templates/partials/facts.html"),
    ),
    (
        "templates/partials/help.html",
        include_str!("../../themes/default/templates/partials/help.html"),
    ),
    (
        "static/style.css",
        include_str!("../../themes/default/static/style.css"),
    ),
    (
        "static/otasite.js",
        include_str!("../../themes/default/static/otasite.js"),
    ),
    (
        "data/browsers.json",
        include_str!("../../themes/default/data/browsers.json"),
    ),
];

#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    #[error("cannot read theme folder {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("theme file {name}: {message}")]
    Template { name: String, message: String },
}

/// The theme in use: built-in files with the user's files laid over them.
pub struct Theme {
    /// Path inside the theme -> contents.
    pub files: BTreeMap<String, Vec<u8>>,
}

impl Theme {
    pub fn load(overrides: Option<&Path>) -> Result<Theme, ThemeError> {
        let mut files: BTreeMap<String, Vec<u8>> = DEFAULT_THEME
            .iter()
            .map(|(name, text)| (name.to_string(), text.as_bytes().to_vec()))
            .collect();
        if let Some(root) = overrides {
            for entry in walkdir::WalkDir::new(root).sort_by_file_name() {
                let entry = entry.map_err(|e| ThemeError::Read {
                    path: root.to_path_buf(),
                    source: e.into(),
                })?;
                if !entry.file_type().is_file() {
                    continue;
                }
                let relative = entry
                    .path()
                    .strip_prefix(root)
                    .unwrap_or(entry.path())
                    .to_string_lossy()
                    .replace('\\', "/");
                let bytes = std::fs::read(entry.path()).map_err(|source| ThemeError::Read {
                    path: entry.path().to_path_buf(),
                    source,
                })?;
                files.insert(relative, bytes);
            }
        }
        Ok(Theme { files })
    }

    /// The template engine with every template of the theme.
    pub fn tera(&self) -> Result<tera::Tera, ThemeError> {
        let mut tera = tera::Tera::default();
        tera.autoescape_on([".html", ".xml"]);
        let mut templates = Vec::new();
        for (path, bytes) in &self.files {
            let Some(name) = path.strip_prefix("templates/") else {
                continue;
            };
            let text = std::str::from_utf8(bytes).map_err(|_| ThemeError::Template {
                name: path.clone(),
                message: "not UTF-8 text".into(),
            })?;
            templates.push((name, text));
        }
        // All at once, so that templates may extend and include each other in any order.
        tera.add_raw_templates(templates)
            .map_err(|e| ThemeError::Template {
                name: "templates/".into(),
                message: error_chain(&e),
            })?;
        Ok(tera)
    }

    /// Files copied into the site as they are (`static/` -> `static/`).
    pub fn static_files(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files
            .iter()
            .filter(|(path, _)| path.starts_with("static/"))
            .map(|(path, bytes)| (path.as_str(), bytes.as_slice()))
    }

    pub fn data(&self, name: &str) -> Option<&str> {
        self.files
            .get(&format!("data/{name}"))
            .and_then(|b| std::str::from_utf8(b).ok())
    }
}

/// A tera error with its causes on one line.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
