//! `otasite check [DIR]`: the built site on disk, before it is deployed.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use time::OffsetDateTime;

use super::report::Report;
use super::site;
use crate::catalog::{App, Build, Catalog};
use crate::facts::EXPIRY_WARNING;
use crate::hosting::{self, GITHUB_FILE_LIMIT};
use crate::layout::{self, DISPLAY_IMAGE, FULL_SIZE_IMAGE};
use crate::{units, urls};

/// Where `.ipa` URLs outside `base_url` may legitimately point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IpaBase {
    /// Known from site.yaml: its `ipa_base_url`, if it has one.
    Known(Option<String>),
    /// No site.yaml describes this site, so an outside `.ipa` URL cannot be judged.
    Unknown,
}

/// The built site to check.
pub struct Site<'a> {
    pub dir: &'a Path,
    pub catalog: &'a Catalog,
    pub ipa_base: IpaBase,
    /// The moment profile expiry is judged against.
    pub now: OffsetDateTime,
    /// A site without any app is acceptable.
    pub allow_empty: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Page,
    Manifest,
    Image,
    Ipa,
}

/// Checks everything the catalog names, every page's install links and the host limits.
pub fn check(site: &Site<'_>) -> Report {
    let mut checker = Checker {
        site,
        catalog_file: site.dir.join(layout::CATALOG).display().to_string(),
        report: Report::default(),
        located: HashMap::new(),
        manifests: HashSet::new(),
        images: BTreeSet::new(),
        ipas: Vec::new(),
    };
    checker.report.checked += 1;
    checker.catalog();
    checker.pages_and_sizes();
    let Checker {
        mut report, ipas, ..
    } = checker;
    // Hashing is the one long step: archives are hashed in parallel, findings kept in order.
    let ipa_reports: Vec<Report> = ipas
        .par_iter()
        .map(|(file, build)| check_ipa(file, build))
        .collect();
    for ipa_report in ipa_reports {
        report.merge(ipa_report);
    }
    report
}

/// What a stable manifest must install the newest installable build of: an app (its default
/// channel) or one of its channels.
struct Stable(String);

struct Checker<'a> {
    site: &'a Site<'a>,
    catalog_file: String,
    report: Report,
    /// Each URL is located once; later references reuse the answer and add no duplicate finding.
    located: HashMap<String, Option<PathBuf>>,
    manifests: HashSet<PathBuf>,
    images: BTreeSet<(PathBuf, u32)>,
    /// Archives in the site, with the build the catalog says they are.
    ipas: Vec<(PathBuf, &'a Build)>,
}

impl<'a> Checker<'a> {
    fn catalog(&mut self) {
        let catalog: &'a Catalog = self.site.catalog;
        if !site::is_https(&catalog.site.base_url) {
            let message = format!(
                "site.base_url {} is not https: iOS installs only over HTTPS",
                catalog.site.base_url
            );
            self.report.error(self.catalog_file.clone(), message);
        }
        site::site_findings(
            catalog,
            &self.catalog_file,
            self.site.allow_empty,
            &mut self.report,
        );
        for app in &catalog.apps {
            let at = |field: &str| format!("{field} of {} in catalog.json", app.bundle_id);
            self.locate(&app.page_url, Kind::Page, &at("page_url"));
            if let Some(manifest_url) = &app.manifest_url {
                self.install_link(app.install_url.as_deref(), manifest_url, &app.bundle_id);
                let stable = Stable(app.bundle_id.clone());
                self.manifest(
                    manifest_url,
                    app.latest_in(app.default_channel.as_deref())
                        .unwrap_or(app.latest()),
                    &at("manifest_url"),
                    Some(stable),
                );
            }
            self.channels(app);
            for build in &app.builds {
                self.build(build);
            }
        }
    }

    /// Each channel's stable links must install the newest installable build of the channel,
    /// as the builds listed in the catalog tell it.
    fn channels(&mut self, app: &'a App) {
        for channel in &app.channels {
            let who = format!("channel {} of {}", channel.name, app.bundle_id);
            let at = format!("{who} in catalog.json");
            let newest = app.latest_in(Some(&channel.name));
            let listed = channel.latest.as_ref().map(|l| l.page_url.as_str());
            if listed != newest.map(|b| b.page_url.as_str()) {
                let want = newest.map_or("none".to_string(), |b| b.page_url.clone());
                let message = format!(
                    "names {} as its newest installable build, but its builds make it {want}",
                    listed.unwrap_or("none")
                );
                self.report.error(&at, message);
            }
            match (&channel.manifest_url, newest) {
                (Some(manifest_url), Some(newest)) => {
                    self.install_link(channel.install_url.as_deref(), manifest_url, &who);
                    let stable = Stable(format!("{}'s channel {}", app.bundle_id, channel.name));
                    self.manifest(
                        manifest_url,
                        newest,
                        &format!("manifest_url of {at}"),
                        Some(stable),
                    );
                }
                (None, None) => {}
                (Some(_), None) => self.report.error(
                    &at,
                    "has a manifest_url, but no build of the channel can be installed".to_string(),
                ),
                (None, Some(newest)) => self.report.error(
                    &at,
                    format!(
                        "has no manifest_url, but {} of the channel can be installed",
                        newest.display_version()
                    ),
                ),
            }
        }
    }

    fn build(&mut self, build: &'a Build) {
        let who = format!("{} {}", build.bundle_id, build.display_version());
        let at = |field: &str| format!("{field} of {who} in catalog.json");
        if let Some(page) = self.locate(&build.page_url, Kind::Page, &at("page_url"))
            && let Some(folder) = page.parent()
        {
            super::devices::build_file(&mut self.report, folder, build, &who);
        }
        if let Some(file) = self.locate(&build.ipa_url, Kind::Ipa, &at("ipa_url")) {
            if !self.ipas.iter().any(|(known, _)| *known == file) {
                self.ipas.push((file, build));
            }
        }
        self.image(&build.icon_url, FULL_SIZE_IMAGE.size, &at("icon_url"));
        // An Android build installs from its `.apk`: it has no manifest and no profile.
        if build.os.is_android() {
            return;
        }
        self.install_link(Some(&build.install_url), &build.manifest_url, &who);
        self.manifest(&build.manifest_url, build, &at("manifest_url"), None);
        self.profile(build, &who);
    }

    /// The file a URL names inside the site, or None after reporting why there is none.
    fn locate(&mut self, url: &str, kind: Kind, label: &str) -> Option<PathBuf> {
        if let Some(found) = self.located.get(url) {
            return found.clone();
        }
        let found = self.locate_uncached(url, kind, label);
        self.located.insert(url.to_string(), found.clone());
        found
    }

    fn locate_uncached(&mut self, url: &str, kind: Kind, label: &str) -> Option<PathBuf> {
        if !site::is_https(url) {
            self.report.error(
                url,
                format!("is not https ({label}): iOS installs only over HTTPS"),
            );
            return None;
        }
        let base = &self.site.catalog.site.base_url;
        let ipa_base = match &self.site.ipa_base {
            IpaBase::Known(Some(ipa_base)) => Some(ipa_base.as_str()),
            _ => None,
        };
        if kind == Kind::Ipa
            && ipa_base.is_some_and(|ipa_base| site::path_under(ipa_base, url).is_some())
        {
            self.report.note(
                url,
                format!("not checked offline: the .ipa is hosted under ipa_base_url ({label}); check it after deploying with `otasite check --remote`"),
            );
            return None;
        }
        let Some(relative) = site::path_under(base, url) else {
            match (kind, &self.site.ipa_base, ipa_base) {
                (Kind::Ipa, IpaBase::Unknown, _) => self.report.note(
                    url,
                    format!("not checked offline: it is outside base_url and no site.yaml says it is under ipa_base_url ({label})"),
                ),
                (Kind::Ipa, _, Some(ipa_base)) => self.report.error(
                    url,
                    format!("is under neither base_url {base} nor ipa_base_url {ipa_base} ({label})"),
                ),
                _ => self
                    .report
                    .error(url, format!("is not under base_url {base} ({label})")),
            }
            return None;
        };
        let file = self.site.dir.join(relative);
        if file.is_file() {
            Some(file)
        } else {
            let message = format!("leads to no file: {} is missing ({label})", file.display());
            self.report.error(url, message);
            None
        }
    }

    fn install_link(&mut self, install_url: Option<&str>, manifest_url: &str, who: &str) {
        let subject = self.catalog_file.clone();
        match install_url.map(|link| (link, urls::manifest_of_install_url(link))) {
            None => self
                .report
                .error(subject, format!("{who} has a manifest_url but no install_url")),
            Some((_, Some(decoded))) if decoded == manifest_url => {}
            Some((_, Some(decoded))) => self.report.error(
                subject,
                format!("the install_url of {who} leads to {decoded}, not to its manifest {manifest_url}"),
            ),
            Some((link, None)) => self.report.error(
                subject,
                format!("the install_url of {who} is not an itms-services://?action=download-manifest&url=… link: {link}"),
            ),
        }
    }

    /// A manifest: required keys, agreement with the catalog, and every URL inside it.
    fn manifest(&mut self, url: &str, expected: &'a Build, label: &str, stable: Option<Stable>) {
        let Some(file) = self.locate(url, Kind::Manifest, label) else {
            return;
        };
        if !self.manifests.insert(file.clone()) {
            return;
        }
        self.report.checked += 1;
        let subject = file.display().to_string();
        let bytes = match std::fs::read(&file) {
            Ok(bytes) => bytes,
            Err(e) => {
                self.report.error(subject, format!("cannot be read ({e})"));
                return;
            }
        };
        let (manifest, problems) = site::parse_manifest(&bytes);
        for problem in problems {
            self.report
                .error(&subject, format!("the manifest {problem}"));
        }
        let Some(manifest) = manifest else {
            return;
        };
        if let Some(package) = &manifest.software_package {
            if *package != expected.ipa_url {
                let message = if let Some(Stable(of)) = &stable {
                    format!(
                        "installs {package}, but the newest installable build of {of} is {}",
                        expected.ipa_url
                    )
                } else {
                    format!(
                        "installs {package}, but catalog.json gives the build's ipa_url as {}",
                        expected.ipa_url
                    )
                };
                self.report.error(&subject, message);
            }
            self.locate(
                package,
                Kind::Ipa,
                &format!("software-package of {subject}"),
            );
        }
        if let Some(bundle_id) = manifest
            .bundle_id
            .as_deref()
            .filter(|id| *id != expected.bundle_id)
        {
            let message = format!(
                "names bundle-identifier {bundle_id}, but catalog.json lists it under {}",
                expected.bundle_id
            );
            self.report.error(&subject, message);
        }
        if let Some(display) = &manifest.display_image {
            self.image(
                display,
                DISPLAY_IMAGE.size,
                &format!("display-image of {subject}"),
            );
        }
        if let Some(full) = &manifest.full_size_image {
            self.image(
                full,
                FULL_SIZE_IMAGE.size,
                &format!("full-size-image of {subject}"),
            );
        }
    }

    fn image(&mut self, url: &str, size: u32, label: &str) {
        let Some(file) = self.locate(url, Kind::Image, label) else {
            return;
        };
        if !self.images.insert((file.clone(), size)) {
            return;
        }
        self.report.checked += 1;
        let subject = file.display().to_string();
        match std::fs::read(&file) {
            Err(e) => self.report.error(subject, format!("cannot be read ({e})")),
            Ok(bytes) => {
                if let Some(problem) = site::icon_problem(&bytes, size) {
                    self.report.error(subject, problem);
                }
            }
        }
    }

    fn profile(&mut self, build: &Build, who: &str) {
        let Some((expires, of)) = build.stops_launching() else {
            return;
        };
        let noun = of.noun();
        let now = self.site.now;
        let day = crate::clock::date(expires);
        let subject = self.catalog_file.clone();
        if expires <= now && build.installable {
            self.report.error(
                subject,
                format!("{who}: the {noun} expired on {day}, yet the build is marked installable: iOS will refuse it; re-sign the app and build the site again"),
            );
        } else if expires <= now {
            self.report.warning(
                subject,
                format!("{who}: the {noun} expired on {day}; the site shows the build as not installable"),
            );
        } else if expires - now <= EXPIRY_WARNING {
            self.report.warning(
                subject,
                format!("{who}: the {noun} expires on {day}: the app stops installing and launching then; publish a re-signed build before"),
            );
        }
    }

    /// Walks the whole site once: install links on every page, and the host's size limits.
    fn pages_and_sizes(&mut self) {
        let catalog = self.site.catalog;
        let manifests: HashSet<&str> = catalog
            .apps
            .iter()
            .flat_map(|app| {
                app.manifest_url
                    .iter()
                    .chain(app.channels.iter().filter_map(|c| c.manifest_url.as_ref()))
                    .chain(app.builds.iter().map(|b| &b.manifest_url))
            })
            .map(String::as_str)
            .collect();
        let dir = self.site.dir;
        let mut total: u64 = 0;
        for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    self.report.error(
                        dir.display().to_string(),
                        format!("cannot be read completely ({e})"),
                    );
                    continue;
                }
            };
            if !entry.file_type().is_file() {
                continue;
            }
            let path = entry.path();
            let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
            total += size;
            if size > GITHUB_FILE_LIMIT.bytes {
                self.report.warning(
                    path.display().to_string(),
                    format!(
                        "is {}, over GitHub's {} limit for one file: keep .ipa files in Git LFS, or host them elsewhere with `ipa_base_url`",
                        units::binary(size),
                        GITHUB_FILE_LIMIT.stated
                    ),
                );
            }
            if path.extension().is_some_and(|ext| ext == "html") {
                self.install_links_on_page(path, &manifests);
            }
            super::devices::scan(&mut self.report, path, size);
        }
        if let Some(excess) = hosting::over_pages_limit(total) {
            self.report.warning(
                dir.display().to_string(),
                format!(
                    "the site {excess}: host the .ipa files elsewhere with `ipa_base_url` in site.yaml (release assets, a bucket)"
                ),
            );
        }
    }

    /// The page's link preview tags are complete and name images the site has, of their size.
    fn previews_on_page(&mut self, subject: &str, html: &str) {
        let mut image = |url: &str| {
            let file = self.locate(url, Kind::Image, "link preview image")?;
            std::fs::read(file).ok()
        };
        for problem in super::previews::problems(html, &mut image) {
            self.report.error(subject, problem);
        }
    }

    /// Every `itms-services://` link on a page must lead to one of the site's manifests.
    fn install_links_on_page(&mut self, page: &Path, manifests: &HashSet<&str>) {
        self.report.checked += 1;
        let subject = page.display().to_string();
        let bytes = match std::fs::read(page) {
            Ok(bytes) => bytes,
            Err(e) => {
                self.report.error(subject, format!("cannot be read ({e})"));
                return;
            }
        };
        let text = String::from_utf8_lossy(&bytes);
        self.previews_on_page(&subject, &text);
        for (start, _) in text.match_indices("itms-services:") {
            let rest = &text[start..];
            let end = rest
                .find(|c: char| matches!(c, '"' | '\'' | '<' | '>') || c.is_whitespace())
                .unwrap_or(rest.len());
            // Pages write `&` as `&amp;` inside attributes; the browser hands iOS the plain form.
            let link = rest[..end].replace("&amp;", "&");
            match urls::manifest_of_install_url(&link) {
                Some(manifest) if manifests.contains(manifest.as_str()) => {}
                Some(manifest) => self.report.error(
                    &subject,
                    format!("has an install link to {manifest}, which is not one of the site's manifests"),
                ),
                None => self
                    .report
                    .error(&subject, format!("has an install link iOS cannot follow: {link}")),
            }
        }
    }
}

/// An archive's size and SHA-256 (streamed) against the catalog.
fn check_ipa(file: &Path, build: &Build) -> Report {
    let mut report = Report {
        checked: 1,
        ..Report::default()
    };
    let subject = file.display().to_string();
    let rebuild = "the archive changed after the site was built; run `otasite build` again";
    match std::fs::metadata(file) {
        Err(e) => report.error(subject, format!("cannot be read ({e})")),
        Ok(meta) if meta.len() != build.size => report.error(
            subject,
            format!(
                "is {} bytes, but catalog.json says {}: {rebuild}",
                meta.len(),
                build.size
            ),
        ),
        Ok(_) if build.sha256.is_empty() => report.note(
            subject,
            "catalog.json has no SHA-256 for it; only its size was checked",
        ),
        Ok(_) => match crate::hash::sha256_file(file) {
            Err(e) => report.error(subject, format!("cannot be read ({e})")),
            Ok(actual) if !actual.eq_ignore_ascii_case(&build.sha256) => report.error(
                subject,
                format!(
                    "has SHA-256 {actual}, but catalog.json says {}: {rebuild}",
                    build.sha256
                ),
            ),
            Ok(_) => {}
        },
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::SiteInfo;

    /// Whether `check` warns about GitHub Pages' size limit for the site in `dir`.
    fn check_warns(dir: &Path) -> bool {
        let catalog = Catalog {
            site: SiteInfo {
                title: "Test".into(),
                base_url: "https://builds.example.org/".into(),
                generator: "otasite test".into(),
            },
            apps: Vec::new(),
        };
        let report = check(&Site {
            dir,
            catalog: &catalog,
            ipa_base: IpaBase::Unknown,
            now: OffsetDateTime::UNIX_EPOCH,
            allow_empty: true,
        });
        report
            .findings
            .iter()
            .any(|f| f.message.contains("GitHub Pages"))
    }

    /// `build` (through [`hosting::size_warnings`]) and `check` judge a site by one limit: a
    /// site of 1.05 GB is over it for both, one of 0.95 GB for neither.
    #[test]
    fn check_and_build_agree_on_github_pages_limit() {
        for (bytes, over) in [(950_000_000, false), (1_050_000_000, true)] {
            let dir = tempfile::tempdir().unwrap();
            // Sparse: large on paper, nothing on disk.
            let file = std::fs::File::create(dir.path().join("App.ipa")).unwrap();
            file.set_len(bytes).unwrap();
            let build_warns = !hosting::size_warnings(dir.path()).is_empty();
            assert_eq!(build_warns, over, "build, {bytes} bytes");
            assert_eq!(check_warns(dir.path()), over, "check, {bytes} bytes");
        }
    }
}
