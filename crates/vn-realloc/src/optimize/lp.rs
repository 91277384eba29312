//! The general path: one pool as a linear programme solved by good_lp with the pure-Rust `microlp`
//! backend, for pools whose caps the fast path cannot handle exactly (investor caps that cross
//! locality caps and bind), and as the independent check of the fast path in the tests.
//!
//! Variables count units of `min_unit` and are continuous: the pool's constraint matrix is a network
//! matrix, so the optimum vertex is integral and [`super::round`] only removes float noise.

use good_lp::{Expression, ProblemVariables, Solution, SolverModel, Variable, microlp, variable};

use super::OptimizeError;
use super::problem::{PoolProblem, PoolSolution};
use super::round;

/// The solver's name, for the manifest.
pub(crate) const NAME: &str = "microlp (good_lp)";

/// Solves the pool's LP and rounds the answer to a feasible integer solution (before the
/// `min_transfer` repair).
pub(crate) fn solve(p: &PoolProblem) -> Result<PoolSolution, OptimizeError> {
    // Donors worth at least every recipient, and recipients worth at most every donor, never move
    // with a gain: leave them out so that the solver sees a smaller model.
    let best_in = p.recipients.iter().map(|r| r.value).fold(f64::NEG_INFINITY, f64::max);
    let cheapest_out = p.donors.iter().map(|d| d.value).fold(f64::INFINITY, f64::min);
    let mut vars = ProblemVariables::new();
    let mut objective = Expression::with_capacity(p.donors.len() + p.recipients.len());
    let r: Vec<Option<Variable>> = p
        .donors
        .iter()
        .map(|d| {
            (d.value < best_in).then(|| {
                let v = vars.add(variable().min(0.0).max(d.cap as f64));
                objective.add_mul(-d.value, v);
                v
            })
        })
        .collect();
    let a: Vec<Option<Variable>> = p
        .recipients
        .iter()
        .map(|x| {
            (x.value > cheapest_out).then(|| {
                let v = vars.add(variable().min(0.0).max(x.cap as f64));
                objective.add_mul(x.value, v);
                v
            })
        })
        .collect();
    if r.iter().all(Option::is_none) || a.iter().all(Option::is_none) {
        return Ok(PoolSolution::zero(p));
    }
    let mut model = vars.maximise(objective).using(microlp);
    let mut balance = Expression::with_capacity(p.donors.len() + p.recipients.len());
    for v in a.iter().flatten() {
        balance.add_mul(1.0, *v);
    }
    for v in r.iter().flatten() {
        balance.add_mul(-1.0, *v);
    }
    model = model.with(balance.eq(0.0));
    for cap in &p.caps {
        let mut e = Expression::with_capacity(cap.members.len());
        for &d in &cap.members {
            if let Some(v) = r[d] {
                e.add_mul(1.0, v);
            }
        }
        model = model.with(e.leq(cap.limit as f64));
    }
    let solution = model.solve().map_err(|e| OptimizeError::Solver { pool: p.source, cause: e })?;
    let value = |v: &Option<Variable>| v.map_or(0.0, |v| solution.value(v));
    let rv: Vec<f64> = r.iter().map(value).collect();
    let av: Vec<f64> = a.iter().map(value).collect();
    Ok(round::round(p, &rv, &av))
}
