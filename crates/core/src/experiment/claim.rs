//! Which ReplicaSet and Service belong to which template (upstream `getReplicaSetsForExperiment`,
//! `GetServiceForExperiment`): controlled by the Experiment (owner UID), annotated with its name and
//! with the name of one of its templates.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::Service;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use rollouts_api::experiment::Experiment;
use rollouts_api::well_known::annotations;

use super::snapshot::Snapshot;

/// The objects of each template, by template name.
#[derive(Debug, Clone, Default)]
pub struct Claimed {
    /// Each template's ReplicaSet.
    pub replica_sets: BTreeMap<String, ReplicaSet>,
    /// Each template's Service.
    pub services: BTreeMap<String, Service>,
}

/// Whether the object is controlled by the Experiment.
pub fn controlled_by(meta: &ObjectMeta, experiment: &Experiment) -> bool {
    let uid = experiment.metadata.uid.as_deref();
    meta.owner_references
        .iter()
        .flatten()
        .any(|o| o.controller == Some(true) && Some(o.uid.as_str()) == uid)
}

/// The template an object is for, when it is one of the Experiment's: controlled by it, annotated with
/// its name, and with the name of a template it has.
fn template_of<'m>(meta: &'m ObjectMeta, experiment: &Experiment) -> Option<&'m str> {
    if !controlled_by(meta, experiment) {
        return None;
    }
    let ann = meta.annotations.as_ref()?;
    if ann.get(annotations::EXPERIMENT_NAME) != experiment.metadata.name.as_ref() {
        return None;
    }
    let template = ann.get(annotations::EXPERIMENT_TEMPLATE_NAME)?.as_str();
    (!template.is_empty() && experiment.spec.templates.iter().any(|t| t.name == template)).then_some(template)
}

fn claim<T: Clone>(
    objects: &[T],
    meta: impl Fn(&T) -> &ObjectMeta,
    experiment: &Experiment,
    what: &str,
) -> Result<BTreeMap<String, T>, String> {
    let mut claimed = BTreeMap::new();
    for object in objects {
        let Some(template) = template_of(meta(object), experiment) else {
            continue;
        };
        if claimed.insert(template.to_string(), object.clone()).is_some() {
            return Err(format!("multiple {what} match single experiment template: {template}"));
        }
    }
    Ok(claimed)
}

/// The ReplicaSet and Service of each template; two for one template is an error, as upstream's.
pub fn claim_all(snapshot: &Snapshot<'_>) -> Result<Claimed, String> {
    let experiment = snapshot.experiment;
    Ok(Claimed {
        replica_sets: claim(snapshot.replica_sets, |rs| &rs.metadata, experiment, "ReplicaSets")?,
        services: claim(snapshot.services, |s| &s.metadata, experiment, "Services")?,
    })
}
