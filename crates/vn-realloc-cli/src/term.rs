//! The terminal summary: a document's key figures and tables, aligned to fit the terminal width, in
//! the number format of the language (the library's [`fmt`]), plain text without Markdown escapes,
//! and a last line saying how to get the whole document.

use realloc::monitor::{Doc, Section, Value};
use realloc::report::{Lang, fmt};

use crate::cli::Format;

/// Rows shown per table; the rest are counted.
pub const MAX_ROWS: usize = 15;

/// The width of the terminal on standard output, else `COLUMNS`, else 100.
pub fn width() -> usize {
    if let Some((terminal_size::Width(w), _)) = terminal_size::terminal_size() {
        return usize::from(w).max(40);
    }
    std::env::var("COLUMNS").ok().and_then(|c| c.parse::<usize>().ok()).filter(|&w| w >= 40).unwrap_or(100)
}

/// One cell as shown: the formatter of the documents.
fn shown(v: &Value, lang: Lang) -> String {
    match v {
        Value::Text(t) => t.replace('\n', " "),
        Value::Money(d) => fmt::million(*d, lang),
        Value::Rate(r) => fmt::percent(*r, lang),
        Value::Points(p) => fmt::points(0.0, *p, lang),
        Value::Int(i) => i.to_string(),
        Value::Empty => "–".to_owned(),
    }
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// `s` cut to `w` characters, with `…` when cut.
fn fit(s: &str, w: usize) -> String {
    if chars(s) <= w {
        return s.to_owned();
    }
    let mut t: String = s.chars().take(w.saturating_sub(1)).collect();
    t.push('…');
    t
}

/// The words of `s` wrapped to lines of at most `w` characters (a longer word is cut).
fn wrap(s: &str, w: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in s.split_whitespace() {
        if !line.is_empty() && chars(&line) + 1 + chars(word) > w {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines.into_iter().map(|l| fit(&l, w)).collect()
}

/// The longest word of `s`.
fn longest_word(s: &str) -> usize {
    s.split_whitespace().map(chars).max().unwrap_or(0)
}

/// One table aligned in at most `width` columns: headers wrapped, text columns cut with `…`, and
/// the last columns left out (and counted) when even that does not fit.
pub fn table(out: &mut String, s: &Section, lang: Lang, width: usize, max_rows: usize) {
    let body: Vec<Vec<String>> =
        s.rows.iter().take(max_rows).map(|r| r.iter().map(|v| shown(v, lang)).collect()).collect();
    let foot: Option<Vec<String>> = s.foot.as_ref().map(|r| r.iter().map(|v| shown(v, lang)).collect());
    let n = s.head.len();
    let numeric: Vec<bool> = (0..n)
        .map(|i| {
            s.rows
                .first()
                .or(s.foot.as_ref())
                .and_then(|r| r.get(i))
                .is_some_and(|v| !matches!(v, Value::Text(_)))
        })
        .collect();
    let cell_w = |i: usize| {
        body.iter().chain(foot.iter()).filter_map(|r| r.get(i)).map(|c| chars(c)).max().unwrap_or(0)
    };
    let mut w: Vec<usize> = (0..n)
        .map(|i| {
            let cw = cell_w(i);
            let head = chars(&s.head[i]);
            // A header wraps onto several lines rather than widen a column of short figures.
            cw.max(longest_word(&s.head[i]).min(head)).max(head.min(cw.max(10)))
        })
        .collect();
    let total = |w: &[usize]| w.iter().sum::<usize>() + 2 * w.len().saturating_sub(1);
    // Shrink the widest text column a character at a time (so that text columns end up alike),
    // to no less than 12 characters.
    while total(&w) > width {
        let widest = (0..w.len()).filter(|&i| !numeric[i] && w[i] > 12).max_by_key(|&i| w[i]);
        match widest {
            Some(i) => w[i] -= 1,
            None => break,
        }
    }
    let mut shown_cols = w.len();
    while shown_cols > 1 && total(&w[..shown_cols]) > width {
        shown_cols -= 1;
    }
    let w = &w[..shown_cols];
    let heads: Vec<Vec<String>> = (0..shown_cols).map(|i| wrap(&s.head[i], w[i])).collect();
    let head_lines = heads.iter().map(Vec::len).max().unwrap_or(1);
    // The last column, when it is text, wraps onto more lines instead of being cut.
    let last_wraps = shown_cols == n && !numeric[shown_cols - 1];
    let line = |out: &mut String, cells: &[String], wrap_last: bool| {
        let last = shown_cols - 1;
        let tail: Vec<String> = match cells.get(last) {
            Some(c) if wrap_last => wrap(c, w[last]),
            _ => vec![],
        };
        let rows = tail.len().max(1);
        for r in 0..rows {
            let mut l = String::new();
            for (i, width) in w.iter().enumerate() {
                let cell = if wrap_last && i == last {
                    tail.get(r).cloned().unwrap_or_default()
                } else if r == 0 {
                    fit(cells.get(i).map_or("", String::as_str), *width)
                } else {
                    String::new()
                };
                let pad = width - chars(&cell).min(*width);
                if i > 0 {
                    l.push_str("  ");
                }
                if numeric[i] {
                    l.push_str(&" ".repeat(pad));
                    l.push_str(&cell);
                } else {
                    l.push_str(&cell);
                    l.push_str(&" ".repeat(pad));
                }
            }
            out.push_str(l.trim_end());
            out.push('\n');
        }
    };
    for k in 0..head_lines {
        // Headers sit on their last lines, right-aligned over figures.
        let cells: Vec<String> = heads
            .iter()
            .map(|h| {
                let skip = head_lines - h.len();
                if k < skip { String::new() } else { h[k - skip].clone() }
            })
            .collect();
        line(out, &cells, false);
    }
    let rule = total(w);
    out.push_str(&"─".repeat(rule));
    out.push('\n');
    for r in &body {
        line(out, r, last_wraps);
    }
    if s.rows.len() > body.len() {
        let more = s.rows.len() - body.len();
        out.push_str(&match lang {
            Lang::Vi => format!("… và {more} dòng nữa\n"),
            Lang::En => format!("… and {more} more rows\n"),
        });
    }
    if let Some(f) = &foot {
        out.push_str(&"─".repeat(rule));
        out.push('\n');
        line(out, f, last_wraps);
    }
    if shown_cols < n {
        let left: Vec<&str> = s.head[shown_cols..].iter().map(String::as_str).collect();
        let note = match lang {
            Lang::Vi => format!("(không đủ chỗ cho các cột: {})", left.join(", ")),
            Lang::En => format!("(no room for the columns: {})", left.join(", ")),
        };
        for l in wrap(&note, width) {
            out.push_str(&l);
            out.push('\n');
        }
    }
}

/// The summary of `doc` for a terminal `width` columns wide, ending with how to get the whole
/// document in one of `formats`.
pub fn summary(doc: &Doc, lang: Lang, width: usize, formats: &[Format]) -> String {
    let mut out = String::new();
    for l in wrap(&doc.title, width) {
        out.push_str(&l);
        out.push('\n');
    }
    out.push('\n');
    let key_w = doc.facts.iter().map(|(k, _)| chars(k)).max().unwrap_or(0).min(width * 2 / 5);
    for (k, v) in &doc.facts {
        let value_w = width.saturating_sub(key_w + 2).max(20);
        let mut lines = wrap(v, value_w).into_iter();
        let first = lines.next().unwrap_or_default();
        // A long label wraps onto the lines of its value.
        let mut keys = wrap(k, key_w).into_iter();
        let k = keys.next().unwrap_or_default();
        out.push_str(&format!("{k}{}  {first}\n", " ".repeat(key_w - chars(&k))));
        let mut rest: Vec<String> = lines.collect();
        let keys: Vec<String> = keys.collect();
        rest.resize(rest.len().max(keys.len()), String::new());
        for (i, l) in rest.iter().enumerate() {
            let k = keys.get(i).map_or("", String::as_str);
            out.push_str(format!("{k}{}  {l}", " ".repeat(key_w - chars(k))).trim_end());
            out.push('\n');
        }
    }
    for s in &doc.sections {
        out.push('\n');
        for l in wrap(&s.title.to_uppercase(), width) {
            out.push_str(&l);
            out.push('\n');
        }
        if let Some(n) = &s.note {
            for l in wrap(n, width) {
                out.push_str(&l);
                out.push('\n');
            }
        }
        if !s.rows.is_empty() || s.foot.is_some() {
            table(&mut out, s, lang, width, MAX_ROWS);
        }
    }
    let exts: Vec<String> = formats.iter().map(|f| format!(".{}", f.extension())).collect();
    out.push('\n');
    let hint = match lang {
        Lang::Vi => format!("Đây là bản tóm tắt. Toàn văn: thêm -o TỆP ({}).", exts.join(", ")),
        Lang::En => format!("This is a summary. The whole document: add -o FILE ({}).", exts.join(", ")),
    };
    for l in wrap(&hint, width) {
        out.push_str(&l);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wide_table_fits_by_cutting_text_and_wrapping_headers() {
        let s = Section {
            key: "t",
            title: "T".into(),
            head: vec!["Tên dự án rất dài".into(), "Kế hoạch (triệu đồng)".into(), "Tỷ lệ".into()],
            rows: vec![vec![
                Value::Text("Đường giao thông nối trung tâm huyện với các xã vùng cao biên giới".into()),
                Value::Money(3_433_500_003_000),
                Value::Rate(0.71747),
            ]],
            ..Section::default()
        };
        let mut out = String::new();
        table(&mut out, &s, Lang::Vi, 40, 10);
        assert!(out.lines().all(|l| l.chars().count() <= 40), "{out}");
        assert!(out.contains("3.433.500,003"), "{out}");
        assert!(out.contains("71,7%"), "{out}");
        assert!(out.contains('…'), "{out}");
    }
}
