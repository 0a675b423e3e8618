//! CustomResourceDefinitions generated from the types, adjusted where upstream's CRDs differ from what the
//! derive produces, so that `kubectl` and the API server treat our CRDs exactly like upstream's.

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::CustomResourceExt;
use serde_json::{Value, json};

use crate::{AnalysisRun, AnalysisTemplate, ClusterAnalysisTemplate, Experiment, Rollout};

/// Failure to build or print the CRDs; only possible if the types produce a schema of an unexpected shape.
#[derive(Debug, thiserror::Error)]
pub enum CrdError {
    /// A path the adjustments expect is missing from the generated schema.
    #[error("generated CRD {crd} has no schema node at {path}")]
    MissingNode {
        /// CRD name.
        crd: String,
        /// Dotted path of the node that was expected.
        path: String,
    },
    /// (De)serializing the CRD failed.
    #[error("CRD {crd}: {source}")]
    Json {
        /// CRD name.
        crd: String,
        /// The serde error.
        #[source]
        source: serde_json::Error,
    },
    /// Printing YAML failed.
    #[error("printing CRD YAML: {0}")]
    Yaml(String),
}

/// The file name each CRD is checked in under in `deploy/crds/`, and the CRD itself, in a stable order.
pub fn all() -> Result<Vec<(&'static str, CustomResourceDefinition)>, CrdError> {
    Ok(vec![
        ("rollout-crd.yaml", adjust(Rollout::crd())?),
        ("analysis-template-crd.yaml", adjust(AnalysisTemplate::crd())?),
        (
            "cluster-analysis-template-crd.yaml",
            adjust(ClusterAnalysisTemplate::crd())?,
        ),
        ("analysis-run-crd.yaml", adjust(AnalysisRun::crd())?),
        ("experiment-crd.yaml", adjust(Experiment::crd())?),
    ])
}

/// One CRD as YAML, as checked in.
pub fn to_yaml(crd: &CustomResourceDefinition) -> Result<String, CrdError> {
    serde_saphyr::to_string(crd).map_err(|e| CrdError::Yaml(e.to_string()))
}

/// All CRDs as one multi-document YAML stream, for `rollouts crds | kubectl apply --server-side -f -`.
pub fn all_yaml() -> Result<String, CrdError> {
    let mut out = String::new();
    for (_, crd) in all()? {
        out.push_str("---\n");
        out.push_str(&to_yaml(&crd)?);
    }
    Ok(out)
}

fn adjust(crd: CustomResourceDefinition) -> Result<CustomResourceDefinition, CrdError> {
    let name = crd.metadata.name.clone().unwrap_or_default();
    let json_err = |source| CrdError::Json {
        crd: name.clone(),
        source,
    };
    let mut value = serde_json::to_value(&crd).map_err(json_err)?;
    let kind = value["spec"]["names"]["kind"].as_str().unwrap_or_default().to_string();
    // API servers fill listKind in anyway; upstream declares it, and so do we.
    value["spec"]["names"]["listKind"] = json!(format!("{kind}List"));
    let version = &mut value["spec"]["versions"][0];
    // Upstream's AnalysisRun and Experiment carry status in the main resource (no status subresource):
    // their controllers write the whole object with one merge patch.
    if kind == "AnalysisRun" || kind == "Experiment" {
        version["subresources"] = json!({});
    }
    if version.get("subresources").is_none() {
        version["subresources"] = json!({});
    }
    let root = &mut version["schema"]["openAPIV3Schema"];
    // The object envelope is declared like any built-in kind's, as upstream's CRDs do.
    if let Some(props) = root.get_mut("properties").and_then(Value::as_object_mut) {
        props.insert("apiVersion".to_string(), json!({ "type": "string" }));
        props.insert("kind".to_string(), json!({ "type": "string" }));
        props.insert("metadata".to_string(), json!({ "type": "object" }));
    }
    let missing = |path: &str| CrdError::MissingNode {
        crd: name.clone(),
        path: path.to_string(),
    };
    normalize(root);
    match kind.as_str() {
        "Rollout" => {
            let spec = node(root, &["spec"]).ok_or_else(|| missing("spec"))?;
            pod_template(node(spec, &["template"]).ok_or_else(|| missing("spec.template"))?);
            let selector = node(spec, &["selector"]).ok_or_else(|| missing("spec.selector"))?;
            // The selector picks the pods the Rollout owns; changing it would orphan them.
            selector["x-kubernetes-validations"] =
                json!([{ "rule": "self == oldSelf", "message": ".spec.selector is immutable" }]);
        }
        "Experiment" => {
            let templates = node(root, &["spec", "templates"]).ok_or_else(|| missing("spec.templates"))?;
            pod_template(&mut templates["items"]["properties"]["template"]);
        }
        _ => {}
    }
    serde_json::from_value(value).map_err(json_err)
}

/// Brings the derived schema in line with upstream's conventions:
/// - a field that must be present (a plain, non-`Option` field, which the derive marks with a `default`
///   because it deserializes leniently) is listed in `required`, and no default is injected: upstream's
///   defaults are applied by the controller, never written into objects by the API server;
/// - optional fields are not `nullable` (a `null` is pruned like an absent field, as upstream's CRDs do);
/// - int-or-string fields carry `anyOf: [{type: integer}, {type: string}]`;
/// - phases are plain strings, as upstream declares them, so that an unknown phase written by another
///   controller version is stored rather than refused.
fn normalize(schema: &mut Value) {
    let Some(obj) = schema.as_object_mut() else { return };
    obj.remove("nullable");
    // An int-or-string field spells out both types, as upstream's (and every generated) CRD does, so
    // that clients reading the published schema see an integer or a string rather than no type.
    if obj.get("x-kubernetes-int-or-string") == Some(&Value::Bool(true)) && !obj.contains_key("type") {
        obj.entry("anyOf")
            .or_insert_with(|| json!([{ "type": "integer" }, { "type": "string" }]));
    }
    if obj.get("enum").and_then(Value::as_array).is_some_and(|values| {
        values
            .iter()
            .any(|v| matches!(v.as_str(), Some("Pending" | "Healthy" | "Progressing")))
    }) {
        obj.remove("enum");
    }
    let mut required: Vec<String> = Vec::new();
    if let Some(props) = obj.get_mut("properties").and_then(Value::as_object_mut) {
        for (name, prop) in props.iter_mut() {
            if let Some(p) = prop.as_object_mut()
                && p.remove("default").is_some()
            {
                required.push(name.clone());
            }
            normalize(prop);
        }
    }
    if !required.is_empty() {
        let list = obj.entry("required").or_insert_with(|| Value::Array(Vec::new()));
        if let Some(list) = list.as_array_mut() {
            for name in required {
                if !list.iter().any(|v| v.as_str() == Some(name.as_str())) {
                    list.push(Value::String(name));
                }
            }
            list.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(sub) = obj.get_mut(key) {
            normalize(sub);
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(list) = obj.get_mut(key).and_then(Value::as_array_mut) {
            list.iter_mut().for_each(normalize);
        }
    }
}

fn node<'a>(mut at: &'a mut Value, path: &[&str]) -> Option<&'a mut Value> {
    for key in path {
        at = at.get_mut("properties")?.get_mut(*key)?;
    }
    Some(at)
}

/// Pod template metadata is pruned to labels and annotations, as upstream does: other metadata of a
/// template has no meaning and would only be dropped by the ReplicaSet anyway.
fn pod_template(template: &mut Value) {
    if let Some(props) = template.get_mut("properties").and_then(Value::as_object_mut) {
        props.insert(
            "metadata".to_string(),
            json!({
                "type": "object",
                "properties": {
                    "annotations": { "type": "object", "additionalProperties": { "type": "string" } },
                    "labels": { "type": "object", "additionalProperties": { "type": "string" } }
                }
            }),
        );
    }
}
