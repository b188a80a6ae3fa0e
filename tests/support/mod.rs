//! Test-side builders: synthetic archives, profiles and CgBI images; site folders and runs of
//! the binary.
#![allow(dead_code)]

pub mod agents;
pub mod apk;
pub mod cgbi;
pub mod fixtures;
pub mod ipa;
// Only test targets know where cargo put the binary, and have the dev-dependencies.
#[cfg(test)]
pub mod browser;
#[cfg(test)]
pub mod codesign;
#[cfg(test)]
pub mod https;
#[cfg(test)]
pub mod run;
#[cfg(test)]
pub mod site;
#[cfg(test)]
pub mod visitors_site;
