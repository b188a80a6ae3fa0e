//! `catalog.json`, written as one part per app: the text `serde_json` writes for the whole
//! catalog (pretty, with `<`, `>` and `&` escaped), made of the site's part and each app's.
//! An app kept whole from the previous build contributes the part that build wrote into the
//! cache, so a site of thousands of builds writes its catalog without serialising them all.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::catalog::{App, Catalog};

/// Where the apps' parts are kept between builds: a folder, and each app folder's file name.
pub struct CatalogParts {
    pub dir: PathBuf,
    pub names: HashMap<String, String>,
}

impl CatalogParts {
    fn path(&self, app: &App) -> Option<PathBuf> {
        Some(self.dir.join(self.names.get(app.dir())?))
    }
}

/// Writes the catalog of `catalog` to `out`. Each app's part is read from `parts` when the app
/// was kept, and written there otherwise.
pub fn write(
    out: &mut (impl Write + ?Sized),
    catalog: &Catalog,
    parts: Option<&CatalogParts>,
) -> std::io::Result<()> {
    out.write_all(b"{\n  \"site\": ")?;
    out.write_all(&part(&catalog.site, 2)?)?;
    out.write_all(b",\n  \"apps\": [")?;
    for (index, app) in catalog.apps.iter().enumerate() {
        out.write_all(if index == 0 { b"\n    " } else { b",\n    " })?;
        let path = parts.and_then(|parts| parts.path(app));
        let text = match (&app.kept, &path) {
            (Some(_), Some(path)) => std::fs::read(path)?,
            (Some(_), None) => {
                return Err(std::io::Error::other(format!(
                    "the catalog part of the kept app {} is not known",
                    app.dir()
                )));
            }
            (None, _) => {
                let text = part(app, 4)?;
                if let Some(path) = &path {
                    write_part(path, &text)?;
                }
                text
            }
        };
        out.write_all(&text)?;
    }
    if !catalog.apps.is_empty() {
        out.write_all(b"\n  ")?;
    }
    out.write_all(b"]\n}")
}

/// `value` as pretty JSON whose lines after the first are indented by `indent` spaces (pretty
/// JSON has a line break only between tokens: strings escape theirs), markup escaped.
fn part(value: &impl serde::Serialize, indent: usize) -> std::io::Result<Vec<u8>> {
    let json = serde_json::to_vec_pretty(value).map_err(std::io::Error::other)?;
    let pad = vec![b' '; indent];
    let mut out = Vec::with_capacity(json.len() + json.len() / 8);
    for &byte in &json {
        match byte {
            b'\n' => {
                out.push(b'\n');
                out.extend_from_slice(&pad);
            }
            b'<' => out.extend_from_slice(b"\\u003c"),
            b'>' => out.extend_from_slice(b"\\u003e"),
            b'&' => out.extend_from_slice(b"\\u0026"),
            other => out.push(other),
        }
    }
    Ok(out)
}

fn write_part(path: &Path, text: &[u8]) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let tmp = path.with_extension(format!("{}.tmp", std::process::id()));
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_make_the_text_of_the_whole_catalog() {
        let mut catalog: Catalog = serde_json::from_value(serde_json::json!({
            "site": {"title": "A & B <site>", "base_url": "https://x.test/", "generator": "g"},
            "apps": []
        }))
        .unwrap();
        let whole = |catalog: &Catalog| {
            let mut json = Vec::new();
            serde_json::to_writer_pretty(&mut json, catalog).unwrap();
            super::super::escape_json_markup(&json)
        };
        let mut made = Vec::new();
        write(&mut made, &catalog, None).unwrap();
        assert_eq!(
            String::from_utf8(made).unwrap(),
            String::from_utf8(whole(&catalog)).unwrap()
        );

        let app: App = serde_json::from_value(serde_json::json!({
            "bundle_id": "com.example.a", "name": "A\nB <i>", "description": null,
            "page_url": "https://x.test/com.example.a/", "manifest_url": null,
            "install_url": null, "builds": []
        }))
        .unwrap();
        catalog.apps = vec![app.clone(), app];
        let mut made = Vec::new();
        write(&mut made, &catalog, None).unwrap();
        assert_eq!(
            String::from_utf8(made).unwrap(),
            String::from_utf8(whole(&catalog)).unwrap()
        );
    }
}
