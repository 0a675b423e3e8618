//! Semantic rules of built-in kinds beyond their types (the ones clients trip over), and of CRDs.

use serde_json::Value;

use crate::registry::ResourceType;
use crate::selectors::LabelSelector;
use crate::server::error::Cause;

fn invalid(field: &str, value: &Value, message: &str) -> Cause {
    Cause {
        reason: "FieldValueInvalid".into(),
        field: field.into(),
        message: format!("Invalid value: {value}: {message}"),
    }
}

fn required(field: &str, message: &str) -> Cause {
    let text = if message.is_empty() {
        "Required value".to_string()
    } else {
        format!("Required value: {message}")
    };
    Cause {
        reason: "FieldValueRequired".into(),
        field: field.into(),
        message: text,
    }
}

fn workload(obj: &Value, out: &mut Vec<Cause>) {
    let selector = obj.pointer("/spec/selector");
    let parsed = selector.map(LabelSelector::from_object);
    match parsed {
        None => out.push(required("spec.selector", "")),
        Some(Err(e)) => out.push(invalid(
            "spec.selector",
            selector.unwrap_or(&Value::Null),
            &e.to_string(),
        )),
        Some(Ok(sel)) if sel.is_empty() => out.push(invalid(
            "spec.selector",
            selector.unwrap_or(&Value::Null),
            "empty selector is invalid for deployment",
        )),
        Some(Ok(sel)) => {
            let labels = obj.pointer("/spec/template/metadata/labels");
            if !sel.matches(labels.and_then(Value::as_object)) {
                out.push(invalid(
                    "spec.template.metadata.labels",
                    labels.unwrap_or(&Value::Null),
                    "`selector` does not match template `labels`",
                ));
            }
        }
    }
    if let Some(r) = obj.pointer("/spec/replicas").and_then(Value::as_i64)
        && r < 0
    {
        out.push(invalid(
            "spec.replicas",
            &Value::from(r),
            "must be greater than or equal to 0",
        ));
    }
}

fn pod_spec(spec: Option<&Value>, field: &str, out: &mut Vec<Cause>) {
    let containers = spec.and_then(|s| s.get("containers")).and_then(Value::as_array);
    if containers.is_none_or(Vec::is_empty) {
        out.push(required(&format!("{field}.containers"), ""));
    }
    for (i, c) in containers.into_iter().flatten().enumerate() {
        if c.get("image").and_then(Value::as_str).is_none_or(str::is_empty) {
            out.push(required(&format!("{field}.containers[{i}].image"), ""));
        }
    }
}

/// Problems with an object of a built-in kind (or a CRD), as 422 causes.
pub fn check(rt: &ResourceType, obj: &Value) -> Result<(), Vec<Cause>> {
    let mut out = Vec::new();
    match (rt.group.as_str(), rt.kind.as_str()) {
        ("apps", "ReplicaSet" | "Deployment") => {
            workload(obj, &mut out);
            pod_spec(obj.pointer("/spec/template/spec"), "spec.template.spec", &mut out);
        }
        ("batch", "Job") => {
            pod_spec(obj.pointer("/spec/template/spec"), "spec.template.spec", &mut out);
            let policy = obj
                .pointer("/spec/template/spec/restartPolicy")
                .cloned()
                .unwrap_or(Value::Null);
            if !matches!(policy.as_str(), Some("OnFailure" | "Never")) {
                out.push(Cause {
                    reason: "FieldValueNotSupported".into(),
                    field: "spec.template.spec.restartPolicy".into(),
                    message: format!("Unsupported value: {policy}: supported values: \"OnFailure\", \"Never\""),
                });
            }
        }
        ("", "Pod") => pod_spec(obj.get("spec"), "spec", &mut out),
        ("", "Service") => {
            let kind = obj.pointer("/spec/type").and_then(Value::as_str).unwrap_or("ClusterIP");
            let headless = obj.pointer("/spec/clusterIP").and_then(Value::as_str) == Some("None");
            let no_ports = obj
                .pointer("/spec/ports")
                .and_then(Value::as_array)
                .is_none_or(Vec::is_empty);
            if no_ports && kind != "ExternalName" && !headless {
                out.push(required("spec.ports", ""));
            }
        }
        ("apiextensions.k8s.io", "CustomResourceDefinition") => {
            if let Err(e) = crate::registry::from_crd(obj) {
                let crate::registry::CrdError::Invalid { field, message } = e;
                out.push(Cause {
                    reason: "FieldValueInvalid".into(),
                    message,
                    field,
                });
            }
            for (i, version) in obj
                .pointer("/spec/versions")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                if let Some(schema) = version.pointer("/schema/openAPIV3Schema") {
                    for problem in crate::schema::check_structural(schema) {
                        out.push(Cause {
                            reason: "FieldValueInvalid".into(),
                            // The problem names its own path inside the schema.
                            field: String::new(),
                            message: problem.replace(
                                "spec.validation.openAPIV3Schema",
                                &format!("spec.versions[{i}].schema.openAPIV3Schema"),
                            ),
                        });
                    }
                }
            }
        }
        _ => {}
    }
    if out.is_empty() { Ok(()) } else { Err(out) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::Registry;
    use serde_json::json;

    #[test]
    fn workloads_need_a_selector_matching_their_template() {
        let rs = Registry::with_builtins().get("apps", "v1", "replicasets").unwrap();
        let good = json!({"spec": {"selector": {"matchLabels": {"app": "a"}}, "template": {"metadata": {"labels": {"app": "a"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}}}});
        assert!(check(&rs, &good).is_ok());
        let mut bad = good.clone();
        bad["spec"]["template"]["metadata"]["labels"]["app"] = json!("b");
        let causes = check(&rs, &bad).unwrap_err();
        assert!(
            causes[0]
                .message
                .contains("`selector` does not match template `labels`")
        );
        bad["spec"]["selector"] = json!({});
        assert!(check(&rs, &bad).unwrap_err()[0].message.contains("empty selector"));
    }

    #[test]
    fn jobs_may_not_restart_always() {
        let job = Registry::with_builtins().get("batch", "v1", "jobs").unwrap();
        let j = json!({"spec": {"template": {"spec": {"restartPolicy": "Always", "containers": [{"name": "c", "image": "i"}]}}}});
        assert_eq!(check(&job, &j).unwrap_err()[0].reason, "FieldValueNotSupported");
    }
}
