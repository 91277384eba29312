//! The version-2 sections of a rules file: `[[eligibility]]` (who may give, who may receive, and how
//! much), `[[pools]]` (which sources split into pools by loan agreement or by locality) and
//! `[[authority]]` (who decides a transfer, by source).
//!
//! A version-1 file has none of them; it takes the sections of the built-in rules
//! (`rules/default.toml`), so that its proposals keep the protections of DOMAIN.md §4. A built-in
//! eligibility rule that does not compile in such a file's names (it reads a metric the file lacks) is
//! left out with a warning, so that the file still loads.

use std::sync::OnceLock;

use crate::domain::Source;
use crate::model::{Authority, EligibilityInfo, PoolRule, PoolSplit};

use super::expr::{self, Compiled, Scope, Ty};
use super::file::{RawAuthority, RawEligibility, RawPoolRule, RawRules};
use super::{DEFAULT_RULES, DEFAULT_RULES_FILE, Loader, What, unknown_code};
use crate::msg;

/// Which side of a row an eligibility rule closes or caps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Side {
    /// What the row may release.
    Give,
    /// What the row may absorb.
    Receive,
    /// Both.
    Both,
}

impl Side {
    pub(crate) fn gives(self) -> bool {
        matches!(self, Side::Give | Side::Both)
    }

    pub(crate) fn receives(self) -> bool {
        matches!(self, Side::Receive | Side::Both)
    }
}

/// A compiled `[[eligibility]]` rule.
#[derive(Clone, Debug)]
pub(crate) struct Eligibility {
    pub(crate) info: EligibilityInfo,
    pub(crate) line: usize,
    pub(crate) side: Side,
    /// When it holds, the side is closed.
    pub(crate) when: Option<Compiled>,
    /// The side moves at most this much (million VND).
    pub(crate) limit: Option<Compiled>,
}

/// A `[[authority]]` entry.
#[derive(Clone, Debug)]
pub(crate) struct AuthorityRule {
    pub(crate) authority: Authority,
    pub(crate) sources: Vec<Source>,
    /// The code that decides instead when local-budget adjustments are delegated.
    pub(crate) delegated: Option<String>,
}

/// The authority table resolved for one scenario: one entry per source, in the order of
/// [`Source::ALL`].
pub(crate) fn authorities(table: &[AuthorityRule], delegated: bool) -> Vec<Authority> {
    Source::ALL
        .iter()
        .map(|&s| {
            let Some(rule) = table.iter().find(|r| r.sources.contains(&s)) else {
                return Authority::default();
            };
            match rule.delegated.as_deref().filter(|_| delegated) {
                Some(code) => table
                    .iter()
                    .find(|r| r.authority.code == code)
                    .map_or_else(|| rule.authority.clone(), |r| r.authority.clone()),
                None => rule.authority.clone(),
            }
        })
        .collect()
}

/// The built-in rules' raw version-2 sections, parsed once.
fn builtin_raw() -> Option<&'static RawRules> {
    static RAW: OnceLock<Option<RawRules>> = OnceLock::new();
    RAW.get_or_init(|| toml::from_str(DEFAULT_RULES).ok()).as_ref()
}

/// Loads the `[[eligibility]]` rules of the file, or the built-in ones for a version-1 file.
pub(crate) fn load_eligibility(
    ld: &mut Loader,
    raw: Option<&[toml::Spanned<RawEligibility>]>,
    scope: &Scope,
    citations: &mut Vec<(String, String)>,
) -> Vec<Eligibility> {
    let mut out = Vec::new();
    let mut ids = Vec::new();
    match raw {
        Some(list) => {
            for e in list {
                let line = ld.lines.line(e.span().start);
                let e = e.get_ref();
                let id = ld.id(&e.id, What::Eligibility, &mut ids);
                let side = match side(e.side.get_ref()) {
                    Some(s) => s,
                    None => {
                        ld.err(
                            e.side.span().start,
                            Some(&id),
                            msg!(
                                "E932",
                                "`side` must be give, receive or both, found `{}`",
                                "`side` phải là give, receive hoặc both; đang là `{}`",
                                e.side.get_ref()
                            ),
                        );
                        continue;
                    }
                };
                if e.when.is_none() == e.limit.is_none() {
                    ld.err(
                        line_offset(e),
                        Some(&id),
                        msg!(
                            "E933",
                            "an eligibility rule needs exactly one of `when` or `limit`",
                            "quy tắc điều kiện cần đúng một trong hai khóa `when` hoặc `limit`"
                        ),
                    );
                    continue;
                }
                let when = e.when.as_ref().and_then(|w| ld.compile(w, scope, &id, Ty::Bool));
                let limit = e.limit.as_ref().and_then(|w| ld.compile(w, scope, &id, Ty::Num));
                if when.is_none() && limit.is_none() {
                    continue;
                }
                citations.push((format!("eligibility.{id}"), e.cite.clone()));
                out.push(Eligibility {
                    info: EligibilityInfo { id, label_vi: e.label.clone(), label_en: e.label_en.clone() },
                    line,
                    side,
                    when,
                    limit,
                });
            }
        }
        None => {
            for e in builtin_raw().and_then(|r| r.eligibility.as_deref()).unwrap_or_default() {
                let e = e.get_ref();
                let id = e.id.get_ref().clone();
                let Some(side) = side(e.side.get_ref()) else { continue };
                let compile = |t: &toml::Spanned<String>| expr::compile(t.get_ref(), scope);
                let (when, limit) = match (e.when.as_ref().map(compile), e.limit.as_ref().map(compile)) {
                    (Some(Ok(w)), None) if w.ty == Ty::Bool => (Some(w), None),
                    (None, Some(Ok(l))) if l.ty == Ty::Num => (None, Some(l)),
                    _ => {
                        ld.warn(msg!(
                            "W901",
                            "the built-in eligibility rule `{}` ({}) does not fit this file's names and is left out; add an [[eligibility]] section to choose the rules",
                            "quy tắc điều kiện có sẵn `{}` ({}) không khớp các tên của tệp này nên bị bỏ qua; thêm mục [[eligibility]] để tự chọn quy tắc",
                            id,
                            DEFAULT_RULES_FILE
                        ));
                        continue;
                    }
                };
                citations.push((format!("eligibility.{id}"), e.cite.clone()));
                out.push(Eligibility {
                    info: EligibilityInfo { id, label_vi: e.label.clone(), label_en: e.label_en.clone() },
                    line: 0,
                    side,
                    when,
                    limit,
                });
            }
        }
    }
    out
}

fn line_offset(e: &RawEligibility) -> usize {
    e.id.span().start
}

fn side(s: &str) -> Option<Side> {
    match s {
        "give" => Some(Side::Give),
        "receive" => Some(Side::Receive),
        "both" => Some(Side::Both),
        _ => None,
    }
}

/// Parses a list of source codes, reporting unknown ones (the built-in table is known to be right:
/// its spans are not this file's, so nothing is reported for it).
fn sources(ld: &mut Loader, list: &toml::Spanned<Vec<String>>, rule: &str, builtin: bool) -> Vec<Source> {
    let mut out = Vec::new();
    for code in list.get_ref() {
        match code.parse::<Source>() {
            Ok(s) => out.push(s),
            Err(e) if !builtin => ld.err(list.span().start, Some(rule), unknown_code(&e)),
            Err(_) => {}
        }
    }
    out
}

/// A rule's id, checked and recorded in `seen` unless it comes from the built-in table.
fn rule_id(
    ld: &mut Loader,
    id: &toml::Spanned<String>,
    what: What,
    seen: &mut Vec<String>,
    builtin: bool,
) -> String {
    if builtin { id.get_ref().clone() } else { ld.id(id, what, seen) }
}

/// Loads `[[pools]]`, or the built-in table for a version-1 file.
pub(crate) fn load_pools(
    ld: &mut Loader,
    raw: Option<&[toml::Spanned<RawPoolRule>]>,
    citations: &mut Vec<(String, String)>,
) -> Vec<PoolRule> {
    let builtin = raw.is_none();
    let list = match raw {
        Some(l) => l,
        None => builtin_raw().and_then(|r| r.pools.as_deref()).unwrap_or_default(),
    };
    let mut out: Vec<PoolRule> = Vec::new();
    let mut ids = Vec::new();
    for p in list {
        let p = p.get_ref();
        let id = rule_id(ld, &p.id, What::Pool, &mut ids, builtin);
        let split = match p.split.get_ref().as_str() {
            "agreement" => PoolSplit::Agreement,
            "locality" => PoolSplit::Locality,
            other => {
                ld.err(
                    p.split.span().start,
                    Some(&id),
                    msg!(
                        "E934",
                        "`split` must be agreement or locality, found `{}`",
                        "`split` phải là agreement hoặc locality; đang là `{}`",
                        other
                    ),
                );
                continue;
            }
        };
        let srcs = sources(ld, &p.sources, &id, builtin);
        for s in &srcs {
            if out.iter().any(|r| r.sources.contains(s)) {
                ld.err(
                    p.sources.span().start,
                    Some(&id),
                    msg!(
                        "E935",
                        "source {} is already split by another pool rule",
                        "nguồn {} đã được một quy tắc nguồn khác chia",
                        s
                    ),
                );
            }
        }
        citations.push((format!("pools.{id}"), p.cite.clone()));
        out.push(PoolRule { id, label: p.label.clone(), sources: srcs, split });
    }
    out
}

/// Loads `[[authority]]`, or the built-in table for a version-1 file. Every source must have exactly
/// one entry, and a `delegated` code must be declared by another entry.
pub(crate) fn load_authority(
    ld: &mut Loader,
    raw: Option<&[toml::Spanned<RawAuthority>]>,
    citations: &mut Vec<(String, String)>,
) -> Vec<AuthorityRule> {
    let builtin = raw.is_none();
    let list = match raw {
        Some(l) => l,
        None => builtin_raw().and_then(|r| r.authority.as_deref()).unwrap_or_default(),
    };
    let mut out: Vec<AuthorityRule> = Vec::new();
    let mut ids = Vec::new();
    for a in list {
        let offset = a.span().start;
        let a = a.get_ref();
        let code = rule_id(ld, &a.code, What::Authority, &mut ids, builtin);
        let srcs = sources(ld, &a.sources, &code, builtin);
        for s in &srcs {
            if out.iter().any(|r| r.sources.contains(s)) {
                let m =
                    msg!("E936", "source {} already has an authority", "nguồn {} đã có cấp thẩm quyền", s);
                ld.err(offset, Some(&code), m);
            }
        }
        citations.push((format!("authority.{code}"), a.cite.clone()));
        out.push(AuthorityRule {
            authority: Authority {
                code,
                label_vi: a.label.clone(),
                label_en: a.label_en.clone(),
                cite: a.cite.clone(),
            },
            sources: srcs,
            delegated: a.delegated.as_ref().map(|d| d.get_ref().clone()),
        });
    }
    if !builtin {
        for a in list {
            if let Some(d) = &a.get_ref().delegated
                && !out.iter().any(|r| &r.authority.code == d.get_ref())
            {
                ld.err(
                    d.span().start,
                    Some(a.get_ref().code.get_ref()),
                    msg!(
                        "E937",
                        "`delegated` names `{}`, which no [[authority]] entry declares",
                        "`delegated` nêu `{}`, nhưng không mục [[authority]] nào khai báo",
                        d.get_ref()
                    ),
                );
            }
        }
        if !list.is_empty() {
            let missing: Vec<&str> = Source::ALL
                .iter()
                .filter(|s| !out.iter().any(|r| r.sources.contains(s)))
                .map(|s| s.code())
                .collect();
            if !missing.is_empty() {
                ld.err(
                    list[0].span().start,
                    None,
                    msg!(
                        "E938",
                        "[[authority]]: no entry for {}; every capital source needs one",
                        "[[authority]]: chưa có mục cho {}; nguồn vốn nào cũng cần một mục",
                        missing.join(", ")
                    ),
                );
            }
        }
    }
    out
}
