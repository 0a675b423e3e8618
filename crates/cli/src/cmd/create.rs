//! `kubectl argo rollouts create -f FILE... [-w]`: creates the Rollouts, Experiments, AnalysisTemplates,
//! ClusterAnalysisTemplates and AnalysisRuns of manifest files; and `create analysisrun`, which builds an
//! AnalysisRun from an AnalysisTemplate or ClusterAnalysisTemplate (in the cluster or in a file) and its
//! arguments.

use std::io::Read;

use anyhow::anyhow;
use kube::api::{Api, DynamicObject, PostParams};
use kube::core::ApiResource;
use rollouts_api::analysis::Argument;
use rollouts_api::decode::{DecodeError, GROUP, decode_strict, documents};
use rollouts_api::well_known::labels;
use rollouts_api::{AnalysisRun, AnalysisTemplate, ClusterAnalysisTemplate, Experiment, Rollout};
use serde_json::{Map, Value, json};

use crate::client::Connection;
use crate::client::resources::untyped;
use crate::cmd::get::{self, ViewOptions};

/// Create a Rollout, Experiment, AnalysisTemplate, ClusterAnalysisTemplate, or AnalysisRun resource
///
/// This command creates a new Rollout, Experiment, AnalysisTemplate, ClusterAnalysisTemplate, or AnalysisRun
/// resource from a file.
#[derive(Clone, Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct CreateArgs {
    #[command(subcommand)]
    pub what: Option<CreateCommand>,
    /// Files to use to create the resource
    #[arg(short = 'f', long = "filename", value_name = "FILE")]
    pub filenames: Vec<String>,
    /// Watch live updates to the resource after creating
    #[arg(short = 'w', long)]
    pub watch: bool,
    /// Do not colorize output
    #[arg(long)]
    pub no_color: bool,
}

// `create`'s subcommands (a doc comment here would replace `create`'s own help text).
#[derive(Clone, Debug, clap::Subcommand)]
pub enum CreateCommand {
    #[command(visible_aliases = ["ar"])]
    Analysisrun(AnalysisRunArgs),
}

/// Runs `create -f FILE...` (then, with `-w`, `get rollout|experiment --watch` of the first object
/// created) or `create analysisrun`.
pub async fn run(conn: &Connection, args: &CreateArgs, out: &mut impl std::io::Write) -> anyhow::Result<()> {
    match &args.what {
        Some(CreateCommand::Analysisrun(run)) => run_analysis_run(conn, run, out).await,
        None => match create_files(conn, &args.filenames, args.watch, out).await? {
            Some(WatchTarget::Rollout(name)) => {
                get::show_rollout(conn, &name, &ViewOptions::watching(args.no_color)).await
            }
            Some(WatchTarget::Experiment(name)) => {
                get::show_experiment(conn, &name, &ViewOptions::watching(args.no_color)).await
            }
            None => Ok(()),
        },
    }
}

/// What `create -w` goes on to watch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WatchTarget {
    /// `get rollout NAME --watch`.
    Rollout(String),
    /// `get experiment NAME --watch`.
    Experiment(String),
}

/// The five kinds `create -f` accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Rollout,
    Experiment,
    AnalysisTemplate,
    ClusterAnalysisTemplate,
    AnalysisRun,
}

impl Kind {
    fn parse(kind: &str) -> Option<Kind> {
        Some(match kind {
            "Rollout" => Kind::Rollout,
            "Experiment" => Kind::Experiment,
            "AnalysisTemplate" => Kind::AnalysisTemplate,
            "ClusterAnalysisTemplate" => Kind::ClusterAnalysisTemplate,
            "AnalysisRun" => Kind::AnalysisRun,
            _ => return None,
        })
    }

    fn resource(self) -> ApiResource {
        match self {
            Kind::Rollout => ApiResource::erase::<Rollout>(&()),
            Kind::Experiment => ApiResource::erase::<Experiment>(&()),
            Kind::AnalysisTemplate => ApiResource::erase::<AnalysisTemplate>(&()),
            Kind::ClusterAnalysisTemplate => ApiResource::erase::<ClusterAnalysisTemplate>(&()),
            Kind::AnalysisRun => ApiResource::erase::<AnalysisRun>(&()),
        }
    }

    /// The singular resource name printed in `<singular>.argoproj.io/<name> created`.
    fn singular(self) -> &'static str {
        match self {
            Kind::Rollout => "rollout",
            Kind::Experiment => "experiment",
            Kind::AnalysisTemplate => "analysistemplate",
            Kind::ClusterAnalysisTemplate => "clusteranalysistemplate",
            Kind::AnalysisRun => "analysisrun",
        }
    }
}

/// One object of a file, checked and ready to be created.
struct Pending {
    kind: Kind,
    namespace: String,
    object: Value,
}

/// Creates the objects of each file in turn (`-` is stdin), printing `<kind>.argoproj.io/<name> created`
/// for each; stops at the first error. Every document of a file is checked before any is created. With
/// `watch`, returns the object to watch: the first one created, which must be a Rollout or an Experiment.
pub async fn create_files(
    conn: &Connection,
    files: &[String],
    watch: bool,
    out: &mut impl std::io::Write,
) -> anyhow::Result<Option<WatchTarget>> {
    if files.len() > 1 && watch {
        anyhow::bail!("Cannot watch multiple resources");
    }
    let mut first: Option<(Kind, String)> = None;
    for file in files {
        let text = read_file(file)?;
        let pending = parse_file(&text, &conn.namespace)?;
        for item in pending {
            let name = create(conn, &item).await?;
            writeln!(out, "{}.{GROUP}/{name} created", item.kind.singular())?;
            first.get_or_insert((item.kind, name));
        }
    }
    if !watch {
        return Ok(None);
    }
    match first {
        Some((Kind::Rollout, name)) => Ok(Some(WatchTarget::Rollout(name))),
        Some((Kind::Experiment, name)) => Ok(Some(WatchTarget::Experiment(name))),
        _ => anyhow::bail!("Can only watch resources of type Rollout or Experiment"),
    }
}

async fn create(conn: &Connection, item: &Pending) -> anyhow::Result<String> {
    let resource = item.kind.resource();
    let api: Api<DynamicObject> = match item.kind {
        Kind::ClusterAnalysisTemplate => Api::all_with(conn.client.clone(), &resource),
        _ => Api::namespaced_with(conn.client.clone(), &item.namespace, &resource),
    };
    let object: DynamicObject = serde_json::from_value(item.object.clone())?;
    let created = api.create(&PostParams::default(), &object).await?;
    Ok(created.metadata.name.unwrap_or_default())
}

/// Reads a file (`-`: stdin), with Go's wording of the common errors.
pub fn read_file(path: &str) -> anyhow::Result<String> {
    if path == "-" {
        let mut text = String::new();
        std::io::stdin().read_to_string(&mut text)?;
        return Ok(text);
    }
    std::fs::read_to_string(path).map_err(|e| {
        let reason = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            std::io::ErrorKind::IsADirectory => "is a directory".to_string(),
            _ => e.to_string(),
        };
        if e.kind() == std::io::ErrorKind::IsADirectory {
            anyhow!("read {path}: {reason}")
        } else {
            anyhow!("open {path}: {reason}")
        }
    })
}

/// Whether the text is JSON rather than YAML: its first non-blank character opens an object.
fn is_json(text: &str) -> bool {
    text.trim_start().starts_with('{')
}

/// The objects of a manifest, each decoded strictly (fields the kind does not have are refused), with
/// the namespace it goes to: its own `metadata.namespace`, else `namespace`.
fn parse_file(text: &str, namespace: &str) -> anyhow::Result<Vec<Pending>> {
    let json = is_json(text);
    let docs = parse_documents(text)?;
    if docs.is_empty() {
        anyhow::bail!("{}", missing_kind(&Value::Null, json));
    }
    let mut pending = Vec::new();
    for (i, doc) in docs.into_iter().enumerate() {
        let kind = doc.get("kind").and_then(Value::as_str).unwrap_or_default();
        if kind.is_empty() {
            anyhow::bail!("{}", missing_kind(&doc, json));
        }
        let group = doc
            .get("apiVersion")
            .and_then(Value::as_str)
            .map(|v| v.rsplit_once('/').map_or("", |(group, _)| group))
            .unwrap_or_default();
        let known = if group == GROUP { Kind::parse(kind) } else { None };
        let Some(kind) = known else {
            anyhow::bail!("creates of {group}/{kind} unsupported");
        };
        decode_strict(i + 1, doc.clone()).map_err(|e| anyhow!("{}", decode_message(&e, json)))?;
        let namespace = doc
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or(namespace)
            .to_string();
        pending.push(Pending {
            kind,
            namespace,
            object: doc,
        });
    }
    Ok(pending)
}

/// The documents of a YAML or JSON stream (JSON: one or more concatenated values).
fn parse_documents(text: &str) -> anyhow::Result<Vec<Value>> {
    if is_json(text) {
        let mut docs = Vec::new();
        for doc in serde_json::Deserializer::from_str(text).into_iter::<Value>() {
            docs.push(doc.map_err(|e| anyhow!("{e}"))?);
        }
        return Ok(docs);
    }
    documents(text).map_err(|e| anyhow!("{}", decode_message(&e, false)))
}

/// Go's error for an object without a kind (YAML goes through a JSON conversion that prefixes it).
fn missing_kind(doc: &Value, json: bool) -> String {
    let message = format!("Object 'Kind' is missing in '{doc}'");
    if json {
        message
    } else {
        format!("error unmarshaling JSON: while decoding JSON: {message}")
    }
}

/// The message of a decoding error in the words of Go's decoders: YAML errors carry the prefix of the
/// YAML-to-JSON conversion, JSON errors do not.
fn decode_message(e: &DecodeError, json: bool) -> String {
    let prefix = if json {
        ""
    } else {
        "error unmarshaling JSON: while decoding JSON: "
    };
    match e {
        DecodeError::UnknownField { field, .. } => format!("{prefix}json: unknown field \"{field}\""),
        DecodeError::Field { path, message, .. } => format!("{prefix}json: {path}: {message}"),
        DecodeError::Syntax { message, .. } => format!("error converting YAML to JSON: {message}"),
    }
}

/// Create an AnalysisRun from an AnalysisTemplate or a ClusterAnalysisTemplate
///
/// This command creates a new AnalysisRun from an existing AnalysisTemplate resources or from an
/// AnalysisTemplate file.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct AnalysisRunArgs {
    /// Use the specified name for the run
    #[arg(long)]
    pub name: Option<String>,
    /// Use the specified generateName for the run
    #[arg(long)]
    pub generate_name: Option<String>,
    /// Instance-ID for the AnalysisRun
    #[arg(long)]
    pub instance_id: Option<String>,
    /// Arguments to the parameter template
    #[arg(short = 'a', long = "argument")]
    pub arguments: Vec<String>,
    /// Create an AnalysisRun from an AnalysisTemplate or ClusterAnalysisTemplate in the cluster
    #[arg(long)]
    pub from: Option<String>,
    /// Create an AnalysisRun from an AnalysisTemplate or ClusterAnalysisTemplate in a local file
    #[arg(long)]
    pub from_file: Option<String>,
    /// Use a ClusterAnalysisTemplate instead of a AnalysisTemplate
    #[arg(long)]
    pub global: bool,
}

/// A flag's value, empty when not given: an empty value counts as not given, as upstream's string flags
/// (empty by default) do.
fn flag(value: &Option<String>) -> &str {
    value.as_deref().unwrap_or_default()
}

/// Parses `NAME=VALUE` arguments (the value may contain `=`).
pub fn parse_arguments(flags: &[String]) -> anyhow::Result<Vec<Argument>> {
    flags
        .iter()
        .map(|flag| match flag.split_once('=') {
            Some((name, value)) => Ok(Argument {
                name: name.to_string(),
                value: Some(value.to_string()),
                value_from: None,
            }),
            None => Err(anyhow!("arguments must be in the form NAME=VALUE")),
        })
        .collect()
}

/// Gives the template's arguments the values passed for them (arguments the template does not declare
/// are ignored); every argument must then have a value or a `valueFrom`.
pub fn merge_args(incoming: &[Argument], template: &[Argument]) -> anyhow::Result<Vec<Argument>> {
    let mut merged = template.to_vec();
    for arg in incoming {
        if let Some(target) = merged.iter_mut().find(|t| t.name == arg.name) {
            if arg.value.is_some() {
                target.value.clone_from(&arg.value);
            } else if arg.value_from.is_some() {
                target.value_from.clone_from(&arg.value_from);
            }
        }
    }
    if let Some(unresolved) = merged.iter().find(|a| a.value.is_none() && a.value_from.is_none()) {
        anyhow::bail!("args.{} was not resolved", unresolved.name);
    }
    Ok(merged)
}

/// Go's name of the type of a decoded JSON value, for accessor errors.
fn go_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "<nil>",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float64",
        Value::Number(_) => "int64",
        Value::String(_) => "string",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
    }
}

fn accessor_error(path: &str, value: &Value, expected: &str) -> anyhow::Error {
    let shown = match value {
        Value::Null => "<nil>".to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    anyhow!(
        "{path} accessor error: {shown} is of the type {}, expected {expected}",
        go_type(value)
    )
}

/// The object's `metadata`, created when absent.
fn metadata_mut(object: &mut Map<String, Value>) -> anyhow::Result<&mut Map<String, Value>> {
    let metadata = object.entry("metadata").or_insert_with(|| Value::Object(Map::new()));
    if !metadata.is_object() {
        return Err(anyhow!(
            "value cannot be set because {}",
            accessor_error(".metadata", metadata, "map[string]interface{}")
        ));
    }
    metadata
        .as_object_mut()
        .ok_or_else(|| anyhow!("metadata is not an object"))
}

/// Turns a template object into an AnalysisRun: kind `AnalysisRun`, the given name or generateName and
/// namespace, no resourceVersion, and `spec.args` merged with `args` (when the template declares no
/// arguments, the passed ones are used as they are).
pub fn analysis_run_from_template(
    mut template: Value,
    args: &[Argument],
    name: &str,
    generate_name: &str,
    namespace: &str,
) -> anyhow::Result<Value> {
    let new_args = match template.pointer("/spec/args") {
        None => args.to_vec(),
        Some(Value::Array(list)) => {
            let declared: Vec<Argument> = serde_json::from_value(Value::Array(list.clone()))?;
            merge_args(args, &declared)?
        }
        Some(other) => return Err(accessor_error(".spec.args", other, "[]interface{}")),
    };
    let Some(object) = template.as_object_mut() else {
        anyhow::bail!("the template is not an object");
    };
    object.insert("kind".into(), json!("AnalysisRun"));
    let metadata = metadata_mut(object)?;
    metadata.insert("name".into(), json!(name));
    metadata.insert("generateName".into(), json!(generate_name));
    metadata.insert("namespace".into(), json!(namespace));
    metadata.remove("resourceVersion");
    if !new_args.is_empty() {
        let spec = object.entry("spec").or_insert_with(|| Value::Object(Map::new()));
        let Some(spec) = spec.as_object_mut() else {
            return Err(accessor_error(".spec", spec, "map[string]interface{}"));
        };
        spec.insert("args".into(), serde_json::to_value(&new_args)?);
    }
    Ok(template)
}

/// Reads the first object of a template file; it must have a kind.
fn template_from_file(path: &str) -> anyhow::Result<Value> {
    let text = read_file(path)?;
    let json = is_json(&text);
    let doc = parse_documents(&text)?.into_iter().next().unwrap_or(Value::Null);
    if doc.get("kind").and_then(Value::as_str).is_none_or(str::is_empty) {
        anyhow::bail!("{}", missing_kind(&doc, json));
    }
    Ok(doc)
}

/// `create analysisrun`: builds the run from the template and creates it, printing
/// `analysisrun.argoproj.io/<name> created`.
pub async fn run_analysis_run(
    conn: &Connection,
    opts: &AnalysisRunArgs,
    out: &mut impl std::io::Write,
) -> anyhow::Result<()> {
    let (from, from_file) = (flag(&opts.from), flag(&opts.from_file));
    let froms = usize::from(!from.is_empty()) + usize::from(!from_file.is_empty());
    if froms != 1 {
        anyhow::bail!("one of --from or --from-file must be specified");
    }
    let args = parse_arguments(&opts.arguments)?;
    let template = if !from_file.is_empty() {
        template_from_file(from_file)?
    } else if opts.global {
        let api: Api<DynamicObject> =
            Api::all_with(conn.client.clone(), &ApiResource::erase::<ClusterAnalysisTemplate>(&()));
        serde_json::to_value(api.get(from).await?)?
    } else {
        serde_json::to_value(untyped::<AnalysisTemplate>(conn).get(from).await?)?
    };
    let template_name = template
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let (name, generate_name) = if !flag(&opts.name).is_empty() {
        (flag(&opts.name).to_string(), String::new())
    } else if !flag(&opts.generate_name).is_empty() {
        (String::new(), flag(&opts.generate_name).to_string())
    } else {
        (String::new(), format!("{template_name}-"))
    };
    if name.is_empty() && generate_name == "-" {
        anyhow::bail!("name is invalid");
    }
    let mut run = analysis_run_from_template(template, &args, &name, &generate_name, &conn.namespace)?;
    let instance_id = flag(&opts.instance_id);
    if !instance_id.is_empty()
        && let Some(object) = run.as_object_mut()
    {
        // Upstream replaces the labels with this one label.
        metadata_mut(object)?.insert("labels".into(), json!({ labels::CONTROLLER_INSTANCE_ID: instance_id }));
    }
    let api = untyped::<AnalysisRun>(conn);
    let object: DynamicObject = serde_json::from_value(run)?;
    let created = api.create(&PostParams::default(), &object).await?;
    writeln!(
        out,
        "analysisrun.{GROUP}/{} created",
        created.metadata.name.unwrap_or_default()
    )?;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const TEMPLATE: &str = r#"
kind: AnalysisTemplate
apiVersion: argoproj.io/v1alpha1
metadata:
  name: pass
  resourceVersion: "12"
spec:
  args:
  - name: foo
  - name: bar
    value: b
  metrics:
  - name: pass
    provider:
      job:
        spec:
          template:
            spec:
              containers: [{name: sleep, image: alpine:3.8}]
              restartPolicy: Never
"#;

    fn template() -> Value {
        documents(TEMPLATE).unwrap().remove(0)
    }

    #[test]
    fn arguments_split_at_the_first_equals_sign() {
        let args = parse_arguments(&["a=b=c".into(), "e=".into()]).unwrap();
        assert_eq!(args[0].name, "a");
        assert_eq!(args[0].value.as_deref(), Some("b=c"));
        assert_eq!(args[1].value.as_deref(), Some(""));
        assert_eq!(
            parse_arguments(&["bad-syntax".into()]).unwrap_err().to_string(),
            "arguments must be in the form NAME=VALUE"
        );
    }

    #[test]
    fn runs_take_the_template_with_merged_arguments() {
        let args = parse_arguments(&["foo=1".into(), "ignored=2".into()]).unwrap();
        let run = analysis_run_from_template(template(), &args, "", "pass-", "ns").unwrap();
        assert_eq!(run["kind"], "AnalysisRun");
        assert_eq!(
            run["metadata"],
            json!({"name": "", "generateName": "pass-", "namespace": "ns"})
        );
        assert_eq!(
            run["spec"]["args"],
            json!([{"name": "foo", "value": "1"}, {"name": "bar", "value": "b"}])
        );
        assert_eq!(run["spec"]["metrics"][0]["name"], "pass");

        let err = analysis_run_from_template(template(), &[], "run", "", "ns").unwrap_err();
        assert_eq!(err.to_string(), "args.foo was not resolved");
    }

    #[test]
    fn without_declared_arguments_the_passed_ones_are_used() {
        let mut t = template();
        t["spec"].as_object_mut().unwrap().remove("args");
        let args = parse_arguments(&["x=1".into()]).unwrap();
        let run = analysis_run_from_template(t, &args, "r", "", "ns").unwrap();
        assert_eq!(run["spec"]["args"], json!([{"name": "x", "value": "1"}]));
    }

    #[test]
    fn files_are_checked_before_anything_is_created() {
        let ok = parse_file(TEMPLATE, "default").unwrap();
        assert_eq!(ok.len(), 1);
        assert_eq!(ok[0].kind, Kind::AnalysisTemplate);
        assert_eq!(ok[0].namespace, "default");

        let service = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n";
        assert_eq!(
            parse_file(service, "default").err().unwrap().to_string(),
            "creates of /Service unsupported"
        );
        let unknown = TEMPLATE.replace("  metrics:", "  bogus: 1\n  metrics:");
        assert_eq!(
            parse_file(&unknown, "default").err().unwrap().to_string(),
            "error unmarshaling JSON: while decoding JSON: json: unknown field \"bogus\""
        );
        let json = r#"{"apiVersion": "argoproj.io/v1alpha1", "kind": "Experiment", "metadata": {"name": "e"}, "spec": {"templates": [], "bogus": 1}}"#;
        assert_eq!(
            parse_file(json, "default").err().unwrap().to_string(),
            "json: unknown field \"bogus\""
        );
        assert_eq!(
            parse_file("metadata: {name: x}\n", "default")
                .err()
                .unwrap()
                .to_string(),
            "error unmarshaling JSON: while decoding JSON: Object 'Kind' is missing in '{\"metadata\":{\"name\":\"x\"}}'"
        );
        let namespaced = TEMPLATE.replace("  name: pass\n", "  name: pass\n  namespace: other\n");
        assert_eq!(parse_file(&namespaced, "default").unwrap()[0].namespace, "other");
    }
}
