//! The proposal documents: Markdown snapshots in both languages, the CSV table, the JSON round trip
//! and the content every renderer must carry.

use realloc::report::{DocumentFormat, Lang, ProposalDocument};
use realloc_tests::fixture_document;

#[test]
fn markdown_vi_snapshot() {
    insta::assert_snapshot!("markdown_vi", fixture_document().to_markdown(Lang::Vi));
}

#[test]
fn markdown_en_snapshot() {
    insta::assert_snapshot!("markdown_en", fixture_document().to_markdown(Lang::En));
}

#[test]
fn markdown_sections_come_in_the_order_of_the_issue() {
    let md = fixture_document().to_markdown(Lang::Vi);
    let order = [
        "# TỜ TRÌNH",
        "Kính gửi: Ủy ban nhân dân tỉnh Lạng Sơn",
        "Số liệu đến ngày: **30/09/2025**",
        "Thời hạn giải ngân: **31/01/2026**",
        "## I. TÓM TẮT",
        "## II. PHÂN NHÓM",
        "## III. CÁC DỰ ÁN ĐỀ NGHỊ ĐIỀU GIẢM",
        "## IV. CÁC DỰ ÁN ĐỀ NGHỊ ĐIỀU TĂNG",
        "## V. CHI TIẾT ĐIỀU CHUYỂN",
        "## VI. CÁC ĐIỀU KIỆN RÀNG BUỘC",
        "## VII. PHÂN TÍCH ĐỘ NHẠY",
        "## VIII. THÔNG TIN TÍNH TOÁN",
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
    let doc = fixture_document();
    let vi = doc.to_markdown(Lang::Vi);
    let en = doc.to_markdown(Lang::En);
    // 74,700 million moved; DP-011's plan 12,345.678 million; DA-002's disbursed 4,200.75.
    assert!(vi.contains("**74.700,000**"), "{vi}");
    assert!(en.contains("**74,700.000**"), "{en}");
    assert!(vi.contains("12.345,678") && en.contains("12,345.678"));
    assert!(vi.contains("4.200,750") && en.contains("4,200.750"));
    assert!(vi.contains("điểm %") && en.contains(" pp"));
    assert!(en.contains("30 September 2025"));
}

#[test]
fn markdown_escapes_table_breaking_characters() {
    let mut doc = fixture_document();
    doc.projects[0].name = "Đường | nhánh *A* _B_ <script>".into();
    let md = doc.to_markdown(Lang::Vi);
    assert!(md.contains("Đường \\| nhánh \\*A\\* \\_B\\_ &lt;script&gt;"), "{md}");
    // Every row of the donors table keeps the header's column count.
    let table: Vec<&str> = md
        .split("## III.")
        .nth(1)
        .and_then(|s| s.split("## IV.").next())
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
    let doc = fixture_document();
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
    let doc = fixture_document();
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
    let doc = fixture_document();
    let bytes = doc.render(DocumentFormat::Csv, Lang::Vi).expect("csv renders");
    let text = String::from_utf8(bytes).expect("utf-8");
    let header = text.lines().next().unwrap_or_default();
    assert!(header.starts_with("id,source,name,investor,locality,groups,priority,plan,change"), "{header}");
    assert_eq!(text.lines().count(), doc.projects.len() + 1);
    assert!(text.contains("DA-004,NSTW,\"Trường THPT \"\"Chuyên Chu Văn An\"\", nhà đa năng\""), "{text}");
    assert!(text.contains(",12345.678,-5500,6845.678,1234.567,"), "{text}");
    assert!(text.contains(",12345.678901,"), "DA-002's forecast in đồng is exact: {text}");
}

#[test]
fn html_is_self_contained_with_three_charts() {
    let doc = fixture_document();
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
    let mut doc = fixture_document();
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
    let mut doc = fixture_document();
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
        let other = fixture_document();
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
    ];
    for lang in [Lang::Vi, Lang::En] {
        for format in formats {
            let bytes = doc.render(format, lang).unwrap_or_else(|e| panic!("{format:?} {lang:?}: {e}"));
            assert!(!bytes.is_empty());
        }
    }
}
