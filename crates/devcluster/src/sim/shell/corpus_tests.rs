//! Every container command in upstream's examples and e2e manifests either runs in the simulated
//! shell or fails with a message saying which statement it could not run.

use std::collections::{BTreeMap, BTreeSet};

use rollouts_testkit::{conformance_or_skip, files_with_ext, yaml_documents};
use serde_json::{Value, json};

use crate::sim::script::{Script, of_container};

/// Containers (with an image and a command or args) anywhere in `doc`.
fn containers<'a>(doc: &'a Value, out: &mut Vec<&'a Value>) {
    match doc {
        Value::Object(map) => {
            if map.contains_key("image") && (map.contains_key("command") || map.contains_key("args")) {
                out.push(doc);
            }
            map.values().for_each(|v| containers(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| containers(v, out)),
        _ => {}
    }
}

/// The manifests' `{{args.*}}` placeholders as an AnalysisRun would fill them.
fn fill_args(text: &str) -> String {
    [
        ("{{args.duration}}", "2"),
        ("{{args.exit-code}}", "3"),
        ("{{ args.namespace }}", "default"),
        ("{{args.latest-hash}}", "abc123"),
        ("{{args.stable-hash}}", "def456"),
        ("{{args.baseline-hash}}", "abc123"),
        ("{{args.canary-hash}}", "abc123"),
    ]
    .iter()
    .fold(text.to_string(), |t, (from, to)| t.replace(from, to))
}

fn describe(s: &Script) -> String {
    match s {
        Script::Program => "program".to_string(),
        Script::Forever => "forever".to_string(),
        Script::Exits { after, code, message } => {
            let mut d = format!("exit {code} after {}s", after.as_secs());
            if let Some(m) = message {
                d.push_str(": ");
                d.push_str(m);
            }
            d
        }
    }
}

#[test]
fn upstream_container_scripts_run_or_say_why_not() {
    let Some(corpus) = conformance_or_skip("upstream_container_scripts_run_or_say_why_not") else {
        return;
    };
    // argv as JSON -> what it does (a prefix of the description).
    let want: BTreeMap<&str, &str> = [
        (r#"["--namespaced"]"#, "program"),
        (r#"["--termination-delay","0"]"#, "program"),
        (r#"["-text=VERSION 1","-listen=:8080"]"#, "program"),
        (r#"["ping $(SERVICE_NAME)"]"#, "program"),
        (r#"["ping my-guestbook-stable-svc"]"#, "program"),
        (r#"["wrk","-t12","-c100","-d30s","http://canary-demo-preview/color]"]"#, "program"),
        (r#"["exit","1"]"#, "exit 1 after 0s"),
        (r#"["sleep","30"]"#, "exit 0 after 30s"),
        (r#"["sh","-c","sleep 6000"]"#, "exit 0 after 6000s"),
        (r#"["sh","-c","exit 0"]"#, "exit 0 after 0s"),
        (r#"["sh","-c","echo 'This should never run'"]"#, "exit 0 after 0s"),
        (r#"["sh","-c","-x","sleep 2 && exit 1"]"#, "exit 1 after 2s"),
        (r#"["sh","-c","-x","sleep 2 && exit 3"]"#, "exit 3 after 2s"),
        (
            r#"["sh","-c","echo \"latest hash: $(LATEST_HASH)\"\necho \"stable hash: $(STABLE_HASH)\"\necho \"baseline hash: $(BASELINE_HASH)\"\necho \"canary hash: $(CANARY_HASH)\"\n"]"#,
            "exit 0 after 0s",
        ),
        (
            r#"["sh","-c","FLIP=$(($(($RANDOM%10))%2)) && exit $FLIP"]"#,
            "exit ",
        ),
        (
            r#"["/bin/sh","-c","-x","while true; do wrk -t10 -c40 -d2m -s report.lua http://my-svc.argo-examples/color; jq -e '.errors_ratio <= 0.35 and .latency_avg_ms < 100' report.json; done"]"#,
            "exit 2 after 0s: sh: line 1: cannot run `while true; do wrk",
        ),
        (
            r#"["sh","-c","-x","-e","wrk -t10 -c40 -d45s -s report.lua http://rollout-linkerd.default.svc/color\njq -e '.errors_ratio <= 0.35 and .latency_avg_ms < 100' report.json\n"]"#,
            "exit 127 after 0s: sh: line 1: cannot run `wrk -t10 -c40 -d45s -s report.lua http://rollout-linkerd.default.svc/color`: `wrk` cannot run",
        ),
        (
            r#"["sh","-c","-x","-e","wrk -t11 -c40 -d300s -s report.lua -H \"Host: istio-rollout.local\" http://istio-ingressgateway.istio-system/color\njq -e '.errors_ratio == 0' report.json\n"]"#,
            "exit 127 after 0s: sh: line 1: cannot run `wrk -t11 -c40 -d300s",
        ),
    ]
    .into_iter()
    .collect();
    let mut seen = BTreeSet::new();
    let mut problems = Vec::new();
    for file in files_with_ext(&corpus, &[".yaml", ".yml"]) {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let Ok(docs) = yaml_documents(&fill_args(&text)) else {
            continue;
        };
        for doc in &docs {
            let mut found = Vec::new();
            containers(doc, &mut found);
            for c in found {
                let argv: Vec<&Value> = ["command", "args"]
                    .iter()
                    .filter_map(|k| c.get(*k).and_then(Value::as_array))
                    .flatten()
                    .collect();
                if argv.is_empty() || !argv.iter().all(|a| a.is_string()) {
                    continue; // a schema's `command` property, not a container
                }
                let key = serde_json::to_string(&argv).unwrap();
                let pod = json!({"metadata": {"uid": "0f0e0d0c-0000-4000-8000-000000000001"}});
                let got = describe(&of_container(&pod, c));
                match want.get(key.as_str()) {
                    Some(prefix) if got.starts_with(prefix) => {}
                    Some(prefix) => problems.push(format!("{}: {key}\n  want {prefix}\n  got  {got}", file.display())),
                    None => problems.push(format!(
                        "{}: {key} is not in the table (it does: {got})",
                        file.display()
                    )),
                }
                seen.insert(key);
            }
        }
    }
    for key in want.keys() {
        if !seen.contains(*key) {
            problems.push(format!("{key} is in the table but not in the corpus"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn random_fail_exits_zero_or_one_across_pods() {
    let c = json!({"name": "sleep", "image": "alpine:3.8", "command": ["sh", "-c"],
        "args": ["FLIP=$(($(($RANDOM%10))%2)) && exit $FLIP"]});
    let codes: BTreeSet<i32> = (0..16)
        .map(|i| {
            let pod = json!({"metadata": {"uid": format!("uid-{i}")}});
            match of_container(&pod, &c) {
                Script::Exits {
                    code, message: None, ..
                } => code,
                other => panic!("{other:?}"),
            }
        })
        .collect();
    assert_eq!(codes, BTreeSet::from([0, 1]));
}
