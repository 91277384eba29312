//! Deterministic numerics for the generator: `exp` and a normal draw from correctly-rounded
//! operations only, the national disbursement curve, rounding to whole thousand đồng.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use crate::money::Money;

/// `e^x` from `+ - * /` only, so that the result is the same on every platform and C library.
/// Accurate to a few ulps for |x| ≤ 700; saturates beyond.
pub fn exp(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    let x = x.clamp(-700.0, 700.0);
    // x = k ln 2 + r with |r| ≤ ln 2 / 2, e^x = 2^k e^r.
    let ln2 = std::f64::consts::LN_2;
    let k = (x / ln2).round();
    let r = x - k * ln2;
    let mut term = 1.0;
    let mut sum = 1.0;
    for n in 1..=20 {
        term = term * r / f64::from(n);
        sum += term;
    }
    let mut k = k as i32;
    while k > 0 {
        sum *= 2.0;
        k -= 1;
    }
    while k < 0 {
        sum *= 0.5;
        k += 1;
    }
    sum
}

/// A standard normal draw (Irwin–Hall: the sum of twelve uniforms minus six), bounded by ±6.
pub fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let mut s = 0.0;
    for _ in 0..12 {
        s += rng.random::<f64>();
    }
    s - 6.0
}

/// Cumulative share of the year's plan disbursed nationally after `months` months of the plan year
/// (0–12): about 10% by March, 45% by September, 58% by late November, 75% by December (the rest
/// in the January extension). Linear between month ends.
pub fn national_curve(months: f64) -> f64 {
    const CURVE: [f64; 13] = [0.0, 0.02, 0.05, 0.10, 0.16, 0.22, 0.29, 0.35, 0.40, 0.45, 0.51, 0.58, 0.75];
    let t = months.clamp(0.0, 12.0);
    let i = (t.floor() as usize).min(11);
    let f = t - i as f64;
    CURVE[i] + (CURVE[i + 1] - CURVE[i]) * f
}

/// Million VND rounded to whole thousand đồng, within 0 and [`Money::MAX_INPUT`].
pub fn round_thousand(million: f64) -> Money {
    let max_k = Money::MAX_INPUT.dong() / 1_000;
    let k = (million * 1_000.0).round();
    let k = if k.is_nan() { 0 } else { (k.clamp(0.0, max_k as f64)) as i64 };
    Money::from_dong(k * 1_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_matches_std_closely() {
        for i in -200..=200 {
            let x = f64::from(i) / 20.0;
            let rel = (exp(x) - x.exp()).abs() / x.exp();
            assert!(rel < 1e-14, "exp({x}): {} vs {}", exp(x), x.exp());
        }
    }

    #[test]
    fn curve_passes_the_national_marks() {
        assert!((national_curve(3.0) - 0.10).abs() < 1e-12);
        assert!((national_curve(9.0) - 0.45).abs() < 1e-12);
        assert!((national_curve(11.0) - 0.58).abs() < 1e-12);
        assert_eq!(national_curve(-1.0), 0.0);
        assert_eq!(national_curve(20.0), 0.75);
    }

    #[test]
    fn rounding_is_whole_thousands_and_bounded() {
        assert_eq!(round_thousand(1.2345), Money::from_dong(1_235_000));
        assert_eq!(round_thousand(-5.0), Money::ZERO);
        assert_eq!(round_thousand(f64::NAN), Money::ZERO);
        assert_eq!(round_thousand(1e30), Money::MAX_INPUT);
    }
}
