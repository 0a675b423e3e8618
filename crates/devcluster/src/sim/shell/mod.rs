//! The shell that simulated containers' `sh -c` scripts run in.
//!
//! No process runs in the dev cluster's containers, so no real shell can run their scripts; this is a
//! small interpreter of the POSIX shell forms that Argo Rollouts' examples and Job metrics use, with
//! simulated time: `sleep` advances a clock instead of waiting. It knows:
//!
//! * lists with `;`, newlines, `&&`, `||`, `!`, pipelines (each command runs in turn; the last one's
//!   status counts), `&` (a background `sleep` runs alongside, `wait` waits for it), `{ }` and `( )`;
//! * `if ...; then ...; [elif ...; then ...;] [else ...;] fi`;
//! * assignments, `$NAME`, `${NAME}`, `${NAME:-word}`, `$?`, `$RANDOM` (seeded, so a pod replays
//!   the same numbers), `$((...))` integer arithmetic, `$(...)` command substitution, quotes;
//! * the builtins in [`BUILTINS`], with `set -e`.
//!
//! Anything else — another program (`wrk`, `curl`), a loop, a redirection — cannot run: the script
//! ends with a non-zero code (127 for a program, 2 for syntax) and a message naming the statement and
//! why, which the kubelet reports as the container's termination message.

mod arith;
#[cfg(test)]
mod corpus_tests;
mod eval;
mod expand;
mod lex;
mod parse;
mod test;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::time::Duration;

/// The commands the shell runs.
pub(crate) const BUILTINS: &[&str] = &[
    ":", "[", "echo", "exec", "exit", "export", "false", "set", "sleep", "test", "trap", "true", "unset", "wait",
];

/// How a script ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum End {
    /// It exits with `code` after `after` (unscaled) of sleeping; `message` says why it could not
    /// go on, when that is why it ended.
    Exit {
        after: Duration,
        code: i32,
        message: Option<String>,
    },
    /// It never ends (`sleep infinity`).
    Forever,
}

/// A script's end and what it printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Outcome {
    pub end: End,
    pub output: Vec<String>,
}

/// How a script stops early.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Stop {
    Exit(i32),
    Forever,
    CannotRun {
        line: usize,
        statement: String,
        why: String,
        code: i32,
    },
}

/// A script that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ShellError {
    pub line: usize,
    pub what: String,
}

impl ShellError {
    fn syntax(line: usize, what: &str) -> Self {
        ShellError {
            line,
            what: what.to_string(),
        }
    }

    fn into_stop(self, script: &str) -> Stop {
        let statement = script.lines().nth(self.line.saturating_sub(1)).unwrap_or(script).trim();
        Stop::CannotRun {
            line: self.line,
            statement: statement.to_string(),
            why: self.what,
            code: 2,
        }
    }
}

/// Runs `script` (the operand of `sh -c`) with `vars` set; `errexit` is `sh -e`; `seed` fixes
/// `$RANDOM`.
pub(crate) fn run_script(script: &str, vars: HashMap<String, String>, errexit: bool, seed: u64) -> Outcome {
    let mut shell = eval::Shell::new(vars, seed);
    shell.errexit = errexit;
    let result = lex::lex(script)
        .and_then(|t| parse::parse(&t))
        .map_err(|e| e.into_stop(script))
        .and_then(|list| shell.list(&list));
    finish(shell, result)
}

/// Runs a builtin given as a container's argv (`["sleep", "30"]`), without a shell: no expansion.
pub(crate) fn run_argv(argv: &[String], seed: u64) -> Outcome {
    let mut shell = eval::Shell::new(HashMap::new(), seed);
    let result = shell.builtin(argv).map_err(|r| match r {
        eval::Refusal::Stop(s) => s,
        eval::Refusal::NotFound => Stop::CannotRun {
            line: 1,
            statement: argv.join(" "),
            why: format!("`{}` cannot run", argv[0]),
            code: 127,
        },
        eval::Refusal::Usage(why) => Stop::CannotRun {
            line: 1,
            statement: argv.join(" "),
            why,
            code: 2,
        },
    });
    finish(shell, result)
}

/// Whether `program` (`sleep`, `/bin/sleep`) is one of the builtins.
pub(crate) fn is_builtin(program: &str) -> bool {
    BUILTINS.contains(&program.rsplit('/').next().unwrap_or_default())
}

fn finish(shell: eval::Shell, result: Result<i32, Stop>) -> Outcome {
    let after = shell.elapsed;
    let end = match result {
        Ok(code) | Err(Stop::Exit(code)) => End::Exit {
            after,
            code,
            message: None,
        },
        Err(Stop::Forever) => End::Forever,
        Err(Stop::CannotRun {
            line,
            statement,
            why,
            code,
        }) => End::Exit {
            after,
            code,
            message: Some(format!("sh: line {line}: cannot run `{statement}`: {why}")),
        },
    };
    Outcome {
        end,
        output: shell.output,
    }
}

/// A `sleep` argument: `Some(None)` for infinity, `Some(Some(d))` for a duration, `None` if unreadable.
pub(super) fn sleep_arg(w: &str) -> Option<Option<Duration>> {
    if w == "infinity" || w == "inf" {
        return Some(None);
    }
    let (number, unit) = match w.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&w[..i], c),
        _ => (w, 's'),
    };
    let factor = match unit {
        's' => 1.0,
        'm' => 60.0,
        'h' => 3600.0,
        'd' => 86400.0,
        _ => return None,
    };
    let n: f64 = number.parse().ok()?;
    (n.is_finite() && n >= 0.0).then(|| Duration::try_from_secs_f64(n * factor).ok())
}
