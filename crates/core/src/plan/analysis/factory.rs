//! Building the AnalysisRun a Rollout asks for (upstream `newAnalysisRunFromRollout`,
//! `NewAnalysisRunFromTemplates`, `BuildArgumentsForRolloutAnalysisRun`): the referenced templates
//! flattened, the Rollout's arguments merged in, named, labelled and owned as upstream does.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use rollouts_api::analysis::{Argument, Metric};
use rollouts_api::analysis_run::AnalysisRunSpec;
use rollouts_api::common::{DryRun, MeasurementRetention, PodTemplateMetadata};
use rollouts_api::rollout_analysis::{AnalysisRunArgument, AnalysisTemplateRef};
use rollouts_api::well_known::{annotations, labels};
use rollouts_api::{AnalysisRun, Rollout};
use serde_json::Value;

use super::templates::{FoundTemplate, TemplateSource};

/// Which of the Rollout's analyses a run is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunKind {
    /// A canary `analysis` step, by index.
    Step(i32),
    /// The canary's background analysis.
    Background,
    /// Blue-green pre-promotion analysis.
    PrePromotion,
    /// Blue-green post-promotion analysis.
    PostPromotion,
}

impl RunKind {
    /// The `rollout-type` label value.
    pub fn label(self) -> &'static str {
        match self {
            RunKind::Step(_) => labels::ROLLOUT_TYPE_STEP,
            RunKind::Background => labels::ROLLOUT_TYPE_BACKGROUND,
            RunKind::PrePromotion => labels::ROLLOUT_TYPE_PRE_PROMOTION,
            RunKind::PostPromotion => labels::ROLLOUT_TYPE_POST_PROMOTION,
        }
    }

    /// The last part of the run's name ("" for background).
    fn infix(self) -> String {
        match self {
            RunKind::Step(i) => i.to_string(),
            RunKind::Background => String::new(),
            RunKind::PrePromotion => "pre".to_string(),
            RunKind::PostPromotion => "post".to_string(),
        }
    }
}

/// What the Rollout asks of one analysis (a step's, the background one, pre- or post-promotion).
#[derive(Debug, Clone, Copy, Default)]
pub struct AnalysisRequest<'a> {
    /// Template references.
    pub templates: &'a [AnalysisTemplateRef],
    /// Arguments supplied by the Rollout.
    pub args: &'a [AnalysisRunArgument],
    /// Dry-run rules (the Rollout's come first).
    pub dry_run: &'a [DryRun],
    /// Measurement retention rules (the Rollout's come first).
    pub measurement_retention: &'a [MeasurementRetention],
    /// Extra labels and annotations for the run.
    pub metadata: Option<&'a PodTemplateMetadata>,
}

/// The ReplicaSet hashes arguments can refer to.
#[derive(Debug, Clone, Copy, Default)]
pub struct Hashes<'a> {
    /// The new ReplicaSet's (`Latest`).
    pub latest: &'a str,
    /// The stable ReplicaSet's (`Stable`).
    pub stable: &'a str,
}

/// Upstream `BuildArgumentsForRolloutAnalysisRun`: every argument gets a plain value — its own, a
/// ReplicaSet hash, or a field of the Rollout.
pub fn rollout_arguments(
    args: &[AnalysisRunArgument],
    hashes: Hashes<'_>,
    rollout: &Rollout,
) -> Result<Vec<Argument>, String> {
    args.iter()
        .map(|arg| {
            let mut value = arg.value.clone().unwrap_or_default();
            if let Some(from) = &arg.value_from {
                if let Some(which) = from.pod_template_hash_value.as_deref() {
                    value = match which {
                        "Latest" => hashes.latest.to_string(),
                        "Stable" => hashes.stable.to_string(),
                        _ => value,
                    };
                } else if let Some(field) = &from.field_ref {
                    value = field_value(rollout, &field.field_path)?;
                }
            }
            Ok(Argument {
                name: arg.name.clone(),
                value: Some(value),
                value_from: None,
            })
        })
        .collect()
}

/// A field of the Rollout: a downward-API `metadata` path, or any dotted path (`a.b[0].c`) that ends
/// at a plain value.
fn field_value(rollout: &Rollout, path: &str) -> Result<String, String> {
    let meta = &rollout.metadata;
    let keyed = |prefix: &str| -> Option<String> {
        path.strip_prefix(prefix)
            .and_then(|rest| rest.strip_prefix("['"))
            .and_then(|rest| rest.strip_suffix("']"))
            .map(str::to_string)
    };
    match path {
        "metadata.name" => return Ok(meta.name.clone().unwrap_or_default()),
        "metadata.namespace" => return Ok(meta.namespace.clone().unwrap_or_default()),
        "metadata.uid" => return Ok(meta.uid.clone().unwrap_or_default()),
        _ => {}
    }
    // Kubernetes' `fieldpath.FormatMap`: `key="value"` lines, keys sorted, values Go-quoted.
    let whole_map = |map: Option<&BTreeMap<String, String>>| {
        map.into_iter()
            .flatten()
            .map(|(k, v)| format!("{k}={}", rollouts_api::gofmt::go_quote(v)))
            .collect::<Vec<_>>()
            .join("\n")
    };
    match path {
        "metadata.labels" => return Ok(whole_map(meta.labels.as_ref())),
        "metadata.annotations" => return Ok(whole_map(meta.annotations.as_ref())),
        _ => {}
    }
    if let Some(key) = keyed("metadata.labels") {
        return Ok(meta
            .labels
            .as_ref()
            .and_then(|l| l.get(&key))
            .cloned()
            .unwrap_or_default());
    }
    if let Some(key) = keyed("metadata.annotations") {
        return Ok(meta
            .annotations
            .as_ref()
            .and_then(|a| a.get(&key))
            .cloned()
            .unwrap_or_default());
    }
    if path.starts_with("metadata") {
        return Err(format!("unsupported fieldPath: {path}"));
    }
    let json = serde_json::to_value(rollout).map_err(|e| e.to_string())?;
    let mut at = &json;
    for part in path.split(['.', '[', ']']).filter(|p| !p.is_empty()) {
        at = match at {
            Value::Object(map) => map.get(part),
            Value::Array(items) => part.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        }
        .ok_or_else(|| format!("failed to find field '{path}' in the Rollout"))?;
    }
    match at {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        _ => Err(format!("field '{path}' of the Rollout is not a plain value")),
    }
}

/// Upstream `flattenArgs`: the templates' arguments, one per name; two values for one name must agree.
fn flatten_args(templates: &[FoundTemplate<'_>]) -> Result<Vec<Argument>, String> {
    let mut combined: Vec<Argument> = Vec::new();
    for arg in templates.iter().flat_map(|t| t.spec.args.iter().flatten()) {
        match combined.iter_mut().find(|a| a.name == arg.name) {
            Some(previous) => {
                if let (Some(a), Some(b)) = (&previous.value, &arg.value)
                    && a != b
                {
                    return Err(format!(
                        "Argument `{}` specified multiple times with different values: '{a}', '{b}'",
                        arg.name
                    ));
                }
                if previous.value.is_none() {
                    *previous = arg.clone();
                }
            }
            None => combined.push(arg.clone()),
        }
    }
    Ok(combined)
}

/// Upstream `MergeArgs`: the Rollout's values override the templates' arguments of the same name
/// (others are ignored); every argument must then have a value or a source.
fn merge_args(incoming: &[Argument], template: Vec<Argument>) -> Result<Vec<Argument>, String> {
    let mut merged = template;
    for arg in incoming {
        if let Some(target) = merged.iter_mut().find(|a| a.name == arg.name) {
            if arg.value.is_some() {
                target.value = arg.value.clone();
            } else if arg.value_from.is_some() {
                target.value_from = arg.value_from.clone();
            }
        }
    }
    if let Some(missing) = merged.iter().find(|a| a.value.is_none() && a.value_from.is_none()) {
        return Err(format!("args.{} was not resolved", missing.name));
    }
    Ok(merged)
}

fn no_duplicate_rules<'n>(names: impl Iterator<Item = &'n str>, what: &str) -> Result<(), String> {
    let mut seen = std::collections::BTreeSet::new();
    for name in names {
        if !seen.insert(name) {
            return Err(format!("two {what} metric rules have the same name '{name}'"));
        }
    }
    Ok(())
}

/// Upstream `NewAnalysisRunFromTemplates` (spec only): metrics concatenated (names unique), arguments
/// flattened and merged, the request's dry-run and retention rules before the templates'.
pub fn run_spec(
    templates: &[FoundTemplate<'_>],
    args: &[Argument],
    request: &AnalysisRequest<'_>,
) -> Result<AnalysisRunSpec, String> {
    let metrics: Vec<Metric> = templates
        .iter()
        .flat_map(|t| t.spec.metrics.iter().flatten().cloned())
        .collect();
    let mut names = std::collections::BTreeSet::new();
    if let Some(dup) = metrics.iter().find(|m| !names.insert(m.name.as_str())) {
        return Err(format!("two metrics have the same name '{}'", dup.name));
    }
    let args = merge_args(args, flatten_args(templates)?)?;
    let dry_run: Vec<DryRun> = request
        .dry_run
        .iter()
        .cloned()
        .chain(templates.iter().flat_map(|t| t.spec.dry_run.iter().flatten().cloned()))
        .collect();
    no_duplicate_rules(dry_run.iter().map(|d| d.metric_name.as_str()), "Dry-Run")?;
    let retention: Vec<MeasurementRetention> = request
        .measurement_retention
        .iter()
        .cloned()
        .chain(
            templates
                .iter()
                .flat_map(|t| t.spec.measurement_retention.iter().flatten().cloned()),
        )
        .collect();
    no_duplicate_rules(
        retention.iter().map(|m| m.metric_name.as_str()),
        "Measurement Retention",
    )?;
    Ok(AnalysisRunSpec {
        metrics,
        args: (!args.is_empty()).then_some(args),
        dry_run: (!dry_run.is_empty()).then_some(dry_run),
        measurement_retention: (!retention.is_empty()).then_some(retention),
        ..Default::default()
    })
}

/// Everything a run is built from.
pub struct RunInput<'a> {
    /// The Rollout.
    pub rollout: &'a Rollout,
    /// Which analysis.
    pub kind: RunKind,
    /// What it asks for.
    pub request: AnalysisRequest<'a>,
    /// The templates available.
    pub source: TemplateSource<'a>,
    /// The new and stable ReplicaSets' hashes.
    pub hashes: Hashes<'a>,
    /// The Rollout's revision.
    pub revision: String,
}

/// The AnalysisRun for `input` (named `<rollout>-<hash>-<revision>[-<step>|-pre|-post]`), or why it
/// cannot be built.
pub fn new_analysis_run(input: &RunInput<'_>) -> Result<AnalysisRun, String> {
    let rollout = input.rollout;
    let templates = input
        .source
        .resolve(input.request.templates)
        .map_err(|e| e.to_string())?;
    let args = rollout_arguments(input.request.args, input.hashes, rollout)?;
    let spec = run_spec(&templates, &args, &input.request)?;
    let rollout_name = rollout.metadata.name.clone().unwrap_or_default();
    let mut name = format!("{rollout_name}-{}-{}", input.hashes.latest, input.revision);
    let infix = input.kind.infix();
    if !infix.is_empty() {
        name = format!("{name}-{infix}");
    }
    let mut run_labels = BTreeMap::from([
        (labels::POD_TEMPLATE_HASH.to_string(), input.hashes.latest.to_string()),
        (labels::ROLLOUT_TYPE.to_string(), input.kind.label().to_string()),
    ]);
    if let RunKind::Step(index) = input.kind {
        run_labels.insert(labels::STEP_INDEX.to_string(), index.to_string());
    }
    if let Some(id) = rollout
        .metadata
        .labels
        .as_ref()
        .and_then(|l| l.get(labels::CONTROLLER_INSTANCE_ID))
    {
        run_labels.insert(labels::CONTROLLER_INSTANCE_ID.to_string(), id.clone());
    }
    let metadata = input.request.metadata;
    run_labels.extend(metadata.and_then(|m| m.labels.clone()).unwrap_or_default());
    run_labels.extend(
        rollout
            .spec
            .selector
            .as_ref()
            .and_then(|s| s.match_labels.clone())
            .unwrap_or_default(),
    );
    let mut run_annotations = BTreeMap::from([(annotations::REVISION.to_string(), input.revision.clone())]);
    run_annotations.extend(metadata.and_then(|m| m.annotations.clone()).unwrap_or_default());
    Ok(AnalysisRun {
        metadata: ObjectMeta {
            name: Some(name),
            namespace: rollout.metadata.namespace.clone(),
            labels: Some(run_labels),
            annotations: Some(run_annotations),
            owner_references: Some(vec![super::super::replica_sets::controller_ref(rollout)]),
            ..Default::default()
        },
        spec,
        status: None,
    })
}

/// Upstream `IsSemanticallyEqual`: two runs ask for the same metrics, arguments and rules.
pub fn same_request(a: &AnalysisRunSpec, b: &AnalysisRunSpec) -> bool {
    a.metrics == b.metrics
        && a.args == b.args
        && a.dry_run == b.dry_run
        && a.measurement_retention == b.measurement_retention
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use rollouts_api::{AnalysisTemplate, ClusterAnalysisTemplate};
    use serde_json::json;

    fn template(name: &str, spec: Value) -> AnalysisTemplate {
        serde_json::from_value(json!({"metadata": {"name": name, "namespace": "ns"}, "spec": spec})).unwrap()
    }

    fn cluster_template(name: &str, spec: Value) -> ClusterAnalysisTemplate {
        serde_json::from_value(json!({"metadata": {"name": name}, "spec": spec})).unwrap()
    }

    fn metric(name: &str) -> Value {
        json!({"name": name, "provider": {"web": {"url": "http://127.0.0.1:1/{{args.service}}"}}})
    }

    fn rollout() -> Rollout {
        serde_json::from_value(json!({
            "metadata": {"name": "web", "namespace": "ns", "uid": "u1",
                         "labels": {"team": "a"}, "annotations": {"owner": "x"}},
            "spec": {"selector": {"matchLabels": {"app": "web"}},
                     "template": {"spec": {"containers": [{"name": "c", "image": "img:1"}]}}}
        }))
        .unwrap()
    }

    fn refs(value: Value) -> Vec<AnalysisTemplateRef> {
        serde_json::from_value(value).unwrap()
    }

    fn args(value: Value) -> Vec<AnalysisRunArgument> {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn templates_nested_and_cluster_scoped_merge_into_one_run() {
        let namespaced = vec![
            template(
                "a",
                json!({"args": [{"name": "service"}], "metrics": [metric("a1")],
                                 "templates": [{"templateName": "c", "clusterScope": true}]}),
            ),
            template(
                "b",
                json!({"args": [{"name": "service"}, {"name": "region", "value": "eu"}],
                                 "metrics": [metric("b1")], "dryRun": [{"metricName": "b.*"}]}),
            ),
        ];
        let cluster = vec![cluster_template("c", json!({"metrics": [metric("c1")]}))];
        let rollout = rollout();
        let request_refs = refs(json!([{"templateName": "a"}, {"templateName": "b"}, {"templateName": "a"}]));
        let request_args = args(json!([
            {"name": "service", "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['team']"}}},
            {"name": "hash", "valueFrom": {"podTemplateHashValue": "Stable"}},
            {"name": "unused", "value": "dropped"}
        ]));
        let dry_run: Vec<DryRun> = serde_json::from_value(json!([{"metricName": "a1"}])).unwrap();
        let input = RunInput {
            rollout: &rollout,
            kind: RunKind::Step(3),
            request: AnalysisRequest {
                templates: &request_refs,
                args: &request_args,
                dry_run: &dry_run,
                ..Default::default()
            },
            source: TemplateSource {
                namespaced: &namespaced,
                cluster: &cluster,
            },
            hashes: Hashes {
                latest: "new1",
                stable: "old1",
            },
            revision: "4".to_string(),
        };
        let run = new_analysis_run(&input).unwrap();
        assert_eq!(run.metadata.name.as_deref(), Some("web-new1-4-3"));
        let names: Vec<&str> = run.spec.metrics.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(
            names,
            ["a1", "b1", "c1"],
            "namespaced templates first, then cluster ones, each once"
        );
        let args: Vec<(String, Option<String>)> =
            run.spec.args.unwrap().into_iter().map(|a| (a.name, a.value)).collect();
        assert_eq!(
            args,
            vec![
                ("service".to_string(), Some("a".to_string())),
                ("region".to_string(), Some("eu".to_string()))
            ]
        );
        let rules: Vec<String> = run.spec.dry_run.unwrap().into_iter().map(|d| d.metric_name).collect();
        assert_eq!(rules, ["a1", "b.*"], "the Rollout's rules first");
        let labels = run.metadata.labels.unwrap();
        assert_eq!(labels["rollout-type"], "Step");
        assert_eq!(labels["step-index"], "3");
        assert_eq!(labels["app"], "web");
        assert_eq!(labels["rollouts-pod-template-hash"], "new1");
        assert_eq!(run.metadata.annotations.unwrap()["rollout.argoproj.io/revision"], "4");
        let owner = &run.metadata.owner_references.unwrap()[0];
        assert_eq!(
            (owner.kind.as_str(), owner.uid.as_str(), owner.controller),
            ("Rollout", "u1", Some(true))
        );
    }

    /// Kubernetes' `fieldpath.ExtractFieldPathAsString` for whole maps (`FormatMap`): one
    /// `key="value"` line per entry, keys sorted, values quoted as Go's `%q` does.
    #[test]
    fn whole_label_and_annotation_maps_render_as_kubernetes_formats_them() {
        let mut rollout = rollout();
        rollout.metadata.labels = Some(BTreeMap::from([
            ("team".to_string(), "a".to_string()),
            ("app".to_string(), "web \"x\"".to_string()),
        ]));
        let field_of = |rollout: &Rollout, path: &str| {
            let given = args(json!([{"name": "m", "valueFrom": {"fieldRef": {"fieldPath": path}}}]));
            rollout_arguments(&given, Hashes::default(), rollout).unwrap()[0]
                .value
                .clone()
        };
        let field = |path: &str| field_of(&rollout, path);
        assert_eq!(
            field("metadata.labels").as_deref(),
            Some("app=\"web \\\"x\\\"\"\nteam=\"a\"")
        );
        assert_eq!(field("metadata.annotations").as_deref(), Some("owner=\"x\""));
        let mut bare = rollout.clone();
        bare.metadata.annotations = None;
        assert_eq!(field_of(&bare, "metadata.annotations").as_deref(), Some(""));
    }

    #[test]
    fn problems_are_reported_as_upstream_words_them() {
        let rollout = rollout();
        let build = |namespaced: Vec<AnalysisTemplate>, request_refs: Value, request_args: Value| {
            let request_refs = refs(request_refs);
            let request_args = args(request_args);
            let input = RunInput {
                rollout: &rollout,
                kind: RunKind::Background,
                request: AnalysisRequest {
                    templates: &request_refs,
                    args: &request_args,
                    ..Default::default()
                },
                source: TemplateSource {
                    namespaced: &namespaced,
                    cluster: &[],
                },
                hashes: Hashes::default(),
                revision: "1".to_string(),
            };
            new_analysis_run(&input).map(|r| r.metadata.name.unwrap_or_default())
        };
        assert_eq!(
            build(Vec::new(), json!([{"templateName": "x"}]), json!([])),
            Err("AnalysisTemplate 'x' not found".to_string())
        );
        assert_eq!(
            build(
                vec![template(
                    "a",
                    json!({"args": [{"name": "service"}], "metrics": [metric("m")]})
                )],
                json!([{"templateName": "a"}]),
                json!([])
            ),
            Err("args.service was not resolved".to_string())
        );
        assert_eq!(
            build(
                vec![
                    template("a", json!({"metrics": [metric("m")]})),
                    template("b", json!({"metrics": [metric("m")]}))
                ],
                json!([{"templateName": "a"}, {"templateName": "b"}]),
                json!([])
            ),
            Err("two metrics have the same name 'm'".to_string())
        );
        assert_eq!(
            build(
                vec![
                    template(
                        "a",
                        json!({"args": [{"name": "s", "value": "1"}], "metrics": [metric("m")]})
                    ),
                    template(
                        "b",
                        json!({"args": [{"name": "s", "value": "2"}], "metrics": [metric("n")]})
                    )
                ],
                json!([{"templateName": "a"}, {"templateName": "b"}]),
                json!([])
            ),
            Err("Argument `s` specified multiple times with different values: '1', '2'".to_string())
        );
        assert!(
            build(
                vec![template(
                    "a",
                    json!({"metrics": [metric("m")], "templates": [{"templateName": "a"}]})
                )],
                json!([{"templateName": "a"}]),
                json!([])
            )
            .unwrap_err()
            .contains("refers to itself")
        );
        assert_eq!(
            build(
                vec![template("a", json!({"metrics": [metric("m")]}))],
                json!([{"templateName": "a"}]),
                json!([])
            ),
            Ok("web--1".to_string()),
            "a background run has no suffix"
        );
    }
}
