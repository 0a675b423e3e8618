//! The Services of a running experiment step on an HTTPRoute (the plugin weights experiments on
//! HTTPRoutes only): each extra destination becomes a backend of the first rule that sends to the
//! stable or canary Service, and the stable Service gives up their weight in that rule.
//!
//! The plugin departs from the other routers here in ways that are plainly wrong, and this does not
//! follow it: the plugin leaves the canary's share out of the stable weight (canary 20, experiments 10
//! and 15, stable 75: 120 in all), never updates the weight of an experiment backend already present,
//! resets the canary to 0 when the experiment ends, and prefers the first port of the Service over
//! `http` when `http` is 8080. Here the rule always sums to `maxTrafficWeight`.

use std::collections::BTreeSet;

use rollouts_api::rollout_status::WeightDestination;
use serde_json::{Value, json};

use super::Context;
use super::managed::is_managed_rule;
use super::route::{backend_refs, backend_refs_mut, rules_mut, text};
use super::weights::set_weight;
use crate::traffic::{ObjectRef, Objects};

/// The port the plugin uses when the Service names none.
const DEFAULT_PORT: i64 = 8080;

/// Adds, reweights and removes the experiment backends of the route's first weighted rule.
pub fn apply_extra_destinations(
    route: &mut Value,
    ctx: &Context<'_>,
    objects: &Objects,
    canary_weight: i32,
    additional: &[WeightDestination],
) {
    let previous = previous_destinations(ctx);
    if additional.is_empty() && previous.is_empty() {
        return;
    }
    let current: BTreeSet<&str> = additional.iter().filter_map(|d| d.service_name.as_deref()).collect();
    let Some(rule) = rules_mut(route).into_iter().flatten().find(|rule| {
        !is_managed_rule(rule, &ctx.canary, &ctx.managed_names, None)
            && backend_refs(rule)
                .iter()
                .any(|b| text(b, "name") == ctx.stable || text(b, "name") == ctx.canary)
    }) else {
        return;
    };
    let Some(backends) = backend_refs_mut(rule) else {
        return;
    };
    // Only backends the router itself added for an earlier experiment go; any other is the user's.
    backends.retain(|b| {
        let name = text(b, "name");
        !previous.contains(name) || current.contains(name)
    });
    for destination in additional {
        let Some(name) = destination.service_name.as_deref().filter(|n| !n.is_empty()) else {
            continue;
        };
        if let Some(existing) = backends.iter_mut().find(|b| text(b, "name") == name) {
            set_weight(existing, destination.weight);
            continue;
        }
        // The plugin skips a destination whose Service it cannot read; so does this.
        let service = ObjectRef::new("v1", "Service", ctx.input.namespace(), name);
        if let Some(service) = objects.get(&service) {
            backends.push(json!({
                "name": name,
                "namespace": ctx.input.namespace(),
                "port": service_port(service),
                "weight": destination.weight,
            }));
        }
    }
    let extra: i32 = additional.iter().map(|d| d.weight).sum();
    let stable_weight = (ctx.max_weight - canary_weight - extra).max(0);
    for backend in backends.iter_mut().filter(|b| text(b, "name") == ctx.stable) {
        set_weight(backend, stable_weight);
    }
}

/// The experiment Services the router was last told about (`status.canary.weights.additional`).
fn previous_destinations(ctx: &Context<'_>) -> BTreeSet<String> {
    ctx.input
        .rollout
        .status
        .as_ref()
        .and_then(|s| s.canary.as_ref())
        .and_then(|c| c.weights.as_ref())
        .and_then(|w| w.additional.as_ref())
        .into_iter()
        .flatten()
        .filter_map(|d| d.service_name.clone())
        .collect()
}

/// The Service's port named `http`, else its first port, else 8080.
fn service_port(service: &Value) -> i64 {
    let ports = service
        .pointer("/spec/ports")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    let port = |p: &Value| p.get("port").and_then(Value::as_i64);
    ports
        .iter()
        .find(|p| text(p, "name") == "http")
        .and_then(port)
        .or_else(|| ports.first().and_then(port))
        .unwrap_or(DEFAULT_PORT)
}

/// The experiment Services the router may read: those of every weighted template of the Rollout's
/// experiment steps, named as the Experiment controller names them (`service.name`, or
/// `<experiment>-<template>`), while an experiment runs.
pub fn experiment_service_names(input: &crate::traffic::RouterInput<'_>) -> Vec<String> {
    let rollout = input.rollout;
    let Some(experiment) = rollout
        .status
        .as_ref()
        .and_then(|s| s.canary.as_ref())
        .and_then(|c| c.current_experiment.as_deref())
        .filter(|e| !e.is_empty())
    else {
        return Vec::new();
    };
    let steps = rollout
        .spec
        .strategy
        .as_ref()
        .and_then(|s| s.canary.as_ref())
        .and_then(|c| c.steps.as_ref());
    steps
        .into_iter()
        .flatten()
        .filter_map(|step| step.experiment.as_ref())
        .flat_map(|e| e.templates.iter())
        .filter(|t| t.weight.is_some())
        .map(|t| {
            t.service
                .as_ref()
                .and_then(|s| s.name.clone())
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| format!("{experiment}-{}", t.name))
        })
        .collect()
}
