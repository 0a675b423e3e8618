//! Template and path syntax.

use serde_json::Value;

use super::{CmpOp, Filter, JsonPathError, Node, Operand, Path, Segment, Slice};

fn err<T>(message: impl Into<String>) -> Result<T, JsonPathError> {
    Err(JsonPathError::new(message))
}

/// Characters that end a field name (a backslash escapes them).
fn is_terminator(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\n' | '\r' | '.' | ',' | '[' | ']' | '$' | '@' | '{' | '}' | '(' | ')'
    ) || matches!(c, '=' | '!' | '<' | '>')
}

struct Cursor {
    chars: Vec<char>,
    pos: usize,
}

impl Cursor {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<char> {
        self.chars.get(self.pos + offset).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += 1;
        Some(c)
    }

    fn skip_spaces(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t' | '\n' | '\r')) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn starts_with_word(&self, word: &str) -> bool {
        let n = word.chars().count();
        let matches = word.chars().enumerate().all(|(i, c)| self.peek_at(i) == Some(c));
        matches && self.peek_at(n).is_none_or(|c| !c.is_alphanumeric())
    }

    /// A quoted literal starting at the cursor, with Go-style escapes.
    fn quoted(&mut self) -> Result<String, JsonPathError> {
        let Some(quote) = self.bump() else {
            return err("unterminated quoted string");
        };
        let mut out = String::new();
        loop {
            match self.bump() {
                None => return err("unterminated quoted string"),
                Some(c) if c == quote => return Ok(out),
                Some('\\') => match self.bump() {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some('r') => out.push('\r'),
                    Some('u') => {
                        let hex: String = (0..4).filter_map(|_| self.bump()).collect();
                        match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                            Some(c) => out.push(c),
                            None => return err(format!("invalid escape \\u{hex}")),
                        }
                    }
                    Some(c) => out.push(c),
                    None => return err("unterminated quoted string"),
                },
                Some(c) => out.push(c),
            }
        }
    }

    fn name(&mut self) -> String {
        let mut out = String::new();
        while let Some(c) = self.peek() {
            if c == '\\' {
                self.pos += 1;
                if let Some(escaped) = self.bump() {
                    out.push(escaped);
                }
            } else if is_terminator(c) {
                break;
            } else {
                out.push(c);
                self.pos += 1;
            }
        }
        out
    }

    /// Raw text up to the `]` closing a bracket, skipping over quoted parts.
    fn bracket_text(&mut self) -> Result<String, JsonPathError> {
        let mut out = String::new();
        let mut quote: Option<char> = None;
        loop {
            let Some(c) = self.bump() else {
                return err("unclosed array expect ]");
            };
            match (quote, c) {
                (None, ']') => return Ok(out),
                (None, '\'' | '"') => quote = Some(c),
                (Some(q), c) if c == q && !out.ends_with('\\') => quote = None,
                _ => {}
            }
            out.push(c);
        }
    }
}

/// Splits at `sep` where not inside quotes.
fn split_outside_quotes(text: &str, sep: char) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    for c in text.chars() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, c) if c == sep => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    parts.push(current);
    parts
}

fn parse_index(text: &str) -> Result<Segment, JsonPathError> {
    let invalid = || JsonPathError::new(format!("invalid array index {text}"));
    let parts: Vec<&str> = text.split(':').collect();
    if parts.len() > 3 {
        return Err(invalid());
    }
    let mut bounds = [None, None, None];
    for (slot, part) in bounds.iter_mut().zip(&parts) {
        let part = part.trim();
        if !part.is_empty() {
            *slot = Some(part.parse::<i64>().map_err(|_| invalid())?);
        }
    }
    let single = parts.len() == 1;
    if single && bounds[0].is_none() {
        return Err(invalid());
    }
    Ok(Segment::Slice(Slice {
        start: bounds[0],
        end: bounds[1],
        step: bounds[2],
        single,
    }))
}

fn parse_bracket_item(item: &str) -> Result<Segment, JsonPathError> {
    let item = item.trim();
    if item == "*" {
        return Ok(Segment::Wildcard);
    }
    if item.starts_with('\'') || item.starts_with('"') {
        let mut cursor = Cursor {
            chars: item.chars().collect(),
            pos: 0,
        };
        let key = cursor.quoted()?;
        if cursor.peek().is_some() {
            return err(format!("invalid key {item}"));
        }
        return Ok(Segment::Field(key));
    }
    parse_index(item)
}

fn parse_operand(text: &str) -> Result<Operand, JsonPathError> {
    let text = text.trim();
    if text.starts_with('\'') || text.starts_with('"') {
        let mut cursor = Cursor {
            chars: text.chars().collect(),
            pos: 0,
        };
        let s = cursor.quoted()?;
        if cursor.peek().is_some() {
            return err(format!("invalid filter operand {text}"));
        }
        return Ok(Operand::Literal(Value::String(s)));
    }
    match text {
        "true" => return Ok(Operand::Literal(Value::Bool(true))),
        "false" => return Ok(Operand::Literal(Value::Bool(false))),
        "" => return err("empty filter operand"),
        _ => {}
    }
    if text.starts_with(['@', '$', '.']) {
        let mut cursor = Cursor {
            chars: text.chars().collect(),
            pos: 0,
        };
        let path = parse_path(&mut cursor)?;
        cursor.skip_spaces();
        if cursor.peek().is_some() {
            return err(format!("invalid filter operand {text}"));
        }
        return Ok(Operand::Path(path));
    }
    if let Ok(i) = text.parse::<i64>() {
        return Ok(Operand::Literal(Value::from(i)));
    }
    match text.parse::<f64>().ok().and_then(serde_json::Number::from_f64) {
        Some(n) => Ok(Operand::Literal(Value::Number(n))),
        None => err(format!("unrecognized filter operand {text}")),
    }
}

fn parse_filter(text: &str) -> Result<Filter, JsonPathError> {
    let is_op = |c: char| matches!(c, '!' | '<' | '>' | '=');
    let mut quote: Option<char> = None;
    let mut op_at = None;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, c) if is_op(c) => {
                op_at = Some(i);
                break;
            }
            _ => {}
        }
    }
    let Some(at) = op_at else {
        return parse_operand(text).and_then(exists_filter);
    };
    let rest = &text[at..];
    let op_len = rest.find(|c: char| !is_op(c)).unwrap_or(rest.len());
    let (op_text, right) = rest.split_at(op_len);
    let op = match op_text {
        "==" => CmpOp::Eq,
        "!=" => CmpOp::Ne,
        "<" => CmpOp::Lt,
        ">" => CmpOp::Gt,
        "<=" => CmpOp::Le,
        ">=" => CmpOp::Ge,
        other => return err(format!("unrecognized filter operator {other}")),
    };
    Ok(Filter::Compare(parse_operand(&text[..at])?, op, parse_operand(right)?))
}

fn exists_filter(operand: Operand) -> Result<Filter, JsonPathError> {
    match operand {
        Operand::Path(p) => Ok(Filter::Exists(p)),
        Operand::Literal(v) => err(format!("invalid filter {v}")),
    }
}

fn parse_bracket(cursor: &mut Cursor) -> Result<Segment, JsonPathError> {
    cursor.skip_spaces();
    if cursor.peek() == Some('?') {
        cursor.pos += 1;
        cursor.skip_spaces();
        if !cursor.eat('(') {
            return err("unrecognized filter: expected (");
        }
        let mut text = String::new();
        let mut quote: Option<char> = None;
        let mut depth = 0usize;
        loop {
            let Some(c) = cursor.bump() else {
                return err("unterminated filter");
            };
            match (quote, c) {
                (None, '\'' | '"') => quote = Some(c),
                (Some(q), c) if c == q && !text.ends_with('\\') => quote = None,
                (None, '(') => depth += 1,
                (None, ')') if depth == 0 => break,
                (None, ')') => depth -= 1,
                _ => {}
            }
            text.push(c);
        }
        cursor.skip_spaces();
        if !cursor.eat(']') {
            return err("unclosed array expect ]");
        }
        return Ok(Segment::Filter(Box::new(parse_filter(&text)?)));
    }
    let text = cursor.bracket_text()?;
    let items = split_outside_quotes(&text, ',');
    let mut segments = items
        .iter()
        .map(|i| parse_bracket_item(i))
        .collect::<Result<Vec<_>, _>>()?;
    if segments.len() == 1
        && let Some(only) = segments.pop()
    {
        return Ok(only);
    }
    Ok(Segment::Union(segments))
}

/// A path starting at the cursor; stops before anything that cannot continue it.
fn parse_path(cursor: &mut Cursor) -> Result<Path, JsonPathError> {
    let mut path = Vec::new();
    match cursor.peek() {
        Some('$') => {
            cursor.pos += 1;
            path.push(Segment::Root);
        }
        Some('@') => {
            cursor.pos += 1;
            path.push(Segment::Current);
        }
        _ => {}
    }
    loop {
        match cursor.peek() {
            Some('.') if cursor.peek_at(1) == Some('.') => {
                cursor.pos += 2;
                path.push(Segment::Recursive);
                match cursor.peek() {
                    Some('[') => {}
                    Some('*') => {
                        cursor.pos += 1;
                        path.push(Segment::Wildcard);
                    }
                    _ => {
                        let name = cursor.name();
                        if name.is_empty() {
                            return err("invalid recursive descent: expected a field name");
                        }
                        path.push(Segment::Field(name));
                    }
                }
            }
            Some('.') => {
                cursor.pos += 1;
                if cursor.eat('*') {
                    path.push(Segment::Wildcard);
                } else {
                    let name = cursor.name();
                    if !name.is_empty() {
                        path.push(Segment::Field(name));
                    }
                }
            }
            Some('[') => {
                cursor.pos += 1;
                path.push(parse_bracket(cursor)?);
            }
            _ => return Ok(path),
        }
    }
}

enum Action {
    Nothing,
    Text(String),
    Paths(Vec<Path>),
    Range(Vec<Path>),
    End,
}

fn parse_paths(cursor: &mut Cursor) -> Result<Vec<Path>, JsonPathError> {
    let mut paths = Vec::new();
    loop {
        cursor.skip_spaces();
        match cursor.peek() {
            Some('.' | '[' | '$' | '@') => paths.push(parse_path(cursor)?),
            Some(c) => return err(format!("unrecognized character in action: {c:?}")),
            None => return err("unclosed action"),
        }
        cursor.skip_spaces();
        if !cursor.eat(',') {
            return Ok(paths);
        }
    }
}

fn parse_action(cursor: &mut Cursor) -> Result<Action, JsonPathError> {
    cursor.skip_spaces();
    let action = match cursor.peek() {
        None => return err("unclosed action"),
        Some('}') => Action::Nothing,
        Some('"' | '\'') => Action::Text(cursor.quoted()?),
        Some(_) if cursor.starts_with_word("range") => {
            cursor.pos += "range".len();
            Action::Range(parse_paths(cursor)?)
        }
        Some(_) if cursor.starts_with_word("end") => {
            cursor.pos += "end".len();
            Action::End
        }
        Some(_) => Action::Paths(parse_paths(cursor)?),
    };
    cursor.skip_spaces();
    match cursor.bump() {
        Some('}') => Ok(action),
        Some(c) => err(format!("unrecognized character in action: {c:?}")),
        None => err("unclosed action"),
    }
}

/// Parses a whole template into nodes, nesting `range` bodies.
pub(super) fn parse_template(input: &str) -> Result<Vec<Node>, JsonPathError> {
    let mut cursor = Cursor {
        chars: input.chars().collect(),
        pos: 0,
    };
    // Each frame: the nodes collected so far and, for range bodies, the range's paths.
    let mut frames: Vec<(Vec<Node>, Vec<Path>)> = vec![(Vec::new(), Vec::new())];
    let mut text = String::new();
    while let Some(c) = cursor.bump() {
        if c != '{' {
            text.push(c);
            continue;
        }
        let action = parse_action(&mut cursor)?;
        let Some(frame) = frames.last_mut() else {
            return err("internal parser state");
        };
        if !text.is_empty() {
            frame.0.push(Node::Text(std::mem::take(&mut text)));
        }
        match action {
            Action::Nothing => {}
            Action::Text(s) => frame.0.push(Node::Text(s)),
            Action::Paths(p) => frame.0.push(Node::Paths(p)),
            Action::Range(p) => frames.push((Vec::new(), p)),
            Action::End => {
                if frames.len() < 2 {
                    return err("not in range, nothing to end");
                }
                let Some((body, paths)) = frames.pop() else {
                    return err("internal parser state");
                };
                if let Some(parent) = frames.last_mut() {
                    parent.0.push(Node::Range { paths, body });
                }
            }
        }
    }
    if frames.len() > 1 {
        return err("unclosed range: missing {end}");
    }
    let Some((mut nodes, _)) = frames.pop() else {
        return err("internal parser state");
    };
    if !text.is_empty() {
        nodes.push(Node::Text(text));
    }
    Ok(nodes)
}
