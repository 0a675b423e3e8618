//! The controller's own namespace, where its leader lease lives and which `--namespaced` watches:
//! `$POD_NAMESPACE` (the Deployment sets it from the downward API), else the namespace of the pod's
//! service account, else `argo-rollouts` (upstream's `defaults.Namespace()`).

use std::path::Path;

/// The file the kubelet mounts with the service account's namespace.
pub const SERVICE_ACCOUNT_NAMESPACE: &str = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

/// The namespace when nothing names one.
pub const DEFAULT_NAMESPACE: &str = "argo-rollouts";

/// The controller's namespace, from this process's environment and files.
pub fn controller_namespace() -> String {
    resolve(
        std::env::var("POD_NAMESPACE").ok().as_deref(),
        Path::new(SERVICE_ACCOUNT_NAMESPACE),
    )
}

/// The controller's namespace from `pod_namespace` (the variable's value) and the service account
/// namespace file at `service_account`. An empty or blank value counts as none (upstream would use
/// it as is and then fail to elect a leader).
pub fn resolve(pod_namespace: Option<&str>, service_account: &Path) -> String {
    let named = |value: &str| Some(value.trim().to_string()).filter(|ns| !ns.is_empty());
    pod_namespace
        .and_then(named)
        .or_else(|| std::fs::read_to_string(service_account).ok().as_deref().and_then(named))
        .unwrap_or_else(|| DEFAULT_NAMESPACE.to_string())
}

/// The one namespace the controller watches, if any: `--namespace` when given, else the
/// controller's own with `--namespaced`, else none (all namespaces).
pub fn watched(namespace: Option<&str>, namespaced: bool, own: impl FnOnce() -> String) -> Option<String> {
    match namespace {
        Some(ns) => Some(ns.to_string()),
        None => namespaced.then(own),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pod_namespace_then_service_account_then_argo_rollouts() {
        let dir = std::env::temp_dir().join(format!("rollouts-ns-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("namespace");
        std::fs::write(&file, "team-b\n").unwrap();
        let missing = dir.join("missing");
        assert_eq!(resolve(Some("team-a"), &file), "team-a");
        assert_eq!(resolve(None, &file), "team-b");
        assert_eq!(resolve(Some(""), &file), "team-b", "an empty variable names nothing");
        assert_eq!(resolve(Some("  "), &missing), "argo-rollouts");
        assert_eq!(resolve(None, &missing), "argo-rollouts");
        std::fs::write(&file, "").unwrap();
        assert_eq!(resolve(None, &file), "argo-rollouts");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn namespace_wins_over_namespaced() {
        let own = || "argo-rollouts".to_string();
        assert_eq!(watched(Some("team-a"), true, own), Some("team-a".into()));
        assert_eq!(watched(Some("team-a"), false, own), Some("team-a".into()));
        assert_eq!(watched(None, true, own), Some("argo-rollouts".into()));
        assert_eq!(watched(None, false, own), None);
    }
}
