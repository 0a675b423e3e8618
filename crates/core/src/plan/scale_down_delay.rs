//! The `scale-down-deadline` annotation, shared by blue-green and traffic-routed canaries (upstream
//! `addScaleDownDelay`, `removeScaleDownDeadlines`, `scaleDownDelayHelper`, `shouldDelayScaleDownOnAbort`):
//! a ReplicaSet that stops serving keeps its pods until the deadline written on it, so that routers and
//! Service selectors have time to move traffic away before its pods go.

use std::time::Duration;

use jiff::Timestamp;
use rollouts_api::well_known::annotations::SCALE_DOWN_DEADLINE;

use super::actions::Action;
use super::context::Ctx;
use super::replica_sets::{counts, hash_of, scale_down_deadline, spec_replicas};

pub use crate::scale_down_deadline::parse as parse_deadline;

/// Writes `scale-down-deadline` = now + `seconds` on a ReplicaSet (a JSON patch, as upstream) and looks
/// at the Rollout again then.
pub fn add_deadline(ctx: &mut Ctx<'_>, index: usize, seconds: i32) {
    let value = crate::scale_down_deadline::value_after(ctx.now, seconds);
    let name = ctx.all[index].metadata.name.clone().unwrap_or_default();
    ctx.plan.actions.push(Action::PatchReplicaSet {
        name,
        patch: crate::scale_down_deadline::add_patch(&value),
    });
    ctx.all[index]
        .metadata
        .annotations
        .get_or_insert_with(Default::default)
        .insert(SCALE_DOWN_DEADLINE.to_string(), value);
    ctx.plan
        .requeue(Duration::from_secs(u64::try_from(seconds).unwrap_or(0)));
}

/// Looks at the Rollout again when `deadline` passes.
pub fn requeue_at(ctx: &mut Ctx<'_>, deadline: Timestamp) {
    let wait = Duration::try_from(deadline.duration_since(ctx.now)).unwrap_or(Duration::ZERO);
    ctx.plan.requeue(wait);
}

/// New and stable ReplicaSets never keep a `scale-down-deadline` (upstream `removeScaleDownDeadlines`),
/// as after going back to a revision that was waiting to be scaled down; `keep_new` spares the new one
/// while it waits out an abort (or, for blue-green, a rollback delay).
pub fn remove_scale_down_deadlines(ctx: &mut Ctx<'_>, keep_new: bool) {
    let mut targets = Vec::new();
    targets.extend(ctx.new.filter(|_| !keep_new));
    if let Some(s) = ctx.stable.filter(|s| Some(*s) != ctx.new) {
        targets.push(s);
    }
    for i in targets {
        if scale_down_deadline(&ctx.all[i]).is_none() {
            continue;
        }
        let name = ctx.all[i].metadata.name.clone().unwrap_or_default();
        ctx.plan.actions.push(Action::PatchReplicaSet {
            name,
            patch: crate::scale_down_deadline::remove_patch(),
        });
        if let Some(ann) = ctx.all[i].metadata.annotations.as_mut() {
            ann.remove(SCALE_DOWN_DEADLINE);
        }
    }
}

/// Upstream `shouldDelayScaleDownOnAbort`: aborted, with a stable ReplicaSet, and the new ReplicaSet is
/// to outlive the abort by `abortScaleDownDelaySeconds`. Never for a canary without a router (its pods
/// would take traffic through the Services), nor when the delay is 0 (the user leaves the canary up),
/// nor with `dynamicStableScale` unless a delay is set explicitly (the canary then drains as the stable
/// grows back).
pub fn should_delay_scale_down_on_abort(ctx: &Ctx<'_>) -> bool {
    if !ctx.pause.is_aborted() || ctx.stable.is_none() {
        return false;
    }
    let canary = ctx.spec().strategy.as_ref().and_then(|s| s.canary.as_ref());
    if canary.is_some_and(|c| c.traffic_routing.is_none()) {
        return false;
    }
    let delay = ctx.spec().abort_scale_down_delay();
    if delay.seconds.is_none() {
        return false;
    }
    let dynamic = canary.is_some_and(|c| c.dynamic_stable_scale.unwrap_or(false));
    !dynamic || delay.is_explicit_delay()
}

/// What the aborted new ReplicaSet does while the abort delay applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AbortDelay {
    /// It keeps its size in this reconcile (the deadline is ahead, or was only just written, or waits
    /// for the stable ReplicaSet to be able to serve everything).
    Held,
    /// Its deadline has passed: it goes to 0.
    Due,
    /// Its deadline cannot be read.
    Unreadable,
}

/// Upstream `reconcileNewReplicaSet` under [`should_delay_scale_down_on_abort`]: the new ReplicaSet keeps
/// its size (its `desired-replicas` annotation still follows `spec.replicas`, or every later reconcile
/// would be taken for a scaling event); its deadline is written only once the stable ReplicaSet has all
/// the Rollout's pods available, since reaching it scales the canary away whatever the stable can serve.
pub fn hold_new_during_abort_delay(ctx: &mut Ctx<'_>, new: usize) -> AbortDelay {
    let current = spec_replicas(&ctx.all[new]);
    match scale_down_deadline(&ctx.all[new]).map(parse_deadline) {
        Some(Some(deadline)) if deadline > ctx.now => {
            requeue_at(ctx, deadline);
            ctx.scale(new, current, true);
            AbortDelay::Held
        }
        // Past the deadline while the routers still send it traffic (the weight goes to 0 in the
        // traffic reconcile, which a scaling event skips): held until they no longer do.
        Some(Some(_)) if weight_on(ctx, new) > 0 => {
            ctx.scale(new, current, true);
            AbortDelay::Held
        }
        Some(Some(_)) => AbortDelay::Due,
        Some(None) => AbortDelay::Unreadable,
        None => {
            ctx.scale(new, current, true);
            let stable_available = ctx.stable_rs().map_or(0, |s| counts(s).available_replicas);
            if stable_available >= ctx.replicas()
                && let Some(seconds) = ctx.spec().abort_scale_down_delay().seconds
            {
                add_deadline(ctx, new, seconds);
            }
            AbortDelay::Held
        }
    }
}

/// The weight the routers were last given that reaches the ReplicaSet at `index`.
fn weight_on(ctx: &Ctx<'_>, index: usize) -> i32 {
    let hash = hash_of(&ctx.all[index]);
    ctx.status
        .canary
        .as_ref()
        .and_then(|c| c.weights.as_ref())
        .map_or(0, |w| super::canary::routed_weight(ctx, w, hash))
}

/// Upstream `GetScaleDownRevisionLimit`: how many old ReplicaSets may wait out a deadline at once.
fn scale_down_revision_limit(ctx: &Ctx<'_>) -> i32 {
    let strategy = ctx.spec().strategy.as_ref();
    strategy
        .and_then(|s| s.blue_green.as_ref())
        .and_then(|b| b.scale_down_delay_revision_limit)
        .or_else(|| {
            strategy
                .and_then(|s| s.canary.as_ref())
                .and_then(|c| c.scale_down_delay_revision_limit)
        })
        .unwrap_or(i32::MAX)
}

/// Upstream `scaleDownDelayHelper`: the size of an old ReplicaSet still holding pods, newest first
/// (`annotated` counts the ones seen so far that carry or just got a deadline). Without a deadline it
/// gets one and keeps its size, within `scaleDownDelayRevisionLimit`; with a deadline ahead it is held at
/// `hold` until then; past the limit, past its deadline or with an unreadable one it goes to 0.
///
/// A `scaleDownDelaySeconds` of 0 scales down at once: upstream writes no deadline then and so keeps
/// the ReplicaSet up for good (upstream #1992).
pub fn delayed_scale_down(ctx: &mut Ctx<'_>, index: usize, annotated: &mut i32, hold: i32) -> i32 {
    let limit = scale_down_revision_limit(ctx);
    let delay = ctx.spec().scale_down_delay_seconds_or_default();
    let current = spec_replicas(&ctx.all[index]);
    match scale_down_deadline(&ctx.all[index]).map(parse_deadline) {
        None if delay > 0 && *annotated < limit => {
            *annotated += 1;
            add_deadline(ctx, index, delay);
            current
        }
        None => 0,
        Some(deadline) => {
            *annotated += 1;
            match deadline {
                Some(d) if *annotated <= limit && d > ctx.now => {
                    requeue_at(ctx, d);
                    hold
                }
                _ => 0,
            }
        }
    }
}
