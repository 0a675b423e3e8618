//! The AnalysisTemplates a Rollout's analysis refers to (upstream `getAnalysisTemplatesFromRefs`):
//! namespaced or cluster-scoped, nested references followed, each template once.

use rollouts_api::AnalysisTemplate;
use rollouts_api::analysis::{AnalysisTemplateSpec, ClusterAnalysisTemplate};
use rollouts_api::rollout_analysis::AnalysisTemplateRef;

/// A template found for a reference: its name, scope and spec.
#[derive(Debug, Clone, Copy)]
pub struct FoundTemplate<'a> {
    /// The template's name.
    pub name: &'a str,
    /// Whether it is a ClusterAnalysisTemplate.
    pub cluster: bool,
    /// What the template defines: metrics, arguments, dry-run and retention rules.
    pub spec: &'a AnalysisTemplateSpec,
}

/// A reference that could not be followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateError {
    /// No such template (`AnalysisTemplate 'x' not found` / `ClusterAnalysisTemplate 'x' not found`).
    NotFound {
        /// The name the reference gives.
        name: String,
        /// Whether the reference is to a ClusterAnalysisTemplate.
        cluster: bool,
    },
    /// Templates referring to each other in a loop (upstream recurses without end).
    Cycle(String),
}

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TemplateError::NotFound { name, cluster: true } => write!(f, "ClusterAnalysisTemplate '{name}' not found"),
            TemplateError::NotFound { name, cluster: false } => write!(f, "AnalysisTemplate '{name}' not found"),
            TemplateError::Cycle(name) => write!(f, "AnalysisTemplate '{name}' refers to itself through its templates"),
        }
    }
}

/// The templates available to a reconcile.
#[derive(Debug, Clone, Copy)]
pub struct TemplateSource<'a> {
    /// AnalysisTemplates of the Rollout's namespace.
    pub namespaced: &'a [AnalysisTemplate],
    /// ClusterAnalysisTemplates.
    pub cluster: &'a [ClusterAnalysisTemplate],
}

impl<'a> TemplateSource<'a> {
    fn find(&self, reference: &AnalysisTemplateRef) -> Result<FoundTemplate<'a>, TemplateError> {
        let name = reference.template_name.as_deref().unwrap_or_default();
        let cluster = reference.cluster_scope.unwrap_or(false);
        let found = if cluster {
            self.cluster
                .iter()
                .find(|t| t.metadata.name.as_deref() == Some(name))
                .map(|t| (t.metadata.name.as_deref().unwrap_or_default(), &t.spec.template))
        } else {
            self.namespaced
                .iter()
                .find(|t| t.metadata.name.as_deref() == Some(name))
                .map(|t| (t.metadata.name.as_deref().unwrap_or_default(), &t.spec))
        };
        found
            .map(|(name, spec)| FoundTemplate { name, cluster, spec })
            .ok_or_else(|| TemplateError::NotFound {
                name: name.to_string(),
                cluster,
            })
    }

    /// Every template the references lead to, namespaced ones first then cluster ones (each in the
    /// order found), each once, as upstream orders them for flattening.
    pub fn resolve(&self, references: &[AnalysisTemplateRef]) -> Result<Vec<FoundTemplate<'a>>, TemplateError> {
        let mut found = Vec::new();
        let mut path = Vec::new();
        self.collect(references, &mut found, &mut path)?;
        let mut unique: Vec<FoundTemplate<'a>> = Vec::new();
        for t in found {
            if !unique.iter().any(|u| u.name == t.name && u.cluster == t.cluster) {
                unique.push(t);
            }
        }
        let (mut namespaced, cluster): (Vec<_>, Vec<_>) = unique.into_iter().partition(|t| !t.cluster);
        namespaced.extend(cluster);
        Ok(namespaced)
    }

    fn collect(
        &self,
        references: &[AnalysisTemplateRef],
        found: &mut Vec<FoundTemplate<'a>>,
        path: &mut Vec<(String, bool)>,
    ) -> Result<(), TemplateError> {
        for reference in references {
            let template = self.find(reference)?;
            let key = (template.name.to_string(), template.cluster);
            if path.contains(&key) {
                return Err(TemplateError::Cycle(key.0));
            }
            found.push(template);
            if let Some(nested) = template.spec.templates.as_deref() {
                path.push(key);
                self.collect(nested, found, path)?;
                path.pop();
            }
        }
        Ok(())
    }
}

/// Every analysis of the Rollout with the field path of its template references (upstream
/// `GetAnalysisTemplateWithTypeFieldPath`).
fn references(rollout: &rollouts_api::Rollout) -> Vec<(String, &[AnalysisTemplateRef])> {
    let mut out = Vec::new();
    let Some(strategy) = rollout.spec.strategy.as_ref() else {
        return out;
    };
    if let Some(bg) = &strategy.blue_green {
        if let Some(a) = &bg.pre_promotion_analysis {
            out.push((
                "spec.strategy.blueGreen.prePromotionAnalysis.templates".to_string(),
                a.templates.as_deref().unwrap_or_default(),
            ));
        }
        if let Some(a) = &bg.post_promotion_analysis {
            out.push((
                "spec.strategy.blueGreen.postPromotionAnalysis.templates".to_string(),
                a.templates.as_deref().unwrap_or_default(),
            ));
        }
    }
    if let Some(canary) = &strategy.canary {
        for (i, step) in canary.steps.iter().flatten().enumerate() {
            if let Some(a) = &step.analysis {
                out.push((
                    format!("spec.strategy.canary.steps[{i}].analysis.templates"),
                    a.templates.as_deref().unwrap_or_default(),
                ));
            }
        }
        if let Some(a) = &canary.analysis {
            out.push((
                "spec.strategy.canary.analysis.templates".to_string(),
                a.templates.as_deref().unwrap_or_default(),
            ));
        }
    }
    out
}

/// The first analysis whose templates cannot all be found (upstream reports the missing one as an
/// invalid value of the references' field).
pub fn first_reference_problem(ctx: &super::super::context::Ctx<'_>) -> Option<rollouts_api::validation::FieldError> {
    let source = super::template_source(ctx);
    for (path, refs) in references(ctx.rollout) {
        if let Err(e) = source.resolve(refs) {
            let name = match &e {
                TemplateError::NotFound { name, .. } | TemplateError::Cycle(name) => name.clone(),
            };
            return Some(rollouts_api::validation::FieldError::invalid(
                path,
                name.as_str(),
                e.to_string(),
            ));
        }
    }
    None
}
