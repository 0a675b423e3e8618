//! The pod eviction subresource: a delete that PodDisruptionBudgets may refuse.

use std::sync::Arc;

use bytes::Bytes;
use serde_json::{Value, json};

use super::Reply;
use super::error::ApiError;
use super::resources::{Ctx, DeleteOptions, delete_object};
use crate::selectors::LabelSelector;
use crate::store::Change;

/// `POST pods/{name}/eviction`.
pub async fn evict(ctx: &Ctx<'_>, name: &str, _body: &Bytes) -> Result<Reply, ApiError> {
    let key = ctx.key_for(name);
    let pod = ctx
        .server
        .store
        .get(&key)
        .ok_or_else(|| ApiError::not_found(&ctx.rt, name))?;
    let namespace = key.namespace.clone().unwrap_or_default();
    let labels = pod
        .object
        .pointer("/metadata/labels")
        .and_then(Value::as_object)
        .cloned();
    let (budgets, _) = ctx.server.store.list("/policy/poddisruptionbudgets", Some(&namespace));
    let ready = pod
        .object
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|cs| cs.iter().any(|c| c["type"] == "Ready" && c["status"] == "True"));
    for budget in budgets {
        let selects = budget
            .object
            .pointer("/spec/selector")
            .map(LabelSelector::from_object)
            .and_then(Result::ok)
            .is_some_and(|s| !s.is_empty() && s.matches(labels.as_ref()));
        // Evicting a pod that is not ready does not reduce availability, as in Kubernetes.
        if !selects || !ready {
            continue;
        }
        let budget_key = budget.key.clone();
        let allowed = ctx
            .server
            .store
            .mutate(&budget_key, |current| {
                let Some(current) = current else {
                    return Ok((Change::Keep, true));
                };
                let allowed = current
                    .object
                    .pointer("/status/disruptionsAllowed")
                    .and_then(Value::as_i64)
                    .unwrap_or(0);
                if allowed <= 0 {
                    return Err(());
                }
                let mut next = (*current.object).clone();
                next["status"]["disruptionsAllowed"] = json!(allowed - 1);
                Ok((Change::Put(next), true))
            })
            .await
            .map_err(ApiError::internal)?;
        if allowed.is_err() {
            let mut e = ApiError::too_many_requests();
            e.message = "Cannot evict pod as it would violate the pod's disruption budget.".to_string();
            e.details = Some(json!({ "causes": [{ "reason": "DisruptionBudget", "message": format!(
                "The disruption budget {} needs {} healthy pods and has {} currently",
                budget_key.name,
                budget.object.pointer("/status/desiredHealthy").and_then(Value::as_i64).unwrap_or(0),
                budget.object.pointer("/status/currentHealthy").and_then(Value::as_i64).unwrap_or(0)) }] }));
            e.retry_after = Some(10);
            return Err(e);
        }
    }
    let opts = DeleteOptions {
        propagation: "Background".into(),
        uid: None,
        resource_version: None,
        dry_run: false,
    };
    delete_object(ctx.server, &Arc::clone(&ctx.rt), &key, &opts, false).await?;
    Ok(Reply::Json(201, super::error::success_status(None)))
}
