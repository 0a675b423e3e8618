//! Decoding raw cached objects. The controllers cache the objects they own as raw JSON
//! ([`DynamicObject`]) and decode them one by one, so that one object that does not fit its type (a
//! field of the wrong type that the CRD schema let through) fails alone instead of breaking the watch
//! of every object of its kind.

use kube::core::DynamicObject;
use kube::runtime::reflector::Store;
use serde::de::DeserializeOwned;

/// Decodes a raw cached object as `T`; the error names the offending field.
pub fn decode_cached<T: DeserializeOwned>(object: &DynamicObject) -> Result<T, String> {
    let value = serde_json::to_value(object).map_err(|e| e.to_string())?;
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." {
            inner.to_string()
        } else {
            format!("{path}: {inner}")
        }
    })
}

/// Decodes the cached objects of `store` that `keep` selects, skipping (and logging) those that do
/// not fit the type: one malformed object never stops a reconcile that reads its kind.
pub fn decode_selected<T: DeserializeOwned>(
    store: &Store<DynamicObject>,
    keep: impl Fn(&DynamicObject) -> bool,
    kind: &str,
) -> Vec<T> {
    store
        .state_filter(|o| keep(o))
        .iter()
        .filter_map(|o| {
            let value = serde_json::to_value(o.as_ref()).ok()?;
            match serde_json::from_value(value) {
                Ok(t) => Some(t),
                Err(error) => {
                    tracing::warn!(%error, name = ?o.metadata.name, "{kind} does not decode; ignored");
                    None
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use kube::core::ApiResource;
    use kube::runtime::reflector::store::Writer;
    use kube::runtime::watcher::Event;
    use rollouts_api::AnalysisRun;
    use serde_json::json;

    fn run(name: &str, phase: &str) -> DynamicObject {
        let resource = ApiResource::erase::<AnalysisRun>(&());
        DynamicObject::new(name, &resource)
            .within("ns")
            .data(json!({"spec": {"metrics": []}, "status": {"phase": phase}}))
    }

    #[test]
    fn a_misfit_names_its_field_and_is_skipped_among_many() {
        let error = decode_cached::<AnalysisRun>(&run("bad", "Bogus")).unwrap_err();
        assert!(error.starts_with("status.phase: unknown variant `Bogus`"), "{error}");
        let mut writer = Writer::new(ApiResource::erase::<AnalysisRun>(&()));
        for object in [run("good", "Running"), run("bad", "Bogus"), run("other", "Successful")] {
            writer.apply_watcher_event(&Event::Apply(object));
        }
        let store = writer.as_reader();
        let mut decoded: Vec<String> =
            decode_selected::<AnalysisRun>(&store, |o| o.metadata.name.as_deref() != Some("other"), "AnalysisRun")
                .into_iter()
                .filter_map(|run| run.metadata.name)
                .collect();
        decoded.sort();
        assert_eq!(decoded, ["good"]);
    }
}
