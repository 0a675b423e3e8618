//! Which traffic routers the controller drives. None is built yet, so a Rollout that configures one is
//! refused with an InvalidSpec naming it, rather than run as if it had no router: its canary would be
//! sized for weighted traffic while no router ever moved any.

use rollouts_api::Rollout;
use rollouts_api::gofmt::go_quote;
use rollouts_api::validation::FieldError;

const PATH: &str = "spec.strategy.canary.trafficRouting";

/// The first router the Rollout configures that is not supported, in the order upstream drives them
/// (Istio, NGINX, ALB, SMI, App Mesh, Traefik, Ambassador, APISIX, then plugins); `None` when the
/// Rollout uses no router.
pub fn unsupported_router(rollout: &Rollout) -> Option<FieldError> {
    let routing = rollout
        .spec
        .strategy
        .as_ref()?
        .canary
        .as_ref()?
        .traffic_routing
        .as_ref()?;
    let built_in = [
        ("istio", "Istio", routing.istio.is_some()),
        ("nginx", "NGINX", routing.nginx.is_some()),
        ("alb", "AWS ALB", routing.alb.is_some()),
        ("smi", "SMI", routing.smi.is_some()),
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
    let plugin = routing.plugins.as_ref()?.as_object()?.keys().next()?;
    Some(FieldError::forbidden(
        format!("{PATH}.plugins"),
        format!("traffic router plugin {} is not supported yet", go_quote(plugin)),
    ))
}
