//! The controllers of RBAC and service account tokens, as kube-apiserver and kube-controller-manager run
//! them: the bootstrap policy at start, ClusterRole aggregation, and the tokens of
//! `kubernetes.io/service-account-token` Secrets (filled in, and deleted with their service account).

use std::collections::BTreeSet;
use std::sync::Arc;

use base64::Engine;
use serde_json::{Value, json};

use super::{
    SERVICE_ACCOUNT_NAME_ANNOTATION, SERVICE_ACCOUNT_UID_ANNOTATION, TOKEN_SECRET_TYPE, aggregation, bootstrap,
};
use crate::server::ApiServer;
use crate::server::resources::{DeleteOptions, delete_object};
use crate::store::{Change, EventType, Key, RecvError, WatchEvent};
use crate::workloads::client::InternalClient;

const CLUSTER_ROLES: &str = "/rbac.authorization.k8s.io/clusterroles";
const CLUSTER_ROLE_BINDINGS: &str = "/rbac.authorization.k8s.io/clusterrolebindings";
const SECRETS: &str = "/core/secrets";
const SERVICE_ACCOUNTS: &str = "/core/serviceaccounts";
/// The field manager of aggregated rules, as kube-controller-manager's.
const AGGREGATION_MANAGER: &str = "clusterrole-aggregation-controller";

/// Creates the bootstrap roles and bindings that do not exist; those that do are left as they are, so
/// that a user's changes survive restarts. They are stored directly (the policy is compiled in and
/// tested), all at once so that the store commits them together, and aggregated roles with their rules:
/// a fresh data directory costs one commit.
pub async fn install_bootstrap(server: &Arc<ApiServer>) {
    let key_of = |object: &Value| {
        let prefix = if object["kind"] == "ClusterRole" {
            CLUSTER_ROLES
        } else {
            CLUSTER_ROLE_BINDINGS
        };
        cluster_key(prefix, object["metadata"]["name"].as_str().unwrap_or_default())
    };
    let mut missing: Vec<Value> = bootstrap::objects()
        .into_iter()
        .filter(|object| server.store.get(&key_of(object)).is_none())
        .collect();
    if missing.is_empty() {
        return;
    }
    let (stored, _) = server.store.list(CLUSTER_ROLES, None);
    let updates = {
        let mut roles: Vec<&Value> = stored.iter().map(|r| r.object.as_ref()).collect();
        roles.extend(missing.iter().filter(|o| o["kind"] == "ClusterRole"));
        aggregation::aggregate(&roles)
    };
    for update in updates {
        if let Some(role) = missing
            .iter_mut()
            .find(|o| o["kind"] == "ClusterRole" && o["metadata"]["name"] == update.name.as_str())
        {
            role["rules"] = json!(update.rules);
        }
    }
    let now = crate::object::rfc3339(jiff::Timestamp::now());
    let mut writes = tokio::task::JoinSet::new();
    for mut object in missing {
        object["metadata"]["uid"] = json!(crate::object::new_uid());
        object["metadata"]["creationTimestamp"] = json!(now);
        let key = key_of(&object);
        let store = Arc::clone(&server.store);
        writes.spawn(async move {
            let result = store
                .mutate(&key, |current| {
                    let change = if current.is_some() {
                        Change::Keep
                    } else {
                        Change::Put(object)
                    };
                    Ok::<_, ()>((change, ()))
                })
                .await;
            (key, result)
        });
    }
    while let Some(done) = writes.join_next().await {
        if let Ok((key, Err(e))) = done {
            tracing::error!("creating the bootstrap {}: {e}", key.encode());
        }
    }
}

/// Applies `objects` as `manager`, all at once, so that the store commits them together.
async fn apply_all(server: &Arc<ApiServer>, objects: Vec<Value>, manager: &'static str) {
    let mut writes = tokio::task::JoinSet::new();
    for object in objects {
        let client = InternalClient::new(Arc::clone(server));
        writes.spawn(async move {
            let result = client.apply(&object, manager).await;
            (object, result)
        });
    }
    while let Some(done) = writes.join_next().await {
        if let Ok((object, Err(e))) = done {
            tracing::warn!(
                "writing the {} {}: {}",
                object["kind"].as_str().unwrap_or_default(),
                object["metadata"]["name"].as_str().unwrap_or_default(),
                e.message
            );
        }
    }
}

fn cluster_key(prefix: &str, name: &str) -> Key {
    Key {
        prefix: prefix.to_string(),
        namespace: None,
        name: name.to_string(),
    }
}

/// Brings the rules of aggregated ClusterRoles up to date with the roles their selectors match.
pub async fn aggregate(server: &Arc<ApiServer>) {
    let (roles, _) = server.store.list(CLUSTER_ROLES, None);
    let refs: Vec<&Value> = roles.iter().map(|r| r.object.as_ref()).collect();
    let updates: Vec<Value> = aggregation::aggregate(&refs)
        .into_iter()
        .map(|update| {
            json!({
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "ClusterRole",
                "metadata": { "name": update.name },
                "rules": update.rules,
            })
        })
        .collect();
    if !updates.is_empty() {
        apply_all(server, updates, AGGREGATION_MANAGER).await;
    }
}

fn annotation<'a>(obj: &'a Value, name: &str) -> Option<&'a str> {
    obj.pointer("/metadata/annotations")
        .and_then(|a| a.get(name))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

fn is_token_secret(obj: &Value) -> bool {
    obj.get("type").and_then(Value::as_str) == Some(TOKEN_SECRET_TYPE)
}

fn has_data(obj: &Value, key: &str) -> bool {
    obj.pointer(&format!("/data/{key}"))
        .and_then(Value::as_str)
        .is_some_and(|v| !v.is_empty())
}

/// What a token Secret needs.
enum TokenWork {
    /// Its service account is there: fill in what is missing.
    Fill { sa_uid: String },
    /// It was made for a service account that is gone (or was recreated): delete it.
    Delete,
    /// Nothing (complete, or waiting for its service account to be created).
    None,
}

fn token_work(server: &ApiServer, secret: &Value, namespace: &str) -> TokenWork {
    let Some(sa_name) = annotation(secret, SERVICE_ACCOUNT_NAME_ANNOTATION) else {
        return TokenWork::None;
    };
    let sa = server.store.get(&Key {
        prefix: SERVICE_ACCOUNTS.to_string(),
        namespace: Some(namespace.to_string()),
        name: sa_name.to_string(),
    });
    let sa_uid = sa
        .as_ref()
        .and_then(|s| s.object.pointer("/metadata/uid").and_then(Value::as_str))
        .map(str::to_string);
    match (sa_uid, annotation(secret, SERVICE_ACCOUNT_UID_ANNOTATION)) {
        (Some(uid), Some(wanted)) if uid != wanted => TokenWork::Delete,
        (None, Some(_)) => TokenWork::Delete,
        (None, None) => TokenWork::None,
        (Some(sa_uid), wanted) => {
            let complete = wanted.is_some() && ["token", "namespace", "ca.crt"].iter().all(|k| has_data(secret, k));
            if complete {
                TokenWork::None
            } else {
                TokenWork::Fill { sa_uid }
            }
        }
    }
}

/// Fills in the token Secrets of `namespace` (all namespaces for `None`) and deletes those whose service
/// account is gone.
pub async fn reconcile_token_secrets(server: &Arc<ApiServer>, namespace: Option<&str>) {
    let (secrets, _) = server.store.list(SECRETS, namespace);
    for secret in secrets.iter().filter(|s| is_token_secret(&s.object)) {
        let ns = secret.key.namespace.clone().unwrap_or_default();
        match token_work(server, &secret.object, &ns) {
            TokenWork::None => {}
            TokenWork::Delete => {
                let Some(rt) = server.registry().by_prefix(SECRETS) else {
                    continue;
                };
                let options = DeleteOptions {
                    propagation: "Background".to_string(),
                    uid: secret
                        .object
                        .pointer("/metadata/uid")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    resource_version: None,
                    dry_run: false,
                };
                if let Err(e) = delete_object(server, &rt, &secret.key, &options, false).await
                    && e.code != 404
                {
                    tracing::warn!("deleting the token Secret {}: {}", secret.key.encode(), e.message);
                }
            }
            TokenWork::Fill { sa_uid } => fill_token(server, &secret.key, &sa_uid).await,
        }
    }
}

async fn fill_token(server: &Arc<ApiServer>, key: &Key, sa_uid: &str) {
    let auth = Arc::clone(&server.auth);
    let namespace = key.namespace.clone().unwrap_or_default();
    let result = server
        .store
        .mutate(key, |current| {
            let Some(current) = current else {
                return Ok::<_, ()>((Change::Keep, ()));
            };
            let object = &current.object;
            let Some(sa_name) = annotation(object, SERVICE_ACCOUNT_NAME_ANNOTATION).map(str::to_string) else {
                return Ok((Change::Keep, ()));
            };
            if !is_token_secret(object)
                || annotation(object, SERVICE_ACCOUNT_UID_ANNOTATION).is_some_and(|u| u != sa_uid)
            {
                return Ok((Change::Keep, ()));
            }
            let b64 = |text: &str| Value::String(base64::engine::general_purpose::STANDARD.encode(text));
            let mut next = (**object).clone();
            if !next.get("data").is_some_and(Value::is_object) {
                next["data"] = json!({});
            }
            if !has_data(&next, "token") {
                let account = super::tokens::ServiceAccountRef {
                    namespace: namespace.clone(),
                    name: sa_name,
                    uid: sa_uid.to_string(),
                };
                next["data"]["token"] = b64(&auth.signing_key().issue_legacy(&account, &key.name));
            }
            if !has_data(&next, "namespace") {
                next["data"]["namespace"] = b64(&namespace);
            }
            if !has_data(&next, "ca.crt") {
                next["data"]["ca.crt"] = b64(auth.ca_pem());
            }
            next["metadata"]["annotations"][SERVICE_ACCOUNT_UID_ANNOTATION] = json!(sa_uid);
            Ok((Change::Put(next), ()))
        })
        .await;
    if let Err(e) = result {
        tracing::warn!("filling in the token Secret {}: {e}", key.encode());
    }
}

/// What a batch of events calls for.
#[derive(Default)]
struct Work {
    aggregate: bool,
    everything: bool,
    namespaces: BTreeSet<String>,
}

impl Work {
    fn note(&mut self, event: &WatchEvent) {
        match event.key.prefix.as_str() {
            CLUSTER_ROLES => self.aggregate = true,
            SECRETS if event.event_type != EventType::Deleted && is_token_secret(&event.object) => {
                self.namespaces.extend(event.key.namespace.clone());
            }
            SERVICE_ACCOUNTS => self.namespaces.extend(event.key.namespace.clone()),
            _ => {}
        }
    }
}

/// Runs the controllers until the store closes.
pub async fn run(server: Arc<ApiServer>) {
    let mut events = server.store.subscribe_all();
    reconcile_token_secrets(&server, None).await;
    loop {
        let mut work = Work::default();
        match events.recv().await {
            Ok(event) => work.note(&event),
            Err(RecvError::Lagged) => work.everything = true,
            Err(RecvError::Closed) => return,
        }
        loop {
            match events.try_recv() {
                Ok(Some(event)) => work.note(&event),
                Ok(None) => break,
                Err(RecvError::Lagged) => work.everything = true,
                Err(RecvError::Closed) => return,
            }
        }
        if work.aggregate || work.everything {
            aggregate(&server).await;
        }
        if work.everything {
            reconcile_token_secrets(&server, None).await;
        } else {
            for namespace in &work.namespaces {
                reconcile_token_secrets(&server, Some(namespace)).await;
            }
        }
    }
}
