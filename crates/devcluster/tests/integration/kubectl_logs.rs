//! `kubectl logs` against simulated pods: the lines the dev cluster writes for a container's start,
//! readiness and exit, `--tail` and `--timestamps`, `-f` ending with a finished pod, a Job's pod found
//! through `job/<name>`, and kube-apiserver's errors for a missing pod or container.

use std::time::Duration;

use crate::common::{self, Streaming, kubectl_err, wait_for};
use rollouts_devcluster::testing::{TestCluster, kubectl_available};

fn first_pod(tc: &TestCluster, selector: &str) -> String {
    common::jsonpath(tc, &["pods", "-l", selector], "{.items[0].metadata.name}")
}

#[test]
fn a_ready_pod_logs_its_start_and_readiness() {
    if !kubectl_available() {
        return;
    }
    let tc = TestCluster::start_simulated().unwrap();
    tc.kubectl_ok(&["create", "deployment", "web", "--image=argoproj/rollouts-demo:yellow"]);
    tc.kubectl_ok(&["rollout", "status", "deployment/web", "--timeout=30s"]);
    let pod = first_pod(&tc, "app=web");
    let mut log = String::new();
    wait_for("the Ready line", Duration::from_secs(10), || {
        log = tc.kubectl_ok(&["logs", &pod]);
        log.contains("Ready")
    });
    assert_eq!(
        log, "Started container rollouts-demo (image argoproj/rollouts-demo:yellow)\nReady\n",
        "{log}"
    );
    assert_eq!(tc.kubectl_ok(&["logs", &pod, "--tail=1"]), "Ready\n");
    let stamped = tc.kubectl_ok(&["logs", &pod, "--timestamps"]);
    let first = stamped.lines().next().unwrap();
    let (time, text) = first.split_once(' ').unwrap();
    assert!(time.parse::<jiff::Timestamp>().is_ok(), "{first}");
    assert!(text.starts_with("Started container"), "{first}");
    // Through the Deployment, as kubectl resolves it.
    assert_eq!(tc.kubectl_ok(&["logs", "deployment/web", "--tail=1"]), "Ready\n");
}

#[test]
fn a_job_pod_logs_its_script_and_a_follow_ends_when_it_finishes() {
    if !kubectl_available() {
        return;
    }
    let tc = TestCluster::start_simulated().unwrap();
    // The simulation runs at a tenth of real time: the pod runs for 4 s.
    let script = "sleep 40; exit 0";
    tc.kubectl_ok(&["create", "job", "count", "--image=busybox", "--", "sh", "-c", script]);
    let mut pod = String::new();
    wait_for("the Job's pod to run", Duration::from_secs(15), || {
        let found = common::jsonpath(
            &tc,
            &["pods", "-l", "job-name=count"],
            "{.items[*].metadata.name} {.items[*].status.phase}",
        );
        match found.split_whitespace().collect::<Vec<_>>().as_slice() {
            [name, "Running"] => {
                pod = (*name).to_string();
                true
            }
            _ => false,
        }
    });
    let mut follow = Streaming::start(&tc, &["logs", "-f", &pod]);
    let (_, started) = follow.until("the start line", |l| l.starts_with("Started container"));
    assert_eq!(started, "Started container count (image busybox)");
    assert_eq!(follow.expect_line("the script"), format!("+ sh -c {script}"));
    let (between, exited) = follow.until("the exit", |l| l.starts_with("Container count exited"));
    assert_eq!(between, ["Ready"]);
    assert_eq!(exited, "Container count exited with code 0 (Completed)");
    let status = follow
        .wait_exit(Duration::from_secs(10))
        .expect("the follow ended with the pod");
    assert!(status.success(), "{status:?}");
    let log = tc.kubectl_ok(&["logs", "job/count"]);
    assert!(
        log.contains("\nContainer count exited with code 0 (Completed)\n"),
        "{log}"
    );
}

#[test]
fn missing_pods_and_containers_are_kube_apiservers_errors() {
    if !kubectl_available() {
        return;
    }
    let tc = TestCluster::start_simulated().unwrap();
    // kubectl reads the pod first and says where it looked.
    assert_eq!(
        kubectl_err(&tc, &["logs", "nothing-here"]).trim_end(),
        "error: error from server (NotFound): pods \"nothing-here\" not found in namespace \"default\""
    );
    tc.kubectl_ok(&["create", "deployment", "web", "--image=nginx"]);
    tc.kubectl_ok(&["rollout", "status", "deployment/web", "--timeout=30s"]);
    let pod = first_pod(&tc, "app=web");
    // kubectl checks the container name itself; the API server refuses it too.
    assert_eq!(
        kubectl_err(&tc, &["logs", &pod, "-c", "sidecar"]).trim_end(),
        format!("error: container sidecar is not valid for pod {pod}")
    );
    let raw = format!("/api/v1/namespaces/default/pods/{pod}/log?container=sidecar");
    assert_eq!(
        kubectl_err(&tc, &["get", "--raw", &raw]).trim_end(),
        format!("Error from server (BadRequest): container sidecar is not valid for pod {pod}")
    );
    // A pod that never started has nothing to show yet.
    tc.kubectl_ok(&["create", "deployment", "broken", "--image=example/bad-image:1"]);
    let mut broken = String::new();
    wait_for("the broken pod", Duration::from_secs(10), || {
        broken = first_pod(&tc, "app=broken");
        !broken.is_empty()
    });
    let err = kubectl_err(&tc, &["logs", &broken]);
    assert!(
        err.starts_with(&format!(
            "Error from server (BadRequest): container \"bad-image\" in pod \"{broken}\" is waiting to start: "
        )),
        "{err}"
    );
}
