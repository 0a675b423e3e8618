//! Per-field patch strategies of a kind: the `patchStrategy` / `patchMergeKey` struct tags
//! that Kubernetes' Go types carry and that strategic merge patch (and, here, server-side
//! apply) consult to decide how lists and maps combine.

use std::collections::BTreeMap;

/// How one field of a kind is patched, when it is not the default (maps merge recursively,
/// lists are replaced atomically).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldStrategy {
    /// A list of objects merged element by element, matched on `key`
    /// (`patchStrategy:"merge" patchMergeKey:"<key>"`). With `retain_keys` the elements also
    /// honour `$retainKeys` (`patchStrategy:"merge,retainKeys"`, e.g. pod volumes).
    MergeByKey {
        /// The field that identifies an element, e.g. `name` for containers.
        key: String,
        /// Whether elements are unions cleared with `$retainKeys`.
        retain_keys: bool,
    },
    /// A list of primitives merged as a set (`patchStrategy:"merge"` without a key), e.g.
    /// `metadata.finalizers`.
    MergeSet,
    /// A map that is a union cleared with `$retainKeys` (`patchStrategy:"retainKeys"`), e.g.
    /// `Deployment.spec.strategy`.
    RetainKeys,
    /// A map replaced wholesale instead of merged (`patchStrategy:"replace"`), e.g.
    /// `PodDisruptionBudget.spec.selector`.
    Replace,
}

/// The patch strategies of one kind, keyed by field path.
///
/// A path is the list of JSON field names from the object root; list elements add no
/// segment, so `spec.template.spec.containers.env` is the `env` list of every container.
/// Fields without an entry use the defaults: maps merge, lists are atomic.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Strategy {
    fields: BTreeMap<Vec<String>, FieldStrategy>,
}

impl Strategy {
    /// A strategy with no entries: every list atomic, every map merged.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) the strategy of the field at the dot-separated `path`.
    pub fn insert(&mut self, path: &str, strategy: FieldStrategy) {
        self.fields
            .insert(path.split('.').map(str::to_string).collect(), strategy);
    }

    /// Builder form of [`Strategy::insert`].
    #[cfg(test)]
    pub fn with(mut self, path: &str, strategy: FieldStrategy) -> Self {
        self.insert(path, strategy);
        self
    }

    /// The strategy of the field at `path` (field names from the root), if not the default.
    pub fn get(&self, path: &[String]) -> Option<&FieldStrategy> {
        self.fields.get(path)
    }

    /// The merge key of the list at `path`, if it merges by key.
    #[cfg(test)]
    pub fn merge_key(&self, path: &[String]) -> Option<&str> {
        match self.get(path) {
            Some(FieldStrategy::MergeByKey { key, .. }) => Some(key),
            _ => None,
        }
    }

    /// Whether the list at `path` is a primitive list merged as a set.
    #[cfg(test)]
    pub fn is_merge_set(&self, path: &[String]) -> bool {
        matches!(self.get(path), Some(FieldStrategy::MergeSet))
    }

    /// Number of fields with a non-default strategy.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Iterates over the non-default fields as (dot-separated path, strategy).
    #[cfg(test)]
    pub fn iter(&self) -> impl Iterator<Item = (String, &FieldStrategy)> {
        self.fields.iter().map(|(path, s)| (path.join("."), s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(p: &str) -> Vec<String> {
        p.split('.').map(str::to_string).collect()
    }

    #[test]
    fn lookups() {
        let s = Strategy::new()
            .with(
                "spec.containers",
                FieldStrategy::MergeByKey {
                    key: "name".into(),
                    retain_keys: false,
                },
            )
            .with("metadata.finalizers", FieldStrategy::MergeSet);
        assert_eq!(s.merge_key(&path("spec.containers")), Some("name"));
        assert_eq!(s.merge_key(&path("spec.volumes")), None);
        assert!(s.is_merge_set(&path("metadata.finalizers")));
        assert_eq!(s.len(), 2);
        assert!(s.iter().any(|(p, _)| p == "spec.containers"));
    }
}
