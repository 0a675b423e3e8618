//! Golden cases of upstream's `smi_test.go`, one per API version where upstream has one, asserting the
//! exact writes; then what upstream's tests leave out.

use rollouts_api::Rollout;
use rollouts_api::rollout_status::WeightDestination;
use serde_json::{Value, json};

use super::*;
use crate::traffic::{self, RoutingWrite};

const VERSIONS: [SplitVersion; 3] = [SplitVersion::V1alpha1, SplitVersion::V1alpha2, SplitVersion::V1alpha3];

/// Upstream's `fakeRollout`, with a UID so ownership can be told apart.
fn rollout(root: &str, split_name: &str) -> Rollout {
    rollout_with(root, split_name, json!({}))
}

fn rollout_with(root: &str, split_name: &str, routing_extra: Value) -> Rollout {
    let mut routing = json!({"smi": {"rootService": root, "trafficSplitName": split_name}});
    if let (Some(routing), Value::Object(extra)) = (routing.as_object_mut(), routing_extra) {
        routing.extend(extra);
    }
    serde_json::from_value(json!({
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
        "metadata": {"name": "rollout", "namespace": "default", "uid": "rollout-uid"},
        "spec": {"strategy": {"canary": {
            "stableService": "stable-service", "canaryService": "canary-service",
            "trafficRouting": routing,
        }}},
    }))
    .expect("a valid Rollout")
}

fn smi_of(rollout: &Rollout) -> &SmiTrafficRouting {
    rollout
        .spec
        .strategy
        .as_ref()
        .and_then(|s| s.canary.as_ref())
        .and_then(|c| c.traffic_routing.as_ref())
        .and_then(|r| r.smi.as_ref())
        .expect("smi routing")
}

fn router(rollout: &Rollout, version: SplitVersion) -> Smi<'_> {
    let input = RouterInput {
        rollout,
        replica_sets: &[],
    };
    Smi::with_version(input, smi_of(rollout), version)
}

fn owner() -> Value {
    json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "name": "rollout", "uid": "rollout-uid",
           "controller": true, "blockOwnerDeletion": true})
}

/// The backends of `weight` to the canary and the rest to the stable, as `version` writes them.
fn backends(version: SplitVersion, canary: i64, stable: i64) -> Value {
    match version {
        SplitVersion::V1alpha1 => json!([
            {"service": "canary-service", "weight": canary.to_string()},
            {"service": "stable-service", "weight": stable.to_string()},
        ]),
        _ => json!([
            {"service": "canary-service", "weight": canary},
            {"service": "stable-service", "weight": stable},
        ]),
    }
}

/// A TrafficSplit as upstream's `trafficSplitV1Alpha*` builds it (root `root-service`), as the API
/// server returns it.
fn existing(version: SplitVersion, name: &str, canary_weight: i64) -> Value {
    json!({
        "apiVersion": version.api_version(), "kind": "TrafficSplit",
        "metadata": {"name": name, "namespace": "default", "resourceVersion": "7", "ownerReferences": [owner()]},
        "spec": {"service": "root-service", "backends": backends(version, canary_weight, 100 - canary_weight)},
    })
}

fn target(version: SplitVersion, name: &str) -> ObjectRef {
    ObjectRef::new(&version.api_version(), "TrafficSplit", "default", name)
}

#[test]
fn type_is_smi() {
    let ro = rollout("root-service", "traffic-split-name");
    assert_eq!(router(&ro, SplitVersion::default()).kind(), "SMI");
}

#[test]
fn unsupported_traffic_split_api_version_error() {
    let err = "does-not-exist".parse::<SplitVersion>().expect_err("unknown version");
    assert_eq!(err.to_string(), "Unsupported TrafficSplit API version `does-not-exist`");
    let parsed: Vec<SplitVersion> = ["v1alpha1", "v1alpha2", "v1alpha3"]
        .iter()
        .map(|v| v.parse().expect("known"))
        .collect();
    assert_eq!(parsed, VERSIONS);
    assert_eq!(SplitVersion::default(), SplitVersion::V1alpha1);
}

#[test]
fn reconcile_create_new_traffic_split_v1alpha1_defaults_name_and_root() {
    // Neither trafficSplitName nor rootService: the Rollout's name and the stable Service.
    let ro = rollout("", "");
    let mut objects = Objects::new(&[]);
    router(&ro, SplitVersion::V1alpha1)
        .set_weight(&mut objects, 10, &[])
        .expect("created");
    assert_eq!(
        objects.writes(),
        [RoutingWrite::Create(json!({
            "apiVersion": "split.smi-spec.io/v1alpha1", "kind": "TrafficSplit",
            "metadata": {"name": "rollout", "namespace": "default", "ownerReferences": [owner()]},
            "spec": {"service": "stable-service", "backends": [
                {"service": "canary-service", "weight": "10"},
                {"service": "stable-service", "weight": "90"},
            ]},
        }))]
    );
}

#[test]
fn reconcile_create_new_traffic_split_v1alpha2_and_v1alpha3() {
    let ro = rollout("root-service", "traffic-split-name");
    for version in [SplitVersion::V1alpha2, SplitVersion::V1alpha3] {
        let mut objects = Objects::new(&[]);
        router(&ro, version).set_weight(&mut objects, 10, &[]).expect("created");
        assert_eq!(
            objects.writes(),
            [RoutingWrite::Create(json!({
                "apiVersion": format!("split.smi-spec.io/{version}"), "kind": "TrafficSplit",
                "metadata": {"name": "traffic-split-name", "namespace": "default", "ownerReferences": [owner()]},
                "spec": {"service": "root-service", "backends": [
                    {"service": "canary-service", "weight": 10},
                    {"service": "stable-service", "weight": 90},
                ]},
            }))],
            "{version}"
        );
    }
}

#[test]
fn reconcile_patch_existing_traffic_split() {
    let ro = rollout("root-service", "traffic-split-name");
    for version in VERSIONS {
        let mut objects = Objects::new(&[existing(version, "traffic-split-name", 10)]);
        router(&ro, version).set_weight(&mut objects, 50, &[]).expect("patched");
        assert_eq!(
            objects.writes(),
            [RoutingWrite::MergePatch {
                target: target(version, "traffic-split-name"),
                patch: json!({"spec": {"backends": backends(version, 50, 50)}}),
            }],
            "{version}"
        );
    }
}

#[test]
fn reconcile_patch_existing_traffic_split_no_change() {
    for version in VERSIONS {
        let name = format!("traffic-split-{version}");
        let ro = rollout("root-service", &name);
        let mut objects = Objects::new(&[existing(version, &name, 10)]);
        router(&ro, version)
            .set_weight(&mut objects, 10, &[])
            .expect("unchanged");
        assert!(objects.writes().is_empty(), "{version}: {:?}", objects.writes());
    }
}

#[test]
fn reconcile_rollout_does_not_own_traffic_split_error() {
    let ro = rollout("root-service", "traffic-split-name");
    let owners = [
        json!(null),
        // Controlled by another Rollout of the same name (a different UID).
        json!([{"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "name": "rollout", "uid": "other", "controller": true}]),
        // This Rollout is an owner, but not the controller.
        json!([{"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "name": "rollout", "uid": "rollout-uid"}]),
    ];
    for version in VERSIONS {
        for refs in &owners {
            let mut split = existing(version, "traffic-split-name", 10);
            split["metadata"]["ownerReferences"] = refs.clone();
            let mut objects = Objects::new(&[split]);
            let err = router(&ro, version)
                .set_weight(&mut objects, 10, &[])
                .expect_err("not owned");
            assert_eq!(
                err.to_string(),
                "Rollout does not own TrafficSplit `traffic-split-name`"
            );
            assert!(objects.writes().is_empty());
        }
    }
}

fn experiment_destinations() -> Vec<WeightDestination> {
    ["ex-svc-1", "ex-svc-2"]
        .map(|service| WeightDestination {
            pod_template_hash: None,
            service_name: Some(service.to_string()),
            weight: 5,
        })
        .to_vec()
}

#[test]
fn create_traffic_split_for_multiple_backends() {
    let ro = rollout("root-service", "traffic-split-name");
    for version in VERSIONS {
        let mut objects = Objects::new(&[]);
        router(&ro, version)
            .set_weight(&mut objects, 10, &experiment_destinations())
            .expect("created");
        let weight = |w: i64| match version {
            SplitVersion::V1alpha1 => json!(w.to_string()),
            _ => json!(w),
        };
        let [RoutingWrite::Create(created)] = objects.writes() else {
            panic!("{version}: one create expected, got {:?}", objects.writes());
        };
        assert_eq!(
            created["spec"],
            json!({"service": "root-service", "backends": [
                {"service": "canary-service", "weight": weight(10)},
                {"service": "ex-svc-1", "weight": weight(5)},
                {"service": "ex-svc-2", "weight": weight(5)},
                {"service": "stable-service", "weight": weight(80)},
            ]}),
            "{version}"
        );
    }
}

#[test]
fn reconcile_set_header_route_and_mirror_route_are_not_implemented() {
    let ro = rollout("", "");
    let smi = router(&ro, SplitVersion::V1alpha1);
    let mut objects = Objects::new(&[]);
    let header: SetHeaderRoute = serde_json::from_value(json!({
        "name": "set-header", "match": [{"headerName": "header-name", "headerValue": {"exact": "value"}}],
    }))
    .expect("a header route");
    let mirror: SetMirrorRoute = serde_json::from_value(json!({
        "name": "mirror-route", "match": [{"method": {"exact": "GET"}}],
    }))
    .expect("a mirror route");
    smi.set_header_route(&mut objects, &header).expect("no-op");
    smi.set_mirror_route(&mut objects, &mirror).expect("no-op");
    smi.update_hash(&mut objects, "canary-hash", "stable-hash", &[])
        .expect("no-op");
    smi.remove_managed_routes(&mut objects).expect("no-op");
    assert!(objects.writes().is_empty());
}

#[test]
fn references_name_the_traffic_split_of_the_configured_version() {
    let named = rollout("root-service", "traffic-split-name");
    assert_eq!(
        router(&named, SplitVersion::V1alpha3).references(),
        [target(SplitVersion::V1alpha3, "traffic-split-name")]
    );
    let unnamed = rollout("", "");
    assert_eq!(
        traffic::references(&unnamed, &traffic::RoutingSettings::default()),
        [target(SplitVersion::V1alpha1, "rollout")]
    );
    let input = RouterInput {
        rollout: &unnamed,
        replica_sets: &[],
    };
    let kinds: Vec<&str> = traffic::routers(input).iter().map(|r| r.kind()).collect();
    assert_eq!(kinds, ["SMI"]);
}

#[test]
fn a_split_just_created_is_unchanged_on_the_next_reconcile() {
    let ro = rollout("root-service", "traffic-split-name");
    for version in VERSIONS {
        let smi = router(&ro, version);
        let mut objects = Objects::new(&[]);
        smi.set_weight(&mut objects, 20, &experiment_destinations())
            .expect("created");
        objects.take_writes();
        smi.set_weight(&mut objects, 20, &experiment_destinations())
            .expect("unchanged");
        assert!(objects.writes().is_empty(), "{version}: {:?}", objects.writes());
    }
}

#[test]
fn extra_destinations_change_the_backend_list_as_one_patch() {
    let ro = rollout("root-service", "traffic-split-name");
    let mut objects = Objects::new(&[existing(SplitVersion::V1alpha2, "traffic-split-name", 10)]);
    let smi = router(&ro, SplitVersion::V1alpha2);
    smi.set_weight(&mut objects, 10, &experiment_destinations())
        .expect("patched");
    // The experiment ends: its destinations go and the stable takes their weight back.
    smi.set_weight(&mut objects, 10, &[]).expect("patched");
    let target = target(SplitVersion::V1alpha2, "traffic-split-name");
    assert_eq!(
        objects.writes(),
        [
            RoutingWrite::MergePatch {
                target: target.clone(),
                patch: json!({"spec": {"backends": [
                    {"service": "canary-service", "weight": 10},
                    {"service": "ex-svc-1", "weight": 5},
                    {"service": "ex-svc-2", "weight": 5},
                    {"service": "stable-service", "weight": 80},
                ]}}),
            },
            RoutingWrite::MergePatch {
                target,
                patch: json!({"spec": {"backends": backends(SplitVersion::V1alpha2, 10, 90)}}),
            },
        ]
    );
}

#[test]
fn a_changed_root_service_is_patched_with_the_backends_untouched() {
    let ro = rollout("new-root", "traffic-split-name");
    for version in VERSIONS {
        let mut objects = Objects::new(&[existing(version, "traffic-split-name", 10)]);
        router(&ro, version).set_weight(&mut objects, 10, &[]).expect("patched");
        assert_eq!(
            objects.writes(),
            [RoutingWrite::MergePatch {
                target: target(version, "traffic-split-name"),
                patch: json!({"spec": {"service": "new-root"}}),
            }],
            "{version}"
        );
    }
}

#[test]
fn the_stable_gets_the_rest_of_max_traffic_weight_not_of_100() {
    // Upstream's SMI router subtracts from 100 whatever maxTrafficWeight says, so with 1000 the stable
    // weight goes negative; SMI weights are relative, so the rest of maxTrafficWeight is what is meant.
    // A v1alpha1 weight of 1000 is the quantity `1e3`.
    let ro = rollout_with("", "", json!({"maxTrafficWeight": 1000}));
    let mut objects = Objects::new(&[]);
    router(&ro, SplitVersion::V1alpha1)
        .set_weight(&mut objects, 0, &[])
        .expect("created");
    let [RoutingWrite::Create(created)] = objects.writes() else {
        panic!("one create expected, got {:?}", objects.writes());
    };
    assert_eq!(
        created["spec"]["backends"],
        json!([{"service": "canary-service", "weight": "0"}, {"service": "stable-service", "weight": "1e3"}])
    );
}

#[test]
fn v1alpha1_weights_compare_in_their_canonical_form() {
    let ro = rollout("root-service", "traffic-split-name");
    let version = SplitVersion::V1alpha1;
    let with_weights = |canary: Value, stable: Value| {
        let mut split = existing(version, "traffic-split-name", 10);
        split["spec"]["backends"] = json!([
            {"service": "canary-service", "weight": canary},
            {"service": "stable-service", "weight": stable},
        ]);
        split
    };
    // Plain numbers and `10.0` re-encode as `10` and `90`: nothing to write.
    let mut objects = Objects::new(&[with_weights(json!(10), json!("90.0"))]);
    router(&ro, version)
        .set_weight(&mut objects, 10, &[])
        .expect("unchanged");
    assert!(objects.writes().is_empty(), "{:?}", objects.writes());
    // `+10` is canonical text of its own, so it differs from `10` and the list is rewritten.
    let mut objects = Objects::new(&[with_weights(json!("+10"), json!("90"))]);
    router(&ro, version).set_weight(&mut objects, 10, &[]).expect("patched");
    assert_eq!(
        objects.writes(),
        [RoutingWrite::MergePatch {
            target: target(version, "traffic-split-name"),
            patch: json!({"spec": {"backends": backends(version, 10, 90)}}),
        }]
    );
}

#[test]
fn fields_the_version_lacks_are_ignored_and_v1alpha3_matches_are_removed() {
    let ro = rollout("root-service", "traffic-split-name");
    let matches = json!([{"kind": "HTTPRouteGroup", "name": "routes", "apiGroup": "specs.smi-spec.io"}]);
    for version in VERSIONS {
        let mut split = existing(version, "traffic-split-name", 10);
        split["spec"]["matches"] = matches.clone();
        split["spec"]["backends"][0]["extra"] = json!("ignored");
        let mut objects = Objects::new(&[split]);
        router(&ro, version)
            .set_weight(&mut objects, 10, &[])
            .expect("reconciled");
        let expected: Vec<RoutingWrite> = match version {
            // Upstream writes no matches, so the typed v1alpha3 diff removes them.
            SplitVersion::V1alpha3 => vec![RoutingWrite::MergePatch {
                target: target(version, "traffic-split-name"),
                patch: json!({"spec": {"matches": null}}),
            }],
            _ => Vec::new(),
        };
        assert_eq!(objects.writes(), expected, "{version}");
    }
}

#[test]
fn v1alpha2_weights_of_another_json_type_are_rewritten() {
    let ro = rollout("root-service", "traffic-split-name");
    for version in [SplitVersion::V1alpha2, SplitVersion::V1alpha3] {
        let mut split = existing(version, "traffic-split-name", 10);
        split["spec"]["backends"][0]["weight"] = json!("10");
        let mut objects = Objects::new(&[split]);
        router(&ro, version).set_weight(&mut objects, 10, &[]).expect("patched");
        assert_eq!(
            objects.writes(),
            [RoutingWrite::MergePatch {
                target: target(version, "traffic-split-name"),
                patch: json!({"spec": {"backends": backends(version, 10, 90)}}),
            }],
            "{version}"
        );
    }
}

#[test]
fn empty_names_follow_each_versions_omitempty() {
    // No root and no Services at all: v1alpha1 omits the empty names, v1alpha2 keeps the backends'
    // names, v1alpha3 keeps every name.
    let ro: Rollout = serde_json::from_value(json!({
        "metadata": {"name": "rollout", "namespace": "default", "uid": "rollout-uid"},
        "spec": {"strategy": {"canary": {"trafficRouting": {"smi": {}}}}},
    }))
    .expect("a valid Rollout");
    let specs: Vec<Value> = VERSIONS
        .iter()
        .map(|version| {
            let mut objects = Objects::new(&[]);
            router(&ro, *version)
                .set_weight(&mut objects, 10, &[])
                .expect("created");
            match objects.writes() {
                [RoutingWrite::Create(created)] => created["spec"].clone(),
                other => panic!("{version}: one create expected, got {other:?}"),
            }
        })
        .collect();
    assert_eq!(
        specs,
        [
            json!({"backends": [{"weight": "10"}, {"weight": "90"}]}),
            json!({"backends": [{"service": "", "weight": 10}, {"service": "", "weight": 90}]}),
            json!({"service": "", "backends": [{"service": "", "weight": 10}, {"service": "", "weight": 90}]}),
        ]
    );
}
