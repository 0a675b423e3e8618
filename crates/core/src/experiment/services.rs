//! A template's Service (upstream `experiments/service.go`, `createTemplateService`,
//! `deleteTemplateService`): created once the template's ReplicaSet exists and has pods to run, named
//! `service.name` or after the ReplicaSet, selecting the ReplicaSet's labels, with a port per container
//! port; deleted once the template no longer runs pods and none is available any more. The template
//! status records its name and the ReplicaSet's hash (a Rollout sends traffic to it through them).

use k8s_openapi::api::core::v1::{Service, ServicePort, ServiceSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use rollouts_api::common::TemplateService;
use rollouts_api::experiment::{TemplateSpec, TemplateStatus, TemplateStatusCode};

use super::actions::Action;
use super::context::{Ctx, controller_ref};
use super::replica_sets::{hash_of, owner_annotations};

/// The Service name of a template: `service.name`, else its ReplicaSet's name.
pub fn service_name(service: &TemplateService, rs_name: &str) -> String {
    service
        .name
        .clone()
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| rs_name.to_string())
}

/// A port per container port of the pod template: same port and target port, the port's name and
/// protocol kept.
fn ports(rs: &k8s_openapi::api::apps::v1::ReplicaSet) -> Vec<ServicePort> {
    rs.spec
        .template
        .as_ref()
        .and_then(|t| t.spec.as_ref())
        .map(|spec| {
            spec.containers
                .iter()
                .flat_map(|c| c.ports.iter().flatten())
                .map(|p| ServicePort {
                    name: p.name.clone().filter(|n| !n.is_empty()),
                    protocol: p.protocol.clone().filter(|p| !p.is_empty()),
                    port: p.container_port,
                    target_port: Some(IntOrString::Int(p.container_port)),
                    ..Default::default()
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Creates the template's Service when it has none under the expected name (one under another name
/// is deleted first); records its name and hash in the template status. A Service of that name that
/// is not the template's makes the template `Error`, as upstream.
pub fn ensure(ctx: &mut Ctx<'_>, template: &TemplateSpec, status: &mut TemplateStatus) {
    let (Some(rs), Some(service)) = (ctx.replica_sets.get(&template.name), template.service.as_ref()) else {
        return;
    };
    let rs = rs.clone();
    let rs_name = rs.metadata.name.clone().unwrap_or_default();
    let hash = hash_of(&rs).to_string();
    let ports = ports(&rs);
    if ports.is_empty() {
        return;
    }
    let name = service_name(service, &rs_name);
    let current = ctx.services.get(&template.name);
    if current.is_some_and(|s| s.metadata.name.as_deref() == Some(name.as_str())) {
        status.service_name = Some(name);
        status.pod_template_hash = Some(hash).filter(|h| !h.is_empty());
        return;
    }
    if current.is_some() {
        // The template's Service is under another name (the template's `service.name` changed):
        // upstream leaves it behind and then finds two Services for one template.
        delete(ctx, &template.name, status);
    }
    if ctx
        .snapshot
        .services
        .iter()
        .any(|s| s.metadata.name.as_deref() == Some(name.as_str()))
    {
        status.status = Some(TemplateStatusCode::Error);
        status.message = Some(format!(
            "Failed to create Service {name} for template '{}': service {name} already exists and is not owned by experiment template {}",
            template.name, template.name
        ));
        return;
    }
    let experiment = ctx.experiment;
    let svc = Service {
        metadata: ObjectMeta {
            name: Some(name.clone()),
            namespace: experiment.metadata.namespace.clone(),
            annotations: Some(owner_annotations(ctx.name(), &template.name)),
            owner_references: Some(vec![controller_ref(experiment)]),
            ..Default::default()
        },
        spec: Some(ServiceSpec {
            selector: rs.metadata.labels.clone().filter(|l| !l.is_empty()),
            ports: Some(ports),
            ..Default::default()
        }),
        status: None,
    };
    ctx.plan.actions.push(Action::CreateService(Box::new(svc.clone())));
    ctx.services.insert(template.name.clone(), svc);
    status.service_name = Some(name);
    status.pod_template_hash = Some(hash).filter(|h| !h.is_empty());
}

/// Deletes the template's Service, if it has one, and forgets it in the template status.
pub fn delete(ctx: &mut Ctx<'_>, template: &str, status: &mut TemplateStatus) {
    let Some(svc) = ctx.services.remove(template) else {
        return;
    };
    ctx.plan.actions.push(Action::DeleteService {
        name: svc.metadata.name.clone().unwrap_or_default(),
        uid: svc.metadata.uid.clone(),
    });
    status.service_name = None;
    status.pod_template_hash = None;
}
