//! Adjustments made in a planning session (`realloc propose --overrides FILE`, `realloc serve`): keep
//! a row's plan as it is (`[[lock]]`), lift a lock of the input (`[[unlock]]`), force or cap a row's
//! change (`[[set]]`), and change rules parameters (`[params]`), each with its `reason` and time `at`.
//!
//! They apply between the rules' assessment and the optimiser ([`crate::pipeline::Pipeline::overrides`]):
//! - `lock` marks the row locked with the reason, as the input's `locked` / `lock_reason` columns do,
//!   so every output shows it as a locked row; its change is 0;
//! - `unlock` assesses the row as if the input had not locked it (the rules' releasable and absorbable);
//!   a row the rules themselves keep out cannot be unlocked (`set` forces it instead);
//! - `set` with `max_change` replaces the rules' bound on one side (negative: the row may give at most
//!   that much; positive: it may receive at most that much), never beyond the legal bounds (new plan at
//!   least what is disbursed; within the total investment less what was allocated before);
//! - `set` with `change` forces the row's change exactly: the optimiser places a forced release on
//!   recipients of the same pool (even at a loss) and finds donors for a forced absorption, or refuses
//!   saying how much the pool can take;
//! - `params` sets rules parameters by name, as `realloc sweep` does ([`crate::rules::Rules::with_param`]).
//!
//! Amounts are million VND, read exactly (12.5 is 12,500,000 đồng). [`Overrides::to_toml`] writes a
//! file that [`Overrides::from_toml`] reads back to the same value.
//!
//! ```
//! use realloc::overrides::Overrides;
//!
//! let text = r#"
//! [params]
//! min_transfer = 100
//!
//! [[set]]
//! id = "LS-0040"
//! source = "NSTW"
//! change = -500.25
//! reason = "Chủ đầu tư xin trả lại vốn"
//! at = "2026-11-30T09:12:00+07:00"
//! "#;
//! let o = Overrides::from_toml(text, "overrides.toml")?;
//! assert_eq!(o.set[0].change.map(|m| m.dong()), Some(-500_250_000));
//! assert_eq!(Overrides::from_toml(&o.to_toml(), "again.toml")?, o);
//! # Ok::<(), realloc::diag::Diagnostics>(())
//! ```

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::ops::Range;

use toml::de::{DeTable, DeValue};

use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::money::{DONG_PER_MILLION, Money};
use crate::msg;

/// The adjustments of a session; the default changes nothing.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    /// Rows whose plan is kept as it is.
    pub lock: Vec<Lock>,
    /// Rows whose lock (from the input's `locked` column) is lifted.
    pub unlock: Vec<Unlock>,
    /// Rows whose change is forced or capped.
    pub set: Vec<SetChange>,
    /// Rules parameters by name, as `realloc sweep` and [`crate::rules::Rules::with_param`] know them.
    pub params: BTreeMap<String, f64>,
    /// Where each entry was written, for messages; filled by [`Overrides::from_toml`], empty for
    /// overrides built in code (messages then name an entry by its kind and number). Not part of the
    /// value: two overrides that differ only here are equal.
    pub origin: Origin,
}

impl PartialEq for Overrides {
    fn eq(&self, other: &Overrides) -> bool {
        self.lock == other.lock
            && self.unlock == other.unlock
            && self.set == other.set
            && self.params.len() == other.params.len()
            && self
                .params
                .iter()
                .zip(&other.params)
                .all(|(a, b)| a.0 == b.0 && a.1.to_bits() == b.1.to_bits())
    }
}

/// Keep a row's plan as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Lock {
    /// Project id.
    pub id: String,
    /// Capital source, as written in the projects file (`NSTW`, `NSDP_TSDD`).
    pub source: String,
    /// Why (required; shown wherever the row's lock is shown).
    pub reason: String,
    /// When it was decided, RFC 3339 (`2026-11-30T09:12:00+07:00`).
    pub at: Option<String>,
}

/// Lift a lock that came from the input's `locked` column.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Unlock {
    /// Project id.
    pub id: String,
    /// Capital source.
    pub source: String,
    /// Why (required).
    pub reason: String,
    /// When it was decided, RFC 3339.
    pub at: Option<String>,
}

/// Force a row's change, or cap it; exactly one of `change` and `max_change`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SetChange {
    /// Project id.
    pub id: String,
    /// Capital source.
    pub source: String,
    /// The row's change, exactly (negative: it gives; positive: it receives).
    pub change: Option<Money>,
    /// The most the row's change may be in size; the sign says the side (negative: it may give at
    /// most this much; positive: it may receive at most this much).
    pub max_change: Option<Money>,
    /// Why (required).
    pub reason: String,
    /// When it was decided, RFC 3339.
    pub at: Option<String>,
}

/// Where the entries of an overrides file were written.
#[derive(Clone, Debug, Default)]
pub struct Origin {
    /// The file as named in messages.
    pub file: String,
    /// Line and column of each `[[lock]]` entry's `id`.
    pub lock: Vec<(usize, usize)>,
    /// The same for `[[unlock]]`.
    pub unlock: Vec<(usize, usize)>,
    /// The same for `[[set]]`.
    pub set: Vec<(usize, usize)>,
    /// Line and column of each `[params]` value.
    pub params: BTreeMap<String, (usize, usize)>,
}

/// The kind of an entry, for messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `[[lock]]`.
    Lock,
    /// `[[unlock]]`.
    Unlock,
    /// `[[set]]`.
    Set,
}

impl Kind {
    /// The table's name in the file.
    pub const fn table(self) -> &'static str {
        match self {
            Kind::Lock => "lock",
            Kind::Unlock => "unlock",
            Kind::Set => "set",
        }
    }
}

/// The most bytes of an overrides file read (the same bound as rules files).
pub const MAX_BYTES: u64 = crate::load::MAX_TOML_BYTES;

impl Overrides {
    /// True when nothing is adjusted.
    pub fn is_empty(&self) -> bool {
        self.lock.is_empty() && self.unlock.is_empty() && self.set.is_empty() && self.params.is_empty()
    }

    /// Number of adjustments (each entry, each parameter).
    pub fn len(&self) -> usize {
        self.lock.len() + self.unlock.len() + self.set.len() + self.params.len()
    }

    /// The file the overrides were read from, as named in messages (`overrides` when built in code).
    pub fn file(&self) -> &str {
        if self.origin.file.is_empty() { "overrides" } else { &self.origin.file }
    }

    /// Where entry `k` of `kind` was written: its `id`'s line and column, or the file as a whole.
    pub fn location(&self, kind: Kind, k: usize) -> Location {
        let at = match kind {
            Kind::Lock => &self.origin.lock,
            Kind::Unlock => &self.origin.unlock,
            Kind::Set => &self.origin.set,
        };
        at.get(k).map_or(Location::File, |&(line, column)| Location::Position { line, column })
    }

    /// Where parameter `name` was written.
    pub fn param_location(&self, name: &str) -> Location {
        self.origin
            .params
            .get(name)
            .map_or(Location::File, |&(line, column)| Location::Position { line, column })
    }

    /// Reads an overrides file (TOML); `file` names it in messages. Every problem is reported with
    /// its line and column.
    pub fn from_toml(text: &str, file: &str) -> Result<Overrides, Diagnostics> {
        let mut diags = Diagnostics::new();
        let at = |span: Range<usize>| {
            let (line, column) = line_column(text, span.start);
            Location::Position { line, column }
        };
        let (table, errors) = DeTable::parse_recoverable(text);
        for e in &errors {
            let loc = e.span().map_or(Location::File, at);
            let m = e.message().trim().trim_end_matches('.').to_owned();
            diags.error(
                file,
                loc,
                msg!(
                    "E670",
                    "not valid TOML: {}",
                    "không đúng cú pháp TOML: {} (chú ý dấu ngoặc kép quanh văn bản và dấu = giữa khóa và giá trị)",
                    lower_first(&m)
                ),
            );
        }
        if !errors.is_empty() {
            return Err(diags);
        }
        let table = table.into_inner();
        let mut out = Overrides {
            origin: Origin { file: file.to_owned(), ..Origin::default() },
            ..Overrides::default()
        };
        for (key, value) in table.iter() {
            let name: &str = key.get_ref();
            let span = value.span();
            match (name, value.get_ref()) {
                ("params", DeValue::Table(t)) => {
                    for (k, v) in t.iter() {
                        let pos = at(v.span());
                        let Location::Position { line, column } = pos else { continue };
                        match number(v.get_ref()) {
                            Some(x) if x.is_finite() => {
                                out.params.insert(k.get_ref().to_string(), x);
                                out.origin.params.insert(k.get_ref().to_string(), (line, column));
                            }
                            _ => diags.error(
                                file,
                                pos,
                                msg!(
                                    "E671",
                                    "parameter `{}`: expected a finite number, found {}",
                                    "tham số `{}`: cần một số hữu hạn, nhưng gặp {}",
                                    k.get_ref(),
                                    shown(v.get_ref())
                                ),
                            ),
                        }
                    }
                }
                ("lock" | "unlock" | "set", DeValue::Array(items)) => {
                    for item in items.iter() {
                        let DeValue::Table(t) = item.get_ref() else {
                            diags.error(
                                file,
                                at(item.span()),
                                msg!(
                                    "E672",
                                    "`{}`: expected a table ([[{}]]) with id, source and reason",
                                    "`{}`: cần một bảng ([[{}]]) có id, source và reason",
                                    name,
                                    name
                                ),
                            );
                            continue;
                        };
                        entry(name, t, item.span(), text, file, &mut out, &mut diags);
                    }
                }
                _ => {
                    let known = ["params", "lock", "unlock", "set"];
                    let expected = match name {
                        "params" => ("a table [params]", "một bảng [params]"),
                        "lock" | "unlock" | "set" => ("tables [[…]]", "các bảng [[…]]"),
                        _ => ("", ""),
                    };
                    let m = if expected.0.is_empty() {
                        let hint = did_you_mean(name, known.iter().copied());
                        msg!(
                            "E673",
                            en(
                                "unknown key `{name}`; expected [params], [[lock]], [[unlock]] or [[set]]{}",
                                hint.0
                            ),
                            vi(
                                "khóa `{name}` không được biết; cần [params], [[lock]], [[unlock]] hoặc [[set]]{}",
                                hint.1
                            )
                        )
                    } else {
                        msg!(
                            "E674",
                            en("`{name}`: expected {}", expected.0),
                            vi("`{name}`: cần {}", expected.1)
                        )
                    };
                    diags.error(file, at(span), m);
                }
            }
        }
        if diags.has_errors() { Err(diags) } else { Ok(out) }
    }

    /// The overrides as an overrides file: `[params]` (by name), then every `[[lock]]`, `[[unlock]]` and
    /// `[[set]]` in order; amounts in million VND, exact. The same value always gives the same text,
    /// and [`Overrides::from_toml`] reads it back to an equal value.
    pub fn to_toml(&self) -> String {
        let mut s = String::from(
            "# realloc: adjustments made in the planning session (điều chỉnh tại phiên họp)\n# amounts in million VND (triệu đồng)\n",
        );
        if !self.params.is_empty() {
            s.push_str("\n[params]\n");
            for (name, value) in &self.params {
                let _ = writeln!(s, "{} = {}", toml_key(name), toml_float(*value));
            }
        }
        let head = |s: &mut String, table: &str, id: &str, source: &str| {
            let _ = write!(
                s,
                "\n[[{table}]]\nid = {}\nsource = {}\n",
                crate::write::toml_string(id),
                crate::write::toml_string(source)
            );
        };
        let tail = |s: &mut String, reason: &str, at: &Option<String>| {
            let _ = writeln!(s, "reason = {}", crate::write::toml_string(reason));
            if let Some(at) = at {
                let _ = writeln!(s, "at = {}", crate::write::toml_string(at));
            }
        };
        for l in &self.lock {
            head(&mut s, "lock", &l.id, &l.source);
            tail(&mut s, &l.reason, &l.at);
        }
        for u in &self.unlock {
            head(&mut s, "unlock", &u.id, &u.source);
            tail(&mut s, &u.reason, &u.at);
        }
        for x in &self.set {
            head(&mut s, "set", &x.id, &x.source);
            if let Some(c) = x.change {
                let _ = writeln!(s, "change = {}", c.to_million_string());
            }
            if let Some(c) = x.max_change {
                let _ = writeln!(s, "max_change = {}", c.to_million_string());
            }
            tail(&mut s, &x.reason, &x.at);
        }
        s
    }
}

/// Reads one `[[lock]]`, `[[unlock]]` or `[[set]]` table into `out`.
fn entry(
    kind: &str,
    t: &DeTable<'_>,
    span: Range<usize>,
    text: &str,
    file: &str,
    out: &mut Overrides,
    diags: &mut Diagnostics,
) {
    let at = |span: Range<usize>| {
        let (line, column) = line_column(text, span.start);
        Location::Position { line, column }
    };
    let before = diags.error_count();
    let mut fields: BTreeMap<&str, (String, Range<usize>)> = BTreeMap::new();
    let mut amounts: BTreeMap<&str, (Money, Range<usize>)> = BTreeMap::new();
    let allowed: &[&str] = if kind == "set" {
        &["id", "source", "change", "max_change", "reason", "at"]
    } else {
        &["id", "source", "reason", "at"]
    };
    for (k, v) in t.iter() {
        let key: &str = k.get_ref();
        let vspan = v.span();
        match allowed.iter().find(|a| **a == key) {
            None => {
                let hint = did_you_mean(key, allowed.iter().copied());
                diags.error(
                    file,
                    at(vspan),
                    msg!(
                        "E675",
                        en("[[{kind}]]: unknown key `{key}`; expected {}{}", allowed.join(", "), hint.0),
                        vi("[[{kind}]]: khóa `{key}` không được biết; cần {}{}", allowed.join(", "), hint.1)
                    ),
                );
            }
            Some(&name @ ("change" | "max_change")) => match amount(v.get_ref()) {
                Ok(m) => {
                    amounts.insert(name, (m, vspan));
                }
                Err((en, vi)) => diags.error(
                    file,
                    at(vspan),
                    crate::diag::Msg::new(
                        "E676",
                        format!("[[set]] `{name}`: {en}"),
                        format!("[[set]] `{name}`: {vi}"),
                    ),
                ),
            },
            Some(&name) => match v.get_ref() {
                DeValue::String(s) => {
                    fields.insert(name, (s.to_string(), vspan));
                }
                DeValue::Datetime(d) if name == "at" => {
                    fields.insert(name, (d.to_string(), vspan));
                }
                other => diags.error(
                    file,
                    at(vspan),
                    msg!(
                        "E677",
                        "[[{}]] `{}`: expected a text in double quotes, found {}",
                        "[[{}]] `{}`: cần một văn bản trong dấu ngoặc kép, nhưng gặp {}",
                        kind,
                        name,
                        shown(other)
                    ),
                ),
            },
        }
    }
    for required in ["id", "source", "reason"] {
        match fields.get(required) {
            Some((v, vspan)) if v.trim().is_empty() => diags.error(
                file,
                at(vspan.clone()),
                msg!("E678", "[[{}]] `{}` is empty", "[[{}]] `{}` để trống", kind, required),
            ),
            Some(_) => {}
            None if diags.error_count() > before && t.contains_key(required) => {}
            None => diags.error(
                file,
                at(span.clone()),
                msg!(
                    "E679",
                    en(
                        "[[{kind}]] has no `{required}`{}",
                        if required == "reason" { "; every adjustment says why" } else { "" }
                    ),
                    vi(
                        "[[{kind}]] thiếu `{required}`{}",
                        if required == "reason" { "; mỗi điều chỉnh phải nêu lý do" } else { "" }
                    )
                ),
            ),
        }
    }
    if let Some((v, vspan)) = fields.get("at")
        && chrono::DateTime::parse_from_rfc3339(v).is_err()
    {
        diags.error(
            file,
            at(vspan.clone()),
            msg!(
                "E680",
                "[[{}]] `at`: expected a time such as 2026-11-30T09:12:00+07:00, found `{}`",
                "[[{}]] `at`: cần một thời điểm, ví dụ 2026-11-30T09:12:00+07:00, nhưng gặp `{}`",
                kind,
                v
            ),
        );
    }
    if kind == "set" {
        match (amounts.get("change"), amounts.get("max_change")) {
            (Some(_), Some((_, vspan))) => diags.error(
                file,
                at(vspan.clone()),
                msg!(
                    "E681",
                    "[[set]] gives both `change` and `max_change`; give one",
                    "[[set]] có cả `change` lẫn `max_change`; chỉ ghi một trong hai"
                ),
            ),
            (None, None) if !t.contains_key("change") && !t.contains_key("max_change") => diags.error(
                file,
                at(span.clone()),
                msg!(
                    "E682",
                    "[[set]] has neither `change` (the row's change, forced) nor `max_change` (a cap on it), in million VND",
                    "[[set]] không có `change` (mức điều chỉnh bắt buộc) hay `max_change` (mức điều chỉnh tối đa), tính bằng triệu đồng"
                ),
            ),
            _ => {}
        }
    }
    if diags.error_count() > before {
        return;
    }
    let get = |k: &str| fields.get(k).map(|x| x.0.clone()).unwrap_or_default();
    let id_at = fields.get("id").map(|x| line_column(text, x.1.start)).unwrap_or((0, 0));
    let (id, source, reason, at_time) =
        (get("id"), get("source"), get("reason"), fields.get("at").map(|x| x.0.clone()));
    match kind {
        "lock" => {
            out.lock.push(Lock { id, source, reason, at: at_time });
            out.origin.lock.push(id_at);
        }
        "unlock" => {
            out.unlock.push(Unlock { id, source, reason, at: at_time });
            out.origin.unlock.push(id_at);
        }
        _ => {
            out.set.push(SetChange {
                id,
                source,
                change: amounts.get("change").map(|x| x.0),
                max_change: amounts.get("max_change").map(|x| x.0),
                reason,
                at: at_time,
            });
            out.origin.set.push(id_at);
        }
    }
}

/// An amount in million VND from a TOML number, exactly from its text: signed, at most six decimals
/// (whole đồng), no exponent, finite, within [`Money::MAX_INPUT`] in size.
fn amount(v: &DeValue<'_>) -> Result<Money, (String, String)> {
    let raw = match v {
        DeValue::Integer(i) if i.radix() == 10 => i.as_str(),
        DeValue::Float(f) => f.as_str(),
        other => {
            return Err((
                format!("expected an amount in million VND such as -500 or 12.5, found {}", shown(other)),
                format!("cần một số tiền (triệu đồng), ví dụ -500 hoặc 12.5, nhưng gặp {}", shown(other)),
            ));
        }
    };
    parse_signed_million(&raw.replace('_', "")).ok_or_else(|| {
        (
            format!(
                "expected an amount in million VND with at most 6 decimals (whole đồng), not above {} in size, without exponent, found `{raw}`",
                Money::MAX_INPUT
            ),
            format!(
                "cần một số tiền (triệu đồng) có tối đa 6 chữ số thập phân (đồng), không quá {} về độ lớn, không viết dạng lũy thừa, nhưng gặp `{raw}`",
                Money::MAX_INPUT
            ),
        )
    })
}

/// `-500`, `12.5`, `+0.000001` as exact money; `None` for anything else.
pub fn parse_signed_million(s: &str) -> Option<Money> {
    let (negative, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (whole, frac) = body.split_once('.').unwrap_or((body, ""));
    if whole.is_empty() || !whole.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if body.contains('.') && (frac.is_empty() || frac.len() > 6 || !frac.bytes().all(|c| c.is_ascii_digit()))
    {
        return None;
    }
    let w: i64 = whole.parse().ok()?;
    let f: i64 = if frac.is_empty() { 0 } else { format!("{frac:0<6}").parse().ok()? };
    let dong = w.checked_mul(DONG_PER_MILLION)?.checked_add(f)?;
    if dong > Money::MAX_INPUT.dong() {
        return None;
    }
    Some(Money::from_dong(if negative { -dong } else { dong }))
}

/// A TOML number as `f64` (integers in decimal, floats).
fn number(v: &DeValue<'_>) -> Option<f64> {
    match v {
        DeValue::Integer(i) if i.radix() == 10 => {
            i.as_str().replace('_', "").parse::<i64>().ok().map(|x| x as f64)
        }
        DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().ok(),
        _ => None,
    }
}

/// How a TOML value is named in a message.
fn shown(v: &DeValue<'_>) -> String {
    match v {
        DeValue::String(s) => format!("the text \"{s}\""),
        DeValue::Integer(i) => i.as_str().to_owned(),
        DeValue::Float(f) => f.as_str().to_owned(),
        other => other.type_str().to_owned(),
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// 1-based line and character column of byte `offset` in `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count() + 1)
}

/// The closest of `known` to `word` when near enough to be a typo (one edit in four characters),
/// as `("; did you mean `x`?", "; có phải là `x`?")`, else empty texts.
pub(crate) fn did_you_mean<'k>(word: &str, known: impl Iterator<Item = &'k str>) -> (String, String) {
    if word.chars().count() > 100 {
        return (String::new(), String::new());
    }
    let w = word.to_lowercase();
    let best = known
        .map(|k| (crate::load::headers::edit_distance(&w, &k.to_lowercase()), k))
        .filter(|(d, k)| *d <= 1 + k.chars().count().max(w.chars().count()) / 4)
        .min_by_key(|x| x.0);
    match best {
        Some((_, k)) => (format!("; did you mean `{k}`?"), format!("; có phải là `{k}`?")),
        None => (String::new(), String::new()),
    }
}

/// A TOML key: bare when it can be, else quoted.
fn toml_key(k: &str) -> String {
    if !k.is_empty() && k.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-') {
        k.to_owned()
    } else {
        crate::write::toml_string(k)
    }
}

/// A finite `f64` as a TOML float that reads back to the same bits (`100.0`, `0.3`, `1e-7`).
fn toml_float(x: f64) -> String {
    format!("{x:?}")
}

/// A diagnostic about entry `k` of `kind` in `o`.
pub(crate) fn error_at(o: &Overrides, kind: Kind, k: usize, message: crate::diag::Msg) -> Diagnostic {
    Diagnostic::error(o.file(), o.location(kind, k), message)
}

/// The rows the overrides name, resolved against a scenario's portfolio.
#[derive(Clone, Debug, Default)]
pub(crate) struct Resolved {
    /// Portfolio row of each `[[lock]]`.
    pub lock: Vec<usize>,
    /// Portfolio row of each `[[unlock]]`, with whether the input had locked it.
    pub unlock: Vec<(usize, bool)>,
    /// Portfolio row of each `[[set]]`.
    pub set: Vec<usize>,
}

/// The rules with the overrides' parameters, each error at its line and column.
pub(crate) fn apply_params(
    o: &Overrides,
    rules: &crate::rules::Rules,
) -> Result<crate::rules::Rules, Diagnostics> {
    let mut diags = Diagnostics::new();
    let mut out = rules.clone();
    for (name, &value) in &o.params {
        match out.with_param(name, value) {
            Ok(r) => out = r,
            Err(e) => {
                let m = match &e {
                    crate::rules::ParamError::Unknown { known, .. } => {
                        let hint = did_you_mean(name, known.iter().map(String::as_str));
                        msg!(
                            "E683",
                            en(
                                "[params]: the rules `{}` have no parameter `{name}`{}; they know: {}",
                                rules.name,
                                hint.0,
                                known.join(", ")
                            ),
                            vi(
                                "[params]: bộ quy tắc `{}` không có tham số `{name}`{}; các tham số có: {}",
                                rules.name,
                                hint.1,
                                known.join(", ")
                            )
                        )
                    }
                    other => msg!("E684", "[params]: {}", "[params]: {}", other),
                };
                diags.push(Diagnostic::error(o.file(), o.param_location(name), m));
            }
        }
    }
    if diags.has_errors() { Err(diags) } else { Ok(out) }
}

/// Finds every row the overrides name, refuses a row named twice, and marks locks and unlocks on a
/// copy of the portfolio (a lock shows as the input's `locked` with its `lock_reason`).
pub(crate) fn apply_locks(
    o: &Overrides,
    portfolio: &crate::domain::Portfolio,
) -> Result<(Option<crate::domain::Portfolio>, Resolved), Diagnostics> {
    use crate::domain::Source;
    let mut diags = Diagnostics::new();
    let mut resolved = Resolved::default();
    let mut seen: BTreeMap<usize, (Kind, usize)> = BTreeMap::new();
    let entries = o
        .lock
        .iter()
        .map(|x| (Kind::Lock, &x.id, &x.source))
        .enumerate()
        .chain(o.unlock.iter().map(|x| (Kind::Unlock, &x.id, &x.source)).enumerate())
        .chain(o.set.iter().map(|x| (Kind::Set, &x.id, &x.source)).enumerate());
    let mut rows_of: Vec<(Kind, usize, usize)> = Vec::new();
    for (k, (kind, id, source)) in entries {
        let at = o.location(kind, k);
        let Ok(src) = source.parse::<Source>() else {
            let hint = did_you_mean(source, Source::ALL.iter().map(|s| s.code()));
            diags.error(
                o.file(),
                at,
                msg!(
                    "E685",
                    en(
                        "[[{}]] `{id}`: unknown capital source `{source}`{}; expected one of {}",
                        kind.table(),
                        hint.0,
                        Source::expected()
                    ),
                    vi(
                        "[[{}]] `{id}`: nguồn vốn `{source}` không được biết{}; cần một trong {}",
                        kind.table(),
                        hint.1,
                        Source::expected()
                    )
                ),
            );
            continue;
        };
        let Some(row) = portfolio.position(id, src) else {
            let same_source = portfolio.rows().iter().filter(|p| p.source == src).map(|p| &*p.id);
            let hint = did_you_mean(id, same_source);
            let other: Vec<&str> = portfolio.rows_of(id).map(|p| p.source.code()).collect();
            let (also_en, also_vi) = if other.is_empty() {
                (String::new(), String::new())
            } else {
                (
                    format!(" (it has rows in {})", other.join(", ")),
                    format!(" (dự án có dòng thuộc nguồn {})", other.join(", ")),
                )
            };
            diags.error(
                o.file(),
                at,
                msg!(
                    "E686",
                    en(
                        "[[{}]]: no project `{id}` with source {source} in the scenario{also_en}{}",
                        kind.table(),
                        hint.0
                    ),
                    vi(
                        "[[{}]]: kịch bản không có dự án `{id}` thuộc nguồn {source}{also_vi}{}",
                        kind.table(),
                        hint.1
                    )
                ),
            );
            continue;
        };
        if let Some(&(k0, n0)) = seen.get(&row) {
            let allowed = matches!((k0, kind), (Kind::Unlock, Kind::Set));
            if !allowed {
                let first = match o.location(k0, n0) {
                    Location::Position { line, .. } => format!("{} ({line})", k0.table()),
                    _ => k0.table().to_owned(),
                };
                diags.error(
                    o.file(),
                    at,
                    msg!(
                        "E687",
                        "[[{}]] `{id}` {source}: the row is already adjusted by [[{first}]]; one adjustment per row (an [[unlock]] may come with a [[set]])",
                        "[[{}]] `{id}` {source}: dòng này đã được điều chỉnh bởi [[{first}]]; mỗi dòng chỉ một điều chỉnh (riêng [[unlock]] có thể đi cùng [[set]])",
                        kind.table()
                    ),
                );
                continue;
            }
        }
        seen.insert(row, (kind, k));
        rows_of.push((kind, k, row));
    }
    if diags.has_errors() {
        return Err(diags);
    }
    let mut rows: Option<Vec<crate::domain::Project>> = None;
    let unlocked: Vec<usize> = rows_of.iter().filter(|x| x.0 == Kind::Unlock).map(|x| x.2).collect();
    for &(kind, k, row) in &rows_of {
        let p = &portfolio.rows()[row];
        match kind {
            Kind::Lock => {
                resolved.lock.push(row);
                let rows = rows.get_or_insert_with(|| portfolio.rows().to_vec());
                rows[row].locked = true;
                rows[row].extra.lock_reason = Some(o.lock[k].reason.as_str().into());
            }
            Kind::Unlock => {
                resolved.unlock.push((row, p.locked));
                if p.locked {
                    let rows = rows.get_or_insert_with(|| portfolio.rows().to_vec());
                    rows[row].locked = false;
                    rows[row].extra.lock_reason = None;
                }
            }
            Kind::Set => {
                resolved.set.push(row);
                if p.locked && !unlocked.contains(&row) {
                    let why = p.extra.lock_reason.as_deref().unwrap_or("");
                    diags.error(
                        o.file(),
                        o.location(kind, k),
                        msg!(
                            "E688",
                            "[[set]] `{}` {}: the input locks this row ({}); add an [[unlock]] for it, with its reason, to change it",
                            "[[set]] `{}` {}: dữ liệu đầu vào đã khóa dòng này ({}); thêm một [[unlock]] kèm lý do để điều chỉnh",
                            p.id,
                            p.source.code(),
                            why
                        ),
                    );
                }
            }
        }
    }
    if diags.has_errors() {
        return Err(diags);
    }
    let portfolio = match rows {
        Some(rows) => Some(crate::domain::Portfolio::from_rows(rows).map_err(|e| {
            let mut d = Diagnostics::new();
            d.error(o.file(), Location::File, format!("{e:?}"));
            d
        })?),
        None => None,
    };
    Ok((portfolio, resolved))
}

/// Applies unlocks' checks and `[[set]]` entries to the assessment: caps replace the rules' bound on
/// their side, forced changes become bounds the optimiser must use in full ([`crate::model::Model::forced`]).
pub(crate) fn apply_sets(
    o: &Overrides,
    resolved: &Resolved,
    portfolio: &crate::domain::Portfolio,
    assessment: &mut crate::model::Assessment,
) -> Result<(), Diagnostics> {
    let mut diags = Diagnostics::new();
    let settings = assessment.model.settings;
    // A row the rules keep out, locked by the input or not, has no bounds an unlock could give back:
    // said, not invented.
    for (k, &(row, _)) in resolved.unlock.iter().enumerate() {
        let a = &assessment.rows[row];
        if a.bounds.releasable == Money::ZERO && a.bounds.absorbable == Money::ZERO && !a.kept_out.is_empty()
        {
            let p = &portfolio.rows()[row];
            let ids: Vec<&str> = a.kept_out.iter().map(|x| &**x).collect();
            diags.push(error_at(
                o,
                Kind::Unlock,
                k,
                msg!(
                    "E689",
                    "[[unlock]] `{}` {}: unlocked, the row is still kept out by the rules ({}), which give it nothing to release or absorb; force its change with a [[set]] instead",
                    "[[unlock]] `{}` {}: dù mở khóa, dòng này vẫn bị quy tắc loại ra ({}), nên không có mức giảm hay tăng nào; hãy dùng [[set]] để ấn định mức điều chỉnh",
                    p.id,
                    p.source.code(),
                    ids.join(", ")
                ),
            ));
        }
    }
    let (_, pool_of) = crate::model::pools_of(portfolio, &assessment.model);
    for (k, (x, &row)) in o.set.iter().zip(&resolved.set).enumerate() {
        let p = &portfolio.rows()[row];
        let (amount, forced) = match (x.change, x.max_change) {
            (Some(c), _) => (c, true),
            (None, Some(c)) => (c, false),
            (None, None) => continue,
        };
        let what = if forced { "change" } else { "max_change" };
        let legal = if amount < Money::ZERO { p.undisbursed().max_zero() } else { p.headroom().max_zero() };
        let err = |m| error_at(o, Kind::Set, k, m);
        if amount.abs() > legal {
            diags.push(err(if amount < Money::ZERO {
                msg!(
                    "E690",
                    "[[set]] `{}` {}: {what} = {} would take more than the law allows: the new plan may not fall below what is disbursed, so the row can give at most {} million VND (plan {} − disbursed {})",
                    "[[set]] `{}` {}: {what} = {} vượt mức luật cho phép: kế hoạch mới không được thấp hơn số đã giải ngân, nên dòng này giảm tối đa {} triệu đồng (kế hoạch {} − đã giải ngân {})",
                    p.id, p.source.code(), amount, legal, p.plan, p.disbursed
                )
            } else {
                msg!(
                    "E691",
                    "[[set]] `{}` {}: {what} = {} would add more than the law allows: the plan may not exceed the total investment less what was allocated before, so the row can receive at most {} million VND",
                    "[[set]] `{}` {}: {what} = {} vượt mức luật cho phép: kế hoạch không được vượt tổng mức đầu tư trừ số vốn đã bố trí các năm trước, nên dòng này tăng tối đa {} triệu đồng",
                    p.id, p.source.code(), amount, legal
                )
            }));
            continue;
        }
        if forced && amount != Money::ZERO {
            let unit = settings.min_unit;
            if amount.dong() % unit.dong() != 0 {
                diags.push(err(msg!(
                    "E692",
                    "[[set]] `{}` {}: change = {} is not a whole multiple of the rules' min_unit ({} million VND)",
                    "[[set]] `{}` {}: change = {} không phải bội số nguyên của đơn vị điều chỉnh min_unit ({} triệu đồng)",
                    p.id, p.source.code(), amount, unit
                )));
                continue;
            }
            if amount.abs() < settings.min_transfer {
                diags.push(err(msg!(
                    "E693",
                    "[[set]] `{}` {}: change = {} is smaller than the rules' min_transfer ({} million VND); force at least that much, or lower min_transfer in [params]",
                    "[[set]] `{}` {}: change = {} nhỏ hơn mức điều chỉnh tối thiểu min_transfer ({} triệu đồng); hãy ấn định ít nhất mức đó, hoặc hạ min_transfer trong [params]",
                    p.id, p.source.code(), amount, settings.min_transfer
                )));
                continue;
            }
            if pool_of[row].is_none() {
                diags.push(err(msg!(
                    "E694",
                    "[[set]] `{}` {}: the row belongs to no pool (its source is split by loan agreement and it has none), so no other row can balance its change",
                    "[[set]] `{}` {}: dòng này không thuộc nhóm vốn nào (nguồn chia theo hiệp định vay mà dòng không có hiệp định), nên không dòng nào cân đối được mức điều chỉnh",
                    p.id, p.source.code()
                )));
                continue;
            }
        }
        let mut b = assessment.rows[row].bounds;
        b.releasable = if amount < Money::ZERO { -amount } else { Money::ZERO };
        b.absorbable = amount.max_zero();
        assessment.rows[row].bounds = b;
        assessment.model.rows[row] = b;
        assessment.rows[row].reason = x.reason.as_str().into();
        if forced && amount != Money::ZERO {
            assessment.model.forced.push(row);
        }
    }
    assessment.model.forced.sort_unstable();
    if diags.has_errors() { Err(diags) } else { Ok(()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_million_amounts_are_exact() {
        let m = |s: &str| parse_signed_million(s).map(Money::dong);
        assert_eq!(m("12.5"), Some(12_500_000));
        assert_eq!(m("-500"), Some(-500_000_000));
        assert_eq!(m("+0.000001"), Some(1));
        assert_eq!(m("0.1234567"), None);
        for bad in ["", "-", "1e3", "nan", "inf", "1.", ".5", "1.2.3", "1000000000.000001", "--1"] {
            assert_eq!(m(bad), None, "{bad}");
        }
    }

    #[test]
    fn typos_get_the_closest_name() {
        let known = ["min_transfer", "min_unit", "locality_cap"];
        assert!(did_you_mean("min_transfr", known.iter().copied()).0.contains("`min_transfer`"));
        assert!(did_you_mean("budget", known.iter().copied()).0.is_empty());
        assert_eq!(crate::load::headers::edit_distance("LS-0012", "LS-0021"), 2);
    }

    #[test]
    fn texts_and_numbers_are_written_as_toml_reads_them() {
        assert_eq!(crate::write::toml_string("a \"b\"\\\n"), r#""a \"b\"\\\n""#);
        assert_eq!(toml_key("min_transfer"), "min_transfer");
        assert_eq!(toml_key("tỷ lệ"), "\"tỷ lệ\"");
        for x in [100.0, 0.3, 1e-7, -0.0, 1e21, f64::MAX] {
            let t = format!("x = {}", toml_float(x));
            let v: toml::Table = toml::from_str(&t).expect("valid TOML");
            assert_eq!(v["x"].as_float().map(f64::to_bits), Some(x.to_bits()), "{t}");
        }
    }

    #[test]
    fn an_entry_without_reason_or_amount_is_refused_at_its_table() {
        let text = "[[set]]\nid = \"A\"\nsource = \"NSTW\"\n";
        let d = Overrides::from_toml(text, "o.toml").expect_err("no reason, no amount");
        let codes: Vec<&str> = d.iter().map(|x| x.code).collect();
        assert!(codes.contains(&"E679") && codes.contains(&"E682"), "{codes:?}");
        assert!(
            d.iter().all(|x| x.location == Location::Position { line: 2, column: 1 }
                || x.location == Location::Position { line: 1, column: 1 }),
            "{d}"
        );
        let d = Overrides::from_toml(
            "[[lock]]\nid = \"A\"\nsource = \"NSTW\"\nreason = \"r\"\nat = \"hôm nay\"\n",
            "o.toml",
        )
        .expect_err("bad time");
        assert_eq!(
            d.iter().next().map(|x| (x.code, x.location.clone())),
            Some(("E680", Location::Position { line: 5, column: 6 }))
        );
    }

    /// The codes of this module's messages (and of the pipeline's one) are distinct, and distinct from
    /// the loader's catalogue.
    #[test]
    fn message_codes_are_used_once() {
        let codes = |src: &str, marker: &str| -> Vec<String> {
            src.split(marker)
                .skip(1)
                .map(|c| c.trim_start().trim_start_matches('"').chars().take(4).collect::<String>())
                .filter(|c| c.starts_with('E') || c.starts_with('W'))
                .collect()
        };
        let ours: Vec<String> = [include_str!("overrides.rs"), include_str!("pipeline.rs")]
            .iter()
            .flat_map(|s| codes(s, "msg!(").into_iter().chain(codes(s, "Msg::new(")))
            .filter(|c| c.as_bytes()[1..].iter().all(u8::is_ascii_digit))
            .collect();
        assert!(ours.len() >= 26, "{ours:?}");
        let mut seen = std::collections::BTreeSet::new();
        for c in &ours {
            assert!(seen.insert(c.clone()), "code {c} is used twice");
        }
        let loader = [
            include_str!("load/mod.rs"),
            include_str!("load/projects.rs"),
            include_str!("load/scenario_toml.rs"),
            include_str!("load/text.rs"),
            include_str!("load/workbook.rs"),
            include_str!("load/monitoring.rs"),
            include_str!("load/pipeline.rs"),
            include_str!("rules/mod.rs"),
            include_str!("diag.rs"),
        ];
        for src in loader {
            for c in codes(src, "msg!(") {
                assert!(!seen.contains(&c) || c == "E999", "code {c} is also used elsewhere");
            }
        }
    }
}
