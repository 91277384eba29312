//! Numeric text read in the convention `scenario.toml` states (`amount_format`, DOMAIN.md section 3):
//! amounts, signed amounts and percentages of every table, in CSV fields and Excel text cells.
//!
//! Text is first rewritten to the `dot` form ([`to_dot_text`]), then read by the strict parsers of
//! [`text`](super::text). An Excel number cell is already a number, written in `dot` form by the
//! workbook reader, and follows no convention.

use super::text;
use crate::diag::Msg;
use crate::money::{AmountFormat, Money, NumberTextError, is_whole_thousands_lookalike, to_dot_text};

/// What to add to `scenario.toml` to settle an ambiguous amount.
const ADD_KEY: &str = "add `amount_format = \"dot\"` or `amount_format = \"vi\"` to scenario.toml";
/// The same in Vietnamese.
const ADD_KEY_VI: &str = "hãy thêm `amount_format = \"dot\"` hoặc `amount_format = \"vi\"` vào scenario.toml (hoặc trang tính thiết lập)";

/// How the numeric text of one file is written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct NumberFormat(pub Option<AmountFormat>);

impl NumberFormat {
    /// The text in `dot` form; `number_cell` for an Excel number cell. `unit` says whether the
    /// readings in the message for an ambiguous text are amounts (million VND) or percentages.
    fn dot<'s>(self, s: &'s str, number_cell: bool, amount: bool) -> Result<std::borrow::Cow<'s, str>, Msg> {
        if number_cell {
            return Ok(std::borrow::Cow::Borrowed(s));
        }
        let (unit, unit_vi) = if amount { (" million VND", " triệu đồng") } else { ("", "") };
        to_dot_text(s, self.0).map_err(|e| match e {
            NumberTextError::Ambiguous { .. } => Msg::new(
                e.code(),
                format!("{e}{unit}; {ADD_KEY}"),
                format!("{}; {ADD_KEY_VI}", e.message_vi(unit_vi)),
            ),
            other => Msg::new(other.code(), other.to_string(), other.message_vi("")),
        })
    }

    /// A hint appended to the parser's message for a thousands separator or a decimal comma when the
    /// scenario states no convention.
    #[cold]
    fn hint(self, msg: Msg) -> Msg {
        if self.0.is_none() && matches!(msg.code, "E805" | "E806" | "E305") {
            Msg::new(
                msg.code,
                format!(
                    "{}; if the file writes amounts the Vietnamese way (1.234.567,8), add `amount_format = \"vi\"` to scenario.toml",
                    msg.en
                ),
                format!(
                    "{}; nếu tệp viết số kiểu Việt Nam (1.234.567,8), hãy thêm `amount_format = \"vi\"` vào scenario.toml (hoặc trang tính thiết lập)",
                    msg.vi
                ),
            )
        } else {
            msg
        }
    }

    /// True when `s` is read as it is: a number cell, `dot`, or no convention and no text that
    /// could be whole thousands. The common case, checked without building anything.
    #[inline]
    fn as_is(self, s: &str, number_cell: bool) -> bool {
        number_cell
            || match self.0 {
                Some(AmountFormat::Dot) => true,
                Some(AmountFormat::Vi) => false,
                None => !is_whole_thousands_lookalike(s),
            }
    }

    /// An amount in million VND, zero or more.
    #[inline]
    pub(crate) fn amount(self, s: &str, number_cell: bool) -> Result<Money, Msg> {
        if self.as_is(s, number_cell) {
            return text::amount(s).map_err(|m| self.hint(m));
        }
        let t = self.dot(s, number_cell, true)?;
        text::amount(&t).map_err(|m| self.hint(m))
    }

    /// A signed amount in million VND: a leading '-' before an amount.
    pub(crate) fn signed_amount(self, s: &str, number_cell: bool) -> Result<Money, Msg> {
        let t = self.dot(s, number_cell, true)?;
        match t.strip_prefix('-') {
            Some(rest) if !rest.starts_with('-') => text::amount(rest).map(|m| -m).map_err(|m| {
                let (a, b) = (format!("`{rest}`"), format!("`{t}`"));
                self.hint(Msg::new(m.code, m.en.replace(&a, &b), m.vi.replace(&a, &b)))
            }),
            _ => text::amount(&t).map_err(|m| self.hint(m)),
        }
    }

    /// A percentage from 0 to 100.
    #[inline]
    pub(crate) fn percentage(self, s: &str, number_cell: bool) -> Result<f64, Msg> {
        if self.as_is(s, number_cell) {
            return text::percentage(s).map_err(|m| self.hint(m));
        }
        let t = self.dot(s, number_cell, false)?;
        text::percentage(&t).map_err(|m| self.hint(m))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thirty_thousand_without_amount_format_is_refused() {
        let e = NumberFormat(None).amount("30.000", false).unwrap_err().en;
        assert_eq!(
            e,
            "`30.000` could be 30 or 30,000 million VND; add `amount_format = \"dot\"` or `amount_format = \"vi\"` to scenario.toml"
        );
        assert!(
            NumberFormat(None)
                .percentage("62.500", false)
                .unwrap_err()
                .en
                .contains("could be 62.5 or 62,500;")
        );
        // An Excel number cell is a number whatever the convention.
        assert_eq!(NumberFormat(None).amount("27.065", true), Ok(Money::from_dong(27_065_000)));
        assert_eq!(
            NumberFormat(Some(AmountFormat::Dot)).amount("30.000", false),
            Ok(Money::from_dong(30_000_000))
        );
    }

    #[test]
    fn vi_amount_format_reads_grouped_thousands() {
        let vi = NumberFormat(Some(AmountFormat::Vi));
        assert_eq!(vi.amount("30.000", false), Ok(Money::from_dong(30_000_000_000)));
        assert_eq!(vi.amount("1.234.567,8", false), Ok(Money::from_dong(1_234_567_800_000)));
        assert_eq!(vi.amount("12,5", false), Ok(Money::from_dong(12_500_000)));
        assert_eq!(vi.amount("7209.438", true), Ok(Money::from_dong(7_209_438_000)));
        assert_eq!(vi.percentage("62,5", false), Ok(62.5));
        assert_eq!(vi.signed_amount("-1.500", false), Ok(Money::from_dong(-1_500_000_000)));
        assert!(vi.amount("12.5", false).unwrap_err().en.contains("groups thousands in threes"));
        assert!(vi.amount("1,2345", false).unwrap_err().en.contains("at most 3 decimals"));
    }

    #[test]
    fn signed_amounts_keep_the_checks_of_amounts() {
        let dot = NumberFormat(Some(AmountFormat::Dot));
        assert_eq!(dot.signed_amount("-250.5", false), Ok(Money::from_dong(-250_500_000)));
        assert_eq!(dot.signed_amount("0", false), Ok(Money::ZERO));
        assert!(dot.signed_amount("--5", false).is_err());
        assert!(dot.signed_amount("-1e3", false).unwrap_err().en.contains("scientific"));
        assert!(
            NumberFormat(None)
                .signed_amount("-1.500", false)
                .unwrap_err()
                .en
                .contains("could be -1.5 or -1,500")
        );
        let e = NumberFormat(None).amount("1.234,5", false).unwrap_err().en;
        assert!(e.contains("decimal comma") && e.contains("amount_format = \"vi\""), "{e}");
    }
}
