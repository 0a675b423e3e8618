//! TCPRoutes and TLSRoutes, which carry no matches: every backend naming the canary Service gets the
//! canary weight and every backend naming the stable Service the rest, in every rule.

use serde_json::Value;

use super::Context;
use super::config::NamedRoute;
use super::labels::apply_in_progress_label;
use super::route::{RouteKind, backend_refs_mut, read, rules_mut, text};
use super::weights;
use crate::traffic::{Objects, RouterError};

/// Weights one TCPRoute or TLSRoute and writes it if anything changed; the plugin's "backendRef list
/// was not found" error when no rule names the canary or none names the stable Service.
pub fn set_weight(
    objects: &mut Objects,
    ctx: &Context<'_>,
    kind: RouteKind,
    route: &NamedRoute,
    canary_weight: i32,
) -> Result<(), RouterError> {
    let mut object = read(objects, kind, &ctx.config.namespace, &route.name)?;
    let stable_weight = ctx.max_weight - canary_weight;
    if set_named(&mut object, &ctx.canary, canary_weight) == 0
        || set_named(&mut object, &ctx.stable, stable_weight) == 0
    {
        return Err(kind.backend_not_found());
    }
    apply_in_progress_label(&mut object, canary_weight, ctx.config.in_progress_label.as_ref());
    objects.update(object);
    Ok(())
}

/// Weights every backend named `service`; how many there were.
fn set_named(route: &mut Value, service: &str, weight: i32) -> usize {
    let mut count = 0;
    for rule in rules_mut(route).into_iter().flatten() {
        for backend in backend_refs_mut(rule).into_iter().flatten() {
            if text(backend, "name") == service {
                weights::set_weight(backend, weight);
                count += 1;
            }
        }
    }
    count
}
