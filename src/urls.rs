//! How the site's URLs are written: each path segment percent-encoded once, and the
//! itms-services install link. Which URLs the site has is [`crate::layout`]'s to say.

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
}
