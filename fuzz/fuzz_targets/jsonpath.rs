//! Kubernetes JSONPath, as the web metric provider and `kubectl -o jsonpath` use it. Input: the expression,
//! then optionally a NUL byte and the JSON document it runs on.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rollouts_compat::jsonpath;

fuzz_target!(|data: &[u8]| {
    let (expression, document) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (
            data,
            &br#"{"data":{"ok":true,"items":[{"name":"a","value":1.5},{"name":"b","value":"2"}]}}"#[..],
        ),
    };
    let Ok(expression) = std::str::from_utf8(expression) else {
        return;
    };
    let document = serde_json::from_slice(document).unwrap_or(serde_json::Value::Null);
    let Ok(path) = jsonpath::parse(expression) else { return };
    let _ = path.find(&document);
    let _ = path.try_find(&document);
    let _ = path.try_find_strict(&document);
    let _ = path.render(&document);
    let _ = jsonpath::format_value(&document);
});
