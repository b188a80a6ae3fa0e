//! The checks of a site with private apps ([`crate::private`]): no public file names a private
//! app (its bundle id, its name or one of its tokens); every locked page (the index too, on a
//! private site) and the private catalog open with the password in `OTASITE_PASSWORD`; the
//! token paths the opened pages and the private catalog link to resolve.
//!
//! What is private is read from the site itself: the token folders at its root, the manifests
//! in them (which iOS needs in the clear, so they name the app) and the Android packages (which
//! name theirs), the locked pages, and the private apps the private catalog lists once opened.
//! Findings never print a token: a check's output often lands in a public CI log.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use super::Report;
use super::site;
use crate::catalog::Catalog;
use crate::http::{Client, Method};
use crate::layout;
use crate::private::{self, Locked, UnlockError};

/// The largest file scanned for private names, and the largest page or manifest read.
const READ_LIMIT: u64 = 16 << 20;
/// Names shorter than this are words any page may contain.
const SHORTEST_NAME: usize = 3;
/// Files whose content the scan skips: binary, and named by the manifests anyway.
const BINARY: &[&str] = &[
    "ipa", "apk", "aab", "png", "jpg", "jpeg", "webp", "gif", "ico",
];

/// What a site keeps private.
#[derive(Debug, Default)]
pub struct Private {
    tokens: BTreeSet<String>,
    /// Bundle ids and display names of the private apps.
    names: BTreeSet<String>,
    /// The locked pages, relative to the site.
    locked: Vec<String>,
    /// The site has a private catalog ([`layout::LOCKED_CATALOG`]).
    locked_catalog: bool,
}

impl Private {
    fn is_empty(&self) -> bool {
        self.tokens.is_empty() && self.locked.is_empty() && !self.locked_catalog
    }

    /// Learns the private apps' names and tokens from the opened private catalog.
    fn learn(&mut self, whole: &Catalog) {
        for app in whole.apps.iter().filter(|app| app.private) {
            for name in [&app.bundle_id, &app.name] {
                if name.chars().count() >= SHORTEST_NAME {
                    self.names.insert(name.clone());
                }
            }
            for build in &app.builds {
                self.tokens.extend(
                    build
                        .path
                        .split('/')
                        .filter(|s| is_token(s))
                        .map(String::from),
                );
            }
        }
    }

    /// Whether a path of the site is inside a private app's folder.
    fn inside(&self, relative: &str) -> bool {
        relative
            .split('/')
            .next()
            .is_some_and(|first| self.tokens.contains(first))
    }

    /// What `text` mentions of the private apps, as a finding says it.
    fn mentioned(&self, text: &str) -> Vec<String> {
        let mut found: Vec<String> = self
            .names
            .iter()
            .filter(|name| text.contains(name.as_str()))
            .map(|name| format!("the private app {name:?}"))
            .collect();
        if self
            .tokens
            .iter()
            .any(|token| text.contains(token.as_str()))
        {
            found.push("a private folder's token".into());
        }
        found
    }
}

/// The pages' password, when the environment gives it.
pub fn password_from_env() -> Option<String> {
    std::env::var(private::PASSWORD_VAR)
        .ok()
        .filter(|p| !p.is_empty())
}

fn is_token(name: &str) -> bool {
    name.len() == layout::TOKEN_LEN && name.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A path with every token cut to its first characters, for findings.
fn shown(relative: &str) -> String {
    relative
        .split('/')
        .map(|segment| {
            if is_token(segment) {
                format!("{}…", &segment[..6])
            } else {
                segment.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn read_bounded(path: &Path) -> Option<Vec<u8>> {
    let size = std::fs::metadata(path).ok()?.len();
    (size <= READ_LIMIT).then(|| std::fs::read(path).ok())?
}

fn relative(dir: &Path, path: &Path) -> String {
    path.strip_prefix(dir)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// The private apps of the built site in `dir`.
pub fn find(dir: &Path) -> Private {
    let mut found = Private::default();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if is_token(&name) && entry.path().is_dir() {
            found.tokens.insert(name);
        }
    }
    for token in found.tokens.clone() {
        for entry in walkdir::WalkDir::new(dir.join(&token))
            .max_depth(4)
            .into_iter()
            .flatten()
        {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy();
            if entry.file_type().is_dir() && is_token(&name) {
                found.tokens.insert(name.into_owned());
            } else if name == layout::MANIFEST {
                found.names.extend(manifest_names(path));
            } else if name.ends_with(".apk") {
                found.names.extend(apk_names(path));
            } else if name.ends_with(".html") {
                found.locked.push(relative(dir, path));
            }
        }
    }
    // A private site's index is locked too.
    let index = dir.join(layout::INDEX);
    if read_bounded(&index).is_some_and(|html| is_locked(&String::from_utf8_lossy(&html))) {
        found.locked.push(layout::INDEX.to_string());
    }
    found.locked_catalog = dir.join(layout::LOCKED_CATALOG).is_file();
    found.locked.sort();
    found
}

/// Whether `html` is a locked page (the theme's `locked.html`).
fn is_locked(html: &str) -> bool {
    html.contains("id=\"locked\"") && private::locked_in(html).is_ok()
}

/// The bundle id and title a manifest names.
fn manifest_names(path: &Path) -> Vec<String> {
    let Some(bytes) = read_bounded(path) else {
        return Vec::new();
    };
    let Ok(value) = plist::Value::from_reader(std::io::Cursor::new(bytes)) else {
        return Vec::new();
    };
    let metadata = value
        .as_dictionary()
        .and_then(|root| root.get("items"))
        .and_then(plist::Value::as_array)
        .and_then(|items| items.first())
        .and_then(plist::Value::as_dictionary)
        .and_then(|item| item.get("metadata"))
        .and_then(plist::Value::as_dictionary);
    ["bundle-identifier", "title"]
        .iter()
        .filter_map(|key| metadata?.get(key)?.as_string())
        .filter(|name| name.chars().count() >= SHORTEST_NAME)
        .map(str::to_string)
        .collect()
}

/// The package name and label of a private Android build's `.apk` (an Android build has no
/// manifest in the clear: its archive names it).
fn apk_names(path: &Path) -> Vec<String> {
    let options = crate::ipa::ReadOptions {
        hash: false,
        decode_icon: false,
        ..Default::default()
    };
    let Ok(apk) = crate::apk::read_apk(path, options) else {
        return Vec::new();
    };
    [Some(apk.manifest.package), apk.manifest.label]
        .into_iter()
        .flatten()
        .filter(|name| name.chars().count() >= SHORTEST_NAME)
        .collect()
}

/// `html` without its encrypted payload: what anyone can read of a locked page.
fn outside_payload(html: &str) -> String {
    match private::locked_in(html) {
        Ok(locked) => html.replace(&locked.payload, ""),
        Err(_) => html.to_string(),
    }
}

/// Opens locked pages, deriving the key once per salt (PBKDF2 is slow on purpose).
struct Opener {
    password: String,
    keys: HashMap<(String, u32), [u8; 32]>,
}

impl Opener {
    fn open(&mut self, html: &str) -> Result<String, UnlockError> {
        let locked: Locked = private::locked_in(html)?;
        let id = (locked.salt.clone(), locked.iterations);
        let key = match self.keys.get(&id) {
            Some(key) => *key,
            None => {
                let key = private::password_key(&locked, &self.password)?;
                self.keys.insert(id, key);
                key
            }
        };
        let page = private::unlock_with_key(&locked, &key)?;
        String::from_utf8(page)
            .map_err(|_| UnlockError::Damaged("the opened page is not UTF-8".into()))
    }
}

fn unlock_problem(error: &UnlockError) -> String {
    match error {
        UnlockError::WrongKey => format!(
            "does not open with the password in {} (the site was built with another)",
            private::PASSWORD_VAR
        ),
        other => other.to_string(),
    }
}

/// Every link of an opened page (`href` and `src`), with an install link's manifest URL in
/// place of the `itms-services:` link.
fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attribute in ["href=\"", "src=\""] {
        for piece in html.split(attribute).skip(1) {
            let Some(value) = piece.split('"').next() else {
                continue;
            };
            let value = value.replace("&amp;", "&");
            let link = match value.split_once("action=download-manifest&url=") {
                Some((_, url)) => percent_encoding::percent_decode_str(url)
                    .decode_utf8_lossy()
                    .into_owned(),
                None => value,
            };
            out.push(link);
        }
    }
    out
}

/// The paths of the site (under `base`) that an opened page at `page` links to inside the
/// private folders.
fn private_targets(private: &Private, base: &str, page: &str, html: &str) -> BTreeSet<String> {
    let Ok(page_url) = url::Url::parse(base).and_then(|b| b.join(page)) else {
        return BTreeSet::new();
    };
    links(html)
        .iter()
        .filter_map(|link| page_url.join(link).ok())
        .filter_map(|url| site::path_under(base, url.as_str()))
        .filter(|path| private.inside(path))
        .collect()
}

fn no_password_warning(private: &Private, subject: &str, report: &mut Report) {
    let catalog = if private.locked_catalog {
        ", nor the private catalog"
    } else {
        ""
    };
    report.warning(
        subject,
        format!(
            "{} locked page(s) not verified{catalog}: set {} to the pages' password to check that they open",
            private.locked.len(),
            private::PASSWORD_VAR
        ),
    );
}

/// The private catalog opened with the password, or an error in the report saying why not.
fn open_catalog(
    bytes: &[u8],
    password: &str,
    subject: &str,
    report: &mut Report,
) -> Option<Catalog> {
    report.checked += 1;
    let plain = match private::catalog::open(bytes, password) {
        Ok((_, plain)) => plain,
        Err(e) => {
            report.error(subject, unlock_problem(&e));
            return None;
        }
    };
    match serde_json::from_slice(&plain) {
        Ok(whole) => Some(whole),
        Err(e) => {
            report.error(subject, format!("opens, but holds no otasite catalog: {e}"));
            None
        }
    }
}

/// The files of the site (under `base`) the private catalog names for its private apps: each
/// app's page, each build's page and manifest, and the archives and icons hosted in the site.
fn catalog_targets(whole: &Catalog, base: &str) -> Vec<(String, String)> {
    let mut targets = Vec::new();
    for app in whole.apps.iter().filter(|app| app.private) {
        let mut urls = vec![("an app page", app.page_url.clone())];
        for build in &app.builds {
            urls.push(("a build page", build.page_url.clone()));
            urls.push(("a manifest", build.manifest_url.clone()));
            urls.push(("an archive", build.ipa_url.clone()));
            urls.push(("an icon", build.icon_url.clone()));
        }
        for (what, url) in urls {
            if let Some(path) = site::path_under(base, &url) {
                targets.push((what.to_string(), path));
            }
        }
    }
    targets.sort();
    targets.dedup();
    targets
}

/// The private checks of the built site in `dir`, whose base URL is `base`.
pub fn check_local(dir: &Path, base: &str, password: Option<String>, report: &mut Report) {
    let mut private = find(dir);
    if private.is_empty() {
        return;
    }
    let whole = match (&password, private.locked_catalog) {
        (Some(password), true) => {
            let file = dir.join(layout::LOCKED_CATALOG);
            let bytes = read_bounded(&file).unwrap_or_default();
            open_catalog(&bytes, password, layout::LOCKED_CATALOG, report)
        }
        _ => None,
    };
    if let Some(whole) = &whole {
        private.learn(whole);
    }
    scan_public_files(dir, &private, report);
    let Some(password) = password else {
        no_password_warning(&private, &dir.display().to_string(), report);
        return;
    };
    let mut opener = Opener {
        password,
        keys: HashMap::new(),
    };
    // Every file a finding was already about, or that was found.
    let mut seen = BTreeSet::new();
    for page in &private.locked {
        report.checked += 1;
        let Some(html) = read_bounded(&dir.join(page)) else {
            report.error(shown(page), "cannot be read");
            continue;
        };
        let opened = match opener.open(&String::from_utf8_lossy(&html)) {
            Ok(opened) => opened,
            Err(e) => {
                report.error(shown(page), unlock_problem(&e));
                continue;
            }
        };
        for target in private_targets(&private, base, page, &opened) {
            // One finding per missing file, from the first page that leads to it.
            if !seen.insert(target.clone()) {
                continue;
            }
            let file = dir.join(&target);
            if !file.is_file() {
                report.error(
                    shown(page),
                    format!(
                        "once opened, links to {}, which the site lacks",
                        shown(&target)
                    ),
                );
            } else if target.ends_with(layout::MANIFEST) {
                seen.extend(manifest_assets(dir, base, &target, &private, report));
            }
        }
    }
    // What the private catalog lists and no opened page led to.
    for (subject, target) in whole.iter().flat_map(|w| catalog_targets(w, base)) {
        if !seen.contains(&target) && !dir.join(&target).is_file() {
            report.error(
                layout::LOCKED_CATALOG,
                format!(
                    "lists {subject} at {}, which the site lacks",
                    shown(&target)
                ),
            );
        }
    }
}

/// The archive and icons a private manifest names, when they are files of this site; returns
/// their paths.
fn manifest_assets(
    dir: &Path,
    base: &str,
    manifest: &str,
    private: &Private,
    report: &mut Report,
) -> Vec<String> {
    let mut named = Vec::new();
    let Some(bytes) = read_bounded(&dir.join(manifest)) else {
        return named;
    };
    let Some(parsed) = site::parse_manifest(&bytes).0 else {
        report.error(shown(manifest), "is not a readable manifest");
        return named;
    };
    for url in [
        parsed.software_package,
        parsed.display_image,
        parsed.full_size_image,
    ]
    .into_iter()
    .flatten()
    {
        let Some(path) = site::path_under(base, &url).filter(|p| private.inside(p)) else {
            continue;
        };
        if !dir.join(&path).is_file() {
            report.error(
                shown(manifest),
                format!("names {}, which the site lacks", shown(&path)),
            );
        }
        named.push(path);
    }
    named
}

/// Every file outside the private folders, and the readable part of the locked pages: none may
/// name a private app, in its content or its file name.
fn scan_public_files(dir: &Path, private: &Private, report: &mut Report) {
    for entry in walkdir::WalkDir::new(dir).into_iter().flatten() {
        if !entry.file_type().is_file() {
            continue;
        }
        let path = relative(dir, entry.path());
        let inside = private.inside(&path) || private.locked.contains(&path);
        let binary = entry
            .path()
            .extension()
            .is_some_and(|x| BINARY.contains(&x.to_string_lossy().to_ascii_lowercase().as_str()));
        let readable = if binary || (inside && !path.ends_with(".html")) {
            String::new()
        } else {
            let Some(bytes) = read_bounded(entry.path()) else {
                continue;
            };
            let text = String::from_utf8_lossy(&bytes);
            if inside {
                outside_payload(&text)
            } else {
                text.into_owned()
            }
        };
        // Inside the private folders the names are tokens by design.
        let name = if private.inside(&path) {
            String::new()
        } else {
            path.clone()
        };
        for what in private.mentioned(&format!("{name}\n{readable}")) {
            report.error(shown(&path), format!("is public and mentions {what}"));
        }
    }
}

/// The URL of a path of the site deployed at `url`.
fn url_of(url: &str, relative: &str) -> String {
    crate::urls::join(url, &relative.split('/').collect::<Vec<_>>())
}

/// The private checks of the deployed site at `url`, whose local build in `dir` tells where
/// its private pages are: the public entry files name no private app, every locked page
/// answers and opens with the password, and the token paths the opened pages link to answer.
pub fn check_remote(
    url: &str,
    dir: &Path,
    client: &Client,
    password: Option<String>,
    report: &mut Report,
) {
    let mut private = find(dir);
    if private.is_empty() {
        return;
    }
    let whole = match (&password, private.locked_catalog) {
        (Some(password), true) => {
            let catalog_url = layout::url_in(url, layout::LOCKED_CATALOG);
            match client.fetch_limited(Method::Get, &catalog_url, crate::http::CATALOG_LIMIT) {
                Ok(response) if response.status == 200 => {
                    open_catalog(&response.body, password, &catalog_url, report)
                }
                Ok(response) => {
                    report.error(
                        &catalog_url,
                        format!("answers HTTP {} instead of 200 OK", response.status_text()),
                    );
                    None
                }
                Err(problem) => {
                    report.error(&catalog_url, problem);
                    None
                }
            }
        }
        _ => None,
    };
    if let Some(whole) = &whole {
        private.learn(whole);
    }
    for name in [layout::INDEX, layout::CATALOG, layout::FEED, layout::ROBOTS] {
        let file_url = layout::url_in(url, name);
        if let Ok(response) = client.fetch_limited(Method::Get, &file_url, READ_LIMIT)
            && response.status == 200
        {
            let text = String::from_utf8_lossy(&response.body);
            for what in private.mentioned(&outside_payload(&text)) {
                report.error(&file_url, format!("is public and mentions {what}"));
            }
        }
    }
    let Some(password) = password else {
        no_password_warning(&private, url, report);
        return;
    };
    let mut opener = Opener {
        password,
        keys: HashMap::new(),
    };
    let mut answered = BTreeSet::new();
    for page in &private.locked {
        report.checked += 1;
        let subject = format!("{url}{}", shown(page));
        let html = match client.fetch_limited(Method::Get, &url_of(url, page), READ_LIMIT) {
            Ok(response) if response.status == 200 => response.body,
            Ok(response) => {
                report.error(
                    subject,
                    format!("answers HTTP {} instead of 200 OK", response.status_text()),
                );
                continue;
            }
            Err(problem) => {
                report.error(subject, problem);
                continue;
            }
        };
        let opened = match opener.open(&String::from_utf8_lossy(&html)) {
            Ok(opened) => opened,
            Err(e) => {
                report.error(subject, unlock_problem(&e));
                continue;
            }
        };
        for target in private_targets(&private, url, page, &opened) {
            if !answered.insert(target.clone()) {
                continue;
            }
            report.checked += 1;
            let status = client
                .fetch_limited(Method::Head, &url_of(url, &target), 0)
                .map(|r| r.status);
            if status != Ok(200) {
                let answer = match status {
                    Ok(code) => format!("HTTP {code}"),
                    Err(problem) => problem,
                };
                report.error(
                    subject.clone(),
                    format!(
                        "once opened, links to {url}{}, which answers {answer}",
                        shown(&target)
                    ),
                );
            }
        }
    }
    // What the private catalog lists and no opened page linked to.
    let listed = whole
        .as_ref()
        .map(|w| catalog_targets(w, url))
        .unwrap_or_default();
    for (subject, target) in listed {
        if !answered.insert(target.clone()) {
            continue;
        }
        report.checked += 1;
        let status = client
            .fetch_limited(Method::Head, &url_of(url, &target), 0)
            .map(|r| r.status);
        if status != Ok(200) {
            let answer = match status {
                Ok(code) => format!("HTTP {code}"),
                Err(problem) => problem,
            };
            report.error(
                layout::url_in(url, layout::LOCKED_CATALOG),
                format!(
                    "lists {subject} at {url}{}, which answers {answer}",
                    shown(&target)
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_shortened_and_install_links_give_their_manifest() {
        let token = "0123456789abcdef0123456789abcdef";
        assert_eq!(shown(&format!("{token}/index.html")), "012345…/index.html");
        let html = r#"<a href="itms-services://?action=download-manifest&amp;url=https%3A%2F%2Fx.test%2Fa%2Fmanifest.plist">i</a><img src="icon.png">"#;
        assert_eq!(
            links(html),
            vec!["https://x.test/a/manifest.plist", "icon.png"]
        );
    }
}
