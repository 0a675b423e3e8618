//! Whether the templates a Rollout's analyses refer to can make a run that ends (upstream
//! `ValidateAnalysisTemplatesWithType` / `ValidateAnalysisTemplateWithType`): the run must build from
//! them with the Rollout's arguments, a step or promotion analysis may not have a metric that measures
//! forever, and a background analysis must be given every argument its templates leave open. A Rollout
//! that fails becomes InvalidSpec instead of failing every reconcile or analysing forever.

use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use rollouts_api::Rollout;
use rollouts_api::analysis::{Argument, Metric};
use rollouts_api::rollout_analysis::{AnalysisRunArgument, AnalysisTemplateRef};
use rollouts_api::validation::FieldError;

use super::factory::{AnalysisRequest, Hashes, rollout_arguments, run_spec};
use super::templates::{FoundTemplate, TemplateSource};
use crate::analysis::run::args::resolve_metric;

/// Which analysis of the Rollout the templates serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    PrePromotion,
    PostPromotion,
    Step(usize),
    Background,
}

impl Kind {
    fn path(self) -> String {
        match self {
            Kind::PrePromotion => "spec.strategy.blueGreen.prePromotionAnalysis.templates".to_string(),
            Kind::PostPromotion => "spec.strategy.blueGreen.postPromotionAnalysis.templates".to_string(),
            Kind::Step(i) => format!("spec.strategy.canary.steps[{i}].analysis.templates"),
            Kind::Background => "spec.strategy.canary.analysis.templates".to_string(),
        }
    }
}

/// One analysis: its kind, template references and the arguments the Rollout gives it.
struct Analysis<'r> {
    kind: Kind,
    templates: &'r [AnalysisTemplateRef],
    args: &'r [AnalysisRunArgument],
}

/// The Rollout's analyses in upstream's order: blue-green pre then post promotion, or the canary's
/// steps then its background analysis.
fn analyses(rollout: &Rollout) -> Vec<Analysis<'_>> {
    fn of<'r>(
        kind: Kind,
        templates: &'r Option<Vec<AnalysisTemplateRef>>,
        args: &'r Option<Vec<AnalysisRunArgument>>,
    ) -> Analysis<'r> {
        Analysis {
            kind,
            templates: templates.as_deref().unwrap_or_default(),
            args: args.as_deref().unwrap_or_default(),
        }
    }
    let mut out = Vec::new();
    let Some(strategy) = rollout.spec.strategy.as_ref() else {
        return out;
    };
    if let Some(bg) = &strategy.blue_green {
        if let Some(a) = &bg.pre_promotion_analysis {
            out.push(of(Kind::PrePromotion, &a.templates, &a.args));
        }
        if let Some(a) = &bg.post_promotion_analysis {
            out.push(of(Kind::PostPromotion, &a.templates, &a.args));
        }
    } else if let Some(canary) = &strategy.canary {
        for (i, step) in canary.steps.iter().flatten().enumerate() {
            if let Some(a) = &step.analysis {
                out.push(of(Kind::Step(i), &a.templates, &a.args));
            }
        }
        if let Some(a) = &canary.analysis {
            out.push(of(Kind::Background, &a.templates, &a.args));
        }
    }
    out
}

/// The first problem with the templates of the Rollout's analyses, `None` when every analysis can
/// run (or a template is missing: that is reported before, naming the reference).
pub fn first_template_problem(rollout: &Rollout, source: TemplateSource<'_>) -> Option<FieldError> {
    analyses(rollout).into_iter().find_map(|analysis| {
        let templates = source.resolve(analysis.templates).ok()?;
        analysis_problem(rollout, &analysis, &templates)
    })
}

fn analysis_problem(rollout: &Rollout, analysis: &Analysis<'_>, templates: &[FoundTemplate<'_>]) -> Option<FieldError> {
    let path = analysis.kind.path();
    let names: Vec<&str> = templates.iter().map(|t| t.name).collect();
    let value = format!("templateNames: [{}]", names.join(" "));
    // Upstream builds the arguments against stand-in hashes and ignores a failure to (no arguments).
    let hashes = Hashes {
        latest: "dummy-new-hash",
        stable: "dummy-stable-hash",
    };
    let args = rollout_arguments(analysis.args, hashes, rollout).unwrap_or_default();
    let builds = |request: &AnalysisRequest<'_>| run_spec(templates, &args, request).err();
    if let Some(message) = builds(&AnalysisRequest::default()) {
        return Some(FieldError::invalid(path, value.as_str(), message));
    }
    // Upstream tries this analysis's templates with every step's dry-run and retention rules.
    let steps = rollout
        .spec
        .strategy
        .as_ref()
        .and_then(|s| s.canary.as_ref())
        .and_then(|c| c.steps.as_deref())
        .unwrap_or_default();
    for step in steps {
        let Some(step_analysis) = &step.analysis else {
            continue;
        };
        let request = AnalysisRequest {
            dry_run: step_analysis.dry_run.as_deref().unwrap_or_default(),
            measurement_retention: step_analysis.measurement_retention.as_deref().unwrap_or_default(),
            ..AnalysisRequest::default()
        };
        if let Some(message) = builds(&request) {
            return Some(FieldError::invalid(path, value.as_str(), message));
        }
    }
    templates
        .iter()
        .find_map(|template| template_problem(rollout, template, analysis.kind, &path))
}

/// Upstream `ValidateAnalysisTemplateWithType` for one template, its first error.
fn template_problem(rollout: &Rollout, template: &FoundTemplate<'_>, kind: Kind, path: &str) -> Option<FieldError> {
    let name = template.name;
    let args = template.spec.args.as_deref().unwrap_or_default();
    if kind != Kind::Background {
        let metrics = template.spec.metrics.as_deref().unwrap_or_default();
        return match resolved_metrics(metrics, args) {
            Err(e) => Some(FieldError::invalid(path, name, format!("AnalysisTemplate {name}: {e}"))),
            Ok(resolved) => resolved.iter().find(|m| runs_indefinitely(m)).map(|m| {
                let count = m.count.as_ref().map_or_else(|| "<nil>".to_string(), count_text);
                let message = format!(
                    "AnalysisTemplate {name} has metric {} which runs indefinitely. Invalid value for count: {count}",
                    m.name
                );
                FieldError::invalid(path, name, message)
            }),
        };
    }
    let given = rollout
        .spec
        .strategy
        .as_ref()
        .and_then(|s| s.canary.as_ref())
        .and_then(|c| c.analysis.as_ref())
        .and_then(|a| a.args.as_ref());
    args.iter()
        .filter(|arg| arg.value.is_none() && arg.value_from.is_none())
        .find_map(|arg| match given {
            None => Some(FieldError::invalid(
                path,
                name,
                "missing analysis arguments in rollout spec",
            )),
            Some(given) if !given.iter().any(|g| g.name == arg.name) => {
                Some(FieldError::invalid(path, name, arg.name.as_str()))
            }
            Some(_) => None,
        })
}

/// The template's metrics with its arguments substituted, an argument without a value or a source
/// (the Rollout supplies it) and one taken from a source standing in as `dummy-value`.
fn resolved_metrics(metrics: &[Metric], args: &[Argument]) -> Result<Vec<Metric>, String> {
    let mut placeholders = Vec::with_capacity(args.len());
    for arg in args {
        if arg.value_from.is_some() && arg.value.is_some() {
            return Err(format!("arg '{}' has both Value and ValueFrom fields", arg.name));
        }
        let value = if arg.value_from.is_some() || arg.value.is_none() {
            "dummy-value".to_string()
        } else {
            arg.value.clone().unwrap_or_default()
        };
        placeholders.push(Argument {
            name: arg.name.clone(),
            value: Some(value),
            value_from: None,
        });
    }
    metrics.iter().map(|m| resolve_metric(m, &placeholders)).collect()
}

/// Upstream `EffectiveCount` is nil: no count (or one that reads as 0) with an interval.
fn runs_indefinitely(metric: &Metric) -> bool {
    let count = match &metric.count {
        None => 0,
        Some(IntOrString::Int(n)) => *n,
        Some(IntOrString::String(s)) => s.parse().unwrap_or(0),
    };
    count == 0 && metric.interval.as_deref().is_some_and(|i| !i.is_empty())
}

fn count_text(count: &IntOrString) -> String {
    match count {
        IntOrString::Int(n) => n.to_string(),
        IntOrString::String(s) => s.clone(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use rollouts_api::{AnalysisTemplate, ClusterAnalysisTemplate};
    use serde_json::{Value, json};

    use super::*;

    fn template(name: &str, args: Value, metrics: Value) -> AnalysisTemplate {
        serde_json::from_value(json!({"metadata": {"name": name, "namespace": "ns"},
                                      "spec": {"args": args, "metrics": metrics}}))
        .unwrap()
    }

    fn cluster_template(name: &str, metrics: Value) -> ClusterAnalysisTemplate {
        serde_json::from_value(json!({"metadata": {"name": name}, "spec": {"metrics": metrics}})).unwrap()
    }

    fn canary(steps: Value, background: Option<Value>) -> Rollout {
        let mut canary = json!({"steps": steps});
        if let Some(b) = background {
            canary["analysis"] = b;
        }
        serde_json::from_value(json!({
            "metadata": {"name": "web", "namespace": "ns"},
            "spec": {"selector": {"matchLabels": {"app": "web"}},
                     "template": {"spec": {"containers": [{"name": "c", "image": "img:1"}]}},
                     "strategy": {"canary": canary}}
        }))
        .unwrap()
    }

    /// A row: name, Rollout, namespaced and cluster templates, expected error.
    type Case = (
        &'static str,
        Rollout,
        Vec<AnalysisTemplate>,
        Vec<ClusterAnalysisTemplate>,
        Option<&'static str>,
    );

    fn refs() -> Value {
        json!([{"templateName": "analysis-template-name"},
               {"templateName": "cluster-analysis-template-name", "clusterScope": true}])
    }

    fn problem(
        rollout: &Rollout,
        namespaced: &[AnalysisTemplate],
        cluster: &[ClusterAnalysisTemplate],
    ) -> Option<String> {
        first_template_problem(rollout, TemplateSource { namespaced, cluster }).map(|e| e.to_string())
    }

    /// Upstream's `TestValidateAnalysisTemplatesWithType` and `TestValidateAnalysisTemplateWithType`:
    /// the field error each Rollout gets, word for word.
    #[test]
    fn analysis_templates_a_run_cannot_be_built_from_or_that_run_forever_are_reported() {
        let plain = json!([{"name": "metric1-name", "provider": {"web": {"url": "http://127.0.0.1:1"}}}]);
        let forever = |count: Value| {
            json!([{"name": "metric2-name", "interval": "1m", "count": count,
                    "provider": {"web": {"url": "http://127.0.0.1:1"}}}])
        };
        let step = |args: Value| json!([{"analysis": {"templates": refs(), "args": args}}]);
        let cases: Vec<Case> = vec![
            (
                "valid step analysis",
                canary(step(json!([])), None),
                vec![template("analysis-template-name", json!([]), plain.clone())],
                vec![cluster_template("cluster-analysis-template-name", forever(json!(1)))],
                None,
            ),
            (
                "template argument the step does not supply",
                canary(step(json!([])), None),
                vec![template(
                    "analysis-template-name",
                    json!([{"name": "invalid"}]),
                    plain.clone(),
                )],
                vec![cluster_template("cluster-analysis-template-name", forever(json!(1)))],
                Some(
                    "spec.strategy.canary.steps[0].analysis.templates: Invalid value: \"templateNames: [analysis-template-name cluster-analysis-template-name]\": args.invalid was not resolved",
                ),
            ),
            (
                "argument supplied by the step",
                canary(step(json!([{"name": "valid", "value": "true"}])), None),
                vec![template(
                    "analysis-template-name",
                    json!([{"name": "valid"}]),
                    plain.clone(),
                )],
                vec![cluster_template("cluster-analysis-template-name", forever(json!(1)))],
                None,
            ),
            (
                "step metric with an interval and count 0",
                canary(step(json!([])), None),
                vec![template("analysis-template-name", json!([]), plain.clone())],
                vec![cluster_template("cluster-analysis-template-name", forever(json!(0)))],
                Some(
                    "spec.strategy.canary.steps[0].analysis.templates: Invalid value: \"cluster-analysis-template-name\": AnalysisTemplate cluster-analysis-template-name has metric metric2-name which runs indefinitely. Invalid value for count: 0",
                ),
            ),
            (
                "step metric with an interval and no count",
                canary(step(json!([])), None),
                vec![template("analysis-template-name", json!([]), forever(Value::Null))],
                vec![cluster_template("cluster-analysis-template-name", plain.clone())],
                Some(
                    "spec.strategy.canary.steps[0].analysis.templates: Invalid value: \"analysis-template-name\": AnalysisTemplate analysis-template-name has metric metric2-name which runs indefinitely. Invalid value for count: <nil>",
                ),
            ),
            (
                "count from an argument resolves before the check",
                canary(step(json!([])), None),
                vec![template(
                    "analysis-template-name",
                    json!([{"name": "n", "value": "3"}]),
                    forever(json!("{{args.n}}")),
                )],
                vec![cluster_template("cluster-analysis-template-name", plain.clone())],
                None,
            ),
            (
                "two step analyses with the same retention rule twice",
                canary(
                    json!([{"analysis": {"templates": refs(),
                            "measurementRetention": [{"metricName": "example", "limit": 2}]}}]),
                    None,
                ),
                vec![
                    serde_json::from_value(json!({"metadata": {"name": "analysis-template-name"},
                    "spec": {"metrics": plain.clone(),
                             "measurementRetention": [{"metricName": "example", "limit": 5}]}}))
                    .unwrap(),
                ],
                vec![cluster_template("cluster-analysis-template-name", forever(json!(1)))],
                Some(
                    "spec.strategy.canary.steps[0].analysis.templates: Invalid value: \"templateNames: [analysis-template-name cluster-analysis-template-name]\": two Measurement Retention metric rules have the same name 'example'",
                ),
            ),
        ];
        for (name, rollout, namespaced, cluster, expected) in cases {
            assert_eq!(problem(&rollout, &namespaced, &cluster).as_deref(), expected, "{name}");
        }
    }

    /// A background analysis may measure forever, but its templates' open arguments must be named by
    /// the Rollout (upstream only checks the names, the values come later).
    #[test]
    fn background_templates_need_their_arguments_named_by_the_rollout() {
        let forever = json!([{"name": "m", "interval": "1m", "provider": {"web": {"url": "http://127.0.0.1:1"}}}]);
        let open = vec![template("bg", json!([{"name": "service-name"}]), forever.clone())];
        let background = |args: Option<Value>| {
            let mut a = json!({"templates": [{"templateName": "bg"}]});
            if let Some(args) = args {
                a["args"] = args;
            }
            canary(json!([]), Some(a))
        };
        // Without arguments the run cannot be built: MergeArgs reports it first.
        assert_eq!(
            problem(&background(None), &open, &[]).as_deref(),
            Some(
                "spec.strategy.canary.analysis.templates: Invalid value: \"templateNames: [bg]\": args.service-name was not resolved"
            )
        );
        assert_eq!(
            problem(
                &background(Some(json!([{"name": "service-name", "value": "web"}]))),
                &open,
                &[]
            ),
            None
        );
        let defaulted = vec![template("bg", json!([{"name": "service-name", "value": "x"}]), forever)];
        assert_eq!(problem(&background(None), &defaulted, &[]), None);
        // The per-template check alone (the run builds from a value the Rollout sets for another
        // name only through valueFrom).
        let rollout = background(Some(json!([{"name": "a-different-service-name", "value": "v"}])));
        let templates = TemplateSource {
            namespaced: &open,
            cluster: &[],
        }
        .resolve(&[serde_json::from_value(json!({"templateName": "bg"})).unwrap()])
        .unwrap();
        let path = Kind::Background.path();
        assert_eq!(
            template_problem(&rollout, &templates[0], Kind::Background, &path).map(|e| e.to_string()),
            Some("spec.strategy.canary.analysis.templates: Invalid value: \"bg\": service-name".to_string())
        );
        let no_args = background(None);
        assert_eq!(
            template_problem(&no_args, &templates[0], Kind::Background, &path).map(|e| e.to_string()),
            Some(
                "spec.strategy.canary.analysis.templates: Invalid value: \"bg\": missing analysis arguments in rollout spec"
                    .to_string()
            )
        );
    }

    #[test]
    fn an_argument_with_both_a_value_and_a_source_is_reported() {
        let both = vec![template(
            "t",
            json!([{"name": "a", "value": "1", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}]),
            json!([{"name": "m", "provider": {"web": {"url": "http://127.0.0.1:1"}}}]),
        )];
        let rollout = canary(json!([{"analysis": {"templates": [{"templateName": "t"}]}}]), None);
        assert_eq!(
            problem(&rollout, &both, &[]).as_deref(),
            Some(
                "spec.strategy.canary.steps[0].analysis.templates: Invalid value: \"t\": AnalysisTemplate t: arg 'a' has both Value and ValueFrom fields"
            )
        );
    }
}
