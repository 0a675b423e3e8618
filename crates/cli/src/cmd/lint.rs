//! `kubectl argo rollouts lint -f FILE`: strictly decodes the Rollouts of a manifest file (`-` for stdin)
//! and validates them, together with the Services of the same file that they reference.

use std::io::Read;

use anyhow::anyhow;
use rollouts_api::Rollout;
use rollouts_api::decode::{DecodeError, GROUP, Manifest, decode_strict, documents};
use rollouts_api::validation::{FieldError, referenced_services, validate_rollout, validate_rollout_services};
use rollouts_api::well_known::annotations;
use serde_json::Value;

/// Lint and validate a Rollout
///
/// This command lints and validates a new Rollout resource from a file.
#[derive(Clone, Debug, clap::Args)]
pub struct LintArgs {
    /// File to lint
    #[arg(short = 'f', long = "filename", value_name = "FILE")]
    pub filename: Option<String>,
}

/// Reads `path` (`-`: stdin) and lints it: see [`lint_text`].
pub fn run(path: &str, out: &mut impl std::io::Write) -> anyhow::Result<()> {
    let text = if path == "-" {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text)?;
        text
    } else {
        std::fs::read_to_string(path).map_err(|e| anyhow!("open {path}: {}", io_reason(&e)))?
    };
    lint_text(&text, out)
}

/// Go's wording of the common file errors.
fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Lints a manifest stream: every problem's body is written to `out`, one a line, and the first
/// problem is returned as the error (`spec.strategy.maxSurge: Invalid value: 0: ...`). A valid stream
/// writes nothing.
pub fn lint_text(text: &str, out: &mut impl std::io::Write) -> anyhow::Result<()> {
    let docs = documents(text).map_err(|e| anyhow!("{}", decode_message(&e)))?;
    let mut rollouts = Vec::new();
    let mut others = Vec::new();
    for (i, doc) in docs.into_iter().enumerate() {
        if is_rollout(&doc) {
            match decode_strict(i + 1, doc) {
                Ok(Manifest::Rollout(ro)) => rollouts.push(*ro),
                Ok(_) => {}
                Err(e) => return Err(anyhow!("{}", decode_message(&e))),
            }
        } else {
            others.push(doc);
        }
    }
    let errors = lint_rollouts(&rollouts, &others);
    for e in &errors {
        writeln!(out, "{}", e.body())?;
    }
    match errors.into_iter().next() {
        Some(first) => Err(anyhow!("{first}")),
        None => Ok(()),
    }
}

fn is_rollout(doc: &Value) -> bool {
    let group = doc
        .get("apiVersion")
        .and_then(Value::as_str)
        .and_then(|v| v.split_once('/'))
        .map(|(group, _)| group);
    group == Some(GROUP) && doc.get("kind").and_then(Value::as_str) == Some("Rollout")
}

/// The message of a decoding error, in the words of the Go decoder where it has them.
fn decode_message(e: &DecodeError) -> String {
    match e {
        DecodeError::UnknownField { field, .. } => {
            format!("error unmarshaling JSON: while decoding JSON: json: unknown field \"{field}\"")
        }
        DecodeError::Field { path, message, .. } => {
            format!("error unmarshaling JSON: while decoding JSON: json: {path}: {message}")
        }
        DecodeError::Syntax { message, .. } => format!("error converting YAML to JSON: {message}"),
    }
}

/// Problems of each Rollout, then of its references. A Service referenced by Rollouts of the file
/// belongs to the last of them that references it, and is checked only against that one.
pub fn lint_rollouts(rollouts: &[Rollout], others: &[Value]) -> Vec<FieldError> {
    let services: Vec<(Value, Option<String>)> = others
        .iter()
        .filter(|o| o.get("kind").and_then(Value::as_str) == Some("Service"))
        .map(|svc| {
            let name = svc
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let owner = rollouts
                .iter()
                .rev()
                .find(|ro| referenced_services(ro).iter().any(|(_, s)| s == name))
                .and_then(|ro| ro.metadata.name.clone());
            let mut svc = svc.clone();
            if let Some(a) = svc.pointer_mut("/metadata/annotations").and_then(Value::as_object_mut) {
                a.remove(annotations::MANAGED_BY_ROLLOUTS);
            }
            (svc, owner)
        })
        .collect();
    let mut errors = Vec::new();
    for ro in rollouts {
        errors.extend(validate_rollout(ro));
        let mine: Vec<Value> = services
            .iter()
            .filter(|(_, owner)| owner.is_some() && *owner == ro.metadata.name)
            .map(|(svc, _)| svc.clone())
            .collect();
        errors.extend(validate_rollout_services(ro, &mine));
    }
    errors
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const VALID: &str = r"
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: r}
spec:
  selector: {matchLabels: {app: r}}
  template:
    metadata: {labels: {app: r}}
    spec: {containers: [{name: c, image: nginx}]}
  strategy: {canary: {canaryService: svc}}
---
apiVersion: v1
kind: Service
metadata: {name: svc}
spec: {selector: {app: r}}
";

    #[test]
    fn valid_stream_prints_nothing() {
        let mut out = Vec::new();
        lint_text(VALID, &mut out).unwrap();
        assert!(out.is_empty());
    }

    #[test]
    fn unmatched_service_label_is_reported() {
        let text = VALID.replace("selector: {app: r}}", "selector: {app: other}}");
        let mut out = Vec::new();
        let err = lint_text(&text, &mut out).unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"spec.strategy.canary.canaryService: Invalid value: "svc": Service "svc" has unmatch label "app" in rollout"#
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "Invalid value: \"svc\": Service \"svc\" has unmatch label \"app\" in rollout\n"
        );
    }

    #[test]
    fn unknown_fields_are_rejected() {
        let text = VALID.replace("canary: {", "bogus: 1, canary: {");
        let err = lint_text(&text, &mut Vec::new()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "error unmarshaling JSON: while decoding JSON: json: unknown field \"bogus\""
        );
    }
}
