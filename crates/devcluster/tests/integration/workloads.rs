//! Simulated workloads driven with the real kubectl: Deployments roll out to ready pods, scale, fail
//! visibly with a crash-looping image, Jobs complete or fail by their command, ReplicaSets take their
//! pods with them, Services get endpoints, budgets refuse evictions, and a restart keeps it all.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design

use std::time::{Duration, Instant};

use rollouts_devcluster::testing::{TestCluster, kubectl_available};

/// Polls `check` until it returns true or `secs` pass.
fn eventually(secs: u64, what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if check() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("timed out waiting for {what}");
}

fn jsonpath(c: &TestCluster, args: &[&str], path: &str) -> String {
    let expr = format!("jsonpath={path}");
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["-o", expr.as_str()]);
    String::from_utf8_lossy(&c.kubectl(&all).stdout).into_owned()
}

fn pod_names(c: &TestCluster, selector: &str) -> Vec<String> {
    jsonpath(c, &["get", "pods", "-l", selector], "{.items[*].metadata.name}")
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

#[test]
fn create_deployment_rolls_out_ready_pods_and_scales() {
    if !kubectl_available() {
        return;
    }
    let c = TestCluster::start_simulated().unwrap();
    c.kubectl_ok(&["create", "deployment", "web", "--image=nginx:1.25", "--replicas=3"]);
    c.kubectl_ok(&["rollout", "status", "deployment/web", "--timeout=30s"]);
    let ready = jsonpath(
        &c,
        &["get", "deployment", "web"],
        "{.status.readyReplicas}/{.status.availableReplicas}",
    );
    assert_eq!(ready, "3/3");
    let pods = c.kubectl_ok(&["get", "pods", "-l", "app=web", "--no-headers"]);
    assert_eq!(pods.lines().count(), 3);
    for line in pods.lines() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        assert!(cols[0].starts_with("web-"), "{line}");
        assert_eq!(&cols[1..3], ["1/1", "Running"], "{line}");
    }
    // Pod names are <replicaset>-<5 chars>, owned by the ReplicaSet.
    let rs = jsonpath(&c, &["get", "rs", "-l", "app=web"], "{.items[0].metadata.name}");
    for pod in pod_names(&c, "app=web") {
        assert!(
            pod.starts_with(&format!("{rs}-")) && pod.len() == rs.len() + 6,
            "{pod} of {rs}"
        );
        let owner = jsonpath(
            &c,
            &["get", "pod", &pod],
            "{.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}",
        );
        assert_eq!(owner, format!("ReplicaSet/{rs}"));
    }
    c.kubectl_ok(&["scale", "deployment", "web", "--replicas=5"]);
    eventually(30, "5 ready pods", || {
        jsonpath(&c, &["get", "deployment", "web"], "{.status.readyReplicas}") == "5"
    });
    c.kubectl_ok(&["scale", "deployment", "web", "--replicas=1"]);
    eventually(30, "1 pod left", || pod_names(&c, "app=web").len() == 1);
    // An update rolls out a second ReplicaSet and scales the first one to zero.
    c.kubectl_ok(&["set", "image", "deployment/web", "nginx=nginx:1.26"]);
    c.kubectl_ok(&["rollout", "status", "deployment/web", "--timeout=30s"]);
    let images = jsonpath(
        &c,
        &["get", "pods", "-l", "app=web"],
        "{.items[*].spec.containers[0].image}",
    );
    eventually(30, "old pods gone", || {
        jsonpath(
            &c,
            &["get", "pods", "-l", "app=web"],
            "{.items[*].spec.containers[0].image}",
        ) == "nginx:1.26"
    });
    assert!(images.contains("nginx:1.26"));
    let replica_sets = c.kubectl_ok(&["get", "rs", "-l", "app=web", "--no-headers"]);
    assert_eq!(replica_sets.lines().count(), 2, "{replica_sets}");
}

#[test]
fn a_crash_looping_image_never_becomes_ready() {
    if !kubectl_available() {
        return;
    }
    let c = TestCluster::start_simulated().unwrap();
    c.kubectl_ok(&["create", "deployment", "crash", "--image=example/app:crashloop"]);
    eventually(30, "a restart", || {
        jsonpath(
            &c,
            &["get", "pods", "-l", "app=crash"],
            "{.items[0].status.containerStatuses[0].restartCount}",
        )
        .parse::<u32>()
        .is_ok_and(|n| n >= 1)
    });
    let line = c.kubectl_ok(&["get", "pods", "-l", "app=crash", "--no-headers"]);
    assert!(line.contains("0/1"), "{line}");
    eventually(30, "CrashLoopBackOff", || {
        c.kubectl_ok(&["get", "pods", "-l", "app=crash", "--no-headers"])
            .contains("CrashLoopBackOff")
    });
    assert_eq!(
        jsonpath(&c, &["get", "deployment", "crash"], "{.status.readyReplicas}"),
        ""
    );
    let out = c.kubectl(&["rollout", "status", "deployment/crash", "--timeout=2s"]);
    assert!(
        !out.status.success(),
        "a crash-looping deployment must not report a finished rollout"
    );
}

#[test]
fn jobs_complete_or_fail_by_their_command() {
    if !kubectl_available() {
        return;
    }
    let c = TestCluster::start_simulated().unwrap();
    c.kubectl_ok(&[
        "create",
        "job",
        "ok",
        "--image=busybox",
        "--",
        "sh",
        "-c",
        "sleep 2; exit 0",
    ]);
    let failing = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: bad\nspec:\n  backoffLimit: 0\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: c\n        image: busybox\n        command: [\"sh\", \"-c\", \"exit 1\"]\n";
    c.kubectl_ok_stdin(&["apply", "-f", "-"], failing);
    c.kubectl_ok(&["wait", "--for=condition=complete", "job/ok", "--timeout=30s"]);
    c.kubectl_ok(&["wait", "--for=condition=failed", "job/bad", "--timeout=30s"]);
    assert_eq!(jsonpath(&c, &["get", "job", "ok"], "{.status.succeeded}"), "1");
    assert_eq!(
        jsonpath(
            &c,
            &["get", "job", "bad"],
            "{.status.conditions[?(@.type==\"Failed\")].reason}"
        ),
        "BackoffLimitExceeded"
    );
    let pods = c.kubectl_ok(&["get", "pods", "--no-headers"]);
    assert!(
        pods.lines().any(|l| l.starts_with("ok-") && l.contains("Completed")),
        "{pods}"
    );
    assert!(
        pods.lines().any(|l| l.starts_with("bad-") && l.contains("Error")),
        "{pods}"
    );
}

const REPLICA_SET: &str = "apiVersion: apps/v1\nkind: ReplicaSet\nmetadata:\n  name: frontend\nspec:\n  replicas: 3\n  selector:\n    matchLabels: {tier: frontend}\n  template:\n    metadata:\n      labels: {tier: frontend}\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.25\n        ports:\n        - {name: http, containerPort: 8080}\n";

#[test]
fn deleting_a_replicaset_deletes_its_pods_and_services_get_endpoints() {
    if !kubectl_available() {
        return;
    }
    let c = TestCluster::start_simulated().unwrap();
    c.kubectl_ok_stdin(&["apply", "-f", "-"], REPLICA_SET);
    c.kubectl_ok_stdin(
        &["apply", "-f", "-"],
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: frontend\nspec:\n  selector: {tier: frontend}\n  ports:\n  - {port: 80, targetPort: http}\n",
    );
    eventually(30, "3 ready pods", || {
        jsonpath(&c, &["get", "rs", "frontend"], "{.status.readyReplicas}") == "3"
    });
    eventually(30, "3 endpoints", || {
        jsonpath(&c, &["get", "endpoints", "frontend"], "{.subsets[0].addresses[*].ip}")
            .split_whitespace()
            .count()
            == 3
    });
    assert_eq!(
        jsonpath(&c, &["get", "endpoints", "frontend"], "{.subsets[0].ports[0].port}"),
        "8080"
    );
    c.kubectl_ok(&["delete", "rs", "frontend"]);
    eventually(30, "pods to go", || pod_names(&c, "tier=frontend").is_empty());
    eventually(30, "endpoints to empty", || {
        jsonpath(&c, &["get", "endpoints", "frontend"], "{.subsets}").is_empty()
    });
}

#[test]
fn a_budget_refuses_evictions_that_would_break_it() {
    if !kubectl_available() {
        return;
    }
    let c = TestCluster::start_simulated().unwrap();
    c.kubectl_ok_stdin(&["apply", "-f", "-"], REPLICA_SET);
    let budget = |min: u32| {
        format!(
            "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: frontend\nspec:\n  minAvailable: {min}\n  selector:\n    matchLabels: {{tier: frontend}}\n"
        )
    };
    c.kubectl_ok_stdin(&["apply", "-f", "-"], &budget(3));
    eventually(30, "3 healthy pods counted", || {
        jsonpath(
            &c,
            &["get", "pdb", "frontend"],
            "{.status.currentHealthy}/{.status.disruptionsAllowed}",
        ) == "3/0"
    });
    let pods = pod_names(&c, "tier=frontend");
    let evict = |pod: &str| {
        let body = format!(
            "{{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{{\"name\":\"{pod}\",\"namespace\":\"default\"}}}}"
        );
        let path = format!("/api/v1/namespaces/default/pods/{pod}/eviction");
        c.kubectl_stdin(&["create", "--raw", &path, "-f", "-"], &body)
    };
    let refused = evict(&pods[0]);
    assert!(
        !refused.status.success(),
        "an eviction below minAvailable must be refused"
    );
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("disruption budget"), "{stderr}");
    assert!(pod_names(&c, "tier=frontend").contains(&pods[0]));
    c.kubectl_ok_stdin(&["apply", "-f", "-"], &budget(2));
    eventually(30, "one allowed disruption", || {
        jsonpath(&c, &["get", "pdb", "frontend"], "{.status.disruptionsAllowed}") == "1"
    });
    let allowed = evict(&pods[0]);
    assert!(
        allowed.status.success(),
        "eviction: {}",
        String::from_utf8_lossy(&allowed.stderr)
    );
    eventually(10, "the evicted pod to go", || {
        !pod_names(&c, "tier=frontend").contains(&pods[0])
    });
}

#[test]
fn a_restart_keeps_pods_and_replicasets() {
    if !kubectl_available() {
        return;
    }
    let c = TestCluster::start_simulated().unwrap();
    c.kubectl_ok(&["create", "deployment", "web", "--image=nginx:1.25", "--replicas=2"]);
    c.kubectl_ok(&["rollout", "status", "deployment/web", "--timeout=30s"]);
    let before = jsonpath(&c, &["get", "pods,rs", "-l", "app=web"], "{.items[*].metadata.uid}");
    let c = c.restart().unwrap();
    let after = jsonpath(&c, &["get", "pods,rs", "-l", "app=web"], "{.items[*].metadata.uid}");
    assert_eq!(before, after);
    assert_eq!(before.split_whitespace().count(), 3);
    c.kubectl_ok(&["rollout", "status", "deployment/web", "--timeout=10s"]);
}
