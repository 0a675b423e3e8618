//! Argument substitution.

use rollouts_api::analysis::{Argument, SecretKeyRef, ValueFrom};
use rollouts_api::analysis_run::AnalysisPhase;
use rollouts_api::providers::WebMetric;

use super::super::args::{
    SECRET_PLACEHOLDER, read_secrets, resolve_args, resolve_metric, resolve_quoted_args, with_secret_placeholders,
};
use super::*;

fn arg(name: &str, value: &str) -> Argument {
    Argument {
        name: name.into(),
        value: Some(value.into()),
        value_from: None,
    }
}

fn secret_arg(name: &str, secret: &str, key: &str) -> Argument {
    Argument {
        name: name.into(),
        value: None,
        value_from: Some(ValueFrom {
            secret_key_ref: Some(SecretKeyRef {
                name: secret.into(),
                key: key.into(),
            }),
            field_ref: None,
        }),
    }
}

#[test]
fn plain_substitution_table() {
    let cases: Vec<(&str, Vec<Argument>, Result<&str, &str>)> = vec![
        ("test", vec![], Ok("test")),
        ("test-{{args.var}}", vec![arg("var", "foo")], Ok("test-foo")),
        ("test-{{ args.var }}", vec![arg("var", "foo")], Ok("test-foo")),
        ("test-{{\targs.var\n}}", vec![arg("var", "foo")], Ok("test-foo")),
        ("{{args.a}}{{args.b}}", vec![arg("a", "1"), arg("b", "2")], Ok("12")),
        ("{{args.a}}", vec![arg("a", "1"), arg("a", "2")], Ok("2")),
        ("test-{{args.var}}", vec![], Err("failed to resolve {{args.var}}")),
        ("test-{{ args.var }}", vec![], Err("failed to resolve {{ args.var }}")),
        ("{{args.x}} and {{args.y}}", vec![], Err("failed to resolve {{args.y}}")),
        (
            "{{args.test}}",
            vec![Argument {
                name: "test".into(),
                ..Default::default()
            }],
            Err("argument \"test\" was not supplied"),
        ),
        (
            "unused",
            vec![Argument {
                name: "test".into(),
                ..Default::default()
            }],
            Err("argument \"test\" was not supplied"),
        ),
        (
            "test-{{args.var",
            vec![],
            Err("Cannot find end tag=\"}}\" in the template=\"test-{{args.var\" starting from \"args.var\""),
        ),
        (
            "{{templates.x.podTemplateHash}}",
            vec![arg("x", "1")],
            Err("failed to resolve {{templates.x.podTemplateHash}}"),
        ),
    ];
    for (template, args, want) in cases {
        let got = resolve_args(template, &args);
        assert_eq!(
            got.as_deref(),
            want.map_err(std::string::ToString::to_string).as_deref(),
            "{template}"
        );
    }
}

#[test]
fn quoted_substitution_escapes_like_go_strconv_quote() {
    let args = vec![arg("var", "double quotes\"newline\nand tab\t")];
    assert_eq!(
        resolve_quoted_args("test-{{args.var}}", &args).unwrap(),
        "test-double quotes\\\"newline\\nand tab\\t"
    );
    assert_eq!(
        resolve_args("test-{{args.var}}", &args).unwrap(),
        "test-double quotes\"newline\nand tab\t"
    );
    let args = vec![arg("var", "back\\slash é ☃")];
    assert_eq!(resolve_quoted_args("{{args.var}}", &args).unwrap(), "back\\\\slash é ☃");
}

#[test]
fn metric_values_survive_the_json_round_trip() {
    let mut m = metric("rate");
    m.success_condition = Some("result[0] >= {{args.threshold}}".into());
    m.interval = Some("{{ args.interval }}".into());
    m.count = Some(int(0));
    m.failure_limit = Some(int(1));
    m.provider.prometheus.as_mut().unwrap().query = Some("sum(rate(x{service=\"{{args.service}}\"}[5m]))".into());
    let args = vec![
        arg("threshold", "0.95"),
        arg("interval", "30s"),
        arg("service", "say \"hi\"\n"),
    ];
    let resolved = resolve_metric(&m, &args).unwrap();
    assert_eq!(resolved.success_condition.as_deref(), Some("result[0] >= 0.95"));
    assert_eq!(resolved.interval.as_deref(), Some("30s"));
    assert_eq!(
        resolved.provider.prometheus.unwrap().query.as_deref(),
        Some("sum(rate(x{service=\"say \"hi\"\n\"}[5m]))")
    );
    assert_eq!(resolved.count, Some(int(0)));
    assert_eq!(resolved.failure_limit, Some(int(1)));
}

#[test]
fn an_unchanged_metric_round_trips_exactly() {
    let mut m = every("latency", "1m");
    m.initial_delay = Some("30s".into());
    m.consecutive_success_limit = Some(int(2));
    m.failure_limit = Some(IntOrString::String("3".into()));
    m.provider = rollouts_api::providers::MetricProvider {
        web: Some(WebMetric {
            url: "http://x/{{args.path}}".into(),
            json_body: Some(serde_json::json!({"b": [1, 2.5, "s"], "a": null})),
            ..Default::default()
        }),
        ..Default::default()
    };
    let resolved = resolve_metric(&m, &[arg("path", "health")]).unwrap();
    let mut want = m.clone();
    want.provider.web.as_mut().unwrap().url = "http://x/health".into();
    assert_eq!(resolved, want);
}

#[test]
fn the_last_unresolved_placeholder_in_upstream_field_order_is_named() {
    // Upstream writes successCondition before provider, so the provider's placeholder is the last one.
    let mut m = metric("rate");
    m.success_condition = Some("{{args.does-not-exist}}".into());
    m.provider.prometheus.as_mut().unwrap().query = Some("{{args.metric-name}}".into());
    assert_eq!(
        resolve_metric(&m, &[]).unwrap_err(),
        "failed to resolve {{args.metric-name}}"
    );
    // Within Prometheus, query comes after address.
    let mut m = metric("rate");
    let prom = m.provider.prometheus.as_mut().unwrap();
    prom.address = Some("{{args.address}}".into());
    prom.query = Some("{{args.query}}".into());
    assert_eq!(resolve_metric(&m, &[]).unwrap_err(), "failed to resolve {{args.query}}");
    // consecutiveSuccessLimit comes after provider.
    let mut m = metric("rate");
    m.provider.prometheus.as_mut().unwrap().query = Some("{{args.query}}".into());
    m.consecutive_success_limit = Some(IntOrString::String("{{args.limit}}".into()));
    assert_eq!(resolve_metric(&m, &[]).unwrap_err(), "failed to resolve {{args.limit}}");
}

#[test]
fn values_go_cannot_read_back_are_errors() {
    // Go quotes a bell as \a, which is not JSON: the metric cannot be read back.
    let mut m = metric("rate");
    m.success_condition = Some("{{args.x}}".into());
    assert!(resolve_metric(&m, &[arg("x", "ding\u{7}")]).is_err());
    assert!(resolve_metric(&m, &[arg("x", "tab\tok")]).is_ok());
}

#[test]
fn secrets_get_a_placeholder_for_judging_and_their_value_for_measuring() {
    let args = vec![arg("plain", "p"), secret_arg("token", "creds", "api-key")];
    let placeholders = with_secret_placeholders(&args);
    assert_eq!(placeholders[0], args[0]);
    assert_eq!(placeholders[1].value.as_deref(), Some(SECRET_PLACEHOLDER));
    assert_eq!(placeholders[1].value_from, None);

    let lookup = |name: &str, key: &str| -> Result<String, String> {
        match (name, key) {
            ("creds", "api-key") => Ok("s3cr3t".into()),
            ("creds", _) => Err(super::super::missing_secret_key_message(name, key)),
            _ => Err(super::super::secret_not_found_message(name)),
        }
    };
    let (resolved, secrets) = read_secrets(&args, &lookup).unwrap();
    assert_eq!(resolved[1].value.as_deref(), Some("s3cr3t"));
    assert_eq!(secrets, vec!["s3cr3t".to_string()]);

    let missing_key = vec![secret_arg("token", "creds", "key-name")];
    assert_eq!(
        read_secrets(&missing_key, &lookup).unwrap_err(),
        "key 'key-name' does not exist in secret 'creds'"
    );
    let missing_secret = vec![secret_arg("token", "secret-does-not-exist", "k")];
    assert_eq!(
        read_secrets(&missing_secret, &lookup).unwrap_err(),
        "secrets \"secret-does-not-exist\" not found"
    );
    // A secret reference wins over a value set alongside it.
    let mut both = secret_arg("token", "creds", "api-key");
    both.value = Some("literal".into());
    assert_eq!(
        read_secrets(&[both], &lookup).unwrap().0[0].value.as_deref(),
        Some("s3cr3t")
    );
}

#[test]
fn reconcile_errors_on_unresolvable_arguments_dry_run_or_not() {
    for dry_run in [false, true] {
        let mut m = metric("rate");
        m.success_condition = Some("{{args.does-not-exist}}".into());
        m.provider.prometheus.as_mut().unwrap().query = Some("{{args.metric-name}}".into());
        let mut run = run_of(vec![m]);
        if dry_run {
            run.spec.dry_run = Some(vec![rollouts_api::common::DryRun {
                metric_name: ".*".into(),
            }]);
        }
        let update = done_update(prepare(&run, &no_secrets, now()));
        assert_eq!(update.status.phase, AnalysisPhase::Error);
        assert_eq!(
            update.status.message.as_deref(),
            Some("Unable to resolve metric arguments: failed to resolve {{args.metric-name}}")
        );
        assert_eq!(update.status.completed_at, None);
        assert_eq!(update.status.started_at, None);
        assert_eq!(reasons(&update), vec!["AnalysisRunError"]);
        assert_eq!(update.events[0].message, "Analysis Completed. Result: Error");
        assert!(update.events[0].warning);
        assert_eq!(update.requeue_after, None);
    }
}

#[test]
fn an_argument_without_a_value_is_an_error_even_when_unused() {
    let mut run = run_of(vec![metric("rate")]);
    run.spec.args = Some(vec![Argument {
        name: "from-rollout".into(),
        value: None,
        value_from: Some(ValueFrom {
            field_ref: Some(rollouts_api::common::FieldRef {
                field_path: "metadata.name".into(),
            }),
            secret_key_ref: None,
        }),
    }]);
    let update = done_update(prepare(&run, &no_secrets, now()));
    assert_eq!(
        update.status.message.as_deref(),
        Some("Unable to resolve metric arguments: argument \"from-rollout\" was not supplied")
    );
}

#[test]
fn secrets_reach_the_providers_and_are_masked_in_messages() {
    let mut m = metric("rate");
    m.success_condition = Some("result > {{args.metric-name}}".into());
    m.provider = rollouts_api::providers::MetricProvider {
        web: Some(WebMetric {
            url: "http://x".into(),
            headers: Some(vec![rollouts_api::providers::WebMetricHeader {
                key: "apikey".into(),
                value: "{{args.secret}}".into(),
            }]),
            ..Default::default()
        }),
        ..Default::default()
    };
    let mut run = run_of(vec![m]);
    run.spec.args = Some(vec![
        secret_arg("secret", "web-metric-secret", "apikey"),
        arg("metric-name", "success-rate"),
    ]);
    let lookup = |_: &str, _: &str| -> Result<String, String> { Ok("12345".into()) };

    let p = match prepare(&run, &lookup, now()) {
        PrepareOutcome::Measure(p) => p,
        other => panic!("{other:?}"),
    };
    let header = &p.metrics[0].provider.web.as_ref().unwrap().headers.as_ref().unwrap()[0];
    assert_eq!(header.value, "12345");
    assert_eq!(p.metrics[0].success_condition.as_deref(), Some("result > success-rate"));
    assert_eq!(p.redact("key 12345!"), "key *****!");

    let update = reconcile_with(&run, now(), &lookup, &|_, _| rollouts_api::analysis_run::Measurement {
        message: Some("Error with Header Value: 12345".into()),
        ..finished(AnalysisPhase::Error)
    });
    assert_eq!(
        measurements(result_of(&update, "rate"))[0].message.as_deref(),
        Some("Error with Header Value: *****")
    );
    assert!(!serde_json::to_string(&update.status).unwrap().contains("12345"));

    // A secret that cannot be read ends the run in Error.
    let update = reconcile_with(&run, now(), &no_secrets, &|_, _| finished(AnalysisPhase::Successful));
    assert_eq!(update.status.phase, AnalysisPhase::Error);
    assert_eq!(
        update.status.message.as_deref(),
        Some("Unable to resolve metric arguments: secrets \"web-metric-secret\" not found")
    );
    assert_eq!(update.status.completed_at, None);
}
