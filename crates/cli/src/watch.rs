//! Watches behind the live views (`get rollout --watch`): each keeps a store of one kind current and
//! says, besides when the store changed, when it lost the API server, so that the view can say it is
//! reconnecting instead of silently showing stale objects.
//!
//! After an error the watch is started afresh (a new list, then a watch) after a back-off, rather than
//! resumed: the fresh list's end is the sign that the objects are current again, and it catches up on
//! whatever changed while the server was away.

use std::time::Duration;

use futures::stream::BoxStream;
use futures::{Stream, StreamExt, stream};
use kube::api::Api;
use kube::runtime::reflector::{self, Store};
use kube::runtime::watcher;

use crate::client::resources::Typed;

/// First wait before starting a failed watch again; doubled on each failure in a row.
const FIRST_RETRY: Duration = Duration::from_millis(500);

/// Longest wait between two attempts, so that the view comes back soon after the server does.
const LONGEST_RETRY: Duration = Duration::from_secs(4);

/// What a watch reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WatchSignal {
    /// The store changed, or was listed afresh; the watch is working.
    Changed,
    /// The watch failed (the reason, on one line); it is being started again.
    Lost(String),
}

/// A store of `api`'s objects and the signals of the watch that fills it. The stream never ends.
pub fn watched<K: Typed>(api: Api<K>) -> (Store<K>, impl Stream<Item = WatchSignal> + Send + use<K>) {
    let (reader, writer) = reflector::store();
    let signals = reflector::reflector(writer, restarting(api)).filter_map(|event| {
        std::future::ready(match event {
            // The store only changes when a list is complete.
            Ok(watcher::Event::Init | watcher::Event::InitApply(_)) => None,
            Ok(watcher::Event::InitDone | watcher::Event::Apply(_) | watcher::Event::Delete(_)) => {
                Some(WatchSignal::Changed)
            }
            Err(error) => Some(WatchSignal::Lost(reason(&error))),
        })
    });
    (reader, signals)
}

/// The watch being retried.
struct Attempts<K: Typed> {
    api: Api<K>,
    current: Option<BoxStream<'static, watcher::Result<watcher::Event<K>>>>,
    wait: Option<Duration>,
    next_wait: Duration,
}

/// `watcher` over `api`, started again from a new list after each error, with a back-off.
fn restarting<K: Typed>(api: Api<K>) -> impl Stream<Item = watcher::Result<watcher::Event<K>>> + Send {
    let attempts = Attempts {
        api,
        current: None,
        wait: None,
        next_wait: FIRST_RETRY,
    };
    stream::unfold(attempts, |mut attempts| async move {
        loop {
            let events = match attempts.current.as_mut() {
                Some(events) => events,
                None => {
                    if let Some(wait) = attempts.wait.take() {
                        tokio::time::sleep(wait).await;
                    }
                    let fresh = watcher(attempts.api.clone(), watcher::Config::default()).boxed();
                    attempts.current.insert(fresh)
                }
            };
            match events.next().await {
                Some(Ok(event)) => {
                    if matches!(event, watcher::Event::InitDone) {
                        attempts.next_wait = FIRST_RETRY;
                    }
                    return Some((Ok(event), attempts));
                }
                Some(Err(error)) => {
                    attempts.current = None;
                    attempts.wait = Some(attempts.next_wait);
                    attempts.next_wait = (attempts.next_wait * 2).min(LONGEST_RETRY);
                    return Some((Err(error), attempts));
                }
                // A watcher does not end; should one, it is started again.
                None => attempts.current = None,
            }
        }
    })
}

/// The API server's message, else the innermost cause (`Connection refused (os error 111)`).
fn reason(error: &watcher::Error) -> String {
    let status = match error {
        watcher::Error::InitialListFailed(kube::Error::Api(status))
        | watcher::Error::WatchStartFailed(kube::Error::Api(status))
        | watcher::Error::WatchFailed(kube::Error::Api(status))
        | watcher::Error::WatchError(status) => Some(status),
        _ => None,
    };
    let text = match status {
        Some(status) if !status.message.is_empty() => status.message.clone(),
        _ => {
            let mut cause: &dyn std::error::Error = error;
            while let Some(inner) = cause.source() {
                cause = inner;
            }
            cause.to_string()
        }
    };
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_the_server_message_or_the_root_cause() {
        let status = kube::core::Status::failure("injected fault", "InternalError").with_code(500);
        let api = watcher::Error::InitialListFailed(kube::Error::Api(Box::new(status)));
        assert_eq!(reason(&api), "injected fault");
        let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "Connection\nrefused");
        let io = watcher::Error::WatchFailed(kube::Error::ReadEvents(refused));
        assert_eq!(reason(&io), "Connection refused");
        assert_eq!(
            reason(&watcher::Error::NoResourceVersion),
            watcher::Error::NoResourceVersion.to_string()
        );
    }
}
