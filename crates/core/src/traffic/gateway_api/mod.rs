//! Gateway API routing, built in: the router the out-of-tree `argoproj-labs/gatewayAPI` traffic-router
//! plugin provides upstream, configured exactly as that plugin is
//! (`trafficRouting.plugins["argoproj-labs/gatewayAPI"]`), so a Rollout written for it runs unchanged.
//!
//! - `setWeight`: in each HTTPRoute and GRPCRoute, every rule but the header-route rules sends the canary
//!   weight to the canary Service and the rest of `maxTrafficWeight` to the stable Service; in each
//!   TCPRoute and TLSRoute every such backend is weighted. Backends naming other Services are left
//!   alone; a running experiment's Services join the first weighted rule of each HTTPRoute. The routes
//!   carry the in-progress label while the canary weight is above 0.
//! - `setHeaderRoute`: on the HTTPRoutes and GRPCRoutes with `useHeaderRoutes` (the single `httpRoute`
//!   and `grpcRoute` always have it), rules that send header-matched requests to the canary
//!   ([`header_route`]); with no `match`, and on `removeManagedRoutes`, those rules go.
//! - `setMirrorRoute`: the plugin accepts it and does nothing, so a mirror step would silently mirror
//!   nothing; here adding a mirror route is an error, and removing one (there never is one) succeeds.
//! - `updateHash`: nothing, as the plugin; the routes name Services, not pod hashes.
//!
//! The rules of header routes are recognised from the route itself, by their names (the managed
//! route's, or it followed by `-<n>`) and, for rules written before rules had names, by their shape (a
//! single backend, the canary). The plugin once recorded them in a ConfigMap
//! (`argo-gatewayapi-configmap`, or the one its former `configMap` field named, a field accepted and
//! ignored here as it is now); its current release no longer reads or writes it and recognises earlier
//! rules the same way as here, so the ConfigMap is not needed for the objects it wrote either.
//!
//! Route selectors (`httpRouteSelector`, `grpcRouteSelector`, `tcpRouteSelector`, `tlsRouteSelector`)
//! add every route of their kind in the configuration's namespace whose labels match, listed by the
//! controller ([`Router::selectors`]) and weighted after the named routes, in name order, with header
//! routes off, as the plugin does. A route both named and selected is driven once, as named.
//!
//! Reference validation (the plugin has none): a named route that does not exist makes the Rollout
//! InvalidSpec, naming the configuration field and the route, rather than failing every reconcile.

mod config;
mod experiment;
mod grpc_route;
mod header_route;
mod http_route;
mod labels;
mod managed;
mod route;
mod tcp_route;
mod weights;

use std::collections::BTreeSet;

use rollouts_api::rollout_status::WeightDestination;
use rollouts_api::steps::{SetHeaderRoute, SetMirrorRoute};

pub use config::{
    CONFIG_PATH, DEFAULT_IN_PROGRESS_LABEL_KEY, DEFAULT_IN_PROGRESS_LABEL_VALUE, GatewayApiConfig, InProgressLabel,
    NamedRoute, PLUGIN_NAME, RouteSelector,
};
pub use route::RouteKind;

use rollouts_api::validation::FieldError;

use super::{ObjectRef, ObjectSelector, Objects, Router, RouterError, RouterInput};

/// The plugin's message when the configuration names no route.
pub const NO_ROUTES: &str = "No routes configured. At least one of 'httpRoutes', 'grpcRoutes', 'tcpRoutes', 'tlsRoutes', 'httpRoute', 'grpcRoute', 'tcpRoute' or 'tlsRoute' must be set";

/// The Gateway API router of a Rollout, when its `trafficRouting.plugins` configures it.
pub fn router<'a>(input: RouterInput<'a>) -> Option<Box<dyn Router + 'a>> {
    let config = input.routing()?.plugins.as_ref()?.get(PLUGIN_NAME)?;
    Some(Box::new(GatewayApiRouter {
        input,
        config: GatewayApiConfig::parse(config, input.namespace()),
    }))
}

/// The router: the Rollout and its configuration, or why the configuration cannot be used.
pub struct GatewayApiRouter<'a> {
    input: RouterInput<'a>,
    config: Result<GatewayApiConfig, RouterError>,
}

/// What every operation works from.
struct Context<'a> {
    input: RouterInput<'a>,
    config: &'a GatewayApiConfig,
    stable: String,
    canary: String,
    max_weight: i32,
    managed_names: BTreeSet<String>,
}

impl Context<'_> {
    /// The routes of `kind` to weight: the named ones, then those the kind's selector picks (in name
    /// order, header routes off) that are not named too.
    fn weighted_routes(&self, objects: &Objects, kind: RouteKind) -> Vec<NamedRoute> {
        let mut routes = self.config.routes(kind).to_vec();
        let Some(selector) = self.config.selector(kind) else {
            return routes;
        };
        let selector = route::selector(kind, &self.config.namespace, &selector.labels);
        for found in objects.list(&selector) {
            let name = ObjectRef::of(found).name;
            if !routes.iter().any(|r| r.name == name) {
                routes.push(NamedRoute {
                    name,
                    use_header_routes: false,
                    field: String::new(),
                });
            }
        }
        routes
    }
}

impl<'a> GatewayApiRouter<'a> {
    fn context(&'a self) -> Result<Context<'a>, RouterError> {
        let config = self.config.as_ref().map_err(Clone::clone)?;
        // The plugin reads `stableService` and `canaryService` as they are; ping-pong is not preferred.
        let (stable, canary) = self.input.stable_and_canary_services(false);
        Ok(Context {
            input: self.input,
            config,
            stable,
            canary,
            max_weight: self.input.max_weight(),
            managed_names: managed::managed_route_names(&self.input),
        })
    }

    /// The routes of `kind` that take header routes.
    fn header_routes(config: &GatewayApiConfig, kind: RouteKind) -> impl Iterator<Item = &NamedRoute> {
        config.routes(kind).iter().filter(|r| r.use_header_routes)
    }

    fn remove_header_rules(&self, objects: &mut Objects) -> Result<(), RouterError> {
        let ctx = self.context()?;
        for kind in [RouteKind::Http, RouteKind::Grpc] {
            for route in Self::header_routes(ctx.config, kind) {
                header_route::remove_managed_rules(objects, &ctx, kind, &route.name)?;
            }
        }
        Ok(())
    }
}

impl Router for GatewayApiRouter<'_> {
    fn kind(&self) -> &'static str {
        "GatewayAPI"
    }

    fn references(&self) -> Vec<ObjectRef> {
        let Ok(config) = &self.config else {
            return Vec::new();
        };
        let mut refs: Vec<ObjectRef> = RouteKind::ALL
            .iter()
            .flat_map(|kind| {
                config
                    .routes(*kind)
                    .iter()
                    .map(|r| kind.reference(&config.namespace, &r.name))
            })
            .collect();
        if !config.http_routes.is_empty() || config.selector(RouteKind::Http).is_some() {
            refs.extend(
                experiment::experiment_service_names(&self.input)
                    .iter()
                    .map(|name| ObjectRef::new("v1", "Service", self.input.namespace(), name)),
            );
        }
        refs
    }

    fn selectors(&self) -> Vec<ObjectSelector> {
        let Ok(config) = &self.config else {
            return Vec::new();
        };
        config
            .selectors
            .iter()
            .map(|s| route::selector(s.kind, &config.namespace, &s.labels))
            .collect()
    }

    /// A named route that does not exist; routes found by a selector exist by definition.
    fn missing_reference(&self, objects: &Objects) -> Option<FieldError> {
        let config = self.config.as_ref().ok()?;
        RouteKind::ALL.iter().find_map(|&kind| {
            config
                .routes(kind)
                .iter()
                .find(|r| objects.get(&kind.reference(&config.namespace, &r.name)).is_none())
                .map(|r| {
                    FieldError::invalid(
                        format!("{CONFIG_PATH}.{}", r.field),
                        r.name.as_str(),
                        route::not_found(kind, &r.name),
                    )
                })
        })
    }

    fn update_hash(
        &self,
        _objects: &mut Objects,
        _canary_hash: &str,
        _stable_hash: &str,
        _additional: &[WeightDestination],
    ) -> Result<(), RouterError> {
        Ok(())
    }

    fn set_weight(
        &self,
        objects: &mut Objects,
        weight: i32,
        additional: &[WeightDestination],
    ) -> Result<(), RouterError> {
        let ctx = self.context()?;
        let [http, grpc, tcp, tls] = RouteKind::ALL.map(|kind| ctx.weighted_routes(objects, kind));
        if http.is_empty() && grpc.is_empty() && tcp.is_empty() && tls.is_empty() {
            return Err(RouterError::new(NO_ROUTES));
        }
        for route in &http {
            http_route::set_weight(objects, &ctx, route, weight, additional)?;
        }
        for route in &grpc {
            grpc_route::set_weight(objects, &ctx, route, weight)?;
        }
        for (kind, routes) in [(RouteKind::Tcp, &tcp), (RouteKind::Tls, &tls)] {
            for route in routes {
                tcp_route::set_weight(objects, &ctx, kind, route, weight)?;
            }
        }
        Ok(())
    }

    fn set_header_route(&self, objects: &mut Objects, step: &SetHeaderRoute) -> Result<(), RouterError> {
        if step.r#match.as_ref().is_none_or(Vec::is_empty) {
            return self.remove_header_rules(objects);
        }
        let ctx = self.context()?;
        let name = step.name.as_deref().unwrap_or_default();
        for kind in [RouteKind::Http, RouteKind::Grpc] {
            for route in Self::header_routes(ctx.config, kind) {
                // Checked per route, as the plugin does: a bad match fails only where it would be used.
                let headers = header_route::header_matches(step)?;
                header_route::set_header_route(objects, &ctx, kind, &route.name, name, &headers)?;
            }
        }
        Ok(())
    }

    fn set_mirror_route(&self, _objects: &mut Objects, step: &SetMirrorRoute) -> Result<(), RouterError> {
        self.context()?;
        if step.r#match.as_ref().is_none_or(Vec::is_empty) {
            return Ok(());
        }
        Err(RouterError::new(format!(
            "setMirrorRoute {}: the Gateway API router ({PLUGIN_NAME}) does not mirror traffic",
            rollouts_api::gofmt::go_quote(&step.name)
        )))
    }

    fn remove_managed_routes(&self, objects: &mut Objects) -> Result<(), RouterError> {
        self.remove_header_rules(objects)
    }
}

#[cfg(test)]
mod tests;
