//! The optional second solver: each pool's whole minimum-transfer model handed to HiGHS (MIT, C++)
//! through good_lp's `highs` feature, as an independent exact check of the built-in per-pool solver
//! ([`super::Method::Highs`], `realloc propose --solver highs`).
//!
//! The model is the one [`super::export_lp`] writes, built from the same pool problems: integer
//! columns counting units of `min_unit`, the balance row and the caps. Where `min_transfer` exceeds one
//! unit each column `x` with upper bound `u` gets a binary `y` with `min_units·y ≤ x ≤ u·y` (the
//! semi-continuous bound of the export, written as a MIP). HiGHS solves it to a zero relative gap, so
//! its optimum is exact up to HiGHS's tolerances; nothing of the built-in greedy, flow or branch and
//! bound is used on this path.
//!
//! Without the `highs` feature this module only says how to build it ([`super::OptimizeError::NotBuilt`]).

/// The solver's name, for the manifest.
pub(crate) const NAME: &str = "HiGHS MIP (good_lp), one model per pool";

/// Whether this build holds HiGHS (the `highs` feature).
pub(crate) const AVAILABLE: bool = cfg!(feature = "highs");

#[cfg(feature = "highs")]
pub(crate) use with_highs::solve;

#[cfg(not(feature = "highs"))]
pub(crate) fn solve(
    _: &super::problem::PoolProblem,
) -> Result<super::problem::PoolSolution, super::OptimizeError> {
    Err(super::OptimizeError::NotBuilt { solver: "highs" })
}

#[cfg(feature = "highs")]
mod with_highs {
    use std::sync::Mutex;

    use good_lp::solvers::highs::highs;
    use good_lp::{
        Expression, ProblemVariables, ResolutionError, Solution, SolutionStatus, SolverModel, Variable,
        variable,
    };

    use super::super::OptimizeError;
    use super::super::problem::{PoolProblem, PoolSolution};

    /// One HiGHS solve at a time: the pools are solved on rayon's threads, and HiGHS runs its own
    /// thread pool, which is not meant to be entered by several solves at once.
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

    /// Solves pool `p`'s minimum-transfer MIP with HiGHS; every non-zero move is at least `min_units`.
    pub(crate) fn solve(p: &PoolProblem) -> Result<PoolSolution, OptimizeError> {
        let fail = |what: String| OptimizeError::Solver { pool: p.source, cause: ResolutionError::Str(what) };
        if p.donors.is_empty() || p.recipients.is_empty() {
            return Ok(PoolSolution::zero(p));
        }
        let m = p.min_units;
        let mut vars = ProblemVariables::new();
        let mut objective = Expression::with_capacity(p.donors.len() + p.recipients.len());
        // A column that is 0 or at least `min_units`, up to `cap`; its indicator when it needs one.
        let mut column = |cap: i64, value: f64, indicators: &mut Vec<(Variable, Variable, i64)>| {
            // A column whose bound is below one `min_transfer` cannot move at all.
            let cap = if cap < m { 0 } else { cap };
            let x = vars.add(variable().integer().min(0.0).max(cap as f64));
            objective.add_mul(value, x);
            if m > 1 && cap > 0 {
                indicators.push((x, vars.add(variable().binary()), cap));
            }
            x
        };
        let mut indicators = Vec::new();
        let r: Vec<Variable> = p.donors.iter().map(|d| column(d.cap, -d.value, &mut indicators)).collect();
        let a: Vec<Variable> = p.recipients.iter().map(|x| column(x.cap, x.value, &mut indicators)).collect();
        let mut model = vars
            .maximise(objective)
            .using(highs)
            .set_option("output_flag", false)
            .set_option("mip_rel_gap", 0.0)
            .set_option("threads", 1);
        let mut balance = Expression::with_capacity(r.len() + a.len());
        for &v in &a {
            balance.add_mul(1.0, v);
        }
        for &v in &r {
            balance.add_mul(-1.0, v);
        }
        model = model.with(balance.eq(0.0));
        for cap in &p.caps {
            let mut e = Expression::with_capacity(cap.members.len());
            for &d in &cap.members {
                e.add_mul(1.0, r[d]);
            }
            model = model.with(e.leq(cap.limit as f64));
        }
        for &(x, y, cap) in &indicators {
            model = model.with((Expression::from(x) - cap as f64 * y).leq(0.0));
            model = model.with((Expression::from(x) - m as f64 * y).geq(0.0));
        }
        let solution = {
            let _one = ONE_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            model.solve().map_err(|cause| OptimizeError::Solver { pool: p.source, cause })?
        };
        match solution.status() {
            SolutionStatus::Optimal | SolutionStatus::GapLimit => {}
            SolutionStatus::TimeLimit => {
                return Err(fail("HiGHS stopped at a limit before proving optimality".into()));
            }
        }
        // Integer columns within HiGHS's integrality tolerance: rounding restores the exact integers,
        // and the balance row (integer coefficients) then holds exactly.
        let units = |v: &Variable| solution.value(*v).round() as i64;
        let s = PoolSolution { r: r.iter().map(units).collect(), a: a.iter().map(units).collect() };
        if !p.is_feasible(&s) {
            return Err(fail("HiGHS's solution breaks a bound, a cap, min_transfer or the balance".into()));
        }
        Ok(s)
    }
}
