//! GRPCRoutes: the weight split, and the defaults the API server fills into the rules written for
//! header routes. The plugin sends no experiment traffic through a GRPCRoute.

use serde_json::{Value, json};

use super::Context;
use super::config::NamedRoute;
use super::labels::apply_in_progress_label;
use super::route::{RouteKind, read};
use super::weights::set_split_weights;
use crate::traffic::{Objects, RouterError};

/// Weights one GRPCRoute and writes it if anything changed.
pub fn set_weight(
    objects: &mut Objects,
    ctx: &Context<'_>,
    route: &NamedRoute,
    canary_weight: i32,
) -> Result<(), RouterError> {
    let mut object = read(objects, RouteKind::Grpc, &ctx.config.namespace, &route.name)?;
    set_split_weights(&mut object, RouteKind::Grpc, ctx, canary_weight)?;
    apply_in_progress_label(&mut object, canary_weight, ctx.config.in_progress_label.as_ref());
    objects.update(object);
    Ok(())
}

/// Fills in the GRPCRouteRule defaults of the CRD's schema that concern matches: method and header
/// matches are exact unless said otherwise.
pub fn default_matches(rule: &mut Value) {
    for m in rule
        .get_mut("matches")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        if let Some(method) = m.get_mut("method").and_then(Value::as_object_mut) {
            method.entry("type").or_insert_with(|| json!("Exact"));
        }
        for header in m.get_mut("headers").and_then(Value::as_array_mut).into_iter().flatten() {
            if let Some(header) = header.as_object_mut() {
                header.entry("type").or_insert_with(|| json!("Exact"));
            }
        }
    }
}
