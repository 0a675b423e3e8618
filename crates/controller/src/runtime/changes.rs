//! Telling the watch events that matter from those that do not, by one value of each object: a
//! Deployment matters to its Rollouts only when its generation changes (its spec, not the status
//! updates a running Deployment sees all the time), an AnalysisRun only when its phase does (not
//! each measurement it records).

use std::collections::HashMap;

use kube::runtime::watcher::Event;

use crate::runtime::ObjectKey;

/// The last value seen of every watched object.
#[derive(Debug)]
pub struct LastSeen<V> {
    known: HashMap<ObjectKey, V>,
    /// What a relist in progress has listed so far; it replaces `known` once complete.
    relisted: Option<HashMap<ObjectKey, V>>,
}

impl<V> Default for LastSeen<V> {
    fn default() -> Self {
        Self {
            known: HashMap::new(),
            relisted: None,
        }
    }
}

impl<V: PartialEq> LastSeen<V> {
    /// Takes in one watch event, `value` picking what matters of an object; returns the objects that
    /// are new, deleted or of another value. A relist reports no deletions: at its end, the objects it
    /// no longer lists are returned as deleted.
    pub fn observe<K: kube::Resource>(&mut self, event: &Event<K>, value: impl Fn(&K) -> V) -> Vec<ObjectKey> {
        match event {
            Event::Apply(object) => {
                let key = ObjectKey::of(object);
                let value = value(object);
                let changed = self.known.get(&key) != Some(&value);
                self.known.insert(key.clone(), value);
                changed.then_some(key).into_iter().collect()
            }
            Event::Delete(object) => {
                let key = ObjectKey::of(object);
                self.known.remove(&key);
                vec![key]
            }
            Event::Init => {
                self.relisted = Some(HashMap::new());
                Vec::new()
            }
            Event::InitApply(object) => {
                let key = ObjectKey::of(object);
                let value = value(object);
                let changed = self.known.get(&key) != Some(&value);
                self.relisted
                    .get_or_insert_with(HashMap::new)
                    .insert(key.clone(), value);
                changed.then_some(key).into_iter().collect()
            }
            Event::InitDone => {
                let relisted = self.relisted.take().unwrap_or_default();
                let deleted = self
                    .known
                    .keys()
                    .filter(|k| !relisted.contains_key(*k))
                    .cloned()
                    .collect();
                self.known = relisted;
                deleted
            }
        }
    }

    /// How many objects are known.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.known.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::apps::v1::Deployment;
    use kube::api::ObjectMeta;
    use kube::core::PartialObjectMeta;

    fn deployment(name: &str, generation: i64) -> PartialObjectMeta<Deployment> {
        PartialObjectMeta {
            metadata: ObjectMeta {
                name: Some(name.into()),
                namespace: Some("ns".into()),
                generation: Some(generation),
                ..ObjectMeta::default()
            },
            ..PartialObjectMeta::default()
        }
    }

    fn key(name: &str) -> ObjectKey {
        ObjectKey::new("ns", name)
    }

    type Generations = LastSeen<Option<i64>>;

    fn observe(generations: &mut Generations, event: Event<PartialObjectMeta<Deployment>>) -> Vec<ObjectKey> {
        generations.observe(&event, |d| d.metadata.generation)
    }

    #[test]
    fn only_new_deleted_or_regenerated_objects_count_as_changed() {
        let g = &mut Generations::default();
        assert!(observe(g, Event::Init).is_empty());
        assert_eq!(observe(g, Event::InitApply(deployment("a", 1))), [key("a")]);
        assert_eq!(observe(g, Event::InitApply(deployment("b", 3))), [key("b")]);
        assert!(observe(g, Event::InitDone).is_empty());
        assert_eq!(
            observe(g, Event::Apply(deployment("a", 2))),
            [key("a")],
            "a spec change"
        );
        assert!(
            observe(g, Event::Apply(deployment("a", 2))).is_empty(),
            "a status change"
        );
        assert_eq!(observe(g, Event::Apply(deployment("c", 1))), [key("c")], "created");
        assert_eq!(observe(g, Event::Delete(deployment("c", 1))), [key("c")], "deleted");

        // A relist (after the watch fell behind) reports what changed meanwhile, deletions included.
        assert!(observe(g, Event::Init).is_empty());
        assert!(observe(g, Event::InitApply(deployment("a", 2))).is_empty(), "unchanged");
        assert_eq!(observe(g, Event::InitApply(deployment("d", 1))), [key("d")], "new");
        assert_eq!(observe(g, Event::InitDone), [key("b")], "b went away while not watched");
        assert_eq!(g.len(), 2);
        assert_eq!(observe(g, Event::Apply(deployment("b", 3))), [key("b")], "b is back");
    }
}
