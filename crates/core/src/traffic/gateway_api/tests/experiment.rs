//! Experiment Services on HTTPRoutes (the plugin's `experiment_test.go`, and where it is wrong, the
//! sums every other router keeps).

use rollouts_api::rollout_status::WeightDestination;
use serde_json::{Value, json};

use super::*;

fn destination(service: &str, weight: i32) -> WeightDestination {
    WeightDestination {
        pod_template_hash: Some(format!("{service}-hash")),
        service_name: Some(service.to_string()),
        weight,
    }
}

fn service(name: &str, ports: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Service",
           "metadata": {"name": name, "namespace": NS, "resourceVersion": "1"},
           "spec": {"ports": ports}})
}

fn http_port(port: i64) -> Value {
    json!([{"name": "http", "port": port, "targetPort": "http", "protocol": "TCP"}])
}

/// A Rollout with an experiment running (and, optionally, the extra destinations it last recorded).
fn experimenting(current: Option<&str>, previous: &[WeightDestination]) -> rollouts_api::Rollout {
    rollout_json(json!({"httpRoute": HTTP_ROUTE}), |r| {
        r["spec"]["strategy"]["canary"]["steps"] = json!([
            {"setWeight": 20},
            {"experiment": {"templates": [
                {"name": "baseline", "specRef": "stable", "weight": 25},
                {"name": "canary", "specRef": "canary", "weight": 30, "service": {"name": "named-svc"}},
                {"name": "unweighted", "specRef": "canary"}
            ]}}
        ]);
        let mut canary = json!({"weights": {
            "canary": {"weight": 20}, "stable": {"weight": 80},
            "additional": serde_json::to_value(previous).unwrap_or_default()
        }});
        if let Some(current) = current {
            canary["currentExperiment"] = json!(current);
        }
        r["status"] = json!({"canary": canary});
    })
}

fn added(name: &str, port: i64, weight: i64) -> Value {
    json!({"name": name, "namespace": NS, "port": port, "weight": weight})
}

#[test]
fn experiment_services_join_the_first_rule() {
    // The plugin's TestHandleExperiment_ExperimentStatusChecking: 25 + 30 to the experiments, 45 to
    // the stable at canary weight 0.
    let r = experimenting(Some("exp"), &[]);
    let mut objects = Objects::new(&[
        http_route(json!([{"backendRefs": split(100, 0)}])),
        service("exp-svc-1", http_port(8080)),
        service(
            "exp-svc-2",
            json!([{"name": "metrics", "port": 9090}, {"name": "http", "port": 80}]),
        ),
    ]);
    let additional = [destination("exp-svc-1", 25), destination("exp-svc-2", 30)];
    router(&r).set_weight(&mut objects, 0, &additional).expect("weighted");
    let writes = updates(&objects);
    assert_eq!(
        writes[0]["spec"]["rules"][0]["backendRefs"],
        json!([
            split(45, 0)[0],
            split(45, 0)[1],
            added("exp-svc-1", 8080, 25),
            added("exp-svc-2", 80, 30)
        ])
    );
    // The canary weight is 0: no in-progress label.
    assert_eq!(writes[0]["metadata"].get("labels"), None);
    // Again: nothing changes.
    router(&r).set_weight(&mut objects, 0, &additional).expect("weighted");
    assert_eq!(updates(&objects).len(), 1);
}

#[test]
fn the_stable_gives_up_the_canary_share_too() {
    // The plugin sets the stable to 100 minus the experiments only (canary 20 + 25 + 75 = 120).
    let r = experimenting(Some("exp"), &[]);
    let mut objects = Objects::new(&[
        http_route(json!([{"backendRefs": split(100, 0)}])),
        service("exp-svc", http_port(80)),
    ]);
    router(&r)
        .set_weight(&mut objects, 20, &[destination("exp-svc", 25)])
        .expect("weighted");
    assert_eq!(
        updates(&objects)[0]["spec"]["rules"][0]["backendRefs"],
        json!([split(55, 20)[0], split(55, 20)[1], added("exp-svc", 80, 25)])
    );
}

#[test]
fn an_experiment_backend_already_present_takes_the_new_weight() {
    let r = experimenting(Some("exp"), &[destination("exp-svc", 10)]);
    let object = http_route(json!([{"backendRefs": [split(90, 0)[0], split(90, 0)[1], added("exp-svc", 80, 10)]}]));
    let mut objects = Objects::new(&[object]);
    router(&r)
        .set_weight(&mut objects, 0, &[destination("exp-svc", 15)])
        .expect("weighted");
    assert_eq!(
        updates(&objects)[0]["spec"]["rules"][0]["backendRefs"],
        json!([split(85, 0)[0], split(85, 0)[1], added("exp-svc", 80, 15)])
    );
}

#[test]
fn finished_experiment_services_leave_and_the_canary_keeps_its_weight() {
    // The plugin's TestHandleExperiment_RemoveExperimentServices; it also resets the canary to 0,
    // which would undo the step's setWeight.
    let r = experimenting(None, &[destination("exp-svc", 15)]);
    let user = json!({"name": "user-backend", "port": 80, "weight": 1});
    let object = http_route(json!([{"backendRefs": [
        split(45, 0)[0], split(45, 0)[1], added("exp-svc", 8080, 15), user
    ]}]));
    let mut objects = Objects::new(&[object]);
    router(&r).set_weight(&mut objects, 20, &[]).expect("weighted");
    assert_eq!(
        updates(&objects)[0]["spec"]["rules"][0]["backendRefs"],
        json!([split(80, 20)[0], split(80, 20)[1], user])
    );
}

#[test]
fn a_destination_whose_service_is_missing_is_skipped() {
    let r = experimenting(Some("exp"), &[]);
    let mut objects = Objects::new(&[http_route(json!([{"backendRefs": split(100, 0)}]))]);
    router(&r)
        .set_weight(&mut objects, 0, &[destination("absent", 10)])
        .expect("weighted");
    assert_eq!(updates(&objects)[0]["spec"]["rules"][0]["backendRefs"], split(90, 0));
}

#[test]
fn the_service_port_is_http_then_the_first_then_8080() {
    let cases = [
        (
            json!([{"name": "metrics", "port": 9090}, {"name": "http", "port": 8080}]),
            8080,
        ),
        (
            json!([{"name": "grpc", "port": 9000}, {"name": "metrics", "port": 9090}]),
            9000,
        ),
        (json!([]), 8080),
    ];
    for (ports, expected) in cases {
        let r = experimenting(Some("exp"), &[]);
        let mut objects = Objects::new(&[
            http_route(json!([{"backendRefs": split(100, 0)}])),
            service("exp-svc", ports.clone()),
        ]);
        router(&r)
            .set_weight(&mut objects, 0, &[destination("exp-svc", 10)])
            .expect("weighted");
        assert_eq!(
            updates(&objects)[0]["spec"]["rules"][0]["backendRefs"][2]["port"],
            json!(expected),
            "{ports}"
        );
    }
}

#[test]
fn only_the_first_weighted_rule_of_http_routes_gets_them() {
    let r = rollout_json(json!({"httpRoute": HTTP_ROUTE, "grpcRoute": GRPC_ROUTE}), |r| {
        r["status"] = json!({"canary": {"currentExperiment": "exp"}});
    });
    let path = |p: &str| json!([{"path": {"type": "PathPrefix", "value": p}}]);
    let object = http_route(json!([
        {"backendRefs": [{"name": "other", "port": 80}], "matches": path("/other")},
        {"backendRefs": split(100, 0), "matches": path("/a")},
        {"backendRefs": split(100, 0), "matches": path("/b")}
    ]));
    let grpc = grpc_route(json!([{"backendRefs": split(100, 0)}]));
    let mut objects = Objects::new(&[object, grpc, service("exp-svc", http_port(80))]);
    router(&r)
        .set_weight(&mut objects, 10, &[destination("exp-svc", 20)])
        .expect("weighted");
    let writes = updates(&objects);
    let rules = &writes[0]["spec"]["rules"];
    assert_eq!(
        rules[1]["backendRefs"],
        json!([split(70, 10)[0], split(70, 10)[1], added("exp-svc", 80, 20)])
    );
    assert_eq!(rules[2]["backendRefs"], split(90, 10));
    assert_eq!(writes[1]["spec"]["rules"][0]["backendRefs"], split(90, 10));
}

#[test]
fn references_name_the_running_experiments_services() {
    let r = experimenting(Some("demo-6f8b-2-1"), &[]);
    let services: Vec<String> = references(&r, &crate::traffic::RoutingSettings::default())
        .into_iter()
        .filter(|r| r.kind == "Service")
        .map(|r| format!("{}/{}", r.namespace, r.name))
        .collect();
    assert_eq!(services, ["default/demo-6f8b-2-1-baseline", "default/named-svc"]);
    // No experiment running: no Service.
    let idle = experimenting(None, &[]);
    assert!(
        references(&idle, &crate::traffic::RoutingSettings::default())
            .iter()
            .all(|r| r.kind != "Service")
    );
}
