//! The scenarios with the controller running as the install's `argo-rollouts` ServiceAccount: the dev
//! cluster enforces RBAC for it, so each scenario passing shows the install's ClusterRole is enough for
//! what the scenario makes the controller do.

use crate::common::Env;
use crate::{analysis_e2e, bluegreen_e2e, seed_walkthrough};

#[test]
fn seed_walkthrough_as_the_service_account() {
    if let Some(env) = Env::start_as_service_account("sa-walkthrough") {
        seed_walkthrough::walk(&env);
    }
}

#[test]
fn bluegreen_as_the_service_account() {
    if let Some(env) = Env::start_as_service_account("sa-bluegreen") {
        bluegreen_e2e::deploy_promote_abort_and_fast_track(&env);
    }
}

#[test]
fn job_analysis_as_the_service_account() {
    if let Some(env) = Env::start_as_service_account("sa-job-analysis") {
        analysis_e2e::failing_job_step_aborts(&env);
    }
}

#[test]
fn web_analysis_as_the_service_account() {
    if let Some(env) = Env::start_as_service_account("sa-web-analysis") {
        analysis_e2e::inconclusive_web_pauses(&env);
    }
}
