//! Printers for the simple core kinds: Namespace, ConfigMap, Secret, ServiceAccount, Lease and
//! PodDisruptionBudget.

use jiff::Timestamp;
use serde_json::Value;

use super::Row;
use super::fields::{age_cell, array_at, int_at, int_or_string, map_len, name, str_at};

fn row(cells: Vec<Value>) -> Row {
    Row {
        cells,
        conditions: Vec::new(),
    }
}

/// NAME, STATUS, AGE.
pub(crate) fn namespace(ns: &Value, now: Timestamp) -> Row {
    row(vec![
        name(ns),
        Value::from(str_at(ns, "/status/phase")),
        age_cell(ns, now),
    ])
}

/// NAME, DATA (entries in `data` and `binaryData`), AGE.
pub(crate) fn config_map(cm: &Value, now: Timestamp) -> Row {
    row(vec![
        name(cm),
        Value::from(map_len(cm, "/data") + map_len(cm, "/binaryData")),
        age_cell(cm, now),
    ])
}

/// NAME, TYPE, DATA, AGE.
pub(crate) fn secret(secret: &Value, now: Timestamp) -> Row {
    row(vec![
        name(secret),
        Value::from(str_at(secret, "/type")),
        Value::from(map_len(secret, "/data")),
        age_cell(secret, now),
    ])
}

/// NAME, SECRETS, AGE.
pub(crate) fn service_account(sa: &Value, now: Timestamp) -> Row {
    row(vec![
        name(sa),
        Value::from(array_at(sa, "/secrets").len() as i64),
        age_cell(sa, now),
    ])
}

/// NAME, HOLDER, AGE.
pub(crate) fn lease(lease: &Value, now: Timestamp) -> Row {
    row(vec![
        name(lease),
        Value::from(str_at(lease, "/spec/holderIdentity")),
        age_cell(lease, now),
    ])
}

/// NAME, MIN AVAILABLE, MAX UNAVAILABLE, ALLOWED DISRUPTIONS, AGE.
pub(crate) fn pod_disruption_budget(pdb: &Value, now: Timestamp) -> Row {
    let bound = |pointer: &str| match pdb.pointer(pointer) {
        None | Some(Value::Null) => "N/A".to_string(),
        Some(v) => int_or_string(v),
    };
    row(vec![
        name(pdb),
        Value::from(bound("/spec/minAvailable")),
        Value::from(bound("/spec/maxUnavailable")),
        Value::from(int_at(pdb, "/status/disruptionsAllowed")),
        age_cell(pdb, now),
    ])
}
