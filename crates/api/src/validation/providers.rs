//! Metric provider checks: which providers a metric configures, and what each provider's schema
//! requires (Web URL and method, the Job's pod template, Kayenta's accounts, ...).

use crate::providers::{JobMetric, KayentaMetric, MetricProvider, WebMetric};

use super::field::{FieldError, FieldPath};
use super::pod_template::validate_pod_spec_containers;
use super::required::require;

const WEB_METHODS: [&str; 3] = ["GET", "POST", "PUT"];

/// The providers a metric configures, by their JSON names. A plugin entry counts once per plugin
/// named in it, as upstream counts `len(plugin)`.
pub(crate) fn configured(provider: &MetricProvider) -> Vec<&str> {
    let mut names = Vec::new();
    let builtin = [
        ("prometheus", provider.prometheus.is_some()),
        ("job", provider.job.is_some()),
        ("web", provider.web.is_some()),
        ("wavefront", provider.wavefront.is_some()),
        ("kayenta", provider.kayenta.is_some()),
        ("datadog", provider.datadog.is_some()),
        ("newRelic", provider.new_relic.is_some()),
        ("cloudWatch", provider.cloud_watch.is_some()),
        ("graphite", provider.graphite.is_some()),
        ("influxdb", provider.influxdb.is_some()),
        ("skywalking", provider.skywalking.is_some()),
    ];
    names.extend(builtin.iter().filter(|(_, set)| *set).map(|(name, _)| *name));
    match &provider.plugin {
        Some(serde_json::Value::Object(plugins)) => {
            names.extend(plugins.keys().map(String::as_str));
        }
        None | Some(serde_json::Value::Null) => {}
        Some(_) => names.push("plugin"),
    }
    names
}

/// What each configured provider requires; `path` is `spec.metrics[i].provider`.
pub(crate) fn rules(provider: &MetricProvider, path: &FieldPath) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if let Some(web) = &provider.web {
        errs.extend(web_rules(web, &path.child("web")));
    }
    if let Some(job) = &provider.job {
        errs.extend(job_rules(job, &path.child("job")));
    }
    if let Some(kayenta) = &provider.kayenta {
        errs.extend(kayenta_rules(kayenta, &path.child("kayenta")));
    }
    if let Some(new_relic) = &provider.new_relic {
        require(&mut errs, &new_relic.query, &path.child("newRelic").child("query"));
    }
    if let Some(cloud_watch) = &provider.cloud_watch
        && cloud_watch.metric_data_queries.is_empty()
    {
        errs.push(FieldError::required(
            path.child("cloudWatch").child("metricDataQueries"),
            "",
        ));
    }
    errs
}

fn web_rules(web: &WebMetric, path: &FieldPath) -> Vec<FieldError> {
    let mut errs = Vec::new();
    require(&mut errs, &web.url, &path.child("url"));
    if let Some(method) = web.method.as_deref()
        && !method.is_empty()
        && !WEB_METHODS.contains(&method)
    {
        errs.push(FieldError::not_supported(path.child("method"), method, &WEB_METHODS));
    }
    for (i, header) in web.headers.iter().flatten().enumerate() {
        require(&mut errs, &header.key, &path.child("headers").index(i).child("key"));
    }
    errs
}

/// The Job's pod template gets the container checks of any pod template.
fn job_rules(job: &JobMetric, path: &FieldPath) -> Vec<FieldError> {
    let template_spec = path.child("spec").child("template").child("spec");
    validate_pod_spec_containers(job.spec.template.spec.as_ref(), &template_spec)
}

fn kayenta_rules(kayenta: &KayentaMetric, path: &FieldPath) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (field, value) in [
        ("address", &kayenta.address),
        ("application", &kayenta.application),
        ("canaryConfigName", &kayenta.canary_config_name),
        ("configurationAccountName", &kayenta.configuration_account_name),
        ("metricsAccountName", &kayenta.metrics_account_name),
        ("storageAccountName", &kayenta.storage_account_name),
    ] {
        require(&mut errs, value, &path.child(field));
    }
    if kayenta.scopes.is_empty() {
        errs.push(FieldError::required(path.child("scopes"), ""));
    }
    for (i, scope) in kayenta.scopes.iter().enumerate() {
        require(&mut errs, &scope.name, &path.child("scopes").index(i).child("name"));
    }
    errs
}
