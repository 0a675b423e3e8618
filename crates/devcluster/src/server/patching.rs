//! PATCH requests: JSON merge patch, JSON patch, strategic merge patch, and server-side apply.

use std::sync::Arc;

use bytes::Bytes;
use serde_json::{Value, json};

use super::Reply;
use super::admission::{self, Updated};
use super::error::{ApiError, Cause};
use super::resources::{Ctx, namespace_check, validate, write_existing};
use crate::object;
use crate::patch::{self, ApplyError, Strategy};
use crate::registry::ResourceType;
use crate::store::Change;

const APPLY: &str = "application/apply-patch+yaml";

fn patch_error(rt: &ResourceType, name: &str, e: patch::PatchError) -> ApiError {
    ApiError::invalid(
        rt,
        name,
        vec![Cause {
            reason: "FieldValueInvalid".into(),
            field: String::new(),
            message: e.to_string(),
        }],
    )
}

/// Applies a (non-apply) patch of `content_type` to `current`.
pub fn apply_patch(
    rt: &ResourceType,
    content_type: &str,
    current: &Value,
    body: &Value,
    name: Option<&str>,
) -> Result<Value, ApiError> {
    let name = name.unwrap_or_default();
    match content_type {
        "application/merge-patch+json" => {
            let mut next = current.clone();
            patch::merge_patch(&mut next, body);
            Ok(next)
        }
        "application/json-patch+json" => patch::json_patch(current, body).map_err(|e| patch_error(rt, name, e)),
        "application/strategic-merge-patch+json" => {
            let strategy = if current.get("kind").and_then(Value::as_str) == Some("Scale") {
                Some(Strategy::new())
            } else if rt.is_custom() {
                None
            } else {
                Strategy::for_kind(&rt.group, &rt.kind)
            };
            let Some(strategy) = strategy else {
                return Err(ApiError::unsupported_media_type(content_type));
            };
            patch::strategic_merge_patch(current, body, &strategy).map_err(|e| patch_error(rt, name, e))
        }
        other => Err(ApiError::unsupported_media_type(other)),
    }
}

fn parse_patch(ctx: &Ctx<'_>, body: &Bytes) -> Result<Value, ApiError> {
    if ctx.headers.content_type == APPLY {
        let text = std::str::from_utf8(body).map_err(|e| ApiError::bad_request(e.to_string()))?;
        return serde_saphyr::from_str::<Value>(text)
            .map_err(|e| ApiError::bad_request(format!("error decoding YAML: {e}")));
    }
    serde_json::from_slice(body).map_err(|e| ApiError::bad_request(format!("the patch could not be decoded: {e}")))
}

/// `PATCH` on an object or its status.
pub async fn patch(ctx: &Ctx<'_>, name: &str, subresource: Option<&str>, body: &Bytes) -> Result<Reply, ApiError> {
    let patch_body = parse_patch(ctx, body)?;
    if ctx.headers.content_type == APPLY {
        return apply(ctx, name, subresource, patch_body).await;
    }
    let rt = Arc::clone(&ctx.rt);
    let content_type = ctx.headers.content_type.clone();
    write_existing(ctx, name, subresource, |current| {
        apply_patch(&rt, &content_type, current, &patch_body, Some(name))
    })
    .await
}

fn apply_error(rt: &ResourceType, name: &str, e: ApplyError) -> ApiError {
    match e {
        ApplyError::Invalid(message) => ApiError::invalid(
            rt,
            name,
            vec![Cause {
                reason: "FieldValueInvalid".into(),
                field: String::new(),
                message,
            }],
        ),
        ApplyError::Conflict { conflicts } => {
            let mut err = ApiError::conflict(
                rt,
                name,
                &ApplyError::Conflict {
                    conflicts: conflicts.clone(),
                }
                .to_string(),
            );
            err.message = format!(
                "Apply failed with {} conflict{}: {}",
                conflicts.len(),
                if conflicts.len() == 1 { "" } else { "s" },
                conflicts
                    .iter()
                    .map(|c| format!("conflict with \"{}\": {}", c.manager, c.path))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            if let Some(d) = err.details.as_mut() {
                d["causes"] = Value::Array(
                    conflicts
                        .iter()
                        .map(|c| json!({ "reason": "FieldManagerConflict", "message": format!("conflict with \"{}\"", c.manager), "field": c.path }))
                        .collect(),
                );
            }
            err
        }
    }
}

/// Server-side apply: create or update from an applied configuration.
async fn apply(ctx: &Ctx<'_>, name: &str, subresource: Option<&str>, applied: Value) -> Result<Reply, ApiError> {
    let manager = ctx
        .query
        .non_empty("fieldManager")
        .ok_or_else(|| {
            ApiError::bad_request(
                "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch",
            )
        })?
        .to_string();
    let force = ctx.query.flag("force");
    let rt = Arc::clone(&ctx.rt);
    let strategy = if rt.is_custom() {
        None
    } else {
        Strategy::for_kind(&rt.group, &rt.kind)
    };
    let now = object::rfc3339(jiff::Timestamp::now());
    let exists = ctx.server.store.get(&ctx.key_for(name)).is_some();
    if !exists {
        namespace_check(ctx)?;
    }
    let dry_run = ctx.query.get("dryRun") == Some("All");
    let outcome = ctx
        .server
        .store
        .mutate(&ctx.key_for(name), |current| {
            let live = current.map(|c| super::resources::present(&rt, &c.object));
            let merged = patch::server_side_apply(live.as_ref(), &applied, &manager, force, strategy.as_ref(), &now)
                .map_err(|e| apply_error(&rt, name, e))?;
            match current {
                None => {
                    let mut body = merged;
                    if let Some(meta) = object::meta_mut(&mut body) {
                        meta.insert("name".into(), json!(name));
                    }
                    let created = admission::prepare_create(&rt, ctx.path.namespace.as_deref(), body.clone(), &now)?;
                    let mut created = created;
                    // Keep the ownership record the apply produced.
                    if let Some(mf) = body.pointer("/metadata/managedFields").cloned()
                        && let Some(meta) = object::meta_mut(&mut created)
                    {
                        meta.insert("managedFields".into(), mf);
                    }
                    let (created, _) = validate(ctx, created)?;
                    Ok((
                        if dry_run {
                            Change::Keep
                        } else {
                            Change::Put(created.clone())
                        },
                        Some(created),
                    ))
                }
                Some(_) => {
                    match admission::prepare_update(&rt, live.as_ref().unwrap_or(&Value::Null), merged, subresource)? {
                        Updated::Unchanged => Ok((Change::Keep, None)),
                        Updated::Delete => Ok((if dry_run { Change::Keep } else { Change::Delete }, None)),
                        Updated::Put(next) => {
                            let (next, _) = validate(ctx, next)?;
                            Ok((
                                if dry_run {
                                    Change::Keep
                                } else {
                                    Change::Put(next.clone())
                                },
                                Some(next),
                            ))
                        }
                    }
                }
            }
        })
        .await
        .map_err(ApiError::internal)??;
    match outcome {
        (Some(stored), _) => {
            ctx.server.after_write(&ctx.rt, Some(&stored.object));
            Ok(Reply::Json(
                if exists { 200 } else { 201 },
                super::resources::present(&ctx.rt, &stored.object),
            ))
        }
        (None, Some(dry)) => Ok(Reply::Json(200, dry)),
        (None, None) => Ok(Reply::Json(200, super::error::success_status(None))),
    }
}
