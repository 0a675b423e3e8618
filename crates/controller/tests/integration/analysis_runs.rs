//! The AnalysisRun controller against the in-process dev cluster (with its simulated Job controller)
//! and HTTP servers on 127.0.0.1 started by the tests: Job metrics that succeed, fail, are terminated
//! and garbage collected; web metrics that succeed over several measurements, are inconclusive or
//! cannot reach their server; secret arguments (used, redacted, missing); an unsupported provider; an
//! undecodable run beside a healthy one; a completed run that a later reconcile leaves untouched; and a
//! run deleted by its ttlStrategy.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design

use crate::common;

use std::time::{Duration, Instant};

use common::{Controller, client, runtime, start_cluster};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{Event, Secret};
use kube::Client;
use kube::api::{Api, DeleteParams, ListParams, Patch, PatchParams, PostParams};
use kube::core::{ApiResource, DynamicObject};
use rollouts_api::AnalysisRun;
use rollouts_controller::ControllerConfig;
use rollouts_devcluster::testing::fast_simulation;
use rollouts_testkit::http::{StubResponse, StubServer};
use serde_json::{Value, json};

/// How long the controller may take to stop when asked.
const STOP: Duration = Duration::from_secs(30);

fn runs(client: &Client) -> Api<DynamicObject> {
    Api::namespaced_with(client.clone(), "default", &ApiResource::erase::<AnalysisRun>(&()))
}

async fn create_run(client: &Client, name: &str, spec: Value) -> DynamicObject {
    let run: DynamicObject = serde_json::from_value(json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisRun",
        "metadata": {"name": name, "namespace": "default"},
        "spec": spec,
    }))
    .unwrap();
    runs(client).create(&PostParams::default(), &run).await.unwrap()
}

/// Polls the run every 50 ms for up to `seconds` until `done` holds; returns it as JSON.
async fn wait_run(client: &Client, name: &str, seconds: u64, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    loop {
        let run = serde_json::to_value(runs(client).get(name).await.unwrap()).unwrap();
        if done(&run) {
            return run;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {name}: {what}; last seen {run:#}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn wait_phase(client: &Client, name: &str, phase: &str) -> Value {
    wait_run(client, name, 30, &format!("phase {phase}"), |run| {
        run["status"]["phase"] == phase
    })
    .await
}

/// Polls `probe` every 50 ms for up to 20 s.
async fn eventually<T>(what: &str, mut probe: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(found) = probe().await {
            return found;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The (type, reason, message) of the core/v1 Events about the AnalysisRun `name`.
async fn events_of(client: &Client, name: &str) -> Vec<(String, String, String)> {
    let events: Api<Event> = Api::namespaced(client.clone(), "default");
    events
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|e| {
            e.involved_object.kind.as_deref() == Some("AnalysisRun") && e.involved_object.name.as_deref() == Some(name)
        })
        .map(|e| {
            (
                e.type_.unwrap_or_default(),
                e.reason.unwrap_or_default(),
                e.message.unwrap_or_default(),
            )
        })
        .collect()
}

async fn wait_event(client: &Client, name: &str, type_: &str, reason: &str, message: &str) {
    let wanted = (type_.to_string(), reason.to_string(), message.to_string());
    eventually(&format!("event {reason} on {name}"), async || {
        events_of(client, name).await.contains(&wanted).then_some(())
    })
    .await;
}

fn job_spec(command: &str) -> Value {
    json!({
        "backoffLimit": 0,
        "template": {"spec": {
            "restartPolicy": "Never",
            "containers": [{"name": "check", "image": "busybox", "command": ["sh", "-c", command]}]
        }}
    })
}

fn measurements(run: &Value) -> Vec<Value> {
    run["status"]["metricResults"][0]["measurements"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn job_metrics_succeed_fail_terminate_and_are_garbage_collected() {
    let cluster = start_cluster("analysis-jobs", Some(fast_simulation()));
    let rt = runtime();
    rt.block_on(async {
        let client = client(&cluster.kubeconfig()).await;
        let controller = Controller::start(&client, ControllerConfig::default());

        let pass = create_run(
            &client,
            "job-pass",
            json!({"metrics": [{"name": "pass", "provider": {"job": {
                "metadata": {"labels": {"team": "checks"}, "annotations": {"note": "n"}},
                "spec": job_spec("exit 0")
            }}}]}),
        )
        .await;
        create_run(
            &client,
            "job-fail",
            json!({"metrics": [{"name": "fail", "provider": {"job": {"spec": job_spec("exit 1")}}}]}),
        )
        .await;
        // Terminated while its Job runs: the measurement ends Inconclusive ("Metric Terminated"),
        // which within the inconclusive limit counts toward the count: Successful, "Run Terminated".
        create_run(
            &client,
            "job-stop",
            json!({"metrics": [{"name": "slow", "inconclusiveLimit": 1,
                                "provider": {"job": {"spec": job_spec("sleep 600")}}}]}),
        )
        .await;
        // The same with the default limit: the terminated measurement makes the run Inconclusive.
        create_run(
            &client,
            "job-stop-default",
            json!({"metrics": [{"name": "slow", "provider": {"job": {"spec": job_spec("sleep 600")}}}]}),
        )
        .await;
        let keep = create_run(
            &client,
            "job-keep",
            json!({"metrics": [{"name": "keep", "count": 2, "interval": "1s",
                                "provider": {"job": {"spec": job_spec("exit 0")}}}],
                   "measurementRetention": [{"metricName": "keep", "limit": 1}]}),
        )
        .await;

        // (a) A Job that completes.
        let run = wait_phase(&client, "job-pass", "Successful").await;
        let uid = pass.metadata.uid.clone().unwrap();
        let job_name = format!("{uid}.pass.1");
        let measured = measurements(&run);
        assert_eq!(measured.len(), 1, "{run:#}");
        assert_eq!(measured[0]["phase"], "Successful");
        assert_eq!(measured[0]["metadata"]["job-name"], job_name.as_str());
        assert_eq!(measured[0]["metadata"]["job-namespace"], "default");
        assert!(measured[0]["finishedAt"].is_string(), "{run:#}");
        assert_eq!(run["status"]["metricResults"][0]["phase"], "Successful");
        assert!(run["status"]["completedAt"].is_string());
        assert_eq!(run["status"]["runSummary"], json!({"count": 1, "successful": 1}));
        let jobs: Api<Job> = Api::namespaced(client.clone(), "default");
        let job = jobs.get(&job_name).await.unwrap();
        let labels = job.metadata.labels.clone().unwrap();
        assert_eq!(labels["analysisrun.argoproj.io/uid"], uid);
        assert_eq!(labels["team"], "checks");
        let annotations = job.metadata.annotations.clone().unwrap();
        assert_eq!(annotations["analysisrun.argoproj.io/name"], "job-pass");
        assert_eq!(annotations["analysisrun.argoproj.io/namespace"], "default");
        assert_eq!(annotations["analysisrun.argoproj.io/metric-name"], "pass");
        assert_eq!(annotations["note"], "n");
        let owner = &job.metadata.owner_references.clone().unwrap()[0];
        assert_eq!((owner.kind.as_str(), owner.uid.as_str()), ("AnalysisRun", uid.as_str()));
        assert_eq!(owner.controller, Some(true));
        let pod_labels = job.spec.unwrap().template.metadata.unwrap().labels.unwrap();
        assert_eq!(pod_labels["analysisrun.argoproj.io/uid"], uid);
        wait_event(
            &client,
            "job-pass",
            "Normal",
            "MetricSuccessful",
            "Metric 'pass' Completed. Result: Successful",
        )
        .await;
        wait_event(
            &client,
            "job-pass",
            "Normal",
            "AnalysisRunSuccessful",
            "Analysis Completed. Result: Successful",
        )
        .await;

        // (b) A Job that fails.
        let run = wait_phase(&client, "job-fail", "Failed").await;
        assert_eq!(
            run["status"]["message"],
            "Metric \"fail\" assessed Failed due to failed (1) > failureLimit (0)"
        );
        assert_eq!(measurements(&run)[0]["phase"], "Failed");
        assert_eq!(run["status"]["metricResults"][0]["failed"], 1);
        wait_event(
            &client,
            "job-fail",
            "Warning",
            "AnalysisRunFailed",
            "Analysis Completed. Result: Failed",
        )
        .await;
        wait_event(
            &client,
            "job-fail",
            "Warning",
            "MetricFailed",
            "Metric 'fail' Completed. Result: Failed",
        )
        .await;

        // (c) Termination of runs whose Jobs are still running.
        let mut stopped_jobs = Vec::new();
        for name in ["job-stop", "job-stop-default"] {
            let run = wait_run(&client, name, 20, "a Job in flight", |run| {
                measurements(run)
                    .first()
                    .is_some_and(|m| m["phase"] == "Running" && m["metadata"]["job-name"].is_string())
            })
            .await;
            let job = measurements(&run)[0]["metadata"]["job-name"]
                .as_str()
                .unwrap()
                .to_string();
            jobs.get(&job).await.unwrap();
            stopped_jobs.push(job);
            runs(&client)
                .patch(
                    name,
                    &PatchParams::default(),
                    &Patch::Merge(json!({"spec": {"terminate": true}})),
                )
                .await
                .unwrap();
        }
        let run = wait_phase(&client, "job-stop", "Successful").await;
        assert_eq!(run["status"]["message"], "Run Terminated");
        let measured = measurements(&run);
        assert_eq!(measured[0]["phase"], "Inconclusive");
        assert_eq!(measured[0]["message"], "Metric Terminated");
        let run = wait_phase(&client, "job-stop-default", "Inconclusive").await;
        assert_eq!(
            run["status"]["message"],
            "Metric \"slow\" assessed Inconclusive due to inconclusive (1) > inconclusiveLimit (0): \
             \"Error Message: Metric Terminated\""
        );
        for job in &stopped_jobs {
            eventually(&format!("the Job {job} to be deleted"), async || {
                jobs.get_opt(job).await.unwrap().is_none().then_some(())
            })
            .await;
        }

        // Garbage collection: only the newest Job of the metric is kept, as its last measurement.
        let run = wait_phase(&client, "job-keep", "Successful").await;
        let measured = measurements(&run);
        assert_eq!(measured.len(), 1, "{run:#}");
        let keep_uid = keep.metadata.uid.clone().unwrap();
        assert_eq!(
            measured[0]["metadata"]["job-name"],
            format!("{keep_uid}.keep.2").as_str()
        );
        assert_eq!(run["status"]["metricResults"][0]["count"], 2);
        eventually("the first Job of job-keep to be garbage collected", async || {
            let names: Vec<String> = jobs
                .list(&ListParams::default().labels(&format!("analysisrun.argoproj.io/uid={keep_uid}")))
                .await
                .unwrap()
                .items
                .into_iter()
                .filter_map(|j| j.metadata.name)
                .collect();
            (names == [format!("{keep_uid}.keep.2")]).then_some(())
        })
        .await;

        controller.stop(STOP).await.unwrap();
    });
}

#[test]
fn web_metrics_measure_repeatedly_and_report_inconclusive_and_error_results() {
    let cluster = start_cluster("analysis-web", Some(fast_simulation()));
    let rt = runtime();
    let server = StubServer::start(|_| StubResponse::json(200, r#"{"value": 5}"#)).unwrap();
    rt.block_on(async {
        let client = client(&cluster.kubeconfig()).await;
        let controller = Controller::start(&client, ControllerConfig::default());
        let url = server.url();
        create_run(
            &client,
            "web-ok",
            json!({"metrics": [{"name": "web", "count": 3, "interval": "1s", "successCondition": "result > 1",
                                "provider": {"web": {"url": url, "jsonPath": "{$.value}"}}}]}),
        )
        .await;
        create_run(
            &client,
            "web-unsure",
            json!({"metrics": [{"name": "web", "successCondition": "result > 10", "failureCondition": "result < 0",
                                "provider": {"web": {"url": url, "jsonPath": "{$.value}"}}}]}),
        )
        .await;
        create_run(
            &client,
            "web-down",
            json!({"metrics": [{"name": "web", "successCondition": "result > 1",
                                "provider": {"web": {"url": "http://127.0.0.1:1/health"}}}]}),
        )
        .await;

        let run = wait_phase(&client, "web-ok", "Successful").await;
        let measured = measurements(&run);
        assert_eq!(measured.len(), 3, "{run:#}");
        assert!(
            measured.iter().all(|m| m["phase"] == "Successful" && m["value"] == "5"),
            "{run:#}"
        );
        let result = &run["status"]["metricResults"][0];
        assert_eq!(
            (result["count"].clone(), result["successful"].clone()),
            (json!(3), json!(3))
        );
        assert_eq!(result["consecutiveSuccess"], 3);
        wait_event(
            &client,
            "web-ok",
            "Normal",
            "AnalysisRunSuccessful",
            "Analysis Completed. Result: Successful",
        )
        .await;

        let run = wait_phase(&client, "web-unsure", "Inconclusive").await;
        assert_eq!(
            run["status"]["message"],
            "Metric \"web\" assessed Inconclusive due to inconclusive (1) > inconclusiveLimit (0)"
        );
        assert_eq!(measurements(&run)[0]["phase"], "Inconclusive");
        wait_event(
            &client,
            "web-unsure",
            "Normal",
            "AnalysisRunInconclusive",
            "Analysis Completed. Result: Inconclusive",
        )
        .await;

        // An unreachable server: an Error measurement, retried after 10 s (not waited for here); the
        // run goes on until five errors in a row.
        let run = wait_run(&client, "web-down", 20, "an Error measurement", |run| {
            measurements(run).first().is_some_and(|m| m["phase"] == "Error")
        })
        .await;
        let measured = measurements(&run);
        let message = measured[0]["message"].as_str().unwrap();
        assert!(message.contains("127.0.0.1:1"), "{message}");
        assert_eq!(run["status"]["phase"], "Running");
        let result = &run["status"]["metricResults"][0];
        assert_eq!(
            (result["error"].clone(), result["consecutiveError"].clone()),
            (json!(1), json!(1))
        );
        assert_eq!(result["phase"], "Running");
        runs(&client)
            .delete("web-down", &DeleteParams::default())
            .await
            .unwrap();

        controller.stop(STOP).await.unwrap();
    });
    assert!(server.requests().len() >= 4);
}

#[test]
fn secret_arguments_are_read_redacted_and_reported_missing() {
    let cluster = start_cluster("analysis-secrets", Some(fast_simulation()));
    let rt = runtime();
    let server = StubServer::start(|_| StubResponse::json(200, r#"{"status": "ok"}"#)).unwrap();
    rt.block_on(async {
        let client = client(&cluster.kubeconfig()).await;
        let secrets: Api<Secret> = Api::namespaced(client.clone(), "default");
        let secret: Secret = serde_json::from_value(json!({
            "apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "web-creds", "namespace": "default"},
            // "s3cr3t"
            "data": {"token": "czNjcjN0"}
        }))
        .unwrap();
        secrets.create(&PostParams::default(), &secret).await.unwrap();
        let controller = Controller::start(&client, ControllerConfig::default());
        let token = |secret: &str, key: &str| {
            json!([{"name": "token", "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}}])
        };
        create_run(
            &client,
            "secret-ok",
            json!({"args": token("web-creds", "token"),
                   "metrics": [{"name": "web", "successCondition": "result == 'ok'",
                                "provider": {"web": {"url": server.url(), "jsonPath": "{$.status}",
                                                     "headers": [{"key": "Authorization",
                                                                  "value": "Bearer {{args.token}}"}]}}}]}),
        )
        .await;
        create_run(
            &client,
            "secret-redacted",
            json!({"args": token("web-creds", "token"),
                   "metrics": [{"name": "web",
                                "provider": {"web": {"url": "http://127.0.0.1:1/{{args.token}}"}}}]}),
        )
        .await;
        create_run(
            &client,
            "secret-missing",
            json!({"args": token("nope", "token"),
                   "metrics": [{"name": "web", "provider": {"web": {"url": server.url()}}}]}),
        )
        .await;
        create_run(
            &client,
            "secret-key-missing",
            json!({"args": token("web-creds", "nokey"),
                   "metrics": [{"name": "web", "provider": {"web": {"url": server.url()}}}]}),
        )
        .await;

        wait_phase(&client, "secret-ok", "Successful").await;
        let authorizations: Vec<String> = server
            .requests()
            .iter()
            .filter_map(|r| r.header("authorization").map(str::to_string))
            .collect();
        assert_eq!(authorizations, ["Bearer s3cr3t"]);

        let run = wait_run(&client, "secret-redacted", 20, "an Error measurement", |run| {
            measurements(run).first().is_some_and(|m| m["phase"] == "Error")
        })
        .await;
        let message = measurements(&run)[0]["message"].as_str().unwrap().to_string();
        assert!(message.contains("/*****"), "{message}");
        assert!(!message.contains("s3cr3t"), "{message}");
        assert!(!serde_json::to_string(&run["status"]).unwrap().contains("s3cr3t"));
        runs(&client).delete("secret-redacted", &DeleteParams::default()).await.unwrap();

        let run = wait_phase(&client, "secret-missing", "Error").await;
        assert_eq!(
            run["status"]["message"],
            "Unable to resolve metric arguments: secrets \"nope\" not found"
        );
        assert!(run["status"]["completedAt"].is_null(), "{run:#}");
        wait_event(
            &client,
            "secret-missing",
            "Warning",
            "AnalysisRunError",
            "Analysis Completed. Result: Error",
        )
        .await;
        let run = wait_phase(&client, "secret-key-missing", "Error").await;
        assert_eq!(
            run["status"]["message"],
            "Unable to resolve metric arguments: key 'nokey' does not exist in secret 'web-creds'"
        );

        controller.stop(STOP).await.unwrap();
    });
}

#[test]
fn broken_runs_are_skipped_completed_runs_stay_quiet_and_expired_runs_are_deleted() {
    let cluster = start_cluster("analysis-quiet", Some(fast_simulation()));
    let rt = runtime();
    let server = StubServer::start(|_| StubResponse::json(200, "1")).unwrap();
    rt.block_on(async {
        let client = client(&cluster.kubeconfig()).await;
        let web = json!({"metrics": [{"name": "web", "successCondition": "result > 0",
                                      "provider": {"web": {"url": server.url()}}}]});
        // A phase the type does not know: the CRD schema (a plain string) lets it through.
        let mut broken = web.clone();
        broken["metrics"][0]["name"] = json!("broken");
        create_run(&client, "broken", broken).await;
        runs(&client)
            .patch(
                "broken",
                &PatchParams::default(),
                &Patch::Merge(json!({"status": {"phase": "Running",
                    "metricResults": [{"name": "broken", "phase": "Bogus"}]}})),
            )
            .await
            .unwrap();
        let controller = Controller::start(&client, ControllerConfig::default());
        let metrics = controller.metrics.clone();
        create_run(&client, "good", web.clone()).await;
        let mut datadog = web.clone();
        datadog["metrics"][0]["provider"] = json!({"datadog": {"query": "avg:x{*}"}});
        create_run(&client, "unsupported", datadog).await;
        let mut ttl = web.clone();
        ttl["ttlStrategy"] = json!({"secondsAfterSuccess": 1});
        create_run(&client, "short-lived", ttl).await;

        // (f) The undecodable run is reported and left alone; the others go on.
        wait_phase(&client, "good", "Successful").await;
        let warning = eventually("the Warning about broken", async || {
            events_of(&client, "broken")
                .await
                .into_iter()
                .find(|(type_, reason, _)| type_ == "Warning" && reason == "InvalidSpec")
        })
        .await;
        assert!(
            warning.2.starts_with(
                "The AnalysisRun \"broken\" is invalid: cannot be decoded: status.metricResults[0].phase: unknown variant `Bogus`"
            ),
            "{warning:?}"
        );
        let broken = runs(&client).get("broken").await.unwrap();
        assert_eq!(broken.data["status"]["metricResults"][0]["phase"], "Bogus");
        assert!(broken.data["status"]["startedAt"].is_null());

        // An unsupported provider: an Error measurement saying so.
        let run = wait_run(&client, "unsupported", 20, "an Error measurement", |run| {
            measurements(run).first().is_some_and(|m| m["phase"] == "Error")
        })
        .await;
        assert_eq!(measurements(&run)[0]["message"], "provider Datadog is not supported");
        runs(&client).delete("unsupported", &DeleteParams::default()).await.unwrap();

        // A ttlStrategy deletes the run once completed for longer than it says.
        eventually("short-lived to be deleted", async || {
            runs(&client).get_opt("short-lived").await.unwrap().is_none().then_some(())
        })
        .await;

        // (g) A reconcile of a completed run writes nothing.
        let before = metrics.analysis_run_reconciles_of("default", "good");
        let labelled = runs(&client)
            .patch(
                "good",
                &PatchParams::default(),
                &Patch::Merge(json!({"metadata": {"labels": {"touched": "yes"}}})),
            )
            .await
            .unwrap();
        eventually("a reconcile of the completed run", async || {
            (metrics.analysis_run_reconciles_of("default", "good") > before).then_some(())
        })
        .await;
        let patches = metrics.api_requests("patch", "analysisruns");
        tokio::time::sleep(Duration::from_millis(500)).await;
        let after = runs(&client).get("good").await.unwrap();
        assert_eq!(after.metadata.resource_version, labelled.metadata.resource_version);
        assert_eq!(metrics.api_requests("patch", "analysisruns"), patches);

        controller.stop(STOP).await.unwrap();
    });
}
