//! What must hold after every write and every step of a simulated run, whatever the faults.

use k8s_openapi::api::apps::v1::ReplicaSet;
use serde_json::Value;

use super::cluster::{Cluster, hash, revision, serving, size};
use super::scenario::Kind;
use crate::plan::Action;

fn int_field(value: &Value, default: i64) -> i64 {
    value.as_i64().unwrap_or(default)
}

fn replicas(cluster: &Cluster) -> i64 {
    i64::from(cluster.rollout.spec.replicas.unwrap_or(1))
}

fn canary_field(cluster: &Cluster, field: &str, default: i64) -> i64 {
    let value = serde_json::to_value(&cluster.rollout.spec.strategy).unwrap_or_default();
    int_field(&value["canary"][field], default)
}

fn total_size(cluster: &Cluster) -> i64 {
    cluster.replica_sets.iter().map(|rs| i64::from(size(rs))).sum()
}

fn selector_hash(cluster: &Cluster, service: &str) -> Option<String> {
    cluster
        .services
        .iter()
        .find(|s| s.metadata.name.as_deref() == Some(service))
        .and_then(|s| s.spec.as_ref())
        .and_then(|s| s.selector.as_ref())
        .and_then(|s| s.get(super::cluster::HASH))
        .cloned()
}

fn by_hash<'a>(cluster: &'a Cluster, wanted: &str) -> Option<&'a ReplicaSet> {
    cluster.replica_sets.iter().find(|rs| hash(rs) == wanted)
}

fn ever_available(cluster: &Cluster, rs: &ReplicaSet) -> bool {
    cluster
        .ever_available
        .iter()
        .any(|name| rs.metadata.name.as_deref() == Some(name))
}

/// Whether some ReplicaSet other than `except` serves pods now.
fn another_serves(cluster: &Cluster, except: &str) -> bool {
    cluster
        .replica_sets
        .iter()
        .any(|rs| hash(rs) != except && serving(rs) > 0)
}

/// Pods serving by the controller's view (`seen`, its cache when it planned): the availability it
/// saw, with the sizes the cluster has now.
fn serving_as_seen(seen: &Cluster, sizes: &Cluster) -> i64 {
    seen.replica_sets
        .iter()
        .map(|rs| {
            let size = sizes
                .replica_sets
                .iter()
                .find(|s| s.metadata.name == rs.metadata.name)
                .map_or(0, super::cluster::size);
            let available = rs.status.as_ref().and_then(|s| s.available_replicas).unwrap_or(0);
            i64::from(available.min(size))
        })
        .sum()
}

/// The violations a write of the controller makes, judged on the cluster before and after it and on
/// `seen`, the controller's cache when it planned: a controller cannot be blamed for a scale or a
/// crash its cache has not shown it yet (a late watch event), so the replica bounds are judged on
/// what it saw, with whichever `spec.replicas` is more lenient.
pub fn after_write(kind: Kind, seen: &Cluster, before: &Cluster, action: &Action, after: &Cluster) -> Vec<String> {
    let seen_replicas = replicas(seen);
    let mut found = state(after);
    // Revisions only go up.
    for rs in &after.replica_sets {
        if let Some(old) = before.replica_sets.iter().find(|o| o.metadata.name == rs.metadata.name)
            && revision(rs) < revision(old)
        {
            found.push(format!(
                "ReplicaSet {:?} went from revision {} to {}",
                rs.metadata.name,
                revision(old),
                revision(rs)
            ));
        }
    }
    if kind == Kind::Canary {
        // Without traffic routing, replicas are the traffic: the update stays within maxSurge and
        // maxUnavailable of spec.replicas.
        let cap = replicas(after).max(seen_replicas) + canary_field(after, "maxSurge", 1);
        if total_size(after) > total_size(before) && total_size(after) > cap {
            found.push(format!(
                "{} pods asked for, over spec.replicas + maxSurge = {cap}, by {}",
                total_size(after),
                super::describe(action)
            ));
        }
        let floor = replicas(after).min(seen_replicas) - canary_field(after, "maxUnavailable", 0);
        let serving_before = serving_as_seen(seen, before);
        let serving_after = serving_as_seen(seen, after);
        if serving_after < serving_before && serving_after < floor {
            found.push(format!(
                "{serving_after} pods serve after {} (were {serving_before}), under spec.replicas - maxUnavailable = {floor}",
                super::describe(action)
            ));
        }
    }
    // The Services carrying users' traffic only move to pods that have served.
    let live_service = match kind {
        Kind::Canary => None,
        Kind::CanarySmi => Some("sim-stable"),
        Kind::BlueGreen => Some("sim-active"),
    };
    if let (Some(service), Action::PatchService { name, .. }) = (live_service, action)
        && name == service
        && let Some(selected) = selector_hash(after, service)
        && let Some(rs) = by_hash(after, &selected)
        && !ever_available(after, rs)
        && another_serves(after, &selected)
    {
        found.push(format!(
            "Service {service} switched to {selected}, whose pods never were available, while other pods serve"
        ));
    }
    if kind == Kind::CanarySmi {
        found.extend(weights(after));
    }
    found
}

/// The weights the TrafficSplit and `status.canary.weights` give: a split of 100, none to a canary
/// whose pods never were available.
fn weights(cluster: &Cluster) -> Vec<String> {
    let mut found = Vec::new();
    // Weight through the canary Service to the stable ReplicaSet (where an abort sends it back) is
    // never wrong, even while the stable has no pod to serve it.
    let stable = cluster.rollout.status.as_ref().and_then(|s| s.stable_rs.clone());
    let canary_hash = selector_hash(cluster, "sim-canary").filter(|h| Some(h) != stable.as_ref());
    let never_served = |wanted: &str| by_hash(cluster, wanted).is_some_and(|rs| !ever_available(cluster, rs));
    for split in cluster.routing_objects.iter().filter(|o| o["kind"] == "TrafficSplit") {
        let backends = split["spec"]["backends"].as_array().cloned().unwrap_or_default();
        let weights: Vec<(String, i64)> = backends
            .iter()
            .map(|b| {
                let weight = b["weight"]
                    .as_i64()
                    .or_else(|| b["weight"].as_str().and_then(|w| w.parse().ok()))
                    .unwrap_or(-1);
                (b["service"].as_str().unwrap_or_default().to_string(), weight)
            })
            .collect();
        let sum: i64 = weights.iter().map(|(_, w)| w).sum();
        if sum != 100 || weights.iter().any(|(_, w)| !(0..=100).contains(w)) {
            found.push(format!("TrafficSplit weights {weights:?} are not a split of 100"));
        }
        let to_canary: i64 = weights.iter().filter(|(s, _)| s == "sim-canary").map(|(_, w)| w).sum();
        if to_canary > 0
            && let Some(selected) = &canary_hash
            && never_served(selected)
        {
            found.push(format!(
                "TrafficSplit sends {to_canary} to sim-canary, whose ReplicaSet {selected} never had an available pod"
            ));
        }
    }
    if let Some(weights) = cluster
        .rollout
        .status
        .as_ref()
        .and_then(|s| s.canary.as_ref())
        .and_then(|c| c.weights.as_ref())
        && weights.canary.weight > 0
        && let Some(canary) = &weights.canary.pod_template_hash
        && never_served(canary)
    {
        found.push(format!(
            "status.canary.weights gives {} to {canary}, which never had an available pod",
            weights.canary.weight
        ));
    }
    found
}

/// `status.canary.weights` tells where the canary's weight goes, through the canary Service, to the
/// pods it selects — once the Rollout is at rest: the planner makes one step of a change per
/// reconcile, so on the way the Service may move a reconcile before the weights follow.
fn weights_agree_with_the_canary_service(kind: Kind, cluster: &Cluster) -> Vec<String> {
    if kind != Kind::CanarySmi {
        return Vec::new();
    }
    let Some(weights) = cluster
        .rollout
        .status
        .as_ref()
        .and_then(|s| s.canary.as_ref())
        .and_then(|c| c.weights.as_ref())
        .filter(|w| w.canary.weight > 0)
    else {
        return Vec::new();
    };
    let canary = weights.canary.pod_template_hash.clone().unwrap_or_default();
    match selector_hash(cluster, "sim-canary") {
        Some(selected) if selected != canary => vec![format!(
            "status.canary.weights gives {} to {canary}, but the canary Service selects {selected}",
            weights.canary.weight
        )],
        _ => Vec::new(),
    }
}

/// What must hold of the cluster at any time.
pub fn state(cluster: &Cluster) -> Vec<String> {
    let mut found = Vec::new();
    let mut hashes: Vec<String> = cluster.replica_sets.iter().map(hash).collect();
    hashes.sort();
    if hashes.windows(2).any(|w| w[0] == w[1]) {
        found.push(format!("two ReplicaSets for one template hash: {hashes:?}"));
    }
    let mut revisions: Vec<i64> = cluster.replica_sets.iter().map(revision).filter(|r| *r > 0).collect();
    revisions.sort_unstable();
    if revisions.windows(2).any(|w| w[0] == w[1]) {
        found.push(format!("two ReplicaSets with one revision: {revisions:?}"));
    }
    found
}

/// What must hold once the faults stopped and the Rollout came to rest: the weights recorded are the
/// ones the canary Service carries out, and an aborted update is back on
/// the stable ReplicaSet at full size with no weight to the canary, and the canary's pods are gone
/// once the stable's serve.
pub fn at_rest(kind: Kind, cluster: &Cluster) -> Vec<String> {
    let mut found = state(cluster);
    found.extend(weights_agree_with_the_canary_service(kind, cluster));
    let Some(status) = cluster.rollout.status.as_ref() else {
        return found;
    };
    // `spec.paused` halts all scaling, an abort's included, as upstream: the user holds the Rollout.
    if status.abort != Some(true) || cluster.rollout.spec.paused == Some(true) {
        return found;
    }
    let Some(stable) = status.stable_rs.as_deref() else {
        return found;
    };
    let want = replicas(cluster);
    // The canary's pods go only once the stable's serve in their place (maxUnavailable holds), and
    // the stable grows only within maxSurge: stable pods that never become ready (a crashing stable)
    // hold both where they are, as upstream.
    let Some(stable_rs) = by_hash(cluster, stable) else {
        return found;
    };
    if serving(stable_rs) < size(stable_rs) {
        return found;
    }
    let stable_serves = i64::from(serving(stable_rs)) >= want;
    for rs in &cluster.replica_sets {
        if hash(rs) != stable && !stable_serves {
            continue;
        }
        let expected = if hash(rs) == stable { want } else { 0 };
        if i64::from(size(rs)) != expected {
            found.push(format!(
                "aborted and at rest, ReplicaSet {} (stable {stable}) has {} replicas, not {expected}",
                hash(rs),
                size(rs)
            ));
        }
    }
    if kind == Kind::CanarySmi {
        for split in cluster.routing_objects.iter().filter(|o| o["kind"] == "TrafficSplit") {
            let canary = split["spec"]["backends"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|b| b["service"] == "sim-canary")
                .map(|b| int_field(&b["weight"], 0))
                .sum::<i64>();
            if canary != 0 {
                found.push(format!(
                    "aborted and at rest, the TrafficSplit still sends {canary} to the canary"
                ));
            }
        }
    }
    found
}
