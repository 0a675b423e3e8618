//! Which controller a piece of the shared runtime works for: it picks the metrics series of each and
//! the words of its log lines.

/// The controllers of this crate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ControllerKind {
    /// The Rollout controller.
    Rollout = 0,
    /// The AnalysisRun controller.
    AnalysisRun = 1,
    /// The Service controller.
    Service = 2,
    /// The Experiment controller.
    Experiment = 3,
}

impl ControllerKind {
    /// Every controller, in the order of their index.
    pub(crate) const ALL: [ControllerKind; 4] = [
        ControllerKind::Rollout,
        ControllerKind::AnalysisRun,
        ControllerKind::Service,
        ControllerKind::Experiment,
    ];

    /// The `controller` label value of the metrics.
    pub fn label(self) -> &'static str {
        match self {
            ControllerKind::Rollout => "rollout",
            ControllerKind::AnalysisRun => "analysisrun",
            ControllerKind::Service => "service",
            ControllerKind::Experiment => "experiment",
        }
    }

    /// The kind of the objects it reconciles.
    pub const fn object_kind(self) -> &'static str {
        match self {
            ControllerKind::Rollout => "Rollout",
            ControllerKind::AnalysisRun => "AnalysisRun",
            ControllerKind::Service => "Service",
            ControllerKind::Experiment => "Experiment",
        }
    }

    /// The controller of objects of `kind`, if one of ours.
    pub(crate) fn of_object_kind(kind: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|controller| controller.object_kind() == kind)
    }

    /// What its log lines start with: the Rollout controller's have always gone without the kind.
    pub(crate) fn log_prefix(self) -> &'static str {
        match self {
            ControllerKind::Rollout => "",
            ControllerKind::AnalysisRun => "AnalysisRun ",
            ControllerKind::Service => "Service ",
            ControllerKind::Experiment => "Experiment ",
        }
    }

    /// The indefinite article of its object kind.
    pub(crate) fn article(self) -> &'static str {
        match self {
            ControllerKind::Rollout | ControllerKind::Service => "a",
            ControllerKind::AnalysisRun | ControllerKind::Experiment => "an",
        }
    }

    /// The index of its series in per-controller arrays.
    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

/// Logs at `level` with the object's key under the field its controller has always logged it as
/// (`rollout`, `run`, `service` or `experiment`); the rest is as for `tracing`'s macros.
macro_rules! log_object {
    ($level:ident, $controller:expr, $key:expr, $($rest:tt)+) => {
        match $controller {
            $crate::runtime::kind::ControllerKind::Rollout => tracing::$level!(rollout = %$key, $($rest)+),
            $crate::runtime::kind::ControllerKind::AnalysisRun => tracing::$level!(run = %$key, $($rest)+),
            $crate::runtime::kind::ControllerKind::Service => tracing::$level!(service = %$key, $($rest)+),
            $crate::runtime::kind::ControllerKind::Experiment => tracing::$level!(experiment = %$key, $($rest)+),
        }
    };
}

pub(crate) use log_object;
