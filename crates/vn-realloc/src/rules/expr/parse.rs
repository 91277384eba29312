//! The syntax of rule expressions: a lexer and a precedence-climbing parser that turn the text into a
//! tree with byte spans, in time linear in the text and with bounded recursion.
//!
//! The language is the one the rules files have always used (it was first read by evalexpr 13, whose
//! precedence and associativity it keeps, so every rules file parses to the same tree):
//!
//! | precedence | operators | associativity |
//! | --- | --- | --- |
//! | 120 | `^` | left: `2 ^ 3 ^ 2` is `(2 ^ 3) ^ 2` |
//! | 110 | prefix `-`, `!` | `-2 ^ 2` is `-(2 ^ 2)`, but `2 ^ -3 ^ 2` is `(2 ^ -3) ^ 2` |
//! | 100 | `*` `/` `%` | left |
//! | 95 | `+` `-` | left: `a - b - c` is `(a - b) - c` |
//! | 80 | `<` `<=` `>` `>=` `==` `!=` | left |
//! | 75 | `&&` | left |
//! | 70 | <code>&#124;&#124;</code> | left |
//!
//! A prefix operator's operand takes every following `^` unless an enclosing `^` is waiting for its right
//! operand (evalexpr's rule: an operator attaches below the first node on the right edge of the tree
//! whose precedence is not lower than its own). Operands are numbers (`12`, `0.25`, `.5`, `1e-3`),
//! `true`, `false`, strings (`"land"`, with `\"` and `\\`), names (`plan`, `groups.land`), calls
//! `name(a, b, ...)` and parentheses.
//!
//! Limits: at most [`MAX_LEN`] characters and [`MAX_DEPTH`] levels, where every operator, call and pair of
//! parentheses around an operand is one level (so a chain `a + b + c + ...` of more than [`MAX_DEPTH`]
//! operators is refused too: the tree would be that deep).

use std::fmt;

use crate::diag::Msg;
use crate::msg;

/// The longest expression accepted, in characters.
pub(crate) const MAX_LEN: usize = 10_000;

/// The deepest expression accepted: operators, calls and parentheses around any operand.
pub(crate) const MAX_DEPTH: u16 = 64;

/// Precedence of the prefix operators `-` and `!`.
const PREFIX: u8 = 110;

/// A parsed expression: what it is, where it is in the text, and where to point at when it is wrong.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Ast {
    /// The node.
    pub(crate) kind: Kind,
    /// Byte range in the text, parentheses around it included.
    pub(crate) start: usize,
    /// End of the byte range (exclusive).
    pub(crate) end: usize,
    /// Byte offset of the token that makes the node: the operator, the function name, the literal.
    pub(crate) at: usize,
    /// Levels below and including this node (a leaf is 0).
    height: u16,
}

/// The nodes of the syntax tree.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Kind {
    /// A number literal.
    Num(f64),
    /// `true` or `false`.
    Bool(bool),
    /// A string literal, escapes resolved.
    Str(String),
    /// A name to read.
    Name(String),
    /// `-a` or `!a`.
    Prefix(Prefix, Box<Ast>),
    /// `a op b`.
    Binary(Binary, Box<Ast>, Box<Ast>),
    /// `name(args)`.
    Call(String, Vec<Ast>),
}

/// Prefix operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Prefix {
    /// `-`.
    Neg,
    /// `!`.
    Not,
}

/// Binary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Binary {
    Pow,
    Mul,
    Div,
    Rem,
    Add,
    Sub,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    And,
    Or,
}

impl Binary {
    /// How tightly it binds (evalexpr's numbers).
    fn precedence(self) -> u8 {
        match self {
            Binary::Pow => 120,
            Binary::Mul | Binary::Div | Binary::Rem => 100,
            Binary::Add | Binary::Sub => 95,
            Binary::Lt | Binary::Le | Binary::Gt | Binary::Ge | Binary::Eq | Binary::Ne => 80,
            Binary::And => 75,
            Binary::Or => 70,
        }
    }

    /// The operator as written.
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            Binary::Pow => "^",
            Binary::Mul => "*",
            Binary::Div => "/",
            Binary::Rem => "%",
            Binary::Add => "+",
            Binary::Sub => "-",
            Binary::Lt => "<",
            Binary::Le => "<=",
            Binary::Gt => ">",
            Binary::Ge => ">=",
            Binary::Eq => "==",
            Binary::Ne => "!=",
            Binary::And => "&&",
            Binary::Or => "||",
        }
    }
}

/// A syntax error: a sentence and the byte offset it points at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    /// Byte offset in the text.
    pub(crate) at: usize,
    /// What is wrong, lowercase, no trailing period, in both languages.
    pub(crate) message: Msg,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message.en)
    }
}

/// Parses one expression.
pub(crate) fn parse(text: &str) -> Result<Ast, SyntaxError> {
    // Bytes first, so that a huge text is not even counted.
    if text.len() > MAX_LEN {
        let chars = text.chars().count();
        if chars > MAX_LEN {
            return Err(SyntaxError {
                at: 0,
                message: msg!(
                    "E980",
                    "the expression is longer than {} characters ({})",
                    "biểu thức dài quá {} ký tự ({})",
                    MAX_LEN,
                    chars
                ),
            });
        }
    }
    let tokens = lex(text)?;
    let mut p = Parser { tokens, pos: 0, depth: 0, last_end: 0, end: text.len() };
    if p.peek() == &Tok::End {
        return Err(SyntaxError {
            at: 0, message: msg!("E981", "empty expression", "biểu thức trống")
        });
    }
    let ast = p.expr(0, 0)?;
    match p.peek() {
        Tok::End => Ok(ast),
        Tok::Close => Err(p.error(msg!("E982", "unmatched `)`", "thừa dấu `)`"))),
        other => Err(p.error(msg!(
            "E983",
            en("expected an operator, found {}", other.describe(false)),
            vi("cần một phép toán, nhưng gặp {}", other.describe(true))
        ))),
    }
}

/// A token.
#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Num(f64),
    Bool(bool),
    Str(String),
    Name(String),
    Op(Binary),
    Not,
    Open,
    Close,
    Comma,
    End,
}

impl Tok {
    /// The token in a message, in Vietnamese when `vi`.
    fn describe(&self, vi: bool) -> String {
        match self {
            Tok::Num(v) if vi => format!("số {v}"),
            Tok::Str(s) if vi => format!("chuỗi \"{s}\""),
            Tok::Name(n) if vi => format!("tên `{n}`"),
            Tok::End if vi => "hết biểu thức".into(),
            Tok::Num(v) => format!("the number {v}"),
            Tok::Bool(b) => format!("`{b}`"),
            Tok::Str(s) => format!("the string \"{s}\""),
            Tok::Name(n) => format!("the name `{n}`"),
            Tok::Op(op) => format!("`{}`", op.symbol()),
            Tok::Not => "`!`".into(),
            Tok::Open => "`(`".into(),
            Tok::Close => "`)`".into(),
            Tok::Comma => "`,`".into(),
            Tok::End => "the end".into(),
        }
    }
}

/// Splits the text into tokens with their byte ranges (the last is `End` at the text's length).
fn lex(text: &str) -> Result<Vec<(Tok, usize, usize)>, SyntaxError> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let err = |at: usize, message: Msg| Err(SyntaxError { at, message });
    while let Some(c) = text.get(i..).and_then(|rest| rest.chars().next()) {
        let start = i;
        let next = bytes.get(i + 1).copied();
        let two = |t: Tok| (t, 2);
        let (tok, len) = match c {
            c if c.is_whitespace() => {
                i += c.len_utf8();
                continue;
            }
            '+' | '-' | '*' | '/' | '%' | '^' if next == Some(b'=') => {
                return err(
                    start,
                    msg!(
                        "E984",
                        "`{}=` is not allowed: rules only read",
                        "không được dùng `{}=`: quy tắc chỉ đọc, không gán",
                        c
                    ),
                );
            }
            '+' => (Tok::Op(Binary::Add), 1),
            '-' => (Tok::Op(Binary::Sub), 1),
            '*' => (Tok::Op(Binary::Mul), 1),
            '/' => (Tok::Op(Binary::Div), 1),
            '%' => (Tok::Op(Binary::Rem), 1),
            '^' => (Tok::Op(Binary::Pow), 1),
            '(' => (Tok::Open, 1),
            ')' => (Tok::Close, 1),
            ',' => (Tok::Comma, 1),
            '<' if next == Some(b'=') => two(Tok::Op(Binary::Le)),
            '<' => (Tok::Op(Binary::Lt), 1),
            '>' if next == Some(b'=') => two(Tok::Op(Binary::Ge)),
            '>' => (Tok::Op(Binary::Gt), 1),
            '=' if next == Some(b'=') => two(Tok::Op(Binary::Eq)),
            '=' => {
                return err(
                    start,
                    msg!(
                        "E985",
                        "assignment `=` is not allowed: rules only read (compare with `==`)",
                        "không được gán bằng `=`: quy tắc chỉ đọc (so sánh bằng `==`)"
                    ),
                );
            }
            '!' if next == Some(b'=') => two(Tok::Op(Binary::Ne)),
            '!' => (Tok::Not, 1),
            '&' if next == Some(b'&') => two(Tok::Op(Binary::And)),
            '|' if next == Some(b'|') => two(Tok::Op(Binary::Or)),
            '&' | '|' => {
                return err(
                    start,
                    msg!(
                        "E986",
                        "`{0}` alone is not an operator (did you mean `{0}{0}`?)",
                        "`{0}` đứng một mình không phải phép toán (có phải ý là `{0}{0}`?)",
                        c
                    ),
                );
            }
            ';' => {
                return err(
                    start,
                    msg!(
                        "E987",
                        "`;` chains are not allowed: write one expression",
                        "không được nối bằng `;`: chỉ viết một biểu thức"
                    ),
                );
            }
            '"' => string(text, start)?,
            c if c.is_ascii_digit() || c == '.' => number(text, start)?,
            c if c.is_alphanumeric() || c == '_' => {
                let len = text[start..]
                    .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
                    .unwrap_or(text.len() - start);
                let word = &text[start..start + len];
                let tok = match word {
                    "true" => Tok::Bool(true),
                    "false" => Tok::Bool(false),
                    _ => Tok::Name(word.to_owned()),
                };
                (tok, len)
            }
            c => return err(start, msg!("E988", "unexpected character `{}`", "ký tự không hợp lệ `{}`", c)),
        };
        out.push((tok, start, start + len));
        i = start + len;
    }
    out.push((Tok::End, text.len(), text.len()));
    Ok(out)
}

/// A string literal starting at the `"` at `start`: its value and its length in bytes.
fn string(text: &str, start: usize) -> Result<(Tok, usize), SyntaxError> {
    let mut value = String::new();
    let mut chars = text[start + 1..].char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((Tok::Str(value), i + 2)),
            '\\' => match chars.next() {
                Some((_, e @ ('"' | '\\'))) => value.push(e),
                Some((_, e)) => {
                    return Err(SyntaxError {
                        at: start + 1 + i,
                        message: msg!(
                            "E989",
                            "unknown escape `\\{}` in a string (only `\\\"` and `\\\\`)",
                            "chuỗi có ký tự thoát không hợp lệ `\\{}` (chỉ dùng `\\\"` và `\\\\`)",
                            e
                        ),
                    });
                }
                None => break,
            },
            c => value.push(c),
        }
    }
    Err(SyntaxError {
        at: start,
        message: msg!("E990", "unclosed string: a `\"` is missing", "chuỗi chưa đóng: thiếu dấu `\"`"),
    })
}

/// A number starting at `start`: digits, a point, more digits, an exponent (`1e-3`, `2.5E+4`).
fn number(text: &str, start: usize) -> Result<(Tok, usize), SyntaxError> {
    let b = text.as_bytes();
    let mut i = start;
    // Everything that could belong to a literal, as evalexpr joined it; a sign only right after an
    // exponent `e` that follows a digit or a point.
    while let Some(&c) = b.get(i) {
        let sign_ok = (c == b'+' || c == b'-')
            && i >= start + 2
            && matches!(b[i - 1], b'e' | b'E')
            && (b[i - 2].is_ascii_digit() || b[i - 2] == b'.')
            && b.get(i + 1).is_some_and(u8::is_ascii_digit);
        if c.is_ascii_alphanumeric() || c == b'_' || c == b'.' || sign_ok {
            i += 1;
        } else {
            break;
        }
    }
    // Rust's reading of a decimal number (`inf` and `NaN` cannot start with a digit or a point).
    let word = &text[start..i];
    match word.parse::<f64>() {
        Ok(v) => Ok((Tok::Num(v), i - start)),
        Err(_) => Err(SyntaxError {
            at: start,
            message: msg!("E991", "`{}` is not a number", "`{}` không phải là số", word),
        }),
    }
}

struct Parser {
    /// Tokens with their byte ranges.
    tokens: Vec<(Tok, usize, usize)>,
    pos: usize,
    /// Expressions being parsed, one inside the other.
    depth: u16,
    /// End of the last token consumed.
    last_end: usize,
    /// Length of the text.
    end: usize,
}

impl Parser {
    fn peek(&self) -> &Tok {
        self.tokens.get(self.pos).map_or(&Tok::End, |t| &t.0)
    }

    fn offset(&self) -> usize {
        self.tokens.get(self.pos).map_or(self.end, |t| t.1)
    }

    /// Consumes a token: it and its byte offset.
    fn bump(&mut self) -> (Tok, usize) {
        let (tok, at, end) = self.tokens.get(self.pos).cloned().unwrap_or((Tok::End, self.end, self.end));
        self.pos += 1;
        self.last_end = end;
        (tok, at)
    }

    fn error(&self, message: Msg) -> SyntaxError {
        SyntaxError { at: self.offset(), message }
    }

    fn too_deep(at: usize) -> SyntaxError {
        SyntaxError {
            at,
            message: msg!(
                "E992",
                "the expression is nested more than {} levels (each operator, call and pair of parentheses is one); split it into metrics",
                "biểu thức lồng quá {} tầng (mỗi phép toán, lời gọi hàm, cặp ngoặc là một tầng); hãy tách thành các chỉ số",
                MAX_DEPTH
            ),
        }
    }

    /// The height of a node over `kids`: one level above the highest of them, at most [`MAX_DEPTH`].
    fn height(kids: &[Ast], at: usize) -> Result<u16, SyntaxError> {
        let height = kids.iter().map(|k| k.height).max().unwrap_or(0) + 1;
        if height > MAX_DEPTH { Err(Parser::too_deep(at)) } else { Ok(height) }
    }

    /// An expression whose binary operators bind at least as tightly as `min`, opened by the token at
    /// `from` (an operator, a `(` or a function name: where a message about depth points).
    fn expr(&mut self, min: u8, from: usize) -> Result<Ast, SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH + 1 {
            return Err(Parser::too_deep(from));
        }
        let mut lhs = self.prefix(min)?;
        while let Tok::Op(op) = *self.peek() {
            let prec = op.precedence();
            if prec < min {
                break;
            }
            let (_, at) = self.bump();
            let rhs = self.expr(prec + 1, at)?;
            let (start, end) = (lhs.start, rhs.end);
            let kids = [lhs, rhs];
            let height = Parser::height(&kids, at)?;
            let [a, b] = kids;
            lhs = Ast { kind: Kind::Binary(op, Box::new(a), Box::new(b)), start, end, at, height };
        }
        self.depth -= 1;
        Ok(lhs)
    }

    /// A prefix operator and its operand, or a primary. Within an operand of precedence `min`, a prefix
    /// operator's own operand takes the binary operators that bind more tightly than both.
    fn prefix(&mut self, min: u8) -> Result<Ast, SyntaxError> {
        let op = match self.peek() {
            Tok::Op(Binary::Sub) => Prefix::Neg,
            Tok::Not => Prefix::Not,
            _ => return self.primary(),
        };
        let (_, at) = self.bump();
        let a = self.expr(min.max(PREFIX + 1), at)?;
        let height = Parser::height(std::slice::from_ref(&a), at)?;
        let end = a.end;
        Ok(Ast { kind: Kind::Prefix(op, Box::new(a)), start: at, end, at, height })
    }

    fn primary(&mut self) -> Result<Ast, SyntaxError> {
        let (tok, at) = self.bump();
        let end = self.last_end;
        let leaf = |kind| Ast { kind, start: at, end, at, height: 0 };
        match tok {
            Tok::Num(v) => Ok(leaf(Kind::Num(v))),
            Tok::Bool(b) => Ok(leaf(Kind::Bool(b))),
            Tok::Str(s) => Ok(leaf(Kind::Str(s))),
            Tok::Name(name) if self.peek() == &Tok::Open => self.call(name, at),
            Tok::Name(name) => Ok(leaf(Kind::Name(name))),
            Tok::Open => {
                let mut inner = self.expr(0, at)?;
                self.close(at)?;
                inner.height += 1;
                if inner.height > MAX_DEPTH {
                    return Err(Parser::too_deep(at));
                }
                inner.start = at;
                inner.end = self.last_end;
                Ok(inner)
            }
            other => {
                self.pos -= 1;
                Err(match other {
                    Tok::End => self.error(msg!(
                        "E993",
                        "the expression ends where an operand was expected",
                        "biểu thức kết thúc ở chỗ còn thiếu một toán hạng"
                    )),
                    other => self.error(msg!(
                        "E994",
                        en(
                            "expected a number, a name, a string, `(`, `-` or `!`, found {}",
                            other.describe(false)
                        ),
                        vi(
                            "cần một số, một tên, một chuỗi, `(`, `-` hoặc `!`, nhưng gặp {}",
                            other.describe(true)
                        )
                    )),
                })
            }
        }
    }

    /// Expects the `)` closing the `(` at `open`.
    fn close(&mut self, open: usize) -> Result<(), SyntaxError> {
        match self.peek() {
            Tok::Close => {
                self.bump();
                Ok(())
            }
            Tok::End => Err(SyntaxError {
                at: open,
                message: msg!("E995", "unclosed `(`: a `)` is missing", "ngoặc `(` chưa đóng: thiếu `)`"),
            }),
            other => Err(self.error(msg!(
                "E996",
                en("expected `,` or `)`, found {}", other.describe(false)),
                vi("cần `,` hoặc `)`, nhưng gặp {}", other.describe(true))
            ))),
        }
    }

    /// `name(args)`, the name already read at `at`.
    fn call(&mut self, name: String, at: usize) -> Result<Ast, SyntaxError> {
        let (_, open) = self.bump();
        let mut args = Vec::new();
        if self.peek() == &Tok::Close {
            self.bump();
        } else {
            loop {
                args.push(self.expr(0, at)?);
                if self.peek() == &Tok::Comma {
                    self.bump();
                    continue;
                }
                self.close(open)?;
                break;
            }
        }
        let height = Parser::height(&args, at)?;
        Ok(Ast { kind: Kind::Call(name, args), start: at, end: self.last_end, at, height })
    }
}
