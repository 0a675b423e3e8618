#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design
//! `undo`, `create` (files and `create analysisrun`), `terminate analysisrun|experiment` and
//! `retry experiment` run by the real kubectl (`kubectl argo rollouts ...`) against a dev cluster with the
//! Rollouts CRDs installed. `undo` runs once with the controller in-process (which makes the ReplicaSets and
//! revisions), and once with ReplicaSets written the way the controller writes them.

use crate::common;

use std::path::Path;
use std::process::{Output, Stdio};

use common::objects::{BLUE, GREEN, HASH_LABEL, REVISION, YELLOW, get_json, image_of, without_hash};
use common::{Env, assert_only_one_line_error, manifests, output_with_stdin, stderr, stdout, wait_for};
use rollouts_devcluster::testing::temp_dir;
use serde_json::{Value, json};

fn set_rollout_image(env: &Env, name: &str, image: &str) {
    let patch = json!([{"op": "replace", "path": "/spec/template/spec/containers/0/image", "value": image}]);
    env.cluster
        .kubectl_ok(&["patch", "rollout", name, "--type=json", "-p", &patch.to_string()]);
}

/// The Rollout's ReplicaSets (they carry the hash label), with their revision annotation.
fn revisions(env: &Env, app: &str) -> Vec<(String, Value)> {
    let label = format!("app={app}");
    get_json(env, &["get", "rs", "-l", &label, "-o", "json"])["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|rs| rs["metadata"]["labels"][HASH_LABEL].is_string())
        .map(|rs| {
            let revision = rs["metadata"]["annotations"][REVISION].as_str().unwrap_or_default();
            (revision.to_string(), rs.clone())
        })
        .collect()
}

fn wait_revision(env: &Env, app: &str, revision: &str, image: &str) -> Value {
    wait_for(30, &format!("revision {revision} running {image}"), || {
        revisions(env, app)
            .into_iter()
            .find(|(r, rs)| r == revision && image_of(rs) == image)
            .map(|(_, rs)| rs)
    })
}

fn undo_rollout() -> String {
    manifests::rollout("demo", Some(1), "{canary: {}}")
}

#[test]
fn undo_rolls_back_to_the_previous_or_a_given_revision() {
    let Some(env) = Env::start("cli-undo") else { return };
    let _controller = env.start_controller();
    env.apply(&undo_rollout());
    wait_revision(&env, "demo", "1", BLUE);

    // A single revision: nothing to go back to.
    assert_only_one_line_error(
        &env.plugin(&["undo", "demo"]),
        r#"no revision found for rollout "demo""#,
    );

    set_rollout_image(&env, "demo", GREEN);
    let green = wait_revision(&env, "demo", "2", GREEN);
    set_rollout_image(&env, "demo", YELLOW);
    wait_revision(&env, "demo", "3", YELLOW);

    // Default: the revision before the newest one, put back without the hash label.
    assert_eq!(env.plugin_ok(&["undo", "demo"]), "rollout 'demo' undo\n");
    let ro = env.rollout("demo");
    assert_eq!(image_of(&ro), GREEN);
    assert_eq!(ro["spec"]["template"]["metadata"]["labels"], json!({"app": "demo"}));
    assert_eq!(ro["spec"]["template"], without_hash(&green["spec"]["template"]));

    // The controller reuses that ReplicaSet as revision 4; undoing to it again changes nothing.
    wait_revision(&env, "demo", "4", GREEN);
    let generation = env.rollout("demo")["metadata"]["generation"].clone();
    assert_eq!(
        env.plugin_ok(&["undo", "demo", "--to-revision=4"]),
        "skipped rollback (current template already matches revision 4)"
    );
    assert_eq!(env.rollout("demo")["metadata"]["generation"], generation);

    // An explicit revision.
    assert_eq!(
        env.plugin_ok(&["undo", "demo", "--to-revision", "1"]),
        "rollout 'demo' undo\n"
    );
    assert_eq!(image_of(&env.rollout("demo")), BLUE);

    assert_only_one_line_error(
        &env.plugin(&["undo", "demo", "--to-revision=99"]),
        "unable to find specified revision 99 in history",
    );
    assert_only_one_line_error(
        &env.plugin(&["undo", "nope"]),
        r#"rollouts.argoproj.io "nope" not found"#,
    );
    assert_only_one_line_error(
        &env.plugin(&["undo", "demo", "-n", "elsewhere"]),
        r#"rollouts.argoproj.io "demo" not found"#,
    );
    let bad = env.plugin(&["undo", "demo", "--to-revision=two"]);
    assert_eq!(bad.status.code(), Some(1), "{}", stderr(&bad));
    assert!(stderr(&bad).contains("--to-revision"), "{}", stderr(&bad));
    assert!(!stderr(&bad).contains("panicked"), "{}", stderr(&bad));
}

/// A Rollout that takes its template from a workload.
fn workload_rollout(name: &str, kind: &str, workload: &str) -> String {
    format!(
        r"
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: {name}
spec:
  replicas: 0
  selector:
    matchLabels: {{app: {name}}}
  workloadRef:
    apiVersion: apps/v1
    kind: {kind}
    name: {workload}
  strategy:
    canary: {{}}
"
    )
}

/// A ReplicaSet as the controller makes it: controlled by the Rollout, with the hash label and the
/// revision annotation.
fn controller_replica_set(env: &Env, rollout: &str, uid: &str, revision: &str, image: &str) {
    let hash = format!("h{revision}");
    let labels = json!({"app": rollout, HASH_LABEL: hash});
    let rs = json!({
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {
            "name": format!("{rollout}-{hash}"),
            "labels": labels,
            "annotations": {REVISION: revision},
            "ownerReferences": [{
                "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "name": rollout, "uid": uid,
                "controller": true, "blockOwnerDeletion": true
            }]
        },
        "spec": {
            "replicas": 0,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": "app", "image": image}]}
            }
        }
    });
    env.cluster.kubectl_ok_stdin(&["create", "-f", "-"], &rs.to_string());
}

fn uid_of(env: &Env, rollout: &str) -> String {
    env.rollout(rollout)["metadata"]["uid"].as_str().unwrap().to_string()
}

#[test]
fn undo_patches_the_referenced_workload() {
    let Some(env) = Env::start("cli-undo-ref") else { return };
    env.apply(
        r"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: wl-deploy
spec:
  replicas: 0
  selector:
    matchLabels: {app: wl}
  template:
    metadata:
      labels: {app: wl}
    spec:
      containers:
      - name: app
        image: argoproj/rollouts-demo:yellow
",
    );
    env.apply(&workload_rollout("wl", "Deployment", "wl-deploy"));
    let uid = uid_of(&env, "wl");
    controller_replica_set(&env, "wl", &uid, "1", BLUE);
    controller_replica_set(&env, "wl", &uid, "2", GREEN);
    // Controlled by something else: never a candidate.
    controller_replica_set(
        &env,
        "wl",
        "00000000-0000-0000-0000-000000000000",
        "9",
        "someone/else:1",
    );

    assert_eq!(env.plugin_ok(&["undo", "wl"]), "rollout 'wl' undo\n");
    let deploy = get_json(&env, &["get", "deployment", "wl-deploy", "-o", "json"]);
    assert_eq!(image_of(&deploy), BLUE);
    assert_eq!(deploy["spec"]["template"]["metadata"]["labels"], json!({"app": "wl"}));
    assert!(env.rollout("wl")["spec"]["template"].is_null());

    assert_only_one_line_error(
        &env.plugin(&["undo", "wl", "--to-revision=9"]),
        "unable to find specified revision 9 in history",
    );

    // The workload is gone; or is of a kind undo cannot patch.
    env.apply(&workload_rollout("gone", "Deployment", "missing"));
    let uid = uid_of(&env, "gone");
    controller_replica_set(&env, "gone", &uid, "1", BLUE);
    controller_replica_set(&env, "gone", &uid, "2", GREEN);
    assert_only_one_line_error(
        &env.plugin(&["undo", "gone"]),
        r#"failed restoring revision 0: deployments.apps "missing" not found"#,
    );
    env.apply(&workload_rollout("sts", "StatefulSet", "db"));
    let uid = uid_of(&env, "sts");
    controller_replica_set(&env, "sts", &uid, "1", BLUE);
    controller_replica_set(&env, "sts", &uid, "2", GREEN);
    assert_only_one_line_error(
        &env.plugin(&["undo", "sts", "--to-revision=2"]),
        "failed restoring revision 2: workload of type StatefulSet is not supported",
    );
}

fn create_rollout() -> String {
    manifests::rollout("created", None, "{canary: {steps: [{setWeight: 20}]}}")
}

const EXPERIMENT: &str = r"
apiVersion: argoproj.io/v1alpha1
kind: Experiment
metadata:
  name: exp
spec:
  duration: 1m
  templates:
  - name: baseline
    selector:
      matchLabels: {app: exp}
    template:
      metadata:
        labels: {app: exp}
      spec:
        containers:
        - name: app
          image: argoproj/rollouts-demo:blue
";

const TEMPLATE: &str = r"
kind: AnalysisTemplate
apiVersion: argoproj.io/v1alpha1
metadata:
  name: pass
spec:
  args:
  - name: foo
  metrics:
  - name: pass
    interval: 5s
    failureLimit: 1
    provider:
      job:
        spec:
          template:
            spec:
              containers:
              - name: sleep
                image: alpine:3.8
                command: [sh, -c]
                args: [exit 0]
              restartPolicy: Never
          backoffLimit: 0
";

const ANALYSIS_RUN_JSON: &str = r#"{
  "apiVersion": "argoproj.io/v1alpha1",
  "kind": "AnalysisRun",
  "metadata": {"name": "run-json"},
  "spec": {"metrics": [{"name": "web", "provider": {"web": {"url": "http://example.com"}}}]}
}"#;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

fn plugin_with_stdin(env: &Env, args: &[&str], input: &str) -> Output {
    output_with_stdin(env.plugin_command(args), input)
}

#[test]
fn create_makes_the_objects_of_files() {
    let Some(env) = Env::start("cli-create") else { return };
    let dir = temp_dir("cli-create-files");
    std::fs::create_dir_all(&dir).unwrap();
    let rollout = write(&dir, "rollout.yaml", &create_rollout());
    let experiment = write(&dir, "experiment.yaml", EXPERIMENT);
    let template = write(&dir, "template.yaml", TEMPLATE);
    let cluster_template = write(
        &dir,
        "cluster-template.yaml",
        &TEMPLATE.replace("kind: AnalysisTemplate", "kind: ClusterAnalysisTemplate"),
    );
    let run = write(&dir, "run.json", ANALYSIS_RUN_JSON);

    let out = env.plugin_ok(&[
        "create",
        "-f",
        &rollout,
        "-f",
        &experiment,
        "--filename",
        &template,
        "-f",
        &cluster_template,
        "-f",
        &run,
    ]);
    assert_eq!(
        out,
        "rollout.argoproj.io/created created\n\
         experiment.argoproj.io/exp created\n\
         analysistemplate.argoproj.io/pass created\n\
         clusteranalysistemplate.argoproj.io/pass created\n\
         analysisrun.argoproj.io/run-json created\n"
    );
    assert_eq!(image_of(&env.rollout("created")), BLUE);
    env.cluster.kubectl_ok(&["get", "experiment", "exp"]);
    env.cluster.kubectl_ok(&["get", "analysistemplate", "pass"]);
    env.cluster.kubectl_ok(&["get", "clusteranalysistemplate", "pass"]);
    env.cluster.kubectl_ok(&["get", "analysisrun", "run-json"]);

    // Standard input, several documents, and the namespace flag.
    env.cluster.kubectl_ok(&["create", "namespace", "other"]);
    let two = format!(
        "{}---\n{}",
        create_rollout().replace("name: created", "name: first"),
        create_rollout().replace("name: created", "name: second")
    );
    let out = plugin_with_stdin(&env, &["create", "-f", "-", "-n", "other"], &two);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "rollout.argoproj.io/first created\nrollout.argoproj.io/second created\n"
    );
    env.cluster
        .kubectl_ok(&["get", "rollout", "first", "second", "-n", "other"]);

    // Errors: one line, exit 1, nothing created.
    assert_only_one_line_error(
        &env.plugin(&["create", "-f", &rollout]),
        r#"rollouts.argoproj.io "created" already exists"#,
    );
    let missing = dir.join("missing.yaml").to_string_lossy().into_owned();
    assert_only_one_line_error(
        &env.plugin(&["create", "-f", &missing]),
        &format!("open {missing}: no such file or directory"),
    );
    let unknown = write(
        &dir,
        "unknown.yaml",
        &create_rollout()
            .replace("name: unknown-field", "")
            .replace("  strategy:", "  strategee: 1\n  strategy:"),
    );
    assert_only_one_line_error(
        &env.plugin(&["create", "-f", &unknown]),
        r#"error unmarshaling JSON: while decoding JSON: json: unknown field "strategee""#,
    );
    let service = write(
        &dir,
        "service.yaml",
        "apiVersion: v1\nkind: Service\nmetadata: {name: svc}\nspec: {ports: [{port: 80}]}\n",
    );
    assert_only_one_line_error(
        &env.plugin(&["create", "-f", &service]),
        "creates of /Service unsupported",
    );
    let mixed = write(
        &dir,
        "mixed.yaml",
        &format!(
            "{}---\napiVersion: v1\nkind: Service\nmetadata: {{name: svc}}\n",
            create_rollout().replace("name: created", "name: never")
        ),
    );
    assert_only_one_line_error(
        &env.plugin(&["create", "-f", &mixed]),
        "creates of /Service unsupported",
    );
    assert!(!env.cluster.kubectl(&["get", "rollout", "never"]).status.success());
    let malformed = write(&dir, "malformed.yaml", "kind: Rollout\nspec: [unclosed\n");
    let out = env.plugin(&["create", "-f", &malformed]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).starts_with("Error: error converting YAML to JSON: "),
        "{}",
        stderr(&out)
    );
    assert_eq!(stderr(&out).trim_end().lines().count(), 1, "{}", stderr(&out));
    assert_only_one_line_error(
        &env.plugin(&["create", "-f", &rollout, "-f", &experiment, "-w"]),
        "Cannot watch multiple resources",
    );
    let other_template = write(&dir, "t2.yaml", &TEMPLATE.replace("name: pass", "name: watched"));
    let out = env.plugin(&["create", "-f", &other_template, "--watch"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "analysistemplate.argoproj.io/watched created\n");
    assert_eq!(
        stderr(&out),
        "Error: Can only watch resources of type Rollout or Experiment\n"
    );

    // No file: the usage, on stderr.
    let out = env.plugin(&["create"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).is_empty());
    assert!(stderr(&out).contains("Usage:"), "{}", stderr(&out));
}

#[test]
fn create_watch_follows_the_new_rollout() {
    let Some(env) = Env::start("cli-create-watch") else {
        return;
    };
    let dir = temp_dir("cli-create-watch-files");
    std::fs::create_dir_all(&dir).unwrap();
    let rollout = write(&dir, "rollout.yaml", &create_rollout());
    let mut child = env
        .plugin_command(&["create", "-f", &rollout, "-w", "--no-color"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdout.take().unwrap();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
    let sink = seen.clone();
    let reader = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = std::io::Read::read(&mut pipe, &mut buf) {
            if n == 0 {
                break;
            }
            sink.lock().unwrap().push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    let text = wait_for(30, "the watched view of the new rollout", || {
        let text = seen.lock().unwrap().clone();
        text.contains("Name:            created").then_some(text)
    });
    child.kill().unwrap();
    child.wait().unwrap();
    reader.join().unwrap();
    assert!(text.starts_with("rollout.argoproj.io/created created\n"), "{text}");
}

fn analysis_run(env: &Env, name: &str) -> Value {
    get_json(env, &["get", "analysisrun", name, "-o", "json"])
}

#[test]
fn create_analysisrun_builds_a_run_from_a_template() {
    let Some(env) = Env::start("cli-create-ar") else { return };
    env.apply(TEMPLATE);
    env.apply(&TEMPLATE.replace("kind: AnalysisTemplate", "kind: ClusterAnalysisTemplate"));

    assert_eq!(
        env.plugin_ok(&[
            "create",
            "analysisrun",
            "--from",
            "pass",
            "-a",
            "foo=bar",
            "--name",
            "my-run"
        ]),
        "analysisrun.argoproj.io/my-run created\n"
    );
    let run = analysis_run(&env, "my-run");
    let template = get_json(&env, &["get", "analysistemplate", "pass", "-o", "json"]);
    assert_eq!(run["kind"], "AnalysisRun");
    assert_ne!(run["metadata"]["uid"], template["metadata"]["uid"]);
    assert_eq!(run["spec"]["args"], json!([{"name": "foo", "value": "bar"}]));
    assert_eq!(run["spec"]["metrics"][0]["name"], "pass");
    assert_eq!(run["spec"]["metrics"][0]["interval"], "5s");

    // The generated name starts with the template's name.
    let out = env.plugin_ok(&["create", "ar", "--from", "pass", "--argument", "foo=x=y"]);
    let name = out
        .strip_prefix("analysisrun.argoproj.io/")
        .and_then(|rest| rest.strip_suffix(" created\n"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(name.starts_with("pass-") && name.len() > "pass-".len(), "{out}");
    assert_eq!(analysis_run(&env, name)["spec"]["args"][0]["value"], "x=y");
    let out = env.plugin_ok(&[
        "create",
        "ar",
        "--from",
        "pass",
        "-a",
        "foo=1",
        "--generate-name",
        "custom-",
    ]);
    assert!(out.starts_with("analysisrun.argoproj.io/custom-"), "{out}");

    // A ClusterAnalysisTemplate, with an instance id.
    assert_eq!(
        env.plugin_ok(&[
            "create",
            "analysisrun",
            "--global",
            "--from",
            "pass",
            "-a",
            "foo=bar",
            "--name",
            "global-run",
            "--instance-id",
            "test",
        ]),
        "analysisrun.argoproj.io/global-run created\n"
    );
    let run = analysis_run(&env, "global-run");
    assert_eq!(
        run["metadata"]["labels"],
        json!({"argo-rollouts.argoproj.io/controller-instance-id": "test"})
    );

    // From a file, into another namespace.
    let dir = temp_dir("cli-create-ar-files");
    std::fs::create_dir_all(&dir).unwrap();
    let file = write(&dir, "template.yaml", TEMPLATE);
    env.cluster.kubectl_ok(&["create", "namespace", "other"]);
    assert_eq!(
        env.plugin_ok(&[
            "create",
            "analysisrun",
            "--from-file",
            &file,
            "-a",
            "foo=bar",
            "--name",
            "file-run",
            "-n",
            "other"
        ]),
        "analysisrun.argoproj.io/file-run created\n"
    );
    let run = get_json(&env, &["get", "analysisrun", "file-run", "-n", "other", "-o", "json"]);
    assert_eq!(run["spec"]["args"], json!([{"name": "foo", "value": "bar"}]));

    // Errors.
    let no_name = write(
        &dir,
        "no-name.yaml",
        &TEMPLATE.replace("  name: pass\n", "  labels: {a: b}\n"),
    );
    assert_only_one_line_error(
        &env.plugin(&["create", "analysisrun"]),
        "one of --from or --from-file must be specified",
    );
    assert_only_one_line_error(
        &env.plugin(&["create", "analysisrun", "--from", "pass", "--from-file", &file]),
        "one of --from or --from-file must be specified",
    );
    assert_only_one_line_error(
        &env.plugin(&["create", "analysisrun", "--from", "pass", "-a", "bad-syntax"]),
        "arguments must be in the form NAME=VALUE",
    );
    assert_only_one_line_error(
        &env.plugin(&["create", "analysisrun", "--from", "pass"]),
        "args.foo was not resolved",
    );
    assert_only_one_line_error(
        &env.plugin(&["create", "analysisrun", "--from", "nope", "-a", "foo=bar"]),
        r#"analysistemplates.argoproj.io "nope" not found"#,
    );
    assert_only_one_line_error(
        &env.plugin(&["create", "analysisrun", "--global", "--from", "nope", "-a", "foo=bar"]),
        r#"clusteranalysistemplates.argoproj.io "nope" not found"#,
    );
    assert_only_one_line_error(
        &env.plugin(&[
            "create",
            "analysisrun",
            "--from",
            "pass",
            "-a",
            "foo=bar",
            "-n",
            "elsewhere",
        ]),
        r#"analysistemplates.argoproj.io "pass" not found"#,
    );
    assert_only_one_line_error(
        &env.plugin(&["create", "analysisrun", "--from-file", &no_name, "-a", "foo=bar"]),
        "name is invalid",
    );
    assert_only_one_line_error(
        &env.plugin(&[
            "create",
            "analysisrun",
            "--from",
            "pass",
            "-a",
            "foo=bar",
            "--name",
            "my-run",
        ]),
        r#"analysisruns.argoproj.io "my-run" already exists"#,
    );
}

const RUN: &str = r"
apiVersion: argoproj.io/v1alpha1
kind: AnalysisRun
metadata:
  name: run
spec:
  metrics:
  - name: web
    provider:
      web:
        url: http://example.com
";

#[test]
fn terminate_and_retry_patch_runs_and_experiments() {
    let Some(env) = Env::start("cli-terminate") else { return };
    env.apply(RUN);
    env.apply(&RUN.replace("name: run", "name: run2"));
    env.apply(EXPERIMENT);

    assert_eq!(
        env.plugin_ok(&["terminate", "analysisrun", "run"]),
        "analysisRun 'run' terminated\n"
    );
    assert_eq!(analysis_run(&env, "run")["spec"]["terminate"], true);
    assert_eq!(
        env.plugin_ok(&["terminate", "ar", "run", "run2"]),
        "analysisRun 'run' terminated\nanalysisRun 'run2' terminated\n"
    );
    assert_eq!(analysis_run(&env, "run2")["spec"]["terminate"], true);

    // Upstream's message for a terminated experiment says "retried".
    assert_eq!(
        env.plugin_ok(&["terminate", "experiment", "exp"]),
        "experiment 'exp' retried\n"
    );
    let exp = get_json(&env, &["get", "experiment", "exp", "-o", "json"]);
    assert_eq!(exp["spec"]["terminate"], true);

    // Retrying an experiment clears its status.
    env.cluster.kubectl_ok(&[
        "patch",
        "experiment",
        "exp",
        "--type=merge",
        "-p",
        r#"{"status":{"phase":"Failed","message":"boom"}}"#,
    ]);
    assert_eq!(
        get_json(&env, &["get", "experiment", "exp", "-o", "json"])["status"]["phase"],
        "Failed"
    );
    assert_eq!(
        env.plugin_ok(&["retry", "experiment", "exp"]),
        "experiment 'exp' retried\n"
    );
    let exp = get_json(&env, &["get", "experiment", "exp", "-o", "json"]);
    assert!(exp["status"].is_null(), "{exp:#}");
    assert_eq!(env.plugin_ok(&["retry", "exp", "exp"]), "experiment 'exp' retried\n");

    assert_only_one_line_error(
        &env.plugin(&["terminate", "analysisrun", "nope"]),
        r#"analysisruns.argoproj.io "nope" not found"#,
    );
    assert_only_one_line_error(
        &env.plugin(&["terminate", "experiment", "nope"]),
        r#"experiments.argoproj.io "nope" not found"#,
    );
    assert_only_one_line_error(
        &env.plugin(&["retry", "experiment", "nope"]),
        r#"experiments.argoproj.io "nope" not found"#,
    );
    assert_only_one_line_error(
        &env.plugin(&["terminate", "analysisrun", "run", "-n", "elsewhere"]),
        r#"analysisruns.argoproj.io "run" not found"#,
    );
    assert_only_one_line_error(
        &env.plugin(&["retry", "experiment", "exp", "-n", "elsewhere"]),
        r#"experiments.argoproj.io "exp" not found"#,
    );
    // A missing name is a usage error.
    for args in [
        &["terminate", "analysisrun"][..],
        &["terminate"],
        &["retry", "experiment"],
    ] {
        let out = env.plugin(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(stdout(&out).is_empty(), "{args:?}");
        assert!(!stderr(&out).contains("panicked"), "{args:?}");
    }
}
