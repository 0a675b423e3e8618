//! Ingresses of class `alb` as the AWS Load Balancer Controller turns them into listener rules.
//!
//! - Class: `spec.ingressClassName: alb` or the `kubernetes.io/ingress.class: alb` annotation; such an
//!   Ingress is served here and not as ingress-nginx would.
//! - Rules are evaluated in order, as the controller gives them priorities: Ingresses by
//!   `alb.ingress.kubernetes.io/group.order` (0 by default), then oldest first; within one, its rules
//!   and their paths as written. The first rule whose host, path and conditions hold answers.
//! - Hosts: a rule's `host` (`*` and `?` wildcards, any case); a rule without host serves any host.
//!   Paths: `Exact` the path itself, `Prefix` the path and everything under it, `ImplementationSpecific`
//!   the path as an ALB path pattern (`/*` is everything); case matters.
//! - A backend `{service: {name: X, port: {name: use-annotation}}}` takes its action from the annotation
//!   `alb.ingress.kubernetes.io/actions.X` and its conditions from `.../conditions.X`. The annotations'
//!   JSON is read as the controller reads it (keys in any case): `forward` actions split by the target
//!   groups' weights relative to their sum, `fixed-response` actions answer their status and body.
//!   Conditions (all must hold): `http-header` (any of the values, `*`/`?` wildcards, any case),
//!   `host-header`, `path-pattern`, `http-request-method`; conditions on what requests here do not
//!   carry (query strings, source IPs) never hold.
//! - A custom annotation prefix (the Rollout's `alb.annotationPrefix`) is found through the
//!   `rollouts.argoproj.io/managed-alb-annotations` (or older `managed-alb-actions`) annotation the
//!   Rollouts controller writes next to its actions; otherwise the default prefix is read.
//! - A path whose action is missing or unreadable is skipped, with the reason recorded.
//!
//! - Target group stickiness (`ForwardConfig.TargetGroupStickinessConfig` enabled): an answer drawn by
//!   the weights sets the cookie `AWSALBTG` naming its target group for `DurationSeconds`; a request
//!   carrying it goes to that target group while it is still in the action with a weight above 0.

use std::sync::Arc;

use serde_json::Value;

use super::ingress::cookie;
use super::land;
use super::matching::{HostMap, Weighted, field, glob_matches, method};
use super::objects::{Skips, list, oldest_first, text};
use super::services::{PortRef, Services, Target};
use crate::dataplane::{Draw, FixedResponse, Outcome, Request, Via};

/// The AWS Load Balancer Controller's default annotation prefix.
const DEFAULT_PREFIX: &str = "alb.ingress.kubernetes.io";
/// The Rollouts controller's record of the ALB annotations it manages (a JSON object of lists).
const MANAGED_ANNOTATIONS: &str = "rollouts.argoproj.io/managed-alb-annotations";
/// Its older form, `rollout:key,rollout:key`.
const MANAGED_ACTIONS: &str = "rollouts.argoproj.io/managed-alb-actions";
/// The port name that sends a backend to its action annotation.
const USE_ANNOTATION: &str = "use-annotation";
const KIND: &str = "Ingress";
/// The cookie an ALB keeps a client on one target group with.
const STICKY_COOKIE: &str = "AWSALBTG";

/// Whether an Ingress belongs to the AWS Load Balancer Controller.
pub(super) fn is_alb(ingress: &Value) -> bool {
    ingress.pointer("/spec/ingressClassName").and_then(Value::as_str) == Some("alb")
        || ingress
            .pointer("/metadata/annotations/kubernetes.io~1ingress.class")
            .and_then(Value::as_str)
            == Some("alb")
}

/// The compiled ALB Ingresses.
#[derive(Default, Clone)]
pub(super) struct AlbRoutes {
    /// Every rule, in evaluation order.
    rules: Vec<Arc<Rule>>,
    /// The hosts some rule names (for the table's host order).
    hosts: HostMap<()>,
    /// The first `defaultBackend`, the listener's default action.
    default: Option<Arc<Rule>>,
}

struct Rule {
    namespace: String,
    ingress: String,
    /// `None`: any host.
    host: Option<String>,
    /// Any of these patterns; empty: any path.
    paths: Vec<String>,
    conditions: Vec<Condition>,
    action: Action,
}

enum Condition {
    Header {
        name: String,
        values: Vec<String>,
    },
    Host(Vec<String>),
    Path(Vec<String>),
    Method(Vec<String>),
    /// On what requests here do not carry.
    Never,
}

enum Action {
    Forward {
        groups: Weighted<Target>,
        /// With stickiness, how long the cookie lasts (seconds).
        sticky: Option<i64>,
    },
    Fixed(FixedResponse),
}

impl Condition {
    fn holds(&self, request: &Request<'_>) -> bool {
        match self {
            Condition::Header { name, values } => request
                .headers
                .iter()
                .filter(|(n, _)| n == name)
                .any(|(_, v)| values.iter().any(|p| glob_matches(p, v, true))),
            Condition::Host(values) => values.iter().any(|p| glob_matches(p, request.host, true)),
            Condition::Path(values) => values.iter().any(|p| glob_matches(p, request.path, false)),
            Condition::Method(values) => values.iter().any(|m| m.eq_ignore_ascii_case(method(request))),
            Condition::Never => false,
        }
    }
}

impl Rule {
    fn holds(&self, request: &Request<'_>) -> bool {
        self.host.as_ref().is_none_or(|h| glob_matches(h, request.host, true))
            && (self.paths.is_empty() || self.paths.iter().any(|p| glob_matches(p, request.path, false)))
            && self.conditions.iter().all(|c| c.holds(request))
    }

    fn serve(&self, request: &Request<'_>, draw: &mut dyn Draw) -> Outcome {
        match &self.action {
            Action::Fixed(fixed) => Outcome::Fixed(fixed.clone()),
            Action::Forward { groups, sticky } => {
                let kept = sticky
                    .and_then(|_| cookie(request, STICKY_COOKIE))
                    .and_then(|token| groups.find(|t| group_token(t) == token));
                match kept.or_else(|| groups.pick(draw)) {
                    Some(target) => {
                        let mut outcome = land(
                            target,
                            Via::Alb {
                                namespace: self.namespace.clone(),
                                ingress: self.ingress.clone(),
                            },
                            Vec::new(),
                            draw,
                        );
                        if let (Some(seconds), Outcome::Routed(routed)) = (sticky, &mut outcome) {
                            routed.set_cookie = Some(format!(
                                "{STICKY_COOKIE}={}; Max-Age={seconds}; Path=/",
                                group_token(target)
                            ));
                        }
                        outcome
                    }
                    None => Outcome::Unavailable(format!(
                        "ALB Ingress {}/{} forwards to no target group of weight above 0",
                        self.namespace, self.ingress
                    )),
                }
            }
        }
    }
}

/// The sticky cookie's value for a target group: its Service and port.
fn group_token(target: &Target) -> String {
    format!(
        "{}.{}.{}",
        target.service.namespace, target.service.name, target.service.port
    )
}

impl AlbRoutes {
    /// Compiles the ALB Ingresses; paths without a usable action are skipped with the reason.
    pub(super) fn build(services: &Services, ingresses: &[Arc<Value>], skips: &mut Skips) -> AlbRoutes {
        let mut ordered: Vec<_> = oldest_first(ingresses).into_iter().filter(|(_, i)| is_alb(i)).collect();
        // Stable: the oldest first within one group order.
        ordered.sort_by_key(|(_, i)| group_order(i));
        let mut routes = AlbRoutes::default();
        for (m, ingress) in ordered {
            let reader = Annotations::of(ingress);
            let compile = |backend: &Value, host: Option<String>, paths: Vec<String>, skips: &mut Skips| match reader
                .rule_parts(services, m.namespace, backend)
            {
                Ok((action, conditions)) => Some(Arc::new(Rule {
                    namespace: m.namespace.to_string(),
                    ingress: m.name.to_string(),
                    host,
                    paths,
                    conditions,
                    action,
                })),
                Err(why) => {
                    skips.add(KIND, &m, why);
                    None
                }
            };
            if let Some(backend) = ingress.pointer("/spec/defaultBackend") {
                let rule = compile(backend, None, Vec::new(), skips);
                if routes.default.is_none() {
                    routes.default = rule;
                }
            }
            let rules = ingress.get("spec").map(|s| list(s, "rules")).unwrap_or_default();
            for rule in rules {
                let host = text(rule, "host")
                    .filter(|h| !h.is_empty())
                    .map(str::to_ascii_lowercase);
                if let Some(h) = &host {
                    routes.hosts.entry(h);
                }
                for path in rule.get("http").map(|h| list(h, "paths")).unwrap_or_default() {
                    let Some(backend) = path.get("backend") else {
                        skips.add(KIND, &m, "a path without backend");
                        continue;
                    };
                    let patterns = path_patterns(text(path, "path").unwrap_or_default(), text(path, "pathType"));
                    if let Some(compiled) = compile(backend, host.clone(), patterns, skips) {
                        routes.rules.push(compiled);
                    }
                }
            }
        }
        routes.hosts.finish();
        routes
    }

    /// The answer for a host an ALB rule names: the first rule that holds (rules for any host
    /// included), else the default action, else 404.
    pub(super) fn specific(&self, request: &Request<'_>, draw: &mut dyn Draw) -> Option<Outcome> {
        self.hosts.specific(request.host)?;
        Some(match self.rules.iter().find(|r| r.holds(request)) {
            Some(rule) => rule.serve(request, draw),
            None => match &self.default {
                Some(rule) => rule.serve(request, draw),
                None => Outcome::NotFound(format!("no ALB rule matches {} on host {}", request.path, request.host)),
            },
        })
    }

    /// The answer of the first rule for any host that holds.
    pub(super) fn any(&self, request: &Request<'_>, draw: &mut dyn Draw) -> Option<Outcome> {
        let rule = self.rules.iter().find(|r| r.host.is_none() && r.holds(request))?;
        Some(rule.serve(request, draw))
    }

    /// The answer of the default action, when an ALB Ingress has one.
    pub(super) fn default_backend(&self, request: &Request<'_>, draw: &mut dyn Draw) -> Option<Outcome> {
        Some(self.default.as_ref()?.serve(request, draw))
    }
}

/// `alb.ingress.kubernetes.io/group.order`, 0 when absent or unreadable.
fn group_order(ingress: &Value) -> i64 {
    ingress
        .pointer("/metadata/annotations/alb.ingress.kubernetes.io~1group.order")
        .and_then(Value::as_str)
        .and_then(|o| o.trim().parse().ok())
        .unwrap_or(0)
}

/// The ALB path patterns of an Ingress path.
fn path_patterns(path: &str, kind: Option<&str>) -> Vec<String> {
    match kind {
        Some("Exact") => vec![if path.is_empty() { "/".into() } else { path.into() }],
        Some("Prefix") => {
            let trimmed = path.trim_end_matches('/');
            if trimmed.is_empty() {
                vec!["/*".into()]
            } else {
                vec![trimmed.into(), format!("{trimmed}/*")]
            }
        }
        _ if path.is_empty() => Vec::new(),
        _ => vec![path.into()],
    }
}

/// An Ingress's annotations, with the prefixes its actions may be written under.
struct Annotations<'a> {
    all: Option<&'a serde_json::Map<String, Value>>,
    /// The default prefix first, then those the Rollouts controller recorded.
    prefixes: Vec<String>,
}

impl<'a> Annotations<'a> {
    fn of(ingress: &'a Value) -> Annotations<'a> {
        let all = ingress.pointer("/metadata/annotations").and_then(Value::as_object);
        let mut prefixes = vec![DEFAULT_PREFIX.to_string()];
        let get = |key: &str| all.and_then(|a| a.get(key)).and_then(Value::as_str);
        let mut keys: Vec<String> = Vec::new();
        if let Some(Ok(Value::Object(managed))) = get(MANAGED_ANNOTATIONS).map(serde_json::from_str::<Value>) {
            keys.extend(
                managed
                    .values()
                    .filter_map(Value::as_array)
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(str::to_string),
            );
        }
        if let Some(managed) = get(MANAGED_ACTIONS) {
            keys.extend(
                managed
                    .split(',')
                    .filter_map(|e| Some(e.split_once(':')?.1.to_string())),
            );
        }
        for key in keys {
            let prefix = ["/actions.", "/conditions."]
                .iter()
                .find_map(|marker| key.split_once(marker).map(|(p, _)| p.to_string()));
            if let Some(prefix) = prefix.filter(|p| !prefixes.contains(p)) {
                prefixes.push(prefix);
            }
        }
        Annotations { all, prefixes }
    }

    /// The annotation `<prefix>/<kind>.<name>` under the first prefix that has it.
    fn find(&self, kind: &str, name: &str) -> Option<(&'a str, &str)> {
        self.prefixes.iter().find_map(|prefix| {
            let key = format!("{prefix}/{kind}.{name}");
            let value = self.all?.get(&key)?.as_str()?;
            Some((value, prefix.as_str()))
        })
    }

    /// The action and conditions of an Ingress backend.
    fn rule_parts(
        &self,
        services: &Services,
        namespace: &str,
        backend: &Value,
    ) -> Result<(Action, Vec<Condition>), String> {
        // networking.k8s.io/v1 `{service: {name, port: {name|number}}}`, or the older
        // `{serviceName, servicePort}`.
        let (name, port) = match backend.get("service") {
            Some(service) => (text(service, "name"), PortRef::of(service.get("port"))),
            None => (text(backend, "serviceName"), port_of(backend.get("servicePort"))),
        };
        let Some(name) = name.filter(|n| !n.is_empty()) else {
            return Err("a backend without a Service name".into());
        };
        if !matches!(port, PortRef::Name(USE_ANNOTATION)) {
            let target = services.target(namespace, name, port, None);
            return Ok((
                Action::Forward {
                    groups: Weighted::new([(1, target)]),
                    sticky: None,
                },
                Vec::new(),
            ));
        }
        let Some((action, prefix)) = self.find("actions", name) else {
            return Err(format!("no action annotation {DEFAULT_PREFIX}/actions.{name}"));
        };
        let action = parse_action(services, namespace, action).map_err(|e| format!("action {name}: {e}"))?;
        let conditions = match self.all.and_then(|a| a.get(&format!("{prefix}/conditions.{name}"))) {
            None => Vec::new(),
            Some(value) => {
                parse_conditions(value.as_str().unwrap_or_default()).map_err(|e| format!("conditions {name}: {e}"))?
            }
        };
        Ok((action, conditions))
    }
}

/// A v1beta1 `servicePort`: a number, or a name in a string.
fn port_of(port: Option<&Value>) -> PortRef<'_> {
    match port {
        Some(Value::Number(n)) => n.as_i64().map_or(PortRef::Unnamed, PortRef::Number),
        Some(Value::String(s)) => match s.parse() {
            Ok(n) => PortRef::Number(n),
            Err(_) => PortRef::Name(s),
        },
        _ => PortRef::Unnamed,
    }
}

fn parse_action(services: &Services, namespace: &str, json: &str) -> Result<Action, String> {
    let action: Value = serde_json::from_str(json).map_err(|e| format!("not JSON ({e})"))?;
    let kind = field(&action, "Type").and_then(Value::as_str).unwrap_or_default();
    match kind {
        "forward" => {
            let groups = field(&action, "ForwardConfig")
                .and_then(|f| field(f, "TargetGroups"))
                .and_then(Value::as_array)
                .ok_or("a forward action without ForwardConfig.TargetGroups")?;
            let mut weighted = Vec::new();
            for group in groups {
                let Some(service) = field(group, "ServiceName")
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
                else {
                    return Err("a target group outside the cluster (no ServiceName)".into());
                };
                let weight = match field(group, "Weight") {
                    None | Some(Value::Null) => 1,
                    Some(w) => w.as_i64().ok_or("a Weight that is not an integer")?.max(0) as u64,
                };
                let port = port_of(field(group, "ServicePort"));
                weighted.push((weight, services.target(namespace, service, port, None)));
            }
            let stickiness = field(&action, "ForwardConfig").and_then(|f| field(f, "TargetGroupStickinessConfig"));
            let sticky = match stickiness {
                Some(s) if field(s, "Enabled").and_then(Value::as_bool) == Some(true) => Some(
                    field(s, "DurationSeconds")
                        .and_then(Value::as_i64)
                        .filter(|d| (1..=604_800).contains(d))
                        .ok_or("a TargetGroupStickinessConfig without DurationSeconds in 1..604800")?,
                ),
                _ => None,
            };
            Ok(Action::Forward {
                groups: Weighted::new(weighted),
                sticky,
            })
        }
        "fixed-response" => {
            let config =
                field(&action, "FixedResponseConfig").ok_or("a fixed-response action without FixedResponseConfig")?;
            let status = match field(config, "StatusCode") {
                Some(Value::String(s)) => s.parse().ok(),
                Some(Value::Number(n)) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
                _ => None,
            }
            .filter(|s| (200..600).contains(s))
            .ok_or("a fixed-response action without a StatusCode in 200..599")?;
            let text_of = |key: &str| field(config, key).and_then(Value::as_str).map(str::to_string);
            Ok(Action::Fixed(FixedResponse {
                status,
                content_type: text_of("ContentType").unwrap_or_else(|| "text/plain".into()),
                body: text_of("MessageBody").unwrap_or_default(),
            }))
        }
        "" => Err("no Type".into()),
        other => Err(format!("{other} actions are not served")),
    }
}

fn parse_conditions(json: &str) -> Result<Vec<Condition>, String> {
    let conditions: Value = serde_json::from_str(json).map_err(|e| format!("not JSON ({e})"))?;
    let conditions = conditions.as_array().ok_or("not a list")?;
    conditions
        .iter()
        .map(|c| {
            let values = |config: &str| -> Vec<String> {
                field(c, config)
                    .and_then(|cfg| field(cfg, "Values"))
                    .or_else(|| field(c, "Values"))
                    .and_then(Value::as_array)
                    .map(|vs| vs.iter().filter_map(Value::as_str).map(str::to_string).collect())
                    .unwrap_or_default()
            };
            let kind = field(c, "Field").and_then(Value::as_str).unwrap_or_default();
            Ok(match kind {
                "http-header" => {
                    let name = field(c, "HttpHeaderConfig")
                        .and_then(|h| field(h, "HttpHeaderName"))
                        .and_then(Value::as_str)
                        .filter(|n| !n.is_empty())
                        .ok_or("an http-header condition without HttpHeaderName")?;
                    Condition::Header {
                        name: name.to_ascii_lowercase(),
                        values: values("HttpHeaderConfig"),
                    }
                }
                "host-header" => Condition::Host(values("HostHeaderConfig")),
                "path-pattern" => Condition::Path(values("PathPatternConfig")),
                "http-request-method" => Condition::Method(values("HttpRequestMethodConfig")),
                "query-string" | "source-ip" => Condition::Never,
                other => return Err(format!("an unknown condition field {other:?}")),
            })
        })
        .collect()
}
