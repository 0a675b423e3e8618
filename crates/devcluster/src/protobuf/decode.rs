//! Decodes one protobuf message into the JSON Go's `encoding/json` writes for the same Go struct.
//!
//! Kubernetes' Go marshaller writes every non-pointer field, zero or not, so presence on the
//! wire says little; what decides the JSON is the Go field: `omitempty` drops zero scalars and
//! empty lists/maps, pointers are `nil` (dropped or `null`) unless sent, non-pointer structs
//! always appear (as their zero value if absent), embedded structs are flattened.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Number, Value};

use super::error::ProtobufError;
use super::schema::{self, Card, Field, INL, Message, OE, OZ, PTR, Shape, Ty};
use super::wellknown;
use super::wire::{Chunk, Entry, Reader, Wire};

/// How deeply messages (and envelopes inside `RawExtension`s) may nest; real objects stay far below.
pub(super) const MAX_DEPTH: usize = 64;

/// Decodes the message at `index`; `None` means absent, i.e. the Go zero value.
pub(super) fn decode_message(index: u16, chunk: Option<Chunk<'_>>, depth: usize) -> Result<Value, ProtobufError> {
    if depth > MAX_DEPTH {
        return Err(ProtobufError::TooDeep(MAX_DEPTH));
    }
    let message = schema::message(index)?;
    match message.shape {
        Shape::Struct => decode_struct(message, chunk, depth),
        Shape::List => decode_list(message, chunk, depth),
        _ => wellknown::decode(message, chunk, depth),
    }
}

/// Collects the entries of a message by field slot; unknown field numbers are dropped.
fn collect<'a>(message: &Message, chunk: Option<Chunk<'a>>) -> Result<Vec<Vec<Entry<'a>>>, ProtobufError> {
    let mut slots: Vec<Vec<Entry<'a>>> = vec![Vec::new(); message.fields.len()];
    if let Some(chunk) = chunk {
        let mut reader = Reader::new(chunk);
        while let Some(entry) = reader.next_entry()? {
            if let Some(slot) = message.field(entry.number).and_then(|(i, _)| slots.get_mut(i)) {
                slot.push(entry);
            }
        }
    }
    Ok(slots)
}

pub(super) fn decode_struct(
    message: &'static Message,
    chunk: Option<Chunk<'_>>,
    depth: usize,
) -> Result<Value, ProtobufError> {
    let slots = collect(message, chunk)?;
    let mut object = Map::new();
    for (field, entries) in message.fields.iter().zip(&slots) {
        let Some(value) = field_value(message, field, entries, depth)? else {
            continue;
        };
        if field.has(INL) {
            merge_embedded(message, &mut object, value);
        } else {
            object.insert(field.json.to_owned(), value);
        }
    }
    Ok(Value::Object(object))
}

/// Flattens an embedded struct's JSON into its parent; the parent's own fields win, as in Go.
fn merge_embedded(message: &Message, object: &mut Map<String, Value>, value: Value) {
    let Value::Object(inner) = value else {
        return;
    };
    for (key, item) in inner {
        let shadowed = message.fields.iter().any(|f| !f.has(INL) && f.json == key);
        if !shadowed && !object.contains_key(&key) {
            object.insert(key, item);
        }
    }
}

/// A named slice type: `{ repeated items = 1 }` on the wire, a JSON array (or `null` when empty).
fn decode_list(message: &'static Message, chunk: Option<Chunk<'_>>, depth: usize) -> Result<Value, ProtobufError> {
    let slots = collect(message, chunk)?;
    let mut items = Vec::new();
    for (field, entries) in message.fields.iter().zip(&slots) {
        for entry in entries {
            repeated_values(message, field, entry, depth, &mut items)?;
        }
    }
    Ok(if items.is_empty() {
        Value::Null
    } else {
        Value::Array(items)
    })
}

/// The JSON of one field, or `None` when Go leaves it out.
fn field_value(
    message: &'static Message,
    field: &'static Field,
    entries: &[Entry<'_>],
    depth: usize,
) -> Result<Option<Value>, ProtobufError> {
    match field.card {
        Card::Rep => {
            let mut items = Vec::new();
            for entry in entries {
                repeated_values(message, field, entry, depth, &mut items)?;
            }
            Ok(nil_or(field, items.is_empty(), Value::Array(items)))
        }
        Card::Map => {
            let mut map = BTreeMap::new();
            for entry in entries {
                let (key, value) = map_entry(message, field, entry, depth)?;
                map.insert(key, value);
            }
            Ok(nil_or(field, map.is_empty(), Value::Object(map.into_iter().collect())))
        }
        Card::One => single_value(message, field, entries, depth),
    }
}

/// Go's treatment of a nil slice or map: dropped under `omitempty`/`omitzero`, else `null`.
fn nil_or(field: &Field, empty: bool, value: Value) -> Option<Value> {
    match (empty, field.omits_zero()) {
        (true, true) => None,
        (true, false) => Some(Value::Null),
        (false, _) => Some(value),
    }
}

fn single_value(
    message: &'static Message,
    field: &'static Field,
    entries: &[Entry<'_>],
    depth: usize,
) -> Result<Option<Value>, ProtobufError> {
    if let Ty::Msg(index) = field.ty {
        return message_field(message, field, index, entries, depth);
    }
    let Some(entry) = entries.last() else {
        // Absent: a nil pointer or nil []byte, or a scalar's zero value.
        if field.has(PTR) || field.ty == Ty::Bytes {
            return Ok(nil_or(field, true, Value::Null));
        }
        let zero = zero_scalar(field.ty);
        return Ok(if field.omits_zero() { None } else { Some(zero) });
    };
    let value = scalar(message, field, entry.value, entry.key_offset)?;
    if field.has(PTR) || !field.omits_zero() {
        return Ok(Some(value));
    }
    let empty = match &value {
        // A present but empty []byte is only dropped by omitempty, not by omitzero.
        Value::String(s) if field.ty == Ty::Bytes => s.is_empty() && field.has(OE),
        other => is_zero_scalar(other),
    };
    Ok(if empty { None } else { Some(value) })
}

/// A singular message field. Repeated occurrences merge, as protobuf specifies, which for
/// length-delimited messages is the same as decoding their concatenation.
fn message_field(
    message: &'static Message,
    field: &'static Field,
    index: u16,
    entries: &[Entry<'_>],
    depth: usize,
) -> Result<Option<Value>, ProtobufError> {
    let mut chunks = Vec::with_capacity(entries.len());
    for entry in entries {
        chunks.push(len_chunk(message, field, entry)?);
    }
    let mut scratch = Vec::new();
    let chunk = merge(&chunks, &mut scratch);
    let target = schema::message(index)?;
    if target.shape == Shape::List {
        let value = decode_message(index, chunk, depth + 1)?;
        return Ok(nil_or(field, value.is_null(), value));
    }
    if chunk.is_none() && field.has(PTR) {
        return Ok(nil_or(field, true, Value::Null));
    }
    let value = decode_message(index, chunk, depth + 1)?;
    if field.has(OZ) && !field.has(PTR) && value == decode_message(index, None, depth + 1)? {
        return Ok(None);
    }
    Ok(Some(value))
}

/// Joins the occurrences of one singular message field into a single message.
fn merge<'a>(chunks: &[Chunk<'a>], scratch: &'a mut Vec<u8>) -> Option<Chunk<'a>> {
    match chunks {
        [] => None,
        [one] => Some(*one),
        [first, ..] => {
            for chunk in chunks {
                scratch.extend_from_slice(chunk.bytes);
            }
            Some(Chunk {
                bytes: scratch.as_slice(),
                offset: first.offset,
            })
        }
    }
}

fn len_chunk<'a>(
    message: &'static Message,
    field: &'static Field,
    entry: &Entry<'a>,
) -> Result<Chunk<'a>, ProtobufError> {
    match entry.value {
        Wire::Len(chunk) => Ok(chunk),
        other => Err(wrong_wire(message, field, other, entry.key_offset)),
    }
}

fn wrong_wire(message: &'static Message, field: &'static Field, wire: Wire<'_>, offset: usize) -> ProtobufError {
    ProtobufError::WrongWireType {
        message: message.name,
        field: field.json,
        wire_type: wire.wire_type(),
        offset,
    }
}

/// Appends the JSON of one wire entry of a repeated field; numeric fields may come packed.
fn repeated_values(
    message: &'static Message,
    field: &'static Field,
    entry: &Entry<'_>,
    depth: usize,
    out: &mut Vec<Value>,
) -> Result<(), ProtobufError> {
    match (field.ty, entry.value) {
        (Ty::Msg(index), Wire::Len(chunk)) => out.push(decode_message(index, Some(chunk), depth + 1)?),
        (Ty::Str | Ty::Bytes, _) => out.push(scalar(message, field, entry.value, entry.key_offset)?),
        (Ty::F64, Wire::Len(chunk)) => {
            let mut reader = Reader::new(chunk);
            while !reader.is_empty() {
                out.push(scalar(
                    message,
                    field,
                    Wire::Fixed64(reader.fixed64()?),
                    entry.key_offset,
                )?);
            }
        }
        (Ty::F32, Wire::Len(chunk)) => {
            let mut reader = Reader::new(chunk);
            while !reader.is_empty() {
                out.push(scalar(
                    message,
                    field,
                    Wire::Fixed32(reader.fixed32()?),
                    entry.key_offset,
                )?);
            }
        }
        (Ty::Msg(_), other) => return Err(wrong_wire(message, field, other, entry.key_offset)),
        (_, Wire::Len(chunk)) => {
            let mut reader = Reader::new(chunk);
            while !reader.is_empty() {
                out.push(scalar(
                    message,
                    field,
                    Wire::Varint(reader.varint()?),
                    entry.key_offset,
                )?);
            }
        }
        (_, other) => out.push(scalar(message, field, other, entry.key_offset)?),
    }
    Ok(())
}

/// One `map<string, V>` entry: key 1, value 2; missing parts take their zero values.
fn map_entry(
    message: &'static Message,
    field: &'static Field,
    entry: &Entry<'_>,
    depth: usize,
) -> Result<(String, Value), ProtobufError> {
    let chunk = len_chunk(message, field, entry)?;
    let mut key = String::new();
    let mut value: Option<Entry<'_>> = None;
    let mut value_chunks: Vec<Chunk<'_>> = Vec::new();
    let mut reader = Reader::new(chunk);
    while let Some(inner) = reader.next_entry()? {
        match inner.number {
            1 => match inner.value {
                Wire::Len(k) => key = String::from_utf8_lossy(k.bytes).into_owned(),
                other => return Err(wrong_wire(message, field, other, inner.key_offset)),
            },
            2 => {
                if let Ty::Msg(_) = field.ty {
                    value_chunks.push(len_chunk(message, field, &inner)?);
                }
                value = Some(inner);
            }
            _ => {}
        }
    }
    let json = match (field.ty, value) {
        (Ty::Msg(index), _) => {
            let mut scratch = Vec::new();
            decode_message(index, merge(&value_chunks, &mut scratch), depth + 1)?
        }
        (Ty::Bytes, None) => Value::Null,
        (ty, None) => zero_scalar(ty),
        (_, Some(last)) => scalar(message, field, last.value, last.key_offset)?,
    };
    Ok((key, json))
}

/// Converts one scalar wire value to JSON the way Go's `encoding/json` prints the Go value.
fn scalar(
    message: &'static Message,
    field: &'static Field,
    wire: Wire<'_>,
    offset: usize,
) -> Result<Value, ProtobufError> {
    // Integer conversions truncate exactly as the Go unmarshaller's shifts into int32 do.
    Ok(match (field.ty, wire) {
        (Ty::I32, Wire::Varint(v)) => Value::from(v as u32 as i32),
        (Ty::I64, Wire::Varint(v)) => Value::from(v as i64),
        (Ty::U32, Wire::Varint(v)) => Value::from(v as u32),
        (Ty::U64, Wire::Varint(v)) => Value::from(v),
        (Ty::Bool, Wire::Varint(v)) => Value::Bool(v != 0),
        (Ty::F64, Wire::Fixed64(bits)) => float(message, f64::from_bits(bits))?,
        (Ty::F32, Wire::Fixed32(bits)) => float(message, f64::from(f32::from_bits(bits)))?,
        (Ty::Str, Wire::Len(chunk)) => Value::String(String::from_utf8_lossy(chunk.bytes).into_owned()),
        (Ty::Bytes, Wire::Len(chunk)) => Value::String(STANDARD.encode(chunk.bytes)),
        (_, other) => return Err(wrong_wire(message, field, other, offset)),
    })
}

/// A float as JSON; integral values print without a fraction, as Go prints them.
pub(super) fn float(message: &'static Message, value: f64) -> Result<Value, ProtobufError> {
    if value.fract() == 0.0 && value.abs() < 9_007_199_254_740_992.0 {
        return Ok(Value::from(value as i64));
    }
    Number::from_f64(value)
        .map(Value::Number)
        .ok_or_else(|| ProtobufError::invalid(message.name, format!("non-finite number {value}")))
}

fn zero_scalar(ty: Ty) -> Value {
    match ty {
        Ty::Bool => Value::Bool(false),
        Ty::Str => Value::String(String::new()),
        Ty::Bytes | Ty::Msg(_) => Value::Null,
        Ty::I32 | Ty::I64 | Ty::U32 | Ty::U64 | Ty::F64 | Ty::F32 => Value::from(0),
    }
}

fn is_zero_scalar(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::String(s) => s.is_empty(),
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
    }
}
