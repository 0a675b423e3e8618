//! AnalysisTemplate, ClusterAnalysisTemplate and AnalysisRun rules: upstream's metric checks
//! (`ValidateMetrics`, `ValidateMetric`), its dry-run and measurement-retention checks, then the CRD
//! schema's requirements and the provider checks.
//!
//! Upstream validates a run after substituting its arguments; templates and runs as stored still hold
//! `{{args.x}}` placeholders, so a duration that contains one is left for that later check, and
//! numbers that are placeholders count as 0, as Go's `IntValue` reads them.

use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use regex::Regex;

use crate::analysis::{AnalysisTemplateSpec, Argument, Metric};
use crate::common::{DryRun, MeasurementRetention};
use crate::defaults::int_value;
use crate::{AnalysisRun, AnalysisRunSpec};

use super::field::{BadValue, FieldError, FieldPath, Rendered, go_array};
use super::providers;
use super::required::require;
use crate::gofmt::go_json_string;

const NO_METRICS: &str = "no metrics specified";
const RULE_MATCHES_NOTHING: &str = "Rule didn't match any metric name(s)";

/// Every problem of an AnalysisTemplate (or ClusterAnalysisTemplate) spec.
pub(crate) fn validate_template(spec: &AnalysisTemplateSpec) -> Vec<FieldError> {
    let metrics = spec.metrics.as_deref().unwrap_or_default();
    let nests_templates = spec.templates.as_ref().is_some_and(|t| !t.is_empty());
    let mut errs = if nests_templates {
        // The metrics of nested templates join these ones only when a run is built, so neither an
        // empty list here nor a rule matching none of these metrics is a problem yet.
        metric_list_rules(metrics, false)
    } else {
        let mut errs = metric_list_rules(metrics, true);
        errs.extend(rule_matching(
            spec.dry_run.as_deref(),
            spec.measurement_retention.as_deref(),
            metrics,
        ));
        errs
    };
    errs.extend(schema_rules(
        metrics,
        spec.args.as_deref(),
        spec.dry_run.as_deref(),
        spec.measurement_retention.as_deref(),
    ));
    for (i, template) in spec.templates.iter().flatten().enumerate() {
        require(
            &mut errs,
            template.template_name.as_deref().unwrap_or_default(),
            &FieldPath::new("spec").child("templates").index(i).child("templateName"),
        );
    }
    errs
}

/// Upstream's checks of a run, in upstream's order: the ones that make the run `Error` with
/// `Analysis spec invalid: ...`.
pub(crate) fn run_upstream_rules(spec: &AnalysisRunSpec) -> Vec<FieldError> {
    let mut errs = metric_list_rules(&spec.metrics, true);
    errs.extend(rule_matching(
        spec.dry_run.as_deref(),
        spec.measurement_retention.as_deref(),
        &spec.metrics,
    ));
    errs
}

/// Every problem of an AnalysisRun.
pub(crate) fn validate_run(run: &AnalysisRun) -> Vec<FieldError> {
    let spec = &run.spec;
    let mut errs = run_upstream_rules(spec);
    errs.extend(schema_rules(
        &spec.metrics,
        spec.args.as_deref(),
        spec.dry_run.as_deref(),
        spec.measurement_retention.as_deref(),
    ));
    errs
}

/// Upstream's run message for one of its own problems: `Analysis spec invalid: metrics[1]: <message>`,
/// naming only the list item, as upstream does (and no item for `no metrics specified`).
pub(crate) fn upstream_run_message(err: &FieldError) -> String {
    let relative = err.path.strip_prefix("spec.").unwrap_or(&err.path);
    match relative.find(']') {
        Some(end) => format!("Analysis spec invalid: {}: {}", &relative[..=end], err.message),
        None => format!("Analysis spec invalid: {}", err.message),
    }
}

/// Metrics exist (when `require_some`), have unique names, and each passes upstream's checks.
fn metric_list_rules(metrics: &[Metric], require_some: bool) -> Vec<FieldError> {
    let path = FieldPath::new("spec").child("metrics");
    let mut errs = Vec::new();
    if metrics.is_empty() && require_some {
        errs.push(FieldError::required(&path, NO_METRICS));
    }
    let mut seen = std::collections::BTreeSet::new();
    for (i, metric) in metrics.iter().enumerate() {
        let path = path.index(i);
        if !seen.insert(metric.name.as_str()) {
            errs.push(
                FieldError::duplicate(path.child("name"), &metric.name)
                    .with_message(format!("duplicate name '{}'", metric.name)),
            );
        }
        errs.extend(metric_rules(metric, &path));
    }
    errs
}

/// Upstream's `ValidateMetric`: the first problem of one metric, as upstream stops at it.
fn metric_rules(metric: &Metric, path: &FieldPath) -> Option<FieldError> {
    let count = metric.count.as_ref().map_or(0, int_value);
    let failure_limit = metric.failure_limit_or_default();
    let success_limit = metric.consecutive_success_limit_or_default();
    let inconclusive_limit = metric.inconclusive_limit_or_default();
    let limit = |field: &str, value: &Option<IntOrString>, message: &str| {
        let rendered = value
            .as_ref()
            .map_or_else(|| Rendered("null".into()), |v| Rendered(v.render()));
        Some(FieldError::invalid(path.child(field), &rendered, message))
    };

    if success_limit < 0 {
        return limit(
            "consecutiveSuccessLimit",
            &metric.consecutive_success_limit,
            "consecutiveSuccessLimit must be >= 0",
        );
    }
    if failure_limit < -1 {
        return limit(
            "failureLimit",
            &metric.failure_limit,
            "failureLimit must be >= 0, or -1 to be disabled",
        );
    }
    if success_limit == 0 && failure_limit == -1 {
        return limit(
            "failureLimit",
            &metric.failure_limit,
            "failureLimit and consecutiveSuccessLimit cannot both be disabled",
        );
    }
    if inconclusive_limit < 0 {
        return limit(
            "inconclusiveLimit",
            &metric.inconclusive_limit,
            "inconclusiveLimit must be >= 0",
        );
    }
    if metric.consecutive_error_limit.is_some() && metric.consecutive_error_limit_or_default() < 0 {
        return limit(
            "consecutiveErrorLimit",
            &metric.consecutive_error_limit,
            "consecutiveErrorLimit must be >= 0",
        );
    }
    if count > 0 {
        let problem = if success_limit >= 0 && failure_limit >= 0 {
            (count < failure_limit + success_limit).then(|| {
                format!(
                    "count ({count}) must be >= failureLimit + consecutiveSuccessLimit \
                     ({failure_limit} + {success_limit}) if both >= 0"
                )
            })
        } else if success_limit >= 0 && failure_limit < 0 {
            (count < success_limit).then(|| "count must be >= consecutiveSuccessLimit".to_string())
        } else {
            None
        };
        let problem =
            problem.or_else(|| (count < inconclusive_limit).then(|| "count must be >= inconclusiveLimit".to_string()));
        if let Some(problem) = problem {
            return limit("count", &metric.count, &problem);
        }
    }
    let interval = metric.interval.as_deref().unwrap_or_default();
    if count > 1 && interval.is_empty() {
        return Some(FieldError::required(
            path.child("interval"),
            "interval must be specified when count > 1",
        ));
    }
    if let Some(err) = duration_problem(interval, "invalid interval string", &path.child("interval")) {
        return Some(err);
    }
    let initial_delay = metric.initial_delay.as_deref().unwrap_or_default();
    if let Some(err) = duration_problem(initial_delay, "invalid startDelay string", &path.child("initialDelay")) {
        return Some(err);
    }

    let providers = providers::configured(&metric.provider);
    let provider_path = path.child("provider");
    match providers.len() {
        0 => Some(FieldError::required(provider_path, "no provider specified")),
        1 => None,
        _ => Some(FieldError::invalid(
            provider_path,
            &Rendered(go_array(providers.iter().map(|p| go_json_string(p)))),
            "multiple providers specified",
        )),
    }
}

/// A non-empty duration string that Go cannot parse, unless it still holds an argument placeholder.
fn duration_problem(text: &str, what: &str, path: &FieldPath) -> Option<FieldError> {
    if text.is_empty() || text.contains("{{") {
        return None;
    }
    let err = crate::duration::parse_nanos(text).err()?;
    Some(FieldError::invalid(path, text, format!("{what}: {err}")))
}

/// Every dry-run and measurement-retention rule (an unanchored Go regular expression) must match at
/// least one metric name; upstream stops at the first that does not.
fn rule_matching(
    dry_run: Option<&[DryRun]>,
    retention: Option<&[MeasurementRetention]>,
    metrics: &[Metric],
) -> Vec<FieldError> {
    let spec = FieldPath::new("spec");
    let names: Vec<&str> = metrics.iter().map(|m| m.name.as_str()).collect();
    let dry_run = dry_run
        .into_iter()
        .flatten()
        .map(|r| r.metric_name.as_str())
        .enumerate()
        .map(|(i, rule)| (spec.child("dryRun").index(i), rule));
    let retention = retention
        .into_iter()
        .flatten()
        .map(|r| r.metric_name.as_str())
        .enumerate()
        .map(|(i, rule)| (spec.child("measurementRetention").index(i), rule));
    dry_run
        .chain(retention)
        .filter(|(_, rule)| !matches_any(rule, &names))
        .map(|(path, rule)| FieldError::invalid(path.child("metricName"), rule, RULE_MATCHES_NOTHING))
        .take(1)
        .collect()
}

/// Go's `regexp.MatchString`; a pattern that does not compile matches nothing.
fn matches_any(pattern: &str, names: &[&str]) -> bool {
    Regex::new(pattern).is_ok_and(|re| names.iter().any(|n| re.is_match(n)))
}

/// What the CRD schema requires of metrics, arguments and rules, and the provider checks.
fn schema_rules(
    metrics: &[Metric],
    args: Option<&[Argument]>,
    dry_run: Option<&[DryRun]>,
    retention: Option<&[MeasurementRetention]>,
) -> Vec<FieldError> {
    let spec = FieldPath::new("spec");
    let mut errs = Vec::new();
    for (i, metric) in metrics.iter().enumerate() {
        let path = spec.child("metrics").index(i);
        require(&mut errs, &metric.name, &path.child("name"));
        errs.extend(providers::rules(&metric.provider, &path.child("provider")));
    }
    errs.extend(argument_rules(args, &spec.child("args")));
    for (i, rule) in dry_run.into_iter().flatten().enumerate() {
        require(
            &mut errs,
            &rule.metric_name,
            &spec.child("dryRun").index(i).child("metricName"),
        );
    }
    for (i, rule) in retention.into_iter().flatten().enumerate() {
        require(
            &mut errs,
            &rule.metric_name,
            &spec.child("measurementRetention").index(i).child("metricName"),
        );
    }
    errs
}

/// Arguments of templates, runs and experiments: a name, and a complete secret reference.
pub(crate) fn argument_rules(args: Option<&[Argument]>, path: &FieldPath) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (i, arg) in args.into_iter().flatten().enumerate() {
        let path = path.index(i);
        require(&mut errs, &arg.name, &path.child("name"));
        let value_from = arg.value_from.as_ref();
        if let Some(secret) = value_from.and_then(|v| v.secret_key_ref.as_ref()) {
            let path = path.child("valueFrom").child("secretKeyRef");
            require(&mut errs, &secret.name, &path.child("name"));
            require(&mut errs, &secret.key, &path.child("key"));
        }
        if let Some(field_ref) = value_from.and_then(|v| v.field_ref.as_ref()) {
            require(
                &mut errs,
                &field_ref.field_path,
                &path.child("valueFrom").child("fieldRef").child("fieldPath"),
            );
        }
    }
    errs
}
