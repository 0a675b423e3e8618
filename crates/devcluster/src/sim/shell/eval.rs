//! Runs parsed statements: builtins only, simulated time, one seeded `$RANDOM` stream.

use std::collections::HashMap;
use std::time::Duration;

use super::parse::{AndOr, Command, Pipeline};
use super::{BUILTINS, Stop, lex, parse};
use crate::sim::random::SeededRandom;

/// The state of one running script.
pub(super) struct Shell {
    pub vars: HashMap<String, String>,
    pub rng: SeededRandom,
    /// Simulated time spent so far (unscaled).
    pub elapsed: Duration,
    /// When background sleeps end; `Some(None)`: one never does.
    pub background: Option<Option<Duration>>,
    pub errexit: bool,
    pub status: i32,
    pub output: Vec<String>,
    /// Nesting of `if` conditions and non-final and-or members, where `set -e` does not apply.
    pub tested: usize,
    /// Command substitutions run so far (an assignment's status is that of its last one).
    substitutions: usize,
}

impl Shell {
    pub fn new(vars: HashMap<String, String>, seed: u64) -> Self {
        Shell {
            vars,
            rng: SeededRandom::new(seed),
            elapsed: Duration::ZERO,
            background: None,
            errexit: false,
            status: 0,
            output: Vec::new(),
            tested: 0,
            substitutions: 0,
        }
    }

    pub fn list(&mut self, list: &[AndOr]) -> Result<i32, Stop> {
        for and_or in list {
            self.and_or(and_or)?;
        }
        Ok(self.status)
    }

    fn and_or(&mut self, a: &AndOr) -> Result<(), Stop> {
        if a.background {
            return self.background(a);
        }
        let n = a.rest.len();
        let mut status = self.guarded(n > 0, |s| s.pipeline(&a.first))?;
        // Whether the status is the last pipeline's, the only one `set -e` looks at.
        let mut last = (n == 0).then_some(&a.first);
        for (i, (and, p)) in a.rest.iter().enumerate() {
            if (status == 0) == *and {
                let is_last = i + 1 == n;
                status = self.guarded(!is_last, |s| s.pipeline(p))?;
                last = is_last.then_some(p);
            }
        }
        if status != 0 && self.errexit && self.tested == 0 && last.is_some_and(|p| !p.negate) {
            return Err(Stop::Exit(status));
        }
        Ok(())
    }

    /// Runs `f` where a failure does not trigger `set -e` when `tested` says so.
    fn guarded(&mut self, tested: bool, f: impl FnOnce(&mut Self) -> Result<i32, Stop>) -> Result<i32, Stop> {
        self.tested += usize::from(tested);
        let r = f(self);
        self.tested -= usize::from(tested);
        r
    }

    /// `cmd &`: a `sleep` runs alongside what follows; anything else runs at once.
    fn background(&mut self, a: &AndOr) -> Result<(), Stop> {
        let before = self.elapsed;
        let result = match self.and_or(&AndOr {
            background: false,
            ..a.clone()
        }) {
            Err(Stop::Forever) => None,
            Err(other) => return Err(other),
            Ok(()) => Some(self.elapsed),
        };
        self.elapsed = before;
        self.background = Some(match (self.background, result) {
            (Some(None), _) | (_, None) => None,
            (Some(Some(a)), Some(b)) => Some(a.max(b)),
            (None, Some(b)) => Some(b),
        });
        self.status = 0;
        Ok(())
    }

    fn pipeline(&mut self, p: &Pipeline) -> Result<i32, Stop> {
        let mut status = 0;
        for c in &p.commands {
            status = self.command(c)?;
        }
        if p.negate {
            status = i32::from(status == 0);
        }
        self.status = status;
        Ok(status)
    }

    fn command(&mut self, c: &Command) -> Result<i32, Stop> {
        match c {
            Command::Simple { words, line } => self.simple(words, *line),
            Command::If { branches, otherwise } => {
                for (cond, body) in branches {
                    if self.guarded(true, |s| s.list(cond))? == 0 {
                        return self.list(body);
                    }
                }
                match otherwise {
                    Some(body) => self.list(body),
                    None => Ok(0),
                }
            }
            Command::Group { body, subshell } => {
                if *subshell {
                    let saved = self.vars.clone();
                    let r = match self.list(body) {
                        Err(Stop::Exit(code)) => Ok(code),
                        other => other,
                    };
                    self.vars = saved;
                    r
                } else {
                    self.list(body)
                }
            }
        }
    }

    fn simple(&mut self, words: &[String], line: usize) -> Result<i32, Stop> {
        let statement = words.join(" ");
        let cannot = |why: String, code: i32| Stop::CannotRun {
            line,
            statement: statement.clone(),
            why,
            code,
        };
        let mut assignments = Vec::new();
        let mut rest = words;
        while let Some((w, tail)) = rest.split_first() {
            match assignment(w) {
                Some((name, value)) => {
                    let value = self.expand_one(value).map_err(|e| e.into_stop(&cannot))?;
                    assignments.push((name.to_string(), value));
                    rest = tail;
                }
                None => break,
            }
        }
        let substitutions = self.substitutions;
        let mut fields = Vec::new();
        for w in rest {
            fields.extend(self.expand(w).map_err(|e| e.into_stop(&cannot))?);
        }
        for (name, value) in assignments {
            self.vars.insert(name, value);
        }
        if fields.is_empty() {
            return Ok(if self.substitutions > substitutions {
                self.status
            } else {
                0
            });
        }
        self.builtin(&fields).map_err(|why| match why {
            Refusal::NotFound => cannot(
                format!(
                    "`{}` cannot run: the dev cluster's containers run no programs, only the shell builtins {}",
                    fields[0],
                    BUILTINS.join(" ")
                ),
                127,
            ),
            Refusal::Usage(why) => cannot(why, 2),
            Refusal::Stop(stop) => stop,
        })
    }

    /// Runs a builtin on expanded words.
    pub fn builtin(&mut self, fields: &[String]) -> Result<i32, Refusal> {
        let args = &fields[1..];
        // `/bin/sleep` is `sleep`: the builtins stand in for the utilities as well.
        let name = fields[0].rsplit('/').next().unwrap_or_default();
        match name {
            ":" | "true" | "trap" => Ok(0),
            "false" => Ok(1),
            "echo" => {
                let (newline, words) = match args.first().map(String::as_str) {
                    Some("-n") => (false, &args[1..]),
                    _ => (true, args),
                };
                let text = words.join(" ");
                if newline || !text.is_empty() {
                    self.output.extend(text.lines().map(str::to_string));
                    if text.is_empty() {
                        self.output.push(String::new());
                    }
                }
                Ok(0)
            }
            "exit" => {
                let code = match args.first() {
                    None => i64::from(self.status),
                    Some(a) => a
                        .parse::<i64>()
                        .map_err(|_| Refusal::Usage(format!("exit: illegal number: {a}")))?,
                };
                Err(Refusal::Stop(Stop::Exit(
                    i32::try_from(code.rem_euclid(256)).unwrap_or(0),
                )))
            }
            "sleep" => {
                if args.is_empty() {
                    return Err(Refusal::Usage("sleep: missing operand".to_string()));
                }
                for a in args {
                    match super::sleep_arg(a) {
                        Some(None) => return Err(Refusal::Stop(Stop::Forever)),
                        Some(Some(d)) => self.elapsed = self.elapsed.saturating_add(d),
                        None => return Err(Refusal::Usage(format!("sleep: invalid time interval '{a}'"))),
                    }
                }
                Ok(0)
            }
            "wait" => match self.background.take() {
                Some(None) => Err(Refusal::Stop(Stop::Forever)),
                Some(Some(end)) => {
                    self.elapsed = self.elapsed.max(end);
                    Ok(0)
                }
                None => Ok(0),
            },
            "set" => {
                for a in args {
                    if let Some(flags) = a.strip_prefix('-') {
                        self.errexit |= flags.contains('e');
                    } else if let Some(flags) = a.strip_prefix('+') {
                        self.errexit &= !flags.contains('e');
                    }
                }
                Ok(0)
            }
            "export" | "readonly" | "local" => {
                for a in args {
                    if let Some((name, value)) = a.split_once('=') {
                        self.vars.insert(name.to_string(), value.to_string());
                    }
                }
                Ok(0)
            }
            "unset" => {
                for a in args {
                    self.vars.remove(a);
                }
                Ok(0)
            }
            "exec" if args.is_empty() => Ok(0),
            "exec" => {
                let code = self.builtin(args)?;
                Err(Refusal::Stop(Stop::Exit(code)))
            }
            "test" => super::test::eval(args).map_err(Refusal::Usage),
            "[" => match args.split_last() {
                Some((last, inner)) if last == "]" => super::test::eval(inner).map_err(Refusal::Usage),
                _ => Err(Refusal::Usage("[: missing ]".to_string())),
            },
            _ => Err(Refusal::NotFound),
        }
    }

    /// `$(script)`: its output, trailing newlines removed; its variables stay its own.
    pub fn substitute(&mut self, script: &str) -> Result<String, Stop> {
        let list = lex::lex(script)
            .and_then(|t| parse::parse(&t))
            .map_err(|e| e.into_stop(script))?;
        self.substitutions += 1;
        let saved_vars = self.vars.clone();
        let saved_out = std::mem::take(&mut self.output);
        let r = self.list(&list);
        let out = std::mem::replace(&mut self.output, saved_out);
        self.vars = saved_vars;
        match r {
            Ok(s) | Err(Stop::Exit(s)) => self.status = s,
            Err(other) => return Err(other),
        }
        Ok(out.join("\n").trim_end_matches('\n').to_string())
    }
}

/// Why a builtin did not complete.
pub(super) enum Refusal {
    /// No such builtin.
    NotFound,
    /// Bad arguments.
    Usage(String),
    /// It ends the script (`exit`, `sleep infinity`).
    Stop(Stop),
}

/// `NAME=value` as name and the unexpanded value.
fn assignment(word: &str) -> Option<(&str, &str)> {
    let (name, value) = word.split_once('=')?;
    let valid = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    valid.then_some((name, value))
}
