//! `fieldValidation`: what is done about fields given twice in a request body and fields the type does not
//! know. `Strict` refuses the request, `Warn` (the default) answers `Warning` headers, `Ignore` neither;
//! with any of them the last of duplicated fields wins. The messages are kube-apiserver's, which come
//! from its strict JSON decoder (`duplicate field "data.a"`, `unknown field "spec.foo"`) and, for YAML,
//! from go-yaml (`line 6: key "a" already set in map`).

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

use bytes::Bytes;
use hyper::Method;
use rollouts_compat::gofmt::{go_float, go_quote};
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use serde_saphyr::DuplicateKeyPolicy;

use super::error::{ApiError, Cause};
use super::query::Query;
use super::warnings;
use crate::registry::ResourceType;

/// The `fieldValidation` directive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Directive {
    Ignore,
    Warn,
    Strict,
}

impl Directive {
    fn from_query(query: &Query) -> Self {
        match query.get("fieldValidation") {
            Some("Ignore") => Directive::Ignore,
            Some("Strict") => Directive::Strict,
            _ => Directive::Warn,
        }
    }
}

/// How a request reports strict decoding errors, as kube-apiserver's handler for it does.
#[derive(Debug, Clone, PartialEq)]
enum Form {
    /// Create and update decode the body as the object: 400, "<Kind> in version ... cannot be handled".
    Decode,
    /// A JSON merge or strategic merge patch: 422 on `patch`, showing the patch (strategic, kept here) or the
    /// patched object (merge).
    Patch { strategic: Option<Bytes> },
    /// Server-side apply checks the applied YAML once it is applied.
    Apply,
    /// Anything else (subresources, JSON patches): a plain 400.
    Plain,
}

/// The strict decoding checks of one request.
#[derive(Debug, Clone)]
pub(crate) struct Strictness {
    directive: Directive,
    form: Form,
    /// Problems of the body itself (duplicated fields), reported before the object's unknown fields.
    body: Vec<String>,
}

impl Strictness {
    /// The checks for a request; the body is examined only when something would be reported.
    pub(crate) fn new(
        method: &Method,
        subresource: Option<&str>,
        content_type: &str,
        query: &Query,
        body: &Bytes,
    ) -> Self {
        let directive = Directive::from_query(query);
        let on_object = matches!(subresource, None | Some("status"));
        let yaml = content_type.contains("yaml");
        let json = !yaml && !crate::protobuf::is_protobuf_media_type(content_type);
        let strategic = content_type == "application/strategic-merge-patch+json";
        let form = match *method {
            Method::POST | Method::PUT if on_object => Form::Decode,
            Method::PATCH if content_type == "application/apply-patch+yaml" => Form::Apply,
            Method::PATCH if on_object && strategic => Form::Patch {
                strategic: Some(body.clone()),
            },
            Method::PATCH if on_object && content_type == "application/merge-patch+json" => {
                Form::Patch { strategic: None }
            }
            _ => Form::Plain,
        };
        let mut check = Strictness {
            directive,
            form,
            body: Vec::new(),
        };
        if directive == Directive::Ignore || check.form == Form::Plain || body.is_empty() {
            return check;
        }
        if yaml {
            let text = String::from_utf8_lossy(body);
            check.body.extend(yaml_duplicate(&text));
        } else if json {
            check.body = json_duplicates(body);
        }
        check
    }

    /// Reports the body's problems and `unknown` fields of `obj` (of type `rt`) as the directive says: an
    /// error when strict, warnings by default.
    pub(crate) fn check_object(&self, rt: &ResourceType, obj: &Value, unknown: &[String]) -> Result<(), ApiError> {
        let mut errors: Vec<String> = if self.form == Form::Apply {
            Vec::new()
        } else {
            self.body.clone()
        };
        errors.extend(unknown.iter().map(|u| format!("unknown field {}", go_quote(u))));
        if errors.is_empty() {
            return Ok(());
        }
        match self.directive {
            Directive::Ignore => Ok(()),
            Directive::Warn => {
                errors.into_iter().for_each(warnings::add);
                Ok(())
            }
            Directive::Strict => {
                let message = format!("strict decoding error: {}", errors.join(", "));
                Err(match &self.form {
                    Form::Decode => ApiError::bad_request(format!(
                        "{kind} in version \"{version}\" cannot be handled as a {kind}: {message}",
                        kind = rt.kind,
                        version = rt.version
                    )),
                    Form::Patch { strategic } => {
                        let shown = match strategic {
                            Some(patch) => go_v(&serde_json::from_slice(patch).unwrap_or_default()),
                            None => serde_json::to_string(obj).unwrap_or_default(),
                        };
                        ApiError::invalid_request(Cause {
                            reason: "FieldValueInvalid".into(),
                            field: "patch".into(),
                            message: format!("Invalid value: {}: {message}", go_quote(&shown)),
                        })
                    }
                    Form::Apply | Form::Plain => ApiError::bad_request(message),
                })
            }
        }
    }

    /// Server-side apply's check of the applied YAML, once it has been applied.
    pub(crate) fn check_applied(&self) -> Result<(), ApiError> {
        if self.form != Form::Apply {
            return Ok(());
        }
        let Some(problem) = self.body.first() else {
            return Ok(());
        };
        let error = format!("error converting YAML to JSON: {problem}");
        match self.directive {
            Directive::Strict => Err(ApiError::bad_request(format!("error strict decoding YAML: {error}"))),
            Directive::Warn => {
                warnings::add(error);
                Ok(())
            }
            Directive::Ignore => Ok(()),
        }
    }
}

/// A YAML document as a value; of duplicated keys, the last wins (as with kube-apiserver's YAML decoder).
pub(crate) fn parse_yaml(text: &str) -> Result<Value, serde_saphyr::Error> {
    let options = serde_saphyr::options! { duplicate_keys: DuplicateKeyPolicy::LastWins };
    serde_saphyr::from_str_with_options(text, options)
}

/// go-yaml's strict complaint about the first key given twice in a mapping of `text`, if any.
pub(crate) fn yaml_duplicate(text: &str) -> Option<String> {
    let options = serde_saphyr::options! { duplicate_keys: DuplicateKeyPolicy::Error };
    let mut error = serde_saphyr::from_str_with_options::<serde::de::IgnoredAny>(text, options).err()?;
    loop {
        error = match error {
            serde_saphyr::Error::WithSnippet { error, .. } | serde_saphyr::Error::AliasError { error, .. } => *error,
            serde_saphyr::Error::DuplicateMappingKey { key, location } => {
                let key = key.map_or_else(|| "?".to_string(), |k| go_quote(&k));
                return Some(format!(
                    "yaml: unmarshal errors:\n  line {}: key {key} already set in map",
                    location.line()
                ));
            }
            _ => return None,
        };
    }
}

/// `duplicate field "<path>"` for every field given again in an object of the JSON `body`, the path written as
/// kube-apiserver's strict decoder writes it (`spec.containers[0].name`).
pub(crate) fn json_duplicates(body: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    let mut de = serde_json::Deserializer::from_slice(body);
    let walk = Walk {
        path: &mut Vec::new(),
        found: &mut found,
    };
    // A body that is not JSON has been refused already; nothing to add.
    if walk.deserialize(&mut de).is_err() {
        return Vec::new();
    }
    found
}

/// A step of the path to a value: a key of an object or an index in an array.
enum Step<'de> {
    Key(Cow<'de, str>),
    Index(usize),
}

/// `path` + `.key`, written out.
fn path_to(path: &[Step<'_>], key: &str) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    if !out.is_empty() {
        out.push('.');
    }
    out.push_str(key);
    out
}

/// A key of a JSON object, borrowed from the body when it has no escapes.
struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Cow<'de, str>, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v.to_string()))
    }
}

/// The keys of one object so far: a short list searched in place (most objects have a few keys), a set
/// once it grows.
#[derive(Default)]
struct Seen<'de> {
    few: Vec<Cow<'de, str>>,
    many: HashSet<Cow<'de, str>>,
}

impl<'de> Seen<'de> {
    const FEW: usize = 16;

    /// Whether `key` is new.
    fn insert(&mut self, key: Cow<'de, str>) -> bool {
        if self.many.is_empty() {
            if self.few.contains(&key) {
                return false;
            }
            if self.few.len() < Self::FEW {
                self.few.push(key);
                return true;
            }
            self.many.extend(self.few.drain(..));
        }
        self.many.insert(key)
    }
}

/// Visits a JSON document noting duplicated keys; `path` is where it stands (written out only for a
/// duplicate).
struct Walk<'a, 'de> {
    path: &'a mut Vec<Step<'de>>,
    found: &'a mut Vec<String>,
}

impl<'de> DeserializeSeed<'de> for Walk<'_, 'de> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JSON")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = Seen::default();
        while let Some(key) = map.next_key_seed(Key)? {
            if !seen.insert(key.clone()) {
                let path = path_to(self.path, &key);
                self.found.push(format!("duplicate field {}", go_quote(&path)));
            }
            self.path.push(Step::Key(key));
            let out = map.next_value_seed(Walk {
                path: self.path,
                found: self.found,
            });
            self.path.pop();
            out?;
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0usize;
        loop {
            self.path.push(Step::Index(i));
            let next = seq.next_element_seed(Walk {
                path: self.path,
                found: self.found,
            });
            self.path.pop();
            if next?.is_none() {
                return Ok(());
            }
            i += 1;
        }
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
}

/// Go's `%v` of a decoded JSON value (`map[a:1 b:[x y]]`, keys sorted), as kube-apiserver shows a
/// strategic merge patch in an error.
fn go_v(v: &Value) -> String {
    match v {
        Value::Null => "<nil>".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => match n.as_i64() {
            Some(i) => i.to_string(),
            None => go_float(n.as_f64().unwrap_or_default()),
        },
        Value::String(s) => s.clone(),
        Value::Array(items) => format!("[{}]", items.iter().map(go_v).collect::<Vec<_>>().join(" ")),
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let entries: Vec<String> = keys.iter().map(|k| format!("{k}:{}", go_v(&map[*k]))).collect();
            format!("map[{}]", entries.join(" "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn duplicate_fields_are_named_by_their_path() {
        let body = br#"{"kind":"ConfigMap","kind":"ConfigMap","metadata":{"name":"a","labels":{"x":"1","x":"2"}},
            "data":{"a":"1","b":"2","a":"3","a":"4"},
            "spec":{"containers":[{"name":"c"},{"name":"c","name":"d","env":[{"n":1,"n":2}]}]}}"#;
        assert_eq!(
            json_duplicates(body),
            [
                r#"duplicate field "kind""#,
                r#"duplicate field "metadata.labels.x""#,
                r#"duplicate field "data.a""#,
                r#"duplicate field "data.a""#,
                r#"duplicate field "spec.containers[1].name""#,
                r#"duplicate field "spec.containers[1].env[0].n""#,
            ]
        );
        assert!(json_duplicates(br#"{"a":{"b":1},"c":{"b":1},"d":[{"b":1},{"b":1}]}"#).is_empty());
        assert!(json_duplicates(b"not json").is_empty());
        // Large objects too, and escaped keys are the keys they spell.
        let mut big: Vec<String> = (0..40).map(|i| format!("\"k{i}\":{i}")).collect();
        big.push("\"k3\":0".into());
        big.push("\"\\u006b39\":0".into());
        assert_eq!(
            json_duplicates(format!("{{\"data\":{{{}}}}}", big.join(",")).as_bytes()),
            [r#"duplicate field "data.k3""#, r#"duplicate field "data.k39""#]
        );
        // Top-level arrays (a JSON patch) are paths from an index.
        assert_eq!(
            json_duplicates(br#"[{"op":"add","op":"remove"}]"#),
            [r#"duplicate field "[0].op""#]
        );
    }

    #[test]
    fn yaml_duplicates_are_reported_as_go_yaml_does_and_the_last_wins() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: \"1\"\n  a: \"2\"\n";
        assert_eq!(
            yaml_duplicate(text).unwrap(),
            "yaml: unmarshal errors:\n  line 7: key \"a\" already set in map"
        );
        assert_eq!(parse_yaml(text).unwrap()["data"]["a"], "2");
        assert_eq!(yaml_duplicate("a: 1\nb: 2\n"), None);
        // JSON is YAML: an apply body sent as JSON is checked the same way.
        assert!(
            yaml_duplicate(r#"{"data": {"a": "1", "a": "2"}}"#)
                .unwrap()
                .ends_with("line 1: key \"a\" already set in map")
        );
    }

    #[test]
    fn patches_are_shown_as_go_prints_maps() {
        let patch = json!({"data": {"b": "x y", "a": 1}, "list": [true, null, 1.5], "empty": {}});
        assert_eq!(
            go_v(&patch),
            "map[data:map[a:1 b:x y] empty:map[] list:[true <nil> 1.5]]"
        );
    }
}
