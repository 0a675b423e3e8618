//! Ambassador (Emissary-ingress) Mappings: `getambassador.io/v2`, `getambassador.io/v3alpha1` and
//! `x.getambassador.io/v3alpha1`, read alike.
//!
//! - A Mapping serves `hostname` (v3, `*` wildcards) or `host` (exact) — any host when neither is set
//!   or it is `*` — and the paths starting with its `prefix`, when its `headers` (exact values; `true`
//!   for any value) and `method` hold.
//! - Mappings with the same host, prefix, headers and method form a group, as Ambassador groups them:
//!   those with a `weight` take that percentage of the group's requests, those without share what
//!   remains equally (everything, when none has a weight). When the weights add up to more than 100
//!   the ones without get nothing and the others split by their weights.
//! - Groups are tried with the most headers first, then the longest prefix, then oldest first.
//! - `service` is `name`, `name.namespace`, either with `:port`, optionally after `http://`; a name
//!   alone is taken in the Mapping's namespace.
//! - A Mapping with no prefix or service, or with what the data plane cannot match on (`host_regex`,
//!   `prefix_regex`, `regex_headers`), is skipped with the reason.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use super::land;
use super::matching::{HostMap, Weighted, glob_matches, method};
use super::objects::{Meta, Skips, oldest_first, text};
use super::services::{PortRef, Services, Target};
use crate::dataplane::{Draw, Outcome, Request, Via};

const KIND: &str = "Mapping";

/// The compiled Mappings.
#[derive(Default, Clone)]
pub(super) struct AmbassadorRoutes {
    /// In the order they are tried.
    groups: Vec<Arc<Group>>,
    hosts: HostMap<()>,
}

/// What the Mappings of one group share.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    /// Lowercase; `None` for any host.
    host: Option<String>,
    prefix: String,
    /// Header name (lowercase) → wanted value (`None`: present with any value).
    headers: BTreeMap<String, Option<String>>,
    method: Option<String>,
}

struct Group {
    key: Key,
    namespace: String,
    members: Weighted<Member>,
}

struct Member {
    mapping: String,
    target: Target,
}

/// A Mapping read, before grouping.
struct Entry {
    namespace: String,
    name: String,
    weight: Option<u64>,
    target: Target,
}

impl Key {
    fn holds(&self, request: &Request<'_>) -> bool {
        self.host.as_ref().is_none_or(|h| glob_matches(h, request.host, true))
            && request.path.starts_with(self.prefix.as_str())
            && self
                .method
                .as_ref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method(request)))
            && self
                .headers
                .iter()
                .all(|(name, wanted)| match (request.header(name), wanted) {
                    (Some(value), Some(wanted)) => value == wanted,
                    (Some(_), None) => true,
                    (None, _) => false,
                })
    }
}

impl AmbassadorRoutes {
    /// Compiles the Mappings into groups.
    pub(super) fn build(services: &Services, mappings: &[Arc<Value>], skips: &mut Skips) -> AmbassadorRoutes {
        let mut groups: Vec<(Key, Vec<Entry>)> = Vec::new();
        for (m, mapping) in oldest_first(mappings) {
            let (key, entry) = match read(services, &m, mapping) {
                Ok(read) => read,
                Err(why) => {
                    skips.add(KIND, &m, why);
                    continue;
                }
            };
            match groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, entries)) => entries.push(entry),
                None => groups.push((key, vec![entry])),
            }
        }
        // Stable: the oldest group first among equals.
        groups.sort_by_key(|(key, _)| std::cmp::Reverse((key.headers.len(), key.prefix.len())));
        let mut routes = AmbassadorRoutes::default();
        for (key, entries) in groups {
            if let Some(host) = &key.host {
                routes.hosts.entry(host);
            }
            let namespace = entries.first().map(|e| e.namespace.clone()).unwrap_or_default();
            routes.groups.push(Arc::new(Group {
                key,
                namespace,
                members: shares(entries),
            }));
        }
        routes.hosts.finish();
        routes
    }

    /// The answer for a host a Mapping names: the first group that holds, else 404.
    pub(super) fn specific(&self, request: &Request<'_>, draw: &mut dyn Draw) -> Option<Outcome> {
        self.hosts.specific(request.host)?;
        Some(match self.groups.iter().find(|g| g.key.holds(request)) {
            Some(group) => group.serve(draw),
            None => Outcome::NotFound(format!("no Mapping matches {} on host {}", request.path, request.host)),
        })
    }

    /// The answer of the first group for any host that holds.
    pub(super) fn any(&self, request: &Request<'_>, draw: &mut dyn Draw) -> Option<Outcome> {
        let group = self
            .groups
            .iter()
            .find(|g| g.key.host.is_none() && g.key.holds(request))?;
        Some(group.serve(draw))
    }
}

impl Group {
    fn serve(&self, draw: &mut dyn Draw) -> Outcome {
        match self.members.pick(draw) {
            Some(member) => land(
                &member.target,
                Via::Ambassador {
                    namespace: self.namespace.clone(),
                    mapping: member.mapping.clone(),
                },
                Vec::new(),
                draw,
            ),
            None => Outcome::Unavailable(format!(
                "the Mappings for prefix {} have no weight above 0",
                self.key.prefix
            )),
        }
    }
}

/// The group's weighted choice: weighted Mappings take their percentage, the others share the rest.
fn shares(entries: Vec<Entry>) -> Weighted<Member> {
    let unweighted = entries.iter().filter(|e| e.weight.is_none()).count() as u64;
    let claimed: u64 = entries.iter().filter_map(|e| e.weight).sum();
    // In units of 1/(100 × unweighted) so that the remainder divides exactly.
    let scale = unweighted.max(1);
    let rest = 100u64.saturating_sub(claimed);
    Weighted::new(entries.into_iter().map(|e| {
        let weight = match e.weight {
            Some(w) => w * scale,
            None => rest,
        };
        (
            weight,
            Member {
                mapping: e.name,
                target: e.target,
            },
        )
    }))
}

fn read(services: &Services, m: &Meta<'_>, mapping: &Value) -> Result<(Key, Entry), String> {
    let spec = mapping.get("spec").ok_or("no spec")?;
    for unsupported in ["host_regex", "prefix_regex"] {
        if spec.get(unsupported).and_then(Value::as_bool) == Some(true) {
            return Err(format!("{unsupported} is not supported"));
        }
    }
    if spec
        .get("regex_headers")
        .is_some_and(|h| h.as_object().is_some_and(|o| !o.is_empty()))
    {
        return Err("regex_headers is not supported".into());
    }
    let prefix = text(spec, "prefix").filter(|p| !p.is_empty()).ok_or("no prefix")?;
    let service = text(spec, "service").filter(|s| !s.is_empty()).ok_or("no service")?;
    let host = text(spec, "hostname")
        .or_else(|| text(spec, "host"))
        .filter(|h| !h.is_empty() && *h != "*")
        // A host written with its port is served on that port: the port is not part of the name.
        .map(|h| h.split(':').next().unwrap_or(h).to_ascii_lowercase());
    let mut headers = BTreeMap::new();
    if let Some(wanted) = spec.get("headers").and_then(Value::as_object) {
        for (name, value) in wanted {
            let value = match value {
                Value::String(s) => Some(s.clone()),
                Value::Bool(true) => None,
                other => return Err(format!("header {name}: a value {other} is not supported")),
            };
            headers.insert(name.to_ascii_lowercase(), value);
        }
    }
    let weight = match spec.get("weight") {
        None | Some(Value::Null) => None,
        Some(w) => Some(w.as_i64().ok_or("a weight that is not an integer")?.clamp(0, 100) as u64),
    };
    Ok((
        Key {
            host,
            prefix: prefix.to_string(),
            headers,
            method: text(spec, "method").map(str::to_ascii_uppercase),
        },
        Entry {
            namespace: m.namespace.to_string(),
            name: m.name.to_string(),
            weight,
            target: service_target(services, m.namespace, service),
        },
    ))
}

/// The target a Mapping's `service` names.
fn service_target(services: &Services, namespace: &str, service: &str) -> Target {
    let service = service
        .strip_prefix("http://")
        .or_else(|| service.strip_prefix("https://"))
        .unwrap_or(service);
    let (host, port) = match service.rsplit_once(':') {
        Some((host, port)) => match port.parse() {
            Ok(n) => (host, PortRef::Number(n)),
            Err(_) => (service, PortRef::Unnamed),
        },
        None => (service, PortRef::Unnamed),
    };
    let mut labels = host.split('.');
    let name = labels.next().unwrap_or(host);
    let namespace = labels.next().filter(|ns| !ns.is_empty()).unwrap_or(namespace);
    services.target(namespace, name, port, None)
}
