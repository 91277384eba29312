//! The grouping report for a review meeting (giao ban): per obstacle group, per pace class, per investor
//! and per locality, the count, plan, disbursed, rate and releasable capital, with each group's remedy.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::model::Assessment;
use crate::money::Money;
use crate::scenario::Scenario;

use super::Rules;

/// One obstacle group or pace class.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct GroupLine {
    /// Group or pace id; `none` for rows in no group.
    pub id: String,
    /// Label (Vietnamese).
    pub label: String,
    /// Rows.
    pub count: usize,
    /// Plan, đồng.
    pub plan_vnd: i64,
    /// Disbursed, đồng.
    pub disbursed_vnd: i64,
    /// Disbursed over plan.
    pub rate: f64,
    /// Releasable, đồng.
    pub releasable_vnd: i64,
    /// Remedy the review meeting records (groups only).
    pub remedy: String,
}

/// One investor or locality, compared with the provincial average.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct UnitLine {
    /// Investor or locality name.
    pub name: String,
    /// Rows.
    pub count: usize,
    /// Plan, đồng.
    pub plan_vnd: i64,
    /// Disbursed, đồng.
    pub disbursed_vnd: i64,
    /// Disbursed over plan.
    pub rate: f64,
    /// Releasable, đồng.
    pub releasable_vnd: i64,
    /// Absorbable, đồng.
    pub absorbable_vnd: i64,
    /// True when the rate is at or above the provincial average.
    pub above_average: bool,
}

/// The grouping report.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct GroupingReport {
    /// Scenario name.
    pub scenario: String,
    /// Date of the figures.
    pub as_of: NaiveDate,
    /// Rules name.
    pub rules: String,
    /// Rules SHA-256.
    pub rules_sha256: String,
    /// Expected cumulative rate at `as_of` from the rules' curve.
    pub expected_rate: f64,
    /// Whole portfolio.
    pub total: GroupLine,
    /// Obstacle groups in rules order (a row may count in several), then `none`.
    pub groups: Vec<GroupLine>,
    /// Pace classes in rules order.
    pub pace: Vec<GroupLine>,
    /// Investors, slowest rate first, then by name.
    pub investors: Vec<UnitLine>,
    /// Localities, slowest rate first, then by name.
    pub localities: Vec<UnitLine>,
}

#[derive(Clone, Copy, Default)]
struct Sum {
    count: usize,
    plan: Money,
    disbursed: Money,
    releasable: Money,
    absorbable: Money,
}

impl Sum {
    fn add(&mut self, plan: Money, disbursed: Money, releasable: Money, absorbable: Money) {
        self.count += 1;
        self.plan += plan;
        self.disbursed += disbursed;
        self.releasable += releasable;
        self.absorbable += absorbable;
    }

    fn group(&self, id: &str, label: &str, remedy: &str) -> GroupLine {
        GroupLine {
            id: id.to_owned(),
            label: label.to_owned(),
            count: self.count,
            plan_vnd: self.plan.dong(),
            disbursed_vnd: self.disbursed.dong(),
            rate: round4(self.disbursed.ratio(self.plan)),
            releasable_vnd: self.releasable.dong(),
            remedy: remedy.to_owned(),
        }
    }
}

fn round4(x: f64) -> f64 {
    (x * 10000.0).round() / 10000.0
}

impl GroupingReport {
    /// Builds the report from a scenario and its assessment by `rules`.
    pub fn build(scenario: &Scenario, rules: &Rules, assessment: &Assessment) -> GroupingReport {
        let mut total = Sum::default();
        let mut groups = vec![Sum::default(); rules.groups.len() + 1];
        let mut pace = vec![Sum::default(); rules.paces.len()];
        let mut investors: BTreeMap<&str, Sum> = BTreeMap::new();
        let mut localities: BTreeMap<&str, Sum> = BTreeMap::new();
        for (p, a) in scenario.portfolio.rows().iter().zip(&assessment.rows) {
            let args = (p.plan, p.disbursed, a.bounds.releasable, a.bounds.absorbable);
            total.add(args.0, args.1, args.2, args.3);
            if a.groups.is_empty() {
                groups[rules.groups.len()].add(args.0, args.1, args.2, args.3);
            }
            for g in &a.groups {
                if let Some(i) = rules.groups.iter().position(|r| *r.info.id == **g) {
                    groups[i].add(args.0, args.1, args.2, args.3);
                }
            }
            if let Some(i) = rules.paces.iter().position(|r| *r.info.id == *a.pace) {
                pace[i].add(args.0, args.1, args.2, args.3);
            }
            investors.entry(&p.investor).or_default().add(args.0, args.1, args.2, args.3);
            localities.entry(&p.locality).or_default().add(args.0, args.1, args.2, args.3);
        }
        let average = total.disbursed.ratio(total.plan);
        let units = |m: BTreeMap<&str, Sum>| {
            let mut v: Vec<UnitLine> = m
                .into_iter()
                .map(|(name, s)| {
                    let rate = s.disbursed.ratio(s.plan);
                    UnitLine {
                        name: name.to_owned(),
                        count: s.count,
                        plan_vnd: s.plan.dong(),
                        disbursed_vnd: s.disbursed.dong(),
                        rate: round4(rate),
                        releasable_vnd: s.releasable.dong(),
                        absorbable_vnd: s.absorbable.dong(),
                        above_average: rate >= average,
                    }
                })
                .collect();
            v.sort_by(|a, b| a.rate.total_cmp(&b.rate).then_with(|| a.name.cmp(&b.name)));
            v
        };
        let mut group_lines: Vec<GroupLine> = rules
            .groups
            .iter()
            .zip(&groups)
            .map(|(r, s)| s.group(&r.info.id, &r.info.label, &r.info.remedy))
            .collect();
        group_lines.push(groups[rules.groups.len()].group("none", "Không vướng mắc", ""));
        GroupingReport {
            scenario: scenario.meta.name.clone(),
            as_of: scenario.meta.as_of,
            rules: rules.name.clone(),
            rules_sha256: rules.sha256.clone(),
            expected_rate: round4(rules.expected_rate(scenario.meta.fiscal_year, scenario.meta.as_of)),
            total: total.group("all", "Toàn tỉnh", ""),
            groups: group_lines,
            pace: rules
                .paces
                .iter()
                .zip(&pace)
                .map(|(r, s)| s.group(&r.info.id, &r.info.label, ""))
                .collect(),
            investors: units(investors),
            localities: units(localities),
        }
    }
}
