use super::*;
use crate::sim::{Action, Plan, SimConfig, kubelet};

fn cfg() -> SimConfig {
    SimConfig {
        start_delay: Duration::from_secs(1),
        ..SimConfig::default()
    }
}

/// A bound pod created at `t0` with one container.
fn kpod(container: Value, restart: &str) -> Value {
    json!({
        "metadata": {"name": "p", "namespace": "default", "uid": "pod-uid", "creationTimestamp": ts(0)},
        "spec": {"nodeName": "dev-node", "restartPolicy": restart, "containers": [container]},
        "status": {"phase": "Pending", "qosClass": "BestEffort"},
    })
}

/// Steps the kubelet at `now` and applies its status update to the pod.
fn step(pod: &mut Value, now: Timestamp, cfg: &SimConfig) -> Plan {
    let plan = kubelet::step(pod, now, cfg, &mut || "10.244.0.7".to_string()).unwrap();
    for a in &plan.actions {
        if let Action::UpdateStatus { status, .. } = a {
            pod["status"] = status.clone();
        }
    }
    plan
}

fn container(pod: &Value) -> &Value {
    &pod["status"]["containerStatuses"][0]
}

fn cond<'a>(pod: &'a Value, kind: &str) -> &'a Value {
    pod["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == kind)
        .unwrap()
}

#[test]
fn unscheduled_pods_are_bound_then_started() {
    let mut pod = kpod(json!({"name": "app", "image": "nginx"}), "Always");
    pod["spec"].as_object_mut().unwrap().remove("nodeName");
    let plan = kubelet::step(&pod, at(0), &cfg(), &mut || unreachable!()).unwrap();
    assert!(matches!(&plan.actions[0], Action::Bind { node, .. } if node == "dev-node"));
    let Action::UpdateStatus { status, .. } = &plan.actions[1] else {
        panic!("{plan:?}")
    };
    assert_eq!(status["conditions"][0]["type"], "PodScheduled");
    assert_eq!(status["qosClass"], "BestEffort");
    assert_eq!(plan.requeue_after, Some(Duration::from_secs(1)));
}

#[test]
fn healthy_pod_starts_after_the_delay_and_settles() {
    let mut pod = kpod(json!({"name": "app", "image": "nginx:1.25"}), "Always");
    let plan = step(&mut pod, meta::add(at(0), Duration::from_millis(500)), &cfg());
    assert_eq!(plan.requeue_after, Some(Duration::from_millis(500)));
    assert_eq!(pod["status"]["phase"], "Pending");
    let plan = step(&mut pod, at(1), &cfg());
    assert_eq!(plan.actions.len(), 1);
    let s = &pod["status"];
    assert_eq!(s["phase"], "Running");
    assert_eq!(s["podIP"], "10.244.0.7");
    assert_eq!(s["podIPs"], json!([{"ip": "10.244.0.7"}]));
    assert_eq!(s["hostIP"], "10.0.0.1");
    assert_eq!(s["startTime"], ts(1));
    assert_eq!(s["qosClass"], "BestEffort");
    let types: Vec<&str> = s["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "PodReadyToStartContainers",
            "Initialized",
            "Ready",
            "ContainersReady",
            "PodScheduled"
        ]
    );
    assert!(
        s["conditions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["status"] == "True")
    );
    assert_eq!(cond(&pod, "Ready")["lastTransitionTime"], ts(1));
    let c = container(&pod);
    assert_eq!(c["image"], "docker.io/library/nginx:1.25");
    assert!(
        c["imageID"]
            .as_str()
            .unwrap()
            .starts_with("docker.io/library/nginx@sha256:")
    );
    assert!(c["containerID"].as_str().unwrap().starts_with("containerd://"));
    assert_eq!(
        (c["ready"].clone(), c["started"].clone(), c["restartCount"].clone()),
        (json!(true), json!(true), json!(0))
    );
    assert_eq!(c["state"], json!({"running": {"startedAt": ts(1)}}));
    // settled: asking again, now or later, changes nothing
    for later in [1, 2, 3600] {
        let plan = kubelet::step(&pod, at(later), &cfg(), &mut || unreachable!()).unwrap();
        assert!(plan.is_noop() && plan.requeue_after.is_none(), "{later}: {plan:?}");
    }
}

#[test]
fn readiness_probe_delay() {
    let c =
        json!({"name": "app", "image": "nginx", "readinessProbe": {"initialDelaySeconds": 5, "httpGet": {"port": 80}}});
    let mut pod = kpod(c, "Always");
    let plan = step(&mut pod, at(2), &cfg());
    assert_eq!(cond(&pod, "Ready")["status"], "False");
    assert_eq!(cond(&pod, "Ready")["reason"], "ContainersNotReady");
    assert_eq!(plan.requeue_after, Some(Duration::from_secs(4)));
    step(&mut pod, at(6), &cfg());
    assert_eq!(cond(&pod, "Ready")["status"], "True");
    assert_eq!(cond(&pod, "Ready")["lastTransitionTime"], ts(6));
    assert!(step(&mut pod, at(7), &cfg()).is_noop());
}

#[test]
fn crashloop_backs_off_with_growing_delays() {
    let cfg = SimConfig {
        crash_after: Duration::from_secs(2),
        ..cfg()
    };
    let mut pod = kpod(json!({"name": "app", "image": "demo:crashloop"}), "Always");
    // start 1; runs [1,3) [3,5); back-off 10s; [15,17); 20s; [37,39); 40s ...
    let expect: &[(u64, u64, &str)] = &[
        (1, 0, "running"),
        (3, 1, "running"),
        (6, 1, "CrashLoopBackOff"),
        (15, 2, "running"),
        (18, 2, "CrashLoopBackOff"),
        (37, 3, "running"),
        (40, 3, "CrashLoopBackOff"),
        (79, 4, "running"),
        (81, 4, "CrashLoopBackOff"),
    ];
    for (now, restarts, state) in expect {
        step(&mut pod, at(*now), &cfg);
        let c = container(&pod);
        assert_eq!(c["restartCount"], *restarts, "at {now}");
        let shown = c["state"]["waiting"]["reason"]
            .as_str()
            .unwrap_or(if c["state"]["running"].is_object() {
                "running"
            } else {
                "?"
            });
        assert_eq!(shown, *state, "at {now}: {c}");
        assert_eq!(c["ready"], false);
        assert_eq!(pod["status"]["phase"], "Running");
        assert_eq!(cond(&pod, "Ready")["status"], "False");
    }
    step(&mut pod, at(18), &cfg);
    let c = container(&pod);
    assert_eq!(
        c["state"]["waiting"]["message"],
        "back-off 20s restarting failed container=app pod=p_default(pod-uid)"
    );
    assert_eq!(c["lastState"]["terminated"]["exitCode"], 1);
    assert_eq!(c["lastState"]["terminated"]["reason"], "Error");
    assert_eq!(c["lastState"]["terminated"]["finishedAt"], ts(17));
    let plan = step(&mut pod, at(18), &cfg);
    assert_eq!(plan.requeue_after, Some(Duration::from_secs(19)));
}

#[test]
fn crashloop_back_off_scales_with_time_scale() {
    let cfg = SimConfig {
        time_scale: 0.1,
        ..cfg()
    };
    let mut pod = kpod(json!({"name": "app", "image": "demo:crashloop"}), "Always");
    // runs [1,2) [2,3); back-off 1s; [4,5); 2s; [7,8); 4s; [12,13)
    step(&mut pod, at(12), &cfg);
    assert_eq!(container(&pod)["restartCount"], 4);
}

#[test]
fn never_ready_runs_but_is_not_ready() {
    let mut pod = kpod(json!({"name": "app", "image": "demo:never-ready"}), "Always");
    step(&mut pod, at(100), &cfg());
    assert_eq!(pod["status"]["phase"], "Running");
    let ready = cond(&pod, "Ready");
    assert_eq!(
        (ready["status"].as_str(), ready["reason"].as_str()),
        (Some("False"), Some("ContainersNotReady"))
    );
    assert_eq!(ready["message"], "containers with unready status: [app]");
    assert_eq!(container(&pod)["state"]["running"]["startedAt"], ts(1));
    assert!(step(&mut pod, at(500), &cfg()).is_noop());
}

#[test]
fn image_pull_failures_stay_pending() {
    for image in ["nginx:bad-image", "example.com/does-not-exist", "x:ImagePullBackOff"] {
        let mut pod = kpod(json!({"name": "app", "image": image}), "Always");
        let plan = step(&mut pod, at(2), &cfg());
        assert_eq!(pod["status"]["phase"], "Pending", "{image}");
        assert_eq!(container(&pod)["state"]["waiting"]["reason"], "ErrImagePull");
        assert_eq!(container(&pod)["image"], image);
        assert_eq!(plan.requeue_after, Some(Duration::from_secs(4)));
        step(&mut pod, at(6), &cfg());
        let waiting = &container(&pod)["state"]["waiting"];
        assert_eq!(waiting["reason"], "ImagePullBackOff");
        assert_eq!(waiting["message"], format!("Back-off pulling image \"{image}\""));
        assert_eq!(pod["status"]["phase"], "Pending");
        assert_eq!(cond(&pod, "Ready")["status"], "False");
        assert!(step(&mut pod, at(600), &cfg()).is_noop());
    }
}

#[test]
fn job_pods_run_their_script_to_completion() {
    let cases = [
        (json!(["sh", "-c", "sleep 5; exit 1"]), "Never", 6, "Failed", 1, "Error"),
        (json!(["sleep", "3"]), "Never", 4, "Succeeded", 0, "Completed"),
        (json!(["exit", "0"]), "OnFailure", 1, "Succeeded", 0, "Completed"),
        (json!(["exit", "3"]), "Never", 1, "Failed", 3, "Error"),
    ];
    for (command, restart, done_at, phase, code, reason) in cases {
        let mut pod = kpod(json!({"name": "job", "image": "busybox", "command": command}), restart);
        if done_at > 1 {
            let plan = step(&mut pod, at(1), &cfg());
            assert_eq!(pod["status"]["phase"], "Running");
            assert_eq!(cond(&pod, "Ready")["status"], "True");
            assert_eq!(plan.requeue_after, Some(Duration::from_secs(done_at - 1)));
        }
        step(&mut pod, at(done_at), &cfg());
        assert_eq!(pod["status"]["phase"], phase, "{command}");
        let t = &container(&pod)["state"]["terminated"];
        assert_eq!(
            (t["exitCode"].as_i64(), t["reason"].as_str()),
            (Some(code), Some(reason)),
            "{command}"
        );
        assert_eq!(t["finishedAt"], ts(done_at));
        assert_eq!(cond(&pod, "Ready")["status"], "False");
        if phase == "Succeeded" {
            assert_eq!(cond(&pod, "Ready")["reason"], "PodCompleted");
        }
        let plan = kubelet::step(&pod, at(done_at + 100), &cfg(), &mut || unreachable!()).unwrap();
        assert!(plan.is_noop(), "{command}");
    }
}

#[test]
fn a_statement_the_shell_cannot_run_fails_the_container_and_says_why() {
    let mut pod = kpod(
        json!({"name": "load", "image": "busybox", "command": ["sh", "-c", "sleep 2\nwrk -t1 http://svc/color"]}),
        "Never",
    );
    step(&mut pod, at(3), &cfg());
    assert_eq!(pod["status"]["phase"], "Failed");
    let t = &container(&pod)["state"]["terminated"];
    assert_eq!(
        (t["exitCode"].as_i64(), t["reason"].as_str()),
        (Some(127), Some("Error"))
    );
    let message = t["message"].as_str().unwrap();
    assert!(
        message.starts_with("sh: line 2: cannot run `wrk -t1 http://svc/color`: `wrk` cannot run"),
        "{message}"
    );
    // A script that exits on its own carries no message.
    let mut pod = kpod(
        json!({"name": "job", "image": "busybox", "command": ["sh", "-c", "exit 4"]}),
        "Never",
    );
    step(&mut pod, at(3), &cfg());
    assert!(container(&pod)["state"]["terminated"].get("message").is_none());
}

#[test]
fn the_random_fail_example_varies_across_pods() {
    let phases: std::collections::BTreeSet<String> = (0..12)
        .map(|i| {
            let mut pod = kpod(
                json!({"name": "sleep", "image": "alpine:3.8", "command": ["sh", "-c"],
                    "args": ["FLIP=$(($(($RANDOM%10))%2)) && exit $FLIP"]}),
                "Never",
            );
            pod["metadata"]["uid"] = json!(format!("uid-{i}"));
            step(&mut pod, at(3), &cfg());
            pod["status"]["phase"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(
        phases,
        ["Failed".to_string(), "Succeeded".to_string()].into_iter().collect()
    );
}

#[test]
fn sleeps_scale_with_time_scale_and_on_failure_restarts() {
    let cfg = SimConfig {
        time_scale: 0.5,
        ..cfg()
    };
    let mut pod = kpod(
        json!({"name": "job", "image": "busybox", "command": ["sh", "-c", "sleep 10; exit 0"]}),
        "Never",
    );
    step(&mut pod, at(6), &cfg);
    assert_eq!(pod["status"]["phase"], "Succeeded");
    let mut pod = kpod(
        json!({"name": "job", "image": "busybox", "command": ["sh", "-c", "exit 1"]}),
        "OnFailure",
    );
    step(&mut pod, at(30), &cfg);
    assert_eq!(pod["status"]["phase"], "Running");
    assert!(container(&pod)["restartCount"].as_i64().unwrap() >= 3);
}

#[test]
fn deleted_pods_are_finished_after_the_termination_delay() {
    let mut pod = kpod(json!({"name": "app", "image": "nginx"}), "Always");
    step(&mut pod, at(2), &cfg());
    pod["metadata"]["deletionTimestamp"] = json!(ts(40));
    pod["metadata"]["deletionGracePeriodSeconds"] = json!(30);
    let plan = kubelet::step(&pod, at(10), &cfg(), &mut || unreachable!()).unwrap();
    assert_eq!(plan.requeue_after, Some(Duration::from_secs(1)));
    assert!(plan.is_noop());
    let plan = kubelet::step(&pod, at(11), &cfg(), &mut || unreachable!()).unwrap();
    assert!(matches!(
        &plan.actions[..],
        [Action::Delete {
            grace_period_seconds: Some(0),
            ..
        }]
    ));
    // a short grace period wins over the configured delay
    pod["metadata"]["deletionTimestamp"] = json!(ts(10));
    pod["metadata"]["deletionGracePeriodSeconds"] = json!(0);
    let plan = kubelet::step(&pod, at(10), &cfg(), &mut || unreachable!()).unwrap();
    assert_eq!(plan.actions.len(), 1);
}

#[test]
fn init_containers_complete_at_start() {
    let mut pod = kpod(json!({"name": "app", "image": "nginx"}), "Always");
    pod["spec"]["initContainers"] = json!([{"name": "setup", "image": "busybox"}]);
    step(&mut pod, at(1), &cfg());
    let init = &pod["status"]["initContainerStatuses"][0];
    assert_eq!(init["state"]["terminated"]["reason"], "Completed");
    assert_eq!(pod["status"]["phase"], "Running");
}
