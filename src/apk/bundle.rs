//! App bundles (`.aab`): the base module's manifest and resources are aapt2 protobuf messages
//! (`XmlNode`, `ResourceTable`), not the binary XML of an APK.

use std::collections::{BTreeMap, BTreeSet};

use super::axml::{Attribute, Element};
use super::chunk::Value;
use super::manifest::{self, Manifest};
use super::proto;

/// The most elements kept from the manifest: the root and its children.
const MAX_ELEMENTS: usize = 20_000;

/// A bundle's modules: the top-level folders holding `manifest/AndroidManifest.xml`.
pub fn modules(names: &[String]) -> Vec<String> {
    names
        .iter()
        .filter_map(|n| n.strip_suffix("/manifest/AndroidManifest.xml"))
        .filter(|m| !m.is_empty() && !m.contains('/'))
        .map(str::to_string)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// The facts of a protobuf manifest; `resources` (`resources.pb`) resolves the label.
pub fn manifest(bytes: &[u8], resources: Option<&[u8]>) -> Result<Manifest, String> {
    let root = proto::message(bytes, 1).ok_or("not a protobuf XML document (no root element)")?;
    let mut elements = vec![element(root, 1)];
    for child in proto::messages(root, 5).filter_map(|node| proto::message(node, 1)) {
        if elements.len() >= MAX_ELEMENTS {
            return Err(format!("more than {MAX_ELEMENTS} top-level elements"));
        }
        elements.push(element(child, 2));
    }
    let mut facts = manifest::facts(&elements, None)?;
    let label = elements
        .iter()
        .find(|e| e.depth == 2 && e.name == "application")
        .and_then(|a| a.attribute(Some(0x0101_0001), "label"));
    if let (Some(Value::Reference(id)), Some(resources)) = (label, resources) {
        let (default, labels) = strings(resources, *id);
        facts.label = default;
        facts.labels = labels;
    }
    Ok(facts)
}

/// An `XmlElement`: name (3), attributes (4).
fn element(message: &[u8], depth: u32) -> Element {
    Element {
        depth,
        name: proto::string(message, 3).unwrap_or_default(),
        attributes: proto::messages(message, 4).map(attribute).collect(),
    }
}

/// An `XmlAttribute`: name (2), value text (3), resource id (5), compiled item (6).
fn attribute(message: &[u8]) -> Attribute {
    let text = proto::string(message, 3).unwrap_or_default();
    let compiled = proto::message(message, 6);
    let reference = compiled
        .and_then(|item| proto::message(item, 1))
        .and_then(|r| proto::varint_field(r, 2));
    let primitive = compiled.and_then(|item| proto::message(item, 7));
    let value = match (reference, primitive) {
        (Some(id), _) => Value::Reference(id as u32),
        (None, Some(p)) => primitive_value(p).unwrap_or(Value::String(text)),
        (None, None) => Value::String(text),
    };
    Attribute {
        name: proto::string(message, 2).unwrap_or_default(),
        resource_id: proto::varint_field(message, 5).map(|id| id as u32),
        value,
    }
}

/// A `Primitive`: int decimal (6), int hex (7), boolean (8).
fn primitive_value(message: &[u8]) -> Option<Value> {
    proto::fields(message).find_map(|(number, field)| match (number, field) {
        (6 | 7, proto::Field::Varint(v)) => Some(Value::Int(i64::from(v as u32 as i32))),
        (8, proto::Field::Varint(v)) => Some(Value::Bool(v != 0)),
        _ => None,
    })
}

/// The string values of resource `id` in a `ResourceTable`: the default locale's, and each
/// locale's own.
fn strings(table: &[u8], id: u32) -> (Option<String>, BTreeMap<String, String>) {
    let wanted = |message: &[u8], number: u64, id: u32| {
        proto::message(message, number)
            .and_then(|m| proto::varint_field(m, 1))
            .unwrap_or(0)
            == u64::from(id)
    };
    let mut default = None;
    let mut labels = BTreeMap::new();
    let entries = proto::messages(table, 2)
        .filter(|p| wanted(p, 1, id >> 24))
        .flat_map(|p| proto::messages(p, 3))
        .filter(|t| wanted(t, 1, (id >> 16) & 0xff))
        .flat_map(|t| proto::messages(t, 3))
        .filter(|e| wanted(e, 1, id & 0xffff));
    for entry in entries {
        for config_value in proto::messages(entry, 6) {
            let locale = proto::message(config_value, 1)
                .and_then(|c| proto::string(c, 3))
                .unwrap_or_default();
            let text = proto::message(config_value, 2)
                .and_then(|v| proto::message(v, 4))
                .and_then(|item| proto::message(item, 2))
                .and_then(|s| proto::string(s, 1));
            let Some(text) = text else { continue };
            if locale.is_empty() {
                default.get_or_insert(text);
            } else {
                labels.entry(locale).or_insert(text);
            }
        }
    }
    (default, labels)
}
