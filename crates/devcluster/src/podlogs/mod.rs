//! Pod logs: what `kubectl logs` shows for the dev cluster's pods, which run no processes.
//!
//! A pod's log is written by the dev cluster itself: the kubelet's transitions (container started,
//! ready, exited, restarted — [`lines::transition`]) and, once the data plane answers requests, one line
//! per answer in the demo image's format (`200 - yellow`). Each pod keeps its last [`LINES_PER_POD`] lines
//! in memory (logs do not survive a restart of the dev cluster, as a real node's do not survive the
//! node); followers get new lines as they are appended.

pub mod lines;
mod store;

pub use store::{LINES_PER_POD, LogLine, LogQuery, PodLogs};
