//! Header routes: for a `setHeaderRoute` step, a separate ApisixRoute named after the managed route,
//! copied from the Rollout's ApisixRoute and owned by the Rollout, whose weighted rules send requests
//! matching the headers to the canary backend only, one priority above the original rules. A step
//! without `match`, and the end of the update (`managedRoutes`), delete it.

use rollouts_api::steps::{HeaderRoutingMatch, SetHeaderRoute};
use serde_json::Value;

use super::{Apisix, rules};
use crate::plan::replica_sets::controller_ref;
use crate::traffic::{Objects, RouterError, controlled_by};

/// Metadata the API server assigns, dropped from the copy so that it can be created.
const SERVER_ASSIGNED: [&str; 4] = ["resourceVersion", "generation", "uid", "creationTimestamp"];

/// Upstream's `SetHeaderRoute`.
pub(super) fn set(router: &Apisix<'_>, objects: &mut Objects, step: &SetHeaderRoute) -> Result<(), RouterError> {
    let base = router.read(objects, router.route_name())?;
    let name = step.name.as_deref().unwrap_or_default();
    let target = router.route_ref(name);
    let existing = objects.get(&target).cloned();
    if let Some(existing) = &existing
        && !controlled_by(existing, router.input.rollout)
    {
        return Err(RouterError::new(format!(
            "duplicate ApisixRoute [{name}] already exists"
        )));
    }
    let Some(matches) = step.r#match.as_deref() else {
        // No match: the route goes, if it is there.
        if existing.is_some() {
            objects.delete(&target);
        }
        return Ok(());
    };
    match existing {
        Some(mut route) => {
            route_to_canary(router, &mut route, matches, false)?;
            objects.update(route);
        }
        None => {
            let mut route = copy_for(router, base, name)?;
            route_to_canary(router, &mut route, matches, true)?;
            objects.create(route);
        }
    }
    Ok(())
}

/// Upstream's `RemoveManagedRoutes`: every managed route's ApisixRoute that the Rollout controls.
pub(super) fn remove_managed(router: &Apisix<'_>, objects: &mut Objects) {
    for name in router.managed_route_names() {
        let target = router.route_ref(name);
        if objects
            .get(&target)
            .is_some_and(|route| controlled_by(route, router.input.rollout))
        {
            objects.delete(&target);
        }
    }
}

/// The Rollout's ApisixRoute as a new object named `name`, owned by the Rollout.
fn copy_for(router: &Apisix<'_>, mut route: Value, name: &str) -> Result<Value, RouterError> {
    let owner = serde_json::to_value(controller_ref(router.input.rollout))
        .map_err(|e| RouterError::new(format!("ApisixRoute `{name}`: {e}")))?;
    let Some(Value::Object(metadata)) = route.get_mut("metadata") else {
        return Err(RouterError::new(format!(
            "ApisixRoute `{}` has no metadata",
            router.route_name()
        )));
    };
    for field in SERVER_ASSIGNED {
        metadata.remove(field);
    }
    metadata.insert("name".into(), Value::from(name));
    metadata.insert("ownerReferences".into(), Value::Array(vec![owner]));
    Ok(route)
}

/// Every weighted rule of the header route: the canary backend at 100, the stable one removed, the
/// header conditions as `match.exprs`, and (for a new route) a priority one above the original.
fn route_to_canary(
    router: &Apisix<'_>,
    route: &mut Value,
    matches: &[HeaderRoutingMatch],
    new: bool,
) -> Result<(), RouterError> {
    let (stable, canary) = router.services();
    let rules = rules::http_rules(route)?;
    for name in router.rule_names() {
        let rule = rules::rule_named(rules, name)?;
        rules::set_backend_weight(rule, canary, 100)?;
        rules::remove_backend(rule, stable)?;
        if new {
            rules::raise_priority(rule)?;
        }
        rules::set_header_exprs(rule, matches)?;
    }
    Ok(())
}
