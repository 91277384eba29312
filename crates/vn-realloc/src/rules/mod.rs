//! The rules engine: obstacle groups, pace classes, priority tiers, the year-end forecast and the
//! donor/recipient bounds of every row, all read from a TOML rules file (`rules/default.toml` built in).
//!
//! A rules file is checked once when it loads: every expression is parsed (by our own parser) and
//! compiled to a typed IR whose names are resolved to slots (see `rules/expr.rs`), so unknown names,
//! unknown codes, type errors and certain arithmetic errors are refused with the rule id and
//! `file:line:column`, and classifying a row evaluates no string-keyed context. Evaluation order, each
//! stage seeing only what earlier stages computed:
//! row fields and scenario values → `[params]` (the value in force on `as_of`) → `[[metrics]]` in file
//! order → `[[groups]]` (every group that matches: `groups.ID`, `groups.count`) → `[[pace]]` (first
//! match: `pace`) → `[[tiers]]` (first match: `tier`) → `[model]` `forecast`, `releasable`, `absorbable`,
//! `value_in`, `value_out`, each clamped to the legal bounds of DOMAIN.md section 4 before the next.
//!
//! ```
//! use realloc::rules::Rules;
//! let rules = Rules::builtin();
//! assert_eq!(rules.name, "default");
//! assert!(Rules::parse("name = 1", "broken.toml").is_err());
//! ```

use std::collections::BTreeMap;
use std::sync::OnceLock;

use chrono::NaiveDate;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::diag::{Diagnostics, Location, Msg};
use crate::domain::Source;
use crate::model::{Settings, SideConstraint, SideConstraintKind};
use crate::money::Money;
use crate::msg;

mod backtest;
mod engine;
pub(crate) mod expr;
pub(crate) mod file;
mod lint;
mod overrides;
mod policy;
mod report;

pub use backtest::{Backtest, BacktestError, BacktestLine};
pub use engine::fmt_vi;
pub use engine::{Explanation, Outcome, Seen, Stage, Step};
pub use lint::tier_name;
pub use overrides::ParamError;
pub use report::{GroupLine, GroupingReport, UnitLine};

use expr::{CodeKind, Compiled, Scope, Ty};
use file::{
    RawConstraint, RawCurve, RawGroup, RawMetric, RawModel, RawPace, RawParam, RawParamValue, RawRisk,
    RawRules, RawSettings, RawTier,
};

/// The text of the built-in rule set.
pub const DEFAULT_RULES: &str = include_str!("../../rules/default.toml");

/// The file name the built-in rule set is reported under.
pub const DEFAULT_RULES_FILE: &str = "rules/default.toml";

/// A rules file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RulesError {
    /// The file is not a valid rule set: every problem found, each with `file:line` and the rule id.
    #[error("{file}: {} problem(s) in the rules\n{diagnostics}", diagnostics.error_count())]
    Invalid {
        /// The rules file as named by the user.
        file: String,
        /// The problems.
        diagnostics: Diagnostics,
    },
}

impl RulesError {
    /// The problems found.
    pub fn diagnostics(&self) -> &Diagnostics {
        match self {
            RulesError::Invalid { diagnostics, .. } => diagnostics,
        }
    }
}

/// What kind of rule a [`RuleInfo`] describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// `[[metrics]]`: a derived value.
    Metric,
    /// `[[groups]]`: an obstacle group (collect: all that match).
    Group,
    /// `[[pace]]`: a pace class (first match).
    Pace,
    /// `[[tiers]]`: a priority tier rule (first match).
    Tier,
}

/// A rule as declared, for reports and tests.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
pub struct RuleInfo {
    /// Kind of rule.
    pub kind: RuleKind,
    /// Rule id.
    pub id: String,
    /// Label shown in documents (Vietnamese).
    pub label: String,
    /// Label in English (groups only; may be empty).
    pub label_en: String,
    /// Remedy a review meeting would record (groups only).
    pub remedy: String,
    /// Remedy in English (groups only; may be empty).
    pub remedy_en: String,
    /// Legal or practical source.
    pub cite: String,
    /// Priority tier (tier rules only).
    pub tier: Option<u8>,
    /// Line of the rule in the rules file.
    pub line: usize,
    /// The condition or formula.
    pub expr: String,
}

/// A rule with its compiled condition or formula.
#[derive(Clone, Debug)]
pub(crate) struct Rule {
    pub(crate) info: RuleInfo,
    pub(crate) when: Compiled,
    pub(crate) slot: u16,
    pub(crate) reason: Option<Template>,
}

/// A reason text with `{name}` placeholders resolved to slots.
#[derive(Clone, Debug, Default)]
pub(crate) struct Template {
    pub(crate) parts: Vec<Part>,
}

/// A piece of a [`Template`].
#[derive(Clone, Debug)]
pub(crate) enum Part {
    Text(String),
    Slot(u16),
}

/// A parameter with its values by effective date (sorted, the first may have no date).
#[derive(Clone, Debug)]
pub(crate) struct Param {
    pub(crate) name: String,
    pub(crate) slot: u16,
    pub(crate) values: Vec<(Option<NaiveDate>, f64)>,
    pub(crate) line: usize,
}

impl Param {
    /// The value in force on `date`: the latest entry that took effect on or before it, or the earliest
    /// entry when the date is before all of them.
    pub(crate) fn at(&self, date: NaiveDate) -> f64 {
        let mut v = self.values.first().map_or(0.0, |x| x.1);
        for (from, value) in &self.values {
            if from.is_none_or(|f| f <= date) {
                v = *value;
            }
        }
        v
    }
}

/// One formula of `[model]`.
#[derive(Clone, Debug)]
pub(crate) struct Formula {
    pub(crate) id: &'static str,
    pub(crate) expr: Compiled,
    pub(crate) slot: u16,
    pub(crate) line: usize,
}

/// A loaded, checked rule set.
#[derive(Clone, Debug)]
pub struct Rules {
    /// Name of the rule set, shown in the manifest.
    pub name: String,
    pub(crate) file: String,
    pub(crate) sha256: String,
    pub(crate) description: String,
    pub(crate) scope: Scope,
    /// Cumulative expected share at the end of month 1..13 of the plan year (13 = January after).
    pub(crate) curve: [f64; 13],
    pub(crate) params: Vec<Param>,
    pub(crate) metrics: Vec<Rule>,
    pub(crate) groups: Vec<Rule>,
    pub(crate) group_count: u16,
    pub(crate) paces: Vec<Rule>,
    pub(crate) pace_slot: u16,
    pub(crate) tiers: Vec<Rule>,
    pub(crate) tier_slot: u16,
    /// forecast, releasable, absorbable, value_in, value_out.
    pub(crate) model: Vec<Formula>,
    pub(crate) settings: Settings,
    pub(crate) constraints: Vec<SideConstraint>,
    /// Lines of `[[tiers]]`, `[[pace]]` tables etc. for the linter: (what, line).
    pub(crate) unused_candidates: Vec<(String, u16, usize)>,
    /// Sources cited outside the rules proper: settings, curve, parameters, model, constraints.
    pub(crate) citations: Vec<(String, String)>,
    /// `[risk]`: the spread of the year-end forecast, when the file declares it.
    pub(crate) risk: Option<crate::risk::Spread>,
    /// `[[eligibility]]`, in file order (the built-in list for a version-1 file).
    pub(crate) eligibility: Vec<policy::Eligibility>,
    /// Slots `can_give`, `can_receive`, `give_limit`, `receive_limit`, which the model reads.
    pub(crate) eligibility_slots: [u16; 4],
    /// `[[pools]]` (the built-in table for a version-1 file).
    pub(crate) pools: Vec<crate::model::PoolRule>,
    /// `[[authority]]` (the built-in table for a version-1 file).
    pub(crate) authority: Vec<policy::AuthorityRule>,
    /// `[model] absorption`, when given.
    pub(crate) absorption: Option<Formula>,
    /// Worth of one million VND added to a pipeline project.
    pub(crate) pipeline_value_in: f64,
    /// Warnings found while loading (a built-in rule left out), shown by `lint`.
    pub(crate) load_warnings: Diagnostics,
}

impl Default for Rules {
    /// The built-in rules.
    fn default() -> Rules {
        Rules::builtin()
    }
}

impl Rules {
    /// The built-in default rules (`rules/default.toml`).
    pub fn builtin() -> Rules {
        static BUILTIN: OnceLock<Rules> = OnceLock::new();
        BUILTIN
            .get_or_init(|| {
                // The text is fixed at compile time and the unit test `builtin_rules_parse_clean`
                // proves it parses, so this cannot fail in a tested build.
                #[allow(clippy::expect_used)]
                Rules::parse(DEFAULT_RULES, DEFAULT_RULES_FILE).expect("the built-in rules parse")
            })
            .clone()
    }

    /// Parses and checks a rules file; `file` names it in messages. Every problem is reported with
    /// `file:line` and, where there is one, the rule id.
    pub fn parse(text: &str, file: &str) -> Result<Rules, RulesError> {
        load(text, file)
    }

    /// Parses a rules file and lints it: the errors of [`Rules::parse`] or, when it loads, the
    /// warnings of [`Rules::lint`].
    pub fn check(text: &str, file: &str) -> Diagnostics {
        match Rules::parse(text, file) {
            Ok(r) => r.lint(),
            Err(RulesError::Invalid { diagnostics, .. }) => diagnostics,
        }
    }

    /// The file the rules were read from, as named by the caller.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Lowercase hex SHA-256 of the rules text, for the run manifest.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// The description given in the file.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// Granularity of moves.
    pub fn settings(&self) -> Settings {
        self.settings
    }

    /// Side constraints declared, in order.
    pub fn constraints(&self) -> &[SideConstraint] {
        &self.constraints
    }

    /// Every metric, group, pace and tier rule, in evaluation order.
    pub fn rules(&self) -> Vec<RuleInfo> {
        self.metrics
            .iter()
            .chain(&self.groups)
            .chain(&self.paces)
            .chain(&self.tiers)
            .map(|r| r.info.clone())
            .collect()
    }

    /// Where the settings, curve, parameters, model and constraints come from: (what, citation).
    pub fn citations(&self) -> &[(String, String)] {
        &self.citations
    }

    /// The spread of the year-end forecast declared in `[risk]`, if any (see [`crate::risk`]).
    pub fn risk_spread(&self) -> Option<&crate::risk::Spread> {
        self.risk.as_ref()
    }

    /// The obstacle group with this id.
    pub fn group(&self, id: &str) -> Option<&RuleInfo> {
        self.groups.iter().map(|g| &g.info).find(|g| g.id == id)
    }

    /// The pace class with this id.
    pub fn pace(&self, id: &str) -> Option<&RuleInfo> {
        self.paces.iter().map(|g| &g.info).find(|g| g.id == id)
    }

    /// The expected cumulative disbursement share of the plan at `date` for plan year `fiscal_year`.
    pub fn expected_rate(&self, fiscal_year: i32, date: NaiveDate) -> f64 {
        curve_at(&self.curve, months_since(fiscal_year, date))
    }
}

/// Months from 1 January of `fiscal_year` to the end of day `date`, a partial month by its days.
pub(crate) fn months_since(fiscal_year: i32, date: NaiveDate) -> f64 {
    use chrono::Datelike;
    f64::from(date.year() - fiscal_year) * 12.0
        + f64::from(date.month0())
        + f64::from(date.day()) / f64::from(crate::scenario::days_in_month(date.year(), date.month()))
}

/// The curve at `t` months, linear between month ends, 0 at the start of the year, flat after month 13.
pub(crate) fn curve_at(curve: &[f64; 13], t: f64) -> f64 {
    if t.is_nan() || t <= 0.0 {
        return 0.0;
    }
    if t >= 13.0 {
        return curve[12];
    }
    let m = t.floor() as usize; // 0..=12
    let lo = if m == 0 { 0.0 } else { curve[m - 1] };
    let hi = curve[m];
    lo + (hi - lo) * (t - m as f64)
}

/// Row fields every expression may read, in slot order; `engine::fill_row` writes them.
pub(crate) const ROW_FIELDS: &[(&str, Ty)] = &[
    ("plan", Ty::Num),
    ("disbursed", Ty::Num),
    ("undisbursed", Ty::Num),
    ("total_investment", Ty::Num),
    ("allocated_before", Ty::Num),
    ("unpaid_volume", Ty::Num),
    ("headroom", Ty::Num),
    ("site_clearance_pct", Ty::Num),
    ("has_site_clearance", Ty::Bool),
    ("physical_progress_pct", Ty::Num),
    ("start_year", Ty::Num),
    ("end_year", Ty::Num),
    ("key_project", Ty::Bool),
    ("locked", Ty::Bool),
    ("source", Ty::Code(CodeKind::Source)),
    ("group", Ty::Code(CodeKind::Group)),
    ("status", Ty::Code(CodeKind::Status)),
    ("central", Ty::Bool),
    ("target_programme", Ty::Bool),
    ("obstacles", Ty::Bits),
    ("obstacle_count", Ty::Num),
    ("disbursement_rate", Ty::Num),
    ("years_allocated", Ty::Num),
    ("category", Ty::Code(CodeKind::Category)),
    ("counterpart", Ty::Bool),
    ("oda", Ty::Bool),
    ("medium_term_room", Ty::Num),
    ("has_medium_term_room", Ty::Bool),
    ("requested_change", Ty::Num),
    ("has_request", Ty::Bool),
    ("offered", Ty::Num),
    ("asked", Ty::Num),
    ("has_agreement", Ty::Bool),
    ("extended_to", Ty::Num),
    ("has_extension", Ty::Bool),
    // Monitoring (version 2): the investor's registered schedule (`schedule.csv`).
    ("has_schedule", Ty::Bool),
    ("schedule_target", Ty::Num),
];

/// Scenario values, the same for every row, in slot order after [`ROW_FIELDS`].
pub(crate) const SCENARIO_FIELDS: &[(&str, Ty)] = &[
    ("fiscal_year", Ty::Num),
    ("months_elapsed", Ty::Num),
    ("months_left", Ty::Num),
    ("expected_rate", Ty::Num),
    ("expected_rate_deadline", Ty::Num),
    ("local_budget_delegated", Ty::Bool),
];

/// The formulas of `[model]`, in evaluation order.
pub(crate) const MODEL_FORMULAS: [&str; 5] =
    ["forecast", "releasable", "absorbable", "value_in", "value_out"];

/// Byte offsets of line starts, to turn spans into 1-based lines.
struct Lines(Vec<usize>);

impl Lines {
    fn new(text: &str) -> Lines {
        Lines(std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect())
    }

    fn line(&self, offset: usize) -> usize {
        self.0.partition_point(|&s| s <= offset).max(1)
    }
}

/// Collects problems while loading.
struct Loader<'a> {
    file: &'a str,
    text: &'a str,
    lines: Lines,
    diags: Diagnostics,
}

impl Loader<'_> {
    fn warn(&mut self, message: Msg) {
        self.diags.warning(self.file, Location::File, message);
    }

    fn err(&mut self, offset: usize, rule: Option<&str>, message: Msg) {
        let line = self.lines.line(offset);
        self.diags.error(self.file, Location::Line { line }, in_rule(rule, message));
    }

    /// An error about the expression in the TOML string `expr`, at byte `at` of its text: reported at
    /// that line and character column of the file.
    fn expr_err(&mut self, expr: &toml::Spanned<String>, at: usize, rule: &str, message: Msg) {
        let offset = expr::offset_in_toml(self.text, expr.span().start, expr.get_ref(), at);
        let line = self.lines.line(offset);
        let start = self.lines.0.get(line - 1).copied().unwrap_or(0);
        let column = self.text.get(start..offset).map_or(0, |s| s.chars().count()) + 1;
        self.diags.error(self.file, Location::Position { line, column }, in_rule(Some(rule), message));
    }

    fn id(&mut self, id: &toml::Spanned<String>, what: What, seen: &mut Vec<String>) -> String {
        let s = id.get_ref().clone();
        if s.is_empty() || !s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
            self.err(
                id.span().start,
                Some(&s),
                msg!(
                    "E901",
                    "{} id must be lowercase letters, digits and `_`",
                    "mã {:#} chỉ gồm chữ thường không dấu, chữ số và `_`",
                    what
                ),
            );
        }
        if seen.contains(&s) {
            self.err(id.span().start, Some(&s), msg!("E902", "duplicate {} id", "mã {:#} bị trùng", what));
        }
        seen.push(s.clone());
        s
    }

    fn compile(
        &mut self,
        text: &toml::Spanned<String>,
        scope: &Scope,
        rule: &str,
        want: Ty,
    ) -> Option<Compiled> {
        match expr::compile(text.get_ref(), scope) {
            Ok(c) if c.ty == want || (want == Ty::Num && c.ty == Ty::Num) => Some(c),
            Ok(c) => {
                let (found, found_vi) = match c.ty {
                    Ty::Num => ("a number", "một số"),
                    Ty::Bool => ("a boolean", "một giá trị đúng/sai"),
                    _ => ("a code", "một mã"),
                };
                let (wanted, wanted_vi) = if want == Ty::Bool {
                    ("a condition (true or false)", "một điều kiện (đúng hoặc sai)")
                } else {
                    ("a number", "một số")
                };
                let m = msg!(
                    "E903",
                    en("expected {wanted}, `{}` is {found}", c.text),
                    vi("cần {wanted_vi}, nhưng `{}` là {found_vi}", c.text),
                );
                self.expr_err(text, 0, rule, m);
                None
            }
            Err(e) => {
                self.expr_err(text, e.at, rule, e.message);
                None
            }
        }
    }

    fn template(&mut self, text: &toml::Spanned<String>, scope: &Scope, rule: &str) -> Template {
        let mut parts = Vec::new();
        let mut rest = text.get_ref().as_str();
        while let Some(open) = rest.find('{') {
            if open > 0 {
                parts.push(Part::Text(rest[..open].to_owned()));
            }
            let after = &rest[open + 1..];
            let Some(close) = after.find('}') else {
                let m = msg!("E904", "unclosed `{{` in reason", "lý do có `{{` chưa đóng");
                self.err(text.span().start, Some(rule), m);
                return Template { parts };
            };
            let name = after[..close].trim();
            match scope.get(name) {
                Some(slot) if scope.slots[usize::from(slot)].ty != Ty::Bits => parts.push(Part::Slot(slot)),
                _ => self.err(
                    text.span().start,
                    Some(rule),
                    msg!("E905", "unknown name `{{{}}}` in reason", "lý do nhắc tên không có `{{{}}}`", name),
                ),
            }
            rest = &after[close + 1..];
        }
        if !rest.is_empty() {
            parts.push(Part::Text(rest.to_owned()));
        }
        Template { parts }
    }

    fn money(&mut self, v: &toml::Spanned<f64>, what: &str) -> Money {
        let x = *v.get_ref();
        match Money::parse_million(&format!("{x}")) {
            Ok(m) if m > Money::ZERO => m,
            _ => {
                self.err(
                    v.span().start,
                    None,
                    msg!(
                        "E906",
                        "`{}` must be an amount in million VND above 0 with at most 3 decimals, found {}",
                        "`{}` phải là số tiền (triệu đồng) lớn hơn 0, tối đa 3 chữ số thập phân; đang là {}",
                        what,
                        x
                    ),
                );
                Money::ZERO
            }
        }
    }
}

fn load(text: &str, file: &str) -> Result<Rules, RulesError> {
    let mut ld = Loader { file, text, lines: Lines::new(text), diags: Diagnostics::new() };
    let raw: RawRules = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            let offset = e.span().map_or(0, |s| s.start);
            let m = toml_message(e.message().trim());
            let line = ld.lines.line(offset);
            let start = ld.lines.0.get(line - 1).copied().unwrap_or(0);
            let column = text.get(start..offset).map_or(0, |s| s.chars().count()) + 1;
            ld.diags.error(file, Location::Position { line, column }, m);
            return Err(RulesError::Invalid { file: file.to_owned(), diagnostics: ld.diags });
        }
    };

    let mut scope = Scope::default();
    for (name, ty) in ROW_FIELDS.iter().chain(SCENARIO_FIELDS) {
        scope.add(name, *ty);
    }

    let settings_span = raw.settings.span().start;
    let settings = raw.settings.into_inner();
    let (min_unit, min_transfer) = ld.settings(&settings, settings_span);
    let mut citations = vec![("settings".to_owned(), settings.cite.clone().unwrap_or_default())];
    let curve = ld.curve(raw.curve, &mut citations);
    let params = ld.params(&raw.params, &mut scope, &mut citations);
    let mut unused_candidates = Vec::new();
    for p in &params {
        unused_candidates.push((format!("parameter `{}`", p.name), p.slot, p.line));
    }

    // Every metric, group and later name needs a slot: refuse a file with more than the slots can number
    // before compiling anything, rather than report what goes wrong after the last slot.
    let names = scope.len() + raw.metrics.len() + raw.groups.len() + 3 + MODEL_FORMULAS.len();
    if names > Scope::MAX_NAMES {
        let full = Scope::full_message();
        let m = msg!(
            "E908",
            en("{}; this file defines {names}", full.en),
            vi("{}; tệp này định nghĩa {names}", full.vi)
        );
        ld.err(0, None, m);
        return Err(RulesError::Invalid { file: file.to_owned(), diagnostics: ld.diags });
    }

    let metrics = ld.metrics(&raw.metrics, &mut scope, &mut unused_candidates);
    let (mut groups, group_count) = ld.groups(&raw.groups, &mut scope);
    let (mut paces, pace_slot) = ld.paces(&raw.pace, &mut scope);
    let (mut tiers, tier_slot) = ld.tiers(&raw.tiers, &mut scope);

    // Eligibility (version 2): each rule sees the tier; the model sees what they conclude.
    let eligibility = policy::load_eligibility(&mut ld, raw.eligibility.as_deref(), &scope, &mut citations);
    let eligibility_slots = ["can_give", "can_receive", "give_limit", "receive_limit"].map(|name| {
        let ty = if name.starts_with("can_") { Ty::Bool } else { Ty::Num };
        scope.add(name, ty).unwrap_or(0)
    });
    let pools = policy::load_pools(&mut ld, raw.pools.as_deref(), &mut citations);
    let authority = policy::load_authority(&mut ld, raw.authority.as_deref(), &mut citations);

    let (model, absorption) = ld.model(raw.model.get_ref(), &mut scope, &mut citations);

    // Reasons may name anything computed.
    attach_reasons(
        &mut ld,
        &scope,
        &mut groups,
        raw.groups.iter().map(|g| (g.get_ref().id.get_ref(), g.get_ref().reason.as_ref())),
    );
    attach_reasons(
        &mut ld,
        &scope,
        &mut paces,
        raw.pace.iter().map(|g| (g.get_ref().id.get_ref(), g.get_ref().reason.as_ref())),
    );
    attach_reasons(
        &mut ld,
        &scope,
        &mut tiers,
        raw.tiers.iter().map(|g| (g.get_ref().id.get_ref(), g.get_ref().reason.as_ref())),
    );

    let constraints = ld.constraints(&raw.constraints, &mut citations);
    let risk = raw.risk.map(|r| ld.risk(r.into_inner(), &paces, &groups, &mut citations));
    let pipeline_value_in = ld.pipeline_value_in(&settings);

    if scope.is_full() && !ld.diags.has_errors() {
        ld.err(0, None, Scope::full_message());
    }
    if ld.diags.has_errors() {
        return Err(RulesError::Invalid { file: file.to_owned(), diagnostics: ld.diags });
    }
    let sha256 = Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    Ok(Rules {
        name: raw.name.into_inner(),
        file: file.to_owned(),
        sha256,
        description: raw.description.unwrap_or_default(),
        scope,
        curve,
        params,
        metrics,
        groups,
        group_count,
        paces,
        pace_slot,
        tiers,
        tier_slot,
        model,
        settings: Settings { min_unit, min_transfer },
        constraints,
        unused_candidates,
        citations,
        risk,
        eligibility,
        eligibility_slots,
        pools,
        authority,
        absorption,
        pipeline_value_in,
        load_warnings: ld.diags,
    })
}

/// The stages of [`load`], one per section of the file, in the order they are loaded.
impl Loader<'_> {
    /// `[settings]`: the unit and the smallest transfer, the second not below the first.
    fn settings(&mut self, settings: &RawSettings, settings_span: usize) -> (Money, Money) {
        let min_unit = self.money(&settings.min_unit, "min_unit");
        let min_transfer = self.money(&settings.min_transfer, "min_transfer");
        if min_transfer < min_unit {
            self.err(
                settings_span,
                None,
                msg!(
                    "E909",
                    "`min_transfer` ({}) is below `min_unit` ({})",
                    "`min_transfer` ({}) nhỏ hơn `min_unit` ({})",
                    min_transfer,
                    min_unit
                ),
            );
        }
        (min_unit, min_transfer)
    }

    /// `[curve]`: 13 month-end shares rising from 0 to 1.
    fn curve(
        &mut self,
        raw_curve: toml::Spanned<RawCurve>,
        citations: &mut Vec<(String, String)>,
    ) -> [f64; 13] {
        let curve_span = raw_curve.span().start;
        let raw_curve = raw_curve.into_inner();
        citations.push(("curve".to_owned(), raw_curve.cite.clone()));
        let monthly = raw_curve.monthly.get_ref();
        let mut curve = [0.0; 13];
        if monthly.len() != 13 {
            self.err(
                curve_span,
                None,
                msg!(
                    "E910",
                    "`curve.monthly` needs 13 shares (end of January to December, then January after), found {}",
                    "`curve.monthly` cần 13 tỷ lệ (cuối tháng 1 đến tháng 12, rồi tháng 1 năm sau); đang có {}",
                    monthly.len()
                ),
            );
        } else {
            let mut prev = 0.0;
            for (i, &v) in monthly.iter().enumerate() {
                if !(0.0..=1.0).contains(&v) || v < prev {
                    self.err(
                        raw_curve.monthly.span().start,
                        None,
                        msg!(
                            "E911",
                            "`curve.monthly` must rise from 0 to 1, found {} at month {}",
                            "`curve.monthly` phải tăng dần từ 0 đến 1; tháng {1} đang là {0}",
                            v,
                            i + 1
                        ),
                    );
                    break;
                }
                prev = v;
                curve[i] = v;
            }
        }
        curve
    }

    /// `[params]`: each a number or dated values, each given a slot.
    fn params(
        &mut self,
        raw_params: &BTreeMap<String, toml::Spanned<RawParam>>,
        scope: &mut Scope,
        citations: &mut Vec<(String, String)>,
    ) -> Vec<Param> {
        let mut params = Vec::new();
        for (name, p) in raw_params {
            let offset = p.span().start;
            let values = match p.get_ref() {
                RawParam::Number(v) => vec![(None, *v)],
                RawParam::Table(t) => {
                    let d = t.description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default();
                    citations.push((format!("params.{name}"), format!("{}{d}", t.cite)));
                    match &t.value {
                        RawParamValue::Number(v) => vec![(None, *v)],
                        RawParamValue::Dated(list) => {
                            let mut out = Vec::new();
                            for d in list {
                                match NaiveDate::parse_from_str(&d.from, "%Y-%m-%d") {
                                    Ok(date) => out.push((Some(date), d.value)),
                                    Err(_) => self.err(
                                        offset,
                                        Some(name),
                                        msg!(
                                            "E912",
                                            "`from` must be a date YYYY-MM-DD, found `{}`",
                                            "`from` phải là ngày dạng YYYY-MM-DD; đang là `{}`",
                                            d.from
                                        ),
                                    ),
                                }
                            }
                            out.sort_by_key(|x| x.0);
                            if out.windows(2).any(|w| w[0].0 == w[1].0) {
                                let m = msg!(
                                    "E913",
                                    "two values take effect on the same date",
                                    "hai giá trị có hiệu lực cùng một ngày"
                                );
                                self.err(offset, Some(name), m);
                            }
                            if out.is_empty() {
                                let m = msg!(
                                    "E914",
                                    "a dated parameter needs at least one value",
                                    "tham số theo ngày hiệu lực cần ít nhất một giá trị"
                                );
                                self.err(offset, Some(name), m);
                            }
                            out
                        }
                    }
                }
            };
            if values.iter().any(|v| !v.1.is_finite()) {
                let m = msg!("E915", "the value must be a finite number", "giá trị phải là một số hữu hạn");
                self.err(offset, Some(name), m);
            }
            if !valid_name(name) {
                let m = msg!(
                    "E916",
                    "parameter names must be lowercase letters, digits and `_`",
                    "tên tham số chỉ gồm chữ thường không dấu, chữ số và `_`"
                );
                self.err(offset, Some(name), m);
            }
            match scope.add(name, Ty::Num) {
                Some(slot) => {
                    params.push(Param { name: name.clone(), slot, values, line: self.lines.line(offset) })
                }
                None if scope.is_full() => self.err(offset, Some(name), Scope::full_message()),
                None => self.err(
                    offset,
                    Some(name),
                    msg!(
                        "E917",
                        "the name is already a row field or scenario value",
                        "tên này đã là một trường của dòng hoặc một giá trị của kịch bản"
                    ),
                ),
            }
        }
        params
    }

    /// `[[metrics]]`: derived values, each seeing those before it.
    fn metrics(
        &mut self,
        raw_metrics: &[toml::Spanned<RawMetric>],
        scope: &mut Scope,
        unused_candidates: &mut Vec<(String, u16, usize)>,
    ) -> Vec<Rule> {
        let mut metrics = Vec::new();
        let mut ids = Vec::new();
        for m in raw_metrics {
            let line_at = m.span().start;
            let m = m.get_ref();
            let id = self.id(&m.id, What::Metric, &mut ids);
            let Some(c) = expr::compile(m.expr.get_ref(), scope)
                .map_err(|e| self.expr_err(&m.expr, e.at, &id, e.message))
                .ok()
            else {
                continue;
            };
            if !matches!(c.ty, Ty::Num | Ty::Bool) {
                let msg = msg!(
                    "E918",
                    "a metric must be a number or a condition",
                    "chỉ số phải là một số hoặc một điều kiện"
                );
                self.expr_err(&m.expr, 0, &id, msg);
                continue;
            }
            let Some(slot) = scope.add(&id, c.ty) else {
                if scope.is_full() {
                    self.err(m.id.span().start, Some(&id), Scope::full_message());
                    break;
                }
                self.err(
                    m.id.span().start,
                    Some(&id),
                    msg!(
                        "E919",
                        "the name is already a row field, parameter or metric",
                        "tên này đã là một trường của dòng, một tham số hoặc một chỉ số"
                    ),
                );
                continue;
            };
            let line = self.lines.line(line_at);
            unused_candidates.push((format!("metric `{id}`"), slot, line));
            let info = RuleInfo {
                kind: RuleKind::Metric,
                id,
                label: m.description.clone().unwrap_or_default(),
                label_en: String::new(),
                remedy: String::new(),
                remedy_en: String::new(),
                cite: m.cite.clone().unwrap_or_default(),
                tier: None,
                line,
                expr: c.text.clone(),
            };
            metrics.push(Rule { info, when: c, slot, reason: None });
        }
        metrics
    }

    /// `[[groups]]`: every condition is compiled before any `groups.ID` slot exists; the slot of
    /// `groups.count`.
    fn groups(&mut self, raw_groups: &[toml::Spanned<RawGroup>], scope: &mut Scope) -> (Vec<Rule>, u16) {
        let mut ids = Vec::new();
        let mut pending = Vec::new();
        for g in raw_groups {
            let line = self.lines.line(g.span().start);
            let g = g.get_ref();
            let id = self.id(&g.id, What::Group, &mut ids);
            let when = self.compile(&g.when, scope, &id, Ty::Bool);
            pending.push((id, line, when, g));
        }
        let mut groups = Vec::new();
        for (id, line, when, g) in pending {
            let slot = scope.add(&format!("groups.{id}"), Ty::Bool);
            if let (Some(when), Some(slot)) = (when, slot) {
                let info = RuleInfo {
                    kind: RuleKind::Group,
                    id,
                    label: g.label.clone(),
                    label_en: g.label_en.clone(),
                    remedy: g.remedy.clone(),
                    remedy_en: g.remedy_en.clone(),
                    cite: g.cite.clone(),
                    tier: None,
                    line,
                    expr: when.text.clone(),
                };
                groups.push(Rule { info, when, slot, reason: None });
            }
        }
        let group_count = scope.add("groups.count", Ty::Num).unwrap_or(0);
        (groups, group_count)
    }

    /// `[[pace]]`: the pace classes, at least one; the slot of `pace`.
    fn paces(&mut self, raw_pace: &[toml::Spanned<RawPace>], scope: &mut Scope) -> (Vec<Rule>, u16) {
        let mut ids = Vec::new();
        let mut paces = Vec::new();
        let mut pending = Vec::new();
        for p in raw_pace {
            let line = self.lines.line(p.span().start);
            let p = p.get_ref();
            let id = self.id(&p.id, What::Pace, &mut ids);
            let when = self.compile(&p.when, scope, &id, Ty::Bool);
            pending.push((id, line, when, p));
        }
        if raw_pace.is_empty() {
            let m = msg!(
                "E920",
                "the rules need at least one `[[pace]]` class",
                "bộ quy tắc cần ít nhất một nhóm tiến độ `[[pace]]`"
            );
            self.err(0, None, m);
        }
        scope.paces = ids.clone();
        let pace_slot = scope.add("pace", Ty::Code(CodeKind::Pace)).unwrap_or(0);
        for (id, line, when, p) in pending {
            if let Some(when) = when {
                let info = RuleInfo {
                    kind: RuleKind::Pace,
                    id,
                    label: p.label.clone(),
                    label_en: String::new(),
                    remedy: String::new(),
                    remedy_en: String::new(),
                    cite: p.cite.clone(),
                    tier: None,
                    line,
                    expr: when.text.clone(),
                };
                paces.push(Rule { info, when, slot: pace_slot, reason: None });
            }
        }
        (paces, pace_slot)
    }

    /// `[[tiers]]`: the priority tiers (1 to 13), at least one rule; the slot of `tier`.
    fn tiers(&mut self, raw_tiers: &[toml::Spanned<RawTier>], scope: &mut Scope) -> (Vec<Rule>, u16) {
        let mut ids = Vec::new();
        let mut tiers = Vec::new();
        let mut pending = Vec::new();
        for t in raw_tiers {
            let line = self.lines.line(t.span().start);
            let t = t.get_ref();
            let id = self.id(&t.id, What::Tier, &mut ids);
            let tier = *t.tier.get_ref();
            if !(1..=13).contains(&tier) {
                self.err(
                    t.tier.span().start,
                    Some(&id),
                    msg!(
                        "E921",
                        "tier must be 1 to 13 (Law 58/2024 Art. 54(4)), found {}",
                        "thứ tự ưu tiên phải từ 1 đến 13 (Luật 58/2024, Điều 54 khoản 4); đang là {}",
                        tier
                    ),
                );
            }
            let when = self.compile(&t.when, scope, &id, Ty::Bool);
            pending.push((id, line, when, t, tier.clamp(1, 13) as u8));
        }
        if raw_tiers.is_empty() {
            let m = msg!(
                "E922",
                "the rules need at least one `[[tiers]]` rule",
                "bộ quy tắc cần ít nhất một quy tắc ưu tiên `[[tiers]]`"
            );
            self.err(0, None, m);
        }
        let tier_slot = scope.add("tier", Ty::Num).unwrap_or(0);
        for (id, line, when, t, tier) in pending {
            if let Some(when) = when {
                let info = RuleInfo {
                    kind: RuleKind::Tier,
                    id,
                    label: t.label.clone(),
                    label_en: String::new(),
                    remedy: String::new(),
                    remedy_en: String::new(),
                    cite: t.cite.clone(),
                    tier: Some(tier),
                    line,
                    expr: when.text.clone(),
                };
                tiers.push(Rule { info, when, slot: tier_slot, reason: None });
            }
        }
        (tiers, tier_slot)
    }

    /// `[model]`: the formulas, each seeing the ones before, and the optional `absorption`.
    fn model(
        &mut self,
        model_raw: &RawModel,
        scope: &mut Scope,
        citations: &mut Vec<(String, String)>,
    ) -> (Vec<Formula>, Option<Formula>) {
        let texts = [
            &model_raw.forecast,
            &model_raw.releasable,
            &model_raw.absorbable,
            &model_raw.value_in,
            &model_raw.value_out,
        ];
        let mut model = Vec::new();
        for (id, text) in MODEL_FORMULAS.iter().zip(texts) {
            let c = self.compile(text, scope, id, Ty::Num);
            let slot = scope.add(id, Ty::Num).unwrap_or(0);
            if let Some(expr) = c {
                model.push(Formula { id, expr, slot, line: self.lines.line(text.span().start) });
            }
        }
        let absorption = model_raw.absorption.as_ref().and_then(|text| {
            let c = self.compile(text, scope, "absorption", Ty::Num)?;
            let slot = scope.add("absorption", Ty::Num).unwrap_or(0);
            Some(Formula { id: "absorption", expr: c, slot, line: self.lines.line(text.span().start) })
        });
        citations.push(("model".to_owned(), format!("{} ({})", model_raw.cite, model_raw.method)));
        (model, absorption)
    }

    /// `[[constraints]]`: the side constraints of the optimiser.
    fn constraints(
        &mut self,
        raw_constraints: &[toml::Spanned<RawConstraint>],
        citations: &mut Vec<(String, String)>,
    ) -> Vec<SideConstraint> {
        let mut constraints = Vec::new();
        for c in raw_constraints {
            let offset = c.span().start;
            let c = c.get_ref();
            let share = |ld: &mut Loader, s: Option<f64>| -> f64 {
                match s {
                    Some(v) if v > 0.0 && v <= 1.0 => v,
                    _ => {
                        ld.err(
                            offset,
                            Some(&c.name),
                            msg!(
                                "E923",
                                "`max_share` must be a fraction above 0 and at most 1 (0.3 is 30%)",
                                "`max_share` phải là tỷ lệ lớn hơn 0 và không quá 1 (0.3 là 30%)"
                            ),
                        );
                        1.0
                    }
                }
            };
            let kind = match c.kind.get_ref().as_str() {
                "locality_loss_share" => {
                    SideConstraintKind::LocalityLossShare { max_share: share(self, c.max_share) }
                }
                "investor_loss_share" => {
                    SideConstraintKind::InvestorLossShare { max_share: share(self, c.max_share) }
                }
                "pool_move_cap" => {
                    let source = match &c.source {
                        None => None,
                        Some(s) => match s.parse::<Source>() {
                            Ok(s) => Some(s),
                            Err(e) => {
                                self.err(offset, Some(&c.name), unknown_code(&e));
                                None
                            }
                        },
                    };
                    let max = match c.max {
                        Some(m) => self.money(&toml::Spanned::new(offset..offset, m), "max"),
                        None => {
                            let m = msg!(
                                "E924",
                                "`pool_move_cap` needs `max` in million VND",
                                "`pool_move_cap` cần `max` (triệu đồng)"
                            );
                            self.err(offset, Some(&c.name), m);
                            Money::ZERO
                        }
                    };
                    SideConstraintKind::PoolMoveCap { source, max }
                }
                other => {
                    self.err(
                        c.kind.span().start,
                        Some(&c.name),
                        msg!(
                            "E925",
                            "unknown constraint kind `{}`, expected one of: locality_loss_share, investor_loss_share, pool_move_cap",
                            "loại ràng buộc `{}` không có; các loại là: locality_loss_share, investor_loss_share, pool_move_cap",
                            other
                        ),
                    );
                    continue;
                }
            };
            citations.push((format!("constraints.{}", c.name), c.cite.clone()));
            constraints.push(SideConstraint { name: c.name.clone(), kind });
        }
        constraints
    }

    /// `[risk]`: the spread of each row's year-end disbursement; pace and group ids must name rules
    /// of this file.
    fn risk(
        &mut self,
        r: RawRisk,
        paces: &[Rule],
        groups: &[Rule],
        citations: &mut Vec<(String, String)>,
    ) -> crate::risk::Spread {
        citations.push(("risk".to_owned(), format!("{} ({})", r.cite, r.method)));
        let share = |ld: &mut Loader, v: &toml::Spanned<f64>, what: &str| -> f64 {
            let x = *v.get_ref();
            if x.is_finite() && (0.0..=1.0).contains(&x) {
                x
            } else {
                ld.err(
                    v.span().start,
                    None,
                    msg!(
                        "E926",
                        "`risk.{}` must be a share of the undisbursed plan from 0 to 1, found {}",
                        "`risk.{}` phải là tỷ lệ trên kế hoạch chưa giải ngân, từ 0 đến 1; đang là {}",
                        what,
                        x
                    ),
                );
                0.0
            }
        };
        let correlation = *r.correlation.get_ref();
        if !(correlation.is_finite() && (0.0..1.0).contains(&correlation)) {
            self.err(
                r.correlation.span().start,
                None,
                msg!(
                    "E927",
                    "`risk.correlation` must be from 0 to below 1, found {}",
                    "`risk.correlation` phải từ 0 đến dưới 1; đang là {}",
                    correlation
                ),
            );
        }
        let default = share(self, &r.default, "default");
        let mut pace = Vec::new();
        for (id, v) in &r.pace {
            if !paces.iter().any(|p| &p.info.id == id) {
                let known: Vec<&str> = paces.iter().map(|p| p.info.id.as_str()).collect();
                self.err(
                    v.span().start,
                    None,
                    msg!(
                        "E928",
                        "`risk.pace.{}` names no pace class; the pace classes are: {}",
                        "`risk.pace.{}` không phải nhóm tiến độ nào; các nhóm tiến độ là: {}",
                        id,
                        known.join(", ")
                    ),
                );
            }
            pace.push((id.clone(), share(self, v, &format!("pace.{id}"))));
        }
        let mut group_sd = Vec::new();
        for (id, v) in &r.groups {
            if !groups.iter().any(|g| &g.info.id == id) {
                let known: Vec<&str> = groups.iter().map(|g| g.info.id.as_str()).collect();
                self.err(
                    v.span().start,
                    None,
                    msg!(
                        "E929",
                        "`risk.groups.{}` names no obstacle group; the groups are: {}",
                        "`risk.groups.{}` không phải nhóm vướng mắc nào; các nhóm là: {}",
                        id,
                        known.join(", ")
                    ),
                );
            }
            group_sd.push((id.clone(), share(self, v, &format!("groups.{id}"))));
        }
        crate::risk::Spread {
            correlation: if correlation.is_finite() { correlation.clamp(0.0, 0.99) } else { 0.0 },
            default,
            pace,
            groups: group_sd,
            source: crate::risk::SpreadSource::Rules,
        }
    }

    /// `settings.pipeline_value_in`: a finite number ≥ 0, 10 when absent.
    fn pipeline_value_in(&mut self, settings: &RawSettings) -> f64 {
        match &settings.pipeline_value_in {
            Some(v) if v.get_ref().is_finite() && *v.get_ref() >= 0.0 => *v.get_ref(),
            Some(v) => {
                let m = msg!(
                    "E930",
                    "`pipeline_value_in` must be a finite number ≥ 0",
                    "`pipeline_value_in` phải là một số hữu hạn ≥ 0"
                );
                self.err(v.span().start, None, m);
                0.0
            }
            None => 10.0,
        }
    }
}

fn attach_reasons<'a>(
    ld: &mut Loader,
    scope: &Scope,
    rules: &mut [Rule],
    raws: impl Iterator<Item = (&'a String, Option<&'a toml::Spanned<String>>)>,
) {
    for (id, reason) in raws {
        let Some(reason) = reason else { continue };
        let t = ld.template(reason, scope, id);
        if let Some(rule) = rules.iter_mut().find(|r| &r.info.id == id) {
            rule.reason = Some(t);
        }
    }
}

/// The TOML reader's message in both languages: an unknown key, a missing key, a value of the wrong
/// type (the file's shape), or a syntax error.
fn toml_message(m: &str) -> Msg {
    if let Some(rest) = m.strip_prefix("unknown field ") {
        let (key, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        let expected = expected.trim_start_matches("one of ");
        return msg!(
            "E940",
            "unknown key {}; the keys here are {}",
            "khóa {} không có trong tệp quy tắc; các khóa ở đây là {}",
            key,
            expected
        );
    }
    if let Some(key) = m.strip_prefix("missing field ") {
        return msg!("E941", "missing key {}", "thiếu khóa {}", key);
    }
    if let Some(rest) = m.strip_prefix("invalid type: ") {
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, "?"));
        return msg!(
            "E942",
            "wrong type: found {}, expected {}",
            "sai kiểu: gặp {}, cần {}",
            found,
            expected
        );
    }
    msg!("E907", "{}", "tệp không đúng cú pháp TOML: {}", m)
}

/// `message` about the rule `rule`, when there is one: "rule `id`: …", "quy tắc `id`: …".
fn in_rule(rule: Option<&str>, m: Msg) -> Msg {
    match rule {
        Some(id) => Msg::new(m.code, format!("rule `{id}`: {}", m.en), format!("quy tắc `{id}`: {}", m.vi)),
        None => m,
    }
}

/// A code of a code table that is not in it, in both languages.
pub(crate) fn unknown_code(e: &crate::domain::UnknownCode) -> Msg {
    msg!(
        "E931",
        en("{e}"),
        vi(
            "{} `{}` không có trong danh mục; cần một trong: {}",
            crate::load::text::what_vi(e.what),
            e.found,
            e.expected
        )
    )
}

/// What an id names, in each language's words.
#[derive(Clone, Copy)]
pub(crate) enum What {
    Metric,
    Group,
    Pace,
    Tier,
    Eligibility,
    Pool,
    Authority,
}

impl std::fmt::Display for What {
    /// The English word; `{:#}` the Vietnamese one.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (en, vi) = match self {
            What::Metric => ("metric", "chỉ số"),
            What::Group => ("group", "nhóm vướng mắc"),
            What::Pace => ("pace", "nhóm tiến độ"),
            What::Tier => ("tier", "quy tắc ưu tiên"),
            What::Eligibility => ("eligibility", "quy tắc điều kiện"),
            What::Pool => ("pool", "quy tắc nguồn"),
            What::Authority => ("authority", "thẩm quyền"),
        };
        f.write_str(if f.alternate() { vi } else { en })
    }
}

fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !s.starts_with(|c: char| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_rules_parse_clean() {
        let rules = match Rules::parse(DEFAULT_RULES, DEFAULT_RULES_FILE) {
            Ok(r) => r,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(rules.name, "default");
        assert_eq!(rules.sha256().len(), 64);
        assert!(rules.groups.len() >= 7);
        assert_eq!(rules.model.len(), 5);
    }

    #[test]
    fn curve_interpolates_between_month_ends() {
        let mut c = [0.0; 13];
        for (i, v) in c.iter_mut().enumerate() {
            *v = (i + 1) as f64 / 13.0;
        }
        assert_eq!(curve_at(&c, 0.0), 0.0);
        assert!((curve_at(&c, 0.5) - 0.5 / 13.0).abs() < 1e-12);
        assert!((curve_at(&c, 9.0) - 9.0 / 13.0).abs() < 1e-12);
        assert_eq!(curve_at(&c, 20.0), 1.0);
        let d = NaiveDate::from_ymd_opt(2025, 9, 30).unwrap_or_default();
        assert_eq!(months_since(2025, d), 9.0);
        let d = NaiveDate::from_ymd_opt(2026, 1, 31).unwrap_or_default();
        assert_eq!(months_since(2025, d), 13.0);
    }

    #[test]
    fn lines_are_one_based() {
        let l = Lines::new("a\nb\n\nc");
        assert_eq!(l.line(0), 1);
        assert_eq!(l.line(2), 2);
        assert_eq!(l.line(4), 3);
        assert_eq!(l.line(5), 4);
    }
}
