//! Events expire: an Event is deleted once it has not been written for the event TTL (an hour by
//! default, as kube-apiserver's `--event-ttl`), so that the Events of busy workloads and of objects long
//! gone do not pile up in memory.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::server::ApiServer;
use crate::store::Change;

/// kube-apiserver's default `--event-ttl`.
pub const DEFAULT_EVENT_TTL: Duration = Duration::from_secs(3600);

const EVENTS: &str = "/core/events";

/// When `event` was last written, as far as its fields tell (the latest of its timestamps).
fn last_written(event: &Value) -> Option<jiff::Timestamp> {
    [
        "/lastTimestamp",
        "/eventTime",
        "/series/lastObservedTime",
        "/metadata/creationTimestamp",
    ]
    .iter()
    .filter_map(|p| event.pointer(p).and_then(Value::as_str))
    .filter_map(|s| s.parse::<jiff::Timestamp>().ok())
    .max()
}

/// Whether `event` has outlived `ttl` at `now`.
pub fn expired(event: &Value, ttl: Duration, now: jiff::Timestamp) -> bool {
    let Ok(ttl) = jiff::SignedDuration::try_from(ttl) else {
        return false;
    };
    last_written(event).is_some_and(|at| at.checked_add(ttl).is_ok_and(|end| end <= now))
}

/// Deletes expired Events every so often (a fraction of `ttl`, at most a minute), until the store closes.
pub async fn run(server: Arc<ApiServer>, ttl: Duration) {
    let every = (ttl / 4).clamp(Duration::from_millis(100), Duration::from_secs(60));
    let mut ticker = tokio::time::interval(every);
    loop {
        ticker.tick().await;
        let now = jiff::Timestamp::now();
        let (events, _) = server.store.list(EVENTS, None);
        for event in events.iter().filter(|e| expired(&e.object, ttl, now)) {
            let result = server
                .store
                .mutate(&event.key, |current| {
                    // Written again since the list: it lives on.
                    let change = match current {
                        Some(c) if expired(&c.object, ttl, now) => Change::Delete,
                        _ => Change::Keep,
                    };
                    Ok::<_, ()>((change, ()))
                })
                .await;
            if let Err(e) = result {
                tracing::debug!("expiring event {}: {e}", event.key.encode());
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_event_expires_a_ttl_after_its_last_write() {
        let now: jiff::Timestamp = "2024-01-01T02:00:00Z".parse().unwrap_or_default();
        let hour = Duration::from_secs(3600);
        let old =
            json!({"metadata": {"creationTimestamp": "2024-01-01T00:00:00Z"}, "lastTimestamp": "2024-01-01T00:59:59Z"});
        assert!(expired(&old, hour, now));
        let bumped =
            json!({"metadata": {"creationTimestamp": "2024-01-01T00:00:00Z"}, "lastTimestamp": "2024-01-01T01:30:00Z"});
        assert!(!expired(&bumped, hour, now));
        let series = json!({"metadata": {"creationTimestamp": "2024-01-01T00:00:00Z"}, "eventTime": "2024-01-01T00:00:00.000001Z",
                            "series": {"count": 3, "lastObservedTime": "2024-01-01T01:10:00.500000Z"}});
        assert!(!expired(&series, hour, now));
        assert!(!expired(&json!({"metadata": {}}), hour, now));
    }
}
