//! SMI TrafficSplits (`split.smi-spec.io`, every version): the mesh sends the traffic of the root
//! Service (`spec.service`, a name in the split's namespace) to the backends' Services by weight.
//!
//! v1alpha1 weights are Kubernetes quantities (`"10"`, `"500m"`, `"1e3"`), later versions integers; both
//! are read in thousandths so that the choice is exact. When two splits name the same root, the oldest
//! wins.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

use super::matching::Weighted;
use super::objects::{list, oldest_first, text};
use super::services::{PortRef, Services, Target};

/// One TrafficSplit, compiled.
#[derive(Debug)]
pub(super) struct Split {
    pub namespace: String,
    pub name: String,
    /// The backends' Services by weight (they are not split again).
    pub backends: Weighted<Target>,
}

/// The splits by namespace and root Service name.
pub(super) type Splits = HashMap<String, HashMap<String, Arc<Split>>>;

/// Compiles the TrafficSplits; those without a root Service name are skipped.
pub(super) fn build(services: &Services, traffic_splits: &[Arc<Value>]) -> Splits {
    let mut splits: Splits = HashMap::new();
    for (m, split) in oldest_first(traffic_splits) {
        let Some(root) = split
            .pointer("/spec/service")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
        else {
            continue;
        };
        let backends = split.get("spec").map(|s| list(s, "backends")).unwrap_or_default();
        let backends = Weighted::new(backends.iter().filter_map(|b| {
            let service = text(b, "service").filter(|s| !s.is_empty())?;
            let weight = milli_weight(b.get("weight")?)?;
            Some((weight, services.target(m.namespace, service, PortRef::Unnamed, None)))
        }));
        splits
            .entry(m.namespace.to_string())
            .or_default()
            .entry(root.to_string())
            .or_insert_with(|| {
                Arc::new(Split {
                    namespace: m.namespace.to_string(),
                    name: m.name.to_string(),
                    backends,
                })
            });
    }
    splits
}

/// A weight in thousandths: an integer, or a decimal quantity (`"10"`, `"500m"`, `"1e3"`, `"2k"`).
/// Negative weights count as 0; anything else unreadable skips the backend.
pub(super) fn milli_weight(weight: &Value) -> Option<u64> {
    let value = match weight {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => quantity(s.trim())?,
        _ => return None,
    };
    value.is_finite().then(|| (value.max(0.0) * 1000.0).round() as u64)
}

/// The value of a decimal or binary Kubernetes quantity.
fn quantity(text: &str) -> Option<f64> {
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '+' || c == '-'))
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let scale = match suffix {
        "" => 1.0,
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024.0 * 1024.0,
        "Gi" => 1024.0 * 1024.0 * 1024.0,
        exponent => {
            let exponent: i32 = exponent.strip_prefix(['e', 'E'])?.parse().ok()?;
            10f64.powi(exponent)
        }
    };
    Some(number * scale)
}
