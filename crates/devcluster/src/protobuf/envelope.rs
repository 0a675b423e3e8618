//! Kubernetes' protobuf envelope: the magic `k8s\0` followed by a `runtime.Unknown` message that
//! names the payload's `apiVersion`/`kind` and carries it as raw bytes.

use serde_json::{Map, Value};

use super::decode::{MAX_DEPTH, decode_message};
use super::error::ProtobufError;
use super::schema;
use super::wire::{Chunk, Reader, Wire};

/// The four bytes every Kubernetes protobuf body starts with.
pub(super) const MAGIC: &[u8; 4] = b"k8s\0";

const UNKNOWN: &str = "k8s.io.apimachinery.pkg.runtime.Unknown";
const TYPE_META: &str = "k8s.io.apimachinery.pkg.runtime.TypeMeta";
const PROTOBUF: &str = "application/vnd.kubernetes.protobuf";
const JSON: &str = "application/json";

/// The fields of `runtime.Unknown`.
#[derive(Default)]
struct Unknown<'a> {
    api_version: String,
    kind: String,
    raw: Option<Chunk<'a>>,
    content_encoding: String,
    content_type: String,
}

fn wrong(message: &'static str, field: &'static str, wire: Wire<'_>, offset: usize) -> ProtobufError {
    ProtobufError::WrongWireType {
        message,
        field,
        wire_type: wire.wire_type(),
        offset,
    }
}

fn text(message: &'static str, field: &'static str, wire: Wire<'_>, offset: usize) -> Result<String, ProtobufError> {
    match wire {
        Wire::Len(chunk) => Ok(String::from_utf8_lossy(chunk.bytes).into_owned()),
        other => Err(wrong(message, field, other, offset)),
    }
}

fn read_unknown(chunk: Chunk<'_>) -> Result<Unknown<'_>, ProtobufError> {
    let mut unknown = Unknown::default();
    let mut reader = Reader::new(chunk);
    while let Some(entry) = reader.next_entry()? {
        let (wire, at) = (entry.value, entry.key_offset);
        match entry.number {
            1 => {
                let Wire::Len(type_meta) = wire else {
                    return Err(wrong(UNKNOWN, "typeMeta", wire, at));
                };
                let mut inner = Reader::new(type_meta);
                while let Some(field) = inner.next_entry()? {
                    match field.number {
                        1 => unknown.api_version = text(TYPE_META, "apiVersion", field.value, field.key_offset)?,
                        2 => unknown.kind = text(TYPE_META, "kind", field.value, field.key_offset)?,
                        _ => {}
                    }
                }
            }
            2 => match wire {
                Wire::Len(raw) => unknown.raw = Some(raw),
                other => return Err(wrong(UNKNOWN, "raw", other, at)),
            },
            3 => unknown.content_encoding = text(UNKNOWN, "contentEncoding", wire, at)?,
            4 => unknown.content_type = text(UNKNOWN, "contentType", wire, at)?,
            _ => {}
        }
    }
    Ok(unknown)
}

/// Decodes an envelope (magic included) found at `chunk`; `depth` counts enclosing messages.
pub(super) fn decode_envelope(chunk: Chunk<'_>, depth: usize) -> Result<Value, ProtobufError> {
    if depth > MAX_DEPTH {
        return Err(ProtobufError::TooDeep(MAX_DEPTH));
    }
    let Some(rest) = chunk.bytes.strip_prefix(MAGIC.as_slice()) else {
        return Err(ProtobufError::NotEnvelope);
    };
    let unknown = read_unknown(Chunk {
        bytes: rest,
        offset: chunk.offset.saturating_add(MAGIC.len()),
    })?;
    if !unknown.content_encoding.is_empty() {
        return Err(ProtobufError::UnsupportedEncoding(unknown.content_encoding));
    }
    if unknown.api_version.is_empty() || unknown.kind.is_empty() {
        return Err(ProtobufError::MissingTypeMeta);
    }
    let media_type = unknown.content_type.split(';').next().unwrap_or_default().trim();
    let body = if media_type.is_empty() || media_type.eq_ignore_ascii_case(PROTOBUF) {
        let Some(index) = schema::kind_message(&unknown.api_version, &unknown.kind) else {
            return Err(ProtobufError::UnknownKind {
                api_version: unknown.api_version,
                kind: unknown.kind,
            });
        };
        decode_message(index, unknown.raw, depth + 1)?
    } else if media_type.eq_ignore_ascii_case(JSON) {
        let raw = unknown.raw.map(|c| c.bytes).unwrap_or_default();
        serde_json::from_slice(raw).map_err(|e| ProtobufError::invalid(UNKNOWN, format!("embedded JSON: {e}")))?
    } else {
        return Err(ProtobufError::UnsupportedContentType(unknown.content_type));
    };
    let Value::Object(fields) = body else {
        return Err(ProtobufError::invalid(UNKNOWN, "payload is not an object"));
    };
    let mut object = Map::new();
    object.insert("kind".to_owned(), Value::String(unknown.kind));
    object.insert("apiVersion".to_owned(), Value::String(unknown.api_version));
    for (key, value) in fields {
        if key != "kind" && key != "apiVersion" {
            object.insert(key, value);
        }
    }
    Ok(Value::Object(object))
}
