//! Experiment rules: upstream's `VerifyExperimentSpec` (whose first problem is the whole `InvalidSpec`
//! condition message), then the schema's requirements and each template's pod template.

use std::collections::BTreeSet;

use crate::Experiment;

use super::analysis::argument_rules;
use super::field::{FieldError, FieldPath};
use super::messages as msg;
use super::pod_template::{selector_problems, selects_everything, validate_replica_set_template};
use super::required::require;

/// Upstream's checks, template by template, each carrying upstream's condition message.
///
/// A template selector that selects everything gets upstream's "selecting all pods" message; a
/// missing selector reads the same way here (our types cannot tell it from `{}`), and the API server
/// rejects a missing one before any controller sees it.
pub(crate) fn upstream_rules(experiment: &Experiment) -> Vec<FieldError> {
    let name = experiment.metadata.name.as_deref().unwrap_or_default();
    let deadline = experiment.spec.progress_deadline_seconds_or_default();
    let mut errs = Vec::new();
    let mut names = BTreeSet::new();
    for (i, template) in experiment.spec.templates.iter().enumerate() {
        let path = FieldPath::new("spec").child("templates").index(i);
        if selects_everything(&template.selector) {
            errs.push(FieldError::required(
                path.child("selector"),
                msg::experiment_select_all(i),
            ));
        }
        let min_ready = template.min_ready_seconds_or_default();
        if min_ready > deadline {
            errs.push(FieldError::invalid(
                path.child("minReadySeconds"),
                &min_ready,
                msg::experiment_min_ready_longer_than_deadline(i),
            ));
        }
        if template.name.is_empty() {
            errs.push(FieldError::required(
                path.child("name"),
                msg::experiment_template_name_empty(name, i),
            ));
        } else if !names.insert(template.name.as_str()) {
            errs.push(
                FieldError::duplicate(path.child("name"), &template.name)
                    .with_message(msg::experiment_template_name_repeated(name, &template.name)),
            );
        }
    }
    errs
}

/// Every problem of an Experiment.
pub(crate) fn validate(experiment: &Experiment) -> Vec<FieldError> {
    let spec = &experiment.spec;
    let path = FieldPath::new("spec");
    let mut errs = upstream_rules(experiment);
    if spec.templates.is_empty() {
        errs.push(FieldError::required(path.child("templates"), ""));
    }
    if let Some(duration) = spec.duration.as_deref()
        && !duration.is_empty()
        && let Err(e) = crate::duration::parse_nanos(duration)
    {
        errs.push(FieldError::invalid(path.child("duration"), duration, e.to_string()));
    }
    for (i, template) in spec.templates.iter().enumerate() {
        let path = path.child("templates").index(i);
        let selector_path = path.child("selector");
        let problems = selector_problems(&template.selector, &selector_path);
        if problems.is_empty() {
            errs.extend(validate_replica_set_template(
                Some(&template.template),
                Some(&template.selector),
                &path.child("template"),
            ));
        }
        errs.extend(problems);
    }
    for (i, analysis) in spec.analyses.iter().flatten().enumerate() {
        let path = path.child("analyses").index(i);
        require(&mut errs, &analysis.name, &path.child("name"));
        require(&mut errs, &analysis.template_name, &path.child("templateName"));
        errs.extend(argument_rules(analysis.args.as_deref(), &path.child("args")));
    }
    for (i, rule) in spec.dry_run.iter().flatten().enumerate() {
        require(
            &mut errs,
            &rule.metric_name,
            &path.child("dryRun").index(i).child("metricName"),
        );
    }
    for (i, rule) in spec.measurement_retention.iter().flatten().enumerate() {
        require(
            &mut errs,
            &rule.metric_name,
            &path.child("measurementRetention").index(i).child("metricName"),
        );
    }
    errs
}
