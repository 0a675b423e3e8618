//! The resource verbs: get, list, create, update, patch, delete, deletecollection, and the status,
//! scale, eviction and finalize subresources.

use std::sync::Arc;

use bytes::Bytes;
use hyper::{HeaderMap, Method};
use rollouts_compat::reencode::{LostField, lost_fields};
use serde_json::{Value, json};

use super::admission::{self, Updated};
use super::error::{ApiError, Cause};
use super::query::Query;
use super::route::ResourcePath;
use super::strict::Strictness;
use super::{ApiServer, MAX_OBJECT_BYTES, Reply, typed, watch};
use crate::object;
use crate::registry::ResourceType;
use crate::selectors::{FieldSelector, LabelSelector};
use crate::store::{Change, Key, Stored};

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

    fn now(&self) -> String {
        object::rfc3339(jiff::Timestamp::now())
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

/// Serves a request on a resource path.
pub async fn handle(
    server: &Arc<ApiServer>,
    method: &Method,
    path: ResourcePath,
    query: Query,
    headers: Headers,
    body: Bytes,
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
    let ctx = Ctx {
        server,
        rt,
        path,
        query,
        headers,
        strict,
    };
    let name = ctx.path.name.clone();
    let sub = ctx.path.subresource.clone();
    match (method.clone(), name, sub.as_deref()) {
        (Method::GET, None, None) if ctx.query.flag("watch") => watch::start(&ctx),
        (Method::GET, None, None) => list(&ctx),
        (Method::GET, Some(name), None | Some("status")) => get(&ctx, &name),
        (Method::GET, Some(name), Some("scale")) if ctx.rt.scale.is_some() => {
            let stored = ctx
                .server
                .store
                .get(&ctx.key_for(&name))
                .ok_or_else(|| ApiError::not_found(&ctx.rt, &name))?;
            Ok(Reply::Json(200, super::scale::to_scale(&ctx.rt, &stored.object)))
        }
        (Method::POST, None, None) => create(&ctx, &body).await,
        (Method::POST, Some(name), Some("eviction")) if ctx.rt.group.is_empty() && ctx.rt.plural == "pods" => {
            super::eviction::evict(&ctx, &name, &body).await
        }
        (Method::PUT, Some(name), None | Some("status")) => update(&ctx, &name, sub.as_deref(), &body).await,
        (Method::PUT, Some(name), Some("finalize")) if ctx.rt.group.is_empty() && ctx.rt.plural == "namespaces" => {
            finalize_namespace(&ctx, &name, &body).await
        }
        (Method::PUT | Method::PATCH, Some(name), Some("scale")) if ctx.rt.scale.is_some() => {
            super::scale::write(&ctx, &name, method, &body).await
        }
        (Method::PATCH, Some(name), None | Some("status")) => {
            super::patching::patch(&ctx, &name, sub.as_deref(), &body).await
        }
        (Method::DELETE, Some(name), None) => delete(&ctx, &name, &body).await,
        (Method::DELETE, None, None) => delete_collection(&ctx, &body).await,
        (m, _, Some(s)) if !matches!(s, "status" | "scale" | "eviction" | "finalize") => {
            Err(ApiError::no_route(&format!("{}/{s} ({m})", ctx.rt.plural)))
        }
        (m, _, _) => Err(ApiError::method_not_allowed(m.as_str())),
    }
}

/// Parses a request body: JSON, or YAML when declared so.
pub(super) fn parse_body(ctx: &Ctx<'_>, body: &Bytes) -> Result<Value, ApiError> {
    if body.is_empty() {
        return Err(ApiError::bad_request("the request body is empty"));
    }
    // kubectl's typed commands (`create deployment`, `drain`, ...) send Kubernetes protobuf.
    if crate::protobuf::is_protobuf_media_type(&ctx.headers.content_type) {
        return crate::protobuf::decode_object(body)
            .map_err(|e| ApiError::bad_request(format!("the request body could not be decoded: {e}")));
    }
    let yaml = ctx.headers.content_type.contains("yaml");
    let parsed = if yaml {
        let text = std::str::from_utf8(body).map_err(|e| ApiError::bad_request(e.to_string()))?;
        super::strict::parse_yaml(text).map_err(|e| e.to_string())
    } else {
        serde_json::from_slice::<Value>(body).map_err(|e| e.to_string())
    };
    parsed.map_err(|e| ApiError::bad_request(format!("the request body could not be decoded: {e}")))
}

/// Checks types and fields of an incoming object and gives the form to store. Unknown and duplicated fields
/// are refused or warned about as `fieldValidation` says, before any other check (they are found while
/// decoding).
pub(super) fn validate(ctx: &Ctx<'_>, obj: Value) -> Result<Value, ApiError> {
    let rt = &ctx.rt;
    let name = object::meta_str(&obj, "name").unwrap_or_default().to_string();
    let mut stored = if rt.is_custom() {
        let mut pruned = obj.clone();
        if let Some(schema) = rt.schema() {
            crate::schema::prune(&mut pruned, schema);
            let pruned_fields: Vec<String> = lost_fields(&obj, &pruned).iter().map(LostField::path).collect();
            ctx.strict.check_object(rt, &obj, &pruned_fields)?;
            crate::schema::apply_defaults(&mut pruned, schema);
        } else {
            ctx.strict.check_object(rt, &obj, &[])?;
        }
        pruned
    } else {
        match typed::decode_builtin(&rt.group, &rt.kind, &obj) {
            Some(Ok(decoded)) => {
                ctx.strict.check_object(rt, &obj, &decoded.unknown_fields)?;
                decoded.object
            }
            Some(Err(e)) => {
                return Err(ApiError::bad_request(format!(
                    "{} in version \"{}\" cannot be handled as a {}: {e}",
                    rt.kind, rt.version, rt.kind
                )));
            }
            None => {
                ctx.strict.check_object(rt, &obj, &[])?;
                obj
            }
        }
    };
    if let Some(schema) = rt.schema().filter(|_| rt.is_custom()) {
        let causes: Vec<Cause> = crate::schema::validate(&stored, schema)
            .into_iter()
            .map(|c| Cause {
                reason: c.reason.to_string(),
                message: c.message,
                field: c.field,
            })
            .collect();
        if !causes.is_empty() {
            return Err(ApiError::invalid(rt, &name, causes));
        }
    }
    if rt.group.is_empty() && rt.kind == "Secret" {
        fold_string_data(&mut stored);
    }
    super::validation::check(rt, &stored).map_err(|causes| ApiError::invalid(rt, &name, causes))?;
    if serde_json::to_vec(&stored).map(|b| b.len()).unwrap_or(0) > MAX_OBJECT_BYTES {
        return Err(ApiError::storage_too_large());
    }
    // Typed re-encoding of built-ins may drop an empty metadata; it must stay an object.
    if stored.get("metadata").is_none()
        && let Some(o) = stored.as_object_mut()
    {
        o.insert("metadata".into(), json!({}));
    }
    if super::events::is_events_api(&rt.group, &rt.plural) {
        stored = super::events::to_core(&stored);
    }
    Ok(stored)
}

fn get(ctx: &Ctx<'_>, name: &str) -> Result<Reply, ApiError> {
    let stored = ctx
        .server
        .store
        .get(&ctx.key_for(name))
        .ok_or_else(|| ApiError::not_found(&ctx.rt, name))?;
    if ctx.headers.wants_table() {
        let rv = stored.revision.to_string();
        return Ok(Reply::Json(
            200,
            super::tables::table(ctx, &[Arc::clone(&stored.object)], &rv, None),
        ));
    }
    Ok(Reply::Json(200, present(&ctx.rt, &stored.object)))
}

/// Objects of the request's resource and namespace that match its label and field selectors.
pub(super) fn selected(ctx: &Ctx<'_>) -> Result<(Vec<Arc<Stored>>, u64), ApiError> {
    let labels = LabelSelector::parse(ctx.query.get("labelSelector").unwrap_or_default())
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let fields = field_selector(ctx)?;
    let namespace = if ctx.rt.namespaced {
        ctx.path.namespace.as_deref()
    } else {
        None
    };
    let (items, revision) = ctx.server.store.list(&ctx.rt.storage_prefix(), namespace);
    let items = items
        .into_iter()
        .filter(|s| {
            if super::events::is_events_api(&ctx.rt.group, &ctx.rt.plural) {
                let served = present(&ctx.rt, &s.object);
                labels.matches_object(&served) && fields.matches(&served)
            } else {
                labels.matches_object(&s.object) && fields.matches(&s.object)
            }
        })
        .collect();
    Ok((items, revision))
}

pub(super) fn field_selector(ctx: &Ctx<'_>) -> Result<FieldSelector, ApiError> {
    let fields = FieldSelector::parse(ctx.query.get("fieldSelector").unwrap_or_default())
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    if let Some(message) = fields.unsupported(&ctx.rt.group, &ctx.rt.kind, ctx.rt.namespaced) {
        return Err(ApiError::bad_request(message));
    }
    Ok(fields)
}

fn list(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let (items, revision) = selected(ctx)?;
    let after = match ctx.query.non_empty("continue") {
        Some(token) => Some(decode_continue(token)?),
        None => None,
    };
    let mut items: Vec<Arc<Stored>> = match &after {
        Some(last) => items
            .into_iter()
            .filter(|s| s.key.encode().as_str() > last.as_str())
            .collect(),
        None => items,
    };
    let limit = ctx.query.number("limit").filter(|l| *l > 0).map(|l| l as usize);
    let mut next = None;
    let mut remaining = None;
    if let Some(limit) = limit
        && items.len() > limit
    {
        remaining = Some(items.len() - limit);
        items.truncate(limit);
        next = items.last().map(|s| encode_continue(&s.key.encode()));
    }
    let rv = revision.to_string();
    let objects: Vec<Arc<Value>> = items.iter().map(|s| Arc::clone(&s.object)).collect();
    if ctx.headers.wants_table() {
        return Ok(Reply::Json(
            200,
            super::tables::table(ctx, &objects, &rv, next.as_deref()),
        ));
    }
    let mut metadata = json!({ "resourceVersion": rv });
    if let Some(next) = next {
        metadata["continue"] = json!(next);
    }
    if let Some(r) = remaining {
        metadata["remainingItemCount"] = json!(r);
    }
    Ok(Reply::Json(
        200,
        json!({
            "kind": format!("{}List", ctx.rt.kind),
            "apiVersion": ctx.rt.api_version(),
            "metadata": metadata,
            "items": objects.iter().map(|o| present(&ctx.rt, o)).collect::<Vec<_>>(),
        }),
    ))
}

fn encode_continue(key: &str) -> String {
    key.bytes().map(|b| format!("{b:02x}")).collect()
}

fn decode_continue(token: &str) -> Result<String, ApiError> {
    let bad = || ApiError::bad_request("continue key is not valid: illegal base64 data at input byte 0");
    if !token.len().is_multiple_of(2) {
        return Err(bad());
    }
    let bytes: Result<Vec<u8>, _> = (0..token.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(token.get(i..i + 2).unwrap_or("zz"), 16))
        .collect();
    String::from_utf8(bytes.map_err(|_| bad())?).map_err(|_| bad())
}

/// Refuses to create `name` in a namespace that does not exist or is being deleted.
pub(super) fn namespace_check(ctx: &Ctx<'_>, name: &str) -> Result<(), ApiError> {
    let Some(ns) = ctx.path.namespace.as_deref().filter(|_| ctx.rt.namespaced) else {
        return Ok(());
    };
    let key = Key {
        prefix: "/core/namespaces".into(),
        namespace: None,
        name: ns.to_string(),
    };
    let stored = ctx
        .server
        .store
        .get(&key)
        .ok_or_else(|| ApiError::namespace_not_found(ns))?;
    if stored.object.pointer("/metadata/deletionTimestamp").is_some() {
        return Err(ApiError::forbidden(format!(
            "{} \"{name}\" is forbidden: unable to create new content in namespace {ns} because it is being terminated",
            ctx.rt.group_resource(),
        )));
    }
    Ok(())
}

/// Prepares and validates a new object from a request body.
pub(super) fn new_object(ctx: &Ctx<'_>, body: Value) -> Result<Value, ApiError> {
    let obj = admission::prepare_create(&ctx.rt, ctx.path.namespace.as_deref(), body, &ctx.now())?;
    validate(ctx, obj)
}

async fn create(ctx: &Ctx<'_>, body: &Bytes) -> Result<Reply, ApiError> {
    let body = parse_body(ctx, body)?;
    namespace_check(ctx, object::meta_str(&body, "name").unwrap_or_default())?;
    let obj = new_object(ctx, body)?;
    let name = object::meta_str(&obj, "name").unwrap_or_default().to_string();
    if ctx.dry_run() {
        return Ok(Reply::Json(201, obj));
    }
    let rt = Arc::clone(&ctx.rt);
    let outcome = ctx
        .server
        .store
        .mutate(&ctx.key_for(&name), |current| match current {
            Some(_) => Err(ApiError::already_exists(&rt, &name)),
            None => Ok((Change::Put(obj), ())),
        })
        .await
        .map_err(ApiError::internal)??;
    let stored = outcome.0.ok_or_else(|| ApiError::internal("created object vanished"))?;
    ctx.server.after_write(&ctx.rt, Some(&stored.object));
    Ok(Reply::Json(201, present(&ctx.rt, &stored.object)))
}

/// Applies an update of the stored object `name` computed by `f` from the current object, with
/// validation, and answers like an update does.
pub(super) async fn write_existing(
    ctx: &Ctx<'_>,
    name: &str,
    subresource: Option<&str>,
    f: impl FnOnce(&Value) -> Result<Value, ApiError>,
) -> Result<Reply, ApiError> {
    let rt = Arc::clone(&ctx.rt);
    let dry_run = ctx.dry_run();
    let outcome = ctx
        .server
        .store
        .mutate(&ctx.key_for(name), |current| {
            let current = current.ok_or_else(|| ApiError::not_found(&rt, name))?;
            // Patches and updates see the object as served at the request's version.
            let current = present(&rt, &current.object);
            let body = f(&current)?;
            match admission::prepare_update(&rt, &current, body, subresource)? {
                Updated::Unchanged => {
                    // Nothing to validate, but the body was still decoded: its duplicated fields are
                    // reported (it has no unknown ones, or it would not match what is stored).
                    ctx.strict.check_object(&rt, &current, &[])?;
                    Ok((Change::Keep, None))
                }
                // The answer is the object as updated, as kube-apiserver gives it when an update empties the
                // finalizers of an object being deleted.
                Updated::Delete(last) => Ok((if dry_run { Change::Keep } else { Change::Delete }, Some(last))),
                Updated::Put(new) => {
                    let new = validate(ctx, new)?;
                    if dry_run {
                        Ok((Change::Keep, Some(new)))
                    } else {
                        Ok((Change::Put(new), None))
                    }
                }
            }
        })
        .await
        .map_err(ApiError::internal)??;
    match outcome {
        (None, Some(last)) => {
            ctx.server.after_delete(&ctx.rt, name);
            Ok(Reply::Json(200, present(&ctx.rt, &last)))
        }
        (_, Some(dry)) => Ok(Reply::Json(200, dry)),
        (Some(stored), None) => {
            ctx.server.after_write(&ctx.rt, Some(&stored.object));
            Ok(Reply::Json(200, present(&ctx.rt, &stored.object)))
        }
        (None, None) => Err(ApiError::not_found(&ctx.rt, name)),
    }
}

async fn update(ctx: &Ctx<'_>, name: &str, subresource: Option<&str>, body: &Bytes) -> Result<Reply, ApiError> {
    let mut body = parse_body(ctx, body)?;
    write_existing(ctx, name, subresource, move |current| {
        // A body without field ownership keeps the stored one, as kube-apiserver's field manager does.
        let given = body
            .pointer("/metadata/managedFields")
            .and_then(Value::as_array)
            .is_some_and(|m| !m.is_empty());
        if !given
            && let Some(managed) = current.pointer("/metadata/managedFields").cloned()
            && let Some(meta) = body.get_mut("metadata").and_then(Value::as_object_mut)
        {
            meta.insert("managedFields".into(), managed);
        }
        Ok(body)
    })
    .await
}

async fn finalize_namespace(ctx: &Ctx<'_>, name: &str, body: &Bytes) -> Result<Reply, ApiError> {
    let body = parse_body(ctx, body)?;
    let finalizers = body.pointer("/spec/finalizers").cloned().unwrap_or(json!([]));
    write_existing(ctx, name, None, move |current| {
        let mut next = current.clone();
        next["spec"]["finalizers"] = finalizers;
        Ok(next)
    })
    .await
}

/// `DeleteOptions` from the body and the query.
#[derive(Debug, Default)]
pub(crate) struct DeleteOptions {
    /// `Background`, `Foreground` or `Orphan`.
    pub propagation: String,
    /// Precondition on the uid.
    pub uid: Option<String>,
    /// Precondition on the resourceVersion.
    pub resource_version: Option<String>,
    /// `dryRun: ["All"]` in the body (kubectl sends it there rather than in the query).
    pub dry_run: bool,
}

pub(super) fn delete_options(ctx: &Ctx<'_>, body: &Bytes) -> Result<DeleteOptions, ApiError> {
    let opts = if body.is_empty() {
        json!({})
    } else {
        parse_body(ctx, body)?
    };
    let propagation = ctx
        .query
        .non_empty("propagationPolicy")
        .or_else(|| opts.get("propagationPolicy").and_then(Value::as_str))
        .unwrap_or("Background")
        .to_string();
    if !matches!(propagation.as_str(), "Background" | "Foreground" | "Orphan") {
        return Err(ApiError::bad_request(format!(
            "propagationPolicy: Unsupported value: \"{propagation}\": supported values: \"Foreground\", \"Background\", \"Orphan\""
        )));
    }
    Ok(DeleteOptions {
        propagation,
        uid: opts
            .pointer("/preconditions/uid")
            .and_then(Value::as_str)
            .map(str::to_string),
        resource_version: opts
            .pointer("/preconditions/resourceVersion")
            .and_then(Value::as_str)
            .map(str::to_string),
        dry_run: opts
            .get("dryRun")
            .and_then(Value::as_array)
            .is_some_and(|d| d.iter().any(|v| v == "All")),
    })
}

async fn delete(ctx: &Ctx<'_>, name: &str, body: &Bytes) -> Result<Reply, ApiError> {
    let opts = delete_options(ctx, body)?;
    let dry_run = ctx.dry_run() || opts.dry_run;
    let last = delete_object(ctx.server, &ctx.rt, &ctx.key_for(name), &opts, dry_run).await?;
    Ok(Reply::Json(200, last))
}

/// Namespaces kube-apiserver's namespace lifecycle admission refuses to delete.
const IMMORTAL_NAMESPACES: [&str; 3] = ["default", "kube-system", "kube-public"];

/// Deletes (or starts deleting) one object; returns its last state. Shared with garbage collection.
pub(crate) async fn delete_object(
    server: &Arc<ApiServer>,
    rt: &Arc<ResourceType>,
    key: &Key,
    opts: &DeleteOptions,
    dry_run: bool,
) -> Result<Value, ApiError> {
    let name = key.name.clone();
    let current = server.store.get(key).ok_or_else(|| ApiError::not_found(rt, &name))?;
    if rt.group.is_empty() && rt.kind == "Namespace" && IMMORTAL_NAMESPACES.contains(&name.as_str()) {
        return Err(ApiError::forbidden(format!(
            "namespaces \"{name}\" is forbidden: this namespace may not be deleted"
        )));
    }
    if opts.propagation == "Orphan" && !dry_run {
        let uid = object::meta_str(&current.object, "uid").unwrap_or_default().to_string();
        crate::gc::orphan_dependents(server, &uid).await;
    }
    let now = object::rfc3339(jiff::Timestamp::now());
    let rt2 = Arc::clone(rt);
    let outcome = server
        .store
        .mutate(key, |current| {
            let current = current.ok_or_else(|| ApiError::not_found(&rt2, &name))?;
            let obj = &current.object;
            if let Some(uid) = &opts.uid
                && object::meta_str(obj, "uid") != Some(uid.as_str())
            {
                return Err(ApiError::conflict(
                    &rt2,
                    &name,
                    &format!(
                        "Precondition failed: UID in precondition: {uid}, UID in object meta: {}",
                        object::meta_str(obj, "uid").unwrap_or_default()
                    ),
                ));
            }
            if let Some(rv) = &opts.resource_version
                && object::meta_str(obj, "resourceVersion") != Some(rv.as_str())
            {
                return Err(ApiError::conflict(
                    &rt2,
                    &name,
                    &format!(
                        "Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {}",
                        object::meta_str(obj, "resourceVersion").unwrap_or_default()
                    ),
                ));
            }
            let has_finalizers =
                obj.pointer("/metadata/finalizers").and_then(Value::as_array).is_some_and(|f| !f.is_empty());
            let foreground = opts.propagation == "Foreground";
            let is_namespace = rt2.group.is_empty() && rt2.kind == "Namespace";
            if !(has_finalizers || foreground || is_namespace) {
                return Ok((if dry_run { Change::Keep } else { Change::Delete }, (**obj).clone()));
            }
            let mut next = (**obj).clone();
            if let Some(meta) = object::meta_mut(&mut next) {
                meta.entry("deletionTimestamp").or_insert_with(|| json!(now));
                meta.entry("deletionGracePeriodSeconds").or_insert(json!(0));
                if foreground {
                    let fins = meta.entry("finalizers").or_insert_with(|| json!([]));
                    if let Some(list) = fins.as_array_mut()
                        && !list.iter().any(|f| f == "foregroundDeletion")
                    {
                        list.push(json!("foregroundDeletion"));
                    }
                }
            }
            if is_namespace {
                next["status"] = json!({ "phase": "Terminating" });
            }
            if dry_run || next == **obj {
                Ok((Change::Keep, next))
            } else {
                Ok((Change::Put(next.clone()), next))
            }
        })
        .await
        .map_err(ApiError::internal)??;
    let (stored, last) = outcome;
    match stored {
        Some(s) if !dry_run => {
            server.after_write(rt, Some(&s.object));
            Ok(present(rt, &s.object))
        }
        _ => {
            if !dry_run {
                server.after_delete(rt, &key.name);
            }
            Ok(last)
        }
    }
}

async fn delete_collection(ctx: &Ctx<'_>, body: &Bytes) -> Result<Reply, ApiError> {
    let opts = delete_options(ctx, body)?;
    let dry_run = ctx.dry_run() || opts.dry_run;
    let (items, _) = selected(ctx)?;
    let mut deleted = Vec::new();
    for item in items {
        match delete_object(ctx.server, &ctx.rt, &item.key, &opts, dry_run).await {
            Ok(last) => deleted.push(last),
            Err(e) if e.code == 404 => {}
            Err(e) => return Err(e),
        }
    }
    Ok(Reply::Json(
        200,
        json!({
            "kind": format!("{}List", ctx.rt.kind),
            "apiVersion": ctx.rt.api_version(),
            "metadata": { "resourceVersion": ctx.server.store.revision().to_string() },
            "items": deleted,
        }),
    ))
}

/// A Secret's `stringData` is write-only: the API server merges it into `data` (base64, `stringData`
/// winning over a key in both) and never stores it.
fn fold_string_data(secret: &mut Value) {
    use base64::Engine;
    let Some(object) = secret.as_object_mut() else { return };
    let Some(Value::Object(strings)) = object.remove("stringData") else {
        return;
    };
    let data = object.entry("data").or_insert_with(|| json!({}));
    if !data.is_object() {
        *data = json!({});
    }
    if let Some(data) = data.as_object_mut() {
        for (key, value) in strings {
            let text = value.as_str().unwrap_or_default();
            data.insert(
                key,
                Value::String(base64::engine::general_purpose::STANDARD.encode(text)),
            );
        }
    }
}

#[cfg(test)]
mod string_data_tests {
    use super::*;

    #[test]
    fn string_data_is_folded_into_data() {
        let mut secret =
            json!({"kind": "Secret", "data": {"a": "eA==", "b": "eA=="}, "stringData": {"b": "hi", "c": "x"}});
        fold_string_data(&mut secret);
        assert_eq!(
            secret,
            json!({"kind": "Secret", "data": {"a": "eA==", "b": "aGk=", "c": "eA=="}})
        );
        let mut plain = json!({"kind": "Secret", "stringData": {"k": "v"}});
        fold_string_data(&mut plain);
        assert_eq!(plain, json!({"kind": "Secret", "data": {"k": "dg=="}}));
    }
}
