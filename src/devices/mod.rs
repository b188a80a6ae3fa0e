//! Devices: collecting testers' device identifiers (UDIDs) and telling them whether a build's
//! profile lists their device, without publishing any identifier.
//!
//! - [`udid`]: the two formats Apple uses, checked and written one way.
//! - [`hashes`]: the per-build `devices.json` of keyed hashes the build pages compare against.
//! - [`enroll`]: the `.mobileconfig` (Profile Service payload) that makes a device send its
//!   attributes to the team's endpoint, and the registration pages' settings.
//! - [`signing`]: signing that profile with the team's certificate from the environment.
//! - [`published`]: reading a published profile back, signed or not (`check`).
//! - [`portal`]: the tab-separated file Apple's developer portal takes for bulk registration.

pub mod enroll;
pub mod hashes;
pub mod pages;
pub mod portal;
pub mod published;
pub mod signing;
pub mod udid;

pub use enroll::Devices;
