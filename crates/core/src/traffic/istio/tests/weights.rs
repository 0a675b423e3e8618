//! `SetWeight`: host and subset splits over http, tls and tcp routes, experiments, several
//! VirtualServices, and nothing written when nothing changes.

use serde_json::json;

use super::*;

#[test]
fn http_reconcile_weights_base_case() {
    let mut case = Case::new(
        host_rollout(json!({"name": "vsvc", "routes": ["primary"]})),
        &[regular_vsvc()],
    );
    let writes = case.set_weight(10, &[]);
    let expected = json!({
        "apiVersion": "networking.istio.io/v1alpha3",
        "kind": "VirtualService",
        "metadata": {"name": "vsvc", "namespace": "default", "resourceVersion": "1"},
        "spec": {
            "gateways": ["istio-rollout-gateway"],
            "hosts": ["istio-rollout.dev.argoproj.io"],
            "http": [
                {"name": "primary", "route": [
                    {"destination": {"host": "stable"}, "weight": 90},
                    {"destination": {"host": "canary"}, "weight": 10}
                ]},
                {"name": "secondary", "route": [
                    {"destination": {"host": "stable"}, "weight": 100},
                    {"destination": {"host": "canary"}, "weight": 0}
                ]}
            ]
        }
    });
    assert_eq!(writes, vec![expected]);
}

#[test]
fn http_reconcile_weights_in_a_mixed_virtual_service() {
    // regularMixedVsvcTwoHttpRoutes: the one tls route is weighted too, tls selectors being omitted.
    let vs = virtual_service(
        "vsvc",
        json!({"http": [http("primary"), http("secondary")], "tls": [port_route(3000)]}),
    );
    let mut case = Case::new(host_rollout(json!({"name": "vsvc", "routes": ["primary"]})), &[vs]);
    let writes = case.set_weight(10, &[]);
    assert_eq!(writes.len(), 1);
    assert_eq!(
        weights(&writes[0], "http"),
        ["primary: stable=90 canary=10", "secondary: stable=100 canary=0"]
    );
    assert_eq!(weights(&writes[0], "tls"), ["3000: stable=90 canary=10"]);
}

#[test]
fn http_reconcile_multiple_dest_rule() {
    let vs = virtual_service(
        "vsvc",
        json!({"http": [{"route": [
            {"destination": {"host": "rollout-service", "subset": "stable"}, "weight": 100},
            {"destination": {"host": "rollout-service", "subset": "canary"}, "weight": 0},
            {"destination": {"host": "additional-service", "subset": "stable-subset"}, "weight": 20}
        ]}]}),
    );
    let ro = subset_rollout(json!({"name": "vsvc"}), Some(vec!["stable-subset"]));
    let mut case = Case::new(ro, &[vs]);
    let writes = case.set_weight(10, &[]);
    assert_eq!(
        weights(&writes[0], "http"),
        ["-: rollout-service/stable=70 rollout-service/canary=10 additional-service/stable-subset=20"]
    );
}

#[test]
fn tls_reconcile_weights_base_case() {
    let ro = host_rollout(json!({"name": "vsvc", "tlsRoutes": [{"port": 3000}]}));
    let tls_only = virtual_service("vsvc", json!({"tls": [port_route(3000), port_route(3001)]}));
    let mixed = virtual_service(
        "vsvc",
        json!({"http": [http("primary")], "tls": [port_route(3000), port_route(3001)]}),
    );
    for vs in [tls_only, mixed] {
        let mut case = Case::new(ro.clone(), &[vs]);
        let writes = case.set_weight(30, &[]);
        assert_eq!(
            weights(&writes[0], "tls"),
            ["3000: stable=70 canary=30", "3001: stable=100 canary=0"]
        );
    }
}

/// Upstream's `regularTlsSniVsvc`: one route matched by SNI hosts only, one by port and SNI host.
fn tls_sni_vsvc() -> Value {
    virtual_service(
        "vsvc",
        json!({"tls": [
            {"match": [{"sniHosts": ["foo.bar.com", "bar.foo.com"]}, {"sniHosts": ["localhost"]}],
             "route": split("stable", "canary")},
            {"match": [{"port": 3001, "sniHosts": ["localhost"]}], "route": split("stable", "canary")}
        ]}),
    )
}

#[test]
fn tls_sni_reconcile_weights_base_case() {
    let ro =
        host_rollout(json!({"name": "vsvc", "tlsRoutes": [{"sniHosts": ["foo.bar.com", "bar.foo.com", "localhost"]}]}));
    let mut case = Case::new(ro, &[tls_sni_vsvc()]);
    let writes = case.set_weight(30, &[]);
    assert_eq!(
        weights(&writes[0], "tls"),
        ["-: stable=70 canary=30", "3001: stable=100 canary=0"]
    );
}

#[test]
fn tls_port_and_sni_reconcile_weights_base_case() {
    let ro = host_rollout(json!({"name": "vsvc", "tlsRoutes": [{"port": 3001, "sniHosts": ["localhost"]}]}));
    let mut case = Case::new(ro, &[tls_sni_vsvc()]);
    let writes = case.set_weight(30, &[]);
    assert_eq!(
        weights(&writes[0], "tls"),
        ["-: stable=100 canary=0", "3001: stable=70 canary=30"]
    );
}

#[test]
fn tcp_reconcile_weights_base_case() {
    let ro = host_rollout(json!({"name": "vsvc", "tcpRoutes": [{"port": 3000}]}));
    let tcp_only = virtual_service("vsvc", json!({"tcp": [port_route(3000), port_route(3001)]}));
    let mixed = virtual_service(
        "vsvc",
        json!({"http": [http("primary")], "tls": [port_route(3000)], "tcp": [port_route(3000), port_route(3001)]}),
    );
    for vs in [tcp_only, mixed] {
        let mut case = Case::new(ro.clone(), &[vs]);
        let writes = case.set_weight(30, &[]);
        assert_eq!(
            weights(&writes[0], "tcp"),
            ["3000: stable=70 canary=30", "3001: stable=100 canary=0"]
        );
    }
}

#[test]
fn reconcile_weights_base_case() {
    let ro = host_rollout(json!({
        "name": "vsvc", "routes": ["primary"], "tlsRoutes": [{"port": 3000}], "tcpRoutes": [{"port": 3000}]
    }));
    let mut case = Case::new(ro, &[regular_mixed_vsvc()]);
    let writes = case.set_weight(20, &[]);
    assert_eq!(writes.len(), 1);
    assert_eq!(
        weights(&writes[0], "http"),
        ["primary: stable=80 canary=20", "secondary: stable=100 canary=0"]
    );
    assert_eq!(
        weights(&writes[0], "tls"),
        ["3000: stable=80 canary=20", "3001: stable=100 canary=0"]
    );
    assert_eq!(
        weights(&writes[0], "tcp"),
        ["3000: stable=80 canary=20", "3001: stable=100 canary=0"]
    );
}

#[test]
fn reconcile_weights_ping_pong_base_case() {
    // The stable is `ping` (status.canary.stablePingPong), so `pong` is the canary.
    let mut ro = rollout(json!({
        "pingPong": {"pingService": "ping", "pongService": "pong"},
        "trafficRouting": {"istio": {"virtualService": {
            "name": "vsvc", "routes": ["primary"], "tlsRoutes": [{"port": 3000}], "tcpRoutes": [{"port": 3000}]
        }}}
    }));
    ro.status = Some(serde_json::from_value(json!({"canary": {"stablePingPong": "ping"}})).unwrap());
    let ping_pong = |port| json!({"match": [{"port": port}], "route": split("ping", "pong")});
    let vs = virtual_service(
        "vsvc",
        json!({
            "http": [{"name": "primary", "route": split("ping", "pong")}, {"name": "secondary", "route": split("ping", "pong")}],
            "tls": [ping_pong(3000), ping_pong(3001)],
            "tcp": [ping_pong(3000), ping_pong(3001)],
        }),
    );
    let mut case = Case::new(ro, &[vs]);
    let writes = case.set_weight(20, &[]);
    assert_eq!(
        weights(&writes[0], "http"),
        ["primary: ping=80 pong=20", "secondary: ping=100 pong=0"]
    );
    assert_eq!(
        weights(&writes[0], "tls"),
        ["3000: ping=80 pong=20", "3001: ping=100 pong=0"]
    );
    assert_eq!(
        weights(&writes[0], "tcp"),
        ["3000: ping=80 pong=20", "3001: ping=100 pong=0"]
    );
}

#[test]
fn reconcile_update_virtual_service_writes_once() {
    let cases = [
        (json!({"name": "vsvc", "routes": ["primary"]}), regular_vsvc()),
        (
            json!({"name": "vsvc", "tlsRoutes": [{"port": 3000}]}),
            virtual_service("vsvc", json!({"tls": [port_route(3000), port_route(3001)]})),
        ),
        (
            json!({"name": "vsvc", "tcpRoutes": [{"port": 3000}]}),
            virtual_service("vsvc", json!({"tcp": [port_route(3000), port_route(3001)]})),
        ),
    ];
    for (selection, vs) in cases {
        let mut case = Case::new(host_rollout(selection), &[vs]);
        assert_eq!(case.set_weight(10, &[]).len(), 1);
    }
}

#[test]
fn reconcile_no_changes_writes_nothing() {
    let cases = [
        (json!({"name": "vsvc", "routes": ["primary"]}), regular_vsvc()),
        (
            json!({"name": "vsvc", "tlsRoutes": [{"port": 3001}]}),
            virtual_service("vsvc", json!({"tls": [port_route(3000), port_route(3001)]})),
        ),
        (
            json!({"name": "vsvc", "tcpRoutes": [{"port": 3001}]}),
            virtual_service("vsvc", json!({"tcp": [port_route(3000), port_route(3001)]})),
        ),
    ];
    for (selection, vs) in cases {
        let mut case = Case::new(host_rollout(selection), &[vs]);
        assert!(case.set_weight(0, &[]).is_empty());
    }
}

#[test]
fn the_same_weight_twice_writes_once() {
    let mut case = Case::new(
        host_rollout(json!({"name": "vsvc", "routes": ["primary"]})),
        &[regular_vsvc()],
    );
    assert_eq!(case.set_weight(30, &[]).len(), 1);
    assert!(case.set_weight(30, &[]).is_empty());
}

#[test]
fn reconcile_virtual_service_experiment_step() {
    let mut case = Case::new(
        host_rollout(json!({"name": "vsvc", "routes": ["primary"]})),
        &[regular_vsvc()],
    );
    let writes = case.set_weight(10, &[experiment("exp-svc", "", 20)]);
    assert_eq!(writes.len(), 1);
    assert_eq!(
        weights(&writes[0], "http")[0],
        "primary: stable=70 canary=10 exp-svc=20"
    );
    let writes = case.set_weight(10, &[experiment("exp-svc", "", 10)]);
    assert_eq!(
        weights(&writes[0], "http")[0],
        "primary: stable=80 canary=10 exp-svc=10"
    );
    let writes = case.set_weight(10, &[]);
    assert_eq!(weights(&writes[0], "http")[0], "primary: stable=90 canary=10");
    assert_eq!(weights(&writes[0], "http")[1], "secondary: stable=100 canary=0");
}

#[test]
fn host_split_experiment_multiple_services_removed_upstream_4831() {
    let mut case = Case::new(
        host_rollout(json!({"name": "vsvc", "routes": ["primary"]})),
        &[regular_vsvc()],
    );
    // Appended in name order, whatever order the experiments come in.
    let writes = case.set_weight(
        10,
        &[experiment("exp-canary", "", 20), experiment("exp-baseline", "", 20)],
    );
    assert_eq!(
        weights(&writes[0], "http")[0],
        "primary: stable=50 canary=10 exp-baseline=20 exp-canary=20"
    );
    let writes = case.set_weight(10, &[]);
    assert_eq!(weights(&writes[0], "http")[0], "primary: stable=90 canary=10");
}

#[test]
fn the_stable_weight_never_goes_negative() {
    let mut case = Case::new(
        host_rollout(json!({"name": "vsvc", "routes": ["primary"]})),
        &[regular_vsvc()],
    );
    let writes = case.set_weight(90, &[experiment("exp-svc", "", 20)]);
    assert_eq!(weights(&writes[0], "http")[0], "primary: stable=0 canary=90 exp-svc=20");
}

#[test]
fn unknown_destinations_are_dropped_unless_already_at_zero() {
    let vs = virtual_service(
        "vsvc",
        json!({"http": [{"name": "primary", "route": [
            {"destination": {"host": "stable"}, "weight": 80},
            {"destination": {"host": "canary"}, "weight": 0},
            {"destination": {"host": "leftover"}, "weight": 20},
            {"destination": {"host": "idle"}, "weight": 0},
            {"destination": {"host": "canary.default.svc.cluster.local"}, "weight": 0}
        ]}]}),
    );
    let mut case = Case::new(host_rollout(json!({"name": "vsvc", "routes": ["primary"]})), &[vs]);
    let writes = case.set_weight(10, &[]);
    assert_eq!(
        weights(&writes[0], "http"),
        ["primary: stable=90 canary=10 idle=0 canary.default.svc.cluster.local=10"]
    );
}

#[test]
fn single_tls_route_with_an_empty_extra_destination() {
    // TestSingleTlsRouteReconcile: an empty extra destination weighs nothing and adds nothing.
    let ro = host_rollout(json!({"name": "vsvc", "tlsRoutes": [{"port": 3000}]}));
    let mut case = Case::new(ro, &[virtual_service("vsvc", json!({"tls": [port_route(3000)]}))]);
    let empty = rollouts_api::rollout_status::WeightDestination::default();
    let writes = case.set_weight(30, &[empty]);
    assert_eq!(weights(&writes[0], "tls"), ["3000: stable=70 canary=30"]);
    case.call(|r, o| r.remove_managed_routes(o)).unwrap();
    assert!(case.updates().is_empty());
}

#[test]
fn inferred_single_route() {
    let cases = [
        (json!({"name": "vsvc"}), single_route_vsvc(), "http"),
        (
            json!({"name": "vsvc"}),
            virtual_service("vsvc", json!({"tls": [port_route(3000)]})),
            "tls",
        ),
        (
            json!({"name": "vsvc"}),
            virtual_service("vsvc", json!({"tcp": [port_route(3000)]})),
            "tcp",
        ),
    ];
    for (selection, vs, kind) in cases {
        let mut case = Case::new(host_rollout(selection), &[vs]);
        let writes = case.set_weight(10, &[]);
        assert_eq!(writes.len(), 1);
        assert!(weights(&writes[0], kind)[0].ends_with("stable=90 canary=10"), "{kind}");
    }
    let mixed = virtual_service(
        "vsvc",
        json!({"http": [unnamed_http()], "tls": [port_route(3000)], "tcp": [port_route(3000)]}),
    );
    let mut case = Case::new(host_rollout(json!({"name": "vsvc"})), &[mixed]);
    let writes = case.set_weight(10, &[]);
    assert_eq!(weights(&writes[0], "http"), ["-: stable=90 canary=10"]);
    assert_eq!(weights(&writes[0], "tls"), ["3000: stable=90 canary=10"]);
    assert_eq!(weights(&writes[0], "tcp"), ["3000: stable=90 canary=10"]);
}

fn multi_rollout(virtual_services: Value) -> rollouts_api::Rollout {
    rollout(json!({
        "stableService": "stable",
        "canaryService": "canary",
        "trafficRouting": {"istio": {"virtualServices": virtual_services}}
    }))
}

fn sample_vsvc2() -> Value {
    virtual_service("vsvc2", json!({"http": [http("blue-green")]}))
}

fn sample_vsvc1() -> Value {
    virtual_service("vsvc1", json!({"http": [http("primary"), http("secondary")]}))
}

#[test]
fn multiple_virtual_service_reconcile_weights_base_case() {
    let ro = multi_rollout(json!([{
        "name": "vsvc", "routes": ["secondary"], "tlsRoutes": [{"port": 3000}], "tcpRoutes": [{"port": 3000}]
    }]));
    let mut case = Case::new(ro, &[regular_mixed_vsvc()]);
    let writes = case.set_weight(20, &[]);
    assert_eq!(
        weights(&writes[0], "http"),
        ["primary: stable=100 canary=0", "secondary: stable=80 canary=20"]
    );
    assert_eq!(
        weights(&writes[0], "tls"),
        ["3000: stable=80 canary=20", "3001: stable=100 canary=0"]
    );
}

#[test]
fn multiple_virtual_services_are_written_in_order() {
    let ro = multi_rollout(json!([
        {"name": "vsvc1", "routes": ["primary", "secondary"]},
        {"name": "vsvc2", "routes": ["blue-green"]}
    ]));
    let mut case = Case::new(ro, &[sample_vsvc1(), sample_vsvc2()]);
    assert!(case.set_weight(0, &[]).is_empty());
    let writes = case.set_weight(10, &[]);
    let names: Vec<&str> = writes.iter().map(|w| w["metadata"]["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["vsvc1", "vsvc2"]);
    assert_eq!(
        weights(&writes[0], "http"),
        ["primary: stable=90 canary=10", "secondary: stable=90 canary=10"]
    );
    assert_eq!(weights(&writes[1], "http"), ["blue-green: stable=90 canary=10"]);
}

#[test]
fn multiple_virtual_service_inferred_single_route() {
    let ro = multi_rollout(json!([{"name": "vsvc1"}, {"name": "vsvc2"}]));
    let vs1 = virtual_service("vsvc1", json!({"http": [unnamed_http()]}));
    let vs2 = virtual_service("vsvc2", json!({"http": [unnamed_http()]}));
    let mut case = Case::new(ro, &[vs1, vs2]);
    let writes = case.set_weight(10, &[]);
    assert_eq!(writes.len(), 2);
    for write in &writes {
        assert_eq!(weights(write, "http"), ["-: stable=90 canary=10"]);
    }
}

#[test]
fn multiple_virtual_service_errors() {
    let ro = multi_rollout(
        json!([{"name": "vsvc1", "routes": ["route-not-found"]}, {"name": "vsvc2", "routes": ["route-not-found"]}]),
    );
    let mut case = Case::new(ro, &[sample_vsvc1(), sample_vsvc2()]);
    assert_eq!(
        case.set_weight_err(0),
        "HTTP Route 'route-not-found' is not found in the defined Virtual Service."
    );

    let ro = multi_rollout(json!([{"name": "vsvc1"}, {"name": "vsvc2"}]));
    let mut case = Case::new(ro, &[sample_vsvc1(), sample_vsvc2()]);
    assert_eq!(
        case.set_weight_err(0),
        "spec.http[] should be set in VirtualService and it must have exactly one route when omitting spec.strategy.canary.trafficRouting.istio.virtualService.routes"
    );

    // The first VirtualService is written before the second is found missing, as upstream does.
    let ro = multi_rollout(
        json!([{"name": "vsvc1", "routes": ["primary", "secondary"]}, {"name": "vsvc2", "routes": ["blue-green"]}]),
    );
    let mut case = Case::new(ro, &[sample_vsvc1()]);
    assert_eq!(
        case.set_weight_err(10),
        "virtualservices.networking.istio.io \"vsvc2\" not found"
    );
    let written: Vec<String> = case
        .updates()
        .iter()
        .map(|w| w["metadata"]["name"].to_string())
        .collect();
    assert_eq!(written, ["\"vsvc1\""]);
}

#[test]
fn a_virtual_service_in_another_namespace() {
    let mut vs = regular_vsvc();
    vs["metadata"]["namespace"] = json!("mesh");
    let mut case = Case::new(host_rollout(json!({"name": "vsvc.mesh", "routes": ["primary"]})), &[vs]);
    let writes = case.set_weight(10, &[]);
    assert_eq!(writes[0]["metadata"]["namespace"], "mesh");
    assert_eq!(weights(&writes[0], "http")[0], "primary: stable=90 canary=10");
}
