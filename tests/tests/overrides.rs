//! Adjustments of a planning session (issue 16, "Keep"): the overrides file's errors with line and
//! column, its round trip, and each kind applied by the pipeline on the sample and on generated
//! scenarios; forced rows in the optimiser against an independent MIP.

use good_lp::{Expression, ProblemVariables, Solution, SolverModel, Variable, microlp, variable};
use proptest::prelude::*;
use realloc::diag::Location;
use realloc::domain::Portfolio;
use realloc::model::Model;
use realloc::money::{DONG_PER_MILLION, Money};
use realloc::optimize::random::{RandomOptions, instance};
use realloc::optimize::{Method, OptimizeError, propose, propose_with};
use realloc::overrides::{Lock, Overrides, SetChange, Unlock};
use realloc::pipeline::{Pipeline, PipelineError, RulesSource, Run};

mod optimize_common;
use optimize_common::with_pool_constraints;

fn sample() -> std::path::PathBuf {
    realloc_tests::workspace_root().join("scenarios/lang-son-2025-q3")
}

fn run_with(o: Option<Overrides>) -> Result<Run, PipelineError> {
    Pipeline::new().rules(RulesSource::Scenario).overrides(o).run_dir(&sample())
}

fn errors(e: PipelineError) -> Vec<(String, Location, String)> {
    match e {
        PipelineError::Overrides { diagnostics, .. } => {
            diagnostics.iter().map(|d| (d.code.to_owned(), d.location.clone(), d.message.clone())).collect()
        }
        other => panic!("expected an overrides error, got {other}"),
    }
}

fn balance(run: &Run) -> i64 {
    run.document.projects.iter().map(|p| p.change_vnd).sum::<i64>()
        + run.document.pipeline.iter().map(|p| p.amount_vnd).sum::<i64>()
}

fn line(run: &Run, id: &str, source: &str) -> realloc::report::ProjectLine {
    run.document
        .projects
        .iter()
        .find(|p| &*p.id == id && p.source.code() == source)
        .cloned()
        .unwrap_or_else(|| panic!("no row {id} {source}"))
}

fn set(id: &str, source: &str, change: Option<i64>, max_change: Option<i64>) -> SetChange {
    SetChange {
        id: id.into(),
        source: source.into(),
        change: change.map(|m| Money::from_dong(m * DONG_PER_MILLION)),
        max_change: max_change.map(|m| Money::from_dong(m * DONG_PER_MILLION)),
        reason: "phiên họp".into(),
        at: None,
    }
}

#[test]
fn parse_errors_name_line_and_column() {
    let text = "[[set]]\nid = \"A\"\nsource = \"NSTW\"\nchange = 1e3\nreason = \"x\"\n\n[[lock]]\nid = \"B\"\nsource = \"NSTW\"\n\n[[set]]\nid = \"C\"\nsource = \"NSTW\"\nchange = 12.1234567\nreason = \"y\"\nmax_chnge = 3\n";
    let d = Overrides::from_toml(text, "o.toml").expect_err("bad file");
    let found: Vec<(String, Location)> = d.iter().map(|x| (x.code.to_owned(), x.location.clone())).collect();
    let pos = |line, column| Location::Position { line, column };
    assert!(found.contains(&("E907".into(), pos(4, 10))), "{found:?}");
    assert!(found.contains(&("E910".into(), pos(7, 1))) || found.iter().any(|f| f.0 == "E910"), "{found:?}");
    assert!(found.contains(&("E907".into(), pos(14, 10))), "{found:?}");
    let typo = d.iter().find(|x| x.code == "E906").expect("unknown key");
    assert!(typo.message.contains("did you mean `max_change`"), "{}", typo.message);
    assert_eq!(typo.location, pos(16, 13));
    // A syntax error.
    let d = Overrides::from_toml("[[lock]\nid = 1", "o.toml").expect_err("not TOML");
    assert!(d.iter().all(|x| x.code == "E901" && matches!(x.location, Location::Position { line: 1, .. })));
    // NaN and too many decimals.
    for bad in ["change = nan", "change = inf", "change = 1.0000001", "max_change = \"5\""] {
        let t = format!("[[set]]\nid = \"A\"\nsource = \"NSTW\"\n{bad}\nreason = \"r\"\n");
        assert!(Overrides::from_toml(&t, "o.toml").is_err(), "{bad} accepted");
    }
}

#[test]
fn money_is_read_exactly() {
    let t = "[[set]]\nid = \"A\"\nsource = \"NSTW\"\nmax_change = -12.5\nreason = \"r\"\nat = 2026-11-30T09:12:00+07:00\n";
    let o = Overrides::from_toml(t, "o.toml").expect("valid");
    assert_eq!(o.set[0].max_change, Some(Money::from_dong(-12_500_000)));
    assert_eq!(o.set[0].at.as_deref(), Some("2026-11-30T09:12:00+07:00"));
    let t = "[[set]]\nid = \"A\"\nsource = \"NSTW\"\nchange = 999999999.999999\nreason = \"r\"\n";
    let o = Overrides::from_toml(t, "o.toml").expect("valid");
    assert_eq!(o.set[0].change, Some(Money::from_dong(999_999_999_999_999)));
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof!["[a-zA-Z0-9_-]{1,8}", "\\PC{0,12}", Just("Giữ nguyên \"theo\" chỉ đạo\\\n\ttab".to_owned())]
        .prop_filter("required texts are not blank", |s| !s.trim().is_empty())
}

fn when() -> impl Strategy<Value = Option<String>> {
    prop::option::of(Just("2026-11-30T09:12:00+07:00".to_owned()))
}

fn money() -> impl Strategy<Value = Money> {
    (-999_999_999_999_999i64..=999_999_999_999_999).prop_map(Money::from_dong)
}

fn overrides() -> impl Strategy<Value = Overrides> {
    let lock =
        (text(), text(), text(), when()).prop_map(|(id, source, reason, at)| Lock { id, source, reason, at });
    let unlock = (text(), text(), text(), when()).prop_map(|(id, source, reason, at)| Unlock {
        id,
        source,
        reason,
        at,
    });
    let set = (text(), text(), money(), any::<bool>(), text(), when()).prop_map(
        |(id, source, m, cap, reason, at)| SetChange {
            id,
            source,
            change: (!cap).then_some(m),
            max_change: cap.then_some(m),
            reason,
            at,
        },
    );
    let params = prop::collection::btree_map(
        "\\PC{1,10}",
        prop_oneof![
            any::<f64>().prop_filter("finite", |x| x.is_finite()),
            (-1000i64..1000).prop_map(|x| x as f64)
        ],
        0..4,
    );
    (
        prop::collection::vec(lock, 0..3),
        prop::collection::vec(unlock, 0..3),
        prop::collection::vec(set, 0..3),
        params,
    )
        .prop_map(|(lock, unlock, set, params)| Overrides {
            lock,
            unlock,
            set,
            params,
            ..Overrides::default()
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn to_toml_round_trips(o in overrides()) {
        let text = o.to_toml();
        let back = Overrides::from_toml(&text, "o.toml").map_err(|d| TestCaseError::fail(format!("{d}\n{text}")))?;
        prop_assert_eq!(&back, &o);
        prop_assert_eq!(back.to_toml(), text);
    }
}

#[test]
fn a_locked_donor_releases_nothing_and_totals_balance() {
    let base = run_with(None).expect("sample proposes");
    let donor = base
        .document
        .projects
        .iter()
        .filter(|p| p.change_vnd < 0)
        .min_by_key(|p| p.change_vnd)
        .expect("a donor");
    let (id, source) = (donor.id.to_string(), donor.source.code().to_owned());
    let o = Overrides {
        lock: vec![Lock {
            id: id.clone(),
            source: source.clone(),
            reason: "Giữ nguyên theo chỉ đạo".into(),
            at: None,
        }],
        ..Overrides::default()
    };
    let run = run_with(Some(o)).expect("proposes");
    let l = line(&run, &id, &source);
    assert_eq!(l.change_vnd, 0);
    assert!(l.locked);
    assert_eq!(l.lock_reason.as_deref(), Some("Giữ nguyên theo chỉ đạo"));
    assert_eq!(balance(&run), 0);
    assert!(run.document.summary.moved_vnd < base.document.summary.moved_vnd + 1);
    assert_eq!(run.document.overrides.len(), 1);
    assert_eq!(run.document.overrides[0].kind, "lock");
    // The documents list it.
    let md = run.document.render(realloc::report::DocumentFormat::Markdown, realloc::report::Lang::Vi);
    let md = String::from_utf8(md.expect("renders")).expect("utf-8");
    assert!(md.contains("Điều chỉnh tại phiên họp") && md.contains("Giữ nguyên theo chỉ đạo"));
}

#[test]
fn no_overrides_and_empty_overrides_give_the_same_json() {
    let a = run_with(None).expect("runs").document.to_json();
    let b = run_with(Some(Overrides::default())).expect("runs").document.to_json();
    assert_eq!(a, b);
    assert!(!a.contains("\"overrides\""));
}

#[test]
fn a_forced_change_is_honoured_exactly_and_a_cap_holds() {
    let base = run_with(None).expect("sample proposes");
    // A row that does not move today, with room to give: force it to give 300 million.
    let giver = base
        .assessment
        .rows
        .iter()
        .zip(base.scenario.portfolio.rows())
        .zip(&base.proposal.changes)
        .find(|((a, p), c)| {
            c.is_zero()
                && !p.locked
                && a.bounds.releasable == Money::ZERO
                && (p.plan - p.disbursed).dong() > 400 * DONG_PER_MILLION
                && p.source.code() == "NSTW"
        })
        .map(|((_, p), _)| (p.id.to_string(), p.source.code().to_owned()))
        .expect("an idle NSTW row with capital left");
    let donor = base
        .document
        .projects
        .iter()
        .filter(|p| p.change_vnd < -200 * DONG_PER_MILLION)
        .max_by_key(|p| p.change_vnd)
        .expect("a donor");
    let cap = (-donor.change_vnd / DONG_PER_MILLION) / 2;
    let o = Overrides {
        set: vec![
            set(&giver.0, &giver.1, Some(-300), None),
            set(&donor.id, donor.source.code(), None, Some(-cap)),
        ],
        ..Overrides::default()
    };
    let run = run_with(Some(o)).expect("proposes");
    assert_eq!(line(&run, &giver.0, &giver.1).change_vnd, -300 * DONG_PER_MILLION);
    let capped = line(&run, &donor.id, donor.source.code()).change_vnd;
    assert!(capped <= 0 && -capped <= cap * DONG_PER_MILLION, "{capped} beyond the cap {cap}");
    assert_eq!(balance(&run), 0);
    // Transfers realise the forced change.
    let from: i64 = run
        .document
        .transfers
        .iter()
        .filter(|t| *t.from == *giver.0 && t.source.code() == giver.1)
        .map(|t| t.amount_vnd)
        .sum();
    assert_eq!(from, 300 * DONG_PER_MILLION);
}

#[test]
fn a_change_beyond_the_legal_bounds_is_refused() {
    let base = run_with(None).expect("runs");
    let p = &base.scenario.portfolio.rows()[0];
    let too_much = (p.plan - p.disbursed).dong() / DONG_PER_MILLION + 10;
    let o =
        Overrides { set: vec![set(&p.id, p.source.code(), Some(-too_much), None)], ..Overrides::default() };
    let e = errors(run_with(Some(o)).expect_err("beyond the law"));
    assert_eq!(e[0].0, "E921", "{e:?}");
    assert!(e[0].2.contains("at most"), "{}", e[0].2);
}

#[test]
fn unknown_rows_and_params_are_named_with_line_column_and_a_suggestion() {
    let base = run_with(None).expect("runs");
    let p = &base.scenario.portfolio.rows()[3];
    let typo = format!("{}9", p.id);
    let text = format!(
        "[params]\nmin_transfr = 100\n\n[[lock]]\nid = \"{typo}\"\nsource = \"{}\"\nreason = \"r\"\n",
        p.source.code()
    );
    let o = Overrides::from_toml(&text, "o.toml").expect("well-formed");
    let e = errors(run_with(Some(o.clone())).expect_err("unknown param"));
    assert_eq!(e[0].0, "E914");
    assert_eq!(e[0].1, Location::Position { line: 2, column: 15 });
    assert!(e[0].2.contains("did you mean `min_transfer`"), "{}", e[0].2);
    let o = Overrides { params: Default::default(), ..o };
    let e = errors(run_with(Some(o)).expect_err("unknown row"));
    assert_eq!(e[0].0, "E917");
    assert_eq!(e[0].1, Location::Position { line: 5, column: 6 });
    assert!(e[0].2.contains(&format!("did you mean `{}`", p.id)), "{}", e[0].2);
}

#[test]
fn params_move_the_result_as_sweep_does() {
    let mut o = Overrides::default();
    o.params.insert("min_transfer".into(), 500.0);
    let run = run_with(Some(o)).expect("runs");
    // The same as the rules with the parameter changed, as `sweep` builds them.
    let mut pipe = Pipeline::new();
    let mut prepared = pipe.prepare_dir(&sample()).expect("loads");
    prepared.rules = prepared.rules.with_param("min_transfer", 500.0).expect("known");
    let swept = pipe.run_prepared(prepared).expect("runs");
    let changes = |r: &Run| r.document.projects.iter().map(|p| p.change_vnd).collect::<Vec<_>>();
    assert_eq!(changes(&run), changes(&swept));
    assert!(changes(&run).iter().all(|&c| c == 0 || c.abs() >= 500 * DONG_PER_MILLION));
    assert_ne!(changes(&run), changes(&run_with(None).expect("runs")));
}

#[test]
fn unlock_lifts_an_input_lock() {
    let base = run_with(None).expect("runs");
    let (i, p) =
        base.scenario.portfolio.rows().iter().enumerate().find(|(_, p)| p.locked).expect("a locked row");
    assert_eq!(
        base.assessment.rows[i].bounds,
        realloc::model::RowBounds {
            releasable: Money::ZERO,
            absorbable: Money::ZERO,
            ..base.assessment.rows[i].bounds
        }
    );
    let o = Overrides {
        unlock: vec![Unlock {
            id: p.id.to_string(),
            source: p.source.code().into(),
            reason: "mở khóa".into(),
            at: None,
        }],
        ..Overrides::default()
    };
    match run_with(Some(o)) {
        Ok(run) => {
            assert!(!run.scenario.portfolio.rows()[i].locked);
            assert_eq!(balance(&run), 0);
        }
        // The rules keep it out: said, not invented.
        Err(e) => assert_eq!(errors(e)[0].0, "E920"),
    }
}

#[test]
fn bad_overrides_exit_2_and_write_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let o = dir.path().join("o.toml");
    std::fs::write(&o, "[[lock]]\nid = \"NO-SUCH\"\nsource = \"NSTW\"\nreason = \"r\"\n").expect("write");
    let out = dir.path().join("p.json");
    let r = realloc_tests::run_cli([
        "propose".as_ref(),
        sample().as_os_str(),
        "--overrides".as_ref(),
        o.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("o.toml") && r.stderr.contains("E917"), "{}", r.stderr);
    assert!(!out.exists());
    // A folder is not an overrides file.
    let r = realloc_tests::run_cli([
        "propose".as_ref(),
        sample().as_os_str(),
        "--overrides".as_ref(),
        dir.path().as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(!out.exists());
}

#[test]
fn the_cli_reproduces_the_library_and_records_the_digest() {
    let dir = tempfile::tempdir().expect("temp dir");
    let o = dir.path().join("o.toml");
    let base = run_with(None).expect("runs");
    let donor = base.document.projects.iter().find(|p| p.change_vnd < 0).expect("a donor");
    let ov = Overrides {
        lock: vec![Lock {
            id: donor.id.to_string(),
            source: donor.source.code().into(),
            reason: "giữ".into(),
            at: Some("2026-11-30T09:12:00+07:00".into()),
        }],
        ..Overrides::default()
    };
    std::fs::write(&o, ov.to_toml()).expect("write");
    let out = dir.path().join("p.json");
    let r = realloc_tests::run_cli([
        "propose".as_ref(),
        sample().as_os_str(),
        "--overrides".as_ref(),
        o.as_os_str(),
        "-o".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let json = realloc_tests::json(&std::fs::read_to_string(&out).expect("written"));
    let lib = run_with(Some(ov)).expect("runs");
    let ours: Vec<i64> = lib.document.projects.iter().map(|p| p.change_vnd).collect();
    let cli: Vec<i64> = json["projects"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|p| p["change_vnd"].as_i64().unwrap_or(1))
        .collect();
    assert_eq!(ours, cli);
    assert_eq!(json["overrides"][0]["kind"], "lock");
    let digests = json["manifest"]["inputs_sha256"].as_object().expect("digests");
    let sha = realloc::load::sha256_hex(&std::fs::read(&o).expect("read"));
    assert!(digests.values().any(|v| v == &serde_json::Value::from(sha.clone())), "{digests:?}");
}

#[test]
fn a_forced_release_the_pool_cannot_place_is_refused_by_the_optimiser() {
    let mut portfolio = Portfolio::new();
    let mut d = realloc_tests::project("D");
    d.plan = Money::from_dong(1000 * DONG_PER_MILLION);
    let r = realloc_tests::project("R");
    for p in [d, r] {
        portfolio.insert(p).expect("distinct");
    }
    let m = |x: i64| Money::from_dong(x * DONG_PER_MILLION);
    let model = Model {
        rows: vec![
            realloc::model::RowBounds {
                releasable: m(100),
                absorbable: Money::ZERO,
                value_in: 0.0,
                value_out: 5.0,
            },
            realloc::model::RowBounds {
                releasable: Money::ZERO,
                absorbable: m(60),
                value_in: 1.0,
                value_out: 0.0,
            },
        ],
        forced: vec![0],
        ..Default::default()
    };
    match propose(&portfolio, &model) {
        Err(OptimizeError::Forced { asked, placed, .. }) => {
            assert_eq!((asked, placed), (m(-100), m(-60)));
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    // With room enough, the forced release is placed even at a loss (value_out 5 > value_in 1).
    let mut model = model;
    model.rows[1].absorbable = m(150);
    let p = propose(&portfolio, &model).expect("placed");
    assert_eq!(p.changes, vec![m(-100), m(100)]);
}

/// The semi-continuous MIP of `optimize_exact.rs`, with forced rows fixed at their bound; `None` when
/// infeasible.
fn independent_mip(portfolio: &Portfolio, model: &Model) -> Option<f64> {
    let unit = model.settings.min_unit.dong();
    let m = ((model.settings.min_transfer.dong() + unit - 1) / unit).max(1);
    let to_million = unit as f64 / DONG_PER_MILLION as f64;
    let mut vars = ProblemVariables::new();
    let mut objective = Expression::default();
    let mut semi = Vec::new();
    let mut fixed = Vec::new();
    let mut r: Vec<Option<Variable>> = Vec::new();
    let mut a: Vec<Option<Variable>> = Vec::new();
    for (i, b) in model.rows.iter().enumerate() {
        let forced = model.forced.contains(&i);
        let mut column = |bound: i64| {
            if forced && bound > 0 {
                let x = vars.add(variable().integer().min(bound as f64).max(bound as f64));
                fixed.push(x);
                Some(x)
            } else {
                (bound >= m).then(|| {
                    let x = vars.add(variable().integer().min(0).max(bound as f64));
                    let y = vars.add(variable().binary());
                    semi.push((x, y, bound));
                    x
                })
            }
        };
        let rv = column(b.releasable.dong() / unit);
        let av = column(b.absorbable.dong() / unit);
        if let Some(v) = rv {
            objective.add_mul(-b.value_out * to_million, v);
        }
        if let Some(v) = av {
            objective.add_mul(b.value_in * to_million, v);
        }
        r.push(rv);
        a.push(av);
    }
    let mut mip = vars.maximise(objective).using(microlp);
    for (x, y, bound) in semi {
        mip = mip.with((x - (m as f64) * y).geq(0.0));
        mip = mip.with((x - (bound as f64) * y).leq(0.0));
    }
    mip = with_pool_constraints(mip, portfolio, model, &r, &a, unit);
    let solution = mip.solve().ok()?;
    let value = |v: &Option<Variable>| v.map_or(0.0, |v| solution.value(v).round());
    Some(
        model
            .rows
            .iter()
            .enumerate()
            .map(|(i, b)| (b.value_in * value(&a[i]) - b.value_out * value(&r[i])) * to_million)
            .sum(),
    )
}

fn options() -> impl Strategy<Value = (RandomOptions, Vec<usize>)> {
    (
        (4usize..24, any::<u64>(), 1usize..3, 1usize..4, 1usize..4),
        (prop::option::of(0.05f64..0.8), prop::option::of(0.05f64..0.8), prop::option::of(0i64..3000)),
        (prop::sample::select(vec![0i64, 2, 50, 300]), prop::collection::vec(0usize..24, 1..4)),
    )
        .prop_map(|((rows, seed, pools, localities, investors), (loc, inv, cap), (min, forced))| {
            let mut o = RandomOptions::new(rows, seed);
            o.pools = pools;
            o.localities = localities;
            o.investors = investors;
            o.locked_share = 0.1;
            o.locality_share = loc;
            o.investor_share = inv;
            o.pool_cap_million = cap;
            o.min_transfer_million = min;
            (o, forced)
        })
}

/// A random instance with the rows `picks` (those that can) forced at half their bound, at least one
/// `min_transfer`, in whole units.
fn force_some(opts: &RandomOptions, picks: Vec<usize>) -> (Portfolio, Model, Vec<usize>) {
    let (portfolio, mut model) = instance(opts);
    let unit = model.settings.min_unit.dong();
    let m = ((model.settings.min_transfer.dong() + unit - 1) / unit).max(1);
    let mut forced: Vec<usize> =
        picks.into_iter().map(|k| k % portfolio.len()).filter(|&i| !portfolio.rows()[i].locked).collect();
    forced.sort_unstable();
    forced.dedup();
    forced.retain(|&i| {
        let b = &mut model.rows[i];
        let bound = b.releasable.max(b.absorbable).dong() / unit;
        let units = (bound / 2).max(m);
        if units > bound || bound == 0 {
            return false;
        }
        let amount = Money::from_dong(units * unit);
        if b.releasable > Money::ZERO {
            b.releasable = amount;
        } else {
            b.absorbable = amount;
        }
        true
    });
    model.forced = forced.clone();
    (portfolio, model, forced)
}

/// The property test below meets both outcomes often: forced rows placed, and refused.
#[test]
fn forced_rows_are_exercised_both_ways() {
    let (mut placed, mut refused) = (0, 0);
    for seed in 0..200u64 {
        let mut o = RandomOptions::new(12, seed);
        o.localities = 2;
        o.locality_share = Some(0.3);
        o.min_transfer_million = [0, 50][seed as usize % 2];
        let (portfolio, model, forced) = force_some(&o, vec![seed as usize, seed as usize * 7 + 3]);
        if forced.is_empty() {
            continue;
        }
        match propose(&portfolio, &model) {
            Ok(_) => placed += 1,
            Err(OptimizeError::Forced { .. }) => refused += 1,
            Err(e) => panic!("{e}"),
        }
    }
    assert!(placed > 20 && refused > 5, "placed {placed}, refused {refused}");
}

/// The LP export fixes a forced column at its bound and leaves it out of the semi-continuous ones.
#[test]
fn the_lp_export_fixes_forced_columns() {
    let (portfolio, model, forced) = (0..200u64)
        .map(|k| {
            let mut o = RandomOptions::new(12, k);
            o.min_transfer_million = 50;
            force_some(&o, vec![k as usize])
        })
        .find(|x| !x.2.is_empty() && propose(&x.0, &x.1).is_ok())
        .expect("a placeable instance");
    let lp = realloc::optimize::export_lp(&portfolio, &model).expect("exports");
    let unit = model.settings.min_unit.dong();
    for &i in &forced {
        let b = &model.rows[i];
        let (side, bound) =
            if b.releasable > Money::ZERO { ("r", b.releasable) } else { ("a", b.absorbable) };
        let units = bound.dong() / unit;
        let column = lp
            .lines()
            .find(|l| {
                l.trim_start().starts_with(&format!("{units} <= {side}_"))
                    && l.trim_end().ends_with(&format!("_{i} <= {units}"))
            })
            .unwrap_or_else(|| panic!("row {i} not fixed at {units}:\n{lp}"));
        let name = column.split_whitespace().nth(2).expect("name").to_owned();
        let semi = lp.split("Semi-Continuous").nth(1).unwrap_or("");
        assert!(!semi.split_whitespace().any(|w| w == name), "{name} is semi-continuous");
    }
}

/// Generated scenarios through the whole pipeline: a locked donor gives nothing, a forced change is
/// honoured exactly (or refused as unplaceable), a cap holds, and every pool still balances.
#[test]
fn each_kind_on_generated_scenarios() {
    use realloc::generate::{GenerateOptions, generate_scenario};
    let mut forced_seen = 0;
    for seed in 1..=4u64 {
        let scenario = generate_scenario(&GenerateOptions::new(300, seed));
        let base = Pipeline::new().run_scenario(scenario.clone(), "gen").expect("proposes");
        let rows = base.scenario.portfolio.rows();
        let changes = &base.proposal.changes;
        let Some(donor) = (0..rows.len()).filter(|&i| changes[i] < Money::ZERO).min_by_key(|&i| changes[i])
        else {
            continue;
        };
        let capped = (0..rows.len())
            .filter(|&i| i != donor && changes[i] < -Money::from_dong(2 * DONG_PER_MILLION))
            .max_by_key(|&i| changes[i]);
        // A forced change of one min_transfer (whole millions), from a row that does not move today.
        let settings = base.assessment.model.settings;
        let force = (settings.min_transfer.dong() + DONG_PER_MILLION - 1) / DONG_PER_MILLION;
        let force = force.max(settings.min_unit.dong() / DONG_PER_MILLION).max(1);
        let idle = (0..rows.len()).find(|&i| {
            changes[i].is_zero()
                && !rows[i].locked
                && (rows[i].plan - rows[i].disbursed).dong() >= force * DONG_PER_MILLION
                && settings.min_unit.dong() <= DONG_PER_MILLION
        });
        let key = |i: usize| (rows[i].id.to_string(), rows[i].source.code().to_owned());
        let mut o = Overrides {
            lock: vec![Lock { id: key(donor).0, source: key(donor).1, reason: "giữ".into(), at: None }],
            ..Overrides::default()
        };
        if let Some(c) = capped {
            let cap = (-changes[c].dong() / DONG_PER_MILLION) / 2;
            o.set.push(set(&key(c).0, &key(c).1, None, Some(-cap)));
        }
        if let Some(i) = idle {
            o.set.push(set(&key(i).0, &key(i).1, Some(-force), None));
        }
        let run = match Pipeline::new().overrides(Some(o.clone())).run_scenario(scenario, "gen") {
            Ok(run) => run,
            Err(e) => {
                // Refused only as unplaceable, or for a row in no pool.
                let e = errors(e);
                assert!(e[0].0 == "E926" || e[0].0 == "E925", "{e:?}");
                continue;
            }
        };
        assert_eq!(run.proposal.changes[donor], Money::ZERO);
        assert_eq!(balance(&run), 0);
        if let Some(c) = capped {
            let got = run.proposal.changes[c];
            assert!(got <= Money::ZERO && got.dong() >= o.set[0].max_change.map_or(0, |m| m.dong()), "{got}");
        }
        if let Some(i) = idle {
            assert_eq!(run.proposal.changes[i], Money::from_dong(-force * DONG_PER_MILLION));
            forced_seen += 1;
        }
    }
    assert!(forced_seen > 0, "no generated scenario had a forced row placed");
}

/// The same adjustments give the same proposal from a folder and from the same files in memory.
#[test]
fn in_memory_runs_apply_overrides_as_folder_runs() {
    let toml = "name = \"Ví dụ\"\nprovince = \"Lạng Sơn\"\nfiscal_year = 2025\nas_of = \"2025-09-30\"\ndeadline = \"2026-01-31\"\nprojects = \"projects.csv\"\n";
    let csv = "id,name,investor,locality,sector,source,group,status,key_project,total_investment,allocated_before,plan,disbursed,unpaid_volume,site_clearance_pct,physical_progress_pct,start_year,end_year,obstacles,locked\n\
A1,Đường chậm,Ban QLDA,Xã A,giao thông,NSTW,B,ongoing,false,50000,10000,20000,1000,0,20,5,2024,2027,land,false\n\
A2,Cầu chậm,Ban QLDA,Xã A,giao thông,NSTW,B,ongoing,false,50000,10000,20000,1000,0,20,5,2024,2027,land,false\n\
B2,Trường nhanh,Ban QLDA,Xã B,giáo dục,NSTW,C,ongoing,false,30000,10000,10000,9500,3000,100,90,2024,2025,,false\n";
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("scenario.toml"), toml).expect("write");
    std::fs::write(dir.path().join("projects.csv"), csv).expect("write");
    let o = Overrides {
        lock: vec![Lock { id: "A1".into(), source: "NSTW".into(), reason: "giữ".into(), at: None }],
        set: vec![set("A2", "NSTW", Some(-700), None)],
        ..Overrides::default()
    };
    let folder = Pipeline::new().overrides(Some(o.clone())).run_dir(dir.path()).expect("runs");
    let mem =
        realloc::load::InMemoryScenario::new("upload", toml.as_bytes()).file("projects.csv", csv.as_bytes());
    let memory = Pipeline::new().overrides(Some(o)).run_in_memory(&mem).expect("runs");
    assert_eq!(folder.proposal.changes, memory.proposal.changes);
    let m = |x: i64| Money::from_dong(x * DONG_PER_MILLION);
    assert_eq!(memory.proposal.changes, vec![Money::ZERO, m(-700), m(700)]);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Random instances with some rows forced at (a whole-unit part of) their bound: the optimiser
    /// honours every forced row exactly and reaches the MIP's objective, or refuses exactly when the
    /// MIP is infeasible.
    #[test]
    fn forced_rows_match_an_independent_mip((opts, picks) in options()) {
        let (portfolio, model, forced) = force_some(&opts, picks);
        let mip = independent_mip(&portfolio, &model);
        match (propose(&portfolio, &model), mip) {
            (Ok(p), Some(mip)) => {
                for &i in &forced {
                    let b = &model.rows[i];
                    let want = if b.releasable > Money::ZERO { -b.releasable } else { b.absorbable };
                    prop_assert_eq!(p.changes[i], want, "forced row {} not honoured", i);
                }
                let net: i64 = p.changes.iter().map(|c| c.dong()).sum();
                prop_assert_eq!(net, 0);
                if p.pools.iter().all(|o| o.gap == 0.0) {
                    let tol = 1e-6 * (1.0 + mip.abs());
                    prop_assert!((p.objective - mip).abs() <= tol, "objective {} vs MIP {}", p.objective, mip);
                    for method in [Method::Flow, Method::GeneralLp] {
                        let q = propose_with(&portfolio, &model, method).expect("placeable by every method");
                        prop_assert!((q.objective - mip).abs() <= tol, "{:?}: {} vs MIP {}", method, q.objective, mip);
                    }
                }
            }
            (Err(OptimizeError::Forced { .. }), None) => {}
            (got, mip) => prop_assert!(false, "optimiser {:?} but MIP {:?}", got.map(|p| p.objective), mip),
        }
    }
}
