//! The facts of `AndroidManifest.xml`, with references resolved against `resources.arsc`.

use std::collections::BTreeMap;

use super::arsc::{self, Table};
use super::axml::Element;
use super::chunk::Value;

/// Framework attribute ids (`android.R.attr`): Android matches attributes by these.
mod attr {
    pub const LABEL: u32 = 0x0101_0001;
    pub const ICON: u32 = 0x0101_0002;
    pub const DEBUGGABLE: u32 = 0x0101_000f;
    pub const MIN_SDK: u32 = 0x0101_020c;
    pub const VERSION_CODE: u32 = 0x0101_021b;
    pub const VERSION_NAME: u32 = 0x0101_021c;
    pub const TARGET_SDK: u32 = 0x0101_0270;
    pub const TEST_ONLY: u32 = 0x0101_0272;
}

/// What the manifest says, references resolved where the table allows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    pub package: String,
    pub version_name: Option<String>,
    pub version_code: Option<i64>,
    pub min_sdk: Option<u32>,
    pub target_sdk: Option<u32>,
    /// The `split` attribute of a split (configuration or feature) APK.
    pub split: Option<String>,
    /// The application label in the default locale.
    pub label: Option<String>,
    /// Locale → label, for locales that define their own.
    pub labels: BTreeMap<String, String>,
    /// The application icon as written in the manifest (usually a reference).
    pub icon: Option<Value>,
    pub debuggable: bool,
    pub test_only: bool,
}

/// Reads the facts from the parsed root and its children; `table` resolves references.
pub fn facts(elements: &[Element], table: Option<&Table<'_>>) -> Result<Manifest, String> {
    let root = &elements[0];
    if root.name != "manifest" {
        return Err(format!(
            "the root element is <{}>, not <manifest>",
            root.name
        ));
    }
    let child = |name: &str| elements[1..].iter().find(|e| e.name == name);
    let resolve = |value: Option<&Value>| -> Option<Value> {
        let value = value?;
        match table {
            Some(table) => table.resolve(value, arsc::default_config),
            None => Some(value.clone()),
        }
    };
    let text = |value: Option<Value>| match value? {
        Value::String(s) => Some(s),
        Value::Int(i) => Some(i.to_string()),
        _ => None,
    };
    let flag = |element: Option<&Element>, id: u32, name: &str| {
        let value = resolve(element.and_then(|e| e.attribute(Some(id), name)));
        matches!(value, Some(Value::Bool(true)))
    };
    let package = match root.attribute(None, "package") {
        Some(Value::String(p)) if !p.is_empty() => p.clone(),
        _ => return Err("the <manifest> element has no package name".to_string()),
    };
    let uses_sdk = child("uses-sdk");
    let sdk = |id: u32, name: &str| sdk_level(resolve(uses_sdk?.attribute(Some(id), name))?);
    let application = child("application");
    let label_value = application.and_then(|a| a.attribute(Some(attr::LABEL), "label"));
    let (label, labels) = labels(label_value, table);
    Ok(Manifest {
        package,
        version_name: text(resolve(
            root.attribute(Some(attr::VERSION_NAME), "versionName"),
        )),
        version_code: match resolve(root.attribute(Some(attr::VERSION_CODE), "versionCode")) {
            Some(Value::Int(code)) => Some(i64::from(code as u32)),
            Some(Value::String(code)) => code.trim().parse().ok(),
            _ => None,
        },
        min_sdk: sdk(attr::MIN_SDK, "minSdkVersion"),
        target_sdk: sdk(attr::TARGET_SDK, "targetSdkVersion"),
        split: match root.attribute(None, "split") {
            Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
            _ => None,
        },
        label,
        labels,
        icon: application
            .and_then(|a| a.attribute(Some(attr::ICON), "icon"))
            .cloned(),
        debuggable: flag(application, attr::DEBUGGABLE, "debuggable"),
        test_only: flag(application, attr::TEST_ONLY, "testOnly"),
    })
}

/// The default label and the labels of locales that define their own.
fn labels(
    value: Option<&Value>,
    table: Option<&Table<'_>>,
) -> (Option<String>, BTreeMap<String, String>) {
    let mut labels = BTreeMap::new();
    let Some(value) = value else {
        return (None, labels);
    };
    let (Value::Reference(id), Some(table)) = (value, table) else {
        let literal = match value {
            Value::String(s) => Some(s.clone()),
            _ => None,
        };
        return (literal, labels);
    };
    let values = table.values(*id);
    let as_text = |v: &Value| match table.resolve(v, arsc::default_config) {
        Some(Value::String(s)) => Some(s),
        _ => None,
    };
    let default = arsc::default_config(&values).and_then(|i| as_text(&values[i].1));
    for (config, value) in &values {
        if config.locale.is_empty() || labels.contains_key(&config.locale) {
            continue;
        }
        if let Some(text) = as_text(value) {
            labels.insert(config.locale.clone(), text);
        }
    }
    (default, labels)
}

/// An SDK level: a number, or a platform codename standing for the level it became.
pub fn sdk_level(value: Value) -> Option<u32> {
    match value {
        Value::Int(level) => u32::try_from(level).ok(),
        Value::String(text) => {
            let text = text.trim();
            text.parse().ok().or_else(|| codename_level(text))
        }
        _ => None,
    }
}

/// The API level a codename stands for (a preview SDK targets the level it becomes).
pub fn codename_level(codename: &str) -> Option<u32> {
    const CODENAMES: &[(&str, u32)] = &[
        ("Cupcake", 3),
        ("Donut", 4),
        ("Eclair", 7),
        ("Froyo", 8),
        ("Gingerbread", 10),
        ("Honeycomb", 13),
        ("IceCreamSandwich", 15),
        ("JellyBean", 18),
        ("KitKat", 19),
        ("Lollipop", 22),
        ("M", 23),
        ("N", 25),
        ("O", 27),
        ("P", 28),
        ("Q", 29),
        ("R", 30),
        ("S", 31),
        ("Sv2", 32),
        ("Tiramisu", 33),
        ("UpsideDownCake", 34),
        ("VanillaIceCream", 35),
        ("Baklava", 36),
    ];
    CODENAMES
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(codename))
        .map(|&(_, level)| level)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codenames_become_api_levels() {
        assert_eq!(sdk_level(Value::String("VanillaIceCream".into())), Some(35));
        assert_eq!(sdk_level(Value::String("21".into())), Some(21));
        assert_eq!(sdk_level(Value::Int(26)), Some(26));
        assert_eq!(sdk_level(Value::String("Unknown".into())), None);
    }
}
