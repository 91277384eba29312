//! The results of `propose`, `classify`, `risk`, `compare` and `sweep` as the library's typed
//! documents ([`Doc`]), so that every command gets the same HTML, Excel and terminal renderers and
//! the same number formatter (`realloc::report::fmt`).

use realloc::domain::Source;
use realloc::monitor::{Doc, Section, Value};
use realloc::report::compare::Comparison;
use realloc::report::text::{self, capitalise, labels, tr};
use realloc::report::{Lang, ProposalDocument, fmt};
use realloc::risk::{RiskLine, RiskReport};
use realloc::rules::{GroupLine, GroupingReport, UnitLine};
use realloc::sweep::Sweep;

fn text(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

/// The exact rate of `disbursed` over `plan` (the JSON of `classify` rounds its rates to four
/// decimals; a percentage shown from that would be rounded twice).
fn rate(disbursed: i64, plan: i64) -> Value {
    Value::Rate(realloc::money::Money::from_dong(disbursed).ratio(realloc::money::Money::from_dong(plan)))
}

fn int(n: usize) -> Value {
    Value::Int(i64::try_from(n).unwrap_or(i64::MAX))
}

fn source_name(s: Source, lang: Lang) -> String {
    format!("{} – {}", text::source(s, lang), s.code())
}

/// "giữ nguyên theo chỉ đạo …": why a locked row keeps its plan (the reason as written when it says
/// so itself).
pub fn lock_text(reason: Option<&str>, lang: Lang) -> String {
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if let Some(r) =
        reason.filter(|r| r.to_lowercase().starts_with("giữ nguyên") || r.to_lowercase().starts_with("kept"))
    {
        return r.to_owned();
    }
    match (reason, lang) {
        (Some(r), Lang::Vi) => format!("giữ nguyên: {r}"),
        (Some(r), Lang::En) => format!("kept unchanged: {r}"),
        (None, Lang::Vi) => "giữ nguyên".to_owned(),
        (None, Lang::En) => "kept unchanged".to_owned(),
    }
}

/// The proposal: headline figures, the pools, the transfers, the largest changes and the locked
/// rows with their reasons.
pub fn proposal(d: &ProposalDocument, lang: Lang) -> Doc {
    let l = labels(lang);
    let s = &d.summary;
    let facts = vec![
        (l.scenario.to_owned(), d.scenario.clone()),
        (l.as_of.to_owned(), fmt::date(d.as_of, lang)),
        (tr(lang, "Bộ quy tắc", "Rules"), d.manifest.rules.clone()),
        (
            l.plan.to_owned(),
            format!("{} {}", fmt::million(s.plan_vnd, lang), tr(lang, "triệu đồng", "million VND")),
        ),
        (
            l.moved.to_owned(),
            format!("{} {}", fmt::million(s.moved_vnd, lang), tr(lang, "triệu đồng", "million VND")),
        ),
        (
            tr(lang, "Tỷ lệ giải ngân dự kiến", "Forecast disbursement rate"),
            format!(
                "{} → {}",
                fmt::percent(s.forecast_rate_before, lang),
                fmt::percent(s.forecast_rate_after, lang)
            ),
        ),
        (
            capitalise(l.central_at_risk),
            format!(
                "{} → {}",
                fmt::million(s.central_at_risk_vnd_before, lang),
                fmt::million(s.central_at_risk_vnd_after, lang)
            ),
        ),
        (
            tr(lang, "Số dự án", "Rows"),
            format!(
                "{} {}, {} {}, {} {}",
                s.donors, l.donors_n, s.recipients, l.recipients_n, s.transfers, l.transfers_n
            ),
        ),
    ];
    let mut sections = vec![Section {
        key: "Pools",
        title: l.by_source.to_owned(),
        note: Some(l.unit.to_owned()),
        head: vec![
            l.source.into(),
            l.plan.into(),
            l.disbursed.into(),
            l.moved_short.into(),
            l.forecast_before.into(),
            l.forecast_after.into(),
        ],
        csv_head: ["source", "plan", "disbursed", "moved", "forecast_rate_before", "forecast_rate_after"]
            .map(String::from)
            .to_vec(),
        rows: {
            let row = |source, plan, disbursed, moved, before, after| {
                vec![
                    text(source_name(source, lang)),
                    Value::Money(plan),
                    Value::Money(disbursed),
                    Value::Money(moved),
                    Value::Rate(before),
                    Value::Rate(after),
                ]
            };
            if d.sources.is_empty() {
                // A version-1 proposal read back: one pool per source.
                d.pools
                    .iter()
                    .map(|p| {
                        row(
                            p.source,
                            p.plan_vnd,
                            p.disbursed_vnd,
                            p.moved_vnd,
                            p.forecast_rate_before,
                            p.forecast_rate_after,
                        )
                    })
                    .collect()
            } else {
                d.sources
                    .iter()
                    .map(|p| {
                        row(
                            p.source,
                            p.plan_vnd,
                            p.disbursed_vnd,
                            p.moved_vnd,
                            p.forecast_rate_before,
                            p.forecast_rate_after,
                        )
                    })
                    .collect()
            }
        },
        foot: Some(vec![
            text(l.total),
            Value::Money(s.plan_vnd),
            Value::Money(s.disbursed_vnd),
            Value::Money(s.moved_vnd),
            Value::Rate(s.forecast_rate_before),
            Value::Rate(s.forecast_rate_after),
        ]),
    }];
    let mut changed: Vec<_> = d.projects.iter().filter(|p| p.change_vnd != 0).collect();
    changed.sort_by_key(|p| std::cmp::Reverse(p.change_vnd.unsigned_abs()));
    let change_head = vec![
        l.project.to_owned(),
        l.source.to_owned(),
        l.plan.to_owned(),
        l.change.to_owned(),
        l.new_plan.to_owned(),
        l.reason.to_owned(),
    ];
    sections.push(Section {
        key: "Changes",
        title: tr(
            lang,
            "Các dự án điều chỉnh (thay đổi lớn nhất trước)",
            "Rows changed (largest change first)",
        ),
        note: None,
        head: change_head,
        csv_head: ["id", "source", "plan", "change", "new_plan", "reason"].map(String::from).to_vec(),
        rows: changed
            .iter()
            .map(|p| {
                vec![
                    text(format!("{} – {}", p.id, p.name)),
                    text(p.source.code()),
                    Value::Money(p.plan_vnd),
                    Value::Money(p.change_vnd),
                    Value::Money(p.new_plan_vnd),
                    text(p.reason.to_string()),
                ]
            })
            .collect(),
        foot: None,
    });
    let locked: Vec<_> = d.projects.iter().filter(|p| p.locked).collect();
    if !locked.is_empty() {
        sections.push(locked_section(
            locked.iter().map(|p| (&*p.id, &*p.name, p.source, p.plan_vnd, p.lock_reason.as_deref())),
            lang,
        ));
    }
    Doc { title: proposal_title(d, lang), facts, sections }
}

/// The locked rows with why they keep their plan.
fn locked_section<'a>(
    rows: impl Iterator<Item = (&'a str, &'a str, Source, i64, Option<&'a str>)>,
    lang: Lang,
) -> Section {
    let l = labels(lang);
    Section {
        key: "Locked",
        title: tr(lang, "Dự án giữ nguyên kế hoạch", "Rows kept unchanged"),
        note: None,
        head: vec![l.project.into(), l.source.into(), l.plan.into(), l.reason.into()],
        csv_head: ["id", "source", "plan", "lock_reason"].map(String::from).to_vec(),
        rows: rows
            .map(|(id, name, source, plan, reason)| {
                vec![
                    text(format!("{id} – {name}")),
                    text(source.code()),
                    Value::Money(plan),
                    text(lock_text(reason, lang)),
                ]
            })
            .collect(),
        foot: None,
    }
}

/// The title of the proposal summary.
fn proposal_title(d: &ProposalDocument, lang: Lang) -> String {
    match lang {
        Lang::Vi => {
            format!("Phương án điều chỉnh kế hoạch vốn đầu tư công năm {}: {}", d.fiscal_year, d.province)
        }
        Lang::En => format!("Public-investment plan adjustment {}: {}", d.fiscal_year, d.province),
    }
}

/// A locked row for the classify documents: id, name, source, plan (đồng) and the reason it is kept.
pub type LockedRow = (std::sync::Arc<str>, std::sync::Arc<str>, Source, i64, Option<std::sync::Arc<str>>);

/// The grouping report of `classify`.
pub fn classify(r: &GroupingReport, locked: &[LockedRow], lang: Lang) -> Doc {
    let l = labels(lang);
    let m = |v: i64| fmt::million(v, lang);
    let total_rate = realloc::money::Money::from_dong(r.total.disbursed_vnd)
        .ratio(realloc::money::Money::from_dong(r.total.plan_vnd));
    let facts = vec![
        (l.scenario.to_owned(), r.scenario.clone()),
        (l.as_of.to_owned(), fmt::date(r.as_of, lang)),
        (tr(lang, "Bộ quy tắc", "Rules"), r.rules.clone()),
        (tr(lang, "Số dự án", "Rows"), r.total.count.to_string()),
        (l.plan.to_owned(), m(r.total.plan_vnd)),
        (
            l.disbursed.to_owned(),
            format!("{} ({})", m(r.total.disbursed_vnd), fmt::percent(total_rate, lang)),
        ),
        (tr(lang, "Tiến độ chung dự kiến", "Expected rate by now"), fmt::percent(r.expected_rate, lang)),
        (tr(lang, "Có thể điều chuyển", "Releasable"), m(r.total.releasable_vnd)),
    ];
    let group_head = |first: &str, remedy: bool| {
        let mut h = vec![
            first.to_owned(),
            tr(lang, "Số dự án", "Rows"),
            l.plan.to_owned(),
            l.disbursed.to_owned(),
            l.rate.to_owned(),
            tr(lang, "Có thể điều chuyển", "Releasable"),
        ];
        if remedy {
            h.push(l.remedy.to_owned());
        }
        h
    };
    let group_rows = |gs: &[GroupLine], remedy: bool| -> Vec<Vec<Value>> {
        gs.iter()
            .map(|g| {
                let mut r = vec![
                    text(g.label.clone()),
                    int(g.count),
                    Value::Money(g.plan_vnd),
                    Value::Money(g.disbursed_vnd),
                    rate(g.disbursed_vnd, g.plan_vnd),
                    Value::Money(g.releasable_vnd),
                ];
                if remedy {
                    r.push(text(g.remedy.clone()));
                }
                r
            })
            .collect()
    };
    let csv_group = ["label", "count", "plan", "disbursed", "rate", "releasable", "remedy"].map(String::from);
    let mut sections = vec![
        Section {
            key: "Groups",
            title: tr(lang, "Theo nhóm vướng mắc", "By obstacle group"),
            note: Some(tr(lang, "Một dự án có thể thuộc nhiều nhóm.", "A row may be in several groups.")),
            head: group_head(l.group, true),
            csv_head: csv_group.to_vec(),
            rows: group_rows(&r.groups, true),
            foot: None,
        },
        Section {
            key: "Pace",
            title: tr(lang, "Theo tiến độ giải ngân", "By pace class"),
            note: None,
            head: group_head(&tr(lang, "Tiến độ", "Pace"), false),
            csv_head: csv_group[..6].to_vec(),
            rows: group_rows(&r.pace, false),
            foot: None,
        },
    ];
    for (key, title, units) in [
        ("Investors", tr(lang, "Theo chủ đầu tư", "By investor"), &r.investors),
        ("Localities", tr(lang, "Theo xã, phường", "By commune or ward"), &r.localities),
    ] {
        let above = units.iter().filter(|u| u.above_average).count();
        sections.push(Section {
            key,
            title,
            note: Some(match lang {
                Lang::Vi => format!(
                    "{above}/{} đạt hoặc vượt tỷ lệ giải ngân bình quân của tỉnh ({}).",
                    units.len(),
                    fmt::percent(total_rate, lang)
                ),
                Lang::En => format!(
                    "{above} of {} at or above the provincial average rate ({}).",
                    units.len(),
                    fmt::percent(total_rate, lang)
                ),
            }),
            head: vec![
                if key == "Investors" { l.investor.to_owned() } else { l.locality.to_owned() },
                tr(lang, "Số dự án", "Rows"),
                l.plan.to_owned(),
                l.disbursed.to_owned(),
                l.rate.to_owned(),
                tr(lang, "So với bình quân", "Against the average"),
                tr(lang, "Có thể điều chuyển", "Releasable"),
                tr(lang, "Có thể nhận thêm", "Absorbable"),
            ],
            csv_head: [
                "name",
                "count",
                "plan",
                "disbursed",
                "rate",
                "above_average",
                "releasable",
                "absorbable",
            ]
            .map(String::from)
            .to_vec(),
            rows: units.iter().map(|u: &UnitLine| unit_row(u, lang)).collect(),
            foot: None,
        });
    }
    if !locked.is_empty() {
        sections.push(locked_section(
            locked.iter().map(|(id, name, s, plan, reason)| (&**id, &**name, *s, *plan, reason.as_deref())),
            lang,
        ));
    }
    Doc {
        title: match lang {
            Lang::Vi => format!("Phân nhóm dự án giải ngân chậm: {}", r.scenario),
            Lang::En => format!("Slow-disbursing projects by group: {}", r.scenario),
        },
        facts,
        sections,
    }
}

fn unit_row(u: &UnitLine, lang: Lang) -> Vec<Value> {
    vec![
        text(u.name.clone()),
        int(u.count),
        Value::Money(u.plan_vnd),
        Value::Money(u.disbursed_vnd),
        rate(u.disbursed_vnd, u.plan_vnd),
        text(match (u.above_average, lang) {
            (true, Lang::Vi) => "đạt",
            (false, Lang::Vi) => "thấp hơn",
            (true, Lang::En) => "at or above",
            (false, Lang::En) => "below",
        }),
        Value::Money(u.releasable_vnd),
        Value::Money(u.absorbable_vnd),
    ]
}

/// The Monte Carlo of `risk`.
pub fn risk(r: &RiskReport, scenario: &str, lang: Lang) -> Doc {
    let l = labels(lang);
    let c = &r.central;
    let arrow = |a: i64, b: i64| format!("{} → {}", fmt::million(a, lang), fmt::million(b, lang));
    let prob = |p: f64, se: f64| {
        if se > 0.0 {
            format!("{} ± {}", fmt::percent(p, lang), fmt::float(se * 100.0, 1, lang))
        } else {
            fmt::percent(p, lang)
        }
    };
    let facts = vec![
        (l.scenario.to_owned(), scenario.to_owned()),
        (tr(lang, "Mục tiêu giải ngân", "Target rate"), fmt::percent(r.target, lang)),
        (
            tr(lang, "Xác suất đạt mục tiêu (trước → sau)", "Probability of reaching it (before → after)"),
            format!(
                "{} → {}",
                prob(r.overall.probability_before, r.overall.std_error_before),
                prob(r.overall.probability_after, r.overall.std_error_after)
            ),
        ),
        (
            tr(
                lang,
                "Vốn trung ương có nguy cơ bị thu hồi, kỳ vọng (trước → sau)",
                "Central capital at risk, expected (before → after)",
            ),
            arrow(c.expected_before_vnd, c.expected_after_vnd),
        ),
        (
            tr(
                lang,
                "Vốn trung ương có nguy cơ bị thu hồi, 95% (trước → sau)",
                "Central capital at risk, 95th percentile (before → after)",
            ),
            arrow(c.p95_before_vnd, c.p95_after_vnd),
        ),
        (tr(lang, "Số lần mô phỏng", "Draws"), r.draws.to_string()),
        (tr(lang, "Hạt giống ngẫu nhiên", "Seed"), r.seed.to_string()),
        (tr(lang, "Tương quan", "Correlation"), fmt::float(r.correlation, 2, lang)),
    ];
    let row = |x: &RiskLine| {
        vec![
            // The code alone: eight probability columns leave no room for the sources' long names.
            text(x.source.map_or_else(|| tr(lang, "Toàn tỉnh", "All sources"), |s| s.code().to_owned())),
            Value::Money(x.plan_vnd),
            Value::Rate(x.point_rate_before),
            Value::Rate(x.probability_before),
            Value::Rate(x.point_rate_after),
            Value::Rate(x.probability_after),
            Value::Rate(x.p05_rate_after),
            Value::Rate(x.p95_rate_after),
        ]
    };
    Doc {
        title: match lang {
            Lang::Vi => format!("Rủi ro không đạt mục tiêu giải ngân: {scenario}"),
            Lang::En => format!("Risk of missing the disbursement target: {scenario}"),
        },
        facts,
        sections: vec![Section {
            key: "Risk",
            title: tr(lang, "Theo nguồn vốn", "By capital source"),
            note: Some(l.unit.to_owned()),
            head: vec![
                l.source.into(),
                l.plan.into(),
                tr(lang, "Tỷ lệ dự báo trước", "Forecast before"),
                tr(lang, "Xác suất đạt trước", "Probability before"),
                tr(lang, "Tỷ lệ dự báo sau", "Forecast after"),
                tr(lang, "Xác suất đạt sau", "Probability after"),
                tr(lang, "Sau, phân vị 5%", "After, 5th percentile"),
                tr(lang, "Sau, phân vị 95%", "After, 95th percentile"),
            ],
            csv_head: [
                "source",
                "plan",
                "point_rate_before",
                "probability_before",
                "point_rate_after",
                "probability_after",
                "p05_rate_after",
                "p95_rate_after",
            ]
            .map(String::from)
            .to_vec(),
            rows: r.sources.iter().map(row).collect(),
            foot: Some(row(&r.overall)),
        }],
    }
}

/// Two proposals side by side, each side named by `names`.
pub fn compare(c: &Comparison<'_>, names: [&str; 2], lang: Lang) -> Doc {
    let l = labels(lang);
    let (a, b) = (c.a, c.b);
    let (sa, sb) = (&a.summary, &b.summary);
    let [na, nb] = names;
    let diff = tr(lang, "Chênh lệch", "Difference");
    let summary_rows = vec![
        vec![
            text(l.plan),
            Value::Money(sa.plan_vnd),
            Value::Money(sb.plan_vnd),
            Value::Money(sb.plan_vnd - sa.plan_vnd),
        ],
        vec![
            text(l.moved),
            Value::Money(sa.moved_vnd),
            Value::Money(sb.moved_vnd),
            Value::Money(sb.moved_vnd - sa.moved_vnd),
        ],
        vec![
            text(l.forecast_before),
            Value::Rate(sa.forecast_rate_before),
            Value::Rate(sb.forecast_rate_before),
            Value::Points(sb.forecast_rate_before - sa.forecast_rate_before),
        ],
        vec![
            text(l.forecast_after),
            Value::Rate(sa.forecast_rate_after),
            Value::Rate(sb.forecast_rate_after),
            Value::Points(sb.forecast_rate_after - sa.forecast_rate_after),
        ],
        vec![
            text(capitalise(l.transfers_n)),
            int(sa.transfers),
            int(sb.transfers),
            Value::Int(sb.transfers as i64 - sa.transfers as i64),
        ],
    ];
    let side = |x: Option<i64>| x.map_or(Value::Empty, Value::Money);
    Doc {
        title: format!("{}: {na} – {nb}", capitalise(&l.compare_title.to_lowercase())),
        facts: vec![
            (na.to_owned(), format!("{} ({})", a.scenario, fmt::date(a.as_of, lang))),
            (nb.to_owned(), format!("{} ({})", b.scenario, fmt::date(b.as_of, lang))),
        ],
        sections: vec![
            Section {
                key: "Figures",
                title: l.sec_summary.to_owned(),
                note: Some(l.unit.to_owned()),
                head: vec![l.item.into(), na.into(), nb.into(), format!("{diff} ({nb} − {na})")],
                csv_head: ["item", "a", "b", "difference"].map(String::from).to_vec(),
                rows: summary_rows,
                foot: None,
            },
            Section {
                key: "Rows",
                title: l.compare_rows.to_owned(),
                note: c.rows.is_empty().then(|| l.compare_same.to_owned()),
                head: vec![
                    l.project.into(),
                    l.source.into(),
                    format!("{} – {na}", l.change),
                    format!("{} – {nb}", l.change),
                    diff.clone(),
                ],
                csv_head: ["id", "source", "change_a", "change_b", "difference"].map(String::from).to_vec(),
                rows: c
                    .rows
                    .iter()
                    .map(|r| {
                        vec![
                            text(if r.name.is_empty() {
                                r.id.clone()
                            } else {
                                format!("{} – {}", r.id, r.name)
                            }),
                            text(r.source.code()),
                            side(r.change_a_vnd),
                            side(r.change_b_vnd),
                            Value::Money(r.difference_vnd()),
                        ]
                    })
                    .collect(),
                foot: None,
            },
        ],
    }
}

/// The frontier of `sweep`.
pub fn sweep(s: &Sweep, lang: Lang) -> Doc {
    let l = labels(lang);
    let current = |v: f64| s.current.is_some_and(|c| (c - v).abs() < 1e-12);
    Doc {
        title: match lang {
            Lang::Vi => format!("Phân tích kịch bản theo tham số {}: {}", s.param, s.scenario),
            Lang::En => format!("What-if over parameter {}: {}", s.param, s.scenario),
        },
        facts: vec![(
            tr(lang, "Giá trị trong bộ quy tắc", "Value in the rules"),
            s.current.map_or_else(|| "–".to_owned(), |c| fmt::float(c, 3, lang)),
        )],
        sections: vec![Section {
            key: "Sweep",
            title: tr(lang, "Đường biên", "Frontier"),
            note: Some(tr(
                lang,
                "Mỗi dòng là một lần lập phương án với giá trị tham số tương ứng; * là giá trị trong bộ quy tắc.",
                "Each line is one proposal made with that value of the parameter; * marks the value in the rules.",
            )),
            head: vec![
                s.param.clone(),
                l.moved_short.into(),
                l.objective.into(),
                capitalise(l.transfers_n),
                l.forecast_before.into(),
                l.forecast_after.into(),
                tr(lang, "Vốn trung ương có nguy cơ thu hồi", "Central capital at risk"),
            ],
            csv_head: [
                "value",
                "moved",
                "objective",
                "transfers",
                "forecast_rate_before",
                "forecast_rate_after",
                "central_at_risk_after",
            ]
            .map(String::from)
            .to_vec(),
            rows: s
                .points
                .iter()
                .map(|p| {
                    vec![
                        text(format!(
                            "{}{}",
                            fmt::float(p.value, 3, lang),
                            if current(p.value) { " *" } else { "" }
                        )),
                        Value::Money(p.moved_vnd),
                        text(fmt::float(p.objective, 3, lang)),
                        int(p.transfers),
                        Value::Rate(p.forecast_rate_before),
                        Value::Rate(p.forecast_rate_after),
                        Value::Money(p.central_at_risk_vnd_after),
                    ]
                })
                .collect(),
            foot: None,
        }],
    }
}
