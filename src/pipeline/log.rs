//! Messages and progress on stderr, according to verbosity, printed by [`crate::messages`].

use super::Verbosity;
use crate::messages;

/// Messages to stderr according to verbosity.
pub(super) struct Log {
    verbosity: Verbosity,
    /// The warnings given since [`Log::record`], when recording: a build decided up to date
    /// from its inputs alone gives them again without reading anything.
    recorded: std::sync::Mutex<Option<Vec<String>>>,
}

impl Log {
    pub fn new(verbosity: Verbosity) -> Log {
        Log {
            verbosity,
            recorded: Default::default(),
        }
    }

    /// Keeps every warning from now on, as well as printing it.
    pub fn record(&self) {
        *self.recorded.lock().unwrap_or_else(|e| e.into_inner()) = Some(Vec::new());
    }

    /// The warnings given since [`Log::record`], and stops recording.
    pub fn take_recorded(&self) -> Vec<String> {
        self.recorded
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
            .unwrap_or_default()
    }

    pub fn info(&self, message: String) {
        if self.verbosity != Verbosity::Quiet {
            messages::info(message);
        }
    }

    pub fn warn(&self, message: String) {
        if let Some(recorded) = self
            .recorded
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_mut()
        {
            recorded.push(message.clone());
        }
        messages::warning(message);
    }

    pub fn debug(&self, message: String) {
        if self.verbosity == Verbosity::Verbose {
            messages::debug(message);
        }
    }

    pub fn progress(&self, total: u64) -> Progress {
        use std::io::IsTerminal;
        let bar =
            (self.verbosity != Verbosity::Quiet && std::io::stderr().is_terminal()).then(|| {
                let bar = indicatif::ProgressBar::new(total);
                bar.set_style(
                    indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {wide_msg}")
                        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
                );
                bar
            });
        Progress {
            bar,
            plain: self.verbosity != Verbosity::Quiet,
            total,
            done: std::sync::atomic::AtomicU64::new(0),
        }
    }
}

/// A progress bar on a terminal, plain lines otherwise (CI logs), nothing when quiet.
pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
    plain: bool,
    total: u64,
    done: std::sync::atomic::AtomicU64,
}

impl Progress {
    /// One archive done; `opened` when it was read rather than taken from the cache. Plain
    /// lines name only the archives read: a CI log of a site of thousands of builds gets a
    /// line per new archive, not one per build.
    pub fn step(&self, name: &str, opened: bool) {
        let done = self.done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        match &self.bar {
            Some(bar) => {
                bar.set_message(name.to_string());
                bar.inc(1);
            }
            None if self.plain && opened => {
                messages::info(format!("read {done}/{} {name}", self.total))
            }
            None => {}
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// ` [RSS 41 MB, peak 57 MB]`: the process's resident memory now and at its peak so far, for
/// the verbose step timings (Linux only; empty elsewhere).
pub(super) fn memory() -> String {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return String::new();
    };
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| {
                rest.trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<u64>()
                    .ok()
            })
            .map(|kb| kb / 1024)
    };
    match (field("VmRSS:"), field("VmHWM:")) {
        (Some(now), Some(peak)) => format!(" [RSS {now} MB, peak {peak} MB]"),
        _ => String::new(),
    }
}
