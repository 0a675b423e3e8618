//! What the controller says at info level while Rollouts progress, through the controller itself
//! against the in-process dev cluster: one line per change, in upstream's words, with the object's
//! namespace and name as fields (a canary through its steps, a pause, a promotion, an analysis, an
//! experiment and an abort; a blue-green through its Service switches), and nothing at all while
//! nothing changes.
//!
//! The controller runs on a single-threaded runtime, so that every line it logs reaches the capture
//! installed on the test's thread. Pod template hashes, uids and deadlines, which differ from run to
//! run, are replaced in the lines by names (`<rev1>`, `<run-uid>`, `<deadline>`). The lines about
//! one object come in the order of its reconciles; those of different objects (the Rollout, its
//! AnalysisRun, its Experiment) are compared object by object, as their controllers run side by side.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design

use crate::common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use common::{Controller, client, start_cluster};
use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::Service;
use kube::Client;
use kube::api::{Api, ListParams, Patch, PatchParams, PostParams};
use kube::core::{ApiResource, DynamicObject};
use rollouts_api::{AnalysisRun, AnalysisTemplate, Rollout};
use rollouts_controller::{ControllerConfig, Metrics};
use rollouts_devcluster::testing::fast_simulation;
use rollouts_testkit::logs::LogCapture;
use serde_json::{Value, json};

/// How long the controller may take to stop when asked.
const STOP: Duration = Duration::from_secs(30);

fn current_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn rollouts(client: &Client) -> Api<DynamicObject> {
    Api::namespaced_with(client.clone(), "default", &ApiResource::erase::<Rollout>(&()))
}

fn rollout(name: &str, image: &str, strategy: Value) -> DynamicObject {
    serde_json::from_value(json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}},
                         "spec": {"containers": [{"name": "web", "image": image}]}},
            "strategy": strategy
        }
    }))
    .unwrap()
}

async fn set_image(client: &Client, name: &str, image: &str) {
    let patch = json!({"spec": {"template": {"spec": {"containers": [{"name": "web", "image": image}]}}}});
    rollouts(client)
        .patch(name, &PatchParams::default(), &Patch::Merge(patch))
        .await
        .unwrap();
}

/// What `kubectl argo rollouts promote` and `abort` write.
async fn patch_status(client: &Client, name: &str, status: Value) {
    rollouts(client)
        .patch_status(
            name,
            &PatchParams::default(),
            &Patch::Merge(json!({ "status": status })),
        )
        .await
        .unwrap();
}

/// Polls the Rollout every 50 ms for up to 20 s until `done` holds of its status.
async fn wait_status(client: &Client, name: &str, what: &str, done: impl Fn(&Value) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let status = rollouts(client).get(name).await.unwrap().data["status"].clone();
        if done(&status) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {name}: {what}; last seen {status:#}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn healthy(status: &Value) -> bool {
    status["phase"] == "Healthy" && status["stableRS"] == status["currentPodHash"]
}

fn paused(status: &Value) -> bool {
    status["pauseConditions"].as_array().is_some_and(|c| !c.is_empty())
}

/// Waits until the controller has said nothing for a second (five looks at each Rollout), and
/// returns what it said before.
async fn said_when_settled(logs: &LogCapture) -> Vec<String> {
    let mut said = Vec::new();
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let more = logs.take();
        if more.is_empty() {
            return said;
        }
        said.extend(more);
    }
}

/// `lines` with what differs from run to run named: the pod template hash of each ReplicaSet of
/// `app` by its revision, and each AnalysisRun's uid.
async fn named(client: &Client, app: &str, lines: Vec<String>) -> Vec<String> {
    let replica_sets: Api<ReplicaSet> = Api::namespaced(client.clone(), "default");
    let listed = replica_sets
        .list(&ListParams::default().labels(&format!("app={app}")))
        .await
        .unwrap();
    let mut names: Vec<(String, String)> = Vec::new();
    for rs in listed.items {
        let meta = &rs.metadata;
        let (Some(labels), Some(annotations)) = (&meta.labels, &meta.annotations) else {
            continue;
        };
        if let (Some(hash), Some(revision)) = (
            labels.get("rollouts-pod-template-hash"),
            annotations.get("rollout.argoproj.io/revision"),
        ) {
            names.push((hash.clone(), format!("<rev{revision}>")));
        }
    }
    let runs: Api<AnalysisRun> = Api::namespaced(client.clone(), "default");
    for run in runs.list(&ListParams::default()).await.unwrap().items {
        if let Some(uid) = run.metadata.uid {
            names.push((uid, "<run-uid>".into()));
        }
    }
    lines
        .into_iter()
        .map(|line| {
            let line = names.iter().fold(line, |line, (from, to)| line.replace(from, to));
            let words: Vec<&str> = line
                .split(' ')
                .map(|word| match word.parse::<jiff::Timestamp>() {
                    Ok(_) => "<deadline>",
                    Err(_) => word,
                })
                .collect();
            words.join(" ")
        })
        .collect()
}

/// Checks that `lines` are, object by object, the `expected` ones: the object is the field that
/// follows `namespace` (`rollout=web`), and each object's lines are in order.
#[track_caller]
fn assert_said(lines: &[String], expected: &[(&str, &[&str])]) {
    let mut said: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for line in lines {
        let object = line
            .split(' ')
            .skip_while(|word| !word.starts_with("namespace="))
            .nth(1)
            .unwrap_or("(none)");
        said.entry(object).or_default().push(line);
    }
    let expected: BTreeMap<&str, Vec<&str>> = expected
        .iter()
        .map(|(object, lines)| (*object, lines.to_vec()))
        .collect();
    assert_eq!(said, expected, "said: {lines:#?}");
}

/// Waits for `rollout` to be reconciled a few more times, and checks that nothing was said.
async fn quiet_while_nothing_changes(logs: &LogCapture, metrics: &Metrics, rollout: &str) {
    logs.take();
    let from = metrics.reconciles_of("default", rollout);
    let deadline = Instant::now() + Duration::from_secs(10);
    while metrics.reconciles_of("default", rollout) < from + 3 {
        assert!(Instant::now() < deadline, "{rollout} was not reconciled again");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let quiet: [&str; 0] = [];
    assert_eq!(logs.take(), quiet, "reconciles that change nothing say nothing");
}

/// Runs `steps` against a fresh cluster (with simulated workloads) and the controller, which looks
/// at every Rollout again every 200 ms, capturing what the controller logs at info level and above.
fn scenario(label: &str, steps: impl AsyncFnOnce(&Client, &LogCapture, &Metrics)) {
    let cluster = start_cluster(label, Some(fast_simulation()));
    let logs = LogCapture::new();
    let _default = tracing::subscriber::set_default(logs.subscriber("rollouts_controller", tracing::Level::INFO));
    current_thread().block_on(async {
        let client = client(&cluster.kubeconfig()).await;
        let config = ControllerConfig {
            resync: Duration::from_millis(200),
            ..ControllerConfig::default()
        };
        let controller = Controller::start(&client, config);
        let metrics = controller.metrics.clone();
        steps(&client, &logs, &metrics).await;
        controller.stop(STOP).await.unwrap();
    });
}

/// Creates the canary `name` and checks what its first revision says: created, scaled up, completed
/// at once.
async fn first_canary_revision(client: &Client, logs: &LogCapture, name: &str, steps: Value) {
    let strategy = json!({"canary": {"steps": steps}});
    rollouts(client)
        .create(&PostParams::default(), &rollout(name, "nginx:1.25", strategy))
        .await
        .unwrap();
    wait_status(client, name, "healthy", healthy).await;
    let said = named(client, name, said_when_settled(logs).await).await;
    let expected = [
        format!("INFO Created ReplicaSet {name}-<rev1> namespace=default rollout={name}"),
        format!("INFO Rollout updated to revision 1 namespace=default rollout={name} event_reason=RolloutUpdated"),
        format!(
            "INFO Created ReplicaSet {name}-<rev1> (revision 1) namespace=default rollout={name} event_reason=NewReplicaSetCreated"
        ),
        format!(
            "INFO Rollout not completed, started update to revision 1 (<rev1>) namespace=default rollout={name} event_reason=RolloutNotCompleted"
        ),
        format!(
            "INFO Scaled up ReplicaSet {name}-<rev1> (revision 1) from 0 to 1 namespace=default rollout={name} event_reason=ScalingReplicaSet"
        ),
        format!(
            "INFO Rollout completed update to revision 1 (<rev1>): Initial deploy namespace=default rollout={name} event_reason=RolloutCompleted"
        ),
    ];
    let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
    assert_said(&said, &[(&format!("rollout={name}"), &expected)]);
}

/// Changes the image of the canary `name` and checks what it says up to its pause at step 2/`steps`.
async fn canary_update_to_pause(client: &Client, logs: &LogCapture, name: &str, revision: u32, steps: u32) {
    set_image(client, name, &format!("nginx:1.{}", 24 + revision)).await;
    wait_status(client, name, "paused", paused).await;
    let said = named(client, name, said_when_settled(logs).await).await;
    let r = revision;
    let expected = [
        format!("INFO Created ReplicaSet {name}-<rev{r}> namespace=default rollout={name}"),
        format!("INFO Rollout updated to revision {r} namespace=default rollout={name} event_reason=RolloutUpdated"),
        format!(
            "INFO Created ReplicaSet {name}-<rev{r}> (revision {r}) namespace=default rollout={name} event_reason=NewReplicaSetCreated"
        ),
        format!(
            "INFO Rollout not completed, started update to revision {r} (<rev{r}>) namespace=default rollout={name} event_reason=RolloutNotCompleted"
        ),
        format!(
            "INFO Scaled up ReplicaSet {name}-<rev{r}> (revision {r}) from 0 to 1 namespace=default rollout={name} event_reason=ScalingReplicaSet"
        ),
        format!(
            "INFO Rollout step 1/{steps} completed (setWeight: 50) namespace=default rollout={name} event_reason=RolloutStepCompleted"
        ),
        format!("INFO Rollout is paused (CanaryPauseStep) namespace=default rollout={name} event_reason=RolloutPaused"),
    ];
    let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
    assert_said(&said, &[(&format!("rollout={name}"), &expected)]);
}

#[test]
fn a_promoted_canary_says_its_steps_its_analysis_and_its_experiment() {
    scenario(
        "info-logs-canary",
        async |client: &Client, logs: &LogCapture, metrics: &Metrics| {
            let templates: Api<AnalysisTemplate> = Api::namespaced(client.clone(), "default");
            let template = json!({
                "apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisTemplate",
                "metadata": {"name": "pass", "namespace": "default"},
                "spec": {"metrics": [{"name": "pass", "provider": {"job": {"spec": {
                    "backoffLimit": 0,
                    "template": {"spec": {"restartPolicy": "Never",
                        "containers": [{"name": "check", "image": "busybox", "command": ["sh", "-c", "sleep 5; exit 0"]}]}}
                }}}}]}
            });
            templates
                .create(&PostParams::default(), &serde_json::from_value(template).unwrap())
                .await
                .unwrap();
            let steps = json!([
                {"setWeight": 50},
                {"pause": {}},
                {"analysis": {"templates": [{"templateName": "pass"}]}},
                {"experiment": {"duration": "1s", "templates": [{"name": "canary", "specRef": "canary"}]}}
            ]);
            first_canary_revision(client, logs, "canary-demo", steps).await;
            canary_update_to_pause(client, logs, "canary-demo", 2, 4).await;

            // Promoted: the pause step ends, the analysis runs and succeeds, the experiment runs and
            // succeeds, the old ReplicaSet goes, the update completes.
            patch_status(client, "canary-demo", json!({"pauseConditions": null})).await;
            wait_status(client, "canary-demo", "healthy", healthy).await;
            let said = named(client, "canary-demo", said_when_settled(logs).await).await;
            assert_said(
                &said,
                &[
                    (
                        "rollout=canary-demo",
                        &[
                            "INFO Rollout step 2/4 completed (pause) namespace=default rollout=canary-demo event_reason=RolloutStepCompleted",
                            "INFO Created AnalysisRun for step '2' namespace=default rollout=canary-demo analysisrun=canary-demo-<rev2>-2-2",
                            "INFO Step Analysis Run 'canary-demo-<rev2>-2-2' Status New: 'Running' Previous: 'Pending' namespace=default rollout=canary-demo event_reason=AnalysisRunRunning",
                            "INFO Step Analysis Run 'canary-demo-<rev2>-2-2' Status New: 'Successful' Previous: 'Running' namespace=default rollout=canary-demo event_reason=AnalysisRunSuccessful",
                            "INFO Rollout step 3/4 completed (analysis) namespace=default rollout=canary-demo event_reason=RolloutStepCompleted",
                            "INFO Created Experiment 'canary-demo-<rev2>-2-3' namespace=default rollout=canary-demo event_reason=ExperimentCreated",
                            "INFO Rollout step 4/4 completed (experiment) namespace=default rollout=canary-demo event_reason=RolloutStepCompleted",
                            "INFO Scaled down ReplicaSet canary-demo-<rev1> (revision 1) from 1 to 0 namespace=default rollout=canary-demo event_reason=ScalingReplicaSet",
                            "INFO Rollout completed update to revision 2 (<rev2>): Completed all 4 canary steps namespace=default rollout=canary-demo event_reason=RolloutCompleted",
                        ],
                    ),
                    (
                        "analysisrun=canary-demo-<rev2>-2-2",
                        &[
                            "INFO job default/<run-uid>.pass.1 created namespace=default analysisrun=canary-demo-<rev2>-2-2 metric=pass",
                            "INFO job default/<run-uid>.pass.1 completed: Successful namespace=default analysisrun=canary-demo-<rev2>-2-2",
                            "INFO Metric 'pass' Completed. Result: Successful namespace=default analysisrun=canary-demo-<rev2>-2-2 event_reason=MetricSuccessful",
                            "INFO Analysis Completed. Result: Successful namespace=default analysisrun=canary-demo-<rev2>-2-2 event_reason=AnalysisRunSuccessful",
                        ],
                    ),
                    (
                        "experiment=canary-demo-<rev2>-2-3",
                        &[
                            "INFO Created ReplicaSet canary-demo-<rev2>-2-3-canary namespace=default experiment=canary-demo-<rev2>-2-3",
                            "INFO Template 'canary' transitioned from  -> Progressing namespace=default experiment=canary-demo-<rev2>-2-3 event_reason=TemplateProgressing",
                            "INFO Experiment transitioned from  -> Pending namespace=default experiment=canary-demo-<rev2>-2-3 event_reason=ExperimentPending",
                            "INFO Scaled up ReplicaSet canary-demo-<rev2>-2-3-canary from 0 to 1 namespace=default experiment=canary-demo-<rev2>-2-3 event_reason=ScalingReplicaSet",
                            "INFO Template 'canary' transitioned from Progressing -> Running namespace=default experiment=canary-demo-<rev2>-2-3 event_reason=TemplateRunning",
                            "INFO Experiment transitioned from Pending -> Running namespace=default experiment=canary-demo-<rev2>-2-3 event_reason=ExperimentRunning",
                            "INFO Template 'canary' transitioned from Running -> Successful namespace=default experiment=canary-demo-<rev2>-2-3 event_reason=TemplateSuccessful",
                            "INFO Experiment transitioned from Running -> Successful namespace=default experiment=canary-demo-<rev2>-2-3 event_reason=ExperimentSuccessful",
                            "INFO Set 'scale-down-deadline' annotation on 'canary-demo-<rev2>-2-3-canary' to <deadline> namespace=default experiment=canary-demo-<rev2>-2-3",
                        ],
                    ),
                ],
            );
            quiet_while_nothing_changes(logs, metrics, "canary-demo").await;
        },
    );
}

#[test]
fn an_aborted_canary_says_so_and_its_rollback_skips_the_steps() {
    scenario(
        "info-logs-abort",
        async |client: &Client, logs: &LogCapture, metrics: &Metrics| {
            let steps = json!([{"setWeight": 50}, {"pause": {}}]);
            first_canary_revision(client, logs, "abort-demo", steps).await;
            canary_update_to_pause(client, logs, "abort-demo", 2, 2).await;

            patch_status(client, "abort-demo", json!({"abort": true})).await;
            wait_status(client, "abort-demo", "degraded", |s| s["phase"] == "Degraded").await;
            let said = named(client, "abort-demo", said_when_settled(logs).await).await;
            assert_said(
                &said,
                &[(
                    "rollout=abort-demo",
                    &[
                        "INFO Scaled down ReplicaSet abort-demo-<rev2> (revision 2) from 1 to 0 namespace=default rollout=abort-demo event_reason=ScalingReplicaSet",
                        "WARN Rollout aborted update to revision 2 namespace=default rollout=abort-demo event_reason=RolloutAborted",
                    ],
                )],
            );
            quiet_while_nothing_changes(logs, metrics, "abort-demo").await;

            // Back to the stable template: the fast-track rollback skips the steps.
            set_image(client, "abort-demo", "nginx:1.25").await;
            wait_status(client, "abort-demo", "healthy", |s| healthy(s) && s["abort"].is_null()).await;
            let said = named(client, "abort-demo", said_when_settled(logs).await).await;
            assert_said(
                &said,
                &[(
                    "rollout=abort-demo",
                    &[
                        "INFO Rollout updated to revision 3 namespace=default rollout=abort-demo event_reason=RolloutUpdated",
                        "INFO Rollback to stable ReplicaSets namespace=default rollout=abort-demo event_reason=SkipSteps",
                    ],
                )],
            );
            quiet_while_nothing_changes(logs, metrics, "abort-demo").await;
        },
    );
}

#[test]
fn a_blue_green_says_each_service_switch() {
    scenario(
        "info-logs-bluegreen",
        async |client: &Client, logs: &LogCapture, metrics: &Metrics| {
            let services: Api<Service> = Api::namespaced(client.clone(), "default");
            for name in ["bg-active", "bg-preview"] {
                let service = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
                                 "spec": {"selector": {"app": "bg-demo"}, "ports": [{"port": 80}]}});
                services
                    .create(&PostParams::default(), &serde_json::from_value(service).unwrap())
                    .await
                    .unwrap();
            }
            let strategy = json!({"blueGreen": {"activeService": "bg-active", "previewService": "bg-preview",
                                            "autoPromotionEnabled": false}});
            rollouts(client)
                .create(&PostParams::default(), &rollout("bg-demo", "nginx:1.25", strategy))
                .await
                .unwrap();
            wait_status(client, "bg-demo", "healthy", healthy).await;
            let said = named(client, "bg-demo", said_when_settled(logs).await).await;
            assert_said(
                &said,
                &[(
                    "rollout=bg-demo",
                    &[
                        "INFO Created ReplicaSet bg-demo-<rev1> namespace=default rollout=bg-demo",
                        "INFO Rollout updated to revision 1 namespace=default rollout=bg-demo event_reason=RolloutUpdated",
                        "INFO Created ReplicaSet bg-demo-<rev1> (revision 1) namespace=default rollout=bg-demo event_reason=NewReplicaSetCreated",
                        "INFO Switched selector for service 'bg-preview' from '' to '<rev1>' namespace=default rollout=bg-demo event_reason=SwitchService",
                        "INFO Scaled up ReplicaSet bg-demo-<rev1> (revision 1) from 0 to 1 namespace=default rollout=bg-demo event_reason=ScalingReplicaSet",
                        "INFO Rollout completed update to revision 1 (<rev1>): Initial deploy namespace=default rollout=bg-demo event_reason=RolloutCompleted",
                        "INFO Switched selector for service 'bg-active' from '' to '<rev1>' namespace=default rollout=bg-demo event_reason=SwitchService",
                    ],
                )],
            );

            // An update: the preview Service switches to the new ReplicaSet, which waits for a promotion.
            set_image(client, "bg-demo", "nginx:1.26").await;
            wait_status(client, "bg-demo", "paused", paused).await;
            let said = named(client, "bg-demo", said_when_settled(logs).await).await;
            assert_said(
                &said,
                &[(
                    "rollout=bg-demo",
                    &[
                        "INFO Created ReplicaSet bg-demo-<rev2> namespace=default rollout=bg-demo",
                        "INFO Rollout updated to revision 2 namespace=default rollout=bg-demo event_reason=RolloutUpdated",
                        "INFO Created ReplicaSet bg-demo-<rev2> (revision 2) namespace=default rollout=bg-demo event_reason=NewReplicaSetCreated",
                        "INFO Switched selector for service 'bg-preview' from '<rev1>' to '<rev2>' namespace=default rollout=bg-demo event_reason=SwitchService",
                        "INFO Rollout not completed, started update to revision 2 (<rev2>) namespace=default rollout=bg-demo event_reason=RolloutNotCompleted",
                        "INFO Scaled up ReplicaSet bg-demo-<rev2> (revision 2) from 0 to 1 namespace=default rollout=bg-demo event_reason=ScalingReplicaSet",
                        "INFO Rollout is paused (BlueGreenPause) namespace=default rollout=bg-demo event_reason=RolloutPaused",
                    ],
                )],
            );

            // Promoted: the active Service switches, the old ReplicaSet is given its scale-down deadline.
            patch_status(client, "bg-demo", json!({"pauseConditions": null})).await;
            wait_status(client, "bg-demo", "healthy", healthy).await;
            let said = named(client, "bg-demo", said_when_settled(logs).await).await;
            assert_said(
                &said,
                &[(
                    "rollout=bg-demo",
                    &[
                        "INFO Switched selector for service 'bg-active' from '<rev1>' to '<rev2>' namespace=default rollout=bg-demo event_reason=SwitchService",
                        "INFO Rollout completed update to revision 2 (<rev2>): Completed blue-green update namespace=default rollout=bg-demo event_reason=RolloutCompleted",
                        "INFO Set 'scale-down-deadline' annotation on 'bg-demo-<rev1>' to <deadline> namespace=default rollout=bg-demo",
                    ],
                )],
            );
            quiet_while_nothing_changes(logs, metrics, "bg-demo").await;
        },
    );
}
