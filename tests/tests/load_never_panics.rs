//! Property tests: no bytes make the parsers or the loader panic, and every refusal carries at least
//! one error with a location in a named file.

use std::path::Path;

use proptest::prelude::*;
use realloc::diag::{Diagnostics, Location, Severity};
use realloc::load::xlsx::parse_projects_xlsx;
use realloc::load::{
    LoadOptions, load_scenario, load_scenario_with, parse_disbursements, parse_projects,
    parse_projects_table, parse_scenario_toml,
};
use realloc_tests::book::{Layout, scenario_book};
use realloc_tests::{copy_dir, valid_small};

fn read(name: &str) -> Vec<u8> {
    std::fs::read(valid_small().join(name)).expect("fixture file")
}

/// An error diagnostic names a file; the file-level and sheet-level ones (a workbook without the sheet
/// asked for) are the only ones without a line.
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
            assert!(matches!(e.location, Location::File | Location::Sheet { .. }), "{e}");
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
                // Found by the hardening work (issue 14): invisible and control characters.
                b"\0".to_vec(),
                b"\t".to_vec(),
                "\u{200b}".as_bytes().to_vec(),
                "\u{301}".as_bytes().to_vec(),
                "\u{85}".as_bytes().to_vec(),
                b"  ".to_vec(),
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

/// The small scenario as a workbook, written once.
fn small_book() -> &'static [u8] {
    static BOOK: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    BOOK.get_or_init(|| {
        let s = load_scenario(&valid_small()).expect("fixture loads").scenario;
        scenario_book(&s, &Layout::default(), &[])
    })
}

/// `book` with the XML of part `name` changed by `f`, deflated again.
fn with_part(book: &[u8], name: &str, f: impl Fn(&mut Vec<u8>)) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut input = zip::ZipArchive::new(std::io::Cursor::new(book)).expect("a zip");
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    for i in 0..input.len() {
        let mut part = input.by_index(i).expect("a part");
        let part_name = part.name().map(|n| n.into_owned()).expect("a name");
        let mut data = Vec::new();
        part.read_to_end(&mut data).expect("inflates");
        if part_name == name {
            f(&mut data);
        }
        out.start_file(part_name.as_str(), options).expect("a part");
        out.write_all(&data).expect("written");
    }
    out.finish().expect("a zip").into_inner()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// A workbook's bytes flipped, truncated or extended never make the reader panic; a refusal is
    /// located.
    #[test]
    fn mutated_workbook_bytes_never_panic(
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..6),
        cut in any::<Option<prop::sample::Index>>(),
    ) {
        let mut b = small_book().to_vec();
        for (i, v) in &flips {
            let k = i.index(b.len());
            b[k] = *v;
        }
        if let Some(c) = cut {
            b.truncate(c.index(b.len() + 1));
        }
        let (_, d) = parse_projects_xlsx(&b, "book.xlsx", None);
        if d.has_errors() { assert_located(&d); }
    }

    /// The projects sheet's XML, inside a sound zip, with hostile pieces inserted: cells at the last
    /// row and column, a huge declared dimension, shared-string and style indexes out of range,
    /// formulas without values, numbers out of range, control characters. Never a panic, never the
    /// declared rectangle allocated.
    #[test]
    fn hostile_sheet_xml_never_panics(
        edits in prop::collection::vec((any::<prop::sample::Index>(), prop::sample::select(vec![
            "<row r=\"1048576\"><c r=\"XFD1048576\" t=\"inlineStr\"><is><t>x</t></is></c></row>",
            "<c r=\"T1048576\"><v>1</v></c>",
            "<dimension ref=\"A1:XFD1048576\"/>",
            "<c r=\"A3\" t=\"s\"><v>99999999</v></c>",
            "<c r=\"B3\" s=\"4294967295\"><v>1</v></c>",
            "<c r=\"L3\"><f>SUM(A1)</f></c>",
            "<c r=\"L3\"><f t=\"shared\" si=\"4000000000\" ref=\"L3:L4\">NA()</f></c>",
            "<c r=\"L4\"><f t=\"shared\" si=\"4000000000\"/></c>",
            "<c r=\"L3\"><v>1e400</v></c>",
            "<c r=\"ZZZZZ3\"><v>1</v></c>",
            "<c r=\"A0\"><v>1</v></c>",
            "<c r=\"B3\" t=\"inlineStr\"><is><t>a\u{1}b</t></is></c>",
            "</row>",
            "<row>",
            "\0",
        ])), 1..4),
    ) {
        let b = with_part(small_book(), "xl/worksheets/sheet1.xml", |xml| {
            for (at, piece) in &edits {
                // Insert at a tag boundary, so that most edits keep the XML well formed.
                let tags: Vec<usize> = xml.iter().enumerate().filter(|(_, c)| **c == b'<').map(|(i, _)| i).collect();
                let k = if tags.is_empty() { 0 } else { tags[at.index(tags.len())] };
                xml.splice(k..k, piece.bytes());
            }
        });
        let start = std::time::Instant::now();
        let (_, d) = parse_projects_xlsx(&b, "book.xlsx", None);
        prop_assert!(start.elapsed() < std::time::Duration::from_secs(10));
        if d.has_errors() { assert_located(&d); }
    }

    /// `scenario.toml` with keys set to hostile values (paths out of the folder, devices, a FIFO-like
    /// name, huge numbers, wrong types): loading never panics, and refuses with located errors.
    #[test]
    fn hostile_scenario_toml_never_panics(
        sets in prop::collection::vec((
            prop::sample::select(vec!["projects", "disbursements", "rules", "fiscal_year", "as_of", "name", "x"]),
            prop::sample::select(vec![
                "\"/etc/passwd\"", "\"../../etc/passwd\"", "\"/dev/zero\"", "\"/dev/null\"", "\".\"",
                "\"projects.csv\"", "\"disbursements.csv\"", "\"nope.xlsx\"", "\"\"", "99999999999999999999",
                "2025", "\"2025-02-30\"", "[1, 2]", "{ a = 1 }", "\"\\u0000\"", "true",
            ]),
        ), 0..6),
        allow_outside in any::<bool>(),
    ) {
        let tmp = tempfile::tempdir().expect("temp dir");
        copy_dir(&valid_small(), tmp.path()).expect("copy");
        let mut toml = String::from_utf8(read("scenario.toml")).expect("UTF-8");
        for (key, value) in &sets {
            toml = toml
                .lines()
                .filter(|l| !l.starts_with(&format!("{key} =")))
                .map(|l| format!("{l}\n"))
                .collect::<String>()
                + &format!("{key} = {value}\n");
        }
        std::fs::write(tmp.path().join("scenario.toml"), &toml).expect("write");
        match load_scenario_with(tmp.path(), &LoadOptions { allow_outside }) {
            Ok(l) => prop_assert!(!l.scenario.portfolio.is_empty()),
            Err(e) => assert_located(&e.diagnostics),
        }
    }
}
