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

/// `metav1.FormatLabelSelector`: the requirements sorted by key (`k=v`, `k in (a,b)`, `k notin (a,b)`,
/// `k`, `!k`, values sorted), `<none>` for an empty selector and `<error>` for one Kubernetes would
/// refuse to turn into a selector (an unknown operator, In/NotIn without values, Exists/DoesNotExist
/// with some). Label syntax is not checked again here: the API server validated it.
pub fn format_label_selector(selector: Option<&LabelSelector>) -> String {
    let Some(selector) = selector else { return String::new() };
    let mut requirements: Vec<(&str, String)> = selector
        .match_labels
        .iter()
        .flatten()
        .map(|(k, v)| (k.as_str(), format!("{k}={v}")))
        .collect();
    for expr in selector.match_expressions.iter().flatten() {
        let mut values = expr.values.clone().unwrap_or_default();
        values.sort();
        let key = expr.key.as_str();
        let text = match (expr.operator.as_str(), values.is_empty()) {
            ("In", false) => format!("{key} in ({})", values.join(",")),
            ("NotIn", false) => format!("{key} notin ({})", values.join(",")),
            ("Exists", true) => key.to_string(),
            ("DoesNotExist", true) => format!("!{key}"),
            _ => return "<error>".to_string(),
        };
        requirements.push((key, text));
    }
    // Stable: requirements of one key keep their order, as Go's insertion sort keeps them.
    requirements.sort_by(|a, b| a.0.cmp(b.0));
    if requirements.is_empty() {
        return "<none>".to_string();
    }
    requirements
        .into_iter()
        .map(|(_, text)| text)
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde_json::json;

    use super::*;

    /// `metav1.FormatLabelSelector` as Kubernetes' `TestLabelSelectorAsSelector` / `String` cases
    /// render it: requirements sorted by key, set values sorted.
    #[test]
    fn label_selectors_format_as_kubernetes_does() {
        let cases = [
            (json!({}), "<none>"),
            (json!({"matchLabels": {"foo": "bar", "app": "web"}}), "app=web,foo=bar"),
            (
                json!({"matchLabels": {"foo": "bar"},
                       "matchExpressions": [{"key": "baz", "operator": "In", "values": ["qux", "norf"]}]}),
                "baz in (norf,qux),foo=bar",
            ),
            (
                json!({"matchExpressions": [
                    {"key": "zone", "operator": "NotIn", "values": ["b", "a"]},
                    {"key": "tier", "operator": "Exists"},
                    {"key": "legacy", "operator": "DoesNotExist"}]}),
                "!legacy,tier,zone notin (a,b)",
            ),
            (
                json!({"matchExpressions": [{"key": "a", "operator": "Nope", "values": ["x"]}]}),
                "<error>",
            ),
            (
                json!({"matchExpressions": [{"key": "a", "operator": "In", "values": []}]}),
                "<error>",
            ),
            (
                json!({"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x"]}]}),
                "<error>",
            ),
        ];
        for (selector, expected) in cases {
            let selector: LabelSelector = serde_json::from_value(selector.clone()).unwrap();
            assert_eq!(format_label_selector(Some(&selector)), expected, "{selector:?}");
        }
        assert_eq!(format_label_selector(None), "");
    }
}
