//! Property tests over pseudo-random inputs: no input makes the patch functions panic, merge
//! patches round-trip, and re-applying is idempotent. A small seeded generator keeps the
//! tests dependency-free and reproducible; a failure reports the seed and the inputs.

use std::panic::{AssertUnwindSafe, catch_unwind};

use serde_json::{Map, Value, json};

use super::{FieldStrategy, Strategy, json_patch, merge_patch, server_side_apply, strategic_merge_patch};

const CASES: u64 = 2000;

/// xorshift64*: tiny, deterministic, good enough to explore shapes.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    /// Arbitrary JSON, biased towards containers and towards keys and strings that exercise
    /// directives, merge keys and pointers. With `nulls` false no object member is null.
    fn json(&mut self, depth: usize, nulls: bool) -> Value {
        let kinds = if depth == 0 { 4 } else { 8 };
        match self.below(kinds) {
            0 if nulls => Value::Null,
            0 | 1 => Value::Bool(self.below(2) == 0),
            2 => match self.below(3) {
                0 => json!(self.below(5)),
                1 => json!(-(self.below(100) as i64)),
                _ => json!(self.below(10) as f64 / 4.0),
            },
            3 => json!(self.pick(&[
                "a", "b", "", "name", "$patch", "delete", "replace", "~", "/", "-", "0", "1"
            ])),
            4 | 5 => Value::Array((0..self.below(5)).map(|_| self.json(depth - 1, nulls)).collect()),
            _ => self.object(depth - 1, nulls),
        }
    }

    /// An object; half of them carry a `name`, the merge key of the test strategy.
    fn object(&mut self, depth: usize, nulls: bool) -> Value {
        let mut map = Map::new();
        if self.below(2) == 0 {
            map.insert("name".into(), json!(self.pick(&["x", "y", "z"])));
        }
        for _ in 0..self.below(5) {
            let key = if nulls && self.below(3) == 0 {
                self.pick(&[
                    "$patch",
                    "$retainKeys",
                    "$setElementOrder/a",
                    "$setElementOrder/b",
                    "$deleteFromPrimitiveList/b",
                    "$setElementOrder",
                    "metadata",
                    "apiVersion",
                ])
            } else {
                self.pick(&["a", "b", "c", "d", "name"])
            };
            let value = match self.below(4) {
                0 if depth > 0 => Value::Array((0..self.below(4)).map(|_| self.object(depth - 1, nulls)).collect()),
                _ => self.json(depth, nulls),
            };
            map.insert(key.to_string(), value);
        }
        Value::Object(map)
    }

    fn pointer(&mut self) -> String {
        (0..self.below(4))
            .map(|_| {
                format!(
                    "/{}",
                    self.pick(&["a", "b", "0", "1", "3", "-", "~0", "~1", "~", "01", ""])
                )
            })
            .collect()
    }

    fn op(&mut self) -> Value {
        let mut m = Map::new();
        let op = self.pick(&["add", "remove", "replace", "move", "copy", "test", "bogus"]);
        m.insert("op".into(), json!(op));
        if self.below(10) > 0 {
            m.insert("path".into(), json!(self.pointer()));
        }
        if self.below(2) == 0 {
            m.insert("from".into(), json!(self.pointer()));
        }
        if self.below(4) > 0 {
            m.insert("value".into(), self.json(2, true));
        }
        Value::Object(m)
    }
}

/// Runs `check` on `CASES` seeds, turning a panic into a failure that names the seed.
fn for_all(name: &str, check: impl Fn(&mut Rng) -> Result<(), String>) {
    for seed in 0..CASES {
        let mut rng = Rng::new(seed + 1);
        match catch_unwind(AssertUnwindSafe(|| check(&mut rng))) {
            Ok(Ok(())) => {}
            Ok(Err(msg)) => panic!("{name}: property failed for seed {seed}: {msg}"),
            Err(payload) => {
                let message = payload
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| payload.downcast_ref::<&str>().copied())
                    .unwrap_or("(no message)");
                panic!("{name}: panicked for seed {seed}: {message}")
            }
        }
    }
}

/// The RFC 7386 patch turning `from` into `to`.
fn merge_diff(from: &Value, to: &Value) -> Value {
    match (from, to) {
        (Value::Object(f), Value::Object(t)) => {
            let mut patch = Map::new();
            for k in f.keys().filter(|k| !t.contains_key(*k)) {
                patch.insert(k.clone(), Value::Null);
            }
            for (k, tv) in t {
                match f.get(k) {
                    Some(fv) if fv == tv => {}
                    Some(fv) => {
                        patch.insert(k.clone(), merge_diff(fv, tv));
                    }
                    None => {
                        patch.insert(k.clone(), tv.clone());
                    }
                }
            }
            Value::Object(patch)
        }
        _ => to.clone(),
    }
}

fn mixed_strategy() -> Strategy {
    Strategy::new()
        .with(
            "a",
            FieldStrategy::MergeByKey {
                key: "name".into(),
                retain_keys: true,
            },
        )
        .with("b", FieldStrategy::MergeSet)
        .with("c", FieldStrategy::Replace)
        .with("a.a", FieldStrategy::MergeSet)
        .with(
            "a.b",
            FieldStrategy::MergeByKey {
                key: "a".into(),
                retain_keys: false,
            },
        )
}

#[test]
fn merge_patch_never_panics() {
    for_all("merge_patch", |rng| {
        let mut target = rng.json(4, true);
        let patch = rng.json(4, true);
        merge_patch(&mut target, &patch);
        Ok(())
    });
}

#[test]
fn merge_patch_of_a_diff_round_trips() {
    for_all("merge_patch round trip", |rng| {
        let (from, to) = (rng.json(4, false), rng.json(4, false));
        let mut doc = from.clone();
        merge_patch(&mut doc, &merge_diff(&from, &to));
        if doc == to {
            Ok(())
        } else {
            Err(format!("from {from} to {to} gave {doc}"))
        }
    });
}

#[test]
fn json_patch_never_panics_and_never_mutates() {
    for_all("json_patch", |rng| {
        let doc = rng.object(3, true);
        let before = doc.clone();
        let ops = Value::Array((0..rng.below(6)).map(|_| rng.op()).collect());
        let _ = json_patch(&doc, &ops);
        let _ = json_patch(&doc, &rng.json(3, true));
        if doc == before {
            Ok(())
        } else {
            Err(format!("{ops} modified its input"))
        }
    });
}

#[test]
fn strategic_merge_patch_never_panics() {
    let strategy = mixed_strategy();
    for_all("strategic_merge_patch", |rng| {
        let _ = strategic_merge_patch(&rng.object(4, true), &rng.object(4, true), &strategy);
        Ok(())
    });
}

#[test]
fn strategic_merge_patch_without_directives_is_a_merge_patch() {
    for_all("strategic as merge", |rng| {
        let (from, to) = (rng.object(4, false), rng.object(4, false));
        let out = strategic_merge_patch(&from, &merge_diff(&from, &to), &Strategy::new()).map_err(|e| e.to_string())?;
        if out == to {
            Ok(())
        } else {
            Err(format!("from {from} to {to} gave {out}"))
        }
    });
}

#[test]
fn server_side_apply_never_panics() {
    let strategy = mixed_strategy();
    for_all("server_side_apply", |rng| {
        let (live, applied, again) = (rng.object(4, true), rng.object(4, true), rng.object(4, true));
        let force = rng.below(2) == 0;
        if let Ok(first) = server_side_apply(Some(&live), &applied, "a", force, Some(&strategy), "t") {
            let _ = server_side_apply(Some(&first), &again, "b", force, Some(&strategy), "t");
            let _ = server_side_apply(Some(&first), &again, "a", force, Some(&strategy), "t");
        }
        Ok(())
    });
}

#[test]
fn reapplying_is_idempotent() {
    let strategy = mixed_strategy();
    for_all("apply idempotence", |rng| {
        let applied = rng.object(4, false);
        let Ok(once) = server_side_apply(None, &applied, "a", false, Some(&strategy), "t") else {
            return Ok(());
        };
        let twice =
            server_side_apply(Some(&once), &applied, "a", false, Some(&strategy), "t").map_err(|e| e.to_string())?;
        if twice == once {
            Ok(())
        } else {
            Err(format!("{applied}: {once} then {twice}"))
        }
    });
}
