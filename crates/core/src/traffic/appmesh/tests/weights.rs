//! `SetWeight`: the VirtualRouter's weighted targets.

use super::*;

const ROUTE_TYPES: [&str; 4] = ["httpRoute", "tcpRoute", "http2Route", "grpcRoute"];

fn weight_error(read: &[Value], weight: i32) -> String {
    let ro = rollout();
    let mut objects = Objects::new(read);
    let error = router(&ro).set_weight(&mut objects, weight, &[]).expect_err("an error");
    assert!(objects.writes().is_empty());
    error.to_string()
}

#[test]
fn missing_objects_error_as_upstream() {
    // TestSetWeightWithMissingVsvc, TestSetWeightVsvcWithVnodeProvider,
    // TestSetWeightForVsvcWithMissingVrouter
    assert_eq!(weight_error(&[], 0), "Virtual-service is missing");
    assert_eq!(
        weight_error(&[vsvc_with_vnode()], 0),
        "Virtual-service is not associated with virtual-router"
    );
    assert_eq!(weight_error(&[vsvc_with_vrouter()], 50), "Virtual-router is missing");
}

#[test]
fn missing_objects_are_warned_of_as_upstream() {
    let ro = rollout();
    let warnings = |read: &[Value]| {
        let mut objects = Objects::new(read);
        let _ = router(&ro).set_weight(&mut objects, 10, &[]);
        objects
            .take_events()
            .into_iter()
            .map(|e| (e.warning, e.reason, e.message))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        warnings(&[]),
        [(
            true,
            "VirtualServiceNotFound".to_string(),
            "VirtualService `mysvc` not found in namespace `myns`".to_string()
        )]
    );
    assert_eq!(
        warnings(&[vsvc_with_vrouter()]),
        [(
            true,
            "VirtualRouterNotFound".to_string(),
            "VirtualRouter for `mysvc` not found in namespace `myns`".to_string()
        )]
    );
    assert!(warnings(&[vsvc_with_vnode()]).is_empty());
}

#[test]
fn set_weight_updates_the_targets_of_every_route_type() {
    // TestSetWeightForVsvcWithVrouter, wantUpdate true and false.
    let ro = rollout();
    for route_type in ROUTE_TYPES {
        let mut objects = Objects::new(&[vsvc_with_vrouter(), vrouter(route_type, 0, 100)]);
        router(&ro).set_weight(&mut objects, 55, &[]).expect("weighted");
        assert_eq!(
            objects.writes(),
            [RoutingWrite::Update(vrouter(route_type, 55, 45))],
            "{route_type}"
        );

        let mut objects = Objects::new(&[vsvc_with_vrouter(), vrouter(route_type, 0, 100)]);
        router(&ro).set_weight(&mut objects, 0, &[]).expect("unchanged");
        assert!(objects.writes().is_empty(), "{route_type}");
    }
}

#[test]
fn a_fractional_weight_equal_to_the_desired_one_is_not_rewritten() {
    let ro = rollout();
    let mut read = vrouter("httpRoute", 0, 100);
    read["spec"]["routes"][0]["httpRoute"]["action"]["weightedTargets"][0]["weight"] = json!(55.0);
    read["spec"]["routes"][0]["httpRoute"]["action"]["weightedTargets"][1]["weight"] = json!(45);
    let mut objects = Objects::new(&[vsvc_with_vrouter(), read]);
    router(&ro).set_weight(&mut objects, 55, &[]).expect("unchanged");
    assert!(objects.writes().is_empty());
}

#[test]
fn targets_of_other_nodes_or_namespaces_are_left_alone() {
    let ro = rollout();
    let mut read = vrouter("httpRoute", 0, 100);
    let targets = json!([
        {"virtualNodeRef": {"name": "mysvc-canary-vn", "namespace": "other"}, "weight": 0},
        {"virtualNodeRef": {"name": "mysvc-stable-vn", "namespace": "myns"}, "weight": 100},
        {"virtualNodeRef": {"name": "someone-else"}, "weight": 7},
    ]);
    read["spec"]["routes"][0]["httpRoute"]["action"]["weightedTargets"] = targets;
    let mut objects = Objects::new(&[vsvc_with_vrouter(), read.clone()]);
    router(&ro).set_weight(&mut objects, 30, &[]).expect("weighted");
    let mut expected = read;
    expected["spec"]["routes"][0]["httpRoute"]["action"]["weightedTargets"][1]["weight"] = json!(70);
    assert_eq!(objects.writes(), [RoutingWrite::Update(expected)]);
}

#[test]
fn invalid_routes_error_with_their_field() {
    // TestSetWeightWithInvalidRoutes
    let with_routes = |routes: Option<Value>| {
        let mut read = vrouter("httpRoute", 0, 100);
        match routes {
            Some(routes) => read["spec"]["routes"] = routes,
            None => {
                read["spec"].as_object_mut().expect("spec").remove("routes");
            }
        }
        [vsvc_with_vrouter(), read]
    };
    let cases = [
        (None, "spec.routes: Invalid value: \"mysvc-vrouter\": No routes found"),
        (
            Some(json!(["malformed-content"])),
            "spec.routes[0]: Invalid value: \"mysvc-vrouter\": not well-formed",
        ),
        (
            Some(json!([{"httpRoute": {}}])),
            "spec.routes[0].name: Invalid value: \"mysvc-vrouter\": not well-formed",
        ),
        (
            Some(json!([{"name": "primary", "badRoute": {}}])),
            "spec.routes[0]: Invalid value: \"mysvc-vrouter\": not well-formed",
        ),
        (
            Some(json!([{"name": "primary", "httpRoute": {}}])),
            "spec.routes[0].httpRoute.action.weightedTargets: Invalid value: \"mysvc-vrouter\": not well-formed",
        ),
        (
            Some(json!([{"name": "primary", "httpRoute": {"action": {"weightedTargets": [
                {"virtualNodeRef": {"name": "mysvc-canary-vn"}, "weight": "ten"}]}}}])),
            "spec.routes[0].httpRoute.action.weightedTargets[0].weight: Invalid value: \"mysvc-vrouter\": not well-formed",
        ),
    ];
    for (routes, message) in cases {
        assert_eq!(weight_error(&with_routes(routes), 55), message);
    }
}

#[test]
fn only_the_selected_routes_are_weighted() {
    // TestSetWeightForRolloutWithRouteFilter
    for (filter, want_update) in [
        (&["primary"][..], true),
        (&["unknown"][..], false),
        (&["unknown", "primary"][..], true),
    ] {
        let ro = rollout_with_routes(Some(filter));
        let mut objects = Objects::new(&[vsvc_with_vrouter(), vrouter("httpRoute", 0, 100)]);
        router(&ro).set_weight(&mut objects, 55, &[]).expect("weighted");
        if want_update {
            assert_eq!(
                objects.writes(),
                [RoutingWrite::Update(vrouter("httpRoute", 55, 45))],
                "{filter:?}"
            );
        } else {
            assert!(objects.writes().is_empty(), "{filter:?}");
        }
    }
}

/// App Mesh takes weights up to 100: a larger `maxTrafficWeight` (allowed next to NGINX) is written
/// as percentages, the canary's rounded down (upstream writes `100 - weight`, negative past 100).
#[test]
fn a_max_traffic_weight_above_100_is_written_as_percentages() {
    let mut ro = rollout();
    if let Some(routing) = ro
        .spec
        .strategy
        .as_mut()
        .and_then(|s| s.canary.as_mut())
        .and_then(|c| c.traffic_routing.as_mut())
    {
        routing.max_traffic_weight = Some(200);
    }
    for (weight, canary, stable) in [(150, 75, 25), (1, 0, 100), (200, 100, 0)] {
        let mut objects = Objects::new(&[vsvc_with_vrouter(), vrouter("httpRoute", 0, 100)]);
        router(&ro).set_weight(&mut objects, weight, &[]).expect("weighted");
        let expected: Vec<RoutingWrite> = (canary != 0)
            .then(|| RoutingWrite::Update(vrouter("httpRoute", canary, stable)))
            .into_iter()
            .collect();
        assert_eq!(objects.writes(), expected, "{weight}");
    }
}
