//! otasite: a static site generator for over-the-air iOS install portals.

pub mod cache;
pub mod catalog;
pub mod check;
pub mod cli;
pub mod clock;
pub mod cmd;
pub mod config;
pub mod diff;
pub mod facts;
pub mod hash;
pub mod hosting;
pub mod http;
pub mod init;
pub mod inspect;
pub mod ipa;
pub mod layout;
pub mod memory;
pub mod messages;
pub mod output;
pub mod pipeline;
pub mod previous;
pub mod raster;
pub mod render;
pub mod serve;
pub mod units;
pub mod urls;
