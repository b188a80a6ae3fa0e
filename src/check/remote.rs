//! `otasite check --remote URL`: the deployed site, fetched over HTTPS as iOS will fetch it.
//!
//! `catalog.json` first, then every manifest, then every icon and a HEAD of every `.ipa`, a
//! bounded number of requests at a time. When the local build is at hand, each manifest is
//! compared with it byte for byte.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use super::report::Report;
use super::site::{self, Manifest};
use crate::catalog::Catalog;
use crate::hosting;
use crate::http::{BODY_LIMIT, CATALOG_LIMIT, Client, Method, Response, bounded_map};
use crate::layout::{self, DISPLAY_IMAGE, FULL_SIZE_IMAGE};

/// Types iOS accepts for a manifest: the one otasite serves it as, and others.
const PLIST_TYPES: &[&str] = &[hosting::PLIST, "application/xml", "application/x-plist"];
/// Types that hand iOS the archive's bytes untouched: the one otasite serves it as, and others.
const IPA_TYPES: &[&str] = &[
    hosting::IPA,
    "application/zip",
    "application/x-zip",
    "application/x-zip-compressed",
    "application/x-itunes-ipa",
];
/// Redirects followed (with a warning) for anything but a manifest.
const MAX_HOPS: usize = 5;

/// The local build the deployed site is compared with.
pub struct Local {
    pub dir: PathBuf,
    pub catalog: Catalog,
    pub catalog_bytes: Vec<u8>,
}

/// The deployed site to check.
pub struct Remote<'a> {
    /// The site's https URL, ending with `/`.
    pub url: &'a str,
    pub local: Option<&'a Local>,
    pub client: &'a Client,
    /// Most requests in flight at once.
    pub concurrency: usize,
    /// A site without any app is acceptable.
    pub allow_empty: bool,
}

/// What phase two fetches: icons in full, archives by HEAD.
enum Target {
    Icon { url: String, size: u32 },
    Ipa { url: String, size: Option<u64> },
}

pub fn check(remote: &Remote<'_>) -> Report {
    let mut report = Report::default();
    let catalog_url = layout::url_in(remote.url, layout::CATALOG);
    report.checked += 1;
    let Some(response) = fetch(
        remote.client,
        Method::Get,
        &catalog_url,
        false,
        CATALOG_LIMIT,
        &mut report,
    ) else {
        return report;
    };
    let catalog = match site::parse_catalog(&response.body) {
        Ok(catalog) => catalog,
        Err(problem) => {
            report.error(&catalog_url, problem);
            return report;
        }
    };
    site::site_findings(&catalog, &catalog_url, remote.allow_empty, &mut report);
    compare_catalogs(remote, &catalog_url, &response.body, &catalog, &mut report);

    let mut refused = refuse_http(&catalog, &mut report);
    let manifest_urls = manifest_urls(&catalog);
    let manifests = bounded_map(&manifest_urls, remote.concurrency, |url| {
        check_manifest(remote, url)
    });

    // URLs the manifests name but that are not https, reported after the manifests themselves.
    let mut refusals = Report::default();
    let targets = phase_two_targets(
        &catalog,
        &manifest_urls,
        &manifests,
        &mut refused,
        &mut refusals,
    );
    stable_findings(&catalog, &manifest_urls, &manifests, &mut report);
    for (manifest_report, _) in manifests {
        report.merge(manifest_report);
    }
    report.merge(refusals);
    let results = bounded_map(&targets, remote.concurrency, |target| match target {
        Target::Icon { url, size } => check_icon(remote.client, url, *size),
        Target::Ipa { url, size } => check_ipa(remote.client, url, *size),
    });
    for result in results {
        report.merge(result);
    }
    check_enrollment_profile(remote, &mut report);
    report
}

/// The device registration profile, when the local build has one: Safari offers to install it
/// only when it is served as [`hosting::MOBILECONFIG`]; anything else shows as text.
fn check_enrollment_profile(remote: &Remote<'_>, report: &mut Report) {
    use crate::devices::enroll::{FOLDER, PROFILE};
    let relative = format!("{FOLDER}/{PROFILE}");
    if !remote
        .local
        .is_some_and(|local| local.dir.join(&relative).is_file())
    {
        return;
    }
    let url = crate::urls::join(remote.url, &[FOLDER, PROFILE]);
    report.checked += 1;
    let Some(response) = fetch(remote.client, Method::Get, &url, false, BODY_LIMIT, report) else {
        return;
    };
    super::devices::profile(report, &url, &response.body);
    match response.media_type() {
        Some(media) if media == hosting::MOBILECONFIG => {}
        media => report.error(
            &url,
            format!(
                "is served as {}: Safari installs a profile only when it is served as {}",
                media.as_deref().unwrap_or("no Content-Type"),
                hosting::MOBILECONFIG
            ),
        ),
    }
}

/// Reports every http URL of the catalog (none of them is fetched); returns them.
fn refuse_http(catalog: &Catalog, report: &mut Report) -> HashSet<String> {
    let mut refused = HashSet::new();
    for (label, url) in site::catalog_urls(catalog) {
        if !site::is_https(url) && refused.insert(url.to_string()) {
            report.error(
                url,
                format!("is not https ({label}): iOS installs only over HTTPS"),
            );
        }
    }
    refused
}

/// Each deployed stable manifest (an app's, a channel's) must install the newest installable
/// build of its app's default channel or of its channel, as the deployed catalog lists them.
fn stable_findings(
    catalog: &Catalog,
    manifest_urls: &[&str],
    manifests: &[(Report, Option<Manifest>)],
    report: &mut Report,
) {
    let mut expected: HashMap<&str, (String, &str)> = HashMap::new();
    for app in &catalog.apps {
        if let Some(url) = &app.manifest_url {
            expected.insert(url, (app.bundle_id.clone(), &app.latest().ipa_url));
        }
        for channel in &app.channels {
            let newest = app.latest_in(Some(&channel.name));
            if let (Some(url), Some(newest)) = (&channel.manifest_url, newest) {
                let of = format!("{}'s channel {}", app.bundle_id, channel.name);
                expected.insert(url, (of, &newest.ipa_url));
            }
        }
    }
    for (url, (_, manifest)) in manifest_urls.iter().zip(manifests) {
        let (Some((of, ipa_url)), Some(manifest)) = (expected.get(url), manifest) else {
            continue;
        };
        match &manifest.software_package {
            Some(package) if package != ipa_url => report.error(
                *url,
                format!(
                    "installs {package}, but the newest installable build of {of} is {ipa_url}"
                ),
            ),
            _ => {}
        }
    }
}

/// Every https manifest URL of the catalog, once, in catalog order.
fn manifest_urls(catalog: &Catalog) -> Vec<&str> {
    let mut urls: Vec<&str> = Vec::new();
    for app in &catalog.apps {
        let app_urls = app
            .manifest_url
            .iter()
            .chain(app.channels.iter().filter_map(|c| c.manifest_url.as_ref()))
            .chain(app.builds.iter().map(|b| &b.manifest_url));
        for url in app_urls {
            if site::is_https(url) && !urls.contains(&url.as_str()) {
                urls.push(url);
            }
        }
    }
    urls
}

/// The deployed catalog against the local one, and against the URL it was fetched from.
fn compare_catalogs(
    remote: &Remote<'_>,
    catalog_url: &str,
    bytes: &[u8],
    catalog: &Catalog,
    report: &mut Report,
) {
    if let Some(local) = remote.local {
        if local.catalog_bytes != bytes {
            let file = local.dir.join(layout::CATALOG);
            report.warning(
                catalog_url,
                format!("differs from the local {}: the deployed site is not this build (deploy it again, or check the folder that was deployed)", file.display()),
            );
        }
    }
    let same_site = match (
        url::Url::parse(&catalog.site.base_url),
        url::Url::parse(remote.url),
    ) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if !same_site {
        report.warning(
            catalog_url,
            format!(
                "says the site is served from {}, not {}: its links lead there",
                catalog.site.base_url, remote.url
            ),
        );
    }
}

/// Icons and archives named by the catalog and by the manifests, each once.
fn phase_two_targets(
    catalog: &Catalog,
    manifest_urls: &[&str],
    manifests: &[(Report, Option<Manifest>)],
    refused: &mut HashSet<String>,
    report: &mut Report,
) -> Vec<Target> {
    let sizes: HashMap<&str, u64> = catalog
        .apps
        .iter()
        .flat_map(|app| &app.builds)
        .map(|build| (build.ipa_url.as_str(), build.size))
        .collect();
    let mut seen = HashSet::new();
    let mut targets = Vec::new();
    let mut add = |url: &str, target: Target, label: String, report: &mut Report| {
        if !site::is_https(url) {
            if refused.insert(url.to_string()) {
                report.error(
                    url,
                    format!("is not https ({label}): iOS installs only over HTTPS"),
                );
            }
        } else if seen.insert((url.to_string(), matches!(target, Target::Ipa { .. }))) {
            targets.push(target);
        }
    };
    for build in catalog.apps.iter().flat_map(|app| &app.builds) {
        let label = |field: &str| {
            let who = format!("{} {}", build.bundle_id, build.display_version());
            format!("{field} of {who} in catalog.json")
        };
        let icon = Target::Icon {
            url: build.icon_url.clone(),
            size: FULL_SIZE_IMAGE.size,
        };
        add(&build.icon_url, icon, label("icon_url"), report);
        let ipa = Target::Ipa {
            url: build.ipa_url.clone(),
            size: Some(build.size),
        };
        add(&build.ipa_url, ipa, label("ipa_url"), report);
    }
    for (manifest_url, (_, manifest)) in manifest_urls.iter().zip(manifests) {
        let Some(manifest) = manifest else { continue };
        let label = |kind: &str| format!("{kind} of {manifest_url}");
        if let Some(url) = &manifest.display_image {
            let icon = Target::Icon {
                url: url.clone(),
                size: DISPLAY_IMAGE.size,
            };
            add(url, icon, label("display-image"), report);
        }
        if let Some(url) = &manifest.full_size_image {
            let icon = Target::Icon {
                url: url.clone(),
                size: FULL_SIZE_IMAGE.size,
            };
            add(url, icon, label("full-size-image"), report);
        }
        if let Some(url) = &manifest.software_package {
            let ipa = Target::Ipa {
                url: url.clone(),
                size: sizes.get(url.as_str()).copied(),
            };
            add(url, ipa, label("software-package"), report);
        }
    }
    targets
}

fn check_manifest(remote: &Remote<'_>, url: &str) -> (Report, Option<Manifest>) {
    let mut report = Report {
        checked: 1,
        ..Report::default()
    };
    let Some(response) = fetch(
        remote.client,
        Method::Get,
        url,
        true,
        BODY_LIMIT,
        &mut report,
    ) else {
        return (report, None);
    };
    let served = Served {
        accepted: PLIST_TYPES,
        what: "the manifest",
        advice: format!(
            "serve .plist files as {} or application/xml",
            hosting::PLIST
        ),
        refused: None,
    };
    served.judge(url, response.media_type(), &mut report);
    let (manifest, problems) = site::parse_manifest(&response.body);
    for problem in problems {
        report.error(url, format!("the manifest {problem}"));
    }
    if let Some(local) = remote.local {
        compare_with_local(local, url, &response.body, &mut report);
    }
    (report, manifest)
}

/// A deployed manifest must be the local build's, byte for byte.
fn compare_with_local(local: &Local, url: &str, body: &[u8], report: &mut Report) {
    let Some(relative) = site::path_under(&local.catalog.site.base_url, url) else {
        let base = &local.catalog.site.base_url;
        report.note(
            url,
            format!("not compared with the local build, whose base_url is {base}"),
        );
        return;
    };
    let file = local.dir.join(relative);
    match std::fs::read(&file) {
        Err(_) => report.warning(
            url,
            format!(
                "has no counterpart in the local build ({} is missing)",
                file.display()
            ),
        ),
        Ok(bytes) if bytes != body => report.error(
            url,
            format!(
                "differs from the local build's {}: deploy the site again",
                file.display()
            ),
        ),
        Ok(_) => {}
    }
}

fn check_icon(client: &Client, url: &str, size: u32) -> Report {
    let mut report = Report {
        checked: 1,
        ..Report::default()
    };
    let Some(response) = fetch(client, Method::Get, url, false, BODY_LIMIT, &mut report) else {
        return report;
    };
    match response.media_type() {
        Some(media) if media == hosting::PNG => {}
        Some(media) => report.warning(url, format!("is served as {media}, not {}", hosting::PNG)),
        None => report.warning(
            url,
            format!("is served without a Content-Type, not as {}", hosting::PNG),
        ),
    }
    if let Some(problem) = site::icon_problem(&response.body, size) {
        report.error(url, problem);
    }
    report
}

fn check_ipa(client: &Client, url: &str, size: Option<u64>) -> Report {
    let mut report = Report {
        checked: 1,
        ..Report::default()
    };
    let Some(response) = fetch(client, Method::Head, url, false, BODY_LIMIT, &mut report) else {
        return report;
    };
    let apk = url
        .split(['?', '#'])
        .next()
        .is_some_and(|path| path.to_ascii_lowercase().ends_with(".apk"));
    let served = match apk {
        // Android's browsers hand only this type to the package installer.
        true => Served {
            accepted: &[crate::android::APK_CONTENT_TYPE],
            what: "the Android package",
            advice: format!("serve .apk files as {}", crate::android::APK_CONTENT_TYPE),
            refused: Some("which Android's browsers do not hand to the package installer"),
        },
        false => Served {
            accepted: IPA_TYPES,
            what: "the archive",
            advice: format!("serve .ipa files as {}", hosting::IPA),
            refused: None,
        },
    };
    served.judge(url, response.media_type(), &mut report);
    match (response.content_length, size) {
        (Some(length), Some(size)) if length != size => report.error(
            url,
            format!("has a Content-Length of {length} bytes, but catalog.json says {size}: the deployed archive is not the one built"),
        ),
        (None, _) => report.warning(url, "is served without a Content-Length, so its size cannot be compared with catalog.json"),
        _ => {}
    }
    report
}

/// The types a file iOS fetches may be served as.
struct Served {
    accepted: &'static [&'static str],
    /// What iOS expects, for the message: `the manifest`.
    what: &'static str,
    /// How to serve it instead.
    advice: String,
    /// Why any other type stops the install, when it does (else only a web page does).
    refused: Option<&'static str>,
}

impl Served {
    /// Reports a type the device may not accept: a web page is an error (the host answered
    /// with a page instead of the file), and so is any other type when it stops the install;
    /// else an unexpected type is a warning.
    fn judge(&self, url: &str, media: Option<String>, report: &mut Report) {
        let Served { what, advice, .. } = self;
        match media {
            Some(media) if self.accepted.contains(&media.as_str()) => {}
            Some(media) if self.refused.is_some() => report.error(
                url,
                format!(
                    "is served as {media}, {}; {advice}",
                    self.refused.unwrap_or_default()
                ),
            ),
            None if self.refused.is_some() => report.error(
                url,
                format!(
                    "is served without a Content-Type, {}; {advice}",
                    self.refused.unwrap_or_default()
                ),
            ),
            Some(media) if media == "text/html" => report.error(
                url,
                format!("is served as text/html, a web page rather than {what}; {advice}"),
            ),
            Some(media) => report.warning(url, format!("is served as {media}; {advice}")),
            None => report.warning(url, format!("is served without a Content-Type; {advice}")),
        }
    }
}

/// Fetches `url` and reports anything but a direct 200. A redirect on a manifest is an error
/// and not followed (iOS installs have failed on them); elsewhere it is a warning and followed.
fn fetch(
    client: &Client,
    method: Method,
    url: &str,
    manifest: bool,
    limit: u64,
    report: &mut Report,
) -> Option<Response> {
    let mut current = url.to_string();
    for _ in 0..=MAX_HOPS {
        let response = match client.fetch_limited(method, &current, limit) {
            Ok(response) => response,
            Err(problem) if current == url => return report_none(report, url, problem),
            Err(problem) => {
                return report_none(
                    report,
                    url,
                    format!("after a redirect to {current}: {problem}"),
                );
            }
        };
        if !(300..400).contains(&response.status) {
            if response.status != 200 {
                let message = format!("answers HTTP {} instead of 200 OK", response.status_text());
                return report_none(report, url, message);
            }
            return Some(response);
        }
        let status = response.status_text();
        let Some(target) = response
            .location
            .as_deref()
            .and_then(|location| url::Url::parse(&current).ok()?.join(location).ok())
        else {
            return report_none(
                report,
                url,
                format!("answers {status} without a usable Location header"),
            );
        };
        if manifest {
            let message = format!(
                "redirects ({status}) to {target}: iOS does not reliably follow redirects when it fetches a manifest; serve it at this URL"
            );
            return report_none(report, url, message);
        }
        if target.scheme() != "https" {
            return report_none(
                report,
                url,
                format!("redirects ({status}) to {target}, which is not https"),
            );
        }
        report.warning(
            url,
            format!("redirects ({status}) to {target}; link to the final URL to spare iOS the extra request"),
        );
        current = target.to_string();
    }
    report_none(report, url, format!("redirects more than {MAX_HOPS} times"))
}

fn report_none(report: &mut Report, url: &str, message: String) -> Option<Response> {
    report.error(url, message);
    None
}
