//! Client-side throttling of the controllers' API requests (upstream's `--qps` / `--burst`, client-go's
//! token bucket): up to `burst` requests at once, then `qps` a second. A request over the budget waits
//! for its turn (in the order requests arrive) rather than failing. A watch costs one request when it
//! starts, as in client-go.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use hyper::Request;
use kube::client::Body;

/// The budget: `qps` requests a second on average, `burst` at once.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    /// Requests a second.
    pub qps: f32,
    /// Requests that may go at once after a quiet spell.
    pub burst: u32,
}

impl RateLimit {
    /// The limit as client-go reads `QPS` and `Burst`: 0 means its defaults (5 and 10), a negative
    /// `qps` no limit at all (`None`).
    pub fn from_flags(qps: f32, burst: u32) -> Option<Self> {
        let qps = if qps == 0.0 { 5.0 } else { qps };
        let burst = if burst == 0 { 10 } else { burst };
        (qps > 0.0 && qps.is_finite()).then_some(Self { qps, burst })
    }
}

/// A token bucket; tokens go below zero to queue the requests waiting for them.
#[derive(Debug)]
struct Bucket {
    limit: RateLimit,
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn new(limit: RateLimit, now: Instant) -> Self {
        Self {
            limit,
            tokens: f64::from(limit.burst),
            at: now,
        }
    }

    /// Takes a token at `now`: how long the request must wait for it.
    fn reserve(&mut self, now: Instant) -> Duration {
        let qps = f64::from(self.limit.qps);
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * qps).min(f64::from(self.limit.burst));
        self.at = now.max(self.at);
        self.tokens -= 1.0;
        if self.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-self.tokens / qps)
        }
    }
}

/// Wraps `client` so that its requests keep within `limit`.
pub fn throttled_client(client: kube::Client, limit: RateLimit) -> kube::Client {
    let namespace = client.default_namespace().to_string();
    let bucket = Arc::new(Mutex::new(Bucket::new(limit, Instant::now())));
    let throttled = tower::service_fn(move |request: Request<Body>| {
        let wait = bucket
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .reserve(Instant::now());
        let client = client.clone();
        async move {
            if !wait.is_zero() {
                tokio::time::sleep(wait).await;
            }
            client.send(request).await
        }
    });
    kube::Client::new(throttled, namespace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_read_as_client_go_reads_them() {
        assert_eq!(
            RateLimit::from_flags(40.0, 80),
            Some(RateLimit { qps: 40.0, burst: 80 })
        );
        assert_eq!(RateLimit::from_flags(0.0, 0), Some(RateLimit { qps: 5.0, burst: 10 }));
        assert_eq!(RateLimit::from_flags(-1.0, 80), None);
    }

    #[test]
    fn a_burst_goes_at_once_then_requests_are_spaced_by_the_rate() {
        let start = Instant::now();
        let mut bucket = Bucket::new(RateLimit { qps: 10.0, burst: 3 }, start);
        for _ in 0..3 {
            assert_eq!(bucket.reserve(start), Duration::ZERO);
        }
        // The fourth and fifth wait for the tokens that come every 100 ms, in turn.
        assert_eq!(bucket.reserve(start), Duration::from_millis(100));
        assert_eq!(bucket.reserve(start), Duration::from_millis(200));
        // A second later the bucket has refilled to its burst, never beyond.
        let later = start + Duration::from_secs(10);
        for _ in 0..3 {
            assert_eq!(bucket.reserve(later), Duration::ZERO);
        }
        assert_eq!(bucket.reserve(later), Duration::from_millis(100));
    }

    #[test]
    fn the_rate_holds_over_time() {
        let start = Instant::now();
        let mut bucket = Bucket::new(RateLimit { qps: 40.0, burst: 80 }, start);
        // 400 requests asked for at once: the last waits (400 - 80) / 40 = 8 s.
        let last = (0..400).map(|_| bucket.reserve(start)).last().unwrap();
        assert!((last.as_secs_f64() - 8.0).abs() < 1e-6, "{last:?}");
    }
}
