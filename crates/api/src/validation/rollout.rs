//! Rollout spec rules in upstream's order (`ValidateRolloutSpec`): replicas, selector, template,
//! counters, then the strategy. Canary rules live in `canary.rs` and `steps.rs`.

use crate::Rollout;
use crate::bluegreen::BlueGreenStrategy;
use crate::common::AntiAffinity;
use crate::rollout::RolloutSpec;

use super::field::{FieldError, FieldPath};
use super::messages as msg;
use super::pod_template::{selector_json, selector_problems, selects_everything, validate_replica_set_template};
use super::{canary, required};

/// Where the pod template being validated comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TemplateSource {
    /// `spec.template` as the user wrote it.
    Spec,
    /// `spec.template` filled in from the `workloadRef` target by the controller.
    WorkloadRef,
}

/// Every problem of a Rollout: upstream's rules first, in upstream's order (so the first error is the
/// one upstream would report), then the CRD schema's requirements.
pub(crate) fn validate(rollout: &Rollout, source: TemplateSource) -> Vec<FieldError> {
    let mut errs = spec_rules(&rollout.spec, source);
    errs.extend(required::rollout(&rollout.spec));
    errs
}

fn spec_rules(spec: &RolloutSpec, source: TemplateSource) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let path = FieldPath::new("spec");

    let replicas = spec.replicas_or_default();
    non_negative(&mut errs, &path.child("replicas"), replicas);

    let selector_path = path.child("selector");
    if spec.workload_ref.is_none() {
        match &spec.selector {
            None => errs.push(FieldError::required(
                &selector_path,
                msg::missing_field(".spec.selector"),
            )),
            Some(selector) => {
                errs.extend(selector_problems(selector, &selector_path));
                if selects_everything(selector) {
                    errs.push(FieldError::invalid(
                        &selector_path,
                        &selector_json(selector),
                        msg::EMPTY_SELECTOR,
                    ));
                }
            }
        }
    }

    if source == TemplateSource::Spec && spec.workload_ref.is_some() && !template_is_empty(spec) {
        errs.push(FieldError::internal(
            path.child("template"),
            msg::TEMPLATE_MUST_BE_EMPTY_FOR_WORKLOAD_REF,
        ));
    }

    let selector_compiles = spec
        .selector
        .as_ref()
        .is_none_or(|s| selector_problems(s, &selector_path).is_empty());
    match &spec.selector {
        Some(selector) if !selector_compiles => errs.push(FieldError::invalid(
            &selector_path,
            &selector_json(selector),
            msg::INVALID_LABEL_SELECTOR,
        )),
        _ if source == TemplateSource::WorkloadRef || spec.workload_ref.is_none() => {
            errs.extend(validate_replica_set_template(
                spec.template.as_ref(),
                spec.selector.as_ref(),
                &path.child("template"),
            ));
        }
        _ => {}
    }

    let min_ready = spec.min_ready_seconds_or_default();
    non_negative(&mut errs, &path.child("minReadySeconds"), min_ready);
    non_negative(
        &mut errs,
        &path.child("revisionHistoryLimit"),
        spec.revision_history_limit_or_default(),
    );
    let deadline = spec.progress_deadline_seconds_or_default();
    let deadline_path = path.child("progressDeadlineSeconds");
    non_negative(&mut errs, &deadline_path, deadline);
    if deadline <= min_ready {
        errs.push(FieldError::invalid(
            &deadline_path,
            &deadline,
            msg::PROGRESS_DEADLINE_NOT_ABOVE_MIN_READY,
        ));
    }

    errs.extend(strategy_rules(spec, &path.child("strategy")));
    errs
}

/// Upstream's `EmptyTemplate`: a workloadRef Rollout may not carry template labels or annotations.
fn template_is_empty(spec: &RolloutSpec) -> bool {
    let meta = spec.template.as_ref().and_then(|t| t.metadata.as_ref());
    let labels = meta.and_then(|m| m.labels.as_ref());
    let annotations = meta.and_then(|m| m.annotations.as_ref());
    labels.is_none_or(std::collections::BTreeMap::is_empty)
        && annotations.is_none_or(std::collections::BTreeMap::is_empty)
}

fn non_negative(errs: &mut Vec<FieldError>, path: &FieldPath, value: i32) {
    if value < 0 {
        errs.push(FieldError::invalid(path, &value, msg::MUST_BE_NON_NEGATIVE));
    }
}

/// Exactly one strategy. Upstream reports a missing or doubled strategy at `spec.strategy.strategy`
/// (it appends `strategy` to a path that already ends with it), and canary and blue-green problems
/// at `spec.strategy.<field>`, without `canary`/`blueGreen`; both quirks are kept, since the paths
/// are part of the condition message users see.
fn strategy_rules(spec: &RolloutSpec, path: &FieldPath) -> Vec<FieldError> {
    let strategy = spec.strategy.as_ref();
    let blue_green = strategy.and_then(|s| s.blue_green.as_ref());
    let canary = strategy.and_then(|s| s.canary.as_ref());
    match (blue_green, canary) {
        (None, None) => vec![FieldError::required(
            path.child("strategy"),
            msg::missing_field(".spec.strategy.canary or .spec.strategy.blueGreen"),
        )],
        (Some(_), Some(_)) => vec![FieldError::invalid(
            path.child("strategy"),
            "blueGreen: true canary: true",
            msg::MULTIPLE_STRATEGIES,
        )],
        (Some(blue_green), None) => blue_green_rules(spec, blue_green, path),
        (None, Some(c)) => canary::rules(spec, c, path),
    }
}

fn blue_green_rules(spec: &RolloutSpec, blue_green: &BlueGreenStrategy, path: &FieldPath) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let preview = blue_green.preview_service.as_deref().unwrap_or_default();
    if blue_green.active_service == preview {
        errs.push(FieldError::invalid(
            path.child("activeService"),
            &blue_green.active_service,
            msg::DUPLICATED_SERVICES_BLUE_GREEN,
        ));
    }
    if let Some(limit) = blue_green.scale_down_delay_revision_limit
        && spec.revision_history_limit_or_default() < limit
    {
        errs.push(FieldError::invalid(
            path.child("scaleDownDelayRevisionLimit"),
            &limit,
            msg::SCALE_DOWN_LIMIT_LARGER_THAN_REVISION_LIMIT,
        ));
    }
    errs.extend(anti_affinity_rules(
        blue_green.anti_affinity.as_ref(),
        &path.child("antiAffinity"),
    ));
    errs
}

/// antiAffinity names exactly one strategy, and a preferred one weighs 1 to 100.
pub(crate) fn anti_affinity_rules(anti_affinity: Option<&AntiAffinity>, path: &FieldPath) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let Some(anti_affinity) = anti_affinity else {
        return errs;
    };
    let preferred = anti_affinity
        .preferred_during_scheduling_ignored_during_execution
        .as_ref();
    let required = anti_affinity
        .required_during_scheduling_ignored_during_execution
        .as_ref();
    if preferred.is_some() == required.is_some() {
        let value = format!(
            "antiAffinity.PreferredDuringSchedulingIgnoredDuringExecution: {} \
             antiAffinity.RequiredDuringSchedulingIgnoredDuringExecution: {}",
            preferred.is_some(),
            required.is_some()
        );
        errs.push(FieldError::invalid(path, &value, msg::ANTI_AFFINITY_STRATEGY));
    }
    if let Some(preferred) = preferred
        && !(1..=100).contains(&preferred.weight)
    {
        errs.push(FieldError::invalid(
            path.child("weight"),
            &preferred.weight,
            msg::ANTI_AFFINITY_WEIGHT,
        ));
    }
    errs
}
