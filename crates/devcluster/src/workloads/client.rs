//! Writes of the simulated controllers, made through the same request handling as HTTP clients get
//! (admission, validation, generation, resourceVersions, watch events), only without the network.

use std::sync::Arc;

use bytes::Bytes;
use hyper::Method;
use serde_json::{Value, json};

use crate::server::error::ApiError;
use crate::server::query::Query;
use crate::server::resources::{self, Headers};
use crate::server::route::{GroupVersion, ResourcePath};
use crate::server::{ApiServer, Reply};
use crate::sim::{Action, EventRecord, Kind, ObjectRef};

/// An in-process client of the API server.
pub struct InternalClient {
    server: Arc<ApiServer>,
}

fn gv(api_version: &str) -> GroupVersion {
    let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
    GroupVersion {
        group: group.to_string(),
        version: version.to_string(),
    }
}

fn path(kind: Kind, namespace: &str, name: Option<&str>, subresource: Option<&str>) -> ResourcePath {
    ResourcePath {
        gv: gv(kind.api_version()),
        namespace: (!namespace.is_empty()).then(|| namespace.to_string()),
        plural: kind.plural().to_string(),
        name: name.map(str::to_string),
        subresource: subresource.map(str::to_string),
    }
}

fn kind_of(obj: &Value) -> Option<Kind> {
    let api_version = obj.get("apiVersion").and_then(Value::as_str)?;
    let kind = obj.get("kind").and_then(Value::as_str)?;
    Kind::ALL
        .iter()
        .copied()
        .find(|k| k.api_version() == api_version && k.as_str() == kind)
}

/// FNV-1a over the parts (each followed by a zero byte): a stable 64-bit name suffix.
fn fnv1a(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain([0]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

impl InternalClient {
    /// A client of `server`.
    pub fn new(server: Arc<ApiServer>) -> Self {
        InternalClient { server }
    }

    async fn call(
        &self,
        method: Method,
        path: ResourcePath,
        query: &str,
        content_type: &str,
        body: Option<&Value>,
    ) -> Result<Value, ApiError> {
        let body = body
            .map(|b| Bytes::from(serde_json::to_vec(b).unwrap_or_default()))
            .unwrap_or_default();
        let headers = Headers {
            content_type: content_type.to_string(),
            accept: "application/json".to_string(),
        };
        // Bodies serialized from values hold no field twice, and warnings would have nobody to read them:
        // nothing for field validation to look for.
        let query = if query.is_empty() {
            "fieldValidation=Ignore".to_string()
        } else {
            format!("{query}&fieldValidation=Ignore")
        };
        match resources::handle(
            &self.server,
            &method,
            path,
            Query::parse(Some(&query)),
            headers,
            body,
            None,
        )
        .await?
        {
            Reply::Json(_, v) => Ok(v),
            _ => Ok(Value::Null),
        }
    }

    /// Server-side applies `obj` (creating it if needed) as field manager `manager`, forcing ownership.
    pub async fn apply(&self, obj: &Value, manager: &str) -> Result<Value, ApiError> {
        let api_version = obj.get("apiVersion").and_then(Value::as_str).unwrap_or_default();
        let kind = obj.get("kind").and_then(Value::as_str).unwrap_or_default();
        let rt = self
            .server
            .registry()
            .by_kind(api_version, kind)
            .ok_or_else(|| ApiError::bad_request(format!("{api_version} {kind} is not served")))?;
        let name = obj
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let namespace = obj
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .filter(|_| rt.namespaced);
        let path = ResourcePath {
            gv: gv(api_version),
            namespace: namespace.map(str::to_string),
            plural: rt.plural.clone(),
            name: Some(name.to_string()),
            subresource: None,
        };
        let query = format!("fieldManager={manager}&force=true");
        self.call(Method::PATCH, path, &query, "application/apply-patch+yaml", Some(obj))
            .await
    }

    /// Carries out one planned action.
    pub async fn execute(&self, action: &Action) -> Result<(), ApiError> {
        match action {
            Action::Create(obj) => {
                let kind = kind_of(obj).ok_or_else(|| ApiError::bad_request("unknown kind"))?;
                let ns = obj
                    .pointer("/metadata/namespace")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                self.call(
                    Method::POST,
                    path(kind, ns, None, None),
                    "",
                    "application/json",
                    Some(obj),
                )
                .await?;
            }
            Action::Update(obj) => {
                let kind = kind_of(obj).ok_or_else(|| ApiError::bad_request("unknown kind"))?;
                let ns = obj
                    .pointer("/metadata/namespace")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let name = obj
                    .pointer("/metadata/name")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                self.call(
                    Method::PUT,
                    path(kind, ns, Some(name), None),
                    "",
                    "application/json",
                    Some(obj),
                )
                .await?;
            }
            Action::UpdateStatus { target, status } => self.update_status(target, status).await?,
            Action::Bind { pod, node } => {
                let patch = json!({ "spec": { "nodeName": node } });
                self.call(
                    Method::PATCH,
                    path(pod.kind, &pod.namespace, Some(&pod.name), None),
                    "",
                    "application/merge-patch+json",
                    Some(&patch),
                )
                .await?;
            }
            Action::Delete {
                target,
                grace_period_seconds,
            } => {
                let mut body = json!({ "propagationPolicy": "Background" });
                if let Some(uid) = &target.uid {
                    body["preconditions"] = json!({ "uid": uid });
                }
                if let Some(g) = grace_period_seconds {
                    body["gracePeriodSeconds"] = json!(g);
                }
                self.call(
                    Method::DELETE,
                    path(target.kind, &target.namespace, Some(&target.name), None),
                    "",
                    "application/json",
                    Some(&body),
                )
                .await?;
            }
            Action::RecordEvent(record) => self.record_event(record).await?,
        }
        Ok(())
    }

    /// Records an Event, or raises the count of the one already recorded for the same object, reason
    /// and message (its name is derived from them, where client-go's recorder keeps a cache).
    async fn record_event(&self, record: &EventRecord) -> Result<(), ApiError> {
        let about = &record.regarding;
        let namespace = if about.namespace.is_empty() {
            "default"
        } else {
            about.namespace.as_str()
        };
        let identity = [
            about.uid.as_deref().unwrap_or_default(),
            &record.component,
            &record.reason,
            &record.message,
        ];
        let name = format!("{}.{:016x}", about.name, fnv1a(&identity));
        let events = ResourcePath {
            gv: gv("v1"),
            namespace: Some(namespace.to_string()),
            plural: "events".to_string(),
            name: None,
            subresource: None,
        };
        let now = crate::object::rfc3339(jiff::Timestamp::now());
        let key = crate::store::Key {
            prefix: "/core/events".to_string(),
            namespace: Some(namespace.to_string()),
            name: name.clone(),
        };
        if let Some(current) = self.server.store.get(&key) {
            let mut next = (*current.object).clone();
            let count = next.get("count").and_then(Value::as_i64).unwrap_or(1);
            next["count"] = json!(count + 1);
            next["lastTimestamp"] = json!(now);
            let path = ResourcePath {
                name: Some(name),
                ..events
            };
            self.call(Method::PUT, path, "", "application/json", Some(&next))
                .await?;
            return Ok(());
        }
        let mut involved = json!({
            "kind": about.kind.as_str(),
            "apiVersion": about.kind.api_version(),
            "namespace": namespace,
            "name": about.name,
        });
        if let Some(uid) = &about.uid {
            involved["uid"] = json!(uid);
        }
        let event = json!({
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": { "name": name, "namespace": namespace },
            "involvedObject": involved,
            "reason": record.reason,
            "message": record.message,
            "type": if record.warning { "Warning" } else { "Normal" },
            "source": { "component": record.component },
            "firstTimestamp": now,
            "lastTimestamp": now,
            "count": 1,
            "reportingComponent": record.component,
            "reportingInstance": "",
        });
        self.call(Method::POST, events, "", "application/json", Some(&event))
            .await?;
        Ok(())
    }

    async fn update_status(&self, target: &ObjectRef, status: &Value) -> Result<(), ApiError> {
        let rt = self
            .server
            .registry()
            .by_kind(target.kind.api_version(), target.kind.as_str())
            .ok_or_else(|| ApiError::bad_request("unknown kind"))?;
        let key = crate::store::Key {
            prefix: rt.storage_prefix(),
            namespace: rt.namespaced.then(|| target.namespace.clone()),
            name: target.name.clone(),
        };
        let Some(current) = self.server.store.get(&key) else {
            return Ok(());
        };
        if let Some(uid) = &target.uid
            && current.object.pointer("/metadata/uid").and_then(Value::as_str) != Some(uid.as_str())
        {
            return Ok(());
        }
        // What the pod's log gets for this change (the container started, exited, became Ready).
        let log_lines = if target.kind == Kind::Pod {
            crate::podlogs::lines::transition(&current.object, status)
        } else {
            Vec::new()
        };
        let mut next = (*current.object).clone();
        next["status"] = status.clone();
        let sub = rt.status_subresource.then_some("status");
        self.call(
            Method::PUT,
            path(target.kind, &target.namespace, Some(&target.name), sub),
            "",
            "application/json",
            Some(&next),
        )
        .await?;
        if !log_lines.is_empty() {
            let uid = current
                .object
                .pointer("/metadata/uid")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let now = jiff::Timestamp::now();
            for line in &log_lines {
                self.server.logs.append(&target.namespace, &target.name, uid, now, line);
            }
        }
        Ok(())
    }
}
