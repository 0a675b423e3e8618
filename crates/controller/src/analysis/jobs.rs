//! The watch of the Jobs the job provider creates (those with the `analysisrun.argoproj.io/uid` label):
//! it fills the cache the provider reads, and a Job that finished (`Complete` or `Failed`) enqueues its
//! AnalysisRun, as upstream's `enqueueJobIfCompleted` does.

use futures::stream::{self, Stream, StreamExt};
use k8s_openapi::api::batch::v1::Job;
use kube::core::{ApiResource, DynamicObject};
use kube::runtime::reflector::{ObjectRef, store::Writer};
use kube::runtime::watcher::{self, Event};
use rollouts_api::well_known::{annotations, labels};

use super::providers::job::job_outcome;
use crate::runtime::watching::{api, cached, keep};

/// Runs the Job watch (while polled), yielding the AnalysisRuns whose Jobs finished.
pub fn watch(
    client: &kube::Client,
    namespace: Option<&str>,
    writer: Writer<Job>,
    run_resource: ApiResource,
) -> impl Stream<Item = ObjectRef<DynamicObject>> + Send + 'static {
    let config = watcher::Config::default().labels(labels::ANALYSIS_RUN_UID);
    cached(api(client, namespace), config, writer, "analysis Jobs", keep).flat_map(move |event| {
        let runs: Vec<ObjectRef<DynamicObject>> = match event {
            Event::Apply(job) | Event::InitApply(job) | Event::Delete(job) if job_outcome(&job).is_some() => {
                parent_run(&job, &run_resource).into_iter().collect()
            }
            _ => Vec::new(),
        };
        stream::iter(runs)
    })
}

/// The AnalysisRun a Job was created for (upstream `jobParentReference`): its controller, or, for a
/// Job without owner reference (created in another namespace), the run named by its annotations. The
/// run's namespace is the `analysisrun.argoproj.io/namespace` annotation, else the Job's.
pub fn parent_run(job: &Job, run_resource: &ApiResource) -> Option<ObjectRef<DynamicObject>> {
    let meta = &job.metadata;
    let annotation = |key: &str| {
        meta.annotations
            .as_ref()
            .and_then(|a| a.get(key))
            .filter(|v| !v.is_empty())
    };
    let owner = meta
        .owner_references
        .iter()
        .flatten()
        .find(|o| o.controller == Some(true));
    let name = match owner {
        Some(owner) if owner.kind == run_resource.kind => owner.name.clone(),
        Some(_) => return None,
        None => {
            let labelled = meta
                .labels
                .as_ref()
                .and_then(|l| l.get(labels::ANALYSIS_RUN_UID))
                .is_some_and(|uid| !uid.is_empty());
            if !labelled {
                return None;
            }
            annotation(annotations::ANALYSIS_RUN_NAME)?.clone()
        }
    };
    let namespace = annotation(annotations::ANALYSIS_RUN_NAMESPACE)
        .cloned()
        .or_else(|| meta.namespace.clone())?;
    Some(ObjectRef::new_with(&name, run_resource.clone()).within(&namespace))
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
    use std::collections::BTreeMap;

    fn resource() -> ApiResource {
        ApiResource::erase::<rollouts_api::AnalysisRun>(&())
    }

    #[test]
    fn jobs_lead_to_their_run() {
        let mut job = Job::default();
        job.metadata.namespace = Some("jobs".into());
        assert_eq!(parent_run(&job, &resource()), None, "not an analysis Job");
        job.metadata.labels = Some(BTreeMap::from([(
            labels::ANALYSIS_RUN_UID.to_string(),
            "u".to_string(),
        )]));
        job.metadata.annotations = Some(BTreeMap::from([
            (annotations::ANALYSIS_RUN_NAME.to_string(), "run".to_string()),
            (annotations::ANALYSIS_RUN_NAMESPACE.to_string(), "apps".to_string()),
        ]));
        assert_eq!(
            parent_run(&job, &resource()),
            Some(ObjectRef::new_with("run", resource()).within("apps")),
            "by its annotations"
        );
        job.metadata.annotations = None;
        job.metadata.owner_references = Some(vec![OwnerReference {
            api_version: "argoproj.io/v1alpha1".into(),
            kind: "AnalysisRun".into(),
            name: "owner".into(),
            uid: "u".into(),
            controller: Some(true),
            ..OwnerReference::default()
        }]);
        assert_eq!(
            parent_run(&job, &resource()),
            Some(ObjectRef::new_with("owner", resource()).within("jobs")),
            "by its controller"
        );
    }
}
