//! The TrafficSplit spec in each API version upstream can write (`--traffic-split-api-version`), and
//! the spec as upstream sees a TrafficSplit it read: decoded into that version's Go type and encoded
//! again, so fields the type lacks vanish, `omitempty` fields go when empty, and weights take their
//! canonical form. Upstream patches only where those two differ.

use std::fmt;
use std::str::FromStr;

use serde_json::{Map, Value};

use super::quantity;

/// The API group of TrafficSplits.
pub const GROUP: &str = "split.smi-spec.io";

/// The kind.
pub const KIND: &str = "TrafficSplit";

/// The TrafficSplit API version the controller writes; upstream's default is `v1alpha1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SplitVersion {
    /// `split.smi-spec.io/v1alpha1`: weights are quantities (`"10"`), empty names are omitted.
    #[default]
    V1alpha1,
    /// `split.smi-spec.io/v1alpha2`: weights are integers, every backend names its Service.
    V1alpha2,
    /// `split.smi-spec.io/v1alpha3`: as v1alpha2, and `service` and `backends` are always written.
    V1alpha3,
    /// `split.smi-spec.io/v1alpha4` (the current SMI release, which upstream cannot write): the same
    /// spec as v1alpha3.
    V1alpha4,
}

/// A `--traffic-split-api-version` upstream does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Unsupported TrafficSplit API version `{0}`")]
pub struct UnsupportedSplitVersion(pub String);

impl FromStr for SplitVersion {
    type Err = UnsupportedSplitVersion;

    fn from_str(version: &str) -> Result<Self, Self::Err> {
        match version {
            "v1alpha1" => Ok(Self::V1alpha1),
            "v1alpha2" => Ok(Self::V1alpha2),
            "v1alpha3" => Ok(Self::V1alpha3),
            "v1alpha4" => Ok(Self::V1alpha4),
            other => Err(UnsupportedSplitVersion(other.to_string())),
        }
    }
}

impl fmt::Display for SplitVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One backend of the split: a Service and its weight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Backend {
    pub service: String,
    pub weight: i64,
}

impl SplitVersion {
    /// The version, e.g. `v1alpha1`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V1alpha1 => "v1alpha1",
            Self::V1alpha2 => "v1alpha2",
            Self::V1alpha3 => "v1alpha3",
            Self::V1alpha4 => "v1alpha4",
        }
    }

    /// The full `apiVersion`, e.g. `split.smi-spec.io/v1alpha1`.
    pub fn api_version(self) -> String {
        format!("{GROUP}/{}", self.as_str())
    }

    /// The spec upstream writes: the root Service and the backends, in this version's shape.
    pub(super) fn spec(self, root: &str, backends: &[Backend]) -> Value {
        let mut spec = Map::new();
        match self {
            Self::V1alpha1 => {
                put_non_empty(&mut spec, "service", root);
                let backends = backends
                    .iter()
                    .map(|b| {
                        let mut backend = Map::new();
                        put_non_empty(&mut backend, "service", &b.service);
                        backend.insert("weight".into(), Value::String(quantity::weight(b.weight)));
                        Value::Object(backend)
                    })
                    .collect();
                spec.insert("backends".into(), Value::Array(backends));
            }
            Self::V1alpha2 | Self::V1alpha3 | Self::V1alpha4 => {
                if matches!(self, Self::V1alpha3 | Self::V1alpha4) {
                    spec.insert("service".into(), Value::from(root));
                } else {
                    put_non_empty(&mut spec, "service", root);
                }
                let backends = backends
                    .iter()
                    .map(|b| serde_json::json!({"service": b.service, "weight": b.weight}))
                    .collect();
                spec.insert("backends".into(), Value::Array(backends));
            }
        }
        Value::Object(spec)
    }

    /// The spec of a TrafficSplit as read, after upstream's typed round trip. A member whose JSON type
    /// the Go type cannot hold is kept as read, so that it differs and gets rewritten.
    pub(super) fn as_upstream_reads(self, spec: Option<&Value>) -> Value {
        let field = |name: &str| spec.and_then(|s| s.get(name)).filter(|v| !v.is_null());
        let mut out = Map::new();
        let optional_service = || field("service").filter(|v| v.as_str() != Some(""));
        match self {
            Self::V1alpha1 | Self::V1alpha2 => put(&mut out, "service", optional_service().cloned()),
            Self::V1alpha3 | Self::V1alpha4 => {
                let service = field("service").cloned().unwrap_or_else(|| Value::from(""));
                out.insert("service".into(), service);
            }
        }
        let backends = match field("backends") {
            Some(Value::Array(items)) => Some(Value::Array(items.iter().map(|b| self.backend_as_read(b)).collect())),
            other => other.cloned(),
        };
        match self {
            // `omitempty`: an empty list is not written.
            Self::V1alpha1 | Self::V1alpha2 => {
                put(
                    &mut out,
                    "backends",
                    backends.filter(|b| b.as_array().is_none_or(|a| !a.is_empty())),
                );
            }
            // Always written: a missing list is Go's nil slice, `null`.
            Self::V1alpha3 | Self::V1alpha4 => {
                out.insert("backends".into(), backends.unwrap_or(Value::Null));
            }
        }
        if matches!(self, Self::V1alpha3 | Self::V1alpha4) {
            // `matches` is only in v1alpha3, and `omitempty`; upstream never writes it, so a non-empty
            // list read is removed by the patch whatever its members hold.
            put(
                &mut out,
                "matches",
                field("matches")
                    .filter(|m| m.as_array().is_none_or(|a| !a.is_empty()))
                    .cloned(),
            );
        }
        Value::Object(out)
    }

    fn backend_as_read(self, backend: &Value) -> Value {
        let Value::Object(members) = backend else {
            return backend.clone();
        };
        let field = |name: &str| members.get(name).filter(|v| !v.is_null());
        let mut out = Map::new();
        match self {
            Self::V1alpha1 => {
                put(
                    &mut out,
                    "service",
                    field("service").filter(|v| v.as_str() != Some("")).cloned(),
                );
                put(&mut out, "weight", quantity::normalized(field("weight")));
            }
            Self::V1alpha2 | Self::V1alpha3 | Self::V1alpha4 => {
                out.insert(
                    "service".into(),
                    field("service").cloned().unwrap_or_else(|| Value::from("")),
                );
                out.insert(
                    "weight".into(),
                    field("weight").cloned().unwrap_or_else(|| Value::from(0)),
                );
            }
        }
        Value::Object(out)
    }
}

fn put_non_empty(map: &mut Map<String, Value>, key: &str, text: &str) {
    if !text.is_empty() {
        map.insert(key.into(), Value::from(text));
    }
}

fn put(map: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(value) = value {
        map.insert(key.into(), value);
    }
}
