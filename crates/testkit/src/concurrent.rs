//! Running many requests at once from tests and benchmarks (creating hundreds of objects, patching
//! them all), on a few tasks that each take the next index as they finish one.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Runs `op(i)` for every `i < count` on `workers` tasks of the current Tokio runtime, and returns
/// once all are done.
///
/// # Panics
/// When `op` panics (the caller fails as `op` did).
#[allow(clippy::panic)]
pub async fn for_all<F, Fut>(count: usize, workers: usize, op: F)
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let next = Arc::new(AtomicUsize::new(0));
    let op = Arc::new(op);
    let tasks: Vec<_> = (0..workers)
        .map(|_| {
            let (next, op) = (Arc::clone(&next), Arc::clone(&op));
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= count {
                        return;
                    }
                    op(i).await;
                }
            })
        })
        .collect();
    for task in tasks {
        match task.await {
            Ok(()) => {}
            Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
            Err(error) => panic!("a worker task ended abnormally: {error}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_index_is_run_once() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = Arc::clone(&seen);
        for_all(100, 8, move |i| {
            let record = Arc::clone(&record);
            async move { record.lock().unwrap().push(i) }
        })
        .await;
        let mut seen = seen.lock().unwrap().clone();
        seen.sort_unstable();
        assert_eq!(seen, (0..100).collect::<Vec<_>>());
    }
}
