//! `get rollout` / `get experiment` output for upstream's test scenarios, compared with upstream's
//! golden outputs (colours off, trailing spaces ignored, ages from creation times a week before
//! the fixed clock, as upstream's fixtures are loaded).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use jiff::{SignedDuration, Timestamp};
use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::Pod;
use rollouts_api::{AnalysisRun, Experiment, Rollout};
use rollouts_cli::info::{experiment_info, rollout_info};
use rollouts_cli::render::{RenderOptions, render_experiment, render_rollout};
use serde_json::Value;

/// Objects of one scenario directory, in file-name order.
#[derive(Default)]
struct Objects {
    rollouts: Vec<Rollout>,
    replica_sets: Vec<ReplicaSet>,
    pods: Vec<Pod>,
    experiments: Vec<Experiment>,
    analysis_runs: Vec<AnalysisRun>,
}

/// The fixed clock: with a sub-second part, so that deadlines truncated to the second (as
/// upstream's tests write them) fall just short of whole hours.
fn now() -> Timestamp {
    "2026-01-01T00:00:00.5Z".parse().unwrap()
}

fn rfc3339_secs(t: Timestamp) -> String {
    Timestamp::from_second(t.as_second()).unwrap().to_string()
}

/// Decodes one object, naming the file on failure.
macro_rules! parse {
    ($file:expr, $v:expr) => {
        serde_json::from_value($v).unwrap_or_else(|e| panic!("{}: {e}", $file.display()))
    };
}

/// Loads `testdata/<scenario>`, stamping every object as created a week ago (and the measurements
/// of each run's first metric as started then), as upstream's fixture loader does.
fn load(scenario: &str) -> Option<Objects> {
    let corpus = rollouts_testkit::conformance_or_skip(scenario)?;
    let dir = corpus.join("pkg/kubectl-argo-rollouts/info/testdata").join(scenario);
    let week_ago = rfc3339_secs(now() - SignedDuration::from_hours(7 * 24));
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let mut objs = Objects::default();
    for file in files {
        let mut v: Value = serde_saphyr::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        v["metadata"]["creationTimestamp"] = Value::String(week_ago.clone());
        let kind = v["kind"].as_str().unwrap_or_default().to_string();
        match kind.as_str() {
            "Rollout" => objs.rollouts.push(parse!(file, v)),
            "ReplicaSet" => {
                // Older fixtures say `extensions/v1beta1`; upstream decodes them as apps/v1 all the same.
                v["apiVersion"] = Value::String("apps/v1".into());
                objs.replica_sets.push(parse!(file, v));
            }
            "Pod" => objs.pods.push(parse!(file, v)),
            "Experiment" => objs.experiments.push(parse!(file, v)),
            "AnalysisRun" => {
                if let Some(ms) = v["status"]["metricResults"][0]["measurements"].as_array_mut() {
                    for m in ms {
                        m["startedAt"] = Value::String(week_ago.clone());
                        m["finishedAt"] = Value::String(week_ago.clone());
                    }
                }
                objs.analysis_runs.push(parse!(file, v));
            }
            _ => {}
        }
    }
    Some(objs)
}

fn render(objs: &Objects, rollout: usize) -> String {
    let info = rollout_info(
        &objs.rollouts[rollout],
        &objs.replica_sets,
        &objs.pods,
        &objs.analysis_runs,
        &objs.experiments,
        now(),
    );
    render_rollout(&info, &RenderOptions { color: false })
}

fn strip_trailing_spaces(s: &str) -> String {
    s.split('\n')
        .map(|l| l.trim_end_matches(' '))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Compares, printing the scenario's verdict (and both texts on a mismatch).
fn check(scenario: &str, got: &str, want: &str) {
    let (got, want) = (strip_trailing_spaces(got), strip_trailing_spaces(want));
    if got == want {
        println!("scenario {scenario}: pass");
    } else {
        println!("scenario {scenario}: FAIL\n--- got\n{got}\n--- want\n{want}");
    }
    assert_eq!(got, want, "scenario {scenario}");
}

#[test]
fn canary() {
    let Some(objs) = load("canary") else { return };
    check("canary", &render(&objs, 0), CANARY);
}

/// Drops `ESC [ ... m` sequences.
fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            chars.by_ref().find(|c| *c == 'm');
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn canary_in_colour() {
    let Some(objs) = load("canary") else { return };
    let info = rollout_info(
        &objs.rollouts[0],
        &objs.replica_sets,
        &objs.pods,
        &objs.analysis_runs,
        &objs.experiments,
        now(),
    );
    let got = render_rollout(&info, &RenderOptions { color: true });
    assert!(got.contains("Status:          \x1b[31m✖\x1b[0m Degraded\n"));
    assert!(got.contains("argoproj/rollouts-demo:green (\x1b[32mstable\x1b[0m)"));
    assert!(got.contains("\x1b[33mcanary-demo-65fb5ffc84\x1b[0m"));
    assert!(got.contains("\x1b[31m⚠\x1b[0m ImagePullBackOff"));
    check("canary-in-colour", &strip_ansi(&got), CANARY);
}

#[test]
fn canary_ping_pong() {
    let Some(objs) = load("canary") else { return };
    check("canary-ping-pong", &render(&objs, 3), CANARY_PING_PONG);
}

#[test]
fn blue_green() {
    let Some(objs) = load("blue-green") else { return };
    check("blue-green", &render(&objs, 0), BLUE_GREEN);
}

fn blue_green_with_deadline(deadline: Timestamp) -> Objects {
    let mut objs = load("blue-green").unwrap();
    let rs = &mut objs.replica_sets[2].metadata;
    rs.annotations
        .get_or_insert_default()
        .insert("scale-down-deadline".into(), rfc3339_secs(deadline));
    rs.labels.get_or_insert_default().remove("rollouts-pod-template-hash");
    objs
}

#[test]
fn blue_green_scale_down_delay() {
    if rollouts_testkit::conformance_or_skip("blue-green-scale-down-delay").is_none() {
        return;
    }
    let objs = blue_green_with_deadline(now() + SignedDuration::from_hours(4));
    check(
        "blue-green-scale-down-delay",
        &render(&objs, 0),
        BLUE_GREEN_SCALE_DOWN_DELAY,
    );
}

#[test]
fn blue_green_scale_down_delay_passed() {
    if rollouts_testkit::conformance_or_skip("blue-green-scale-down-delay-passed").is_none() {
        return;
    }
    let objs = blue_green_with_deadline(now() - SignedDuration::from_hours(1));
    check(
        "blue-green-scale-down-delay-passed",
        &render(&objs, 0),
        BLUE_GREEN_SCALE_DOWN_DELAY_PASSED,
    );
}

#[test]
fn experiment_analysis() {
    let Some(objs) = load("experiment-analysis") else {
        return;
    };
    check("experiment-analysis", &render(&objs, 0), EXPERIMENT_ANALYSIS);
}

#[test]
fn get_experiment() {
    let Some(objs) = load("experiment-analysis") else {
        return;
    };
    let info = experiment_info(
        &objs.experiments[0],
        &objs.replica_sets,
        &objs.analysis_runs,
        &objs.pods,
        now(),
    );
    check(
        "get-experiment",
        &render_experiment(&info, &RenderOptions { color: false }),
        GET_EXPERIMENT,
    );
}

fn render_exp(objs: &Objects, experiment: usize, color: bool) -> String {
    let info = experiment_info(
        &objs.experiments[experiment],
        &objs.replica_sets,
        &objs.analysis_runs,
        &objs.pods,
        now(),
    );
    render_experiment(&info, &RenderOptions { color })
}

/// `get experiment` of the experiment-step scenario's Experiment: the same subtree (and `Σ:` image tag)
/// as in upstream's golden output of `TestGetRolloutWithExperimentJob`, under upstream's experiment header.
#[test]
fn get_experiment_with_analysis_job() {
    let Some(objs) = load("experiment-step") else {
        return;
    };
    check(
        "get-experiment-step",
        &render_exp(&objs, 0, false),
        GET_EXPERIMENT_STEP_JOB,
    );
}

#[test]
fn get_experiment_in_colour() {
    let Some(objs) = load("experiment-step") else {
        return;
    };
    let got = render_exp(&objs, 0, true);
    assert!(got.contains("Status:          \x1b[94m◌\x1b[0m Running\n"), "{got}");
    assert!(got.contains("Σ \x1b[94mcanary-demo-645d5dbc4c-2-0\x1b[0m"), "{got}");
    assert!(
        got.contains("α \x1b[94mcanary-demo-645d5dbc4c-2-0-stress-test\x1b[0m"),
        "{got}"
    );
    check(
        "get-experiment-step-in-colour",
        &strip_ansi(&got),
        GET_EXPERIMENT_STEP_JOB,
    );
}

#[test]
fn experiment_step_with_job() {
    let Some(objs) = load("experiment-step") else { return };
    check("experiment-step", &render(&objs, 0), EXPERIMENT_STEP_JOB);
}

#[test]
fn invalid() {
    let Some(objs) = load("rollout-invalid") else { return };
    check("rollout-invalid", &render(&objs, 0), INVALID);
}

#[test]
fn aborted() {
    let Some(objs) = load("rollout-aborted") else { return };
    check("rollout-aborted", &render(&objs, 0), ABORTED);
}

/// Upstream golden output of `TestGetBlueGreenRollout`.
const BLUE_GREEN: &str = r"Name:            bluegreen-demo
Namespace:       jesse-test
Status:          ॥ Paused
Message:         BlueGreenPause
Strategy:        BlueGreen
Images:          argoproj/rollouts-demo:blue (stable, active)
                 argoproj/rollouts-demo:green (preview)
Replicas:
  Desired:       3
  Current:       6
  Updated:       3
  Ready:         6
  Available:     3

NAME                                        KIND        STATUS        AGE  INFO
⟳ bluegreen-demo                            Rollout     ॥ Paused      7d
├──# revision:11
│  └──⧉ bluegreen-demo-74b948fccb           ReplicaSet  ✔ Healthy     7d   preview
│     ├──□ bluegreen-demo-74b948fccb-5jz59  Pod         ✔ Running     7d   ready:1/1
│     ├──□ bluegreen-demo-74b948fccb-mkhrl  Pod         ✔ Running     7d   ready:1/1
│     └──□ bluegreen-demo-74b948fccb-vvj2t  Pod         ✔ Running     7d   ready:1/1
├──# revision:10
│  └──⧉ bluegreen-demo-6cbccd9f99           ReplicaSet  ✔ Healthy     7d   stable,active
│     ├──□ bluegreen-demo-6cbccd9f99-gk78v  Pod         ✔ Running     7d   ready:1/1
│     ├──□ bluegreen-demo-6cbccd9f99-kxj8g  Pod         ✔ Running     7d   ready:1/1
│     └──□ bluegreen-demo-6cbccd9f99-t2d4f  Pod         ✔ Running     7d   ready:1/1
└──# revision:8
   └──⧉ bluegreen-demo-746d5fddf6           ReplicaSet  • ScaledDown  7d
";

/// Upstream golden output of `TestGetBlueGreenRolloutScaleDownDelay`.
const BLUE_GREEN_SCALE_DOWN_DELAY: &str = r"Name:            bluegreen-demo
Namespace:       jesse-test
Status:          ॥ Paused
Message:         BlueGreenPause
Strategy:        BlueGreen
Images:          argoproj/rollouts-demo:blue (stable, active)
                 argoproj/rollouts-demo:green
Replicas:
  Desired:       3
  Current:       6
  Updated:       3
  Ready:         6
  Available:     3

NAME                                        KIND        STATUS        AGE  INFO
⟳ bluegreen-demo                            Rollout     ॥ Paused      7d
├──# revision:11
│  └──⧉ bluegreen-demo-74b948fccb           ReplicaSet  ✔ Healthy     7d   delay:3h59m
│     ├──□ bluegreen-demo-74b948fccb-5jz59  Pod         ✔ Running     7d   ready:1/1
│     ├──□ bluegreen-demo-74b948fccb-mkhrl  Pod         ✔ Running     7d   ready:1/1
│     └──□ bluegreen-demo-74b948fccb-vvj2t  Pod         ✔ Running     7d   ready:1/1
├──# revision:10
│  └──⧉ bluegreen-demo-6cbccd9f99           ReplicaSet  ✔ Healthy     7d   stable,active
│     ├──□ bluegreen-demo-6cbccd9f99-gk78v  Pod         ✔ Running     7d   ready:1/1
│     ├──□ bluegreen-demo-6cbccd9f99-kxj8g  Pod         ✔ Running     7d   ready:1/1
│     └──□ bluegreen-demo-6cbccd9f99-t2d4f  Pod         ✔ Running     7d   ready:1/1
└──# revision:8
   └──⧉ bluegreen-demo-746d5fddf6           ReplicaSet  • ScaledDown  7d
";

/// Upstream golden output of `TestGetBlueGreenRolloutScaleDownDelayPassed`.
const BLUE_GREEN_SCALE_DOWN_DELAY_PASSED: &str = r"Name:            bluegreen-demo
Namespace:       jesse-test
Status:          ॥ Paused
Message:         BlueGreenPause
Strategy:        BlueGreen
Images:          argoproj/rollouts-demo:blue (stable, active)
                 argoproj/rollouts-demo:green
Replicas:
  Desired:       3
  Current:       6
  Updated:       3
  Ready:         6
  Available:     3

NAME                                        KIND        STATUS        AGE  INFO
⟳ bluegreen-demo                            Rollout     ॥ Paused      7d
├──# revision:11
│  └──⧉ bluegreen-demo-74b948fccb           ReplicaSet  ✔ Healthy     7d   delay:passed
│     ├──□ bluegreen-demo-74b948fccb-5jz59  Pod         ✔ Running     7d   ready:1/1
│     ├──□ bluegreen-demo-74b948fccb-mkhrl  Pod         ✔ Running     7d   ready:1/1
│     └──□ bluegreen-demo-74b948fccb-vvj2t  Pod         ✔ Running     7d   ready:1/1
├──# revision:10
│  └──⧉ bluegreen-demo-6cbccd9f99           ReplicaSet  ✔ Healthy     7d   stable,active
│     ├──□ bluegreen-demo-6cbccd9f99-gk78v  Pod         ✔ Running     7d   ready:1/1
│     ├──□ bluegreen-demo-6cbccd9f99-kxj8g  Pod         ✔ Running     7d   ready:1/1
│     └──□ bluegreen-demo-6cbccd9f99-t2d4f  Pod         ✔ Running     7d   ready:1/1
└──# revision:8
   └──⧉ bluegreen-demo-746d5fddf6           ReplicaSet  • ScaledDown  7d
";

/// Upstream golden output of `TestGetCanaryRollout`.
const CANARY: &str = r#"Name:            canary-demo
Namespace:       jesse-test
Status:          ✖ Degraded
Message:         ProgressDeadlineExceeded: ReplicaSet "canary-demo-65fb5ffc84" has timed out progressing.
Strategy:        Canary
  Step:          0/8
  SetWeight:     20
  ActualWeight:  0
Images:          argoproj/rollouts-demo:does-not-exist (canary)
                 argoproj/rollouts-demo:green (stable)
Replicas:
  Desired:       5
  Current:       6
  Updated:       1
  Ready:         5
  Available:     5

NAME                                     KIND        STATUS              AGE  INFO
⟳ canary-demo                            Rollout     ✖ Degraded          7d
├──# revision:31
│  └──⧉ canary-demo-65fb5ffc84           ReplicaSet  ◌ Progressing       7d   canary
│     └──□ canary-demo-65fb5ffc84-9wf5r  Pod         ⚠ ImagePullBackOff  7d   ready:0/1
├──# revision:30
│  └──⧉ canary-demo-877894d5b            ReplicaSet  ✔ Healthy           7d   stable
│     ├──□ canary-demo-877894d5b-6jfpt   Pod         ✔ Running           7d   ready:1/1
│     ├──□ canary-demo-877894d5b-7jmqw   Pod         ✔ Running           7d   ready:1/1
│     ├──□ canary-demo-877894d5b-j8g2b   Pod         ✔ Running           7d   ready:1/1
│     ├──□ canary-demo-877894d5b-jw5qm   Pod         ✔ Running           7d   ready:1/1
│     └──□ canary-demo-877894d5b-kh7x4   Pod         ✔ Running           7d   ready:1/1
└──# revision:29
   └──⧉ canary-demo-859c99b45c           ReplicaSet  • ScaledDown        7d
"#;

/// Upstream golden output of `TestGetCanaryPingPongRollout`.
const CANARY_PING_PONG: &str = r#"Name:            canary-demo-pingpong
Namespace:       jesse-test
Status:          ✖ Degraded
Message:         ProgressDeadlineExceeded: ReplicaSet "canary-demo-65fb5ffc84" has timed out progressing.
Strategy:        Canary
  Step:          0/8
  SetWeight:     20
  ActualWeight:  0
Images:          argoproj/rollouts-demo:does-not-exist (canary, ping)
                 argoproj/rollouts-demo:green (stable, pong)
Replicas:
  Desired:       5
  Current:       6
  Updated:       1
  Ready:         5
  Available:     5

NAME                                     KIND        STATUS              AGE  INFO
⟳ canary-demo-pingpong                   Rollout     ✖ Degraded          7d
├──# revision:31
│  └──⧉ canary-demo-65fb5ffc84           ReplicaSet  ◌ Progressing       7d   canary,ping
│     └──□ canary-demo-65fb5ffc84-9wf5r  Pod         ⚠ ImagePullBackOff  7d   ready:0/1
├──# revision:30
│  └──⧉ canary-demo-877894d5b            ReplicaSet  ✔ Healthy           7d   stable,pong
│     ├──□ canary-demo-877894d5b-6jfpt   Pod         ✔ Running           7d   ready:1/1
│     ├──□ canary-demo-877894d5b-7jmqw   Pod         ✔ Running           7d   ready:1/1
│     ├──□ canary-demo-877894d5b-j8g2b   Pod         ✔ Running           7d   ready:1/1
│     ├──□ canary-demo-877894d5b-jw5qm   Pod         ✔ Running           7d   ready:1/1
│     └──□ canary-demo-877894d5b-kh7x4   Pod         ✔ Running           7d   ready:1/1
└──# revision:29
   └──⧉ canary-demo-859c99b45c           ReplicaSet  • ScaledDown        7d
"#;

/// Upstream golden output of `TestExperimentRollout`.
const EXPERIMENT_ANALYSIS: &str = r#"Name:            rollout-experiment-analysis
Namespace:       jesse-test
Status:          ✖ Degraded
Message:         ProgressDeadlineExceeded: ReplicaSet "rollout-experiment-analysis-6f646bf7b7" has timed out progressing.
Strategy:        Canary
  Step:          1/2
  SetWeight:     25
  ActualWeight:  25
Images:          argoproj/rollouts-demo:blue (stable)
                 argoproj/rollouts-demo:yellow (canary)
Replicas:
  Desired:       4
  Current:       4
  Updated:       1
  Ready:         4
  Available:     4

NAME                                                                           KIND         STATUS          AGE  INFO
⟳ rollout-experiment-analysis                                                  Rollout      ✖ Degraded      7d
├──# revision:2
│  ├──⧉ rollout-experiment-analysis-6f646bf7b7                                 ReplicaSet   ✔ Healthy       7d   canary
│  │  └──□ rollout-experiment-analysis-6f646bf7b7-wn5w8                        Pod          ✔ Running       7d   ready:1/1
│  ├──Σ rollout-experiment-analysis-6f646bf7b7-1-vcv27                         Experiment   ◌ Running       7d
│  │  ├──⧉ rollout-experiment-analysis-6f646bf7b7-1-vcv27-baseline-7d768b8b5f  ReplicaSet   ✔ Healthy       7d
│  │  │  └──□ rollout-experiment-analysis-6f646bf7b7-1-vcv27-baseline-7dczdst  Pod          ✔ Running       7d   ready:1/1
│  │  └──⧉ rollout-experiment-analysis-6f646bf7b7-1-vcv27-canary-7699dcf5d     ReplicaSet   ✔ Healthy       7d
│  │     └──□ rollout-experiment-analysis-6f646bf7b7-1-vcv27-canary-7699vgr24  Pod          ✔ Running       7d   ready:1/1
│  └──α rollout-experiment-analysis-random-fail-6f646bf7b7-skqcr               AnalysisRun  ? Inconclusive  7d   ✔ 4,✖ 4,? 1,⚠ 1
│     ├──⊞ rollout-experiment-analysis-random-fail-6f646bf7b7-skqcr-rzl6lt     Job          ✖ Failed        7d
│     ├──⊞ rollout-experiment-analysis-random-fail-6f646bf7b7-skqcr-r8lqpd     Job          ✔ Successful    7d
│     ├──⊞ rollout-experiment-analysis-random-fail-6f646bf7b7-skqcr-rjjsgg     Job          ✔ Successful    7d
│     ├──⊞ rollout-experiment-analysis-random-fail-6f646bf7b7-skqcr-rrnfj5     Job          ✖ Failed        7d
│     ├──⊞ rollout-experiment-analysis-random-fail-6f646bf7b7-skqcr-rx5kqk     Job          ✖ Failed        7d
│     ├──⊞ rollout-experiment-analysis-random-fail-6f646bf7b7-skqcr-rp894b     Job          ✔ Successful    7d
│     ├──⊞ rollout-experiment-analysis-random-fail-6f646bf7b7-skqcr-rmngtj     Job          ✖ Failed        7d
│     └──⊞ rollout-experiment-analysis-random-fail-6f646bf7b7-skqcr-rsxm69     Job          ✔ Successful    7d
└──# revision:1
   └──⧉ rollout-experiment-analysis-f6db98dff                                  ReplicaSet   ✔ Healthy       7d   stable
      ├──□ rollout-experiment-analysis-f6db98dff-8dmnz                         Pod          ✔ Running       7d   ready:1/1
      ├──□ rollout-experiment-analysis-f6db98dff-bb6v6                         Pod          ✔ Running       7d   ready:1/1
      └──□ rollout-experiment-analysis-f6db98dff-bq55x                         Pod          ✔ Running       7d   ready:1/1
"#;

/// Upstream golden output of `TestGetExperiment`.
const GET_EXPERIMENT: &str = r"Name:            rollout-experiment-analysis-6f646bf7b7-1-vcv27
Namespace:       jesse-test
Status:          ◌ Running
Images:          argoproj/rollouts-demo:blue
                 argoproj/rollouts-demo:yellow

NAME                                                                     KIND        STATUS     AGE  INFO
Σ rollout-experiment-analysis-6f646bf7b7-1-vcv27                         Experiment  ◌ Running  7d
├──⧉ rollout-experiment-analysis-6f646bf7b7-1-vcv27-baseline-7d768b8b5f  ReplicaSet  ✔ Healthy  7d
│  └──□ rollout-experiment-analysis-6f646bf7b7-1-vcv27-baseline-7dczdst  Pod         ✔ Running  7d   ready:1/1
└──⧉ rollout-experiment-analysis-6f646bf7b7-1-vcv27-canary-7699dcf5d     ReplicaSet  ✔ Healthy  7d
   └──□ rollout-experiment-analysis-6f646bf7b7-1-vcv27-canary-7699vgr24  Pod         ✔ Running  7d   ready:1/1
";

/// `get experiment canary-demo-645d5dbc4c-2-0` in the experiment-step scenario (upstream's layout; the
/// rows are those of the experiment's subtree in `TestGetRolloutWithExperimentJob`).
const GET_EXPERIMENT_STEP_JOB: &str = r"Name:            canary-demo-645d5dbc4c-2-0
Namespace:       jesse-test
Status:          ◌ Running
Images:          argoproj/rollouts-demo:blue (Σ:canary-preview)

NAME                                                     KIND         STATUS     AGE  INFO
Σ canary-demo-645d5dbc4c-2-0                             Experiment   ◌ Running  7d
├──⧉ canary-demo-645d5dbc4c-2-0-canary-preview           ReplicaSet   ✔ Healthy  7d
│  └──□ canary-demo-645d5dbc4c-2-0-canary-preview-zmmvz  Pod          ✔ Running  7d   ready:1/1
└──α canary-demo-645d5dbc4c-2-0-stress-test              AnalysisRun  ◌ Running  7d
   └──⊞ 4e2d824d-01af-11ea-b38c-42010aa80083.stress.1    Job          ◌ Running  7d
";

/// Upstream golden output of `TestGetRolloutWithExperimentJob`.
const EXPERIMENT_STEP_JOB: &str = r"Name:            canary-demo
Namespace:       jesse-test
Status:          ◌ Progressing
Message:         more replicas need to be updated
Strategy:        Canary
  Step:          0/1
  SetWeight:     0
  ActualWeight:  0
Images:          argoproj/rollouts-demo:blue (Σ:canary-preview)
                 argoproj/rollouts-demo:green (stable)
Replicas:
  Desired:       5
  Current:       5
  Updated:       0
  Ready:         5
  Available:     5

NAME                                                           KIND         STATUS         AGE  INFO
⟳ canary-demo                                                  Rollout      ◌ Progressing  7d
├──# revision:2
│  ├──⧉ canary-demo-645d5dbc4c                                 ReplicaSet   • ScaledDown   7d   canary
│  └──Σ canary-demo-645d5dbc4c-2-0                             Experiment   ◌ Running      7d
│     ├──⧉ canary-demo-645d5dbc4c-2-0-canary-preview           ReplicaSet   ✔ Healthy      7d
│     │  └──□ canary-demo-645d5dbc4c-2-0-canary-preview-zmmvz  Pod          ✔ Running      7d   ready:1/1
│     └──α canary-demo-645d5dbc4c-2-0-stress-test              AnalysisRun  ◌ Running      7d
│        └──⊞ 4e2d824d-01af-11ea-b38c-42010aa80083.stress.1    Job          ◌ Running      7d
└──# revision:1
   └──⧉ canary-demo-877894d5b                                  ReplicaSet   ✔ Healthy      7d   stable
      ├──□ canary-demo-877894d5b-n6xqz                         Pod          ✔ Running      7d   ready:1/1
      ├──□ canary-demo-877894d5b-nlmj9                         Pod          ✔ Running      7d   ready:1/1
      ├──□ canary-demo-877894d5b-txgs5                         Pod          ✔ Running      7d   ready:1/1
      ├──□ canary-demo-877894d5b-wfqqr                         Pod          ✔ Running      7d   ready:1/1
      └──□ canary-demo-877894d5b-zhh6x                         Pod          ✔ Running      7d   ready:1/1
";

/// Upstream golden output of `TestGetInvalidRollout`.
const INVALID: &str = r#"Name:            rollout-invalid
Namespace:       default
Status:          ✖ Degraded
Message:         InvalidSpec: The Rollout "rollout-invalid" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"doesnt-match"}: `selector` does not match template `labels`
Strategy:        Canary
  Step:
  SetWeight:     100
  ActualWeight:  100
Replicas:
  Desired:       1
  Current:       0
  Updated:       0
  Ready:         0
  Available:     0

NAME               KIND     STATUS      AGE  INFO
⟳ rollout-invalid  Rollout  ✖ Degraded  7d
"#;

/// Upstream golden output of `TestGetAbortedRollout`.
const ABORTED: &str = r#"Name:            rollout-background-analysis
Namespace:       default
Status:          ✖ Degraded
Message:         RolloutAborted: metric "web" assessed Failed due to failed (1) > failureLimit (0)
Strategy:        Canary
  Step:          0/2
  SetWeight:     0
  ActualWeight:  0
Images:          argoproj/rollouts-demo:blue (stable)
Replicas:
  Desired:       1
  Current:       1
  Updated:       0
  Ready:         1
  Available:     1

NAME                                                     KIND         STATUS        AGE  INFO
⟳ rollout-background-analysis                            Rollout      ✖ Degraded    7d
├──# revision:2
│  ├──⧉ rollout-background-analysis-db976bc44            ReplicaSet   • ScaledDown  7d   canary
│  └──α rollout-background-analysis-db976bc44-2          AnalysisRun  ✖ Failed      7d   ✖ 1
└──# revision:1
   └──⧉ rollout-background-analysis-7d84d44bb8           ReplicaSet   ✔ Healthy     7d   stable
      └──□ rollout-background-analysis-7d84d44bb8-z5wps  Pod          ✔ Running     7d   ready:1/1
"#;
