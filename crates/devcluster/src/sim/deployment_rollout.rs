//! How a Deployment moves its ReplicaSets: the RollingUpdate and Recreate strategies, proportional
//! scaling, and cleanup of old revisions, following Kubernetes' `rolling.go`, `recreate.go` and
//! `sync.go`. Each step changes the working copies in [`Work`]; the caller turns them into actions.

use std::cmp::Ordering;

use serde_json::{Value, json};

use super::deployment::{self, Ctx, DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION, Work};
use super::deployment_status as dstatus;
use super::meta;
use super::podutil;

/// Sets a ReplicaSet's size and its replicas annotations when either differs (Kubernetes'
/// `scaleReplicaSet`); true when the size changed.
fn scale_rs(w: &mut Work, ctx: &Ctx, i: usize, size: i64) -> bool {
    let Some(rs) = w.rss.get_mut(i) else { return false };
    let resized = rs.replicas() != size;
    let desired = ctx.replicas.to_string();
    let max = (ctx.replicas + ctx.max_surge_allowed()).to_string();
    let annotated = meta::annotation(&rs.obj, DESIRED_REPLICAS_ANNOTATION) == Some(desired.as_str())
        && meta::annotation(&rs.obj, MAX_REPLICAS_ANNOTATION) == Some(max.as_str());
    if resized || !annotated {
        meta::set_at(&mut rs.obj, &["spec", "replicas"], json!(size));
        rs.set_annotation(DESIRED_REPLICAS_ANNOTATION, &desired);
        rs.set_annotation(MAX_REPLICAS_ANNOTATION, &max);
        rs.dirty = true;
    }
    resized
}

/// Kubernetes' `scaleReplicaSetAndRecordEvent`: nothing when already that size.
fn scale_if_needed(w: &mut Work, ctx: &Ctx, i: usize, size: i64) -> bool {
    w.rss.get(i).is_some_and(|rs| rs.replicas() != size) && scale_rs(w, ctx, i, size)
}

fn total_replicas(w: &Work) -> i64 {
    w.rss.iter().map(super::deployment::WorkingRs::replicas).sum()
}

/// Kubernetes' `NewRSNewReplicas`: how big the new ReplicaSet may be now.
pub(crate) fn new_rs_new_replicas(w: &Work, ctx: &Ctx, new: usize) -> i64 {
    let current = w.rss.get(new).map_or(0, super::deployment::WorkingRs::replicas);
    if !ctx.rolling {
        return ctx.replicas;
    }
    let max_total = ctx.replicas + ctx.max_surge;
    let all = total_replicas(w);
    if all >= max_total {
        return current;
    }
    current + (max_total - all).min(ctx.replicas - current)
}

/// One RollingUpdate step: scale the new ReplicaSet up if the surge allows, otherwise scale old ones
/// down if availability allows; clean up old revisions once complete.
pub(crate) fn rolling(w: &mut Work, ctx: &Ctx) {
    let Some(new) = w.new else { return };
    let new_replicas = w.rss.get(new).map_or(0, super::deployment::WorkingRs::replicas);
    let scaled_up = match new_replicas.cmp(&ctx.replicas) {
        Ordering::Equal => false,
        Ordering::Greater => scale_if_needed(w, ctx, new, ctx.replicas),
        Ordering::Less => {
            let target = new_rs_new_replicas(w, ctx, new);
            scale_if_needed(w, ctx, new, target)
        }
    };
    if scaled_up || reconcile_old(w, ctx, new) {
        return;
    }
    if dstatus::complete(ctx, &ctx.old_status) {
        cleanup(w, ctx);
    }
}

/// Kubernetes' `reconcileOldReplicaSets`: scale old ReplicaSets down, unhealthy replicas first, keeping
/// at least `replicas - maxUnavailable` available.
fn reconcile_old(w: &mut Work, ctx: &Ctx, new: usize) -> bool {
    let old: Vec<usize> = w.old().filter(|i| w.rss[*i].replicas() > 0).collect();
    if old.is_empty() {
        return false;
    }
    let min_available = ctx.replicas - ctx.unavailable_allowed();
    let new_unavailable = w
        .rss
        .get(new)
        .map_or(0, |rs| rs.replicas() - rs.status("availableReplicas"));
    let max_scaled_down = total_replicas(w) - min_available - new_unavailable;
    if max_scaled_down <= 0 {
        return false;
    }
    // Old replicas that are not available first: they do not count towards availability anyway.
    let mut cleaned = 0;
    for &i in &old {
        if cleaned >= max_scaled_down {
            break;
        }
        let (replicas, available) = (w.rss[i].replicas(), w.rss[i].status("availableReplicas"));
        if replicas == 0 || replicas == available {
            continue;
        }
        let down = (max_scaled_down - cleaned).min(replicas - available);
        scale_if_needed(w, ctx, i, replicas - down);
        cleaned += down;
    }
    // Then available ones, as far as availability allows.
    let available: i64 = w
        .rss
        .iter()
        .filter(|rs| !rs.create)
        .map(|rs| rs.status("availableReplicas"))
        .sum();
    let mut scaled = 0;
    if available > min_available {
        let allowed = available - min_available;
        for &i in &old {
            if scaled >= allowed {
                break;
            }
            let replicas = w.rss[i].replicas();
            if replicas == 0 {
                continue;
            }
            let down = replicas.min(allowed - scaled);
            scale_if_needed(w, ctx, i, replicas - down);
            scaled += down;
        }
    }
    cleaned + scaled > 0
}

/// One Recreate step: old ReplicaSets to zero, wait until their pods are gone, then create or scale up
/// the new one.
pub(crate) fn recreate(w: &mut Work, ctx: &Ctx, pods: &[Value]) {
    let old: Vec<usize> = w.old().filter(|i| w.rss[*i].replicas() > 0).collect();
    let mut scaled_down = false;
    for i in old {
        scaled_down |= scale_if_needed(w, ctx, i, 0);
    }
    if scaled_down || old_pods_running(w, pods) {
        return;
    }
    if w.new.is_none() {
        deployment::sync_revision(w, ctx, true);
        if w.collided {
            return;
        }
    }
    if let Some(new) = w.new {
        scale_if_needed(w, ctx, new, ctx.replicas);
    }
    if dstatus::complete(ctx, &ctx.old_status) {
        cleanup(w, ctx);
    }
}

/// Kubernetes' `oldPodsRunning`: old ReplicaSets still report pods, or pods of theirs have not finished.
fn old_pods_running(w: &Work, pods: &[Value]) -> bool {
    if w.old().map(|i| w.rss[i].status("replicas")).sum::<i64>() > 0 {
        return true;
    }
    let old_uids: Vec<&str> = w.old().map(|i| meta::uid(&w.rss[i].obj)).collect();
    pods.iter()
        .filter(|p| old_uids.iter().any(|u| meta::is_controlled_by(p, u)))
        .any(|p| !podutil::is_terminal(p))
}

/// Kubernetes' `isScalingEvent`: an active ReplicaSet was last scaled for a different replica count.
pub(crate) fn is_scaling_event(w: &Work, ctx: &Ctx) -> bool {
    w.rss.iter().filter(|rs| rs.replicas() > 0).any(|rs| {
        meta::annotation(&rs.obj, DESIRED_REPLICAS_ANNOTATION)
            .and_then(|d| d.parse::<i64>().ok())
            .is_some_and(|d| d != ctx.replicas)
    })
}

/// Kubernetes' `scale`: resize for a changed replica count, proportionally across active ReplicaSets
/// when a rollout is in progress.
pub(crate) fn scale(w: &mut Work, ctx: &Ctx) {
    let active: Vec<usize> = (0..w.rss.len()).filter(|i| w.rss[*i].replicas() > 0).collect();
    if active.len() <= 1 {
        let target = active.first().copied().or(w.new).or_else(|| newest_old(w));
        if let Some(i) = target {
            scale_if_needed(w, ctx, i, ctx.replicas);
        }
        return;
    }
    let saturated = w.new.and_then(|i| w.rss.get(i)).is_some_and(|rs| {
        meta::annotation(&rs.obj, DESIRED_REPLICAS_ANNOTATION) == Some(ctx.replicas.to_string().as_str())
            && rs.replicas() == ctx.replicas
            && rs.status("availableReplicas") == ctx.replicas
    });
    if saturated {
        let old: Vec<usize> = w.old().filter(|i| w.rss[*i].replicas() > 0).collect();
        for i in old {
            scale_if_needed(w, ctx, i, 0);
        }
        return;
    }
    if !ctx.rolling {
        return;
    }
    let allowed = if ctx.replicas > 0 {
        ctx.replicas + ctx.max_surge
    } else {
        0
    };
    let to_add = allowed - active.iter().map(|i| w.rss[*i].replicas()).sum::<i64>();
    let mut order = active;
    let by_size = |a: &usize, b: &usize| w.rss[*b].replicas().cmp(&w.rss[*a].replicas());
    if to_add > 0 {
        order.sort_by(|a, b| by_size(a, b).then_with(|| b.cmp(a)));
    } else {
        order.sort_by(|a, b| by_size(a, b).then_with(|| a.cmp(b)));
    }
    let mut added = 0;
    let mut sizes: Vec<(usize, i64)> = Vec::new();
    for &i in &order {
        let size = w.rss[i].replicas();
        let proportion = if to_add != 0 {
            proportion(w, ctx, i, to_add, added)
        } else {
            0
        };
        added += proportion;
        sizes.push((i, size + proportion));
    }
    if let Some(first) = sizes.first_mut() {
        first.1 = (first.1 + to_add - added).max(0);
    }
    for (i, size) in sizes {
        scale_rs(w, ctx, i, size);
    }
}

fn newest_old(w: &Work) -> Option<usize> {
    w.old().last()
}

/// Kubernetes' `GetProportion`: this ReplicaSet's share of the replicas to add (or remove).
fn proportion(w: &Work, ctx: &Ctx, i: usize, to_add: i64, added: i64) -> i64 {
    let size = w.rss[i].replicas();
    if size == 0 || to_add == 0 || to_add == added {
        return 0;
    }
    let fraction = if ctx.replicas == 0 {
        -size
    } else {
        let max_now = ctx.replicas + ctx.max_surge;
        let before = meta::annotation(&w.rss[i].obj, MAX_REPLICAS_ANNOTATION)
            .and_then(|m| m.parse::<i64>().ok())
            .filter(|m| *m > 0)
            .unwrap_or_else(|| ctx.old_status.get("replicas").and_then(Value::as_i64).unwrap_or(0));
        if before == 0 {
            0
        } else {
            // Rounded half away from zero, as Go's math.Round.
            let exact = (size * max_now) as f64 / before as f64;
            exact.round() as i64 - size
        }
    };
    let allowed = to_add - added;
    if to_add > 0 {
        fraction.min(allowed)
    } else {
        fraction.max(allowed)
    }
}

/// Kubernetes' `cleanupDeployment`: delete the oldest revisions at zero beyond `revisionHistoryLimit`.
pub(crate) fn cleanup(w: &mut Work, ctx: &Ctx) {
    let limit = meta::i64_at(ctx.d, "/spec/revisionHistoryLimit").unwrap_or(10).max(0);
    let mut cleanable: Vec<usize> = w.old().filter(|i| !meta::is_deleting(&w.rss[*i].obj)).collect();
    let excess = i64::try_from(cleanable.len()).unwrap_or(0) - limit;
    if excess <= 0 {
        return;
    }
    cleanable.sort_by_key(|i| (w.rss[*i].revision(), meta::created(&w.rss[*i].obj)));
    for i in cleanable.into_iter().take(usize::try_from(excess).unwrap_or(0)) {
        let rs = &mut w.rss[i];
        let observed = rs
            .obj
            .pointer("/status/observedGeneration")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        if rs.status("replicas") != 0 || rs.replicas() != 0 || meta::generation(&rs.obj) > observed {
            continue;
        }
        rs.delete = true;
    }
}
