//! Just enough protobuf wire format to walk the messages of an app bundle (aapt2's XML and
//! resource table): fields are read by number, every length checked against its message.

/// One field's value: a varint, a length-delimited payload, or a fixed-width number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
    Fixed(u64),
}

/// Reads a varint at the start of `bytes`: its value and how many bytes it took.
fn varint(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut value = 0u64;
    for (i, &b) in bytes.iter().enumerate().take(10) {
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

/// The fields of a message in order, as (number, value); iteration stops at the first field
/// that does not fit (the caller treats what was read as all there is).
pub fn fields(message: &[u8]) -> impl Iterator<Item = (u64, Field<'_>)> {
    let mut rest = message;
    std::iter::from_fn(move || {
        let (key, used) = varint(rest)?;
        rest = &rest[used..];
        let number = key >> 3;
        let field = match key & 7 {
            0 => {
                let (value, used) = varint(rest)?;
                rest = &rest[used..];
                Field::Varint(value)
            }
            1 => {
                let bytes = rest.get(..8)?;
                rest = &rest[8..];
                Field::Fixed(u64::from_le_bytes(bytes.try_into().ok()?))
            }
            2 => {
                let (length, used) = varint(rest)?;
                let length = usize::try_from(length).ok()?;
                let payload = rest.get(used..used.checked_add(length)?)?;
                rest = &rest[used + length..];
                Field::Bytes(payload)
            }
            5 => {
                let bytes = rest.get(..4)?;
                rest = &rest[4..];
                Field::Fixed(u64::from(u32::from_le_bytes(bytes.try_into().ok()?)))
            }
            _ => return None,
        };
        Some((number, field))
    })
}

/// Every length-delimited field numbered `number`.
pub fn messages(message: &[u8], number: u64) -> impl Iterator<Item = &[u8]> {
    fields(message).filter_map(move |(n, f)| match f {
        Field::Bytes(b) if n == number => Some(b),
        _ => None,
    })
}

/// The first length-delimited field numbered `number`.
pub fn message(message: &[u8], number: u64) -> Option<&[u8]> {
    messages(message, number).next()
}

/// The first varint field numbered `number`.
pub fn varint_field(message: &[u8], number: u64) -> Option<u64> {
    fields(message).find_map(|(n, f)| match f {
        Field::Varint(v) if n == number => Some(v),
        _ => None,
    })
}

/// The first length-delimited field numbered `number`, as text.
pub fn string(message: &[u8], number: u64) -> Option<String> {
    self::message(message, number).map(|b| String::from_utf8_lossy(b).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_read_and_lies_end_the_walk() {
        // 1: varint 150, 2: "hi", then a length past the end.
        let bytes = [0x08, 0x96, 0x01, 0x12, 0x02, b'h', b'i', 0x1a, 0x7f, 0x00];
        let got: Vec<_> = fields(&bytes).collect();
        assert_eq!(got, vec![(1, Field::Varint(150)), (2, Field::Bytes(b"hi"))]);
        assert_eq!(string(&bytes, 2).as_deref(), Some("hi"));
        assert_eq!(varint_field(&bytes, 1), Some(150));
    }
}
