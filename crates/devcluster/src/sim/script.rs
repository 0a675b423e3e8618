//! What a simulated container "runs", read from its `command` and `args`.
//!
//! The arguments are taken as a shell-style script: for `sh`/`bash`/`ash`/`dash`/`zsh` with a `-c`
//! flag (`["sh", "-c", "sleep 5; exit 1"]`, `["/bin/sh", "-ec", "..."]`) the script is the argument
//! after the flag; otherwise it is all of `command` and `args` joined by spaces (`["sleep", "3"]`,
//! `["exit", "0"]`). The script is split into statements at `;`, `&&`, `||`, `&`, `|` and newlines;
//! only two statements mean something, everything else takes no time:
//!
//! * `sleep N...` waits the sum of its arguments (seconds, decimals allowed, suffixes `s`/`m`/`h`/`d`;
//!   `infinity` waits forever), times [`SimConfig::time_scale`];
//! * `exit N` ends the script with code N (0 when omitted or not a number); statements after it are
//!   never reached, as in a shell.
//!
//! A script that ends without `exit` exits 0. A command with neither `sleep` nor `exit` in it is an
//! ordinary program: for restartPolicy `Always` it serves forever, for Job pods (`Never`/`OnFailure`)
//! it completes successfully at once.
//!
//! [`SimConfig::time_scale`]: super::SimConfig::time_scale

use std::time::Duration;

use serde_json::Value;

/// The outcome a container's command describes.
#[derive(Debug, Clone, PartialEq)]
pub enum Script {
    /// No `sleep` or `exit`: an ordinary program.
    Program,
    /// Sleeps forever (`sleep infinity`) before any `exit`.
    Forever,
    /// Ends after sleeping this long (unscaled) with this exit code.
    Exits {
        /// Total sleep before the end.
        after: Duration,
        /// The exit code.
        code: i32,
    },
}

const SHELLS: &[&str] = &["sh", "bash", "ash", "dash", "zsh"];

/// The script a container's `command` and `args` describe.
pub fn parse(command: &[String], args: &[String]) -> Script {
    let argv: Vec<&str> = command.iter().chain(args).map(String::as_str).collect();
    let text = shell_script(&argv).unwrap_or_else(|| argv.join(" "));
    let mut total = Duration::ZERO;
    let mut meaningful = false;
    let normalized = text
        .replace("&&", ";")
        .replace("||", ";")
        .replace(['\n', '&', '|'], ";");
    for statement in normalized.split(';') {
        let mut words = statement.split_whitespace().peekable();
        while words
            .peek()
            .is_some_and(|w| matches!(*w, "exec" | "then" | "do" | "else" | "{" | "("))
        {
            words.next();
        }
        match words.next() {
            Some("sleep") => {
                meaningful = true;
                for w in words {
                    match sleep_arg(w) {
                        Some(None) => return Script::Forever,
                        Some(Some(d)) => total = total.saturating_add(d),
                        None => {}
                    }
                }
            }
            Some("exit") => {
                let code = words.next().and_then(|w| w.parse().ok()).unwrap_or(0);
                return Script::Exits { after: total, code };
            }
            _ => {}
        }
    }
    if meaningful {
        Script::Exits { after: total, code: 0 }
    } else {
        Script::Program
    }
}

/// The script of a shell `-c` invocation, if that is what the arguments are.
fn shell_script(argv: &[&str]) -> Option<String> {
    let (first, rest) = argv.split_first()?;
    let base = first.rsplit('/').next().unwrap_or(first);
    if !SHELLS.contains(&base) {
        return None;
    }
    let flag = rest
        .iter()
        .position(|a| a.starts_with('-') && !a.starts_with("--") && a.contains('c'))?;
    // The script is the first operand after the options (`sh -c -x 'exit 1'` runs `exit 1`).
    rest[flag + 1..]
        .iter()
        .find(|a| !a.starts_with('-'))
        .map(|s| (*s).to_string())
}

/// A `sleep` argument: `Some(None)` for infinity, `Some(Some(d))` for a duration, `None` if unreadable.
fn sleep_arg(w: &str) -> Option<Option<Duration>> {
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

/// Reads a container's `command` and `args` (arrays of strings) and parses them.
pub fn of_container(container: &Value) -> Script {
    let strings = |key: &str| -> Vec<String> {
        container
            .get(key)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
            .unwrap_or_default()
    };
    parse(&strings("command"), &strings("args"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(argv: &[&str]) -> Script {
        let v: Vec<String> = argv.iter().map(std::string::ToString::to_string).collect();
        parse(&v, &[])
    }

    fn exits(secs: f64, code: i32) -> Script {
        Script::Exits {
            after: Duration::from_secs_f64(secs),
            code,
        }
    }

    #[test]
    fn scripts_table() {
        let cases: &[(&[&str], Script)] = &[
            (&["sh", "-c", "sleep 5; exit 1"], exits(5.0, 1)),
            (&["/bin/sh", "-ec", "echo hi && sleep 2 && sleep 0.5"], exits(2.5, 0)),
            (&["bash", "-c", "sleep 1m\nexit 3"], exits(60.0, 3)),
            (&["exit", "0"], exits(0.0, 0)),
            (&["exit", "7"], exits(0.0, 7)),
            (&["sleep", "3"], exits(3.0, 0)),
            (&["sleep", "1", "2"], exits(3.0, 0)),
            (&["sh", "-c", "exit 2; sleep 100"], exits(0.0, 2)),
            (&["sh", "-c", "-x", "sleep 1 && exit 3"], exits(1.0, 3)),
            (&["sleep", "infinity"], Script::Forever),
            (&["sh", "-c", "trap : TERM; sleep infinity & wait"], Script::Forever),
            (&["nginx", "-g", "daemon off;"], Script::Program),
            (&[], Script::Program),
        ];
        for (argv, want) in cases {
            assert_eq!(&p(argv), want, "{argv:?}");
        }
    }

    #[test]
    fn command_and_args_are_joined() {
        let c = serde_json::json!({"command": ["sh", "-c"], "args": ["sleep 4; exit 1"]});
        assert_eq!(of_container(&c), exits(4.0, 1));
        assert_eq!(of_container(&serde_json::json!({"image": "x"})), Script::Program);
    }
}
