// Generated from the Kubernetes API's protobuf definitions (the `generated.proto` files of
// k8s.io/api and k8s.io/apimachinery) and the Go struct tags beside them, by
// `gen_schema_table.py` in this directory. Do not edit by hand; re-run the script instead.
// Sources: k8s.io/api 10b39a39bcee995dfe7cd5e8e7b922be5e46f1e2, k8s.io/apimachinery eed236ceee2c19c2753a3d93ac0631dc20750454

use super::schema::Card::{Map, One, Rep};
use super::schema::Shape::{IntOrString, List, MicroTime, Quantity, RawJson, Struct, Time};
use super::schema::Ty::{Bool, Bytes, I32, I64, Msg, Str};
use super::schema::{KindEntry, Message, f, INL, OE, OZ, PTR};

/// Every message reachable from [`KINDS`], referenced by index from `Msg(..)`.
pub(super) static MESSAGES: &[Message] = &[
    // 0
    Message { name: "k8s.io.api.core.v1.Namespace", shape: Struct, fields: &[
        f(1, "metadata", Msg(1), One, OE),
        f(2, "spec", Msg(6), One, OE),
        f(3, "status", Msg(7), One, OE),
    ] },
    // 1
    Message { name: "k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta", shape: Struct, fields: &[
        f(1, "name", Str, One, OE),
        f(2, "generateName", Str, One, OE),
        f(3, "namespace", Str, One, OE),
        f(4, "selfLink", Str, One, OE),
        f(5, "uid", Str, One, OE),
        f(6, "resourceVersion", Str, One, OE),
        f(7, "generation", I64, One, OE),
        f(8, "creationTimestamp", Msg(2), One, OE | OZ),
        f(9, "deletionTimestamp", Msg(2), One, OE | PTR),
        f(10, "deletionGracePeriodSeconds", I64, One, OE | PTR),
        f(11, "labels", Str, Map, OE),
        f(12, "annotations", Str, Map, OE),
        f(13, "ownerReferences", Msg(3), Rep, OE),
        f(14, "finalizers", Str, Rep, OE),
        f(17, "managedFields", Msg(4), Rep, OE),
    ] },
    // 2
    Message { name: "k8s.io.apimachinery.pkg.apis.meta.v1.Time", shape: Time, fields: &[
        f(1, "seconds", I64, One, 0),
        f(2, "nanos", I32, One, 0),
    ] },
    // 3
    Message { name: "k8s.io.apimachinery.pkg.apis.meta.v1.OwnerReference", shape: Struct, fields: &[
        f(5, "apiVersion", Str, One, 0),
        f(1, "kind", Str, One, 0),
        f(3, "name", Str, One, 0),
        f(4, "uid", Str, One, 0),
        f(6, "controller", Bool, One, OE | PTR),
        f(7, "blockOwnerDeletion", Bool, One, OE | PTR),
    ] },
    // 4
    Message { name: "k8s.io.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry", shape: Struct, fields: &[
        f(1, "manager", Str, One, OE),
        f(2, "operation", Str, One, OE),
        f(3, "apiVersion", Str, One, OE),
        f(4, "time", Msg(2), One, OE | PTR),
        f(6, "fieldsType", Str, One, OE),
        f(7, "fieldsV1", Msg(5), One, OE | PTR),
        f(8, "subresource", Str, One, OE),
    ] },
    // 5
    Message { name: "k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1", shape: RawJson, fields: &[
        f(1, "Raw", Bytes, One, 0),
    ] },
    // 6
    Message { name: "k8s.io.api.core.v1.NamespaceSpec", shape: Struct, fields: &[
        f(1, "finalizers", Str, Rep, OE),
    ] },
    // 7
    Message { name: "k8s.io.api.core.v1.NamespaceStatus", shape: Struct, fields: &[
        f(1, "phase", Str, One, OE),
        f(2, "conditions", Msg(8), Rep, OE),
    ] },
    // 8
    Message { name: "k8s.io.api.core.v1.NamespaceCondition", shape: Struct, fields: &[
        f(1, "type", Str, One, 0),
        f(2, "status", Str, One, 0),
        f(4, "lastTransitionTime", Msg(2), One, OE),
        f(5, "reason", Str, One, OE),
        f(6, "message", Str, One, OE),
    ] },
    // 9
    Message { name: "k8s.io.api.core.v1.Pod", shape: Struct, fields: &[
        f(1, "metadata", Msg(1), One, OE),
        f(2, "spec", Msg(10), One, OE),
        f(3, "status", Msg(122), One, OE),
    ] },
    // 10
    Message { name: "k8s.io.api.core.v1.PodSpec", shape: Struct, fields: &[
        f(1, "volumes", Msg(11), Rep, OE),
        f(20, "initContainers", Msg(63), Rep, OE),
        f(2, "containers", Msg(63), Rep, 0),
        f(34, "ephemeralContainers", Msg(97), Rep, OE),
        f(3, "restartPolicy", Str, One, OE),
        f(4, "terminationGracePeriodSeconds", I64, One, OE | PTR),
        f(5, "activeDeadlineSeconds", I64, One, OE | PTR),
        f(6, "dnsPolicy", Str, One, OE),
        f(7, "nodeSelector", Str, Map, OE),
        f(8, "serviceAccountName", Str, One, OE),
        f(9, "serviceAccount", Str, One, OE),
        f(21, "automountServiceAccountToken", Bool, One, OE | PTR),
        f(10, "nodeName", Str, One, OE),
        f(11, "hostNetwork", Bool, One, OE),
        f(12, "hostPID", Bool, One, OE),
        f(13, "hostIPC", Bool, One, OE),
        f(27, "shareProcessNamespace", Bool, One, OE | PTR),
        f(14, "securityContext", Msg(99), One, OE | PTR),
        f(15, "imagePullSecrets", Msg(23), Rep, OE),
        f(16, "hostname", Str, One, OE),
        f(17, "subdomain", Str, One, OE),
        f(18, "affinity", Msg(101), One, OE | PTR),
        f(19, "schedulerName", Str, One, OE),
        f(22, "tolerations", Msg(111), Rep, OE),
        f(23, "hostAliases", Msg(112), Rep, OE),
        f(24, "priorityClassName", Str, One, OE),
        f(25, "priority", I32, One, OE | PTR),
        f(26, "dnsConfig", Msg(113), One, OE | PTR),
        f(28, "readinessGates", Msg(115), Rep, OE),
        f(29, "runtimeClassName", Str, One, OE | PTR),
        f(30, "enableServiceLinks", Bool, One, OE | PTR),
        f(31, "preemptionPolicy", Str, One, OE | PTR),
        f(32, "overhead", Msg(15), Map, OE),
        f(33, "topologySpreadConstraints", Msg(116), Rep, OE),
        f(35, "setHostnameAsFQDN", Bool, One, OE | PTR),
        f(36, "os", Msg(117), One, OE | PTR),
        f(37, "hostUsers", Bool, One, OE | PTR),
        f(38, "schedulingGates", Msg(118), Rep, OE),
        f(39, "resourceClaims", Msg(119), Rep, OE),
        f(40, "resources", Msg(73), One, OE | PTR),
        f(41, "hostnameOverride", Str, One, OE | PTR),
        f(43, "schedulingGroup", Msg(120), One, OE | PTR),
        f(44, "evictionResponders", Msg(121), Rep, OE),
    ] },
    // 11
    Message { name: "k8s.io.api.core.v1.Volume", shape: Struct, fields: &[
        f(1, "name", Str, One, 0),
        f(2, "volumeSource", Msg(12), One, INL),
    ] },
    // 12
    Message { name: "k8s.io.api.core.v1.VolumeSource", shape: Struct, fields: &[
        f(1, "hostPath", Msg(13), One, OE | PTR),
        f(2, "emptyDir", Msg(14), One, OE | PTR),
        f(3, "gcePersistentDisk", Msg(16), One, OE | PTR),
        f(4, "awsElasticBlockStore", Msg(17), One, OE | PTR),
        f(5, "gitRepo", Msg(18), One, OE | PTR),
        f(6, "secret", Msg(19), One, OE | PTR),
        f(7, "nfs", Msg(21), One, OE | PTR),
        f(8, "iscsi", Msg(22), One, OE | PTR),
        f(9, "glusterfs", Msg(24), One, OE | PTR),
        f(10, "persistentVolumeClaim", Msg(25), One, OE | PTR),
        f(11, "rbd", Msg(26), One, OE | PTR),
        f(12, "flexVolume", Msg(27), One, OE | PTR),
        f(13, "cinder", Msg(28), One, OE | PTR),
        f(14, "cephfs", Msg(29), One, OE | PTR),
        f(15, "flocker", Msg(30), One, OE | PTR),
        f(16, "downwardAPI", Msg(31), One, OE | PTR),
        f(17, "fc", Msg(35), One, OE | PTR),
        f(18, "azureFile", Msg(36), One, OE | PTR),
        f(19, "configMap", Msg(37), One, OE | PTR),
        f(20, "vsphereVolume", Msg(38), One, OE | PTR),
        f(21, "quobyte", Msg(39), One, OE | PTR),
        f(22, "azureDisk", Msg(40), One, OE | PTR),
        f(23, "photonPersistentDisk", Msg(41), One, OE | PTR),
        f(26, "projected", Msg(42), One, OE | PTR),
        f(24, "portworxVolume", Msg(52), One, OE | PTR),
        f(25, "scaleIO", Msg(53), One, OE | PTR),
        f(27, "storageos", Msg(54), One, OE | PTR),
        f(28, "csi", Msg(55), One, OE | PTR),
        f(29, "ephemeral", Msg(56), One, OE | PTR),
        f(30, "image", Msg(62), One, OE | PTR),
    ] },
    // 13
    Message { name: "k8s.io.api.core.v1.HostPathVolumeSource", shape: Struct, fields: &[
        f(1, "path", Str, One, 0),
        f(2, "type", Str, One, OE | PTR),
    ] },
    // 14
    Message { name: "k8s.io.api.core.v1.EmptyDirVolumeSource", shape: Struct, fields: &[
        f(1, "medium", Str, One, OE),
        f(2, "sizeLimit", Msg(15), One, OE | PTR),
        f(3, "mode", I32, One, OE | PTR),
    ] },
    // 15
    Message { name: "k8s.io.apimachinery.pkg.api.resource.Quantity", shape: Quantity, fields: &[
        f(1, "string", Str, One, 0),
    ] },
    // 16
    Message { name: "k8s.io.api.core.v1.GCEPersistentDiskVolumeSource", shape: Struct, fields: &[
        f(1, "pdName", Str, One, 0),
        f(2, "fsType", Str, One, OE),
        f(3, "partition", I32, One, OE),
        f(4, "readOnly", Bool, One, OE),
    ] },
    // 17
    Message { name: "k8s.io.api.core.v1.AWSElasticBlockStoreVolumeSource", shape: Struct, fields: &[
        f(1, "volumeID", Str, One, 0),
        f(2, "fsType", Str, One, OE),
        f(3, "partition", I32, One, OE),
        f(4, "readOnly", Bool, One, OE),
    ] },
    // 18
    Message { name: "k8s.io.api.core.v1.GitRepoVolumeSource", shape: Struct, fields: &[
        f(1, "repository", Str, One, 0),
        f(2, "revision", Str, One, OE),
        f(3, "directory", Str, One, OE),
    ] },
    // 19
    Message { name: "k8s.io.api.core.v1.SecretVolumeSource", shape: Struct, fields: &[
        f(1, "secretName", Str, One, OE),
        f(2, "items", Msg(20), Rep, OE),
        f(3, "defaultMode", I32, One, OE | PTR),
        f(4, "optional", Bool, One, OE | PTR),
        f(5, "defaultUser", I64, One, OE | PTR),
    ] },
    // 20
    Message { name: "k8s.io.api.core.v1.KeyToPath", shape: Struct, fields: &[
        f(1, "key", Str, One, 0),
        f(2, "path", Str, One, 0),
        f(3, "mode", I32, One, OE | PTR),
        f(4, "user", I64, One, OE | PTR),
    ] },
    // 21
    Message { name: "k8s.io.api.core.v1.NFSVolumeSource", shape: Struct, fields: &[
        f(1, "server", Str, One, 0),
        f(2, "path", Str, One, 0),
        f(3, "readOnly", Bool, One, OE),
    ] },
    // 22
    Message { name: "k8s.io.api.core.v1.ISCSIVolumeSource", shape: Struct, fields: &[
        f(1, "targetPortal", Str, One, 0),
        f(2, "iqn", Str, One, 0),
        f(3, "lun", I32, One, 0),
        f(4, "iscsiInterface", Str, One, OE),
        f(5, "fsType", Str, One, OE),
        f(6, "readOnly", Bool, One, OE),
        f(7, "portals", Str, Rep, OE),
        f(8, "chapAuthDiscovery", Bool, One, OE),
        f(11, "chapAuthSession", Bool, One, OE),
        f(10, "secretRef", Msg(23), One, OE | PTR),
        f(12, "initiatorName", Str, One, OE | PTR),
    ] },
    // 23
    Message { name: "k8s.io.api.core.v1.LocalObjectReference", shape: Struct, fields: &[
        f(1, "name", Str, One, OE),
    ] },
    // 24
    Message { name: "k8s.io.api.core.v1.GlusterfsVolumeSource", shape: Struct, fields: &[
        f(1, "endpoints", Str, One, 0),
        f(2, "path", Str, One, 0),
        f(3, "readOnly", Bool, One, OE),
    ] },
    // 25
    Message { name: "k8s.io.api.core.v1.PersistentVolumeClaimVolumeSource", shape: Struct, fields: &[
        f(1, "claimName", Str, One, 0),
        f(2, "readOnly", Bool, One, OE),
    ] },
    // 26
    Message { name: "k8s.io.api.core.v1.RBDVolumeSource", shape: Struct, fields: &[
        f(1, "monitors", Str, Rep, 0),
        f(2, "image", Str, One, 0),
        f(3, "fsType", Str, One, OE),
        f(4, "pool", Str, One, OE),
        f(5, "user", Str, One, OE),
        f(6, "keyring", Str, One, OE),
        f(7, "secretRef", Msg(23), One, OE | PTR),
        f(8, "readOnly", Bool, One, OE),
    ] },
    // 27
    Message { name: "k8s.io.api.core.v1.FlexVolumeSource", shape: Struct, fields: &[
        f(1, "driver", Str, One, 0),
        f(2, "fsType", Str, One, OE),
        f(3, "secretRef", Msg(23), One, OE | PTR),
        f(4, "readOnly", Bool, One, OE),
        f(5, "options", Str, Map, OE),
    ] },
    // 28
    Message { name: "k8s.io.api.core.v1.CinderVolumeSource", shape: Struct, fields: &[
        f(1, "volumeID", Str, One, 0),
        f(2, "fsType", Str, One, OE),
        f(3, "readOnly", Bool, One, OE),
        f(4, "secretRef", Msg(23), One, OE | PTR),
    ] },
    // 29
    Message { name: "k8s.io.api.core.v1.CephFSVolumeSource", shape: Struct, fields: &[
        f(1, "monitors", Str, Rep, 0),
        f(2, "path", Str, One, OE),
        f(3, "user", Str, One, OE),
        f(4, "secretFile", Str, One, OE),
        f(5, "secretRef", Msg(23), One, OE | PTR),
        f(6, "readOnly", Bool, One, OE),
    ] },
    // 30
    Message { name: "k8s.io.api.core.v1.FlockerVolumeSource", shape: Struct, fields: &[
        f(1, "datasetName", Str, One, OE),
        f(2, "datasetUUID", Str, One, OE),
    ] },
    // 31
    Message { name: "k8s.io.api.core.v1.DownwardAPIVolumeSource", shape: Struct, fields: &[
        f(1, "items", Msg(32), Rep, OE),
        f(2, "defaultMode", I32, One, OE | PTR),
        f(3, "defaultUser", I64, One, OE | PTR),
    ] },
    // 32
    Message { name: "k8s.io.api.core.v1.DownwardAPIVolumeFile", shape: Struct, fields: &[
        f(1, "path", Str, One, 0),
        f(2, "fieldRef", Msg(33), One, OE | PTR),
        f(3, "resourceFieldRef", Msg(34), One, OE | PTR),
        f(4, "mode", I32, One, OE | PTR),
        f(5, "user", I64, One, OE | PTR),
    ] },
    // 33
    Message { name: "k8s.io.api.core.v1.ObjectFieldSelector", shape: Struct, fields: &[
        f(1, "apiVersion", Str, One, OE),
        f(2, "fieldPath", Str, One, 0),
    ] },
    // 34
    Message { name: "k8s.io.api.core.v1.ResourceFieldSelector", shape: Struct, fields: &[
        f(1, "containerName", Str, One, OE),
        f(2, "resource", Str, One, 0),
        f(3, "divisor", Msg(15), One, OE),
    ] },
    // 35
    Message { name: "k8s.io.api.core.v1.FCVolumeSource", shape: Struct, fields: &[
        f(1, "targetWWNs", Str, Rep, OE),
        f(2, "lun", I32, One, OE | PTR),
        f(3, "fsType", Str, One, OE),
        f(4, "readOnly", Bool, One, OE),
        f(5, "wwids", Str, Rep, OE),
    ] },
    // 36
    Message { name: "k8s.io.api.core.v1.AzureFileVolumeSource", shape: Struct, fields: &[
        f(1, "secretName", Str, One, 0),
        f(2, "shareName", Str, One, 0),
        f(3, "readOnly", Bool, One, OE),
    ] },
    // 37
    Message { name: "k8s.io.api.core.v1.ConfigMapVolumeSource", shape: Struct, fields: &[
        f(1, "localObjectReference", Msg(23), One, INL),
        f(2, "items", Msg(20), Rep, OE),
        f(3, "defaultMode", I32, One, OE | PTR),
        f(4, "optional", Bool, One, OE | PTR),
        f(5, "defaultUser", I64, One, OE | PTR),
    ] },
    // 38
    Message { name: "k8s.io.api.core.v1.VsphereVirtualDiskVolumeSource", shape: Struct, fields: &[
        f(1, "volumePath", Str, One, 0),
        f(2, "fsType", Str, One, OE),
        f(3, "storagePolicyName", Str, One, OE),
        f(4, "storagePolicyID", Str, One, OE),
    ] },
    // 39
    Message { name: "k8s.io.api.core.v1.QuobyteVolumeSource", shape: Struct, fields: &[
        f(1, "registry", Str, One, 0),
        f(2, "volume", Str, One, 0),
        f(3, "readOnly", Bool, One, OE),
        f(4, "user", Str, One, OE),
        f(5, "group", Str, One, OE),
        f(6, "tenant", Str, One, OE),
    ] },
    // 40
    Message { name: "k8s.io.api.core.v1.AzureDiskVolumeSource", shape: Struct, fields: &[
        f(1, "diskName", Str, One, 0),
        f(2, "diskURI", Str, One, 0),
        f(3, "cachingMode", Str, One, OE | PTR),
        f(4, "fsType", Str, One, OE | PTR),
        f(5, "readOnly", Bool, One, OE | PTR),
        f(6, "kind", Str, One, OE | PTR),
    ] },
    // 41
    Message { name: "k8s.io.api.core.v1.PhotonPersistentDiskVolumeSource", shape: Struct, fields: &[
        f(1, "pdID", Str, One, 0),
        f(2, "fsType", Str, One, OE),
    ] },
    // 42
    Message { name: "k8s.io.api.core.v1.ProjectedVolumeSource", shape: Struct, fields: &[
        f(1, "sources", Msg(43), Rep, 0),
        f(2, "defaultMode", I32, One, OE | PTR),
        f(3, "defaultUser", I64, One, OE | PTR),
    ] },
    // 43
    Message { name: "k8s.io.api.core.v1.VolumeProjection", shape: Struct, fields: &[
        f(1, "secret", Msg(44), One, OE | PTR),
        f(2, "downwardAPI", Msg(45), One, OE | PTR),
        f(3, "configMap", Msg(46), One, OE | PTR),
        f(4, "serviceAccountToken", Msg(47), One, OE | PTR),
        f(5, "clusterTrustBundle", Msg(48), One, OE | PTR),
        f(6, "podCertificate", Msg(51), One, OE | PTR),
    ] },
    // 44
    Message { name: "k8s.io.api.core.v1.SecretProjection", shape: Struct, fields: &[
        f(1, "localObjectReference", Msg(23), One, INL),
        f(2, "items", Msg(20), Rep, OE),
        f(4, "optional", Bool, One, OE | PTR),
    ] },
    // 45
    Message { name: "k8s.io.api.core.v1.DownwardAPIProjection", shape: Struct, fields: &[
        f(1, "items", Msg(32), Rep, OE),
    ] },
    // 46
    Message { name: "k8s.io.api.core.v1.ConfigMapProjection", shape: Struct, fields: &[
        f(1, "localObjectReference", Msg(23), One, INL),
        f(2, "items", Msg(20), Rep, OE),
        f(4, "optional", Bool, One, OE | PTR),
    ] },
    // 47
    Message { name: "k8s.io.api.core.v1.ServiceAccountTokenProjection", shape: Struct, fields: &[
        f(1, "audience", Str, One, OE),
        f(2, "expirationSeconds", I64, One, OE | PTR),
        f(3, "path", Str, One, 0),
        f(4, "user", I64, One, OE | PTR),
    ] },
    // 48
    Message { name: "k8s.io.api.core.v1.ClusterTrustBundleProjection", shape: Struct, fields: &[
        f(1, "name", Str, One, OE | PTR),
        f(2, "signerName", Str, One, OE | PTR),
        f(3, "labelSelector", Msg(49), One, OE | PTR),
        f(5, "optional", Bool, One, OE | PTR),
        f(4, "path", Str, One, 0),
        f(6, "user", I64, One, OE | PTR),
    ] },
    // 49
    Message { name: "k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelector", shape: Struct, fields: &[
        f(1, "matchLabels", Str, Map, OE),
        f(2, "matchExpressions", Msg(50), Rep, OE),
    ] },
    // 50
    Message { name: "k8s.io.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement", shape: Struct, fields: &[
        f(1, "key", Str, One, 0),
        f(2, "operator", Str, One, 0),
        f(3, "values", Str, Rep, OE),
    ] },
    // 51
    Message { name: "k8s.io.api.core.v1.PodCertificateProjection", shape: Struct, fields: &[
        f(1, "signerName", Str, One, OE),
        f(2, "keyType", Str, One, OE),
        f(3, "maxExpirationSeconds", I32, One, OE | PTR),
        f(4, "credentialBundlePath", Str, One, OE),
        f(5, "keyPath", Str, One, OE),
        f(6, "certificateChainPath", Str, One, OE),
        f(7, "userAnnotations", Str, Map, OE),
        f(8, "user", I64, One, OE | PTR),
    ] },
    // 52
    Message { name: "k8s.io.api.core.v1.PortworxVolumeSource", shape: Struct, fields: &[
        f(1, "volumeID", Str, One, 0),
        f(2, "fsType", Str, One, OE),
        f(3, "readOnly", Bool, One, OE),
    ] },
    // 53
    Message { name: "k8s.io.api.core.v1.ScaleIOVolumeSource", shape: Struct, fields: &[
        f(1, "gateway", Str, One, 0),
        f(2, "system", Str, One, 0),
        f(3, "secretRef", Msg(23), One, PTR),
        f(4, "sslEnabled", Bool, One, OE),
        f(5, "protectionDomain", Str, One, OE),
        f(6, "storagePool", Str, One, OE),
        f(7, "storageMode", Str, One, OE),
        f(8, "volumeName", Str, One, OE),
        f(9, "fsType", Str, One, OE),
        f(10, "readOnly", Bool, One, OE),
    ] },
    // 54
    Message { name: "k8s.io.api.core.v1.StorageOSVolumeSource", shape: Struct, fields: &[
        f(1, "volumeName", Str, One, OE),
        f(2, "volumeNamespace", Str, One, OE),
        f(3, "fsType", Str, One, OE),
        f(4, "readOnly", Bool, One, OE),
        f(5, "secretRef", Msg(23), One, OE | PTR),
    ] },
    // 55
    Message { name: "k8s.io.api.core.v1.CSIVolumeSource", shape: Struct, fields: &[
        f(1, "driver", Str, One, 0),
        f(2, "readOnly", Bool, One, OE | PTR),
        f(3, "fsType", Str, One, OE | PTR),
        f(4, "volumeAttributes", Str, Map, OE),
        f(5, "nodePublishSecretRef", Msg(23), One, OE | PTR),
    ] },
    // 56
    Message { name: "k8s.io.api.core.v1.EphemeralVolumeSource", shape: Struct, fields: &[
        f(1, "volumeClaimTemplate", Msg(57), One, OE | PTR),
    ] },
    // 57
    Message { name: "k8s.io.api.core.v1.PersistentVolumeClaimTemplate", shape: Struct, fields: &[
        f(1, "metadata", Msg(1), One, OE),
        f(2, "spec", Msg(58), One, 0),
    ] },
    // 58
    Message { name: "k8s.io.api.core.v1.PersistentVolumeClaimSpec", shape: Struct, fields: &[
        f(1, "accessModes", Str, Rep, OE),
        f(4, "selector", Msg(49), One, OE | PTR),
        f(2, "resources", Msg(59), One, OE),
        f(3, "volumeName", Str, One, OE),
        f(5, "storageClassName", Str, One, OE | PTR),
        f(6, "volumeMode", Str, One, OE | PTR),
        f(7, "dataSource", Msg(60), One, OE | PTR),
        f(8, "dataSourceRef", Msg(61), One, OE | PTR),
        f(9, "volumeAttributesClassName", Str, One, OE | PTR),
    ] },
    // 59
    Message { name: "k8s.io.api.core.v1.VolumeResourceRequirements", shape: Struct, fields: &[
        f(1, "limits", Msg(15), Map, OE),
        f(2, "requests", Msg(15), Map, OE),
    ] },
    // 60
    Message { name: "k8s.io.api.core.v1.TypedLocalObjectReference", shape: Struct, fields: &[
        f(1, "apiGroup", Str, One, PTR),
        f(2, "kind", Str, One, 0),
        f(3, "name", Str, One, 0),
    ] },
    // 61
    Message { name: "k8s.io.api.core.v1.TypedObjectReference", shape: Struct, fields: &[
        f(1, "apiGroup", Str, One, PTR),
        f(2, "kind", Str, One, 0),
        f(3, "name", Str, One, 0),
        f(4, "namespace", Str, One, OE | PTR),
    ] },
    // 62
    Message { name: "k8s.io.api.core.v1.ImageVolumeSource", shape: Struct, fields: &[
        f(1, "reference", Str, One, OE),
        f(2, "pullPolicy", Str, One, OE),
    ] },
    // 63
    Message { name: "k8s.io.api.core.v1.Container", shape: Struct, fields: &[
        f(1, "name", Str, One, 0),
        f(2, "image", Str, One, OE),
        f(3, "command", Str, Rep, OE),
        f(4, "args", Str, Rep, OE),
        f(5, "workingDir", Str, One, OE),
        f(6, "ports", Msg(64), Rep, OE),
        f(19, "envFrom", Msg(65), Rep, OE),
        f(7, "env", Msg(68), Rep, OE),
        f(8, "resources", Msg(73), One, OE),
        f(23, "resizePolicy", Msg(75), Rep, OE),
        f(24, "restartPolicy", Str, One, OE | PTR),
        f(25, "restartPolicyRules", Msg(76), Rep, OE),
        f(9, "volumeMounts", Msg(78), Rep, OE),
        f(21, "volumeDevices", Msg(79), Rep, OE),
        f(10, "livenessProbe", Msg(80), One, OE | PTR),
        f(11, "readinessProbe", Msg(80), One, OE | PTR),
        f(22, "startupProbe", Msg(80), One, OE | PTR),
        f(12, "lifecycle", Msg(88), One, OE | PTR),
        f(13, "terminationMessagePath", Str, One, OE),
        f(20, "terminationMessagePolicy", Str, One, OE),
        f(14, "imagePullPolicy", Str, One, OE),
        f(15, "securityContext", Msg(91), One, OE | PTR),
        f(16, "stdin", Bool, One, OE),
        f(17, "stdinOnce", Bool, One, OE),
        f(18, "tty", Bool, One, OE),
    ] },
    // 64
    Message { name: "k8s.io.api.core.v1.ContainerPort", shape: Struct, fields: &[
        f(1, "name", Str, One, OE),
        f(2, "hostPort", I32, One, OE),
        f(3, "containerPort", I32, One, 0),
        f(4, "protocol", Str, One, OE),
        f(5, "hostIP", Str, One, OE),
    ] },
    // 65
    Message { name: "k8s.io.api.core.v1.EnvFromSource", shape: Struct, fields: &[
        f(1, "prefix", Str, One, OE),
        f(2, "configMapRef", Msg(66), One, OE | PTR),
        f(3, "secretRef", Msg(67), One, OE | PTR),
    ] },
    // 66
    Message { name: "k8s.io.api.core.v1.ConfigMapEnvSource", shape: Struct, fields: &[
        f(1, "localObjectReference", Msg(23), One, INL),
        f(2, "optional", Bool, One, OE | PTR),
    ] },
    // 67
    Message { name: "k8s.io.api.core.v1.SecretEnvSource", shape: Struct, fields: &[
        f(1, "localObjectReference", Msg(23), One, INL),
        f(2, "optional", Bool, One, OE | PTR),
    ] },
    // 68
    Message { name: "k8s.io.api.core.v1.EnvVar", shape: Struct, fields: &[
        f(1, "name", Str, One, 0),
        f(2, "value", Str, One, OE),
        f(3, "valueFrom", Msg(69), One, OE | PTR),
    ] },
    // 69
    Message { name: "k8s.io.api.core.v1.EnvVarSource", shape: Struct, fields: &[
        f(1, "fieldRef", Msg(33), One, OE | PTR),
        f(2, "resourceFieldRef", Msg(34), One, OE | PTR),
        f(3, "configMapKeyRef", Msg(70), One, OE | PTR),
        f(4, "secretKeyRef", Msg(71), One, OE | PTR),
        f(5, "fileKeyRef", Msg(72), One, OE | PTR),
    ] },
    // 70
    Message { name: "k8s.io.api.core.v1.ConfigMapKeySelector", shape: Struct, fields: &[
        f(1, "localObjectReference", Msg(23), One, INL),
        f(2, "key", Str, One, 0),
        f(3, "optional", Bool, One, OE | PTR),
    ] },
    // 71
    Message { name: "k8s.io.api.core.v1.SecretKeySelector", shape: Struct, fields: &[
        f(1, "localObjectReference", Msg(23), One, INL),
        f(2, "key", Str, One, 0),
        f(3, "optional", Bool, One, OE | PTR),
    ] },
    // 72
    Message { name: "k8s.io.api.core.v1.FileKeySelector", shape: Struct, fields: &[
        f(1, "volumeName", Str, One, 0),
        f(2, "path", Str, One, 0),
        f(3, "key", Str, One, 0),
        f(4, "optional", Bool, One, OE | PTR),
    ] },
    // 73
    Message { name: "k8s.io.api.core.v1.ResourceRequirements", shape: Struct, fields: &[
        f(1, "limits", Msg(15), Map, OE),
        f(2, "requests", Msg(15), Map, OE),
        f(3, "claims", Msg(74), Rep, OE),
    ] },
    // 74
    Message { name: "k8s.io.api.core.v1.ResourceClaim", shape: Struct, fields: &[
        f(1, "name", Str, One, 0),
        f(2, "request", Str, One, OE),
    ] },
    // 75
    Message { name: "k8s.io.api.core.v1.ContainerResizePolicy", shape: Struct, fields: &[
        f(1, "resourceName", Str, One, 0),
        f(2, "restartPolicy", Str, One, 0),
    ] },
    // 76
    Message { name: "k8s.io.api.core.v1.ContainerRestartRule", shape: Struct, fields: &[
        f(1, "action", Str, One, OE),
        f(2, "exitCodes", Msg(77), One, OE | PTR),
    ] },
    // 77
    Message { name: "k8s.io.api.core.v1.ContainerRestartRuleOnExitCodes", shape: Struct, fields: &[
        f(1, "operator", Str, One, OE),
        f(2, "values", I32, Rep, OE),
    ] },
    // 78
    Message { name: "k8s.io.api.core.v1.VolumeMount", shape: Struct, fields: &[
        f(1, "name", Str, One, 0),
        f(2, "readOnly", Bool, One, OE),
        f(7, "recursiveReadOnly", Str, One, OE | PTR),
        f(3, "mountPath", Str, One, 0),
        f(4, "subPath", Str, One, OE),
        f(5, "mountPropagation", Str, One, OE | PTR),
        f(6, "subPathExpr", Str, One, OE),
        f(8, "bindMountOptions", Str, Rep, OE),
    ] },
    // 79
    Message { name: "k8s.io.api.core.v1.VolumeDevice", shape: Struct, fields: &[
        f(1, "name", Str, One, 0),
        f(2, "devicePath", Str, One, 0),
    ] },
    // 80
    Message { name: "k8s.io.api.core.v1.Probe", shape: Struct, fields: &[
        f(1, "handler", Msg(81), One, INL),
        f(2, "initialDelaySeconds", I32, One, OE),
        f(3, "timeoutSeconds", I32, One, OE),
        f(4, "periodSeconds", I32, One, OE),
        f(5, "successThreshold", I32, One, OE),
        f(6, "failureThreshold", I32, One, OE),
        f(7, "terminationGracePeriodSeconds", I64, One, OE | PTR),
    ] },
    // 81
    Message { name: "k8s.io.api.core.v1.ProbeHandler", shape: Struct, fields: &[
        f(1, "exec", Msg(82), One, OE | PTR),
        f(2, "httpGet", Msg(83), One, OE | PTR),
        f(3, "tcpSocket", Msg(86), One, OE | PTR),
        f(4, "grpc", Msg(87), One, OE | PTR),
    ] },
    // 82
    Message { name: "k8s.io.api.core.v1.ExecAction", shape: Struct, fields: &[
        f(1, "command", Str, Rep, OE),
    ] },
    // 83
    Message { name: "k8s.io.api.core.v1.HTTPGetAction", shape: Struct, fields: &[
        f(1, "path", Str, One, OE),
        f(2, "port", Msg(84), One, 0),
        f(3, "host", Str, One, OE),
        f(4, "scheme", Str, One, OE),
        f(5, "httpHeaders", Msg(85), Rep, OE),
        f(6, "protocol", Str, One, OE | PTR),
    ] },
    // 84
    Message { name: "k8s.io.apimachinery.pkg.util.intstr.IntOrString", shape: IntOrString, fields: &[
        f(1, "type", I64, One, 0),
        f(2, "intVal", I32, One, 0),
        f(3, "strVal", Str, One, 0),
    ] },
    // 85
    Message { name: "k8s.io.api.core.v1.HTTPHeader", shape: Struct, fields: &[
        f(1, "name", Str, One, 0),
        f(2, "value", Str, One, 0),
    ] },
    // 86
    Message { name: "k8s.io.api.core.v1.TCPSocketAction", shape: Struct, fields: &[
        f(1, "port", Msg(84), One, 0),
        f(2, "host", Str, One, OE),
    ] },
    // 87
    Message { name: "k8s.io.api.core.v1.GRPCAction", shape: Struct, fields: &[
        f(1, "port", I32, One, 0),
        f(2, "service", Str, One, PTR),
        f(3, "mode", Str, One, OE | PTR),
    ] },
    // 88
    Message { name: "k8s.io.api.core.v1.Lifecycle", shape: Struct, fields: &[
        f(1, "postStart", Msg(89), One, OE | PTR),
        f(2, "preStop", Msg(89), One, OE | PTR),
        f(3, "stopSignal", Str, One, OE | PTR),
    ] },
    // 89
    Message { name: "k8s.io.api.core.v1.LifecycleHandler", shape: Struct, fields: &[
        f(1, "exec", Msg(82), One, OE | PTR),
        f(2, "httpGet", Msg(83), One, OE | PTR),
        f(3, "tcpSocket", Msg(86), One, OE | PTR),
        f(4, "sleep", Msg(90), One, OE | PTR),
    ] },
    // 90
    Message { name: "k8s.io.api.core.v1.SleepAction", shape: Struct, fields: &[
        f(1, "seconds", I64, One, 0),
    ] },
    // 91
    Message { name: "k8s.io.api.core.v1.SecurityContext", shape: Struct, fields: &[
        f(1, "capabilities", Msg(92), One, OE | PTR),
        f(2, "privileged", Bool, One, OE | PTR),
        f(3, "seLinuxOptions", Msg(93), One, OE | PTR),
        f(10, "windowsOptions", Msg(94), One, OE | PTR),
        f(4, "runAsUser", I64, One, OE | PTR),
        f(8, "runAsGroup", I64, One, OE | PTR),
        f(5, "runAsNonRoot", Bool, One, OE | PTR),
        f(6, "readOnlyRootFilesystem", Bool, One, OE | PTR),
        f(7, "allowPrivilegeEscalation", Bool, One, OE | PTR),
        f(9, "procMount", Str, One, OE | PTR),
        f(11, "seccompProfile", Msg(95), One, OE | PTR),
        f(12, "appArmorProfile", Msg(96), One, OE | PTR),
    ] },
    // 92
    Message { name: "k8s.io.api.core.v1.Capabilities", shape: Struct, fields: &[
        f(1, "add", Str, Rep, OE),
        f(2, "drop", Str, Rep, OE),
    ] },
    // 93
    Message { name: "k8s.io.api.core.v1.SELinuxOptions", shape: Struct, fields: &[
        f(1, "user", Str, One, OE),
        f(2, "role", Str, One, OE),
        f(3, "type", Str, One, OE),
        f(4, "level", Str, One, OE),
    ] },
    // 94
    Message { name: "k8s.io.api.core.v1.WindowsSecurityContextOptions", shape: Struct, fields: &[
        f(1, "gmsaCredentialSpecName", Str, One, OE | PTR),
        f(2, "gmsaCredentialSpec", Str, One, OE | PTR),
        f(3, "runAsUserName", Str, One, OE | PTR),
        f(4, "hostProcess", Bool, One, OE | PTR),
    ] },
    // 95
    Message { name: "k8s.io.api.core.v1.SeccompProfile", shape: Struct, fields: &[
        f(1, "type", Str, One, 0),
        f(2, "localhostProfile", Str, One, OE | PTR),
    ] },
    // 96
    Message { name: "k8s.io.api.core.v1.AppArmorProfile", shape: Struct, fields: &[
        f(1, "type", Str, One, 0),
        f(2, "localhostProfile", Str, One, OE | PTR),
    ] },
    // 97
    Message { name: "k8s.io.api.core.v1.EphemeralContainer", shape: Struct, fields: &[
        f(1, "ephemeralContainerCommon", Msg(98), One, INL),
        f(2, "targetContainerName", Str, One, OE),
    ] },
    // 98
    Message { name: "k8s.io.api.core.v1.EphemeralContainerCommon", shape: Struct, fields: &[
        f(1, "name", Str, One, 0),
        f(2, "image", Str, One, OE),
        f(3, "command", Str, Rep, OE),
        f(4, "args", Str, Rep, OE),
        f(5, "workingDir", Str, One, OE),
        f(6, "ports", Msg(64), Rep, OE),
        f(19, "envFrom", Msg(65), Rep, OE),
        f(7, "env", Msg(68), Rep, OE),
        f(8, "resources", Msg(73), One, OE),
        f(23, "resizePolicy", Msg(75), Rep, OE),
        f(24, "restartPolicy", Str, One, OE | PTR),
        f(25, "restartPolicyRules", Msg(76), Rep, OE),
        f(9, "volumeMounts", Msg(78), Rep, OE),
        f(21, "volumeDevices", Msg(79), Rep, OE),
        f(10, "livenessProbe", Msg(80), One, OE | PTR),
        f(11, "readinessProbe", Msg(80), One, OE | PTR),
        f(22, "startupProbe", Msg(80), One, OE | PTR),
        f(12, "lifecycle", Msg(88), One, OE | PTR),
        f(13, "terminationMessagePath", Str, One, OE),
        f(20, "terminationMessagePolicy", Str, One, OE),
        f(14, "imagePullPolicy", Str, One, OE),
        f(15, "securityContext", Msg(91), One, OE | PTR),
        f(16, "stdin", Bool, One, OE),
        f(17, "stdinOnce", Bool, One, OE),
        f(18, "tty", Bool, One, OE),
    ] },
    // 99
    Message { name: "k8s.io.api.core.v1.PodSecurityContext", shape: Struct, fields: &[
        f(1, "seLinuxOptions", Msg(93), One, OE | PTR),
        f(8, "windowsOptions", Msg(94), One, OE | PTR),
        f(2, "runAsUser", I64, One, OE | PTR),
        f(6, "runAsGroup", I64, One, OE | PTR),
        f(3, "runAsNonRoot", Bool, One, OE | PTR),
        f(4, "supplementalGroups", I64, Rep, OE),
        f(12, "supplementalGroupsPolicy", Str, One, OE | PTR),
        f(5, "fsGroup", I64, One, OE | PTR),
        f(7, "sysctls", Msg(100), Rep, OE),
        f(9, "fsGroupChangePolicy", Str, One, OE | PTR),
        f(10, "seccompProfile", Msg(95), One, OE | PTR),
        f(11, "appArmorProfile", Msg(96), One, OE | PTR),
        f(13, "seLinuxChangePolicy", Str, One, OE | PTR),
    ] },
    // 100
    Message { name: "k8s.io.api.core.v1.Sysctl", shape: Struct, fields: &[
        f(1, "name", Str, One, 0),
        f(2, "value", Str, One, 0),
    ] },
    // 101
    Message { name: "k8s.io.api.core.v1.Affinity", shape: Struct, fields: &[
        f(1, "nodeAffinity", Msg(102), One, OE | PTR),
        f(2, "podAffinity", Msg(107), One, OE | PTR),
        f(3, "podAntiAffinity", Msg(110), One, OE | PTR),
    ] },
    // 102
    Message { name: "k8s.io.api.core.v1.NodeAffinity", shape: Struct, fields: &[
        f(1, "requiredDuringSchedulingIgnoredDuringExecution", Msg(103), One, OE | PTR),
        f(2, "preferredDuringSchedulingIgnoredDuringExecution", Msg(106), Rep, OE),
    ] },
    // 103
    Message { name: "k8s.io.api.core.v1.NodeSelector", shape: Struct, fields: &[
        f(1, "nodeSelectorTerms", Msg(104), Rep, 0),
    ] },
    // 104
    Message { name: "k8s.io.api.core.v1.NodeSelectorTerm", shape: Struct, fields: &[
        f(1, "matchExpressions", Msg(105), Rep, OE),
        f(2, "matchFields", Msg(105), Rep, OE),
    ] },
    // 105
    Message { name: "k8s.io.api.core.v1.NodeSelectorRequirement", shape: Struct, fields: &[
        f(1, "key", Str, One, 0),
        f(2, "operator", Str, One, 0),
        f(3, "values", Str, Rep, OE),
    ] },
    // 106
    Message { name: "k8s.io.api.core.v1.PreferredSchedulingTerm", shape: Struct, fields: &[
        f(1, "weight", I32, One, 0),
        f(2, "preference", Msg(104), One, 0),
    ] },
    // 107
    Message { name: "k8s.io.api.core.v1.PodAffinity", shape: Struct, fields: &[
        f(1, "requiredDuringSchedulingIgnoredDuringExecution", Msg(108), Rep, OE),
        f(2, "preferredDuringSchedulingIgnoredDuringExecution", Msg(109), Rep, OE),
    ] },
    // 108
    Message { name: "k8s.io.api.core.v1.PodAffinityTerm", shape: Struct, fields: &[
        f(1, "labelSelector", Msg(49), One, OE | PTR),
        f(2, "namespaces", Str, Rep, OE),
        f(3, "topologyKey", Str, One, 0),
        f(4, "namespaceSelector", Msg(49), One, OE | PTR),
        f(5, "matchLabelKeys", Str, Rep, OE),
        f(6, "mismatchLabelKeys", Str, Rep, OE),
    ] },
    // 109
    Message { name: "k8s.io.api.core.v1.WeightedPodAffinityTerm", shape: Struct, fields: &[
        f(1, "weight", I32, One, 0),
        f(2, "podAffinityTerm", Msg(108), One, 0),
    ] },
    // 110
    Message { name: "k8s.io.api.core.v1.PodAntiAffinity", shape: Struct, fields: &[
        f(1, "requiredDuringSchedulingIgnoredDuringExecution", Msg(108), Rep, OE),
        f(2, "preferredDuringSchedulingIgnoredDuringExecution", Msg(109), Rep, OE),
    ] },
    // 111
    Message { name: "k8s.io.api.core.v1.Toleration", shape: Struct, fields: &[
        f(1, "key", Str, One, OE),
        f(2, "operator", Str, One, OE),
        f(3, "value", Str, One, OE),
        f(4, "effect", Str, One, OE),
        f(5, "tolerationSeconds", I64, One, OE | PTR),
    ] },
    // 112
    Message { name: "k8s.io.api.core.v1.HostAlias", shape: Struct, fields: &[
        f(1, "ip", Str, One, 0),
        f(2, "hostnames", Str, Rep, OE),
    ] },
    // 113
    Message { name: "k8s.io.api.core.v1.PodDNSConfig", shape: Struct, fields: &[
        f(1, "nameservers", Str, Rep, OE),
        f(2, "searches", Str, Rep, OE),
        f(3, "options", Msg(114), Rep, OE),
    ] },
    // 114
    Message { name: "k8s.io.api.core.v1.PodDNSConfigOption", shape: Struct, fields: &[
        f(1, "name", Str, One, OE),
        f(2, "value", Str, One, OE | PTR),
    ] },
    // 115
    Message { name: "k8s.io.api.core.v1.PodReadinessGate", shape: Struct, fields: &[
        f(1, "conditionType", Str, One, 0),
    ] },
    // 116
    Message { name: "k8s.io.api.core.v1.TopologySpreadConstraint", shape: Struct, fields: &[
        f(1, "maxSkew", I32, One, 0),
        f(2, "topologyKey", Str, One, 0),
        f(3, "whenUnsatisfiable", Str, One, 0),
        f(4, "labelSelector", Msg(49), One, OE | PTR),
        f(5, "minDomains", I32, One, OE | PTR),
        f(6, "nodeAffinityPolicy", Str, One, OE | PTR),
        f(7, "nodeTaintsPolicy", Str, One, OE | PTR),
        f(8, "matchLabelKeys", Str, Rep, OE),
    ] },
    // 117
    Message { name: "k8s.io.api.core.v1.PodOS", shape: Struct, fields: &[
        f(1, "name", Str, One, 0),
    ] },
    // 118
    Message { name: "k8s.io.api.core.v1.PodSchedulingGate", shape: Struct, fields: &[
        f(1, "name", Str, One, 0),
    ] },
    // 119
    Message { name: "k8s.io.api.core.v1.PodResourceClaim", shape: Struct, fields: &[
        f(1, "name", Str, One, 0),
        f(3, "resourceClaimName", Str, One, OE | PTR),
        f(4, "resourceClaimTemplateName", Str, One, OE | PTR),
    ] },
    // 120
    Message { name: "k8s.io.api.core.v1.PodSchedulingGroup", shape: Struct, fields: &[
        f(1, "podGroupName", Str, One, OE | PTR),
    ] },
    // 121
    Message { name: "k8s.io.api.core.v1.EvictionResponder", shape: Struct, fields: &[
        f(1, "name", Str, One, 0),
        f(2, "priority", I32, One, PTR),
    ] },
    // 122
    Message { name: "k8s.io.api.core.v1.PodStatus", shape: Struct, fields: &[
        f(17, "observedGeneration", I64, One, OE),
        f(1, "phase", Str, One, OE),
        f(2, "conditions", Msg(123), Rep, OE),
        f(3, "message", Str, One, OE),
        f(4, "reason", Str, One, OE),
        f(11, "nominatedNodeName", Str, One, OE),
        f(5, "hostIP", Str, One, OE),
        f(16, "hostIPs", Msg(124), Rep, OE),
        f(6, "podIP", Str, One, OE),
        f(12, "podIPs", Msg(125), Rep, OE),
        f(7, "startTime", Msg(2), One, OE | PTR),
        f(10, "initContainerStatuses", Msg(126), Rep, OE),
        f(8, "containerStatuses", Msg(126), Rep, OE),
        f(9, "qosClass", Str, One, OE),
        f(13, "ephemeralContainerStatuses", Msg(126), Rep, OE),
        f(14, "resize", Str, One, OE),
        f(15, "resourceClaimStatuses", Msg(138), Rep, OE),
        f(18, "extendedResourceClaimStatus", Msg(139), One, OE | PTR),
        f(19, "allocatedResources", Msg(15), Map, OE),
        f(20, "resources", Msg(73), One, OE | PTR),
        f(21, "nodeAllocatableResourceClaimStatuses", Msg(141), Rep, OE),
        f(22, "volumeHealth", Msg(144), Rep, OE),
    ] },
    // 123
    Message { name: "k8s.io.api.core.v1.PodCondition", shape: Struct, fields: &[
        f(1, "type", Str, One, 0),
        f(7, "observedGeneration", I64, One, OE),
        f(2, "status", Str, One, 0),
        f(3, "lastProbeTime", Msg(2), One, OE),
        f(4, "lastTransitionTime", Msg(2), One, OE),
        f(5, "reason", Str, One, OE),
        f(6, "message", Str, One, OE),
    ] },
    // 124
    Message { name: "k8s.io.api.core.v1.HostIP", shape: Struct, fields: &[
        f(1, "ip", Str, One, 0),
    ] },
    // 125
    Message { name: "k8s.io.api.core.v1.PodIP", shape: Struct, fields: &[
        f(1, "ip", Str, One, 0),
    ] },
    // 126
    Message { name: "k8s.io.api.core.v1.ContainerStatus", shape: Struct, fields: &[
        f(1, "name", Str, One, 0),
        f(2, "state", Msg(127), One, OE),
        f(3, "lastState", Msg(127), One, OE),
        f(4, "ready", Bool, One, 0),
        f(5, "restartCount", I32, One, 0),
        f(6, "image", Str, One, 0),
        f(7, "imageID", Str, One, 0),
        f(8, "containerID", Str, One, OE),
        f(9, "started", Bool, One, OE | PTR),
        f(10, "allocatedResources", Msg(15), Map, OE),
        f(11, "resources", Msg(73), One, OE | PTR),
        f(12, "volumeMounts", Msg(131), Rep, OE),
        f(13, "user", Msg(134), One, OE | PTR),
        f(14, "allocatedResourcesStatus", Msg(136), Rep, OE),
        f(15, "stopSignal", Str, One, OE | PTR),
    ] },
    // 127
    Message { name: "k8s.io.api.core.v1.ContainerState", shape: Struct, fields: &[
        f(1, "waiting", Msg(128), One, OE | PTR),
        f(2, "running", Msg(129), One, OE | PTR),
        f(3, "terminated", Msg(130), One, OE | PTR),
    ] },
    // 128
    Message { name: "k8s.io.api.core.v1.ContainerStateWaiting", shape: Struct, fields: &[
        f(1, "reason", Str, One, OE),
        f(2, "message", Str, One, OE),
    ] },
    // 129
    Message { name: "k8s.io.api.core.v1.ContainerStateRunning", shape: Struct, fields: &[
        f(1, "startedAt", Msg(2), One, OE),
    ] },
    // 130
    Message { name: "k8s.io.api.core.v1.ContainerStateTerminated", shape: Struct, fields: &[
        f(1, "exitCode", I32, One, 0),
        f(2, "signal", I32, One, OE),
        f(3, "reason", Str, One, OE),
        f(4, "message", Str, One, OE),
        f(5, "startedAt", Msg(2), One, OE),
        f(6, "finishedAt", Msg(2), One, OE),
        f(7, "containerID", Str, One, OE),
    ] },
    // 131
    Message { name: "k8s.io.api.core.v1.VolumeMountStatus", shape: Struct, fields: &[
        f(1, "name", Str, One, 0),
        f(2, "mountPath", Str, One, 0),
        f(3, "readOnly", Bool, One, OE),
        f(4, "recursiveReadOnly", Str, One, OE | PTR),
        f(5, "volumeStatus", Msg(132), One, OE | PTR),
    ] },
    // 132
    Message { name: "k8s.io.api.core.v1.VolumeStatus", shape: Struct, fields: &[
        f(1, "image", Msg(133), One, OE | PTR),
    ] },
    // 133
    Message { name: "k8s.io.api.core.v1.ImageVolumeStatus", shape: Struct, fields: &[
        f(1, "imageRef", Str, One, OE),
    ] },
    // 134
    Message { name: "k8s.io.api.core.v1.ContainerUser", shape: Struct, fields: &[
        f(1, "linux", Msg(135), One, OE | PTR),
    ] },
    // 135
    Message { name: "k8s.io.api.core.v1.LinuxContainerUser", shape: Struct, fields: &[
        f(1, "uid", I64, One, 0),
        f(2, "gid", I64, One, 0),
        f(3, "supplementalGroups", I64, Rep, OE),
    ] },
    // 136
    Message { name: "k8s.io.api.core.v1.ResourceStatus", shape: Struct, fields: &[
        f(1, "name", Str, One, 0),
        f(2, "resources", Msg(137), Rep, OE),
    ] },
    // 137
    Message { name: "k8s.io.api.core.v1.ResourceHealth", shape: Struct, fields: &[
        f(1, "resourceID", Str, One, 0),
        f(2, "health", Str, One, OE),
        f(6, "message", Str, One, OE | PTR),
    ] },
    // 138
    Message { name: "k8s.io.api.core.v1.PodResourceClaimStatus", shape: Struct, fields: &[
        f(1, "name", Str, One, 0),
        f(2, "resourceClaimName", Str, One, OE | PTR),
    ] },
    // 139
    Message { name: "k8s.io.api.core.v1.PodExtendedResourceClaimStatus", shape: Struct, fields: &[
        f(1, "requestMappings", Msg(140), Rep, 0),
        f(2, "resourceClaimName", Str, One, 0),
    ] },
    // 140
    Message { name: "k8s.io.api.core.v1.ContainerExtendedResourceRequest", shape: Struct, fields: &[
        f(1, "containerName", Str, One, 0),
        f(2, "resourceName", Str, One, 0),
        f(3, "requestName", Str, One, 0),
    ] },
    // 141
    Message { name: "k8s.io.api.core.v1.NodeAllocatableResourceClaimStatus", shape: Struct, fields: &[
        f(1, "resourceClaimName", Str, One, 0),
        f(2, "containers", Str, Rep, OE),
        f(4, "mapping", Msg(142), Rep, OE),
        f(5, "overhead", Msg(143), Rep, OE),
    ] },
    // 142
    Message { name: "k8s.io.api.core.v1.NodeAllocatableMappedResources", shape: Struct, fields: &[
        f(1, "name", Str, One, 0),
        f(2, "quantity", Msg(15), One, PTR),
    ] },
    // 143
    Message { name: "k8s.io.api.core.v1.NodeAllocatableOverheadResources", shape: Struct, fields: &[
        f(1, "name", Str, One, 0),
        f(2, "perPod", Msg(15), One, OE | PTR),
        f(3, "perContainer", Msg(15), One, OE | PTR),
    ] },
    // 144
    Message { name: "k8s.io.api.core.v1.PodVolumeHealth", shape: Struct, fields: &[
        f(1, "name", Str, One, 0),
        f(2, "healthConditions", Msg(145), Rep, OE),
        f(3, "lastTransitionTime", Msg(2), One, OE),
    ] },
    // 145
    Message { name: "k8s.io.api.core.v1.VolumeHealthCondition", shape: Struct, fields: &[
        f(1, "status", Str, One, 0),
        f(2, "reason", Str, One, 0),
        f(3, "message", Str, One, OE),
    ] },
    // 146
    Message { name: "k8s.io.api.core.v1.PodTemplate", shape: Struct, fields: &[
        f(1, "metadata", Msg(1), One, OE),
        f(2, "template", Msg(147), One, OE),
    ] },
    // 147
    Message { name: "k8s.io.api.core.v1.PodTemplateSpec", shape: Struct, fields: &[
        f(1, "metadata", Msg(1), One, OE),
        f(2, "spec", Msg(10), One, OE),
    ] },
    // 148
    Message { name: "k8s.io.api.core.v1.Service", shape: Struct, fields: &[
        f(1, "metadata", Msg(1), One, OE),
        f(2, "spec", Msg(149), One, OE),
        f(3, "status", Msg(153), One, OE),
    ] },
    // 149
    Message { name: "k8s.io.api.core.v1.ServiceSpec", shape: Struct, fields: &[
        f(1, "ports", Msg(150), Rep, OE),
        f(2, "selector", Str, Map, OE),
        f(3, "clusterIP", Str, One, OE),
        f(18, "clusterIPs", Str, Rep, OE),
        f(4, "type", Str, One, OE),
        f(5, "externalIPs", Str, Rep, OE),
        f(7, "sessionAffinity", Str, One, OE),
        f(8, "loadBalancerIP", Str, One, OE),
        f(9, "loadBalancerSourceRanges", Str, Rep, OE),
        f(10, "externalName", Str, One, OE),
        f(11, "externalTrafficPolicy", Str, One, OE),
        f(12, "healthCheckNodePort", I32, One, OE),
        f(13, "publishNotReadyAddresses", Bool, One, OE),
        f(14, "sessionAffinityConfig", Msg(151), One, OE | PTR),
        f(19, "ipFamilies", Str, Rep, OE),
        f(17, "ipFamilyPolicy", Str, One, OE | PTR),
        f(20, "allocateLoadBalancerNodePorts", Bool, One, OE | PTR),
        f(21, "loadBalancerClass", Str, One, OE | PTR),
        f(22, "internalTrafficPolicy", Str, One, OE | PTR),
        f(23, "trafficDistribution", Str, One, OE | PTR),
    ] },
    // 150
    Message { name: "k8s.io.api.core.v1.ServicePort", shape: Struct, fields: &[
        f(1, "name", Str, One, OE),
        f(2, "protocol", Str, One, OE),
        f(6, "appProtocol", Str, One, OE | PTR),
        f(3, "port", I32, One, 0),
        f(4, "targetPort", Msg(84), One, OE),
        f(5, "nodePort", I32, One, OE),
    ] },
    // 151
    Message { name: "k8s.io.api.core.v1.SessionAffinityConfig", shape: Struct, fields: &[
        f(1, "clientIP", Msg(152), One, OE | PTR),
    ] },
    // 152
    Message { name: "k8s.io.api.core.v1.ClientIPConfig", shape: Struct, fields: &[
        f(1, "timeoutSeconds", I32, One, OE | PTR),
    ] },
    // 153
    Message { name: "k8s.io.api.core.v1.ServiceStatus", shape: Struct, fields: &[
        f(1, "loadBalancer", Msg(154), One, OE),
        f(2, "conditions", Msg(157), Rep, OE),
    ] },
    // 154
    Message { name: "k8s.io.api.core.v1.LoadBalancerStatus", shape: Struct, fields: &[
        f(1, "ingress", Msg(155), Rep, OE),
    ] },
    // 155
    Message { name: "k8s.io.api.core.v1.LoadBalancerIngress", shape: Struct, fields: &[
        f(1, "ip", Str, One, OE),
        f(2, "hostname", Str, One, OE),
        f(3, "ipMode", Str, One, OE | PTR),
        f(4, "ports", Msg(156), Rep, OE),
    ] },
    // 156
    Message { name: "k8s.io.api.core.v1.PortStatus", shape: Struct, fields: &[
        f(1, "port", I32, One, 0),
        f(2, "protocol", Str, One, 0),
        f(3, "error", Str, One, OE | PTR),
    ] },
    // 157
    Message { name: "k8s.io.apimachinery.pkg.apis.meta.v1.Condition", shape: Struct, fields: &[
        f(1, "type", Str, One, 0),
        f(2, "status", Str, One, 0),
        f(3, "observedGeneration", I64, One, OE),
        f(4, "lastTransitionTime", Msg(2), One, 0),
        f(5, "reason", Str, One, 0),
        f(6, "message", Str, One, 0),
    ] },
    // 158
    Message { name: "k8s.io.api.core.v1.Endpoints", shape: Struct, fields: &[
        f(1, "metadata", Msg(1), One, OE),
        f(2, "subsets", Msg(159), Rep, OE),
    ] },
    // 159
    Message { name: "k8s.io.api.core.v1.EndpointSubset", shape: Struct, fields: &[
        f(1, "addresses", Msg(160), Rep, OE),
        f(2, "notReadyAddresses", Msg(160), Rep, OE),
        f(3, "ports", Msg(162), Rep, OE),
    ] },
    // 160
    Message { name: "k8s.io.api.core.v1.EndpointAddress", shape: Struct, fields: &[
        f(1, "ip", Str, One, 0),
        f(3, "hostname", Str, One, OE),
        f(4, "nodeName", Str, One, OE | PTR),
        f(2, "targetRef", Msg(161), One, OE | PTR),
    ] },
    // 161
    Message { name: "k8s.io.api.core.v1.ObjectReference", shape: Struct, fields: &[
        f(1, "kind", Str, One, OE),
        f(2, "namespace", Str, One, OE),
        f(3, "name", Str, One, OE),
        f(4, "uid", Str, One, OE),
        f(5, "apiVersion", Str, One, OE),
        f(6, "resourceVersion", Str, One, OE),
        f(7, "fieldPath", Str, One, OE),
    ] },
    // 162
    Message { name: "k8s.io.api.core.v1.EndpointPort", shape: Struct, fields: &[
        f(1, "name", Str, One, OE),
        f(2, "port", I32, One, 0),
        f(3, "protocol", Str, One, OE),
        f(4, "appProtocol", Str, One, OE | PTR),
    ] },
    // 163
    Message { name: "k8s.io.api.core.v1.ConfigMap", shape: Struct, fields: &[
        f(1, "metadata", Msg(1), One, OE),
        f(4, "immutable", Bool, One, OE | PTR),
        f(2, "data", Str, Map, OE),
        f(3, "binaryData", Bytes, Map, OE),
    ] },
    // 164
    Message { name: "k8s.io.api.core.v1.Secret", shape: Struct, fields: &[
        f(1, "metadata", Msg(1), One, OE),
        f(5, "immutable", Bool, One, OE | PTR),
        f(2, "data", Bytes, Map, OE),
        f(4, "stringData", Str, Map, OE),
        f(3, "type", Str, One, OE),
    ] },
    // 165
    Message { name: "k8s.io.api.core.v1.Event", shape: Struct, fields: &[
        f(1, "metadata", Msg(1), One, 0),
        f(2, "involvedObject", Msg(161), One, 0),
        f(3, "reason", Str, One, OE),
        f(4, "message", Str, One, OE),
        f(5, "source", Msg(166), One, OE),
        f(6, "firstTimestamp", Msg(2), One, OE),
        f(7, "lastTimestamp", Msg(2), One, OE),
        f(8, "count", I32, One, OE),
        f(9, "type", Str, One, OE),
        f(10, "eventTime", Msg(167), One, OE),
        f(11, "series", Msg(168), One, OE | PTR),
        f(12, "action", Str, One, OE),
        f(13, "related", Msg(161), One, OE | PTR),
        f(14, "reportingComponent", Str, One, 0),
        f(15, "reportingInstance", Str, One, 0),
    ] },
    // 166
    Message { name: "k8s.io.api.core.v1.EventSource", shape: Struct, fields: &[
        f(1, "component", Str, One, OE),
        f(2, "host", Str, One, OE),
    ] },
    // 167
    Message { name: "k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime", shape: MicroTime, fields: &[
        f(1, "seconds", I64, One, 0),
        f(2, "nanos", I32, One, 0),
    ] },
    // 168
    Message { name: "k8s.io.api.core.v1.EventSeries", shape: Struct, fields: &[
        f(1, "count", I32, One, OE),
        f(2, "lastObservedTime", Msg(167), One, OE),
    ] },
    // 169
    Message { name: "k8s.io.api.core.v1.ServiceAccount", shape: Struct, fields: &[
        f(1, "metadata", Msg(1), One, OE),
        f(2, "secrets", Msg(161), Rep, OE),
        f(3, "imagePullSecrets", Msg(23), Rep, OE),
        f(4, "automountServiceAccountToken", Bool, One, OE | PTR),
    ] },
    // 170
    Message { name: "k8s.io.api.core.v1.ResourceQuota", shape: Struct, fields: &[
        f(1, "metadata", Msg(1), One, OE),
        f(2, "spec", Msg(171), One, OE),
        f(3, "status", Msg(174), One, OE),
    ] },
    // 171
    Message { name: "k8s.io.api.core.v1.ResourceQuotaSpec", shape: Struct, fields: &[
        f(1, "hard", Msg(15), Map, OE),
        f(2, "scopes", Str, Rep, OE),
        f(3, "scopeSelector", Msg(172), One, OE | PTR),
    ] },
    // 172
    Message { name: "k8s.io.api.core.v1.ScopeSelector", shape: Struct, fields: &[
        f(1, "matchExpressions", Msg(173), Rep, OE),
    ] },
    // 173
    Message { name: "k8s.io.api.core.v1.ScopedResourceSelectorRequirement", shape: Struct, fields: &[
        f(1, "scopeName", Str, One, 0),
        f(2, "operator", Str, One, 0),
        f(3, "values", Str, Rep, OE),
    ] },
    // 174
    Message { name: "k8s.io.api.core.v1.ResourceQuotaStatus", shape: Struct, fields: &[
        f(1, "hard", Msg(15), Map, OE),
        f(2, "used", Msg(15), Map, OE),
    ] },
    // 175
    Message { name: "k8s.io.api.core.v1.LimitRange", shape: Struct, fields: &[
        f(1, "metadata", Msg(1), One, OE),
        f(2, "spec", Msg(176), One, OE),
    ] },
    // 176
    Message { name: "k8s.io.api.core.v1.LimitRangeSpec", shape: Struct, fields: &[
        f(1, "limits", Msg(177), Rep, 0),
    ] },
    // 177
    Message { name: "k8s.io.api.core.v1.LimitRangeItem", shape: Struct, fields: &[
        f(1, "type", Str, One, 0),
        f(2, "max", Msg(15), Map, OE),
        f(3, "min", Msg(15), Map, OE),
        f(4, "default", Msg(15), Map, OE),
        f(5, "defaultRequest", Msg(15), Map, OE),
        f(6, "maxLimitRequestRatio", Msg(15), Map, OE),
    ] },
    // 178
    Message { name: "k8s.io.api.core.v1.PersistentVolumeClaim", shape: Struct, fields: &[
        f(1, "metadata", Msg(1), One, OE),
        f(2, "spec", Msg(58), One, OE),
        f(3, "status", Msg(179), One, OE),
    ] },
    // 179
    Message { name: "k8s.io.api.core.v1.PersistentVolumeClaimStatus", shape: Struct, fields: &[
        f(1, "phase", Str, One, OE),
        f(2, "accessModes", Str, Rep, OE),
        f(3, "capacity", Msg(15), Map, OE),
        f(4, "conditions", Msg(180), Rep, OE),
        f(5, "allocatedResources", Msg(15), Map, OE),
        f(7, "allocatedResourceStatuses", Str, Map, OE),
        f(8, "currentVolumeAttributesClassName", Str, One, OE | PTR),
        f(9, "modifyVolumeStatus", Msg(181), One, OE | PTR),
        f(10, "healthStatus", Msg(182), One, OE | PTR),
    ] },
    // 180
    Message { name: "k8s.io.api.core.v1.PersistentVolumeClaimCondition", shape: Struct, fields: &[
        f(1, "type", Str, One, 0),
        f(2, "status", Str, One, 0),
        f(3, "lastProbeTime", Msg(2), One, OE),
        f(4, "lastTransitionTime", Msg(2), One, OE),
        f(5, "reason", Str, One, OE),
        f(6, "message", Str, One, OE),
    ] },
    // 181
    Message { name: "k8s.io.api.core.v1.ModifyVolumeStatus", shape: Struct, fields: &[
        f(1, "targetVolumeAttributesClassName", Str, One, OE),
        f(2, "status", Str, One, 0),
    ] },
    // 182
    Message { name: "k8s.io.api.core.v1.VolumeHealthStatus", shape: Struct, fields: &[
        f(1, "healthConditions", Msg(145), Rep, OE),
        f(2, "lastTransitionTime", Msg(2), One, OE),
    ] },
    // 183
    Message { name: "k8s.io.api.core.v1.PersistentVolume", shape: Struct, fields: &[
        f(1, "metadata", Msg(1), One, OE),
        f(2, "spec", Msg(184), One, OE),
        f(3, "status", Msg(199), One, OE),
    ] },
    // 184
    Message { name: "k8s.io.api.core.v1.PersistentVolumeSpec", shape: Struct, fields: &[
        f(1, "capacity", Msg(15), Map, OE),
        f(2, "persistentVolumeSource", Msg(185), One, INL),
        f(3, "accessModes", Str, Rep, OE),
        f(4, "claimRef", Msg(161), One, OE | PTR),
        f(5, "persistentVolumeReclaimPolicy", Str, One, OE),
        f(6, "storageClassName", Str, One, OE),
        f(7, "mountOptions", Str, Rep, OE),
        f(8, "volumeMode", Str, One, OE | PTR),
        f(9, "nodeAffinity", Msg(198), One, OE | PTR),
        f(10, "volumeAttributesClassName", Str, One, OE | PTR),
    ] },
    // 185
    Message { name: "k8s.io.api.core.v1.PersistentVolumeSource", shape: Struct, fields: &[
        f(1, "gcePersistentDisk", Msg(16), One, OE | PTR),
        f(2, "awsElasticBlockStore", Msg(17), One, OE | PTR),
        f(3, "hostPath", Msg(13), One, OE | PTR),
        f(4, "glusterfs", Msg(186), One, OE | PTR),
        f(5, "nfs", Msg(21), One, OE | PTR),
        f(6, "rbd", Msg(187), One, OE | PTR),
        f(7, "iscsi", Msg(189), One, OE | PTR),
        f(8, "cinder", Msg(190), One, OE | PTR),
        f(9, "cephfs", Msg(191), One, OE | PTR),
        f(10, "fc", Msg(35), One, OE | PTR),
        f(11, "flocker", Msg(30), One, OE | PTR),
        f(12, "flexVolume", Msg(192), One, OE | PTR),
        f(13, "azureFile", Msg(193), One, OE | PTR),
        f(14, "vsphereVolume", Msg(38), One, OE | PTR),
        f(15, "quobyte", Msg(39), One, OE | PTR),
        f(16, "azureDisk", Msg(40), One, OE | PTR),
        f(17, "photonPersistentDisk", Msg(41), One, OE | PTR),
        f(18, "portworxVolume", Msg(52), One, OE | PTR),
        f(19, "scaleIO", Msg(194), One, OE | PTR),
        f(20, "local", Msg(195), One, OE | PTR),
        f(21, "storageos", Msg(196), One, OE | PTR),
        f(22, "csi", Msg(197), One, OE | PTR),
    ] },
    // 186
    Message { name: "k8s.io.api.core.v1.GlusterfsPersistentVolumeSource", shape: Struct, fields: &[
        f(1, "endpoints", Str, One, 0),
        f(2, "path", Str, One, 0),
        f(3, "readOnly", Bool, One, OE),
        f(4, "endpointsNamespace", Str, One, OE | PTR),
    ] },
    // 187
    Message { name: "k8s.io.api.core.v1.RBDPersistentVolumeSource", shape: Struct, fields: &[
        f(1, "monitors", Str, Rep, 0),
        f(2, "image", Str, One, 0),
        f(3, "fsType", Str, One, OE),
        f(4, "pool", Str, One, OE),
        f(5, "user", Str, One, OE),
        f(6, "keyring", Str, One, OE),
        f(7, "secretRef", Msg(188), One, OE | PTR),
        f(8, "readOnly", Bool, One, OE),
    ] },
    // 188
    Message { name: "k8s.io.api.core.v1.SecretReference", shape: Struct, fields: &[
        f(1, "name", Str, One, OE),
        f(2, "namespace", Str, One, OE),
    ] },
    // 189
    Message { name: "k8s.io.api.core.v1.ISCSIPersistentVolumeSource", shape: Struct, fields: &[
        f(1, "targetPortal", Str, One, 0),
        f(2, "iqn", Str, One, 0),
        f(3, "lun", I32, One, 0),
        f(4, "iscsiInterface", Str, One, OE),
        f(5, "fsType", Str, One, OE),
        f(6, "readOnly", Bool, One, OE),
        f(7, "portals", Str, Rep, OE),
        f(8, "chapAuthDiscovery", Bool, One, OE),
        f(11, "chapAuthSession", Bool, One, OE),
        f(10, "secretRef", Msg(188), One, OE | PTR),
        f(12, "initiatorName", Str, One, OE | PTR),
    ] },
    // 190
    Message { name: "k8s.io.api.core.v1.CinderPersistentVolumeSource", shape: Struct, fields: &[
        f(1, "volumeID", Str, One, 0),
        f(2, "fsType", Str, One, OE),
        f(3, "readOnly", Bool, One, OE),
        f(4, "secretRef", Msg(188), One, OE | PTR),
    ] },
    // 191
    Message { name: "k8s.io.api.core.v1.CephFSPersistentVolumeSource", shape: Struct, fields: &[
        f(1, "monitors", Str, Rep, 0),
        f(2, "path", Str, One, OE),
        f(3, "user", Str, One, OE),
        f(4, "secretFile", Str, One, OE),
        f(5, "secretRef", Msg(188), One, OE | PTR),
        f(6, "readOnly", Bool, One, OE),
    ] },
    // 192
    Message { name: "k8s.io.api.core.v1.FlexPersistentVolumeSource", shape: Struct, fields: &[
        f(1, "driver", Str, One, 0),
        f(2, "fsType", Str, One, OE),
        f(3, "secretRef", Msg(188), One, OE | PTR),
        f(4, "readOnly", Bool, One, OE),
        f(5, "options", Str, Map, OE),
    ] },
    // 193
    Message { name: "k8s.io.api.core.v1.AzureFilePersistentVolumeSource", shape: Struct, fields: &[
        f(1, "secretName", Str, One, 0),
        f(2, "shareName", Str, One, 0),
        f(3, "readOnly", Bool, One, OE),
        f(4, "secretNamespace", Str, One, PTR),
    ] },
    // 194
    Message { name: "k8s.io.api.core.v1.ScaleIOPersistentVolumeSource", shape: Struct, fields: &[
        f(1, "gateway", Str, One, 0),
        f(2, "system", Str, One, 0),
        f(3, "secretRef", Msg(188), One, PTR),
        f(4, "sslEnabled", Bool, One, OE),
        f(5, "protectionDomain", Str, One, OE),
        f(6, "storagePool", Str, One, OE),
        f(7, "storageMode", Str, One, OE),
        f(8, "volumeName", Str, One, OE),
        f(9, "fsType", Str, One, OE),
        f(10, "readOnly", Bool, One, OE),
    ] },
    // 195
    Message { name: "k8s.io.api.core.v1.LocalVolumeSource", shape: Struct, fields: &[
        f(1, "path", Str, One, 0),
        f(2, "fsType", Str, One, OE | PTR),
    ] },
    // 196
    Message { name: "k8s.io.api.core.v1.StorageOSPersistentVolumeSource", shape: Struct, fields: &[
        f(1, "volumeName", Str, One, OE),
        f(2, "volumeNamespace", Str, One, OE),
        f(3, "fsType", Str, One, OE),
        f(4, "readOnly", Bool, One, OE),
        f(5, "secretRef", Msg(161), One, OE | PTR),
    ] },
    // 197
    Message { name: "k8s.io.api.core.v1.CSIPersistentVolumeSource", shape: Struct, fields: &[
        f(1, "driver", Str, One, 0),
        f(2, "volumeHandle", Str, One, 0),
        f(3, "readOnly", Bool, One, OE),
        f(4, "fsType", Str, One, OE),
        f(5, "volumeAttributes", Str, Map, OE),
        f(6, "controllerPublishSecretRef", Msg(188), One, OE | PTR),
        f(7, "nodeStageSecretRef", Msg(188), One, OE | PTR),
        f(8, "nodePublishSecretRef", Msg(188), One, OE | PTR),
        f(9, "controllerExpandSecretRef", Msg(188), One, OE | PTR),
        f(10, "nodeExpandSecretRef", Msg(188), One, OE | PTR),
    ] },
    // 198
    Message { name: "k8s.io.api.core.v1.VolumeNodeAffinity", shape: Struct, fields: &[
        f(1, "required", Msg(103), One, OE | PTR),
    ] },
    // 199
    Message { name: "k8s.io.api.core.v1.PersistentVolumeStatus", shape: Struct, fields: &[
        f(1, "phase", Str, One, OE),
        f(2, "message", Str, One, OE),
        f(3, "reason", Str, One, OE),
        f(4, "lastPhaseTransitionTime", Msg(2), One, OE | PTR),
    ] },
    // 200
    Message { name: "k8s.io.api.core.v1.Node", shape: Struct, fields: &[
        f(1, "metadata", Msg(1), One, OE),
        f(2, "spec", Msg(201), One, OE),
        f(3, "status", Msg(206), One, OE),
    ] },
    // 201
    Message { name: "k8s.io.api.core.v1.NodeSpec", shape: Struct, fields: &[
        f(1, "podCIDR", Str, One, OE),
        f(7, "podCIDRs", Str, Rep, OE),
        f(3, "providerID", Str, One, OE),
        f(4, "unschedulable", Bool, One, OE),
        f(5, "taints", Msg(202), Rep, OE),
        f(6, "configSource", Msg(203), One, OE | PTR),
        f(2, "externalID", Str, One, OE),
        f(8, "podPreemptionPolicy", Msg(205), One, OE | PTR),
    ] },
    // 202
    Message { name: "k8s.io.api.core.v1.Taint", shape: Struct, fields: &[
        f(1, "key", Str, One, 0),
        f(2, "value", Str, One, OE),
        f(3, "effect", Str, One, 0),
        f(4, "timeAdded", Msg(2), One, OE | PTR),
    ] },
    // 203
    Message { name: "k8s.io.api.core.v1.NodeConfigSource", shape: Struct, fields: &[
        f(2, "configMap", Msg(204), One, OE | PTR),
    ] },
    // 204
    Message { name: "k8s.io.api.core.v1.ConfigMapNodeConfigSource", shape: Struct, fields: &[
        f(1, "namespace", Str, One, 0),
        f(2, "name", Str, One, 0),
        f(3, "uid", Str, One, OE),
        f(4, "resourceVersion", Str, One, OE),
        f(5, "kubeletConfigKey", Str, One, 0),
    ] },
    // 205
    Message { name: "k8s.io.api.core.v1.NodePodPreemptionPolicy", shape: Struct, fields: &[
        f(1, "disableResizePreemption", Str, Rep, OE),
    ] },
    // 206
    Message { name: "k8s.io.api.core.v1.NodeStatus", shape: Struct, fields: &[
        f(1, "capacity", Msg(15), Map, OE),
        f(2, "allocatable", Msg(15), Map, OE),
        f(3, "phase", Str, One, OE),
        f(4, "conditions", Msg(207), Rep, OE),
        f(5, "addresses", Msg(208), Rep, OE),
        f(6, "daemonEndpoints", Msg(209), One, OE),
        f(7, "nodeInfo", Msg(211), One, OE),
        f(8, "images", Msg(213), Rep, OE),
        f(9, "volumesInUse", Str, Rep, OE),
        f(10, "volumesAttached", Msg(214), Rep, OE),
        f(11, "config", Msg(215), One, OE | PTR),
        f(12, "runtimeHandlers", Msg(216), Rep, OE),
        f(13, "features", Msg(218), One, OE | PTR),
        f(14, "declaredFeatures", Str, Rep, OE),
    ] },
    // 207
    Message { name: "k8s.io.api.core.v1.NodeCondition", shape: Struct, fields: &[
        f(1, "type", Str, One, 0),
        f(2, "status", Str, One, 0),
        f(3, "lastHeartbeatTime", Msg(2), One, OE),
        f(4, "lastTransitionTime", Msg(2), One, OE),
        f(5, "reason", Str, One, OE),
        f(6, "message", Str, One, OE),
    ] },
    // 208
    Message { name: "k8s.io.api.core.v1.NodeAddress", shape: Struct, fields: &[
        f(1, "type", Str, One, 0),
        f(2, "address", Str, One, 0),
    ] },
    // 209
    Message { name: "k8s.io.api.core.v1.NodeDaemonEndpoints", shape: Struct, fields: &[
        f(1, "kubeletEndpoint", Msg(210), One, OE),
    ] },
    // 210
    Message { name: "k8s.io.api.core.v1.DaemonEndpoint", shape: Struct, fields: &[
        f(1, "Port", I32, One, 0),
    ] },
    // 211
    Message { name: "k8s.io.api.core.v1.NodeSystemInfo", shape: Struct, fields: &[
        f(1, "machineID", Str, One, 0),
        f(2, "systemUUID", Str, One, 0),
        f(3, "bootID", Str, One, 0),
        f(4, "kernelVersion", Str, One, 0),
        f(5, "osImage", Str, One, 0),
        f(6, "containerRuntimeVersion", Str, One, 0),
        f(7, "kubeletVersion", Str, One, 0),
        f(8, "kubeProxyVersion", Str, One, 0),
        f(9, "operatingSystem", Str, One, 0),
        f(10, "architecture", Str, One, 0),
        f(11, "swap", Msg(212), One, OE | PTR),
    ] },
    // 212
    Message { name: "k8s.io.api.core.v1.NodeSwapStatus", shape: Struct, fields: &[
        f(1, "capacity", I64, One, OE | PTR),
    ] },
    // 213
    Message { name: "k8s.io.api.core.v1.ContainerImage", shape: Struct, fields: &[
        f(1, "names", Str, Rep, 0),
        f(2, "sizeBytes", I64, One, OE),
    ] },
    // 214
    Message { name: "k8s.io.api.core.v1.AttachedVolume", shape: Struct, fields: &[
        f(1, "name", Str, One, 0),
        f(2, "devicePath", Str, One, 0),
    ] },
    // 215
    Message { name: "k8s.io.api.core.v1.NodeConfigStatus", shape: Struct, fields: &[
        f(1, "assigned", Msg(203), One, OE | PTR),
        f(2, "active", Msg(203), One, OE | PTR),
        f(3, "lastKnownGood", Msg(203), One, OE | PTR),
        f(4, "error", Str, One, OE),
    ] },
    // 216
    Message { name: "k8s.io.api.core.v1.NodeRuntimeHandler", shape: Struct, fields: &[
        f(1, "name", Str, One, 0),
        f(2, "features", Msg(217), One, OE | PTR),
    ] },
    // 217
    Message { name: "k8s.io.api.core.v1.NodeRuntimeHandlerFeatures", shape: Struct, fields: &[
        f(1, "recursiveReadOnlyMounts", Bool, One, OE | PTR),
        f(2, "userNamespaces", Bool, One, OE | PTR),
    ] },
    // 218
    Message { name: "k8s.io.api.core.v1.NodeFeatures", shape: Struct, fields: &[
        f(1, "supplementalGroupsPolicy", Bool, One, OE | PTR),
    ] },
    // 219
    Message { name: "k8s.io.api.core.v1.ReplicationController", shape: Struct, fields: &[
        f(1, "metadata", Msg(1), One, OE),
        f(2, "spec", Msg(220), One, OE),
        f(3, "status", Msg(221), One, OE),
    ] },
    // 220
    Message { name: "k8s.io.api.core.v1.ReplicationControllerSpec", shape: Struct, fields: &[
        f(1, "replicas", I32, One, OE | PTR),
        f(4, "minReadySeconds", I32, One, OE),
        f(2, "selector", Str, Map, OE),
        f(3, "template", Msg(147), One, OE | PTR),
    ] },
    // 221
    Message { name: "k8s.io.api.core.v1.ReplicationControllerStatus", shape: Struct, fields: &[
        f(1, "replicas", I32, One, 0),
        f(2, "fullyLabeledReplicas", I32, One, OE),
        f(4, "readyReplicas", I32, One, OE),
        f(5, "availableReplicas", I32, One, OE),
        f(3, "observedGeneration", I64, One, OE),
        f(6, "conditions", Msg(222), Rep, OE),
    ] },
    // 222
    Message { name: "k8s.io.api.core.v1.ReplicationControllerCondition", shape: Struct, fields: &[
        f(1, "type", Str, One, 0),
        f(2, "status", Str, One, 0),
        f(3, "lastTransitionTime", Msg(2), One, OE),
        f(4, "reason", Str, One, OE),
        f(5, "message", Str, One, OE),
    ] },
    // 223
    Message { name: "k8s.io.api.core.v1.Binding", shape: Struct, fields: &[
        f(1, "metadata", Msg(1), One, OE),
        f(2, "target", Msg(161), One, 0),
    ] },
    // 224
    Message { name: "k8s.io.api.apps.v1.Deployment", shape: Struct, fields: &[
        f(1, "metadata", Msg(1), One, OE),
        f(2, "spec", Msg(225), One, OE),
        f(3, "status", Msg(228), One, OE),
    ] },
    // 225
    Message { name: "k8s.io.api.apps.v1.DeploymentSpec", shape: Struct, fields: &[
        f(1, "replicas", I32, One, OE | PTR),
        f(2, "selector", Msg(49), One, PTR),
        f(3, "template", Msg(147), One, 0),
        f(4, "strategy", Msg(226), One, OE),
        f(5, "minReadySeconds", I32, One, OE),
        f(6, "revisionHistoryLimit", I32, One, OE | PTR),
        f(7, "paused", Bool, One, OE),
        f(9, "progressDeadlineSeconds", I32, One, OE | PTR),
    ] },
    // 226
    Message { name: "k8s.io.api.apps.v1.DeploymentStrategy", shape: Struct, fields: &[
        f(1, "type", Str, One, OE),
        f(2, "rollingUpdate", Msg(227), One, OE | PTR),
    ] },
    // 227
    Message { name: "k8s.io.api.apps.v1.RollingUpdateDeployment", shape: Struct, fields: &[
        f(1, "maxUnavailable", Msg(84), One, OE | PTR),
        f(2, "maxSurge", Msg(84), One, OE | PTR),
    ] },
    // 228
    Message { name: "k8s.io.api.apps.v1.DeploymentStatus", shape: Struct, fields: &[
        f(1, "observedGeneration", I64, One, OE),
        f(2, "replicas", I32, One, OE),
        f(3, "updatedReplicas", I32, One, OE),
        f(7, "readyReplicas", I32, One, OE),
        f(4, "availableReplicas", I32, One, OE),
        f(5, "unavailableReplicas", I32, One, OE),
        f(9, "terminatingReplicas", I32, One, OE | PTR),
        f(6, "conditions", Msg(229), Rep, OE),
        f(8, "collisionCount", I32, One, OE | PTR),
    ] },
    // 229
    Message { name: "k8s.io.api.apps.v1.DeploymentCondition", shape: Struct, fields: &[
        f(1, "type", Str, One, 0),
        f(2, "status", Str, One, 0),
        f(6, "lastUpdateTime", Msg(2), One, OE),
        f(7, "lastTransitionTime", Msg(2), One, OE),
        f(4, "reason", Str, One, OE),
        f(5, "message", Str, One, OE),
    ] },
    // 230
    Message { name: "k8s.io.api.apps.v1.ReplicaSet", shape: Struct, fields: &[
        f(1, "metadata", Msg(1), One, OE),
        f(2, "spec", Msg(231), One, OE),
        f(3, "status", Msg(232), One, OE),
    ] },
    // 231
    Message { name: "k8s.io.api.apps.v1.ReplicaSetSpec", shape: Struct, fields: &[
        f(1, "replicas", I32, One, OE | PTR),
        f(4, "minReadySeconds", I32, One, OE),
        f(2, "selector", Msg(49), One, PTR),
        f(3, "template", Msg(147), One, OE),
    ] },
    // 232
    Message { name: "k8s.io.api.apps.v1.ReplicaSetStatus", shape: Struct, fields: &[
        f(1, "replicas", I32, One, 0),
        f(2, "fullyLabeledReplicas", I32, One, OE),
        f(4, "readyReplicas", I32, One, OE),
        f(5, "availableReplicas", I32, One, OE),
        f(7, "terminatingReplicas", I32, One, OE | PTR),
        f(3, "observedGeneration", I64, One, OE),
        f(6, "conditions", Msg(233), Rep, OE),
    ] },
    // 233
    Message { name: "k8s.io.api.apps.v1.ReplicaSetCondition", shape: Struct, fields: &[
        f(1, "type", Str, One, 0),
        f(2, "status", Str, One, 0),
        f(3, "lastTransitionTime", Msg(2), One, OE),
        f(4, "reason", Str, One, OE),
        f(5, "message", Str, One, OE),
    ] },
    // 234
    Message { name: "k8s.io.api.apps.v1.StatefulSet", shape: Struct, fields: &[
        f(1, "metadata", Msg(1), One, OE),
        f(2, "spec", Msg(235), One, OE),
        f(3, "status", Msg(240), One, OE),
    ] },
    // 235
    Message { name: "k8s.io.api.apps.v1.StatefulSetSpec", shape: Struct, fields: &[
        f(1, "replicas", I32, One, OE | PTR),
        f(2, "selector", Msg(49), One, PTR),
        f(3, "template", Msg(147), One, 0),
        f(4, "volumeClaimTemplates", Msg(178), Rep, OE),
        f(5, "serviceName", Str, One, 0),
        f(6, "podManagementPolicy", Str, One, OE),
        f(7, "updateStrategy", Msg(236), One, OE),
        f(8, "revisionHistoryLimit", I32, One, OE | PTR),
        f(9, "minReadySeconds", I32, One, OE),
        f(10, "persistentVolumeClaimRetentionPolicy", Msg(238), One, OE | PTR),
        f(11, "ordinals", Msg(239), One, OE | PTR),
    ] },
    // 236
    Message { name: "k8s.io.api.apps.v1.StatefulSetUpdateStrategy", shape: Struct, fields: &[
        f(1, "type", Str, One, OE),
        f(2, "rollingUpdate", Msg(237), One, OE | PTR),
    ] },
    // 237
    Message { name: "k8s.io.api.apps.v1.RollingUpdateStatefulSetStrategy", shape: Struct, fields: &[
        f(1, "partition", I32, One, OE | PTR),
        f(2, "maxUnavailable", Msg(84), One, OE | PTR),
    ] },
    // 238
    Message { name: "k8s.io.api.apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy", shape: Struct, fields: &[
        f(1, "whenDeleted", Str, One, OE),
        f(2, "whenScaled", Str, One, OE),
    ] },
    // 239
    Message { name: "k8s.io.api.apps.v1.StatefulSetOrdinals", shape: Struct, fields: &[
        f(1, "start", I32, One, 0),
    ] },
    // 240
    Message { name: "k8s.io.api.apps.v1.StatefulSetStatus", shape: Struct, fields: &[
        f(1, "observedGeneration", I64, One, OE),
        f(2, "replicas", I32, One, 0),
        f(3, "readyReplicas", I32, One, OE),
        f(4, "currentReplicas", I32, One, OE),
        f(5, "updatedReplicas", I32, One, OE),
        f(6, "currentRevision", Str, One, OE),
        f(7, "updateRevision", Str, One, OE),
        f(9, "collisionCount", I32, One, OE | PTR),
        f(10, "conditions", Msg(241), Rep, OE),
        f(11, "availableReplicas", I32, One, 0),
    ] },
    // 241
    Message { name: "k8s.io.api.apps.v1.StatefulSetCondition", shape: Struct, fields: &[
        f(1, "type", Str, One, 0),
        f(2, "status", Str, One, 0),
        f(3, "lastTransitionTime", Msg(2), One, OE),
        f(4, "reason", Str, One, OE),
        f(5, "message", Str, One, OE),
    ] },
    // 242
    Message { name: "k8s.io.api.apps.v1.DaemonSet", shape: Struct, fields: &[
        f(1, "metadata", Msg(1), One, OE),
        f(2, "spec", Msg(243), One, OE),
        f(3, "status", Msg(246), One, OE),
    ] },
    // 243
    Message { name: "k8s.io.api.apps.v1.DaemonSetSpec", shape: Struct, fields: &[
        f(1, "selector", Msg(49), One, PTR),
        f(2, "template", Msg(147), One, 0),
        f(3, "updateStrategy", Msg(244), One, OE),
        f(4, "minReadySeconds", I32, One, OE),
        f(6, "revisionHistoryLimit", I32, One, OE | PTR),
    ] },
    // 244
    Message { name: "k8s.io.api.apps.v1.DaemonSetUpdateStrategy", shape: Struct, fields: &[
        f(1, "type", Str, One, OE),
        f(2, "rollingUpdate", Msg(245), One, OE | PTR),
    ] },
    // 245
    Message { name: "k8s.io.api.apps.v1.RollingUpdateDaemonSet", shape: Struct, fields: &[
        f(1, "maxUnavailable", Msg(84), One, OE | PTR),
        f(2, "maxSurge", Msg(84), One, OE | PTR),
    ] },
    // 246
    Message { name: "k8s.io.api.apps.v1.DaemonSetStatus", shape: Struct, fields: &[
        f(1, "currentNumberScheduled", I32, One, 0),
        f(2, "numberMisscheduled", I32, One, 0),
        f(3, "desiredNumberScheduled", I32, One, 0),
        f(4, "numberReady", I32, One, 0),
        f(5, "observedGeneration", I64, One, OE),
        f(6, "updatedNumberScheduled", I32, One, OE),
        f(7, "numberAvailable", I32, One, OE),
        f(8, "numberUnavailable", I32, One, OE),
        f(9, "collisionCount", I32, One, OE | PTR),
        f(10, "conditions", Msg(247), Rep, OE),
    ] },
    // 247
    Message { name: "k8s.io.api.apps.v1.DaemonSetCondition", shape: Struct, fields: &[
        f(1, "type", Str, One, 0),
        f(2, "status", Str, One, 0),
        f(3, "lastTransitionTime", Msg(2), One, OE),
        f(4, "reason", Str, One, OE),
        f(5, "message", Str, One, OE),
    ] },
    // 248
    Message { name: "k8s.io.api.apps.v1.ControllerRevision", shape: Struct, fields: &[
        f(1, "metadata", Msg(1), One, OE),
        f(2, "data", Msg(249), One, 0),
        f(3, "revision", I64, One, 0),
    ] },
    // 249
    Message { name: "k8s.io.apimachinery.pkg.runtime.RawExtension", shape: RawJson, fields: &[
        f(1, "raw", Bytes, One, 0),
    ] },
    // 250
    Message { name: "k8s.io.api.batch.v1.Job", shape: Struct, fields: &[
        f(1, "metadata", Msg(1), One, OE),
        f(2, "spec", Msg(251), One, OE),
        f(3, "status", Msg(268), One, OE),
    ] },
    // 251
    Message { name: "k8s.io.api.batch.v1.JobSpec", shape: Struct, fields: &[
        f(1, "parallelism", I32, One, OE | PTR),
        f(2, "completions", I32, One, OE | PTR),
        f(3, "activeDeadlineSeconds", I64, One, OE | PTR),
        f(11, "podFailurePolicy", Msg(252), One, OE | PTR),
        f(16, "successPolicy", Msg(256), One, OE | PTR),
        f(7, "backoffLimit", I32, One, OE | PTR),
        f(12, "backoffLimitPerIndex", I32, One, OE | PTR),
        f(13, "maxFailedIndexes", I32, One, OE | PTR),
        f(4, "selector", Msg(49), One, OE | PTR),
        f(5, "manualSelector", Bool, One, OE | PTR),
        f(6, "template", Msg(147), One, 0),
        f(8, "ttlSecondsAfterFinished", I32, One, OE | PTR),
        f(9, "completionMode", Str, One, OE | PTR),
        f(10, "suspend", Bool, One, OE | PTR),
        f(14, "podReplacementPolicy", Str, One, OE | PTR),
        f(15, "managedBy", Str, One, OE | PTR),
        f(17, "scheduling", Msg(258), One, OE | PTR),
    ] },
    // 252
    Message { name: "k8s.io.api.batch.v1.PodFailurePolicy", shape: Struct, fields: &[
        f(1, "rules", Msg(253), Rep, 0),
    ] },
    // 253
    Message { name: "k8s.io.api.batch.v1.PodFailurePolicyRule", shape: Struct, fields: &[
        f(1, "action", Str, One, 0),
        f(2, "onExitCodes", Msg(254), One, OE | PTR),
        f(3, "onPodConditions", Msg(255), Rep, OE),
    ] },
    // 254
    Message { name: "k8s.io.api.batch.v1.PodFailurePolicyOnExitCodesRequirement", shape: Struct, fields: &[
        f(1, "containerName", Str, One, OE | PTR),
        f(2, "operator", Str, One, 0),
        f(3, "values", I32, Rep, 0),
    ] },
    // 255
    Message { name: "k8s.io.api.batch.v1.PodFailurePolicyOnPodConditionsPattern", shape: Struct, fields: &[
        f(1, "type", Str, One, 0),
        f(2, "status", Str, One, 0),
    ] },
    // 256
    Message { name: "k8s.io.api.batch.v1.SuccessPolicy", shape: Struct, fields: &[
        f(1, "rules", Msg(257), Rep, 0),
    ] },
    // 257
    Message { name: "k8s.io.api.batch.v1.SuccessPolicyRule", shape: Struct, fields: &[
        f(1, "succeededIndexes", Str, One, OE | PTR),
        f(2, "succeededCount", I32, One, OE | PTR),
    ] },
    // 258
    Message { name: "k8s.io.api.batch.v1.JobSchedulingConfiguration", shape: Struct, fields: &[
        f(1, "schedulingPolicy", Msg(259), One, OE | PTR),
        f(2, "schedulingConstraints", Msg(262), One, OE | PTR),
        f(3, "disruptionMode", Msg(264), One, OE | PTR),
        f(4, "resourceClaims", Msg(267), Rep, OE),
    ] },
    // 259
    Message { name: "k8s.io.api.scheduling.v1alpha3.WorkloadPodGroupSchedulingPolicy", shape: Struct, fields: &[
        f(1, "basic", Msg(260), One, OE | PTR),
        f(2, "gang", Msg(261), One, OE | PTR),
    ] },
    // 260
    Message { name: "k8s.io.api.scheduling.v1alpha3.WorkloadPodGroupBasicSchedulingPolicy", shape: Struct, fields: &[] },
    // 261
    Message { name: "k8s.io.api.scheduling.v1alpha3.WorkloadPodGroupGangSchedulingPolicy", shape: Struct, fields: &[
        f(1, "minCount", I32, One, OE | PTR),
    ] },
    // 262
    Message { name: "k8s.io.api.scheduling.v1alpha3.WorkloadPodGroupSchedulingConstraints", shape: Struct, fields: &[
        f(1, "topology", Msg(263), Rep, OE),
    ] },
    // 263
    Message { name: "k8s.io.api.scheduling.v1alpha3.TopologyConstraint", shape: Struct, fields: &[
        f(1, "key", Str, One, 0),
    ] },
    // 264
    Message { name: "k8s.io.api.scheduling.v1alpha3.WorkloadPodGroupDisruptionMode", shape: Struct, fields: &[
        f(1, "single", Msg(265), One, OE | PTR),
        f(2, "all", Msg(266), One, OE | PTR),
    ] },
    // 265
    Message { name: "k8s.io.api.scheduling.v1alpha3.WorkloadPodGroupSingleDisruptionMode", shape: Struct, fields: &[] },
    // 266
    Message { name: "k8s.io.api.scheduling.v1alpha3.WorkloadPodGroupAllDisruptionMode", shape: Struct, fields: &[] },
    // 267
    Message { name: "k8s.io.api.scheduling.v1alpha3.WorkloadPodGroupResourceClaim", shape: Struct, fields: &[
        f(1, "name", Str, One, 0),
        f(2, "resourceClaimName", Str, One, OE | PTR),
        f(3, "resourceClaimTemplateName", Str, One, OE | PTR),
    ] },
    // 268
    Message { name: "k8s.io.api.batch.v1.JobStatus", shape: Struct, fields: &[
        f(1, "conditions", Msg(269), Rep, OE),
        f(2, "startTime", Msg(2), One, OE | PTR),
        f(3, "completionTime", Msg(2), One, OE | PTR),
        f(4, "active", I32, One, OE),
        f(5, "succeeded", I32, One, OE),
        f(6, "failed", I32, One, OE),
        f(11, "terminating", I32, One, OE | PTR),
        f(7, "completedIndexes", Str, One, OE),
        f(10, "failedIndexes", Str, One, OE | PTR),
        f(8, "uncountedTerminatedPods", Msg(270), One, OE | PTR),
        f(9, "ready", I32, One, OE | PTR),
    ] },
    // 269
    Message { name: "k8s.io.api.batch.v1.JobCondition", shape: Struct, fields: &[
        f(1, "type", Str, One, 0),
        f(2, "status", Str, One, 0),
        f(3, "lastProbeTime", Msg(2), One, OE),
        f(4, "lastTransitionTime", Msg(2), One, OE),
        f(5, "reason", Str, One, OE),
        f(6, "message", Str, One, OE),
    ] },
    // 270
    Message { name: "k8s.io.api.batch.v1.UncountedTerminatedPods", shape: Struct, fields: &[
        f(1, "succeeded", Str, Rep, OE),
        f(2, "failed", Str, Rep, OE),
    ] },
    // 271
    Message { name: "k8s.io.api.batch.v1.CronJob", shape: Struct, fields: &[
        f(1, "metadata", Msg(1), One, OE),
        f(2, "spec", Msg(272), One, OE),
        f(3, "status", Msg(274), One, OE),
    ] },
    // 272
    Message { name: "k8s.io.api.batch.v1.CronJobSpec", shape: Struct, fields: &[
        f(1, "schedule", Str, One, 0),
        f(8, "timeZone", Str, One, OE | PTR),
        f(2, "startingDeadlineSeconds", I64, One, OE | PTR),
        f(3, "concurrencyPolicy", Str, One, OE),
        f(4, "suspend", Bool, One, OE | PTR),
        f(5, "jobTemplate", Msg(273), One, 0),
        f(6, "successfulJobsHistoryLimit", I32, One, OE | PTR),
        f(7, "failedJobsHistoryLimit", I32, One, OE | PTR),
    ] },
    // 273
    Message { name: "k8s.io.api.batch.v1.JobTemplateSpec", shape: Struct, fields: &[
        f(1, "metadata", Msg(1), One, OE),
        f(2, "spec", Msg(251), One, OE),
    ] },
    // 274
    Message { name: "k8s.io.api.batch.v1.CronJobStatus", shape: Struct, fields: &[
        f(1, "active", Msg(161), Rep, OE),
        f(4, "lastScheduleTime", Msg(2), One, OE | PTR),
        f(5, "lastSuccessfulTime", Msg(2), One, OE | PTR),
    ] },
    // 275
    Message { name: "k8s.io.api.policy.v1.Eviction", shape: Struct, fields: &[
        f(1, "metadata", Msg(1), One, OE),
        f(2, "deleteOptions", Msg(276), One, OE | PTR),
    ] },
    // 276
    Message { name: "k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions", shape: Struct, fields: &[
        f(1, "gracePeriodSeconds", I64, One, OE | PTR),
        f(2, "preconditions", Msg(277), One, OE | PTR),
        f(3, "orphanDependents", Bool, One, OE | PTR),
        f(4, "propagationPolicy", Str, One, OE | PTR),
        f(5, "dryRun", Str, Rep, OE),
        f(6, "ignoreStoreReadErrorWithClusterBreakingPotential", Bool, One, OE | PTR),
    ] },
    // 277
    Message { name: "k8s.io.apimachinery.pkg.apis.meta.v1.Preconditions", shape: Struct, fields: &[
        f(1, "uid", Str, One, OE | PTR),
        f(2, "resourceVersion", Str, One, OE | PTR),
    ] },
    // 278
    Message { name: "k8s.io.api.policy.v1.PodDisruptionBudget", shape: Struct, fields: &[
        f(1, "metadata", Msg(1), One, OE),
        f(2, "spec", Msg(279), One, OE),
        f(3, "status", Msg(280), One, OE),
    ] },
    // 279
    Message { name: "k8s.io.api.policy.v1.PodDisruptionBudgetSpec", shape: Struct, fields: &[
        f(1, "minAvailable", Msg(84), One, OE | PTR),
        f(2, "selector", Msg(49), One, OE | PTR),
        f(3, "maxUnavailable", Msg(84), One, OE | PTR),
        f(4, "unhealthyPodEvictionPolicy", Str, One, OE | PTR),
    ] },
    // 280
    Message { name: "k8s.io.api.policy.v1.PodDisruptionBudgetStatus", shape: Struct, fields: &[
        f(1, "observedGeneration", I64, One, OE),
        f(2, "disruptedPods", Msg(2), Map, OE),
        f(3, "disruptionsAllowed", I32, One, 0),
        f(4, "currentHealthy", I32, One, 0),
        f(5, "desiredHealthy", I32, One, 0),
        f(6, "expectedPods", I32, One, 0),
        f(7, "conditions", Msg(157), Rep, OE),
    ] },
    // 281
    Message { name: "k8s.io.api.networking.v1.Ingress", shape: Struct, fields: &[
        f(1, "metadata", Msg(1), One, OE),
        f(2, "spec", Msg(282), One, OE),
        f(3, "status", Msg(291), One, OE),
    ] },
    // 282
    Message { name: "k8s.io.api.networking.v1.IngressSpec", shape: Struct, fields: &[
        f(4, "ingressClassName", Str, One, OE | PTR),
        f(1, "defaultBackend", Msg(283), One, OE | PTR),
        f(2, "tls", Msg(286), Rep, OE),
        f(3, "rules", Msg(287), Rep, OE),
    ] },
    // 283
    Message { name: "k8s.io.api.networking.v1.IngressBackend", shape: Struct, fields: &[
        f(4, "service", Msg(284), One, OE | PTR),
        f(3, "resource", Msg(60), One, OE | PTR),
    ] },
    // 284
    Message { name: "k8s.io.api.networking.v1.IngressServiceBackend", shape: Struct, fields: &[
        f(1, "name", Str, One, 0),
        f(2, "port", Msg(285), One, OE),
    ] },
    // 285
    Message { name: "k8s.io.api.networking.v1.ServiceBackendPort", shape: Struct, fields: &[
        f(1, "name", Str, One, OE),
        f(2, "number", I32, One, OE),
    ] },
    // 286
    Message { name: "k8s.io.api.networking.v1.IngressTLS", shape: Struct, fields: &[
        f(1, "hosts", Str, Rep, OE),
        f(2, "secretName", Str, One, OE),
    ] },
    // 287
    Message { name: "k8s.io.api.networking.v1.IngressRule", shape: Struct, fields: &[
        f(1, "host", Str, One, OE),
        f(2, "ingressRuleValue", Msg(288), One, INL),
    ] },
    // 288
    Message { name: "k8s.io.api.networking.v1.IngressRuleValue", shape: Struct, fields: &[
        f(1, "http", Msg(289), One, OE | PTR),
    ] },
    // 289
    Message { name: "k8s.io.api.networking.v1.HTTPIngressRuleValue", shape: Struct, fields: &[
        f(1, "paths", Msg(290), Rep, 0),
    ] },
    // 290
    Message { name: "k8s.io.api.networking.v1.HTTPIngressPath", shape: Struct, fields: &[
        f(1, "path", Str, One, OE),
        f(3, "pathType", Str, One, PTR),
        f(2, "backend", Msg(283), One, 0),
    ] },
    // 291
    Message { name: "k8s.io.api.networking.v1.IngressStatus", shape: Struct, fields: &[
        f(1, "loadBalancer", Msg(292), One, OE),
    ] },
    // 292
    Message { name: "k8s.io.api.networking.v1.IngressLoadBalancerStatus", shape: Struct, fields: &[
        f(1, "ingress", Msg(293), Rep, OE),
    ] },
    // 293
    Message { name: "k8s.io.api.networking.v1.IngressLoadBalancerIngress", shape: Struct, fields: &[
        f(1, "ip", Str, One, OE),
        f(2, "hostname", Str, One, OE),
        f(4, "ports", Msg(294), Rep, OE),
    ] },
    // 294
    Message { name: "k8s.io.api.networking.v1.IngressPortStatus", shape: Struct, fields: &[
        f(1, "port", I32, One, 0),
        f(2, "protocol", Str, One, 0),
        f(3, "error", Str, One, OE | PTR),
    ] },
    // 295
    Message { name: "k8s.io.api.networking.v1.IngressClass", shape: Struct, fields: &[
        f(1, "metadata", Msg(1), One, OE),
        f(2, "spec", Msg(296), One, OE),
    ] },
    // 296
    Message { name: "k8s.io.api.networking.v1.IngressClassSpec", shape: Struct, fields: &[
        f(1, "controller", Str, One, OE),
        f(2, "parameters", Msg(297), One, OE | PTR),
    ] },
    // 297
    Message { name: "k8s.io.api.networking.v1.IngressClassParametersReference", shape: Struct, fields: &[
        f(1, "apiGroup", Str, One, OE | PTR),
        f(2, "kind", Str, One, 0),
        f(3, "name", Str, One, 0),
        f(4, "scope", Str, One, PTR),
        f(5, "namespace", Str, One, OE | PTR),
    ] },
    // 298
    Message { name: "k8s.io.api.networking.v1.NetworkPolicy", shape: Struct, fields: &[
        f(1, "metadata", Msg(1), One, OE),
        f(2, "spec", Msg(299), One, OE),
    ] },
    // 299
    Message { name: "k8s.io.api.networking.v1.NetworkPolicySpec", shape: Struct, fields: &[
        f(1, "podSelector", Msg(49), One, 0),
        f(2, "ingress", Msg(300), Rep, OE),
        f(3, "egress", Msg(304), Rep, OE),
        f(4, "policyTypes", Str, Rep, OE),
    ] },
    // 300
    Message { name: "k8s.io.api.networking.v1.NetworkPolicyIngressRule", shape: Struct, fields: &[
        f(1, "ports", Msg(301), Rep, OE),
        f(2, "from", Msg(302), Rep, OE),
    ] },
    // 301
    Message { name: "k8s.io.api.networking.v1.NetworkPolicyPort", shape: Struct, fields: &[
        f(1, "protocol", Str, One, OE | PTR),
        f(2, "port", Msg(84), One, OE | PTR),
        f(3, "endPort", I32, One, OE | PTR),
    ] },
    // 302
    Message { name: "k8s.io.api.networking.v1.NetworkPolicyPeer", shape: Struct, fields: &[
        f(1, "podSelector", Msg(49), One, OE | PTR),
        f(2, "namespaceSelector", Msg(49), One, OE | PTR),
        f(3, "ipBlock", Msg(303), One, OE | PTR),
    ] },
    // 303
    Message { name: "k8s.io.api.networking.v1.IPBlock", shape: Struct, fields: &[
        f(1, "cidr", Str, One, 0),
        f(2, "except", Str, Rep, OE),
    ] },
    // 304
    Message { name: "k8s.io.api.networking.v1.NetworkPolicyEgressRule", shape: Struct, fields: &[
        f(1, "ports", Msg(301), Rep, OE),
        f(2, "to", Msg(302), Rep, OE),
    ] },
    // 305
    Message { name: "k8s.io.api.coordination.v1.Lease", shape: Struct, fields: &[
        f(1, "metadata", Msg(1), One, OE),
        f(2, "spec", Msg(306), One, OE),
    ] },
    // 306
    Message { name: "k8s.io.api.coordination.v1.LeaseSpec", shape: Struct, fields: &[
        f(1, "holderIdentity", Str, One, OE | PTR),
        f(2, "leaseDurationSeconds", I32, One, OE | PTR),
        f(3, "acquireTime", Msg(167), One, OE | PTR),
        f(4, "renewTime", Msg(167), One, OE | PTR),
        f(5, "leaseTransitions", I32, One, OE | PTR),
        f(6, "strategy", Str, One, OE | PTR),
        f(7, "preferredHolder", Str, One, OE | PTR),
    ] },
    // 307
    Message { name: "k8s.io.api.autoscaling.v1.Scale", shape: Struct, fields: &[
        f(1, "metadata", Msg(1), One, OE),
        f(2, "spec", Msg(308), One, OE),
        f(3, "status", Msg(309), One, OE),
    ] },
    // 308
    Message { name: "k8s.io.api.autoscaling.v1.ScaleSpec", shape: Struct, fields: &[
        f(1, "replicas", I32, One, OE),
    ] },
    // 309
    Message { name: "k8s.io.api.autoscaling.v1.ScaleStatus", shape: Struct, fields: &[
        f(1, "replicas", I32, One, 0),
        f(2, "selector", Str, One, OE),
    ] },
    // 310
    Message { name: "k8s.io.api.autoscaling.v1.HorizontalPodAutoscaler", shape: Struct, fields: &[
        f(1, "metadata", Msg(1), One, OE),
        f(2, "spec", Msg(311), One, OE),
        f(3, "status", Msg(313), One, OE),
    ] },
    // 311
    Message { name: "k8s.io.api.autoscaling.v1.HorizontalPodAutoscalerSpec", shape: Struct, fields: &[
        f(1, "scaleTargetRef", Msg(312), One, 0),
        f(2, "minReplicas", I32, One, OE | PTR),
        f(3, "maxReplicas", I32, One, 0),
        f(4, "targetCPUUtilizationPercentage", I32, One, OE | PTR),
    ] },
    // 312
    Message { name: "k8s.io.api.autoscaling.v1.CrossVersionObjectReference", shape: Struct, fields: &[
        f(1, "kind", Str, One, 0),
        f(2, "name", Str, One, 0),
        f(3, "apiVersion", Str, One, OE),
    ] },
    // 313
    Message { name: "k8s.io.api.autoscaling.v1.HorizontalPodAutoscalerStatus", shape: Struct, fields: &[
        f(1, "observedGeneration", I64, One, OE | PTR),
        f(2, "lastScaleTime", Msg(2), One, OE | PTR),
        f(3, "currentReplicas", I32, One, 0),
        f(4, "desiredReplicas", I32, One, 0),
        f(5, "currentCPUUtilizationPercentage", I32, One, OE | PTR),
    ] },
    // 314
    Message { name: "k8s.io.api.autoscaling.v2.HorizontalPodAutoscaler", shape: Struct, fields: &[
        f(1, "metadata", Msg(1), One, OE),
        f(2, "spec", Msg(315), One, OE),
        f(3, "status", Msg(328), One, OE),
    ] },
    // 315
    Message { name: "k8s.io.api.autoscaling.v2.HorizontalPodAutoscalerSpec", shape: Struct, fields: &[
        f(1, "scaleTargetRef", Msg(316), One, 0),
        f(2, "minReplicas", I32, One, OE | PTR),
        f(3, "maxReplicas", I32, One, 0),
        f(4, "metrics", Msg(317), Rep, OE),
        f(5, "behavior", Msg(325), One, OE | PTR),
    ] },
    // 316
    Message { name: "k8s.io.api.autoscaling.v2.CrossVersionObjectReference", shape: Struct, fields: &[
        f(1, "kind", Str, One, 0),
        f(2, "name", Str, One, 0),
        f(3, "apiVersion", Str, One, OE),
    ] },
    // 317
    Message { name: "k8s.io.api.autoscaling.v2.MetricSpec", shape: Struct, fields: &[
        f(1, "type", Str, One, 0),
        f(2, "object", Msg(318), One, OE | PTR),
        f(3, "pods", Msg(321), One, OE | PTR),
        f(4, "resource", Msg(322), One, OE | PTR),
        f(7, "containerResource", Msg(323), One, OE | PTR),
        f(5, "external", Msg(324), One, OE | PTR),
    ] },
    // 318
    Message { name: "k8s.io.api.autoscaling.v2.ObjectMetricSource", shape: Struct, fields: &[
        f(1, "describedObject", Msg(316), One, 0),
        f(2, "target", Msg(319), One, 0),
        f(3, "metric", Msg(320), One, 0),
    ] },
    // 319
    Message { name: "k8s.io.api.autoscaling.v2.MetricTarget", shape: Struct, fields: &[
        f(1, "type", Str, One, 0),
        f(2, "value", Msg(15), One, OE | PTR),
        f(3, "averageValue", Msg(15), One, OE | PTR),
        f(4, "averageUtilization", I32, One, OE | PTR),
    ] },
    // 320
    Message { name: "k8s.io.api.autoscaling.v2.MetricIdentifier", shape: Struct, fields: &[
        f(1, "name", Str, One, 0),
        f(2, "selector", Msg(49), One, OE | PTR),
    ] },
    // 321
    Message { name: "k8s.io.api.autoscaling.v2.PodsMetricSource", shape: Struct, fields: &[
        f(1, "metric", Msg(320), One, 0),
        f(2, "target", Msg(319), One, 0),
    ] },
    // 322
    Message { name: "k8s.io.api.autoscaling.v2.ResourceMetricSource", shape: Struct, fields: &[
        f(1, "name", Str, One, 0),
        f(2, "target", Msg(319), One, 0),
    ] },
    // 323
    Message { name: "k8s.io.api.autoscaling.v2.ContainerResourceMetricSource", shape: Struct, fields: &[
        f(1, "name", Str, One, 0),
        f(2, "target", Msg(319), One, 0),
        f(3, "container", Str, One, 0),
    ] },
    // 324
    Message { name: "k8s.io.api.autoscaling.v2.ExternalMetricSource", shape: Struct, fields: &[
        f(1, "metric", Msg(320), One, 0),
        f(2, "target", Msg(319), One, 0),
    ] },
    // 325
    Message { name: "k8s.io.api.autoscaling.v2.HorizontalPodAutoscalerBehavior", shape: Struct, fields: &[
        f(1, "scaleUp", Msg(326), One, OE | PTR),
        f(2, "scaleDown", Msg(326), One, OE | PTR),
    ] },
    // 326
    Message { name: "k8s.io.api.autoscaling.v2.HPAScalingRules", shape: Struct, fields: &[
        f(3, "stabilizationWindowSeconds", I32, One, OE | PTR),
        f(1, "selectPolicy", Str, One, OE | PTR),
        f(2, "policies", Msg(327), Rep, OE),
        f(4, "tolerance", Msg(15), One, OE | PTR),
    ] },
    // 327
    Message { name: "k8s.io.api.autoscaling.v2.HPAScalingPolicy", shape: Struct, fields: &[
        f(1, "type", Str, One, 0),
        f(2, "value", I32, One, 0),
        f(3, "periodSeconds", I32, One, 0),
    ] },
    // 328
    Message { name: "k8s.io.api.autoscaling.v2.HorizontalPodAutoscalerStatus", shape: Struct, fields: &[
        f(1, "observedGeneration", I64, One, OE | PTR),
        f(2, "lastScaleTime", Msg(2), One, OE | PTR),
        f(3, "currentReplicas", I32, One, OE),
        f(4, "desiredReplicas", I32, One, 0),
        f(5, "currentMetrics", Msg(329), Rep, 0),
        f(6, "conditions", Msg(336), Rep, OE),
    ] },
    // 329
    Message { name: "k8s.io.api.autoscaling.v2.MetricStatus", shape: Struct, fields: &[
        f(1, "type", Str, One, 0),
        f(2, "object", Msg(330), One, OE | PTR),
        f(3, "pods", Msg(332), One, OE | PTR),
        f(4, "resource", Msg(333), One, OE | PTR),
        f(7, "containerResource", Msg(334), One, OE | PTR),
        f(5, "external", Msg(335), One, OE | PTR),
    ] },
    // 330
    Message { name: "k8s.io.api.autoscaling.v2.ObjectMetricStatus", shape: Struct, fields: &[
        f(1, "metric", Msg(320), One, 0),
        f(2, "current", Msg(331), One, 0),
        f(3, "describedObject", Msg(316), One, 0),
    ] },
    // 331
    Message { name: "k8s.io.api.autoscaling.v2.MetricValueStatus", shape: Struct, fields: &[
        f(1, "value", Msg(15), One, OE | PTR),
        f(2, "averageValue", Msg(15), One, OE | PTR),
        f(3, "averageUtilization", I32, One, OE | PTR),
    ] },
    // 332
    Message { name: "k8s.io.api.autoscaling.v2.PodsMetricStatus", shape: Struct, fields: &[
        f(1, "metric", Msg(320), One, 0),
        f(2, "current", Msg(331), One, 0),
    ] },
    // 333
    Message { name: "k8s.io.api.autoscaling.v2.ResourceMetricStatus", shape: Struct, fields: &[
        f(1, "name", Str, One, 0),
        f(2, "current", Msg(331), One, 0),
    ] },
    // 334
    Message { name: "k8s.io.api.autoscaling.v2.ContainerResourceMetricStatus", shape: Struct, fields: &[
        f(1, "name", Str, One, 0),
        f(2, "current", Msg(331), One, 0),
        f(3, "container", Str, One, 0),
    ] },
    // 335
    Message { name: "k8s.io.api.autoscaling.v2.ExternalMetricStatus", shape: Struct, fields: &[
        f(1, "metric", Msg(320), One, 0),
        f(2, "current", Msg(331), One, 0),
    ] },
    // 336
    Message { name: "k8s.io.api.autoscaling.v2.HorizontalPodAutoscalerCondition", shape: Struct, fields: &[
        f(1, "type", Str, One, 0),
        f(2, "status", Str, One, 0),
        f(3, "lastTransitionTime", Msg(2), One, OE),
        f(4, "reason", Str, One, OE),
        f(5, "message", Str, One, OE),
        f(6, "observedGeneration", I64, One, OE | PTR),
    ] },
    // 337
    Message { name: "k8s.io.api.discovery.v1.EndpointSlice", shape: Struct, fields: &[
        f(1, "metadata", Msg(1), One, OE),
        f(4, "addressType", Str, One, 0),
        f(2, "endpoints", Msg(338), Rep, 0),
        f(3, "ports", Msg(343), Rep, 0),
    ] },
    // 338
    Message { name: "k8s.io.api.discovery.v1.Endpoint", shape: Struct, fields: &[
        f(1, "addresses", Str, Rep, 0),
        f(2, "conditions", Msg(339), One, OE),
        f(3, "hostname", Str, One, OE | PTR),
        f(4, "targetRef", Msg(161), One, OE | PTR),
        f(5, "deprecatedTopology", Str, Map, OE),
        f(6, "nodeName", Str, One, OE | PTR),
        f(7, "zone", Str, One, OE | PTR),
        f(8, "hints", Msg(340), One, OE | PTR),
    ] },
    // 339
    Message { name: "k8s.io.api.discovery.v1.EndpointConditions", shape: Struct, fields: &[
        f(1, "ready", Bool, One, OE | PTR),
        f(2, "serving", Bool, One, OE | PTR),
        f(3, "terminating", Bool, One, OE | PTR),
    ] },
    // 340
    Message { name: "k8s.io.api.discovery.v1.EndpointHints", shape: Struct, fields: &[
        f(1, "forZones", Msg(341), Rep, OE),
        f(2, "forNodes", Msg(342), Rep, OE),
    ] },
    // 341
    Message { name: "k8s.io.api.discovery.v1.ForZone", shape: Struct, fields: &[
        f(1, "name", Str, One, 0),
    ] },
    // 342
    Message { name: "k8s.io.api.discovery.v1.ForNode", shape: Struct, fields: &[
        f(1, "name", Str, One, 0),
    ] },
    // 343
    Message { name: "k8s.io.api.discovery.v1.EndpointPort", shape: Struct, fields: &[
        f(1, "name", Str, One, OE | PTR),
        f(2, "protocol", Str, One, OE | PTR),
        f(3, "port", I32, One, OE | PTR),
        f(4, "appProtocol", Str, One, OE | PTR),
    ] },
    // 344
    Message { name: "k8s.io.api.events.v1.Event", shape: Struct, fields: &[
        f(1, "metadata", Msg(1), One, 0),
        f(2, "eventTime", Msg(167), One, 0),
        f(3, "series", Msg(345), One, OE | PTR),
        f(4, "reportingController", Str, One, OE),
        f(5, "reportingInstance", Str, One, OE),
        f(6, "action", Str, One, OE),
        f(7, "reason", Str, One, OE),
        f(8, "regarding", Msg(161), One, OE),
        f(9, "related", Msg(161), One, OE | PTR),
        f(10, "note", Str, One, OE),
        f(11, "type", Str, One, OE),
        f(12, "deprecatedSource", Msg(166), One, OE),
        f(13, "deprecatedFirstTimestamp", Msg(2), One, OE),
        f(14, "deprecatedLastTimestamp", Msg(2), One, OE),
        f(15, "deprecatedCount", I32, One, OE),
    ] },
    // 345
    Message { name: "k8s.io.api.events.v1.EventSeries", shape: Struct, fields: &[
        f(1, "count", I32, One, 0),
        f(2, "lastObservedTime", Msg(167), One, 0),
    ] },
    // 346
    Message { name: "k8s.io.api.scheduling.v1.PriorityClass", shape: Struct, fields: &[
        f(1, "metadata", Msg(1), One, OE),
        f(2, "value", I32, One, 0),
        f(3, "globalDefault", Bool, One, OE),
        f(4, "description", Str, One, OE),
        f(5, "preemptionPolicy", Str, One, OE | PTR),
    ] },
    // 347
    Message { name: "k8s.io.api.certificates.v1.CertificateSigningRequest", shape: Struct, fields: &[
        f(1, "metadata", Msg(1), One, OE),
        f(2, "spec", Msg(348), One, 0),
        f(3, "status", Msg(350), One, OE),
    ] },
    // 348
    Message { name: "k8s.io.api.certificates.v1.CertificateSigningRequestSpec", shape: Struct, fields: &[
        f(1, "request", Bytes, One, 0),
        f(7, "signerName", Str, One, 0),
        f(8, "expirationSeconds", I32, One, OE | PTR),
        f(5, "usages", Str, Rep, OE),
        f(2, "username", Str, One, OE),
        f(3, "uid", Str, One, OE),
        f(4, "groups", Str, Rep, OE),
        f(6, "extra", Msg(349), Map, OE),
    ] },
    // 349
    Message { name: "k8s.io.api.certificates.v1.ExtraValue", shape: List, fields: &[
        f(1, "items", Str, Rep, 0),
    ] },
    // 350
    Message { name: "k8s.io.api.certificates.v1.CertificateSigningRequestStatus", shape: Struct, fields: &[
        f(1, "conditions", Msg(351), Rep, OE),
        f(2, "certificate", Bytes, One, OE),
    ] },
    // 351
    Message { name: "k8s.io.api.certificates.v1.CertificateSigningRequestCondition", shape: Struct, fields: &[
        f(1, "type", Str, One, 0),
        f(6, "status", Str, One, 0),
        f(2, "reason", Str, One, OE),
        f(3, "message", Str, One, OE),
        f(4, "lastUpdateTime", Msg(2), One, OE),
        f(5, "lastTransitionTime", Msg(2), One, OE),
    ] },
    // 352
    Message { name: "k8s.io.api.rbac.v1.Role", shape: Struct, fields: &[
        f(1, "metadata", Msg(1), One, OE),
        f(2, "rules", Msg(353), Rep, 0),
    ] },
    // 353
    Message { name: "k8s.io.api.rbac.v1.PolicyRule", shape: Struct, fields: &[
        f(1, "verbs", Str, Rep, 0),
        f(2, "apiGroups", Str, Rep, OE),
        f(3, "resources", Str, Rep, OE),
        f(4, "resourceNames", Str, Rep, OE),
        f(5, "nonResourceURLs", Str, Rep, OE),
    ] },
    // 354
    Message { name: "k8s.io.api.rbac.v1.RoleBinding", shape: Struct, fields: &[
        f(1, "metadata", Msg(1), One, OE),
        f(2, "subjects", Msg(355), Rep, OE),
        f(3, "roleRef", Msg(356), One, 0),
    ] },
    // 355
    Message { name: "k8s.io.api.rbac.v1.Subject", shape: Struct, fields: &[
        f(1, "kind", Str, One, 0),
        f(2, "apiGroup", Str, One, OE),
        f(3, "name", Str, One, 0),
        f(4, "namespace", Str, One, OE),
    ] },
    // 356
    Message { name: "k8s.io.api.rbac.v1.RoleRef", shape: Struct, fields: &[
        f(1, "apiGroup", Str, One, 0),
        f(2, "kind", Str, One, 0),
        f(3, "name", Str, One, 0),
    ] },
    // 357
    Message { name: "k8s.io.api.rbac.v1.ClusterRole", shape: Struct, fields: &[
        f(1, "metadata", Msg(1), One, OE),
        f(2, "rules", Msg(353), Rep, 0),
        f(3, "aggregationRule", Msg(358), One, OE | PTR),
    ] },
    // 358
    Message { name: "k8s.io.api.rbac.v1.AggregationRule", shape: Struct, fields: &[
        f(1, "clusterRoleSelectors", Msg(49), Rep, OE),
    ] },
    // 359
    Message { name: "k8s.io.api.rbac.v1.ClusterRoleBinding", shape: Struct, fields: &[
        f(1, "metadata", Msg(1), One, OE),
        f(2, "subjects", Msg(355), Rep, OE),
        f(3, "roleRef", Msg(356), One, 0),
    ] },
    // 360
    Message { name: "k8s.io.api.authentication.v1.TokenRequest", shape: Struct, fields: &[
        f(1, "metadata", Msg(1), One, OE),
        f(2, "spec", Msg(361), One, 0),
        f(3, "status", Msg(364), One, OE),
    ] },
    // 361
    Message { name: "k8s.io.api.authentication.v1.TokenRequestSpec", shape: Struct, fields: &[
        f(1, "audiences", Str, Rep, 0),
        f(4, "expirationSeconds", I64, One, PTR),
        f(3, "boundObjectRef", Msg(362), One, PTR),
        f(5, "attestations", Msg(363), Map, OE),
    ] },
    // 362
    Message { name: "k8s.io.api.authentication.v1.BoundObjectReference", shape: Struct, fields: &[
        f(1, "kind", Str, One, OE),
        f(2, "apiVersion", Str, One, OE),
        f(3, "name", Str, One, OE),
        f(4, "uid", Str, One, OE),
    ] },
    // 363
    Message { name: "k8s.io.api.authentication.v1.AttestationValue", shape: List, fields: &[
        f(1, "items", Str, Rep, 0),
    ] },
    // 364
    Message { name: "k8s.io.api.authentication.v1.TokenRequestStatus", shape: Struct, fields: &[
        f(1, "token", Str, One, 0),
        f(2, "expirationTimestamp", Msg(2), One, 0),
    ] },
    // 365
    Message { name: "k8s.io.api.authentication.v1.TokenReview", shape: Struct, fields: &[
        f(1, "metadata", Msg(1), One, OE),
        f(2, "spec", Msg(366), One, 0),
        f(3, "status", Msg(367), One, OE),
    ] },
    // 366
    Message { name: "k8s.io.api.authentication.v1.TokenReviewSpec", shape: Struct, fields: &[
        f(1, "token", Str, One, OE),
        f(2, "audiences", Str, Rep, OE),
    ] },
    // 367
    Message { name: "k8s.io.api.authentication.v1.TokenReviewStatus", shape: Struct, fields: &[
        f(1, "authenticated", Bool, One, OE),
        f(2, "user", Msg(368), One, OE),
        f(4, "audiences", Str, Rep, OE),
        f(3, "error", Str, One, OE),
    ] },
    // 368
    Message { name: "k8s.io.api.authentication.v1.UserInfo", shape: Struct, fields: &[
        f(1, "username", Str, One, OE),
        f(2, "uid", Str, One, OE),
        f(3, "groups", Str, Rep, OE),
        f(4, "extra", Msg(369), Map, OE),
    ] },
    // 369
    Message { name: "k8s.io.api.authentication.v1.ExtraValue", shape: List, fields: &[
        f(1, "items", Str, Rep, 0),
    ] },
    // 370
    Message { name: "k8s.io.api.authentication.v1.SelfSubjectReview", shape: Struct, fields: &[
        f(1, "metadata", Msg(1), One, OE),
        f(2, "status", Msg(371), One, OE),
    ] },
    // 371
    Message { name: "k8s.io.api.authentication.v1.SelfSubjectReviewStatus", shape: Struct, fields: &[
        f(1, "userInfo", Msg(368), One, OE),
    ] },
    // 372
    Message { name: "k8s.io.api.authorization.v1.SelfSubjectAccessReview", shape: Struct, fields: &[
        f(1, "metadata", Msg(1), One, OE),
        f(2, "spec", Msg(373), One, 0),
        f(3, "status", Msg(379), One, OE),
    ] },
    // 373
    Message { name: "k8s.io.api.authorization.v1.SelfSubjectAccessReviewSpec", shape: Struct, fields: &[
        f(1, "resourceAttributes", Msg(374), One, OE | PTR),
        f(2, "nonResourceAttributes", Msg(378), One, OE | PTR),
    ] },
    // 374
    Message { name: "k8s.io.api.authorization.v1.ResourceAttributes", shape: Struct, fields: &[
        f(1, "namespace", Str, One, OE),
        f(2, "verb", Str, One, OE),
        f(3, "group", Str, One, OE),
        f(4, "version", Str, One, OE),
        f(5, "resource", Str, One, OE),
        f(6, "subresource", Str, One, OE),
        f(7, "name", Str, One, OE),
        f(8, "fieldSelector", Msg(375), One, OE | PTR),
        f(9, "labelSelector", Msg(377), One, OE | PTR),
    ] },
    // 375
    Message { name: "k8s.io.api.authorization.v1.FieldSelectorAttributes", shape: Struct, fields: &[
        f(1, "rawSelector", Str, One, OE),
        f(2, "requirements", Msg(376), Rep, OE),
    ] },
    // 376
    Message { name: "k8s.io.apimachinery.pkg.apis.meta.v1.FieldSelectorRequirement", shape: Struct, fields: &[
        f(1, "key", Str, One, 0),
        f(2, "operator", Str, One, 0),
        f(3, "values", Str, Rep, OE),
    ] },
    // 377
    Message { name: "k8s.io.api.authorization.v1.LabelSelectorAttributes", shape: Struct, fields: &[
        f(1, "rawSelector", Str, One, OE),
        f(2, "requirements", Msg(50), Rep, OE),
    ] },
    // 378
    Message { name: "k8s.io.api.authorization.v1.NonResourceAttributes", shape: Struct, fields: &[
        f(1, "path", Str, One, OE),
        f(2, "verb", Str, One, OE),
    ] },
    // 379
    Message { name: "k8s.io.api.authorization.v1.SubjectAccessReviewStatus", shape: Struct, fields: &[
        f(1, "allowed", Bool, One, 0),
        f(4, "denied", Bool, One, OE),
        f(2, "reason", Str, One, OE),
        f(3, "evaluationError", Str, One, OE),
    ] },
    // 380
    Message { name: "k8s.io.api.authorization.v1.SelfSubjectRulesReview", shape: Struct, fields: &[
        f(1, "metadata", Msg(1), One, OE),
        f(2, "spec", Msg(381), One, 0),
        f(3, "status", Msg(382), One, OE),
    ] },
    // 381
    Message { name: "k8s.io.api.authorization.v1.SelfSubjectRulesReviewSpec", shape: Struct, fields: &[
        f(1, "namespace", Str, One, OE),
    ] },
    // 382
    Message { name: "k8s.io.api.authorization.v1.SubjectRulesReviewStatus", shape: Struct, fields: &[
        f(1, "resourceRules", Msg(383), Rep, 0),
        f(2, "nonResourceRules", Msg(384), Rep, 0),
        f(3, "incomplete", Bool, One, 0),
        f(4, "evaluationError", Str, One, OE),
    ] },
    // 383
    Message { name: "k8s.io.api.authorization.v1.ResourceRule", shape: Struct, fields: &[
        f(1, "verbs", Str, Rep, 0),
        f(2, "apiGroups", Str, Rep, OE),
        f(3, "resources", Str, Rep, OE),
        f(4, "resourceNames", Str, Rep, OE),
    ] },
    // 384
    Message { name: "k8s.io.api.authorization.v1.NonResourceRule", shape: Struct, fields: &[
        f(1, "verbs", Str, Rep, 0),
        f(2, "nonResourceURLs", Str, Rep, OE),
    ] },
    // 385
    Message { name: "k8s.io.api.authorization.v1.SubjectAccessReview", shape: Struct, fields: &[
        f(1, "metadata", Msg(1), One, OE),
        f(2, "spec", Msg(386), One, 0),
        f(3, "status", Msg(379), One, OE),
    ] },
    // 386
    Message { name: "k8s.io.api.authorization.v1.SubjectAccessReviewSpec", shape: Struct, fields: &[
        f(1, "resourceAttributes", Msg(374), One, OE | PTR),
        f(2, "nonResourceAttributes", Msg(378), One, OE | PTR),
        f(3, "user", Str, One, OE),
        f(4, "groups", Str, Rep, OE),
        f(5, "extra", Msg(387), Map, OE),
        f(6, "uid", Str, One, OE),
    ] },
    // 387
    Message { name: "k8s.io.api.authorization.v1.ExtraValue", shape: List, fields: &[
        f(1, "items", Str, Rep, 0),
    ] },
    // 388
    Message { name: "k8s.io.api.authorization.v1.LocalSubjectAccessReview", shape: Struct, fields: &[
        f(1, "metadata", Msg(1), One, OE),
        f(2, "spec", Msg(386), One, 0),
        f(3, "status", Msg(379), One, OE),
    ] },
    // 389
    Message { name: "k8s.io.apimachinery.pkg.apis.meta.v1.CreateOptions", shape: Struct, fields: &[
        f(1, "dryRun", Str, Rep, OE),
        f(3, "fieldManager", Str, One, OE),
        f(4, "fieldValidation", Str, One, OE),
    ] },
    // 390
    Message { name: "k8s.io.apimachinery.pkg.apis.meta.v1.UpdateOptions", shape: Struct, fields: &[
        f(1, "dryRun", Str, Rep, OE),
        f(2, "fieldManager", Str, One, OE),
        f(3, "fieldValidation", Str, One, OE),
    ] },
    // 391
    Message { name: "k8s.io.apimachinery.pkg.apis.meta.v1.PatchOptions", shape: Struct, fields: &[
        f(1, "dryRun", Str, Rep, OE),
        f(2, "force", Bool, One, OE | PTR),
        f(3, "fieldManager", Str, One, OE),
        f(4, "fieldValidation", Str, One, OE),
    ] },
    // 392
    Message { name: "k8s.io.apimachinery.pkg.apis.meta.v1.GetOptions", shape: Struct, fields: &[
        f(1, "resourceVersion", Str, One, OE),
    ] },
    // 393
    Message { name: "k8s.io.apimachinery.pkg.apis.meta.v1.ListOptions", shape: Struct, fields: &[
        f(1, "labelSelector", Str, One, OE),
        f(2, "fieldSelector", Str, One, OE),
        f(3, "watch", Bool, One, OE),
        f(9, "allowWatchBookmarks", Bool, One, OE),
        f(4, "resourceVersion", Str, One, OE),
        f(10, "resourceVersionMatch", Str, One, OE),
        f(5, "timeoutSeconds", I64, One, OE | PTR),
        f(7, "limit", I64, One, OE),
        f(8, "continue", Str, One, OE),
        f(11, "sendInitialEvents", Bool, One, OE | PTR),
        f(15, "shardSelector", Str, One, OE),
    ] },
    // 394
    Message { name: "k8s.io.apimachinery.pkg.apis.meta.v1.Status", shape: Struct, fields: &[
        f(1, "metadata", Msg(395), One, OE),
        f(2, "status", Str, One, OE),
        f(3, "message", Str, One, OE),
        f(4, "reason", Str, One, OE),
        f(5, "details", Msg(397), One, OE | PTR),
        f(6, "code", I32, One, OE),
    ] },
    // 395
    Message { name: "k8s.io.apimachinery.pkg.apis.meta.v1.ListMeta", shape: Struct, fields: &[
        f(1, "selfLink", Str, One, OE),
        f(2, "resourceVersion", Str, One, OE),
        f(3, "continue", Str, One, OE),
        f(4, "remainingItemCount", I64, One, OE | PTR),
        f(5, "shardInfo", Msg(396), One, OE | PTR),
    ] },
    // 396
    Message { name: "k8s.io.apimachinery.pkg.apis.meta.v1.ShardInfo", shape: Struct, fields: &[
        f(1, "selector", Str, One, 0),
    ] },
    // 397
    Message { name: "k8s.io.apimachinery.pkg.apis.meta.v1.StatusDetails", shape: Struct, fields: &[
        f(1, "name", Str, One, OE),
        f(2, "group", Str, One, OE),
        f(3, "kind", Str, One, OE),
        f(6, "uid", Str, One, OE),
        f(4, "causes", Msg(398), Rep, OE),
        f(5, "retryAfterSeconds", I32, One, OE),
    ] },
    // 398
    Message { name: "k8s.io.apimachinery.pkg.apis.meta.v1.StatusCause", shape: Struct, fields: &[
        f(1, "reason", Str, One, OE),
        f(2, "message", Str, One, OE),
        f(3, "field", Str, One, OE),
    ] },
];

/// Top-level kinds a request body may carry, by apiVersion and kind.
pub(super) static KINDS: &[KindEntry] = &[
    KindEntry { api_version: "v1", kind: "Namespace", message: 0 },
    KindEntry { api_version: "v1", kind: "Pod", message: 9 },
    KindEntry { api_version: "v1", kind: "PodTemplate", message: 146 },
    KindEntry { api_version: "v1", kind: "Service", message: 148 },
    KindEntry { api_version: "v1", kind: "Endpoints", message: 158 },
    KindEntry { api_version: "v1", kind: "ConfigMap", message: 163 },
    KindEntry { api_version: "v1", kind: "Secret", message: 164 },
    KindEntry { api_version: "v1", kind: "Event", message: 165 },
    KindEntry { api_version: "v1", kind: "ServiceAccount", message: 169 },
    KindEntry { api_version: "v1", kind: "ResourceQuota", message: 170 },
    KindEntry { api_version: "v1", kind: "LimitRange", message: 175 },
    KindEntry { api_version: "v1", kind: "PersistentVolumeClaim", message: 178 },
    KindEntry { api_version: "v1", kind: "PersistentVolume", message: 183 },
    KindEntry { api_version: "v1", kind: "Node", message: 200 },
    KindEntry { api_version: "v1", kind: "ReplicationController", message: 219 },
    KindEntry { api_version: "v1", kind: "Binding", message: 223 },
    KindEntry { api_version: "apps/v1", kind: "Deployment", message: 224 },
    KindEntry { api_version: "apps/v1", kind: "ReplicaSet", message: 230 },
    KindEntry { api_version: "apps/v1", kind: "StatefulSet", message: 234 },
    KindEntry { api_version: "apps/v1", kind: "DaemonSet", message: 242 },
    KindEntry { api_version: "apps/v1", kind: "ControllerRevision", message: 248 },
    KindEntry { api_version: "batch/v1", kind: "Job", message: 250 },
    KindEntry { api_version: "batch/v1", kind: "CronJob", message: 271 },
    KindEntry { api_version: "policy/v1", kind: "Eviction", message: 275 },
    KindEntry { api_version: "policy/v1", kind: "PodDisruptionBudget", message: 278 },
    KindEntry { api_version: "networking.k8s.io/v1", kind: "Ingress", message: 281 },
    KindEntry { api_version: "networking.k8s.io/v1", kind: "IngressClass", message: 295 },
    KindEntry { api_version: "networking.k8s.io/v1", kind: "NetworkPolicy", message: 298 },
    KindEntry { api_version: "coordination.k8s.io/v1", kind: "Lease", message: 305 },
    KindEntry { api_version: "autoscaling/v1", kind: "Scale", message: 307 },
    KindEntry { api_version: "autoscaling/v1", kind: "HorizontalPodAutoscaler", message: 310 },
    KindEntry { api_version: "autoscaling/v2", kind: "HorizontalPodAutoscaler", message: 314 },
    KindEntry { api_version: "discovery.k8s.io/v1", kind: "EndpointSlice", message: 337 },
    KindEntry { api_version: "events.k8s.io/v1", kind: "Event", message: 344 },
    KindEntry { api_version: "scheduling.k8s.io/v1", kind: "PriorityClass", message: 346 },
    KindEntry { api_version: "certificates.k8s.io/v1", kind: "CertificateSigningRequest", message: 347 },
    KindEntry { api_version: "rbac.authorization.k8s.io/v1", kind: "Role", message: 352 },
    KindEntry { api_version: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", message: 354 },
    KindEntry { api_version: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", message: 357 },
    KindEntry { api_version: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", message: 359 },
    KindEntry { api_version: "authentication.k8s.io/v1", kind: "TokenRequest", message: 360 },
    KindEntry { api_version: "authentication.k8s.io/v1", kind: "TokenReview", message: 365 },
    KindEntry { api_version: "authentication.k8s.io/v1", kind: "SelfSubjectReview", message: 370 },
    KindEntry { api_version: "authorization.k8s.io/v1", kind: "SelfSubjectAccessReview", message: 372 },
    KindEntry { api_version: "authorization.k8s.io/v1", kind: "SelfSubjectRulesReview", message: 380 },
    KindEntry { api_version: "authorization.k8s.io/v1", kind: "SubjectAccessReview", message: 385 },
    KindEntry { api_version: "authorization.k8s.io/v1", kind: "LocalSubjectAccessReview", message: 388 },
    KindEntry { api_version: "meta.k8s.io/v1", kind: "DeleteOptions", message: 276 },
    KindEntry { api_version: "meta.k8s.io/v1", kind: "CreateOptions", message: 389 },
    KindEntry { api_version: "meta.k8s.io/v1", kind: "UpdateOptions", message: 390 },
    KindEntry { api_version: "meta.k8s.io/v1", kind: "PatchOptions", message: 391 },
    KindEntry { api_version: "meta.k8s.io/v1", kind: "GetOptions", message: 392 },
    KindEntry { api_version: "meta.k8s.io/v1", kind: "ListOptions", message: 393 },
    KindEntry { api_version: "meta.k8s.io/v1", kind: "Status", message: 394 },
];
