//! Classifying a national-scale portfolio (50,000 rows) with the default rules: the brief asks ≤ 100 ms.

use criterion::{Criterion, criterion_group, criterion_main};
use realloc::generate::{GenerateOptions, generate_scenario};
use realloc::rules::Rules;
use realloc_benches::synthetic_scenario;

fn classify(c: &mut Criterion) {
    let rules = Rules::builtin();
    let mut group = c.benchmark_group("classify");
    group.sample_size(20);

    let synthetic = synthetic_scenario(50_000, 7);
    group.bench_function("synthetic_50000", |b| b.iter(|| rules.assess(std::hint::black_box(&synthetic))));

    let generated = generate_scenario(&GenerateOptions::new(50_000, 7));
    if generated.portfolio.len() == 50_000 {
        group
            .bench_function("generated_50000", |b| b.iter(|| rules.assess(std::hint::black_box(&generated))));
    } else {
        eprintln!(
            "classify/generated_50000 not run: generate_scenario returned {} rows (the generator is not merged yet)",
            generated.portfolio.len()
        );
    }

    let province = synthetic_scenario(400, 7);
    group.bench_function("synthetic_400", |b| b.iter(|| rules.assess(std::hint::black_box(&province))));
    group.bench_function("parse_default_rules", |b| {
        b.iter(|| Rules::parse(std::hint::black_box(realloc::rules::DEFAULT_RULES), "default.toml"))
    });
    group.finish();
}

criterion_group!(benches, classify);
criterion_main!(benches);
