//! The plain-number view of a canary Rollout and its ReplicaSets that the arithmetic works on.

use rollouts_api::RolloutSpec;
use rollouts_api::rollout_status::{RolloutStatus, TrafficWeights};

use super::desired_weight::CanaryProgress;

/// The replica counts of one ReplicaSet.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReplicaSetCounts {
    /// `spec.replicas`: the size the controller last asked for (the API server defaults it to 1).
    pub spec_replicas: i32,
    /// `status.replicas`: pods that currently exist.
    pub status_replicas: i32,
    /// `status.availableReplicas`: pods ready for at least `minReadySeconds`.
    pub available_replicas: i32,
}

impl ReplicaSetCounts {
    /// A ReplicaSet whose pods all exist and are available.
    pub fn settled(replicas: i32) -> Self {
        Self {
            spec_replicas: replicas,
            status_replicas: replicas,
            available_replicas: replicas,
        }
    }
}

/// The stable ReplicaSet as found from `status.stableRS`.
///
/// Upstream passes the new and the stable ReplicaSet as two pointers that may point at the same object;
/// some of its sums then count that ReplicaSet twice, so "same as new" has to stay distinguishable from
/// "none" to reproduce its numbers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum StableReplicaSet {
    /// No stable ReplicaSet: the first deploy, or the recorded one no longer exists.
    #[default]
    Missing,
    /// The stable ReplicaSet is the new one: there is no update in progress.
    SameAsNew,
    /// A stable ReplicaSet other than the new one.
    Separate(ReplicaSetCounts),
}

/// The ReplicaSets of one Rollout, by role.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReplicaSets {
    /// The ReplicaSet of the current pod template, when it exists yet.
    pub new: Option<ReplicaSetCounts>,
    /// The ReplicaSet recorded as stable.
    pub stable: StableReplicaSet,
    /// Every other ReplicaSet of the Rollout, scaled down or not.
    pub others: Vec<ReplicaSetCounts>,
}

impl ReplicaSets {
    /// The stable ReplicaSet as upstream's stable pointer sees it: the new one when they are the same.
    pub fn stable_view(&self) -> Option<ReplicaSetCounts> {
        match self.stable {
            StableReplicaSet::Missing => None,
            StableReplicaSet::SameAsNew => self.new,
            StableReplicaSet::Separate(counts) => Some(counts),
        }
    }

    /// The stable ReplicaSet only when it exists and differs from the new one (upstream
    /// `CheckStableRSExists`): only then is it scaled as a stable.
    pub fn separate_stable(&self) -> Option<ReplicaSetCounts> {
        match self.stable {
            StableReplicaSet::Separate(counts) => Some(counts),
            StableReplicaSet::Missing | StableReplicaSet::SameAsNew => None,
        }
    }
}

/// What the current step asks of the canary (upstream `GetCanaryReplicasOrWeight`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DesiredCanary {
    /// A weight out of the maximum weight, to be turned into pods.
    Weight(i32),
    /// An explicit canary size from `setCanaryScale.replicas`.
    Replicas(i32),
}

impl DesiredCanary {
    /// The weight the arithmetic uses: an explicit replica count carries weight 0, as upstream returns
    /// no weight alongside it (which matters for the dynamically scaled stable, sized from the weight).
    pub fn weight(self) -> i32 {
        match self {
            DesiredCanary::Weight(weight) => weight,
            DesiredCanary::Replicas(_) => 0,
        }
    }
}

/// Traffic weights as recorded in `status.canary.weights`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AppliedWeights {
    /// Weight sent to the canary.
    pub canary: i32,
    /// Weight sent to the stable.
    pub stable: i32,
}

impl From<&TrafficWeights> for AppliedWeights {
    fn from(weights: &TrafficWeights) -> Self {
        Self {
            canary: weights.canary.weight,
            stable: weights.stable.weight,
        }
    }
}

/// Settings of a canary that has a traffic router.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TrafficRouted {
    /// `minPodsPerReplicaSet`: a non-zero canary or stable size is raised to it (capped at `replicas`).
    pub min_pods_per_replica_set: Option<i32>,
    /// `dynamicStableScale`: the stable shrinks as traffic leaves it instead of staying at full size.
    pub dynamic_stable_scale: bool,
    /// The weights the routers were given. Upstream sizes the stable from the weights recorded in status
    /// *before* this reconcile (so the stable only shrinks once traffic has moved), and the canary, as
    /// well as the "step reached" check, from the weights just applied in this reconcile.
    pub weights: Option<AppliedWeights>,
}

/// How the canary's traffic is split.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Routing {
    /// No traffic router: the Services select pods of both versions, so the weight is approximated by the
    /// ratio of pods.
    #[default]
    Basic,
    /// A traffic router splits requests by weight; pods follow the weight.
    TrafficRouted(TrafficRouted),
}

/// Everything the canary arithmetic needs, resolved to plain numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CanaryInput {
    /// `spec.replicas` (1 when unset).
    pub replicas: i32,
    /// The weight that means "all traffic" (`trafficRouting.maxTrafficWeight`, 100 otherwise).
    pub max_weight: i32,
    /// `maxSurge` resolved to pods (upstream `MaxSurge`).
    pub max_surge: i32,
    /// `maxUnavailable` resolved to pods and capped at `replicas` (upstream `MaxUnavailable`).
    pub max_unavailable: i32,
    /// The weight or canary size the current step asks for.
    pub desired: DesiredCanary,
    /// `status.abort`.
    pub aborted: bool,
    /// The observed ReplicaSets.
    pub replica_sets: ReplicaSets,
    /// Basic or traffic-routed.
    pub routing: Routing,
}

impl CanaryInput {
    /// Resolves a canary Rollout's spec and status against its observed ReplicaSets; `None` when the
    /// Rollout has no canary strategy. `weights` are the traffic weights to honour (see
    /// [`TrafficRouted::weights`] for which ones upstream uses where).
    pub fn from_rollout(
        spec: &RolloutSpec,
        status: Option<&RolloutStatus>,
        replica_sets: ReplicaSets,
        weights: Option<&TrafficWeights>,
    ) -> Option<Self> {
        let canary = spec.strategy.as_ref()?.canary.as_ref()?;
        let progress = CanaryProgress::from_rollout(spec, status)?;
        let desired = progress.canary_replicas_or_weight(&replica_sets);
        let routing = match canary.traffic_routing {
            None => Routing::Basic,
            Some(_) => Routing::TrafficRouted(TrafficRouted {
                min_pods_per_replica_set: canary.min_pods_per_replica_set,
                dynamic_stable_scale: canary.dynamic_stable_scale.unwrap_or(false),
                weights: weights.map(AppliedWeights::from),
            }),
        };
        Some(Self {
            replicas: spec.replicas_or_default(),
            max_weight: spec.max_traffic_weight(),
            max_surge: spec.max_surge_pods(),
            max_unavailable: spec.max_unavailable_pods(),
            desired,
            aborted: progress.aborted,
            replica_sets,
            routing,
        })
    }
}

/// A pair of sizes for the new (canary) and the stable ReplicaSet.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NewStable {
    /// Replicas of the new (canary) ReplicaSet.
    pub new: i32,
    /// Replicas of the stable ReplicaSet.
    pub stable: i32,
}

/// The result of the canary arithmetic.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CanaryScale {
    /// Where the weight says the two ReplicaSets should end up once the step is done.
    pub desired: NewStable,
    /// The `spec.replicas` to set on each ReplicaSet now: the desired sizes, approached only as far as
    /// `maxSurge` and `maxUnavailable` allow (a traffic-routed canary goes straight to them). This is
    /// what upstream returns and scales to. `stable` applies only to a [`StableReplicaSet::Separate`]
    /// stable; otherwise it means nothing and no ReplicaSet is scaled by it.
    pub scaled: NewStable,
}
