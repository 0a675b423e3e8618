//! Golden cases of upstream's `ambassador_test.go`, asserting the exact writes and events; then what
//! upstream's tests leave out (reference validation, nothing written when nothing changes, the delayed
//! delete, the API versions).

mod validation;

use rollouts_api::Rollout;
use rollouts_api::steps::{SetHeaderRoute, SetMirrorRoute};
use serde_json::{Value, json};

use super::*;
use crate::traffic::{RoutingEvent, RoutingSettings, RoutingWrite, routers_with};

const BASE: &str = "myapp-mapping";
const CANARY: &str = "myapp-mapping-canary";

fn rollout(mappings: &[&str]) -> Rollout {
    serde_json::from_value(json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
        "metadata": {"name": "rollout", "namespace": "default"},
        "spec": {"strategy": {"canary": {
            "stableService": "main-service", "canaryService": "canary-service",
            "trafficRouting": {"ambassador": {"mappings": mappings}},
        }}},
    }))
    .expect("a valid Rollout")
}

fn router<'a>(rollout: &'a Rollout, api_version: &str) -> Ambassador<'a> {
    let input = RouterInput {
        rollout,
        replica_sets: &[],
    };
    let config = input
        .routing()
        .and_then(|r| r.ambassador.as_ref())
        .expect("ambassador routing");
    Ambassador::new(input, config, api_version)
}

/// A Mapping as upstream's test manifests write it, as the API server returns it.
fn mapping(api_version: &str, kind: &str, name: &str, spec: Value) -> Value {
    json!({
        "apiVersion": api_version, "kind": kind,
        "metadata": {"name": name, "namespace": "default", "uid": format!("uid-{name}"), "resourceVersion": "5",
                     "labels": {"app": "myapp"}, "annotations": {"note": "base"}},
        "spec": spec,
    })
}

/// Upstream's `baseMapping`.
fn base_mapping() -> Value {
    mapping(
        "getambassador.io/v2",
        "Mapping",
        BASE,
        json!({"prefix": "/myapp/", "rewrite": "/myapp/", "service": "main-service:8080"}),
    )
}

/// Upstream's `canaryMapping` (and `canaryMappingWithZeroWeight`).
fn canary_mapping(weight: i64) -> Value {
    mapping(
        "getambassador.io/v2",
        "Mapping",
        CANARY,
        json!({"prefix": "/myapp/", "rewrite": "/myapp/", "service": "main-service:8080", "weight": weight}),
    )
}

struct Outcome {
    result: Result<(), RouterError>,
    writes: Vec<RoutingWrite>,
    events: Vec<RoutingEvent>,
}

fn set_weight_with(rollout: &Rollout, api_version: &str, read: &[Value], weight: i32) -> Outcome {
    let mut objects = Objects::new(read);
    let result = router(rollout, api_version).set_weight(&mut objects, weight, &[]);
    Outcome {
        result,
        writes: objects.take_writes(),
        events: objects.take_events(),
    }
}

fn set_weight(rollout: &Rollout, read: &[Value], weight: i32) -> Outcome {
    set_weight_with(rollout, DEFAULT_API_VERSION, read, weight)
}

fn normal(weight: i32) -> RoutingEvent {
    RoutingEvent {
        reason: "CanaryMappingWeightUpdate".into(),
        message: format!("Set canary mapping weight to {weight}"),
        warning: false,
    }
}

fn warning(reason: &str, message: &str) -> RoutingEvent {
    RoutingEvent {
        reason: reason.into(),
        message: message.into(),
        warning: true,
    }
}

/// The canary Mapping upstream creates from `base`: no metadata but the name and namespace.
fn created(api_version: &str, kind: &str, spec: Value) -> Value {
    json!({"apiVersion": api_version, "kind": kind,
           "metadata": {"name": CANARY, "namespace": "default"}, "spec": spec})
}

#[test]
fn will_create_canary_mapping_and_set_weight_successfully() {
    let outcome = set_weight(&rollout(&[BASE]), &[base_mapping()], 13);
    assert_eq!(outcome.result, Ok(()));
    assert_eq!(
        outcome.writes,
        [RoutingWrite::Create(created(
            "getambassador.io/v2",
            "Mapping",
            json!({"prefix": "/myapp/", "rewrite": "/myapp/", "service": "canary-service:8080", "weight": 13})
        ))]
    );
    assert_eq!(outcome.events, [normal(13)]);
}

#[test]
fn will_create_canary_ambassadormapping_and_set_weight_successfully() {
    let version = "x.getambassador.io/v3alpha1";
    let base = mapping(
        version,
        "AmbassadorMapping",
        BASE,
        json!({"hostname": "example.com", "prefix": "/myapp/", "rewrite": "/myapp/", "service": "main-service:8080"}),
    );
    let outcome = set_weight_with(&rollout(&[BASE]), version, &[base], 13);
    assert_eq!(outcome.result, Ok(()));
    assert_eq!(
        outcome.writes,
        [RoutingWrite::Create(created(
            version,
            "AmbassadorMapping",
            json!({"hostname": "example.com", "prefix": "/myapp/", "rewrite": "/myapp/",
                   "service": "canary-service:8080", "weight": 13})
        ))]
    );
}

#[test]
fn will_create_canary_mapping_with_no_service_port() {
    let mut base = base_mapping();
    base["spec"]["service"] = json!("main-service");
    let outcome = set_weight(&rollout(&[BASE]), &[base], 13);
    let [RoutingWrite::Create(created)] = outcome.writes.as_slice() else {
        panic!("one create: {:?}", outcome.writes);
    };
    assert_eq!(mapping::service(created), "canary-service");
    assert_eq!(mapping::weight(created), 13);
}

#[test]
fn will_copy_everything_but_the_metadata_of_the_base_mapping() {
    // Only the first occurrence of the stable Service's name is replaced; `status` comes along.
    let mut base = base_mapping();
    base["spec"]["service"] = json!("http://main-service.main-service:8080");
    base["status"] = json!({"state": "Running"});
    base["metadata"]["ownerReferences"] = json!([{"kind": "Thing", "name": "x", "uid": "u", "apiVersion": "v1"}]);
    let outcome = set_weight(&rollout(&[BASE]), &[base], 40);
    assert_eq!(
        outcome.writes,
        [RoutingWrite::Create(json!({
            "apiVersion": "getambassador.io/v2", "kind": "Mapping",
            "metadata": {"name": CANARY, "namespace": "default"},
            "spec": {"prefix": "/myapp/", "rewrite": "/myapp/",
                     "service": "http://canary-service.main-service:8080", "weight": 40},
            "status": {"state": "Running"},
        }))]
    );
}

#[test]
fn will_update_canary_mapping_according_to_provided_weight() {
    let outcome = set_weight(&rollout(&[BASE]), &[base_mapping(), canary_mapping(20)], 13);
    assert_eq!(outcome.result, Ok(()));
    assert_eq!(outcome.writes, [RoutingWrite::Update(canary_mapping(13))]);
    assert_eq!(outcome.events, [normal(13)]);
}

#[test]
fn will_cleanup_canary_mapping_if_current_weight_is_zero() {
    // Upstream updates the weight to 0, then deletes the canary Mapping 5 s later.
    let outcome = set_weight(&rollout(&[BASE]), &[base_mapping(), canary_mapping(20)], 0);
    assert_eq!(outcome.result, Ok(()));
    assert_eq!(
        outcome.writes,
        [
            RoutingWrite::Update(canary_mapping(0)),
            RoutingWrite::DeleteAfter {
                target: ObjectRef::new("getambassador.io/v2", "Mapping", "default", CANARY),
                uid: Some(format!("uid-{CANARY}")),
                delay: std::time::Duration::from_secs(5),
            },
        ]
    );
    assert_eq!(outcome.events, [normal(0)]);
    // Already at 0 (a reconcile within the delay): only the delete, which the controller does once.
    let again = set_weight(&rollout(&[BASE]), &[base_mapping(), canary_mapping(0)], 0);
    assert!(
        matches!(again.writes.as_slice(), [RoutingWrite::DeleteAfter { .. }]),
        "{:?}",
        again.writes
    );
}

#[test]
fn nothing_is_written_at_weight_zero_without_a_canary_mapping() {
    let outcome = set_weight(&rollout(&[BASE]), &[base_mapping()], 0);
    assert_eq!(outcome.result, Ok(()));
    assert!(outcome.writes.is_empty(), "{:?}", outcome.writes);
    // Upstream records the event at every weight set, changed or not.
    assert_eq!(outcome.events, [normal(0)]);
}

#[test]
fn nothing_is_written_when_the_canary_mapping_has_the_weight() {
    let outcome = set_weight(&rollout(&[BASE]), &[base_mapping(), canary_mapping(20)], 20);
    assert!(outcome.writes.is_empty(), "{:?}", outcome.writes);
}

#[test]
fn will_return_error_if_base_mapping_defines_the_weight() {
    let mut base = base_mapping();
    base["spec"]["weight"] = json!(20);
    let outcome = set_weight(&rollout(&[BASE]), &[base], 20);
    assert_eq!(
        outcome.result,
        Err(RouterError::new(
            "Ambassador mapping \"myapp-mapping\" can not define weight"
        ))
    );
    assert!(outcome.writes.is_empty());
    assert_eq!(
        outcome.events,
        [
            normal(20),
            warning(
                "AmbassadorMappingConfigError",
                "Ambassador mapping \"myapp-mapping\" can not define weight"
            )
        ]
    );
}

#[test]
fn will_return_error_if_base_mapping_not_found() {
    let outcome = set_weight(&rollout(&[BASE]), &[], 20);
    assert_eq!(
        outcome.result,
        Err(RouterError::new(
            "mappings.getambassador.io \"myapp-mapping\" not found"
        ))
    );
    assert!(outcome.writes.is_empty());
    assert_eq!(
        outcome.events,
        [
            normal(20),
            warning(
                "AmbassadorMappingNotFound",
                "Ambassador mapping \"myapp-mapping\" not found"
            )
        ]
    );
}

#[test]
fn will_respect_kube_resource_name_size_when_creating_the_canary_mapping() {
    let provided = "very-long-mapping-name-".repeat(11);
    let expected = format!("{}-canary", &provided[..246]);
    assert_eq!(mapping::canary_name(&provided), expected);
    let ro = rollout(&[&provided]);
    let references = router(&ro, DEFAULT_API_VERSION).references();
    assert_eq!(references[1].name, expected);
    assert_eq!(mapping::canary_name("short"), "short-canary");
}

#[test]
fn will_create_multiple_canary_mappings_when_provided_multiple_base_mappings() {
    let names = ["base-mapping-01", "base-mapping-02", "base-mapping-03"];
    let canaries: Vec<Value> = names
        .iter()
        .map(|name| {
            let mut canary = canary_mapping(20);
            canary["metadata"]["name"] = json!(format!("{name}-canary"));
            canary
        })
        .collect();
    let outcome = set_weight(&rollout(&names), &canaries, 13);
    assert_eq!(outcome.result, Ok(()));
    let expected: Vec<RoutingWrite> = canaries
        .iter()
        .map(|c| {
            let mut c = c.clone();
            c["spec"]["weight"] = json!(13);
            RoutingWrite::Update(c)
        })
        .collect();
    assert_eq!(outcome.writes, expected);
}

#[test]
fn will_return_errors_from_all_mapping_creations() {
    let names = ["base-mapping-01", "base-mapping-02", "base-mapping-03"];
    let outcome = set_weight(&rollout(&names), &[], 13);
    assert_eq!(
        outcome.result,
        Err(RouterError::new(
            "3 errors found: [mappings.getambassador.io \"base-mapping-01\" not found]\
             [mappings.getambassador.io \"base-mapping-02\" not found]\
             [mappings.getambassador.io \"base-mapping-03\" not found]"
        ))
    );
    assert!(outcome.writes.is_empty());
}

#[test]
fn type_hash_header_mirror_and_managed_routes() {
    let ro = rollout(&[BASE]);
    let ambassador = router(&ro, DEFAULT_API_VERSION);
    assert_eq!(ambassador.kind(), "Ambassador");
    let mut objects = Objects::new(&[base_mapping()]);
    let header: SetHeaderRoute = serde_json::from_value(json!({"name": "set-header", "match": [
        {"headerName": "header-name", "headerValue": {"exact": "value"}}]}))
    .expect("a header route");
    let mirror: SetMirrorRoute =
        serde_json::from_value(json!({"name": "mirror-route", "match": [{"method": {"exact": "GET"}}]}))
            .expect("a mirror route");
    ambassador.update_hash(&mut objects, "", "", &[]).expect("no-op");
    ambassador.set_header_route(&mut objects, &header).expect("no-op");
    ambassador.set_mirror_route(&mut objects, &mirror).expect("no-op");
    ambassador.remove_managed_routes(&mut objects).expect("no-op");
    assert!(objects.writes().is_empty());
}

#[test]
fn get_mapping_service_is_empty_when_missing() {
    assert_eq!(mapping::service(&json!({"kind": "Deployment"})), "");
}

#[test]
fn get_mapping_gvr() {
    let of = |v: &str| {
        let r = MappingResource::of(v);
        let target = r.target("ns", "m");
        (
            target.group().to_string(),
            target.version().to_string(),
            target.plural(),
        )
    };
    let expect = |g: &str, v: &str, r: &str| (g.to_string(), v.to_string(), r.to_string());
    assert_eq!(of(DEFAULT_API_VERSION), expect("getambassador.io", "v2", "mappings"));
    assert_eq!(of("v1"), expect("getambassador.io", "v1", "mappings"));
    assert_eq!(
        of("invalid.com/v1alpha1"),
        expect("invalid.com", "v1alpha1", "mappings")
    );
    assert_eq!(
        of("x.getambassador.io/v3alpha1"),
        expect("x.getambassador.io", "v3alpha1", "ambassadormappings")
    );
}

#[test]
fn the_api_version_comes_from_the_settings() {
    let ro = rollout(&[BASE]);
    let input = RouterInput {
        rollout: &ro,
        replica_sets: &[],
    };
    let settings = RoutingSettings {
        ambassador_api_version: Some("x.getambassador.io/v3alpha1".into()),
        ..RoutingSettings::default()
    };
    let references: Vec<ObjectRef> = routers_with(input, &settings)
        .iter()
        .flat_map(|r| r.references())
        .collect();
    assert_eq!(
        references,
        [
            ObjectRef::new("x.getambassador.io/v3alpha1", "AmbassadorMapping", "default", BASE),
            ObjectRef::new("x.getambassador.io/v3alpha1", "AmbassadorMapping", "default", CANARY),
        ]
    );
}
