//! The job provider (upstream `metricproviders/job`): every measurement is a Kubernetes Job, and the
//! Job's outcome is the measurement's.
//!
//! * Run: creates the Job `<run uid>.<metric>.<n>` (n = the metric's `count + error + 1`; the metric
//!   name is shortened so that the whole name fits 63 characters) with the metric's `job.metadata`,
//!   the label `analysisrun.argoproj.io/uid` (on the Job and its pod template), the annotations
//!   `analysisrun.argoproj.io/name`, `/namespace` and `/metric-name`, and the AnalysisRun as its
//!   controller. The measurement stays Running with `resumeAt` now and the Job's name and namespace in
//!   its metadata (`job-name`, `job-namespace`). A Job of that name that already exists is adopted when
//!   the run controls it (a retry after a lost status write).
//! * Resume: a `Complete` condition makes the measurement Successful, `Failed` makes it Failed; a pod
//!   whose container waits in `ErrImagePull`, `ImagePullBackOff` or `InvalidImageName` makes it
//!   Inconclusive; otherwise it is looked at again after √(2 × seconds since it started) seconds.
//! * Terminate: deletes the Job and ends the measurement Inconclusive (the run then says `Metric
//!   Terminated`). The deletion propagates in the background (the Job goes at once, its pods after it);
//!   upstream asks for foreground propagation, where the Job stays until its pods are gone.
//! * Garbage collection: deletes the metric's oldest Jobs beyond the retention limit. (Upstream counts
//!   every Job of the run there, whatever its metric, and so can delete a sibling metric's Job in
//!   flight; here only the metric's own Jobs count.)
//!
//! `ARGO_ROLLOUTS_ANALYSIS_JOB_NAMESPACE` puts the Jobs in another namespace (then without owner
//! reference, as upstream). `ARGO_ROLLOUTS_ANALYSIS_JOB_KUBECONFIG` (Jobs in another cluster) is not
//! supported.

use std::collections::BTreeMap;
use std::time::Duration;

use futures::future::BoxFuture;
use jiff::{SignedDuration, Timestamp};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{ContainerStatus, Pod};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference, Time};
use kube::api::{Api, DeleteParams, ListParams, PostParams};
use kube::runtime::reflector::{ObjectRef, Store};

use crate::runtime::api::is_status;
use rollouts_api::analysis::Metric;
use rollouts_api::analysis_run::{AnalysisPhase, AnalysisRun, Measurement};
use rollouts_api::well_known::{annotations, labels};

use super::{Provider, ProviderError, measurement_error, new_measurement};

/// The provider's type name.
pub const PROVIDER_TYPE: &str = "Job";

/// Measurement metadata: the name of the Job.
pub const JOB_NAME_KEY: &str = "job-name";

/// Measurement metadata: the namespace of the Job.
pub const JOB_NAMESPACE_KEY: &str = "job-namespace";

/// The environment variable naming the namespace the Jobs go to (default: the run's).
pub const JOB_NAMESPACE_ENV: &str = "ARGO_ROLLOUTS_ANALYSIS_JOB_NAMESPACE";

/// The longest Job name: the Job controller puts it in a label of the pods.
pub const MAX_NAME_LENGTH: usize = 63;

/// The label the Job controller selects a Job's pods with (when the Job shows no selector).
const CONTROLLER_UID_LABEL: &str = "batch.kubernetes.io/controller-uid";

/// Container waiting reasons a Job never recovers from on its own.
const TERMINAL_WAITING_REASONS: [&str; 3] = ["ErrImagePull", "ImagePullBackOff", "InvalidImageName"];

/// The message when a measurement does not say which Job it is.
const MISSING_REFERENCE: &str = "job metadata reference missing";

/// Runs Jobs.
#[derive(Clone)]
pub struct JobProvider {
    client: kube::Client,
    jobs: Store<Job>,
    namespace: Option<String>,
}

impl JobProvider {
    /// A provider creating Jobs with `client`, reading them from `jobs` (a cache of the Jobs with the
    /// `analysisrun.argoproj.io/uid` label), in `namespace` when given, else in the run's namespace.
    pub fn new(client: kube::Client, jobs: Store<Job>, namespace: Option<String>) -> Self {
        Self {
            client,
            jobs,
            namespace: namespace.filter(|ns| !ns.is_empty()),
        }
    }

    /// The namespace `ARGO_ROLLOUTS_ANALYSIS_JOB_NAMESPACE` names, if any.
    pub fn namespace_from_env() -> Option<String> {
        std::env::var(JOB_NAMESPACE_ENV).ok().filter(|ns| !ns.is_empty())
    }

    /// Creates the measurement's Job.
    pub async fn start(&self, run: &AnalysisRun, metric: &Metric) -> Measurement {
        let now = Timestamp::now();
        let mut measurement = new_measurement(now);
        let job = match new_job(run, metric, self.namespace.as_deref()) {
            Ok(job) => job,
            Err(message) => return measurement_error(measurement, message, now),
        };
        let namespace = job.metadata.namespace.clone().unwrap_or_default();
        let name = job.metadata.name.clone().unwrap_or_default();
        let api: Api<Job> = Api::namespaced(self.client.clone(), &namespace);
        let params = PostParams {
            field_manager: Some(crate::runtime::api::MANAGER.to_string()),
            ..PostParams::default()
        };
        match api.create(&params, &job).await {
            Ok(_) => {
                let (run_namespace, run_name) = run_of(run);
                tracing::info!(namespace = %run_namespace, analysisrun = %run_name, metric = %metric.name, "job {namespace}/{name} created");
            }
            Err(error) if is_status(&error, 409) => {
                if !self.owns_existing(&api, run, &name, &namespace).await {
                    tracing::warn!(job = %name, "a job of that name exists and belongs to another run");
                    return measurement_error(measurement, api_message(&error), Timestamp::now());
                }
                let (run_namespace, run_name) = run_of(run);
                tracing::info!(namespace = %run_namespace, analysisrun = %run_name, metric = %metric.name, "duplicate job create detected {name}");
            }
            Err(error) => {
                tracing::warn!(job = %name, %error, "job create failed");
                return measurement_error(measurement, api_message(&error), Timestamp::now());
            }
        }
        measurement.metadata = Some(BTreeMap::from([
            (JOB_NAME_KEY.to_string(), name),
            (JOB_NAMESPACE_KEY.to_string(), namespace),
        ]));
        // Looked at again at once, to catch short Jobs.
        measurement.resume_at = Some(Time(now));
        measurement
    }

    /// Whether the existing Job `name` is the run's: its controller (or, without an owner reference,
    /// its uid label) is the run.
    async fn owns_existing(&self, api: &Api<Job>, run: &AnalysisRun, name: &str, namespace: &str) -> bool {
        let Ok(existing) = api.get(name).await else {
            return false;
        };
        let uid = run.metadata.uid.as_deref().unwrap_or_default();
        let owner = if self.owner_reference_applies(run, namespace) {
            existing
                .metadata
                .owner_references
                .iter()
                .flatten()
                .find(|o| o.controller == Some(true))
                .map(|o| o.uid.clone())
        } else {
            existing
                .metadata
                .labels
                .as_ref()
                .and_then(|l| l.get(labels::ANALYSIS_RUN_UID))
                .cloned()
        };
        !uid.is_empty() && owner.as_deref() == Some(uid)
    }

    fn owner_reference_applies(&self, run: &AnalysisRun, job_namespace: &str) -> bool {
        run.metadata.namespace.as_deref() == Some(job_namespace)
    }

    /// Looks at the measurement's Job.
    pub async fn check(&self, run: &AnalysisRun, mut measurement: Measurement) -> Measurement {
        let now = Timestamp::now();
        let Some((namespace, name)) = job_reference(&measurement, run) else {
            return measurement_error(measurement, MISSING_REFERENCE, now);
        };
        let job = match self.job(&namespace, &name).await {
            Ok(job) => job,
            Err(message) => return measurement_error(measurement, message, now),
        };
        if let Some(phase) = job_outcome(&job) {
            measurement.phase = phase;
            measurement.finished_at = Some(Time(now));
            let (run_namespace, run_name) = run_of(run);
            tracing::info!(namespace = %run_namespace, analysisrun = %run_name, "job {namespace}/{name} completed: {phase}");
            return measurement;
        }
        let pods = match self.pods(&job, &namespace).await {
            Ok(pods) => pods,
            Err(message) => return measurement_error(measurement, message, now),
        };
        if let Some(message) = terminal_pod_error(&pods) {
            measurement.phase = AnalysisPhase::Inconclusive;
            measurement.message = Some(message);
            measurement.finished_at = Some(Time(now));
            return measurement;
        }
        let started = measurement.started_at.as_ref().map_or(now, |t| t.0);
        let delay = resume_delay(now.duration_since(started));
        let resume_at = SignedDuration::try_from(delay)
            .ok()
            .and_then(|d| now.checked_add(d).ok())
            .unwrap_or(now);
        measurement.resume_at = Some(Time(resume_at));
        measurement
    }

    /// The Job from the cache, or from the API server when the cache does not hold it (yet).
    async fn job(&self, namespace: &str, name: &str) -> Result<Job, String> {
        if let Some(job) = self.jobs.get(&ObjectRef::new(name).within(namespace)) {
            return Ok((*job).clone());
        }
        let api: Api<Job> = Api::namespaced(self.client.clone(), namespace);
        match api.get(name).await {
            Ok(job) => Ok(job),
            // As upstream's lister says it.
            Err(error) if is_status(&error, 404) => Err(format!("job.batch \"{name}\" not found")),
            Err(error) => Err(api_message(&error)),
        }
    }

    /// The Job's pods.
    async fn pods(&self, job: &Job, namespace: &str) -> Result<Vec<Pod>, String> {
        let Some(selector) = pod_selector(job) else {
            return Ok(Vec::new());
        };
        let api: Api<Pod> = Api::namespaced(self.client.clone(), namespace);
        api.list(&ListParams::default().labels(&selector))
            .await
            .map(|list| list.items)
            .map_err(|error| api_message(&error))
    }

    /// Deletes the measurement's Job.
    pub async fn stop(&self, run: &AnalysisRun, mut measurement: Measurement) -> Measurement {
        let Some((namespace, name)) = job_reference(&measurement, run) else {
            return measurement_error(measurement, MISSING_REFERENCE, Timestamp::now());
        };
        if let Err(message) = self.delete(&namespace, &name).await {
            return measurement_error(measurement, message, Timestamp::now());
        }
        measurement.phase = AnalysisPhase::Inconclusive;
        measurement.finished_at = Some(Time(Timestamp::now()));
        let (run_namespace, run_name) = run_of(run);
        tracing::info!(namespace = %run_namespace, analysisrun = %run_name, "job {namespace}/{name} terminated");
        measurement
    }

    /// Deletes the Job (gone already is fine).
    async fn delete(&self, namespace: &str, name: &str) -> Result<(), String> {
        let api: Api<Job> = Api::namespaced(self.client.clone(), namespace);
        match api.delete(name, &DeleteParams::background()).await {
            Ok(_) => Ok(()),
            Err(error) if is_status(&error, 404) => Ok(()),
            Err(error) => Err(api_message(&error)),
        }
    }

    /// Deletes the metric's oldest Jobs so that `limit` remain. The Jobs are listed from the API server,
    /// not the cache: the trim usually comes in the reconcile that has just created the newest Job, which
    /// the cache may not hold yet, and counting without it would keep an old Job that no later trim removes.
    pub async fn collect(&self, run: &AnalysisRun, metric: &Metric, limit: usize) -> Result<(), ProviderError> {
        let uid = run.metadata.uid.as_deref().unwrap_or_default();
        if uid.is_empty() {
            return Ok(());
        }
        let namespace = self
            .namespace
            .as_deref()
            .or(run.metadata.namespace.as_deref())
            .unwrap_or_default();
        let api: Api<Job> = Api::namespaced(self.client.clone(), namespace);
        let listed = api
            .list(&ListParams::default().labels(&format!("{}={uid}", labels::ANALYSIS_RUN_UID)))
            .await
            .map_err(|error| ProviderError(api_message(&error)))?;
        let mut jobs: Vec<_> = listed
            .items
            .into_iter()
            .filter(|job| {
                job.metadata.deletion_timestamp.is_none()
                    && label(&job.metadata, labels::ANALYSIS_RUN_UID) == Some(uid)
                    && annotation(&job.metadata, annotations::ANALYSIS_RUN_METRIC_NAME) == Some(metric.name.as_str())
            })
            .collect();
        jobs.sort_by(|a, b| {
            let created = |j: &Job| j.metadata.creation_timestamp.as_ref().map(|t| t.0);
            created(a)
                .cmp(&created(b))
                .then_with(|| a.metadata.name.cmp(&b.metadata.name))
        });
        let excess = jobs.len().saturating_sub(limit);
        for job in jobs.iter().take(excess) {
            let namespace = job.metadata.namespace.as_deref().unwrap_or_default();
            let name = job.metadata.name.as_deref().unwrap_or_default();
            self.delete(namespace, name).await.map_err(ProviderError)?;
            let (run_namespace, run_name) = run_of(run);
            tracing::info!(namespace = %run_namespace, analysisrun = %run_name, metric = %metric.name, "job {namespace}/{name} garbage collected");
        }
        Ok(())
    }
}

impl Provider for JobProvider {
    fn kind(&self) -> &'static str {
        PROVIDER_TYPE
    }

    fn run<'a>(&'a self, run: &'a AnalysisRun, metric: &'a Metric) -> BoxFuture<'a, Measurement> {
        Box::pin(self.start(run, metric))
    }

    fn resume<'a>(
        &'a self,
        run: &'a AnalysisRun,
        _metric: &'a Metric,
        measurement: Measurement,
    ) -> BoxFuture<'a, Measurement> {
        Box::pin(self.check(run, measurement))
    }

    fn terminate<'a>(
        &'a self,
        run: &'a AnalysisRun,
        _metric: &'a Metric,
        measurement: Measurement,
    ) -> BoxFuture<'a, Measurement> {
        Box::pin(self.stop(run, measurement))
    }

    fn garbage_collect<'a>(
        &'a self,
        run: &'a AnalysisRun,
        metric: &'a Metric,
        limit: usize,
    ) -> BoxFuture<'a, Result<(), ProviderError>> {
        Box::pin(self.collect(run, metric, limit))
    }
}

/// The name of the Job for measurement `id` of `metric` in the run `uid` (upstream `newJobName`): the
/// metric name is cut short when the whole would exceed [`MAX_NAME_LENGTH`].
pub fn job_name(uid: &str, metric: &str, id: i64) -> String {
    let name = format!("{uid}.{metric}.{id}");
    if name.len() <= MAX_NAME_LENGTH {
        return name;
    }
    let over = name.len() - MAX_NAME_LENGTH;
    let mut keep = metric.len().saturating_sub(over);
    while !metric.is_char_boundary(keep) {
        keep -= 1;
    }
    format!("{uid}.{}.{id}", &metric[..keep])
}

/// The number of the next measurement of `metric`: every measurement taken so far, errors included,
/// plus one.
pub fn next_job_id(run: &AnalysisRun, metric: &str) -> i64 {
    run.status
        .iter()
        .flat_map(|s| s.metric_results.iter().flatten())
        .find(|r| r.name == metric)
        .map_or(1, |r| {
            i64::from(r.count.unwrap_or(0)) + i64::from(r.error.unwrap_or(0)) + 1
        })
}

/// The Job for the next measurement of `metric` (upstream `newMetricJob`), in `namespace` when given,
/// else in the run's.
pub fn new_job(run: &AnalysisRun, metric: &Metric, namespace: Option<&str>) -> Result<Job, String> {
    let Some(job_metric) = metric.provider.job.as_ref() else {
        return Err(format!("metric '{}' has no job", metric.name));
    };
    let run_name = run.metadata.name.clone().unwrap_or_default();
    let run_namespace = run.metadata.namespace.clone().unwrap_or_default();
    let uid = run.metadata.uid.clone().unwrap_or_default();
    let namespace = namespace.map_or_else(|| run_namespace.clone(), str::to_string);

    let template_metadata = job_metric.metadata.clone().unwrap_or_default();
    let mut job_labels = template_metadata.labels.unwrap_or_default();
    job_labels.insert(labels::ANALYSIS_RUN_UID.to_string(), uid.clone());
    let mut job_annotations = template_metadata.annotations.unwrap_or_default();
    job_annotations.insert(annotations::ANALYSIS_RUN_NAME.to_string(), run_name.clone());
    job_annotations.insert(annotations::ANALYSIS_RUN_NAMESPACE.to_string(), run_namespace.clone());
    job_annotations.insert(annotations::ANALYSIS_RUN_METRIC_NAME.to_string(), metric.name.clone());

    let mut spec = job_metric.spec.clone();
    let pod_metadata = spec.template.metadata.get_or_insert_with(ObjectMeta::default);
    pod_metadata
        .labels
        .get_or_insert_with(BTreeMap::new)
        .insert(labels::ANALYSIS_RUN_UID.to_string(), uid.clone());

    let owner_references = (namespace == run_namespace).then(|| {
        vec![OwnerReference {
            api_version: rollouts_api::decode::API_VERSION.to_string(),
            kind: "AnalysisRun".to_string(),
            name: run_name,
            uid: uid.clone(),
            controller: Some(true),
            block_owner_deletion: Some(true),
        }]
    });
    Ok(Job {
        metadata: ObjectMeta {
            name: Some(job_name(&uid, &metric.name, next_job_id(run, &metric.name))),
            namespace: Some(namespace),
            labels: Some(job_labels),
            annotations: Some(job_annotations),
            owner_references,
            ..ObjectMeta::default()
        },
        spec: Some(spec),
        status: None,
    })
}

/// The namespace and name of the measurement's Job, from its metadata (the namespace defaults to the
/// run's).
fn job_reference(measurement: &Measurement, run: &AnalysisRun) -> Option<(String, String)> {
    let metadata = measurement.metadata.as_ref()?;
    let name = metadata.get(JOB_NAME_KEY).filter(|n| !n.is_empty())?;
    let namespace = metadata
        .get(JOB_NAMESPACE_KEY)
        .filter(|n| !n.is_empty())
        .cloned()
        .or_else(|| run.metadata.namespace.clone())
        .unwrap_or_default();
    Some((namespace, name.clone()))
}

/// Successful for a `Complete` condition, Failed for a `Failed` one (the later one wins, as upstream
/// goes through them in order and looks at the type only); `None` while the Job runs.
pub fn job_outcome(job: &Job) -> Option<AnalysisPhase> {
    let conditions = job
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_deref())
        .unwrap_or_default();
    conditions.iter().rev().find_map(|c| match c.type_.as_str() {
        "Complete" => Some(AnalysisPhase::Successful),
        "Failed" => Some(AnalysisPhase::Failed),
        _ => None,
    })
}

/// The label selector of the Job's pods: its `spec.selector`, or the Job controller's uid label when
/// it shows none.
fn pod_selector(job: &Job) -> Option<String> {
    let selector = job.spec.as_ref().and_then(|s| s.selector.as_ref());
    let has_terms = selector.is_some_and(|s| {
        s.match_labels.as_ref().is_some_and(|l| !l.is_empty())
            || s.match_expressions.as_ref().is_some_and(|e| !e.is_empty())
    });
    if has_terms {
        return Some(rollouts_core::plan::format_label_selector(selector));
    }
    let uid = job.metadata.uid.as_deref().filter(|u| !u.is_empty())?;
    Some(format!("{CONTROLLER_UID_LABEL}={uid}"))
}

/// Upstream's message for the first container (init containers first) waiting in a reason it never
/// recovers from, trailing newline included.
pub fn terminal_pod_error(pods: &[Pod]) -> Option<String> {
    pods.iter().find_map(|pod| {
        let status = pod.status.as_ref()?;
        let statuses: Vec<&ContainerStatus> = status
            .init_container_statuses
            .iter()
            .flatten()
            .chain(status.container_statuses.iter().flatten())
            .collect();
        statuses.into_iter().find_map(|cs| {
            let waiting = cs.state.as_ref()?.waiting.as_ref()?;
            let reason = waiting.reason.as_deref()?;
            TERMINAL_WAITING_REASONS.contains(&reason).then(|| {
                format!(
                    "Pod {}, container {} has terminal error ({}): {}\n",
                    pod.metadata.name.as_deref().unwrap_or_default(),
                    cs.name,
                    reason,
                    waiting.message.as_deref().unwrap_or_default()
                )
            })
        })
    })
}

/// How long to wait before looking at a running Job again: √(2 × seconds elapsed) seconds.
pub fn resume_delay(elapsed: SignedDuration) -> Duration {
    let seconds = elapsed.as_secs_f64().max(0.0);
    Duration::try_from_secs_f64((2.0 * seconds).sqrt()).unwrap_or(Duration::ZERO)
}

/// The run's namespace and name, the fields of the lines about its Jobs.
fn run_of(run: &AnalysisRun) -> (&str, &str) {
    let namespace = run.metadata.namespace.as_deref().unwrap_or_default();
    (namespace, run.metadata.name.as_deref().unwrap_or_default())
}

fn label<'a>(meta: &'a ObjectMeta, key: &str) -> Option<&'a str> {
    meta.labels.as_ref()?.get(key).map(String::as_str)
}

fn annotation<'a>(meta: &'a ObjectMeta, key: &str) -> Option<&'a str> {
    meta.annotations.as_ref()?.get(key).map(String::as_str)
}

/// What Go's `err.Error()` says for an API error: the status message (e.g. `jobs.batch "x" already
/// exists`); other errors as they display.
pub fn api_message(error: &kube::Error) -> String {
    match error {
        kube::Error::Api(status) if !status.message.is_empty() => status.message.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::batch::v1::{JobCondition, JobSpec, JobStatus};
    use k8s_openapi::api::core::v1::{ContainerState, ContainerStateWaiting, PodStatus};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
    use rollouts_api::analysis_run::{AnalysisRunSpec, AnalysisRunStatus, MetricResult};
    use rollouts_api::common::PodTemplateMetadata;
    use rollouts_api::providers::{JobMetric, MetricProvider};

    const UID: &str = "b1d5c1d2-9c1f-4b1e-8f2a-1234567890ab";

    fn run(results: Vec<MetricResult>) -> AnalysisRun {
        let mut run = AnalysisRun::new("run", AnalysisRunSpec::default());
        run.metadata.namespace = Some("ns".into());
        run.metadata.uid = Some(UID.into());
        run.status = Some(AnalysisRunStatus {
            metric_results: Some(results),
            ..AnalysisRunStatus::default()
        });
        run
    }

    fn job_metric(name: &str) -> Metric {
        Metric {
            name: name.into(),
            provider: MetricProvider {
                job: Some(JobMetric {
                    metadata: Some(PodTemplateMetadata {
                        labels: Some(BTreeMap::from([("team".into(), "a".into())])),
                        annotations: Some(BTreeMap::from([("note".into(), "n".into())])),
                    }),
                    spec: JobSpec::default(),
                }),
                ..MetricProvider::default()
            },
            ..Metric::default()
        }
    }

    #[test]
    fn names_fit_sixty_three_characters_by_shortening_the_metric() {
        assert_eq!(job_name(UID, "m", 1), format!("{UID}.m.1"));
        let long = "a-very-long-metric-name-that-goes-on";
        let name = job_name(UID, long, 12);
        assert_eq!(name.len(), 63, "{name}");
        assert_eq!(name, format!("{UID}.a-very-long-metric-name.12"));
        assert_eq!(job_name(UID, "", 3), format!("{UID}..3"));
    }

    #[test]
    fn the_job_number_counts_every_measurement_taken() {
        let result = MetricResult {
            name: "m".into(),
            count: Some(2),
            error: Some(1),
            ..MetricResult::default()
        };
        assert_eq!(next_job_id(&run(vec![result]), "m"), 4);
        assert_eq!(next_job_id(&run(Vec::new()), "m"), 1);
    }

    #[test]
    fn the_job_carries_the_run_labels_annotations_and_owner() {
        let job = new_job(&run(Vec::new()), &job_metric("m"), None).unwrap();
        let meta = &job.metadata;
        assert_eq!(meta.name.as_deref(), Some(format!("{UID}.m.1").as_str()));
        assert_eq!(meta.namespace.as_deref(), Some("ns"));
        assert_eq!(
            meta.labels.clone().unwrap(),
            BTreeMap::from([
                ("team".to_string(), "a".to_string()),
                (labels::ANALYSIS_RUN_UID.to_string(), UID.to_string())
            ])
        );
        let annotations = meta.annotations.clone().unwrap();
        assert_eq!(annotations["analysisrun.argoproj.io/name"], "run");
        assert_eq!(annotations["analysisrun.argoproj.io/namespace"], "ns");
        assert_eq!(annotations["analysisrun.argoproj.io/metric-name"], "m");
        assert_eq!(annotations["note"], "n");
        let owner = &meta.owner_references.as_ref().unwrap()[0];
        assert_eq!(
            (owner.kind.as_str(), owner.api_version.as_str(), owner.uid.as_str()),
            ("AnalysisRun", "argoproj.io/v1alpha1", UID)
        );
        assert_eq!((owner.controller, owner.block_owner_deletion), (Some(true), Some(true)));
        let pod_labels = job.spec.unwrap().template.metadata.unwrap().labels.unwrap();
        assert_eq!(pod_labels[labels::ANALYSIS_RUN_UID], UID);

        let elsewhere = new_job(&run(Vec::new()), &job_metric("m"), Some("jobs")).unwrap();
        assert_eq!(elsewhere.metadata.namespace.as_deref(), Some("jobs"));
        assert!(elsewhere.metadata.owner_references.is_none());
    }

    fn job_with(conditions: &[&str]) -> Job {
        Job {
            status: Some(JobStatus {
                conditions: Some(
                    conditions
                        .iter()
                        .map(|t| JobCondition {
                            type_: (*t).to_string(),
                            status: "True".into(),
                            ..JobCondition::default()
                        })
                        .collect(),
                ),
                ..JobStatus::default()
            }),
            ..Job::default()
        }
    }

    #[test]
    fn complete_and_failed_conditions_decide() {
        assert_eq!(job_outcome(&job_with(&[])), None);
        assert_eq!(job_outcome(&job_with(&["SuccessCriteriaMet"])), None);
        assert_eq!(
            job_outcome(&job_with(&["SuccessCriteriaMet", "Complete"])),
            Some(AnalysisPhase::Successful)
        );
        assert_eq!(
            job_outcome(&job_with(&["FailureTarget", "Failed"])),
            Some(AnalysisPhase::Failed)
        );
    }

    #[test]
    fn pods_are_selected_by_the_job_selector_or_its_uid() {
        let mut job = Job::default();
        assert_eq!(pod_selector(&job), None);
        job.metadata.uid = Some("u".into());
        assert_eq!(
            pod_selector(&job).as_deref(),
            Some("batch.kubernetes.io/controller-uid=u")
        );
        job.spec = Some(JobSpec {
            selector: Some(LabelSelector {
                match_labels: Some(BTreeMap::from([("a".into(), "b".into())])),
                ..LabelSelector::default()
            }),
            ..JobSpec::default()
        });
        assert_eq!(pod_selector(&job).as_deref(), Some("a=b"));
    }

    fn pod_waiting(reason: &str, init: bool) -> Pod {
        let status = ContainerStatus {
            name: "c".into(),
            state: Some(ContainerState {
                waiting: Some(ContainerStateWaiting {
                    reason: Some(reason.into()),
                    message: Some("pull failed".into()),
                }),
                ..ContainerState::default()
            }),
            ..ContainerStatus::default()
        };
        let mut pod = Pod::default();
        pod.metadata.name = Some("p".into());
        pod.status = Some(if init {
            PodStatus {
                init_container_statuses: Some(vec![status]),
                ..PodStatus::default()
            }
        } else {
            PodStatus {
                container_statuses: Some(vec![status]),
                ..PodStatus::default()
            }
        });
        pod
    }

    #[test]
    fn image_pull_failures_are_terminal() {
        assert_eq!(
            terminal_pod_error(&[pod_waiting("ImagePullBackOff", false)]).as_deref(),
            Some("Pod p, container c has terminal error (ImagePullBackOff): pull failed\n")
        );
        assert!(terminal_pod_error(&[pod_waiting("InvalidImageName", true)]).is_some());
        assert_eq!(terminal_pod_error(&[pod_waiting("ContainerCreating", false)]), None);
        assert_eq!(terminal_pod_error(&[]), None);
    }

    #[test]
    fn resumes_back_off_with_the_square_root_of_the_elapsed_time() {
        assert_eq!(resume_delay(SignedDuration::from_secs(0)), Duration::ZERO);
        assert_eq!(resume_delay(SignedDuration::from_secs(8)), Duration::from_secs(4));
        assert_eq!(resume_delay(SignedDuration::from_secs(50)), Duration::from_secs(10));
        assert_eq!(resume_delay(SignedDuration::from_secs(-5)), Duration::ZERO);
    }
}
