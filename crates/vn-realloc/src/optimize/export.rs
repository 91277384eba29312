//! The model in CPLEX LP format, for audit in any LP/MIP solver.
//!
//! Columns are `r_<POOL>_<row>` (released from portfolio row `row`, 0-based in file order) and
//! `a_<POOL>_<row>` (added to it; a pipeline project is row `portfolio.len() + k`); `<POOL>` is the
//! source code, numbered (`NSTW_ODA_2`) when the source is split by loan agreement or locality, with a
//! comment naming the agreement or locality. They count units of `min_unit`, so with the default unit of one
//! million VND they are million VND. Objective coefficients are `value × min_unit` in million VND, so
//! the optimum of the file equals [`super::Proposal::objective`] when no move had to be dropped for
//! `min_transfer`. Rows: `bal_<POOL>` (Σ a − Σ r = 0), `loc_<POOL>_<k>`, `inv_<POOL>_<k>` and
//! `cap_<POOL>_<k>` (side constraints, with a comment naming the locality, investor and constraint).
//! Columns are integer (`General`); when `min_transfer` exceeds one unit they are also
//! `Semi-Continuous` with that lower bound (0 or at least `min_transfer`). Caps that cannot bind and
//! rows whose bound is below `min_transfer` are left out: they change nothing.

use std::fmt::Write;

use crate::domain::Portfolio;
use crate::model::Model;
use crate::money::DONG_PER_MILLION;

use super::problem::{self, CapKind};
use super::{OptimizeError, validate};

/// Terms per line, to stay far below the line length limits of LP readers.
const TERMS_PER_LINE: usize = 8;

/// Writes the model of [`super::propose`] in CPLEX LP format.
pub fn export_lp(portfolio: &Portfolio, model: &Model) -> Result<String, OptimizeError> {
    validate(portfolio, model)?;
    let pools = problem::build(portfolio, model, &problem::Groups::new(portfolio, &model.pipeline))?;
    let unit = model.settings.min_unit.dong();
    let unit_million = unit as f64 / DONG_PER_MILLION as f64;
    let rows = portfolio.rows();
    let id = |row: usize| -> &str {
        match row.checked_sub(rows.len()) {
            None => &rows[row].id,
            Some(k) => model.pipeline.get(k).map_or("?", |x| x.id.as_str()),
        }
    };
    let mut out = String::new();
    // Writing to a String cannot fail; the results are ignored on that ground.
    let _ =
        writeln!(out, "\\ realloc model: one pool per capital source, moves in whole units of {unit} dong");
    let _ = writeln!(
        out,
        "\\ r_<POOL>_<row>: units released by portfolio row <row> (0-based, file order); a_<POOL>_<row>: units added"
    );
    let _ = writeln!(out, "\\ objective: value x units x {unit_million} million VND");
    let mut terms = Vec::new();
    let mut bounds = Vec::new();
    let mut names = Vec::new();
    for p in &pools {
        let pool = p.name.as_str();
        if p.key.agreement.is_some() || p.key.locality.is_some() {
            let _ = writeln!(out, "\\ pool {pool}: {}", p.key.label());
        }
        // Forced rows keep their own values; their bounds are `cap <= x <= cap`.
        let own = p.with_own_values();
        let forced = |donor: bool, k: usize| p.forced.iter().any(|f| f.donor == donor && f.index == k);
        for (k, x) in own.recipients.iter().enumerate() {
            let name = format!("a_{pool}_{}", x.row);
            let _ = writeln!(
                out,
                "\\ {name}: {} ({}){}",
                id(x.row),
                pool,
                if forced(false, k) { ", forced" } else { "" }
            );
            terms.push((x.value * unit_million, name.clone()));
            bounds.push((name.clone(), x.cap, forced(false, k)));
            names.push(name);
        }
        for (k, d) in own.donors.iter().enumerate() {
            let name = format!("r_{pool}_{}", d.row);
            let _ = writeln!(
                out,
                "\\ {name}: {} ({}){}",
                id(d.row),
                pool,
                if forced(true, k) { ", forced" } else { "" }
            );
            terms.push((-d.value * unit_million, name.clone()));
            bounds.push((name.clone(), d.cap, forced(true, k)));
            names.push(name);
        }
    }
    let min_units = pools.first().map_or(1, |p| p.min_units);
    out.push_str("Maximize\n obj:");
    if terms.is_empty() {
        out.push_str(" 0 nothing_moves");
    }
    write_terms(&mut out, terms.iter().map(|(c, n)| (*c, n.as_str())));
    out.push_str("Subject To\n");
    if names.is_empty() {
        out.push_str(" nothing: nothing_moves = 0\n");
    }
    for p in &pools {
        let pool = p.name.as_str();
        if p.donors.is_empty() && p.recipients.is_empty() {
            continue;
        }
        let _ = write!(out, " bal_{pool}:");
        let a = p.recipients.iter().map(|x| (1.0, format!("a_{pool}_{}", x.row)));
        let r = p.donors.iter().map(|d| (-1.0, format!("r_{pool}_{}", d.row)));
        let balance: Vec<(f64, String)> = a.chain(r).collect();
        write_terms_no_newline(&mut out, balance.iter().map(|(c, n)| (*c, n.as_str())));
        out.push_str(" = 0\n");
        for (k, cap) in p.caps.iter().enumerate() {
            let constraint = &model.constraints[cap.constraint].name;
            let (prefix, what) = match cap.kind {
                CapKind::Locality => ("loc", format!("locality {}", cap.label)),
                CapKind::Investor => ("inv", format!("investor {}", cap.label)),
                CapKind::Pool => ("cap", format!("pool {pool}")),
            };
            let _ = writeln!(out, "\\ {prefix}_{pool}_{k}: {what}, side constraint `{constraint}`");
            let _ = write!(out, " {prefix}_{pool}_{k}:");
            let members: Vec<String> =
                cap.members.iter().map(|&d| format!("r_{pool}_{}", p.donors[d].row)).collect();
            write_terms_no_newline(&mut out, members.iter().map(|n| (1.0, n.as_str())));
            let _ = writeln!(out, " <= {}", cap.limit);
        }
    }
    out.push_str("Bounds\n");
    if names.is_empty() {
        out.push_str(" nothing_moves = 0\n");
    }
    for (name, cap, forced) in &bounds {
        let low = if *forced {
            *cap
        } else if min_units > 1 {
            min_units
        } else {
            0
        };
        let _ = writeln!(out, " {low} <= {name} <= {cap}");
    }
    if !names.is_empty() {
        out.push_str("General\n");
        write_names(&mut out, &names);
        if min_units > 1 {
            // A forced column is fixed at its bound: not semi-continuous (that would allow 0).
            let semi: Vec<String> = bounds.iter().filter(|b| !b.2).map(|b| b.0.clone()).collect();
            if !semi.is_empty() {
                out.push_str("Semi-Continuous\n");
                write_names(&mut out, &semi);
            }
        }
    }
    out.push_str("End\n");
    Ok(out)
}

/// Writes `+ c name` terms, several per line, then a newline.
fn write_terms<'a>(out: &mut String, terms: impl Iterator<Item = (f64, &'a str)>) {
    write_terms_no_newline(out, terms);
    out.push('\n');
}

/// Writes `+ c name` terms, several per line.
fn write_terms_no_newline<'a>(out: &mut String, terms: impl Iterator<Item = (f64, &'a str)>) {
    for (i, (c, name)) in terms.enumerate() {
        if i > 0 && i % TERMS_PER_LINE == 0 {
            out.push_str("\n   ");
        }
        let sign = if c < 0.0 { '-' } else { '+' };
        let c = c.abs();
        if c == 1.0 {
            let _ = write!(out, " {sign} {name}");
        } else {
            let _ = write!(out, " {sign} {c} {name}");
        }
    }
}

/// Writes column names, several per line.
fn write_names(out: &mut String, names: &[String]) {
    for chunk in names.chunks(TERMS_PER_LINE) {
        let _ = writeln!(out, " {}", chunk.join(" "));
    }
}
