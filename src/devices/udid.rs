//! Device identifiers (UDIDs): 40 hex digits on devices before 2018, `00008xxx-` followed by
//! 16 hex digits (8, a dash, 16) on newer ones. Both are compared in upper case, the form the
//! newer ones are shown in; profiles list the older ones in lower case.

/// `id` in its canonical form (trimmed, upper case), or why it is not a UDID.
pub fn canonical(id: &str) -> Result<String, String> {
    let id = id.trim();
    let hex = |s: &str| s.bytes().all(|b| b.is_ascii_hexdigit());
    let valid = match id.split_once('-') {
        None => id.len() == 40 && hex(id),
        Some((head, tail)) => head.len() == 8 && tail.len() == 16 && hex(head) && hex(tail),
    };
    if valid {
        Ok(id.to_ascii_uppercase())
    } else {
        Err(format!(
            "{:?} is not a UDID: expected 40 hex digits (older devices) or 8 hex digits, a dash and 16 hex digits (e.g. 00008030-001A2D3E0C38802E)",
            shorten(id)
        ))
    }
}

/// Whether `id` is a UDID in either format.
pub fn is_udid(id: &str) -> bool {
    canonical(id).is_ok()
}

/// Every UDID-shaped run of `text`: 40 hex digits, or 8 and 16 hex digits joined by a dash,
/// not part of a longer run of hex digits or dashes. `check` scans the site with it.
pub fn find_all(text: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    let token = |b: u8| b.is_ascii_hexdigit() || b == b'-';
    let mut start = 0;
    while start < text.len() {
        if !token(text[start]) {
            start += 1;
            continue;
        }
        let end = (start..text.len())
            .find(|&i| !token(text[i]))
            .unwrap_or(text.len());
        let run = &text[start..end];
        if let Ok(run) = std::str::from_utf8(run)
            && is_udid(run)
        {
            found.push(run.to_string());
        }
        start = end;
    }
    found
}

/// At most 60 characters of untrusted text, for messages.
pub fn shorten(text: &str) -> String {
    match text.char_indices().nth(60) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_formats_are_accepted_in_upper_case() {
        let old = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
        assert_eq!(canonical(old).unwrap(), old.to_ascii_uppercase());
        assert_eq!(
            canonical(" 00008030-001a2d3e0c38802e\n").unwrap(),
            "00008030-001A2D3E0C38802E"
        );
        for bad in [
            "",
            "a1b2c3d4e5f60718293a4b5c6d7e8f901234567",
            "a1b2c3d4e5f60718293a4b5c6d7e8f90123456789",
            "g1b2c3d4e5f60718293a4b5c6d7e8f9012345678",
            "00008030-001A2D3E0C38802",
            "0008030-001A2D3E0C38802E1",
            "00008030_001A2D3E0C38802E",
            "00008030-001A-2D3E0C38802E",
        ] {
            assert!(canonical(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn runs_are_found_only_whole() {
        let text = b"x 00008030-001A2D3E0C38802E y a1b2c3d4e5f60718293a4b5c6d7e8f9012345678 \
            z 123e4567-e89b-12d3-a456-426614174000 \
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        assert_eq!(
            find_all(text),
            [
                "00008030-001A2D3E0C38802E",
                "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"
            ]
        );
    }
}
