//! OpenAPI v3 documents, enough for kubectl: it learns from them that the server validates fields
//! itself (`fieldValidation` on PATCH), and `kubectl explain` reads the custom resources' schemas.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use serde_json::{Map, Value, json};

use crate::registry::{Registry, ResourceType};

fn gv_path(group: &str, version: &str) -> String {
    if group.is_empty() {
        format!("api/{version}")
    } else {
        format!("apis/{group}/{version}")
    }
}

/// The component name Kubernetes gives a kind's schema: the group reversed, e.g. `io.argoproj.v1alpha1.Rollout`.
fn schema_name(rt: &ResourceType) -> String {
    let group: Vec<&str> = if rt.group.is_empty() {
        vec!["core"]
    } else {
        rt.group.split('.').rev().collect()
    };
    format!("{}.{}.{}", group.join("."), rt.version, rt.kind)
}

fn gvk(rt: &ResourceType) -> Value {
    json!({ "group": rt.group, "version": rt.version, "kind": rt.kind })
}

fn query_param(name: &str) -> Value {
    json!({ "name": name, "in": "query", "schema": { "type": "string", "uniqueItems": true } })
}

fn operation(rt: &ResourceType, id: &str, params: &[&str]) -> Value {
    json!({
        "operationId": format!("{id}{}", rt.kind),
        "x-kubernetes-group-version-kind": gvk(rt),
        "parameters": params.iter().map(|p| query_param(p)).collect::<Vec<_>>(),
        "responses": { "200": { "description": "OK" } },
    })
}

fn paths_for(rt: &ResourceType, paths: &mut Map<String, Value>) {
    let base = format!("/{}", gv_path(&rt.group, &rt.version));
    let collection = if rt.namespaced {
        format!("{base}/namespaces/{{namespace}}/{}", rt.plural)
    } else {
        format!("{base}/{}", rt.plural)
    };
    let write = ["dryRun", "fieldManager", "fieldValidation"];
    paths.insert(
        collection.clone(),
        json!({
            "get": operation(rt, "list", &["labelSelector", "fieldSelector", "limit", "continue", "watch"]),
            "post": operation(rt, "create", &write),
        }),
    );
    paths.insert(
        format!("{collection}/{{name}}"),
        json!({
            "get": operation(rt, "read", &[]),
            "put": operation(rt, "replace", &write),
            "patch": operation(rt, "patch", &["dryRun", "fieldManager", "fieldValidation", "force"]),
            "delete": operation(rt, "delete", &["dryRun", "propagationPolicy", "gracePeriodSeconds"]),
        }),
    );
}

const OBJECT_META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

/// Rewrites JSON Schema `$defs` references into OpenAPI component references.
fn rewrite_refs(v: &mut Value) {
    match v {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get_mut("$ref")
                && let Some(name) = r.strip_prefix("#/$defs/")
            {
                *r = format!("#/components/schemas/{}", component_name(name));
            }
            map.values_mut().for_each(rewrite_refs);
        }
        Value::Array(items) => items.iter_mut().for_each(rewrite_refs),
        _ => {}
    }
}

/// Kubernetes' component names for the meta types the schema generator names by their Rust name.
fn component_name(def: &str) -> String {
    format!("io.k8s.apimachinery.pkg.apis.meta.v1.{def}")
}

/// `ObjectMeta` and the types it uses, as OpenAPI components (so `kubectl explain <kind>.metadata`
/// works for custom resources, whose schemas leave metadata open).
fn object_meta_components(schemas: &mut Map<String, Value>) {
    let root = schemars::schema_for!(k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta);
    let mut root = serde_json::to_value(root).unwrap_or_default();
    let defs = root.as_object_mut().and_then(|o| o.remove("$defs"));
    if let Some(o) = root.as_object_mut() {
        o.remove("$schema");
        o.remove("title");
    }
    rewrite_refs(&mut root);
    schemas.insert(OBJECT_META.to_string(), root);
    if let Some(Value::Object(defs)) = defs {
        for (name, mut schema) in defs {
            rewrite_refs(&mut schema);
            schemas.entry(component_name(&name)).or_insert(schema);
        }
    }
}

/// The OpenAPI v3 document of one group/version, if it is served.
pub fn group_version_doc(registry: &Registry, group: &str, version: &str) -> Option<Value> {
    let types = registry.in_group_version(group, version);
    if types.is_empty() {
        return None;
    }
    let mut paths = Map::new();
    let mut schemas = Map::new();
    for t in &types {
        paths_for(t, &mut paths);
        let mut schema = t.schema().cloned().unwrap_or_else(|| json!({ "type": "object" }));
        if let Some(o) = schema.as_object_mut() {
            o.insert("x-kubernetes-group-version-kind".into(), json!([gvk(t)]));
            if t.is_custom()
                && let Some(props) = o.get_mut("properties").and_then(Value::as_object_mut)
            {
                props.insert(
                    "metadata".into(),
                    json!({ "allOf": [{ "$ref": format!("#/components/schemas/{OBJECT_META}") }],
                            "description": "Standard object's metadata." }),
                );
            }
        }
        schemas.insert(schema_name(t), schema);
    }
    if types.iter().any(|t| t.is_custom()) {
        object_meta_components(&mut schemas);
    }
    Some(json!({
        "openapi": "3.0.0",
        "info": { "title": "Kubernetes", "version": format!("v{}.{}.0", super::discovery::KUBE_MAJOR, super::discovery::KUBE_MINOR) },
        "paths": paths,
        "components": { "schemas": schemas },
    }))
}

/// The content type kubectl asks `/openapi/v2` for (the v2 document in protobuf).
pub const V2_CONTENT_TYPE: &str = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

fn hash_of(v: &Value) -> String {
    let mut h = DefaultHasher::new();
    v.to_string().hash(&mut h);
    format!("{:016X}", h.finish())
}

/// `/openapi/v3`: where each group/version's document is, with a hash that changes with its content.
pub fn root(registry: &Registry) -> Value {
    let mut paths = Map::new();
    for (group, version) in registry.group_versions() {
        if let Some(doc) = group_version_doc(registry, &group, &version) {
            let path = gv_path(&group, &version);
            paths.insert(
                path.clone(),
                json!({ "serverRelativeURL": format!("/openapi/v3/{path}?hash={}", hash_of(&doc)) }),
            );
        }
    }
    json!({ "paths": paths })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_operations_declare_field_validation_for_their_kind() {
        let registry = Registry::with_builtins();
        let doc = group_version_doc(&registry, "apps", "v1").unwrap();
        let patch = &doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"];
        assert_eq!(patch["x-kubernetes-group-version-kind"]["kind"], "Deployment");
        assert!(
            patch["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["name"] == "fieldValidation" && p["in"] == "query")
        );
        let root = root(&registry);
        assert!(
            root["paths"]["api/v1"]["serverRelativeURL"]
                .as_str()
                .unwrap()
                .starts_with("/openapi/v3/api/v1?hash=")
        );
    }
}
