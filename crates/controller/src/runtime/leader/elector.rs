//! The campaign for the lease, keeping it while leading, and giving it up.
//!
//! As client-go's elector: a candidate tries every retry period (with up to 1.2 × jitter) until it
//! holds the lease; the leader then renews every retry period, and gives up leading when it has not
//! managed to renew for the renew deadline (shorter than the lease duration, so that it stops before
//! any other candidate may take the lease over). Unlike upstream's controller, which leaves the lease to
//! expire, a leader that stops on request clears the holder; followers watch the lease (when allowed
//! to), so that one takes it over at once.

use std::future::Future;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use k8s_openapi::api::coordination::v1::LeaseSpec;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

use super::Settings;
use super::lock::{LeaseLock, LockError};
use super::record::{Decision, Observation, decide, holder, released};

/// A candidate for the lease.
pub struct Elector {
    lock: LeaseLock,
    settings: Settings,
    observed: Option<Observation>,
    /// The holder last reported, so that each change of leader is logged once.
    leader_seen: Option<String>,
    /// The last failure logged, so that a failure repeated every retry is logged once.
    failure_seen: Option<String>,
}

impl Elector {
    /// A candidate reading and writing the lease of `settings` with `client`.
    pub fn new(client: kube::Client, settings: Settings) -> Self {
        Self {
            lock: LeaseLock::new(client, &settings.namespace, &settings.lease_name),
            settings,
            observed: None,
            leader_seen: None,
            failure_seen: None,
        }
    }

    /// Tries until this candidate holds the lease; `None` if `shutdown` resolves first.
    pub async fn acquire(mut self, shutdown: impl Future<Output = ()>) -> Option<Leadership> {
        tracing::info!(
            lease = %self.lock.key(),
            identity = %self.settings.identity,
            "attempting to acquire the leader lease"
        );
        let acquired = tokio::select! {
            () = self.campaign() => true,
            () = shutdown => false,
        };
        if !acquired {
            return None;
        }
        tracing::info!(
            lease = %self.lock.key(),
            identity = %self.settings.identity,
            "became the leader"
        );
        Some(Leadership::keep(self))
    }

    /// Tries every retry period; and, unlike client-go, also as soon as the lease changes (a watch:
    /// a released lease is taken at once, and a renewal is seen when it happens rather than up to a
    /// retry period later) and at the moment the holder's claim lapses, so that a follower takes over
    /// a dead leader's lease one lease duration after its last renewal, not up to two retry periods
    /// after that.
    async fn campaign(&mut self) {
        let mut changes = Some(self.lock.changes());
        loop {
            if self.try_bounded(self.settings.renew_deadline).await {
                return;
            }
            let retry = Instant::now() + jittered(self.settings.retry_period);
            let wake = match &self.observed {
                Some(seen) if seen.valid_at(Instant::now()) => retry.min(seen.expiry()),
                _ => retry,
            };
            let changed = async {
                match changes.as_mut() {
                    Some(receiver) => receiver.changed().await.is_ok(),
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                () = tokio::time::sleep_until(wake.into()) => {}
                watching = changed => {
                    if !watching {
                        changes = None;
                    }
                }
            }
        }
    }

    /// One try, bounded by `bound`: whether this candidate holds the lease after it.
    async fn try_bounded(&mut self, bound: Duration) -> bool {
        match tokio::time::timeout(bound, self.try_acquire_or_renew()).await {
            Ok(Ok(held)) => {
                self.failure_seen = None;
                held
            }
            Ok(Err(LockError::Conflict)) => {
                tracing::debug!(lease = %self.lock.key(), "another candidate wrote the lease first");
                false
            }
            Ok(Err(LockError::Api(error))) => {
                self.failed(&error.to_string());
                false
            }
            Err(_) => {
                self.failed("the API server did not answer in time");
                false
            }
        }
    }

    fn failed(&mut self, message: &str) {
        if self.failure_seen.as_deref() != Some(message) {
            tracing::warn!(lease = %self.lock.key(), error = message, "reading or writing the leader lease");
            self.failure_seen = Some(message.to_string());
        }
    }

    async fn try_acquire_or_renew(&mut self) -> Result<bool, LockError> {
        let read = self.lock.get().await?;
        let no_record = LeaseSpec::default();
        let current = read.as_ref().map(|lease| lease.spec.as_ref().unwrap_or(&no_record));
        let now = Instant::now();
        let decision = decide(
            &self.settings.identity,
            self.settings.lease_duration,
            current,
            &mut self.observed,
            now,
            Timestamp::now(),
        );
        let written = match (decision, &read) {
            (Decision::Held { holder }, _) => {
                if self.leader_seen.as_deref() != Some(holder.as_str()) {
                    tracing::info!(lease = %self.lock.key(), leader = %holder, "new leader elected");
                    self.leader_seen = Some(holder);
                }
                return Ok(false);
            }
            (Decision::Create(spec), None) => self.lock.create(spec).await?,
            (Decision::Update(spec), Some(read)) => self.lock.update(read, spec).await?,
            // `decide` creates exactly when there is no Lease.
            (Decision::Create(_) | Decision::Update(_), _) => return Ok(false),
        };
        self.observed = Some(Observation {
            spec: written.spec.unwrap_or_default(),
            since: now,
        });
        self.leader_seen = Some(self.settings.identity.clone());
        Ok(true)
    }

    /// Gives the lease up if this candidate still holds it.
    async fn release(&mut self) -> Result<bool, LockError> {
        let Some(read) = self.lock.get().await? else {
            return Ok(false);
        };
        let spec = read.spec.clone().unwrap_or_default();
        if holder(&spec) != Some(self.settings.identity.as_str()) {
            return Ok(false);
        }
        self.lock.update(&read, released(&spec, Timestamp::now())).await?;
        Ok(true)
    }
}

/// How a leadership ended.
enum Ended {
    /// Stopped on request; the elector, to release the lease with.
    Stopped(Box<Elector>),
    /// The lease could not be renewed in time.
    Lost,
}

/// The lease held: renewed in the background until [`Leadership::release`], or lost.
pub struct Leadership {
    stop: oneshot::Sender<()>,
    lost: watch::Receiver<bool>,
    renewals: JoinHandle<Ended>,
    lease: String,
}

impl Leadership {
    fn keep(elector: Elector) -> Self {
        let (stop, stopped) = oneshot::channel();
        let (lost_sender, lost) = watch::channel(false);
        let lease = elector.lock.key();
        let renewals = tokio::spawn(renew(elector, stopped, lost_sender));
        Self {
            stop,
            lost,
            renewals,
            lease,
        }
    }

    /// Resolves once the lease is lost: the renewals failed for the renew deadline (or stopped
    /// unexpectedly).
    pub async fn lost(&mut self) {
        // An error means the renewals ended, which before `release` only happens when lost.
        let _ = self.lost.wait_for(|lost| *lost).await;
    }

    /// Stops renewing and clears the holder (when this candidate still holds the lease), so that a
    /// follower takes over at its next try.
    pub async fn release(self) {
        let _ = self.stop.send(());
        let Ok(Ended::Stopped(mut elector)) = self.renewals.await else {
            return;
        };
        let bound = elector.settings.renew_deadline;
        match tokio::time::timeout(bound, elector.release()).await {
            Ok(Ok(true)) => tracing::info!(lease = %self.lease, "released the leader lease"),
            Ok(Ok(false)) => tracing::info!(lease = %self.lease, "the leader lease was no longer held"),
            Ok(Err(error)) => tracing::warn!(lease = %self.lease, %error, "releasing the leader lease"),
            Err(_) => {
                tracing::warn!(lease = %self.lease, "releasing the leader lease: the API server did not answer in time");
            }
        }
    }
}

/// Renews every retry period; each renewal is retried every retry period until the renew deadline.
async fn renew(mut elector: Elector, mut stop: oneshot::Receiver<()>, lost: watch::Sender<bool>) -> Ended {
    let (retry, deadline) = (elector.settings.retry_period, elector.settings.renew_deadline);
    loop {
        tokio::select! {
            biased;
            _ = &mut stop => return Ended::Stopped(Box::new(elector)),
            () = tokio::time::sleep(retry) => {}
        }
        let give_up_at = Instant::now() + deadline;
        let renewing = async {
            loop {
                let left = give_up_at.saturating_duration_since(Instant::now());
                if elector.try_bounded(left).await {
                    return true;
                }
                if Instant::now() + retry >= give_up_at {
                    return false;
                }
                tokio::time::sleep(retry).await;
            }
        };
        let renewed = tokio::select! {
            biased;
            _ = &mut stop => None,
            renewed = renewing => Some(renewed),
        };
        match renewed {
            None => return Ended::Stopped(Box::new(elector)),
            Some(true) => {}
            Some(false) => {
                tracing::error!(
                    lease = %elector.lock.key(),
                    identity = %elector.settings.identity,
                    renew_deadline = ?deadline,
                    "stopped leading: the leader lease could not be renewed within the renew deadline"
                );
                let _ = lost.send(true);
                return Ended::Lost;
            }
        }
    }
}

/// `period` stretched by a random 0–120 %, as client-go's `wait.JitterUntil` with factor 1.2, so that
/// candidates started together do not try in lockstep.
fn jittered(period: Duration) -> Duration {
    let fraction = f64::from(getrandom::u32().unwrap_or(0)) / f64::from(u32::MAX);
    period.mul_f64(1.0 + 1.2 * fraction)
}
