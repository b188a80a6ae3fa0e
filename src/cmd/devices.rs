//! `otasite devices FILE`: the team's list of devices -> Apple's bulk registration file.

use std::io::Write;

use anyhow::Context;

use super::Outcome;
use crate::cli::DevicesArgs;
use crate::devices::portal;
use crate::messages;

/// The largest list read (a few hundred devices take a few kilobytes).
const FILE_LIMIT: u64 = 1024 * 1024;

pub fn run(args: &DevicesArgs) -> anyhow::Result<Outcome> {
    let file = args.file.display();
    let size = std::fs::metadata(&args.file)
        .with_context(|| format!("cannot read {file}"))?
        .len();
    anyhow::ensure!(
        size <= FILE_LIMIT,
        "{file} is {size} bytes, more than a list of devices can be ({FILE_LIMIT} bytes at most)"
    );
    let bytes = std::fs::read(&args.file).with_context(|| format!("cannot read {file}"))?;
    let text = String::from_utf8(bytes).map_err(|_| anyhow::anyhow!("{file} is not UTF-8 text"))?;
    let (devices, problems) = portal::read(&text);
    if !problems.is_empty() {
        for problem in &problems {
            messages::error_text(format!("{file}:{}: {}", problem.line, problem.message));
        }
        messages::error_text(format!(
            "{file}: {} line(s) to fix; no registration file was written",
            problems.len()
        ));
        return Ok(Outcome::Failed);
    }
    if devices.is_empty() {
        messages::error_text(format!("{file} lists no device"));
        return Ok(Outcome::Failed);
    }
    let out = portal::portal_file(&devices);
    match &args.output {
        Some(path) => {
            std::fs::write(path, &out)
                .with_context(|| format!("cannot write {}", path.display()))?;
            messages::info(format!(
                "wrote {} device(s) to {}: upload it in the developer portal (Devices › Register Multiple Devices)",
                devices.len(),
                path.display()
            ));
        }
        None => messages::stdout().write_all(out.as_bytes())?,
    }
    Ok(Outcome::Success)
}
