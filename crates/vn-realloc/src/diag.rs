//! Diagnostics: what was wrong with an input, where (file, line, column) and what was expected.
//!
//! Parsing produces `(value, diagnostics)` and reports every problem it finds, up to
//! [`Diagnostics::LIMIT`], not only the first.
//!
//! Every message is written in both languages where it is made, by one [`msg!`](crate::msg) call
//! that gives it a stable code (`E101` for an error, `W201` for a warning), its English text and
//! its Vietnamese text from the same arguments: the catalogue is the set of those calls, and a test
//! checks that no code is used twice. A [`Diagnostic`] keeps both texts; [`Diagnostic::render`]
//! writes it in the user's language with its location in that language's words ("dòng", "cột",
//! "trang tính") and its code, which tools and tests can match without depending on the wording.

use std::fmt;

use serde::Serialize;

use crate::report::Lang;

/// A message in English and Vietnamese, with its stable code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Msg {
    /// Stable code (`E101`), empty for a message that has none (text from outside the catalogue).
    pub code: &'static str,
    /// English text, lowercase, no trailing period.
    pub en: String,
    /// Vietnamese text, lowercase, no trailing period.
    pub vi: String,
}

impl Msg {
    /// A message with its code and both texts.
    pub fn new(code: &'static str, en: String, vi: String) -> Msg {
        Msg { code, en, vi }
    }

    /// The text in `lang`.
    pub fn text(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Vi => &self.vi,
        }
    }
}

/// A text from outside the catalogue (another front end's message): both languages show it as is.
impl From<String> for Msg {
    fn from(s: String) -> Msg {
        Msg { code: "", vi: s.clone(), en: s }
    }
}

impl From<&str> for Msg {
    fn from(s: &str) -> Msg {
        Msg::from(s.to_owned())
    }
}

/// Builds a [`Msg`]: `msg!("E101", "english {x}", "tiếng Việt {x}", args...)`, both texts format
/// strings over the same arguments (each evaluated once per language); or, when the languages need
/// different arguments (a word of each language), `msg!("E102", en("... {}", a), vi("... {}", b))`.
#[macro_export]
macro_rules! msg {
    ($code:literal, $en:literal, $vi:literal $(, $arg:expr)* $(,)?) => {
        $crate::diag::Msg::new($code, format!($en $(, $arg)*), format!($vi $(, $arg)*))
    };
    ($code:literal, en($($en:tt)+), vi($($vi:tt)+) $(,)?) => {
        $crate::diag::Msg::new($code, format!($($en)+), format!($($vi)+))
    };
}

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
        /// The column's letter as the spreadsheet shows it (`F`); absent when not known.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        #[schemars(default)]
        letter: String,
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
    /// What is wrong and what was expected, in English, lowercase, no trailing period.
    pub message: String,
    /// The same in Vietnamese.
    pub message_vi: String,
    /// The message's stable code (`E101`), absent when it has none.
    #[serde(skip_serializing_if = "str::is_empty")]
    #[schemars(default)]
    pub code: &'static str,
}

impl Diagnostic {
    /// An error about `file` at `location`.
    pub fn error(file: impl Into<String>, location: Location, message: impl Into<Msg>) -> Diagnostic {
        Diagnostic::new(Severity::Error, file.into(), location, message.into())
    }

    /// A warning about `file` at `location`.
    pub fn warning(file: impl Into<String>, location: Location, message: impl Into<Msg>) -> Diagnostic {
        Diagnostic::new(Severity::Warning, file.into(), location, message.into())
    }

    fn new(severity: Severity, file: String, location: Location, m: Msg) -> Diagnostic {
        Diagnostic { severity, file, location, message: m.en, message_vi: m.vi, code: m.code }
    }

    /// The message in `lang`.
    pub fn message_in(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.message,
            Lang::Vi => &self.message_vi,
        }
    }

    /// The diagnostic in `lang`: its location in that language's words, the message, and its code.
    /// In English this is the [`Display`](fmt::Display) form; in Vietnamese
    /// `tệp, dòng 2, cột `plan`: ...` and `sổ.xlsx, trang tính `Dự án`, dòng 12, cột `plan`: ...`.
    pub fn render(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        let file = &self.file;
        let place = match &self.location {
            Location::File => file.clone(),
            Location::Position { line, column } => format!("{file}, dòng {line}, ký tự thứ {column}"),
            Location::Field { line, column } => format!("{file}, dòng {line}, cột `{column}`"),
            Location::Line { line } => format!("{file}, dòng {line}"),
            Location::Cell { sheet, row, column, letter } => {
                format!("{file}, trang tính `{sheet}`, dòng {row}, cột {}", cell_column(letter, column))
            }
            Location::SheetRow { sheet, row } => format!("{file}, trang tính `{sheet}`, dòng {row}"),
            Location::Sheet { sheet } => format!("{file}, trang tính `{sheet}`"),
        };
        format!("{place}: {}{}", self.message_vi, code_suffix(self.code))
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
        self.fmt_place(f)?;
        f.write_str(&code_suffix(self.code))
    }
}

/// A workbook column in a message: `F (`giai_ngan`)`, or `` `giai_ngan` `` when its letter is unknown.
fn cell_column(letter: &str, column: &str) -> String {
    if letter.is_empty() { format!("`{column}`") } else { format!("{letter} (`{column}`)") }
}

/// ` [E101]`, or nothing for a message without a code.
fn code_suffix(code: &str) -> String {
    if code.is_empty() { String::new() } else { format!(" [{code}]") }
}

impl Diagnostic {
    fn fmt_place(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Location::File => write!(f, "{}: {}", self.file, self.message),
            Location::Position { line, column } => {
                write!(f, "{}:{line}:{column}: {}", self.file, self.message)
            }
            Location::Field { line, column } => {
                write!(f, "{}:{line}: column `{column}`: {}", self.file, self.message)
            }
            Location::Line { line } => write!(f, "{}:{line}: {}", self.file, self.message),
            Location::Cell { sheet, row, column, letter } => {
                let column = cell_column(letter, column);
                write!(f, "{}: sheet `{sheet}` row {row}: column {column}: {}", self.file, self.message)
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
    pub fn error(&mut self, file: &str, location: Location, message: impl Into<Msg>) {
        self.push(Diagnostic::error(file, location, message));
    }

    /// Records a warning.
    pub fn warning(&mut self, file: &str, location: Location, message: impl Into<Msg>) {
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

    /// Keeps only the diagnostics for which `keep` is true (a reader drops what only repeats a problem
    /// already reported).
    pub fn retain(&mut self, keep: impl FnMut(&Diagnostic) -> bool) {
        self.items.retain(keep);
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

impl Diagnostics {
    /// One diagnostic a line in `lang` ([`Diagnostic::render`]), then how many more were found when
    /// some were not kept.
    pub fn render(&self, lang: Lang) -> String {
        if lang == Lang::En {
            return self.to_string();
        }
        let mut s = String::new();
        for d in &self.items {
            s.push_str(&d.render(lang));
            s.push('\n');
        }
        let more = self.dropped + self.dropped_warnings;
        if more > 0 {
            s.push_str(&format!("... và {more} vấn đề khác không hiển thị\n"));
        }
        s
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::{AmountError, NumberTextError};

    /// Every code of the catalogue: the first literal of each `msg!` call in the loader's and the
    /// rules engine's sources, and the codes of the amount errors.
    fn codes() -> Vec<String> {
        let sources = [
            include_str!("load/mod.rs"),
            include_str!("load/history.rs"),
            include_str!("load/pipeline.rs"),
            include_str!("load/projects.rs"),
            include_str!("load/records.rs"),
            include_str!("load/scenario_toml.rs"),
            include_str!("load/text.rs"),
            include_str!("load/workbook.rs"),
            include_str!("load/xlsx.rs"),
            include_str!("load/monitoring.rs"),
            include_str!("rules/mod.rs"),
            include_str!("rules/engine.rs"),
            include_str!("rules/expr.rs"),
            include_str!("rules/expr/parse.rs"),
            include_str!("rules/lint.rs"),
            include_str!("rules/policy.rs"),
            include_str!("rules/overrides.rs"),
            include_str!("rules/backtest.rs"),
            include_str!("pipeline.rs"),
        ];
        let mut codes = Vec::new();
        for src in sources {
            for call in src.split("msg!(").skip(1) {
                let code: String = call.trim_start().trim_start_matches('"').chars().take(4).collect();
                codes.push(code);
            }
        }
        use AmountError::*;
        for e in [
            Empty,
            NotANumber,
            Scientific,
            NotFinite,
            ThousandsSeparator,
            DecimalComma,
            TooManyDecimals,
            Negative,
            TooLarge,
        ] {
            codes.push(e.code().to_owned());
        }
        codes.push(NumberTextError::BadGrouping(String::new()).code().to_owned());
        let ambiguous =
            NumberTextError::Ambiguous { text: String::new(), as_dot: String::new(), as_vi: String::new() };
        codes.push(ambiguous.code().to_owned());
        codes
    }

    #[test]
    fn every_message_code_is_used_once() {
        let codes = codes();
        assert!(codes.len() > 80, "{codes:?}");
        let mut seen = std::collections::BTreeSet::new();
        for c in &codes {
            let b = c.as_bytes();
            assert!(
                b.len() == 4 && (b[0] == b'E' || b[0] == b'W') && b[1..].iter().all(u8::is_ascii_digit),
                "not a code: {c:?}"
            );
            assert!(seen.insert(c.clone()), "code {c} is used twice");
        }
    }

    #[test]
    fn a_diagnostic_renders_in_each_language_with_its_place_and_code() {
        let d = Diagnostic::error(
            "mau.xlsx",
            Location::Cell { sheet: "Dự án".into(), row: 12, column: "plan".into(), letter: "L".into() },
            crate::msg!("E999", "expected {}", "cần {}", "x"),
        );
        assert_eq!(
            d.render(Lang::En),
            "mau.xlsx: sheet `Dự án` row 12: column L (`plan`): expected x [E999]"
        );
        assert_eq!(d.render(Lang::Vi), "mau.xlsx, trang tính `Dự án`, dòng 12, cột L (`plan`): cần x [E999]");
        let plain = Diagnostic::warning("a.csv", Location::Line { line: 3 }, "from elsewhere");
        assert_eq!(plain.render(Lang::Vi), "a.csv, dòng 3: from elsewhere");
        assert_eq!(plain.to_string(), "a.csv:3: from elsewhere");
    }
}
