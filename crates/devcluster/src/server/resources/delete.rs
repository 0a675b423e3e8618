//! The deleting verbs: delete and deletecollection, with preconditions, propagation policies, finalizers
//! and the namespace lifecycle; garbage collection and evictions delete through them too.

use std::sync::Arc;

use bytes::Bytes;
use serde_json::{Value, json};

use super::{Ctx, parse_body, present, selected};
use crate::object;
use crate::registry::ResourceType;
use crate::server::error::ApiError;
use crate::server::{ApiServer, Reply};
use crate::store::{Change, Key};

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

pub(in crate::server) fn delete_options(ctx: &Ctx<'_>, body: &Bytes) -> Result<DeleteOptions, ApiError> {
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

pub(super) async fn delete(ctx: &Ctx<'_>, name: &str, body: &Bytes) -> Result<Reply, ApiError> {
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

pub(super) async fn delete_collection(ctx: &Ctx<'_>, body: &Bytes) -> Result<Reply, ApiError> {
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
