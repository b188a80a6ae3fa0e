//! `otasite check`: verify a built or deployed site.

use crate::cli::CheckArgs;
use crate::commands::Outcome;

pub fn run(_args: &CheckArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("otasite check is being written")
}
