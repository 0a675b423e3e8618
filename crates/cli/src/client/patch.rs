//! Merge patches on Rollouts, AnalysisRuns and Experiments, sent verbatim (the exact bytes upstream's
//! plugin sends).

use std::io::Write;

use kube::api::{Api, DynamicObject, Patch, PatchParams};
use serde_json::value::RawValue;

use super::is_not_found;

fn raw(patch: &str) -> kube::Result<Box<RawValue>> {
    RawValue::from_string(patch.to_string()).map_err(kube::Error::SerdeError)
}

/// Sends `patch` as a JSON merge patch to the object itself.
pub async fn merge_patch(api: &Api<DynamicObject>, name: &str, patch: &str) -> kube::Result<DynamicObject> {
    api.patch(name, &PatchParams::default(), &Patch::Merge(raw(patch)?))
        .await
}

/// Sends `patch` as a JSON merge patch to the status subresource.
pub async fn merge_patch_status(api: &Api<DynamicObject>, name: &str, patch: &str) -> kube::Result<DynamicObject> {
    api.patch_status(name, &PatchParams::default(), &Patch::Merge(raw(patch)?))
        .await
}

/// Sends `patch` to the status subresource, and to the object itself when the API answers 404 (a CRD
/// without the status subresource, or no such object: then the second 404 is the error).
pub async fn status_first(api: &Api<DynamicObject>, name: &str, patch: &str) -> kube::Result<DynamicObject> {
    match merge_patch_status(api, name, patch).await {
        Err(e) if is_not_found(&e) => merge_patch(api, name, patch).await,
        other => other,
    }
}

/// The name of a patched object, falling back to the name asked for.
pub fn name_of(object: &DynamicObject, asked: &str) -> String {
    object.metadata.name.clone().unwrap_or_else(|| asked.to_string())
}

/// Where a merge patch is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The object itself.
    Object,
    /// The status subresource, else the object (see [`status_first`]).
    StatusFirst,
}

/// Sends `patch` to each of `names` in turn, printing `done(<name>)` on a line after each; stops at the
/// first error.
pub async fn patch_each(
    api: &Api<DynamicObject>,
    names: &[String],
    target: Target,
    patch: &str,
    out: &mut impl Write,
    done: impl Fn(&str) -> String,
) -> anyhow::Result<()> {
    for name in names {
        let object = match target {
            Target::Object => merge_patch(api, name, patch).await?,
            Target::StatusFirst => status_first(api, name, patch).await?,
        };
        writeln!(out, "{}", done(&name_of(&object, name)))?;
    }
    Ok(())
}
