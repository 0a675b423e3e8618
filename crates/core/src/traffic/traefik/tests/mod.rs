//! Golden cases of upstream's `traefik_test.go`, asserting the exact writes; then the cases upstream's
//! tests leave out (API versions, nothing written when nothing changes, the driving order).

use rollouts_api::Rollout;
use rollouts_api::steps::{SetHeaderRoute, SetMirrorRoute};
use serde_json::{Value, json};

use super::*;
use crate::traffic::{RoutingSettings, RoutingWrite, routers_with};

const STABLE: &str = "stable-rollout";
const CANARY: &str = "canary-rollout";
const TRAEFIK_SERVICE: &str = "mocks-service";

fn rollout(stable: &str, canary: &str) -> Rollout {
    serde_json::from_value(json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
        "metadata": {"name": "rollout", "namespace": "default"},
        "spec": {"strategy": {"canary": {
            "stableService": stable, "canaryService": canary,
            "trafficRouting": {"traefik": {"weightedTraefikServiceName": TRAEFIK_SERVICE}},
        }}},
    }))
    .expect("a valid Rollout")
}

fn router(rollout: &Rollout) -> Traefik<'_> {
    let settings = RoutingSettings::default();
    let input = RouterInput {
        rollout,
        replica_sets: &[],
    };
    let config = input
        .routing()
        .and_then(|r| r.traefik.as_ref())
        .expect("traefik routing");
    Traefik::new(
        input,
        config,
        settings.traefik_api_group.as_deref().unwrap_or(DEFAULT_API_GROUP),
        settings.traefik_api_version.as_deref().unwrap_or(DEFAULT_API_VERSION),
    )
}

/// Upstream's `traefikService` manifest, in the default API version, as the API server returns it.
fn traefik_service(stable_weight: i64, canary_weight: i64) -> Value {
    json!({
        "apiVersion": "traefik.io/v1alpha1", "kind": "TraefikService",
        "metadata": {"labels": {"service": "argo-mocks"}, "name": TRAEFIK_SERVICE, "namespace": "default",
                     "resourceVersion": "3"},
        "spec": {"weighted": {"services": [
            {"name": STABLE, "weight": stable_weight, "port": 80},
            {"name": CANARY, "weight": canary_weight, "port": 80},
        ]}},
    })
}

fn set_weight(rollout: &Rollout, read: &[Value], weight: i32) -> Result<Vec<RoutingWrite>, RouterError> {
    let mut objects = Objects::new(read);
    router(rollout).set_weight(&mut objects, weight, &[])?;
    Ok(objects.take_writes())
}

fn error(rollout: &Rollout, read: &[Value]) -> String {
    set_weight(rollout, read, 30).expect_err("an error").to_string()
}

#[test]
fn type_is_traefik() {
    assert_eq!(router(&rollout(STABLE, CANARY)).kind(), "Traefik");
}

#[test]
fn set_weight_updates_the_two_services_and_keeps_the_rest() {
    let writes = set_weight(&rollout(STABLE, CANARY), &[traefik_service(100, 0)], 30).expect("set");
    assert_eq!(writes, [RoutingWrite::Update(traefik_service(70, 30))]);
}

#[test]
fn set_weight_with_error_the_traefik_service_is_missing() {
    assert_eq!(
        error(&rollout(STABLE, CANARY), &[]),
        "traefikservices.traefik.io \"mocks-service\" not found"
    );
}

#[test]
fn set_weight_with_error_manifest() {
    let mut manifest = traefik_service(100, 0);
    manifest.as_object_mut().expect("an object").remove("spec");
    assert_eq!(
        error(&rollout(STABLE, CANARY), &[manifest]),
        "spec.weighted.services was not found in traefik service manifest"
    );
}

#[test]
fn set_weight_with_error_stable_name() {
    assert_eq!(
        error(&rollout("fake-stable-rollout", CANARY), &[traefik_service(100, 0)]),
        "traefik stable service was not found"
    );
}

#[test]
fn set_weight_with_error_canary_name() {
    assert_eq!(
        error(&rollout(STABLE, "fake-canary-rollout"), &[traefik_service(100, 0)]),
        "traefik canary service was not found"
    );
}

#[test]
fn get_service_errors_as_upstream() {
    let with_services = |services: Value| {
        let mut object = traefik_service(100, 0);
        object["spec"]["weighted"]["services"] = services;
        object
    };
    let ro = rollout(STABLE, CANARY);
    // ErrorGetServiceFromStruct: an entry that is not an object.
    assert_eq!(
        error(&ro, &[with_services(json!([12]))]),
        "Failed type assertion setting weight for traefik service"
    );
    // ErrorGetServiceFromMap: an entry without a name.
    assert_eq!(
        error(&ro, &[with_services(json!([{"weight": 100}]))]),
        "name field was not found in service"
    );
    // ErrorGetServiceFromNil: a null name.
    assert_eq!(
        error(&ro, &[with_services(json!([{"name": null}]))]),
        ".name accessor error: <nil> is of the type <nil>, expected string"
    );
    assert_eq!(
        error(&ro, &[with_services(json!({"name": CANARY}))]),
        ".spec.weighted.services accessor error: map[name:canary-rollout] is of the type map[string]interface {}, \
         expected []interface{}"
    );
    // The search stops at the service sought: what comes after it is not looked at.
    let writes = set_weight(
        &ro,
        &[with_services(json!([
            {"name": CANARY, "weight": 0}, {"name": STABLE, "weight": 100}, "not a service"
        ]))],
        30,
    )
    .expect("set");
    assert_eq!(
        writes,
        [RoutingWrite::Update(with_services(json!([
            {"name": CANARY, "weight": 30}, {"name": STABLE, "weight": 70}, "not a service"
        ])))]
    );
}

#[test]
fn nothing_is_written_when_the_weights_are_already_set() {
    let writes = set_weight(&rollout(STABLE, CANARY), &[traefik_service(70, 30)], 30).expect("set");
    assert!(writes.is_empty(), "{writes:?}");
}

#[test]
fn promotion_sends_everything_back_to_the_stable() {
    let writes = set_weight(&rollout(STABLE, CANARY), &[traefik_service(0, 100)], 0).expect("set");
    assert_eq!(writes, [RoutingWrite::Update(traefik_service(100, 0))]);
}

#[test]
fn header_mirror_and_hash_operations_do_nothing() {
    let ro = rollout(STABLE, CANARY);
    let traefik = router(&ro);
    let mut objects = Objects::new(&[traefik_service(100, 0)]);
    let header: SetHeaderRoute = serde_json::from_value(json!({"name": "set-header", "match": [
        {"headerName": "header-name", "headerValue": {"exact": "value"}}]}))
    .expect("a header route");
    let mirror: SetMirrorRoute =
        serde_json::from_value(json!({"name": "mirror-route", "match": [{"method": {"exact": "GET"}}]}))
            .expect("a mirror route");
    traefik.set_header_route(&mut objects, &header).expect("no-op");
    traefik.set_mirror_route(&mut objects, &mirror).expect("no-op");
    traefik.remove_managed_routes(&mut objects).expect("no-op");
    traefik
        .update_hash(&mut objects, "canary", "stable", &[])
        .expect("no-op");
    assert!(objects.writes().is_empty());
}

#[test]
fn the_api_group_and_version_come_from_the_settings() {
    let ro = rollout(STABLE, CANARY);
    let input = RouterInput {
        rollout: &ro,
        replica_sets: &[],
    };
    assert_eq!(
        router(&ro).references(),
        [ObjectRef::new(
            "traefik.io/v1alpha1",
            "TraefikService",
            "default",
            TRAEFIK_SERVICE
        )]
    );
    // Upstream keeps the part of the version after the last `/`, and the group of its own flag.
    let settings = RoutingSettings {
        traefik_api_group: Some("traefik.containo.us".into()),
        traefik_api_version: Some("traefik.containo.us/v1alpha1".into()),
        ..RoutingSettings::default()
    };
    let routers = routers_with(input, &settings);
    let references: Vec<ObjectRef> = routers.iter().flat_map(|r| r.references()).collect();
    assert_eq!(
        references,
        [ObjectRef::new(
            "traefik.containo.us/v1alpha1",
            "TraefikService",
            "default",
            TRAEFIK_SERVICE
        )]
    );
    assert_eq!(references[0].plural(), "traefikservices");
    let mut old = traefik_service(100, 0);
    old["apiVersion"] = json!("traefik.containo.us/v1alpha1");
    let mut objects = Objects::new(&[old]);
    routers[0].set_weight(&mut objects, 10, &[]).expect("set");
    assert_eq!(objects.writes().len(), 1);
    assert_eq!(
        service_weight(objects.get(&references[0]).expect("held"), CANARY),
        Some(10)
    );
}
