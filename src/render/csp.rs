//! The pages' Content-Security-Policy: scripts, styles and images only from the site itself,
//! nothing inline that runs, no plugins, no `<base>`, no forms; a theme widens it only through
//! its `data/csp.json`.

use serde_json::Value;

use super::theme::{Theme, ThemeError};

/// The theme data file that adds sources to the policy.
pub const DATA_FILE: &str = "csp.json";

/// The directives of the built-in policy, in the order they are written, and their sources.
const BUILT_IN: &[(&str, &str)] = &[
    ("default-src", "'none'"),
    ("script-src", "'self'"),
    ("style-src", "'self'"),
    ("img-src", "'self'"),
    // The build pages read their build's devices.json.
    ("connect-src", "'self'"),
    ("base-uri", "'none'"),
    ("form-action", "'none'"),
    ("object-src", "'none'"),
];

/// The directives a theme may add sources to. The others stay as they are: `default-src`,
/// `base-uri` and `object-src` are what keep the policy strict.
const EXTENSIBLE: &[&str] = &[
    "script-src",
    "style-src",
    "img-src",
    "font-src",
    "connect-src",
    "media-src",
    "frame-src",
    "manifest-src",
    "worker-src",
    "form-action",
];

/// Only honoured in a header: a `<meta>` policy ignores it.
const HEADER_ONLY: &str = "frame-ancestors 'none'";

/// The site's policy: one for the pages' `<meta>` and one for hosts that set headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// For `<meta http-equiv="Content-Security-Policy">`.
    pub meta: String,
    /// For the `Content-Security-Policy` header: the same plus `frame-ancestors 'none'`.
    pub header: String,
}

impl Policy {
    /// The built-in policy with the sources the theme's `data/csp.json` adds.
    pub fn for_theme(theme: &Theme) -> Result<Policy, ThemeError> {
        let additions = match theme.data(DATA_FILE) {
            Some(text) => parse_additions(text).map_err(|message| ThemeError::Template {
                name: format!("data/{DATA_FILE}"),
                message,
            })?,
            None => Vec::new(),
        };
        Ok(Policy::with(&additions))
    }

    /// The built-in policy with `additions` (directive, sources).
    fn with(additions: &[(String, Vec<String>)]) -> Policy {
        let mut directives: Vec<(String, Vec<String>)> = BUILT_IN
            .iter()
            .map(|(name, source)| (name.to_string(), vec![source.to_string()]))
            .collect();
        for (name, sources) in additions.iter().filter(|(_, s)| !s.is_empty()) {
            match directives.iter_mut().find(|(n, _)| n == name) {
                Some((_, existing)) => {
                    // 'none' cannot be combined with sources: the additions replace it.
                    existing.retain(|s| s != "'none'");
                    for source in sources {
                        if !existing.contains(source) {
                            existing.push(source.clone());
                        }
                    }
                }
                None => {
                    // Before base-uri, so that the fetch directives stay together.
                    let at = directives
                        .iter()
                        .position(|(n, _)| n == "base-uri")
                        .unwrap_or(directives.len());
                    directives.insert(at, (name.clone(), sources.clone()));
                }
            }
        }
        let meta = directives
            .iter()
            .map(|(name, sources)| format!("{name} {}", sources.join(" ")))
            .collect::<Vec<_>>()
            .join("; ");
        let header = format!("{meta}; {HEADER_ONLY}");
        Policy { meta, header }
    }
}

/// Reads `{"img-src": ["https://cdn.example.com"], ...}`; `about` is the file's own note.
fn parse_additions(text: &str) -> Result<Vec<(String, Vec<String>)>, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
    let Value::Object(map) = value else {
        return Err("must be a JSON object of directive names to lists of sources".into());
    };
    let mut additions = Vec::new();
    for (name, sources) in map {
        if name == "about" {
            continue;
        }
        if !EXTENSIBLE.contains(&name.as_str()) {
            return Err(format!(
                "{name:?} cannot be extended; the directives a theme may add sources to are {}",
                EXTENSIBLE.join(", ")
            ));
        }
        let Value::Array(list) = sources else {
            return Err(format!("{name} must be a list of sources"));
        };
        let mut checked = Vec::with_capacity(list.len());
        for source in list {
            let Some(source) = source.as_str().filter(|s| is_source(s)) else {
                return Err(format!(
                    "{name}: {source} is not a source expression (one word such as \
                     https://cdn.example.com, https: or 'sha256-…')"
                ));
            };
            checked.push(source.to_string());
        }
        additions.push((name, checked));
    }
    Ok(additions)
}

/// One CSP source expression: a single printable ASCII word that cannot end the directive
/// (`;`), the policy (`,`) or the attribute it is written in.
fn is_source(source: &str) -> bool {
    !source.is_empty()
        && source.len() <= 256
        && source
            .bytes()
            .all(|b| b.is_ascii_graphic() && !matches!(b, b';' | b',' | b'"' | b'<' | b'>' | b'\\'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_policy_is_strict() {
        let policy = Policy::with(&[]);
        assert_eq!(
            policy.meta,
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
             connect-src 'self'; base-uri 'none'; form-action 'none'; object-src 'none'"
        );
        assert_eq!(
            policy.header,
            format!("{}; frame-ancestors 'none'", policy.meta)
        );
    }

    #[test]
    fn themes_add_sources_to_extensible_directives() {
        let additions = parse_additions(
            r#"{"about": "x", "img-src": ["https://cdn.example.com", "'self'"],
                "font-src": ["'self'"], "form-action": ["'self'"], "connect-src": []}"#,
        )
        .unwrap();
        let policy = Policy::with(&additions);
        assert_eq!(
            policy.meta,
            "default-src 'none'; script-src 'self'; style-src 'self'; \
             img-src 'self' https://cdn.example.com; connect-src 'self'; font-src 'self'; base-uri 'none'; \
             form-action 'self'; object-src 'none'"
        );
    }

    /// The guides show the built-in policy; they must show the one the pages carry.
    #[test]
    fn guides_show_the_built_in_policy() {
        let theme = Theme::load(None).expect("built-in theme");
        let policy = Policy::for_theme(&theme).expect("built-in policy");
        assert_eq!(
            policy,
            Policy::with(&[]),
            "the built-in data/csp.json adds nothing"
        );
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        for (guide, wanted) in [
            ("docs/deploy-s3.md", &policy.header),
            ("docs/theme.md", &policy.meta),
        ] {
            let text = std::fs::read_to_string(root.join(guide)).expect(guide);
            assert!(
                text.contains(&format!("\"{wanted}\"")) || text.contains(&format!("\n{wanted}\n")),
                "{guide} does not show the policy {wanted}"
            );
        }
    }

    #[test]
    fn bad_additions_are_refused_with_the_reason() {
        for (text, wanted) in [
            ("[]", "JSON object"),
            ("{", "not valid JSON"),
            (
                r#"{"default-src": ["*"]}"#,
                "\"default-src\" cannot be extended",
            ),
            (r#"{"img-src": "https:"}"#, "img-src must be a list"),
            (r#"{"img-src": ["a b"]}"#, "not a source expression"),
            (
                r#"{"img-src": ["x; script-src *"]}"#,
                "not a source expression",
            ),
            (r#"{"img-src": ["\"><script>"]}"#, "not a source expression"),
            (r#"{"img-src": [1]}"#, "not a source expression"),
        ] {
            let error = parse_additions(text).unwrap_err();
            assert!(error.contains(wanted), "{text}: {error}");
        }
    }
}
