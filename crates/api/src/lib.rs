//! The `argoproj.io/v1alpha1` API: Rollout, AnalysisTemplate, ClusterAnalysisTemplate, AnalysisRun and
//! Experiment, with upstream Argo Rollouts' JSON field names, its defaults (as functions, never injected on
//! the wire), its validation rules and messages, and the well-known label, annotation and reason strings.

#![warn(missing_docs)]

pub mod analysis;
pub mod analysis_run;
pub mod bluegreen;
pub mod canary;
pub mod common;
pub mod experiment;
pub mod providers;
pub mod rollout;
pub mod rollout_analysis;
pub mod rollout_status;
mod schema;
pub mod steps;
pub mod traffic;

/// Go's quoting and float forms, and Kubernetes' JSONPath, from `rollouts-compat`.
pub use rollouts_compat::{gofmt, jsonpath};

pub use analysis::{AnalysisTemplate, AnalysisTemplateSpec, ClusterAnalysisTemplate, ClusterAnalysisTemplateSpec};
pub use analysis_run::{AnalysisPhase, AnalysisRun, AnalysisRunSpec, AnalysisRunStatus};
pub use experiment::{Experiment, ExperimentSpec, ExperimentStatus};
pub use rollout::{Rollout, RolloutSpec};
pub use rollout_status::{RolloutPhase, RolloutStatus};
pub mod crd;
pub mod decode;
pub mod defaults;
pub mod duration;
pub mod validation;
pub mod well_known;
