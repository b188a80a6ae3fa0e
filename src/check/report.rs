//! Findings of a check and how they are printed: one line each, then a summary with counts.

use std::fmt;
use std::io::Write;

use crate::messages::Level;

/// How serious a finding is. Only errors fail the check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The site will not work (or not as built): exit code 1.
    Error,
    /// Works today but is fragile or close to a limit.
    Warning,
    /// Something the check could not verify, said so that silence is not mistaken for success.
    Note,
}

impl Severity {
    /// The printer's level, whose label prefixes the line.
    fn level(self) -> Level {
        match self {
            Severity::Error => Level::Error,
            Severity::Warning => Level::Warning,
            Severity::Note => Level::Note,
        }
    }
}

/// One problem with one file or URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    /// The file (as a path) or URL the finding is about.
    pub subject: String,
    /// What is wrong, as a sentence fragment (and what to do, where that helps).
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.severity.level().prefix(false),
            self.subject,
            self.message
        )
    }
}

/// Everything a check found, in the order it was found.
#[derive(Debug, Default)]
pub struct Report {
    pub findings: Vec<Finding>,
    /// How many files or URLs were looked at, for the summary.
    pub checked: usize,
}

impl Report {
    pub fn error(&mut self, subject: impl Into<String>, message: impl Into<String>) {
        self.push(Severity::Error, subject, message);
    }

    pub fn warning(&mut self, subject: impl Into<String>, message: impl Into<String>) {
        self.push(Severity::Warning, subject, message);
    }

    pub fn note(&mut self, subject: impl Into<String>, message: impl Into<String>) {
        self.push(Severity::Note, subject, message);
    }

    pub fn push(
        &mut self,
        severity: Severity,
        subject: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.findings.push(Finding {
            severity,
            subject: subject.into(),
            message: message.into(),
        });
    }

    /// Appends another report's findings and counts (used to merge parallel work in order).
    pub fn merge(&mut self, other: Report) {
        self.findings.extend(other.findings);
        self.checked += other.checked;
    }

    fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    /// `checked 12 files: 1 error, 2 warnings, 0 notes`
    pub fn summary(&self, what: &str) -> String {
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        format!(
            "checked {}: {}, {}, {}",
            plural(self.checked, what),
            plural(self.count(Severity::Error), "error"),
            plural(self.count(Severity::Warning), "warning"),
            plural(self.count(Severity::Note), "note"),
        )
    }

    /// Prints every finding, then the summary line; labels in colour when `colour`.
    pub fn print(&self, out: &mut impl Write, what: &str, colour: bool) -> std::io::Result<()> {
        for f in &self.findings {
            let label = f.severity.level().prefix(colour);
            writeln!(out, "{label} {}: {}", f.subject, f.message)?;
        }
        writeln!(out, "{}", self.summary(what))
    }

    /// Whether any finding is an error, which fails the check.
    pub fn has_errors(&self) -> bool {
        self.count(Severity::Error) > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_summary() {
        let mut report = Report {
            checked: 3,
            ..Report::default()
        };
        report.error("dist/a.plist", "the manifest has no items");
        report.warning("https://x.org/b.ipa", "no Content-Length");
        let mut out = Vec::new();
        report
            .print(&mut out, "file", false)
            .expect("write to memory");
        let text = String::from_utf8(out).expect("utf8");
        assert_eq!(
            text,
            "error: dist/a.plist: the manifest has no items\n\
             warning: https://x.org/b.ipa: no Content-Length\n\
             checked 3 files: 1 error, 1 warning, 0 notes\n"
        );
        assert!(report.has_errors());
        assert!(!Report::default().has_errors());
    }
}
