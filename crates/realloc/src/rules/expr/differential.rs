//! Temporary: random expressions over the names of the default rules, compiled by the evalexpr-based
//! compiler and by the new parser: the same result, or both refused.

use super::old::compile_old;
use super::{Compiled, Expr, compile};
use crate::rules::Rules;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, v: &[&'a str]) -> &'a str {
        v[self.below(v.len())]
    }
}

const OPS: &[&str] = &["^", "*", "/", "%", "+", "-", "<", "<=", ">", ">=", "==", "!=", "&&", "||"];
const FUNCS: &[&str] = &["min", "max", "abs", "ratio", "clamp", "if", "has_obstacle", "round"];
const STRINGS: &[&str] = &[
    "\"land\"",
    "\"procedure\"",
    "\"A\"",
    "\"B\"",
    "\"completed\"",
    "\"ongoing\"",
    "\"prep\"",
    "\"slow\"",
    "\"fast\"",
    "\"NSTW_ODA\"",
    "\"flood\"",
    "\"a\\\"b\"",
    "\"x\\\\y\"",
];
const NUMS: &[&str] =
    &["0", "1", "2", "3", "0.25", "1e-3", "2.5E+2", "10", "100", ".5", "5.", "1e2", "0.0", "7"];

fn random_expr(r: &mut Rng, names: &[&str], depth: usize, out: &mut String) {
    let sp = |r: &mut Rng, out: &mut String| {
        if r.below(3) == 0 {
            out.push(' ');
        }
    };
    let choice = if depth == 0 { r.below(4) } else { r.below(10) };
    match choice {
        0 => out.push_str(r.pick(NUMS)),
        1 => out.push_str(r.pick(names)),
        2 => out.push_str(if r.below(6) == 0 { r.pick(&["true", "false"]) } else { r.pick(names) }),
        3 => out.push_str(if r.below(3) == 0 { r.pick(STRINGS) } else { r.pick(names) }),
        4..=6 => {
            random_expr(r, names, depth - 1, out);
            sp(r, out);
            out.push_str(r.pick(OPS));
            sp(r, out);
            random_expr(r, names, depth - 1, out);
        }
        7 => {
            out.push_str(if r.below(3) == 0 { "!" } else { "-" });
            sp(r, out);
            random_expr(r, names, depth - 1, out);
        }
        8 => {
            out.push('(');
            sp(r, out);
            random_expr(r, names, depth - 1, out);
            sp(r, out);
            out.push(')');
        }
        _ => {
            out.push_str(r.pick(FUNCS));
            out.push('(');
            let n = r.below(5);
            for i in 0..n {
                if i > 0 {
                    out.push(',');
                    sp(r, out);
                }
                random_expr(r, names, depth - 1, out);
            }
            out.push(')');
        }
    }
}

/// True when the old tree holds something the new compiler refuses on purpose: a constant that is not
/// a finite number, or a division by a constant zero.
fn certainly_wrong(e: &Expr) -> bool {
    match e {
        Expr::Const(v) => !v.is_finite(),
        Expr::Slot(_) | Expr::HasObstacle { .. } => false,
        Expr::Arith(k, a, b) => {
            (matches!(k, super::Arith::Div | super::Arith::Rem) && b.constant() == Some(0.0))
                || certainly_wrong(a)
                || certainly_wrong(b)
        }
        Expr::Neg(a) | Expr::Not(a) | Expr::Abs(a) => certainly_wrong(a),
        Expr::Cmp(_, a, b) | Expr::And(a, b) | Expr::Or(a, b) | Expr::Ratio(a, b) => {
            certainly_wrong(a) || certainly_wrong(b)
        }
        Expr::If(a, b, c) | Expr::Clamp(a, b, c) => {
            certainly_wrong(a) || certainly_wrong(b) || certainly_wrong(c)
        }
        Expr::Min(v) | Expr::Max(v) => v.iter().any(certainly_wrong),
    }
}

/// The sub-expression quoted first in `message`, compiled by the old compiler, is certainly wrong (the
/// old compiler folded it away inside a comparison or a dead branch).
fn sub_is_wrong(message: &str, scope: &super::Scope) -> bool {
    let sub = message.split('`').nth(1).unwrap_or_default();
    compile_old(sub, scope).is_ok_and(|c| certainly_wrong(&c.expr))
}

fn same(a: &Compiled, b: &Compiled) -> bool {
    format!("{:?}", a.expr) == format!("{:?}", b.expr)
        && a.ty == b.ty
        && a.reads == b.reads
        && a.obstacles == b.obstacles
        && format!("{:?}", a.code) == format!("{:?}", b.code)
}

/// Old and new agree on `text`; the reason when they do not.
fn agree(text: &str, scope: &super::Scope, old_wrong: &mut usize, both_ok: &mut usize) -> Option<String> {
    match (compile_old(text, scope), compile(text, scope)) {
        (Ok(a), Ok(b)) if same(&a, &b) => {
            *both_ok += 1;
            None
        }
        (Ok(a), Ok(b)) => Some(format!("{text}\n old {:?}\n new {:?}", a.expr, b.expr)),
        (Err(_), Err(_)) => None,
        (Ok(a), Err(e))
            if (e.message.contains("divides by zero")
                || e.message.contains("overflows")
                || e.message.contains("NaN"))
                && (certainly_wrong(&a.expr) || sub_is_wrong(&e.message, scope)) =>
        {
            *old_wrong += 1;
            None
        }
        (Ok(a), Err(e)) => Some(format!("{text}\n old {:?}\n new error {e}", a.expr)),
        (Err(e), Ok(b)) => Some(format!("{text}\n old error {e}\n new {:?}", b.expr)),
    }
}

#[test]
fn new_parser_compiles_what_evalexpr_compiled() {
    let rules = Rules::builtin();
    let scope = &rules.scope;
    let mut names: Vec<&str> = scope.slots.iter().map(|s| s.name.as_str()).collect();
    names.extend(["nope", "groups.nope", "plan.x"]);
    // The rules' own expressions first.
    let mut texts: Vec<String> = Vec::new();
    for r in rules.metrics.iter().chain(&rules.groups).chain(&rules.paces).chain(&rules.tiers) {
        texts.push(r.when.text.clone());
    }
    for f in &rules.model {
        texts.push(f.expr.text.clone());
    }
    for t in [
        "2 ^ 3 ^ 2",
        "-2 ^ 2",
        "2 ^ -3 ^ 2",
        "a - b - c",
        "plan - disbursed - headroom",
        "!locked && key_project",
        "plan * -disbursed ^ 2",
        "plan ^ -disbursed ^ 2 * 3",
        "- - plan ^ 2",
        "plan == 1 == true",
        "plan - -1",
        "1e-3",
        "10e-3 * plan",
        "1.5e-3",
        "2 -3",
        "-plan * 2",
        "!locked == key_project",
        "plan < disbursed == locked",
        "locked || key_project && central",
        "plan % 3 ^ 2",
        "min((plan), 2)",
        "1/0",
        "0/0",
        "1e308*10",
        "plan / 0",
        "plan % 0",
        "if(false, 1/0, 2)",
        "ratio(1, 0)",
    ] {
        texts.push(t.to_owned());
    }
    let mut failures = Vec::new();
    let mut old_wrong = 0;
    let mut both_ok = 0;
    let mut r = Rng(0x1234_5678_9ABC_DEF1);
    for i in 0..300_000 {
        let text = if i < texts.len() {
            texts[i].clone()
        } else {
            let mut s = String::new();
            let depth = 1 + r.below(7);
            random_expr(&mut r, &names, depth, &mut s);
            s
        };
        if let Some(f) = agree(&text, scope, &mut old_wrong, &mut both_ok) {
            failures.push(f);
        }
    }
    assert!(
        failures.is_empty(),
        "{} disagreements, first:\n{}",
        failures.len(),
        failures[..failures.len().min(20)].join("\n")
    );
    eprintln!(
        "{both_ok} compiled alike; old compiled {old_wrong} certainly wrong expressions the new compiler refuses"
    );
    assert!(both_ok > 30_000, "only {both_ok} expressions compiled");
}
