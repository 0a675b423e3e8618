//! API errors as Kubernetes `Status` objects: the code, reason, message and details clients rely on.

use serde_json::{Value, json};

use crate::registry::ResourceType;

/// One field problem of an Invalid (422) error.
#[derive(Debug, Clone, PartialEq)]
pub struct Cause {
    /// `FieldValueInvalid`, `FieldValueRequired`, ...
    pub reason: String,
    /// Message for this field.
    pub message: String,
    /// Dotted field path.
    pub field: String,
}

/// An error answered to the client as a `Status`.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// HTTP status code.
    pub code: u16,
    /// `NotFound`, `AlreadyExists`, ...
    pub reason: &'static str,
    /// Human message.
    pub message: String,
    /// `details` of the Status, if any.
    pub details: Option<Value>,
    /// Seconds for a `Retry-After` header (429).
    pub retry_after: Option<u64>,
}

fn details(rt: &ResourceType, name: &str, kind: &str) -> Value {
    let mut d = json!({ "name": name, "kind": kind });
    if !rt.group.is_empty() {
        d["group"] = json!(rt.group);
    }
    d
}

impl ApiError {
    /// An error of any code and reason.
    pub(crate) fn new(code: u16, reason: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            code,
            reason,
            message: message.into(),
            details: None,
            retry_after: None,
        }
    }

    /// 404 for a named object.
    pub fn not_found(rt: &ResourceType, name: &str) -> Self {
        let mut e = Self::new(404, "NotFound", format!("{} \"{name}\" not found", rt.group_resource()));
        e.details = Some(details(rt, name, &rt.plural));
        e
    }

    /// 404 for a path that names no resource.
    pub fn no_route(path: &str) -> Self {
        let mut e = Self::new(404, "NotFound", "the server could not find the requested resource");
        e.details = Some(
            json!({ "causes": [{ "reason": "UnexpectedServerResponse", "message": format!("404 page not found: {path}") }] }),
        );
        e
    }

    /// 404 for a missing namespace.
    pub fn namespace_not_found(ns: &str) -> Self {
        let mut e = Self::new(404, "NotFound", format!("namespaces \"{ns}\" not found"));
        e.details = Some(json!({ "name": ns, "kind": "namespaces" }));
        e
    }

    /// 409 AlreadyExists.
    pub fn already_exists(rt: &ResourceType, name: &str) -> Self {
        let mut e = Self::new(
            409,
            "AlreadyExists",
            format!("{} \"{name}\" already exists", rt.group_resource()),
        );
        e.details = Some(details(rt, name, &rt.plural));
        e
    }

    /// 409 Conflict (stale resourceVersion or failed precondition).
    pub fn conflict(rt: &ResourceType, name: &str, why: &str) -> Self {
        let mut e = Self::new(
            409,
            "Conflict",
            format!(
                "Operation cannot be fulfilled on {} \"{name}\": {why}",
                rt.group_resource()
            ),
        );
        e.details = Some(details(rt, name, &rt.plural));
        e
    }

    /// 409 for a server-side apply that would take fields from other managers; the details hold only the causes.
    pub fn apply_conflict(message: String, causes: Vec<Value>) -> Self {
        let mut e = Self::new(409, "Conflict", message);
        e.details = Some(json!({ "causes": causes }));
        e
    }

    /// The usual Conflict for a stale resourceVersion.
    pub fn stale(rt: &ResourceType, name: &str) -> Self {
        Self::conflict(
            rt,
            name,
            "the object has been modified; please apply your changes to the latest version and try again",
        )
    }

    /// 422 Invalid with field causes.
    pub fn invalid(rt: &ResourceType, name: &str, causes: Vec<Cause>) -> Self {
        let kind = if rt.group.is_empty() {
            rt.kind.clone()
        } else {
            format!("{}.{}", rt.kind, rt.group)
        };
        let list = causes
            .iter()
            .map(|c| {
                if c.field.is_empty() {
                    c.message.clone()
                } else {
                    format!("{}: {}", c.field, c.message)
                }
            })
            .collect::<Vec<_>>();
        let summary = if list.len() == 1 {
            list[0].clone()
        } else {
            format!("[{}]", list.join(", "))
        };
        let mut e = Self::new(422, "Invalid", format!("{kind} \"{name}\" is invalid: {summary}"));
        let mut d = details(rt, name, &rt.kind);
        d["causes"] = Value::Array(
            causes
                .iter()
                .map(|c| json!({ "reason": c.reason, "message": c.message, "field": c.field }))
                .collect(),
        );
        e.details = Some(d);
        e
    }

    /// 422 on a field of the request rather than of an object (`patch`), as `NewInvalid` gives it with no
    /// kind and no name (kubectl prints "The request is invalid: ...").
    pub fn invalid_request(cause: Cause) -> Self {
        let mut e = Self::new(
            422,
            "Invalid",
            format!(" \"\" is invalid: {}: {}", cause.field, cause.message),
        );
        e.details = Some(json!({
            "causes": [{ "reason": cause.reason, "message": cause.message, "field": cause.field }],
        }));
        e
    }

    /// 422 without details of the object (a patch that does not apply), as `NewGenericServerResponse` gives it.
    pub fn unprocessable(message: impl Into<String>) -> Self {
        let mut e = Self::new(422, "Invalid", message);
        e.details = Some(json!({}));
        e
    }

    /// 400.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "BadRequest", message)
    }

    /// 401.
    pub fn unauthorized() -> Self {
        Self::new(401, "Unauthorized", "Unauthorized")
    }

    /// 403.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(403, "Forbidden", message)
    }

    /// 405.
    pub fn method_not_allowed(method: &str) -> Self {
        Self::new(
            405,
            "MethodNotAllowed",
            format!("the server does not allow this method on the requested resource ({method})"),
        )
    }

    /// 406.
    pub fn not_acceptable(message: impl Into<String>) -> Self {
        Self::new(406, "NotAcceptable", message)
    }

    /// 410 for a watch or list from a compacted resourceVersion.
    pub fn gone(requested: u64, oldest: u64) -> Self {
        Self::new(
            410,
            "Expired",
            format!("too old resource version: {requested} ({oldest})"),
        )
    }

    /// 413.
    pub fn too_large(message: impl Into<String>) -> Self {
        Self::new(413, "RequestEntityTooLarge", message)
    }

    /// 415 for a patch type the resource does not take; `strategic` says whether strategic merge patches are
    /// among the accepted ones (built-in kinds).
    pub fn unsupported_media_type(strategic: bool) -> Self {
        let accepted = if strategic {
            "application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml"
        } else {
            "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
        };
        Self::new(
            415,
            "UnsupportedMediaType",
            format!("the body of the request was in an unknown format - accepted media types include: {accepted}"),
        )
    }

    /// 429 with a Retry-After.
    pub fn too_many_requests() -> Self {
        let mut e = Self::new(
            429,
            "TooManyRequests",
            "the server has received too many requests and has asked us to try again later",
        );
        e.retry_after = Some(1);
        e
    }

    /// 500 for an object bigger than storage takes: etcd's error, which kube-apiserver passes on with no reason.
    pub fn storage_too_large() -> Self {
        Self::new(500, "", "etcdserver: request is too large")
    }

    /// 500.
    pub fn internal(message: impl std::fmt::Display) -> Self {
        Self::new(500, "InternalError", format!("Internal error occurred: {message}"))
    }

    /// The `Status` object.
    pub fn to_status(&self) -> Value {
        let mut s = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        });
        if self.reason.is_empty()
            && let Some(o) = s.as_object_mut()
        {
            o.remove("reason");
        }
        if let Some(d) = &self.details {
            s["details"] = d.clone();
        }
        s
    }
}

/// A `Status` of success (deleting a collection, a finished watch).
pub fn success_status(details: Option<Value>) -> Value {
    let mut s = json!({ "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success" });
    if let Some(d) = details {
        s["details"] = d;
    }
    s
}
