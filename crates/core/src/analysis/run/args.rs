//! Arguments: `{{args.<name>}}` placeholders, filled in over the JSON text of a metric (upstream
//! `ResolveMetricArgs` / `ResolveQuotedArgs` on top of fasttemplate).
//!
//! The metric is written out as JSON, every `{{...}}` in the text is replaced, and the text is read back
//! as a metric. Because placeholders sit inside JSON strings, each value is escaped the way Go's
//! `strconv.Quote` escapes it before it goes in, so quotes, backslashes and newlines in a value stay
//! part of the string. Whitespace inside the braces is ignored (`{{ args.x }}`); a placeholder no
//! argument answers is an error, and so is an argument without a value, used or not.
//!
//! Which unanswered placeholder an error names depends on the order of the JSON text; the metric's
//! fields and its provider's fields are written in upstream's (Go struct) order so that it names the
//! same one upstream does, deeper objects in sorted key order.

use rollouts_api::analysis::{Argument, Metric};
use rollouts_api::gofmt::{go_json_string, go_quote};
use rollouts_api::validation::go_json;
use serde_json::Value;

use super::SecretLookup;

/// What a secret argument stands for while the spec is checked and judged (upstream's stand-in): the
/// secret's real value only goes into the metrics handed to providers.
pub const SECRET_PLACEHOLDER: &str = "temp-for-secret";

/// The message for a Secret that does not exist (the API server's NotFound message).
pub fn secret_not_found_message(secret: &str) -> String {
    format!("secrets \"{secret}\" not found")
}

/// The message for a Secret without the referenced key.
pub fn missing_secret_key_message(secret: &str, key: &str) -> String {
    format!("key '{key}' does not exist in secret '{secret}'")
}

/// The arguments with every secret reference replaced by [`SECRET_PLACEHOLDER`] as its value.
pub fn with_secret_placeholders(args: &[Argument]) -> Vec<Argument> {
    args.iter()
        .map(|arg| {
            if is_secret(arg) {
                Argument {
                    name: arg.name.clone(),
                    value: Some(SECRET_PLACEHOLDER.to_string()),
                    value_from: None,
                }
            } else {
                arg.clone()
            }
        })
        .collect()
}

/// The arguments with every secret reference replaced by the secret's value (which wins over a
/// `value` set alongside), and the distinct secret values read, for redaction. Stops at the first
/// secret that cannot be read, in argument order.
pub fn read_secrets(args: &[Argument], lookup: SecretLookup<'_>) -> Result<(Vec<Argument>, Vec<String>), String> {
    let mut resolved = Vec::with_capacity(args.len());
    let mut secrets: Vec<String> = Vec::new();
    for arg in args {
        let reference = arg.value_from.as_ref().and_then(|v| v.secret_key_ref.as_ref());
        match reference {
            Some(reference) => {
                let value = lookup(&reference.name, &reference.key)?;
                if !secrets.contains(&value) {
                    secrets.push(value.clone());
                }
                let mut arg = arg.clone();
                arg.value = Some(value);
                resolved.push(arg);
            }
            None => resolved.push(arg.clone()),
        }
    }
    Ok((resolved, secrets))
}

fn is_secret(arg: &Argument) -> bool {
    arg.value_from.as_ref().is_some_and(|v| v.secret_key_ref.is_some())
}

/// Every metric with its arguments substituted; the first failure ends it. No metrics, no error (an
/// argument without a value is only noticed while substituting).
pub fn resolve_metrics(metrics: &[Metric], args: &[Argument]) -> Result<Vec<Metric>, String> {
    metrics.iter().map(|metric| resolve_metric(metric, args)).collect()
}

/// One metric with its arguments substituted (upstream `ResolveMetricArgs`): values are escaped for
/// their place inside a JSON string.
pub fn resolve_metric(metric: &Metric, args: &[Argument]) -> Result<Metric, String> {
    let text = metric_json(metric)?;
    let resolved = resolve_quoted_args(&text, args)?;
    serde_json::from_str(&resolved).map_err(|err| err.to_string())
}

/// `template` with `{{args.<name>}}` replaced by each argument's value as is (upstream `ResolveArgs`).
pub fn resolve_args(template: &str, args: &[Argument]) -> Result<String, String> {
    let values = argument_values(args, std::string::ToString::to_string)?;
    substitute(template, |tag| lookup(&values, tag))
}

/// `template` with `{{args.<name>}}` replaced by each argument's value escaped as Go's
/// `strconv.Quote` escapes it, without the surrounding quotes (upstream `ResolveQuotedArgs`).
pub fn resolve_quoted_args(template: &str, args: &[Argument]) -> Result<String, String> {
    let values = argument_values(args, quote_inner)?;
    substitute(template, |tag| lookup(&values, tag))
}

/// `(args.<name>, value)` per argument (a later duplicate wins on lookup); an argument without a value
/// is an error.
fn argument_values(args: &[Argument], render: impl Fn(&str) -> String) -> Result<Vec<(String, String)>, String> {
    args.iter()
        .map(|arg| match &arg.value {
            Some(value) => Ok((format!("args.{}", arg.name), render(value))),
            None => Err(format!("argument \"{}\" was not supplied", arg.name)),
        })
        .collect()
}

fn lookup<'a>(values: &'a [(String, String)], tag: &str) -> Option<&'a str> {
    values.iter().rev().find(|(key, _)| key == tag).map(|(_, v)| v.as_str())
}

// `go_quote` without its surrounding quotes: the placeholder already sits inside a JSON string.
fn quote_inner(value: &str) -> String {
    let quoted = go_quote(value);
    quoted
        .strip_prefix('"')
        .and_then(|q| q.strip_suffix('"'))
        .unwrap_or(&quoted)
        .to_string()
}

/// Replaces every `{{tag}}` in `template` with `values(tag trimmed)`, as fasttemplate with upstream's
/// tag function does: a `{{` without a closing `}}` is an error before anything is substituted, and an
/// unanswered tag is an error naming the last such tag as written (the tag is dropped from the text).
pub fn substitute<'a>(template: &str, values: impl Fn(&str) -> Option<&'a str>) -> Result<String, String> {
    const OPEN: &str = "{{";
    const CLOSE: &str = "}}";
    let mut out = String::with_capacity(template.len());
    let mut unresolved = None;
    let mut rest = template;
    while let Some(start) = rest.find(OPEN) {
        out.push_str(&rest[..start]);
        let after = &rest[start + OPEN.len()..];
        let Some(end) = after.find(CLOSE) else {
            return Err(format!(
                "Cannot find end tag={} in the template={} starting from {}",
                go_quote(CLOSE),
                go_quote(template),
                go_quote(after)
            ));
        };
        let tag = &after[..end];
        match values(tag.trim()) {
            Some(value) => out.push_str(value),
            None => unresolved = Some(format!("failed to resolve {{{{{tag}}}}}")),
        }
        rest = &after[end + CLOSE.len()..];
    }
    out.push_str(rest);
    match unresolved {
        Some(err) => Err(err),
        None => Ok(out),
    }
}

/// Upstream's `Metric` fields, in Go struct order.
const METRIC_FIELDS: &[&str] = &[
    "name",
    "interval",
    "initialDelay",
    "count",
    "successCondition",
    "failureCondition",
    "failureLimit",
    "inconclusiveLimit",
    "consecutiveErrorLimit",
    "provider",
    "consecutiveSuccessLimit",
];

/// Upstream's `MetricProvider` fields, in Go struct order.
const PROVIDER_FIELDS: &[&str] = &[
    "prometheus",
    "kayenta",
    "web",
    "datadog",
    "wavefront",
    "newRelic",
    "job",
    "cloudWatch",
    "graphite",
    "influxdb",
    "skywalking",
    "plugin",
];

/// Each provider's own fields, in Go struct order.
fn provider_fields(provider: &str) -> &'static [&'static str] {
    match provider {
        "prometheus" => &[
            "address",
            "query",
            "authentication",
            "timeout",
            "insecure",
            "headers",
            "rangeQuery",
        ],
        "kayenta" => &[
            "address",
            "application",
            "canaryConfigName",
            "metricsAccountName",
            "configurationAccountName",
            "storageAccountName",
            "threshold",
            "scopes",
            "lookback",
        ],
        "web" => &[
            "method",
            "url",
            "headers",
            "body",
            "timeoutSeconds",
            "jsonPath",
            "insecure",
            "jsonBody",
            "authentication",
        ],
        "datadog" => &[
            "interval",
            "query",
            "queries",
            "formula",
            "apiVersion",
            "aggregator",
            "secretRef",
            "requestTimeout",
        ],
        "wavefront" | "graphite" => &["address", "query"],
        "newRelic" => &["profile", "query", "timeout"],
        "job" => &["metadata", "spec"],
        "cloudWatch" => &["interval", "metricDataQueries"],
        "influxdb" => &["profile", "query"],
        "skywalking" => &["address", "query", "interval"],
        _ => &[],
    }
}

/// The metric as JSON text, fields in upstream's order where it matters (see the module docs).
fn metric_json(metric: &Metric) -> Result<String, String> {
    let value = serde_json::to_value(metric).map_err(|err| err.to_string())?;
    Ok(ordered_object(&value, METRIC_FIELDS, &|key, field| {
        if key == "provider" {
            ordered_object(field, PROVIDER_FIELDS, &|provider, body| {
                ordered_object(body, provider_fields(provider), &|_, v| go_json(v))
            })
        } else {
            go_json(field)
        }
    }))
}

/// An object with the `order` keys first (in that order) and any others after them, sorted; each
/// value written by `child`. Anything but an object is written as is.
fn ordered_object(value: &Value, order: &[&str], child: &dyn Fn(&str, &Value) -> String) -> String {
    let Value::Object(map) = value else {
        return go_json(value);
    };
    let known = order.iter().filter_map(|key| map.get(*key).map(|v| (*key, v)));
    let others = map
        .iter()
        .filter(|(key, _)| !order.contains(&key.as_str()))
        .map(|(key, v)| (key.as_str(), v));
    let fields: Vec<String> = known
        .chain(others)
        .map(|(key, v)| format!("{}:{}", go_json_string(key), child(key, v)))
        .collect();
    format!("{{{}}}", fields.join(","))
}
