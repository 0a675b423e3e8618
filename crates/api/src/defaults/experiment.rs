//! Defaults of Experiments and of the experiment step of a Rollout.

use super::{EXPERIMENT_TEMPLATE_REPLICAS, PROGRESS_DEADLINE_SECONDS, SCALE_DOWN_DELAY_SECONDS};
use crate::experiment::{ExperimentSpec, TemplateSpec};
use crate::steps::RolloutExperimentTemplate;

impl ExperimentSpec {
    /// `progressDeadlineSeconds`, 600 when unset (upstream
    /// `GetExperimentProgressDeadlineSecondsOrDefault`).
    pub fn progress_deadline_seconds_or_default(&self) -> i32 {
        self.progress_deadline_seconds.unwrap_or(PROGRESS_DEADLINE_SECONDS)
    }

    /// `scaleDownDelaySeconds`, 30 when unset (upstream `GetExperimentScaleDownDelaySecondsOrDefault`).
    pub fn scale_down_delay_seconds_or_default(&self) -> i32 {
        self.scale_down_delay_seconds.unwrap_or(SCALE_DOWN_DELAY_SECONDS)
    }
}

impl TemplateSpec {
    /// `replicas`, 1 when unset.
    pub fn replicas_or_default(&self) -> i32 {
        self.replicas.unwrap_or(EXPERIMENT_TEMPLATE_REPLICAS)
    }

    /// `minReadySeconds`, 0 when unset.
    pub fn min_ready_seconds_or_default(&self) -> i32 {
        self.min_ready_seconds.unwrap_or(0)
    }
}

impl RolloutExperimentTemplate {
    /// `replicas`, 1 when unset.
    pub fn replicas_or_default(&self) -> i32 {
        self.replicas.unwrap_or(EXPERIMENT_TEMPLATE_REPLICAS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn experiment_defaults() {
        let spec = ExperimentSpec::default();
        assert_eq!(spec.progress_deadline_seconds_or_default(), 600);
        assert_eq!(spec.scale_down_delay_seconds_or_default(), 30);
        assert_eq!(TemplateSpec::default().replicas_or_default(), 1);
        assert_eq!(TemplateSpec::default().min_ready_seconds_or_default(), 0);
        assert_eq!(RolloutExperimentTemplate::default().replicas_or_default(), 1);
        let zero = TemplateSpec {
            replicas: Some(0),
            ..Default::default()
        };
        assert_eq!(zero.replicas_or_default(), 0);
    }
}
