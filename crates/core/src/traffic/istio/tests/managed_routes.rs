//! `RemoveManagedRoutes`: the step routes and every route named in `managedRoutes` go, the user's
//! routes stay, and upstream's errors for VirtualServices that cannot be read.

use serde_json::json;

use super::super::managed_routes::order_routes;
use super::*;

fn with_steps(mut rollout: rollouts_api::Rollout, steps: Value) -> rollouts_api::Rollout {
    let canary = rollout.spec.strategy.as_mut().unwrap().canary.as_mut().unwrap();
    canary.steps = Some(serde_json::from_value(steps).unwrap());
    rollout
}

fn remove_all(case: &mut Case) -> Result<Vec<Value>, String> {
    case.call(|r, o| r.remove_managed_routes(o)).map_err(|e| e.0)?;
    Ok(case.updates())
}

fn canary_route(name: &str, header: &str, value: Value) -> Value {
    json!({"name": name, "match": [{"headers": {header: value}}], "route": [{"destination": {"host": "canary"}, "weight": 100}]})
}

fn header_steps() -> Value {
    json!([
        {"setWeight": 20},
        {"setHeaderRoute": {"name": "test-header-1", "match": [{"headerName": "x-test", "headerValue": {"exact": "test"}}]}},
        {"setWeight": 50},
        {"setHeaderRoute": {"name": "test-header-2", "match": [{"headerName": "x-version", "headerValue": {"prefix": "v2"}}]}}
    ])
}

#[test]
fn remove_managed_routes_with_header_routes() {
    let ro = with_steps(
        host_rollout(json!({"name": "vsvc", "routes": ["primary"]})),
        header_steps(),
    );
    let ro = with_managed_routes(ro, &["managed-route-1"]);
    let half =
        json!([{"destination": {"host": "stable"}, "weight": 50}, {"destination": {"host": "canary"}, "weight": 50}]);
    let user_route = json!({"name": "user-defined-route", "match": [{"uri": {"prefix": "/api"}}],
                            "route": [{"destination": {"host": "stable"}, "weight": 100}]});
    let vs = json!({
        "apiVersion": API_VERSION,
        "kind": "VirtualService",
        "metadata": {"name": "vsvc", "namespace": "default", "resourceVersion": "1"},
        "spec": {"http": [
            canary_route("test-header-1", "x-test", json!({"exact": "test"})),
            canary_route("test-header-2", "x-version", json!({"prefix": "v2"})),
            {"name": "managed-route-1", "route": half},
            {"name": "primary", "route": half},
            user_route
        ]}
    });
    let mut case = Case::new(ro, &[vs]);
    let writes = remove_all(&mut case).unwrap();
    let mut expected = case.vs("vsvc");
    expected["spec"]["http"] = json!([{"name": "primary", "route": half}, user_route]);
    assert_eq!(writes, vec![expected]);
}

#[test]
fn remove_managed_routes_virtual_service_not_found() {
    let ro = with_managed_routes(
        host_rollout(json!({"name": "vsvc", "routes": ["primary"]})),
        &["route1", "route2"],
    );
    let mut case = Case::new(ro, &[]);
    assert_eq!(remove_all(&mut case), Ok(vec![]));
}

#[test]
fn remove_managed_routes_multiple_virtual_services_with_one_not_found() {
    let ro = rollout(json!({
        "stableService": "stable",
        "canaryService": "canary",
        "trafficRouting": {
            "istio": {"virtualServices": [
                {"name": "vsvc1", "routes": ["primary"]},
                {"name": "vsvc2", "routes": ["secondary"]},
                {"name": "vsvc3", "routes": ["tertiary"]}
            ]},
            "managedRoutes": [{"name": "managed-route"}]
        }
    }));
    let with_managed = |name: &str| {
        virtual_service(
            name,
            json!({"http": [{"name": "managed-route", "route": split("stable", "canary")}, http("primary")]}),
        )
    };
    let mut case = Case::new(ro, &[with_managed("vsvc1"), with_managed("vsvc3")]);
    let writes = remove_all(&mut case).unwrap();
    let names: Vec<&str> = writes.iter().map(|w| w["metadata"]["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["vsvc1", "vsvc3"]);
    for write in &writes {
        assert_eq!(route_names(write), ["primary"]);
    }
}

#[test]
fn remove_managed_routes_with_step_routes_and_no_managed_routes() {
    let ro = with_steps(
        host_rollout(json!({"name": "vsvc", "routes": ["primary"]})),
        json!([{"setHeaderRoute": {"name": "test-header-1", "match": [{"headerName": "x-test", "headerValue": {"exact": "test"}}]}}]),
    );
    let vs = virtual_service(
        "vsvc",
        json!({"http": [canary_route("test-header-1", "x-test", json!({"exact": "test"})), http("primary")]}),
    );
    let mut case = Case::new(ro, &[vs]);
    let writes = remove_all(&mut case).unwrap();
    assert_eq!(writes.len(), 1);
    assert_eq!(route_names(&writes[0]), ["primary"]);

    let ro = with_steps(
        host_rollout(json!({"name": "vsvc", "routes": ["primary"]})),
        json!([{"setMirrorRoute": {"name": "test-mirror-1", "match": [{"method": {"exact": "GET"}}]}}]),
    );
    let mirror = json!({"name": "test-mirror-1", "match": [{"method": {"exact": "GET"}}],
                        "route": [{"destination": {"host": "stable"}, "weight": 100}], "mirror": {"host": "canary"}});
    let mut case = Case::new(
        ro,
        &[virtual_service("vsvc", json!({"http": [mirror, http("primary")]}))],
    );
    let writes = remove_all(&mut case).unwrap();
    assert_eq!(writes.len(), 1);
    assert_eq!(route_names(&writes[0]), ["primary"]);
}

#[test]
fn remove_managed_routes_with_invalid_step_route_entries_and_no_managed_routes() {
    let ro = with_steps(
        host_rollout(json!({"name": "vsvc", "routes": ["primary"]})),
        json!([{"setHeaderRoute": {"name": "header-route"}}, {"setMirrorRoute": {"name": "mirror-route"}}]),
    );
    let mut case = Case::new(ro, &[virtual_service("vsvc", json!({"http": ["not-a-route"]}))]);
    assert_eq!(remove_all(&mut case), Ok(vec![]));
    assert_eq!(case.vs("vsvc")["spec"]["http"], json!(["not-a-route"]));
}

#[test]
fn remove_managed_routes_without_managed_routes_or_step_routes() {
    let mut case = Case::new(
        host_rollout(json!({"name": "vsvc", "routes": ["primary"]})),
        &[regular_vsvc()],
    );
    assert_eq!(remove_all(&mut case), Ok(vec![]));
}

#[test]
fn remove_managed_routes_with_invalid_http_routes() {
    let mut case = Case::new(
        host_rollout(json!({"name": "vsvc", "routes": ["primary"]})),
        &[virtual_service("vsvc", json!({"http": "invalid"}))],
    );
    assert_eq!(
        remove_all(&mut case),
        Err("[RemoveManagedRoutes] failed to get http routes from virtual service: .spec.http accessor error: invalid is of the type string, expected []interface{}".into())
    );
}

#[test]
fn remove_managed_routes_with_invalid_managed_route_entries() {
    let ro = with_managed_routes(
        host_rollout(json!({"name": "vsvc", "routes": ["primary"]})),
        &["primary"],
    );
    let mut case = Case::new(ro, &[virtual_service("vsvc", json!({"http": ["not-a-route"]}))]);
    assert_eq!(
        remove_all(&mut case),
        Err("[RemoveManagedRoutes] failed to split managed and non-managed routes: [splitManagedRoutesAndNonManagedRoutes] failed to unmarsharl http route interface: json: cannot unmarshal string into Go value of type map[string]interface {}".into())
    );
}

#[test]
fn a_virtual_service_without_http_routes_does_not_stop_the_others() {
    // Upstream returns at the first VirtualService without http routes, leaving the next ones with
    // their managed routes; each is handled here.
    let ro = rollout(json!({
        "stableService": "stable",
        "canaryService": "canary",
        "trafficRouting": {
            "istio": {"virtualServices": [{"name": "tls-only", "tlsRoutes": [{"port": 3000}]}, {"name": "vsvc", "routes": ["primary"]}]},
            "managedRoutes": [{"name": "header"}]
        }
    }));
    let tls_only = virtual_service("tls-only", json!({"tls": [port_route(3000)]}));
    let vs = virtual_service(
        "vsvc",
        json!({"http": [canary_route("header", "x", json!({"exact": "1"})), http("primary")]}),
    );
    let mut case = Case::new(ro, &[tls_only, vs]);
    let writes = remove_all(&mut case).unwrap();
    assert_eq!(writes.len(), 1);
    assert_eq!(route_names(&writes[0]), ["primary"]);
}

#[test]
fn ordering_keeps_every_route_once() {
    // Upstream rebuilds the list by name, so two unnamed routes came out four times.
    let mut vs = virtual_service(
        "vsvc",
        json!({"http": [unnamed_http(), {"name": "m2", "route": []}, unnamed_http(), {"name": "m1", "route": []}]}),
    );
    order_routes(&mut vs, Some(&["m1".to_string(), "m2".to_string(), "m1".to_string()]));
    assert_eq!(route_names(&vs), ["m1", "m2", "-", "-"]);
    let before = vs.clone();
    order_routes(&mut vs, None);
    assert_eq!(vs, before);
}
