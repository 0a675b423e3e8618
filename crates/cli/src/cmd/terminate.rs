//! `kubectl argo rollouts terminate analysisrun|experiment NAME...`: stops an AnalysisRun or an Experiment
//! that is in progress by setting `spec.terminate`.

use rollouts_api::{AnalysisRun, Experiment};

use crate::client::Connection;
use crate::client::patch::{merge_patch, name_of};
use crate::client::resources::untyped;

/// The merge patch sent to the object.
pub const TERMINATE_PATCH: &str = r#"{"spec":{"terminate":true}}"#;

/// Terminates each AnalysisRun in turn, printing `analysisRun '<name>' terminated`; stops at the first error.
pub async fn run_analysis_run(
    conn: &Connection,
    names: &[String],
    out: &mut impl std::io::Write,
) -> anyhow::Result<()> {
    let api = untyped::<AnalysisRun>(conn);
    for name in names {
        let run = merge_patch(&api, name, TERMINATE_PATCH).await?;
        writeln!(out, "analysisRun '{}' terminated", name_of(&run, name))?;
    }
    Ok(())
}

/// Terminates each Experiment in turn; stops at the first error. The message says `retried`, not
/// `terminated`: that is upstream's wording, which scripts may match.
pub async fn run_experiment(conn: &Connection, names: &[String], out: &mut impl std::io::Write) -> anyhow::Result<()> {
    let api = untyped::<Experiment>(conn);
    for name in names {
        let exp = merge_patch(&api, name, TERMINATE_PATCH).await?;
        writeln!(out, "experiment '{}' retried", name_of(&exp, name))?;
    }
    Ok(())
}
