//! The checks that make a run end in `Error` with `Analysis spec invalid: <message>` (upstream
//! `ValidateMetrics`, `ValidateMetric`, `GetDryRunMetrics`, `GetMeasurementRetentionMetrics`), run on the
//! metrics after argument substitution. Each returns upstream's message for the first problem.

use regex::Regex;
use rollouts_api::analysis::Metric;
use rollouts_api::common::{DryRun, MeasurementRetention};
use rollouts_api::defaults::int_value;
use rollouts_api::duration::parse_nanos;
use rollouts_api::providers::MetricProvider;

/// The metrics as a whole: at least one, unique names, each one valid.
pub fn validate_metrics(metrics: &[Metric]) -> Result<(), String> {
    if metrics.is_empty() {
        return Err("no metrics specified".to_string());
    }
    for (i, metric) in metrics.iter().enumerate() {
        if metrics[..i].iter().any(|m| m.name == metric.name) {
            return Err(format!("metrics[{i}]: duplicate name '{}'", metric.name));
        }
        validate_metric(metric).map_err(|err| format!("metrics[{i}]: {err}"))?;
    }
    Ok(())
}

/// One metric: its limits and count agree, its durations parse, and it has exactly one provider.
pub fn validate_metric(metric: &Metric) -> Result<(), String> {
    let count = metric.count.as_ref().map_or(0, int_value);
    let failure_limit = metric.failure_limit_or_default();
    let success_limit = metric.consecutive_success_limit_or_default();
    let inconclusive_limit = metric.inconclusive_limit_or_default();

    if success_limit < 0 {
        return Err("consecutiveSuccessLimit must be >= 0".into());
    }
    if failure_limit < -1 {
        return Err("failureLimit must be >= 0, or -1 to be disabled".into());
    }
    if success_limit == 0 && failure_limit == -1 {
        return Err("failureLimit and consecutiveSuccessLimit cannot both be disabled".into());
    }
    if inconclusive_limit < 0 {
        return Err("inconclusiveLimit must be >= 0".into());
    }
    if metric
        .consecutive_error_limit
        .as_ref()
        .is_some_and(|l| int_value(l) < 0)
    {
        return Err("consecutiveErrorLimit must be >= 0".into());
    }
    if count > 0 {
        if failure_limit >= 0 {
            if count < failure_limit + success_limit {
                return Err(format!(
                    "count ({count}) must be >= failureLimit + consecutiveSuccessLimit ({failure_limit} + \
                     {success_limit}) if both >= 0"
                ));
            }
        } else if count < success_limit {
            return Err("count must be >= consecutiveSuccessLimit".into());
        }
        if count < inconclusive_limit {
            return Err("count must be >= inconclusiveLimit".into());
        }
    }
    let interval = metric.interval.as_deref().unwrap_or_default();
    if count > 1 && interval.is_empty() {
        return Err("interval must be specified when count > 1".into());
    }
    if !interval.is_empty() {
        parse_nanos(interval).map_err(|err| format!("invalid interval string: {err}"))?;
    }
    let initial_delay = metric.initial_delay.as_deref().unwrap_or_default();
    if !initial_delay.is_empty() {
        parse_nanos(initial_delay).map_err(|err| format!("invalid startDelay string: {err}"))?;
    }
    match provider_count(&metric.provider) {
        0 => Err("no provider specified".into()),
        1 => Ok(()),
        _ => Err("multiple providers specified".into()),
    }
}

/// How many providers are configured; every entry of `plugin` counts as one.
fn provider_count(p: &MetricProvider) -> usize {
    let builtin = [
        p.prometheus.is_some(),
        p.job.is_some(),
        p.web.is_some(),
        p.wavefront.is_some(),
        p.kayenta.is_some(),
        p.datadog.is_some(),
        p.new_relic.is_some(),
        p.cloud_watch.is_some(),
        p.graphite.is_some(),
        p.influxdb.is_some(),
        p.skywalking.is_some(),
    ]
    .into_iter()
    .filter(|set| *set)
    .count();
    let plugins = match &p.plugin {
        None | Some(serde_json::Value::Null) => 0,
        Some(serde_json::Value::Object(entries)) => entries.len(),
        Some(_) => 1,
    };
    builtin + plugins
}

/// Go's `regexp.MatchString`: unanchored; a pattern that does not compile matches nothing.
fn matcher(pattern: &str) -> impl Fn(&str) -> bool {
    let re = Regex::new(pattern).ok();
    move |name| re.as_ref().is_some_and(|re| re.is_match(name))
}

/// Per metric, whether a `dryRun` rule matches its name. Every rule must match some metric.
pub fn dry_run_flags(rules: &[DryRun], metrics: &[Metric]) -> Result<Vec<bool>, String> {
    let flags = per_metric("dryRun", rules, metrics, |rule| (rule.metric_name.as_str(), true))?;
    Ok(flags.into_iter().map(|flag| flag.unwrap_or(false)).collect())
}

/// Per metric, the `limit` of the last `measurementRetention` rule matching its name. Every rule must
/// match some metric.
pub fn retention_limits(rules: &[MeasurementRetention], metrics: &[Metric]) -> Result<Vec<Option<i32>>, String> {
    per_metric("measurementRetention", rules, metrics, |rule| {
        (rule.metric_name.as_str(), rule.limit)
    })
}

/// Per metric, the value of the last rule whose metric name matches it; a rule that matches no metric
/// is an error naming it as `field[index]`.
fn per_metric<R, T: Clone>(
    field: &str,
    rules: &[R],
    metrics: &[Metric],
    rule_of: impl Fn(&R) -> (&str, T),
) -> Result<Vec<Option<T>>, String> {
    let mut values = vec![None; metrics.len()];
    for (i, rule) in rules.iter().enumerate() {
        let (name, value) = rule_of(rule);
        let matches = matcher(name);
        let mut matched = false;
        for (slot, metric) in values.iter_mut().zip(metrics) {
            if matches(&metric.name) {
                *slot = Some(value.clone());
                matched = true;
            }
        }
        if !matched {
            return Err(format!("{field}[{i}]: Rule didn't match any metric name(s)"));
        }
    }
    Ok(values)
}
