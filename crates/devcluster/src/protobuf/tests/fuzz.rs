//! Arbitrary input never panics: random bytes, valid envelopes around random payloads,
//! random but well-formed messages for every kind, and mutations of captured kubectl bodies.

use super::encoder::{Msg, envelope, put_varint};
use crate::protobuf::decode_object;
use crate::protobuf::schema_table::KINDS;

/// xorshift64*: deterministic, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn bytes(&mut self, max: u64) -> Vec<u8> {
        let len = self.below(max + 1);
        (0..len).map(|_| self.next() as u8).collect()
    }
}

/// A syntactically valid message with random fields; nested payloads recurse.
fn random_message(rng: &mut Rng, depth: u32) -> Msg {
    let mut m = Msg::new();
    for _ in 0..rng.below(8) {
        let field = 1 + rng.below(45) as u32;
        m = match rng.below(7) {
            0 => m.int(field, rng.next() as i64),
            1 => m.int(field, rng.below(3) as i64),
            2 => m.fixed64(field, rng.next()),
            3 => m.fixed32(field, rng.next() as u32),
            4 => {
                let bytes = rng.bytes(12);
                m.bytes(field, &bytes)
            }
            _ if depth >= 10 => m.string(field, "leaf"),
            5 => m.msg(field, random_message(rng, depth + 1)),
            _ => m.msg(field, Msg::new().string(1, "k").msg(2, random_message(rng, depth + 1))),
        };
    }
    m
}

#[test]
fn random_bytes() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..20_000 {
        let mut body = if rng.below(2) == 0 {
            b"k8s\0".to_vec()
        } else {
            Vec::new()
        };
        body.extend(rng.bytes(96));
        let _ = decode_object(&body);
    }
}

#[test]
fn valid_envelopes_with_garbage_payloads() {
    let mut rng = Rng(42);
    for _ in 0..20_000 {
        let kind = &KINDS[rng.below(KINDS.len() as u64) as usize];
        let raw = Msg(rng.bytes(128));
        let _ = decode_object(&envelope(kind.api_version, kind.kind, raw));
    }
}

#[test]
fn well_formed_random_messages_for_every_kind() {
    let mut rng = Rng(7);
    let mut decoded = 0;
    for _ in 0..20_000 {
        let kind = &KINDS[rng.below(KINDS.len() as u64) as usize];
        let raw = random_message(&mut rng, 0);
        if decode_object(&envelope(kind.api_version, kind.kind, raw)).is_ok() {
            decoded += 1;
        }
    }
    assert!(decoded > 100, "only {decoded} random messages decoded");
}

#[test]
fn mutated_kubectl_bodies() {
    let bodies: &[&[u8]] = &[
        include_bytes!("../testdata/deployment_web2.pb"),
        include_bytes!("../testdata/ingress.pb"),
        include_bytes!("../testdata/job_from_cronjob.pb"),
        include_bytes!("../testdata/service_clusterip.pb"),
        include_bytes!("../testdata/secret_docker_registry.pb"),
    ];
    let mut rng = Rng(1234);
    for _ in 0..20_000 {
        let mut body = bodies[rng.below(bodies.len() as u64) as usize].to_vec();
        for _ in 0..=rng.below(4) {
            let at = rng.below(body.len() as u64) as usize;
            match rng.below(4) {
                0 => body[at] = rng.next() as u8,
                1 => body.truncate(at.max(4)),
                2 => {
                    let mut varint = Vec::new();
                    put_varint(&mut varint, rng.next() >> rng.below(64));
                    body.splice(at..at, varint);
                }
                _ => {
                    body.remove(at);
                }
            }
        }
        let _ = decode_object(&body);
    }
}
