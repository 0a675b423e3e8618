//! Canary strategy rules, in upstream's order (`ValidateRolloutStrategyCanary`). Paths start at
//! `spec.strategy` without `.canary`, as upstream's do.

use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::canary::CanaryStrategy;
use crate::rollout::RolloutSpec;
use crate::traffic::RolloutTrafficRouting;

use super::field::{FieldError, FieldPath, Rendered};
use super::messages as msg;
use super::rollout::anti_affinity_rules;
use super::steps;

/// Every canary rule; `path` is `spec.strategy`.
pub(crate) fn rules(spec: &RolloutSpec, canary: &CanaryStrategy, path: &FieldPath) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let routing = canary.traffic_routing.as_ref();

    if percent_or_int(&canary.max_surge_or_default()) == 0 && percent_or_int(&spec.max_unavailable_or_default()) == 0 {
        errs.push(FieldError::invalid(
            path.child("maxSurge"),
            &canary.max_surge_or_default(),
            msg::MAX_SURGE_MAX_UNAVAILABLE_ZERO,
        ));
    }

    let canary_service = canary.canary_service.as_deref().unwrap_or_default();
    let stable_service = canary.stable_service.as_deref().unwrap_or_default();
    if !canary_service.is_empty() && canary_service == stable_service {
        errs.push(FieldError::invalid(
            path.child("stableService"),
            stable_service,
            msg::DUPLICATED_SERVICES_CANARY,
        ));
    }

    if let Some(ping_pong) = &canary.ping_pong {
        if let Some(routing) = routing
            && routing.alb.is_none()
            && routing.istio.is_none()
            && !has_plugins(routing)
        {
            errs.push(FieldError::invalid(
                path.child("trafficRouting").child("alb"),
                &Rendered("null".to_string()),
                msg::PING_PONG_ROUTERS,
            ));
        }
        let ping_pong_path = path.child("pingPong");
        if ping_pong.ping_service.is_empty() {
            errs.push(FieldError::invalid(
                ping_pong_path.child("pingService"),
                &ping_pong.ping_service,
                msg::PING_PONG_SERVICES_REQUIRED,
            ));
        }
        if ping_pong.pong_service.is_empty() {
            errs.push(FieldError::invalid(
                ping_pong_path.child("pongService"),
                &ping_pong.pong_service,
                msg::PING_PONG_SERVICES_REQUIRED,
            ));
        }
        if ping_pong.ping_service == ping_pong.pong_service {
            errs.push(FieldError::invalid(
                ping_pong_path.child("pingService"),
                &ping_pong.ping_service,
                msg::DUPLICATED_PING_PONG_SERVICES,
            ));
        }
        if let Some(alb) = routing.and_then(|r| r.alb.as_ref()) {
            let root = alb.root_service.as_deref().unwrap_or_default();
            if root.is_empty() {
                errs.push(FieldError::invalid(
                    path.child("trafficRouting").child("alb").child("rootService"),
                    root,
                    msg::ALB_ROOT_SERVICE_REQUIRED,
                ));
            }
        }
    }

    if requires_canary_and_stable_services(canary) {
        if stable_service.is_empty() {
            errs.push(FieldError::invalid(
                path.child("stableService"),
                stable_service,
                msg::TRAFFIC_ROUTING_NEEDS_SERVICES,
            ));
        }
        if canary_service.is_empty() {
            errs.push(FieldError::invalid(
                path.child("canaryService"),
                canary_service,
                msg::TRAFFIC_ROUTING_NEEDS_SERVICES,
            ));
        }
    }

    let dynamic_stable_scale = canary.dynamic_stable_scale.unwrap_or(false);
    match routing {
        None => {
            if let Some(delay) = canary.scale_down_delay_seconds {
                errs.push(FieldError::invalid(
                    path.child("scaleDownDelaySeconds"),
                    &delay,
                    msg::CANARY_SCALE_DOWN_DELAY,
                ));
            }
            if dynamic_stable_scale {
                errs.push(FieldError::invalid(
                    path.child("dynamicStableScale"),
                    &true,
                    msg::CANARY_DYNAMIC_STABLE_SCALE,
                ));
            }
        }
        Some(routing) => {
            if canary.scale_down_delay_seconds.is_some() && dynamic_stable_scale {
                errs.push(FieldError::invalid(
                    path.child("dynamicStableScale"),
                    &true,
                    msg::CANARY_DYNAMIC_STABLE_SCALE_WITH_DELAY,
                ));
            }
            if let Some(max_weight) = routing.max_traffic_weight
                && routing.nginx.is_none()
                && !has_plugins(routing)
            {
                errs.push(FieldError::invalid(
                    path.child("trafficRouting").child("maxTrafficWeight"),
                    &max_weight,
                    msg::MAX_WEIGHT_ONLY_NGINX_AND_PLUGINS,
                ));
            }
        }
    }

    errs.extend(steps::rules(spec, canary, path));
    errs.extend(anti_affinity_rules(
        canary.anti_affinity.as_ref(),
        &path.child("antiAffinity"),
    ));
    errs
}

/// Whether any traffic-router plugin is configured (upstream: `len(plugins) > 0`).
pub(crate) fn has_plugins(routing: &RolloutTrafficRouting) -> bool {
    match &routing.plugins {
        None | Some(serde_json::Value::Null) => false,
        Some(serde_json::Value::Object(map)) => !map.is_empty(),
        Some(_) => true,
    }
}

/// Routers that steer traffic through the canary and stable Services, so both must be named
/// (upstream `requireCanaryStableServices`). ALB and Istio host-splitting are exempt with
/// ping-pong, and Istio subset-splitting always is.
fn requires_canary_and_stable_services(canary: &CanaryStrategy) -> bool {
    let Some(routing) = canary.traffic_routing.as_ref() else {
        return false;
    };
    let ping_pong = canary.ping_pong.is_some();
    (routing.alb.is_some() && !ping_pong)
        || routing
            .istio
            .as_ref()
            .is_some_and(|i| i.destination_rule.is_none() && !ping_pong)
        || routing.smi.is_some()
        || routing.apisix.is_some()
        || routing.ambassador.is_some()
        || routing.nginx.is_some()
        || routing.app_mesh.is_some()
        || routing.traefik.is_some()
}

/// Upstream's reading of maxSurge/maxUnavailable for the both-zero check: a `N%` string is N, any
/// other string is its integer value (0 when it is not a number), an int is itself.
fn percent_or_int(value: &IntOrString) -> i64 {
    if let IntOrString::String(s) = value
        && let Some(digits) = s.strip_suffix('%')
        && !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
    {
        return digits.parse().unwrap_or(i64::MAX);
    }
    crate::defaults::int_value(value)
}
