//! Per-kind defaults the API server applies on create, so that stored objects look as they would on a
//! real cluster (and the simulated controllers find the fields they rely on).

use serde_json::{Value, json};

use crate::registry::ResourceType;

fn set_default(obj: &mut Value, pointer: &str, value: Value) {
    // A path that runs into a non-object (a malformed body) simply gets no default.
    let _ = try_set_default(obj, pointer, value);
}

fn try_set_default(obj: &mut Value, pointer: &str, value: Value) -> Option<()> {
    if obj.pointer(pointer).is_some_and(|v| !v.is_null()) {
        return Some(());
    }
    let mut parts: Vec<&str> = pointer.trim_start_matches('/').split('/').collect();
    let last = parts.pop()?;
    let mut at = obj;
    for p in parts {
        at = match at {
            Value::Array(items) => items.get_mut(p.parse::<usize>().ok()?)?,
            Value::Object(o) => o.entry(p).or_insert_with(|| json!({})),
            _ => return None,
        };
    }
    at.as_object_mut()?.insert(last.to_string(), value);
    Some(())
}

fn pod_spec_defaults(obj: &mut Value, spec: &str) {
    if obj.pointer(spec).is_none() {
        return;
    }
    set_default(obj, &format!("{spec}/restartPolicy"), json!("Always"));
    set_default(obj, &format!("{spec}/terminationGracePeriodSeconds"), json!(30));
    set_default(obj, &format!("{spec}/dnsPolicy"), json!("ClusterFirst"));
    set_default(obj, &format!("{spec}/schedulerName"), json!("default-scheduler"));
    set_default(obj, &format!("{spec}/securityContext"), json!({}));
    let count = obj
        .pointer(&format!("{spec}/containers"))
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    for i in 0..count {
        let c = format!("{spec}/containers/{i}");
        set_default(
            obj,
            &format!("{c}/terminationMessagePath"),
            json!("/dev/termination-log"),
        );
        set_default(obj, &format!("{c}/terminationMessagePolicy"), json!("File"));
        let latest = obj
            .pointer(&format!("{c}/image"))
            .and_then(Value::as_str)
            .is_some_and(|i| {
                let tag = i.rsplit('/').next().unwrap_or(i);
                !tag.contains(':') || tag.ends_with(":latest")
            });
        set_default(
            obj,
            &format!("{c}/imagePullPolicy"),
            json!(if latest { "Always" } else { "IfNotPresent" }),
        );
        set_default(obj, &format!("{c}/resources"), json!({}));
    }
}

fn random_cluster_ip() -> String {
    let n = crate::object::random_suffix(4);
    let b = n.as_bytes();
    format!(
        "10.96.{}.{}",
        u32::from(b[0]) % 250 + 1 + (u32::from(b[2]) % 4),
        u32::from(b[1]) % 250 + 2
    )
}

/// Defaults applied to a new object of `rt`.
pub fn on_create(rt: &ResourceType, obj: &mut Value) {
    match (rt.group.as_str(), rt.kind.as_str()) {
        ("", "Namespace") => {
            set_default(obj, "/spec/finalizers", json!(["kubernetes"]));
            obj["status"] = json!({ "phase": "Active" });
            canonicalize(rt, obj);
        }
        ("", "Pod") => {
            pod_spec_defaults(obj, "/spec");
            set_default(obj, "/spec/enableServiceLinks", json!(true));
            obj["status"] = json!({ "phase": "Pending", "qosClass": "BestEffort" });
        }
        ("", "Service") => {
            set_default(obj, "/spec/type", json!("ClusterIP"));
            set_default(obj, "/spec/sessionAffinity", json!("None"));
            if obj
                .pointer("/spec/clusterIP")
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
            {
                let ip = random_cluster_ip();
                obj["spec"]["clusterIP"] = json!(ip);
                obj["spec"]["clusterIPs"] = json!([ip]);
            }
            let ports = obj.pointer("/spec/ports").and_then(Value::as_array).map_or(0, Vec::len);
            for i in 0..ports {
                set_default(obj, &format!("/spec/ports/{i}/protocol"), json!("TCP"));
                if let Some(port) = obj.pointer(&format!("/spec/ports/{i}/port")).cloned() {
                    set_default(obj, &format!("/spec/ports/{i}/targetPort"), port);
                }
            }
            obj["status"] = json!({ "loadBalancer": {} });
        }
        ("", "PodTemplate") => pod_spec_defaults(obj, "/template/spec"),
        ("apps", "ReplicaSet") => {
            set_default(obj, "/spec/replicas", json!(1));
            pod_spec_defaults(obj, "/spec/template/spec");
        }
        ("apps", "Deployment") => {
            set_default(obj, "/spec/replicas", json!(1));
            set_default(obj, "/spec/revisionHistoryLimit", json!(10));
            set_default(obj, "/spec/progressDeadlineSeconds", json!(600));
            if obj.pointer("/spec/strategy/type").is_none() {
                set_default(obj, "/spec/strategy/type", json!("RollingUpdate"));
            }
            if obj.pointer("/spec/strategy/type").and_then(Value::as_str) == Some("RollingUpdate") {
                set_default(obj, "/spec/strategy/rollingUpdate/maxSurge", json!("25%"));
                set_default(obj, "/spec/strategy/rollingUpdate/maxUnavailable", json!("25%"));
            }
            pod_spec_defaults(obj, "/spec/template/spec");
        }
        ("batch", "Job") => {
            set_default(obj, "/spec/backoffLimit", json!(6));
            set_default(obj, "/spec/completions", json!(1));
            set_default(obj, "/spec/parallelism", json!(1));
            set_default(obj, "/spec/completionMode", json!("NonIndexed"));
            set_default(obj, "/spec/suspend", json!(false));
            pod_spec_defaults(obj, "/spec/template/spec");
            if obj.pointer("/spec/template/spec/restartPolicy").and_then(Value::as_str) == Some("Always") {
                // Jobs may not restart always; an explicit value is validated, a default would be wrong.
                obj["spec"]["template"]["spec"]["restartPolicy"] = json!("Never");
            }
        }
        ("apiextensions.k8s.io", "CustomResourceDefinition") => {
            let names = obj.pointer("/spec/names").cloned().unwrap_or(json!({}));
            let stored: Vec<Value> = obj
                .pointer("/spec/versions")
                .and_then(Value::as_array)
                .map(|vs| {
                    vs.iter()
                        .filter(|v| v["storage"] == json!(true))
                        .map(|v| v["name"].clone())
                        .collect()
                })
                .unwrap_or_default();
            obj["status"] = json!({
                "acceptedNames": names,
                "storedVersions": stored,
                "conditions": [
                    { "type": "NamesAccepted", "status": "True", "reason": "NoConflicts", "message": "no conflicts found", "lastTransitionTime": obj["metadata"]["creationTimestamp"] },
                    { "type": "Established", "status": "True", "reason": "InitialNamesAccepted", "message": "the initial names have been accepted", "lastTransitionTime": obj["metadata"]["creationTimestamp"] },
                ],
            });
        }
        _ => {}
    }
}

/// What kube-apiserver enforces on every write of a kind: a namespace carries its name as the label
/// `kubernetes.io/metadata.name`.
pub fn canonicalize(rt: &ResourceType, obj: &mut Value) {
    if rt.group.is_empty()
        && rt.kind == "Namespace"
        && let Some(name) = obj
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .map(str::to_string)
        && let Some(meta) = obj.get_mut("metadata").and_then(Value::as_object_mut)
    {
        let labels = meta.entry("labels").or_insert_with(|| json!({}));
        if !labels.is_object() {
            *labels = json!({});
        }
        labels["kubernetes.io/metadata.name"] = json!(name);
    }
}

/// Whether an object still waits for finalizers kept outside `metadata.finalizers` (a namespace's
/// `spec.finalizers`).
pub fn has_spec_finalizers(rt: &ResourceType, obj: &Value) -> bool {
    rt.group.is_empty()
        && rt.kind == "Namespace"
        && obj
            .pointer("/spec/finalizers")
            .and_then(Value::as_array)
            .is_some_and(|f| !f.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Registry;

    #[test]
    fn deployments_and_services_get_their_defaults() {
        let r = Registry::with_builtins();
        let mut d = json!({"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "nginx"}]}}}});
        on_create(&r.get("apps", "v1", "deployments").unwrap(), &mut d);
        assert_eq!(d["spec"]["strategy"]["rollingUpdate"]["maxSurge"], "25%");
        assert_eq!(
            d["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"],
            "Always"
        );
        let mut s = json!({"spec": {"ports": [{"port": 80}]}});
        on_create(&r.get("", "v1", "services").unwrap(), &mut s);
        assert_eq!(s["spec"]["ports"][0]["targetPort"], 80);
        assert!(s["spec"]["clusterIP"].as_str().unwrap().starts_with("10.96."));
    }
}
