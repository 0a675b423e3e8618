use std::collections::HashMap;
use std::time::Duration;

use super::{End, Outcome, run_script};

fn run(script: &str) -> Outcome {
    run_script(script, HashMap::new(), false, 7)
}

fn exit(script: &str) -> (i32, Option<String>, Vec<String>) {
    let o = run(script);
    match o.end {
        End::Exit { code, message, .. } => (code, message, o.output),
        End::Forever => panic!("{script} runs forever"),
    }
}

#[test]
fn statements_table() {
    let cases: &[(&str, i32, &[&str])] = &[
        ("echo hi", 0, &["hi"]),
        (
            "echo $(( 7 % 4 )) $((2+3*4)) $(( (2+3)*4 )) $((10/3)) $((-5 - -2))",
            0,
            &["3 14 20 3 -3"],
        ),
        ("X=4; Y=$((X * 2)); echo $Y ${Y} \"$X-$Y\" '$X'", 0, &["8 8 4-8 $X"]),
        ("exit 3", 3, &[]),
        ("exit 256", 0, &[]),
        ("false", 1, &[]),
        ("false; echo $?", 0, &["1"]),
        ("true && echo yes || echo no", 0, &["yes"]),
        ("false && echo yes || echo no", 0, &["no"]),
        (
            "if [ 1 -eq 2 ]; then echo a; elif [ x = x ]; then echo b; else echo c; fi",
            0,
            &["b"],
        ),
        ("if false; then exit 1; fi", 0, &[]),
        ("if test -z \"$UNSET\"; then echo empty; fi", 0, &["empty"]),
        ("echo ${UNSET:-dflt}", 0, &["dflt"]),
        ("A=$(echo inner); echo \"[$A]\"", 0, &["[inner]"]),
        ("set -e; false; echo unreachable", 1, &[]),
        ("set -e; false || true; echo reached", 0, &["reached"]),
        ("set -e; ! true; echo reached", 0, &["reached"]),
        ("{ echo a; echo b; }", 0, &["a", "b"]),
        ("(exit 4); echo $?", 0, &["4"]),
        ("! false", 0, &[]),
        ("# a comment\necho x # trailing", 0, &["x"]),
    ];
    for (script, code, output) in cases {
        let (c, message, out) = exit(script);
        let out: Vec<&str> = out.iter().map(String::as_str).collect();
        assert_eq!((c, message, out.as_slice()), (*code, None, *output), "{script}");
    }
}

#[test]
fn sleeps_add_up_and_background_sleeps_are_waited_for() {
    let o = run("sleep 2; sleep 1m 0.5 & sleep 1; wait; exit 5");
    assert_eq!(
        o.end,
        End::Exit {
            after: Duration::from_secs_f64(62.5),
            code: 5,
            message: None
        }
    );
    assert_eq!(run("trap : TERM; sleep infinity & wait").end, End::Forever);
    assert_eq!(run("sleep 1; exec sleep infinity").end, End::Forever);
}

#[test]
fn what_cannot_run_fails_and_says_why() {
    let cases: &[(&str, i32, &str)] = &[
        (
            "echo a\nwrk -t1 http://x/color",
            127,
            "sh: line 2: cannot run `wrk -t1 http://x/color`: `wrk` cannot run: the dev cluster's containers run no programs",
        ),
        (
            "echo $((1 / 0))",
            2,
            "sh: line 1: cannot run `echo $((1 / 0))`: arithmetic expansion $((1 / 0)): division by zero",
        ),
        (
            "while true; do sleep 1; done",
            2,
            "sh: line 1: cannot run `while true; do sleep 1; done`: `while` is not supported",
        ),
        (
            "echo hi > /tmp/x",
            2,
            "sh: line 1: cannot run `echo hi > /tmp/x`: redirections (`<`, `>`) are not supported",
        ),
        (
            "exit abc",
            2,
            "sh: line 1: cannot run `exit abc`: exit: illegal number: abc",
        ),
        (
            "[ -f /tmp/x ]",
            2,
            "sh: line 1: cannot run `[ -f /tmp/x ]`: test: `-f` is not supported",
        ),
        (
            "X=$(curl -s http://x)",
            127,
            "sh: line 1: cannot run `curl -s http://x`: `curl` cannot run",
        ),
        (
            "if true; then echo",
            2,
            "sh: line 1: cannot run `if true; then echo`: expected `fi`",
        ),
    ];
    for (script, code, message) in cases {
        let (c, m, _) = exit(script);
        assert_eq!(c, *code, "{script}");
        let m = m.unwrap_or_default();
        assert!(m.starts_with(message), "{script}: {m}");
    }
}

#[test]
fn random_is_seeded_per_container() {
    let draw = |seed| {
        let o = run_script("echo $RANDOM $RANDOM", HashMap::new(), false, seed);
        o.output[0].clone()
    };
    assert_eq!(draw(1), draw(1), "a pod replays its numbers");
    let values: std::collections::BTreeSet<String> = (0..20).map(draw).collect();
    assert!(values.len() > 15, "pods draw different numbers: {values:?}");
    for v in draw(3).split(' ') {
        assert!(v.parse::<u32>().unwrap() < 32768);
    }
    // Upstream's `random-fail` example exits 0 or 1, both across pods.
    let codes: std::collections::BTreeSet<i32> = (0..20)
        .map(
            |seed| match run_script("FLIP=$(($(($RANDOM%10))%2)) && exit $FLIP", HashMap::new(), false, seed).end {
                End::Exit {
                    code, message: None, ..
                } => code,
                other => panic!("{other:?}"),
            },
        )
        .collect();
    assert_eq!(codes, [0, 1].into_iter().collect());
}

#[test]
fn variables_come_from_the_environment() {
    let env = HashMap::from([("LATEST_HASH".to_string(), "abc".to_string())]);
    let o = run_script("echo \"latest: $LATEST_HASH\"", env, false, 1);
    assert_eq!(o.output, ["latest: abc"]);
}

#[test]
fn a_builtin_run_without_a_shell_reports_bad_arguments() {
    let argv = |a: &[&str]| a.iter().map(ToString::to_string).collect::<Vec<_>>();
    assert_eq!(
        super::run_argv(&argv(&["sleep", "soon"]), 1).end,
        End::Exit {
            after: Duration::ZERO,
            code: 2,
            message: Some("sh: line 1: cannot run `sleep soon`: sleep: invalid time interval 'soon'".to_string())
        }
    );
    assert_eq!(
        super::run_argv(&argv(&["/bin/sleep", "2"]), 1).end,
        End::Exit {
            after: Duration::from_secs(2),
            code: 0,
            message: None
        }
    );
}
