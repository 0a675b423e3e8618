//! The part of Kubernetes' `ValidatePodTemplateSpecForReplicaSet` that upstream's validation relies on
//! most: template labels matching the selector, containers (names, images, resource quantities),
//! restart policy and ephemeral containers. It runs on Rollout and Experiment templates; the
//! containers part also runs on the pod template of a Job metric.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{PodSpec, PodTemplateSpec, ResourceRequirements};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use super::field::{FieldError, FieldPath, GoObject, Rendered, go_array};
use super::names::dns1123_label_problems;
use super::quantity;
use crate::gofmt::go_json_string;

const SELECTOR_MISMATCH: &str = "`selector` does not match template `labels`";
const EPHEMERAL_CONTAINERS_FORBIDDEN: &str = "ephemeral containers not allowed in pod template";
const ACTIVE_DEADLINE_UNSUPPORTED: &str = "activeDeadlineSeconds in ReplicaSet is not Supported";
const VALID_OPERATORS: [&str; 4] = ["In", "NotIn", "Exists", "DoesNotExist"];

/// Kubernetes' `ValidateLabelSelector`, limited to the operators and their values.
pub(crate) fn selector_problems(selector: &LabelSelector, path: &FieldPath) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (i, req) in selector.match_expressions.iter().flatten().enumerate() {
        let path = path.child("matchExpressions").index(i);
        let has_values = req.values.as_ref().is_some_and(|v| !v.is_empty());
        match req.operator.as_str() {
            "In" | "NotIn" if !has_values => errs.push(FieldError::required(
                path.child("values"),
                "must be specified when `operator` is 'In' or 'NotIn'",
            )),
            "Exists" | "DoesNotExist" if has_values => errs.push(FieldError::forbidden(
                path.child("values"),
                "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
            )),
            op if !VALID_OPERATORS.contains(&op) => errs.push(FieldError::invalid(
                path.child("operator"),
                op,
                "not a valid selector operator",
            )),
            _ => {}
        }
    }
    errs
}

/// A selector with neither match labels nor match expressions selects everything.
pub(crate) fn selects_everything(selector: &LabelSelector) -> bool {
    selector.match_labels.as_ref().is_none_or(BTreeMap::is_empty)
        && selector.match_expressions.as_ref().is_none_or(Vec::is_empty)
}

/// Whether `selector` matches `labels`; a missing selector matches nothing, as Kubernetes'
/// `LabelSelectorAsSelector(nil)` does.
pub(crate) fn selector_matches(selector: Option<&LabelSelector>, labels: Option<&BTreeMap<String, String>>) -> bool {
    let Some(selector) = selector else {
        return false;
    };
    let label = |k: &str| labels.and_then(|l| l.get(k));
    let labels_match = selector.match_labels.iter().flatten().all(|(k, v)| label(k) == Some(v));
    let expressions_match = selector.match_expressions.iter().flatten().all(|req| {
        let values = req.values.as_deref().unwrap_or_default();
        let value = label(&req.key);
        match req.operator.as_str() {
            "In" => value.is_some_and(|v| values.contains(v)),
            "NotIn" => value.is_none_or(|v| !values.contains(v)),
            "Exists" => value.is_some(),
            "DoesNotExist" => value.is_none(),
            _ => false,
        }
    });
    labels_match && expressions_match
}

/// A selector as Go's JSON prints it (matchLabels before matchExpressions).
pub(crate) fn selector_json(selector: &LabelSelector) -> Rendered {
    let labels = selector
        .match_labels
        .as_ref()
        .filter(|l| !l.is_empty())
        .map(string_map_json);
    let expressions = selector
        .match_expressions
        .as_ref()
        .filter(|e| !e.is_empty())
        .map(|exprs| {
            go_array(exprs.iter().map(|req| {
                GoObject::new()
                    .raw("key", go_json_string(&req.key))
                    .raw("operator", go_json_string(&req.operator))
                    .optional(
                        "values",
                        req.values
                            .as_ref()
                            .filter(|v| !v.is_empty())
                            .map(|v| go_array(v.iter().map(|s| go_json_string(s)))),
                    )
                    .render()
            }))
        });
    Rendered(
        GoObject::new()
            .optional("matchLabels", labels)
            .optional("matchExpressions", expressions)
            .render(),
    )
}

/// A string map as Go's JSON prints it (sorted keys); `null` when absent.
pub(crate) fn string_map_json(map: &BTreeMap<String, String>) -> String {
    let fields = map
        .iter()
        .fold(GoObject::new(), |o, (k, v)| o.raw(k, go_json_string(v)));
    fields.render()
}

/// `ValidatePodTemplateSpecForReplicaSet` on a template owned by `selector`, after Kubernetes' pod
/// defaults (an unset restart policy is `Always`).
pub(crate) fn validate_replica_set_template(
    template: Option<&PodTemplateSpec>,
    selector: Option<&LabelSelector>,
    path: &FieldPath,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let labels = template
        .and_then(|t| t.metadata.as_ref())
        .and_then(|m| m.labels.as_ref());
    let everything = selector.is_some_and(selects_everything);
    if !everything && !selector_matches(selector, labels) {
        let value = labels.map_or_else(|| "null".to_string(), string_map_json);
        errs.push(FieldError::invalid(
            path.child("metadata").child("labels"),
            &Rendered(value),
            SELECTOR_MISMATCH,
        ));
    }
    let spec = template.and_then(|t| t.spec.as_ref());
    let spec_path = path.child("spec");
    errs.extend(validate_pod_spec_containers(spec, &spec_path));

    let restart_policy = spec.and_then(|s| s.restart_policy.as_deref()).unwrap_or("Always");
    let restart_path = spec_path.child("restartPolicy");
    if !matches!(restart_policy, "Always" | "OnFailure" | "Never") {
        errs.push(FieldError::not_supported(
            &restart_path,
            restart_policy,
            &["Always", "OnFailure", "Never"],
        ));
    }
    if spec.is_some_and(|s| s.ephemeral_containers.as_ref().is_some_and(|e| !e.is_empty())) {
        errs.push(FieldError::forbidden(
            spec_path.child("ephemeralContainers"),
            EPHEMERAL_CONTAINERS_FORBIDDEN,
        ));
    }
    if restart_policy != "Always" {
        errs.push(FieldError::not_supported(&restart_path, restart_policy, &["Always"]));
    }
    if let Some(deadline) = spec.and_then(|s| s.active_deadline_seconds) {
        errs.push(FieldError::invalid(
            spec_path.child("activeDeadlineSeconds"),
            &deadline,
            ACTIVE_DEADLINE_UNSUPPORTED,
        ));
    }
    errs
}

/// The containers of a pod spec at `path` (the `spec` of a template): at least one container; every
/// name a unique RFC 1123 label across containers, init and ephemeral containers; every image set;
/// every resource quantity valid and not negative.
pub(crate) fn validate_pod_spec_containers(spec: Option<&PodSpec>, path: &FieldPath) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let mut names = BTreeSet::new();
    let containers = spec.map(|s| s.containers.as_slice()).unwrap_or_default();
    if containers.is_empty() {
        errs.push(FieldError::required(path.child("containers"), ""));
    }
    for (i, c) in containers.iter().enumerate() {
        let path = path.child("containers").index(i);
        errs.extend(container_problems(
            &c.name,
            c.image.as_deref(),
            c.resources.as_ref(),
            &path,
        ));
        check_unique_name(&c.name, &path, &mut names, &mut errs);
    }
    let init = spec.and_then(|s| s.init_containers.as_deref()).unwrap_or_default();
    for (i, c) in init.iter().enumerate() {
        let path = path.child("initContainers").index(i);
        errs.extend(container_problems(
            &c.name,
            c.image.as_deref(),
            c.resources.as_ref(),
            &path,
        ));
        check_unique_name(&c.name, &path, &mut names, &mut errs);
    }
    let ephemeral = spec.and_then(|s| s.ephemeral_containers.as_deref()).unwrap_or_default();
    for (i, c) in ephemeral.iter().enumerate() {
        let path = path.child("ephemeralContainers").index(i);
        errs.extend(container_problems(
            &c.name,
            c.image.as_deref(),
            c.resources.as_ref(),
            &path,
        ));
        check_unique_name(&c.name, &path, &mut names, &mut errs);
    }
    errs
}

fn check_unique_name(name: &str, path: &FieldPath, seen: &mut BTreeSet<String>, errs: &mut Vec<FieldError>) {
    if !seen.insert(name.to_string()) {
        errs.push(FieldError::duplicate(path.child("name"), name));
    }
}

fn container_problems(
    name: &str,
    image: Option<&str>,
    resources: Option<&ResourceRequirements>,
    path: &FieldPath,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let name_path = path.child("name");
    if name.is_empty() {
        errs.push(FieldError::required(&name_path, ""));
    } else {
        for problem in dns1123_label_problems(name) {
            errs.push(FieldError::invalid(&name_path, name, problem));
        }
    }
    if image.is_none_or(str::is_empty) {
        errs.push(FieldError::required(path.child("image"), ""));
    }
    if let Some(resources) = resources {
        let path = path.child("resources");
        errs.extend(quantity_problems(resources.limits.as_ref(), &path.child("limits")));
        errs.extend(quantity_problems(resources.requests.as_ref(), &path.child("requests")));
    }
    errs
}

fn quantity_problems(quantities: Option<&BTreeMap<String, Quantity>>, path: &FieldPath) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (resource, Quantity(text)) in quantities.into_iter().flatten() {
        let path = path.key(resource);
        match quantity::parse(text) {
            Err(e) => errs.push(FieldError::invalid(&path, text, e.to_string())),
            Ok(q) if q.negative => errs.push(FieldError::invalid(&path, text, super::messages::MUST_BE_NON_NEGATIVE)),
            Ok(_) => {}
        }
    }
    errs
}
