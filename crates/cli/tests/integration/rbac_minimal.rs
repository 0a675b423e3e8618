#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The install's ClusterRole is minimal: one dev cluster with its audit log on, the controller running
//! as the `argo-rollouts` ServiceAccount, is driven through a tour of every feature that needs a rule
//! of `deploy/role/controller-role.yaml` (canary steps, blue-green, Job and Web analysis with a Secret
//! argument, an experiment, a restart, workloadRefs, and the NGINX, Istio, SMI and Gateway API routers),
//! all at once. Then no audited request was refused, every rule is the only one (besides the bootstrap
//! policy every account holds) to allow some audited request, and every verb of every resource of a rule
//! was needed by one. Last, with one rule taken out of the live ClusterRole, the controller's next
//! request needing it is refused.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rollouts_devcluster::rbac::{AuditRecord, Rule, bootstrap_rules};
use rollouts_devcluster::testing::{TestCluster, fast_simulation, kubectl_available, temp_dir};
use rollouts_testkit::http::{StubResponse, StubServer};
use serde_json::{Value, json};

use crate::common::objects::wait_phase;
use crate::common::routing::{corpus, sibling_corpus};
use crate::common::{Env, wait_for, wait_for_or};

const TEST: &str = "the_install_role_is_minimal";
const SERVICE_ACCOUNT: &str = "system:serviceaccount:argo-rollouts:argo-rollouts";
/// Leader election is not part of the in-process controller's run; its rule is checked by
/// `leader_election::the_install_s_service_account_needs_the_leases_rule_to_lead` (crates/rollouts).
const NOT_TOURED: [(&str, &str); 1] = [("coordination.k8s.io", "leases")];
/// `(resource, verb)` pairs of the role the tour does not reach yet (history limits, a hash collision, a
/// Job read back, repeated Events, an Experiment's Service, scaling a referenced ReplicaSet): each is
/// used by the controller's code, so the tour is what is short, not the role. Checked to be still
/// unreached, so that this list shrinks as the tour grows.
const TOUR_GAPS: [(&str, &str); 10] = [
    ("analysisruns", "get"),
    ("analysisruns", "delete"),
    ("experiments", "delete"),
    ("replicasets", "delete"),
    ("replicasets/scale", "patch"),
    ("services", "create"),
    ("services", "delete"),
    ("events", "patch"),
    ("jobs", "get"),
    ("jobs", "delete"),
];
const GATEWAY_CRDS: [&str; 4] = [
    "crds/httproutes.yaml",
    "crds/grpcroutes.yaml",
    "crds/tcproutes.yaml",
    "crds/tlsroutes.yaml",
];

/// One rule of the role, as written and as the authorizer reads it.
struct RoleRule {
    json: Value,
    rule: Rule,
}

impl RoleRule {
    fn describe(&self) -> String {
        format!(
            "{{apiGroups: {}, resources: {}, verbs: {}}}",
            self.json["apiGroups"], self.json["resources"], self.json["verbs"]
        )
    }

    fn strings(&self, field: &str) -> Vec<String> {
        self.json[field]
            .as_array()
            .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    }

    fn not_toured(&self) -> bool {
        NOT_TOURED.iter().any(|(group, resource)| {
            self.strings("apiGroups").iter().any(|g| g == group)
                && self.strings("resources").iter().any(|r| r == resource)
        })
    }
}

/// The rules of `deploy/role/controller-role.yaml`.
fn role_rules() -> Vec<RoleRule> {
    let path = rollouts_testkit::workspace_root().join("deploy/role/controller-role.yaml");
    let role: Value = serde_saphyr::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    role["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|json| RoleRule {
            json: json.clone(),
            rule: Rule::from_json(json),
        })
        .collect()
}

/// The controller's audited requests so far.
fn audited(log: &Path) -> Vec<AuditRecord> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .map(|line| AuditRecord::parse(line).unwrap())
        .filter(|r| r.user == SERVICE_ACCOUNT)
        .collect()
}

/// The requests only rule `index` allows (of the role and the bootstrap policy).
fn needing<'a>(
    rules: &[RoleRule],
    bootstrap: &[Rule],
    index: usize,
    records: &'a [AuditRecord],
) -> Vec<&'a AuditRecord> {
    records
        .iter()
        .filter(|r| {
            let attrs = r.attributes();
            rules[index].rule.allows(&attrs)
                && !rules
                    .iter()
                    .enumerate()
                    .any(|(j, other)| j != index && other.rule.allows(&attrs))
                && !bootstrap.iter().any(|b| b.allows(&attrs))
        })
        .collect()
}

fn combined(record: &AuditRecord) -> String {
    if record.subresource.is_empty() {
        record.resource.clone()
    } else {
        format!("{}/{}", record.resource, record.subresource)
    }
}

/// `(rule, resource, verb)` triples of the toured rules that no request needed.
fn unneeded_verbs(rules: &[RoleRule], bootstrap: &[Rule], records: &[AuditRecord]) -> Vec<String> {
    let mut missing = Vec::new();
    for (i, rule) in rules.iter().enumerate() {
        if rule.not_toured() {
            continue;
        }
        let needed = needing(rules, bootstrap, i, records);
        for resource in rule.strings("resources") {
            for verb in rule.strings("verbs") {
                let gap = TOUR_GAPS.contains(&(resource.as_str(), verb.as_str()));
                if gap == needed.iter().any(|r| combined(r) == resource && r.verb == verb) {
                    missing.push(format!("{} {verb} {resource}", rule.describe()));
                }
            }
        }
    }
    missing
}

const TOUR: &str = r#"
apiVersion: v1
kind: Secret
metadata: {name: tour-secret}
stringData: {token: s3cret}
---
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: tour-job}
spec:
  args:
  - name: token
    valueFrom:
      secretKeyRef: {name: tour-secret, key: token}
  metrics:
  - name: job
    provider:
      job:
        spec:
          backoffLimit: 0
          template:
            spec:
              restartPolicy: Never
              containers:
              - name: check
                image: alpine:3.8
                env: [{name: TOKEN, value: "{{args.token}}"}]
                command: [sh, -c]
                args: ["sleep 1 && exit 0"]
---
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: tour-web}
spec:
  metrics:
  - name: web
    successCondition: result.ok == 1
    provider:
      web:
        url: "@URL@/health"
        jsonPath: "{$}"
---
apiVersion: argoproj.io/v1alpha1
kind: ClusterAnalysisTemplate
metadata: {name: tour-cluster}
spec:
  metrics:
  - name: web
    successCondition: result.ok == 1
    provider:
      web:
        url: "@URL@/health"
        jsonPath: "{$}"
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: tour-nginx-stable}
spec:
  ingressClassName: nginx
  rules:
  - host: tour.local
    http:
      paths:
      - path: /
        pathType: Prefix
        backend: {service: {name: tour-nginx-stable, port: {number: 80}}}
---
apiVersion: networking.istio.io/v1alpha3
kind: VirtualService
metadata: {name: tour-istio}
spec:
  hosts: [tour-istio]
  http:
  - name: primary
    route:
    - destination: {host: tour-istio, subset: stable}
      weight: 100
    - destination: {host: tour-istio, subset: canary}
      weight: 0
---
apiVersion: networking.istio.io/v1alpha3
kind: DestinationRule
metadata: {name: tour-istio}
spec:
  host: tour-istio
  subsets:
  - name: canary
    labels: {app: tour-istio}
  - name: stable
    labels: {app: tour-istio}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: tour-http}
spec:
  parentRefs: [{name: gw}]
  rules:
  - backendRefs:
    - {name: tour-gateway-stable, port: 80}
    - {name: tour-gateway-canary, port: 80}
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: tour-grpc}
spec:
  parentRefs: [{name: gw}]
  rules:
  - backendRefs:
    - {name: tour-gateway-stable, port: 80}
    - {name: tour-gateway-canary, port: 80}
---
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TCPRoute
metadata: {name: tour-tcp}
spec:
  parentRefs: [{name: gw}]
  rules:
  - backendRefs:
    - {name: tour-gateway-stable, port: 80}
    - {name: tour-gateway-canary, port: 80}
---
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TLSRoute
metadata: {name: tour-tls}
spec:
  parentRefs: [{name: gw}]
  hostnames: [tour.local]
  rules:
  - backendRefs:
    - {name: tour-gateway-stable, port: 80}
    - {name: tour-gateway-canary, port: 80}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: tour-deploy}
spec:
  replicas: 2
  selector: {matchLabels: {app: tour-deploy}}
  template:
    metadata: {labels: {app: tour-deploy}}
    spec: {containers: [{name: app, image: nginx:1.19}]}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: tour-rs}
spec:
  replicas: 2
  selector: {matchLabels: {app: tour-rs}}
  template:
    metadata: {labels: {app: tour-rs}}
    spec: {containers: [{name: app, image: nginx:1.19}]}
---
apiVersion: v1
kind: PodTemplate
metadata: {name: tour-podtemplate}
template:
  metadata: {labels: {app: tour-podtemplate}}
  spec: {containers: [{name: app, image: nginx:1.19}]}
"#;

/// A Service `name` selecting `app`.
fn service(name: &str, app: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Service\nmetadata: {{name: {name}}}\nspec:\n  selector: {{app: {app}}}\n  ports: [{{port: 80, targetPort: 8080}}]\n"
    )
}

/// A Rollout `name` (pods labelled `app: name`, two replicas) with `spec` (YAML lines of its spec at two
/// spaces, the template excluded).
fn rollout(name: &str, spec: &str) -> String {
    format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {{name: {name}}}\nspec:\n  replicas: 2\n  selector: {{matchLabels: {{app: {name}}}}}\n  template:\n    metadata: {{labels: {{app: {name}}}}}\n    spec: {{containers: [{{name: app, image: 'nginx:1.19'}}]}}\n{spec}"
    )
}

/// A workloadRef Rollout `name` to `kind` `target`.
fn workload_rollout(name: &str, api_version: &str, kind: &str, target: &str, scale_down: bool) -> String {
    let scale_down = if scale_down {
        "\n    scaleDown: progressively"
    } else {
        ""
    };
    format!(
        "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {{name: {name}}}\nspec:\n  replicas: 2\n  selector: {{matchLabels: {{app: {target}}}}}\n  workloadRef:\n    apiVersion: {api_version}\n    kind: {kind}\n    name: {target}{scale_down}\n  strategy:\n    canary:\n      steps: [{{setWeight: 50}}, {{pause: {{duration: 1s}}}}]\n"
    )
}

fn manifests(url: &str) -> String {
    let mut docs = vec![TOUR.replace("@URL@", url)];
    for (name, extra) in [
        ("tour-nginx", ""),
        ("tour-istio", ""),
        ("tour-smi", ""),
        ("tour-gateway", ""),
        ("tour-bluegreen", ""),
    ] {
        let _ = extra;
        docs.push(service(&format!("{name}-stable"), name));
        docs.push(service(&format!("{name}-canary"), name));
    }
    docs.push(service("tour-istio", "tour-istio"));
    let canary = |name: &str, routing: &str, steps: &str| {
        rollout(
            name,
            &format!(
                "  strategy:\n    canary:\n      canaryService: {name}-canary\n      stableService: {name}-stable\n      canaryMetadata: {{labels: {{role: canary}}}}\n      trafficRouting:\n{routing}      steps: {steps}\n"
            ),
        )
    };
    let steps = "[{setWeight: 20}, {pause: {duration: 1s}}]";
    docs.push(canary(
        "tour-nginx",
        "        nginx: {stableIngress: tour-nginx-stable}\n",
        "[{setWeight: 50}, {pause: {}}]",
    ));
    docs.push(rollout(
        "tour-istio",
        &format!("  strategy:\n    canary:\n      trafficRouting:\n        istio:\n          virtualService: {{name: tour-istio, routes: [primary]}}\n          destinationRule: {{name: tour-istio, canarySubsetName: canary, stableSubsetName: stable}}\n      steps: {steps}\n"),
    ));
    docs.push(canary(
        "tour-smi",
        "        smi: {trafficSplitName: tour-split}\n",
        steps,
    ));
    docs.push(canary(
        "tour-gateway",
        "        plugins:\n          argoproj-labs/gatewayAPI: {httpRoute: tour-http, grpcRoute: tour-grpc, tcpRoute: tour-tcp, tlsRoute: tour-tls, namespace: default}\n",
        steps,
    ));
    docs.push(rollout(
        "tour-bluegreen",
        "  strategy:\n    blueGreen: {activeService: tour-bluegreen-stable, previewService: tour-bluegreen-canary, autoPromotionEnabled: false}\n",
    ));
    docs.push(rollout(
        "tour-analysis",
        "  strategy:\n    canary:\n      steps:\n      - setWeight: 50\n      - analysis:\n          templates: [{templateName: tour-job}]\n",
    ));
    docs.push(rollout(
        "tour-experiment",
        "  strategy:\n    canary:\n      steps:\n      - experiment:\n          duration: 2s\n          templates: [{name: exp, specRef: canary, service: {}}]\n          analyses: [{name: check, templateName: tour-web}]\n      - setWeight: 50\n",
    ));
    docs.push(rollout("tour-restart", "  strategy:\n    canary: {}\n"));
    docs.push(workload_rollout(
        "tour-deploy",
        "apps/v1",
        "Deployment",
        "tour-deploy",
        true,
    ));
    docs.push(workload_rollout("tour-rs", "apps/v1", "ReplicaSet", "tour-rs", true));
    docs.push(workload_rollout(
        "tour-podtemplate",
        "v1",
        "PodTemplate",
        "tour-podtemplate",
        false,
    ));
    docs.join("\n---\n")
}

const UPDATED: [&str; 8] = [
    "tour-nginx",
    "tour-istio",
    "tour-smi",
    "tour-gateway",
    "tour-bluegreen",
    "tour-analysis",
    "tour-experiment",
    "tour-podtemplate",
];

/// A cluster installed as the ServiceAccount with the audit log at the returned path.
fn start(label: &str) -> Option<(Env, PathBuf)> {
    if !kubectl_available() {
        return None;
    }
    let dir = temp_dir(label);
    let log = dir.join("audit.log");
    let cluster = TestCluster::start_config(rollouts_devcluster::Config {
        data_dir: Some(dir.clone()),
        simulation: Some(fast_simulation()),
        audit_log: Some(log.clone()),
        ..rollouts_devcluster::Config::default()
    })
    .unwrap();
    Some((Env::as_service_account(cluster), log))
}

#[test]
fn the_install_role_is_minimal() {
    let Some(istio) = corpus(TEST, "test/e2e/crds/istio.yaml") else {
        return;
    };
    let Some(smi) = corpus(TEST, "test/e2e/crds/split.yaml") else {
        return;
    };
    let Some(gateway) = GATEWAY_CRDS
        .iter()
        .map(|c| sibling_corpus(TEST, "gateway-api", c))
        .collect::<Option<Vec<_>>>()
    else {
        return;
    };
    let Some((env, log)) = start("rbac-minimal") else {
        return;
    };
    let health = Arc::new(Mutex::new(r#"{"ok": 1}"#.to_string()));
    let answer = Arc::clone(&health);
    let web = StubServer::start(move |request| {
        if request.path() != "/health" {
            return StubResponse::text(404, "not found");
        }
        StubResponse::json(200, answer.lock().unwrap().clone())
    })
    .unwrap();
    env.cluster.kubectl_ok(&["apply", "-f", &istio]);
    env.cluster.kubectl_ok(&["apply", "-f", &smi]);
    for crd in &gateway {
        env.cluster.kubectl_ok(&["apply", "--server-side", "-f", crd]);
    }
    let mut controller = env.start_controller();
    env.apply(&manifests(&web.url()));

    // Every Rollout gets healthy, then most are updated at once.
    for name in UPDATED.iter().chain(&["tour-restart", "tour-deploy", "tour-rs"]) {
        wait_phase(&env, name, 40, "Healthy");
    }
    for name in UPDATED {
        if name == "tour-podtemplate" {
            let patch = json!({"template": {"spec": {"containers": [{"name": "app", "image": "nginx:1.20"}]}}});
            env.cluster
                .kubectl_ok(&["patch", "podtemplate", name, "--type=merge", "-p", &patch.to_string()]);
        } else {
            env.plugin_ok(&["set", "image", name, "app=nginx:1.20"]);
        }
    }
    for (name, container) in [("tour-deploy", "app"), ("tour-rs", "app")] {
        let _ = container;
        let kind = if name == "tour-deploy" {
            "deployment"
        } else {
            "replicaset"
        };
        env.cluster.kubectl_ok(&["set", "image", kind, name, "app=nginx:1.20"]);
    }
    env.plugin_ok(&["restart", "tour-restart"]);
    wait_phase(&env, "tour-nginx", 40, "Paused");
    env.plugin_ok(&["promote", "tour-nginx"]);
    wait_phase(&env, "tour-bluegreen", 40, "Paused");
    env.plugin_ok(&["promote", "tour-bluegreen"]);
    // A Rollout that does not finish is reported; what it could not do shows in the checks below.
    let unfinished: Vec<&str> = UPDATED
        .iter()
        .chain(&["tour-deploy", "tour-rs"])
        .copied()
        .filter(|name| wait_for_or(40, || (env.rollout(name)["status"]["phase"] == "Healthy").then_some(())).is_none())
        .collect();

    let rules = role_rules();
    let groups = audited(&log).first().map(|r| r.groups.clone()).unwrap_or_default();
    let bootstrap = bootstrap_rules(SERVICE_ACCOUNT, &groups);
    // Some requests follow the last phase change (scale-downs, releases): wait for them a little.
    let records = wait_for_or(20, || {
        let records = audited(&log);
        unneeded_verbs(&rules, &bootstrap, &records)
            .is_empty()
            .then_some(records)
    })
    .unwrap_or_else(|| audited(&log));

    // (a) Nothing was refused.
    let refused: Vec<String> = records
        .iter()
        .filter(|r| r.is_forbidden())
        .map(ToString::to_string)
        .collect();
    assert!(refused.is_empty(), "refused requests:\n{}", refused.join("\n"));
    eprintln!(
        "unneeded verbs so far:\n{}",
        unneeded_verbs(&rules, &bootstrap, &records).join("\n")
    );

    // (b) Each rule is the only one to allow some request, and (c) so is each of its verbs.
    let mut table = Vec::new();
    let mut unneeded = Vec::new();
    for (i, rule) in rules.iter().enumerate() {
        if rule.not_toured() {
            table.push(format!("{} -> not toured (leader election)", rule.describe()));
            continue;
        }
        match needing(&rules, &bootstrap, i, &records).first() {
            Some(record) => table.push(format!("{} -> {record}", rule.describe())),
            None => unneeded.push(rule.describe()),
        }
    }
    eprintln!("rule -> a request only it allows:\n{}", table.join("\n"));
    assert!(
        unneeded.is_empty(),
        "without one of these rules no audited request would be refused:\n{}",
        unneeded.join("\n")
    );
    assert!(
        unfinished.is_empty(),
        "these Rollouts did not get healthy: {unfinished:?}"
    );
    let verbs = unneeded_verbs(&rules, &bootstrap, &records);
    assert!(verbs.is_empty(), "no audited request needed:\n{}", verbs.join("\n"));

    // (d) Live: without `services` patch, switching a Service's selector is refused.
    demonstrate_refusal(&env, &log);
    controller.stop();
}

/// Takes `patch` of `services` out of the live ClusterRole, updates a blue-green Rollout (whose active
/// Service's selector then has to be patched), and finds the refusal in the audit log.
fn demonstrate_refusal(env: &Env, log: &Path) {
    let mut role: Value =
        serde_json::from_str(
            &env.cluster
                .kubectl_ok(&["get", "clusterrole", "argo-rollouts", "-o", "json"]),
        )
        .unwrap();
    for rule in role["rules"].as_array_mut().unwrap() {
        if rule["resources"] == json!(["services"]) {
            rule["verbs"] = json!(["list", "watch", "create", "delete"]);
        }
    }
    role["metadata"].as_object_mut().unwrap().remove("resourceVersion");
    env.cluster.kubectl_ok_stdin(&["apply", "-f", "-"], &role.to_string());
    env.plugin_ok(&["set", "image", "tour-bluegreen", "app=nginx:1.21"]);
    let refused = wait_for(30, "a refused services patch", || {
        audited(log)
            .into_iter()
            .find(|r| r.is_forbidden() && r.resource == "services" && r.verb == "patch")
    });
    assert_eq!(refused.namespace, "default", "{refused}");
}
