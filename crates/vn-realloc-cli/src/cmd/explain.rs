//! `realloc explain`: every rule that matched or did not for one row, with the values it saw.

use std::fmt::Write as _;
use std::io::Write;

use realloc::domain::Source;
use realloc::report::{Lang, fmt};
use realloc::rules::{Explanation, Outcome, Stage};

use super::Ctx;
use super::rules_input::load_with_rules;
use crate::cli::{ExplainArgs, SummaryFormat};
use crate::output::bad_input;

/// Runs `realloc explain`.
pub fn run(args: &ExplainArgs, ctx: &Ctx, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
    let source = args
        .source
        .as_deref()
        .map(|s| s.parse::<Source>().map_err(|e| bad_input(format!("--source: {e}"))))
        .transpose()?;
    let lang = super::common::message_lang();
    let l = |en: String, vi: String| if lang == Lang::Vi { vi } else { en };
    let (scenario, rules) = load_with_rules(&args.scenario, args.rules.file.as_deref(), err)?;
    ctx.stage("load, rules");
    let p = &scenario.portfolio;
    let row = match source {
        Some(s) => p.position(&args.id, s).ok_or_else(|| {
            let (id, file) = (&args.id, &scenario.meta.projects);
            bad_input(l(
                format!("no project `{id}` with source {s} in {file}"),
                format!("không có dự án `{id}` nguồn {s} trong {file}"),
            ))
        })?,
        None => {
            let rows: Vec<_> = p.rows_of(&args.id).collect();
            match rows.as_slice() {
                [] => {
                    let (id, file) = (&args.id, &scenario.meta.projects);
                    return Err(bad_input(l(
                        format!("no project `{id}` in {file}"),
                        format!("không có dự án `{id}` trong {file}"),
                    )));
                }
                [one] => p.position(&one.id, one.source).unwrap_or(0),
                many => {
                    let sources: Vec<&str> = many.iter().map(|r| r.source.code()).collect();
                    let (id, sources) = (&args.id, sources.join(", "));
                    return Err(bad_input(l(
                        format!(
                            "project `{id}` has rows for several sources ({sources}): choose one with --source"
                        ),
                        format!(
                            "dự án `{id}` có dòng ở nhiều nguồn ({sources}): chọn một nguồn bằng --source"
                        ),
                    )));
                }
            }
        }
    };
    let Some(e) = rules.explain(&scenario, row) else {
        return Err(bad_input(l(
            format!("no row {row} in the portfolio"),
            format!("danh mục không có dòng {row}"),
        )));
    };
    let builtin = args.rules.file.is_none() && scenario.meta.rules.is_none();
    let rules_name = if builtin {
        match ctx.lang {
            Lang::Vi => "bộ quy tắc có sẵn (`realloc rules export` để sửa)".to_owned(),
            Lang::En => "built-in rules (`realloc rules export` to edit)".to_owned(),
        }
    } else {
        rules.file().to_owned()
    };
    let locked = p.rows().get(row).filter(|r| r.locked).map(|r| r.extra.lock_reason.clone());
    let text = match args.format {
        SummaryFormat::Json => realloc::contract::to_json_pretty(&e),
        SummaryFormat::Text => text(&e, &rules_name, locked, ctx.lang),
    };
    out.write_all(text.as_bytes())?;
    Ok(())
}

/// The width the text fits.
const WIDTH: usize = 100;

/// A value the rules saw, a number with decimals written in the language's format (`24.343,455`);
/// whole numbers (years, counts, codes) and text as they are.
fn number(v: &str, lang: Lang) -> String {
    let Some((int, frac)) = v.split_once('.') else { return v.to_owned() };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let (neg, int) = match int.strip_prefix('-') {
        Some(i) => (true, i),
        None => (false, int),
    };
    if !digits(int) || !digits(frac) || frac.len() > 12 {
        return v.to_owned();
    }
    let Ok(scaled) = format!("{int}{frac}").parse::<i128>() else { return v.to_owned() };
    let scale = frac.len() as u32;
    fmt::fixed(if neg { -scaled } else { scaled }, scale, scale, lang)
}

/// `s` wrapped at blanks into lines of at most `w` characters (a longer word stays whole).
fn wrap(s: &str, w: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in s.split(' ') {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > w {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// The labels of the text, in each language; marks and result labels padded to one width.
struct Labels {
    rules: &'static str,
    locked: &'static str,
    inputs: &'static str,
    stages: [&'static str; 6],
    marks: [&'static str; 4],
    line: &'static str,
    saw: &'static str,
    result: &'static str,
    fields: [&'static str; 10],
    million: &'static str,
    roles: [&'static str; 3],
    why: &'static str,
    no_rule: &'static str,
}

const EN: Labels = Labels {
    rules: "rules",
    locked: "locked",
    inputs: "inputs",
    stages: [
        "metrics",
        "obstacle groups (every match applies)",
        "pace classes (first match applies)",
        "priority tiers (first match applies)",
        "eligibility (every rule applies: a condition closes a side, a limit caps it)",
        "model",
    ],
    marks: ["MATCH  ", "shadow ", "no     ", "=      "],
    line: "line",
    saw: "saw ",
    result: "result",
    fields: [
        "groups",
        "pace",
        "priority",
        "forecast",
        "releasable",
        "absorbable",
        "value_in",
        "value_out",
        "role",
        "reason",
    ],
    million: "million VND",
    roles: ["donor", "recipient", "neither"],
    why: "why it neither gives nor receives",
    no_rule: "no eligibility rule closed it: the releasable formula leaves nothing it is not expected to spend, and the absorbable formula finds nothing more it could spend by the deadline",
};

const VI: Labels = Labels {
    rules: "bộ quy tắc",
    locked: "giữ nguyên",
    inputs: "số liệu đầu vào",
    stages: [
        "chỉ số",
        "nhóm vướng mắc (mọi nhóm khớp đều áp dụng)",
        "nhóm tiến độ (áp dụng nhóm khớp đầu tiên)",
        "thứ tự ưu tiên (áp dụng quy tắc khớp đầu tiên)",
        "điều kiện điều chuyển (mọi quy tắc đều áp dụng: điều kiện đóng một chiều, hạn mức giới hạn nó)",
        "mô hình",
    ],
    marks: ["KHỚP   ", "bị che ", "không  ", "=      "],
    line: "dòng",
    saw: "thấy ",
    result: "kết quả",
    fields: [
        "nhóm",
        "tiến độ",
        "ưu tiên",
        "dự báo",
        "có thể nhường",
        "có thể nhận",
        "value_in",
        "value_out",
        "vai trò",
        "lý do",
    ],
    million: "triệu đồng",
    roles: ["nhường vốn", "nhận vốn", "không nhường, không nhận"],
    why: "vì sao dòng này không nhường cũng không nhận",
    no_rule: "không quy tắc điều kiện nào đóng dòng này: công thức releasable không để lại phần nào dòng không dự kiến chi, và công thức absorbable không thấy phần nào dòng có thể chi thêm trước hạn",
};

fn text(e: &Explanation, rules: &str, locked: Option<Option<std::sync::Arc<str>>>, lang: Lang) -> String {
    let t = if lang == Lang::Vi { &VI } else { &EN };
    let mut s = String::new();
    let _ = writeln!(s, "{} ({}): {}", e.id, e.source, e.name);
    let _ = writeln!(s, "{}: {rules}", t.rules);
    if let Some(reason) = locked {
        let _ = writeln!(s, "{}: {}", t.locked, crate::docs::lock_text(reason.as_deref(), lang));
    }
    let _ = writeln!(s, "\n{}:", t.inputs);
    for i in &e.inputs {
        let _ = writeln!(s, "  {:<24} {}", i.name, number(&i.value, lang));
    }
    let mut stage = None;
    for st in &e.steps {
        if stage != Some(st.stage) {
            stage = Some(st.stage);
            let title = match st.stage {
                Stage::Metric => t.stages[0],
                Stage::Group => t.stages[1],
                Stage::Pace => t.stages[2],
                Stage::Tier => t.stages[3],
                Stage::Eligibility => t.stages[4],
                Stage::Model => t.stages[5],
            };
            let _ = writeln!(s, "\n{title}:");
        }
        let mark = match st.outcome {
            Outcome::Matched => t.marks[0],
            Outcome::Shadowed => t.marks[1],
            Outcome::NotMatched => t.marks[2],
            Outcome::Computed => t.marks[3],
        };
        let value = if st.outcome == Outcome::Computed {
            format!(" = {}", number(&st.value, lang))
        } else {
            String::new()
        };
        let _ = writeln!(s, "  {mark}{}{value}   [{} {}]", st.id, t.line, st.line);
        for l in wrap(&st.expr, WIDTH - 11) {
            let _ = writeln!(s, "           {l}");
        }
        if !st.seen.is_empty() {
            let seen: Vec<String> =
                st.seen.iter().map(|x| format!("{}={}", x.name, number(&x.value, lang))).collect();
            for (k, l) in wrap(&seen.join(", "), WIDTH - 15).into_iter().enumerate() {
                let _ = writeln!(s, "           {}{l}", if k == 0 { t.saw } else { "     " });
            }
        }
    }
    let r = &e.result;
    let role = if r.bounds.releasable.dong() > 0 {
        0
    } else if r.bounds.absorbable.dong() > 0 {
        1
    } else {
        2
    };
    let _ = writeln!(s, "\n{}:", t.result);
    // Labels padded to one width (by characters: Vietnamese letters are one each).
    let w = t.fields.iter().map(|x| x.chars().count()).max().unwrap_or(0) + 2;
    let mut field = |i: usize, value: String| {
        let _ = writeln!(s, "  {:<w$}{value}", t.fields[i]);
    };
    field(0, if r.groups.is_empty() { "-".to_owned() } else { r.groups.join(", ") });
    field(1, r.pace.to_string());
    field(2, r.priority.to_string());
    let m = |v: realloc::money::Money| format!("{} {}", fmt::million(v.dong(), lang), t.million);
    field(3, m(r.forecast));
    field(4, m(r.bounds.releasable));
    field(5, m(r.bounds.absorbable));
    field(6, fmt::float(r.bounds.value_in, 3, lang));
    field(7, fmt::float(r.bounds.value_out, 3, lang));
    field(8, t.roles[role].to_owned());
    if !r.reason.is_empty() {
        field(9, r.reason.to_string());
    }
    if role == 2 {
        let _ = writeln!(s, "\n{}:", t.why);
        if e.kept_out.is_empty() {
            let _ = writeln!(s, "  {}", t.no_rule);
        }
        for k in &e.kept_out {
            let label = if lang == Lang::Vi { &k.label_vi } else { &k.label_en };
            let _ = writeln!(s, "  {}: {label}", k.id);
        }
    }
    s
}
