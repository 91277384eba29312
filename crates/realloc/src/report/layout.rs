//! The document laid out once as blocks (headings, paragraphs, key figures, tables, charts) in one
//! language, so that Markdown and HTML show the same content in the same order.

use super::fmt;
use super::text::{self, Lang, labels};
use super::{IdleOptionKind, PoolSummary, ProjectLine, ProposalDocument};

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
    /// A chart.
    Chart(Chart),
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

fn project_cell(p: &ProjectLine) -> String {
    if p.name.is_empty() { p.id.clone() } else { format!("{} – {}", p.id, p.name) }
}

fn group_names(doc: &ProposalDocument, p: &ProjectLine, lang: Lang) -> String {
    p.groups
        .iter()
        .map(|id| match doc.groups.iter().find(|g| g.id == *id) {
            Some(g) => {
                if lang == Lang::Vi {
                    g.label_vi.clone()
                } else {
                    g.label_en.clone()
                }
            }
            None => id.clone(),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// What a column of the donor or recipient table shows.
#[derive(Clone, Copy)]
enum Cell {
    /// An amount in đồng, shown in million VND and summed in the total row.
    Amount(fn(&ProjectLine) -> i64),
    /// The disbursement rate.
    Rate,
    /// The names of the row's obstacle groups.
    Groups,
    /// The priority tier.
    Priority,
}

/// The section of the donors or of the recipients: `heading`, then `none` if there are no `rows`, else
/// a table of number, project, investor, locality and source, then the `middle` columns (header and
/// cell), then the reason, and a total row under the amounts.
fn project_section(
    doc: &ProposalDocument,
    lang: Lang,
    heading: &str,
    none: &str,
    rows: &[&ProjectLine],
    middle: &[(&str, Cell)],
) -> Vec<Block> {
    let l = labels(lang);
    let m = |v: i64| fmt::million(v, lang);
    if rows.is_empty() {
        return vec![Block::Heading(heading.to_owned()), Block::Para(none.to_owned())];
    }
    // Number, project, investor, locality, source; the middle; the reason.
    let first = [l.no, l.project, l.investor, l.locality, l.source];
    let mut head: Vec<String> = first.map(str::to_owned).to_vec();
    head.extend(middle.iter().map(|(h, _)| (*h).to_owned()));
    head.push(l.reason.to_owned());
    let mut numeric = vec![true, false, false, false, false];
    numeric.extend(middle.iter().map(|(_, c)| !matches!(c, Cell::Groups | Cell::Priority)));
    numeric.push(false);
    let mut t = Table { wide: vec![1, head.len() - 1], head, numeric, ..Table::default() };
    for (i, p) in rows.iter().enumerate() {
        let mut row = vec![
            (i + 1).to_string(),
            project_cell(p),
            p.investor.clone(),
            p.locality.clone(),
            p.source.code().to_owned(),
        ];
        row.extend(middle.iter().map(|(_, c)| match c {
            Cell::Amount(amount) => m(amount(p)),
            Cell::Rate => fmt::percent(fmt_rate(p.disbursed_vnd, p.plan_vnd), lang),
            Cell::Groups => group_names(doc, p, lang),
            Cell::Priority => text::priority(p.priority, lang),
        }));
        row.push(p.reason.clone());
        t.rows.push(row);
    }
    let mut foot = vec![String::new(); t.head.len()];
    foot[1] = l.total.to_owned();
    for (j, (_, c)) in middle.iter().enumerate() {
        if let Cell::Amount(amount) = c {
            foot[first.len() + j] = m(total(rows.iter().map(|p| amount(p))));
        }
    }
    t.foot = Some(foot);
    vec![Block::Heading(heading.to_owned()), Block::Table(t)]
}

/// The notes of one pool as sentences in `lang`, rows named `id (name)` (names hold commas and
/// dashes); one line each, so that a list cell can split them. A proposal read from JSON without
/// structured notes keeps its English text.
pub fn pool_notes(doc: &ProposalDocument, pool: &PoolSummary, lang: Lang) -> Vec<String> {
    let one_line = |s: String| s.replace(['\n', '\r'], " ");
    if pool.note_items.is_empty() {
        return pool.notes.iter().cloned().map(one_line).collect();
    }
    let name = |id: &String| match doc.project(id, pool.source) {
        Some(p) if !p.name.is_empty() => format!("{id} ({})", p.name),
        _ => id.clone(),
    };
    pool.note_items.iter().map(|n| one_line(text::pool_note(&n.map_rows(name), lang))).collect()
}

/// Lays out the whole document.
pub fn layout(doc: &ProposalDocument, lang: Lang) -> Vec<Block> {
    let l = labels(lang);
    let s = &doc.summary;
    let m = |v: i64| fmt::million(v, lang);
    let pct = |v: f64| fmt::percent(v, lang);
    let mut b = Vec::new();

    b.push(Block::Title { kind: l.doc_kind.to_owned(), subject: text::subject(lang, doc.fiscal_year) });
    b.push(Block::Para(format!("{}: {}", l.to, text::addressee(lang, &doc.province))));
    b.push(Block::Facts(vec![
        (l.scenario.to_owned(), doc.scenario.clone()),
        (l.as_of.to_owned(), fmt::date(doc.as_of, lang)),
        (l.deadline.to_owned(), fmt::date(doc.deadline, lang)),
    ]));
    b.push(Block::Note(l.unit.to_owned()));

    // I. Summary.
    b.push(Block::Heading(l.sec_summary.to_owned()));
    b.push(Block::Facts(vec![
        (l.moved.to_owned(), m(s.moved_vnd)),
        (
            l.counts.to_owned(),
            format!(
                "{} {}, {} {}, {} {}",
                s.donors, l.donors_n, s.recipients, l.recipients_n, s.transfers, l.transfers_n
            ),
        ),
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
        (l.objective.to_owned(), fmt::float(s.objective, 3, lang)),
    ]));
    let mut t = Table {
        head: [l.source, l.rows, l.plan, l.disbursed, l.moved_short, l.forecast_before, l.forecast_after]
            .map(str::to_owned)
            .to_vec(),
        numeric: vec![false, true, true, true, true, true, true],
        ..Table::default()
    };
    for p in &doc.sources {
        t.rows.push(vec![
            format!("{} – {}", text::source(p.source, lang), p.source.code()),
            p.rows.to_string(),
            m(p.plan_vnd),
            m(p.disbursed_vnd),
            m(p.moved_vnd),
            pct(p.forecast_rate_before),
            pct(p.forecast_rate_after),
        ]);
    }
    t.foot = Some(vec![
        l.total.to_owned(),
        doc.sources.iter().fold(0usize, |a, p| a.saturating_add(p.rows)).to_string(),
        m(s.plan_vnd),
        m(s.disbursed_vnd),
        m(s.moved_vnd),
        pct(s.forecast_rate_before),
        pct(s.forecast_rate_after),
    ]);
    b.push(Block::Para(l.by_source.to_owned() + ":"));
    b.push(Block::Table(t));
    b.push(Block::Note(l.forecast_note.to_owned()));
    b.push(Block::Chart(Chart::Rates));

    // II. Groups.
    b.push(Block::Heading(l.sec_groups.to_owned()));
    let groups: Vec<_> = doc.groups.iter().filter(|g| g.rows > 0).collect();
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
            let (label, remedy) =
                if lang == Lang::Vi { (&g.label_vi, &g.remedy_vi) } else { (&g.label_en, &g.remedy_en) };
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

    // III. Donors.
    let donors: Vec<_> = doc.donors().collect();
    b.extend(project_section(
        doc,
        lang,
        l.sec_donors,
        l.no_donors,
        &donors,
        &[
            (l.plan, Cell::Amount(|p| p.plan_vnd)),
            (l.disbursed, Cell::Amount(|p| p.disbursed_vnd)),
            (l.rate, Cell::Rate),
            (l.groups, Cell::Groups),
            (l.cut, Cell::Amount(|p| p.change_vnd.saturating_neg())),
        ],
    ));

    // IV. Recipients.
    let recipients: Vec<_> = doc.recipients().collect();
    b.extend(project_section(
        doc,
        lang,
        l.sec_recipients,
        l.no_recipients,
        &recipients,
        &[
            (l.priority, Cell::Priority),
            (l.plan, Cell::Amount(|p| p.plan_vnd)),
            (l.added, Cell::Amount(|p| p.change_vnd)),
        ],
    ));
    if !doc.pipeline.is_empty() {
        b.push(Block::Para(l.pipeline_heading.to_owned() + ":"));
        let mut t = Table {
            head: [l.no, l.project, l.source, l.added].map(str::to_owned).to_vec(),
            numeric: vec![true, false, false, true],
            ..Table::default()
        };
        for (i, x) in doc.pipeline.iter().enumerate() {
            t.rows.push(vec![(i + 1).to_string(), x.id.clone(), x.source.code().to_owned(), m(x.amount_vnd)]);
        }
        t.foot = Some(vec![
            String::new(),
            l.total.to_owned(),
            String::new(),
            m(total(doc.pipeline.iter().map(|x| x.amount_vnd))),
        ]);
        b.push(Block::Table(t));
    }
    if !doc.localities.is_empty() {
        b.push(Block::Chart(Chart::Localities));
    }

    // V. Transfers.
    b.push(Block::Heading(l.sec_transfers.to_owned()));
    if doc.transfers.is_empty() {
        b.push(Block::Para(l.no_transfers.to_owned()));
    } else {
        // One table per deciding authority, in the order of the rules' table.
        let index = doc.project_index();
        let name = |id: &str, src| index.get(&(id, src)).map_or_else(|| id.to_owned(), |p| project_cell(p));
        for a in doc.authority_order() {
            let rows: Vec<_> = doc.transfers.iter().filter(|t| t.authority == a).collect();
            let label = doc
                .authorities
                .iter()
                .find(|x| x.code == a)
                .map(|x| if lang == Lang::Vi { x.label_vi.clone() } else { x.label_en.clone() })
                .filter(|x| !x.is_empty())
                .unwrap_or_else(|| a.clone());
            b.push(Block::Para(format!("{}: {label}", l.authority)));
            let mut t = Table {
                head: [l.no, l.source, l.from, l.to_project, l.amount].map(str::to_owned).to_vec(),
                numeric: vec![true, false, false, false, true],
                ..Table::default()
            };
            for (i, tr) in rows.iter().enumerate() {
                t.rows.push(vec![
                    (i + 1).to_string(),
                    tr.source.code().to_owned(),
                    name(&tr.from, tr.source),
                    name(&tr.to, tr.source),
                    m(tr.amount_vnd),
                ]);
            }
            t.foot = Some(vec![
                String::new(),
                l.total.to_owned(),
                String::new(),
                String::new(),
                m(total(rows.iter().map(|t| t.amount_vnd))),
            ]);
            b.push(Block::Table(t));
        }
    }

    // VI. Constraints.
    b.push(Block::Heading(l.sec_constraints.to_owned()));
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

    // VII. Idle capital and its options.
    b.push(Block::Heading(l.sec_idle.to_owned()));
    let idle: Vec<&PoolSummary> =
        doc.pools.iter().filter(|p| p.idle_after_vnd > 0 || !p.options.is_empty()).collect();
    if idle.is_empty() {
        b.push(Block::Para(l.no_idle.to_owned()));
    } else {
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
                    format!("{}: {} ({} {})", what, m(o.amount_vnd), o.rows.len(), l.project.to_lowercase())
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
            m(total(idle.iter().map(|p| p.idle_after_vnd))),
            String::new(),
        ]);
        b.push(Block::Table(t));
    }

    // VIII. Sensitivity.
    b.push(Block::Heading(l.sec_sensitivity.to_owned()));
    let mut t = Table {
        head: [l.source, l.shadow_price, l.best_unfunded, l.notes].map(str::to_owned).to_vec(),
        numeric: vec![false, true, false, false],
        wide: vec![3],
        lists: vec![3],
        ..Table::default()
    };
    let index = doc.project_index();
    for p in &doc.pools {
        let best = p.best_unfunded.as_deref().map_or_else(
            || l.none.to_owned(),
            |id| index.get(&(id, p.source)).map_or_else(|| id.to_owned(), |x| project_cell(x)),
        );
        t.rows.push(vec![
            pool_label(p, lang),
            fmt::float(p.shadow_price, 3, lang),
            best,
            pool_notes(doc, p, lang).join("\n"),
        ]);
    }
    b.push(Block::Table(t));
    b.push(Block::Note(l.shadow_note.to_owned()));

    // IX. Manifest.
    b.push(Block::Heading(l.sec_manifest.to_owned()));
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
    b.push(Block::Para(l.closing.to_owned()));

    // Annex: the risk of missing the target, when asked for (`propose --risk`).
    if let Some(r) = &doc.risk {
        b.extend(super::risk::blocks(r, lang));
    }
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
