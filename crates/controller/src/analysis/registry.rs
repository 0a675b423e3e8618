//! Which provider measures a metric (upstream `metricproviders.ProviderFactory`): one instance of each
//! supported provider, shared by every run. Metrics of the providers this controller does not
//! implement get an `Error` measurement saying so.

use k8s_openapi::api::batch::v1::Job;
use kube::runtime::reflector::Store;
use rollouts_api::analysis::Metric;

use super::providers::http::HttpClient;
use super::providers::job::JobProvider;
use super::providers::prometheus::PrometheusProvider;
use super::providers::web::WebProvider;
use super::providers::{MeasurementMetadata, Provider};

/// The providers.
pub struct Providers {
    prometheus: PrometheusProvider,
    web: WebProvider,
    job: JobProvider,
}

impl Providers {
    /// The providers, the job provider creating Jobs with `client` (in `job_namespace` when given) and
    /// reading them from `jobs`.
    pub fn new(client: kube::Client, jobs: Store<Job>, job_namespace: Option<String>) -> Self {
        let http = HttpClient::new();
        Self {
            prometheus: PrometheusProvider::new(http.clone()),
            web: WebProvider::new(http),
            job: JobProvider::new(client, jobs, job_namespace),
        }
    }

    /// The provider of `metric`, or why there is none (the message of its `Error` measurement).
    pub fn for_metric(&self, metric: &Metric) -> Result<&dyn Provider, String> {
        match provider_type(metric) {
            Some("Prometheus") => Ok(&self.prometheus),
            Some("Web") => Ok(&self.web),
            Some("Job") => Ok(&self.job),
            Some(other) => Err(format!("provider {other} is not supported")),
            None => Err(format!("no valid provider in metric '{}'", metric.name)),
        }
    }

    /// The metadata the metric's provider records on its first result (upstream `GetMetadata`).
    pub fn metadata(&self, metric: &Metric) -> Option<MeasurementMetadata> {
        match provider_type(metric) {
            Some("Prometheus") => Some(PrometheusProvider::metadata(metric)).filter(|m| !m.is_empty()),
            _ => None,
        }
    }
}

/// The type name of the metric's provider as upstream reports it (upstream `metricproviders.Type`),
/// in upstream's order of precedence; `None` without a provider.
pub fn provider_type(metric: &Metric) -> Option<&'static str> {
    metric.provider.type_name()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rollouts_api::providers::{DatadogMetric, MetricProvider, WebMetric};

    fn metric(provider: MetricProvider) -> Metric {
        Metric {
            name: "m".into(),
            provider,
            ..Metric::default()
        }
    }

    #[tokio::test]
    async fn metrics_find_their_provider_or_say_why_not() {
        let client = kube::Client::try_from(kube::Config::new("http://127.0.0.1:1".parse().unwrap())).unwrap();
        let (jobs, _writer) = kube::runtime::reflector::store::<Job>();
        let providers = Providers::new(client, jobs, None);
        let web = metric(MetricProvider {
            web: Some(WebMetric::default()),
            ..MetricProvider::default()
        });
        assert_eq!(
            providers
                .for_metric(&web)
                .map(super::super::providers::Provider::kind)
                .ok(),
            Some("Web")
        );
        let datadog = metric(MetricProvider {
            datadog: Some(DatadogMetric::default()),
            ..MetricProvider::default()
        });
        assert_eq!(
            providers.for_metric(&datadog).err().as_deref(),
            Some("provider Datadog is not supported")
        );
        let plugin = metric(MetricProvider {
            plugin: Some(serde_json::json!({"x": {}})),
            ..MetricProvider::default()
        });
        assert_eq!(
            providers.for_metric(&plugin).err().as_deref(),
            Some("provider RPCPlugin is not supported")
        );
        assert_eq!(
            providers
                .for_metric(&metric(MetricProvider::default()))
                .err()
                .as_deref(),
            Some("no valid provider in metric 'm'")
        );
        assert_eq!(providers.metadata(&web), None);
    }
}
