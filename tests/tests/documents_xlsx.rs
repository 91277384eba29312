//! The Excel workbook read back with calamine: every sheet present with names in the document
//! language, the transfer amounts adding up to the JSON's moved amount, amounts stored as numbers,
//! a separate project code column, the appendices with their totals, frozen header rows, filters and
//! native charts in the package, and the Risk sheet of `propose --risk` holding the JSON's figures.

use std::io::{Cursor, Read};

use calamine::{Data, DataType, Range, Reader, Xlsx, open_workbook_from_rs};
use realloc::report::{Lang, ProposalDocument};
use realloc::risk::{RiskLine, RiskReport};
use realloc_tests::{fixture_document_with_authorities, run_cli, workspace_root};

const SHEETS: [&str; 5] = ["Summary", "Groups", "Donors", "Recipients", "Transfers"];
const SHEETS_VI: [&str; 5] =
    ["Tổng hợp", "Nhóm khó khăn", "Điều chỉnh giảm", "Điều chỉnh tăng", "Điều chuyển"];

/// The sheet names expected for `doc` in `lang`: summary, groups, one appendix per authority,
/// donors, recipients, transfers, technical annex.
fn expected_sheets(doc: &ProposalDocument, lang: Lang) -> Vec<String> {
    let (names, appendix, technical) = match lang {
        Lang::Vi => (SHEETS_VI, "Phụ lục", "Kỹ thuật"),
        _ => (SHEETS, "Appendix", "Technical"),
    };
    let roman = ["I", "II", "III", "IV", "V"];
    let mut out: Vec<String> = names[..2].iter().map(|s| s.to_string()).collect();
    out.extend((0..doc.authority_order().len()).map(|i| format!("{appendix} {}", roman[i])));
    out.extend(names[2..].iter().map(|s| s.to_string()));
    // The technical annex numbered after the parts, as in the other formats.
    let parts = doc.authority_order().len();
    out.push(format!("{appendix} {}. {technical}", roman[parts]));
    out
}
fn workbook(doc: &ProposalDocument, lang: Lang) -> (Vec<u8>, Xlsx<Cursor<Vec<u8>>>) {
    let bytes = doc.to_xlsx(lang).expect("the workbook renders");
    let wb = open_workbook_from_rs(Cursor::new(bytes.clone())).expect("calamine opens the workbook");
    (bytes, wb)
}

fn sheet(wb: &mut Xlsx<Cursor<Vec<u8>>>, name: &str) -> Range<Data> {
    wb.worksheet_range(name).unwrap_or_else(|e| panic!("sheet `{name}`: {e}"))
}

/// The text of one XML part of the package.
fn part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("xlsx is a zip");
    let mut f = zip.by_name(name).unwrap_or_else(|e| panic!("part `{name}`: {e}"));
    let mut s = String::new();
    f.read_to_string(&mut s).expect("utf-8 xml");
    s
}

/// Without a risk annex (the fixture has none) there is no Risk sheet.
#[test]
fn every_sheet_is_present_in_order() {
    for lang in [Lang::Vi, Lang::En] {
        let doc = fixture_document_with_authorities();
        let (_, wb) = workbook(&doc, lang);
        assert_eq!(wb.sheet_names(), expected_sheets(&doc, lang));
    }
}

#[test]
fn transfer_amounts_add_up_to_the_json_moved_amount() {
    let doc = fixture_document_with_authorities();
    let json: serde_json::Value = serde_json::from_str(&doc.to_json()).expect("json");
    let moved_vnd = json["summary"]["moved_vnd"].as_i64().expect("moved_vnd");
    let (_, mut wb) = workbook(&doc, Lang::Vi);
    let range = sheet(&mut wb, "Điều chuyển");
    let amount_col = 5;
    let mut total_vnd = 0i64;
    let mut rows = 0;
    for row in range.rows().skip(1) {
        match &row[amount_col] {
            Data::Float(million) => total_vnd += (million * 1e6).round() as i64,
            other => panic!("transfer amount is not a number: {other:?}"),
        }
        rows += 1;
    }
    assert_eq!(rows, doc.transfers.len());
    assert_eq!(total_vnd, moved_vnd);
    assert_eq!(total_vnd, 74_700_000_000);
}

#[test]
fn donors_and_recipients_sheets_balance() {
    let doc = fixture_document_with_authorities();
    let (_, mut wb) = workbook(&doc, Lang::En);
    let sum = |r: &Range<Data>, col: usize| -> i64 {
        r.rows().skip(1).map(|row| row[col].as_f64().map_or(0, |m| (m * 1e6).round() as i64)).sum()
    };
    let donors = sheet(&mut wb, "Donors");
    let recipients = sheet(&mut wb, "Recipients");
    assert_eq!(donors.rows().count() - 1, doc.summary.donors);
    assert_eq!(recipients.rows().count() - 1, doc.summary.recipients - doc.pipeline.len());
    assert_eq!(donors.get_value((0, 9)), Some(&Data::String("Reduction".into())));
    assert_eq!(recipients.get_value((0, 7)), Some(&Data::String("Increase".into())));
    assert_eq!(recipients.get_value((0, 8)), Some(&Data::String("Plan after adjustment".into())));
    assert_eq!(sum(&donors, 9), doc.summary.moved_vnd);
    assert_eq!(
        sum(&recipients, 7) + doc.pipeline.iter().map(|x| x.amount_vnd).sum::<i64>(),
        doc.summary.moved_vnd
    );
}

#[test]
fn headers_follow_the_language_and_names_keep_their_diacritics() {
    let doc = fixture_document_with_authorities();
    let (_, mut wb) = workbook(&doc, Lang::Vi);
    let donors = sheet(&mut wb, "Điều chỉnh giảm");
    assert_eq!(donors.get_value((0, 0)), Some(&Data::String("Mã dự án".into())));
    assert_eq!(donors.get_value((0, 1)), Some(&Data::String("Danh mục dự án".into())));
    assert_eq!(donors.get_value((0, 9)), Some(&Data::String("Điều chỉnh giảm".into())));
    let recipients = sheet(&mut wb, "Điều chỉnh tăng");
    // The code and the name in two cells (a VLOOKUP back to the analyst's sheet needs the code alone).
    assert_eq!(recipients.get_value((2, 0)), Some(&Data::String("DA-004".into())));
    assert_eq!(
        recipients.get_value((2, 1)),
        Some(&Data::String("Trường THPT \"Chuyên Chu Văn An\", nhà đa năng".into()))
    );
    let groups = sheet(&mut wb, "Nhóm khó khăn");
    assert_eq!(groups.get_value((1, 0)), Some(&Data::String("Vướng mắc giải phóng mặt bằng".into())));
    let summary = sheet(&mut wb, "Tổng hợp");
    let scenario = summary.get_value((1, 1));
    assert_eq!(scenario, Some(&Data::String(doc.scenario.clone())));
}

#[test]
fn sheets_have_frozen_headers_filters_number_formats_and_charts() {
    let doc = fixture_document_with_authorities();
    let (bytes, _) = workbook(&doc, Lang::Vi);
    // Kept for a person to open.
    let keep = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("proposal-vi.xlsx");
    std::fs::write(&keep, &bytes).expect("keep the workbook");
    let parts = doc.authority_order().len();
    // Summary, Groups, the appendices (frozen below their title and header), Donors, Recipients,
    // Transfers.
    for i in 1..=5 + parts {
        let xml = part(&bytes, &format!("xl/worksheets/sheet{i}.xml"));
        let split = if i > 2 && i <= 2 + parts { "ySplit=\"3\"" } else { "ySplit=\"1\"" };
        assert!(xml.contains("state=\"frozen\"") && xml.contains(split), "sheet{i} frozen header row");
        if i > 1 && !(i > 2 && i <= 2 + parts) {
            assert!(xml.contains("<autoFilter "), "sheet{i} has a filter");
        }
    }
    let styles = part(&bytes, "xl/styles.xml");
    assert!(styles.contains("formatCode=\"#,##0.000\"") && styles.contains("formatCode=\"0.0%\""));
    assert!(styles.contains("formatCode=\"#,##0\""), "whole millions without decimals");
    let chart1 = part(&bytes, "xl/charts/chart1.xml");
    let chart2 = part(&bytes, "xl/charts/chart2.xml");
    assert!(chart1.contains("<c:barChart>") && chart1.contains("Tổng hợp"));
    assert!(chart2.contains("<c:barChart>") && chart2.contains("Nhóm khó khăn"));
}

/// The appendices hold amounts as numbers, and their total rows equal the JSON (issue 12).
#[test]
fn appendix_sheets_hold_numbers_whose_totals_equal_the_json() {
    let doc = fixture_document_with_authorities();
    let (_, mut wb) = workbook(&doc, Lang::Vi);
    let mut cut = 0;
    let mut add = 0;
    for (i, _) in doc.authority_order().iter().enumerate() {
        let name = format!("Phụ lục {}", ["I", "II", "III"][i]);
        let range = sheet(&mut wb, &name);
        assert_eq!(range.get_value((2, 5)), Some(&Data::String("Kế hoạch đã giao".into())));
        assert_eq!(range.get_value((2, 8)), Some(&Data::String("Kế hoạch sau điều chỉnh".into())));
        let total = range.rows().nth(3).expect("total row");
        assert_eq!(total[2].get_string(), Some("TỔNG CỘNG"));
        cut += dong(&total[6]);
        add += dong(&total[7]);
        assert_eq!(dong(&total[8]), dong(&total[5]) - dong(&total[6]) + dong(&total[7]));
        // Every amount is a number.
        for row in range.rows().skip(3) {
            for cell in &row[5..9] {
                assert!(matches!(cell, Data::Float(_) | Data::Int(_)), "{name}: {cell:?}");
            }
        }
    }
    assert_eq!((cut, add), (doc.summary.moved_vnd, doc.summary.moved_vnd));
}

/// The index of the row of `range` whose first cell is `label`.
fn row_index(range: &Range<Data>, label: &str) -> usize {
    range
        .rows()
        .position(|row| row.first().and_then(|c| c.get_string()) == Some(label))
        .unwrap_or_else(|| panic!("no row `{label}` in the sheet"))
}

/// The row of `range` whose first cell is `label`.
fn row_labelled<'a>(range: &'a Range<Data>, label: &str) -> &'a [Data] {
    range.rows().nth(row_index(range, label)).unwrap_or_default()
}

fn number(cell: &Data) -> f64 {
    cell.as_f64().unwrap_or_else(|| panic!("not a number: {cell:?}"))
}

/// Million VND back to whole đồng.
fn dong(cell: &Data) -> i64 {
    (number(cell) * 1e6).round() as i64
}

#[test]
fn propose_with_risk_writes_a_risk_sheet_holding_the_json_figures_in_both_languages() {
    let dir = workspace_root().join("scenarios/lang-son-2025-q3").to_string_lossy().into_owned();
    let options = ["--risk", "--draws", "300", "--seed", "5", "--target", "0.8"];
    let run = run_cli(["propose", &dir, "--format", "json"].iter().chain(&options));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    let report: RiskReport = serde_json::from_value(json["risk"].clone()).expect("the risk field");
    let o = &report.overall;
    assert!(o.probability_after > 0.0 && o.probability_after < 1.0, "a target that tests something");
    let tmp = tempfile::tempdir().expect("temp dir");
    // Labels of the key figures, and the header of the table by source, in each language.
    for (lang, target, reach, central_p95, source_head, province) in [
        (
            "vi",
            "Mục tiêu giải ngân đến hết thời hạn",
            "Xác suất đạt mục tiêu toàn tỉnh",
            "Vốn NSTW có nguy cơ bị thu hồi, kịch bản xấu 95%",
            "Nguồn vốn",
            "Toàn tỉnh",
        ),
        (
            "en",
            "Target rate by the deadline",
            "Probability of reaching the target, province",
            "Central capital at risk of recall, bad year 95%",
            "Capital source",
            "Province",
        ),
    ] {
        let path = tmp.path().join(format!("de-xuat-{lang}.xlsx"));
        let out = path.to_string_lossy().into_owned();
        let run = run_cli(["propose", &dir, "-o", &out, "--lang", lang].iter().chain(&options));
        assert_eq!(run.code, 0, "{}", run.stderr);
        let bytes = std::fs::read(&path).expect("the workbook");
        let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.clone())).expect("calamine opens it");
        // The risk annex is the appendix after the technical annex, numbered as in the other
        // formats: the authorities' parts (`Phụ lục I`, `Phụ lục II`…), the technical, the risk.
        let (appendix, technical, risk_word) = if lang == "vi" {
            ("Phụ lục", "Kỹ thuật", "Rủi ro")
        } else {
            ("Appendix", "Technical", "Risk")
        };
        let names = wb.sheet_names();
        let parts = names.iter().filter(|n| n.starts_with(appendix) && !n.contains('.')).count();
        assert!(parts > 0, "{lang}: {names:?}");
        let roman = ["I", "II", "III", "IV", "V", "VI"];
        let risk_name = format!("{appendix} {}. {risk_word}", roman[parts + 1]);
        assert_eq!(names[names.len() - 2], format!("{appendix} {}. {technical}", roman[parts]), "{lang}");
        assert_eq!(names.last(), Some(&risk_name), "{lang}");
        let risk = sheet(&mut wb, &risk_name);

        // Key figures: before in column 1, after in column 2; one figure of the run in column 1.
        assert_eq!(number(&row_labelled(&risk, target)[1]), report.target);
        let row = row_labelled(&risk, reach);
        assert_eq!((number(&row[1]), number(&row[2])), (o.probability_before, o.probability_after), "{lang}");
        let row = row_labelled(&risk, central_p95);
        assert_eq!(
            (dong(&row[1]), dong(&row[2])),
            (report.central.p95_before_vnd, report.central.p95_after_vnd)
        );

        // The table by source: one line a source in the JSON's order, then the province.
        let head = row_index(&risk, source_head);
        let lines: Vec<&RiskLine> = report.sources.iter().chain([o]).collect();
        for (i, line) in lines.iter().enumerate() {
            let row = risk.rows().nth(head + 1 + i).unwrap_or_else(|| panic!("{lang}: line {i}"));
            let name = row[0].get_string().unwrap_or_default();
            match line.source {
                Some(s) => assert!(name.ends_with(&format!(" – {}", s.code())), "{lang}: {name}"),
                None => assert_eq!(name, province, "{lang}"),
            }
            assert_eq!(dong(&row[1]), line.plan_vnd, "{lang}: {name}");
            let cells: Vec<f64> = row[2..10].iter().map(number).collect();
            let want = [
                line.point_rate_before,
                line.probability_before,
                line.std_error_before,
                line.point_rate_after,
                line.probability_after,
                line.std_error_after,
                line.p05_rate_after,
                line.p95_rate_after,
            ];
            assert_eq!(cells, want, "{lang}: {name}");
        }

        // The header row is frozen, as on every sheet.
        let xml = part(&bytes, &format!("xl/worksheets/sheet{}.xml", wb.sheet_names().len()));
        assert!(xml.contains("state=\"frozen\"") && xml.contains("ySplit=\"1\""), "{lang}: frozen header");
    }
}
