//! `GET pods/{name}/log`: a pod's log as text, or followed (`follow=true`) until the pod is gone or the
//! client leaves. The query parameters are kube-apiserver's: `container`, `follow`, `tailLines`,
//! `sinceSeconds`, `sinceTime`, `timestamps`, `limitBytes`, `previous`.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use jiff::{SignedDuration, Timestamp};
use serde_json::Value;
use tokio::sync::{broadcast, mpsc};

use super::ApiServer;
use super::Reply;
use super::error::ApiError;
use super::resources::Ctx;
use crate::podlogs::LogQuery;
use crate::store::Key;

/// How often a follow checks that its pod still exists.
const POD_CHECK: Duration = Duration::from_secs(1);

/// Serves the log of pod `name`.
pub fn serve(ctx: &Ctx<'_>, name: &str) -> Result<Reply, ApiError> {
    let key = ctx.key_for(name);
    let pod = ctx
        .server
        .store
        .get(&key)
        .ok_or_else(|| ApiError::not_found(&ctx.rt, name))?;
    let pod = Arc::clone(&pod.object);
    let container = container(&pod, name, ctx.query.non_empty("container"))?;
    if !started(&pod, &container) {
        let reason = waiting_reason(&pod, &container).unwrap_or("ContainerCreating");
        return Err(ApiError::bad_request(format!(
            "container \"{container}\" in pod \"{name}\" is waiting to start: {reason}"
        )));
    }
    if ctx.query.flag("previous") {
        return Err(ApiError::bad_request(format!(
            "previous terminated container \"{container}\" in pod \"{name}\" not found"
        )));
    }
    let query = query(ctx)?;
    let namespace = key.namespace.clone().unwrap_or_default();
    let uid = pod.pointer("/metadata/uid").and_then(Value::as_str).unwrap_or_default();
    let follow = ctx.query.flag("follow");
    let (lines, follower) = ctx.server.logs.read(&namespace, name, uid, &query, follow);
    let mut text = String::new();
    for line in &lines {
        text.push_str(&query.render(line));
    }
    let limit = query.limit_bytes.unwrap_or(usize::MAX);
    if text.len() >= limit || follower.is_none() {
        text.truncate(limit.min(text.len()));
        return Ok(Reply::Raw(200, "text/plain", Bytes::from(text)));
    }
    let Some(follower) = follower else {
        return Ok(Reply::Raw(200, "text/plain", Bytes::from(text)));
    };
    let (tx, rx) = mpsc::channel(64);
    let server = Arc::clone(ctx.server);
    let uid = uid.to_string();
    tokio::spawn(stream(server, key, uid, query, text, follower, tx));
    Ok(Reply::Stream("text/plain", rx))
}

/// Sends what was read, then every new line, until the pod is gone, the byte limit is reached or the
/// client leaves.
async fn stream(
    server: Arc<ApiServer>,
    key: Key,
    uid: String,
    query: LogQuery,
    first: String,
    mut follower: broadcast::Receiver<crate::podlogs::LogLine>,
    tx: mpsc::Sender<Bytes>,
) {
    let mut left = query.limit_bytes.unwrap_or(usize::MAX) - first.len();
    if !first.is_empty() && tx.send(Bytes::from(first)).await.is_err() {
        return;
    }
    let mut check = tokio::time::interval(POD_CHECK);
    loop {
        tokio::select! {
            line = follower.recv() => match line {
                Ok(line) => {
                    let mut text = query.render(&line);
                    text.truncate(left.min(text.len()));
                    left -= text.len();
                    if tx.send(Bytes::from(text)).await.is_err() || left == 0 {
                        return;
                    }
                }
                // A reader too slow for the pod's output misses lines, as with a real node's rotation.
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => return,
            },
            _ = check.tick() => {
                // As on a node, a follow ends with the pod: deleted, or finished (Succeeded/Failed).
                let running = server.store.get(&key).is_some_and(|p| {
                    p.object.pointer("/metadata/uid").and_then(Value::as_str) == Some(uid.as_str())
                        && !matches!(
                            p.object.pointer("/status/phase").and_then(Value::as_str),
                            Some("Succeeded" | "Failed")
                        )
                });
                if !running || tx.is_closed() {
                    return;
                }
            }
        }
    }
}

/// The container asked for, or the pod's only (or default) container.
fn container(pod: &Value, name: &str, asked: Option<&str>) -> Result<String, ApiError> {
    let names: Vec<&str> = ["initContainers", "containers", "ephemeralContainers"]
        .into_iter()
        .filter_map(|f| pod["spec"][f].as_array())
        .flatten()
        .filter_map(|c| c["name"].as_str())
        .collect();
    if let Some(asked) = asked {
        return if names.contains(&asked) {
            Ok(asked.to_string())
        } else {
            Err(ApiError::bad_request(format!(
                "container {asked} is not valid for pod {name}"
            )))
        };
    }
    let main: Vec<&str> = pod["spec"]["containers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str())
        .collect();
    let default = pod
        .pointer("/metadata/annotations/kubectl.kubernetes.io~1default-container")
        .and_then(Value::as_str)
        .filter(|d| main.contains(d));
    match (default, main.as_slice()) {
        (Some(d), _) => Ok(d.to_string()),
        (None, [only]) => Ok((*only).to_string()),
        (None, _) => Err(ApiError::bad_request(format!(
            "a container name must be specified for pod {name}, choose one of: [{}]",
            main.join(" ")
        ))),
    }
}

fn container_status<'p>(pod: &'p Value, container: &str) -> Option<&'p Value> {
    ["initContainerStatuses", "containerStatuses"]
        .into_iter()
        .filter_map(|f| pod["status"][f].as_array())
        .flatten()
        .find(|c| c["name"] == container)
}

/// Whether the container has run at all (running now, or terminated).
fn started(pod: &Value, container: &str) -> bool {
    container_status(pod, container).is_some_and(|c| {
        let state = &c["state"];
        state.get("running").is_some()
            || state.get("terminated").is_some()
            || c["lastState"].get("terminated").is_some()
    })
}

fn waiting_reason<'p>(pod: &'p Value, container: &str) -> Option<&'p str> {
    container_status(pod, container)?["state"]["waiting"]["reason"].as_str()
}

/// The selection the query asks for.
fn query(ctx: &Ctx<'_>) -> Result<LogQuery, ApiError> {
    let number = |field: &str| -> Result<Option<usize>, ApiError> {
        match ctx.query.non_empty(field) {
            None => Ok(None),
            Some(text) => match text.parse::<i64>() {
                // kube-apiserver takes a negative tail as "all".
                Ok(n) if n < 0 && field == "tailLines" => Ok(None),
                Ok(n) if n >= 0 => Ok(Some(usize::try_from(n).unwrap_or(usize::MAX))),
                _ => Err(ApiError::bad_request(format!("{field}: invalid value {text:?}"))),
            },
        }
    };
    let since = match (ctx.query.non_empty("sinceSeconds"), ctx.query.non_empty("sinceTime")) {
        (Some(_), Some(_)) => {
            return Err(ApiError::bad_request(
                "at most one of sinceTime or sinceSeconds may be specified",
            ));
        }
        (Some(secs), None) => {
            let secs: i64 = secs
                .parse()
                .ok()
                .filter(|s| *s > 0)
                .ok_or_else(|| ApiError::bad_request(format!("sinceSeconds: invalid value {secs:?}")))?;
            Timestamp::now().checked_sub(SignedDuration::from_secs(secs)).ok()
        }
        (None, Some(time)) => Some(
            time.parse::<Timestamp>()
                .map_err(|_| ApiError::bad_request(format!("sinceTime: invalid value {time:?}")))?,
        ),
        (None, None) => None,
    };
    let limit_bytes = number("limitBytes")?;
    if limit_bytes == Some(0) {
        return Err(ApiError::bad_request("limitBytes: must be greater than 0"));
    }
    Ok(LogQuery {
        tail_lines: number("tailLines")?,
        since,
        timestamps: ctx.query.flag("timestamps"),
        limit_bytes,
    })
}
