//! What the planners' test worlds share: the clock moving on, and finding an object by name.

use jiff::{SignedDuration, Timestamp};
use k8s_openapi::Metadata;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

/// `now` moved on by `seconds`.
pub fn later(now: Timestamp, seconds: i64) -> Timestamp {
    now.checked_add(SignedDuration::from_secs(seconds))
        .unwrap_or_else(|e| panic!("the clock cannot move {seconds} s from {now}: {e}"))
}

/// Where the object named `name` is in `objects`; a test naming one that is not there fails.
pub fn index_of<K: Metadata<Ty = ObjectMeta>>(objects: &[K], name: &str) -> usize {
    objects
        .iter()
        .position(|o| o.metadata().name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("no {} {name}", K::KIND))
}
