//! The statements of a script: lists of and-or chains of pipelines of commands, with `if` and
//! grouping as the only compound commands.

use super::ShellError;
use super::lex::Tok;

/// A command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Command {
    /// Words as written (assignments first), and the line they start on.
    Simple { words: Vec<String>, line: usize },
    /// `if c; then b; [elif c; then b;]... [else b;] fi`.
    If {
        branches: Vec<(Vec<AndOr>, Vec<AndOr>)>,
        otherwise: Option<Vec<AndOr>>,
    },
    /// `{ ...; }` or `( ... )`; a subshell keeps its variables to itself.
    Group { body: Vec<AndOr>, subshell: bool },
}

/// `a | b | c`, maybe negated with `!`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Pipeline {
    pub negate: bool,
    pub commands: Vec<Command>,
}

/// `p1 && p2 || p3`, maybe sent to the background with `&`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct AndOr {
    pub first: Pipeline,
    /// Each following pipeline, `true` after `&&`, `false` after `||`.
    pub rest: Vec<(bool, Pipeline)>,
    pub background: bool,
}

const UNSUPPORTED: &[&str] = &["while", "until", "for", "case", "function", "select"];

pub(super) fn parse(toks: &[Tok]) -> Result<Vec<AndOr>, ShellError> {
    let mut p = Parser { toks, at: 0 };
    let list = p.list(&[])?;
    if let Some(t) = p.peek() {
        return Err(ShellError::syntax(line_of(t), &format!("unexpected `{}`", text(t))));
    }
    Ok(list)
}

struct Parser<'t> {
    toks: &'t [Tok],
    at: usize,
}

fn line_of(t: &Tok) -> usize {
    match t {
        Tok::Word(_, l) | Tok::Op(_, l) => *l,
    }
}

fn text(t: &Tok) -> &str {
    match t {
        Tok::Word(w, _) => w,
        Tok::Op("\n", _) => "newline",
        Tok::Op(o, _) => o,
    }
}

impl<'t> Parser<'t> {
    fn peek(&self) -> Option<&'t Tok> {
        self.toks.get(self.at)
    }

    fn peek_word(&self) -> Option<&'t str> {
        match self.peek() {
            Some(Tok::Word(w, _)) => Some(w),
            _ => None,
        }
    }

    fn line(&self) -> usize {
        self.peek().or_else(|| self.toks.last()).map_or(1, line_of)
    }

    fn skip_separators(&mut self) {
        while matches!(self.peek(), Some(Tok::Op(";" | "\n", _))) {
            self.at += 1;
        }
    }

    fn skip_newlines(&mut self) {
        while matches!(self.peek(), Some(Tok::Op("\n", _))) {
            self.at += 1;
        }
    }

    /// Statements up to one of the reserved words `stop` (not consumed), a `)` or the end.
    fn list(&mut self, stop: &[&str]) -> Result<Vec<AndOr>, ShellError> {
        let mut out = Vec::new();
        loop {
            self.skip_separators();
            match self.peek() {
                None | Some(Tok::Op(")", _)) => return Ok(out),
                Some(Tok::Word(w, _)) if stop.contains(&w.as_str()) => return Ok(out),
                _ => {}
            }
            let mut and_or = self.and_or()?;
            match self.peek() {
                Some(Tok::Op("&", _)) => {
                    and_or.background = true;
                    self.at += 1;
                }
                Some(Tok::Op(";" | "\n", _)) | None => {}
                Some(Tok::Word(w, _)) if stop.contains(&w.as_str()) => {}
                Some(Tok::Op(")", _)) => {}
                Some(t) => return Err(ShellError::syntax(line_of(t), &format!("unexpected `{}`", text(t)))),
            }
            out.push(and_or);
        }
    }

    fn and_or(&mut self) -> Result<AndOr, ShellError> {
        let first = self.pipeline()?;
        let mut rest = Vec::new();
        while let Some(Tok::Op(op @ ("&&" | "||"), _)) = self.peek() {
            self.at += 1;
            self.skip_newlines();
            rest.push((*op == "&&", self.pipeline()?));
        }
        Ok(AndOr {
            first,
            rest,
            background: false,
        })
    }

    fn pipeline(&mut self) -> Result<Pipeline, ShellError> {
        let negate = self.peek_word() == Some("!");
        if negate {
            self.at += 1;
        }
        let mut commands = vec![self.command()?];
        while let Some(Tok::Op("|", _)) = self.peek() {
            self.at += 1;
            self.skip_newlines();
            commands.push(self.command()?);
        }
        Ok(Pipeline { negate, commands })
    }

    fn expect_word(&mut self, word: &str) -> Result<(), ShellError> {
        if self.peek_word() == Some(word) {
            self.at += 1;
            Ok(())
        } else {
            Err(ShellError::syntax(self.line(), &format!("expected `{word}`")))
        }
    }

    fn command(&mut self) -> Result<Command, ShellError> {
        let line = self.line();
        match self.peek() {
            Some(Tok::Op("(", _)) => {
                self.at += 1;
                let body = self.list(&[])?;
                match self.peek() {
                    Some(Tok::Op(")", _)) => self.at += 1,
                    _ => return Err(ShellError::syntax(line, "missing `)`")),
                }
                return Ok(Command::Group { body, subshell: true });
            }
            Some(Tok::Word(w, _)) if w == "{" => {
                self.at += 1;
                let body = self.list(&["}"])?;
                self.expect_word("}")?;
                return Ok(Command::Group { body, subshell: false });
            }
            Some(Tok::Word(w, _)) if w == "if" => {
                self.at += 1;
                return self.if_rest();
            }
            Some(Tok::Word(w, _)) if UNSUPPORTED.contains(&w.as_str()) => {
                return Err(ShellError::syntax(line, &format!("`{w}` is not supported")));
            }
            _ => {}
        }
        let mut words = Vec::new();
        while let Some(Tok::Word(w, _)) = self.peek() {
            words.push(w.clone());
            self.at += 1;
        }
        if words.is_empty() {
            let what = self.peek().map_or("end of script", text);
            return Err(ShellError::syntax(line, &format!("unexpected {what}")));
        }
        Ok(Command::Simple { words, line })
    }

    /// After `if`: the branches up to `fi`.
    fn if_rest(&mut self) -> Result<Command, ShellError> {
        let mut branches = Vec::new();
        let mut otherwise = None;
        loop {
            let cond = self.list(&["then"])?;
            self.expect_word("then")?;
            let body = self.list(&["elif", "else", "fi"])?;
            branches.push((cond, body));
            match self.peek_word() {
                Some("elif") => self.at += 1,
                Some("else") => {
                    self.at += 1;
                    otherwise = Some(self.list(&["fi"])?);
                    self.expect_word("fi")?;
                    break;
                }
                _ => {
                    self.expect_word("fi")?;
                    break;
                }
            }
        }
        Ok(Command::If { branches, otherwise })
    }
}
