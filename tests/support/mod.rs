//! Test-side builders: synthetic archives, profiles and CgBI images.
#![allow(dead_code)]

pub mod cgbi;
pub mod ipa;
