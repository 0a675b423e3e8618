//! Features a Rollout may configure that the controller does not drive yet: some traffic routers and
//! step plugins. Such a Rollout is refused with an InvalidSpec naming the feature, rather than run
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

/// The first router the Rollout configures that is not supported (ALB, App Mesh, Traefik, Ambassador,
/// APISIX, then plugins other than Gateway API, in the order upstream drives them); `None` when the
/// Rollout uses no router or only supported ones (Istio, NGINX, SMI, Gateway API).
fn unsupported_router(rollout: &Rollout) -> Option<FieldError> {
    let routing = rollout
        .spec
        .strategy
        .as_ref()?
        .canary
        .as_ref()?
        .traffic_routing
        .as_ref()?;
    let built_in = [
        ("appMesh", "AWS App Mesh", routing.app_mesh.is_some()),
        ("traefik", "Traefik", routing.traefik.is_some()),
        ("ambassador", "Ambassador", routing.ambassador.is_some()),
        ("apisix", "Apache APISIX", routing.apisix.is_some()),
    ];
    if let Some((field, name, _)) = built_in.iter().find(|(_, _, set)| *set) {
        return Some(FieldError::forbidden(
            format!("{PATH}.{field}"),
            format!("traffic routing through {name} is not supported yet"),
        ));
    }
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
