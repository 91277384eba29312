//! Exact money: whole đồng in an `i64`, parsed from million-VND text without floating point.
//!
//! Scenario files state amounts in million VND (triệu đồng) with a '.' decimal point and at most three
//! decimals, so every valid amount is a whole number of thousand đồng. [`Money`] keeps whole đồng so
//! that the optimiser's rounding and the documents never lose a đồng.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};

use serde::{Deserialize, Serialize};

/// Đồng in one million VND.
pub const DONG_PER_MILLION: i64 = 1_000_000;

/// How numeric text is written in the input files (`amount_format` of `scenario.toml`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AmountFormat {
    /// A '.' decimal point and no grouping (`1234567.8`): what the tool itself writes.
    Dot,
    /// The Vietnamese way: '.' groups thousands, ',' marks decimals (`1.234.567,8`).
    Vi,
}

impl AmountFormat {
    /// Both conventions, `dot` first.
    pub const ALL: [AmountFormat; 2] = [AmountFormat::Dot, AmountFormat::Vi];

    /// The value of the `amount_format` key.
    pub const fn code(self) -> &'static str {
        match self {
            AmountFormat::Dot => "dot",
            AmountFormat::Vi => "vi",
        }
    }

    /// The format named by a value of the `amount_format` key.
    pub fn from_code(s: &str) -> Option<AmountFormat> {
        AmountFormat::ALL.into_iter().find(|f| f.code() == s)
    }
}

/// Why numeric text cannot be read in the convention asked for.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NumberTextError {
    /// No convention was stated and the text reads differently in the two: `30.000` is 30 with a
    /// decimal point and 30,000 with a Vietnamese thousands dot.
    #[error("`{text}` could be {as_dot} or {as_vi}")]
    Ambiguous {
        /// The text as written.
        text: String,
        /// Its reading with a '.' decimal point (`30`).
        as_dot: String,
        /// Its reading with '.' grouping thousands (`30,000`).
        as_vi: String,
    },
    /// `vi` text whose '.' does not group thousands in threes, or with a ',' misplaced.
    #[error(
        "with amount_format = \"vi\", '.' groups thousands in threes and ',' marks decimals, such as 1.234.567,8; found `{0}`"
    )]
    BadGrouping(String),
}

/// Numeric text in the `dot` form the parsers read (a '.' decimal point, no grouping), from text
/// written in `format`; `None` is a file whose `scenario.toml` states no convention.
///
/// - `Dot`: the text as it is.
/// - `Vi`: '.' groups thousands (groups of exactly three digits) and ',' marks decimals, so
///   `1.234.567,8` is `1234567.8`, `30.000` is `30000` and `12,5` is `12.5`. A '.' that does not
///   group thousands is refused, never read as a decimal point. Text with other characters
///   (`1e6`, `NaN`) is left for the parser to refuse with its reason.
/// - `None`: the text as `dot`, except that 1–3 digits, '.', exactly three digits (`30.000`,
///   `27.065`), which a Vietnamese reader takes for whole thousands, is refused with both readings.
///
/// ```
/// use realloc::money::{AmountFormat, to_dot_text};
/// assert_eq!(to_dot_text("1.234.567,8", Some(AmountFormat::Vi)).unwrap(), "1234567.8");
/// assert_eq!(to_dot_text("30.000", Some(AmountFormat::Dot)).unwrap(), "30.000");
/// assert!(to_dot_text("30.000", None).is_err());
/// ```
pub fn to_dot_text(
    text: &str,
    format: Option<AmountFormat>,
) -> Result<std::borrow::Cow<'_, str>, NumberTextError> {
    use std::borrow::Cow;
    match format {
        Some(AmountFormat::Dot) => Ok(Cow::Borrowed(text)),
        None => {
            if is_whole_thousands_lookalike(text) {
                let (sign, body) = split_sign(text);
                let (int, frac) = body.split_once('.').unwrap_or((body, ""));
                let as_dot = format!("{sign}{}", trim_decimal(int, frac));
                let as_vi = format!("{sign}{int},{frac}");
                Err(NumberTextError::Ambiguous { text: text.to_owned(), as_dot, as_vi })
            } else {
                Ok(Cow::Borrowed(text))
            }
        }
        Some(AmountFormat::Vi) => {
            let (sign, body) = split_sign(text);
            if !body.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b',') {
                return Ok(Cow::Borrowed(text));
            }
            if !body.contains(['.', ',']) {
                return Ok(Cow::Borrowed(text));
            }
            let bad = || NumberTextError::BadGrouping(text.to_owned());
            let (int, frac) = match body.split_once(',') {
                Some((i, f)) => (i, Some(f)),
                None => (body, None),
            };
            if int.is_empty() || frac.is_some_and(|f| f.is_empty() || f.contains(['.', ','])) {
                return Err(bad());
            }
            let mut groups = int.split('.');
            let first = groups.next().unwrap_or("");
            if first.is_empty() || (int.contains('.') && first.len() > 3) {
                return Err(bad());
            }
            let mut out = String::with_capacity(text.len());
            out.push_str(sign);
            out.push_str(first);
            for g in groups {
                if g.len() != 3 {
                    return Err(bad());
                }
                out.push_str(g);
            }
            if let Some(f) = frac {
                out.push('.');
                out.push_str(f);
            }
            Ok(Cow::Owned(out))
        }
    }
}

/// True for 1–3 digits, '.', exactly three digits, optionally after a '-' (`30.000`, `-1.500`): text
/// a Vietnamese reader takes for whole thousands, and a `dot` reader for three decimals.
#[inline]
pub fn is_whole_thousands_lookalike(text: &str) -> bool {
    let b = split_sign(text).1.as_bytes();
    (5..=7).contains(&b.len())
        && b[b.len() - 4] == b'.'
        && b.iter().enumerate().all(|(i, c)| i == b.len() - 4 || c.is_ascii_digit())
}

/// The leading '-' (or nothing) and the rest.
fn split_sign(text: &str) -> (&str, &str) {
    match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text),
    }
}

/// `int.frac` without the trailing zeros of `frac` (`30.000` is `30`, `27.050` is `27.05`).
fn trim_decimal(int: &str, frac: &str) -> String {
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() { int.to_owned() } else { format!("{int}.{frac}") }
}

/// An amount of money in whole đồng.
///
/// Arithmetic with `+` and `-` panics on overflow in debug builds like any integer; the loader bounds
/// every amount (see [`Money::MAX_INPUT`]) so that sums over a national portfolio cannot overflow.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    schemars::JsonSchema,
    Deserialize,
)]
#[serde(transparent)]
pub struct Money(i64);

impl Money {
    /// Zero đồng.
    pub const ZERO: Money = Money(0);

    /// The largest amount accepted from an input file: 10^9 million VND (10^15 đồng), ten thousand
    /// times Vietnam's whole annual public investment plan. A million rows of it still fit in `i64`.
    pub const MAX_INPUT: Money = Money(1_000_000_000 * DONG_PER_MILLION);

    /// An amount of whole đồng.
    pub const fn from_dong(dong: i64) -> Money {
        Money(dong)
    }

    /// An amount of whole million VND, `None` on overflow.
    pub const fn from_million(million: i64) -> Option<Money> {
        match million.checked_mul(DONG_PER_MILLION) {
            Some(d) => Some(Money(d)),
            None => None,
        }
    }

    /// The amount in đồng.
    pub const fn dong(self) -> i64 {
        self.0
    }

    /// The amount in million VND as a float, for the solver and for ratios; never for sums.
    pub fn million_f64(self) -> f64 {
        self.0 as f64 / DONG_PER_MILLION as f64
    }

    /// True when the amount is zero.
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// The larger of `self` and zero.
    pub fn max_zero(self) -> Money {
        Money(self.0.max(0))
    }

    /// Addition that reports overflow.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    /// Subtraction that reports overflow.
    pub fn checked_sub(self, other: Money) -> Option<Money> {
        self.0.checked_sub(other.0).map(Money)
    }

    /// The absolute value.
    pub fn abs(self) -> Money {
        Money(self.0.abs())
    }

    /// `self` rounded down to a whole multiple of `unit` (towards zero for positive units).
    /// A zero or negative unit leaves the amount unchanged.
    pub fn floor_to(self, unit: Money) -> Money {
        if unit.0 <= 0 {
            return self;
        }
        Money(self.0.div_euclid(unit.0) * unit.0)
    }

    /// The ratio `self / whole` as a float, 0 when `whole` is zero.
    pub fn ratio(self, whole: Money) -> f64 {
        if whole.0 == 0 { 0.0 } else { self.0 as f64 / whole.0 as f64 }
    }

    /// Parses million VND written as in the scenario files: digits, optionally a '.' and at most three
    /// decimals (`"7209.438"` is 7,209,438,000 đồng).
    ///
    /// Everything else is refused with the reason, never read as another number: thousands separators
    /// and decimal commas (`"1.234,5"`, `"1,234.5"`, `"12,5"`, `"1.234.567"`), scientific notation,
    /// NaN and infinities, negative amounts, more than three decimals, and amounts above
    /// [`Money::MAX_INPUT`].
    ///
    /// ```
    /// use realloc::money::{Money, AmountError};
    /// assert_eq!(Money::parse_million("7209.438"), Ok(Money::from_dong(7_209_438_000)));
    /// assert_eq!(Money::parse_million("12,5"), Err(AmountError::DecimalComma));
    /// ```
    pub fn parse_million(text: &str) -> Result<Money, AmountError> {
        let s = text.trim_matches(|c| c == ' ' || c == '\t');
        if s.is_empty() {
            return Err(AmountError::Empty);
        }
        let bytes = s.as_bytes();
        let (negative, body) = match bytes[0] {
            b'-' => (true, &s[1..]),
            _ => (false, s),
        };
        if ["nan", "inf", "infinity", "+inf", "+infinity"].iter().any(|w| body.eq_ignore_ascii_case(w)) {
            return Err(AmountError::NotFinite);
        }
        let b = body.as_bytes();
        if b.is_empty() || !b.iter().all(|c| c.is_ascii_digit() || matches!(c, b'.' | b',' | b' ')) {
            if b.iter().any(|c| matches!(c, b'e' | b'E'))
                && b.iter().all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-'))
                && b.iter().any(u8::is_ascii_digit)
            {
                return Err(AmountError::Scientific);
            }
            return Err(AmountError::NotANumber);
        }
        let commas = b.iter().filter(|&&c| c == b',').count();
        let dots = b.iter().filter(|&&c| c == b'.').count();
        let spaces = b.iter().filter(|&&c| c == b' ').count();
        if spaces > 0 {
            return Err(AmountError::ThousandsSeparator);
        }
        if commas > 0 {
            // "12,5" and "1.234,5" use a decimal comma; "1,234" and "1,234.5" a thousands comma.
            let last_comma = b.iter().rposition(|&c| c == b',').unwrap_or(0);
            let after = b.len() - last_comma - 1;
            let dot_before_comma = dots > 0 && b.iter().position(|&c| c == b'.') < Some(last_comma);
            let lone_comma = dots == 0 && commas == 1 && after != 3;
            return Err(if dot_before_comma || lone_comma {
                AmountError::DecimalComma
            } else {
                AmountError::ThousandsSeparator
            });
        }
        if dots > 1 {
            return Err(AmountError::ThousandsSeparator);
        }
        let (int_part, frac_part) = match body.split_once('.') {
            Some((i, f)) => (i, f),
            None => (body, ""),
        };
        if int_part.is_empty() || (dots == 1 && frac_part.is_empty()) {
            return Err(AmountError::NotANumber);
        }
        if frac_part.len() > 3 {
            return Err(AmountError::TooManyDecimals);
        }
        if negative {
            return Err(AmountError::Negative);
        }
        let mut million: i64 = 0;
        for d in int_part.bytes() {
            million = million
                .checked_mul(10)
                .and_then(|m| m.checked_add(i64::from(d - b'0')))
                .ok_or(AmountError::TooLarge)?;
            if million > Money::MAX_INPUT.0 / DONG_PER_MILLION {
                return Err(AmountError::TooLarge);
            }
        }
        let mut thousands: i64 = 0;
        for i in 0..3 {
            let digit = frac_part.as_bytes().get(i).map_or(0, |d| i64::from(d - b'0'));
            thousands = thousands * 10 + digit;
        }
        let dong = million * DONG_PER_MILLION + thousands * 1_000;
        if dong > Money::MAX_INPUT.0 {
            return Err(AmountError::TooLarge);
        }
        Ok(Money(dong))
    }

    /// The amount in million VND as exact text with '.' decimals and no trailing zeros
    /// (`7209.438`, `12.5`, `40`), the form [`Money::parse_million`] reads back. Đồng below a thousand
    /// are written too (up to six decimals), so nothing is lost.
    pub fn to_million_string(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let whole = abs / DONG_PER_MILLION as u64;
        let frac = abs % DONG_PER_MILLION as u64;
        if frac == 0 {
            format!("{sign}{whole}")
        } else {
            let digits = format!("{frac:06}");
            format!("{sign}{whole}.{}", digits.trim_end_matches('0'))
        }
    }
}

/// Why a text is not an amount in million VND.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AmountError {
    /// The field is empty.
    #[error("expected an amount in million VND, found an empty field")]
    Empty,
    /// Characters other than digits and one '.'.
    #[error("expected an amount in million VND such as 1234.5")]
    NotANumber,
    /// Scientific notation such as `1e6`.
    #[error("scientific notation is not accepted; write the amount in full, such as 1000000")]
    Scientific,
    /// NaN or an infinity.
    #[error("expected a finite amount in million VND, found NaN or infinity")]
    NotFinite,
    /// A thousands separator (`1.234.567`, `1,234`, `1 234`).
    #[error("thousands separators are not accepted; write 1234567.5, with '.' only before decimals")]
    ThousandsSeparator,
    /// A decimal comma (`12,5`, `1.234,5`).
    #[error("a decimal comma is not accepted; amounts use '.' for decimals, such as 1234.5")]
    DecimalComma,
    /// More than three decimals: amounts are whole thousand đồng.
    #[error("at most 3 decimals (thousand đồng) are accepted")]
    TooManyDecimals,
    /// A negative amount.
    #[error("expected an amount of zero or more, found a negative amount")]
    Negative,
    /// Above [`Money::MAX_INPUT`].
    #[error("amount too large: above 1000000000 million VND")]
    TooLarge,
}

impl AmountError {
    /// The message in Vietnamese (the English one is the [`Display`](fmt::Display) form).
    pub const fn message_vi(self) -> &'static str {
        match self {
            AmountError::Empty => "cần một số tiền (triệu đồng), nhưng ô để trống",
            AmountError::NotANumber => "cần một số tiền (triệu đồng), ví dụ 1234.5",
            AmountError::Scientific => {
                "không nhận dạng số khoa học (như 1e6); hãy viết đủ chữ số, ví dụ 1000000"
            }
            AmountError::NotFinite => "cần một số tiền (triệu đồng) hữu hạn, nhưng gặp NaN hoặc vô cực",
            AmountError::ThousandsSeparator => {
                "không nhận dấu phân cách hàng nghìn; hãy viết 1234567.5, chỉ dùng dấu '.' trước phần thập phân"
            }
            AmountError::DecimalComma => {
                "không nhận dấu phẩy thập phân; số tiền dùng dấu '.' trước phần thập phân, ví dụ 1234.5"
            }
            AmountError::TooManyDecimals => "chỉ nhận tối đa 3 chữ số thập phân (nghìn đồng)",
            AmountError::Negative => "cần một số tiền từ 0 trở lên, nhưng gặp số âm",
            AmountError::TooLarge => "số tiền quá lớn: trên 1000000000 triệu đồng",
        }
    }

    /// The message's stable code.
    pub const fn code(self) -> &'static str {
        match self {
            AmountError::Empty => "E801",
            AmountError::NotANumber => "E802",
            AmountError::Scientific => "E803",
            AmountError::NotFinite => "E804",
            AmountError::ThousandsSeparator => "E805",
            AmountError::DecimalComma => "E806",
            AmountError::TooManyDecimals => "E807",
            AmountError::Negative => "E808",
            AmountError::TooLarge => "E809",
        }
    }
}

impl NumberTextError {
    /// The message in Vietnamese (the English one is the [`Display`](fmt::Display) form); `unit`
    /// follows each reading of an ambiguous text (" triệu đồng", or nothing).
    pub fn message_vi(&self, unit: &str) -> String {
        match self {
            NumberTextError::Ambiguous { text, as_dot, as_vi } => {
                let whole = as_vi.replace(',', "");
                format!(
                    "`{text}` có thể hiểu là {as_dot}{unit} (dấu '.' là dấu thập phân) hoặc {whole}{unit} (dấu '.' tách hàng nghìn)"
                )
            }
            NumberTextError::BadGrouping(t) => format!(
                "với amount_format = \"vi\", dấu '.' tách hàng nghìn theo nhóm ba chữ số và dấu ',' đánh dấu phần thập phân, ví dụ 1.234.567,8; nhưng gặp `{t}`"
            ),
        }
    }

    /// The message's stable code.
    pub const fn code(&self) -> &'static str {
        match self {
            NumberTextError::Ambiguous { .. } => "E810",
            NumberTextError::BadGrouping(_) => "E811",
        }
    }
}

impl fmt::Display for Money {
    /// Million VND, exact, as [`Money::to_million_string`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_million_string())
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0 + rhs.0)
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, rhs: Money) {
        self.0 += rhs.0;
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        Money(self.0 - rhs.0)
    }
}

impl SubAssign for Money {
    fn sub_assign(&mut self, rhs: Money) {
        self.0 -= rhs.0;
    }
}

impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(-self.0)
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
    }
}

impl<'a> Sum<&'a Money> for Money {
    fn sum<I: Iterator<Item = &'a Money>>(iter: I) -> Money {
        iter.copied().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn ok(text: &str, dong: i64) {
        assert_eq!(Money::parse_million(text), Ok(Money::from_dong(dong)), "{text}");
    }

    #[track_caller]
    fn err(text: &str, e: AmountError) {
        assert_eq!(Money::parse_million(text), Err(e), "{text}");
    }

    #[test]
    fn parses_exact_million_vnd() {
        ok("0", 0);
        ok("7209.438", 7_209_438_000);
        ok("12.5", 12_500_000);
        ok("1.234", 1_234_000);
        ok(" 40 ", 40_000_000);
        ok("1000000000", Money::MAX_INPUT.dong());
    }

    #[test]
    fn refuses_what_would_be_read_as_another_number() {
        err("1.234,5", AmountError::DecimalComma);
        err("12,5", AmountError::DecimalComma);
        err("1,234.5", AmountError::ThousandsSeparator);
        err("1,234", AmountError::ThousandsSeparator);
        err("1.234.567", AmountError::ThousandsSeparator);
        err("1 234", AmountError::ThousandsSeparator);
        err("1e6", AmountError::Scientific);
        err("1.5E+3", AmountError::Scientific);
        err("NaN", AmountError::NotFinite);
        err("-inf", AmountError::NotFinite);
        err("-5", AmountError::Negative);
        err("1.2345", AmountError::TooManyDecimals);
        err("1000000000.001", AmountError::TooLarge);
        err("99999999999999999999999", AmountError::TooLarge);
        err("", AmountError::Empty);
        err("abc", AmountError::NotANumber);
        err("1.", AmountError::NotANumber);
        err(".5", AmountError::NotANumber);
        err("+5", AmountError::NotANumber);
    }

    #[test]
    fn vi_text_groups_thousands_and_uses_a_decimal_comma() {
        let vi = Some(AmountFormat::Vi);
        for (text, dot) in [
            ("1.234.567,8", "1234567.8"),
            ("30.000", "30000"),
            ("12,5", "12.5"),
            ("1.500", "1500"),
            ("7209", "7209"),
            ("-1.234,5", "-1234.5"),
            ("0,125", "0.125"),
            ("1e6", "1e6"),
        ] {
            assert_eq!(to_dot_text(text, vi).as_deref(), Ok(dot), "{text}");
        }
        for bad in ["12.5", "1.23.456", "1234.567", "1.234,", ",5", "1,2,3", "1.234,5.6", ".123", "1..234"] {
            assert!(matches!(to_dot_text(bad, vi), Err(NumberTextError::BadGrouping(_))), "{bad}");
        }
    }

    #[test]
    fn without_a_format_whole_thousands_lookalikes_are_refused() {
        for (text, dot, vi) in
            [("30.000", "30", "30,000"), ("1.500", "1.5", "1,500"), ("27.065", "27.065", "27,065")]
        {
            let e = to_dot_text(text, None).unwrap_err();
            assert_eq!(e.to_string(), format!("`{text}` could be {dot} or {vi}"));
        }
        for fine in ["7209.438", "12.5", "0.25", "1234", "1000.000", "1.2345"] {
            assert_eq!(to_dot_text(fine, None).as_deref(), Ok(fine), "{fine}");
        }
        assert_eq!(to_dot_text("30.000", Some(AmountFormat::Dot)).as_deref(), Ok("30.000"));
    }

    /// `m` written the Vietnamese way: '.' between groups of three, ',' before the decimals.
    fn vi_text(m: Money) -> String {
        let dot = m.to_million_string();
        let (int, frac) = dot.split_once('.').unwrap_or((&dot, ""));
        let digits: Vec<char> = int.chars().collect();
        let mut out = String::new();
        for (i, d) in digits.iter().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push('.');
            }
            out.push(*d);
        }
        if !frac.is_empty() {
            out.push(',');
            out.push_str(frac);
        }
        out
    }

    proptest::proptest! {
        /// Every amount written the Vietnamese way reads back to the đồng with `vi`; with no
        /// convention it reads as written in `dot` form or is refused, never read as another number.
        #[test]
        fn vi_text_reads_back_exactly(thousands in 0i64..=1_000_000_000_000) {
            let m = Money::from_dong(thousands * 1_000);
            let vi = vi_text(m);
            let dot = to_dot_text(&vi, Some(AmountFormat::Vi)).map(|t| Money::parse_million(&t));
            proptest::prop_assert_eq!(dot, Ok(Ok(m)), "{}", vi);
            if let Ok(t) = to_dot_text(&vi, None) {
                let read = Money::parse_million(&t);
                proptest::prop_assert!(read.is_err() || read == Ok(m), "{} read as {:?}", vi, read);
            }
        }
    }

    #[test]
    fn million_string_round_trips() {
        for dong in [0, 1_000, 12_500_000, 7_209_438_000, Money::MAX_INPUT.dong()] {
            let m = Money::from_dong(dong);
            assert_eq!(Money::parse_million(&m.to_million_string()), Ok(m));
        }
        assert_eq!(Money::from_dong(1).to_million_string(), "0.000001");
        assert_eq!(Money::from_dong(-2_500_000).to_million_string(), "-2.5");
    }
}
