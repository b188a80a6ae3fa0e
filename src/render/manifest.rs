//! The manifest `.plist` iOS fetches before installing: items[0] with assets and metadata.

use plist::{Dictionary, Value};

/// What a manifest says about one build.
pub struct ManifestFacts<'a> {
    pub ipa_url: &'a str,
    pub display_image_url: &'a str,
    pub full_size_image_url: &'a str,
    pub bundle_id: &'a str,
    /// CFBundleShortVersionString, else CFBundleVersion.
    pub bundle_version: &'a str,
    pub title: &'a str,
}

/// The manifest as an XML plist (deterministic bytes).
pub fn manifest_xml(facts: &ManifestFacts<'_>) -> Vec<u8> {
    let asset = |kind: &str, url: &str| {
        let mut d = Dictionary::new();
        d.insert("kind".into(), kind.into());
        d.insert("url".into(), url.into());
        Value::Dictionary(d)
    };
    let assets = vec![
        asset("software-package", facts.ipa_url),
        asset("display-image", facts.display_image_url),
        asset("full-size-image", facts.full_size_image_url),
    ];
    let mut metadata = Dictionary::new();
    metadata.insert("bundle-identifier".into(), facts.bundle_id.into());
    metadata.insert("bundle-version".into(), facts.bundle_version.into());
    metadata.insert("kind".into(), "software".into());
    metadata.insert("title".into(), facts.title.into());
    let mut item = Dictionary::new();
    item.insert("assets".into(), Value::Array(assets));
    item.insert("metadata".into(), Value::Dictionary(metadata));
    let mut root = Dictionary::new();
    root.insert("items".into(), Value::Array(vec![Value::Dictionary(item)]));
    let mut out = Vec::new();
    // Writing a plist into memory cannot fail.
    let _ = plist::to_writer_xml(&mut out, &Value::Dictionary(root));
    out.push(b'\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_round_trips() {
        let xml = manifest_xml(&ManifestFacts {
            ipa_url: "https://x.org/a%20b.ipa",
            display_image_url: "https://x.org/icon-57.png",
            full_size_image_url: "https://x.org/icon-512.png",
            bundle_id: "com.x",
            bundle_version: "1.0",
            title: "<script>alert(1)</script> & \"Co\"",
        });
        let text = String::from_utf8(xml.clone()).unwrap();
        assert!(text.contains("&lt;script&gt;"), "{text}");
        let value = Value::from_reader_xml(&xml[..]).unwrap();
        let item = &value.as_dictionary().unwrap()["items"].as_array().unwrap()[0];
        let title = item.as_dictionary().unwrap()["metadata"]
            .as_dictionary()
            .unwrap()["title"]
            .as_string();
        assert_eq!(title, Some("<script>alert(1)</script> & \"Co\""));
    }
}
