//! Every path and URL of the site: the files and folders at its root, each app's and build's
//! folder and the files in it, the icon sizes, the slug rules that name folders, the names of
//! fingerprinted theme assets, and the folders otasite keeps beside the output.
//!
//! ```text
//! index.html  catalog.json  feed.xml  static/  _headers  .nojekyll  CNAME  .otasite
//! <app>/index.html  <app>/manifest.plist
//! <app>/channels/<channel>/manifest.plist        (the app page's section #channel-<channel>)
//! <app>/<version>-<build>/{index.html, manifest.plist, icon-57.png, icon-512.png, <name>.ipa}
//! robots.txt  catalog.locked.json                (sites with private apps)
//! <app token>/<build token>/{…, app.ipa}         (private apps: see [`token`])
//! ```

use std::path::{Path, PathBuf};

use crate::urls;

/// The page of a folder: the site's root, an app's folder, a build's folder.
pub const INDEX: &str = "index.html";
/// The site's API and the state a later build can start from.
pub const CATALOG: &str = "catalog.json";
/// The whole catalog of a site with private apps, sealed with the pages' key.
pub const LOCKED_CATALOG: &str = crate::private::catalog::FILE;
/// The Atom feed of the newest builds.
pub const FEED: &str = "feed.xml";
/// How many builds `feed.xml` lists, newest first: what a feed reader shows and polls, not the
/// history (that is `catalog.json` and the pages).
pub const FEED_ENTRIES: usize = 100;
/// The install doctor: the causes of a failed install, the visitor's first.
pub const HELP: &str = "help/index.html";
/// The folder of the theme's static files (a theme's `static/` is published as it is).
pub const STATIC: &str = "static";
/// Caching and security headers for Netlify and Cloudflare Pages.
pub const HEADERS: &str = "_headers";
/// Tells GitHub Pages not to run Jekyll (which would hide `_headers`).
pub const NOJEKYLL: &str = ".nojekyll";
/// Asks crawlers to stay out of a site with private apps.
pub const ROBOTS: &str = "robots.txt";
/// The custom domain of GitHub Pages.
pub const CNAME: &str = "CNAME";
/// A file otasite leaves in every site it writes, so it never replaces a folder it did not create.
pub const MARKER: &str = ".otasite";
/// The marker being rewritten, renamed over [`MARKER`] once whole.
pub const MARKER_TMP: &str = ".otasite.tmp";

/// Names at the site's root that otasite writes: no app's folder may take one (compared
/// without letter case, as macOS and Windows file systems compare names).
pub const ROOT_NAMES: &[&str] = &[
    INDEX,
    CATALOG,
    FEED,
    STATIC,
    HEADERS,
    NOJEKYLL,
    CNAME,
    MARKER,
    MARKER_TMP,
    ROBOTS,
    LOCKED_CATALOG,
];

/// Hex digits of a private folder's name: 128 bits, too many to enumerate.
pub const TOKEN_LEN: usize = 32;

/// A private folder's name: the first 128 bits of HMAC-SHA-256 under the site's secret of
/// what the folder holds, as lowercase hex. The same secret and identity give the same name
/// (rebuilds and caches keep working); another secret gives unrelated names, so rotating it
/// moves every private folder. The name tells nothing of the app without the secret.
pub fn token(secret: &[u8], identity: &[&str]) -> String {
    let parts: Vec<&[u8]> = identity.iter().map(|part| part.as_bytes()).collect();
    hex::encode(&crate::private::hmac(secret, &parts)[..TOKEN_LEN / 2])
}

/// A private app's folder at the site's root: a [`token`] of its bundle id.
pub fn private_app_dir(secret: &[u8], bundle_id: &str) -> String {
    token(secret, &["app", bundle_id])
}

/// The name of a private build's archive in its folder: the same for every build, so that
/// no file name tells the app.
pub const PRIVATE_ARCHIVE: &str = "app.ipa";

/// The manifest iOS fetches, in an app's folder (its newest installable build) and in each
/// build's folder.
pub const MANIFEST: &str = "manifest.plist";

/// One of the two images a manifest names, as a file in each build's folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Icon {
    /// Width and height in pixels.
    pub size: u32,
    /// The file's name in the build's folder.
    pub file: &'static str,
}

/// The manifest's `display-image`: 57×57.
pub const DISPLAY_IMAGE: Icon = Icon {
    size: 57,
    file: "icon-57.png",
};
/// The manifest's `full-size-image` (also the catalog's `icon_url`): 512×512.
pub const FULL_SIZE_IMAGE: Icon = Icon {
    size: 512,
    file: "icon-512.png",
};
/// Both images, smallest first.
pub const ICONS: [Icon; 2] = [DISPLAY_IMAGE, FULL_SIZE_IMAGE];

/// Longest slug kept before the hash suffix: far below every file system's name limit.
const SLUG_MAX: usize = 100;

/// A path segment made safe for every file system and URL: letters, digits, `.`, `_`, `-`
/// are kept, runs of anything else become one `-`.
///
/// Text that is already such a segment is its own slug. Any other text gets a short hash of
/// the original appended, so texts that differ only in what slugging removes (a trailing
/// `-`, an invisible character, markup) never share a folder: `com.ex-` and `com.ex` are
/// `com.ex-1f3a90c2` and `com.ex`.
pub fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(SLUG_MAX));
    for c in text.chars() {
        if out.len() >= SLUG_MAX {
            break;
        }
        if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let trimmed = out.trim_matches(|c| c == '-' || c == '.');
    if trimmed == text && !trimmed.is_empty() {
        return trimmed.to_string();
    }
    hashed(text, trimmed)
}

/// `stem` with a short hash of `text` appended: a name no clean text slugs to by accident.
fn hashed(text: &str, stem: &str) -> String {
    let hash = crate::hash::sha256_bytes(text.as_bytes());
    let stem = if stem.is_empty() { "_" } else { stem };
    format!("{stem}-{}", &hash[..8])
}

/// An app's folder at the site's root: the slug of its bundle id, hash-suffixed like an
/// unclean id when it would take a name otasite writes there ([`ROOT_NAMES`]).
pub fn app_dir(bundle_id: &str) -> String {
    let slug = slug(bundle_id);
    let reserved = ROOT_NAMES
        .iter()
        .any(|name| name.eq_ignore_ascii_case(&slug));
    if reserved {
        hashed(bundle_id, &slug)
    } else {
        slug
    }
}

/// An app's folder as a site path, ending in `/`: `com.example.app/`.
pub fn app_path(app_dir: &str) -> String {
    format!("{app_dir}/")
}

/// The address of an app's page.
pub fn app_page_url(base_url: &str, app_dir: &str) -> String {
    urls::join_dir(base_url, &[app_dir])
}

/// The address of an app's stable manifest (its newest installable build).
pub fn app_manifest_url(base_url: &str, app_dir: &str) -> String {
    urls::join(base_url, &[app_dir, MANIFEST])
}

/// The folder of an app's channel manifests, beside its builds' folders (whose names always
/// hold a `-`, so none is named like it).
pub const CHANNELS: &str = "channels";

/// A channel's folder inside its app's `channels/` folder: the slug of its name.
pub fn channel_dir(channel: &str) -> String {
    slug(channel)
}

/// The site path of a channel's stable manifest: `com.example.app/channels/beta/manifest.plist`.
pub fn channel_manifest_path(app_dir: &str, channel: &str) -> String {
    format!("{app_dir}/{CHANNELS}/{}/{MANIFEST}", channel_dir(channel))
}

/// The address of a channel's stable manifest (its newest installable build).
pub fn channel_manifest_url(base_url: &str, app_dir: &str, channel: &str) -> String {
    urls::join(
        base_url,
        &[app_dir, CHANNELS, &channel_dir(channel), MANIFEST],
    )
}

/// The id of a channel's section on its app's page: `channel-beta`.
pub fn channel_anchor(channel: &str) -> String {
    format!("channel-{}", channel_dir(channel))
}

/// The address of a channel's section on its app's page.
pub fn channel_page_url(base_url: &str, app_dir: &str, channel: &str) -> String {
    format!(
        "{}#{}",
        app_page_url(base_url, app_dir),
        channel_anchor(channel)
    )
}

/// `name` inside the folder `dir` (a site path ending in `/`, such as [`BuildDir::path`]).
pub fn file_in(dir: &str, name: &str) -> String {
    format!("{dir}{name}")
}

/// The address of `name` inside the folder at `folder_url` (ending in `/`).
pub fn url_in(folder_url: &str, name: &str) -> String {
    urls::join(folder_url, &[name])
}

/// The name an archive has in its build's folder: its own file name, from its path under the
/// builds folder (`beta/My App.ipa` -> `My App.ipa`).
pub fn archive_name(relative: &str) -> &str {
    relative.rsplit('/').next().unwrap_or(relative)
}

/// The address of an archive hosted apart from the site (`ipa_base_url`): its path under the
/// builds folder, below that address.
pub fn hosted_archive_url(ipa_base_url: &str, relative: &str) -> String {
    let segments: Vec<&str> = relative.split('/').collect();
    urls::join(ipa_base_url, &segments)
}

/// The name an archive has in its build's folder: [`archive_name`], or [`PRIVATE_ARCHIVE`]
/// (`app.apk` for an Android package) for a private build.
pub fn archive_file(relative: &str, private: bool) -> &str {
    if private && crate::android::is_apk_name(relative) {
        crate::android::PRIVATE_APK
    } else if private {
        PRIVATE_ARCHIVE
    } else {
        archive_name(relative)
    }
}

/// Where a build lives in the site: `<app>/<version>-<build>/`, both parts slugged.
///
/// The second part always holds a `-`, so it never takes the name of a file of the app's
/// folder ([`INDEX`], [`MANIFEST`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BuildDir {
    /// The app's folder, [`app_dir`].
    pub app: String,
    /// The build's folder inside it.
    pub build: String,
}

impl BuildDir {
    pub fn new(bundle_id: &str, version: Option<&str>, build: Option<&str>) -> BuildDir {
        let label = format!("{}-{}", version.unwrap_or("0"), build.unwrap_or("0"));
        BuildDir {
            app: app_dir(bundle_id),
            build: slug(&label),
        }
    }

    /// Where a private build lives: `<app token>/<build token>/`, [`token`]s of the app's and
    /// the build's identity. A build token is hex only, so it is never an app file's name.
    pub fn private(
        secret: &[u8],
        bundle_id: &str,
        version: Option<&str>,
        build: Option<&str>,
    ) -> BuildDir {
        let part = |p: Option<&str>| p.unwrap_or("\0").to_string();
        BuildDir {
            app: private_app_dir(secret, bundle_id),
            build: token(secret, &["build", bundle_id, &part(version), &part(build)]),
        }
    }

    /// The folder inside the site, ending in `/`: `com.example.app/1.2-45/`.
    pub fn path(&self) -> String {
        format!("{}/{}/", self.app, self.build)
    }

    /// The address of the build's page (its folder).
    pub fn page_url(&self, base_url: &str) -> String {
        urls::join_dir(base_url, &[&self.app, &self.build])
    }

    /// The address of `name` inside the build's folder.
    pub fn file_url(&self, base_url: &str, name: &str) -> String {
        urls::join(base_url, &[&self.app, &self.build, name])
    }
}

/// Whether a file under `static/` has a fingerprinted name: `.` and 8 lowercase hex digits
/// either end the path or are followed by another `.`. The same test as the `aws s3 sync`
/// filters `static/*.HHHHHHHH.*` and `static/*.HHHHHHHH` of `scripts/deploy-s3.sh` (`*`
/// matching any characters, `/` included), so the script and the served headers agree.
pub fn is_fingerprinted(relative: &str) -> bool {
    let Some(rest) = relative
        .strip_prefix(STATIC)
        .and_then(|rest| rest.strip_prefix('/'))
    else {
        return false;
    };
    let bytes = rest.as_bytes();
    (0..bytes.len()).any(|dot| {
        let hash = &bytes[dot + 1..(dot + 9).min(bytes.len())];
        bytes[dot] == b'.'
            && hash.len() == 8
            && hash.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
            && matches!(bytes.get(dot + 9), None | Some(b'.'))
    })
}

/// `path` with the first 8 hex digits of the SHA-256 of `bytes` before its extension
/// (`static/style.css` -> `static/style.0123abcd.css`), or at its end without one.
pub fn fingerprinted(path: &str, bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let hash = hex::encode(&Sha256::digest(bytes)[..4]);
    let (folder, name) = path.rsplit_once('/').unwrap_or(("", path));
    let name = match name.rsplit_once('.') {
        Some((stem, extension)) if !stem.is_empty() => format!("{stem}.{hash}.{extension}"),
        _ => format!("{name}.{hash}"),
    };
    if folder.is_empty() {
        name
    } else {
        format!("{folder}/{name}")
    }
}

/// Folders and files otasite keeps beside the output folder `dist`, each named
/// `.dist.<role>` so that they sort and hide together: the build cache (which also holds the
/// build lock), the commit journal, the staging folder of a build and the previous site while
/// it is swapped out.
pub mod beside {
    use super::*;

    /// The build cache: `.dist.otasite-cache/`.
    pub fn cache(output: &Path) -> PathBuf {
        sibling(output, "otasite-cache")
    }

    /// The lock one build at a time holds, inside the cache folder (which a build keeps
    /// anyway): `.dist.otasite-cache/build.lock`.
    pub fn lock(output: &Path) -> PathBuf {
        cache(output).join("build.lock")
    }

    /// The journal of a commit in progress: `.dist.commit`.
    pub fn journal(output: &Path) -> PathBuf {
        sibling(output, "commit")
    }

    /// The new site being written by process `pid`: `.dist.staging-<pid>`.
    pub fn staging(output: &Path, pid: u32) -> PathBuf {
        parent(output).join(format!("{}{pid}", staging_prefix(output)))
    }

    /// The previous site, moved aside by process `pid` during a commit: `.dist.old-<pid>`.
    pub fn old(output: &Path, pid: u32) -> PathBuf {
        parent(output).join(format!("{}{pid}", old_prefix(output)))
    }

    /// What the names of [`staging`] folders start with.
    pub fn staging_prefix(output: &Path) -> String {
        format!(".{}.staging-", name(output))
    }

    /// What the names of [`old`] folders start with.
    pub fn old_prefix(output: &Path) -> String {
        format!(".{}.old-", name(output))
    }

    /// The folder that holds the output (`.` for a bare name).
    pub fn parent(output: &Path) -> PathBuf {
        match output.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        }
    }

    fn sibling(output: &Path, role: &str) -> PathBuf {
        parent(output).join(format!(".{}.{role}", name(output)))
    }

    fn name(output: &Path) -> String {
        output
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "site".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slug("com.example.app"), "com.example.app");
        assert_eq!(slug("1.0-45"), "1.0-45");
        let hashed = |text: &str, stem: &str| {
            let slug = slug(text);
            assert_eq!(slug.len(), stem.len() + 9, "{slug}");
            assert!(slug.starts_with(&format!("{stem}-")), "{slug}");
            slug
        };
        hashed("1.0 (beta)", "1.0-beta");
        hashed("../..", "_");
        hashed("ünïcode", "n-code");
        hashed(&"a".repeat(10_000), &"a".repeat(SLUG_MAX));
    }

    #[test]
    fn texts_that_slug_alike_get_distinct_folders() {
        let ids = [
            "com.ex.app",
            "com.ex.app-",
            "com.ex.app.",
            "com.ex.app\u{200b}",
            "com.ex<app>",
            "com.ex\"app\"",
            "com.ex-app",
        ];
        let slugs: std::collections::HashSet<String> = ids.iter().map(|id| slug(id)).collect();
        assert_eq!(slugs.len(), ids.len(), "{slugs:?}");
        assert_eq!(slug("com.ex.app-"), slug("com.ex.app-"), "deterministic");
    }

    #[test]
    fn bundle_ids_named_like_root_files_get_folders_of_their_own() {
        for id in [
            "catalog.json",
            "static",
            "index.html",
            "feed.xml",
            "_headers",
            "CNAME",
            "Static",
            "INDEX.HTML",
            ".nojekyll",
            ".otasite",
        ] {
            let dir = app_dir(id);
            assert!(
                !ROOT_NAMES.iter().any(|n| n.eq_ignore_ascii_case(&dir)),
                "{id} -> {dir}"
            );
            assert!(
                dir.len() > 9 && dir.as_bytes()[dir.len() - 9] == b'-',
                "{dir}"
            );
            assert_eq!(dir, app_dir(id), "deterministic");
        }
        assert_ne!(app_dir("static"), app_dir("Static"));
        assert_eq!(app_dir("com.example.app"), "com.example.app");
        assert_eq!(app_dir("static.app"), "static.app");
    }

    #[test]
    fn build_folders_never_take_the_name_of_an_app_file() {
        for (version, build) in [
            (Some("index.html"), None),
            (Some("manifest"), Some("plist")),
            (Some(""), Some("")),
            (None, None),
        ] {
            let dir = BuildDir::new("com.ex", version, build);
            assert!(dir.build.contains('-'), "{dir:?}");
            assert!(![INDEX, MANIFEST].contains(&dir.build.as_str()));
        }
        let dir = BuildDir::new("com.ex", Some("1.2"), Some("45"));
        assert_eq!(dir.path(), "com.ex/1.2-45/");
        assert_eq!(
            dir.file_url("https://x.org/a b/", "My App.ipa"),
            "https://x.org/a b/com.ex/1.2-45/My%20App.ipa"
        );
        assert_eq!(
            dir.page_url("https://x.org/"),
            "https://x.org/com.ex/1.2-45/"
        );
        assert_eq!(
            url_in(&dir.page_url("https://x.org/"), DISPLAY_IMAGE.file),
            "https://x.org/com.ex/1.2-45/icon-57.png"
        );
    }

    #[test]
    fn private_folders_are_tokens_of_the_secret() {
        let secret = b"0123456789abcdef0123456789abcdef";
        let dir = BuildDir::private(secret, "com.secret.app", Some("1.2"), Some("45"));
        assert_eq!(dir.app.len(), TOKEN_LEN);
        assert_eq!(dir.build.len(), TOKEN_LEN);
        assert!(
            dir.path()
                .bytes()
                .all(|b| b == b'/' || b.is_ascii_hexdigit())
        );
        assert!(!dir.path().contains("secret") && !dir.path().contains("1.2"));
        assert_eq!(
            dir,
            BuildDir::private(secret, "com.secret.app", Some("1.2"), Some("45"))
        );
        assert_ne!(
            dir.build,
            BuildDir::private(secret, "com.secret.app", Some("1.2"), Some("46")).build
        );
        let other = BuildDir::private(b"another secret", "com.secret.app", Some("1.2"), Some("45"));
        assert_ne!(dir.app, other.app);
        assert_ne!(dir.build, other.build);
        assert_eq!(archive_file("beta/Secret App.ipa", true), PRIVATE_ARCHIVE);
        assert_eq!(archive_file("beta/Secret App.ipa", false), "Secret App.ipa");
    }

    #[test]
    fn channel_addresses() {
        assert_eq!(
            channel_manifest_url("https://x.org/a/", "com.ex", "beta"),
            "https://x.org/a/com.ex/channels/beta/manifest.plist"
        );
        assert_eq!(
            channel_manifest_path("com.ex", "beta"),
            "com.ex/channels/beta/manifest.plist"
        );
        assert_eq!(
            channel_page_url("https://x.org/", "com.ex", "beta"),
            "https://x.org/com.ex/#channel-beta"
        );
        let odd = channel_dir("QA team");
        assert!(odd.starts_with("QA-team-"), "{odd}");
        assert!(!BuildDir::new("com.ex", None, None).build.eq(CHANNELS));
    }

    #[test]
    fn fingerprinted_names_are_told_apart_as_the_s3_filters_do() {
        for yes in [
            "static/style.0123abcd.css",
            "static/a.b.0123abcd.min.css",
            "static/LICENSE.0123abcd",
            "static/.0123abcd.x",
            "static/v.0123abcd.x/y.css",
        ] {
            assert!(is_fingerprinted(yes), "{yes}");
        }
        for no in [
            "static/style.css",
            "static/style.0123ABCD.css",
            "static/style.0123abc.css",
            "static/style.0123abcde.css",
            "static/style-0123abcd.css",
            "style.0123abcd.css",
            "com.a/static/style.0123abcd.css",
            "static/v.0123abcd/x.css",
            "staticx/style.0123abcd.css",
        ] {
            assert!(!is_fingerprinted(no), "{no}");
        }
        assert!(is_fingerprinted(&fingerprinted("static/a.css", b"x")));
        assert!(is_fingerprinted(&fingerprinted("static/LICENSE", b"x")));
    }

    #[test]
    fn folders_beside_the_output() {
        let out = Path::new("/x/dist");
        assert_eq!(beside::cache(out), Path::new("/x/.dist.otasite-cache"));
        assert_eq!(
            beside::lock(out),
            Path::new("/x/.dist.otasite-cache/build.lock")
        );
        assert_eq!(beside::journal(out), Path::new("/x/.dist.commit"));
        assert_eq!(beside::staging(out, 7), Path::new("/x/.dist.staging-7"));
        assert_eq!(beside::old(out, 7), Path::new("/x/.dist.old-7"));
        assert_eq!(
            beside::cache(Path::new("dist")),
            Path::new("./.dist.otasite-cache")
        );
    }
}
