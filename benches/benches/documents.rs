//! Criterion benchmarks of the documents of `realloc propose`: every format (JSON, Markdown, HTML,
//! Excel, CSV, Word) rendered from one proposal of a generated national scenario (50,000 rows), side
//! by side, then each format once on 500,000 rows (printed, with the time). Targets: ≤ 1 s at 50,000
//! rows and ≤ 10 s at 500,000 rows for every format.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use realloc::generate::{GenerateOptions, generate_scenario};
use realloc::optimize::propose;
use realloc::report::{DocumentFormat, Lang, ProposalDocument, RulesIdentity, Submission};
use realloc::rules::Rules;
use realloc::scenario::DocumentMeta;

const FORMATS: [(&str, DocumentFormat); 6] = [
    ("json", DocumentFormat::Json),
    ("md", DocumentFormat::Markdown),
    ("html", DocumentFormat::Html),
    ("xlsx", DocumentFormat::Xlsx),
    ("csv", DocumentFormat::Csv),
    ("docx", DocumentFormat::Docx),
];

/// The proposal of a generated scenario of `rows` rows, with its submission.
fn proposal(rows: usize) -> (ProposalDocument, Submission) {
    let scenario = generate_scenario(&GenerateOptions::new(rows, 1));
    let rules = Rules::builtin();
    let assessment = rules.assess(&scenario);
    let proposal = propose(&scenario.portfolio, &assessment.model).expect("valid model");
    let identity = RulesIdentity { name: rules.name.clone(), sha256: rules.sha256().to_owned() };
    let doc = ProposalDocument::build(&scenario, &identity, &assessment, &proposal);
    let meta = DocumentMeta {
        agency: Some("SỞ TÀI CHÍNH".to_owned()),
        parent: Some("UBND TỈNH".to_owned()),
        ..DocumentMeta::default()
    };
    let sub = Submission::new(meta, rules.citations(), &doc);
    (doc, sub)
}

fn documents(c: &mut Criterion) {
    let mut group = c.benchmark_group("documents");
    group.sample_size(10).measurement_time(Duration::from_secs(5)).warm_up_time(Duration::from_secs(1));
    let (doc, sub) = proposal(50_000);
    eprintln!(
        "50,000 rows: {} transfers, {} rows change",
        doc.transfers.len(),
        doc.projects.iter().filter(|p| p.change_vnd != 0).count()
    );
    for (name, format) in FORMATS {
        group.bench_function(format!("{name}/national_50000"), |b| {
            b.iter(|| black_box(doc.render_submission(format, Lang::Vi, &sub).expect("renders")))
        });
    }
    group.finish();
    drop((doc, sub));

    // 500,000 rows: once per format (a criterion sample would take minutes).
    let (doc, sub) = proposal(500_000);
    eprintln!(
        "500,000 rows: {} transfers, {} rows change",
        doc.transfers.len(),
        doc.projects.iter().filter(|p| p.change_vnd != 0).count()
    );
    for (name, format) in FORMATS {
        let start = Instant::now();
        let bytes = doc.render_submission(format, Lang::Vi, &sub).expect("renders");
        eprintln!(
            "documents/{name}/national_500000: {:.2} s, {} MB",
            start.elapsed().as_secs_f64(),
            bytes.len() / 1_000_000
        );
    }
}

criterion_group!(benches, documents);
criterion_main!(benches);
