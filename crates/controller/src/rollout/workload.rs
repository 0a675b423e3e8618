//! `workloadRef`: a Rollout that borrows its pod template (and, when it has none, its selector) from a
//! Deployment, a ReplicaSet or a PodTemplate. The template is copied into the in-memory Rollout only,
//! never written back, as upstream does (`rollout/templateref.go`).

use k8s_openapi::api::core::v1::{PodSpec, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use kube::api::Api;
use kube::core::{ApiResource, DynamicObject, GroupVersionKind};
use rollouts_api::Rollout;
use rollouts_core::plan::WorkloadState;
use serde_json::Value;

use super::error::ReconcileError;
use crate::runtime::api::is_status;

/// A kind a `workloadRef` may point to, with where its template and selector live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkloadKind {
    /// `apps` Deployment.
    Deployment,
    /// `apps` ReplicaSet.
    ReplicaSet,
    /// Core PodTemplate.
    PodTemplate,
}

impl WorkloadKind {
    /// The supported kind for `api_version` and `kind`, matched on group and kind as upstream does;
    /// otherwise upstream's message.
    pub fn of(api_version: &str, kind: &str) -> Result<Self, String> {
        let group = api_version.rsplit_once('/').map_or("", |(group, _)| group);
        match (group, kind) {
            ("apps", "Deployment") => Ok(WorkloadKind::Deployment),
            ("apps", "ReplicaSet") => Ok(WorkloadKind::ReplicaSet),
            ("", "PodTemplate") => Ok(WorkloadKind::PodTemplate),
            _ => Err(format!("workload of type {group}/{kind} is not supported")),
        }
    }

    /// The plural resource name.
    pub fn plural(self) -> &'static str {
        match self {
            WorkloadKind::Deployment => "deployments",
            WorkloadKind::ReplicaSet => "replicasets",
            WorkloadKind::PodTemplate => "podtemplates",
        }
    }

    /// The dynamic API resource for this kind at `api_version`.
    pub fn api_resource(self, api_version: &str, kind: &str) -> ApiResource {
        let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
        ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk(group, version, kind), self.plural())
    }

    fn template_pointer(self) -> &'static str {
        match self {
            WorkloadKind::PodTemplate => "/template",
            WorkloadKind::Deployment | WorkloadKind::ReplicaSet => "/spec/template",
        }
    }

    fn selector_pointer(self) -> Option<&'static str> {
        match self {
            WorkloadKind::PodTemplate => None,
            WorkloadKind::Deployment | WorkloadKind::ReplicaSet => Some("/spec/selector"),
        }
    }
}

/// Whether the Rollout has a template of its own; one with empty metadata and an empty pod spec (such as
/// `template: {metadata: {}}`) counts as none.
fn has_template(rollout: &Rollout) -> bool {
    let Some(template) = &rollout.spec.template else {
        return false;
    };
    let empty_metadata = template.metadata.as_ref().is_none_or(|m| *m == ObjectMeta::default());
    let empty_spec = template.spec.as_ref().is_none_or(|s| *s == PodSpec::default());
    !(empty_metadata && empty_spec)
}

/// Copies the template (and the selector, when the Rollout has none) of the workload `object` (its
/// JSON) into `rollout`.
pub fn apply(rollout: &mut Rollout, kind: WorkloadKind, object: &Value) -> Result<WorkloadState, String> {
    if let Some(template) = object.pointer(kind.template_pointer()) {
        let template: PodTemplateSpec = serde_json::from_value(template.clone()).map_err(|e| e.to_string())?;
        rollout.spec.template = Some(template);
    }
    if rollout.spec.selector.is_none()
        && let Some(selector) = kind.selector_pointer().and_then(|p| object.pointer(p))
    {
        let selector: LabelSelector = serde_json::from_value(selector.clone()).map_err(|e| e.to_string())?;
        rollout.spec.selector = Some(selector);
    }
    let replicas = match kind {
        WorkloadKind::Deployment => object
            .pointer("/spec/replicas")
            .and_then(Value::as_i64)
            .and_then(|r| i32::try_from(r).ok()),
        WorkloadKind::ReplicaSet | WorkloadKind::PodTemplate => None,
    };
    Ok(WorkloadState::Resolved {
        generation: object.pointer("/metadata/generation").and_then(Value::as_i64),
        replicas,
    })
}

/// Resolves the Rollout's `workloadRef`, if any, filling in its template. Problems with the reference
/// itself are [`WorkloadState::Failed`] (an InvalidSpec for the planner); failures to reach the API
/// server are errors, retried with backoff.
pub async fn resolve(
    client: &kube::Client,
    namespace: &str,
    rollout: &mut Rollout,
) -> Result<WorkloadState, ReconcileError> {
    let Some(reference) = rollout.spec.workload_ref.clone() else {
        return Ok(WorkloadState::NotReferenced);
    };
    if has_template(rollout) {
        return Ok(WorkloadState::Failed(
            "template must be empty for workload reference rollout".to_string(),
        ));
    }
    let api_version = reference.api_version.unwrap_or_default();
    let kind_name = reference.kind.unwrap_or_default();
    let kind = match WorkloadKind::of(&api_version, &kind_name) {
        Ok(kind) => kind,
        Err(message) => return Ok(WorkloadState::Failed(message)),
    };
    let resource = kind.api_resource(&api_version, &kind_name);
    let name = reference.name.unwrap_or_default();
    if name.is_empty() {
        return Ok(WorkloadState::Failed(not_found(&resource, &name)));
    }
    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), namespace, &resource);
    let object = match api.get(&name).await {
        Ok(object) => object,
        Err(e) if is_status(&e, 404) => return Ok(WorkloadState::Failed(not_found(&resource, &name))),
        Err(e) => return Err(ReconcileError::api(format!("get {kind_name} {namespace}/{name}"), e)),
    };
    let object = serde_json::to_value(&object).map_err(|e| ReconcileError::Unsupported(e.to_string()))?;
    Ok(apply(rollout, kind, &object).unwrap_or_else(WorkloadState::Failed))
}

/// Whether the raw Rollout `data` (its fields besides metadata) has a `workloadRef` to the Deployment
/// `name`; read from JSON, as the Service references are, so that the watch can map a Deployment change
/// to Rollouts that do not decode too.
pub fn references_deployment(data: &Value, name: &str) -> bool {
    let Some(reference) = data.pointer("/spec/workloadRef") else {
        return false;
    };
    let field = |f: &str| reference.get(f).and_then(Value::as_str).unwrap_or_default();
    field("name") == name && WorkloadKind::of(field("apiVersion"), field("kind")) == Ok(WorkloadKind::Deployment)
}

/// The API server's wording for a missing object (`deployments.apps "web" not found`).
fn not_found(resource: &ApiResource, name: &str) -> String {
    if resource.group.is_empty() {
        format!("{} \"{name}\" not found", resource.plural)
    } else {
        format!("{}.{} \"{name}\" not found", resource.plural, resource.group)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rollout(spec: Value) -> Rollout {
        serde_json::from_value(json!({
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
            "metadata": {"name": "web", "namespace": "default"}, "spec": spec
        }))
        .unwrap()
    }

    fn deployment() -> Value {
        json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "generation": 4},
            "spec": {
                "replicas": 3,
                "selector": {"matchLabels": {"app": "web"}},
                "template": {"metadata": {"labels": {"app": "web"}},
                             "spec": {"containers": [{"name": "web", "image": "nginx:1.25"}]}}
            }
        })
    }

    #[test]
    fn supported_kinds_are_matched_on_group_and_kind() {
        assert_eq!(WorkloadKind::of("apps/v1", "Deployment"), Ok(WorkloadKind::Deployment));
        assert_eq!(WorkloadKind::of("apps/v1", "ReplicaSet"), Ok(WorkloadKind::ReplicaSet));
        assert_eq!(WorkloadKind::of("v1", "PodTemplate"), Ok(WorkloadKind::PodTemplate));
        assert_eq!(
            WorkloadKind::of("apps/v1", "StatefulSet"),
            Err("workload of type apps/StatefulSet is not supported".to_string())
        );
        assert_eq!(
            WorkloadKind::of("batch/v1", "Job"),
            Err("workload of type batch/Job is not supported".to_string())
        );
        let resource = WorkloadKind::Deployment.api_resource("apps/v1", "Deployment");
        assert_eq!(
            (resource.group.as_str(), resource.plural.as_str()),
            ("apps", "deployments")
        );
        assert_eq!(not_found(&resource, "x"), "deployments.apps \"x\" not found");
        let resource = WorkloadKind::PodTemplate.api_resource("v1", "PodTemplate");
        assert_eq!(not_found(&resource, "x"), "podtemplates \"x\" not found");
    }

    #[test]
    fn a_deployment_lends_its_template_selector_generation_and_replicas() {
        let mut ro = rollout(json!({"workloadRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}}));
        let state = apply(&mut ro, WorkloadKind::Deployment, &deployment()).unwrap();
        assert_eq!(
            state,
            WorkloadState::Resolved {
                generation: Some(4),
                replicas: Some(3)
            }
        );
        let template = ro.spec.template.unwrap();
        assert_eq!(
            template.spec.unwrap().containers[0].image.as_deref(),
            Some("nginx:1.25")
        );
        let labels = ro.spec.selector.unwrap().match_labels.unwrap();
        assert_eq!(labels.get("app").map(String::as_str), Some("web"));
    }

    #[test]
    fn the_rollout_keeps_its_own_selector() {
        let mut ro = rollout(json!({"selector": {"matchLabels": {"app": "mine"}}}));
        apply(&mut ro, WorkloadKind::ReplicaSet, &deployment()).unwrap();
        let labels = ro.spec.selector.unwrap().match_labels.unwrap();
        assert_eq!(labels.get("app").map(String::as_str), Some("mine"));
    }

    #[test]
    fn a_pod_template_lends_its_top_level_template_only() {
        let mut ro = rollout(json!({}));
        let pod_template = json!({
            "apiVersion": "v1", "kind": "PodTemplate", "metadata": {"name": "t"},
            "template": {"spec": {"containers": [{"name": "c", "image": "busybox"}]}}
        });
        let state = apply(&mut ro, WorkloadKind::PodTemplate, &pod_template).unwrap();
        assert_eq!(
            state,
            WorkloadState::Resolved {
                generation: None,
                replicas: None
            }
        );
        assert!(ro.spec.template.is_some());
        assert!(ro.spec.selector.is_none());
    }

    #[test]
    fn only_a_workload_ref_to_the_deployment_of_that_name_references_it() {
        let data = |reference: Value| json!({"spec": {"workloadRef": reference}});
        let to_web = data(json!({"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}));
        assert!(references_deployment(&to_web, "web"));
        assert!(!references_deployment(&to_web, "api"), "another name");
        let replica_set = data(json!({"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web"}));
        assert!(!references_deployment(&replica_set, "web"), "another kind");
        let other_group = data(json!({"apiVersion": "example.com/v1", "kind": "Deployment", "name": "web"}));
        assert!(!references_deployment(&other_group, "web"), "another group");
        assert!(!references_deployment(&json!({"spec": {}}), "web"), "no workloadRef");
    }

    #[test]
    fn an_own_template_is_in_the_way_but_an_empty_one_is_not() {
        let ro = rollout(json!({"template": {"spec": {"containers": [{"name": "c", "image": "x"}]}}}));
        assert!(has_template(&ro));
        assert!(!has_template(&rollout(json!({"template": {"metadata": {}}}))));
        assert!(!has_template(&rollout(json!({}))));
    }
}
