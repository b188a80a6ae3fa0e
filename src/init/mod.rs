//! `otasite init`: a starter site for a host (site.yaml, builds/, Git LFS for archives and the
//! CI workflow that publishes the site). Files that already exist are kept as they are.

mod files;
mod install;
pub mod udid;

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context;

pub use files::{StarterFile, starter_files};
pub use install::{Install, InstallFrom, InstallRequest};

/// Where the site will be hosted: decides the CI workflow and the host's files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Host {
    GithubPages,
    S3,
    Netlify,
}

/// The starter site to write.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The folder to set up (created if missing).
    pub dir: PathBuf,
    pub host: Host,
    /// Also copy the built-in theme for customisation.
    pub theme: bool,
    /// Where the generated workflow gets otasite.
    pub install: Install,
}

/// What happened to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    Wrote,
    /// It existed already and was left untouched.
    Kept,
}

/// Writes the starter files that do not exist yet; returns what was done and what is next,
/// for the command to print.
pub fn run(args: &Plan) -> anyhow::Result<String> {
    let install = &args.install;
    std::fs::create_dir_all(&args.dir)
        .with_context(|| format!("cannot create the folder {}", args.dir.display()))?;
    let mut results = Vec::new();
    for file in starter_files(args.host, args.theme, install) {
        let written = write_new(&args.dir, &file)?;
        results.push((file.path, written));
    }
    Ok(report(args, install, &results))
}

/// Writes `file` under `dir` unless something is already there. `create_new` makes the check
/// and the creation one step, so a file appearing meanwhile is not overwritten either.
pub fn write_new(dir: &Path, file: &StarterFile) -> anyhow::Result<Written> {
    let path: PathBuf = dir.join(&file.path);
    if path.symlink_metadata().is_ok() {
        return Ok(Written::Kept);
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create the folder {}", parent.display()))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if file.executable {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o755);
    }
    let mut out = match options.open(&path) {
        Ok(out) => out,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Ok(Written::Kept),
        Err(e) => return Err(e).with_context(|| format!("cannot create {}", path.display())),
    };
    out.write_all(file.contents.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(Written::Wrote)
}

/// What was written and kept, then the next steps.
fn report(args: &Plan, install: &Install, results: &[(String, Written)]) -> String {
    let mut out = format!(
        "Setting up {} for {}:\n",
        args.dir.display(),
        files::host_name(args.host)
    );
    let theme_prefix = format!("{}/", files::THEME_DIR);
    let (theme_files, other_files): (Vec<_>, Vec<_>) = results
        .iter()
        .partition(|(path, _)| path.starts_with(&theme_prefix));
    for (path, written) in &other_files {
        out += &match written {
            Written::Wrote => format!("  wrote {path}\n"),
            Written::Kept => format!("  kept  {path} (it exists; left unchanged)\n"),
        };
    }
    // The theme is dozens of files: one line for all of them.
    let kept = theme_files
        .iter()
        .filter(|(_, w)| *w == Written::Kept)
        .count();
    let wrote = theme_files.len() - kept;
    if wrote > 0 {
        out += &format!("  wrote {theme_prefix} ({wrote} files of the built-in theme)\n");
    }
    if kept > 0 {
        out += &format!("  kept  {theme_prefix} ({kept} files exist; left unchanged)\n");
    }
    out += &install_note(install, results);
    out.push_str("\nNext steps:\n");
    for (number, step) in next_steps(args, results).iter().enumerate() {
        out += &format!("  {}. {step}\n", number + 1);
    }
    out
}

fn next_steps(args: &Plan, results: &[(String, Written)]) -> Vec<String> {
    let kept = |path: &str| {
        results
            .iter()
            .any(|(p, w)| p == path && *w == Written::Kept)
    };
    let mut steps = Vec::new();
    if args.dir != Path::new(".") {
        steps.push(format!("cd {}", args.dir.display()));
    }
    if args.theme && kept("site.yaml") {
        steps.push(format!(
            "site.yaml was kept: add `theme: {}` to it to use the copied theme.",
            files::THEME_DIR
        ));
    }
    if args.host != Host::GithubPages {
        steps.push(
            "Set base_url in site.yaml to the https:// URL the site will be served from.".into(),
        );
    }
    steps.push(
        "Copy .ipa files into builds/ (release notes beside them as .md) and preview with \
         `otasite build` (writes dist/)."
            .into(),
    );
    let lfs_ready = std::fs::read_to_string(args.dir.join(files::GITATTRIBUTES_PATH))
        .is_ok_and(|text| text.lines().any(|line| line.trim() == files::LFS_LINE));
    if !lfs_ready {
        steps.push(format!(
            "{} was kept and does not store archives in Git LFS: add the line `{}`.",
            files::GITATTRIBUTES_PATH,
            files::LFS_LINE
        ));
    }
    steps.push(
        "Run `git lfs install` once on this machine, then commit (archives go to Git LFS) \
         and push to GitHub."
            .into(),
    );
    if kept(files::WORKFLOW_PATH) {
        steps.push(format!(
            "{} was kept: compare it with the one `otasite init` writes in an empty folder.",
            files::WORKFLOW_PATH
        ));
    }
    steps.extend(files::host_steps(args.host).iter().map(|s| s.to_string()));
    steps.push(format!(
        "The whole procedure, step by step: {}{}.",
        files::GUIDE_PATH,
        if kept(files::GUIDE_PATH) {
            " (kept: it existed already)"
        } else {
            ""
        }
    ));
    steps
}

/// Which install source the workflow was written with, and how to choose another.
fn install_note(install: &Install, results: &[(String, Written)]) -> String {
    let wrote_workflow = results
        .iter()
        .any(|(p, w)| p == files::WORKFLOW_PATH && *w == Written::Wrote);
    if !wrote_workflow {
        return String::new();
    }
    let mut note = format!(
        "\nThe workflow installs {}.\n\
         To change that, edit the `env:` block at the top of {} or run init in an empty folder \
         with --install registry|git|release (see `otasite init --help`).\n",
        install.describe(),
        files::WORKFLOW_PATH
    );
    if let Install::Registry { version } = install {
        note += &format!(
            "That needs otasite {version} on crates.io; otherwise use --install git (builds \
             from {}) or --install release (a prebuilt binary).\n",
            install::PROJECT_REPOSITORY
        );
    }
    note
}
