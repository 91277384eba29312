//! What the optimiser's test files share: the model's definition of a share cap, written here
//! independently of the library.

/// `⌊share × plan / unit⌋` in whole units, as the model defines caps: a share with at most nine
/// decimals is that decimal (0.3 is 3/10, not the `f64` just below it), any other share is the exact
/// value of its `f64`. Computed with exact rationals in `i128` (no float rounding), always down.
pub fn share_cap(share: f64, plan_dong: i128, unit: i64) -> f64 {
    if share <= 0.0 || plan_dong <= 0 {
        return 0.0;
    }
    let unit = i128::from(unit);
    let nines = (share * 1e9).round();
    if ((share * 1e9) - nines).abs() < 1e-6 {
        return ((nines as i128 * plan_dong) / (1_000_000_000 * unit)) as f64;
    }
    // share = n / 2^k exactly, found by doubling until the value is whole (at most 1074 times).
    let (mut n, mut k) = (share, 0u32);
    while n.fract() != 0.0 {
        n *= 2.0;
        k += 1;
    }
    let scaled = n as i128 * plan_dong;
    let whole = if k >= 127 { 0 } else { scaled >> k };
    (whole / unit) as f64
}
