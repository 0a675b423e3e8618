//! Short human ages, in the style of Kubernetes' `duration.HumanDuration` (`45s`, `3h59m`, `7d`), of
//! `jiff` durations and timestamps.

use jiff::{SignedDuration, Timestamp};

/// Renders a duration the way `kubectl get` prints ages.
pub fn human_duration(d: SignedDuration) -> String {
    rollouts_compat::age::human_duration(d.as_nanos())
}

/// The age of an object created at `created`, seen at `now`. An object without a creation time
/// reads as the longest representable age, as it does upstream (a zero time).
pub fn age(created: Option<Timestamp>, now: Timestamp) -> String {
    match created {
        Some(t) => human_duration(now.duration_since(t)),
        None => human_duration(SignedDuration::from_nanos(i64::MAX)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_kubectl_ages() {
        let cases = [
            (-5, "<invalid>"),
            (-1, "0s"),
            (45, "45s"),
            (119, "119s"),
            (120, "2m"),
            (125, "2m5s"),
            (600, "10m"),
            (3 * 3600 + 60, "3h1m"),
            (4 * 3600 - 1, "3h59m"),
            (4 * 3600, "4h"),
            (10 * 3600, "10h"),
            (7 * 86400, "7d"),
            (3 * 86400 + 3600, "3d1h"),
            (30 * 86400, "30d"),
            (3 * 365 * 86400, "3y"),
            (3 * 365 * 86400 + 86400, "3y1d"),
            (9 * 365 * 86400, "9y"),
        ];
        for (secs, want) in cases {
            assert_eq!(human_duration(SignedDuration::from_secs(secs)), want, "{secs}s");
        }
    }
}
