//! The Lease API: read the lock, create it, write over it only if nobody wrote since it was read, and
//! watch it change.

use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use kube::api::{Api, ObjectMeta, WatchEvent, WatchParams};
use tokio::sync::watch;

use crate::runtime::api::{is_status, post_params};

/// The Lease named `name` in `namespace`.
pub struct LeaseLock {
    api: Api<Lease>,
    name: String,
    namespace: String,
}

/// Why a write to the Lease did not happen.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another candidate wrote first (409: created it, or changed it since it was read).
    #[error("another candidate changed the Lease first")]
    Conflict,
    /// The API request failed.
    #[error(transparent)]
    Api(#[from] kube::Error),
}

impl LeaseLock {
    /// The lock `namespace/name`, read and written with `client`.
    pub fn new(client: kube::Client, namespace: &str, name: &str) -> Self {
        Self {
            api: Api::namespaced(client, namespace),
            name: name.to_string(),
            namespace: namespace.to_string(),
        }
    }

    /// `namespace/name`, for log lines.
    pub fn key(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    /// The Lease, or `None` when there is none.
    pub async fn get(&self) -> Result<Option<Lease>, LockError> {
        Ok(self.api.get_opt(&self.name).await?)
    }

    /// Creates the Lease with `spec`.
    pub async fn create(&self, spec: LeaseSpec) -> Result<Lease, LockError> {
        let lease = Lease {
            metadata: ObjectMeta {
                name: Some(self.name.clone()),
                namespace: Some(self.namespace.clone()),
                ..ObjectMeta::default()
            },
            spec: Some(spec),
        };
        self.api.create(&post_params(), &lease).await.map_err(conflict)
    }

    /// Replaces the record of `read` (the Lease as read, with its resourceVersion) by `spec`; fails
    /// with [`LockError::Conflict`] when the Lease changed since it was read.
    pub async fn update(&self, read: &Lease, spec: LeaseSpec) -> Result<Lease, LockError> {
        let lease = Lease {
            metadata: read.metadata.clone(),
            spec: Some(spec),
        };
        self.api
            .replace(&self.name, &post_params(), &lease)
            .await
            .map_err(conflict)
    }
}

impl LeaseLock {
    /// A signal raised at every change of the Lease, from a watch that runs until the receiver is
    /// dropped. Where the watch is not permitted (upstream's role grants get, create and update only)
    /// the sender goes away and the candidate polls every retry period instead.
    pub fn changes(&self) -> watch::Receiver<()> {
        let (changed, changes) = watch::channel(());
        let api = self.api.clone();
        let params = WatchParams::default()
            .fields(&format!("metadata.name={}", self.name))
            .timeout(290);
        tokio::spawn(async move {
            let mut failures = 0u32;
            loop {
                let started = tokio::select! {
                    () = changed.closed() => return,
                    started = api.watch(&params, "0") => started,
                };
                let events = match started {
                    Ok(events) => events,
                    Err(error) if is_status(&error, 403) => {
                        tracing::debug!(%error, "watching the leader lease is not permitted: polling it");
                        return;
                    }
                    Err(error) => {
                        failures = failures.saturating_add(1);
                        tracing::debug!(%error, "watching the leader lease");
                        tokio::time::sleep(Duration::from_secs(u64::from(failures.min(30)))).await;
                        continue;
                    }
                };
                failures = 0;
                let mut events = events.boxed();
                loop {
                    let event = tokio::select! {
                        () = changed.closed() => return,
                        event = events.next() => event,
                    };
                    match event {
                        Some(Ok(WatchEvent::Added(_) | WatchEvent::Modified(_) | WatchEvent::Deleted(_))) => {
                            let _ = changed.send(());
                        }
                        Some(Ok(WatchEvent::Bookmark(_))) => {}
                        // Ended, expired or broken: watch again (from the current state).
                        Some(Ok(WatchEvent::Error(_)) | Err(_)) | None => break,
                    }
                }
            }
        });
        changes
    }
}

fn conflict(error: kube::Error) -> LockError {
    if is_status(&error, 409) {
        LockError::Conflict
    } else {
        LockError::Api(error)
    }
}
