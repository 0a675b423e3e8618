//! APISIX ApisixRoutes (`apisix.apache.org/v2`): each `spec.http[]` rule is one APISIX route.
//!
//! - Hosts: `match.hosts` (exact, or `*.` wildcards); a rule without hosts serves any host. A host
//!   some rule names is matched by those rules first, then by the rules without hosts, as APISIX's
//!   host-then-URI router does.
//! - Paths: `match.paths`, exact, or a prefix when they end in `*` (`/*` is everything). Of the rules
//!   that match, exact paths come first, then the longest prefix, then the highest `priority` (0 by
//!   default), then the oldest.
//! - `match.methods` and `match.exprs` must hold too: subjects of scope `Header`, `Cookie` or `Path`
//!   (a `Query` is never present here), with `Equal`, `NotEqual`, `In`, `NotIn`, `GreaterThan`,
//!   `LessThan`, `RegexMatch`, `RegexNotMatch` and their `CaseInsensitive` forms; an absent subject
//!   only satisfies the negative operators.
//! - `backends` are chosen by `weight`, 100 when absent as APISIX has it, never at 0.
//! - A rule without paths or backends, or with an expression the data plane does not read, is skipped
//!   with the reason.

use std::sync::Arc;

use regex::{Regex, RegexBuilder};
use serde_json::Value;

use super::ingress::cookie;
use super::land;
use super::matching::{HostMap, Weighted, method};
use super::objects::{Meta, Skips, list, oldest_first, text};
use super::services::{PortRef, Services, Target};
use crate::dataplane::{Draw, Outcome, Request, Via};

const KIND: &str = "ApisixRoute";
/// APISIX's weight of a backend that gives none.
const DEFAULT_WEIGHT: u64 = 100;

/// The compiled ApisixRoutes.
#[derive(Default, Clone)]
pub(super) struct ApisixRoutes {
    /// Rules with hosts, by host.
    by_host: HostMap<Vec<Arc<HttpRule>>>,
    /// Rules without hosts.
    any: Vec<Arc<HttpRule>>,
}

struct HttpRule {
    namespace: String,
    route: String,
    name: String,
    priority: i64,
    /// Order among the routes, oldest first.
    order: usize,
    paths: Vec<PathMatch>,
    methods: Vec<String>,
    exprs: Vec<Expr>,
    backends: Weighted<Target>,
}

#[derive(Clone)]
enum PathMatch {
    Exact(String),
    Prefix(String),
}

struct Expr {
    subject: Subject,
    op: Op,
}

enum Subject {
    Header(String),
    Cookie(String),
    Path,
    /// Never present on a request here.
    Query,
}

enum Op {
    Equal(String),
    NotEqual(String),
    In(Vec<String>),
    NotIn(Vec<String>),
    Greater(f64),
    Less(f64),
    Regex(Regex),
    NotRegex(Regex),
}

impl Expr {
    fn holds(&self, request: &Request<'_>) -> bool {
        let value = match &self.subject {
            Subject::Header(name) => request.header(name),
            Subject::Cookie(name) => cookie(request, name),
            Subject::Path => Some(request.path),
            Subject::Query => None,
        };
        let number = || value.and_then(|v| v.trim().parse::<f64>().ok());
        match &self.op {
            Op::Equal(wanted) => value == Some(wanted.as_str()),
            Op::NotEqual(wanted) => value != Some(wanted.as_str()),
            Op::In(set) => value.is_some_and(|v| set.iter().any(|s| s == v)),
            Op::NotIn(set) => value.is_none_or(|v| !set.iter().any(|s| s == v)),
            Op::Greater(n) => number().is_some_and(|v| v > *n),
            Op::Less(n) => number().is_some_and(|v| v < *n),
            Op::Regex(re) => value.is_some_and(|v| re.is_match(v)),
            Op::NotRegex(re) => value.is_none_or(|v| !re.is_match(v)),
        }
    }
}

impl PathMatch {
    /// How specifically the path matches: exact above any prefix, longer prefixes above shorter.
    fn rank(&self, path: &str) -> Option<(bool, usize)> {
        match self {
            PathMatch::Exact(p) => (p == path).then_some((true, p.len())),
            PathMatch::Prefix(p) => path.starts_with(p.as_str()).then_some((false, p.len())),
        }
    }
}

impl HttpRule {
    /// The rule's rank for this request when it matches.
    fn rank(&self, request: &Request<'_>) -> Option<(bool, usize, i64)> {
        let (exact, len) = self.paths.iter().filter_map(|p| p.rank(request.path)).max()?;
        let method_ok = self.methods.is_empty() || self.methods.iter().any(|m| m.eq_ignore_ascii_case(method(request)));
        (method_ok && self.exprs.iter().all(|e| e.holds(request))).then_some((exact, len, self.priority))
    }

    fn serve(&self, draw: &mut dyn Draw) -> Outcome {
        match self.backends.pick(draw) {
            Some(target) => land(
                target,
                Via::Apisix {
                    namespace: self.namespace.clone(),
                    route: self.route.clone(),
                },
                Vec::new(),
                draw,
            ),
            None => Outcome::Unavailable(format!(
                "ApisixRoute {}/{} rule {} has no backend of weight above 0",
                self.namespace, self.route, self.name
            )),
        }
    }
}

/// The best-ranked rule of `rules` for the request.
fn best<'r>(rules: &'r [Arc<HttpRule>], request: &Request<'_>) -> Option<&'r HttpRule> {
    rules
        .iter()
        .filter_map(|r| Some((r.rank(request)?, std::cmp::Reverse(r.order), r)))
        .max_by(|(a, ao, _), (b, bo, _)| a.cmp(b).then(ao.cmp(bo)))
        .map(|(_, _, r)| r.as_ref())
}

impl ApisixRoutes {
    /// Compiles the ApisixRoutes' rules.
    pub(super) fn build(services: &Services, routes: &[Arc<Value>], skips: &mut Skips) -> ApisixRoutes {
        let mut table = ApisixRoutes::default();
        let mut order = 0;
        for (m, route) in oldest_first(routes) {
            for (i, http) in route
                .get("spec")
                .map(|s| list(s, "http"))
                .unwrap_or_default()
                .iter()
                .enumerate()
            {
                let name = text(http, "name").unwrap_or_default();
                let rule = match compile(services, &m, http, order) {
                    Ok(rule) => Arc::new(rule),
                    Err(why) => {
                        skips.add(
                            KIND,
                            &m,
                            format!(
                                "rule {}: {why}",
                                if name.is_empty() {
                                    i.to_string()
                                } else {
                                    name.to_string()
                                }
                            ),
                        );
                        continue;
                    }
                };
                order += 1;
                let hosts: Vec<String> = http
                    .pointer("/match/hosts")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .filter(|h| !h.is_empty())
                    .map(str::to_ascii_lowercase)
                    .collect();
                for host in &hosts {
                    table.by_host.entry(host).push(Arc::clone(&rule));
                }
                if hosts.is_empty() {
                    table.any.push(rule);
                }
            }
        }
        table.by_host.finish();
        table
    }

    /// The answer for a host a rule names: its rules, then the rules for any host; else 404.
    pub(super) fn specific(&self, request: &Request<'_>, draw: &mut dyn Draw) -> Option<Outcome> {
        let rules = self.by_host.specific(request.host)?;
        Some(match best(rules, request).or_else(|| best(&self.any, request)) {
            Some(rule) => rule.serve(draw),
            None => Outcome::NotFound(format!(
                "no ApisixRoute matches {} on host {}",
                request.path, request.host
            )),
        })
    }

    /// The answer of the best rule for any host that matches.
    pub(super) fn any(&self, request: &Request<'_>, draw: &mut dyn Draw) -> Option<Outcome> {
        Some(best(&self.any, request)?.serve(draw))
    }
}

fn compile(services: &Services, m: &Meta<'_>, http: &Value, order: usize) -> Result<HttpRule, String> {
    let matcher = http.get("match").ok_or("no match")?;
    let paths: Vec<PathMatch> = list(matcher, "paths")
        .iter()
        .filter_map(Value::as_str)
        .map(|p| match p.strip_suffix('*') {
            Some(prefix) => PathMatch::Prefix(prefix.to_string()),
            None => PathMatch::Exact(p.to_string()),
        })
        .collect();
    if paths.is_empty() {
        return Err("no paths".into());
    }
    let exprs = list(matcher, "exprs").iter().map(expr).collect::<Result<Vec<_>, _>>()?;
    let backends = list(http, "backends");
    if backends.is_empty() {
        return Err("no backends".into());
    }
    let mut weighted = Vec::new();
    for b in backends {
        let service = text(b, "serviceName")
            .filter(|s| !s.is_empty())
            .ok_or("a backend without serviceName")?;
        let port = match b.get("servicePort") {
            Some(Value::Number(n)) => n.as_i64().map_or(PortRef::Unnamed, PortRef::Number),
            Some(Value::String(s)) => s.parse().map_or(PortRef::Name(s), PortRef::Number),
            _ => PortRef::Unnamed,
        };
        let weight = match b.get("weight") {
            None | Some(Value::Null) => DEFAULT_WEIGHT,
            Some(w) => w.as_i64().ok_or("a weight that is not an integer")?.max(0) as u64,
        };
        weighted.push((weight, services.target(m.namespace, service, port, None)));
    }
    Ok(HttpRule {
        namespace: m.namespace.to_string(),
        route: m.name.to_string(),
        name: text(http, "name").unwrap_or_default().to_string(),
        priority: http.get("priority").and_then(Value::as_i64).unwrap_or(0),
        order,
        paths,
        methods: list(matcher, "methods")
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        exprs,
        backends: Weighted::new(weighted),
    })
}

fn expr(e: &Value) -> Result<Expr, String> {
    let subject = e.get("subject").ok_or("an expression without subject")?;
    let name = text(subject, "name").unwrap_or_default();
    let subject = match text(subject, "scope").unwrap_or_default() {
        "Header" => Subject::Header(name.to_ascii_lowercase()),
        "Cookie" => Subject::Cookie(name.to_string()),
        "Path" => Subject::Path,
        "Query" => Subject::Query,
        other => return Err(format!("an expression of scope {other:?}")),
    };
    let value = || {
        text(e, "value")
            .map(str::to_string)
            .ok_or("an expression without value")
    };
    let set = || -> Vec<String> {
        list(e, "set")
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect()
    };
    let number = || -> Result<f64, String> {
        value()?
            .trim()
            .parse()
            .map_err(|_| "a comparison with a value that is not a number".to_string())
    };
    let regex = |fold: bool| -> Result<Regex, String> {
        let pattern = value()?;
        RegexBuilder::new(&pattern)
            .case_insensitive(fold)
            .build()
            .map_err(|_| format!("the expression {pattern:?} does not compile"))
    };
    let op = match text(e, "op").unwrap_or_default() {
        "Equal" => Op::Equal(value()?),
        "NotEqual" => Op::NotEqual(value()?),
        "In" => Op::In(set()),
        "NotIn" => Op::NotIn(set()),
        "GreaterThan" => Op::Greater(number()?),
        "LessThan" => Op::Less(number()?),
        "RegexMatch" => Op::Regex(regex(false)?),
        "RegexMatchCaseInsensitive" => Op::Regex(regex(true)?),
        "RegexNotMatch" => Op::NotRegex(regex(false)?),
        "RegexNotMatchCaseInsensitive" => Op::NotRegex(regex(true)?),
        other => return Err(format!("the operator {other:?}")),
    };
    Ok(Expr { subject, op })
}
