//! Number and date formatting for documents: Vietnamese `1.234.567,8` and `30/09/2025`, English
//! `1,234,567.8` and `30 September 2025`, computed from whole đồng with integer arithmetic.
//!
//! Conventions used by every renderer: amounts are million VND with [`AMOUNT_DECIMALS`] (3) decimals,
//! so every amount read from a scenario file is shown exactly; rates are percentages with one decimal;
//! values per million (objective, shadow prices) have three decimals.

use chrono::{Datelike, NaiveDate};

use crate::money::DONG_PER_MILLION;

use super::text::Lang;

/// Decimals shown for amounts in million VND (a thousand đồng, the precision of the input files).
pub const AMOUNT_DECIMALS: u32 = 3;

/// The decimal and thousands separators of a language.
const fn separators(lang: Lang) -> (char, char) {
    match lang {
        Lang::Vi => (',', '.'),
        Lang::En => ('.', ','),
    }
}

/// Groups the digits of `int` by thousands with `sep`.
fn group_thousands(int: u128, sep: char) -> String {
    let digits = int.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// Formats `value / 10^scale` exactly with `decimals` decimals (rounded half away from zero),
/// thousands grouped, in the separators of `lang`.
pub fn fixed(value: i128, scale: u32, decimals: u32, lang: Lang) -> String {
    let (dec_sep, thou_sep) = separators(lang);
    let negative = value < 0;
    let abs = value.unsigned_abs();
    // Rescale to `decimals` decimals with rounding half away from zero.
    let scaled: u128 = if decimals >= scale {
        abs.saturating_mul(10u128.saturating_pow(decimals - scale))
    } else {
        let div = 10u128.pow(scale - decimals);
        (abs + div / 2) / div
    };
    let unit = 10u128.pow(decimals);
    let int = scaled / unit;
    let frac = scaled % unit;
    let mut s = String::new();
    if negative && scaled != 0 {
        s.push('-');
    }
    s.push_str(&group_thousands(int, thou_sep));
    if decimals > 0 {
        s.push(dec_sep);
        s.push_str(&format!("{frac:0width$}", width = decimals as usize));
    }
    s
}

/// An amount of đồng as million VND with three decimals: `1.234,568` (vi), `1,234.568` (en).
///
/// ```
/// use realloc::report::{Lang, fmt::million};
/// assert_eq!(million(1_234_567_800, Lang::Vi), "1.234,568");
/// assert_eq!(million(1_234_567_800, Lang::En), "1,234.568");
/// ```
pub fn million(dong: i64, lang: Lang) -> String {
    fixed(i128::from(dong), 6, AMOUNT_DECIMALS, lang)
}

/// An amount of đồng as million VND for running text: exact, without trailing zero decimals:
/// `264.403`, `0,5` (vi); `264,403`, `0.5` (en).
///
/// ```
/// use realloc::report::{Lang, fmt::million_text};
/// assert_eq!(million_text(264_403_000_000, Lang::Vi), "264.403");
/// assert_eq!(million_text(1_500_000, Lang::Vi), "1,5");
/// assert_eq!(million_text(1_234_567_800, Lang::En), "1,234.568");
/// ```
pub fn million_text(dong: i64, lang: Lang) -> String {
    let s = million(dong, lang);
    let (dec_sep, _) = separators(lang);
    match s.rsplit_once(dec_sep) {
        Some((int, frac)) => match frac.trim_end_matches('0') {
            "" => int.to_owned(),
            frac => format!("{int}{dec_sep}{frac}"),
        },
        None => s,
    }
}

/// An amount of đồng as million VND for tables: whole millions without decimals (`1.234`), three
/// decimals only when the amount has a fraction of a million (`1.234,500`): the display of the
/// workbook's `#,##0` and `#,##0.000` cells.
///
/// ```
/// use realloc::report::{Lang, fmt::amount};
/// assert_eq!(amount(264_403_000_000, Lang::Vi), "264.403");
/// assert_eq!(amount(1_500_000, Lang::Vi), "1,500");
/// assert_eq!(amount(1_234_567_800, Lang::En), "1,234.568");
/// ```
pub fn amount(dong: i64, lang: Lang) -> String {
    if dong % crate::money::DONG_PER_MILLION == 0 {
        fixed(i128::from(dong), 6, 0, lang)
    } else {
        million(dong, lang)
    }
}

/// An amount of đồng as whole million VND (for chart labels): `1.235` (vi), `1,235` (en).
pub fn million_whole(dong: i64, lang: Lang) -> String {
    fixed(i128::from(dong), 6, 0, lang)
}

/// A signed change in million VND, with an explicit `+` for increases.
pub fn million_signed(dong: i64, lang: Lang) -> String {
    let s = million(dong, lang);
    if dong > 0 && !s.chars().all(|c| c == '0' || c == ',' || c == '.') { format!("+{s}") } else { s }
}

/// A finite float rounded to `decimals` decimals in the separators of `lang`; `–` when not finite.
pub fn float(value: f64, decimals: u32, lang: Lang) -> String {
    if !value.is_finite() {
        return "–".to_owned();
    }
    let factor = 10f64.powi(decimals as i32);
    let scaled = (value * factor).round();
    // Values beyond i128 cannot come from amounts in million VND; clamp rather than wrap.
    let scaled = scaled.clamp(-1e30, 1e30) as i128;
    fixed(scaled, decimals, decimals, lang)
}

/// A fraction as a percentage with one decimal: `63,5%` (vi), `63.5%` (en).
pub fn percent(rate: f64, lang: Lang) -> String {
    if !rate.is_finite() {
        return "–".to_owned();
    }
    format!("{}%", float(rate * 100.0, 1, lang))
}

/// The difference of two fractions in percentage points with a sign: `+4,2 điểm phần trăm`, `+4.2 pp`.
pub fn points(before: f64, after: f64, lang: Lang) -> String {
    let d = (after - before) * 100.0;
    if !d.is_finite() {
        return "–".to_owned();
    }
    let s = float(d, 1, lang);
    let sign = if d > 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') { "+" } else { "" };
    match lang {
        Lang::Vi => format!("{sign}{s} điểm phần trăm"),
        Lang::En => format!("{sign}{s} pp"),
    }
}

/// English month names, January first.
pub(crate) const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A date: `30/09/2025` (vi), `30 September 2025` (en).
pub fn date(d: NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::Vi => format!("{:02}/{:02}/{}", d.day(), d.month(), d.year()),
        Lang::En => format!("{} {} {}", d.day(), MONTHS_EN[d.month0() as usize], d.year()),
    }
}

/// Đồng in one million, as the f64 the spreadsheet cells take.
pub fn million_f64(dong: i64) -> f64 {
    dong as f64 / DONG_PER_MILLION as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_round_half_away_from_zero() {
        assert_eq!(million(1_234_567_800, Lang::Vi), "1.234,568");
        assert_eq!(million(1_234_567_500, Lang::En), "1,234.568");
        assert_eq!(million(1_234_567_499, Lang::En), "1,234.567");
        assert_eq!(million(-1_234_567_500, Lang::Vi), "-1.234,568");
        assert_eq!(million(0, Lang::Vi), "0,000");
        assert_eq!(million(-400, Lang::Vi), "0,000");
        assert_eq!(million(1_234_567_000_000, Lang::Vi), "1.234.567,000");
        assert_eq!(million(i64::MIN, Lang::En), "-9,223,372,036,854.776");
        assert_eq!(million_whole(999_500_000, Lang::Vi), "1.000");
        assert_eq!(million_signed(2_000_000, Lang::Vi), "+2,000");
        assert_eq!(million_signed(-2_000_000, Lang::Vi), "-2,000");
    }

    #[test]
    fn percentages_and_points() {
        assert_eq!(percent(0.635, Lang::Vi), "63,5%");
        assert_eq!(percent(0.12345, Lang::En), "12.3%");
        assert_eq!(percent(f64::NAN, Lang::En), "–");
        assert_eq!(points(0.5, 0.542, Lang::Vi), "+4,2 điểm phần trăm");
        assert_eq!(points(0.5, 0.5, Lang::En), "0.0 pp");
        assert_eq!(float(12345.6789, 3, Lang::Vi), "12.345,679");
        assert_eq!(float(-0.0004, 3, Lang::En), "0.000");
    }

    #[test]
    fn dates() {
        let d = NaiveDate::from_ymd_opt(2025, 9, 30).unwrap();
        assert_eq!(date(d, Lang::Vi), "30/09/2025");
        assert_eq!(date(d, Lang::En), "30 September 2025");
    }
}
