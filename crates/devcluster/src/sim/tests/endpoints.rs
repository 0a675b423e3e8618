use super::*;
use crate::sim::{Action, endpoints};

fn service(ports: Value) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web", "namespace": "default", "uid": "svc-uid", "labels": {"tier": "front"}},
        "spec": {"clusterIP": "10.96.0.10", "selector": {"app": "web"}, "ports": ports},
    })
}

fn web_pod(name: &str, ip: &str, ready: bool, port: i64) -> Value {
    let mut p = pod(name, "rs-uid", ready.then_some(1));
    p["status"]["podIP"] = json!(ip);
    p["spec"]["containers"][0]["ports"] = json!([{"name": "http", "containerPort": port, "protocol": "TCP"}]);
    p
}

#[test]
fn ready_and_not_ready_addresses() {
    let svc = service(json!([{"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"}]));
    let pods = [
        web_pod("b", "10.244.0.9", true, 8080),
        web_pod("a", "10.244.0.3", true, 8080),
        web_pod("c", "10.244.0.5", false, 8080),
    ];
    let ep = endpoints::desired(&svc, &pods).unwrap().unwrap();
    assert_eq!(ep["metadata"]["name"], "web");
    assert_eq!(
        ep["metadata"]["labels"],
        json!({"tier": "front", "endpoints.kubernetes.io/managed-by": "endpoint-controller"})
    );
    let subsets = ep["subsets"].as_array().unwrap();
    assert_eq!(subsets.len(), 1);
    let ips = |k: &str| -> Vec<&str> {
        subsets[0][k]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["ip"].as_str().unwrap())
            .collect()
    };
    assert_eq!(ips("addresses"), ["10.244.0.3", "10.244.0.9"]);
    assert_eq!(ips("notReadyAddresses"), ["10.244.0.5"]);
    assert_eq!(
        subsets[0]["ports"],
        json!([{"name": "http", "port": 8080, "protocol": "TCP"}])
    );
    assert_eq!(
        subsets[0]["addresses"][0],
        json!({"ip": "10.244.0.3", "nodeName": "dev-node", "targetRef": {"kind": "Pod", "namespace": "default", "name": "a", "uid": "uid-a"}})
    );
}

#[test]
fn named_target_ports_resolve_per_pod() {
    let svc = service(json!([{"name": "web", "port": 80, "targetPort": "http"}]));
    let pods = [
        web_pod("a", "10.244.0.3", true, 8080),
        web_pod("b", "10.244.0.4", true, 9090),
    ];
    let ep = endpoints::desired(&svc, &pods).unwrap().unwrap();
    let subsets = ep["subsets"].as_array().unwrap();
    assert_eq!(subsets.len(), 2);
    let ports: Vec<i64> = subsets
        .iter()
        .map(|s| s["ports"][0]["port"].as_i64().unwrap())
        .collect();
    assert_eq!(
        ports.iter().copied().collect::<std::collections::BTreeSet<_>>(),
        [8080, 9090].into()
    );
    // a pod without the named port is left out
    let mut other = web_pod("c", "10.244.0.5", true, 8080);
    other["spec"]["containers"][0]["ports"] = json!([]);
    let ep = endpoints::desired(&svc, &[other]).unwrap().unwrap();
    assert!(ep.get("subsets").is_none());
}

#[test]
fn excluded_pods() {
    let svc = service(json!([{"port": 80}]));
    let mut no_ip = web_pod("a", "", true, 80);
    no_ip["status"].as_object_mut().unwrap().remove("podIP");
    let mut done = web_pod("b", "10.244.0.4", false, 80);
    done["status"]["phase"] = json!("Succeeded");
    let mut deleting = web_pod("c", "10.244.0.5", true, 80);
    deleting["metadata"]["deletionTimestamp"] = json!(ts(9));
    let mut elsewhere = web_pod("d", "10.244.0.6", true, 80);
    elsewhere["metadata"]["namespace"] = json!("other");
    let mut unselected = web_pod("e", "10.244.0.7", true, 80);
    unselected["metadata"]["labels"] = json!({"app": "db"});
    let ep = endpoints::desired(&svc, &[no_ip, done, deleting.clone(), elsewhere, unselected])
        .unwrap()
        .unwrap();
    assert!(ep.get("subsets").is_none(), "{ep}");
    // publishing not-ready addresses keeps terminating pods, as ready
    let mut publish = svc.clone();
    publish["spec"]["publishNotReadyAddresses"] = json!(true);
    let ep = endpoints::desired(&publish, &[deleting]).unwrap().unwrap();
    assert_eq!(ep["subsets"][0]["addresses"][0]["ip"], "10.244.0.5");
}

#[test]
fn services_without_selectors_are_left_alone() {
    let mut svc = service(json!([{"port": 80}]));
    svc["spec"].as_object_mut().unwrap().remove("selector");
    assert_eq!(
        endpoints::desired(&svc, &[web_pod("a", "10.244.0.3", true, 80)]).unwrap(),
        None
    );
    assert!(endpoints::reconcile(&svc, &[], None, at(0)).unwrap().is_noop());
}

#[test]
fn headless_services_without_ports() {
    let mut svc = service(json!([]));
    svc["spec"]["clusterIP"] = json!("None");
    let ep = endpoints::desired(&svc, &[web_pod("a", "10.244.0.3", true, 80)])
        .unwrap()
        .unwrap();
    assert_eq!(ep["metadata"]["labels"]["service.kubernetes.io/headless"], "");
    assert_eq!(
        ep["subsets"],
        json!([{"addresses": [{"ip": "10.244.0.3", "nodeName": "dev-node",
        "targetRef": {"kind": "Pod", "namespace": "default", "name": "a", "uid": "uid-a"}}]}])
    );
}

#[test]
fn reconcile_creates_updates_and_settles() {
    let svc = service(json!([{"port": 80, "targetPort": 80}]));
    let mut pods = vec![web_pod("a", "10.244.0.3", false, 80)];
    let plan = endpoints::reconcile(&svc, &pods, None, at(1)).unwrap();
    let [Action::Create(ep)] = &plan.actions[..] else {
        panic!("{plan:?}")
    };
    assert_eq!(
        ep["metadata"]["annotations"]["endpoints.kubernetes.io/last-change-trigger-time"],
        ts(1)
    );
    let mut stored = ep.clone();
    stored["metadata"]["uid"] = json!("ep-uid");
    stored["metadata"]["resourceVersion"] = json!("5");
    assert!(
        endpoints::reconcile(&svc, &pods, Some(&stored), at(2))
            .unwrap()
            .is_noop()
    );
    pods[0] = web_pod("a", "10.244.0.3", true, 80);
    let plan = endpoints::reconcile(&svc, &pods, Some(&stored), at(3)).unwrap();
    let [Action::Update(updated)] = &plan.actions[..] else {
        panic!("{plan:?}")
    };
    assert_eq!(updated["metadata"]["resourceVersion"], "5");
    assert_eq!(updated["subsets"][0]["addresses"][0]["ip"], "10.244.0.3");
    assert!(updated["subsets"][0].get("notReadyAddresses").is_none());
    assert!(
        endpoints::reconcile(&svc, &pods, Some(updated), at(4))
            .unwrap()
            .is_noop()
    );
    let plan = endpoints::reconcile(&svc, &[], Some(updated), at(5)).unwrap();
    let [Action::Update(emptied)] = &plan.actions[..] else {
        panic!("{plan:?}")
    };
    assert!(emptied.get("subsets").is_none());
}
