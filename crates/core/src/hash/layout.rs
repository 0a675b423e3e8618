//! The vocabulary of the generated Go struct table (`go_layout.rs`): how Go's `encoding/json` sees
//! each field of the structs upstream hashes. The table itself is generated from the Go sources of
//! the Kubernetes API revision upstream Argo Rollouts builds against, so the field set and order
//! are exactly what upstream's `json.Marshal` walks.

use super::go_layout::STRUCTS;

/// The Go type of a field, reduced to what decides its JSON form.
#[derive(Clone, Copy, Debug)]
pub(super) enum Ty {
    /// `string` or a named string type.
    Str,
    /// `bool`.
    Bool,
    /// Any signed integer type.
    Int,
    /// A struct, by index into [`STRUCTS`]; encoded field by field.
    Struct(u16),
    /// `*T`: `null` when nil.
    Ptr(&'static Ty),
    /// `[]T`: `null` when nil.
    Slice(&'static Ty),
    /// `map[string]T` (or a named string key): keys sorted, `null` when nil.
    Map(&'static Ty),
    /// `resource.Quantity`: its canonical string (`MarshalJSON`).
    Quantity,
    /// `intstr.IntOrString`: a number or a string.
    IntOrString,
    /// `metav1.Time`: RFC 3339 in UTC with whole seconds, `null` when zero.
    Time,
    /// `json.RawMessage`, `metav1.FieldsV1`, `interface{}`: arbitrary JSON, re-encoded as Go would.
    Raw,
}

/// The field has `omitempty`.
pub(super) const OE: u8 = 1;
/// The field has `omitzero`.
pub(super) const OZ: u8 = 2;
/// The field is an embedded struct without a JSON name: its fields are promoted into the parent.
pub(super) const INL: u8 = 4;

/// One struct field, in declaration order.
#[derive(Debug)]
pub(super) struct Field {
    /// The JSON name (empty for promoted embedded structs).
    pub json: &'static str,
    /// The Go type of the value, which decides its encoding.
    pub ty: Ty,
    /// [`OE`], [`OZ`] and [`INL`] combined.
    pub flags: u8,
}

/// Shorthand used by the generated table.
pub(super) const fn f(json: &'static str, ty: Ty, flags: u8) -> Field {
    Field { json, ty, flags }
}

/// A Go struct: its qualified name (`corev1.PodTemplateSpec`) and its fields.
#[derive(Debug)]
pub(super) struct GoStruct {
    /// The qualified Go name, as `go_json` callers spell it.
    pub name: &'static str,
    /// Its fields in declaration order, the order Go marshals them in.
    pub fields: &'static [Field],
}

/// The struct at `index` (indices come from the generated table, so they are always in range).
pub(super) fn go_struct(index: u16) -> &'static GoStruct {
    const EMPTY: GoStruct = GoStruct { name: "", fields: &[] };
    STRUCTS.get(usize::from(index)).unwrap_or(&EMPTY)
}

/// Finds a struct by qualified (`corev1.Container`) or, when unambiguous, bare (`Container`) name.
pub(super) fn find_struct(name: &str) -> Option<u16> {
    let position = |wanted: &dyn Fn(&str) -> bool| {
        let mut hits = STRUCTS.iter().enumerate().filter(|(_, s)| wanted(s.name));
        match (hits.next(), hits.next()) {
            (Some((i, _)), None) => u16::try_from(i).ok(),
            _ => None,
        }
    };
    position(&|n| n == name).or_else(|| position(&|n| n.rsplit('.').next() == Some(name)))
}
