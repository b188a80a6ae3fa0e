//! Facts about Apple's devices and profiles that several parts of otasite judge by: the device
//! families of `UIDeviceFamily`, and how long before a profile expires a build is warned about.

use time::Duration;

/// A provisioning profile expiring within this window gets a warning (when a build is read,
/// and when a built site is checked).
pub const EXPIRY_WARNING: Duration = Duration::days(14);

/// A device family an app declares in `UIDeviceFamily`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceFamily {
    IPhone,
    IPad,
    Tv,
    Watch,
    Mac,
    Vision,
    /// A number Apple has not given a meaning otasite knows.
    Other(u64),
}

/// Each known family: its `UIDeviceFamily` number, its name in `catalog.json` and
/// `otasite inspect`, and its name for people.
const KNOWN: [(DeviceFamily, u64, &str, &str); 6] = [
    (DeviceFamily::IPhone, 1, "iphone", "iPhone"),
    (DeviceFamily::IPad, 2, "ipad", "iPad"),
    (DeviceFamily::Tv, 3, "tv", "Apple TV"),
    (DeviceFamily::Watch, 4, "watch", "Apple Watch"),
    (DeviceFamily::Mac, 6, "mac", "Mac"),
    (DeviceFamily::Vision, 7, "vision", "Apple Vision"),
];

/// How an unknown family is named: `family-5`.
const OTHER_PREFIX: &str = "family-";

impl DeviceFamily {
    /// The family a `UIDeviceFamily` number stands for.
    pub fn from_number(number: u64) -> DeviceFamily {
        KNOWN
            .iter()
            .find(|known| known.1 == number)
            .map_or(DeviceFamily::Other(number), |known| known.0)
    }

    /// The family [`DeviceFamily::name`] names, if any.
    pub fn from_name(name: &str) -> Option<DeviceFamily> {
        match KNOWN.iter().find(|known| known.2 == name) {
            Some(known) => Some(known.0),
            None => name
                .strip_prefix(OTHER_PREFIX)?
                .parse()
                .ok()
                .map(DeviceFamily::from_number),
        }
    }

    /// Its `UIDeviceFamily` number.
    pub fn number(self) -> u64 {
        match self {
            DeviceFamily::Other(number) => number,
            known => KNOWN.iter().find(|k| k.0 == known).map_or(0, |k| k.1),
        }
    }

    /// Its name in `catalog.json` and `otasite inspect`: `iphone`, `ipad`, `tv`, `watch`,
    /// `mac`, `vision`, or `family-<number>`.
    pub fn name(self) -> String {
        match KNOWN.iter().find(|k| k.0 == self) {
            Some(known) => known.2.to_string(),
            None => format!("{OTHER_PREFIX}{}", self.number()),
        }
    }

    /// Its name for people: `iPhone`, `Apple TV`; an unknown family by its [`DeviceFamily::name`].
    pub fn label(self) -> String {
        match KNOWN.iter().find(|k| k.0 == self) {
            Some(known) => known.3.to_string(),
            None => self.name(),
        }
    }

    /// The names of `UIDeviceFamily` numbers, in their order.
    pub fn names(numbers: &[u64]) -> Vec<String> {
        numbers
            .iter()
            .map(|&n| DeviceFamily::from_number(n).name())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_names_and_labels_agree() {
        for number in 0..10 {
            let family = DeviceFamily::from_number(number);
            assert_eq!(family.number(), number);
            assert_eq!(DeviceFamily::from_name(&family.name()), Some(family));
        }
        assert_eq!(
            DeviceFamily::names(&[1, 2, 5]),
            ["iphone", "ipad", "family-5"]
        );
        assert_eq!(DeviceFamily::IPad.label(), "iPad");
        assert_eq!(DeviceFamily::Other(5).label(), "family-5");
        assert_eq!(DeviceFamily::from_name("phone"), None);
        assert_eq!(DeviceFamily::from_name("family-x"), None);
    }
}
