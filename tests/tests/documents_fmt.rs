//! Number formatting of the documents, checked against exact integer arithmetic on đồng.

use proptest::prelude::*;
use realloc::money::Money;
use realloc::report::Lang;
use realloc::report::fmt::{million, percent};

/// Reads a formatted amount back into thousands of đồng, checking the grouping on the way.
fn read_back(s: &str, lang: Lang) -> i64 {
    let (dec, thou) = if lang == Lang::Vi { (',', '.') } else { ('.', ',') };
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (int, frac) = body.split_once(dec).unwrap_or_else(|| panic!("no decimal separator in `{s}`"));
    assert_eq!(frac.len(), 3, "three decimals in `{s}`");
    let groups: Vec<&str> = int.split(thou).collect();
    assert!(groups[0].len() <= 3 && !groups[0].is_empty(), "first group of `{s}`");
    assert!(groups[1..].iter().all(|g| g.len() == 3), "groups of three in `{s}`");
    let digits: String = groups.concat() + frac;
    let v: i64 = digits.parse().unwrap_or_else(|e| panic!("`{s}`: {e}"));
    if neg { -v } else { v }
}

proptest! {
    #[test]
    fn amounts_are_exact_to_the_thousand_dong(dong in -1_000_000_000_000_000i64..1_000_000_000_000_000) {
        // Round half away from zero to whole thousands of đồng, in integers.
        let thousands = (dong.abs() + 500) / 1000 * dong.signum();
        for lang in [Lang::Vi, Lang::En] {
            prop_assert_eq!(read_back(&million(dong, lang), lang), thousands);
        }
    }

    #[test]
    fn amounts_from_input_files_are_shown_exactly(thousands in 0i64..1_000_000_000_000) {
        let m = Money::from_dong(thousands * 1000);
        let vi = million(m.dong(), Lang::Vi);
        let en = million(m.dong(), Lang::En);
        // The English form without separators is the input-file form, read back exactly.
        prop_assert_eq!(Money::parse_million(&en.replace(',', "")), Ok(m));
        prop_assert_eq!(vi.replace('.', "").replace(',', "."), en.replace(',', ""));
    }

    #[test]
    fn percentages_have_one_decimal(rate in 0.0f64..1.0) {
        let vi = percent(rate, Lang::Vi);
        let en = percent(rate, Lang::En);
        prop_assert!(vi.ends_with('%') && en.ends_with('%'));
        prop_assert_eq!(vi.replace(',', "."), en.clone());
        let shown: f64 = en.trim_end_matches('%').parse().expect("a number");
        prop_assert!((shown - rate * 100.0).abs() <= 0.05 + 1e-9, "{} for {}", en, rate);
    }
}
