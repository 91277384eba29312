//! The submission as a Word document (.docx) in the layout of Decree 30/2020/NĐ-CP: A4, Times New
//! Roman 13 pt, margins 2 cm top and bottom, 3 cm left, 1.5 cm right, the letterhead and the signature
//! as borderless two-column tables, the appendices and the draft Decision each on a new page. The
//! content is the layout's blocks, as in Markdown and HTML; the writer is `docx-rs` (MIT).

use docx_rs::{
    AlignmentType, BreakType, Docx, PageMargin, Paragraph, Run, RunFonts, Style, StyleType, Table, TableCell,
    TableRow, WidthType,
};

use super::layout::{self, Block, Table as Grid};
use super::submission::{Letterhead, Submission};
use super::text::Lang;
use super::{ProposalDocument, RenderError};

/// Font size of the body, in half-points (13 pt).
const BODY: usize = 26;
/// Font size of table text, in half-points (10 pt).
const SMALL: usize = 20;
/// Text width of an A4 page with the decree's margins, in twentieths of a point.
const TEXT_WIDTH: usize = 11906 - 1701 - 851;

/// Renders the submission.
pub fn render(doc: &ProposalDocument, lang: Lang, sub: &Submission) -> Result<Vec<u8>, RenderError> {
    let font = RunFonts::new().ascii("Times New Roman").hi_ansi("Times New Roman").cs("Times New Roman");
    let mut d = Docx::new()
        .page_size(11906, 16838)
        .page_margin(PageMargin::new().top(1134).bottom(1134).left(1701).right(851).header(720).footer(720))
        .default_fonts(font)
        .default_size(BODY)
        .add_style(Style::new("TableText", StyleType::Paragraph).name("Table Text").size(SMALL));
    for block in layout::layout_with(doc, lang, sub) {
        d = match block {
            Block::Letterhead(h) => d.add_table(letterhead(&h)),
            Block::Title { kind, subject } => d
                .add_paragraph(
                    Paragraph::new()
                        .align(AlignmentType::Center)
                        .add_run(Run::new().add_text(kind).bold().size(28)),
                )
                .add_paragraph(
                    Paragraph::new()
                        .align(AlignmentType::Center)
                        .add_run(Run::new().add_text(subject).bold()),
                ),
            Block::Heading(h) => {
                d.add_paragraph(Paragraph::new().keep_next(true).add_run(Run::new().add_text(h).bold()))
            }
            Block::Para(p) => {
                d.add_paragraph(Paragraph::new().align(AlignmentType::Both).add_run(Run::new().add_text(p)))
            }
            Block::Note(n) => d.add_paragraph(
                Paragraph::new().align(AlignmentType::Right).add_run(Run::new().add_text(n).italic()),
            ),
            Block::Facts(facts) => {
                for (k, v) in facts {
                    d = d.add_paragraph(
                        Paragraph::new()
                            .add_run(Run::new().add_text(format!("- {k}: ")))
                            .add_run(Run::new().add_text(v).bold()),
                    );
                }
                d
            }
            Block::Table(t) => d.add_table(grid(&t, &[])),
            Block::Grouped(t, strong) => d.add_table(grid(&t, &strong)),
            // Charts are drawn in HTML only; their figures are in the tables.
            Block::Chart(_) => d,
            Block::Signature { label, recipients, title, name } => {
                d.add_table(signature(&label, &recipients, &title, &name))
            }
            Block::PageBreak => {
                d.add_paragraph(Paragraph::new().add_run(Run::new().add_break(BreakType::Page)))
            }
        };
    }
    let mut out = std::io::Cursor::new(Vec::new());
    d.pack(&mut out).map_err(|e| RenderError::Docx(e.to_string()))?;
    Ok(out.into_inner())
}

/// A paragraph of table text.
fn small(text: &str, align: Option<AlignmentType>, bold: bool) -> Paragraph {
    let mut run = Run::new();
    // A cell keeps its line breaks (lists, the signer's title on two lines).
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            run = run.add_break(BreakType::TextWrapping);
        }
        run = run.add_text(line);
    }
    if bold {
        run = run.bold();
    }
    let p = Paragraph::new().style("TableText").add_run(run);
    match align {
        Some(a) => p.align(a),
        None => p,
    }
}

/// A table of the layout: header bold and centred, numbers right-aligned, headings with subtotals and
/// the total row bold.
fn grid(t: &Grid, strong: &[usize]) -> Table {
    let mut rows = Vec::with_capacity(t.rows.len() + 2);
    let row = |cells: &[String], bold: bool, header: bool| {
        TableRow::new(
            cells
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let align = if header {
                        Some(AlignmentType::Center)
                    } else if t.numeric.get(i).copied().unwrap_or(false) {
                        Some(AlignmentType::Right)
                    } else {
                        None
                    };
                    TableCell::new().add_paragraph(small(c, align, bold || header))
                })
                .collect(),
        )
    };
    rows.push(row(&t.head, true, true));
    let mut strong = strong.iter().peekable();
    for (i, r) in t.rows.iter().enumerate() {
        let bold = strong.next_if_eq(&&i).is_some();
        rows.push(row(r, bold, false));
    }
    if let Some(f) = &t.foot {
        rows.push(row(f, true, false));
    }
    Table::new(rows).width(TEXT_WIDTH, WidthType::Dxa)
}

/// A centred paragraph of body text.
fn centred(text: &str, bold: bool, italic: bool) -> Paragraph {
    let mut run = Run::new().add_text(text);
    if bold {
        run = run.bold();
    }
    if italic {
        run = run.italic();
    }
    Paragraph::new().align(AlignmentType::Center).add_run(run)
}

/// The letterhead: body on the left, national title and motto on the right.
fn letterhead(h: &Letterhead) -> Table {
    let mut left = TableCell::new().width(TEXT_WIDTH * 2 / 5, WidthType::Dxa);
    if !h.parent.is_empty() {
        left = left.add_paragraph(centred(&h.parent, false, false));
    }
    left =
        left.add_paragraph(centred(&h.agency, true, false)).add_paragraph(centred(&h.number, false, false));
    let right = TableCell::new()
        .width(TEXT_WIDTH * 3 / 5, WidthType::Dxa)
        .add_paragraph(centred(&h.national, true, false))
        .add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Center)
                .add_run(Run::new().add_text(&h.motto).bold().underline("single")),
        )
        .add_paragraph(centred(&h.place_date, false, true));
    Table::without_borders(vec![TableRow::new(vec![left, right])]).width(TEXT_WIDTH, WidthType::Dxa)
}

/// The recipients on the left, the signer on the right.
fn signature(label: &str, recipients: &[String], title: &str, name: &str) -> Table {
    let mut left = TableCell::new()
        .width(TEXT_WIDTH / 2, WidthType::Dxa)
        .add_paragraph(Paragraph::new().add_run(Run::new().add_text(label).bold().italic().size(24)));
    for r in recipients {
        left = left.add_paragraph(Paragraph::new().add_run(Run::new().add_text(format!("- {r}")).size(22)));
    }
    let mut right = TableCell::new().width(TEXT_WIDTH / 2, WidthType::Dxa);
    for line in title.lines() {
        right = right.add_paragraph(centred(line, true, false));
    }
    for _ in 0..3 {
        right = right.add_paragraph(Paragraph::new());
    }
    right = right.add_paragraph(centred(name, true, false));
    Table::without_borders(vec![TableRow::new(vec![left, right])]).width(TEXT_WIDTH, WidthType::Dxa)
}
