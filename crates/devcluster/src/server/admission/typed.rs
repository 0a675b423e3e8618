//! Built-in kinds are decoded into the Kubernetes API types and encoded back, as kube-apiserver does:
//! wrong types are rejected, unknown fields are found (and dropped), and what is stored has the shape
//! every client expects.

use rollouts_compat::reencode::lost_fields;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use k8s_openapi::api::{apps, autoscaling, batch, coordination, core, events, networking, policy, rbac};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;

/// The outcome of decoding a built-in object.
#[derive(Debug)]
pub struct Decoded {
    /// The object as stored: re-encoded from the typed form.
    pub object: Value,
    /// Paths of fields the kind does not have (`spec.foo`, `spec.containers[0].bar`).
    pub unknown_fields: Vec<String>,
}

/// Keys whose values are resource quantities, which clients may send as JSON numbers.
const QUANTITY_MAPS: [&str; 7] = [
    "limits",
    "requests",
    "capacity",
    "allocatable",
    "overhead",
    "hard",
    "used",
];

/// Turns numeric quantities into strings, as the API server's quantity type accepts both.
fn normalize_quantities(v: &mut Value, parent_key: &str) {
    match v {
        Value::Object(map) => {
            let quantities = QUANTITY_MAPS.contains(&parent_key);
            for (k, child) in map.iter_mut() {
                let numeric_quantity = child.is_number()
                    && (quantities
                        || matches!(k.as_str(), "sizeLimit" | "averageValue")
                        || (parent_key == "target" && k == "value"));
                if numeric_quantity {
                    *child = Value::String(child.to_string());
                } else {
                    normalize_quantities(child, k);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| normalize_quantities(i, parent_key)),
        _ => {}
    }
}

fn roundtrip<T: DeserializeOwned + Serialize>(value: &Value) -> Result<Decoded, String> {
    let mut input = value.clone();
    normalize_quantities(&mut input, "");
    let typed: T = deserialize_value(&input)?;
    let object = serde_json::to_value(&typed).map_err(|e| e.to_string())?;
    let unknown_fields = lost_fields(&input, &object)
        .into_iter()
        .filter(|lost| carries_information(lost.value))
        .map(|lost| lost.path())
        .collect();
    Ok(Decoded { object, unknown_fields })
}

/// Decodes a typed object from a JSON value; the error is serde's message, which does not say where the
/// offending field is.
fn deserialize_value<T: DeserializeOwned>(value: &Value) -> Result<T, String> {
    T::deserialize(value).map_err(|e| e.to_string())
}

/// Whether a field the typed encoding dropped said anything: nulls and empty or zero values are dropped
/// by the typed encoding without losing information.
fn carries_information(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Object(map) => !map.is_empty(),
        Value::Array(items) => !items.is_empty(),
        Value::String(s) => !s.is_empty(),
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_i64() != Some(0),
    }
}

/// Decodes a built-in object of `group`/`kind`; `None` when the kind is not built in.
pub fn decode_builtin(group: &str, kind: &str, value: &Value) -> Option<Result<Decoded, String>> {
    Some(match (group, kind) {
        ("", "Namespace") => roundtrip::<core::v1::Namespace>(value),
        ("", "Pod") => roundtrip::<core::v1::Pod>(value),
        ("", "Service") => roundtrip::<core::v1::Service>(value),
        ("", "Endpoints") => roundtrip::<core::v1::Endpoints>(value),
        ("", "ConfigMap") => roundtrip::<core::v1::ConfigMap>(value),
        ("", "Secret") => roundtrip::<core::v1::Secret>(value),
        ("", "Event") => roundtrip::<core::v1::Event>(value),
        ("", "ServiceAccount") => roundtrip::<core::v1::ServiceAccount>(value),
        ("", "PodTemplate") => roundtrip::<core::v1::PodTemplate>(value),
        ("apps", "ReplicaSet") => roundtrip::<apps::v1::ReplicaSet>(value),
        ("apps", "Deployment") => roundtrip::<apps::v1::Deployment>(value),
        ("batch", "Job") => roundtrip::<batch::v1::Job>(value),
        ("networking.k8s.io", "Ingress") => roundtrip::<networking::v1::Ingress>(value),
        ("coordination.k8s.io", "Lease") => roundtrip::<coordination::v1::Lease>(value),
        ("autoscaling", "HorizontalPodAutoscaler") => roundtrip::<autoscaling::v2::HorizontalPodAutoscaler>(value),
        ("policy", "PodDisruptionBudget") => roundtrip::<policy::v1::PodDisruptionBudget>(value),
        ("events.k8s.io", "Event") => roundtrip::<events::v1::Event>(value),
        ("rbac.authorization.k8s.io", "Role") => roundtrip::<rbac::v1::Role>(value),
        ("rbac.authorization.k8s.io", "RoleBinding") => roundtrip::<rbac::v1::RoleBinding>(value),
        ("rbac.authorization.k8s.io", "ClusterRole") => roundtrip::<rbac::v1::ClusterRole>(value),
        ("rbac.authorization.k8s.io", "ClusterRoleBinding") => roundtrip::<rbac::v1::ClusterRoleBinding>(value),
        ("apiextensions.k8s.io", "CustomResourceDefinition") => roundtrip::<CustomResourceDefinition>(value),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_fields_are_found_and_dropped() {
        let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "c", "image": "i", "bogus": 1}], "nope": true}});
        let d = decode_builtin("", "Pod", &pod).unwrap().unwrap();
        assert_eq!(d.unknown_fields, ["spec.containers[0].bogus", "spec.nope"]);
        assert!(d.object["spec"].get("nope").is_none());
    }

    #[test]
    fn numeric_quantities_are_accepted() {
        let pod = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "c", "image": "i", "resources": {"limits": {"cpu": 1}}}]}});
        let d = decode_builtin("", "Pod", &pod).unwrap().unwrap();
        assert_eq!(d.object["spec"]["containers"][0]["resources"]["limits"]["cpu"], "1");
        assert!(d.unknown_fields.is_empty());
    }

    #[test]
    fn wrong_types_are_errors() {
        let rs = json!({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "r"},
            "spec": {"replicas": "three", "selector": {}}});
        assert!(decode_builtin("apps", "ReplicaSet", &rs).unwrap().is_err());
        assert!(decode_builtin("argoproj.io", "Rollout", &rs).is_none());
    }
}
