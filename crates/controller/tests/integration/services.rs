//! The Service controller against the in-process dev cluster with the whole controller running: a
//! canary Rollout's Services carry the hash selector and the managed-by annotation while it uses them;
//! the one it stops naming, then the other once it is deleted, are given back (both removed); a
//! Service it still uses is reconciled without a write, and one without the annotation is never
//! touched.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design

use crate::common;

use std::time::{Duration, Instant};

use common::{Controller, client, runtime, start_cluster};
use k8s_openapi::api::core::v1::Service;
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use kube::core::{ApiResource, DynamicObject};
use rollouts_api::Rollout;
use rollouts_controller::ControllerConfig;
use rollouts_devcluster::sim::SimConfig;
use serde_json::json;

const HASH: &str = "rollouts-pod-template-hash";
const MANAGED_BY: &str = "argo-rollouts.argoproj.io/managed-by-rollouts";

fn service(name: &str) -> Service {
    serde_json::from_value(json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}
    }))
    .unwrap()
}

fn rollout() -> DynamicObject {
    serde_json::from_value(json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}},
                         "spec": {"containers": [{"name": "web", "image": "nginx:1.25"}]}},
            "strategy": {"canary": {"canaryService": "web-canary", "stableService": "web-stable"}}
        }
    }))
    .unwrap()
}

/// The Service's hash selector value and managed-by annotation.
fn marks(svc: &Service) -> (Option<String>, Option<String>) {
    let hash = svc
        .spec
        .as_ref()
        .and_then(|s| s.selector.as_ref())
        .and_then(|s| s.get(HASH))
        .cloned();
    let owner = svc
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(MANAGED_BY))
        .cloned();
    (hash, owner)
}

/// Polls the Service every 50 ms for up to 10 s until `condition` holds; returns it.
async fn wait_for_service(api: &Api<Service>, name: &str, what: &str, condition: impl Fn(&Service) -> bool) -> Service {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let svc = api.get(name).await.unwrap();
        if condition(&svc) {
            return svc;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}: {svc:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[test]
fn services_a_rollout_stops_using_or_outlives_are_given_back() {
    let simulation = SimConfig {
        start_delay: Duration::from_millis(100),
        termination_delay: Duration::from_millis(100),
        ..SimConfig::default()
    };
    let cluster = start_cluster("service-controller", Some(simulation));
    let rt = runtime();
    rt.block_on(async {
        let client = client(&cluster.kubeconfig()).await;
        let services: Api<Service> = Api::namespaced(client.clone(), "default");
        for name in ["web-canary", "web-stable", "web-plain"] {
            services.create(&PostParams::default(), &service(name)).await.unwrap();
        }
        let resource = ApiResource::erase::<Rollout>(&());
        let rollouts: Api<DynamicObject> = Api::namespaced_with(client.clone(), "default", &resource);
        rollouts.create(&PostParams::default(), &rollout()).await.unwrap();
        let controller = Controller::start(&client, ControllerConfig::default());
        let metrics = controller.metrics.clone();

        let pinned = |svc: &Service| matches!(marks(svc), (Some(_), Some(owner)) if owner == "web");
        let canary = wait_for_service(&services, "web-canary", "the canary Service pinned", pinned).await;
        let stable = wait_for_service(&services, "web-stable", "the stable Service pinned", pinned).await;
        assert_eq!(marks(&canary).0, marks(&stable).0, "both select the one ReplicaSet");
        let plain_version = services.get("web-plain").await.unwrap().metadata.resource_version;

        // A Service still in use is reconciled on a change of its own, and not written.
        let reconciles = metrics.service_reconciles_of("default", "web-stable");
        let touched = services
            .patch(
                "web-stable",
                &PatchParams::default(),
                &Patch::Merge(json!({"metadata": {"labels": {"touched": "yes"}}})),
            )
            .await
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while metrics.service_reconciles_of("default", "web-stable") == reconciles {
            assert!(Instant::now() < deadline, "the touched Service was never reconciled");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        let after = services.get("web-stable").await.unwrap();
        assert_eq!(
            after.metadata.resource_version, touched.metadata.resource_version,
            "written: {after:?}"
        );

        // The Rollout stops naming its canary Service: that one is given back, the stable one kept.
        rollouts
            .patch(
                "web",
                &PatchParams::default(),
                &Patch::Merge(json!({"spec": {"strategy": {"canary": {"canaryService": null}}}})),
            )
            .await
            .unwrap();
        let canary = wait_for_service(&services, "web-canary", "the canary Service given back", |svc| {
            marks(svc) == (None, None)
        })
        .await;
        assert_eq!(
            canary
                .spec
                .as_ref()
                .and_then(|s| s.selector.clone())
                .unwrap()
                .get("app")
                .map(String::as_str),
            Some("web"),
            "the user's selector stays"
        );
        assert!(
            pinned(&services.get("web-stable").await.unwrap()),
            "the stable Service is still used"
        );

        // The Rollout is deleted: the stable Service is given back too.
        rollouts.delete("web", &DeleteParams::default()).await.unwrap();
        wait_for_service(&services, "web-stable", "the stable Service given back", |svc| {
            marks(svc) == (None, None)
        })
        .await;

        // A Service without the annotation was never reconciled, nor written.
        assert_eq!(metrics.service_reconciles_of("default", "web-plain"), 0);
        let plain = services.get("web-plain").await.unwrap();
        assert_eq!(plain.metadata.resource_version, plain_version);
        assert_eq!(marks(&plain), (None, None));

        controller.stop(Duration::from_secs(15)).await.unwrap();
    });
}
