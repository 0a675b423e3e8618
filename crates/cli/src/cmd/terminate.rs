//! `kubectl argo rollouts terminate analysisrun|experiment NAME...`: stops an AnalysisRun or an Experiment
//! that is in progress by setting `spec.terminate`.

use kube::api::{Api, DynamicObject};
use kube::core::ApiResource;
use rollouts_api::{AnalysisRun, Experiment};

use crate::client::Connection;
use crate::cmd::patch::{merge_patch, name_of};

/// The merge patch sent to the object.
pub const TERMINATE_PATCH: &str = r#"{"spec":{"terminate":true}}"#;

/// The AnalysisRuns of the connection's namespace, untyped.
pub fn analysis_runs(conn: &Connection) -> Api<DynamicObject> {
    Api::namespaced_with(
        conn.client.clone(),
        &conn.namespace,
        &ApiResource::erase::<AnalysisRun>(&()),
    )
}

/// The Experiments of the connection's namespace, untyped.
pub fn experiments(conn: &Connection) -> Api<DynamicObject> {
    Api::namespaced_with(
        conn.client.clone(),
        &conn.namespace,
        &ApiResource::erase::<Experiment>(&()),
    )
}

/// Terminates each AnalysisRun in turn, printing `analysisRun '<name>' terminated`; stops at the first error.
pub async fn run_analysis_run(
    conn: &Connection,
    names: &[String],
    out: &mut impl std::io::Write,
) -> anyhow::Result<()> {
    let api = analysis_runs(conn);
    for name in names {
        let run = merge_patch(&api, name, TERMINATE_PATCH).await?;
        writeln!(out, "analysisRun '{}' terminated", name_of(&run, name))?;
    }
    Ok(())
}

/// Terminates each Experiment in turn; stops at the first error. The message says `retried`, not
/// `terminated`: that is upstream's wording, which scripts may match.
pub async fn run_experiment(conn: &Connection, names: &[String], out: &mut impl std::io::Write) -> anyhow::Result<()> {
    let api = experiments(conn);
    for name in names {
        let exp = merge_patch(&api, name, TERMINATE_PATCH).await?;
        writeln!(out, "experiment '{}' retried", name_of(&exp, name))?;
    }
    Ok(())
}
