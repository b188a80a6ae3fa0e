//! Just enough DER to find an X.509 certificate in a PKCS#7 signature (`META-INF/*.RSA`), read
//! its subject, and read when it expires (the certificates a provisioning profile embeds). Every
//! length is checked against the bytes that hold it.

use time::{Date, Month, OffsetDateTime, Time};

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
    let subject = tbs_fields(certificate)?.nth(4)?;
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

/// The fields of an X.509 `TBSCertificate` after the optional `[0] version`: serialNumber,
/// signature, issuer, validity, subject, ...
fn tbs_fields(certificate: &[u8]) -> Option<impl Iterator<Item = Element<'_>>> {
    let (certificate, _) = read(certificate)?;
    let (tbs, _) = read(certificate.content)?;
    (certificate.tag == SEQUENCE && tbs.tag == SEQUENCE)
        .then(|| children(tbs.content).skip_while(|e| e.tag == CONTEXT_0))
}

/// When an X.509 certificate stops being valid (`validity.notAfter`), in UTC.
pub fn certificate_not_after(certificate: &[u8]) -> Option<OffsetDateTime> {
    let validity = tbs_fields(certificate)?.nth(3)?;
    if validity.tag != SEQUENCE {
        return None;
    }
    let not_after = children(validity.content).nth(1)?;
    parse_time(not_after.tag, not_after.content)
}

const UTC_TIME: u8 = 0x17;
const GENERALIZED_TIME: u8 = 0x18;

/// `YYMMDDHHMMSSZ` (UTCTime: years 50-99 are 19xx) or `YYYYMMDDHHMMSSZ` (GeneralizedTime), as
/// RFC 5280 requires them in certificates: seconds present, UTC, no fraction.
fn parse_time(tag: u8, text: &[u8]) -> Option<OffsetDateTime> {
    let (year, rest) = match (tag, text.len()) {
        (UTC_TIME, 13) => {
            let yy = i32::from(two_digits(&text[..2])?);
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, &text[2..])
        }
        (GENERALIZED_TIME, 15) => {
            let high = i32::from(two_digits(&text[..2])?);
            let low = i32::from(two_digits(&text[2..4])?);
            (high * 100 + low, &text[4..])
        }
        _ => return None,
    };
    if rest[10] != b'Z' {
        return None;
    }
    let field = |i: usize| two_digits(&rest[i..i + 2]);
    let month = Month::try_from(field(0)?).ok()?;
    let date = Date::from_calendar_date(year, month, field(2)?).ok()?;
    let time = Time::from_hms(field(4)?, field(6)?, field(8)?).ok()?;
    Some(date.with_time(time).assume_utc())
}

fn two_digits(pair: &[u8]) -> Option<u8> {
    match pair {
        [a @ b'0'..=b'9', b @ b'0'..=b'9'] => Some((a - b'0') * 10 + (b - b'0')),
        _ => None,
    }
}

fn attribute_name(oid: &[u8]) -> String {
    match oid {
        [0x55, 0x04, 3] => "CN".into(),
        [0x55, 0x04, 6] => "C".into(),
        [0x55, 0x04, 7] => "L".into(),
        [0x55, 0x04, 8] => "ST".into(),
        [0x55, 0x04, 10] => "O".into(),
        [0x55, 0x04, 11] => "OU".into(),
        [0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x01] => "UID".into(),
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
    fn certificate_times() {
        use time::macros::datetime;
        assert_eq!(
            parse_time(UTC_TIME, b"270131235959Z"),
            Some(datetime!(2027-01-31 23:59:59 UTC))
        );
        assert_eq!(
            parse_time(UTC_TIME, b"991231000000Z"),
            Some(datetime!(1999-12-31 0:00 UTC))
        );
        assert_eq!(
            parse_time(GENERALIZED_TIME, b"20510101120000Z"),
            Some(datetime!(2051-01-01 12:00 UTC))
        );
        for bad in [
            &b"271331000000Z"[..],
            b"2701310000Z",
            b"27013100000+0",
            b"2x0131000000Z",
        ] {
            assert_eq!(parse_time(UTC_TIME, bad), None, "{bad:?}");
        }
        assert_eq!(parse_time(0x04, b"270131235959Z"), None);
        assert_eq!(certificate_not_after(&[0x30, 0x03, 0x30, 0x01, 0x02]), None);
    }

    #[test]
    fn unknown_attributes_are_dotted() {
        assert_eq!(dotted(&[0x55, 0x04, 0x05]), "2.5.4.5");
    }
}
