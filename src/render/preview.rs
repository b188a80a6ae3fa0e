//! Link previews: the Open Graph and Twitter card facts of each page kind. The image is the
//! app's 512×512 icon (a square "summary" card): it exists for every build already, and chat
//! apps show it beside the title at any width.

use super::Base;
use super::i18n::Args;
use super::view::PreviewView;
use crate::catalog::{Build, Catalog};
use crate::layout::FULL_SIZE_IMAGE;

/// The preview of an app or build page: `Name version (build)`.
pub(super) fn build(base: &Base<'_>, build: &Build, url: &str) -> PreviewView {
    let mut parts = Vec::new();
    if let Some(channel) = &build.channel {
        parts.push(text(base, "preview.channel", &[("channel", channel)]));
    }
    // An Android build's minimum already names its system ("Android 8.0").
    match &build.min_os {
        Some(min) if build.os.is_android() => parts.push(min.clone()),
        Some(min) => parts.push(text(base, "preview.min_os", &[("version", min)])),
        None => {}
    }
    if let Some(released) = &build.released {
        parts.push(text(
            base,
            "preview.released",
            &[("released_date", released)],
        ));
    }
    let title = format!("{} {}", build.name, super::view::display_version(build));
    // Chat apps show a card without a description as a bare link: say at least what it is.
    let description = match parts.is_empty() {
        true => title.clone(),
        false => parts.join(" · "),
    };
    PreviewView {
        title,
        description,
        url: url.to_string(),
        locale: locale(base),
        image: Some(build.icon_url.clone()),
        image_width: FULL_SIZE_IMAGE.size,
        image_height: FULL_SIZE_IMAGE.size,
        image_alt: text(base, "app.icon_alt", &[("name", &build.name)]),
    }
}

/// The preview of the index: the site, with the most recent app's icon.
pub(super) fn index(base: &Base<'_>, catalog: &Catalog) -> PreviewView {
    let count = catalog.apps.len().to_string();
    site(
        base,
        catalog,
        catalog.site.base_url.clone(),
        text(base, "preview.index", &[("count", &count)]),
    )
}

/// The preview of the install doctor.
pub(super) fn help(base: &Base<'_>, catalog: &Catalog) -> PreviewView {
    let folder = crate::layout::HELP.trim_end_matches("index.html");
    titled(base, catalog, folder, "doctor.title", "preview.help")
}

/// The preview of a device registration page (`folder` under the site's address).
pub(super) fn devices(base: &Base<'_>, catalog: &Catalog, folder: &str) -> PreviewView {
    titled(base, catalog, folder, "devices.title", "preview.devices")
}

/// A page of the site that is about no one app: its own title before the site's.
fn titled(
    base: &Base<'_>,
    catalog: &Catalog,
    folder: &str,
    title_key: &str,
    description_key: &str,
) -> PreviewView {
    let url = format!("{}{folder}", catalog.site.base_url);
    let mut preview = site(base, catalog, url, text(base, description_key, &[]));
    preview.title = format!("{} · {}", text(base, title_key, &[]), catalog.site.title);
    preview
}

fn site(base: &Base<'_>, catalog: &Catalog, url: String, description: String) -> PreviewView {
    let newest = catalog.apps.first().map(|app| app.latest());
    PreviewView {
        title: catalog.site.title.clone(),
        description,
        url,
        locale: locale(base),
        image: newest.map(|b| b.icon_url.clone()),
        image_width: FULL_SIZE_IMAGE.size,
        image_height: FULL_SIZE_IMAGE.size,
        image_alt: newest
            .map(|b| text(base, "app.icon_alt", &[("name", &b.name)]))
            .unwrap_or_default(),
    }
}

/// `pt-BR` -> `pt_BR`, as Open Graph writes locales.
fn locale(base: &Base<'_>) -> String {
    base.catalogs.default.replace('-', "_")
}

/// A catalog text in the default language; a key the theme's catalogs lack leaves it empty.
fn text(base: &Base<'_>, key: &str, args: &[(&str, &str)]) -> String {
    let args: Args = args
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    base.catalogs.text(key, &args).unwrap_or_default()
}
