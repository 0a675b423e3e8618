//! Defaults of the Rollout and its strategies: replicas and history limits, surge and unavailability,
//! scale-down delays, traffic weights.

use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::{
    ABORT_SCALE_DOWN_DELAY_SECONDS, MAX_SURGE, MAX_TRAFFIC_WEIGHT, MAX_UNAVAILABLE, MIRROR_PERCENTAGE,
    PROGRESS_DEADLINE_SECONDS, REPLICAS, REVISION_HISTORY_LIMIT, SCALE_DOWN_DELAY_SECONDS,
    SUCCESSFUL_RUN_HISTORY_LIMIT, UNSUCCESSFUL_RUN_HISTORY_LIMIT, clamp_i32, scaled_int_or_percent,
};
use crate::bluegreen::BlueGreenStrategy;
use crate::canary::CanaryStrategy;
use crate::rollout::RolloutSpec;
use crate::steps::SetMirrorRoute;
use crate::traffic::RolloutTrafficRouting;

/// Surge and unavailability of a canary update, in pods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fenceposts {
    /// Pods above `spec.replicas` the update may create.
    pub max_surge: i32,
    /// Pods below `spec.replicas` that may be unavailable during the update.
    pub max_unavailable: i32,
}

/// When the ReplicaSet being replaced is scaled down after an abort.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AbortScaleDownDelay {
    /// Seconds to wait before scaling down; `None` when the user set 0, meaning "never scale down".
    pub seconds: Option<i32>,
    /// Whether the user set `abortScaleDownDelaySeconds` at all.
    pub explicitly_set: bool,
}

impl RolloutSpec {
    /// `spec.replicas`, 1 when unset (upstream `GetReplicasOrDefault`).
    pub fn replicas_or_default(&self) -> i32 {
        self.replicas.unwrap_or(REPLICAS)
    }

    /// `spec.revisionHistoryLimit`, 10 when unset (upstream `GetRevisionHistoryLimitOrDefault`).
    pub fn revision_history_limit_or_default(&self) -> i32 {
        self.revision_history_limit.unwrap_or(REVISION_HISTORY_LIMIT)
    }

    /// `spec.progressDeadlineSeconds`, 600 when unset (upstream `GetProgressDeadlineSecondsOrDefault`).
    pub fn progress_deadline_seconds_or_default(&self) -> i32 {
        self.progress_deadline_seconds.unwrap_or(PROGRESS_DEADLINE_SECONDS)
    }

    /// `spec.minReadySeconds`, 0 when unset (a plain int32 upstream).
    pub fn min_ready_seconds_or_default(&self) -> i32 {
        self.min_ready_seconds.unwrap_or(0)
    }

    /// How many successful AnalysisRuns and Experiments to keep, 5 when unset (upstream
    /// `GetAnalysisRunSuccessfulHistoryLimitOrDefault`).
    pub fn successful_run_history_limit_or_default(&self) -> i32 {
        self.analysis
            .as_ref()
            .and_then(|a| a.successful_run_history_limit)
            .unwrap_or(SUCCESSFUL_RUN_HISTORY_LIMIT)
    }

    /// How many unsuccessful (Failed, Error, Inconclusive) AnalysisRuns and Experiments to keep, 5 when
    /// unset (upstream `GetAnalysisRunUnsuccessfulHistoryLimitOrDefault`).
    pub fn unsuccessful_run_history_limit_or_default(&self) -> i32 {
        self.analysis
            .as_ref()
            .and_then(|a| a.unsuccessful_run_history_limit)
            .unwrap_or(UNSUCCESSFUL_RUN_HISTORY_LIMIT)
    }

    /// The canary's `maxSurge`, `"25"` (25%) otherwise (upstream `GetMaxSurgeOrDefault`).
    pub fn max_surge_or_default(&self) -> IntOrString {
        self.strategy.as_ref().and_then(|s| s.canary.as_ref()).map_or_else(
            || IntOrString::String(MAX_SURGE.to_string()),
            CanaryStrategy::max_surge_or_default,
        )
    }

    /// `maxUnavailable` of the blue-green strategy, else of the canary, `"25"` (25%) otherwise
    /// (upstream `GetMaxUnavailableOrDefault`, which looks at blue-green first).
    pub fn max_unavailable_or_default(&self) -> IntOrString {
        let strategy = self.strategy.as_ref();
        strategy
            .and_then(|s| s.blue_green.as_ref())
            .and_then(|b| b.max_unavailable.clone())
            .or_else(|| {
                strategy
                    .and_then(|s| s.canary.as_ref())
                    .and_then(|c| c.max_unavailable.clone())
            })
            .unwrap_or_else(|| IntOrString::String(MAX_UNAVAILABLE.to_string()))
    }

    /// Pods the update may add above `spec.replicas`: 0 for blue-green, the canary's resolved
    /// `maxSurge` otherwise (upstream `replicasetutil.MaxSurge`).
    pub fn max_surge_pods(&self) -> i32 {
        match self.strategy.as_ref().and_then(|s| s.canary.as_ref()) {
            Some(canary) => canary.fenceposts(self.replicas_or_default()).max_surge,
            None => 0,
        }
    }

    /// Pods that may be unavailable during the update, capped at `spec.replicas` (0 when scaled to 0):
    /// the canary's resolved fenceposts, or blue-green's `maxUnavailable` rounded down (upstream
    /// `replicasetutil.MaxUnavailable`).
    pub fn max_unavailable_pods(&self) -> i32 {
        let replicas = self.replicas_or_default();
        if replicas == 0 {
            return 0;
        }
        let unavailable = match self.strategy.as_ref().and_then(|s| s.canary.as_ref()) {
            Some(canary) => canary.fenceposts(replicas).max_unavailable,
            None => scaled_int_or_percent(&self.max_unavailable_or_default(), replicas, false).map_or(0, clamp_i32),
        };
        unavailable.min(replicas)
    }

    /// Delay before the previous ReplicaSet is scaled down: blue-green's `scaleDownDelaySeconds` (30
    /// when unset), a traffic-routed canary's (30 when unset), and 0 for a canary without traffic
    /// routing (upstream `GetScaleDownDelaySecondsOrDefault`).
    pub fn scale_down_delay_seconds_or_default(&self) -> i32 {
        let Some(strategy) = self.strategy.as_ref() else {
            return 0;
        };
        if let Some(canary) = strategy.canary.as_ref() {
            return canary.scale_down_delay_seconds_or_default();
        }
        strategy
            .blue_green
            .as_ref()
            .map_or(0, BlueGreenStrategy::scale_down_delay_seconds_or_default)
    }

    /// Delay before scaling down after an abort (upstream `GetAbortScaleDownDelaySecondsOrDefault`):
    /// blue-green's, else a traffic-routed canary's; 30 when unset, `None` when set to 0.
    pub fn abort_scale_down_delay(&self) -> AbortScaleDownDelay {
        let strategy = self.strategy.as_ref();
        if let Some(blue_green) = strategy.and_then(|s| s.blue_green.as_ref()) {
            return blue_green.abort_scale_down_delay();
        }
        if let Some(canary) = strategy.and_then(|s| s.canary.as_ref()) {
            return canary.abort_scale_down_delay();
        }
        AbortScaleDownDelay {
            seconds: Some(0),
            explicitly_set: false,
        }
    }

    /// The highest canary weight: `trafficRouting.maxTrafficWeight`, 100 otherwise (upstream
    /// `weightutil.MaxTrafficWeight`).
    pub fn max_traffic_weight(&self) -> i32 {
        self.strategy
            .as_ref()
            .and_then(|s| s.canary.as_ref())
            .and_then(|c| c.traffic_routing.as_ref())
            .map_or(MAX_TRAFFIC_WEIGHT, RolloutTrafficRouting::max_traffic_weight_or_default)
    }
}

impl CanaryStrategy {
    /// `maxSurge`, `"25"` (25%) when unset.
    pub fn max_surge_or_default(&self) -> IntOrString {
        self.max_surge
            .clone()
            .unwrap_or_else(|| IntOrString::String(MAX_SURGE.to_string()))
    }

    /// `maxUnavailable`, `"25"` (25%) when unset.
    pub fn max_unavailable_or_default(&self) -> IntOrString {
        self.max_unavailable
            .clone()
            .unwrap_or_else(|| IntOrString::String(MAX_UNAVAILABLE.to_string()))
    }

    /// `maxSurge` and `maxUnavailable` in pods for `replicas` (upstream `resolveFenceposts`): surge
    /// percentages round up, unavailability rounds down, any string is a percentage; when both come
    /// out 0, unavailability becomes 1 so that the update can move. A value that is not a number
    /// resolves both to 0 (then 1 unavailable), as upstream ignores the error.
    pub fn fenceposts(&self, replicas: i32) -> Fenceposts {
        let surge = scaled_int_or_percent(&self.max_surge_or_default(), replicas, true);
        let unavailable = scaled_int_or_percent(&self.max_unavailable_or_default(), replicas, false);
        let (max_surge, mut max_unavailable) = match (surge, unavailable) {
            (Ok(s), Ok(u)) => (clamp_i32(s), clamp_i32(u)),
            _ => (0, 0),
        };
        if max_surge == 0 && max_unavailable == 0 {
            max_unavailable = 1;
        }
        Fenceposts {
            max_surge,
            max_unavailable,
        }
    }

    /// `scaleDownDelaySeconds`: 30 when unset with traffic routing; without traffic routing there is no
    /// delay at all and this is 0 (upstream `GetScaleDownDelaySecondsOrDefault`).
    pub fn scale_down_delay_seconds_or_default(&self) -> i32 {
        if self.traffic_routing.is_none() {
            return 0;
        }
        self.scale_down_delay_seconds.unwrap_or(SCALE_DOWN_DELAY_SECONDS)
    }

    /// `abortScaleDownDelaySeconds`: only traffic-routed canaries delay (30 when unset, `None` = never
    /// when set to 0); a basic canary scales down at once (upstream
    /// `GetAbortScaleDownDelaySecondsOrDefault`).
    pub fn abort_scale_down_delay(&self) -> AbortScaleDownDelay {
        if self.traffic_routing.is_none() {
            return AbortScaleDownDelay {
                seconds: Some(0),
                explicitly_set: false,
            };
        }
        abort_delay(self.abort_scale_down_delay_seconds)
    }
}

fn abort_delay(set: Option<i32>) -> AbortScaleDownDelay {
    match set {
        None => AbortScaleDownDelay {
            seconds: Some(ABORT_SCALE_DOWN_DELAY_SECONDS),
            explicitly_set: false,
        },
        Some(0) => AbortScaleDownDelay {
            seconds: None,
            explicitly_set: true,
        },
        Some(s) => AbortScaleDownDelay {
            seconds: Some(s),
            explicitly_set: true,
        },
    }
}

impl AbortScaleDownDelay {
    /// Set by the user to a non-zero delay (upstream `HasExplicitAbortScaleDownDelay`).
    pub fn is_explicit_delay(&self) -> bool {
        self.explicitly_set && self.seconds.is_some()
    }
}

impl BlueGreenStrategy {
    /// `autoPromotionEnabled`, true when unset (upstream `GetAutoPromotionEnabledOrDefault`).
    pub fn auto_promotion_enabled_or_default(&self) -> bool {
        self.auto_promotion_enabled.unwrap_or(true)
    }

    /// `scaleDownDelaySeconds`, 30 when unset.
    pub fn scale_down_delay_seconds_or_default(&self) -> i32 {
        self.scale_down_delay_seconds.unwrap_or(SCALE_DOWN_DELAY_SECONDS)
    }

    /// `abortScaleDownDelaySeconds`: 30 when unset, `None` (never scale the preview down) when 0.
    pub fn abort_scale_down_delay(&self) -> AbortScaleDownDelay {
        abort_delay(self.abort_scale_down_delay_seconds)
    }

    /// `maxUnavailable` (used only while restarting pods), `"25"` (25%) when unset.
    pub fn max_unavailable_or_default(&self) -> IntOrString {
        self.max_unavailable
            .clone()
            .unwrap_or_else(|| IntOrString::String(MAX_UNAVAILABLE.to_string()))
    }
}

impl RolloutTrafficRouting {
    /// `maxTrafficWeight`, 100 when unset.
    pub fn max_traffic_weight_or_default(&self) -> i32 {
        self.max_traffic_weight.unwrap_or(MAX_TRAFFIC_WEIGHT)
    }
}

impl SetMirrorRoute {
    /// `percentage`, 100 when unset.
    pub fn percentage_or_default(&self) -> i32 {
        self.percentage.unwrap_or(MIRROR_PERCENTAGE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::defaults::tests::{int, string};
    use crate::rollout::{AnalysisRunStrategy, RolloutStrategy};

    fn canary(surge: Option<IntOrString>, unavailable: Option<IntOrString>) -> CanaryStrategy {
        CanaryStrategy {
            max_surge: surge,
            max_unavailable: unavailable,
            ..Default::default()
        }
    }
    fn rollout_with(strategy: RolloutStrategy, replicas: Option<i32>) -> RolloutSpec {
        RolloutSpec {
            replicas,
            strategy: Some(strategy),
            ..Default::default()
        }
    }
    fn canary_rollout(c: CanaryStrategy, replicas: Option<i32>) -> RolloutSpec {
        rollout_with(
            RolloutStrategy {
                canary: Some(c),
                ..Default::default()
            },
            replicas,
        )
    }
    fn blue_green_rollout(b: BlueGreenStrategy, replicas: Option<i32>) -> RolloutSpec {
        rollout_with(
            RolloutStrategy {
                blue_green: Some(b),
                ..Default::default()
            },
            replicas,
        )
    }
    #[test]
    fn rollout_spec_scalars_default_like_upstream() {
        let unset = RolloutSpec::default();
        assert_eq!(unset.replicas_or_default(), 1);
        assert_eq!(unset.revision_history_limit_or_default(), 10);
        assert_eq!(unset.progress_deadline_seconds_or_default(), 600);
        assert_eq!(unset.min_ready_seconds_or_default(), 0);
        assert_eq!(unset.successful_run_history_limit_or_default(), 5);
        assert_eq!(unset.unsuccessful_run_history_limit_or_default(), 5);
        assert_eq!(unset.max_traffic_weight(), 100);

        let set = RolloutSpec {
            replicas: Some(0),
            revision_history_limit: Some(2),
            progress_deadline_seconds: Some(30),
            min_ready_seconds: Some(7),
            analysis: Some(AnalysisRunStrategy {
                successful_run_history_limit: Some(1),
                unsuccessful_run_history_limit: Some(9),
            }),
            ..Default::default()
        };
        assert_eq!(set.replicas_or_default(), 0);
        assert_eq!(set.revision_history_limit_or_default(), 2);
        assert_eq!(set.progress_deadline_seconds_or_default(), 30);
        assert_eq!(set.min_ready_seconds_or_default(), 7);
        assert_eq!(set.successful_run_history_limit_or_default(), 1);
        assert_eq!(set.unsuccessful_run_history_limit_or_default(), 9);
    }
    #[test]
    fn canary_fenceposts_round_surge_up_and_unavailable_down() {
        // (maxSurge, maxUnavailable, replicas) -> (surge, unavailable)
        let cases = [
            (None, None, 10, (3, 2)),
            (None, None, 1, (1, 0)),
            (None, None, 4, (1, 1)),
            (Some(string("50%")), Some(int(0)), 5, (3, 0)),
            (Some(string("10")), Some(string("10")), 5, (1, 0)),
            (Some(int(0)), Some(string("10%")), 5, (0, 1)),
            (Some(int(0)), Some(int(0)), 5, (0, 1)),
            (Some(int(2)), Some(int(7)), 5, (2, 7)),
            (Some(string("abc")), Some(int(3)), 5, (0, 1)),
        ];
        for (surge, unavailable, replicas, (want_surge, want_unavailable)) in cases {
            let c = canary(surge.clone(), unavailable.clone());
            assert_eq!(
                c.fenceposts(replicas),
                Fenceposts {
                    max_surge: want_surge,
                    max_unavailable: want_unavailable
                },
                "maxSurge {surge:?}, maxUnavailable {unavailable:?}, replicas {replicas}"
            );
        }
    }
    #[test]
    fn rollout_pod_counts_cap_unavailability_at_replicas() {
        let spec = canary_rollout(canary(Some(int(0)), Some(int(7))), Some(5));
        assert_eq!(spec.max_unavailable_pods(), 5);
        assert_eq!(spec.max_surge_pods(), 0);

        let scaled_to_zero = canary_rollout(canary(None, None), Some(0));
        assert_eq!(scaled_to_zero.max_unavailable_pods(), 0);

        let blue_green = blue_green_rollout(
            BlueGreenStrategy {
                max_unavailable: Some(string("50%")),
                ..Default::default()
            },
            Some(5),
        );
        assert_eq!(blue_green.max_unavailable_pods(), 2);
        assert_eq!(blue_green.max_surge_pods(), 0);
        assert_eq!(blue_green.max_unavailable_or_default(), string("50%"));
        assert_eq!(
            blue_green_rollout(BlueGreenStrategy::default(), None).max_unavailable_or_default(),
            string("25")
        );
        assert_eq!(RolloutSpec::default().max_surge_or_default(), string("25"));
    }
    #[test]
    fn canary_delays_apply_only_with_traffic_routing() {
        let basic = CanaryStrategy {
            scale_down_delay_seconds: Some(60),
            abort_scale_down_delay_seconds: Some(60),
            ..Default::default()
        };
        assert_eq!(basic.scale_down_delay_seconds_or_default(), 0);
        assert_eq!(
            basic.abort_scale_down_delay(),
            AbortScaleDownDelay {
                seconds: Some(0),
                explicitly_set: false
            }
        );

        let routed = CanaryStrategy {
            traffic_routing: Some(RolloutTrafficRouting::default()),
            ..Default::default()
        };
        assert_eq!(routed.scale_down_delay_seconds_or_default(), 30);
        assert_eq!(routed.abort_scale_down_delay().seconds, Some(30));
        assert!(!routed.abort_scale_down_delay().is_explicit_delay());

        let never = CanaryStrategy {
            abort_scale_down_delay_seconds: Some(0),
            ..routed.clone()
        };
        assert_eq!(
            never.abort_scale_down_delay(),
            AbortScaleDownDelay {
                seconds: None,
                explicitly_set: true
            }
        );
        assert!(!never.abort_scale_down_delay().is_explicit_delay());

        let explicit = CanaryStrategy {
            abort_scale_down_delay_seconds: Some(5),
            scale_down_delay_seconds: Some(7),
            ..routed
        };
        assert!(explicit.abort_scale_down_delay().is_explicit_delay());
        assert_eq!(explicit.scale_down_delay_seconds_or_default(), 7);
        assert_eq!(canary_rollout(explicit, None).scale_down_delay_seconds_or_default(), 7);
    }
    #[test]
    fn blue_green_defaults() {
        let unset = BlueGreenStrategy::default();
        assert!(unset.auto_promotion_enabled_or_default());
        assert_eq!(unset.scale_down_delay_seconds_or_default(), 30);
        assert_eq!(unset.abort_scale_down_delay().seconds, Some(30));
        assert_eq!(unset.max_unavailable_or_default(), string("25"));
        let spec = blue_green_rollout(unset, None);
        assert_eq!(spec.scale_down_delay_seconds_or_default(), 30);
        assert_eq!(spec.abort_scale_down_delay().seconds, Some(30));

        let set = BlueGreenStrategy {
            auto_promotion_enabled: Some(false),
            scale_down_delay_seconds: Some(0),
            abort_scale_down_delay_seconds: Some(0),
            ..Default::default()
        };
        assert!(!set.auto_promotion_enabled_or_default());
        assert_eq!(set.scale_down_delay_seconds_or_default(), 0);
        assert_eq!(set.abort_scale_down_delay().seconds, None);
    }
    #[test]
    fn traffic_weight_and_mirror_percentage_default_to_100() {
        let routing = RolloutTrafficRouting::default();
        assert_eq!(routing.max_traffic_weight_or_default(), 100);
        let capped = RolloutTrafficRouting {
            max_traffic_weight: Some(1000),
            ..Default::default()
        };
        assert_eq!(capped.max_traffic_weight_or_default(), 1000);
        let spec = canary_rollout(
            CanaryStrategy {
                traffic_routing: Some(capped),
                ..Default::default()
            },
            None,
        );
        assert_eq!(spec.max_traffic_weight(), 1000);
        assert_eq!(SetMirrorRoute::default().percentage_or_default(), 100);
        let half = SetMirrorRoute {
            percentage: Some(50),
            ..Default::default()
        };
        assert_eq!(half.percentage_or_default(), 50);
    }
}
