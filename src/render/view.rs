//! The theme contract: what each template receives, one struct per template.
//!
//! Every field is documented here, and `docs/theme.md` lists the same variables (a test
//! regenerates its tables from these structs and fails when the two differ). Templates see
//! the fields of [`Common`] plus those of their page struct, as top-level variables.

#![deny(missing_docs)]

use std::collections::BTreeMap;

use serde::Serialize;

use crate::catalog::{App, Build, Catalog};
use crate::facts::DeviceFamily;

/// Variables every template receives (pages and `feed.xml`).
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Common<'a> {
    /// The site as a whole.
    pub site: &'a SiteView<'a>,
    /// The way from this page up to the site's root folder: `""` on the index, `"../"` on an
    /// app page, `"../../"` on a build page. Prefix every link to another file of the site
    /// with it, so that the site works from any folder and from disk.
    pub root: &'a str,
    /// A note to show on every page (the local preview says that it is one), or null.
    pub banner: Option<&'a str>,
    /// The theme's `data/browsers.json`, compact, for
    /// `<script type="application/json" id="otasite-browsers">{{ browsers_json | safe }}</script>`
    /// (every `<` is escaped, so it cannot end the element).
    pub browsers_json: &'a str,
    /// The Content-Security-Policy of the pages, for
    /// `<meta http-equiv="Content-Security-Policy" content="{{ csp }}">`: the built-in policy
    /// with the sources the theme's `data/csp.json` adds.
    pub csp: &'a str,
    /// The theme's static files by their path under `static/` (e.g. `style.css`), each mapped
    /// to its fingerprinted path from the site root (e.g. `static/style.0123abcd.css`): link
    /// them as `{{ root }}{{ assets["style.css"] }}` so that hosts may cache them for a year.
    pub assets: &'a BTreeMap<String, String>,
    /// An inline SVG QR code of this page's address (`{{ qr_svg | safe }}`), on app and build
    /// pages; null elsewhere. The SVG is hidden from assistive technology: give the element
    /// around it `role="img"` and an `aria-label` from the catalogs (`qr.label`).
    pub qr_svg: Option<&'a str>,
    /// The page's language and the languages it can switch to (see `i18n/` in the theme).
    pub i18n: &'a I18nView,
    /// The link preview of the page (Open Graph and Twitter card tags), or null (`feed.xml`).
    pub preview: Option<&'a PreviewView>,
}

/// The languages of the pages (`i18n.*`).
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct I18nView {
    /// The language pages are rendered in (`language` in `site.yaml`), for `<html lang>`.
    pub language: String,
    /// Its writing direction, `ltr` or `rtl`, for `<html dir>`.
    pub dir: String,
    /// The path from the site root of the script holding the offered languages' catalogs
    /// (`static/i18n-catalogs.0123abcd.js`); load it, then `static/i18n.js`, in `<head>`.
    pub script: String,
    /// The languages the site offers, for the language picker.
    pub languages: Vec<LanguageView>,
}

/// A language the site offers (`i18n.languages[]`).
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct LanguageView {
    /// Its code, e.g. `ja` or `zh-Hans`.
    pub code: String,
    /// Its name in itself, e.g. `日本語`.
    pub name: String,
}

/// A page's link preview (`preview.*`): what chat apps show for a pasted link.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct PreviewView {
    /// The title: `Name version (build)` for app and build pages, the site's title elsewhere.
    pub title: String,
    /// One line: channel, minimum iOS and release date, in the site's language.
    pub description: String,
    /// The page's canonical full address.
    pub url: String,
    /// The language as Open Graph writes it, e.g. `pt_BR`.
    pub locale: String,
    /// The full address of the preview image (the app's 512×512 icon), or null.
    pub image: Option<String>,
    /// The image's width in pixels.
    pub image_width: u32,
    /// The image's height in pixels.
    pub image_height: u32,
    /// The image's text alternative.
    pub image_alt: String,
}

/// The site (`site.*`).
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct SiteView<'a> {
    /// The site's title (`title` in `site.yaml`).
    pub title: &'a str,
    /// The address the site is published at, ending in `/`.
    pub base_url: &'a str,
    /// `otasite` and its version, e.g. `otasite 0.1.0`.
    pub generator: &'a str,
    /// The language pages are rendered in (`language` in `site.yaml`).
    pub language: &'a str,
    /// The languages the pages offer (`languages` in `site.yaml`).
    pub languages: &'a [String],
}

impl<'a> SiteView<'a> {
    /// The site facts of the catalog and the languages of its pages.
    pub fn new(catalog: &'a Catalog, language: &'a str, languages: &'a [String]) -> Self {
        SiteView {
            title: &catalog.site.title,
            base_url: &catalog.site.base_url,
            generator: &catalog.site.generator,
            language,
            languages,
        }
    }
}

/// `index.html`: the list of apps.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct IndexPage<'a> {
    /// Every app, the most recently released first.
    pub apps: Vec<AppView<'a>>,
}

/// `app.html`: an app's page, installing its newest build.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct AppPage<'a> {
    /// The app.
    pub app: AppView<'a>,
    /// The build the main Install button installs: the newest installable build of the
    /// default channel (else its newest build).
    pub build: BuildView<'a>,
    /// All its builds, newest first.
    pub builds: Vec<BuildView<'a>>,
    /// The channel the main Install button follows, or null for the builds at the top of the
    /// builds folder.
    pub default_channel: Option<&'a str>,
    /// Every named channel, the default first: one section each, with the id `anchor`.
    pub channels: Vec<ChannelView<'a>>,
    /// The iOS build the iOS section offers (the newest installable of the default channel,
    /// else the newest iOS build), or null for an Android-only app.
    pub ios_build: Option<BuildView<'a>>,
    /// The Android build the Android section offers, chosen the same way, or null for an
    /// iOS-only app.
    pub android_build: Option<BuildView<'a>>,
}

/// A channel on its app's page (`channels[]`): a stable link that always installs the
/// channel's newest installable build.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct ChannelView<'a> {
    /// The channel's name, e.g. `beta`.
    pub name: &'a str,
    /// The id of the channel's section on the app page, e.g. `channel-beta`.
    pub anchor: String,
    /// The full address of the channel's section (the app page with `#anchor`).
    pub page_url: &'a str,
    /// The full address of the channel's stable manifest, or null when no build of the
    /// channel can be installed.
    pub manifest_url: Option<&'a str>,
    /// The `itms-services:` link of that manifest, or null.
    pub install_url: Option<&'a str>,
    /// Whether this is the app's default channel.
    pub is_default: bool,
    /// The channel's newest installable build (the one its links install), or null.
    pub latest: Option<BuildView<'a>>,
    /// The channel's builds, newest first.
    pub builds: Vec<BuildView<'a>>,
    /// An inline SVG QR code of `page_url` (`{{ c.qr_svg | safe }}`), labelled as `qr_svg`.
    pub qr_svg: String,
}

impl<'a> ChannelView<'a> {
    /// The channels of `app`, in catalog order.
    pub fn all(app: &'a App) -> Vec<Self> {
        app.channels
            .iter()
            .map(|channel| ChannelView {
                name: &channel.name,
                anchor: crate::layout::channel_anchor(&channel.name),
                page_url: &channel.page_url,
                manifest_url: channel.manifest_url.as_deref(),
                install_url: channel.install_url.as_deref(),
                is_default: app.default_channel.as_deref() == Some(channel.name.as_str()),
                latest: app.latest_in(Some(&channel.name)).map(BuildView::new),
                builds: app
                    .builds_in(Some(&channel.name))
                    .map(BuildView::new)
                    .collect(),
                qr_svg: super::qr::svg(&channel.page_url),
            })
            .collect()
    }
}

/// `build.html`: one build's page. Partials tell it from the app page by `is_latest is
/// defined`.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct BuildPage<'a> {
    /// What the page knows of the build's app: only what does not change when another build
    /// is added, so that adding one leaves the other builds' pages as they were.
    pub app: AppIdentity<'a>,
    /// The build.
    pub build: BuildView<'a>,
    /// Whether this is the build the app page's main Install button installs.
    pub is_latest: bool,
    /// A newer installable build of one of this build's channels (its folder's first), or
    /// null when there is none.
    pub newer: Option<NewerView<'a>>,
}

/// A newer build of the same channel exists, on a build page (`newer.*`). It names where the
/// channel's newest build is offered, not which build that is, so that further builds leave
/// older build pages as they are.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct NewerView<'a> {
    /// The channel both builds are in, or null for the top of the builds folder.
    pub channel: Option<&'a str>,
    /// The id of the app page's section that offers the channel's newest build: link it as
    /// `{{ root }}{{ app.dir }}/index.html#{{ newer.anchor }}`.
    pub anchor: String,
}

impl<'a> NewerView<'a> {
    /// When a channel of `build` holds a newer installable build: that channel.
    pub fn of(app: &'a App, build: &'a Build) -> Option<Self> {
        let (channel, _) = app.newer_than(build)?;
        let anchor = match channel {
            Some(name) => crate::layout::channel_anchor(name),
            None if app.default_channel.is_none() => "latest-heading".to_string(),
            None => "history-heading".to_string(),
        };
        Some(NewerView { channel, anchor })
    }
}

/// `feed.xml`: an Atom feed of the newest builds (at most 100).
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct FeedPage<'a> {
    /// The newest release time of all builds (RFC 3339), or the Unix epoch without any.
    pub updated: &'a str,
    /// The 100 most recently released builds of all apps, newest first (the whole history
    /// is in `catalog.json` and on the app pages).
    pub entries: Vec<FeedEntry<'a>>,
}

/// An app on a build page (`app.*` in `build.html`).
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct AppIdentity<'a> {
    /// The bundle identifier, e.g. `com.example.app`.
    pub bundle_id: &'a str,
    /// The app's name (its newest build's display name unless `site.yaml` names it).
    pub name: &'a str,
    /// The description from `site.yaml`, or null.
    pub description: Option<&'a str>,
    /// The app's folder inside the site, without a slash: link its page as
    /// `{{ root }}{{ app.dir }}/index.html`.
    pub dir: String,
    /// The app page's full address.
    pub page_url: &'a str,
}

/// An app on the index and on its own page (`app.*`, `apps[]`).
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct AppView<'a> {
    /// The bundle identifier, e.g. `com.example.app`.
    pub bundle_id: &'a str,
    /// The app's name (its newest build's display name unless `site.yaml` names it).
    pub name: &'a str,
    /// The description from `site.yaml`, or null.
    pub description: Option<&'a str>,
    /// The app's folder inside the site, without a slash: link its page as
    /// `{{ root }}{{ app.dir }}/index.html`.
    pub dir: String,
    /// The app page's full address.
    pub page_url: &'a str,
    /// The `itms-services:` link that installs the newest installable build, or null when no
    /// build can be installed.
    pub install_url: Option<&'a str>,
    /// How many builds the app has.
    pub build_count: usize,
    /// Its newest build.
    pub latest: BuildView<'a>,
    // What the index needs to mark an app iOS cannot install.
    /// Why iOS cannot install the newest build (its blocking problems, one English sentence
    /// each, joined by spaces), for a badge on the index; null when it installs.
    pub not_installable_reason: Option<String>,
    /// The same reasons for the catalogs, each shown with `partials/problem.html`; empty when
    /// the newest build installs.
    pub not_installable_items: Vec<ProblemItem<'a>>,
    /// The systems the app has builds for (`ios`, `android`), iOS first.
    pub platforms: &'a [crate::android::Os],
}

impl<'a> AppIdentity<'a> {
    /// The identity of `app`.
    pub fn new(app: &'a App) -> Self {
        AppIdentity {
            bundle_id: &app.bundle_id,
            name: &app.name,
            description: app.description.as_deref(),
            dir: app.dir().to_string(),
            page_url: &app.page_url,
        }
    }
}

impl<'a> AppView<'a> {
    /// `app` with its newest build.
    pub fn new(app: &'a App) -> Self {
        let AppIdentity {
            bundle_id,
            name,
            description,
            dir,
            page_url,
        } = AppIdentity::new(app);
        AppView {
            bundle_id,
            name,
            description,
            dir,
            page_url,
            install_url: app.install_url.as_deref(),
            build_count: app.build_count(),
            latest: BuildView::new(app.latest()),
            not_installable_reason: not_installable_reason(app.latest()),
            not_installable_items: not_installable_items(app.latest()),
            platforms: &app.platforms,
        }
    }
}

/// A build (`build.*`, `builds[]`, `app.latest.*`): the facts of `catalog.json` plus labels
/// made for people.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct BuildView<'a> {
    /// The bundle identifier, e.g. `com.example.app`.
    pub bundle_id: &'a str,
    /// `CFBundleShortVersionString`, e.g. `1.2`, or null.
    pub version: Option<&'a str>,
    /// `CFBundleVersion`, e.g. `45`, or null.
    pub build: Option<&'a str>,
    /// The channel: the subfolder of the builds folder the archive is in (e.g. `beta`), or null.
    pub channel: Option<&'a str>,
    /// Every named channel of the build: its folder's first, then those `site.yaml`
    /// promotes it to.
    pub channels: &'a [String],
    /// The build page's full address.
    pub page_url: &'a str,
    /// The full address of the build's `manifest.plist`.
    pub manifest_url: &'a str,
    /// The full address of the `.ipa` file.
    pub ipa_url: &'a str,
    /// The `itms-services:` link that installs this build.
    pub install_url: &'a str,
    /// The full address of the build's 512×512 icon.
    pub icon_url: &'a str,
    /// The archive's size in bytes.
    pub size: u64,
    /// The archive's SHA-256, in hexadecimal.
    pub sha256: &'a str,
    /// The minimum iOS version (`MinimumOSVersion`), e.g. `15.0`, or null.
    pub min_os: Option<&'a str>,
    /// The device families: `iphone`, `ipad`, `tv`, `watch`, `vision`, `mac`.
    pub device_family: &'a [String],
    /// Whether iOS can install the build over the air.
    pub installable: bool,
    /// Every problem found in the archive: `warnings` and `blocking` together.
    pub problems: &'a [String],
    /// The provisioning profile, or null for an unsigned build.
    pub profile: Option<ProfileView<'a>>,
    /// When the build was made (RFC 3339, from the archive), or null.
    pub released: Option<&'a str>,
    /// The app's name as this build shows it.
    pub name: &'a str,
    /// The build's folder inside the site, ending in `/`, e.g. `com.example.app/1.2-45/`:
    /// link its page as `{{ root }}{{ build.path }}index.html`.
    pub path: &'a str,
    /// The archive's path under the builds folder.
    pub file: &'a str,
    /// `CFBundleSupportedPlatforms`' first entry, e.g. `iPhoneOS`, or null.
    pub platform: Option<&'a str>,
    /// The names of the app extensions the archive contains.
    pub extensions: &'a [String],
    /// The release notes as sanitised HTML (`{{ build.notes_html | safe }}`), or null.
    pub notes_html: Option<&'a str>,
    /// Which entry of the archive the icon came from; null when a placeholder is used.
    pub icon_source: Option<&'a str>,
    /// The problems that keep iOS from installing the build.
    pub blocking: &'a [String],
    /// `blocking` for the catalogs: show each with
    /// `t(key=p.key, args=p.params, fallback=p.message)` (`partials/problem.html`).
    pub blocking_items: Vec<ProblemItem<'a>>,
    /// `warnings` for the catalogs, as `blocking_items`.
    pub warning_items: Vec<ProblemItem<'a>>,
    /// The version for people: `1.2 (45)`, `1.2` when both numbers agree, or `—` when the
    /// build declares neither (the same in every language).
    pub display_version: String,
    /// The size for people, in decimal units as iOS shows them: `2.9 MB`.
    pub size_label: String,
    /// The day of `released` (`2026-01-31`), or null.
    pub released_date: Option<String>,
    /// When the profile expires (RFC 3339), or null.
    pub expires: Option<String>,
    /// The day of `expires`, or null.
    pub expires_date: Option<String>,
    /// When the signing certificate embedded in the profile expires (RFC 3339), or null.
    pub certificate_expires: Option<String>,
    /// The day of `certificate_expires`, or null.
    pub certificate_expires_date: Option<String>,
    /// When the certificate that signed the app (its executable's code signature) expires
    /// (RFC 3339), or null.
    pub app_certificate_expires: Option<String>,
    /// The day of `app_certificate_expires`, or null.
    pub app_certificate_expires_date: Option<String>,
    /// The common name of the certificate that signed the app, e.g.
    /// `Apple Distribution: Example (ABCDE12345)`, or null.
    pub app_certificate_signer: Option<&'a str>,
    /// When the build stops launching: the earliest of `expires`, `certificate_expires` and
    /// `app_certificate_expires` (RFC 3339), or null.
    pub stops_launching: Option<String>,
    /// The day of `stops_launching`, or null.
    pub stops_launching_date: Option<String>,
    /// What expires first: `provisioning profile`, `signing certificate` (embedded in the
    /// profile) or `code signing certificate` (the app's), or null.
    pub stops_launching_because: Option<&'static str>,
    /// The distribution: `development`, `ad-hoc`, `enterprise`, `app-store` or `unsigned`.
    pub kind: &'static str,
    /// The distribution for people, e.g. `Enterprise (in-house)`.
    pub kind_label: &'static str,
    /// The device families for people, e.g. `iPhone, iPad`.
    pub device_label: String,
    /// The problems that do not keep the build from installing.
    pub warnings: Vec<&'a str>,
    /// The archive's file name, e.g. `MyApp.ipa`.
    pub file_name: &'a str,
    /// What changed since the previous build of the build's channel, or null for the
    /// channel's first build.
    pub changes: Option<ChangesView<'a>>,
    /// `ios` or `android`.
    pub os: crate::android::Os,
    /// An Android build's own facts (`min_sdk`, `target_sdk`, `version_code`, `labels`,
    /// `abis`, `debuggable`, `test_only`, `signing`, `min_android`), or null for iOS.
    pub android: Option<&'a crate::android::AndroidFacts>,
}

/// A problem in the catalogs' words (`build.blocking_items[]`, `build.warning_items[]`).
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct ProblemItem<'a> {
    /// The English sentence, shown as it is when the theme has no text for `key`.
    pub message: &'a str,
    /// `problem.<code>`; empty for a sentence without a code.
    pub key: String,
    /// The texts the key's `{params}` take.
    pub params: Option<&'a std::collections::BTreeMap<String, String>>,
}

impl<'a> ProblemItem<'a> {
    /// The item of `message`, with the code and parameters the build's catalog entry gives it.
    fn of(build: &'a Build, message: &'a str) -> Self {
        let detail = build
            .problem_details
            .iter()
            .find(|d| d.message == message && !d.code.is_empty());
        ProblemItem {
            message,
            key: detail.map_or_else(String::new, |d| format!("problem.{}", d.code)),
            params: detail.map(|d| &d.params),
        }
    }
}

/// What changed since the previous build of the same channel (`build.changes.*`).
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct ChangesView<'a> {
    /// The previous build's version for people, e.g. `1.2 (44)`.
    pub since: String,
    /// The previous build's folder inside the site: link its page as
    /// `{{ root }}{{ build.changes.since_path }}index.html`.
    pub since_path: &'a str,
    /// One sentence per changed fact, the version first, e.g. `Minimum iOS: 15.0 → 16.0`.
    pub lines: Vec<String>,
    /// The same lines for the catalogs: each `message` (the English sentence of `lines`)
    /// and its `parts`, `{key, params}` to show with `t(key=part.key, args=part.params)`
    /// joined with "; " (as `build.html` does).
    pub items: Vec<ChangeItem>,
}

/// One changed fact in the catalogs' words (`build.changes.items[]`).
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct ChangeItem {
    /// The English sentence, as in `lines`.
    pub message: String,
    /// `{key, params}` pieces: `t(key=part.key, args=part.params, fallback=item.message)`.
    pub parts: Vec<crate::diff::Wording>,
}

impl ChangeItem {
    /// The items of `changes`, one per changed fact.
    pub fn all(changes: &crate::diff::Changes) -> Vec<ChangeItem> {
        changes
            .facts
            .iter()
            .map(|change| ChangeItem {
                message: change.describe(),
                parts: change.wording(),
            })
            .collect()
    }
}

impl<'a> ChangesView<'a> {
    fn new(changes: &'a crate::diff::Changes) -> Self {
        let since = &changes.since;
        ChangesView {
            since: shown_version(since.version.as_deref(), since.build.as_deref()),
            since_path: &changes.since.path,
            lines: changes.lines(),
            items: ChangeItem::all(changes),
        }
    }
}

/// A provisioning profile (`build.profile.*`).
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct ProfileView<'a> {
    /// The distribution: `development`, `ad-hoc`, `enterprise` or `app-store`.
    pub kind: &'static str,
    /// The profile's name, or null.
    pub name: Option<&'a str>,
    /// The team's name, or null.
    pub team_name: Option<&'a str>,
    /// The team's identifier, e.g. `ABCDE12345`, or null.
    pub team_id: Option<&'a str>,
    /// When the profile expires (RFC 3339), or null.
    pub expires: Option<String>,
    /// When the signing certificate embedded in the profile expires (RFC 3339), or null.
    pub certificate_expires: Option<String>,
    /// How many devices the profile lists; null for profiles that do not list devices.
    pub devices: Option<u64>,
}

impl<'a> BuildView<'a> {
    /// `build` with the labels templates show.
    pub fn new(build: &'a Build) -> Self {
        let profile = build.profile.as_ref();
        let expires = profile.and_then(|p| p.expires).map(crate::clock::rfc3339);
        let certificate_expires = profile
            .and_then(|p| p.certificate_expires)
            .map(crate::clock::rfc3339);
        let signature = build.signature.as_ref();
        let app_certificate_expires = signature.and_then(|s| s.expires).map(crate::clock::rfc3339);
        let stops_launching = build.stops_launching();
        let stops_launching_at = stops_launching.map(|(at, _)| crate::clock::rfc3339(at));
        let (kind, kind_label) = match profile {
            Some(p) => (p.kind.as_str(), p.kind.label()),
            None => ("unsigned", "Unsigned (no provisioning profile)"),
        };
        BuildView {
            bundle_id: &build.bundle_id,
            version: build.version.as_deref(),
            build: build.build.as_deref(),
            channel: build.channel.as_deref(),
            channels: &build.channels,
            page_url: &build.page_url,
            manifest_url: &build.manifest_url,
            ipa_url: &build.ipa_url,
            install_url: &build.install_url,
            icon_url: &build.icon_url,
            size: build.size,
            sha256: &build.sha256,
            min_os: build.min_os.as_deref(),
            device_family: &build.device_family,
            installable: build.installable,
            problems: &build.problems,
            profile: profile.map(|p| ProfileView {
                kind: p.kind.as_str(),
                name: p.name.as_deref(),
                team_name: p.team_name.as_deref(),
                team_id: p.team_id.as_deref(),
                expires: expires.clone(),
                certificate_expires: certificate_expires.clone(),
                devices: p.devices,
            }),
            released: build.released.as_deref(),
            name: &build.name,
            path: &build.path,
            file: &build.file,
            platform: build.platform.as_deref(),
            extensions: &build.extensions,
            notes_html: build.notes_html.as_deref(),
            icon_source: build.icon_source.as_deref(),
            blocking: &build.blocking,
            blocking_items: build
                .blocking
                .iter()
                .map(|m| ProblemItem::of(build, m))
                .collect(),
            warning_items: build
                .problems
                .iter()
                .filter(|p| !build.blocking.contains(p))
                .map(|m| ProblemItem::of(build, m))
                .collect(),
            display_version: display_version(build),
            size_label: crate::units::decimal(build.size),
            released_date: build.released.as_deref().map(|r| day(r).to_string()),
            expires_date: expires.as_deref().map(|r| day(r).to_string()),
            expires,
            certificate_expires_date: certificate_expires.as_deref().map(|r| day(r).to_string()),
            certificate_expires,
            app_certificate_expires_date: app_certificate_expires
                .as_deref()
                .map(|r| day(r).to_string()),
            app_certificate_expires,
            app_certificate_signer: signature.and_then(|s| s.common_name()),
            stops_launching_date: stops_launching_at.as_deref().map(|r| day(r).to_string()),
            stops_launching: stops_launching_at,
            stops_launching_because: stops_launching.map(|(_, of)| of.noun()),
            kind,
            kind_label,
            device_label: device_label(&build.device_family),
            warnings: build
                .problems
                .iter()
                .filter(|p| !build.blocking.contains(p))
                .map(String::as_str)
                .collect(),
            file_name: crate::layout::archive_name(&build.file),
            changes: build.changes.as_ref().map(ChangesView::new),
            os: build.os,
            android: build.android.as_ref(),
        }
    }
}

/// One build in the feed (`entries[]`).
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct FeedEntry<'a> {
    /// The app's name as this build shows it.
    pub name: &'a str,
    /// The version for people, as `build.display_version`.
    pub display_version: String,
    /// The channel, or null.
    pub channel: Option<&'a str>,
    /// The build page's full address (also the entry's id).
    pub page_url: &'a str,
    /// When the build was made (RFC 3339), or the Unix epoch when unknown.
    pub updated: &'a str,
    /// The signing team's name, or the site's title when unknown.
    pub author: String,
    /// The release notes as sanitised HTML, or null.
    pub notes_html: Option<&'a str>,
    /// The minimum iOS version, or null.
    pub min_os: Option<&'a str>,
    /// What changed since the previous build of the channel, one English sentence per fact
    /// (empty for a channel's first build).
    pub changes: Vec<String>,
    /// The same lines for the catalogs, in the site's language with
    /// `tx(key=part.key, args=part.params, fallback=item.message)` (as `feed.xml` does).
    pub change_items: Vec<ChangeItem>,
}

/// Why iOS cannot install a build that has no blocking problem of its own.
const NOT_INSTALLABLE: &str = "iOS cannot install this build over the air.";

/// The blocking problems of a build iOS cannot install, as one text.
fn not_installable_reason(build: &Build) -> Option<String> {
    (!build.installable).then(|| match build.blocking.as_slice() {
        [] => NOT_INSTALLABLE.to_string(),
        reasons => reasons.join(" "),
    })
}

/// The blocking problems of a build iOS cannot install, for the catalogs.
fn not_installable_items(build: &Build) -> Vec<ProblemItem<'_>> {
    match (build.installable, build.blocking.as_slice()) {
        (true, _) => Vec::new(),
        (false, []) => vec![ProblemItem {
            message: NOT_INSTALLABLE,
            key: "problem.not_installable".into(),
            params: None,
        }],
        (false, reasons) => reasons.iter().map(|m| ProblemItem::of(build, m)).collect(),
    }
}

/// A build's version for people: `1.2 (45)`, `1.2`, or `—` when it declares neither number.
pub fn display_version(build: &Build) -> String {
    shown_version(build.version.as_deref(), build.build.as_deref())
}

fn shown_version(version: Option<&str>, build: Option<&str>) -> String {
    match (version, build) {
        (None, None) => "—".to_string(),
        _ => crate::diff::Facts {
            version: version.map(str::to_string),
            build: build.map(str::to_string),
            ..Default::default()
        }
        .display_version(),
    }
}

/// The first ten characters of an RFC 3339 time: its day.
fn day(rfc3339: &str) -> &str {
    rfc3339.get(..10).unwrap_or(rfc3339)
}

/// The device families for people; an app that declares none runs as an iPhone app.
fn device_label(families: &[String]) -> String {
    if families.is_empty() {
        return "iPhone (not declared)".into();
    }
    families
        .iter()
        .map(|name| DeviceFamily::from_name(name).map_or_else(|| name.clone(), DeviceFamily::label))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `docs/theme.md` lists the variables of every template: its tables are generated from the
/// structs above (their fields and rustdoc), so that the two cannot drift apart.
/// `locked.html`: a private app's page, published encrypted. The page itself is the payload;
/// the theme's `static/unlock.js` asks for the password (or takes a share link's `#k=` key),
/// decrypts it with WebCrypto and puts its body in place.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct LockedPage {
    /// Base64 PBKDF2 salt, the same on every page of the site (`data-salt` of `#locked`).
    pub salt: String,
    /// PBKDF2-SHA-256 rounds (`data-iterations`).
    pub iterations: u32,
    /// Base64 12-byte AES-256-GCM nonce (`data-nonce`).
    pub nonce: String,
    /// Base64 ciphertext of the whole rendered page followed by its 16-byte tag (`data-payload`).
    pub payload: String,
}

impl From<crate::private::Locked> for LockedPage {
    fn from(locked: crate::private::Locked) -> LockedPage {
        LockedPage {
            salt: locked.salt,
            iterations: locked.iterations,
            nonce: locked.nonce,
            payload: locked.payload,
        }
    }
}

#[cfg(test)]
mod contract {
    use super::*;
    use schemars::{JsonSchema, schema_for};
    use serde_json::Value;

    const DOC: &str = "docs/theme.md";
    const START: &str = "<!-- variables: generated from src/render/view.rs by a test; \
                         OTASITE_UPDATE_THEME_DOC=1 cargo test --lib contract rewrites it -->";
    const END: &str = "<!-- end of variables -->";

    /// One table per struct, under the heading templates know it by.
    fn tables() -> String {
        let mut out = String::new();
        table::<Common<'_>>(&mut out, "Every template");
        table::<IndexPage<'_>>(&mut out, "index.html");
        table::<AppPage<'_>>(&mut out, "app.html");
        table::<BuildPage<'_>>(&mut out, "build.html");
        table::<FeedPage<'_>>(&mut out, "feed.xml");
        table::<LockedPage>(&mut out, "locked.html (as `locked`)");
        table::<crate::devices::pages::RegisterPage<'_>>(&mut out, "devices.html");
        table::<crate::devices::pages::RegisteredPage<'_>>(&mut out, "devices-registered.html");
        table::<SiteView<'_>>(&mut out, "site");
        table::<AppView<'_>>(&mut out, "app");
        table::<AppIdentity<'_>>(&mut out, "app on a build page");
        table::<ChannelView<'_>>(&mut out, "channel");
        table::<NewerView<'_>>(&mut out, "newer");
        table::<BuildView<'_>>(&mut out, "build");
        table::<ProfileView<'_>>(&mut out, "profile");
        table::<ChangesView<'_>>(&mut out, "changes");
        table::<ChangeItem>(&mut out, "change item");
        table::<ProblemItem<'_>>(&mut out, "problem item");
        table::<crate::diff::Wording>(&mut out, "wording");
        table::<FeedEntry<'_>>(&mut out, "feed entry");
        table::<crate::android::AndroidFacts>(&mut out, "android");
        table::<crate::apk::Signing>(&mut out, "signing");
        table::<I18nView>(&mut out, "i18n");
        table::<LanguageView>(&mut out, "language");
        table::<PreviewView>(&mut out, "preview");
        out
    }

    fn table<T: JsonSchema>(out: &mut String, title: &str) {
        let schema = schema_for!(T);
        let schema = schema.as_value();
        let description = schema["description"].as_str().unwrap_or_default();
        assert!(
            !description.is_empty(),
            "{title}: the struct has no rustdoc"
        );
        out.push_str(&format!(
            "\n### {title}\n\n{}\n\n| variable | type | meaning |\n|---|---|---|\n",
            one_line(description)
        ));
        let properties = schema["properties"].as_object().expect("a struct");
        for (name, property) in properties {
            let meaning = property["description"].as_str().unwrap_or_default();
            assert!(!meaning.is_empty(), "{title}.{name} has no rustdoc");
            out.push_str(&format!(
                "| `{name}` | {} | {} |\n",
                type_name(property),
                one_line(meaning).replace('|', "\\|")
            ));
        }
    }

    fn one_line(text: &str) -> String {
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// A schema's type in words, with links to the tables of nested structs.
    fn type_name(schema: &Value) -> String {
        if let Some(reference) = schema["$ref"].as_str() {
            let name = reference.rsplit('/').next().unwrap_or(reference);
            if name == "Os" {
                return "`ios` or `android`".into();
            }
            let (title, anchor) = match name {
                "AndroidFacts" => ("android", "android"),
                "Signing" => ("signing", "signing"),
                "SiteView" => ("site", "site"),
                "AppView" => ("app", "app"),
                "AppIdentity" => ("app", "app-on-a-build-page"),
                "ChannelView" => ("channel", "channel"),
                "NewerView" => ("newer", "newer"),
                "BuildView" => ("build", "build"),
                "ProfileView" => ("profile", "profile"),
                "ChangesView" => ("changes", "changes"),
                "ChangeItem" => ("change item", "change-item"),
                "ProblemItem" => ("problem item", "problem-item"),
                "Wording" => ("wording", "wording"),
                "FeedEntry" => ("feed entry", "feed-entry"),
                "I18nView" => ("i18n", "i18n"),
                "LanguageView" => ("language", "language"),
                "PreviewView" => ("preview", "preview"),
                other => panic!("no table for {other}"),
            };
            return format!("[{title}](#{anchor})");
        }
        if let Some(choices) = schema["anyOf"].as_array() {
            let names: Vec<String> = choices.iter().map(type_name).collect();
            return names.join(" or ");
        }
        match &schema["type"] {
            Value::Array(types) => types
                .iter()
                .map(|t| {
                    type_name(&serde_json::json!({ "type": t, "items": schema["items"],
                    "additionalProperties": schema["additionalProperties"] }))
                })
                .collect::<Vec<_>>()
                .join(" or "),
            Value::String(kind) => match kind.as_str() {
                "string" => "text".into(),
                "integer" => "number".into(),
                "boolean" => "true or false".into(),
                "null" => "null".into(),
                "array" => format!("list of {}", type_name(&schema["items"])),
                "object" => format!(
                    "map of text to {}",
                    type_name(&schema["additionalProperties"])
                ),
                other => panic!("no words for the type {other}"),
            },
            other => panic!("no words for the schema {other} of {schema}"),
        }
    }

    #[test]
    fn theme_doc_lists_every_variable_of_every_template() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(DOC);
        let text = std::fs::read_to_string(&path).expect("reading docs/theme.md");
        let (before, rest) = text
            .split_once(START)
            .unwrap_or_else(|| panic!("{DOC} lacks the line {START}"));
        let (current, after) = rest
            .split_once(END)
            .unwrap_or_else(|| panic!("{DOC} lacks the line {END}"));
        let wanted = format!("{}\n", tables());
        if std::env::var_os("OTASITE_UPDATE_THEME_DOC").is_some() {
            std::fs::write(&path, format!("{before}{START}{wanted}{END}{after}"))
                .expect("writing docs/theme.md");
            return;
        }
        assert!(
            current == wanted,
            "{DOC} does not list the variables of src/render/view.rs; rewrite its tables with \
             OTASITE_UPDATE_THEME_DOC=1 cargo test --lib contract"
        );
    }
}
