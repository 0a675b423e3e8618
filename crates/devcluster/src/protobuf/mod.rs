//! Decoding of Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`) into
//! the JSON a JSON client would have sent for the same object.
//!
//! client-go's typed clientsets (behind `kubectl create deployment|namespace|secret|...`,
//! `kubectl create token`, `kubectl auth can-i`, the `DeleteOptions` of `kubectl drain`, ...)
//! always encode request bodies as protobuf and have no JSON fallback, while the rest of the
//! server works on JSON. [`decode_object`] bridges that:
//!
//! - the body is the `k8s\0` envelope around a `runtime.Unknown` naming `apiVersion`/`kind`;
//! - the payload is decoded with a schema table generated from the Kubernetes API's
//!   `generated.proto` files and Go struct tags (`gen_schema_table.py` writes `schema_table.rs`);
//! - the JSON follows Go's `encoding/json` on the same Go struct: `omitempty`/`omitzero`,
//!   pointers, embedded structs, sorted map keys, `[]byte` as base64, and the custom forms of
//!   `Time`, `MicroTime`, `Duration`, `Quantity`, `IntOrString`, `RawExtension` and `FieldsV1`.
//!
//! Unknown field numbers are skipped, so newer clients still decode. The decoder never panics:
//! malformed input yields a [`ProtobufError`].

mod decode;
mod envelope;
mod error;
mod schema;
#[rustfmt::skip]
mod schema_table;
mod wellknown;
mod wire;

#[cfg(test)]
mod tests;

pub use error::ProtobufError;

use serde_json::Value;

use wire::Chunk;

/// The media type of Kubernetes protobuf bodies.
pub const MEDIA_TYPE: &str = "application/vnd.kubernetes.protobuf";

/// Whether a `Content-Type` header value names the Kubernetes protobuf encoding (parameters and
/// case are ignored), so the server knows to call [`decode_object`] instead of parsing JSON.
pub fn is_protobuf_media_type(content_type: &str) -> bool {
    let media_type = content_type.split(';').next().unwrap_or_default().trim();
    media_type.eq_ignore_ascii_case(MEDIA_TYPE)
}

/// Whether [`decode_object`] has a schema for this `apiVersion`/`kind`, e.g. to answer
/// 415 Unsupported Media Type up front rather than fail on the body.
#[cfg(test)]
pub fn supports_kind(api_version: &str, kind: &str) -> bool {
    schema::is_known_kind(api_version, kind)
}

/// Decodes a protobuf request body into the JSON object a JSON client would have sent,
/// including `apiVersion` and `kind` from the envelope.
pub fn decode_object(body: &[u8]) -> Result<Value, ProtobufError> {
    envelope::decode_envelope(Chunk { bytes: body, offset: 0 }, 0)
}
