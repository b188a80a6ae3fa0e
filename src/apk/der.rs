//! Just enough DER to find an X.509 certificate in a PKCS#7 signature (`META-INF/*.RSA`) and
//! read its subject. Every length is checked against the bytes that hold it.

/// One DER element: its tag, the whole encoding and the content.
#[derive(Debug, Clone, Copy)]
pub struct Element<'a> {
    pub tag: u8,
    pub whole: &'a [u8],
    pub content: &'a [u8],
}

const SEQUENCE: u8 = 0x30;
const SET: u8 = 0x31;
const OID: u8 = 0x06;
const CONTEXT_0: u8 = 0xa0;

/// Reads the element at the start of `bytes`; the rest follows it.
pub fn read(bytes: &[u8]) -> Option<(Element<'_>, &[u8])> {
    let tag = *bytes.first()?;
    let first = usize::from(*bytes.get(1)?);
    let (length, header) = if first < 0x80 {
        (first, 2)
    } else {
        let count = first & 0x7f;
        if count == 0 || count > 4 {
            return None;
        }
        let mut length = 0usize;
        for &b in bytes.get(2..2 + count)? {
            length = (length << 8) | usize::from(b);
        }
        (length, 2 + count)
    };
    let end = header.checked_add(length)?;
    let whole = bytes.get(..end)?;
    Some((
        Element {
            tag,
            whole,
            content: &whole[header..],
        },
        &bytes[end..],
    ))
}

/// The elements inside a constructed element's content, until one fails to read.
pub fn children(content: &[u8]) -> impl Iterator<Item = Element<'_>> {
    let mut rest = content;
    std::iter::from_fn(move || {
        let (element, next) = read(rest)?;
        rest = next;
        Some(element)
    })
}

/// The first certificate of a PKCS#7 `SignedData` (`ContentInfo` → `[0]` → `SignedData` →
/// `[0] certificates`), as its DER bytes.
pub fn first_pkcs7_certificate(bytes: &[u8]) -> Option<&[u8]> {
    let (content_info, _) = read(bytes)?;
    let explicit = children(content_info.content).find(|e| e.tag == CONTEXT_0)?;
    let (signed_data, _) = read(explicit.content)?;
    let certificates = children(signed_data.content).find(|e| e.tag == CONTEXT_0)?;
    let (certificate, _) = read(certificates.content)?;
    (certificate.tag == SEQUENCE).then_some(certificate.whole)
}

/// The subject of an X.509 certificate as `CN=…, OU=…, O=…, C=…` (in the order stored).
pub fn certificate_subject(certificate: &[u8]) -> Option<String> {
    let (certificate, _) = read(certificate)?;
    let (tbs, _) = read(certificate.content)?;
    let mut fields = children(tbs.content).skip_while(|e| e.tag == CONTEXT_0);
    // serialNumber, signature, issuer, validity, then subject.
    let subject = fields.nth(4)?;
    if subject.tag != SEQUENCE {
        return None;
    }
    let mut parts = Vec::new();
    for rdn in children(subject.content).filter(|e| e.tag == SET) {
        for pair in children(rdn.content).filter(|e| e.tag == SEQUENCE) {
            let mut inner = children(pair.content);
            let (Some(oid), Some(value)) = (inner.next(), inner.next()) else {
                continue;
            };
            if oid.tag != OID {
                continue;
            }
            let text = match value.tag {
                // BMPString: UTF-16 big-endian.
                0x1e => char::decode_utf16(
                    value
                        .content
                        .chunks_exact(2)
                        .map(|p| u16::from_be_bytes([p[0], p[1]])),
                )
                .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
                .collect(),
                _ => String::from_utf8_lossy(value.content).into_owned(),
            };
            parts.push(format!("{}={text}", attribute_name(oid.content)));
        }
    }
    Some(parts.join(", "))
}

fn attribute_name(oid: &[u8]) -> String {
    match oid {
        [0x55, 0x04, 3] => "CN".into(),
        [0x55, 0x04, 6] => "C".into(),
        [0x55, 0x04, 7] => "L".into(),
        [0x55, 0x04, 8] => "ST".into(),
        [0x55, 0x04, 10] => "O".into(),
        [0x55, 0x04, 11] => "OU".into(),
        [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01] => "E".into(),
        other => dotted(other),
    }
}

/// An object identifier in dotted form, for attributes without a short name.
fn dotted(oid: &[u8]) -> String {
    let mut arcs = Vec::new();
    let mut value: u64 = 0;
    for &b in oid {
        value = (value << 7) | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            if arcs.is_empty() {
                let first = (value / 40).min(2);
                arcs.push(first);
                arcs.push(value - first * 40);
            } else {
                arcs.push(value);
            }
            value = 0;
        }
    }
    arcs.iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_past_the_end_are_refused() {
        assert!(read(&[0x30, 0x05, 1, 2]).is_none());
        assert!(read(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]).is_none());
        assert!(first_pkcs7_certificate(&[0x30, 0x80]).is_none());
    }

    #[test]
    fn unknown_attributes_are_dotted() {
        assert_eq!(dotted(&[0x55, 0x04, 0x05]), "2.5.4.5");
    }
}
