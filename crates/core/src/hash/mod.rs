//! The pod-template hash and the step hash, computed exactly as upstream Argo Rollouts computes
//! them, so that ReplicaSets created by upstream's controller (named `<rollout>-<hash>`, labelled
//! `rollouts-pod-template-hash=<hash>`) are recognised as they are and a takeover never redeploys.
//!
//! Upstream hashes `json.Marshal(spec.template)` with FNV-1a (32 bits), appends the collision count
//! when there is one, and prints the sum through `rand.SafeEncodeString`. The Go JSON depends on the
//! Go struct definitions of the Kubernetes API version upstream is built against (field order,
//! `omitempty`/`omitzero`, which fields exist at all), so the encoder here is driven by a table
//! generated from those exact sources (see `gen_go_layout.py`).
//!
//! That dependency makes the hash change whenever upstream moves to other Kubernetes types: v1.9
//! (Kubernetes 0.34, pinned here) omits the template's zero `creationTimestamp` that v1.2–v1.8
//! wrote as `null`, so [`legacy_pod_template_hash`] gives the older form too. Where no hash
//! matches, upstream falls back to semantic template equality; so does
//! [`template_equal_ignoring_hash`].

mod defaults;
mod equality;
mod go_json;
#[rustfmt::skip]
mod go_layout;
mod go_scalar;
mod injected;
mod layout;
mod quantity;

pub use equality::template_equal_ignoring_hash;
pub use injected::template_without_injections;

use go_json::{Encoder, Mode};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use layout::Ty;
use rollouts_api::steps::CanaryStep;
use serde_json::Value;

/// Why a value could not be encoded as Go would.
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum HashError {
    /// The Go type is not one of the structs the table knows.
    #[error("unknown Go type {0:?}")]
    UnknownType(String),
    /// Parts of the value do not fit the Go type; Go's decoder would have dropped or rejected them.
    #[error("value does not fit Go type {type_name}: {}", problems.join("; "))]
    Mismatch {
        /// The Go type asked for.
        type_name: String,
        /// Each misfit, with its JSON path.
        problems: Vec<String>,
    },
}

/// The `rollouts-pod-template-hash` of a Rollout's `spec.template` with its `status.collisionCount`,
/// as upstream's `ComputePodTemplateHash`: FNV-1a-32 over the template's Go JSON, followed, when
/// there is a collision count, by its `uint32` little-endian bytes and four zero bytes.
///
/// The template is hashed as it is (upstream does not remove anything from `spec.template`; the
/// hash label, ephemeral metadata and injected anti-affinity only ever live on ReplicaSets).
pub fn pod_template_hash(template: &PodTemplateSpec, collision_count: Option<i32>) -> String {
    template_hash(template, collision_count, Mode::Marshal)
}

/// The pod-template hash as upstream v1.2 to v1.8 computed it, for recognising the ReplicaSets
/// those versions created. They were built against Kubernetes 0.29 types, which had no `omitzero`
/// tags, so the template's zero `creationTimestamp` was written as `null`; v1.9 (Kubernetes
/// 0.34) omits it, which changed every hash (upstream issue #4696). Exact for templates whose
/// fields all exist in both versions (the JSON of `hostAliases` with an empty `ip` and of
/// `resourceClaims` also changed in between).
pub fn legacy_pod_template_hash(template: &PodTemplateSpec, collision_count: Option<i32>) -> String {
    template_hash(template, collision_count, Mode::MarshalWithoutOmitzero)
}

fn template_hash(template: &PodTemplateSpec, collision_count: Option<i32>, mode: Mode) -> String {
    let value = serde_json::to_value(template).unwrap_or(Value::Null);
    let (json, _) = encode(&value, &POD_TEMPLATE, mode);
    let mut hash = fnv1a32(FNV_OFFSET, json.as_bytes());
    if let Some(count) = collision_count {
        // Go: binary.LittleEndian.PutUint32(uint32(count)) into an 8-byte buffer; the rest stays zero.
        let mut bytes = [0u8; 8];
        bytes[..4].copy_from_slice(&count.cast_unsigned().to_le_bytes());
        hash = fnv1a32(hash, &bytes);
    }
    safe_encode(hash)
}

/// `status.currentStepHash` for a canary's `steps`, as upstream's `ComputeStepHash`: FNV-1a-32
/// over the Go JSON of the steps, no collision bytes. An empty slice is a present but empty list
/// (`[]`); see [`steps_hash_opt`] for an absent one. Upstream reports an empty step hash for
/// blue-green Rollouts; that choice is the caller's.
pub fn steps_hash(steps: &[CanaryStep]) -> String {
    let value = serde_json::to_value(steps).unwrap_or(Value::Null);
    let (json, _) = encode(&value, &STEPS, Mode::Marshal);
    safe_encode(fnv1a32(FNV_OFFSET, json.as_bytes()))
}

/// [`steps_hash`] of `canary.steps` as the Rollout carries it: absent steps are Go's nil slice,
/// which marshals (and hashes) as `null`, unlike an empty list.
pub fn steps_hash_opt(steps: Option<&[CanaryStep]>) -> String {
    match steps {
        Some(steps) => steps_hash(steps),
        None => safe_encode(fnv1a32(FNV_OFFSET, b"null")),
    }
}

/// The exact bytes Go's `json.Marshal` produces for `value` decoded into Go type `type_name`
/// (`corev1.PodTemplateSpec`, `v1alpha1.CanaryStep`, or any struct reachable from them, also by
/// its bare name when unambiguous). Fails on unknown types and on values that do not fit.
pub fn go_json(value: &Value, type_name: &str) -> Result<String, HashError> {
    let index = layout::find_struct(type_name).ok_or_else(|| HashError::UnknownType(type_name.to_owned()))?;
    let (json, problems) = encode(value, &Ty::Struct(index), Mode::Marshal);
    if problems.is_empty() {
        Ok(json)
    } else {
        Err(HashError::Mismatch {
            type_name: type_name.to_owned(),
            problems,
        })
    }
}

fn encode(value: &Value, ty: &Ty, mode: Mode) -> (String, Vec<String>) {
    let mut encoder = Encoder::new(mode);
    encoder.value(ty, Some(value));
    encoder.finish()
}

/// Go type `corev1.PodTemplateSpec`.
static POD_TEMPLATE: Ty = Ty::Struct(go_layout::POD_TEMPLATE_SPEC);
/// Go type `[]v1alpha1.CanaryStep`.
static STEPS: Ty = Ty::Slice(&Ty::Struct(go_layout::CANARY_STEP));

const FNV_OFFSET: u32 = 0x811c_9dc5;
const FNV_PRIME: u32 = 0x0100_0193;

/// FNV-1a, 32 bits (Go's `hash/fnv` `New32a`), continuing from `hash`.
fn fnv1a32(mut hash: u32, bytes: &[u8]) -> u32 {
    for &b in bytes {
        hash ^= u32::from(b);
        hash = hash.wrapping_mul(FNV_PRIME);
    }
    hash
}

/// `rand.SafeEncodeString(fmt.Sprint(sum))`: each decimal digit mapped through an alphabet without
/// vowels, so that hashes never spell words.
fn safe_encode(sum: u32) -> String {
    const ALPHABET: &[u8; 27] = b"bcdfghjklmnpqrstvwxz2456789";
    sum.to_string()
        .bytes()
        .map(|b| char::from(ALPHABET[usize::from(b) % ALPHABET.len()]))
        .collect()
}

#[cfg(test)]
mod tests;

/// Test helpers for other modules of this crate.
#[cfg(test)]
pub(crate) mod tests_support {
    use k8s_openapi::api::core::v1::PodTemplateSpec;

    /// The template as the API server stores it in a ReplicaSet: with the pod-template defaults.
    pub fn defaulted(template: &PodTemplateSpec) -> PodTemplateSpec {
        let mut value = serde_json::to_value(template).unwrap_or_default();
        super::defaults::default_pod_template(&mut value);
        serde_json::from_value(value).unwrap_or_default()
    }
}
