//! The proposal documents: Markdown snapshots in both languages, the CSV table, the JSON round trip
//! and the content every renderer must carry.

use realloc::report::{DocumentFormat, Lang, ProposalDocument};
use realloc_tests::{fixture_document, fixture_document_with_authorities};

#[test]
fn markdown_vi_snapshot() {
    insta::assert_snapshot!("markdown_vi", fixture_document_with_authorities().to_markdown(Lang::Vi));
}

#[test]
fn markdown_en_snapshot() {
    insta::assert_snapshot!("markdown_en", fixture_document_with_authorities().to_markdown(Lang::En));
}

#[test]
fn markdown_sections_come_in_the_order_of_the_issue() {
    let md = fixture_document_with_authorities().to_markdown(Lang::Vi);
    let order = [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: \\[chưa có số hiệu\\]",
        "# TỜ TRÌNH",
        "Kính gửi: Ủy ban nhân dân tỉnh Lạng Sơn",
        "đến ngày 30/09/2025",
        "đến ngày 31/01/2026",
        "## I. ĐÁNH GIÁ TÌNH HÌNH GIẢI NGÂN",
        "PHÂN NHÓM",
        "## II. ĐỀ XUẤT ĐIỀU CHỈNH KẾ HOẠCH VỐN",
        "## III. VỐN CÒN NHÀN RỖI",
        "## IV. KIẾN NGHỊ",
        "Nơi nhận",
        "# PHỤ LỤC I",
        "CHI TIẾT ĐIỀU CHUYỂN",
        "THÔNG TIN KỸ THUẬT CỦA PHƯƠNG ÁN",
        "## 1. CÁC ĐIỀU KIỆN RÀNG BUỘC",
        "## 2. PHÂN TÍCH ĐỘ NHẠY",
        "## 3. THÔNG TIN TÍNH TOÁN",
    ];
    let mut at = 0;
    for needle in order {
        match md[at..].find(needle) {
            Some(i) => at += i + needle.len(),
            None => panic!("`{needle}` missing or out of order in:\n{md}"),
        }
    }
}

#[test]
fn markdown_shows_vietnamese_numbers_and_english_numbers() {
    let doc = fixture_document_with_authorities();
    let vi = doc.to_markdown(Lang::Vi);
    let en = doc.to_markdown(Lang::En);
    // 74,700 million moved (whole: no decimals); DP-011's plan 12,345.678 million.
    assert!(vi.contains("**74.700**"), "{vi}");
    assert!(en.contains("**74,700**"), "{en}");
    assert!(vi.contains("12.345,678") && en.contains("12,345.678"));
    assert!(vi.contains("điểm phần trăm") && en.contains(" pp"));
    assert!(en.contains("30 September 2025"));
}

#[test]
fn markdown_escapes_table_breaking_characters() {
    let mut doc = fixture_document_with_authorities();
    doc.projects[0].name = "Đường | nhánh *A* _B_ <script>".into();
    let md = doc.to_markdown(Lang::Vi);
    assert!(md.contains("Đường \\| nhánh \\*A\\* \\_B\\_ &lt;script&gt;"), "{md}");
    // Every row of the first appendix keeps the header's column count.
    let table: Vec<&str> = md
        .split("# PHỤ LỤC I")
        .nth(1)
        .and_then(|s| s.split("CHI TIẾT ĐIỀU CHUYỂN").next())
        .unwrap_or_default()
        .lines()
        .filter(|l| l.starts_with('|'))
        .collect();
    let cols = |l: &str| l.replace("\\|", "").matches('|').count();
    assert!(table.len() >= 3);
    assert!(table.iter().all(|l| cols(l) == cols(table[0])), "{table:#?}");
}

#[test]
fn totals_in_the_document_match_the_transfers() {
    let doc = fixture_document_with_authorities();
    let transferred: i64 = doc.transfers.iter().map(|t| t.amount_vnd).sum();
    assert_eq!(transferred, doc.summary.moved_vnd);
    assert_eq!(doc.summary.moved_vnd, 74_700_000_000);
    let released: i64 = doc.localities.iter().map(|l| l.released_vnd).sum();
    let added: i64 = doc.localities.iter().map(|l| l.added_vnd).sum();
    assert_eq!((released, added), (transferred, transferred));
    assert_eq!(doc.localities[0].locality, "Xã Đồng Đăng");
}

#[test]
fn json_round_trips_with_the_new_fields() {
    let doc = fixture_document_with_authorities();
    let json = doc.to_json();
    let back: ProposalDocument = serde_json::from_str(&json).expect("the document's own JSON reads back");
    assert_eq!(back, doc);
    // An older proposal without the additions still reads.
    let mut value: serde_json::Value = serde_json::from_str(&json).expect("json");
    if let Some(o) = value.as_object_mut() {
        o.remove("localities");
    }
    let old: ProposalDocument = serde_json::from_value(value).expect("older JSON reads");
    assert!(old.localities.is_empty());
}

#[test]
fn csv_lists_every_row_with_exact_amounts() {
    let doc = fixture_document_with_authorities();
    let bytes = doc.render(DocumentFormat::Csv, Lang::Vi).expect("csv renders");
    let text = String::from_utf8(bytes).expect("utf-8");
    let header = text.lines().next().unwrap_or_default().trim_start_matches('\u{feff}');
    assert!(header.starts_with("id,source,name,investor,locality,groups,priority,plan,change"), "{header}");
    assert_eq!(text.lines().count(), doc.projects.len() + 1);
    assert!(text.starts_with("\u{feff}id,source,"), "a byte-order mark first");
    assert!(text.contains("DA-004,NSTW,\"Trường THPT \"\"Chuyên Chu Văn An\"\", nhà đa năng\""), "{text}");
    assert!(text.contains(",12345.678,-5500,6845.678,1234.567,"), "{text}");
    assert!(text.contains(",12345.678901,"), "DA-002's forecast in đồng is exact: {text}");
}

#[test]
fn html_is_self_contained_with_three_charts() {
    let doc = fixture_document_with_authorities();
    for lang in [Lang::Vi, Lang::En] {
        let html = doc.to_html(lang);
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert_eq!(html.matches("<svg").count(), 3, "three charts");
        let outside_svg_ns = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
        for banned in ["http://", "https://", "<script", "<link", "src=\""] {
            assert!(!outside_svg_ns.contains(banned), "`{banned}` in the {lang:?} HTML");
        }
        assert!(html.contains("Trường THPT &quot;Chuyên Chu Văn An&quot;, nhà đa năng"));
        assert!(html.contains("@media print"));
    }
}

#[test]
fn empty_document_renders_in_every_format() {
    let mut doc = fixture_document_with_authorities();
    doc.projects.clear();
    doc.transfers.clear();
    doc.constraints.clear();
    doc.groups.clear();
    doc.pools.clear();
    doc.localities.clear();
    renders_in_every_format(&doc);
    assert!(doc.to_markdown(Lang::Vi).contains("Không có lượt điều chuyển nào."));
}

/// A proposal read from a JSON file can hold any numbers: rendering and comparing never panic.
#[test]
fn extreme_numbers_render_without_panic() {
    let mut doc = fixture_document_with_authorities();
    for (i, p) in doc.projects.iter_mut().enumerate() {
        let v = if i % 2 == 0 { i64::MAX } else { i64::MIN };
        p.plan_vnd = v;
        p.disbursed_vnd = v.saturating_neg();
        p.change_vnd = v;
        p.new_plan_vnd = v;
        p.value_in = f64::NAN;
        p.priority = 200;
    }
    for g in &mut doc.groups {
        g.rate = f64::INFINITY;
        g.plan_vnd = i64::MIN;
    }
    for p in &mut doc.pools {
        p.forecast_rate_after = f64::NAN;
        p.forecast_rate_before = -5.0;
        p.shadow_price = f64::NEG_INFINITY;
        p.moved_vnd = i64::MAX;
    }
    for t in &mut doc.transfers {
        t.amount_vnd = i64::MAX;
    }
    doc.summary.moved_vnd = i64::MIN;
    doc.summary.objective = f64::NAN;
    doc.localities[0].released_vnd = i64::MAX;
    renders_in_every_format(&doc);
    for lang in [Lang::Vi, Lang::En] {
        let other = fixture_document_with_authorities();
        let md = realloc::report::compare::Comparison::new(&doc, &other).to_markdown(lang);
        assert!(md.contains("DA-001"));
        let md = realloc::report::compare::Comparison::new(&other, &doc).to_markdown(lang);
        assert!(md.contains("DA-001"));
    }
}

/// `tests/data/documents/proposal.json` is the fixture as a JSON proposal, for `realloc compare`
/// demos and for tools; it must stay the document the code builds.
#[test]
fn stored_sample_proposal_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/documents/proposal.json");
    let json = fixture_document().to_json();
    if std::env::var_os("REALLOC_UPDATE_FIXTURES").is_some() {
        std::fs::write(&path, &json).expect("write the sample");
    }
    let stored = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        stored == json,
        "{} is stale; regenerate with REALLOC_UPDATE_FIXTURES=1 cargo test -p realloc-tests --test documents",
        path.display()
    );
}

/// Renders `doc` in every format and language; each gives some bytes and no error.
fn renders_in_every_format(doc: &ProposalDocument) {
    let formats = [
        DocumentFormat::Json,
        DocumentFormat::Markdown,
        DocumentFormat::Html,
        DocumentFormat::Xlsx,
        DocumentFormat::Csv,
        DocumentFormat::Docx,
    ];
    for lang in [Lang::Vi, Lang::En] {
        for format in formats {
            let bytes = doc.render(format, lang).unwrap_or_else(|e| panic!("{format:?} {lang:?}: {e}"));
            assert!(!bytes.is_empty());
        }
    }
}

/// Issue 12: "145 dự án" counted project × source rows; a project funded from two sources is one
/// project in every count of the documents.
#[test]
fn regression_project_counts_are_distinct_projects_not_rows() {
    let mut doc = fixture_document_with_authorities();
    // Give a second donor row the id of the first: two rows, one project.
    let donors: Vec<usize> =
        doc.projects.iter().enumerate().filter(|(_, p)| p.change_vnd < 0).map(|(i, _)| i).collect();
    assert!(donors.len() >= 2);
    let first = doc.projects[donors[0]].id.clone();
    doc.projects[donors[1]].id = first;
    let rows = donors.len();
    let md = doc.to_markdown(Lang::Vi);
    assert!(md.contains(&format!("{} dự án điều chỉnh giảm", rows - 1)), "{md}");
    assert!(!md.contains(&format!("{rows} dự án điều chỉnh giảm")), "{md}");
}

/// Issue 12: "điểm %" is written "điểm phần trăm".
#[test]
fn regression_percentage_points_are_written_out() {
    let md = fixture_document_with_authorities().to_markdown(Lang::Vi);
    assert!(md.contains("điểm phần trăm") && !md.contains("điểm %"), "{md}");
}

/// Issue 12: "điều giảm/điều tăng" are written "điều chỉnh giảm/tăng".
#[test]
fn regression_adjustments_are_called_dieu_chinh() {
    let doc = fixture_document_with_authorities();
    let md = doc.to_markdown(Lang::Vi);
    let html = doc.to_html(Lang::Vi);
    for text in [&md, &html] {
        // The fixture's constraint is named by its rules' author in these words: not the tool's.
        let lower = text.to_lowercase().replace("bị điều giảm tối đa 30%", "");
        assert!(!lower.contains("điều giảm") && !lower.contains("điều tăng"), "{text}");
    }
    assert!(md.contains("Điều chỉnh giảm") && md.contains("Điều chỉnh tăng"), "{md}");
}

/// Issue 12: whole amounts show no ",000"; an amount with a fraction of a million keeps 3 decimals.
#[test]
fn regression_whole_amounts_have_no_decimals() {
    let md = fixture_document_with_authorities().to_markdown(Lang::Vi);
    assert!(!md.contains("74.700,000") && md.contains("74.700"), "{md}");
    assert!(md.contains("12.345,678"), "{md}");
}

/// Issue 12: the objective, shadow prices and hashes are in the technical annex, not in the body.
#[test]
fn regression_technical_figures_are_in_the_annex() {
    let doc = fixture_document_with_authorities();
    for lang in [Lang::Vi, Lang::En] {
        let md = doc.to_markdown(lang);
        let body =
            md.split("# PHỤ LỤC I").next().and_then(|b| b.split("# APPENDIX I").next()).unwrap_or_default();
        for word in ["hàm mục tiêu", "Objective value", "SHA-256", "Giá bóng", "Shadow price"] {
            assert!(!body.contains(word), "`{word}` in the body ({lang:?}):\n{body}");
        }
    }
}

/// Issue 12: the appendix groups rows source → sector → status, and each subtotal is the sum of
/// the project rows beneath it, to the đồng.
#[test]
fn appendix_subtotals_add_up_to_the_dong() {
    use realloc::report::submission::{LineKind, appendix_lines};
    let doc = fixture_document_with_authorities();
    for code in doc.authority_order() {
        let lines = appendix_lines(&doc, &code, Lang::Vi);
        let projects: Vec<_> = lines.iter().filter(|l| l.kind == LineKind::Project).collect();
        let sum = |f: fn(&realloc::report::submission::AppendixLine) -> i64| {
            projects.iter().map(|l| f(l)).sum::<i64>()
        };
        let total = &lines[0];
        assert_eq!(total.kind, LineKind::Total);
        assert_eq!(total.cut_vnd, sum(|l| l.cut_vnd));
        assert_eq!(total.add_vnd, sum(|l| l.add_vnd));
        assert_eq!(total.after_vnd, total.plan_vnd - total.cut_vnd + total.add_vnd);
        // Each heading's subtotal is the sum of the project lines up to the next heading of its
        // level or above.
        for (i, h) in lines.iter().enumerate().filter(|(_, l)| l.kind != LineKind::Project) {
            let level = |k: LineKind| k as u8;
            let mut plan = 0;
            for l in &lines[i + 1..] {
                if l.kind != LineKind::Project && level(l.kind) <= level(h.kind) {
                    break;
                }
                if l.kind == LineKind::Project {
                    plan += l.plan_vnd;
                }
            }
            assert_eq!(h.plan_vnd, plan, "{h:?}");
        }
    }
}

/// Issue 12: the CSV starts with a UTF-8 byte-order mark, so that Excel on Windows reads the
/// diacritics.
#[test]
fn regression_csv_starts_with_a_byte_order_mark() {
    let bytes = fixture_document_with_authorities().render(DocumentFormat::Csv, Lang::Vi).expect("csv");
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF");
    // The rest reads as CSV with the header as the first record.
    let mut r = csv::Reader::from_reader(&bytes[3..]);
    assert_eq!(r.headers().expect("header").get(0), Some("id"));
}

/// Issue 12: a text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is
/// neutralised with a leading `'`; numbers, negative changes included, stay numbers.
#[test]
fn regression_csv_neutralises_formula_cells_and_keeps_numbers() {
    let mut doc = fixture_document_with_authorities();
    let evil = ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"];
    for (p, name) in doc.projects.iter_mut().zip(evil) {
        p.name = name.into();
        p.investor = name.into();
    }
    let bytes = doc.render(DocumentFormat::Csv, Lang::Vi).expect("csv");
    let mut r = csv::Reader::from_reader(&bytes[3..]);
    let records: Vec<csv::StringRecord> = r.records().map(|x| x.expect("record")).collect();
    for (rec, name) in records.iter().zip(evil) {
        assert_eq!(rec.get(2), Some(format!("'{name}").as_str()));
        assert_eq!(rec.get(3), Some(format!("'{name}").as_str()));
    }
    // A negative change is a number, not text.
    let change: Vec<&str> = records.iter().filter_map(|r| r.get(8)).filter(|c| c.starts_with('-')).collect();
    assert!(!change.is_empty());
    assert!(change.iter().all(|c| c[1..].parse::<f64>().is_ok()), "{change:?}");
}
