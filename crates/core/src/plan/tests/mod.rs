//! Planner tests: a small in-memory world applies each plan's writes the way the API server would and
//! lets pods become available on demand, so transitions are asserted as exact ordered writes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod analysis_golden;
mod bluegreen_golden;
mod bluegreen_properties;
mod canary_routed_golden;
mod canary_routed_properties;
mod dynamic_stable_scale_golden;
mod experiment_step_golden;
mod experiment_step_routed;
mod golden;
mod properties;
mod set_canary_scale_golden;
mod traffic;
mod traffic_ambassador_traefik;
mod traffic_apisix_appmesh;
mod traffic_properties;
mod unsupported;
mod upstream_bugs;
mod world;
