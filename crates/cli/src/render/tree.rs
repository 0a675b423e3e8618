//! The header block and the tree of `get rollout` / `get experiment`.

use super::RenderOptions;
use super::tabwriter::align;
use crate::info::{
    AnalysisRunInfo, ExperimentInfo, ICON_BAD, ICON_OK, ICON_UNKNOWN, ICON_WARNING, ImageInfo, JobInfo, ReplicaSetInfo,
    RolloutInfo, TAG_ACTIVE, TAG_CANARY, TAG_PING, TAG_PONG, TAG_PREVIEW, TAG_STABLE, experiment_images, images,
};
use std::fmt::Write;

const ICON_ROLLOUT: &str = "⟳";
const ICON_REVISION: &str = "#";
const ICON_REPLICA_SET: &str = "⧉";
const ICON_POD: &str = "□";
const ICON_JOB: &str = "⊞";
const ICON_EXPERIMENT: &str = "Σ";
const ICON_ANALYSIS: &str = "α";

/// The header row of the tree.
const TREE_HEADER: &str = "NAME\tKIND\tSTATUS\tAGE\tINFO\n";

/// The full `get rollout` output: header fields, a blank line, then the tree.
pub fn render_rollout(info: &RolloutInfo, opts: &RenderOptions) -> String {
    let mut out = String::new();
    let status = status_cell(opts, info.icon, &info.status);
    summary_fields(&mut out, &info.name, &info.namespace, &status, &info.message);
    field(&mut out, "Strategy:", &info.strategy);
    if info.strategy == "Canary" {
        field(&mut out, "  Step:", &info.step);
        field(&mut out, "  SetWeight:", &info.set_weight);
        field(&mut out, "  ActualWeight:", &info.actual_weight);
    }
    image_fields(&mut out, &images(info), opts);
    out.push_str("Replicas:\n");
    field(&mut out, "  Desired:", &info.desired.to_string());
    field(&mut out, "  Current:", &info.current.to_string());
    field(&mut out, "  Updated:", &info.updated.to_string());
    field(&mut out, "  Ready:", &info.ready.to_string());
    field(&mut out, "  Available:", &info.available.to_string());
    out.push('\n');

    let mut tree = String::from(TREE_HEADER);
    row(
        &mut tree,
        &format!("{ICON_ROLLOUT} {}", info.name),
        "Rollout",
        &status,
        &info.age,
        "",
    );
    let revisions = info.revisions();
    for (i, rev) in revisions.iter().enumerate() {
        let (prefix, sub) = prefixes(i + 1 == revisions.len(), "");
        row(
            &mut tree,
            &format!("{prefix}{ICON_REVISION} revision:{rev}"),
            "",
            " ",
            "",
            "",
        );
        let rss: Vec<_> = info.replica_sets.iter().filter(|r| r.revision == *rev).collect();
        let exps: Vec<_> = info.experiments.iter().filter(|e| e.revision == *rev).collect();
        let ars: Vec<_> = info.analysis_runs.iter().filter(|a| a.revision == *rev).collect();
        let total = rss.len() + exps.len() + ars.len();
        let mut curr = 0;
        for rs in rss {
            let (p, s) = prefixes(curr + 1 == total, &sub);
            replica_set_rows(&mut tree, rs, &p, &s, opts);
            curr += 1;
        }
        for exp in exps {
            let (p, s) = prefixes(curr + 1 == total, &sub);
            experiment_rows(&mut tree, exp, &p, &s, opts);
            curr += 1;
        }
        for ar in ars {
            let (p, s) = prefixes(curr + 1 == total, &sub);
            analysis_run_rows(&mut tree, ar, &p, &s, opts);
            curr += 1;
        }
    }
    out.push_str(&align(&tree));
    out
}

/// The full `get experiment` output: header fields, a blank line, then the tree.
pub fn render_experiment(info: &ExperimentInfo, opts: &RenderOptions) -> String {
    let mut out = String::new();
    let status = status_cell(opts, info.icon, &info.status);
    summary_fields(&mut out, &info.name, &info.namespace, &status, &info.message);
    image_fields(&mut out, &experiment_images(info), opts);
    out.push('\n');
    let mut tree = String::from(TREE_HEADER);
    experiment_rows(&mut tree, info, "", "", opts);
    out.push_str(&align(&tree));
    out
}

/// The header lines both views open with: name, namespace, status and, when there is one, the message.
fn summary_fields(out: &mut String, name: &str, namespace: &str, status: &str, message: &str) {
    field(out, "Name:", name);
    field(out, "Namespace:", namespace);
    field(out, "Status:", status);
    if !message.is_empty() {
        field(out, "Message:", message);
    }
}

/// A status as shown in the header and the tree: its icon, then its text.
fn status_cell(opts: &RenderOptions, icon: &str, status: &str) -> String {
    format!("{} {}", opts.colorize(icon), status)
}

/// A header line: the label left-aligned in 17 columns, then the value.
fn field(out: &mut String, label: &str, value: &str) {
    let _ = writeln!(out, "{label:<17}{value}");
}

fn image_fields(out: &mut String, images: &[ImageInfo], opts: &RenderOptions) {
    for (i, image) in images.iter().enumerate() {
        let label = if i == 0 { "Images:" } else { "" };
        let value = if image.tags.is_empty() {
            image.image.clone()
        } else {
            let tags: Vec<String> = image.tags.iter().map(|t| opts.colorize(t)).collect();
            format!("{} ({})", image.image, tags.join(", "))
        };
        field(out, label, &value);
    }
}

fn row(out: &mut String, name: &str, kind: &str, status: &str, age: &str, info: &str) {
    let _ = writeln!(out, "{name}\t{kind}\t{status}\t{age}\t{info}");
}

/// Prefix of a child row and of that child's own children.
fn prefixes(is_last: bool, sub: &str) -> (String, String) {
    if is_last {
        (format!("{sub}└──"), format!("{sub}   "))
    } else {
        (format!("{sub}├──"), format!("{sub}│  "))
    }
}

fn replica_set_rows(out: &mut String, rs: &ReplicaSetInfo, prefix: &str, sub: &str, opts: &RenderOptions) {
    let mut cols = Vec::new();
    let mut name = rs.name.clone();
    let role = if rs.canary {
        Some(TAG_CANARY)
    } else if rs.active {
        Some(TAG_ACTIVE)
    } else if rs.preview {
        Some(TAG_PREVIEW)
    } else {
        None
    };
    let tags = [
        (rs.stable, Some(TAG_STABLE)),
        (role.is_some(), role),
        (rs.ping, Some(TAG_PING)),
        (rs.pong, Some(TAG_PONG)),
    ];
    for tag in tags.iter().filter(|(on, _)| *on).filter_map(|(_, t)| *t) {
        cols.push(opts.colorize(tag));
        name = opts.colorize_status(&name, tag);
    }
    if !rs.scale_down_delay.is_empty() {
        cols.push(format!("delay:{}", rs.scale_down_delay));
    }
    let status = status_cell(opts, rs.icon, &rs.status);
    row(
        out,
        &format!("{prefix}{ICON_REPLICA_SET} {name}"),
        "ReplicaSet",
        &status,
        &rs.age,
        &cols.join(","),
    );
    for (i, pod) in rs.pods.iter().enumerate() {
        let (p, _) = prefixes(i + 1 == rs.pods.len(), sub);
        let mut info = vec![format!("ready:{}", pod.ready)];
        if pod.restarts > 0 {
            info.push(format!("restarts:{}", pod.restarts));
        }
        let status = status_cell(opts, pod.icon, &pod.status);
        row(
            out,
            &format!("{p}{ICON_POD} {}", pod.name),
            "Pod",
            &status,
            &pod.age,
            &info.join(","),
        );
    }
}

fn experiment_rows(out: &mut String, exp: &ExperimentInfo, prefix: &str, sub: &str, opts: &RenderOptions) {
    let name = opts.colorize_status(&exp.name, &exp.status);
    let status = status_cell(opts, exp.icon, &exp.status);
    row(
        out,
        &format!("{prefix}{ICON_EXPERIMENT} {name}"),
        "Experiment",
        &status,
        &exp.age,
        "",
    );
    let total = exp.replica_sets.len() + exp.analysis_runs.len();
    let mut curr = 0;
    for rs in &exp.replica_sets {
        let (p, s) = prefixes(curr + 1 == total, sub);
        replica_set_rows(out, rs, &p, &s, opts);
        curr += 1;
    }
    for ar in &exp.analysis_runs {
        let (p, s) = prefixes(curr + 1 == total, sub);
        analysis_run_rows(out, ar, &p, &s, opts);
        curr += 1;
    }
}

fn analysis_run_rows(out: &mut String, ar: &AnalysisRunInfo, prefix: &str, sub: &str, opts: &RenderOptions) {
    let name = opts.colorize_status(&ar.name, &ar.status);
    let counts = [
        (ar.successful, ICON_OK),
        (ar.failed, ICON_BAD),
        (ar.inconclusive, ICON_UNKNOWN),
        (ar.error, ICON_WARNING),
    ];
    let cols: Vec<String> = counts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, icon)| format!("{} {n}", opts.colorize(icon)))
        .collect();
    let status = status_cell(opts, ar.icon, &ar.status);
    row(
        out,
        &format!("{prefix}{ICON_ANALYSIS} {name}"),
        "AnalysisRun",
        &status,
        &ar.age,
        &cols.join(","),
    );
    for (i, job) in ar.jobs.iter().enumerate() {
        let (p, _) = prefixes(i + 1 == ar.jobs.len(), sub);
        job_row(out, job, &p, opts);
    }
}

fn job_row(out: &mut String, job: &JobInfo, prefix: &str, opts: &RenderOptions) {
    let name = opts.colorize_status(&job.name, &job.status);
    let status = status_cell(opts, job.icon, &job.status);
    row(out, &format!("{prefix}{ICON_JOB} {name}"), "Job", &status, &job.age, "");
}
