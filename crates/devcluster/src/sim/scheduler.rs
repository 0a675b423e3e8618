//! The simulated kube-scheduler for one pod not yet bound: it binds the pod to the node while the node
//! runs fewer than [`SimConfig::max_pods`] pods, and otherwise leaves it `Pending` with the
//! `PodScheduled` condition and the `FailedScheduling` Event kube-scheduler reports when every node is
//! full. The pod is not looked at again until a running pod ends (the runtime wakes the oldest waiting
//! pods then), so the Event is recorded once, when the pod becomes unschedulable.

use jiff::Timestamp;
use serde_json::{Value, json};

use super::kubelet::condition;
use super::meta;
use super::{Action, EventRecord, Kind, ObjectRef, Plan, SimConfig};

/// The component recording the Events.
pub const COMPONENT: &str = "default-scheduler";
/// The Event's reason.
pub const FAILED_SCHEDULING: &str = "FailedScheduling";
/// The `PodScheduled` condition's reason.
pub const UNSCHEDULABLE: &str = "Unschedulable";
/// kube-scheduler's message for a one-node cluster whose node runs its most pods.
pub const TOO_MANY_PODS: &str = "0/1 nodes are available: 1 Too many pods. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.";

/// What the scheduler does with `pod` (not bound yet) while the node runs `running_pods` pods.
pub(super) fn schedule(pod: &Value, now: Timestamp, cfg: &SimConfig, running_pods: usize) -> Plan {
    let target = ObjectRef::of(Kind::Pod, pod);
    let mut status = pod
        .get("status")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let conditions = meta::array_at(pod, "/status/conditions");
    let mut plan = Plan::none();
    if running_pods < cfg.max_pods {
        plan.push(Action::Bind {
            pod: target.clone(),
            node: cfg.node_name.clone(),
        });
        status.insert("phase".into(), json!("Pending"));
        status.insert(
            "conditions".into(),
            json!([condition("PodScheduled", true, now, conditions, None)]),
        );
        plan.push(Action::UpdateStatus {
            target,
            status: Value::Object(status),
        });
        plan.requeue(cfg.start_delay);
        return plan;
    }
    let scheduled = meta::condition(conditions, "PodScheduled");
    let field = |name: &str| scheduled.and_then(|c| c.get(name)).and_then(Value::as_str);
    if field("status") == Some("False")
        && field("reason") == Some(UNSCHEDULABLE)
        && field("message") == Some(TOO_MANY_PODS)
    {
        return plan;
    }
    status.insert("phase".into(), json!("Pending"));
    status.insert(
        "conditions".into(),
        json!([condition(
            "PodScheduled",
            false,
            now,
            conditions,
            Some((UNSCHEDULABLE, TOO_MANY_PODS))
        )]),
    );
    plan.push(Action::UpdateStatus {
        target: target.clone(),
        status: Value::Object(status),
    });
    plan.push(Action::RecordEvent(EventRecord {
        regarding: target,
        warning: true,
        reason: FAILED_SCHEDULING.into(),
        message: TOO_MANY_PODS.into(),
        component: COMPONENT.into(),
    }));
    plan
}
