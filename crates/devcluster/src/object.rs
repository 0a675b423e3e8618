//! Object metadata chores: names, uids, timestamps, and the name rules Kubernetes enforces.

use serde_json::{Map, Value};

/// Characters Kubernetes uses for generated name suffixes (no vowels, no look-alikes).
const SUFFIX_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    if getrandom::fill(&mut buf).is_err() {
        // The OS RNG is unavailable only on exotic platforms; fall back to the clock's nanoseconds.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        for (i, b) in buf.iter_mut().enumerate() {
            *b = (nanos >> ((i % 16) * 8)) as u8 ^ (i as u8).wrapping_mul(151);
        }
    }
    buf
}

/// A random suffix of `n` characters, as `generateName` and ReplicaSet pod names use (n ≤ 16).
pub fn random_suffix(n: usize) -> String {
    random_bytes::<16>()
        .iter()
        .take(n)
        .map(|b| SUFFIX_ALPHABET[*b as usize % SUFFIX_ALPHABET.len()] as char)
        .collect()
}

/// A random (version 4) UUID.
pub fn new_uid() -> String {
    let mut b = random_bytes::<16>();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// A timestamp as Kubernetes writes them: RFC 3339, UTC, whole seconds.
pub fn rfc3339(ts: jiff::Timestamp) -> String {
    ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// `metadata` of an object, created if absent.
pub fn meta_mut(obj: &mut Value) -> Option<&mut Map<String, Value>> {
    let o = obj.as_object_mut()?;
    o.entry("metadata")
        .or_insert_with(|| Value::Object(Map::new()))
        .as_object_mut()
}

/// A string field of `metadata`.
/// The UIDs of an object's owners (`metadata.ownerReferences[].uid`), in order.
pub fn owner_uids(obj: &Value) -> Vec<String> {
    obj.pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .map(|refs| {
            refs.iter()
                .filter_map(|r| r.get("uid").and_then(Value::as_str).map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

pub fn meta_str<'a>(obj: &'a Value, field: &str) -> Option<&'a str> {
    obj.get("metadata")?.get(field)?.as_str()
}

/// Which name rule a kind's names follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameRule {
    /// RFC 1123 subdomain (most kinds).
    Subdomain,
    /// RFC 1123 label (namespaces).
    Label,
    /// RFC 1035 label (services).
    Dns1035,
    /// Any path segment (RBAC kinds, whose names hold colons: `system:discovery`).
    PathSegment,
}

impl NameRule {
    /// The rule for a kind.
    pub fn for_kind(group: &str, kind: &str) -> Self {
        match (group, kind) {
            ("", "Namespace") => NameRule::Label,
            ("", "Service") => NameRule::Dns1035,
            ("rbac.authorization.k8s.io", _) => NameRule::PathSegment,
            _ => NameRule::Subdomain,
        }
    }
}

fn is_label(s: &str, first_alpha: bool) -> bool {
    s.len() <= 63 && is_label_chars(s, first_alpha)
}

fn is_label_chars(s: &str, first_alpha: bool) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && (if first_alpha {
            b[0].is_ascii_lowercase()
        } else {
            b[0].is_ascii_lowercase() || b[0].is_ascii_digit()
        })
        && (b[b.len() - 1].is_ascii_lowercase() || b[b.len() - 1].is_ascii_digit())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}

/// Problems with a name under a rule, worded as Kubernetes words them.
pub fn name_problems(name: &str, rule: NameRule) -> Vec<String> {
    let mut out = Vec::new();
    match rule {
        NameRule::Subdomain => {
            if name.len() > 253 {
                out.push("must be no more than 253 characters".to_string());
            }
            // Each dot-separated part follows the label pattern; unlike labels, parts have no length limit.
            if !name.split('.').all(|part| is_label_chars(part, false)) {
                out.push("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')".to_string());
            }
        }
        NameRule::Label => {
            if name.len() > 63 {
                out.push("must be no more than 63 characters".to_string());
            }
            if !is_label(&name[..name.len().min(63)], false) {
                out.push("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')".to_string());
            }
        }
        NameRule::PathSegment => {
            if name == "." || name == ".." {
                out.push(format!("may not be '{name}'"));
            }
            for c in ["/", "%"] {
                if name.contains(c) {
                    out.push(format!("may not contain '{c}'"));
                }
            }
        }
        NameRule::Dns1035 => {
            if name.len() > 63 {
                out.push("must be no more than 63 characters".to_string());
            }
            if !is_label(&name[..name.len().min(63)], true) {
                out.push("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')".to_string());
            }
        }
    }
    out
}

fn is_qualified_name(s: &str) -> bool {
    let (prefix, name) = match s.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, s),
    };
    let name_ok = !name.is_empty()
        && name.len() <= 63
        && name.as_bytes()[0].is_ascii_alphanumeric()
        && name.as_bytes()[name.len() - 1].is_ascii_alphanumeric()
        && name
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'));
    name_ok && prefix.is_none_or(|p| !p.is_empty() && name_problems(p, NameRule::Subdomain).is_empty())
}

/// Problems with a label key (`metadata.labels` keys, selector keys).
pub fn label_key_problems(key: &str) -> Option<String> {
    (!is_qualified_name(key)).then(|| "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')".to_string())
}

/// Problems with a label value.
pub fn label_value_problems(value: &str) -> Option<String> {
    let ok = value.is_empty()
        || (value.len() <= 63
            && value.as_bytes()[0].is_ascii_alphanumeric()
            && value.as_bytes()[value.len() - 1].is_ascii_alphanumeric()
            && value
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.')));
    (!ok).then(|| "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffixes_and_uids_look_like_kubernetes_ones() {
        let s = random_suffix(5);
        assert_eq!(s.len(), 5);
        assert!(s.bytes().all(|b| SUFFIX_ALPHABET.contains(&b)));
        let uid = new_uid();
        assert_eq!(uid.len(), 36);
        assert_eq!(&uid[14..15], "4");
        assert_ne!(new_uid(), uid);
    }

    #[test]
    fn name_rules() {
        assert!(name_problems("web-1.example", NameRule::Subdomain).is_empty());
        assert!(
            name_problems(&"a".repeat(70), NameRule::Subdomain).is_empty(),
            "subdomain parts have no length limit"
        );
        assert!(!name_problems("Web", NameRule::Subdomain).is_empty());
        assert!(!name_problems("a.b", NameRule::Label).is_empty());
        assert!(!name_problems("1abc", NameRule::Dns1035).is_empty());
        assert!(name_problems("abc-1", NameRule::Dns1035).is_empty());
        assert!(!name_problems(&"a".repeat(64), NameRule::Label).is_empty());
        assert!(name_problems("system:aggregate-to-edit", NameRule::PathSegment).is_empty());
        assert_eq!(name_problems("..", NameRule::PathSegment), ["may not be '..'"]);
        assert_eq!(
            name_problems("a/b%", NameRule::PathSegment),
            ["may not contain '/'", "may not contain '%'"]
        );
        assert_eq!(
            NameRule::for_kind("rbac.authorization.k8s.io", "ClusterRole"),
            NameRule::PathSegment
        );
    }

    #[test]
    fn label_rules() {
        assert!(label_key_problems("app.kubernetes.io/name").is_none());
        assert!(label_key_problems("-bad").is_some());
        assert!(label_value_problems("").is_none());
        assert!(label_value_problems("has space").is_some());
    }
}
