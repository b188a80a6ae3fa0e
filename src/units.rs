//! Byte sizes for people: decimal units (1 MB = 1,000,000 bytes) as iOS shows sizes and
//! GitHub Pages states its site limit, binary units (1 MiB = 1,048,576 bytes) where GitHub
//! states a limit in them.

pub const KB: u64 = 1000;
pub const MB: u64 = 1000 * KB;
pub const GB: u64 = 1000 * MB;
pub const KIB: u64 = 1024;
pub const MIB: u64 = 1024 * KIB;

/// Which multiples a size is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Units {
    /// KB, MB, GB, TB: powers of 1000.
    Decimal,
    /// KiB, MiB, GiB, TiB: powers of 1024.
    Binary,
}

/// `999 bytes`, `49.4 KB`, `2.9 MB` (decimal) or `101.0 MiB` (binary): below one unit in
/// bytes, else in the largest unit that keeps the number at least 1, with one decimal.
pub fn size(bytes: u64, units: Units) -> String {
    let (step, names) = match units {
        Units::Decimal => (KB as f64, ["KB", "MB", "GB", "TB"]),
        Units::Binary => (KIB as f64, ["KiB", "MiB", "GiB", "TiB"]),
    };
    if (bytes as f64) < step {
        return format!("{bytes} bytes");
    }
    let mut value = bytes as f64 / step;
    let mut unit = 0;
    while value >= step && unit < names.len() - 1 {
        value /= step;
        unit += 1;
    }
    format!("{value:.1} {}", names[unit])
}

/// [`size`] in decimal units, as iOS shows sizes.
pub fn decimal(bytes: u64) -> String {
    size(bytes, Units::Decimal)
}

/// [`size`] in binary units.
pub fn binary(bytes: u64) -> String {
    size(bytes, Units::Binary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(decimal(999), "999 bytes");
        assert_eq!(decimal(49_425), "49.4 KB");
        assert_eq!(decimal(2_865_973), "2.9 MB");
        assert_eq!(decimal(1_050 * MB), "1.1 GB");
        assert_eq!(binary(999), "999 bytes");
        assert_eq!(binary(1023), "1023 bytes");
        assert_eq!(binary(101 * MIB), "101.0 MiB");
        assert_eq!(binary(1_100 * MIB), "1.1 GiB");
    }
}
