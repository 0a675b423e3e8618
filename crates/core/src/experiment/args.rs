//! The placeholders an Experiment's analysis arguments may use (upstream `ResolveExperimentArgsValue`):
//! `{{templates.<t>.podTemplateHash}}` and `{{templates.<t>.replicaset.name}}` for each template with a
//! ReplicaSet, `{{experiment.availableAt}}` once it is available and `{{experiment.finishedAt}}`
//! (availableAt + duration) when it also has a duration, times in RFC 3339.

use std::collections::BTreeMap;

use jiff::Timestamp;
use k8s_openapi::api::apps::v1::ReplicaSet;
use rollouts_api::analysis::Argument;
use rollouts_api::experiment::{ExperimentSpec, ExperimentStatus};

use super::lifecycle::duration;
use super::replica_sets::hash_of;
use crate::analysis::run::args::substitute;

/// A time as Go's `time.RFC3339` prints it (whole seconds, UTC).
fn rfc3339(at: Timestamp) -> String {
    at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The values of the placeholders, by tag. An unreadable duration is an error once the experiment is
/// available, whether an argument asks for `finishedAt` or not, as upstream's.
pub fn placeholders(
    spec: &ExperimentSpec,
    status: &ExperimentStatus,
    replica_sets: &BTreeMap<String, ReplicaSet>,
) -> Result<BTreeMap<String, String>, String> {
    let mut values = BTreeMap::new();
    if let Some(available_at) = status.available_at.as_ref().map(|t| t.0) {
        values.insert("experiment.availableAt".to_string(), rfc3339(available_at));
        if let Some(duration) = duration(spec) {
            let finished = available_at.checked_add(duration?).map_err(|e| e.to_string())?;
            values.insert("experiment.finishedAt".to_string(), rfc3339(finished));
        }
    }
    for template in &spec.templates {
        if let Some(rs) = replica_sets.get(&template.name) {
            values.insert(
                format!("templates.{}.podTemplateHash", template.name),
                hash_of(rs).to_string(),
            );
            values.insert(
                format!("templates.{}.replicaset.name", template.name),
                rs.metadata.name.clone().unwrap_or_default(),
            );
        }
    }
    Ok(values)
}

/// Upstream `ResolveAnalysisRunArgs`: each argument keeps its name and its value with the placeholders
/// filled in; a `valueFrom` is not carried over (the template's own argument then applies).
/// `values` is only consulted (and its error only reported) for an argument that has a value.
pub fn resolve(args: &[Argument], values: &Result<BTreeMap<String, String>, String>) -> Result<Vec<Argument>, String> {
    args.iter()
        .map(|arg| {
            let value = match &arg.value {
                Some(text) => {
                    let values = values.as_ref().map_err(Clone::clone)?;
                    Some(substitute(text, |tag| values.get(tag).map(String::as_str))?)
                }
                None => None,
            };
            Ok(Argument {
                name: arg.name.clone(),
                value,
                value_from: None,
            })
        })
        .collect()
}
