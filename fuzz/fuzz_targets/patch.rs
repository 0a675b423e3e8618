//! The dev cluster's PATCH: merge, JSON, strategic merge patches and server-side apply, decoded and applied
//! to an object. The first byte picks the patch type; the rest is the live object as JSON, a NUL byte, and
//! the patch body (YAML for apply, JSON otherwise). Without a NUL the whole rest is the patch, applied to a
//! Deployment.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rollouts_devcluster::untrusted;

const CONTENT_TYPES: [&str; 4] = [
    "application/merge-patch+json",
    "application/json-patch+json",
    "application/strategic-merge-patch+json",
    "application/apply-patch+yaml",
];

const DEPLOYMENT: &str = r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"app":"web"}},
"spec":{"replicas":2,"template":{"spec":{"containers":[{"name":"web","image":"nginx","ports":[{"containerPort":80}],
"env":[{"name":"A","value":"1"}]}]}}}}"#;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let content_type = CONTENT_TYPES[usize::from(selector) % CONTENT_TYPES.len()];
    let (current, body) = match rest.iter().position(|&b| b == 0) {
        Some(at) => (&rest[..at], &rest[at + 1..]),
        None => (DEPLOYMENT.as_bytes(), rest),
    };
    let Ok(current) = serde_json::from_slice::<serde_json::Value>(current) else {
        return;
    };
    let Ok(patch) = untrusted::decode_patch_body(content_type, body) else {
        return;
    };
    let _ = untrusted::apply_patch(content_type, &current, &patch, "fuzz");
});
