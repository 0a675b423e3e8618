//! The HTTP API server: authentication, routing, discovery, and the resource verbs.

mod access;
mod admission;
mod body;
mod connections;
mod discovery;
pub mod error;
mod events;
mod eviction;
mod logs;
mod openapi;
mod patching;
pub(crate) mod query;
pub(crate) mod resources;
mod reviews;
pub mod route;
mod scale;
pub(crate) mod strict;
mod tables;
mod token_request;
pub mod untrusted;
mod warnings;
mod watch;

pub(crate) use admission::has_spec_finalizers;

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use serde_json::Value;

pub use body::ResponseBody;
pub use connections::ConnectionLimits;
use error::ApiError;
use query::Query;
use route::Route;

use crate::auth::Auth;
use crate::auth::audit::AuditLog;
use crate::auth::identity::UserInfo;
use crate::auth::impersonation;
use crate::faults::{FaultSettings, Faults};
use crate::podlogs::PodLogs;
use crate::registry::Registry;
use crate::store::Store;

/// Requests larger than this are refused, as kube-apiserver refuses them.
pub const MAX_REQUEST_BYTES: usize = 3 * 1024 * 1024;
/// Objects larger than this cannot be stored (etcd's default value limit).
pub const MAX_OBJECT_BYTES: usize = 1536 * 1024;

/// The API server's state, shared by every connection.
pub struct ApiServer {
    /// Where objects live.
    pub store: Arc<Store>,
    registry: RwLock<Registry>,
    token: String,
    /// Who the admin's token authenticates.
    admin: UserInfo,
    /// Service account tokens and the RBAC policy.
    pub(crate) auth: Arc<Auth>,
    /// Fault injection settings.
    pub faults: Faults,
    address: RwLock<String>,
    accept_errors: AtomicU64,
    open_connections: AtomicUsize,
    /// The pods' logs (`pods/log`).
    pub logs: Arc<PodLogs>,
    /// Where authorization decisions about identities outside `system:masters` are recorded, if anywhere.
    pub(crate) audit: Option<AuditLog>,
}

/// What a handler answers.
pub enum Reply {
    /// A JSON document with a status code.
    Json(u16, Value),
    /// A streamed body (a watch, a followed log) of a content type.
    Stream(&'static str, tokio::sync::mpsc::Receiver<Bytes>),
    /// A body of another content type.
    Raw(u16, &'static str, Bytes),
}

impl ApiServer {
    /// A server over `store` whose admin presents `token`; CRDs already stored are served at once.
    pub(crate) fn new(store: Arc<Store>, token: String, auth: Auth, audit: Option<AuditLog>) -> Arc<Self> {
        let mut registry = Registry::with_builtins();
        let (crds, _) = store.list("/apiextensions.k8s.io/customresourcedefinitions", None);
        for crd in crds {
            if let Err(e) = registry.apply_crd(&crd.object) {
                tracing::warn!("stored CRD {} is not served: {e}", crd.key.name);
            }
        }
        Arc::new(ApiServer {
            store,
            registry: RwLock::new(registry),
            token,
            admin: UserInfo::admin(),
            auth: Arc::new(auth),
            faults: Faults::default(),
            address: RwLock::new(String::new()),
            accept_errors: AtomicU64::new(0),
            open_connections: AtomicUsize::new(0),
            logs: Arc::new(PodLogs::default()),
            audit,
        })
    }

    /// The served resource types.
    pub(crate) fn registry(&self) -> RwLockReadGuard<'_, Registry> {
        self.registry.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// How many times accepting a connection has failed (e.g. out of file handles) since the start.
    pub fn accept_errors(&self) -> u64 {
        self.accept_errors.load(Ordering::Relaxed)
    }

    /// Client connections open now (from accept, through the TLS handshake, to close).
    pub fn open_connections(&self) -> usize {
        self.open_connections.load(Ordering::Relaxed)
    }

    fn set_address(&self, addr: String) {
        *self.address.write().unwrap_or_else(std::sync::PoisonError::into_inner) = addr;
    }

    fn registry_mut(&self) -> RwLockWriteGuard<'_, Registry> {
        self.registry.write().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Answers one HTTP request.
    pub(crate) async fn handle(self: &Arc<Self>, req: Request<Incoming>) -> Response<ResponseBody> {
        if let Some(delay) = self.faults.latency() {
            tokio::time::sleep(delay).await;
        }
        // The admin's token is compared first, and its requests go straight on: they cost what they
        // always have. Anything else is authenticated and authorized (or impersonates someone who is).
        let admin = req
            .headers()
            .get(hyper::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(bearer_token)
            .is_some_and(|t| constant_time_eq(t.as_bytes(), self.token.as_bytes()));
        let (reply, warnings) = if admin && !impersonation::requested(req.headers()) {
            warnings::collect(self.route(req, &self.admin)).await
        } else {
            match access::check(self, &req, admin) {
                Ok(user) => warnings::collect(self.route(req, &user)).await,
                Err(e) => (Err(e), Vec::new()),
            }
        };
        let mut response = Self::respond(reply);
        for text in &warnings {
            if let Some(value) = warnings::header(text) {
                response.headers_mut().append(hyper::header::WARNING, value);
            }
        }
        response
    }

    fn respond(reply: Result<Reply, ApiError>) -> Response<ResponseBody> {
        match reply {
            Ok(Reply::Json(code, value)) => json_response(code, &value),
            Ok(Reply::Raw(code, content_type, body)) => Response::builder()
                .status(StatusCode::from_u16(code).unwrap_or(StatusCode::OK))
                .header(hyper::header::CONTENT_TYPE, content_type)
                .body(ResponseBody::full(body))
                .unwrap_or_else(|_| Response::new(ResponseBody::full(Bytes::new()))),
            Ok(Reply::Stream(content_type, rx)) => Response::builder()
                .status(StatusCode::OK)
                .header(hyper::header::CONTENT_TYPE, content_type)
                .header(hyper::header::CACHE_CONTROL, "no-cache, private")
                .body(ResponseBody::Stream(rx))
                .unwrap_or_else(|_| Response::new(ResponseBody::full(Bytes::new()))),
            Err(e) => {
                let mut resp = json_response(e.code, &e.to_status());
                if let Some(secs) = e.retry_after
                    && let Ok(v) = hyper::header::HeaderValue::from_str(&secs.to_string())
                {
                    resp.headers_mut().insert(hyper::header::RETRY_AFTER, v);
                }
                resp
            }
        }
    }

    async fn route(self: &Arc<Self>, req: Request<Incoming>, user: &UserInfo) -> Result<Reply, ApiError> {
        let (parts, body) = req.into_parts();
        let path = parts.uri.path().to_string();
        let query = Query::parse(parts.uri.query());
        let body = read_body(body).await?;
        if path == "/debug/faults" {
            return self.debug_faults(&parts.method, &body);
        }
        let Some(route) = route::parse(&path) else {
            return Err(ApiError::no_route(&path));
        };
        let get_only = |reply: Option<Value>| -> Result<Reply, ApiError> {
            if parts.method != Method::GET {
                return Err(ApiError::method_not_allowed(parts.method.as_str()));
            }
            reply
                .map(|v| Reply::Json(200, v))
                .ok_or_else(|| ApiError::no_route(&path))
        };
        match route {
            Route::Version => get_only(Some(discovery::version())),
            Route::Health => Ok(Reply::Json(200, Value::String("ok".into()))),
            Route::CoreVersions => {
                let addr = self
                    .address
                    .read()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .clone();
                get_only(Some(discovery::core_versions(&addr)))
            }
            Route::Groups => get_only(Some(discovery::groups(&self.registry()))),
            Route::Group(g) => get_only(discovery::group(&self.registry(), &g)),
            Route::Resources(gv) => get_only(discovery::resources(&self.registry(), &gv.group, &gv.version)),
            Route::OpenApiV3Root => get_only(Some(openapi::root(&self.registry()))),
            Route::OpenApiV3(gv) => get_only(openapi::group_version_doc(&self.registry(), &gv.group, &gv.version)),
            // kubectl validates with v3, but reads v2 (as protobuf) for kinds v3 does not know. An empty
            // body is an empty v2 document: no schema, so kubectl goes on to report a kind nobody serves
            // as "ensure CRDs are installed first", like a real cluster.
            Route::OpenApiV2 => {
                if parts.method != Method::GET {
                    return Err(ApiError::method_not_allowed(parts.method.as_str()));
                }
                Ok(Reply::Raw(200, openapi::V2_CONTENT_TYPE, Bytes::new()))
            }
            Route::Resource(rp) => {
                let headers = resources::Headers::from(&parts.headers);
                if let Some(api) = reviews::api_of(&rp) {
                    return reviews::handle(self, &parts.method, api, &rp, user, &headers, &body);
                }
                resources::handle(self, &parts.method, rp, query, headers, body, Some(user)).await
            }
        }
    }

    /// Keeps the registry in step with stored CRDs.
    pub(crate) fn after_write(&self, rt: &crate::registry::ResourceType, obj: Option<&Value>) {
        if rt.group == "apiextensions.k8s.io"
            && rt.kind == "CustomResourceDefinition"
            && let Some(crd) = obj
            && let Err(e) = self.registry_mut().apply_crd(crd)
        {
            tracing::warn!("CRD is stored but cannot be served: {e}");
        }
    }

    /// Stops serving a deleted CRD's resources and deletes its objects.
    pub(crate) fn after_delete(self: &Arc<Self>, rt: &crate::registry::ResourceType, name: &str) {
        if rt.group == "apiextensions.k8s.io" && rt.kind == "CustomResourceDefinition" {
            let prefixes: Vec<String> = self
                .registry()
                .all()
                .filter(|t| matches!(&t.origin, crate::registry::Origin::Crd { crd, .. } if crd == name))
                .map(|t| t.storage_prefix())
                .collect();
            self.registry_mut().remove_crd(name);
            let server = Arc::clone(self);
            tokio::spawn(async move {
                for prefix in prefixes {
                    let (items, _) = server.store.list(&prefix, None);
                    for item in items {
                        let _ = server
                            .store
                            .mutate(&item.key, |_| Ok::<_, ()>((crate::store::Change::Delete, ())))
                            .await;
                    }
                }
            });
        }
    }

    fn debug_faults(&self, method: &Method, body: &Bytes) -> Result<Reply, ApiError> {
        match *method {
            Method::GET => Ok(Reply::Json(
                200,
                serde_json::to_value(self.faults.get()).unwrap_or_default(),
            )),
            Method::PUT => {
                let settings: FaultSettings =
                    serde_json::from_slice(body).map_err(|e| ApiError::bad_request(format!("fault settings: {e}")))?;
                self.faults.set(settings);
                Ok(Reply::Json(
                    200,
                    serde_json::to_value(self.faults.get()).unwrap_or_default(),
                ))
            }
            Method::DELETE => {
                self.faults.cut_watches();
                Ok(Reply::Json(200, error::success_status(None)))
            }
            _ => Err(ApiError::method_not_allowed(method.as_str())),
        }
    }
}

/// The token of an `Authorization: Bearer <token>` header, read as kube-apiserver reads it: the scheme
/// in any case (RFC 7235), the token up to the next space, none if it is empty.
fn bearer_token(header: &str) -> Option<&str> {
    let mut parts = header.trim().splitn(3, ' ');
    let scheme = parts.next()?;
    let token = parts.next()?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn read_body(body: Incoming) -> Result<Bytes, ApiError> {
    match Limited::new(body, MAX_REQUEST_BYTES).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(ApiError::too_large(format!(
            "Request entity too large: limit is {MAX_REQUEST_BYTES}"
        ))),
        Err(e) => Err(ApiError::bad_request(format!("reading the request body: {e}"))),
    }
}

fn json_response(code: u16, value: &Value) -> Response<ResponseBody> {
    let body = serde_json::to_vec(value).unwrap_or_default();
    Response::builder()
        .status(StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header(hyper::header::CONTENT_TYPE, "application/json")
        .body(ResponseBody::full(body))
        .unwrap_or_else(|_| Response::new(ResponseBody::full(Bytes::new())))
}

#[cfg(test)]
mod tests {
    use super::bearer_token;

    #[test]
    fn bearer_scheme_is_case_insensitive() {
        for header in [
            "Bearer abc",
            "bearer abc",
            "BEARER abc",
            "  bEaReR abc  ",
            "Bearer abc extra",
        ] {
            assert_eq!(bearer_token(header), Some("abc"), "{header:?}");
        }
        for header in ["Basic abc", "Bearer", "Bearer ", "Bearer  abc", "Bearerabc", "", "abc"] {
            assert_eq!(bearer_token(header), None, "{header:?}");
        }
    }
}
