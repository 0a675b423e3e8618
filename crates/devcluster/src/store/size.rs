//! How much memory a stored object holds: what the watch history's byte bound counts.
//!
//! An object lives in memory as a `serde_json::Value` tree, which takes many times its JSON size (a
//! one-key JSON object of a few bytes is a B-tree node of some 600 bytes), so the bound counts the
//! tree's allocations, estimated from its shape, rather than the JSON.

use serde_json::Value;

/// Bytes of one B-tree node of an object's map (keys and values of up to 11 entries, plus links),
/// rounded up to the allocator's size class.
const MAP_NODE: usize = 640;
/// Entries per node on average: nodes fill between half and full as keys arrive in document order.
const MAP_ENTRIES_PER_NODE: usize = 8;
/// What the allocator adds to each allocation (header and rounding), on average.
const ALLOCATION: usize = 16;

/// Estimated heap bytes of `value` (not counting the `Value` itself).
pub fn heap_size(value: &Value) -> usize {
    match value {
        Value::String(s) if s.capacity() > 0 => s.capacity() + ALLOCATION,
        Value::Array(items) if items.capacity() > 0 => {
            items.capacity() * size_of::<Value>() + ALLOCATION + items.iter().map(heap_size).sum::<usize>()
        }
        Value::Object(map) if !map.is_empty() => {
            map.len().div_ceil(MAP_ENTRIES_PER_NODE) * MAP_NODE
                + map
                    .iter()
                    .map(|(k, v)| k.capacity() + ALLOCATION + heap_size(v))
                    .sum::<usize>()
        }
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scalars_hold_nothing_and_containers_their_parts() {
        assert_eq!(heap_size(&json!(5)), 0);
        assert_eq!(heap_size(&json!(null)), 0);
        assert_eq!(heap_size(&json!({})), 0);
        assert_eq!(heap_size(&json!("abcd")), 4 + ALLOCATION);
        let one = heap_size(&json!({"a": 1}));
        assert_eq!(one, MAP_NODE + 1 + ALLOCATION);
        assert_eq!(heap_size(&json!([{"a": 1}, {"a": 1}])), 2 * 32 + ALLOCATION + 2 * one);
    }

    #[test]
    fn small_objects_weigh_far_more_than_their_json() {
        let steps: Vec<Value> = (0..1000).map(|i| json!({"setWeight": i})).collect();
        let v = json!({"steps": steps});
        let json_len = serde_json::to_vec(&v).map(|b| b.len()).unwrap_or_default();
        assert!(heap_size(&v) > 20 * json_len, "{} vs {json_len}", heap_size(&v));
    }
}
