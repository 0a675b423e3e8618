//! Upstream defaults, as functions on the types. Nothing here is ever written back to the wire: an unset
//! field stays unset in the object, and every reader asks these functions instead (as upstream's
//! `utils/defaults` package is asked), so that our objects round-trip byte for byte.
//!
//! The values are here; the functions that apply them live by concern: `rollout` (the Rollout and its
//! strategies), `analysis` (metrics and their providers), `experiment` (Experiments and experiment
//! steps).

use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

mod analysis;
mod experiment;
mod rollout;

pub use rollout::{AbortScaleDownDelay, Fenceposts};

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

fn non_empty(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn int(i: i32) -> IntOrString {
        IntOrString::Int(i)
    }
    pub(super) fn string(s: &str) -> IntOrString {
        IntOrString::String(s.to_string())
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
}
