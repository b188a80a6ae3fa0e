//! The theme's translation catalogs (`i18n/<lang>.json`): every text a page shows, in each
//! language the site offers. Pages are rendered in the site's default language; each
//! translated piece carries its key (`data-i18n`), so that `static/i18n.js` can show the page
//! in the visitor's language from the catalogs script this module writes.
//!
//! A catalog is a JSON object of keys to texts. A text may hold `{param}` placeholders,
//! `**bold**`, `` `code` `` and, when the call passes `href`, one `[link]`. A text that
//! depends on a number is an object of plural categories (`one`, `other`, …) chosen by the
//! `count` parameter. Parameters whose name ends in `_date` are RFC 3339 times, formatted as
//! dates of the language; `_size`, a number of bytes (a leading `+` or `-` kept as a sign),
//! formatted as a size of the language; `_keys`, catalog keys separated by `, `, each shown as
//! its text (a piece that is no key shows as it is). Keys starting with `_` describe the catalog: `_name` (the language
//! in itself), `_dir` (`ltr` or `rtl`) and `_comment`.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::theme::{DEFAULT_THEME, Theme, ThemeError};

/// The languages the built-in theme ships, the default first.
pub const SHIPPED: &[&str] = &[
    "en", "zh-Hans", "zh-Hant", "ja", "ko", "de", "fr", "es", "pt-BR", "ru", "ar",
];

/// The language every catalog is measured against.
pub const REFERENCE: &str = "en";

/// A catalog: key -> text (a string, or plural categories -> string).
pub type Catalog = BTreeMap<String, Value>;

/// The catalogs of the languages a site offers.
#[derive(Debug, Clone)]
pub struct Catalogs {
    /// The language pages are rendered in.
    pub default: String,
    /// Every offered language with its catalog (the reference language's texts fill the gaps
    /// of a partial catalog), in the order `site.yaml` lists them.
    pub offered: Vec<(String, Catalog)>,
}

/// The path of a language's catalog inside the theme.
pub fn catalog_path(language: &str) -> String {
    format!("i18n/{language}.json")
}

/// Reads one catalog file: a JSON object whose values are strings or plural objects.
pub fn parse_catalog(name: &str, bytes: &[u8]) -> Result<Catalog, ThemeError> {
    let failed = |message: String| ThemeError::Template {
        name: name.to_string(),
        message,
    };
    let value: Value =
        serde_json::from_slice(bytes).map_err(|e| failed(format!("not valid JSON: {e}")))?;
    let Value::Object(map) = value else {
        return Err(failed("must be a JSON object of keys to texts".into()));
    };
    for (key, text) in &map {
        let fine = match text {
            Value::String(_) => true,
            Value::Object(forms) => {
                forms.contains_key("other") && forms.values().all(Value::is_string)
            }
            _ => false,
        };
        if !fine {
            return Err(failed(format!(
                "{key:?} must be a text or an object of plural forms with \"other\""
            )));
        }
    }
    Ok(map.into_iter().collect())
}

/// The built-in catalog of `language`, if the built-in theme has one.
fn built_in(language: &str) -> Option<Catalog> {
    let path = catalog_path(language);
    let (_, text) = DEFAULT_THEME.iter().find(|(name, _)| *name == path)?;
    parse_catalog(&path, text.as_bytes()).ok()
}

impl Catalogs {
    /// The catalogs of `languages` (all the theme has when empty) with `language` the default.
    /// A theme's catalog file overrides the built-in one key by key.
    pub fn load(
        theme: &Theme,
        language: &str,
        languages: &[String],
    ) -> Result<Catalogs, ThemeError> {
        let available: Vec<String> = theme
            .files
            .keys()
            .filter_map(|p| p.strip_prefix("i18n/")?.strip_suffix(".json"))
            .map(str::to_string)
            .collect();
        let mut wanted: Vec<String> = if languages.is_empty() {
            let mut all: Vec<String> = SHIPPED
                .iter()
                .map(|l| l.to_string())
                .filter(|l| available.contains(l))
                .collect();
            all.extend(
                available
                    .iter()
                    .filter(|l| !all.contains(l))
                    .cloned()
                    .collect::<Vec<_>>(),
            );
            all
        } else {
            languages.to_vec()
        };
        if !wanted.iter().any(|l| l == language) {
            wanted.insert(0, language.to_string());
        }
        let reference = built_in(REFERENCE).unwrap_or_default();
        let mut offered = Vec::new();
        for lang in wanted {
            let path = catalog_path(&lang);
            let Some(bytes) = theme.files.get(&path) else {
                return Err(ThemeError::Template {
                    name: path,
                    message: format!(
                        "site.yaml offers the language {lang:?} but the theme has no catalog for it (shipped: {})",
                        SHIPPED.join(", ")
                    ),
                });
            };
            let mut catalog = reference.clone();
            catalog.extend(built_in(&lang).unwrap_or_default());
            catalog.extend(parse_catalog(&path, bytes)?);
            offered.push((lang, catalog));
        }
        Ok(Catalogs {
            default: language.to_string(),
            offered,
        })
    }

    /// The default language's catalog.
    pub fn default_catalog(&self) -> &Catalog {
        self.catalog(&self.default)
            .expect("the default language is offered")
    }

    pub fn catalog(&self, language: &str) -> Option<&Catalog> {
        self.offered
            .iter()
            .find(|(l, _)| l == language)
            .map(|(_, c)| c)
    }

    /// `ltr` or `rtl` for the default language.
    pub fn dir(&self) -> String {
        meta(self.default_catalog(), "_dir")
            .unwrap_or("ltr")
            .to_string()
    }

    /// The offered languages as `(code, name in itself)`.
    pub fn names(&self) -> Vec<(String, String)> {
        self.offered
            .iter()
            .map(|(l, c)| (l.clone(), meta(c, "_name").unwrap_or(l).to_string()))
            .collect()
    }

    /// The text of `key` in the default language as plain text.
    pub fn text(&self, key: &str, args: &Args) -> Result<String, String> {
        let template = pick(self.default_catalog(), key, args)?;
        Ok(format(template, args, self.default_catalog(), Output::Text))
    }

    /// The text of `key` in the default language as HTML.
    pub fn html(&self, key: &str, args: &Args) -> Result<String, String> {
        let template = pick(self.default_catalog(), key, args)?;
        Ok(format(template, args, self.default_catalog(), Output::Html))
    }

    /// The catalogs script: `window.otasiteI18n = {default, catalogs}` for `static/i18n.js`.
    pub fn script(&self) -> String {
        let catalogs: Map<String, Value> = self
            .offered
            .iter()
            .map(|(l, c)| {
                let texts: Map<String, Value> = c
                    .iter()
                    .filter(|(k, _)| *k != "_comment")
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                (l.clone(), Value::Object(texts))
            })
            .collect();
        let data = serde_json::json!({ "default": self.default, "catalogs": catalogs });
        format!(
            "// The translation catalogs of this site, generated by otasite.\nwindow.otasiteI18n = {};\n",
            data.to_string().replace('<', "\\u003c")
        )
    }

    /// Registers the template functions `t` (HTML, marked for translation), `tx` (plain text,
    /// for attributes), `ti` (the marking attributes alone), `date` and `size`.
    pub fn register(self: &Arc<Self>, tera: &mut tera::Tera) {
        let me = self.clone();
        tera.register_function("t", move |kwargs: tera::Kwargs, _: &tera::State| {
            let (key, mut args) = call_args(&kwargs)?;
            // `fallback`: the text to show as it is when no catalog has the key (a sentence
            // otasite wrote in English whose code this theme does not know).
            if let Some(fallback) = args.remove("fallback")
                && !me.default_catalog().contains_key(&key)
            {
                return Ok(tera::Value::safe_string(&escape(&fallback)));
            }
            let html = me.html(&key, &args).map_err(tera::Error::message)?;
            Ok::<_, tera::Error>(tera::Value::safe_string(&format!(
                "<span{}>{html}</span>",
                marks(&key, None, &args)
            )))
        });
        let me = self.clone();
        tera.register_function("tx", move |kwargs: tera::Kwargs, _: &tera::State| {
            let (key, mut args) = call_args(&kwargs)?;
            if let Some(fallback) = args.remove("fallback")
                && !me.default_catalog().contains_key(&key)
            {
                return Ok(fallback);
            }
            me.text(&key, &args).map_err(tera::Error::message)
        });
        let me = self.clone();
        tera.register_function("ti", move |kwargs: tera::Kwargs, _: &tera::State| {
            let (key, args) = call_args(&kwargs)?;
            let attr = args.get("attr").cloned();
            pick(me.default_catalog(), &key, &args).map_err(tera::Error::message)?;
            let args: Args = args.into_iter().filter(|(k, _)| k != "attr").collect();
            Ok::<_, tera::Error>(tera::Value::safe_string(&marks(
                &key,
                attr.as_deref(),
                &args,
            )))
        });
        let me = self.clone();
        tera.register_function("date", move |kwargs: tera::Kwargs, _: &tera::State| {
            let value: Option<String> = kwargs.get::<String>("value")?;
            let value = value.unwrap_or_default();
            let label = format_date(&value, me.default_catalog());
            Ok::<_, tera::Error>(tera::Value::safe_string(&format!(
                "<time datetime=\"{}\" data-i18n-date=\"\">{}</time>",
                escape(&value),
                escape(&label)
            )))
        });
        let me = self.clone();
        tera.register_function("size", move |kwargs: tera::Kwargs, _: &tera::State| {
            let bytes = kwargs.must_get::<u64>("bytes")?;
            Ok::<_, tera::Error>(tera::Value::safe_string(&format!(
                "<span data-i18n-size=\"{bytes}\">{}</span>",
                escape(&format_size(bytes, me.default_catalog()))
            )))
        });
    }
}

/// The parameters of a call (texts), by name.
pub type Args = BTreeMap<String, String>;

fn call_args(kwargs: &tera::Kwargs) -> Result<(String, Args), tera::Error> {
    let mut key = None;
    let mut args = Args::new();
    for (name, value) in kwargs.iter() {
        let name = name.to_string();
        if value.is_none() || value.is_undefined() {
            continue;
        }
        // `args`: a map of parameters, as a problem's or a change's `params`.
        if name == "args"
            && let Some(map) = value.as_map()
        {
            for (k, v) in map.iter() {
                let text = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                args.insert(k.to_string(), text);
            }
            continue;
        }
        let text = match value.as_str() {
            Some(s) => s.to_string(),
            None => value.to_string(),
        };
        if name == "key" {
            key = Some(text);
        } else {
            args.insert(name, text);
        }
    }
    let key = key.ok_or_else(|| tera::Error::message("a translation call needs key=\"…\""))?;
    Ok((key, args))
}

/// ` data-i18n="key"` (or `data-i18n-<attr>`) and the parameters as JSON.
fn marks(key: &str, attr: Option<&str>, args: &Args) -> String {
    let name = match attr {
        Some(attr) => format!("data-i18n-{attr}"),
        None => "data-i18n".to_string(),
    };
    let mut out = format!(" {name}=\"{}\"", escape(key));
    if !args.is_empty() {
        let json = serde_json::to_string(args).unwrap_or_default();
        out.push_str(&format!(" data-i18n-args=\"{}\"", escape(&json)));
    }
    out
}

fn meta<'a>(catalog: &'a Catalog, key: &str) -> Option<&'a str> {
    catalog.get(key).and_then(Value::as_str)
}

/// The text of `key`, its plural form chosen by `count`.
fn pick<'a>(catalog: &'a Catalog, key: &str, args: &Args) -> Result<&'a str, String> {
    let value = catalog.get(key).ok_or_else(|| {
        format!("no translation key {key:?} in the catalogs (i18n/{REFERENCE}.json lists them)")
    })?;
    match value {
        Value::String(text) => Ok(text),
        Value::Object(forms) => {
            let count: Option<i64> = args.get("count").and_then(|c| c.parse().ok());
            let category = if count == Some(1) { "one" } else { "other" };
            forms
                .get(category)
                .or_else(|| forms.get("other"))
                .and_then(Value::as_str)
                .ok_or_else(|| format!("{key:?} lacks the plural form \"other\""))
        }
        _ => Err(format!("{key:?} is not a text")),
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Output {
    Html,
    Text,
}

/// Fills the placeholders of `template` and turns its markup into HTML (or drops it).
fn format(template: &str, args: &Args, catalog: &Catalog, output: Output) -> String {
    let html = output == Output::Html;
    let href = args.get("href");
    let mut out = String::new();
    let (mut bold, mut code, mut link) = (false, false, false);
    let mut rest = template;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix("**") {
            bold = !bold;
            if html {
                out.push_str(if bold { "<strong>" } else { "</strong>" });
            }
            rest = after;
            continue;
        }
        rest = &rest[c.len_utf8()..];
        match c {
            '`' => {
                code = !code;
                if html {
                    out.push_str(if code { "<code>" } else { "</code>" });
                }
            }
            '[' if href.is_some() && !link => {
                link = true;
                if html {
                    out.push_str(&format!("<a href=\"{}\">", escape(href.expect("checked"))));
                }
            }
            ']' if link => {
                link = false;
                if html {
                    out.push_str("</a>");
                }
            }
            '{' => match rest.split_once('}') {
                Some((name, after)) if is_param_name(name) => {
                    let value = args.get(name).map(String::as_str).unwrap_or_default();
                    let value = format_param(name, value, catalog);
                    out.push_str(&if html { escape(&value) } else { value });
                    rest = after;
                }
                _ => out.push('{'),
            },
            other => {
                let mut buffer = [0; 4];
                let text = other.encode_utf8(&mut buffer);
                out.push_str(&if html { escape(text) } else { text.to_string() });
            }
        }
    }
    if html {
        for (open, close) in [(link, "</a>"), (code, "</code>"), (bold, "</strong>")] {
            if open {
                out.push_str(close);
            }
        }
    }
    out
}

/// A parameter's text: dates, sizes and catalog keys (by the name's ending) in the words of
/// the catalog's language, anything else as it is.
fn format_param(name: &str, value: &str, catalog: &Catalog) -> String {
    if name.ends_with("_date") {
        return format_date(value, catalog);
    }
    if name.ends_with("_size") {
        let (sign, digits) = match value.chars().next() {
            Some('+') => ("+", &value[1..]),
            Some('-') => ("−", &value[1..]),
            _ => ("", value),
        };
        return match digits.parse::<u64>() {
            Ok(bytes) => format!("{sign}{}", format_size(bytes, catalog)),
            Err(_) => value.to_string(),
        };
    }
    if name.ends_with("_keys") {
        return value
            .split(", ")
            .map(|piece| meta(catalog, piece).unwrap_or(piece))
            .collect::<Vec<_>>()
            .join(", ");
    }
    value.to_string()
}

fn is_param_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The parameter names a text uses, for comparing translations with the reference.
pub fn params(template: &str) -> std::collections::BTreeSet<String> {
    let mut out = std::collections::BTreeSet::new();
    let mut rest = template;
    while let Some((_, after)) = rest.split_once('{') {
        match after.split_once('}') {
            Some((name, tail)) if is_param_name(name) => {
                out.insert(name.to_string());
                rest = tail;
            }
            _ => rest = after,
        }
    }
    out
}

/// A date in the catalog's `format.date` (`{year}`, `{month}`, `{day}` two digits; `{m}`,
/// `{d}` without a leading zero); the text as it is when it is not an RFC 3339 time.
pub fn format_date(rfc3339: &str, catalog: &Catalog) -> String {
    let parts = (rfc3339.get(0..4), rfc3339.get(5..7), rfc3339.get(8..10));
    let (Some(year), Some(month), Some(day)) = parts else {
        return rfc3339.to_string();
    };
    if !(year.chars().chain(month.chars()).chain(day.chars())).all(|c| c.is_ascii_digit()) {
        return rfc3339.to_string();
    }
    let pattern = meta(catalog, "format.date").unwrap_or("{year}-{month}-{day}");
    pattern
        .replace("{year}", year)
        .replace("{month}", month)
        .replace("{day}", day)
        .replace("{m}", month.trim_start_matches('0'))
        .replace("{d}", day.trim_start_matches('0'))
}

/// A size in decimal units as iOS shows them, with the catalog's decimal point and unit names
/// (`format.decimal_point`, `format.bytes`, `format.kb` … `format.tb`).
pub fn format_size(bytes: u64, catalog: &Catalog) -> String {
    let units = ["format.kb", "format.mb", "format.gb", "format.tb"];
    if bytes < crate::units::KB {
        let pattern = meta(catalog, "format.bytes").unwrap_or("{n} bytes");
        return pattern.replace("{n}", &bytes.to_string());
    }
    let mut value = bytes as f64 / crate::units::KB as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < units.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    let number =
        format!("{value:.1}").replace('.', meta(catalog, "format.decimal_point").unwrap_or("."));
    let pattern = meta(catalog, units[unit]).unwrap_or("{n}");
    pattern.replace("{n}", &number)
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog(pairs: &[(&str, Value)]) -> Catalog {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    fn args(pairs: &[(&str, &str)]) -> Args {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn texts_fill_parameters_escape_them_and_turn_markup_into_html() {
        let c = catalog(&[("format.date", Value::from("{d}.{m}.{year}"))]);
        let a = args(&[("name", "<Tom & Jerry>"), ("href", "../help/?a=1&b=2")]);
        let html = format(
            "Tap **Install** for {name}: `code` [why]",
            &a,
            &c,
            Output::Html,
        );
        assert_eq!(
            html,
            "Tap <strong>Install</strong> for &lt;Tom &amp; Jerry&gt;: <code>code</code> <a href=\"../help/?a=1&amp;b=2\">why</a>"
        );
        let text = format("Tap **Install** for {name} [why]", &a, &c, Output::Text);
        assert_eq!(text, "Tap Install for <Tom & Jerry> why");
        // Without href, brackets stay; unknown braces stay; an open bold is closed.
        let plain = format("[x] {not a param} **open", &Args::new(), &c, Output::Html);
        assert_eq!(plain, "[x] {not a param} <strong>open</strong>");
        // Parameters named *_date are dates of the language.
        let dated = format(
            "until {until_date}",
            &args(&[("until_date", "2026-01-04T00:00:00Z")]),
            &c,
            Output::Text,
        );
        assert_eq!(dated, "until 4.1.2026");
    }

    #[test]
    fn plural_forms_follow_count_and_fall_back_to_other() {
        let c = catalog(&[
            (
                "n",
                serde_json::json!({"one": "{count} build", "other": "{count} builds"}),
            ),
            ("m", serde_json::json!({"other": "{count} 件"})),
        ]);
        assert_eq!(pick(&c, "n", &args(&[("count", "1")])), Ok("{count} build"));
        assert_eq!(
            pick(&c, "n", &args(&[("count", "2")])),
            Ok("{count} builds")
        );
        assert_eq!(pick(&c, "m", &args(&[("count", "1")])), Ok("{count} 件"));
        assert!(
            pick(&c, "missing", &Args::new())
                .unwrap_err()
                .contains("missing")
        );
    }

    #[test]
    fn dates_and_sizes_follow_the_catalog() {
        let de = catalog(&[
            ("format.date", Value::from("{day}.{month}.{year}")),
            ("format.decimal_point", Value::from(",")),
            ("format.mb", Value::from("{n} MB")),
            ("format.bytes", Value::from("{n} Byte")),
        ]);
        assert_eq!(format_date("2026-01-04T10:00:00Z", &de), "04.01.2026");
        assert_eq!(format_date("soon", &de), "soon");
        assert_eq!(format_size(2_900_000, &de), "2,9 MB");
        assert_eq!(format_size(999, &de), "999 Byte");
        assert_eq!(format_size(2_900_000, &Catalog::new()), "2.9");
    }

    #[test]
    fn size_and_key_parameters_take_the_words_of_the_catalog() {
        let de = catalog(&[
            ("format.decimal_point", Value::from(",")),
            ("format.mb", Value::from("{n} MB")),
            ("change.not_declared", Value::from("nicht angegeben")),
        ]);
        let a = args(&[
            ("delta_size", "-1200000"),
            ("after_size", "2900000"),
            ("before_keys", "iPhone, change.not_declared"),
        ]);
        let text = format(
            "{after_size} ({delta_size}); {before_keys}",
            &a,
            &de,
            Output::Text,
        );
        assert_eq!(text, "2,9 MB (−1,2 MB); iPhone, nicht angegeben");
        let odd = format("{x_size}", &args(&[("x_size", "lots")]), &de, Output::Text);
        assert_eq!(odd, "lots");
    }

    #[test]
    fn params_lists_the_placeholders() {
        let found: Vec<String> = params("{a} and {b_date} but not {c d}")
            .into_iter()
            .collect();
        assert_eq!(found, ["a", "b_date"]);
    }

    #[test]
    fn catalogs_must_be_objects_of_texts_or_plural_forms() {
        assert!(parse_catalog("x.json", br#"{"a": "b", "n": {"other": "c"}}"#).is_ok());
        let err = parse_catalog("x.json", br#"{"a": 1}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("x.json") && err.contains("\"a\""), "{err}");
        let err = parse_catalog("x.json", br#"{"n": {"one": "c"}}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("other"), "{err}");
        assert!(parse_catalog("x.json", b"[]").is_err());
    }

    #[test]
    fn the_catalogs_script_holds_the_offered_languages_without_comments() {
        let theme = Theme::load(None).expect("built-in theme");
        let catalogs = Catalogs::load(&theme, "de", &["de".into(), "ja".into()]).expect("loads");
        let script = catalogs.script();
        assert!(script.starts_with("// The translation catalogs"));
        assert!(script.contains("\"default\":\"de\""));
        assert!(script.contains("\"ja\":{") && !script.contains("\"fr\":{"));
        assert!(!script.contains("_comment") && !script.contains('<'));
        assert_eq!(catalogs.dir(), "ltr");
        let all = Catalogs::load(&theme, "en", &[]).expect("loads");
        let codes: Vec<&str> = all.offered.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(codes, SHIPPED);
    }
}
