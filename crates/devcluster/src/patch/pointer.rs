//! RFC 6901 JSON pointers, as used by JSON patch paths.

use serde_json::Value;

/// Splits a JSON pointer into unescaped reference tokens. `""` is the whole document.
pub(crate) fn parse(pointer: &str) -> Result<Vec<String>, String> {
    if pointer.is_empty() {
        return Ok(Vec::new());
    }
    let Some(rest) = pointer.strip_prefix('/') else {
        return Err(format!(
            "invalid JSON pointer {pointer:?}: must be empty or start with \"/\""
        ));
    };
    rest.split('/')
        .map(|token| unescape(token).ok_or_else(|| bad_escape(pointer)))
        .collect()
}

fn bad_escape(pointer: &str) -> String {
    format!("invalid JSON pointer {pointer:?}: \"~\" must be followed by \"0\" or \"1\"")
}

fn unescape(token: &str) -> Option<String> {
    let mut out = String::with_capacity(token.len());
    let mut chars = token.chars();
    while let Some(c) = chars.next() {
        if c == '~' {
            match chars.next() {
                Some('0') => out.push('~'),
                Some('1') => out.push('/'),
                _ => return None,
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// Parses an array index token: decimal digits without leading zeros.
pub(crate) fn array_index(token: &str) -> Option<usize> {
    let valid =
        !token.is_empty() && token.bytes().all(|b| b.is_ascii_digit()) && (token == "0" || !token.starts_with('0'));
    if valid { token.parse().ok() } else { None }
}

/// The value a pointer refers to, if it exists.
pub(crate) fn get<'a>(doc: &'a Value, tokens: &[String]) -> Option<&'a Value> {
    tokens.iter().try_fold(doc, |node, token| match node {
        Value::Object(map) => map.get(token),
        Value::Array(items) => array_index(token).and_then(|i| items.get(i)),
        _ => None,
    })
}

/// Mutable access to the value a pointer refers to, if it exists.
pub(crate) fn get_mut<'a>(doc: &'a mut Value, tokens: &[String]) -> Option<&'a mut Value> {
    tokens.iter().try_fold(doc, |node, token| match node {
        Value::Object(map) => map.get_mut(token),
        Value::Array(items) => array_index(token).and_then(|i| items.get_mut(i)),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_escapes() {
        assert_eq!(parse("").unwrap(), Vec::<String>::new());
        assert_eq!(parse("/").unwrap(), vec![String::new()]);
        assert_eq!(parse("/a~1b/m~0n/~01").unwrap(), vec!["a/b", "m~n", "~1"]);
        assert!(parse("a").is_err());
        assert!(parse("/a~2").is_err());
        assert!(parse("/a~").is_err());
    }

    #[test]
    fn rfc6901_examples() {
        let doc = json!({"foo": ["bar", "baz"], "": 0, "a/b": 1, "c%d": 2, "e^f": 3, "g|h": 4,
            "i\\j": 5, "k\"l": 6, " ": 7, "m~n": 8});
        let at = |p: &str| get(&doc, &parse(p).unwrap()).cloned();
        assert_eq!(at(""), Some(doc.clone()));
        assert_eq!(at("/foo"), Some(json!(["bar", "baz"])));
        assert_eq!(at("/foo/0"), Some(json!("bar")));
        assert_eq!(at("/"), Some(json!(0)));
        assert_eq!(at("/a~1b"), Some(json!(1)));
        assert_eq!(at("/m~0n"), Some(json!(8)));
        assert_eq!(at("/ "), Some(json!(7)));
        assert_eq!(at("/foo/01"), None);
        assert_eq!(at("/foo/-"), None);
    }

    #[test]
    fn array_indices() {
        assert_eq!(array_index("0"), Some(0));
        assert_eq!(array_index("12"), Some(12));
        assert_eq!(array_index("012"), None);
        assert_eq!(array_index("-1"), None);
        assert_eq!(array_index(""), None);
        assert_eq!(array_index("99999999999999999999999999"), None);
    }
}
