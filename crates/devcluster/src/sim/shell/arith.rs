//! `$((...))`: integer arithmetic with `+ - * / %`, comparisons, `&& ||`, unary `- + !`, parentheses
//! and variables by name. The text has had its `$` expansions done already.

use std::collections::HashMap;

/// The value of `expr`, or why it has none.
pub(super) fn eval(expr: &str, vars: &HashMap<String, String>) -> Result<i64, String> {
    let toks = tokens(expr)?;
    let mut p = Parser { toks, at: 0, vars };
    let v = p.binary(0)?;
    match p.toks.get(p.at) {
        None => Ok(v),
        Some(t) => Err(format!("unexpected `{t}` in arithmetic expression `{expr}`")),
    }
}

fn tokens(expr: &str) -> Result<Vec<String>, String> {
    let chars: Vec<char> = expr.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c.is_ascii_alphanumeric() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(chars[start..i].iter().collect());
        } else {
            let two: String = chars[i..chars.len().min(i + 2)].iter().collect();
            if ["<=", ">=", "==", "!=", "&&", "||"].contains(&two.as_str()) {
                out.push(two);
                i += 2;
            } else if "+-*/%()<>!".contains(c) {
                out.push(c.to_string());
                i += 1;
            } else {
                return Err(format!("`{c}` is not supported in arithmetic expression `{expr}`"));
            }
        }
    }
    Ok(out)
}

struct Parser<'a> {
    toks: Vec<String>,
    at: usize,
    vars: &'a HashMap<String, String>,
}

/// Binary operators by precedence level, loosest first.
const LEVELS: &[&[&str]] = &[
    &["||"],
    &["&&"],
    &["==", "!="],
    &["<", "<=", ">", ">="],
    &["+", "-"],
    &["*", "/", "%"],
];

impl Parser<'_> {
    fn next(&mut self) -> Option<String> {
        let t = self.toks.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn binary(&mut self, level: usize) -> Result<i64, String> {
        if level == LEVELS.len() {
            return self.unary();
        }
        let mut left = self.binary(level + 1)?;
        while let Some(op) = self
            .toks
            .get(self.at)
            .filter(|t| LEVELS[level].contains(&t.as_str()))
            .cloned()
        {
            self.at += 1;
            let right = self.binary(level + 1)?;
            left = apply(&op, left, right)?;
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<i64, String> {
        match self.next().as_deref() {
            Some("-") => Ok(self.unary()?.wrapping_neg()),
            Some("+") => self.unary(),
            Some("!") => Ok(i64::from(self.unary()? == 0)),
            Some("(") => {
                let v = self.binary(0)?;
                match self.next().as_deref() {
                    Some(")") => Ok(v),
                    _ => Err("missing `)` in arithmetic expression".to_string()),
                }
            }
            Some(t) if t.starts_with(|c: char| c.is_ascii_digit()) => number(t),
            Some(name) if name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') => {
                match self.vars.get(name).map(|v| v.trim()) {
                    None | Some("") => Ok(0),
                    Some(v) => number(v).map_err(|_| format!("variable {name}={v:?} is not a number")),
                }
            }
            Some(t) => Err(format!("unexpected `{t}` in arithmetic expression")),
            None => Err("arithmetic expression ends early".to_string()),
        }
    }
}

fn number(t: &str) -> Result<i64, String> {
    let parsed = if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        i64::from_str_radix(hex, 16)
    } else if t.len() > 1 && t.starts_with('0') {
        i64::from_str_radix(&t[1..], 8)
    } else {
        t.parse()
    };
    parsed.map_err(|_| format!("`{t}` is not a number"))
}

fn apply(op: &str, a: i64, b: i64) -> Result<i64, String> {
    Ok(match op {
        "+" => a.wrapping_add(b),
        "-" => a.wrapping_sub(b),
        "*" => a.wrapping_mul(b),
        "/" | "%" if b == 0 => return Err("division by zero".to_string()),
        "/" => a.wrapping_div(b),
        "%" => a.wrapping_rem(b),
        "<" => i64::from(a < b),
        "<=" => i64::from(a <= b),
        ">" => i64::from(a > b),
        ">=" => i64::from(a >= b),
        "==" => i64::from(a == b),
        "!=" => i64::from(a != b),
        "&&" => i64::from(a != 0 && b != 0),
        _ => i64::from(a != 0 || b != 0),
    })
}
