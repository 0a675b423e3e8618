//! The status fields both strategies compute alike (upstream `calculateBaseStatus`, `promoteStable`,
//! and the selector string of `metav1.FormatLabelSelector`); each strategy adds its own part.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use rollouts_api::well_known::{completion_status, reasons};

use super::actions::Event;
use super::context::Ctx;
use super::replica_sets::{self, counts};
use super::steps::step_count;

/// The values of `status.canary.stablePingPong`.
const PING: &str = "ping";
const PONG: &str = "pong";

/// Upstream `calculateBaseStatus`.
pub(super) fn calculate_base_status(ctx: &mut Ctx<'_>) {
    let mut conditions = ctx.old.conditions.clone().unwrap_or_default();
    crate::status::conditions::remove_condition(
        &mut conditions,
        rollouts_api::well_known::condition_types::INVALID_SPEC,
    );
    let current = ctx.current_pod_hash();
    let s = &mut ctx.status;
    s.replicas = Some(ctx.all.iter().map(|rs| counts(rs).status_replicas).sum());
    s.updated_replicas = Some(ctx.new.map_or(0, |i| counts(&ctx.all[i]).status_replicas));
    s.ready_replicas = Some(ctx.all.iter().map(replica_sets::ready_replicas).sum());
    s.collision_count = ctx.old.collision_count;
    s.conditions = Some(conditions);
    s.promote_full = (Some(current.as_str()) != ctx.old.stable_rs.as_deref() && ctx.old.promote_full.unwrap_or(false))
        .then_some(true);
    s.current_pod_hash = Some(current);
}

/// Upstream `promoteStable`.
pub(super) fn promote_stable(ctx: &mut Ctx<'_>, reason: &str) {
    ctx.pause.clear = true;
    ctx.pause.remove_abort = true;
    ctx.status.promote_full = None;
    let count = step_count(ctx.spec());
    ctx.status.current_step_index = (count > 0).then_some(count);
    let current = ctx.status.current_pod_hash.clone().unwrap_or_default();
    if ctx.status.stable_rs.as_deref() != Some(current.as_str()) {
        if let Some(d) = ctx.status.duration.as_mut()
            && d.completion_status.is_none()
        {
            let full = ctx.old.promote_full.unwrap_or(false);
            let status = if full {
                completion_status::FAST_PROMOTED
            } else {
                completion_status::PROMOTED
            };
            d.completion_status = Some(status.to_string());
        }
        flip_ping_pong(ctx);
        ctx.status.stable_rs = Some(current.clone());
        let revision = ctx.revision.unwrap_or(0);
        ctx.event(Event::normal(
            reasons::ROLLOUT_COMPLETED,
            format!("Rollout completed update to revision {revision} ({current}): {reason}"),
        ));
    }
    super::workload::scale_down_on_success(ctx);
}

/// With ping-pong Services, the one that was not stable becomes stable as the stable ReplicaSet
/// changes: `ping` on the first deploy (no value counts as `pong`), then alternately.
fn flip_ping_pong(ctx: &mut Ctx<'_>) {
    let ping_pong = ctx
        .spec()
        .strategy
        .as_ref()
        .and_then(|s| s.canary.as_ref())
        .is_some_and(|c| c.ping_pong.is_some());
    if !ping_pong {
        return;
    }
    let stable_is_ping = ctx.old.canary.as_ref().and_then(|c| c.stable_ping_pong.as_deref()) == Some(PING);
    let next = if stable_is_ping { PONG } else { PING };
    ctx.status.canary.get_or_insert_with(Default::default).stable_ping_pong = Some(next.to_string());
}

/// `metav1.FormatLabelSelector` for the selectors a Rollout can have.
pub fn format_label_selector(selector: Option<&LabelSelector>) -> String {
    let Some(selector) = selector else { return String::new() };
    let mut parts: Vec<String> = selector
        .match_labels
        .iter()
        .flatten()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    for expr in selector.match_expressions.iter().flatten() {
        let values = expr.values.clone().unwrap_or_default();
        parts.push(match expr.operator.as_str() {
            "In" => format!("{} in ({})", expr.key, values.join(",")),
            "NotIn" => format!("{} notin ({})", expr.key, values.join(",")),
            "Exists" => expr.key.clone(),
            "DoesNotExist" => format!("!{}", expr.key),
            other => format!("{} {other}", expr.key),
        });
    }
    if parts.is_empty() {
        "<none>".to_string()
    } else {
        parts.join(",")
    }
}
