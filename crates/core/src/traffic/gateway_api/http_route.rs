//! HTTPRoutes: the weight split (with the experiment backends) and the defaults the API server fills
//! into the rules written for header routes.

use rollouts_api::rollout_status::WeightDestination;
use serde_json::{Value, json};

use super::Context;
use super::config::NamedRoute;
use super::experiment::apply_extra_destinations;
use super::labels::apply_in_progress_label;
use super::route::{RouteKind, read};
use super::weights::set_split_weights;
use crate::traffic::{Objects, RouterError};

/// Weights one HTTPRoute and writes it if anything changed.
pub fn set_weight(
    objects: &mut Objects,
    ctx: &Context<'_>,
    route: &NamedRoute,
    canary_weight: i32,
    additional: &[WeightDestination],
) -> Result<(), RouterError> {
    let mut object = read(objects, RouteKind::Http, &ctx.config.namespace, &route.name)?;
    set_split_weights(&mut object, RouteKind::Http, ctx, canary_weight)?;
    apply_extra_destinations(&mut object, ctx, objects, canary_weight, additional);
    apply_in_progress_label(&mut object, canary_weight, ctx.config.in_progress_label.as_ref());
    objects.update(object);
    Ok(())
}

/// Fills in the HTTPRouteRule defaults of the CRD's schema that concern matches: a rule without
/// matches matches every path, a match without a path matches every path, and header and query
/// matches are exact unless said otherwise.
pub fn default_matches(rule: &mut Value) {
    let Some(fields) = rule.as_object_mut() else {
        return;
    };
    let matches = fields
        .entry("matches")
        .or_insert_with(|| json!([{"path": {"type": "PathPrefix", "value": "/"}}]));
    for m in matches.as_array_mut().into_iter().flatten() {
        let Some(m) = m.as_object_mut() else {
            continue;
        };
        let path = m.entry("path").or_insert_with(|| json!({}));
        if let Some(path) = path.as_object_mut() {
            path.entry("type").or_insert_with(|| json!("PathPrefix"));
            path.entry("value").or_insert_with(|| json!("/"));
        }
        for list in ["headers", "queryParams"] {
            for entry in m.get_mut(list).and_then(Value::as_array_mut).into_iter().flatten() {
                if let Some(entry) = entry.as_object_mut() {
                    entry.entry("type").or_insert_with(|| json!("Exact"));
                }
            }
        }
    }
}
