//! Reconciles that run long. One that passes the slow threshold is logged with its object's key and
//! counted (a counter, and a gauge of those running long right now), so that a stuck reconcile can
//! never again be silent; one that reaches the time limit is cut off and retried with backoff, so that
//! it cannot hold one of the controller's workers for good. Cutting a reconcile off is as safe as a
//! controller crash at that point: every reconcile plans again from what the caches hold.

use std::fmt::Display;
use std::future::Future;
use std::time::Duration;

use crate::runtime::kind::ControllerKind;
use crate::runtime::metrics::Metrics;

/// When a reconcile counts as slow, and when it is cut off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Logged and counted from here on.
    pub slow: Duration,
    /// Cut off here.
    pub limit: Duration,
}

/// The reconcile reached its time limit and was cut off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimedOut(pub Duration);

/// Runs `reconcile` of `key` (an object of `controller`'s kind) under `limits`.
pub async fn within_limits<T>(
    reconcile: impl Future<Output = T>,
    limits: Limits,
    controller: ControllerKind,
    key: &(dyn Display + Sync),
    metrics: &Metrics,
) -> Result<T, TimedOut> {
    tokio::pin!(reconcile);
    if let Ok(done) = tokio::time::timeout(limits.slow, &mut reconcile).await {
        return Ok(done);
    }
    tracing::warn!(
        object = %key,
        controller = controller.label(),
        after = ?limits.slow,
        "a reconcile is taking long"
    );
    let _running = metrics.slow_reconcile_started(controller);
    let rest = limits.limit.saturating_sub(limits.slow);
    match tokio::time::timeout(rest, reconcile).await {
        Ok(done) => {
            tracing::info!(object = %key, controller = controller.label(), "the slow reconcile has ended");
            Ok(done)
        }
        Err(_) => {
            tracing::warn!(
                object = %key,
                controller = controller.label(),
                limit = ?limits.limit,
                "a reconcile reached its time limit and was cut off; it will be retried"
            );
            metrics.slow_reconcile_timed_out(controller);
            Err(TimedOut(limits.limit))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits {
        slow: Duration::from_millis(100),
        limit: Duration::from_millis(600),
    };

    #[tokio::test]
    async fn a_quick_reconcile_is_not_counted() {
        let metrics = Metrics::new();
        let out = within_limits(async { 7 }, LIMITS, ControllerKind::Rollout, &"ns/web", &metrics).await;
        assert_eq!(out, Ok(7));
        assert_eq!(metrics.slow_reconciles(ControllerKind::Rollout), (0, 0, 0));
    }

    #[tokio::test]
    async fn a_slow_reconcile_is_counted_while_it_runs_and_after() {
        let metrics = Metrics::new();
        let task = {
            let metrics = metrics.clone();
            tokio::spawn(async move {
                let slow = tokio::time::sleep(Duration::from_millis(300));
                within_limits(slow, LIMITS, ControllerKind::Rollout, &"ns/web", &metrics).await
            })
        };
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(
            metrics.slow_reconciles(ControllerKind::Rollout),
            (1, 1, 0),
            "slow, running"
        );
        assert_eq!(metrics.slow_reconciles(ControllerKind::AnalysisRun), (0, 0, 0));
        assert_eq!(task.await.unwrap(), Ok(()));
        assert_eq!(
            metrics.slow_reconciles(ControllerKind::Rollout),
            (1, 0, 0),
            "no longer running"
        );
    }

    #[tokio::test]
    async fn a_stuck_reconcile_is_cut_off_at_the_limit() {
        let metrics = Metrics::new();
        let stuck = std::future::pending::<()>();
        let out = within_limits(stuck, LIMITS, ControllerKind::AnalysisRun, &"ns/run", &metrics).await;
        assert_eq!(out, Err(TimedOut(Duration::from_millis(600))));
        assert_eq!(metrics.slow_reconciles(ControllerKind::AnalysisRun), (1, 0, 1));
        let text = metrics.render();
        assert!(
            text.contains("controller_reconcile_slow_total{controller=\"analysisrun\"} 1\n"),
            "{text}"
        );
        assert!(
            text.contains("controller_reconcile_timeout_total{controller=\"analysisrun\"} 1\n"),
            "{text}"
        );
    }
}
