//! `SetHeaderRoute` and `RemoveManagedRoutes`: the header-route ApisixRoute.

use rollouts_api::steps::SetHeaderRoute;

use super::*;

fn step(matches: Option<Value>) -> SetHeaderRoute {
    let mut step = json!({"name": HEADER_ROUTE});
    if let Some(matches) = matches {
        step["match"] = matches;
    }
    serde_json::from_value(step).expect("a setHeaderRoute step")
}

fn exact(header: &str, value: &str) -> Value {
    json!([{"headerName": header, "headerValue": {"exact": value}}])
}

fn expr(op: &str, value: &str) -> Value {
    json!({"subject": {"scope": "Header", "name": "header-name"}, "op": op, "value": value})
}

fn set(objects: &mut Objects, step: &SetHeaderRoute) -> Result<(), RouterError> {
    let ro = rollout();
    router(&ro).set_header_route(objects, step)
}

#[test]
fn set_header_route_creates_an_owned_copy_routing_matches_to_the_canary() {
    // SetHeaderRoutePriorityWithNew: the copy is one priority above, without the stable backend.
    let mut objects = Objects::new(&[apisix_route(100, 0)]);
    set(&mut objects, &step(Some(exact("header-name", "value")))).expect("created");
    let expected = json!({
        "apiVersion": "apisix.apache.org/v2", "kind": "ApisixRoute",
        "metadata": {"name": HEADER_ROUTE, "namespace": "default", "ownerReferences": [owner()]},
        "spec": {"http": [{
            "name": ROUTE,
            "match": {"paths": ["/*"], "methods": ["GET"], "exprs": [expr("Equal", "value")]},
            "backends": [backend(CANARY, 100)],
            "priority": 1,
        }]},
    });
    assert_eq!(objects.writes(), [RoutingWrite::Create(expected)]);
}

#[test]
fn set_header_route_expressions_follow_the_match_kinds() {
    // SetHeaderRouteExprsWithNew / SetHeaderRouteExprs: exact, regex, prefix.
    let matches = json!([
        {"headerName": "header-name", "headerValue": {"exact": "value"}},
        {"headerName": "header-name", "headerValue": {"regex": "value"}},
        {"headerName": "header-name", "headerValue": {"prefix": "value"}},
    ]);
    let exprs = json!([
        expr("Equal", "value"),
        expr("RegexMatch", "value"),
        expr("RegexMatch", "^value.*")
    ]);
    let mut objects = Objects::new(&[apisix_route(100, 0)]);
    set(&mut objects, &step(Some(matches.clone()))).expect("created");
    match objects.writes() {
        [RoutingWrite::Create(route)] => assert_eq!(route["spec"]["http"][0]["match"]["exprs"], exprs),
        other => panic!("expected a create, got {other:?}"),
    }

    let mut objects = Objects::new(&[apisix_route(100, 0), header_route(true)]);
    set(&mut objects, &step(Some(matches))).expect("updated");
    let mut expected = header_route(true);
    expected["spec"]["http"][0]["match"]["exprs"] = exprs;
    assert_eq!(only_update(&objects), &expected);
}

#[test]
fn set_header_route_on_its_existing_route_keeps_the_priority_and_writes_only_changes() {
    // SetHeaderRoutePriority (existing): the priority stays 2.
    let mut objects = Objects::new(&[apisix_route(100, 0), header_route(true)]);
    set(&mut objects, &step(Some(exact("header-name", "value")))).expect("updated");
    let mut expected = header_route(true);
    expected["spec"]["http"][0]["match"]["exprs"] = json!([expr("Equal", "value")]);
    assert_eq!(only_update(&objects), &expected);

    // The route it already is: nothing written.
    let mut objects = Objects::new(&[apisix_route(100, 0), header_route(true)]);
    set(&mut objects, &step(Some(exact("trace", "debug")))).expect("unchanged");
    assert!(objects.writes().is_empty());
}

#[test]
fn set_header_route_errors_as_upstream() {
    // SetHeaderGetRouteError: the Rollout's ApisixRoute is missing.
    let mut objects = Objects::new(&[]);
    let error = set(&mut objects, &step(None)).expect_err("no route");
    assert_eq!(
        error.to_string(),
        "apisixroutes.apisix.apache.org \"mocks-apisix-route\" not found"
    );
    // SetHeaderDuplicateManagedRouteError: an ApisixRoute of that name the Rollout does not own.
    for matches in [Some(exact("header-name", "value")), None] {
        let mut objects = Objects::new(&[apisix_route(100, 0), header_route(false)]);
        let error = set(&mut objects, &step(matches)).expect_err("not ours");
        assert_eq!(error.to_string(), "duplicate ApisixRoute [set-header] already exists");
        assert!(objects.writes().is_empty());
    }
}

#[test]
fn set_header_route_without_match_deletes_the_route() {
    // SetHeaderRouteNilMatchWithNew: nothing to delete.
    let mut objects = Objects::new(&[apisix_route(100, 0)]);
    set(&mut objects, &step(None)).expect("nothing to do");
    assert!(objects.writes().is_empty());
    // SetHeaderRouteNilMatch
    let mut objects = Objects::new(&[apisix_route(100, 0), header_route(true)]);
    set(&mut objects, &step(None)).expect("deleted");
    assert_eq!(objects.writes(), [RoutingWrite::Delete(route_ref(HEADER_ROUTE))]);
}

#[test]
fn remove_managed_routes_deletes_only_owned_routes() {
    let ro = rollout();
    // RemoveManagedRoutes
    let mut objects = Objects::new(&[apisix_route(100, 0), header_route(true)]);
    router(&ro).remove_managed_routes(&mut objects).expect("removed");
    assert_eq!(objects.writes(), [RoutingWrite::Delete(route_ref(HEADER_ROUTE))]);
    // RemoveManagedRoutesNotFound, and a route of that name the Rollout does not own.
    for read in [
        vec![apisix_route(100, 0)],
        vec![apisix_route(100, 0), header_route(false)],
    ] {
        let mut objects = Objects::new(&read);
        router(&ro)
            .remove_managed_routes(&mut objects)
            .expect("nothing to remove");
        assert!(objects.writes().is_empty());
    }
    // RemoveManagedRoutesNilManagedRoutes
    let mut no_managed = rollout();
    if let Some(routing) = no_managed
        .spec
        .strategy
        .as_mut()
        .and_then(|s| s.canary.as_mut())
        .and_then(|c| c.traffic_routing.as_mut())
    {
        routing.managed_routes = None;
    }
    let mut objects = Objects::new(&[apisix_route(100, 0), header_route(true)]);
    router(&no_managed)
        .remove_managed_routes(&mut objects)
        .expect("nothing managed");
    assert!(objects.writes().is_empty());
    assert_eq!(router(&no_managed).references(), [route_ref(ROUTE)]);
}
