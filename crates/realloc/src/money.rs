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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AmountFormat {
    /// A '.' decimal point and no grouping (`1234567.8`): what the tool itself writes.
    Dot,
    /// The Vietnamese way: '.' groups thousands, ',' marks decimals (`1.234.567,8`).
    Vi,
}

/// An amount of money in whole đồng.
///
/// Arithmetic with `+` and `-` panics on overflow in debug builds like any integer; the loader bounds
/// every amount (see [`Money::MAX_INPUT`]) so that sums over a national portfolio cannot overflow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
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
    fn million_string_round_trips() {
        for dong in [0, 1_000, 12_500_000, 7_209_438_000, Money::MAX_INPUT.dong()] {
            let m = Money::from_dong(dong);
            assert_eq!(Money::parse_million(&m.to_million_string()), Ok(m));
        }
        assert_eq!(Money::from_dong(1).to_million_string(), "0.000001");
        assert_eq!(Money::from_dong(-2_500_000).to_million_string(), "-2.5");
    }
}
