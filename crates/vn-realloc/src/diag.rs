//! Diagnostics: what was wrong with an input, where (file, line, column) and what was expected.
//!
//! Parsing produces `(value, diagnostics)` and reports every problem it finds, up to
//! [`Diagnostics::LIMIT`], not only the first.

use std::fmt;

use serde::Serialize;

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; the input is still used.
    Warning,
    /// The input cannot be used.
    Error,
}

/// Where in a file a problem sits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Location {
    /// The file as a whole (missing, empty, unreadable).
    File,
    /// A line and a character column, both 1-based (TOML, bytes that are not UTF-8).
    Position {
        /// Line, 1-based.
        line: usize,
        /// Character column, 1-based.
        column: usize,
    },
    /// A line and a named column of a table (CSV, Excel).
    Field {
        /// Line of the file (or row of the sheet), 1-based, header included.
        line: usize,
        /// Column name from the header.
        column: String,
    },
    /// A whole line of a table (wrong number of fields, duplicate key).
    Line {
        /// Line, 1-based.
        line: usize,
    },
    /// A cell of a workbook: sheet, row and named column.
    Cell {
        /// Sheet name.
        sheet: String,
        /// Row of the sheet, 1-based as the spreadsheet shows it.
        row: usize,
        /// Column name from the header.
        column: String,
    },
    /// A whole row of a workbook sheet (duplicate key, cells beyond the header).
    SheetRow {
        /// Sheet name.
        sheet: String,
        /// Row of the sheet, 1-based.
        row: usize,
    },
    /// A workbook sheet as a whole (missing, empty).
    Sheet {
        /// Sheet name.
        sheet: String,
    },
}

/// One problem found in an input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The file as the user named it (relative to the scenario folder when inside it).
    pub file: String,
    /// Where in the file.
    pub location: Location,
    /// What is wrong and what was expected, lowercase, no trailing period.
    pub message: String,
}

impl Diagnostic {
    /// An error about `file` at `location`.
    pub fn error(file: impl Into<String>, location: Location, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Error, file: file.into(), location, message: message.into() }
    }

    /// A warning about `file` at `location`.
    pub fn warning(file: impl Into<String>, location: Location, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, file: file.into(), location, message: message.into() }
    }

    /// The line, when the location has one.
    pub fn line(&self) -> Option<usize> {
        match &self.location {
            Location::File | Location::Sheet { .. } => None,
            Location::Position { line, .. } | Location::Field { line, .. } | Location::Line { line } => {
                Some(*line)
            }
            Location::Cell { row, .. } | Location::SheetRow { row, .. } => Some(*row),
        }
    }
}

impl fmt::Display for Diagnostic {
    /// `file:line:column: message`, `file:line: column `name`: message`, `file:line: message` or
    /// `file: message`; in a workbook `file: sheet `S` row N: column `name`: message`,
    /// `file: sheet `S` row N: message` or `file: sheet `S`: message`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Location::File => write!(f, "{}: {}", self.file, self.message),
            Location::Position { line, column } => {
                write!(f, "{}:{line}:{column}: {}", self.file, self.message)
            }
            Location::Field { line, column } => {
                write!(f, "{}:{line}: column `{column}`: {}", self.file, self.message)
            }
            Location::Line { line } => write!(f, "{}:{line}: {}", self.file, self.message),
            Location::Cell { sheet, row, column } => {
                write!(f, "{}: sheet `{sheet}` row {row}: column `{column}`: {}", self.file, self.message)
            }
            Location::SheetRow { sheet, row } => {
                write!(f, "{}: sheet `{sheet}` row {row}: {}", self.file, self.message)
            }
            Location::Sheet { sheet } => write!(f, "{}: sheet `{sheet}`: {}", self.file, self.message),
        }
    }
}

/// The problems found in one pass over the inputs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
    /// Errors found beyond [`Diagnostics::LIMIT`] and not kept.
    dropped: usize,
    /// Warnings found beyond [`Diagnostics::LIMIT`] and not kept: they must not count as errors.
    dropped_warnings: usize,
}

impl Diagnostics {
    /// The most diagnostics kept: enough to fix a file in one go, few enough to read.
    pub const LIMIT: usize = 100;

    /// No diagnostics.
    pub fn new() -> Diagnostics {
        Diagnostics::default()
    }

    /// Records a diagnostic, counting instead of keeping it beyond the limit.
    pub fn push(&mut self, d: Diagnostic) {
        if self.items.len() < Self::LIMIT {
            self.items.push(d);
        } else if d.severity == Severity::Error {
            self.dropped += 1;
        } else {
            self.dropped_warnings += 1;
        }
    }

    /// Records an error.
    pub fn error(&mut self, file: &str, location: Location, message: impl Into<String>) {
        self.push(Diagnostic::error(file, location, message));
    }

    /// Records a warning.
    pub fn warning(&mut self, file: &str, location: Location, message: impl Into<String>) {
        self.push(Diagnostic::warning(file, location, message));
    }

    /// True once the limit is reached: parsers may stop looking.
    pub fn is_full(&self) -> bool {
        self.items.len() >= Self::LIMIT
    }

    /// True when any error was recorded.
    pub fn has_errors(&self) -> bool {
        self.dropped > 0 || self.items.iter().any(|d| d.severity == Severity::Error)
    }

    /// Number of errors, counting those not kept.
    pub fn error_count(&self) -> usize {
        self.dropped + self.items.iter().filter(|d| d.severity == Severity::Error).count()
    }

    /// Errors found beyond the limit and not kept.
    pub fn dropped(&self) -> usize {
        self.dropped
    }

    /// Number of warnings, counting those not kept.
    pub fn warning_count(&self) -> usize {
        self.dropped_warnings + self.items.iter().filter(|d| d.severity == Severity::Warning).count()
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty() && self.dropped == 0 && self.dropped_warnings == 0
    }

    /// The diagnostics kept, in the order found.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// Rewrites every diagnostic kept (to relocate those of a front end into its own terms).
    pub fn rewrite(&mut self, f: impl FnMut(&mut Diagnostic)) {
        self.items.iter_mut().for_each(f);
    }

    /// Drops every diagnostic equal to one kept before it (one file read twice, as a workbook holding
    /// both the projects and the history, reports its problems once).
    pub fn dedup(&mut self) {
        let mut kept: Vec<Diagnostic> = Vec::with_capacity(self.items.len());
        for d in self.items.drain(..) {
            if !kept.contains(&d) {
                kept.push(d);
            }
        }
        self.items = kept;
    }

    /// Moves every line-based location `by` lines down: a part of a file read on its own numbers its
    /// lines from 1.
    pub(crate) fn shift_lines(&mut self, by: usize) {
        for d in &mut self.items {
            match &mut d.location {
                Location::Position { line, .. } | Location::Field { line, .. } | Location::Line { line } => {
                    *line += by;
                }
                Location::File
                | Location::Sheet { .. }
                | Location::Cell { .. }
                | Location::SheetRow { .. } => {}
            }
        }
    }

    /// Appends another set.
    pub fn extend(&mut self, other: Diagnostics) {
        for d in other.items {
            self.push(d);
        }
        self.dropped += other.dropped;
        self.dropped_warnings += other.dropped_warnings;
    }
}

impl fmt::Display for Diagnostics {
    /// One diagnostic a line, then how many more were found when some were not kept.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.items {
            writeln!(f, "{d}")?;
        }
        let more = self.dropped + self.dropped_warnings;
        if more > 0 {
            writeln!(f, "... and {more} more problems not shown")?;
        }
        Ok(())
    }
}
