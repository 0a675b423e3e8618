//! The key the controllers know an object by: its namespace and name.

use std::fmt;

/// An object's namespace and name (an empty namespace for a cluster-scoped object).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectKey {
    /// The namespace.
    pub namespace: String,
    /// The name.
    pub name: String,
}

impl ObjectKey {
    /// The key of `namespace/name`.
    pub fn new(namespace: &str, name: &str) -> Self {
        Self {
            namespace: namespace.to_string(),
            name: name.to_string(),
        }
    }

    /// The key of `object` (empty parts for what its metadata lacks).
    pub fn of<K: kube::Resource>(object: &K) -> Self {
        let meta = object.meta();
        Self::new(
            meta.namespace.as_deref().unwrap_or_default(),
            meta.name.as_deref().unwrap_or_default(),
        )
    }
}

impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.namespace, self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kube::core::{ApiResource, DynamicObject};

    #[test]
    fn an_object_is_known_by_its_namespace_and_name() {
        let resource = ApiResource::erase::<rollouts_api::Rollout>(&());
        let key = ObjectKey::of(&DynamicObject::new("web", &resource).within("ns"));
        assert_eq!(key, ObjectKey::new("ns", "web"));
        assert_eq!(key.to_string(), "ns/web");
        assert_eq!(ObjectKey::of(&DynamicObject::new("c", &resource)).to_string(), "/c");
    }
}
