//! `otasite init`: the folder, host, theme flag and install source handed to [`init::run`].

use std::io::Write;

use super::{Outcome, UsageError};
use crate::cli::{Host as HostArg, InitArgs, InstallFrom as InstallArg};
use crate::init::{self, Host, Install, InstallFrom, InstallRequest, Plan};
use crate::messages;

pub fn run(args: &InitArgs) -> anyhow::Result<Outcome> {
    if let Some(host) = args.udid {
        use crate::cli::UdidHost as Arg;
        use init::udid::UdidHost;
        let host = match host {
            Arg::Cloudflare => UdidHost::Cloudflare,
            Arg::Netlify => UdidHost::Netlify,
            Arg::Lambda => UdidHost::Lambda,
        };
        let report = init::udid::run(&args.dir, host)?;
        messages::stdout().write_all(report.as_bytes())?;
        return Ok(Outcome::Success);
    }
    let install = Install::resolve(&InstallRequest {
        install: match args.install {
            InstallArg::Registry => InstallFrom::Registry,
            InstallArg::Git => InstallFrom::Git,
            InstallArg::Release => InstallFrom::Release,
        },
        install_version: args.install_version.clone(),
        install_git: args.install_git.clone(),
        install_url: args.install_url.clone(),
    })
    .map_err(UsageError)?;
    let report = init::run(&Plan {
        dir: args.dir.clone(),
        host: match args.host {
            HostArg::GithubPages => Host::GithubPages,
            HostArg::S3 => Host::S3,
            HostArg::Netlify => Host::Netlify,
        },
        theme: args.theme,
        install,
    })?;
    messages::stdout().write_all(report.as_bytes())?;
    Ok(Outcome::Success)
}
