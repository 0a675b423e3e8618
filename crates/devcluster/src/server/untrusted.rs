//! What a request's bytes go through before they reach the store, callable without a running server: body
//! decoding (JSON, YAML, Kubernetes protobuf) with its strict-decoding findings, and the four patch kinds.
//!
//! Every function answers with the error the server would send; none may panic, whatever the input. The fuzz
//! targets under `fuzz/` hold them to that.

use std::sync::{Arc, LazyLock};

use serde_json::Value;

use super::error::ApiError;
use super::{patching, resources, strict};
use crate::patch;
use crate::registry::{Origin, Registry, ResourceType};

const APPLY: &str = "application/apply-patch+yaml";

static BUILTINS: LazyLock<Registry> = LazyLock::new(Registry::with_builtins);

/// A decoded create or update body and the duplicate fields a strict decoder would complain of.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedBody {
    /// The object, as JSON.
    pub object: Value,
    /// `duplicate field "<path>"` (JSON) or go-yaml's `already set in map` message (YAML).
    pub duplicates: Vec<String>,
}

/// Decodes a create or update body of `content_type` (without parameters) as the server does.
pub fn decode_request_body(content_type: &str, body: &[u8]) -> Result<DecodedBody, ApiError> {
    let object = resources::decode_body(content_type, &bytes::Bytes::copy_from_slice(body))?;
    let duplicates = if crate::protobuf::is_protobuf_media_type(content_type) {
        Vec::new()
    } else if content_type.contains("yaml") {
        strict::yaml_duplicate(&String::from_utf8_lossy(body))
            .into_iter()
            .collect()
    } else {
        strict::json_duplicates(body)
    };
    Ok(DecodedBody { object, duplicates })
}

/// Decodes a PATCH body of `content_type`: YAML for server-side apply, JSON for the other patches.
pub fn decode_patch_body(content_type: &str, body: &[u8]) -> Result<Value, ApiError> {
    patching::decode_patch(content_type, body)
}

/// Applies `patch` of `content_type` to `current`, or, for `application/apply-patch+yaml`, applies it as the
/// configuration of the field manager `manager`. The resource type is the built-in one named by `current`'s
/// `apiVersion` and `kind`; any other kind is treated as a custom resource.
pub fn apply_patch(content_type: &str, current: &Value, patch: &Value, manager: &str) -> Result<Value, ApiError> {
    let rt = resource_type(current);
    if content_type == APPLY {
        let strategy = patching::apply_strategy(&rt);
        let live = current.is_object().then_some(current);
        let name = current
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        return patch::server_side_apply(live, patch, manager, false, strategy.as_ref(), "2024-01-01T00:00:00Z")
            .map_err(|e| patching::apply_error(&rt, name, e));
    }
    patching::apply_patch(&rt, content_type, current, patch)
}

fn resource_type(object: &Value) -> Arc<ResourceType> {
    let field = |name: &str| object.get(name).and_then(Value::as_str).unwrap_or_default();
    let (api_version, kind) = (field("apiVersion"), field("kind"));
    BUILTINS.by_kind(api_version, kind).unwrap_or_else(|| {
        let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
        Arc::new(ResourceType {
            group: group.to_string(),
            version: version.to_string(),
            kind: kind.to_string(),
            plural: format!("{}s", kind.to_lowercase()),
            singular: kind.to_lowercase(),
            namespaced: true,
            short_names: Vec::new(),
            categories: Vec::new(),
            status_subresource: true,
            scale: None,
            origin: Origin::Crd {
                crd: String::new(),
                schema: None,
                printer_columns: Vec::new(),
                storage: true,
            },
        })
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn bodies_decode_with_their_strict_findings() {
        let decoded =
            decode_request_body("application/json", br#"{"kind":"ConfigMap","data":{"a":"1","a":"2"}}"#).unwrap();
        assert_eq!(decoded.object, json!({"kind": "ConfigMap", "data": {"a": "2"}}));
        assert_eq!(decoded.duplicates, [r#"duplicate field "data.a""#]);
        let decoded = decode_request_body("application/yaml", b"kind: Pod\nmetadata:\n  name: p\n").unwrap();
        assert_eq!(decoded.object, json!({"kind": "Pod", "metadata": {"name": "p"}}));
        assert!(decoded.duplicates.is_empty());
        let empty = decode_request_body("application/json", b"").unwrap_err();
        assert_eq!(empty.code, 400);
        let garbage = decode_request_body("application/vnd.kubernetes.protobuf", b"k8s\0\xff").unwrap_err();
        assert_eq!(garbage.code, 400);
    }

    #[test]
    fn patches_apply_by_the_kind_of_the_object() {
        let deployment = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"template": {"spec": {"containers": [{"name": "a", "image": "x"}]}}}});
        let patch = decode_patch_body(
            "application/strategic-merge-patch+json",
            br#"{"spec":{"template":{"spec":{"containers":[{"name":"b","image":"y"}]}}}}"#,
        )
        .unwrap();
        let patched = apply_patch("application/strategic-merge-patch+json", &deployment, &patch, "m").unwrap();
        assert_eq!(
            patched
                .pointer("/spec/template/spec/containers")
                .map(|c| c.as_array().map(Vec::len)),
            Some(Some(2))
        );

        // Custom resources take no strategic merge patch (415), and apply is YAML.
        let rollout = json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "metadata": {"name": "r"}});
        let refused = apply_patch("application/strategic-merge-patch+json", &rollout, &json!({}), "m").unwrap_err();
        assert_eq!(refused.code, 415);
        let applied = decode_patch_body(
            APPLY,
            b"apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nspec:\n  replicas: 2\n",
        )
        .unwrap();
        let merged = apply_patch(APPLY, &rollout, &applied, "m").unwrap();
        assert_eq!(merged.pointer("/spec/replicas"), Some(&json!(2)));
        assert_eq!(merged.pointer("/metadata/managedFields/0/manager"), Some(&json!("m")));
    }
}
