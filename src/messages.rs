//! The one printer for what otasite tells people: `error:` and `warning:` lines on stderr with
//! the cause chain said once, plain progress lines, and stdout that treats a closed pipe
//! (`otasite inspect x.ipa | head`) as the reader having seen enough.
//!
//! Colour is used only when the stream is a terminal, `NO_COLOR` is unset or empty and `TERM`
//! is not `dumb`.

use std::error::Error;
use std::fmt::Display;
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};

/// How serious a line is; the label is its prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Error,
    Warning,
    Note,
}

impl Level {
    pub fn label(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "note",
        }
    }

    /// Bold red, bold yellow, bold cyan.
    fn colour(self) -> &'static str {
        match self {
            Level::Error => "\x1b[1;31m",
            Level::Warning => "\x1b[1;33m",
            Level::Note => "\x1b[1;36m",
        }
    }

    /// `error:` coloured when `colour` is true.
    pub fn prefix(self, colour: bool) -> String {
        if colour {
            format!("{}{}:\x1b[0m", self.colour(), self.label())
        } else {
            format!("{}:", self.label())
        }
    }
}

/// Whether text written to a stream that `is_terminal` may carry colour codes.
pub fn colour_for(is_terminal: bool) -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
    is_terminal && !no_color && !dumb
}

fn stderr_colour() -> bool {
    colour_for(std::io::stderr().is_terminal())
}

/// Writes one whole line to stderr. A closed stderr is ignored: there is nowhere to say so.
fn to_stderr(line: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{line}");
}

/// `error: <error>: <cause>: <cause>`, on one line.
pub fn error(error: &(dyn Error + 'static)) {
    error_text(chain(error));
}

/// `error: <message>` for a failure that has no error value.
pub fn error_text(message: impl Display) {
    to_stderr(&format!(
        "{} {message}",
        Level::Error.prefix(stderr_colour())
    ));
}

/// `warning: <message>`.
pub fn warning(message: impl Display) {
    to_stderr(&format!(
        "{} {message}",
        Level::Warning.prefix(stderr_colour())
    ));
}

/// A plain line on stderr: progress, the build summary, where a server listens.
pub fn info(message: impl Display) {
    to_stderr(&message.to_string());
}

/// `debug: <message>`, for `--verbose`.
pub fn debug(message: impl Display) {
    to_stderr(&format!("debug: {message}"));
}

/// An error and its causes on one line, joined by `: `. A cause whose text the line already
/// holds is left out: some libraries (walkdir, io wrappers) repeat their source in their own
/// message, and a cause is worth saying once.
pub fn chain(error: &(dyn Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let said = cause.to_string();
        if !said.is_empty() && !text.contains(&said) {
            text.push_str(": ");
            text.push_str(&said);
        }
        source = cause.source();
    }
    text
}

/// Set once a write to stdout found the reader gone.
static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Whether stdout's reader went away while a command wrote to it: the command then ends
/// quietly with success, as `head` and `grep -q` expect.
pub fn stdout_closed() -> bool {
    STDOUT_CLOSED.load(Ordering::Relaxed)
}

/// Stdout for a command's output (reports, JSON). It notes a broken pipe, so that `main` can
/// tell a reader who stopped reading from a real failure.
pub fn stdout() -> Stdout {
    Stdout {
        inner: std::io::stdout().lock(),
    }
}

/// Whether stdout is a terminal that takes colour.
pub fn stdout_colour() -> bool {
    colour_for(std::io::stdout().is_terminal())
}

pub struct Stdout {
    inner: std::io::StdoutLock<'static>,
}

fn note_broken_pipe<T>(result: std::io::Result<T>) -> std::io::Result<T> {
    if let Err(e) = &result {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            STDOUT_CLOSED.store(true, Ordering::Relaxed);
        }
    }
    result
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        note_broken_pipe(self.inner.write(buf))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        note_broken_pipe(self.inner.flush())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("cannot read the builds folder builds")]
    struct Outer(#[source] Middle);

    /// Like walkdir's error: repeats its source in its own message.
    #[derive(Debug, thiserror::Error)]
    #[error("IO error for operation on builds: {0}")]
    struct Middle(#[source] std::io::Error);

    #[test]
    fn chain_says_each_cause_once() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "No such file or directory");
        let text = chain(&Outer(Middle(io)));
        assert_eq!(
            text,
            "cannot read the builds folder builds: IO error for operation on builds: No such file or directory"
        );
    }

    #[test]
    fn prefixes_are_plain_without_colour() {
        assert_eq!(Level::Error.prefix(false), "error:");
        assert_eq!(Level::Warning.prefix(false), "warning:");
        assert_eq!(Level::Warning.prefix(true), "\x1b[1;33mwarning:\x1b[0m");
        assert!(!colour_for(false));
    }
}
