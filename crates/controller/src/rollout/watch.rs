//! The watches and the queue of Rollouts to reconcile that they feed.
//!
//! * Rollouts are cached as raw JSON ([`DynamicObject`](kube::core::DynamicObject)) and decoded one by
//!   one in the reconcile, so that a Rollout that does not fit the type cannot break the watch of all
//!   the others.
//! * ReplicaSets are watched only with the `rollouts-pod-template-hash` label, as upstream does; a
//!   change to one enqueues the Rollout that controls it.
//! * Services are watched so that a change to one enqueues the Rollouts that reference it.
//! * Deployments are watched (metadata only) so that a change to the spec of one enqueues the Rollouts
//!   whose `workloadRef` points to it; the reconcile then reads the Deployment itself. ReplicaSet and
//!   PodTemplate `workloadRef` targets are not watched: a change to one is picked up at the next resync.
//! * AnalysisRuns are watched once for both controllers: every change is forwarded to the AnalysisRun
//!   controller, and a run that appears, changes phase or goes away enqueues the Rollout controlling it
//!   (as upstream, the measurements a run records in between do not).
//! * Routing objects (Ingresses, VirtualServices, TrafficSplits, HTTPRoutes...) are watched per kind
//!   once a Rollout's routers read one, and enqueue the Rollouts that read the object.
//! * (Cluster) AnalysisTemplates are watched so that a Rollout waiting for one goes on when it appears.
//!   A controller watching one namespace does not watch ClusterAnalysisTemplates (a namespaced Role
//!   cannot list them), as upstream's namespaced mode: its cache stays empty and counts as filled.
//! * Rollouts, AnalysisRuns, (Cluster)AnalysisTemplates and Experiments are watched with the
//!   instance-id selector ([`crate::runtime::instance`]): another controller instance's are not seen.
//! * Experiments are watched once for both controllers: every change is forwarded to the Experiment
//!   controller and enqueues the Rollout controlling the Experiment (an experiment step). A change to a
//!   ReplicaSet or a Service an Experiment controls, or a run it controls changing phase, is forwarded
//!   to the Experiment controller as a change of that Experiment.
//!
//! Which Rollouts each event concerns is [`super::triggers`]' business.
//!
//! Why not kube-runtime's `Controller` with `owns` and `watches`, which would build much of this: the
//! AnalysisRun watch feeds two controllers (one cache, its changes forwarded), which watches owned by
//! one `Controller` cannot do without kube-runtime's unstable stream sharing; the reconcile must not
//! plan before the related caches are listed, and `Store::wait_until_ready` wakes only one of several
//! waiters (see `runtime/readiness.rs`), so each watch marks its own cache filled on `InitDone`; and
//! some events do more than map to an owner (a deleted Rollout or ReplicaSet is forgotten by the write
//! tracker, a Deployment counts only when its generation changes, deletions found by a relist
//! included). kube-runtime's applier, the part of `Controller` that fits, runs the reconciles.

use std::convert::Infallible;
use std::sync::Arc;

use futures::channel::mpsc::UnboundedReceiver;
use futures::stream::{self, BoxStream};
use futures::{Stream, StreamExt};
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::Service;
use kube::api::Api;
use kube::core::{DynamicObject, PartialObjectMeta};
use kube::runtime::watcher::{Config, Event};
use rollouts_api::well_known::labels::POD_TEMPLATE_HASH;

use super::caches::{Cache, Writers, analysis_resources, experiment_resource};
use super::context::Context;
use super::triggers;
use crate::runtime::changes::LastSeen;
use crate::runtime::instance;
use crate::runtime::queue::{ChangeSender, ObjectChange, Request};
use crate::runtime::watching::{api, cached, dynamic_api, keep, uncached};

/// Which objects the watches see.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    /// One namespace, or all of them.
    pub namespace: Option<&'a str>,
    /// The controller instance ([`crate::runtime::instance`]).
    pub instance_id: &'a str,
}

/// Runs the watches (while polled) and yields the Rollouts to reconcile.
pub fn queue(
    client: &kube::Client,
    scope: Scope<'_>,
    writers: Writers,
    ctx: Arc<Context>,
    run_changes: ChangeSender,
    experiment_changes: ChangeSender,
    routing_requests: UnboundedReceiver<Request>,
) -> impl Stream<Item = Result<Request, Infallible>> + Send + 'static {
    let Scope { namespace, instance_id } = scope;
    let owned = || instance::watch_config(instance_id);
    let (run_resource, template_resource, cluster_template_resource) = analysis_resources();
    let rollout_api = dynamic_api(client, namespace, &ctx.rollout_resource);
    let replica_set_api = api(client, namespace);
    let service_api = api(client, namespace);
    // Metadata only: the generation is all that is read of a Deployment.
    let deployment_api = api::<PartialObjectMeta<Deployment>>(client, namespace);
    let run_api = dynamic_api(client, namespace, &run_resource);
    let template_api = dynamic_api(client, namespace, &template_resource);
    // Namespaced: not watched at all (see the module doc).
    let cluster_template_api = namespace
        .is_none()
        .then(|| Api::all_with(client.clone(), &cluster_template_resource));
    let experiment_resource = experiment_resource();
    let experiment_api = dynamic_api(client, namespace, &experiment_resource);

    let mut generations = LastSeen::default();
    let deployment_changed = move |ctx: &Context, event: Event<PartialObjectMeta<Deployment>>| {
        let changed = generations.observe(&event, |deployment| deployment.metadata.generation);
        changed
            .iter()
            .flat_map(|key| triggers::workload_rollouts(ctx, &key.namespace, &key.name))
            .collect()
    };
    let mut phases = LastSeen::default();
    let to_experiments = experiment_changes.clone();
    let run_changed = move |ctx: &Context, event: Event<_>| {
        if let Some(change) = ObjectChange::of(&event, &run_resource) {
            // Closed only when the AnalysisRun controller has stopped.
            let _ = run_changes.unbounded_send(change);
        }
        let Some(run) = triggers::rephased(&mut phases, &event) else {
            return Vec::new();
        };
        triggers::forward_to_experiment(&to_experiments, &run.metadata);
        triggers::run_owner(run, &ctx.rollout_resource).into_iter().collect()
    };
    let without_status = |svc: &mut Service| svc.status = None;
    let to_experiments = experiment_changes.clone();
    let replica_set_changed = move |ctx: &Context, event: Event<ReplicaSet>| {
        if let Event::Apply(rs) | Event::InitApply(rs) | Event::Delete(rs) = &event {
            triggers::forward_to_experiment(&to_experiments, &rs.metadata);
        }
        triggers::replica_set_event(ctx, event)
    };
    let to_experiments = experiment_changes.clone();
    let service_changed = move |ctx: &Context, event: Event<Service>| {
        if let Event::Apply(svc) | Event::InitApply(svc) | Event::Delete(svc) = &event {
            triggers::forward_to_experiment(&to_experiments, &svc.metadata);
        }
        triggers::service_event(ctx, event)
    };
    let experiment_changed = move |ctx: &Context, event: Event<DynamicObject>| {
        if let Some(change) = ObjectChange::of(&event, &experiment_resource) {
            // Closed only when the Experiment controller has stopped.
            let _ = experiment_changes.unbounded_send(change);
        }
        triggers::experiment_owner(ctx, &event).into_iter().collect()
    };

    let streams = vec![
        requests(
            cached(rollout_api, owned(), writers.rollouts, "Rollouts", keep),
            &ctx,
            None,
            triggers::rollout_event,
        ),
        requests(
            cached(
                replica_set_api,
                Config::default().labels(POD_TEMPLATE_HASH),
                writers.replica_sets,
                "ReplicaSets",
                keep,
            ),
            &ctx,
            Some(Cache::ReplicaSets),
            replica_set_changed,
        ),
        requests(
            cached(
                service_api,
                Config::default(),
                writers.services,
                "Services",
                without_status,
            ),
            &ctx,
            Some(Cache::Services),
            service_changed,
        ),
        requests(
            uncached(deployment_api, Config::default(), "Deployments"),
            &ctx,
            None,
            deployment_changed,
        ),
        requests(
            cached(run_api, owned(), writers.analysis_runs, "AnalysisRuns", keep),
            &ctx,
            Some(Cache::AnalysisRuns),
            run_changed,
        ),
        requests(
            cached(
                template_api,
                owned(),
                writers.analysis_templates,
                "AnalysisTemplates",
                keep,
            ),
            &ctx,
            Some(Cache::AnalysisTemplates),
            triggers::template_event(false),
        ),
        requests(
            cached(experiment_api, owned(), writers.experiments, "Experiments", keep),
            &ctx,
            Some(Cache::Experiments),
            experiment_changed,
        ),
        // The routing objects' watches start as Rollouts name them (see `super::routing_watch`).
        routing_requests.boxed(),
    ];
    let cluster_templates = match cluster_template_api {
        Some(api) => requests(
            cached(
                api,
                owned(),
                writers.cluster_analysis_templates,
                "ClusterAnalysisTemplates",
                keep,
            ),
            &ctx,
            Some(Cache::ClusterAnalysisTemplates),
            triggers::template_event(true),
        ),
        None => {
            ctx.readiness.filled(Cache::ClusterAnalysisTemplates);
            stream::empty().boxed()
        }
    };
    stream::select_all(streams.into_iter().chain([cluster_templates])).map(Ok)
}

/// The requests of one watch: `to_requests` says which Rollouts each of its events concerns, and
/// `cache`, when given, is marked filled once the watch has listed everything.
fn requests<K: Send + 'static>(
    events: impl Stream<Item = Event<K>> + Send + 'static,
    ctx: &Arc<Context>,
    cache: Option<Cache>,
    mut to_requests: impl FnMut(&Context, Event<K>) -> Vec<Request> + Send + 'static,
) -> BoxStream<'static, Request> {
    let ctx = Arc::clone(ctx);
    events
        .flat_map(move |event| {
            if let (Event::InitDone, Some(cache)) = (&event, cache) {
                ctx.readiness.filled(cache);
            }
            stream::iter(to_requests(&ctx, event))
        })
        .boxed()
}
