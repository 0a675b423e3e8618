//! The shape of the generated schema table: what the decoder needs to know about each Kubernetes
//! protobuf message to produce the JSON Go's `encoding/json` would write for the same Go struct.

use super::error::ProtobufError;
use super::schema_table::{KINDS, MESSAGES};

/// Go field tag `omitempty`: zero scalars and empty lists/maps are left out of the JSON.
pub(super) const OE: u8 = 1;
/// Go field tag `omitzero`: zero values (including zero structs) are left out of the JSON.
pub(super) const OZ: u8 = 2;
/// The Go field is a pointer: absent on the wire means `nil`, present means set even if zero.
pub(super) const PTR: u8 = 4;
/// The Go field is an embedded struct whose fields are flattened into the parent's JSON object.
pub(super) const INL: u8 = 8;

/// The wire/value type of a field (for maps: of the value; keys are always strings).
///
/// Kubernetes' APIs use no unsigned or floating-point fields today; the decoder still handles
/// them so a regenerated table with such fields works unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(test), allow(dead_code))]
pub(super) enum Ty {
    I32,
    I64,
    U32,
    U64,
    Bool,
    Str,
    Bytes,
    F64,
    F32,
    /// An embedded message, by index into the message table.
    Msg(u16),
}

/// Cardinality of a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Card {
    One,
    Rep,
    /// `map<string, Ty>`, on the wire a repeated entry message with key 1 and value 2.
    Map,
}

/// How a message turns into JSON.
///
/// No kind in the table reaches `metav1.Duration` today; it is decoded anyway for regenerated tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(test), allow(dead_code))]
pub(super) enum Shape {
    /// A plain Go struct: a JSON object of its fields.
    Struct,
    /// `metav1.Time`: RFC 3339 seconds, `null` when zero.
    Time,
    /// `metav1.MicroTime`: RFC 3339 with microseconds, `null` when zero.
    MicroTime,
    /// `metav1.Duration`: a Go duration string.
    Duration,
    /// `resource.Quantity`: its string form.
    Quantity,
    /// `intstr.IntOrString`: a JSON number or string.
    IntOrString,
    /// `runtime.RawExtension` / `metav1.FieldsV1`: embedded JSON bytes.
    RawJson,
    /// A named Go slice type (e.g. `ExtraValue []string`) wrapped as `{ repeated items = 1 }`.
    List,
}

/// One field of a message.
#[derive(Debug, Clone, Copy)]
pub(super) struct Field {
    pub number: u32,
    /// The JSON name (unused for embedded structs).
    pub json: &'static str,
    pub ty: Ty,
    pub card: Card,
    /// A combination of [`OE`], [`OZ`], [`PTR`], [`INL`].
    pub flags: u8,
}

impl Field {
    pub fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }

    /// Whether Go leaves this field out of the JSON when it holds its zero value.
    pub fn omits_zero(&self) -> bool {
        self.has(OE) || self.has(OZ)
    }
}

/// Builds a [`Field`]; keeps the generated table short.
pub(super) const fn f(number: u32, json: &'static str, ty: Ty, card: Card, flags: u8) -> Field {
    Field {
        number,
        json,
        ty,
        card,
        flags,
    }
}

/// One protobuf message.
#[derive(Debug)]
pub(super) struct Message {
    /// Full protobuf name, e.g. `k8s.io.api.apps.v1.Deployment`.
    pub name: &'static str,
    pub shape: Shape,
    /// In Go struct order, which is the order Go writes JSON keys in.
    pub fields: &'static [Field],
}

impl Message {
    pub fn field(&self, number: u32) -> Option<(usize, &'static Field)> {
        self.fields.iter().enumerate().find(|(_, field)| field.number == number)
    }
}

/// A top-level kind and the message its body decodes as.
#[derive(Debug)]
pub(super) struct KindEntry {
    pub api_version: &'static str,
    pub kind: &'static str,
    pub message: u16,
}

/// Option kinds like `DeleteOptions` are registered in every group version under this one's schema.
const META_API_VERSION: &str = "meta.k8s.io/v1";

/// Looks a message up by table index.
pub(super) fn message(index: u16) -> Result<&'static Message, ProtobufError> {
    MESSAGES
        .get(usize::from(index))
        .ok_or(ProtobufError::Schema(usize::from(index)))
}

/// The message for a top-level `apiVersion`/`kind`, falling back to `meta.k8s.io/v1` for the
/// option kinds every group version carries.
pub(super) fn kind_message(api_version: &str, kind: &str) -> Option<u16> {
    let exact = KINDS.iter().find(|e| e.api_version == api_version && e.kind == kind);
    exact
        .or_else(|| {
            KINDS
                .iter()
                .find(|e| e.api_version == META_API_VERSION && e.kind == kind)
        })
        .map(|e| e.message)
}

/// Whether a body with this `apiVersion`/`kind` can be decoded.
#[cfg(test)]
pub(super) fn is_known_kind(api_version: &str, kind: &str) -> bool {
    kind_message(api_version, kind).is_some()
}
