//! Uncertainty of the year-end forecast: a Monte Carlo over every row's disbursement by the deadline,
//! giving the probability of reaching a target rate (overall and per capital source) and the expected
//! central capital at risk of recall, before and after a proposal.
//!
//! # The model
//!
//! Each row has a point forecast `f` (the rules' `[model] forecast`, or
//! [`forecast_after`](crate::model::RowAssessment::forecast_after) after the proposal) and a spread `s`: a standard
//! deviation as a share of the row's undisbursed plan, from [`Spread::row_share`] (pace class base
//! spread, obstacle groups added as independent errors). One draw is
//!
//! ```text
//! z_row = √ρ · Z_province + √(1 − ρ) · Z_row        Z ~ N(0, 1), ρ = Spread::correlation
//! y     = clamp(f + z_row · s · (plan − disbursed), disbursed, plan)   rounded to whole đồng
//! ```
//!
//! The common provincial factor `Z_province` makes rows move together (a rainy season, a late payment
//! run of the Treasury slows everyone), which widens the spread of the total far beyond what
//! independent rows would give. Before and after the proposal use the *same* normal numbers (common
//! random numbers), so their difference reflects the proposal, not sampling noise; after the proposal
//! the plan is the new plan and the spread scales with the new undisbursed plan.
//!
//! **Invariants:** sums are exact integer đồng (i128 accumulators), floats live only inside one row's
//! draw; draw `d` uses a [`ChaCha8Rng`] seeded from the seed with stream `d`, so results do not depend
//! on the number of threads; with a zero spread every draw equals the point forecast, so each
//! probability is 0 or 1 as the point forecast says.
//!
//! ```
//! use realloc::money::Money;
//! use realloc::risk::{RiskOptions, RiskRow, simulate};
//! use realloc::domain::Source;
//! let m = |x: i64| Money::from_dong(x * 1_000_000);
//! let row = RiskRow { source: Source::Nstw, plan: m(100), disbursed: m(40), forecast_before: m(90),
//!     new_plan: m(100), forecast_after: m(96), share: 0.0 };
//! let r = simulate(&[row], &RiskOptions::new(100, 1, 0.95), &|_| {}).unwrap();
//! assert_eq!((r.overall.probability_before, r.overall.probability_after), (0.0, 1.0));
//! ```

use chrono::NaiveDate;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::Source;
use crate::model::Assessment;
use crate::money::Money;
use crate::rules::Backtest;
use crate::scenario::Scenario;

/// Most draws one run may ask for.
pub const MAX_DRAWS: u32 = 10_000_000;

/// Where a [`Spread`] comes from.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum SpreadSource {
    /// The `[risk]` section of the rules file.
    Rules,
    /// Pace spreads measured by a backtest of the scenario's monthly history from `at`.
    Backtest {
        /// The replay date.
        at: NaiveDate,
    },
    /// Set by the caller (tests, what-if).
    Fixed,
}

/// Standard deviation of a row's year-end disbursement as a share of its undisbursed plan, by pace
/// class and obstacle group, and the correlation of rows through one provincial factor.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema, Deserialize)]
pub struct Spread {
    /// Weight ρ of the common provincial factor, 0 to below 1.
    pub correlation: f64,
    /// Spread of a pace class not listed.
    pub default: f64,
    /// Base spread by pace class id.
    pub pace: Vec<(String, f64)>,
    /// Added spread by obstacle group id.
    pub groups: Vec<(String, f64)>,
    /// Where the numbers come from.
    pub source: SpreadSource,
}

impl Spread {
    /// The same spread `share` for every row, rows correlated by `correlation`.
    pub fn uniform(share: f64, correlation: f64) -> Spread {
        Spread {
            correlation: clean(correlation).min(0.99),
            default: clean(share).min(1.0),
            pace: Vec::new(),
            groups: Vec::new(),
            source: SpreadSource::Fixed,
        }
    }

    /// The spread of a row: `√(pace² + Σ group²)`, at most 1.
    pub fn row_share(&self, pace: &str, groups: &[std::sync::Arc<str>]) -> f64 {
        let base = self.pace.iter().find(|(id, _)| id == pace).map_or(self.default, |x| x.1);
        let mut sq = base * base;
        for g in groups {
            if let Some((_, v)) = self.groups.iter().find(|(id, _)| **id == **g) {
                sq += v * v;
            }
        }
        clean(sq.sqrt()).min(1.0)
    }

    /// This spread with the pace spreads measured by `backtest`: for each pace class with at least
    /// `min_rows` rows, `√(π/2) · Σ|error| / Σ undisbursed at the replay date` (the standard deviation
    /// of a normal error whose mean absolute value is the one observed). Classes with fewer rows, and
    /// the group spreads, keep their values.
    pub fn calibrated(&self, backtest: &Backtest, min_rows: usize) -> Spread {
        let mut out = self.clone();
        let k = (std::f64::consts::PI / 2.0).sqrt();
        for line in backtest.lines.iter().filter(|l| l.pace != "all" && l.rows >= min_rows.max(1)) {
            if line.undisbursed <= 0.0 {
                continue;
            }
            let share = clean(k * line.mae * line.rows as f64 / line.undisbursed).min(1.0);
            match out.pace.iter_mut().find(|(id, _)| *id == line.pace) {
                Some(e) => e.1 = share,
                None => out.pace.push((line.pace.clone(), share)),
            }
        }
        out.source = SpreadSource::Backtest { at: backtest.at };
        out
    }
}

/// Zero for NaN and negatives.
fn clean(x: f64) -> f64 {
    if x.is_finite() && x > 0.0 { x } else { 0.0 }
}

/// One row as the simulation sees it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RiskRow {
    /// Capital source (pool).
    pub source: Source,
    /// Plan before the proposal.
    pub plan: Money,
    /// Disbursed to date.
    pub disbursed: Money,
    /// Point forecast by the deadline before the proposal.
    pub forecast_before: Money,
    /// Plan after the proposal.
    pub new_plan: Money,
    /// Point forecast after the proposal.
    pub forecast_after: Money,
    /// Standard deviation as a share of the undisbursed plan.
    pub share: f64,
}

/// The rows of a scenario for [`simulate`]: forecasts from `assessment`, plans after `changes` (one per
/// row, as [`Proposal::changes`](crate::optimize::Proposal::changes); all zero for no proposal),
/// spreads from `spread`; then one row per pipeline project placed (`pipeline`, as
/// [`Proposal::pipeline`](crate::optimize::Proposal::pipeline)): no plan before, its placement after,
/// forecast to be spent (it is ready), with the default spread.
pub fn risk_rows(
    scenario: &Scenario,
    assessment: &Assessment,
    changes: &[Money],
    pipeline: &[Money],
    spread: &Spread,
) -> Vec<RiskRow> {
    let rows = scenario.portfolio.rows().iter().zip(&assessment.rows).enumerate().map(|(i, (p, a))| {
        let change = changes.get(i).copied().unwrap_or(Money::ZERO);
        RiskRow {
            source: p.source,
            plan: p.plan,
            disbursed: p.disbursed,
            forecast_before: a.forecast,
            new_plan: p.plan + change,
            forecast_after: a.forecast_after(p, change),
            share: spread.row_share(&a.pace, &a.groups),
        }
    });
    let placed =
        assessment.model.pipeline.iter().zip(pipeline).filter(|(_, a)| a.dong() > 0).map(|(x, &a)| RiskRow {
            source: x.source,
            plan: Money::ZERO,
            disbursed: Money::ZERO,
            forecast_before: Money::ZERO,
            new_plan: a,
            forecast_after: a,
            share: spread.default,
        });
    rows.chain(placed).collect()
}

/// How many draws, which seed, which target.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RiskOptions {
    /// Number of draws (1 to [`MAX_DRAWS`]).
    pub draws: u32,
    /// Seed: the same seed gives the same numbers on any number of threads.
    pub seed: u64,
    /// Target rate by the deadline, a fraction (0.95 is 95% of plan).
    pub target: f64,
    /// Correlation ρ of the rows through the provincial factor.
    pub correlation: f64,
}

impl RiskOptions {
    /// `draws` draws from `seed` against `target`, with the default correlation 0.3.
    pub fn new(draws: u32, seed: u64, target: f64) -> RiskOptions {
        RiskOptions { draws, seed, target, correlation: 0.3 }
    }
}

impl RiskOptions {
    /// Checks the options: draws from 1 to [`MAX_DRAWS`], a target rate in (0, 1], a correlation in
    /// [0, 1).
    pub fn check(&self) -> Result<(), RiskError> {
        if self.draws == 0 || self.draws > MAX_DRAWS {
            return Err(RiskError::Draws { draws: self.draws, max: MAX_DRAWS });
        }
        if !(self.target.is_finite() && self.target > 0.0 && self.target <= 1.0) {
            return Err(RiskError::Target { target: self.target });
        }
        if !(self.correlation.is_finite() && (0.0..1.0).contains(&self.correlation)) {
            return Err(RiskError::Correlation { correlation: self.correlation });
        }
        Ok(())
    }
}

/// Options that cannot be simulated.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum RiskError {
    /// No draw, or too many.
    #[error("the number of draws must be from 1 to {max}, found {draws}")]
    Draws {
        /// Asked for.
        draws: u32,
        /// Largest allowed.
        max: u32,
    },
    /// The target is not a rate.
    #[error("the target must be a rate above 0 and at most 1 (0.95 is 95% of plan), found {target}")]
    Target {
        /// Asked for.
        target: f64,
    },
    /// The correlation is not in [0, 1).
    #[error("the correlation must be from 0 to below 1, found {correlation}")]
    Correlation {
        /// Asked for.
        correlation: f64,
    },
}

/// Results over one set of rows: all rows, or one capital source.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema, Deserialize)]
pub struct RiskLine {
    /// The capital source, or `None` for all rows.
    pub source: Option<Source>,
    /// Rows.
    pub rows: usize,
    /// Plan (the same before and after: money only moves within a source).
    pub plan_vnd: i64,
    /// Point forecast rate before the proposal.
    pub point_rate_before: f64,
    /// Point forecast rate after.
    pub point_rate_after: f64,
    /// Share of draws reaching the target, before.
    pub probability_before: f64,
    /// The same after.
    pub probability_after: f64,
    /// Standard error of `probability_before` (√(p(1 − p)/draws)).
    pub std_error_before: f64,
    /// Standard error of `probability_after`.
    pub std_error_after: f64,
    /// Mean rate over the draws, before.
    pub mean_rate_before: f64,
    /// Mean rate over the draws, after.
    pub mean_rate_after: f64,
    /// 5th percentile of the rate, before.
    pub p05_rate_before: f64,
    /// 95th percentile of the rate, before.
    pub p95_rate_before: f64,
    /// 5th percentile of the rate, after.
    pub p05_rate_after: f64,
    /// 95th percentile of the rate, after.
    pub p95_rate_after: f64,
}

/// Central capital (NSTW, NSTW_ODA, national target programmes) left undisbursed at the deadline: at risk
/// of recall by the Government.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema, Deserialize)]
pub struct CentralRisk {
    /// Under the point forecast, before the proposal.
    pub point_before_vnd: i64,
    /// Under the point forecast, after.
    pub point_after_vnd: i64,
    /// Mean over the draws, before.
    pub expected_before_vnd: i64,
    /// Mean over the draws, after.
    pub expected_after_vnd: i64,
    /// 95th percentile over the draws (a bad year), before.
    pub p95_before_vnd: i64,
    /// 95th percentile over the draws, after.
    pub p95_after_vnd: i64,
}

/// What [`simulate`] found.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema, Deserialize)]
pub struct RiskReport {
    /// Draws made.
    pub draws: u32,
    /// Seed.
    pub seed: u64,
    /// Target rate.
    pub target: f64,
    /// Correlation ρ of the rows.
    pub correlation: f64,
    /// Where the spreads come from (filled by the caller; `fixed` from [`simulate`]).
    pub spread_source: SpreadSource,
    /// All rows.
    pub overall: RiskLine,
    /// Per capital source, in the order of [`Source::ALL`], sources with rows only.
    pub sources: Vec<RiskLine>,
    /// Central capital at risk of recall.
    pub central: CentralRisk,
}

/// Per-row constants of the draw, đồng as f64 (exact below 2^53).
#[derive(Clone, Copy)]
struct Prepared {
    pool: usize,
    central: bool,
    lo: f64,
    hi_before: f64,
    hi_after: f64,
    f_before: f64,
    f_after: f64,
    sd_before: f64,
    sd_after: f64,
}

/// What one draw produced, per pool: disbursed before and after, and central shortfall.
#[derive(Clone, Debug)]
struct DrawOut {
    before: Vec<i128>,
    after: Vec<i128>,
    central_before: i128,
    central_after: i128,
}

/// Runs the Monte Carlo. `progress` is called with 1 after each draw (from any thread).
pub fn simulate(
    rows: &[RiskRow],
    opts: &RiskOptions,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<RiskReport, RiskError> {
    opts.check()?;
    let pools = Source::ALL.len();
    let prepared: Vec<Prepared> = rows.iter().map(prepare).collect();
    let common = opts.correlation.sqrt();
    let own = (1.0 - opts.correlation).sqrt();

    let draws: Vec<DrawOut> = (0..opts.draws)
        .into_par_iter()
        .map(|d| {
            let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
            rng.set_stream(u64::from(d));
            let mut normals = Normals::default();
            let shock = normals.next(&mut rng);
            let mut out = DrawOut {
                before: vec![0; pools],
                after: vec![0; pools],
                central_before: 0,
                central_after: 0,
            };
            for p in &prepared {
                let (yb, ya) = if p.sd_before > 0.0 || p.sd_after > 0.0 {
                    let z = common * shock + own * normals.next(&mut rng);
                    (
                        (p.f_before + z * p.sd_before).round().clamp(p.lo, p.hi_before),
                        (p.f_after + z * p.sd_after).round().clamp(p.lo, p.hi_after),
                    )
                } else {
                    (p.f_before, p.f_after)
                };
                // Both are whole đồng within [disbursed, plan], so the casts are exact.
                let (yb, ya) = (yb as i128, ya as i128);
                out.before[p.pool] += yb;
                out.after[p.pool] += ya;
                if p.central {
                    out.central_before += (p.hi_before as i128 - yb).max(0);
                    out.central_after += (p.hi_after as i128 - ya).max(0);
                }
            }
            progress(1);
            out
        })
        .collect();

    // Point forecast, per pool.
    let mut plan = vec![0i128; pools];
    let mut count = vec![0usize; pools];
    let mut point_before = vec![0i128; pools];
    let mut point_after = vec![0i128; pools];
    for r in rows {
        let k = r.source.index();
        plan[k] += i128::from(r.plan.dong());
        count[k] += 1;
        point_before[k] += i128::from(r.forecast_before.dong());
        point_after[k] += i128::from(r.forecast_after.dong());
    }
    let target = opts.target;
    let mut sources = Vec::new();
    for (k, &source) in Source::ALL.iter().enumerate() {
        if count[k] == 0 {
            continue;
        }
        let before: Vec<i128> = draws.iter().map(|d| d.before[k]).collect();
        let after: Vec<i128> = draws.iter().map(|d| d.after[k]).collect();
        sources.push(line(
            Some(source),
            count[k],
            plan[k],
            (point_before[k], point_after[k]),
            &before,
            &after,
            target,
        ));
    }
    let total = |v: &[i128]| v.iter().sum::<i128>();
    let before: Vec<i128> = draws.iter().map(|d| total(&d.before)).collect();
    let after: Vec<i128> = draws.iter().map(|d| total(&d.after)).collect();
    let overall = line(
        None,
        rows.len(),
        total(&plan),
        (total(&point_before), total(&point_after)),
        &before,
        &after,
        target,
    );

    let central_point = |after: bool| -> i128 {
        rows.iter()
            .filter(|r| r.source.is_central())
            .map(|r| {
                let (plan, f) =
                    if after { (r.new_plan, r.forecast_after) } else { (r.plan, r.forecast_before) };
                i128::from((plan - f).max_zero().dong())
            })
            .sum()
    };
    let mut cb: Vec<i128> = draws.iter().map(|d| d.central_before).collect();
    let mut ca: Vec<i128> = draws.iter().map(|d| d.central_after).collect();
    let central = CentralRisk {
        point_before_vnd: sat(central_point(false)),
        point_after_vnd: sat(central_point(true)),
        expected_before_vnd: sat(mean(&cb)),
        expected_after_vnd: sat(mean(&ca)),
        p95_before_vnd: sat(quantile(&mut cb, 0.95)),
        p95_after_vnd: sat(quantile(&mut ca, 0.95)),
    };
    Ok(RiskReport {
        draws: opts.draws,
        seed: opts.seed,
        target,
        correlation: opts.correlation,
        spread_source: SpreadSource::Fixed,
        overall,
        sources,
        central,
    })
}

fn prepare(r: &RiskRow) -> Prepared {
    let lo = r.disbursed.dong();
    // A forecast outside [disbursed, plan] (a hand-built row) is brought inside, as the rules do.
    let hi_b = r.plan.dong().max(lo);
    let hi_a = r.new_plan.dong().max(lo);
    let share = clean(r.share).min(1.0);
    Prepared {
        pool: r.source.index(),
        central: r.source.is_central(),
        lo: lo as f64,
        hi_before: hi_b as f64,
        hi_after: hi_a as f64,
        f_before: r.forecast_before.dong().clamp(lo, hi_b) as f64,
        f_after: r.forecast_after.dong().clamp(lo, hi_a) as f64,
        sd_before: share * (hi_b - lo) as f64,
        sd_after: share * (hi_a - lo) as f64,
    }
}

/// Whether `disbursed` reaches `target` of `plan` (a zero plan always does).
fn reaches(disbursed: i128, plan: i128, target: f64) -> bool {
    plan <= 0 || disbursed as f64 >= target * plan as f64
}

fn rate(disbursed: i128, plan: i128) -> f64 {
    if plan <= 0 { 0.0 } else { disbursed as f64 / plan as f64 }
}

fn line(
    source: Option<Source>,
    rows: usize,
    plan: i128,
    point: (i128, i128),
    before: &[i128],
    after: &[i128],
    target: f64,
) -> RiskLine {
    let n = before.len().max(1) as f64;
    let prob = |v: &[i128]| v.iter().filter(|&&x| reaches(x, plan, target)).count() as f64 / n;
    let se = |p: f64| (p * (1.0 - p) / n).sqrt();
    let (pb, pa) = (prob(before), prob(after));
    let mut b = before.to_vec();
    let mut a = after.to_vec();
    RiskLine {
        source,
        rows,
        plan_vnd: sat(plan),
        point_rate_before: rate(point.0, plan),
        point_rate_after: rate(point.1, plan),
        probability_before: pb,
        probability_after: pa,
        std_error_before: se(pb),
        std_error_after: se(pa),
        mean_rate_before: rate(mean(before), plan),
        mean_rate_after: rate(mean(after), plan),
        p05_rate_before: rate(quantile(&mut b, 0.05), plan),
        p95_rate_before: rate(quantile(&mut b, 0.95), plan),
        p05_rate_after: rate(quantile(&mut a, 0.05), plan),
        p95_rate_after: rate(quantile(&mut a, 0.95), plan),
    }
}

/// Mean rounded to the nearest đồng.
fn mean(v: &[i128]) -> i128 {
    if v.is_empty() {
        return 0;
    }
    let n = v.len() as i128;
    let s: i128 = v.iter().sum();
    (2 * s + n).div_euclid(2 * n)
}

/// The `q` quantile by the nearest-rank method (sorts `v`).
fn quantile(v: &mut [i128], q: f64) -> i128 {
    if v.is_empty() {
        return 0;
    }
    v.sort_unstable();
    let rank = (q * v.len() as f64).ceil() as usize;
    v[rank.clamp(1, v.len()) - 1]
}

fn sat(x: i128) -> i64 {
    i64::try_from(x).unwrap_or(if x < 0 { i64::MIN } else { i64::MAX })
}

/// Standard normal numbers by the Marsaglia polar method, two at a time.
#[derive(Default)]
struct Normals {
    spare: Option<f64>,
}

impl Normals {
    fn next(&mut self, rng: &mut ChaCha8Rng) -> f64 {
        if let Some(z) = self.spare.take() {
            return z;
        }
        loop {
            let u = 2.0 * rng.random::<f64>() - 1.0;
            let v = 2.0 * rng.random::<f64>() - 1.0;
            let s = u * u + v * v;
            if s > 0.0 && s < 1.0 {
                // `libm::log` is the same Rust code on every platform, unlike `f64::ln` (the C
                // library's): the same seed gives the same draws on any machine.
                let k = (-2.0 * libm::log(s) / s).sqrt();
                self.spare = Some(v * k);
                return u * k;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_and_means_are_exact() {
        let mut v = vec![5, 1, 4, 2, 3];
        assert_eq!(quantile(&mut v, 0.05), 1);
        assert_eq!(quantile(&mut v, 0.95), 5);
        assert_eq!(quantile(&mut v, 0.5), 3);
        assert_eq!(mean(&[1, 2]), 2);
        assert_eq!(mean(&[1, 1, 2]), 1);
        assert!(reaches(95, 100, 0.95));
        assert!(!reaches(94, 100, 0.95));
    }

    #[test]
    fn normals_have_unit_variance() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mut n = Normals::default();
        let xs: Vec<f64> = (0..200_000).map(|_| n.next(&mut rng)).collect();
        let m = xs.iter().sum::<f64>() / xs.len() as f64;
        let var = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / xs.len() as f64;
        assert!(m.abs() < 0.01, "{m}");
        assert!((var - 1.0).abs() < 0.01, "{var}");
    }

    #[test]
    fn row_share_adds_groups_in_quadrature() {
        let s = Spread {
            correlation: 0.0,
            default: 0.2,
            pace: vec![("fast".into(), 0.3)],
            groups: vec![("land".into(), 0.4)],
            source: SpreadSource::Fixed,
        };
        assert!((s.row_share("fast", &["land".into()]) - 0.5).abs() < 1e-12);
        assert!((s.row_share("other", &[]) - 0.2).abs() < 1e-12);
    }
}
