//! Upstream defaults, as functions on the types. Nothing here is ever written back to the wire: an unset
//! field stays unset in the object, and every reader asks these functions instead (as upstream's
//! `utils/defaults` package is asked), so that our objects round-trip byte for byte.

use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::analysis::Metric;
use crate::bluegreen::BlueGreenStrategy;
use crate::canary::CanaryStrategy;
use crate::experiment::{ExperimentSpec, TemplateSpec};
use crate::providers::{DatadogAggregator, DatadogApiVersion, DatadogMetric, PrometheusMetric, WebMetric};
use crate::rollout::RolloutSpec;
use crate::steps::{RolloutExperimentTemplate, SetMirrorRoute};
use crate::traffic::RolloutTrafficRouting;

/// `spec.replicas` when unset.
pub const REPLICAS: i32 = 1;
/// `spec.revisionHistoryLimit` when unset.
pub const REVISION_HISTORY_LIMIT: i32 = 10;
/// `spec.progressDeadlineSeconds` (Rollout and Experiment) when unset.
pub const PROGRESS_DEADLINE_SECONDS: i32 = 600;
/// `spec.analysis.successfulRunHistoryLimit` when unset.
pub const SUCCESSFUL_RUN_HISTORY_LIMIT: i32 = 5;
/// `spec.analysis.unsuccessfulRunHistoryLimit` when unset.
pub const UNSUCCESSFUL_RUN_HISTORY_LIMIT: i32 = 5;
/// Canary `maxSurge` and `maxUnavailable`, and blue-green `maxUnavailable`, when unset: upstream spells
/// it `"25"` without `%`, and reads any string as a percentage.
pub const MAX_SURGE: &str = "25";
/// See [`MAX_SURGE`].
pub const MAX_UNAVAILABLE: &str = "25";
/// `scaleDownDelaySeconds` when unset (blue-green, traffic-routed canary, Experiment).
pub const SCALE_DOWN_DELAY_SECONDS: i32 = 30;
/// `abortScaleDownDelaySeconds` when unset (blue-green, traffic-routed canary).
pub const ABORT_SCALE_DOWN_DELAY_SECONDS: i32 = 30;
/// `trafficRouting.maxTrafficWeight` when unset: weights are percentages.
pub const MAX_TRAFFIC_WEIGHT: i32 = 100;
/// `setMirrorRoute.percentage` when unset: mirror every matching request.
pub const MIRROR_PERCENTAGE: i32 = 100;
/// `metrics[].consecutiveErrorLimit` when unset: the fifth consecutive error fails the metric.
pub const CONSECUTIVE_ERROR_LIMIT: i32 = 4;
/// Experiment template `replicas` (and Rollout experiment-step template `replicas`) when unset.
pub const EXPERIMENT_TEMPLATE_REPLICAS: i32 = 1;
/// Datadog `interval` (the query window) when unset.
pub const DATADOG_INTERVAL: &str = "5m";
/// Datadog `requestTimeout` when unset.
pub const DATADOG_REQUEST_TIMEOUT: &str = "10s";
/// Prometheus `timeout` (seconds) when unset.
pub const PROMETHEUS_TIMEOUT_SECONDS: i64 = 30;
/// Web `timeoutSeconds` when unset.
pub const WEB_TIMEOUT_SECONDS: i64 = 10;
/// Web `method` when unset.
pub const WEB_METHOD: &str = "GET";

/// Go's `IntOrString.IntValue()`: an int as is; a string parsed as a decimal integer, and 0 when it is
/// not one (so `"abc"` and `"50%"` are 0). Upstream reads metric limits and counts this way.
pub fn int_value(v: &IntOrString) -> i64 {
    match v {
        IntOrString::Int(i) => i64::from(*i),
        IntOrString::String(s) => parse_go_atoi(s).unwrap_or(0),
    }
}

/// Go's `strconv.Atoi`: optional sign and ASCII digits only.
fn parse_go_atoi(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<i64>().ok()
}

/// Why an int-or-percent value could not be resolved to a count.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid value for IntOrString: invalid value {value:?}")]
pub struct IntOrPercentError {
    /// The string that is not a number once its `%` signs are removed.
    pub value: String,
}

/// Resolves an int-or-percent against `total` as upstream does (through Kubernetes' deprecated
/// `GetValueFromIntOrPercent`): an int is taken as is; a string loses every `%` and is a percentage of
/// `total`, rounded up when `round_up` and down otherwise — so `"25"` means 25%, not 25 pods.
pub fn scaled_int_or_percent(value: &IntOrString, total: i32, round_up: bool) -> Result<i64, IntOrPercentError> {
    match value {
        IntOrString::Int(i) => Ok(i64::from(*i)),
        IntOrString::String(s) => {
            let percent = parse_go_atoi(&s.replace('%', "")).ok_or_else(|| IntOrPercentError { value: s.clone() })?;
            let scaled = percent as f64 * f64::from(total) / 100.0;
            Ok(if round_up { scaled.ceil() } else { scaled.floor() } as i64)
        }
    }
}

fn clamp_i32(v: i64) -> i32 {
    v.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
}

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
        self.strategy
            .as_ref()
            .and_then(|s| s.canary.as_ref())
            .map(CanaryStrategy::max_surge_or_default)
            .unwrap_or_else(|| IntOrString::String(MAX_SURGE.to_string()))
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
            None => scaled_int_or_percent(&self.max_unavailable_or_default(), replicas, false)
                .map(clamp_i32)
                .unwrap_or(0),
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
            .map(BlueGreenStrategy::scale_down_delay_seconds_or_default)
            .unwrap_or(0)
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
            .map(RolloutTrafficRouting::max_traffic_weight_or_default)
            .unwrap_or(MAX_TRAFFIC_WEIGHT)
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

impl Metric {
    /// `consecutiveErrorLimit` as a number, 4 when unset (upstream `GetConsecutiveErrorLimitOrDefault`).
    pub fn consecutive_error_limit_or_default(&self) -> i64 {
        self.consecutive_error_limit
            .as_ref()
            .map(int_value)
            .unwrap_or(i64::from(CONSECUTIVE_ERROR_LIMIT))
    }

    /// `failureLimit` as a number, 0 when unset; -1 disables it.
    pub fn failure_limit_or_default(&self) -> i64 {
        self.failure_limit.as_ref().map(int_value).unwrap_or(0)
    }

    /// `inconclusiveLimit` as a number, 0 when unset.
    pub fn inconclusive_limit_or_default(&self) -> i64 {
        self.inconclusive_limit.as_ref().map(int_value).unwrap_or(0)
    }

    /// `consecutiveSuccessLimit` as a number, 0 (disabled) when unset.
    pub fn consecutive_success_limit_or_default(&self) -> i64 {
        self.consecutive_success_limit.as_ref().map(int_value).unwrap_or(0)
    }

    /// How many measurements the metric takes (upstream `Metric.EffectiveCount`): `count` when it is
    /// a non-zero number; otherwise 1 when there is no `interval`, and `None` (measure until the run
    /// ends) when there is one.
    pub fn effective_count(&self) -> Option<IntOrString> {
        match &self.count {
            Some(count) if int_value(count) != 0 => Some(count.clone()),
            _ if self.interval.as_deref().unwrap_or_default().is_empty() => Some(IntOrString::Int(1)),
            _ => None,
        }
    }
}

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

impl DatadogMetric {
    /// `interval` (the query window), `"5m"` when unset or empty (the CRD's schema default).
    pub fn interval_or_default(&self) -> &str {
        non_empty(self.interval.as_deref()).unwrap_or(DATADOG_INTERVAL)
    }

    /// `requestTimeout`, `"10s"` when unset or empty (the CRD's schema default).
    pub fn request_timeout_or_default(&self) -> &str {
        non_empty(self.request_timeout.as_deref()).unwrap_or(DATADOG_REQUEST_TIMEOUT)
    }

    /// `apiVersion`, v1 when unset (the CRD's schema default).
    pub fn api_version_or_default(&self) -> DatadogApiVersion {
        self.api_version.unwrap_or_default()
    }

    /// `aggregator` (v2 only), `last` when unset, as Datadog itself defaults.
    pub fn aggregator_or_default(&self) -> DatadogAggregator {
        self.aggregator.unwrap_or_default()
    }
}

impl PrometheusMetric {
    /// `timeout` in seconds, 30 when unset (a negative value is the provider's error to report).
    pub fn timeout_or_default(&self) -> i64 {
        self.timeout.unwrap_or(PROMETHEUS_TIMEOUT_SECONDS)
    }
}

impl WebMetric {
    /// `timeoutSeconds`, 10 when unset or not positive.
    pub fn timeout_seconds_or_default(&self) -> i64 {
        self.timeout_seconds.filter(|t| *t > 0).unwrap_or(WEB_TIMEOUT_SECONDS)
    }

    /// `method`, `GET` when unset or empty.
    pub fn method_or_default(&self) -> &str {
        non_empty(self.method.as_deref()).unwrap_or(WEB_METHOD)
    }
}

fn non_empty(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rollout::{AnalysisRunStrategy, RolloutStrategy};

    fn int(i: i32) -> IntOrString {
        IntOrString::Int(i)
    }

    fn string(s: &str) -> IntOrString {
        IntOrString::String(s.to_string())
    }

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
    fn int_value_reads_strings_like_go() {
        assert_eq!(int_value(&int(-3)), -3);
        assert_eq!(int_value(&string("42")), 42);
        assert_eq!(int_value(&string("+7")), 7);
        assert_eq!(int_value(&string("-1")), -1);
        assert_eq!(int_value(&string("50%")), 0);
        assert_eq!(int_value(&string("{{args.count}}")), 0);
        assert_eq!(int_value(&string("")), 0);
    }

    #[test]
    fn int_or_percent_treats_every_string_as_a_percentage() {
        assert_eq!(scaled_int_or_percent(&int(3), 10, true), Ok(3));
        assert_eq!(scaled_int_or_percent(&string("25%"), 10, true), Ok(3));
        assert_eq!(scaled_int_or_percent(&string("25%"), 10, false), Ok(2));
        assert_eq!(scaled_int_or_percent(&string("25"), 10, true), Ok(3));
        assert_eq!(scaled_int_or_percent(&string("%5%0"), 100, false), Ok(50));
        assert_eq!(
            scaled_int_or_percent(&string("abc"), 10, true),
            Err(IntOrPercentError {
                value: "abc".to_string()
            })
        );
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

    #[test]
    fn metric_limits_and_effective_count() {
        let unset = Metric::default();
        assert_eq!(unset.consecutive_error_limit_or_default(), 4);
        assert_eq!(unset.failure_limit_or_default(), 0);
        assert_eq!(unset.inconclusive_limit_or_default(), 0);
        assert_eq!(unset.consecutive_success_limit_or_default(), 0);
        assert_eq!(unset.effective_count(), Some(int(1)));

        let with_interval = Metric {
            interval: Some("1m".to_string()),
            ..Default::default()
        };
        assert_eq!(with_interval.effective_count(), None);
        let zero_count = Metric {
            count: Some(int(0)),
            ..with_interval.clone()
        };
        assert_eq!(zero_count.effective_count(), None);
        let counted = Metric {
            count: Some(string("3")),
            consecutive_error_limit: Some(string("0")),
            failure_limit: Some(int(-1)),
            ..with_interval
        };
        assert_eq!(counted.effective_count(), Some(string("3")));
        assert_eq!(counted.consecutive_error_limit_or_default(), 0);
        assert_eq!(counted.failure_limit_or_default(), -1);
    }

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

    #[test]
    fn provider_defaults() {
        let datadog = DatadogMetric::default();
        assert_eq!(datadog.interval_or_default(), "5m");
        assert_eq!(datadog.request_timeout_or_default(), "10s");
        assert_eq!(datadog.api_version_or_default(), DatadogApiVersion::V1);
        assert_eq!(datadog.aggregator_or_default(), DatadogAggregator::Last);
        let datadog = DatadogMetric {
            interval: Some("1h".to_string()),
            request_timeout: Some(String::new()),
            api_version: Some(DatadogApiVersion::V2),
            ..Default::default()
        };
        assert_eq!(datadog.interval_or_default(), "1h");
        assert_eq!(datadog.request_timeout_or_default(), "10s");
        assert_eq!(datadog.api_version_or_default(), DatadogApiVersion::V2);

        assert_eq!(PrometheusMetric::default().timeout_or_default(), 30);
        let prometheus = PrometheusMetric {
            timeout: Some(5),
            ..Default::default()
        };
        assert_eq!(prometheus.timeout_or_default(), 5);

        let web = WebMetric::default();
        assert_eq!(web.timeout_seconds_or_default(), 10);
        assert_eq!(web.method_or_default(), "GET");
        let web = WebMetric {
            timeout_seconds: Some(0),
            method: Some("POST".to_string()),
            ..Default::default()
        };
        assert_eq!(web.timeout_seconds_or_default(), 10);
        assert_eq!(web.method_or_default(), "POST");
    }
}
