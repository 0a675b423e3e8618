//! The executor against the in-process dev cluster: every kind of action becomes the API request it
//! names, `AlreadyExists` stops the plan without failing it, conflicts are told apart, refusals that
//! are not errors are skipped, our writes are remembered against stale caches, and each write that
//! changed something is said once at info level, in upstream's words (writes that failed or changed
//! nothing say nothing).

use std::path::Path;
use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::{Pod, Service};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use kube::api::{Api, Patch, PatchParams, PostParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::core::{ApiResource, DynamicObject};
use rollouts_api::Rollout;
use rollouts_core::plan::Action;
use rollouts_devcluster::testing::{TestCluster, temp_dir};
use rollouts_testkit::logs::LogCapture;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tracing::instrument::WithSubscriber;

use super::RolloutKey;
use super::caches;
use super::context::Context;
use super::error::ReconcileError;
use super::execute::{Executed, execute};
use crate::runtime::api::ALREADY_EXISTS_REQUEUE;
use crate::runtime::api_requests::counting_client;
use crate::runtime::metrics::Metrics;

fn from_json<T: DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).unwrap()
}

async fn client(kubeconfig: &Path) -> kube::Client {
    let kc = Kubeconfig::read_from(kubeconfig).unwrap();
    let config = kube::Config::from_custom_kubeconfig(kc, &KubeConfigOptions::default())
        .await
        .unwrap();
    kube::Client::try_from(config).unwrap()
}

fn replica_set(name: &str, owner_uid: &str) -> ReplicaSet {
    from_json(json!({
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {
            "name": name, "namespace": "default",
            "labels": {"app": "web", "rollouts-pod-template-hash": "abc"},
            "ownerReferences": [{"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "name": "web",
                                 "uid": owner_uid, "controller": true}]
        },
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "web", "rollouts-pod-template-hash": "abc"}},
            "template": {"metadata": {"labels": {"app": "web", "rollouts-pod-template-hash": "abc"}},
                         "spec": {"containers": [{"name": "web", "image": "nginx:1.25"}]}}
        }
    }))
}

#[test]
fn plans_become_api_requests() {
    let crds = rollouts_api::crd::all()
        .unwrap()
        .into_iter()
        .map(|(_, crd)| serde_json::to_value(crd).unwrap())
        .collect();
    let cluster = TestCluster::start_installed(&temp_dir("controller-execute"), 0, None, crds).unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let logs = LogCapture::new();
    let said = || logs.take();
    let quiet: [&str; 0] = [];
    let subscriber = logs.subscriber("rollouts_controller", tracing::Level::INFO);
    rt.block_on(async {
        let metrics = Metrics::new();
        let client = counting_client(client(&cluster.kubeconfig()).await, metrics.clone());
        let resource = ApiResource::erase::<Rollout>(&());
        let (stores, _writers) = caches::empty(&resource);
        let ctx = Context::new(client.clone(), stores, resource.clone(), metrics.clone(), Duration::from_secs(60));
        let key = RolloutKey::new("default", "web");
        let rollouts: Api<DynamicObject> = Api::namespaced_with(client.clone(), "default", &resource);
        let rollout = rollouts
            .create(
                &PostParams::default(),
                &from_json(json!({
                    "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
                    "metadata": {"name": "web", "namespace": "default"},
                    "spec": {"selector": {"matchLabels": {"app": "web"}},
                             "template": {"metadata": {"labels": {"app": "web"}},
                                          "spec": {"containers": [{"name": "web", "image": "nginx:1.25"}]}}}
                })),
            )
            .await
            .unwrap();
        let uid = rollout.metadata.uid.clone().unwrap();
        let replica_sets: Api<ReplicaSet> = Api::namespaced(client.clone(), "default");

        // Create, then the same create again: AlreadyExists stops the plan, and the rest is skipped.
        let rs = replica_set("web-abc", &uid);
        let done = execute(&ctx, &key, &[Action::CreateReplicaSet(Box::new(rs.clone()))]).await;
        assert_eq!(done.unwrap(), Executed::All);
        assert_eq!(said(), ["INFO Created ReplicaSet web-abc namespace=default rollout=web"]);
        let annotate = Action::PatchRollout(json!({"metadata": {"annotations": {"rollout.argoproj.io/revision": "1"}}}));
        let done = execute(&ctx, &key, &[Action::CreateReplicaSet(Box::new(rs)), annotate.clone()]).await;
        assert_eq!(done.unwrap(), Executed::Stopped(ALREADY_EXISTS_REQUEUE));
        assert_eq!(metrics.api_requests("create", "replicasets"), 2);
        assert_eq!(metrics.api_requests("patch", "rollouts"), 0);
        assert_eq!(said(), quiet, "nothing was created");
        assert!(
            ctx.runtime.tracker.is_stale(&key, None, |_| None, Instant::now()),
            "the created ReplicaSet is not in the (empty) cache yet"
        );

        // A ReplicaSet of that name that is not ours: a hash collision raises collisionCount.
        let foreign = replica_set("web-zzz", "someone-else");
        replica_sets.create(&PostParams::default(), &foreign).await.unwrap();
        let done = execute(&ctx, &key, &[Action::CreateReplicaSet(Box::new(foreign))]).await;
        assert_eq!(done.unwrap(), Executed::Stopped(ALREADY_EXISTS_REQUEUE));
        let stored = rollouts.get("web").await.unwrap();
        assert_eq!(stored.data["status"]["collisionCount"], 1);
        assert_eq!(
            said(),
            ["WARN Found a hash collision - bumped collisionCount (0->1) to resolve it namespace=default rollout=web"]
        );

        // Update with the stored version, then with the stale copy: a conflict.
        let mut current = replica_sets.get("web-abc").await.unwrap();
        let stale = current.clone();
        current.spec.replicas = Some(2);
        execute(&ctx, &key, &[Action::UpdateReplicaSet(Box::new(current))]).await.unwrap();
        let conflict = execute(&ctx, &key, &[Action::UpdateReplicaSet(Box::new(stale))]).await;
        assert!(matches!(conflict, Err(ReconcileError::Conflict { .. })), "{conflict:?}");
        assert_eq!(replica_sets.get("web-abc").await.unwrap().spec.replicas, Some(2));
        assert_eq!(said(), quiet, "a scaling is said by the plan's event");

        // A JSON patch, a merge patch of the Rollout and of its status.
        let patch = json!([{"op": "add", "path": "/metadata/annotations",
                            "value": {"scale-down-deadline": "2030-01-01T00:00:00Z"}}]);
        let status = Action::PatchRolloutStatus(json!({"phase": "Progressing", "currentPodHash": "abc"}));
        let actions = [
            Action::PatchReplicaSet {
                name: "web-abc".into(),
                patch,
            },
            annotate,
            status,
        ];
        assert_eq!(execute(&ctx, &key, &actions).await.unwrap(), Executed::All);
        let patched = replica_sets.get("web-abc").await.unwrap();
        let annotations = patched.metadata.annotations.unwrap();
        assert_eq!(annotations["scale-down-deadline"], "2030-01-01T00:00:00Z");
        let stored = rollouts.get("web").await.unwrap();
        assert_eq!(stored.metadata.annotations.unwrap()["rollout.argoproj.io/revision"], "1");
        assert_eq!(stored.data["status"]["currentPodHash"], "abc");
        let cached = stored.metadata.resource_version.as_deref();
        assert!(!ctx.runtime.tracker.is_stale(&key, cached, |_| Some("999999".into()), Instant::now()));
        let bad = execute(&ctx, &key, &[Action::PatchReplicaSet { name: "web-abc".into(), patch: json!({"op": 1}) }]).await;
        assert!(matches!(bad, Err(ReconcileError::BadPatch { .. })), "{bad:?}");
        assert_eq!(said(), quiet, "annotations and status are said by the plan's events");

        // The scale-down deadline, written and taken away.
        let deadlines = [
            Action::PatchReplicaSet {
                name: "web-abc".into(),
                patch: rollouts_core::scale_down_deadline::add_patch("2030-01-01T00:00:30Z"),
            },
            Action::PatchReplicaSet {
                name: "web-abc".into(),
                patch: rollouts_core::scale_down_deadline::remove_patch(),
            },
        ];
        assert_eq!(execute(&ctx, &key, &deadlines).await.unwrap(), Executed::All);
        assert_eq!(
            said(),
            [
                "INFO Set 'scale-down-deadline' annotation on 'web-abc' to 2030-01-01T00:00:30Z namespace=default rollout=web",
                "INFO Removed 'scale-down-deadline' annotation from RS 'web-abc' namespace=default rollout=web",
            ]
        );

        // A strategic merge patch of a Service.
        let services: Api<Service> = Api::namespaced(client.clone(), "default");
        services
            .create(
                &PostParams::default(),
                &from_json(json!({"apiVersion": "v1", "kind": "Service",
                    "metadata": {"name": "web-canary"}, "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}})),
            )
            .await
            .unwrap();
        let select = json!({"spec": {"selector": {"rollouts-pod-template-hash": "abc"}}});
        let action = Action::PatchService {
            name: "web-canary".into(),
            patch: select,
        };
        execute(&ctx, &key, &[action]).await.unwrap();
        let selector = services.get("web-canary").await.unwrap().spec.unwrap().selector.unwrap();
        assert_eq!(selector.get("rollouts-pod-template-hash").map(String::as_str), Some("abc"));
        assert_eq!(selector.get("app").map(String::as_str), Some("web"), "merged, not replaced");
        assert_eq!(said(), quiet, "a switch is said by the plan's event");

        // Evictions: a missing pod and one a disruption budget protects are skipped, quickly.
        let pods: Api<Pod> = Api::namespaced(client.clone(), "default");
        pods.create(
            &PostParams::default(),
            &from_json(json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web-1", "labels": {"app": "web"}},
                "spec": {"containers": [{"name": "web", "image": "nginx:1.25"}]}})),
        )
        .await
        .unwrap();
        let ready = json!({"status": {"conditions": [{"type": "Ready", "status": "True"}]}});
        pods.patch_status("web-1", &PatchParams::default(), &Patch::Merge(ready))
            .await
            .unwrap();
        let budgets: Api<PodDisruptionBudget> = Api::namespaced(client.clone(), "default");
        budgets
            .create(
                &PostParams::default(),
                &from_json(json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "web"},
                    "spec": {"maxUnavailable": 0, "selector": {"matchLabels": {"app": "web"}}}})),
            )
            .await
            .unwrap();
        let started = Instant::now();
        let evictions = [
            Action::EvictPod { name: "gone".into() },
            Action::EvictPod { name: "web-1".into() },
        ];
        assert_eq!(execute(&ctx, &key, &evictions).await.unwrap(), Executed::All);
        assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
        assert!(pods.get_opt("web-1").await.unwrap().is_some(), "the budget protected it");
        assert_eq!(said(), quiet, "no pod was evicted");
        budgets.delete("web", &Default::default()).await.unwrap();
        execute(&ctx, &key, &[Action::EvictPod { name: "web-1".into() }]).await.unwrap();
        assert!(pods.get_opt("web-1").await.unwrap().is_none(), "evicted");
        assert_eq!(
            said(),
            ["INFO restarting Pod that's older than restartAt Time namespace=default rollout=web pod=web-1"]
        );

        // Scaling a referenced Deployment through its scale subresource; PodTemplates do not scale.
        let deployments: Api<Deployment> = Api::namespaced(client.clone(), "default");
        deployments
            .create(
                &PostParams::default(),
                &from_json(json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "legacy"},
                    "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "legacy"}},
                             "template": {"metadata": {"labels": {"app": "legacy"}},
                                          "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}})),
            )
            .await
            .unwrap();
        let scale = |kind: &str| Action::ScaleWorkload {
            api_version: if kind == "PodTemplate" { "v1" } else { "apps/v1" }.into(),
            kind: kind.into(),
            name: "legacy".into(),
            replicas: 1,
        };
        execute(&ctx, &key, &[scale("Deployment")]).await.unwrap();
        assert_eq!(deployments.get("legacy").await.unwrap().spec.replicas, Some(1));
        let unsupported = execute(&ctx, &key, &[scale("PodTemplate")]).await;
        assert!(matches!(unsupported, Err(ReconcileError::Unsupported(_))), "{unsupported:?}");
        assert_eq!(said(), ["INFO Scaling deployment legacy to 1 replicas namespace=default rollout=web"]);

        // A step's AnalysisRun and an Experiment: created, asked to stop, deleted (twice: the second
        // finds nothing, and says nothing).
        let run: rollouts_api::AnalysisRun = from_json(json!({
            "apiVersion": "argoproj.io/v1alpha1", "kind": "AnalysisRun",
            "metadata": {"name": "web-abc-2-1", "namespace": "default",
                         "labels": {"rollout-type": "Step", "step-index": "1", "rollouts-pod-template-hash": "abc"}},
            "spec": {"metrics": [{"name": "ok", "provider": {"web": {"url": "http://127.0.0.1:1/"}}}]}
        }));
        let experiment: rollouts_api::Experiment = from_json(json!({
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Experiment",
            "metadata": {"name": "web-abc-2-0", "namespace": "default"},
            "spec": {"templates": [{"name": "canary", "selector": {"matchLabels": {"app": "web"}},
                                    "template": {"metadata": {"labels": {"app": "web"}},
                                                 "spec": {"containers": [{"name": "web", "image": "nginx:1.25"}]}}}]}
        }));
        let terminate = json!({"spec": {"terminate": true}});
        let lifecycle = [
            Action::CreateAnalysisRun(Box::new(run)),
            Action::PatchAnalysisRun { name: "web-abc-2-1".into(), patch: terminate.clone() },
            Action::DeleteAnalysisRun { name: "web-abc-2-1".into(), uid: None },
            Action::DeleteAnalysisRun { name: "web-abc-2-1".into(), uid: None },
            Action::CreateExperiment(Box::new(experiment)),
            Action::PatchExperiment { name: "web-abc-2-0".into(), patch: terminate },
            Action::DeleteExperiment { name: "web-abc-2-0".into(), uid: None },
            Action::DeleteExperiment { name: "web-abc-2-0".into(), uid: None },
        ];
        assert_eq!(execute(&ctx, &key, &lifecycle).await.unwrap(), Executed::All);
        assert_eq!(
            said(),
            [
                "INFO Created AnalysisRun for step '1' namespace=default rollout=web analysisrun=web-abc-2-1",
                "INFO Canceling the analysis run 'web-abc-2-1' namespace=default rollout=web analysisrun=web-abc-2-1",
                "INFO Trying to cleanup analysis run 'web-abc-2-1' namespace=default rollout=web",
                "INFO Canceling other running experiment 'web-abc-2-0' owned by rollout namespace=default rollout=web",
                "INFO Trying to cleanup experiment 'web-abc-2-0' namespace=default rollout=web",
            ]
        );

        // Deleting with a UID precondition: a different UID is refused, a missing object is fine.
        let wrong = Action::DeleteReplicaSet {
            name: "web-abc".into(),
            uid: Some("not-its-uid".into()),
        };
        assert!(matches!(execute(&ctx, &key, &[wrong]).await, Err(ReconcileError::Conflict { .. })));
        assert_eq!(said(), quiet, "a refused write says nothing");
        let rs_uid = replica_sets.get("web-abc").await.unwrap().metadata.uid;
        let delete = Action::DeleteReplicaSet {
            name: "web-abc".into(),
            uid: rs_uid,
        };
        execute(&ctx, &key, std::slice::from_ref(&delete)).await.unwrap();
        execute(&ctx, &key, &[delete]).await.unwrap();
        assert!(replica_sets.get_opt("web-abc").await.unwrap().is_none());
        assert_eq!(
            said(),
            ["INFO Trying to cleanup replica set \"web-abc\" namespace=default rollout=web"],
            "said once: the second delete found nothing"
        );
        assert_eq!(execute(&ctx, &key, &[]).await.unwrap(), Executed::All);
        assert_eq!(said(), quiet, "an empty plan says nothing");

        let counts = metrics.api_request_counts();
        for (request, expected) in [
            ("create replicasets", 4),
            ("update replicasets", 2),
            ("patch replicasets", 3),
            ("patch rollouts", 1),
            ("patch rollouts/status", 2),
            ("patch services", 1),
            ("create pods/eviction", 3),
            ("patch deployments/scale", 1),
            ("delete replicasets", 3),
            ("create analysisruns", 1),
            ("patch analysisruns", 1),
            ("delete analysisruns", 2),
            ("create experiments", 1),
            ("patch experiments", 1),
            ("delete experiments", 2),
        ] {
            assert_eq!(counts.get(request), Some(&expected), "{request}: {counts:?}");
        }
    }
    .with_subscriber(subscriber));
}
