//! ClusterRole aggregation, as kube-controller-manager's clusterrole-aggregation controller does it: a
//! ClusterRole with an `aggregationRule` gets as rules the union of the rules of the ClusterRoles its
//! selectors match (each selector in turn, matched roles by name, itself left out, duplicates dropped).
//! Aggregated roles can be aggregated in turn (`edit` into `admin`), so rules are recomputed until
//! nothing changes.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::selectors::LabelSelector;

/// An aggregated ClusterRole whose stored rules are not the aggregate of its selected roles.
#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    /// The ClusterRole.
    pub name: String,
    /// The rules it must hold.
    pub rules: Vec<Value>,
}

/// A rule in a form that compares equal however it was written: Go treats a missing list and an empty
/// one alike.
fn normalized(rule: &Value) -> Value {
    let mut out = Map::new();
    for key in ["apiGroups", "nonResourceURLs", "resourceNames", "resources", "verbs"] {
        if let Some(list) = rule.get(key).and_then(Value::as_array).filter(|l| !l.is_empty()) {
            out.insert(key.to_string(), Value::Array(list.clone()));
        }
    }
    Value::Object(out)
}

fn rules_of(role: &Value) -> Vec<Value> {
    role.get("rules")
        .and_then(Value::as_array)
        .map(|rules| rules.iter().map(normalized).collect())
        .unwrap_or_default()
}

/// The selectors of an aggregated role; `None` for roles without an aggregation rule, or with a selector
/// that cannot be read (those are left alone, as the controller leaves them with an error).
fn selectors(role: &Value) -> Option<Vec<LabelSelector>> {
    let list = role.pointer("/aggregationRule/clusterRoleSelectors")?.as_array()?;
    list.iter().map(|s| LabelSelector::from_object(s).ok()).collect()
}

/// The aggregated ClusterRoles among `cluster_roles` whose rules must change, with their new rules.
pub fn aggregate(cluster_roles: &[&Value]) -> Vec<Update> {
    let name = |r: &Value| {
        r.pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    // By name, which is the order the controller takes matched roles in.
    let roles: BTreeMap<String, &Value> = cluster_roles.iter().map(|r| (name(r), *r)).collect();
    let stored: BTreeMap<&str, Vec<Value>> = roles.iter().map(|(n, r)| (n.as_str(), rules_of(r))).collect();
    let aggregated: Vec<(&str, Vec<LabelSelector>)> = roles
        .iter()
        .filter_map(|(n, r)| Some((n.as_str(), selectors(r)?)))
        .collect();
    let mut current = stored.clone();
    // Each pass lets aggregation flow one level further; a cycle of roles selecting each other stops
    // growing once every rule has reached every role in it.
    for _ in 0..=aggregated.len() {
        let mut changed = false;
        for (target, selectors) in &aggregated {
            let mut rules: Vec<Value> = Vec::new();
            for selector in selectors {
                for (other, role) in &roles {
                    if other == target || !selector.matches(role.pointer("/metadata/labels").and_then(Value::as_object))
                    {
                        continue;
                    }
                    for rule in current.get(other.as_str()).into_iter().flatten() {
                        if !rules.contains(rule) {
                            rules.push(rule.clone());
                        }
                    }
                }
            }
            if current.get(target) != Some(&rules) {
                current.insert(target, rules);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    aggregated
        .iter()
        .filter(|(target, _)| current.get(target) != stored.get(target))
        .map(|(target, _)| Update {
            name: (*target).to_string(),
            rules: current.get(target).cloned().unwrap_or_default(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn role(name: &str, labels: Value, rules: Value) -> Value {
        json!({"metadata": {"name": name, "labels": labels}, "rules": rules})
    }

    fn aggregated(name: &str, labels: Value, select: &str) -> Value {
        json!({"metadata": {"name": name, "labels": labels},
               "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {select: "true"}}]}})
    }

    fn rule(resource: &str) -> Value {
        json!({"apiGroups": [""], "resources": [resource], "verbs": ["get"]})
    }

    #[test]
    fn aggregation_flows_through_aggregated_roles() {
        let roles = [
            aggregated("admin", json!({}), "to-admin"),
            aggregated("edit", json!({"to-admin": "true"}), "to-edit"),
            aggregated("view", json!({"to-edit": "true"}), "to-view"),
            role(
                "b-viewer",
                json!({"to-view": "true"}),
                json!([rule("pods"), rule("services")]),
            ),
            role("a-viewer", json!({"to-view": "true"}), json!([rule("pods")])),
            role("editor", json!({"to-edit": "true"}), json!([rule("secrets")])),
            role("unrelated", json!({}), json!([rule("nodes")])),
        ];
        let refs: Vec<&Value> = roles.iter().collect();
        let updates = aggregate(&refs);
        let by_name: BTreeMap<&str, &Vec<Value>> = updates.iter().map(|u| (u.name.as_str(), &u.rules)).collect();
        assert_eq!(
            by_name["view"],
            &vec![rule("pods"), rule("services")],
            "by role name, no duplicates"
        );
        assert_eq!(by_name["edit"], &vec![rule("secrets"), rule("pods"), rule("services")]);
        assert_eq!(by_name["admin"], &vec![rule("secrets"), rule("pods"), rule("services")]);
        assert_eq!(updates.len(), 3);
    }

    #[test]
    fn roles_already_aggregated_are_left_alone() {
        let mut view = aggregated("view", json!({}), "to-view");
        view["rules"] = json!([{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"], "resourceNames": []}]);
        let roles = [view, role("a", json!({"to-view": "true"}), json!([rule("pods")]))];
        let refs: Vec<&Value> = roles.iter().collect();
        assert!(aggregate(&refs).is_empty());
    }

    #[test]
    fn a_role_that_no_longer_matches_takes_its_rules_away() {
        let mut view = aggregated("view", json!({}), "to-view");
        view["rules"] = json!([rule("pods")]);
        let roles = [view, role("a", json!({"to-view": "false"}), json!([rule("pods")]))];
        let refs: Vec<&Value> = roles.iter().collect();
        assert_eq!(
            aggregate(&refs),
            vec![Update {
                name: "view".into(),
                rules: vec![]
            }]
        );
    }

    #[test]
    fn roles_selecting_each_other_settle() {
        let roles = [
            aggregated("x", json!({"y": "true"}), "x"),
            aggregated("y", json!({"x": "true"}), "y"),
            role("seed", json!({"x": "true"}), json!([rule("pods")])),
        ];
        let refs: Vec<&Value> = roles.iter().collect();
        let updates = aggregate(&refs);
        assert!(updates.iter().all(|u| u.rules == vec![rule("pods")]), "{updates:?}");
        assert_eq!(updates.len(), 2);
    }
}
