//! CustomResourceDefinition structural schemas: the checks a CRD's `openAPIV3Schema` must pass, and the
//! pruning, defaulting and validation of custom resources against it, behaving as the Kubernetes API
//! server does so that clients (kubectl) see the same outcomes and the same error text.
//!
//! Everything works on `serde_json::Value`s and walks the schema by reference; the only state kept
//! between calls is a cache of compiled `pattern`s.
//!
//! Supported keywords: `type` (with `nullable` and `x-kubernetes-int-or-string`), `properties`,
//! `additionalProperties`, `items`, `required`, `enum`, `format` (the formats the server validates:
//! `date-time`, `date`, `duration`, `byte`, `uuid*`, `ipv4`, `ipv6`, `cidr`, `mac`, `hostname`, `email`,
//! `uri`, ...; `int32`/`int64`/`float`/`double` ranges on numbers), `minimum`/`maximum` (and their
//! `exclusive*` flags), `multipleOf`, `minLength`/`maxLength`, `pattern`, `minItems`/`maxItems`,
//! `uniqueItems`, `minProperties`/`maxProperties`, `allOf`/`anyOf`/`oneOf`/`not`, `default`,
//! `x-kubernetes-preserve-unknown-fields`, `x-kubernetes-embedded-resource` (nested `apiVersion`/`kind`),
//! and `x-kubernetes-list-type: set|map` with `x-kubernetes-list-map-keys`.
//!
//! Not done here: `x-kubernetes-validations` rules are not evaluated (there is no CEL engine; only their
//! static shape is checked on CRDs), validation ratcheting on updates, the status-subresource limits on
//! root keywords, and `metadata` of the resource or of embedded resources (the server handles
//! ObjectMeta itself).

mod crd_rules;
mod defaults;
mod formats;
pub(crate) mod gofmt;
mod listtype;
mod netformats;
mod node;
mod numbers;
mod prune;
mod regexes;
mod report;
mod structural;
mod validate;

#[cfg(test)]
mod corpus_tests;
#[cfg(test)]
mod tests;

use std::fmt;

use serde_json::Value;

use node::Node;

/// One reason a custom resource is invalid, as carried in a `Status`'s `details.causes`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cause {
    /// A `metav1.CauseType`: `FieldValueRequired`, `FieldValueInvalid`, `FieldValueNotSupported`,
    /// `FieldValueTypeInvalid`, `FieldValueTooLong`, `FieldValueTooMany`, `FieldValueDuplicate`, ...
    pub reason: &'static str,
    /// The field path, e.g. `spec.replicas` or `spec.strategy.canary.steps[0].setWeight`; `<nil>` for
    /// errors the server reports without a field (failed `anyOf`, out-of-range numbers).
    pub field: String,
    /// The error without the field, e.g. `Invalid value: "string": spec.replicas in body must be of type
    /// integer: "string"`.
    pub message: String,
}

impl fmt::Display for Cause {
    /// The line the API server prints for this cause: `field: message`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// The path the API server reports schema problems under when every version shares one schema.
pub const SCHEMA_PATH: &str = "spec.validation.openAPIV3Schema";

/// The problems that make the API server refuse a CRD with this `openAPIV3Schema` (answered with 422), as
/// `path: message` lines under [`SCHEMA_PATH`]; empty when the schema is acceptable.
pub fn check_structural(schema: &Value) -> Vec<String> {
    check_structural_at(schema, SCHEMA_PATH)
}

/// [`check_structural`] with problems reported under `path` (for versions with their own schemas the
/// server uses `spec.versions[i].schema.openAPIV3Schema`).
pub fn check_structural_at(schema: &Value, path: &str) -> Vec<String> {
    if !schema.is_object() {
        return vec![report::invalid(
            path,
            &gofmt::GoVal::from_json(schema),
            "must be an object",
        )];
    }
    let mut out = Vec::new();
    if Node(schema).nullable() {
        out.push(report::forbidden(
            &format!("{path}.nullable"),
            "nullable cannot be true at the root",
        ));
    }
    let unreadable = structural::unreadable(schema);
    if unreadable.is_none() {
        let problems = structural::check(schema, path);
        if problems.is_empty() {
            out.extend(crd_rules::check_defaults(schema, path));
        } else {
            out.extend(problems);
        }
    }
    out.extend(crd_rules::check(schema, path));
    if let Some(reason) = unreadable
        && out.is_empty()
    {
        out.push(report::invalid(path, &gofmt::GoVal::Str(String::new()), &reason));
    }
    out
}

/// Drops the fields of `obj` (a whole custom resource) that `schema` does not specify, except under
/// `x-kubernetes-preserve-unknown-fields`; `apiVersion`, `kind` and `metadata` of the resource and of
/// embedded resources are left alone. Also drops `null`s of fields that are neither nullable nor
/// defaulted. The server does this to every request body and stored object.
pub fn prune(obj: &mut Value, schema: &Value) {
    prune::prune_unknown(obj, Some(Node(schema)), true, &mut prune::Tracker::new(false));
    prune::prune_nulls(obj, Some(Node(schema)));
}

/// [`prune`], returning the sorted paths of the dropped unknown fields (`spec.foo`, `spec.steps[0].bar`),
/// which the server reports for `fieldValidation=Warn|Strict`.
#[cfg(test)]
pub fn prune_and_report(obj: &mut Value, schema: &Value) -> Vec<String> {
    let mut tracker = prune::Tracker::new(true);
    prune::prune_unknown(obj, Some(Node(schema)), true, &mut tracker);
    prune::prune_nulls(obj, Some(Node(schema)));
    let mut found = tracker.found;
    found.sort();
    found
}

/// Applies `schema`'s `default`s to `obj`: absent fields, and `null`s of non-nullable fields, get their
/// default, recursively (into array items and `additionalProperties` values too), as the server does on
/// decoding a request and on reading from storage.
pub fn apply_defaults(obj: &mut Value, schema: &Value) {
    defaults::default_value(obj, Node(schema));
}

/// Validates a whole custom resource against `schema`, returning what the API server would report (in its
/// order): the OpenAPI checks, nested embedded-resource `apiVersion`/`kind`, then duplicates in set and
/// map lists. `x-kubernetes-validations` (CEL) rules are not evaluated.
pub fn validate(obj: &Value, schema: &Value) -> Vec<Cause> {
    let s = Node(schema);
    let mut causes = validate::validate_value(s, obj, "", validate::Mode::default()).into_causes(None);
    causes.extend(listtype::check_embedded(obj, s));
    causes.extend(listtype::check_lists(obj, s));
    causes
}

/// What the server does with a create or update body: prune, default, then validate.
#[cfg(test)]
pub fn process(obj: &mut Value, schema: &Value) -> Vec<Cause> {
    prune(obj, schema);
    apply_defaults(obj, schema);
    validate(obj, schema)
}
