//! Properties of the ReplicaSets of a canary behind a router, over random sequences of user actions,
//! partial pod readiness, time passing, and outside references (weights recorded in the status, a
//! Service pointed at an old ReplicaSet): a ReplicaSet other than the new and the stable one never loses
//! an available pod while referenced; a previous ReplicaSet waiting out its `scale-down-deadline` keeps
//! its available pods until then, as
//! does an aborted canary waiting out its abort delay; planning is deterministic and the reconciles
//! come to rest.

use jiff::Timestamp;
use k8s_openapi::api::apps::v1::ReplicaSet;
use proptest::prelude::*;
use serde_json::json;

use super::canary_routed_golden::{CANARY, STABLE, routed_rollout};
use super::world::{World, service};
use crate::plan::Action;

#[derive(Debug, Clone)]
enum Op {
    Ready(u8),
    Settle,
    SetImage(u8),
    Promote,
    PromoteFull,
    Abort,
    Retry,
    Advance(u8),
    Scale(u8),
    /// `status.canary.weights` names this ReplicaSet (index modulo their number) as the canary.
    Weights(u8),
    /// The canary Service is pointed at this ReplicaSet.
    CanaryService(u8),
    Reconcile,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u8..3).prop_map(Op::Ready),
        Just(Op::Settle),
        (0u8..4).prop_map(Op::SetImage),
        Just(Op::Promote),
        Just(Op::PromoteFull),
        Just(Op::Abort),
        Just(Op::Retry),
        (1u8..40).prop_map(Op::Advance),
        (1u8..8).prop_map(Op::Scale),
        (0u8..4).prop_map(Op::Weights),
        (0u8..4).prop_map(Op::CanaryService),
        Just(Op::Reconcile),
        Just(Op::Reconcile),
        Just(Op::Reconcile),
    ]
}

/// The strategy settings varied between runs.
#[derive(Debug, Clone, Copy)]
struct Config {
    dynamic: bool,
    revision_limit: Option<u8>,
    abort_delay: Option<u8>,
}

fn config() -> impl Strategy<Value = Config> {
    (any::<bool>(), prop::option::of(0u8..3), prop::option::of(0u8..40)).prop_map(
        |(dynamic, revision_limit, abort_delay)| Config {
            dynamic,
            revision_limit,
            abort_delay,
        },
    )
}

fn hash(rs: &ReplicaSet) -> String {
    rs.metadata
        .labels
        .as_ref()
        .and_then(|l| l.get("rollouts-pod-template-hash"))
        .cloned()
        .unwrap_or_default()
}

fn spec(rs: &ReplicaSet) -> i32 {
    rs.spec.replicas.unwrap_or(1)
}

fn available(rs: &ReplicaSet) -> i32 {
    rs.status
        .as_ref()
        .and_then(|s| s.available_replicas)
        .unwrap_or(0)
        .min(spec(rs))
}

fn pending_deadline(rs: &ReplicaSet, now: Timestamp) -> bool {
    rs.metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get("scale-down-deadline"))
        .and_then(|d| d.parse::<Timestamp>().ok())
        .is_some_and(|d| d > now)
}

fn make_ready(w: &mut World, n: i32) {
    for rs in &mut w.replica_sets {
        let size = rs.spec.replicas.unwrap_or(1);
        let status = rs.status.get_or_insert_with(Default::default);
        status.replicas = size;
        let next = (status.available_replicas.unwrap_or(0).min(size) + n).min(size);
        status.available_replicas = Some(next);
        status.ready_replicas = Some(next);
    }
}

/// The hashes the Rollout references as observed: status hashes and the Services' selectors.
fn referenced(w: &World) -> Vec<String> {
    let status = w.rollout.status.clone().unwrap_or_default();
    let mut hashes: Vec<String> = [status.stable_rs.clone(), status.current_pod_hash.clone()]
        .into_iter()
        .flatten()
        .collect();
    if let Some(weights) = status.canary.as_ref().and_then(|c| c.weights.as_ref()) {
        hashes.extend(weights.canary.pod_template_hash.clone());
        hashes.extend(weights.stable.pod_template_hash.clone());
    }
    hashes.extend([CANARY, STABLE].map(|s| super::world::selector_of(w, s)));
    hashes.retain(|h| !h.is_empty());
    hashes
}

/// One reconcile, checking what it scales down.
fn checked_reconcile(w: &mut World, config: Config) {
    let plan = w.plan();
    assert_eq!(plan, w.plan(), "planning is not deterministic");
    let status = w.rollout.status.clone().unwrap_or_default();
    let template = w.rollout.spec.template.clone().unwrap_or_default();
    let new_hash = crate::hash::pod_template_hash(&template, status.collision_count);
    let references = referenced(w);
    let aborted = status.abort == Some(true)
        && status.promote_full != Some(true)
        && status.stable_rs.as_deref().is_some_and(|s| s != new_hash);
    let now = w.now;
    let before: Vec<ReplicaSet> = w.replica_sets.clone();
    for action in &plan.actions {
        w.apply(action);
        let Action::UpdateReplicaSet(updated) = action else {
            continue;
        };
        let Some(old) = before.iter().find(|rs| rs.metadata.name == updated.metadata.name) else {
            continue;
        };
        let (h, to) = (hash(old), spec(updated));
        if to >= available(old) {
            continue;
        }
        let name = old.metadata.name.clone().unwrap_or_default();
        let is_new = h == new_hash;
        // The stable follows the arithmetic (dynamicStableScale, a scaling event): only the others.
        let is_stable = status.stable_rs.as_deref() == Some(h.as_str());
        assert!(
            is_new || is_stable || !references.contains(&h),
            "{name} is referenced ({references:?}) but went {} -> {to} with {} available",
            spec(old),
            available(old)
        );
        let delayed_old = !is_new && !is_stable && !config.dynamic && config.revision_limit.is_none();
        assert!(
            !(delayed_old && pending_deadline(old, now)),
            "{name} went {} -> {to} before its deadline",
            spec(old)
        );
        assert!(
            !(is_new && aborted && pending_deadline(old, now)),
            "the aborted canary {name} went {} -> {to} before its deadline",
            spec(old)
        );
    }
}

fn run(config: Config, ops: &[Op]) {
    let mut canary = json!({"dynamicStableScale": config.dynamic});
    if let Some(limit) = config.revision_limit {
        canary["scaleDownDelayRevisionLimit"] = json!(limit);
    }
    if let Some(delay) = config.abort_delay {
        canary["abortScaleDownDelaySeconds"] = json!(delay);
    }
    let mut w = World::new(routed_rollout(canary));
    w.services = vec![service(CANARY, "routed"), service(STABLE, "routed")];
    for _ in 0..6 {
        checked_reconcile(&mut w, config);
        w.settle();
    }
    for op in ops {
        match op {
            Op::Ready(n) => make_ready(&mut w, i32::from(*n)),
            Op::Settle => w.settle(),
            Op::SetImage(i) => w.set_image(&format!("app:v{i}")),
            Op::Promote => w.patch_status(json!({"pauseConditions": null})),
            Op::PromoteFull => w.patch_status(json!({"promoteFull": true})),
            Op::Abort => w.patch_status(json!({"abort": true})),
            Op::Retry => w.patch_status(json!({"abort": false})),
            Op::Advance(s) => w.advance(i64::from(*s)),
            Op::Scale(r) => w.patch_spec(json!({"replicas": r})),
            Op::Weights(i) => {
                let target = hash(&w.replica_sets[usize::from(*i) % w.replica_sets.len()]);
                let stable = w.status().stable_rs.clone();
                w.patch_status(json!({"canary": {"weights": {
                    "canary": {"weight": 20, "podTemplateHash": target, "serviceName": CANARY},
                    "stable": {"weight": 80, "podTemplateHash": stable, "serviceName": STABLE}
                }}}));
            }
            Op::CanaryService(i) => {
                let target = hash(&w.replica_sets[usize::from(*i) % w.replica_sets.len()]);
                let svc = w
                    .services
                    .iter_mut()
                    .find(|s| s.metadata.name.as_deref() == Some(CANARY))
                    .unwrap();
                let selector = svc.spec.as_mut().unwrap().selector.as_mut().unwrap();
                selector.insert("rollouts-pod-template-hash".into(), target);
            }
            Op::Reconcile => checked_reconcile(&mut w, config),
        }
    }
    for _ in 0..12 {
        if w.plan().actions.is_empty() {
            return;
        }
        checked_reconcile(&mut w, config);
    }
    panic!("still writing after 12 reconciles: {:?}", w.plan());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn referenced_and_delayed_replica_sets_keep_their_available_pods(
        config in config(),
        ops in prop::collection::vec(op(), 1..60),
    ) {
        run(config, &ops);
    }
}
