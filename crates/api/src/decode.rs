//! Decoding manifests (YAML or JSON streams) into the typed kinds, with errors that name the document and
//! the field path, and detection of fields the types do not know (which the API server would prune).

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::{AnalysisRun, AnalysisTemplate, ClusterAnalysisTemplate, Experiment, Rollout};

/// The API group of the five kinds.
pub const GROUP: &str = "argoproj.io";
/// `apiVersion` of the five kinds.
pub const API_VERSION: &str = "argoproj.io/v1alpha1";

/// One decoded document of a manifest stream.
#[derive(Debug, Clone, PartialEq)]
pub enum Manifest {
    /// A Rollout.
    Rollout(Box<Rollout>),
    /// An AnalysisTemplate.
    AnalysisTemplate(Box<AnalysisTemplate>),
    /// A ClusterAnalysisTemplate.
    ClusterAnalysisTemplate(Box<ClusterAnalysisTemplate>),
    /// An AnalysisRun.
    AnalysisRun(Box<AnalysisRun>),
    /// An Experiment.
    Experiment(Box<Experiment>),
    /// Any other object (Services, Ingresses, ...), kept as JSON.
    Other(Value),
}

/// Why a manifest could not be decoded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DecodeError {
    /// The text is not YAML (or JSON).
    #[error("document {document}: {message}")]
    Syntax {
        /// 1-based index of the document in the stream (1 when unknown).
        document: usize,
        /// The parser's message, with its line and column.
        message: String,
    },
    /// A field has the wrong type or an unsupported value.
    #[error("document {document} ({kind} {name:?}): {path}: {message}")]
    Field {
        /// 1-based index of the document in the stream.
        document: usize,
        /// The document's kind.
        kind: String,
        /// The document's `metadata.name` (may be empty).
        name: String,
        /// Dotted path of the offending field.
        path: String,
        /// What is wrong with it.
        message: String,
    },
    /// A field that the kind does not have (the API server would drop it silently).
    #[error("document {document} ({kind} {name:?}): {path}: unknown field {field:?}")]
    UnknownField {
        /// 1-based index of the document in the stream.
        document: usize,
        /// The document's kind.
        kind: String,
        /// The document's `metadata.name` (may be empty).
        name: String,
        /// Dotted path of the object holding the field.
        path: String,
        /// The field's name.
        field: String,
    },
}

/// The documents of a YAML (or JSON) stream as JSON values; empty documents are dropped.
pub fn documents(text: &str) -> Result<Vec<Value>, DecodeError> {
    let docs: Vec<Value> = serde_saphyr::from_multiple(text).map_err(|e| DecodeError::Syntax {
        document: 1,
        message: e.to_string(),
    })?;
    Ok(docs.into_iter().filter(|d| !d.is_null()).collect())
}

/// Decodes one document (`document` is its 1-based index, used in errors). Unknown fields are allowed
/// here, as the API server allows them; use [`unknown_fields`] to find them.
pub fn decode(document: usize, value: Value) -> Result<Manifest, DecodeError> {
    let api_version = value.get("apiVersion").and_then(Value::as_str).unwrap_or_default();
    let kind = value
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    if api_version != API_VERSION {
        return Ok(Manifest::Other(value));
    }
    Ok(match kind.as_str() {
        "Rollout" => Manifest::Rollout(Box::new(typed(document, &kind, value)?)),
        "AnalysisTemplate" => Manifest::AnalysisTemplate(Box::new(typed(document, &kind, value)?)),
        "ClusterAnalysisTemplate" => Manifest::ClusterAnalysisTemplate(Box::new(typed(document, &kind, value)?)),
        "AnalysisRun" => Manifest::AnalysisRun(Box::new(typed(document, &kind, value)?)),
        "Experiment" => Manifest::Experiment(Box::new(typed(document, &kind, value)?)),
        _ => Manifest::Other(value),
    })
}

/// Decodes every document of a stream, stopping at the first that cannot be decoded.
pub fn decode_all(text: &str) -> Result<Vec<Manifest>, DecodeError> {
    documents(text)?
        .into_iter()
        .enumerate()
        .map(|(i, doc)| decode(i + 1, doc))
        .collect()
}

fn typed<T: DeserializeOwned>(document: usize, kind: &str, mut value: Value) -> Result<T, DecodeError> {
    let name = object_name(&value);
    // A document with no metadata or spec at all is still that kind of object, only an invalid one:
    // decode it so that validation can say what is missing, as upstream's lint does.
    if let Some(obj) = value.as_object_mut() {
        for field in ["metadata", "spec"] {
            if obj.get(field).is_none_or(Value::is_null) {
                obj.insert(field.to_string(), Value::Object(Default::default()));
            }
        }
    }
    serde_path_to_error::deserialize(value).map_err(|e| DecodeError::Field {
        document,
        kind: kind.to_string(),
        name,
        path: e.path().to_string(),
        message: e.into_inner().to_string(),
    })
}

fn object_name(value: &Value) -> String {
    value
        .pointer("/metadata/name")
        .or_else(|| value.pointer("/metadata/generateName"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// Paths (`spec.strategy.canary`, field) of fields in `original` that did not survive decoding into
/// the typed struct and encoding back (`reencoded`): fields the kind does not have.
pub fn unknown_fields(original: &Value, reencoded: &Value) -> Vec<(String, String)> {
    rollouts_compat::reencode::lost_fields(original, reencoded)
        .into_iter()
        // A null that was dropped carried no information.
        .filter(|lost| !lost.value.is_null())
        .map(|lost| (lost.parent, lost.name.to_string()))
        .collect()
}

/// Decodes a document and rejects fields the kind does not know, like `kubectl argo rollouts lint`.
pub fn decode_strict(document: usize, value: Value) -> Result<Manifest, DecodeError> {
    let manifest = decode(document, value.clone())?;
    let reencoded = match &manifest {
        Manifest::Rollout(o) => serde_json::to_value(o),
        Manifest::AnalysisTemplate(o) => serde_json::to_value(o),
        Manifest::ClusterAnalysisTemplate(o) => serde_json::to_value(o),
        Manifest::AnalysisRun(o) => serde_json::to_value(o),
        Manifest::Experiment(o) => serde_json::to_value(o),
        Manifest::Other(_) => return Ok(manifest),
    };
    let reencoded = reencoded.unwrap_or(Value::Null);
    if let Some((path, field)) = unknown_fields(&value, &reencoded).into_iter().next() {
        return Err(DecodeError::UnknownField {
            document,
            kind: value
                .get("kind")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            name: object_name(&value),
            path,
            field,
        });
    }
    Ok(manifest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_yaml_names_the_document() {
        let err = decode_all("apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nspec: [unclosed").unwrap_err();
        assert!(matches!(err, DecodeError::Syntax { document: 1, .. }), "{err}");
    }

    #[test]
    fn wrong_types_name_the_document_kind_and_field_path() {
        let text = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n---\napiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: web}\nspec:\n  strategy:\n    canary:\n      steps:\n      - setWeight: twenty\n";
        let err = decode_all(text).unwrap_err();
        let DecodeError::Field {
            document,
            kind,
            name,
            path,
            ..
        } = &err
        else {
            panic!("{err}")
        };
        assert_eq!((*document, kind.as_str(), name.as_str()), (2, "Rollout", "web"));
        assert_eq!(path, "spec.strategy.canary.steps[0].setWeight");
        assert!(
            err.to_string()
                .starts_with("document 2 (Rollout \"web\"): spec.strategy.canary.steps[0].setWeight: ")
        );
    }

    #[test]
    fn unknown_enum_values_are_field_errors() {
        let text = "apiVersion: argoproj.io/v1alpha1\nkind: AnalysisTemplate\nmetadata: {name: t}\nspec:\n  metrics:\n  - name: m\n    provider:\n      datadog:\n        aggregator: median\n";
        let err = decode_all(text).unwrap_err();
        let DecodeError::Field { path, message, .. } = &err else {
            panic!("{err}")
        };
        assert_eq!(path, "spec.metrics[0].provider.datadog.aggregator");
        assert!(message.contains("median"), "{message}");
    }

    #[test]
    fn strict_decoding_reports_unknown_fields_with_their_place() {
        let doc = documents("apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: r}\nspec:\n  strategy:\n    canery: {}\n")
            .unwrap()
            .remove(0);
        let err = decode_strict(1, doc).unwrap_err();
        assert_eq!(
            err.to_string(),
            "document 1 (Rollout \"r\"): spec.strategy: unknown field \"canery\""
        );
    }

    #[test]
    fn other_kinds_pass_through() {
        let m = decode_all("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n").unwrap();
        assert!(matches!(&m[0], Manifest::Other(v) if v["kind"] == "ConfigMap"));
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
            let _ = decode_all(&text);
        }

        #[test]
        fn arbitrary_rollout_bodies_never_panic(body in "[a-zA-Z:{}\\[\\], \\n-]{0,120}") {
            let _ = decode_all(&format!("apiVersion: argoproj.io/v1alpha1\nkind: Rollout\n{body}"));
        }
    }
}
