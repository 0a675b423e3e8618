//! `fieldValidation` on duplicated fields: `Strict` refuses them with kube-apiserver's messages, `Warn` (the
//! default) answers `Warning` headers (kubectl prints them), `Ignore` neither; the last value wins. Unknown
//! fields are warned about the same way.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use common::{kubectl_err, stderr};
use rollouts_devcluster::testing::{RawResponse, TestCluster, kubectl_available};

const CONFIGMAPS: &str = "/api/v1/namespaces/default/configmaps";

fn duplicated(name: &str) -> String {
    format!(r#"{{"apiVersion":"v1","kind":"ConfigMap","metadata":{{"name":"{name}"}},"data":{{"a":"1","a":"2"}}}}"#)
}

fn write_file(tc: &TestCluster, name: &str, text: &str) -> String {
    let path = tc.dir().join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

fn send(tc: &TestCluster, method: &str, path: &str, content_type: &str, body: &str) -> RawResponse {
    tc.request(method, path, &[("Content-Type", content_type)], body.as_bytes())
        .unwrap()
}

fn data_a(tc: &TestCluster, name: &str) -> serde_json::Value {
    let got = tc.request("GET", &format!("{CONFIGMAPS}/{name}"), &[], b"").unwrap();
    assert_eq!(got.status, 200, "{got:?}");
    got.json()["data"]["a"].clone()
}

#[test]
fn kubectl_sees_duplicated_fields_refused_or_warned_about() {
    if !kubectl_available() {
        return;
    }
    let tc = TestCluster::start().unwrap();
    let file = write_file(&tc, "dup.json", &duplicated("strict"));
    let strict = format!("{CONFIGMAPS}?fieldValidation=Strict");
    let err = kubectl_err(&tc, &["create", "--raw", &strict, "-f", &file]);
    assert_eq!(
        err,
        "Error from server (BadRequest): ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding error: duplicate field \"data.a\"\n"
    );
    assert!(common::is_gone(&tc, &["configmap", "strict"]));

    // Warn, asked for or by default: created with the last value, and kubectl prints the warning.
    for (name, query) in [("warned", "?fieldValidation=Warn"), ("default", "")] {
        let file = write_file(&tc, &format!("{name}.json"), &duplicated(name));
        let out = tc.kubectl(&["create", "--raw", &format!("{CONFIGMAPS}{query}"), "-f", &file]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(stderr(&out), "Warning: duplicate field \"data.a\"\n");
        assert_eq!(data_a(&tc, name), "2");
    }
    let file = write_file(&tc, "ignored.json", &duplicated("ignored"));
    let ignore = format!("{CONFIGMAPS}?fieldValidation=Ignore");
    let out = tc.kubectl(&["create", "--raw", &ignore, "-f", &file]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stderr(&out), "");

    // An update is refused too, even one that would change nothing.
    let replace = format!("{CONFIGMAPS}/warned?fieldValidation=Strict");
    let file = write_file(&tc, "replace.json", &duplicated("warned"));
    let err = kubectl_err(&tc, &["replace", "--raw", &replace, "-f", &file]);
    assert!(
        err.ends_with("strict decoding error: duplicate field \"data.a\"\n"),
        "{err}"
    );

    // Duplicated and unknown fields together, in one message.
    let both = r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"both","name":"both"},"bogus":1}"#;
    let file = write_file(&tc, "both.json", both);
    let err = kubectl_err(&tc, &["create", "--raw", &strict, "-f", &file]);
    assert!(
        err.ends_with("strict decoding error: duplicate field \"metadata.name\", unknown field \"bogus\"\n"),
        "{err}"
    );

    // kubectl reads manifests into objects before sending them, so a duplicated key in a file never reaches
    // the server (the last value wins), as with any cluster; unknown fields do, and are warned about.
    let manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  a: \"1\"\n  a: \"2\"\n";
    let file = write_file(&tc, "dup.yaml", manifest);
    tc.kubectl_ok(&["create", "--validate=strict", "-f", &file]);
    assert_eq!(data_a(&tc, "from-yaml"), "2");
    let unknown = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: unknown\nbogus: 1\n";
    let file = write_file(&tc, "unknown.yaml", unknown);
    let out = tc.kubectl(&["create", "--validate=warn", "-f", &file]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stderr(&out), "Warning: unknown field \"bogus\"\n");
}

#[test]
fn duplicated_fields_of_patches_and_applies() {
    let tc = TestCluster::start().unwrap();
    let created = send(&tc, "POST", CONFIGMAPS, "application/json", &duplicated("p"));
    assert_eq!(created.status, 201, "{created:?}");
    assert_eq!(
        created.header_values("warning"),
        [r#"299 - "duplicate field \"data.a\"""#]
    );
    let object = format!("{CONFIGMAPS}/p");

    // A merge patch: 422 on `patch`, showing the patched object.
    let patch = r#"{"data":{"a":"3","a":"4"}}"#;
    let strict = format!("{object}?fieldValidation=Strict");
    let refused = send(&tc, "PATCH", &strict, "application/merge-patch+json", patch);
    assert_eq!(refused.status, 422, "{refused:?}");
    let status = refused.json();
    assert_eq!(status["reason"], "Invalid");
    let cause = &status["details"]["causes"][0];
    assert_eq!(cause["field"], "patch");
    let message = cause["message"].as_str().unwrap();
    assert!(message.starts_with("Invalid value: \"{"), "{message}");
    assert!(
        message.ends_with("\": strict decoding error: duplicate field \"data.a\""),
        "{message}"
    );
    assert_eq!(
        status["message"].as_str().unwrap(),
        format!(" \"\" is invalid: patch: {message}")
    );
    assert_eq!(data_a(&tc, "p"), "2");

    // A strategic merge patch shows the patch as Go prints it.
    let refused = send(&tc, "PATCH", &strict, "application/strategic-merge-patch+json", patch);
    assert_eq!(refused.status, 422, "{refused:?}");
    assert_eq!(
        refused.json()["details"]["causes"][0]["message"],
        "Invalid value: \"map[data:map[a:4]]\": strict decoding error: duplicate field \"data.a\""
    );
    // Warned about, the patch applies with its last value.
    let warned = send(&tc, "PATCH", &object, "application/merge-patch+json", patch);
    assert_eq!(warned.status, 200, "{warned:?}");
    assert_eq!(
        warned.header_values("warning"),
        [r#"299 - "duplicate field \"data.a\"""#]
    );
    assert_eq!(data_a(&tc, "p"), "4");

    // Server-side apply checks the applied YAML as go-yaml does.
    let applied = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: p\ndata:\n  a: \"5\"\n  a: \"6\"\n";
    let apply = format!("{object}?fieldManager=test&fieldValidation=Strict");
    let refused = send(&tc, "PATCH", &apply, "application/apply-patch+yaml", applied);
    assert_eq!(refused.status, 400, "{refused:?}");
    assert_eq!(
        refused.json()["message"],
        "error strict decoding YAML: error converting YAML to JSON: yaml: unmarshal errors:\n  line 7: key \"a\" already set in map"
    );
    assert_eq!(data_a(&tc, "p"), "4");
    let apply = format!("{object}?fieldManager=test");
    let warned = send(&tc, "PATCH", &apply, "application/apply-patch+yaml", applied);
    assert_eq!(warned.status, 200, "{warned:?}");
    assert_eq!(
        warned.header_values("warning"),
        [r#"299 - "error converting YAML to JSON: yaml: unmarshal errors:   line 7: key \"a\" already set in map""#]
    );
    assert_eq!(data_a(&tc, "p"), "6");
    let apply = format!("{object}?fieldManager=test&fieldValidation=Ignore");
    let ignored = send(&tc, "PATCH", &apply, "application/apply-patch+yaml", applied);
    assert_eq!(ignored.status, 200, "{ignored:?}");
    assert!(ignored.header_values("warning").is_empty(), "{ignored:?}");

    // A YAML body for a create.
    let yaml = applied.replace("name: p", "name: yaml-body");
    let strict = format!("{CONFIGMAPS}?fieldValidation=Strict");
    let refused = send(&tc, "POST", &strict, "application/yaml", &yaml);
    assert_eq!(refused.status, 400, "{refused:?}");
    assert_eq!(
        refused.json()["message"],
        "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding error: yaml: unmarshal errors:\n  line 7: key \"a\" already set in map"
    );
}

/// `kubectl apply` of an object with a field its kind does not have: kube-apiserver answers `Warning: 299 -
/// "unknown field \"spec.foo\""` and kubectl prints it; a clean object is applied without a word on stderr.
#[test]
fn kubectl_apply_prints_unknown_field_warnings() {
    if !kubectl_available() {
        return;
    }
    let tc = TestCluster::start().unwrap();
    let service = |name: &str, extra: &str| {
        format!("apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\nspec:\n{extra}  ports:\n  - port: 80\n")
    };
    let apply = ["apply", "--validate=warn", "-f", "-"];

    let out = tc.kubectl_stdin(&apply, &service("web", "  foo: 1\n"));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stderr(&out), "Warning: unknown field \"spec.foo\"\n");
    assert_eq!(common::stdout(&out), "service/web created\n");
    let stored = tc.kubectl_ok(&["get", "service", "web", "-o", "jsonpath={.spec}"]);
    assert!(!stored.contains("foo") && stored.contains("\"port\":80"), "{stored}");

    // Server-side apply is warned about the same way.
    let out = tc.kubectl_stdin(
        &["apply", "--server-side", "--validate=warn", "-f", "-"],
        &service("ssa", "  foo: 1\n"),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stderr(&out), "Warning: unknown field \"spec.foo\"\n");

    // Clean objects: created, applied again unchanged, server-side applied, with nothing on stderr.
    for (args, want) in [
        (&apply[..], "service/clean created\n"),
        (&apply[..], "service/clean unchanged\n"),
        (
            &["apply", "--server-side", "--validate=warn", "-f", "-"][..],
            "service/clean serverside-applied\n",
        ),
    ] {
        let out = tc.kubectl_stdin(args, &service("clean", ""));
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(stderr(&out), "", "kubectl {}", args.join(" "));
        assert_eq!(common::stdout(&out), want);
    }
}
