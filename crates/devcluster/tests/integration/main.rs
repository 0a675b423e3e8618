//! The dev cluster's tests: the API server through kube-rs and the real kubectl, workloads, faults
//! and limits. One binary for the crate, so a cold build links once; the tests that change a
//! process-wide setting (the file-handle limit, the umask) are binaries of their own beside it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design

mod common;
mod connections;
mod dataplane;
mod field_validation;
mod kube_client;
mod kubectl_apply;
mod kubectl_bad_input;
mod kubectl_basics;
mod kubectl_corpus;
mod kubectl_crds;
mod kubectl_faults;
mod kubectl_lifecycle;
mod kubectl_logs;
mod kubectl_rbac_objects;
mod kubectl_restart;
mod kubectl_watch;
mod memory;
mod rbac_access;
mod rbac_roles;
mod rbac_tokens;
mod workloads;
