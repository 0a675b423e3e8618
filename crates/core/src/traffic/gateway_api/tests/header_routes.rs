//! `setHeaderRoute` and `removeManagedRoutes` (the plugin's `SetHTTPHeaderRoute`,
//! `SetGRPCHeaderRoute`, the filter, match-merging, repeat, multi-rule and removal tests).

use serde_json::{Value, json};

use super::*;

fn prefix_path() -> Value {
    json!({"type": "PathPrefix", "value": "/"})
}

/// The rule the router adds for the canary: the given matches, the canary on port 80.
fn managed_rule(name: &str, matches: Value) -> Value {
    json!({
        "name": name,
        "matches": matches,
        "backendRefs": [{"group": "", "kind": "Service", "name": CANARY, "port": 80}]
    })
}

fn header(name: &str, kind: &str, value: &str) -> Value {
    json!({"name": name, "type": kind, "value": value})
}

/// An HTTPRoute with one weighted rule matching `matches`.
fn http_route_matching(matches: Value) -> Value {
    http_route(json!([{"backendRefs": split(100, 0), "matches": matches}]))
}

fn grpc_route_matching(matches: Value) -> Value {
    grpc_route(json!([{"backendRefs": split(100, 0), "matches": matches}]))
}

/// Sets header route `step` on `object` through a Rollout configured with `config`; the writes.
fn set(config: Value, object: &Value, step: &SetHeaderRoute) -> Vec<Value> {
    let r = rollout(config);
    let mut objects = Objects::new(std::slice::from_ref(object));
    router(&r)
        .set_header_route(&mut objects, step)
        .expect("header route set");
    updates(&objects)
}

#[test]
fn http_header_route_with_a_prefix() {
    let step = header_step(MANAGED, "X-Test", json!({"prefix": "test"}));
    let writes = set(
        json!({"namespace": NS, "httpRoute": HTTP_ROUTE}),
        &mock_http_route(),
        &step,
    );
    let mut expected = mock_http_route();
    expected["spec"]["rules"] = json!([
        mock_http_route()["spec"]["rules"][0],
        managed_rule(
            MANAGED,
            json!([{"path": prefix_path(), "headers": [header("X-Test", "RegularExpression", "test.*")]}])
        )
    ]);
    assert_eq!(writes, [expected]);
}

#[test]
fn grpc_header_route_with_a_prefix() {
    let step = header_step(MANAGED, "X-Test", json!({"prefix": "test"}));
    let writes = set(
        json!({"namespace": NS, "grpcRoute": GRPC_ROUTE}),
        &mock_grpc_route(),
        &step,
    );
    let mut expected = mock_grpc_route();
    expected["spec"]["rules"] = json!([
        mock_grpc_route()["spec"]["rules"][0],
        managed_rule(
            MANAGED,
            json!([{"headers": [header("X-Test", "RegularExpression", "test.*")]}])
        )
    ]);
    assert_eq!(writes, [expected]);
}

#[test]
fn exact_regex_and_prefix_values() {
    let cases = [
        (json!({"exact": "a.b"}), header("X-V", "Exact", "a.b")),
        (
            json!({"regex": "^v[0-9]+$"}),
            header("X-V", "RegularExpression", "^v[0-9]+$"),
        ),
        // The prefix is a literal: the plugin's `v1.2.*` would also match `v102`.
        (
            json!({"prefix": "v1.2"}),
            header("X-V", "RegularExpression", "v1\\.2.*"),
        ),
        // Exact wins over prefix, prefix over regex, as the plugin picks them.
        (
            json!({"exact": "e", "prefix": "p", "regex": "r"}),
            header("X-V", "Exact", "e"),
        ),
        (
            json!({"exact": "", "prefix": "p", "regex": "r"}),
            header("X-V", "RegularExpression", "p.*"),
        ),
    ];
    for (value, expected) in cases {
        let step = header_step(MANAGED, "X-V", value.clone());
        let writes = set(json!({"httpRoute": HTTP_ROUTE}), &mock_http_route(), &step);
        assert_eq!(
            writes[0]["spec"]["rules"][1]["matches"][0]["headers"],
            json!([expected]),
            "{value}"
        );
    }
}

#[test]
fn a_header_value_without_a_match_type_is_the_plugins_error() {
    let step = header_step(MANAGED, "X-V", json!({}));
    let r = rollout(json!({"httpRoute": HTTP_ROUTE}));
    let mut objects = Objects::new(&[mock_http_route()]);
    assert_eq!(
        router(&r).set_header_route(&mut objects, &step).map_err(|e| e.0),
        Err("invalid header match type".to_string())
    );
    // Routes without header routes never look at the match.
    let r = rollout(json!({"httpRoutes": [{"name": HTTP_ROUTE}]}));
    assert_eq!(router(&r).set_header_route(&mut objects, &step), Ok(()));
    assert!(objects.writes().is_empty());
}

#[test]
fn filters_of_the_source_rule_are_copied() {
    let filters = json!([
        {"type": "RequestHeaderModifier", "requestHeaderModifier": {"add": [{"name": "X-Custom-Header", "value": "custom-value"}]}},
        {"type": "ResponseHeaderModifier", "responseHeaderModifier": {"set": [{"name": "X-Response-Header", "value": "response-value"}]}}
    ]);
    let step = header_step(MANAGED, "X-Test", json!({"prefix": "test"}));
    for (config, mut object) in [
        (json!({"httpRoute": HTTP_ROUTE}), mock_http_route()),
        (json!({"grpcRoute": GRPC_ROUTE}), mock_grpc_route()),
    ] {
        object["spec"]["rules"][0]["filters"] = filters.clone();
        let writes = set(config.clone(), &object, &step);
        assert_eq!(writes[0]["spec"]["rules"][1]["filters"], filters, "{config}");
        // Without filters (none, or an empty list), the managed rule has none.
        object["spec"]["rules"][0]["filters"] = json!([]);
        let writes = set(config.clone(), &object, &step);
        assert_eq!(writes[0]["spec"]["rules"][1].get("filters"), None, "{config}");
    }
}

#[test]
fn the_source_matches_are_kept_and_the_headers_added() {
    // The plugin's TestSetHTTPHeaderRouteWith{ExistingHeaders,ExistingMethod,ExistingQueryParams,
    // MultipleExistingHeaders,CombinedMatches}.
    let canary = header("X-Canary", "Exact", "true");
    let host = header("Host", "Exact", "example.com");
    let agent = header("User-Agent", "RegularExpression", ".*Mobile.*");
    let query = json!([{"type": "Exact", "name": "version", "value": "v2"}]);
    let api = json!({"type": "PathPrefix", "value": "/api"});
    let cases = [
        (json!({"headers": [host]}), json!({"headers": [host, canary]})),
        (
            json!({"method": "POST"}),
            json!({"method": "POST", "headers": [canary]}),
        ),
        (
            json!({"queryParams": query}),
            json!({"queryParams": query, "headers": [canary]}),
        ),
        (
            json!({"headers": [host, agent]}),
            json!({"headers": [host, agent, canary]}),
        ),
        (
            json!({"headers": [host], "method": "POST", "queryParams": query, "path": api}),
            json!({"headers": [host, canary], "method": "POST", "queryParams": query, "path": api}),
        ),
    ];
    let step = header_step(MANAGED, "X-Canary", json!({"exact": "true"}));
    for (source, expected) in cases {
        let writes = set(
            json!({"httpRoute": HTTP_ROUTE}),
            &http_route_matching(json!([source])),
            &step,
        );
        assert_eq!(
            writes[0]["spec"]["rules"][1],
            managed_rule(MANAGED, json!([expected])),
            "{source}"
        );
    }
}

#[test]
fn grpc_source_matches_are_kept_and_the_headers_added() {
    // The plugin's TestSetGRPCHeaderRouteWith{ExistingHeaders,MultipleExistingHeaders,MethodAndHeaders}.
    let canary = header("X-Canary", "Exact", "true");
    let host = header("Host", "Exact", "example.com");
    let agent = header("User-Agent", "RegularExpression", ".*gRPC.*");
    let method = json!({"type": "Exact", "service": "my.service.v1.MyService", "method": "GetUser"});
    let cases = [
        (json!({"headers": [host]}), json!({"headers": [host, canary]})),
        (
            json!({"headers": [host, agent]}),
            json!({"headers": [host, agent, canary]}),
        ),
        (
            json!({"headers": [host], "method": method}),
            json!({"headers": [host, canary], "method": method}),
        ),
    ];
    let step = header_step(MANAGED, "X-Canary", json!({"exact": "true"}));
    for (source, expected) in cases {
        let writes = set(
            json!({"grpcRoute": GRPC_ROUTE}),
            &grpc_route_matching(json!([source])),
            &step,
        );
        assert_eq!(
            writes[0]["spec"]["rules"][1],
            managed_rule(MANAGED, json!([expected])),
            "{source}"
        );
    }
}

#[test]
fn setting_the_same_header_route_again_writes_nothing() {
    // The plugin's TestSet{HTTP,GRPC}HeaderRouteNoDuplicateOnRepeatedCall: still two rules; and here
    // no write at all.
    let step = header_step(MANAGED, "X-Canary", json!({"exact": "true"}));
    for (config, object) in [
        (json!({"httpRoute": HTTP_ROUTE}), mock_http_route()),
        (json!({"grpcRoute": GRPC_ROUTE}), mock_grpc_route()),
    ] {
        let r = rollout(config);
        let router = router(&r);
        let mut objects = Objects::new(std::slice::from_ref(&object));
        router.set_header_route(&mut objects, &step).expect("set");
        router.set_header_route(&mut objects, &step).expect("set again");
        assert_eq!(updates(&objects).len(), 1);
        let rules = &held(&objects, &object)["spec"]["rules"];
        assert_eq!(rules.as_array().map(Vec::len), Some(2));
        assert_eq!(rules[1]["name"], MANAGED);
    }
}

#[test]
fn the_api_servers_defaults_do_not_make_a_difference() {
    // What the API server stores for the managed rule has the schema's defaults filled in; setting
    // the route again must still see it as the same rule.
    let step = header_step(MANAGED, "X-Canary", json!({"exact": "true"}));
    let mut stored = mock_http_route();
    stored["spec"]["rules"] = json!([
        {"backendRefs": [
            {"group": "", "kind": "Service", "name": STABLE, "port": 80, "weight": 100},
            {"group": "", "kind": "Service", "name": CANARY, "port": 80, "weight": 0}
         ],
         "matches": [{"path": prefix_path()}]},
        {"name": MANAGED,
         "matches": [{"path": prefix_path(), "headers": [header("X-Canary", "Exact", "true")]}],
         "backendRefs": [{"group": "", "kind": "Service", "name": CANARY, "port": 80, "weight": 1}]}
    ]);
    assert!(set(json!({"httpRoute": HTTP_ROUTE}), &stored, &step).is_empty());
    // A changed header is a change.
    let other = header_step(MANAGED, "X-Canary", json!({"exact": "false"}));
    let writes = set(json!({"httpRoute": HTTP_ROUTE}), &stored, &other);
    assert_eq!(
        writes[0]["spec"]["rules"][1]["matches"][0]["headers"],
        json!([header("X-Canary", "Exact", "false")])
    );
}

#[test]
fn two_header_routes_are_both_kept() {
    // The plugin's TestSet{HTTP,GRPC}HeaderRouteTwoDistinctNamesAppendsBoth.
    let one = header_step("header-route-one", "X-Canary", json!({"exact": "true"}));
    let two = header_step("header-route-two", "X-Version", json!({"exact": "beta"}));
    for (config, object) in [
        (json!({"httpRoute": HTTP_ROUTE}), mock_http_route()),
        (json!({"grpcRoute": GRPC_ROUTE}), mock_grpc_route()),
    ] {
        let r = rollout_json(config, |r| {
            r["spec"]["strategy"]["canary"]["trafficRouting"]["managedRoutes"] =
                json!([{"name": "header-route-one"}, {"name": "header-route-two"}]);
        });
        let router = router(&r);
        let mut objects = Objects::new(std::slice::from_ref(&object));
        router.set_header_route(&mut objects, &one).expect("one");
        router.set_header_route(&mut objects, &two).expect("two");
        let names: Vec<Value> = held(&objects, &object)["spec"]["rules"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| r["name"].clone())
            .collect();
        assert_eq!(
            names,
            [Value::Null, json!("header-route-one"), json!("header-route-two")]
        );
        // Setting the first again changes nothing, and removing one removes every managed rule.
        router.set_header_route(&mut objects, &one).expect("one again");
        assert_eq!(updates(&objects).len(), 2);
        router
            .set_header_route(&mut objects, &header_removal("header-route-one"))
            .expect("removed");
        assert_eq!(held(&objects, &object), object);
    }
}

#[test]
fn one_managed_rule_per_source_rule() {
    // The plugin's TestSet{HTTP,GRPC}HeaderRouteMultiRule{HTTP,GRPC}Route (its issue #207).
    let step = header_step(MANAGED, "X-Version", json!({"exact": "v2"}));
    let version = header("X-Version", "Exact", "v2");
    let path = |p: &str| json!({"type": "PathPrefix", "value": p});
    let object = http_route(json!([
        {"backendRefs": split(100, 0), "matches": [{"path": path("/a")}]},
        {"backendRefs": split(100, 0), "matches": [{"path": path("/b")}]}
    ]));
    let writes = set(json!({"httpRoute": HTTP_ROUTE}), &object, &step);
    let rules = &writes[0]["spec"]["rules"];
    assert_eq!(rules.as_array().map(Vec::len), Some(4));
    assert_eq!(
        rules[2],
        managed_rule(MANAGED, json!([{"path": path("/a"), "headers": [version]}]))
    );
    assert_eq!(
        rules[3],
        managed_rule(
            "test-header-route-1",
            json!([{"path": path("/b"), "headers": [version]}])
        )
    );

    let method = |m: &str| json!({"type": "Exact", "service": "svc.Service", "method": m});
    let object = grpc_route(json!([
        {"backendRefs": split(100, 0), "matches": [{"method": method("MethodA")}]},
        {"backendRefs": split(100, 0), "matches": [{"method": method("MethodB")}]}
    ]));
    let writes = set(json!({"grpcRoute": GRPC_ROUTE}), &object, &step);
    let rules = &writes[0]["spec"]["rules"];
    assert_eq!(
        rules[2],
        managed_rule(MANAGED, json!([{"method": method("MethodA"), "headers": [version]}]))
    );
    assert_eq!(
        rules[3],
        managed_rule(
            "test-header-route-1",
            json!([{"method": method("MethodB"), "headers": [version]}])
        )
    );
}

#[test]
fn set_weight_leaves_the_header_route_rule_alone() {
    // The plugin's SetWeightDoesNotClobber{HTTP,GRPC}HeaderRouteWeight (its issues #158 and #169).
    let step = header_step(MANAGED, "X-Canary", json!({"exact": "true"}));
    for (config, object) in [
        (json!({"httpRoute": HTTP_ROUTE}), mock_http_route()),
        (json!({"grpcRoute": GRPC_ROUTE}), mock_grpc_route()),
    ] {
        let r = rollout(config);
        let router = router(&r);
        let mut objects = Objects::new(std::slice::from_ref(&object));
        router.set_header_route(&mut objects, &step).expect("set");
        router.set_weight(&mut objects, 0, &[]).expect("weighted");
        let rules = &held(&objects, &object)["spec"]["rules"];
        assert_eq!(rules[0]["backendRefs"], split(100, 0));
        assert_eq!(rules[1]["backendRefs"][0].get("weight"), None);
        assert_eq!(updates(&objects).len(), 2);
    }
}

#[test]
fn removing_the_managed_routes_restores_the_route() {
    // The plugin's Remove{HTTP,GRPC}ManagedRoutes, after a header route was set.
    let step = header_step(MANAGED, "X-Canary", json!({"exact": "true"}));
    for (config, object) in [
        (json!({"httpRoute": HTTP_ROUTE}), mock_http_route()),
        (json!({"grpcRoute": GRPC_ROUTE}), mock_grpc_route()),
    ] {
        let r = rollout(config);
        let router = router(&r);
        let mut objects = Objects::new(std::slice::from_ref(&object));
        router.set_header_route(&mut objects, &step).expect("set");
        router.remove_managed_routes(&mut objects).expect("removed");
        let writes = updates(&objects);
        assert_eq!(writes.len(), 2);
        assert_eq!(writes[1], object);
        // Nothing left to remove: nothing written.
        router.remove_managed_routes(&mut objects).expect("removed");
        assert_eq!(updates(&objects).len(), 2);
    }
}

#[test]
fn a_step_without_match_removes_every_managed_rule() {
    let step = header_step(MANAGED, "X-Canary", json!({"exact": "true"}));
    for removal in [
        header_removal(MANAGED),
        SetHeaderRoute {
            name: Some(MANAGED.to_string()),
            r#match: Some(Vec::new()),
        },
    ] {
        let r = rollout(json!({"httpRoute": HTTP_ROUTE}));
        let router = router(&r);
        let mut objects = Objects::new(&[mock_http_route()]);
        router.set_header_route(&mut objects, &step).expect("set");
        router.set_header_route(&mut objects, &removal).expect("removed");
        assert_eq!(updates(&objects)[1], mock_http_route());
    }
}

#[test]
fn rules_from_before_rules_had_names_are_recognised_by_their_shape() {
    // Earlier plugin releases wrote unnamed rules with the canary as their only backend.
    let legacy = json!({
        "matches": [{"path": prefix_path(), "headers": [header("X-Canary", "Exact", "true")]}],
        "backendRefs": [{"group": "", "kind": "Service", "name": CANARY, "port": 80, "weight": 1}]
    });
    let mut object = mock_http_route();
    object["spec"]["rules"] = json!([mock_http_route()["spec"]["rules"][0], legacy]);
    let r = rollout(json!({"httpRoute": HTTP_ROUTE}));
    let router = router(&r);

    // Weights leave it alone.
    let mut objects = Objects::new(std::slice::from_ref(&object));
    router.set_weight(&mut objects, 20, &[]).expect("weighted");
    assert_eq!(held(&objects, &object)["spec"]["rules"][1], legacy);

    // Setting a header route on the same header replaces it.
    let step = header_step(MANAGED, "X-Canary", json!({"exact": "yes"}));
    let mut objects = Objects::new(std::slice::from_ref(&object));
    router.set_header_route(&mut objects, &step).expect("set");
    let rules = held(&objects, &object)["spec"]["rules"].clone();
    assert_eq!(rules.as_array().map(Vec::len), Some(2));
    assert_eq!(rules[1]["name"], MANAGED);

    // A header route on another header keeps it; removal drops both.
    let other = header_step(MANAGED, "X-Other", json!({"exact": "1"}));
    let mut objects = Objects::new(std::slice::from_ref(&object));
    router.set_header_route(&mut objects, &other).expect("set");
    assert_eq!(
        held(&objects, &object)["spec"]["rules"].as_array().map(Vec::len),
        Some(3)
    );
    router.remove_managed_routes(&mut objects).expect("removed");
    assert_eq!(held(&objects, &object), mock_http_route());
}

#[test]
fn only_routes_with_header_routes_get_them() {
    let step = header_step(MANAGED, "X-Canary", json!({"exact": "true"}));
    let second = route(
        "gateway.networking.k8s.io/v1",
        "HTTPRoute",
        "second",
        mock_http_route()["spec"]["rules"].clone(),
    );
    let r = rollout(json!({
        "httpRoutes": [{"name": HTTP_ROUTE, "useHeaderRoutes": false}, {"name": "second", "useHeaderRoutes": true}],
        "tcpRoute": TCP_ROUTE
    }));
    let mut objects = Objects::new(&[mock_http_route(), second]);
    router(&r).set_header_route(&mut objects, &step).expect("set");
    let writes = updates(&objects);
    assert_eq!(writes.len(), 1);
    assert_eq!(writes[0]["metadata"]["name"], "second");
}

#[test]
fn a_route_without_a_weighted_rule_is_the_plugins_error() {
    let step = header_step(MANAGED, "X-Canary", json!({"exact": "true"}));
    let cases = [
        (
            json!({"httpRoute": HTTP_ROUTE}),
            http_route(json!([{"backendRefs": [{"name": STABLE, "port": 80}]}])),
            "httpRoute",
        ),
        (
            json!({"grpcRoute": GRPC_ROUTE}),
            grpc_route(json!([{"backendRefs": [{"name": CANARY, "port": 80}]}])),
            "grpcRoute",
        ),
    ];
    for (config, object, word) in cases {
        let r = rollout(config);
        let mut objects = Objects::new(&[object]);
        assert_eq!(
            router(&r).set_header_route(&mut objects, &step).map_err(|e| e.0),
            Err(format!("backendRef was not found in {word}"))
        );
    }
}
