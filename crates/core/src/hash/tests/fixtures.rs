//! Upstream's `get rollout` fixtures: Rollouts next to the ReplicaSets upstream's controller created
//! for them.
//!
//! Every fixture's pod hash was written by an upstream controller older than the JSON hash (the
//! fixtures date from 2019–2020; upstream switched from the spew-based `controller.ComputeHash` to
//! `json.Marshal` in 2022, #1809), so no JSON hash can reproduce them; what must hold instead is
//! upstream's fallback: the ReplicaSet carrying `status.currentPodHash` is adopted by semantic
//! template equality. Step hashes were always JSON, so each one is reproduced, in some cases with
//! the fixture's own era taken into account (see [`explain_steps`]).

use super::super::*;
use rollouts_api::common::AntiAffinity;
use rollouts_api::well_known::labels::POD_TEMPLATE_HASH;
use std::collections::BTreeMap;
use std::path::Path;

/// The documents of every YAML file under `dir`, grouped by the folder they are in.
fn documents_by_folder(dir: &Path) -> BTreeMap<String, Vec<Value>> {
    let mut folders: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for path in rollouts_testkit::files_with_ext(dir, &[".yaml", ".yml"]) {
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let folder = path.parent().map(|p| p.display().to_string()).unwrap_or_default();
        let docs = rollouts_testkit::yaml_documents(&text).unwrap_or_default();
        folders.entry(folder).or_default().extend(docs);
    }
    folders
}

fn owned_by(object: &Value, kind: &str, name: &Value) -> bool {
    object["metadata"]["ownerReferences"]
        .as_array()
        .is_some_and(|refs| refs.iter().any(|r| r["kind"] == kind && &r["name"] == name))
}

fn template_of(value: &Value) -> Option<PodTemplateSpec> {
    serde_json::from_value(value.clone()).ok()
}

/// How a fixture's `status.currentStepHash` is reproduced, or `None` when it is not.
fn explain_steps(steps: &[Value], want: &str) -> Option<&'static str> {
    let encoded: Vec<String> = steps
        .iter()
        .filter_map(|s| go_json(s, "v1alpha1.CanaryStep").ok())
        .collect();
    let json = format!("[{}]", encoded.join(","));
    let hash = |json: &str| safe_encode(fnv1a32(FNV_OFFSET, json.as_bytes()));
    let parsed: Option<Vec<CanaryStep>> = serde_json::from_value(Value::Array(steps.to_vec())).ok();
    if parsed.is_some_and(|s| steps_hash(&s) == want) && hash(&json) == want {
        return Some("as is");
    }
    // Experiment steps gained `analysisRunMetadata`, a non-pointer struct that is always written,
    // after these fixtures were recorded.
    if hash(&json.replace(r#","analysisRunMetadata":{}"#, "")) == want {
        return Some("with the CanaryStep types of the fixture's time (no analysisRunMetadata)");
    }
    // Upstream rewrote `duration: 10` as `duration: 10s` in these fixtures (#472) but kept the
    // status the controller had written for the numeric form.
    if hash(&json.replace(r#""duration":"10s""#, r#""duration":10"#)) == want {
        return Some("with the pause durations the fixture had when recorded (10, not \"10s\")");
    }
    None
}

/// What the fixtures showed.
#[derive(Default)]
struct Tally {
    pods: usize,
    pod_current: usize,
    pod_legacy: usize,
    adoptions: usize,
    adopted: usize,
    others: usize,
    distinguished: usize,
    steps: usize,
    steps_as_is: usize,
    steps_explained: usize,
    unexplained: Vec<String>,
}

impl Tally {
    fn pod_hash(&mut self, folder: &str, rollout: &Value, docs: &[Value]) {
        let name = &rollout["metadata"]["name"];
        let status = &rollout["status"];
        let (Some(template), Some(want)) = (
            template_of(&rollout["spec"]["template"]),
            status["currentPodHash"].as_str(),
        ) else {
            return;
        };
        let collision = status["collisionCount"].as_i64().and_then(|c| i32::try_from(c).ok());
        let current = pod_template_hash(&template, collision);
        let legacy = legacy_pod_template_hash(&template, collision);
        self.pods += 1;
        self.pod_current += usize::from(current == want);
        self.pod_legacy += usize::from(legacy == want);
        eprintln!("{folder} {name}: currentPodHash {want}, v1.9+ hash {current}, v1.2-1.8 hash {legacy}");
        let strategy = &rollout["spec"]["strategy"];
        let anti_affinity: Option<AntiAffinity> = ["canary", "blueGreen"]
            .iter()
            .find_map(|s| serde_json::from_value(strategy[*s]["antiAffinity"].clone()).ok());
        for rs in docs
            .iter()
            .filter(|d| d["kind"] == "ReplicaSet" && owned_by(d, "Rollout", name))
        {
            // Some fixtures predate apps/v1; the ReplicaSet shape is the same.
            let mut rs = rs.clone();
            rs["apiVersion"] = Value::from("apps/v1");
            let label = rs["metadata"]["labels"][POD_TEMPLATE_HASH].as_str().map(str::to_owned);
            let typed = match serde_json::from_value(rs) {
                Ok(typed) => typed,
                Err(e) => panic!("{folder}: ReplicaSet {label:?}: {e}"),
            };
            let equal =
                template_equal_ignoring_hash(&template_without_injections(&typed, anti_affinity.as_ref()), &template);
            if label.as_deref() == Some(want) {
                self.adoptions += 1;
                self.adopted += usize::from(equal);
                if !equal {
                    self.unexplained
                        .push(format!("{folder} {name}: ReplicaSet {want} not adopted"));
                }
            } else {
                self.others += 1;
                self.distinguished += usize::from(!equal);
            }
        }
    }

    fn step_hash(&mut self, folder: &str, rollout: &Value) {
        let name = &rollout["metadata"]["name"];
        let steps = rollout["spec"]["strategy"]["canary"]["steps"].as_array();
        let (Some(steps), Some(want)) = (steps, rollout["status"]["currentStepHash"].as_str()) else {
            return;
        };
        self.steps += 1;
        match explain_steps(steps, want) {
            Some("as is") => self.steps_as_is += 1,
            Some(how) => {
                self.steps_explained += 1;
                eprintln!("{folder} {name}: step hash {want} reproduced {how}");
            }
            _ => self
                .unexplained
                .push(format!("{folder} {name}: step hash {want} not reproduced")),
        }
    }
}

#[test]
fn upstream_get_rollout_fixtures() {
    let Some(root) = rollouts_testkit::conformance_or_skip("upstream_get_rollout_fixtures") else {
        return;
    };
    let mut tally = Tally::default();
    for (folder, docs) in documents_by_folder(&root.join("pkg/kubectl-argo-rollouts/info/testdata")) {
        for rollout in docs.iter().filter(|d| d["kind"] == "Rollout") {
            tally.pod_hash(&folder, rollout, &docs);
            tally.step_hash(&folder, rollout);
        }
    }
    let t = tally;
    eprintln!(
        "pod hashes: {} Rollouts; {} match the v1.9+ hash, {} the v1.2-1.8 hash (all were recorded by \
         pre-2022 controllers, whose hash was spew-based)",
        t.pods, t.pod_current, t.pod_legacy
    );
    eprintln!(
        "adoption: {}/{} current ReplicaSets adopted; {}/{} older ones told apart",
        t.adopted, t.adoptions, t.distinguished, t.others
    );
    eprintln!(
        "step hashes: {}/{} match as is, {} more with the fixture's era",
        t.steps_as_is, t.steps, t.steps_explained
    );
    assert!(t.unexplained.is_empty(), "{:#?}", t.unexplained);
    assert!(
        t.adoptions >= 5 && t.steps >= 5,
        "the fixtures were not found where expected"
    );
    assert_eq!(
        t.distinguished, t.others,
        "an older ReplicaSet compared equal to the current template"
    );
}
