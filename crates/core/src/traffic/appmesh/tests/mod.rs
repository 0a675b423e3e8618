//! Golden cases of upstream's `appmesh_test.go` (the exact writes, in order; nothing written when
//! nothing changes) and of upstream's reference validation of App Mesh.

mod hashes;
mod validation;
mod weights;

use rollouts_api::Rollout;
use serde_json::{Value, json};

use super::*;
use crate::traffic::RoutingWrite;

/// Upstream's `fakeRollout`, with `routes` selected when given.
fn rollout_with_routes(routes: Option<&[&str]>) -> Rollout {
    let mut virtual_service = json!({"name": "mysvc"});
    if let Some(routes) = routes {
        virtual_service["routes"] = json!(routes);
    }
    serde_json::from_value(json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
        "metadata": {"name": "rollout", "namespace": "myns"},
        "spec": {"strategy": {"canary": {"trafficRouting": {"appMesh": {
            "virtualService": virtual_service,
            "virtualNodeGroup": {
                "canaryVirtualNodeRef": {"name": "mysvc-canary-vn"},
                "stableVirtualNodeRef": {"name": "mysvc-stable-vn"},
            },
        }}}}},
    }))
    .expect("a valid Rollout")
}

fn rollout() -> Rollout {
    rollout_with_routes(None)
}

fn router(rollout: &Rollout) -> AppMesh<'_> {
    let routing = rollout
        .spec
        .strategy
        .as_ref()
        .and_then(|s| s.canary.as_ref())
        .and_then(|c| c.traffic_routing.as_ref())
        .and_then(|r| r.app_mesh.as_ref())
        .expect("appMesh routing");
    AppMesh::new(
        RouterInput {
            rollout,
            replica_sets: &[],
        },
        routing,
        DEFAULT_CRD_VERSION,
    )
}

/// Upstream's `vsvcWithVnode`.
fn vsvc_with_vnode() -> Value {
    json!({
        "apiVersion": "appmesh.k8s.aws/v1beta2", "kind": "VirtualService",
        "metadata": {"name": "mysvc", "namespace": "myns"},
        "spec": {"awsName": "mysvc.myns.svc.cluster.local",
                 "provider": {"virtualNode": {"virtualNodeRef": {"name": "mysvc-vnode"}}}},
    })
}

/// Upstream's `vsvcWithVrouter`.
fn vsvc_with_vrouter() -> Value {
    json!({
        "apiVersion": "appmesh.k8s.aws/v1beta2", "kind": "VirtualService",
        "metadata": {"name": "mysvc", "namespace": "myns"},
        "spec": {"awsName": "mysvc.myns.svc.cluster.local",
                 "provider": {"virtualRouter": {"virtualRouterRef": {"name": "mysvc-vrouter"}}}},
    })
}

/// Upstream's `vrouterWith{HTTP,TCP,HTTP2,GRPC}Routes`, with the weights of the canary and stable.
fn vrouter(route_type: &str, canary: i64, stable: i64) -> Value {
    let mut route = json!({"action": {"weightedTargets": [
        {"virtualNodeRef": {"name": "mysvc-canary-vn"}, "weight": canary},
        {"virtualNodeRef": {"name": "mysvc-stable-vn"}, "weight": stable},
    ]}});
    match route_type {
        "httpRoute" | "http2Route" => route["match"] = json!({"prefix": "/"}),
        "grpcRoute" => route["match"] = json!({"methodName": "GetItem", "serviceName": "MySvc"}),
        _ => {}
    }
    json!({
        "apiVersion": "appmesh.k8s.aws/v1beta2", "kind": "VirtualRouter",
        "metadata": {"name": "mysvc-vrouter", "namespace": "myns", "resourceVersion": "4"},
        "spec": {
            "listeners": [{"portMapping": {"port": 8080, "protocol": "http"}}],
            "routes": [{"name": "primary", route_type: route}],
        },
    })
}

/// Upstream's `baselineCanaryVnode` / `baselineStableVnode`, with the hash label when given.
fn vnode(role: &str, hash: Option<&str>) -> Value {
    let mut labels = json!({"app": "mysvc-pod"});
    if let Some(hash) = hash {
        labels["rollouts-pod-template-hash"] = json!(hash);
    }
    json!({
        "apiVersion": "appmesh.k8s.aws/v1beta2", "kind": "VirtualNode",
        "metadata": {"name": format!("mysvc-{role}-vn"), "namespace": "myns", "resourceVersion": "2"},
        "spec": {
            "podSelector": {"matchLabels": labels},
            "listeners": [{"portMapping": {"port": 8080, "protocol": "http"}}],
            "serviceDiscovery": {"dns": {"hostname": "mysvc.myns.svc.cluster.local"}},
        },
    })
}

fn appmesh_ref(kind: &str, name: &str) -> ObjectRef {
    ObjectRef::new("appmesh.k8s.aws/v1beta2", kind, "myns", name)
}

#[test]
fn type_references_and_the_virtual_router_found_through_the_virtual_service() {
    let ro = rollout();
    let r = router(&ro);
    assert_eq!(r.kind(), "AppMesh");
    assert_eq!(
        r.references(),
        [
            appmesh_ref("VirtualService", "mysvc"),
            appmesh_ref("VirtualNode", "mysvc-stable-vn"),
            appmesh_ref("VirtualNode", "mysvc-canary-vn"),
        ]
    );
    assert!(r.dependent_references(&Objects::new(&[])).is_empty());
    assert!(r.dependent_references(&Objects::new(&[vsvc_with_vnode()])).is_empty());
    assert_eq!(
        r.dependent_references(&Objects::new(&[vsvc_with_vrouter()])),
        [appmesh_ref("VirtualRouter", "mysvc-vrouter")]
    );
    let mut elsewhere = vsvc_with_vrouter();
    elsewhere["spec"]["provider"]["virtualRouter"]["virtualRouterRef"]["namespace"] = json!("mesh");
    assert_eq!(
        r.dependent_references(&Objects::new(&[elsewhere])),
        [ObjectRef::new(
            "appmesh.k8s.aws/v1beta2",
            "VirtualRouter",
            "mesh",
            "mysvc-vrouter"
        )]
    );
}

#[test]
fn the_crd_version_comes_from_the_settings() {
    let ro = rollout();
    let input = RouterInput {
        rollout: &ro,
        replica_sets: &[],
    };
    let default = crate::traffic::routers_with(input, &crate::traffic::RoutingSettings::default());
    assert_eq!(default[0].references()[0].api_version, "appmesh.k8s.aws/v1beta2");
    let settings = crate::traffic::RoutingSettings {
        appmesh_crd_version: Some("v1beta1".into()),
        ..Default::default()
    };
    let routers = crate::traffic::routers_with(input, &settings);
    assert_eq!(routers.len(), 1);
    assert_eq!(routers[0].references()[0].api_version, "appmesh.k8s.aws/v1beta1");
    assert_eq!(
        crate::traffic::dependent_references(&ro, &settings, &[]),
        Vec::<ObjectRef>::new()
    );
}

#[test]
fn header_mirror_and_managed_routes_write_nothing() {
    let ro = rollout();
    let mut objects = Objects::new(&[vsvc_with_vrouter(), vrouter("httpRoute", 0, 100)]);
    let header: SetHeaderRoute = serde_json::from_value(json!({"name": "set-header",
        "match": [{"headerName": "agent", "headerValue": {"exact": "firefox"}}]}))
    .expect("a header route");
    let mirror: SetMirrorRoute = serde_json::from_value(json!({"name": "mirror-route",
        "match": [{"method": {"exact": "GET"}}]}))
    .expect("a mirror route");
    let r = router(&ro);
    r.set_header_route(&mut objects, &header).expect("no-op");
    r.set_mirror_route(&mut objects, &mirror).expect("no-op");
    r.remove_managed_routes(&mut objects).expect("no-op");
    assert!(objects.writes().is_empty());
}
