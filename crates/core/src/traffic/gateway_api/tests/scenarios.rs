//! Whole canaries, step by step, against the plugin's end-to-end expectations
//! (`test/e2e/chainsaw/*/assertions`): the route after each step, with the API server's defaults filled
//! in between reconciles, and no write when a reconcile changes nothing.

use serde_json::{Value, json};

use super::*;

/// What the API server stores for a written route: the schema defaults of backends and matches.
fn stored(mut route: Value) -> Value {
    for rule in route["spec"]["rules"].as_array_mut().into_iter().flatten() {
        for backend in rule["backendRefs"].as_array_mut().into_iter().flatten() {
            let b = backend.as_object_mut().expect("a backend object");
            b.entry("group").or_insert(json!(""));
            b.entry("kind").or_insert(json!("Service"));
            b.entry("weight").or_insert(json!(1));
        }
        if rule.get("matches").is_none() {
            rule["matches"] = json!([{"path": {"type": "PathPrefix", "value": "/"}}]);
        }
        for m in rule["matches"].as_array_mut().into_iter().flatten() {
            if m.get("path").is_none() {
                m["path"] = json!({"type": "PathPrefix", "value": "/"});
            }
        }
    }
    route
}

/// One reconcile: the router's calls, then the route as stored; how many writes it made.
fn reconcile(
    route: &mut Value,
    rollout: &rollouts_api::Rollout,
    calls: impl FnOnce(&dyn Router, &mut Objects),
) -> usize {
    let router = router(rollout);
    let mut objects = Objects::new(std::slice::from_ref(route));
    calls(router.as_ref(), &mut objects);
    let writes = objects.writes().len();
    *route = stored(held(&objects, route));
    writes
}

fn backends(route: &Value, rule: usize) -> Vec<(String, Value)> {
    route["spec"]["rules"][rule]["backendRefs"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|b| (b["name"].as_str().unwrap_or_default().to_string(), b["weight"].clone()))
        .collect()
}

fn rule_names(route: &Value) -> Vec<Value> {
    route["spec"]["rules"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| r["name"].clone())
        .collect()
}

#[test]
fn advanced_header_based_httproute() {
    let r = rollout_json(
        json!({"httpRoutes": [{"name": HTTP_ROUTE, "useHeaderRoutes": true}], "namespace": NS}),
        |r| {
            r["spec"]["strategy"]["canary"]["trafficRouting"]["managedRoutes"] =
                json!([{"name": "canary-route1"}, {"name": "canary-route2"}]);
        },
    );
    let first = header_step("canary-route1", "X-Test", json!({"exact": "test"}));
    let second = header_step("canary-route2", "X-Version", json!({"exact": "v2"}));
    let mut route = stored(http_route(json!([{"backendRefs": [
        {"name": STABLE, "port": 80}, {"name": CANARY, "port": 80}
    ]}])));

    // Initial: the canary at 0.
    assert_eq!(
        reconcile(&mut route, &r, |router, o| router
            .set_weight(o, 0, &[])
            .expect("weighted")),
        1
    );
    assert_eq!(
        backends(&route, 0),
        [(STABLE.into(), json!(100)), (CANARY.into(), json!(0))]
    );

    // setWeight 30, then setHeaderRoute canary-route1, and the pause after it.
    assert_eq!(
        reconcile(&mut route, &r, |router, o| router
            .set_weight(o, 30, &[])
            .expect("weighted")),
        1
    );
    let with_first = |router: &dyn Router, o: &mut Objects| {
        router.set_weight(o, 30, &[]).expect("weighted");
        router.set_header_route(o, &first).expect("header route");
    };
    assert_eq!(reconcile(&mut route, &r, with_first), 1);
    assert_eq!(reconcile(&mut route, &r, with_first), 0, "the pause changes nothing");
    assert_eq!(rule_names(&route), [Value::Null, json!("canary-route1")]);
    assert_eq!(
        backends(&route, 0),
        [(STABLE.into(), json!(70)), (CANARY.into(), json!(30))]
    );
    assert_eq!(
        route["spec"]["rules"][1]["matches"],
        json!([{"path": {"type": "PathPrefix", "value": "/"}, "headers": [{"name": "X-Test", "type": "Exact", "value": "test"}]}])
    );

    // setWeight 60, setHeaderRoute canary-route2 (the first stays).
    let with_second = |router: &dyn Router, o: &mut Objects| {
        router.set_weight(o, 60, &[]).expect("weighted");
        router.set_header_route(o, &second).expect("header route");
    };
    assert_eq!(reconcile(&mut route, &r, with_second), 2);
    assert_eq!(reconcile(&mut route, &r, with_second), 0);
    assert_eq!(
        rule_names(&route),
        [Value::Null, json!("canary-route1"), json!("canary-route2")]
    );
    assert_eq!(
        backends(&route, 0),
        [(STABLE.into(), json!(40)), (CANARY.into(), json!(60))]
    );

    // setWeight 90: the header-route rules keep their (defaulted) weight of 1.
    assert_eq!(
        reconcile(&mut route, &r, |router, o| router
            .set_weight(o, 90, &[])
            .expect("weighted")),
        1
    );
    assert_eq!(
        backends(&route, 0),
        [(STABLE.into(), json!(10)), (CANARY.into(), json!(90))]
    );
    assert_eq!(backends(&route, 1), [(CANARY.into(), json!(1))]);
    assert_eq!(backends(&route, 2), [(CANARY.into(), json!(1))]);

    // Promoted: the managed routes go and the stable takes everything; the label goes too.
    let done = |router: &dyn Router, o: &mut Objects| {
        router.remove_managed_routes(o).expect("removed");
        router.set_weight(o, 0, &[]).expect("weighted");
    };
    assert_eq!(reconcile(&mut route, &r, done), 2);
    assert_eq!(rule_names(&route), [Value::Null]);
    assert_eq!(
        backends(&route, 0),
        [(STABLE.into(), json!(100)), (CANARY.into(), json!(0))]
    );
    assert_eq!(route["metadata"].get("labels"), None);
    assert_eq!(reconcile(&mut route, &r, done), 0);
}

#[test]
fn httproute_multi_rule_header() {
    let r = rollout_json(
        json!({"httpRoutes": [{"name": HTTP_ROUTE, "useHeaderRoutes": true}]}),
        |r| {
            r["spec"]["strategy"]["canary"]["trafficRouting"]["managedRoutes"] = json!([{"name": "canary-route1"}]);
        },
    );
    let step = header_step("canary-route1", "X-Version", json!({"exact": "v2"}));
    let api = json!({"type": "PathPrefix", "value": "/v1/api"});
    let query = json!([{"name": "env", "value": "production"}]);
    let env = json!({"name": "x-ct-env", "type": "Exact", "value": "production"});
    let version = json!({"name": "X-Version", "type": "Exact", "value": "v2"});
    let mut route = stored(http_route(json!([
        {"backendRefs": [{"name": STABLE, "port": 80}, {"name": CANARY, "port": 80}],
         "matches": [{"path": api, "queryParams": query}]},
        {"backendRefs": [{"name": STABLE, "port": 80}, {"name": CANARY, "port": 80}],
         "matches": [{"path": api, "headers": [env]}]}
    ])));
    let canary_step = |router: &dyn Router, o: &mut Objects| {
        router.set_weight(o, 30, &[]).expect("weighted");
        router.set_header_route(o, &step).expect("header route");
    };
    assert_eq!(reconcile(&mut route, &r, canary_step), 2);
    assert_eq!(reconcile(&mut route, &r, canary_step), 0);
    assert_eq!(
        rule_names(&route),
        [
            Value::Null,
            Value::Null,
            json!("canary-route1"),
            json!("canary-route1-1")
        ]
    );
    for rule in 0..2 {
        assert_eq!(
            backends(&route, rule),
            [(STABLE.into(), json!(70)), (CANARY.into(), json!(30))]
        );
    }
    assert_eq!(
        route["spec"]["rules"][2]["matches"],
        json!([{"path": api, "queryParams": query, "headers": [version]}])
    );
    assert_eq!(
        route["spec"]["rules"][3]["matches"],
        json!([{"path": api, "headers": [env, version]}])
    );
    assert_eq!(backends(&route, 3), [(CANARY.into(), json!(1))]);

    let done = |router: &dyn Router, o: &mut Objects| {
        router.remove_managed_routes(o).expect("removed");
        router.set_weight(o, 0, &[]).expect("weighted");
    };
    assert_eq!(reconcile(&mut route, &r, done), 2);
    assert_eq!(rule_names(&route), [Value::Null, Value::Null]);
    assert_eq!(
        backends(&route, 1),
        [(STABLE.into(), json!(100)), (CANARY.into(), json!(0))]
    );
}

#[test]
fn httproute_two_headers() {
    let r = rollout_json(
        json!({"httpRoutes": [{"name": HTTP_ROUTE, "useHeaderRoutes": true}]}),
        |r| {
            r["spec"]["strategy"]["canary"]["trafficRouting"]["managedRoutes"] = json!([{"name": "canary-route1"}]);
        },
    );
    let security = json!({"name": "X-Security", "type": "Exact", "value": "secret123"});
    let mut route = stored(http_route(json!([{
        "matches": [{"headers": [security]}],
        "backendRefs": [{"name": STABLE, "port": 80}, {"name": CANARY, "port": 80}]
    }])));
    let step = header_step("canary-route1", "X-QA", json!({"exact": "true"}));
    reconcile(&mut route, &r, |router, o| {
        router.set_weight(o, 50, &[]).expect("weighted");
        router.set_header_route(o, &step).expect("header route");
    });
    assert_eq!(
        backends(&route, 0),
        [(STABLE.into(), json!(50)), (CANARY.into(), json!(50))]
    );
    assert_eq!(route["spec"]["rules"][1]["name"], "canary-route1");
    assert_eq!(
        route["spec"]["rules"][1]["matches"][0]["headers"],
        json!([security, {"name": "X-QA", "type": "Exact", "value": "true"}])
    );
}

#[test]
fn httproute_label_and_extra_backends() {
    let r = rollout(json!({"httpRoute": HTTP_ROUTE, "namespace": NS}));
    let extra = "httproute-extra-backends-extra-service";
    let mut route = stored(http_route(json!([{"backendRefs": [
        {"name": STABLE, "port": 80}, {"name": CANARY, "port": 80}, {"name": extra, "port": 80}
    ]}])));
    assert_eq!(route["metadata"].get("labels"), None);
    reconcile(&mut route, &r, |router, o| {
        router.set_weight(o, 30, &[]).expect("weighted");
    });
    assert_eq!(route["metadata"]["labels"][LABEL], "in-progress");
    assert_eq!(
        backends(&route, 0),
        [
            (STABLE.into(), json!(70)),
            (CANARY.into(), json!(30)),
            (extra.into(), json!(1))
        ]
    );
    reconcile(&mut route, &r, |router, o| {
        router.set_weight(o, 0, &[]).expect("weighted");
    });
    assert_eq!(route["metadata"].get("labels"), None);
    assert_eq!(
        backends(&route, 0),
        [
            (STABLE.into(), json!(100)),
            (CANARY.into(), json!(0)),
            (extra.into(), json!(1))
        ]
    );
}
