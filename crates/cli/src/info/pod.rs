//! Pod rows: status as `kubectl get pods` shows it, readiness and restarts.

use super::owner::created;
use super::{ICON_BAD, ICON_NONE, ICON_OK, ICON_PROGRESSING, ICON_UNKNOWN, ICON_WARNING, PodInfo, age::age};
use jiff::Timestamp;
use k8s_openapi::api::core::v1::{ContainerStatus, Pod};

/// Pod reason set by the node controller when a node is lost.
const NODE_LOST: &str = "NodeLost";

/// The row of one pod.
pub(crate) fn pod_info(pod: &Pod, now: Timestamp) -> PodInfo {
    let spec = pod.spec.clone().unwrap_or_default();
    let status = pod.status.clone().unwrap_or_default();
    let sidecars: Vec<(String, bool)> = spec
        .init_containers
        .iter()
        .flatten()
        .map(|c| (c.name.clone(), c.restart_policy.as_deref() == Some("Always")))
        .collect();
    let is_sidecar = |name: &str| sidecars.iter().any(|(n, always)| n == name && *always);
    let init_count = sidecars.len();
    let total = spec.containers.len();

    let mut reason = status.phase.clone().unwrap_or_default();
    if let Some(r) = status.reason.as_deref().filter(|r| !r.is_empty()) {
        reason = r.to_string();
    }
    let mut restarts = 0;
    let mut initializing = false;
    for (i, c) in status.init_container_statuses.iter().flatten().enumerate() {
        restarts += c.restart_count;
        let state = c.state.clone().unwrap_or_default();
        if let Some(t) = &state.terminated {
            if t.exit_code == 0 {
                continue;
            }
            reason = match t.reason.as_deref().filter(|r| !r.is_empty()) {
                Some(r) => format!("Init:{r}"),
                None => match t.signal.filter(|s| *s != 0) {
                    Some(s) => format!("Init:Signal:{s}"),
                    None => format!("Init:ExitCode:{}", t.exit_code),
                },
            };
            initializing = true;
        } else if is_sidecar(&c.name) && c.started == Some(true) {
            if c.ready {
                continue;
            }
        } else if let Some(w) = state
            .waiting
            .as_ref()
            .and_then(|w| w.reason.as_deref())
            .filter(|r| !r.is_empty() && *r != "PodInitializing")
        {
            reason = format!("Init:{w}");
            initializing = true;
        } else {
            reason = format!("Init:{i}/{init_count}");
            initializing = true;
        }
        break;
    }

    let mut ready = 0;
    if !initializing {
        restarts = 0;
        let mut has_running = false;
        for c in status.container_statuses.iter().flatten().rev() {
            restarts += c.restart_count;
            if let Some(r) = container_reason(c) {
                reason = r;
            } else if c.ready && c.state.as_ref().is_some_and(|s| s.running.is_some()) {
                has_running = true;
                ready += 1;
            }
        }
        if reason == "Completed" && has_running {
            reason = "Running".into();
        }
    }
    if pod.metadata.deletion_timestamp.is_some() {
        reason = if status.reason.as_deref() == Some(NODE_LOST) {
            "Unknown".into()
        } else {
            "Terminating".into()
        };
    }

    PodInfo {
        name: pod.metadata.name.clone().unwrap_or_default(),
        age: age(created(&pod.metadata), now),
        icon: pod_icon(&reason),
        status: reason,
        ready: format!("{ready}/{total}"),
        restarts,
    }
}

/// The reason a (non-init) container contributes to the pod status, if any.
fn container_reason(c: &ContainerStatus) -> Option<String> {
    let state = c.state.as_ref()?;
    if let Some(r) = state
        .waiting
        .as_ref()
        .and_then(|w| w.reason.clone())
        .filter(|r| !r.is_empty())
    {
        return Some(r);
    }
    let t = state.terminated.as_ref()?;
    if let Some(r) = t.reason.clone().filter(|r| !r.is_empty()) {
        return Some(r);
    }
    Some(match t.signal.filter(|s| *s != 0) {
        Some(s) => format!("Signal:{s}"),
        None => format!("ExitCode:{}", t.exit_code),
    })
}

/// Icon of a pod status.
pub fn pod_icon(status: &str) -> &'static str {
    if status.starts_with("Init:") {
        return ICON_PROGRESSING;
    }
    if status.starts_with("Signal:") || status.starts_with("ExitCode:") {
        return ICON_BAD;
    }
    if status.ends_with("Error") || status.starts_with("Err") {
        return ICON_WARNING;
    }
    match status {
        "Pending" | "Terminating" | "ContainerCreating" => ICON_PROGRESSING,
        "Running" | "Completed" => ICON_OK,
        "Failed" | "InvalidImageName" | "CrashLoopBackOff" => ICON_BAD,
        "ImagePullBackOff" | "RegistryUnavailable" => ICON_WARNING,
        "Unknown" => ICON_UNKNOWN,
        _ => ICON_NONE,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn pod(json: serde_json::Value) -> Pod {
        serde_json::from_value(json).unwrap()
    }

    fn now() -> Timestamp {
        "2026-01-01T00:00:00Z".parse().unwrap()
    }

    #[test]
    fn waiting_init_container_shows_init_progress() {
        let p = pod(serde_json::json!({
            "metadata": {"name": "p", "creationTimestamp": "2025-12-31T23:59:15Z"},
            "spec": {"initContainers": [{"name": "i"}], "containers": [{"name": "c"}]},
            "status": {"phase": "Pending", "initContainerStatuses": [
                {"name": "i", "image": "x", "imageID": "", "ready": false, "restartCount": 2,
                 "state": {"waiting": {"reason": "PodInitializing"}}}
            ]}
        }));
        let info = pod_info(&p, now());
        assert_eq!(
            (info.status.as_str(), info.icon, info.ready.as_str()),
            ("Init:0/1", ICON_PROGRESSING, "0/1")
        );
        assert_eq!((info.restarts, info.age.as_str()), (2, "45s"));
    }

    #[test]
    fn crashing_container_and_terminating_pod() {
        let mut json = serde_json::json!({
            "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "c"}]},
            "status": {"phase": "Running", "containerStatuses": [
                {"name": "c", "image": "x", "imageID": "", "ready": false, "restartCount": 3,
                 "state": {"terminated": {"exitCode": 137, "signal": 9}}}
            ]}
        });
        let info = pod_info(&pod(json.clone()), now());
        assert_eq!(
            (info.status.as_str(), info.icon, info.restarts),
            ("Signal:9", ICON_BAD, 3)
        );
        json["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z".into();
        assert_eq!(pod_info(&pod(json), now()).status, "Terminating");
    }
}
