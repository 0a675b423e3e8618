//! apimachinery types whose Go JSON form is not a plain object of their protobuf fields:
//! `Time`, `MicroTime`, `Duration`, `Quantity`, `IntOrString`, `RawExtension` and `FieldsV1`.

use jiff::Timestamp;
use jiff::tz::Offset;
use serde_json::Value;

use super::envelope;
use super::error::ProtobufError;
use super::schema::{Message, Shape};
use super::wire::{Chunk, Reader, Wire};

/// Go's zero `time.Time` (0001-01-01T00:00:00Z) in Unix seconds; `metav1.Time` prints it as `null`.
const GO_ZERO_TIME_SECONDS: i64 = -62_135_596_800;

/// The last value of each of the first few field numbers of a small message.
struct Fields<'a> {
    values: [Option<(Wire<'a>, usize)>; 4],
}

impl<'a> Fields<'a> {
    fn read(chunk: Option<Chunk<'a>>) -> Result<Self, ProtobufError> {
        let mut values = [None; 4];
        if let Some(chunk) = chunk {
            let mut reader = Reader::new(chunk);
            while let Some(entry) = reader.next_entry()? {
                if let Some(slot) = usize::try_from(entry.number).ok().and_then(|n| values.get_mut(n)) {
                    *slot = Some((entry.value, entry.key_offset));
                }
            }
        }
        Ok(Fields { values })
    }

    fn get(&self, number: usize) -> Option<(Wire<'a>, usize)> {
        self.values.get(number).copied().flatten()
    }

    fn varint(&self, message: &'static Message, number: usize, name: &'static str) -> Result<u64, ProtobufError> {
        match self.get(number) {
            None => Ok(0),
            Some((Wire::Varint(v), _)) => Ok(v),
            Some((other, offset)) => Err(wrong(message, name, other, offset)),
        }
    }

    fn bytes(
        &self,
        message: &'static Message,
        number: usize,
        name: &'static str,
    ) -> Result<Option<&'a [u8]>, ProtobufError> {
        match self.get(number) {
            None => Ok(None),
            Some((Wire::Len(chunk), _)) => Ok(Some(chunk.bytes)),
            Some((other, offset)) => Err(wrong(message, name, other, offset)),
        }
    }
}

fn wrong(message: &'static Message, field: &'static str, wire: Wire<'_>, offset: usize) -> ProtobufError {
    ProtobufError::WrongWireType {
        message: message.name,
        field,
        wire_type: wire.wire_type(),
        offset,
    }
}

/// Decodes a message of one of the special shapes; `None` means absent (the Go zero value).
pub(super) fn decode(
    message: &'static Message,
    chunk: Option<Chunk<'_>>,
    depth: usize,
) -> Result<Value, ProtobufError> {
    // Time and MicroTime unmarshal an empty message as the zero time, not the Unix epoch.
    let chunk = chunk.filter(|c| !c.bytes.is_empty() || !matches!(message.shape, Shape::Time | Shape::MicroTime));
    let fields = Fields::read(chunk)?;
    match message.shape {
        Shape::Time | Shape::MicroTime if chunk.is_none() => Ok(Value::Null),
        Shape::Time => {
            // Like Go's Time.Unmarshal, nanoseconds are dropped: the JSON form has whole seconds.
            let seconds = fields.varint(message, 1, "seconds")? as i64;
            time_json(message, i128::from(seconds) * 1_000_000, false)
        }
        Shape::MicroTime => {
            let seconds = fields.varint(message, 1, "seconds")? as i64;
            let nanos = fields.varint(message, 2, "nanos")? as u32 as i32;
            let micros = i128::from(seconds) * 1_000_000 + i128::from(nanos / 1_000);
            time_json(message, micros, true)
        }
        Shape::Duration => Ok(Value::String(
            go_duration(fields.varint(message, 1, "duration")? as i64),
        )),
        Shape::Quantity => match fields.bytes(message, 1, "string")? {
            None => Ok(Value::String("0".to_owned())),
            Some([]) => Err(ProtobufError::invalid(message.name, "empty quantity")),
            Some(text) => Ok(Value::String(String::from_utf8_lossy(text).into_owned())),
        },
        Shape::IntOrString => match fields.varint(message, 1, "type")? {
            0 => Ok(Value::from(fields.varint(message, 2, "intVal")? as u32 as i32)),
            1 => {
                let text = fields.bytes(message, 3, "strVal")?.unwrap_or_default();
                Ok(Value::String(String::from_utf8_lossy(text).into_owned()))
            }
            other => Err(ProtobufError::invalid(
                message.name,
                format!("impossible IntOrString.Type {other}"),
            )),
        },
        Shape::RawJson => match fields.get(1) {
            None => Ok(Value::Null),
            Some((Wire::Len(raw), _)) => raw_json(message, raw, depth),
            Some((other, offset)) => Err(wrong(message, "raw", other, offset)),
        },
        Shape::Struct | Shape::List => Err(ProtobufError::invalid(message.name, "not a special message")),
    }
}

/// Embedded bytes that Go copies verbatim into the JSON; a nested protobuf envelope is decoded too.
fn raw_json(message: &'static Message, raw: Chunk<'_>, depth: usize) -> Result<Value, ProtobufError> {
    if raw.bytes.is_empty() {
        return Ok(Value::Null);
    }
    if raw.bytes.starts_with(envelope::MAGIC) {
        return envelope::decode_envelope(raw, depth + 1);
    }
    serde_json::from_slice(raw.bytes).map_err(|e| ProtobufError::invalid(message.name, format!("embedded JSON: {e}")))
}

/// RFC 3339 in UTC with whole seconds (`Time`) or six fraction digits (`MicroTime`); Go's zero
/// time is `null`.
fn time_json(message: &'static Message, micros: i128, with_micros: bool) -> Result<Value, ProtobufError> {
    if micros == i128::from(GO_ZERO_TIME_SECONDS) * 1_000_000 {
        return Ok(Value::Null);
    }
    let out_of_range = || ProtobufError::invalid(message.name, "time outside years 0000-9999");
    let seconds = i64::try_from(micros.div_euclid(1_000_000)).map_err(|_| out_of_range())?;
    let fraction = micros.rem_euclid(1_000_000);
    let timestamp = Timestamp::from_second(seconds).map_err(|_| out_of_range())?;
    let dt = Offset::UTC.to_datetime(timestamp);
    if dt.year() < 0 {
        return Err(out_of_range());
    }
    let mut text = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    );
    if with_micros {
        text.push_str(&format!(".{fraction:06}"));
    }
    text.push('Z');
    Ok(Value::String(text))
}

/// Go's `time.Duration.String()`: `1h2m3.5s`, `1.5ms`, `20µs`, `0s`, `-3m0s`.
pub(super) fn go_duration(nanos: i64) -> String {
    let sign = if nanos < 0 { "-" } else { "" };
    let u = nanos.unsigned_abs();
    if u == 0 {
        return "0s".to_owned();
    }
    if u < 1_000_000_000 {
        let (unit, precision) = match u {
            0..1_000 => ("ns", 0),
            1_000..1_000_000 => ("µs", 3),
            _ => ("ms", 6),
        };
        let (whole, fraction) = split_fraction(u, precision);
        return format!("{sign}{whole}{fraction}{unit}");
    }
    let (seconds, fraction) = split_fraction(u, 9);
    let mut text = format!("{}{fraction}s", seconds % 60);
    let minutes = seconds / 60;
    if minutes > 0 {
        text = format!("{}m{text}", minutes % 60);
        let hours = minutes / 60;
        if hours > 0 {
            text = format!("{hours}h{text}");
        }
    }
    format!("{sign}{text}")
}

/// Splits `v` into `v / 10^precision` and the fraction's digits (`.5`, `.25`, or nothing).
fn split_fraction(v: u64, precision: u32) -> (u64, String) {
    let scale = 10u64.pow(precision);
    let digits = format!("{:0width$}", v % scale, width = precision as usize);
    let trimmed = digits.trim_end_matches('0');
    let fraction = if trimmed.is_empty() {
        String::new()
    } else {
        format!(".{trimmed}")
    };
    (v / scale, fraction)
}
