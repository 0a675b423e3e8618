//! The protobuf wire format: field keys, varints, fixed-size and length-delimited values.
//!
//! Every read is bounds-checked and reports the absolute byte offset of the failure, so any
//! input, however mangled, ends in a [`ProtobufError`] and never a panic.

use super::error::ProtobufError;

/// The largest field number protobuf allows.
const MAX_FIELD_NUMBER: u64 = (1 << 29) - 1;

/// A slice of the request body together with where it starts in the body, for error offsets.
#[derive(Debug, Clone, Copy)]
pub(super) struct Chunk<'a> {
    /// The bytes.
    pub bytes: &'a [u8],
    /// Absolute offset of `bytes[0]` in the body.
    pub offset: usize,
}

/// One field value as it appears on the wire.
#[derive(Debug, Clone, Copy)]
pub(super) enum Wire<'a> {
    /// Wire type 0.
    Varint(u64),
    /// Wire type 1.
    Fixed64(u64),
    /// Wire type 2: strings, bytes, embedded messages, packed repeated scalars, map entries.
    Len(Chunk<'a>),
    /// Wire types 3/4: a proto1 group, skipped whole (Kubernetes never emits them).
    Group,
    /// Wire type 5.
    Fixed32(u32),
}

impl Wire<'_> {
    /// The numeric wire type, for error messages.
    pub fn wire_type(&self) -> u8 {
        match self {
            Wire::Varint(_) => 0,
            Wire::Fixed64(_) => 1,
            Wire::Len(_) => 2,
            Wire::Group => 3,
            Wire::Fixed32(_) => 5,
        }
    }
}

/// One field of a message: its number, where its key starts, and its value.
#[derive(Debug, Clone, Copy)]
pub(super) struct Entry<'a> {
    pub number: u32,
    pub key_offset: usize,
    pub value: Wire<'a>,
}

/// Reads the fields of one message in order.
pub(super) struct Reader<'a> {
    chunk: Chunk<'a>,
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(chunk: Chunk<'a>) -> Self {
        Reader { chunk, pos: 0 }
    }

    fn at(&self) -> usize {
        self.chunk.offset.saturating_add(self.pos)
    }

    /// Whether all bytes have been consumed.
    pub fn is_empty(&self) -> bool {
        self.pos >= self.chunk.bytes.len()
    }

    /// Reads a base-128 varint.
    pub fn varint(&mut self) -> Result<u64, ProtobufError> {
        let start = self.at();
        let mut value: u64 = 0;
        for i in 0..10u32 {
            let Some(&byte) = self.chunk.bytes.get(self.pos) else {
                return Err(ProtobufError::TruncatedVarint { offset: start });
            };
            self.pos += 1;
            value |= u64::from(byte & 0x7f) << (7 * i);
            if byte < 0x80 {
                return Ok(value);
            }
        }
        Err(ProtobufError::VarintOverflow { offset: start })
    }

    fn take(&mut self, needed: u64) -> Result<Chunk<'a>, ProtobufError> {
        let offset = self.at();
        let rest = self.chunk.bytes.get(self.pos..).unwrap_or_default();
        let Some(bytes) = usize::try_from(needed).ok().and_then(|n| rest.get(..n)) else {
            return Err(ProtobufError::Truncated {
                offset,
                needed,
                available: rest.len(),
            });
        };
        self.pos += bytes.len();
        Ok(Chunk { bytes, offset })
    }

    fn fixed<const N: usize>(&mut self) -> Result<[u8; N], ProtobufError> {
        let chunk = self.take(N as u64)?;
        let mut out = [0u8; N];
        out.copy_from_slice(chunk.bytes);
        Ok(out)
    }

    /// Reads a 64-bit little-endian value (wire type 1), e.g. one element of a packed `double`.
    pub fn fixed64(&mut self) -> Result<u64, ProtobufError> {
        self.fixed::<8>().map(u64::from_le_bytes)
    }

    /// Reads a 32-bit little-endian value (wire type 5), e.g. one element of a packed `float`.
    pub fn fixed32(&mut self) -> Result<u32, ProtobufError> {
        self.fixed::<4>().map(u32::from_le_bytes)
    }

    fn key(&mut self) -> Result<(u32, u8, usize), ProtobufError> {
        let offset = self.at();
        let key = self.varint()?;
        let number = key >> 3;
        let wire_type = (key & 7) as u8;
        if number == 0 || number > MAX_FIELD_NUMBER {
            return Err(ProtobufError::InvalidFieldNumber { offset, number });
        }
        // The range check above makes the conversion lossless.
        Ok((number as u32, wire_type, offset))
    }

    fn value(&mut self, number: u32, wire_type: u8, offset: usize) -> Result<Wire<'a>, ProtobufError> {
        Ok(match wire_type {
            0 => Wire::Varint(self.varint()?),
            1 => Wire::Fixed64(self.fixed64()?),
            2 => {
                let len = self.varint()?;
                Wire::Len(self.take(len)?)
            }
            3 => {
                self.skip_group(number)?;
                Wire::Group
            }
            5 => Wire::Fixed32(self.fixed32()?),
            _ => return Err(ProtobufError::InvalidWireType { offset, wire_type }),
        })
    }

    /// Skips the body of a group up to its matching end-group key, without recursion.
    fn skip_group(&mut self, number: u32) -> Result<(), ProtobufError> {
        let mut open = vec![number];
        while let Some(&current) = open.last() {
            if self.is_empty() {
                return Err(ProtobufError::Truncated {
                    offset: self.at(),
                    needed: 1,
                    available: 0,
                });
            }
            let (inner, wire_type, offset) = self.key()?;
            match wire_type {
                3 => open.push(inner),
                4 if inner == current => {
                    open.pop();
                }
                4 => return Err(ProtobufError::InvalidWireType { offset, wire_type }),
                _ => {
                    self.value(inner, wire_type, offset)?;
                }
            }
        }
        Ok(())
    }

    /// Reads the next field, or `None` at the end of the message.
    pub fn next_entry(&mut self) -> Result<Option<Entry<'a>>, ProtobufError> {
        if self.is_empty() {
            return Ok(None);
        }
        let (number, wire_type, key_offset) = self.key()?;
        let value = self.value(number, wire_type, key_offset)?;
        Ok(Some(Entry {
            number,
            key_offset,
            value,
        }))
    }
}
