//! The manifests the tests apply.

/// A Rollout `name` whose pods, labelled `app=<name>`, run one container `app` on the blue demo image,
/// with `replicas` when given and `strategy` (YAML, e.g. `{canary: {steps: [{setWeight: 20}]}}`) as its
/// `spec.strategy`.
pub fn rollout(name: &str, replicas: Option<u32>, strategy: &str) -> String {
    let replicas = replicas.map_or(String::new(), |n| format!("  replicas: {n}\n"));
    format!(
        r"
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: {name}
spec:
{replicas}  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      containers:
      - name: app
        image: argoproj/rollouts-demo:blue
  strategy: {strategy}
"
    )
}
