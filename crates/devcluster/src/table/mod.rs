//! Server-side `meta.k8s.io/v1` `Table` responses — what `kubectl get` asks for and renders —
//! built like kube-apiserver builds them: the built-in printers, CRD printer columns, and the
//! default `Name`/`Created At` table for everything else.

pub mod age;
mod basic;
mod builtin;
mod columns;
mod custom;
mod events;
mod fields;
mod hpa;
mod network;
mod pod;
mod workloads;

#[cfg(test)]
mod tests;

pub use builtin::{BuiltinKind, builtin_spec};
pub use custom::PrinterColumn;
#[cfg(test)]
pub use custom::columns_for_crd_version;

use jiff::Timestamp;
use serde_json::{Map, Value, json};

/// A column header as the `Table` carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnDefinition {
    /// Header text (`kubectl` upper-cases it).
    pub name: String,
    /// OpenAPI type of the cells (`string`, `integer`, `date`, ...).
    pub type_: String,
    /// `name` for the column holding the object name, otherwise usually empty.
    pub format: String,
    /// What the column shows.
    pub description: String,
    /// 0 for default columns; higher ones only show with `-o wide`.
    pub priority: i64,
}

impl ColumnDefinition {
    fn to_json(&self) -> Value {
        json!({
            "name": self.name,
            "type": self.type_,
            "format": self.format,
            "description": self.description,
            "priority": self.priority,
        })
    }
}

/// Which columns and cells a resource's table has.
#[derive(Debug, Clone, PartialEq)]
pub enum TableSpec {
    /// A custom resource: `Name`, then the CRD version's printer columns (see
    /// [`columns_for_crd_version`], which supplies the default `Age` column when none are declared).
    Custom(Vec<PrinterColumn>),
    /// A built-in kind with a kube-apiserver printer.
    Builtin(BuiltinKind),
    /// The default table: `Name` and `Created At` (an RFC 3339 timestamp).
    Default,
}

impl TableSpec {
    /// The column definitions, in order.
    pub fn column_definitions(&self) -> Vec<ColumnDefinition> {
        match self {
            Self::Custom(cols) => {
                let mut defs = vec![columns::name_column()];
                defs.extend(cols.iter().map(PrinterColumn::definition));
                defs
            }
            Self::Builtin(kind) => columns::for_kind(*kind),
            Self::Default => columns::default_columns(),
        }
    }

    fn row(&self, obj: &Value, now: Timestamp) -> Row {
        match self {
            Self::Custom(cols) => custom::row(cols, obj, now),
            Self::Builtin(kind) => kind.row(obj, now),
            Self::Default => {
                let created = age::timestamp_of(obj.pointer("/metadata/creationTimestamp"));
                let created = created.map_or_else(|| "0001-01-01T00:00:00Z".to_string(), age::rfc3339);
                Row {
                    cells: vec![fields::name(obj), Value::from(created)],
                    conditions: Vec::new(),
                }
            }
        }
    }
}

/// What each row carries in `object`, as `?includeObject=` asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IncludeObject {
    /// No object (`null`).
    None,
    /// A `PartialObjectMetadata` with the object's metadata: the default, and what kubectl uses.
    #[default]
    Metadata,
    /// The whole object.
    Object,
}

impl IncludeObject {
    /// Parses the query parameter (empty means `Metadata`); the error is the 400 message.
    #[cfg(test)]
    pub fn parse(value: &str) -> Result<Self, String> {
        match value {
            "" | "Metadata" => Ok(Self::Metadata),
            "None" => Ok(Self::None),
            "Object" => Ok(Self::Object),
            other => Err(format!("unrecognized includeObject value: \"{other}\"")),
        }
    }
}

/// One table row before serialization.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Row {
    pub cells: Vec<Value>,
    /// Row conditions (`Completed` for finished pods).
    pub conditions: Vec<Value>,
}

/// The object's metadata as a `PartialObjectMetadata`, as kube-apiserver returns by default.
fn partial_metadata(obj: &Value) -> Value {
    let mut metadata = obj
        .get("metadata")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    // Go serializes a zero creation time as an explicit null.
    metadata.entry("creationTimestamp").or_insert(Value::Null);
    json!({"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": metadata})
}

/// Builds a `meta.k8s.io/v1` `Table` of `objects` (a list response, or one object for a GET).
///
/// `resource_version` and `continue_token` fill the table's list metadata; `now` is the
/// reference for ages. Every column is filled, wide ones included: `kubectl` hides columns with
/// priority > 0 itself unless `-o wide` is given.
pub fn to_table(
    spec: &TableSpec,
    objects: &[Value],
    include_object: IncludeObject,
    now: Timestamp,
    resource_version: &str,
    continue_token: Option<&str>,
) -> Value {
    let mut metadata = Map::new();
    if !resource_version.is_empty() {
        metadata.insert("resourceVersion".into(), Value::from(resource_version));
    }
    if let Some(token) = continue_token.filter(|t| !t.is_empty()) {
        metadata.insert("continue".into(), Value::from(token));
    }
    let rows: Vec<Value> = objects
        .iter()
        .map(|obj| {
            let row = spec.row(obj, now);
            let mut out = Map::new();
            out.insert("cells".into(), Value::Array(row.cells));
            if !row.conditions.is_empty() {
                out.insert("conditions".into(), Value::Array(row.conditions));
            }
            let object = match include_object {
                IncludeObject::None => Value::Null,
                IncludeObject::Metadata => partial_metadata(obj),
                IncludeObject::Object => obj.clone(),
            };
            out.insert("object".into(), object);
            Value::Object(out)
        })
        .collect();
    // The default convertor appends to a nil slice, so an empty result serializes as null.
    let rows = if rows.is_empty() && *spec == TableSpec::Default {
        Value::Null
    } else {
        Value::Array(rows)
    };
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": metadata,
        "columnDefinitions": spec.column_definitions().iter().map(ColumnDefinition::to_json).collect::<Vec<_>>(),
        "rows": rows,
    })
}
