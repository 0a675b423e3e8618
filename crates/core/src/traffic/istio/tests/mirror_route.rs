//! `SetMirrorRoute`: the mirror route's exact shape, its place in `managedRoutes` order, its weights
//! following `SetWeight`, its removal, and upstream's errors.

use rollouts_api::steps::SetMirrorRoute;
use serde_json::json;

use super::*;

fn mirror_step(name: &str, method: &str, percentage: Option<i32>) -> SetMirrorRoute {
    let mut step = json!({"name": name, "match": [{"method": {"exact": method}}]});
    if let Some(p) = percentage {
        step["percentage"] = json!(p);
    }
    serde_json::from_value(step).unwrap()
}

fn removal(name: &str) -> SetMirrorRoute {
    serde_json::from_value(json!({"name": name})).unwrap()
}

fn set(case: &mut Case, step: &SetMirrorRoute) -> Result<Vec<Value>, String> {
    case.call(|r, o| r.set_mirror_route(o, step)).map_err(|e| e.0)?;
    Ok(case.updates())
}

fn remove_all(case: &mut Case) -> Vec<Value> {
    case.call(|r, o| r.remove_managed_routes(o)).unwrap();
    case.updates()
}

#[test]
fn http_reconcile_mirror_route() {
    let ro = host_rollout(json!({"name": "vsvc", "routes": ["primary"]}));
    let mut case = Case::new(
        with_managed_routes(ro, &["test-mirror-1", "test-mirror-2"]),
        &[regular_vsvc()],
    );
    let writes = set(&mut case, &mirror_step("test-mirror-1", "GET", None)).unwrap();
    assert_eq!(writes.len(), 1);
    assert_eq!(route_names(&writes[0]), ["test-mirror-1", "primary", "secondary"]);
    assert_eq!(
        writes[0]["spec"]["http"][0],
        json!({
            "name": "test-mirror-1",
            "match": [{"method": {"exact": "GET"}}],
            "route": [{"destination": {"host": "stable"}, "weight": 100}, {"destination": {"host": "canary"}}],
            "mirror": {"host": "canary"},
            "mirrorPercentage": {"value": 100}
        })
    );

    let writes = set(&mut case, &removal("test-mirror-1")).unwrap();
    assert_eq!(writes, vec![regular_vsvc()]);

    set(&mut case, &mirror_step("test-mirror-1", "GET", None)).unwrap();
    let writes = set(&mut case, &mirror_step("test-mirror-2", "GET", Some(90))).unwrap();
    assert_eq!(
        route_names(&writes[0]),
        ["test-mirror-1", "test-mirror-2", "primary", "secondary"]
    );
    assert_eq!(writes[0]["spec"]["http"][1]["mirrorPercentage"], json!({"value": 90}));

    assert_eq!(remove_all(&mut case), vec![regular_vsvc()]);
}

#[test]
fn http_reconcile_mirror_route_with_extra_fields() {
    let ro = host_rollout(json!({"name": "vsvc", "routes": ["primary"]}));
    let mut case = Case::new(
        with_managed_routes(ro, &["test-mirror-1"]),
        &[regular_vsvc_with_extra()],
    );
    let writes = set(&mut case, &mirror_step("test-mirror-1", "GET", None)).unwrap();
    let http = &writes[0]["spec"]["http"];
    assert_eq!(
        http[0]["route"],
        json!([
            {"destination": {"host": "stable", "port": {"number": 8443}}, "weight": 100},
            {"destination": {"host": "canary", "port": {"number": 8443}}}
        ])
    );
    assert_eq!(http[0]["mirror"], json!({"host": "canary", "port": {"number": 8443}}));
    assert_eq!(http[1], regular_vsvc_with_extra()["spec"]["http"][0]);
    assert_eq!(http[2], regular_vsvc_with_extra()["spec"]["http"][1]);
}

#[test]
fn http_reconcile_mirror_route_order() {
    let ro = host_rollout(json!({"name": "vsvc", "routes": ["primary", "secondary"]}));
    let ro = with_managed_routes(ro, &["test-mirror-2", "test-mirror-3", "test-mirror-1"]);
    let mut case = Case::new(ro, &[regular_vsvc()]);
    set(&mut case, &mirror_step("test-mirror-1", "GET", None)).unwrap();
    set(&mut case, &mirror_step("test-mirror-2", "POST", Some(90))).unwrap();
    set(&mut case, &mirror_step("test-mirror-3", "GET", Some(90))).unwrap();
    let writes = case.set_weight(40, &[]);
    assert_eq!(
        weights(&writes[0], "http"),
        [
            "test-mirror-2: stable=60 canary=40",
            "test-mirror-3: stable=60 canary=40",
            "test-mirror-1: stable=60 canary=40",
            "primary: stable=60 canary=40",
            "secondary: stable=60 canary=40",
        ]
    );

    let writes = set(&mut case, &removal("test-mirror-3")).unwrap();
    assert_eq!(
        route_names(&writes[0]),
        ["test-mirror-2", "test-mirror-1", "primary", "secondary"]
    );
    let writes = remove_all(&mut case);
    assert_eq!(route_names(&writes[0]), ["primary", "secondary"]);
}

#[test]
fn http_reconcile_mirror_route_order_single_route_no_name_keeps_the_inferred_route_weighted() {
    // Upstream adds the mirror routes to the route names, which turns off the single-route
    // inference: its `SetWeight(40)` leaves the unnamed route at 70/30. Here it follows too.
    let ro = host_rollout(json!({"name": "vsvc", "routes": []}));
    let ro = with_managed_routes(ro, &["test-mirror-2", "test-mirror-3", "test-mirror-1"]);
    let mut case = Case::new(ro, &[single_route_vsvc()]);
    case.set_weight(30, &[]);
    set(&mut case, &mirror_step("test-mirror-1", "GET", None)).unwrap();
    set(&mut case, &mirror_step("test-mirror-2", "POST", Some(90))).unwrap();
    let writes = set(&mut case, &mirror_step("test-mirror-3", "GET", Some(90))).unwrap();
    assert_eq!(
        weights(&writes[0], "http"),
        [
            "test-mirror-2: stable=70 canary=30",
            "test-mirror-3: stable=70 canary=30",
            "test-mirror-1: stable=70 canary=30",
            "-: stable=70 canary=30",
        ]
    );
    let writes = case.set_weight(40, &[]);
    assert_eq!(
        weights(&writes[0], "http"),
        [
            "test-mirror-2: stable=60 canary=40",
            "test-mirror-3: stable=60 canary=40",
            "test-mirror-1: stable=60 canary=40",
            "-: stable=60 canary=40",
        ]
    );
    let writes = set(&mut case, &removal("test-mirror-3")).unwrap();
    assert_eq!(route_names(&writes[0]), ["test-mirror-2", "test-mirror-1", "-"]);
    let writes = remove_all(&mut case);
    assert_eq!(route_names(&writes[0]), ["-"]);
}

#[test]
fn http_reconcile_mirror_route_subset() {
    let mut ro = subset_rollout(json!({"name": "vsvc"}), None);
    let routing = ro
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
    let rule = routing.istio.as_mut().unwrap().destination_rule.as_mut().unwrap();
    rule.stable_subset_name = "stable-subset".into();
    rule.canary_subset_name = "canary-subset".into();
    let dr = destination_rule(
        json!({"host": "rollout-service", "subsets": [{"name": "stable-subset"}, {"name": "canary-subset"}]}),
    );
    let vs = single_route_subset_vsvc("stable-subset", "canary-subset");
    let mut case = Case::new(with_managed_routes(ro, &["test-mirror-1"]), &[vs.clone(), dr]);
    let writes = set(&mut case, &mirror_step("test-mirror-1", "GET", None)).unwrap();
    assert_eq!(
        writes[0]["spec"]["http"][0],
        json!({
            "name": "test-mirror-1",
            "match": [{"method": {"exact": "GET"}}],
            "route": [
                {"destination": {"host": "rollout-service", "subset": "stable-subset"}, "weight": 100},
                {"destination": {"host": "rollout-service", "subset": "canary-subset"}}
            ],
            "mirror": {"host": "rollout-service", "subset": "canary-subset"},
            "mirrorPercentage": {"value": 100}
        })
    );
    assert_eq!(writes[0]["spec"]["http"][1], vs["spec"]["http"][0]);
    assert_eq!(remove_all(&mut case), vec![vs]);
}

#[test]
fn mirror_conditions_use_istio_names() {
    let ro = with_managed_routes(host_rollout(json!({"name": "vsvc", "routes": ["primary"]})), &["m"]);
    let mut case = Case::new(ro, &[regular_vsvc()]);
    let step: SetMirrorRoute = serde_json::from_value(json!({
        "name": "m",
        "percentage": 25,
        "match": [
            {"path": {"prefix": "/api"}, "headers": {"x-user": {"regex": "a.*"}}},
            {"method": {"exact": "POST"}}
        ]
    }))
    .unwrap();
    let writes = set(&mut case, &step).unwrap();
    assert_eq!(
        writes[0]["spec"]["http"][0]["match"],
        json!([{"uri": {"prefix": "/api"}, "headers": {"x-user": {"regex": "a.*"}}}, {"method": {"exact": "POST"}}])
    );
    assert_eq!(writes[0]["spec"]["http"][0]["mirrorPercentage"], json!({"value": 25}));
}

#[test]
fn reconcile_update_mirror() {
    let ro = with_managed_routes(
        host_rollout(json!({"name": "vsvc", "routes": ["primary"]})),
        &["test-mirror-1"],
    );
    let mut case = Case::new(ro, &[regular_vsvc()]);
    assert_eq!(
        set(&mut case, &mirror_step("test-mirror-1", "GET", None))
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        set(&mut case, &mirror_step("test-mirror-1", "GET", None))
            .unwrap()
            .len(),
        0
    );
}

#[test]
fn mirror_route_errors() {
    let ro = with_managed_routes(host_rollout(json!({"name": "vsvc", "routes": ["missing"]})), &["m"]);
    let mut case = Case::new(ro.clone(), &[regular_vsvc()]);
    assert_eq!(
        set(&mut case, &mirror_step("m", "GET", None)),
        Err("[SetMirrorRoute] failed reconcile virtual service for mirror routes: [reconcileVirtualServiceMirrorRoutes] failed to create mirror route: [createMirrorRoute] failed to get virtual service http route for keeping non-mirror weights set: [getVirtualServiceSetWeightRoute] failed to get routes that need to be patch when set weight is called: HTTP Route 'missing' is not found in the defined Virtual Service.".into())
    );
    let mut case = Case::new(ro.clone(), &[]);
    assert_eq!(
        set(&mut case, &mirror_step("m", "GET", None)),
        Err(
            "[SetMirrorRoute] failed to get virtual service: virtualservices.networking.istio.io \"vsvc\" not found"
                .into()
        )
    );
    let mut case = Case::new(ro, &[virtual_service("vsvc", json!({"tcp": [port_route(3000)]}))]);
    assert_eq!(
        set(&mut case, &removal("m")),
        Err("[SetMirrorRoute] failed reconcile virtual service for mirror routes: [reconcileVirtualServiceMirrorRoutes] failed to remove route from virtual service: spec.http not found".into())
    );
    let mut case = Case::new(
        with_managed_routes(subset_rollout(json!({"name": "vsvc"}), None), &["m"]),
        &[single_route_subset_vsvc("stable", "canary")],
    );
    assert_eq!(
        set(&mut case, &mirror_step("m", "GET", None)),
        Err("[SetMirrorRoute] failed reconcile virtual service for mirror routes: [reconcileVirtualServiceMirrorRoutes] failed to get destination rule host: destinationrules.networking.istio.io \"istio-destrule\" not found".into())
    );
}

#[test]
fn without_managed_routes_mirror_routes_go_first_and_header_routes_last() {
    // Validation requires `managedRoutes`; without it nothing reorders, so the insertion point shows.
    let mut case = Case::new(
        host_rollout(json!({"name": "vsvc", "routes": ["primary"]})),
        &[regular_vsvc()],
    );
    set(&mut case, &mirror_step("m", "GET", None)).unwrap();
    let header: rollouts_api::steps::SetHeaderRoute =
        serde_json::from_value(json!({"name": "h", "match": [{"headerName": "x", "headerValue": {"exact": "1"}}]}))
            .unwrap();
    case.call(|r, o| r.set_header_route(o, &header)).unwrap();
    assert_eq!(route_names(&case.vs("vsvc")), ["m", "primary", "secondary", "h"]);
}
