//! What the Experiment executor says about each write it made, at info level, in upstream's words: one
//! line per write that changed something, with the Experiment's `namespace` and name (`experiment`)
//! as fields. Writes an event of the plan describes (a ReplicaSet scaled, an AnalysisRun asked to
//! terminate, the status: template and phase transitions) are said by that event, logged once the
//! plan is carried out.

use rollouts_core::experiment::Action;

use super::ExperimentKey;
use crate::runtime::change_log::log_replica_set_patch;
use crate::runtime::kind::ControllerKind;

/// Says what `action`, just carried out for the Experiment `key`, changed.
pub fn written(key: &ExperimentKey, action: &Action) {
    let namespace = key.namespace.as_str();
    let experiment = key.name.as_str();
    match action {
        Action::CreateReplicaSet(rs) => {
            let name = rs.metadata.name.as_deref().unwrap_or_default();
            tracing::info!(namespace = %namespace, experiment = %experiment, "Created ReplicaSet {name}");
        }
        Action::PatchReplicaSet { name, patch } => {
            log_replica_set_patch(ControllerKind::Experiment, namespace, experiment, name, patch);
        }
        Action::CreateService(svc) => {
            let name = svc.metadata.name.as_deref().unwrap_or_default();
            tracing::info!(namespace = %namespace, experiment = %experiment, "Created Service {name}");
        }
        Action::DeleteService { name, .. } => {
            tracing::info!(namespace = %namespace, experiment = %experiment, "Trying to cleanup service '{name}'");
        }
        Action::CreateAnalysisRun(run) => {
            let name = run.metadata.name.as_deref().unwrap_or_default();
            tracing::info!(namespace = %namespace, experiment = %experiment, analysisrun = %name, "Created {name}");
        }
        // Said by the plan's events.
        Action::UpdateReplicaSet(_) | Action::PatchAnalysisRun { .. } | Action::PatchExperiment(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rollouts_testkit::logs::LogCapture;
    use serde_json::json;

    #[test]
    fn each_write_is_said_once_under_the_experiment_and_evented_ones_not_at_all() {
        let named = |name: &str| json!({"metadata": {"name": name}});
        let actions = [
            Action::CreateReplicaSet(Box::new(serde_json::from_value(named("ex-canary")).unwrap())),
            Action::UpdateReplicaSet(Box::new(serde_json::from_value(named("ex-canary")).unwrap())),
            Action::PatchReplicaSet {
                name: "ex-canary".into(),
                patch: rollouts_core::scale_down_deadline::remove_patch(),
            },
            Action::CreateService(Box::new(serde_json::from_value(named("ex-canary")).unwrap())),
            Action::DeleteService {
                name: "ex-canary".into(),
                uid: None,
            },
            Action::CreateAnalysisRun(Box::new(
                serde_json::from_value(json!({"metadata": {"name": "ex-check"}, "spec": {"metrics": []}})).unwrap(),
            )),
            Action::PatchAnalysisRun {
                name: "ex-check".into(),
                patch: json!({"spec": {"terminate": true}}),
            },
            Action::PatchExperiment(json!({"status": {"phase": "Running"}})),
        ];
        let logs = LogCapture::new();
        let key = ExperimentKey::new("default", "ex");
        tracing::subscriber::with_default(logs.subscriber("rollouts_controller", tracing::Level::INFO), || {
            for action in &actions {
                written(&key, action);
            }
        });
        assert_eq!(
            logs.take(),
            [
                "INFO Created ReplicaSet ex-canary namespace=default experiment=ex",
                "INFO Removed 'scale-down-deadline' annotation from RS 'ex-canary' namespace=default experiment=ex",
                "INFO Created Service ex-canary namespace=default experiment=ex",
                "INFO Trying to cleanup service 'ex-canary' namespace=default experiment=ex",
                "INFO Created ex-check namespace=default experiment=ex analysisrun=ex-check",
            ]
        );
    }
}
