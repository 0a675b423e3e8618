//! The writing verbs: create, update and the namespace `finalize` subresource, and the update of a stored
//! object that patches and the scale subresource share.

use std::sync::Arc;

use bytes::Bytes;
use serde_json::{Value, json};

use super::{Ctx, parse_body, present};
use crate::object;
use crate::server::Reply;
use crate::server::admission::{self, Updated};
use crate::server::error::ApiError;
use crate::store::{Change, Key};

/// Refuses to create `name` in a namespace that does not exist or is being deleted.
pub(in crate::server) fn namespace_check(ctx: &Ctx<'_>, name: &str) -> Result<(), ApiError> {
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
fn new_object(ctx: &Ctx<'_>, body: Value) -> Result<Value, ApiError> {
    let obj = admission::prepare_create(
        &ctx.rt,
        ctx.path.namespace.as_deref(),
        body,
        &object::rfc3339(jiff::Timestamp::now()),
    )?;
    admission::validate(&ctx.rt, &ctx.strict, obj)
}

pub(super) async fn create(ctx: &Ctx<'_>, body: &Bytes) -> Result<Reply, ApiError> {
    let body = parse_body(ctx, body)?;
    namespace_check(ctx, object::meta_str(&body, "name").unwrap_or_default())?;
    let obj = new_object(ctx, body)?;
    ctx.check_rbac_write(&obj, None)?;
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
pub(in crate::server) async fn write_existing(
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
                    let new = admission::validate(&rt, &ctx.strict, new)?;
                    ctx.check_rbac_write(&new, Some(&current))?;
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

pub(super) async fn update(
    ctx: &Ctx<'_>,
    name: &str,
    subresource: Option<&str>,
    body: &Bytes,
) -> Result<Reply, ApiError> {
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

pub(super) async fn finalize_namespace(ctx: &Ctx<'_>, name: &str, body: &Bytes) -> Result<Reply, ApiError> {
    let body = parse_body(ctx, body)?;
    let finalizers = body.pointer("/spec/finalizers").cloned().unwrap_or(json!([]));
    write_existing(ctx, name, None, move |current| {
        let mut next = current.clone();
        next["spec"]["finalizers"] = finalizers;
        Ok(next)
    })
    .await
}
