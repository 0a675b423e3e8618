//! Upstream's checks of the Ingresses an ALB Rollout names (`ValidateRolloutAlbIngressesConfig`,
//! `getReferencedALBIngresses` and `validateAlbIngress`), with upstream's paths and messages.

use rollouts_api::gofmt::go_quote;
use rollouts_api::validation::{FieldError, Rendered};

use super::{Alb, rules};
use crate::traffic::Objects;

/// Where the errors point.
const PATH: &str = "spec.strategy.canary.trafficRouting.alb";

/// `ingress` or `ingresses` must be set, not both; then every Ingress named must exist.
pub(super) fn missing_reference(alb: &Alb<'_>, objects: &Objects) -> Option<FieldError> {
    let many = alb.config.ingresses.is_some();
    let single = alb.config.ingress.as_deref().is_some_and(|i| !i.is_empty());
    if many && single {
        return Some(FieldError::internal(
            PATH,
            "Either Ingress or Ingresses must be configured. Both are configured.",
        ));
    }
    if !many && !single {
        return Some(FieldError::internal(
            PATH,
            "Either Ingress or Ingresses must be configured. Neither are configured.",
        ));
    }
    let missing = alb
        .ingress_names()
        .into_iter()
        .find(|name| objects.get(&alb.ingress_ref(name)).is_none())?;
    let message = format!("ingress.networking.k8s.io {} not found", go_quote(missing));
    Some(match alb.config.ingresses.as_ref() {
        // Upstream reports the whole list, as Go prints a `[]string`.
        Some(list) => {
            let quoted: Vec<String> = list.iter().map(|n| go_quote(n)).collect();
            let value = Rendered(format!("[]string{{{}}}", quoted.join(", ")));
            FieldError::invalid(format!("{PATH}.ingresses"), &value, message)
        }
        None => FieldError::invalid(format!("{PATH}.ingress"), missing, message),
    })
}

/// Every Ingress must have a path sending to the root (or stable) Service.
pub(super) fn rules(alb: &Alb<'_>, objects: &Objects) -> Option<FieldError> {
    let service = alb.action_service();
    let many = alb.config.ingresses.is_some();
    alb.ingress_names().into_iter().find_map(|name| {
        let ingress = objects.get(&alb.ingress_ref(name))?;
        if rules::has_rule_with_service(ingress, &service) {
            return None;
        }
        let field = if many { "ingresses" } else { "ingress" };
        Some(FieldError::invalid(
            format!("{PATH}.{field}"),
            name,
            format!("ingress `{name}` has no rules using service {service} backend"),
        ))
    })
}
