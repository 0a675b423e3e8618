//! Header routes on the canary Ingress, which upstream leaves unimplemented (argoproj/argo-rollouts#2830).

use serde_json::{Value, json};

use super::*;
use crate::traffic::{Objects, RoutingWrite};

/// A Rollout with the managed route `header-route`.
fn managed(nginx: Value) -> Rollout {
    rollout_with(
        nginx,
        json!({"managedRoutes": [{"name": "header-route"}, {"name": "mirror-route"}]}),
    )
}

/// The stable and canary Ingresses of one stable Ingress, the canary at weight 10.
fn read() -> Vec<Value> {
    vec![stable_ingress(STABLE, "stable-service"), existing_canary(CANARY, "10")]
}

/// The canary holding a header route.
fn canary_with(annotations: Value) -> Value {
    let mut canary = existing_canary(CANARY, "10");
    if let (Some(held), Some(extra)) = (
        canary["metadata"]["annotations"].as_object_mut(),
        annotations.as_object(),
    ) {
        held.extend(extra.clone());
    }
    canary
}

/// A `setHeaderRoute` step on `header-route` matching `header_value` on `X-Canary`.
fn route(header_value: Value) -> Value {
    json!({"name": "header-route", "match": [{"headerName": "X-Canary", "headerValue": header_value}]})
}

#[test]
fn upstream_2830_an_exact_header_match_sets_canary_by_header_value() {
    for (layout, nginx, pairs) in layouts() {
        let read: Vec<_> = pairs
            .iter()
            .flat_map(|(s, c)| [stable_ingress(s, "stable-service"), existing_canary(c, "10")])
            .collect();
        let (result, writes) = set_header_route(&managed(nginx), &read, route(json!({"exact": "yes"})));
        assert_eq!(result, Ok(()), "{layout}");
        let expected: Vec<_> = pairs
            .iter()
            .map(|(_, c)| {
                annotations_patch(
                    c,
                    json!({key("canary-by-header"): "X-Canary", key("canary-by-header-value"): "yes"}),
                )
            })
            .collect();
        assert_eq!(writes, expected, "{layout}");
    }
}

#[test]
fn upstream_2830_regex_and_prefix_matches_set_canary_by_header_pattern() {
    let (result, writes) = set_header_route(&managed(single()), &read(), route(json!({"regex": "^(a|b)$"})));
    assert_eq!(result, Ok(()));
    assert_eq!(
        writes,
        [annotations_patch(
            CANARY,
            json!({key("canary-by-header"): "X-Canary", key("canary-by-header-pattern"): "^(a|b)$"})
        )]
    );
    let (result, writes) = set_header_route(&managed(single()), &read(), route(json!({"prefix": "v1.2+"})));
    assert_eq!(result, Ok(()));
    assert_eq!(
        writes,
        [annotations_patch(
            CANARY,
            json!({key("canary-by-header"): "X-Canary", key("canary-by-header-pattern"): "^v1\\.2\\+.*"})
        )]
    );
}

/// Switching from an exact value to a pattern removes the value, which ingress-nginx would otherwise
/// test first.
#[test]
fn upstream_2830_a_new_match_replaces_the_old_one() {
    let canary = canary_with(json!({key("canary-by-header"): "X-Canary", key("canary-by-header-value"): "yes"}));
    let read = [stable_ingress(STABLE, "stable-service"), canary];
    let (result, writes) = set_header_route(&managed(single()), &read, route(json!({"regex": "y.*"})));
    assert_eq!(result, Ok(()));
    assert_eq!(
        writes,
        [annotations_patch(
            CANARY,
            json!({key("canary-by-header-value"): null, key("canary-by-header-pattern"): "y.*"})
        )]
    );
}

/// A `setHeaderRoute` with no match, and `remove_managed_routes`, remove the route; when it is
/// already gone nothing is written. A header route survives weight changes.
#[test]
fn upstream_2830_header_route_set_kept_and_removed() {
    let ro = managed(single());
    let mut objects = Objects::new(&read());
    let set: SetHeaderRoute = serde_json::from_value(route(json!({"exact": "yes"}))).expect("valid");
    let unset: SetHeaderRoute = serde_json::from_value(json!({"name": "header-route"})).expect("valid");
    let removal = annotations_patch(
        CANARY,
        json!({key("canary-by-header"): null, key("canary-by-header-value"): null}),
    );
    with_router(&ro, |r| {
        r.set_header_route(&mut objects, &set).expect("set");
        r.set_header_route(&mut objects, &set).expect("set again");
        assert_eq!(objects.take_writes().len(), 1, "set once");
        r.set_weight(&mut objects, 20, &[]).expect("weight");
        assert_eq!(
            objects.take_writes(),
            [annotations_patch(CANARY, json!({key("canary-weight"): "20"}))]
        );

        r.set_header_route(&mut objects, &unset).expect("unset");
        assert_eq!(objects.take_writes(), std::slice::from_ref(&removal));
        r.set_header_route(&mut objects, &unset).expect("unset again");
        assert!(objects.writes().is_empty());

        r.set_header_route(&mut objects, &set).expect("set");
        objects.take_writes();
        r.remove_managed_routes(&mut objects).expect("removed");
        assert_eq!(objects.take_writes(), std::slice::from_ref(&removal));
        r.remove_managed_routes(&mut objects).expect("removed again");
        assert!(objects.writes().is_empty());
    });
}

/// The canary Ingress is created by the header route when no weight made it yet: the step completes
/// at once, so the route would otherwise be lost. It starts at weight 0; the weight follows.
#[test]
fn upstream_2830_a_header_route_creates_a_missing_canary_at_weight_0() {
    let ro = managed(single());
    let (result, writes) = set_header_route(
        &ro,
        &[stable_ingress(STABLE, "stable-service")],
        route(json!({"exact": "yes"})),
    );
    assert_eq!(result, Ok(()));
    let mut expected = desired_canary(CANARY, "0");
    expected["metadata"]["annotations"][key("canary-by-header")] = json!("X-Canary");
    expected["metadata"]["annotations"][key("canary-by-header-value")] = json!("yes");
    assert_eq!(writes, [RoutingWrite::Create(expected)]);

    let unset = json!({"name": "header-route"});
    let (result, writes) = set_header_route(&ro, &[stable_ingress(STABLE, "stable-service")], unset);
    assert_eq!(result, Ok(()));
    assert!(writes.is_empty(), "no canary to remove a route from");
}

/// ingress-nginx tests one header per canary Ingress. All of a step's matches must hold, so acting on
/// the first alone would send the canary requests the step keeps from it: refused instead.
#[test]
fn upstream_2830_several_header_matches_are_refused() {
    let step = json!({"name": "header-route", "match": [
        {"headerName": "X-Canary", "headerValue": {"exact": "yes"}},
        {"headerName": "X-Region", "headerValue": {"exact": "eu"}},
    ]});
    let (result, writes) = set_header_route(&managed(single()), &read(), step);
    assert_eq!(
        result.map_err(|e| e.to_string()),
        Err(
            "setHeaderRoute `header-route` has 2 header matches, but an NGINX canary ingress can match only one header"
                .to_string()
        )
    );
    assert!(writes.is_empty());
}

#[test]
fn upstream_2830_a_match_without_a_value_is_refused() {
    let (result, writes) = set_header_route(&managed(single()), &read(), route(json!({})));
    assert_eq!(
        result.map_err(|e| e.to_string()),
        Err("setHeaderRoute `header-route`: StringMatch value missed, match value must have one of the following: exact, regex, prefix".to_string())
    );
    assert!(writes.is_empty());
}

/// Routes that are not managed, and Rollouts without managed routes, are left alone.
#[test]
fn upstream_2830_only_managed_routes_are_acted_on() {
    let step = json!({"name": "other", "match": [{"headerName": "X-Canary", "headerValue": {"exact": "yes"}}]});
    let (result, writes) = set_header_route(&managed(single()), &read(), step);
    assert_eq!((result, writes), (Ok(()), vec![]));

    let canary = canary_with(json!({key("canary-by-header"): "X-Canary"}));
    let read = [stable_ingress(STABLE, "stable-service"), canary];
    let (result, writes) = run(&rollout(single()), &read, |r, o| r.remove_managed_routes(o));
    assert_eq!((result, writes), (Ok(()), vec![]));
}

/// Header annotations the spec sets itself (`additionalIngressAnnotations`, upstream's workaround for
/// #2830) belong to the spec: header routes neither replace nor remove them.
#[test]
fn upstream_2830_header_annotations_from_the_spec_win() {
    let mut nginx = single();
    nginx["additionalIngressAnnotations"] = json!({"canary-by-header": "X-Static"});
    let ro = managed(nginx);
    let canary = canary_with(json!({key("canary-by-header"): "X-Static"}));
    let read = [stable_ingress(STABLE, "stable-service"), canary];
    let (result, writes) = set_header_route(&ro, &read, route(json!({"exact": "yes"})));
    assert_eq!((result, writes), (Ok(()), vec![]));
    let (result, writes) = run(&ro, &read, |r, o| r.remove_managed_routes(o));
    assert_eq!((result, writes), (Ok(()), vec![]));
}

/// A canary Ingress the Rollout does not control is refused here too.
#[test]
fn upstream_2830_a_foreign_canary_is_refused() {
    let mut canary = existing_canary(CANARY, "10");
    canary["metadata"]["ownerReferences"] = json!([]);
    let read = [stable_ingress(STABLE, "stable-service"), canary];
    let (result, writes) = set_header_route(&managed(single()), &read, route(json!({"exact": "yes"})));
    assert_eq!(
        result.map_err(|e| e.to_string()),
        Err("canary ingress `rollout-stable-ingress-canary` controlled by different object".to_string())
    );
    assert!(writes.is_empty());
}
