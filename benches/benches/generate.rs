//! Generating scenarios at province (400 rows) and national (50,000 rows) scale: the portfolio and
//! history in memory, and the text of the three files.
//!
//! Run with `cargo bench -p realloc-benches --bench generate`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use realloc::generate::{GenerateOptions, files_of, generate_scenario};
use realloc_benches::{NATIONAL_ROWS, PROVINCE_ROWS};

fn generate(c: &mut Criterion) {
    let mut group = c.benchmark_group("generate");
    group.sample_size(10);
    for rows in [PROVINCE_ROWS, NATIONAL_ROWS] {
        let opts = GenerateOptions::new(rows, 7);
        group.bench_function(format!("scenario_{rows}"), |b| b.iter(|| black_box(generate_scenario(&opts))));
        let scenario = generate_scenario(&opts);
        group.bench_function(format!("files_{rows}"), |b| b.iter(|| black_box(files_of(&scenario))));
    }
    group.finish();
}

criterion_group!(benches, generate);
criterion_main!(benches);
