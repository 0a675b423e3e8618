//! AnalysisTemplate, ClusterAnalysisTemplate and AnalysisRun validation: upstream's metric rules and
//! messages, dry-run and retention rules, provider requirements, and the run's error message.

use crate::validation_fixtures as fixtures;

use fixtures::{analysis_run, analysis_template, case, check_table, from_json, patched, rendered};
use rollouts_api::ClusterAnalysisTemplate;
use rollouts_api::validation::{
    analysis_run_invalid_message, validate_analysis_run, validate_analysis_template, validate_cluster_analysis_template,
};
use serde_json::{Value, json};

/// A patch replacing the base template's metrics with one metric: the base's, with `fields` set
/// (or removed, when `null`).
fn metric(fields: Value) -> Value {
    let mut m = json!({
        "name": "success-rate",
        "interval": "1m",
        "provider": {"prometheus": {"address": "http://prometheus:9090", "query": "up"}}
    });
    if let (Some(m), Value::Object(fields)) = (m.as_object_mut(), fields) {
        for (key, value) in fields {
            if value.is_null() {
                m.remove(&key);
            } else {
                m.insert(key, value);
            }
        }
    }
    json!({"spec": {"metrics": [m]}})
}

#[test]
fn metric_limits_and_counts() {
    let cases = vec![
        case(
            "negative consecutive success limit",
            metric(json!({"consecutiveSuccessLimit": -1})),
            &["spec.metrics[0].consecutiveSuccessLimit: Invalid value: -1: consecutiveSuccessLimit must be >= 0"],
        ),
        case(
            "failure limit below -1",
            metric(json!({"failureLimit": -2})),
            &["spec.metrics[0].failureLimit: Invalid value: -2: failureLimit must be >= 0, or -1 to be disabled"],
        ),
        case(
            "both limits disabled",
            metric(json!({"failureLimit": -1})),
            &[
                "spec.metrics[0].failureLimit: Invalid value: -1: failureLimit and consecutiveSuccessLimit cannot both be disabled",
            ],
        ),
        case(
            "failure limit disabled with a success limit",
            metric(json!({"failureLimit": -1, "consecutiveSuccessLimit": 2, "count": 3})),
            &[],
        ),
        case(
            "negative inconclusive limit",
            metric(json!({"inconclusiveLimit": -1})),
            &["spec.metrics[0].inconclusiveLimit: Invalid value: -1: inconclusiveLimit must be >= 0"],
        ),
        case(
            "negative consecutive error limit, as a string",
            metric(json!({"consecutiveErrorLimit": "-1"})),
            &["spec.metrics[0].consecutiveErrorLimit: Invalid value: \"-1\": consecutiveErrorLimit must be >= 0"],
        ),
        case(
            "count below failure plus success limits",
            metric(json!({"count": 2, "failureLimit": 2, "consecutiveSuccessLimit": 1})),
            &[
                "spec.metrics[0].count: Invalid value: 2: count (2) must be >= failureLimit + consecutiveSuccessLimit (2 + 1) if both >= 0",
            ],
        ),
        case(
            "count below the success limit when failures are disabled",
            metric(json!({"count": 2, "failureLimit": -1, "consecutiveSuccessLimit": 3})),
            &["spec.metrics[0].count: Invalid value: 2: count must be >= consecutiveSuccessLimit"],
        ),
        case(
            "count below the inconclusive limit",
            metric(json!({"count": 1, "inconclusiveLimit": 2})),
            &["spec.metrics[0].count: Invalid value: 1: count must be >= inconclusiveLimit"],
        ),
        case(
            "count above one without interval",
            metric(json!({"count": 3, "interval": null})),
            &["spec.metrics[0].interval: Required value: interval must be specified when count > 1"],
        ),
        case("count as a numeric string", metric(json!({"count": "3"})), &[]),
        case(
            "count still an argument placeholder",
            metric(json!({"count": "{{args.count}}", "interval": "{{args.interval}}"})),
            &[],
        ),
    ];
    check_table(analysis_template, validate_analysis_template, cases);
}

#[test]
fn metric_durations_providers_and_names() {
    let prometheus = json!({"address": "http://prometheus:9090", "query": "up"});
    let cases = vec![
        case(
            "interval without unit",
            metric(json!({"interval": "5"})),
            &[
                "spec.metrics[0].interval: Invalid value: \"5\": invalid interval string: time: missing unit in duration \"5\"",
            ],
        ),
        case(
            "initial delay that is not a duration",
            metric(json!({"initialDelay": "soon"})),
            &[
                "spec.metrics[0].initialDelay: Invalid value: \"soon\": invalid startDelay string: time: invalid duration \"soon\"",
            ],
        ),
        case(
            "no provider",
            metric(json!({"provider": {}})),
            &["spec.metrics[0].provider: Required value: no provider specified"],
        ),
        case(
            "two providers",
            metric(json!({"provider": {"prometheus": prometheus, "web": {"url": "http://x"}}})),
            &["spec.metrics[0].provider: Invalid value: [\"prometheus\",\"web\"]: multiple providers specified"],
        ),
        case(
            "two plugins",
            metric(json!({"provider": {"plugin": {"a/one": {}, "b/two": {}}}})),
            &["spec.metrics[0].provider: Invalid value: [\"a/one\",\"b/two\"]: multiple providers specified"],
        ),
        case(
            "one plugin",
            metric(json!({"provider": {"plugin": {"argoproj-labs/metric": {"q": 1}}}})),
            &[],
        ),
        case(
            "duplicate metric names",
            json!({"spec": {"metrics": [
                {"name": "m", "provider": {"prometheus": prometheus}},
                {"name": "m", "provider": {"prometheus": prometheus}}
            ]}}),
            &["spec.metrics[1].name: Duplicate value: \"m\": duplicate name 'm'"],
        ),
        case(
            "metric without name",
            metric(json!({"name": null})),
            &["spec.metrics[0].name: Required value"],
        ),
        case(
            "no metrics",
            json!({"spec": {"metrics": null}}),
            &["spec.metrics: Required value: no metrics specified"],
        ),
        case(
            "only nested templates",
            json!({"spec": {"metrics": null, "templates": [{"templateName": "other"}], "dryRun": [{"metricName": "x"}]}}),
            &[],
        ),
        case(
            "nested template without name",
            json!({"spec": {"templates": [{"clusterScope": true}]}}),
            &["spec.templates[0].templateName: Required value"],
        ),
        case(
            "argument without name, secret reference without key",
            json!({"spec": {"args": [{"value": "x"}, {"name": "token", "valueFrom": {"secretKeyRef": {"name": "s"}}}]}}),
            &[
                "spec.args[0].name: Required value",
                "spec.args[1].valueFrom.secretKeyRef.key: Required value",
            ],
        ),
    ];
    check_table(analysis_template, validate_analysis_template, cases);
}

#[test]
fn dry_run_and_retention_rules_must_match_a_metric() {
    let cases = vec![
        case(
            "dry-run rule matching nothing",
            json!({"spec": {"dryRun": [{"metricName": "latency.*"}]}}),
            &["spec.dryRun[0].metricName: Invalid value: \"latency.*\": Rule didn't match any metric name(s)"],
        ),
        case(
            "retention rule matching nothing",
            json!({"spec": {"measurementRetention": [{"metricName": "^rate$", "limit": 5}]}}),
            &[
                "spec.measurementRetention[0].metricName: Invalid value: \"^rate$\": Rule didn't match any metric name(s)",
            ],
        ),
        case(
            "a pattern that does not compile matches nothing",
            json!({"spec": {"dryRun": [{"metricName": "("}]}}),
            &["spec.dryRun[0].metricName: Invalid value: \"(\": Rule didn't match any metric name(s)"],
        ),
        case(
            "upstream stops at the first rule matching nothing",
            json!({"spec": {"dryRun": [{"metricName": "x"}], "measurementRetention": [{"metricName": "y", "limit": 1}]}}),
            &["spec.dryRun[0].metricName: Invalid value: \"x\": Rule didn't match any metric name(s)"],
        ),
        case(
            "unanchored and wildcard rules",
            json!({"spec": {"dryRun": [{"metricName": "rate"}, {"metricName": ".*"}],
                "measurementRetention": [{"metricName": "success-rate", "limit": 3}]}}),
            &[],
        ),
        case(
            "rule without metric name",
            json!({"spec": {"measurementRetention": [{"limit": 3}]}}),
            &["spec.measurementRetention[0].metricName: Required value"],
        ),
    ];
    check_table(analysis_template, validate_analysis_template, cases);
}

#[test]
fn provider_requirements() {
    let provider = |p: Value| json!({"spec": {"metrics": [{"name": "web", "provider": p}]}});
    let cases = vec![
        case(
            "unsupported web method",
            provider(json!({"web": {"url": "http://x", "method": "PATCH"}})),
            &[
                "spec.metrics[0].provider.web.method: Unsupported value: \"PATCH\": supported values: \"GET\", \"POST\", \"PUT\"",
            ],
        ),
        case(
            "web without URL, header without key",
            provider(json!({"web": {"method": "POST", "headers": [{"value": "v"}]}})),
            &[
                "spec.metrics[0].provider.web.url: Required value",
                "spec.metrics[0].provider.web.headers[0].key: Required value",
            ],
        ),
        case(
            "job without containers",
            provider(json!({"job": {"spec": {"template": {"spec": {"restartPolicy": "Never"}}}}})),
            &["spec.metrics[0].provider.job.spec.template.spec.containers: Required value"],
        ),
        case(
            "job with an invalid quantity",
            provider(
                json!({"job": {"spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [
                {"name": "check", "image": "busybox", "resources": {"requests": {"memory": "invalid"}}}]}}}}}),
            ),
            &[
                "spec.metrics[0].provider.job.spec.template.spec.containers[0].resources.requests[memory]: Invalid value: \"invalid\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
            ],
        ),
        case(
            "kayenta without accounts or scopes",
            provider(
                json!({"kayenta": {"address": "http://kayenta", "application": "app", "canaryConfigName": "c",
                "threshold": {"pass": 90, "marginal": 75}}}),
            ),
            &[
                "spec.metrics[0].provider.kayenta.configurationAccountName: Required value",
                "spec.metrics[0].provider.kayenta.metricsAccountName: Required value",
                "spec.metrics[0].provider.kayenta.storageAccountName: Required value",
                "spec.metrics[0].provider.kayenta.scopes: Required value",
            ],
        ),
        case(
            "New Relic without query, CloudWatch without queries",
            json!({"spec": {"metrics": [
                {"name": "a", "provider": {"newRelic": {"profile": "p"}}},
                {"name": "b", "provider": {"cloudWatch": {"interval": "5m"}}}
            ]}}),
            &[
                "spec.metrics[0].provider.newRelic.query: Required value",
                "spec.metrics[1].provider.cloudWatch.metricDataQueries: Required value",
            ],
        ),
    ];
    check_table(analysis_run, validate_analysis_run, cases);
}

#[test]
fn cluster_templates_follow_the_same_rules() {
    let template: ClusterAnalysisTemplate = from_json(json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "ClusterAnalysisTemplate",
        "metadata": {"name": "cluster"},
        "spec": {"metrics": [{"name": "m", "count": 2, "provider": {"web": {"url": "http://x"}}}]}
    }));
    assert_eq!(
        rendered(&validate_cluster_analysis_template(&template)),
        ["spec.metrics[0].interval: Required value: interval must be specified when count > 1"]
    );
    let fixed = patched(
        template,
        json!({"spec": {"metrics": [{"name": "m", "provider": {"web": {"url": "http://x"}}}]}}),
    );
    assert!(validate_cluster_analysis_template(&fixed).is_empty());
}

#[test]
fn run_error_message_is_upstreams() {
    let message = |patch: Value| analysis_run_invalid_message(&patched(analysis_run(), patch));
    assert_eq!(analysis_run_invalid_message(&analysis_run()), None);
    assert_eq!(
        message(json!({"spec": {"metrics": [{"name": "web", "count": 3, "provider": {"web": {"url": "http://x"}}}]}}))
            .as_deref(),
        Some("Analysis spec invalid: metrics[0]: interval must be specified when count > 1")
    );
    assert_eq!(
        message(json!({"spec": {"metrics": []}})).as_deref(),
        Some("Analysis spec invalid: no metrics specified")
    );
    assert_eq!(
        message(json!({"spec": {"dryRun": [{"metricName": "nope"}]}})).as_deref(),
        Some("Analysis spec invalid: dryRun[0]: Rule didn't match any metric name(s)")
    );
    assert_eq!(
        message(json!({"spec": {"metrics": [
            {"name": "web", "provider": {"web": {"url": "http://x"}}},
            {"name": "web", "provider": {"web": {"url": "http://y"}}}
        ]}}))
        .as_deref(),
        Some("Analysis spec invalid: metrics[1]: duplicate name 'web'")
    );
    assert_eq!(
        message(
            json!({"spec": {"metrics": [{"name": "web", "provider": {"web": {"url": "http://x", "method": "TRACE"}}}]}})
        )
        .as_deref(),
        Some(
            "Analysis spec invalid: spec.metrics[0].provider.web.method: Unsupported value: \"TRACE\": supported values: \"GET\", \"POST\", \"PUT\""
        )
    );
}
