//! A zero-copy RFC 4180 record reader over text already checked to be UTF-8: fields are slices of
//! the text (a quoted field with doubled quotes is the only one copied), so a national scenario is
//! split without one allocation or UTF-8 check per field.
//!
//! Accepted: comma separators, `"` quotes with `""` inside, quoted fields spanning lines, line ends
//! `\n`, `\r\n` or `\r`, blank lines (skipped). Refused with the line: a quote never closed, text
//! after a closing quote.

use std::borrow::Cow;

use rayon::prelude::*;

use super::MAX_COLUMNS;
use super::headers;
use super::text::Fields;
use crate::diag::{Diagnostics, Location, Msg};
use crate::msg;

/// A text whose first line is at most this long is split byte by byte: a SIMD search per comma costs
/// more than it saves on short lines. Only the speed depends on it.
const SHORT_LINE: usize = 64;

/// Reads records one at a time.
#[derive(Debug)]
pub(crate) struct Records<'a> {
    text: &'a str,
    pos: usize,
    /// Line of `pos`, 1-based.
    line: usize,
    /// Split lines byte by byte rather than with SIMD searches.
    short_lines: bool,
    /// The field separator: ',' (or ';' in a file Excel saved with a Vietnamese locale).
    sep: u8,
}

/// A record that cannot be split, and the line where the problem is.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct SplitError {
    pub line: usize,
    pub message: Msg,
    /// The text ended inside a quoted field.
    pub open_quote: bool,
}

impl<'a> Records<'a> {
    pub(crate) fn new(text: &'a str) -> Records<'a> {
        let probe = &text.as_bytes()[..text.len().min(SHORT_LINE + 1)];
        let short_lines = memchr::memchr(b'\n', probe).is_some();
        Records { text, pos: 0, line: 1, short_lines, sep: b',' }
    }

    /// Reads records separated by `sep` instead of ','.
    pub(crate) fn with_separator(text: &'a str, sep: u8) -> Records<'a> {
        Records { sep, ..Records::new(text) }
    }

    /// Reads the next record into `fields` (cleared first) and returns the line where it starts;
    /// `None` at the end of the text. After an error the rest of the text is not read.
    pub(crate) fn next_record(
        &mut self,
        fields: &mut Vec<Cow<'a, str>>,
    ) -> Option<Result<usize, SplitError>> {
        fields.clear();
        let b = self.text.as_bytes();
        // Skip blank lines.
        while self.pos < b.len() && (b[self.pos] == b'\n' || b[self.pos] == b'\r') {
            self.eol();
        }
        if self.pos >= b.len() {
            return None;
        }
        let start_line = self.line;
        loop {
            // `pos` is at the start of a field.
            if b.get(self.pos) == Some(&b'"') {
                match self.quoted() {
                    Ok(f) => fields.push(f),
                    Err(e) => {
                        self.pos = b.len();
                        return Some(Err(e));
                    }
                }
                match b.get(self.pos) {
                    None | Some(b'\n' | b'\r') => {}
                    Some(&c) if c == self.sep => {}
                    Some(_) => {
                        let e = SplitError {
                            line: self.line,
                            message: msg!(
                                "E316",
                                "unexpected text after a closing quote; a quoted field must end at the next comma or line end",
                                "có ký tự sau dấu ngoặc kép đóng; một ô đặt trong ngoặc kép phải kết thúc ngay ở dấu phẩy hoặc cuối dòng tiếp theo"
                            ),
                            open_quote: false,
                        };
                        self.pos = b.len();
                        return Some(Err(e));
                    }
                }
            } else {
                // Unquoted fields up to the next line end or quote, split at their commas: byte by byte
                // in a file of short lines (the history), with one SIMD search for the span and one
                // for its commas in a file of long lines (the projects). Cutting at ASCII bytes of
                // valid UTF-8 keeps every slice on char boundaries.
                let mut start = self.pos;
                let stop = if self.short_lines {
                    let mut i = self.pos;
                    loop {
                        match b.get(i) {
                            Some(&c) if c == self.sep => {
                                fields.push(Cow::Borrowed(self.text.get(start..i).unwrap_or("")));
                                start = i + 1;
                            }
                            Some(b'\n' | b'\r' | b'"') | None => break i,
                            Some(_) => {}
                        }
                        i += 1;
                    }
                } else {
                    let at = self.pos;
                    let stop = memchr::memchr3(b'\n', b'\r', b'"', &b[at..]).map_or(b.len(), |n| at + n);
                    for comma in memchr::memchr_iter(self.sep, &b[at..stop]) {
                        fields.push(Cow::Borrowed(self.text.get(start..at + comma).unwrap_or("")));
                        start = at + comma + 1;
                    }
                    stop
                };
                if b.get(stop) == Some(&b'"') {
                    if start == stop {
                        // The next field is quoted.
                        self.pos = start;
                        continue;
                    }
                    // A quote inside an unquoted field is text: the field runs to a comma or line end.
                    let end =
                        memchr::memchr3(self.sep, b'\n', b'\r', &b[stop..]).map_or(b.len(), |i| stop + i);
                    fields.push(Cow::Borrowed(self.text.get(start..end).unwrap_or("")));
                    self.pos = end;
                } else {
                    fields.push(Cow::Borrowed(self.text.get(start..stop).unwrap_or("")));
                    self.pos = stop;
                }
            }
            match b.get(self.pos) {
                Some(&c) if c == self.sep => self.pos += 1,
                Some(_) => {
                    self.eol();
                    return Some(Ok(start_line));
                }
                None => return Some(Ok(start_line)),
            }
        }
    }

    /// Reads the header record into `fields` and returns its line; `None` when the text holds no
    /// record, or (reported in `diags` against `file`) when the first cannot be split or names more
    /// than [`MAX_COLUMNS`] columns.
    pub(crate) fn header(
        &mut self,
        fields: &mut Vec<Cow<'a, str>>,
        file: &str,
        diags: &mut Diagnostics,
    ) -> Option<usize> {
        match self.next_record(fields)? {
            Ok(line) if fields.len() > MAX_COLUMNS => {
                diags.error(
                    file,
                    Location::Line { line },
                    msg!(
                        "E318",
                        "the header has {} fields, more than the {MAX_COLUMNS} columns an input may have (README, \"Limits\"); expected a header naming the columns",
                        "dòng tiêu đề có {} cột, nhiều hơn mức tối đa {MAX_COLUMNS} cột của một tệp đầu vào (README, \"Limits\"); cần một dòng tiêu đề ghi tên các cột",
                        fields.len()
                    ),
                );
                None
            }
            Ok(line) => Some(line),
            Err(e) => {
                diags.error(file, Location::Line { line: e.line }, e.message);
                None
            }
        }
    }

    /// The text not read yet, and the number of line ends read so far.
    pub(crate) fn rest(&self) -> (&'a str, usize) {
        (self.text.get(self.pos.min(self.text.len())..).unwrap_or(""), self.line - 1)
    }

    /// Consumes one line end at `pos`.
    fn eol(&mut self) {
        let b = self.text.as_bytes();
        if b.get(self.pos) == Some(&b'\r') && b.get(self.pos + 1) == Some(&b'\n') {
            self.pos += 2;
        } else {
            self.pos += 1;
        }
        self.line += 1;
    }

    /// A quoted field starting at `pos` (on its opening quote); leaves `pos` after the closing quote.
    fn quoted(&mut self) -> Result<Cow<'a, str>, SplitError> {
        let b = self.text.as_bytes();
        let open_line = self.line;
        let mut start = self.pos + 1;
        let mut owned: Option<String> = None;
        loop {
            let Some(q) = memchr::memchr(b'"', &b[start..]) else {
                return Err(SplitError { line: open_line, message: unclosed_quote(), open_quote: true });
            };
            let piece = self.text.get(start..start + q).unwrap_or("");
            self.line += piece.bytes().filter(|&c| c == b'\n').count()
                + piece.as_bytes().windows(2).filter(|w| w[0] == b'\r' && w[1] != b'\n').count()
                + usize::from(piece.ends_with('\r'));
            let end = start + q;
            if b.get(end + 1) == Some(&b'"') {
                // A doubled quote: one '"' in the value.
                let s = owned.get_or_insert_with(String::new);
                s.push_str(piece);
                s.push('"');
                start = end + 2;
            } else {
                self.pos = end + 1;
                return Ok(match owned {
                    Some(mut s) => {
                        s.push_str(piece);
                        Cow::Owned(s)
                    }
                    None => Cow::Borrowed(piece),
                });
            }
        }
    }
}

/// When `bytes` is a CSV file that Excel saved with a Vietnamese (or other) locale, fields separated
/// by ';': the same file with ',' separators (fields quoted as needed, every record on its own line
/// as before, so that lines keep their numbers), with a note in `diags`; else `None`. A file is taken
/// for such a one when its header line holds no ',' and its ';'-separated fields name at least two
/// columns of `table`.
pub(crate) fn semicolon_to_comma(
    bytes: &[u8],
    file: &str,
    table: &[(&str, &[&str])],
    diags: &mut Diagnostics,
) -> Option<Vec<u8>> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = &body[..memchr::memchr2(b'\n', b'\r', body).unwrap_or(body.len())];
    if memchr::memchr(b',', first).is_some() || memchr::memchr(b';', first).is_none() {
        return None;
    }
    let header = std::str::from_utf8(first).ok()?;
    let known =
        header.split(';').filter(|h| headers::column_of(table, h.trim().trim_matches('"')).is_some()).count();
    if known < 2 {
        return None;
    }
    let text = std::str::from_utf8(body).ok()?;
    let mut records = Records::with_separator(text, b';');
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    let mut fields = Vec::new();
    let mut line = 1;
    while let Some(rec) = records.next_record(&mut fields) {
        let Ok(start) = rec else {
            // Left to the comma reading, which reports it at its line.
            return None;
        };
        while line < start {
            out.push('\n');
            line += 1;
        }
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            if f.contains([',', '"', '\n', '\r']) {
                out.push('"');
                out.push_str(&f.replace('"', "\"\""));
                out.push('"');
            } else {
                out.push_str(f);
            }
        }
        out.push('\n');
        line = records.line;
    }
    diags.warning(
        file,
        Location::Line { line: 1 },
        msg!(
            "W319",
            "the fields are separated by ';' (as Excel saves a CSV with a Vietnamese locale), not ','; read with ';'",
            "các ô được ngăn cách bằng dấu ';' (như Excel lưu tệp CSV với thiết lập vùng Việt Nam), không phải dấu ','; đã đọc theo dấu ';'"
        ),
    );
    Some(out.into_bytes())
}

impl Fields for Vec<Cow<'_, str>> {
    fn count(&self) -> usize {
        self.len()
    }
    fn field(&self, i: usize) -> &str {
        self.get(i).map_or("", |c| c.as_ref())
    }
    fn invalid(&self, i: usize) -> Option<&str> {
        self.get(i).and_then(|c| super::text::control(c))
    }
}

/// One record of a part: its fields, and whether the part holds no control character at all, so
/// that its fields need not be checked one by one (see [`super::text::control`]).
#[derive(Debug)]
pub(crate) struct Row<'a> {
    fields: Vec<Cow<'a, str>>,
    clean: bool,
}

impl Row<'_> {
    /// True when no field of the row can hold a control character: [`Fields::invalid`] is `None`
    /// for every field.
    pub(crate) fn is_clean(&self) -> bool {
        self.clean
    }
}

impl<'a> std::ops::Deref for Row<'a> {
    type Target = Vec<Cow<'a, str>>;
    fn deref(&self) -> &Self::Target {
        &self.fields
    }
}

impl Fields for Row<'_> {
    fn count(&self) -> usize {
        self.fields.len()
    }
    fn field(&self, i: usize) -> &str {
        self.fields.field(i)
    }
    fn invalid(&self, i: usize) -> Option<&str> {
        if self.clean { None } else { self.fields.invalid(i) }
    }
}

/// The message for a quoted field without its closing quote.
fn unclosed_quote() -> Msg {
    msg!(
        "E317",
        "a quoted field is never closed: a '\"' is missing",
        "một ô mở dấu ngoặc kép nhưng không đóng: thiếu một dấu '\"'"
    )
}

/// True when `bytes` may hold a control character that [`super::text::control`] refuses: a byte
/// below 0x20 other than a line end, DEL, or 0xC2 (the lead byte of U+0080..U+00BF). Written as a
/// branch-free fold over blocks, which the compiler turns into vector instructions.
fn has_control(bytes: &[u8]) -> bool {
    let suspect = |b: u8| u8::from(((b < 0x20) & (b != b'\n') & (b != b'\r')) | (b == 0x7f) | (b == 0xc2));
    let mut blocks = bytes.chunks_exact(64);
    for block in &mut blocks {
        if block.iter().fold(0u8, |acc, &b| acc | suspect(b)) != 0 {
            return true;
        }
    }
    blocks.remainder().iter().any(|&b| suspect(b) != 0)
}

/// The size of the parts of a file read in parallel: large enough that a part costs far
/// more than its hand-over, small enough that two to sixteen cores share a national file evenly.
pub(crate) const PART_BYTES: usize = 1 << 20;

/// How the reading of a part ended.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Ending {
    /// At the end of the part, between records.
    #[default]
    Clean,
    /// Inside a quoted field still open at the end of the part.
    OpenQuote,
    /// At a record that cannot be split; the rest was not read.
    Broken,
}

impl Ending {
    /// How a reading that met `e` ended.
    pub(crate) fn of(e: &SplitError) -> Ending {
        if e.open_quote { Ending::OpenQuote } else { Ending::Broken }
    }
}

/// What reading one part gave besides what the caller made of its records; lines are counted from
/// the part's start.
#[derive(Debug, Default)]
pub(crate) struct PartRead {
    diags: Diagnostics,
    /// Records read, good or bad.
    records: usize,
    /// Line ends read: the next part starts that many lines further.
    lines: usize,
    ending: Ending,
}

/// Reads every record of `text`, a run of whole lines of `file`, handing each to `each` with its line
/// (counted from the start of `text`) and the part's diagnostics; a record that cannot be split is
/// reported and ends the reading.
pub(crate) fn read_part<'a>(
    text: &'a str,
    file: &str,
    width: usize,
    mut each: impl FnMut(&Row<'a>, usize, &mut Diagnostics),
) -> PartRead {
    let mut read = PartRead::default();
    let mut records = Records::new(text);
    let mut row = Row { fields: Vec::with_capacity(width), clean: !has_control(text.as_bytes()) };
    while let Some(rec) = records.next_record(&mut row.fields) {
        match rec {
            Ok(line) => {
                read.records += 1;
                each(&row, line, &mut read.diags);
            }
            Err(e) => {
                read.ending = Ending::of(&e);
                read.diags.error(file, Location::Line { line: e.line }, e.message);
                break;
            }
        }
    }
    read.lines = records.rest().1;
    read
}

/// The parts of a body read by [`read_in_parts`].
#[derive(Debug)]
pub(crate) struct Parts<T> {
    /// What the caller made of each part, and the number of lines before the part's first line.
    pub parts: Vec<(T, usize)>,
    /// Records read, good or bad.
    pub records: usize,
    /// A record could not be split: the reading stopped there.
    pub broken: bool,
}

/// Reads `body`, the lines of a file after its header (`lines_before` lines), in parts of about
/// `part_bytes` in parallel, and returns what `read` (which calls [`read_part`]) made of each part,
/// in file order, as one reading from the start would; the parts' messages join `diags` with their
/// lines counted from the start of the file.
///
/// The body is cut right after a line end found after each `part_bytes` step. An unquoted field never
/// spans a line end, so a reading of a part that started at a record boundary ends either between
/// records, or inside a quoted field, which happens only when the cut fell inside a field that spans
/// lines (or the file never closes the quote). Such a part is read again together with the next,
/// until it ends between records or is the last. A part that ends at a record that cannot be split
/// is the last returned: a reading stops there. So every part but the last returned starts at a record
/// boundary and reads exactly what a reading from the start would, whatever `part_bytes`.
pub(crate) fn read_in_parts<'a, T: Send>(
    body: &'a str,
    lines_before: usize,
    part_bytes: usize,
    diags: &mut Diagnostics,
    read: impl Fn(&'a str) -> (T, PartRead) + Sync,
) -> Parts<T> {
    let b = body.as_bytes();
    let step = part_bytes.max(1);
    let mut cuts = vec![0];
    let mut start = 0;
    while b.len() - start > step {
        let Some(nl) = memchr::memchr(b'\n', &b[start + step..]) else { break };
        start += step + nl + 1;
        cuts.push(start);
    }
    cuts.push(b.len());
    // Cuts are after ASCII line ends of valid UTF-8: char boundaries.
    let slice = |from: usize, to: usize| body.get(cuts[from]..cuts[to]).unwrap_or("");
    let mut parts: Vec<(usize, Option<(T, PartRead)>)> =
        (0..cuts.len() - 1).into_par_iter().map(|i| (i + 1, Some(read(slice(i, i + 1))))).collect();
    let mut done = Parts { parts: Vec::with_capacity(parts.len()), records: 0, broken: false };
    let mut offset = lines_before;
    let mut from = 0;
    let mut i = 0;
    while i < parts.len() {
        let to = parts[i].0;
        let ending = parts[i].1.as_ref().map_or(Ending::Clean, |(_, r)| r.ending);
        if ending == Ending::OpenQuote && i + 1 < parts.len() {
            // Read this part again together with the next one.
            let next_to = parts[i + 1].0;
            parts[i + 1].1 = Some(read(slice(from, next_to)));
            i += 1;
            continue;
        }
        if let Some((value, mut part)) = parts[i].1.take() {
            part.diags.shift_lines(offset);
            diags.extend(part.diags);
            done.records += part.records;
            done.parts.push((value, offset));
            offset += part.lines;
        }
        if ending != Ending::Clean {
            done.broken = true;
            break;
        }
        from = to;
        i += 1;
    }
    done
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<Result<(usize, Vec<String>), SplitError>> {
        let mut r = Records::new(text);
        let mut f = Vec::new();
        let mut out = Vec::new();
        while let Some(rec) = r.next_record(&mut f) {
            out.push(rec.map(|line| (line, f.iter().map(|c| c.to_string()).collect())));
        }
        out
    }

    fn ok(line: usize, fields: &[&str]) -> Result<(usize, Vec<String>), SplitError> {
        Ok((line, fields.iter().map(|s| s.to_string()).collect()))
    }

    #[test]
    fn splits_rfc4180() {
        assert_eq!(
            split("a,b,c\r\n\"x, \"\"y\"\"\",,\"z\"\r\n\r\nlast,\"two\nlines\",end\n5"),
            vec![
                ok(1, &["a", "b", "c"]),
                ok(2, &["x, \"y\"", "", "z"]),
                ok(4, &["last", "two\nlines", "end"]),
                ok(6, &["5"]),
            ]
        );
        assert_eq!(split("a,\n"), vec![ok(1, &["a", ""])]);
        // A quote inside an unquoted field is text, as is everything up to the next comma.
        assert_eq!(split("ab\"c,d\n,\"\""), vec![ok(1, &["ab\"c", "d"]), ok(2, &["", ""])]);
        assert_eq!(split("a\",b\r\n"), vec![ok(1, &["a\"", "b"])]);
        assert_eq!(split("x,a\"b\"c,\"q\"\n"), vec![ok(1, &["x", "a\"b\"c", "q"])]);
        assert_eq!(split("x,a\"\nb\""), vec![ok(1, &["x", "a\""]), ok(2, &["b\""])]);
        assert_eq!(split("a\rb\r"), vec![ok(1, &["a"]), ok(2, &["b"])]);
        assert_eq!(split(""), vec![]);
    }

    proptest::proptest! {
        /// Whatever the fields hold, the reader gives back what a standard CSV writer wrote, with
        /// either line end, and each record starts on the line the writer put it; in a file of
        /// short lines (split byte by byte) and of long ones (split with SIMD searches).
        #[test]
        fn reads_back_what_a_csv_writer_wrote(
            rows in proptest::collection::vec(
                proptest::collection::vec("[a,\"\r\n đ]{0,6}", 1..5), 1..6),
            crlf in proptest::bool::ANY,
            long_first in proptest::bool::ANY,
        ) {
            let mut rows = rows;
            if long_first {
                rows.insert(0, vec!["a".repeat(SHORT_LINE), "b".into()]);
            }
            let terminator = if crlf { ::csv::Terminator::CRLF } else { ::csv::Terminator::Any(b'\n') };
            let mut w = ::csv::WriterBuilder::new()
                .flexible(true)
                .terminator(terminator)
                .from_writer(Vec::new());
            let mut expected = Vec::new();
            let mut line = 1;
            for row in &rows {
                w.write_record(row).map_err(|e| proptest::test_runner::TestCaseError::fail(e.to_string()))?;
                expected.push(Ok((line, row.clone())));
                // Line ends inside quoted fields count as lines, as an editor shows them.
                line += 1 + row.iter().map(|f| f.replace("\r\n", "\n").matches(['\n', '\r']).count()).sum::<usize>();
            }
            let bytes = w.into_inner().map_err(|e| proptest::test_runner::TestCaseError::fail(e.to_string()))?;
            let text = String::from_utf8(bytes).map_err(|e| proptest::test_runner::TestCaseError::fail(e.to_string()))?;
            proptest::prop_assert_eq!(split(&text), expected, "{:?}", text);
        }
    }

    #[test]
    fn refuses_broken_quotes_with_the_line() {
        let r = split("a\n\"open,b\nc\n");
        assert_eq!(r[1], Err(SplitError { line: 2, message: unclosed_quote(), open_quote: true }));
        let r = split("a\n\"x\"y,b\n");
        assert!(matches!(&r[1], Err(e) if e.line == 2 && e.message.en.contains("after a closing quote")));
    }
}
