//! Which Rollouts a watch event concerns: a Rollout's own changes, the Rollout controlling a
//! ReplicaSet or an AnalysisRun, and the Rollouts that reference a Service, a (cluster)
//! AnalysisTemplate or, through their `workloadRef`, a Deployment. References are read from the raw
//! cached Rollouts, so that Rollouts that do not decode get their events too.

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::Service;
use kube::api::ObjectMeta;
use kube::core::{ApiResource, DynamicObject};
use kube::runtime::controller::ReconcileReason;
use kube::runtime::reflector::ObjectRef;
use kube::runtime::watcher::Event;

use super::RolloutKey;
use super::caches::experiment_resource;
use super::context::Context;
use super::snapshot::{references_service, references_template};
use super::workload::references_deployment;
use crate::runtime::changes::LastSeen;
use crate::runtime::queue::{ChangeSender, ObjectChange, Request, request};

/// A Rollout that changed is reconciled; one that is deleted is forgotten.
pub fn rollout_event(ctx: &Context, event: Event<DynamicObject>) -> Vec<Request> {
    match event {
        Event::Apply(ro) | Event::InitApply(ro) => vec![request(
            ObjectRef::from_obj_with(&ro, ctx.rollout_resource.clone()),
            ReconcileReason::ObjectUpdated,
        )],
        Event::Delete(ro) => {
            ctx.runtime.forget(&RolloutKey::of(&ro));
            Vec::new()
        }
        Event::Init | Event::InitDone => Vec::new(),
    }
}

/// A ReplicaSet that changed or went away concerns the Rollout controlling it; one that went away is
/// no longer waited for in the cache.
pub fn replica_set_event(ctx: &Context, event: Event<ReplicaSet>) -> Vec<Request> {
    let rs = match event {
        Event::Apply(rs) | Event::InitApply(rs) => rs,
        Event::Delete(rs) => {
            let namespace = rs.metadata.namespace.as_deref().unwrap_or_default();
            let name = rs.metadata.name.as_deref().unwrap_or_default();
            ctx.runtime.tracker.owned_deleted(namespace, name);
            rs
        }
        Event::Init | Event::InitDone => return Vec::new(),
    };
    let reason = || ReconcileReason::RelatedObjectUpdated {
        obj_ref: Box::new(ObjectRef::<ReplicaSet>::from_obj(&rs).erase()),
    };
    controlling_rollout(&rs.metadata, &ctx.rollout_resource)
        .map(|owner| request(owner, reason()))
        .into_iter()
        .collect()
}

/// A Service that changed or went away concerns the Rollouts of its namespace that reference it.
pub fn service_event(ctx: &Context, event: Event<Service>) -> Vec<Request> {
    let (Event::Apply(svc) | Event::InitApply(svc) | Event::Delete(svc)) = event else {
        return Vec::new();
    };
    let (Some(namespace), Some(name)) = (svc.metadata.namespace.as_deref(), svc.metadata.name.as_deref()) else {
        return Vec::new();
    };
    rollouts_where(
        ctx,
        |ro| ro.metadata.namespace.as_deref() == Some(namespace) && references_service(&ro.data, name),
        || ReconcileReason::RelatedObjectUpdated {
            obj_ref: Box::new(ObjectRef::<Service>::from_obj(&svc).erase()),
        },
    )
}

/// An AnalysisTemplate (or, with `cluster`, a ClusterAnalysisTemplate) that appears, changes or goes
/// away concerns the Rollouts that refer to it: one waiting for a missing template (InvalidSpec) goes
/// on as soon as it appears. What a list reports does not: the Rollouts are reconciled then anyway.
pub fn template_event(cluster: bool) -> impl FnMut(&Context, Event<DynamicObject>) -> Vec<Request> {
    move |ctx, event| {
        let (Event::Apply(template) | Event::Delete(template)) = event else {
            return Vec::new();
        };
        let Some(name) = template.metadata.name.as_deref() else {
            return Vec::new();
        };
        let namespace = template.metadata.namespace.as_deref();
        rollouts_where(
            ctx,
            |ro| {
                (cluster || ro.metadata.namespace.as_deref() == namespace)
                    && references_template(&ro.data, name, cluster)
            },
            || ReconcileReason::Unknown,
        )
    }
}

/// The Rollouts of `namespace` whose `workloadRef` points to the Deployment `name`.
pub fn workload_rollouts(ctx: &Context, namespace: &str, name: &str) -> Vec<Request> {
    rollouts_where(
        ctx,
        |ro| ro.metadata.namespace.as_deref() == Some(namespace) && references_deployment(&ro.data, name),
        || ReconcileReason::RelatedObjectUpdated {
            obj_ref: Box::new(ObjectRef::<Deployment>::new(name).within(namespace).erase()),
        },
    )
}

/// The `status.phase` of a raw AnalysisRun.
pub fn run_phase(run: &DynamicObject) -> Option<String> {
    run.data
        .pointer("/status/phase")
        .and_then(serde_json::Value::as_str)
        .map(str::to_string)
}

/// The AnalysisRun of `event` when the event concerns the run's Rollout: a run that appears, changes
/// phase or goes away does (as upstream, the measurements it records in between do not). `phases`
/// holds the phase of every watched run.
pub fn rephased<'e>(
    phases: &mut LastSeen<Option<String>>,
    event: &'e Event<DynamicObject>,
) -> Option<&'e DynamicObject> {
    let changed = !phases.observe(event, run_phase).is_empty();
    match event {
        Event::Apply(run) | Event::InitApply(run) | Event::Delete(run) if changed => Some(run),
        _ => None,
    }
}

/// The request for the Rollout controlling the AnalysisRun `run`, if any.
pub fn run_owner(run: &DynamicObject, rollout_resource: &ApiResource) -> Option<Request> {
    let rollout = controlling_rollout(&run.metadata, rollout_resource)?;
    let run_resource = ApiResource::erase::<rollouts_api::AnalysisRun>(&());
    let reason = ReconcileReason::RelatedObjectUpdated {
        obj_ref: Box::new(ObjectRef::from_obj_with(run, run_resource).erase()),
    };
    Some(request(rollout, reason))
}

/// Forwards a change of the Experiment controlling the object of `metadata`, if any, to the Experiment
/// controller.
pub fn forward_to_experiment(changes: &ChangeSender, metadata: &ObjectMeta) {
    if let Some(experiment) = controlling_experiment(metadata) {
        // Closed only when the Experiment controller has stopped.
        let _ = changes.unbounded_send(ObjectChange::Changed(experiment));
    }
}

/// The Experiment controlling the object of `metadata` (its controller owner reference), if any.
pub fn controlling_experiment(metadata: &ObjectMeta) -> Option<ObjectRef<DynamicObject>> {
    let resource = experiment_resource();
    let namespace = metadata.namespace.as_deref()?;
    metadata
        .owner_references
        .iter()
        .flatten()
        .find(|o| o.controller == Some(true))
        .filter(|o| o.kind == resource.kind && o.api_version == resource.api_version)
        .map(|o| ObjectRef::new_with(&o.name, resource.clone()).within(namespace))
}

/// The request for the Rollout controlling the Experiment of `event` (an experiment step): every
/// change of the Experiment concerns it, as upstream enqueues the parent on every update.
pub fn experiment_owner(ctx: &Context, event: &Event<DynamicObject>) -> Option<Request> {
    let (Event::Apply(experiment) | Event::Delete(experiment)) = event else {
        return None;
    };
    let rollout = controlling_rollout(&experiment.metadata, &ctx.rollout_resource)?;
    let reason = ReconcileReason::RelatedObjectUpdated {
        obj_ref: Box::new(ObjectRef::from_obj_with(experiment, experiment_resource()).erase()),
    };
    Some(request(rollout, reason))
}

/// The Rollout controlling the object of `metadata` (its controller owner reference), if any.
pub fn controlling_rollout(metadata: &ObjectMeta, rollout_resource: &ApiResource) -> Option<ObjectRef<DynamicObject>> {
    let namespace = metadata.namespace.as_deref()?;
    metadata
        .owner_references
        .iter()
        .flatten()
        .find(|o| o.controller == Some(true))
        .filter(|o| o.kind == rollout_resource.kind && o.api_version == rollout_resource.api_version)
        .map(|o| ObjectRef::new_with(&o.name, rollout_resource.clone()).within(namespace))
}

/// Requests, for `reason`, for the cached Rollouts that `concerned` selects.
fn rollouts_where(
    ctx: &Context,
    concerned: impl Fn(&DynamicObject) -> bool,
    reason: impl Fn() -> ReconcileReason,
) -> Vec<Request> {
    ctx.stores
        .rollouts
        .state_filter(|ro| concerned(ro))
        .iter()
        .map(|ro| {
            request(
                ObjectRef::from_obj_with(ro.as_ref(), ctx.rollout_resource.clone()),
                reason(),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
    use rollouts_api::Rollout;

    fn rs(owner: OwnerReference) -> ReplicaSet {
        ReplicaSet {
            metadata: ObjectMeta {
                name: Some("web-1".into()),
                namespace: Some("ns".into()),
                owner_references: Some(vec![owner]),
                ..ObjectMeta::default()
            },
            ..ReplicaSet::default()
        }
    }

    fn owner(api_version: &str, kind: &str, controller: bool) -> OwnerReference {
        OwnerReference {
            api_version: api_version.into(),
            kind: kind.into(),
            name: "web".into(),
            uid: "u".into(),
            controller: Some(controller),
            ..OwnerReference::default()
        }
    }

    #[tokio::test]
    async fn a_deployment_change_enqueues_the_rollouts_referencing_it() {
        let resource = ApiResource::erase::<Rollout>(&());
        let (stores, mut writers) = crate::rollout::caches::empty(&resource);
        let rollout = |name: &str, namespace: &str, target: &str| {
            DynamicObject::new(name, &resource)
                .within(namespace)
                .data(serde_json::json!({
                    "spec": {"workloadRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": target}}
                }))
        };
        for ro in [
            rollout("web", "ns", "web"),
            rollout("other", "ns", "api"),
            rollout("web", "elsewhere", "web"),
        ] {
            writers.rollouts.apply_watcher_event(&Event::Apply(ro));
        }
        let client = kube::Client::try_from(kube::Config::new("http://127.0.0.1:1".parse().unwrap())).unwrap();
        let ctx = Context::new(
            client,
            stores,
            resource.clone(),
            crate::runtime::metrics::Metrics::new(),
            std::time::Duration::from_secs(900),
        );
        let requests = workload_rollouts(&ctx, "ns", "web");
        assert_eq!(requests.len(), 1, "{requests:?}");
        assert_eq!(requests[0].obj_ref, ObjectRef::new_with("web", resource).within("ns"));
    }

    fn run_with_phase(name: &str, phase: Option<&str>) -> DynamicObject {
        let resource = ApiResource::erase::<rollouts_api::AnalysisRun>(&());
        let data = match phase {
            Some(phase) => serde_json::json!({"status": {"phase": phase}}),
            None => serde_json::json!({}),
        };
        DynamicObject::new(name, &resource).within("ns").data(data)
    }

    #[test]
    fn only_new_deleted_or_rephased_runs_concern_their_rollout() {
        let mut phases = LastSeen::default();
        let mut concerns = |event: Event<DynamicObject>| rephased(&mut phases, &event).is_some();
        assert!(concerns(Event::Apply(run_with_phase("a", None))), "new");
        assert!(concerns(Event::Apply(run_with_phase("a", Some("Running")))));
        assert!(
            !concerns(Event::Apply(run_with_phase("a", Some("Running")))),
            "a measurement recorded"
        );
        assert!(concerns(Event::Apply(run_with_phase("a", Some("Successful")))));
        assert!(concerns(Event::Delete(run_with_phase("a", Some("Successful")))));
        assert!(concerns(Event::Apply(run_with_phase("b", Some("Running")))));
        assert!(!concerns(Event::Init));
        assert!(!concerns(Event::InitApply(run_with_phase("b", Some("Running")))));
        assert!(concerns(Event::InitApply(run_with_phase("c", None))));
        assert!(!concerns(Event::InitDone));
        assert_eq!(phases.len(), 2);
        let change = ObjectChange::of(
            &Event::Apply(run_with_phase("b", None)),
            &ApiResource::erase::<rollouts_api::AnalysisRun>(&()),
        );
        assert!(matches!(change, Some(ObjectChange::Changed(r)) if r.name == "b"));
    }

    #[test]
    fn a_replica_set_maps_to_the_rollout_controlling_it() {
        let resource = ApiResource::erase::<Rollout>(&());
        let owner_of = |rs: &ReplicaSet| controlling_rollout(&rs.metadata, &resource);
        let found = owner_of(&rs(owner("argoproj.io/v1alpha1", "Rollout", true))).unwrap();
        assert_eq!(found, ObjectRef::new_with("web", resource.clone()).within("ns"));
        assert_eq!(owner_of(&rs(owner("apps/v1", "Deployment", true))), None);
        assert_eq!(owner_of(&rs(owner("argoproj.io/v1alpha1", "Rollout", false))), None);
        assert_eq!(owner_of(&ReplicaSet::default()), None);
    }
}
