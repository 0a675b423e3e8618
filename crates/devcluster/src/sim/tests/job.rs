use super::cluster::Cluster;
use super::*;
use crate::sim::{Action, SimConfig, job, podutil};

fn job_with(command: Value, restart: &str, extra: Value) -> Value {
    let mut j = json!({
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "pi", "namespace": "default"},
        "spec": {"template": {"metadata": {"labels": {"app": "pi"}},
            "spec": {"restartPolicy": restart, "containers": [{"name": "c", "image": "busybox", "command": command}]}}},
    });
    for (k, v) in extra.as_object().unwrap() {
        j["spec"][k] = v.clone();
    }
    j
}

fn run(j: Value, until: u64) -> Cluster {
    let mut c = Cluster::new(t0());
    c.create(j);
    c.run_until_quiet(at(until));
    c
}

fn conditions(c: &Cluster) -> Vec<(String, String, String)> {
    let j = c.get("Job", "pi").unwrap();
    j["status"]["conditions"]
        .as_array()
        .map(|cs| {
            cs.iter()
                .map(|c| {
                    (
                        c["type"].as_str().unwrap().into(),
                        c["reason"].as_str().unwrap().into(),
                        c["message"].as_str().unwrap().into(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn job_pods_are_labelled_and_owned() {
    let mut j = job_with(json!(["exit", "0"]), "Never", json!({}));
    j["metadata"]["uid"] = json!("job-uid");
    let plan = job::reconcile(&j, &[], at(0), &SimConfig::default(), &mut counter()).unwrap();
    let Action::Create(pod) = &plan.actions[0] else {
        panic!("{plan:?}")
    };
    assert_eq!(pod["metadata"]["name"], "pi-x0001");
    assert_eq!(pod["metadata"]["generateName"], "pi-");
    assert_eq!(
        pod["metadata"]["labels"],
        json!({"app": "pi", "batch.kubernetes.io/controller-uid": "job-uid", "batch.kubernetes.io/job-name": "pi",
            "controller-uid": "job-uid", "job-name": "pi"})
    );
    assert_eq!(pod["metadata"]["ownerReferences"][0]["kind"], "Job");
    assert_eq!(pod["metadata"]["ownerReferences"][0]["apiVersion"], "batch/v1");
    let Action::UpdateStatus { status, .. } = &plan.actions[1] else {
        panic!("{plan:?}")
    };
    assert_eq!(status["startTime"], ts(0));
    assert_eq!(status["active"], 1);
}

#[test]
fn successful_job_completes() {
    let c = run(
        job_with(json!(["sh", "-c", "sleep 20; exit 0"]), "Never", json!({})),
        600,
    );
    let reached = "Reached expected number of succeeded pods".to_string();
    assert_eq!(
        conditions(&c),
        [
            (
                "SuccessCriteriaMet".into(),
                "CompletionsReached".into(),
                reached.clone()
            ),
            ("Complete".into(), "CompletionsReached".into(), reached)
        ]
    );
    let j = c.get("Job", "pi").unwrap();
    let s = &j["status"];
    assert_eq!(
        (s["succeeded"].clone(), s.get("active"), s["ready"].clone()),
        (json!(1), None, json!(0))
    );
    assert_eq!(s["startTime"], ts(0));
    // started at 1, slept 20 x 0.1
    assert_eq!(s["completionTime"], ts(3));
    let plan = job::reconcile(j, &c.list("Pod"), at(900), &c.cfg, &mut counter()).unwrap();
    assert!(plan.is_noop());
}

#[test]
fn parallel_completions() {
    let j = job_with(
        json!(["sleep", "30"]),
        "Never",
        json!({"completions": 5, "parallelism": 2}),
    );
    let mut c = Cluster::new(t0());
    c.create(j);
    c.check = Some(Box::new(|c: &Cluster| {
        let active = c.list("Pod").iter().filter(|p| podutil::is_active(p)).count();
        assert!(active <= 2, "{active} active pods");
    }));
    c.run_until_quiet(at(600));
    let j = c.get("Job", "pi").unwrap();
    assert_eq!(j["status"]["succeeded"], 5);
    assert_eq!(c.list("Pod").len(), 5);
    assert!(conditions(&c).iter().any(|(t, _, _)| t == "Complete"));
}

#[test]
fn failures_are_retried_with_back_off_until_the_limit() {
    let c = run(
        job_with(
            json!(["sh", "-c", "sleep 1; exit 1"]),
            "Never",
            json!({"backoffLimit": 2}),
        ),
        3600,
    );
    let message = "Job has reached the specified backoff limit".to_string();
    assert_eq!(
        conditions(&c),
        [
            ("FailureTarget".into(), "BackoffLimitExceeded".into(), message.clone()),
            ("Failed".into(), "BackoffLimitExceeded".into(), message)
        ]
    );
    let j = c.get("Job", "pi").unwrap();
    assert_eq!(j["status"]["failed"], 3);
    assert!(j["status"].get("completionTime").is_none());
    let mut created: Vec<Timestamp> = c.list("Pod").iter().filter_map(meta::created).collect();
    created.sort();
    let gaps: Vec<i64> = created
        .windows(2)
        .map(|w| w[1].duration_since(w[0]).as_secs())
        .collect();
    assert_eq!(gaps.len(), 2);
    assert!(gaps[1] > gaps[0], "back-off grows: {gaps:?}");
}

#[test]
fn active_deadline_fails_the_job_and_stops_its_pods() {
    let mut c = run(
        job_with(json!(["sleep", "1000"]), "Never", json!({"activeDeadlineSeconds": 5})),
        4,
    );
    assert!(conditions(&c).is_empty());
    c.run_until_quiet(at(60));
    let message = "Job was active longer than specified deadline".to_string();
    assert_eq!(
        conditions(&c),
        [
            ("FailureTarget".into(), "DeadlineExceeded".into(), message.clone()),
            ("Failed".into(), "DeadlineExceeded".into(), message)
        ]
    );
    assert!(c.list("Pod").is_empty(), "the running pod was deleted");
}

#[test]
fn on_failure_restarts_count_towards_the_backoff_limit() {
    let c = run(
        job_with(json!(["exit", "1"]), "OnFailure", json!({"backoffLimit": 3})),
        3600,
    );
    assert_eq!(
        conditions(&c).last().map(|c| c.1.clone()),
        Some("BackoffLimitExceeded".to_string())
    );
}

#[test]
fn suspended_jobs_run_no_pods() {
    let mut c = run(job_with(json!(["sleep", "1000"]), "Never", json!({})), 5);
    assert_eq!(c.list("Pod").len(), 1);
    c.update_spec("Job", "pi", |j| j["spec"]["suspend"] = json!(true));
    c.run_until_quiet(at(30));
    assert!(c.list("Pod").is_empty());
    assert_eq!(
        conditions(&c),
        [("Suspended".into(), "JobSuspended".into(), "Job suspended".into())]
    );
    assert!(c.get("Job", "pi").unwrap()["status"].get("startTime").is_none());
    c.update_spec("Job", "pi", |j| j["spec"]["suspend"] = json!(false));
    c.settle();
    assert_eq!(c.list("Pod").len(), 1);
    assert_eq!(
        conditions(&c),
        [("Suspended".into(), "JobResumed".into(), "Job resumed".into())]
    );
}
