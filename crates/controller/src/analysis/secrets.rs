//! The Secrets a run's arguments refer to (`valueFrom.secretKeyRef`), read from the API server in the
//! run's namespace at each reconcile that needs them, as upstream does (there is no Secret watch: the
//! controller should not cache every Secret of the cluster). The pure reconcile then looks values up
//! through [`SecretValues::lookup`].

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Secret;
use kube::api::Api;
use rollouts_api::analysis_run::AnalysisRun;
use rollouts_core::analysis::run::{missing_secret_key_message, secret_not_found_message};

use super::providers::job::api_message;

/// What was read of each referenced Secret: its data, or why it could not be read.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct SecretValues {
    secrets: BTreeMap<String, Result<BTreeMap<String, String>, String>>,
}

impl SecretValues {
    /// Reads every Secret the run's arguments refer to (each once). Nothing is read for a run that
    /// is completed or being deleted: it measures nothing more.
    pub async fn read(client: &kube::Client, run: &AnalysisRun) -> Self {
        let mut values = SecretValues::default();
        let completed = run.status.as_ref().is_some_and(|s| s.phase.is_completed());
        if completed || run.metadata.deletion_timestamp.is_some() {
            return values;
        }
        let namespace = run.metadata.namespace.as_deref().unwrap_or_default();
        let api: Api<Secret> = Api::namespaced(client.clone(), namespace);
        for name in referenced(run) {
            let read = match api.get(&name).await {
                Ok(secret) => Ok(data(&secret)),
                Err(kube::Error::Api(status)) if status.code == 404 => Err(secret_not_found_message(&name)),
                Err(error) => Err(api_message(&error)),
            };
            values.secrets.insert(name, read);
        }
        values
    }

    /// The value of `key` in the Secret `name`, or why there is none.
    pub fn lookup(&self, name: &str, key: &str) -> Result<String, String> {
        match self.secrets.get(name) {
            Some(Ok(data)) => data
                .get(key)
                .cloned()
                .ok_or_else(|| missing_secret_key_message(name, key)),
            Some(Err(message)) => Err(message.clone()),
            None => Err(secret_not_found_message(name)),
        }
    }
}

/// The names of the Secrets the run's arguments refer to, in argument order, each once.
fn referenced(run: &AnalysisRun) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let references = run
        .spec
        .args
        .iter()
        .flatten()
        .filter_map(|arg| arg.value_from.as_ref()?.secret_key_ref.as_ref());
    for reference in references {
        if !names.contains(&reference.name) {
            names.push(reference.name.clone());
        }
    }
    names
}

/// The Secret's data as text (`stringData` is folded into `data` by the API server).
fn data(secret: &Secret) -> BTreeMap<String, String> {
    secret
        .data
        .iter()
        .flatten()
        .map(|(key, value)| (key.clone(), String::from_utf8_lossy(&value.0).into_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_report_missing_secrets_and_keys_as_upstream() {
        let mut values = SecretValues::default();
        values.secrets.insert(
            "creds".into(),
            Ok(BTreeMap::from([("token".to_string(), "s3cr3t".to_string())])),
        );
        values
            .secrets
            .insert("gone".into(), Err("secrets \"gone\" not found".into()));
        assert_eq!(values.lookup("creds", "token").as_deref(), Ok("s3cr3t"));
        assert_eq!(
            values.lookup("creds", "other").unwrap_err(),
            "key 'other' does not exist in secret 'creds'"
        );
        assert_eq!(
            values.lookup("gone", "token").unwrap_err(),
            "secrets \"gone\" not found"
        );
        assert_eq!(
            values.lookup("never-read", "k").unwrap_err(),
            "secrets \"never-read\" not found"
        );
    }
}
