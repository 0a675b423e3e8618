//! Loading what one reconcile looks at: the Rollout decoded from its raw cached copy, its ReplicaSets
//! and Services from the watch caches, its pods (only when the planner needs them) and the workload a
//! `workloadRef` points to.

use jiff::Timestamp;
use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::{Pod, Service};
use kube::api::{Api, ListParams};
use kube::core::Selector;
use kube::runtime::reflector::ObjectRef;
use rollouts_api::{AnalysisRun, AnalysisTemplate, ClusterAnalysisTemplate, Experiment, Rollout};
use rollouts_core::plan::{Snapshot, WorkloadState};
use rollouts_core::traffic::RoutingSettings;
use serde_json::Value;

use super::context::Context;
use super::error::ReconcileError;
use super::workload;
use crate::runtime::decode::decode_selected;

/// The owned data behind a [`Snapshot`].
#[derive(Debug, Clone)]
pub struct Observed {
    /// The Rollout, template resolved from its `workloadRef` when it has one.
    pub rollout: Rollout,
    /// The ReplicaSets it controls.
    pub replica_sets: Vec<ReplicaSet>,
    /// The Services it references that exist.
    pub services: Vec<Service>,
    /// Its pods, when the planner needs them.
    pub pods: Option<Vec<Pod>>,
    /// The `workloadRef` target.
    pub workload: WorkloadState,
    /// Its AnalysisRuns (and others whose name could collide with a new one).
    pub analysis_runs: Vec<AnalysisRun>,
    /// AnalysisTemplates of its namespace, when it refers to any.
    pub analysis_templates: Vec<AnalysisTemplate>,
    /// ClusterAnalysisTemplates, when it refers to any.
    pub cluster_analysis_templates: Vec<ClusterAnalysisTemplate>,
    /// Its Experiments (and others whose name could collide with a new one).
    pub experiments: Vec<Experiment>,
    /// The objects its traffic routers read.
    pub routing_objects: Vec<Value>,
    /// The API versions its routers use.
    pub routing_settings: RoutingSettings,
    /// The time of this reconcile.
    pub now: Timestamp,
}

impl Observed {
    /// The planner's view of this data.
    pub fn snapshot(&self) -> Snapshot<'_> {
        Snapshot {
            rollout: &self.rollout,
            replica_sets: &self.replica_sets,
            services: &self.services,
            pods: self.pods.as_deref(),
            analysis_runs: &self.analysis_runs,
            analysis_templates: &self.analysis_templates,
            cluster_analysis_templates: &self.cluster_analysis_templates,
            experiments: &self.experiments,
            routing_objects: &self.routing_objects,
            routing_settings: &self.routing_settings,
            workload: self.workload.clone(),
            now: self.now,
        }
    }
}

/// The names of the Services a Rollout references (canary, stable, ping/pong, active, preview).
pub fn referenced_services(rollout: &Rollout) -> Vec<String> {
    let mut names = Vec::new();
    if let Some(strategy) = &rollout.spec.strategy {
        if let Some(canary) = &strategy.canary {
            names.extend(canary.canary_service.iter().cloned());
            names.extend(canary.stable_service.iter().cloned());
            if let Some(ping_pong) = &canary.ping_pong {
                names.push(ping_pong.ping_service.clone());
                names.push(ping_pong.pong_service.clone());
            }
        }
        if let Some(blue_green) = &strategy.blue_green {
            names.push(blue_green.active_service.clone());
            names.extend(blue_green.preview_service.iter().cloned());
        }
    }
    names.retain(|n| !n.is_empty());
    names.sort();
    names.dedup();
    names
}

/// Whether the raw Rollout `data` (its fields besides metadata) references the Service `name`; read
/// from JSON so that Rollouts that do not decode still get their Service events.
pub fn references_service(data: &Value, name: &str) -> bool {
    const POINTERS: [&str; 6] = [
        "/spec/strategy/canary/canaryService",
        "/spec/strategy/canary/stableService",
        "/spec/strategy/canary/pingPong/pingService",
        "/spec/strategy/canary/pingPong/pongService",
        "/spec/strategy/blueGreen/activeService",
        "/spec/strategy/blueGreen/previewService",
    ];
    POINTERS
        .iter()
        .any(|p| data.pointer(p).and_then(Value::as_str) == Some(name))
}

/// Whether the raw Rollout `data` refers to the template `name` (cluster-scoped or not) in any of its
/// analyses; read from JSON so that it works for Rollouts that do not decode.
pub fn references_template(data: &Value, name: &str, cluster: bool) -> bool {
    fn refs(analysis: Option<&Value>) -> impl Iterator<Item = &Value> {
        analysis
            .and_then(|a| a.get("templates"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
    }
    let strategy = data.pointer("/spec/strategy");
    let mut all: Vec<&Value> = Vec::new();
    if let Some(strategy) = strategy {
        all.extend(refs(strategy.pointer("/canary/analysis")));
        all.extend(refs(strategy.pointer("/blueGreen/prePromotionAnalysis")));
        all.extend(refs(strategy.pointer("/blueGreen/postPromotionAnalysis")));
        for step in strategy
            .pointer("/canary/steps")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            all.extend(refs(step.get("analysis")));
        }
    }
    all.iter().any(|r| {
        r.get("templateName").and_then(Value::as_str) == Some(name)
            && r.get("clusterScope").and_then(Value::as_bool).unwrap_or(false) == cluster
    })
}

/// Whether the Rollout has any analysis at all (steps, background, pre/post promotion).
fn uses_analysis(rollout: &Rollout) -> bool {
    let Some(strategy) = &rollout.spec.strategy else {
        return false;
    };
    let canary = strategy
        .canary
        .as_ref()
        .is_some_and(|c| c.analysis.is_some() || c.steps.iter().flatten().any(|s| s.analysis.is_some()));
    let blue_green = strategy
        .blue_green
        .as_ref()
        .is_some_and(|b| b.pre_promotion_analysis.is_some() || b.post_promotion_analysis.is_some());
    canary || blue_green
}

/// Whether the Rollout has experiment steps, or Experiments of its own may still be around (a step
/// removed from the spec leaves its Experiment to terminate and collect).
fn uses_experiments(rollout: &Rollout) -> bool {
    let steps = rollout
        .spec
        .strategy
        .as_ref()
        .and_then(|s| s.canary.as_ref())
        .and_then(|c| c.steps.as_ref());
    steps.is_some_and(|steps| steps.iter().any(|s| s.experiment.is_some()))
        || rollout
            .status
            .as_ref()
            .and_then(|s| s.canary.as_ref())
            .is_some_and(|c| c.current_experiment.is_some())
}

/// Whether `rs` is controlled by the object with `uid`.
pub fn is_controlled_by(rs: &ReplicaSet, uid: &str) -> bool {
    rs.metadata
        .owner_references
        .iter()
        .flatten()
        .any(|o| o.controller == Some(true) && o.uid == uid)
}

/// Loads everything the planner looks at for `rollout` (already decoded) at `now`.
pub async fn load(ctx: &Context, mut rollout: Rollout, now: Timestamp) -> Result<Observed, ReconcileError> {
    let namespace = rollout.metadata.namespace.clone().unwrap_or_default();
    let workload = workload::resolve(&ctx.runtime.client, &namespace, &mut rollout).await?;
    let uid = rollout.metadata.uid.clone().unwrap_or_default();
    let replica_sets: Vec<ReplicaSet> = if uid.is_empty() {
        Vec::new()
    } else {
        ctx.stores
            .replica_sets
            .state_filter(|rs| {
                rs.metadata.namespace.as_deref() == Some(namespace.as_str()) && is_controlled_by(rs, &uid)
            })
            .into_iter()
            .map(|rs| (*rs).clone())
            .collect()
    };
    let services: Vec<Service> = referenced_services(&rollout)
        .iter()
        .filter_map(|name| ctx.stores.services.get(&ObjectRef::new(name).within(&namespace)))
        .map(|svc| (*svc).clone())
        .collect();
    let rollout_name = rollout.metadata.name.clone().unwrap_or_default();
    let analysis_runs: Vec<AnalysisRun> = decode_selected(
        &ctx.stores.analysis_runs,
        |ar| {
            ar.metadata.namespace.as_deref() == Some(namespace.as_str())
                && (ar
                    .metadata
                    .owner_references
                    .iter()
                    .flatten()
                    .any(|o| o.controller == Some(true) && o.uid == uid)
                    || ar
                        .metadata
                        .name
                        .as_deref()
                        .is_some_and(|n| n.starts_with(&rollout_name)))
        },
        "AnalysisRun",
    );
    let experiments: Vec<Experiment> = if uses_experiments(&rollout) {
        decode_selected(
            &ctx.stores.experiments,
            |ex| {
                ex.metadata.namespace.as_deref() == Some(namespace.as_str())
                    && (ex
                        .metadata
                        .owner_references
                        .iter()
                        .flatten()
                        .any(|o| o.controller == Some(true) && o.uid == uid)
                        || ex
                            .metadata
                            .name
                            .as_deref()
                            .is_some_and(|n| n.starts_with(&rollout_name)))
            },
            "Experiment",
        )
    } else {
        Vec::new()
    };
    let (analysis_templates, cluster_analysis_templates) = if uses_analysis(&rollout) {
        (
            decode_selected(
                &ctx.stores.analysis_templates,
                |t| t.metadata.namespace.as_deref() == Some(namespace.as_str()),
                "AnalysisTemplate",
            ),
            decode_selected(
                &ctx.stores.cluster_analysis_templates,
                |_| true,
                "ClusterAnalysisTemplate",
            ),
        )
    } else {
        (Vec::new(), Vec::new())
    };
    let pods = if Snapshot::needs_pods(&rollout, now) {
        Some(list_pods(ctx, &namespace, &rollout).await?)
    } else {
        None
    };
    let routing_settings = super::routing::settings(ctx, &rollout).await;
    let routing_objects = super::routing::load(ctx, &rollout, &routing_settings).await?;
    Ok(Observed {
        rollout,
        replica_sets,
        services,
        pods,
        workload,
        analysis_runs,
        analysis_templates,
        cluster_analysis_templates,
        experiments,
        routing_objects,
        routing_settings,
        now,
    })
}

/// The pods matching the Rollout's selector; none when it has no usable selector (an empty selector
/// would match every pod of the namespace, and validation rejects it anyway).
async fn list_pods(ctx: &Context, namespace: &str, rollout: &Rollout) -> Result<Vec<Pod>, ReconcileError> {
    let Some(selector) = rollout.spec.selector.clone() else {
        return Ok(Vec::new());
    };
    let Ok(selector) = Selector::try_from(selector) else {
        return Ok(Vec::new());
    };
    if selector.selects_all() {
        return Ok(Vec::new());
    }
    let api: Api<Pod> = Api::namespaced(ctx.runtime.client.clone(), namespace);
    let pods = api
        .list(&ListParams::default().labels_from(&selector))
        .await
        .map_err(|e| ReconcileError::api(format!("list pods in {namespace}"), e))?;
    Ok(pods.items)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::decode::decode_cached;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
    use kube::api::ObjectMeta;
    use kube::core::ApiResource;
    use kube::core::DynamicObject;
    use serde_json::json;

    fn rs(name: &str, owner_uid: &str, controller: bool) -> ReplicaSet {
        ReplicaSet {
            metadata: ObjectMeta {
                name: Some(name.into()),
                owner_references: Some(vec![OwnerReference {
                    api_version: "argoproj.io/v1alpha1".into(),
                    kind: "Rollout".into(),
                    name: "web".into(),
                    uid: owner_uid.into(),
                    controller: Some(controller),
                    ..OwnerReference::default()
                }]),
                ..ObjectMeta::default()
            },
            ..ReplicaSet::default()
        }
    }

    fn dynamic(value: Value) -> DynamicObject {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn only_replica_sets_controlled_by_the_rollout_uid_are_its_own() {
        assert!(is_controlled_by(&rs("a", "uid-1", true), "uid-1"));
        assert!(!is_controlled_by(&rs("b", "uid-2", true), "uid-1"), "another Rollout's");
        assert!(
            !is_controlled_by(&rs("c", "uid-1", false), "uid-1"),
            "owned but not controlled"
        );
        assert!(!is_controlled_by(&ReplicaSet::default(), "uid-1"), "an orphan");
    }

    #[test]
    fn referenced_services_cover_both_strategies() {
        let canary = dynamic(json!({
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "metadata": {"name": "a"},
            "spec": {"strategy": {"canary": {"canaryService": "c", "stableService": "s",
                                             "pingPong": {"pingService": "ping", "pongService": "pong"}}}}
        }));
        let rollout = decode_cached::<Rollout>(&canary).unwrap();
        assert_eq!(referenced_services(&rollout), ["c", "ping", "pong", "s"]);
        for name in ["c", "s", "ping", "pong"] {
            assert!(references_service(&canary.data, name), "{name}");
        }
        assert!(!references_service(&canary.data, "other"));
        let blue_green = dynamic(json!({
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "metadata": {"name": "b"},
            "spec": {"strategy": {"blueGreen": {"activeService": "active", "previewService": "preview"}}}
        }));
        assert_eq!(
            referenced_services(&decode_cached::<Rollout>(&blue_green).unwrap()),
            ["active", "preview"]
        );
        assert!(references_service(&blue_green.data, "preview"));
    }

    #[test]
    fn a_rollout_that_does_not_fit_the_type_is_an_error_naming_the_field() {
        let bad = dynamic(json!({
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
            "metadata": {"name": "bad", "namespace": "default"},
            "spec": {"replicas": 1}, "status": {"phase": "Bogus"}
        }));
        let error = decode_cached::<Rollout>(&bad).unwrap_err();
        assert!(error.starts_with("status.phase: unknown variant `Bogus`"), "{error}");
        let good = dynamic(json!({
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
            "metadata": {"name": "good", "namespace": "default", "uid": "u"},
            "spec": {"replicas": 3}
        }));
        let rollout = decode_cached::<Rollout>(&good).unwrap();
        assert_eq!(rollout.spec.replicas, Some(3));
        assert_eq!(rollout.metadata.uid.as_deref(), Some("u"));
    }

    #[test]
    fn template_references_are_found_in_every_analysis() {
        let data = json!({"spec": {"strategy": {"canary": {
            "analysis": {"templates": [{"templateName": "bg"}]},
            "steps": [{"setWeight": 10}, {"analysis": {"templates": [{"templateName": "cat", "clusterScope": true}]}}]
        }}}});
        assert!(references_template(&data, "bg", false));
        assert!(references_template(&data, "cat", true));
        assert!(!references_template(&data, "cat", false));
        assert!(!references_template(&data, "other", false));
    }

    #[test]
    fn the_snapshot_borrows_the_observed_data() {
        let ar = ApiResource::erase::<Rollout>(&());
        let object = DynamicObject::new("web", &ar)
            .within("default")
            .data(json!({"spec": {}}));
        let observed = Observed {
            rollout: decode_cached::<Rollout>(&object).unwrap(),
            replica_sets: vec![rs("a", "u", true)],
            services: Vec::new(),
            pods: None,
            workload: WorkloadState::NotReferenced,
            analysis_runs: Vec::new(),
            analysis_templates: Vec::new(),
            cluster_analysis_templates: Vec::new(),
            experiments: Vec::new(),
            routing_objects: Vec::new(),
            routing_settings: RoutingSettings::default(),
            now: Timestamp::UNIX_EPOCH,
        };
        let snapshot = observed.snapshot();
        assert_eq!(snapshot.replica_sets.len(), 1);
        assert!(snapshot.pods.is_none());
        assert_eq!(snapshot.rollout.metadata.name.as_deref(), Some("web"));
    }
}
