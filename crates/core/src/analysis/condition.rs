//! The condition language of analysis metrics (`successCondition`, `failureCondition`), judged the way
//! upstream judges it with Go's expr-lang/expr (`utils/evaluate/evaluate.go`).
//!
//! The environment holds `result` (the provider's value, `nil` when there is none) and six helpers:
//! `asInt` and `asFloat` (numbers or numeric strings), `isNaN`, `isInf`, and `isNil` / `default`, which
//! look at `result` whatever argument they are given. Every builtin of the language is there too. The
//! expression must produce a bool.
//!
//! Go's expr compiles an expression against the *typed* environment before it runs it, so some
//! expressions fail without running (`asFloat(result) == "1.1"`, or an unknown name in a branch that
//! would never be taken), and its runtime has its own rules (`==` across int and float, errors for
//! indexes out of range, `&&` on a non-bool). The `expr-lang` crate has no such compile step and differs
//! in places (its `matches` also needs a feature this build leaves out). So a condition goes through
//! three steps here:
//!
//! 1. *parse*: a parser for Go expr's grammar, with its precedences and quirks (chained comparisons,
//!    `not in` / `not matches`, predicates with `#` and `.field`, `?.`, `??`, `let`, `if`/`else`);
//! 2. *check*: the compile-time checks Go makes against the environment, with Go's messages;
//! 3. *run*: the tree is printed back as an `expr-lang` program in which every operator, member access
//!    and truth test is a call to a helper registered on the crate's `Environment` that follows Go's
//!    runtime (values and error texts). The crate runs that program: control flow, closures, builtins.
//!
//! Known differences from upstream, none of which changes the verdict of a sensible condition:
//! - A list result is typed as Go's `[]interface {}` (what the web provider produces). Prometheus hands
//!   upstream a `[]float64`, for which Go's compiler also rejects misuses of one element
//!   (`result[0] == "x"`); here those are judged at run time (`false`) instead.
//! - Messages of a few run-time failures inside builtins, and of regular-expression syntax errors, are
//!   the crate's or the `regex` crate's rather than Go's. `\d`, `\w`, `\s` and `\b` are ASCII, as in Go.
//! - `toJSON`, `fromJSON`, `toBase64`, `fromBase64` and the time builtins (`now`, `date`, `duration`,
//!   `timezone`) report that they are unavailable.
//! - Of Go's optimizer only the rewrites that change results are mirrored (folding constants, string
//!   sets for `in`, `count(..) > 0` as `any`). The others only reorder work: they can change which of two
//!   errors is reported, or spare an error (`sum(1..2000000)` is computed by formula upstream, and exceeds
//!   the memory budget here). Go's memory budget is applied to each range (`a..b`) on its own.
//! - A byte escape above `\x7f` in a string literal becomes the character of that number (Go keeps the
//!   raw byte), and `asInt` of NaN or of an out-of-range float gives the minimum int64 (amd64's result).
//! - Expressions nested more than a few hundred levels deep are refused (Go has no such limit).

use std::fmt::Write as _;

use expr::{Context, Environment, Value};
use rollouts_api::analysis_run::AnalysisPhase;

use super::value::MetricValue;

// ------------------------------------------------------------------------------------------------
// Public API
// ------------------------------------------------------------------------------------------------

/// Why a condition could not be evaluated (becomes a measurement in phase Error).
///
/// The text is what upstream's evaluator reports (`unknown name foo`,
/// `invalid operation: == (mismatched types float64 and string)`, `expected bool, but got float64`, ...).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConditionError {
    /// The expression does not compile: a syntax error, or a type error Go's compiler finds before the
    /// expression runs.
    #[error("{0}")]
    Compile(String),
    /// The expression failed while running.
    #[error("{0}")]
    Runtime(String),
    /// The expression ran but did not produce a bool; holds the Go name of the type it produced.
    #[error("expected bool, but got {0}")]
    NotBool(String),
}

/// Evaluates one condition against `result`; the expression must produce a bool.
pub fn evaluate(expression: &str, result: &MetricValue) -> Result<bool, ConditionError> {
    // Parsing, checking and printing recurse over the tree, and the crate's parser and evaluator
    // recurse over the printed program: give them a stack of their own, whatever the caller's is.
    std::thread::scope(|scope| {
        let spawned = std::thread::Builder::new()
            .stack_size(EVALUATION_STACK)
            .spawn_scoped(scope, || evaluate_here(expression, result));
        match spawned {
            Ok(handle) => handle.join().unwrap_or_else(|_| {
                Err(ConditionError::Runtime(
                    "internal error while evaluating the expression".to_string(),
                ))
            }),
            Err(e) => Err(ConditionError::Runtime(format!(
                "could not start evaluating the expression: {e}"
            ))),
        }
    })
}

/// Upstream `EvaluateResult`: the measurement phase from the metric's successCondition and
/// failureCondition (empty string = not set).
///
/// `Err` is the measurement's Error message: `could not evaluate successCondition "<expr>": <err>`, or,
/// when `result` is nil or an empty list, `could not evaluate successCondition "<expr>": metric result is
/// nil or empty: no data returned from the metric provider`. The success condition is evaluated first.
pub fn evaluate_result(
    result: &MetricValue,
    success_condition: &str,
    failure_condition: &str,
) -> Result<AnalysisPhase, String> {
    let mut success = false;
    let mut failure = false;
    if !success_condition.is_empty() {
        success = evaluate(success_condition, result)
            .map_err(|e| evaluation_message(&e, "successCondition", success_condition, result))?;
    }
    if !failure_condition.is_empty() {
        failure = evaluate(failure_condition, result)
            .map_err(|e| evaluation_message(&e, "failureCondition", failure_condition, result))?;
    }
    match (success_condition.is_empty(), failure_condition.is_empty()) {
        // Neither condition: successful unless something failed above.
        (true, true) => return Ok(AnalysisPhase::Successful),
        // Only a success condition: a measurement that does not meet it failed.
        (false, true) => failure = !success,
        // Only a failure condition: a measurement that does not meet it succeeded.
        (true, false) => success = !failure,
        (false, false) => {}
    }
    Ok(if failure {
        AnalysisPhase::Failed
    } else if !success {
        AnalysisPhase::Inconclusive
    } else {
        AnalysisPhase::Successful
    })
}

/// The message of a failed evaluation; a result without data explains itself instead of the error.
fn evaluation_message(error: &ConditionError, which: &str, expression: &str, result: &MetricValue) -> String {
    if result.is_empty() {
        format!(
            "could not evaluate {which} \"{expression}\": metric result is nil or empty: no data returned from \
             the metric provider"
        )
    } else {
        format!("could not evaluate {which} \"{expression}\": {error}")
    }
}

/// Stack of the thread an evaluation runs on. Only the pages used are ever touched.
const EVALUATION_STACK: usize = 32 << 20;
/// Go's limit on the nodes of one expression (`conf.DefaultMaxNodes`).
const MAX_NODES: usize = 10_000;
/// How deeply expressions may nest (ours; see the module documentation).
const MAX_DEPTH: usize = 400;
/// Go's memory budget, which bounds ranges such as `1..n` (`conf.DefaultMemoryBudget`).
const MEMORY_BUDGET: i64 = 1_000_000;

/// The three steps, on the current thread.
fn evaluate_here(expression: &str, result: &MetricValue) -> Result<bool, ConditionError> {
    let tree = parse(expression).map_err(ConditionError::Compile)?;
    let result_type = Ty::of_result(result);
    let output_type = Checker::new(&result_type)
        .visit(&tree)
        .map_err(ConditionError::Compile)?;
    let mut tree = tree;
    optimize(&mut tree).map_err(ConditionError::Compile)?;

    let mut printer = Printer::default();
    let source = printer.print(&tree);
    let program = expr::compile(&source).map_err(|e| {
        let detail = e.to_string();
        let last = detail.lines().last().unwrap_or_default().trim().to_string();
        ConditionError::Runtime(format!(
            "internal error: the expression could not be translated ({last})"
        ))
    })?;

    let value = to_expr_value(result);
    let mut context = Context::default();
    context.insert("result", value.clone());
    context.insert("__env", Value::from_iter([("result", value.clone())]));
    for (name, literal) in printer.literals {
        context.insert(name, literal);
    }
    match environment(value).run(&program, &context) {
        Ok(Value::Bool(b)) => Ok(b),
        Ok(other) => Err(ConditionError::NotBool(output_type.runtime_name(&other))),
        Err(e) => Err(ConditionError::Runtime(e.to_string())),
    }
}

/// `result` as the crate's value: Go's JSON gives float64 for every number, NaN and ±Inf included.
fn to_expr_value(value: &MetricValue) -> Value {
    match value {
        MetricValue::Null => Value::Nil,
        MetricValue::Bool(b) => Value::Bool(*b),
        MetricValue::Number(n) => Value::Float(*n),
        MetricValue::String(s) => Value::String(s.clone()),
        MetricValue::Array(items) => Value::Array(items.iter().map(to_expr_value).collect()),
        MetricValue::Object(map) => map.iter().map(|(k, v)| (k.clone(), to_expr_value(v))).collect(),
    }
}

// ------------------------------------------------------------------------------------------------
// Lexer (Go expr's `parser/lexer`)
// ------------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Identifier,
    Number,
    String,
    Bytes,
    Operator,
    Bracket,
    Eof,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Identifier => "Identifier",
            Kind::Number => "Number",
            Kind::String => "String",
            Kind::Bytes => "Bytes",
            Kind::Operator => "Operator",
            Kind::Bracket => "Bracket",
            Kind::Eof => "EOF",
        }
    }
}

#[derive(Debug, Clone)]
struct Token {
    kind: Kind,
    /// The text (for strings: the unescaped value).
    value: String,
    /// The value of a bytes literal.
    bytes: Vec<u8>,
}

impl Token {
    fn new(kind: Kind, value: impl Into<String>) -> Self {
        Token {
            kind,
            value: value.into(),
            bytes: Vec::new(),
        }
    }

    fn is(&self, kind: Kind, value: &str) -> bool {
        self.kind == kind && self.value == value
    }

    /// As Go prints a token in "unexpected token" messages: `Operator("==")`, `EOF`.
    fn describe(&self) -> String {
        if self.value.is_empty() {
            self.kind.name().to_string()
        } else {
            format!("{}({})", self.kind.name(), go_quote(&self.value))
        }
    }
}

/// Go's `utils.IsAlphaNumeric`: letters, digits, `_` and `$`.
fn is_alphanumeric(c: char) -> bool {
    c == '_' || c == '$' || c.is_alphabetic() || c.is_numeric()
}

fn is_valid_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c == '_' || c == '$' || c.is_alphabetic()) && chars.all(is_alphanumeric)
}

/// Words the lexer reads as operators.
fn is_keyword(word: &str) -> bool {
    matches!(
        word,
        "not" | "in" | "or" | "and" | "matches" | "contains" | "startsWith" | "endsWith" | "let" | "if" | "else"
    )
}

/// The tokens of `source`, up to the first lexing error (then returned too). Go lexes lazily, so the
/// parser only reports that error when it reaches it.
fn lex(source: &str) -> (Vec<Token>, Option<String>) {
    let mut lexer = Lexer {
        chars: source.chars().collect(),
        pos: 0,
        tokens: Vec::new(),
    };
    let error = lexer.run().err();
    (lexer.tokens, error)
}

struct Lexer {
    chars: Vec<char>,
    pos: usize,
    tokens: Vec<Token>,
}

impl Lexer {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn accept(&mut self, valid: &str) -> bool {
        match self.peek() {
            Some(c) if valid.contains(c) => {
                self.pos += 1;
                true
            }
            _ => false,
        }
    }

    fn accept_run(&mut self, valid: &str) {
        while self.accept(valid) {}
    }

    fn word(&self, start: usize) -> String {
        self.chars
            .get(start..self.pos)
            .map(|w| w.iter().collect())
            .unwrap_or_default()
    }

    fn emit(&mut self, kind: Kind, start: usize) {
        let word = self.word(start);
        self.tokens.push(Token::new(kind, word));
    }

    fn run(&mut self) -> Result<(), String> {
        loop {
            let start = self.pos;
            let Some(c) = self.peek() else {
                self.tokens.push(Token::new(Kind::Eof, ""));
                return Ok(());
            };
            self.pos += 1;
            match c {
                c if c.is_whitespace() => {}
                '\'' | '"' => {
                    let raw = self.scan_quoted(c)?;
                    let value = unescape(&raw)?.into_iter().collect::<String>();
                    self.tokens.push(Token::new(Kind::String, value));
                }
                '`' => {
                    let value = self.scan_raw()?;
                    self.tokens.push(Token::new(Kind::String, value));
                }
                'b' | 'B' if matches!(self.peek(), Some('\'' | '"')) => {
                    let quote = self.peek().unwrap_or('"');
                    self.pos += 1;
                    let raw = self.scan_quoted(quote)?;
                    let bytes = unescape_bytes(&raw)?;
                    let mut token = Token::new(Kind::Bytes, String::from_utf8_lossy(&bytes));
                    token.bytes = bytes;
                    self.tokens.push(token);
                }
                '0'..='9' => {
                    self.pos = start;
                    self.scan_number(start)?;
                    self.emit(Kind::Number, start);
                }
                '?' => {
                    self.accept(".?");
                    self.emit(Kind::Operator, start);
                }
                '/' => {
                    if self.accept("/") {
                        while let Some(c) = self.peek() {
                            self.pos += 1;
                            if c == '\n' {
                                break;
                            }
                        }
                    } else if self.accept("*") {
                        loop {
                            match self.peek() {
                                None => return Err("unclosed comment".to_string()),
                                Some('*') => {
                                    self.pos += 1;
                                    if self.accept("/") {
                                        break;
                                    }
                                }
                                Some(_) => self.pos += 1,
                            }
                        }
                    } else {
                        self.emit(Kind::Operator, start);
                    }
                }
                '#' => {
                    self.accept("#");
                    self.emit(Kind::Operator, start);
                    let name_start = self.pos;
                    while self.peek().is_some_and(is_alphanumeric) {
                        self.pos += 1;
                    }
                    if self.pos > name_start {
                        self.emit(Kind::Identifier, name_start);
                    }
                }
                '|' => {
                    self.accept("|");
                    self.emit(Kind::Operator, start);
                }
                ':' => {
                    self.accept(":");
                    self.emit(Kind::Operator, start);
                }
                '(' | '[' | '{' | ')' | ']' | '}' => self.emit(Kind::Bracket, start),
                ',' | ';' | '%' | '+' | '-' | '^' => self.emit(Kind::Operator, start),
                '&' | '!' | '=' | '*' | '<' | '>' => {
                    self.accept("&=*");
                    self.emit(Kind::Operator, start);
                }
                '.' => {
                    if self.peek().is_some_and(|c| c.is_ascii_digit()) {
                        self.scan_number(start)?;
                        self.emit(Kind::Number, start);
                    } else {
                        self.accept(".");
                        self.emit(Kind::Operator, start);
                    }
                }
                c if is_alphanumeric(c) => {
                    while self.peek().is_some_and(is_alphanumeric) {
                        self.pos += 1;
                    }
                    let word = self.word(start);
                    let kind = if is_keyword(&word) {
                        Kind::Operator
                    } else {
                        Kind::Identifier
                    };
                    self.tokens.push(Token::new(kind, word));
                }
                c => return Err(format!("unrecognized character: U+{:04X} '{c}'", u32::from(c))),
            }
        }
    }

    /// Go's `scanNumber`, from the current position; `start` is where the token began.
    fn scan_number(&mut self, start: usize) -> Result<(), String> {
        let mut digits = "0123456789_";
        if self.accept("0") {
            if self.accept("xX") {
                digits = "0123456789abcdefABCDEF_";
            } else if self.accept("oO") {
                digits = "01234567_";
            } else if self.accept("bB") {
                digits = "01_";
            }
        }
        self.accept_run(digits);
        let end = self.pos;
        if self.accept(".") {
            // `1..2` is a range, not the float `1.`.
            if self.peek() == Some('.') {
                self.pos = end;
                return Ok(());
            }
            self.accept_run(digits);
        }
        if self.accept("eE") {
            self.accept("+-");
            self.accept_run(digits);
        }
        if self.peek().is_some_and(is_alphanumeric) {
            self.pos += 1;
            return Err(format!("bad number syntax: {}", go_quote(&self.word(start))));
        }
        Ok(())
    }

    /// The raw text between quotes (opening quote already consumed), checking escapes as Go's
    /// `scanString` does.
    fn scan_quoted(&mut self, quote: char) -> Result<Vec<char>, String> {
        let start = self.pos;
        loop {
            let Some(c) = self.peek() else {
                return Err("literal not terminated".to_string());
            };
            self.pos += 1;
            if c == quote {
                break;
            }
            match c {
                '\n' => return Err("literal not terminated".to_string()),
                '\\' => self.scan_escape(quote)?,
                _ => {}
            }
        }
        Ok(self
            .chars
            .get(start..self.pos - 1)
            .map(<[char]>::to_vec)
            .unwrap_or_default())
    }

    fn scan_escape(&mut self, quote: char) -> Result<(), String> {
        let invalid = || "invalid char escape".to_string();
        let Some(c) = self.peek() else {
            return Err("literal not terminated".to_string());
        };
        self.pos += 1;
        let (radix, count) = match c {
            'a' | 'b' | 'f' | 'n' | 'r' | 't' | 'v' | '\\' => return Ok(()),
            c if c == quote => return Ok(()),
            '0'..='7' => (8, 2),
            'x' => (16, 2),
            'u' if self.peek() == Some('{') => {
                self.pos += 1;
                let mut n = 0;
                while self.peek() != Some('}') {
                    if !self.peek().is_some_and(|c| c.is_ascii_hexdigit()) || n >= 6 {
                        return Err(invalid());
                    }
                    self.pos += 1;
                    n += 1;
                }
                self.pos += 1;
                return if n == 0 { Err(invalid()) } else { Ok(()) };
            }
            'u' => (16, 4),
            'U' => (16, 8),
            _ => return Err(invalid()),
        };
        for _ in 0..count {
            if !self.peek().is_some_and(|c| c.is_digit(radix)) {
                return Err(invalid());
            }
            self.pos += 1;
        }
        Ok(())
    }

    /// A back-quoted string (opening quote consumed); a doubled back quote stands for one.
    fn scan_raw(&mut self) -> Result<String, String> {
        let mut value = String::new();
        loop {
            match self.peek() {
                None => return Err("literal not terminated".to_string()),
                Some('`') => {
                    self.pos += 1;
                    if self.peek() == Some('`') {
                        self.pos += 1;
                        value.push('`');
                    } else {
                        return Ok(value);
                    }
                }
                Some(c) => {
                    self.pos += 1;
                    value.push(c);
                }
            }
        }
    }
}

/// One unescaped element of a quoted literal: a character, or a byte from `\x..` / octal escapes.
enum Unescaped {
    Char(char),
    Byte(u8),
}

/// Decodes the escapes of a quoted literal (already validated by the lexer), with Go's newline
/// normalisation (`\r\n` and `\r` become `\n`).
fn unescape_parts(raw: &[char]) -> Result<Vec<Unescaped>, String> {
    let bad = || "unable to unescape string".to_string();
    let mut out = Vec::new();
    let mut i = 0;
    let hex = |from: usize, n: usize| -> Result<u32, String> {
        let digits: String = raw.get(from..from + n).ok_or_else(bad)?.iter().collect();
        u32::from_str_radix(&digits, 16).map_err(|_| bad())
    };
    while let Some(&c) = raw.get(i) {
        i += 1;
        if c == '\r' {
            if raw.get(i) == Some(&'\n') {
                i += 1;
            }
            out.push(Unescaped::Char('\n'));
            continue;
        }
        if c != '\\' {
            out.push(Unescaped::Char(c));
            continue;
        }
        let Some(&e) = raw.get(i) else { return Err(bad()) };
        i += 1;
        let simple = match e {
            'a' => Some('\u{7}'),
            'b' => Some('\u{8}'),
            'f' => Some('\u{c}'),
            'n' => Some('\n'),
            'r' => Some('\r'),
            't' => Some('\t'),
            'v' => Some('\u{b}'),
            '\\' | '\'' | '"' | '`' | '?' => Some(e),
            _ => None,
        };
        if let Some(s) = simple {
            out.push(Unescaped::Char(s));
            continue;
        }
        match e {
            '0'..='7' => {
                let digits: String = raw.get(i - 1..i + 2).ok_or_else(bad)?.iter().collect();
                i += 2;
                let v = u32::from_str_radix(&digits, 8).map_err(|_| bad())?;
                out.push(Unescaped::Byte(u8::try_from(v).map_err(|_| bad())?));
            }
            'x' | 'X' => {
                let v = hex(i, 2)?;
                i += 2;
                out.push(Unescaped::Byte(u8::try_from(v).map_err(|_| bad())?));
            }
            'u' if raw.get(i) == Some(&'{') => {
                let close = raw
                    .get(i..)
                    .and_then(|r| r.iter().position(|&c| c == '}'))
                    .ok_or_else(bad)?;
                let v = hex(i + 1, close - 1)?;
                i += close + 1;
                out.push(Unescaped::Char(char::from_u32(v).ok_or_else(bad)?));
            }
            'u' | 'U' => {
                let n = if e == 'u' { 4 } else { 8 };
                let v = hex(i, n)?;
                i += n;
                out.push(Unescaped::Char(char::from_u32(v).ok_or_else(bad)?));
            }
            _ => return Err(bad()),
        }
    }
    Ok(out)
}

/// A string literal's value. A byte escape above 0x7f cannot stand alone in a Rust string; it becomes
/// the character of the same number.
fn unescape(raw: &[char]) -> Result<Vec<char>, String> {
    Ok(unescape_parts(raw)?
        .into_iter()
        .map(|p| match p {
            Unescaped::Char(c) => c,
            Unescaped::Byte(b) => char::from(b),
        })
        .collect())
}

fn unescape_bytes(raw: &[char]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    for part in unescape_parts(raw)? {
        match part {
            Unescaped::Char(c) => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
            Unescaped::Byte(b) => out.push(b),
        }
    }
    Ok(out)
}

// ------------------------------------------------------------------------------------------------
// Syntax tree and parser (Go expr's `parser`)
// ------------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Node {
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Bytes(Vec<u8>),
    Ident(String),
    /// `#` (empty name, also the implicit base of `.field` in a predicate), `#index`, `#acc`.
    Pointer(String),
    Unary(String, Box<Node>),
    Binary(String, Box<Node>, Box<Node>),
    /// `base.name` (`prop` is a string literal), `base[prop]`; `optional` for `?.`; `method` when called.
    Member {
        base: Box<Node>,
        prop: Box<Node>,
        optional: bool,
        method: bool,
    },
    Slice {
        base: Box<Node>,
        from: Option<Box<Node>>,
        to: Option<Box<Node>>,
    },
    /// A call of something that is not a builtin: an environment function or a method.
    Call {
        callee: Box<Node>,
        args: Vec<Node>,
    },
    Builtin {
        name: String,
        args: Vec<Node>,
    },
    Predicate(Box<Node>),
    /// The extent of a `?.` chain: when an optional member's base is nil, the whole chain is nil.
    Chain(Box<Node>),
    Conditional {
        cond: Box<Node>,
        yes: Box<Node>,
        no: Box<Node>,
    },
    Array(Vec<Node>),
    Map(Vec<(Node, Node)>),
    Let {
        name: String,
        value: Box<Node>,
        body: Box<Node>,
    },
    Sequence(Vec<Node>),
    /// A list of string literals on the right of `in`, which Go's optimizer turns into a set.
    StringSet(Vec<String>),
}

impl Node {
    fn children(&self) -> Vec<&Node> {
        match self {
            Node::Nil
            | Node::Bool(_)
            | Node::Int(_)
            | Node::Float(_)
            | Node::Str(_)
            | Node::Bytes(_)
            | Node::Ident(_)
            | Node::Pointer(_)
            | Node::StringSet(_) => Vec::new(),
            Node::Unary(_, n) | Node::Predicate(n) | Node::Chain(n) => vec![n],
            Node::Binary(_, l, r) => vec![l, r],
            Node::Member { base, prop, .. } => vec![base, prop],
            Node::Slice { base, from, to } => {
                let mut v: Vec<&Node> = vec![base];
                v.extend(from.as_deref());
                v.extend(to.as_deref());
                v
            }
            Node::Call { callee, args } => std::iter::once(&**callee).chain(args).collect(),
            Node::Builtin { args, .. } | Node::Array(args) | Node::Sequence(args) => args.iter().collect(),
            Node::Conditional { cond, yes, no } => vec![cond, yes, no],
            Node::Map(pairs) => pairs.iter().flat_map(|(k, v)| [k, v]).collect(),
            Node::Let { value, body, .. } => vec![value, body],
        }
    }

    fn children_mut(&mut self) -> Vec<&mut Node> {
        match self {
            Node::Nil
            | Node::Bool(_)
            | Node::Int(_)
            | Node::Float(_)
            | Node::Str(_)
            | Node::Bytes(_)
            | Node::Ident(_)
            | Node::Pointer(_)
            | Node::StringSet(_) => Vec::new(),
            Node::Unary(_, n) | Node::Predicate(n) | Node::Chain(n) => vec![&mut **n],
            Node::Binary(_, l, r) => vec![&mut **l, &mut **r],
            Node::Member { base, prop, .. } => vec![&mut **base, &mut **prop],
            Node::Slice { base, from, to } => {
                let mut v: Vec<&mut Node> = vec![&mut **base];
                v.extend(from.as_deref_mut());
                v.extend(to.as_deref_mut());
                v
            }
            Node::Call { callee, args } => std::iter::once(&mut **callee).chain(args.iter_mut()).collect(),
            Node::Builtin { args, .. } | Node::Array(args) | Node::Sequence(args) => args.iter_mut().collect(),
            Node::Conditional { cond, yes, no } => vec![&mut **cond, &mut **yes, &mut **no],
            Node::Map(pairs) => pairs.iter_mut().flat_map(|(k, v)| [k, v]).collect(),
            Node::Let { value, body, .. } => vec![&mut **value, &mut **body],
        }
    }

    fn depth(&self) -> usize {
        1 + self.children().into_iter().map(Node::depth).max().unwrap_or(0)
    }
}

/// Builtins that take a predicate, and the shape of their arguments: (is a predicate, optional).
fn predicate_arguments(name: &str) -> Option<&'static [(bool, bool)]> {
    const EXPR: (bool, bool) = (false, false);
    const PREDICATE: (bool, bool) = (true, false);
    const OPTIONAL_PREDICATE: (bool, bool) = (true, true);
    const OPTIONAL_EXPR: (bool, bool) = (false, true);
    match name {
        "all" | "none" | "any" | "one" | "filter" | "map" | "find" | "findIndex" | "findLast" | "findLastIndex"
        | "groupBy" => Some(&[EXPR, PREDICATE]),
        "count" | "sum" => Some(&[EXPR, OPTIONAL_PREDICATE]),
        "sortBy" | "reduce" => Some(&[EXPR, PREDICATE, OPTIONAL_EXPR]),
        _ => None,
    }
}

/// Go expr's builtin functions.
fn is_builtin(name: &str) -> bool {
    predicate_arguments(name).is_some()
        || matches!(
            name,
            "len"
                | "type"
                | "abs"
                | "ceil"
                | "floor"
                | "round"
                | "int"
                | "float"
                | "string"
                | "trim"
                | "trimPrefix"
                | "trimSuffix"
                | "upper"
                | "lower"
                | "split"
                | "splitAfter"
                | "replace"
                | "repeat"
                | "join"
                | "indexOf"
                | "lastIndexOf"
                | "hasPrefix"
                | "hasSuffix"
                | "max"
                | "min"
                | "mean"
                | "median"
                | "toJSON"
                | "fromJSON"
                | "toBase64"
                | "fromBase64"
                | "now"
                | "duration"
                | "date"
                | "timezone"
                | "first"
                | "last"
                | "get"
                | "take"
                | "keys"
                | "values"
                | "toPairs"
                | "fromPairs"
                | "reverse"
                | "uniq"
                | "concat"
                | "flatten"
                | "sort"
                | "bitand"
                | "bitor"
                | "bitxor"
                | "bitnand"
                | "bitnot"
                | "bitshl"
                | "bitshr"
                | "bitushr"
        )
}

/// The helpers upstream puts in the environment next to `result`.
const ENV_FUNCTIONS: [&str; 6] = ["asInt", "asFloat", "isNaN", "isInf", "isNil", "default"];

/// Binary operators: precedence and right associativity.
fn binary_operator(op: &str) -> Option<(u32, bool)> {
    Some(match op {
        "|" => (0, false),
        "or" | "||" => (10, false),
        "and" | "&&" => (15, false),
        "==" | "!=" | "<" | ">" | ">=" | "<=" | "in" | "matches" | "contains" | "startsWith" | "endsWith" => {
            (20, false)
        }
        ".." => (25, false),
        "+" | "-" => (30, false),
        "*" | "/" | "%" => (60, false),
        "**" | "^" => (100, true),
        "??" => (500, false),
        _ => return None,
    })
}

fn unary_operator(op: &str) -> Option<u32> {
    match op {
        "not" | "!" => Some(50),
        "-" | "+" => Some(90),
        _ => None,
    }
}

fn is_comparison(op: &str) -> bool {
    matches!(op, "<" | ">" | ">=" | "<=")
}

type Parsed<T> = Result<T, String>;

fn parse(source: &str) -> Parsed<Node> {
    let (tokens, lex_error) = lex(source);
    if tokens.is_empty() {
        return Err(lex_error.unwrap_or_else(|| "unexpected end of expression".to_string()));
    }
    let mut parser = Parser {
        tokens,
        lex_error,
        pos: 0,
        eof: Token::new(Kind::Eof, ""),
        predicate_depth: 0,
        nodes: 0,
        nesting: 0,
    };
    let node = parser.sequence()?;
    if parser.cur().kind != Kind::Eof {
        return Err(format!("unexpected token {}", parser.cur().describe()));
    }
    if node.depth() > MAX_DEPTH {
        return Err(too_deep());
    }
    Ok(node)
}

fn too_deep() -> String {
    format!("compilation failed: expression is nested more than {MAX_DEPTH} levels deep")
}

struct Parser {
    tokens: Vec<Token>,
    lex_error: Option<String>,
    pos: usize,
    eof: Token,
    predicate_depth: usize,
    nodes: usize,
    nesting: usize,
}

impl Parser {
    fn cur(&self) -> &Token {
        self.tokens.get(self.pos).unwrap_or(&self.eof)
    }

    fn next(&mut self) -> Parsed<()> {
        if self.pos + 1 < self.tokens.len() {
            self.pos += 1;
            Ok(())
        } else {
            Err(self
                .lex_error
                .clone()
                .unwrap_or_else(|| "unexpected end of expression".to_string()))
        }
    }

    fn unexpected(&self) -> String {
        format!("unexpected token {}", self.cur().describe())
    }

    fn expect(&mut self, kind: Kind, value: &str) -> Parsed<()> {
        if self.cur().is(kind, value) {
            self.next()
        } else {
            Err(self.unexpected())
        }
    }

    fn expect_kind(&mut self, kind: Kind) -> Parsed<()> {
        if self.cur().kind == kind {
            self.next()
        } else {
            Err(self.unexpected())
        }
    }

    fn count(&mut self) -> Parsed<()> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err("compilation failed: expression exceeds maximum allowed nodes".to_string());
        }
        Ok(())
    }

    fn make(&mut self, node: Node) -> Parsed<Node> {
        self.count()?;
        Ok(node)
    }

    fn sequence(&mut self) -> Parsed<Node> {
        let mut nodes = vec![self.expression(0)?];
        while self.cur().is(Kind::Operator, ";") {
            self.next()?;
            if self.cur().kind == Kind::Eof {
                break;
            }
            nodes.push(self.expression(0)?);
        }
        if nodes.len() == 1
            && let Some(node) = nodes.pop()
        {
            return Ok(node);
        }
        self.make(Node::Sequence(nodes))
    }

    fn expression(&mut self, precedence: u32) -> Parsed<Node> {
        self.nesting += 1;
        if self.nesting > MAX_DEPTH {
            return Err(too_deep());
        }
        let node = self.expression_at(precedence);
        self.nesting -= 1;
        node
    }

    fn expression_at(&mut self, precedence: u32) -> Parsed<Node> {
        if precedence == 0 && self.cur().is(Kind::Operator, "let") {
            return self.variable_declaration();
        }
        if precedence == 0 && self.cur().is(Kind::Operator, "if") {
            return self.conditional_if();
        }
        let mut left = self.primary()?;
        let mut previous = String::new();
        let mut op = self.cur().clone();
        while op.kind == Kind::Operator {
            let negate = op.value == "not";
            if negate {
                // `not in`, `not matches`, ...: the operator after `not`, negated.
                let backup = self.pos;
                self.next()?;
                let suffix = self.cur().clone();
                if !matches!(
                    suffix.value.as_str(),
                    "in" | "matches" | "contains" | "startsWith" | "endsWith"
                ) {
                    return Err(self.unexpected());
                }
                match binary_operator(&suffix.value) {
                    Some((p, _)) if p >= precedence => op = suffix,
                    _ => {
                        self.pos = backup;
                        break;
                    }
                }
            }
            let Some((op_precedence, right_associative)) = binary_operator(&op.value) else {
                break;
            };
            if op_precedence < precedence {
                break;
            }
            self.next()?;
            if op.value == "|" {
                let name = self.cur().value.clone();
                self.expect_kind(Kind::Identifier)?;
                left = self.call(&name, vec![left])?;
            } else {
                if previous == "??" && op.value != "??" {
                    return Err(format!(
                        "Operator ({}) and coalesce expressions (??) cannot be mixed. Wrap either by parentheses.",
                        op.value
                    ));
                }
                if is_comparison(&op.value) {
                    left = self.comparison(left, op.value.clone(), op_precedence)?;
                } else {
                    let right = self.expression(if right_associative {
                        op_precedence
                    } else {
                        op_precedence + 1
                    })?;
                    left = self.make(Node::Binary(op.value.clone(), Box::new(left), Box::new(right)))?;
                    if negate {
                        left = self.make(Node::Unary("not".to_string(), Box::new(left)))?;
                    }
                }
            }
            previous = op.value;
            op = self.cur().clone();
        }
        if precedence == 0 {
            left = self.conditional(left)?;
        }
        Ok(left)
    }

    fn variable_declaration(&mut self) -> Parsed<Node> {
        self.expect(Kind::Operator, "let")?;
        let name = self.cur().value.clone();
        self.expect_kind(Kind::Identifier)?;
        self.expect(Kind::Operator, "=")?;
        let value = self.expression(0)?;
        self.expect(Kind::Operator, ";")?;
        let body = self.sequence()?;
        self.make(Node::Let {
            name,
            value: Box::new(value),
            body: Box::new(body),
        })
    }

    fn conditional_if(&mut self) -> Parsed<Node> {
        self.next()?;
        let cond = self.expression(0)?;
        self.expect(Kind::Bracket, "{")?;
        let yes = self.sequence()?;
        self.expect(Kind::Bracket, "}")?;
        self.expect(Kind::Operator, "else")?;
        let no = if self.cur().is(Kind::Operator, "if") {
            self.conditional_if()?
        } else {
            self.expect(Kind::Bracket, "{")?;
            let no = self.sequence()?;
            self.expect(Kind::Bracket, "}")?;
            no
        };
        Ok(Node::Conditional {
            cond: Box::new(cond),
            yes: Box::new(yes),
            no: Box::new(no),
        })
    }

    /// `a < b < c` means `a < b && b < c`.
    fn comparison(&mut self, mut left: Node, mut op: String, precedence: u32) -> Parsed<Node> {
        let mut root: Option<Node> = None;
        loop {
            let comparator = self.expression(precedence + 1)?;
            let compare = self.make(Node::Binary(op, Box::new(left), Box::new(comparator.clone())))?;
            root = Some(match root {
                None => compare,
                Some(previous) => self.make(Node::Binary("&&".to_string(), Box::new(previous), Box::new(compare)))?,
            });
            left = comparator;
            let token = self.cur().clone();
            if !(token.kind == Kind::Operator && is_comparison(&token.value)) {
                break;
            }
            op = token.value;
            self.next()?;
        }
        root.ok_or_else(|| self.unexpected())
    }

    /// `c ? a : b`, and `c ?: b` (which is `c ? c : b`).
    fn conditional(&mut self, mut node: Node) -> Parsed<Node> {
        while self.cur().is(Kind::Operator, "?") {
            self.next()?;
            let (yes, no) = if self.cur().is(Kind::Operator, ":") {
                self.next()?;
                (node.clone(), self.expression(0)?)
            } else {
                let yes = self.expression(0)?;
                self.expect(Kind::Operator, ":")?;
                (yes, self.expression(0)?)
            };
            node = self.make(Node::Conditional {
                cond: Box::new(node),
                yes: Box::new(yes),
                no: Box::new(no),
            })?;
        }
        Ok(node)
    }

    fn primary(&mut self) -> Parsed<Node> {
        let token = self.cur().clone();
        if token.kind == Kind::Operator
            && let Some(precedence) = unary_operator(&token.value)
        {
            self.next()?;
            let operand = self.expression(precedence)?;
            let node = self.make(Node::Unary(token.value, Box::new(operand)))?;
            return self.postfix(node);
        }
        if token.is(Kind::Bracket, "(") {
            self.next()?;
            let inner = self.sequence()?;
            self.expect(Kind::Bracket, ")")?;
            return self.postfix(inner);
        }
        if self.predicate_depth > 0 && (token.is(Kind::Operator, "#") || token.is(Kind::Operator, ".")) {
            let mut name = String::new();
            if token.is(Kind::Operator, "#") {
                self.next()?;
                if self.cur().kind == Kind::Identifier {
                    name = self.cur().value.clone();
                    self.next()?;
                }
            }
            let node = self.make(Node::Pointer(name))?;
            return self.postfix(node);
        }
        if token.is(Kind::Operator, "::") {
            self.next()?;
            let name = self.cur().value.clone();
            self.expect_kind(Kind::Identifier)?;
            let node = self.call(&name, Vec::new())?;
            return self.postfix(node);
        }
        self.secondary()
    }

    fn secondary(&mut self) -> Parsed<Node> {
        let token = self.cur().clone();
        let node = match token.kind {
            Kind::Identifier => {
                self.next()?;
                match token.value.as_str() {
                    "true" => return self.make(Node::Bool(true)),
                    "false" => return self.make(Node::Bool(false)),
                    "nil" => return self.make(Node::Nil),
                    _ if self.cur().is(Kind::Bracket, "(") => self.call(&token.value, Vec::new())?,
                    _ => self.make(Node::Ident(token.value))?,
                }
            }
            Kind::Number => {
                self.next()?;
                let number = number_literal(&token.value)?;
                return self.make(number);
            }
            Kind::String => {
                self.next()?;
                self.make(Node::Str(token.value))?
            }
            Kind::Bytes => {
                self.next()?;
                self.make(Node::Bytes(token.bytes))?
            }
            _ if token.is(Kind::Bracket, "[") => self.array()?,
            _ if token.is(Kind::Bracket, "{") => self.map()?,
            _ => return Err(self.unexpected()),
        };
        self.postfix(node)
    }

    /// A call of `name`; `args` already holds the left side of a pipe.
    fn call(&mut self, name: &str, mut args: Vec<Node>) -> Parsed<Node> {
        if let Some(shape) = predicate_arguments(name) {
            self.expect(Kind::Bracket, "(")?;
            let shape = shape.get(args.len()..).unwrap_or_default();
            for (i, &(is_predicate, optional)) in shape.iter().enumerate() {
                if self.cur().is(Kind::Bracket, ")") {
                    if optional {
                        break;
                    }
                    return Err(format!("expected at least {} arguments", shape.len()));
                }
                if i > 0 {
                    self.expect(Kind::Operator, ",")?;
                }
                let node = if is_predicate {
                    self.predicate()?
                } else {
                    self.expression(0)?
                };
                args.push(node);
            }
            if self.cur().is(Kind::Operator, ",") {
                self.next()?;
            }
            self.expect(Kind::Bracket, ")")?;
            self.make(Node::Builtin {
                name: name.to_string(),
                args,
            })
        } else if is_builtin(name) {
            let args = self.arguments(args)?;
            self.make(Node::Builtin {
                name: name.to_string(),
                args,
            })
        } else {
            let callee = self.make(Node::Ident(name.to_string()))?;
            let args = self.arguments(args)?;
            self.make(Node::Call {
                callee: Box::new(callee),
                args,
            })
        }
    }

    fn arguments(&mut self, mut args: Vec<Node>) -> Parsed<Vec<Node>> {
        let given = args.len();
        self.expect(Kind::Bracket, "(")?;
        while !self.cur().is(Kind::Bracket, ")") {
            if args.len() > given {
                self.expect(Kind::Operator, ",")?;
            }
            if self.cur().is(Kind::Bracket, ")") {
                break;
            }
            args.push(self.expression(0)?);
        }
        self.expect(Kind::Bracket, ")")?;
        Ok(args)
    }

    fn predicate(&mut self) -> Parsed<Node> {
        let braces = self.cur().is(Kind::Bracket, "{");
        if braces {
            self.next()?;
        }
        self.predicate_depth += 1;
        let body = if braces {
            self.sequence()
        } else {
            self.expression(0).and_then(|node| {
                if self.cur().is(Kind::Operator, ";") {
                    Err("wrap predicate with brackets { and }".to_string())
                } else {
                    Ok(node)
                }
            })
        };
        self.predicate_depth -= 1;
        let body = body?;
        if braces {
            self.expect(Kind::Bracket, "}")?;
        }
        self.make(Node::Predicate(Box::new(body)))
    }

    fn array(&mut self) -> Parsed<Node> {
        self.expect(Kind::Bracket, "[")?;
        let mut nodes = Vec::new();
        while !self.cur().is(Kind::Bracket, "]") {
            if !nodes.is_empty() {
                self.expect(Kind::Operator, ",")?;
                if self.cur().is(Kind::Bracket, "]") {
                    break;
                }
            }
            nodes.push(self.expression(0)?);
        }
        self.expect(Kind::Bracket, "]")?;
        self.make(Node::Array(nodes))
    }

    fn map(&mut self) -> Parsed<Node> {
        self.expect(Kind::Bracket, "{")?;
        let mut pairs = Vec::new();
        while !self.cur().is(Kind::Bracket, "}") {
            if !pairs.is_empty() {
                self.expect(Kind::Operator, ",")?;
                if self.cur().is(Kind::Bracket, "}") {
                    break;
                }
                if self.cur().is(Kind::Operator, ",") {
                    return Err(self.unexpected());
                }
            }
            let token = self.cur().clone();
            let key = if matches!(token.kind, Kind::Number | Kind::String | Kind::Identifier) {
                let key = self.make(Node::Str(token.value))?;
                self.next()?;
                key
            } else if token.is(Kind::Bracket, "(") {
                self.expression(0)?
            } else {
                return Err(format!(
                    "a map key must be a quoted string, a number, a identifier, or an expression enclosed in \
                     parentheses (unexpected token {})",
                    token.describe()
                ));
            };
            self.expect(Kind::Operator, ":")?;
            let value = self.expression(0)?;
            self.count()?;
            pairs.push((key, value));
        }
        self.expect(Kind::Bracket, "}")?;
        self.make(Node::Map(pairs))
    }

    fn postfix(&mut self, mut node: Node) -> Parsed<Node> {
        loop {
            let mut token = self.cur().clone();
            if !matches!(token.kind, Kind::Operator | Kind::Bracket) {
                break;
            }
            let optional = token.value == "?.";
            if token.value == "." || optional {
                self.next()?;
                let property = self.cur().clone();
                if optional && property.is(Kind::Bracket, "[") {
                    // `?.[index]`: handled below as an optional index.
                    token = property;
                } else {
                    self.next()?;
                    if property.kind != Kind::Identifier
                        && (property.kind != Kind::Operator || !is_valid_identifier(&property.value))
                    {
                        return Err("expected name".to_string());
                    }
                    let name = self.make(Node::Str(property.value))?;
                    let (base, in_chain) = match node {
                        Node::Chain(inner) => (*inner, true),
                        other => (other, false),
                    };
                    self.count()?;
                    let called = self.cur().is(Kind::Bracket, "(");
                    let member = Node::Member {
                        base: Box::new(base),
                        prop: Box::new(name),
                        optional,
                        method: called,
                    };
                    node = if called {
                        let args = self.arguments(Vec::new())?;
                        self.make(Node::Call {
                            callee: Box::new(member),
                            args,
                        })?
                    } else {
                        member
                    };
                    if in_chain || optional {
                        node = self.make(Node::Chain(Box::new(node)))?;
                    }
                    continue;
                }
            }
            if token.is(Kind::Bracket, "[") {
                self.next()?;
                if self.cur().is(Kind::Operator, ":") {
                    self.next()?;
                    let to = if self.cur().is(Kind::Bracket, "]") {
                        None
                    } else {
                        Some(Box::new(self.expression(0)?))
                    };
                    node = self.make(Node::Slice {
                        base: Box::new(node),
                        from: None,
                        to,
                    })?;
                    self.expect(Kind::Bracket, "]")?;
                } else {
                    let from = self.expression(0)?;
                    if self.cur().is(Kind::Operator, ":") {
                        self.next()?;
                        let to = if self.cur().is(Kind::Bracket, "]") {
                            None
                        } else {
                            Some(Box::new(self.expression(0)?))
                        };
                        node = self.make(Node::Slice {
                            base: Box::new(node),
                            from: Some(Box::new(from)),
                            to,
                        })?;
                    } else {
                        node = self.make(Node::Member {
                            base: Box::new(node),
                            prop: Box::new(from),
                            optional,
                            method: false,
                        })?;
                        if optional {
                            node = self.make(Node::Chain(Box::new(node)))?;
                        }
                    }
                    self.expect(Kind::Bracket, "]")?;
                }
                continue;
            }
            break;
        }
        Ok(node)
    }
}

/// A number token as Go's parser reads it.
fn number_literal(text: &str) -> Parsed<Node> {
    let value = text.replace('_', "");
    let lower = value.to_ascii_lowercase();
    let integer = |digits: &str, radix: u32, what: &str| -> Parsed<Node> {
        parse_go_int(digits, radix).map(Node::Int).map_err(|e| {
            format!(
                "invalid {what} literal: strconv.ParseInt: parsing {}: {e}",
                go_quote(&value)
            )
        })
    };
    if lower.starts_with("0x") {
        integer(value.get(2..).unwrap_or_default(), 16, "hex")
    } else if lower.contains('.') || lower.contains('e') {
        parse_go_float(&value).map(Node::Float).map_err(|e| {
            format!(
                "invalid float literal: strconv.ParseFloat: parsing {}: {e}",
                go_quote(&value)
            )
        })
    } else if lower.starts_with("0b") {
        integer(value.get(2..).unwrap_or_default(), 2, "binary")
    } else if lower.starts_with("0o") {
        integer(value.get(2..).unwrap_or_default(), 8, "octal")
    } else {
        integer(&value, 10, "integer")
    }
}

/// Go's `strconv.ParseInt(s, radix, 64)`: an optional sign and digits. The error is Go's reason.
fn parse_go_int(s: &str, radix: u32) -> Result<i64, &'static str> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return Err("invalid syntax");
    }
    i64::from_str_radix(s, radix).map_err(|_| "value out of range")
}

/// Go's `strconv.ParseFloat(s, 64)` (decimal forms, `inf`, `infinity`, `nan`).
fn parse_go_float(s: &str) -> Result<f64, &'static str> {
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    let negative = s.starts_with('-');
    match unsigned.to_ascii_lowercase().as_str() {
        "inf" | "infinity" => return Ok(if negative { f64::NEG_INFINITY } else { f64::INFINITY }),
        "nan" => return Ok(f64::NAN),
        _ => {}
    }
    if !unsigned
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
    {
        return Err("invalid syntax");
    }
    match s.parse::<f64>() {
        Ok(v) if v.is_infinite() => Err("value out of range"),
        Ok(v) => Ok(v),
        Err(_) => Err("invalid syntax"),
    }
}

// ------------------------------------------------------------------------------------------------
// Compile-time checks (Go expr's `checker`)
// ------------------------------------------------------------------------------------------------

/// What Go's checker knows about a value's type (its "nature"), reduced to the types conditions meet.
#[derive(Debug, Clone, PartialEq)]
enum Ty {
    /// Nothing known.
    Unknown,
    /// `interface {}`: known to be anything.
    Any,
    /// The `nil` literal, or a nil `result`.
    Nil,
    Bool,
    /// An integer type: `int`, `int64`, `uint8`.
    Int(&'static str),
    Float,
    Str,
    /// A slice type (its Go name) and what its elements are known to be.
    Array(&'static str, Box<Ty>),
    /// A map type (its Go name), its key and its element.
    Map(&'static str, Box<Ty>, Box<Ty>),
    /// A function value (its Go type name).
    Func(&'static str),
    /// A predicate: its output (none when the body is `nil`) and the body's own type.
    Predicate(Option<Box<Ty>>, Box<Ty>),
}

/// The type classes Go's checker tests operands against.
#[derive(Clone, Copy)]
enum Class {
    Bool,
    Str,
    Integer,
    Number,
    Map,
    Array,
}

const ANY_ARRAY: &str = "[]interface {}";
const ANY_MAP: &str = "map[string]interface {}";

impl Ty {
    /// How Go types the provider's value (its dynamic type, as the environment map holds it).
    fn of_result(value: &MetricValue) -> Ty {
        match value {
            MetricValue::Null => Ty::Nil,
            MetricValue::Bool(_) => Ty::Bool,
            MetricValue::Number(_) => Ty::Float,
            MetricValue::String(_) => Ty::Str,
            MetricValue::Array(_) => Ty::any_array(Ty::Any),
            MetricValue::Object(_) => Ty::any_map(),
        }
    }

    fn any_array(elem: Ty) -> Ty {
        Ty::Array(ANY_ARRAY, Box::new(elem))
    }

    fn any_map() -> Ty {
        Ty::Map(ANY_MAP, Box::new(Ty::Str), Box::new(Ty::Any))
    }

    fn int() -> Ty {
        Ty::Int("int")
    }

    fn unknown(&self) -> bool {
        matches!(self, Ty::Unknown | Ty::Any)
    }

    fn is_nil(&self) -> bool {
        matches!(self, Ty::Nil)
    }

    fn is_number(&self) -> bool {
        matches!(self, Ty::Int(_) | Ty::Float)
    }

    fn is_integer(&self) -> bool {
        matches!(self, Ty::Int(_))
    }

    fn is_bool(&self) -> bool {
        matches!(self, Ty::Bool)
    }

    fn is_string(&self) -> bool {
        matches!(self, Ty::Str)
    }

    fn is_array(&self) -> bool {
        matches!(self, Ty::Array(..))
    }

    fn is_map(&self) -> bool {
        matches!(self, Ty::Map(..))
    }

    fn is_func(&self) -> bool {
        matches!(self, Ty::Func(_) | Ty::Predicate(..))
    }

    fn is(&self, class: Class) -> bool {
        match class {
            Class::Bool => self.is_bool(),
            Class::Str => self.is_string(),
            Class::Integer => self.is_integer(),
            Class::Number => self.is_number(),
            Class::Map => self.is_map(),
            Class::Array => self.is_array(),
        }
    }

    fn is_any_of(&self, classes: &[Class]) -> bool {
        classes.iter().any(|&c| self.is(c))
    }

    /// Go's `Nature.String()`.
    fn name(&self) -> String {
        match self {
            Ty::Unknown | Ty::Nil => "unknown".to_string(),
            Ty::Any => "interface {}".to_string(),
            Ty::Bool => "bool".to_string(),
            Ty::Int(name) | Ty::Array(name, _) | Ty::Map(name, ..) | Ty::Func(name) => (*name).to_string(),
            Ty::Float => "float64".to_string(),
            Ty::Str => "string".to_string(),
            Ty::Predicate(Some(out), _) => format!("func(...interface {{}}) {}", out.name()),
            Ty::Predicate(None, _) => "func(...interface {})".to_string(),
        }
    }

    /// How Go prints the reflect type in builtin validation messages (`%s` of a `reflect.Type`).
    fn reflect_name(&self) -> String {
        match self {
            Ty::Nil => "%!s(<nil>)".to_string(),
            t if t.unknown() => "interface {}".to_string(),
            t => t.name(),
        }
    }

    /// The element type of a slice or map.
    fn elem(&self) -> Ty {
        match self {
            Ty::Array(_, elem) | Ty::Map(_, _, elem) => (**elem).clone(),
            _ => Ty::Unknown,
        }
    }

    fn key(&self) -> Ty {
        match self {
            Ty::Map(_, key, _) => (**key).clone(),
            _ => Ty::Unknown,
        }
    }

    /// Go's `Nature.AssignableTo`.
    fn assignable_to(&self, to: &Ty) -> bool {
        if self.is_nil() {
            return matches!(
                to,
                Ty::Any | Ty::Map(..) | Ty::Array(..) | Ty::Func(_) | Ty::Predicate(..)
            );
        }
        if matches!(self, Ty::Unknown | Ty::Nil) || matches!(to, Ty::Unknown | Ty::Nil) {
            return false;
        }
        matches!(to, Ty::Any)
            || (std::mem::discriminant(self) == std::mem::discriminant(to) && self.name() == to.name())
    }

    /// Go's `Nature.ComparableTo`.
    fn comparable_to(&self, other: &Ty) -> bool {
        self.unknown()
            || other.unknown()
            || self.is_nil()
            || other.is_nil()
            || (self.is_number() && other.is_number())
            || (self.is_array() && other.is_array())
            || self.assignable_to(other)
    }

    /// Go's `Nature.MaybeCompatible`: at least one side unknown and the other unknown or of a class.
    fn maybe_compatible(&self, other: &Ty, classes: &[Class]) -> bool {
        (self.unknown() && other.unknown())
            || (self.unknown() && other.is_any_of(classes))
            || (other.unknown() && self.is_any_of(classes))
    }

    /// Go's `PromoteNumericNature`.
    fn promote(&self, other: &Ty) -> Ty {
        if self.unknown() || other.unknown() {
            Ty::Unknown
        } else if matches!(self, Ty::Float) || matches!(other, Ty::Float) {
            Ty::Float
        } else {
            Ty::int()
        }
    }

    /// Go's reflect kind, as the array literal check compares it.
    fn kind(&self) -> &'static str {
        match self {
            Ty::Unknown | Ty::Nil => "invalid",
            Ty::Any => "interface",
            Ty::Bool => "bool",
            Ty::Int(name) => name,
            Ty::Float => "float64",
            Ty::Str => "string",
            Ty::Array(..) => "slice",
            Ty::Map(..) => "map",
            Ty::Func(_) | Ty::Predicate(..) => "func",
        }
    }

    /// The Go type name of a value the expression produced: its static type when that is concrete and
    /// of the same kind, else what the value is.
    fn runtime_name(&self, value: &Value) -> String {
        let same_kind = matches!(
            (self, value),
            (Ty::Int(_), Value::Integer(_))
                | (Ty::Float, Value::Float(_))
                | (Ty::Str, Value::String(_))
                | (Ty::Array(..), Value::Array(_) | Value::Bytes(_))
                | (Ty::Map(..), Value::Map(_) | Value::KeyedMap(_))
        );
        if same_kind {
            self.name()
        } else {
            go_type(value).to_string()
        }
    }
}

/// An environment function: its Go type, parameters and result.
fn env_function(name: &str) -> Option<(&'static str, Vec<Ty>, Ty)> {
    Some(match name {
        "asInt" => ("func(interface {}) int64", vec![Ty::Any], Ty::Int("int64")),
        "asFloat" => ("func(interface {}) float64", vec![Ty::Any], Ty::Float),
        "isNaN" | "isInf" => ("func(float64) bool", vec![Ty::Float], Ty::Bool),
        "isNil" => ("func(interface {}) bool", vec![Ty::Any], Ty::Bool),
        "default" => (
            "func(interface {}, interface {}) interface {}",
            vec![Ty::Any, Ty::Any],
            Ty::Any,
        ),
        _ => return None,
    })
}

type Checked = Result<Ty, String>;

struct PredicateScope {
    collection: Ty,
    pointers: Vec<(&'static str, Ty)>,
}

struct Checker<'a> {
    result: &'a Ty,
    variables: Vec<(String, Ty)>,
    predicates: Vec<PredicateScope>,
}

impl<'a> Checker<'a> {
    fn new(result: &'a Ty) -> Self {
        Checker {
            result,
            variables: Vec::new(),
            predicates: Vec::new(),
        }
    }

    fn visit(&mut self, node: &Node) -> Checked {
        match node {
            Node::Nil => Ok(Ty::Nil),
            Node::Bool(_) => Ok(Ty::Bool),
            Node::Int(_) => Ok(Ty::int()),
            Node::Float(_) => Ok(Ty::Float),
            Node::Str(_) => Ok(Ty::Str),
            Node::Bytes(_) => Ok(Ty::Array("[]uint8", Box::new(Ty::Int("uint8")))),
            Node::Ident(name) => self.identifier(name),
            Node::Pointer(name) => self.pointer(name),
            Node::Unary(op, operand) => self.unary(op, operand),
            Node::Binary(op, left, right) => self.binary(op, left, right),
            Node::Member {
                base,
                prop,
                optional,
                method,
            } => self.member(base, prop, *optional, *method),
            Node::Slice { base, from, to } => self.slice(base, from.as_deref(), to.as_deref()),
            Node::Call { callee, args } => self.call(callee, args),
            Node::Builtin { name, args } => self.builtin(name, args),
            Node::Predicate(body) => {
                let body = self.visit(body)?;
                let out = if body.unknown() {
                    Some(Box::new(Ty::Any))
                } else if body.is_nil() {
                    None
                } else {
                    Some(Box::new(body.clone()))
                };
                Ok(Ty::Predicate(out, Box::new(body)))
            }
            Node::Chain(inner) => self.visit(inner),
            Node::Conditional { cond, yes, no } => self.conditional(cond, yes, no),
            Node::Array(items) => {
                let mut previous = Ty::Unknown;
                let mut same_kind = true;
                for (i, item) in items.iter().enumerate() {
                    let current = self.visit(item)?;
                    if i > 0 && current.kind() != previous.kind() {
                        same_kind = false;
                    }
                    previous = current;
                }
                Ok(Ty::any_array(if same_kind { previous } else { Ty::Any }))
            }
            Node::Map(pairs) => {
                for (key, value) in pairs {
                    self.visit(key)?;
                    self.visit(value)?;
                }
                Ok(Ty::any_map())
            }
            Node::Let { name, value, body } => {
                if name == "result" || ENV_FUNCTIONS.contains(&name.as_str()) {
                    return Err(format!("cannot redeclare {name}"));
                }
                if is_builtin(name) {
                    return Err(format!("cannot redeclare builtin {name}"));
                }
                if self.variables.iter().any(|(v, _)| v == name) {
                    return Err(format!("cannot redeclare variable {name}"));
                }
                let value = self.visit(value)?;
                self.variables.push((name.clone(), value));
                let body = self.visit(body);
                self.variables.pop();
                body
            }
            Node::StringSet(_) => Ok(Ty::Map(
                "map[string]struct {}",
                Box::new(Ty::Str),
                Box::new(Ty::Unknown),
            )),
            Node::Sequence(nodes) => {
                let mut last = Ty::Unknown;
                for node in nodes {
                    last = self.visit(node)?;
                }
                Ok(last)
            }
        }
    }

    fn identifier(&self, name: &str) -> Checked {
        if let Some((_, ty)) = self.variables.iter().rev().find(|(v, _)| v == name) {
            return Ok(ty.clone());
        }
        if name == "$env" {
            return Ok(Ty::Unknown);
        }
        if name == "result" {
            return Ok(self.result.clone());
        }
        if let Some((go_type, ..)) = env_function(name) {
            return Ok(Ty::Func(go_type));
        }
        if is_builtin(name) {
            return Ok(Ty::Func("func(...interface {}) (interface {}, error)"));
        }
        Err(format!("unknown name {name}"))
    }

    fn pointer(&self, name: &str) -> Checked {
        let Some(scope) = self.predicates.last() else {
            return Err("cannot use pointer accessor outside predicate".to_string());
        };
        if name.is_empty() {
            return if scope.collection.unknown() {
                Ok(Ty::Unknown)
            } else if scope.collection.is_array() {
                Ok(scope.collection.elem())
            } else {
                Err(format!("cannot use {} as array", scope.collection.name()))
            };
        }
        scope
            .pointers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, ty)| ty.clone())
            .ok_or_else(|| format!("unknown pointer #{name}"))
    }

    fn unary(&mut self, op: &str, operand: &Node) -> Checked {
        let ty = self.visit(operand)?;
        match op {
            "!" | "not" if ty.is_bool() || ty.unknown() => return Ok(Ty::Bool),
            "+" | "-" if ty.is_number() => return Ok(ty),
            "+" | "-" if ty.unknown() => return Ok(Ty::Unknown),
            _ => {}
        }
        Err(format!("invalid operation: {op} (mismatched type {})", ty.name()))
    }

    fn binary(&mut self, op: &str, left: &Node, right: &Node) -> Checked {
        use Class as C;
        let l = self.visit(left)?;
        let r = self.visit(right)?;
        let ok = match op {
            "==" | "!=" => l.comparable_to(&r).then_some(Ty::Bool),
            "or" | "||" | "and" | "&&" => {
                ((l.is_bool() && r.is_bool()) || l.maybe_compatible(&r, &[C::Bool])).then_some(Ty::Bool)
            }
            "<" | ">" | ">=" | "<=" => ((l.is_number() && r.is_number())
                || (l.is_string() && r.is_string())
                || l.maybe_compatible(&r, &[C::Number, C::Str]))
            .then_some(Ty::Bool),
            "-" | "*" => {
                if l.is_number() && r.is_number() {
                    Some(l.promote(&r))
                } else {
                    l.maybe_compatible(&r, &[C::Number]).then_some(Ty::Unknown)
                }
            }
            "/" | "**" | "^" => {
                ((l.is_number() && r.is_number()) || l.maybe_compatible(&r, &[C::Number])).then_some(Ty::Float)
            }
            "%" => ((l.is_integer() && r.is_integer()) || l.maybe_compatible(&r, &[C::Integer])).then(Ty::int),
            "+" => {
                if l.is_number() && r.is_number() {
                    Some(l.promote(&r))
                } else if l.is_string() && r.is_string() {
                    Some(Ty::Str)
                } else {
                    l.maybe_compatible(&r, &[C::Number, C::Str]).then_some(Ty::Unknown)
                }
            }
            "in" => {
                if r.is_map() {
                    let key = r.key();
                    if !l.unknown() && !l.assignable_to(&key) {
                        return Err(format!("cannot use {} as type {} in map key", l.name(), key.name()));
                    }
                    Some(Ty::Bool)
                } else if r.is_array() {
                    let elem = r.elem();
                    if !l.comparable_to(&elem) {
                        return Err(format!("cannot use {} as type {} in array", l.name(), elem.name()));
                    }
                    Some(Ty::Bool)
                } else {
                    ((l.unknown() && r.is_any_of(&[C::Str, C::Array, C::Map])) || r.unknown()).then_some(Ty::Bool)
                }
            }
            "matches" => {
                if let Node::Str(pattern) = right {
                    go_regex(pattern)?;
                }
                (((l.is_string() || l.name() == "[]uint8") && r.is_string()) || l.maybe_compatible(&r, &[C::Str]))
                    .then_some(Ty::Bool)
            }
            "contains" | "startsWith" | "endsWith" => {
                ((l.is_string() && r.is_string()) || l.maybe_compatible(&r, &[C::Str])).then_some(Ty::Bool)
            }
            ".." => ((l.is_integer() && r.is_integer()) || l.maybe_compatible(&r, &[C::Integer]))
                .then(|| Ty::any_array(Ty::int())),
            "??" => Some(match (l.is_nil(), r.is_nil()) {
                (true, false) => r.clone(),
                (false, true) => l.clone(),
                (true, true) => Ty::Nil,
                _ if r.assignable_to(&l) => l.clone(),
                _ => Ty::Unknown,
            }),
            _ => return Err(format!("unknown operator ({op})")),
        };
        ok.ok_or_else(|| {
            format!(
                "invalid operation: {op} (mismatched types {} and {})",
                l.name(),
                r.name()
            )
        })
    }

    fn member(&mut self, base: &Node, prop: &Node, optional: bool, method: bool) -> Checked {
        if let (Node::Ident(env), Node::Str(name)) = (base, prop)
            && env == "$env"
            && !self.variables.iter().any(|(v, _)| v == env)
        {
            // `$env.name`: a name of the environment (no builtins), unknown ones allowed after `?.`.
            return match name.as_str() {
                "result" => Ok(self.result.clone()),
                name => match env_function(name) {
                    Some((go_type, ..)) => Ok(Ty::Func(go_type)),
                    None if optional => Ok(Ty::Unknown),
                    None => Err(format!("unknown name {name}")),
                },
            };
        }
        let base_ty = self.visit(base)?;
        let prop_ty = self.visit(prop)?;
        if base_ty.unknown() {
            return Ok(Ty::Unknown);
        }
        let name = match prop {
            Node::Str(name) => Some(name.as_str()),
            _ => None,
        };
        if base_ty.is_nil()
            && let Some(name) = name
        {
            return Err(format!("type nil has no field {name}"));
        }
        if base_ty.is_map() {
            let key = base_ty.key();
            if !prop_ty.assignable_to(&key) && !prop_ty.unknown() {
                return Err(format!(
                    "cannot use {} to get an element from {}",
                    prop_ty.name(),
                    base_ty.name()
                ));
            }
            return Ok(base_ty.elem());
        }
        if base_ty.is_array() {
            if !prop_ty.is_integer() && !prop_ty.unknown() {
                return Err(format!(
                    "array elements can only be selected using an integer (got {})",
                    prop_ty.name()
                ));
            }
            return Ok(base_ty.elem());
        }
        Err(match name {
            Some(name) if method => format!("type {} has no method {name}", base_ty.name()),
            Some(name) => format!("type {} has no field {name}", base_ty.name()),
            None => format!("type {}[{}] is undefined", base_ty.name(), prop_ty.name()),
        })
    }

    fn slice(&mut self, base: &Node, from: Option<&Node>, to: Option<&Node>) -> Checked {
        let ty = self.visit(base)?;
        if ty.unknown() {
            return Ok(Ty::Unknown);
        }
        if !(ty.is_string() || ty.is_array()) {
            return Err(format!("cannot slice {}", ty.name()));
        }
        for bound in [from, to].into_iter().flatten() {
            let bound = self.visit(bound)?;
            if !bound.is_integer() && !bound.unknown() {
                return Err(format!("non-integer slice index {}", bound.name()));
            }
        }
        Ok(ty)
    }

    fn call(&mut self, callee: &Node, args: &[Node]) -> Checked {
        if matches!(callee, Node::Ident(name) if name == "$env") {
            return Err(format!("{ANY_MAP} is not callable"));
        }
        let callee_ty = self.visit(callee)?;
        if callee_ty.unknown() {
            // Go stops here, without looking at the arguments.
            return Ok(Ty::Unknown);
        }
        let name = match callee {
            Node::Ident(name) => name.clone(),
            Node::Member { prop, .. } => match &**prop {
                Node::Str(name) => name.clone(),
                _ => "function".to_string(),
            },
            _ => "function".to_string(),
        };
        if let Node::Ident(ident) = callee
            && !self.variables.iter().any(|(v, _)| v == ident)
            && let Some((_, params, out)) = env_function(ident)
        {
            return self.env_arguments(ident, &params, out, args);
        }
        if callee_ty.is_nil() {
            return Err(format!("{name} is nil; cannot call nil as function"));
        }
        if callee_ty.is_func() {
            for arg in args {
                self.visit(arg)?;
            }
            return Ok(Ty::Unknown);
        }
        Err(format!("{} is not callable", callee_ty.name()))
    }

    /// Go's `checkArguments` for the environment's functions.
    fn env_arguments(&mut self, name: &str, params: &[Ty], out: Ty, args: &[Node]) -> Checked {
        let arity = if args.len() > params.len() {
            Some("too many")
        } else if args.len() < params.len() {
            Some("not enough")
        } else {
            None
        };
        if let Some(problem) = arity {
            for arg in args {
                self.visit(arg)?;
            }
            return Err(format!("{problem} arguments to call {name}"));
        }
        for (arg, param) in args.iter().zip(params) {
            let ty = self.visit(arg)?;
            if matches!(param, Ty::Float) && ty.is_integer() {
                // Go converts integer literals (and int-typed arguments) for a float64 parameter.
                continue;
            }
            if ty.is_nil() {
                if matches!(param, Ty::Any) {
                    continue;
                }
                return Err(format!(
                    "cannot use nil as argument (type {}) to call {name}",
                    param.name()
                ));
            }
            if !ty.assignable_to(param) && !ty.unknown() {
                return Err(format!(
                    "cannot use {} as argument (type {}) to call {name} ",
                    ty.name(),
                    param.name()
                ));
            }
        }
        Ok(out)
    }

    fn conditional(&mut self, cond: &Node, yes: &Node, no: &Node) -> Checked {
        let c = self.visit(cond)?;
        if !c.is_bool() && !c.unknown() {
            return Err(format!("non-bool expression (type {}) used as condition", c.name()));
        }
        let t1 = self.visit(yes)?;
        let t2 = self.visit(no)?;
        Ok(match (t1.is_nil(), t2.is_nil()) {
            (true, false) => t2,
            (false, true) => t1,
            (true, true) => Ty::Nil,
            _ if t1.assignable_to(&t2) => {
                if t1.is_array() && t2.is_array() {
                    let (e1, e2) = (t1.elem(), t2.elem());
                    if !e1.assignable_to(&e2) || !e2.assignable_to(&e1) {
                        return Ok(Ty::any_array(Ty::Any));
                    }
                }
                t1
            }
            _ => Ty::Unknown,
        })
    }

    /// Visits the collection of a predicate builtin; it must be a list (or unknown).
    fn collection(&mut self, name: &str, node: Option<&Node>) -> Checked {
        let ty = match node {
            Some(node) => self.visit(node)?,
            None => Ty::Unknown,
        };
        if !ty.is_array() && !ty.unknown() {
            return Err(format!("builtin {name} takes only array (got {})", ty.name()));
        }
        Ok(ty)
    }

    /// Visits a predicate with `#` ranging over `collection`: its output type, if it has one.
    fn predicate(&mut self, collection: &Ty, pointers: Vec<(&'static str, Ty)>, node: Option<&Node>) -> Checked {
        let Some(node) = node else { return Ok(Ty::Unknown) };
        self.predicates.push(PredicateScope {
            collection: collection.clone(),
            pointers,
        });
        let ty = self.visit(node);
        self.predicates.pop();
        ty
    }

    fn builtin(&mut self, name: &str, args: &[Node]) -> Checked {
        let no_output = || "predicate should has one input and one output param".to_string();
        let boolean = |out: &Ty| -> Result<(), String> {
            if out.is_bool() || out.unknown() {
                Ok(())
            } else {
                Err(format!("predicate should return boolean (got {})", out.name()))
            }
        };
        match name {
            "all" | "none" | "any" | "one" | "filter" | "find" | "findLast" | "findIndex" | "findLastIndex" => {
                let collection = self.collection(name, args.first())?;
                let predicate = self.predicate(&collection, Vec::new(), args.get(1))?;
                let Ty::Predicate(Some(out), _) = predicate else {
                    return Err(no_output());
                };
                boolean(&out)?;
                return Ok(match name {
                    "filter" if collection.unknown() => Ty::any_array(Ty::Any),
                    "filter" => Ty::any_array(collection.elem()),
                    "find" | "findLast" if collection.unknown() => Ty::Unknown,
                    "find" | "findLast" => collection.elem(),
                    "findIndex" | "findLastIndex" => Ty::int(),
                    _ => Ty::Bool,
                });
            }
            "map" => {
                let collection = self.collection(name, args.first())?;
                let predicate = self.predicate(&collection, vec![("index", Ty::int())], args.get(1))?;
                let Ty::Predicate(Some(_), body) = predicate else {
                    return Err(no_output());
                };
                return Ok(Ty::any_array(*body));
            }
            "count" | "sum" => {
                let collection = self.collection(name, args.first())?;
                if args.len() < 2 {
                    return Ok(match name {
                        "count" => Ty::int(),
                        _ if collection.unknown() => Ty::Unknown,
                        _ => collection.elem(),
                    });
                }
                let predicate = self.predicate(&collection, Vec::new(), args.get(1))?;
                return match predicate {
                    Ty::Predicate(Some(out), _) if name == "count" => boolean(&out).map(|()| Ty::int()),
                    Ty::Predicate(Some(out), _) => Ok(*out),
                    _ if name == "sum" => Ok(Ty::Unknown),
                    _ => Err(no_output()),
                };
            }
            "groupBy" | "sortBy" => {
                let collection = self.collection(name, args.first())?;
                let predicate = self.predicate(&collection, Vec::new(), args.get(1))?;
                if let Some(order) = args.get(2) {
                    let order = self.visit(order)?;
                    if !order.is_string() && !order.unknown() {
                        return Err(format!("sortBy order argument must be a string (got {})", order.name()));
                    }
                }
                let Ty::Predicate(Some(_), _) = predicate else {
                    return Err(no_output());
                };
                return Ok(if name == "sortBy" {
                    collection
                } else {
                    Ty::Map(
                        "map[interface {}][]interface {}",
                        Box::new(Ty::Any),
                        Box::new(Ty::any_array(collection.elem())),
                    )
                });
            }
            "reduce" => {
                let collection = self.collection(name, args.first())?;
                let pointers = vec![("index", Ty::int()), ("acc", Ty::Unknown)];
                let predicate = self.predicate(&collection, pointers, args.get(1))?;
                if let Some(initial) = args.get(2) {
                    self.visit(initial)?;
                }
                let Ty::Predicate(Some(_), body) = predicate else {
                    return Err("predicate should has two input and one output param".to_string());
                };
                return Ok(*body);
            }
            "get" => return self.builtin_get(args),
            _ => {}
        }

        let mut types = Vec::with_capacity(args.len());
        for arg in args {
            types.push(self.visit(arg)?);
        }
        let arity = |n: usize| -> Result<(), String> {
            if types.len() == n {
                Ok(())
            } else {
                Err(format!(
                    "invalid number of arguments (expected {n}, got {})",
                    types.len()
                ))
            }
        };
        let first = types.first().cloned().unwrap_or(Ty::Unknown);
        let invalid = || format!("invalid argument for {name} (type {})", first.reflect_name());
        match name {
            "len" => {
                arity(1)?;
                if first.is_array() || first.is_map() || first.is_string() || first.unknown() {
                    Ok(Ty::int())
                } else {
                    Err(invalid())
                }
            }
            "abs" => {
                arity(1)?;
                if first.unknown() {
                    Ok(Ty::Any)
                } else if first.is_number() {
                    Ok(first)
                } else {
                    Err(invalid())
                }
            }
            "ceil" | "floor" | "round" | "int" | "float" => {
                arity(1)?;
                let strings_too = matches!(name, "int" | "float");
                if first.is_number() || first.unknown() || (strings_too && first.is_string()) {
                    Ok(if name == "int" { Ty::int() } else { Ty::Float })
                } else {
                    Err(invalid())
                }
            }
            "max" | "min" | "mean" | "median" => {
                if types.is_empty() {
                    return Err(format!("not enough arguments to call {name}"));
                }
                for ty in &types {
                    if ty.unknown() || ty.is_array() {
                        return Ok(Ty::Any);
                    }
                    if !ty.is_number() {
                        return Err(format!("invalid argument for {name} (type {})", ty.reflect_name()));
                    }
                }
                Ok(first)
            }
            "type" | "string" | "trim" | "trimPrefix" | "trimSuffix" | "upper" | "lower" | "replace" | "repeat"
            | "join" | "toJSON" | "toBase64" | "fromBase64" => Ok(Ty::Str),
            "split" | "splitAfter" => Ok(Ty::Array("[]string", Box::new(Ty::Str))),
            "indexOf" | "lastIndexOf" | "bitand" | "bitor" | "bitxor" | "bitnand" | "bitnot" | "bitshl" | "bitshr"
            | "bitushr" => Ok(Ty::int()),
            "hasPrefix" | "hasSuffix" => Ok(Ty::Bool),
            _ => Ok(Ty::Unknown),
        }
    }

    fn builtin_get(&mut self, args: &[Node]) -> Checked {
        let [base, prop] = args else {
            for arg in args {
                self.visit(arg)?;
            }
            return Err(format!("invalid number of arguments (expected 2, got {})", args.len()));
        };
        let base_ty = self.visit(base)?;
        let prop_ty = self.visit(prop)?;
        if matches!(base, Node::Ident(name) if name == "$env") || base_ty.unknown() {
            return Ok(Ty::Unknown);
        }
        if base_ty.is_array() {
            if !prop_ty.is_integer() && !prop_ty.unknown() {
                return Err(format!("non-integer slice index {}", prop_ty.name()));
            }
            return Ok(base_ty.elem());
        }
        if base_ty.is_map() {
            if !prop_ty.assignable_to(&base_ty.key()) && !prop_ty.unknown() {
                return Err(format!(
                    "cannot use {} to get an element from {}",
                    prop_ty.name(),
                    base_ty.name()
                ));
            }
            return Ok(base_ty.elem());
        }
        Err(format!("type {} does not support indexing", base_ty.name()))
    }
}

// ------------------------------------------------------------------------------------------------
// Go expr's optimizer, where it changes what an expression does
// ------------------------------------------------------------------------------------------------

/// The rewrites of Go's optimizer that can change a verdict or an error: `x in ["a", "b"]` becomes a
/// set lookup (a non-string `x` is then an error), constants are folded (so `x && false` never looks
/// at `x`, and `1 % 0` does not compile), and `count(l, p) > 0` becomes `any(l, p)` (which stops at the
/// first match). Its other rewrites do not change results and are left out.
fn optimize(tree: &mut Node) -> Result<(), String> {
    string_sets(tree);
    for _ in 0..=1000 {
        let mut applied = false;
        fold(tree, &mut applied)?;
        if !applied {
            break;
        }
    }
    count_any(tree);
    Ok(())
}

fn string_sets(node: &mut Node) {
    for child in node.children_mut() {
        string_sets(child);
    }
    if let Node::Binary(op, _, right) = node
        && op == "in"
        && let Node::Array(items) = &**right
        && !items.is_empty()
    {
        let strings: Option<Vec<String>> = items
            .iter()
            .map(|i| if let Node::Str(s) = i { Some(s.clone()) } else { None })
            .collect();
        if let Some(strings) = strings {
            **right = Node::StringSet(strings);
        }
    }
}

fn fold(node: &mut Node, applied: &mut bool) -> Result<(), String> {
    for child in node.children_mut() {
        fold(child, applied)?;
    }
    let replacement = match &*node {
        Node::Unary(op, operand) => match (op.as_str(), &**operand) {
            ("-", Node::Int(i)) => Some(Node::Int(i.wrapping_neg())),
            ("-", Node::Float(f)) => Some(Node::Float(-f)),
            ("+", Node::Int(i)) => Some(Node::Int(*i)),
            ("+", Node::Float(f)) => Some(Node::Float(*f)),
            ("!" | "not", Node::Bool(b)) => Some(Node::Bool(!b)),
            _ => None,
        },
        Node::Binary(op, left, right) => fold_binary(op, left, right)?,
        _ => None,
    };
    if let Some(replacement) = replacement {
        *node = replacement;
        *applied = true;
    }
    Ok(())
}

fn fold_binary(op: &str, left: &Node, right: &Node) -> Result<Option<Node>, String> {
    let number = |n: &Node| match n {
        Node::Int(i) => Some(Num::Int(*i)),
        Node::Float(f) => Some(Num::Float(*f)),
        _ => None,
    };
    let boolean = |n: &Node| if let Node::Bool(b) = n { Some(*b) } else { None };
    Ok(match (op, number(left), number(right)) {
        ("+" | "-" | "*", Some(Num::Int(a)), Some(Num::Int(b))) => Some(Node::Int(match op {
            "+" => a.wrapping_add(b),
            "-" => a.wrapping_sub(b),
            _ => a.wrapping_mul(b),
        })),
        ("+" | "-" | "*", Some(a), Some(b)) => Some(Node::Float(match op {
            "+" => a.float() + b.float(),
            "-" => a.float() - b.float(),
            _ => a.float() * b.float(),
        })),
        ("/", Some(a), Some(b)) => Some(Node::Float(a.float() / b.float())),
        ("**" | "^", Some(a), Some(b)) => Some(Node::Float(a.float().powf(b.float()))),
        ("%", Some(Num::Int(_)), Some(Num::Int(0))) => return Err("integer divide by zero".to_string()),
        ("%", Some(Num::Int(a)), Some(Num::Int(b))) => Some(Node::Int(a.wrapping_rem(b))),
        ("==", Some(Num::Int(a)), Some(Num::Int(b))) => Some(Node::Bool(a == b)),
        _ => match (op, left, right) {
            ("+", Node::Str(a), Node::Str(b)) => Some(Node::Str(format!("{a}{b}"))),
            ("==", Node::Str(a), Node::Str(b)) => Some(Node::Bool(a == b)),
            ("==", Node::Bool(a), Node::Bool(b)) => Some(Node::Bool(a == b)),
            ("and" | "&&", ..) => match (boolean(left), boolean(right)) {
                (Some(true), _) => Some(right.clone()),
                (_, Some(true)) => Some(left.clone()),
                (Some(false), _) | (_, Some(false)) => Some(Node::Bool(false)),
                _ => None,
            },
            ("or" | "||", ..) => match (boolean(left), boolean(right)) {
                (Some(false), _) => Some(right.clone()),
                (_, Some(false)) => Some(left.clone()),
                (Some(true), _) | (_, Some(true)) => Some(Node::Bool(true)),
                _ => None,
            },
            _ => None,
        },
    })
}

fn count_any(node: &mut Node) {
    for child in node.children_mut() {
        count_any(child);
    }
    if let Node::Binary(op, left, right) = node
        && let (Node::Builtin { name, args }, Node::Int(n)) = (&**left, &**right)
        && name == "count"
        && args.len() == 2
        && ((op == ">" && *n == 0) || (op == ">=" && *n == 1))
    {
        *node = Node::Builtin {
            name: "any".to_string(),
            args: args.clone(),
        };
    }
}

// ------------------------------------------------------------------------------------------------
// Printing the tree as an `expr-lang` program
// ------------------------------------------------------------------------------------------------

/// Prints a checked tree as a program for the `expr-lang` crate. Literals other than small integers
/// are passed as context variables (`__l<n>`), so no escaping rule of the crate's grammar matters;
/// `let` variables become `__v<n>` and chain temporaries `__c<n>`, names no condition can spell (Go
/// rejects them as unknown before this point).
#[derive(Default)]
struct Printer {
    literals: Vec<(String, Value)>,
    variables: Vec<(String, String)>,
    temporaries: usize,
}

impl Printer {
    fn literal(&mut self, value: Value) -> String {
        let name = format!("__l{}", self.literals.len());
        self.literals.push((name.clone(), value));
        name
    }

    fn temporary(&mut self, prefix: &str) -> String {
        self.temporaries += 1;
        format!("__{prefix}{}", self.temporaries)
    }

    fn list(&mut self, nodes: &[Node]) -> String {
        let printed: Vec<String> = nodes.iter().map(|n| self.print(n)).collect();
        printed.join(", ")
    }

    fn print(&mut self, node: &Node) -> String {
        match node {
            Node::Nil => "nil".to_string(),
            Node::Bool(b) => b.to_string(),
            Node::Int(i) if *i >= 0 => i.to_string(),
            Node::Int(i) => self.literal(Value::Integer(*i)),
            Node::Float(f) => self.literal(Value::Float(*f)),
            Node::Str(s) => self.literal(Value::String(s.clone())),
            Node::Bytes(b) => self.literal(Value::Bytes(b.clone())),
            Node::Ident(name) => self.identifier(name),
            Node::Pointer(name) => format!("#{name}"),
            Node::Unary(op, operand) => {
                let operand = self.print(operand);
                match op.as_str() {
                    "-" => format!("__neg({operand})"),
                    "+" => format!("({operand})"),
                    _ => format!("__not({operand})"),
                }
            }
            Node::Binary(op, left, right) => {
                let left = self.print(left);
                let right = self.print(right);
                match op.as_str() {
                    "&&" | "and" => format!("(if __truth({left}) {{ {right} }} else {{ false }})"),
                    "||" | "or" => format!("(if __truth({left}) {{ true }} else {{ {right} }})"),
                    "??" => format!("(({left}) ?? ({right}))"),
                    op => format!("{}({left}, {right})", operator_helper(op)),
                }
            }
            Node::Member { base, prop, method, .. } => {
                let base = self.print(base);
                let prop = self.print(prop);
                if *method {
                    format!("__nocall(__fetch({base}, {prop}))")
                } else {
                    format!("__fetch({base}, {prop})")
                }
            }
            Node::Slice { base, from, to } => {
                let base = self.print(base);
                let mut bound = |b: &Option<Box<Node>>| match b {
                    Some(node) => format!("true, {}", self.print(node)),
                    None => "false, nil".to_string(),
                };
                let from = bound(from);
                let to = bound(to);
                format!("__slice({base}, {from}, {to})")
            }
            Node::Call { callee, args } => {
                let args = self.list(args);
                let separator = if args.is_empty() { "" } else { ", " };
                match &**callee {
                    Node::Ident(name)
                        if env_function(name).is_some() && !self.variables.iter().any(|(v, _)| v == name) =>
                    {
                        format!("{name}({args})")
                    }
                    // Go evaluates the arguments, then the callee, then fails to call it.
                    Node::Member { base, prop, .. } => {
                        let base = self.print(base);
                        let prop = self.print(prop);
                        format!("__nocall({args}{separator}__fetch({base}, {prop}))")
                    }
                    other => {
                        let callee = self.print(other);
                        format!("__nocall({args}{separator}{callee})")
                    }
                }
            }
            Node::Builtin { name, args } => self.builtin(name, args),
            Node::Predicate(body) => {
                let body = self.print(body);
                format!("{{ ({body}) }}")
            }
            Node::Chain(inner) => self.chain(inner),
            Node::Conditional { cond, yes, no } => {
                let cond = self.print(cond);
                let yes = self.print(yes);
                let no = self.print(no);
                format!("(if __truth({cond}) {{ {yes} }} else {{ {no} }})")
            }
            Node::Array(items) => format!("[{}]", self.list(items)),
            Node::Map(pairs) => {
                let flat: Vec<Node> = pairs.iter().flat_map(|(k, v)| [k.clone(), v.clone()]).collect();
                format!("__map({})", self.list(&flat))
            }
            Node::Let { name, value, body } => {
                let value = self.print(value);
                let variable = self.temporary("v");
                self.variables.push((name.clone(), variable.clone()));
                let body = self.print(body);
                self.variables.pop();
                format!("(if true {{ let {variable} = {value}; {body} }} else {{ nil }})")
            }
            Node::Sequence(nodes) => format!("__last({})", self.list(nodes)),
            Node::StringSet(items) => {
                let set = items.iter().map(|s| (s.clone(), Value::Bool(true))).collect();
                self.literal(set)
            }
        }
    }

    fn identifier(&mut self, name: &str) -> String {
        if let Some((_, variable)) = self.variables.iter().rev().find(|(v, _)| v == name) {
            return variable.clone();
        }
        match name {
            "result" => "result".to_string(),
            "$env" => "__env".to_string(),
            name if env_function(name).is_some() || is_builtin(name) => {
                let message = self.literal(Value::String(format!("function {name} cannot be used as a value")));
                format!("__fail({message})")
            }
            // Only reachable where Go's checker does not look (arguments of an unknown callee); Go's
            // runtime reads a missing name of the environment as nil.
            _ => "nil".to_string(),
        }
    }

    fn builtin(&mut self, name: &str, args: &[Node]) -> String {
        if predicate_arguments(name).is_none() {
            return format!("{name}({})", self.list(args));
        }
        let collection = args.first().map(|c| self.print(c)).unwrap_or_else(|| "nil".to_string());
        let body = match args.get(1) {
            Some(Node::Predicate(body)) => self.print(body),
            // `count(list)` and `sum(list)` take the elements themselves.
            _ => "#".to_string(),
        };
        // Go tests the predicate's value as a bool (a type assertion) in these builtins.
        let tested = matches!(
            name,
            "all" | "none" | "any" | "one" | "filter" | "find" | "findIndex" | "findLast" | "findLastIndex" | "count"
        );
        let body = if tested { format!("__truth({body})") } else { body };
        let rest = args.get(2..).map(|rest| self.list(rest)).unwrap_or_default();
        let separator = if rest.is_empty() { "" } else { ", " };
        format!("{name}(__iter({collection}), {{ ({body}) }}{separator}{rest})")
    }

    /// A `?.` chain: when the base of an optional link is nil, the whole chain is nil.
    fn chain(&mut self, inner: &Node) -> String {
        enum Link<'n> {
            Fetch(&'n Node, bool),
            Call(&'n Node, bool, &'n [Node]),
        }
        let mut links = Vec::new();
        let mut node = inner;
        loop {
            match node {
                Node::Member {
                    base,
                    prop,
                    optional,
                    method: false,
                } => {
                    links.push(Link::Fetch(prop, *optional));
                    node = base;
                }
                Node::Call { callee, args } => match &**callee {
                    Node::Member {
                        base,
                        prop,
                        optional,
                        method: true,
                    } => {
                        links.push(Link::Call(prop, *optional, args));
                        node = base;
                    }
                    _ => break,
                },
                _ => break,
            }
        }
        links.reverse();
        let base = self.print(node);
        let mut previous = self.temporary("c");
        let mut code = format!("(if true {{ let {previous} = {base}; ");
        let mut open = 0;
        for link in links {
            let (step, optional) = match link {
                Link::Fetch(prop, optional) => (format!("__fetch({previous}, {})", self.print(prop)), optional),
                Link::Call(prop, optional, args) => {
                    let prop = self.print(prop);
                    let args = self.list(args);
                    let separator = if args.is_empty() { "" } else { ", " };
                    (
                        format!("__nocall({args}{separator}__fetch({previous}, {prop}))"),
                        optional,
                    )
                }
            };
            if optional {
                let _ = write!(code, "if {previous} == nil {{ nil }} else {{ ");
                open += 1;
            }
            let next = self.temporary("c");
            let _ = write!(code, "let {next} = {step}; ");
            previous = next;
        }
        code.push_str(&previous);
        code.push_str(&" }".repeat(open));
        code.push_str(" } else { nil })");
        code
    }
}

/// The helper that carries out a binary operator (the checker has vetted the operator).
fn operator_helper(op: &str) -> &'static str {
    match op {
        "==" => "__eq",
        "!=" => "__ne",
        "<" => "__lt",
        ">" => "__gt",
        "<=" => "__le",
        ">=" => "__ge",
        "+" => "__add",
        "-" => "__sub",
        "*" => "__mul",
        "/" => "__div",
        "%" => "__mod",
        "in" => "__in",
        "matches" => "__matches",
        "contains" => "__contains",
        "startsWith" => "__startsWith",
        "endsWith" => "__endsWith",
        ".." => "__range",
        _ => "__pow",
    }
}

// ------------------------------------------------------------------------------------------------
// Go's runtime, as helpers on the crate's environment
// ------------------------------------------------------------------------------------------------

type Helper = fn(&[Value]) -> Result<Value, String>;

/// The crate's environment (its builtins) with upstream's helpers and the operator helpers.
fn environment(result: Value) -> Environment<'static> {
    let mut env = Environment::new();
    let result_is_nil = result.is_nil();
    // Upstream's `isNil` and `default` ignore their first argument and look at `result`.
    env.add_function("isNil", move |_| Ok(Value::Bool(result_is_nil)));
    env.add_function("default", move |call| {
        Ok(if result.is_nil() {
            call.args.into_iter().nth(1).unwrap_or(Value::Nil)
        } else {
            result.clone()
        })
    });
    let helpers: [(&str, Helper); 21] = [
        ("asInt", as_int),
        ("asFloat", as_float),
        ("isNaN", |args| float_argument(args).map(|f| Value::Bool(f.is_nan()))),
        ("isInf", |args| {
            float_argument(args).map(|f| Value::Bool(f.is_infinite()))
        }),
        ("len", |args| go_len(arg(args, 0)).map(Value::Integer)),
        ("__truth", |args| truth(arg(args, 0)).map(Value::Bool)),
        ("__not", |args| truth(arg(args, 0)).map(|b| Value::Bool(!b))),
        ("__neg", negate),
        ("__eq", |args| Ok(Value::Bool(go_equal(arg(args, 0), arg(args, 1))))),
        ("__ne", |args| Ok(Value::Bool(!go_equal(arg(args, 0), arg(args, 1))))),
        ("__in", go_in),
        ("__range", range),
        ("__fetch", fetch),
        ("__slice", slice),
        ("__iter", iterate),
        ("__map", map_literal),
        ("__last", |args| Ok(args.last().cloned().unwrap_or(Value::Nil))),
        ("__nocall", |args| {
            Err(match args.last().unwrap_or(&NIL) {
                Value::Nil => "invalid operation: cannot call nil".to_string(),
                other => format!("invalid operation: cannot call non-function of type {}", go_type(other)),
            })
        }),
        ("__fail", |args| Err(go_format(arg(args, 0)))),
        ("__matches", |args| string_operator("matches", args)),
        ("__contains", |args| string_operator("contains", args)),
    ];
    for (name, helper) in helpers {
        env.add_function(name, move |call| helper(&call.args).map_err(expr::Error::ExprError));
    }
    for (name, op) in [("__startsWith", "startsWith"), ("__endsWith", "endsWith")] {
        env.add_function(name, move |call| {
            string_operator(op, &call.args).map_err(expr::Error::ExprError)
        });
    }
    for (name, op) in [("__lt", "<"), ("__gt", ">"), ("__le", "<="), ("__ge", ">=")] {
        env.add_function(name, move |call| {
            compare(op, arg(&call.args, 0), arg(&call.args, 1)).map_err(expr::Error::ExprError)
        });
    }
    for (name, op) in [
        ("__add", "+"),
        ("__sub", "-"),
        ("__mul", "*"),
        ("__div", "/"),
        ("__mod", "%"),
        ("__pow", "**"),
    ] {
        env.add_function(name, move |call| {
            arithmetic(op, arg(&call.args, 0), arg(&call.args, 1)).map_err(expr::Error::ExprError)
        });
    }
    env
}

static NIL: Value = Value::Nil;

fn arg(args: &[Value], i: usize) -> &Value {
    args.get(i).unwrap_or(&NIL)
}

/// Go's `%T` of a value.
#[allow(unreachable_patterns)] // the crate has more variants when its optional features are on
fn go_type(value: &Value) -> &'static str {
    match value {
        Value::Nil => "<nil>",
        Value::Bool(_) => "bool",
        Value::Integer(_) => "int",
        Value::Float(_) => "float64",
        Value::String(_) => "string",
        Value::Array(_) => ANY_ARRAY,
        Value::Bytes(_) => "[]uint8",
        Value::Map(_) => ANY_MAP,
        Value::KeyedMap(_) => "map[interface {}]interface {}",
        _ => "interface {}",
    }
}

/// Go's reflect kind of a value (in reflect's panic messages).
#[allow(unreachable_patterns)]
fn reflect_kind(value: &Value) -> &'static str {
    match value {
        Value::Nil => "zero",
        Value::Bool(_) => "bool",
        Value::Integer(_) => "int",
        Value::Float(_) => "float64",
        Value::String(_) => "string",
        Value::Array(_) | Value::Bytes(_) => "slice",
        Value::Map(_) | Value::KeyedMap(_) => "map",
        _ => "struct",
    }
}

/// The message of a failed Go type assertion `value.(want)`.
fn assertion(value: &Value, want: &str) -> String {
    let is = if value.is_nil() { "nil" } else { go_type(value) };
    format!("interface conversion: interface {{}} is {is}, not {want}")
}

fn truth(value: &Value) -> Result<bool, String> {
    match value {
        Value::Bool(b) => Ok(*b),
        other => Err(assertion(other, "bool")),
    }
}

#[derive(Clone, Copy)]
enum Num {
    Int(i64),
    Float(f64),
}

impl Num {
    fn of(value: &Value) -> Option<Num> {
        match value {
            Value::Integer(i) => Some(Num::Int(*i)),
            Value::Float(f) => Some(Num::Float(*f)),
            _ => None,
        }
    }

    fn float(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
        }
    }
}

/// Go's `int64(f)` on amd64: truncation, and the minimum for NaN and out-of-range values.
fn float_to_int(f: f64) -> i64 {
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if (-LIMIT..LIMIT).contains(&f) {
        f as i64
    } else {
        i64::MIN
    }
}

/// Go's `runtime.ToInt`.
fn to_int(value: &Value) -> Result<i64, String> {
    match Num::of(value) {
        Some(Num::Int(i)) => Ok(i),
        Some(Num::Float(f)) => Ok(float_to_int(f)),
        None => Err(format!("invalid operation: int({})", go_type(value))),
    }
}

fn negate(args: &[Value]) -> Result<Value, String> {
    match arg(args, 0) {
        Value::Integer(i) => Ok(Value::Integer(i.wrapping_neg())),
        Value::Float(f) => Ok(Value::Float(-f)),
        other => Err(format!("invalid operation: - {}", go_type(other))),
    }
}

/// Go's `runtime.Equal`: numbers by value across int and float, lists element by element, anything
/// else as `reflect.DeepEqual`.
fn go_equal(a: &Value, b: &Value) -> bool {
    if let (Some(x), Some(y)) = (Num::of(a), Num::of(b)) {
        return match (x, y) {
            (Num::Int(x), Num::Int(y)) => x == y,
            (x, y) => x.float() == y.float(),
        };
    }
    match (a, b) {
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| go_equal(x, y)),
        _ => deep_equal(a, b),
    }
}

/// Go's `reflect.DeepEqual` on decoded values: same types, equal contents.
fn deep_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Nil, Value::Nil) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Integer(x), Value::Integer(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Bytes(x), Value::Bytes(y)) => x == y,
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| deep_equal(x, y)),
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k.as_str()).is_some_and(|w| deep_equal(v, w)))
        }
        (Value::KeyedMap(x), Value::KeyedMap(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.iter().any(|(k2, v2)| deep_equal(k, k2) && deep_equal(v, v2)))
        }
        _ => false,
    }
}

/// Go's `runtime.Less` and friends: numbers and strings only; NaN compares false.
fn compare(op: &str, a: &Value, b: &Value) -> Result<Value, String> {
    let ordering = match (Num::of(a), Num::of(b), a, b) {
        (Some(Num::Int(x)), Some(Num::Int(y)), ..) => Some(x.cmp(&y)),
        (Some(x), Some(y), ..) => x.float().partial_cmp(&y.float()),
        (_, _, Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        _ => return Err(format!("invalid operation: {} {op} {}", go_type(a), go_type(b))),
    };
    Ok(Value::Bool(ordering.is_some_and(|o| match op {
        "<" => o.is_lt(),
        ">" => o.is_gt(),
        "<=" => o.is_le(),
        _ => o.is_ge(),
    })))
}

/// Go's `runtime.Add`, `Subtract`, `Multiply`, `Divide`, `Modulo` and `Exponent`.
fn arithmetic(op: &str, a: &Value, b: &Value) -> Result<Value, String> {
    let mismatch = || format!("invalid operation: {} {op} {}", go_type(a), go_type(b));
    let (Some(x), Some(y)) = (Num::of(a), Num::of(b)) else {
        return match (op, a, b) {
            ("+", Value::String(x), Value::String(y)) => Ok(Value::String(format!("{x}{y}"))),
            ("**", ..) => {
                let culprit = if Num::of(a).is_none() { a } else { b };
                Err(format!("invalid operation: float({})", go_type(culprit)))
            }
            _ => Err(mismatch()),
        };
    };
    Ok(match (op, x, y) {
        ("/", x, y) => Value::Float(x.float() / y.float()),
        ("**", x, y) => Value::Float(x.float().powf(y.float())),
        ("%", Num::Int(_), Num::Int(0)) => return Err("runtime error: integer divide by zero".to_string()),
        ("%", Num::Int(x), Num::Int(y)) => Value::Integer(x.wrapping_rem(y)),
        ("%", ..) => return Err(mismatch()),
        ("+", Num::Int(x), Num::Int(y)) => Value::Integer(x.wrapping_add(y)),
        ("-", Num::Int(x), Num::Int(y)) => Value::Integer(x.wrapping_sub(y)),
        (_, Num::Int(x), Num::Int(y)) => Value::Integer(x.wrapping_mul(y)),
        ("+", x, y) => Value::Float(x.float() + y.float()),
        ("-", x, y) => Value::Float(x.float() - y.float()),
        (_, x, y) => Value::Float(x.float() * y.float()),
    })
}

fn map_index_error(key: &Value) -> String {
    format!(
        "reflect.Value.MapIndex: value of type {} is not assignable to type string",
        go_type(key)
    )
}

/// Go's `runtime.In`.
fn go_in(args: &[Value]) -> Result<Value, String> {
    let (needle, haystack) = (arg(args, 0), arg(args, 1));
    Ok(Value::Bool(match haystack {
        Value::Nil => false,
        Value::Array(items) => items.iter().any(|item| go_equal(item, needle)),
        Value::Bytes(bytes) => bytes.iter().any(|b| go_equal(&Value::Integer(i64::from(*b)), needle)),
        Value::Map(map) => match needle {
            Value::Nil => map.contains_key(""),
            Value::String(key) => map.contains_key(key.as_str()),
            other => return Err(map_index_error(other)),
        },
        Value::KeyedMap(pairs) => pairs.iter().any(|(key, _)| deep_equal(key, needle)),
        other => return Err(format!("operator \"in\" not defined on {}", go_type(other))),
    }))
}

/// `a..b`, within Go's memory budget.
fn range(args: &[Value]) -> Result<Value, String> {
    let from = to_int(arg(args, 0))?;
    let to = to_int(arg(args, 1))?;
    if to.saturating_sub(from).saturating_add(1) >= MEMORY_BUDGET {
        return Err("memory budget exceeded".to_string());
    }
    Ok(Value::Array((from..=to).map(Value::Integer).collect()))
}

/// The position `key` designates in a sequence of `len` items (negative counts from the end).
fn position(key: &Value, len: usize) -> Result<usize, String> {
    let length = i64::try_from(len).unwrap_or(i64::MAX);
    let mut index = to_int(key)?;
    if index < 0 {
        index += length;
    }
    if index < 0 || index >= length {
        return Err(format!("index out of range: {index} (array length is {len})"));
    }
    usize::try_from(index).map_err(|_| format!("index out of range: {index} (array length is {len})"))
}

/// Go's `runtime.Fetch`: `base.name` and `base[key]`.
fn fetch(args: &[Value]) -> Result<Value, String> {
    let (base, key) = (arg(args, 0), arg(args, 1));
    let byte = |bytes: &[u8]| -> Result<Value, String> {
        let i = position(key, bytes.len())?;
        Ok(bytes.get(i).map_or(Value::Nil, |b| Value::Integer(i64::from(*b))))
    };
    match base {
        Value::Array(items) => Ok(items.get(position(key, items.len())?).cloned().unwrap_or(Value::Nil)),
        Value::Bytes(bytes) => byte(bytes),
        Value::String(s) => byte(s.as_bytes()),
        Value::Map(map) => match key {
            Value::Nil => Ok(map.get("").cloned().unwrap_or(Value::Nil)),
            Value::String(k) => Ok(map.get(k.as_str()).cloned().unwrap_or(Value::Nil)),
            other => Err(map_index_error(other)),
        },
        Value::KeyedMap(pairs) => Ok(pairs
            .iter()
            .find(|(k, _)| deep_equal(k, key))
            .map_or(Value::Nil, |(_, v)| v.clone())),
        other => Err(format!("cannot fetch {} from {}", go_format(key), go_type(other))),
    }
}

/// Go's `runtime.Len`.
fn go_len(value: &Value) -> Result<i64, String> {
    let len = match value {
        Value::Array(items) => items.len(),
        Value::Bytes(bytes) => bytes.len(),
        Value::String(s) => s.len(),
        Value::Map(map) => map.len(),
        Value::KeyedMap(pairs) => pairs.len(),
        other => return Err(format!("invalid argument for len (type {})", go_type(other))),
    };
    Ok(i64::try_from(len).unwrap_or(i64::MAX))
}

/// `base[from:to]`: arguments are the base, then for each bound whether it is given and its value.
fn slice(args: &[Value]) -> Result<Value, String> {
    let base = arg(args, 0);
    let given = |i: usize| matches!(arg(args, i), Value::Bool(true));
    let to = if given(3) {
        arg(args, 4).clone()
    } else {
        Value::Integer(go_len(base)?)
    };
    let from = if given(1) {
        arg(args, 2).clone()
    } else {
        Value::Integer(0)
    };
    let bounds = |len: usize| -> Result<(usize, usize), String> {
        let length = i64::try_from(len).unwrap_or(i64::MAX);
        let clamp = |mut i: i64| {
            if i < 0 {
                i += length;
            }
            i.clamp(0, length)
        };
        let (a, b) = (clamp(to_int(&from)?), clamp(to_int(&to)?));
        let a = a.min(b);
        Ok((usize::try_from(a).unwrap_or(0), usize::try_from(b).unwrap_or(0)))
    };
    match base {
        Value::Array(items) => {
            let (a, b) = bounds(items.len())?;
            Ok(Value::Array(items.get(a..b).map(<[Value]>::to_vec).unwrap_or_default()))
        }
        Value::Bytes(bytes) => {
            let (a, b) = bounds(bytes.len())?;
            Ok(Value::Bytes(bytes.get(a..b).map(<[u8]>::to_vec).unwrap_or_default()))
        }
        Value::String(s) => {
            let (a, b) = bounds(s.len())?;
            Ok(Value::String(
                String::from_utf8_lossy(s.as_bytes().get(a..b).unwrap_or_default()).into_owned(),
            ))
        }
        _ => Err(format!("cannot slice {}", go_format(&from))),
    }
}

/// The list a predicate builtin walks, as Go's `OpBegin` reads it.
fn iterate(args: &[Value]) -> Result<Value, String> {
    let bytes = |b: &[u8]| Value::Array(b.iter().map(|b| Value::Integer(i64::from(*b))).collect());
    match arg(args, 0) {
        list @ Value::Array(_) => Ok(list.clone()),
        Value::Bytes(b) => Ok(bytes(b)),
        Value::String(s) => Ok(bytes(s.as_bytes())),
        Value::Map(map) if map.is_empty() => Ok(Value::Array(Vec::new())),
        Value::KeyedMap(pairs) if pairs.is_empty() => Ok(Value::Array(Vec::new())),
        Value::Map(_) | Value::KeyedMap(_) => Err("reflect: call of reflect.Value.Index on map Value".to_string()),
        other => Err(format!(
            "reflect: call of reflect.Value.Len on {} Value",
            reflect_kind(other)
        )),
    }
}

/// A map literal: keys must be strings; for a repeated key the first value stays, as in Go.
fn map_literal(args: &[Value]) -> Result<Value, String> {
    let mut pairs = Vec::new();
    for pair in args.chunks(2).rev() {
        let (key, value) = (arg(pair, 0), arg(pair, 1));
        let Value::String(key) = key else {
            return Err(assertion(key, "string"));
        };
        pairs.push((key.clone(), value.clone()));
    }
    let mut seen = std::collections::HashSet::new();
    let kept: Vec<(String, Value)> = pairs
        .into_iter()
        .rev()
        .filter(|(k, _)| seen.insert(k.clone()))
        .collect();
    Ok(kept.into_iter().collect())
}

/// `matches`, `contains`, `startsWith`, `endsWith`: false when either side is nil, else both sides
/// must be strings (`matches` also takes bytes on the left).
fn string_operator(op: &str, args: &[Value]) -> Result<Value, String> {
    let (a, b) = (arg(args, 0), arg(args, 1));
    if a.is_nil() || b.is_nil() {
        return Ok(Value::Bool(false));
    }
    if op == "matches" {
        let Value::String(pattern) = b else {
            return Err(assertion(b, "string"));
        };
        return match a {
            Value::String(s) => Ok(Value::Bool(go_regex(pattern)?.is_match(s))),
            Value::Bytes(bytes) => Ok(Value::Bool(go_bytes_regex(pattern)?.is_match(bytes))),
            other => Err(assertion(other, "[]uint8")),
        };
    }
    let Value::String(x) = a else {
        return Err(assertion(a, "string"));
    };
    let Value::String(y) = b else {
        return Err(assertion(b, "string"));
    };
    Ok(Value::Bool(match op {
        "contains" => x.contains(y.as_str()),
        "startsWith" => x.starts_with(y.as_str()),
        _ => x.ends_with(y.as_str()),
    }))
}

/// A Go (RE2) pattern for the `regex` crate. Go's `\d`, `\w`, `\s` and `\b` are ASCII-only; inside a
/// class RE2 reads `[` (unless it opens `[:name:]`), `&` and `~` literally where the crate would nest
/// classes or combine them; a `]` right after the opening `[` or `[^` is literal in both.
fn go_pattern(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 8);
    let chars: Vec<char> = pattern.chars().collect();
    let mut in_class = false;
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        i += 1;
        match c {
            '\\' => {
                let Some(&e) = chars.get(i) else {
                    out.push('\\');
                    break;
                };
                i += 1;
                let replacement = match e {
                    'd' if in_class => "0-9",
                    'd' => "[0-9]",
                    'D' => "[^0-9]",
                    'w' if in_class => "0-9A-Za-z_",
                    'w' => "[0-9A-Za-z_]",
                    'W' => "[^0-9A-Za-z_]",
                    's' if in_class => r"\t\n\f\r ",
                    's' => r"[\t\n\f\r ]",
                    'S' => r"[^\t\n\f\r ]",
                    'b' if !in_class => r"(?-u:\b)",
                    'B' if !in_class => r"(?-u:\B)",
                    _ => {
                        out.push('\\');
                        out.push(e);
                        continue;
                    }
                };
                out.push_str(replacement);
            }
            '[' if !in_class => {
                in_class = true;
                out.push('[');
                if chars.get(i) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
                if chars.get(i) == Some(&']') {
                    out.push_str("\\]");
                    i += 1;
                }
            }
            '[' if chars.get(i) == Some(&':') => {
                // `[:alpha:]`: copied up to its closing `:]`.
                out.push('[');
                while let Some(&p) = chars.get(i) {
                    i += 1;
                    out.push(p);
                    if p == ':' && chars.get(i) == Some(&']') {
                        out.push(']');
                        i += 1;
                        break;
                    }
                }
            }
            '[' | '&' | '~' if in_class => {
                out.push('\\');
                out.push(c);
            }
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            _ => out.push(c),
        }
    }
    out
}

fn go_regex(pattern: &str) -> Result<regex::Regex, String> {
    regex::RegexBuilder::new(&go_pattern(pattern))
        .octal(true)
        .build()
        .map_err(|e| regex_error(pattern, &e))
}

fn go_bytes_regex(pattern: &str) -> Result<regex::bytes::Regex, String> {
    regex::bytes::RegexBuilder::new(&go_pattern(pattern))
        .octal(true)
        .build()
        .map_err(|e| regex_error(pattern, &e))
}

fn regex_error(pattern: &str, error: &regex::Error) -> String {
    let detail = error.to_string();
    let reason = detail
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("error: "))
        .unwrap_or(detail.trim());
    format!("error parsing regexp: {reason}: `{pattern}`")
}

/// Upstream's `asInt`: numbers (truncated) and decimal strings.
fn as_int(args: &[Value]) -> Result<Value, String> {
    match arg(args, 0) {
        Value::Float(f) => Ok(Value::Integer(float_to_int(*f))),
        Value::Integer(i) => Ok(Value::Integer(*i)),
        Value::String(s) => parse_go_int(s, 10)
            .map(Value::Integer)
            .map_err(|e| format!("strconv.ParseInt: parsing {}: {e}", go_quote(s))),
        other => Err(format!(
            "asInt() not supported on {} {}",
            go_type(other),
            go_format(other)
        )),
    }
}

/// Upstream's `asFloat`: numbers and numeric strings.
fn as_float(args: &[Value]) -> Result<Value, String> {
    match arg(args, 0) {
        Value::Float(f) => Ok(Value::Float(*f)),
        Value::Integer(i) => Ok(Value::Float(*i as f64)),
        Value::String(s) => parse_go_float(s)
            .map(Value::Float)
            .map_err(|e| format!("strconv.ParseFloat: parsing {}: {e}", go_quote(s))),
        other => Err(format!(
            "asFloat() not supported on {} {}",
            go_type(other),
            go_format(other)
        )),
    }
}

/// The argument of `isNaN` / `isInf` (Go's `func(float64) bool`; integer literals are converted).
fn float_argument(args: &[Value]) -> Result<f64, String> {
    match arg(args, 0) {
        Value::Float(f) => Ok(*f),
        Value::Integer(i) => Ok(*i as f64),
        other => Err(assertion(other, "float64")),
    }
}

// ------------------------------------------------------------------------------------------------
// Go's formatting
// ------------------------------------------------------------------------------------------------

/// Go's `strconv.Quote`.
fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if c.is_control() => {
                let n = u32::from(c);
                let _ = if n < 0x80 {
                    write!(out, "\\x{n:02x}")
                } else {
                    write!(out, "\\u{n:04x}")
                };
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Go's `%v` of a decoded value.
#[allow(unreachable_patterns)]
fn go_format(value: &Value) -> String {
    let list = |items: Vec<String>| format!("[{}]", items.join(" "));
    match value {
        Value::Nil => "<nil>".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Integer(i) => i.to_string(),
        Value::Float(f) => go_float(*f),
        Value::String(s) => s.clone(),
        Value::Array(items) => list(items.iter().map(go_format).collect()),
        Value::Bytes(bytes) => list(bytes.iter().map(u8::to_string).collect()),
        Value::Map(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            let entries: Vec<String> = entries
                .into_iter()
                .map(|(k, v)| format!("{k}:{}", go_format(v)))
                .collect();
            format!("map[{}]", entries.join(" "))
        }
        Value::KeyedMap(pairs) => {
            let entries: Vec<String> = pairs
                .iter()
                .map(|(k, v)| format!("{}:{}", go_format(k), go_format(v)))
                .collect();
            format!("map[{}]", entries.join(" "))
        }
        _ => String::new(),
    }
}

/// Go's `%v` of a float64 (`strconv.FormatFloat(f, 'g', -1, 64)`).
fn go_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    // Rust's `{:e}` gives the shortest digits that round-trip, as Go's formatter does.
    let scientific = format!("{:e}", f.abs());
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((scientific.as_str(), "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if f < 0.0 { "-" } else { "" };
    if !(-4..6).contains(&exponent) {
        let (head, tail) = digits.split_at(1.min(digits.len()));
        let tail = if tail.is_empty() {
            String::new()
        } else {
            format!(".{tail}")
        };
        let exponent_sign = if exponent < 0 { '-' } else { '+' };
        return format!("{sign}{head}{tail}e{exponent_sign}{:02}", exponent.abs());
    }
    let point = usize::try_from(exponent + 1).unwrap_or(0);
    if exponent < 0 {
        let zeros = "0".repeat(usize::try_from(-exponent - 1).unwrap_or(0));
        format!("{sign}0.{zeros}{digits}")
    } else if digits.len() <= point {
        format!("{sign}{digits}{}", "0".repeat(point - digits.len()))
    } else {
        let (whole, fraction) = digits.split_at(point);
        format!("{sign}{whole}.{fraction}")
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use serde_json::json;

    use super::*;

    fn value(j: serde_json::Value) -> MetricValue {
        MetricValue::from(j)
    }

    /// What a case expects: a verdict, or the exact error text.
    enum Want {
        Is(bool),
        Fails(&'static str),
    }
    use Want::{Fails, Is};

    fn check(cases: Vec<(MetricValue, &str, Want)>) {
        let mut failures = Vec::new();
        for (result, expression, want) in cases {
            let got = evaluate(expression, &result);
            let ok = match (&want, &got) {
                (Is(w), Ok(g)) => w == g,
                (Fails(w), Err(e)) => e.to_string() == *w,
                _ => false,
            };
            if !ok {
                let want = match want {
                    Is(b) => format!("Ok({b})"),
                    Fails(m) => format!("Err({m:?})"),
                };
                failures.push(format!("{expression:?} on {result:?}: want {want}, got {got:?}"));
            }
        }
        assert!(
            failures.is_empty(),
            "{} case(s) failed:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }

    /// Every example of the behaviour spec (§3.3), on a result that exercises it.
    #[test]
    fn spec_examples() {
        check(vec![
            (value(json!([0.96])), "result[0] >= 0.95", Is(true)),
            (value(json!([0.5])), "result[0] >= 0.95", Is(false)),
            (value(json!([0.005])), "result[0] <= 0.01", Is(true)),
            (value(json!([0.02])), "result[0] <= 0.01", Is(false)),
            (value(json!(0.97)), "result >= 0.95", Is(true)),
            (
                MetricValue::Number(f64::NAN),
                "isNaN(result) || result >= 0.95",
                Is(true),
            ),
            (value(json!(0.99)), "isNaN(result) || result >= 0.95", Is(true)),
            (value(json!(0.5)), "isNaN(result) || result >= 0.95", Is(false)),
            (MetricValue::Null, "default(result, 0) < 0.05", Is(true)),
            (value(json!(0.01)), "default(result, 0) < 0.05", Is(true)),
            (value(json!(0.1)), "default(result, 0) < 0.05", Is(false)),
            (value(json!("It worked!")), "result == 'It worked!'", Is(true)),
            (value(json!("It failed")), "result == 'It worked!'", Is(false)),
            (
                value(json!({"major": "1", "minor": "28"})),
                "result.major == '1'",
                Is(true),
            ),
            (
                value(json!({"successRate": 0.99})),
                "result.successRate >= 0.95",
                Is(true),
            ),
            (value(json!("1.1")), "asFloat(result) >= 1.1", Is(true)),
            (value(json!("1")), "asInt(result) == 1", Is(true)),
            (value(json!([2, 2])), "2 in result", Is(true)),
            (value(json!([1, 3])), "2 in result", Is(false)),
            (value(json!([0.01, 0.04])), "max(result) < 0.05", Is(true)),
            (value(json!([0.01, 0.07])), "max(result) < 0.05", Is(false)),
            (value(json!([1])), "len(result) > 0", Is(true)),
            (value(json!([])), "len(result) > 0", Is(false)),
            (value(json!({"Status": 999})), "result.Status == 999", Is(true)),
            (value(json!({"Status": -1})), "result.Status == -1", Is(true)),
            (
                value(json!("true")),
                "result == \"{{args.success-condition}}\"",
                Is(false),
            ),
            (value(json!("true")), "result == \"true\"", Is(true)),
        ]);
    }

    /// upstream's `utils/evaluate/evaluate_test.go`, case by case.
    #[test]
    fn upstream_evaluator_cases() {
        let apdex = value(json!({"service_apdex": {"label": null, "values": {"values": [2, 2]}}}));
        check(vec![
            (value(json!(true)), "result == true", Is(true)),
            (value(json!(true)), "result == false", Is(false)),
            (value(json!(true)), "1", Fails("expected bool, but got int")),
            (
                value(json!(true)),
                "invalidVariable",
                Fails("unknown name invalidVariable"),
            ),
            (apdex, "all(result.service_apdex.values.values, {# > 1})", Is(true)),
            (value(json!([2.0, 2.0])), "2 in result", Is(true)),
            (value(json!(5.0)), "result > 1", Is(true)),
            (
                value(json!(true)),
                "result.Name() == 'hi'",
                Fails("type bool has no method Name"),
            ),
            (
                value(json!("1.1")),
                "asInt(result) == 1.1",
                Fails("strconv.ParseInt: parsing \"1.1\": invalid syntax"),
            ),
            (value(json!("1")), "asInt(result) == 1", Is(true)),
            (value(json!(1)), "asInt(result) == 1", Is(true)),
            (value(json!(1.123)), "asInt(result) == 1", Is(true)),
            (
                value(json!("NotANum")),
                "asFloat(result) == 1.1",
                Fails("strconv.ParseFloat: parsing \"NotANum\": invalid syntax"),
            ),
            (
                value(json!("1.1")),
                "asFloat(result) == \"1.1\"",
                Fails("invalid operation: == (mismatched types float64 and string)"),
            ),
            (value(json!("1.1")), "asFloat(result) == 1.1", Is(true)),
            (value(json!("1.1")), "asFloat(result) >= 1.1", Is(true)),
            (value(json!("1.1")), "asFloat(result) <= 1.1", Is(true)),
            (value(json!(1.1)), "asFloat(result) == 1.1", Is(true)),
            (value(json!(1)), "asFloat(result) == 1", Is(true)),
            (value(json!(1)), "asFloat(result) >= 1", Is(true)),
            (
                value(json!("notint")),
                "asInt(result) == 1",
                Fails("strconv.ParseInt: parsing \"notint\": invalid syntax"),
            ),
            (
                value(json!("notfloat")),
                "asFloat(result) == 1",
                Fails("strconv.ParseFloat: parsing \"notfloat\": invalid syntax"),
            ),
            (MetricValue::Number(f64::INFINITY), "isInf(result)", Is(true)),
            (value(json!(0.0)), "isInf(result)", Is(false)),
            // `default` and `isNil` look at `result`, whatever they are given.
            (MetricValue::Null, "default(result, 0) == 0", Is(true)),
            (MetricValue::Null, "default(result, 1) == 1", Is(true)),
            (MetricValue::Null, "default(result, 2) == 2", Is(true)),
            (value(json!(1.0)), "default(result, 0) == 1", Is(true)),
            (value(json!(1.0)), "default(nil, 0) == 1", Is(true)),
            (MetricValue::Null, "default(5, 7) == 7", Is(true)),
            (MetricValue::Null, "isNil(result)", Is(true)),
            (MetricValue::Null, "isNil(1)", Is(true)),
            (value(json!(1.0)), "isNil(result)", Is(false)),
            (value(json!(1.0)), "isNil(nil)", Is(false)),
            (value(json!(["hi", "hello"])), "isNil(result)", Is(false)),
            (value(json!(false)), "isNil(result)", Is(false)),
        ]);
    }

    #[test]
    fn numbers_are_go_float64() {
        check(vec![
            (value(json!(10)), "result == 10", Is(true)),
            (value(json!(10.0)), "result == 10", Is(true)),
            (value(json!(10.0)), "result == 10.0", Is(true)),
            (value(json!(10.0)), "result != 10", Is(false)),
            (value(json!([10.0])), "result[0] == 10", Is(true)),
            (value(json!([10.0])), "10 in result", Is(true)),
            (value(json!([1, 2])), "result == [1, 2]", Is(true)),
            (value(json!({"a": 1})), "result == {a: 1}", Is(false)),
            (value(json!({"a": 1})), "result == {a: 1.0}", Is(true)),
            (value(json!(5)), "result / 2 == 2.5", Is(true)),
            (value(json!(5)), "asInt(result) / 2 == 2.5", Is(true)),
            (value(json!(5)), "asInt(result) % 2 == 1", Is(true)),
            (value(json!(2)), "result ** 3 == 8", Is(true)),
            (value(json!(2)), "result ^ 3 == 8", Is(true)),
            (value(json!(7)), "-result == -7", Is(true)),
            (value(json!(7)), "+result == 7", Is(true)),
            (value(json!(3)), "result in 1..5", Is(true)),
            (value(json!(3.5)), "result in 1..5", Is(false)),
            (value(json!(1e6)), "result == 1_000_000", Is(true)),
            (
                value(json!(255)),
                "result == 0xff && result == 0o377 && result == 0b11111111",
                Is(true),
            ),
            (value(json!(0.5)), "result == .5 && result == 5e-1", Is(true)),
            (value(json!(-2)), "abs(result) == 2", Is(true)),
            (
                value(json!(2.5)),
                "ceil(result) == 3 && floor(result) == 2 && round(result) == 3",
                Is(true),
            ),
            (value(json!(2.7)), "int(result) == 2 && float(\"2.5\") == 2.5", Is(true)),
        ]);
    }

    #[test]
    fn nan_and_infinities_compare_as_in_go() {
        let nan = MetricValue::Number(f64::NAN);
        check(vec![
            (nan.clone(), "result >= 0.95", Is(false)),
            (nan.clone(), "result < 0.95", Is(false)),
            (nan.clone(), "result == result", Is(false)),
            (nan.clone(), "result != result", Is(true)),
            (nan.clone(), "isNaN(result)", Is(true)),
            (nan.clone(), "isInf(result)", Is(false)),
            (nan.clone(), "not (result > 1)", Is(true)),
            (nan.clone(), "default(result, 0) == 0", Is(false)),
            (
                MetricValue::from(vec![f64::NAN, 1.0]),
                "isNaN(result[0]) && !isNaN(result[1])",
                Is(true),
            ),
            (
                MetricValue::from(vec![f64::NAN]),
                "result[0] > 1 || result[0] <= 1",
                Is(false),
            ),
            (MetricValue::from(vec![f64::NAN]), "all(result, isNaN(#))", Is(true)),
            (MetricValue::Number(f64::INFINITY), "result > 1e308", Is(true)),
            (
                MetricValue::Number(f64::NEG_INFINITY),
                "result < 0 && isInf(result)",
                Is(true),
            ),
            (value(json!(1.0)), "isNaN(1) || isInf(2)", Is(false)),
        ]);
    }

    #[test]
    fn builtins_and_predicates() {
        let list = value(json!([1, 2, 3]));
        let series = value(json!([{"Values": [0.001, 0.002, 0.003, 0.004, 0.005]}]));
        check(vec![
            (list.clone(), "all(result, # < 1000)", Is(true)),
            (list.clone(), "all(result, {# > 1})", Is(false)),
            (list.clone(), "any(result, # > 2)", Is(true)),
            (list.clone(), "none(result, # > 5)", Is(true)),
            (list.clone(), "one(result, # == 2)", Is(true)),
            (list.clone(), "len(filter(result, # > 1)) == 2", Is(true)),
            (list.clone(), "map(result, # * 2)[2] == 6", Is(true)),
            (list.clone(), "map(result, #index)[1] == 1", Is(true)),
            (list.clone(), "count(result, # > 1) == 2", Is(true)),
            (list.clone(), "count(map(result, # > 1)) == 2", Is(true)),
            (list.clone(), "sum(result) == 6 && sum(result, # * 2) == 12", Is(true)),
            (list.clone(), "min(result) == 1 && max(result) == 3", Is(true)),
            (list.clone(), "mean(result) == 2 && median(result) == 2", Is(true)),
            (
                list.clone(),
                "find(result, # > 1) == 2 && findIndex(result, # > 1) == 1",
                Is(true),
            ),
            (
                list.clone(),
                "findLast(result, # > 1) == 3 && findLastIndex(result, # > 1) == 2",
                Is(true),
            ),
            (list.clone(), "reduce(result, #acc + #, 0) == 6", Is(true)),
            (list.clone(), "first(result) == 1 && last(result) == 3", Is(true)),
            (list.clone(), "result | all(# > 0)", Is(true)),
            (list.clone(), "(result | map(# + 1) | sum()) == 9", Is(true)),
            (
                list.clone(),
                "result[-1] == 3 && result[1:][0] == 2 && len(result[:2]) == 2",
                Is(true),
            ),
            (
                list.clone(),
                "len(sort(result, \"desc\")) == 3 && sort(result, \"desc\")[0] == 3",
                Is(true),
            ),
            (list.clone(), "all(result, {let x = # * 2; x > 1})", Is(true)),
            (list.clone(), "all(result, {all([#], # > 0)})", Is(true)),
            (list.clone(), "len(groupBy(result, # > 1)[true]) == 2", Is(true)),
            (
                series.clone(),
                "len(result[0].Values) >= 5 and all(result[0].Values, {# <= 0.01})",
                Is(true),
            ),
            (
                value(json!({"service_apdex": {"values": {"values": [{"value": "9950"}, {"value": "9990"}]}}})),
                "all(result.service_apdex.values.values, {asFloat(.value) >= 9900})",
                Is(true),
            ),
            (
                value(json!({"ok": true, "successPercent": 0.95})),
                "result.ok && result.successPercent >= 0.90",
                Is(true),
            ),
            (
                value(json!({"ok": false, "successPercent": 0.95})),
                "result.ok && result.successPercent >= 0.90",
                Is(false),
            ),
        ]);
    }

    #[test]
    fn strings_and_the_rest_of_the_grammar() {
        let text = value(json!("hello world"));
        check(vec![
            (text.clone(), "result contains \"world\"", Is(true)),
            (
                text.clone(),
                "result startsWith \"hello\" && result endsWith \"world\"",
                Is(true),
            ),
            (text.clone(), "result matches \"^h.*d$\"", Is(true)),
            (
                text.clone(),
                "result not contains \"x\" and result not matches '^x'",
                Is(true),
            ),
            (text.clone(), "result matches '\\\\w+ \\\\w+'", Is(true)),
            (value(json!("٣")), "result matches '\\\\d'", Is(false)),
            (value(json!("a[b")), "result matches '[[]'", Is(true)),
            (value(json!("a&b")), "result matches '^a[&~]b$'", Is(true)),
            (
                value(json!("]")),
                "result matches '^[]a]$' && result matches '^[^a]$'",
                Is(true),
            ),
            (
                value(json!("x1")),
                "result matches '^[[:alpha:]][[:digit:]]$'",
                Is(true),
            ),
            (value(json!("A")), "result matches '\\\\101'", Is(true)),
            (
                value(json!("é b")),
                "result matches '\\\\bb\\\\b' && !(result matches '\\\\w\\\\s')",
                Is(true),
            ),
            (
                text.clone(),
                "upper(result) == \"HELLO WORLD\" && len(result) == 11",
                Is(true),
            ),
            (value(json!("é")), "len(result) == 2", Is(true)),
            (text.clone(), "split(result, \" \")[1] == `world`", Is(true)),
            (
                text.clone(),
                "\"o w\" in result",
                Fails("invalid operation: in (mismatched types string and string)"),
            ),
            (text.clone(), "result[0:5] == 'hello'", Is(true)),
            (text.clone(), "'a\\tb' == \"a\\u0009b\" && \"\\x41\" == 'A'", Is(true)),
            (value(json!(5)), "result > 1 ? true : false", Is(true)),
            (value(json!(5)), "(result > 1 ? 'a' : 'b') == 'a'", Is(true)),
            (value(json!(5)), "if result > 1 { true } else { false }", Is(true)),
            (value(json!(3)), "1 < result < 10", Is(true)),
            (value(json!(30)), "1 < result < 10", Is(false)),
            (value(json!(3)), "let x = result * 2; x > 5", Is(true)),
            (value(json!(3)), "not (result > 5)", Is(true)),
            (value(json!(3)), "result > 0 and not (result > 5)", Is(true)),
            (value(json!(3)), "!(result > 5) // a comment", Is(true)),
            (value(json!(3)), "/* a comment */ result == 3", Is(true)),
            (value(json!({"a": null})), "(result.a ?? 5) == 5", Is(true)),
            (value(json!({})), "result?.b?.c == nil", Is(true)),
            (value(json!({"b": {"c": 1}})), "result?.b?.c == 1", Is(true)),
            (value(json!({})), "result.b?.c.d == nil", Is(true)),
            (value(json!({"b": null})), "result.b?.[0] == nil", Is(true)),
            (value(json!({"a": 1})), "'a' in result && !('b' in result)", Is(true)),
            (
                value(json!({"a": 1})),
                "$env.result.a == 1 && $env?.result?.a == 1",
                Is(true),
            ),
            (
                value(json!({"a": 1})),
                "get(result, 'a') == 1 && get(result, 'b') == nil",
                Is(true),
            ),
            (
                value(json!({"a": 1})),
                "keys(result)[0] == 'a' && values(result)[0] == 1",
                Is(true),
            ),
            (value(json!(1)), "1; 2; result == 1", Is(true)),
            (value(json!(true)), "result ?: false", Is(true)),
        ]);
    }

    /// Errors Go's compiler reports before running anything, with its messages.
    #[test]
    fn compile_errors() {
        let number = value(json!(1.5));
        check(vec![
            (
                number.clone(),
                "result == \"abc\"",
                Fails("invalid operation: == (mismatched types float64 and string)"),
            ),
            (
                value(json!("1")),
                "result > 1",
                Fails("invalid operation: > (mismatched types string and int)"),
            ),
            (
                number.clone(),
                "result + 'x' == '1x'",
                Fails("invalid operation: + (mismatched types float64 and string)"),
            ),
            (
                number.clone(),
                "result % 2 == 1",
                Fails("invalid operation: % (mismatched types float64 and int)"),
            ),
            (number.clone(), "result.x == 1", Fails("type float64 has no field x")),
            (
                value(json!([1])),
                "result.x == 1",
                Fails("array elements can only be selected using an integer (got string)"),
            ),
            (
                value(json!({"a": 1})),
                "result[0] == 1",
                Fails("cannot use int to get an element from map[string]interface {}"),
            ),
            (
                number.clone(),
                "len(result) > 0",
                Fails("invalid argument for len (type float64)"),
            ),
            (
                number.clone(),
                "all(result, # > 1)",
                Fails("builtin all takes only array (got float64)"),
            ),
            (
                value(json!([1])),
                "all([1, 2], # + 1)",
                Fails("predicate should return boolean (got int)"),
            ),
            (
                value(json!([1])),
                "all(result, # + 1)",
                Fails("interface conversion: interface {} is float64, not bool"),
            ),
            (number.clone(), "1 % 0 == 0", Fails("integer divide by zero")),
            (
                number.clone(),
                "isNaN('x')",
                Fails("cannot use string as argument (type float64) to call isNaN "),
            ),
            (
                number.clone(),
                "isNaN(nil)",
                Fails("cannot use nil as argument (type float64) to call isNaN"),
            ),
            (
                number.clone(),
                "asInt() == 1",
                Fails("not enough arguments to call asInt"),
            ),
            (
                number.clone(),
                "asInt(1, 2) == 1",
                Fails("too many arguments to call asInt"),
            ),
            (number.clone(), "foo(1)", Fails("unknown name foo")),
            (number.clone(), "isNaN(result) || foo", Fails("unknown name foo")),
            (number.clone(), "results[0] >= 90.000000", Fails("unknown name results")),
            (
                number.clone(),
                "!result",
                Fails("invalid operation: ! (mismatched type float64)"),
            ),
            (
                number.clone(),
                "result ? 1 : 2",
                Fails("non-bool expression (type float64) used as condition"),
            ),
            (number.clone(), "let result = 1; true", Fails("cannot redeclare result")),
            (
                number.clone(),
                "let len = 1; true",
                Fails("cannot redeclare builtin len"),
            ),
            (
                number.clone(),
                "'a' in 5",
                Fails("invalid operation: in (mismatched types string and int)"),
            ),
            (value(json!([1])), "'a' in result", Is(false)),
            (
                value(json!({"a": 1})),
                "1 in result",
                Fails("cannot use int as type string in map key"),
            ),
            (number.clone(), "all([1], #index > 0)", Fails("unknown pointer #index")),
            (
                number.clone(),
                "result matches '('",
                Fails("error parsing regexp: unclosed group: `(`"),
            ),
            (
                MetricValue::Null,
                "result > 1",
                Fails("invalid operation: > (mismatched types unknown and int)"),
            ),
            (MetricValue::Null, "result?.x == nil", Fails("type nil has no field x")),
            (MetricValue::Null, "result == nil", Is(true)),
        ]);
    }

    /// Errors of Go's runtime (values whose type only shows when the expression runs).
    #[test]
    fn runtime_errors() {
        check(vec![
            (
                value(json!({"a": "x"})),
                "result.a > 1",
                Fails("invalid operation: string > int"),
            ),
            (
                value(json!({"a": "x"})),
                "result.a + 1 > 1",
                Fails("invalid operation: string + int"),
            ),
            (value(json!({"a": 1})), "result.a == 'x'", Is(false)),
            (
                value(json!([1])),
                "result[5] == 1",
                Fails("index out of range: 5 (array length is 1)"),
            ),
            (
                value(json!([1])),
                "result[-2] == 1",
                Fails("index out of range: -1 (array length is 1)"),
            ),
            (
                value(json!({"a": 1})),
                "result.a.b == 1",
                Fails("cannot fetch b from float64"),
            ),
            (value(json!({})), "result.a.b == 1", Fails("cannot fetch b from <nil>")),
            (
                value(json!({"a": "x"})),
                "asInt(result.a) == 1",
                Fails("strconv.ParseInt: parsing \"x\": invalid syntax"),
            ),
            (
                value(json!(true)),
                "asInt(result) == 1",
                Fails("asInt() not supported on bool true"),
            ),
            (
                MetricValue::Null,
                "asInt(result) == 1",
                Fails("asInt() not supported on <nil> <nil>"),
            ),
            (
                value(json!({"a": [1, 2.5]})),
                "asFloat(result.a) > 0",
                Fails("asFloat() not supported on []interface {} [1 2.5]"),
            ),
            (
                value(json!({"b": 1.5e6, "a": "x"})),
                "asFloat(result) > 0",
                Fails("asFloat() not supported on map[string]interface {} map[a:x b:1.5e+06]"),
            ),
            (
                value(json!("1e400")),
                "asFloat(result) > 0",
                Fails("strconv.ParseFloat: parsing \"1e400\": value out of range"),
            ),
            (
                value(json!("99999999999999999999")),
                "asInt(result) > 0",
                Fails("strconv.ParseInt: parsing \"99999999999999999999\": value out of range"),
            ),
            (
                value(json!({"a": 1})),
                "result.a && result.b",
                Fails("interface conversion: interface {} is float64, not bool"),
            ),
            (
                value(json!({})),
                "result.a || result.b",
                Fails("interface conversion: interface {} is nil, not bool"),
            ),
            (
                value(json!({"a": true, "b": 2})),
                "result.a && result.b",
                Fails("expected bool, but got float64"),
            ),
            (
                value(json!({"a": [1, "x"]})),
                "all(result.a, # > 0)",
                Fails("invalid operation: string > int"),
            ),
            (
                value(json!({"a": [1]})),
                "all(result.a, #)",
                Fails("interface conversion: interface {} is float64, not bool"),
            ),
            (
                value(json!({"a": 1})),
                "all(result.a, # > 0)",
                Fails("reflect: call of reflect.Value.Len on float64 Value"),
            ),
            (
                value(json!({"a": 1})),
                "isNaN(result.b)",
                Fails("interface conversion: interface {} is nil, not float64"),
            ),
            (
                value(json!({"a": 1})),
                "result.a % 0 == 0",
                Fails("invalid operation: float64 % int"),
            ),
            (
                value(json!(1)),
                "asInt(result) % 0 == 0",
                Fails("runtime error: integer divide by zero"),
            ),
            (
                value(json!({"a": 1})),
                "result.a contains 'x'",
                Fails("interface conversion: interface {} is float64, not string"),
            ),
            (value(json!({})), "result.a contains 'x'", Is(false)),
            (
                value(json!({"a": 5})),
                "1 in result.a",
                Fails("operator \"in\" not defined on float64"),
            ),
            (value(json!(1)), "len(1..2000000) > 0", Fails("memory budget exceeded")),
            (value(json!(1)), "len(1..1000000) > 0", Fails("memory budget exceeded")),
            (value(json!(1)), "len(5..1) == 0", Is(true)),
            (
                value(json!({"a": 1})),
                "result.a() == 1",
                Fails("invalid operation: cannot call non-function of type float64"),
            ),
            (
                value(json!({"a": 1})),
                "result.b(1) == 1",
                Fails("invalid operation: cannot call nil"),
            ),
            (value(json!({"a": "é"})), "upper(result.a) == 'É'", Is(true)),
        ]);
    }

    /// Go's optimizer rewrites that change what an expression does.
    #[test]
    fn optimizer_rewrites() {
        check(vec![
            (value(json!({})), "result.a.b && false", Is(false)),
            (value(json!({})), "true || result.a.b", Is(true)),
            (
                value(json!({"a": 1})),
                "result.a && true",
                Fails("expected bool, but got float64"),
            ),
            (
                value(json!({"a": 1})),
                "result.a in ['x', 'y']",
                Fails("reflect.Value.MapIndex: value of type float64 is not assignable to type string"),
            ),
            (
                value(json!({"a": "y"})),
                "result.a in ['x', 'y'] && !(result.b in ['x'])",
                Is(true),
            ),
            (value(json!([2, "x"])), "count(result, # > 1) > 0", Is(true)),
            (
                value(json!([2, "x"])),
                "count(result, # > 1) >= 2",
                Fails("invalid operation: string > int"),
            ),
            (
                value(json!(1)),
                "2 + 3 == 5 && 'a' + 'b' == 'ab' && -(1) == -1",
                Is(true),
            ),
        ]);
    }

    #[test]
    fn results_that_are_not_bool() {
        check(vec![
            (value(json!(1.5)), "result", Fails("expected bool, but got float64")),
            (value(json!("x")), "result", Fails("expected bool, but got string")),
            (
                value(json!([1])),
                "result",
                Fails("expected bool, but got []interface {}"),
            ),
            (
                value(json!({"a": 1})),
                "result",
                Fails("expected bool, but got map[string]interface {}"),
            ),
            (MetricValue::Null, "result", Fails("expected bool, but got <nil>")),
            (
                value(json!("1")),
                "asInt(result)",
                Fails("expected bool, but got int64"),
            ),
            (value(json!([1])), "len(result)", Fails("expected bool, but got int")),
            (
                value(json!([1])),
                "map(result, #)",
                Fails("expected bool, but got []interface {}"),
            ),
            (
                value(json!({"a": "x"})),
                "result.a",
                Fails("expected bool, but got string"),
            ),
            (value(json!({"a": true})), "result.a", Is(true)),
            (value(json!(1)), "nil", Fails("expected bool, but got <nil>")),
            (value(json!(1)), "'x' + 'y'", Fails("expected bool, but got string")),
            (
                value(json!(1)),
                "split('a,b', ',')",
                Fails("expected bool, but got []string"),
            ),
        ]);
    }

    #[test]
    fn malformed_expressions_are_errors() {
        let r = value(json!(1));
        check(vec![
            (r.clone(), "", Fails("unexpected token EOF")),
            (r.clone(), "result >=", Fails("unexpected token EOF")),
            (r.clone(), "result == 'abc", Fails("literal not terminated")),
            (r.clone(), "(result > 1", Fails("unexpected token EOF")),
            (r.clone(), "result > 1)", Fails("unexpected token Bracket(\")\")")),
            (r.clone(), "result @ 1", Fails("unrecognized character: U+0040 '@'")),
            (r.clone(), "result.", Fails("unexpected end of expression")),
            (r.clone(), "result == = 1", Fails("unexpected token Operator(\"=\")")),
            (r.clone(), "all(result)", Fails("expected at least 2 arguments")),
            (r.clone(), "1a", Fails("bad number syntax: \"1a\"")),
            (r.clone(), "'\\q'", Fails("invalid char escape")),
            (r.clone(), "# > 1", Fails("unexpected token Operator(\"#\")")),
            (r.clone(), "result not 1", Fails("unexpected token Number(\"1\")")),
            (
                r.clone(),
                "1 ?? 2 + 3",
                Fails("Operator (+) and coalesce expressions (??) cannot be mixed. Wrap either by parentheses."),
            ),
            (
                r.clone(),
                "99999999999999999999 > 1",
                Fails(
                    "invalid integer literal: strconv.ParseInt: parsing \"99999999999999999999\": value out of range",
                ),
            ),
            (r.clone(), "/* never closed", Fails("unclosed comment")),
            (r.clone(), "{a: 1", Fails("unexpected token EOF")),
            (r.clone(), "result >= 0.95 &&", Fails("unexpected token EOF")),
            (
                r.clone(),
                "{{args.threshold}} < result",
                Fails(
                    "a map key must be a quoted string, a number, a identifier, or an expression enclosed in parentheses (unexpected token Bracket(\"{\"))",
                ),
            ),
        ]);
    }

    #[test]
    fn deep_and_large_expressions_do_not_crash() {
        let r = value(json!(1));
        let nested = format!("{}result == 1{}", "(".repeat(300), ")".repeat(300));
        assert_eq!(evaluate(&nested, &r), Ok(true));
        let chain = format!("result == 1{}", " && true".repeat(300));
        assert_eq!(evaluate(&chain, &r), Ok(true));
        // The deepest expressions allowed, of the shapes that recurse most when printed and run.
        let ands = format!("result == 1{}", " && result == 1".repeat(195));
        assert_eq!(evaluate(&ands, &r), Ok(true));
        let nots = format!("{}(result == 1)", "!".repeat(384));
        assert_eq!(evaluate(&nots, &r), Ok(true));
        let sums = format!("result{} > 0", " + 1".repeat(385));
        assert_eq!(evaluate(&sums, &r), Ok(true));
        let predicates = format!("{}true{}", "all([1], {".repeat(130), "})".repeat(130));
        assert_eq!(evaluate(&predicates, &r), Ok(true));
        let too_deep = format!("{}result == 1{}", "(".repeat(1000), ")".repeat(1000));
        assert!(matches!(evaluate(&too_deep, &r), Err(ConditionError::Compile(m)) if m.contains("nested")));
        let too_many = format!("result == 1{}", " || false".repeat(6000));
        assert!(matches!(evaluate(&too_many, &r), Err(ConditionError::Compile(_))));
    }

    #[test]
    fn evaluate_result_truth_table() {
        let r = value(json!(true));
        let cases = [
            ("true", "false", Ok(AnalysisPhase::Successful)),
            ("true", "true", Ok(AnalysisPhase::Failed)),
            ("false", "true", Ok(AnalysisPhase::Failed)),
            ("false", "false", Ok(AnalysisPhase::Inconclusive)),
            ("", "false", Ok(AnalysisPhase::Successful)),
            ("", "true", Ok(AnalysisPhase::Failed)),
            ("false", "", Ok(AnalysisPhase::Failed)),
            ("true", "", Ok(AnalysisPhase::Successful)),
            ("", "", Ok(AnalysisPhase::Successful)),
            (
                "a == true",
                "true",
                Err("could not evaluate successCondition \"a == true\": unknown name a".to_string()),
            ),
            (
                "true",
                "a == true",
                Err("could not evaluate failureCondition \"a == true\": unknown name a".to_string()),
            ),
            (
                "a",
                "b",
                Err("could not evaluate successCondition \"a\": unknown name a".to_string()),
            ),
            ("result", "", Ok(AnalysisPhase::Successful)),
            (
                "1",
                "",
                Err("could not evaluate successCondition \"1\": expected bool, but got int".to_string()),
            ),
        ];
        for (success, failure, want) in cases {
            assert_eq!(evaluate_result(&r, success, failure), want, "{success:?} / {failure:?}");
        }
    }

    #[test]
    fn evaluate_result_explains_missing_data() {
        let no_data = "could not evaluate successCondition \"result[0] >= 0.95\": metric result is nil or empty: no data \
                       returned from the metric provider";
        assert_eq!(
            evaluate_result(&MetricValue::Null, "result[0] >= 0.95", ""),
            Err(no_data.to_string())
        );
        assert_eq!(
            evaluate_result(&MetricValue::Array(Vec::new()), "result[0] >= 0.95", ""),
            Err(no_data.to_string())
        );
        assert_eq!(
            evaluate_result(&MetricValue::Array(Vec::new()), "true", "result[0] < 0.5"),
            Err(no_data.replace(
                "successCondition \"result[0] >= 0.95\"",
                "failureCondition \"result[0] < 0.5\""
            ))
        );
        // A condition written for missing data still works.
        assert_eq!(
            evaluate_result(&MetricValue::Null, "default(result, 0) < 0.05", ""),
            Ok(AnalysisPhase::Successful)
        );
        assert_eq!(
            evaluate_result(&MetricValue::Array(Vec::new()), "len(result) == 0", ""),
            Ok(AnalysisPhase::Successful)
        );
        assert_eq!(
            evaluate_result(&value(json!([0.5])), "result[0] >= 0.95 && bogus", ""),
            Err("could not evaluate successCondition \"result[0] >= 0.95 && bogus\": unknown name bogus".to_string())
        );
    }

    #[test]
    fn go_formatting() {
        let cases = [
            (0.5, "0.5"),
            (1.0, "1"),
            (-2.25, "-2.25"),
            (123_456.0, "123456"),
            (1e6, "1e+06"),
            (1_234_567.0, "1.234567e+06"),
            (1e-5, "1e-05"),
            (0.0001, "0.0001"),
            (1e21, "1e+21"),
            (f64::NAN, "NaN"),
            (f64::NEG_INFINITY, "-Inf"),
        ];
        for (f, want) in cases {
            assert_eq!(go_float(f), want, "{f}");
        }
        assert_eq!(go_quote("a\"b\\c\n\u{1}"), "\"a\\\"b\\\\c\\n\\x01\"");
    }
}
