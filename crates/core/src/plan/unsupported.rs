//! Features a Rollout may configure that the controller does not drive yet: traffic-router plugins
//! other than Gateway API, and step plugins. Such a Rollout is refused with an InvalidSpec naming the feature, rather than run
//! without it: a canary sized for weighted traffic that no router moves, or a step that waits forever.

use rollouts_api::Rollout;
use rollouts_api::gofmt::go_quote;
use rollouts_api::validation::FieldError;

const PATH: &str = "spec.strategy.canary.trafficRouting";

/// The first feature the Rollout configures that is not built yet: routers first, then steps in order.
pub fn first_unsupported(rollout: &Rollout) -> Option<FieldError> {
    unsupported_router(rollout).or_else(|| unsupported_step(rollout))
}

/// The first plugin step, which no controller here runs yet; the message names the plugin.
fn unsupported_step(rollout: &Rollout) -> Option<FieldError> {
    let steps = rollout.spec.strategy.as_ref()?.canary.as_ref()?.steps.as_ref()?;
    steps.iter().enumerate().find_map(|(i, step)| {
        let plugin = step.plugin.as_ref()?;
        Some(FieldError::forbidden(
            format!("spec.strategy.canary.steps[{i}].plugin"),
            format!("step plugin {} is not supported yet", go_quote(&plugin.name)),
        ))
    })
}

/// The first traffic-router plugin other than Gateway API; every in-tree router (Istio, NGINX, ALB,
/// SMI, Ambassador, App Mesh, Traefik, APISIX) is driven, so only other plugins are refused.
fn unsupported_router(rollout: &Rollout) -> Option<FieldError> {
    let routing = rollout
        .spec
        .strategy
        .as_ref()?
        .canary
        .as_ref()?
        .traffic_routing
        .as_ref()?;
    let plugin = routing
        .plugins
        .as_ref()?
        .as_object()?
        .keys()
        .find(|name| name.as_str() != crate::traffic::GATEWAY_API_PLUGIN)?;
    Some(FieldError::forbidden(
        format!("{PATH}.plugins"),
        format!("traffic router plugin {} is not supported yet", go_quote(plugin)),
    ))
}
