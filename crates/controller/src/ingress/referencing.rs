//! Which Ingresses the Ingress controller looks after, and which Rollouts still use one (upstream
//! `GetClass` and `GetRolloutIngressKeys`), read from the raw objects.

use serde_json::Value;

/// The Ingress's class: the `kubernetes.io/ingress.class` annotation, else `spec.ingressClassName`.
pub(super) fn class(ingress: &Value) -> &str {
    ingress
        .pointer("/metadata/annotations/kubernetes.io~1ingress.class")
        .and_then(Value::as_str)
        .filter(|c| !c.is_empty())
        .or_else(|| ingress.pointer("/spec/ingressClassName").and_then(Value::as_str))
        .unwrap_or_default()
}

/// Whether the Rollout (raw) names the Ingress `name` of its namespace as an NGINX stable Ingress or
/// an ALB Ingress.
pub(super) fn uses_ingress(rollout: &Value, name: &str) -> bool {
    let Some(routing) = rollout.pointer("/spec/strategy/canary/trafficRouting") else {
        return false;
    };
    let named = |pointer: &str| routing.pointer(pointer).and_then(Value::as_str) == Some(name);
    let listed = |pointer: &str| {
        routing
            .pointer(pointer)
            .and_then(Value::as_array)
            .is_some_and(|list| list.iter().any(|i| i.as_str() == Some(name)))
    };
    named("/nginx/stableIngress")
        || listed("/nginx/stableIngresses")
        || named("/alb/ingress")
        || listed("/alb/ingresses")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_class_annotation_wins_over_the_class_name() {
        let both = json!({"metadata": {"annotations": {"kubernetes.io/ingress.class": "alb"}},
                          "spec": {"ingressClassName": "nginx"}});
        assert_eq!(class(&both), "alb");
        assert_eq!(
            class(&json!({"spec": {"ingressClassName": "internal-alb"}})),
            "internal-alb"
        );
        assert_eq!(class(&json!({})), "");
    }

    #[test]
    fn a_rollout_uses_the_ingresses_its_routers_name() {
        let alb = json!({"spec": {"strategy": {"canary": {"trafficRouting": {"alb": {"ingresses": ["a", "b"]}}}}}});
        assert!(uses_ingress(&alb, "b"));
        assert!(!uses_ingress(&alb, "c"));
        let nginx = json!({"spec": {"strategy": {"canary": {"trafficRouting": {"nginx": {"stableIngress": "s"}}}}}});
        assert!(uses_ingress(&nginx, "s"));
        assert!(!uses_ingress(&json!({"spec": {"strategy": {"blueGreen": {}}}}), "s"));
    }
}
