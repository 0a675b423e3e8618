//! The `pod-template-hash` of a Deployment's pod template, which names its ReplicaSets
//! (`<deployment>-<hash>`) and labels their pods.
//!
//! Kubernetes (`controller.ComputeHash`) feeds an FNV-32a hasher with Go's deep-hash printing of the
//! `PodTemplateSpec`, then, when the Deployment has a `status.collisionCount`, with that count as eight
//! little-endian bytes (the `uint32` in the first four), and renders the decimal form of the 32-bit sum
//! through `rand.SafeEncodeString` (each byte mapped into `bcdfghjklmnpqrstvwxz2456789`), so a hash is
//! 1 to 10 characters long, e.g. `5d4f9b7c8`.
//!
//! Go's deep-hash printing depends on Go type layouts and cannot be reproduced from JSON, so here the
//! hasher is fed the template's canonical JSON instead: nulls and empty collections dropped (so that
//! semantically equal templates hash equally), object keys sorted, no whitespace. Everything after that
//! (collision bytes, FNV-32a, decimal rendering, alphabet) is as in Kubernetes. The value therefore
//! differs from a real cluster's but is stable, has the same shape, and changes with the template.

use rollouts_compat::json::sorted_json;
use serde_json::Value;

use super::meta;
use super::random::NAME_ALPHABET;

/// The label Deployments add to ReplicaSets, their selectors and their pods.
pub const POD_TEMPLATE_HASH_LABEL: &str = "pod-template-hash";

const FNV_OFFSET: u32 = 0x811c_9dc5;
const FNV_PRIME: u32 = 0x0100_0193;

/// FNV-32a over `bytes`, continuing from `hash`.
fn fnv32a(mut hash: u32, bytes: &[u8]) -> u32 {
    for b in bytes {
        hash ^= u32::from(*b);
        hash = hash.wrapping_mul(FNV_PRIME);
    }
    hash
}

/// Kubernetes' `rand.SafeEncodeString`: every byte mapped into an alphabet without vowels, so that
/// generated names never spell words.
pub fn safe_encode(s: &str) -> String {
    s.bytes()
        .map(|b| char::from(NAME_ALPHABET[usize::from(b) % NAME_ALPHABET.len()]))
        .collect()
}

/// The template's canonical JSON (what the hash is computed over).
pub fn canonical_json(template: &Value) -> String {
    sorted_json(&meta::normalized(template))
}

/// The pod-template-hash of `template` (a `PodTemplateSpec`) for a Deployment whose
/// `status.collisionCount` is `collision_count`.
pub fn pod_template_hash(template: &Value, collision_count: Option<u32>) -> String {
    let mut hash = fnv32a(FNV_OFFSET, canonical_json(template).as_bytes());
    if let Some(count) = collision_count {
        let mut bytes = [0u8; 8];
        bytes[..4].copy_from_slice(&count.to_le_bytes());
        hash = fnv32a(hash, &bytes);
    }
    safe_encode(&hash.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fnv32a_matches_reference_vectors() {
        assert_eq!(fnv32a(FNV_OFFSET, b""), 0x811c_9dc5);
        assert_eq!(fnv32a(FNV_OFFSET, b"a"), 0xe40c_292c);
        assert_eq!(fnv32a(FNV_OFFSET, b"foobar"), 0xbf9c_f968);
    }

    #[test]
    fn safe_encode_maps_digits_like_kubernetes() {
        assert_eq!(safe_encode("0123456789"), "456789bcdf");
    }

    #[test]
    fn hash_is_stable_and_semantic() {
        let a = json!({"metadata": {"labels": {"app": "web", "x": "1"}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}});
        let b = json!({"spec": {"containers": [{"image": "nginx", "name": "c", "env": []}]}, "metadata": {"labels": {"x": "1", "app": "web"}, "annotations": {}}});
        let h = pod_template_hash(&a, None);
        assert_eq!(h, pod_template_hash(&b, None));
        assert!(!h.is_empty() && h.len() <= 10);
        assert!(h.bytes().all(|c| b"456789bcdf".contains(&c)), "{h}");
        let c = json!({"metadata": {"labels": {"app": "web", "x": "1"}}, "spec": {"containers": [{"name": "c", "image": "nginx:2"}]}});
        assert_ne!(h, pod_template_hash(&c, None));
        assert_ne!(h, pod_template_hash(&a, Some(1)));
        assert_ne!(pod_template_hash(&a, Some(1)), pod_template_hash(&a, Some(2)));
        assert_eq!(
            canonical_json(&json!({"b": 1, "a": {"z": "q", "c": null}})),
            r#"{"a":{"z":"q"},"b":1}"#
        );
    }
}
