//! The one model everything renders from: apps, builds, ordering, latest; also `catalog.json`,
//! the site's API.

pub mod android;
pub mod channels;
pub mod kept;
pub mod retention;

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::android::{AndroidFacts, Os};
use crate::cache::{FileKey, IconFiles};
use crate::config::Settings;
use crate::diff::{Changes, Facts, Since};
use crate::facts::DeviceFamily;
use crate::ipa::profile::ExpiryOf;
use crate::ipa::{CodeSignature, Ipa, Profile};
use crate::layout::{self, BuildDir};

/// `catalog.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Catalog {
    pub site: SiteInfo,
    /// Newest first (by each app's newest build).
    pub apps: Vec<App>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SiteInfo {
    pub title: String,
    pub base_url: String,
    /// The otasite version that wrote the catalog.
    pub generator: String,
}

/// All builds of one bundle identifier.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct App {
    pub bundle_id: String,
    pub name: String,
    pub description: Option<String>,
    pub page_url: String,
    /// The app-wide stable manifest: the newest installable build of the default channel,
    /// if any.
    pub manifest_url: Option<String>,
    pub install_url: Option<String>,
    /// The channel the app page's main Install button and `manifest_url` follow; null for
    /// the builds at the top of the builds folder.
    #[serde(default)]
    pub default_channel: Option<String>,
    /// Every named channel of the app: the default first, then by name.
    #[serde(default)]
    pub channels: Vec<Channel>,
    /// Newest first.
    pub builds: Vec<Build>,
    /// Published privately (token folders, locked pages); such an app is left out of every
    /// public file, the public `catalog.json` included.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub private: bool,
    /// The systems the app has builds for, `ios` first (both when `site.yaml` joins an
    /// Android package to the app, or both platforms share its identifier).
    #[serde(default)]
    pub platforms: Vec<Os>,
    /// Set on an app kept whole from the previous build: its builds are then a stub's.
    #[serde(skip)]
    pub kept: Option<std::sync::Arc<kept::Kept>>,
}

/// One channel of an app, with its stable links.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Channel {
    pub name: String,
    /// The channel's section on the app page.
    pub page_url: String,
    /// The channel's stable manifest (its newest installable build); null when none is
    /// installable.
    pub manifest_url: Option<String>,
    pub install_url: Option<String>,
    /// The channel's newest installable build, or null.
    pub latest: Option<ChannelLatest>,
}

/// The build a channel's stable links install.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ChannelLatest {
    pub version: Option<String>,
    pub build: Option<String>,
    pub page_url: String,
}

/// One `.ipa`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Build {
    pub bundle_id: String,
    pub version: Option<String>,
    pub build: Option<String>,
    /// The archive's first-level folder under the builds folder, or null at its top.
    pub channel: Option<String>,
    /// Every named channel of the build: its folder's first, then those `site.yaml`
    /// promotes it to.
    #[serde(default)]
    pub channels: Vec<String>,
    pub page_url: String,
    pub manifest_url: String,
    pub ipa_url: String,
    pub install_url: String,
    pub icon_url: String,
    pub size: u64,
    pub sha256: String,
    pub min_os: Option<String>,
    pub device_family: Vec<String>,
    pub installable: bool,
    pub problems: Vec<String>,
    pub profile: Option<Profile>,
    /// RFC 3339, from the archive (not the clock), when known.
    pub released: Option<String>,
    /// The app's name as this build shows it.
    pub name: String,
    /// The build's folder inside the site, e.g. `com.example.app/1.2-45/`.
    pub path: String,
    /// The archive's path under the builds folder.
    pub file: String,
    pub platform: Option<String>,
    pub extensions: Vec<String>,
    /// Release notes as sanitised HTML.
    pub notes_html: Option<String>,
    /// Which entry of the archive the icon came from; null when a placeholder is used.
    pub icon_source: Option<String>,
    /// Warnings and blocking problems separately, for the pages.
    #[serde(default)]
    pub blocking: Vec<String>,
    /// Each of `problems` with its `severity`, English `message` and, when the sentence has
    /// one, the catalog `code` and `params` pages word it with in their language.
    #[serde(default)]
    pub problem_details: Vec<crate::ipa::Problem>,
    /// The privacy usage descriptions (`NS…UsageDescription` keys of Info.plist) and their text.
    #[serde(default)]
    pub usage_descriptions: BTreeMap<String, String>,
    /// What changed since the previous build of the same app and channel (the build's
    /// folder's channel, the first of `channels`); null for a channel's first build.
    #[serde(default)]
    pub changes: Option<Changes>,
    /// The main executable's code signature: `kind` (`certificate`, `ad-hoc` or `unsigned`),
    /// and for a certificate its `subject` and `expires`; absent when it was not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<CodeSignature>,
    /// `ios` or `android`; a catalog written before Android builds existed means `ios`.
    #[serde(default)]
    pub os: Os,
    /// An Android build's own facts; absent for iOS builds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub android: Option<AndroidFacts>,
}

impl Build {
    /// When the build stops launching: the earliest of its profile's expiry, the profile's
    /// certificate's and the app's signing certificate's, with which one it is.
    pub fn stops_launching(&self) -> Option<(time::OffsetDateTime, ExpiryOf)> {
        crate::ipa::codesign::stops_launching(self.profile.as_ref(), self.signature.as_ref())
    }

    /// The facts `otasite diff` and `changes` compare.
    pub fn facts(&self) -> Facts {
        Facts {
            version: self.version.clone(),
            build: self.build.clone(),
            min_os: self.min_os.clone(),
            device_family: self.device_family.clone(),
            size: self.size,
            usage_descriptions: self.usage_descriptions.clone(),
            extensions: self.extensions.clone(),
            ..Facts::default()
        }
        .with_profile(self.profile.as_ref())
        .with_signature(self.signature.as_ref())
    }

    /// What changed since `old`, an older build of the same catalog.
    pub fn changes_since(&self, old: &Build) -> Changes {
        Changes {
            since: Since {
                version: old.version.clone(),
                build: old.build.clone(),
                path: old.path.clone(),
                page_url: old.page_url.clone(),
            },
            facts: crate::diff::compare(&old.facts(), &self.facts()),
        }
    }

    /// "1.2 (45)"
    pub fn display_version(&self) -> String {
        match (&self.version, &self.build) {
            (Some(v), Some(b)) if v != b => format!("{v} ({b})"),
            (Some(v), _) => v.clone(),
            (None, Some(b)) => b.clone(),
            (None, None) => "unknown version".into(),
        }
    }
}

/// One archive read from the builds folder, ready to enter the catalog.
#[derive(Debug, Clone)]
pub struct BuildInput {
    pub ipa: Ipa,
    /// Path relative to the builds folder, with `/` separators.
    pub relative: String,
    pub channel: Option<String>,
    pub notes_html: Option<String>,
    /// The icon rendered when the archive was read (or restored from the cache).
    pub icon_files: Option<IconFiles>,
    /// Cache bookkeeping carried through assembly: the file's identity when read.
    pub cache_key: Option<FileKey>,
    /// Where the previous build published this unchanged archive inside the site.
    pub published: Option<String>,
    /// A build kept from a previous catalog (`--previous`): its `.ipa` stays at this URL.
    pub published_ipa_url: Option<String>,
    /// For a kept build: the archive entry its icon came from.
    pub icon_source: Option<String>,
    /// The app the build is shown in when it is not its own identifier's: the iOS bundle id
    /// `site.yaml` joins an Android package to. Set while the catalog is assembled.
    pub app_id: Option<String>,
    /// For a kept ad hoc or development build: the `devices.json` the deployed site published
    /// (the archive, and so the profile's device list, is not at hand).
    pub published_devices: Option<crate::devices::hashes::DevicesFile>,
}

impl BuildInput {
    /// The identifier of the app the build is shown in: its own, or the one it is joined to.
    pub fn app_id(&self) -> &str {
        self.app_id.as_deref().unwrap_or(&self.ipa.bundle_id)
    }

    /// The build number part of the build's folder: an Android build's is suffixed, so that
    /// builds of both systems of one app never share a folder.
    fn folder_build(&self) -> Option<String> {
        let build = self.ipa.info.build.clone();
        match self.ipa.os() {
            Os::Ios => build,
            Os::Android => Some(format!("{}-android", build.as_deref().unwrap_or("0"))),
        }
    }

    /// Where the build of this archive lives in the site: a token folder for a private app.
    pub fn placed_dir(&self, settings: &Settings) -> BuildDir {
        match settings.private_keys(self.app_id()) {
            Some(keys) => BuildDir::private(
                keys.secret(),
                self.app_id(),
                self.ipa.info.version.as_deref(),
                self.folder_build().as_deref(),
            ),
            None => self.dir(),
        }
    }

    /// The build's public folder: its place in a public site, and the name `promote` keys
    /// and duplicate checks use whether the app is private or not.
    pub fn dir(&self) -> BuildDir {
        BuildDir::new(
            self.app_id(),
            self.ipa.info.version.as_deref(),
            self.folder_build().as_deref(),
        )
    }
}

/// The input of each build of a catalog, by the build's folder in the site ([`Build::path`],
/// which no two builds share).
pub type Inputs = BTreeMap<String, BuildInput>;

/// Two archives that would publish to the same place.
#[derive(Debug, thiserror::Error)]
#[error(
    "{first} and {second} both hold {bundle_id} version {version}: remove one, or give them different {number} values"
)]
pub struct DuplicateBuild {
    pub first: String,
    pub second: String,
    pub bundle_id: String,
    pub version: String,
    /// The build number's name on the archives' system: `CFBundleVersion`, `versionCode`.
    pub number: &'static str,
}

/// Two apps whose folders in the site would be one (their bundle ids differ only in letter
/// case, which some file systems ignore, or one was crafted to match the other's folder).
#[derive(Debug, thiserror::Error)]
#[error(
    "{first} (bundle id {first_id:?}) and {second} (bundle id {second_id:?}) would publish to the same folder {folder}/ of the site: refusing to let one replace the other; remove one of them"
)]
pub struct SharedFolder {
    pub first: String,
    pub first_id: String,
    pub second: String,
    pub second_id: String,
    pub folder: String,
}

/// Why the archives cannot form one site.
#[derive(Debug, thiserror::Error)]
pub enum AssembleError {
    #[error(transparent)]
    Duplicate(#[from] DuplicateBuild),
    #[error(transparent)]
    SharedFolder(#[from] SharedFolder),
    #[error(transparent)]
    Channel(#[from] Box<channels::ChannelError>),
}

/// Assembles the catalog: groups by bundle id, orders newest first, places each build in its
/// channels, applies `keep` and `retention` per channel, and fills in every URL. Returns the inputs of the builds kept, each by its build's folder.
pub fn assemble(settings: &Settings, inputs: Vec<BuildInput>) -> Result<Assembled, AssembleError> {
    assemble_with(settings, inputs, &Default::default())
}

/// A catalog with the inputs of its builds, and those retention left out (still worth
/// caching: a later build may keep them again, and needs their facts to judge them).
pub struct Assembled {
    pub catalog: Catalog,
    pub inputs: Inputs,
    pub dropped: Vec<BuildInput>,
}

/// Like [`assemble`], for the apps of some inputs while the apps of `others` (bundle ids) are
/// kept as they are: promotions may name those too.
pub fn assemble_with(
    settings: &Settings,
    inputs: Vec<BuildInput>,
    others: &std::collections::BTreeSet<String>,
) -> Result<Assembled, AssembleError> {
    let now = crate::clock::now();
    let mut by_app: BTreeMap<String, Vec<BuildInput>> = BTreeMap::new();
    for mut input in inputs {
        input.app_id = android::joined_app(settings, &input.ipa);
        if input.ipa.os() == Os::Ios {
            // Facts restored from the cache were judged when the archive was first read.
            let ipa = &mut input.ipa;
            crate::ipa::problems::rejudge_expiry(
                &mut ipa.problems,
                ipa.profile.as_ref(),
                ipa.signature.as_ref(),
                now,
            );
        }
        by_app
            .entry(input.app_id().to_string())
            .or_default()
            .push(input);
    }
    reject_shared_folders(&by_app)?;
    reject_unknown_promotions(settings, &by_app, others).map_err(Box::new)?;
    let rules = retention::Rules {
        keep: settings.keep,
        retention: &settings.retention,
        now,
    };
    let mut apps = Vec::new();
    let mut kept = Inputs::new();
    let mut left_out = Vec::new();
    for (bundle_id, mut group) in by_app {
        group
            .sort_by(|a, b| newest_first(&a.ipa, &b.ipa).then_with(|| a.relative.cmp(&b.relative)));
        reject_duplicates(&group)?;
        let mut promoted = channels::promotions(settings, &bundle_id, &group).map_err(Box::new)?;
        let builds: Vec<Build> = group
            .iter()
            .enumerate()
            .map(|(index, input)| {
                let mut build = build_entry(settings, input);
                build.channels = channels::memberships(
                    input.channel.as_deref(),
                    &promoted.remove(&index).unwrap_or_default(),
                );
                build
            })
            .collect();
        channels::reject_shared_folders(&bundle_id, &builds).map_err(Box::new)?;
        let wanted = android::judge_per_os(&builds, &rules);
        let mut kept_builds = Vec::with_capacity(builds.len());
        for ((input, build), dropped) in group.into_iter().zip(builds).zip(wanted) {
            if dropped.is_none() {
                kept.insert(build.path.clone(), input);
                kept_builds.push(build);
            } else {
                left_out.push(input);
            }
        }
        channels::fill_changes(&mut kept_builds);
        apps.push(app_entry(settings, kept_builds).map_err(Box::new)?);
    }
    sort_apps(&mut apps);
    let catalog = Catalog {
        site: SiteInfo {
            title: settings.title.clone(),
            base_url: settings.base_url.clone(),
            generator: format!("otasite {}", env!("CARGO_PKG_VERSION")),
        },
        apps,
    };
    Ok(Assembled {
        catalog,
        inputs: kept,
        dropped: left_out,
    })
}

/// Apps with the most recent release first; name breaks ties for a stable order. (A kept
/// app's stub holds its newest build.)
pub fn sort_apps(apps: &mut [App]) {
    let released = |app: &App| app.builds.iter().filter_map(|b| b.released.clone()).max();
    apps.sort_by(|a, b| {
        released(b)
            .cmp(&released(a))
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.bundle_id.cmp(&b.bundle_id))
    });
}

/// Every app gets a folder of its own: folders are compared without letter case, as macOS
/// and Windows file systems compare names.
fn reject_shared_folders(by_app: &BTreeMap<String, Vec<BuildInput>>) -> Result<(), SharedFolder> {
    let mut seen: BTreeMap<String, (&String, &BuildInput)> = BTreeMap::new();
    for (bundle_id, group) in by_app {
        let folder = layout::app_dir(bundle_id);
        let Some(input) = group.first() else { continue };
        if let Some((first_id, first)) = seen.insert(folder.to_lowercase(), (bundle_id, input)) {
            return Err(SharedFolder {
                first: first.relative.clone(),
                first_id: first_id.clone(),
                second: input.relative.clone(),
                second_id: bundle_id.clone(),
                folder,
            });
        }
    }
    Ok(())
}

/// A promotion in site.yaml for a bundle id no archive has is a mistake (often a typo):
/// said, never silently ignored.
fn reject_unknown_promotions(
    settings: &Settings,
    by_app: &BTreeMap<String, Vec<BuildInput>>,
    others: &std::collections::BTreeSet<String>,
) -> Result<(), channels::ChannelError> {
    let unknown = settings.apps.iter().find(|(id, o)| {
        !o.promote.is_empty() && !by_app.contains_key(*id) && !others.contains(*id)
    });
    match unknown {
        Some((bundle_id, _)) => Err(channels::ChannelError::UnknownApp {
            at: settings.origin(&format!("apps.{bundle_id}.promote")),
            bundle_id: bundle_id.clone(),
        }),
        None => Ok(()),
    }
}

/// Every build of an app gets a folder of its own (compared without letter case).
fn reject_duplicates(group: &[BuildInput]) -> Result<(), DuplicateBuild> {
    let mut seen: BTreeMap<String, &BuildInput> = BTreeMap::new();
    for input in group {
        let dir = input.dir().build;
        if let Some(first) = seen.insert(dir.to_lowercase(), input) {
            return Err(DuplicateBuild {
                first: first.relative.clone(),
                second: input.relative.clone(),
                bundle_id: input.ipa.bundle_id.clone(),
                version: dir,
                number: match input.ipa.os() {
                    Os::Ios => "CFBundleVersion",
                    Os::Android => "versionCode",
                },
            });
        }
    }
    Ok(())
}

/// Newest first: version, then build number, compared numerically; then release date.
fn newest_first(a: &Ipa, b: &Ipa) -> Ordering {
    let key = |ipa: &Ipa| (ipa.info.version.clone(), ipa.info.build.clone());
    let ((va, ba), (vb, bb)) = (key(a), key(b));
    compare_versions(vb.as_deref().unwrap_or(""), va.as_deref().unwrap_or(""))
        .then_with(|| compare_versions(bb.as_deref().unwrap_or(""), ba.as_deref().unwrap_or("")))
        .then_with(|| b.released.cmp(&a.released))
}

/// Compares version strings part by part: runs of digits numerically (16.10 > 16.2), other
/// runs as text.
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    let parts = |s: &str| -> Vec<(bool, String)> {
        let mut parts: Vec<(bool, String)> = Vec::new();
        for c in s.chars() {
            let digit = c.is_ascii_digit();
            match parts.last_mut() {
                Some((d, run)) if *d == digit && (digit || c.is_alphanumeric()) => run.push(c),
                _ if !digit && !c.is_alphanumeric() => parts.push((false, String::new())),
                _ => parts.push((digit, c.to_string())),
            }
        }
        parts.retain(|(_, run)| !run.is_empty());
        parts
    };
    let (pa, pb) = (parts(a), parts(b));
    for (x, y) in pa.iter().zip(&pb) {
        let ord = match (x.0, y.0) {
            (true, true) => {
                let (tx, ty) = (x.1.trim_start_matches('0'), y.1.trim_start_matches('0'));
                tx.len().cmp(&ty.len()).then_with(|| tx.cmp(ty))
            }
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => x.1.cmp(&y.1),
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    pa.len().cmp(&pb.len())
}

fn build_entry(settings: &Settings, input: &BuildInput) -> Build {
    let ipa = &input.ipa;
    let dir = input.placed_dir(settings);
    let private = settings.is_private(input.app_id());
    let os = ipa.os();
    let base = &settings.base_url;
    let ipa_url = match (&input.published_ipa_url, &settings.ipa_base_url) {
        (Some(url), _) => url.clone(),
        (None, Some(ipa_base)) => layout::hosted_archive_url(ipa_base, &input.relative),
        (None, None) => dir.file_url(base, layout::archive_file(&input.relative, private)),
    };
    // An Android build installs from its `.apk`: no manifest, its install link is the file.
    let (manifest_url, install_url) = match os {
        Os::Ios => {
            let manifest_url = dir.file_url(base, layout::MANIFEST);
            let install_url = crate::urls::install_url(&manifest_url);
            (manifest_url, install_url)
        }
        Os::Android => (String::new(), ipa_url.clone()),
    };
    let name = settings
        .apps
        .get(&ipa.bundle_id)
        .and_then(|o| o.name.clone())
        .unwrap_or_else(|| ipa.name.clone());
    let (blocking, _): (Vec<_>, Vec<_>) = ipa
        .problems
        .iter()
        .partition(|p| p.severity == crate::ipa::Severity::Blocking);
    Build {
        bundle_id: ipa.bundle_id.clone(),
        version: ipa.info.version.clone(),
        build: ipa.info.build.clone(),
        channel: input.channel.clone(),
        channels: input.channel.iter().cloned().collect(),
        page_url: dir.page_url(base),
        install_url,
        manifest_url,
        ipa_url,
        icon_url: dir.file_url(base, layout::FULL_SIZE_IMAGE.file),
        size: ipa.size,
        sha256: ipa.sha256.clone().unwrap_or_default(),
        min_os: ipa.info.min_os.clone(),
        device_family: DeviceFamily::names(&ipa.info.device_family),
        installable: ipa.installable(),
        problems: ipa.problems.iter().map(|p| p.message.clone()).collect(),
        profile: ipa.profile.clone(),
        released: ipa.released.map(crate::clock::rfc3339),
        name,
        path: dir.path(),
        file: input.relative.clone(),
        platform: ipa.info.platform.clone(),
        extensions: ipa.extensions.clone(),
        notes_html: input.notes_html.clone(),
        icon_source: ipa
            .icon
            .as_ref()
            .map(|i| i.path.clone())
            .or_else(|| input.icon_source.clone()),
        blocking: blocking.into_iter().map(|p| p.message.clone()).collect(),
        problem_details: ipa.problems.clone(),
        usage_descriptions: ipa.info.usage_descriptions.clone(),
        changes: None,
        signature: ipa.signature.clone(),
        os,
        android: ipa.android.clone(),
    }
}

fn app_entry(settings: &Settings, builds: Vec<Build>) -> Result<App, channels::ChannelError> {
    let newest = &builds[0];
    let bundle_id = android::app_id_of(settings, newest);
    let app_dir = folder_of(newest).to_string();
    let base = &settings.base_url;
    let overrides = settings.apps.get(&bundle_id);
    let mut app = App {
        name: newest.name.clone(),
        description: overrides.and_then(|o| o.description.clone()),
        page_url: layout::app_page_url(base, &app_dir),
        manifest_url: None,
        install_url: None,
        default_channel: channels::default_channel(settings, &bundle_id, &builds)?,
        channels: Vec::new(),
        private: settings.is_private(&bundle_id),
        platforms: android::platforms(&builds),
        bundle_id,
        builds,
        kept: None,
    };
    if app.latest_in(app.default_channel.as_deref()).is_some() {
        let manifest_url = layout::app_manifest_url(base, &app_dir);
        app.install_url = Some(crate::urls::install_url(&manifest_url));
        app.manifest_url = Some(manifest_url);
    }
    let mut names: Vec<&str> = channels::names(&app.builds).into_iter().collect();
    names.sort_by_key(|name| Some(*name) != app.default_channel.as_deref());
    app.channels = names
        .into_iter()
        .map(|name| {
            let latest = app.latest_in(Some(name));
            let manifest_url = latest.map(|_| layout::channel_manifest_url(base, &app_dir, name));
            Channel {
                name: name.to_string(),
                page_url: layout::channel_page_url(base, &app_dir, name),
                install_url: manifest_url.as_deref().map(crate::urls::install_url),
                manifest_url,
                latest: latest.map(|b| ChannelLatest {
                    version: b.version.clone(),
                    build: b.build.clone(),
                    page_url: b.page_url.clone(),
                }),
            }
        })
        .collect();
    Ok(app)
}

/// The app's folder of a build: the first part of its path.
fn folder_of(build: &Build) -> &str {
    build.path.split('/').next().unwrap_or_default()
}

impl Catalog {
    /// The catalog anyone may read: without the private apps.
    pub fn public(&self) -> Catalog {
        Catalog {
            site: self.site.clone(),
            apps: self.apps.iter().filter(|a| !a.private).cloned().collect(),
        }
    }
}

impl App {
    /// The app's folder in the site: its bundle id's [`layout::app_dir`], or a token for a
    /// private app.
    pub fn dir(&self) -> &str {
        folder_of(&self.builds[0])
    }

    /// The build the app page offers first: the newest installable build of the default
    /// channel (iOS first), else that channel's newest, else the app's newest.
    pub fn latest(&self) -> &Build {
        let channel = self.default_channel.as_deref();
        self.latest_in(channel)
            .or_else(|| self.latest_of(Os::Android, channel))
            .or_else(|| self.builds_in(channel).next())
            .unwrap_or(&self.builds[0])
    }
}

#[cfg(test)]
mod tests {
    use super::compare_versions;
    use std::cmp::Ordering::*;

    #[test]
    fn versions_compare_numerically() {
        assert_eq!(compare_versions("16.10", "16.2"), Greater);
        assert_eq!(compare_versions("1.0", "1.0.1"), Less);
        assert_eq!(compare_versions("2.0", "2.0"), Equal);
        assert_eq!(compare_versions("1.0b2", "1.0b10"), Less);
        assert_eq!(compare_versions("010", "9"), Greater);
        assert_eq!(compare_versions("", "1"), Less);
    }
}
