//! Android's binary XML (`AndroidManifest.xml` inside an APK, compiled drawables): the
//! manifest's root element and its direct children, which hold every fact otasite reports, or
//! a drawable's whole element tree.

use super::chunk::{self, Chunk, StringPool, Value, error, u16_at, u32_at};

const XML: u16 = 0x0003;
const RESOURCE_MAP: u16 = 0x0180;
const START_ELEMENT: u16 = 0x0102;
const END_ELEMENT: u16 = 0x0103;

/// The most elements kept (the root and its children): a real manifest has a few hundred.
const MAX_ELEMENTS: usize = 20_000;

/// An element of the manifest: its depth (1 = root), name and attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    pub depth: u32,
    pub name: String,
    pub attributes: Vec<Attribute>,
}

/// One attribute: its name, the framework resource id naming it (Android matches attributes
/// by this id, not by the name string, so obfuscated names still count), and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    pub name: String,
    pub resource_id: Option<u32>,
    pub value: Value,
}

impl Element {
    /// The attribute whose resource id is `id`, else the one named `name`.
    pub fn attribute(&self, id: Option<u32>, name: &str) -> Option<&Value> {
        id.and_then(|id| self.attributes.iter().find(|a| a.resource_id == Some(id)))
            .or_else(|| {
                self.attributes
                    .iter()
                    .find(|a| a.resource_id.is_none() && a.name == name)
            })
            .map(|a| &a.value)
    }
}

/// Parses a binary XML document into its root element and the root's children, in order
/// (deeper elements are skipped).
pub fn parse(bytes: &[u8]) -> chunk::Result<Vec<Element>> {
    parse_to_depth(bytes, 2, Deeper::Skip)
}

/// Parses every element of a binary XML document in document order, each with its depth, so
/// the tree can be rebuilt; an element nested deeper than `max_depth` is an error.
pub fn parse_tree(bytes: &[u8], max_depth: u32) -> chunk::Result<Vec<Element>> {
    parse_to_depth(bytes, max_depth, Deeper::Refuse)
}

/// What to do with an element nested deeper than asked for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Deeper {
    Skip,
    Refuse,
}

fn parse_to_depth(bytes: &[u8], max_depth: u32, deeper: Deeper) -> chunk::Result<Vec<Element>> {
    let root = Chunk::at(bytes, 0, bytes.len())?;
    if root.kind != XML {
        return error(format!(
            "not a binary XML document (chunk type 0x{:04x})",
            root.kind
        ));
    }
    let mut pool = None;
    let mut resource_ids: &[u8] = &[];
    let mut depth = 0u32;
    let mut elements = Vec::new();
    for child in chunk::children(bytes, root.body(), root.end()) {
        let child = child?;
        match child.kind {
            chunk::STRING_POOL if pool.is_none() => pool = Some(StringPool::parse(bytes, child)?),
            RESOURCE_MAP => resource_ids = &bytes[child.body()..child.end()],
            START_ELEMENT => {
                depth = depth.saturating_add(1);
                if depth > max_depth {
                    if deeper == Deeper::Refuse {
                        return error(format!("elements are nested deeper than {max_depth}"));
                    }
                    continue;
                }
                let Some(pool) = &pool else {
                    return error("an element comes before the string pool");
                };
                if elements.len() >= MAX_ELEMENTS {
                    return error(format!("more than {MAX_ELEMENTS} elements"));
                }
                elements.push(element(bytes, child, pool, resource_ids, depth)?);
            }
            END_ELEMENT => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    if elements.first().is_none_or(|e| e.depth != 1) {
        return error("the document has no root element");
    }
    Ok(elements)
}

fn element(
    bytes: &[u8],
    chunk: Chunk,
    pool: &StringPool<'_>,
    resource_ids: &[u8],
    depth: u32,
) -> chunk::Result<Element> {
    let ext = chunk.body();
    let name = pool.get(u32_at(bytes, ext + 4)?)?;
    let attribute_start = usize::from(u16_at(bytes, ext + 8)?);
    let attribute_size = usize::from(u16_at(bytes, ext + 10)?);
    let count = usize::from(u16_at(bytes, ext + 12)?);
    if count > 0 && attribute_size < 20 {
        return error(format!(
            "element {name:?} has attributes of {attribute_size} bytes, fewer than the 20 each needs"
        ));
    }
    let body = &bytes[..chunk.end()];
    let mut attributes = Vec::with_capacity(count.min(64));
    for index in 0..count {
        let at = ext + attribute_start + index * attribute_size;
        let name_index = u32_at(body, at + 4)?;
        let raw = u32_at(body, at + 8)?;
        let kind = chunk::u8_at(body, at + 15)?;
        let data = u32_at(body, at + 16)?;
        let resource_id = resource_ids
            .get(name_index as usize * 4..name_index as usize * 4 + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .filter(|&id| id != 0);
        // A name outside the pool is tolerated when the resource id names the attribute.
        let name = match pool.get(name_index) {
            Ok(name) => name,
            Err(_) if resource_id.is_some() => String::new(),
            Err(e) => return Err(e),
        };
        // Android reads a string attribute from its raw value when one is given.
        let value = if kind == chunk::TYPE_STRING && raw != u32::MAX {
            Value::String(pool.get(raw)?)
        } else {
            Value::decode(kind, data, pool)?
        };
        attributes.push(Attribute {
            name,
            resource_id,
            value,
        });
    }
    Ok(Element {
        depth,
        name,
        attributes,
    })
}
