//! The Ingress controller (upstream `ingress/`): on every change to an Ingress of one of the ALB
//! classes, the forward actions written for Rollouts that no longer use it (deleted, or pointed at
//! another Ingress) are reset to send everything to their Service, and those Rollouts leave the
//! `rollouts.argoproj.io/managed-alb-annotations` bookkeeping (see
//! [`rollouts_core::traffic::alb::release_unreferenced`]).
//!
//! It starts once the Rollout caches are filled: before that every Rollout would look gone.

mod referencing;

use std::future::Future;

use futures::StreamExt;
use k8s_openapi::api::networking::v1::Ingress;
use kube::api::{Api, PostParams};
use kube::core::DynamicObject;
use kube::runtime::WatchStreamExt;
use kube::runtime::reflector::Store;
use kube::runtime::watcher::{self, Event};

/// How the Ingress controller runs.
pub struct Settings {
    /// Watch this namespace only; `None` watches all of them.
    pub namespace: Option<String>,
    /// The ingress classes of the AWS Load Balancer Controller (upstream's `--alb-ingress-classes`).
    pub alb_classes: Vec<String>,
}

/// Runs the Ingress controller until `shutdown` resolves, once `rollouts_filled` has (`rollouts` has
/// been listed).
pub async fn run(
    client: kube::Client,
    rollouts: Store<DynamicObject>,
    rollouts_filled: impl Future<Output = ()> + Send,
    settings: Settings,
    shutdown: impl Future<Output = ()> + Send,
) {
    let work = async {
        rollouts_filled.await;
        let api: Api<Ingress> = match &settings.namespace {
            Some(namespace) => Api::namespaced(client.clone(), namespace),
            None => Api::all(client.clone()),
        };
        let mut events = watcher(api).boxed();
        while let Some(event) = events.next().await {
            match event {
                Ok(Event::Apply(ingress) | Event::InitApply(ingress)) => {
                    sync(&client, &rollouts, &settings, &ingress).await;
                }
                Ok(_) => {}
                Err(error) => tracing::debug!(%error, "Ingress watch"),
            }
        }
    };
    tokio::select! {
        () = work => {}
        () = shutdown => {}
    }
}

/// The Ingress watch, retried with backoff.
fn watcher(api: Api<Ingress>) -> impl futures::Stream<Item = Result<Event<Ingress>, watcher::Error>> {
    watcher::watcher(api, watcher::Config::default()).default_backoff()
}

/// Releases what the Rollouts that no longer use `ingress` wrote on it, if it is an ALB Ingress.
async fn sync(client: &kube::Client, rollouts: &Store<DynamicObject>, settings: &Settings, ingress: &Ingress) {
    let Ok(raw) = serde_json::to_value(ingress) else {
        return;
    };
    if !settings.alb_classes.iter().any(|c| c == referencing::class(&raw)) {
        return;
    }
    let namespace = ingress.metadata.namespace.clone().unwrap_or_default();
    let name = ingress.metadata.name.clone().unwrap_or_default();
    let live: Vec<String> = rollouts
        .state()
        .iter()
        .filter(|r| r.metadata.namespace.as_deref() == Some(namespace.as_str()))
        .filter(|r| referencing::uses_ingress(&r.data, &name))
        .filter_map(|r| r.metadata.name.clone())
        .collect();
    let live: Vec<&str> = live.iter().map(String::as_str).collect();
    let Some(released) = rollouts_core::traffic::alb::release_unreferenced(&raw, &live) else {
        return;
    };
    let Ok(released) = serde_json::from_value::<Ingress>(released) else {
        return;
    };
    // A conflict means the Ingress changed meanwhile: its next event brings it here again.
    let api: Api<Ingress> = Api::namespaced(client.clone(), &namespace);
    let key = format!("{namespace}/{name}");
    match api.replace(&name, &PostParams::default(), &released).await {
        Ok(_) => tracing::info!(ingress = %key, "released the ALB actions of Rollouts no longer using it"),
        Err(error) => tracing::warn!(ingress = %key, %error, "could not release ALB actions"),
    }
}
