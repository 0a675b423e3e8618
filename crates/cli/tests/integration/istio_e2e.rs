#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! End-to-end tests of the Istio router with the dev cluster, the in-process rollouts controller and the
//! real kubectl: upstream's Istio CRDs and its `test/e2e/istio` and getting-started manifests, applied
//! unchanged; at every step the VirtualService route weights and DestinationRule subsets read back
//! through kubectl equal what upstream's `istio_test.go` asserts, and `kubectl argo rollouts get
//! rollout` shows the actual weight.

use crate::common;

use common::objects::{get_json, wait_phase};
use common::routing::{
    annotation, destinations, get_line, pairs, revision_hash, revision_pod_count, rs_by_revision, selected,
    start_with_istio, step_index, update_spec, virtual_service, wait_eq, weights,
};
use common::{Env, wait_for};
use rollouts_api::well_known::annotations::MANAGED_BY_ROLLOUTS;
use serde_json::Value;

const SCALE_DOWN_DEADLINE: &str = "scale-down-deadline";

fn destination_rule(env: &Env, name: &str) -> Value {
    get_json(env, &["get", "destinationrule", name, "-o", "json"])
}

/// `(subset name, its rollouts-pod-template-hash label or "")` of each DestinationRule subset.
fn subsets(env: &Env, name: &str) -> Vec<(String, String)> {
    let rule = destination_rule(env, name);
    rule["spec"]["subsets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                s["labels"]["rollouts-pod-template-hash"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect()
}

/// Upstream's `TestIstioHostSplit` (and `TestIstioHostSplitOnlyTls`) on one manifest: the weights of
/// the named route sections go 100/0 → 90/10 → 100/0 and the Services follow the hashes.
fn host_split(test: &str, file: &str, names: (&str, &str, &str, &str), sections: &[&str]) {
    let (rollout, vsvc, canary, stable) = names;
    let Some((env, mut controller)) = start_with_istio(test, "istio-host", &[file]) else {
        return;
    };
    wait_phase(&env, rollout, 30, "Healthy");
    for section in sections {
        wait_eq(10, &format!("{section} weights when healthy"), vec![100, 0], || {
            weights(&virtual_service(&env, vsvc), section, 0)
        });
    }
    let rs1 = revision_hash(&env, rollout, "1");
    assert_eq!(selected(&env, canary), rs1);
    assert_eq!(selected(&env, stable), rs1);

    update_spec(&env, rollout, "1");
    wait_phase(&env, rollout, 30, "Paused");
    for section in sections {
        wait_eq(10, &format!("{section} weights at setWeight 10"), vec![90, 10], || {
            weights(&virtual_service(&env, vsvc), section, 0)
        });
    }
    assert_eq!(
        destinations(&virtual_service(&env, vsvc), sections[0], 0),
        pairs(&[(stable, 90), (canary, 10)])
    );
    let rs2 = revision_hash(&env, rollout, "2");
    assert_eq!(selected(&env, canary), rs2);
    assert_eq!(selected(&env, stable), rs1);
    assert_eq!(get_line(&env, rollout, "ActualWeight:"), "ActualWeight:  10");

    env.plugin_ok(&["promote", rollout]);
    wait_phase(&env, rollout, 30, "Healthy");
    for section in sections {
        wait_eq(10, &format!("{section} weights after promotion"), vec![100, 0], || {
            weights(&virtual_service(&env, vsvc), section, 0)
        });
    }
    assert_eq!(selected(&env, canary), rs2);
    assert_eq!(selected(&env, stable), rs2);
    // The old ReplicaSet is kept for the scale-down delay.
    assert_eq!(revision_pod_count(&env, rollout, "1"), 1);
    assert!(annotation(&rs_by_revision(&env, rollout, "1"), SCALE_DOWN_DEADLINE).is_some());
    controller.stop();
}

#[test]
fn istio_host_split_weights_as_upstreams_test_istio_host_split() {
    host_split(
        "istio_host_split_weights_as_upstreams_test_istio_host_split",
        "test/e2e/istio/istio-host-split.yaml",
        (
            "istio-host-split",
            "istio-host-split-vsvc",
            "istio-host-split-canary",
            "istio-host-split-stable",
        ),
        &["http"],
    );
}

#[test]
fn istio_host_split_over_http_and_tls_routes() {
    host_split(
        "istio_host_split_over_http_and_tls_routes",
        "test/e2e/istio/istio-host-http-tls-split.yaml",
        (
            "istio-host-split",
            "istio-host-split-vsvc",
            "istio-host-split-canary",
            "istio-host-split-stable",
        ),
        &["http", "tls"],
    );
}

#[test]
fn istio_host_split_over_tls_routes_only() {
    host_split(
        "istio_host_split_over_tls_routes_only",
        "test/e2e/istio/istio-host-only-tls-split.yaml",
        (
            "istio-host-split-tls",
            "istio-host-split-tls-vsvc",
            "istio-host-split-tls-canary",
            "istio-host-split-tls-stable",
        ),
        &["tls"],
    );
}

/// Upstream's `TestIstioSubsetSplit`: the DestinationRule's subsets carry the stable and canary hashes
/// (and the managed-by annotation) while the weights move; once the Rollout stops routing, what was
/// injected into the DestinationRule is taken out again.
#[test]
fn istio_subset_split_destination_rule_follows_the_hashes() {
    const TEST: &str = "istio_subset_split_destination_rule_follows_the_hashes";
    const NAME: &str = "istio-subset-split";
    const VSVC: &str = "istio-subset-split-vsvc";
    const RULE: &str = "istio-subset-split-destrule";
    let Some((env, mut controller)) =
        start_with_istio(TEST, "istio-subset", &["test/e2e/istio/istio-subset-split.yaml"])
    else {
        return;
    };
    wait_phase(&env, NAME, 30, "Healthy");
    let rs1 = revision_hash(&env, NAME, "1");
    wait_eq(10, "weights when healthy", vec![100, 0], || {
        weights(&virtual_service(&env, VSVC), "http", 0)
    });
    wait_eq(
        10,
        "subsets when healthy",
        vec![("stable".to_string(), rs1.clone()), ("canary".to_string(), rs1.clone())],
        || subsets(&env, RULE),
    );
    assert_eq!(
        annotation(&destination_rule(&env, RULE), MANAGED_BY_ROLLOUTS).as_deref(),
        Some(NAME)
    );

    update_spec(&env, NAME, "1");
    wait_phase(&env, NAME, 30, "Paused");
    let rs2 = revision_hash(&env, NAME, "2");
    wait_eq(10, "weights at setWeight 10", vec![90, 10], || {
        weights(&virtual_service(&env, VSVC), "http", 0)
    });
    wait_eq(
        10,
        "subsets during the canary",
        vec![("stable".to_string(), rs1.clone()), ("canary".to_string(), rs2.clone())],
        || subsets(&env, RULE),
    );
    assert_eq!(get_line(&env, NAME, "ActualWeight:"), "ActualWeight:  10");

    env.plugin_ok(&["promote", NAME]);
    wait_phase(&env, NAME, 30, "Healthy");
    wait_eq(10, "weights after promotion", vec![100, 0], || {
        weights(&virtual_service(&env, VSVC), "http", 0)
    });
    wait_eq(
        10,
        "subsets after promotion",
        vec![("stable".to_string(), rs2.clone()), ("canary".to_string(), rs2.clone())],
        || subsets(&env, RULE),
    );
    assert_eq!(revision_pod_count(&env, NAME, "1"), 1);

    // No longer routed: the injected labels and annotation go, and the old ReplicaSet scales down as a
    // basic canary's would.
    env.cluster.kubectl_ok(&[
        "patch",
        "rollout",
        NAME,
        "--type=merge",
        "-p",
        r#"{"spec":{"strategy":{"canary":{"trafficRouting":null}}}}"#,
    ]);
    wait_eq(
        15,
        "the DestinationRule cleaned",
        (
            None,
            vec![
                ("stable".to_string(), String::new()),
                ("canary".to_string(), String::new()),
            ],
        ),
        || {
            (
                annotation(&destination_rule(&env, RULE), MANAGED_BY_ROLLOUTS),
                subsets(&env, RULE),
            )
        },
    );
    wait_eq(15, "revision 1 scaled down", 0, || revision_pod_count(&env, NAME, "1"));
    controller.stop();
}

/// Upstream's `TestIstioPingPongUpdate`: with ping and pong Services the weights move to the other
/// Service at each promotion, 100/0 → 75/25 → 0/100 → 25/75 → 100/0.
#[test]
fn istio_ping_pong_moves_the_weight_between_ping_and_pong() {
    const TEST: &str = "istio_ping_pong_moves_the_weight_between_ping_and_pong";
    const NAME: &str = "istio-host-split";
    const VSVC: &str = "istio-host-split-vsvc";
    let Some((env, mut controller)) = start_with_istio(
        TEST,
        "istio-ping-pong",
        &["test/e2e/istio/istio-host-split-ping-pong.yaml"],
    ) else {
        return;
    };
    wait_phase(&env, NAME, 30, "Healthy");
    wait_eq(10, "weights when healthy", pairs(&[("ping", 100), ("pong", 0)]), || {
        destinations(&virtual_service(&env, VSVC), "http", 0)
    });

    for (update, during, after) in [("1", [75, 25], [0, 100]), ("2", [25, 75], [100, 0])] {
        update_spec(&env, NAME, update);
        wait_for(30, "step 1", || (step_index(&env, NAME) == 1).then_some(()));
        wait_eq(10, &format!("weights during update {update}"), during.to_vec(), || {
            weights(&virtual_service(&env, VSVC), "http", 0)
        });
        env.plugin_ok(&["promote", NAME]);
        wait_phase(&env, NAME, 30, "Healthy");
        wait_eq(10, &format!("weights after update {update}"), after.to_vec(), || {
            weights(&virtual_service(&env, VSVC), "http", 0)
        });
    }
    controller.stop();
}

/// Upstream's `TestIstioAbortUpdateDeleteAllCanaryPods`: an abort sends all the traffic back to the
/// stable Service and keeps the canary's pods for the abort scale-down delay.
#[test]
fn istio_abort_returns_the_weight_and_delays_the_canary_scale_down() {
    const TEST: &str = "istio_abort_returns_the_weight_and_delays_the_canary_scale_down";
    const NAME: &str = "istio-host-split";
    const VSVC: &str = "istio-host-split-vsvc";
    let Some((env, mut controller)) = start_with_istio(
        TEST,
        "istio-abort",
        &["test/e2e/istio/istio-rollout-abort-delete-all-canary-pods.yaml"],
    ) else {
        return;
    };
    wait_phase(&env, NAME, 30, "Healthy");
    update_spec(&env, NAME, "1");
    wait_phase(&env, NAME, 30, "Paused");
    wait_eq(10, "revision 2 pods at the first pause", 2, || {
        revision_pod_count(&env, NAME, "2")
    });
    wait_eq(10, "weights at setWeight 20", vec![80, 20], || {
        weights(&virtual_service(&env, VSVC), "http", 0)
    });

    env.plugin_ok(&["promote", NAME]);
    wait_for(30, "step 5", || (step_index(&env, NAME) == 5).then_some(()));
    wait_phase(&env, NAME, 30, "Paused");
    wait_eq(10, "revision 2 pods at the second pause", 4, || {
        revision_pod_count(&env, NAME, "2")
    });
    wait_eq(10, "weights at setWeight 40", vec![60, 40], || {
        weights(&virtual_service(&env, VSVC), "http", 0)
    });

    env.plugin_ok(&["abort", NAME]);
    wait_phase(&env, NAME, 30, "Degraded");
    wait_eq(10, "weights after the abort", vec![100, 0], || {
        weights(&virtual_service(&env, VSVC), "http", 0)
    });
    wait_eq(10, "revision 1 pods after the abort", 5, || {
        revision_pod_count(&env, NAME, "1")
    });
    assert_eq!(revision_pod_count(&env, NAME, "2"), 4);
    assert!(annotation(&rs_by_revision(&env, NAME, "2"), SCALE_DOWN_DEADLINE).is_some());
    controller.stop();
}

/// The getting-started guide: one Rollout routing through two VirtualServices, each by its own named
/// HTTP route; with no `tlsRoutes` named, each one's single TLS route is weighted too, as upstream.
#[test]
fn istio_getting_started_drives_both_virtual_services() {
    const TEST: &str = "istio_getting_started_drives_both_virtual_services";
    const NAME: &str = "rollouts-demo";
    const CANARY: &str = "rollouts-demo-canary";
    const STABLE: &str = "rollouts-demo-stable";
    let Some((env, mut controller)) = start_with_istio(
        TEST,
        "istio-getting-started",
        &[
            "docs/getting-started/istio/gateway.yaml",
            "docs/getting-started/istio/services.yaml",
            "docs/getting-started/istio/multipleVirtualsvc.yaml",
            "docs/getting-started/istio/rollout.yaml",
        ],
    ) else {
        return;
    };
    let both = |env: &Env| {
        ["rollouts-demo-vsvc1", "rollouts-demo-vsvc2"]
            .map(|name| {
                let vsvc = virtual_service(env, name);
                (destinations(&vsvc, "http", 0), weights(&vsvc, "tls", 0))
            })
            .to_vec()
    };
    let expect = |canary: i64| {
        vec![
            (
                pairs(&[(STABLE, 100 - canary), (CANARY, canary)]),
                vec![100 - canary, canary]
            );
            2
        ]
    };
    wait_phase(&env, NAME, 30, "Healthy");
    wait_eq(10, "both VirtualServices when healthy", expect(0), || both(&env));

    env.plugin_ok(&["set", "image", NAME, "rollouts-demo=argoproj/rollouts-demo:yellow"]);
    wait_phase(&env, NAME, 30, "Paused");
    wait_eq(10, "both VirtualServices at setWeight 5", expect(5), || both(&env));
    assert_eq!(get_line(&env, NAME, "ActualWeight:"), "ActualWeight:  5");
    assert_eq!(selected(&env, CANARY), revision_hash(&env, NAME, "2"));
    assert_eq!(selected(&env, STABLE), revision_hash(&env, NAME, "1"));

    env.plugin_ok(&["promote", NAME]);
    wait_phase(&env, NAME, 30, "Healthy");
    wait_eq(10, "both VirtualServices after promotion", expect(0), || both(&env));
    assert_eq!(selected(&env, STABLE), revision_hash(&env, NAME, "2"));
    controller.stop();
}

/// The Rollout's Experiments, by name.
fn rollout_experiments(env: &Env, rollout: &str) -> Vec<Value> {
    let uid = env.rollout(rollout)["metadata"]["uid"].clone();
    let mut found: Vec<Value> = get_json(env, &["get", "experiments", "-o", "json"])["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|e| e["metadata"]["ownerReferences"][0]["uid"] == uid)
        .collect();
    found.sort_by_key(|e| e["metadata"]["name"].as_str().unwrap_or_default().to_string());
    found
}

/// The first template status of the Rollout's one Experiment, once it names `field`.
fn experiment_template_field(env: &Env, rollout: &str, field: &str) -> String {
    wait_for(20, &format!("the experiment's template {field}"), || {
        let experiments = rollout_experiments(env, rollout);
        let [experiment] = experiments.as_slice() else {
            return None;
        };
        experiment["status"]["templateStatuses"][0][field]
            .as_str()
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    })
}

/// Upstream's `TestIstioHostSplitExperimentStep`: at the experiment step the VirtualService gets a
/// third destination, the experiment template's Service at weight 20, beside stable 70 and canary 10;
/// after a promotion it is gone and the weights are 100/0 again.
#[test]
fn istio_host_split_experiment_step_weights_the_experiment_service() {
    const TEST: &str = "istio_host_split_experiment_step_weights_the_experiment_service";
    const NAME: &str = "istio-host-split";
    const VSVC: &str = "istio-host-split-vsvc";
    let Some((env, mut controller)) = start_with_istio(
        TEST,
        "istio-host-exp",
        &["test/e2e/istio/istio-host-split-experiment-step.yaml"],
    ) else {
        return;
    };
    wait_phase(&env, NAME, 30, "Healthy");
    wait_eq(
        10,
        "routes when healthy",
        pairs(&[("istio-host-split-stable", 100), ("istio-host-split-canary", 0)]),
        || destinations(&virtual_service(&env, VSVC), "http", 0),
    );
    let rs1 = revision_hash(&env, NAME, "1");
    assert_eq!(selected(&env, "istio-host-split-canary"), rs1);
    assert_eq!(selected(&env, "istio-host-split-stable"), rs1);

    update_spec(&env, NAME, "1");
    wait_eq(30, "the experiment step", 1, || step_index(&env, NAME));
    let service = experiment_template_field(&env, NAME, "serviceName");
    wait_eq(
        20,
        "routes at the experiment step",
        vec![
            ("istio-host-split-stable".to_string(), 70),
            ("istio-host-split-canary".to_string(), 10),
            (service.clone(), 20),
        ],
        || destinations(&virtual_service(&env, VSVC), "http", 0),
    );
    let rs2 = revision_hash(&env, NAME, "2");
    assert_eq!(selected(&env, "istio-host-split-canary"), rs2);
    assert_eq!(selected(&env, "istio-host-split-stable"), rs1);

    env.plugin_ok(&["promote", NAME]);
    wait_phase(&env, NAME, 30, "Healthy");
    wait_eq(
        10,
        "routes after promotion",
        pairs(&[("istio-host-split-stable", 100), ("istio-host-split-canary", 0)]),
        || destinations(&virtual_service(&env, VSVC), "http", 0),
    );
    assert_eq!(selected(&env, "istio-host-split-canary"), rs2);
    assert_eq!(selected(&env, "istio-host-split-stable"), rs2);
    assert_eq!(
        revision_pod_count(&env, NAME, "1"),
        1,
        "revision 1 waits out its scale-down delay"
    );
    controller.stop();
}

/// Upstream's `TestIstioSubsetSplitExperimentStep`: the experiment step adds a third route (the
/// experiment template's Service, weight 20) and a third DestinationRule subset with the template's
/// hash; a promotion removes both.
#[test]
fn istio_subset_split_experiment_step_adds_a_subset_for_the_experiment() {
    const TEST: &str = "istio_subset_split_experiment_step_adds_a_subset_for_the_experiment";
    const NAME: &str = "istio-subset-split";
    const VSVC: &str = "istio-subset-split-vsvc";
    const RULE: &str = "istio-subset-split-destrule";
    let Some((env, mut controller)) = start_with_istio(
        TEST,
        "istio-subset-exp",
        &["test/e2e/istio/istio-subset-split-experiment-step.yaml"],
    ) else {
        return;
    };
    wait_phase(&env, NAME, 30, "Healthy");
    let rs1 = revision_hash(&env, NAME, "1");
    wait_eq(10, "weights when healthy", vec![100, 0], || {
        weights(&virtual_service(&env, VSVC), "http", 0)
    });
    wait_eq(
        10,
        "subsets when healthy",
        vec![("stable".to_string(), rs1.clone()), ("canary".to_string(), rs1.clone())],
        || subsets(&env, RULE),
    );

    update_spec(&env, NAME, "1");
    wait_eq(30, "the experiment step", 1, || step_index(&env, NAME));
    let service = experiment_template_field(&env, NAME, "serviceName");
    let hash = experiment_template_field(&env, NAME, "podTemplateHash");
    wait_eq(20, "weights at the experiment step", vec![70, 10, 20], || {
        weights(&virtual_service(&env, VSVC), "http", 0)
    });
    let routes = destinations(&virtual_service(&env, VSVC), "http", 0);
    assert_eq!(routes[2].0, service, "{routes:?}");
    let rs2 = revision_hash(&env, NAME, "2");
    let rule = subsets(&env, RULE);
    assert_eq!(rule.len(), 3, "{rule:?}");
    assert_eq!(rule[0], ("stable".to_string(), rs1.clone()));
    assert_eq!(rule[1], ("canary".to_string(), rs2.clone()));
    assert_eq!(rule[2].1, hash, "{rule:?}");

    env.plugin_ok(&["promote", NAME]);
    wait_phase(&env, NAME, 30, "Healthy");
    wait_eq(10, "weights after promotion", vec![100, 0], || {
        weights(&virtual_service(&env, VSVC), "http", 0)
    });
    wait_eq(
        10,
        "subsets after promotion",
        vec![("stable".to_string(), rs2.clone()), ("canary".to_string(), rs2.clone())],
        || subsets(&env, RULE),
    );
    assert_eq!(
        revision_pod_count(&env, NAME, "1"),
        1,
        "revision 1 waits out its scale-down delay"
    );
    controller.stop();
}
