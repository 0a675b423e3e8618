//! Tables for custom resources, from a CRD version's `additionalPrinterColumns`, with the cell
//! conversions of apiextensions-apiserver's table convertor.

use jiff::Timestamp;
use serde_json::Value;

use super::age;
use super::{ColumnDefinition, Row};
use rollouts_compat::jsonpath::{self, JsonPath, JsonPathError, format_value};

/// One printer column of a custom resource.
#[derive(Debug, Clone, PartialEq)]
pub struct PrinterColumn {
    /// Header (`Desired`).
    pub name: String,
    /// OpenAPI type: `integer`, `number`, `string`, `boolean` or `date`.
    pub type_: String,
    /// OpenAPI format, often empty.
    pub format: String,
    /// The column's description (a generated one when the CRD gives none).
    pub description: String,
    /// 0 for default columns, higher for `-o wide` only.
    pub priority: i64,
    /// The JSONPath as written in the CRD (`.spec.replicas`).
    pub json_path: String,
    path: JsonPath,
}

impl PrinterColumn {
    /// A column from a `{name, type, format, description, priority, jsonPath}` entry.
    pub fn from_crd_column(column: &Value) -> Result<Self, JsonPathError> {
        let text = |key: &str| column.get(key).and_then(Value::as_str).unwrap_or_default().to_string();
        let json_path = text("jsonPath");
        let mut col = Self::new(&text("name"), &text("type"), &json_path)?;
        col.format = text("format");
        col.priority = column.get("priority").and_then(Value::as_i64).unwrap_or(0);
        let description = text("description");
        if !description.is_empty() {
            col.description = description;
        }
        Ok(col)
    }

    /// A column reading `json_path` (a path like `.status.phase`), rendered as `type_`.
    pub fn new(name: &str, type_: &str, json_path: &str) -> Result<Self, JsonPathError> {
        let path = jsonpath::parse(&format!("{{{json_path}}}"))
            .map_err(|_| JsonPathError::new(format!("unrecognized column definition \"{json_path}\"")))?;
        Ok(Self {
            name: name.to_string(),
            type_: type_.to_string(),
            format: String::new(),
            description: format!("Custom resource definition column (in JSONPath format): {json_path}"),
            priority: 0,
            json_path: json_path.to_string(),
            path,
        })
    }

    /// The `Age` column served when a CRD version declares no printer columns.
    #[cfg(test)]
    pub fn default_age() -> Self {
        Self {
            name: "Age".to_string(),
            type_: "date".to_string(),
            format: String::new(),
            description: super::columns::CREATED_DESC.to_string(),
            priority: 0,
            json_path: ".metadata.creationTimestamp".to_string(),
            path: JsonPath::fields(&["metadata", "creationTimestamp"]),
        }
    }

    pub(crate) fn definition(&self) -> ColumnDefinition {
        ColumnDefinition {
            name: self.name.clone(),
            type_: self.type_.clone(),
            format: self.format.clone(),
            description: self.description.clone(),
            priority: self.priority,
        }
    }

    /// This column's cell for `obj`: JSON null when the path selects nothing.
    pub fn cell(&self, obj: &Value, now: Timestamp) -> Value {
        match self.path.find(obj).first() {
            Some(value) => cell_for(&self.type_, value, now),
            None => Value::Null,
        }
    }
}

/// Converts the first selected value to the column's type, as kube-apiserver does.
fn cell_for(type_: &str, value: &Value, now: Timestamp) -> Value {
    match (type_, value) {
        // A string column prints whatever it finds; a JSON null prints as Go's "<no value>".
        ("string", Value::Null) => Value::from("<no value>"),
        ("string", v) => Value::from(format_value(v)),
        (_, Value::Null) => Value::Null,
        ("integer", Value::Number(n)) => match n.as_i64() {
            Some(i) => Value::from(i),
            None => Value::from(n.as_f64().map_or(0, |f| f as i64)),
        },
        ("number", Value::Number(n)) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => Value::from(f as i64),
            Some(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
            None => Value::Null,
        },
        ("boolean", Value::Bool(b)) => Value::Bool(*b),
        ("date", Value::String(s)) => {
            if s.is_empty() || s == "null" {
                return Value::from("<unknown>");
            }
            match age::parse_timestamp(s) {
                Some(ts) if age::is_zero(ts) => Value::from("<unknown>"),
                Some(ts) => Value::from(age::human_duration(age::nanos_between(ts, now))),
                None => Value::from("<invalid>"),
            }
        }
        _ => Value::Null,
    }
}

/// The printer columns of a CRD version (an entry of `spec.versions`), as kube-apiserver serves
/// them: a version declaring none gets the default `Age` column, and the list stops at the first
/// column whose JSONPath does not parse.
#[cfg(test)]
pub fn columns_for_crd_version(version: &Value) -> Vec<PrinterColumn> {
    let declared = version
        .get("additionalPrinterColumns")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    if declared.is_empty() {
        return vec![PrinterColumn::default_age()];
    }
    let mut out = Vec::new();
    for column in declared {
        match PrinterColumn::from_crd_column(column) {
            Ok(c) => out.push(c),
            Err(_) => break,
        }
    }
    out
}

/// The row for one custom resource: its name, then one cell per column.
pub(crate) fn row(columns: &[PrinterColumn], obj: &Value, now: Timestamp) -> Row {
    let mut cells = vec![Value::from(
        obj.pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or_default(),
    )];
    cells.extend(columns.iter().map(|c| c.cell(obj, now)));
    Row {
        cells,
        conditions: Vec::new(),
    }
}
