//! The administrative form of the submission (Decree 30/2020/NĐ-CP): letterhead, legal bases, the part
//! of each deciding authority, the appendices grouped source → sector → status with subtotals, the
//! technical annex and the draft Decision. Every renderer (Markdown, HTML, docx, xlsx) takes its
//! figures from here, so that one fact has one figure.

use std::collections::{BTreeSet, HashMap};

use chrono::Datelike;

use crate::domain::Source;
use crate::scenario::DocumentMeta;

use super::ProposalDocument;
use super::text::{self, Lang};

/// What the submission needs beyond the proposal: the `[document]` table of `scenario.toml`, the
/// legal bases, and the authority whose part is asked for.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Submission {
    /// Issuing body, number, place, date, signer, recipients and extra bases (`[document]`).
    pub meta: DocumentMeta,
    /// The legal instruments the rules cite (their citations and the authorities' cites), in order,
    /// without duplicates; `meta.bases` follow them.
    pub rule_bases: Vec<Instrument>,
    /// Only this authority's part (`ubnd_tinh`, `hdnd_tinh`, `trung_uong`); every part when `None`.
    pub authority: Option<String>,
}

impl Submission {
    /// The submission of `doc` with the scenario's `[document]` and the legal instruments that the
    /// rules' citations (what, citation) and the authorities' cites name, each once, in the order
    /// first cited (see [`instruments`]); practice notes and explanations are left out of the bases.
    pub fn new(meta: DocumentMeta, citations: &[(String, String)], doc: &ProposalDocument) -> Submission {
        let cites =
            citations.iter().map(|(_, c)| c.as_str()).chain(doc.authorities.iter().map(|a| a.cite.as_str()));
        let rule_bases = instruments(cites);
        Submission { meta, rule_bases, authority: None }
    }

    /// Every basis in `lang`: the rules' first, then the scenario's own.
    pub fn bases(&self, lang: Lang) -> Vec<String> {
        self.rule_bases.iter().map(|i| i.basis(lang)).chain(self.meta.bases.iter().cloned()).collect()
    }

    /// True when the part of `code` is to be shown.
    pub fn shows(&self, code: &str) -> bool {
        self.authority.as_deref().is_none_or(|a| a == code)
    }
}

/// The letterhead: issuing body and its superior on the left, national title and motto on the right,
/// number under the body, place and date under the motto.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Letterhead {
    /// The superior body (`UBND TỈNH LẠNG SƠN`).
    pub parent: String,
    /// The issuing body (`SỞ TÀI CHÍNH`).
    pub agency: String,
    /// `Số: …/TTr-STC`.
    pub number: String,
    /// `CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM`.
    pub national: String,
    /// `Độc lập - Tự do - Hạnh phúc`.
    pub motto: String,
    /// `Lạng Sơn, ngày 30 tháng 9 năm 2025`.
    pub place_date: String,
}

/// The words of the administrative parts in one language.
#[derive(Debug)]
#[allow(missing_docs)] // Each field is the text its name says.
pub struct Words {
    pub national: &'static str,
    pub motto: &'static str,
    pub number: &'static str,
    pub no_agency: &'static str,
    pub no_parent: &'static str,
    pub no_number: &'static str,
    pub no_place: &'static str,
    pub no_signer: &'static str,
    pub no_signer_title: &'static str,
    pub bases_heading: &'static str,
    pub based_on: &'static str,
    pub sec_assessment: &'static str,
    pub sec_proposal: &'static str,
    pub sec_idle: &'static str,
    pub sec_recommend: &'static str,
    pub recipients: &'static str,
    pub default_recipients: [&'static str; 2],
    pub appendix: &'static str,
    pub annex_technical: &'static str,
    /// The subject of the risk annex (`propose --risk`), numbered after the technical annex.
    pub annex_risk: &'static str,
    pub draft: &'static str,
    pub decision_kind: &'static str,
    pub col_no: &'static str,
    pub col_id: &'static str,
    pub col_name: &'static str,
    pub col_investor: &'static str,
    pub col_decision: &'static str,
    pub col_plan: &'static str,
    pub col_cut: &'static str,
    pub col_add: &'static str,
    pub col_after: &'static str,
    pub col_reason: &'static str,
    pub total: &'static str,
    pub pipeline_name: &'static str,
    pub no_sector: &'static str,
    pub status_completed: &'static str,
    pub status_ongoing: &'static str,
    pub status_new: &'static str,
    pub status_prep: &'static str,
    pub roman: [&'static str; 20],
    pub letters: [&'static str; 4],
}

const VI: Words = Words {
    national: "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    motto: "Độc lập - Tự do - Hạnh phúc",
    number: "Số",
    no_agency: "[CHƯA CÓ CƠ QUAN TRÌNH]",
    no_parent: "[CHƯA CÓ CƠ QUAN CHỦ QUẢN]",
    no_number: "[chưa có số hiệu]",
    no_place: "…",
    no_signer: "[chưa có họ tên người ký]",
    no_signer_title: "[CHƯA CÓ CHỨC VỤ NGƯỜI KÝ]",
    bases_heading: "Căn cứ",
    based_on: "Căn cứ",
    sec_assessment: "I. ĐÁNH GIÁ TÌNH HÌNH GIẢI NGÂN KẾ HOẠCH VỐN",
    sec_proposal: "II. ĐỀ XUẤT ĐIỀU CHỈNH KẾ HOẠCH VỐN",
    sec_idle: "III. VỐN CÒN NHÀN RỖI SAU ĐIỀU CHỈNH VÀ PHƯƠNG ÁN XỬ LÝ",
    sec_recommend: "IV. KIẾN NGHỊ",
    recipients: "Nơi nhận",
    default_recipients: ["Như trên;", "Lưu: VT."],
    appendix: "PHỤ LỤC",
    annex_technical: "THÔNG TIN KỸ THUẬT CỦA PHƯƠNG ÁN",
    annex_risk: "ĐÁNH GIÁ RỦI RO KHÔNG ĐẠT MỤC TIÊU GIẢI NGÂN",
    draft: "DỰ THẢO",
    decision_kind: "QUYẾT ĐỊNH",
    col_no: "STT",
    col_id: "Mã dự án",
    col_name: "Danh mục dự án",
    col_investor: "Chủ đầu tư",
    col_decision: "Quyết định đầu tư",
    col_plan: "Kế hoạch đã giao",
    col_cut: "Điều chỉnh giảm",
    col_add: "Điều chỉnh tăng",
    col_after: "Kế hoạch sau điều chỉnh",
    col_reason: "Lý do",
    total: "TỔNG CỘNG",
    pipeline_name: "(dự án khởi công mới thuộc kế hoạch trung hạn)",
    no_sector: "Lĩnh vực khác",
    status_completed: "Dự án hoàn thành, bàn giao đưa vào sử dụng",
    status_ongoing: "Dự án chuyển tiếp",
    status_new: "Dự án khởi công mới",
    status_prep: "Nhiệm vụ chuẩn bị đầu tư",
    roman: [
        "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV", "XVI",
        "XVII", "XVIII", "XIX", "XX",
    ],
    letters: ["a", "b", "c", "d"],
};

const EN: Words = Words {
    national: "SOCIALIST REPUBLIC OF VIETNAM",
    motto: "Independence - Freedom - Happiness",
    number: "No.",
    no_agency: "[ISSUING BODY NOT GIVEN]",
    no_parent: "[SUPERIOR BODY NOT GIVEN]",
    no_number: "[no number yet]",
    no_place: "…",
    no_signer: "[signer not given]",
    no_signer_title: "[SIGNER'S TITLE NOT GIVEN]",
    bases_heading: "Legal bases",
    based_on: "Pursuant to",
    sec_assessment: "I. ASSESSMENT OF DISBURSEMENT",
    sec_proposal: "II. PROPOSED ADJUSTMENT OF THE PLAN",
    sec_idle: "III. CAPITAL STILL IDLE AFTER THE ADJUSTMENT, AND WHAT CAN BE DONE",
    sec_recommend: "IV. RECOMMENDATIONS",
    recipients: "Recipients",
    default_recipients: ["As above;", "Archive."],
    appendix: "APPENDIX",
    annex_technical: "TECHNICAL INFORMATION OF THE PROPOSAL",
    annex_risk: "RISK OF MISSING THE DISBURSEMENT TARGET",
    draft: "DRAFT",
    decision_kind: "DECISION",
    col_no: "No.",
    col_id: "Project code",
    col_name: "Project",
    col_investor: "Investor",
    col_decision: "Investment decision",
    col_plan: "Plan assigned",
    col_cut: "Reduction",
    col_add: "Increase",
    col_after: "Plan after adjustment",
    col_reason: "Reason",
    total: "TOTAL",
    pipeline_name: "(new project of the medium-term plan)",
    no_sector: "Other sectors",
    status_completed: "Completed projects handed over",
    status_ongoing: "Ongoing projects",
    status_new: "New projects",
    status_prep: "Investment preparation",
    roman: VI.roman,
    letters: VI.letters,
};

/// The words of `lang`.
pub fn words(lang: Lang) -> &'static Words {
    match lang {
        Lang::Vi => &VI,
        Lang::En => &EN,
    }
}

/// A Roman numeral for appendix and section numbers (beyond the table, the Arabic number).
pub fn roman(i: usize) -> String {
    VI.roman.get(i).map_or_else(|| (i + 1).to_string(), |r| (*r).to_owned())
}

/// The letterhead of the submission.
pub fn letterhead(sub: &Submission, doc: &ProposalDocument, lang: Lang) -> Letterhead {
    let w = words(lang);
    let m = &sub.meta;
    let or =
        |v: &Option<String>, d: &str| v.as_deref().filter(|s| !s.trim().is_empty()).unwrap_or(d).to_owned();
    let place = or(&m.place, w.no_place);
    let place_date = match (lang, m.date) {
        (Lang::Vi, Some(d)) => format!("{place}, ngày {} tháng {} năm {}", d.day(), d.month(), d.year()),
        (Lang::Vi, None) => format!("{place}, ngày … tháng … năm {}", doc.fiscal_year),
        (Lang::En, Some(d)) => format!("{place}, {}", super::fmt::date(d, lang)),
        (Lang::En, None) => format!("{place}, … {}", doc.fiscal_year),
    };
    Letterhead {
        parent: or(&m.parent, w.no_parent),
        agency: or(&m.agency, w.no_agency),
        number: format!("{}: {}", w.number, or(&m.number, w.no_number)),
        national: w.national.to_owned(),
        motto: w.motto.to_owned(),
        place_date,
    }
}

/// The signer's title and name, with placeholders.
pub fn signer(sub: &Submission, lang: Lang) -> (String, String) {
    let w = words(lang);
    let or =
        |v: &Option<String>, d: &str| v.as_deref().filter(|s| !s.trim().is_empty()).unwrap_or(d).to_owned();
    (or(&sub.meta.signer_title, w.no_signer_title), or(&sub.meta.signer, w.no_signer))
}

/// The recipients (nơi nhận): the scenario's, else "as above; archive".
pub fn recipients(sub: &Submission, lang: Lang) -> Vec<String> {
    if sub.meta.recipients.is_empty() {
        words(lang).default_recipients.iter().map(|s| (*s).to_owned()).collect()
    } else {
        sub.meta.recipients.clone()
    }
}

/// Who decides each source's transfers, from the pools (then the transfers).
pub fn authority_by_source(doc: &ProposalDocument) -> HashMap<Source, String> {
    let mut by: HashMap<Source, String> = HashMap::new();
    for p in doc.pools.iter().filter(|p| !p.authority.is_empty()) {
        by.entry(p.source).or_insert_with(|| p.authority.clone());
    }
    for t in doc.transfers.iter().filter(|t| !t.authority.is_empty()) {
        by.entry(t.source).or_insert_with(|| t.authority.clone());
    }
    by
}

/// The label of an authority code in `lang` (the code itself when the rules give none).
pub fn authority_label(doc: &ProposalDocument, code: &str, lang: Lang) -> String {
    doc.authorities
        .iter()
        .find(|x| x.code == code)
        .map(|x| if lang == Lang::Vi { x.label_vi.clone() } else { x.label_en.clone() })
        .filter(|x| !x.is_empty())
        .unwrap_or_else(|| code.to_owned())
}

/// The body that decides a part, as a sentence names it: `Ủy ban nhân dân tỉnh`, `Hội đồng nhân
/// dân tỉnh`, the central authorities; another code of a rules file by its label.
pub fn body_name(doc: &ProposalDocument, code: &str, lang: Lang) -> String {
    match (code, lang) {
        ("ubnd_tinh", Lang::Vi) => "Ủy ban nhân dân tỉnh".to_owned(),
        ("hdnd_tinh", Lang::Vi) => "Hội đồng nhân dân tỉnh".to_owned(),
        ("trung_uong", Lang::Vi) => "cơ quan có thẩm quyền ở trung ương".to_owned(),
        ("ubnd_tinh", Lang::En) => "the Provincial People's Committee".to_owned(),
        ("hdnd_tinh", Lang::En) => "the Provincial People's Council".to_owned(),
        ("trung_uong", Lang::En) => "the central authorities".to_owned(),
        _ => authority_label(doc, code, lang),
    }
}

/// The rank of a status in the appendices: completed, ongoing, new, preparation.
fn status_rank(status: &str) -> usize {
    match status {
        "completed" => 0,
        "ongoing" => 1,
        "new" => 2,
        "prep" => 3,
        _ => 4,
    }
}

fn status_label(rank: usize, lang: Lang) -> &'static str {
    let w = words(lang);
    match rank {
        0 => w.status_completed,
        1 => w.status_ongoing,
        2 => w.status_new,
        _ => w.status_prep,
    }
}

/// What a line of an appendix is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineKind {
    /// The grand total.
    Total,
    /// A capital source with its subtotal.
    Source,
    /// A sector within a source, with its subtotal.
    Sector,
    /// A status within a sector, with its subtotal.
    Status,
    /// A project row.
    Project,
}

/// One line of an appendix: a heading with its subtotal, or a project; amounts in đồng.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppendixLine {
    /// Heading or project.
    pub kind: LineKind,
    /// Number (`I`, `1`, `a`, or the running number of a project).
    pub no: String,
    /// Project code (empty on headings).
    pub id: String,
    /// Project name, or the heading.
    pub name: String,
    /// Investor.
    pub investor: String,
    /// Investment decision.
    pub decision: String,
    /// Plan assigned.
    pub plan_vnd: i64,
    /// Reduction (positive).
    pub cut_vnd: i64,
    /// Increase.
    pub add_vnd: i64,
    /// Plan after adjustment.
    pub after_vnd: i64,
    /// Reason (projects).
    pub reason: String,
}

/// One row taking part in an appendix: a project of the portfolio or a pipeline placement.
struct Item<'a> {
    source: Source,
    sector: &'a str,
    status: usize,
    id: &'a str,
    name: &'a str,
    investor: &'a str,
    decision: &'a str,
    plan: i64,
    change: i64,
    reason: &'a str,
}

/// The appendix of one authority: every row whose plan changes in a source that authority decides,
/// grouped source → sector → status, each group with its subtotal, the grand total first. The
/// subtotals are sums of the lines beneath them, so they add up to the đồng.
pub fn appendix_lines(doc: &ProposalDocument, authority: &str, lang: Lang) -> Vec<AppendixLine> {
    let w = words(lang);
    let by = authority_by_source(doc);
    let decides = |s: Source| by.get(&s).is_some_and(|a| a == authority);
    let mut items: Vec<Item<'_>> = doc
        .projects
        .iter()
        .filter(|p| p.change_vnd != 0 && decides(p.source))
        .map(|p| Item {
            source: p.source,
            sector: &p.sector,
            status: status_rank(&p.status),
            id: &p.id,
            name: &p.name,
            investor: &p.investor,
            decision: p.decision.as_deref().unwrap_or(""),
            plan: p.plan_vnd,
            change: p.change_vnd,
            reason: p.lock_reason.as_deref().filter(|_| p.locked).unwrap_or(&p.reason),
        })
        .collect();
    items.extend(doc.pipeline.iter().filter(|x| decides(x.source)).map(|x| Item {
        source: x.source,
        sector: "",
        status: 2,
        id: &x.id,
        name: w.pipeline_name,
        investor: "",
        decision: "",
        plan: 0,
        change: x.amount_vnd,
        reason: "",
    }));
    // Stable: rows keep portfolio order within a group.
    items.sort_by(|a, b| {
        (a.source.index(), a.sector.is_empty(), a.sector, a.status).cmp(&(
            b.source.index(),
            b.sector.is_empty(),
            b.sector,
            b.status,
        ))
    });
    let heading = |kind, no: String, name: String| AppendixLine {
        kind,
        no,
        id: String::new(),
        name,
        investor: String::new(),
        decision: String::new(),
        plan_vnd: 0,
        cut_vnd: 0,
        add_vnd: 0,
        after_vnd: 0,
        reason: String::new(),
    };
    let mut out = vec![heading(LineKind::Total, String::new(), w.total.to_owned())];
    // Indices of the open source, sector and status headings, whose subtotals grow with each row.
    let (mut src_at, mut sec_at, mut st_at) = (0usize, 0usize, 0usize);
    let (mut n_src, mut n_sec, mut n_st, mut n_row) = (0usize, 0usize, 0usize, 0usize);
    let mut prev: Option<(Source, &str, usize)> = None;
    for it in &items {
        let new_src = prev.is_none_or(|(s, _, _)| s != it.source);
        let new_sec = new_src || prev.is_some_and(|(_, sec, _)| sec != it.sector);
        let new_st = new_sec || prev.is_some_and(|(_, _, st)| st != it.status);
        if new_src {
            src_at = out.len();
            out.push(heading(
                LineKind::Source,
                roman(n_src),
                format!("{} ({})", text::source(it.source, lang), it.source.code()),
            ));
            n_src += 1;
            n_sec = 0;
        }
        if new_sec {
            sec_at = out.len();
            n_sec += 1;
            n_st = 0;
            let name = if it.sector.is_empty() { w.no_sector.to_owned() } else { it.sector.to_owned() };
            out.push(heading(LineKind::Sector, n_sec.to_string(), name));
        }
        if new_st {
            st_at = out.len();
            let letter = w.letters.get(n_st).copied().unwrap_or("-");
            n_st += 1;
            out.push(heading(LineKind::Status, letter.to_owned(), status_label(it.status, lang).to_owned()));
        }
        prev = Some((it.source, it.sector, it.status));
        n_row += 1;
        let cut = it.change.saturating_neg().max(0);
        let add = it.change.max(0);
        let after = it.plan.saturating_add(it.change);
        for at in [0, src_at, sec_at, st_at] {
            let h = &mut out[at];
            h.plan_vnd = h.plan_vnd.saturating_add(it.plan);
            h.cut_vnd = h.cut_vnd.saturating_add(cut);
            h.add_vnd = h.add_vnd.saturating_add(add);
            h.after_vnd = h.after_vnd.saturating_add(after);
        }
        out.push(AppendixLine {
            kind: LineKind::Project,
            no: n_row.to_string(),
            id: it.id.to_owned(),
            name: it.name.to_owned(),
            investor: it.investor.to_owned(),
            decision: it.decision.to_owned(),
            plan_vnd: it.plan,
            cut_vnd: cut,
            add_vnd: add,
            after_vnd: after,
            reason: it.reason.to_owned(),
        });
    }
    out
}

/// The authorities whose parts the submission shows, in the rules' order: those with transfers.
pub fn parts(doc: &ProposalDocument, sub: &Submission) -> Vec<String> {
    doc.authority_order().into_iter().filter(|a| sub.shows(a)).collect()
}

/// Distinct projects (by id) among `rows`: a project funded from two sources is one project.
pub fn distinct_projects<'a>(ids: impl Iterator<Item = &'a str>) -> usize {
    ids.collect::<BTreeSet<&str>>().len()
}

/// A legal instrument named in a citation: its kind and its number (`58/2024/QH15`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instrument {
    /// `law`, `decree`, `circular`, `plan` or `decision`.
    pub kind: &'static str,
    /// Number and symbol as written, completed with the usual symbol of its kind when missing.
    pub number: String,
}

impl Instrument {
    /// As a legal basis is written: `Luật Đầu tư công số 58/2024/QH15` (vi), `Law No. 58/2024/QH15` (en).
    pub fn basis(&self, lang: Lang) -> String {
        let known_vi = match self.number.as_str() {
            "58/2024/QH15" => Some("Luật Đầu tư công"),
            _ => None,
        };
        match lang {
            Lang::Vi => {
                let kind = known_vi.unwrap_or(match self.kind {
                    "law" => "Luật",
                    "decree" => "Nghị định",
                    "circular" => "Thông tư",
                    "plan" => "Kế hoạch",
                    _ => "Quyết định",
                });
                format!("{kind} số {}", self.number)
            }
            Lang::En => {
                let kind = match self.kind {
                    "law" => "Law",
                    "decree" => "Decree",
                    "circular" => "Circular",
                    "plan" => "Plan",
                    _ => "Decision",
                };
                format!("{kind} No. {}", self.number)
            }
        }
    }
}

/// The legal instruments named in `cites` (`Law 58/2024`, `Decree 254/2025/NĐ-CP`, `Plan
/// 325/KH-SKHĐT`, in English or Vietnamese), each once by number and year, in the order first named.
/// A law's symbol is completed with its legislature (QH14 to 2020, QH15 after), a decree's with
/// `NĐ-CP`; laws first, then decrees, circulars, decisions and plans. Law 39/2019/QH14 is left out: Law 58/2024/QH15 replaced it from 1 January 2025.
pub fn instruments<'a>(cites: impl Iterator<Item = &'a str>) -> Vec<Instrument> {
    const KINDS: [(&str, &str); 10] = [
        ("Law ", "law"),
        ("Luật ", "law"),
        ("Decree ", "decree"),
        ("Nghị định ", "decree"),
        ("Circular ", "circular"),
        ("Thông tư ", "circular"),
        ("Plan ", "plan"),
        ("Kế hoạch ", "plan"),
        ("Decision ", "decision"),
        ("Quyết định ", "decision"),
    ];
    let mut out: Vec<Instrument> = Vec::new();
    let mut seen: BTreeSet<(&'static str, String)> = BTreeSet::new();
    for cite in cites {
        for (word, kind) in KINDS {
            let mut rest = cite;
            while let Some(at) = rest.find(word) {
                rest = &rest[at + word.len()..];
                let after = rest.trim_start_matches("số ").trim_start_matches("No. ");
                // The number: digits, '/', letters, '-' (Vietnamese letters included), up to a space
                // or punctuation other than '/' and '-'.
                let token: String =
                    after.chars().take_while(|c| c.is_alphanumeric() || *c == '/' || *c == '-').collect();
                let token = token.trim_end_matches(['-', '/']).to_owned();
                let mut parts = token.splitn(3, '/');
                let (Some(num), Some(second)) = (parts.next(), parts.next()) else { continue };
                if num.is_empty() || !num.chars().all(|c| c.is_ascii_digit()) {
                    continue;
                }
                let third = parts.next();
                let year: Option<i32> = second.parse().ok().filter(|y| (1990..=2100).contains(y));
                let key_tail = year.map_or_else(|| second.to_owned(), |y| y.to_string());
                if !seen.insert((kind, format!("{num}/{key_tail}"))) {
                    continue;
                }
                let number = match (kind, year, third) {
                    (_, _, Some(sym)) => format!("{num}/{second}/{sym}"),
                    ("law", Some(y), None) => {
                        format!("{num}/{y}/{}", if y <= 2020 { "QH14" } else { "QH15" })
                    }
                    ("decree", Some(y), None) => format!("{num}/{y}/NĐ-CP"),
                    _ => token.clone(),
                };
                if kind == "law" && number.starts_with("39/2019") {
                    continue;
                }
                out.push(Instrument { kind, number });
            }
        }
    }
    // Laws first, then decrees, circulars, decisions and plans, as bases are listed.
    let rank = |k: &str| ["law", "decree", "circular", "decision", "plan"].iter().position(|x| *x == k);
    out.sort_by_key(|i| rank(i.kind));
    out
}
