//! `SetHeaderRoute`: the header route's exact shape, its place first among the http routes, its
//! removal, and upstream's errors.

use rollouts_api::steps::SetHeaderRoute;
use serde_json::json;

use super::*;

const HEADER: &str = "test-header-route";

fn header_step(name: &str, header: &str, value: Value) -> SetHeaderRoute {
    serde_json::from_value(json!({"name": name, "match": [{"headerName": header, "headerValue": value}]})).unwrap()
}

fn removal(name: &str) -> SetHeaderRoute {
    serde_json::from_value(json!({"name": name})).unwrap()
}

fn set(case: &mut Case, step: &SetHeaderRoute) -> Result<Vec<Value>, String> {
    case.call(|r, o| r.set_header_route(o, step)).map_err(|e| e.0)?;
    Ok(case.updates())
}

fn host_case(vs: Value) -> Case {
    Case::new(
        with_managed_routes(host_rollout(json!({"name": "vsvc", "routes": ["primary"]})), &[HEADER]),
        &[vs],
    )
}

#[test]
fn http_reconcile_header_route_host_based() {
    let mut case = host_case(regular_vsvc());
    let writes = set(&mut case, &header_step(HEADER, "agent", json!({"exact": "firefox"}))).unwrap();
    assert_eq!(writes.len(), 1);
    assert_eq!(route_names(&writes[0]), [HEADER, "primary", "secondary"]);
    assert_eq!(
        writes[0]["spec"]["http"][0],
        json!({
            "name": HEADER,
            "match": [{"headers": {"agent": {"exact": "firefox"}}}],
            "route": [{"weight": 100, "destination": {"host": "canary"}}]
        })
    );
    assert_eq!(writes[0]["spec"]["http"][1], http("primary"));

    let writes = set(&mut case, &removal(HEADER)).unwrap();
    assert_eq!(writes, vec![regular_vsvc()]);
}

#[test]
fn http_reconcile_header_route_subset_based() {
    let mut ro = subset_rollout(json!({"name": "vsvc"}), None);
    let rule = ro
        .spec
        .strategy
        .as_mut()
        .unwrap()
        .canary
        .as_mut()
        .unwrap()
        .traffic_routing
        .as_mut()
        .unwrap();
    let istio_rule = rule.istio.as_mut().unwrap().destination_rule.as_mut().unwrap();
    istio_rule.stable_subset_name = "stable-subset".into();
    istio_rule.canary_subset_name = "canary-subset".into();
    let dr = destination_rule(
        json!({"host": "rollout-service", "subsets": [{"name": "stable-subset"}, {"name": "canary-subset"}]}),
    );
    let mut case = Case::new(
        with_managed_routes(ro, &[HEADER]),
        &[single_route_subset_vsvc("stable-subset", "canary-subset"), dr],
    );
    let writes = set(&mut case, &header_step(HEADER, "agent", json!({"regex": "firefox"}))).unwrap();
    assert_eq!(route_names(&writes[0]), [HEADER, "-"]);
    assert_eq!(
        writes[0]["spec"]["http"][0],
        json!({
            "name": HEADER,
            "match": [{"headers": {"agent": {"regex": "firefox"}}}],
            "route": [{"weight": 100, "destination": {"host": "rollout-service", "subset": "canary-subset"}}]
        })
    );
}

#[test]
fn http_reconcile_header_route_with_extra() {
    let mut case = host_case(regular_vsvc_with_extra());
    let writes = set(&mut case, &header_step(HEADER, "agent", json!({"exact": "firefox"}))).unwrap();
    let http = &writes[0]["spec"]["http"];
    assert_eq!(route_names(&writes[0]), [HEADER, "primary", "secondary"]);
    // The canary keeps the port of the weighted route; the other routes keep every field.
    assert_eq!(
        http[0]["route"],
        json!([{"weight": 100, "destination": {"host": "canary", "port": {"number": 8443}}}])
    );
    assert_eq!(http[1], regular_vsvc_with_extra()["spec"]["http"][0]);
    assert_eq!(http[2], regular_vsvc_with_extra()["spec"]["http"][1]);

    case.call(|r, o| r.remove_managed_routes(o)).unwrap();
    assert_eq!(case.updates(), vec![regular_vsvc_with_extra()]);
}

#[test]
fn reconcile_update_header() {
    let ro = with_managed_routes(
        host_rollout(json!({"name": "vsvc", "routes": ["primary"]})),
        &["test-mirror-1"],
    );
    let mut case = Case::new(ro, &[regular_vsvc()]);
    let writes = set(
        &mut case,
        &header_step("test-mirror-1", "browser", json!({"prefix": "Firefox"})),
    )
    .unwrap();
    assert_eq!(writes.len(), 1);
    assert_eq!(
        writes[0]["spec"]["http"][0]["match"],
        json!([{"headers": {"browser": {"prefix": "Firefox"}}}])
    );
}

#[test]
fn reconcile_header_route_avoid_duplicates() {
    let mut case = host_case(regular_vsvc());
    let step = header_step(HEADER, "browser", json!({"prefix": "Firefox"}));
    assert_eq!(set(&mut case, &step).unwrap().len(), 1);
    // Upstream writes the same object again; nothing changed, so nothing is written.
    assert_eq!(set(&mut case, &step).unwrap(), Vec::<Value>::new());
    assert_eq!(route_names(&case.vs("vsvc")), [HEADER, "primary", "secondary"]);
}

#[test]
fn header_routes_follow_managed_routes_order() {
    let ro = with_managed_routes(
        host_rollout(json!({"name": "vsvc", "routes": ["primary"]})),
        &["b", "a"],
    );
    let mut case = Case::new(ro, &[regular_vsvc()]);
    set(&mut case, &header_step("a", "x", json!({"exact": "1"}))).unwrap();
    let writes = set(&mut case, &header_step("b", "x", json!({"exact": "2"}))).unwrap();
    assert_eq!(route_names(&writes[0]), ["b", "a", "primary", "secondary"]);
}

#[test]
fn header_route_errors() {
    let mut case = host_case(regular_vsvc());
    case.objects = crate::traffic::Objects::new(&[]);
    assert_eq!(
        set(&mut case, &header_step(HEADER, "agent", json!({"exact": "firefox"}))),
        Err("[SetHeaderRoute] failed to get istio virtual service: virtualservices.networking.istio.io \"vsvc\" not found".into())
    );

    let tls_only = virtual_service("vsvc", json!({"tls": [port_route(3000)]}));
    let mut case = host_case(tls_only);
    assert_eq!(
        set(&mut case, &header_step(HEADER, "agent", json!({"exact": "firefox"}))),
        Err("[SetHeaderRoute] failed to reconcile header routes: [reconcileVirtualServiceHeaderRoutes] failed to remove http route from virtual service: spec.http not found".into())
    );
    assert_eq!(
        set(&mut case, &removal(HEADER)),
        Err("[SetHeaderRoute] failed to reconcile header routes: [reconcileVirtualServiceHeaderRoutes] failed to remove route from virtual service: spec.http not found".into())
    );

    let mut case = Case::new(
        with_managed_routes(subset_rollout(json!({"name": "vsvc"}), None), &[HEADER]),
        &[single_route_subset_vsvc("stable", "canary")],
    );
    assert_eq!(
        set(&mut case, &header_step(HEADER, "agent", json!({"exact": "firefox"}))),
        Err("[SetHeaderRoute] failed to reconcile header routes: destinationrules.networking.istio.io \"istio-destrule\" not found".into())
    );

    let not_a_list = virtual_service("vsvc", json!({"http": "invalid"}));
    let mut case = host_case(not_a_list);
    assert_eq!(
        set(&mut case, &removal(HEADER)),
        Err("[SetHeaderRoute] failed to reconcile header routes: [reconcileVirtualServiceHeaderRoutes] failed to remove route from virtual service: [removeRoute] failed to get http routes from virtual service: .spec.http accessor error: invalid is of the type string, expected []interface{}".into())
    );
}
