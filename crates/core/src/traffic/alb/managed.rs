//! `rollouts.argoproj.io/managed-alb-annotations`: which annotations of an Ingress each Rollout wrote,
//! a JSON object of Rollout name to annotation keys, so that the annotations of a Rollout that is gone
//! can be cleaned up.

use std::collections::BTreeMap;

use rollouts_api::gofmt::go_json_string;

use crate::traffic::RouterError;

/// The bookkeeping annotation.
pub(super) const MANAGED_ANNOTATIONS: &str = rollouts_api::well_known::annotations::MANAGED_ALB_ANNOTATIONS;

/// The annotations each Rollout manages (`None` is a list written as `null`, kept as read).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Managed(BTreeMap<String, Option<Vec<String>>>);

impl Managed {
    /// Reads the annotation's value; empty is no entry. A value that is not such a JSON object is an
    /// error, as upstream refuses to overwrite what it cannot read.
    pub(super) fn parse(value: Option<&str>) -> Result<Self, RouterError> {
        let value = value.unwrap_or_default();
        if value.is_empty() {
            return Ok(Self::default());
        }
        let parsed: Option<BTreeMap<String, Option<Vec<String>>>> = serde_json::from_str(value)
            .map_err(|e| RouterError::new(format!("error reading the {MANAGED_ANNOTATIONS} annotation: {e}")))?;
        Ok(Self(parsed.unwrap_or_default()))
    }

    /// Adds (or removes) `keys` to (from) the entry of `rollout`, creating the entry either way, as
    /// upstream does.
    pub(super) fn modify(&mut self, rollout: &str, add: bool, keys: &[String]) {
        let entry = self
            .0
            .entry(rollout.to_string())
            .or_default()
            .get_or_insert_with(Vec::new);
        for key in keys {
            if add {
                if !entry.contains(key) {
                    entry.push(key.clone());
                }
            } else {
                entry.retain(|k| k != key);
            }
        }
    }

    /// The entries of the Rollouts for which `keep` holds.
    pub(super) fn retain(&mut self, mut keep: impl FnMut(&str) -> bool) {
        self.0.retain(|name, _| keep(name));
    }

    /// Each Rollout with its keys.
    pub(super) fn entries(&self) -> impl Iterator<Item = (&str, &[String])> {
        self.0
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_deref().unwrap_or_default()))
    }

    /// Whether no Rollout has an entry.
    pub(super) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The value as Go marshals the map: keys sorted, compact.
    pub(super) fn render(&self) -> String {
        let entries: Vec<String> = self
            .0
            .iter()
            .map(|(name, keys)| {
                let keys = match keys {
                    Some(keys) => {
                        let keys: Vec<String> = keys.iter().map(|k| go_json_string(k)).collect();
                        format!("[{}]", keys.join(","))
                    }
                    None => "null".to_string(),
                };
                format!("{}:{keys}", go_json_string(name))
            })
            .collect();
        format!("{{{}}}", entries.join(","))
    }
}
