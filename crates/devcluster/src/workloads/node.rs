//! The runtime's view of the one node, kept from the event stream: the pods running on it (bound to
//! it and not terminated), the pods waiting to be scheduled (oldest first), and how many pod objects
//! there are. The simulated scheduler and the pod-creating controllers decide from these counts.

use std::collections::{BTreeSet, HashMap};

use serde_json::Value;

use crate::store::{EventType, Key, WatchEvent};

#[derive(Debug, Clone, PartialEq, Eq)]
enum PodState {
    Running,
    /// Waiting to be scheduled, since its creation time.
    Waiting(String),
    /// Finished, or being deleted before it was scheduled.
    Other,
}

fn state_of(pod: &Value) -> PodState {
    let bound = pod
        .pointer("/spec/nodeName")
        .and_then(Value::as_str)
        .is_some_and(|n| !n.is_empty());
    let terminal = matches!(
        pod.pointer("/status/phase").and_then(Value::as_str),
        Some("Succeeded" | "Failed")
    );
    let deleting = pod.pointer("/metadata/deletionTimestamp").is_some();
    match (bound, terminal) {
        (true, false) => PodState::Running,
        (false, false) if !deleting => PodState::Waiting(
            pod.pointer("/metadata/creationTimestamp")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
        ),
        _ => PodState::Other,
    }
}

/// Pods by what they take of the node.
#[derive(Default)]
pub(super) struct NodeIndex {
    pods: HashMap<Key, PodState>,
    running: usize,
    waiting: BTreeSet<(String, Key)>,
}

impl NodeIndex {
    /// Takes in a pod event; returns whether a pod stopped running (so that there may be room).
    pub(super) fn update(&mut self, event: &WatchEvent) -> bool {
        let next = (event.event_type != EventType::Deleted).then(|| state_of(&event.object));
        let before = match &next {
            Some(state) => self.pods.insert(event.key.clone(), state.clone()),
            None => self.pods.remove(&event.key),
        };
        if before == next {
            return false;
        }
        let was_running = before == Some(PodState::Running);
        match before {
            Some(PodState::Running) => self.running -= 1,
            Some(PodState::Waiting(since)) => {
                self.waiting.remove(&(since, event.key.clone()));
            }
            _ => {}
        }
        match next {
            Some(PodState::Running) => self.running += 1,
            Some(PodState::Waiting(since)) => {
                self.waiting.insert((since, event.key.clone()));
            }
            _ => {}
        }
        was_running
    }

    /// Pods bound to the node and not terminated.
    pub(super) fn running(&self) -> usize {
        self.running
    }

    /// Pod objects, in any phase.
    pub(super) fn pod_objects(&self) -> usize {
        self.pods.len()
    }

    /// How many pods have waited to be scheduled longer than `pod` (counting at most `limit`), so that
    /// pods are scheduled first come, first served, as kube-scheduler's queue orders them.
    pub(super) fn waiting_ahead(&self, pod: &Key, limit: usize) -> usize {
        match self.pods.get(pod) {
            Some(PodState::Waiting(since)) => self.waiting.range(..(since.clone(), pod.clone())).take(limit).count(),
            _ => 0,
        }
    }

    /// The `n` pods that have waited longest to be scheduled.
    pub(super) fn oldest_waiting(&self, n: usize) -> Vec<Key> {
        self.waiting.iter().take(n).map(|(_, k)| k.clone()).collect()
    }

    /// Forgets everything (before taking in the whole state again).
    pub(super) fn clear(&mut self) {
        *self = NodeIndex::default();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::json;

    use super::*;

    fn event(name: &str, event_type: EventType, pod: Value) -> WatchEvent {
        WatchEvent {
            revision: 1,
            event_type,
            key: Key {
                prefix: "/core/pods".into(),
                namespace: Some("default".into()),
                name: name.into(),
            },
            object: Arc::new(pod),
            previous: None,
            size: 0,
            previous_size: 0,
        }
    }

    fn pod(created: &str, node: Option<&str>, phase: &str) -> Value {
        let mut p = json!({"metadata": {"creationTimestamp": created}, "spec": {}, "status": {"phase": phase}});
        if let Some(n) = node {
            p["spec"]["nodeName"] = json!(n);
        }
        p
    }

    #[test]
    fn counts_running_and_waiting_pods_and_tells_when_room_frees_up() {
        let mut node = NodeIndex::default();
        let t0 = "2024-01-01T00:00:00Z";
        let t1 = "2024-01-01T00:00:01Z";
        assert!(!node.update(&event("a", EventType::Added, pod(t0, Some("n"), "Running"))));
        assert!(!node.update(&event("late", EventType::Added, pod(t1, None, "Pending"))));
        assert!(!node.update(&event("early", EventType::Added, pod(t0, None, "Pending"))));
        assert_eq!((node.running(), node.pod_objects()), (1, 3));
        assert_eq!(node.oldest_waiting(1)[0].name, "early");
        let key = |name: &str| event(name, EventType::Added, json!({})).key;
        assert_eq!(node.waiting_ahead(&key("late"), 5), 1);
        assert_eq!(node.waiting_ahead(&key("late"), 0), 0);
        assert_eq!(node.waiting_ahead(&key("early"), 5), 0);
        assert_eq!(node.waiting_ahead(&key("a"), 5), 0);
        // Finishing frees room; the pod object stays.
        assert!(node.update(&event("a", EventType::Modified, pod(t0, Some("n"), "Succeeded"))));
        assert_eq!((node.running(), node.pod_objects()), (0, 3));
        assert!(!node.update(&event("early", EventType::Modified, pod(t0, Some("n"), "Pending"))));
        assert_eq!(node.running(), 1);
        assert_eq!(node.oldest_waiting(5).len(), 1);
        assert!(node.update(&event("early", EventType::Deleted, pod(t0, Some("n"), "Running"))));
        assert!(!node.update(&event("a", EventType::Deleted, pod(t0, Some("n"), "Succeeded"))));
        assert_eq!((node.running(), node.pod_objects()), (0, 1));
    }
}
