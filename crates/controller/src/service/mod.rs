//! The Service controller (upstream `service/`): it gives back the Services a Rollout no longer uses.
//!
//! The Rollout controller pins the Services it drives to one ReplicaSet with the pod-template-hash
//! selector and marks them with the managed-by annotation. When that Rollout is deleted or stops
//! naming a Service, this controller removes both, so that the Service selects the application's pods
//! again. Its queue (`controller`) is fed by a watch of Services and by a watch of Rollouts (a change
//! to a Rollout enqueues the Services that name it in their annotation); one reconcile (`reconcile`)
//! reads the annotated Rollout and lets `rollouts_core::service::release_patch` decide.

pub(crate) mod context;
pub(crate) mod controller;
pub(crate) mod error;
pub(crate) mod reconcile;
