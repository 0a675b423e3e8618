//! Column definitions of the built-in printers: names, types, formats, priorities and the
//! descriptions kube-apiserver sends (taken from the API's field documentation).

use super::ColumnDefinition;
use super::builtin::BuiltinKind;

pub(crate) const NAME_DESC: &str = "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
pub(crate) const CREATED_DESC: &str = "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";
const CONTAINERS_DESC: &str = "Names of each container in the template.";
const IMAGES_DESC: &str = "Images referenced by each container in the template.";

const POD_IP: &str =
    "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.";
const NODE_NAME: &str = "NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName. Once this field is set, the kubelet for this node becomes responsible for the lifecycle of this pod. This field should not be used to express a desire for the pod to be scheduled on a specific node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename";
const NOMINATED_NODE: &str = "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled.";
const READINESS_GATES: &str = "If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to \"True\" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates";

const RS_REPLICAS: &str = "Replicas is the number of desired replicas. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller";
const RS_CURRENT: &str = "Replicas is the most recently observed number of replicas. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller/#what-is-a-replicationcontroller";
const RS_READY: &str = "The number of ready replicas for this replica set.";
const RS_SELECTOR: &str = "Selector is a label query over pods that should match the replica count. If the selector is empty, it is defaulted to the labels present on the pod template. Label keys and values that must match in order to be controlled by this replica set. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors";
const DEPLOY_UPDATED: &str =
    "Total number of non-terminated pods targeted by this deployment that have the desired template spec.";
const DEPLOY_AVAILABLE: &str =
    "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.";
const DEPLOY_SELECTOR: &str = "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.";
const JOB_SUCCEEDED: &str = "The number of pods which reached phase Succeeded. The value increases monotonically for a given spec. However, it may decrease in reaction to scale down of elastic indexed jobs.";
const JOB_SELECTOR: &str = "A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors";

const SVC_TYPE: &str = "type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer. \"ClusterIP\" allocates a cluster-internal IP address for load-balancing to endpoints. Endpoints are determined by the selector or if that is not specified, by manual construction of an Endpoints object or EndpointSlice objects. If clusterIP is \"None\", no virtual IP is allocated and the endpoints are published as a set of endpoints rather than a virtual IP. \"NodePort\" builds on ClusterIP and allocates a port on every node which routes to the same endpoints as the clusterIP. \"LoadBalancer\" builds on NodePort and creates an external load-balancer (if supported in the current cloud) which routes to the same endpoints as the clusterIP. \"ExternalName\" aliases this service to the specified externalName. Several other fields do not apply to ExternalName services. More info: https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types";
const SVC_CLUSTER_IP: &str = "clusterIP is the IP address of the service and is usually assigned randomly. If an address is specified manually, is in-range (as per system configuration), and is not in use, it will be allocated to the service; otherwise creation of the service will fail. This field may not be changed through updates unless the type field is also being changed to ExternalName (which requires this field to be blank) or the type field is being changed from ExternalName (in which case this field may optionally be specified, as describe above).  Valid values are \"None\", empty string (\"\"), or a valid IP address. Setting this to \"None\" makes a \"headless service\" (no virtual IP), which is useful when direct endpoint connections are preferred and proxying is not required.  Only applies to types ClusterIP, NodePort, and LoadBalancer. If this field is specified when creating a Service of type ExternalName, creation will fail. This field will be wiped when updating a Service to type ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies";
const SVC_EXTERNAL_IPS: &str = "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.  These IPs are not managed by Kubernetes.  The user is responsible for ensuring that traffic arrives at a node with this IP.  A common example is external load-balancers that are not part of the Kubernetes system.";
const SVC_PORTS: &str = "The list of ports that are exposed by this service. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies";
const SVC_SELECTOR: &str = "Route service traffic to pods with label keys and values matching this selector. If empty or not present, the service is assumed to have an external process managing its endpoints, which Kubernetes will not modify. Only applies to types ClusterIP, NodePort, and LoadBalancer. Ignored if type is ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/";
const ENDPOINTS_SUBSETS: &str = "The set of all endpoints is the union of all subsets. Addresses are placed into subsets according to the IPs they share. A single address with multiple ports, some of which are ready and some of which are not (because they come from different containers) will result in the address being displayed in different subsets for the different ports. No address will appear in both Addresses and NotReadyAddresses in the same subset. Sets of addresses and ports that comprise a service.";

const EV_LAST: &str = "The time at which the most recent occurrence of this event was recorded.";
const EV_TYPE: &str = "Type of this event (Normal, Warning), new types could be added in the future";
const EV_REASON: &str = "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.";
const EV_OBJECT: &str = "The object that this event is about.";
const EV_FIELD_PATH: &str = "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2]. For example, if the object reference is to a container within a pod, this would take on a value like: \"spec.containers{name}\" (where \"name\" refers to the name of the container that triggered the event) or if no container name is specified \"spec.containers[2]\" (container with index 2 in this pod). This syntax is chosen only to have some well-defined way of referencing a part of an object.";
const EV_SOURCE: &str = "The component reporting this event. Should be a short machine understandable string.";
const EV_MESSAGE: &str = "A human-readable description of the status of this operation.";
const EV_FIRST: &str = "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)";
const EV_COUNT: &str = "The number of times this event has occurred.";

const SECRET_TYPE: &str = "Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types";
const SECRET_DATA: &str = "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4";
const SA_SECRETS: &str = "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use. Pods are only limited to this list if this service account has a \"kubernetes.io/enforce-mountable-secrets\" annotation set to \"true\". The \"kubernetes.io/enforce-mountable-secrets\" annotation is deprecated since v1.32. Prefer separate namespaces to isolate access to mounted secrets. This field should not be used to find auto-generated service account token secrets for use outside of pods. Instead, tokens can be requested directly using the TokenRequest API, or service account token secrets can be manually created. More info: https://kubernetes.io/docs/concepts/configuration/secret";
const CM_DATA: &str = "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process.";
const LEASE_HOLDER: &str = "holderIdentity contains the identity of the holder of a current lease. If Coordinated Leader Election is used, the holder identity must be equal to the elected LeaseCandidate.metadata.name field.";

const HPA_REF: &str = "scaleTargetRef points to the target resource to scale, and is used to the pods for which metrics should be collected, as well as to actually change the replica count.";
const HPA_METRICS: &str = "metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used).  The desired replica count is calculated multiplying the ratio between the target value and the current value by the current number of pods.  Ergo, metrics used must decrease as the pod count is increased, and vice-versa.  See the individual metric source types for more information about how each type of metric must respond.";
const HPA_MIN: &str = "minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.  It defaults to 1 pod.  minReplicas is allowed to be 0 if the alpha feature gate HPAScaleToZero is enabled and at least one Object or External metric is configured.  Scaling is active as long as at least one metric value is available.";
const HPA_MAX: &str = "maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up. It cannot be less that minReplicas.";
const HPA_CURRENT: &str =
    "currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler.";

fn col(name: &str, type_: &str, priority: i64, description: &str) -> ColumnDefinition {
    ColumnDefinition {
        name: name.to_string(),
        type_: type_.to_string(),
        format: String::new(),
        description: description.to_string(),
        priority,
    }
}

/// The `Name` column every printer starts with.
pub(crate) fn name_column() -> ColumnDefinition {
    ColumnDefinition {
        format: "name".to_string(),
        ..col("Name", "string", 0, NAME_DESC)
    }
}

fn age() -> ColumnDefinition {
    col("Age", "string", 0, CREATED_DESC)
}

fn template_columns(selector: &str) -> [ColumnDefinition; 3] {
    [
        col("Containers", "string", 1, CONTAINERS_DESC),
        col("Images", "string", 1, IMAGES_DESC),
        col("Selector", "string", 1, selector),
    ]
}

/// The columns kube-apiserver declares for a built-in kind, in order.
pub(crate) fn for_kind(kind: BuiltinKind) -> Vec<ColumnDefinition> {
    let mut cols = vec![name_column()];
    match kind {
        BuiltinKind::Pod => cols.extend([
            col("Ready", "string", 0, "The aggregate readiness state of this pod for accepting traffic."),
            col("Status", "string", 0, "The aggregate status of the containers in this pod."),
            col("Restarts", "string", 0, "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
            age(),
            col("IP", "string", 1, POD_IP),
            col("Node", "string", 1, NODE_NAME),
            col("Nominated Node", "string", 1, NOMINATED_NODE),
            col("Readiness Gates", "string", 1, READINESS_GATES),
        ]),
        BuiltinKind::ReplicaSet => {
            cols.extend([
                col("Desired", "integer", 0, RS_REPLICAS),
                col("Current", "integer", 0, RS_CURRENT),
                col("Ready", "integer", 0, RS_READY),
                age(),
            ]);
            cols.extend(template_columns(RS_SELECTOR));
        }
        BuiltinKind::Deployment => {
            cols.extend([
                col("Ready", "string", 0, "Number of the pod with ready state"),
                col("Up-to-date", "string", 0, DEPLOY_UPDATED),
                col("Available", "string", 0, DEPLOY_AVAILABLE),
                age(),
            ]);
            cols.extend(template_columns(DEPLOY_SELECTOR));
        }
        BuiltinKind::Job => {
            cols.extend([
                col("Status", "string", 0, "Status of the job."),
                col("Completions", "string", 0, JOB_SUCCEEDED),
                col("Duration", "string", 0, "Time required to complete the job."),
                age(),
            ]);
            cols.extend(template_columns(JOB_SELECTOR));
        }
        BuiltinKind::Service => cols.extend([
            col("Type", "string", 0, SVC_TYPE),
            col("Cluster-IP", "string", 0, SVC_CLUSTER_IP),
            col("External-IP", "string", 0, SVC_EXTERNAL_IPS),
            col("Port(s)", "string", 0, SVC_PORTS),
            age(),
            col("Selector", "string", 1, SVC_SELECTOR),
        ]),
        BuiltinKind::Endpoints => cols.extend([col("Endpoints", "string", 0, ENDPOINTS_SUBSETS), age()]),
        BuiltinKind::Namespace => cols.extend([col("Status", "string", 0, "The status of the namespace"), age()]),
        BuiltinKind::ConfigMap => cols.extend([col("Data", "string", 0, CM_DATA), age()]),
        BuiltinKind::Secret => {
            cols.extend([col("Type", "string", 0, SECRET_TYPE), col("Data", "string", 0, SECRET_DATA), age()]);
        }
        BuiltinKind::ServiceAccount => cols.extend([col("Secrets", "string", 0, SA_SECRETS), age()]),
        BuiltinKind::Event => {
            let name = ColumnDefinition { priority: 1, ..name_column() };
            cols = vec![
                col("Last Seen", "string", 0, EV_LAST),
                col("Type", "string", 0, EV_TYPE),
                col("Reason", "string", 0, EV_REASON),
                col("Object", "string", 0, EV_OBJECT),
                col("Subobject", "string", 1, EV_FIELD_PATH),
                col("Source", "string", 1, EV_SOURCE),
                col("Message", "string", 0, EV_MESSAGE),
                col("First Seen", "string", 1, EV_FIRST),
                col("Count", "string", 1, EV_COUNT),
                name,
            ];
        }
        BuiltinKind::Ingress => cols.extend([
            col("Class", "string", 0, "The name of the IngressClass resource that should be used for additional configuration"),
            col("Hosts", "string", 0, "Hosts that incoming requests are matched against before the ingress rule"),
            col("Address", "string", 0, "Address is a list containing ingress points for the load-balancer"),
            col("Ports", "string", 0, "Ports of TLS configurations that open"),
            age(),
        ]),
        BuiltinKind::Lease => cols.extend([col("Holder", "string", 0, LEASE_HOLDER), age()]),
        BuiltinKind::HorizontalPodAutoscaler => cols.extend([
            col("Reference", "string", 0, HPA_REF),
            col("Targets", "string", 0, HPA_METRICS),
            col("MinPods", "string", 0, HPA_MIN),
            col("MaxPods", "string", 0, HPA_MAX),
            col("Replicas", "string", 0, HPA_CURRENT),
            age(),
        ]),
        BuiltinKind::PodDisruptionBudget => cols.extend([
            col("Min Available", "string", 0, "The minimum number of pods that must be available."),
            col("Max Unavailable", "string", 0, "The maximum number of pods that may be unavailable."),
            col("Allowed Disruptions", "integer", 0, "Calculated number of pods that may be disrupted at this time."),
            age(),
        ]),
    }
    cols
}

/// The default table's columns (kinds without a printer, CustomResourceDefinitions).
pub(crate) fn default_columns() -> Vec<ColumnDefinition> {
    vec![name_column(), col("Created At", "date", 0, CREATED_DESC)]
}
