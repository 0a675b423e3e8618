//! Small metadata helpers shared by the gatherers.

use jiff::Timestamp;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use rollouts_api::well_known::annotations;

/// Whether one of the owner references names one of `uids`; returns the matched uid.
pub(crate) fn owned_by<'a>(meta: &ObjectMeta, uids: &'a [String]) -> Option<&'a str> {
    meta.owner_references
        .iter()
        .flatten()
        .find_map(|r| uids.iter().find(|u| **u == r.uid).map(String::as_str))
}

/// The `rollout.argoproj.io/revision` annotation as a number, 0 when absent or not a number.
pub(crate) fn revision(meta: &ObjectMeta) -> i64 {
    annotation(meta, annotations::REVISION)
        .and_then(|v| v.parse::<i32>().ok())
        .map_or(0, i64::from)
}

/// One annotation's value.
pub(crate) fn annotation<'a>(meta: &'a ObjectMeta, key: &str) -> Option<&'a str> {
    meta.annotations.as_ref().and_then(|a| a.get(key)).map(String::as_str)
}

/// The creation time.
pub(crate) fn created(meta: &ObjectMeta) -> Option<Timestamp> {
    meta.creation_timestamp.as_ref().map(|t| t.0)
}
