//! Leader election on a `coordination.k8s.io/v1` Lease, as upstream's controller runs it through
//! client-go: the lease `argo-rollouts-controller-lock` (`-<instance id>` appended with
//! `--instance-id`) in the controller's namespace, 15 s lease, 10 s renew deadline, 2 s retry period.
//! Only the leader runs the controllers; a leader that cannot renew in time stops them, and one that
//! stops on request gives the lease up for a follower to take at once.
//!
//! Written here on the Lease API (reads, and replaces guarded by the resourceVersion read) rather than
//! with the `kube-lease-manager` crate, although its 0.13 builds against the kube 5 / k8s-openapi 0.29
//! pinned here, because it does not give the guarantees the controller relies on: its leader has no
//! renew deadline (while renewals fail it goes on believing it leads after the lease has expired and
//! a follower has taken it, so two controllers would write), followers sleep until the lease's expiry
//! instead of retrying every retry period (a released lease waits up to the whole duration), it takes
//! over an expired lease by comparing the holder's `renewTime` with the local clock (clock skew
//! between nodes decides who leads), and its durations are whole seconds. kube-rs itself offers no
//! elector. The algorithm is client-go's, so controllers of either kind share a lease correctly.

mod elector;
mod lock;
mod record;

use std::time::Duration;

pub use elector::Elector;

/// The lease upstream's controller elects its leader on.
pub const LEASE_NAME: &str = "argo-rollouts-controller-lock";

/// How the controller elects its leader (upstream's `--leader-election-*` flags).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The namespace of the Lease: the controller's own.
    pub namespace: String,
    /// The Lease's name ([`lease_name`]).
    pub lease_name: String,
    /// This candidate's name in the lease, unique among candidates ([`identity`]).
    pub identity: String,
    /// How long a holder's claim stands after the record last changed (`--leader-election-lease-duration`).
    pub lease_duration: Duration,
    /// How long the leader keeps trying to renew before it stops leading (`--leader-election-renew-deadline`).
    pub renew_deadline: Duration,
    /// How long candidates wait between tries (`--leader-election-retry-period`).
    pub retry_period: Duration,
}

/// Why the leader election settings cannot work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    /// A duration is zero.
    #[error("--leader-election-{0} must be greater than zero")]
    Zero(&'static str),
    /// The leader could still believe it leads after a follower took the lease over.
    #[error(
        "--leader-election-lease-duration ({lease:?}) must be greater than --leader-election-renew-deadline ({renew:?})"
    )]
    RenewNotBeforeExpiry {
        /// The lease duration.
        lease: Duration,
        /// The renew deadline.
        renew: Duration,
    },
    /// The leader would not get a second try at renewing before it gives up.
    #[error(
        "--leader-election-renew-deadline ({renew:?}) must be greater than 1.2 × --leader-election-retry-period ({retry:?})"
    )]
    RetryNotBeforeDeadline {
        /// The renew deadline.
        renew: Duration,
        /// The retry period.
        retry: Duration,
    },
}

impl Settings {
    /// Upstream's defaults for the lease of `instance_id` in `namespace`, with a fresh identity.
    pub fn new(namespace: impl Into<String>, instance_id: &str) -> Self {
        Self {
            namespace: namespace.into(),
            lease_name: lease_name(instance_id),
            identity: identity(),
            lease_duration: Duration::from_secs(15),
            renew_deadline: Duration::from_secs(10),
            retry_period: Duration::from_secs(2),
        }
    }

    /// Checks the durations as client-go does before it starts an elector.
    pub fn validate(&self) -> Result<(), SettingsError> {
        for (name, value) in [
            ("lease-duration", self.lease_duration),
            ("renew-deadline", self.renew_deadline),
            ("retry-period", self.retry_period),
        ] {
            if value.is_zero() {
                return Err(SettingsError::Zero(name));
            }
        }
        if self.lease_duration <= self.renew_deadline {
            return Err(SettingsError::RenewNotBeforeExpiry {
                lease: self.lease_duration,
                renew: self.renew_deadline,
            });
        }
        if self.renew_deadline <= self.retry_period.mul_f64(1.2) {
            return Err(SettingsError::RetryNotBeforeDeadline {
                renew: self.renew_deadline,
                retry: self.retry_period,
            });
        }
        Ok(())
    }
}

/// The Lease's name: upstream's, with `-<instance id>` when there is one, so that controllers of
/// different instances each elect their own leader.
pub fn lease_name(instance_id: &str) -> String {
    if instance_id.is_empty() {
        LEASE_NAME.to_string()
    } else {
        format!("{LEASE_NAME}-{instance_id}")
    }
}

/// A candidate's name as upstream makes it: the host name (the pod's name in a cluster), `_`, and a
/// random UUID so that two processes on one host never share it.
pub fn identity() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "rollouts-controller".to_string());
    format!("{host}_{}", random_uuid())
}

/// A version 4 UUID.
fn random_uuid() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        // No OS randomness: the clock still tells apart processes started at different moments.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos();
        bytes = (nanos ^ u128::from(std::process::id())).to_le_bytes();
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lease_is_named_as_upstream_names_it() {
        assert_eq!(lease_name(""), "argo-rollouts-controller-lock");
        assert_eq!(lease_name("blue"), "argo-rollouts-controller-lock-blue");
    }

    #[test]
    fn defaults_are_upstream_s_and_valid() {
        let settings = Settings::new("argo-rollouts", "");
        assert_eq!(settings.lease_duration, Duration::from_secs(15));
        assert_eq!(settings.renew_deadline, Duration::from_secs(10));
        assert_eq!(settings.retry_period, Duration::from_secs(2));
        assert_eq!(settings.validate(), Ok(()));
    }

    #[test]
    fn durations_that_could_elect_two_leaders_are_refused() {
        let with = |lease, renew, retry| Settings {
            lease_duration: Duration::from_millis(lease),
            renew_deadline: Duration::from_millis(renew),
            retry_period: Duration::from_millis(retry),
            ..Settings::new("ns", "")
        };
        assert_eq!(with(0, 10, 2).validate(), Err(SettingsError::Zero("lease-duration")));
        assert!(matches!(
            with(10_000, 10_000, 2000).validate(),
            Err(SettingsError::RenewNotBeforeExpiry { .. })
        ));
        let error = with(15_000, 2400, 2000).validate().unwrap_err();
        assert_eq!(
            error.to_string(),
            "--leader-election-renew-deadline (2.4s) must be greater than 1.2 × --leader-election-retry-period (2s)"
        );
        assert_eq!(with(3000, 2000, 500).validate(), Ok(()));
    }

    #[test]
    fn identities_are_unique_and_name_the_host() {
        let (a, b) = (identity(), identity());
        assert_ne!(a, b);
        let (host, uuid) = a.rsplit_once('_').unwrap();
        assert!(!host.is_empty());
        assert_eq!(uuid.len(), 36);
        assert_eq!(&uuid[14..15], "4", "a version 4 UUID: {uuid}");
    }
}
