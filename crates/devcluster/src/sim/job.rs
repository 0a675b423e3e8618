//! The Job controller: runs pods until `completions` succeed (or, without completions, until one
//! succeeds and the rest finish), retries failures up to `backoffLimit` with the controller's back-off,
//! enforces `activeDeadlineSeconds`, honours `suspend`, and reports it all in the status.
//!
//! As in Kubernetes 1.31+, a finishing Job first gets the interim condition (`SuccessCriteriaMet` or
//! `FailureTarget`), its remaining pods are deleted, and once none is left running it gets the final one
//! (`Complete` with `completionTime`, or `Failed`). Failed and succeeded counts never go down, so pods
//! removed later are not forgotten, but a pod removed before it was counted is (pod finalizers and
//! `uncountedTerminatedPods` are not modelled). Indexed completion mode, pod failure and success
//! policies, and `podReplacementPolicy` are not modelled (pods are replaced once terminated or deleted).
//! Pods are created only up to the cluster's pod limit ([`SimConfig::max_pod_objects`]).

use std::time::Duration;

use jiff::Timestamp;
use serde_json::{Map, Value, json};

use super::meta::{self, Selector, fmt_time};
use super::podutil;
use super::timeline;
use super::{Action, Kind, ObjectRef, Plan, SimConfig, SimError};

/// Label with the Job's uid on its pods.
pub const CONTROLLER_UID_LABEL: &str = "batch.kubernetes.io/controller-uid";
/// Label with the Job's name on its pods.
pub const JOB_NAME_LABEL: &str = "batch.kubernetes.io/job-name";
/// The older, unprefixed forms of the two labels, still set by Kubernetes.
pub const LEGACY_LABELS: [&str; 2] = ["controller-uid", "job-name"];

/// The Job controller's first retry back-off; it doubles per failure.
pub const RETRY_BACKOFF_BASE: Duration = Duration::from_secs(10);
/// The Job controller's longest retry back-off.
pub const RETRY_BACKOFF_CAP: Duration = Duration::from_secs(360);

const BACKOFF_MESSAGE: &str = "Job has reached the specified backoff limit";
const DEADLINE_MESSAGE: &str = "Job was active longer than specified deadline";
const COMPLETIONS_MESSAGE: &str = "Reached expected number of succeeded pods";

/// Decides the next step for `job` given the pods of its namespace; `names` draws pod name suffixes.
#[cfg(test)]
pub fn reconcile(
    job: &Value,
    pods: &[Value],
    now: Timestamp,
    cfg: &SimConfig,
    names: &mut dyn FnMut() -> String,
) -> Result<Plan, SimError> {
    reconcile_within(job, pods, now, cfg, 0, names)
}

/// Like [`reconcile`], in a cluster that stores `pod_objects` pods, of [`SimConfig::max_pod_objects`].
pub fn reconcile_within(
    job: &Value,
    pods: &[Value],
    now: Timestamp,
    cfg: &SimConfig,
    pod_objects: usize,
    names: &mut dyn FnMut() -> String,
) -> Result<Plan, SimError> {
    meta::require_identity(job)?;
    let mut plan = Plan::none();
    let conditions = meta::array_at(job, "/status/conditions");
    if ["Complete", "Failed"].iter().any(|t| is_true(conditions, t)) {
        return Ok(plan);
    }
    let selector = match job.pointer("/spec/selector") {
        Some(s) if !s.is_null() => Selector::parse(Some(s))?,
        _ => Selector::parse(Some(&json!({})))?,
    };
    let owned: Vec<&Value> = pods
        .iter()
        .filter(|p| meta::is_controlled_by(p, meta::uid(job)) && selector.selects(p))
        .collect();
    let mut active: Vec<&Value> = owned.iter().copied().filter(|p| podutil::is_active(p)).collect();
    let terminating = owned
        .iter()
        .filter(|p| meta::is_deleting(p) && !podutil::is_terminal(p))
        .count();
    let ready = active.iter().filter(|p| podutil::is_ready(p)).count();
    let phase_count = |phase: &str| count(owned.iter().filter(|p| podutil::phase(p) == phase).count());
    let previous = |key: &str| meta::i64_at(job, &format!("/status/{key}")).unwrap_or(0);
    let succeeded = previous("succeeded").max(phase_count("Succeeded"));
    let failed = previous("failed").max(phase_count("Failed"));

    let mut status = job
        .get("status")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let suspended = meta::bool_at(job, "/spec/suspend");
    let start = if suspended {
        status.remove("startTime");
        None
    } else {
        let start = meta::str_at(job, "/status/startTime")
            .and_then(meta::parse_time)
            .unwrap_or(now);
        status.insert("startTime".into(), json!(fmt_time(start)));
        Some(start)
    };
    let mut created = 0;
    let mut deleted = 0;
    if let Some((interim, reason, message)) = finishing(job, conditions, &active, succeeded, failed, start, now) {
        for pod in &active {
            plan.push(Action::Delete {
                target: ObjectRef::of(Kind::Pod, pod),
                grace_period_seconds: None,
            });
        }
        deleted = active.len();
        set_condition(&mut status, interim, "True", reason, message, now);
        if active.is_empty() && terminating == 0 {
            let last = if interim == "SuccessCriteriaMet" {
                "Complete"
            } else {
                "Failed"
            };
            set_condition(&mut status, last, "True", reason, message, now);
            if last == "Complete" {
                status.insert("completionTime".into(), json!(fmt_time(now)));
            }
        }
    } else if suspended {
        for pod in &active {
            plan.push(Action::Delete {
                target: ObjectRef::of(Kind::Pod, pod),
                grace_period_seconds: None,
            });
        }
        deleted = active.len();
        set_condition(&mut status, "Suspended", "True", "JobSuspended", "Job suspended", now);
    } else {
        if is_true(conditions, "Suspended") {
            set_condition(&mut status, "Suspended", "False", "JobResumed", "Job resumed", now);
        }
        let parallelism = meta::i64_at(job, "/spec/parallelism").unwrap_or(1).max(0);
        let want = match completions(job) {
            Some(c) => parallelism.min((c - succeeded).max(0)),
            None if succeeded > 0 => count(active.len()),
            None => parallelism,
        };
        let have = count(active.len());
        if want > have {
            match retry_at(&owned, failed, cfg).filter(|at| *at > now) {
                Some(at) => plan.requeue_at(now, at),
                None => {
                    let room = count(cfg.max_pod_objects.saturating_sub(pod_objects));
                    created = create_pods(job, pods, (want - have).min(room), names, &mut plan);
                }
            }
        } else if have > want {
            active.sort_by(|a, b| podutil::deletion_order(a, b));
            for pod in active.iter().take(usize::try_from(have - want).unwrap_or(0)) {
                plan.push(Action::Delete {
                    target: ObjectRef::of(Kind::Pod, pod),
                    grace_period_seconds: None,
                });
                deleted += 1;
            }
        }
        if let (Some(start), Some(ads)) = (start, meta::i64_at(job, "/spec/activeDeadlineSeconds")) {
            plan.requeue_at(now, meta::add(start, meta::secs(ads)));
        }
    }
    meta::set_count(
        &mut status,
        "active",
        count(active.len() + created).saturating_sub(count(deleted)),
    );
    status.insert("ready".into(), json!(ready));
    status.insert("terminating".into(), json!(terminating));
    meta::set_count(&mut status, "succeeded", succeeded);
    meta::set_count(&mut status, "failed", failed);
    status.insert("uncountedTerminatedPods".into(), json!({}));
    let status = Value::Object(status);
    if !meta::semantic_eq(&status, job.get("status").unwrap_or(&Value::Null)) {
        plan.push(Action::UpdateStatus {
            target: ObjectRef::of(Kind::Job, job),
            status,
        });
    }
    Ok(plan)
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn is_true(conditions: &[Value], kind: &str) -> bool {
    meta::condition(conditions, kind)
        .and_then(|c| c.get("status"))
        .and_then(Value::as_str)
        == Some("True")
}

/// `spec.completions`; both unset means one pod to one completion, as the API defaults it.
fn completions(job: &Value) -> Option<i64> {
    match (
        meta::i64_at(job, "/spec/completions"),
        meta::i64_at(job, "/spec/parallelism"),
    ) {
        (Some(c), _) => Some(c),
        (None, None) => Some(1),
        (None, Some(_)) => None,
    }
}

/// Whether the Job is finishing: the interim condition type, its reason and message.
fn finishing(
    job: &Value,
    conditions: &[Value],
    active: &[&Value],
    succeeded: i64,
    failed: i64,
    start: Option<Timestamp>,
    now: Timestamp,
) -> Option<(&'static str, &'static str, &'static str)> {
    for (kind, reasons) in [
        (
            "FailureTarget",
            [
                ("BackoffLimitExceeded", BACKOFF_MESSAGE),
                ("DeadlineExceeded", DEADLINE_MESSAGE),
            ],
        ),
        (
            "SuccessCriteriaMet",
            [
                ("CompletionsReached", COMPLETIONS_MESSAGE),
                ("CompletionsReached", COMPLETIONS_MESSAGE),
            ],
        ),
    ] {
        if let Some(c) = meta::condition(conditions, kind).filter(|_| is_true(conditions, kind)) {
            let reason = c.get("reason").and_then(Value::as_str).unwrap_or("");
            let known = reasons
                .iter()
                .find(|(r, _)| *r == reason)
                .copied()
                .unwrap_or(reasons[0]);
            return Some((kind, known.0, known.1));
        }
    }
    let limit = meta::i64_at(job, "/spec/backoffLimit").unwrap_or(6);
    let on_failure = meta::str_at(job, "/spec/template/spec/restartPolicy") == Some("OnFailure");
    let restarts: i64 = active
        .iter()
        .flat_map(|p| {
            meta::array_at(p, "/status/containerStatuses")
                .iter()
                .chain(meta::array_at(p, "/status/initContainerStatuses"))
        })
        .filter_map(|c| c.get("restartCount").and_then(Value::as_i64))
        .sum();
    let restarts_exceeded = on_failure && if limit == 0 { restarts > 0 } else { restarts >= limit };
    if failed > limit || restarts_exceeded {
        return Some(("FailureTarget", "BackoffLimitExceeded", BACKOFF_MESSAGE));
    }
    let deadline = meta::i64_at(job, "/spec/activeDeadlineSeconds");
    if let (Some(start), Some(ads)) = (start, deadline)
        && now >= meta::add(start, meta::secs(ads))
    {
        return Some(("FailureTarget", "DeadlineExceeded", DEADLINE_MESSAGE));
    }
    let complete = match completions(job) {
        Some(c) => succeeded >= c,
        None => succeeded > 0 && active.is_empty(),
    };
    complete.then_some(("SuccessCriteriaMet", "CompletionsReached", COMPLETIONS_MESSAGE))
}

/// When a replacement may be created after `failed` failures: the latest failure plus the back-off
/// (10s doubling per failure, at most 6 minutes, times the time scale).
fn retry_at(owned: &[&Value], failed: i64, cfg: &SimConfig) -> Option<Timestamp> {
    if failed <= 0 {
        return None;
    }
    let last = owned
        .iter()
        .filter(|p| podutil::phase(p) == "Failed")
        .filter_map(|p| finished_at(p))
        .max()?;
    let doublings = u32::try_from(failed - 1).unwrap_or(u32::MAX).min(16);
    let backoff = RETRY_BACKOFF_BASE
        .saturating_mul(2u32.saturating_pow(doublings))
        .min(RETRY_BACKOFF_CAP);
    Some(meta::add(last, timeline::scaled(backoff, cfg.time_scale)))
}

/// When a finished pod's last container stopped (or, lacking that, when it turned not ready).
fn finished_at(pod: &Value) -> Option<Timestamp> {
    meta::array_at(pod, "/status/containerStatuses")
        .iter()
        .filter_map(|c| {
            c.pointer("/state/terminated/finishedAt")
                .and_then(Value::as_str)
                .and_then(meta::parse_time)
        })
        .max()
        .or_else(|| {
            podutil::ready_condition(pod)
                .and_then(|c| c.get("lastTransitionTime"))
                .and_then(Value::as_str)
                .and_then(meta::parse_time)
        })
        .or_else(|| meta::created(pod))
}

fn create_pods(job: &Value, pods: &[Value], n: i64, names: &mut dyn FnMut() -> String, plan: &mut Plan) -> usize {
    let template = job.pointer("/spec/template").cloned().unwrap_or_else(|| json!({}));
    let prefix = format!("{}-", meta::name(job));
    let owner = meta::controller_owner_ref("batch/v1", "Job", job);
    let mut labels = Map::new();
    for (key, value) in [
        (CONTROLLER_UID_LABEL, meta::uid(job)),
        (JOB_NAME_LABEL, meta::name(job)),
        (LEGACY_LABELS[0], meta::uid(job)),
        (LEGACY_LABELS[1], meta::name(job)),
    ] {
        labels.insert(key.to_string(), json!(value));
    }
    let mut taken: Vec<String> = pods.iter().map(|p| meta::name(p).to_string()).collect();
    let n = usize::try_from(n).unwrap_or(0).min(super::replicaset::BURST_REPLICAS);
    for _ in 0..n {
        let name = podutil::fresh_name(&prefix, &taken, names);
        plan.push(Action::Create(podutil::pod_from_template(
            &template,
            meta::namespace(job),
            &prefix,
            &name,
            &labels,
            owner.clone(),
        )));
        taken.push(name);
    }
    n
}

/// Sets a Job condition; nothing changes when one of that type already has that status.
fn set_condition(
    status: &mut Map<String, Value>,
    kind: &str,
    value: &str,
    reason: &str,
    message: &str,
    now: Timestamp,
) {
    let conditions = status.entry("conditions").or_insert_with(|| json!([]));
    if !conditions.is_array() {
        *conditions = json!([]);
    }
    let Some(list) = conditions.as_array_mut() else { return };
    let same = |c: &Value| c.get("type").and_then(Value::as_str) == Some(kind);
    if list
        .iter()
        .any(|c| same(c) && c.get("status").and_then(Value::as_str) == Some(value))
    {
        return;
    }
    list.retain(|c| !same(c));
    list.push(json!({
        "type": kind,
        "status": value,
        "lastProbeTime": fmt_time(now),
        "lastTransitionTime": fmt_time(now),
        "reason": reason,
        "message": message,
    }));
}
