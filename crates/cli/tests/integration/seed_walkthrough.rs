//! The seed walkthrough (the acceptance scenario the project was created from), run as written: upstream's
//! getting-started `rollout.yaml` and `service.yaml` applied with the real kubectl to the dev cluster, the
//! rollouts controller reconciling, and every user step driven through `kubectl argo rollouts`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use std::collections::BTreeMap;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::objects::{counts, get_json, labelled, status, wait_phase};
use common::{Env, stdout, wait_for};
use serde_json::Value;

const NAME: &str = "rollouts-demo";

fn rollout(env: &Env) -> Value {
    env.rollout(NAME)
}

/// Running pods (not terminating) of the demo by image tag.
fn pods_by_tag(env: &Env) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for pod in labelled(env, "pods", NAME) {
        if !pod["metadata"]["deletionTimestamp"].is_null() || pod["status"]["phase"] != "Running" {
            continue;
        }
        let image = pod["spec"]["containers"][0]["image"].as_str().unwrap();
        let tag = image.rsplit(':').next().unwrap().to_string();
        *out.entry(tag).or_insert(0) += 1;
    }
    out
}

fn replica_sets(env: &Env) -> Vec<Value> {
    get_json(env, &["get", "rs", "-o", "json"])["items"]
        .as_array()
        .unwrap()
        .clone()
}

fn replica_set_with_tag(env: &Env, tag: &str) -> Value {
    replica_sets(env)
        .into_iter()
        .find(|rs| {
            rs["spec"]["template"]["spec"]["containers"][0]["image"]
                .as_str()
                .unwrap()
                .ends_with(tag)
        })
        .unwrap_or_else(|| panic!("no ReplicaSet runs {tag}"))
}

fn phase(env: &Env) -> (String, String) {
    let s = status(env, NAME);
    (
        s["phase"].as_str().unwrap_or("").to_string(),
        s["message"].as_str().unwrap_or("").to_string(),
    )
}

fn wait_pods(env: &Env, seconds: u64, want: &[(&str, usize)]) {
    let want = counts(want);
    wait_for(seconds, &format!("pods {want:?}"), || {
        (pods_by_tag(env) == want).then_some(())
    });
}

fn manifests() -> Option<(String, String)> {
    let dir = rollouts_testkit::conformance_or_skip("seed_walkthrough")?.join("docs/getting-started/basic");
    Some((
        dir.join("rollout.yaml").display().to_string(),
        dir.join("service.yaml").display().to_string(),
    ))
}

/// Every ReplicaSet the controller owns carries the hash label in its selector, template and metadata,
/// an owner reference to the Rollout and a revision annotation.
fn check_replica_set_contract(env: &Env) {
    let uid = rollout(env)["metadata"]["uid"].as_str().unwrap().to_string();
    for rs in replica_sets(env) {
        let hash = rs["metadata"]["labels"]["rollouts-pod-template-hash"].as_str().unwrap();
        assert_eq!(
            rs["spec"]["selector"]["matchLabels"]["rollouts-pod-template-hash"],
            hash
        );
        assert_eq!(
            rs["spec"]["template"]["metadata"]["labels"]["rollouts-pod-template-hash"],
            hash
        );
        let owner = &rs["metadata"]["ownerReferences"][0];
        assert_eq!(
            (owner["kind"].as_str(), owner["uid"].as_str()),
            (Some("Rollout"), Some(uid.as_str()))
        );
        assert_eq!(owner["controller"], true);
        assert!(rs["metadata"]["annotations"]["rollout.argoproj.io/revision"].is_string());
    }
}

#[test]
fn seed_walkthrough() {
    if let Some(env) = Env::start("seed-walkthrough") {
        walk(&env);
    }
}

/// The walkthrough on `env` (skipped when the conformance files are missing).
pub(crate) fn walk(env: &Env) {
    let Some((rollout_yaml, service_yaml)) = manifests() else {
        return;
    };
    let mut controller = env.start_controller();

    // 1. Apply: a first ReplicaSet straight to 5 (no steps on the first revision), Healthy, revision 1.
    env.cluster
        .kubectl_ok(&["apply", "-f", &rollout_yaml, "-f", &service_yaml]);
    let s = wait_phase(env, NAME, 60, "Healthy");
    wait_pods(env, 30, &[("blue", 5)]);
    assert_eq!(s["stableRS"], s["currentPodHash"]);
    assert_eq!(
        rollout(env)["metadata"]["annotations"]["rollout.argoproj.io/revision"],
        "1"
    );
    assert_eq!(replica_sets(env).len(), 1);
    let service_before = env
        .cluster
        .kubectl_ok(&["get", "svc", NAME, "-o", "jsonpath={.spec.selector}"]);

    // kubectl get rollout / ro with upstream's printer columns.
    let table = env.cluster.kubectl_ok(&["get", "ro", NAME]);
    let header: Vec<&str> = table.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(header, ["NAME", "DESIRED", "CURRENT", "UP-TO-DATE", "AVAILABLE", "AGE"]);
    assert!(table.lines().nth(1).unwrap().starts_with("rollouts-demo"), "{table}");

    // 2. A live tree, redrawn as things change: watch in the background through the next step.
    let mut watch = env
        .plugin_command(&["get", "rollout", NAME, "--watch", "--no-color"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    // 3. Set image yellow: revision 2, 1 yellow / 4 blue, paused at the indefinite pause.
    let out = env.plugin_ok(&["set", "image", NAME, "rollouts-demo=argoproj/rollouts-demo:yellow"]);
    assert_eq!(out.trim(), "rollout \"rollouts-demo\" image updated");
    let s = wait_phase(env, NAME, 60, "Paused");
    wait_pods(env, 30, &[("blue", 4), ("yellow", 1)]);
    assert_eq!(s["message"], "CanaryPauseStep");
    assert_eq!(s["pauseConditions"][0]["reason"], "CanaryPauseStep");
    assert_eq!(s["controllerPause"], true);
    assert_eq!(s["currentStepIndex"], 1);
    assert_eq!(
        rollout(env)["metadata"]["annotations"]["rollout.argoproj.io/revision"],
        "2"
    );
    let yellow = replica_set_with_tag(env, "yellow");
    assert_eq!(yellow["metadata"]["annotations"]["rollout.argoproj.io/revision"], "2");
    // It stays paused until promoted.
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(phase(env).0, "Paused");
    assert_eq!(pods_by_tag(env), counts(&[("blue", 4), ("yellow", 1)]));
    let tree = env.plugin_ok(&["get", "rollout", NAME, "--no-color"]);
    for line in [
        "Name:            rollouts-demo",
        "Status:          ॥ Paused",
        "Message:         CanaryPauseStep",
        "Strategy:        Canary",
        "  Step:          1/8",
        "  SetWeight:     20",
        "  ActualWeight:  20",
        "Replicas:",
    ] {
        assert!(tree.contains(line), "missing {line:?} in\n{tree}");
    }
    assert!(tree.contains("argoproj/rollouts-demo:blue (stable)"), "{tree}");
    assert!(tree.contains("argoproj/rollouts-demo:yellow (canary)"), "{tree}");

    // 4. Promote: 2/5, 3/5, 4/5 yellow, each held ~10 s, then 5/5; yellow stable, blue scaled down.
    let out = env.plugin_ok(&["promote", NAME]);
    assert_eq!(out.trim(), "rollout 'rollouts-demo' promoted");
    // Every sample (yellow pods, when the sample was taken), to bound each hold from above: a count is
    // reached somewhere between the last sample without it and the first with it.
    let mut samples: Vec<(usize, Instant)> = Vec::new();
    wait_for(120, "all 5 pods yellow and Healthy", || {
        let taken = Instant::now();
        let pods = pods_by_tag(env);
        let yellow = pods.get("yellow").copied().unwrap_or(0);
        samples.push((yellow, taken));
        let (p, _) = phase(env);
        (yellow == 5 && pods.len() == 1 && p == "Healthy").then_some(())
    });
    let first_seen = |n: usize| samples.iter().position(|(c, _)| *c >= n);
    for want in [2, 3, 4, 5] {
        assert!(first_seen(want).is_some(), "never saw {want} yellow pods: {samples:?}");
    }
    for (from, to) in [(2, 3), (3, 4), (4, 5)] {
        let start = samples[first_seen(from).unwrap().saturating_sub(1)].1;
        let end = samples[first_seen(to).unwrap()].1;
        // The longest the step can have been held given the samples; a skipped pause would be far below.
        let held = end - start;
        assert!(held >= Duration::from_secs(10), "{from}/5 held at most {held:?}");
    }
    let s = status(env, NAME);
    let yellow = replica_set_with_tag(env, "yellow");
    assert_eq!(
        s["stableRS"],
        yellow["metadata"]["labels"]["rollouts-pod-template-hash"]
    );
    assert_eq!(replica_set_with_tag(env, "blue")["spec"]["replicas"], 0);
    assert_eq!(s["phase"], "Healthy");

    // The watch redrew the tree through the pause and the promotion.
    let _ = watch.kill();
    let watched = stdout(&watch.wait_with_output().unwrap());
    assert!(watched.contains("Paused"), "{watched}");
    assert!(watched.contains("Healthy"), "{watched}");
    assert!(watched.contains("revision:2"), "{watched}");

    // 5. Set image red: revision 3, 1 red / 4 yellow, paused at step 1.
    env.plugin_ok(&["set", "image", NAME, "rollouts-demo=argoproj/rollouts-demo:red"]);
    let s = wait_phase(env, NAME, 60, "Paused");
    wait_pods(env, 30, &[("red", 1), ("yellow", 4)]);
    assert_eq!(s["currentStepIndex"], 1);
    assert_eq!(
        replica_set_with_tag(env, "red")["metadata"]["annotations"]["rollout.argoproj.io/revision"],
        "3"
    );

    // 6. Abort: red to 0, yellow back to 5, Degraded with upstream's message.
    let out = env.plugin_ok(&["abort", NAME]);
    assert_eq!(out.trim(), "rollout 'rollouts-demo' aborted");
    let s = wait_phase(env, NAME, 60, "Degraded");
    wait_pods(env, 30, &[("yellow", 5)]);
    assert_eq!(s["abort"], true);
    assert_eq!(s["message"], "RolloutAborted: Rollout aborted update to revision 3");
    assert_eq!(replica_set_with_tag(env, "red")["spec"]["replicas"], 0);
    assert_eq!(replica_set_with_tag(env, "yellow")["spec"]["replicas"], 5);

    // 7. Set image yellow again: Healthy at once, no new ReplicaSet, the yellow one becomes revision 4.
    let before = replica_sets(env).len();
    env.plugin_ok(&["set", "image", NAME, "rollouts-demo=argoproj/rollouts-demo:yellow"]);
    let s = wait_phase(env, NAME, 30, "Healthy");
    assert_eq!(replica_sets(env).len(), before);
    let yellow = replica_set_with_tag(env, "yellow");
    assert_eq!(yellow["metadata"]["annotations"]["rollout.argoproj.io/revision"], "4");
    assert_eq!(
        yellow["metadata"]["annotations"]["rollout.argoproj.io/revision-history"],
        "2"
    );
    assert_eq!(
        rollout(env)["metadata"]["annotations"]["rollout.argoproj.io/revision"],
        "4"
    );
    assert_eq!(
        s["stableRS"],
        yellow["metadata"]["labels"]["rollouts-pod-template-hash"]
    );
    assert!(s["abort"] != true);
    assert_eq!(pods_by_tag(env), counts(&[("yellow", 5)]));

    // Throughout: the ReplicaSet contract, the Service left alone, events on the Rollout.
    check_replica_set_contract(env);
    let service_after = env
        .cluster
        .kubectl_ok(&["get", "svc", NAME, "-o", "jsonpath={.spec.selector}"]);
    assert_eq!(service_before, service_after);
    let described = env.cluster.kubectl_ok(&["describe", "rollout", NAME]);
    for reason in [
        "RolloutUpdated",
        "NewReplicaSetCreated",
        "ScalingReplicaSet",
        "RolloutPaused",
        "RolloutStepCompleted",
        "RolloutCompleted",
        "RolloutAborted",
        "SkipSteps",
    ] {
        assert!(described.contains(reason), "no {reason} event in\n{described}");
    }
    controller.stop();
}
