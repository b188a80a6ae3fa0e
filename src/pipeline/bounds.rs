//! Caps on what an archive or its notes put into the pages: a few bytes of input must not
//! become hundreds of megabytes of site (every page repeats the app's name) or of memory.

use std::io::Read;
use std::path::Path;

use crate::ipa::{Ipa, IpaError};

/// Release notes: Markdown read beyond this is dropped (with a warning).
pub const NOTES_CAP: u64 = 64 * 1024;
/// App, profile and team names, in characters.
pub const NAME_CAP: usize = 200;
/// Version, build, minimum OS and platform strings, in characters.
pub const SHORT_CAP: usize = 64;
/// Nested bundle identifiers listed per build, and the length of each.
pub const EXTENSIONS_CAP: usize = 100;
pub const BUNDLE_ID_CAP: usize = 255;
/// Problem messages per build, and the length of each.
pub const PROBLEMS_CAP: usize = 50;
pub const PROBLEM_CAP: usize = 1000;

/// Refuses a bundle identifier too long to be one: it names the app's folder and every page.
pub fn check_bundle_id(ipa: &Ipa) -> Result<(), IpaError> {
    let length = ipa.bundle_id.chars().count();
    if length <= BUNDLE_ID_CAP {
        return Ok(());
    }
    Err(IpaError::Entry {
        name: format!("{}Info.plist", ipa.app_dir),
        reason: format!(
            "CFBundleIdentifier is {length} characters long (at most {BUNDLE_ID_CAP} are accepted)"
        ),
    })
}

/// Shortens every text of `ipa` that pages show to its cap; says what was shortened.
pub fn bound_texts(ipa: &mut Ipa) -> Vec<String> {
    let mut said = Vec::new();
    let cap = |said: &mut Vec<String>, what: &str, text: &mut String, max: usize| {
        if let Some(length) = shorten(text, max) {
            said.push(format!(
                "the {what} is {length} characters long: pages show its first {max}"
            ));
        }
    };
    cap(&mut said, "app name", &mut ipa.name, NAME_CAP);
    let info = &mut ipa.info;
    for (what, field) in [
        ("version", &mut info.version),
        ("build number", &mut info.build),
        ("minimum OS version", &mut info.min_os),
        ("platform", &mut info.platform),
    ] {
        if let Some(text) = field {
            cap(&mut said, what, text, SHORT_CAP);
        }
    }
    if let Some(profile) = &mut ipa.profile {
        for (what, field) in [
            ("profile name", &mut profile.name),
            ("team name", &mut profile.team_name),
            ("team identifier", &mut profile.team_id),
        ] {
            if let Some(text) = field {
                cap(&mut said, what, text, NAME_CAP);
            }
        }
    }
    if let Some(icon) = &mut ipa.icon {
        cap(
            &mut said,
            "icon's entry name",
            &mut icon.path,
            BUNDLE_ID_CAP,
        );
    }
    if ipa.extensions.len() > EXTENSIONS_CAP {
        said.push(format!(
            "the archive nests {} app extensions: pages list the first {EXTENSIONS_CAP}",
            ipa.extensions.len()
        ));
        ipa.extensions.truncate(EXTENSIONS_CAP);
    }
    for extension in &mut ipa.extensions {
        cap(
            &mut said,
            "identifier of an app extension",
            extension,
            BUNDLE_ID_CAP,
        );
    }
    if ipa.problems.len() > PROBLEMS_CAP {
        said.push(format!(
            "the archive has {} problems: pages list the first {PROBLEMS_CAP}",
            ipa.problems.len()
        ));
        ipa.problems.truncate(PROBLEMS_CAP);
    }
    for problem in &mut ipa.problems {
        cap(
            &mut said,
            "text of a problem",
            &mut problem.message,
            PROBLEM_CAP,
        );
        for value in problem.params.values_mut() {
            cap(&mut said, "text in a problem", value, PROBLEM_CAP);
        }
    }
    said
}

/// Cuts `text` to `max` characters, ending it with `…`; returns its length in characters
/// when it was longer.
fn shorten(text: &mut String, max: usize) -> Option<usize> {
    let (cut, _) = text.char_indices().nth(max)?;
    let length = text.chars().count();
    text.truncate(cut);
    text.push('…');
    Some(length)
}

/// Text read from a file, at most a cap of it.
pub struct Capped {
    pub text: String,
    pub truncated: bool,
}

/// Reads at most `cap` bytes of a UTF-8 file: never more than that enters memory. A
/// character cut by the cap is dropped; invalid UTF-8 before it is an error.
pub fn read_capped(path: &Path, cap: u64) -> std::io::Result<Capped> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(cap + 1)
        .read_to_end(&mut bytes)?;
    let truncated = bytes.len() as u64 > cap;
    bytes.truncate(cap as usize);
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) if truncated && e.utf8_error().error_len().is_none() => {
            let valid = e.utf8_error().valid_up_to();
            let mut bytes = e.into_bytes();
            bytes.truncate(valid);
            String::from_utf8(bytes).expect("valid up to here")
        }
        Err(_) => {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "stream did not contain valid UTF-8",
            ));
        }
    };
    Ok(Capped { text, truncated })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortens_on_character_boundaries() {
        let mut text = "ééééé".to_string();
        assert_eq!(shorten(&mut text, 3), Some(5));
        assert_eq!(text, "ééé…");
        let mut short = "abc".to_string();
        assert_eq!(shorten(&mut short, 3), None);
        assert_eq!(short, "abc");
    }

    #[test]
    fn reads_at_most_the_cap_and_drops_a_cut_character() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.md");
        std::fs::write(&path, "aé".repeat(100)).unwrap();
        let capped = read_capped(&path, 4).unwrap();
        assert!(capped.truncated);
        assert_eq!(capped.text, "aéa");
        let whole = read_capped(&path, 1000).unwrap();
        assert!(!whole.truncated);
        assert_eq!(whole.text, "aé".repeat(100));
    }
}
