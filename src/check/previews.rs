//! The link preview tags of a page (Open Graph and Twitter cards): complete, and every image
//! they name present in the site with the stated size.

/// The `<meta property|name="…" content="…">` pairs of a page's Open Graph and Twitter tags,
/// in page order (attribute values as written, entities decoded for `&amp;`).
pub fn tags(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (start, _) in html.match_indices("<meta ") {
        let rest = &html[start..];
        let Some(end) = rest.find('>') else { break };
        let tag = &rest[..end];
        let name = attribute(tag, "property").or_else(|| attribute(tag, "name"));
        let (Some(name), Some(content)) = (name, attribute(tag, "content")) else {
            continue;
        };
        if name.starts_with("og:") || name.starts_with("twitter:") {
            out.push((name, content));
        }
    }
    out
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = tag[start..].find('"')? + start;
    Some(
        tag[start..end]
            .replace("&quot;", "\"")
            .replace("&#x27;", "'")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
}

/// The width and height a PNG file states in its header.
pub fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    if bytes.len() < 24 || &bytes[..8] != b"\x89PNG\r\n\x1a\n" || &bytes[12..16] != b"IHDR" {
        return None;
    }
    let word =
        |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    Some((word(16), word(20)))
}

/// What is wrong with a page's preview tags (empty when fine, or when it has none at all, as a
/// locked page or a theme without previews). `image` finds an image URL's file in the site.
pub fn problems(html: &str, image: &mut dyn FnMut(&str) -> Option<Vec<u8>>) -> Vec<String> {
    let tags = tags(html);
    if tags.is_empty() {
        return Vec::new();
    }
    let get = |name: &str| {
        tags.iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let mut found = Vec::new();
    for required in ["og:title", "og:description", "og:url", "twitter:card"] {
        if get(required).is_none_or(|v| v.trim().is_empty()) {
            found.push(format!("has link preview tags but no {required}"));
        }
    }
    if let Some(url) = get("og:url").filter(|u| !u.starts_with("https://")) {
        found.push(format!("og:url {url} is not an absolute https address"));
    }
    let Some(url) = get("og:image") else {
        return found;
    };
    if !url.starts_with("https://") {
        found.push(format!("og:image {url} is not an absolute https address"));
        return found;
    }
    let stated = (
        get("og:image:width").and_then(|w| w.parse::<u32>().ok()),
        get("og:image:height").and_then(|h| h.parse::<u32>().ok()),
    );
    let (Some(width), Some(height)) = stated else {
        found.push(format!(
            "og:image {url} lacks a numeric og:image:width and og:image:height"
        ));
        return found;
    };
    let Some(bytes) = image(url) else {
        return found; // the caller reported the missing file
    };
    match png_size(&bytes) {
        Some(size) if size == (width, height) => {}
        Some((w, h)) => found.push(format!(
            "og:image {url} is {w}×{h}, but the page states {width}×{height}"
        )),
        None => found.push(format!("og:image {url} is not a PNG image")),
    }
    found
}
