//! The proposal as Markdown (GitHub-flavoured tables), for review in a diff or conversion to Word.

use super::ProposalDocument;
use super::layout::{Block, Table, layout};
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
    for r in &t.rows {
        row(out, r, false);
    }
    if let Some(f) = &t.foot {
        row(out, f, true);
    }
    out.push('\n');
}

/// Renders the document.
pub fn render(doc: &ProposalDocument, lang: Lang) -> String {
    render_blocks(layout(doc, lang))
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
            Block::Chart(_) => {}
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}
