//! A zero-copy RFC 4180 record reader over text already checked to be UTF-8: fields are slices of
//! the text (a quoted field with doubled quotes is the only one copied), so a national scenario is
//! split without one allocation or UTF-8 check per field.
//!
//! Accepted: comma separators, `"` quotes with `""` inside, quoted fields spanning lines, line ends
//! `\n`, `\r\n` or `\r`, blank lines (skipped). Refused with the line: a quote never closed, text
//! after a closing quote.

use std::borrow::Cow;

use super::text::Fields;

/// Reads records one at a time.
#[derive(Debug)]
pub(crate) struct Records<'a> {
    text: &'a str,
    pos: usize,
    /// Line of `pos`, 1-based.
    line: usize,
}

/// A record that cannot be split, and the line where the problem is.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct SplitError {
    pub line: usize,
    pub message: String,
}

impl<'a> Records<'a> {
    pub(crate) fn new(text: &'a str) -> Records<'a> {
        Records { text, pos: 0, line: 1 }
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
        // Fast path: a line without quotes or a lone '\r' is split at its commas.
        let rest = self.text.get(self.pos..).unwrap_or("");
        let line_len = rest.find('\n').unwrap_or(rest.len());
        let line = rest.get(..line_len).unwrap_or("");
        let line = line.strip_suffix('\r').unwrap_or(line);
        if memchr::memchr2(b'"', b'\r', line.as_bytes()).is_none() {
            fields.extend(line.split(',').map(Cow::Borrowed));
            self.pos += line_len + 1;
            self.line += 1;
            return Some(Ok(start_line));
        }
        loop {
            if b.get(self.pos) == Some(&b'"') {
                match self.quoted() {
                    Ok(f) => fields.push(f),
                    Err(e) => {
                        self.pos = b.len();
                        return Some(Err(e));
                    }
                }
                match b.get(self.pos) {
                    None | Some(b'\n' | b'\r' | b',') => {}
                    Some(_) => {
                        let e = SplitError {
                            line: self.line,
                            message: "unexpected text after a closing quote; a quoted field must end at the next comma or line end".into(),
                        };
                        self.pos = b.len();
                        return Some(Err(e));
                    }
                }
            } else {
                let start = self.pos;
                let len = b[start..]
                    .iter()
                    .position(|&c| c == b',' || c == b'\n' || c == b'\r')
                    .unwrap_or(b.len() - start);
                self.pos = start + len;
                // Cut at ASCII delimiters of valid UTF-8, so the slice is always on char boundaries.
                fields.push(Cow::Borrowed(self.text.get(start..self.pos).unwrap_or("")));
            }
            match b.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(_) => {
                    self.eol();
                    return Some(Ok(start_line));
                }
                None => return Some(Ok(start_line)),
            }
        }
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
            let Some(q) = b[start..].iter().position(|&c| c == b'"') else {
                return Err(SplitError {
                    line: open_line,
                    message: "a quoted field is never closed: a '\"' is missing".into(),
                });
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

impl Fields for Vec<Cow<'_, str>> {
    fn count(&self) -> usize {
        self.len()
    }
    fn field(&self, i: usize) -> &str {
        self.get(i).map_or("", |c| c.as_ref())
    }
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
        assert_eq!(split("a\rb\r"), vec![ok(1, &["a"]), ok(2, &["b"])]);
        assert_eq!(split(""), vec![]);
    }

    #[test]
    fn refuses_broken_quotes_with_the_line() {
        let r = split("a\n\"open,b\nc\n");
        assert_eq!(
            r[1],
            Err(SplitError { line: 2, message: "a quoted field is never closed: a '\"' is missing".into() })
        );
        let r = split("a\n\"x\"y,b\n");
        assert!(matches!(&r[1], Err(e) if e.line == 2 && e.message.contains("after a closing quote")));
    }
}
