//! Everything the commands share to talk to the API server: the connection built from kubectl's flags,
//! handles on the kinds they read and write, the merge patches they send, and the one-line errors they
//! print.

mod connection;
mod errors;
pub mod patch;
pub mod resources;

pub use connection::{Connection, KubeOptions, parse_request_timeout};
pub use errors::{error_line, is_conflict, is_not_found};
