//! Canary step rules, in upstream's order (the steps loop of `ValidateRolloutStrategyCanary`).

use crate::canary::CanaryStrategy;
use crate::common::StringMatch;
use crate::rollout::RolloutSpec;
use crate::rollout_analysis::AnalysisRunArgument;
use crate::steps::{CanaryStep, SetHeaderRoute, SetMirrorRoute};
use crate::traffic::RolloutTrafficRouting;

use super::canary::has_plugins;
use super::field::{FieldError, FieldPath, GoObject, Rendered, go_array};
use super::messages as msg;
use super::names::is_qualified_name;
use crate::gofmt::go_json_string;

/// Every step rule; `path` is `spec.strategy`.
pub(crate) fn rules(spec: &RolloutSpec, canary: &CanaryStrategy, path: &FieldPath) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let routing = canary.traffic_routing.as_ref();
    let max_weight = spec.max_traffic_weight();
    for (i, step) in canary.steps.iter().flatten().enumerate() {
        let step_path = path.child("steps").index(i);
        errs.extend(step_kind_rules(step, &step_path));

        if let Some(weight) = step.set_weight
            && !(0..=max_weight).contains(&weight)
        {
            errs.push(FieldError::invalid(
                step_path.child("setWeight"),
                &weight,
                msg::invalid_set_weight(max_weight),
            ));
        }
        if let Some(pause) = &step.pause {
            let seconds = pause
                .duration
                .as_ref()
                .map_or(Ok(0), crate::duration::pause_seconds)
                .unwrap_or(-1);
            if seconds < 0 {
                errs.push(FieldError::invalid(
                    step_path.child("pause").child("duration"),
                    &seconds,
                    msg::INVALID_DURATION,
                ));
            }
        }
        if step.set_canary_scale.is_some() && routing.is_none() {
            errs.push(FieldError::required(
                path.child("trafficRouting"),
                msg::SET_CANARY_SCALE_TRAFFIC_POLICY,
            ));
        }
        if let Some(header_route) = &step.set_header_route {
            errs.extend(header_route_rules(header_route, routing, &step_path));
        }
        if let Some(mirror_route) = &step.set_mirror_route {
            errs.extend(mirror_route_rules(mirror_route, routing, &step_path));
        }
        if let Some(routing) = routing {
            errs.extend(managed_route_rules(step, routing, path, &step_path));
        }
        if let Some(experiment) = &step.experiment {
            for (t, template) in experiment.templates.iter().enumerate() {
                let Some(weight) = template.weight else {
                    continue;
                };
                let message = match routing {
                    None => msg::EXPERIMENT_WEIGHT_WITHOUT_TRAFFIC_ROUTING,
                    Some(r) if r.alb.is_none() && r.smi.is_none() && r.istio.is_none() && !has_plugins(r) => {
                        msg::EXPERIMENT_WEIGHT_UNSUPPORTED_ROUTER
                    }
                    Some(_) => continue,
                };
                errs.push(FieldError::invalid(
                    step_path
                        .child("experiment")
                        .child("templates")
                        .index(t)
                        .child("weight"),
                    &weight,
                    message,
                ));
            }
        }
        errs.extend(argument_rules(step, &step_path));
    }
    errs
}

/// A step names exactly one action. Only four of them count towards "more than one", as upstream
/// checks; the value strings repeat upstream's (which print `true` for *unset* members when the step
/// is empty).
fn step_kind_rules(step: &CanaryStep, step_path: &FieldPath) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let counted = [
        step.set_weight.is_some(),
        step.pause.is_some(),
        step.experiment.is_some(),
        step.analysis.is_some(),
    ];
    if counted.iter().filter(|set| **set).count() > 1 {
        let value = format!(
            "step.Experiment: {} step.Pause: {} step.SetWeight: {} step.Analysis: {}",
            step.experiment.is_some(),
            step.pause.is_some(),
            step.set_weight.is_some(),
            step.analysis.is_some()
        );
        errs.push(FieldError::invalid(step_path, &value, msg::INVALID_STEP));
    }
    let any = counted.iter().any(|set| *set)
        || step.set_canary_scale.is_some()
        || step.set_header_route.is_some()
        || step.set_mirror_route.is_some()
        || step.plugin.is_some();
    if !any {
        let value = "step.Experiment: true step.Pause: true step.SetWeight: true step.Analysis: true \
                     step.SetCanaryScale: true step.SetHeaderRoute: true step.SetMirrorRoute: true \
                     step.Plugin: true";
        errs.push(FieldError::invalid(step_path, value, msg::INVALID_STEP));
    }
    errs
}

fn header_route_rules(
    route: &SetHeaderRoute,
    routing: Option<&RolloutTrafficRouting>,
    step_path: &FieldPath,
) -> Vec<FieldError> {
    let path = step_path.child("setHeaderRoute");
    let supported = routing.filter(|r| r.istio.is_some() || r.alb.is_some() || r.apisix.is_some() || has_plugins(r));
    let Some(routing) = supported else {
        return vec![FieldError::invalid(
            &path,
            &header_route_json(route),
            msg::SET_HEADER_ROUTE_TRAFFIC_POLICY,
        )];
    };
    let mut errs = Vec::new();
    for (j, m) in route.r#match.iter().flatten().enumerate() {
        let match_path = path.child("match").index(j);
        let value = &m.header_value;
        if routing.alb.is_some() {
            let exact_only = value.exact.as_deref().is_some_and(|e| !e.is_empty())
                && is_unset(&value.regex)
                && is_unset(&value.prefix);
            if !exact_only {
                errs.push(FieldError::invalid(
                    &match_path,
                    &string_match_json(value),
                    msg::SET_HEADER_ROUTE_ALB_VALUE,
                ));
            }
        } else {
            errs.extend(string_match_rules(value, &match_path));
        }
    }
    errs
}

/// Mirror routes need Istio or a plugin, and each match condition names exactly one of exact, regex
/// or prefix. Upstream checks the method twice and the headers never; the headers are checked here.
fn mirror_route_rules(
    route: &SetMirrorRoute,
    routing: Option<&RolloutTrafficRouting>,
    step_path: &FieldPath,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let path = step_path.child("setMirrorRoute");
    if !routing.is_some_and(|r| r.istio.is_some() || has_plugins(r)) {
        errs.push(FieldError::invalid(
            &path,
            &mirror_route_json(route),
            msg::SET_MIRROR_ROUTE_TRAFFIC_POLICY,
        ));
    }
    for (j, m) in route.r#match.iter().flatten().enumerate() {
        let match_path = path.child("match").index(j);
        let conditions = m
            .method
            .iter()
            .chain(m.path.iter())
            .chain(m.headers.iter().flat_map(|h| h.values()));
        for condition in conditions {
            errs.extend(string_match_rules(condition, &match_path));
        }
    }
    errs
}

/// Header and mirror routes must be declared in `trafficRouting.managedRoutes`.
fn managed_route_rules(
    step: &CanaryStep,
    routing: &RolloutTrafficRouting,
    strategy_path: &FieldPath,
    step_path: &FieldPath,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let Some(managed) = &routing.managed_routes else {
        if step.set_header_route.is_some() || step.set_mirror_route.is_some() {
            errs.push(FieldError::required(
                strategy_path.child("trafficRouting").child("managedRoutes"),
                msg::missing_field("spec.strategy.canary.trafficRouting.managedRoutes"),
            ));
        }
        return errs;
    };
    let declared = |name: &str| managed.iter().any(|r| r.name == name);
    if let Some(route) = &step.set_header_route {
        let name = route.name.as_deref().unwrap_or_default();
        if !declared(name) {
            errs.push(FieldError::invalid(
                step_path.child("setHeaderRoute"),
                name,
                msg::STEP_ROUTE_NOT_IN_MANAGED_ROUTES,
            ));
        }
    }
    if let Some(route) = &step.set_mirror_route
        && !declared(&route.name)
    {
        errs.push(FieldError::invalid(
            step_path.child("setMirrorRoute"),
            &route.name,
            msg::STEP_ROUTE_NOT_IN_MANAGED_ROUTES,
        ));
    }
    errs
}

/// Analysis arguments of analysis and experiment steps may read Rollout metadata only through
/// downward-API paths.
fn argument_rules(step: &CanaryStep, step_path: &FieldPath) -> Vec<FieldError> {
    let experiment_args = step
        .experiment
        .iter()
        .flat_map(|e| e.analyses.iter().flatten())
        .flat_map(|a| a.args.iter().flatten());
    let analysis_args = step.analysis.iter().flat_map(|a| a.args.iter().flatten());
    let args: Vec<&AnalysisRunArgument> = experiment_args.chain(analysis_args).collect();
    let invalid = args
        .iter()
        .filter_map(|a| a.value_from.as_ref()?.field_ref.as_ref())
        .filter(|f| f.field_path.starts_with("metadata") && !is_downward_api_path(&f.field_path))
        .count();
    let value = Rendered(go_array(args.iter().map(|a| argument_json(a))));
    (0..invalid)
        .map(|_| FieldError::invalid(step_path.child("analyses"), &value, msg::INVALID_ANALYSIS_ARGS))
        .collect()
}

/// Whether Kubernetes' `fieldpath.ExtractFieldPathAsString` can read `path` from an object.
pub fn is_downward_api_path(path: &str) -> bool {
    if let Some(inner) = path.strip_suffix("']")
        && let Some((field, key)) = inner.split_once("['")
        && !field.is_empty()
    {
        return match field {
            "metadata.annotations" => is_qualified_name(&key.to_lowercase()),
            "metadata.labels" => is_qualified_name(key),
            _ => false,
        };
    }
    matches!(
        path,
        "metadata.annotations" | "metadata.labels" | "metadata.name" | "metadata.namespace" | "metadata.uid"
    )
}

fn is_unset(s: &Option<String>) -> bool {
    s.as_deref().is_none_or(str::is_empty)
}

/// Exactly one of exact, regex or prefix.
fn string_match_rules(m: &StringMatch, path: &FieldPath) -> Vec<FieldError> {
    let set = [&m.exact, &m.regex, &m.prefix]
        .into_iter()
        .filter(|v| !is_unset(v))
        .count();
    let message = match set {
        0 => msg::STRING_MATCH_MISSING_VALUE,
        1 => return Vec::new(),
        _ => msg::STRING_MATCH_MULTIPLE_VALUES,
    };
    vec![FieldError::invalid(path, &string_match_json(m), message)]
}

fn string_match_json(m: &StringMatch) -> Rendered {
    Rendered(string_match_object(m))
}

fn string_match_object(m: &StringMatch) -> String {
    GoObject::new()
        .string_omitempty("exact", m.exact.as_deref().unwrap_or_default())
        .string_omitempty("prefix", m.prefix.as_deref().unwrap_or_default())
        .string_omitempty("regex", m.regex.as_deref().unwrap_or_default())
        .render()
}

fn header_route_json(route: &SetHeaderRoute) -> Rendered {
    let matches = route.r#match.as_ref().filter(|m| !m.is_empty()).map(|ms| {
        go_array(ms.iter().map(|m| {
            GoObject::new()
                .raw("headerName", go_json_string(&m.header_name))
                .raw("headerValue", string_match_object(&m.header_value))
                .render()
        }))
    });
    Rendered(
        GoObject::new()
            .string_omitempty("name", route.name.as_deref().unwrap_or_default())
            .optional("match", matches)
            .render(),
    )
}

fn mirror_route_json(route: &SetMirrorRoute) -> Rendered {
    let matches = route.r#match.as_ref().filter(|m| !m.is_empty()).map(|ms| {
        go_array(ms.iter().map(|m| {
            let headers = m.headers.as_ref().filter(|h| !h.is_empty()).map(|h| {
                h.iter()
                    .fold(GoObject::new(), |o, (k, v)| o.raw(k, string_match_object(v)))
                    .render()
            });
            GoObject::new()
                .optional("method", m.method.as_ref().map(string_match_object))
                .optional("path", m.path.as_ref().map(string_match_object))
                .optional("headers", headers)
                .render()
        }))
    });
    Rendered(
        GoObject::new()
            .raw("name", go_json_string(&route.name))
            .optional("match", matches)
            .optional("percentage", route.percentage.map(|p| p.to_string()))
            .render(),
    )
}

fn argument_json(arg: &AnalysisRunArgument) -> String {
    let value_from = arg.value_from.as_ref().map(|v| {
        GoObject::new()
            .optional(
                "podTemplateHashValue",
                v.pod_template_hash_value.as_deref().map(go_json_string),
            )
            .optional(
                "fieldRef",
                v.field_ref
                    .as_ref()
                    .map(|f| GoObject::new().raw("fieldPath", go_json_string(&f.field_path)).render()),
            )
            .render()
    });
    GoObject::new()
        .raw("name", go_json_string(&arg.name))
        .string_omitempty("value", arg.value.as_deref().unwrap_or_default())
        .optional("valueFrom", value_from)
        .render()
}
