//! Evaluating the rules on rows: the assessment of a whole scenario and the explanation of one row.

use std::sync::Arc;

use rayon::prelude::*;
use serde::Serialize;

use crate::domain::{Category, Obstacle, Project, ProjectGroup, Source, Status};
use crate::model::{Assessment, GroupInfo, Model, PipelineRow, PoolSplit, RowAssessment, RowBounds};
use crate::money::{DONG_PER_MILLION, Money};
use crate::scenario::{Scenario, ScenarioMeta};

use super::expr::{CodeKind, Compiled, Ty};
use super::{Part, ROW_FIELDS, Rule, Rules, SCENARIO_FIELDS, Template, curve_at, months_since};

/// Rows classified by one parallel task: large enough that preparing the slots is negligible.
const ASSESS_CHUNK: usize = 2048;

/// A stage of the evaluation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// A `[[metrics]]` value.
    Metric,
    /// An obstacle group (collect).
    Group,
    /// A pace class (first match).
    Pace,
    /// A priority tier rule (first match).
    Tier,
    /// An `[[eligibility]]` rule (every one applies) or a `[[pools]]` rule that keeps a row out.
    Eligibility,
    /// A `[model]` formula.
    Model,
}

/// What a rule did for the row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The condition held and the rule applies.
    Matched,
    /// The condition held but an earlier rule of a first-match list was chosen.
    Shadowed,
    /// The condition did not hold.
    NotMatched,
    /// A metric or formula was computed (see the value).
    Computed,
}

/// A name and the value the rule saw, as text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Seen {
    /// Field, parameter or metric name.
    pub name: String,
    /// Its value for the row (numbers in million VND for amounts).
    pub value: String,
}

/// One rule evaluated for the row.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Step {
    /// Stage.
    pub stage: Stage,
    /// Rule id (or formula name).
    pub id: String,
    /// Line in the rules file.
    pub line: usize,
    /// The condition or formula.
    pub expr: String,
    /// What it did.
    pub outcome: Outcome,
    /// The value computed (formulas and metrics) or `true`/`false` (conditions); for the model formulas
    /// the value after clamping to the legal bounds.
    pub value: String,
    /// The names read and their values.
    pub seen: Vec<Seen>,
}

/// Every rule that matched or did not for one row, with the values it saw.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Explanation {
    /// Portfolio row index.
    pub row: usize,
    /// Project id.
    pub id: String,
    /// Capital source.
    pub source: Source,
    /// Project name.
    pub name: String,
    /// Row fields and scenario values as the rules see them.
    pub inputs: Vec<Seen>,
    /// Rules in evaluation order.
    pub steps: Vec<Step>,
    /// The conclusion.
    pub result: RowAssessment,
    /// The eligibility and pool rules that closed a side of the row, in words.
    pub kept_out: Vec<crate::model::EligibilityInfo>,
}

/// What the registered schedule of row `row` asks by `meta.as_of`, when the scenario has one for it.
pub(crate) fn schedule_target(scenario: &Scenario, meta: &ScenarioMeta, row: usize) -> Option<Money> {
    scenario.monitoring.schedule.as_ref()?.target(row, meta.fiscal_year, meta.as_of)
}

/// Money as million VND for the expressions.
fn m(x: Money) -> f64 {
    x.million_f64()
}

impl Rules {
    /// A slot buffer with the scenario values and the parameters in force on `as_of`.
    pub(crate) fn prepare(&self, meta: &ScenarioMeta) -> Vec<f64> {
        let mut s = vec![0.0; self.scope.len()];
        let base = ROW_FIELDS.len();
        s[base] = f64::from(meta.fiscal_year);
        s[base + 1] = meta.months_elapsed();
        s[base + 2] = meta.months_left();
        s[base + 3] = curve_at(&self.curve, months_since(meta.fiscal_year, meta.as_of));
        s[base + 4] = curve_at(&self.curve, months_since(meta.fiscal_year, meta.deadline));
        s[base + 5] = f(meta.local_budget_delegated);
        for p in &self.params {
            s[usize::from(p.slot)] = p.at(meta.as_of);
        }
        s
    }

    /// The ids a row assessment names, shared by every row (`Arc<str>`: half a million rows name a
    /// handful of groups, paces and eligibility rules).
    pub(crate) fn row_ids(&self) -> RowIds {
        let arc = |s: &str| Arc::<str>::from(s);
        RowIds {
            groups: self.groups.iter().map(|r| arc(&r.info.id)).collect(),
            paces: self.paces.iter().map(|r| arc(&r.info.id)).collect(),
            eligibility: self.eligibility.iter().map(|e| arc(&e.info.id)).collect(),
            pools: self.pools.iter().map(|r| arc(&r.id)).collect(),
        }
    }

    /// Classifies every row of the scenario and derives the optimisation model.
    pub fn assess(&self, scenario: &Scenario) -> Assessment {
        let fy = scenario.meta.fiscal_year;
        let ids = self.row_ids();
        // Rows are independent: chunks are classified in parallel, each with its own slots, and
        // collected in portfolio order, so the result does not depend on the number of threads.
        let rows: Vec<RowAssessment> = scenario
            .portfolio
            .rows()
            .par_chunks(ASSESS_CHUNK)
            .enumerate()
            .flat_map_iter(|(c, chunk)| {
                let mut slots = self.prepare(&scenario.meta);
                chunk
                    .iter()
                    .enumerate()
                    .map(|(j, p)| {
                        let target = schedule_target(scenario, &scenario.meta, c * ASSESS_CHUNK + j);
                        self.run_row(p, fy, &ids, target, &mut slots, None)
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        let pipeline = scenario
            .pipeline
            .iter()
            .map(|x| PipelineRow {
                id: x.id.clone(),
                source: x.source,
                locality: x.locality.clone(),
                investor: x.investor.clone(),
                agreement: x.agreement.clone(),
                absorbable: x.cap(),
                value_in: self.pipeline_value_in,
            })
            .collect();
        let model = Model {
            rows: rows.iter().map(|r| r.bounds).collect(),
            settings: self.settings,
            // A constraint's name says the share it holds, whatever the rules wrote.
            constraints: self
                .constraints
                .iter()
                .map(|c| crate::model::SideConstraint {
                    name: crate::model::constraint_name(&c.name, &c.kind),
                    kind: c.kind.clone(),
                })
                .collect(),
            pools: self.pools.clone(),
            pipeline,
            forced: Vec::new(),
        };
        let groups = self
            .groups
            .iter()
            .map(|g| GroupInfo {
                id: g.info.id.clone(),
                label_vi: g.info.label.clone(),
                label_en: g.info.label_en.clone(),
                remedy_vi: g.info.remedy.clone(),
                remedy_en: g.info.remedy_en.clone(),
            })
            .collect();
        let authority = super::policy::authorities(&self.authority, scenario.meta.local_budget_delegated);
        let eligibility = self.eligibility.iter().map(|e| e.info.clone()).collect();
        Assessment { rows, groups, model, authority, eligibility }
    }

    /// [`Rules::assess`], refusing an assessment in which some rule's arithmetic broke for some row
    /// (a division by zero, an overflow: DOMAIN.md §6): every such rule and row is named, with the
    /// rule's line in the rules file.
    pub fn assess_checked(&self, scenario: &Scenario) -> Result<Assessment, super::RulesError> {
        let a = self.assess(scenario);
        let mut diags = crate::diag::Diagnostics::new();
        for (p, r) in scenario.portfolio.rows().iter().zip(&a.rows) {
            for rule in &r.arithmetic_errors {
                let line = self.rule_line(rule);
                diags.error(
                    &self.file,
                    crate::diag::Location::Line { line },
                    format!(
                        "rule `{rule}` divides by zero or overflows for project `{}` ({}): its value is not a number; guard the division (ratio(a, b) is 0 when b is 0) or the row's figures",
                        p.id, p.source
                    ),
                );
            }
        }
        if diags.has_errors() {
            return Err(super::RulesError::Invalid { file: self.file.clone(), diagnostics: diags });
        }
        Ok(a)
    }

    /// The line of a rule, metric, eligibility rule or model formula by id (1 when unknown).
    fn rule_line(&self, id: &str) -> usize {
        let rules = self.metrics.iter().chain(&self.groups).chain(&self.paces).chain(&self.tiers);
        rules
            .map(|r| (r.info.id.as_str(), r.info.line))
            .chain(self.eligibility.iter().map(|e| (e.info.id.as_str(), e.line)))
            .chain(self.model.iter().chain(&self.absorption).map(|f| (f.id, f.line)))
            .find(|(r, _)| *r == id)
            .map_or(1, |(_, l)| l.max(1))
    }

    /// Every rule that matched or did not for row `row` of the portfolio, with the values it saw;
    /// `None` when there is no such row.
    pub fn explain(&self, scenario: &Scenario, row: usize) -> Option<Explanation> {
        let p = scenario.portfolio.rows().get(row)?;
        let mut slots = self.prepare(&scenario.meta);
        let mut steps = Vec::new();
        let target = schedule_target(scenario, &scenario.meta, row);
        let result =
            self.run_row(p, scenario.meta.fiscal_year, &self.row_ids(), target, &mut slots, Some(&mut steps));
        let inputs = (0..ROW_FIELDS.len() + SCENARIO_FIELDS.len())
            .chain(self.params.iter().map(|p| usize::from(p.slot)))
            .map(|i| self.seen(i as u16, &slots))
            .collect();
        let kept_out = result.kept_out.iter().map(|id| self.kept_out_info(id)).collect();
        Some(Explanation {
            row,
            id: p.id.to_string(),
            source: p.source,
            name: p.name.to_string(),
            inputs,
            steps,
            result,
            kept_out,
        })
    }

    /// Writes the row fields into the slots; `target` is what the row's registered schedule asks by
    /// `as_of` (`None` without one: then the provincial curve's `plan × expected_rate`).
    fn fill_row(p: &Project, fiscal_year: i32, target: Option<Money>, s: &mut [f64]) {
        let obstacle_bits: u32 = p.obstacles.iter().map(|o| 1u32 << o.index()).sum();
        let row = [
            m(p.plan),
            m(p.disbursed),
            m(p.undisbursed()),
            m(p.total_investment),
            m(p.allocated_before),
            m(p.unpaid_volume),
            m(p.headroom()),
            p.site_clearance_pct.unwrap_or(100.0),
            f(p.site_clearance_pct.is_some()),
            p.physical_progress_pct,
            f64::from(p.start_year),
            f64::from(p.end_year),
            f(p.key_project),
            f(p.locked),
            p.source.index() as f64,
            p.group.index() as f64,
            p.status.index() as f64,
            f(p.source.is_central()),
            f(p.source.is_target_programme()),
            f64::from(obstacle_bits),
            p.obstacles.len() as f64,
            p.disbursement_rate(),
            f64::from(fiscal_year - p.start_year + 1),
            p.extra.category.map_or(-1.0, |c| c.index() as f64),
            f(p.is_counterpart()),
            f(p.source == Source::NstwOda),
            p.extra.medium_term_room.map_or(0.0, m),
            f(p.extra.medium_term_room.is_some()),
            p.extra.requested_change.map_or(0.0, m),
            f(p.extra.requested_change.is_some()),
            p.extra.requested_change.map_or(0.0, |c| m(-c).max(0.0)),
            p.extra.requested_change.map_or(0.0, |c| m(c).max(0.0)),
            f(p.extra.agreement.is_some()),
            p.extra.extended_to.map_or(0.0, f64::from),
            f(p.extra.extended_to.is_some()),
            f(target.is_some()),
            target.map_or(m(p.plan) * s[ROW_FIELDS.len() + 3], m),
        ];
        s[..row.len()].copy_from_slice(&row);
    }

    /// Runs every stage for one row; records each step when `trace` is given.
    pub(crate) fn run_row(
        &self,
        p: &Project,
        fiscal_year: i32,
        ids: &RowIds,
        schedule: Option<Money>,
        s: &mut [f64],
        mut trace: Option<&mut Vec<Step>>,
    ) -> RowAssessment {
        Self::fill_row(p, fiscal_year, schedule, s);
        let mut broken: Vec<String> = Vec::new();

        for r in &self.metrics {
            let v = checked(&r.when, s, &r.info.id, &mut broken);
            s[usize::from(r.slot)] = v;
            if let Some(t) = trace.as_deref_mut() {
                t.push(self.step(Stage::Metric, r, Outcome::Computed, v, s));
            }
        }

        let mut groups = Vec::new();
        for (r, id) in self.groups.iter().zip(&ids.groups) {
            let hit = checked(&r.when, s, &r.info.id, &mut broken) != 0.0;
            s[usize::from(r.slot)] = f(hit);
            if hit {
                groups.push(Arc::clone(id));
            }
            if let Some(t) = trace.as_deref_mut() {
                let o = if hit { Outcome::Matched } else { Outcome::NotMatched };
                t.push(self.step(Stage::Group, r, o, f(hit), s));
            }
        }
        s[usize::from(self.group_count)] = groups.len() as f64;

        let pace = self.first_match(&self.paces, Stage::Pace, s, trace.as_deref_mut(), &mut broken);
        let pace = pace.unwrap_or(self.paces.len().saturating_sub(1));
        s[usize::from(self.pace_slot)] = pace as f64;

        let tier = self.first_match(&self.tiers, Stage::Tier, s, trace.as_deref_mut(), &mut broken);
        let tier_value = tier.and_then(|i| self.tiers[i].info.tier).unwrap_or(13);
        s[usize::from(self.tier_slot)] = f64::from(tier_value);

        // Eligibility: every rule applies; a `when` closes its side, a `limit` caps it.
        let mut kept_out = Vec::new();
        let (mut can_give, mut can_receive) = (true, true);
        let (mut give_limit, mut receive_limit) = (f64::INFINITY, f64::INFINITY);
        for (e, id) in self.eligibility.iter().zip(&ids.eligibility) {
            let (hit, value, expr) = match (&e.when, &e.limit) {
                (Some(w), _) => {
                    let hit = checked(w, s, &e.info.id, &mut broken) != 0.0;
                    (hit, f(hit), w)
                }
                (None, Some(l)) => {
                    let v = checked(l, s, &e.info.id, &mut broken);
                    (v <= 0.0, v, l)
                }
                (None, None) => continue,
            };
            if e.when.is_some() {
                if hit {
                    can_give &= !e.side.gives();
                    can_receive &= !e.side.receives();
                }
            } else {
                let v = if value.is_nan() { 0.0 } else { value };
                if e.side.gives() {
                    give_limit = give_limit.min(v);
                }
                if e.side.receives() {
                    receive_limit = receive_limit.min(v);
                }
            }
            if hit {
                kept_out.push(Arc::clone(id));
            }
            if let Some(t) = trace.as_deref_mut() {
                let (outcome, text) = match (e.when.is_some(), hit) {
                    (true, true) => (Outcome::Matched, "true".to_owned()),
                    (true, false) => (Outcome::NotMatched, "false".to_owned()),
                    (false, _) => (Outcome::Computed, fmt_num(value)),
                };
                t.push(Step {
                    stage: Stage::Eligibility,
                    id: e.info.id.clone(),
                    line: e.line,
                    expr: expr.text.clone(),
                    outcome,
                    value: text,
                    seen: self.seen_of(expr, s),
                });
            }
        }
        // A source split by loan agreement: a row without one neither gives nor receives.
        if let Some((rule, id)) =
            self.pools.iter().zip(&ids.pools).find(|(r, _)| r.sources.contains(&p.source))
            && rule.split == PoolSplit::Agreement
            && p.extra.agreement.is_none()
        {
            can_give = false;
            can_receive = false;
            kept_out.push(Arc::clone(id));
        }
        let [cg, cr, gl, rl] = self.eligibility_slots;
        s[usize::from(cg)] = f(can_give);
        s[usize::from(cr)] = f(can_receive);
        s[usize::from(gl)] = if give_limit.is_finite() { give_limit } else { m(Money::MAX_INPUT) };
        s[usize::from(rl)] = if receive_limit.is_finite() { receive_limit } else { m(Money::MAX_INPUT) };

        // The model, each formula clamped to its legal bounds before the next one reads it.
        let plan = p.plan;
        let mut bounds = RowBounds::default();
        let mut forecast = p.disbursed;
        for (i, fm) in self.model.iter().enumerate() {
            let raw = checked(&fm.expr, s, fm.id, &mut broken);
            let value = match i {
                0 => {
                    forecast = to_money(raw).clamp(p.disbursed, plan.max(p.disbursed));
                    m(forecast)
                }
                1 => {
                    let cap = if p.locked || !can_give {
                        Money::ZERO
                    } else {
                        p.undisbursed().max_zero().min(to_money(give_limit))
                    };
                    bounds.releasable = to_money(raw).min(cap);
                    m(bounds.releasable)
                }
                2 => {
                    let cap = if p.locked || bounds.releasable > Money::ZERO || !can_receive {
                        Money::ZERO
                    } else {
                        p.headroom().max_zero().min(to_money(receive_limit))
                    };
                    bounds.absorbable = to_money(raw).min(cap);
                    m(bounds.absorbable)
                }
                3 => {
                    bounds.value_in = finite(raw);
                    bounds.value_in
                }
                _ => {
                    bounds.value_out = finite(raw);
                    bounds.value_out
                }
            };
            s[usize::from(fm.slot)] = value;
            if let Some(t) = trace.as_deref_mut() {
                t.push(self.formula_step(fm, value, s));
            }
        }

        let absorption = match &self.absorption {
            Some(fm) => {
                let raw = checked(&fm.expr, s, fm.id, &mut broken);
                let v = if raw.is_nan() { 0.0 } else { raw.clamp(0.0, 1.0) };
                s[usize::from(fm.slot)] = v;
                if let Some(t) = trace {
                    t.push(self.formula_step(fm, v, s));
                }
                v
            }
            None => 1.0,
        };

        let reason = self.reason(p, &groups, pace, tier, &bounds, &kept_out, s).into();
        RowAssessment {
            groups,
            pace: ids.paces.get(pace).cloned().unwrap_or_else(|| Arc::from("")),
            priority: tier_value,
            forecast,
            bounds,
            reason,
            absorption,
            kept_out,
            arithmetic_errors: broken,
        }
    }

    /// Index of the first rule whose condition holds.
    fn first_match(
        &self,
        rules: &[Rule],
        stage: Stage,
        s: &[f64],
        trace: Option<&mut Vec<Step>>,
        broken: &mut Vec<String>,
    ) -> Option<usize> {
        match trace {
            None => rules.iter().position(|r| checked(&r.when, s, &r.info.id, broken) != 0.0),
            Some(t) => {
                let mut chosen = None;
                for (i, r) in rules.iter().enumerate() {
                    let hit = checked(&r.when, s, &r.info.id, broken) != 0.0;
                    let o = match (hit, chosen) {
                        (false, _) => Outcome::NotMatched,
                        (true, None) => {
                            chosen = Some(i);
                            Outcome::Matched
                        }
                        (true, Some(_)) => Outcome::Shadowed,
                    };
                    t.push(self.step(stage, r, o, f(hit), s));
                }
                chosen
            }
        }
    }

    fn step(&self, stage: Stage, r: &Rule, outcome: Outcome, v: f64, s: &[f64]) -> Step {
        let value = match (stage, r.when.ty) {
            (Stage::Metric, Ty::Num) => fmt_num(v),
            _ => (v != 0.0).to_string(),
        };
        Step {
            stage,
            id: r.info.id.clone(),
            line: r.info.line,
            expr: r.when.text.clone(),
            outcome,
            value,
            seen: self.seen_of(&r.when, s),
        }
    }

    /// The step of a `[model]` formula that computed `value`.
    fn formula_step(&self, fm: &super::Formula, value: f64, s: &[f64]) -> Step {
        Step {
            stage: Stage::Model,
            id: fm.id.to_owned(),
            line: fm.line,
            expr: fm.expr.text.clone(),
            outcome: Outcome::Computed,
            value: fmt_num(value),
            seen: self.seen_of(&fm.expr, s),
        }
    }

    fn seen_of(&self, c: &Compiled, s: &[f64]) -> Vec<Seen> {
        c.reads.iter().map(|&i| self.seen(i, s)).collect()
    }

    /// A slot's name and value as text.
    fn seen(&self, slot: u16, s: &[f64]) -> Seen {
        let def = &self.scope.slots[usize::from(slot)];
        Seen { name: def.name.clone(), value: self.fmt_slot(slot, s) }
    }

    fn fmt_slot(&self, slot: u16, s: &[f64]) -> String {
        let v = s.get(usize::from(slot)).copied().unwrap_or(0.0);
        let idx = v as usize;
        match self.scope.slots[usize::from(slot)].ty {
            Ty::Num => fmt_num(v),
            Ty::Bool => (v != 0.0).to_string(),
            Ty::Code(CodeKind::Source) => Source::ALL.get(idx).map(|c| c.code()).unwrap_or("?").to_owned(),
            Ty::Code(CodeKind::Group) => {
                ProjectGroup::ALL.get(idx).map(|c| c.code()).unwrap_or("?").to_owned()
            }
            Ty::Code(CodeKind::Status) => Status::ALL.get(idx).map(|c| c.code()).unwrap_or("?").to_owned(),
            Ty::Code(CodeKind::Pace) => self.scope.paces.get(idx).cloned().unwrap_or_default(),
            Ty::Code(CodeKind::Category) => {
                if v < 0.0 {
                    String::new()
                } else {
                    Category::ALL.get(idx).map(|c| c.code()).unwrap_or("?").to_owned()
                }
            }
            Ty::Bits => {
                let bits = v as u32;
                let codes: Vec<&str> =
                    Obstacle::ALL.iter().filter(|o| bits & (1 << o.index()) != 0).map(|o| o.code()).collect();
                codes.join(";")
            }
        }
    }

    /// The analyst's reason for a donor or a recipient; for a row that may do neither, the rules
    /// that kept it out (empty when none did: it simply has nothing to give and needs nothing).
    #[allow(clippy::too_many_arguments)]
    fn reason(
        &self,
        p: &Project,
        groups: &[Arc<str>],
        pace: usize,
        tier: Option<usize>,
        b: &RowBounds,
        kept_out: &[Arc<str>],
        s: &[f64],
    ) -> String {
        let mut out = String::new();
        let offered = p.extra.requested_change.map_or(Money::ZERO, |c| (-c).max_zero());
        if b.releasable > Money::ZERO && offered > Money::ZERO {
            out.push_str("Chủ đầu tư có văn bản đề nghị điều chỉnh giảm ");
            push_vi(&mut out, m(offered));
            out.push_str(" triệu đồng; có thể điều chỉnh giảm ");
            push_vi(&mut out, m(b.releasable));
            out.push_str(" triệu đồng");
        } else if b.releasable > Money::ZERO {
            let first_group = groups.first().and_then(|id| self.groups.iter().find(|g| *g.info.id == **id));
            if let Some(r) = first_group.or_else(|| self.paces.get(pace)) {
                self.render(r, s, &mut out);
            }
            out.push_str(": dự kiến không giải ngân hết ");
            push_vi(&mut out, m(b.releasable));
            out.push_str(" triệu đồng");
        } else if b.absorbable > Money::ZERO {
            if let Some(r) = tier.and_then(|i| self.tiers.get(i)) {
                self.render(r, s, &mut out);
            }
            out.push_str(": có thể giải ngân thêm ");
            push_vi(&mut out, m(b.absorbable));
            out.push_str(" triệu đồng");
        } else if !kept_out.is_empty() {
            out.push_str("Không điều chuyển: ");
            let labels: Vec<&str> = kept_out.iter().filter_map(|id| self.kept_out_label(id)).collect();
            out.push_str(&labels.join("; "));
        }
        out
    }

    /// The words of an eligibility or pool rule, in both languages.
    pub(crate) fn kept_out_info(&self, id: &str) -> crate::model::EligibilityInfo {
        match self.eligibility.iter().find(|e| e.info.id == id) {
            Some(e) => e.info.clone(),
            None => crate::model::EligibilityInfo {
                id: id.to_owned(),
                label_vi: self.kept_out_label(id).unwrap_or_default().to_owned(),
                label_en: "ODA capital without a loan agreement does not move".to_owned(),
            },
        }
    }

    /// The Vietnamese words of an eligibility or pool rule.
    pub(crate) fn kept_out_label(&self, id: &str) -> Option<&str> {
        self.eligibility
            .iter()
            .find(|e| e.info.id == id)
            .map(|e| e.info.label_vi.as_str())
            .or_else(|| self.pools.iter().find(|r| r.id == id).map(|r| r.label.as_str()))
    }

    fn render(&self, r: &Rule, s: &[f64], out: &mut String) {
        match &r.reason {
            Some(t) => self.render_template(t, s, out),
            None => out.push_str(&r.info.label),
        }
    }

    fn render_template(&self, t: &Template, s: &[f64], out: &mut String) {
        for part in &t.parts {
            match part {
                Part::Text(x) => out.push_str(x),
                Part::Slot(i) => match self.scope.slots[usize::from(*i)].ty {
                    Ty::Num => push_vi(out, s.get(usize::from(*i)).copied().unwrap_or(0.0)),
                    _ => out.push_str(&self.fmt_slot(*i, s)),
                },
            }
        }
    }
}

/// The ids of the rules, shared by the row assessments ([`Rules::row_ids`]).
pub(crate) struct RowIds {
    groups: Vec<Arc<str>>,
    paces: Vec<Arc<str>>,
    eligibility: Vec<Arc<str>>,
    pools: Vec<Arc<str>>,
}

/// Evaluates `c`; when its arithmetic breaks (a division by zero, an overflow) records `rule` once.
fn checked(c: &Compiled, s: &[f64], rule: &str, broken: &mut Vec<String>) -> f64 {
    let (v, bad) = c.code.eval_checked(s);
    if bad && !broken.iter().any(|r| r == rule) {
        broken.push(rule.to_owned());
    }
    v
}

fn f(b: bool) -> f64 {
    if b { 1.0 } else { 0.0 }
}

fn finite(x: f64) -> f64 {
    if x.is_finite() { x } else { 0.0 }
}

/// Million VND from a formula to whole đồng, rounded down; 0 for negative or non-finite values.
pub(crate) fn to_money(x: f64) -> Money {
    if x.is_nan() || x <= 0.0 {
        return Money::ZERO;
    }
    let d = (x * DONG_PER_MILLION as f64).floor();
    if d >= Money::MAX_INPUT.dong() as f64 { Money::MAX_INPUT } else { Money::from_dong(d as i64) }
}

/// A number for `explain`: up to 6 decimals, no trailing zeros.
pub(crate) fn fmt_num(v: f64) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    let s = format!("{v:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".to_owned() } else { s.to_owned() }
}

/// A number the Vietnamese way: '.' between thousands, ',' before decimals; amounts of 100 or more are
/// rounded to whole units, smaller ones to one decimal ("12.400", "30", "2,5").
pub fn fmt_vi(v: f64) -> String {
    let mut s = String::new();
    push_vi(&mut s, v);
    s
}

/// Appends [`fmt_vi`] of `v` to `out`.
fn push_vi(out: &mut String, v: f64) {
    if !v.is_finite() {
        out.push('?');
        return;
    }
    let a = v.abs();
    let (int, dec) = if a >= 100.0 {
        (a.round() as u64, 0)
    } else {
        let tenths = (a * 10.0).round() as u64;
        (tenths / 10, tenths % 10)
    };
    if v < 0.0 && (int > 0 || dec > 0) {
        out.push('-');
    }
    let mut digits = [0u8; 20];
    let mut n = 0;
    let mut x = int;
    loop {
        digits[n] = b'0' + (x % 10) as u8;
        n += 1;
        x /= 10;
        if x == 0 {
            break;
        }
    }
    for i in (0..n).rev() {
        out.push(char::from(digits[i]));
        if i > 0 && i % 3 == 0 {
            out.push('.');
        }
    }
    if dec > 0 {
        out.push(',');
        out.push(char::from(b'0' + dec as u8));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vietnamese_numbers() {
        assert_eq!(fmt_vi(12_400.0), "12.400");
        assert_eq!(fmt_vi(1_234_567.4), "1.234.567");
        assert_eq!(fmt_vi(30.0), "30");
        assert_eq!(fmt_vi(2.5), "2,5");
        assert_eq!(fmt_vi(-0.01), "0");
        assert_eq!(fmt_num(0.1 + 0.2), "0.3");
        assert_eq!(fmt_num(-0.0000001), "0");
    }

    #[test]
    fn money_from_formulas_never_exceeds_or_goes_negative() {
        assert_eq!(to_money(-3.0), Money::ZERO);
        assert_eq!(to_money(f64::NAN), Money::ZERO);
        assert_eq!(to_money(f64::INFINITY), Money::MAX_INPUT);
        assert_eq!(to_money(1.2345678), Money::from_dong(1_234_567));
    }
}
