//! `Table` answers for `kubectl get`: columns from built-in printers or from CRD printer columns.

use std::sync::Arc;

use serde_json::Value;

use super::resources::Ctx;
use crate::registry::{Origin, ResourceType};
use crate::table::{IncludeObject, PrinterColumn, TableSpec, builtin_spec, to_table};

fn spec_for(rt: &ResourceType) -> TableSpec {
    match &rt.origin {
        Origin::Crd { printer_columns, .. } => TableSpec::Custom(
            printer_columns
                .iter()
                .filter_map(|c| PrinterColumn::from_crd_column(c).ok())
                .collect(),
        ),
        Origin::Builtin => builtin_spec(&rt.group, &rt.kind).unwrap_or_else(|| TableSpec::Custom(Vec::new())),
    }
}

fn include(ctx: &Ctx<'_>) -> IncludeObject {
    match ctx.query.get("includeObject") {
        Some("None") => IncludeObject::None,
        Some("Object") => IncludeObject::Object,
        _ => IncludeObject::Metadata,
    }
}

/// A Table of `objects`.
pub fn table(ctx: &Ctx<'_>, objects: &[Arc<Value>], resource_version: &str, next: Option<&str>) -> Value {
    let objects: Vec<Value> = objects.iter().map(|o| super::resources::present(&ctx.rt, o)).collect();
    to_table(
        &spec_for(&ctx.rt),
        &objects,
        include(ctx),
        jiff::Timestamp::now(),
        resource_version,
        next,
    )
}

/// Renders one object as a one-row Table, for watches of `kubectl get -w`.
pub fn row_renderer(ctx: &Ctx<'_>) -> impl Fn(&Value) -> Value + Send + 'static {
    let spec = spec_for(&ctx.rt);
    let include = include(ctx);
    let rt = ctx.rt.clone();
    move |obj: &Value| {
        let obj = &super::resources::present(&rt, obj);
        let rv = obj
            .pointer("/metadata/resourceVersion")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        to_table(
            &spec,
            std::slice::from_ref(obj),
            include,
            jiff::Timestamp::now(),
            &rv,
            None,
        )
    }
}
