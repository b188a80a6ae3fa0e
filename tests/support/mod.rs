//! Test-side builders: synthetic archives, profiles and CgBI images.
#![allow(dead_code)]

pub mod cgbi;
pub mod ipa;
// Only test targets know where cargo put the binary.
#[cfg(test)]
pub mod run;
