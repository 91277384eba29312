//! The proposal as a document: one model of everything a reader needs (summary, rows, transfers,
//! constraints, pools, manifest), built once and rendered by each format.
//!
//! The JSON rendering is the contract of DOMAIN.md section 5: amounts in whole đồng (`_vnd`), the
//! objective in million VND, rates as fractions. Fields beyond the contract are additions, never changes.

pub mod compare;
mod csv;
mod docx;
pub mod fmt;
pub(crate) mod html;
mod json;
pub(crate) mod layout;
pub(crate) mod markdown;
mod pools;
mod risk;
pub mod submission;
pub(crate) mod svg;
pub mod text;
mod xlsx;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::{Category, Portfolio, Project, Source};
use crate::model::{Assessment, Model, RowAssessment};
use crate::money::Money;
use crate::optimize::{self, PoolNote, Proposal};
use crate::scenario::Scenario;

pub use pools::{IdleOption, IdleOptionKind, PipelineLine, SourceSummary};
pub use submission::Submission;
pub use text::Lang;

/// The version of the JSON contract written (`schema_version`).
pub const SCHEMA_VERSION: u32 = 2;

/// Where a proposal came from: versions and digests, so that a reader can reproduce it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema, Deserialize)]
pub struct Manifest {
    /// Version of realloc.
    pub tool_version: String,
    /// The commit realloc was built from (seven hex digits, or "unknown"; empty in a proposal written
    /// before the field existed).
    #[serde(default)]
    pub tool_commit: String,
    /// Name of the rule set.
    pub rules: String,
    /// SHA-256 of the rules text.
    pub rules_sha256: String,
    /// SHA-256 of each input file, by the name given in `scenario.toml`.
    pub inputs_sha256: BTreeMap<String, String>,
    /// Solver that produced the proposal.
    pub solver: String,
    /// Moves are whole multiples of this amount (đồng).
    #[serde(default)]
    pub min_unit_vnd: i64,
    /// Smallest non-zero move (đồng).
    #[serde(default)]
    pub min_transfer_vnd: i64,
}

/// The headline figures.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema, Deserialize)]
pub struct Summary {
    /// Σ value_in·a − Σ value_out·r, amounts in million VND.
    pub objective: f64,
    /// Capital moved, all pools (Σ released).
    pub moved_vnd: i64,
    /// Forecast disbursement by the deadline over plan, before the proposal.
    pub forecast_rate_before: f64,
    /// The same after the proposal.
    pub forecast_rate_after: f64,
    /// Total plan (unchanged by the proposal: money only moves).
    pub plan_vnd: i64,
    /// Disbursed to date.
    pub disbursed_vnd: i64,
    /// Forecast disbursement by the deadline before the proposal.
    pub forecast_vnd_before: i64,
    /// The same after the proposal.
    pub forecast_vnd_after: i64,
    /// Central capital forecast not to be disbursed (at risk of recall), before.
    pub central_at_risk_vnd_before: i64,
    /// The same after.
    pub central_at_risk_vnd_after: i64,
    /// Number of transfers.
    pub transfers: usize,
    /// Rows that give capital.
    pub donors: usize,
    /// Rows that receive capital.
    pub recipients: usize,
}

/// Figures of one pool: a capital source, or a loan agreement or commune of a split source.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema, Deserialize)]
pub struct PoolSummary {
    /// The source.
    pub source: Source,
    /// The loan agreement, when the source is split by agreement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agreement: Option<String>,
    /// The commune or ward, when the source is split by locality.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locality: Option<String>,
    /// Who decides the pool's transfers (an `[[authority]]` code of the rules).
    #[serde(default)]
    pub authority: String,
    /// Forecast capital left idle after the proposal (new plan − forecast after, pipeline
    /// placements counted as spent).
    #[serde(default)]
    pub idle_after_vnd: i64,
    /// The same before the proposal.
    #[serde(default)]
    pub idle_before_vnd: i64,
    /// What the province can still do with the idle capital.
    #[serde(default)]
    pub options: Vec<IdleOption>,
    /// Rows in the pool.
    pub rows: usize,
    /// Plan.
    pub plan_vnd: i64,
    /// Disbursed to date.
    pub disbursed_vnd: i64,
    /// Capital moved within the pool.
    pub moved_vnd: i64,
    /// Forecast rate before the proposal.
    pub forecast_rate_before: f64,
    /// Forecast rate after the proposal.
    pub forecast_rate_after: f64,
    /// Value of one more million VND released into the pool (shadow price of its balance row).
    pub shadow_price: f64,
    /// The best recipient left (partly) unfunded.
    pub best_unfunded: Option<String>,
    /// What the pool moved and why it stopped there, as English sentences (the text of
    /// `note_items`, for tools that read the JSON).
    pub notes: Vec<String>,
    /// The same notes, structured, rows named by project id; the documents render them in their
    /// language. Absent from proposals written before it existed.
    #[serde(default)]
    pub note_items: Vec<PoolNote<String>>,
}

/// One row of the portfolio with the rules' verdict and the proposed change.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema, Deserialize)]
pub struct ProjectLine {
    /// Project code.
    pub id: Arc<str>,
    /// Capital source.
    pub source: Source,
    /// Project name.
    pub name: Arc<str>,
    /// Investor.
    pub investor: Arc<str>,
    /// Commune or ward.
    pub locality: Arc<str>,
    /// Difficulty groups.
    pub groups: Vec<Arc<str>>,
    /// Priority tier, 1 highest.
    pub priority: u8,
    /// Pace class.
    pub pace: Arc<str>,
    /// Forecast disbursement by the deadline, before the proposal.
    pub forecast_vnd: i64,
    /// Most that may be taken away.
    pub releasable_vnd: i64,
    /// Most that may be added.
    pub absorbable_vnd: i64,
    /// Worth of one million VND added.
    pub value_in: f64,
    /// Worth of one million VND taken.
    pub value_out: f64,
    /// Proposed change (added − released).
    pub change_vnd: i64,
    /// Plan before the proposal.
    pub plan_vnd: i64,
    /// Plan after the proposal.
    pub new_plan_vnd: i64,
    /// Disbursed to date.
    pub disbursed_vnd: i64,
    /// Forecast disbursement after the proposal.
    pub forecast_after_vnd: i64,
    /// Why the row may give or receive, in the analyst's words; for a row that may do neither, the
    /// rules that kept it out.
    pub reason: Arc<str>,
    /// The allocation must not change.
    #[serde(default)]
    pub locked: bool,
    /// The investor's written request (signed), when given.
    #[serde(default)]
    pub requested_change_vnd: Option<i64>,
    /// Room left in the medium-term plan, when given.
    #[serde(default)]
    pub medium_term_room_vnd: Option<i64>,
    /// The kind of capital use, when not an ordinary project.
    #[serde(default)]
    pub category: Option<Category>,
    /// The loan agreement (ODA and counterpart rows).
    #[serde(default)]
    pub agreement: Option<Arc<str>>,
    /// Sector.
    #[serde(default)]
    pub sector: Arc<str>,
    /// Status code (`new`, `ongoing`, `completed`, `prep`).
    #[serde(default)]
    pub status: Cow<'static, str>,
    /// The investment decision.
    #[serde(default)]
    pub decision: Option<Arc<str>>,
    /// Why a locked row must not change.
    #[serde(default)]
    pub lock_reason: Option<Arc<str>>,
    /// The eligibility rules that closed a side of the row.
    #[serde(default)]
    pub kept_out: Vec<Arc<str>>,
}

/// One transfer, by project id (the source is the same on both sides).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema, Deserialize)]
pub struct TransferLine {
    /// Donor project id.
    pub from: Arc<str>,
    /// Recipient project id.
    pub to: Arc<str>,
    /// The pool.
    pub source: Source,
    /// Amount moved.
    pub amount_vnd: i64,
    /// Who decides the transfer (an `[[authority]]` code of the rules).
    #[serde(default)]
    pub authority: String,
    /// Why this transfer is below `min_transfer`, when it is (absent otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub below_min_reason: Option<crate::optimize::BelowMinReason>,
}

/// A side constraint after solving.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema, Deserialize)]
pub struct ConstraintLine {
    /// Name from the rules.
    pub name: String,
    /// Kind.
    pub kind: String,
    /// True when it limits the proposal.
    pub binding: bool,
    /// What the constraint costs, when it was priced (see [`constraint_costs`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<ConstraintCost>,
}

/// What one side constraint costs: the proposal solved again without it, compared with the proposal.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, schemars::JsonSchema, Deserialize)]
pub struct ConstraintCost {
    /// Objective gained by dropping the constraint (million VND-weighted value, ≥ 0 up to solver noise).
    pub objective_loss: f64,
    /// Capital that would move without the constraint, minus what moves with it.
    pub moved_forgone_vnd: i64,
}

/// Capital cut from and added to the rows of one commune or ward, all pools together.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema, Deserialize)]
pub struct LocalityLine {
    /// Commune or ward.
    pub locality: String,
    /// Taken from its rows.
    pub released_vnd: i64,
    /// Added to its rows.
    pub added_vnd: i64,
}

/// One difficulty group with its figures.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema, Deserialize)]
pub struct GroupLine {
    /// Group id from the rules.
    pub id: String,
    /// Vietnamese name.
    pub label_vi: String,
    /// English name.
    pub label_en: String,
    /// Remedy, Vietnamese.
    pub remedy_vi: String,
    /// Remedy, English.
    pub remedy_en: String,
    /// Rows in the group (a row may sit in several groups).
    pub rows: usize,
    /// Plan of those rows.
    pub plan_vnd: i64,
    /// Disbursed by those rows.
    pub disbursed_vnd: i64,
    /// Disbursed over plan.
    pub rate: f64,
    /// Releasable from those rows.
    pub releasable_vnd: i64,
    /// Proposed to be taken from those rows.
    pub released_vnd: i64,
}

/// The whole proposal document. After `schema_version`, the first seven fields are the contract of
/// DOMAIN.md section 5, in its order; the rest are additions.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema, Deserialize)]
pub struct ProposalDocument {
    /// Version of the JSON contract ([`SCHEMA_VERSION`]).
    #[serde(default)]
    pub schema_version: u32,
    /// Scenario name.
    pub scenario: String,
    /// Date the figures describe.
    pub as_of: NaiveDate,
    /// Versions and digests.
    pub manifest: Manifest,
    /// Headline figures.
    pub summary: Summary,
    /// Every row, in portfolio order.
    pub projects: Vec<ProjectLine>,
    /// Transfers.
    pub transfers: Vec<TransferLine>,
    /// Side constraints.
    pub constraints: Vec<ConstraintLine>,
    /// Province.
    pub province: String,
    /// Plan year.
    pub fiscal_year: i32,
    /// Last disbursement date.
    pub deadline: NaiveDate,
    /// Figures by pool (a source, or an agreement or commune of a split source).
    pub pools: Vec<PoolSummary>,
    /// Figures by capital source (pools of a split source added up).
    #[serde(default)]
    pub sources: Vec<SourceSummary>,
    /// Pipeline projects that receive capital.
    #[serde(default)]
    pub pipeline: Vec<PipelineLine>,
    /// The authorities that decide the transfers, with their words and citations, by code.
    #[serde(default)]
    pub authorities: Vec<crate::model::Authority>,
    /// Difficulty groups with their figures, in the rules' order.
    pub groups: Vec<GroupLine>,
    /// Moves by commune or ward, localities that give or receive only, largest total move first
    /// (ties by name).
    #[serde(default)]
    pub localities: Vec<LocalityLine>,
    /// Probability of reaching the disbursement target before and after the proposal (`propose
    /// --risk`); absent unless asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk: Option<crate::risk::RiskReport>,
    /// The adjustments made in the planning session (`propose --overrides FILE`), in the file's
    /// order: parameters, locks, unlocks, then forced or capped changes; absent when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<AdjustmentLine>,
}

/// One adjustment made in the planning session, as the proposal lists it.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema, Deserialize)]
pub struct AdjustmentLine {
    /// `params`, `lock`, `unlock` or `set`.
    pub kind: String,
    /// Project id (not for `params`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Capital source code (not for `params`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Project name (not for `params`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The forced change (`set` with `change`), đồng.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_vnd: Option<i64>,
    /// The cap on the change (`set` with `max_change`), đồng; the sign gives the side.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_change_vnd: Option<i64>,
    /// The parameter set (`params`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub param: Option<String>,
    /// Its value (`params`; amounts in million VND, shares as fractions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// Why (empty for `params`, which the file gives no reason).
    pub reason: String,
    /// When, RFC 3339, when recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}

/// The lines of [`ProposalDocument::overrides`] for overrides applied to `portfolio`.
pub fn adjustment_lines(
    o: &crate::overrides::Overrides,
    portfolio: &crate::domain::Portfolio,
) -> Vec<AdjustmentLine> {
    let row = |id: &str, source: &str| {
        let name = source.parse().ok().and_then(|s| portfolio.get(id, s)).map(|p| p.name.to_string());
        let code = source
            .parse::<crate::domain::Source>()
            .map_or_else(|_| source.to_owned(), |s| s.code().to_owned());
        (Some(id.to_owned()), Some(code), name)
    };
    let blank = |kind: &str| AdjustmentLine {
        kind: kind.to_owned(),
        id: None,
        source: None,
        name: None,
        change_vnd: None,
        max_change_vnd: None,
        param: None,
        value: None,
        reason: String::new(),
        at: None,
    };
    let mut out = Vec::with_capacity(o.len());
    for (name, &value) in &o.params {
        out.push(AdjustmentLine { param: Some(name.clone()), value: Some(value), ..blank("params") });
    }
    for (kind, id, source, reason, at) in o
        .lock
        .iter()
        .map(|x| ("lock", &x.id, &x.source, &x.reason, &x.at))
        .chain(o.unlock.iter().map(|x| ("unlock", &x.id, &x.source, &x.reason, &x.at)))
    {
        let (id, source, name) = row(id, source);
        out.push(AdjustmentLine { id, source, name, reason: reason.clone(), at: at.clone(), ..blank(kind) });
    }
    for x in &o.set {
        let (id, source, name) = row(&x.id, &x.source);
        out.push(AdjustmentLine {
            id,
            source,
            name,
            change_vnd: x.change.map(|m| m.dong()),
            max_change_vnd: x.max_change.map(|m| m.dong()),
            reason: x.reason.clone(),
            at: x.at.clone(),
            ..blank("set")
        });
    }
    out
}

/// A document format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DocumentFormat {
    /// The JSON contract (language-independent).
    Json,
    /// Markdown.
    Markdown,
    /// One self-contained HTML file with SVG charts.
    Html,
    /// An Excel workbook.
    Xlsx,
    /// Every row with its change, CSV (language-independent).
    Csv,
    /// The submission as a Word document (Decree 30/2020/NĐ-CP layout).
    Docx,
}

/// A document could not be rendered.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// The spreadsheet writer failed.
    #[error("cannot write the workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// The CSV writer failed.
    #[error("cannot write the csv table: {0}")]
    Csv(#[from] ::csv::Error),
    /// The Word writer failed (the message of `docx-rs`'s zip error).
    #[error("cannot write the Word document: {0}")]
    Docx(String),
}

/// The rule set's identity for the manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RulesIdentity {
    /// Name of the rule set.
    pub name: String,
    /// SHA-256 of its text.
    pub sha256: String,
}

impl ProposalDocument {
    /// Builds the document from a scenario, the rules' assessment and the optimiser's proposal.
    pub fn build(
        scenario: &Scenario,
        rules: &RulesIdentity,
        assessment: &Assessment,
        proposal: &Proposal,
    ) -> ProposalDocument {
        let rows = scenario.portfolio.rows();
        let projects: Vec<ProjectLine> = rows
            .par_iter()
            .zip(&assessment.rows)
            .zip(&proposal.changes)
            .map(|((p, a), &change)| project_line(p, a, change))
            .collect();
        let pipeline = pools::pipeline_lines(&assessment.model, proposal);
        let pools = pools::pool_summaries(scenario, assessment, proposal, &projects);
        let sources = pools::source_summaries(rows, &projects, &pipeline, &pools);

        let plan: Money = rows.iter().map(|p| p.plan).sum();
        let before: i64 = projects.iter().map(|l| l.forecast_vnd).sum();
        // Pipeline placements are counted as spent: a pipeline project receives at most what it is
        // ready to disburse this year.
        let placed: i64 = pipeline.iter().map(|x| x.amount_vnd).sum();
        let after: i64 = projects.iter().map(|l| l.forecast_after_vnd).sum::<i64>() + placed;
        let at_risk = |use_after: bool| -> i64 {
            rows.iter()
                .zip(&projects)
                .filter(|(p, _)| p.source.is_central())
                .map(|(_, l)| {
                    if use_after {
                        (l.new_plan_vnd - l.forecast_after_vnd).max(0)
                    } else {
                        (l.plan_vnd - l.forecast_vnd).max(0)
                    }
                })
                .sum()
        };
        let summary = Summary {
            objective: proposal.objective,
            moved_vnd: projects.iter().map(|l| (-l.change_vnd).max(0)).sum(),
            forecast_rate_before: Money::from_dong(before).ratio(plan),
            forecast_rate_after: Money::from_dong(after).ratio(plan),
            plan_vnd: plan.dong(),
            disbursed_vnd: rows.iter().map(|p| p.disbursed).sum::<Money>().dong(),
            forecast_vnd_before: before,
            forecast_vnd_after: after,
            central_at_risk_vnd_before: at_risk(false),
            central_at_risk_vnd_after: at_risk(true),
            transfers: proposal.transfers.len(),
            donors: projects.iter().filter(|l| l.change_vnd < 0).count(),
            recipients: projects.iter().filter(|l| l.change_vnd > 0).count() + pipeline.len(),
        };

        let row_id = |i: usize| pools::row_arc(rows, &assessment.model, i);
        let authority_code =
            |s: Source| assessment.authority_of(s).map(|a| a.code.clone()).unwrap_or_default();
        let transfers = proposal
            .transfers
            .iter()
            .map(|t| TransferLine {
                from: row_id(t.from),
                to: row_id(t.to),
                source: t.source,
                amount_vnd: t.amount.dong(),
                authority: authority_code(t.source),
                below_min_reason: t.below_min_reason,
            })
            .collect();
        let mut authorities: Vec<crate::model::Authority> = Vec::new();
        for a in &assessment.authority {
            if !a.code.is_empty() && !authorities.iter().any(|x| x.code == a.code) {
                authorities.push(a.clone());
            }
        }
        let constraints = proposal
            .constraints
            .iter()
            .map(|c| ConstraintLine {
                name: c.name.clone(),
                kind: c.kind.clone(),
                binding: c.binding,
                cost: None,
            })
            .collect();
        let manifest = Manifest {
            tool_version: crate::VERSION.to_owned(),
            tool_commit: crate::COMMIT.to_owned(),
            rules: rules.name.clone(),
            rules_sha256: rules.sha256.clone(),
            inputs_sha256: scenario.inputs.iter().map(|d| (d.file.clone(), d.sha256.clone())).collect(),
            solver: proposal.solver.clone(),
            min_unit_vnd: assessment.model.settings.min_unit.dong(),
            min_transfer_vnd: assessment.model.settings.min_transfer.dong(),
        };
        // One pass over the rows for every group's totals (a row may be in several groups).
        let mut group_totals = vec![GroupTotals::default(); assessment.groups.len()];
        for (p, l) in rows.iter().zip(&projects) {
            for id in &l.groups {
                if let Some(i) = assessment.groups.iter().position(|g| *g.id == **id) {
                    let t = &mut group_totals[i];
                    t.rows += 1;
                    t.plan += p.plan;
                    t.disbursed += p.disbursed;
                    t.releasable += l.releasable_vnd;
                    t.released += (-l.change_vnd).max(0);
                }
            }
        }
        let groups = assessment
            .groups
            .iter()
            .zip(group_totals)
            .map(|(g, t)| GroupLine {
                id: g.id.clone(),
                label_vi: g.label_vi.clone(),
                label_en: g.label_en.clone(),
                remedy_vi: g.remedy_vi.clone(),
                remedy_en: g.remedy_en.clone(),
                rows: t.rows,
                plan_vnd: t.plan.dong(),
                disbursed_vnd: t.disbursed.dong(),
                rate: t.disbursed.ratio(t.plan),
                releasable_vnd: t.releasable,
                released_vnd: t.released,
            })
            .collect();
        let localities = locality_lines(&projects);
        ProposalDocument {
            schema_version: SCHEMA_VERSION,
            groups,
            sources,
            pipeline,
            authorities,
            scenario: scenario.meta.name.clone(),
            province: scenario.meta.province.clone(),
            fiscal_year: scenario.meta.fiscal_year,
            as_of: scenario.meta.as_of,
            deadline: scenario.meta.deadline,
            manifest,
            summary,
            pools,
            projects,
            localities,
            transfers,
            constraints,
            risk: None,
            overrides: Vec::new(),
        }
    }

    /// Renders the document in `format` and `lang`, with placeholders for the administrative parts;
    /// JSON and CSV do not depend on the language.
    pub fn render(&self, format: DocumentFormat, lang: Lang) -> Result<Vec<u8>, RenderError> {
        self.render_submission(format, lang, &Submission::default())
    }

    /// Renders the submission in `format` and `lang`: the `[document]` parts, the legal bases and the
    /// authority whose part is asked for come from `sub` (JSON and CSV ignore it).
    pub fn render_submission(
        &self,
        format: DocumentFormat,
        lang: Lang,
        sub: &Submission,
    ) -> Result<Vec<u8>, RenderError> {
        Ok(match format {
            DocumentFormat::Json => self.to_json_bytes(),
            DocumentFormat::Markdown => markdown::render(self, lang, sub).into_bytes(),
            DocumentFormat::Html => html::render(self, lang, sub).into_bytes(),
            DocumentFormat::Xlsx => xlsx::render(self, lang, sub)?,
            DocumentFormat::Csv => self.to_csv()?,
            DocumentFormat::Docx => docx::render(self, lang, sub)?,
        })
    }

    /// The Markdown document.
    pub fn to_markdown(&self, lang: Lang) -> String {
        markdown::render(self, lang, &Submission::default())
    }

    /// The self-contained HTML document with SVG charts.
    pub fn to_html(&self, lang: Lang) -> String {
        html::render(self, lang, &Submission::default())
    }

    /// The Excel workbook (sheet names in `lang`): summary, groups, one appendix per authority,
    /// donors, recipients, transfers, the technical annex.
    pub fn to_xlsx(&self, lang: Lang) -> Result<Vec<u8>, RenderError> {
        xlsx::render(self, lang, &Submission::default())
    }

    /// The Word document of the submission, with placeholders for the administrative parts.
    pub fn to_docx(&self, lang: Lang) -> Result<Vec<u8>, RenderError> {
        docx::render(self, lang, &Submission::default())
    }

    /// Every row with its change as CSV: machine-readable column codes, amounts in million VND with a
    /// '.' decimal point, exact (the convention of `projects.csv`).
    pub fn to_csv(&self) -> Result<Vec<u8>, RenderError> {
        csv::render(self)
    }

    /// The row of project `id` in pool `source` (a linear search: for many look-ups build
    /// [`ProposalDocument::project_index`] once).
    pub fn project(&self, id: &str, source: Source) -> Option<&ProjectLine> {
        self.projects.iter().find(|p| *p.id == *id && p.source == source)
    }

    /// Every row by (id, source), built once for documents that look rows up per transfer.
    pub fn project_index(&self) -> std::collections::HashMap<(&str, Source), &ProjectLine> {
        self.projects.iter().map(|p| ((&*p.id, p.source), p)).collect()
    }

    /// The authority codes of the transfers, in the order of the rules' table (then any other).
    pub fn authority_order(&self) -> Vec<String> {
        let present: std::collections::BTreeSet<&str> =
            self.transfers.iter().map(|t| t.authority.as_str()).collect();
        let mut out: Vec<String> = Vec::new();
        for code in self.authorities.iter().map(|a| a.code.as_str()).chain(present.iter().copied()) {
            if present.contains(code) && !out.iter().any(|c| c == code) {
                out.push(code.to_owned());
            }
        }
        out
    }

    /// Rows that give capital, in portfolio order.
    pub fn donors(&self) -> impl Iterator<Item = &ProjectLine> {
        self.projects.iter().filter(|p| p.change_vnd < 0)
    }

    /// Rows that receive capital, in portfolio order.
    pub fn recipients(&self) -> impl Iterator<Item = &ProjectLine> {
        self.projects.iter().filter(|p| p.change_vnd > 0)
    }

    /// The JSON contract of DOMAIN.md section 5, ending with a newline: one top-level field a line and
    /// one element of each list a line (compact within), so that a national proposal of 50,000 rows is
    /// written fast (the rows are serialised in parallel) and still reads and diffs line by line.
    pub fn to_json(&self) -> String {
        // serde_json writes UTF-8 and everything else written is ASCII.
        String::from_utf8(self.to_json_bytes()).unwrap_or_default()
    }

    /// [`ProposalDocument::to_json`] as bytes, without a second pass to check them.
    pub fn to_json_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.projects.len() * 640 + self.transfers.len() * 96 + 16_384);
        // Writing into a `Vec` cannot fail.
        let _ = self.write_json(&mut out);
        out
    }

    /// Writes [`ProposalDocument::to_json`] to `w` as it is serialised, a wave of list elements at a
    /// time, so that a national proposal (hundreds of megabytes of JSON) is never held in memory whole.
    pub fn write_json(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        let mut out = Vec::with_capacity(1 << 16);
        out.push(b'{');
        let mut first = true;
        let mut key = |out: &mut Vec<u8>, name: &str| {
            if !std::mem::take(&mut first) {
                out.push(b',');
            }
            out.extend_from_slice(b"\n  \"");
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b"\": ");
        };
        key(&mut out, "schema_version");
        compact(&mut out, &self.schema_version);
        key(&mut out, "scenario");
        compact(&mut out, &self.scenario);
        key(&mut out, "as_of");
        compact(&mut out, &self.as_of);
        key(&mut out, "manifest");
        compact(&mut out, &self.manifest);
        key(&mut out, "summary");
        compact(&mut out, &self.summary);
        key(&mut out, "projects");
        lines(&mut out, w, &self.projects)?;
        key(&mut out, "transfers");
        lines(&mut out, w, &self.transfers)?;
        key(&mut out, "constraints");
        lines(&mut out, w, &self.constraints)?;
        key(&mut out, "province");
        compact(&mut out, &self.province);
        key(&mut out, "fiscal_year");
        compact(&mut out, &self.fiscal_year);
        key(&mut out, "deadline");
        compact(&mut out, &self.deadline);
        key(&mut out, "pools");
        lines(&mut out, w, &self.pools)?;
        key(&mut out, "sources");
        lines(&mut out, w, &self.sources)?;
        key(&mut out, "pipeline");
        lines(&mut out, w, &self.pipeline)?;
        key(&mut out, "authorities");
        lines(&mut out, w, &self.authorities)?;
        key(&mut out, "groups");
        lines(&mut out, w, &self.groups)?;
        key(&mut out, "localities");
        lines(&mut out, w, &self.localities)?;
        if let Some(risk) = &self.risk {
            key(&mut out, "risk");
            compact(&mut out, risk);
        }
        if !self.overrides.is_empty() {
            key(&mut out, "overrides");
            lines(&mut out, w, &self.overrides)?;
        }
        out.extend_from_slice(b"\n}\n");
        w.write_all(&out)
    }
}

/// Appends a value as compact JSON, the bytes `serde_json::to_writer` writes (by [`json::write`], or
/// by serde_json itself for a value that one leaves to it). Serialising these plain structs of
/// strings, integers and floats cannot fail (serde_json writes a NaN as `null`); `null` stands in
/// should it ever.
fn compact<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    let start = out.len();
    if json::write(out, value).is_ok() {
        return;
    }
    out.truncate(start);
    if serde_json::to_writer(&mut *out, value).is_err() {
        out.truncate(start);
        out.extend_from_slice(b"null");
    }
}

/// Appends a list as JSON with one compact element a line, serialised in parallel chunks and written
/// in order. The chunks are made a wave at a time (a few per thread); while one wave is written to `w`
/// (after what `out` held before it), the next is serialised on the thread pool, so that writing a
/// national proposal's hundreds of megabytes overlaps making them, and they are never held whole.
fn lines<T: Serialize + Sync>(
    out: &mut Vec<u8>,
    w: &mut dyn std::io::Write,
    items: &[T],
) -> std::io::Result<()> {
    const CHUNK: usize = 4096;
    if items.is_empty() {
        out.extend_from_slice(b"[]");
        return Ok(());
    }
    let wave = CHUNK * 2 * rayon::current_num_threads().max(1);
    out.extend_from_slice(b"[\n    ");
    let mut waves = items.chunks(wave);
    // Bytes per element of the wave before: the next wave's buffers are sized once, not grown.
    let mut per_item = 256;
    let mut pending = waves.next().map(|first| serialise_wave(first, CHUNK, per_item));
    let mut first_wave = true;
    while let Some(chunks) = pending.take() {
        let (bytes, count) = chunks.iter().fold((0, 0), |(b, n), (buf, len)| (b + buf.len(), n + len));
        per_item = bytes / count.max(1) + 16;
        let next = waves.next();
        let mut written = Ok(());
        // The next wave is made on the pool while this thread writes the current one.
        rayon::in_place_scope(|scope| {
            if let Some(next) = next {
                scope.spawn(|_| pending = Some(serialise_wave(next, CHUNK, per_item)));
            }
            written = write_wave(out, w, &chunks, std::mem::take(&mut first_wave));
        });
        written?;
    }
    out.extend_from_slice(b"\n  ]");
    Ok(())
}

/// One wave of list elements as compact JSON: a buffer per chunk of `chunk` elements (one element a
/// line, separated as in [`lines`]), with how many elements it holds.
fn serialise_wave<T: Serialize + Sync>(part: &[T], chunk: usize, per_item: usize) -> Vec<(Vec<u8>, usize)> {
    part.par_chunks(chunk)
        .map(|chunk| {
            let mut buf = Vec::with_capacity(chunk.len() * per_item);
            for (i, item) in chunk.iter().enumerate() {
                if i > 0 {
                    buf.extend_from_slice(LIST_SEPARATOR);
                }
                compact(&mut buf, item);
            }
            (buf, chunk.len())
        })
        .collect()
}

/// Between two elements of a list: one element a line.
const LIST_SEPARATOR: &[u8] = b",\n    ";

/// Writes `out` (what came before), then the chunks of a wave, separated as one list.
fn write_wave(
    out: &mut Vec<u8>,
    w: &mut dyn std::io::Write,
    chunks: &[(Vec<u8>, usize)],
    first_wave: bool,
) -> std::io::Result<()> {
    for (i, (chunk, _)) in chunks.iter().enumerate() {
        if !first_wave || i > 0 {
            out.extend_from_slice(LIST_SEPARATOR);
        }
        if !out.is_empty() {
            w.write_all(out)?;
            out.clear();
        }
        w.write_all(chunk)?;
    }
    Ok(())
}

/// Moves by locality, largest total move first, ties by name.
fn locality_lines(projects: &[ProjectLine]) -> Vec<LocalityLine> {
    // Hashed, then sorted into a total order (the map's order never shows).
    let mut by: rustc_hash::FxHashMap<&str, (i64, i64)> = rustc_hash::FxHashMap::default();
    for p in projects.iter().filter(|p| p.change_vnd != 0) {
        let e = by.entry(&*p.locality).or_default();
        if p.change_vnd < 0 {
            e.0 -= p.change_vnd;
        } else {
            e.1 += p.change_vnd;
        }
    }
    let mut lines: Vec<LocalityLine> = by
        .into_iter()
        .map(|(l, (r, a))| LocalityLine { locality: l.to_owned(), released_vnd: r, added_vnd: a })
        .collect();
    lines.sort_by(|x, y| {
        (y.released_vnd + y.added_vnd).cmp(&(x.released_vnd + x.added_vnd)).then(x.locality.cmp(&y.locality))
    });
    lines
}

/// Prices every binding side constraint by solving the model again without it: what the objective
/// and the amount moved would gain. Non-binding constraints cost nothing by definition and get
/// `None`, as do constraints whose re-solve fails. One solve per binding constraint.
pub fn constraint_costs(
    portfolio: &Portfolio,
    model: &Model,
    proposal: &Proposal,
) -> Vec<Option<ConstraintCost>> {
    let moved: Money = proposal.pools.iter().map(|p| p.moved).sum();
    proposal
        .constraints
        .par_iter()
        .enumerate()
        .map(|(i, c)| {
            if !c.binding || i >= model.constraints.len() {
                return None;
            }
            let mut relaxed = model.clone();
            relaxed.constraints.remove(i);
            let (objective_without, moved_without) = optimize::propose_totals(portfolio, &relaxed).ok()?;
            Some(ConstraintCost {
                objective_loss: objective_without - proposal.objective,
                moved_forgone_vnd: (moved_without - moved).dong(),
            })
        })
        .collect()
}

/// Running totals of one difficulty group.
#[derive(Clone, Copy, Default)]
struct GroupTotals {
    rows: usize,
    plan: Money,
    disbursed: Money,
    releasable: i64,
    released: i64,
}

fn project_line(p: &Project, a: &RowAssessment, change: Money) -> ProjectLine {
    ProjectLine {
        id: Arc::clone(&p.id),
        source: p.source,
        name: Arc::clone(&p.name),
        investor: Arc::clone(&p.investor),
        locality: Arc::clone(&p.locality),
        groups: a.groups.clone(),
        priority: a.priority,
        pace: a.pace.clone(),
        forecast_vnd: a.forecast.dong(),
        releasable_vnd: a.bounds.releasable.dong(),
        absorbable_vnd: a.bounds.absorbable.dong(),
        value_in: a.bounds.value_in,
        value_out: a.bounds.value_out,
        change_vnd: change.dong(),
        plan_vnd: p.plan.dong(),
        new_plan_vnd: (p.plan + change).dong(),
        disbursed_vnd: p.disbursed.dong(),
        forecast_after_vnd: a.forecast_after(p, change).dong(),
        reason: a.reason.clone(),
        locked: p.locked,
        requested_change_vnd: p.extra.requested_change.map(Money::dong),
        medium_term_room_vnd: p.extra.medium_term_room.map(Money::dong),
        category: p.extra.category,
        agreement: p.extra.agreement.clone(),
        sector: Arc::clone(&p.sector),
        status: Cow::Borrowed(p.status.code()),
        decision: p.extra.decision.clone(),
        lock_reason: p.extra.lock_reason.clone(),
        kept_out: a.kept_out.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer that takes a few bytes at a time, as a pipe or a slow file may.
    struct Trickle(Vec<u8>);

    impl std::io::Write for Trickle {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let n = buf.len().min(7);
            self.0.extend_from_slice(&buf[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_list_is_written_whole_and_in_order_across_waves() {
        let wave = 4096 * 2 * rayon::current_num_threads().max(1);
        for n in [0, 1, 2, 4095, 4096, 4097, wave - 1, wave, wave + 1, 2 * wave + 3] {
            let items: Vec<(usize, String)> = (0..n).map(|i| (i, "x".repeat(i % 13))).collect();
            let mut out = b"{\"a\": ".to_vec();
            let mut w = Trickle(Vec::new());
            lines(&mut out, &mut w, &items).unwrap();
            out.push(b'}');
            w.0.extend_from_slice(&out);
            let text = String::from_utf8(w.0).unwrap();
            let back: BTreeMap<String, Vec<(usize, String)>> = serde_json::from_str(&text).unwrap();
            assert_eq!(back["a"], items, "{n} items");
            // One element a line.
            assert_eq!(text.lines().count(), if n == 0 { 1 } else { n + 2 }, "{n} items");
        }
    }
}
