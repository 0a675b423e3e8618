//! Which weight, or which explicit canary size, the current canary step asks for.

use rollouts_api::RolloutSpec;
use rollouts_api::defaults::AbortScaleDownDelay;
use rollouts_api::rollout_status::RolloutStatus;
use rollouts_api::steps::{CanaryStep, SetCanaryScale};

use super::approximate::weight_to_replicas;
use super::input::{DesiredCanary, ReplicaSets};
use super::traffic_routed::with_min_pods;

/// What the weight helpers need from a canary Rollout's spec and status.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CanaryProgress<'a> {
    /// `spec.replicas` (1 when unset).
    pub replicas: i32,
    /// `trafficRouting.maxTrafficWeight`, 100 otherwise.
    pub max_weight: i32,
    /// `spec.strategy.canary.steps`.
    pub steps: &'a [CanaryStep],
    /// `status.currentStepIndex`; unset reads as 0.
    pub current_step_index: Option<i32>,
    /// Whether `trafficRouting` is configured (`setCanaryScale` only applies then).
    pub traffic_routed: bool,
    /// `dynamicStableScale`.
    pub dynamic_stable_scale: bool,
    /// `minPodsPerReplicaSet` (it only applies with `trafficRouting`).
    pub min_pods_per_replica_set: Option<i32>,
    /// The resolved `abortScaleDownDelaySeconds`.
    pub abort_scale_down_delay: AbortScaleDownDelay,
    /// `status.abort`.
    pub aborted: bool,
    /// `status.promoteFull`.
    pub promote_full: bool,
    /// No update is in progress: `status.stableRS` is empty (first deploy) or equals
    /// `status.currentPodHash` (fully promoted).
    pub stable_is_current: bool,
}

impl<'a> CanaryProgress<'a> {
    /// Reads a canary Rollout; `None` when it has no canary strategy.
    pub fn from_rollout(spec: &'a RolloutSpec, status: Option<&RolloutStatus>) -> Option<Self> {
        let canary = spec.strategy.as_ref()?.canary.as_ref()?;
        let stable_rs = status.and_then(|s| s.stable_rs.as_deref()).unwrap_or("");
        let current_pod_hash = status.and_then(|s| s.current_pod_hash.as_deref()).unwrap_or("");
        Some(Self {
            replicas: spec.replicas_or_default(),
            max_weight: spec.max_traffic_weight(),
            steps: canary.steps.as_deref().unwrap_or(&[]),
            current_step_index: status.and_then(|s| s.current_step_index),
            traffic_routed: canary.traffic_routing.is_some(),
            dynamic_stable_scale: canary.dynamic_stable_scale.unwrap_or(false),
            min_pods_per_replica_set: canary.min_pods_per_replica_set,
            abort_scale_down_delay: canary.abort_scale_down_delay(),
            aborted: status.and_then(|s| s.abort).unwrap_or(false),
            promote_full: status.and_then(|s| s.promote_full).unwrap_or(false),
            stable_is_current: stable_rs.is_empty() || stable_rs == current_pod_hash,
        })
    }

    /// The index of the current step, or `None` when there are no steps or all of them are done
    /// (upstream `GetCurrentCanaryStep`). A negative index, which upstream would crash on, reads as 0.
    pub fn current_step_position(&self) -> Option<usize> {
        let index = usize::try_from(self.current_step_index.unwrap_or(0)).unwrap_or(0);
        (index < self.steps.len()).then_some(index)
    }

    /// The steps from the current one back to the first, nearest first.
    fn steps_up_to_current(&self) -> impl Iterator<Item = &'a CanaryStep> {
        let upto = self.current_step_position().map_or(0, |i| i + 1);
        let steps: &'a [CanaryStep] = self.steps.get(..upto).unwrap_or_default();
        steps.iter().rev()
    }

    /// The weight of the last `setWeight` at or before the current step (upstream `GetCurrentSetWeight`):
    /// 0 when aborted or when no earlier step set one, the maximum weight once every step is done (or
    /// when there are no steps).
    pub fn current_set_weight(&self) -> i32 {
        if self.aborted {
            return 0;
        }
        if self.current_step_position().is_none() {
            return self.max_weight;
        }
        self.steps_up_to_current().find_map(|step| step.set_weight).unwrap_or(0)
    }

    /// The `setCanaryScale` in force (upstream `UseSetCanaryScale`): the last one at or before the
    /// current step, unless it is `matchTrafficWeight`. It needs traffic routing, and after an abort it is
    /// only honoured when `abortScaleDownDelaySeconds` is 0 (the user asked to leave the canary up).
    pub fn active_set_canary_scale(&self) -> Option<&'a SetCanaryScale> {
        if !self.traffic_routed {
            return None;
        }
        if self.aborted && self.abort_scale_down_delay.seconds.is_some() {
            return None;
        }
        self.current_step_position()?;
        let scale = self
            .steps_up_to_current()
            .find_map(|step| step.set_canary_scale.as_ref())?;
        if scale.match_traffic_weight.unwrap_or(false) {
            return None;
        }
        Some(scale)
    }

    /// What the canary should be sized from (upstream `GetCanaryReplicasOrWeight`): the maximum weight
    /// when fully promoting or when no update is in progress; an active `setCanaryScale`'s replicas or
    /// weight; otherwise [`Self::desired_canary_weight`].
    pub fn canary_replicas_or_weight(&self, replica_sets: &ReplicaSets) -> DesiredCanary {
        if self.promote_full || self.stable_is_current {
            return DesiredCanary::Weight(self.max_weight);
        }
        if let Some(scale) = self.active_set_canary_scale() {
            if let Some(replicas) = scale.replicas {
                return DesiredCanary::Replicas(replicas);
            }
            if let Some(weight) = scale.weight {
                return DesiredCanary::Weight(weight);
            }
        }
        DesiredCanary::Weight(self.desired_canary_weight(replica_sets))
    }

    /// The canary weight of the current step (upstream `GetDesiredCanaryWeight`).
    ///
    /// Normally [`Self::current_set_weight`]. An aborted rollout with `dynamicStableScale` instead steps
    /// back down through the `setWeight` steps, so that the stable grows back gradually instead of all at
    /// once: it takes the last step (scanning all steps from the end) whose canary size is below the
    /// canary pods still needed — those the stable cannot serve yet, or those still available if more,
    /// unless an explicit abort scale-down delay keeps the canary up, in which case only the former count
    /// (otherwise the weight could never drop below the smallest step and the abort would wait forever).
    pub fn desired_canary_weight(&self, replica_sets: &ReplicaSets) -> i32 {
        let (Some(new), Some(stable)) = (replica_sets.new, replica_sets.stable_view()) else {
            return self.current_set_weight();
        };
        if !(self.aborted && self.dynamic_stable_scale) {
            return self.current_set_weight();
        }
        let replicas = i64::from(self.replicas);
        let not_served_by_stable = replicas - i64::from(stable.available_replicas);
        let canary_needed = if self.abort_scale_down_delay.is_explicit_delay() {
            not_served_by_stable
        } else {
            not_served_by_stable.max(i64::from(new.available_replicas))
        };
        // A step's canary size counts the pods `minPodsPerReplicaSet` adds: otherwise a canary held at
        // that minimum always looks bigger than its smallest step, and the weight never reaches 0
        // (upstream #4841).
        let step_pods = |weight| {
            let pods = weight_to_replicas(self.replicas, weight, self.max_weight);
            let pods = if self.traffic_routed {
                with_min_pods(pods, self.min_pods_per_replica_set, self.replicas)
            } else {
                pods
            };
            i64::from(pods)
        };
        self.steps
            .iter()
            .rev()
            .filter_map(|step| step.set_weight)
            .find(|&weight| step_pods(weight) < canary_needed)
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canary::input::{ReplicaSetCounts, StableReplicaSet};

    fn weight(w: i32) -> CanaryStep {
        CanaryStep {
            set_weight: Some(w),
            ..Default::default()
        }
    }

    fn pause() -> CanaryStep {
        CanaryStep {
            pause: Some(Default::default()),
            ..Default::default()
        }
    }

    fn scale(replicas: Option<i32>, match_traffic_weight: bool) -> CanaryStep {
        CanaryStep {
            set_canary_scale: Some(SetCanaryScale {
                replicas,
                match_traffic_weight: Some(match_traffic_weight),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    fn progress(steps: &[CanaryStep], index: Option<i32>) -> CanaryProgress<'_> {
        CanaryProgress {
            replicas: 10,
            max_weight: 100,
            steps,
            current_step_index: index,
            traffic_routed: true,
            dynamic_stable_scale: false,
            min_pods_per_replica_set: None,
            abort_scale_down_delay: AbortScaleDownDelay {
                seconds: Some(30),
                explicitly_set: false,
            },
            aborted: false,
            promote_full: false,
            stable_is_current: false,
        }
    }

    #[test]
    fn current_set_weight_looks_back_from_the_current_step() {
        let steps = [pause(), weight(20), pause(), weight(40), pause()];
        let at = |index| progress(&steps, index).current_set_weight();
        assert_eq!(at(None), 0);
        assert_eq!(at(Some(0)), 0);
        assert_eq!(at(Some(1)), 20);
        assert_eq!(at(Some(2)), 20);
        assert_eq!(at(Some(4)), 40);
        assert_eq!(at(Some(5)), 100);
        assert_eq!(at(Some(-1)), 0);
        assert_eq!(progress(&[], None).current_set_weight(), 100);
    }

    #[test]
    fn set_canary_scale_holds_until_match_traffic_weight() {
        let steps = [scale(Some(2), false), weight(20), scale(None, true), weight(40)];
        let at = |index| {
            progress(&steps, index)
                .active_set_canary_scale()
                .and_then(|s| s.replicas)
        };
        assert_eq!(at(Some(0)), Some(2));
        assert_eq!(at(Some(1)), Some(2));
        assert_eq!(at(Some(2)), None);
        assert_eq!(at(Some(3)), None);
        assert_eq!(at(Some(4)), None);

        let mut basic = progress(&steps, Some(1));
        basic.traffic_routed = false;
        assert_eq!(basic.active_set_canary_scale(), None);
    }

    #[test]
    fn set_canary_scale_survives_an_abort_only_without_scale_down() {
        let steps = [scale(Some(2), false)];
        let mut aborted = progress(&steps, Some(0));
        aborted.aborted = true;
        assert_eq!(
            aborted.canary_replicas_or_weight(&ReplicaSets::default()),
            DesiredCanary::Weight(0)
        );
        aborted.abort_scale_down_delay = AbortScaleDownDelay {
            seconds: None,
            explicitly_set: true,
        };
        assert_eq!(
            aborted.canary_replicas_or_weight(&ReplicaSets::default()),
            DesiredCanary::Replicas(2)
        );
    }

    #[test]
    fn no_update_in_progress_means_full_weight() {
        let steps = [weight(20)];
        let mut done = progress(&steps, Some(0));
        done.stable_is_current = true;
        assert_eq!(
            done.canary_replicas_or_weight(&ReplicaSets::default()),
            DesiredCanary::Weight(100)
        );
    }

    #[test]
    fn dynamic_abort_steps_down_from_the_last_matching_step() {
        let steps = [weight(10), weight(30), weight(60)];
        let mut aborted = progress(&steps, Some(0));
        aborted.aborted = true;
        aborted.dynamic_stable_scale = true;
        let sets = |canary_available: i32, stable_available: i32| ReplicaSets {
            new: Some(ReplicaSetCounts::settled(canary_available)),
            stable: StableReplicaSet::Separate(ReplicaSetCounts::settled(stable_available)),
            others: vec![],
        };
        assert_eq!(aborted.desired_canary_weight(&sets(6, 4)), 30);
        assert_eq!(aborted.desired_canary_weight(&sets(3, 7)), 10);
        assert_eq!(aborted.desired_canary_weight(&sets(1, 9)), 0);
        // Without both ReplicaSets it is simply the abort weight.
        assert_eq!(aborted.desired_canary_weight(&ReplicaSets::default()), 0);
    }

    /// Upstream #4841: a canary held at `minPodsPerReplicaSet` is no bigger than its smallest step, so
    /// the weight steps down to 0 instead of staying on that step for good.
    #[test]
    fn dynamic_abort_counts_the_pods_min_pods_adds_to_a_step() {
        let steps = [weight(5), pause()];
        let mut aborted = progress(&steps, Some(0));
        aborted.aborted = true;
        aborted.dynamic_stable_scale = true;
        let whole_stable = ReplicaSets {
            new: Some(ReplicaSetCounts::settled(2)),
            stable: StableReplicaSet::Separate(ReplicaSetCounts::settled(10)),
            others: vec![],
        };
        assert_eq!(
            aborted.desired_canary_weight(&whole_stable),
            5,
            "1 pod for 5% < 2 available"
        );
        aborted.min_pods_per_replica_set = Some(2);
        assert_eq!(aborted.desired_canary_weight(&whole_stable), 0);
        // A stable still short of pods keeps the weight on the canary.
        let short_stable = ReplicaSets {
            stable: StableReplicaSet::Separate(ReplicaSetCounts::settled(7)),
            ..whole_stable
        };
        assert_eq!(aborted.desired_canary_weight(&short_stable), 5);
    }
}
