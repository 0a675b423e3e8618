//! The lines that say what the controllers changed, one per decision, as upstream's logs do: each
//! carries the object's namespace and name as fields (`namespace`, and the name under the object's kind
//! in lower case: `rollout`, `analysisrun`, `experiment`, `service`), with upstream's words for the
//! message wherever it has them, so that operators find the lines they know.
//!
//! The events a plan records are said here too, once its writes succeeded, at info level (warn for a
//! Warning) with their reason in `event_reason`, as upstream's event recorder logs every event it
//! records. A reconcile that changes nothing records no event and writes nothing, so it says nothing.

use k8s_openapi::api::core::v1::ObjectReference;
use rollouts_api::well_known::annotations::SCALE_DOWN_DEADLINE;
use rollouts_core::plan::{Event, EventType};
use serde_json::Value;

use crate::runtime::kind::ControllerKind;

/// Logs at `level` about the object `namespace`/`name` reconciled by `controller`, the name under
/// the field upstream's logs use for its kind; the rest is as for `tracing`'s macros.
macro_rules! log_change {
    ($level:ident, $controller:expr, $namespace:expr, $name:expr, $($rest:tt)+) => {
        match $controller {
            ControllerKind::Rollout => tracing::$level!(namespace = %$namespace, rollout = %$name, $($rest)+),
            ControllerKind::AnalysisRun => tracing::$level!(namespace = %$namespace, analysisrun = %$name, $($rest)+),
            ControllerKind::Service => tracing::$level!(namespace = %$namespace, service = %$name, $($rest)+),
            ControllerKind::Experiment => tracing::$level!(namespace = %$namespace, experiment = %$name, $($rest)+),
        }
    };
}

/// Says `event`, just recorded about the object `reference`: its message, at info level (warn for a
/// Warning), with the object's namespace and name and the event's reason.
pub fn log_event(reference: &ObjectReference, event: &Event) {
    let namespace = reference.namespace.as_deref().unwrap_or_default();
    let name = reference.name.as_deref().unwrap_or_default();
    let reason = event.reason.as_str();
    let message = event.message.as_str();
    let Some(controller) = reference.kind.as_deref().and_then(ControllerKind::of_object_kind) else {
        // Only the controllers' own kinds are recorded on; any other is named as it is.
        let kind = reference.kind.as_deref().unwrap_or_default();
        match event.type_ {
            EventType::Normal => {
                tracing::info!(namespace = %namespace, kind = %kind, object = %name, event_reason = %reason, "{message}");
            }
            EventType::Warning => {
                tracing::warn!(namespace = %namespace, kind = %kind, object = %name, event_reason = %reason, "{message}");
            }
        }
        return;
    };
    match event.type_ {
        EventType::Normal => log_change!(info, controller, namespace, name, event_reason = %reason, "{message}"),
        EventType::Warning => log_change!(warn, controller, namespace, name, event_reason = %reason, "{message}"),
    }
}

/// What a JSON patch of a ReplicaSet does to its `scale-down-deadline` annotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadlineChange<'a> {
    /// Sets it to this value.
    Set(&'a str),
    /// Removes it.
    Removed,
}

impl<'a> DeadlineChange<'a> {
    /// The change `patch` (RFC 6902 operations) makes to the annotation, if any.
    pub fn of(patch: &'a Value) -> Option<Self> {
        patch.as_array()?.iter().find_map(|op| {
            let path = op.get("path")?.as_str()?;
            if path.strip_prefix("/metadata/annotations/") != Some(SCALE_DOWN_DEADLINE) {
                return None;
            }
            match op.get("op")?.as_str()? {
                "remove" => Some(DeadlineChange::Removed),
                "add" | "replace" => op.get("value")?.as_str().map(DeadlineChange::Set),
                _ => None,
            }
        })
    }
}

/// Says what a JSON patch of the ReplicaSet `replica_set` of the object `namespace`/`name` changed (as
/// upstream's `addScaleDownDelay` and `removeScaleDownDeadlines` say it).
pub fn log_replica_set_patch(
    controller: ControllerKind,
    namespace: &str,
    name: &str,
    replica_set: &str,
    patch: &Value,
) {
    match DeadlineChange::of(patch) {
        Some(DeadlineChange::Set(deadline)) => log_change!(
            info,
            controller,
            namespace,
            name,
            "Set '{SCALE_DOWN_DEADLINE}' annotation on '{replica_set}' to {deadline}"
        ),
        Some(DeadlineChange::Removed) => log_change!(
            info,
            controller,
            namespace,
            name,
            "Removed '{SCALE_DOWN_DEADLINE}' annotation from RS '{replica_set}'"
        ),
        None => log_change!(debug, controller, namespace, name, "patched ReplicaSet {replica_set}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
    use rollouts_testkit::logs::LogCapture;
    use serde_json::json;

    fn said(f: impl FnOnce()) -> Vec<String> {
        let logs = LogCapture::new();
        tracing::subscriber::with_default(logs.subscriber("rollouts_controller", tracing::Level::INFO), f);
        logs.take()
    }

    fn reference(kind: &str, name: &str) -> ObjectReference {
        let metadata = ObjectMeta {
            name: Some(name.into()),
            namespace: Some("default".into()),
            uid: Some("u-1".into()),
            ..ObjectMeta::default()
        };
        crate::runtime::events::reference(kind, &metadata)
    }

    #[test]
    fn events_are_said_with_their_reason_under_the_object_kind_warnings_as_warnings() {
        let lines = said(|| {
            let rollout = reference("Rollout", "canary-demo");
            log_event(
                &rollout,
                &Event::normal("RolloutPaused", "Rollout is paused (CanaryPauseStep)"),
            );
            log_event(
                &rollout,
                &Event::warning("RolloutAborted", "Rollout aborted update to revision 2"),
            );
            let run = reference("AnalysisRun", "canary-demo-abc-2-1");
            log_event(
                &run,
                &Event::normal("AnalysisRunSuccessful", "Analysis Completed. Result: Successful"),
            );
            let experiment = reference("Experiment", "canary-demo-abc-2-0");
            log_event(
                &experiment,
                &Event::warning("ExperimentFailed", "Experiment transitioned from Running -> Failed"),
            );
            log_event(
                &reference("Pod", "p"),
                &Event::normal("Other", "an event about some other kind"),
            );
        });
        assert_eq!(
            lines,
            [
                "INFO Rollout is paused (CanaryPauseStep) namespace=default rollout=canary-demo event_reason=RolloutPaused",
                "WARN Rollout aborted update to revision 2 namespace=default rollout=canary-demo event_reason=RolloutAborted",
                "INFO Analysis Completed. Result: Successful namespace=default analysisrun=canary-demo-abc-2-1 event_reason=AnalysisRunSuccessful",
                "WARN Experiment transitioned from Running -> Failed namespace=default experiment=canary-demo-abc-2-0 event_reason=ExperimentFailed",
                "INFO an event about some other kind namespace=default kind=Pod object=p event_reason=Other",
            ]
        );
    }

    #[test]
    fn a_replica_set_patch_says_what_it_did_to_the_deadline() {
        let lines = said(|| {
            let add = rollouts_core::scale_down_deadline::add_patch("2030-01-01T00:00:30Z");
            log_replica_set_patch(ControllerKind::Experiment, "default", "ex", "ex-canary", &add);
            let remove = rollouts_core::scale_down_deadline::remove_patch();
            log_replica_set_patch(ControllerKind::Experiment, "default", "ex", "ex-canary", &remove);
            log_replica_set_patch(ControllerKind::Experiment, "default", "ex", "ex-canary", &json!([]));
        });
        assert_eq!(
            lines,
            [
                "INFO Set 'scale-down-deadline' annotation on 'ex-canary' to 2030-01-01T00:00:30Z namespace=default experiment=ex",
                "INFO Removed 'scale-down-deadline' annotation from RS 'ex-canary' namespace=default experiment=ex",
            ]
        );
    }

    #[test]
    fn the_deadline_patches_are_told_apart() {
        let add = rollouts_core::scale_down_deadline::add_patch("2030-01-01T00:00:30Z");
        assert_eq!(
            DeadlineChange::of(&add),
            Some(DeadlineChange::Set("2030-01-01T00:00:30Z"))
        );
        let remove = rollouts_core::scale_down_deadline::remove_patch();
        assert_eq!(DeadlineChange::of(&remove), Some(DeadlineChange::Removed));
        let other = json!([{"op": "add", "path": "/metadata/annotations/other", "value": "x"}]);
        assert_eq!(DeadlineChange::of(&other), None);
        assert_eq!(DeadlineChange::of(&json!({"op": "remove"})), None);
    }
}
