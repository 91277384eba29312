//! `realloc::sweep` and `realloc sweep` on the 400-row sample: the frontier moves the way the parameter
//! says, unknown parameters are refused listing the known ones (exit 2), every format renders.

use realloc::load::load_scenario;
use realloc::rules::{ParamError, Rules};
use realloc::sweep::{SweepError, sweep};
use realloc_tests::{run, sample_dir};

#[test]
fn a_larger_min_transfer_means_fewer_transfers_and_less_moved() {
    let scenario = load_scenario(std::path::Path::new(&sample_dir())).unwrap().scenario;
    let rules = Rules::builtin();
    let s = sweep(&scenario, &rules, "min_transfer", &[10.0, 50.0, 500.0, 2000.0]).unwrap();
    assert_eq!(s.current, Some(50.0));
    let v: Vec<f64> = s.points.iter().map(|p| p.value).collect();
    assert_eq!(v, [10.0, 50.0, 500.0, 2000.0], "points in the order given");
    for w in s.points.windows(2) {
        assert!(w[0].transfers >= w[1].transfers, "{:?}", s.points);
        assert!(w[0].moved_vnd >= w[1].moved_vnd, "{:?}", s.points);
        assert!(w[0].objective >= w[1].objective - 1e-6, "{:?}", s.points);
    }
    // The point at the rules' own value is the proposal of `propose`.
    let assessment = rules.assess(&scenario);
    let proposal = realloc::optimize::propose(&scenario.portfolio, &assessment.model).unwrap();
    assert_eq!(s.points[1].moved_vnd, proposal.moved.dong());
    assert_eq!(s.points[1].transfers, proposal.transfers.len());
}

#[test]
fn a_tighter_locality_cap_moves_less() {
    let scenario = load_scenario(std::path::Path::new(&sample_dir())).unwrap().scenario;
    let s = sweep(&scenario, &Rules::builtin(), "locality_cap", &[0.05, 0.3, 1.0]).unwrap();
    assert!(s.points[0].moved_vnd < s.points[1].moved_vnd, "{:?}", s.points);
    assert!(s.points[1].moved_vnd <= s.points[2].moved_vnd, "{:?}", s.points);
    assert!(s.points[0].forecast_rate_after <= s.points[2].forecast_rate_after);
}

#[test]
fn bad_parameters_are_errors_naming_the_value() {
    let scenario = load_scenario(std::path::Path::new(&sample_dir())).unwrap().scenario;
    let rules = Rules::builtin();
    match sweep(&scenario, &rules, "min_transfer", &[100.0, 0.5]) {
        Err(SweepError::Param(ParamError::Value { value, .. })) => assert_eq!(value, 0.5),
        other => panic!("{other:?}"),
    }
    assert!(matches!(sweep(&scenario, &rules, "min_transfer", &[]), Err(SweepError::NoValues { .. })));
    assert!(matches!(
        sweep(&scenario, &rules, "pool_move_cap", &[1.0]),
        Err(SweepError::Param(ParamError::Unknown { .. }))
    ));
}

#[test]
fn cli_sweep_in_every_format() {
    let dir = sample_dir();
    let base = ["sweep", dir.as_str(), "--param", "min_transfer", "--values", "10,100,1000"];
    let (code, md, err) = run(&base);
    assert_eq!(code, 0, "{err}");
    assert!(md.starts_with("# Phân tích kịch bản theo tham số"), "{md}");
    assert_eq!(md.lines().filter(|l| l.starts_with("| 1")).count(), 3, "{md}");
    let with = |extra: &[&str]| {
        let mut a = base.to_vec();
        a.extend_from_slice(extra);
        let (code, out, err) = run(&a);
        assert_eq!(code, 0, "{err}");
        out
    };
    let v: serde_json::Value = serde_json::from_str(&with(&["--format", "json"])).unwrap();
    assert_eq!(v["points"].as_array().map(Vec::len), Some(3));
    assert_eq!(v["param"], "min_transfer");
    let csv = with(&["--format", "csv"]);
    let mut lines = csv.lines();
    assert!(lines.next().unwrap().starts_with("min_transfer,moved,objective,transfers"));
    assert!(lines.next().unwrap().starts_with("10,"));
    let html = with(&["--format", "html", "--lang", "en"]);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        html.contains("<svg") && html.contains("<polyline") && html.contains("min_transfer = 1,000"),
        "{html}"
    );
    assert_eq!(html.matches("<circle").count(), 3);

    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("frontier.html");
    let p = path.to_string_lossy().into_owned();
    let (code, out, err) = run(&["sweep", &dir, "--param", "catch_up", "--values", "0.1,0.5", "-o", &p]);
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty());
    let written = std::fs::read_to_string(&path).unwrap();
    assert!(written.contains("<svg"), "-o FILE.html writes HTML");
}

#[test]
fn cli_sweep_refuses_unknown_parameters_listing_the_known_ones() {
    let dir = sample_dir();
    let (code, out, err) = run(&["sweep", &dir, "--param", "speed", "--values", "1,2"]);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    assert!(err.contains("unknown parameter `speed`") && err.contains("min_transfer, min_unit"), "{err}");
    let (code, _, err) = run(&["sweep", &dir, "--param", "locality_cap", "--values", "0.2,3"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("found 3"), "{err}");
}
