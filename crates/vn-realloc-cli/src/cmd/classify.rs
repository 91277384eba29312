//! `realloc classify`: the grouping report for a review meeting, in Markdown, JSON or CSV.

use std::fmt::Write as _;
use std::io::Write;

use realloc::money::Money;
use realloc::rules::{GroupLine, GroupingReport, UnitLine, fmt_vi};

use super::rules_input::load_with_rules;
use crate::cli::{ClassifyArgs, ClassifyFormat};
use crate::output::bad_input;

/// Runs `realloc classify`.
pub fn run(args: &ClassifyArgs, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
    let (scenario, rules) = load_with_rules(&args.scenario, args.rules.file.as_deref(), err)?;
    let assessment = rules.assess_checked(&scenario).map_err(|e| bad_input(e.to_string()))?;
    let report = GroupingReport::build(&scenario, &rules, &assessment);
    let text = match args.format {
        ClassifyFormat::Json => realloc::contract::to_json_pretty(&report),
        ClassifyFormat::Md => markdown(&report),
        ClassifyFormat::Csv => csv(&report),
    };
    let inputs = super::common::inputs(&args.scenario, &scenario, args.rules.file.as_deref());
    args.output.write(text.as_bytes(), &inputs, out)
}

fn million(vnd: i64) -> String {
    fmt_vi(Money::from_dong(vnd).million_f64())
}

fn pct(rate: f64) -> String {
    format!("{}%", fmt_vi(rate * 100.0))
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn markdown(r: &GroupingReport) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Phân nhóm dự án giải ngân chậm: {}\n", cell(&r.scenario));
    let _ = writeln!(
        s,
        "Số liệu đến ngày {}; quy tắc `{}`. Toàn tỉnh: {} dự án, kế hoạch {} triệu đồng, đã giải ngân {} triệu đồng ({}; tiến độ chung dự kiến {}); có thể điều chuyển {} triệu đồng.\n",
        r.as_of.format("%d/%m/%Y"),
        r.rules,
        r.total.count,
        million(r.total.plan_vnd),
        million(r.total.disbursed_vnd),
        pct(r.total.rate),
        pct(r.expected_rate),
        million(r.total.releasable_vnd)
    );
    let _ = writeln!(s, "## Theo nhóm vướng mắc\n");
    let _ = writeln!(
        s,
        "| Nhóm | Số dự án | Kế hoạch (tr.đ) | Đã giải ngân (tr.đ) | Tỷ lệ | Có thể điều chuyển (tr.đ) | Giải pháp |"
    );
    let _ = writeln!(s, "| --- | ---: | ---: | ---: | ---: | ---: | --- |");
    for g in &r.groups {
        group_row(&mut s, g, true);
    }
    let _ = writeln!(s, "\nMột dự án có thể thuộc nhiều nhóm.\n\n## Theo tiến độ giải ngân\n");
    let _ = writeln!(
        s,
        "| Tiến độ | Số dự án | Kế hoạch (tr.đ) | Đã giải ngân (tr.đ) | Tỷ lệ | Có thể điều chuyển (tr.đ) |"
    );
    let _ = writeln!(s, "| --- | ---: | ---: | ---: | ---: | ---: |");
    for g in &r.pace {
        group_row(&mut s, g, false);
    }
    for (title, units) in [("chủ đầu tư", &r.investors), ("xã, phường", &r.localities)] {
        let above = units.iter().filter(|u| u.above_average).count();
        let _ = writeln!(
            s,
            "\n## Theo {title}\n\n{above}/{} {title} đạt hoặc vượt tỷ lệ giải ngân bình quân của tỉnh ({}).\n",
            units.len(),
            pct(r.total.rate)
        );
        let _ = writeln!(
            s,
            "| {} | Số dự án | Kế hoạch (tr.đ) | Đã giải ngân (tr.đ) | Tỷ lệ | So với bình quân | Có thể điều chuyển (tr.đ) | Có thể nhận thêm (tr.đ) |",
            capital(title)
        );
        let _ = writeln!(s, "| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: |");
        for u in units.iter() {
            unit_row(&mut s, u);
        }
    }
    s
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

fn group_row(s: &mut String, g: &GroupLine, remedy: bool) {
    let _ = write!(
        s,
        "| {} | {} | {} | {} | {} | {} |",
        cell(&g.label),
        g.count,
        million(g.plan_vnd),
        million(g.disbursed_vnd),
        pct(g.rate),
        million(g.releasable_vnd)
    );
    if remedy {
        let _ = write!(s, " {} |", cell(&g.remedy));
    }
    s.push('\n');
}

fn unit_row(s: &mut String, u: &UnitLine) {
    let _ = writeln!(
        s,
        "| {} | {} | {} | {} | {} | {} | {} | {} |",
        cell(&u.name),
        u.count,
        million(u.plan_vnd),
        million(u.disbursed_vnd),
        pct(u.rate),
        if u.above_average { "đạt" } else { "thấp hơn" },
        million(u.releasable_vnd),
        million(u.absorbable_vnd)
    );
}

fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_owned() }
}

fn csv(r: &GroupingReport) -> String {
    let mut s = String::from(
        "section,id,label,count,plan,disbursed,rate,releasable,absorbable,above_average,remedy\n",
    );
    let m = |v: i64| Money::from_dong(v).to_million_string();
    let mut group = |section: &str, g: &GroupLine| {
        let _ = writeln!(
            s,
            "{section},{},{},{},{},{},{},{},,,{}",
            field(&g.id),
            field(&g.label),
            g.count,
            m(g.plan_vnd),
            m(g.disbursed_vnd),
            g.rate,
            m(g.releasable_vnd),
            field(&g.remedy)
        );
    };
    group("total", &r.total);
    for g in &r.groups {
        group("group", g);
    }
    for g in &r.pace {
        group("pace", g);
    }
    for (section, units) in [("investor", &r.investors), ("locality", &r.localities)] {
        for u in units.iter() {
            let _ = writeln!(
                s,
                "{section},,{},{},{},{},{},{},{},{},",
                field(&u.name),
                u.count,
                m(u.plan_vnd),
                m(u.disbursed_vnd),
                u.rate,
                m(u.releasable_vnd),
                m(u.absorbable_vnd),
                u.above_average
            );
        }
    }
    s
}
