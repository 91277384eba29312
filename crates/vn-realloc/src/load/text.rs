//! Text-level helpers shared by the parsers: UTF-8 and BOM handling, positions, and the strict field
//! parsers (booleans, percentages, years, codes, amounts) whose errors say what was expected, and
//! the normal forms in which keys and names are compared (Unicode NFC, no zero-width characters,
//! trimmed; names with their inner blanks collapsed). Every normalising function returns its input
//! borrowed when it is already normal, and pure ASCII (almost every field) is decided without looking
//! at a Unicode table.

use std::borrow::Cow;
use std::str::FromStr;

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

use crate::diag::{Diagnostics, Location, Msg};
use crate::domain::UnknownCode;
use crate::money::{AmountError, Money};
use crate::msg;

/// The fields of one table row, whatever their origin (a CSV record, a spreadsheet row).
pub trait Fields {
    /// Number of fields.
    fn count(&self) -> usize;
    /// Field `i` (0-based) as text; empty when there is no such field.
    fn field(&self, i: usize) -> &str;
    /// Why field `i` cannot be read at all (a spreadsheet cell holding a formula error, or a date
    /// where none is expected), or `None`. CSV fields are always text and never invalid.
    fn invalid(&self, _i: usize) -> Option<&str> {
        None
    }
    /// True when field `i` came from a spreadsheet number cell: its text is a number in `dot` form
    /// whatever the file's `amount_format`. CSV fields are always text.
    fn is_number(&self, _i: usize) -> bool {
        false
    }
    /// [`Fields::invalid`] as a message in both languages with its code. Readers that know their
    /// reasons in both languages (a workbook row) give them; others translate the control-character
    /// reasons of `control` and pass any other text as it is.
    fn invalid_msg(&self, i: usize) -> Option<Msg> {
        self.invalid(i).map(control_msg)
    }
}

impl Fields for Vec<&str> {
    fn count(&self) -> usize {
        self.len()
    }
    fn field(&self, i: usize) -> &str {
        self.get(i).copied().unwrap_or("")
    }
    fn invalid(&self, i: usize) -> Option<&str> {
        self.get(i).and_then(|f| control(f))
    }
}

impl Fields for Vec<String> {
    fn count(&self) -> usize {
        self.len()
    }
    fn field(&self, i: usize) -> &str {
        self.get(i).map_or("", String::as_str)
    }
    fn invalid(&self, i: usize) -> Option<&str> {
        self.get(i).and_then(|f| control(f))
    }
}

/// Why a field holding a control character (C0, DEL or C1: NUL, a tab, an escape...) is refused, or
/// `None` when it holds none. Blanks at the ends, which fields are trimmed of, are not counted. Such a
/// character is invisible in a spreadsheet and would be copied into every document. A line break is
/// the exception: it is what Alt+Enter makes in an Excel cell, shown as a second line, and a quoted
/// CSV field may hold it.
pub(crate) fn control(field: &str) -> Option<&'static str> {
    let b = field.as_bytes();
    // Fast path: no byte below 0x20, no DEL and no 0xC2 (the lead byte of U+0080..U+00BF).
    if !b.iter().any(|&c| c < 0x20 || c == 0x7f || c == 0xc2) {
        return None;
    }
    let c = trim(field).chars().find(|&c| c.is_control() && c != '\n' && c != '\r')?;
    Some(match c {
        '\0' => CONTROL_NUL,
        '\t' => CONTROL_TAB,
        _ => CONTROL_OTHER,
    })
}

/// The message for a reason of [`control`], in both languages; any other text as it is.
pub(crate) fn control_msg(reason: &str) -> Msg {
    match reason {
        CONTROL_NUL => msg!(
            "E301",
            "{CONTROL_NUL}",
            "ô chứa ký tự NUL (U+0000), không nhìn thấy trong bảng tính; hãy xóa ký tự này"
        ),
        CONTROL_TAB => {
            msg!("E302", "{CONTROL_TAB}", "ô chứa ký tự tab ở giữa văn bản; hãy xóa hoặc thay bằng dấu cách")
        }
        CONTROL_OTHER => msg!(
            "E303",
            "{CONTROL_OTHER}",
            "ô chứa một ký tự điều khiển không nhìn thấy (U+0001–U+001F, U+007F–U+009F); hãy xóa ký tự này"
        ),
        other => Msg::from(other),
    }
}

const CONTROL_NUL: &str = "the field holds a NUL character (U+0000), invisible in a spreadsheet; remove it";
const CONTROL_TAB: &str = "the field holds a tab character inside its text; remove it or type a space";
const CONTROL_OTHER: &str =
    "the field holds an invisible control character (U+0001–U+001F, U+007F–U+009F); remove it";

/// True for the zero-width characters that can hide in copied text: zero-width space, non-joiner and
/// joiner, word joiner, and the byte-order mark used as a zero-width no-break space.
fn zero_width(c: char) -> bool {
    matches!(c, '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}')
}

/// The form in which a key (a project id) is compared: Unicode NFC, zero-width characters removed,
/// blanks trimmed. Two ids that differ only invisibly (`Đ` precomposed or `D` + combining stroke, a
/// zero-width space, a trailing blank) are one id.
#[inline]
pub(crate) fn key(s: &str) -> Cow<'_, str> {
    if s.is_ascii() {
        return Cow::Borrowed(s.trim_ascii());
    }
    unicode_key(s)
}

/// [`key`] of a text that is not ASCII.
#[cold]
fn unicode_key(s: &str) -> Cow<'_, str> {
    let t = trim(s);
    if !t.chars().any(zero_width) && is_nfc_quick(t.chars()) == IsNormalized::Yes {
        return Cow::Borrowed(t.trim());
    }
    let normal: String = t.chars().filter(|&c| !zero_width(c)).nfc().collect();
    Cow::Owned(normal.trim().to_owned())
}

/// The form in which a name (investor, locality, sector) is compared: as [`key`], with every run of
/// blanks inside it made one space.
pub(crate) fn name(s: &str) -> Cow<'_, str> {
    let k = key(s);
    let doubled = k.as_bytes().windows(2).any(|w| w[0] == b' ' && w[1] == b' ')
        || k.chars().any(|c| c.is_whitespace() && c != ' ');
    if !doubled {
        return k;
    }
    let mut out = String::with_capacity(k.len());
    for word in k.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    Cow::Owned(out)
}

/// The text of a file: checks UTF-8 once, drops a UTF-8 BOM, and refuses an empty file.
/// `what` describes what the file should hold, for the empty-file message, in English and
/// Vietnamese.
pub(crate) fn decode<'b>(
    bytes: &'b [u8],
    file: &str,
    what: (&str, &str),
    diags: &mut Diagnostics,
) -> Option<&'b str> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // simdutf8 checks Vietnamese text several times faster than the standard library; only when it
    // refuses the bytes does the standard library locate the first bad byte.
    let checked = simdutf8::basic::from_utf8(body).or_else(|_| std::str::from_utf8(body));
    let text = match checked {
        Ok(t) => t,
        Err(e) => {
            let good = &body[..e.valid_up_to()];
            // The prefix up to `valid_up_to` is valid UTF-8 by definition.
            let prefix = std::str::from_utf8(good).unwrap_or("");
            let (line, column) = line_column(prefix, prefix.len());
            let byte = body.get(e.valid_up_to()).copied().unwrap_or(0);
            diags.error(
                file,
                Location::Position { line, column },
                msg!(
                    "E304",
                    "the file is not UTF-8 (byte 0x{byte:02X}); save it as UTF-8 (in Excel: \"CSV UTF-8\")",
                    "tệp không ở mã UTF-8 (byte 0x{byte:02X}); hãy lưu lại ở dạng UTF-8 (trong Excel: \"CSV UTF-8\")"
                ),
            );
            return None;
        }
    };
    if text.trim().is_empty() {
        diags.error(
            file,
            Location::File,
            msg!("E306", en("the file is empty; expected {}", what.0), vi("tệp trống; cần {}", what.1)),
        );
        return None;
    }
    Some(text)
}

/// The 1-based line and character column of byte `offset` of `text`.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// `s` with its first character in lowercase, for messages built from other libraries' errors.
pub(crate) fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `s` cut to at most 40 characters, for quoting user text in messages.
pub(crate) fn quote(s: &str) -> String {
    if s.chars().count() <= 40 {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(40).collect();
        t.push('…');
        t
    }
}

/// Parses an amount in million VND; the error says what was expected and what was found.
pub(crate) fn amount(s: &str) -> Result<Money, Msg> {
    // Fast path for the common `digits[.ddd]` form; anything else goes through the full parser,
    // which gives the same value or says what is wrong.
    if let Some(m) = plain_amount(s) {
        return Ok(m);
    }
    Money::parse_million(s).map_err(|e| match e {
        AmountError::Empty => Msg::new(e.code(), e.to_string(), e.message_vi().to_owned()),
        _ => Msg::new(
            e.code(),
            format!("{e}, found `{}`", quote(s)),
            format!("{}; ô ghi `{}`", e.message_vi(), quote(s)),
        ),
    })
}

/// `digits` or `digits.d{1,3}` with at most 10 integer digits, up to [`Money::MAX_INPUT`].
fn plain_amount(s: &str) -> Option<Money> {
    let b = s.as_bytes();
    let (int, frac) = match b.iter().position(|&c| c == b'.') {
        Some(i) => (&b[..i], &b[i + 1..]),
        None => (b, &b""[..]),
    };
    if int.is_empty() || int.len() > 10 || frac.len() > 3 || (frac.is_empty() && int.len() != b.len()) {
        return None;
    }
    let mut million: i64 = 0;
    for &d in int {
        if !d.is_ascii_digit() {
            return None;
        }
        million = million * 10 + i64::from(d - b'0');
    }
    let mut thousands: i64 = 0;
    for i in 0..3 {
        let d = frac.get(i).copied().unwrap_or(b'0');
        if !d.is_ascii_digit() {
            return None;
        }
        thousands = thousands * 10 + i64::from(d - b'0');
    }
    let dong = million * 1_000_000 + thousands * 1_000;
    (dong <= Money::MAX_INPUT.dong()).then(|| Money::from_dong(dong))
}

/// Parses `true` or `false`, or the Vietnamese `Có` or `Không` that the Excel template's lists offer,
/// in any case (and without diacritics: `co`, `khong`).
pub(crate) fn boolean(s: &str) -> Result<bool, Msg> {
    if s.eq_ignore_ascii_case("true") {
        return Ok(true);
    }
    if s.eq_ignore_ascii_case("false") {
        return Ok(false);
    }
    match crate::domain::fold_label(s).as_str() {
        "co" => Ok(true),
        "khong" => Ok(false),
        _ => Err(msg!(
            "E307",
            "expected true or false, found `{}` (Có and Không are accepted too)",
            "cần Có hoặc Không (hoặc true, false), nhưng gặp `{}`",
            quote(s)
        )),
    }
}

/// Parses a code of a code table in any case (`nstw` is NSTW).
pub(crate) fn code<T: FromStr<Err = UnknownCode> + Copy>(
    s: &str,
    all: &[T],
    code_of: fn(T) -> &'static str,
) -> Result<T, Msg> {
    if let Some(v) = all.iter().copied().find(|v| code_of(*v).eq_ignore_ascii_case(s)) {
        return Ok(v);
    }
    match s.parse::<T>() {
        Ok(v) => Ok(v),
        Err(e) if s.is_empty() => Err(msg!(
            "E308",
            en("expected one of: {}, found an empty field", e.expected),
            vi("cần {} là một trong: {}, nhưng ô để trống", what_vi(e.what), e.expected)
        )),
        Err(e) => {
            let en = UnknownCode { found: quote(s), ..e.clone() }.to_string();
            Err(msg!(
                "E309",
                en("{en}"),
                vi(
                    "{} `{}` không có trong danh mục; cần một trong: {}",
                    what_vi(e.what),
                    quote(s),
                    e.expected
                )
            ))
        }
    }
}

/// The Vietnamese name of a code table, for messages.
pub(crate) fn what_vi(what: &str) -> &'static str {
    match what {
        "capital source" => "mã nguồn vốn",
        "project group" => "nhóm dự án",
        "status" => "tình trạng",
        "obstacle code" => "mã vướng mắc",
        "category" => "phân loại",
        _ => "mã",
    }
}

/// Parses a percentage from 0 to 100 with '.' for decimals.
pub(crate) fn percentage(s: &str) -> Result<f64, Msg> {
    const EXPECTED: &str = "expected a percentage from 0 to 100 with '.' for decimals, such as 62.5";
    const EXPECTED_VI: &str = "cần một tỷ lệ từ 0 đến 100, dùng dấu '.' trước phần thập phân, ví dụ 62.5";
    let not_pct = || msg!("E310", "{EXPECTED}, found `{}`", "{EXPECTED_VI}; ô ghi `{}`", quote(s));
    if s.is_empty() {
        return Err(msg!("E311", "{EXPECTED}, found an empty field", "{EXPECTED_VI}, nhưng ô để trống"));
    }
    let body = s.strip_prefix('-').unwrap_or(s);
    if ["nan", "inf", "infinity"].iter().any(|w| body.eq_ignore_ascii_case(w)) {
        return Err(not_pct());
    }
    if body.contains(',') {
        return Err(msg!(
            "E305",
            "a decimal comma or thousands separator is not accepted; {EXPECTED}, found `{}`",
            "không nhận dấu phẩy thập phân hay dấu phân cách hàng nghìn; {EXPECTED_VI}; ô ghi `{}`",
            quote(s)
        ));
    }
    if body.bytes().any(|b| b == b'e' || b == b'E')
        && body.bytes().all(|b| b.is_ascii_digit() || b"eE.+-".contains(&b))
    {
        return Err(msg!(
            "E312",
            "scientific notation is not accepted; {EXPECTED}, found `{}`",
            "không nhận dạng số khoa học; {EXPECTED_VI}; ô ghi `{}`",
            quote(s)
        ));
    }
    let (int, frac) = body.split_once('.').unwrap_or((body, "0"));
    if int.is_empty()
        || frac.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(not_pct());
    }
    let value: f64 = body.parse().map_err(|_| not_pct())?;
    if s.starts_with('-') || value > 100.0 {
        return Err(msg!(
            "E313",
            "percentage outside 0–100, found `{}`",
            "tỷ lệ phải từ 0 đến 100, nhưng ô ghi `{}`",
            quote(s)
        ));
    }
    Ok(value)
}

/// The years accepted for a project's implementation period and a plan year.
pub(crate) const YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;

/// Parses a year such as 2025.
pub(crate) fn year(s: &str) -> Result<i32, Msg> {
    let bad = || {
        msg!(
            "E314",
            "expected a year such as 2025, found `{}`",
            "cần một năm, ví dụ 2025, nhưng gặp `{}`",
            quote(s)
        )
    };
    if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(if s.is_empty() {
            msg!(
                "E315",
                "expected a year such as 2025, found an empty field",
                "cần một năm, ví dụ 2025, nhưng ô để trống"
            )
        } else {
            bad()
        });
    }
    let y: i32 = s.parse().map_err(|_| bad())?;
    if YEARS.contains(&y) { Ok(y) } else { Err(bad()) }
}

/// Trims the blanks Excel or a hand edit may leave around a field.
pub(crate) fn trim(s: &str) -> &str {
    let blank = |b: Option<&u8>| matches!(b, Some(b' ' | b'\t' | 0xC2));
    if !blank(s.as_bytes().first()) && !blank(s.as_bytes().last()) && !s.ends_with('\u{a0}') {
        return s;
    }
    s.trim_matches(|c: char| c == ' ' || c == '\t' || c == '\u{a0}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Source;

    #[test]
    fn positions_count_characters_not_bytes() {
        assert_eq!(line_column("ab\ncđ\u{1ea1}x", 9), (2, 4));
        assert_eq!(line_column("", 0), (1, 1));
        assert_eq!(line_column("đ", 1), (1, 1));
    }

    #[test]
    fn percentages_are_strict() {
        assert_eq!(percentage("62.5"), Ok(62.5));
        assert_eq!(percentage("100"), Ok(100.0));
        assert_eq!(percentage("0"), Ok(0.0));
        for bad in ["62,5", "1e2", "NaN", "-1", "100.01", "", ".5", "5.", "abc", "inf"] {
            assert!(percentage(bad).is_err(), "{bad}");
        }
        assert!(percentage("62,5").unwrap_err().en.contains("decimal comma"));
        assert!(percentage("1e2").unwrap_err().en.contains("scientific"));
        assert!(percentage("120").unwrap_err().en.contains("outside 0–100"));
    }

    #[test]
    fn the_fast_amount_path_agrees_with_the_full_parser() {
        for s in [
            "0",
            "7209.438",
            "12.5",
            "1.",
            ".5",
            "1000000000",
            "1000000000.001",
            "9999999999",
            "12a",
            "1.2345",
            "007",
            "1.0",
        ] {
            assert_eq!(amount(s).ok(), Money::parse_million(s).ok(), "{s}");
        }
    }

    #[test]
    fn booleans_codes_and_years() {
        assert_eq!(boolean("TRUE"), Ok(true));
        assert_eq!(boolean("False"), Ok(false));
        assert!(boolean("yes").is_err());
        assert_eq!(code("nstw", Source::ALL, Source::code), Ok(Source::Nstw));
        assert!(
            code("NSTX", Source::ALL, Source::code).unwrap_err().en.contains("unknown capital source `NSTX`")
        );
        assert_eq!(year("2025"), Ok(2025));
        assert!(year("2025.0").is_err());
        assert!(year("99999").is_err());
    }

    #[test]
    fn decode_reports_the_first_bad_byte_and_empty_files() {
        let mut d = Diagnostics::new();
        assert_eq!(decode(b"\xEF\xBB\xBFid\n", "f.csv", ("rows", "dòng"), &mut d), Some("id\n"));
        assert!(decode(b"id\nab\xFFc", "f.csv", ("rows", "dòng"), &mut d).is_none());
        assert!(decode(b" \r\n", "f.csv", ("rows", "dòng"), &mut d).is_none());
        let text = d.to_string();
        assert!(text.contains("f.csv:2:3: the file is not UTF-8 (byte 0xFF)"), "{text}");
        assert!(text.contains("f.csv: the file is empty"), "{text}");
    }

    #[test]
    fn keys_and_names_in_their_normal_form() {
        assert_eq!(key("DA-001"), "DA-001");
        assert!(matches!(key("DA-001"), Cow::Borrowed(_)));
        // NFD (D + combining marks) and NFC are one key; a zero-width space is dropped.
        assert_eq!(key("Đe\u{302}\u{300}"), "Đề");
        assert_eq!(key("DA\u{200b}-001 "), "DA-001");
        assert_eq!(key("\u{feff}x"), "x");
        assert_eq!(name("Ban QLDA  giao thông "), "Ban QLDA giao thông");
        assert_eq!(name("Ban\u{a0}QLDA"), "Ban QLDA");
        assert!(matches!(name("Ban QLDA"), Cow::Borrowed(_)));
    }

    #[test]
    fn control_characters_are_refused() {
        assert_eq!(control("Đường 241"), None);
        assert_eq!(control(" a\t"), None);
        assert!(control("a\0b").unwrap().contains("NUL"));
        assert_eq!(control("a\nb"), None);
        assert!(control("a\u{85}b").unwrap().contains("control character"));
        assert!(control("a\tb").unwrap().contains("tab"));
    }

    #[test]
    fn vietnamese_booleans_and_labels() {
        assert_eq!(boolean("Có"), Ok(true));
        assert_eq!(boolean("không"), Ok(false));
        assert_eq!(boolean("KHONG"), Ok(false));
        assert_eq!(
            code("Chuyển tiếp", crate::domain::Status::ALL, crate::domain::Status::code),
            Ok(crate::domain::Status::Ongoing)
        );
        assert_eq!(
            code("GPMB", crate::domain::Obstacle::ALL, crate::domain::Obstacle::code),
            Ok(crate::domain::Obstacle::Land)
        );
        assert_eq!(
            code("hoan thanh", crate::domain::Status::ALL, crate::domain::Status::code),
            Ok(crate::domain::Status::Completed)
        );
        assert!(code("Đang làm", crate::domain::Status::ALL, crate::domain::Status::code).is_err());
    }
}
