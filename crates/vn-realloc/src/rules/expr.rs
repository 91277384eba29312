//! Rule conditions and formulas: parsed once (by [`parse`], our own parser, which keeps the language
//! and precedence the rules files were written for), then compiled to a small typed IR whose names are
//! resolved to slot indices, so that evaluating a row never looks a name up in a string-keyed map.
//!
//! Every error carries the byte offset of the token it is about, which the loader turns into the line
//! and column of the rules file ([`offset_in_toml`]). A constant sub-expression that is not a finite
//! number (`1/0`, `0/0`, `1e308 * 10`) and a division by a constant zero are refused: they are wrong for
//! every row.
//!
//! Types are checked at compile time: numbers, booleans and codes (capital source, project group,
//! status, pace class). A string literal may only be compared with a code (and is checked against the
//! code table then) or name an obstacle in `has_obstacle("land")`.

use std::collections::HashMap;

use crate::diag::Msg;
use crate::domain::{Category, Obstacle, ProjectGroup, Source, Status};
use crate::msg;

use super::unknown_code;

mod parse;

use parse::{Ast, Binary, Kind, Prefix};

/// The type of a slot or an expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ty {
    /// A number (million VND, percent, years, ratio...).
    Num,
    /// A boolean, stored as 0 or 1.
    Bool,
    /// A code of a table, stored as its index.
    Code(CodeKind),
    /// The obstacle bit set: only `has_obstacle` reads it.
    Bits,
}

/// The code tables an expression may compare with a string literal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CodeKind {
    /// Capital source.
    Source,
    /// Project group A/B/C.
    Group,
    /// Status.
    Status,
    /// A pace class id of the rules.
    Pace,
    /// A capital-use category (`category`; -1 when the row has none).
    Category,
}

impl Ty {
    fn describe(self) -> &'static str {
        match self {
            Ty::Num => "a number",
            Ty::Bool => "a boolean",
            Ty::Code(CodeKind::Source) => "a capital source",
            Ty::Code(CodeKind::Group) => "a project group",
            Ty::Code(CodeKind::Status) => "a status",
            Ty::Code(CodeKind::Pace) => "a pace class",
            Ty::Code(CodeKind::Category) => "a category",
            Ty::Bits => "the obstacle set",
        }
    }

    fn describe_vi(self) -> &'static str {
        match self {
            Ty::Num => "một số",
            Ty::Bool => "một giá trị đúng/sai",
            Ty::Code(CodeKind::Source) => "một nguồn vốn",
            Ty::Code(CodeKind::Group) => "một nhóm dự án",
            Ty::Code(CodeKind::Status) => "một tình trạng",
            Ty::Code(CodeKind::Pace) => "một nhóm tiến độ",
            Ty::Code(CodeKind::Category) => "một phân loại",
            Ty::Bits => "tập mã vướng mắc",
        }
    }
}

/// Arithmetic operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Arith {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Pow,
}

/// Comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A compiled expression. Booleans evaluate to 0.0 or 1.0, codes to their index.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Expr {
    Const(f64),
    Slot(u16),
    HasObstacle { bits: u16, obstacle: u8 },
    Neg(Box<Expr>),
    Not(Box<Expr>),
    Arith(Arith, Box<Expr>, Box<Expr>),
    Cmp(Cmp, Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    Min(Vec<Expr>),
    Max(Vec<Expr>),
    Abs(Box<Expr>),
    Ratio(Box<Expr>, Box<Expr>),
    Clamp(Box<Expr>, Box<Expr>, Box<Expr>),
}

impl Expr {
    /// Evaluates over the slots of one row.
    pub(crate) fn eval(&self, s: &[f64]) -> f64 {
        match self {
            Expr::Const(v) => *v,
            Expr::Slot(i) => s.get(usize::from(*i)).copied().unwrap_or(0.0),
            Expr::HasObstacle { bits, obstacle } => {
                let b = s.get(usize::from(*bits)).copied().unwrap_or(0.0) as u32;
                f64::from(u8::from(b & (1 << obstacle) != 0))
            }
            Expr::Neg(a) => -a.eval(s),
            Expr::Not(a) => b2f(a.eval(s) == 0.0),
            Expr::Arith(op, a, b) => {
                let (x, y) = (a.eval(s), b.eval(s));
                match op {
                    Arith::Add => x + y,
                    Arith::Sub => x - y,
                    Arith::Mul => x * y,
                    Arith::Div => x / y,
                    Arith::Rem => x % y,
                    Arith::Pow => x.powf(y),
                }
            }
            Expr::Cmp(op, a, b) => {
                let (x, y) = (a.eval(s), b.eval(s));
                b2f(match op {
                    Cmp::Eq => x == y,
                    Cmp::Ne => x != y,
                    Cmp::Lt => x < y,
                    Cmp::Le => x <= y,
                    Cmp::Gt => x > y,
                    Cmp::Ge => x >= y,
                })
            }
            Expr::And(a, b) => b2f(a.eval(s) != 0.0 && b.eval(s) != 0.0),
            Expr::Or(a, b) => b2f(a.eval(s) != 0.0 || b.eval(s) != 0.0),
            Expr::If(c, a, b) => {
                if c.eval(s) != 0.0 {
                    a.eval(s)
                } else {
                    b.eval(s)
                }
            }
            Expr::Min(v) => v.iter().map(|e| e.eval(s)).fold(f64::INFINITY, f64::min),
            Expr::Max(v) => v.iter().map(|e| e.eval(s)).fold(f64::NEG_INFINITY, f64::max),
            Expr::Abs(a) => a.eval(s).abs(),
            Expr::Ratio(a, b) => {
                let d = b.eval(s);
                if d == 0.0 { 0.0 } else { a.eval(s) / d }
            }
            Expr::Clamp(x, lo, hi) => x.eval(s).max(lo.eval(s)).min(hi.eval(s)),
        }
    }

    /// True when the expression reads no slot.
    fn is_const(&self) -> bool {
        match self {
            Expr::Const(_) => true,
            Expr::Slot(_) | Expr::HasObstacle { .. } => false,
            Expr::Neg(a) | Expr::Not(a) | Expr::Abs(a) => a.is_const(),
            Expr::Arith(_, a, b)
            | Expr::Cmp(_, a, b)
            | Expr::And(a, b)
            | Expr::Or(a, b)
            | Expr::Ratio(a, b) => a.is_const() && b.is_const(),
            Expr::If(a, b, c) | Expr::Clamp(a, b, c) => a.is_const() && b.is_const() && c.is_const(),
            Expr::Min(v) | Expr::Max(v) => v.iter().all(Expr::is_const),
        }
    }

    /// The constant value, when the expression reads no slot.
    pub(crate) fn constant(&self) -> Option<f64> {
        if let Expr::Const(v) = self { Some(*v) } else { None }
    }
}

/// Deepest evaluation stack a compiled expression may need.
pub(crate) const STACK: usize = 32;

/// One instruction of the stack machine.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Op {
    Const(f64),
    Slot(u16),
    Has(u16, u8),
    Neg,
    Not,
    Abs,
    Arith(Arith),
    Cmp(Cmp),
    Ratio,
    Clamp,
    Min(u16),
    Max(u16),
    /// If the top is false, keep it and jump; otherwise drop it.
    AndJump(u32),
    /// If the top is true, keep it and jump; otherwise drop it.
    OrJump(u32),
    /// Pop; jump when it is false.
    JumpIfFalse(u32),
    Jump(u32),
}

/// Stack-machine code of an expression, in postfix order with jumps for `&&`, `||` and `if`.
#[derive(Clone, Debug, PartialEq, Default)]
pub(crate) struct Code(Vec<Op>);

impl Code {
    /// Compiles a tree; `None` when it would need more than [`STACK`] stack slots.
    fn new(e: &Expr) -> Option<Code> {
        let mut ops = Vec::new();
        let depth = emit(e, &mut ops);
        (depth <= STACK).then_some(Code(ops))
    }

    /// Evaluates over the slots of one row.
    #[cfg(test)]
    pub(crate) fn eval(&self, s: &[f64]) -> f64 {
        self.run(s).0
    }

    /// Evaluates over the slots of one row; the flag is true when some arithmetic step turned finite
    /// numbers into an infinite or undefined one (a division by zero, an overflow): the value then
    /// means nothing, even when a comparison or `min` hides it.
    #[inline]
    pub(crate) fn eval_checked(&self, s: &[f64]) -> (f64, bool) {
        self.run(s)
    }

    #[inline]
    fn run(&self, s: &[f64]) -> (f64, bool) {
        let mut broken = false;
        let ops = &self.0[..];
        let mut st = [0.0f64; STACK];
        let mut sp = 0usize; // number of values on the stack
        let mut pc = 0usize;
        while let Some(op) = ops.get(pc) {
            pc += 1;
            match *op {
                Op::Const(v) => {
                    st[sp] = v;
                    sp += 1;
                }
                Op::Slot(i) => {
                    st[sp] = s.get(usize::from(i)).copied().unwrap_or(0.0);
                    sp += 1;
                }
                Op::Has(bits, o) => {
                    let b = s.get(usize::from(bits)).copied().unwrap_or(0.0) as u32;
                    st[sp] = b2f(b & (1 << o) != 0);
                    sp += 1;
                }
                Op::Neg => st[sp - 1] = -st[sp - 1],
                Op::Not => st[sp - 1] = b2f(st[sp - 1] == 0.0),
                Op::Abs => st[sp - 1] = st[sp - 1].abs(),
                Op::Arith(k) => {
                    sp -= 1;
                    let (x, y) = (st[sp - 1], st[sp]);
                    st[sp - 1] = match k {
                        Arith::Add => x + y,
                        Arith::Sub => x - y,
                        Arith::Mul => x * y,
                        Arith::Div => x / y,
                        Arith::Rem => x % y,
                        Arith::Pow => x.powf(y),
                    };
                    broken |= !st[sp - 1].is_finite() && x.is_finite() && y.is_finite();
                }
                Op::Cmp(k) => {
                    sp -= 1;
                    let (x, y) = (st[sp - 1], st[sp]);
                    st[sp - 1] = b2f(match k {
                        Cmp::Eq => x == y,
                        Cmp::Ne => x != y,
                        Cmp::Lt => x < y,
                        Cmp::Le => x <= y,
                        Cmp::Gt => x > y,
                        Cmp::Ge => x >= y,
                    });
                }
                Op::Ratio => {
                    sp -= 1;
                    let (x, y) = (st[sp - 1], st[sp]);
                    st[sp - 1] = if y == 0.0 { 0.0 } else { x / y };
                }
                Op::Clamp => {
                    sp -= 2;
                    st[sp - 1] = st[sp - 1].max(st[sp]).min(st[sp + 1]);
                }
                Op::Min(n) | Op::Max(n) => {
                    let n = usize::from(n);
                    let first = sp - n;
                    let mut acc = st[first];
                    for &v in &st[first + 1..sp] {
                        acc = if matches!(op, Op::Min(_)) { acc.min(v) } else { acc.max(v) };
                    }
                    sp = first + 1;
                    st[first] = acc;
                }
                Op::AndJump(t) => {
                    if st[sp - 1] == 0.0 {
                        pc = t as usize;
                    } else {
                        sp -= 1;
                    }
                }
                Op::OrJump(t) => {
                    if st[sp - 1] != 0.0 {
                        st[sp - 1] = 1.0;
                        pc = t as usize;
                    } else {
                        sp -= 1;
                    }
                }
                Op::JumpIfFalse(t) => {
                    sp -= 1;
                    if st[sp] == 0.0 {
                        pc = t as usize;
                    }
                }
                Op::Jump(t) => pc = t as usize,
            }
        }
        (st[0], broken)
    }
}

/// Appends the code of `e`; returns the stack depth it needs.
fn emit(e: &Expr, ops: &mut Vec<Op>) -> usize {
    let patch = |ops: &mut Vec<Op>, at: usize| {
        let to = ops.len() as u32;
        match &mut ops[at] {
            Op::AndJump(t) | Op::OrJump(t) | Op::JumpIfFalse(t) | Op::Jump(t) => *t = to,
            _ => {}
        }
    };
    match e {
        Expr::Const(v) => {
            ops.push(Op::Const(*v));
            1
        }
        Expr::Slot(i) => {
            ops.push(Op::Slot(*i));
            1
        }
        Expr::HasObstacle { bits, obstacle } => {
            ops.push(Op::Has(*bits, *obstacle));
            1
        }
        Expr::Neg(a) | Expr::Not(a) | Expr::Abs(a) => {
            let d = emit(a, ops);
            ops.push(match e {
                Expr::Neg(_) => Op::Neg,
                Expr::Not(_) => Op::Not,
                _ => Op::Abs,
            });
            d
        }
        Expr::Arith(k, a, b) => bin(ops, a, b, Op::Arith(*k)),
        Expr::Cmp(k, a, b) => bin(ops, a, b, Op::Cmp(*k)),
        Expr::Ratio(a, b) => bin(ops, a, b, Op::Ratio),
        Expr::And(a, b) | Expr::Or(a, b) => {
            let da = emit(a, ops);
            let at = ops.len();
            ops.push(if matches!(e, Expr::And(..)) { Op::AndJump(0) } else { Op::OrJump(0) });
            let db = emit(b, ops);
            patch(ops, at);
            da.max(db)
        }
        Expr::If(c, a, b) => {
            let dc = emit(c, ops);
            let jf = ops.len();
            ops.push(Op::JumpIfFalse(0));
            let da = emit(a, ops);
            let j = ops.len();
            ops.push(Op::Jump(0));
            patch(ops, jf);
            let db = emit(b, ops);
            patch(ops, j);
            dc.max(da).max(db)
        }
        Expr::Clamp(x, lo, hi) => {
            let d = emit(x, ops).max(1 + emit(lo, ops)).max(2 + emit(hi, ops));
            ops.push(Op::Clamp);
            d
        }
        Expr::Min(v) | Expr::Max(v) => {
            let mut d = 0;
            for (i, x) in v.iter().enumerate() {
                d = d.max(i + emit(x, ops));
            }
            let n = u16::try_from(v.len()).unwrap_or(u16::MAX);
            ops.push(if matches!(e, Expr::Min(_)) { Op::Min(n) } else { Op::Max(n) });
            d
        }
    }
}

fn bin(ops: &mut Vec<Op>, a: &Expr, b: &Expr, op: Op) -> usize {
    let d = emit(a, ops).max(1 + emit(b, ops));
    ops.push(op);
    d
}

fn b2f(b: bool) -> f64 {
    if b { 1.0 } else { 0.0 }
}

/// A named slot of the row buffer.
#[derive(Clone, Debug)]
pub(crate) struct SlotDef {
    /// Name used in expressions.
    pub(crate) name: String,
    /// Type.
    pub(crate) ty: Ty,
}

/// The names an expression may use, in the order they are computed.
#[derive(Clone, Debug, Default)]
pub(crate) struct Scope {
    pub(crate) slots: Vec<SlotDef>,
    by_name: HashMap<String, u16>,
    /// Pace class ids, for `pace == "slow"`.
    pub(crate) paces: Vec<String>,
    /// A name was refused because there were already [`Scope::MAX_NAMES`].
    full: bool,
}

/// `65535` as `65,535`.
fn fmt_thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl Scope {
    /// The most names a rule set may define: row fields, scenario values, parameters, metrics, groups and
    /// model outputs together (slots are numbered in `u16`).
    pub(crate) const MAX_NAMES: usize = u16::MAX as usize;

    /// Adds a slot; `None` when the name is taken or the table is full ([`Scope::is_full`] tells which).
    pub(crate) fn add(&mut self, name: &str, ty: Ty) -> Option<u16> {
        if self.by_name.contains_key(name) {
            return None;
        }
        if self.slots.len() >= Scope::MAX_NAMES {
            self.full = true;
            return None;
        }
        let i = u16::try_from(self.slots.len()).ok()?;
        self.slots.push(SlotDef { name: name.to_owned(), ty });
        self.by_name.insert(name.to_owned(), i);
        Some(i)
    }

    /// The slot of a name.
    pub(crate) fn get(&self, name: &str) -> Option<u16> {
        self.by_name.get(name).copied()
    }

    /// Number of slots.
    pub(crate) fn len(&self) -> usize {
        self.slots.len()
    }

    /// True when a name was refused because the table was full.
    pub(crate) fn is_full(&self) -> bool {
        self.full
    }

    /// The message for a name refused because the table is full.
    pub(crate) fn full_message() -> Msg {
        msg!(
            "E950",
            "too many names (at most {}: row fields, scenario values, parameters, metrics and groups together)",
            "quá nhiều tên (tối đa {} gồm cả trường của dòng, giá trị kịch bản, tham số, chỉ số và nhóm)",
            fmt_thousands(Scope::MAX_NAMES)
        )
    }
}

/// An expression compiled, with its text and the names it reads (for `explain`).
#[derive(Clone, Debug)]
pub(crate) struct Compiled {
    pub(crate) text: String,
    pub(crate) expr: Expr,
    /// The same expression as stack-machine code, which evaluates faster than the tree.
    pub(crate) code: Code,
    pub(crate) ty: Ty,
    /// Slots read, in order of first appearance, without repeats.
    pub(crate) reads: Vec<u16>,
    /// Obstacle codes tested with `has_obstacle`.
    pub(crate) obstacles: Vec<Obstacle>,
}

/// Why an expression was refused: a sentence without location, and the byte offset in the expression
/// of the token it is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ExprError {
    /// Byte offset in the expression text.
    pub(crate) at: usize,
    /// What is wrong, lowercase, no trailing period, in both languages.
    pub(crate) message: Msg,
}

impl std::fmt::Display for ExprError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message.en)
    }
}

fn fail<T>(at: usize, message: Msg) -> Result<T, ExprError> {
    Err(ExprError { at, message })
}

/// Compiles `text` in `scope`.
pub(crate) fn compile(text: &str, scope: &Scope) -> Result<Compiled, ExprError> {
    let ast = parse::parse(text).map_err(|e| ExprError {
        at: e.at,
        message: Msg::new(
            e.message.code,
            format!("cannot parse `{}`: {}", quote(text), e.message.en),
            format!("không đọc được `{}`: {}", quote(text), e.message.vi),
        ),
    })?;
    let mut c = Compiler { scope, text, reads: Vec::new(), obstacles: Vec::new() };
    let (expr, ty) = match c.node(&ast)? {
        Typed::Val(e, ty) => (e, ty),
        Typed::Str(s) => {
            return fail(
                ast.at,
                msg!("E951", "the expression is only the string \"{}\"", "biểu thức chỉ là chuỗi \"{}\"", s),
            );
        }
    };
    let Some(code) = Code::new(&expr) else {
        return fail(
            0,
            msg!(
                "E952",
                "`{}` is nested too deeply (more than {} levels)",
                "`{}` lồng quá sâu (quá {} tầng)",
                quote(text),
                STACK
            ),
        );
    };
    Ok(Compiled { text: text.to_owned(), expr, code, ty, reads: c.reads, obstacles: c.obstacles })
}

/// `text` cut to at most 60 characters, for quoting an expression in a message.
fn quote(text: &str) -> String {
    match text.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_owned(),
    }
}

/// A compiled sub-expression or a string literal waiting for its comparison.
enum Typed {
    Val(Expr, Ty),
    Str(String),
}

struct Compiler<'a> {
    scope: &'a Scope,
    text: &'a str,
    reads: Vec<u16>,
    obstacles: Vec<Obstacle>,
}

impl Compiler<'_> {
    /// The text of a node, as written.
    fn source(&self, n: &Ast) -> String {
        quote(self.text.get(n.start..n.end).unwrap_or_default())
    }

    /// The node quoted, and the whole expression after it when the node is only a part of it.
    fn culprit(&self, n: &Ast) -> String {
        let whole = self.text.trim();
        let part = self.text.get(n.start..n.end).unwrap_or_default();
        if part == whole {
            format!("`{}`", quote(part))
        } else {
            format!("`{}` (in `{}`)", quote(part), quote(whole))
        }
    }

    fn node(&mut self, n: &Ast) -> Result<Typed, ExprError> {
        let t = match &n.kind {
            Kind::Num(v) => Typed::Val(Expr::Const(*v), Ty::Num),
            Kind::Bool(b) => Typed::Val(Expr::Const(b2f(*b)), Ty::Bool),
            Kind::Str(s) => Typed::Str(s.clone()),
            Kind::Name(identifier) => {
                let Some(slot) = self.scope.get(identifier) else {
                    return fail(
                        n.at,
                        msg!(
                            "E953",
                            "unknown name `{}` (not a row field, parameter or metric computed before this rule)",
                            "không có tên `{}` (không phải trường của dòng, tham số hay chỉ số tính trước quy tắc này)",
                            identifier
                        ),
                    );
                };
                let ty = self.scope.slots[usize::from(slot)].ty;
                if ty == Ty::Bits {
                    return fail(
                        n.at,
                        msg!(
                            "E954",
                            "`{}` can only be read with has_obstacle(\"code\")",
                            "`{}` chỉ đọc được qua has_obstacle(\"mã\")",
                            identifier
                        ),
                    );
                }
                if !self.reads.contains(&slot) {
                    self.reads.push(slot);
                }
                Typed::Val(Expr::Slot(slot), ty)
            }
            Kind::Prefix(Prefix::Neg, a) => Typed::Val(Expr::Neg(Box::new(self.num(a, "-")?)), Ty::Num),
            Kind::Prefix(Prefix::Not, a) => Typed::Val(Expr::Not(Box::new(self.boolean(a, "!")?)), Ty::Bool),
            Kind::Binary(op, a, b) => self.binary(n, *op, a, b)?,
            Kind::Call(name, args) => self.call(n, name, args)?,
        };
        self.fold(t, n)
    }

    fn binary(&mut self, n: &Ast, op: Binary, a: &Ast, b: &Ast) -> Result<Typed, ExprError> {
        let sym = op.symbol();
        let arith = match op {
            Binary::Add => Some(Arith::Add),
            Binary::Sub => Some(Arith::Sub),
            Binary::Mul => Some(Arith::Mul),
            Binary::Div => Some(Arith::Div),
            Binary::Rem => Some(Arith::Rem),
            Binary::Pow => Some(Arith::Pow),
            _ => None,
        };
        if let Some(k) = arith {
            let x = self.num(a, sym)?;
            let y = self.num(b, sym)?;
            if matches!(k, Arith::Div | Arith::Rem) && y.constant() == Some(0.0) {
                return fail(n.at, msg!("E955", "{} divides by zero", "{} chia cho 0", self.culprit(n)));
            }
            return Ok(Typed::Val(Expr::Arith(k, Box::new(x), Box::new(y)), Ty::Num));
        }
        let ordered = match op {
            Binary::Lt => Some(Cmp::Lt),
            Binary::Le => Some(Cmp::Le),
            Binary::Gt => Some(Cmp::Gt),
            Binary::Ge => Some(Cmp::Ge),
            _ => None,
        };
        if let Some(k) = ordered {
            let x = self.num(a, sym)?;
            let y = self.num(b, sym)?;
            return Ok(Typed::Val(Expr::Cmp(k, Box::new(x), Box::new(y)), Ty::Bool));
        }
        Ok(match op {
            Binary::Eq | Binary::Ne => {
                let k = if op == Binary::Eq { Cmp::Eq } else { Cmp::Ne };
                let x = self.node(a)?;
                let y = self.node(b)?;
                let (x, y) = match (x, y) {
                    (Typed::Val(x, tx), Typed::Val(y, ty)) => {
                        if tx != ty {
                            return fail(
                                n.at,
                                msg!(
                                    "E956",
                                    en("`{sym}` compares {} with {}", tx.describe(), ty.describe()),
                                    vi("`{sym}` so sánh {} với {}", tx.describe_vi(), ty.describe_vi())
                                ),
                            );
                        }
                        (x, y)
                    }
                    (Typed::Val(x, tx), Typed::Str(s)) => (x, Expr::Const(self.code(tx, &s, b.at)?)),
                    (Typed::Str(s), Typed::Val(y, ty)) => (y, Expr::Const(self.code(ty, &s, a.at)?)),
                    (Typed::Str(x), Typed::Str(y)) => {
                        return fail(
                            n.at,
                            msg!(
                                "E957",
                                "`{}` compares two strings (\"{}\" and \"{}\")",
                                "`{}` so sánh hai chuỗi (\"{}\" và \"{}\")",
                                sym,
                                x,
                                y
                            ),
                        );
                    }
                };
                Typed::Val(Expr::Cmp(k, Box::new(x), Box::new(y)), Ty::Bool)
            }
            _ => {
                let x = Box::new(self.boolean(a, sym)?);
                let y = Box::new(self.boolean(b, sym)?);
                Typed::Val(if op == Binary::And { Expr::And(x, y) } else { Expr::Or(x, y) }, Ty::Bool)
            }
        })
    }

    /// Replaces an expression that reads no slot by its value, refusing a value that is not a finite
    /// number: such a constant is certainly wrong for every row.
    fn fold(&self, t: Typed, n: &Ast) -> Result<Typed, ExprError> {
        let Typed::Val(e, ty) = t else { return Ok(t) };
        let e = match e {
            Expr::Const(_) => e,
            e if e.is_const() => Expr::Const(e.eval(&[])),
            e => return Ok(Typed::Val(e, ty)),
        };
        match e {
            Expr::Const(v) if v.is_nan() => {
                fail(n.at, msg!("E958", "{} is not a number (NaN)", "{} không ra số (NaN)", self.culprit(n)))
            }
            Expr::Const(v) if v.is_infinite() => {
                fail(n.at, msg!("E959", "{} overflows", "{} tràn số (quá lớn)", self.culprit(n)))
            }
            e => Ok(Typed::Val(e, ty)),
        }
    }

    fn code(&self, ty: Ty, s: &str, at: usize) -> Result<f64, ExprError> {
        let idx = match ty {
            Ty::Code(CodeKind::Source) => {
                s.parse::<Source>().map(Source::index).map_err(|e| unknown_code(&e))
            }
            Ty::Code(CodeKind::Group) => {
                s.parse::<ProjectGroup>().map(ProjectGroup::index).map_err(|e| unknown_code(&e))
            }
            Ty::Code(CodeKind::Status) => {
                s.parse::<Status>().map(Status::index).map_err(|e| unknown_code(&e))
            }
            Ty::Code(CodeKind::Category) => {
                s.parse::<Category>().map(Category::index).map_err(|e| unknown_code(&e))
            }
            Ty::Code(CodeKind::Pace) => self.scope.paces.iter().position(|p| p == s).ok_or_else(|| {
                msg!(
                    "E960",
                    "unknown pace class `{}`, expected one of: {}",
                    "không có nhóm tiến độ `{}`; các nhóm là: {}",
                    s,
                    self.scope.paces.join(", ")
                )
            }),
            other => {
                return fail(
                    at,
                    msg!(
                        "E961",
                        en("the string \"{s}\" is compared with {}", other.describe()),
                        vi("chuỗi \"{s}\" được so sánh với {}", other.describe_vi())
                    ),
                );
            }
        };
        match idx {
            Ok(i) => Ok(i as f64),
            Err(message) => fail(at, message),
        }
    }

    fn num(&mut self, n: &Ast, op: &str) -> Result<Expr, ExprError> {
        self.want(n, Ty::Num, op)
    }

    fn boolean(&mut self, n: &Ast, op: &str) -> Result<Expr, ExprError> {
        self.want(n, Ty::Bool, op)
    }

    fn want(&mut self, n: &Ast, want: Ty, op: &str) -> Result<Expr, ExprError> {
        match self.node(n)? {
            Typed::Val(e, ty) if ty == want => Ok(e),
            Typed::Val(_, ty) => fail(
                n.start,
                msg!(
                    "E962",
                    en("`{op}` expects {}, found {} in `{}`", want.describe(), ty.describe(), self.source(n)),
                    vi(
                        "`{op}` cần {}, nhưng `{}` là {}",
                        want.describe_vi(),
                        self.source(n),
                        ty.describe_vi()
                    )
                ),
            ),
            Typed::Str(s) => fail(
                n.start,
                msg!(
                    "E963",
                    en("`{op}` expects {}, found the string \"{s}\"", want.describe()),
                    vi("`{op}` cần {}, nhưng gặp chuỗi \"{s}\"", want.describe_vi())
                ),
            ),
        }
    }

    fn call(&mut self, n: &Ast, name: &str, args: &[Ast]) -> Result<Typed, ExprError> {
        let count = |want: usize| -> Result<(), ExprError> {
            if args.len() == want {
                Ok(())
            } else {
                fail(
                    n.at,
                    msg!(
                        "E964",
                        "`{}` takes {} argument(s), found {}",
                        "`{}` nhận {} đối số, nhưng có {}",
                        name,
                        want,
                        args.len()
                    ),
                )
            }
        };
        Ok(match name {
            "min" | "max" => {
                if args.len() < 2 {
                    return fail(
                        n.at,
                        msg!(
                            "E965",
                            "`{}` takes 2 or more arguments, found {}",
                            "`{}` nhận từ 2 đối số trở lên, nhưng có {}",
                            name,
                            args.len()
                        ),
                    );
                }
                let v = args.iter().map(|a| self.num(a, name)).collect::<Result<Vec<_>, _>>()?;
                Typed::Val(if name == "min" { Expr::Min(v) } else { Expr::Max(v) }, Ty::Num)
            }
            "abs" => {
                count(1)?;
                Typed::Val(Expr::Abs(Box::new(self.num(&args[0], name)?)), Ty::Num)
            }
            "ratio" => {
                count(2)?;
                let a = self.num(&args[0], name)?;
                let b = self.num(&args[1], name)?;
                Typed::Val(Expr::Ratio(Box::new(a), Box::new(b)), Ty::Num)
            }
            "clamp" => {
                count(3)?;
                let x = self.num(&args[0], name)?;
                let lo = self.num(&args[1], name)?;
                let hi = self.num(&args[2], name)?;
                Typed::Val(Expr::Clamp(Box::new(x), Box::new(lo), Box::new(hi)), Ty::Num)
            }
            "if" => {
                count(3)?;
                let c = self.boolean(&args[0], name)?;
                let (a, ta) = match self.node(&args[1])? {
                    Typed::Val(e, t) => (e, t),
                    Typed::Str(s) => {
                        return fail(
                            args[1].start,
                            msg!(
                                "E966",
                                "`if` cannot return the string \"{}\"",
                                "`if` không trả về chuỗi \"{}\" được",
                                s
                            ),
                        );
                    }
                };
                let b = self.want(&args[2], ta, name).map_err(|e| ExprError {
                    at: e.at,
                    message: Msg::new(
                        e.message.code,
                        format!("both branches of `if` must agree: {}", e.message.en),
                        format!("hai nhánh của `if` phải cùng kiểu: {}", e.message.vi),
                    ),
                })?;
                Typed::Val(Expr::If(Box::new(c), Box::new(a), Box::new(b)), ta)
            }
            "has_obstacle" => {
                count(1)?;
                let Some(bits) = self.scope.get("obstacles") else {
                    return fail(
                        n.at,
                        msg!(
                            "E967",
                            "`has_obstacle` is not available here",
                            "không dùng được `has_obstacle` ở đây"
                        ),
                    );
                };
                let code = match self.node(&args[0])? {
                    Typed::Str(s) => s,
                    Typed::Val(..) => {
                        return fail(
                            args[0].start,
                            msg!(
                                "E968",
                                "`has_obstacle` takes an obstacle code such as \"land\"",
                                "`has_obstacle` nhận một mã vướng mắc, ví dụ \"land\""
                            ),
                        );
                    }
                };
                let o = match code.parse::<Obstacle>() {
                    Ok(o) => o,
                    Err(e) => return fail(args[0].start, unknown_code(&e)),
                };
                if !self.obstacles.contains(&o) {
                    self.obstacles.push(o);
                }
                if !self.reads.contains(&bits) {
                    self.reads.push(bits);
                }
                Typed::Val(Expr::HasObstacle { bits, obstacle: o.index() as u8 }, Ty::Bool)
            }
            other => {
                return fail(
                    n.at,
                    msg!(
                        "E969",
                        "unknown function `{}`, expected one of: min, max, abs, ratio, clamp, if, has_obstacle",
                        "không có hàm `{}`; các hàm là: min, max, abs, ratio, clamp, if, has_obstacle",
                        other
                    ),
                );
            }
        })
    }
}

/// The byte offset in a TOML file of byte `at` of the expression `value`, the TOML string whose
/// value starts at `string_start` (its opening quote). A literal string `'...'` holds the text as is; a
/// basic string `"..."` is walked over its escapes (`\"`, `\\`, `\n`...). A multi-line string, a `\u`
/// escape or anything unexpected gives the string's start: the line is still right.
pub(crate) fn offset_in_toml(file: &str, string_start: usize, value: &str, at: usize) -> usize {
    let Some(raw) = file.get(string_start..) else { return string_start };
    if raw.starts_with("\"\"\"") || raw.starts_with("'''") {
        return string_start;
    }
    if raw.starts_with('\'') {
        return string_start + 1 + at;
    }
    if !raw.starts_with('"') {
        return string_start;
    }
    let (raw, value) = (raw.as_bytes(), value.as_bytes());
    let (mut r, mut d) = (1, 0); // raw and decoded offsets
    while d < at {
        match raw.get(r) {
            Some(b'\\') => {
                let simple = matches!(raw.get(r + 1), Some(b'"' | b'\\' | b'b' | b't' | b'n' | b'f' | b'r'));
                if !simple {
                    return string_start;
                }
                r += 2;
            }
            Some(b'"') | None => return string_start,
            Some(&c) => {
                if value.get(d) != Some(&c) {
                    return string_start;
                }
                r += 1;
            }
        }
        d += 1;
    }
    string_start + r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope() -> Scope {
        let mut s = Scope::default();
        s.add("plan", Ty::Num);
        s.add("locked", Ty::Bool);
        s.add("status", Ty::Code(CodeKind::Status));
        s.add("obstacles", Ty::Bits);
        s.paces = vec!["fast".into(), "slow".into()];
        s.add("pace", Ty::Code(CodeKind::Pace));
        s
    }

    #[track_caller]
    fn eval(text: &str, slots: &[f64]) -> f64 {
        match compile(text, &scope()) {
            Ok(c) => {
                let v = c.expr.eval(slots);
                assert_eq!(v.to_bits(), c.code.eval(slots).to_bits(), "{text}: tree and code disagree");
                v
            }
            Err(e) => panic!("{text}: {e}"),
        }
    }

    #[track_caller]
    fn err(text: &str, want: &str) {
        match compile(text, &scope()) {
            Ok(_) => panic!("{text} compiled"),
            Err(e) => assert!(e.message.en.contains(want), "{text}: {e}"),
        }
    }

    #[test]
    fn evaluates_typed_expressions() {
        // plan, locked, status (completed = 2), obstacles (land|contractor), pace (slow)
        let s = [100.0, 0.0, 2.0, 0b101 as f64, 1.0];
        assert_eq!(eval("plan * 2 - 1", &s), 199.0);
        assert_eq!(eval("status == \"completed\" && !locked", &s), 1.0);
        assert_eq!(eval("\"new\" == status", &s), 0.0);
        assert_eq!(eval("has_obstacle(\"land\") && !has_obstacle(\"procedure\")", &s), 1.0);
        assert_eq!(eval("if(plan > 50, min(plan, 70, 80), 0)", &s), 70.0);
        assert_eq!(eval("ratio(plan, 0) + clamp(plan, 0, 10) + abs(-2)", &s), 12.0);
        assert_eq!(eval("pace == \"slow\"", &s), 1.0);
        assert_eq!(eval("2 ^ 3 + 7 % 4", &s), 11.0);
        assert_eq!(
            eval("if(locked || plan > 150, 1, if(!locked && plan < 50, 2, 3)) + max(1, plan, 2)", &s),
            103.0
        );
        assert_eq!(eval("(locked && plan > 1) || (plan > 1 && !locked)", &s), 1.0);
        assert_eq!(eval("clamp(plan * 2, 10 + 1, min(plan, 150))", &s), 100.0);
    }

    #[test]
    fn folds_constants() {
        assert_eq!(compile("1 + 2 > 2", &scope()).map(|c| c.expr.constant()), Ok(Some(1.0)));
        assert_eq!(compile("true", &scope()).map(|c| c.ty), Ok(Ty::Bool));
    }

    #[test]
    fn refuses_unknown_names_and_type_errors() {
        err("plann > 0", "unknown name `plann`");
        err("status == \"finished\"", "unknown status `finished`");
        err("pace == \"glacial\"", "unknown pace class `glacial`");
        err("has_obstacle(\"flood\")", "unknown obstacle code `flood`");
        err("plan && locked", "expects a boolean, found a number");
        err("plan + locked", "expects a number, found a boolean");
        err("status == plan", "compares a status with a number");
        err("plan = 3", "not allowed");
        err("plan +", "ends where an operand was expected");
        err("foo(plan)", "unknown function `foo`");
        err("if(locked, 1, true)", "both branches");
        err("min(plan)", "2 or more");
        err("obstacles", "has_obstacle");
        err("plan > ", "");
    }

    #[track_caller]
    fn same_tree(text: &str, explicit: &str) {
        let tree = |t: &str| compile(t, &scope()).map(|c| c.expr).unwrap_or_else(|e| panic!("{t}: {e}"));
        assert_eq!(tree(text), tree(explicit), "{text} should read as {explicit}");
    }

    /// Where `text` is refused: the byte offset and the message.
    #[track_caller]
    fn refused_at(text: &str) -> (usize, String) {
        match compile(text, &scope()) {
            Ok(_) => panic!("{text} compiled"),
            Err(e) => (e.at, e.message.en),
        }
    }

    #[test]
    fn precedence_and_associativity_are_evalexpr_s() {
        same_tree("plan ^ plan ^ 2", "(plan ^ plan) ^ 2");
        same_tree("-plan ^ 2", "-(plan ^ 2)");
        same_tree("plan ^ -plan ^ 2", "(plan ^ (-plan)) ^ 2");
        same_tree("plan * -plan ^ 2", "plan * (-(plan ^ 2))");
        same_tree("plan - plan - 1", "(plan - plan) - 1");
        same_tree("plan / plan * 2 % 3", "((plan / plan) * 2) % 3");
        same_tree("plan + plan * 2 ^ 3", "plan + (plan * (2 ^ 3))");
        same_tree("-plan * 2", "(-plan) * 2");
        same_tree("!locked && locked", "(!locked) && locked");
        same_tree("!locked == locked", "(!locked) == locked");
        same_tree("locked || locked && plan > 1", "locked || (locked && (plan > 1))");
        same_tree("plan < 1 == locked", "(plan < 1) == locked");
        same_tree("plan - -1", "plan - (-1)");
        same_tree("plan -1", "plan - 1");
        same_tree("- - plan", "-(-plan)");
        assert_eq!(eval("2 ^ 3 ^ 2", &[]), 64.0);
        assert_eq!(eval("-2 ^ 2", &[]), -4.0);
        assert_eq!(eval("10 - 4 - 3", &[]), 3.0);
        assert_eq!(eval("1e-3 * 1000 + .5 + 5. + 2.5E+1", &[]), 31.5);
        assert_eq!(eval("9223372036854775808 > 9223372036854775807", &[]), 0.0);
    }

    #[test]
    fn strings_take_two_escapes() {
        let mut s = scope();
        s.paces = vec!["a\"b".into(), "c\\d".into()];
        let c = |t: &str| compile(t, &s).map(|c| c.expr);
        assert!(c(r#"pace == "a\"b""#).is_ok());
        assert!(c(r#"pace == "c\\d""#).is_ok());
        let e = c(r#"pace == "a\nb""#).err().map(|e| (e.at, e.message.en));
        assert_eq!(e.as_ref().map(|e| e.0), Some(10), "{e:?}");
        assert!(e.is_some_and(|e| e.1.contains("unknown escape `\\n`")));
        let (at, m) = refused_at(r#"pace == "slow"#);
        assert_eq!(at, 8);
        assert!(m.contains("unclosed string"), "{m}");
    }

    #[test]
    fn errors_point_at_the_offending_token() {
        let at = |t: &str| refused_at(t).0;
        assert_eq!(at("plan + plann"), 7);
        assert_eq!(at("plan && locked"), 0);
        assert_eq!(at("locked && plan"), 10);
        assert_eq!(at("status == plan"), 7);
        assert_eq!(at("status == \"finished\""), 10);
        assert_eq!(at("max(1, foo(plan))"), 7);
        assert_eq!(at("min(plan)"), 0);
        assert_eq!(at("plan +"), 6);
        assert_eq!(at("plan plan"), 5);
        assert_eq!(at("(plan + 1"), 0);
        assert_eq!(at("plan + 1)"), 8);
        assert_eq!(at("plan # 1"), 5);
        assert_eq!(at("plan = 1"), 5);
        assert_eq!(at("plan; 1"), 4);
        assert_eq!(at("plan & locked"), 5);
        assert_eq!(at("has_obstacle(\"flood\")"), 13);
        assert_eq!(at("plan + 1/0"), 8);
        assert_eq!(at("plan + 1e308 * 10"), 13);
        assert_eq!(at("3x + plan"), 0);
        err("", "empty expression");
        err("  ", "empty expression");
        err("1/0", "`1/0` divides by zero");
        err("plan % (1 - 1)", "`plan % (1 - 1)` divides by zero");
        err("plan + 2 / 0", "`2 / 0` (in `plan + 2 / 0`) divides by zero");
        err("0/0", "divides by zero");
        err("1e308 * 10", "`1e308 * 10` overflows");
        err("1e400", "`1e400` overflows");
        err("(0 - 8) ^ 0.5", "is not a number (NaN)");
        err("plan += 1", "not allowed");
        err("plan; 1", "`;` chains are not allowed");
        assert!(compile("ratio(plan, 0) + plan / 2", &scope()).is_ok());
    }

    #[test]
    fn depth_and_length_are_bounded() {
        let ok = |t: &str| compile(t, &scope()).map(|_| ()).map_err(|e| e.message.en);
        // 64 levels: 63 signs over `(plan)`, or 64 chained operators.
        assert_eq!(ok(&format!("{}(plan)", "-".repeat(63))), Ok(()));
        assert_eq!(ok(&vec!["plan"; 65].join(" - ")), Ok(()));
        let (at, m) = refused_at(&format!("{}(plan)", "-".repeat(64)));
        assert!(m.contains("nested more than 64 levels"), "{m}");
        assert_eq!(at, 64);
        let (at, m) = refused_at(&vec!["plan"; 66].join("-"));
        assert!(m.contains("nested more than 64 levels"), "{m}");
        assert_eq!(at, 5 * 65 - 1);
        let (at, m) = refused_at(&format!("{}plan{}", "(".repeat(65), ")".repeat(65)));
        assert!(m.contains("nested more than 64 levels"), "{m}");
        assert_eq!(at, 64);
        let (_, m) = refused_at(&format!("{}plan{}", "min(1, ".repeat(65), ")".repeat(65)));
        assert!(m.contains("nested more than 64 levels"), "{m}");
        let long = format!("plan{}", " ".repeat(parse::MAX_LEN));
        let (at, m) = refused_at(&long);
        assert_eq!(at, 0);
        assert!(m.contains("longer than 10000 characters (10004)"), "{m}");
        // The quoted text is cut.
        assert!(m.len() < 200, "{m}");
        // Characters, not bytes: 9,999 two-byte letters in a string are one under the bound.
        let ok_len = format!("pace == \"{}\"", "đ".repeat(parse::MAX_LEN - 11));
        assert!(refused_at(&ok_len).1.contains("unknown pace class"));
    }

    #[test]
    fn offsets_map_through_toml_strings() {
        let file = "a = \"x + \\\"l\\\" + y\"\nb = 'x + y'\nc = \"\"\"x + y\"\"\"\nd = \"\\u00e9 + y\"\n";
        // a: the value is `x + "l" + y`; `y` is byte 10 of it, byte 14 of the file's string after `"`.
        let a = file.find('"').unwrap_or(0);
        assert_eq!(offset_in_toml(file, a, "x + \"l\" + y", 10), a + 13);
        assert_eq!(&file[a + 13..a + 14], "y");
        let b = file.find('\'').unwrap_or(0);
        assert_eq!(offset_in_toml(file, b, "x + y", 4), b + 5);
        let c = file.find("\"\"\"").unwrap_or(0);
        assert_eq!(offset_in_toml(file, c, "x + y", 4), c);
        let d = file.rfind("\"\\u").unwrap_or(0);
        assert_eq!(offset_in_toml(file, d, "é + y", 5), d);
        assert_eq!(offset_in_toml(file, file.len() + 5, "x", 0), file.len() + 5);
    }

    #[test]
    fn too_many_names_are_told_apart_from_a_taken_name() {
        let mut s = Scope::default();
        for i in 0..Scope::MAX_NAMES {
            assert!(s.add(&format!("n{i}"), Ty::Num).is_some());
        }
        assert!(!s.is_full());
        assert_eq!(s.add("n0", Ty::Num), None);
        assert!(!s.is_full());
        assert_eq!(s.add("more", Ty::Num), None);
        assert!(s.is_full());
        assert!(Scope::full_message().en.contains("too many names (at most 65,535"));
    }

    proptest::proptest! {
        /// Any text is compiled or refused, never a panic, and a refusal points inside the text.
        #[test]
        fn any_text_compiles_or_is_refused(text in "[ -~đ]{0,120}") {
            if let Err(e) = compile(&text, &scope()) {
                proptest::prop_assert!(e.at <= text.len(), "{text}: {e:?}");
            }
        }

        /// Token soup: what compiles evaluates the same as a tree and as code.
        #[test]
        fn token_soup_compiles_or_is_refused(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "plan", "locked", "status", "pace", "obstacles", "1", "0", "2.5", "1e-3", "true",
                    "\"land\"", "\"slow\"", "\"completed\"", "+", "-", "*", "/", "%", "^", "<", "<=",
                    "==", "!=", "&&", "||", "!", "(", ")", ",", "min(", "if(", "has_obstacle(", "ratio(",
                    " ",
                ]),
                0..40,
            ),
            plan in -1e6f64..1e6,
        ) {
            let text = parts.concat();
            if let Ok(c) = compile(&text, &scope()) {
                let slots = [plan, 0.0, 2.0, 5.0, 1.0];
                proptest::prop_assert_eq!(c.expr.eval(&slots).to_bits(), c.code.eval(&slots).to_bits(), "{}", text);
            }
        }
    }
}
