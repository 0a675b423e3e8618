//! Failure simulation by image name: the simulated kubelet runs no containers, so a container's image
//! reference says how it behaves. The reference (registry, name and tag, compared lowercase) is searched
//! for the markers of [`IMAGE_CONVENTIONS`], first match wins:
//!
//! | marker | behaviour |
//! | --- | --- |
//! | `bad-image`, `does-not-exist`, `imagepullbackoff` | the pull fails: waiting `ErrImagePull`, then `ImagePullBackOff`; the pod stays `Pending`, never Ready |
//! | `crashloop` | starts, exits with code 1 (`Error`) after [`SimConfig::crash_after`], restarts with back-off (10s, 20s, 40s, ... capped at 300s, times [`SimConfig::time_scale`]), waiting `CrashLoopBackOff` in between; never Ready |
//! | `never-ready` | runs, but its readiness never passes: Ready False (`ContainersNotReady`) |
//! | anything else | healthy: runs, Ready once the readiness probe's `initialDelaySeconds` has passed (at once without a probe) |
//!
//! What a container that pulls fine runs is then decided by its command (see [`super::script`]): a
//! shell-style script of `sleep N` and `exit N` statements makes it exit after the sleeps with that code,
//! so that Job pods (restartPolicy `Never`/`OnFailure`) complete or fail, e.g.
//! `["sh", "-c", "sleep 5; exit 1"]`, `["sleep", "3"]`, `["exit", "0"]`.
//!
//! [`SimConfig::crash_after`]: super::SimConfig::crash_after
//! [`SimConfig::time_scale`]: super::SimConfig::time_scale

/// How a container behaves because of its image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageBehaviour {
    /// Pulls and runs as its command says.
    Healthy,
    /// The image cannot be pulled.
    PullFailure,
    /// Crashes shortly after every start.
    CrashLoop,
    /// Runs as its command says but never passes readiness.
    NeverReady,
}

/// One image naming convention: a marker to look for in the image reference and its effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageConvention {
    /// Substring searched for in the lowercase image reference.
    pub marker: &'static str,
    /// The behaviour it selects.
    pub behaviour: ImageBehaviour,
    /// What the pod shows, in short.
    pub effect: &'static str,
}

/// The image conventions, in the order they are tried.
pub const IMAGE_CONVENTIONS: &[ImageConvention] = &[
    ImageConvention {
        marker: "bad-image",
        behaviour: ImageBehaviour::PullFailure,
        effect: "waiting ErrImagePull then ImagePullBackOff; pod Pending",
    },
    ImageConvention {
        marker: "does-not-exist",
        behaviour: ImageBehaviour::PullFailure,
        effect: "waiting ErrImagePull then ImagePullBackOff; pod Pending",
    },
    ImageConvention {
        marker: "imagepullbackoff",
        behaviour: ImageBehaviour::PullFailure,
        effect: "waiting ErrImagePull then ImagePullBackOff; pod Pending",
    },
    ImageConvention {
        marker: "crashloop",
        behaviour: ImageBehaviour::CrashLoop,
        effect: "exits 1 after each start, restarts with back-off (CrashLoopBackOff); never Ready",
    },
    ImageConvention {
        marker: "never-ready",
        behaviour: ImageBehaviour::NeverReady,
        effect: "Running but readiness never passes (ContainersNotReady)",
    },
];

/// The behaviour an image reference selects.
pub fn classify(image: &str) -> ImageBehaviour {
    let lower = image.to_ascii_lowercase();
    IMAGE_CONVENTIONS
        .iter()
        .find(|c| lower.contains(c.marker))
        .map_or(ImageBehaviour::Healthy, |c| c.behaviour)
}

/// The fully qualified reference a container runtime reports (`nginx` → `docker.io/library/nginx:latest`).
pub fn normalize(image: &str) -> String {
    let (name, digest) = match image.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (image, None),
    };
    let first = name.split('/').next().unwrap_or("");
    let has_domain = name.contains('/') && (first.contains('.') || first.contains(':') || first == "localhost");
    let qualified = if has_domain {
        name.to_string()
    } else if name.contains('/') {
        format!("docker.io/{name}")
    } else {
        format!("docker.io/library/{name}")
    };
    let last = qualified.rsplit('/').next().unwrap_or("");
    match digest {
        Some(d) => format!("{qualified}@{d}"),
        None if last.contains(':') => qualified,
        None => format!("{qualified}:latest"),
    }
}

/// The repository part of a reference, without tag or digest.
fn repository(normalized: &str) -> &str {
    let no_digest = normalized.split('@').next().unwrap_or(normalized);
    match no_digest.rfind(':') {
        Some(i) if !no_digest[i..].contains('/') => &no_digest[..i],
        _ => no_digest,
    }
}

/// The `imageID` a runtime reports: the repository with a (made-up, stable) digest.
pub fn image_id(image: &str) -> String {
    let n = normalize(image);
    format!("{}@sha256:{}", repository(&n), hex64(&n))
}

/// A stable 64-hex-digit string derived from `seed` (digests and container IDs).
pub fn hex64(seed: &str) -> String {
    (0u8..4)
        .map(|i| {
            let mut h: u64 = 0xcbf2_9ce4_8422_2325;
            for b in seed.bytes().chain([i]) {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0000_0100_0000_01b3);
            }
            // Finish with a SplitMix64 mix so the four parts do not look alike.
            h = (h ^ (h >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            h = (h ^ (h >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            format!("{:016x}", h ^ (h >> 31))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification_table() {
        let cases = [
            ("nginx:1.25", ImageBehaviour::Healthy),
            ("nginx:bad-image", ImageBehaviour::PullFailure),
            ("registry.example/does-not-exist:1", ImageBehaviour::PullFailure),
            ("busybox:ImagePullBackOff", ImageBehaviour::PullFailure),
            ("app:crashloop", ImageBehaviour::CrashLoop),
            ("crashloop/app", ImageBehaviour::CrashLoop),
            ("app:never-ready", ImageBehaviour::NeverReady),
        ];
        for (image, want) in cases {
            assert_eq!(classify(image), want, "{image}");
        }
    }

    #[test]
    fn normalization_like_a_runtime() {
        assert_eq!(normalize("nginx"), "docker.io/library/nginx:latest");
        assert_eq!(normalize("nginx:1.25"), "docker.io/library/nginx:1.25");
        assert_eq!(
            normalize("argoproj/rollouts-demo:blue"),
            "docker.io/argoproj/rollouts-demo:blue"
        );
        assert_eq!(normalize("localhost:5000/app"), "localhost:5000/app:latest");
        assert_eq!(normalize("ghcr.io/x/y:v1"), "ghcr.io/x/y:v1");
        let id = image_id("nginx:1.25");
        assert!(id.starts_with("docker.io/library/nginx@sha256:"), "{id}");
        assert_eq!(id.len(), "docker.io/library/nginx@sha256:".len() + 64);
        assert_eq!(
            image_id("localhost:5000/app:v2").split('@').next(),
            Some("localhost:5000/app")
        );
    }
}
