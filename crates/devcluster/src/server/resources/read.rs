//! The reading verbs: get, and list with label and field selectors and paging.

use std::sync::Arc;

use serde_json::{Value, json};

use super::{Ctx, present};
use crate::selectors::{FieldSelector, LabelSelector};
use crate::server::error::ApiError;
use crate::server::{Reply, events, tables};
use crate::store::Stored;

pub(super) fn get(ctx: &Ctx<'_>, name: &str) -> Result<Reply, ApiError> {
    let stored = ctx
        .server
        .store
        .get(&ctx.key_for(name))
        .ok_or_else(|| ApiError::not_found(&ctx.rt, name))?;
    if ctx.headers.wants_table() {
        let rv = stored.revision.to_string();
        return Ok(Reply::Json(
            200,
            tables::table(ctx, &[Arc::clone(&stored.object)], &rv, None),
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
            if events::is_events_api(&ctx.rt.group, &ctx.rt.plural) {
                let served = present(&ctx.rt, &s.object);
                labels.matches_object(&served) && fields.matches(&served)
            } else {
                labels.matches_object(&s.object) && fields.matches(&s.object)
            }
        })
        .collect();
    Ok((items, revision))
}

pub(in crate::server) fn field_selector(ctx: &Ctx<'_>) -> Result<FieldSelector, ApiError> {
    let fields = FieldSelector::parse(ctx.query.get("fieldSelector").unwrap_or_default())
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    if let Some(message) = fields.unsupported(&ctx.rt.group, &ctx.rt.kind, ctx.rt.namespaced) {
        return Err(ApiError::bad_request(message));
    }
    Ok(fields)
}

pub(super) fn list(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
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
        return Ok(Reply::Json(200, tables::table(ctx, &objects, &rv, next.as_deref())));
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
