//! Compact JSON with object keys sorted, whatever the map's order: the text Go's `json.Marshal` writes for a
//! decoded value (whose maps it sorts), and canonical text for hashes and comparisons.

use serde_json::{Number, Value};

/// How the writer spells strings (object keys included) and numbers; `null`, booleans and the
/// punctuation are the same in every spelling.
#[derive(Debug, Clone, Copy)]
pub struct Spelling {
    /// Appends a string, quoted.
    pub string: fn(&mut String, &str),
    /// Appends a number.
    pub number: fn(&mut String, &Number),
}

/// `serde_json`'s own spelling: its string escapes and its number forms.
pub const SERDE: Spelling = Spelling {
    string: push_serde_string,
    number: push_serde_number,
};

/// Appends `s` quoted and escaped as `serde_json` writes it.
pub fn push_serde_string(out: &mut String, s: &str) {
    // Writing a string into a `String` cannot fail.
    out.push_str(&serde_json::to_string(s).unwrap_or_default());
}

/// Appends `n` as `serde_json` writes it.
pub fn push_serde_number(out: &mut String, n: &Number) {
    out.push_str(&n.to_string());
}

/// Appends `value` as compact JSON, object keys sorted, scalars spelled by `spelling`.
pub fn write_sorted(value: &Value, spelling: Spelling, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => (spelling.number)(out, n),
        Value::String(s) => (spelling.string)(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_sorted(item, spelling, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_unstable_by_key(|(key, _)| *key);
            out.push('{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                (spelling.string)(out, key);
                out.push(':');
                write_sorted(item, spelling, out);
            }
            out.push('}');
        }
    }
}

/// `value` as compact JSON with sorted keys, in `serde_json`'s spelling.
pub fn sorted_json(value: &Value) -> String {
    let mut out = String::new();
    write_sorted(value, SERDE, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_are_sorted_at_every_level_and_scalars_spelled_as_asked() {
        let value = json!({"b": [1, 2.5, {"z": null, "a": true}], "a": "x<\"y\"\n", "": false});
        assert_eq!(
            sorted_json(&value),
            r#"{"":false,"a":"x<\"y\"\n","b":[1,2.5,{"a":true,"z":null}]}"#
        );
        // Whatever the map's order, the same text.
        let mut reversed = serde_json::Map::new();
        for (k, v) in value.as_object().unwrap().iter().rev() {
            reversed.insert(k.clone(), v.clone());
        }
        assert_eq!(sorted_json(&Value::Object(reversed)), sorted_json(&value));
        let shouting = Spelling {
            string: |out, s| out.push_str(&format!("'{}'", s.to_uppercase())),
            number: |out, _| out.push('#'),
        };
        let mut out = String::new();
        write_sorted(&json!({"k": ["v", 1]}), shouting, &mut out);
        assert_eq!(out, "{'K':['V',#]}");
    }
}
