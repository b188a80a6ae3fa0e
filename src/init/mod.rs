//! `otasite init`: a starter site for a host.

use crate::cli::InitArgs;
use crate::commands::Outcome;

pub fn run(_args: &InitArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("otasite init is being written")
}
