//! Garbage collection and namespace lifecycle: dependents follow their owners (background and
//! foreground propagation), and a deleted namespace is emptied before it goes away.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

use crate::object;
use crate::server::ApiServer;
use crate::server::resources::{DeleteOptions, delete_object};
use crate::store::{Change, EventType, Key, RecvError, Stored};

/// How often everything is swept for orphans and stuck deletions, besides reacting to events.
const SWEEP_EVERY: Duration = Duration::from_secs(10);

fn is_deleting(obj: &Value) -> bool {
    obj.pointer("/metadata/deletionTimestamp").is_some()
}

fn has_finalizer(obj: &Value, name: &str) -> bool {
    obj.pointer("/metadata/finalizers")
        .and_then(Value::as_array)
        .is_some_and(|f| f.iter().any(|x| x == name))
}

async fn delete_key(server: &Arc<ApiServer>, key: &Key, propagation: &str) {
    let Some(rt) = server.registry().by_prefix(&key.prefix) else {
        return;
    };
    let opts = DeleteOptions {
        propagation: propagation.to_string(),
        uid: None,
        resource_version: None,
        dry_run: false,
    };
    if let Err(e) = delete_object(server, &rt, key, &opts, false).await
        && e.code != 404
    {
        tracing::warn!("garbage collector could not delete {}: {}", key.encode(), e.message);
    }
}

/// Removes owner references to `uid` from its dependents (deletion with `propagationPolicy: Orphan`).
pub async fn orphan_dependents(server: &Arc<ApiServer>, uid: &str) {
    for dep in server
        .store
        .all()
        .into_iter()
        .filter(|s| object::owner_uids(&s.object).iter().any(|u| u == uid))
    {
        let result = server
            .store
            .mutate(&dep.key, |current| {
                let Some(current) = current else {
                    return Ok::<_, ()>((Change::Keep, ()));
                };
                let mut next = (*current.object).clone();
                if let Some(meta) = object::meta_mut(&mut next) {
                    let left = meta
                        .get_mut("ownerReferences")
                        .and_then(Value::as_array_mut)
                        .map(|refs| {
                            refs.retain(|r| r.get("uid").and_then(Value::as_str) != Some(uid));
                            refs.len()
                        });
                    // An empty list is no list, as Kubernetes serializes it.
                    if left == Some(0) {
                        meta.remove("ownerReferences");
                    }
                }
                Ok((Change::Put(next), ()))
            })
            .await;
        if let Err(e) = result {
            tracing::warn!("orphaning {}: {e}", dep.key.encode());
        }
    }
}

async fn remove_finalizer(server: &Arc<ApiServer>, key: &Key, finalizer: &str) {
    let Some(rt) = server.registry().by_prefix(&key.prefix) else {
        return;
    };
    let result = server
        .store
        .mutate(key, |current| {
            let Some(current) = current else {
                return Ok::<_, ()>((Change::Keep, ()));
            };
            let mut next = (*current.object).clone();
            if let Some(f) = next.pointer_mut("/metadata/finalizers").and_then(Value::as_array_mut) {
                f.retain(|x| x != finalizer);
            }
            let gone = next
                .pointer("/metadata/finalizers")
                .and_then(Value::as_array)
                .is_none_or(Vec::is_empty)
                && !crate::server::has_spec_finalizers(&rt, &next);
            Ok((if gone { Change::Delete } else { Change::Put(next) }, ()))
        })
        .await;
    if let Err(e) = result {
        tracing::warn!("removing finalizer {finalizer} from {}: {e}", key.encode());
    }
}

/// One pass over everything: delete dependents whose owners are gone or being deleted in the
/// foreground, finish foreground deletions without dependents, and empty terminating namespaces.
pub async fn sweep(server: &Arc<ApiServer>) {
    let all = server.store.all();
    let uids: HashSet<String> = all
        .iter()
        .filter_map(|s| object::meta_str(&s.object, "uid").map(str::to_string))
        .collect();
    let foreground: HashSet<String> = all
        .iter()
        .filter(|s| is_deleting(&s.object) && has_finalizer(&s.object, "foregroundDeletion"))
        .filter_map(|s| object::meta_str(&s.object, "uid").map(str::to_string))
        .collect();
    let mut has_dependents: HashSet<String> = HashSet::new();
    for s in &all {
        let owners = object::owner_uids(&s.object);
        if owners.is_empty() {
            continue;
        }
        has_dependents.extend(owners.iter().cloned());
        let all_gone = owners.iter().all(|u| !uids.contains(u));
        let owner_foreground = owners.iter().any(|u| foreground.contains(u));
        if (all_gone || owner_foreground) && !is_deleting(&s.object) {
            let propagation = if owner_foreground { "Foreground" } else { "Background" };
            delete_key(server, &s.key, propagation).await;
        }
    }
    for s in all
        .iter()
        .filter(|s| is_deleting(&s.object) && has_finalizer(&s.object, "foregroundDeletion"))
    {
        let uid = object::meta_str(&s.object, "uid").unwrap_or_default();
        if !has_dependents.contains(uid) {
            remove_finalizer(server, &s.key, "foregroundDeletion").await;
        }
    }
    for ns in all
        .iter()
        .filter(|s| s.key.prefix == "/core/namespaces" && is_deleting(&s.object))
    {
        empty_namespace(server, &all, ns).await;
    }
}

async fn empty_namespace(server: &Arc<ApiServer>, all: &[Arc<Stored>], ns: &Arc<Stored>) {
    let name = ns.key.name.as_str();
    let contents: Vec<&Arc<Stored>> = all
        .iter()
        .filter(|s| s.key.namespace.as_deref() == Some(name))
        .collect();
    for s in &contents {
        if !is_deleting(&s.object) {
            delete_key(server, &s.key, "Background").await;
        }
    }
    let remaining = contents.iter().filter(|s| server.store.get(&s.key).is_some()).count();
    if remaining == 0 {
        let Some(rt) = server.registry().by_prefix("/core/namespaces") else {
            return;
        };
        let key = ns.key.clone();
        let result = server
            .store
            .mutate(&key, |current| {
                let Some(current) = current else {
                    return Ok::<_, ()>((Change::Keep, ()));
                };
                let mut next = (*current.object).clone();
                next["spec"]["finalizers"] = json!([]);
                let gone = next
                    .pointer("/metadata/finalizers")
                    .and_then(Value::as_array)
                    .is_none_or(Vec::is_empty);
                Ok((if gone { Change::Delete } else { Change::Put(next) }, ()))
            })
            .await;
        if let Err(e) = result {
            tracing::warn!("finalizing namespace {name}: {e}");
        }
        server.after_delete(&rt, name);
    }
}

/// Runs the collector until the store closes: a sweep after every batch of relevant events, and
/// periodically.
pub async fn run(server: Arc<ApiServer>) {
    let mut events = server.store.subscribe_all();
    sweep(&server).await;
    let mut ticker = tokio::time::interval(SWEEP_EVERY);
    loop {
        let relevant = tokio::select! {
            _ = ticker.tick() => true,
            received = events.recv() => match received {
                Ok(e) => e.event_type == EventType::Deleted
                    || is_deleting(&e.object),
                Err(RecvError::Lagged) => true,
                Err(RecvError::Closed) => return,
            },
        };
        if relevant {
            // Let a burst of deletions land before sweeping once for all of them.
            tokio::time::sleep(Duration::from_millis(20)).await;
            while let Ok(Some(_)) = events.try_recv() {}
            sweep(&server).await;
        }
    }
}
