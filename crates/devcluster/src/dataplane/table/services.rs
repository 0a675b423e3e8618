//! Services and their Ready pods, and the targets the routes resolve to.
//!
//! A pod is an endpoint when it is Running, its Ready condition is True and it is not being deleted,
//! and the Service's selector (plus a DestinationRule subset's labels, when one is named) matches its
//! labels in the Service's namespace. A Service without a selector has no endpoints here.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::objects::{list, meta, text};
use super::smi::Split;
use crate::dataplane::{Backend, ServiceRef};

/// Where a route sends: a Service as metrics name it, and its Ready pods, all resolved at build time.
#[derive(Debug, Clone)]
pub(super) struct Target {
    /// The Service, with the port the route named.
    pub service: ServiceRef,
    /// Its Ready pods (with a subset's labels applied).
    pub pods: Arc<[Arc<Backend>]>,
    /// Why nothing answers, when `pods` is empty.
    pub unavailable: Arc<str>,
    /// The TrafficSplit whose root this Service is: the mesh sends its traffic to the split's backends.
    pub split: Option<Arc<Split>>,
}

/// The port a route names.
#[derive(Debug, Clone, Copy)]
pub(super) enum PortRef<'a> {
    /// None named.
    Unnamed,
    /// A port number.
    Number(i64),
    /// A port name, looked up in the Service's ports.
    Name(&'a str),
}

impl<'a> PortRef<'a> {
    /// `{number: N}` or `{name: N}` (an Ingress backend's or Istio destination's `port`).
    pub(super) fn of(port: Option<&'a Value>) -> PortRef<'a> {
        let Some(port) = port else {
            return PortRef::Unnamed;
        };
        if let Some(n) = port.get("number").and_then(Value::as_i64) {
            PortRef::Number(n)
        } else if let Some(name) = text(port, "name") {
            PortRef::Name(name)
        } else {
            PortRef::Unnamed
        }
    }
}

#[derive(Clone)]
struct ServiceEntry {
    selector: Map<String, Value>,
    /// The ports as (name, number).
    ports: Vec<(String, i32)>,
    pods: Arc<[Arc<Backend>]>,
}

/// The Ready pods of one namespace, indexed by label.
#[derive(Default, Clone)]
struct ReadyPods {
    pods: Vec<(Map<String, Value>, Arc<Backend>)>,
    /// The pods (indexes into `pods`) carrying each `key=value` label.
    by_label: HashMap<(String, String), Vec<usize>>,
}

/// The Services of all namespaces with their Ready pods.
#[derive(Default, Clone)]
pub(super) struct Services {
    /// Ready pods by namespace.
    ready: HashMap<String, ReadyPods>,
    /// By namespace, then name.
    by_name: HashMap<String, HashMap<String, ServiceEntry>>,
    /// TrafficSplits by namespace and root Service name.
    splits: HashMap<String, HashMap<String, Arc<Split>>>,
}

impl Services {
    /// Indexes the Ready pods and the Services that select them.
    pub(super) fn build(pods: &[Arc<Value>], services: &[Arc<Value>]) -> Services {
        let mut ready: HashMap<String, ReadyPods> = HashMap::new();
        for pod in pods.iter().filter(|p| is_ready(p)) {
            let Some(backend) = backend(pod) else { continue };
            let labels = pod
                .pointer("/metadata/labels")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            let namespace = ready.entry(backend.namespace.clone()).or_default();
            let at = namespace.pods.len();
            for (key, value) in &labels {
                if let Some(value) = value.as_str() {
                    namespace
                        .by_label
                        .entry((key.clone(), value.to_string()))
                        .or_default()
                        .push(at);
                }
            }
            namespace.pods.push((labels, Arc::new(backend)));
        }
        let mut table = Services {
            ready,
            by_name: HashMap::new(),
            splits: HashMap::new(),
        };
        for service in services {
            let Some(m) = meta(service) else { continue };
            let selector = service
                .pointer("/spec/selector")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            let ports = service
                .pointer("/spec/ports")
                .and_then(Value::as_array)
                .map_or(&[][..], Vec::as_slice)
                .iter()
                .filter_map(|p| {
                    let number = i32::try_from(p.get("port")?.as_i64()?).ok()?;
                    Some((text(p, "name").unwrap_or_default().to_string(), number))
                })
                .collect();
            let pods = table.select(m.namespace, &selector, None);
            table
                .by_name
                .entry(m.namespace.to_string())
                .or_default()
                .entry(m.name.to_string())
                .or_insert(ServiceEntry { selector, ports, pods });
        }
        table
    }

    /// The Ready pods of `namespace` whose labels hold the selector and the extra labels; none for an
    /// empty selector.
    fn select(
        &self,
        namespace: &str,
        selector: &Map<String, Value>,
        extra: Option<&Map<String, Value>>,
    ) -> Arc<[Arc<Backend>]> {
        let Some(ready) = self.ready.get(namespace).filter(|_| !selector.is_empty()) else {
            return Arc::from(Vec::new());
        };
        // Only the pods carrying the rarest of the wanted labels need a full look.
        let wanted = selector.iter().chain(extra.into_iter().flatten());
        let mut candidates: Option<&Vec<usize>> = None;
        for (key, value) in wanted {
            let Some(value) = value.as_str() else {
                return Arc::from(Vec::new());
            };
            let Some(with_label) = ready.by_label.get(&(key.clone(), value.to_string())) else {
                return Arc::from(Vec::new());
            };
            if candidates.is_none_or(|c| with_label.len() < c.len()) {
                candidates = Some(with_label);
            }
        }
        let holds = |labels: &Map<String, Value>, wanted: &Map<String, Value>| {
            wanted.iter().all(|(k, v)| labels.get(k) == Some(v))
        };
        candidates
            .into_iter()
            .flatten()
            .filter_map(|i| ready.pods.get(*i))
            .filter(|(labels, _)| holds(labels, selector) && extra.is_none_or(|e| holds(labels, e)))
            .map(|(_, b)| Arc::clone(b))
            .collect()
    }

    fn entry(&self, namespace: &str, name: &str) -> Option<&ServiceEntry> {
        self.by_name.get(namespace)?.get(name)
    }

    /// Every Service as (namespace, name).
    pub(super) fn names(&self) -> impl Iterator<Item = (&str, &str)> {
        self.by_name
            .iter()
            .flat_map(|(ns, by_name)| by_name.keys().map(move |name| (ns.as_str(), name.as_str())))
    }

    /// Records the TrafficSplits by root, for the targets built after.
    pub(super) fn set_splits(&mut self, splits: HashMap<String, HashMap<String, Arc<Split>>>) {
        self.splits = splits;
    }

    /// The target for Service `name` of `namespace` at `port`; `subset` is a DestinationRule subset's
    /// name and labels. A missing Service is a target without pods, which answers 503.
    pub(super) fn target(
        &self,
        namespace: &str,
        name: &str,
        port: PortRef<'_>,
        subset: Option<(&str, &Map<String, Value>)>,
    ) -> Target {
        let entry = self.entry(namespace, name);
        let port = match (port, entry) {
            (PortRef::Number(n), _) => i32::try_from(n).unwrap_or(0),
            (PortRef::Name(wanted), Some(e)) => e.ports.iter().find(|(n, _)| n == wanted).map_or(0, |(_, p)| *p),
            _ => 0,
        };
        let service = ServiceRef {
            namespace: namespace.to_string(),
            name: name.to_string(),
            port,
        };
        let split = self.splits.get(namespace).and_then(|s| s.get(name)).cloned();
        let Some(entry) = entry else {
            return Target {
                service,
                pods: Arc::from(Vec::new()),
                unavailable: format!("service {namespace}/{name} not found").into(),
                split,
            };
        };
        let (pods, unavailable) = match subset {
            None => (
                Arc::clone(&entry.pods),
                format!("service {namespace}/{name} has no ready endpoints"),
            ),
            Some((subset, labels)) => (
                self.select(namespace, &entry.selector, Some(labels)),
                format!("subset {subset} of service {namespace}/{name} has no ready endpoints"),
            ),
        };
        Target {
            service,
            pods,
            unavailable: unavailable.into(),
            split,
        }
    }
}

/// Running, Ready and not being deleted.
fn is_ready(pod: &Value) -> bool {
    pod.pointer("/metadata/deletionTimestamp").is_none_or(Value::is_null)
        && pod.pointer("/status/phase").and_then(Value::as_str) == Some("Running")
        && pod
            .pointer("/status/conditions")
            .and_then(Value::as_array)
            .is_some_and(|cs| cs.iter().any(|c| c["type"] == "Ready" && c["status"] == "True"))
}

/// What answering depends on, from the pod.
fn backend(pod: &Value) -> Option<Backend> {
    let m = meta(pod)?;
    let container = pod.pointer("/spec/containers/0");
    let env = container
        .map(|c| list(c, "env"))
        .unwrap_or_default()
        .iter()
        .filter_map(|e| Some((text(e, "name")?.to_string(), text(e, "value")?.to_string())))
        .collect();
    Some(Backend {
        namespace: m.namespace.to_string(),
        pod: m.name.to_string(),
        uid: pod
            .pointer("/metadata/uid")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        image: container.and_then(|c| text(c, "image")).unwrap_or_default().to_string(),
        env,
        template_hash: pod
            .pointer("/metadata/labels/rollouts-pod-template-hash")
            .and_then(Value::as_str)
            .map(str::to_string),
    })
}
