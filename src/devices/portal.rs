//! `otasite devices`: the list of devices a team collects (one a line: the UDID, then
//! optionally a name and a model, separated by tabs, commas or spaces) -> the tab-separated
//! file Apple's developer portal takes for bulk registration
//! (Certificates, Identifiers & Profiles › Devices › Register Multiple Devices).

use std::collections::HashMap;

use super::udid;

/// The header line of Apple's file.
pub const HEADER: &str = "Device ID\tDevice Name\tDevice Platform";
/// The platform column: iPhone, iPad and iPod touch.
pub const PLATFORM: &str = "ios";
/// The longest device name the portal accepts.
pub const NAME_LIMIT: usize = 50;
/// The most lines read (the portal registers at most 100 devices of a family a year).
pub const LINES_LIMIT: usize = 10_000;

/// One device for the portal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub udid: String,
    pub name: String,
}

/// A line that cannot be registered, 1-based.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub message: String,
}

/// Reads the team's list: the devices, and the lines that are wrong (invalid UDIDs,
/// duplicates, names the portal refuses). Blank lines, `#` comments and a header line of
/// Apple's format are skipped.
pub fn read(text: &str) -> (Vec<Device>, Vec<Problem>) {
    let mut devices = Vec::new();
    let mut problems = Vec::new();
    let mut first_seen: HashMap<String, usize> = HashMap::new();
    for (index, raw) in text.lines().enumerate().take(LINES_LIMIT) {
        let number = index + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with("Device ID") {
            continue;
        }
        let mut problem = |message: String| {
            problems.push(Problem {
                line: number,
                message,
            })
        };
        let (id, rest) = match line.find(['\t', ',', ' ']) {
            Some(at) => (&line[..at], line[at + 1..].trim()),
            None => (line, ""),
        };
        let id = match udid::canonical(id) {
            Ok(id) => id,
            Err(message) => {
                problem(message);
                continue;
            }
        };
        if let Some(first) = first_seen.get(&id) {
            problem(format!("{id} is listed again (first on line {first})"));
            continue;
        }
        first_seen.insert(id.clone(), number);
        let fields: Vec<String> = rest
            .split(['\t', ','])
            .map(|f| f.chars().filter(|c| !c.is_control()).collect::<String>())
            .map(|f| f.trim().to_string())
            .filter(|f| !f.is_empty())
            .collect();
        let name = match fields.as_slice() {
            [] => format!("Device {}", &id[id.len() - 6..]),
            [name] => name.clone(),
            [name, model, ..] => format!("{name} ({model})"),
        };
        if name.chars().count() > NAME_LIMIT {
            problem(format!(
                "the name {:?} is longer than the {NAME_LIMIT} characters the portal accepts",
                udid::shorten(&name)
            ));
            continue;
        }
        devices.push(Device { udid: id, name });
    }
    (devices, problems)
}

/// Apple's tab-separated file for `devices`.
pub fn portal_file(devices: &[Device]) -> String {
    let mut out = format!("{HEADER}\n");
    for device in devices {
        out.push_str(&format!("{}\t{}\t{PLATFORM}\n", device.udid, device.name));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_become_rows_and_mistakes_are_named() {
        let text = "# our testers\n\
            00008030-001a2d3e0c38802e\tAnna's iPhone\tiPhone 15\n\
            \n\
            a1b2c3d4e5f60718293a4b5c6d7e8f9012345678, Ben\n\
            00008030-001A2D3E0C38802E Anna again\n\
            not-a-udid Carl\n\
            00008101-000A1B2C3D4E5F60\n";
        let (devices, problems) = read(text);
        assert_eq!(
            portal_file(&devices),
            "Device ID\tDevice Name\tDevice Platform\n\
             00008030-001A2D3E0C38802E\tAnna's iPhone (iPhone 15)\tios\n\
             A1B2C3D4E5F60718293A4B5C6D7E8F9012345678\tBen\tios\n\
             00008101-000A1B2C3D4E5F60\tDevice 4E5F60\tios\n"
        );
        let lines: Vec<usize> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, [5, 6]);
        assert!(problems[0].message.contains("first on line 2"));
        assert!(problems[1].message.contains("not a UDID"));
    }
}
