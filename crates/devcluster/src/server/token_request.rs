//! The `token` subresource of service accounts (TokenRequest, `kubectl create token`): a bound token for
//! the service account, for an hour unless asked otherwise, optionally bound to a pod or secret.

use bytes::Bytes;
use serde_json::{Value, json};

use super::Reply;
use super::error::ApiError;
use super::resources::{Ctx, parse_body};
use crate::auth::tokens::{BoundObject, BoundRequest, ISSUER, ServiceAccountRef};
use crate::object;
use crate::store::Key;

/// The lifetime of a token when none is asked for.
const DEFAULT_EXPIRATION_SECS: i64 = 3600;
/// The shortest lifetime kube-apiserver issues.
const MIN_EXPIRATION_SECS: i64 = 600;
/// The longest.
const MAX_EXPIRATION_SECS: i64 = 1 << 32;

fn invalid(name: &str, value: i64, why: &str) -> ApiError {
    ApiError::unprocessable(format!(
        "TokenRequest.authentication.k8s.io \"{name}\" is invalid: spec.expirationSeconds: Invalid value: {value}: {why}"
    ))
}

/// The object a token is to be bound to, checked as kube-apiserver checks it.
fn bound_object(ctx: &Ctx<'_>, sa_name: &str, namespace: &str, reference: &Value) -> Result<BoundObject, ApiError> {
    let field = |f: &str| reference.get(f).and_then(Value::as_str).unwrap_or_default();
    let (api_version, kind, name) = (field("apiVersion"), field("kind"), field("name"));
    let (prefix, plural) = match (api_version, kind) {
        ("v1" | "", "Pod") => ("/core/pods", "pods"),
        ("v1" | "", "Secret") => ("/core/secrets", "secrets"),
        _ => {
            let gvk = if api_version.is_empty() {
                format!(", Kind={kind}")
            } else {
                format!("{api_version}, Kind={kind}")
            };
            return Err(ApiError::bad_request(format!(
                "cannot bind token to object of type {gvk}"
            )));
        }
    };
    let stored = ctx
        .server
        .store
        .get(&Key {
            prefix: prefix.to_string(),
            namespace: Some(namespace.to_string()),
            name: name.to_string(),
        })
        .ok_or_else(|| {
            let mut e = ApiError::new(404, "NotFound", format!("{plural} \"{name}\" not found"));
            e.details = Some(json!({ "name": name, "kind": plural }));
            e
        })?;
    if kind == "Pod" {
        let pod_account = stored
            .object
            .pointer("/spec/serviceAccountName")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .unwrap_or("default");
        if pod_account != sa_name {
            return Err(ApiError::bad_request(format!(
                "cannot bind token for serviceaccount \"{sa_name}\" to pod running with different serviceaccount name."
            )));
        }
    }
    let uid = object::meta_str(&stored.object, "uid").unwrap_or_default().to_string();
    let wanted = field("uid");
    if !wanted.is_empty() && wanted != uid {
        let mut e = ApiError::new(
            409,
            "Conflict",
            format!(
                "Operation cannot be fulfilled on {kind} \"{name}\": the UID in the bound object reference ({wanted}) does not match the UID in record. The object might have been deleted and then recreated"
            ),
        );
        e.details = Some(json!({ "name": name, "kind": kind }));
        return Err(e);
    }
    Ok(BoundObject {
        kind: kind.to_string(),
        name: name.to_string(),
        uid,
    })
}

/// `POST .../serviceaccounts/{name}/token`.
pub(super) fn create(ctx: &Ctx<'_>, name: &str, body: &Bytes) -> Result<Reply, ApiError> {
    let request = parse_body(ctx, body)?;
    let namespace = ctx.path.namespace.clone().unwrap_or_default();
    let sa = ctx
        .server
        .store
        .get(&ctx.key_for(name))
        .ok_or_else(|| ApiError::not_found(&ctx.rt, name))?;
    let spec = request.get("spec").cloned().unwrap_or_else(|| json!({}));
    let expiration = match spec.get("expirationSeconds") {
        None | Some(Value::Null) => DEFAULT_EXPIRATION_SECS,
        Some(v) => v
            .as_i64()
            .ok_or_else(|| ApiError::bad_request("spec.expirationSeconds must be an integer"))?,
    };
    if expiration < MIN_EXPIRATION_SECS {
        return Err(invalid(
            name,
            expiration,
            "may not specify a duration less than 10 minutes",
        ));
    }
    if expiration > MAX_EXPIRATION_SECS {
        return Err(invalid(
            name,
            expiration,
            "may not specify a duration larger than 2^32 seconds",
        ));
    }
    let mut audiences: Vec<String> = spec
        .get("audiences")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    if audiences.is_empty() {
        audiences.push(ISSUER.to_string());
    }
    let bound = match spec.get("boundObjectRef").filter(|r| r.is_object()) {
        Some(reference) => Some(bound_object(ctx, name, &namespace, reference)?),
        None => None,
    };
    let now = jiff::Timestamp::now();
    let issued_at = now.as_second();
    let account = ServiceAccountRef {
        namespace: namespace.clone(),
        name: name.to_string(),
        uid: object::meta_str(&sa.object, "uid").unwrap_or_default().to_string(),
    };
    let (token, _) = ctx.server.auth.signing_key().issue_bound(&BoundRequest {
        account,
        audiences: audiences.clone(),
        issued_at,
        expiration_seconds: expiration,
        bound: bound.clone(),
    });
    let expires = jiff::Timestamp::from_second(issued_at + expiration).unwrap_or(now);
    let mut out_spec = json!({ "audiences": audiences, "expirationSeconds": expiration, "boundObjectRef": null });
    if let Some(bound) = &bound {
        out_spec["boundObjectRef"] =
            json!({ "kind": bound.kind, "apiVersion": "v1", "name": bound.name, "uid": bound.uid });
    }
    Ok(Reply::Json(
        201,
        json!({
            "kind": "TokenRequest",
            "apiVersion": "authentication.k8s.io/v1",
            "metadata": { "name": name, "namespace": namespace, "creationTimestamp": object::rfc3339(now) },
            "spec": out_spec,
            "status": { "token": token, "expirationTimestamp": object::rfc3339(expires) },
        }),
    ))
}
