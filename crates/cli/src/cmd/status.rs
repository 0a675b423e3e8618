//! `kubectl argo rollouts status ROLLOUT_NAME [--watch[=false]] [-t DURATION]`: the phase of a rollout,
//! once or (by default) each time it changes until it is `Healthy` or `Degraded`.

use std::time::Duration;

use anyhow::bail;
use futures::StreamExt;
use kube::runtime::{WatchStreamExt, watcher};
use rollouts_api::{Rollout, RolloutPhase};

use crate::client::Connection;
use crate::client::resources::namespaced;
use crate::info::phase::get_rollout_phase;

/// The error when the watch ends before the rollout is healthy or degraded.
pub const WATCH_TIMEOUT: &str = "Rollout status watch exceeded timeout";

/// Show the status of a rollout
///
/// Watch rollout until it finishes or the timeout is exceeded. Returns success if
/// the rollout is healthy upon completion and an error otherwise.
#[derive(Clone, Debug, clap::Args)]
pub struct StatusArgs {
    /// Name of the rollout
    #[arg(value_name = "ROLLOUT_NAME")]
    pub name: String,
    /// Watch the status of the rollout until it's done
    #[arg(
        short = 'w',
        long,
        default_value_t = true,
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        action = clap::ArgAction::Set
    )]
    pub watch: bool,
    /// The length of time to watch before giving up. Non-zero values should contain a corresponding time
    /// unit (e.g. 1s, 2m, 3h). Zero means wait forever
    #[arg(short = 't', long, default_value = "0s", value_parser = parse_duration)]
    pub timeout: Duration,
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    rollouts_api::duration::parse(text).map_err(|e| e.to_string())
}

/// The line printed once with `--watch=false`: the bare phase when `Healthy` or `Degraded`, else
/// `<phase> - <message>` even when the message is empty.
pub fn once_line(phase: RolloutPhase, message: &str) -> String {
    match phase {
        RolloutPhase::Healthy | RolloutPhase::Degraded => phase.as_str().to_string(),
        _ => format!("{} - {message}", phase.as_str()),
    }
}

/// The line printed while watching: the phase, with ` - <message>` when there is a message.
pub fn watch_line(phase: RolloutPhase, message: &str) -> String {
    if message.is_empty() {
        phase.as_str().to_string()
    } else {
        format!("{} - {message}", phase.as_str())
    }
}

/// The command's outcome for the final phase: an error when degraded, or when watching ended
/// without the rollout becoming healthy.
pub fn outcome(phase: RolloutPhase, message: &str, watched: bool) -> anyhow::Result<()> {
    if phase == RolloutPhase::Degraded {
        bail!("The rollout is in a degraded state with message: {message}");
    }
    if watched && phase != RolloutPhase::Healthy {
        bail!(WATCH_TIMEOUT);
    }
    Ok(())
}

/// Runs the command, printing to `out`.
pub async fn run(conn: &Connection, args: &StatusArgs, out: &mut impl std::io::Write) -> anyhow::Result<()> {
    let name = args.name.as_str();
    let api = namespaced::<Rollout>(conn);
    let ro = api.get(name).await?;
    let (mut phase, mut message) = get_rollout_phase(&ro);
    if !args.watch {
        writeln!(out, "{}", once_line(phase, &message))?;
        out.flush()?;
        return outcome(phase, &message, false);
    }
    let config = watcher::Config::default().fields(&format!("metadata.name={name}"));
    let mut events = watcher(api, config).default_backoff().applied_objects().boxed();
    let deadline = async {
        match Some(args.timeout).filter(|t| !t.is_zero()) {
            Some(t) => tokio::time::sleep(t).await,
            None => std::future::pending().await,
        }
    };
    tokio::pin!(deadline);
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let mut previous = String::new();
    let mut show = |phase: RolloutPhase, message: &str, out: &mut dyn std::io::Write| -> std::io::Result<()> {
        let line = watch_line(phase, message);
        if line != previous {
            writeln!(out, "{line}")?;
            out.flush()?;
            previous = line;
        }
        Ok(())
    };
    show(phase, &message, out)?;
    while phase != RolloutPhase::Healthy && phase != RolloutPhase::Degraded {
        tokio::select! {
            () = &mut deadline => break,
            _ = &mut ctrl_c => break,
            event = events.next() => match event {
                Some(Ok(ro)) => {
                    (phase, message) = get_rollout_phase(&ro);
                    show(phase, &message, out)?;
                }
                Some(Err(_)) => {}
                None => break,
            },
        }
    }
    outcome(phase, &message, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_follow_the_watch_mode() {
        assert_eq!(once_line(RolloutPhase::Healthy, ""), "Healthy");
        assert_eq!(once_line(RolloutPhase::Degraded, "boom"), "Degraded");
        assert_eq!(once_line(RolloutPhase::Progressing, ""), "Progressing - ");
        assert_eq!(watch_line(RolloutPhase::Progressing, ""), "Progressing");
        assert_eq!(
            watch_line(RolloutPhase::Paused, "CanaryPauseStep"),
            "Paused - CanaryPauseStep"
        );
    }

    #[test]
    fn outcomes() {
        assert!(outcome(RolloutPhase::Healthy, "", true).is_ok());
        assert!(outcome(RolloutPhase::Paused, "x", false).is_ok());
        let degraded = outcome(RolloutPhase::Degraded, "boom", false).map_err(|e| e.to_string());
        assert_eq!(
            degraded,
            Err("The rollout is in a degraded state with message: boom".to_string())
        );
        let timeout = outcome(RolloutPhase::Progressing, "", true).map_err(|e| e.to_string());
        assert_eq!(timeout, Err(WATCH_TIMEOUT.to_string()));
    }
}
