//! The submission as a Word document (.docx) in the layout of Decree 30/2020/NĐ-CP: A4, Times New
//! Roman 13 pt, margins 2 cm top and bottom, 3 cm left, 1.5 cm right, the letterhead and the signature
//! as borderless two-column tables, the appendices and the draft Decision each on a new page. The
//! appendices of the authorities' parts (wide tables: ten columns) are landscape sections, A4 turned
//! with the same margins; the body and the other annexes stay portrait. The content is the layout's
//! blocks, as in Markdown and HTML; the writer is `docx-rs` (MIT).
//!
//! Scale: `docx-rs` builds a tree of every cell and writes the package uncompressed, tens of
//! microseconds a cell, too slow for a national appendix (tens of thousands of rows). So the data
//! tables are written here as WordprocessingML text, streamed, in place of a marker paragraph of the
//! package `docx-rs` builds (letterhead, styles, settings, everything else), and the package is
//! compressed (deflate, fast level) as it is rewritten: linear in the rows.

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
/// A4, in twentieths of a point.
const A4: (usize, usize) = (11906, 16838);
/// The decree's margins (top, right, bottom, left), in twentieths of a point.
const MARGINS: (usize, usize, usize, usize) = (1134, 851, 1134, 1701);
/// Text width of an A4 page with the decree's margins, in twentieths of a point.
const TEXT_WIDTH: usize = A4.0 - MARGINS.3 - MARGINS.1;
/// The same on a landscape page.
const TEXT_WIDTH_LANDSCAPE: usize = A4.1 - MARGINS.3 - MARGINS.1;

/// What replaces a marker paragraph of the package: a data table (with its bold rows and its text
/// width), or the end of a section of the given orientation (`true`: landscape).
enum Insert {
    Table(Grid, Vec<usize>, usize),
    SectionEnd(bool),
}

/// Which pages are landscape: chunk `k` of `blocks` (the blocks after the `k`th page break) is when
/// it holds an appendix's grouped table; the first (the body) never is.
fn landscape_chunks(blocks: &[Block]) -> Vec<bool> {
    let mut out = vec![false];
    for b in blocks {
        match b {
            Block::PageBreak => out.push(false),
            Block::Grouped(..) if out.len() > 1 => {
                if let Some(last) = out.last_mut() {
                    *last = true;
                }
            }
            _ => {}
        }
    }
    out
}

/// Renders the submission.
pub fn render(doc: &ProposalDocument, lang: Lang, sub: &Submission) -> Result<Vec<u8>, RenderError> {
    let font = RunFonts::new().ascii("Times New Roman").hi_ansi("Times New Roman").cs("Times New Roman");
    let mut d = Docx::new()
        // A4 and the decree's margins, as `A4` and `MARGINS`.
        .page_size(11906, 16838)
        .page_margin(PageMargin::new().top(1134).bottom(1134).left(1701).right(851).header(720).footer(720))
        .default_fonts(font)
        .default_size(BODY)
        .add_style(Style::new("TableText", StyleType::Paragraph).name("Table Text").size(SMALL));
    let mut tables: Vec<Insert> = Vec::new();
    let blocks = layout::layout_with(doc, lang, sub);
    let landscape = landscape_chunks(&blocks);
    let mut chunk = 0;
    let width = |chunk: usize| if landscape[chunk] { TEXT_WIDTH_LANDSCAPE } else { TEXT_WIDTH };
    for block in blocks {
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
            Block::Table(t) => {
                tables.push(Insert::Table(t, Vec::new(), width(chunk)));
                d.add_paragraph(marker(tables.len() - 1))
            }
            Block::Grouped(t, strong) => {
                tables.push(Insert::Table(t, strong, width(chunk)));
                d.add_paragraph(marker(tables.len() - 1))
            }
            // Charts are drawn in HTML only; their figures are in the tables.
            Block::Chart(_) => d,
            Block::Signature { label, recipients, title, name } => {
                d.add_table(signature(&label, &recipients, &title, &name))
            }
            Block::PageBreak => {
                chunk += 1;
                if landscape[chunk] == landscape[chunk - 1] {
                    d.add_paragraph(Paragraph::new().add_run(Run::new().add_break(BreakType::Page)))
                } else {
                    // A new section on a new page, in the other orientation.
                    tables.push(Insert::SectionEnd(landscape[chunk - 1]));
                    d.add_paragraph(marker(tables.len() - 1))
                }
            }
        };
    }
    if landscape[chunk] {
        // The document's own (last) section is portrait: end the landscape one before it.
        tables.push(Insert::SectionEnd(true));
        d = d.add_paragraph(marker(tables.len() - 1));
    }
    let mut out = std::io::Cursor::new(Vec::new());
    d.pack(&mut out).map_err(|e| RenderError::Docx(e.to_string()))?;
    repack(&out.into_inner(), &tables).map_err(|e| RenderError::Docx(e.to_string()))
}

/// The text of the marker paragraph of table `i`.
fn marker_text(i: usize) -> String {
    format!("⟦REALLOC-TABLE-{i}⟧")
}

fn marker(i: usize) -> Paragraph {
    Paragraph::new().add_run(Run::new().add_text(marker_text(i)))
}

/// Rewrites the package: `word/document.xml` with each marker paragraph replaced by its table, every
/// part deflated.
fn repack(package: &[u8], tables: &[Insert]) -> Result<Vec<u8>, zip::result::ZipError> {
    use std::io::{Read, Write};
    let mut zin = zip::ZipArchive::new(std::io::Cursor::new(package))?;
    let mut zout = zip::ZipWriter::new(std::io::Cursor::new(Vec::with_capacity(package.len() / 4)));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1));
    for i in 0..zin.len() {
        let mut f = zin.by_index(i)?;
        let name = f.name()?.into_owned();
        if f.is_dir() {
            zout.add_directory(name, opts)?;
            continue;
        }
        let mut bytes = Vec::with_capacity(usize::try_from(f.size()).unwrap_or(0));
        f.read_to_end(&mut bytes)?;
        zout.start_file(name.as_str(), opts)?;
        if name == "word/document.xml" {
            let xml = String::from_utf8_lossy(&bytes);
            zout.write_all(with_tables(&xml, tables).as_bytes())?;
        } else {
            zout.write_all(&bytes)?;
        }
    }
    Ok(zout.finish()?.into_inner())
}

/// `xml` with the paragraph holding each table's marker replaced by the table.
fn with_tables(xml: &str, tables: &[Insert]) -> String {
    let rows = |x: &Insert| if let Insert::Table(t, ..) = x { t.rows.len() } else { 0 };
    let mut out = String::with_capacity(xml.len() + tables.iter().map(rows).sum::<usize>() * 1200);
    let mut rest = xml;
    for (i, insert) in tables.iter().enumerate() {
        let mark = xml_escape(&marker_text(i));
        let Some(at) = rest.find(&mark) else { continue };
        // The paragraph around the marker: from its `<w:p` to its `</w:p>`.
        let start =
            rest[..at].rfind("<w:p>").into_iter().chain(rest[..at].rfind("<w:p ")).max().unwrap_or(at);
        let end = rest[at..].find("</w:p>").map_or(at + mark.len(), |e| at + e + "</w:p>".len());
        out.push_str(&rest[..start]);
        match insert {
            Insert::Table(t, strong, width) => table_xml(&mut out, t, strong, *width),
            Insert::SectionEnd(landscape) => section_end(&mut out, *landscape),
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Escapes text for XML, dropping the characters XML 1.0 cannot hold.
fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_escaped(&mut out, s);
    out
}

fn push_escaped(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
}

/// The paragraph that ends a section (A4 in the given orientation, the decree's margins); the next
/// section starts on a new page.
fn section_end(out: &mut String, landscape: bool) {
    let (w, h, orient) = if landscape { (A4.1, A4.0, " w:orient=\"landscape\"") } else { (A4.0, A4.1, "") };
    let (top, right, bottom, left) = MARGINS;
    out.push_str(&format!(
        "<w:p><w:pPr><w:sectPr><w:type w:val=\"nextPage\"/><w:pgSz w:w=\"{w}\" w:h=\"{h}\"{orient}/>\
         <w:pgMar w:top=\"{top}\" w:right=\"{right}\" w:bottom=\"{bottom}\" w:left=\"{left}\" \
         w:header=\"720\" w:footer=\"720\" w:gutter=\"0\"/></w:sectPr></w:pPr></w:p>"
    ));
}

/// One table as WordprocessingML: borders, header row repeated on each page, numbers right-aligned,
/// headings with subtotals and the total row bold.
fn table_xml(out: &mut String, t: &Grid, strong: &[usize], text_width: usize) {
    let cols = t.head.len().max(1);
    out.push_str(
        "<w:tbl><w:tblPr><w:tblW w:w=\"5000\" w:type=\"pct\"/><w:tblBorders>\
         <w:top w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
         <w:left w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
         <w:bottom w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
         <w:right w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
         <w:insideH w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
         <w:insideV w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
         </w:tblBorders><w:tblLayout w:type=\"autofit\"/></w:tblPr><w:tblGrid>",
    );
    let width = text_width / cols;
    for _ in 0..cols {
        out.push_str(&format!("<w:gridCol w:w=\"{width}\"/>"));
    }
    out.push_str("</w:tblGrid>");
    let row = |out: &mut String, cells: &[String], bold: bool, header: bool| {
        out.push_str(if header { "<w:tr><w:trPr><w:tblHeader/></w:trPr>" } else { "<w:tr>" });
        for (i, c) in cells.iter().enumerate() {
            let jc = if header {
                "<w:jc w:val=\"center\"/>"
            } else if t.numeric.get(i).copied().unwrap_or(false) {
                "<w:jc w:val=\"right\"/>"
            } else {
                ""
            };
            out.push_str("<w:tc><w:p><w:pPr><w:pStyle w:val=\"TableText\"/>");
            out.push_str(jc);
            out.push_str("</w:pPr>");
            if !c.is_empty() {
                out.push_str(if bold || header { "<w:r><w:rPr><w:b/></w:rPr>" } else { "<w:r>" });
                for (k, line) in c.split('\n').enumerate() {
                    if k > 0 {
                        out.push_str("<w:br/>");
                    }
                    out.push_str("<w:t xml:space=\"preserve\">");
                    push_escaped(out, line);
                    out.push_str("</w:t>");
                }
                out.push_str("</w:r>");
            }
            out.push_str("</w:p></w:tc>");
        }
        out.push_str("</w:tr>");
    };
    row(out, &t.head, true, true);
    let mut strong = strong.iter().peekable();
    for (i, r) in t.rows.iter().enumerate() {
        let bold = strong.next_if_eq(&&i).is_some();
        row(out, r, bold, false);
    }
    if let Some(f) = &t.foot {
        row(out, f, true, false);
    }
    out.push_str("</w:tbl>");
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
