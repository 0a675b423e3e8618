//! Reading the routing objects' metadata, and the order in which conflicting objects are taken.

use std::sync::Arc;

use serde_json::Value;

/// The metadata the routers use.
#[derive(Debug, Clone)]
pub(super) struct Meta<'a> {
    pub namespace: &'a str,
    pub name: &'a str,
    /// `creationTimestamp` as written (RFC 3339 text sorts as time); empty when absent.
    pub created: &'a str,
}

/// An object's metadata; `None` without a name. The namespace defaults to `default`, as objects
/// written without one are created there.
pub(super) fn meta(object: &Value) -> Option<Meta<'_>> {
    let name = object.pointer("/metadata/name")?.as_str()?;
    Some(Meta {
        namespace: object
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or("default"),
        name,
        created: object
            .pointer("/metadata/creationTimestamp")
            .and_then(Value::as_str)
            .unwrap_or(""),
    })
}

/// The named objects, oldest first, then by namespace and name: the order in which the routers let
/// the first of two conflicting objects win, as ingress-nginx, Istio and the Gateway API do.
pub(super) fn oldest_first(objects: &[Arc<Value>]) -> Vec<(Meta<'_>, &Value)> {
    let mut named: Vec<(Meta<'_>, &Value)> = objects.iter().filter_map(|o| Some((meta(o)?, o.as_ref()))).collect();
    named.sort_by(|(a, _), (b, _)| (a.created, a.namespace, a.name).cmp(&(b.created, b.namespace, b.name)));
    named
}

/// The string at `key` of a JSON object, if it is one.
pub(super) fn text<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str)
}

/// The array at `key` of a JSON object; absent or of another type reads as empty.
pub(super) fn list<'a>(value: &'a Value, key: &str) -> &'a [Value] {
    value.get(key).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// The ways a client names Service `name` of `namespace`: `<svc>.<ns>`, `<svc>.<ns>.svc`,
/// `<svc>.<ns>.svc.cluster.local`, and `<svc>` alone in namespace `default`.
pub(super) fn service_hosts(namespace: &str, name: &str) -> Vec<String> {
    let mut hosts = vec![
        format!("{name}.{namespace}"),
        format!("{name}.{namespace}.svc"),
        format!("{name}.{namespace}.svc.cluster.local"),
    ];
    if namespace == "default" {
        hosts.push(name.to_string());
    }
    hosts
}

/// The Service a host names, as (namespace, name), a short name taken in `namespace`: `<svc>`,
/// `<svc>.<ns>`, `<svc>.<ns>.svc` or `<svc>.<ns>.svc.cluster.local`. `None` for any other host.
pub(super) fn service_of_host<'a>(host: &'a str, namespace: &'a str) -> Option<(&'a str, &'a str)> {
    let labels: Vec<&str> = host.split('.').collect();
    let (name, ns) = match labels.as_slice() {
        [name] => (*name, namespace),
        [name, ns] | [name, ns, "svc"] | [name, ns, "svc", "cluster", "local"] => (*name, *ns),
        _ => return None,
    };
    (!name.is_empty() && !ns.is_empty()).then_some((ns, name))
}

/// Why objects (or parts of them) were left out of the table, one line each: `<Kind> <ns>/<name>: <why>`.
#[derive(Debug, Default, Clone)]
pub(super) struct Skips(pub Vec<String>);

impl Skips {
    /// Records that part of `kind` `m` was skipped, and why.
    pub(super) fn add(&mut self, kind: &str, m: &Meta<'_>, why: impl std::fmt::Display) {
        self.0.push(format!("{kind} {}/{}: {why}", m.namespace, m.name));
    }
}
