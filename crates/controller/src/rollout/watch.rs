//! The watches and their caches, and the queue of Rollouts to reconcile that they feed.
//!
//! * Rollouts are cached as raw JSON ([`DynamicObject`]) and decoded one by one in the reconcile, so
//!   that a Rollout that does not fit the type cannot break the watch of all the others.
//! * ReplicaSets are watched only with the `rollouts-pod-template-hash` label, as upstream does; a
//!   change to one enqueues the Rollout that controls it.
//! * Services are watched so that a change to one enqueues the Rollouts that reference it.
//! * Deployments are watched (metadata only) so that a change to the spec of one enqueues the Rollouts
//!   whose `workloadRef` points to it; the reconcile then reads the Deployment itself. ReplicaSet and
//!   PodTemplate `workloadRef` targets are not watched: a change to one is picked up at the next resync.
//! * AnalysisRuns are watched once for both controllers: every change is forwarded to the AnalysisRun
//!   controller, and a run that appears, changes phase or goes away enqueues the Rollout controlling it
//!   (as upstream, the measurements a run records in between do not).
//!
//! Managed fields are dropped from every cached object: they are large and never read.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::Arc;

use futures::stream::{self, BoxStream};
use futures::{Stream, StreamExt};
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::Service;
use kube::api::Api;
use kube::core::{ApiResource, DynamicObject, PartialObjectMeta};
use kube::runtime::WatchStreamExt;
use kube::runtime::controller::ReconcileReason;
use kube::runtime::reflector::ObjectRef;
use kube::runtime::watcher::{self, Event};
use rollouts_api::well_known::labels::POD_TEMPLATE_HASH;

use super::RolloutKey;
use super::caches::{Cache, Writers, analysis_resources};
use super::context::Context;
use super::snapshot::{references_service, references_template};
use super::workload::references_deployment;
use crate::runtime::queue::{ChangeSender, ObjectChange, Request, request};
use crate::runtime::repeats::WatchHealth;

/// The Rollout controlling `rs`, if any.
pub fn owner_of(rs: &ReplicaSet, rollout_resource: &ApiResource) -> Option<ObjectRef<DynamicObject>> {
    let namespace = rs.metadata.namespace.as_deref()?;
    rs.metadata
        .owner_references
        .iter()
        .flatten()
        .find(|o| o.controller == Some(true))
        .filter(|o| o.kind == rollout_resource.kind && o.api_version == rollout_resource.api_version)
        .map(|o| ObjectRef::new_with(&o.name, rollout_resource.clone()).within(namespace))
}

/// Runs the watches (while polled) and yields the Rollouts to reconcile.
pub fn queue(
    client: &kube::Client,
    namespace: Option<&str>,
    writers: Writers,
    ctx: Arc<Context>,
    run_changes: ChangeSender,
) -> impl Stream<Item = Result<Request, Infallible>> + Send + 'static {
    let resource = ctx.rollout_resource.clone();
    let rollout_api: Api<DynamicObject> = match namespace {
        Some(ns) => Api::namespaced_with(client.clone(), ns, &resource),
        None => Api::all_with(client.clone(), &resource),
    };
    // Metadata-only requests: the generation is all that is kept of a Deployment.
    type DeploymentMeta = PartialObjectMeta<Deployment>;
    let (replica_set_api, service_api, deployment_api): (Api<ReplicaSet>, Api<Service>, Api<DeploymentMeta>) =
        match namespace {
            Some(ns) => (
                Api::namespaced(client.clone(), ns),
                Api::namespaced(client.clone(), ns),
                Api::namespaced(client.clone(), ns),
            ),
            None => (
                Api::all(client.clone()),
                Api::all(client.clone()),
                Api::all(client.clone()),
            ),
        };

    let rollout_ctx = Arc::clone(&ctx);
    let mut rollout_health = WatchHealth::new("Rollouts");
    let rollouts = watcher::watcher(rollout_api, watcher::Config::default().any_semantic())
        .default_backoff()
        .modify(|ro: &mut DynamicObject| ro.metadata.managed_fields = None)
        .reflect(writers.rollouts)
        .flat_map(move |event| {
            rollout_health.observe(&event);
            let requests = match event {
                Ok(Event::Apply(ro) | Event::InitApply(ro)) => {
                    vec![request(
                        ObjectRef::from_obj_with(&ro, resource.clone()),
                        ReconcileReason::ObjectUpdated,
                    )]
                }
                Ok(Event::Delete(ro)) => {
                    rollout_ctx.runtime.forget(&RolloutKey::of(&ro));
                    Vec::new()
                }
                Ok(Event::Init | Event::InitDone) => Vec::new(),
                Err(_) => Vec::new(),
            };
            stream::iter(requests)
        });

    let rs_ctx = Arc::clone(&ctx);
    let mut rs_health = WatchHealth::new("ReplicaSets");
    let replica_sets = watcher::watcher(
        replica_set_api,
        watcher::Config::default().any_semantic().labels(POD_TEMPLATE_HASH),
    )
    .default_backoff()
    .modify(|rs: &mut ReplicaSet| rs.metadata.managed_fields = None)
    .reflect(writers.replica_sets)
    .flat_map(move |event| {
        rs_health.observe(&event);
        let related = |rs: &ReplicaSet| {
            owner_of(rs, &rs_ctx.rollout_resource).map(|owner| {
                let reason = ReconcileReason::RelatedObjectUpdated {
                    obj_ref: Box::new(ObjectRef::<ReplicaSet>::from_obj(rs).erase()),
                };
                request(owner, reason)
            })
        };
        let requests: Vec<Request> = match event {
            Ok(Event::Apply(rs) | Event::InitApply(rs)) => related(&rs).into_iter().collect(),
            Ok(Event::Delete(rs)) => {
                let namespace = rs.metadata.namespace.as_deref().unwrap_or_default();
                rs_ctx
                    .runtime
                    .tracker
                    .owned_deleted(namespace, rs.metadata.name.as_deref().unwrap_or_default());
                related(&rs).into_iter().collect()
            }
            Ok(Event::InitDone) => {
                rs_ctx.readiness.filled(Cache::ReplicaSets);
                Vec::new()
            }
            Ok(Event::Init) => Vec::new(),
            Err(_) => Vec::new(),
        };
        stream::iter(requests)
    });

    let svc_ctx = Arc::clone(&ctx);
    let mut svc_health = WatchHealth::new("Services");
    let services = watcher::watcher(service_api, watcher::Config::default().any_semantic())
        .default_backoff()
        .modify(|svc: &mut Service| {
            svc.metadata.managed_fields = None;
            svc.status = None;
        })
        .reflect(writers.services)
        .flat_map(move |event| {
            svc_health.observe(&event);
            let requests = match event {
                Ok(Event::Apply(svc) | Event::InitApply(svc) | Event::Delete(svc)) => {
                    referencing_rollouts(&svc_ctx, &svc)
                }
                Ok(Event::InitDone) => {
                    svc_ctx.readiness.filled(Cache::Services);
                    Vec::new()
                }
                Ok(Event::Init) => Vec::new(),
                Err(_) => Vec::new(),
            };
            stream::iter(requests)
        });

    let deployment_ctx = Arc::clone(&ctx);
    let mut generations = Generations::default();
    let mut deployment_health = WatchHealth::new("Deployments");
    let deployments = watcher::watcher(deployment_api, watcher::Config::default().any_semantic())
        .default_backoff()
        .flat_map(move |event| {
            deployment_health.observe(&event);
            let changed = match event {
                Ok(event) => generations.observe(event),
                Err(_) => Vec::new(),
            };
            let requests: Vec<Request> = changed
                .iter()
                .flat_map(|(namespace, name)| workload_rollouts(&deployment_ctx, namespace, name))
                .collect();
            stream::iter(requests)
        });

    let (run_resource, template_resource, cluster_template_resource) = analysis_resources();
    let (run_api, template_api): (Api<DynamicObject>, Api<DynamicObject>) = match namespace {
        Some(ns) => (
            Api::namespaced_with(client.clone(), ns, &run_resource),
            Api::namespaced_with(client.clone(), ns, &template_resource),
        ),
        None => (
            Api::all_with(client.clone(), &run_resource),
            Api::all_with(client.clone(), &template_resource),
        ),
    };
    let cluster_template_api: Api<DynamicObject> = Api::all_with(client.clone(), &cluster_template_resource);

    let run_ctx = Arc::clone(&ctx);
    let mut phases = RunPhases::default();
    let mut run_health = WatchHealth::new("AnalysisRuns");
    let analysis_runs = watcher::watcher(run_api, watcher::Config::default().any_semantic())
        .default_backoff()
        .modify(|ar: &mut DynamicObject| ar.metadata.managed_fields = None)
        .reflect(writers.analysis_runs)
        .flat_map(move |event| {
            run_health.observe(&event);
            let Ok(event) = event else {
                return stream::iter(Vec::new());
            };
            if matches!(event, Event::InitDone) {
                run_ctx.readiness.filled(Cache::AnalysisRuns);
            }
            if let Some(change) = run_change(&event, &run_resource) {
                // Closed only when the AnalysisRun controller has stopped.
                let _ = run_changes.unbounded_send(change);
            }
            let requests: Vec<Request> = match (&event, phases.observe(&event)) {
                (Event::Apply(ar) | Event::InitApply(ar) | Event::Delete(ar), true) => {
                    run_owner(ar, &run_ctx.rollout_resource).into_iter().collect()
                }
                _ => Vec::new(),
            };
            stream::iter(requests)
        });

    let template_ctx = Arc::clone(&ctx);
    let mut template_health = WatchHealth::new("AnalysisTemplates");
    let analysis_templates = watcher::watcher(template_api, watcher::Config::default().any_semantic())
        .default_backoff()
        .modify(|t: &mut DynamicObject| t.metadata.managed_fields = None)
        .reflect(writers.analysis_templates)
        .flat_map(move |event| {
            template_health.observe(&event);
            let requests = match event {
                Ok(Event::Apply(t) | Event::Delete(t)) => template_rollouts(&template_ctx, &t, false),
                Ok(Event::InitDone) => {
                    template_ctx.readiness.filled(Cache::AnalysisTemplates);
                    Vec::new()
                }
                Ok(Event::InitApply(_) | Event::Init) => Vec::new(),
                Err(_) => Vec::new(),
            };
            stream::iter(requests)
        });

    let cluster_template_ctx = Arc::clone(&ctx);
    let mut cluster_template_health = WatchHealth::new("ClusterAnalysisTemplates");
    let cluster_analysis_templates = watcher::watcher(cluster_template_api, watcher::Config::default().any_semantic())
        .default_backoff()
        .modify(|t: &mut DynamicObject| t.metadata.managed_fields = None)
        .reflect(writers.cluster_analysis_templates)
        .flat_map(move |event| {
            cluster_template_health.observe(&event);
            let requests = match event {
                Ok(Event::Apply(t) | Event::Delete(t)) => template_rollouts(&cluster_template_ctx, &t, true),
                Ok(Event::InitDone) => {
                    cluster_template_ctx.readiness.filled(Cache::ClusterAnalysisTemplates);
                    Vec::new()
                }
                Ok(Event::InitApply(_) | Event::Init) => Vec::new(),
                Err(_) => Vec::new(),
            };
            stream::iter(requests)
        });

    let streams: Vec<BoxStream<'static, Request>> = vec![
        rollouts.boxed(),
        replica_sets.boxed(),
        services.boxed(),
        deployments.boxed(),
        analysis_runs.boxed(),
        analysis_templates.boxed(),
        cluster_analysis_templates.boxed(),
    ];
    stream::select_all(streams).map(Ok)
}

/// Requests for the cached Rollouts of the Service's namespace that reference it.
fn referencing_rollouts(ctx: &Context, svc: &Service) -> Vec<Request> {
    let (Some(namespace), Some(name)) = (svc.metadata.namespace.as_deref(), svc.metadata.name.as_deref()) else {
        return Vec::new();
    };
    ctx.stores
        .rollouts
        .state_filter(|ro| ro.metadata.namespace.as_deref() == Some(namespace) && references_service(&ro.data, name))
        .iter()
        .map(|ro| {
            let reason = ReconcileReason::RelatedObjectUpdated {
                obj_ref: Box::new(ObjectRef::<Service>::from_obj(svc).erase()),
            };
            request(
                ObjectRef::from_obj_with(ro.as_ref(), ctx.rollout_resource.clone()),
                reason,
            )
        })
        .collect()
}

/// The Rollout controlling the AnalysisRun `ar`, if any.
fn run_owner(ar: &DynamicObject, rollout_resource: &ApiResource) -> Option<Request> {
    let namespace = ar.metadata.namespace.as_deref()?;
    let owner = ar
        .metadata
        .owner_references
        .iter()
        .flatten()
        .find(|o| o.controller == Some(true))
        .filter(|o| o.kind == rollout_resource.kind && o.api_version == rollout_resource.api_version)?;
    let rollout = ObjectRef::new_with(&owner.name, rollout_resource.clone()).within(namespace);
    let reason = ReconcileReason::RelatedObjectUpdated {
        obj_ref: Box::new(ObjectRef::from_obj_with(ar, ApiResource::erase::<rollouts_api::AnalysisRun>(&())).erase()),
    };
    Some(request(rollout, reason))
}

/// What the AnalysisRun controller is told of a watch event.
fn run_change(event: &Event<DynamicObject>, run_resource: &ApiResource) -> Option<ObjectChange> {
    match event {
        Event::Apply(ar) | Event::InitApply(ar) => Some(ObjectChange::Changed(ObjectRef::from_obj_with(
            ar,
            run_resource.clone(),
        ))),
        Event::Delete(ar) => Some(ObjectChange::Deleted(ObjectRef::from_obj_with(
            ar,
            run_resource.clone(),
        ))),
        Event::Init | Event::InitDone => None,
    }
}

/// An AnalysisRun's namespace and name.
type RunName = (String, String);

/// The `status.phase` of every watched AnalysisRun, to tell the changes that matter to its Rollout
/// (new, deleted, another phase) from the measurements recorded in between.
#[derive(Default)]
struct RunPhases {
    known: HashMap<RunName, Option<String>>,
    /// What a relist in progress has listed so far; it replaces `known` once complete.
    relisted: Option<HashMap<RunName, Option<String>>>,
}

impl RunPhases {
    /// Takes in one watch event; returns whether the run's Rollout should look again.
    fn observe(&mut self, event: &Event<DynamicObject>) -> bool {
        match event {
            Event::Apply(ar) => {
                let (key, phase) = Self::entry(ar);
                self.known.insert(key, phase.clone()) != Some(phase)
            }
            Event::InitApply(ar) => {
                let (key, phase) = Self::entry(ar);
                let changed = self.known.get(&key) != Some(&phase);
                self.relisted.get_or_insert_with(HashMap::new).insert(key, phase);
                changed
            }
            Event::Delete(ar) => {
                let (key, _) = Self::entry(ar);
                self.known.remove(&key);
                true
            }
            Event::Init => {
                self.relisted = Some(HashMap::new());
                false
            }
            Event::InitDone => {
                self.known = self.relisted.take().unwrap_or_default();
                false
            }
        }
    }

    fn entry(ar: &DynamicObject) -> (RunName, Option<String>) {
        let key = (
            ar.metadata.namespace.clone().unwrap_or_default(),
            ar.metadata.name.clone().unwrap_or_default(),
        );
        let phase = ar
            .data
            .pointer("/status/phase")
            .and_then(serde_json::Value::as_str)
            .map(str::to_string);
        (key, phase)
    }
}

/// Requests for the cached Rollouts that refer to the (cluster) AnalysisTemplate `template`: a
/// Rollout waiting for a missing template (InvalidSpec) goes on as soon as it appears.
fn template_rollouts(ctx: &Context, template: &DynamicObject, cluster: bool) -> Vec<Request> {
    let Some(name) = template.metadata.name.as_deref() else {
        return Vec::new();
    };
    let namespace = template.metadata.namespace.as_deref();
    ctx.stores
        .rollouts
        .state_filter(|ro| {
            (cluster || ro.metadata.namespace.as_deref() == namespace) && references_template(&ro.data, name, cluster)
        })
        .iter()
        .map(|ro| {
            request(
                ObjectRef::from_obj_with(ro.as_ref(), ctx.rollout_resource.clone()),
                ReconcileReason::Unknown,
            )
        })
        .collect()
}

/// Requests for the cached Rollouts of `namespace` whose `workloadRef` points to the Deployment `name`.
fn workload_rollouts(ctx: &Context, namespace: &str, name: &str) -> Vec<Request> {
    ctx.stores
        .rollouts
        .state_filter(|ro| ro.metadata.namespace.as_deref() == Some(namespace) && references_deployment(&ro.data, name))
        .iter()
        .map(|ro| {
            let reason = ReconcileReason::RelatedObjectUpdated {
                obj_ref: Box::new(ObjectRef::<Deployment>::new(name).within(namespace).erase()),
            };
            request(
                ObjectRef::from_obj_with(ro.as_ref(), ctx.rollout_resource.clone()),
                reason,
            )
        })
        .collect()
}

/// A Deployment's namespace and name.
type DeploymentKey = (String, String);

/// The `metadata.generation` of every watched Deployment, and nothing else of them: a Rollout borrows
/// only the Deployment's spec, and the generation changes exactly when the spec does, so the status
/// updates a running Deployment sees all the time need not reconcile anything.
#[derive(Default)]
struct Generations {
    known: HashMap<DeploymentKey, Option<i64>>,
    /// What a relist in progress has listed so far; it replaces `known` once complete.
    relisted: Option<HashMap<DeploymentKey, Option<i64>>>,
}

impl Generations {
    /// Takes in one watch event; returns the Deployments that are new, deleted or of a new generation.
    fn observe(&mut self, event: Event<PartialObjectMeta<Deployment>>) -> Vec<DeploymentKey> {
        match event {
            Event::Apply(deployment) => {
                let (key, generation) = Self::entry(&deployment);
                let changed = self.known.insert(key.clone(), generation) != Some(generation);
                changed.then_some(key).into_iter().collect()
            }
            Event::Delete(deployment) => {
                let (key, _) = Self::entry(&deployment);
                self.known.remove(&key);
                vec![key]
            }
            Event::Init => {
                self.relisted = Some(HashMap::new());
                Vec::new()
            }
            Event::InitApply(deployment) => {
                let (key, generation) = Self::entry(&deployment);
                let changed = self.known.get(&key) != Some(&generation);
                self.relisted
                    .get_or_insert_with(HashMap::new)
                    .insert(key.clone(), generation);
                changed.then_some(key).into_iter().collect()
            }
            Event::InitDone => {
                let relisted = self.relisted.take().unwrap_or_default();
                // A relist reports no deletions: those are the Deployments it no longer lists.
                let deleted = self
                    .known
                    .keys()
                    .filter(|k| !relisted.contains_key(*k))
                    .cloned()
                    .collect();
                self.known = relisted;
                deleted
            }
        }
    }

    fn entry(deployment: &PartialObjectMeta<Deployment>) -> (DeploymentKey, Option<i64>) {
        let meta = &deployment.metadata;
        let key = (
            meta.namespace.clone().unwrap_or_default(),
            meta.name.clone().unwrap_or_default(),
        );
        (key, meta.generation)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
    use kube::api::ObjectMeta;
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

    fn deployment(name: &str, generation: i64) -> PartialObjectMeta<Deployment> {
        PartialObjectMeta {
            metadata: ObjectMeta {
                name: Some(name.into()),
                namespace: Some("ns".into()),
                generation: Some(generation),
                ..ObjectMeta::default()
            },
            ..PartialObjectMeta::default()
        }
    }

    fn key(name: &str) -> DeploymentKey {
        ("ns".to_string(), name.to_string())
    }

    #[test]
    fn only_new_deleted_or_regenerated_deployments_count_as_changed() {
        let mut generations = Generations::default();
        assert!(generations.observe(Event::Init).is_empty());
        assert_eq!(generations.observe(Event::InitApply(deployment("a", 1))), [key("a")]);
        assert_eq!(generations.observe(Event::InitApply(deployment("b", 3))), [key("b")]);
        assert!(generations.observe(Event::InitDone).is_empty());
        assert_eq!(
            generations.observe(Event::Apply(deployment("a", 2))),
            [key("a")],
            "a spec change"
        );
        assert!(
            generations.observe(Event::Apply(deployment("a", 2))).is_empty(),
            "a status change"
        );
        assert_eq!(
            generations.observe(Event::Apply(deployment("c", 1))),
            [key("c")],
            "created"
        );
        assert_eq!(
            generations.observe(Event::Delete(deployment("c", 1))),
            [key("c")],
            "deleted"
        );

        // A relist (after the watch fell behind) reports what changed meanwhile, deletions included.
        assert!(generations.observe(Event::Init).is_empty());
        assert!(
            generations.observe(Event::InitApply(deployment("a", 2))).is_empty(),
            "unchanged"
        );
        assert_eq!(
            generations.observe(Event::InitApply(deployment("d", 1))),
            [key("d")],
            "new"
        );
        assert_eq!(
            generations.observe(Event::InitDone),
            [key("b")],
            "b went away while not watched"
        );
        assert_eq!(generations.known.len(), 2);
        assert_eq!(
            generations.observe(Event::Apply(deployment("b", 3))),
            [key("b")],
            "b is back"
        );
    }

    #[tokio::test]
    async fn a_deployment_change_enqueues_the_rollouts_referencing_it() {
        let resource = ApiResource::erase::<Rollout>(&());
        let (stores, mut writers) = crate::rollout::caches::stores(&resource);
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
        let mut phases = RunPhases::default();
        assert!(phases.observe(&Event::Apply(run_with_phase("a", None))), "new");
        assert!(phases.observe(&Event::Apply(run_with_phase("a", Some("Running")))));
        assert!(
            !phases.observe(&Event::Apply(run_with_phase("a", Some("Running")))),
            "a measurement recorded"
        );
        assert!(phases.observe(&Event::Apply(run_with_phase("a", Some("Successful")))));
        assert!(phases.observe(&Event::Delete(run_with_phase("a", Some("Successful")))));
        assert!(phases.observe(&Event::Apply(run_with_phase("b", Some("Running")))));
        assert!(!phases.observe(&Event::Init));
        assert!(!phases.observe(&Event::InitApply(run_with_phase("b", Some("Running")))));
        assert!(phases.observe(&Event::InitApply(run_with_phase("c", None))));
        assert!(!phases.observe(&Event::InitDone));
        assert_eq!(phases.known.len(), 2);
        let change = run_change(
            &Event::Apply(run_with_phase("b", None)),
            &ApiResource::erase::<rollouts_api::AnalysisRun>(&()),
        );
        assert!(matches!(change, Some(ObjectChange::Changed(r)) if r.name == "b"));
    }

    #[test]
    fn a_replica_set_maps_to_the_rollout_controlling_it() {
        let resource = ApiResource::erase::<Rollout>(&());
        let found = owner_of(&rs(owner("argoproj.io/v1alpha1", "Rollout", true)), &resource).unwrap();
        assert_eq!(found, ObjectRef::new_with("web", resource.clone()).within("ns"));
        assert_eq!(owner_of(&rs(owner("apps/v1", "Deployment", true)), &resource), None);
        assert_eq!(
            owner_of(&rs(owner("argoproj.io/v1alpha1", "Rollout", false)), &resource),
            None
        );
        assert_eq!(owner_of(&ReplicaSet::default(), &resource), None);
    }
}
