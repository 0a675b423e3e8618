//! Upstream's validation messages, spelled exactly as upstream spells them (typos included): they reach
//! users in `InvalidSpec` conditions and `kubectl argo rollouts lint` output.

/// A required field is missing; `{}` is the field, e.g. `.spec.selector`.
pub fn missing_field(field: &str) -> String {
    format!("Rollout has missing field '{field}'")
}

/// `setWeight` outside `0..=maxTrafficWeight`.
pub fn invalid_set_weight(max_weight: i32) -> String {
    format!("SetWeight needs to be between 0 and {max_weight}")
}

/// An experiment step template sets `weight` without traffic routing.
pub const EXPERIMENT_WEIGHT_WITHOUT_TRAFFIC_ROUTING: &str =
    "Experiment template weight cannot be set unless TrafficRouting is enabled";
/// An experiment step template sets `weight` with a router that cannot send traffic to it.
pub const EXPERIMENT_WEIGHT_UNSUPPORTED_ROUTER: &str =
    "Experiment template weight is only available for TrafficRouting with SMI, ALB, Istio and Plugins at this time";
/// `setCanaryScale` without traffic routing.
pub const SET_CANARY_SCALE_TRAFFIC_POLICY: &str = "SetCanaryScale requires TrafficRouting to be set";
/// `setHeaderRoute` without a router that supports it.
pub const SET_HEADER_ROUTE_TRAFFIC_POLICY: &str =
    "SetHeaderRoute requires TrafficRouting, supports Istio and ALB and Apisix";
/// `setMirrorRoute` without a router that supports it.
pub const SET_MIRROR_ROUTE_TRAFFIC_POLICY: &str = "SetMirrorRoute requires TrafficRouting, supports Istio and Plugins";
/// A string match sets more than one of exact, regex, prefix.
pub const STRING_MATCH_MULTIPLE_VALUES: &str =
    "StringMatch match value must have exactly one of the following: exact, regex, prefix";
/// A string match sets none of exact, regex, prefix.
pub const STRING_MATCH_MISSING_VALUE: &str =
    "StringMatch value missed, match value must have one of the following: exact, regex, prefix";
/// ALB header routes can only match exactly.
pub const SET_HEADER_ROUTE_ALB_VALUE: &str = "SetHeaderRoute match value invalid. ALB supports 'exact' value only";
/// A pause duration that is negative or cannot be parsed.
pub const INVALID_DURATION: &str = "Duration needs to be greater than 0";
/// Canary `maxSurge` and `maxUnavailable` both zero.
pub const MAX_SURGE_MAX_UNAVAILABLE_ZERO: &str = "MaxSurge and MaxUnavailable both can not be zero";
/// A step with no action, or with more than one of setWeight/pause/experiment/analysis.
pub const INVALID_STEP: &str =
    "Step must have one of the following set: experiment, setWeight, setCanaryScale, plugin or pause";
/// Both strategies set.
pub const MULTIPLE_STRATEGIES: &str = "Multiple Strategies can not be listed";
/// Blue-green active and preview Services are the same.
pub const DUPLICATED_SERVICES_BLUE_GREEN: &str =
    "This rollout uses the same service for the active and preview services, but two different services are required.";
/// Canary stable and canary Services are the same.
pub const DUPLICATED_SERVICES_CANARY: &str =
    "This rollout uses the same service for the stable and canary services, but two different services are required.";
/// antiAffinity with none or both of its strategies.
pub const ANTI_AFFINITY_STRATEGY: &str = "AntiAffinity must have exactly one strategy listed";
/// Preferred anti-affinity weight outside 1..=100.
pub const ANTI_AFFINITY_WEIGHT: &str = "AntiAffinity weight must be between 1-100";
/// Blue-green scaleDownDelayRevisionLimit above revisionHistoryLimit.
pub const SCALE_DOWN_LIMIT_LARGER_THAN_REVISION_LIMIT: &str =
    "This rollout's revision history limit can not be smaller than the rollout's scale down limit";
/// Traffic routing without both canary and stable Services.
pub const TRAFFIC_ROUTING_NEEDS_SERVICES: &str =
    "Canary service and Stable service must to be set to use Traffic Routing";
/// An analysis argument's fieldRef names metadata the downward API cannot resolve.
pub const INVALID_ANALYSIS_ARGS: &str =
    "Analyses arguments must refer to valid object metadata supported by downwardAPI";
/// Canary scaleDownDelaySeconds without traffic routing.
pub const CANARY_SCALE_DOWN_DELAY: &str = "Canary scaleDownDelaySeconds can only be used with traffic routing";
/// Canary dynamicStableScale without traffic routing.
pub const CANARY_DYNAMIC_STABLE_SCALE: &str = "Canary dynamicStableScale can only be used with traffic routing";
/// Canary dynamicStableScale together with scaleDownDelaySeconds.
pub const CANARY_DYNAMIC_STABLE_SCALE_WITH_DELAY: &str =
    "Canary dynamicStableScale cannot be used with scaleDownDelaySeconds";
/// maxTrafficWeight with a router other than NGINX or plugins.
pub const MAX_WEIGHT_ONLY_NGINX_AND_PLUGINS: &str =
    "Canary maxTrafficWeight in traffic routing only supported in Nginx and Plugins";
/// pingPong without one of its Services.
pub const PING_PONG_SERVICES_REQUIRED: &str = "Ping service and Pong service must to be set to use Ping-Pong feature";
/// pingPong with the same Service twice.
pub const DUPLICATED_PING_PONG_SERVICES: &str =
    "This rollout uses the same service for the ping and pong services, but two different services are required.";
/// pingPong with ALB but no rootService.
pub const ALB_ROOT_SERVICE_REQUIRED: &str =
    "Root service field is required for the configuration with ALB and ping-pong feature enabled";
/// pingPong with a router other than ALB, Istio or plugins.
pub const PING_PONG_ROUTERS: &str =
    "Ping-pong feature works with the ALB, Istio, and plugin-based traffic routers only";
/// A header or mirror step names a route missing from managedRoutes.
pub const STEP_ROUTE_NOT_IN_MANAGED_ROUTES: &str =
    "Steps define a route that does not exist in spec.strategy.canary.trafficRouting.managedRoutes";
/// workloadRef together with template labels or annotations.
pub const TEMPLATE_MUST_BE_EMPTY_FOR_WORKLOAD_REF: &str = "template must be empty for workload reference rollout";
/// A selector with neither matchLabels nor matchExpressions.
pub const EMPTY_SELECTOR: &str = "empty selector is invalid for deployment";
/// A selector that cannot be compiled.
pub const INVALID_LABEL_SELECTOR: &str = "invalid label selector";
/// progressDeadlineSeconds not above minReadySeconds.
pub const PROGRESS_DEADLINE_NOT_ABOVE_MIN_READY: &str = "must be greater than minReadySeconds";
/// A count-like field below zero (Kubernetes' `ValidateNonnegativeField`).
pub const MUST_BE_NON_NEGATIVE: &str = "must be greater than or equal to 0";

/// Experiment template whose selector selects everything.
pub fn experiment_select_all(index: usize) -> String {
    format!("This experiment is selecting all pods at index {index}. A non-empty selector is required.")
}

/// Experiment template whose minReadySeconds exceeds the progress deadline.
pub fn experiment_min_ready_longer_than_deadline(index: usize) -> String {
    format!("MinReadySeconds cannot be longer than ProgressDeadlineSeconds. Check template index {index}")
}

/// Experiment template without a name.
pub fn experiment_template_name_empty(experiment: &str, index: usize) -> String {
    format!("Experiment {experiment} has empty template name at index {index}")
}

/// Experiment templates sharing a name.
pub fn experiment_template_name_repeated(experiment: &str, template: &str) -> String {
    format!("Experiment {experiment} has repeated template name '{template}' in templates")
}
