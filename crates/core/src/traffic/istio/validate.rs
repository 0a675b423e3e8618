//! Upstream's reference validation of the VirtualServices (`GetReferencedVirtualServices`, then
//! `ValidateVirtualService`): each must exist; each must have http, tls or tcp routes; and the routes
//! the Rollout selects must be there, each with both the stable and the canary destination. The
//! checks are the ones weighting makes (`ValidateHTTPRoutes`, `ValidateTlsRoutes`,
//! `ValidateTcpRoutes`), so a Rollout that passes them can be weighted.

use rollouts_api::traffic::IstioVirtualService;
use rollouts_api::validation::FieldError;
use serde_json::Value;

use super::IstioRouter;
use super::names::namespace_and_name;
use super::routes;
use super::virtual_service::spec_routes;
use crate::traffic::Objects;

impl IstioRouter<'_> {
    /// `…istio.virtualServices.name` or `…istio.virtualService.name`, without an index, as upstream.
    fn validation_path(&self) -> String {
        let field = if self.istio.virtual_services.is_some() {
            "virtualServices"
        } else {
            "virtualService"
        };
        format!("spec.strategy.canary.trafficRouting.istio.{field}.name")
    }

    /// The first VirtualService that does not exist, with the API server's NotFound message.
    pub(super) fn missing_virtual_service(&self, objects: &Objects) -> Option<FieldError> {
        self.virtual_services().into_iter().find_map(|virtual_service| {
            let target = self.virtual_service_ref(virtual_service);
            objects.get(&target).is_none().then(|| {
                FieldError::invalid(
                    self.validation_path(),
                    target.name.as_str(),
                    self.not_found(&target).to_string(),
                )
            })
        })
    }

    /// The first problem with the routes of an existing VirtualService.
    pub(super) fn invalid_virtual_service(&self, objects: &Objects) -> Option<FieldError> {
        self.virtual_services().into_iter().find_map(|virtual_service| {
            let target = self.virtual_service_ref(virtual_service);
            let object = objects.get(&target)?;
            let message = self.route_problem(object, virtual_service)?;
            // Upstream names the VirtualService without its namespace.
            let (_, name) = namespace_and_name(&virtual_service.name);
            Some(FieldError::invalid(self.validation_path(), name.as_str(), message))
        })
    }

    /// Upstream's message for the first problem with one VirtualService's routes.
    fn route_problem(&self, object: &Value, virtual_service: &IstioVirtualService) -> Option<String> {
        let (http, tls, tcp) = (
            spec_routes(object, "http"),
            spec_routes(object, "tls"),
            spec_routes(object, "tcp"),
        );
        if http.is_none() && tls.is_none() && tcp.is_none() {
            return Some("Unable to get any of the HTTP, TCP or TLS routes for the Istio VirtualService".to_string());
        }
        let managed = self.managed_routes().unwrap_or_default();
        if let Some(http) = http {
            let Ok(http) = routes::http_routes(http) else {
                return Some("Unable to get HTTP routes for Istio VirtualService".to_string());
            };
            let names = virtual_service.routes.clone().unwrap_or_default();
            if let Err(e) = self.check_http(&names, &http, &managed) {
                return Some(format!("Istio VirtualService has invalid HTTP routes. Error: {e}"));
            }
        }
        if let Some(tls) = tls {
            let Ok(tls) = routes::l4_routes(tls, "VirtualServiceTLSRoute") else {
                return Some("Unable to get TLS routes for Istio VirtualService".to_string());
            };
            let selectors = virtual_service.tls_routes.clone().unwrap_or_default();
            let checked = routes::tls_route_indexes(&selectors, &tls)
                .and_then(|indexes| self.check_l4(("tls", "tlsRoutes"), selectors.is_empty(), indexes, &tls));
            if let Err(e) = checked {
                return Some(format!("Istio VirtualService has invalid TLS routes. Error: {e}"));
            }
        }
        if let Some(tcp) = tcp {
            let Ok(tcp) = routes::l4_routes(tcp, "VirtualServiceTCPRoute") else {
                return Some("Unable to get TCP routes for Istio VirtualService".to_string());
            };
            let selectors = virtual_service.tcp_routes.clone().unwrap_or_default();
            let checked = routes::tcp_route_indexes(&selectors, &tcp)
                .and_then(|indexes| self.check_l4(("tcp", "tcpRoutes"), selectors.is_empty(), indexes, &tcp));
            if let Err(e) = checked {
                return Some(format!("Istio VirtualService has invalid TCP routes. Error: {e}"));
            }
        }
        None
    }
}
