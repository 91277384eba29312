//! `scenario.toml`: the scenario's name, province, plan year, dates and file names, with every key
//! checked at its line and character column.

use std::ops::Range;

use chrono::{Datelike, NaiveDate};
use toml::de::{DeTable, DeValue};

use super::text::{self, line_column};
use crate::diag::{Diagnostics, Location};
use crate::scenario::ScenarioMeta;

/// The keys `scenario.toml` must have.
const REQUIRED: [&str; 6] = ["name", "province", "fiscal_year", "as_of", "deadline", "projects"];
/// The keys it may have.
const OPTIONAL: [&str; 2] = ["disbursements", "rules"];

/// Parses `scenario.toml` from its bytes; `file` is the name shown in messages.
///
/// Dates are `YYYY-MM-DD`, as strings or TOML dates; `as_of` lies between 1 January of the plan year
/// and the deadline. Unknown keys are warnings. Returns `None` when any error was found.
pub fn parse_scenario_toml(bytes: &[u8], file: &str) -> (Option<ScenarioMeta>, Diagnostics) {
    let mut diags = Diagnostics::new();
    let Some(src) = text::decode(
        bytes,
        file,
        "the scenario description (name, province, fiscal_year, as_of, deadline, projects)",
        &mut diags,
    ) else {
        return (None, diags);
    };
    let at = |span: Range<usize>| {
        let (line, column) = line_column(src, span.start);
        Location::Position { line, column }
    };
    let (table, errors) = DeTable::parse_recoverable(src);
    for e in &errors {
        let loc = e.span().map_or(Location::File, &at);
        let msg = text::lowercase_first(e.message().trim());
        diags.error(file, loc, format!("not valid TOML: {}", msg.trim_end_matches('.')));
    }
    if !errors.is_empty() {
        // What the parser recovered after a syntax error is a guess: its keys would add false
        // messages (a `fiscal_year` of 0 at 1:1).
        return (None, diags);
    }
    let table = table.into_inner();

    let mut p = MetaParts::default();
    for (key, value) in table.iter() {
        let name: &str = key.get_ref();
        let span = value.span();
        let v = value.get_ref();
        match name {
            "name" | "province" | "projects" | "disbursements" | "rules" => match string(v) {
                Some(s) if !s.trim().is_empty() => {
                    let s = s.to_owned();
                    match name {
                        "name" => p.name = Some(s),
                        "province" => p.province = Some(s),
                        "projects" => p.projects = Some(s),
                        "disbursements" => p.disbursements = Some(s),
                        _ => p.rules = Some(s),
                    }
                }
                Some(_) => diags.error(
                    file,
                    at(span),
                    format!("`{name}` is empty; expected {}", expected_text(name)),
                ),
                None => diags.error(
                    file,
                    at(span),
                    format!("`{name}`: expected {}, found {}", expected_text(name), v.type_str()),
                ),
            },
            "fiscal_year" => match v {
                DeValue::Integer(i) if i.radix() == 10 => match i.as_str().replace('_', "").parse::<i32>() {
                    Ok(y) if text::YEARS.contains(&y) => p.fiscal_year = Some((y, span)),
                    _ => diags.error(
                        file,
                        at(span),
                        format!("`fiscal_year`: expected a year such as 2025, found `{}`", i.as_str()),
                    ),
                },
                _ => diags.error(
                    file,
                    at(span),
                    format!(
                        "`fiscal_year`: expected a year such as 2025 (an integer, without quotes), found {}",
                        v.type_str()
                    ),
                ),
            },
            "as_of" | "deadline" => match date(v) {
                Ok(d) => {
                    if name == "as_of" {
                        p.as_of = Some((d, span));
                    } else {
                        p.deadline = Some((d, span));
                    }
                }
                Err(found) => diags.error(
                    file,
                    at(span),
                    format!("`{name}`: expected a date YYYY-MM-DD such as 2025-09-30, found {found}"),
                ),
            },
            _ => diags.warning(
                file,
                at(key.span()),
                format!(
                    "unknown key `{}` ignored; the keys are {}, {}",
                    text::quote(name),
                    REQUIRED.join(", "),
                    OPTIONAL.join(", ")
                ),
            ),
        }
    }
    if errors.is_empty() {
        for key in REQUIRED {
            if !table.iter().any(|(k, _)| k.get_ref().as_ref() == key) {
                diags.error(
                    file,
                    Location::File,
                    format!("missing key `{key}`: expected {}", expected_text(key)),
                );
            }
        }
    }
    if let (Some((fy, _)), Some((as_of, span))) = (&p.fiscal_year, &p.as_of) {
        if as_of.year() < *fy {
            diags.error(
                file,
                at(span.clone()),
                format!("`as_of` {as_of} is before 1 January of the plan year {fy}"),
            );
        }
    }
    if let (Some((as_of, _)), Some((deadline, span))) = (&p.as_of, &p.deadline) {
        if deadline < as_of {
            diags.error(file, at(span.clone()), format!("`deadline` {deadline} is before `as_of` {as_of}; the figures must describe a date within the plan year"));
        }
    }
    if diags.has_errors() {
        return (None, diags);
    }
    let meta = match p {
        MetaParts {
            name: Some(name),
            province: Some(province),
            fiscal_year: Some((fiscal_year, _)),
            as_of: Some((as_of, _)),
            deadline: Some((deadline, _)),
            projects: Some(projects),
            disbursements,
            rules,
        } => Some(ScenarioMeta {
            name,
            province,
            fiscal_year,
            as_of,
            deadline,
            projects,
            disbursements,
            rules,
            amount_format: None,
            pipeline: None,
            local_budget_delegated: false,
            document: Default::default(),
            monitoring: Default::default(),
        }),
        // Every required key was found or reported missing above, so this arm is not reached.
        _ => None,
    };
    (meta, diags)
}

/// The keys found so far, with the spans the cross-checks point at.
#[derive(Default)]
struct MetaParts {
    name: Option<String>,
    province: Option<String>,
    fiscal_year: Option<(i32, Range<usize>)>,
    as_of: Option<(NaiveDate, Range<usize>)>,
    deadline: Option<(NaiveDate, Range<usize>)>,
    projects: Option<String>,
    disbursements: Option<String>,
    rules: Option<String>,
}

/// What a key should hold, for messages.
fn expected_text(key: &str) -> &'static str {
    match key {
        "name" => "the scenario name, a string",
        "province" => "the province, a string",
        "fiscal_year" => "the plan year, an integer such as 2025",
        "as_of" => "the date the figures describe, \"YYYY-MM-DD\"",
        "deadline" => "the last disbursement date, \"YYYY-MM-DD\" such as \"2026-01-31\"",
        "projects" => "the projects file name, such as \"projects.csv\"",
        "disbursements" => "the monthly history file name, such as \"disbursements.csv\"",
        _ => "a rules file name, such as \"rules.toml\"",
    }
}

fn string<'a>(v: &'a DeValue<'_>) -> Option<&'a str> {
    match v {
        DeValue::String(s) => Some(s.as_ref()),
        _ => None,
    }
}

/// A date written as the string `"YYYY-MM-DD"` or as a TOML local date; the error is what was found.
fn date(v: &DeValue<'_>) -> Result<NaiveDate, String> {
    match v {
        DeValue::String(s) => parse_date(s).ok_or_else(|| format!("`{}`", text::quote(s))),
        DeValue::Datetime(dt) => match (dt.date, dt.time, dt.offset) {
            (Some(d), None, None) => {
                NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                    .ok_or_else(|| format!("`{dt}`"))
            }
            _ => Err(format!("the date-time `{dt}`")),
        },
        other => Err(other.type_str().to_owned()),
    }
}

/// Parses exactly `YYYY-MM-DD`.
pub(crate) fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: Range<usize>| -> Option<u32> {
        let part = s.get(r)?;
        if part.bytes().all(|c| c.is_ascii_digit()) { part.parse().ok() } else { None }
    };
    let y = i32::try_from(num(0..4)?).ok()?;
    NaiveDate::from_ymd_opt(y, num(5..7)?, num(8..10)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "name = \"Lạng Sơn 2025\"\nprovince = \"Lạng Sơn\"\nfiscal_year = 2025\nas_of = \"2025-09-30\"\ndeadline = 2026-01-31\nprojects = \"projects.csv\"\n";

    #[test]
    fn reads_a_good_file() {
        let (meta, d) = parse_scenario_toml(GOOD.as_bytes(), "s.toml");
        let meta = meta.unwrap();
        assert!(d.is_empty(), "{d}");
        assert_eq!(meta.fiscal_year, 2025);
        assert_eq!(meta.deadline, NaiveDate::from_ymd_opt(2026, 1, 31).unwrap());
        assert_eq!(meta.disbursements, None);
    }

    #[test]
    fn reports_every_problem_with_its_position() {
        let src = GOOD
            .replace("\"2025-09-30\"", "\"2025-9-30\"")
            .replace("projects = \"projects.csv\"\n", "colour = 1\n");
        let (meta, d) = parse_scenario_toml(src.as_bytes(), "s.toml");
        assert!(meta.is_none());
        let t = d.to_string();
        assert!(t.contains("s.toml:4:9: `as_of`: expected a date YYYY-MM-DD"), "{t}");
        assert!(t.contains("s.toml:6:1: unknown key `colour`"), "{t}");
        assert!(t.contains("s.toml: missing key `projects`"), "{t}");
    }

    #[test]
    fn dates_are_checked_against_each_other() {
        let src = GOOD.replace("\"2025-09-30\"", "\"2024-12-31\"").replace("2026-01-31", "2024-12-01");
        let (_, d) = parse_scenario_toml(src.as_bytes(), "s.toml");
        let t = d.to_string();
        assert!(t.contains("before 1 January of the plan year 2025"), "{t}");
        assert!(t.contains("`deadline` 2024-12-01 is before `as_of` 2024-12-31"), "{t}");
    }

    #[test]
    fn invalid_toml_is_located() {
        let (meta, d) = parse_scenario_toml(b"name = \"x\"\nprovince = \n", "s.toml");
        assert!(meta.is_none());
        assert!(d.to_string().contains("s.toml:2:"), "{d}");
    }
}
