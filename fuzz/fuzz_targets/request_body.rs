//! The dev cluster's create and update bodies: JSON, YAML or Kubernetes protobuf, with the duplicate-field
//! findings of strict decoding. The first byte picks the content type; the rest is the body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rollouts_devcluster::untrusted;

const CONTENT_TYPES: [&str; 3] = [
    "application/json",
    "application/yaml",
    "application/vnd.kubernetes.protobuf",
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let content_type = CONTENT_TYPES[usize::from(selector) % CONTENT_TYPES.len()];
    let _ = untrusted::decode_request_body(content_type, body);
});
