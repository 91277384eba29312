//! The Word submission read back by independent readers: `word/document.xml` parsed with `roxmltree`
//! (the writer is `docx-rs`), and the whole file converted to text by LibreOffice (installed by the
//! test when missing); the appendix totals compared with the JSON, the administrative parts of Decree
//! 30/2020/NĐ-CP checked, and the part of one authority alone.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::NaiveDate;
use realloc::load::load_scenario;
use realloc::optimize::propose;
use realloc::report::{DocumentFormat, Lang, ProposalDocument, RulesIdentity, Submission};
use realloc::rules::Rules;
use realloc::scenario::DocumentMeta;

fn sample_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/lang-son-2025-q3")
}

/// The sample's proposal with a filled `[document]` (built in memory) and its submission.
fn sample(meta: DocumentMeta) -> (ProposalDocument, Submission) {
    let scenario = load_scenario(&sample_dir()).expect("the sample loads").scenario;
    let rules = Rules::builtin();
    let assessment = rules.assess(&scenario);
    let proposal = propose(&scenario.portfolio, &assessment.model).expect("optimises");
    let identity = RulesIdentity { name: rules.name.clone(), sha256: rules.sha256().to_owned() };
    let doc = ProposalDocument::build(&scenario, &identity, &assessment, &proposal);
    let sub = Submission::new(meta, rules.citations(), &doc);
    (doc, sub)
}

fn filled() -> DocumentMeta {
    DocumentMeta {
        agency: Some("SỞ TÀI CHÍNH".into()),
        parent: Some("UBND TỈNH LẠNG SƠN".into()),
        number: Some("123/TTr-STC".into()),
        place: Some("Lạng Sơn".into()),
        date: NaiveDate::from_ymd_opt(2025, 9, 30),
        signer: Some("Nguyễn Văn A".into()),
        signer_title: Some("GIÁM ĐỐC".into()),
        recipients: vec!["Như trên;".into(), "Kho bạc Nhà nước khu vực;".into(), "Lưu: VT, ĐT.".into()],
        bases: vec!["Nghị quyết số 45/NQ-HĐND ngày 10/12/2024 của Hội đồng nhân dân tỉnh".into()],
    }
}

/// The text of `word/document.xml`: paragraphs one a line, table cells separated by tabs, rows one a
/// line, read with roxmltree.
fn docx_text(bytes: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip archive");
    let mut xml = String::new();
    zip.by_name("word/document.xml").expect("word/document.xml").read_to_string(&mut xml).expect("utf-8");
    let tree = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let body = tree.descendants().find(|n| n.has_tag_name("body")).expect("w:body");
    let mut out = String::new();
    for block in body.children().filter(|n| n.is_element()) {
        if block.has_tag_name("tbl") {
            for row in block.children().filter(|n| n.has_tag_name("tr")) {
                let cells: Vec<String> = row
                    .children()
                    .filter(|n| n.has_tag_name("tc"))
                    .map(|c| {
                        c.descendants().filter(|n| n.has_tag_name("t")).filter_map(|t| t.text()).collect()
                    })
                    .collect();
                out.push_str(&cells.join("\t"));
                out.push('\n');
            }
        } else {
            let text: String =
                block.descendants().filter(|n| n.has_tag_name("t")).filter_map(|t| t.text()).collect();
            out.push_str(&text);
            out.push('\n');
        }
    }
    out
}

/// A Vietnamese amount in million VND (`1.234,5`, `12.000`) as đồng.
fn dong(s: &str) -> i64 {
    let s = s.trim().replace('.', "");
    let (int, frac) = s.split_once(',').unwrap_or((&s, ""));
    let frac = format!("{frac:0<6}");
    int.parse::<i64>().expect("an amount") * 1_000_000 + frac[..6].parse::<i64>().expect("decimals")
}

/// The total rows of the appendices (`TỔNG CỘNG` followed by the four amounts), in order.
fn appendix_totals(text: &str) -> Vec<[i64; 4]> {
    text.lines()
        .filter(|l| l.split('\t').nth(2) == Some("TỔNG CỘNG"))
        .map(|l| {
            let cells: Vec<&str> = l.split('\t').collect();
            [dong(cells[5]), dong(cells[6]), dong(cells[7]), dong(cells[8])]
        })
        .collect()
}

/// What the JSON says each authority's appendix holds: plan, cut, added, plan after.
fn json_totals(doc: &ProposalDocument) -> Vec<[i64; 4]> {
    let json: serde_json::Value = serde_json::from_str(&doc.to_json()).expect("JSON");
    let mut out = Vec::new();
    for code in doc.authority_order() {
        let sources: Vec<&str> = json["transfers"]
            .as_array()
            .expect("transfers")
            .iter()
            .filter(|t| t["authority"] == code.as_str())
            .filter_map(|t| t["source"].as_str())
            .collect();
        let mut t = [0i64; 4];
        for p in json["projects"].as_array().expect("projects") {
            let change = p["change_vnd"].as_i64().expect("change");
            if change == 0 || !sources.contains(&p["source"].as_str().expect("source")) {
                continue;
            }
            t[0] += p["plan_vnd"].as_i64().expect("plan");
            t[1] += (-change).max(0);
            t[2] += change.max(0);
            t[3] += p["new_plan_vnd"].as_i64().expect("new plan");
        }
        for x in json["pipeline"].as_array().expect("pipeline") {
            if sources.contains(&x["source"].as_str().expect("source")) {
                t[2] += x["amount_vnd"].as_i64().expect("amount");
                t[3] += x["amount_vnd"].as_i64().expect("amount");
            }
        }
        out.push(t);
    }
    out
}

#[test]
fn docx_appendix_totals_read_back_with_roxmltree_equal_the_json() {
    let (doc, sub) = sample(filled());
    let bytes = doc.render_submission(DocumentFormat::Docx, Lang::Vi, &sub).expect("renders");
    let text = docx_text(&bytes);
    let totals = appendix_totals(&text);
    assert!(!totals.is_empty(), "no appendix total in:\n{text}");
    assert_eq!(totals, json_totals(&doc), "{text}");
    // Every đồng moved is in an appendix, once as a reduction and once as an increase.
    let cut: i64 = totals.iter().map(|t| t[1]).sum();
    let add: i64 = totals.iter().map(|t| t[2]).sum();
    assert_eq!(cut, doc.summary.moved_vnd);
    assert_eq!(add, doc.summary.moved_vnd);
}

#[test]
fn docx_has_the_parts_of_an_administrative_document() {
    let (doc, sub) = sample(filled());
    let text = docx_text(&doc.render_submission(DocumentFormat::Docx, Lang::Vi, &sub).expect("renders"));
    let order = [
        "UBND TỈNH LẠNG SƠN",
        "SỞ TÀI CHÍNH",
        "Số: 123/TTr-STC",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Lạng Sơn, ngày 30 tháng 9 năm 2025",
        "TỜ TRÌNH",
        "Về việc điều chỉnh kế hoạch vốn đầu tư công năm 2025",
        "Kính gửi: Ủy ban nhân dân tỉnh Lạng Sơn",
        "Căn cứ Luật Đầu tư công số 58/2024/QH15;",
        "Căn cứ Nghị quyết số 45/NQ-HĐND",
        "I. ĐÁNH GIÁ TÌNH HÌNH GIẢI NGÂN",
        "II. ĐỀ XUẤT ĐIỀU CHỈNH KẾ HOẠCH VỐN",
        "III. VỐN CÒN NHÀN RỖI SAU ĐIỀU CHỈNH VÀ PHƯƠNG ÁN XỬ LÝ",
        "IV. KIẾN NGHỊ",
        "Nơi nhận:",
        "Kho bạc Nhà nước khu vực;",
        "GIÁM ĐỐC",
        "Nguyễn Văn A",
        "PHỤ LỤC I",
        "Kế hoạch đã giao\tĐiều chỉnh giảm\tĐiều chỉnh tăng\tKế hoạch sau điều chỉnh",
        "THÔNG TIN KỸ THUẬT CỦA PHƯƠNG ÁN",
        "Giá trị hàm mục tiêu",
        "(DỰ THẢO)",
        "QUYẾT ĐỊNH",
        "Điều 1.",
    ];
    let mut at = 0;
    for needle in order {
        match text[at..].find(needle) {
            Some(i) => at += i + needle.len(),
            None => panic!("`{needle}` missing or out of order in:\n{text}"),
        }
    }
    // The objective is in the technical annex only, not in the body.
    let body = text.split("PHỤ LỤC I").next().unwrap_or_default();
    assert!(!body.contains("Giá trị hàm mục tiêu") && !body.contains("SHA-256"), "{body}");
}

#[test]
fn docx_without_a_document_table_shows_visible_placeholders() {
    let (doc, sub) = sample(DocumentMeta::default());
    let text = docx_text(&doc.render_submission(DocumentFormat::Docx, Lang::Vi, &sub).expect("renders"));
    for needle in [
        "Số: [chưa có số hiệu]",
        "[CHƯA CÓ CƠ QUAN TRÌNH]",
        "…, ngày … tháng … năm 2025",
        "[chưa có họ tên người ký]",
    ] {
        assert!(text.contains(needle), "`{needle}` missing in:\n{text}");
    }
    let en = docx_text(&doc.render_submission(DocumentFormat::Docx, Lang::En, &sub).expect("renders"));
    assert!(en.contains("No.: [no number yet]") && en.contains("SOCIALIST REPUBLIC OF VIETNAM"), "{en}");
    assert!(en.contains("Plan assigned\tReduction\tIncrease\tPlan after adjustment"), "{en}");
}

#[test]
fn docx_of_one_authority_holds_only_its_part() {
    let (doc, mut sub) = sample(filled());
    let parts = doc.authority_order();
    assert!(parts.len() >= 2, "the sample should have parts for several authorities: {parts:?}");
    let all = json_totals(&doc);
    for (i, code) in parts.iter().enumerate() {
        sub.authority = Some(code.clone());
        let text = docx_text(&doc.render_submission(DocumentFormat::Docx, Lang::Vi, &sub).expect("renders"));
        assert_eq!(appendix_totals(&text), vec![all[i]], "{code}");
        // The draft Decision is the People's Committee's part only.
        assert_eq!(text.contains("(DỰ THẢO)"), code == "ubnd_tinh", "{code}");
    }
}

/// `soffice`, installed with apt when missing (one test at a time installs, under a lock file).
fn soffice() -> Result<PathBuf, String> {
    let find = || {
        ["soffice", "libreoffice"]
            .iter()
            .find(|b| Command::new(b).arg("--version").output().is_ok_and(|o| o.status.success()))
            .map(PathBuf::from)
    };
    if let Some(b) = find() {
        return Ok(b);
    }
    let status = Command::new("flock")
        .args(["/tmp/realloc-libreoffice-install.lock", "sh", "-c"])
        .arg(
            "command -v soffice >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
             apt-get install -y -qq --no-install-recommends libreoffice-writer-nogui; }",
        )
        .status();
    match (status, find()) {
        (_, Some(b)) => Ok(b),
        (s, None) => Err(format!(
            "LibreOffice is needed to check the .docx and could not be installed ({s:?}): run \
             `apt-get install -y libreoffice-writer-nogui` as root, then the tests again"
        )),
    }
}

#[test]
fn docx_converted_by_libreoffice_shows_the_json_totals() {
    let browser = soffice().unwrap_or_else(|e| panic!("{e}"));
    let dir = tempfile::tempdir().expect("temp dir");
    let (doc, sub) = sample(filled());
    let path = dir.path().join("to-trinh.docx");
    std::fs::write(&path, doc.render_submission(DocumentFormat::Docx, Lang::Vi, &sub).expect("renders"))
        .expect("written");
    let profile = format!("-env:UserInstallation=file://{}", dir.path().join("profile").display());
    let out = Command::new(&browser)
        .args([profile.as_str(), "--headless", "--convert-to", "txt:Text (encoded):UTF8", "--outdir"])
        .arg(dir.path())
        .arg(&path)
        .output()
        .expect("soffice runs");
    let txt = std::fs::read_to_string(dir.path().join("to-trinh.txt")).unwrap_or_else(|e| {
        panic!("no text from LibreOffice ({e}): {}", String::from_utf8_lossy(&out.stderr))
    });
    assert!(txt.contains("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM") && txt.contains("TỜ TRÌNH"), "{txt}");
    // LibreOffice writes a table cell a line: the four amounts follow each `TỔNG CỘNG`.
    let lines: Vec<&str> = txt.lines().map(str::trim).collect();
    let totals: Vec<[i64; 4]> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| **l == "TỔNG CỘNG")
        .filter_map(|(i, _)| {
            let amounts: Vec<i64> =
                lines[i + 1..].iter().filter(|l| !l.is_empty()).take(4).map(|l| dong(l)).collect();
            <[i64; 4]>::try_from(amounts).ok()
        })
        .collect();
    assert_eq!(totals, json_totals(&doc), "{txt}");
}

/// The sections of `word/document.xml` in order: the text of each and whether it is landscape (its
/// `w:sectPr`: in the paragraph that ends it, or the body's for the last); every page A4.
fn sections(bytes: &[u8]) -> Vec<(String, bool)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip archive");
    let mut xml = String::new();
    zip.by_name("word/document.xml").expect("word/document.xml").read_to_string(&mut xml).expect("utf-8");
    let tree = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let body = tree.descendants().find(|n| n.has_tag_name("body")).expect("w:body");
    let mut out = Vec::new();
    let mut text = String::new();
    for block in body.children().filter(|n| n.is_element()) {
        let t: String =
            block.descendants().filter(|n| n.has_tag_name("t")).filter_map(|t| t.text()).collect();
        text.push_str(&t);
        text.push('\n');
        let sect = if block.has_tag_name("sectPr") {
            Some(block)
        } else {
            block
                .children()
                .find(|n| n.has_tag_name("pPr"))
                .and_then(|p| p.children().find(|n| n.has_tag_name("sectPr")))
        };
        if let Some(s) = sect {
            let size = s.children().find(|n| n.has_tag_name("pgSz")).expect("w:pgSz");
            let attr =
                |name: &str| size.attributes().find(|a| a.name() == name).map(|a| a.value().to_owned());
            let (w, h) = (attr("w").expect("w:w"), attr("h").expect("w:h"));
            let landscape = attr("orient").as_deref() == Some("landscape");
            let expected = if landscape { ("16838", "11906") } else { ("11906", "16838") };
            assert_eq!((w.as_str(), h.as_str()), expected, "A4, turned when landscape");
            out.push((std::mem::take(&mut text), landscape));
        }
    }
    out
}

/// The wide appendix tables are landscape sections; the body, the technical annex and the draft
/// Decision stay portrait (issue 12).
#[test]
fn docx_appendices_are_landscape_and_the_body_portrait() {
    let (doc, sub) = sample(filled());
    let parts = doc.authority_order().len();
    assert!(parts > 0, "the sample has appendices");
    let s = sections(&doc.render_submission(DocumentFormat::Docx, Lang::Vi, &sub).expect("renders"));
    assert!(s.len() >= 3, "{} sections", s.len());
    let (body, landscape) = &s[0];
    assert!(!landscape && body.contains("TỜ TRÌNH") && body.contains("KIẾN NGHỊ"), "the body is portrait");
    let (last, landscape) = &s[s.len() - 1];
    assert!(
        !landscape && last.contains("THÔNG TIN KỸ THUẬT CỦA PHƯƠNG ÁN"),
        "the annexes after are portrait"
    );
    let roman = ["I", "II", "III", "IV"];
    for r in &roman[..parts] {
        let title = format!("PHỤ LỤC {r}\n");
        let (_, landscape) = s.iter().find(|(t, _)| t.contains(&title)).expect("the appendix");
        assert!(landscape, "appendix {r} is landscape");
    }
    assert!(!s.iter().any(|(t, l)| *l && t.contains("THÔNG TIN KỸ THUẬT")));
}
