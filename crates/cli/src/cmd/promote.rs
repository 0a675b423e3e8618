//! `kubectl argo rollouts promote ROLLOUT_NAME [--full]`: resumes a paused rollout, skips the running canary
//! step, or (with `--full`) requests a full promotion. The status patch goes to the status subresource first,
//! then the spec patch to the object; when the status subresource is not found the combined patch is sent.

use rollouts_api::{AnalysisPhase, Rollout};

use crate::client::patch::{merge_patch, merge_patch_status, name_of};
use crate::client::resources::{namespaced, untyped};
use crate::client::{Connection, is_not_found};

/// Error when both deprecated skip flags are given.
pub const USE_BOTH_SKIP_FLAGS_ERROR: &str = "Cannot use skip-current-step and skip-all-steps flags at the same time";
/// Error when skipping steps of a blue-green rollout.
pub const SKIP_FLAGS_WITH_BLUE_GREEN_ERROR: &str = "Cannot skip steps of a bluegreen rollout. Run without a flags";
/// Error when skipping steps of a canary rollout without steps.
pub const SKIP_FLAG_WITH_NO_STEP_CANARY_ERROR: &str = "Cannot skip steps of a rollout without steps";

const UNPAUSE: &str = r#"{"spec":{"paused":false}}"#;
const CLEAR_PAUSE_CONDITIONS: &str = r#"{"status":{"pauseConditions":null}}"#;
const UNPAUSE_AND_CLEAR_PAUSE_CONDITIONS: &str = r#"{"spec":{"paused":false},"status":{"pauseConditions":null}}"#;
const PROMOTE_FULL: &str = r#"{"status":{"promoteFull":true}}"#;
const UNPAUSE_AND_PROMOTE_FULL: &str = r#"{"spec":{"paused":false},"status":{"promoteFull":true}}"#;

fn set_current_step_index(index: i32) -> String {
    format!(r#"{{"status":{{"currentStepIndex":{index}}}}}"#)
}

fn clear_pause_conditions_and_controller_pause(index: i32) -> String {
    format!(r#"{{"status":{{"pauseConditions":null, "controllerPause":false, "currentStepIndex":{index}}}}}"#)
}

fn clear_pause_conditions_with_step(index: i32) -> String {
    format!(r#"{{"status":{{"pauseConditions":null, "currentStepIndex":{index}}}}}"#)
}

fn unpause_and_clear_pause_conditions_with_step(index: i32) -> String {
    format!(r#"{{"spec":{{"paused":false}},"status":{{"pauseConditions":null, "currentStepIndex":{index}}}}}"#)
}

/// Promote a rollout
///
/// Promotes a rollout paused at a canary step, or a paused blue-green pre-promotion.
/// To skip analysis, pauses and steps entirely, use '--full' to fully promote the rollout
#[derive(Clone, Debug, clap::Args)]
pub struct PromoteArgs {
    /// Name of the rollout
    #[arg(value_name = "ROLLOUT_NAME")]
    pub name: String,
    #[command(flatten)]
    pub flags: PromoteFlags,
}

/// What to skip or force.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::Args)]
pub struct PromoteFlags {
    /// Skip currently running canary step (deprecated: use without the flag instead ex: promote ROLLOUT_NAME)
    #[arg(short = 'c', long, hide = true)]
    pub skip_current_step: bool,
    /// Skip remaining steps (deprecated: use --full instead)
    #[arg(short = 'a', long, hide = true)]
    pub skip_all_steps: bool,
    /// Perform a full promotion, skipping analysis, pauses, and steps
    #[arg(long)]
    pub full: bool,
}

/// The patches of one promotion: `status` goes to the status subresource, `spec` to the object, and
/// `unified` replaces `spec` when the status subresource answers 404.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PromotePatches {
    /// Patch for the object (`spec.paused`), if any.
    pub spec: Option<String>,
    /// Patch for the status subresource, if any.
    pub status: Option<String>,
    /// Spec and status in one patch, for servers without the status subresource.
    pub unified: Option<String>,
}

fn canary_steps(ro: &Rollout) -> Option<usize> {
    let canary = ro.spec.strategy.as_ref()?.canary.as_ref()?;
    Some(canary.steps.as_ref().map_or(0, Vec::len))
}

/// The current canary step index (0 when unset), or `None` for a rollout without canary steps.
fn current_step_index(ro: &Rollout) -> Option<i32> {
    match canary_steps(ro) {
        Some(n) if n > 0 => Some(ro.status.as_ref().and_then(|s| s.current_step_index).unwrap_or(0)),
        _ => None,
    }
}

/// The current index plus one, capped at the number of steps.
fn next_step_index(ro: &Rollout) -> Option<i32> {
    let steps = i32::try_from(canary_steps(ro)?).unwrap_or(i32::MAX);
    current_step_index(ro).map(|index| if index < steps { index + 1 } else { index })
}

fn is_inconclusive(ro: &Rollout) -> bool {
    canary_steps(ro).is_some()
        && ro
            .status
            .as_ref()
            .and_then(|s| s.canary.as_ref())
            .and_then(|c| c.current_step_analysis_run_status.as_ref())
            .is_some_and(|run| run.status == AnalysisPhase::Inconclusive)
}

/// Refuses the deprecated skip flags where they make no sense.
pub fn validate(ro: &Rollout, flags: PromoteFlags) -> anyhow::Result<()> {
    if flags.skip_current_step || flags.skip_all_steps {
        let strategy = ro.spec.strategy.clone().unwrap_or_default();
        if strategy.blue_green.is_some() {
            anyhow::bail!(SKIP_FLAGS_WITH_BLUE_GREEN_ERROR);
        }
        if strategy.canary.is_some() && canary_steps(ro) == Some(0) {
            anyhow::bail!(SKIP_FLAG_WITH_NO_STEP_CANARY_ERROR);
        }
    }
    Ok(())
}

/// The patches upstream's plugin sends for `ro` and `flags`.
pub fn patches(ro: &Rollout, flags: PromoteFlags) -> PromotePatches {
    let mut p = PromotePatches::default();
    let paused = ro.spec.paused.unwrap_or(false);
    let status = ro.status.clone().unwrap_or_default();
    if flags.skip_current_step {
        if let Some(index) = next_step_index(ro) {
            p.status = Some(set_current_step_index(index));
            p.unified = p.status.clone();
        }
    } else if flags.skip_all_steps {
        let steps = i32::try_from(canary_steps(ro).unwrap_or(0)).unwrap_or(i32::MAX);
        p.status = Some(set_current_step_index(steps));
        p.unified = p.status.clone();
    } else if flags.full {
        if paused {
            p.spec = Some(UNPAUSE.into());
        }
        if status.current_pod_hash.unwrap_or_default() != status.stable_rs.unwrap_or_default() {
            p.status = Some(PROMOTE_FULL.into());
        }
        p.unified = Some(UNPAUSE_AND_PROMOTE_FULL.into());
    } else {
        p.unified = Some(UNPAUSE_AND_CLEAR_PAUSE_CONDITIONS.into());
        if paused {
            p.spec = Some(UNPAUSE.into());
        }
        let has_pause_conditions = status.pause_conditions.as_ref().is_some_and(|c| !c.is_empty());
        if is_inconclusive(ro) && has_pause_conditions && status.controller_pause.unwrap_or(false) {
            if let Some(index) = next_step_index(ro) {
                p.status = Some(clear_pause_conditions_and_controller_pause(index));
            }
        } else if has_pause_conditions {
            p.status = Some(CLEAR_PAUSE_CONDITIONS.into());
        } else if let Some(index) = next_step_index(ro) {
            p.status = Some(clear_pause_conditions_with_step(index));
            p.unified = Some(unpause_and_clear_pause_conditions_with_step(index));
        }
    }
    p
}

/// Promotes `name`, printing `rollout '<name>' promoted` (or `fully promoted` with `--full`).
pub async fn run(conn: &Connection, args: &PromoteArgs, out: &mut impl std::io::Write) -> anyhow::Result<()> {
    let (name, flags) = (args.name.as_str(), args.flags);
    if flags.skip_current_step && flags.skip_all_steps {
        anyhow::bail!(USE_BOTH_SKIP_FLAGS_ERROR);
    }
    let ro = namespaced::<Rollout>(conn).get(name).await?;
    validate(&ro, flags)?;
    let PromotePatches {
        mut spec,
        status,
        unified,
    } = patches(&ro, flags);
    let api = untyped::<Rollout>(conn);
    let mut promoted = name.to_string();
    if let Some(status) = status {
        match merge_patch_status(&api, name, &status).await {
            Ok(obj) => promoted = name_of(&obj, name),
            Err(e) if is_not_found(&e) => spec = unified,
            Err(e) => return Err(e.into()),
        }
    }
    if let Some(spec) = spec {
        promoted = name_of(&merge_patch(&api, name, &spec).await?, name);
    }
    if flags.full {
        writeln!(out, "rollout '{promoted}' fully promoted")?;
    } else {
        writeln!(out, "rollout '{promoted}' promoted")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn rollout(yaml_status: serde_json::Value, paused: bool, steps: Option<usize>, blue_green: bool) -> Rollout {
        let strategy = if blue_green {
            serde_json::json!({"blueGreen": {"activeService": "active"}})
        } else {
            let steps: Vec<_> = (0..steps.unwrap_or(0))
                .map(|_| serde_json::json!({"pause": {}}))
                .collect();
            serde_json::json!({"canary": {"steps": steps}})
        };
        serde_json::from_value(serde_json::json!({
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "Rollout",
            "metadata": {"name": "ro"},
            "spec": {"paused": paused, "strategy": strategy, "selector": {}, "template": {}},
            "status": yaml_status,
        }))
        .unwrap()
    }

    fn flags() -> PromoteFlags {
        PromoteFlags::default()
    }

    #[test]
    fn paused_by_controller_clears_pause_conditions() {
        let ro = rollout(
            serde_json::json!({"pauseConditions": [{"reason": "CanaryPauseStep", "startTime": "2026-01-01T00:00:00Z"}], "currentStepIndex": 1}),
            false,
            Some(3),
            false,
        );
        let p = patches(&ro, flags());
        assert_eq!(p.status.as_deref(), Some(r#"{"status":{"pauseConditions":null}}"#));
        assert_eq!(p.spec, None);
        assert_eq!(p.unified.as_deref(), Some(UNPAUSE_AND_CLEAR_PAUSE_CONDITIONS));
    }

    #[test]
    fn user_paused_is_unpaused() {
        let ro = rollout(
            serde_json::json!({"pauseConditions": [{"reason": "CanaryPauseStep", "startTime": "2026-01-01T00:00:00Z"}]}),
            true,
            Some(2),
            false,
        );
        let p = patches(&ro, flags());
        assert_eq!(p.spec.as_deref(), Some(r#"{"spec":{"paused":false}}"#));
        assert_eq!(p.status.as_deref(), Some(CLEAR_PAUSE_CONDITIONS));
    }

    #[test]
    fn running_canary_step_is_skipped_and_capped() {
        let ro = rollout(serde_json::json!({"currentStepIndex": 1}), false, Some(3), false);
        let p = patches(&ro, flags());
        assert_eq!(
            p.status.as_deref(),
            Some(r#"{"status":{"pauseConditions":null, "currentStepIndex":2}}"#)
        );
        assert_eq!(
            p.unified.as_deref(),
            Some(r#"{"spec":{"paused":false},"status":{"pauseConditions":null, "currentStepIndex":2}}"#)
        );
        let done = rollout(serde_json::json!({"currentStepIndex": 3}), false, Some(3), false);
        assert_eq!(
            patches(&done, flags()).status.as_deref(),
            Some(r#"{"status":{"pauseConditions":null, "currentStepIndex":3}}"#)
        );
        let unset = rollout(serde_json::json!({}), false, Some(3), false);
        assert_eq!(
            patches(&unset, flags()).status.as_deref(),
            Some(r#"{"status":{"pauseConditions":null, "currentStepIndex":1}}"#)
        );
    }

    #[test]
    fn inconclusive_step_analysis_clears_controller_pause() {
        let ro = rollout(
            serde_json::json!({
                "controllerPause": true,
                "currentStepIndex": 0,
                "pauseConditions": [{"reason": "InconclusiveAnalysisRun", "startTime": "2026-01-01T00:00:00Z"}],
                "canary": {"currentStepAnalysisRunStatus": {"name": "ar", "status": "Inconclusive"}},
            }),
            false,
            Some(2),
            false,
        );
        assert_eq!(
            patches(&ro, flags()).status.as_deref(),
            Some(r#"{"status":{"pauseConditions":null, "controllerPause":false, "currentStepIndex":1}}"#)
        );
    }

    #[test]
    fn blue_green_without_pause_sends_only_spec_patch_when_paused() {
        let ro = rollout(serde_json::json!({}), true, None, true);
        let p = patches(&ro, flags());
        assert_eq!(p.status, None);
        assert_eq!(p.spec.as_deref(), Some(UNPAUSE));
    }

    #[test]
    fn full_promotion_only_when_not_already_stable() {
        let ro = rollout(
            serde_json::json!({"currentPodHash": "b", "stableRS": "a"}),
            true,
            Some(2),
            false,
        );
        let full = PromoteFlags { full: true, ..flags() };
        let p = patches(&ro, full);
        assert_eq!(p.status.as_deref(), Some(r#"{"status":{"promoteFull":true}}"#));
        assert_eq!(p.spec.as_deref(), Some(UNPAUSE));
        assert_eq!(p.unified.as_deref(), Some(UNPAUSE_AND_PROMOTE_FULL));
        let stable = rollout(
            serde_json::json!({"currentPodHash": "a", "stableRS": "a"}),
            false,
            Some(2),
            false,
        );
        assert_eq!(patches(&stable, full).status, None);
    }

    #[test]
    fn deprecated_skip_flags() {
        let ro = rollout(serde_json::json!({"currentStepIndex": 1}), false, Some(4), false);
        let skip = PromoteFlags {
            skip_current_step: true,
            ..flags()
        };
        assert_eq!(
            patches(&ro, skip).status.as_deref(),
            Some(r#"{"status":{"currentStepIndex":2}}"#)
        );
        let all = PromoteFlags {
            skip_all_steps: true,
            ..flags()
        };
        assert_eq!(
            patches(&ro, all).status.as_deref(),
            Some(r#"{"status":{"currentStepIndex":4}}"#)
        );
        let bg = rollout(serde_json::json!({}), false, None, true);
        assert_eq!(
            validate(&bg, skip).unwrap_err().to_string(),
            SKIP_FLAGS_WITH_BLUE_GREEN_ERROR
        );
        let no_steps = rollout(serde_json::json!({}), false, Some(0), false);
        assert_eq!(
            validate(&no_steps, all).unwrap_err().to_string(),
            SKIP_FLAG_WITH_NO_STEP_CANARY_ERROR
        );
    }
}
