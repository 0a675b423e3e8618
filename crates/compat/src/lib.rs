//! Go and Kubernetes text formats that the API types, the dev cluster and the plugin must reproduce to the
//! letter: Go's string quoting and float forms, Go durations, Kubernetes' JSONPath and human-readable ages,
//! sorted-key JSON as Go marshals it, and the fields an object loses when re-encoded. No Kubernetes types:
//! only strings and `serde_json` values.

#![warn(missing_docs)]

pub mod age;
pub mod duration;
pub mod gofmt;
pub mod json;
pub mod jsonpath;
pub mod reencode;
