//! Two proposals side by side: their summaries and pools, and the rows whose change differs.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::domain::Source;

use super::fmt;
use super::layout::Table;
use super::markdown::{escape, table};
use super::text::{self, Lang, capitalise, labels};
use super::{PoolSummary, ProposalDocument};

/// What `realloc compare --format json` writes (after `schema_version`).
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ComparisonJson<'s> {
    /// The first proposal.
    pub a: ComparisonSide<'s>,
    /// The second proposal.
    pub b: ComparisonSide<'s>,
    /// The rows whose change differs.
    pub rows: &'s [RowDiff],
}

/// One side of a comparison in JSON.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ComparisonSide<'s> {
    /// Scenario name.
    pub scenario: &'s str,
    /// Date the figures describe.
    pub as_of: chrono::NaiveDate,
    /// The proposal's summary.
    pub summary: &'s super::Summary,
    /// Its pools.
    pub pools: &'s [PoolSummary],
}

/// A row whose proposed change differs between the two sides (a row missing on one side counts as
/// unchanged there).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct RowDiff {
    /// Project code.
    pub id: String,
    /// Capital source.
    pub source: Source,
    /// Project name (from side A, else B).
    pub name: String,
    /// Change on side A, `None` when the row is not in A.
    pub change_a_vnd: Option<i64>,
    /// Change on side B, `None` when the row is not in B.
    pub change_b_vnd: Option<i64>,
}

impl RowDiff {
    /// B − A, a missing row counting as zero.
    pub fn difference_vnd(&self) -> i64 {
        self.change_b_vnd.unwrap_or(0).saturating_sub(self.change_a_vnd.unwrap_or(0))
    }
}

/// Two proposals compared.
#[derive(Clone, Debug, Serialize, schemars::JsonSchema)]
pub struct Comparison<'a> {
    /// Side A.
    pub a: &'a ProposalDocument,
    /// Side B.
    pub b: &'a ProposalDocument,
    /// Rows whose change differs: A's rows in A's order, then B's rows missing from A.
    pub rows: Vec<RowDiff>,
    /// What the two sides are called in the documents (their file names, say); `A` and `B` by
    /// default.
    #[serde(skip)]
    pub names: [String; 2],
}

impl<'a> Comparison<'a> {
    /// Compares `a` with `b`.
    pub fn new(a: &'a ProposalDocument, b: &'a ProposalDocument) -> Comparison<'a> {
        let b_rows: BTreeMap<(&str, Source), &super::ProjectLine> =
            b.projects.iter().map(|p| ((&*p.id, p.source), p)).collect();
        let a_keys: BTreeMap<(&str, Source), ()> =
            a.projects.iter().map(|p| ((&*p.id, p.source), ())).collect();
        let mut rows = Vec::new();
        for p in &a.projects {
            let other = b_rows.get(&(&*p.id, p.source));
            let cb = other.map(|o| o.change_vnd);
            if cb.unwrap_or(0) != p.change_vnd {
                rows.push(RowDiff {
                    id: p.id.to_string(),
                    source: p.source,
                    name: p.name.to_string(),
                    change_a_vnd: Some(p.change_vnd),
                    change_b_vnd: cb,
                });
            }
        }
        for p in &b.projects {
            if !a_keys.contains_key(&(&*p.id, p.source)) && p.change_vnd != 0 {
                rows.push(RowDiff {
                    id: p.id.to_string(),
                    source: p.source,
                    name: p.name.to_string(),
                    change_a_vnd: None,
                    change_b_vnd: Some(p.change_vnd),
                });
            }
        }
        Comparison { a, b, rows, names: ["A".to_owned(), "B".to_owned()] }
    }

    /// The same comparison with its sides called `a` and `b` in the documents.
    pub fn with_names(mut self, a: &str, b: &str) -> Comparison<'a> {
        self.names = [a.to_owned(), b.to_owned()];
        self
    }

    /// The comparison as JSON (both summaries, pools and the differing rows), ending with a newline.
    pub fn to_json(&self) -> String {
        fn side(d: &ProposalDocument) -> ComparisonSide<'_> {
            ComparisonSide { scenario: &d.scenario, as_of: d.as_of, summary: &d.summary, pools: &d.pools }
        }
        let out = ComparisonJson { a: side(self.a), b: side(self.b), rows: &self.rows };
        crate::contract::to_json_pretty(&out)
    }

    /// The comparison as Markdown.
    pub fn to_markdown(&self, lang: Lang) -> String {
        let l = labels(lang);
        let m = |v: i64| fmt::million(v, lang);
        let ms = |v: i64| fmt::million_signed(v, lang);
        let pct = |v: f64| fmt::percent(v, lang);
        let (a, b) = (self.a, self.b);
        let (sa, sb) = (&a.summary, &b.summary);
        let [na, nb] = &self.names;
        let mut out = format!("# {}\n\n*{}*\n\n", escape(l.compare_title), escape(l.unit));
        let difference = match lang {
            Lang::Vi => format!("Chênh lệch ({nb} − {na})"),
            Lang::En => format!("Difference ({nb} − {na})"),
        };

        let mut t = Table {
            head: vec![l.item.into(), na.clone(), nb.clone(), difference.clone()],
            numeric: vec![false, true, true, true],
            ..Table::default()
        };
        t.rows.push(vec![l.scenario.into(), a.scenario.clone(), b.scenario.clone(), String::new()]);
        t.rows.push(vec![l.as_of.into(), fmt::date(a.as_of, lang), fmt::date(b.as_of, lang), String::new()]);
        let at_risk_after = format!("{} ({})", l.central_at_risk, l.after.to_lowercase());
        for (label, x, y) in [
            (l.plan, sa.plan_vnd, sb.plan_vnd),
            (l.moved, sa.moved_vnd, sb.moved_vnd),
            (at_risk_after.as_str(), sa.central_at_risk_vnd_after, sb.central_at_risk_vnd_after),
        ] {
            t.rows.push(vec![label.into(), m(x), m(y), ms(y.saturating_sub(x))]);
        }
        for (label, x, y) in [
            (l.forecast_before, sa.forecast_rate_before, sb.forecast_rate_before),
            (l.forecast_after, sa.forecast_rate_after, sb.forecast_rate_after),
        ] {
            t.rows.push(vec![label.into(), pct(x), pct(y), fmt::points(x, y, lang)]);
        }
        for (label, x, y) in [
            (l.donors_n, sa.donors, sb.donors),
            (l.recipients_n, sa.recipients, sb.recipients),
            (l.transfers_n, sa.transfers, sb.transfers),
        ] {
            let d = (y as i64).saturating_sub(x as i64);
            t.rows.push(vec![
                capitalise(label),
                x.to_string(),
                y.to_string(),
                if d > 0 { format!("+{d}") } else { d.to_string() },
            ]);
        }
        t.rows.push(vec![
            l.objective.into(),
            fmt::float(sa.objective, 3, lang),
            fmt::float(sb.objective, 3, lang),
            fmt::float(sb.objective - sa.objective, 3, lang),
        ]);
        out.push_str(&format!("## {}\n\n", escape(l.sec_summary)));
        table(&mut out, &t);

        let mut t = Table {
            head: vec![
                l.source.into(),
                format!("{} – {na}", l.moved_short),
                format!("{} – {nb}", l.moved_short),
                format!("{} – {na}", l.forecast_after),
                format!("{} – {nb}", l.forecast_after),
            ],
            numeric: vec![false, true, true, true, true],
            ..Table::default()
        };
        for &src in Source::ALL {
            let pa = by_source(a, src);
            let pb = by_source(b, src);
            if pa.is_none() && pb.is_none() {
                continue;
            }
            let mv = |p: Option<&PoolSummary>| p.map_or_else(|| l.absent.to_owned(), |p| m(p.moved_vnd));
            let rt = |p: Option<&PoolSummary>| {
                p.map_or_else(|| l.absent.to_owned(), |p| pct(p.forecast_rate_after))
            };
            t.rows.push(vec![
                format!("{} – {}", text::source(src, lang), src.code()),
                mv(pa.as_ref()),
                mv(pb.as_ref()),
                rt(pa.as_ref()),
                rt(pb.as_ref()),
            ]);
        }
        out.push_str(&format!("## {}\n\n", escape(l.by_source)));
        table(&mut out, &t);

        out.push_str(&format!("## {}\n\n", escape(l.compare_rows)));
        if self.rows.is_empty() {
            out.push_str(&format!("{}\n", escape(l.compare_same)));
        } else {
            let mut t = Table {
                head: vec![
                    l.project.into(),
                    l.source.into(),
                    format!("{} – {na}", l.change),
                    format!("{} – {nb}", l.change),
                    difference.clone(),
                ],
                numeric: vec![false, false, true, true, true],
                ..Table::default()
            };
            for r in &self.rows {
                let side = |c: Option<i64>| c.map_or_else(|| l.absent.to_owned(), ms);
                t.rows.push(vec![
                    if r.name.is_empty() { r.id.clone() } else { format!("{} – {}", r.id, r.name) },
                    r.source.code().to_owned(),
                    side(r.change_a_vnd),
                    side(r.change_b_vnd),
                    ms(r.difference_vnd()),
                ]);
            }
            table(&mut out, &t);
            out.pop();
        }
        out
    }
}

/// A source's moved amount and forecast rate after, from the by-source figures of a version-2
/// proposal, or from its pools in a version-1 proposal (one pool per source).
fn by_source(d: &ProposalDocument, src: Source) -> Option<PoolSummary> {
    match d.sources.iter().find(|s| s.source == src) {
        Some(s) => d.pools.iter().find(|p| p.source == src).map(|p| PoolSummary {
            moved_vnd: s.moved_vnd,
            forecast_rate_after: s.forecast_rate_after,
            ..p.clone()
        }),
        None => d.pools.iter().find(|p| p.source == src).cloned(),
    }
}
