//! The review APIs, answered and never stored: access reviews (`kubectl auth can-i`, `--list`), the
//! self review (`kubectl auth whoami`) and token reviews.

use bytes::Bytes;
use hyper::Method;
use serde_json::{Value, json};

use super::error::ApiError;
use super::resources::{Headers, decode_body};
use super::route::ResourcePath;
use super::{ApiServer, Reply};
use crate::auth::attributes::{Attributes, ResourceAttributes};
use crate::auth::identity::UserInfo;
use crate::auth::policy::aggregate;

/// A review API: group, resource, kind, namespaced.
pub(super) struct ReviewApi {
    pub group: &'static str,
    pub plural: &'static str,
    pub kind: &'static str,
    pub namespaced: bool,
}

/// Every review API (all at version v1, all answering `create` only).
pub(super) const REVIEW_APIS: [ReviewApi; 6] = [
    ReviewApi {
        group: "authentication.k8s.io",
        plural: "selfsubjectreviews",
        kind: "SelfSubjectReview",
        namespaced: false,
    },
    ReviewApi {
        group: "authentication.k8s.io",
        plural: "tokenreviews",
        kind: "TokenReview",
        namespaced: false,
    },
    ReviewApi {
        group: "authorization.k8s.io",
        plural: "localsubjectaccessreviews",
        kind: "LocalSubjectAccessReview",
        namespaced: true,
    },
    ReviewApi {
        group: "authorization.k8s.io",
        plural: "selfsubjectaccessreviews",
        kind: "SelfSubjectAccessReview",
        namespaced: false,
    },
    ReviewApi {
        group: "authorization.k8s.io",
        plural: "selfsubjectrulesreviews",
        kind: "SelfSubjectRulesReview",
        namespaced: false,
    },
    ReviewApi {
        group: "authorization.k8s.io",
        plural: "subjectaccessreviews",
        kind: "SubjectAccessReview",
        namespaced: false,
    },
];

/// The review API a path addresses, if it is one.
pub(super) fn api_of(rp: &ResourcePath) -> Option<&'static ReviewApi> {
    if rp.gv.version != "v1" {
        return None;
    }
    REVIEW_APIS
        .iter()
        .find(|api| api.group == rp.gv.group && api.plural == rp.plural)
}

fn invalid(kind: &str, group: &str, field: &str, value: &str, why: &str) -> ApiError {
    ApiError::unprocessable(format!(
        "{kind}.{group} \"\" is invalid: {field}: Invalid value: {value}: {why}"
    ))
}

fn string(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or_default().to_string()
}

/// The attributes a review spec asks about.
fn spec_attributes(api: &ReviewApi, spec: &Value) -> Result<Attributes, ApiError> {
    match (spec.get("resourceAttributes"), spec.get("nonResourceAttributes")) {
        (Some(r), None) => Ok(Attributes::Resource(ResourceAttributes {
            verb: string(r, "verb"),
            group: string(r, "group"),
            version: string(r, "version"),
            resource: string(r, "resource"),
            subresource: string(r, "subresource"),
            namespace: string(r, "namespace"),
            name: string(r, "name"),
        })),
        (None, Some(n)) => Ok(Attributes::NonResource {
            verb: string(n, "verb"),
            path: string(n, "path"),
        }),
        (Some(_), Some(n)) => Err(invalid(
            api.kind,
            api.group,
            "spec.nonResourceAttributes",
            &n.to_string(),
            "cannot be specified in combination with resourceAttributes",
        )),
        (None, None) => Err(invalid(
            api.kind,
            api.group,
            "spec.resourceAttributes",
            "\"null\"",
            "exactly one of nonResourceAttributes or resourceAttributes must be specified",
        )),
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

/// The identity a SubjectAccessReview asks about.
fn spec_user(spec: &Value) -> UserInfo {
    let mut user = UserInfo {
        name: string(spec, "user"),
        uid: string(spec, "uid"),
        groups: strings(spec.get("groups")),
        ..UserInfo::default()
    };
    if let Some(extra) = spec.get("extra").and_then(Value::as_object) {
        for (k, v) in extra {
            user.extra.insert(k.clone(), strings(Some(v)));
        }
    }
    user
}

/// Answers a review: `POST` only, at the scope the API has.
pub(super) fn handle(
    server: &ApiServer,
    method: &Method,
    api: &ReviewApi,
    rp: &ResourcePath,
    requester: &UserInfo,
    headers: &Headers,
    body: &Bytes,
) -> Result<Reply, ApiError> {
    if rp.name.is_some() || rp.namespace.is_some() != api.namespaced {
        return Err(ApiError::no_route(&format!("{}/{}", api.group, api.plural)));
    }
    if *method != Method::POST {
        return Err(ApiError::method_not_allowed(method.as_str()));
    }
    let mut review = decode_body(&headers.content_type, body)?;
    if !review.is_object() {
        return Err(ApiError::bad_request("the request body is not an object"));
    }
    let spec = review.get("spec").cloned().unwrap_or_else(|| json!({}));
    let status = match api.plural {
        "selfsubjectreviews" => json!({ "userInfo": requester.to_json() }),
        "tokenreviews" => {
            let token = string(&spec, "token");
            match server.auth.authenticate(&server.store, &token) {
                Some(user) => json!({
                    "authenticated": true,
                    "user": user.to_json(),
                    "audiences": [crate::auth::tokens::ISSUER],
                }),
                None => json!({ "authenticated": false, "error": "invalid bearer token" }),
            }
        }
        "selfsubjectrulesreviews" => rules_review(server, requester, &string(&spec, "namespace")),
        "selfsubjectaccessreviews" => access_review(server, requester, &spec_attributes(api, &spec)?),
        _ => {
            let user = spec_user(&spec);
            if user.name.is_empty() && user.groups.is_empty() {
                return Err(invalid(
                    api.kind,
                    api.group,
                    "spec.user",
                    "\"\"",
                    "at least one of user or group must be specified",
                ));
            }
            let attrs = spec_attributes(api, &spec)?;
            if let (true, Some(ns)) = (api.namespaced, rp.namespace.as_deref()) {
                match &attrs {
                    Attributes::Resource(r) if r.namespace == ns => {}
                    Attributes::Resource(r) => {
                        return Err(ApiError::bad_request(format!(
                            "spec.resourceAttributes.namespace must match namespace: {ns}: {}",
                            r.namespace
                        )));
                    }
                    Attributes::NonResource { .. } => {
                        return Err(invalid(
                            api.kind,
                            api.group,
                            "spec.nonResourceAttributes",
                            "{}",
                            "disallowed on this kind of request",
                        ));
                    }
                }
            }
            access_review(server, &user, &attrs)
        }
    };
    review["apiVersion"] = json!(format!("{}/v1", api.group));
    review["kind"] = json!(api.kind);
    if !review.get("metadata").is_some_and(Value::is_object) {
        review["metadata"] = json!({});
    }
    review["metadata"]["creationTimestamp"] = Value::Null;
    review["status"] = status;
    Ok(Reply::Json(201, review))
}

fn access_review(server: &ApiServer, user: &UserInfo, attrs: &Attributes) -> Value {
    let decision = server.auth.authorize(&server.store, user, attrs);
    let mut status = json!({ "allowed": decision.allowed });
    if !decision.reason.is_empty() {
        status["reason"] = json!(decision.reason);
    }
    status
}

fn rules_review(server: &ApiServer, user: &UserInfo, namespace: &str) -> Value {
    let (rules, errors) = server.auth.policy(&server.store).rules_for(user, namespace);
    let mut resource_rules = Vec::new();
    let mut non_resource_rules = Vec::new();
    for rule in &rules {
        if !rule.resources.is_empty() {
            let mut r = json!({ "verbs": rule.verbs, "resources": rule.resources });
            if !rule.api_groups.is_empty() {
                r["apiGroups"] = json!(rule.api_groups);
            }
            if !rule.resource_names.is_empty() {
                r["resourceNames"] = json!(rule.resource_names);
            }
            resource_rules.push(r);
        }
        if !rule.non_resource_urls.is_empty() {
            non_resource_rules.push(json!({ "verbs": rule.verbs, "nonResourceURLs": rule.non_resource_urls }));
        }
    }
    let mut status = json!({
        "resourceRules": resource_rules,
        "nonResourceRules": non_resource_rules,
        "incomplete": false,
    });
    if !errors.is_empty() {
        let errors: Vec<&str> = errors.iter().map(String::as_str).collect();
        status["evaluationError"] = json!(aggregate(&errors));
    }
    status
}
