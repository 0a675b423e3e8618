//! The routing table the server routes by, kept in step with the store.
//!
//! Each request asks for the current table. While the store's revision has not moved, that is one
//! short lock and a reference count. When it has moved, the routing kinds are listed again and their
//! objects' revisions compared with the last build's: the table is compiled again only when one of
//! them changed (an Event or a Lease written elsewhere costs a listing, not a build). One request
//! rebuilds at a time; requests arriving meanwhile route by the table before, as a real proxy serves by
//! its last configuration while reloading.
//!
//! Beside the table, the build keeps what the metrics' labels need and routing does not: each pod's
//! workload name (Istio's `destination_workload`) and each Ingress's rules (ingress-nginx labels a
//! request with the primary Ingress's Service and rule path, even when the canary answered it).

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use serde_json::Value;

use super::table::{PREFIX_FIELDS, PREFIXES, RoutingTable, Snapshot};
use crate::store::Store;

/// One build: the routing table and the label lookups.
#[derive(Debug, Default)]
pub struct Compiled {
    /// The routing table.
    pub table: RoutingTable,
    /// The lookups for the metrics' labels.
    pub labels: LabelIndex,
}

/// What the metrics' labels need from the routing objects.
#[derive(Debug, Default)]
pub struct LabelIndex {
    /// Namespace → pod → workload name.
    workloads: HashMap<String, HashMap<String, String>>,
    /// Namespace → Ingress name → its rules.
    ingresses: HashMap<String, HashMap<String, IngressRules>>,
}

/// The paths of one Ingress, with the Service each leads to.
#[derive(Debug, Default)]
struct IngressRules {
    paths: Vec<IngressPath>,
    default_service: Option<String>,
}

#[derive(Debug)]
struct IngressPath {
    /// The rule's host ("" for any; `*.example.com` for one leading label).
    host: String,
    path: String,
    kind: PathKind,
    service: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PathKind {
    Exact,
    /// `Prefix`: whole path elements.
    Prefix,
    /// `ImplementationSpecific`: ingress-nginx treats it as a plain string prefix.
    Plain,
}

impl LabelIndex {
    /// The lookups of `snapshot`.
    pub fn build(snapshot: &Snapshot<'_>) -> LabelIndex {
        let mut index = LabelIndex::default();
        for pod in snapshot.pods {
            if let (Some(ns), Some(name)) = (str_at(pod, "/metadata/namespace"), str_at(pod, "/metadata/name")) {
                index
                    .workloads
                    .entry(ns.to_string())
                    .or_default()
                    .insert(name.to_string(), workload_name(pod, name));
            }
        }
        for ingress in snapshot.ingresses {
            if let (Some(ns), Some(name)) = (
                str_at(ingress, "/metadata/namespace"),
                str_at(ingress, "/metadata/name"),
            ) {
                index
                    .ingresses
                    .entry(ns.to_string())
                    .or_default()
                    .insert(name.to_string(), IngressRules::of(ingress));
            }
        }
        index
    }

    /// The workload a pod belongs to, as Istio names it.
    pub fn workload(&self, namespace: &str, pod: &str) -> Option<&str> {
        self.workloads.get(namespace)?.get(pod).map(String::as_str)
    }

    /// The Service and rule path of Ingress `namespace/ingress` that `host` and `path` match, as
    /// ingress-nginx's `service` and `path` labels give them; `None` when no rule matches (or the
    /// Ingress is unknown).
    pub fn ingress_rule(&self, namespace: &str, ingress: &str, host: &str, path: &str) -> Option<(&str, &str)> {
        let rules = self.ingresses.get(namespace)?.get(ingress)?;
        // As nginx picks a server block by host first (exact, then wildcard, then any) and only then a
        // location in it.
        let best_host = rules.paths.iter().filter_map(|p| host_rank(&p.host, host)).max();
        let best = rules
            .paths
            .iter()
            .filter(|p| best_host.is_some() && host_rank(&p.host, host) == best_host && p.matches(path))
            // The longest path wins; at equal length an Exact path beats a prefix.
            .max_by_key(|p| (p.path.len(), p.kind == PathKind::Exact));
        match best {
            Some(p) => Some((p.service.as_str(), p.path.as_str())),
            None => rules.default_service.as_deref().map(|s| (s, "/")),
        }
    }
}

impl IngressRules {
    fn of(ingress: &Value) -> IngressRules {
        let service = |backend: &Value| backend.pointer("/service/name")?.as_str().map(str::to_string);
        let mut rules = IngressRules {
            paths: Vec::new(),
            default_service: ingress.pointer("/spec/defaultBackend").and_then(service),
        };
        for rule in ingress
            .pointer("/spec/rules")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let host = rule["host"].as_str().unwrap_or_default().to_ascii_lowercase();
            for p in rule
                .pointer("/http/paths")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let Some(svc) = service(&p["backend"]) else { continue };
                let kind = match p["pathType"].as_str() {
                    Some("Exact") => PathKind::Exact,
                    Some("Prefix") => PathKind::Prefix,
                    _ => PathKind::Plain,
                };
                rules.paths.push(IngressPath {
                    host: host.clone(),
                    path: p["path"].as_str().filter(|s| !s.is_empty()).unwrap_or("/").to_string(),
                    kind,
                    service: svc,
                });
            }
        }
        rules
    }
}

impl IngressPath {
    fn matches(&self, path: &str) -> bool {
        match self.kind {
            PathKind::Exact => path == self.path,
            PathKind::Plain => path.starts_with(&self.path),
            PathKind::Prefix => {
                let prefix = self.path.trim_end_matches('/');
                prefix.is_empty()
                    || path
                        .strip_prefix(prefix)
                        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
            }
        }
    }
}

/// How closely an Ingress rule's host matches a request's: 2 exactly, 1 through a wildcard (`*.`
/// covering one label), 0 a rule for any host; `None` when it does not match.
fn host_rank(rule: &str, host: &str) -> Option<u8> {
    if rule.is_empty() {
        return Some(0);
    }
    match rule.strip_prefix("*.") {
        Some(suffix) => host
            .split_once('.')
            .is_some_and(|(first, rest)| !first.is_empty() && rest == suffix)
            .then_some(1),
        None => (rule == host).then_some(2),
    }
}

/// Istio's workload name for a pod: its controller's name, less the `pod-template-hash` suffix a
/// Deployment's ReplicaSet carries (a Rollout's pods carry `rollouts-pod-template-hash` instead, so
/// Istio, and this, name their ReplicaSet); the pod's own name when it has no controller.
fn workload_name(pod: &Value, pod_name: &str) -> String {
    let owner = pod
        .pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|o| o["controller"] == true);
    let Some(owner_name) = owner.and_then(|o| o["name"].as_str()) else {
        return pod_name.to_string();
    };
    let hash = str_at(pod, "/metadata/labels/pod-template-hash");
    match hash.and_then(|h| owner_name.strip_suffix(h)?.strip_suffix('-')) {
        Some(deployment) if owner.is_some_and(|o| o["kind"] == "ReplicaSet") => deployment.to_string(),
        _ => owner_name.to_string(),
    }
}

fn str_at<'a>(value: &'a Value, pointer: &str) -> Option<&'a str> {
    value.pointer(pointer)?.as_str()
}

/// The current build and what it was built from.
#[derive(Debug)]
struct Current {
    /// The store revision last checked against.
    revision: u64,
    /// The revisions of the routing objects it was compiled from, hashed.
    fingerprint: u64,
    compiled: Arc<Compiled>,
}

/// The routing table kept in step with a store.
pub struct LiveTable {
    store: Arc<Store>,
    current: RwLock<Arc<Current>>,
    rebuilding: Mutex<()>,
    builds: AtomicU64,
}

impl std::fmt::Debug for LiveTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveTable")
            .field("current", &self.load())
            .finish_non_exhaustive()
    }
}

impl LiveTable {
    /// A table over `store`, built at once.
    pub fn new(store: Arc<Store>) -> LiveTable {
        let live = LiveTable {
            store,
            current: RwLock::new(Arc::new(Current {
                revision: 0,
                fingerprint: 0,
                compiled: Arc::default(),
            })),
            rebuilding: Mutex::new(()),
            builds: AtomicU64::new(0),
        };
        live.refresh();
        live
    }

    /// The table as of the store's current revision (or the one before, while another request is
    /// rebuilding it).
    pub fn current(&self) -> Arc<Compiled> {
        let current = self.load();
        if current.revision == self.store.revision() {
            return Arc::clone(&current.compiled);
        }
        match self.rebuilding.try_lock() {
            Ok(_guard) => self.refresh_locked(),
            Err(_) => Arc::clone(&current.compiled),
        }
    }

    /// How many times the table was compiled (for tests of the caching).
    pub fn builds(&self) -> u64 {
        self.builds.load(Ordering::Relaxed)
    }

    fn load(&self) -> Arc<Current> {
        Arc::clone(&self.current.read().unwrap_or_else(PoisonError::into_inner))
    }

    fn refresh(&self) -> Arc<Compiled> {
        let _guard = self.rebuilding.lock().unwrap_or_else(PoisonError::into_inner);
        self.refresh_locked()
    }

    /// Lists the routing kinds and compiles them if they changed; the caller holds `rebuilding`.
    fn refresh_locked(&self) -> Arc<Compiled> {
        let previous = self.load();
        // Read before listing: a write landing during the listing moves the revision past this one,
        // so the next request looks again.
        let revision = self.store.revision();
        if revision == previous.revision {
            return Arc::clone(&previous.compiled);
        }
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        let lists: Vec<Vec<Arc<Value>>> = PREFIXES
            .iter()
            .map(|prefix| {
                let (items, _) = self.store.list(prefix, None);
                prefix.hash(&mut hasher);
                items
                    .iter()
                    .map(|stored| {
                        // A revision names one write of one object, so the list of them names the
                        // objects' whole state.
                        stored.revision.hash(&mut hasher);
                        Arc::clone(&stored.object)
                    })
                    .collect()
            })
            .collect();
        let fingerprint = hasher.finish();
        let compiled = if fingerprint == previous.fingerprint && previous.revision != 0 {
            Arc::clone(&previous.compiled)
        } else {
            // A kind served under two API groups is listed under each: one list per field.
            let mut fields: Vec<Vec<Arc<Value>>> = Vec::new();
            for (items, field) in lists.into_iter().zip(PREFIX_FIELDS) {
                if fields.len() <= field {
                    fields.resize_with(field + 1, Vec::new);
                }
                fields[field].extend(items);
            }
            let list = |i: usize| fields.get(i).map_or(&[][..], Vec::as_slice);
            let snapshot = Snapshot {
                pods: list(0),
                services: list(1),
                ingresses: list(2),
                gateways: list(3),
                http_routes: list(4),
                virtual_services: list(5),
                destination_rules: list(6),
                traffic_splits: list(7),
                ingress_routes: list(8),
                traefik_services: list(9),
                mappings: list(10),
                apisix_routes: list(11),
            };
            self.builds.fetch_add(1, Ordering::Relaxed);
            let table = RoutingTable::build(&snapshot);
            // Said once, when a routing object starts being (partly) left out.
            let before = previous.compiled.table.skipped();
            for reason in table.skipped().iter().filter(|r| !before.contains(r)) {
                tracing::warn!("data plane: skipped {reason}");
            }
            Arc::new(Compiled {
                table,
                labels: LabelIndex::build(&snapshot),
            })
        };
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(Current {
            revision,
            fingerprint,
            compiled: Arc::clone(&compiled),
        });
        compiled
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn ingress(rules: Value) -> Arc<Value> {
        Arc::new(json!({
            "metadata": { "namespace": "default", "name": "web" },
            "spec": rules,
        }))
    }

    fn index_of(ingresses: &[Arc<Value>], pods: &[Arc<Value>]) -> LabelIndex {
        LabelIndex::build(&Snapshot {
            pods,
            ingresses,
            ..Snapshot::default()
        })
    }

    #[test]
    fn ingress_rules_pick_the_longest_matching_path_of_the_host() {
        let ing = ingress(json!({
            "defaultBackend": { "service": { "name": "fallback" } },
            "rules": [
                { "host": "shop.example.com", "http": { "paths": [
                    { "path": "/", "pathType": "Prefix", "backend": { "service": { "name": "front" } } },
                    { "path": "/api", "pathType": "Prefix", "backend": { "service": { "name": "api" } } },
                    { "path": "/api/v2", "pathType": "Exact", "backend": { "service": { "name": "v2" } } },
                ] } },
                { "host": "*.example.com", "http": { "paths": [
                    { "path": "/", "pathType": "ImplementationSpecific", "backend": { "service": { "name": "wild" } } },
                ] } },
            ],
        }));
        let index = index_of(&[ing], &[]);
        let rule = |host: &str, path: &str| index.ingress_rule("default", "web", host, path);
        assert_eq!(rule("shop.example.com", "/color"), Some(("front", "/")));
        assert_eq!(rule("shop.example.com", "/api/x"), Some(("api", "/api")));
        assert_eq!(
            rule("shop.example.com", "/apix"),
            Some(("front", "/")),
            "Prefix is by element"
        );
        assert_eq!(rule("shop.example.com", "/api/v2"), Some(("v2", "/api/v2")));
        assert_eq!(rule("a.example.com", "/x"), Some(("wild", "/")));
        assert_eq!(
            rule("a.b.example.com", "/x"),
            Some(("fallback", "/")),
            "a wildcard covers one label"
        );
        assert_eq!(rule("other", "/x"), Some(("fallback", "/")));
        assert_eq!(index.ingress_rule("default", "nope", "shop.example.com", "/"), None);
        assert_eq!(index.ingress_rule("other", "web", "shop.example.com", "/"), None);
    }

    #[test]
    fn an_ingress_without_rules_or_default_matches_nothing() {
        let index = index_of(&[ingress(json!({})), Arc::new(json!({ "spec": {} }))], &[]);
        assert_eq!(index.ingress_rule("default", "web", "h", "/"), None);
    }

    #[test]
    fn workloads_are_named_as_istio_names_them() {
        let pod = |name: &str, labels: Value, owner: Value| {
            Arc::new(json!({
                "metadata": { "namespace": "default", "name": name, "labels": labels, "ownerReferences": owner },
            }))
        };
        let rs = |name: &str| json!([{ "kind": "ReplicaSet", "name": name, "controller": true }]);
        let pods = [
            pod(
                "web-5d8f9-abcde",
                json!({ "pod-template-hash": "5d8f9" }),
                rs("web-5d8f9"),
            ),
            pod(
                "demo-77c4-xyz",
                json!({ "rollouts-pod-template-hash": "77c4" }),
                rs("demo-77c4"),
            ),
            pod(
                "job-1-q",
                json!({}),
                json!([{ "kind": "Job", "name": "job-1", "controller": true }]),
            ),
            pod("bare", json!({}), json!([])),
            pod(
                "not-controlled",
                json!({}),
                json!([{ "kind": "ReplicaSet", "name": "x" }]),
            ),
        ];
        let index = index_of(&[], &pods);
        assert_eq!(index.workload("default", "web-5d8f9-abcde"), Some("web"));
        assert_eq!(index.workload("default", "demo-77c4-xyz"), Some("demo-77c4"));
        assert_eq!(index.workload("default", "job-1-q"), Some("job-1"));
        assert_eq!(index.workload("default", "bare"), Some("bare"));
        assert_eq!(index.workload("default", "not-controlled"), Some("not-controlled"));
        assert_eq!(index.workload("other", "bare"), None);
    }

    async fn put(store: &Store, prefix: &str, name: &str, object: Value) {
        let key = crate::store::Key {
            prefix: prefix.into(),
            namespace: Some("default".into()),
            name: name.into(),
        };
        let stored = store
            .mutate(&key, |_| Ok::<_, ()>((crate::store::Change::Put(object), ())))
            .await;
        assert!(matches!(stored, Ok(Ok(_))));
    }

    fn ready_pod(name: &str) -> Value {
        json!({
            "metadata": { "namespace": "default", "name": name, "labels": { "app": "web" } },
            "spec": { "containers": [{ "name": "c", "image": "argoproj/rollouts-demo:yellow" }] },
            "status": { "phase": "Running", "conditions": [{ "type": "Ready", "status": "True" }] },
        })
    }

    fn routes_to(table: &RoutingTable, host: &str) -> bool {
        let request = super::super::Request {
            host,
            path: "/",
            headers: &[],
        };
        let shared = super::super::draw::SharedDraw::seeded(1);
        let mut draw = shared.draw();
        matches!(table.route(&request, &mut draw), super::super::Outcome::Routed(_))
    }

    #[tokio::test]
    async fn the_table_is_rebuilt_only_when_a_routing_object_changed() {
        let store = Store::in_memory(crate::StoreConfig::default());
        let live = LiveTable::new(Arc::clone(&store));
        let builds = live.builds();
        assert!(!routes_to(&live.current().table, "web.default"));
        put(
            &store,
            "/core/services",
            "web",
            json!({
                "metadata": { "namespace": "default", "name": "web" },
                "spec": { "selector": { "app": "web" } },
            }),
        )
        .await;
        put(&store, "/core/pods", "web-1", ready_pod("web-1")).await;
        let first = live.current();
        assert!(routes_to(&first.table, "web.default"));
        assert_eq!(live.builds(), builds + 1);
        // The same revision: the same build, not even a listing.
        assert!(Arc::ptr_eq(&first, &live.current()));
        // A write to a kind the data plane does not route by: listed again, not rebuilt.
        put(
            &store,
            "/core/configmaps",
            "settings",
            json!({ "metadata": { "name": "settings" } }),
        )
        .await;
        assert!(Arc::ptr_eq(&first, &live.current()));
        assert_eq!(live.builds(), builds + 1);
        // A pod that is no longer Ready: rebuilt, and the Service has no endpoint left.
        let mut not_ready = ready_pod("web-1");
        not_ready["status"]["conditions"][0]["status"] = json!("False");
        put(&store, "/core/pods", "web-1", not_ready).await;
        assert!(!routes_to(&live.current().table, "web.default"));
        assert_eq!(live.builds(), builds + 2);
    }
}
