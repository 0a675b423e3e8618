//! `setWeight` (the plugin's `SetHTTPRouteWeight`, `SetGRPCRouteWeight`, `SetTCPRouteWeight`,
//! `SetTLSRouteWeight`, `SetWeightViaRoutes`, the label cases and
//! `TestSetWeightPreservesUnmanagedHTTPBackends`).

use serde_json::json;

use super::*;

#[test]
fn http_route_weight() {
    let r = rollout(json!({"namespace": NS, "httpRoute": HTTP_ROUTE}));
    let mut objects = Objects::new(&[mock_http_route()]);
    router(&r).set_weight(&mut objects, 30, &[]).expect("weighted");
    let expected = labelled(
        http_route(
            json!([{"backendRefs": split(70, 30), "matches": [{"path": {"type": "PathPrefix", "value": "/"}}]}]),
        ),
        LABEL,
        "in-progress",
    );
    assert_eq!(updates(&objects), [expected]);
}

#[test]
fn unchanged_weights_write_nothing() {
    let r = rollout(json!({"httpRoute": HTTP_ROUTE}));
    let router = router(&r);
    let mut objects = Objects::new(&[mock_http_route()]);
    router.set_weight(&mut objects, 30, &[]).expect("weighted");
    objects.take_writes();
    router.set_weight(&mut objects, 30, &[]).expect("weighted");
    assert!(objects.writes().is_empty());
    // A route already at the weight and labelled, as read, is not written either.
    let mut fresh = Objects::new(&[held(&objects, &mock_http_route())]);
    router.set_weight(&mut fresh, 30, &[]).expect("weighted");
    assert!(fresh.writes().is_empty());
}

#[test]
fn the_label_comes_with_the_canary_weight_and_goes_at_zero() {
    // The plugin's Set*RouteWeightAddsAndRemovesLabel, for each kind.
    let cases = [
        (
            json!({"httpRoute": HTTP_ROUTE}),
            http_route(json!([{"backendRefs": split(100, 0)}])),
            25,
        ),
        (
            json!({"grpcRoute": GRPC_ROUTE}),
            grpc_route(json!([{"backendRefs": split(100, 0)}])),
            40,
        ),
        (
            json!({"tcpRoute": TCP_ROUTE}),
            tcp_route(json!([{"backendRefs": split(100, 0)}])),
            15,
        ),
        (
            json!({"tlsRoute": TLS_ROUTE}),
            tls_route(json!([{"backendRefs": split(100, 0)}])),
            60,
        ),
    ];
    for (config, object, weight) in cases {
        let r = rollout(config);
        let router = router(&r);
        let mut objects = Objects::new(std::slice::from_ref(&object));
        router.set_weight(&mut objects, weight, &[]).expect("weighted");
        router.set_weight(&mut objects, 0, &[]).expect("weighted");
        let mut during = labelled(object.clone(), LABEL, "in-progress");
        during["spec"]["rules"][0]["backendRefs"] = split(i64::from(100 - weight), i64::from(weight));
        assert_eq!(updates(&objects), [during, object.clone()], "{}", object["kind"]);
    }
}

#[test]
fn removing_the_label_keeps_the_others() {
    let r = rollout(json!({"httpRoute": HTTP_ROUTE}));
    let mut object = http_route(json!([{"backendRefs": split(70, 30)}]));
    object["metadata"]["labels"] = json!({"app": "demo", LABEL: "in-progress"});
    let mut objects = Objects::new(std::slice::from_ref(&object));
    router(&r).set_weight(&mut objects, 0, &[]).expect("weighted");
    let mut expected = object;
    expected["metadata"]["labels"] = json!({"app": "demo"});
    expected["spec"]["rules"][0]["backendRefs"] = split(100, 0);
    assert_eq!(updates(&objects), [expected]);
}

#[test]
fn the_label_can_be_renamed_or_disabled() {
    let custom =
        rollout(json!({"httpRoute": HTTP_ROUTE, "inProgressLabelKey": "team/canary", "inProgressLabelValue": "on"}));
    let mut objects = Objects::new(&[mock_http_route()]);
    router(&custom).set_weight(&mut objects, 10, &[]).expect("weighted");
    assert_eq!(
        held(&objects, &mock_http_route())["metadata"]["labels"],
        json!({"team/canary": "on"})
    );

    let disabled = rollout(json!({"httpRoute": HTTP_ROUTE, "disableInProgressLabel": true}));
    let mut objects = Objects::new(&[mock_http_route()]);
    router(&disabled).set_weight(&mut objects, 10, &[]).expect("weighted");
    assert_eq!(held(&objects, &mock_http_route())["metadata"].get("labels"), None);
}

#[test]
fn grpc_tcp_and_tls_route_weights() {
    let cases = [
        (json!({"namespace": NS, "grpcRoute": GRPC_ROUTE}), mock_grpc_route()),
        (
            json!({"namespace": NS, "tcpRoute": TCP_ROUTE}),
            tcp_route(json!([{"backendRefs": split(0, 0)}])),
        ),
        (
            json!({"namespace": NS, "tlsRoute": TLS_ROUTE}),
            tls_route(json!([{"backendRefs": split(0, 0)}])),
        ),
    ];
    for (config, object) in cases {
        let r = rollout(config);
        let mut objects = Objects::new(std::slice::from_ref(&object));
        router(&r).set_weight(&mut objects, 30, &[]).expect("weighted");
        let mut expected = labelled(object.clone(), LABEL, "in-progress");
        expected["spec"]["rules"][0]["backendRefs"] = split(70, 30);
        assert_eq!(updates(&objects), [expected], "{}", object["kind"]);
    }
}

#[test]
fn every_listed_route_is_weighted_in_order() {
    // The plugin's SetWeightViaRoutes, with a GRPCRoute too: HTTP, gRPC, TCP, then TLS routes.
    let r = rollout(json!({
        "namespace": NS,
        "tlsRoutes": [{"name": TLS_ROUTE, "useHeaderRoutes": true}],
        "tcpRoutes": [{"name": TCP_ROUTE, "useHeaderRoutes": true}],
        "grpcRoutes": [{"name": GRPC_ROUTE}],
        "httpRoutes": [{"name": HTTP_ROUTE, "useHeaderRoutes": true}]
    }));
    let tcp = tcp_route(json!([{"backendRefs": split(0, 0)}]));
    let tls = tls_route(json!([{"backendRefs": split(0, 0)}]));
    let mut objects = Objects::new(&[tls.clone(), tcp.clone(), mock_grpc_route(), mock_http_route()]);
    router(&r).set_weight(&mut objects, 30, &[]).expect("weighted");
    let kinds: Vec<String> = updates(&objects)
        .iter()
        .map(|u| format!("{} {}", u["kind"], u["spec"]["rules"][0]["backendRefs"][1]["weight"]))
        .collect();
    assert_eq!(
        kinds,
        [
            "\"HTTPRoute\" 30",
            "\"GRPCRoute\" 30",
            "\"TCPRoute\" 30",
            "\"TLSRoute\" 30"
        ]
    );
}

#[test]
fn unmanaged_backends_keep_their_weight() {
    // The plugin's TestSetWeightPreservesUnmanagedHTTPBackends (its issue #203).
    let r = rollout(json!({"httpRoute": HTTP_ROUTE}));
    let router = router(&r);
    let extra = json!({"name": "extra-service", "port": 80, "weight": 1});
    let object = http_route(json!([{"backendRefs": [split(100, 0)[0], split(100, 0)[1], extra]}]));
    let mut objects = Objects::new(std::slice::from_ref(&object));
    router.set_weight(&mut objects, 30, &[]).expect("weighted");
    assert_eq!(
        held(&objects, &object)["spec"]["rules"][0]["backendRefs"],
        json!([split(70, 30)[0], split(70, 30)[1], extra])
    );
    router.set_weight(&mut objects, 0, &[]).expect("weighted");
    assert_eq!(
        held(&objects, &object)["spec"]["rules"][0]["backendRefs"],
        json!([split(100, 0)[0], split(100, 0)[1], extra])
    );
}

#[test]
fn every_rule_is_weighted() {
    let r = rollout(json!({"httpRoute": HTTP_ROUTE}));
    let path = |p: &str| json!([{"path": {"type": "PathPrefix", "value": p}}]);
    let object = http_route(json!([
        {"backendRefs": split(100, 0), "matches": path("/a")},
        {"backendRefs": [{"name": "other", "port": 80}], "matches": path("/other")},
        {"backendRefs": [split(100, 0)[1], split(100, 0)[0]], "matches": path("/b")}
    ]));
    let mut objects = Objects::new(std::slice::from_ref(&object));
    router(&r).set_weight(&mut objects, 40, &[]).expect("weighted");
    let rules = &held(&objects, &object)["spec"]["rules"];
    assert_eq!(rules[0]["backendRefs"], split(60, 40));
    assert_eq!(rules[1], object["spec"]["rules"][1]);
    assert_eq!(rules[2]["backendRefs"], json!([split(60, 40)[1], split(60, 40)[0]]));
}

#[test]
fn the_stable_gets_the_rest_of_max_traffic_weight() {
    // The plugin writes `100 - weight` whatever `maxTrafficWeight` is (a negative weight at 1000);
    // the rule must sum to `maxTrafficWeight`.
    let r = rollout_json(json!({"httpRoute": HTTP_ROUTE, "tcpRoute": TCP_ROUTE}), |r| {
        r["spec"]["strategy"]["canary"]["trafficRouting"]["maxTrafficWeight"] = json!(1000);
    });
    let tcp = tcp_route(json!([{"backendRefs": split(0, 0)}]));
    let mut objects = Objects::new(&[mock_http_route(), tcp.clone()]);
    router(&r).set_weight(&mut objects, 300, &[]).expect("weighted");
    assert_eq!(
        held(&objects, &mock_http_route())["spec"]["rules"][0]["backendRefs"],
        split(700, 300)
    );
    assert_eq!(held(&objects, &tcp)["spec"]["rules"][0]["backendRefs"], split(700, 300));
}

#[test]
fn a_missing_backend_is_the_plugins_error() {
    let only_stable = json!([{"backendRefs": [{"name": STABLE, "port": 80}]}]);
    let only_canary = json!([{"backendRefs": [{"name": CANARY, "port": 80}, {"name": "x", "port": 80}]}]);
    let cases = [
        (
            json!({"httpRoute": HTTP_ROUTE}),
            http_route(only_stable.clone()),
            "backendRef was not found in httpRoute",
        ),
        (
            json!({"httpRoute": HTTP_ROUTE}),
            http_route(only_canary.clone()),
            "backendRef was not found in httpRoute",
        ),
        (
            json!({"grpcRoute": GRPC_ROUTE}),
            grpc_route(only_stable.clone()),
            "backendRef was not found in grpcRoute",
        ),
        (
            json!({"tcpRoute": TCP_ROUTE}),
            tcp_route(only_stable.clone()),
            "backendRef list was not found in tcpRoute",
        ),
        (
            json!({"tcpRoute": TCP_ROUTE}),
            tcp_route(only_canary),
            "backendRef list was not found in tcpRoute",
        ),
        (
            json!({"tlsRoute": TLS_ROUTE}),
            tls_route(only_stable),
            "backendRef list was not found in tlsRoute",
        ),
        (
            json!({"httpRoute": HTTP_ROUTE}),
            http_route(json!(null)),
            "backendRef was not found in httpRoute",
        ),
    ];
    for (config, object, expected) in cases {
        let r = rollout(config);
        let mut objects = Objects::new(std::slice::from_ref(&object));
        assert_eq!(
            router(&r).set_weight(&mut objects, 10, &[]).map_err(|e| e.0),
            Err(expected.to_string()),
            "{object}"
        );
        assert!(objects.writes().is_empty());
    }
}

#[test]
fn a_missing_route_is_the_api_servers_not_found() {
    let cases = [
        (
            json!({"httpRoute": "absent"}),
            "httproutes.gateway.networking.k8s.io \"absent\" not found",
        ),
        (
            json!({"grpcRoute": "absent"}),
            "grpcroutes.gateway.networking.k8s.io \"absent\" not found",
        ),
        (
            json!({"tcpRoute": "absent"}),
            "tcproutes.gateway.networking.k8s.io \"absent\" not found",
        ),
        (
            json!({"tlsRoute": "absent"}),
            "tlsroutes.gateway.networking.k8s.io \"absent\" not found",
        ),
    ];
    for (config, expected) in cases {
        let r = rollout(config);
        let mut objects = Objects::new(&[mock_http_route()]);
        assert_eq!(
            router(&r).set_weight(&mut objects, 10, &[]).map_err(|e| e.0),
            Err(expected.to_string())
        );
    }
    // The route is looked up in the configured namespace, not the Rollout's.
    let r = rollout(json!({"httpRoute": HTTP_ROUTE, "namespace": "elsewhere"}));
    let mut objects = Objects::new(&[mock_http_route()]);
    assert!(router(&r).set_weight(&mut objects, 10, &[]).is_err());
}

#[test]
fn the_first_failure_stops_the_rest_after_the_writes_before_it() {
    let r = rollout(json!({"httpRoutes": [{"name": HTTP_ROUTE}, {"name": "absent"}], "tcpRoute": TCP_ROUTE}));
    let tcp = tcp_route(json!([{"backendRefs": split(0, 0)}]));
    let mut objects = Objects::new(&[mock_http_route(), tcp]);
    let error = router(&r).set_weight(&mut objects, 10, &[]).unwrap_err();
    assert_eq!(error.0, "httproutes.gateway.networking.k8s.io \"absent\" not found");
    assert_eq!(updates(&objects).len(), 1);
    assert_eq!(updates(&objects)[0]["kind"], "HTTPRoute");
}

#[test]
fn no_route_configured_is_the_plugins_error() {
    let r = rollout(json!({"namespace": NS}));
    let mut objects = Objects::new(&[]);
    assert_eq!(
        router(&r).set_weight(&mut objects, 10, &[]).map_err(|e| e.0),
        Err(
            "No routes configured. At least one of 'httpRoutes', 'grpcRoutes', 'tcpRoutes', 'tlsRoutes', \
             'httpRoute', 'grpcRoute', 'tcpRoute' or 'tlsRoute' must be set"
                .to_string()
        )
    );
    // Header routes have nothing to do and succeed, as the plugin's.
    assert_eq!(router(&r).remove_managed_routes(&mut objects), Ok(()));
}

#[test]
fn ping_pong_services_stand_in_when_no_service_is_named() {
    let r = rollout_json(json!({"httpRoute": HTTP_ROUTE}), |r| {
        let canary = &mut r["spec"]["strategy"]["canary"];
        if let Some(c) = canary.as_object_mut() {
            c.remove("stableService");
            c.remove("canaryService");
        }
        canary["pingPong"] = json!({"pingService": STABLE, "pongService": CANARY});
        r["status"] = json!({"canary": {"stablePingPong": "ping"}});
    });
    let mut objects = Objects::new(&[mock_http_route()]);
    router(&r).set_weight(&mut objects, 20, &[]).expect("weighted");
    assert_eq!(
        held(&objects, &mock_http_route())["spec"]["rules"][0]["backendRefs"],
        split(80, 20)
    );
}
