//! Kubernetes' defaulting of a pod template (`SetObjectDefaults_PodTemplate` in
//! k8s.io/kubernetes `pkg/apis/core/v1`), applied to the Rollout's template before comparing it
//! with a ReplicaSet's: the API server has already defaulted the ReplicaSet's copy, so without
//! this the two never compare equal. Only the pod *template* defaults apply (not the Pod-only
//! ones such as `enableServiceLinks`).

use super::layout::go_struct;
use super::quantity;
use serde_json::{Map, Value, json};

type Object = Map<String, Value>;

/// Applies the pod-template defaults to `template` (the JSON of a `PodTemplateSpec`).
pub(super) fn default_pod_template(template: &mut Value) {
    let Some(spec) = object(template, "spec") else {
        return;
    };
    default_str(spec, "dnsPolicy", "ClusterFirst");
    default_str(spec, "restartPolicy", "Always");
    default_set(spec, "securityContext", json!({}));
    default_set(spec, "terminationGracePeriodSeconds", json!(30));
    default_str(spec, "schedulerName", "default-scheduler");
    for volume in array(spec, "volumes") {
        default_volume(volume);
    }
    for key in ["initContainers", "containers", "ephemeralContainers"] {
        for container in array(spec, key) {
            default_container(container);
        }
    }
    round_resource_list(spec, "overhead");
}

fn default_volume(volume: &mut Object) {
    let sources = go_struct(super::go_layout::VOLUME_SOURCE).fields;
    if !sources.iter().any(|f| volume.get(f.json).is_some_and(|v| !v.is_null())) {
        volume.insert("emptyDir".to_owned(), json!({}));
    }
    if let Some(host_path) = object(volume, "hostPath") {
        default_set(host_path, "type", json!(""));
    }
    for key in ["secret", "configMap", "downwardAPI", "projected"] {
        if let Some(source) = object(volume, key) {
            default_set(source, "defaultMode", json!(0o644));
        }
    }
    if let Some(downward) = object(volume, "downwardAPI") {
        default_field_refs(downward);
    }
    if let Some(projected) = object(volume, "projected") {
        for source in array(projected, "sources") {
            if let Some(downward) = object(source, "downwardAPI") {
                default_field_refs(downward);
            }
            if let Some(token) = object(source, "serviceAccountToken") {
                default_set(token, "expirationSeconds", json!(3600));
            }
        }
    }
    if let Some(iscsi) = object(volume, "iscsi") {
        default_str(iscsi, "iscsiInterface", "default");
    }
    if let Some(rbd) = object(volume, "rbd") {
        default_str(rbd, "pool", "rbd");
        default_str(rbd, "user", "admin");
        default_str(rbd, "keyring", "/etc/ceph/keyring");
    }
    if let Some(disk) = object(volume, "azureDisk") {
        default_set(disk, "cachingMode", json!("ReadWrite"));
        default_set(disk, "kind", json!("Shared"));
        default_set(disk, "fsType", json!("ext4"));
        default_set(disk, "readOnly", json!(false));
    }
    if let Some(scale_io) = object(volume, "scaleIO") {
        default_str(scale_io, "storageMode", "ThinProvisioned");
        default_str(scale_io, "fsType", "xfs");
    }
    if let Some(claim) = object(volume, "ephemeral").and_then(|e| object(e, "volumeClaimTemplate"))
        && let Some(spec) = object(claim, "spec")
    {
        default_set(spec, "volumeMode", json!("Filesystem"));
        if let Some(resources) = object(spec, "resources") {
            round_resource_list(resources, "limits");
            round_resource_list(resources, "requests");
        }
    }
}

fn default_field_refs(downward: &mut Object) {
    for item in array(downward, "items") {
        if let Some(field_ref) = object(item, "fieldRef") {
            default_str(field_ref, "apiVersion", "v1");
        }
    }
}

fn default_container(container: &mut Object) {
    if is_unset(container.get("imagePullPolicy")) {
        let image = container.get("image").and_then(Value::as_str).unwrap_or("");
        let policy = if image_tag(image) == Some("latest") {
            "Always"
        } else {
            "IfNotPresent"
        };
        container.insert("imagePullPolicy".to_owned(), json!(policy));
    }
    default_str(container, "terminationMessagePath", "/dev/termination-log");
    default_str(container, "terminationMessagePolicy", "File");
    for port in array(container, "ports") {
        default_str(port, "protocol", "TCP");
    }
    for env in array(container, "env") {
        if let Some(field_ref) = object(env, "valueFrom").and_then(|v| object(v, "fieldRef")) {
            default_str(field_ref, "apiVersion", "v1");
        }
    }
    if let Some(resources) = object(container, "resources") {
        round_resource_list(resources, "limits");
        round_resource_list(resources, "requests");
    }
    for key in ["livenessProbe", "readinessProbe", "startupProbe"] {
        if let Some(probe) = object(container, key) {
            for (field, default) in [
                ("timeoutSeconds", 1),
                ("periodSeconds", 10),
                ("successThreshold", 1),
                ("failureThreshold", 3),
            ] {
                if is_unset(probe.get(field)) {
                    probe.insert(field.to_owned(), json!(default));
                }
            }
            default_http_get(probe);
            if let Some(grpc) = object(probe, "grpc") {
                default_set(grpc, "service", json!(""));
            }
        }
    }
    if let Some(lifecycle) = object(container, "lifecycle") {
        for key in ["postStart", "preStop"] {
            if let Some(handler) = object(lifecycle, key) {
                default_http_get(handler);
            }
        }
    }
}

fn default_http_get(handler: &mut Object) {
    if let Some(http_get) = object(handler, "httpGet") {
        default_str(http_get, "path", "/");
        default_str(http_get, "scheme", "HTTP");
    }
}

/// `SetDefaults_ResourceList`: every quantity rounded up to milli precision.
fn round_resource_list(parent: &mut Object, key: &str) {
    let Some(list) = object(parent, key) else {
        return;
    };
    for value in list.values_mut() {
        if let Some(rounded) = value.as_str().and_then(quantity::round_up_milli) {
            *value = Value::String(rounded);
        }
    }
}

/// The tag Kubernetes derives from an image reference (`parsers.ParseImageName`): the explicit
/// tag, `latest` when there is neither tag nor digest, nothing when there is only a digest or the
/// reference does not parse.
fn image_tag(image: &str) -> Option<&str> {
    let (name, digest) = match image.split_once('@') {
        Some((name, digest)) => (name, Some(digest)),
        None => (image, None),
    };
    let last_slash = name.rfind('/').map_or(0, |i| i + 1);
    let (repository, tag) = match name[last_slash..].rfind(':') {
        Some(i) => (&name[..last_slash + i], Some(&name[last_slash + i + 1..])),
        None => (name, None),
    };
    if !valid_repository(repository) || tag.is_some_and(|t| !valid_tag(t)) || digest.is_some_and(|d| !d.contains(':')) {
        return None;
    }
    match (tag, digest) {
        (Some(tag), _) => Some(tag),
        (None, None) => Some("latest"),
        (None, Some(_)) => None,
    }
}

/// A repository path the Docker reference grammar accepts: an optional registry host (with a
/// `.` or `:`, or `localhost`) followed by lowercase path components.
fn valid_repository(repository: &str) -> bool {
    let mut parts: Vec<&str> = repository.split('/').collect();
    if parts.len() > 1
        && parts
            .first()
            .is_some_and(|d| d.contains(['.', ':']) || *d == "localhost" || d.chars().any(|c| c.is_ascii_uppercase()))
    {
        let domain = parts.remove(0);
        if domain.is_empty() || !domain.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c)) {
            return false;
        }
    }
    parts.iter().all(|component| valid_path_component(component))
}

/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`
fn valid_path_component(component: &str) -> bool {
    let alnum = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    let separators_ok = component
        .split(alnum)
        .filter(|run| !run.is_empty())
        .all(|run| matches!(run, "." | "_" | "__") || run.chars().all(|c| c == '-'));
    component.starts_with(alnum) && component.ends_with(alnum) && separators_ok
}

fn valid_tag(tag: &str) -> bool {
    let bytes = tag.as_bytes();
    (1..=128).contains(&bytes.len())
        && bytes.first().is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
        && bytes.iter().all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(b))
}

fn is_unset(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty(),
        Some(Value::Number(n)) => n.as_i64() == Some(0),
        Some(_) => false,
    }
}

/// Sets a string field that is empty (Go's `if x == ""`).
fn default_str(object: &mut Object, key: &str, default: &str) {
    if matches!(object.get(key), None | Some(Value::Null)) || object.get(key).and_then(Value::as_str) == Some("") {
        object.insert(key.to_owned(), json!(default));
    }
}

/// Sets a pointer field that is nil (Go's `if x == nil`).
fn default_set(object: &mut Object, key: &str, default: Value) {
    if matches!(object.get(key), None | Some(Value::Null)) {
        object.insert(key.to_owned(), default);
    }
}

fn object<'a>(value: &'a mut impl Container, key: &str) -> Option<&'a mut Object> {
    value.child(key).and_then(Value::as_object_mut)
}

fn array<'a>(value: &'a mut Object, key: &str) -> impl Iterator<Item = &'a mut Object> {
    value
        .get_mut(key)
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object_mut)
}

/// Something with named children: a JSON value or object.
trait Container {
    fn child(&mut self, key: &str) -> Option<&mut Value>;
}

impl Container for Value {
    fn child(&mut self, key: &str) -> Option<&mut Value> {
        self.get_mut(key)
    }
}

impl Container for Object {
    fn child(&mut self, key: &str) -> Option<&mut Value> {
        self.get_mut(key)
    }
}

#[cfg(test)]
mod tests {
    use super::image_tag;

    #[test]
    fn image_tags_follow_kubernetes() {
        assert_eq!(image_tag("nginx"), Some("latest"));
        assert_eq!(image_tag("nginx:1.25"), Some("1.25"));
        assert_eq!(image_tag("nginx:latest"), Some("latest"));
        assert_eq!(image_tag("localhost:5000/app"), Some("latest"));
        assert_eq!(image_tag("localhost:5000/app:v2"), Some("v2"));
        assert_eq!(image_tag("app@sha256:abcd"), None);
        assert_eq!(image_tag("app:v1@sha256:abcd"), Some("v1"));
        assert_eq!(image_tag("Nginx"), None);
        assert_eq!(image_tag(""), None);
        assert_eq!(
            image_tag("argoproj/rollouts-demo:does-not-exist"),
            Some("does-not-exist")
        );
    }
}
