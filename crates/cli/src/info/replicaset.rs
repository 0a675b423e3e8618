//! ReplicaSet rows: health, role tags (stable/canary/active/preview/ping/pong) and pods.

use super::owner::{annotation, created, owned_by, revision};
use super::pod::pod_info;
use super::{
    ICON_BAD, ICON_NEUTRAL, ICON_NONE, ICON_OK, ICON_PROGRESSING, ReplicaSetInfo, age::age, age::human_duration,
};
use jiff::Timestamp;
use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::Pod;
use rollouts_api::Rollout;
use rollouts_api::well_known::{annotations, labels};

/// Rows of the ReplicaSets owned by `owner_uid` (with their pods), newest revision first, then by
/// name. With a Rollout, each is tagged with its role in the rollout.
pub(crate) fn replica_set_infos(
    owner_uid: &str,
    ro: Option<&Rollout>,
    replica_sets: &[ReplicaSet],
    pods: &[Pod],
    now: Timestamp,
) -> Vec<ReplicaSetInfo> {
    let owner = [owner_uid.to_string()];
    let mut infos: Vec<ReplicaSetInfo> = replica_sets
        .iter()
        .filter(|rs| owned_by(&rs.metadata, &owner).is_some())
        .map(|rs| replica_set_info(rs, ro, now))
        .collect();
    infos.sort_by(|a, b| b.revision.cmp(&a.revision).then_with(|| a.name.cmp(&b.name)));

    let uids: Vec<String> = infos.iter().map(|i| i.uid.clone()).collect();
    let mut owned_pods: Vec<(usize, Option<Timestamp>, super::PodInfo)> = Vec::new();
    for pod in pods {
        if let Some(uid) = owned_by(&pod.metadata, &uids)
            && let Some(idx) = infos.iter().position(|i| i.uid == uid)
        {
            owned_pods.push((idx, created(&pod.metadata), pod_info(pod, now)));
        }
    }
    owned_pods.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.2.name.cmp(&b.2.name)));
    for (idx, _, pod) in owned_pods {
        if let Some(info) = infos.get_mut(idx) {
            info.pods.push(pod);
        }
    }
    infos
}

fn replica_set_info(rs: &ReplicaSet, ro: Option<&Rollout>, now: Timestamp) -> ReplicaSetInfo {
    let status = rs.status.clone().unwrap_or_default();
    let health = replica_set_health(rs);
    let mut info = ReplicaSetInfo {
        name: rs.metadata.name.clone().unwrap_or_default(),
        uid: rs.metadata.uid.clone().unwrap_or_default(),
        age: age(created(&rs.metadata), now),
        icon: replica_set_icon(health),
        status: health.to_string(),
        revision: revision(&rs.metadata),
        replicas: status.replicas,
        available: status.available_replicas.unwrap_or(0),
        template: annotation(&rs.metadata, annotations::EXPERIMENT_TEMPLATE_NAME)
            .unwrap_or("")
            .to_string(),
        scale_down_delay: annotation(&rs.metadata, annotations::SCALE_DOWN_DEADLINE)
            .map(|d| scale_down_delay(d, now))
            .unwrap_or_default(),
        images: rs
            .spec
            .template
            .as_ref()
            .and_then(|t| t.spec.as_ref())
            .map(|s| {
                s.containers
                    .iter()
                    .map(|c| c.image.clone().unwrap_or_default())
                    .collect()
            })
            .unwrap_or_default(),
        ..ReplicaSetInfo::default()
    };
    if let Some(ro) = ro {
        tag_role(&mut info, rs, ro);
    }
    info
}

fn tag_role(info: &mut ReplicaSetInfo, rs: &ReplicaSet, ro: &Rollout) {
    let hash = rs
        .metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(labels::POD_TEMPLATE_HASH))
        .cloned()
        .unwrap_or_default();
    let status = ro.status.clone().unwrap_or_default();
    let stable_rs = status.stable_rs.clone().unwrap_or_default();
    let strategy = ro.spec.strategy.clone().unwrap_or_default();
    if let Some(canary) = &strategy.canary {
        let ping_pong = canary.ping_pong.is_some();
        let stable_is_ping = status
            .canary
            .as_ref()
            .and_then(|c| c.stable_ping_pong.as_deref())
            .is_some_and(|p| p == "ping");
        if stable_rs == hash {
            info.stable = true;
            if ping_pong {
                info.ping = stable_is_ping;
                info.pong = !stable_is_ping;
            }
        } else if status.current_pod_hash.as_deref().unwrap_or("") == hash {
            info.canary = true;
            if ping_pong {
                info.ping = !stable_is_ping;
                info.pong = stable_is_ping;
            }
        }
    }
    if strategy.blue_green.is_some() {
        let bg = status.blue_green.clone().unwrap_or_default();
        if stable_rs == hash {
            info.stable = true;
        }
        if bg.active_selector.as_deref().unwrap_or("") == hash {
            info.active = true;
        } else if bg.preview_selector.as_deref().unwrap_or("") == hash {
            info.preview = true;
        }
    }
}

/// `Progressing` until the controller observed the spec and enough pods are available,
/// `ReplicaFailure` when that condition is true, `ScaledDown` at zero replicas, else `Healthy`.
fn replica_set_health(rs: &ReplicaSet) -> &'static str {
    let status = rs.status.clone().unwrap_or_default();
    let spec_replicas = rs.spec.replicas;
    if rs.metadata.generation.unwrap_or(0) > status.observed_generation.unwrap_or(0) {
        return "Progressing";
    }
    let failure = status
        .conditions
        .iter()
        .flatten()
        .find(|c| c.type_.as_deref() == Some("ReplicaFailure"));
    if failure.is_some_and(|c| c.status.as_deref() == Some("True")) {
        return "ReplicaFailure";
    }
    if spec_replicas.is_some_and(|r| status.available_replicas.unwrap_or(0) < r) {
        return "Progressing";
    }
    if spec_replicas == Some(0) {
        return "ScaledDown";
    }
    "Healthy"
}

fn replica_set_icon(status: &str) -> &'static str {
    match status {
        "Progressing" => ICON_PROGRESSING,
        "Healthy" => ICON_OK,
        "ReplicaFailure" => ICON_BAD,
        "ScaledDown" => ICON_NEUTRAL,
        _ => ICON_NONE,
    }
}

/// `passed` once the deadline is behind `now`, the time left otherwise, empty when unparsable.
fn scale_down_delay(deadline: &str, now: Timestamp) -> String {
    match deadline.parse::<Timestamp>() {
        Ok(d) if d < now => "passed".to_string(),
        Ok(d) => human_duration(d.duration_since(now)),
        Err(_) => String::new(),
    }
}
