//! The evalexpr-based compiler this parser replaced, kept only for the differential test.

use evalexpr::{DefaultNumericTypes, Node, Operator, Value};

use super::{Arith, Cmp, Code, CodeKind, Compiled, Expr, STACK, Scope, Ty, Typed, b2f};
use crate::domain::{Obstacle, ProjectGroup, Source, Status};

/// Compiles `text` in `scope`; the error is a sentence without location.
pub(crate) fn compile_old(text: &str, scope: &Scope) -> Result<Compiled, String> {
    let node = evalexpr::build_operator_tree::<DefaultNumericTypes>(text)
        .map_err(|e| format!("cannot parse `{text}`: {}", lower_first(&e.to_string())))?;
    let mut c = Compiler { scope, reads: Vec::new(), obstacles: Vec::new() };
    let t = c.node(&node)?;
    let ty = match t {
        Typed::Val(_, ty) => ty,
        Typed::Str(s) => return Err(format!("the expression is only the string \"{s}\"")),
    };
    let expr = match t {
        Typed::Val(e, _) => e,
        Typed::Str(_) => Expr::Const(0.0),
    };
    let code = Code::new(&expr)
        .ok_or_else(|| format!("`{text}` is nested too deeply (more than {STACK} levels)"))?;
    Ok(Compiled { text: text.to_owned(), expr, code, ty, reads: c.reads, obstacles: c.obstacles })
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect::<String>().trim_end_matches('.').to_owned(),
        None => String::new(),
    }
}

struct Compiler<'a> {
    scope: &'a Scope,
    reads: Vec<u16>,
    obstacles: Vec<Obstacle>,
}

type N = Node<DefaultNumericTypes>;

impl Compiler<'_> {
    fn node(&mut self, n: &N) -> Result<Typed, String> {
        let kids = n.children();
        let arity = |want: usize| -> Result<(), String> {
            if kids.len() == want {
                Ok(())
            } else {
                Err(format!("operator `{}` needs {want} operand(s), found {}", n.operator(), kids.len()))
            }
        };
        let t = match n.operator() {
            Operator::RootNode => match kids {
                [one] => return self.node(one),
                [] => return Err("empty expression".into()),
                _ => return Err("several expressions where one was expected".into()),
            },
            Operator::Const { value } => match value {
                Value::Int(i) => Typed::Val(Expr::Const(*i as f64), Ty::Num),
                Value::Float(f) => Typed::Val(Expr::Const(*f), Ty::Num),
                Value::Boolean(b) => Typed::Val(Expr::Const(b2f(*b)), Ty::Bool),
                Value::String(s) => Typed::Str(s.clone()),
                Value::Tuple(_) | Value::Empty => {
                    return Err("tuples and empty values are not allowed".into());
                }
            },
            Operator::VariableIdentifierRead { identifier } => {
                let Some(slot) = self.scope.get(identifier) else {
                    return Err(format!(
                        "unknown name `{identifier}` (not a row field, parameter or metric computed before this rule)"
                    ));
                };
                let ty = self.scope.slots[usize::from(slot)].ty;
                if ty == Ty::Bits {
                    return Err(format!("`{identifier}` can only be read with has_obstacle(\"code\")"));
                }
                if !self.reads.contains(&slot) {
                    self.reads.push(slot);
                }
                Typed::Val(Expr::Slot(slot), ty)
            }
            Operator::Neg => {
                arity(1)?;
                let a = self.num(&kids[0], "-")?;
                Typed::Val(Expr::Neg(Box::new(a)), Ty::Num)
            }
            Operator::Not => {
                arity(1)?;
                let a = self.boolean(&kids[0], "!")?;
                Typed::Val(Expr::Not(Box::new(a)), Ty::Bool)
            }
            op @ (Operator::Add
            | Operator::Sub
            | Operator::Mul
            | Operator::Div
            | Operator::Mod
            | Operator::Exp) => {
                arity(2)?;
                let sym = op.to_string();
                let a = self.num(&kids[0], &sym)?;
                let b = self.num(&kids[1], &sym)?;
                let k = match op {
                    Operator::Add => Arith::Add,
                    Operator::Sub => Arith::Sub,
                    Operator::Mul => Arith::Mul,
                    Operator::Div => Arith::Div,
                    Operator::Mod => Arith::Rem,
                    _ => Arith::Pow,
                };
                Typed::Val(Expr::Arith(k, Box::new(a), Box::new(b)), Ty::Num)
            }
            op @ (Operator::Lt | Operator::Leq | Operator::Gt | Operator::Geq) => {
                arity(2)?;
                let sym = op.to_string();
                let a = self.num(&kids[0], &sym)?;
                let b = self.num(&kids[1], &sym)?;
                let k = match op {
                    Operator::Lt => Cmp::Lt,
                    Operator::Leq => Cmp::Le,
                    Operator::Gt => Cmp::Gt,
                    _ => Cmp::Ge,
                };
                Typed::Val(Expr::Cmp(k, Box::new(a), Box::new(b)), Ty::Bool)
            }
            op @ (Operator::Eq | Operator::Neq) => {
                arity(2)?;
                let k = if matches!(op, Operator::Eq) { Cmp::Eq } else { Cmp::Ne };
                let a = self.node(&kids[0])?;
                let b = self.node(&kids[1])?;
                let (a, b) = match (a, b) {
                    (Typed::Val(a, ta), Typed::Val(b, tb)) => {
                        if ta != tb {
                            return Err(format!("`{op}` compares {} with {}", ta.describe(), tb.describe()));
                        }
                        (a, b)
                    }
                    (Typed::Val(a, ta), Typed::Str(s)) | (Typed::Str(s), Typed::Val(a, ta)) => {
                        (a, Expr::Const(self.code(ta, &s)?))
                    }
                    (Typed::Str(x), Typed::Str(y)) => {
                        return Err(format!("`{op}` compares two strings (\"{x}\" and \"{y}\")"));
                    }
                };
                Typed::Val(Expr::Cmp(k, Box::new(a), Box::new(b)), Ty::Bool)
            }
            op @ (Operator::And | Operator::Or) => {
                arity(2)?;
                let sym = op.to_string();
                let a = Box::new(self.boolean(&kids[0], &sym)?);
                let b = Box::new(self.boolean(&kids[1], &sym)?);
                let e = if matches!(op, Operator::And) { Expr::And(a, b) } else { Expr::Or(a, b) };
                Typed::Val(e, Ty::Bool)
            }
            Operator::FunctionIdentifier { identifier } => self.call(identifier, n)?,
            Operator::Tuple => return Err("a tuple (a, b) is only allowed as function arguments".into()),
            Operator::Chain => return Err("`;` chains are not allowed: write one expression".into()),
            Operator::VariableIdentifierWrite { identifier } => {
                return Err(format!("assignment to `{identifier}` is not allowed: rules only read"));
            }
            other => return Err(format!("operator `{other}` is not allowed: rules only read")),
        };
        Ok(fold(t))
    }

    fn code(&self, ty: Ty, s: &str) -> Result<f64, String> {
        let idx = match ty {
            Ty::Code(CodeKind::Source) => s.parse::<Source>().map(Source::index).map_err(|e| e.to_string()),
            Ty::Code(CodeKind::Group) => {
                s.parse::<ProjectGroup>().map(ProjectGroup::index).map_err(|e| e.to_string())
            }
            Ty::Code(CodeKind::Status) => s.parse::<Status>().map(Status::index).map_err(|e| e.to_string()),
            Ty::Code(CodeKind::Pace) => self.scope.paces.iter().position(|p| p == s).ok_or_else(|| {
                format!("unknown pace class `{s}`, expected one of: {}", self.scope.paces.join(", "))
            }),
            other => return Err(format!("the string \"{s}\" is compared with {}", other.describe())),
        }?;
        Ok(idx as f64)
    }

    fn num(&mut self, n: &N, op: &str) -> Result<Expr, String> {
        self.want(n, Ty::Num, op)
    }

    fn boolean(&mut self, n: &N, op: &str) -> Result<Expr, String> {
        self.want(n, Ty::Bool, op)
    }

    fn want(&mut self, n: &N, want: Ty, op: &str) -> Result<Expr, String> {
        match self.node(n)? {
            Typed::Val(e, ty) if ty == want => Ok(e),
            Typed::Val(_, ty) => {
                Err(format!("`{op}` expects {}, found {} in `{n}`", want.describe(), ty.describe()))
            }
            Typed::Str(s) => Err(format!("`{op}` expects {}, found the string \"{s}\"", want.describe())),
        }
    }

    fn call(&mut self, name: &str, n: &N) -> Result<Typed, String> {
        let args = call_args(n);
        let count = |want: usize| -> Result<(), String> {
            if args.len() == want {
                Ok(())
            } else {
                Err(format!("`{name}` takes {want} argument(s), found {}", args.len()))
            }
        };
        Ok(match name {
            "min" | "max" => {
                if args.len() < 2 {
                    return Err(format!("`{name}` takes 2 or more arguments, found {}", args.len()));
                }
                let v = args.iter().map(|a| self.num(a, name)).collect::<Result<Vec<_>, _>>()?;
                Typed::Val(if name == "min" { Expr::Min(v) } else { Expr::Max(v) }, Ty::Num)
            }
            "abs" => {
                count(1)?;
                Typed::Val(Expr::Abs(Box::new(self.num(args[0], name)?)), Ty::Num)
            }
            "ratio" => {
                count(2)?;
                let a = self.num(args[0], name)?;
                let b = self.num(args[1], name)?;
                Typed::Val(Expr::Ratio(Box::new(a), Box::new(b)), Ty::Num)
            }
            "clamp" => {
                count(3)?;
                let x = self.num(args[0], name)?;
                let lo = self.num(args[1], name)?;
                let hi = self.num(args[2], name)?;
                Typed::Val(Expr::Clamp(Box::new(x), Box::new(lo), Box::new(hi)), Ty::Num)
            }
            "if" => {
                count(3)?;
                let c = self.boolean(args[0], name)?;
                let (a, ta) = match self.node(args[1])? {
                    Typed::Val(e, t) => (e, t),
                    Typed::Str(s) => return Err(format!("`if` cannot return the string \"{s}\"")),
                };
                let b = self
                    .want(args[2], ta, name)
                    .map_err(|e| format!("both branches of `if` must agree: {e}"))?;
                Typed::Val(Expr::If(Box::new(c), Box::new(a), Box::new(b)), ta)
            }
            "has_obstacle" => {
                count(1)?;
                let Some(bits) = self.scope.get("obstacles") else {
                    return Err("`has_obstacle` is not available here".into());
                };
                let code = match self.node(args[0])? {
                    Typed::Str(s) => s,
                    Typed::Val(..) => {
                        return Err("`has_obstacle` takes an obstacle code such as \"land\"".into());
                    }
                };
                let o = code.parse::<Obstacle>().map_err(|e| e.to_string())?;
                if !self.obstacles.contains(&o) {
                    self.obstacles.push(o);
                }
                if !self.reads.contains(&bits) {
                    self.reads.push(bits);
                }
                Typed::Val(Expr::HasObstacle { bits, obstacle: o.index() as u8 }, Ty::Bool)
            }
            other => {
                return Err(format!(
                    "unknown function `{other}`, expected one of: min, max, abs, ratio, clamp, if, has_obstacle"
                ));
            }
        })
    }
}

/// The argument nodes of a function call: `f(a, b)` is a root node holding a tuple.
fn call_args(n: &N) -> Vec<&N> {
    let Some(mut arg) = n.children().first() else { return Vec::new() };
    loop {
        match (arg.operator(), arg.children()) {
            (Operator::RootNode, [one]) => arg = one,
            (Operator::RootNode, []) => return Vec::new(),
            (Operator::Tuple, kids) => return kids.iter().collect(),
            _ => return vec![arg],
        }
    }
}

fn fold(t: Typed) -> Typed {
    match t {
        Typed::Val(e, ty) if !matches!(e, Expr::Const(_)) && e.is_const() => {
            Typed::Val(Expr::Const(e.eval(&[])), ty)
        }
        other => other,
    }
}
