//! Splits a script into words and operators. Words keep their quotes and `$` expansions as written;
//! they are expanded only when their command runs.

use super::ShellError;

/// A word or an operator, with the line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Tok {
    Word(String, usize),
    /// `;`, `&&`, `||`, `|`, `&`, `(`, `)` or `\n`.
    Op(&'static str, usize),
}

const OPS: &[&str] = &["&&", "||", ";", "|", "&", "(", ")", "\n"];

pub(super) fn lex(src: &str) -> Result<Vec<Tok>, ShellError> {
    let chars: Vec<char> = src.chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    let mut line = 1;
    while i < chars.len() {
        let c = chars[i];
        if c == ' ' || c == '\t' || c == '\r' {
            i += 1;
        } else if c == '\\' && chars.get(i + 1) == Some(&'\n') {
            i += 2;
            line += 1;
        } else if c == '#' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if let Some(op) = OPS.iter().find(|op| starts_with(&chars[i..], op)) {
            toks.push(Tok::Op(op, line));
            if *op == "\n" {
                line += 1;
            }
            i += op.len();
        } else if c == '<' || c == '>' {
            return Err(ShellError::syntax(line, "redirections (`<`, `>`) are not supported"));
        } else {
            let start = i;
            let start_line = line;
            i = word_end(&chars, i, &mut line)?;
            toks.push(Tok::Word(chars[start..i].iter().collect(), start_line));
        }
    }
    Ok(toks)
}

fn starts_with(chars: &[char], op: &str) -> bool {
    op.chars().enumerate().all(|(k, c)| chars.get(k) == Some(&c))
}

/// The end of the word starting at `i`: the first unquoted blank or operator character.
fn word_end(chars: &[char], mut i: usize, line: &mut usize) -> Result<usize, ShellError> {
    while i < chars.len() {
        match chars[i] {
            ' ' | '\t' | '\r' | '\n' | ';' | '&' | '|' | '(' | ')' | '<' | '>' => break,
            '\\' => i += 2,
            '\'' => i = quote_end(chars, i, '\'', line)?,
            '"' => i = quote_end(chars, i, '"', line)?,
            '`' => {
                return Err(ShellError::syntax(
                    *line,
                    "backquote command substitution is not supported",
                ));
            }
            '$' if chars.get(i + 1) == Some(&'(') => i = paren_end(chars, i + 1, line)?,
            '$' if chars.get(i + 1) == Some(&'{') => {
                i = chars[i..]
                    .iter()
                    .position(|c| *c == '}')
                    .map(|p| i + p + 1)
                    .ok_or_else(|| ShellError::syntax(*line, "missing `}`"))?;
            }
            _ => i += 1,
        }
    }
    Ok(i.min(chars.len()))
}

/// Past the quote closing the one at `i`.
pub(super) fn quote_end(chars: &[char], mut i: usize, q: char, line: &mut usize) -> Result<usize, ShellError> {
    let open_line = *line;
    i += 1;
    while i < chars.len() {
        match chars[i] {
            c if c == q => return Ok(i + 1),
            '\\' if q == '"' => i += 2,
            '$' if q == '"' && chars.get(i + 1) == Some(&'(') => i = paren_end(chars, i + 1, line)?,
            '\n' => {
                *line += 1;
                i += 1;
            }
            _ => i += 1,
        }
    }
    Err(ShellError::syntax(open_line, &format!("unterminated quote {q}")))
}

/// Past the `)` matching the `(` at `i`.
pub(super) fn paren_end(chars: &[char], mut i: usize, line: &mut usize) -> Result<usize, ShellError> {
    let open_line = *line;
    let mut depth = 0usize;
    while i < chars.len() {
        match chars[i] {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Ok(i + 1);
                }
            }
            '\'' | '"' => {
                i = quote_end(chars, i, chars[i], line)?;
                continue;
            }
            '\\' => i += 1,
            '\n' => *line += 1,
            _ => {}
        }
        i += 1;
    }
    Err(ShellError::syntax(open_line, "missing `)`"))
}
