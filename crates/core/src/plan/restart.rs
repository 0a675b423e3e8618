//! Restarting every pod of a Rollout for `spec.restartAt` (upstream `RolloutPodRestarter`): pods
//! created before that time are evicted a few at a time, never taking more pods down than
//! `maxUnavailable` (at least one) allows, until all of them are newer; then `status.restartedAt`
//! records that the restart is done.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::time::Duration;

use jiff::Timestamp;
use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, Time};
use rollouts_api::Rollout;
use rollouts_api::well_known::labels::POD_TEMPLATE_HASH;

use super::actions::Action;
use super::context::Ctx;
use super::replica_sets::hash_of;

/// How soon to look again while pods still wait for their restart (upstream `restartPodCheckTime`):
/// an eviction need not change any ReplicaSet's counts, so no watch event may wake the Rollout.
pub const RESTART_POD_CHECK: Duration = Duration::from_secs(30);

/// What the pod restarter looks at.
#[derive(Debug, Clone, Copy)]
pub struct RestartInput<'a> {
    /// The Rollout, with `spec.restartAt` and `status.restartedAt`.
    pub rollout: &'a Rollout,
    /// All ReplicaSets of the Rollout.
    pub replica_sets: &'a [&'a ReplicaSet],
    /// `rollouts-pod-template-hash` of the stable ReplicaSet, if any.
    pub stable_hash: Option<&'a str>,
    /// `rollouts-pod-template-hash` of the new ReplicaSet, if it exists.
    pub new_hash: Option<&'a str>,
    /// Pods of the Rollout's namespace; those not matching the Rollout's selector or not owned by one
    /// of `replica_sets` are ignored.
    pub pods: &'a [Pod],
    /// The time of this reconcile.
    pub now: Timestamp,
}

/// What to do about `spec.restartAt` in this reconcile.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RestartPlan {
    /// Pods to evict (policy/v1 Eviction), in order. A refused eviction (HTTP 429, a
    /// PodDisruptionBudget) is skipped; then see [`RestartPlan::eviction_refused`].
    pub evict: Vec<String>,
    /// `Some(spec.restartAt)` when no pod is left to restart once `evict` is done: set
    /// `status.restartedAt` to it.
    pub restarted_at: Option<Time>,
    /// When to reconcile again: at a future `restartAt`, or [`RESTART_POD_CHECK`] while pods remain.
    pub requeue_after: Option<Duration>,
}

impl RestartPlan {
    /// Adjusts the plan after one of its evictions was refused: that pod still needs a restart, so
    /// the restart is not done and the Rollout is looked at again after [`RESTART_POD_CHECK`].
    pub fn eviction_refused(&mut self) {
        self.restarted_at = None;
        self.requeue_after = Some(RESTART_POD_CHECK);
    }
}

/// Whether a restart is due: `spec.restartAt` is set, not in the future, and not yet recorded as done
/// in `status.restartedAt` (upstream `NeedsRestart`; upstream starts only strictly after `restartAt`,
/// here at `restartAt` already, so the requeue for that very time finds work to do).
pub fn needs_restart(rollout: &Rollout, now: Timestamp) -> bool {
    let Some(restart_at) = rollout.spec.restart_at.as_ref() else {
        return false;
    };
    let done = rollout.status.as_ref().and_then(|s| s.restarted_at.as_ref()) == Some(restart_at);
    !done && restart_at.0 <= now
}

/// Plans the pod restart of one reconcile (upstream `RolloutPodRestarter.Reconcile`).
///
/// Pods are taken stable ReplicaSet first, then the new one, then the others oldest first (upstream's
/// `SortReplicaSetsByPriority`, which upstream computes but then walks the pods in list order), each
/// ReplicaSet's pods by name. A pod created at or after `restartAt`
/// is current. At most `available − (max(replicas, Σ ReplicaSet replicas) − max(maxUnavailable, 1))`
/// pods are evicted, where `available` counts pods ready for longer than `minReadySeconds` and not
/// being deleted; pods already being deleted are not evicted again but still count as waiting.
pub fn plan_restart(input: &RestartInput<'_>) -> RestartPlan {
    let rollout = input.rollout;
    let Some(restart_at) = rollout.spec.restart_at.as_ref() else {
        return RestartPlan::default();
    };
    if restart_at.0 > input.now {
        return RestartPlan {
            requeue_after: Some(restart_at.0.duration_since(input.now).unsigned_abs()),
            ..RestartPlan::default()
        };
    }
    if !needs_restart(rollout, input.now) {
        return RestartPlan::default();
    }
    let pods = rollout_pods(input);
    let spec = &rollout.spec;
    let total_replicas: i64 = input.replica_sets.iter().map(|rs| i64::from(spec_replicas(rs))).sum();
    let min_ready = spec.min_ready_seconds_or_default();
    let available = pods
        .iter()
        .filter(|pod| is_available(pod, min_ready, input.now))
        .count();
    let concurrent = spec.max_unavailable_pods().max(1);
    let min_available = i64::from(spec.replicas_or_default()).max(total_replicas) - i64::from(concurrent);
    let mut can_restart = i64::try_from(available).unwrap_or(i64::MAX) - min_available;

    let mut evict = Vec::new();
    let mut waiting = 0usize;
    for pod in pods {
        let created = pod.metadata.creation_timestamp.as_ref().map(|t| t.0);
        if created.is_some_and(|created| created >= restart_at.0) {
            continue;
        }
        waiting += 1;
        if can_restart <= 0 || pod.metadata.deletion_timestamp.is_some() {
            continue;
        }
        evict.extend(pod.metadata.name.clone());
        can_restart -= 1;
    }
    if waiting > evict.len() {
        RestartPlan {
            evict,
            restarted_at: None,
            requeue_after: Some(RESTART_POD_CHECK),
        }
    } else {
        RestartPlan {
            evict,
            restarted_at: Some(restart_at.clone()),
            requeue_after: None,
        }
    }
}

/// `spec.restartAt` in a reconcile: evicts pods older than it, within `maxUnavailable`; returns whether
/// it evicted any. The canary reconcile stops then, since the ReplicaSets' availability no longer
/// reflects those pods; the blue-green one goes on (upstream).
pub(super) fn restart_pods(ctx: &mut Ctx<'_>) -> bool {
    let Some(restart_at) = ctx.spec().restart_at.as_ref() else {
        return false;
    };
    if restart_at.0 > ctx.now {
        let wait = Duration::try_from(restart_at.0.duration_since(ctx.now)).unwrap_or(Duration::ZERO);
        ctx.plan.requeue(wait);
        return false;
    }
    let Some(pods) = ctx.snapshot.pods else { return false };
    if !needs_restart(ctx.rollout, ctx.now) {
        return false;
    }
    let replica_sets: Vec<&ReplicaSet> = ctx.all.iter().collect();
    let new_hash = ctx.new_rs().map(hash_of);
    let stable_hash = ctx.stable_rs().map(hash_of);
    let input = RestartInput {
        rollout: ctx.rollout,
        replica_sets: &replica_sets,
        stable_hash,
        new_hash,
        pods,
        now: ctx.now,
    };
    let restart = plan_restart(&input);
    if let Some(after) = restart.requeue_after {
        ctx.plan.requeue(after);
    }
    if restart.evict.is_empty() {
        if let Some(done) = restart.restarted_at {
            ctx.status.restarted_at = Some(done);
        }
        return false;
    }
    for name in restart.evict {
        ctx.plan.actions.push(Action::EvictPod { name });
    }
    true
}

/// The Rollout's pods in restart order: named, matching its selector, owned by one of its ReplicaSets.
fn rollout_pods<'a>(input: &RestartInput<'a>) -> Vec<&'a Pod> {
    let mut replica_sets: Vec<&ReplicaSet> = input.replica_sets.to_vec();
    replica_sets.sort_by(|a, b| by_priority(a, b, input.stable_hash, input.new_hash));
    let rank: BTreeMap<&str, usize> = replica_sets
        .iter()
        .enumerate()
        .filter_map(|(i, rs)| Some((rs.metadata.uid.as_deref().filter(|u| !u.is_empty())?, i)))
        .rev() // the first ReplicaSet with a uid wins
        .collect();
    let selector = input.rollout.spec.selector.as_ref();
    let mut pods: Vec<(usize, &Pod)> = input
        .pods
        .iter()
        .filter(|pod| pod.metadata.name.as_deref().is_some_and(|n| !n.is_empty()))
        .filter(|pod| selector.is_none_or(|s| selector_matches(s, pod.metadata.labels.as_ref())))
        .filter_map(|pod| {
            let owners = pod.metadata.owner_references.iter().flatten();
            owners
                .filter_map(|o| rank.get(o.uid.as_str()).copied())
                .min()
                .map(|r| (r, pod))
        })
        .collect();
    pods.sort_by(|(ra, a), (rb, b)| ra.cmp(rb).then_with(|| a.metadata.name.cmp(&b.metadata.name)));
    pods.into_iter().map(|(_, pod)| pod).collect()
}

/// Stable first, then new, then by creation time (oldest first), then by name.
fn by_priority(a: &ReplicaSet, b: &ReplicaSet, stable: Option<&str>, new: Option<&str>) -> Ordering {
    let class = |rs: &ReplicaSet| {
        let hash = rs
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get(POD_TEMPLATE_HASH))
            .map(String::as_str);
        match hash {
            Some(h) if Some(h) == stable => 0,
            Some(h) if Some(h) == new => 1,
            _ => 2,
        }
    };
    let created = |rs: &ReplicaSet| rs.metadata.creation_timestamp.as_ref().map(|t| t.0);
    class(a)
        .cmp(&class(b))
        .then_with(|| created(a).cmp(&created(b)))
        .then_with(|| a.metadata.name.cmp(&b.metadata.name))
}

/// `spec.replicas` of a ReplicaSet; the API server defaults it to 1.
fn spec_replicas(rs: &ReplicaSet) -> i32 {
    rs.spec.replicas.unwrap_or(1)
}

/// Kubernetes' `IsPodAvailable` (Ready, for longer than `minReadySeconds` when that is set), for a pod
/// not being deleted.
fn is_available(pod: &Pod, min_ready_seconds: i32, now: Timestamp) -> bool {
    if pod.metadata.deletion_timestamp.is_some() {
        return false;
    }
    let conditions = pod.status.as_ref().and_then(|s| s.conditions.as_ref());
    let Some(ready) = conditions.into_iter().flatten().find(|c| c.type_ == "Ready") else {
        return false;
    };
    if ready.status != "True" {
        return false;
    }
    if min_ready_seconds <= 0 {
        return true;
    }
    let min_ready = jiff::SignedDuration::from_secs(i64::from(min_ready_seconds));
    ready
        .last_transition_time
        .as_ref()
        .and_then(|t| t.0.checked_add(min_ready).ok())
        .is_some_and(|ready_for_long_enough| ready_for_long_enough < now)
}

/// Whether `labels` satisfy a label selector (`matchLabels` and every `matchExpressions` entry). An
/// unknown operator matches nothing, as Kubernetes refuses such a selector.
fn selector_matches(selector: &LabelSelector, labels: Option<&BTreeMap<String, String>>) -> bool {
    let value = |key: &str| labels.and_then(|l| l.get(key));
    let labels_match = selector.match_labels.iter().flatten().all(|(k, v)| value(k) == Some(v));
    labels_match
        && selector.match_expressions.iter().flatten().all(|req| {
            let values = req.values.as_deref().unwrap_or_default();
            let current = value(&req.key);
            match req.operator.as_str() {
                "In" => current.is_some_and(|v| values.contains(v)),
                "NotIn" => current.is_none_or(|v| !values.contains(v)),
                "Exists" => current.is_some(),
                "DoesNotExist" => current.is_none(),
                _ => false,
            }
        })
}

#[cfg(test)]
mod tests;
