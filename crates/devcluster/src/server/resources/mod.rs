//! The resource verbs: get, list, create, update, patch, delete, deletecollection, and the status,
//! scale, eviction and finalize subresources.

use std::sync::Arc;

use bytes::Bytes;
use hyper::{HeaderMap, Method};
use serde_json::Value;

mod delete;
mod read;
mod write;

pub(crate) use delete::{DeleteOptions, delete_object};
pub(super) use read::field_selector;
pub(super) use write::{namespace_check, write_existing};

use super::admission::OwnerRefGuard;
use super::error::ApiError;
use super::query::Query;
use super::route::ResourcePath;
use super::strict::Strictness;
use super::{ApiServer, Reply, watch};
use crate::auth::escalation::Guard;
use crate::auth::identity::UserInfo;
use crate::registry::ResourceType;
use crate::store::Key;
use read::selected;

/// The request headers handlers look at.
#[derive(Debug, Default, Clone)]
pub struct Headers {
    /// `Content-Type`, without parameters.
    pub content_type: String,
    /// `Accept`, whole.
    pub accept: String,
}

impl From<&HeaderMap> for Headers {
    fn from(h: &HeaderMap) -> Self {
        let get = |name| {
            h.get(name)
                .and_then(|v: &hyper::header::HeaderValue| v.to_str().ok())
                .unwrap_or_default()
        };
        Headers {
            content_type: get(hyper::header::CONTENT_TYPE)
                .split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_string(),
            accept: get(hyper::header::ACCEPT).to_string(),
        }
    }
}

impl Headers {
    /// Whether the client asked for a `Table` (as `kubectl get` does).
    pub fn wants_table(&self) -> bool {
        self.accept
            .split(',')
            .next()
            .is_some_and(|first| first.contains("as=Table"))
    }
}

/// An object as served at `rt`'s version: custom resources are stored once for all their versions
/// (conversion `None`), so only `apiVersion` differs between versions.
pub(crate) fn present(rt: &ResourceType, obj: &Value) -> Value {
    if super::events::is_events_api(&rt.group, &rt.plural) {
        return super::events::to_events_api(obj);
    }
    let mut out = obj.clone();
    let api_version = rt.api_version();
    if out.get("apiVersion").and_then(Value::as_str) != Some(api_version.as_str())
        && let Some(o) = out.as_object_mut()
    {
        o.insert("apiVersion".into(), Value::String(api_version));
    }
    out
}

/// Everything a handler needs about one request.
pub(super) struct Ctx<'a> {
    pub server: &'a Arc<ApiServer>,
    pub rt: Arc<ResourceType>,
    pub path: ResourcePath,
    pub query: Query,
    pub headers: Headers,
    /// What `fieldValidation` asks for, and what the body's decoding found.
    pub strict: Strictness,
    /// The check of a write of an RBAC object by someone not in `system:masters`.
    pub escalation: Option<Guard>,
    /// The check of ownerReferences written by someone not in `system:masters`.
    pub owner_refs: Option<OwnerRefGuard>,
}

impl Ctx<'_> {
    pub fn key_for(&self, name: &str) -> Key {
        Key {
            prefix: self.rt.storage_prefix(),
            namespace: if self.rt.namespaced {
                self.path.namespace.clone()
            } else {
                None
            },
            name: name.to_string(),
        }
    }

    fn dry_run(&self) -> bool {
        self.query.get("dryRun") == Some("All")
    }

    /// Refuses a write its writer's permissions do not cover: an RBAC object that would grant more than
    /// they hold, or ownerReferences they may not set.
    pub fn check_rbac_write(&self, object: &Value, previous: Option<&Value>) -> Result<(), ApiError> {
        if let Some(guard) = &self.escalation {
            guard.check(&self.rt.kind, object, previous)?;
        }
        match &self.owner_refs {
            Some(guard) => guard.check(
                &self.server.registry(),
                self.server.audit.as_ref(),
                &self.rt,
                self.path.subresource.as_deref(),
                self.path
                    .namespace
                    .as_deref()
                    .filter(|_| self.rt.namespaced)
                    .unwrap_or_default(),
                object,
                previous,
            ),
            None => Ok(()),
        }
    }
}

fn verb(method: &Method, rp: &ResourcePath, query: &Query) -> &'static str {
    match (method.as_str(), rp.name.is_some()) {
        ("GET", false) if query.flag("watch") => "watch",
        ("GET", false) => "list",
        ("GET", true) => "get",
        ("POST", _) => "create",
        ("PUT", _) => "update",
        ("PATCH", _) => "patch",
        ("DELETE", true) => "delete",
        ("DELETE", false) => "deletecollection",
        _ => "unknown",
    }
}

/// Serves a request on a resource path, made by `user` (`None`: the cluster's own controllers).
pub async fn handle(
    server: &Arc<ApiServer>,
    method: &Method,
    path: ResourcePath,
    query: Query,
    headers: Headers,
    body: Bytes,
    user: Option<&UserInfo>,
) -> Result<Reply, ApiError> {
    let rt = server
        .registry()
        .get(&path.gv.group, &path.gv.version, &path.plural)
        .ok_or_else(|| ApiError::no_route(&format!("{}/{}", path.gv.group, path.plural)))?;
    if !rt.namespaced && path.namespace.is_some() {
        return Err(ApiError::no_route(&path.plural));
    }
    let verb = verb(method, &path, &query);
    if let Some(code) = server.faults.error_for(verb, &rt.plural) {
        return Err(match code {
            409 => ApiError::stale(&rt, path.name.as_deref().unwrap_or_default()),
            429 => ApiError::too_many_requests(),
            _ => ApiError::internal("injected fault"),
        });
    }
    let strict = Strictness::new(
        method,
        path.subresource.as_deref(),
        &headers.content_type,
        &query,
        &body,
    );
    let writes = matches!(*method, Method::POST | Method::PUT | Method::PATCH);
    let escalation = match user {
        Some(user) if writes && rt.group == "rbac.authorization.k8s.io" => {
            Guard::for_user(user, || server.auth.policy(&server.store))
        }
        _ => None,
    };
    let owner_refs = match user {
        Some(user) if writes => OwnerRefGuard::for_user(user, || server.auth.policy(&server.store)),
        _ => None,
    };
    let ctx = Ctx {
        server,
        rt,
        path,
        query,
        headers,
        strict,
        escalation,
        owner_refs,
    };
    let name = ctx.path.name.clone();
    let sub = ctx.path.subresource.clone();
    match (method.clone(), name, sub.as_deref()) {
        (Method::GET, None, None) if ctx.query.flag("watch") => watch::start(&ctx),
        (Method::GET, None, None) => read::list(&ctx),
        (Method::GET, Some(name), None | Some("status")) => read::get(&ctx, &name),
        (Method::GET, Some(name), Some("scale")) if ctx.rt.scale.is_some() => {
            let stored = ctx
                .server
                .store
                .get(&ctx.key_for(&name))
                .ok_or_else(|| ApiError::not_found(&ctx.rt, &name))?;
            Ok(Reply::Json(200, super::scale::to_scale(&ctx.rt, &stored.object)))
        }
        (Method::GET, Some(name), Some("log")) if ctx.rt.group.is_empty() && ctx.rt.plural == "pods" => {
            super::logs::serve(&ctx, &name)
        }
        (Method::POST, None, None) => write::create(&ctx, &body).await,
        (Method::POST, Some(name), Some("token")) if ctx.rt.group.is_empty() && ctx.rt.plural == "serviceaccounts" => {
            super::token_request::create(&ctx, &name, &body)
        }
        (Method::POST, Some(name), Some("eviction")) if ctx.rt.group.is_empty() && ctx.rt.plural == "pods" => {
            super::eviction::evict(&ctx, &name, &body).await
        }
        (Method::PUT, Some(name), None | Some("status")) => write::update(&ctx, &name, sub.as_deref(), &body).await,
        (Method::PUT, Some(name), Some("finalize")) if ctx.rt.group.is_empty() && ctx.rt.plural == "namespaces" => {
            write::finalize_namespace(&ctx, &name, &body).await
        }
        (Method::PUT | Method::PATCH, Some(name), Some("scale")) if ctx.rt.scale.is_some() => {
            super::scale::write(&ctx, &name, method, &body).await
        }
        (Method::PATCH, Some(name), None | Some("status")) => {
            super::patching::patch(&ctx, &name, sub.as_deref(), &body).await
        }
        (Method::DELETE, Some(name), None) => delete::delete(&ctx, &name, &body).await,
        (Method::DELETE, None, None) => delete::delete_collection(&ctx, &body).await,
        (m, _, Some(s)) if !matches!(s, "status" | "scale" | "eviction" | "finalize" | "log" | "token") => {
            Err(ApiError::no_route(&format!("{}/{s} ({m})", ctx.rt.plural)))
        }
        (m, _, _) => Err(ApiError::method_not_allowed(m.as_str())),
    }
}

/// Parses a request body: JSON, or YAML when declared so.
pub(super) fn parse_body(ctx: &Ctx<'_>, body: &Bytes) -> Result<Value, ApiError> {
    decode_body(&ctx.headers.content_type, body)
}

/// Decodes a request body of `content_type` (without parameters): Kubernetes protobuf, YAML, or JSON.
pub(crate) fn decode_body(content_type: &str, body: &Bytes) -> Result<Value, ApiError> {
    if body.is_empty() {
        return Err(ApiError::bad_request("the request body is empty"));
    }
    // kubectl's typed commands (`create deployment`, `drain`, ...) send Kubernetes protobuf.
    if crate::protobuf::is_protobuf_media_type(content_type) {
        return crate::protobuf::decode_object(body)
            .map_err(|e| ApiError::bad_request(format!("the request body could not be decoded: {e}")));
    }
    let yaml = content_type.contains("yaml");
    let parsed = if yaml {
        let text = std::str::from_utf8(body).map_err(|e| ApiError::bad_request(e.to_string()))?;
        super::strict::parse_yaml(text).map_err(|e| e.to_string())
    } else {
        serde_json::from_slice::<Value>(body).map_err(|e| e.to_string())
    };
    parsed.map_err(|e| ApiError::bad_request(format!("the request body could not be decoded: {e}")))
}
