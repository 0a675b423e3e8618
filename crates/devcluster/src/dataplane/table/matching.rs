//! The matching pieces the routers share: host patterns, path prefixes, string matchers and weighted
//! choices.

use std::collections::HashMap;

use regex::Regex;
use serde_json::Value;

use crate::dataplane::{Draw, Request};

/// Values keyed by host pattern: exact names, `*.suffix` wildcards and `*` (any host).
#[derive(Debug, Clone)]
pub(super) struct HostMap<T> {
    exact: HashMap<String, T>,
    /// Wildcards as (`.suffix`, value), the longest suffix first once [`HostMap::finish`] ran.
    wildcards: Vec<(String, T)>,
    any: Option<T>,
}

impl<T> Default for HostMap<T> {
    fn default() -> Self {
        HostMap {
            exact: HashMap::new(),
            wildcards: Vec::new(),
            any: None,
        }
    }
}

impl<T: Default> HostMap<T> {
    /// The value of `pattern` (lowercase; empty or `*` is any host), created empty when new.
    pub(super) fn entry(&mut self, pattern: &str) -> &mut T {
        if pattern.is_empty() || pattern == "*" {
            return self.any.get_or_insert_with(T::default);
        }
        if let Some(suffix) = pattern.strip_prefix('*') {
            let at = match self.wildcards.iter().position(|(s, _)| s == suffix) {
                Some(at) => at,
                None => {
                    self.wildcards.push((suffix.to_string(), T::default()));
                    self.wildcards.len() - 1
                }
            };
            return &mut self.wildcards[at].1;
        }
        self.exact.entry(pattern.to_string()).or_default()
    }
}

impl<T> HostMap<T> {
    /// The value of `pattern` if there is one (the same reading as [`HostMap::entry`]).
    pub(super) fn get_mut(&mut self, pattern: &str) -> Option<&mut T> {
        if pattern.is_empty() || pattern == "*" {
            return self.any.as_mut();
        }
        if let Some(suffix) = pattern.strip_prefix('*') {
            return self.wildcards.iter_mut().find(|(s, _)| s == suffix).map(|(_, v)| v);
        }
        self.exact.get_mut(pattern)
    }

    /// Orders the wildcards so that the most specific one is found first.
    pub(super) fn finish(&mut self) {
        self.wildcards
            .sort_by_key(|(suffix, _)| std::cmp::Reverse(suffix.len()));
    }

    /// The value of the exact name, else of the longest wildcard that covers `host` (a wildcard covers
    /// any number of labels in front of its suffix, as nginx, Envoy and the Gateway API read it).
    pub(super) fn specific(&self, host: &str) -> Option<&T> {
        self.exact.get(host).or_else(|| {
            self.wildcards
                .iter()
                .find(|(suffix, _)| host.len() > suffix.len() && host.ends_with(suffix.as_str()))
                .map(|(_, v)| v)
        })
    }

    /// The value for any host.
    pub(super) fn any(&self) -> Option<&T> {
        self.any.as_ref()
    }

    /// Every value, for the table's final touches.
    pub(super) fn values_mut(&mut self) -> impl Iterator<Item = &mut T> {
        self.exact
            .values_mut()
            .chain(self.wildcards.iter_mut().map(|(_, v)| v))
            .chain(self.any.as_mut())
    }
}

/// Whether `path` is under `prefix` element by element (Kubernetes' and the Gateway API's `Prefix`):
/// `/foo` covers `/foo`, `/foo/` and `/foo/bar` but not `/foobar`; a trailing `/` on the prefix is
/// ignored, and `/` covers everything.
pub(super) fn path_has_prefix(path: &str, prefix: &str) -> bool {
    let prefix = prefix.trim_end_matches('/');
    match path.strip_prefix(prefix) {
        Some(rest) => rest.is_empty() || rest.starts_with('/') || prefix.is_empty(),
        None => false,
    }
}

/// A test on one string value.
#[derive(Debug, Clone)]
pub(super) enum StringMatch {
    /// The value is exactly this.
    Exact(String),
    /// The value starts with this.
    Prefix(String),
    /// The value matches this expression (anchored or not, as the router reads its patterns).
    Regex(Regex),
}

impl StringMatch {
    /// Whether `value` passes.
    pub(super) fn matches(&self, value: &str) -> bool {
        match self {
            StringMatch::Exact(s) => value == s,
            StringMatch::Prefix(s) => value.starts_with(s.as_str()),
            StringMatch::Regex(r) => r.is_match(value),
        }
    }
}

/// An expression that must match the whole value (Envoy's and the Gateway API's reading); `None` when
/// it does not compile.
pub(super) fn full_match(pattern: &str) -> Option<Regex> {
    Regex::new(&format!("^(?:{pattern})$")).ok()
}

/// The request's method, carried as the `:method` pseudo-header as Envoy does; `GET` when absent.
pub(super) fn method<'a>(request: &Request<'a>) -> &'a str {
    request
        .headers
        .iter()
        .find(|(n, _)| n == ":method")
        .map_or("GET", |(_, v)| v.as_str())
}

/// A choice among weighted values that is exact in expectation: a draw in `0..total` walks the
/// cumulative weights. Values of weight 0 are never chosen.
#[derive(Debug, Clone)]
pub(super) struct Weighted<T> {
    /// Each value with the cumulative weight at its end.
    entries: Vec<(u64, T)>,
    total: u64,
}

impl<T> Default for Weighted<T> {
    fn default() -> Self {
        Weighted {
            entries: Vec::new(),
            total: 0,
        }
    }
}

impl<T> Weighted<T> {
    /// The values with their weights.
    pub(super) fn new(items: impl IntoIterator<Item = (u64, T)>) -> Self {
        let mut total = 0u64;
        let entries = items
            .into_iter()
            .filter(|(w, _)| *w > 0)
            .map(|(w, v)| {
                total = total.saturating_add(w);
                (total, v)
            })
            .collect();
        Weighted { entries, total }
    }

    /// One value, `None` when every weight is 0.
    pub(super) fn pick(&self, draw: &mut dyn Draw) -> Option<&T> {
        match self.entries.as_slice() {
            [] => None,
            // A single value needs no draw, which keeps the draws of the other choices unchanged.
            [(_, only)] => Some(only),
            entries => {
                let x = draw.below(self.total);
                let at = entries.partition_point(|(end, _)| *end <= x);
                entries.get(at).or(entries.last()).map(|(_, v)| v)
            }
        }
    }

    /// The first value of weight above 0 that satisfies `wanted`.
    pub(super) fn find(&self, wanted: impl Fn(&T) -> bool) -> Option<&T> {
        self.entries.iter().map(|(_, v)| v).find(|v| wanted(v))
    }

    /// The values, in order, with their own weights.
    #[cfg(test)]
    pub(super) fn weights(&self) -> Vec<u64> {
        let mut start = 0;
        self.entries
            .iter()
            .map(|(end, _)| {
                let w = end - start;
                start = *end;
                w
            })
            .collect()
    }
}

/// An integer annotation, as Go's `strconv.Atoi` reads it (no spaces allowed).
pub(super) fn parse_int(text: &str) -> Option<i64> {
    text.parse().ok()
}

/// Whether `value` matches a wildcard `pattern` as AWS load balancer conditions read them: `*` any run
/// of characters (none included), `?` exactly one; `fold` compares without regard to ASCII case.
pub(super) fn glob_matches(pattern: &str, value: &str, fold: bool) -> bool {
    let same = |p: u8, v: u8| if fold { p.eq_ignore_ascii_case(&v) } else { p == v };
    let (p, v) = (pattern.as_bytes(), value.as_bytes());
    // Iterative matching with backtracking to the last `*`: linear in practice, never exponential.
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while j < v.len() {
        match p.get(i) {
            Some(b'*') => {
                star = Some((i, j));
                i += 1;
            }
            Some(&c) if c == b'?' || same(c, v[j]) => {
                i += 1;
                j += 1;
            }
            _ => match star {
                Some((si, sj)) => {
                    i = si + 1;
                    j = sj + 1;
                    star = Some((si, sj + 1));
                }
                None => return false,
            },
        }
    }
    p[i..].iter().all(|c| *c == b'*')
}

/// The value at `key` of a JSON object, the key compared without regard to ASCII case (as Go's
/// `encoding/json` reads the annotations' JSON).
pub(super) fn field<'a>(value: &'a Value, key: &str) -> Option<&'a Value> {
    let object = value.as_object()?;
    object
        .get(key)
        .or_else(|| object.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v))
}
