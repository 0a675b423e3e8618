//! Rollout conditions (upstream `utils/conditions/conditions.go`): lookup, the set/remove rules, one
//! constructor per condition the controller writes, with upstream's exact reason and message, and the
//! progress-deadline check.

use jiff::{SignedDuration, Timestamp};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use rollouts_api::gofmt::go_quote;
use rollouts_api::rollout_status::RolloutCondition;
use rollouts_api::well_known::{condition_status, condition_types, messages, reasons};

/// The first condition of the given type (upstream `GetRolloutCondition`).
pub fn get_condition<'a>(conditions: &'a [RolloutCondition], type_: &str) -> Option<&'a RolloutCondition> {
    conditions.iter().find(|c| c.type_ == type_)
}

/// Upstream `SetRolloutCondition`: writes `new` unless a condition of its type already has the same
/// status and reason (then nothing changes, not even the message or lastUpdateTime — which is what keeps
/// status patches empty on a steady reconcile). When only the reason changes, the old
/// lastTransitionTime is kept. The written condition goes to the end of the list, after removing every
/// condition of its type. Returns whether anything changed.
pub fn set_condition(conditions: &mut Vec<RolloutCondition>, mut new: RolloutCondition) -> bool {
    if let Some(current) = get_condition(conditions, &new.type_) {
        if current.status == new.status && current.reason == new.reason {
            return false;
        }
        if current.status == new.status {
            new.last_transition_time = current.last_transition_time.clone();
        }
    }
    remove_condition(conditions, &new.type_);
    conditions.push(new);
    true
}

/// Removes every condition of the given type (upstream `RemoveRolloutCondition`).
pub fn remove_condition(conditions: &mut Vec<RolloutCondition>, type_: &str) {
    conditions.retain(|c| c.type_ != type_);
}

/// Upstream `NewRolloutCondition`: both timestamps set to `now`.
pub fn new_condition(
    type_: &str,
    status: &str,
    reason: &str,
    message: impl Into<String>,
    now: Timestamp,
) -> RolloutCondition {
    RolloutCondition {
        last_transition_time: Time(now),
        last_update_time: Time(now),
        message: message.into(),
        reason: reason.to_owned(),
        status: status.to_owned(),
        type_: type_.to_owned(),
    }
}

fn bool_status(value: bool) -> &'static str {
    if value {
        condition_status::TRUE
    } else {
        condition_status::FALSE
    }
}

fn progressing(status: &str, reason: &str, message: String, now: Timestamp) -> RolloutCondition {
    new_condition(condition_types::PROGRESSING, status, reason, message, now)
}

/// `Available`: whether the rollout has minimum availability (reason `AvailableReason` either way).
pub fn available(now: Timestamp, is_available: bool) -> RolloutCondition {
    let message = if is_available {
        messages::AVAILABLE
    } else {
        messages::NOT_AVAILABLE
    };
    new_condition(
        condition_types::AVAILABLE,
        bool_status(is_available),
        reasons::AVAILABLE,
        message,
        now,
    )
}

/// `Progressing` True `NewReplicaSetCreated`: the controller created the new ReplicaSet.
pub fn progressing_new_rs_created(rs_name: &str, now: Timestamp) -> RolloutCondition {
    let message = format!("Created new replica set {}", go_quote(rs_name));
    progressing(condition_status::TRUE, reasons::NEW_REPLICA_SET_CREATED, message, now)
}

/// `Progressing` True `FoundNewReplicaSet`: an existing ReplicaSet matches the template (written only
/// when there is no Progressing condition yet).
pub fn progressing_found_new_rs(rs_name: &str, now: Timestamp) -> RolloutCondition {
    let message = format!("Found new replica set {}", go_quote(rs_name));
    progressing(condition_status::TRUE, reasons::FOUND_NEW_REPLICA_SET, message, now)
}

/// `Progressing` True `ReplicaSetUpdated`, naming the new ReplicaSet.
pub fn progressing_rs_updated(rs_name: &str, now: Timestamp) -> RolloutCondition {
    let message = format!("ReplicaSet {} is progressing.", go_quote(rs_name));
    progressing(condition_status::TRUE, reasons::REPLICA_SET_UPDATED, message, now)
}

/// `Progressing` True `ReplicaSetUpdated`, naming the Rollout (used when there is no new ReplicaSet).
pub fn progressing_rollout_updated(rollout_name: &str, now: Timestamp) -> RolloutCondition {
    let message = format!("Rollout {} is progressing.", go_quote(rollout_name));
    progressing(condition_status::TRUE, reasons::REPLICA_SET_UPDATED, message, now)
}

/// `Progressing` True `ReplicaSetNotAvailable`: a fully promoted rollout lost availability; progress is
/// reset rather than the rollout being marked Degraded.
pub fn progressing_rs_not_available(now: Timestamp) -> RolloutCondition {
    let message = messages::NOT_AVAILABLE.to_owned();
    progressing(condition_status::TRUE, reasons::REPLICA_SET_NOT_AVAILABLE, message, now)
}

/// `Progressing` True `NewReplicaSetAvailable`: the update finished.
pub fn progressing_new_rs_available(rs_name: &str, now: Timestamp) -> RolloutCondition {
    let message = format!("ReplicaSet {} has successfully progressed.", go_quote(rs_name));
    progressing(condition_status::TRUE, reasons::NEW_REPLICA_SET_AVAILABLE, message, now)
}

/// `Progressing` False `ProgressDeadlineExceeded`, naming the new ReplicaSet (phase becomes Degraded).
pub fn progressing_rs_timed_out(rs_name: &str, now: Timestamp) -> RolloutCondition {
    let message = format!("ReplicaSet {} has timed out progressing.", go_quote(rs_name));
    progressing(
        condition_status::FALSE,
        reasons::PROGRESS_DEADLINE_EXCEEDED,
        message,
        now,
    )
}

/// `Progressing` False `ProgressDeadlineExceeded`, naming the Rollout (no new ReplicaSet).
pub fn progressing_rollout_timed_out(rollout_name: &str, now: Timestamp) -> RolloutCondition {
    let message = format!("Rollout {} has timed out progressing.", go_quote(rollout_name));
    progressing(
        condition_status::FALSE,
        reasons::PROGRESS_DEADLINE_EXCEEDED,
        message,
        now,
    )
}

/// `Progressing` False `RolloutAborted`: `Rollout aborted update to revision <N>`, followed by
/// `: <message>` when an abort message (failed analysis, experiment, …) is known.
pub fn progressing_aborted(revision: i64, message: &str, now: Timestamp) -> RolloutCondition {
    let mut text = format!("Rollout aborted update to revision {revision}");
    if !message.is_empty() {
        text = format!("{text}: {message}");
    }
    progressing(condition_status::FALSE, reasons::ROLLOUT_ABORTED, text, now)
}

/// `Progressing` Unknown `RolloutPaused`: stops the progress deadline from counting while paused.
pub fn progressing_paused(now: Timestamp) -> RolloutCondition {
    progressing(
        condition_status::UNKNOWN,
        reasons::ROLLOUT_PAUSED,
        messages::PAUSED.to_owned(),
        now,
    )
}

/// `Progressing` Unknown `RolloutResumed`: restarts the progress deadline after a pause.
pub fn progressing_resumed(now: Timestamp) -> RolloutCondition {
    progressing(
        condition_status::UNKNOWN,
        reasons::ROLLOUT_RESUMED,
        messages::RESUMED.to_owned(),
        now,
    )
}

/// `Progressing` Unknown `RolloutRetry`: `status.abort` was cleared while Progressing still says aborted.
pub fn progressing_retry(now: Timestamp) -> RolloutCondition {
    progressing(
        condition_status::UNKNOWN,
        reasons::ROLLOUT_RETRY,
        messages::RETRY.to_owned(),
        now,
    )
}

/// `Progressing` False `ReplicaSetCreateError`: creating the new ReplicaSet failed with `error`.
pub fn progressing_rs_create_error(rs_name: &str, error: &str, now: Timestamp) -> RolloutCondition {
    let message = format!("Failed to create new replica set {}: {error}", go_quote(rs_name));
    progressing(condition_status::FALSE, reasons::REPLICA_SET_CREATE_ERROR, message, now)
}

/// `Paused` True/False, reason `RolloutPaused`, message `Rollout is paused` either way (upstream).
pub fn paused(now: Timestamp, is_paused: bool) -> RolloutCondition {
    new_condition(
        condition_types::PAUSED,
        bool_status(is_paused),
        reasons::ROLLOUT_PAUSED,
        messages::PAUSED,
        now,
    )
}

/// `Healthy` True/False, reason `RolloutHealthy`.
pub fn healthy(now: Timestamp, is_healthy: bool) -> RolloutCondition {
    let message = if is_healthy {
        messages::HEALTHY
    } else {
        messages::NOT_HEALTHY
    };
    new_condition(
        condition_types::HEALTHY,
        bool_status(is_healthy),
        reasons::ROLLOUT_HEALTHY,
        message,
        now,
    )
}

/// `Completed` True/False; upstream uses `RolloutCompleted` as reason and message for both statuses.
pub fn completed(now: Timestamp, is_completed: bool) -> RolloutCondition {
    let status = bool_status(is_completed);
    new_condition(
        condition_types::COMPLETED,
        status,
        reasons::ROLLOUT_COMPLETED,
        messages::COMPLETED,
        now,
    )
}

/// `InvalidSpec` True, reason `InvalidSpec`; `message` is the full text, see [`invalid_spec_message`].
pub fn invalid_spec(message: &str, now: Timestamp) -> RolloutCondition {
    new_condition(
        condition_types::INVALID_SPEC,
        condition_status::TRUE,
        reasons::INVALID_SPEC,
        message,
        now,
    )
}

/// The InvalidSpec message: `The Rollout "<name>" is invalid: <field error>`.
pub fn invalid_spec_message(rollout_name: &str, field_error: &str) -> String {
    format!("The Rollout {} is invalid: {field_error}", go_quote(rollout_name))
}

/// Upstream `RolloutTimedOut`: no Progressing condition, or one saying `RolloutAborted` (an old abort
/// must not degrade a retried rollout) → false; `ProgressDeadlineExceeded` → true (stays timed out);
/// otherwise true iff `lastUpdateTime + progressDeadlineSeconds` is strictly before `now`.
///
/// Pass `progressing` from the *new* status. The caller decides whether to evaluate this at all
/// (not while paused, on an analysis/experiment step or waiting for a scale-down).
pub fn timed_out(progressing: Option<&RolloutCondition>, progress_deadline_seconds: i32, now: Timestamp) -> bool {
    let Some(cond) = progressing else {
        return false;
    };
    if cond.reason == reasons::ROLLOUT_ABORTED {
        return false;
    }
    if cond.reason == reasons::PROGRESS_DEADLINE_EXCEEDED {
        return true;
    }
    let deadline = SignedDuration::from_secs(i64::from(progress_deadline_seconds));
    // A deadline beyond the representable range is never reached.
    cond.last_update_time.0.checked_add(deadline).is_ok_and(|due| due < now)
}
