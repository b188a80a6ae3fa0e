//! What the offline and remote checks share: reading `catalog.json`, the site's URL space,
//! the required keys of a manifest, and what an icon must be.

use std::path::Path;

use plist::Value;

use super::report::Report;
use crate::catalog::Catalog;
use crate::layout;
use crate::raster;

/// Parses `catalog.json` bytes; the error is a predicate for the file or URL they came from.
pub fn parse_catalog(bytes: &[u8]) -> Result<Catalog, String> {
    serde_json::from_slice(bytes).map_err(|e| {
        format!("is not an otasite catalog ({e}); run `otasite build` to write it again")
    })
}

/// Reads `DIR/catalog.json`, with an error that names the file.
pub fn read_catalog(dir: &Path) -> anyhow::Result<(Catalog, Vec<u8>)> {
    let path = dir.join(layout::CATALOG);
    let bytes = std::fs::read(&path).map_err(|e| {
        anyhow::anyhow!(
            "cannot read {} ({e}): pass the folder `otasite build` wrote, or build the site first",
            path.display()
        )
    })?;
    let catalog = parse_catalog(&bytes).map_err(|e| anyhow::anyhow!("{} {e}", path.display()))?;
    Ok((catalog, bytes))
}

/// What makes a whole site unfit to deploy, whatever its files: a placeholder `base_url` (no
/// device can install from it) and, unless `allow_empty`, no app at all (deploying it would
/// replace the live portal with an empty one). `subject` is the catalog's file or URL.
pub fn site_findings(catalog: &Catalog, subject: &str, allow_empty: bool, report: &mut Report) {
    if let Some(host) = crate::config::placeholder_host(&catalog.site.base_url) {
        report.error(
            subject,
            format!(
                "site.base_url {} is a placeholder ({host} is reserved for examples): no device can install from it; build again with base_url set to the https:// URL the site is served from",
                catalog.site.base_url
            ),
        );
    }
    if catalog.apps.is_empty() && !allow_empty {
        report.error(
            subject,
            "the site lists no app: deploying it would replace the live portal with an empty one (pass --allow-empty if that is intended)",
        );
    }
}

/// Every URL a catalog holds, with a label saying where it sits, in catalog order.
pub fn catalog_urls(catalog: &Catalog) -> Vec<(String, &str)> {
    let mut urls = Vec::new();
    for app in &catalog.apps {
        let at = |field: &str| format!("{field} of {} in catalog.json", app.bundle_id);
        urls.push((at("page_url"), app.page_url.as_str()));
        if let Some(url) = &app.manifest_url {
            urls.push((at("manifest_url"), url.as_str()));
        }
        for build in &app.builds {
            let at = |field: &str| {
                format!(
                    "{field} of {} {} in catalog.json",
                    build.bundle_id,
                    build.display_version()
                )
            };
            urls.push((at("page_url"), build.page_url.as_str()));
            // An Android build installs from its `.apk`: it has no manifest.
            if !build.manifest_url.is_empty() {
                urls.push((at("manifest_url"), build.manifest_url.as_str()));
            }
            urls.push((at("ipa_url"), build.ipa_url.as_str()));
            urls.push((at("icon_url"), build.icon_url.as_str()));
        }
    }
    urls
}

/// True for `https://` URLs (case-insensitive scheme, as URL parsers treat it).
pub fn is_https(url: &str) -> bool {
    url.get(..8)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"))
}

/// The path of `url` below `base`, percent-decoded, when `url` is under `base`.
///
/// Both are normalised by the URL parser first, so `my apps/` and `my%20apps/` agree. A
/// folder URL maps to its page ([`layout::INDEX`]); `..` never survives parsing, so the path
/// stays inside.
pub fn path_under(base: &str, url: &str) -> Option<String> {
    let base = url::Url::parse(base).ok()?;
    let url = url::Url::parse(url).ok()?;
    let rest = url.as_str().strip_prefix(base.as_str())?;
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    let mut path = percent_encoding::percent_decode_str(rest)
        .decode_utf8()
        .ok()?
        .into_owned();
    if path.is_empty() || path.ends_with('/') {
        path.push_str(layout::INDEX);
    }
    if path.split('/').any(|segment| segment == "..") {
        return None;
    }
    Some(path)
}

/// The parts of a manifest the checks use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    pub software_package: Option<String>,
    pub display_image: Option<String>,
    pub full_size_image: Option<String>,
    pub bundle_id: Option<String>,
}

/// Reads a manifest and lists what is missing from what iOS needs (empty when complete).
pub fn parse_manifest(bytes: &[u8]) -> (Option<Manifest>, Vec<String>) {
    let value = match Value::from_reader(std::io::Cursor::new(bytes)) {
        Ok(value) => value,
        Err(e) => return (None, vec![format!("is not a property list ({e})")]),
    };
    let mut problems = Vec::new();
    let item = value
        .as_dictionary()
        .and_then(|root| root.get("items"))
        .and_then(Value::as_array)
        .and_then(|items| items.first())
        .and_then(Value::as_dictionary);
    let Some(item) = item else {
        return (
            None,
            vec!["has no `items` array with a dictionary in it".into()],
        );
    };
    let asset_url = |kind: &str| {
        item.get("assets")?
            .as_array()?
            .iter()
            .filter_map(Value::as_dictionary)
            .find(|asset| asset.get("kind").and_then(Value::as_string) == Some(kind))?
            .get("url")?
            .as_string()
            .map(str::to_string)
    };
    let manifest = Manifest {
        software_package: asset_url("software-package"),
        display_image: asset_url("display-image"),
        full_size_image: asset_url("full-size-image"),
        bundle_id: None,
    };
    for (kind, url) in [
        ("software-package", &manifest.software_package),
        ("display-image", &manifest.display_image),
        ("full-size-image", &manifest.full_size_image),
    ] {
        if url.is_none() {
            problems.push(format!(
                "has no `{kind}` asset with a url in items[0].assets"
            ));
        }
    }
    let metadata = item.get("metadata").and_then(Value::as_dictionary);
    let text = |key: &str| {
        metadata
            .and_then(|m| m.get(key))
            .and_then(Value::as_string)
            .filter(|s| !s.is_empty())
    };
    for key in ["bundle-identifier", "bundle-version", "title"] {
        if text(key).is_none() {
            problems.push(format!(
                "has no `{key}` in items[0].metadata (iOS needs bundle-identifier, bundle-version, kind and title)"
            ));
        }
    }
    match text("kind") {
        Some("software") => {}
        Some(other) => problems.push(format!(
            "has kind {other:?} in items[0].metadata instead of \"software\""
        )),
        None => {
            problems.push("has no `kind` in items[0].metadata (it must be \"software\")".into())
        }
    }
    let bundle_id = text("bundle-identifier").map(str::to_string);
    (
        Some(Manifest {
            bundle_id,
            ..manifest
        }),
        problems,
    )
}

/// What is wrong with an icon's bytes for its place in the manifest (None when fine).
pub fn icon_problem(bytes: &[u8], size: u32) -> Option<String> {
    match raster::png_info(bytes) {
        Err(e) => Some(format!("the image is not a readable PNG ({e})")),
        Ok(info) if info.cgbi => Some(
            "the image is an Apple CgBI (\"crushed\") PNG, which iOS cannot show in the install prompt: it must be a standard PNG"
                .into(),
        ),
        Ok(info) if (info.width, info.height) != (size, size) => Some(format!(
            "the image is {}×{} pixels; the manifest needs {size}×{size}",
            info.width, info.height
        )),
        Ok(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_under_the_base() {
        let base = "https://x.org/my%20apps/";
        assert_eq!(
            path_under(base, "https://x.org/my%20apps/a/b%20c.ipa").as_deref(),
            Some("a/b c.ipa")
        );
        assert_eq!(
            path_under("https://x.org/my apps/", "https://x.org/my%20apps/a/").as_deref(),
            Some("a/index.html")
        );
        assert_eq!(
            path_under(base, "https://x.org/my%20apps/a/../../etc").as_deref(),
            None
        );
        assert_eq!(path_under(base, "https://y.org/my%20apps/a"), None);
        assert_eq!(path_under(base, "http://x.org/my%20apps/a"), None);
    }

    #[test]
    fn manifest_keys() {
        let (manifest, problems) = parse_manifest(b"<plist version=\"1.0\"><dict><key>items</key><array><dict><key>metadata</key><dict><key>kind</key><string>app</string></dict></dict></array></dict></plist>");
        assert!(manifest.is_some());
        assert_eq!(problems.len(), 7, "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("kind \"app\"")));
        let (manifest, problems) = parse_manifest(b"not a plist");
        assert!(manifest.is_none() && problems[0].starts_with("is not a property list"));
    }
}
