//! What a simulated container "runs", read from its `command` and `args`.
//!
//! The kubelet first expands `$(NAME)` references to the container's environment in `command` and
//! `args` (`$$` escapes a `$`), as a real kubelet does. Then:
//!
//! * a shell with `-c` (`sh`/`bash`/`ash`/`dash`/`zsh`; `["sh", "-c", "sleep 5; exit 1"]`,
//!   `["/bin/sh", "-ec", "..."]`) runs its script in the [`shell`](super::shell) interpreter, with the
//!   container's environment as variables (`-e` is honoured);
//! * a command that is one of the shell's builtins (`["sleep", "3"]`, `["exit", "0"]`) runs as that
//!   builtin;
//! * anything else (no `command`, or another program: `nginx`, `wrk`) is the image's own program: for
//!   restartPolicy `Always` it serves forever, for Job pods (`Never`/`OnFailure`) it completes
//!   successfully at once.
//!
//! `sleep` waits the sum of its arguments (seconds, decimals allowed, suffixes `s`/`m`/`h`/`d`;
//! `infinity` waits forever), times [`SimConfig::time_scale`]. A script statement the shell cannot run
//! ends the container with a non-zero code and a termination message saying which and why.
//!
//! [`SimConfig::time_scale`]: super::SimConfig::time_scale

use std::collections::HashMap;
use std::time::Duration;

use serde_json::Value;

use super::shell::{self, End};

/// The outcome a container's command describes.
#[derive(Debug, Clone, PartialEq)]
pub enum Script {
    /// The image's own program.
    Program,
    /// Sleeps forever (`sleep infinity`) before ending.
    Forever,
    /// Ends after sleeping this long (unscaled) with this exit code.
    Exits {
        /// Total sleep before the end.
        after: Duration,
        /// The exit code.
        code: i32,
        /// Why the script could not go on, when that is why it ended.
        message: Option<String>,
    },
}

const SHELLS: &[&str] = &["sh", "bash", "ash", "dash", "zsh"];

/// The script a container's `command` and `args` describe, with `env` as its environment and `seed`
/// fixing its `$RANDOM`.
pub fn parse(command: &[String], args: &[String], env: &HashMap<String, String>, seed: u64) -> Script {
    if command.is_empty() {
        return Script::Program;
    }
    let argv: Vec<String> = command.iter().chain(args).map(|a| expand_env_refs(a, env)).collect();
    let outcome = if let Some((script, errexit)) = shell_script(&argv) {
        shell::run_script(&script, env.clone(), errexit, seed)
    } else if shell::is_builtin(&argv[0]) {
        shell::run_argv(&argv, seed)
    } else {
        return Script::Program;
    };
    match outcome.end {
        End::Forever => Script::Forever,
        End::Exit { after, code, message } => Script::Exits { after, code, message },
    }
}

/// The script of a shell `-c` invocation and whether `-e` is set, if that is what the arguments are.
fn shell_script(argv: &[String]) -> Option<(String, bool)> {
    let (first, rest) = argv.split_first()?;
    let base = first.rsplit('/').next().unwrap_or(first);
    if !SHELLS.contains(&base) {
        return None;
    }
    let is_option = |a: &&String| a.starts_with('-') && !a.starts_with("--") && a.len() > 1;
    rest.iter().find(|a| is_option(a) && a.contains('c'))?;
    // The script is the first operand after the options (`sh -c -x 'exit 1'` runs `exit 1`).
    let script = rest.iter().find(|a| !a.starts_with('-'))?;
    let errexit = rest
        .iter()
        .take_while(|a| !std::ptr::eq(*a, script))
        .any(|a| is_option(&a) && a.contains('e'));
    Some((script.clone(), errexit))
}

/// The kubelet's expansion of `$(NAME)` in `command` and `args`: defined names are replaced, `$$`
/// becomes `$`, anything else stays as written.
fn expand_env_refs(arg: &str, env: &HashMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = arg;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let tail = &rest[at + 1..];
        if let Some(after) = tail.strip_prefix('$') {
            out.push('$');
            rest = after;
        } else if let Some(name) = tail
            .strip_prefix('(')
            .and_then(|t| t.find(')').map(|end| &t[..end]))
            .filter(|n| env.contains_key(*n))
        {
            out.push_str(&env[name]);
            rest = &tail[name.len() + 2..];
        } else {
            out.push('$');
            rest = tail;
        }
    }
    out.push_str(rest);
    out
}

/// The container's environment as the kubelet sets it: literal values, and the pod's name, namespace
/// and UID where `fieldRef` asks for them.
fn environment(pod: &Value, container: &Value) -> HashMap<String, String> {
    let mut env = HashMap::new();
    for e in container.get("env").and_then(Value::as_array).into_iter().flatten() {
        let Some(name) = e.get("name").and_then(Value::as_str) else {
            continue;
        };
        let value = if let Some(v) = e.get("value").and_then(Value::as_str) {
            Some(expand_env_refs(v, &env))
        } else {
            let field = e.pointer("/valueFrom/fieldRef/fieldPath").and_then(Value::as_str);
            field
                .and_then(|f| pod.pointer(&format!("/{}", f.replace('.', "/"))))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        env.insert(name.to_string(), value.unwrap_or_default());
    }
    env
}

/// The seed of a container's `$RANDOM`: its pod's UID and its name, so pods differ and replay.
fn seed(pod: &Value, container: &str) -> u64 {
    let uid = pod.pointer("/metadata/uid").and_then(Value::as_str).unwrap_or_default();
    format!("{uid}/{container}")
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        })
}

/// Reads a container's `command` and `args` (arrays of strings) in its pod and parses them.
pub fn of_container(pod: &Value, container: &Value) -> Script {
    let strings = |key: &str| -> Vec<String> {
        container
            .get(key)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
            .unwrap_or_default()
    };
    let name = container.get("name").and_then(Value::as_str).unwrap_or_default();
    parse(
        &strings("command"),
        &strings("args"),
        &environment(pod, container),
        seed(pod, name),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(argv: &[&str]) -> Script {
        let v: Vec<String> = argv.iter().map(std::string::ToString::to_string).collect();
        parse(&v, &[], &HashMap::new(), 1)
    }

    fn exits(secs: f64, code: i32) -> Script {
        Script::Exits {
            after: Duration::from_secs_f64(secs),
            code,
            message: None,
        }
    }

    #[test]
    fn scripts_table() {
        let cases: &[(&[&str], Script)] = &[
            (&["sh", "-c", "sleep 5; exit 1"], exits(5.0, 1)),
            (&["/bin/sh", "-ec", "echo hi && sleep 2 && sleep 0.5"], exits(2.5, 0)),
            (&["sh", "-c", "echo $(( 7 % 4 ))"], exits(0.0, 0)),
            (&["bash", "-c", "sleep 1m\nexit 3"], exits(60.0, 3)),
            (&["exit", "0"], exits(0.0, 0)),
            (&["exit", "7"], exits(0.0, 7)),
            (&["sleep", "3"], exits(3.0, 0)),
            (&["/bin/sleep", "3"], exits(3.0, 0)),
            (&["sh", "-c", "/bin/sleep 2; exit 1"], exits(2.0, 1)),
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
        let pod = serde_json::json!({"metadata": {"uid": "u"}});
        assert_eq!(of_container(&pod, &c), exits(4.0, 1));
        assert_eq!(of_container(&pod, &serde_json::json!({"image": "x"})), Script::Program);
        assert_eq!(
            of_container(&pod, &serde_json::json!({"args": ["sleep", "3"]})),
            Script::Program,
            "args without a command go to the image's program"
        );
    }
}
