//! Schema helpers for fields whose shape the API server must not prune or check.

use schemars::{Schema, SchemaGenerator, json_schema};

/// An object kept as-is by the API server: plugin configuration and plugin status are opaque to us.
pub fn preserve_unknown_fields(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "type": "object",
        "x-kubernetes-preserve-unknown-fields": true
    })
}
