//! Figures by pool and by capital source, the pipeline projects placed, and what the province can
//! still do with the capital left idle after the proposal (DOMAIN.md §4–5, version 2).
//!
//! Idle capital of a row after the proposal is `new plan − forecast after` (never negative: a donor's
//! forecast falls only by what is taken beyond its idle part, and a recipient is expected to spend at
//! most what it receives). A pool's options, in order:
//! - `pipeline`: the ready pipeline projects the optimiser placed (counted as spent, so already out
//!   of `idle_after_vnd`), listed so that the reader sees where the capital went;
//! - `extend`: idle capital of rows held back by objective causes (a `land` or `oda_agreement`
//!   obstacle), which the competent authority may carry into next year;
//! - `return_central`: for central-budget sources, the rest of the idle capital, which the province
//!   returns so that the Government can move it before it is lost.
//!
//! `extend` + `return_central` never exceed `idle_after_vnd`.

use serde::{Deserialize, Serialize};

use crate::domain::{Obstacle, Project, Source};
use crate::model::{Assessment, Model, pools_of};
use crate::money::Money;
use crate::optimize::{PoolNote, Proposal};
use crate::scenario::Scenario;

use super::text::{self, Lang};
use super::{PoolSummary, ProjectLine};

/// A pipeline project that receives capital.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema, Deserialize)]
pub struct PipelineLine {
    /// Project id.
    pub id: String,
    /// Capital source.
    pub source: Source,
    /// Amount placed.
    pub amount_vnd: i64,
    /// Worth of one million VND added.
    pub value_in: f64,
}

/// What kind of use remains for idle capital.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdleOptionKind {
    /// Ready pipeline projects (placed by the optimiser).
    Pipeline,
    /// Extension into next year for rows held back by objective causes.
    Extend,
    /// Return to the central budget.
    ReturnCentral,
}

/// One option for a pool's idle capital.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema, Deserialize)]
pub struct IdleOption {
    /// What.
    pub kind: IdleOptionKind,
    /// How much.
    pub amount_vnd: i64,
    /// The rows concerned (project ids; pipeline ids for `pipeline`).
    pub rows: Vec<String>,
}

/// Figures of one capital source, its pools added up.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema, Deserialize)]
pub struct SourceSummary {
    /// The source.
    pub source: Source,
    /// Rows in the source.
    pub rows: usize,
    /// Plan.
    pub plan_vnd: i64,
    /// Disbursed to date.
    pub disbursed_vnd: i64,
    /// Capital moved within the source's pools.
    pub moved_vnd: i64,
    /// Placed in pipeline projects.
    pub pipeline_vnd: i64,
    /// Forecast rate before the proposal.
    pub forecast_rate_before: f64,
    /// Forecast rate after the proposal (pipeline placements counted as spent).
    pub forecast_rate_after: f64,
    /// Forecast idle capital after the proposal.
    pub idle_after_vnd: i64,
}

/// The id of row `i` of the optimiser: a portfolio row, then the pipeline projects.
pub(crate) fn row_id(rows: &[Project], model: &Model, i: usize) -> String {
    row_arc(rows, model, i).to_string()
}

/// [`row_id`], shared with the portfolio row (a transfer names two rows; at national scale there are
/// hundreds of thousands of transfers).
pub(crate) fn row_arc(rows: &[Project], model: &Model, i: usize) -> std::sync::Arc<str> {
    match i.checked_sub(rows.len()) {
        None => rows.get(i).map_or_else(|| "".into(), |p| std::sync::Arc::clone(&p.id)),
        Some(k) => model.pipeline.get(k).map_or_else(|| "".into(), |x| x.id.as_str().into()),
    }
}

/// The pipeline projects that receive, in file order.
pub(crate) fn pipeline_lines(model: &Model, proposal: &Proposal) -> Vec<PipelineLine> {
    model
        .pipeline
        .iter()
        .zip(&proposal.pipeline)
        .filter(|(_, a)| a.dong() > 0)
        .map(|(x, a)| PipelineLine {
            id: x.id.clone(),
            source: x.source,
            amount_vnd: a.dong(),
            value_in: x.value_in,
        })
        .collect()
}

/// Running totals of one pool.
#[derive(Clone, Default)]
struct Totals<'a> {
    rows: usize,
    plan: i64,
    disbursed: i64,
    moved: i64,
    before: i64,
    after: i64,
    idle_before: i64,
    idle_after: i64,
    pipeline: Vec<(&'a str, i64)>,
    extend: Vec<(&'a str, i64)>,
    held: Vec<(&'a str, i64)>,
}

/// One summary per pool, in pool order (source, then agreement or locality).
pub(crate) fn pool_summaries(
    scenario: &Scenario,
    assessment: &Assessment,
    proposal: &Proposal,
    projects: &[ProjectLine],
) -> Vec<PoolSummary> {
    let rows = scenario.portfolio.rows();
    let model = &assessment.model;
    let (keys, index) = pools_of(&scenario.portfolio, model);
    let n = rows.len();
    let mut totals = vec![Totals::default(); keys.len()];
    for (row, (p, l)) in rows.iter().zip(projects).enumerate() {
        let Some(k) = index[row] else { continue };
        let t = &mut totals[k];
        t.rows += 1;
        t.plan += l.plan_vnd;
        t.disbursed += l.disbursed_vnd;
        t.moved += (-l.change_vnd).max(0);
        t.before += l.forecast_vnd;
        t.after += l.forecast_after_vnd;
        t.idle_before += (l.plan_vnd - l.forecast_vnd).max(0);
        let idle = (l.new_plan_vnd - l.forecast_after_vnd).max(0);
        t.idle_after += idle;
        if idle > 0 {
            if p.obstacles.contains(Obstacle::Land) || p.obstacles.contains(Obstacle::OdaAgreement) {
                t.extend.push((&p.id, idle));
            } else {
                t.held.push((&p.id, idle));
            }
        }
    }
    for (k, (x, a)) in model.pipeline.iter().zip(&proposal.pipeline).enumerate() {
        if let Some(pool) = index.get(n + k).copied().flatten()
            && a.dong() > 0
        {
            totals[pool].pipeline.push((&x.id, a.dong()));
            totals[pool].after += a.dong();
        }
    }
    keys.iter()
        .zip(totals)
        .map(|(key, t)| {
            let outcome = proposal.pools.iter().find(|o| &o.key == key);
            let id = |&i: &usize| row_id(rows, model, i);
            let note_items: Vec<PoolNote<String>> =
                outcome.map(|o| o.notes.iter().map(|n| n.map_rows(id)).collect()).unwrap_or_default();
            let options = idle_options(key.source, &t);
            PoolSummary {
                source: key.source,
                agreement: key.agreement.as_deref().map(str::to_owned),
                locality: key.locality.as_deref().map(str::to_owned),
                authority: assessment.authority_of(key.source).map(|a| a.code.clone()).unwrap_or_default(),
                idle_after_vnd: t.idle_after,
                idle_before_vnd: t.idle_before,
                options,
                rows: t.rows,
                plan_vnd: t.plan,
                disbursed_vnd: t.disbursed,
                moved_vnd: t.moved,
                forecast_rate_before: Money::from_dong(t.before).ratio(Money::from_dong(t.plan)),
                forecast_rate_after: Money::from_dong(t.after).ratio(Money::from_dong(t.plan)),
                shadow_price: outcome.map_or(0.0, |o| o.shadow_price),
                best_unfunded: outcome.and_then(|o| o.best_unfunded).map(|i| row_id(rows, model, i)),
                notes: note_items.iter().map(|n| text::pool_note(n, Lang::En)).collect(),
                note_items,
            }
        })
        .collect()
}

/// The options for a pool's idle capital (module docs).
fn idle_options(source: Source, t: &Totals<'_>) -> Vec<IdleOption> {
    let ids = |v: &[(&str, i64)]| v.iter().map(|x| x.0.to_owned()).collect::<Vec<_>>();
    let sum = |v: &[(&str, i64)]| v.iter().map(|x| x.1).sum::<i64>();
    let mut out = Vec::new();
    if !t.pipeline.is_empty() {
        out.push(IdleOption {
            kind: IdleOptionKind::Pipeline,
            amount_vnd: sum(&t.pipeline),
            rows: ids(&t.pipeline),
        });
    }
    let extend = sum(&t.extend).min(t.idle_after);
    if extend > 0 {
        out.push(IdleOption { kind: IdleOptionKind::Extend, amount_vnd: extend, rows: ids(&t.extend) });
    }
    let rest = t.idle_after - extend;
    if source.is_central() && rest > 0 {
        out.push(IdleOption { kind: IdleOptionKind::ReturnCentral, amount_vnd: rest, rows: ids(&t.held) });
    }
    out
}

/// One summary per capital source present, in the order of [`Source::ALL`].
pub(crate) fn source_summaries(
    rows: &[Project],
    projects: &[ProjectLine],
    pipeline: &[PipelineLine],
    pools: &[PoolSummary],
) -> Vec<SourceSummary> {
    let mut out: Vec<SourceSummary> = Vec::new();
    for &source in Source::ALL {
        let lines: Vec<&ProjectLine> =
            rows.iter().zip(projects).filter(|(p, _)| p.source == source).map(|(_, l)| l).collect();
        if lines.is_empty() {
            continue;
        }
        let plan: i64 = lines.iter().map(|l| l.plan_vnd).sum();
        let placed: i64 = pipeline.iter().filter(|x| x.source == source).map(|x| x.amount_vnd).sum();
        let before: i64 = lines.iter().map(|l| l.forecast_vnd).sum();
        let after: i64 = lines.iter().map(|l| l.forecast_after_vnd).sum::<i64>() + placed;
        out.push(SourceSummary {
            source,
            rows: lines.len(),
            plan_vnd: plan,
            disbursed_vnd: lines.iter().map(|l| l.disbursed_vnd).sum(),
            moved_vnd: lines.iter().map(|l| (-l.change_vnd).max(0)).sum(),
            pipeline_vnd: placed,
            forecast_rate_before: Money::from_dong(before).ratio(Money::from_dong(plan)),
            forecast_rate_after: Money::from_dong(after).ratio(Money::from_dong(plan)),
            idle_after_vnd: pools.iter().filter(|p| p.source == source).map(|p| p.idle_after_vnd).sum(),
        });
    }
    out
}
