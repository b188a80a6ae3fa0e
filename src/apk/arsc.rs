//! `resources.arsc`: the compiled resource table that manifest references (`@7F040000`) point
//! into. Only what otasite needs is read: simple values per configuration (locale, density,
//! SDK level); style and array bags are skipped.

use super::chunk::{self, Chunk, StringPool, Value, error, u8_at, u16_at, u32_at};

const TABLE: u16 = 0x0002;
const PACKAGE: u16 = 0x0200;
const TYPE: u16 = 0x0201;

const FLAG_SPARSE: u8 = 0x01;
const FLAG_OFFSET16: u8 = 0x02;
const ENTRY_COMPLEX: u16 = 0x0001;
const ENTRY_COMPACT: u16 = 0x0008;
const NO_ENTRY: u32 = u32::MAX;

/// The most type chunks indexed: real apps have a few thousand configurations at most.
const MAX_TYPE_CHUNKS: usize = 100_000;

/// References followed one after another before giving up (a cycle, or a chain made to hang).
pub const MAX_REFERENCE_DEPTH: usize = 8;

/// `density` in a configuration: "any density" (adaptive icon XML) and "no density".
pub const DENSITY_ANY: u16 = 0xfffe;
pub const DENSITY_NONE: u16 = 0xffff;

/// The qualifiers of one configuration that otasite looks at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// `fr`, `pt-BR`, or empty for the default locale.
    pub locale: String,
    pub density: u16,
    pub sdk: u16,
    /// Any other qualifier is set (night mode, screen size, …).
    pub qualified: bool,
}

/// A parsed resource table: its global string pool and, per package, its type chunks.
pub struct Table<'a> {
    bytes: &'a [u8],
    strings: StringPool<'a>,
    packages: Vec<Package>,
}

struct Package {
    id: u32,
    types: Vec<TypeChunk>,
}

struct TypeChunk {
    id: u8,
    chunk: Chunk,
    flags: u8,
    count: usize,
    entries: usize,
    config: Config,
}

impl<'a> Table<'a> {
    pub fn parse(bytes: &'a [u8]) -> chunk::Result<Table<'a>> {
        let root = Chunk::at(bytes, 0, bytes.len())?;
        if root.kind != TABLE {
            return error(format!(
                "not a resource table (chunk type 0x{:04x})",
                root.kind
            ));
        }
        let mut strings = None;
        let mut packages = Vec::new();
        let mut type_chunks = 0usize;
        for child in chunk::children(bytes, root.body(), root.end()) {
            let child = child?;
            match child.kind {
                chunk::STRING_POOL if strings.is_none() => {
                    strings = Some(StringPool::parse(bytes, child)?)
                }
                PACKAGE => {
                    let package = package(bytes, child, &mut type_chunks)?;
                    packages.push(package);
                }
                _ => {}
            }
        }
        let Some(strings) = strings else {
            return error("the resource table has no string pool");
        };
        Ok(Table {
            bytes,
            strings,
            packages,
        })
    }

    /// Every simple value of resource `id`, with the configuration it applies to.
    pub fn values(&self, id: u32) -> Vec<(Config, Value)> {
        let Some(package) = self.package_for(id >> 24) else {
            return Vec::new();
        };
        let type_id = ((id >> 16) & 0xff) as u8;
        let entry = (id & 0xffff) as usize;
        package
            .types
            .iter()
            .filter(|t| t.id == type_id)
            .filter_map(|t| {
                let value = self.entry(t, entry).ok().flatten()?;
                Some((t.config.clone(), value))
            })
            .collect()
    }

    /// The package an id's top byte names; a shared-library or dynamic id (package 0) and an
    /// unknown one fall back to the table's only package.
    fn package_for(&self, id: u32) -> Option<&Package> {
        self.packages
            .iter()
            .find(|p| p.id == id)
            .or(match self.packages.as_slice() {
                [only] => Some(only),
                _ => None,
            })
    }

    fn entry(&self, t: &TypeChunk, index: usize) -> chunk::Result<Option<Value>> {
        let bytes = &self.bytes[..t.chunk.end()];
        let offsets = t.chunk.body();
        let offset = if t.flags & FLAG_SPARSE != 0 {
            let mut found = None;
            for slot in 0..t.count {
                let at = offsets + slot * 4;
                if usize::from(u16_at(bytes, at)?) == index {
                    found = Some(u32::from(u16_at(bytes, at + 2)?) * 4);
                    break;
                }
            }
            match found {
                Some(offset) => offset,
                None => return Ok(None),
            }
        } else if index >= t.count {
            return Ok(None);
        } else if t.flags & FLAG_OFFSET16 != 0 {
            match u16_at(bytes, offsets + index * 2)? {
                u16::MAX => return Ok(None),
                offset => u32::from(offset) * 4,
            }
        } else {
            match u32_at(bytes, offsets + index * 4)? {
                NO_ENTRY => return Ok(None),
                offset => offset,
            }
        };
        let at = t
            .chunk
            .start
            .saturating_add(t.entries)
            .saturating_add(offset as usize);
        let size = usize::from(u16_at(bytes, at)?);
        let flags = u16_at(bytes, at + 2)?;
        let (kind, data) = if flags & ENTRY_COMPACT != 0 {
            ((flags >> 8) as u8, u32_at(bytes, at + 4)?)
        } else if flags & ENTRY_COMPLEX != 0 {
            return Ok(None);
        } else {
            let value = at.saturating_add(size);
            (u8_at(bytes, value + 3)?, u32_at(bytes, value + 4)?)
        };
        Value::decode(kind, data, &self.strings).map(Some)
    }

    /// Follows references from `value` until a non-reference in the configuration `pick`
    /// chooses, at most [`MAX_REFERENCE_DEPTH`] steps.
    pub fn resolve(
        &self,
        value: &Value,
        pick: impl Fn(&[(Config, Value)]) -> Option<usize>,
    ) -> Option<Value> {
        let mut current = value.clone();
        for _ in 0..MAX_REFERENCE_DEPTH {
            let Value::Reference(id) = current else {
                return Some(current);
            };
            let values = self.values(id);
            current = values.get(pick(&values)?)?.1.clone();
        }
        None
    }
}

/// The index of the default-locale value, preferring one with no other qualifier.
pub fn default_config(values: &[(Config, Value)]) -> Option<usize> {
    let unlocalised = |c: &Config| c.locale.is_empty();
    values
        .iter()
        .position(|(c, _)| unlocalised(c) && !c.qualified && c.density == 0)
        .or_else(|| values.iter().position(|(c, _)| unlocalised(c)))
        .or(if values.is_empty() { None } else { Some(0) })
}

fn package(bytes: &[u8], chunk: Chunk, type_chunks: &mut usize) -> chunk::Result<Package> {
    let id = u32_at(bytes, chunk.start + 8)?;
    let mut types = Vec::new();
    for child in chunk::children(bytes, chunk.body(), chunk.end()) {
        let child = child?;
        if child.kind != TYPE {
            continue;
        }
        *type_chunks += 1;
        if *type_chunks > MAX_TYPE_CHUNKS {
            return error(format!(
                "the resource table has more than {MAX_TYPE_CHUNKS} type chunks"
            ));
        }
        types.push(type_chunk(bytes, child)?);
    }
    Ok(Package { id, types })
}

fn type_chunk(bytes: &[u8], chunk: Chunk) -> chunk::Result<TypeChunk> {
    let at = chunk.start;
    let id = u8_at(bytes, at + 8)?;
    let flags = u8_at(bytes, at + 9)?;
    let count = u32_at(bytes, at + 12)? as usize;
    let entries = u32_at(bytes, at + 16)? as usize;
    let slot = if flags & (FLAG_SPARSE | FLAG_OFFSET16) == FLAG_OFFSET16 {
        2
    } else {
        4
    };
    if count
        .checked_mul(slot)
        .and_then(|n| n.checked_add(chunk.body()))
        .is_none_or(|e| e > chunk.end())
    {
        return error(format!(
            "type chunk at offset {at} claims {count} entries, more than its {} bytes hold",
            chunk.size
        ));
    }
    let config = config(&bytes[..chunk.body()], at + 20)?;
    Ok(TypeChunk {
        id,
        chunk,
        flags,
        count,
        entries,
        config,
    })
}

/// Reads a `ResTable_config`; fields beyond its declared size are zero.
fn config(bytes: &[u8], at: usize) -> chunk::Result<Config> {
    let size = u32_at(bytes, at)? as usize;
    let declared = bytes.get(at..at.saturating_add(size)).unwrap_or(&[]);
    let field = |offset: usize, len: usize| -> &[u8] {
        declared.get(offset..offset + len).unwrap_or(&[0, 0][..len])
    };
    let u16_field = |offset: usize| {
        let b = field(offset, 2);
        u16::from_le_bytes([b[0], b[1]])
    };
    let language = unpack_locale(field(8, 2), b'a');
    let region = unpack_locale(field(10, 2), b'0');
    let locale = match (language.is_empty(), region.is_empty()) {
        (true, _) => String::new(),
        (false, true) => language,
        (false, false) => format!("{language}-{region}"),
    };
    // Everything but size, locale (8..12), density (14..16) and SDK level (24..26).
    let qualified = declared.iter().enumerate().skip(4).any(|(i, &b)| {
        b != 0 && !(8..12).contains(&i) && !(14..16).contains(&i) && !(24..26).contains(&i)
    });
    Ok(Config {
        locale,
        density: u16_field(14),
        sdk: u16_field(24),
        qualified,
    })
}

/// Two bytes of a language or region: two ASCII letters, or three letters packed in 15 bits.
fn unpack_locale(bytes: &[u8], base: u8) -> String {
    let (first, second) = (bytes[0], bytes[1]);
    if first == 0 {
        return String::new();
    }
    if first & 0x80 == 0 {
        return [first, second]
            .iter()
            .filter(|b| b.is_ascii_alphanumeric())
            .map(|&b| char::from(b))
            .collect();
    }
    let letters = [
        second & 0x1f,
        ((second & 0xe0) >> 5) | ((first & 0x03) << 3),
        (first & 0x7c) >> 2,
    ];
    letters
        .iter()
        .map(|&l| char::from(base.saturating_add(l)))
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::unpack_locale;

    #[test]
    fn locales_unpack_from_two_and_three_letters() {
        assert_eq!(unpack_locale(b"fr", b'a'), "fr");
        assert_eq!(unpack_locale(&[0, 0], b'a'), "");
        // "fil" packed: f=5, i=8, l=11.
        let packed: u16 = 0x8000 | (11 << 10) | (8 << 5) | 5;
        let [lo, hi] = packed.to_le_bytes();
        assert_eq!(unpack_locale(&[hi, lo], b'a'), "fil");
    }
}
