//! A small seeded source of the simulation's randomness (pod name suffixes and pod IPs), so that a run
//! can be replayed exactly; the controllers take these as closures and never draw randomness themselves.

/// The alphabet Kubernetes draws name suffixes from (no vowels, no look-alike characters).
pub const NAME_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// Length of the random suffix of generated names.
pub const SUFFIX_LEN: usize = 5;

/// A deterministic generator (SplitMix64) of name suffixes and pod IPs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeededRandom {
    state: u64,
    next_ip: u32,
}

impl SeededRandom {
    /// A generator whose whole output is fixed by `seed`.
    pub fn new(seed: u64) -> Self {
        SeededRandom {
            state: seed,
            next_ip: 0,
        }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A 5-character suffix from [`NAME_ALPHABET`], like the API server's generateName suffixes.
    pub fn suffix(&mut self) -> String {
        let len = NAME_ALPHABET.len() as u64;
        (0..SUFFIX_LEN)
            .map(|_| {
                let i = usize::try_from(self.next_u64() % len).unwrap_or(0);
                char::from(NAME_ALPHABET.get(i).copied().unwrap_or(b'x'))
            })
            .collect()
    }

    /// The next pod IP from 10.244.0.0/16, in order (10.244.0.2, 10.244.0.3, ...), skipping network
    /// and broadcast-looking addresses; wraps after about 64k pods.
    pub fn pod_ip(&mut self) -> String {
        loop {
            self.next_ip = self.next_ip.wrapping_add(1) % 65536;
            let (hi, lo) = (self.next_ip / 256, self.next_ip % 256);
            if (2..=254).contains(&lo) {
                return format!("10.244.{hi}.{lo}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_output() {
        let (mut a, mut b) = (SeededRandom::new(7), SeededRandom::new(7));
        let xs: Vec<String> = (0..5).map(|_| a.suffix()).collect();
        let ys: Vec<String> = (0..5).map(|_| b.suffix()).collect();
        assert_eq!(xs, ys);
        assert!(
            xs.iter()
                .all(|s| s.len() == 5 && s.bytes().all(|c| NAME_ALPHABET.contains(&c)))
        );
        assert_ne!(SeededRandom::new(8).suffix(), SeededRandom::new(7).suffix());
    }

    #[test]
    fn pod_ips_are_sequential_and_valid() {
        let mut r = SeededRandom::new(0);
        assert_eq!(r.pod_ip(), "10.244.0.2");
        assert_eq!(r.pod_ip(), "10.244.0.3");
        for _ in 0..300 {
            let ip = r.pod_ip();
            assert!(
                !ip.ends_with(".0") && !ip.ends_with(".1") && !ip.ends_with(".255"),
                "{ip}"
            );
        }
    }
}
