//! Upstream's reference checks (`getReferencedAppMeshResources`, `ValidateAppMeshVirtualRouter`).

use super::*;

fn missing(read: &[Value]) -> Option<String> {
    let ro = rollout();
    router(&ro)
        .missing_reference(&Objects::new(read))
        .map(|e| e.to_string())
}

fn problem(routes: Value) -> Option<String> {
    let ro = rollout();
    let mut read = vrouter("httpRoute", 0, 100);
    read["spec"]["routes"] = routes;
    router(&ro)
        .validate(&Objects::new(&[vsvc_with_vrouter(), read]))
        .map(|e| e.to_string())
}

const PATH: &str = "spec.strategy.canary.trafficRouting.appmesh.virtualService";

#[test]
fn missing_virtual_service_or_router_make_the_rollout_invalid() {
    assert_eq!(
        missing(&[]).as_deref(),
        Some(
            format!("{PATH}: Invalid value: \"mysvc.myns\": virtualservices.appmesh.k8s.aws \"mysvc\" not found")
                .as_str()
        )
    );
    assert_eq!(
        missing(&[vsvc_with_vrouter()]).as_deref(),
        Some(
            format!(
                "{PATH}: Invalid value: \"mysvc.myns\": virtualrouters.appmesh.k8s.aws \"mysvc-vrouter\" not found"
            )
            .as_str()
        )
    );
    // Not provided by a router: left to the weighting's error, as upstream.
    assert_eq!(missing(&[vsvc_with_vnode()]), None);
    assert_eq!(missing(&[vsvc_with_vrouter(), vrouter("httpRoute", 0, 100)]), None);

    let mut no_service = rollout();
    if let Some(app_mesh) = no_service
        .spec
        .strategy
        .as_mut()
        .and_then(|s| s.canary.as_mut())
        .and_then(|c| c.traffic_routing.as_mut())
        .and_then(|r| r.app_mesh.as_mut())
    {
        app_mesh.virtual_service = None;
    }
    assert_eq!(
        router(&no_service)
            .missing_reference(&Objects::new(&[]))
            .map(|e| e.to_string())
            .as_deref(),
        Some(format!("{PATH}: Invalid value: \"null\": must provide virtual-service").as_str())
    );
    assert!(router(&no_service).references().iter().all(|r| r.kind == "VirtualNode"));

    let mut no_nodes = rollout();
    if let Some(app_mesh) = no_nodes
        .spec
        .strategy
        .as_mut()
        .and_then(|s| s.canary.as_mut())
        .and_then(|c| c.traffic_routing.as_mut())
        .and_then(|r| r.app_mesh.as_mut())
    {
        app_mesh.virtual_node_group = None;
    }
    assert_eq!(
        router(&no_nodes)
            .missing_reference(&Objects::new(&[vsvc_with_vrouter()]))
            .map(|e| e.to_string())
            .as_deref(),
        Some("spec.strategy.canary.trafficRouting.appMesh.virtualNodeGroup: Required value")
    );
    assert_eq!(router(&no_nodes).references(), [appmesh_ref("VirtualService", "mysvc")]);
}

#[test]
fn virtual_router_routes_are_checked_as_upstream() {
    let targets = |n: usize| {
        json!(
            (0..n)
                .map(|i| json!({"virtualNodeRef": {"name": format!("vn-{i}")}, "weight": 0}))
                .collect::<Vec<_>>()
        )
    };
    let cases = [
        (
            json!([]),
            "spec.routes: Invalid value: \"mysvc-vrouter\": No routes defined for AppMesh virtual-router mysvc-vrouter",
        ),
        (
            json!(["x"]),
            "spec.routes[0]: Invalid value: \"mysvc-vrouter\": Invalid route was found for AppMesh virtual-router mysvc-vrouter at index 0",
        ),
        (
            json!([{"name": "primary", "badRoute": {}}]),
            "spec.routes[0]: Invalid value: \"mysvc-vrouter\": Error getting route details for AppMesh virtual-router mysvc-vrouter and route primary. Error: Route has unsupported route type",
        ),
        (
            json!([{"name": "primary", "httpRoute": "x"}]),
            "spec.routes[0]: Invalid value: \"mysvc-vrouter\": Error getting route details for AppMesh virtual-router mysvc-vrouter and route primary. Error: .httpRoute accessor error: x is of the type string, expected map[string]interface{}",
        ),
        (
            json!([{"name": "primary", "httpRoute": {}}]),
            "spec.routes[0].httpRoute.action.weightedTargets: Invalid value: \"mysvc-vrouter\": Invalid route action found for AppMesh virtual-router mysvc-vrouter and route primary",
        ),
        (
            json!([{"name": "primary", "tcpRoute": {"action": {"weightedTargets": targets(3)}}}]),
            "spec.routes[0].tcpRoute.action.weightedTargets: Invalid value: \"mysvc-vrouter\": Invalid number of weightedTargets (3) for AppMesh virtual-router mysvc-vrouter and route primary, expected 2",
        ),
    ];
    for (routes, message) in cases {
        assert_eq!(problem(routes.clone()).as_deref(), Some(message), "{routes}");
    }
    assert_eq!(
        problem(json!([{"name": "primary", "grpcRoute": {"action": {"weightedTargets": targets(2)}}}])),
        None
    );
}
