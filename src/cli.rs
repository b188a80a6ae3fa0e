//! The command line: commands and flags, each with a doc line.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Build static over-the-air install portals for iOS apps from a folder of .ipa files.
#[derive(Debug, Parser)]
#[command(
    name = "otasite",
    version,
    about,
    after_help = "Exit codes:\n  0  success\n  1  the build, the check or an input failed\n  2  usage or configuration error\n  3  built, with skipped inputs (build --keep-going)"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show what .ipa files and provisioning profiles contain and whether they install over the air.
    Inspect(InspectArgs),
    /// Build the install portal from the builds folder into the output folder.
    Build(BuildArgs),
    /// Write a starter site: site.yaml, builds/, .gitattributes and a CI workflow for a host.
    Init(InitArgs),
    /// Check a built site before deploying it, or a deployed one with --remote.
    Check(CheckArgs),
    /// Build and serve the site on this machine for a look, rebuilding on changes.
    Serve(ServeArgs),
    /// Show what changed between two builds: archives, or builds of a catalog.json.
    Diff(DiffArgs),
    /// Post the builds that are new since a previous catalog to the chat webhooks set in the
    /// environment (OTASITE_SLACK_WEBHOOK, OTASITE_TEAMS_WEBHOOK, OTASITE_DISCORD_WEBHOOK,
    /// OTASITE_WEBHOOK_URL).
    Notify(NotifyArgs),
    /// Turn a list of collected devices (one a line: UDID, then optionally a name and a model)
    /// into the tab-separated file Apple's developer portal takes for bulk registration.
    Devices(DevicesArgs),
}

#[derive(Debug, clap::Args)]
pub struct InspectArgs {
    /// The .ipa files or provisioning profiles (.mobileprovision, .provisionprofile, told by content) to read.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Print one JSON array with one object per file.
    #[arg(long)]
    pub json: bool,
    /// Skip the SHA-256 pass over each file (sha256 is then null).
    #[arg(long)]
    pub no_hash: bool,
}

#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// The site configuration file; paths inside it are relative to its folder.
    #[arg(long, short = 'c', default_value = "site.yaml")]
    pub config: PathBuf,
    /// Write the site here instead of the config's `output`.
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
    /// Serve from this https:// URL instead of the config's `base_url`.
    #[arg(long)]
    pub base_url: Option<String>,
    /// Hard-link the .ipa files into the site instead of copying them (copies across file systems).
    #[arg(long)]
    pub link: bool,
    /// Fail when the newest build of any app cannot be installed.
    #[arg(long)]
    pub strict: bool,
    /// Build the site from the readable archives and report the others (exit code 3 when any
    /// was skipped).
    #[arg(long)]
    pub keep_going: bool,
    /// Publish a site without any app instead of failing (an empty builds folder otherwise
    /// stops the build, so that a broken checkout cannot replace the live site).
    #[arg(long)]
    pub allow_empty: bool,
    /// Replace the output folder even if otasite did not create it, and rewrite it even when
    /// nothing changed.
    #[arg(long)]
    pub force: bool,
    /// The deployed site's catalog.json, as a file or its https:// URL: keep its builds (their
    /// .ipa files stay where they are published) and add the archives found locally.
    #[arg(long, value_name = "FILE|URL")]
    pub previous: Option<String>,
    /// Draw a new salt for the private pages' key: every share link stops working, the
    /// password still opens the pages.
    #[arg(long)]
    pub new_salt: bool,
    /// Print only warnings and errors.
    #[arg(long, short = 'q', conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print each step with its timing.
    #[arg(long, short = 'v')]
    pub verbose: bool,
}

/// Where the site will be hosted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Host {
    GithubPages,
    S3,
    Netlify,
}

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// The folder to set up (created if missing).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Write the CI workflow and host files for this host.
    #[arg(long, value_enum, default_value = "github-pages")]
    pub host: Host,
    /// Also copy the built-in theme into themes/custom for customisation.
    #[arg(long)]
    pub theme: bool,
    /// Where the workflow gets otasite: crates.io (registry), a git repository (built from
    /// the tag v<VERSION>) or a prebuilt release archive.
    #[arg(long, value_enum, default_value = "registry")]
    pub install: InstallFrom,
    /// The otasite version the workflow installs [default: this otasite's version].
    #[arg(long, value_name = "VERSION")]
    pub install_version: Option<String>,
    /// The git repository for --install git [default: otasite's repository].
    #[arg(long, value_name = "URL")]
    pub install_git: Option<String>,
    /// The release archive (.tar.gz, its .sha256 beside it) for --install release
    /// [default: the Linux x86_64 archive of the version's GitHub release].
    #[arg(long, value_name = "URL")]
    pub install_url: Option<String>,
    /// Instead of a starter site, write the endpoint that collects testers' device
    /// identifiers for this host (into udid/) and the `devices:` settings to add to site.yaml.
    #[arg(long, value_enum, value_name = "HOST", conflicts_with_all = ["host", "theme", "install", "install_version", "install_git", "install_url"])]
    pub udid: Option<UdidHost>,
}

/// Where the device registration endpoint runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum UdidHost {
    /// A Cloudflare Worker (JavaScript module).
    Cloudflare,
    /// A Netlify Function (JavaScript).
    Netlify,
    /// An AWS Lambda handler (Node.js) behind API Gateway or a function URL.
    Lambda,
}

#[derive(Debug, clap::Args)]
pub struct DevicesArgs {
    /// The team's list of devices: one a line, the UDID first, then optionally a name and a
    /// model separated by tabs, commas or spaces; blank lines and `#` comments are skipped.
    pub file: PathBuf,
    /// Write the portal's file here instead of to standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Where a generated workflow gets otasite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InstallFrom {
    Registry,
    Git,
    Release,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The built site to check (default: the config's output folder, else dist).
    pub dir: Option<PathBuf>,
    /// Check the site deployed at this https:// URL against the local build. Extra trusted
    /// root certificates (e.g. a staging CA) can be given as a PEM file in OTASITE_EXTRA_CA_CERT.
    #[arg(long)]
    pub remote: Option<String>,
    /// Most requests in flight at once with --remote.
    #[arg(long, default_value_t = 8)]
    pub concurrency: usize,
    /// Seconds before a request with --remote gives up.
    #[arg(long, default_value_t = 20)]
    pub timeout: u64,
    /// Accept a site that lists no app (otherwise an error).
    #[arg(long)]
    pub allow_empty: bool,
    /// Only list each app and channel whose newest installable build stops launching (profile
    /// or signing certificate expiry) within this window, e.g. 14d, 36h or 2w, from the built
    /// site's catalog (or the deployed one's with --remote); fails when any does, and prints
    /// GitHub Actions annotations when GITHUB_ACTIONS=true.
    #[arg(long, value_name = "WINDOW")]
    pub expiring: Option<String>,
    /// With --expiring: when anything is listed, post the list to the chat webhooks set in the
    /// environment, one message per service (the variables `notify` reads).
    #[arg(long, requires = "expiring")]
    pub notify: bool,
    /// With --notify: print the messages instead of posting them.
    #[arg(long, requires = "notify")]
    pub dry_run: bool,
    /// Only list the builds of the built site that `keep` and the `retention` rules of
    /// site.yaml would remove at the next build, and why (a dry run; removes nothing).
    #[arg(long, conflicts_with_all = ["expiring", "remote"])]
    pub retention: bool,
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// The site configuration file.
    #[arg(long, short = 'c', default_value = "site.yaml")]
    pub config: PathBuf,
    /// Port to listen on (0 picks a free one).
    #[arg(long, short = 'p', default_value_t = 8000)]
    pub port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: String,
}

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The older build: an .ipa file, or CATALOG#BUILD, a catalog.json (file or https:// URL)
    /// and a build's folder in it, e.g. dist/catalog.json#com.example.app/1.2-45/.
    pub old: String,
    /// The newer build, as OLD.
    pub new: String,
    /// Print one JSON object: both builds and the facts that differ.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct NotifyArgs {
    /// The built site, whose catalog.json lists the builds to announce.
    #[arg(default_value = "dist")]
    pub dir: PathBuf,
    /// The catalog.json before this deploy, as a file or its https:// URL: its builds are not
    /// announced again.
    #[arg(long, value_name = "FILE|URL", required = true)]
    pub previous: String,
    /// Print the messages that would be posted instead of posting them.
    #[arg(long)]
    pub dry_run: bool,
}
