//! The chunk format shared by binary XML (`AndroidManifest.xml`) and `resources.arsc`: every
//! chunk starts with `type: u16, header_size: u16, size: u32`, and string pools hold the text.
//!
//! Every read is bounds-checked: the input is untrusted (malware corpora carry manifests with
//! wrong chunk sizes and bogus string pools made to crash parsers), so a lie is an error.

use std::fmt;

/// Why a binary chunk could not be read: one line saying what and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkError(pub String);

impl fmt::Display for ChunkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

pub type Result<T> = std::result::Result<T, ChunkError>;

pub fn error<T>(message: impl Into<String>) -> Result<T> {
    Err(ChunkError(message.into()))
}

/// Little-endian reads at absolute offsets, each failing past the end instead of panicking.
pub fn u8_at(bytes: &[u8], at: usize) -> Result<u8> {
    match bytes.get(at) {
        Some(&b) => Ok(b),
        None => error(format!("truncated at offset {at}")),
    }
}

pub fn u16_at(bytes: &[u8], at: usize) -> Result<u16> {
    let slice = slice(bytes, at, 2)?;
    Ok(u16::from_le_bytes([slice[0], slice[1]]))
}

pub fn u32_at(bytes: &[u8], at: usize) -> Result<u32> {
    let slice = slice(bytes, at, 4)?;
    Ok(u32::from_le_bytes([slice[0], slice[1], slice[2], slice[3]]))
}

pub fn slice(bytes: &[u8], at: usize, len: usize) -> Result<&[u8]> {
    at.checked_add(len)
        .and_then(|end| bytes.get(at..end))
        .map_or_else(|| error(format!("truncated at offset {at}")), Ok)
}

/// One chunk's header, checked against the bytes that hold it.
#[derive(Debug, Clone, Copy)]
pub struct Chunk {
    pub kind: u16,
    pub start: usize,
    pub header_size: usize,
    pub size: usize,
}

impl Chunk {
    /// Reads the chunk header at `start`; the chunk must fit inside `bytes[..end]`.
    pub fn at(bytes: &[u8], start: usize, end: usize) -> Result<Chunk> {
        let kind = u16_at(bytes, start)?;
        let header_size = usize::from(u16_at(bytes, start + 2)?);
        let size = u32_at(bytes, start + 4)? as usize;
        if header_size < 8 || size < header_size {
            return error(format!(
                "chunk 0x{kind:04x} at offset {start} has header size {header_size} and size {size}"
            ));
        }
        if start.checked_add(size).is_none_or(|e| e > end) {
            return error(format!(
                "chunk 0x{kind:04x} at offset {start} claims {size} bytes, past the end of its parent at {end}"
            ));
        }
        Ok(Chunk {
            kind,
            start,
            header_size,
            size,
        })
    }

    pub fn end(&self) -> usize {
        self.start + self.size
    }

    pub fn body(&self) -> usize {
        self.start + self.header_size
    }
}

/// The child chunks between `start` and `end`, each validated before it is yielded.
pub fn children(
    bytes: &[u8],
    start: usize,
    end: usize,
) -> impl Iterator<Item = Result<Chunk>> + '_ {
    let mut at = start;
    let mut failed = false;
    std::iter::from_fn(move || {
        // A trailing stub shorter than a chunk header is padding some tools leave.
        if failed || at.saturating_add(8) > end {
            return None;
        }
        let chunk = Chunk::at(bytes, at, end);
        match &chunk {
            Ok(c) => at = c.end(),
            Err(_) => failed = true,
        }
        Some(chunk)
    })
}

pub const STRING_POOL: u16 = 0x0001;
const UTF8_FLAG: u32 = 1 << 8;

/// The longest string otasite decodes from a pool: labels and paths are short; a longer one
/// is cut (never an error, since nothing here needs it whole).
const MAX_STRING_UNITS: usize = 64 << 10;

/// A string pool: decoded on demand, so a pool that claims millions of strings costs nothing
/// until one is asked for.
#[derive(Debug, Clone, Copy)]
pub struct StringPool<'a> {
    bytes: &'a [u8],
    offsets: usize,
    count: usize,
    strings: usize,
    end: usize,
    utf8: bool,
}

impl<'a> StringPool<'a> {
    pub fn parse(bytes: &'a [u8], chunk: Chunk) -> Result<StringPool<'a>> {
        if chunk.kind != STRING_POOL {
            return error(format!(
                "expected a string pool at offset {}, found chunk 0x{:04x}",
                chunk.start, chunk.kind
            ));
        }
        let count = u32_at(bytes, chunk.start + 8)? as usize;
        let flags = u32_at(bytes, chunk.start + 16)?;
        let strings_start = u32_at(bytes, chunk.start + 20)? as usize;
        let offsets = chunk.body();
        if count
            .checked_mul(4)
            .and_then(|n| n.checked_add(offsets))
            .is_none_or(|e| e > chunk.end())
        {
            return error(format!(
                "string pool at offset {} claims {count} strings, more than its {} bytes hold",
                chunk.start, chunk.size
            ));
        }
        let strings = chunk.start.saturating_add(strings_start);
        if count > 0 && strings > chunk.end() {
            return error(format!(
                "string pool at offset {} puts its strings past its end",
                chunk.start
            ));
        }
        Ok(StringPool {
            bytes,
            offsets,
            count,
            strings,
            end: chunk.end(),
            utf8: flags & UTF8_FLAG != 0,
        })
    }

    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The string at `index`, or an error when the index or its bytes are out of range.
    pub fn get(&self, index: u32) -> Result<String> {
        let index = index as usize;
        if index >= self.count {
            return error(format!(
                "string index {index} is beyond the pool's {} strings",
                self.count
            ));
        }
        let offset = u32_at(self.bytes, self.offsets + index * 4)? as usize;
        let at = self.strings.saturating_add(offset);
        let data = self
            .bytes
            .get(at..self.end)
            .map_or_else(|| error(format!("string {index} starts past its pool")), Ok)?;
        if self.utf8 {
            decode_utf8(data)
        } else {
            decode_utf16(data)
        }
        .map_err(|e| ChunkError(format!("string {index}: {e}")))
    }
}

/// UTF-8 pool entry: UTF-16 length, UTF-8 length (each 1 or 2 bytes), then the bytes.
fn decode_utf8(data: &[u8]) -> Result<String> {
    let length = |at: usize| -> Result<(usize, usize)> {
        let first = usize::from(u8_at(data, at)?);
        if first & 0x80 == 0 {
            return Ok((first, 1));
        }
        let second = usize::from(u8_at(data, at + 1)?);
        Ok((((first & 0x7f) << 8) | second, 2))
    };
    let (_, skip) = length(0)?;
    let (len, skip2) = length(skip)?;
    let start = skip + skip2;
    let len = len.min(MAX_STRING_UNITS);
    let text = slice(data, start, len)?;
    Ok(String::from_utf8_lossy(text).into_owned())
}

/// UTF-16 pool entry: length in units (1 or 2 u16s), then the units.
fn decode_utf16(data: &[u8]) -> Result<String> {
    let first = usize::from(u16_at(data, 0)?);
    let (len, start) = if first & 0x8000 == 0 {
        (first, 2)
    } else {
        let second = usize::from(u16_at(data, 2)?);
        (((first & 0x7fff) << 16) | second, 4)
    };
    let len = len.min(MAX_STRING_UNITS);
    let raw = slice(data, start, len * 2)?;
    let units = raw
        .chunks_exact(2)
        .map(|p| u16::from_le_bytes([p[0], p[1]]));
    Ok(char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect())
}

/// A typed value (`Res_value`) as stored in XML attributes and resource entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    String(String),
    /// A resource id to look up in `resources.arsc`.
    Reference(u32),
    Int(i64),
    Bool(bool),
    /// Any other type (float, dimension, colour, …): its type and raw data.
    Other(u8, u32),
}

pub const TYPE_REFERENCE: u8 = 0x01;
pub const TYPE_STRING: u8 = 0x03;
pub const TYPE_DYNAMIC_REFERENCE: u8 = 0x07;
pub const TYPE_INT_DEC: u8 = 0x10;
pub const TYPE_INT_HEX: u8 = 0x11;
pub const TYPE_BOOLEAN: u8 = 0x12;

impl Value {
    /// Decodes a `Res_value`'s type and data; strings come from `pool`.
    pub fn decode(kind: u8, data: u32, pool: &StringPool<'_>) -> Result<Value> {
        Ok(match kind {
            TYPE_STRING => Value::String(pool.get(data)?),
            TYPE_REFERENCE | TYPE_DYNAMIC_REFERENCE => Value::Reference(data),
            TYPE_INT_DEC | TYPE_INT_HEX => Value::Int(i64::from(data as i32)),
            TYPE_BOOLEAN => Value::Bool(data != 0),
            other => Value::Other(other, data),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool_bytes(strings: &[&str], utf8: bool) -> Vec<u8> {
        let mut data = Vec::new();
        let mut offsets = Vec::new();
        for s in strings {
            offsets.push(data.len() as u32);
            if utf8 {
                data.push(s.chars().count() as u8);
                data.push(s.len() as u8);
                data.extend_from_slice(s.as_bytes());
                data.push(0);
            } else {
                let units: Vec<u16> = s.encode_utf16().collect();
                data.extend_from_slice(&(units.len() as u16).to_le_bytes());
                for u in units {
                    data.extend_from_slice(&u.to_le_bytes());
                }
                data.extend_from_slice(&[0, 0]);
            }
        }
        let header = 28usize;
        let strings_start = header + offsets.len() * 4;
        let mut out = Vec::new();
        out.extend_from_slice(&STRING_POOL.to_le_bytes());
        out.extend_from_slice(&(header as u16).to_le_bytes());
        out.extend_from_slice(&((strings_start + data.len()) as u32).to_le_bytes());
        out.extend_from_slice(&(strings.len() as u32).to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&(if utf8 { UTF8_FLAG } else { 0 }).to_le_bytes());
        out.extend_from_slice(&(strings_start as u32).to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        for o in offsets {
            out.extend_from_slice(&o.to_le_bytes());
        }
        out.extend_from_slice(&data);
        out
    }

    #[test]
    fn pools_decode_both_encodings() {
        for utf8 in [true, false] {
            let bytes = pool_bytes(&["package", "Größe"], utf8);
            let chunk = Chunk::at(&bytes, 0, bytes.len()).unwrap();
            let pool = StringPool::parse(&bytes, chunk).unwrap();
            assert_eq!(pool.get(0).unwrap(), "package");
            assert_eq!(pool.get(1).unwrap(), "Größe");
            assert!(pool.get(2).is_err());
        }
    }

    #[test]
    fn a_pool_claiming_more_strings_than_it_holds_is_refused() {
        let mut bytes = pool_bytes(&["a"], true);
        bytes[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
        let chunk = Chunk::at(&bytes, 0, bytes.len()).unwrap();
        assert!(StringPool::parse(&bytes, chunk).is_err());
    }

    #[test]
    fn a_chunk_larger_than_its_parent_is_refused() {
        let mut bytes = pool_bytes(&["a"], true);
        bytes[4..8].copy_from_slice(&1_000_000u32.to_le_bytes());
        assert!(Chunk::at(&bytes, 0, bytes.len()).is_err());
    }
}
