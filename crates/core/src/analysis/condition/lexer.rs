//! The lexer (Go expr's `parser/lexer`): tokens as Go's parser sees them, with Go's lexing errors.

use rollouts_api::gofmt::go_quote;

use super::unescape::{unescape, unescape_bytes};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
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
pub(super) struct Token {
    pub(super) kind: Kind,
    /// The text (for strings: the unescaped value).
    pub(super) value: String,
    /// The value of a bytes literal.
    pub(super) bytes: Vec<u8>,
}

impl Token {
    pub(super) fn new(kind: Kind, value: impl Into<String>) -> Self {
        Token {
            kind,
            value: value.into(),
            bytes: Vec::new(),
        }
    }

    pub(super) fn is(&self, kind: Kind, value: &str) -> bool {
        self.kind == kind && self.value == value
    }

    /// As Go prints a token in "unexpected token" messages: `Operator("==")`, `EOF`.
    pub(super) fn describe(&self) -> String {
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

pub(super) fn is_valid_identifier(s: &str) -> bool {
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
pub(super) fn lex(source: &str) -> (Vec<Token>, Option<String>) {
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

    /// Moves past the letters, digits, `_` and `$` at the current position.
    fn skip_name(&mut self) {
        while self.peek().is_some_and(is_alphanumeric) {
            self.pos += 1;
        }
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
                    self.skip_name();
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
                    self.skip_name();
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
