//! Recording a plan's events on the Rollout (`events.k8s.io/v1`, deduplicated into series by the
//! kube-runtime recorder), and the warning for a Rollout that cannot be decoded.

use k8s_openapi::api::core::v1::ObjectReference;
use kube::core::DynamicObject;
use kube::runtime::events::{Event, EventType, Recorder, Reporter};
use rollouts_core::plan;

use crate::reconcile::MANAGER;

/// The recorder shared by every reconcile, so that repeated events become series.
pub fn recorder(client: kube::Client) -> Recorder {
    Recorder::new(
        client,
        Reporter {
            controller: MANAGER.to_string(),
            instance: None,
        },
    )
}

/// The reference events about `rollout` point to. The `resourceVersion` is left out so that the same
/// event about successive versions of the Rollout joins one series; the kind is set here because list
/// responses may leave it out of their items.
pub fn reference(rollout: &DynamicObject) -> ObjectReference {
    ObjectReference {
        api_version: Some(rollouts_api::decode::API_VERSION.to_string()),
        kind: Some("Rollout".to_string()),
        name: rollout.metadata.name.clone(),
        namespace: rollout.metadata.namespace.clone(),
        uid: rollout.metadata.uid.clone(),
        ..ObjectReference::default()
    }
}

/// A planned event as the recorder takes it: the message is the note and the reason is the action.
pub fn to_kube(event: &plan::Event) -> Event {
    Event {
        type_: match event.type_ {
            plan::EventType::Normal => EventType::Normal,
            plan::EventType::Warning => EventType::Warning,
        },
        reason: event.reason.clone(),
        note: Some(event.message.clone()),
        action: event.reason.clone(),
        secondary: None,
    }
}

/// Records `events` on the Rollout. Events are informational: a failure is logged, not retried, so
/// that it never makes the controller repeat writes that already succeeded.
pub async fn publish(recorder: &Recorder, reference: &ObjectReference, events: &[plan::Event]) {
    for event in events {
        if let Err(error) = recorder.publish(&to_kube(event), reference).await {
            tracing::warn!(
                rollout = reference.name.as_deref().unwrap_or_default(),
                reason = %event.reason,
                %error,
                "recording an event failed"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kube::core::ApiResource;
    use rollouts_api::Rollout;

    #[test]
    fn planned_events_keep_their_type_reason_and_message() {
        let warning = to_kube(&plan::Event::warning("InvalidSpec", "The Rollout \"web\" is invalid"));
        assert_eq!(warning.type_, EventType::Warning);
        assert_eq!(warning.reason, "InvalidSpec");
        assert_eq!(warning.action, "InvalidSpec");
        assert_eq!(warning.note.as_deref(), Some("The Rollout \"web\" is invalid"));
        assert_eq!(
            to_kube(&plan::Event::normal("RolloutUpdated", "x")).type_,
            EventType::Normal
        );
    }

    #[test]
    fn the_reference_names_the_rollout_without_its_version() {
        let mut object = DynamicObject::new("web", &ApiResource::erase::<Rollout>(&())).within("ns");
        object.metadata.uid = Some("u-1".into());
        object.metadata.resource_version = Some("42".into());
        let reference = reference(&object);
        assert_eq!(reference.api_version.as_deref(), Some("argoproj.io/v1alpha1"));
        assert_eq!(reference.kind.as_deref(), Some("Rollout"));
        assert_eq!(reference.name.as_deref(), Some("web"));
        assert_eq!(reference.namespace.as_deref(), Some("ns"));
        assert_eq!(reference.uid.as_deref(), Some("u-1"));
        assert_eq!(reference.resource_version, None);
    }
}
