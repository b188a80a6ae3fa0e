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
        "templates/locked.html",
        include_str!("../../themes/default/templates/locked.html"),
    ),
    (
        "templates/devices.html",
        include_str!("../../themes/default/templates/devices.html"),
    ),
    (
        "templates/devices-registered.html",
        include_str!("../../themes/default/templates/devices-registered.html"),
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
        "templates/partials/expiry.html",
        include_str!("../../themes/default/templates/partials/expiry.html"),
    ),
    (
        "templates/partials/problem.html",
        include_str!("../../themes/default/templates/partials/problem.html"),
    ),
    (
        "templates/partials/android.html",
        include_str!("../../themes/default/templates/partials/android.html"),
    ),
    (
        "templates/partials/platforms.html",
        include_str!("../../themes/default/templates/partials/platforms.html"),
    ),
    (
        "templates/partials/device-check.html",
        include_str!("../../themes/default/templates/partials/device-check.html"),
    ),
    (
        "templates/partials/device-register.html",
        include_str!("../../themes/default/templates/partials/device-register.html"),
    ),
    (
        "templates/partials/device-registered.html",
        include_str!("../../themes/default/templates/partials/device-registered.html"),
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
        "static/unlock.js",
        include_str!("../../themes/default/static/unlock.js"),
    ),
    (
        "static/devices.js",
        include_str!("../../themes/default/static/devices.js"),
    ),
    (
        "data/browsers.json",
        include_str!("../../themes/default/data/browsers.json"),
    ),
    (
        "data/csp.json",
        include_str!("../../themes/default/data/csp.json"),
    ),
    (
        "data/device-models.json",
        include_str!("../../themes/default/data/device-models.json"),
    ),
    (
        "templates/help.html",
        include_str!("../../themes/default/templates/help.html"),
    ),
    (
        "templates/partials/preview.html",
        include_str!("../../themes/default/templates/partials/preview.html"),
    ),
    (
        "static/i18n.js",
        include_str!("../../themes/default/static/i18n.js"),
    ),
    (
        "i18n/en.json",
        include_str!("../../themes/default/i18n/en.json"),
    ),
    (
        "i18n/zh-Hans.json",
        include_str!("../../themes/default/i18n/zh-Hans.json"),
    ),
    (
        "i18n/zh-Hant.json",
        include_str!("../../themes/default/i18n/zh-Hant.json"),
    ),
    (
        "i18n/ja.json",
        include_str!("../../themes/default/i18n/ja.json"),
    ),
    (
        "i18n/ko.json",
        include_str!("../../themes/default/i18n/ko.json"),
    ),
    (
        "i18n/de.json",
        include_str!("../../themes/default/i18n/de.json"),
    ),
    (
        "i18n/fr.json",
        include_str!("../../themes/default/i18n/fr.json"),
    ),
    (
        "i18n/es.json",
        include_str!("../../themes/default/i18n/es.json"),
    ),
    (
        "i18n/pt-BR.json",
        include_str!("../../themes/default/i18n/pt-BR.json"),
    ),
    (
        "i18n/ru.json",
        include_str!("../../themes/default/i18n/ru.json"),
    ),
    (
        "i18n/ar.json",
        include_str!("../../themes/default/i18n/ar.json"),
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

    /// The template engine with every template of the theme; `register` adds the functions
    /// templates call (Tera checks them when it reads the templates).
    pub fn tera(&self, register: impl FnOnce(&mut tera::Tera)) -> Result<tera::Tera, ThemeError> {
        let mut tera = tera::Tera::default();
        register(&mut tera);
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

    /// The theme's `static/` files, by path inside the theme (`static/style.css`).
    fn static_files(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files
            .iter()
            .filter(|(path, _)| path.starts_with("static/"))
            .map(|(path, bytes)| (path.as_str(), bytes.as_slice()))
    }

    /// The files of `static/` as the site holds them: each under its fingerprinted name
    /// (`static/style.0123abcd.css`, which templates link), and under its own name too, for
    /// stylesheets that refer to their neighbours and templates written before fingerprints.
    /// A file whose own name already looks fingerprinted keeps only the fingerprinted copy,
    /// so that every name of that form is one whose content cannot change.
    pub fn published_static_files(&self) -> Vec<(String, &[u8])> {
        let mut out = Vec::new();
        for (path, bytes) in self.static_files() {
            if !crate::layout::is_fingerprinted(path) {
                out.push((path.to_string(), bytes));
            }
            out.push((crate::layout::fingerprinted(path, bytes), bytes));
        }
        out
    }

    /// Each `static/` file by its path under `static/` (`style.css`), mapped to the path of its
    /// fingerprinted copy from the site root (`static/style.0123abcd.css`).
    pub fn assets(&self) -> BTreeMap<String, String> {
        self.static_files()
            .map(|(path, bytes)| {
                let name = path.strip_prefix("static/").unwrap_or(path).to_string();
                (name, crate::layout::fingerprinted(path, bytes))
            })
            .collect()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::fingerprinted;

    /// The embedded theme is exactly `themes/default/`: no file missing, none extra, same bytes.
    #[test]
    fn embedded_theme_equals_the_theme_folder() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default");
        let mut on_disk = BTreeMap::new();
        for entry in walkdir::WalkDir::new(&root) {
            let entry = entry.expect("walking themes/default");
            if entry.file_type().is_file() {
                let relative = entry.path().strip_prefix(&root).expect("under the root");
                let name = relative.to_string_lossy().replace('\\', "/");
                on_disk.insert(name, std::fs::read(entry.path()).expect("reading"));
            }
        }
        let embedded: BTreeMap<String, Vec<u8>> = DEFAULT_THEME
            .iter()
            .map(|(name, text)| (name.to_string(), text.as_bytes().to_vec()))
            .collect();
        assert_eq!(DEFAULT_THEME.len(), embedded.len(), "a file listed twice");
        let names = |map: &BTreeMap<String, Vec<u8>>| map.keys().cloned().collect::<Vec<_>>();
        assert_eq!(
            names(&embedded),
            names(&on_disk),
            "DEFAULT_THEME (src/render/theme.rs) must list every file of themes/default/"
        );
        for (name, bytes) in &on_disk {
            assert!(
                embedded[name] == *bytes,
                "{name} differs from its embedded copy"
            );
        }
    }

    #[test]
    fn static_files_are_published_fingerprinted_and_as_they_are() {
        let mut theme = Theme::load(None).expect("built-in theme");
        theme
            .files
            .insert("static/img/logo.0123abcd.png".into(), b"png".to_vec());
        theme
            .files
            .insert("static/LICENSE".into(), b"text".to_vec());
        let css = fingerprinted("static/style.css", &theme.files["static/style.css"]);
        assert!(
            css.starts_with("static/style.")
                && css.ends_with(".css")
                && css.len() == "static/style.0123abcd.css".len(),
            "{css}"
        );
        let assets = theme.assets();
        assert_eq!(assets["style.css"], css);
        assert!(assets["LICENSE"].starts_with("static/LICENSE."));
        assert!(assets["img/logo.0123abcd.png"].starts_with("static/img/logo.0123abcd."));
        let published: Vec<String> = theme
            .published_static_files()
            .into_iter()
            .map(|(path, _)| path)
            .collect();
        assert!(published.contains(&css) && published.contains(&"static/style.css".into()));
        assert!(!published.contains(&"static/img/logo.0123abcd.png".into()));
        for fingerprinted in assets.values() {
            assert!(
                crate::layout::is_fingerprinted(fingerprinted),
                "{fingerprinted}"
            );
            assert!(published.contains(fingerprinted));
        }
        // The name follows the content.
        let changed = fingerprinted("static/style.css", b"body{}");
        assert_ne!(changed, css);
    }
}
