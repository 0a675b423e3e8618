//! What the Rollout executor says about each write it made, at info level, in upstream's words: one
//! line per write that changed something, with the Rollout's `namespace` and name (`rollout`) as
//! fields. Writes an event of the plan describes (a ReplicaSet scaled, a Service switched, an
//! Experiment created, the status: steps, pauses, aborts, completion) are said by that event, logged
//! once the plan is carried out.

use rollouts_api::AnalysisRun;
use rollouts_api::well_known::labels;
use rollouts_core::plan::Action;
use rollouts_core::traffic::RoutingWrite;
use serde_json::Value;

use super::RolloutKey;
use crate::runtime::change_log::log_replica_set_patch;
use crate::runtime::kind::ControllerKind;

/// Says what `action`, just carried out for the Rollout `key`, changed.
pub fn written(key: &RolloutKey, action: &Action) {
    let namespace = key.namespace.as_str();
    let rollout = key.name.as_str();
    match action {
        Action::CreateReplicaSet(rs) => {
            let name = rs.metadata.name.as_deref().unwrap_or_default();
            tracing::info!(namespace = %namespace, rollout = %rollout, "Created ReplicaSet {name}");
        }
        Action::PatchReplicaSet { name, patch } => {
            log_replica_set_patch(ControllerKind::Rollout, namespace, rollout, name, patch);
        }
        Action::DeleteReplicaSet { name, .. } => {
            tracing::info!(namespace = %namespace, rollout = %rollout, "Trying to cleanup replica set \"{name}\"");
        }
        Action::PatchRollout(patch) => match patch.pointer("/spec/replicas") {
            Some(replicas) => {
                tracing::info!(namespace = %namespace, rollout = %rollout, "Defaulting .spec.replica to {replicas}");
            }
            // The revision annotation (said by its RolloutUpdated event) or the workload's generation.
            None => tracing::debug!(namespace = %namespace, rollout = %rollout, "patched the Rollout"),
        },
        Action::EvictPod { name } => {
            tracing::info!(namespace = %namespace, rollout = %rollout, pod = %name, "restarting Pod that's older than restartAt Time");
        }
        Action::CreateAnalysisRun(run) => created_analysis_run(namespace, rollout, run),
        Action::PatchAnalysisRun { name, .. } => {
            tracing::info!(namespace = %namespace, rollout = %rollout, analysisrun = %name, "Canceling the analysis run '{name}'");
        }
        Action::DeleteAnalysisRun { name, .. } => {
            tracing::info!(namespace = %namespace, rollout = %rollout, "Trying to cleanup analysis run '{name}'");
        }
        Action::PatchExperiment { name, .. } => {
            tracing::info!(namespace = %namespace, rollout = %rollout, "Canceling other running experiment '{name}' owned by rollout");
        }
        Action::DeleteExperiment { name, .. } => {
            tracing::info!(namespace = %namespace, rollout = %rollout, "Trying to cleanup experiment '{name}'");
        }
        Action::Routing(write) => routing_written(namespace, rollout, write),
        Action::ScaleWorkload { kind, name, replicas, .. } => {
            let kind = match kind.as_str() {
                "Deployment" => "deployment",
                "ReplicaSet" => "replicaset",
                other => other,
            };
            tracing::info!(namespace = %namespace, rollout = %rollout, "Scaling {kind} {name} to {replicas} replicas");
        }
        // Said by the plan's events.
        Action::UpdateReplicaSet(_)
        | Action::PatchRolloutStatus(_)
        | Action::PatchService { .. }
        | Action::CreateExperiment(_)
        // Said pod by pod, by [`pod_patched`].
        | Action::PatchPods { .. } => {}
    }
}

/// Says that the ephemeral metadata `patch` was written on the pod `pod` of the Rollout `key`.
pub fn pod_patched(key: &RolloutKey, pod: &str, patch: &Value) {
    let metadata = patch.get("metadata").unwrap_or(patch);
    tracing::info!(namespace = %key.namespace, rollout = %key.name, "synced ephemeral metadata {metadata} to Pod {pod}");
}

/// `Created AnalysisRun for step '1'`, `Created background AnalysisRun`, ..., by the run's
/// `rollout-type` label.
fn created_analysis_run(namespace: &str, rollout: &str, run: &AnalysisRun) {
    let name = run.metadata.name.as_deref().unwrap_or_default();
    let label = |key: &str| {
        run.metadata
            .labels
            .as_ref()
            .and_then(|l| l.get(key))
            .map(String::as_str)
    };
    match label(labels::ROLLOUT_TYPE) {
        Some(labels::ROLLOUT_TYPE_STEP) => {
            let step = label(labels::STEP_INDEX).unwrap_or_default();
            tracing::info!(namespace = %namespace, rollout = %rollout, analysisrun = %name, "Created AnalysisRun for step '{step}'");
        }
        Some(labels::ROLLOUT_TYPE_BACKGROUND) => {
            tracing::info!(namespace = %namespace, rollout = %rollout, analysisrun = %name, "Created background AnalysisRun");
        }
        Some(labels::ROLLOUT_TYPE_PRE_PROMOTION) => {
            tracing::info!(namespace = %namespace, rollout = %rollout, analysisrun = %name, "Created Pre Promotion AnalysisRun");
        }
        Some(labels::ROLLOUT_TYPE_POST_PROMOTION) => {
            tracing::info!(namespace = %namespace, rollout = %rollout, analysisrun = %name, "Created Post Promotion AnalysisRun");
        }
        _ => tracing::info!(namespace = %namespace, rollout = %rollout, analysisrun = %name, "Created AnalysisRun"),
    }
}

/// A write to a routing object: `Created VirtualService istio-vs`, `Updated Ingress canary-ingress`...
fn routing_written(namespace: &str, rollout: &str, write: &RoutingWrite) {
    match write {
        RoutingWrite::Create(object) => {
            let (kind, name) = kind_and_name(object);
            tracing::info!(namespace = %namespace, rollout = %rollout, "Created {kind} {name}");
        }
        RoutingWrite::Update(object) => {
            let (kind, name) = kind_and_name(object);
            tracing::info!(namespace = %namespace, rollout = %rollout, "Updated {kind} {name}");
        }
        RoutingWrite::MergePatch { target, .. } => {
            tracing::info!(namespace = %namespace, rollout = %rollout, "Updated {} {}", target.kind, target.name);
        }
        RoutingWrite::Delete(target) => {
            tracing::info!(namespace = %namespace, rollout = %rollout, "Deleted {} {}", target.kind, target.name);
        }
        // Logged when the delete is scheduled, once however many reconciles plan it meanwhile.
        RoutingWrite::DeleteAfter { .. } => {}
    }
}

/// The kind and name of a routing object as written.
fn kind_and_name(object: &Value) -> (&str, &str) {
    let kind = object.get("kind").and_then(Value::as_str).unwrap_or_default();
    let name = object
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    (kind, name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rollouts_core::traffic::ObjectRef;
    use rollouts_testkit::logs::LogCapture;
    use serde_json::json;

    fn said(actions: &[Action]) -> Vec<String> {
        let logs = LogCapture::new();
        let key = RolloutKey::new("default", "web");
        tracing::subscriber::with_default(logs.subscriber("rollouts_controller", tracing::Level::INFO), || {
            for action in actions {
                written(&key, action);
            }
        });
        logs.take()
    }

    fn run(rollout_type: Option<&str>) -> Action {
        let labels = rollout_type.map_or(json!({}), |t| json!({"rollout-type": t}));
        Action::CreateAnalysisRun(Box::new(
            serde_json::from_value(json!({
                "metadata": {"name": "web-abc-2", "labels": labels},
                "spec": {"metrics": []}
            }))
            .unwrap(),
        ))
    }

    #[test]
    fn each_kind_of_analysis_run_is_named_as_upstream_names_it() {
        let actions = [
            run(Some("Background")),
            run(Some("PrePromotion")),
            run(Some("PostPromotion")),
            run(None),
        ];
        assert_eq!(
            said(&actions),
            [
                "INFO Created background AnalysisRun namespace=default rollout=web analysisrun=web-abc-2",
                "INFO Created Pre Promotion AnalysisRun namespace=default rollout=web analysisrun=web-abc-2",
                "INFO Created Post Promotion AnalysisRun namespace=default rollout=web analysisrun=web-abc-2",
                "INFO Created AnalysisRun namespace=default rollout=web analysisrun=web-abc-2",
            ]
        );
    }

    #[test]
    fn routing_writes_name_the_object_written() {
        let route = ObjectRef::new("gateway.networking.k8s.io/v1", "HTTPRoute", "default", "web-route");
        let ingress = json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
                             "metadata": {"name": "web-canary", "namespace": "default"}});
        let actions = [
            Action::Routing(RoutingWrite::Create(ingress.clone())),
            Action::Routing(RoutingWrite::Update(ingress)),
            Action::Routing(RoutingWrite::MergePatch {
                target: route.clone(),
                patch: json!({}),
            }),
            Action::Routing(RoutingWrite::Delete(route)),
        ];
        assert_eq!(
            said(&actions),
            [
                "INFO Created Ingress web-canary namespace=default rollout=web",
                "INFO Updated Ingress web-canary namespace=default rollout=web",
                "INFO Updated HTTPRoute web-route namespace=default rollout=web",
                "INFO Deleted HTTPRoute web-route namespace=default rollout=web",
            ]
        );
    }

    #[test]
    fn the_rollout_patch_says_only_a_defaulted_replica_count_and_evented_writes_say_nothing() {
        let actions = [
            Action::PatchRollout(json!({"spec": {"replicas": 1}})),
            Action::PatchRollout(json!({"metadata": {"annotations": {"rollout.argoproj.io/revision": "2"}}})),
            Action::PatchRolloutStatus(json!({"currentStepIndex": 1})),
            Action::PatchService {
                name: "web-active".into(),
                patch: json!({}),
            },
            Action::PatchPods {
                replica_set: "web-abc".into(),
                pod_template_hash: "abc".into(),
                patch: json!({}),
            },
        ];
        assert_eq!(
            said(&actions),
            ["INFO Defaulting .spec.replica to 1 namespace=default rollout=web"]
        );
        let logs = LogCapture::new();
        tracing::subscriber::with_default(logs.subscriber("rollouts_controller", tracing::Level::INFO), || {
            let patch = json!({"metadata": {"labels": {"role": "canary"}}});
            pod_patched(&RolloutKey::new("default", "web"), "web-abc-1", &patch);
        });
        assert_eq!(
            logs.take(),
            [
                r#"INFO synced ephemeral metadata {"labels":{"role":"canary"}} to Pod web-abc-1 namespace=default rollout=web"#
            ]
        );
    }
}
