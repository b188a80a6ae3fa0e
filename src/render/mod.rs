//! Rendering the site from the catalog: pages, manifests, icons, QR codes, feeds.

pub mod catalog_json;
pub mod csp;
pub mod i18n;
pub mod icons;
pub mod manifest;
pub mod notes;
mod preview;
pub mod qr;
pub mod theme;
pub mod view;

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value;

use crate::cache::IconFiles;
use crate::catalog::{App, Build, Catalog};
use crate::layout::{self, DISPLAY_IMAGE, FULL_SIZE_IMAGE};
use crate::output::{IpaMode, OutputError, Stage};
use theme::{Theme, error_chain};
use view::{
    AppIdentity, AppPage, AppView, BuildPage, BuildView, ChannelView, Common, FeedEntry, FeedPage,
    I18nView, IndexPage, LanguageView, NewerView, PreviewView, SiteView,
};

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error(transparent)]
    Theme(#[from] theme::ThemeError),
    #[error("rendering {template} failed: {message}")]
    Template { template: String, message: String },
}

/// What the renderer needs beyond the catalog.
pub struct SiteExtras<'a> {
    /// Rendered icon files by build path; a build without one gets a placeholder.
    pub icons: HashMap<String, &'a IconFiles>,
    /// A note shown on every page (e.g. the local preview banner).
    pub banner: Option<String>,
    /// Custom domain for GitHub Pages.
    pub cname: Option<String>,
    /// The previous site's files that may be kept instead of rendered again.
    pub reuse: &'a Reuse,
    /// The key of the locked pages, when the site has private apps.
    pub private: Option<&'a crate::private::PageKey>,
    /// The whole site is private (`private: true` in `site.yaml`): the index is locked too.
    pub private_site: bool,
    /// The device registration settings (`devices:` in site.yaml), when set.
    pub devices: Option<&'a crate::devices::Devices>,
    /// What each build's `devices.json` is made from, by build path.
    pub provisioned: HashMap<String, crate::devices::hashes::Source<'a>>,
    /// The language pages are rendered in (`language` in `site.yaml`).
    pub language: &'a str,
    /// The languages the pages offer; empty: every language the theme has.
    pub languages: &'a [String],
    /// Where each app's part of `catalog.json` is kept between builds, when it is.
    pub catalog_parts: Option<&'a catalog_json::CatalogParts>,
}

/// Writes every generated file of the site into the stage (not the `.ipa` files).
pub fn render_site(
    stage: &Stage,
    theme: &Theme,
    catalog: &Catalog,
    extras: &SiteExtras<'_>,
) -> Result<(), RenderError> {
    let catalogs = std::sync::Arc::new(i18n::Catalogs::load(
        theme,
        extras.language,
        extras.languages,
    )?);
    let tera = theme.tera(|tera| catalogs.register(tera))?;
    let offered: Vec<String> = catalogs.offered.iter().map(|(l, _)| l.clone()).collect();
    let site = SiteView::new(catalog, extras.language, &offered);
    let script = catalogs.script();
    let script_path = layout::fingerprinted(I18N_SCRIPT, script.as_bytes());
    let i18n_view = I18nView {
        language: catalogs.default.clone(),
        dir: catalogs.dir(),
        script: script_path.clone(),
        languages: catalogs
            .names()
            .into_iter()
            .map(|(code, name)| LanguageView { code, name })
            .collect(),
    };
    let browsers_json = browsers_json(theme)?;
    let policy = csp::Policy::for_theme(theme)?;
    let assets = theme.assets();
    let base = Base {
        tera: &tera,
        site: &site,
        banner: extras.banner.as_deref(),
        browsers_json: &browsers_json,
        csp: &policy.meta,
        assets: &assets,
        theme_fingerprint: theme_fingerprint(theme),
        reuse: extras.reuse,
        i18n: &i18n_view,
        catalogs: &catalogs,
    };
    // Every file anyone may read is made from the public catalog; only the private apps' own
    // (token) folders are made from the whole one.
    // Borrowed when no app is private: a copy of a catalog of thousands of builds is tens of
    // megabytes.
    let public: std::borrow::Cow<'_, Catalog> = if catalog.apps.iter().any(|a| a.private) {
        std::borrow::Cow::Owned(catalog.public())
    } else {
        std::borrow::Cow::Borrowed(catalog)
    };
    let public: &Catalog = &public;

    // A private site's index lists every app, locked; otherwise it lists the public ones.
    let locked_index = extras.private.filter(|_| extras.private_site);
    let listed = if locked_index.is_some() {
        catalog
    } else {
        public
    };
    let index = IndexPage {
        apps: listed.apps.iter().map(AppView::new).collect(),
    };
    let index_preview = preview::index(&base, public);
    base.page(
        stage,
        "index.html",
        layout::INDEX,
        "",
        &index,
        None,
        locked_index,
        Some(&index_preview),
    )?;
    let help_preview = preview::help(&base, public);
    base.page(
        stage,
        "help.html",
        layout::HELP,
        "../",
        &serde_json::json!({}),
        None,
        None,
        Some(&help_preview),
    )?;

    catalog
        .apps
        .par_iter()
        .try_for_each(|app| render_app(stage, &base, app, extras))?;

    // Streamed to the file: at thousands of builds the text is over ten megabytes.
    stage.write_streamed(layout::CATALOG, |out| {
        catalog_json::write(out, public, extras.catalog_parts)
    })?;
    if let Some(key) = extras.private {
        let whole = serde_json::to_vec_pretty(catalog).map_err(|e| RenderError::Template {
            template: layout::LOCKED_CATALOG.into(),
            message: e.to_string(),
        })?;
        let sealed = crate::private::catalog::seal(key, &escape_json_markup(&whole));
        stage.write(layout::LOCKED_CATALOG, &sealed)?;
    }
    render_feed(stage, &base, public)?;
    if let Some(devices) = extras.devices {
        render_registration(stage, &base, theme, devices, public)?;
    }
    let static_files = theme.published_static_files();
    for (path, bytes) in &static_files {
        stage.write(path, bytes)?;
    }
    stage.write(layout::NOJEKYLL, b"")?;
    stage.write(&script_path, script.as_bytes())?;
    let mut static_paths: Vec<String> = static_files.into_iter().map(|(path, _)| path).collect();
    static_paths.push(script_path);
    let registration = crate::devices::enroll::page_folders();
    let page_folders: &[&str] = match extras.devices {
        Some(_) => &registration,
        None => &[],
    };
    let headers = crate::hosting::headers_file(public, &policy.header, &static_paths, page_folders);
    stage.write(layout::HEADERS, headers.as_bytes())?;
    if extras.private.is_some() {
        stage.write(layout::ROBOTS, crate::hosting::ROBOTS_PRIVATE.as_bytes())?;
    }
    if let Some(cname) = &extras.cname {
        stage.write(layout::CNAME, format!("{cname}\n").as_bytes())?;
    }
    Ok(())
}

/// `<`, `>` and `&` only occur inside JSON strings; writing them as `\u` escapes keeps the
/// text identical for JSON readers and inert if the file is ever embedded in or sniffed as HTML.
fn escape_json_markup(json: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(json.len());
    for &byte in json {
        match byte {
            b'<' => out.extend_from_slice(b"\\u003c"),
            b'>' => out.extend_from_slice(b"\\u003e"),
            b'&' => out.extend_from_slice(b"\\u0026"),
            other => out.push(other),
        }
    }
    out
}

/// The theme's `data/browsers.json` (the user-agent patterns the install pages' script uses),
/// checked and made compact for inlining as `<script type="application/json">`: every `<` is
/// written `\u003c`, so no `</script>` can end the element early.
fn browsers_json(theme: &Theme) -> Result<String, RenderError> {
    let text = theme.data("browsers.json").unwrap_or("{}");
    let mut value: Value = serde_json::from_str(text).map_err(|e| {
        RenderError::Theme(theme::ThemeError::Template {
            name: "data/browsers.json".into(),
            message: format!("not valid JSON: {e}"),
        })
    })?;
    if let Value::Object(map) = &mut value {
        map.remove("about"); // the file's own documentation
    }
    Ok(value.to_string().replace('<', "\\u003c"))
}

/// The catalogs script, published under its fingerprinted name.
const I18N_SCRIPT: &str = "static/i18n-catalogs.js";

/// Shared rendering state.
struct Base<'a> {
    /// The languages of the pages.
    i18n: &'a I18nView,
    /// The translation catalogs (link previews are written in the default language).
    catalogs: &'a i18n::Catalogs,
    tera: &'a tera::Tera,
    site: &'a SiteView<'a>,
    banner: Option<&'a str>,
    /// The theme's `data/browsers.json`, compact and safe to place inside `<script>`.
    browsers_json: &'a str,
    /// The pages' Content-Security-Policy.
    csp: &'a str,
    /// The theme's static files and their fingerprinted paths.
    assets: &'a BTreeMap<String, String>,
    /// Identifies every theme file: pages depend on all of them.
    theme_fingerprint: String,
    reuse: &'a Reuse,
}

impl Base<'_> {
    /// Renders `template` with the [`Common`] values plus those of `page` into `out_path`, or
    /// keeps the previous site's file when it was made from exactly the same inputs. `qr_url`
    /// asks for a QR code of that URL, made only when the page is rendered. With `lock`, the
    /// page is published encrypted inside the theme's `locked.html`.
    #[allow(clippy::too_many_arguments)]
    fn page(
        &self,
        stage: &Stage,
        template: &str,
        out_path: &str,
        root: &str,
        page: &impl Serialize,
        qr_url: Option<&str>,
        lock: Option<&crate::private::PageKey>,
        preview: Option<&PreviewView>,
    ) -> Result<(), RenderError> {
        let failed = |message: String| RenderError::Template {
            template: template.to_string(),
            message,
        };
        let page_json = serde_json::to_string(page).map_err(|e| failed(e.to_string()))?;
        let key = fingerprint(&[
            self.theme_fingerprint.as_bytes(),
            template.as_bytes(),
            root.as_bytes(),
            format!("{:?}|{:?}", self.banner, qr_url).as_bytes(),
            serde_json::to_string(&(self.i18n, preview))
                .unwrap_or_default()
                .as_bytes(),
            serde_json::to_string(self.site)
                .unwrap_or_default()
                .as_bytes(),
            page_json.as_bytes(),
            lock.map(|keys| keys.key_id())
                .unwrap_or_default()
                .as_bytes(),
        ]);
        // Each page frees its context and text: give the free pages back as rendering goes.
        crate::memory::page_done();
        self.reuse.produce(stage, out_path, key, || {
            let qr_svg = qr_url.map(qr::svg);
            let common = Common {
                site: self.site,
                root,
                banner: self.banner,
                browsers_json: self.browsers_json,
                csp: self.csp,
                assets: self.assets,
                qr_svg: qr_svg.as_deref(),
                i18n: self.i18n,
                preview,
            };
            let mut ctx =
                tera::Context::from_serialize(&common).map_err(|e| failed(error_chain(&e)))?;
            let mut page_ctx = ctx.clone();
            page_ctx
                .extend(tera::Context::from_serialize(page).map_err(|e| failed(error_chain(&e)))?);
            let html = self
                .tera
                .render(template, &page_ctx)
                .map_err(|e| failed(error_chain(&e)))?;
            let Some(keys) = lock else {
                return Ok(html.into_bytes());
            };
            ctx.insert(
                "locked",
                &view::LockedPage::from(keys.lock(html.as_bytes())),
            );
            self.tera
                .render(LOCKED_TEMPLATE, &ctx)
                .map(String::into_bytes)
                .map_err(|e| RenderError::Template {
                    template: LOCKED_TEMPLATE.into(),
                    message: error_chain(&e),
                })
        })
    }
}

/// The page a private app's pages are published in: a password form and the encrypted page.
const LOCKED_TEMPLATE: &str = "locked.html";

fn theme_fingerprint(theme: &Theme) -> String {
    let parts: Vec<&[u8]> = theme
        .files
        .iter()
        .flat_map(|(path, bytes)| [path.as_bytes(), bytes.as_slice()])
        .collect();
    fingerprint(&parts)
}

/// SHA-256 of the parts, each length-prefixed so that no two different lists collide.
fn fingerprint(parts: &[&[u8]]) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part);
    }
    hex::encode(hasher.finalize())
}

/// Files of the previous site that can be kept instead of made again: each generated file is
/// recorded with the fingerprint of what it was made from, so a rebuild renders only the pages
/// whose inputs changed.
pub struct Reuse {
    previous: std::collections::BTreeMap<String, String>,
    current: std::sync::Mutex<std::collections::BTreeMap<String, String>>,
    reused: std::sync::atomic::AtomicUsize,
    /// Fingerprints of every input of each app's folder (by app folder): the previous site's,
    /// and this build's.
    previous_apps: std::collections::BTreeMap<String, String>,
    apps: std::collections::BTreeMap<String, String>,
    /// The app folders kept whole.
    kept_apps: std::sync::Mutex<std::collections::BTreeSet<String>>,
}

impl Reuse {
    /// `previous`: the fingerprints of the files of the site being replaced.
    pub fn new(previous: std::collections::BTreeMap<String, String>) -> Reuse {
        Reuse {
            previous,
            current: Default::default(),
            reused: Default::default(),
            previous_apps: Default::default(),
            apps: Default::default(),
            kept_apps: Default::default(),
        }
    }

    /// With the fingerprint of each app's folder, of the site being replaced and of this
    /// build: an app whose fingerprint is unchanged keeps its whole folder, unrendered.
    pub fn with_apps(
        mut self,
        previous: std::collections::BTreeMap<String, String>,
        current: std::collections::BTreeMap<String, String>,
    ) -> Reuse {
        self.previous_apps = previous;
        self.apps = current;
        self
    }

    /// Replaces this build's app fingerprints (once every archive's SHA-256 is known).
    pub fn set_apps(&mut self, current: std::collections::BTreeMap<String, String>) {
        self.apps = current;
    }

    /// Keeps the previous site's folder of the app in `app_dir` whole when every input of it
    /// is unchanged; true when it did (now or before), and nothing of the app needs rendering.
    pub fn keep_app(&self, stage: &Stage, app_dir: &str) -> Result<bool, RenderError> {
        if self
            .kept_apps
            .lock()
            .is_ok_and(|kept| kept.contains(app_dir))
        {
            return Ok(true);
        }
        let unchanged = self
            .apps
            .get(app_dir)
            .is_some_and(|key| self.previous_apps.get(app_dir) == Some(key));
        if !unchanged {
            return Ok(false);
        }
        let prefix = layout::app_path(app_dir);
        let files: Vec<(&String, &String)> = self
            .previous
            .range(prefix.clone()..)
            .take_while(|(path, _)| path.starts_with(&prefix))
            .collect();
        if files.is_empty()
            || !stage.keep_previous_folder(app_dir, files.iter().map(|(path, _)| path.as_str()))?
        {
            return Ok(false);
        }
        if let Ok(mut current) = self.current.lock() {
            current.extend(files.iter().map(|(p, k)| ((*p).clone(), (*k).clone())));
        }
        self.reused
            .fetch_add(files.len(), std::sync::atomic::Ordering::Relaxed);
        if let Ok(mut kept) = self.kept_apps.lock() {
            kept.insert(app_dir.to_string());
        }
        Ok(true)
    }

    /// Keeps the previous site's folder of a kept app whole (its inputs are known unchanged
    /// without its files being listed); false when the previous site has no such folder.
    pub fn keep_app_whole(&self, stage: &Stage, app_dir: &str) -> Result<bool, RenderError> {
        if !stage.keep_previous_folder(app_dir, std::iter::empty())? {
            return Ok(false);
        }
        if let Ok(mut kept) = self.kept_apps.lock() {
            kept.insert(app_dir.to_string());
        }
        Ok(true)
    }

    /// The app folders this build kept whole from the previous site.
    pub fn kept_apps(&self) -> std::collections::BTreeSet<String> {
        self.kept_apps.lock().map(|k| k.clone()).unwrap_or_default()
    }

    fn produce(
        &self,
        stage: &Stage,
        out_path: &str,
        key: String,
        make: impl FnOnce() -> Result<Vec<u8>, RenderError>,
    ) -> Result<(), RenderError> {
        if self.keep(stage, out_path, key)? {
            return Ok(());
        }
        stage.write(out_path, &make()?)?;
        Ok(())
    }

    /// Like [`Reuse::produce`] for bytes cheap enough to make every time (a manifest): their
    /// fingerprint is the bytes themselves.
    fn produce_bytes(
        &self,
        stage: &Stage,
        out_path: &str,
        bytes: Vec<u8>,
    ) -> Result<(), RenderError> {
        let key = fingerprint(&[b"bytes", &bytes]);
        self.produce(stage, out_path, key, || Ok(bytes))
    }

    /// Like [`Reuse::produce`] for a file that already exists elsewhere (a rendered icon in
    /// the build cache): hard-linked from `source` unless the previous site's copy is kept.
    fn place(
        &self,
        stage: &Stage,
        out_path: &str,
        key: String,
        source: &std::path::Path,
    ) -> Result<(), RenderError> {
        if self.keep(stage, out_path, key)? {
            return Ok(());
        }
        stage.place_file(out_path, source, IpaMode::Link)?;
        Ok(())
    }

    /// Records `key` for `out_path`, and keeps the previous site's file when it was made from
    /// the same inputs.
    fn keep(&self, stage: &Stage, out_path: &str, key: String) -> Result<bool, RenderError> {
        let unchanged = self.previous.get(out_path) == Some(&key);
        if let Ok(mut current) = self.current.lock() {
            current.insert(out_path.to_string(), key);
        }
        if unchanged && stage.keep_previous(out_path)? {
            self.reused
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            return Ok(true);
        }
        Ok(false)
    }

    /// How many files were kept from the previous site.
    pub fn reused(&self) -> usize {
        self.reused.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The fingerprints of the files this build wrote, for the next build.
    pub fn into_fingerprints(self) -> std::collections::BTreeMap<String, String> {
        self.current.into_inner().unwrap_or_default()
    }
}

fn render_app(
    stage: &Stage,
    base: &Base<'_>,
    app: &App,
    extras: &SiteExtras<'_>,
) -> Result<(), RenderError> {
    // A kept app's folder was kept whole before rendering began.
    if app.kept.is_some() || base.reuse.keep_app(stage, app.dir())? {
        return Ok(());
    }
    let app_path = layout::app_path(app.dir());
    let lock = extras.private.filter(|_| app.private);
    let latest = app.latest();
    let app_page = AppPage {
        app: AppView::new(app),
        build: BuildView::new(latest),
        builds: app.builds.iter().map(BuildView::new).collect(),
        default_channel: app.default_channel.as_deref(),
        channels: ChannelView::all(app),
        ios_build: app
            .latest_in(app.default_channel.as_deref())
            .or_else(|| app.builds.iter().find(|b| !b.os.is_android()))
            .map(BuildView::new),
        android_build: app
            .latest_of(crate::android::Os::Android, app.default_channel.as_deref())
            .or_else(|| app.builds.iter().find(|b| b.os.is_android()))
            .map(BuildView::new),
    };
    base.page(
        stage,
        "app.html",
        &layout::file_in(&app_path, layout::INDEX),
        "../",
        &app_page,
        Some(&app.page_url),
        lock,
        Some(&preview::build(base, latest, &app.page_url)),
    )?;
    app.builds.par_iter().try_for_each(|build| {
        match extras.icons.get(&build.path) {
            Some(files) => {
                // Rendered once when the archive was read; linked, not rewritten. The cache
                // names each icon file by its pixels, so the name is the fingerprint.
                for icon in layout::ICONS {
                    let source = files.of(icon);
                    let key = fingerprint(&[
                        b"icon",
                        source.file_name().unwrap_or_default().as_encoded_bytes(),
                    ]);
                    let out_path = layout::file_in(&build.path, icon.file);
                    base.reuse.place(stage, &out_path, key, source)?;
                }
            }
            None => {
                for icon in layout::ICONS {
                    let key = fingerprint(&[
                        b"placeholder",
                        build.bundle_id.as_bytes(),
                        &icon.size.to_le_bytes(),
                    ]);
                    let out_path = layout::file_in(&build.path, icon.file);
                    base.reuse.produce(stage, &out_path, key, || {
                        Ok(icons::placeholder(&build.bundle_id, icon.size).to_png())
                    })?;
                }
            }
        }
        // An Android build installs from its `.apk`: it has no manifest.
        if !build.os.is_android() {
            base.reuse.produce_bytes(
                stage,
                &layout::file_in(&build.path, layout::MANIFEST),
                manifest_for(build),
            )?;
        }
        let salt = crate::devices::hashes::salt(base.site.base_url);
        let devices = extras.provisioned.get(&build.path);
        if let Some(file) = devices
            .filter(|_| lists_devices(build))
            .and_then(|source| source.file(&salt))
        {
            base.reuse.produce_bytes(
                stage,
                &layout::file_in(&build.path, crate::devices::hashes::FILE),
                file.to_json(),
            )?;
        }
        base.page(
            stage,
            "build.html",
            &layout::file_in(&build.path, layout::INDEX),
            "../../",
            &BuildPage {
                app: AppIdentity::new(app),
                build: BuildView::new(build),
                is_latest: std::ptr::eq(build, latest),
                newer: NewerView::of(app, build),
            },
            Some(&build.page_url),
            lock,
            Some(&preview::build(base, build, &build.page_url)),
        )
    })?;
    if let (Some(_), Some(newest)) = (
        &app.manifest_url,
        app.latest_in(app.default_channel.as_deref()),
    ) {
        base.reuse.produce_bytes(
            stage,
            &layout::file_in(&app_path, layout::MANIFEST),
            manifest_for(newest),
        )?;
    }
    let app_dir = app.dir();
    for channel in &app.channels {
        // Each channel's stable manifest: the same bytes as its newest installable build's.
        if let Some(newest) = app.latest_in(Some(&channel.name)) {
            base.reuse.produce_bytes(
                stage,
                &layout::channel_manifest_path(app_dir, &channel.name),
                manifest_for(newest),
            )?;
        }
    }
    Ok(())
}

/// Whether a build installs only on the devices its profile lists (ad hoc, development).
pub fn lists_devices(build: &Build) -> bool {
    build
        .profile
        .as_ref()
        .is_some_and(|p| p.kind.lists_devices())
}

/// The registration page, its result page and the enrollment profile (`devices/`).
fn render_registration(
    stage: &Stage,
    base: &Base<'_>,
    theme: &Theme,
    devices: &crate::devices::Devices,
    public: &Catalog,
) -> Result<(), RenderError> {
    use crate::devices::{enroll, pages};
    let site = &public.site;
    let folder = enroll::FOLDER;
    let profile_path = format!("{folder}/{}", enroll::PROFILE);
    let profile =
        enroll::Profile::build(devices, &site.title, &site.base_url).map_err(|message| {
            RenderError::Template {
                template: profile_path.clone(),
                message,
            }
        })?;
    base.reuse
        .produce_bytes(stage, &profile_path, profile.bytes)?;
    base.page(
        stage,
        "devices.html",
        &format!("{folder}/{}", layout::INDEX),
        "../",
        &pages::RegisterPage::new(devices, profile.signed),
        None,
        None,
        Some(&preview::devices(base, public, &format!("{folder}/"))),
    )?;
    let registered =
        pages::RegisteredPage::new(devices, theme.data(pages::MODELS_DATA)).map_err(|message| {
            RenderError::Template {
                template: "devices-registered.html".into(),
                message,
            }
        })?;
    base.page(
        stage,
        "devices-registered.html",
        &format!("{folder}/{}/{}", enroll::REGISTERED, layout::INDEX),
        "../../",
        &registered,
        None,
        None,
        Some(&preview::devices(
            base,
            public,
            &format!("{folder}/{}/", enroll::REGISTERED),
        )),
    )
}

fn manifest_for(build: &Build) -> Vec<u8> {
    let display = layout::url_in(&build.page_url, DISPLAY_IMAGE.file);
    let full = layout::url_in(&build.page_url, FULL_SIZE_IMAGE.file);
    let version = build
        .version
        .as_deref()
        .or(build.build.as_deref())
        .unwrap_or("0");
    manifest::manifest_xml(&manifest::ManifestFacts {
        ipa_url: &build.ipa_url,
        display_image_url: &display,
        full_size_image_url: &full,
        bundle_id: &build.bundle_id,
        bundle_version: version,
        title: &build.name,
    })
}

/// Where a build stands in the feed, kept by a build for the next (see `pipeline::partial`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct FeedKey {
    released: Option<String>,
    name: String,
    path: String,
}

impl FeedKey {
    pub fn of(build: &Build) -> FeedKey {
        FeedKey {
            released: build.released.clone(),
            name: build.name.clone(),
            path: build.path.clone(),
        }
    }
}

impl Ord for FeedKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        order(
            (&self.released, &self.name, &self.path),
            (&other.released, &other.name, &other.path),
        )
    }
}

impl PartialOrd for FeedKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// The feed's order of builds: the newest release first, then by name and folder.
pub fn feed_order(a: &Build, b: &Build) -> std::cmp::Ordering {
    order(
        (&a.released, &a.name, &a.path),
        (&b.released, &b.name, &b.path),
    )
}

type Place<'a> = (&'a Option<String>, &'a String, &'a String);

fn order(a: Place<'_>, b: Place<'_>) -> std::cmp::Ordering {
    b.0.cmp(a.0)
        .then_with(|| a.1.cmp(b.1))
        .then_with(|| a.2.cmp(b.2))
}

fn render_feed(stage: &Stage, base: &Base<'_>, catalog: &Catalog) -> Result<(), RenderError> {
    const EPOCH: &str = "1970-01-01T00:00:00Z";
    let mut builds: Vec<&Build> = catalog
        .apps
        .iter()
        .flat_map(|a| a.feed_builds().iter())
        .collect();
    builds.sort_by(|a, b| feed_order(a, b));
    let updated = builds
        .iter()
        .filter_map(|b| b.released.clone())
        .max()
        .unwrap_or_else(|| EPOCH.to_string());
    let entries = builds
        .iter()
        .take(layout::FEED_ENTRIES)
        .map(|b| FeedEntry {
            name: &b.name,
            display_version: view::display_version(b),
            channel: b.channel.as_deref(),
            page_url: &b.page_url,
            updated: b.released.as_deref().unwrap_or(EPOCH),
            author: b
                .profile
                .as_ref()
                .and_then(|p| p.team_name.clone())
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| catalog.site.title.clone()),
            notes_html: b.notes_html.as_deref(),
            min_os: b.min_os.as_deref(),
            changes: b.changes.as_ref().map(|c| c.lines()).unwrap_or_default(),
            change_items: b
                .changes
                .as_ref()
                .map(view::ChangeItem::all)
                .unwrap_or_default(),
        })
        .collect();
    let feed = FeedPage {
        updated: &updated,
        entries,
    };
    base.page(stage, "feed.xml", layout::FEED, "", &feed, None, None, None)
}
