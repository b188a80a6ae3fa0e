//! What hosts need beyond the files themselves: the content type of each kind of file, the
//! `_headers` file of Netlify and Cloudflare Pages (caching and security headers), the headers
//! each file is served with (which `scripts/deploy-s3.sh` sets on S3), and GitHub's size limits.

use std::path::Path;

use crate::catalog::Catalog;
use crate::layout::{self, CATALOG, DISPLAY_IMAGE, FEED, FULL_SIZE_IMAGE};
use crate::units;

/// Pages.
pub const HTML: &str = "text/html; charset=utf-8";
/// Manifests: the daemon that installs apps is strict about their type.
pub const PLIST: &str = "text/xml";
/// Archives: handed to iOS untouched.
pub const IPA: &str = "application/octet-stream";
pub const PNG: &str = "image/png";
/// `catalog.json`.
pub const JSON: &str = "application/json";
/// `feed.xml`.
pub const ATOM: &str = "application/atom+xml";
/// The device registration profile: the type Safari hands to Settings as a profile.
pub const MOBILECONFIG: &str = "application/x-apple-aspen-config";
const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const SVG: &str = "image/svg+xml";
/// Anything else.
const BYTES: &str = "application/octet-stream";

/// The content type of a file of the site, by its extension.
pub fn content_type(path: impl AsRef<Path>) -> &'static str {
    let extension = path.as_ref().extension().and_then(|e| e.to_str());
    match extension.unwrap_or_default() {
        "html" => HTML,
        "css" => CSS,
        "js" => JS,
        "json" => JSON,
        "xml" => ATOM,
        "plist" => PLIST,
        "png" => PNG,
        "svg" => SVG,
        "ipa" => IPA,
        "apk" => crate::android::APK_CONTENT_TYPE,
        "mobileconfig" => MOBILECONFIG,
        _ => BYTES,
    }
}

/// For files whose content changes at the same URL: caches must ask again every time.
pub const NO_CACHE: &str = "no-cache";
/// For files whose URL changes with their content (a build's folder holds its version, a
/// fingerprinted theme asset the hash of its bytes).
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// For theme assets under their own names (not fingerprinted), so a changed theme shows
/// within the hour.
pub const SHORT: &str = "public, max-age=3600";

/// Headers every file is served with where the host lets the site set headers, besides the
/// Content-Security-Policy: no type sniffing, and no page address sent to other sites.
pub const SECURITY_HEADERS: &[(&str, &str)] = &[
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
];

/// A size limit as a host documents it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub bytes: u64,
    /// The limit in the host's own words, for messages: `1 GB`.
    pub stated: &'static str,
}

/// GitHub Pages publishes sites of at most 1 GB (GitHub's documentation, decimal units).
pub const GITHUB_PAGES_LIMIT: Limit = Limit {
    bytes: units::GB,
    stated: "1 GB",
};

/// GitHub refuses a push holding a file larger than 100 MiB.
pub const GITHUB_FILE_LIMIT: Limit = Limit {
    bytes: 100 * units::MIB,
    stated: "100 MiB",
};

/// Files of a built site that are not uploaded to S3: those for other hosts (GitHub Pages,
/// Netlify) and otasite's own marker.
pub const NOT_UPLOADED: &[&str] = &[
    layout::NOJEKYLL,
    layout::CNAME,
    layout::HEADERS,
    layout::MARKER,
];

/// How one file of a built site is served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Serving {
    /// The Content-Type set explicitly on upload; `None` leaves it to the host's guess from
    /// the extension (right for `.css`, `.js`).
    pub content_type: Option<&'static str>,
    pub cache_control: &'static str,
}

/// How a file of the site (path relative to the site root, `/`-separated) is served, or
/// `None` for the files that are not uploaded ([`NOT_UPLOADED`]). The checks run in the order
/// of the upload passes of `scripts/deploy-s3.sh`: a file is uploaded by the first pass it
/// matches, and `tests/s3_deploy.rs` checks that the two agree.
pub fn serving(relative: &str) -> Option<Serving> {
    let name = relative.rsplit('/').next().unwrap_or(relative);
    let serve = |content_type, cache_control| {
        Some(Serving {
            content_type,
            cache_control,
        })
    };
    if NOT_UPLOADED.contains(&relative) {
        None
    } else if name.ends_with(".ipa") {
        serve(Some(IPA), IMMUTABLE)
    } else if name.ends_with(".apk") {
        serve(Some(crate::android::APK_CONTENT_TYPE), IMMUTABLE)
    } else if relative.contains('/') && layout::ICONS.iter().any(|icon| icon.file == name) {
        serve(Some(PNG), IMMUTABLE)
    } else if is_static(relative) && layout::is_fingerprinted(relative) {
        serve(None, IMMUTABLE)
    } else if is_static(relative) {
        serve(None, SHORT)
    } else if name.ends_with(".plist") {
        serve(Some(PLIST), NO_CACHE)
    } else if name.ends_with(".mobileconfig") {
        serve(Some(MOBILECONFIG), NO_CACHE)
    } else if name.ends_with(".html") {
        serve(Some(HTML), NO_CACHE)
    } else if relative == CATALOG {
        serve(Some(JSON), NO_CACHE)
    } else if relative == FEED {
        serve(Some(ATOM), NO_CACHE)
    } else {
        serve(None, SHORT)
    }
}

/// Whether a site path lies under `static/`.
fn is_static(relative: &str) -> bool {
    relative
        .strip_prefix(layout::STATIC)
        .is_some_and(|rest| rest.starts_with('/'))
}

/// `robots.txt` of a site with private apps: crawlers stay out of all of it. It names no
/// folder, since listing the private ones would publish their tokens.
pub const ROBOTS_PRIVATE: &str = "User-agent: *\nDisallow: /\n";

/// The `_headers` file of Netlify and Cloudflare Pages for this site. `csp_header` is the
/// pages' Content-Security-Policy; `static_files` every file written under `static/`.
///
/// Both hosts apply every rule that matches a path and join repeated headers with commas, so
/// the rules must not overlap (a `no-cache` joined to `immutable` would defeat both): each
/// rule carries the security headers too, and theme assets are listed by name. Pages are
/// served at folder URLs (`/app/`), which no wildcard can single out, so each page folder is
/// listed by name. `catalog` is the public one: a private app's folders are never named here
/// (their names are their secret); their pages carry the policy in a `<meta>` element.
/// `page_folders` are the site's other page folders (`devices/`).
pub fn headers_file(
    catalog: &Catalog,
    csp_header: &str,
    static_files: &[String],
    page_folders: &[&str],
) -> String {
    let root = url::Url::parse(&catalog.site.base_url)
        .map(|url| url.path().to_string())
        .unwrap_or_else(|_| "/".into());
    let mut out = String::from(
        "# Written by otasite for Netlify and Cloudflare Pages (other hosts ignore it).\n\
         # Versioned files (a build's folder holds its version, a theme asset's name its\n\
         # hash) are cached for a year; pages, manifests and feeds are revalidated on every\n\
         # request. Every file carries the security headers.\n",
    );
    let mut rule = |patterns: &[String], content_type: Option<&str>, cache_control: &str| {
        out.push('\n');
        for pattern in patterns {
            out.push_str(pattern);
            out.push('\n');
        }
        if let Some(content_type) = content_type {
            out.push_str(&format!("  Content-Type: {content_type}\n"));
        }
        out.push_str(&format!("  Cache-Control: {cache_control}\n"));
        out.push_str(&format!("  Content-Security-Policy: {csp_header}\n"));
        for (name, value) in SECURITY_HEADERS {
            out.push_str(&format!("  {name}: {value}\n"));
        }
    };
    // The daemon that installs apps is strict about the manifest's type.
    rule(&[format!("{root}*.plist")], Some(PLIST), NO_CACHE);
    rule(&[format!("{root}*.ipa")], Some(IPA), IMMUTABLE);
    // Android's browsers hand a download to the package installer only by this type.
    rule(
        &[format!("{root}*.apk")],
        Some(crate::android::APK_CONTENT_TYPE),
        IMMUTABLE,
    );
    // Safari installs a profile only when it is served with its own type.
    rule(
        &[format!("{root}*.mobileconfig")],
        Some(MOBILECONFIG),
        NO_CACHE,
    );
    let icons = [DISPLAY_IMAGE, FULL_SIZE_IMAGE].map(|icon| format!("{root}*/{}", icon.file));
    rule(&icons, None, IMMUTABLE);
    // Ad hoc and development builds' device hashes (any other file falls here too on S3).
    rule(
        &[format!("{root}*/{}", crate::devices::hashes::FILE)],
        None,
        SHORT,
    );
    let (fingerprinted, plain): (Vec<&String>, Vec<&String>) = static_files
        .iter()
        .partition(|path| layout::is_fingerprinted(path));
    let listed = |paths: Vec<&String>| -> Vec<String> {
        paths.iter().map(|path| format!("{root}{path}")).collect()
    };
    if !fingerprinted.is_empty() {
        rule(&listed(fingerprinted), None, IMMUTABLE);
    }
    if !plain.is_empty() {
        rule(&listed(plain), None, SHORT);
    }
    let help_folder = layout::HELP.trim_end_matches("index.html");
    let mut pages = vec![
        root.clone(),
        format!("{root}*.html"),
        format!("{root}{help_folder}"),
    ];
    pages.extend(page_folders.iter().map(|folder| format!("{root}{folder}")));
    for app in &catalog.apps {
        pages.push(format!("{root}{}/", app.dir()));
        pages.extend(app.build_paths().map(|path| format!("{root}{path}")));
    }
    rule(&pages, None, NO_CACHE);
    let feeds = [CATALOG, FEED].map(|name| format!("{root}{name}"));
    rule(&feeds, None, NO_CACHE);
    out
}

/// How far a site of `total` bytes is over GitHub Pages' limit, as the end of a sentence
/// about it (`is 1.1 GB, 73.7 MB over GitHub Pages' 1 GB limit`); None within the limit.
/// `build` and `check` both judge by it.
pub fn over_pages_limit(total: u64) -> Option<String> {
    over(total, GITHUB_PAGES_LIMIT)
}

fn over(total: u64, limit: Limit) -> Option<String> {
    (total > limit.bytes).then(|| {
        format!(
            "is {}, {} over GitHub Pages' {} limit",
            units::decimal(total),
            units::decimal(total - limit.bytes),
            limit.stated
        )
    })
}

/// Warnings about the built site in `output_dir` for hosts with limits: GitHub Pages
/// publishes at most [`GITHUB_PAGES_LIMIT`].
pub fn size_warnings(output_dir: &Path) -> Vec<String> {
    size_warnings_over(output_dir, GITHUB_PAGES_LIMIT)
}

/// Like [`size_warnings`], for a site whose sizes were added up by the caller (a build
/// knows those of the folders it kept unchanged).
pub fn size_warnings_of(
    output_dir: &Path,
    sizes: Result<(u64, u64), impl std::fmt::Display>,
) -> Vec<String> {
    warnings_of(output_dir, sizes, GITHUB_PAGES_LIMIT)
}

fn size_warnings_over(output_dir: &Path, limit: Limit) -> Vec<String> {
    warnings_of(output_dir, site_sizes(output_dir), limit)
}

fn warnings_of(
    output_dir: &Path,
    sizes: Result<(u64, u64), impl std::fmt::Display>,
    limit: Limit,
) -> Vec<String> {
    let (total, archives) = match sizes {
        Ok(sizes) => sizes,
        Err(error) => {
            return vec![format!(
                "could not add up the size of {} for GitHub Pages' {} limit: {error}",
                output_dir.display(),
                limit.stated
            )];
        }
    };
    let Some(excess) = over(total, limit) else {
        return Vec::new();
    };
    vec![format!(
        "the site in {} {excess}; {} of it are .ipa and .apk files. To deploy it there, host the \
         archives elsewhere (release assets, a bucket) and set `ipa_base_url` in site.yaml so \
         they are not copied into the site.",
        output_dir.display(),
        units::decimal(archives),
    )]
}

/// Bytes of every file under `dir`, and of the archives (`.ipa`, `.apk`) among them. The top-level
/// folders (one per app) are walked in parallel: a site of thousands of builds has tens of
/// thousands of files.
fn site_sizes(dir: &Path) -> Result<(u64, u64), walkdir::Error> {
    use rayon::prelude::*;
    let top: Vec<walkdir::DirEntry> = walkdir::WalkDir::new(dir)
        .min_depth(1)
        .max_depth(1)
        .into_iter()
        .collect::<Result<_, _>>()?;
    top.par_iter()
        .map(|entry| tree_sizes(entry.path()))
        .try_reduce(|| (0, 0), |a, b| Ok((a.0 + b.0, a.1 + b.1)))
}

/// Bytes of every file under `path` (or of `path` itself, a file), and of the `.ipa` files
/// among them.
pub fn tree_sizes(path: &Path) -> Result<(u64, u64), walkdir::Error> {
    let (mut total, mut archives) = (0, 0);
    for entry in walkdir::WalkDir::new(path) {
        let entry = entry?;
        let metadata = entry.metadata()?;
        if !metadata.is_file() {
            continue;
        }
        total += metadata.len();
        if entry
            .path()
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("ipa") || e.eq_ignore_ascii_case("apk"))
        {
            archives += metadata.len();
        }
    }
    Ok((total, archives))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_file_is_served_as_planned() {
        let cases = [
            (
                "com.a/1.0-1/App.ipa",
                Some("application/octet-stream"),
                IMMUTABLE,
            ),
            ("com.a/1.0-1/icon-57.png", Some("image/png"), IMMUTABLE),
            ("com.a/1.0-1/icon-512.png", Some("image/png"), IMMUTABLE),
            ("com.a/1.0-1/manifest.plist", Some("text/xml"), NO_CACHE),
            ("com.a/manifest.plist", Some("text/xml"), NO_CACHE),
            ("index.html", Some("text/html; charset=utf-8"), NO_CACHE),
            (
                "com.a/1.0-1/index.html",
                Some("text/html; charset=utf-8"),
                NO_CACHE,
            ),
            ("catalog.json", Some("application/json"), NO_CACHE),
            ("feed.xml", Some("application/atom+xml"), NO_CACHE),
            (
                "devices/enroll.mobileconfig",
                Some("application/x-apple-aspen-config"),
                NO_CACHE,
            ),
            ("com.a/1.0-1/devices.json", None, SHORT),
            ("static/style.css", None, SHORT),
            ("static/otasite.js", None, SHORT),
            ("static/style.0123abcd.css", None, IMMUTABLE),
            ("static/fonts/a.0123abcd.woff2", None, IMMUTABLE),
            ("static/LICENSE.89abcdef", None, IMMUTABLE),
        ];
        for (path, content_type, cache_control) in cases {
            let expected = Serving {
                content_type,
                cache_control,
            };
            assert_eq!(serving(path), Some(expected), "{path}");
        }
        for host_file in NOT_UPLOADED {
            assert_eq!(serving(host_file), None);
        }
    }

    #[test]
    fn the_served_type_is_the_type_of_the_extension() {
        for path in [
            "com.a/1.0-1/App.ipa",
            "com.a/1.0-1/icon-57.png",
            "com.a/manifest.plist",
            "com.a/1.0-1/index.html",
            "catalog.json",
            "feed.xml",
            "devices/enroll.mobileconfig",
        ] {
            let served = serving(path).and_then(|s| s.content_type);
            assert_eq!(served, Some(content_type(path)), "{path}");
        }
        assert_eq!(content_type("static/style.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("LICENSE"), "application/octet-stream");
    }

    #[test]
    fn limits_say_what_they_are() {
        assert_eq!(units::decimal(GITHUB_PAGES_LIMIT.bytes), "1.0 GB");
        assert_eq!(GITHUB_PAGES_LIMIT.stated, "1 GB");
        assert_eq!(units::binary(GITHUB_FILE_LIMIT.bytes), "100.0 MiB");
        assert_eq!(GITHUB_FILE_LIMIT.stated, "100 MiB");
        assert_eq!(over_pages_limit(units::GB), None);
        assert_eq!(
            over_pages_limit(1_050_000_000).as_deref(),
            Some("is 1.1 GB, 50.0 MB over GitHub Pages' 1 GB limit")
        );
    }

    #[test]
    fn size_warning_only_over_the_limit_and_names_ipa_base_url() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("app")).unwrap();
        std::fs::write(dir.path().join("index.html"), vec![b'x'; 400]).unwrap();
        std::fs::write(dir.path().join("app/App.ipa"), vec![0; 700]).unwrap();
        let limit = |bytes| Limit {
            bytes,
            stated: "a test's",
        };
        assert!(size_warnings_over(dir.path(), limit(1100)).is_empty());
        let warnings = size_warnings_over(dir.path(), limit(1000));
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("ipa_base_url"), "{}", warnings[0]);
        assert!(warnings[0].contains("GitHub Pages"), "{}", warnings[0]);
        assert!(size_warnings(dir.path()).is_empty());
    }

    #[test]
    fn size_warning_counts_android_packages_as_archives() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("app")).unwrap();
        std::fs::write(dir.path().join("index.html"), vec![b'x'; 400]).unwrap();
        std::fs::write(dir.path().join("app/App.ipa"), vec![0; 700]).unwrap();
        std::fs::write(dir.path().join("app/App.apk"), vec![0; 900]).unwrap();
        let limit = Limit {
            bytes: 1000,
            stated: "a test's",
        };
        let warnings = size_warnings_over(dir.path(), limit);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].contains("is 2.0 KB, 1.0 KB over")
                && warnings[0].contains("1.6 KB of it are .ipa and .apk files"),
            "{}",
            warnings[0]
        );
    }

    #[test]
    fn unreadable_output_is_reported_not_skipped() {
        let warnings = size_warnings(Path::new("/nonexistent/otasite-dist"));
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0].contains("/nonexistent/otasite-dist"),
            "{}",
            warnings[0]
        );
    }
}
