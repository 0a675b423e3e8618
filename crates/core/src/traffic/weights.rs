//! `status.canary.weights`: what the routers were last told (upstream `calculateWeightStatus`), and the
//! `TrafficWeightUpdated` event message when it changes.

use rollouts_api::rollout_status::{TrafficWeights, WeightDestination};

/// The weights to record after the routers were set to `canary_weight`: the canary, the extra
/// destinations, and the stable with the rest of `max_weight`. The Service names are the Rollout's
/// `canaryService` and `stableService`, as upstream records them.
pub fn weight_status(
    canary_weight: i32,
    max_weight: i32,
    hashes: (&str, &str),
    services: (&str, &str),
    additional: &[WeightDestination],
) -> TrafficWeights {
    let (canary_hash, stable_hash) = hashes;
    let (canary_service, stable_service) = services;
    let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_string());
    let stable_weight = max_weight - canary_weight - additional.iter().map(|d| d.weight).sum::<i32>();
    TrafficWeights {
        additional: (!additional.is_empty()).then(|| additional.to_vec()),
        canary: WeightDestination {
            pod_template_hash: non_empty(canary_hash),
            service_name: non_empty(canary_service),
            weight: canary_weight,
        },
        stable: WeightDestination {
            pod_template_hash: non_empty(stable_hash),
            service_name: non_empty(stable_service),
            weight: stable_weight,
        },
        verified: None,
    }
}

/// Whether the recorded weights differ from the new ones (the verification result aside).
pub fn weights_changed(previous: Option<&TrafficWeights>, new: &TrafficWeights) -> bool {
    previous.is_none_or(|p| p.canary != new.canary || p.stable != new.stable || p.additional != new.additional)
}

/// Upstream's `TrafficWeightUpdated` message: `Traffic weight updated to 10` the first time, `from 10
/// to 20` after, and the extra destinations when they change (Go's `%v` of the list).
pub fn updated_message(previous: Option<&TrafficWeights>, new: &TrafficWeights) -> String {
    let mut details = Vec::new();
    match previous {
        None => details.push(format!("to {}", new.canary.weight)),
        Some(p) if p.canary.weight != new.canary.weight => {
            details.push(format!("from {} to {}", p.canary.weight, new.canary.weight));
        }
        Some(_) => {}
    }
    if let Some(p) = previous
        && p.additional != new.additional
    {
        let list: Vec<String> = new
            .additional
            .iter()
            .flatten()
            .map(|d| {
                format!(
                    "{{{} {} {}}}",
                    d.weight,
                    d.service_name.as_deref().unwrap_or_default(),
                    d.pod_template_hash.as_deref().unwrap_or_default()
                )
            })
            .collect();
        details.push(format!("additional: [{}]", list.join(" ")));
    }
    format!("Traffic weight updated {}", details.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weights(canary: i32) -> TrafficWeights {
        weight_status(canary, 100, ("c1", "s1"), ("canary", "stable"), &[])
    }

    #[test]
    fn the_stable_gets_the_rest_after_the_extra_destinations() {
        let extra = WeightDestination {
            pod_template_hash: Some("e1".into()),
            service_name: Some("exp".into()),
            weight: 5,
        };
        let w = weight_status(20, 100, ("c1", "s1"), ("canary", "stable"), &[extra]);
        assert_eq!((w.canary.weight, w.stable.weight), (20, 75));
        assert_eq!(w.stable.pod_template_hash.as_deref(), Some("s1"));
        assert_eq!(w.canary.service_name.as_deref(), Some("canary"));
    }

    #[test]
    fn messages_follow_upstream() {
        assert_eq!(updated_message(None, &weights(10)), "Traffic weight updated to 10");
        assert_eq!(
            updated_message(Some(&weights(10)), &weights(20)),
            "Traffic weight updated from 10 to 20"
        );
        assert!(!weights_changed(Some(&weights(10)), &weights(10)));
        let mut verified = weights(10);
        verified.verified = Some(true);
        assert!(!weights_changed(Some(&verified), &weights(10)));
        assert!(weights_changed(None, &weights(0)));
    }
}
