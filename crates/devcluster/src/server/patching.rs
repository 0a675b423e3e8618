//! PATCH requests: JSON merge patch, JSON patch, strategic merge patch, and server-side apply.

use std::sync::Arc;

use bytes::Bytes;
use serde_json::{Value, json};

use super::Reply;
use super::admission::{self, Updated};
use super::error::{ApiError, Cause};
use super::resources::{Ctx, namespace_check, write_existing};
use crate::object;
use crate::patch::{self, ApplyError, Strategy};
use crate::registry::ResourceType;
use crate::store::Change;

const APPLY: &str = "application/apply-patch+yaml";

/// A patch that does not apply to the object: 422 with no kind, name or causes, as kube-apiserver answers it
/// (kubectl prints "The request is invalid: ...").
fn patch_error(e: patch::PatchError) -> ApiError {
    ApiError::unprocessable(e.to_string())
}

/// Applies a (non-apply) patch of `content_type` to `current`.
pub fn apply_patch(rt: &ResourceType, content_type: &str, current: &Value, body: &Value) -> Result<Value, ApiError> {
    match content_type {
        "application/merge-patch+json" => {
            let mut next = current.clone();
            patch::merge_patch(&mut next, body);
            Ok(next)
        }
        "application/json-patch+json" => patch::json_patch(current, body).map_err(patch_error),
        "application/strategic-merge-patch+json" => {
            let strategy = if current.get("kind").and_then(Value::as_str) == Some("Scale") {
                Some(Strategy::new())
            } else if rt.is_custom() {
                None
            } else {
                Strategy::for_kind(&rt.group, &rt.kind)
            };
            let Some(strategy) = strategy else {
                return Err(ApiError::unsupported_media_type(false));
            };
            patch::strategic_merge_patch(current, body, &strategy).map_err(patch_error)
        }
        _ => Err(ApiError::unsupported_media_type(!rt.is_custom())),
    }
}

fn parse_patch(ctx: &Ctx<'_>, body: &Bytes) -> Result<Value, ApiError> {
    decode_patch(&ctx.headers.content_type, body)
}

/// Decodes a PATCH body of `content_type`: YAML for server-side apply, JSON for every other patch.
pub(crate) fn decode_patch(content_type: &str, body: &[u8]) -> Result<Value, ApiError> {
    if content_type == APPLY {
        let text = std::str::from_utf8(body).map_err(|e| ApiError::bad_request(e.to_string()))?;
        return super::strict::parse_yaml(text).map_err(|e| ApiError::bad_request(format!("error decoding YAML: {e}")));
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
        apply_patch(&rt, &content_type, current, &patch_body)
    })
    .await
}

pub(crate) fn apply_error(rt: &ResourceType, name: &str, e: ApplyError) -> ApiError {
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
            let causes = conflicts
                .iter()
                .map(|c| json!({ "reason": "FieldManagerConflict", "message": format!("conflict with \"{}\"", c.manager), "field": c.path }))
                .collect();
            ApiError::apply_conflict(conflict_message(&conflicts), causes)
        }
    }
}

/// The message of an apply conflict, worded as kube-apiserver words it: one conflict on one line, more grouped
/// by manager (in name order), one path a line.
fn conflict_message(conflicts: &[patch::FieldConflict]) -> String {
    if let [only] = conflicts {
        return format!(
            "Apply failed with 1 conflict: conflict with \"{}\": {}",
            only.manager, only.path
        );
    }
    let mut managers: Vec<&str> = conflicts.iter().map(|c| c.manager.as_str()).collect();
    managers.sort_unstable();
    managers.dedup();
    let mut lines = Vec::new();
    for manager in managers {
        lines.push(format!("conflicts with \"{manager}\":"));
        lines.extend(
            conflicts
                .iter()
                .filter(|c| c.manager == manager)
                .map(|c| format!("- {}", c.path)),
        );
    }
    format!("Apply failed with {} conflicts: {}", conflicts.len(), lines.join("\n"))
}

/// The field strategy server-side apply follows for objects of `rt`: Go struct tags for built-in kinds, none
/// for custom resources.
pub(crate) fn apply_strategy(rt: &ResourceType) -> Option<Strategy> {
    if rt.is_custom() {
        None
    } else {
        Strategy::for_kind(&rt.group, &rt.kind)
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
    let strategy = apply_strategy(&rt);
    let now = object::rfc3339(jiff::Timestamp::now());
    let exists = ctx.server.store.get(&ctx.key_for(name)).is_some();
    if !exists {
        namespace_check(ctx, name)?;
    }
    let dry_run = ctx.query.get("dryRun") == Some("All");
    let outcome = ctx
        .server
        .store
        .mutate(&ctx.key_for(name), |current| {
            let live = current.map(|c| super::resources::present(&rt, &c.object));
            let merged = patch::server_side_apply(live.as_ref(), &applied, &manager, force, strategy.as_ref(), &now)
                .map_err(|e| apply_error(&rt, name, e))?;
            // Duplicated fields of the applied configuration are looked for once it applies, as upstream does.
            ctx.strict.check_applied()?;
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
                    let created = admission::validate(&rt, &ctx.strict, created)?;
                    ctx.check_rbac_write(&created, None)?;
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
                        Updated::Delete(last) => Ok((if dry_run { Change::Keep } else { Change::Delete }, Some(last))),
                        Updated::Put(next) => {
                            let next = admission::validate(&rt, &ctx.strict, next)?;
                            ctx.check_rbac_write(&next, live.as_ref())?;
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
    let code = if exists { 200 } else { 201 };
    match outcome {
        // A dry run answers what would have been stored.
        (_, Some(result)) if dry_run => Ok(Reply::Json(code, result)),
        (Some(stored), _) => {
            ctx.server.after_write(&ctx.rt, Some(&stored.object));
            Ok(Reply::Json(code, super::resources::present(&ctx.rt, &stored.object)))
        }
        // The apply emptied the finalizers of an object being deleted: it is gone; answer its last state.
        (None, Some(last)) => {
            ctx.server.after_delete(&ctx.rt, name);
            Ok(Reply::Json(200, super::resources::present(&ctx.rt, &last)))
        }
        (None, None) => Err(ApiError::not_found(&ctx.rt, name)),
    }
}
