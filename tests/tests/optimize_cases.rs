//! Data-driven optimiser cases: each `tests/data/optimize/NAME.toml` holds a small model and what the
//! proposal must be (or the error it must raise); an optional `NAME.lp` holds its expected LP export.
//! One `#[test]` per case.

use std::collections::BTreeMap;
use std::path::Path;

use realloc::domain::{Obstacles, Portfolio, Project, ProjectGroup, Source, Status};
use realloc::model::{Model, RowBounds, Settings, SideConstraint, SideConstraintKind};
use realloc::money::Money;
use realloc::optimize::{Method, Proposal, export_lp, propose, propose_with};
use realloc::report::{Lang, text};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    #[allow(dead_code, reason = "documents the case for the reader")]
    description: String,
    #[serde(default)]
    settings: CaseSettings,
    #[serde(default)]
    constraints: Vec<CaseConstraint>,
    rows: Vec<CaseRow>,
    expect: Expect,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseSettings {
    #[serde(default = "one")]
    min_unit: String,
    #[serde(default = "one")]
    min_transfer: String,
}

impl Default for CaseSettings {
    fn default() -> Self {
        CaseSettings { min_unit: one(), min_transfer: one() }
    }
}

fn one() -> String {
    "1".into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseConstraint {
    name: String,
    kind: String,
    max_share: Option<f64>,
    source: Option<Source>,
    max: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseRow {
    id: String,
    #[serde(default = "nstw")]
    source: Source,
    #[serde(default = "locality")]
    locality: String,
    #[serde(default = "investor")]
    investor: String,
    #[serde(default = "hundred")]
    plan: String,
    #[serde(default)]
    locked: bool,
    releasable: Option<String>,
    absorbable: Option<String>,
    #[serde(default)]
    value_in: f64,
    #[serde(default)]
    value_out: f64,
}

fn nstw() -> Source {
    Source::Nstw
}
fn locality() -> String {
    "Xã A".into()
}
fn investor() -> String {
    "Ban A".into()
}
fn hundred() -> String {
    "100".into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    error: Option<String>,
    changes: Option<BTreeMap<String, String>>,
    objective: Option<f64>,
    transfers: Option<Vec<(String, String, String)>>,
    #[serde(default)]
    notes: Vec<String>,
    binding: Option<Vec<String>>,
    method: Option<String>,
    shadow_price: Option<f64>,
    best_unfunded: Option<String>,
    /// Transfers below `min_transfer` with their reason code: (from, to, reason); every other
    /// transfer must be at least `min_transfer` and carry no reason.
    below_min: Option<Vec<(String, String, String)>>,
}

fn million(text: &str) -> Money {
    Money::parse_million(text).unwrap_or_else(|e| panic!("`{text}`: {e}"))
}

fn build(case: &Case) -> (Portfolio, Model) {
    let mut portfolio = Portfolio::new();
    let mut rows = Vec::new();
    for r in &case.rows {
        let plan = million(&r.plan);
        portfolio
            .insert(Project {
                id: r.id.as_str().into(),
                name: r.id.as_str().into(),
                investor: r.investor.as_str().into(),
                locality: r.locality.as_str().into(),
                sector: "Giao thông".into(),
                source: r.source,
                group: ProjectGroup::B,
                status: Status::Ongoing,
                key_project: false,
                total_investment: plan + million("1000"),
                allocated_before: Money::ZERO,
                plan,
                disbursed: Money::ZERO,
                unpaid_volume: Money::ZERO,
                site_clearance_pct: None,
                physical_progress_pct: 50.0,
                start_year: 2024,
                end_year: 2026,
                obstacles: Obstacles::NONE,
                locked: r.locked,
                extra: Default::default(),
            })
            .expect("case rows have distinct keys");
        rows.push(RowBounds {
            releasable: r.releasable.as_deref().map_or(Money::ZERO, million),
            absorbable: r.absorbable.as_deref().map_or(Money::ZERO, million),
            value_in: r.value_in,
            value_out: r.value_out,
        });
    }
    let constraints = case
        .constraints
        .iter()
        .map(|c| SideConstraint {
            name: c.name.clone(),
            kind: match c.kind.as_str() {
                "locality_loss_share" => {
                    SideConstraintKind::LocalityLossShare { max_share: c.max_share.expect("max_share") }
                }
                "investor_loss_share" => {
                    SideConstraintKind::InvestorLossShare { max_share: c.max_share.expect("max_share") }
                }
                "pool_move_cap" => SideConstraintKind::PoolMoveCap {
                    source: c.source,
                    max: million(c.max.as_deref().expect("max")),
                },
                other => panic!("unknown constraint kind `{other}`"),
            },
        })
        .collect();
    let settings = Settings {
        min_unit: million(&case.settings.min_unit),
        min_transfer: million(&case.settings.min_transfer),
    };
    (portfolio, Model { rows, settings, constraints, ..Default::default() })
}

/// `id` when ids are unique in the case, `id/SOURCE` otherwise.
fn key(portfolio: &Portfolio, row: usize) -> String {
    let p = &portfolio.rows()[row];
    if portfolio.rows().iter().filter(|q| q.id == p.id).count() > 1 {
        format!("{}/{}", p.id, p.source)
    } else {
        p.id.to_string()
    }
}

#[track_caller]
fn check(name: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/optimize").join(format!("{name}.toml"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let case: Case = toml::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
    let (portfolio, model) = build(&case);
    let result = propose(&portfolio, &model);
    if let Some(error) = &case.expect.error {
        match result {
            Ok(_) => panic!("{name}: expected the error `{error}`, got a proposal"),
            Err(e) => assert!(e.to_string().contains(error), "{name}: error `{e}` lacks `{error}`"),
        }
        assert!(export_lp(&portfolio, &model).is_err(), "{name}: the LP export accepted a bad model");
        return;
    }
    let p: Proposal = result.unwrap_or_else(|e| panic!("{name}: {e}"));
    let e = &case.expect;
    if let Some(changes) = &e.changes {
        let got: BTreeMap<String, String> = p
            .changes
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.is_zero())
            .map(|(i, c)| (key(&portfolio, i), c.to_million_string()))
            .collect();
        let want: BTreeMap<String, String> =
            changes.iter().map(|(k, v)| (k.clone(), million_text(v))).collect();
        assert_eq!(got, want, "{name}: changes");
    }
    if let Some(objective) = e.objective {
        assert!((p.objective - objective).abs() < 1e-9, "{name}: objective {} != {objective}", p.objective);
    }
    if let Some(transfers) = &e.transfers {
        let got: Vec<(String, String, String)> = p
            .transfers
            .iter()
            .map(|t| (key(&portfolio, t.from), key(&portfolio, t.to), t.amount.to_million_string()))
            .collect();
        let want: Vec<(String, String, String)> =
            transfers.iter().map(|(f, t, a)| (f.clone(), t.clone(), million_text(a))).collect();
        assert_eq!(got, want, "{name}: transfers");
    }
    if let Some(below) = &e.below_min {
        let got: Vec<(String, String, String)> = p
            .transfers
            .iter()
            .filter(|t| t.below_min_reason.is_some() || t.amount < model.settings.min_transfer)
            .map(|t| {
                let reason = serde_json::to_value(t.below_min_reason).expect("a reason serialises");
                (key(&portfolio, t.from), key(&portfolio, t.to), reason.as_str().unwrap_or("none").to_owned())
            })
            .collect();
        assert_eq!(&got, below, "{name}: transfers below min_transfer");
    }
    // Notes as the JSON document has them (English, rows by id), prefixed with their pool.
    let id = |&i: &usize| portfolio.rows().get(i).map_or_else(|| format!("#{i}"), |r| r.id.to_string());
    let notes: Vec<String> = p
        .pools
        .iter()
        .flat_map(|o| o.notes.iter().map(move |n| (o.source, n)))
        .map(|(source, n)| format!("{}: {}", source.code(), text::pool_note(&n.map_rows(id), Lang::En)))
        .collect();
    for note in &e.notes {
        assert!(
            notes.iter().any(|n| n.contains(note.as_str())),
            "{name}: no note contains `{note}`; notes: {notes:#?}"
        );
    }
    if let Some(binding) = &e.binding {
        for c in &p.constraints {
            assert_eq!(
                c.binding,
                binding.contains(&c.name),
                "{name}: constraint `{}` binding = {}",
                c.name,
                c.binding
            );
        }
    }
    if let Some(method) = &e.method {
        assert!(p.pools.iter().all(|o| &o.method == method), "{name}: methods {:?}", p.pools);
    }
    if let Some(price) = e.shadow_price {
        assert_eq!(p.pools[0].shadow_price, price, "{name}: shadow price");
    }
    if let Some(best) = &e.best_unfunded {
        assert_eq!(
            p.pools[0].best_unfunded.map(|r| key(&portfolio, r)).as_deref(),
            Some(best.as_str()),
            "{name}: best unfunded"
        );
    }
    // The general LP finds the same optimum, and the LP export describes a model with every column.
    let lp = propose_with(&portfolio, &model, Method::GeneralLp).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!((lp.objective - p.objective).abs() < 1e-6, "{name}: LP {} vs {}", lp.objective, p.objective);
    let text = export_lp(&portfolio, &model).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(text.contains("Maximize") && text.ends_with("End\n"), "{name}: LP export {text}");
    // Where the case has an expected LP file next to it, the export must match it byte for byte
    // (`UPDATE_EXPECT=1` rewrites it, to be reviewed in the diff).
    let lp_path = path.with_extension("lp");
    if std::env::var_os("UPDATE_EXPECT").is_some() && lp_path.exists() {
        std::fs::write(&lp_path, &text).unwrap_or_else(|e| panic!("{}: {e}", lp_path.display()));
    }
    if let Ok(expected) = std::fs::read_to_string(&lp_path) {
        assert_eq!(text, expected, "{name}: LP export differs from {}", lp_path.display());
    }
}

/// A million amount normalised as [`Money::to_million_string`] writes it.
fn million_text(text: &str) -> String {
    let negative = text.starts_with('-');
    let m = million(text.trim_start_matches('-'));
    if negative { (-m).to_million_string() } else { m.to_million_string() }
}

macro_rules! cases {
    ($($name:ident),* $(,)?) => {
        $(#[test] fn $name() { check(stringify!($name)); })*

        /// Every file in the data folder has its test.
        #[test]
        fn every_case_file_is_listed() {
            let listed = [$(stringify!($name)),*];
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/optimize");
            for entry in std::fs::read_dir(&dir).expect("data/optimize") {
                let path = entry.expect("entry").path();
                let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_owned();
                // Expected LP exports (`NAME.lp`) belong to the case of the same name.
                assert!(listed.contains(&stem.as_str()), "{} has no test", path.display());
            }
        }
    };
}

cases!(
    both_sides,
    bounds_floored_to_units,
    crossing_caps_flow,
    greedy_basic,
    locality_cap_binds,
    locked_row_with_bounds,
    min_transfer_51_49_case_is_exact,
    min_transfer_drop,
    nan_value,
    negative_share,
    no_donors,
    pool_move_cap,
    pools_never_mix,
    transfers_no_split_above_min,
    transfers_same_investor,
    transfers_split_above_min,
    zero_min_unit,
);
