//! Plain Service routing: Ready pods, selectors, the in-mesh host forms, 404 and 503.

use serde_json::json;

use super::*;

#[test]
fn every_in_mesh_host_form_reaches_the_service() {
    let mut w = two_versions();
    w.add(pod_in("shop", "cart-1", json!({"app": "cart"}), "cart:v1"))
        .add(service_in("shop", "cart", json!({"app": "cart"})));
    let table = w.table();
    for host in [
        "stable",
        "stable.default",
        "stable.default.svc",
        "stable.default.svc.cluster.local",
        "stable.default.svc.cluster.local.",
    ] {
        let r = routed(table.route(&get(host, "/"), &mut Seeded::new(1)));
        assert_eq!(r.backend.pod, "stable-1", "{host}");
        assert_eq!(r.service.name, "stable");
        assert_eq!(r.service.port, 0);
        assert_eq!(r.via, Via::Service);
    }
    assert_eq!(pod_of(&table, &get("cart.shop.svc.cluster.local", "/")), "cart-1");
    assert_eq!(pod_of(&table, &get("cart.shop", "/x")), "cart-1");
    // A short name is a name of namespace `default`.
    assert_not_found(table.route(&get("cart", "/"), &mut Seeded::new(1)), "cart");
}

#[test]
fn only_running_ready_live_pods_of_the_namespace_are_endpoints() {
    let mut w = World::default();
    let labels = json!({"app": "web"});
    w.add(service("web", labels.clone()))
        .add(pod("ready", labels.clone(), "web:v1"))
        .add(pod_in("other", "elsewhere", labels.clone(), "web:v1"))
        .add(pod("unlabelled", json!({"app": "api"}), "web:v1"));
    let mut not_ready = pod("not-ready", labels.clone(), "web:v1");
    not_ready["status"]["conditions"][0]["status"] = json!("False");
    let mut pending = pod("pending", labels.clone(), "web:v1");
    pending["status"]["phase"] = json!("Pending");
    let mut deleting = pod("deleting", labels.clone(), "web:v1");
    deleting["metadata"]["deletionTimestamp"] = json!("2026-01-01T00:00:00Z");
    let mut no_conditions = pod("no-conditions", labels, "web:v1");
    no_conditions["status"]
        .as_object_mut()
        .expect("status")
        .remove("conditions");
    w.add(not_ready).add(pending).add(deleting).add(no_conditions);
    let counts = spread(&w.table(), &get("web", "/"), 200, 3);
    assert_eq!(counts.keys().collect::<Vec<_>>(), ["ready"]);
}

#[test]
fn pods_are_spread_evenly() {
    let mut w = World::default();
    w.add(service("web", json!({"app": "web"})));
    for i in 0..4 {
        w.add(pod(&format!("web-{i}"), json!({"app": "web"}), "web:v1"));
    }
    let counts = spread(&w.table(), &get("web", "/"), 4000, 11);
    assert_eq!(counts.len(), 4);
    for (pod, n) in counts {
        assert!((900..=1100).contains(&n), "{pod}: {n} of 4000");
    }
}

#[test]
fn the_backend_carries_image_env_and_hash() {
    let mut w = World::default();
    let mut p = pod(
        "web-1",
        json!({"app": "web", "rollouts-pod-template-hash": "abc"}),
        "demo:red",
    );
    p["spec"]["containers"][0]["env"] = json!([
        {"name": "ERROR_RATE", "value": "15"},
        {"name": "FROM_SECRET", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}},
    ]);
    w.add(p).add(service("web", json!({"app": "web"})));
    let r = routed(w.table().route(&get("web", "/"), &mut Seeded::new(1)));
    assert_eq!(r.backend.image, "demo:red");
    assert_eq!(r.backend.env, vec![("ERROR_RATE".to_string(), "15".to_string())]);
    assert_eq!(r.backend.template_hash.as_deref(), Some("abc"));
    assert_eq!(r.backend.namespace, "default");
}

#[test]
fn unknown_hosts_are_404_and_services_without_ready_pods_503() {
    let mut w = two_versions();
    w.add(service("empty", json!({"app": "nothing"})))
        .add(json!({"apiVersion": "v1", "kind": "Service",
                    "metadata": {"name": "headless", "namespace": "default"}, "spec": {}}));
    let table = w.table();
    let mut draw = Seeded::new(1);
    assert_not_found(
        table.route(&get("nowhere.example.com", "/"), &mut draw),
        "nowhere.example.com",
    );
    assert_not_found(table.route(&get("a.b.c.d", "/"), &mut draw), "a.b.c.d");
    assert_unavailable(
        table.route(&get("empty", "/"), &mut draw),
        "default/empty has no ready endpoints",
    );
    // A Service without selector has no endpoints the dev cluster knows of.
    assert_unavailable(table.route(&get("headless.default", "/"), &mut draw), "headless");
}

#[test]
fn malformed_objects_are_skipped_and_never_stop_the_others() {
    let mut w = two_versions();
    w.add(json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"labels": {"app": "demo"}}}))
        .add(
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "odd", "labels": "x"},
                    "spec": {"containers": "none"}, "status": {"phase": "Running", "conditions": {"a": 1}}}),
        )
        .add(json!({"apiVersion": "v1", "kind": "Service", "metadata": {"namespace": "default"}}))
        .add(
            json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "bad-ports"},
                    "spec": {"selector": {"app": "demo", "rollouts-pod-template-hash": "s"}, "ports": "80"}}),
        )
        .add(
            json!({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "i"},
                    "spec": {"rules": [{"host": 7, "http": {"paths": [{"backend": 3}]}}, "junk"]}}),
        )
        .add(
            json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
                    "metadata": {"name": "r"}, "spec": {"parentRefs": "gw", "rules": [{"matches": 1}]}}),
        )
        .add(json!({"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
                    "metadata": {"name": "v"}, "spec": {"hosts": [1, null], "http": [{"route": "x"}]}}))
        .add(
            json!({"apiVersion": "networking.istio.io/v1", "kind": "DestinationRule",
                    "metadata": {"name": "d"}, "spec": {"host": "stable", "subsets": [{"labels": 1}]}}),
        )
        .add(
            json!({"apiVersion": "split.smi-spec.io/v1alpha2", "kind": "TrafficSplit",
                    "metadata": {"name": "t"}, "spec": {"service": "demo", "backends": [{"weight": "x"}]}}),
        );
    let table = w.table();
    assert_eq!(pod_of(&table, &get("stable", "/")), "stable-1");
    assert_eq!(pod_of(&table, &get("bad-ports", "/")), "stable-1");
    // The split named no usable backend: the root's traffic has nowhere to go.
    assert_unavailable(
        table.route(&get("demo", "/"), &mut Seeded::new(1)),
        "TrafficSplit default/t",
    );
}
