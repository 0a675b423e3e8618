use k8s_openapi::api::core::v1::Service;
use rollouts_api::Rollout;
use serde_json::{Value, json};

use super::{referenced_services, release_patch};

const RELEASE: &str = r#"{"metadata":{"annotations":{"argo-rollouts.argoproj.io/managed-by-rollouts":null}},"spec":{"selector":{"rollouts-pod-template-hash":null}}}"#;

fn service(name: &str, annotated_by: Option<&str>, hash: bool) -> Service {
    let mut selector = json!({"app": "web"});
    if hash {
        selector["rollouts-pod-template-hash"] = json!("abc123");
    }
    let mut svc = json!({
        "metadata": {"name": name, "namespace": "ns"},
        "spec": {"selector": selector},
    });
    if let Some(owner) = annotated_by {
        svc["metadata"]["annotations"] = json!({"argo-rollouts.argoproj.io/managed-by-rollouts": owner});
    }
    serde_json::from_value(svc).expect("a Service")
}

fn rollout(name: &str, namespace: &str, strategy: &Value) -> Rollout {
    serde_json::from_value(json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"strategy": strategy},
    }))
    .expect("a Rollout")
}

fn canary(services: &Value) -> Value {
    json!({"canary": services})
}

fn all_canary_roles() -> Value {
    canary(&json!({
        "canaryService": "canary",
        "stableService": "stable",
        "trafficRouting": {"smi": {}},
        "pingPong": {"pingService": "ping", "pongService": "pong"},
    }))
}

fn blue_green() -> Value {
    json!({"blueGreen": {"activeService": "active", "previewService": "preview"}})
}

fn patch_of(svc: &Service, rollouts: &[Rollout]) -> Option<String> {
    release_patch(svc, rollouts).map(|p| p.to_string())
}

#[test]
fn a_service_whose_rollout_is_gone_is_released() {
    let svc = service("stable", Some("web"), true);
    assert_eq!(patch_of(&svc, &[]).as_deref(), Some(RELEASE));
    // Another Rollout naming the Service does not hold it: only the annotated one counts.
    let other = rollout("other", "ns", &all_canary_roles());
    assert_eq!(patch_of(&svc, &[other]).as_deref(), Some(RELEASE));
    // Nor does a Rollout of that name in another namespace.
    let elsewhere = rollout("web", "other-ns", &all_canary_roles());
    assert_eq!(patch_of(&svc, &[elsewhere]).as_deref(), Some(RELEASE));
}

#[test]
fn a_service_still_referenced_in_any_role_is_left_alone() {
    let canary_rollout = rollout("web", "ns", &all_canary_roles());
    for role in ["canary", "stable", "ping", "pong"] {
        let svc = service(role, Some("web"), true);
        assert_eq!(patch_of(&svc, std::slice::from_ref(&canary_rollout)), None, "{role}");
    }
    let bg_rollout = rollout("web", "ns", &blue_green());
    for role in ["active", "preview"] {
        let svc = service(role, Some("web"), true);
        assert_eq!(patch_of(&svc, std::slice::from_ref(&bg_rollout)), None, "{role}");
    }
}

#[test]
fn a_service_no_longer_referenced_in_its_role_is_released() {
    let cases = [
        ("canary", canary(&json!({"stableService": "stable"}))),
        ("stable", canary(&json!({"canaryService": "canary"}))),
        (
            "ping",
            canary(&json!({"canaryService": "canary", "stableService": "stable"})),
        ),
        (
            "pong",
            canary(&json!({"pingPong": {"pingService": "ping", "pongService": "pong2"}})),
        ),
        ("active", json!({"blueGreen": {"activeService": "active2"}})),
        ("preview", json!({"blueGreen": {"activeService": "active"}})),
        // Switched to a canary strategy: the blue-green Services are released.
        ("active", canary(&json!({"stableService": "stable"}))),
        // No strategy at all names nothing.
        ("stable", json!({})),
    ];
    for (role, strategy) in cases {
        let svc = service(role, Some("web"), true);
        let ro = rollout("web", "ns", &strategy);
        assert_eq!(patch_of(&svc, &[ro]).as_deref(), Some(RELEASE), "{role} {strategy}");
    }
}

#[test]
fn a_blue_green_strategy_hides_the_canary_services() {
    let both = json!({
        "blueGreen": {"activeService": "active"},
        "canary": {"canaryService": "canary", "stableService": "stable"},
    });
    let ro = rollout("web", "ns", &both);
    assert_eq!(referenced_services(&ro), ["active"]);
    let svc = service("stable", Some("web"), true);
    assert_eq!(patch_of(&svc, &[ro]).as_deref(), Some(RELEASE));
}

#[test]
fn a_service_without_the_annotation_is_never_touched() {
    let svc = service("stable", None, true);
    assert_eq!(patch_of(&svc, &[]), None);
    let plain = service("stable", None, false);
    assert_eq!(patch_of(&plain, &[]), None);
}

#[test]
fn an_annotated_service_without_a_hash_selector_is_left_alone() {
    // Upstream returns early when the selector has no hash key, annotation or not.
    let svc = service("stable", Some("web"), false);
    assert_eq!(patch_of(&svc, &[]), None);
    let no_selector: Service = serde_json::from_value(json!({
        "metadata": {"name": "stable", "namespace": "ns",
                     "annotations": {"argo-rollouts.argoproj.io/managed-by-rollouts": "web"}},
        "spec": {},
    }))
    .expect("a Service");
    assert_eq!(patch_of(&no_selector, &[]), None);
}

#[test]
fn a_rollout_being_deleted_still_holds_its_services() {
    // Upstream does not look at the deletion timestamp: the Service is released once the Rollout is
    // gone.
    let mut ro = rollout("web", "ns", &all_canary_roles());
    ro.metadata.deletion_timestamp = Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(
        "2026-01-01T00:00:00Z".parse().expect("a time"),
    ));
    let svc = service("stable", Some("web"), true);
    assert_eq!(patch_of(&svc, &[ro]), None);
}

#[test]
fn empty_service_names_reference_nothing() {
    let ro = rollout(
        "web",
        "ns",
        &canary(&json!({"canaryService": "", "stableService": "stable"})),
    );
    assert_eq!(referenced_services(&ro), ["stable"]);
    let svc = service("", Some("web"), true);
    assert_eq!(patch_of(&svc, &[ro]).as_deref(), Some(RELEASE));
}
