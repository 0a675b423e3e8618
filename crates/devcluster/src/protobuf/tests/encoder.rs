//! A tiny protobuf writer for building request bodies by hand.

/// Appends `v` as a base-128 varint.
pub fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// A message under construction; each method appends one field.
#[derive(Debug, Clone, Default)]
pub struct Msg(pub Vec<u8>);

impl Msg {
    pub fn new() -> Self {
        Msg(Vec::new())
    }

    fn key(mut self, field: u32, wire_type: u8) -> Self {
        put_varint(&mut self.0, (u64::from(field) << 3) | u64::from(wire_type));
        self
    }

    /// A varint field (`int32`, `int64`, `bool`); negative numbers sign-extend like Go's encoder.
    pub fn int(self, field: u32, v: i64) -> Self {
        let mut m = self.key(field, 0);
        put_varint(&mut m.0, v as u64);
        m
    }

    pub fn bool(self, field: u32, v: bool) -> Self {
        self.int(field, i64::from(v))
    }

    pub fn bytes(self, field: u32, v: &[u8]) -> Self {
        let mut m = self.key(field, 2);
        put_varint(&mut m.0, v.len() as u64);
        m.0.extend_from_slice(v);
        m
    }

    pub fn string(self, field: u32, v: &str) -> Self {
        self.bytes(field, v.as_bytes())
    }

    pub fn msg(self, field: u32, v: Msg) -> Self {
        self.bytes(field, &v.0)
    }

    pub fn fixed64(self, field: u32, v: u64) -> Self {
        let mut m = self.key(field, 1);
        m.0.extend_from_slice(&v.to_le_bytes());
        m
    }

    pub fn fixed32(self, field: u32, v: u32) -> Self {
        let mut m = self.key(field, 5);
        m.0.extend_from_slice(&v.to_le_bytes());
        m
    }

    /// A `map<string, string>` entry.
    pub fn entry(self, field: u32, key: &str, value: &str) -> Self {
        self.msg(field, Msg::new().string(1, key).string(2, value))
    }

    /// A `map<string, bytes>` entry.
    pub fn entry_bytes(self, field: u32, key: &str, value: &[u8]) -> Self {
        self.msg(field, Msg::new().string(1, key).bytes(2, value))
    }

    /// A `map<string, Message>` entry.
    pub fn entry_msg(self, field: u32, key: &str, value: Msg) -> Self {
        self.msg(field, Msg::new().string(1, key).msg(2, value))
    }

    /// Raw bytes, e.g. a hand-made malformed tail.
    pub fn raw(mut self, v: &[u8]) -> Self {
        self.0.extend_from_slice(v);
        self
    }
}

/// `metav1.Time` / `MicroTime` as Go marshals it.
pub fn time(seconds: i64, nanos: i32) -> Msg {
    Msg::new().int(1, seconds).int(2, i64::from(nanos))
}

/// `resource.Quantity`.
pub fn quantity(v: &str) -> Msg {
    Msg::new().string(1, v)
}

/// `intstr.IntOrString` holding a number.
pub fn int_or_string_int(v: i32) -> Msg {
    Msg::new().int(1, 0).int(2, i64::from(v)).string(3, "")
}

/// `intstr.IntOrString` holding a string.
pub fn int_or_string_str(v: &str) -> Msg {
    Msg::new().int(1, 1).int(2, 0).string(3, v)
}

/// A full request body: magic, then `runtime.Unknown{typeMeta, raw, contentEncoding, contentType}`
/// with empty encoding and type, as client-go writes it.
pub fn envelope(api_version: &str, kind: &str, raw: Msg) -> Vec<u8> {
    let unknown = Msg::new()
        .msg(1, Msg::new().string(1, api_version).string(2, kind))
        .msg(2, raw)
        .string(3, "")
        .string(4, "");
    let mut body = b"k8s\0".to_vec();
    body.extend_from_slice(&unknown.0);
    body
}
