//! What `kubectl argo rollouts get` shows, gathered from already-fetched objects by pure functions:
//! a Rollout (or Experiment) with the ReplicaSets, Pods, AnalysisRuns and Experiments it owns,
//! grouped by revision, each with a status, an icon and an age.

pub mod age;
mod analysis;
mod experiment;
mod images;
mod owner;
pub mod phase;
mod pod;
mod replicaset;
mod rollout;

pub use experiment::experiment_info;
pub use images::{ImageInfo, experiment_images, images};
pub use rollout::{current_set_weight, rollout_info};

/// Status icon: waiting (Pending).
pub const ICON_WAITING: &str = "◷";
/// Status icon: in progress.
pub const ICON_PROGRESSING: &str = "◌";
/// Status icon: a warning or an error.
pub const ICON_WARNING: &str = "⚠";
/// Status icon: unknown or inconclusive.
pub const ICON_UNKNOWN: &str = "?";
/// Status icon: healthy, running or successful.
pub const ICON_OK: &str = "✔";
/// Status icon: degraded or failed.
pub const ICON_BAD: &str = "✖";
/// Status icon: paused.
pub const ICON_PAUSED: &str = "॥";
/// Status icon: scaled down.
pub const ICON_NEUTRAL: &str = "•";
/// The icon of a status without one.
pub const ICON_NONE: &str = " ";

/// Tag of the canary ReplicaSet.
pub const TAG_CANARY: &str = "canary";
/// Tag of the stable ReplicaSet.
pub const TAG_STABLE: &str = "stable";
/// Tag of the ReplicaSet behind the active Service (blue-green).
pub const TAG_ACTIVE: &str = "active";
/// Tag of the ReplicaSet behind the preview Service (blue-green).
pub const TAG_PREVIEW: &str = "preview";
/// Tag of the ReplicaSet behind the ping Service (canary ping-pong).
pub const TAG_PING: &str = "ping";
/// Tag of the ReplicaSet behind the pong Service (canary ping-pong).
pub const TAG_PONG: &str = "pong";

/// Everything `get rollout` prints about one Rollout.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RolloutInfo {
    /// Rollout name.
    pub name: String,
    /// Rollout namespace.
    pub namespace: String,
    /// Age of the Rollout (`7d`).
    pub age: String,
    /// Phase (`Healthy`, `Progressing`, `Paused`, `Degraded`).
    pub status: String,
    /// Phase message, empty when there is none.
    pub message: String,
    /// Icon of the phase.
    pub icon: &'static str,
    /// `Canary`, `BlueGreen`, or empty.
    pub strategy: String,
    /// `currentStepIndex/steps`, or empty (canary only).
    pub step: String,
    /// Desired canary weight (canary only).
    pub set_weight: String,
    /// Observed canary weight (canary only).
    pub actual_weight: String,
    /// `spec.replicas` (1 when unset).
    pub desired: i32,
    /// `status.replicas`.
    pub current: i32,
    /// `status.updatedReplicas`.
    pub updated: i32,
    /// `status.readyReplicas`.
    pub ready: i32,
    /// `status.availableReplicas`.
    pub available: i32,
    /// Owned ReplicaSets, newest revision first.
    pub replica_sets: Vec<ReplicaSetInfo>,
    /// Owned Experiments, newest revision first.
    pub experiments: Vec<ExperimentInfo>,
    /// Owned AnalysisRuns, newest revision first.
    pub analysis_runs: Vec<AnalysisRunInfo>,
}

impl RolloutInfo {
    /// Revisions of the owned ReplicaSets, Experiments and AnalysisRuns, highest first, once each.
    pub fn revisions(&self) -> Vec<i64> {
        let mut revs: Vec<i64> = self
            .replica_sets
            .iter()
            .map(|r| r.revision)
            .chain(self.experiments.iter().map(|e| e.revision))
            .chain(self.analysis_runs.iter().map(|a| a.revision))
            .collect();
        revs.sort_unstable_by(|a, b| b.cmp(a));
        revs.dedup();
        revs
    }
}

/// One ReplicaSet and its pods.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReplicaSetInfo {
    /// ReplicaSet name.
    pub name: String,
    /// Object uid (pods are matched to it by owner reference).
    pub uid: String,
    /// Age (`7d`).
    pub age: String,
    /// `Healthy`, `Progressing`, `ReplicaFailure` or `ScaledDown`.
    pub status: String,
    /// Icon of the status.
    pub icon: &'static str,
    /// `rollout.argoproj.io/revision`, 0 when absent.
    pub revision: i64,
    /// `status.replicas`.
    pub replicas: i32,
    /// `status.availableReplicas`.
    pub available: i32,
    /// Experiment template name, for ReplicaSets of an Experiment.
    pub template: String,
    /// Scale-down delay: empty, `passed`, or the time left (`3h59m`).
    pub scale_down_delay: String,
    /// Whether this is the stable ReplicaSet.
    pub stable: bool,
    /// Whether this is the canary ReplicaSet.
    pub canary: bool,
    /// Whether the active Service selects it.
    pub active: bool,
    /// Whether the preview Service selects it.
    pub preview: bool,
    /// Whether the ping Service selects it.
    pub ping: bool,
    /// Whether the pong Service selects it.
    pub pong: bool,
    /// Container images of its pod template.
    pub images: Vec<String>,
    /// Pods, oldest first.
    pub pods: Vec<PodInfo>,
}

/// One pod.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PodInfo {
    /// Pod name.
    pub name: String,
    /// Age (`7d`).
    pub age: String,
    /// Status as `kubectl get pods` shows it (`Running`, `ImagePullBackOff`, `Init:0/1`, ...).
    pub status: String,
    /// Icon of the status.
    pub icon: &'static str,
    /// `ready/total` containers.
    pub ready: String,
    /// Container restarts.
    pub restarts: i32,
}

/// One AnalysisRun.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AnalysisRunInfo {
    /// AnalysisRun name.
    pub name: String,
    /// Age (`7d`).
    pub age: String,
    /// Phase (`Running`, `Successful`, ...).
    pub status: String,
    /// Icon of the phase.
    pub icon: &'static str,
    /// `rollout.argoproj.io/revision`, 0 when absent.
    pub revision: i64,
    /// Successful measurements, over all metrics.
    pub successful: i32,
    /// Failed measurements, over all metrics.
    pub failed: i32,
    /// Inconclusive measurements, over all metrics.
    pub inconclusive: i32,
    /// Errored measurements, over all metrics.
    pub error: i32,
    /// Jobs started by job metrics, in measurement order.
    pub jobs: Vec<JobInfo>,
}

/// One Job started by a job metric.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct JobInfo {
    /// Job name.
    pub name: String,
    /// Age, from the measurement's start (`7d`).
    pub age: String,
    /// Measurement phase.
    pub status: String,
    /// Icon of the phase.
    pub icon: &'static str,
}

/// One Experiment with its ReplicaSets and AnalysisRuns.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExperimentInfo {
    /// Experiment name.
    pub name: String,
    /// Experiment namespace.
    pub namespace: String,
    /// Age (`7d`).
    pub age: String,
    /// Phase (`Running`, `Successful`, ...).
    pub status: String,
    /// Status message, empty when there is none.
    pub message: String,
    /// Icon of the phase.
    pub icon: &'static str,
    /// `rollout.argoproj.io/revision`, 0 when absent.
    pub revision: i64,
    /// Owned ReplicaSets.
    pub replica_sets: Vec<ReplicaSetInfo>,
    /// Owned AnalysisRuns.
    pub analysis_runs: Vec<AnalysisRunInfo>,
}

/// Icon of an AnalysisRun, Experiment or measurement phase.
pub fn analysis_icon(phase: &str) -> &'static str {
    match phase {
        "Successful" => ICON_OK,
        "Inconclusive" => ICON_UNKNOWN,
        "Failed" => ICON_BAD,
        "Error" => ICON_WARNING,
        "Running" => ICON_PROGRESSING,
        "Pending" => ICON_WAITING,
        _ => ICON_NONE,
    }
}

/// Icon of a Rollout phase.
pub fn rollout_icon(status: &str) -> &'static str {
    match status {
        "Progressing" => ICON_PROGRESSING,
        "Error" | "InvalidSpec" => ICON_WARNING,
        "Paused" => ICON_PAUSED,
        "Healthy" => ICON_OK,
        "Degraded" => ICON_BAD,
        "Unknown" => ICON_UNKNOWN,
        "ScaledDown" => ICON_NEUTRAL,
        _ => ICON_NONE,
    }
}
