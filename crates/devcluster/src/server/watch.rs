//! Watches: a chunked stream of `{"type": ..., "object": ...}` lines, starting from a resourceVersion
//! (replaying history) or from the current state (initial ADDED events), with bookmarks and timeouts.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::Reply;
use super::error::ApiError;
use super::resources::{Ctx, field_selector};
use crate::registry::ResourceType;
use crate::selectors::{FieldSelector, LabelSelector};
use crate::store::{EventType, Subscriber, WatchEvent};

/// How often a watch that allows bookmarks gets one.
const BOOKMARK_EVERY: Duration = Duration::from_secs(30);
/// Watch duration when the client gives no timeout (kube-apiserver picks 30–60 minutes).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1800);
/// Rendered lines waiting for a slow client. Few, as one can be an object of over a megabyte: the
/// store's history holds what the client has yet to read, and cuts the watch off when it falls behind.
const LINES_IN_FLIGHT: usize = 16;

struct Filter {
    prefix: String,
    namespace: Option<String>,
    labels: LabelSelector,
    fields: FieldSelector,
}

impl Filter {
    fn matches(&self, event_prefix: &str, event_ns: Option<&str>, obj: &Value) -> bool {
        event_prefix == self.prefix
            && self.namespace.as_deref().is_none_or(|ns| event_ns == Some(ns))
            && self.labels.matches_object(obj)
            && self.fields.matches(obj)
    }
}

fn line(event_type: &str, object: &Value) -> Bytes {
    let mut bytes = serde_json::to_vec(&json!({ "type": event_type, "object": object })).unwrap_or_default();
    bytes.push(b'\n');
    Bytes::from(bytes)
}

fn bookmark(rt: &ResourceType, revision: u64, initial_end: bool) -> Bytes {
    let mut metadata = json!({ "resourceVersion": revision.to_string() });
    if initial_end {
        metadata["annotations"] = json!({ "k8s.io/initial-events-end": "true" });
    }
    line(
        "BOOKMARK",
        &json!({ "kind": rt.kind, "apiVersion": rt.api_version(), "metadata": metadata }),
    )
}

/// Starts a watch for the request.
pub fn start(ctx: &Ctx<'_>) -> Result<Reply, ApiError> {
    let filter = Filter {
        prefix: ctx.rt.storage_prefix(),
        namespace: if ctx.rt.namespaced {
            ctx.path.namespace.clone()
        } else {
            None
        },
        labels: LabelSelector::parse(ctx.query.get("labelSelector").unwrap_or_default())
            .map_err(|e| ApiError::bad_request(e.to_string()))?,
        fields: field_selector(ctx)?,
    };
    let store = Arc::clone(&ctx.server.store);
    let rt = Arc::clone(&ctx.rt);
    let bookmarks = ctx.query.flag("allowWatchBookmarks");
    let timeout = ctx
        .query
        .number("timeoutSeconds")
        .map_or(DEFAULT_TIMEOUT, Duration::from_secs);
    let requested = ctx.query.non_empty("resourceVersion").map(str::to_string);
    let send_initial = ctx.query.flag("sendInitialEvents");
    let table = ctx.headers.wants_table().then(|| super::tables::row_renderer(ctx));
    let (tx, rx) = mpsc::channel::<Bytes>(LINES_IN_FLIGHT);
    let mut cuts = ctx.server.faults.watch_cuts();
    cuts.mark_unchanged();

    // Where the stream starts: the initial state, or history after the requested revision.
    let from_state = matches!(requested.as_deref(), None | Some("0")) || send_initial;
    let served = Arc::clone(&ctx.rt);
    let render = move |event_type: &str, obj: &Value| -> Bytes {
        match &table {
            Some(render) => line(event_type, &render(obj)),
            None => line(event_type, &super::resources::present(&served, obj)),
        }
    };
    let (mut initial, mut live, start_revision): (Vec<Bytes>, Subscriber, u64) = if from_state {
        let rx = store.subscribe_all();
        let (items, revision) = store.list(&filter.prefix, filter.namespace.as_deref());
        let lines = items
            .iter()
            .filter(|s| filter.matches(&s.key.prefix, s.key.namespace.as_deref(), &s.object))
            .map(|s| render("ADDED", &s.object))
            .collect();
        (lines, rx, revision)
    } else {
        let since: u64 = requested.as_deref().and_then(|r| r.parse().ok()).ok_or_else(|| {
            ApiError::bad_request(format!(
                "invalid resource version: {}",
                requested.as_deref().unwrap_or_default()
            ))
        })?;
        match store.subscribe_since(since) {
            // The events after `since` are read from the history as the stream goes.
            Ok(sub) => (Vec::new(), sub, since),
            Err(oldest) => {
                // Kubernetes answers an expired watch with a 200 stream whose only event is the 410.
                let status = ApiError::gone(since, oldest).to_status();
                let _ = tx.try_send(line("ERROR", &status));
                return Ok(Reply::Stream("application/json", rx));
            }
        }
    };
    if send_initial {
        initial.push(bookmark(&rt, start_revision, true));
    }
    tokio::spawn(async move {
        for l in initial.drain(..) {
            if tx.send(l).await.is_err() {
                return;
            }
        }
        let deadline = tokio::time::sleep(timeout);
        tokio::pin!(deadline);
        let mut ticker = tokio::time::interval(BOOKMARK_EVERY);
        ticker.tick().await;
        loop {
            tokio::select! {
                () = &mut deadline => return,
                _ = cuts.changed() => return,
                _ = ticker.tick(), if bookmarks => {
                    if tx.send(bookmark(&rt, store.published_revision(), false)).await.is_err() {
                        return;
                    }
                }
                received = live.recv() => match received {
                    Ok(event) if event.revision > start_revision => {
                        let mut lines = Vec::new();
                        push_event(&filter, &event, &render, &mut lines);
                        for l in lines {
                            if tx.send(l).await.is_err() {
                                return;
                            }
                        }
                    }
                    Ok(_) => {}
                    // Fell behind the kept history (or the store closed): end the stream, as
                    // kube-apiserver ends a watcher that does not keep up. The client watches again
                    // from the last version it saw, gets 410 Gone, and relists.
                    Err(_) => return,
                },
                () = tx.closed() => return,
            }
        }
    });
    Ok(Reply::Stream("application/json", rx))
}

/// Adds the lines an event produces for a filtered watch: objects entering the selection are ADDED,
/// objects leaving it DELETED, as kube-apiserver's watch cache reports them.
fn push_event(filter: &Filter, event: &WatchEvent, render: &impl Fn(&str, &Value) -> Bytes, out: &mut Vec<Bytes>) {
    let ns = event.key.namespace.as_deref();
    let now = filter.matches(&event.key.prefix, ns, &event.object);
    match event.event_type {
        EventType::Added if now => out.push(render("ADDED", &event.object)),
        EventType::Deleted if now => out.push(render("DELETED", &event.object)),
        EventType::Modified => {
            let before = event
                .previous
                .as_deref()
                .is_some_and(|p| filter.matches(&event.key.prefix, ns, p));
            match (before, now) {
                (true, true) => out.push(render("MODIFIED", &event.object)),
                (false, true) => out.push(render("ADDED", &event.object)),
                (true, false) => out.push(render("DELETED", &event.object)),
                (false, false) => {}
            }
        }
        _ => {}
    }
}
