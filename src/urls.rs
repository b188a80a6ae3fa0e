//! URLs of the site: absolute, https, each path segment percent-encoded once; and the
//! itms-services install link.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Characters left as they are in a path segment (RFC 3986 unreserved).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Everything but unreserved characters: iOS percent-decodes the `url=` value once, so the
/// whole manifest URL (already valid, with its own escapes) is encoded again.
const QUERY_VALUE: &AsciiSet = SEGMENT;

/// `base` (ending with `/`) followed by the segments, each percent-encoded.
pub fn join(base: &str, segments: &[&str]) -> String {
    let mut url = base.to_string();
    for (i, segment) in segments.iter().enumerate() {
        if i > 0 {
            url.push('/');
        }
        url.extend(utf8_percent_encode(segment, SEGMENT));
    }
    url
}

/// A folder URL: [`join`] with a trailing `/`.
pub fn join_dir(base: &str, segments: &[&str]) -> String {
    let mut url = join(base, segments);
    if !url.ends_with('/') {
        url.push('/');
    }
    url
}

/// The link that makes iOS fetch a manifest and offer to install the app.
pub fn install_url(manifest_url: &str) -> String {
    format!(
        "itms-services://?action=download-manifest&url={}",
        utf8_percent_encode(manifest_url, QUERY_VALUE)
    )
}

/// The manifest URL an install link carries (percent-decoded once, as iOS does).
pub fn manifest_of_install_url(install_url: &str) -> Option<String> {
    let value = install_url.strip_prefix("itms-services://?action=download-manifest&url=")?;
    percent_encoding::percent_decode_str(value)
        .decode_utf8()
        .ok()
        .map(|s| s.into_owned())
}

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
    let hash = crate::hash::sha256_bytes(text.as_bytes());
    let stem = if trimmed.is_empty() { "_" } else { trimmed };
    format!("{stem}-{}", &hash[..8])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_encoded_once() {
        let url = join(
            "https://x.org/a b/",
            &["com.ex", "1.0-2", "very capable app.ipa"],
        );
        assert_eq!(
            url,
            "https://x.org/a b/com.ex/1.0-2/very%20capable%20app.ipa"
        );
        assert_eq!(join("https://x.org/", &["é"]), "https://x.org/%C3%A9");
    }

    #[test]
    fn install_url_round_trips() {
        let manifest = "https://x.org/my%20apps/com.ex/1.0-1/manifest.plist";
        let link = install_url(manifest);
        assert_eq!(
            link,
            "itms-services://?action=download-manifest&url=https%3A%2F%2Fx.org%2Fmy%2520apps%2Fcom.ex%2F1.0-1%2Fmanifest.plist"
        );
        assert_eq!(manifest_of_install_url(&link).as_deref(), Some(manifest));
    }

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
}
