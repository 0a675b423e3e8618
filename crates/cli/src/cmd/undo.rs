//! `kubectl argo rollouts undo ROLLOUT_NAME [--to-revision N]`: puts the pod template of an earlier
//! revision (a ReplicaSet the Rollout owns) back into the Rollout, or into the workload its `workloadRef`
//! points at, with a JSON patch that replaces `/spec/template`.

use anyhow::anyhow;
use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::PodTemplateSpec;
use kube::api::{Api, DynamicObject, ListParams, Patch, PatchParams};
use kube::core::{ApiResource, GroupVersionKind};
use rollouts_api::Rollout;
use rollouts_api::well_known::{annotations, labels};
use serde_json::{Value, json};

use crate::client::Connection;
use crate::client::resources::untyped;

/// Undo a rollout
///
/// Rollback to the previous rollout.
#[derive(Clone, Debug, clap::Args)]
pub struct UndoArgs {
    /// Name of the rollout
    #[arg(value_name = "ROLLOUT_NAME")]
    pub name: String,
    /// The revision to rollback to. Default to 0 (last revision).
    #[arg(long, default_value_t = 0, allow_negative_numbers = true)]
    pub to_revision: i64,
}

/// Undoes the rollout and prints upstream's result: `rollout '<name>' undo` (with a newline), or
/// `skipped rollback (current template already matches revision N)` (without one, as upstream prints it).
pub async fn run(conn: &Connection, args: &UndoArgs, out: &mut impl std::io::Write) -> anyhow::Result<()> {
    let (name, to_revision) = (args.name.as_str(), args.to_revision);
    let ro = untyped::<Rollout>(conn).get(name).await?;
    let ro_name = ro.metadata.name.clone().unwrap_or_else(|| name.to_string());
    let replica_sets = owned_replica_sets(conn, &ro)
        .await
        .map_err(|e| anyhow!("failed to retrieve replica sets from rollout {ro_name}: {e}"))?;
    let rs = pick_revision(&replica_sets, to_revision, &ro_name)?;
    let mut template = rs.spec.template.clone().unwrap_or_default();

    if let Some(current) = ro.data.pointer("/spec/template") {
        let current = without_hash_label(current.clone());
        let candidate = without_hash_label(serde_json::to_value(&template)?);
        if derivative(&current, &candidate) {
            write!(
                out,
                "skipped rollback (current template already matches revision {to_revision})"
            )?;
            return Ok(());
        }
    }

    strip_hash_label(&mut template);
    let patch = template_patch(&template)?;
    let restored = match ro.data.pointer("/spec/workloadRef") {
        Some(workload_ref) => patch_workload(conn, workload_ref, &patch).await,
        None => patch_json(&untyped::<Rollout>(conn), name, patch).await,
    };
    restored.map_err(|e| anyhow!("failed restoring revision {to_revision}: {e}"))?;
    writeln!(out, "rollout '{ro_name}' undo")?;
    Ok(())
}

/// The ReplicaSets matching the Rollout's selector whose controller is this Rollout.
async fn owned_replica_sets(conn: &Connection, ro: &DynamicObject) -> anyhow::Result<Vec<ReplicaSet>> {
    let selector = label_selector(ro.data.pointer("/spec/selector"))?;
    let namespace = ro.metadata.namespace.as_deref().unwrap_or(&conn.namespace);
    let api: Api<ReplicaSet> = Api::namespaced(conn.client.clone(), namespace);
    let mut params = ListParams::default();
    if !selector.is_empty() {
        params = params.labels(&selector);
    }
    let all = api.list(&params).await.map_err(|e| anyhow!("{}", api_message(&e)))?;
    let uid = ro.metadata.uid.as_deref();
    Ok(all
        .items
        .into_iter()
        .filter(|rs| {
            rs.metadata
                .owner_references
                .iter()
                .flatten()
                .any(|owner| owner.controller == Some(true) && uid.is_some_and(|uid| owner.uid == uid))
        })
        .collect())
}

/// `spec.selector` in the label-selector syntax of a list request (empty: everything).
pub fn label_selector(selector: Option<&Value>) -> anyhow::Result<String> {
    let mut parts = Vec::new();
    let Some(selector) = selector else {
        return Ok(String::new());
    };
    if let Some(match_labels) = selector.get("matchLabels").and_then(Value::as_object) {
        for (key, value) in match_labels {
            parts.push((key.clone(), format!("{key}={}", value.as_str().unwrap_or_default())));
        }
    }
    for expr in selector
        .get("matchExpressions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(expr) = expr.as_object() else {
            anyhow::bail!("unable to retrieve matchExpressions for object, item {expr} is not a map");
        };
        let key = expr.get("key").and_then(Value::as_str).unwrap_or_default();
        let operator = expr.get("operator").and_then(Value::as_str).unwrap_or_default();
        let mut values: Vec<&str> = expr
            .get("values")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        values.sort_unstable();
        let part = match operator {
            "In" => format!("{key} in ({})", values.join(",")),
            "NotIn" => format!("{key} notin ({})", values.join(",")),
            "Exists" => key.to_string(),
            "DoesNotExist" => format!("!{key}"),
            other => anyhow::bail!("{other:?} is not a valid label selector operator"),
        };
        parts.push((key.to_string(), part));
    }
    // Requirements are sorted by key, as the Go selector prints them.
    parts.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(parts.into_iter().map(|(_, part)| part).collect::<Vec<_>>().join(","))
}

/// The revision annotation of a ReplicaSet: 0 when absent, `None` when it is not a number (such a
/// ReplicaSet is never picked).
fn revision(rs: &ReplicaSet) -> Option<i64> {
    match rs
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(annotations::REVISION))
    {
        None => Some(0),
        Some(text) => text.parse().ok(),
    }
}

/// The ReplicaSet of revision `to_revision`, or for 0 the second newest revision (the newest one being
/// the current template), with upstream's errors when there is none.
pub fn pick_revision<'a>(
    replica_sets: &'a [ReplicaSet],
    to_revision: i64,
    rollout: &str,
) -> anyhow::Result<&'a ReplicaSet> {
    // Upstream starts both at revision -1, so negative revisions are never picked.
    let (mut latest, mut latest_v): (Option<&ReplicaSet>, i64) = (None, -1);
    let (mut previous, mut previous_v): (Option<&ReplicaSet>, i64) = (None, -1);
    for rs in replica_sets {
        let Some(v) = revision(rs) else { continue };
        if to_revision == 0 {
            if latest_v < v {
                (previous, previous_v) = (latest, latest_v);
                (latest, latest_v) = (Some(rs), v);
            } else if previous_v < v {
                (previous, previous_v) = (Some(rs), v);
            }
        } else if to_revision == v {
            return Ok(rs);
        }
    }
    if to_revision > 0 {
        anyhow::bail!("unable to find specified revision {to_revision} in history");
    }
    previous.ok_or_else(|| anyhow!("no revision found for rollout {rollout:?}"))
}

fn strip_hash_label(template: &mut PodTemplateSpec) {
    if let Some(metadata) = template.metadata.as_mut()
        && let Some(labels) = metadata.labels.as_mut()
    {
        labels.remove(labels::POD_TEMPLATE_HASH);
        if labels.is_empty() {
            metadata.labels = None;
        }
    }
}

fn without_hash_label(mut template: Value) -> Value {
    if let Some(labels) = template.pointer_mut("/metadata/labels").and_then(Value::as_object_mut) {
        labels.remove(labels::POD_TEMPLATE_HASH);
    }
    template
}

/// Whether every field set in `current` has the same value in `candidate`; unset fields (null, empty
/// strings, lists and maps) of `current` are not compared. This is the semantic derivative comparison
/// upstream uses to decide that the rollout already runs that revision.
pub fn derivative(current: &Value, candidate: &Value) -> bool {
    match (current, candidate) {
        (Value::Null, _) => true,
        (Value::Object(a), Value::Object(b)) => {
            a.is_empty()
                || a.iter().all(|(key, value)| match b.get(key) {
                    Some(other) => derivative(value, other),
                    // The typed encoding leaves out empty fields that the stored object may spell out.
                    None => is_unset(value),
                })
        }
        (Value::Array(a), Value::Array(b)) => {
            a.is_empty() || (a.len() <= b.len() && a.iter().zip(b).all(|(x, y)| derivative(x, y)))
        }
        (Value::String(a), Value::String(b)) => a.is_empty() || a == b,
        (Value::Number(a), Value::Number(b)) => a == b,
        (Value::Bool(a), Value::Bool(b)) => a == b,
        _ => false,
    }
}

fn is_unset(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// The JSON patch upstream sends: one `replace` of `/spec/template`.
pub fn template_patch(template: &PodTemplateSpec) -> anyhow::Result<Value> {
    Ok(json!([{"op": "replace", "path": "/spec/template", "value": serde_json::to_value(template)?}]))
}

async fn patch_json(api: &Api<DynamicObject>, name: &str, patch: Value) -> Result<(), String> {
    let patch: json_patch::Patch = serde_json::from_value(patch).map_err(|e| e.to_string())?;
    api.patch(name, &PatchParams::default(), &Patch::Json::<()>(patch))
        .await
        .map(|_| ())
        .map_err(|e| api_message(&e))
}

/// Sends the patch to the Deployment, ReplicaSet or PodTemplate named by the workloadRef.
async fn patch_workload(conn: &Connection, workload_ref: &Value, patch: &Value) -> Result<(), String> {
    let kind = workload_ref.get("kind").and_then(Value::as_str).unwrap_or_default();
    let name = workload_ref.get("name").and_then(Value::as_str).unwrap_or_default();
    let (group, version, plural) = match kind {
        "Deployment" => ("apps", "v1", "deployments"),
        "ReplicaSet" => ("apps", "v1", "replicasets"),
        "PodTemplate" => ("", "v1", "podtemplates"),
        other => return Err(format!("workload of type {other} is not supported")),
    };
    let resource = ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk(group, version, kind), plural);
    let api = Api::namespaced_with(conn.client.clone(), &conn.namespace, &resource);
    patch_json(&api, name, patch.clone()).await
}

/// The API server's message for an error (`deployments.apps "x" not found`), else the error itself.
fn api_message(error: &kube::Error) -> String {
    match error {
        kube::Error::Api(status) => status.message.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

    fn rs(name: &str, revision: Option<&str>) -> ReplicaSet {
        ReplicaSet {
            metadata: ObjectMeta {
                name: Some(name.into()),
                annotations: revision.map(|r| [(annotations::REVISION.to_string(), r.to_string())].into()),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    fn name(rs: &ReplicaSet) -> &str {
        rs.metadata.name.as_deref().unwrap()
    }

    #[test]
    fn default_revision_is_the_second_newest() {
        let all = [
            rs("a", Some("1")),
            rs("c", Some("3")),
            rs("b", Some("2")),
            rs("x", Some("x")),
        ];
        assert_eq!(name(pick_revision(&all, 0, "ro").unwrap()), "b");
        assert_eq!(name(pick_revision(&all, 3, "ro").unwrap()), "c");
        assert_eq!(
            pick_revision(&all, 7, "ro").unwrap_err().to_string(),
            "unable to find specified revision 7 in history"
        );
        assert_eq!(
            pick_revision(&all[..1], 0, "ro").unwrap_err().to_string(),
            "no revision found for rollout \"ro\""
        );
        assert_eq!(
            pick_revision(&all, -1, "ro").unwrap_err().to_string(),
            "no revision found for rollout \"ro\""
        );
        // Without the annotation a ReplicaSet counts as revision 0.
        let unannotated = [rs("a", None), rs("b", Some("1"))];
        assert_eq!(name(pick_revision(&unannotated, 0, "ro").unwrap()), "a");
    }

    #[test]
    fn selectors_are_printed_sorted_by_key() {
        let selector = json!({
            "matchLabels": {"b": "2", "a": "1"},
            "matchExpressions": [
                {"key": "c", "operator": "In", "values": ["y", "x"]},
                {"key": "d", "operator": "DoesNotExist"},
                {"key": "aa", "operator": "Exists"},
            ]
        });
        assert_eq!(label_selector(Some(&selector)).unwrap(), "a=1,aa,b=2,c in (x,y),!d");
        assert_eq!(label_selector(None).unwrap(), "");
        let bad = json!({"matchExpressions": [{"key": "k", "operator": "Near"}]});
        assert_eq!(
            label_selector(Some(&bad)).unwrap_err().to_string(),
            "\"Near\" is not a valid label selector operator"
        );
    }

    #[test]
    fn derivative_ignores_fields_unset_in_the_current_template() {
        let candidate = json!({"metadata": {"labels": {"app": "x"}}, "spec": {"containers": [
            {"name": "app", "image": "v1", "imagePullPolicy": "IfNotPresent"}
        ]}});
        let current = json!({"metadata": {"labels": {"app": "x"}, "creationTimestamp": null},
            "spec": {"containers": [{"name": "app", "image": "v1", "resources": {}}]}});
        assert!(derivative(&current, &candidate));
        let changed = json!({"spec": {"containers": [{"name": "app", "image": "v2"}]}});
        assert!(!derivative(&changed, &candidate));
        let extra = json!({"spec": {"hostNetwork": true, "containers": []}});
        assert!(!derivative(&extra, &candidate));
    }

    #[test]
    fn the_patch_replaces_the_template_without_the_hash_label() {
        let mut template: PodTemplateSpec = serde_json::from_value(json!({
            "metadata": {"labels": {"app": "x", "rollouts-pod-template-hash": "abc"}},
            "spec": {"containers": [{"name": "app", "image": "v1"}]}
        }))
        .unwrap();
        strip_hash_label(&mut template);
        assert_eq!(
            template_patch(&template).unwrap(),
            json!([{"op": "replace", "path": "/spec/template", "value": {
                "metadata": {"labels": {"app": "x"}},
                "spec": {"containers": [{"name": "app", "image": "v1"}]}
            }}])
        );
    }
}
