//! Property lists are untrusted: before one is handed to the `plist` crate, its shape is
//! checked so that parsing cannot overflow the stack or exhaust memory.
//!
//! Two shapes are refused. Nesting deeper than [`MAX_DEPTH`]: building and dropping a parsed
//! `Value` recurses once per level. And, for binary plists, objects shared by reference: the
//! parser copies a shared object once per reference, so a few KiB whose levels each refer to
//! the next a thousand times expand to billions of values. The expanded size is computed here
//! with each object visited once, and refused beyond [`MAX_VALUES`] values or
//! [`MAX_PAYLOAD_BYTES`] of strings and data. XML and ASCII plists have no references: what
//! they expand to is bounded by their length.

/// Deeper than any real property list nests.
pub const MAX_DEPTH: usize = 512;

/// The most values (dictionaries, arrays, strings, numbers, …) a binary plist may expand to.
/// A real Info.plist or profile holds a few thousand.
pub const MAX_VALUES: u64 = 1 << 20;

/// The most bytes of strings and data a binary plist may expand to.
pub const MAX_PAYLOAD_BYTES: u64 = 64 << 20;

/// Refuses property lists (binary, XML or ASCII) nested deeper than [`MAX_DEPTH`], and binary
/// ones whose shared references expand beyond [`MAX_VALUES`] or [`MAX_PAYLOAD_BYTES`]. Syntax
/// errors are left for the real parse to report.
pub(crate) fn check_shape(bytes: &[u8]) -> Result<(), String> {
    let shape = if bytes.starts_with(b"bplist00") {
        binary_shape(bytes)
    } else {
        // `plist` reads text as XML, or as ASCII when it is not XML: count both ways.
        Shape {
            depth: xml_depth(bytes).max(ascii_depth(bytes)),
            ..Shape::default()
        }
    };
    if shape.depth > MAX_DEPTH {
        return Err(format!("it nests more than {MAX_DEPTH} levels deep"));
    }
    if shape.objects > MAX_VALUES {
        return Err(format!("it declares more than {MAX_VALUES} objects"));
    }
    if shape.values > MAX_VALUES {
        return Err(format!(
            "its shared references expand to more than {MAX_VALUES} values"
        ));
    }
    if shape.payload > MAX_PAYLOAD_BYTES {
        return Err(format!(
            "its shared references expand to more than {} MiB of strings and data",
            MAX_PAYLOAD_BYTES >> 20
        ));
    }
    Ok(())
}

/// How deep a property list nests and what it expands to once every reference is copied.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Shape {
    depth: usize,
    /// Objects the binary plist declares (its offset table's length).
    objects: u64,
    /// Values after expansion, the top one included.
    values: u64,
    /// Bytes of strings and data after expansion.
    payload: u64,
}

/// The deepest nesting of `<array>` and `<dict>` elements (any namespace prefix), skipping
/// comments, CDATA, processing instructions, declarations and quoted attribute values.
fn xml_depth(xml: &[u8]) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut at = 0;
    while let Some(open) = find_from(xml, at, b"<") {
        let rest = &xml[open..];
        let skipped = [
            (&b"<!--"[..], &b"-->"[..]),
            (b"<![CDATA[", b"]]>"),
            (b"<?", b"?>"),
        ]
        .into_iter()
        .find(|(start, _)| rest.starts_with(start));
        if let Some((_, end)) = skipped {
            at = find_from(xml, open, end).map_or(xml.len(), |i| i + end.len());
            continue;
        }
        let mut close = open + 1;
        let mut quote = None;
        while close < xml.len() {
            match (quote, xml[close]) {
                (Some(q), c) if c == q => quote = None,
                (None, c @ (b'"' | b'\'')) => quote = Some(c),
                (None, b'>') => break,
                _ => {}
            }
            close += 1;
        }
        let tag = &xml[open + 1..close];
        at = close + 1;
        let (closing, name) = match tag.strip_prefix(b"/") {
            Some(name) => (true, name),
            None => (false, tag),
        };
        let name = name
            .split(|c| c.is_ascii_whitespace() || *c == b'/')
            .next()
            .unwrap_or_default();
        let local = name.rsplit(|&c| c == b':').next().unwrap_or_default();
        if local != b"array" && local != b"dict" {
            continue;
        }
        if closing {
            depth = depth.saturating_sub(1);
        } else if !tag.ends_with(b"/") {
            depth += 1;
            deepest = deepest.max(depth);
            if deepest > MAX_DEPTH {
                break;
            }
        }
    }
    deepest
}

/// The deepest nesting of `( … )` and `{ … }` in an ASCII (OpenStep) plist, skipping quoted
/// strings and comments.
fn ascii_depth(text: &[u8]) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut at = 0;
    while at < text.len() {
        match text[at] {
            b'"' => {
                at += 1;
                while at < text.len() && text[at] != b'"' {
                    at += if text[at] == b'\\' { 2 } else { 1 };
                }
            }
            b'/' if text[at..].starts_with(b"//") => {
                at = find_from(text, at, b"\n").unwrap_or(text.len());
            }
            b'/' if text[at..].starts_with(b"/*") => {
                at = find_from(text, at + 2, b"*/").map_or(text.len(), |i| i + 1);
            }
            b'(' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
                if deepest > MAX_DEPTH {
                    break;
                }
            }
            b')' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        at += 1;
    }
    deepest
}

/// Walks a binary plist's references depth-first without recursion. Each object is measured
/// once and its measure reused wherever it is referenced, so the walk costs the file's size
/// however much the references expand. Malformed parts and cycles (which the parser rejects)
/// count as leaves. The walk stops as soon as a limit is passed.
fn binary_shape(bytes: &[u8]) -> Shape {
    let Some(plist) = BinaryPlist::new(bytes) else {
        return Shape::default();
    };
    let objects = plist.count as u64;
    if objects > MAX_VALUES {
        return Shape {
            objects,
            ..Shape::default()
        };
    }
    let mut state = vec![Visit::New; plist.count];
    state[plist.top] = Visit::Open;
    let mut stack = vec![Frame::new(&plist, plist.top, 1)];
    while let Some(frame) = stack.last_mut() {
        if frame.level > MAX_DEPTH || frame.measure.exceeds_limits() {
            return Shape {
                depth: frame.level,
                objects,
                values: frame.measure.values,
                payload: frame.measure.payload,
            };
        }
        if let Some(child) = frame.next_child(&plist) {
            match state[child] {
                Visit::New => {
                    state[child] = Visit::Open;
                    let level = frame.level + 1;
                    stack.push(Frame::new(&plist, child, level));
                }
                Visit::Open => frame.measure.add_leaf(),
                Visit::Done(measure) => frame.measure.add(measure),
            }
            continue;
        }
        let measure = frame.measure;
        state[frame.object] = Visit::Done(measure);
        stack.pop();
        if let Some(parent) = stack.last_mut() {
            parent.measure.add(measure);
        }
    }
    match state[plist.top] {
        Visit::Done(measure) => Shape {
            depth: measure.depth,
            objects,
            values: measure.values,
            payload: measure.payload,
        },
        _ => Shape::default(),
    }
}

/// Where the walk stands with one object.
#[derive(Debug, Clone, Copy)]
enum Visit {
    New,
    /// On the walk's stack: a reference to it is a cycle.
    Open,
    Done(Measure),
}

/// What one object expands to.
#[derive(Debug, Clone, Copy, Default)]
struct Measure {
    depth: usize,
    values: u64,
    payload: u64,
}

impl Measure {
    fn add(&mut self, child: Measure) {
        self.depth = self.depth.max(child.depth + 1);
        self.values = self.values.saturating_add(child.values);
        self.payload = self.payload.saturating_add(child.payload);
    }

    fn add_leaf(&mut self) {
        self.add(Measure {
            depth: 0,
            values: 1,
            payload: 0,
        });
    }

    fn exceeds_limits(&self) -> bool {
        self.values > MAX_VALUES || self.payload > MAX_PAYLOAD_BYTES
    }
}

/// One object being visited by [`binary_shape`].
struct Frame<'a> {
    object: usize,
    /// How deep it sits: the top object is at level 1.
    level: usize,
    /// The raw references of a collection; `None` for anything else.
    refs: Option<&'a [u8]>,
    next: usize,
    /// The object itself plus every child measured so far.
    measure: Measure,
}

impl<'a> Frame<'a> {
    fn new(plist: &BinaryPlist<'a>, object: usize, level: usize) -> Self {
        let refs = plist.refs(object);
        Frame {
            object,
            level,
            refs,
            next: 0,
            // Only collections count as a level, as in the parser's recursion.
            measure: Measure {
                depth: usize::from(refs.is_some()),
                values: 1,
                payload: if refs.is_some() {
                    0
                } else {
                    plist.payload_len(object)
                },
            },
        }
    }

    fn next_child(&mut self, plist: &BinaryPlist<'_>) -> Option<usize> {
        let refs = self.refs?;
        loop {
            let start = self.next * plist.ref_size;
            let reference = refs.get(start..start + plist.ref_size)?;
            self.next += 1;
            match usize::try_from(be(reference)) {
                Ok(child) if child < plist.count => return Some(child),
                _ => continue,
            }
        }
    }
}

/// Just enough of a binary plist to follow references: its trailer and offset table.
struct BinaryPlist<'a> {
    bytes: &'a [u8],
    offset_size: usize,
    ref_size: usize,
    count: usize,
    top: usize,
    table: usize,
}

impl<'a> BinaryPlist<'a> {
    fn new(bytes: &'a [u8]) -> Option<Self> {
        let trailer = bytes.get(bytes.len().checked_sub(32)?..)?;
        let number = |range: std::ops::Range<usize>| usize::try_from(be(&trailer[range])).ok();
        let plist = BinaryPlist {
            bytes,
            offset_size: usize::from(trailer[6]),
            ref_size: usize::from(trailer[7]),
            count: number(8..16)?,
            top: number(16..24)?,
            table: number(24..32)?,
        };
        let table_end = plist
            .count
            .checked_mul(plist.offset_size)?
            .checked_add(plist.table)?;
        let sizes_ok = (1..=8).contains(&plist.offset_size) && (1..=8).contains(&plist.ref_size);
        (sizes_ok && plist.top < plist.count && table_end <= bytes.len() - 32).then_some(plist)
    }

    /// The marker byte of an object and the count that follows it (inline, or as an integer
    /// object after a 0x_F marker), with where the object's contents start.
    fn header(&self, object: usize) -> Option<(u8, usize, usize)> {
        let at = self.table + object * self.offset_size;
        let offset = usize::try_from(be(&self.bytes[at..at + self.offset_size])).ok()?;
        let marker = *self.bytes.get(offset)?;
        match marker & 0x0F {
            0x0F => {
                let size_marker = *self.bytes.get(offset + 1)?;
                let len = 1usize << (size_marker & 0x07);
                let int = self.bytes.get(offset + 2..offset + 2 + len)?;
                Some((marker, usize::try_from(be(int)).ok()?, offset + 2 + len))
            }
            small => Some((marker, usize::from(small), offset + 1)),
        }
    }

    /// The raw references of an array, set or dictionary (keys then values); `None` for
    /// anything else, or when the object is malformed.
    fn refs(&self, object: usize) -> Option<&'a [u8]> {
        let (marker, count, refs_at) = self.header(object)?;
        let per_entry = match marker >> 4 {
            0xA | 0xC => 1,
            0xD => 2,
            _ => return None,
        };
        let refs_len = count.checked_mul(per_entry)?.checked_mul(self.ref_size)?;
        self.bytes.get(refs_at..refs_at.checked_add(refs_len)?)
    }

    /// The bytes a data or string object becomes once parsed; 0 for anything else. Only what
    /// the file really holds counts: a length beyond its end is the parser's error to report.
    fn payload_len(&self, object: usize) -> u64 {
        let Some((marker, count, start)) = self.header(object) else {
            return 0;
        };
        // Bytes per unit in the file, and at most as UTF-8 once parsed.
        let (stored, parsed) = match marker >> 4 {
            0x4 | 0x5 => (1, 1),
            0x6 => (2, 3),
            _ => return 0,
        };
        let available = self.bytes.len().saturating_sub(start) / stored;
        (count.min(available) as u64).saturating_mul(parsed)
    }
}

/// A big-endian unsigned integer of up to 8 bytes.
fn be(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0, |n, &b| (n << 8) | u64::from(b))
}

fn find_from(haystack: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use plist::{Dictionary, Value};

    fn nested(open: &str, close: &str, levels: usize) -> Vec<u8> {
        format!(
            "<plist>{}{}</plist>",
            open.repeat(levels),
            close.repeat(levels)
        )
        .into_bytes()
    }

    #[test]
    fn xml_depth_sees_through_comments_attributes_and_prefixes() {
        assert!(check_shape(&nested("<array>", "</array>", 100)).is_ok());
        assert!(check_shape(&nested("<array>", "</array>", 600)).is_err());
        assert!(check_shape(&nested("<array><!-- </array> -->", "</array>", 600)).is_err());
        assert!(check_shape(&nested("<x:dict a='/>'>", "</dict>", 600)).is_err());
        assert!(check_shape(&nested("<array/>", "", 600)).is_ok());
    }

    #[test]
    fn ascii_depth_skips_strings() {
        assert!(check_shape(&b"(".repeat(600)).is_err());
        let text = format!("{{ a = \"{}\"; }}", "(".repeat(600));
        assert!(check_shape(text.as_bytes()).is_ok());
    }

    /// A binary plist whose object `i` is an array of `refs` references to object `i + 1`
    /// (the last one to object `last_refers_to`, if any).
    fn binary_chain(objects: u8, refs: u8, last_refers_to: Option<u8>) -> Vec<u8> {
        let mut plist = b"bplist00".to_vec();
        let mut offsets = Vec::new();
        for object in 0..objects {
            offsets.push(plist.len() as u8);
            let target = if object + 1 < objects {
                Some(object + 1)
            } else {
                last_refers_to
            };
            match target {
                Some(target) => {
                    plist.push(0xA0 | refs);
                    plist.extend(std::iter::repeat_n(target, usize::from(refs)));
                }
                None => plist.push(0xA0),
            }
        }
        let table = plist.len() as u64;
        plist.extend(offsets);
        plist.extend_from_slice(&[0, 0, 0, 0, 0, 0, 1, 1]);
        plist.extend_from_slice(&u64::from(objects).to_be_bytes());
        plist.extend_from_slice(&0u64.to_be_bytes());
        plist.extend_from_slice(&table.to_be_bytes());
        plist
    }

    #[test]
    fn binary_shape_follows_references() {
        let mut real = Vec::new();
        let value = Value::Dictionary(Dictionary::from_iter([(
            "a".to_string(),
            Value::Array(vec![Value::Array(vec![1.into()])]),
        )]));
        plist::to_writer_binary(&mut real, &value).expect("plist");
        let shape = binary_shape(&real);
        assert_eq!((shape.depth, shape.values, shape.payload), (3, 5, 1));
        // A cycle ends the walk instead of looping.
        assert_eq!(binary_shape(&binary_chain(3, 1, Some(0))).depth, 3);
    }

    #[test]
    fn shared_references_count_once_per_reference() {
        // Each level refers to the next twice: 2^20 - 1 values, each object visited once.
        let shape = binary_shape(&binary_chain(20, 2, None));
        assert_eq!((shape.depth, shape.values), (20, (1 << 20) - 1));
        assert!(check_shape(&binary_chain(20, 2, None)).is_ok());
        for plist in [binary_chain(21, 2, None), binary_chain(7, 14, None)] {
            let message = check_shape(&plist).unwrap_err();
            assert!(message.contains("expand to more than"), "{message}");
        }
    }
}
