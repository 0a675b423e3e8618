//! Ambassador Mappings: which resource the controller's `--ambassador-api-version` names, the canary
//! Mapping's name, and the canary Mapping built from a base one.

use serde_json::{Value, json};

use super::super::ObjectRef;
use super::super::unstructured::{int64_or_zero, nested_string, set_nested};

/// Upstream's default `--ambassador-api-version`.
pub const DEFAULT_API_VERSION: &str = "getambassador.io/v2";
/// The group taken when the API version names none.
const DEFAULT_GROUP: &str = "getambassador.io";
/// The group of Emissary's v3 Mappings, served as `ambassadormappings`.
const V3_GROUP: &str = "x.getambassador.io";

/// The longest base name kept in a canary Mapping's name (`-canary` is added after it).
const MAX_BASE_NAME: usize = 246;

/// Where the Mappings are served: upstream's `toMappingGVR`, as an `apiVersion` and a kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingResource {
    /// `group/version`.
    pub api_version: String,
    /// `AmbassadorMapping` in `x.getambassador.io`, `Mapping` in any other group.
    pub kind: &'static str,
}

impl MappingResource {
    /// The resource of an `--ambassador-api-version`: `group/version`, or a bare version of
    /// `getambassador.io`. A group upstream does not know is kept, with the `mappings` resource.
    pub fn of(api_version: &str) -> Self {
        let (group, version) = match api_version.split_once('/') {
            Some((group, rest)) => (group, rest.rsplit('/').next().unwrap_or(rest)),
            None => (DEFAULT_GROUP, api_version),
        };
        let kind = if group == V3_GROUP {
            "AmbassadorMapping"
        } else {
            "Mapping"
        };
        Self {
            api_version: format!("{group}/{version}"),
            kind,
        }
    }

    /// The Mapping `name` in `namespace`.
    pub fn target(&self, namespace: &str, name: &str) -> ObjectRef {
        ObjectRef::new(&self.api_version, self.kind, namespace, name)
    }
}

/// `<base>-canary`, the base name cut to 246 bytes so the result fits a Kubernetes name.
pub fn canary_name(base: &str) -> String {
    let mut end = base.len().min(MAX_BASE_NAME);
    while !base.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}-canary", &base[..end])
}

/// `spec.weight` as upstream reads it: 0 when missing or not an integer.
pub fn weight(mapping: &Value) -> i64 {
    int64_or_zero(mapping, &["spec", "weight"])
}

/// `spec.service`, empty when missing or not a string.
pub fn service(mapping: &Value) -> &str {
    nested_string(mapping, &["spec", "service"])
        .ok()
        .flatten()
        .unwrap_or_default()
}

/// Sets `spec.weight`.
pub fn set_weight(mapping: &mut Value, weight: i32) {
    set_nested(mapping, &["spec", "weight"], Value::from(weight));
}

/// The canary Mapping of `base`: everything but its metadata copied, named `<base>-canary` in the same
/// namespace, the first occurrence of the stable Service's name in `spec.service` replaced by the
/// canary's, and `spec.weight` set.
pub fn canary_mapping(base: &Value, stable_service: &str, canary_service: &str, weight: i32) -> Value {
    let mut canary = base.clone();
    let name = base
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let namespace = base.pointer("/metadata/namespace").and_then(Value::as_str);
    let service = service(base).replacen(stable_service, canary_service, 1);
    if let Value::Object(members) = &mut canary {
        let mut metadata = json!({"name": canary_name(name)});
        if let Some(namespace) = namespace.filter(|n| !n.is_empty()) {
            metadata["namespace"] = Value::from(namespace);
        }
        members.insert("metadata".into(), metadata);
    }
    set_nested(&mut canary, &["spec", "service"], Value::from(service));
    set_weight(&mut canary, weight);
    canary
}
