//! The plugin's tests: commands against the dev cluster, rendering, and the end-to-end runs with the
//! controller. One binary for the crate, so a cold build links the kube stack once.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design

mod alb_e2e;
mod analysis_e2e;
mod apisix_appmesh_e2e;
mod as_service_account;
mod bluegreen_e2e;
mod commands;
mod commands_experiments;
mod commands_more;
mod commands_undo_create_terminate;
mod common;
mod controller_e2e;
mod experiment_e2e;
mod gateway_api_e2e;
mod get_watch_reconnect;
mod header_mirror_e2e;
mod istio_e2e;
mod kubectl_plugin;
mod nginx_e2e;
mod rbac_minimal;
mod render_get;
mod seed_walkthrough;
mod traefik_ambassador_e2e;
mod traffic_routing_e2e;
