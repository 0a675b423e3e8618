//! Word expansion: quotes, `$NAME`, `${NAME}` (with `:-` defaults), `$?`, `$RANDOM`, `$((...))` and
//! `$(...)`; unquoted expansions are split at blanks. No globbing, no tilde.

use super::eval::Shell;
use super::lex::paren_end;
use super::{Stop, arith};

/// Why a word cannot be expanded.
pub(super) enum ExpandError {
    /// A command substitution ended the script.
    Stop(Stop),
    /// The word is malformed or its arithmetic fails.
    Bad(String),
}

impl ExpandError {
    pub fn into_stop(self, cannot: &impl Fn(String, i32) -> Stop) -> Stop {
        match self {
            ExpandError::Stop(s) => s,
            ExpandError::Bad(why) => cannot(why, 2),
        }
    }
}

#[derive(Default)]
struct Fields {
    done: Vec<String>,
    cur: String,
    started: bool,
}

impl Fields {
    fn quoted(&mut self, s: &str) {
        self.cur.push_str(s);
        self.started = true;
    }

    fn unquoted(&mut self, s: &str) {
        for c in s.chars() {
            if c.is_whitespace() {
                if self.started {
                    self.done.push(std::mem::take(&mut self.cur));
                    self.started = false;
                }
            } else {
                self.cur.push(c);
                self.started = true;
            }
        }
    }

    fn finish(mut self) -> Vec<String> {
        if self.started {
            self.done.push(self.cur);
        }
        self.done
    }
}

impl Shell {
    /// The fields a word expands to.
    pub fn expand(&mut self, word: &str) -> Result<Vec<String>, ExpandError> {
        self.fields(word, true)
    }

    /// A word expanded without field splitting (an assignment's value).
    pub fn expand_one(&mut self, word: &str) -> Result<String, ExpandError> {
        Ok(self.fields(word, false)?.concat())
    }

    fn fields(&mut self, word: &str, split: bool) -> Result<Vec<String>, ExpandError> {
        let chars: Vec<char> = word.chars().collect();
        let mut f = Fields::default();
        let mut i = 0;
        while i < chars.len() {
            match chars[i] {
                '\\' => {
                    if let Some(c) = chars.get(i + 1) {
                        f.quoted(&c.to_string());
                    }
                    i += 2;
                }
                '\'' => {
                    let end = find(&chars, i + 1, '\'')?;
                    f.quoted(&chars[i + 1..end].iter().collect::<String>());
                    i = end + 1;
                }
                '"' => {
                    let (text, end) = self.double_quoted(&chars, i + 1)?;
                    f.quoted(&text);
                    i = end;
                }
                '$' => {
                    let (text, end, expanded) = self.dollar(&chars, i)?;
                    if expanded && split {
                        f.unquoted(&text);
                    } else {
                        f.quoted(&text);
                    }
                    i = end;
                }
                c => {
                    f.quoted(&c.to_string());
                    i += 1;
                }
            }
        }
        Ok(f.finish())
    }

    /// Inside `"..."` from `i`: the text and the index past the closing quote.
    fn double_quoted(&mut self, chars: &[char], mut i: usize) -> Result<(String, usize), ExpandError> {
        let mut out = String::new();
        while i < chars.len() {
            match chars[i] {
                '"' => return Ok((out, i + 1)),
                '\\' => {
                    match chars.get(i + 1) {
                        Some(c @ ('$' | '`' | '"' | '\\')) => out.push(*c),
                        Some('\n') => {}
                        Some(c) => {
                            out.push('\\');
                            out.push(*c);
                        }
                        None => out.push('\\'),
                    }
                    i += 2;
                }
                '$' => {
                    let (text, end, _) = self.dollar(chars, i)?;
                    out.push_str(&text);
                    i = end;
                }
                c => {
                    out.push(c);
                    i += 1;
                }
            }
        }
        Err(ExpandError::Bad("unterminated quote \"".to_string()))
    }

    /// The `$` expansion at `i`: its text, the index past it, and whether anything was expanded.
    fn dollar(&mut self, chars: &[char], i: usize) -> Result<(String, usize, bool), ExpandError> {
        let mut line = 0;
        match chars.get(i + 1) {
            Some('(') if chars.get(i + 2) == Some(&'(') => {
                let end = paren_end(chars, i + 1, &mut line).map_err(|e| ExpandError::Bad(e.what))?;
                if chars.get(end - 2) != Some(&')') {
                    return Err(ExpandError::Bad("arithmetic expansion must end with `))`".to_string()));
                }
                let inner: String = chars[i + 3..end - 2].iter().collect();
                let text = self.expand_dollars(&inner)?;
                let mut vars = self.vars.clone();
                if text.contains("RANDOM") {
                    vars.insert("RANDOM".to_string(), self.random().to_string());
                }
                let value = arith::eval(&text, &vars)
                    .map_err(|why| ExpandError::Bad(format!("arithmetic expansion $(({inner})): {why}")))?;
                Ok((value.to_string(), end, true))
            }
            Some('(') => {
                let end = paren_end(chars, i + 1, &mut line).map_err(|e| ExpandError::Bad(e.what))?;
                let inner: String = chars[i + 2..end - 1].iter().collect();
                let out = self.substitute(&inner).map_err(ExpandError::Stop)?;
                Ok((out, end, true))
            }
            Some('{') => {
                let end = find(chars, i + 2, '}')?;
                let inner: String = chars[i + 2..end].iter().collect();
                Ok((self.braced(&inner)?, end + 1, true))
            }
            Some(c) if c.is_ascii_alphabetic() || *c == '_' => {
                let mut end = i + 1;
                while end < chars.len() && (chars[end].is_ascii_alphanumeric() || chars[end] == '_') {
                    end += 1;
                }
                let name: String = chars[i + 1..end].iter().collect();
                Ok((self.var(&name), end, true))
            }
            Some(c) if "?$#@*0123456789".contains(*c) => Ok((self.special(*c), i + 2, true)),
            _ => Ok(("$".to_string(), i + 1, false)),
        }
    }

    /// Only the `$` expansions of `text` (the inside of `$((...))`).
    fn expand_dollars(&mut self, text: &str) -> Result<String, ExpandError> {
        let chars: Vec<char> = text.chars().collect();
        let mut out = String::new();
        let mut i = 0;
        while i < chars.len() {
            if chars[i] == '$' {
                let (t, end, _) = self.dollar(&chars, i)?;
                out.push_str(&t);
                i = end;
            } else {
                out.push(chars[i]);
                i += 1;
            }
        }
        Ok(out)
    }

    /// `${NAME}`, `${NAME:-word}`, `${NAME-word}`.
    fn braced(&mut self, inner: &str) -> Result<String, ExpandError> {
        let name_end = inner
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(inner.len());
        let (name, op) = inner.split_at(name_end);
        if name.is_empty() {
            return Err(ExpandError::Bad(format!("${{{inner}}}: bad substitution")));
        }
        let value = self.var(name);
        let set = self.vars.contains_key(name) || name == "RANDOM";
        if op.is_empty() {
            Ok(value)
        } else if let Some(default) = op.strip_prefix(":-") {
            if value.is_empty() {
                self.expand_one(default)
            } else {
                Ok(value)
            }
        } else if let Some(default) = op.strip_prefix('-') {
            if set { Ok(value) } else { self.expand_one(default) }
        } else {
            Err(ExpandError::Bad(format!(
                "${{{inner}}}: this substitution is not supported"
            )))
        }
    }

    fn var(&mut self, name: &str) -> String {
        if name == "RANDOM" {
            return self.random().to_string();
        }
        self.vars.get(name).cloned().unwrap_or_default()
    }

    fn special(&self, c: char) -> String {
        match c {
            '?' => self.status.to_string(),
            '$' => "1".to_string(),
            '#' => "0".to_string(),
            '0' => "sh".to_string(),
            _ => String::new(),
        }
    }

    /// The next `$RANDOM`: 0 to 32767.
    fn random(&mut self) -> u64 {
        self.rng.next_u64() % 32768
    }
}

fn find(chars: &[char], from: usize, c: char) -> Result<usize, ExpandError> {
    chars[from.min(chars.len())..]
        .iter()
        .position(|x| *x == c)
        .map(|p| from + p)
        .ok_or_else(|| ExpandError::Bad(format!("missing `{c}`")))
}
