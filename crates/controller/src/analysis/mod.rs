//! AnalysisRuns at run time: the metric providers that take measurements.

pub mod providers;
