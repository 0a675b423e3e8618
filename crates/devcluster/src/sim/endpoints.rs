//! The Endpoints controller: for a Service with a selector, an Endpoints object of the same name whose
//! subsets list the selected pods' IPs (ready ones as `addresses`, others as `notReadyAddresses`) with the
//! Service's ports resolved against each pod (`targetPort` by number or by container port name).
//!
//! Services without a selector (their Endpoints are written by hand) and ExternalName Services are left
//! alone. The Endpoints carries the Service's labels plus `endpoints.kubernetes.io/managed-by:
//! endpoint-controller` (and `service.kubernetes.io/headless` for headless Services), as Kubernetes 1.33
//! writes them. Pods without an IP, finished pods and pods being deleted are left out (unless the Service
//! publishes not-ready addresses, which keeps deleting pods and lists everything as ready). EndpointSlices
//! and the 1000-address truncation are not modelled.

use jiff::Timestamp;
use serde_json::{Map, Value, json};

use super::meta::{self, Selector, fmt_time};
use super::podutil;
use super::{Action, Plan, SimError};

/// Label marking Endpoints written by the controller.
pub const MANAGED_BY_LABEL: &str = "endpoints.kubernetes.io/managed-by";
/// Its value.
pub const CONTROLLER_NAME: &str = "endpoint-controller";
/// Label marking the Endpoints of a headless Service.
pub const HEADLESS_LABEL: &str = "service.kubernetes.io/headless";
/// Annotation with the time of the change that led to the last update.
pub const TRIGGER_TIME_ANNOTATION: &str = "endpoints.kubernetes.io/last-change-trigger-time";

/// The Endpoints the Service should have, or `None` when the controller leaves it alone.
pub fn desired(service: &Value, pods: &[Value]) -> Result<Option<Value>, SimError> {
    let selector = match service.pointer("/spec/selector") {
        Some(s) if !s.is_null() => Selector::from_map(Some(s))?,
        _ => return Ok(None),
    };
    if meta::str_at(service, "/spec/type") == Some("ExternalName") {
        return Ok(None);
    }
    let namespace = meta::namespace(service);
    let cluster_ip = meta::str_at(service, "/spec/clusterIP").unwrap_or("");
    let ip_set = !cluster_ip.is_empty() && cluster_ip != "None";
    let publish = meta::bool_at(service, "/spec/publishNotReadyAddresses");
    let ports = meta::array_at(service, "/spec/ports");
    // (ports of the subset, ready addresses, not-ready addresses)
    let mut subsets: Vec<(Vec<Value>, Vec<Value>, Vec<Value>)> = Vec::new();
    for pod in pods
        .iter()
        .filter(|p| meta::namespace(p) == namespace && selector.selects(p))
    {
        let ip = meta::str_at(pod, "/status/podIP").unwrap_or("");
        if ip.is_empty() || podutil::is_terminal(pod) || (meta::is_deleting(pod) && !publish) {
            continue;
        }
        let mut pod_ports: Vec<Value> = ports.iter().filter_map(|p| endpoint_port(p, pod)).collect();
        if pod_ports.is_empty() && !(ports.is_empty() && cluster_ip == "None") {
            continue;
        }
        pod_ports.sort_by_key(|p| (p["name"].as_str().unwrap_or("").to_string(), p["port"].as_i64()));
        let address = address(service, pod, ip);
        let ready = publish || podutil::is_ready(pod);
        let subset = match subsets.iter_mut().find(|s| s.0 == pod_ports) {
            Some(s) => s,
            None => {
                subsets.push((pod_ports, Vec::new(), Vec::new()));
                let last = subsets.len() - 1;
                &mut subsets[last]
            }
        };
        if ready {
            subset.1.push(address);
        } else {
            subset.2.push(address);
        }
    }
    subsets.sort_by_key(|s| Value::Array(s.0.clone()).to_string());
    let subsets: Vec<Value> = subsets
        .into_iter()
        .map(|(ports, mut ready, mut not_ready)| {
            let key = |a: &Value| {
                (
                    a["ip"].as_str().unwrap_or("").to_string(),
                    a["targetRef"]["uid"].as_str().unwrap_or("").to_string(),
                )
            };
            ready.sort_by_key(key);
            not_ready.sort_by_key(key);
            let mut s = Map::new();
            for (k, v) in [("addresses", ready), ("notReadyAddresses", not_ready), ("ports", ports)] {
                if !v.is_empty() {
                    s.insert(k.to_string(), Value::Array(v));
                }
            }
            Value::Object(s)
        })
        .collect();
    let mut labels = meta::labels(service);
    labels.insert(MANAGED_BY_LABEL.into(), json!(CONTROLLER_NAME));
    if !ip_set {
        labels.insert(HEADLESS_LABEL.into(), json!(""));
    }
    let mut endpoints = json!({
        "apiVersion": "v1",
        "kind": "Endpoints",
        "metadata": {"name": meta::name(service), "namespace": namespace, "labels": labels},
    });
    if !subsets.is_empty() {
        meta::set_at(&mut endpoints, &["subsets"], Value::Array(subsets));
    }
    Ok(Some(endpoints))
}

/// Creates or updates the Service's Endpoints (`existing` is the current one, if any) when its subsets
/// or labels differ from [`desired`].
pub fn reconcile(service: &Value, pods: &[Value], existing: Option<&Value>, now: Timestamp) -> Result<Plan, SimError> {
    let mut plan = Plan::none();
    let Some(mut want) = desired(service, pods)? else {
        return Ok(plan);
    };
    let labels = want.pointer("/metadata/labels").cloned().unwrap_or_else(|| json!({}));
    let subsets = want.get("subsets").cloned().unwrap_or(Value::Null);
    match existing {
        None => {
            meta::set_at(
                &mut want,
                &["metadata", "annotations", TRIGGER_TIME_ANNOTATION],
                json!(fmt_time(now)),
            );
            plan.push(Action::Create(want));
        }
        Some(current) => {
            let same_subsets = meta::semantic_eq(current.get("subsets").unwrap_or(&Value::Null), &subsets);
            let same_labels = meta::semantic_eq(current.pointer("/metadata/labels").unwrap_or(&Value::Null), &labels);
            if same_subsets && same_labels {
                return Ok(plan);
            }
            let mut next = current.clone();
            meta::set_at(&mut next, &["metadata", "labels"], labels);
            meta::set_at(
                &mut next,
                &["metadata", "annotations", TRIGGER_TIME_ANNOTATION],
                json!(fmt_time(now)),
            );
            match next.as_object_mut() {
                Some(m) if subsets.is_null() => {
                    m.remove("subsets");
                }
                _ => meta::set_at(&mut next, &["subsets"], subsets),
            }
            plan.push(Action::Update(next));
        }
    }
    Ok(plan)
}

/// The endpoint address of a pod.
fn address(service: &Value, pod: &Value, ip: &str) -> Value {
    let mut a = json!({
        "ip": ip,
        "targetRef": {"kind": "Pod", "namespace": meta::namespace(pod), "name": meta::name(pod), "uid": meta::uid(pod)},
    });
    if let Some(node) = meta::str_at(pod, "/spec/nodeName").filter(|n| !n.is_empty()) {
        a["nodeName"] = json!(node);
    }
    let hostname = meta::str_at(pod, "/spec/hostname").unwrap_or("");
    if !hostname.is_empty() && meta::str_at(pod, "/spec/subdomain") == Some(meta::name(service)) {
        a["hostname"] = json!(hostname);
    }
    a
}

/// The endpoint port for a Service port on a pod, if the pod has it (Kubernetes' `FindPort`).
fn endpoint_port(port: &Value, pod: &Value) -> Option<Value> {
    let protocol = port.get("protocol").and_then(Value::as_str).unwrap_or("TCP");
    let number = match port.get("targetPort") {
        Some(Value::String(name)) => meta::array_at(pod, "/spec/containers")
            .iter()
            .flat_map(|c| meta::array_at(c, "/ports"))
            .find(|p| {
                p.get("name").and_then(Value::as_str) == Some(name.as_str())
                    && p.get("protocol").and_then(Value::as_str).unwrap_or("TCP") == protocol
            })
            .and_then(|p| p.get("containerPort").and_then(Value::as_i64))?,
        Some(Value::Number(n)) => n.as_i64()?,
        _ => port.get("port").and_then(Value::as_i64)?,
    };
    let mut ep = json!({"port": number, "protocol": protocol});
    if let Some(name) = port.get("name").and_then(Value::as_str).filter(|n| !n.is_empty()) {
        ep["name"] = json!(name);
    }
    if let Some(app) = port.get("appProtocol").filter(|v| !v.is_null()) {
        ep["appProtocol"] = app.clone();
    }
    Some(ep)
}
