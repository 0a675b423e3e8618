//! The Deployment controller: owns one ReplicaSet per pod template revision, rolls from the old ones to
//! the new one by its strategy, and reports the rollout in its status.
//!
//! As in Kubernetes: the new ReplicaSet is the oldest owned one whose template equals the Deployment's
//! apart from the `pod-template-hash` label; it is created as `<deployment>-<hash>` (see [`super::hash`])
//! with that label added to its selector, its template and its own labels, and with the annotations
//! `deployment.kubernetes.io/revision`, `desired-replicas` and `max-replicas`. `RollingUpdate` scales the
//! new ReplicaSet up within `maxSurge` and the old ones down within `maxUnavailable` (using the
//! ReplicaSets' reported available replicas), `Recreate` scales the old ones to zero and waits for their
//! pods to go before scaling the new one up. Scaling the Deployment during a rollout scales its
//! ReplicaSets proportionally; `spec.paused` stops rolling (scaling still applies). Old ReplicaSets at
//! zero beyond `revisionHistoryLimit` are deleted. Status and the `Available` / `Progressing` conditions
//! (with `progressDeadlineSeconds`) follow Kubernetes, messages included. Rollback (`rollbackTo`) and
//! the revision-history annotation are not modelled.

use jiff::Timestamp;
use serde_json::{Map, Value, json};

use super::deployment_rollout as rollout;
use super::deployment_status as dstatus;
use super::hash::{self, POD_TEMPLATE_HASH_LABEL};
use super::meta::{self, Selector};
use super::{Action, Kind, ObjectRef, Plan, SimError};

/// The ReplicaSet annotation with the rollout revision it belongs to (also set on the Deployment).
pub const REVISION_ANNOTATION: &str = "deployment.kubernetes.io/revision";
/// The ReplicaSet annotation with the Deployment's replicas when the ReplicaSet was last scaled.
pub const DESIRED_REPLICAS_ANNOTATION: &str = "deployment.kubernetes.io/desired-replicas";
/// The ReplicaSet annotation with the Deployment's replicas plus surge when last scaled.
pub const MAX_REPLICAS_ANNOTATION: &str = "deployment.kubernetes.io/max-replicas";

/// Deployment annotations that are not copied to its ReplicaSets.
const NOT_COPIED: &[&str] = &[
    "kubectl.kubernetes.io/last-applied-configuration",
    REVISION_ANNOTATION,
    "deployment.kubernetes.io/revision-history",
    DESIRED_REPLICAS_ANNOTATION,
    MAX_REPLICAS_ANNOTATION,
    "deprecated.deployment.rollback.to",
];

/// The Deployment's settings that the decisions depend on.
pub(crate) struct Ctx<'a> {
    pub d: &'a Value,
    pub now: Timestamp,
    pub replicas: i64,
    pub rolling: bool,
    pub max_surge: i64,
    pub max_unavailable: i64,
    pub progress_deadline: Option<i64>,
    /// The status as read, to measure progress against.
    pub old_status: Value,
}

impl<'a> Ctx<'a> {
    fn new(d: &'a Value, now: Timestamp) -> Result<Self, SimError> {
        let replicas = meta::i64_at(d, "/spec/replicas").unwrap_or(1).max(0);
        let rolling = meta::str_at(d, "/spec/strategy/type").unwrap_or("RollingUpdate") == "RollingUpdate";
        let (mut max_surge, mut max_unavailable) = (0, 0);
        if rolling {
            let ru = d.pointer("/spec/strategy/rollingUpdate");
            max_surge = meta::int_or_percent(ru.and_then(|r| r.get("maxSurge")), "25%", replicas, true)?.max(0);
            let unavailable = ru.and_then(|r| r.get("maxUnavailable"));
            max_unavailable = meta::int_or_percent(unavailable, "25%", replicas, false)?.max(0);
            if max_surge == 0 && max_unavailable == 0 {
                max_unavailable = 1;
            }
        }
        let progress_deadline = match d.pointer("/spec/progressDeadlineSeconds") {
            None | Some(Value::Null) => Some(600),
            Some(v) => v.as_i64().filter(|s| *s != i64::from(i32::MAX)),
        };
        let old_status = d.get("status").cloned().unwrap_or_else(|| json!({}));
        Ok(Ctx {
            d,
            now,
            replicas,
            rolling,
            max_surge,
            max_unavailable,
            progress_deadline,
            old_status,
        })
    }

    /// Kubernetes' `MaxUnavailable(deployment)`: zero unless rolling with replicas, at most replicas.
    pub fn unavailable_allowed(&self) -> i64 {
        if !self.rolling || self.replicas == 0 {
            0
        } else {
            self.max_unavailable.min(self.replicas)
        }
    }

    pub fn min_ready_seconds(&self) -> i64 {
        meta::i64_at(self.d, "/spec/minReadySeconds").unwrap_or(0)
    }
}

/// A ReplicaSet of the Deployment as the controller is about to leave it.
pub(crate) struct WorkingRs {
    pub obj: Value,
    pub create: bool,
    pub dirty: bool,
    pub delete: bool,
}

impl WorkingRs {
    pub fn replicas(&self) -> i64 {
        meta::i64_at(&self.obj, "/spec/replicas").unwrap_or(1)
    }

    pub fn status(&self, field: &str) -> i64 {
        self.obj
            .get("status")
            .and_then(|s| s.get(field))
            .and_then(Value::as_i64)
            .unwrap_or(0)
    }

    pub fn revision(&self) -> i64 {
        meta::annotation(&self.obj, REVISION_ANNOTATION)
            .and_then(|r| r.parse().ok())
            .unwrap_or(0)
    }

    pub fn set_annotation(&mut self, key: &str, value: &str) -> bool {
        if meta::annotation(&self.obj, key) == Some(value) {
            return false;
        }
        meta::set_at(&mut self.obj, &["metadata", "annotations", key], json!(value));
        true
    }
}

/// The state the controller works on during one call.
pub(crate) struct Work<'a> {
    pub rss: Vec<WorkingRs>,
    pub new: Option<usize>,
    pub status: Map<String, Value>,
    pub deployment_revision: Option<String>,
    pub collided: bool,
    all: &'a [Value],
}

impl Work<'_> {
    pub fn old(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.rss.len()).filter(move |i| Some(*i) != self.new && !self.rss[*i].create)
    }

    fn max_old_revision(&self) -> i64 {
        self.old().map(|i| self.rss[i].revision()).max().unwrap_or(0)
    }
}

/// Decides the next step for `d` given the ReplicaSets and pods of its namespace (the ones it does not
/// own are ignored, but are checked for name collisions when creating a ReplicaSet).
pub fn reconcile(d: &Value, rss: &[Value], pods: &[Value], now: Timestamp) -> Result<Plan, SimError> {
    meta::require_identity(d)?;
    let ctx = Ctx::new(d, now)?;
    let selector = Selector::parse(d.pointer("/spec/selector"))?;
    let mut owned: Vec<&Value> = rss
        .iter()
        .filter(|rs| meta::is_controlled_by(rs, meta::uid(d)) && selector.selects(rs))
        .collect();
    owned.sort_by(|a, b| {
        meta::created(a)
            .cmp(&meta::created(b))
            .then_with(|| meta::name(a).cmp(meta::name(b)))
    });
    let template = d.pointer("/spec/template").cloned().unwrap_or_else(|| json!({}));
    let new = owned
        .iter()
        .position(|rs| equal_ignoring_hash(&template, rs.pointer("/spec/template")));
    let mut w = Work {
        rss: owned
            .into_iter()
            .map(|obj| WorkingRs {
                obj: obj.clone(),
                create: false,
                dirty: false,
                delete: false,
            })
            .collect(),
        new,
        status: ctx.old_status.as_object().cloned().unwrap_or_default(),
        deployment_revision: None,
        collided: false,
        all: rss,
    };
    let mut plan = Plan::none();
    if meta::is_deleting(d) {
        sync_revision(&mut w, &ctx, false);
        dstatus::sync_status(&mut w, &ctx);
    } else {
        dstatus::check_paused(&mut w, &ctx);
        let paused = meta::bool_at(d, "/spec/paused");
        if paused || rollout::is_scaling_event(&w, &ctx) {
            sync_revision(&mut w, &ctx, false);
            rollout::scale(&mut w, &ctx);
            if paused {
                rollout::cleanup(&mut w, &ctx);
            }
            dstatus::sync_status(&mut w, &ctx);
        } else {
            let create = ctx.rolling;
            sync_revision(&mut w, &ctx, create);
            if !w.collided {
                if ctx.rolling {
                    rollout::rolling(&mut w, &ctx);
                } else {
                    rollout::recreate(&mut w, &ctx, pods);
                }
                dstatus::sync_rollout_status(&mut w, &ctx);
                dstatus::requeue_if_stuck(&w, &ctx, &mut plan);
            }
        }
    }
    emit(&w, &ctx, &mut plan);
    Ok(plan)
}

fn emit(w: &Work, ctx: &Ctx, plan: &mut Plan) {
    for rs in w.rss.iter().filter(|rs| rs.create) {
        plan.push(Action::Create(rs.obj.clone()));
    }
    for rs in w.rss.iter().filter(|rs| rs.dirty && !rs.create && !rs.delete) {
        plan.push(Action::Update(rs.obj.clone()));
    }
    if let Some(rev) = &w.deployment_revision {
        let mut d = ctx.d.clone();
        meta::set_at(&mut d, &["metadata", "annotations", REVISION_ANNOTATION], json!(rev));
        plan.push(Action::Update(d));
    }
    for rs in w.rss.iter().filter(|rs| rs.delete) {
        plan.push(Action::Delete {
            target: ObjectRef::of(Kind::ReplicaSet, &rs.obj),
            grace_period_seconds: None,
        });
    }
    let status = Value::Object(w.status.clone());
    if !meta::semantic_eq(&status, &ctx.old_status) {
        plan.push(Action::UpdateStatus {
            target: ObjectRef::of(Kind::Deployment, ctx.d),
            status,
        });
    }
    if w.collided {
        plan.requeue(std::time::Duration::ZERO);
    }
}

/// Kubernetes' `EqualIgnoreHash`: templates equal once the pod-template-hash label is dropped.
pub fn equal_ignoring_hash(a: &Value, b: Option<&Value>) -> bool {
    let strip = |v: &Value| {
        let mut v = v.clone();
        if let Some(labels) = v.pointer_mut("/metadata/labels").and_then(Value::as_object_mut) {
            labels.remove(POD_TEMPLATE_HASH_LABEL);
        }
        v
    };
    b.is_some_and(|b| meta::semantic_eq(&strip(a), &strip(b)))
}

/// Kubernetes' `getAllReplicaSetsAndSyncRevision`: finds (or, with `create`, creates) the new
/// ReplicaSet, brings its annotations and minReadySeconds up to date, and records the revision on the
/// Deployment.
pub(crate) fn sync_revision(w: &mut Work, ctx: &Ctx, create: bool) {
    let next_revision = w.max_old_revision() + 1;
    let revision = next_revision.to_string();
    let Some(i) = w.new else {
        if create {
            create_new_rs(w, ctx, &revision);
        }
        return;
    };
    let d = ctx.d;
    let rs = &mut w.rss[i];
    let mut changed = copy_annotations(d, rs);
    if rs.revision() < next_revision {
        changed |= rs.set_annotation(REVISION_ANNOTATION, &revision);
    }
    let min_ready = ctx.min_ready_seconds();
    if meta::i64_at(&rs.obj, "/spec/minReadySeconds").unwrap_or(0) != min_ready {
        meta::set_at(&mut rs.obj, &["spec", "minReadySeconds"], json!(min_ready));
        changed = true;
    }
    rs.dirty |= changed;
    let rs_revision = meta::annotation(&rs.obj, REVISION_ANNOTATION).unwrap_or("").to_string();
    set_deployment_revision(w, ctx, &rs_revision);
    if ctx.progress_deadline.is_some() && dstatus::condition(&w.status, "Progressing").is_none() {
        let message = format!("Found new replica set \"{}\"", meta::name(&w.rss[i].obj));
        dstatus::set_condition(
            &mut w.status,
            dstatus::new_condition("Progressing", "True", "FoundNewReplicaSet", &message, ctx.now),
        );
    }
}

fn set_deployment_revision(w: &mut Work, ctx: &Ctx, revision: &str) {
    if meta::annotation(ctx.d, REVISION_ANNOTATION) != Some(revision) {
        w.deployment_revision = Some(revision.to_string());
    }
}

fn copy_annotations(d: &Value, rs: &mut WorkingRs) -> bool {
    let mut changed = false;
    for (k, v) in d
        .pointer("/metadata/annotations")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        if let Some(v) = v.as_str().filter(|_| !NOT_COPIED.contains(&k.as_str())) {
            changed |= rs.set_annotation(k, v);
        }
    }
    changed
}

fn create_new_rs(w: &mut Work, ctx: &Ctx, revision: &str) {
    let d = ctx.d;
    let collisions = meta::i64_at(d, "/status/collisionCount").and_then(|c| u32::try_from(c).ok());
    let mut template = d.pointer("/spec/template").cloned().unwrap_or_else(|| json!({}));
    let hash = hash::pod_template_hash(&template, collisions);
    let name = format!("{}-{hash}", meta::name(d));
    if w.all.iter().any(|rs| meta::name(rs) == name) {
        // Taken by a ReplicaSet that is not this Deployment's current template: a hash collision.
        w.status.insert(
            "collisionCount".into(),
            json!(collisions.map_or(1, |c| u64::from(c) + 1)),
        );
        w.collided = true;
        return;
    }
    meta::set_at(
        &mut template,
        &["metadata", "labels", POD_TEMPLATE_HASH_LABEL],
        json!(hash),
    );
    let mut selector = d.pointer("/spec/selector").cloned().unwrap_or_else(|| json!({}));
    meta::set_at(&mut selector, &["matchLabels", POD_TEMPLATE_HASH_LABEL], json!(hash));
    let obj = json!({
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {
            "name": name,
            "namespace": meta::namespace(d),
            "labels": template["metadata"]["labels"].clone(),
            "ownerReferences": [meta::controller_owner_ref("apps/v1", "Deployment", d)],
        },
        "spec": {"replicas": 0, "minReadySeconds": ctx.min_ready_seconds(), "selector": selector, "template": template},
    });
    let mut rs = WorkingRs {
        obj,
        create: true,
        dirty: false,
        delete: false,
    };
    copy_annotations(d, &mut rs);
    rs.set_annotation(REVISION_ANNOTATION, revision);
    rs.set_annotation(DESIRED_REPLICAS_ANNOTATION, &ctx.replicas.to_string());
    rs.set_annotation(
        MAX_REPLICAS_ANNOTATION,
        &(ctx.replicas + ctx.max_surge_allowed()).to_string(),
    );
    w.rss.push(rs);
    let i = w.rss.len() - 1;
    w.new = Some(i);
    let replicas = rollout::new_rs_new_replicas(w, ctx, i);
    meta::set_at(&mut w.rss[i].obj, &["spec", "replicas"], json!(replicas));
    set_deployment_revision(w, ctx, revision);
    if ctx.progress_deadline.is_some() {
        let message = format!("Created new replica set \"{name}\"");
        dstatus::set_condition(
            &mut w.status,
            dstatus::new_condition("Progressing", "True", "NewReplicaSetCreated", &message, ctx.now),
        );
    }
}

impl Ctx<'_> {
    /// Kubernetes' `MaxSurge(deployment)`: zero unless rolling.
    pub fn max_surge_allowed(&self) -> i64 {
        if self.rolling { self.max_surge } else { 0 }
    }
}
