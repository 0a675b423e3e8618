//! `SetWeight`: the backends of the weighted rules.

use super::*;

#[test]
fn set_weight_writes_both_backends_of_the_default_rule() {
    let ro = rollout();
    let mut objects = Objects::new(&[apisix_route(100, 0)]);
    router(&ro).set_weight(&mut objects, 30, &[]).expect("weighted");
    assert_eq!(only_update(&objects), &apisix_route(70, 30));
}

#[test]
fn set_weight_at_the_current_weights_writes_nothing() {
    let ro = rollout();
    let mut objects = Objects::new(&[apisix_route(70, 30)]);
    router(&ro).set_weight(&mut objects, 30, &[]).expect("weighted");
    assert!(objects.writes().is_empty());
}

#[test]
fn set_weight_weights_only_the_named_rules() {
    let ro = rollout_with(STABLE, CANARY, json!({"name": ROUTE, "rules": ["second"]}));
    let mut route = apisix_route(100, 0);
    let mut second = route["spec"]["http"][0].clone();
    second["name"] = json!("second");
    route["spec"]["http"].as_array_mut().expect("rules").push(second);
    let mut objects = Objects::new(std::slice::from_ref(&route));
    router(&ro).set_weight(&mut objects, 40, &[]).expect("weighted");
    let mut expected = route.clone();
    expected["spec"]["http"][1]["backends"] = json!([backend(STABLE, 60), backend(CANARY, 40)]);
    assert_eq!(only_update(&objects), &expected);

    // An empty list weights no rule.
    let ro = rollout_with(STABLE, CANARY, json!({"name": ROUTE, "rules": []}));
    let mut objects = Objects::new(&[route]);
    router(&ro)
        .set_weight(&mut objects, 40, &[])
        .expect("nothing to weight");
    assert!(objects.writes().is_empty());
}

fn weight_error(ro: &Rollout, route: Option<Value>) -> String {
    let mut objects = Objects::new(route.as_slice());
    let error = router(ro).set_weight(&mut objects, 30, &[]).expect_err("an error");
    assert!(objects.writes().is_empty());
    error.to_string()
}

#[test]
fn set_weight_errors_as_upstream() {
    let ro = rollout();
    // SetWeightWithError: the route cannot be read.
    assert_eq!(
        weight_error(&ro, None),
        "apisixroutes.apisix.apache.org \"mocks-apisix-route\" not found"
    );
    // SetWeightWithErrorManifest: no spec.http.
    let mut manifest = apisix_route(100, 0);
    manifest["spec"] = json!({});
    assert_eq!(
        weight_error(&ro, Some(manifest)),
        "spec.http was not found in Apisix Route manifest"
    );
    // SetWeightWithErrorStableName / CanaryName: a Service with no backend.
    let fake_stable = rollout_with("fake-stable-rollout", CANARY, json!({"name": ROUTE}));
    assert_eq!(
        weight_error(&fake_stable, Some(apisix_route(100, 0))),
        "apisix route fake-stable-rollout backend was not found"
    );
    let fake_canary = rollout_with(STABLE, "fake-canary-rollout", json!({"name": ROUTE}));
    assert_eq!(
        weight_error(&fake_canary, Some(apisix_route(100, 0))),
        "apisix route fake-canary-rollout backend was not found"
    );
}

#[test]
fn malformed_rules_and_backends_error_as_upstream() {
    let ro = rollout();
    let with_http = |http: Value| {
        let mut route = apisix_route(100, 0);
        route["spec"]["http"] = http;
        Some(route)
    };
    // TestGetHttpRouteError
    let cases = [
        (json!([]), "Apisix http route rule mocks-apisix-route not found"),
        (json!([""]), "Failed type assertion for Apisix http route"),
        (json!([{"x": null}]), "Apisix http route rule name field not found"),
        (
            json!([{"name": 123}]),
            "Failed type assertion for Apisix http route rule name",
        ),
        (
            json!([{"name": "123"}]),
            "Apisix http route rule mocks-apisix-route not found",
        ),
        // TestGetBackendsError
        (json!([{"name": ROUTE}]), "Apisix http route backends not found"),
        (
            json!([{"name": ROUTE, "backends": "123"}]),
            "Failed type assertion for Apisix http route backends",
        ),
        // TestSetBackendWeightError
        (
            json!([{"name": ROUTE, "backends": [""]}]),
            "Failed type assertion for Apisix http route backends",
        ),
        (
            json!([{"name": ROUTE, "backends": [{"abc": 123}]}]),
            "serviceName field was not found in backend",
        ),
        (
            json!([{"name": ROUTE, "backends": [{"serviceName": 123}]}]),
            ".serviceName accessor error: 123 is of the type int64, expected string",
        ),
    ];
    for (http, message) in cases {
        assert_eq!(weight_error(&ro, with_http(http.clone())), message, "{http}");
    }
}
