//! Spec and referenced-resource validation before anything is planned (upstream
//! `getRolloutValidationErrors`): the first problem becomes the InvalidSpec message.

use rollouts_api::validation::{
    FieldError, invalid_spec_message, referenced_services, validate_rollout, validate_rollout_resolved,
    validate_rollout_services,
};

use super::context::Ctx;
use super::snapshot::WorkloadState;

/// The InvalidSpec message for the first problem of the Rollout, `None` when it is valid.
pub fn first_problem(ctx: &Ctx<'_>) -> Option<String> {
    let rollout = ctx.rollout;
    let name = ctx.name();
    let problems = match ctx.snapshot.workload {
        WorkloadState::Resolved { .. } => validate_rollout_resolved(rollout),
        _ => validate_rollout(rollout),
    };
    if let Some(first) = problems.first() {
        return Some(invalid_spec_message(name, first));
    }
    if let Some(unsupported) = super::unsupported::first_unsupported(rollout) {
        return Some(invalid_spec_message(name, &unsupported));
    }
    let services = ctx.snapshot.services;
    // Upstream looks Services up stable-first for a canary and active-first for blue-green.
    let mut references = referenced_services(rollout);
    references.sort_by_key(|(path, _)| match *path {
        "spec.strategy.canary.stableService" | "spec.strategy.blueGreen.activeService" => 0,
        "spec.strategy.canary.canaryService" | "spec.strategy.blueGreen.previewService" => 1,
        _ => 2,
    });
    for (path, service) in references {
        if !services
            .iter()
            .any(|s| s.metadata.name.as_deref() == Some(service.as_str()))
        {
            let error = FieldError::invalid(path, service.as_str(), format!("service \"{service}\" not found"));
            return Some(invalid_spec_message(name, &error));
        }
    }
    let values: Vec<serde_json::Value> = services
        .iter()
        .filter_map(|s| {
            let mut v = serde_json::to_value(s).ok()?;
            v["kind"] = serde_json::Value::String("Service".to_string());
            Some(v)
        })
        .collect();
    if let Some(e) = validate_rollout_services(rollout, &values).first() {
        return Some(invalid_spec_message(name, e));
    }
    if let Some(e) = super::analysis::templates::first_reference_problem(ctx) {
        return Some(invalid_spec_message(name, &e));
    }
    if let Some(e) = first_missing_routing_object(ctx) {
        return Some(invalid_spec_message(name, &e));
    }
    // As upstream, every referenced object is looked up before any is checked.
    let source = super::analysis::template_source(ctx);
    if let Some(e) = super::analysis::validate::first_template_problem(rollout, source) {
        return Some(invalid_spec_message(name, &e));
    }
    first_routing_problem(ctx).map(|e| invalid_spec_message(name, &e))
}

/// The first routing object a router names that does not exist; Ingresses come before
/// VirtualServices, as upstream looks them up.
fn first_missing_routing_object(ctx: &Ctx<'_>) -> Option<FieldError> {
    let objects = crate::traffic::Objects::new(ctx.snapshot.routing_objects);
    routers(ctx).iter().find_map(|r| r.missing_reference(&objects))
}

/// The first problem one of the Rollout's routers finds with the routing objects it names, in the
/// same router order.
fn first_routing_problem(ctx: &Ctx<'_>) -> Option<FieldError> {
    let objects = crate::traffic::Objects::new(ctx.snapshot.routing_objects);
    routers(ctx).iter().find_map(|r| r.validate(&objects))
}

fn routers<'c>(ctx: &'c Ctx<'_>) -> Vec<Box<dyn crate::traffic::Router + 'c>> {
    let input = crate::traffic::RouterInput {
        rollout: ctx.rollout,
        replica_sets: &ctx.all,
    };
    let mut routers = crate::traffic::routers_with(input, ctx.snapshot.routing_settings);
    // Stable: the other routers keep their driving order.
    routers.sort_by_key(|r| r.kind() != "Nginx");
    routers
}
