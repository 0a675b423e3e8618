//! ReplicaSets other than the new and the stable one, for a canary with a traffic router (upstream
//! `scaleDownOldReplicaSetsForCanary` with `trafficRouting`). The router decides where requests go, so
//! such a ReplicaSet may still serve: it keeps its pods while anything still points at it, and the
//! previous stable keeps them for `scaleDownDelaySeconds` after a promotion, to let the routers and
//! Service selectors catch up before its pods go.

use super::super::context::Ctx;
use super::super::referenced::canary_replica_set_referenced;
use super::super::replica_sets::{hash_of, scale_down_deadline, spec_replicas};
use super::super::scale_down_delay::delayed_scale_down;
use super::replica_sets::{Draining, counted_available};
use super::traffic::{dynamic_stable_scale, fully_promoted};
use crate::canary::{cleanup_unhealthy, newest_revision_first_order};

/// Scales the other ReplicaSets down; returns whether a size changed.
///
/// 1. Unavailable pods go first, oldest ReplicaSet first, as without a router.
/// 2. Nothing more while available pods do not exceed `replicas − maxUnavailable`; that margin only
///    gates each further scale-down, which takes the ReplicaSet all the way to its size below.
/// 3. Newest revision first, skipping those still referenced (status, canary and stable Services,
///    DestinationRule subsets): after a promotion (or once a ReplicaSet carries a deadline) it goes to
///    0 at once with `dynamicStableScale`, else it waits out its `scale-down-deadline` at its current
///    size; in the middle of an update, a ReplicaSet that is neither new nor stable is an abandoned
///    canary (V1 → V2, then V3) that no traffic reaches, and goes to 0 at once.
pub(super) fn scale_down_routed_old_replica_sets(ctx: &mut Ctx<'_>) -> bool {
    let draining = Draining::of(ctx);
    if draining.active.is_empty() {
        return false;
    }
    let active = &draining.active;
    let old = draining.views(ctx);

    let cleanup = cleanup_unhealthy(&old);
    let mut scaled = false;
    for s in &cleanup.scales {
        scaled |= ctx.scale(active[s.index], s.to, false);
    }
    if cleanup.halted {
        return scaled;
    }

    let available: i32 = ctx.all.iter().map(|rs| counted_available(rs).available_replicas).sum();
    let mut budget = available - (ctx.replicas() - ctx.spec().max_unavailable_pods());
    if budget <= 0 {
        return scaled;
    }
    let promoted = fully_promoted(ctx);
    let dynamic = dynamic_stable_scale(ctx);
    let (rollout, snapshot) = (ctx.rollout, ctx.snapshot);
    let mut annotated = 0;
    for index in newest_revision_first_order(&old) {
        let i = active[index];
        let hash = hash_of(&ctx.all[i]).to_string();
        if canary_replica_set_referenced(rollout, snapshot.services, snapshot.routing_objects, &hash) {
            continue;
        }
        if budget <= 0 {
            break;
        }
        let current = spec_replicas(&ctx.all[i]);
        if current == 0 {
            continue;
        }
        let desired = if (promoted || scale_down_deadline(&ctx.all[i]).is_some()) && !dynamic {
            delayed_scale_down(ctx, i, &mut annotated, current)
        } else {
            0
        };
        if desired == current {
            continue;
        }
        scaled |= ctx.scale(i, desired, false);
        budget -= current - desired;
    }
    scaled
}
