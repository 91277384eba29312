//! One figure for one fact (issue 12): the amount moved, the central capital forecast not to be
//! disbursed and the idle capital after the proposal have the same value in the JSON, the Markdown,
//! the HTML, the Excel workbook and the Word document; the Monte Carlo mean of `--risk` has its own
//! name, distinct from the point forecast's.

use std::io::{Cursor, Read};

use calamine::{Data, DataType, Reader, Xlsx, open_workbook_from_rs};
use realloc::report::{DocumentFormat, Lang, fmt};
use realloc_tests::fixture_document_with_authorities;

/// The text of the Word document's body.
fn docx_text(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("zip");
    let mut xml = String::new();
    zip.by_name("word/document.xml").expect("document.xml").read_to_string(&mut xml).expect("utf-8");
    let tree = roxmltree::Document::parse(&xml).expect("xml");
    tree.descendants().filter(|n| n.has_tag_name("t")).filter_map(|t| t.text()).collect::<Vec<_>>().join("\n")
}

#[test]
fn the_same_fact_has_the_same_figure_in_every_format() {
    let doc = fixture_document_with_authorities();
    let json: serde_json::Value = serde_json::from_str(&doc.to_json()).expect("json");
    let moved = json["summary"]["moved_vnd"].as_i64().expect("moved");
    let at_risk = json["summary"]["central_at_risk_vnd_after"].as_i64().expect("at risk");
    let idle: i64 = json["pools"]
        .as_array()
        .expect("pools")
        .iter()
        .map(|p| p["idle_after_vnd"].as_i64().unwrap_or(0))
        .sum();
    for lang in [Lang::Vi, Lang::En] {
        let md = doc.to_markdown(lang);
        let html = doc.to_html(lang);
        let docx = docx_text(&doc.render(DocumentFormat::Docx, lang).expect("docx"));
        for v in [moved, at_risk, idle] {
            let shown = fmt::amount(v, lang);
            assert!(md.contains(&shown), "{shown} not in the Markdown ({lang:?})");
            assert!(html.contains(&shown), "{shown} not in the HTML ({lang:?})");
            assert!(docx.contains(&shown), "{shown} not in the Word document ({lang:?})");
        }
        let label = realloc::report::text::labels(lang).central_at_risk;
        for text in [&md, &html, &docx] {
            assert!(text.contains(label), "the point forecast keeps its name `{label}` ({lang:?})");
        }
    }
    // The workbook holds the same figures as numbers.
    let bytes = doc.to_xlsx(Lang::Vi).expect("xlsx");
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).expect("opens");
    let summary = wb.worksheet_range("Tổng hợp").expect("summary sheet");
    let value = |label: &str, col: usize| -> i64 {
        let row = summary
            .rows()
            .find(|r| r.first().and_then(|c| c.get_string()) == Some(label))
            .unwrap_or_else(|| panic!("no row `{label}`"));
        match &row[col] {
            Data::Float(m) => (m * 1e6).round() as i64,
            other => panic!("`{label}` is not a number: {other:?}"),
        }
    };
    let l = realloc::report::text::labels(Lang::Vi);
    assert_eq!(value(l.moved, 2), moved);
    assert_eq!(value(l.central_at_risk, 2), at_risk);
}

#[test]
fn the_point_forecast_and_the_monte_carlo_mean_have_different_names() {
    let l = realloc::report::text::labels(Lang::Vi);
    let md = fixture_document_with_authorities().to_markdown(Lang::Vi);
    assert!(md.contains("(dự báo điểm)") && l.central_at_risk.contains("dự báo điểm"));
    let run = realloc_tests::run_cli([
        "propose",
        &realloc_tests::workspace_root().join("scenarios/lang-son-2025-q3").to_string_lossy(),
        "--format",
        "md",
        "--risk",
        "--draws",
        "200",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("bình quân mô phỏng Monte Carlo"), "{}", run.stdout);
    assert!(run.stdout.contains("dự báo điểm"), "{}", run.stdout);
}
