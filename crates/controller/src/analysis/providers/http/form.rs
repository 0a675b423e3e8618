//! Form encoding as Go's `net/url` does it: the bodies of Prometheus queries and OAuth2 token
//! requests, and the form-encoded token responses.

use std::collections::BTreeMap;

/// The content type of a form body.
pub(super) const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded";

/// Escapes a form value as Go's `url.QueryEscape` does (spaces become `+`).
pub(super) fn form_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A form body as Go's `url.Values.Encode` writes it: keys sorted.
pub(crate) fn encode_form(pairs: &[(&str, String)]) -> String {
    let mut sorted: Vec<&(&str, String)> = pairs.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    sorted
        .iter()
        .map(|(k, v)| format!("{}={}", form_escape(k), form_escape(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The first value of each key of a form-encoded body.
pub(super) fn parse_form(body: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for pair in body.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let decode = |s: &str| percent_decode(&s.replace('+', " "));
        out.entry(decode(k)).or_insert_with(|| decode(v));
    }
    out
}

pub(super) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let decoded = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match decoded {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_encode_like_go() {
        assert_eq!(
            encode_form(&[("time", "1.5".to_string()), ("query", "sum(x{a=\"b c\"})".to_string())]),
            "query=sum%28x%7Ba%3D%22b+c%22%7D%29&time=1.5"
        );
        let parsed = parse_form("access_token=a%2Bb&token_type=bearer&access_token=second");
        assert_eq!(parsed.get("access_token").map(String::as_str), Some("a+b"));
    }
}
