//! The document laid out once as blocks (headings, paragraphs, key figures, tables, charts) in one
//! language, so that Markdown and HTML show the same content in the same order.

use super::fmt;
use super::submission::{self, AppendixLine, Letterhead, LineKind, Submission, words};
use super::text::{self, Lang, labels};
use super::{IdleOptionKind, PoolSummary, ProjectLine, ProposalDocument};

/// Rows by (id, source), as [`ProposalDocument::project_index`] builds them.
pub type ProjectIndex<'a> = std::collections::HashMap<(&'a str, crate::domain::Source), &'a ProjectLine>;

/// Which chart goes where (HTML draws it; Markdown leaves it out).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chart {
    /// Forecast rate before and after, by source.
    Rates,
    /// Plan, disbursed and cut by difficulty group.
    Groups,
    /// Cut and added by locality.
    Localities,
}

/// A table: header, body rows, an optional total row; `numeric[i]` right-aligns column `i`.
#[derive(Clone, Debug, Default)]
pub struct Table {
    /// Column names.
    pub head: Vec<String>,
    /// Body rows.
    pub rows: Vec<Vec<String>>,
    /// Total row.
    pub foot: Option<Vec<String>>,
    /// Right-aligned (numeric) columns.
    pub numeric: Vec<bool>,
    /// Columns that hold long names and deserve width (project names).
    pub wide: Vec<usize>,
    /// Columns whose cells are lists, one item a line (`\n`): Markdown breaks the lines, HTML makes a
    /// list.
    pub lists: Vec<usize>,
}

/// One block of the document.
#[derive(Clone, Debug)]
pub enum Block {
    /// The document kind and subject (`TỜ TRÌNH` / subject line).
    Title {
        /// `TỜ TRÌNH`.
        kind: String,
        /// Subject line.
        subject: String,
    },
    /// A section heading.
    Heading(String),
    /// A paragraph.
    Para(String),
    /// A small print note (unit, method).
    Note(String),
    /// Label–value pairs, the value emphasised.
    Facts(Vec<(String, String)>),
    /// A table.
    Table(Table),
    /// A table of an appendix whose body rows at these indices (ascending) are group headings with
    /// their subtotals, shown in bold.
    Grouped(Table, Vec<usize>),
    /// A chart.
    Chart(Chart),
    /// The letterhead of an administrative document.
    Letterhead(Letterhead),
    /// The recipients on the left, the signer's title and name on the right.
    Signature {
        /// `Nơi nhận`.
        label: String,
        /// The recipients, one a line.
        recipients: Vec<String>,
        /// The signer's title.
        title: String,
        /// The signer's name.
        name: String,
    },
    /// A new page (an appendix, the draft decision).
    PageBreak,
}

/// A pool as the documents name it: the source, then its agreement or commune.
pub(crate) fn pool_label(p: &PoolSummary, lang: Lang) -> String {
    let base = format!("{} – {}", text::source(p.source, lang), p.source.code());
    match (&p.agreement, &p.locality) {
        (Some(a), _) => format!("{base}: {a}"),
        (None, Some(loc)) => format!("{base}: {loc}"),
        (None, None) => base,
    }
}

/// The notes of one pool as sentences in `lang`, rows named `id (name)` (names hold commas and
/// dashes, looked up in `index`); one line each, so that a list cell can split them. A proposal read from JSON without
/// structured notes keeps its English text.
pub fn pool_notes(pool: &PoolSummary, lang: Lang, index: &ProjectIndex<'_>) -> Vec<String> {
    let one_line = |s: String| s.replace(['\n', '\r'], " ");
    if pool.note_items.is_empty() {
        return pool.notes.iter().cloned().map(one_line).collect();
    }
    let name = |id: &String| match index.get(&(id.as_str(), pool.source)) {
        Some(p) if !p.name.is_empty() => format!("{id} ({})", p.name),
        _ => id.clone(),
    };
    pool.note_items.iter().map(|n| one_line(text::pool_note(&n.map_rows(name), lang))).collect()
}

/// The columns of an appendix: number, code, name, investor, decision, the four amounts, reason; and
/// the indices of the heading rows.
pub fn appendix_table(lines: &[AppendixLine], lang: Lang) -> (Table, Vec<usize>) {
    let w = words(lang);
    let a = |v: i64| fmt::amount(v, lang);
    let head = [
        w.col_no,
        w.col_id,
        w.col_name,
        w.col_investor,
        w.col_decision,
        w.col_plan,
        w.col_cut,
        w.col_add,
        w.col_after,
        w.col_reason,
    ];
    let mut t = Table {
        head: head.map(str::to_owned).to_vec(),
        numeric: vec![false, false, false, false, false, true, true, true, true, false],
        wide: vec![2, 9],
        ..Table::default()
    };
    let mut strong = Vec::new();
    for l in lines {
        if l.kind != LineKind::Project {
            strong.push(t.rows.len());
        }
        t.rows.push(vec![
            l.no.clone(),
            l.id.clone(),
            l.name.clone(),
            l.investor.clone(),
            l.decision.clone(),
            a(l.plan_vnd),
            a(l.cut_vnd),
            a(l.add_vnd),
            a(l.after_vnd),
            l.reason.clone(),
        ]);
    }
    (t, strong)
}

/// Lays out the whole submission: letterhead, legal bases, assessment, proposal by authority, idle
/// capital, recommendations, signature, then the appendices (one per authority), the technical annex,
/// the risk annex when there is one, and the draft Decision of the People's Committee's part.
pub fn layout_with(doc: &ProposalDocument, lang: Lang, sub: &Submission) -> Vec<Block> {
    let l = labels(lang);
    let w = words(lang);
    let s = &doc.summary;
    let m = |v: i64| fmt::amount(v, lang);
    let pct = |v: f64| fmt::percent(v, lang);
    let vi = lang == Lang::Vi;
    let mut b = Vec::new();
    let parts = submission::parts(doc, sub);
    // Appendix numbers: one per authority's part, then the technical annex, then the risk annex
    // (`appendix_no(parts.len() + 1)`).
    let appendix_no = |i: usize| format!("{} {}", w.appendix, submission::roman(i));
    let technical_no = appendix_no(parts.len());

    b.push(Block::Letterhead(submission::letterhead(sub, doc, lang)));
    b.push(Block::Title { kind: l.doc_kind.to_owned(), subject: text::subject(lang, doc.fiscal_year) });
    b.push(Block::Para(format!("{}: {}", l.to, text::addressee(lang, &doc.province))));
    for basis in sub.bases(lang) {
        b.push(Block::Para(format!("{} {basis};", w.based_on)));
    }
    b.push(Block::Para(if vi {
        format!(
            "Trên cơ sở số liệu giải ngân đến ngày {} (kịch bản: {}), thời hạn giải ngân đến ngày {}, \
             cơ quan trình kính trình Ủy ban nhân dân tỉnh phương án điều chỉnh kế hoạch vốn như sau:",
            fmt::date(doc.as_of, lang),
            doc.scenario,
            fmt::date(doc.deadline, lang)
        )
    } else {
        format!(
            "On the disbursement figures to {} (scenario: {}), with disbursement allowed until {}, the \
             following adjustment of the plan is submitted:",
            fmt::date(doc.as_of, lang),
            doc.scenario,
            fmt::date(doc.deadline, lang)
        )
    }));
    b.push(Block::Note(l.unit.to_owned()));

    // I. Assessment of disbursement.
    b.push(Block::Heading(w.sec_assessment.to_owned()));
    let disbursed_rate = fmt_rate(s.disbursed_vnd, s.plan_vnd);
    b.push(Block::Facts(vec![
        (l.plan.to_owned(), m(s.plan_vnd)),
        (l.disbursed.to_owned(), format!("{} ({})", m(s.disbursed_vnd), pct(disbursed_rate))),
        (
            l.rate_overall.to_owned(),
            format!(
                "{} → {} ({})",
                pct(s.forecast_rate_before),
                pct(s.forecast_rate_after),
                fmt::points(s.forecast_rate_before, s.forecast_rate_after, lang)
            ),
        ),
        (
            l.central_at_risk.to_owned(),
            format!("{} → {}", m(s.central_at_risk_vnd_before), m(s.central_at_risk_vnd_after)),
        ),
    ]));
    let mut t = Table {
        head: [
            l.source,
            l.rows,
            l.plan,
            l.disbursed,
            l.rate,
            l.moved_short,
            l.forecast_before,
            l.forecast_after,
        ]
        .map(str::to_owned)
        .to_vec(),
        numeric: vec![false, true, true, true, true, true, true, true],
        ..Table::default()
    };
    for p in &doc.sources {
        t.rows.push(vec![
            format!("{} – {}", text::source(p.source, lang), p.source.code()),
            p.rows.to_string(),
            m(p.plan_vnd),
            m(p.disbursed_vnd),
            pct(fmt_rate(p.disbursed_vnd, p.plan_vnd)),
            m(p.moved_vnd),
            pct(p.forecast_rate_before),
            pct(p.forecast_rate_after),
        ]);
    }
    // A project funded from two sources is one project: the total counts distinct projects.
    let projects_total = submission::distinct_projects(doc.projects.iter().map(|p| &*p.id));
    t.foot = Some(vec![
        l.total.to_owned(),
        projects_total.to_string(),
        m(s.plan_vnd),
        m(s.disbursed_vnd),
        pct(disbursed_rate),
        m(s.moved_vnd),
        pct(s.forecast_rate_before),
        pct(s.forecast_rate_after),
    ]);
    b.push(Block::Para(format!("1. {}:", l.by_source)));
    b.push(Block::Table(t));
    b.push(Block::Note(l.forecast_note.to_owned()));
    b.push(Block::Chart(Chart::Rates));
    let groups: Vec<_> = doc.groups.iter().filter(|g| g.rows > 0).collect();
    b.push(Block::Para(format!("2. {}:", strip_number(l.sec_groups))));
    if groups.is_empty() {
        b.push(Block::Para(l.no_groups.to_owned()));
    } else {
        let mut t = Table {
            head: [l.no, l.group, l.rows, l.plan, l.disbursed, l.rate, l.releasable, l.released, l.remedy]
                .map(str::to_owned)
                .to_vec(),
            numeric: vec![true, false, true, true, true, true, true, true, false],
            ..Table::default()
        };
        for (i, g) in groups.iter().enumerate() {
            let (label, remedy) = if vi { (&g.label_vi, &g.remedy_vi) } else { (&g.label_en, &g.remedy_en) };
            t.rows.push(vec![
                (i + 1).to_string(),
                label.clone(),
                g.rows.to_string(),
                m(g.plan_vnd),
                m(g.disbursed_vnd),
                pct(g.rate),
                m(g.releasable_vnd),
                m(g.released_vnd),
                remedy.clone(),
            ]);
        }
        b.push(Block::Table(t));
        b.push(Block::Chart(Chart::Groups));
    }

    // II. The proposal, one part per deciding authority.
    b.push(Block::Heading(w.sec_proposal.to_owned()));
    let donors = submission::distinct_projects(doc.donors().map(|p| &*p.id));
    let recipients = submission::distinct_projects(
        doc.recipients().map(|p| &*p.id).chain(doc.pipeline.iter().map(|x| x.id.as_str())),
    );
    b.push(Block::Facts(vec![
        (l.moved.to_owned(), m(s.moved_vnd)),
        (
            l.counts.to_owned(),
            format!(
                "{donors} {}, {recipients} {}, {} {}",
                l.donors_n, l.recipients_n, s.transfers, l.transfers_n
            ),
        ),
    ]));
    let mut appendices: Vec<(String, String, Vec<AppendixLine>)> = Vec::new();
    if parts.is_empty() {
        b.push(Block::Para(l.no_transfers.to_owned()));
    }
    for (i, code) in parts.iter().enumerate() {
        let label = submission::authority_label(doc, code, lang);
        let body = submission::body_name(doc, code, lang);
        let lines = submission::appendix_lines(doc, code, lang);
        let moved = total(doc.transfers.iter().filter(|t| &t.authority == code).map(|t| t.amount_vnd));
        let (cut, add) = lines.first().map_or((0, 0), |t| (t.cut_vnd, t.add_vnd));
        let n = |kind_cut: bool| {
            submission::distinct_projects(
                lines
                    .iter()
                    .filter(|x| {
                        x.kind == LineKind::Project && if kind_cut { x.cut_vnd > 0 } else { x.add_vnd > 0 }
                    })
                    .map(|x| x.id.as_str()),
            )
        };
        let no = appendix_no(i);
        b.push(Block::Para(if vi {
            format!(
                "{}. Phần thuộc thẩm quyền của {body} ({label}): điều chuyển {} triệu đồng; điều chỉnh giảm \
                 {} triệu đồng của {} dự án, điều chỉnh tăng {} triệu đồng cho {} dự án (chi tiết tại {no}).",
                i + 1,
                m(moved),
                m(cut),
                n(true),
                m(add),
                n(false)
            )
        } else {
            format!(
                "{}. The part for {body} ({label}): {} million VND moved; {} million VND taken from {} \
                 projects, {} million VND added to {} projects (details in {no}).",
                i + 1,
                m(moved),
                m(cut),
                n(true),
                m(add),
                n(false)
            )
        }));
        appendices.push((code.clone(), body, lines));
    }
    if !doc.localities.is_empty() {
        b.push(Block::Chart(Chart::Localities));
    }

    // III. Idle capital and its options.
    b.push(Block::Heading(w.sec_idle.to_owned()));
    let idle: Vec<&PoolSummary> = doc
        .pools
        .iter()
        .filter(|p| sub.shows(&p.authority) || p.authority.is_empty())
        .filter(|p| p.idle_after_vnd > 0 || !p.options.is_empty())
        .collect();
    if idle.is_empty() {
        b.push(Block::Para(l.no_idle.to_owned()));
    } else {
        let idle_total = total(idle.iter().map(|p| p.idle_after_vnd));
        b.push(Block::Para(if vi {
            format!(
                "Sau điều chỉnh, dự báo còn {} triệu đồng kế hoạch vốn không giải ngân hết đến ngày {} \
                 (trước điều chỉnh: {} triệu đồng). Các phương án xử lý còn lại theo từng nguồn vốn:",
                m(idle_total),
                fmt::date(doc.deadline, lang),
                m(total(idle.iter().map(|p| p.idle_before_vnd)))
            )
        } else {
            format!(
                "After the adjustment, {} million VND of the plan is still forecast not to be disbursed by {} \
                 (before: {} million VND). What the province can still do, by source:",
                m(idle_total),
                fmt::date(doc.deadline, lang),
                m(total(idle.iter().map(|p| p.idle_before_vnd)))
            )
        }));
        let mut t = Table {
            head: [l.no, l.pool, l.idle_before, l.idle_after, l.options].map(str::to_owned).to_vec(),
            numeric: vec![true, false, true, true, false],
            wide: vec![4],
            lists: vec![4],
            ..Table::default()
        };
        for (i, p) in idle.iter().enumerate() {
            let options: Vec<String> = p
                .options
                .iter()
                .map(|o| {
                    let what = match o.kind {
                        IdleOptionKind::Pipeline => l.opt_pipeline,
                        IdleOptionKind::Extend => l.opt_extend,
                        IdleOptionKind::ReturnCentral => l.opt_return,
                    };
                    let ids = submission::distinct_projects(o.rows.iter().map(String::as_str));
                    format!("{}: {} ({ids} {})", what, m(o.amount_vnd), l.project.to_lowercase())
                })
                .collect();
            t.rows.push(vec![
                (i + 1).to_string(),
                pool_label(p, lang),
                m(p.idle_before_vnd),
                m(p.idle_after_vnd),
                options.join("\n"),
            ]);
        }
        t.foot = Some(vec![
            String::new(),
            l.total.to_owned(),
            m(total(idle.iter().map(|p| p.idle_before_vnd))),
            m(idle_total),
            String::new(),
        ]);
        b.push(Block::Table(t));
    }

    // IV. Recommendations.
    b.push(Block::Heading(w.sec_recommend.to_owned()));
    for (i, (code, label, _)) in appendices.iter().enumerate() {
        let no = appendix_no(i);
        b.push(Block::Para(match (lang, code.as_str()) {
            (Lang::Vi, "ubnd_tinh") => format!(
                "- Đề nghị {label} xem xét, quyết định điều chỉnh kế hoạch vốn theo {no} (dự thảo Quyết định kèm theo)."
            ),
            (Lang::Vi, "hdnd_tinh") => format!(
                "- Đề nghị Ủy ban nhân dân tỉnh trình {label} xem xét, quyết định điều chỉnh kế hoạch vốn theo {no}."
            ),
            (Lang::Vi, "trung_uong") => format!(
                "- Đề nghị Ủy ban nhân dân tỉnh báo cáo {label} xem xét, chấp thuận điều chỉnh kế hoạch vốn theo {no}."
            ),
            (Lang::Vi, _) => format!("- Đề nghị {label} xem xét, quyết định điều chỉnh kế hoạch vốn theo {no}."),
            (Lang::En, "ubnd_tinh") => {
                format!("- That {label} decide the adjustment in {no} (draft Decision attached).")
            }
            (Lang::En, _) => format!("- That {label} be asked to approve the adjustment in {no}."),
        }));
    }
    b.push(Block::Para(if vi {
        "- Giao các chủ đầu tư tập trung giải ngân kế hoạch vốn sau điều chỉnh; các dự án điều chỉnh giảm khẩn \
         trương tháo gỡ vướng mắc theo giải pháp của từng nhóm tại Mục I."
            .to_owned()
    } else {
        "- That the investors disburse the adjusted plan, and the projects whose plan is reduced resolve their \
         obstacles with the remedy of their group in section I."
            .to_owned()
    }));
    if !idle.is_empty() {
        b.push(Block::Para(if vi {
            "- Đối với số vốn còn nhàn rỗi, xem xét các phương án xử lý tại Mục III.".to_owned()
        } else {
            "- That the options of section III be considered for the capital still idle.".to_owned()
        }));
    }
    b.push(Block::Para(l.closing.to_owned()));
    let (title, name) = submission::signer(sub, lang);
    b.push(Block::Signature {
        label: format!("{}:", w.recipients),
        recipients: submission::recipients(sub, lang),
        title,
        name,
    });

    // Appendices: one per authority's part, each with its transfers.
    let index = doc.project_index();
    let name = |id: &str, src| index.get(&(id, src)).map_or_else(String::new, |p| p.name.to_string());
    for (i, (code, label, lines)) in appendices.iter().enumerate() {
        b.push(Block::PageBreak);
        b.push(Block::Title {
            kind: appendix_no(i),
            subject: if vi {
                format!(
                    "ĐIỀU CHỈNH KẾ HOẠCH VỐN ĐẦU TƯ CÔNG NĂM {} THUỘC THẨM QUYỀN CỦA {}",
                    doc.fiscal_year,
                    label.to_uppercase()
                )
            } else {
                format!("ADJUSTMENT OF THE {} PLAN FOR DECISION BY {}", doc.fiscal_year, label.to_uppercase())
            },
        });
        b.push(Block::Note(format!(
            "({}) {}",
            if vi { "Kèm theo Tờ trình" } else { "Attached to the proposal" },
            l.unit
        )));
        let (t, strong) = appendix_table(lines, lang);
        b.push(Block::Grouped(t, strong));
        let rows: Vec<_> = doc.transfers.iter().filter(|t| &t.authority == code).collect();
        b.push(Block::Para(format!("{}:", strip_number(l.sec_transfers))));
        let mut t = Table {
            head: [l.no, l.source, l.from, w.col_name, l.to_project, w.col_name, l.amount]
                .map(str::to_owned)
                .to_vec(),
            numeric: vec![true, false, false, false, false, false, true],
            wide: vec![3, 5],
            ..Table::default()
        };
        for (i, tr) in rows.iter().enumerate() {
            t.rows.push(vec![
                (i + 1).to_string(),
                tr.source.code().to_owned(),
                tr.from.to_string(),
                name(&tr.from, tr.source),
                tr.to.to_string(),
                name(&tr.to, tr.source),
                m(tr.amount_vnd),
            ]);
        }
        t.foot = Some(vec![
            String::new(),
            l.total.to_owned(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            m(total(rows.iter().map(|t| t.amount_vnd))),
        ]);
        b.push(Block::Table(t));
    }

    // The technical annex: objective, constraints and their cost, shadow prices, manifest.
    b.push(Block::PageBreak);
    b.push(Block::Title { kind: technical_no, subject: w.annex_technical.to_owned() });
    b.push(Block::Facts(vec![(l.objective.to_owned(), fmt::float(s.objective, 3, lang))]));
    b.push(Block::Heading(format!("1. {}", strip_number(l.sec_constraints))));
    if doc.constraints.is_empty() {
        b.push(Block::Para(l.no_constraints.to_owned()));
    } else {
        let mut t = Table {
            head: [l.no, l.constraint, l.kind, l.binding, l.objective_loss, l.moved_forgone]
                .map(str::to_owned)
                .to_vec(),
            numeric: vec![true, false, false, false, true, true],
            ..Table::default()
        };
        for (i, c) in doc.constraints.iter().enumerate() {
            let (loss, forgone) = match (&c.cost, c.binding) {
                (Some(cost), _) => (fmt::float(cost.objective_loss, 3, lang), m(cost.moved_forgone_vnd)),
                (None, false) => (fmt::float(0.0, 3, lang), m(0)),
                (None, true) => (l.not_priced.to_owned(), l.not_priced.to_owned()),
            };
            t.rows.push(vec![
                (i + 1).to_string(),
                c.name.clone(),
                text::constraint_kind(&c.kind, lang),
                (if c.binding { l.binding_yes } else { l.binding_no }).to_owned(),
                loss,
                forgone,
            ]);
        }
        b.push(Block::Table(t));
        b.push(Block::Note(l.constraints_note.to_owned()));
    }
    b.push(Block::Heading(format!("2. {}", strip_number(l.sec_sensitivity))));
    let mut t = Table {
        head: [l.source, l.shadow_price, l.best_unfunded, w.col_name, l.notes].map(str::to_owned).to_vec(),
        numeric: vec![false, true, false, false, false],
        wide: vec![4],
        lists: vec![4],
        ..Table::default()
    };
    for p in &doc.pools {
        let best = p.best_unfunded.clone().unwrap_or_else(|| l.none.to_owned());
        let best_name = p.best_unfunded.as_deref().map(|id| name(id, p.source)).unwrap_or_default();
        t.rows.push(vec![
            pool_label(p, lang),
            fmt::float(p.shadow_price, 3, lang),
            best,
            best_name,
            pool_notes(p, lang, &index).join("\n"),
        ]);
    }
    b.push(Block::Table(t));
    b.push(Block::Note(l.shadow_note.to_owned()));
    b.push(Block::Heading(format!("3. {}", strip_number(l.sec_manifest))));
    let mf = &doc.manifest;
    let dash = |s: &str| if s.is_empty() { "–".to_owned() } else { s.to_owned() };
    b.push(Block::Facts(vec![
        (l.tool_version.to_owned(), dash(&mf.tool_version)),
        (l.rules.to_owned(), dash(&mf.rules)),
        (l.rules_sha256.to_owned(), dash(&mf.rules_sha256)),
        (l.solver.to_owned(), dash(&mf.solver)),
    ]));
    if !mf.inputs_sha256.is_empty() {
        let mut t = Table {
            head: vec![l.input_file.to_owned(), l.sha256.to_owned()],
            numeric: vec![false, false],
            ..Table::default()
        };
        for (f, h) in &mf.inputs_sha256 {
            t.rows.push(vec![f.clone(), h.clone()]);
        }
        b.push(Block::Table(t));
    }
    if !doc.overrides.is_empty() {
        b.push(Block::Heading(format!("4. {}", adjustments_title(lang))));
        b.push(Block::Table(adjustments_table(&doc.overrides, lang)));
    }

    // The risk annex, when asked for (`propose --risk`): numbered after the technical annex, its
    // title in place of the risk section's own heading.
    if let Some(r) = &doc.risk {
        b.push(Block::PageBreak);
        b.push(Block::Title { kind: appendix_no(parts.len() + 1), subject: w.annex_risk.to_owned() });
        b.extend(super::risk::blocks(r, lang).into_iter().skip_while(|x| matches!(x, Block::Heading(_))));
    }

    // The draft Decision of the People's Committee's part.
    if let Some(i) = appendices.iter().position(|(c, _, _)| c == "ubnd_tinh") {
        b.extend(draft_decision(doc, lang, sub, &appendix_no(i), &appendices[i].2));
    }
    b
}

/// A heading without its Roman number (`VI. SIDE CONSTRAINTS` → `SIDE CONSTRAINTS`).
fn strip_number(h: &str) -> &str {
    h.split_once(". ").map_or(h, |(_, rest)| rest)
}

/// The draft Decision of the People's Committee for its part of the adjustment.
fn draft_decision(
    doc: &ProposalDocument,
    lang: Lang,
    sub: &Submission,
    appendix: &str,
    lines: &[AppendixLine],
) -> Vec<Block> {
    let w = words(lang);
    let m = |v: i64| fmt::amount(v, lang);
    let vi = lang == Lang::Vi;
    let mut head = submission::letterhead(sub, doc, lang);
    head.parent = String::new();
    head.agency = if vi {
        format!("ỦY BAN NHÂN DÂN TỈNH {}", doc.province.to_uppercase())
    } else {
        format!("PEOPLE'S COMMITTEE OF {} PROVINCE", doc.province.to_uppercase())
    };
    head.number = if vi { "Số: …/QĐ-UBND".to_owned() } else { "No.: …/QĐ-UBND".to_owned() };
    let (cut, add) = lines.first().map_or((0, 0), |t| (t.cut_vnd, t.add_vnd));
    let mut b = vec![
        Block::PageBreak,
        Block::Note(format!("({})", w.draft)),
        Block::Letterhead(head),
        Block::Title { kind: w.decision_kind.to_owned(), subject: text::subject(lang, doc.fiscal_year) },
        Block::Para(if vi {
            format!("ỦY BAN NHÂN DÂN TỈNH {}", doc.province.to_uppercase())
        } else {
            format!("THE PEOPLE'S COMMITTEE OF {} PROVINCE", doc.province.to_uppercase())
        }),
    ];
    for basis in sub.bases(lang) {
        b.push(Block::Para(format!("{} {basis};", w.based_on)));
    }
    let number = sub.meta.number.as_deref().unwrap_or(submission::words(lang).no_number);
    b.push(Block::Para(if vi {
        format!("Theo đề nghị của cơ quan trình tại Tờ trình số {number}.")
    } else {
        format!("At the request of the submitting body in proposal No. {number}.")
    }));
    b.push(Block::Heading(if vi { "QUYẾT ĐỊNH:".to_owned() } else { "DECIDES:".to_owned() }));
    b.push(Block::Para(if vi {
        format!(
            "Điều 1. Điều chỉnh kế hoạch vốn đầu tư công năm {}: điều chỉnh giảm {} triệu đồng, điều chỉnh tăng {} \
             triệu đồng (chi tiết tại {appendix} kèm theo).",
            doc.fiscal_year,
            m(cut),
            m(add)
        )
    } else {
        format!(
            "Article 1. The {} public investment plan is adjusted: {} million VND reduced, {} million VND added \
             (details in {appendix} attached).",
            doc.fiscal_year,
            m(cut),
            m(add)
        )
    }));
    b.push(Block::Para(if vi {
        "Điều 2. Sở Tài chính thông báo kế hoạch vốn sau điều chỉnh; các chủ đầu tư tổ chức thực hiện, giải ngân \
         hết kế hoạch vốn được giao và chịu trách nhiệm về tính chính xác của số liệu báo cáo."
            .to_owned()
    } else {
        "Article 2. The Department of Finance notifies the adjusted plan; the investors carry it out, disburse \
         the capital assigned and answer for the accuracy of the figures they reported."
            .to_owned()
    }));
    b.push(Block::Para(if vi {
        "Điều 3. Quyết định này có hiệu lực kể từ ngày ký. Chánh Văn phòng Ủy ban nhân dân tỉnh, Giám đốc Sở Tài \
         chính, Giám đốc Kho bạc Nhà nước khu vực, các chủ đầu tư và các cơ quan, đơn vị có liên quan chịu trách \
         nhiệm thi hành Quyết định này./."
            .to_owned()
    } else {
        "Article 3. This Decision takes effect on signature. The Chief of Office of the People's Committee, the \
         Director of the Department of Finance, the State Treasury, the investors and the bodies concerned carry \
         it out."
            .to_owned()
    }));
    b.push(Block::Signature {
        label: format!("{}:", w.recipients),
        recipients: if vi {
            vec!["Như Điều 3;".to_owned(), "Lưu: VT.".to_owned()]
        } else {
            vec!["As in Article 3;".to_owned(), "Archive.".to_owned()]
        },
        title: if vi {
            "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH".to_owned()
        } else {
            "FOR THE PEOPLE'S COMMITTEE\nCHAIRMAN".to_owned()
        },
        name: "…".to_owned(),
    });
    b
}
/// Disbursed over plan from đồng, 0 for a zero plan.
pub fn fmt_rate(disbursed: i64, plan: i64) -> f64 {
    if plan == 0 { 0.0 } else { disbursed as f64 / plan as f64 }
}

/// The sum of amounts, saturating instead of overflowing (a JSON proposal can hold any number).
pub fn total(amounts: impl Iterator<Item = i64>) -> i64 {
    amounts.fold(0, i64::saturating_add)
}

/// "Adjustments made in the session", in `lang`.
pub fn adjustments_title(lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => "Điều chỉnh tại phiên họp",
        Lang::En => "Adjustments made in the session",
    }
}

/// The adjustments of a planning session as a table: number, what, project, adjustment, reason, time.
pub fn adjustments_table(lines: &[super::AdjustmentLine], lang: Lang) -> Table {
    let vi = lang == Lang::Vi;
    let head: Vec<String> = if vi {
        ["STT", "Điều chỉnh", "Mã dự án", "Nguồn", "Tên dự án", "Mức (triệu đồng)", "Lý do", "Thời điểm"]
    } else {
        ["No.", "Adjustment", "Project", "Source", "Name", "Amount (million VND)", "Reason", "Time"]
    }
    .map(str::to_owned)
    .to_vec();
    let mut t = Table {
        head,
        numeric: vec![true, false, false, false, false, true, false, false],
        wide: vec![4, 6],
        ..Table::default()
    };
    let m = |v: i64| fmt::million(v, lang);
    for (i, x) in lines.iter().enumerate() {
        let (what, amount) = match (x.kind.as_str(), x.change_vnd, x.max_change_vnd) {
            ("lock", ..) => {
                ((if vi { "Giữ nguyên (khóa)" } else { "Keep as planned (lock)" }).to_owned(), String::new())
            }
            ("unlock", ..) => ((if vi { "Bỏ khóa" } else { "Unlock" }).to_owned(), String::new()),
            ("set", Some(c), _) => (
                (if vi { "Ấn định mức điều chỉnh" } else { "Change forced" }).to_owned(),
                fmt::million_signed(c, lang),
            ),
            ("set", None, Some(c)) => (
                (if c < 0 {
                    if vi { "Giảm tối đa" } else { "Release at most" }
                } else if vi {
                    "Tăng tối đa"
                } else {
                    "Receive at most"
                })
                .to_owned(),
                m(c.abs()),
            ),
            _ => {
                let name = x.param.clone().unwrap_or_default();
                let value = x
                    .value
                    .map_or_else(String::new, |v| fmt::float(v, if v.fract() == 0.0 { 0 } else { 3 }, lang));
                (format!("{} {name} = {value}", if vi { "Tham số" } else { "Parameter" }), String::new())
            }
        };
        t.rows.push(vec![
            (i + 1).to_string(),
            what,
            x.id.clone().unwrap_or_default(),
            x.source.clone().unwrap_or_default(),
            x.name.clone().unwrap_or_default(),
            amount,
            x.reason.clone(),
            x.at.clone().unwrap_or_default(),
        ]);
    }
    t
}
