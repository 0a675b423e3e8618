//! AnalysisRun rows: phase, measurement counts, and the Jobs of job metrics.

use super::owner::{created, owned_by, revision};
use super::{AnalysisRunInfo, JobInfo, age::age, analysis_icon};
use jiff::Timestamp;
use rollouts_api::AnalysisRun;

/// Measurement metadata key naming the Job a job metric started.
const JOB_NAME_KEY: &str = "job-name";

/// Rows of the AnalysisRuns owned by `owner_uid`: newest revision first, then oldest first, then
/// by name descending.
pub(crate) fn analysis_run_infos(owner_uid: &str, runs: &[AnalysisRun], now: Timestamp) -> Vec<AnalysisRunInfo> {
    let owner = [owner_uid.to_string()];
    let mut infos: Vec<(Option<Timestamp>, AnalysisRunInfo)> = runs
        .iter()
        .filter(|r| owned_by(&r.metadata, &owner).is_some())
        .map(|r| (created(&r.metadata), analysis_run_info(r, now)))
        .collect();
    infos.sort_by(|(ta, a), (tb, b)| {
        b.revision
            .cmp(&a.revision)
            .then_with(|| ta.cmp(tb))
            .then_with(|| b.name.cmp(&a.name))
    });
    infos.into_iter().map(|(_, i)| i).collect()
}

fn analysis_run_info(run: &AnalysisRun, now: Timestamp) -> AnalysisRunInfo {
    let status = run.status.clone().unwrap_or_default();
    let phase = run.status.as_ref().map_or("", |s| s.phase.as_str());
    let mut info = AnalysisRunInfo {
        name: run.metadata.name.clone().unwrap_or_default(),
        age: age(created(&run.metadata), now),
        status: phase.to_string(),
        icon: analysis_icon(phase),
        revision: revision(&run.metadata),
        ..AnalysisRunInfo::default()
    };
    let results = status.metric_results.unwrap_or_default();
    for mr in &results {
        info.successful += mr.successful.unwrap_or(0);
        info.failed += mr.failed.unwrap_or(0);
        info.inconclusive += mr.inconclusive.unwrap_or(0);
        info.error += mr.error.unwrap_or(0);
        // Measurements are looked up by metric name: the first result of that name.
        let measurements = results
            .iter()
            .find(|r| r.name == mr.name)
            .and_then(|r| r.measurements.as_ref());
        for m in measurements.into_iter().flatten() {
            let Some(job) = m.metadata.as_ref().and_then(|md| md.get(JOB_NAME_KEY)) else {
                continue;
            };
            info.jobs.push(JobInfo {
                name: job.clone(),
                age: age(m.started_at.as_ref().map(|t| t.0), now),
                status: m.phase.as_str().to_string(),
                icon: analysis_icon(m.phase.as_str()),
            });
        }
    }
    info
}
