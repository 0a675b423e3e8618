//! AnalysisRuns as pure functions: the value a metric provider returned ([`value`]), the condition
//! language that judges it ([`condition`]), and the run's reconcile — which measurements to take next and
//! what the run's status becomes once they are taken ([`run`]).

pub mod condition;
pub mod run;
pub mod value;
