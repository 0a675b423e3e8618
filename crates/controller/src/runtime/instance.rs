//! Which objects of the argoproj.io kinds a controller handles (upstream's `--instance-id`): those
//! labelled `argo-rollouts.argoproj.io/controller-instance-id=<id>`, or, without an id, only those
//! without the label. Applied as a label selector on the watches of Rollouts, Experiments,
//! AnalysisRuns, AnalysisTemplates and ClusterAnalysisTemplates, as upstream's informers are filtered;
//! ReplicaSets, Services and the routing objects are not labelled and so not filtered.

use kube::runtime::watcher;
use rollouts_api::well_known::labels::CONTROLLER_INSTANCE_ID;

/// The label selector of the objects the controller of `instance_id` handles.
pub fn selector(instance_id: &str) -> String {
    if instance_id.is_empty() {
        format!("!{CONTROLLER_INSTANCE_ID}")
    } else {
        format!("{CONTROLLER_INSTANCE_ID}={instance_id}")
    }
}

/// A watch of the objects the controller of `instance_id` handles.
pub fn watch_config(instance_id: &str) -> watcher::Config {
    watcher::Config::default().labels(&selector(instance_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_an_id_only_unlabelled_objects_are_handled() {
        assert_eq!(selector(""), "!argo-rollouts.argoproj.io/controller-instance-id");
        assert_eq!(
            selector("blue"),
            "argo-rollouts.argoproj.io/controller-instance-id=blue"
        );
        assert_eq!(
            watch_config("blue").label_selector.as_deref(),
            Some("argo-rollouts.argoproj.io/controller-instance-id=blue")
        );
    }
}
