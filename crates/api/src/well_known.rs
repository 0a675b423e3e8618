//! Strings other tools depend on: labels, annotations, condition types, reasons and event reasons.
//!
//! They are part of the compatibility contract (Argo CD health checks, notifications, the upstream plugin
//! and users' scripts read them), so they are spelled exactly as upstream spells them, and only here.

/// Label keys.
pub mod labels {
    /// On ReplicaSets (labels, selector, pod template), Service selectors, AnalysisRuns and Experiments:
    /// the pod-template hash of the ReplicaSet concerned.
    pub const POD_TEMPLATE_HASH: &str = "rollouts-pod-template-hash";
    /// On Rollouts, AnalysisRuns and Experiments: which controller instance owns the object.
    pub const CONTROLLER_INSTANCE_ID: &str = "argo-rollouts.argoproj.io/controller-instance-id";
    /// On AnalysisRuns: `Step`, `Background`, `PrePromotion` or `PostPromotion`.
    pub const ROLLOUT_TYPE: &str = "rollout-type";
    /// On step AnalysisRuns: the index of the step that created the run.
    pub const STEP_INDEX: &str = "step-index";
    /// On metric Jobs: the uid of the AnalysisRun that created them.
    pub const ANALYSIS_RUN_UID: &str = "analysisrun.argoproj.io/uid";

    /// `rollout-type` value of a step analysis.
    pub const ROLLOUT_TYPE_STEP: &str = "Step";
    /// `rollout-type` value of a background analysis.
    pub const ROLLOUT_TYPE_BACKGROUND: &str = "Background";
    /// `rollout-type` value of a blue-green pre-promotion analysis.
    pub const ROLLOUT_TYPE_PRE_PROMOTION: &str = "PrePromotion";
    /// `rollout-type` value of a blue-green post-promotion analysis.
    pub const ROLLOUT_TYPE_POST_PROMOTION: &str = "PostPromotion";
}

/// Annotation keys.
pub mod annotations {
    /// On Rollouts, ReplicaSets, AnalysisRuns and Experiments: the revision number, as a decimal string.
    pub const REVISION: &str = "rollout.argoproj.io/revision";
    /// On ReplicaSets reused by a rollback: earlier revisions, comma separated.
    pub const REVISION_HISTORY: &str = "rollout.argoproj.io/revision-history";
    /// On ReplicaSets: `spec.replicas` of the Rollout when the ReplicaSet was last scaled.
    pub const DESIRED_REPLICAS: &str = "rollout.argoproj.io/desired-replicas";
    /// On ReplicaSets: JSON of the ephemeral labels/annotations injected into its pods.
    pub const EPHEMERAL_METADATA: &str = "rollout.argoproj.io/ephemeral-metadata";
    /// On Rollouts with a workloadRef: the generation of the referenced workload.
    pub const WORKLOAD_GENERATION: &str = "rollout.argoproj.io/workload-generation";
    /// On ReplicaSets: when (RFC 3339, UTC) a delayed scale-down is due. Upstream uses no prefix.
    pub const SCALE_DOWN_DEADLINE: &str = "scale-down-deadline";
    /// On Services and DestinationRules: the Rollout that manages their selector or subsets.
    pub const MANAGED_BY_ROLLOUTS: &str = "argo-rollouts.argoproj.io/managed-by-rollouts";
    /// On experiment ReplicaSets and Services: the Experiment's name.
    pub const EXPERIMENT_NAME: &str = "experiment.argoproj.io/name";
    /// On experiment ReplicaSets and Services: the template's name.
    pub const EXPERIMENT_TEMPLATE_NAME: &str = "experiment.argoproj.io/template-name";
    /// On Ingresses: the ALB action annotations the controller manages.
    pub const MANAGED_ALB_ACTIONS: &str = "rollouts.argoproj.io/managed-alb-actions";
    /// On Ingresses: per-Rollout list of the ALB annotations the controller manages.
    pub const MANAGED_ALB_ANNOTATIONS: &str = "rollouts.argoproj.io/managed-alb-annotations";
    /// On metric Jobs: the owning AnalysisRun's name.
    pub const ANALYSIS_RUN_NAME: &str = "analysisrun.argoproj.io/name";
    /// On metric Jobs: the owning AnalysisRun's namespace.
    pub const ANALYSIS_RUN_NAMESPACE: &str = "analysisrun.argoproj.io/namespace";
    /// On metric Jobs: the metric that created them.
    pub const ANALYSIS_RUN_METRIC_NAME: &str = "analysisrun.argoproj.io/metric-name";
    /// Written by client-side `kubectl apply`; never copied from a Rollout to its ReplicaSets.
    pub const LAST_APPLIED_CONFIGURATION: &str = "kubectl.kubernetes.io/last-applied-configuration";
    /// Written by the notifications engine; never copied from a Rollout to its ReplicaSets.
    pub const NOTIFIED: &str = "notified.notifications.argoproj.io";
    /// Prefix of notification subscriptions on a Rollout (`<prefix><trigger>.<service>`).
    pub const NOTIFICATION_SUBSCRIBE_PREFIX: &str = "notifications.argoproj.io/subscribe.";
}

/// Condition types of Rollouts and Experiments.
pub mod condition_types {
    /// The spec (or something it references) is invalid.
    pub const INVALID_SPEC: &str = "InvalidSpec";
    /// Enough pods are available.
    pub const AVAILABLE: &str = "Available";
    /// The update is moving (or stuck, or aborted).
    pub const PROGRESSING: &str = "Progressing";
    /// Copied from a ReplicaSet that cannot create pods.
    pub const REPLICA_FAILURE: &str = "ReplicaFailure";
    /// The rollout is paused, by a person or by a step.
    pub const PAUSED: &str = "Paused";
    /// The desired revision is the stable one.
    pub const COMPLETED: &str = "Completed";
    /// Fully promoted, available and not paused.
    pub const HEALTHY: &str = "Healthy";
    /// Experiments only: all templates are running.
    pub const RUNNING: &str = "Running";
}

/// Condition statuses.
pub mod condition_status {
    /// The condition holds.
    pub const TRUE: &str = "True";
    /// The condition does not hold.
    pub const FALSE: &str = "False";
    /// Neither (used by Progressing while paused, resumed or retried).
    pub const UNKNOWN: &str = "Unknown";
}

/// Reasons, used both on conditions and on events.
pub mod reasons {
    /// Condition reason of an invalid spec.
    pub const INVALID_SPEC: &str = "InvalidSpec";
    /// Reason of the Available condition, whatever its status (upstream's spelling).
    pub const AVAILABLE: &str = "AvailableReason";
    /// The new ReplicaSet was scaled or otherwise moved forward.
    pub const REPLICA_SET_UPDATED: &str = "ReplicaSetUpdated";
    /// Creating the new ReplicaSet failed.
    pub const REPLICA_SET_CREATE_ERROR: &str = "ReplicaSetCreateError";
    /// A new ReplicaSet was created.
    pub const NEW_REPLICA_SET_CREATED: &str = "NewReplicaSetCreated";
    /// An existing ReplicaSet matches the template.
    pub const FOUND_NEW_REPLICA_SET: &str = "FoundNewReplicaSet";
    /// The Rollout's revision annotation changed.
    pub const ROLLOUT_UPDATED: &str = "RolloutUpdated";
    /// The update finished: the new ReplicaSet is stable.
    pub const ROLLOUT_COMPLETED: &str = "RolloutCompleted";
    /// Completed condition reason when the update has not finished.
    pub const ROLLOUT_NOT_COMPLETED: &str = "RolloutNotCompleted";
    /// Reason of the Healthy condition, whatever its status.
    pub const ROLLOUT_HEALTHY: &str = "RolloutHealthy";
    /// The update was aborted.
    pub const ROLLOUT_ABORTED: &str = "RolloutAborted";
    /// The update is retried after an abort.
    pub const ROLLOUT_RETRY: &str = "RolloutRetry";
    /// The rollout paused.
    pub const ROLLOUT_PAUSED: &str = "RolloutPaused";
    /// A fully promoted rollout lost availability.
    pub const REPLICA_SET_NOT_AVAILABLE: &str = "ReplicaSetNotAvailable";
    /// The rollout resumed.
    pub const ROLLOUT_RESUMED: &str = "RolloutResumed";
    /// A canary step finished.
    pub const ROLLOUT_STEP_COMPLETED: &str = "RolloutStepCompleted";
    /// The traffic routers were given a new weight.
    pub const TRAFFIC_WEIGHT_UPDATED: &str = "TrafficWeightUpdated";
    /// The new ReplicaSet is available and stable.
    pub const NEW_REPLICA_SET_AVAILABLE: &str = "NewReplicaSetAvailable";
    /// An AnalysisRun owned by the rollout failed.
    pub const ANALYSIS_RUN_FAILED: &str = "AnalysisRunFailed";
    /// An Experiment owned by the rollout failed.
    pub const EXPERIMENT_FAILED: &str = "ExperimentFailed";
    /// The rollout created the Experiment of an `experiment` step.
    pub const EXPERIMENT_CREATED: &str = "ExperimentCreated";
    /// A reconcile returned an error.
    pub const RECONCILIATION_ERROR: &str = "ReconciliationError";
    /// No progress within progressDeadlineSeconds.
    pub const PROGRESS_DEADLINE_EXCEEDED: &str = "ProgressDeadlineExceeded";
    /// The rollout was deleted.
    pub const ROLLOUT_DELETED: &str = "RolloutDeleted";
    /// A ReplicaSet was scaled.
    pub const SCALING_REPLICA_SET: &str = "ScalingReplicaSet";
    /// A referenced Service is unusable.
    pub const SERVICE_REFERENCE_ERROR: &str = "ServiceReferenceError";
    /// A Service selector was switched to another ReplicaSet.
    pub const SWITCH_SERVICE: &str = "SwitchService";
    /// The rollout skipped its steps (rollback to the stable ReplicaSet).
    pub const SKIP_STEPS: &str = "SkipSteps";
    /// A plugin step changed phase.
    pub const STEP_PLUGIN_TRANSITION: &str = "StepPluginTransition";
    /// ALB target-group verification passed.
    pub const TARGET_GROUP_VERIFIED: &str = "TargetGroupVerified";
    /// ALB target-group verification did not pass yet.
    pub const TARGET_GROUP_UNVERIFIED: &str = "TargetGroupUnverified";
    /// ALB target-group verification could not be done.
    pub const TARGET_GROUP_VERIFY_ERROR: &str = "TargetGroupVerifyError";
    /// Traffic weight verification could not be done.
    pub const WEIGHT_VERIFY_ERROR: &str = "WeightVerifyError";
    /// The ALB could not be found.
    pub const LOAD_BALANCER_NOT_FOUND: &str = "LoadBalancerNotFound";
    /// The controller saw the rollout for the first time.
    pub const ROLLOUT_ADDED_TO_INFORMER: &str = "RolloutAddedToInformer";
    /// A TrafficSplit was created for the rollout.
    pub const TRAFFIC_SPLIT_CREATED: &str = "TrafficSplitCreated";
    /// Experiments: templates are being brought up.
    pub const EXPERIMENT_PROGRESSING: &str = "ReplicaSetUpdated";
    /// Experiments: the experiment finished.
    pub const EXPERIMENT_COMPLETED: &str = "ExperimentCompleted";
}

/// Pause reasons (`status.pauseConditions[].reason`), shown as the Paused phase's message.
pub mod pause_reasons {
    /// A `pause` step.
    pub const CANARY_PAUSE_STEP: &str = "CanaryPauseStep";
    /// Blue-green waiting for promotion.
    pub const BLUE_GREEN_PAUSE: &str = "BlueGreenPause";
    /// An AnalysisRun ended Inconclusive.
    pub const INCONCLUSIVE_ANALYSIS_RUN: &str = "InconclusiveAnalysisRun";
    /// An Experiment ended Inconclusive.
    pub const INCONCLUSIVE_EXPERIMENT: &str = "InconclusiveExperiment";
}

/// `status.duration.completionStatus` values.
pub mod completion_status {
    /// All steps completed.
    pub const PROMOTED: &str = "Promoted";
    /// Promoted with `promote --full`.
    pub const FAST_PROMOTED: &str = "FastPromoted";
    /// Aborted.
    pub const ABORTED: &str = "Aborted";
    /// Replaced by a newer update before finishing.
    pub const SUPERSEDED: &str = "Superseded";
    /// Rolled back within the rollback window.
    pub const ROLLED_BACK: &str = "RolledBack";
    /// Rolled back to the stable ReplicaSet (fast track).
    pub const FAST_ROLLED_BACK: &str = "FastRolledBack";
}

/// Fixed messages (those with no placeholders).
pub mod messages {
    /// Available condition, True.
    pub const AVAILABLE: &str = "Rollout has minimum availability";
    /// Available condition, False; also Progressing `ReplicaSetNotAvailable`.
    pub const NOT_AVAILABLE: &str = "Rollout does not have minimum availability";
    /// Healthy condition, True.
    pub const HEALTHY: &str = "Rollout is healthy";
    /// Healthy condition, False.
    pub const NOT_HEALTHY: &str = "Rollout is not healthy";
    /// Paused condition, and Progressing `RolloutPaused`.
    pub const PAUSED: &str = "Rollout is paused";
    /// Progressing `RolloutResumed`.
    pub const RESUMED: &str = "Rollout is resumed";
    /// Progressing `RolloutRetry`.
    pub const RETRY: &str = "Retrying Rollout after abort";
    /// Completed condition message (upstream uses the reason as the message).
    pub const COMPLETED: &str = "RolloutCompleted";
    /// A selector that selects every pod.
    pub const SELECT_ALL: &str = "This rollout is selecting all pods. A non-empty selector is required.";
}
