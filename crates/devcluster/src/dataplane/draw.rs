//! The data plane's source of weighted choices: one SplitMix64 sequence shared by every connection.
//!
//! SplitMix64 is a counter passed through a mixing function, so advancing it is a single atomic add:
//! concurrent requests each take their own step without a lock, and a seeded sequence stays exactly
//! reproducible when requests come one at a time.

use std::sync::atomic::{AtomicU64, Ordering};

use super::Draw;

/// SplitMix64's increment (the golden ratio in 64 bits).
const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// A thread-safe SplitMix64 generator; [`SharedDraw::draw`] hands out a [`Draw`] over it.
#[derive(Debug)]
pub struct SharedDraw {
    state: AtomicU64,
}

impl SharedDraw {
    /// A generator whose whole output is fixed by `seed`.
    pub fn seeded(seed: u64) -> Self {
        SharedDraw {
            state: AtomicU64::new(seed),
        }
    }

    /// A generator seeded from the operating system (the current time if that fails).
    pub fn from_entropy() -> Self {
        let seed = getrandom::u64().unwrap_or_else(|_| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(GAMMA, |d| d.as_nanos() as u64)
        });
        Self::seeded(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&self) -> u64 {
        let mut z = self.state.fetch_add(GAMMA, Ordering::Relaxed).wrapping_add(GAMMA);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A [`Draw`] taking its numbers from this generator.
    pub fn draw(&self) -> DrawFrom<'_> {
        DrawFrom(self)
    }
}

/// A [`Draw`] over a [`SharedDraw`].
#[derive(Debug, Clone, Copy)]
pub struct DrawFrom<'a>(&'a SharedDraw);

impl Draw for DrawFrom<'_> {
    fn below(&mut self, bound: u64) -> u64 {
        // Multiply-shift maps 64 random bits onto 0..bound; its bias is below bound / 2^64.
        ((u128::from(self.0.next_u64()) * u128::from(bound.max(1))) >> 64) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::random::SeededRandom;

    #[test]
    fn the_sequence_is_splitmix64() {
        let (shared, mut reference) = (SharedDraw::seeded(42), SeededRandom::new(42));
        for _ in 0..5 {
            assert_eq!(shared.next_u64(), reference.next_u64());
        }
    }

    #[test]
    fn draws_stay_below_the_bound_and_spread_evenly() {
        let shared = SharedDraw::seeded(7);
        let mut draw = shared.draw();
        let mut counts = [0u32; 4];
        for _ in 0..40_000 {
            let n = draw.below(4);
            counts[usize::try_from(n).unwrap_or(usize::MAX).min(3)] += 1;
            assert!(n < 4);
        }
        // Each of four values expects 10,000; a fair generator stays well within 5%.
        assert!(counts.iter().all(|&c| (9_500..=10_500).contains(&c)), "{counts:?}");
        assert_eq!(draw.below(1), 0);
        assert_eq!(draw.below(0), 0, "a zero bound is treated as one");
    }

    #[test]
    fn threads_share_one_sequence_without_repeats() {
        let shared = std::sync::Arc::new(SharedDraw::seeded(1));
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let shared = std::sync::Arc::clone(&shared);
                std::thread::spawn(move || (0..1000).map(|_| shared.next_u64()).collect::<Vec<_>>())
            })
            .collect();
        let mut all: Vec<u64> = handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect();
        let reference: std::collections::BTreeSet<u64> = {
            let mut r = SeededRandom::new(1);
            (0..4000).map(|_| r.next_u64()).collect()
        };
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), 4000);
        assert!(all.iter().all(|v| reference.contains(v)));
    }
}
