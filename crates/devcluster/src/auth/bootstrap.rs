//! The bootstrap policy: the ClusterRoles and ClusterRoleBindings a Kubernetes cluster starts with that
//! clients rely on (`bootstrap.yaml`), labelled and annotated as kube-apiserver labels its own.

use serde_json::{Value, json};

const POLICY: &str = include_str!("bootstrap.yaml");

/// The bootstrap objects, ClusterRoles first.
pub fn objects() -> Vec<Value> {
    let doc = match crate::server::strict::parse_yaml(POLICY) {
        Ok(doc) => doc,
        Err(e) => {
            // The text is compiled in and parsed by a test: this cannot happen in a build that passed it.
            tracing::error!("the bootstrap policy does not parse: {e}");
            return Vec::new();
        }
    };
    let items = doc.get("items").and_then(Value::as_array).cloned().unwrap_or_default();
    items
        .into_iter()
        .map(|mut item| {
            item["apiVersion"] = json!("rbac.authorization.k8s.io/v1");
            let meta = &mut item["metadata"];
            meta["labels"]["kubernetes.io/bootstrapping"] = json!("rbac-defaults");
            meta["annotations"]["rbac.authorization.kubernetes.io/autoupdate"] = json!("true");
            item
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_holds_what_clients_need() {
        let objects = objects();
        let names: Vec<(&str, &str)> = objects
            .iter()
            .map(|o| (o["kind"].as_str().unwrap(), o["metadata"]["name"].as_str().unwrap()))
            .collect();
        for role in [
            "cluster-admin",
            "system:discovery",
            "system:basic-user",
            "system:public-info-viewer",
            "admin",
            "edit",
            "view",
            "system:aggregate-to-admin",
            "system:aggregate-to-edit",
            "system:aggregate-to-view",
        ] {
            assert!(names.contains(&("ClusterRole", role)), "{role}");
        }
        for binding in [
            "cluster-admin",
            "system:discovery",
            "system:basic-user",
            "system:public-info-viewer",
        ] {
            assert!(names.contains(&("ClusterRoleBinding", binding)), "{binding}");
        }
        let edit = objects.iter().find(|o| o["metadata"]["name"] == "edit").unwrap();
        assert_eq!(
            edit["metadata"]["labels"],
            json!({"kubernetes.io/bootstrapping": "rbac-defaults", "rbac.authorization.k8s.io/aggregate-to-admin": "true"})
        );
        assert_eq!(
            edit["aggregationRule"]["clusterRoleSelectors"][0]["matchLabels"],
            json!({"rbac.authorization.k8s.io/aggregate-to-edit": "true"})
        );
        let roles_first = names.iter().position(|(k, _)| *k == "ClusterRoleBinding").unwrap();
        assert!(names[roles_first..].iter().all(|(k, _)| *k == "ClusterRoleBinding"));
    }
}
