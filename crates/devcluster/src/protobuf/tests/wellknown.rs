//! The special apimachinery types and scalar kinds no current Kubernetes message uses.

use serde_json::{Value, json};

use super::encoder::{Msg, time};
use crate::protobuf::decode::decode_struct;
use crate::protobuf::schema::{Card, Message, OE, PTR, Shape, Ty, f};
use crate::protobuf::wellknown::{decode, go_duration};
use crate::protobuf::wire::Chunk;

fn chunk(m: &Msg) -> Option<Chunk<'_>> {
    Some(Chunk { bytes: &m.0, offset: 0 })
}

static TIME: Message = Message {
    name: "Time",
    shape: Shape::Time,
    fields: &[],
};
static MICRO_TIME: Message = Message {
    name: "MicroTime",
    shape: Shape::MicroTime,
    fields: &[],
};
static DURATION: Message = Message {
    name: "Duration",
    shape: Shape::Duration,
    fields: &[],
};
static QUANTITY: Message = Message {
    name: "Quantity",
    shape: Shape::Quantity,
    fields: &[],
};
static INT_OR_STRING: Message = Message {
    name: "IntOrString",
    shape: Shape::IntOrString,
    fields: &[],
};
static RAW: Message = Message {
    name: "RawExtension",
    shape: Shape::RawJson,
    fields: &[],
};
static NUMBERS: Message = Message {
    name: "Numbers",
    shape: Shape::Struct,
    fields: &[
        f(1, "u32", Ty::U32, Card::One, 0),
        f(2, "u64", Ty::U64, Card::One, OE),
        f(3, "f64", Ty::F64, Card::One, OE),
        f(4, "f32", Ty::F32, Card::One, PTR),
        f(5, "f64s", Ty::F64, Card::Rep, OE),
        f(6, "i32", Ty::I32, Card::One, 0),
        f(7, "blob", Ty::Bytes, Card::One, 0),
    ],
};

#[test]
fn go_duration_strings() {
    let cases: &[(i64, &str)] = &[
        (0, "0s"),
        (1, "1ns"),
        (999, "999ns"),
        (1_000, "1µs"),
        (1_500, "1.5µs"),
        (1_000_000, "1ms"),
        (100_000_000, "100ms"),
        (1_250_000_000, "1.25s"),
        (60_000_000_000, "1m0s"),
        (90_000_000_000, "1m30s"),
        (3_600_000_000_000, "1h0m0s"),
        (3_723_000_000_000, "1h2m3s"),
        (-5_000_000_000, "-5s"),
        (i64::MIN, "-2562047h47m16.854775808s"),
        (i64::MAX, "2562047h47m16.854775807s"),
    ];
    for (nanos, text) in cases {
        assert_eq!(go_duration(*nanos), *text, "{nanos}");
    }
}

#[test]
fn duration_message() {
    assert_eq!(
        decode(&DURATION, chunk(&Msg::new().int(1, 3_723_000_000_000)), 0).unwrap(),
        json!("1h2m3s")
    );
    assert_eq!(decode(&DURATION, None, 0).unwrap(), json!("0s"));
}

#[test]
fn times() {
    // Go's zero time, however it arrives, is null.
    assert_eq!(decode(&TIME, None, 0).unwrap(), Value::Null);
    assert_eq!(decode(&TIME, chunk(&Msg::new()), 0).unwrap(), Value::Null);
    assert_eq!(decode(&TIME, chunk(&time(-62_135_596_800, 0)), 0).unwrap(), Value::Null);
    // A non-empty message without seconds is the Unix epoch.
    assert_eq!(
        decode(&TIME, chunk(&Msg::new().int(2, 5)), 0).unwrap(),
        json!("1970-01-01T00:00:00Z")
    );
    assert_eq!(
        decode(&TIME, chunk(&time(1_767_323_045, 0)), 0).unwrap(),
        json!("2026-01-02T03:04:05Z")
    );
    assert_eq!(
        decode(&TIME, chunk(&time(-1, 0)), 0).unwrap(),
        json!("1969-12-31T23:59:59Z")
    );
    assert_eq!(
        decode(&TIME, chunk(&time(-62_135_596_801, 0)), 0).unwrap(),
        json!("0000-12-31T23:59:59Z")
    );
    assert!(decode(&TIME, chunk(&time(-62_167_219_201, 0)), 0).is_err());
    assert!(decode(&TIME, chunk(&Msg::new().string(1, "x")), 0).is_err());

    assert_eq!(
        decode(&MICRO_TIME, chunk(&time(1_767_323_045, 123_456_789)), 0).unwrap(),
        json!("2026-01-02T03:04:05.123456Z")
    );
    assert_eq!(
        decode(&MICRO_TIME, chunk(&time(1_767_323_045, 999)), 0).unwrap(),
        json!("2026-01-02T03:04:05.000000Z")
    );
    // Negative nanoseconds truncate toward zero, then borrow from the seconds.
    assert_eq!(
        decode(&MICRO_TIME, chunk(&time(10, -1_500)), 0).unwrap(),
        json!("1970-01-01T00:00:09.999999Z")
    );
    assert_eq!(decode(&MICRO_TIME, chunk(&Msg::new()), 0).unwrap(), Value::Null);
}

#[test]
fn quantities() {
    assert_eq!(
        decode(&QUANTITY, chunk(&Msg::new().string(1, "1500m")), 0).unwrap(),
        json!("1500m")
    );
    assert_eq!(decode(&QUANTITY, None, 0).unwrap(), json!("0"));
    assert_eq!(decode(&QUANTITY, chunk(&Msg::new()), 0).unwrap(), json!("0"));
    assert_eq!(
        decode(&QUANTITY, chunk(&Msg::new().string(1, "")), 0)
            .unwrap_err()
            .to_string(),
        "invalid Quantity: empty quantity"
    );
}

#[test]
fn int_or_strings() {
    assert_eq!(decode(&INT_OR_STRING, None, 0).unwrap(), json!(0));
    assert_eq!(
        decode(&INT_OR_STRING, chunk(&Msg::new().int(2, -3)), 0).unwrap(),
        json!(-3)
    );
    assert_eq!(
        decode(&INT_OR_STRING, chunk(&Msg::new().int(1, 1)), 0).unwrap(),
        json!("")
    );
    assert_eq!(
        decode(&INT_OR_STRING, chunk(&Msg::new().int(1, 1).string(3, "25%")), 0).unwrap(),
        json!("25%")
    );
}

#[test]
fn raw_json() {
    assert_eq!(decode(&RAW, None, 0).unwrap(), Value::Null);
    assert_eq!(decode(&RAW, chunk(&Msg::new().bytes(1, b"")), 0).unwrap(), Value::Null);
    assert_eq!(
        decode(&RAW, chunk(&Msg::new().bytes(1, b" [1, \"a\"] ")), 0).unwrap(),
        json!([1, "a"])
    );
    assert!(decode(&RAW, chunk(&Msg::new().int(1, 1)), 0).is_err());
}

#[test]
fn other_scalar_kinds() {
    let m = Msg::new()
        .int(1, -1)
        .int(2, -1)
        .fixed64(3, 2.5f64.to_bits())
        .fixed32(4, 3.0f32.to_bits())
        .fixed64(5, 1.0f64.to_bits())
        .raw(&[0x2a, 0x08])
        .raw(&0.25f64.to_bits().to_le_bytes())
        .int(6, -2);
    let got = decode_struct(&NUMBERS, chunk(&m), 0).unwrap();
    let expected = json!({
        "u32": 4_294_967_295u32,
        "u64": u64::MAX,
        "f64": 2.5,
        "f32": 3,
        "f64s": [1, 0.25],
        "i32": -2,
        "blob": null
    });
    assert_eq!(got, expected);

    let zero = decode_struct(&NUMBERS, None, 0).unwrap();
    assert_eq!(zero, json!({"u32": 0, "f32": null, "i32": 0, "blob": null}));

    let nan = Msg::new().fixed64(3, f64::NAN.to_bits());
    assert!(decode_struct(&NUMBERS, chunk(&nan), 0).is_err());
    let bad_packed = Msg::new().raw(&[0x2a, 0x03, 1, 2, 3]);
    assert!(decode_struct(&NUMBERS, chunk(&bad_packed), 0).is_err());
}
