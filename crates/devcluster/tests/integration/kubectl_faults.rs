//! Fault injection seen through kubectl: injected errors per verb and resource, clearing them, added latency,
//! and the `/debug/faults` endpoint. (Cutting watches is covered with the watch tests.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use std::time::{Duration, Instant};

use common::{configmap, jsonpath, kubectl_err};
use rollouts_devcluster::faults::{FaultRule, FaultSettings};
use rollouts_devcluster::testing::{TestCluster, kubectl_available};

fn rules(specs: &[&str]) -> FaultSettings {
    FaultSettings {
        rules: specs.iter().map(|s| FaultRule::parse(s).unwrap()).collect(),
        ..FaultSettings::default()
    }
}

#[test]
fn injected_errors_fail_requests_until_cleared() {
    if !kubectl_available() {
        return;
    }
    let tc = TestCluster::start().unwrap();
    tc.kubectl_ok_stdin(&["apply", "-f", "-"], &configmap("cfg", &[], &[("a", "1")]));
    let faults = &tc.cluster().server.faults;

    faults.set(rules(&["verb=list,resource=configmaps,code=500,rate=1"]));
    let err = kubectl_err(&tc, &["get", "cm"]);
    assert_eq!(
        err,
        "Error from server (InternalError): Internal error occurred: injected fault\n"
    );
    // Other verbs and resources are served.
    assert_eq!(tc.kubectl_ok(&["get", "cm", "cfg", "-o", "name"]), "configmap/cfg\n");
    let out = tc.kubectl(&["get", "secrets"]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    faults.set(FaultSettings::default());
    assert_eq!(tc.kubectl_ok(&["get", "cm", "-o", "name"]), "configmap/cfg\n");

    // Conflicts on writes.
    faults.set(rules(&["verb=patch,resource=configmaps,code=409,rate=1"]));
    let err = kubectl_err(
        &tc,
        &["patch", "cm", "cfg", "--type", "merge", "-p", r#"{"data":{"a":"2"}}"#],
    );
    assert_eq!(
        err,
        "Error from server (Conflict): Operation cannot be fulfilled on configmaps \"cfg\": the object has been modified; please apply your changes to the latest version and try again\n"
    );
    assert_eq!(jsonpath(&tc, &["cm", "cfg"], "{.data.a}"), "1");
    faults.set(FaultSettings::default());
    tc.kubectl_ok(&["patch", "cm", "cfg", "--type", "merge", "-p", r#"{"data":{"a":"2"}}"#]);
    assert_eq!(jsonpath(&tc, &["cm", "cfg"], "{.data.a}"), "2");

    // A rule for any verb of one resource; the first matching rule wins.
    faults.set(rules(&[
        "verb=get,resource=configmaps,code=500,rate=0",
        "resource=configmaps,code=500,rate=1",
    ]));
    let err = kubectl_err(&tc, &["delete", "cm", "cfg"]);
    assert!(err.contains("injected fault"), "{err}");
    assert_eq!(tc.kubectl_ok(&["get", "cm", "cfg", "-o", "name"]), "configmap/cfg\n");
    faults.set(FaultSettings::default());
    assert_eq!(tc.kubectl_ok(&["delete", "cm", "cfg"]), "configmap \"cfg\" deleted\n");
}

#[test]
fn latency_and_the_debug_endpoint() {
    if !kubectl_available() {
        return;
    }
    let tc = TestCluster::start().unwrap();
    tc.kubectl_ok(&["get", "ns"]);
    tc.cluster().server.faults.set(FaultSettings {
        latency_millis: 400,
        ..FaultSettings::default()
    });
    let started = Instant::now();
    tc.kubectl_ok(&["get", "ns", "default", "-o", "name"]);
    assert!(
        started.elapsed() >= Duration::from_millis(400),
        "{:?}",
        started.elapsed()
    );
    tc.cluster().server.faults.set(FaultSettings::default());

    // The same settings over HTTP, as `rollouts dev --fault` users reach them.
    let dir = tc.dir().join("faults");
    std::fs::create_dir_all(&dir).unwrap();
    let body = dir.join("settings.json");
    std::fs::write(
        &body,
        r#"{"rules":[{"verb":"list","resource":"secrets","code":500,"rate":1}],"latencyMillis":0}"#,
    )
    .unwrap();
    let out = tc.kubectl_ok(&["replace", "--raw", "/debug/faults", "-f", body.to_str().unwrap()]);
    let settings: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(settings["rules"][0]["resource"], "secrets");
    let current: serde_json::Value = serde_json::from_str(&tc.kubectl_ok(&["get", "--raw", "/debug/faults"])).unwrap();
    assert_eq!(current, settings);
    assert_eq!(tc.cluster().server.faults.get().rules[0].code, 500);
    let err = kubectl_err(&tc, &["get", "secrets"]);
    assert!(
        err.contains("(InternalError)") && err.contains("injected fault"),
        "{err}"
    );
    std::fs::write(&body, "{}").unwrap();
    tc.kubectl_ok(&["replace", "--raw", "/debug/faults", "-f", body.to_str().unwrap()]);
    assert!(tc.kubectl(&["get", "secrets"]).status.success());
    std::fs::write(&body, r#"{"rules": 7}"#).unwrap();
    let err = kubectl_err(
        &tc,
        &["replace", "--raw", "/debug/faults", "-f", body.to_str().unwrap()],
    );
    assert!(err.contains("(BadRequest)") && err.contains("fault settings"), "{err}");
}
