//! Pause and abort bookkeeping for one reconcile (upstream `pauseContext`): steps of the reconcile ask
//! to add or remove pause conditions and the abort; the status is computed from them once, at the end.

use jiff::Timestamp;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use rollouts_api::rollout_status::{PauseCondition, RolloutStatus};
use rollouts_api::well_known::pause_reasons;

use super::context::Ctx;

/// What this reconcile decided about pausing and aborting.
#[derive(Debug, Clone, Default)]
pub struct PauseContext {
    /// The abort flag the reconcile started from (`status.abort`).
    pub was_aborted: bool,
    /// Pause reasons to add (when not present yet).
    pub add_reasons: Vec<String>,
    /// Pause reasons to remove.
    pub remove_reasons: Vec<String>,
    /// Drop every pause condition.
    pub clear: bool,
    /// Abort now (e.g. progress deadline with `progressDeadlineAbort`).
    pub add_abort: bool,
    /// Lift the abort (retry, new template, promotion).
    pub remove_abort: bool,
    /// Why the controller aborted, appended to the RolloutAborted message.
    pub abort_message: String,
}

impl PauseContext {
    /// Starts from the Rollout's status.
    pub fn new(status: &RolloutStatus) -> Self {
        Self {
            was_aborted: status.abort.unwrap_or(false),
            ..Default::default()
        }
    }

    /// Whether the rollout counts as aborted in this reconcile (upstream `IsAborted`).
    pub fn is_aborted(&self) -> bool {
        !self.remove_abort && (self.add_abort || self.was_aborted)
    }

    /// Aborts with a message.
    pub fn add_abort(&mut self, message: String) {
        self.add_abort = true;
        self.abort_message = message;
    }

    /// Writes `abort`, `abortedAt`, `pauseConditions` and `controllerPause` into `new` (upstream
    /// `CalculatePauseStatus`): an abort keeps its first timestamp and drops the pauses; otherwise the
    /// pause conditions are the old ones minus removals plus additions, and adding one sets
    /// `controllerPause`. With no pause condition left both fields stay unset.
    pub fn apply(&self, old: &RolloutStatus, new: &mut RolloutStatus, now: Timestamp) {
        if self.is_aborted() {
            new.abort = Some(true);
            new.aborted_at = Some(old.aborted_at.clone().unwrap_or(Time(now)));
            return;
        }
        new.abort = None;
        new.aborted_at = None;
        if self.clear {
            return;
        }
        let mut controller_pause = old.controller_pause.unwrap_or(false);
        let old_conditions = old.pause_conditions.as_deref().unwrap_or_default();
        let mut conditions: Vec<PauseCondition> = old_conditions
            .iter()
            .filter(|c| !self.remove_reasons.contains(&c.reason))
            .cloned()
            .collect();
        for reason in &self.add_reasons {
            if !old_conditions.iter().any(|c| &c.reason == reason) {
                conditions.push(PauseCondition {
                    reason: reason.clone(),
                    start_time: Time(whole_second_up(now)),
                });
                controller_pause = true;
            }
        }
        if conditions.is_empty() {
            return;
        }
        new.controller_pause = controller_pause.then_some(true);
        new.pause_conditions = Some(conditions);
    }
}

/// Upstream `haltProgress`: `spec.paused` or an inconclusive analysis stop all ReplicaSet scaling.
pub(super) fn halted(ctx: &Ctx<'_>) -> bool {
    ctx.spec().paused.unwrap_or(false)
        || ctx
            .old
            .pause_conditions
            .iter()
            .flatten()
            .any(|c| c.reason == pause_reasons::INCONCLUSIVE_ANALYSIS_RUN)
}

/// The pause condition with this reason in `status`, if any.
pub(super) fn pause_condition<'s>(status: &'s RolloutStatus, reason: &str) -> Option<&'s PauseCondition> {
    status.pause_conditions.iter().flatten().find(|c| c.reason == reason)
}

/// `now` rounded up to a whole second. Times are stored with one-second precision, so a pause start
/// written as `now` would read back up to a second early and a timed pause would end up to a second
/// short; rounded up, a pause of N seconds always lasts at least N seconds.
fn whole_second_up(now: Timestamp) -> Timestamp {
    let seconds = now.as_second();
    let rounded = if now.subsec_nanosecond() > 0 {
        seconds.saturating_add(1)
    } else {
        seconds
    };
    Timestamp::from_second(rounded).unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pause_starts_at_the_next_whole_second() {
        let t: Timestamp = "2026-01-01T00:00:10.200Z".parse().unwrap_or_default();
        assert_eq!(whole_second_up(t).to_string(), "2026-01-01T00:00:11Z");
        let whole: Timestamp = "2026-01-01T00:00:10Z".parse().unwrap_or_default();
        assert_eq!(whole_second_up(whole), whole);
    }
}
