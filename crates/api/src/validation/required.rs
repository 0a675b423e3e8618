//! What the CRD schema demands of a Rollout and the API server would reject: required fields and
//! enumerations. Our types read a missing required field as empty (`""`, `0`, `[]`), so an empty one is
//! reported here as `Required value`, at the field's real path (with `.canary`/`.blueGreen`), as the API
//! server would. These come after upstream's own rules, whose first error must stay first.
//!
//! Numbers and booleans whose zero is a legitimate value (ALB stickiness, measurementRetention limits,
//! replicaProgressThreshold values) are not checked: an explicit zero cannot be told from a missing one.

use crate::canary::CanaryStrategy;
use crate::common::{DryRun, MeasurementRetention};
use crate::rollout::{ObjectRef, RolloutSpec};
use crate::rollout_analysis::{AnalysisRunArgument, AnalysisTemplateRef};
use crate::steps::{CanaryStep, RolloutExperimentStep};
use crate::traffic::RolloutTrafficRouting;

use super::field::{FieldError, FieldPath};

const WORKLOAD_KINDS: [&str; 3] = ["Deployment", "ReplicaSet", "PodTemplate"];
const SCALE_DOWN_MODES: [&str; 3] = ["never", "onsuccess", "progressively"];
const PROGRESS_THRESHOLD_TYPES: [&str; 2] = ["Percent", "Pods"];
const POD_TEMPLATE_HASH_VALUES: [&str; 2] = ["Stable", "Latest"];
const SPEC_REFS: [&str; 2] = ["canary", "stable"];

/// Schema requirements of a Rollout spec.
pub(crate) fn rollout(spec: &RolloutSpec) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let path = FieldPath::new("spec");
    if let Some(workload_ref) = &spec.workload_ref {
        errs.extend(workload_ref_rules(workload_ref, &path.child("workloadRef")));
    }
    let strategy = path.child("strategy");
    if let Some(blue_green) = spec.strategy.as_ref().and_then(|s| s.blue_green.as_ref()) {
        let path = strategy.child("blueGreen");
        require(&mut errs, &blue_green.active_service, &path.child("activeService"));
        for (field, analysis) in [
            ("prePromotionAnalysis", &blue_green.pre_promotion_analysis),
            ("postPromotionAnalysis", &blue_green.post_promotion_analysis),
        ] {
            if let Some(a) = analysis {
                errs.extend(analysis_rules(
                    AnalysisParts {
                        templates: a.templates.as_deref(),
                        args: a.args.as_deref(),
                        dry_run: a.dry_run.as_deref(),
                        measurement_retention: a.measurement_retention.as_deref(),
                    },
                    &path.child(field),
                ));
            }
        }
    }
    if let Some(canary) = spec.strategy.as_ref().and_then(|s| s.canary.as_ref()) {
        errs.extend(canary_rules(canary, &strategy.child("canary")));
    }
    errs
}

fn workload_ref_rules(workload_ref: &ObjectRef, path: &FieldPath) -> Vec<FieldError> {
    let mut errs = Vec::new();
    match workload_ref.kind.as_deref().unwrap_or_default() {
        "" => errs.push(FieldError::required(path.child("kind"), "")),
        kind if !WORKLOAD_KINDS.contains(&kind) => {
            errs.push(FieldError::not_supported(path.child("kind"), kind, &WORKLOAD_KINDS));
        }
        _ => {}
    }
    require(
        &mut errs,
        workload_ref.name.as_deref().unwrap_or_default(),
        &path.child("name"),
    );
    if let Some(mode) = workload_ref.scale_down.as_deref()
        && !mode.is_empty()
        && !SCALE_DOWN_MODES.contains(&mode)
    {
        errs.push(FieldError::not_supported(
            path.child("scaleDown"),
            mode,
            &SCALE_DOWN_MODES,
        ));
    }
    errs
}

fn canary_rules(canary: &CanaryStrategy, path: &FieldPath) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if let Some(threshold) = &canary.replica_progress_threshold {
        one_of(
            &mut errs,
            &threshold.type_,
            &PROGRESS_THRESHOLD_TYPES,
            &path.child("replicaProgressThreshold").child("type"),
        );
    }
    if let Some(a) = &canary.analysis {
        errs.extend(analysis_rules(
            AnalysisParts {
                templates: a.templates.as_deref(),
                args: a.args.as_deref(),
                dry_run: a.dry_run.as_deref(),
                measurement_retention: a.measurement_retention.as_deref(),
            },
            &path.child("analysis"),
        ));
    }
    if let Some(routing) = &canary.traffic_routing {
        errs.extend(traffic_routing_rules(routing, &path.child("trafficRouting")));
    }
    for (i, step) in canary.steps.iter().flatten().enumerate() {
        errs.extend(step_rules(step, &path.child("steps").index(i)));
    }
    errs
}

fn traffic_routing_rules(routing: &RolloutTrafficRouting, path: &FieldPath) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if let Some(alb) = &routing.alb
        && alb.service_port == 0
    {
        errs.push(FieldError::required(path.child("alb").child("servicePort"), ""));
    }
    if let Some(ambassador) = &routing.ambassador
        && ambassador.mappings.is_empty()
    {
        errs.push(FieldError::required(path.child("ambassador").child("mappings"), ""));
    }
    if let Some(route) = routing.apisix.as_ref().and_then(|a| a.route.as_ref()) {
        require(
            &mut errs,
            &route.name,
            &path.child("apisix").child("route").child("name"),
        );
    }
    if let Some(app_mesh) = &routing.app_mesh {
        let path = path.child("appMesh");
        if let Some(service) = &app_mesh.virtual_service {
            require(&mut errs, &service.name, &path.child("virtualService").child("name"));
        }
        if let Some(group) = &app_mesh.virtual_node_group {
            let path = path.child("virtualNodeGroup");
            for (field, node) in [
                ("canaryVirtualNodeRef", &group.canary_virtual_node_ref),
                ("stableVirtualNodeRef", &group.stable_virtual_node_ref),
            ] {
                require(&mut errs, &node.name, &path.child(field).child("name"));
            }
        }
    }
    if let Some(istio) = &routing.istio {
        let path = path.child("istio");
        if let Some(service) = &istio.virtual_service {
            require(&mut errs, &service.name, &path.child("virtualService").child("name"));
        }
        for (i, service) in istio.virtual_services.iter().flatten().enumerate() {
            require(
                &mut errs,
                &service.name,
                &path.child("virtualServices").index(i).child("name"),
            );
        }
        if let Some(rule) = &istio.destination_rule {
            let path = path.child("destinationRule");
            require(&mut errs, &rule.name, &path.child("name"));
            require(&mut errs, &rule.canary_subset_name, &path.child("canarySubsetName"));
            require(&mut errs, &rule.stable_subset_name, &path.child("stableSubsetName"));
        }
    }
    if let Some(traefik) = &routing.traefik {
        require(
            &mut errs,
            &traefik.weighted_traefik_service_name,
            &path.child("traefik").child("weightedTraefikServiceName"),
        );
    }
    for (i, route) in routing.managed_routes.iter().flatten().enumerate() {
        require(
            &mut errs,
            &route.name,
            &path.child("managedRoutes").index(i).child("name"),
        );
    }
    errs
}

fn step_rules(step: &CanaryStep, path: &FieldPath) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if let Some(experiment) = &step.experiment {
        errs.extend(experiment_step_rules(experiment, &path.child("experiment")));
    }
    if let Some(a) = &step.analysis {
        errs.extend(analysis_rules(
            AnalysisParts {
                templates: a.templates.as_deref(),
                args: a.args.as_deref(),
                dry_run: a.dry_run.as_deref(),
                measurement_retention: a.measurement_retention.as_deref(),
            },
            &path.child("analysis"),
        ));
    }
    if let Some(plugin) = &step.plugin {
        require(&mut errs, &plugin.name, &path.child("plugin").child("name"));
    }
    if let Some(route) = &step.set_header_route {
        for (j, m) in route.r#match.iter().flatten().enumerate() {
            require(
                &mut errs,
                &m.header_name,
                &path.child("setHeaderRoute").child("match").index(j).child("headerName"),
            );
        }
    }
    if let Some(route) = &step.set_mirror_route {
        require(&mut errs, &route.name, &path.child("setMirrorRoute").child("name"));
    }
    errs
}

fn experiment_step_rules(experiment: &RolloutExperimentStep, path: &FieldPath) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if let Some(duration) = experiment.duration.as_deref()
        && !duration.is_empty()
        && let Err(e) = crate::duration::parse_nanos(duration)
    {
        errs.push(FieldError::invalid(path.child("duration"), duration, e.to_string()));
    }
    if experiment.templates.is_empty() {
        errs.push(FieldError::required(path.child("templates"), ""));
    }
    for (t, template) in experiment.templates.iter().enumerate() {
        let path = path.child("templates").index(t);
        require(&mut errs, &template.name, &path.child("name"));
        one_of(&mut errs, &template.spec_ref, &SPEC_REFS, &path.child("specRef"));
    }
    for (a, analysis) in experiment.analyses.iter().flatten().enumerate() {
        let path = path.child("analyses").index(a);
        require(&mut errs, &analysis.name, &path.child("name"));
        require(&mut errs, &analysis.template_name, &path.child("templateName"));
        errs.extend(argument_rules(analysis.args.as_deref(), &path.child("args")));
    }
    errs.extend(dry_run_rules(experiment.dry_run.as_deref(), &path.child("dryRun")));
    errs
}

/// The members shared by every way a Rollout asks for an analysis.
struct AnalysisParts<'a> {
    templates: Option<&'a [AnalysisTemplateRef]>,
    args: Option<&'a [AnalysisRunArgument]>,
    dry_run: Option<&'a [DryRun]>,
    measurement_retention: Option<&'a [MeasurementRetention]>,
}

fn analysis_rules(parts: AnalysisParts<'_>, path: &FieldPath) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (i, template) in parts.templates.into_iter().flatten().enumerate() {
        require(
            &mut errs,
            template.template_name.as_deref().unwrap_or_default(),
            &path.child("templates").index(i).child("templateName"),
        );
    }
    errs.extend(argument_rules(parts.args, &path.child("args")));
    errs.extend(dry_run_rules(parts.dry_run, &path.child("dryRun")));
    for (i, rule) in parts.measurement_retention.into_iter().flatten().enumerate() {
        require(
            &mut errs,
            &rule.metric_name,
            &path.child("measurementRetention").index(i).child("metricName"),
        );
    }
    errs
}

fn argument_rules(args: Option<&[AnalysisRunArgument]>, path: &FieldPath) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (i, arg) in args.into_iter().flatten().enumerate() {
        let path = path.index(i);
        require(&mut errs, &arg.name, &path.child("name"));
        let Some(value_from) = &arg.value_from else {
            continue;
        };
        let path = path.child("valueFrom");
        if let Some(hash) = value_from.pod_template_hash_value.as_deref()
            && !POD_TEMPLATE_HASH_VALUES.contains(&hash)
        {
            errs.push(FieldError::not_supported(
                path.child("podTemplateHashValue"),
                hash,
                &POD_TEMPLATE_HASH_VALUES,
            ));
        }
        if let Some(field_ref) = &value_from.field_ref {
            require(
                &mut errs,
                &field_ref.field_path,
                &path.child("fieldRef").child("fieldPath"),
            );
        }
    }
    errs
}

fn dry_run_rules(rules: Option<&[DryRun]>, path: &FieldPath) -> Vec<FieldError> {
    let mut errs = Vec::new();
    for (i, rule) in rules.into_iter().flatten().enumerate() {
        require(&mut errs, &rule.metric_name, &path.index(i).child("metricName"));
    }
    errs
}

/// A required string must not be empty.
pub(crate) fn require(errs: &mut Vec<FieldError>, value: &str, path: &FieldPath) {
    if value.is_empty() {
        errs.push(FieldError::required(path, ""));
    }
}

/// A required string from an enumeration.
pub(crate) fn one_of(errs: &mut Vec<FieldError>, value: &str, allowed: &[&str], path: &FieldPath) {
    if value.is_empty() {
        errs.push(FieldError::required(path, ""));
    } else if !allowed.contains(&value) {
        errs.push(FieldError::not_supported(path, value, allowed));
    }
}
