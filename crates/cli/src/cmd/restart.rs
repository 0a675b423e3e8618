//! `kubectl argo rollouts restart ROLLOUT_NAME [-i/--in DURATION]`: asks for the rollout's pods to be
//! restarted now, or after a delay, by setting `spec.restartAt`.

use anyhow::anyhow;
use jiff::{SignedDuration, Timestamp};
use rollouts_api::Rollout;

use crate::client::Connection;
use crate::client::patch::{merge_patch, name_of};
use crate::client::resources::untyped;

/// Restart the pods of a rollout
#[derive(Clone, Debug, clap::Args)]
pub struct RestartArgs {
    /// Name of the rollout
    #[arg(value_name = "ROLLOUT")]
    pub name: String,
    /// Amount of time before a restart. (e.g. 30s, 5m, 1h)
    #[arg(short = 'i', long = "in")]
    pub delay: Option<String>,
}

/// The `spec.restartAt` value for `now` plus `delay`: RFC 3339 in UTC, whole seconds.
pub fn restart_at(now: Timestamp, delay: std::time::Duration) -> anyhow::Result<String> {
    let delay = SignedDuration::try_from(delay).map_err(|e| anyhow!("{e}"))?;
    let at = now.checked_add(delay).map_err(|e| anyhow!("{e}"))?;
    Ok(at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
}

/// The merge patch sent to the Rollout.
pub fn restart_patch(at: &str) -> String {
    serde_json::json!({"spec": {"restartAt": at}}).to_string()
}

/// Sets `spec.restartAt` to now plus `--in` and prints `rollout '<name>' restarts in <in>` (`0s`
/// without `--in`).
pub async fn run(conn: &Connection, args: &RestartArgs, out: &mut impl std::io::Write) -> anyhow::Result<()> {
    let (name, delay) = (args.name.as_str(), args.delay.as_deref());
    let duration = match delay {
        Some(text) => rollouts_api::duration::parse(text)?,
        None => std::time::Duration::ZERO,
    };
    let at = restart_at(Timestamp::now(), duration)?;
    let ro = merge_patch(&untyped::<Rollout>(conn), name, &restart_patch(&at)).await?;
    writeln!(
        out,
        "rollout '{}' restarts in {}",
        name_of(&ro, name),
        delay.unwrap_or("0s")
    )?;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn restart_time_is_whole_seconds_in_utc() {
        let now: Timestamp = "2026-01-02T03:04:05.678Z".parse().unwrap();
        assert_eq!(
            restart_at(now, std::time::Duration::from_secs(90)).unwrap(),
            "2026-01-02T03:05:35Z"
        );
        assert_eq!(
            restart_patch("2026-01-02T03:05:35Z"),
            r#"{"spec":{"restartAt":"2026-01-02T03:05:35Z"}}"#
        );
    }
}
