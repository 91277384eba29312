//! Criterion benchmarks of the Monte Carlo of `realloc risk`: 1,000 draws on the 400-row sample
//! scenario (target ≤ 2 s) and on a generated 50,000-row scenario (target ≤ 30 s), and a sweep of
//! four `min_transfer` values on the sample.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use realloc::generate::{GenerateOptions, generate_scenario};
use realloc::load::load_scenario;
use realloc::optimize::propose;
use realloc::risk::{RiskOptions, RiskRow, risk_rows, simulate};
use realloc::rules::Rules;
use realloc::scenario::Scenario;

/// The rows of a scenario after its proposal, with the spread of the built-in rules.
fn rows(scenario: &Scenario) -> (Vec<RiskRow>, f64) {
    let rules = Rules::builtin();
    let spread = rules.risk_spread().cloned().expect("the built-in rules declare [risk]");
    let assessment = rules.assess(scenario);
    let proposal = propose(&scenario.portfolio, &assessment.model).expect("valid model");
    (risk_rows(scenario, &assessment, &proposal.changes, &proposal.pipeline, &spread), spread.correlation)
}

fn sample() -> Scenario {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/lang-son-2025-q3");
    load_scenario(&dir).expect("the sample scenario loads").scenario
}

fn risk(c: &mut Criterion) {
    let mut group = c.benchmark_group("risk");
    group.sample_size(10).measurement_time(Duration::from_secs(10));
    let province = sample();
    let national = generate_scenario(&GenerateOptions::new(50_000, 7));
    for (name, scenario) in [("sample_400", &province), ("national_50000", &national)] {
        let (rows, correlation) = rows(scenario);
        let opts = RiskOptions { correlation, ..RiskOptions::new(1_000, 1, 0.95) };
        group.bench_function(format!("draws_1000/{name}"), |b| {
            b.iter(|| black_box(simulate(&rows, &opts, &|_| {}).expect("valid options")))
        });
    }
    group.bench_function("sweep_min_transfer_4/sample_400", |b| {
        let rules = Rules::builtin();
        b.iter(|| {
            black_box(
                realloc::sweep::sweep(&province, &rules, "min_transfer", &[10.0, 50.0, 200.0, 1000.0])
                    .expect("valid sweep"),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, risk);
criterion_main!(benches);
