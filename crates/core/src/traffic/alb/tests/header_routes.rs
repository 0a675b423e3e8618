//! Header routes and their removal: upstream's `TestSetHeaderRoute*` and `TestRemoveManagedRoutes*`,
//! with the annotations, bookkeeping and `use-annotation` paths written.

use rollouts_api::steps::{SetHeaderRoute, SetMirrorRoute};
use serde_json::{Value, json};

use super::*;
use crate::traffic::Router;

fn with_routes(alb: Value) -> rollouts_api::Rollout {
    let mut ro = rollout(STABLE_SVC, CANARY_SVC, None, alb);
    if let Some(routing) = ro
        .spec
        .strategy
        .as_mut()
        .and_then(|s| s.canary.as_mut())
        .and_then(|c| c.traffic_routing.as_mut())
    {
        routing.managed_routes = Some(vec![serde_json::from_value(json!({"name": "header-route"})).unwrap()]);
    }
    ro
}

fn route(matches: Value) -> SetHeaderRoute {
    serde_json::from_value(json!({"name": "header-route", "match": matches})).unwrap()
}

const HEADER_ACTION: &str = r#"{"Type":"forward","ForwardConfig":{"TargetGroups":[{"ServiceName":"canary-svc","ServicePort":"443","Weight":100}]}}"#;

/// `TestSetHeaderRoute(MultiIngress)`: the action and condition annotations, the bookkeeping, and the
/// route's path first in the rules; then removing the managed routes takes all of it away again.
#[test]
fn a_header_route_is_added_to_every_ingress_then_removed() {
    let ro = with_routes(multi());
    let ingresses = [
        ingress("ingress", "action1", 10, false),
        ingress("multi-ingress", "action2", 10, false),
    ];
    let step = route(json!([{"headerName": "Agent", "headerValue": {"exact": "Chrome"}}]));
    let (result, mut objects) = run(&ro, &ingresses, |r, o| r.set_header_route(o, &step));
    assert_eq!(result, Ok(()));
    assert_eq!(objects.writes().len(), 2);
    let written = objects.get(&ingress_ref("ingress")).cloned().unwrap();
    let annotations = &written["metadata"]["annotations"];
    assert_eq!(
        annotations["alb.ingress.kubernetes.io/actions.header-route"],
        HEADER_ACTION
    );
    assert_eq!(
        annotations["alb.ingress.kubernetes.io/conditions.header-route"],
        r#"[{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"Agent","values":["Chrome"]}}]"#
    );
    assert_eq!(
        annotations[MANAGED],
        r#"{"rollout":["alb.ingress.kubernetes.io/actions.action1","alb.ingress.kubernetes.io/actions.header-route","alb.ingress.kubernetes.io/conditions.header-route"]}"#
    );
    assert_eq!(
        written["spec"]["rules"][0]["http"]["paths"],
        json!([
            {"path": "/*", "pathType": "ImplementationSpecific",
             "backend": {"service": {"name": "header-route", "port": {"name": "use-annotation"}}}},
            {"backend": {"service": {"name": "action1", "port": {"name": "use-annotation"}}}},
        ])
    );
    let events: Vec<String> = objects.take_events().into_iter().map(|e| e.message).collect();
    assert_eq!(events[0], "Updating Ingress `ingress` to headerRoute 'header-route'");

    // The same step again changes nothing.
    let after: Vec<Value> = ["ingress", "multi-ingress"]
        .iter()
        .map(|n| objects.get(&ingress_ref(n)).cloned().unwrap())
        .collect();
    let (_, again) = run(&ro, &after, |r, o| r.set_header_route(o, &step));
    assert!(again.writes().is_empty(), "{:?}", again.writes());

    // Removing the managed routes restores each Ingress as it was, but for its bookkeeping entry.
    let (result, removed) = run(&ro, &after, |r, o| r.remove_managed_routes(o));
    assert_eq!(result, Ok(()));
    assert_eq!(removed.writes().len(), 2);
    for (name, original) in ["ingress", "multi-ingress"].iter().zip(&ingresses) {
        let now = removed.get(&ingress_ref(name)).unwrap();
        assert_eq!(now["spec"], original["spec"], "{name}");
        let mut annotations = now["metadata"]["annotations"].clone();
        let mut expected = original["metadata"]["annotations"].clone();
        annotations.as_object_mut().unwrap().remove(MANAGED);
        expected.as_object_mut().unwrap().remove(MANAGED);
        assert_eq!(annotations, expected, "{name}");
    }
}

/// `TestSetHeaderRouteWithDifferentHeaderNames` and `...WithDuplicateHeaderNameMatches`: one
/// condition per header name, the values of one name merged.
#[test]
fn conditions_group_values_by_header_name() {
    let ro = with_routes(single());
    let cases = [
        (
            json!([{"headerName": "origin", "headerValue": {"exact": "https://www.fake-origin1.com"}},
                   {"headerName": "Agent", "headerValue": {"exact": "Chrome"}}]),
            r#"[{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"origin","values":["https://www.fake-origin1.com"]}},{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"Agent","values":["Chrome"]}}]"#,
        ),
        (
            json!([{"headerName": "origin", "headerValue": {"exact": "https://www.fake-origin1.com"}},
                   {"headerName": "origin", "headerValue": {"exact": "https://www.fake-origin2.com"}}]),
            r#"[{"field":"http-header","httpHeaderConfig":{"httpHeaderName":"origin","values":["https://www.fake-origin1.com","https://www.fake-origin2.com"]}}]"#,
        ),
    ];
    for (matches, expected) in cases {
        let step = route(matches);
        let (result, objects) = run(&ro, &[ingress("ingress", "action1", 10, false)], |r, o| {
            r.set_header_route(o, &step)
        });
        assert_eq!(result, Ok(()));
        assert_eq!(objects.writes().len(), 1);
        assert_eq!(
            annotation(&objects, "ingress", "alb.ingress.kubernetes.io/conditions.header-route").as_deref(),
            Some(expected)
        );
    }
}

/// `TestRemoveManagedRoutes`: a step without `match` removes the route's annotations and path; the
/// removal of the managed routes then writes once more (the bookkeeping), and a third time nothing.
#[test]
fn a_step_without_match_removes_the_route() {
    let ro = with_routes(single());
    let mut held = ingress("ingress", "action1", 10, false);
    held["metadata"]["annotations"]["alb.ingress.kubernetes.io/actions.header-route"] = json!("{}");
    held["metadata"]["annotations"]["alb.ingress.kubernetes.io/conditions.header-route"] = json!("{}");
    held["metadata"]["annotations"][MANAGED] = json!(
        r#"{"rollout":["alb.ingress.kubernetes.io/actions.action1","alb.ingress.kubernetes.io/actions.header-route","alb.ingress.kubernetes.io/conditions.header-route"]}"#
    );
    held["spec"]["rules"] = json!([path_rule("action1"), path_rule("header-route")]);
    let step: SetHeaderRoute = serde_json::from_value(json!({"name": "header-route"})).unwrap();
    let (result, objects) = run(&ro, &[held], |r, o| r.set_header_route(o, &step));
    assert_eq!(result, Ok(()));
    assert_eq!(
        patches(&objects),
        [(
            "ingress".to_string(),
            json!({
                "metadata": {"annotations": {
                    "alb.ingress.kubernetes.io/actions.header-route": null,
                    "alb.ingress.kubernetes.io/conditions.header-route": null,
                    MANAGED: r#"{"rollout":["alb.ingress.kubernetes.io/actions.action1"]}"#,
                }},
                "spec": {"rules": [path_rule("action1"), {"http": {"paths": []}}]},
            })
        )]
    );
    let after = objects.get(&ingress_ref("ingress")).cloned().unwrap();
    let (_, removed) = run(&ro, &[after], |r, o| r.remove_managed_routes(o));
    assert!(removed.writes().is_empty(), "{:?}", removed.writes());
}

/// `TestSetHeaderRoute`: with no managed routes, removing them writes nothing; `TestSetMirrorRoute`:
/// mirror routes write nothing.
#[test]
fn no_managed_routes_and_mirror_routes_write_nothing() {
    let ro = rollout(STABLE_SVC, CANARY_SVC, None, multi());
    let ingresses = [
        ingress("ingress", STABLE_SVC, 10, false),
        ingress("multi-ingress", STABLE_SVC, 10, false),
    ];
    let mirror: SetMirrorRoute =
        serde_json::from_value(json!({"name": "mirror-route", "match": [{"method": {"exact": "GET"}}]})).unwrap();
    let (result, objects) = run(&ro, &ingresses, |r, o| {
        r.set_mirror_route(o, &mirror)?;
        r.remove_managed_routes(o)
    });
    assert_eq!(result, Ok(()));
    assert!(objects.writes().is_empty());
}

/// Several managed routes: their paths come first, in `managedRoutes` order.
#[test]
fn managed_route_paths_come_first_in_declared_order() {
    let mut ro = with_routes(single());
    if let Some(routing) = ro
        .spec
        .strategy
        .as_mut()
        .and_then(|s| s.canary.as_mut())
        .and_then(|c| c.traffic_routing.as_mut())
    {
        routing.managed_routes = Some(
            ["first", "second"]
                .iter()
                .map(|n| serde_json::from_value(json!({"name": n})).unwrap())
                .collect(),
        );
    }
    let exact = json!([{"headerName": "x", "headerValue": {"exact": "1"}}]);
    let second: SetHeaderRoute = serde_json::from_value(json!({"name": "second", "match": exact})).unwrap();
    let first: SetHeaderRoute = serde_json::from_value(json!({"name": "first", "match": exact})).unwrap();
    let (_, objects) = run(&ro, &[ingress("ingress", STABLE_SVC, 0, false)], |r, o| {
        r.set_header_route(o, &second)?;
        r.set_header_route(o, &first)
    });
    let held = objects.get(&ingress_ref("ingress")).unwrap();
    let names: Vec<&str> = held["spec"]["rules"][0]["http"]["paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["backend"]["service"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["first", "second", STABLE_SVC]);
}
