//! Errors of the protobuf decoder, worded so they can go to clients as the `message` of a
//! Kubernetes `Status` (the server answers them with 400 Bad Request or 415 Unsupported Media Type).

use thiserror::Error;

/// Why a protobuf request body could not be turned into JSON. Byte offsets count from the start
/// of the body, including the 4-byte envelope magic.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ProtobufError {
    /// The body does not start with the `k8s\0` magic of Kubernetes' protobuf encoding.
    #[error("not a Kubernetes protobuf envelope")]
    NotEnvelope,
    /// The envelope's `typeMeta` lacks `apiVersion` or `kind`.
    #[error("protobuf envelope has no apiVersion or kind")]
    MissingTypeMeta,
    /// The envelope names a type this decoder has no schema for.
    #[error("unknown kind {api_version} {kind}")]
    UnknownKind {
        /// The envelope's `apiVersion`, e.g. `apps/v1`.
        api_version: String,
        /// The envelope's `kind`, e.g. `Deployment`.
        kind: String,
    },
    /// The envelope says the payload is compressed or otherwise not plain protobuf.
    #[error("unsupported protobuf envelope content encoding {0:?}")]
    UnsupportedEncoding(String),
    /// The envelope says the payload is in some other content type.
    #[error("unsupported protobuf envelope content type {0:?}")]
    UnsupportedContentType(String),
    /// A varint runs past the end of its message.
    #[error("truncated varint at byte {offset}")]
    TruncatedVarint {
        /// Where the varint starts.
        offset: usize,
    },
    /// A varint is longer than 10 bytes.
    #[error("varint overflows 64 bits at byte {offset}")]
    VarintOverflow {
        /// Where the varint starts.
        offset: usize,
    },
    /// A length-delimited or fixed-size value runs past the end of its message.
    #[error("truncated field at byte {offset}: needs {needed} bytes, {available} left")]
    Truncated {
        /// Where the value's payload starts.
        offset: usize,
        /// How many bytes the value claims.
        needed: u64,
        /// How many bytes the enclosing message has left.
        available: usize,
    },
    /// A field key with field number 0, or one beyond the protobuf maximum.
    #[error("invalid field number {number} at byte {offset}")]
    InvalidFieldNumber {
        /// Where the key starts.
        offset: usize,
        /// The decoded field number.
        number: u64,
    },
    /// A wire type that protobuf does not define (6 or 7), or an unmatched end-group.
    #[error("invalid wire type {wire_type} at byte {offset}")]
    InvalidWireType {
        /// Where the key starts.
        offset: usize,
        /// The decoded wire type.
        wire_type: u8,
    },
    /// A known field arrived with a wire type that does not fit its schema type.
    #[error("wrong wire type {wire_type} for field {message}.{field} at byte {offset}")]
    WrongWireType {
        /// The full protobuf name of the enclosing message.
        message: &'static str,
        /// The field's JSON name.
        field: &'static str,
        /// The wire type found.
        wire_type: u8,
        /// Where the key starts.
        offset: usize,
    },
    /// Messages nest deeper than the decoder allows.
    #[error("protobuf messages nest deeper than {0} levels")]
    TooDeep(usize),
    /// A value decoded but has no JSON form (an impossible `IntOrString` type, a time outside
    /// years 0-9999, a non-finite float, a `RawExtension` that is not JSON, ...).
    #[error("invalid {message}: {reason}")]
    InvalidValue {
        /// The full protobuf name of the message the value belongs to.
        message: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The generated schema table refers to a message it does not contain.
    #[error("protobuf schema table has no message {0}")]
    Schema(usize),
}

impl ProtobufError {
    pub(super) fn invalid(message: &'static str, reason: impl Into<String>) -> Self {
        ProtobufError::InvalidValue {
            message,
            reason: reason.into(),
        }
    }
}
