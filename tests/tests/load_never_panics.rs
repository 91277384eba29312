//! Property tests: no bytes make the parsers or the loader panic, and every refusal carries at least
//! one error with a location in a named file.

use std::path::Path;

use proptest::prelude::*;
use realloc::diag::{Diagnostics, Location, Severity};
use realloc::load::{
    load_scenario, parse_disbursements, parse_projects, parse_projects_table, parse_scenario_toml,
};
use realloc_tests::{copy_dir, valid_small};

fn read(name: &str) -> Vec<u8> {
    std::fs::read(valid_small().join(name)).expect("fixture file")
}

/// An error diagnostic names a file; the file-level ones are the only ones without a line.
fn assert_located(d: &Diagnostics) {
    assert!(d.error_count() >= 1);
    let errors: Vec<_> = d.iter().filter(|x| x.severity == Severity::Error).collect();
    assert!(!errors.is_empty() || d.dropped() > 0);
    for e in errors {
        assert!(!e.file.is_empty(), "{e}");
        assert!(!e.message.is_empty(), "{e}");
        if let Some(line) = e.line() {
            assert!(line >= 1, "{e}");
        } else {
            assert_eq!(e.location, Location::File, "{e}");
        }
    }
}

/// A mutation of a file's bytes.
#[derive(Clone, Debug)]
enum Mutation {
    Flip(usize, u8),
    DeleteLine(usize),
    DuplicateLine(usize),
    SwapFields(usize, usize, usize),
    Truncate(usize),
    Insert(usize, Vec<u8>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        any::<usize>().prop_map(Mutation::DeleteLine),
        any::<usize>().prop_map(Mutation::DuplicateLine),
        (any::<usize>(), 0usize..20, 0usize..20).prop_map(|(l, a, b)| Mutation::SwapFields(l, a, b)),
        any::<usize>().prop_map(Mutation::Truncate),
        (
            any::<usize>(),
            prop::sample::select(vec![
                b"\"".to_vec(),
                b",".to_vec(),
                b"\n".to_vec(),
                b"\r".to_vec(),
                b"-".to_vec(),
                b"e9".to_vec(),
                b"99999999999999999999".to_vec(),
                b"\xEF\xBB\xBF".to_vec(),
                b"\xFF".to_vec(),
                "đ".as_bytes().to_vec(),
                b";".to_vec(),
                b"=".to_vec(),
                b"[".to_vec(),
                b"NaN".to_vec(),
            ])
        )
            .prop_map(|(i, v)| Mutation::Insert(i, v)),
    ]
}

fn apply(bytes: &[u8], m: &Mutation) -> Vec<u8> {
    let mut lines: Vec<Vec<u8>> = bytes.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    let n = lines.len().max(1);
    match m {
        Mutation::Flip(i, b) => {
            let mut v = bytes.to_vec();
            if !v.is_empty() {
                let k = i % v.len();
                v[k] = *b;
            }
            return v;
        }
        Mutation::Truncate(i) => return bytes[..i % (bytes.len() + 1)].to_vec(),
        Mutation::Insert(i, ins) => {
            let mut v = bytes.to_vec();
            let k = i % (v.len() + 1);
            v.splice(k..k, ins.iter().copied());
            return v;
        }
        Mutation::DeleteLine(i) => {
            if !lines.is_empty() {
                lines.remove(i % n);
            }
        }
        Mutation::DuplicateLine(i) => {
            if !lines.is_empty() {
                let l = lines[i % n].clone();
                lines.insert(i % n, l);
            }
        }
        Mutation::SwapFields(l, a, b) => {
            if !lines.is_empty() {
                let line = &lines[l % n];
                let mut f: Vec<Vec<u8>> = line.split(|&c| c == b',').map(<[u8]>::to_vec).collect();
                let k = f.len();
                f.swap(a % k, b % k);
                lines[l % n] = f.join(&b","[..]);
            }
        }
    }
    lines.join(&b"\n"[..])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let (meta, d) = parse_scenario_toml(&bytes, "scenario.toml");
        if meta.is_none() { assert_located(&d); }
        let (_, d) = parse_projects(&bytes, "projects.csv", None);
        if d.has_errors() { assert_located(&d); }
        let (meta, _) = parse_scenario_toml(&read("scenario.toml"), "scenario.toml");
        let meta = meta.expect("fixture is valid");
        let (table, _) = parse_projects_table(&read("projects.csv"), "projects.csv", meta.amount_format);
        let (_, d) = parse_disbursements(&bytes, "disbursements.csv", &table, &meta);
        prop_assert!(d.has_errors(), "random bytes gave a valid history: {d}");
        assert_located(&d);
    }

    #[test]
    fn mutated_scenarios_never_panic(
        file in prop::sample::select(vec!["scenario.toml", "projects.csv", "disbursements.csv"]),
        muts in prop::collection::vec(mutation(), 1..4),
    ) {
        let tmp = tempfile::tempdir().expect("temp dir");
        copy_dir(&valid_small(), tmp.path()).expect("copy");
        let mut bytes = read(file);
        for m in &muts {
            bytes = apply(&bytes, m);
        }
        std::fs::write(tmp.path().join(file), &bytes).expect("write");
        match load_scenario(Path::new(tmp.path())) {
            Ok(loaded) => {
                // What loads keeps the row invariants.
                for p in loaded.scenario.portfolio.rows() {
                    prop_assert!(p.disbursed <= p.plan);
                    prop_assert!(p.allocated_before + p.plan <= p.total_investment);
                    prop_assert!(!p.id.is_empty());
                }
            }
            Err(e) => assert_located(&e.diagnostics),
        }
    }
}
