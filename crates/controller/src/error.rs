//! Why the controller could not start, or stopped.

use std::net::SocketAddr;

/// Why the controller could not run.
#[derive(Debug, thiserror::Error)]
pub enum ControllerError {
    /// The metrics address could not be bound.
    #[error("serving metrics on {addr}: {source}")]
    MetricsBind {
        /// The address asked for.
        addr: SocketAddr,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The health address could not be bound.
    #[error("serving /healthz on {addr}: {source}")]
    HealthBind {
        /// The address asked for.
        addr: SocketAddr,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The leader election settings cannot work.
    #[error(transparent)]
    LeaderElection(#[from] crate::runtime::leader::SettingsError),
    /// This controller led and could not renew the lease in time: its controllers were stopped at once
    /// (another candidate may lead by now). Upstream's controller exits here too.
    #[error("lost the leader lease {lease}: stopped leading")]
    LeadershipLost {
        /// `namespace/name` of the Lease.
        lease: String,
    },
}
