//! The optimiser's pool notes in the documents: structured in the JSON, rendered as short sentences in
//! the document's language (no English sentence in a Vietnamese tờ trình, no Vietnamese in an English
//! proposal), amounts formatted for the reader, a list inside the table cell.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use realloc::money::Money;
use realloc::optimize::{BindingCap, CapScope, PoolNote, StopReason};
use realloc::report::{Lang, ProposalDocument};
use realloc_tests::{fixture_document, workspace_root};

fn m(million: i64) -> Money {
    Money::from_million(million).unwrap_or_default()
}

fn cap(scope: CapScope, name: &str, limit: i64) -> BindingCap {
    BindingCap { scope, name: name.into(), limit: m(limit) }
}

/// Every kind of note and of stop reason, in one pool each.
fn every_note() -> Vec<PoolNote<String>> {
    let reasons = [
        StopReason::RecipientsFull,
        StopReason::DonorsExhausted,
        StopReason::DonorsExhaustedByCaps,
        StopReason::NotWorthMore {
            recipient: "DA-004".into(),
            value_in: 0.25,
            donor: "DA-002".into(),
            value_out: 0.3,
        },
        StopReason::BelowMinTransfer { from: "DA-001".into(), to: "DA-003".into(), min_transfer: m(50) },
    ];
    let mut notes = vec![
        PoolNote::Moved { amount: Money::from_dong(264_403_500_000), donors: 19, recipients: 1 },
        PoolNote::NoDonors { rows: 4, locked: 0, small: 1 },
        PoolNote::NoDonors { rows: 4, locked: 2, small: 0 },
        PoolNote::NoDonors { rows: 1, locked: 1, small: 0 },
        PoolNote::NoRecipients { rows: 3, small: 2 },
        PoolNote::Binds {
            constraint: "Mỗi xã, phường bị điều chỉnh giảm tối đa 30% kế hoạch vốn của nguồn".into(),
            caps: vec![
                cap(CapScope::Locality, "Phường Tam Thanh", 106),
                cap(CapScope::Locality, "Xã Bắc Sơn", 9_851),
                cap(CapScope::Locality, "Xã Cai Kinh", 12_682),
            ],
            more: 5,
        },
        PoolNote::Binds {
            constraint: "Mỗi chủ đầu tư giảm tối đa 30% kế hoạch vốn của nguồn".into(),
            caps: vec![cap(CapScope::Investor, "Ban QLDA đầu tư xây dựng tỉnh", 54_850)],
            more: 1,
        },
        PoolNote::Binds {
            constraint: "Tổng vốn điều chuyển mỗi nguồn không quá 100.000 triệu đồng".into(),
            caps: vec![cap(CapScope::Pool, "NSTW", 100_000)],
            more: 0,
        },
        PoolNote::Dropped { moves: 2, min_transfer: m(50) },
    ];
    for reason in reasons {
        notes.push(PoolNote::Stops { reason: reason.clone() });
        notes.push(PoolNote::NothingMoves { reason });
    }
    notes
}

/// The fixture with every kind of note in its first pool.
fn doc_with_every_note() -> ProposalDocument {
    let mut doc = fixture_document();
    doc.pools[0].note_items = every_note();
    doc
}

/// The sensitivity table of the technical annex (its section 2) of a Markdown document, with the data the notes quote (project ids and names,
/// localities, investors, constraint names, pool codes) blanked out: what is left is template text.
fn template_text_of_notes(doc: &ProposalDocument, lang: Lang) -> String {
    let md = doc.to_markdown(lang);
    let mut s =
        md.split("## 2. ").nth(1).and_then(|s| s.split("## 3. ").next()).unwrap_or_default().to_owned();
    // Only the notes column (the last cell of each row).
    s = s
        .lines()
        .filter(|l| l.starts_with('|') && !l.contains("---"))
        .skip(1)
        .filter_map(|l| l.trim_end_matches('|').rsplit(" | ").next().map(str::to_owned))
        .collect::<Vec<_>>()
        .join("\n");
    let mut data: Vec<String> = Vec::new();
    for p in &doc.projects {
        data.push(p.name.to_string());
        data.push(p.id.to_string());
    }
    for n in doc.pools.iter().flat_map(|p| &p.note_items) {
        if let PoolNote::Binds { constraint, caps, .. } = n {
            data.push(constraint.clone());
            data.extend(caps.iter().map(|c| c.name.clone()));
        }
    }
    data.extend(doc.constraints.iter().map(|c| c.name.clone()));
    data.sort_by_key(|d| std::cmp::Reverse(d.len()));
    for d in data {
        s = s.replace(&realloc_markdown_escape(&d), " ");
    }
    s
}

/// What the Markdown renderer does to `_` and `*` in data (enough for the fixture's names).
fn realloc_markdown_escape(s: &str) -> String {
    s.replace('_', "\\_").replace('*', "\\*")
}

#[test]
fn vietnamese_document_has_no_english_note_sentence() {
    let text = template_text_of_notes(&doc_with_every_note(), Lang::Vi);
    assert!(text.contains("Điều chuyển"), "{text}");
    let lower = text.to_lowercase();
    for word in [
        "moves",
        "stops",
        "binds",
        "nothing",
        "dropped",
        "million",
        "vnd",
        "project",
        "donor",
        "recipient",
        "locality",
        "investor",
        "because",
        "transfer",
        "pool",
        "value",
    ] {
        assert!(!lower.contains(word), "English `{word}` in the Vietnamese notes:\n{text}");
    }
}

#[test]
fn english_document_has_no_vietnamese_in_its_notes() {
    let text = template_text_of_notes(&doc_with_every_note(), Lang::En);
    assert!(text.contains("Moves 264,403.5 million VND from 19 projects to 1 project."), "{text}");
    let foreign: Vec<char> = text.chars().filter(|c| !c.is_ascii() && !"“”–•".contains(*c)).collect();
    assert!(foreign.is_empty(), "non-English letters {foreign:?} in the English notes:\n{text}");
    for word in ["triệu", "dự án", "Điều", "Dừng", "Ràng buộc"] {
        assert!(!text.contains(word), "Vietnamese `{word}` in the English notes:\n{text}");
    }
}

#[test]
fn vietnamese_notes_read_as_the_committee_expects() {
    let md = doc_with_every_note().to_markdown(Lang::Vi);
    for sentence in [
        "Điều chuyển 264.403,5 triệu đồng từ 19 dự án sang 1 dự án.",
        "Dừng tại đây vì các dự án nhận đã được bố trí đủ mức có thể giải ngân.",
        "Ràng buộc «Mỗi xã, phường bị điều chỉnh giảm tối đa 30% kế hoạch vốn của nguồn» đang giới hạn: \
         Phường Tam Thanh được điều chỉnh giảm tối đa 106 triệu đồng; Xã Bắc Sơn được điều chỉnh giảm tối đa 9.851 \
         triệu đồng; Xã Cai Kinh được điều chỉnh giảm tối đa 12.682 triệu đồng và 5 xã, phường khác.",
        "đang giới hạn: Ban QLDA đầu tư xây dựng tỉnh được điều chỉnh giảm tối đa 54.850 triệu đồng và 1 chủ đầu tư khác.",
        "đang giới hạn: tổng vốn điều chuyển trong nguồn tối đa 100.000 triệu đồng.",
        "Đã loại bỏ 2 lượt điều chuyển nhỏ hơn mức điều chuyển tối thiểu (50 triệu đồng).",
        "Không điều chuyển vốn vì lượt điều chuyển tiếp theo, từ dự án DA-001 (Đường tỉnh ĐT.226, đoạn Tân \
         Thanh – Hoàng Văn Thụ) sang dự án DA-003 (",
        "Không có dự án nào có thể điều chỉnh giảm vốn: trong 4 dự án của nguồn, 2 dự án được giữ nguyên kế hoạch vốn",
        "Có 2 dự án chỉ có thể tiếp nhận ít hơn mức điều chuyển tối thiểu.",
        "(DA-004 (Trường THPT \"Chuyên Chu Văn An\", nhà đa năng): 0,250)",
    ] {
        assert!(md.contains(sentence), "missing `{sentence}` in:\n{md}");
    }
}

#[test]
fn english_notes_name_the_caps_and_count_the_rest() {
    let md = doc_with_every_note().to_markdown(Lang::En);
    for sentence in [
        "binds: locality Phường Tam Thanh may lose at most 106 million VND; locality Xã Bắc Sơn may lose at \
         most 9,851 million VND; locality Xã Cai Kinh may lose at most 12,682 million VND and 5 more localities.",
        "may lose at most 54,850 million VND and 1 more investor.",
        "binds: the pool may move at most 100,000 million VND.",
        "Dropped 2 partial moves smaller than the minimum transfer (50 million VND).",
        "No project can release capital: the pool's 1 project is locked.",
        "No project can release capital: the pool's 4 projects are fully disbursed or not slow enough to give. \
         1 project could release less than the minimum transfer.",
    ] {
        assert!(md.contains(sentence), "missing `{sentence}` in:\n{md}");
    }
}

#[test]
fn markdown_notes_are_one_table_row_a_pool() {
    let md = doc_with_every_note().to_markdown(Lang::Vi);
    let section = md.split("## 2. ").nth(1).and_then(|s| s.split("## 3. ").next()).unwrap_or_default();
    let rows: Vec<&str> = section.lines().filter(|l| l.starts_with('|')).collect();
    let doc = fixture_document();
    assert_eq!(rows.len(), 2 + doc.pools.len(), "{section}");
    let cols = |l: &str| l.replace("\\|", "").matches('|').count();
    assert!(rows.iter().all(|l| cols(l) == cols(rows[0])), "{rows:#?}");
    // Items separated by line breaks inside the cell, each a bullet.
    assert_eq!(rows[2].matches("<br>• ").count() + 1, every_note().len(), "{}", rows[2]);
}

#[test]
fn html_notes_are_a_list_in_the_cell() {
    let html = fixture_document().to_html(Lang::Vi);
    assert!(
        html.contains(
            "<ul class=\"cell\"><li>Điều chuyển 65.000 triệu đồng từ 2 dự án sang 2 dự án.</li><li>Dừng tại đây vì"
        ),
        "{html}"
    );
}

#[test]
fn xlsx_summary_carries_the_notes_in_the_document_language() {
    for (lang, first) in [
        (Lang::Vi, "Điều chuyển 65.000 triệu đồng từ 2 dự án sang 2 dự án."),
        (Lang::En, "Moves 65,000 million VND from 2 projects to 2 projects."),
    ] {
        let bytes = fixture_document().to_xlsx(lang).expect("the workbook renders");
        let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).expect("calamine opens it");
        // The notes are in the technical annex, out of the summary (issue 12), a numbered appendix
        // (`Phụ lục III. Kỹ thuật` after two parts).
        let suffix = if lang == Lang::Vi { ". Kỹ thuật" } else { ". Technical" };
        let name = wb.sheet_names().into_iter().find(|n| n.ends_with(suffix)).expect("technical annex sheet");
        let range = wb.worksheet_range(&name).expect("technical annex sheet");
        let cells: Vec<String> = range
            .rows()
            .filter_map(|r| match r.get(4) {
                Some(Data::String(s)) => Some(s.clone()),
                _ => None,
            })
            .collect();
        assert!(cells.iter().any(|c| c.starts_with(first) && c.contains('\n')), "{lang:?}: {cells:#?}");
    }
}

#[test]
fn json_keeps_english_notes_and_adds_structured_items() {
    let doc = fixture_document();
    let json: serde_json::Value = serde_json::from_str(&doc.to_json()).expect("json");
    let pool = &json["pools"][0];
    assert_eq!(pool["notes"][0], "Moves 65,000 million VND from 2 projects to 2 projects.");
    assert_eq!(
        pool["notes"][1],
        "Stops here because the next move, from DA-001 to DA-003, would be smaller than the minimum \
         transfer (50 million VND)."
    );
    assert_eq!(pool["note_items"][0]["kind"], "moved");
    assert_eq!(pool["note_items"][0]["amount_vnd"], 65_000_000_000i64);
    assert_eq!(pool["note_items"][1]["reason"]["kind"], "below_min_transfer");
    assert_eq!(pool["note_items"][1]["reason"]["from"], "DA-001");
    // No pool prefix: the pool is the object the notes belong to.
    assert!(
        json["pools"].as_array().into_iter().flatten().flat_map(|p| p["notes"].as_array()).flatten().all(
            |n| n.as_str().is_some_and(|s| !s.starts_with("NSTW")
                && !s.starts_with("NSDP")
                && !s.starts_with("CTMTQG"))
        )
    );
}

#[test]
fn a_proposal_without_structured_notes_shows_its_english_notes() {
    let doc = fixture_document();
    let mut json: serde_json::Value = serde_json::from_str(&doc.to_json()).expect("json");
    for p in json["pools"].as_array_mut().into_iter().flatten() {
        p.as_object_mut().map(|o| o.remove("note_items"));
    }
    let old: ProposalDocument = serde_json::from_value(json).expect("an older proposal still reads");
    assert!(old.pools.iter().all(|p| p.note_items.is_empty()));
    let md = old.to_markdown(Lang::En);
    assert!(md.contains("Moves 65,000 million VND from 2 projects to 2 projects."), "{md}");
}

/// The defect this pins: `realloc propose scenarios/lang-son-2025-q3` wrote the optimiser's English
/// notes, amounts unformatted and pool codes repeated, into section VII of the Vietnamese tờ trình.
#[test]
fn regression_sample_proposal_notes_are_vietnamese() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("p.md");
    let scenario = workspace_root().join("scenarios/lang-son-2025-q3");
    let args: Vec<std::ffi::OsString> = vec![
        "realloc".into(),
        "propose".into(),
        scenario.into_os_string(),
        "-o".into(),
        out.clone().into_os_string(),
    ];
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let code = realloc_cli::run(args, &mut stdout, &mut stderr);
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&stderr));
    let md = std::fs::read_to_string(&out).expect("the proposal is written");
    let section = md.split("## 2. ").nth(1).and_then(|s| s.split("## 3. ").next()).unwrap_or_default();
    assert!(section.contains("• Điều chuyển "), "{section}");
    assert!(section.contains("triệu đồng"), "{section}");
    for english in ["moves", "stops", "binds", "million VND", "NSTW:", "donor rows"] {
        assert!(!section.contains(english), "`{english}` in:\n{section}");
    }
}
