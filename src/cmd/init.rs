//! `otasite init`: the folder, host and theme flag handed to [`init::run`].

use super::Outcome;
use crate::cli::{Host as HostArg, InitArgs};
use crate::init::{self, Host, Plan};

pub fn run(args: &InitArgs) -> anyhow::Result<Outcome> {
    init::run(&Plan {
        dir: args.dir.clone(),
        host: match args.host {
            HostArg::GithubPages => Host::GithubPages,
            HostArg::S3 => Host::S3,
            HostArg::Netlify => Host::Netlify,
        },
        theme: args.theme,
    })?;
    Ok(Outcome::Success)
}
