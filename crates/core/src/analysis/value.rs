//! The result of one measurement as the conditions see it (`result` in `successCondition`): JSON, with
//! room for the NaN and ±Inf a metrics backend can return and JSON cannot carry.

use std::collections::BTreeMap;

/// One measurement's value as a provider returned it, in the shapes the condition language tells apart.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum MetricValue {
    /// No data (`nil` in the conditions).
    #[default]
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// Every number is a float, as Go's JSON decoding makes it (NaN and ±Inf allowed).
    Number(f64),
    /// A string.
    String(String),
    /// A list.
    Array(Vec<MetricValue>),
    /// An object, keys sorted.
    Object(BTreeMap<String, MetricValue>),
}

impl From<serde_json::Value> for MetricValue {
    fn from(value: serde_json::Value) -> Self {
        match value {
            serde_json::Value::Null => MetricValue::Null,
            serde_json::Value::Bool(b) => MetricValue::Bool(b),
            serde_json::Value::Number(n) => MetricValue::Number(n.as_f64().unwrap_or(f64::NAN)),
            serde_json::Value::String(s) => MetricValue::String(s),
            serde_json::Value::Array(items) => MetricValue::Array(items.into_iter().map(MetricValue::from).collect()),
            serde_json::Value::Object(map) => {
                MetricValue::Object(map.into_iter().map(|(k, v)| (k, MetricValue::from(v))).collect())
            }
        }
    }
}

impl From<f64> for MetricValue {
    fn from(value: f64) -> Self {
        MetricValue::Number(value)
    }
}

impl From<Vec<f64>> for MetricValue {
    fn from(values: Vec<f64>) -> Self {
        MetricValue::Array(values.into_iter().map(MetricValue::Number).collect())
    }
}

impl MetricValue {
    /// Whether there is no data: null or an empty list (upstream's "nil or empty" result).
    pub fn is_empty(&self) -> bool {
        match self {
            MetricValue::Null => true,
            MetricValue::Array(items) => items.is_empty(),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_numbers_become_floats_and_empty_means_no_data() {
        let v = MetricValue::from(serde_json::json!({"a": [1, 2.5], "b": null}));
        let MetricValue::Object(map) = &v else { unreachable!() };
        assert_eq!(map["a"], MetricValue::from(vec![1.0, 2.5]));
        assert!(map["b"].is_empty());
        assert!(MetricValue::Array(Vec::new()).is_empty());
        assert!(!v.is_empty());
    }
}
