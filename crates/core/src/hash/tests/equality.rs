use super::super::template_equal_ignoring_hash;
use k8s_openapi::api::core::v1::PodTemplateSpec;
use serde_json::{Value, json};

fn spec(value: Value) -> PodTemplateSpec {
    match serde_json::from_value(value) {
        Ok(template) => template,
        Err(e) => panic!("{e}"),
    }
}

fn desired() -> Value {
    json!({
        "metadata": {"labels": {"app": "demo"}},
        "spec": {
            "containers": [{
                "name": "app",
                "image": "argoproj/rollouts-demo:blue",
                "ports": [{"containerPort": 8080}],
                "resources": {"requests": {"cpu": "0.5", "memory": "1Gi"}},
                "readinessProbe": {"httpGet": {"port": 8080}},
                "env": [{"name": "NODE", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}}],
            }],
            "volumes": [{"name": "cfg", "configMap": {"name": "cfg"}}, {"name": "scratch"}],
        },
    })
}

/// The same template as a ReplicaSet created from it reads back from an API server.
fn live() -> Value {
    json!({
        "metadata": {"creationTimestamp": null, "labels": {"app": "demo", "rollouts-pod-template-hash": "abc"}},
        "spec": {
            "containers": [{
                "name": "app",
                "image": "argoproj/rollouts-demo:blue",
                "imagePullPolicy": "IfNotPresent",
                "ports": [{"containerPort": 8080, "protocol": "TCP"}],
                "resources": {"requests": {"cpu": "500m", "memory": "1024Mi"}},
                "readinessProbe": {
                    "httpGet": {"port": 8080, "path": "/", "scheme": "HTTP"},
                    "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3,
                },
                "env": [{"name": "NODE", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "spec.nodeName"}}}],
                "terminationMessagePath": "/dev/termination-log",
                "terminationMessagePolicy": "File",
            }],
            "volumes": [
                {"name": "cfg", "configMap": {"name": "cfg", "defaultMode": 420}},
                {"name": "scratch", "emptyDir": {}},
            ],
            "restartPolicy": "Always",
            "terminationGracePeriodSeconds": 30,
            "dnsPolicy": "ClusterFirst",
            "serviceAccount": "default",
            "securityContext": {},
            "schedulerName": "default-scheduler",
            "nodeSelector": {},
        },
    })
}

#[test]
fn a_defaulted_copy_with_the_hash_label_is_equal() {
    assert!(template_equal_ignoring_hash(&spec(live()), &spec(desired())));
}

#[test]
fn a_real_difference_is_not_equal() {
    let mut changed = live();
    changed["spec"]["containers"][0]["image"] = json!("argoproj/rollouts-demo:green");
    assert!(!template_equal_ignoring_hash(&spec(changed), &spec(desired())));

    let mut relabelled = live();
    relabelled["metadata"]["labels"]["app"] = json!("other");
    assert!(!template_equal_ignoring_hash(&spec(relabelled), &spec(desired())));

    let mut more_cpu = live();
    more_cpu["spec"]["containers"][0]["resources"]["requests"]["cpu"] = json!("501m");
    assert!(!template_equal_ignoring_hash(&spec(more_cpu), &spec(desired())));
}

#[test]
fn defaults_are_applied_to_the_desired_template_only() {
    // A live template without the server's defaults is not what the API server would return.
    assert!(!template_equal_ignoring_hash(&spec(desired()), &spec(live())));
}

#[test]
fn explicit_values_that_differ_from_the_defaults_are_kept() {
    let mut desired = desired();
    desired["spec"]["restartPolicy"] = json!("Never");
    assert!(!template_equal_ignoring_hash(&spec(live()), &spec(desired.clone())));
    let mut live = live();
    live["spec"]["restartPolicy"] = json!("Never");
    assert!(template_equal_ignoring_hash(&spec(live), &spec(desired)));
}

#[test]
fn image_pull_policy_defaults_to_always_for_latest() {
    let mut desired = desired();
    desired["spec"]["containers"][0]["image"] = json!("nginx");
    let mut live = live();
    live["spec"]["containers"][0]["image"] = json!("nginx");
    assert!(!template_equal_ignoring_hash(
        &spec(live.clone()),
        &spec(desired.clone())
    ));
    live["spec"]["containers"][0]["imagePullPolicy"] = json!("Always");
    assert!(template_equal_ignoring_hash(&spec(live), &spec(desired)));
}
