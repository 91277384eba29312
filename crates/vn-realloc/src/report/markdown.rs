//! The proposal as Markdown (GitHub-flavoured tables), for review in a diff or conversion to Word.

use super::ProposalDocument;
use super::Submission;
use super::layout::{Block, Table, layout_with};
use super::text::Lang;

/// Escapes text for a Markdown paragraph or table cell: no line breaks, no pipes, no emphasis or
/// HTML by accident.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' | '*' | '_' | '`' | '[' | ']' | '\\' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' | '\r' | '\t' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// A list cell: one item a line in the layout, shown as bullets separated by `<br>` (GitHub and
/// pandoc break the line there; the raw table stays one line a row).
fn list_cell(s: &str) -> String {
    let items: Vec<String> = s.lines().filter(|l| !l.trim().is_empty()).map(escape).collect();
    match items.as_slice() {
        [one] => one.clone(),
        _ => items.iter().map(|i| format!("• {i}")).collect::<Vec<_>>().join("<br>"),
    }
}

/// Writes a GitHub table.
pub fn table(out: &mut String, t: &Table) {
    table_with(out, t, &[]);
}

/// Writes a GitHub table whose body rows at `strong` (ascending) are bold.
pub fn table_with(out: &mut String, t: &Table, strong: &[usize]) {
    let row = |out: &mut String, cells: &[String], bold: bool| {
        out.push('|');
        for (i, c) in cells.iter().enumerate() {
            let c = if t.lists.contains(&i) { list_cell(c) } else { escape(c) };
            if bold && !c.is_empty() {
                out.push_str(&format!(" **{c}** |"));
            } else {
                out.push_str(&format!(" {c} |"));
            }
        }
        out.push('\n');
    };
    row(out, &t.head, false);
    out.push('|');
    for i in 0..t.head.len() {
        out.push_str(if t.numeric.get(i).copied().unwrap_or(false) { " ---: |" } else { " --- |" });
    }
    out.push('\n');
    for (i, r) in t.rows.iter().enumerate() {
        row(out, r, strong.binary_search(&i).is_ok());
    }
    if let Some(f) = &t.foot {
        row(out, f, true);
    }
    out.push('\n');
}

/// Renders the document.
pub fn render(doc: &ProposalDocument, lang: Lang, sub: &Submission) -> String {
    render_blocks(layout_with(doc, lang, sub))
}

/// Renders blocks (charts are left out).
pub fn render_blocks(blocks: Vec<Block>) -> String {
    let mut out = String::new();
    for block in blocks {
        match block {
            Block::Title { kind, subject } => {
                out.push_str(&format!("# {}\n\n**{}**\n\n", escape(&kind), escape(&subject)));
            }
            Block::Heading(h) => out.push_str(&format!("## {}\n\n", escape(&h))),
            Block::Para(p) => out.push_str(&format!("{}\n\n", escape(&p))),
            Block::Note(n) => out.push_str(&format!("*{}*\n\n", escape(&n))),
            Block::Facts(facts) => {
                for (k, v) in facts {
                    out.push_str(&format!("- {}: **{}**\n", escape(&k), escape(&v)));
                }
                out.push('\n');
            }
            Block::Table(t) => table(&mut out, &t),
            Block::Grouped(t, strong) => table_with(&mut out, &t, &strong),
            Block::Chart(_) => {}
            Block::Letterhead(h) => {
                // A two-column table: the issuing body on the left, the national title on the right.
                out.push_str(&format!(
                    "| **{}** | **{}** |\n| :---: | :---: |\n",
                    escape(&h.parent),
                    escape(&h.national)
                ));
                out.push_str(&format!("| **{}** | **{}** |\n", escape(&h.agency), escape(&h.motto)));
                out.push_str(&format!("| {} | *{}* |\n\n", escape(&h.number), escape(&h.place_date)));
            }
            Block::Signature { label, recipients, title, name } => {
                out.push_str(&format!(
                    "| *{}* | **{}** |\n| :--- | :---: |\n",
                    escape(&label),
                    escape(&title.replace('\n', " – "))
                ));
                let n = recipients.len().max(1);
                for i in 0..n {
                    let r = recipients.get(i).map(|r| format!("- {}", escape(r))).unwrap_or_default();
                    let right = if i + 1 == n { format!("**{}**", escape(&name)) } else { String::new() };
                    out.push_str(&format!("| {r} | {right} |\n"));
                }
                out.push('\n');
            }
            Block::PageBreak => out.push_str("---\n\n"),
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}
