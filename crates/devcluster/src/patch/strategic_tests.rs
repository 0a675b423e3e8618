//! Strategic merge patch behaviour, mostly with bodies as kubectl sends them.

use serde_json::{Value, json};

use super::*;

fn deployment() -> Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"app": "web", "tier": "frontend"}, "finalizers": ["a.example/x"]},
        "spec": {
            "replicas": 2,
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {
                    "containers": [
                        {"name": "app", "image": "nginx:1.24", "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
                         "ports": [{"containerPort": 80, "protocol": "TCP"}]},
                        {"name": "sidecar", "image": "envoy:1"}
                    ],
                    "volumes": [{"name": "conf", "configMap": {"name": "web-conf"}}]
                }
            }
        }
    })
}

fn deploy_strategy() -> Strategy {
    Strategy::for_kind("apps", "Deployment").unwrap()
}

fn smp(original: &Value, patch: Value) -> Value {
    strategic_merge_patch(original, &patch, &deploy_strategy()).unwrap()
}

fn smp_err(original: &Value, patch: Value) -> PatchError {
    strategic_merge_patch(original, &patch, &deploy_strategy()).unwrap_err()
}

fn containers(obj: &Value) -> &Vec<Value> {
    obj.pointer("/spec/template/spec/containers")
        .and_then(Value::as_array)
        .unwrap()
}

fn names(list: &Value, key: &str) -> Vec<Value> {
    list.as_array().unwrap().iter().map(|e| e[key].clone()).collect()
}

#[test]
fn set_image_changes_one_container_by_name() {
    let out = smp(
        &deployment(),
        json!({"spec": {"template": {"spec": {"containers": [{"image": "nginx:1.25", "name": "app"}]}}}}),
    );
    let cs = containers(&out);
    assert_eq!(cs.len(), 2);
    assert_eq!(cs[0]["name"], "app");
    assert_eq!(cs[0]["image"], "nginx:1.25");
    assert_eq!(
        cs[0]["env"],
        deployment()["spec"]["template"]["spec"]["containers"][0]["env"]
    );
    assert_eq!(cs[1], json!({"name": "sidecar", "image": "envoy:1"}));
}

#[test]
fn scale_and_label_patches() {
    let out = smp(
        &deployment(),
        json!({"spec": {"replicas": 5}, "metadata": {"labels": {"new": "yes"}}}),
    );
    assert_eq!(out["spec"]["replicas"], 5);
    assert_eq!(
        out["metadata"]["labels"],
        json!({"app": "web", "tier": "frontend", "new": "yes"})
    );
}

#[test]
fn null_deletes_a_label() {
    let out = smp(
        &deployment(),
        json!({"metadata": {"labels": {"tier": null, "missing": null}}}),
    );
    assert_eq!(out["metadata"]["labels"], json!({"app": "web"}));
}

#[test]
fn adding_an_env_var_goes_first_without_an_order_directive() {
    let patch = json!({"spec": {"template": {"spec": {"containers": [{"name": "app", "env": [{"name": "C", "value": "3"}]}]}}}});
    let out = smp(&deployment(), patch);
    assert_eq!(
        names(&containers(&out)[0]["env"], "name"),
        vec![json!("C"), json!("A"), json!("B")]
    );
    assert_eq!(containers(&out)[0]["image"], "nginx:1.24");
}

#[test]
fn adding_an_env_var_with_set_element_order() {
    let patch = json!({"spec": {"template": {"spec": {
        "$setElementOrder/containers": [{"name": "app"}, {"name": "sidecar"}],
        "containers": [{"name": "app",
            "$setElementOrder/env": [{"name": "A"}, {"name": "B"}, {"name": "C"}],
            "env": [{"name": "C", "value": "3"}]}]
    }}}});
    let out = smp(&deployment(), patch);
    let env = &containers(&out)[0]["env"];
    assert_eq!(
        env,
        &json!([{"name": "A", "value": "1"}, {"name": "B", "value": "2"}, {"name": "C", "value": "3"}])
    );
    assert_eq!(
        names(&out["spec"]["template"]["spec"]["containers"], "name"),
        vec![json!("app"), json!("sidecar")]
    );
}

#[test]
fn changing_an_env_var_keeps_its_place() {
    let patch = json!({"spec": {"template": {"spec": {"containers": [{"name": "app", "env": [{"name": "B", "value": "x"}]}]}}}});
    let out = smp(&deployment(), patch);
    assert_eq!(
        containers(&out)[0]["env"],
        json!([{"name": "A", "value": "1"}, {"name": "B", "value": "x"}])
    );
}

#[test]
fn deleting_a_container_by_key() {
    let patch = json!({"spec": {"template": {"spec": {"containers": [{"$patch": "delete", "name": "sidecar"}]}}}});
    let out = smp(&deployment(), patch);
    assert_eq!(
        names(&out["spec"]["template"]["spec"]["containers"], "name"),
        vec![json!("app")]
    );
}

#[test]
fn set_element_order_reorders_containers() {
    let patch = json!({"spec": {"template": {"spec": {"$setElementOrder/containers": [{"name": "sidecar"}, {"name": "app"}]}}}});
    let out = smp(&deployment(), patch);
    assert_eq!(
        names(&out["spec"]["template"]["spec"]["containers"], "name"),
        vec![json!("sidecar"), json!("app")]
    );
    assert_eq!(containers(&out)[1]["image"], "nginx:1.24");
    assert!(!out.to_string().contains('$'));
}

#[test]
fn retain_keys_switches_rolling_update_to_recreate() {
    let patch = json!({"spec": {"strategy": {"$retainKeys": ["type"], "rollingUpdate": null, "type": "Recreate"}}});
    let out = smp(&deployment(), patch);
    assert_eq!(out["spec"]["strategy"], json!({"type": "Recreate"}));
    // Without the directive the old rollingUpdate block would survive a plain merge.
    let plain = smp(&deployment(), json!({"spec": {"strategy": {"type": "Recreate"}}}));
    assert!(plain["spec"]["strategy"]["rollingUpdate"].is_object());
}

#[test]
fn retain_keys_on_a_volume_element() {
    let patch = json!({"spec": {"template": {"spec": {"volumes": [
        {"name": "conf", "$retainKeys": ["name", "secret"], "secret": {"secretName": "s"}}
    ]}}}});
    let out = smp(&deployment(), patch);
    assert_eq!(
        out["spec"]["template"]["spec"]["volumes"],
        json!([{"name": "conf", "secret": {"secretName": "s"}}])
    );
}

#[test]
fn retain_keys_must_list_patched_fields() {
    let err = smp_err(
        &deployment(),
        json!({"spec": {"strategy": {"$retainKeys": ["type"], "rollingUpdate": {}}}}),
    );
    assert!(err.to_string().contains("retainKeys"), "{err}");
    let err = smp_err(&deployment(), json!({"spec": {"strategy": {"$retainKeys": "type"}}}));
    assert!(err.to_string().contains("retainKeys"), "{err}");
}

#[test]
fn finalizers_are_unioned_and_deleted() {
    let added = smp(
        &deployment(),
        json!({"metadata": {"finalizers": ["b.example/y", "a.example/x"]}}),
    );
    let fins = added["metadata"]["finalizers"].as_array().unwrap();
    assert_eq!(fins.len(), 2);
    assert!(fins.contains(&json!("a.example/x")) && fins.contains(&json!("b.example/y")));

    let ordered = smp(
        &deployment(),
        json!({"metadata": {"$setElementOrder/finalizers": ["a.example/x", "b.example/y"], "finalizers": ["b.example/y"]}}),
    );
    assert_eq!(ordered["metadata"]["finalizers"], json!(["a.example/x", "b.example/y"]));

    let removed = smp(
        &added,
        json!({"metadata": {"$deleteFromPrimitiveList/finalizers": ["a.example/x", "zzz"]}}),
    );
    assert_eq!(removed["metadata"]["finalizers"], json!(["b.example/y"]));

    let untouched = smp(
        &deployment(),
        json!({"spec": {"$deleteFromPrimitiveList/absent": ["x"]}}),
    );
    assert!(untouched["spec"].get("absent").is_none());
}

#[test]
fn delete_from_primitive_list_must_be_a_list_of_primitives() {
    assert!(matches!(
        smp_err(
            &deployment(),
            json!({"metadata": {"$deleteFromPrimitiveList/finalizers": "x"}})
        ),
        PatchError::Invalid(_)
    ));
    assert!(matches!(
        smp_err(
            &deployment(),
            json!({"metadata": {"$deleteFromPrimitiveList/finalizers": [{}]}})
        ),
        PatchError::Invalid(_)
    ));
    assert!(matches!(
        smp_err(&deployment(), json!({"metadata": {"$deleteFromPrimitiveList": ["x"]}})),
        PatchError::Invalid(_)
    ));
}

#[test]
fn patch_replace_on_a_list() {
    let patch = json!({"spec": {"template": {"spec": {"containers": [{"$patch": "replace"}, {"name": "only", "image": "busybox"}]}}}});
    let out = smp(&deployment(), patch);
    assert_eq!(
        out["spec"]["template"]["spec"]["containers"],
        json!([{"name": "only", "image": "busybox"}])
    );
}

#[test]
fn patch_replace_and_delete_on_maps() {
    let out = smp(
        &deployment(),
        json!({"metadata": {"labels": {"$patch": "replace", "only": "this"}}}),
    );
    assert_eq!(out["metadata"]["labels"], json!({"only": "this"}));
    let out = smp(&deployment(), json!({"metadata": {"labels": {"$patch": "delete"}}}));
    assert!(out["metadata"].get("labels").is_none());
    let out = smp(
        &deployment(),
        json!({"metadata": {"labels": {"$patch": "merge", "x": "y"}}}),
    );
    assert_eq!(out["metadata"]["labels"]["app"], "web");
    assert_eq!(out["metadata"]["labels"]["x"], "y");
}

#[test]
fn atomic_lists_are_replaced() {
    let pod = json!({"spec": {"tolerations": [{"key": "a"}, {"key": "b"}], "containers": [{"name": "c", "args": ["1", "2"]}]}});
    let patch = json!({"spec": {"tolerations": [{"key": "c"}], "containers": [{"name": "c", "args": ["3"]}]}});
    let out = strategic_merge_patch(&pod, &patch, &Strategy::for_kind("", "Pod").unwrap()).unwrap();
    assert_eq!(out["spec"]["tolerations"], json!([{"key": "c"}]));
    assert_eq!(out["spec"]["containers"], json!([{"name": "c", "args": ["3"]}]));
}

#[test]
fn kubectl_apply_three_way_patch_removing_fields() {
    // Last applied had replicas, the tier label, env B and the sidecar; the new manifest
    // drops all four and changes the image. kubectl v1.32 computes this body.
    let last_applied =
        r#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"labels":{"app":"web"},"name":"web"}}"#;
    let patch = json!({
        "metadata": {
            "annotations": {"kubectl.kubernetes.io/last-applied-configuration": last_applied},
            "labels": {"tier": null}
        },
        "spec": {
            "replicas": null,
            "template": {"spec": {
                "$setElementOrder/containers": [{"name": "app"}],
                "containers": [
                    {"$setElementOrder/env": [{"name": "A"}], "env": [{"$patch": "delete", "name": "B"}], "image": "nginx:1.25", "name": "app"},
                    {"$patch": "delete", "name": "sidecar"}
                ]
            }}
        }
    });
    let out = smp(&deployment(), patch);
    assert!(out["spec"].get("replicas").is_none());
    assert_eq!(out["metadata"]["labels"], json!({"app": "web"}));
    assert_eq!(
        out["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"],
        last_applied
    );
    let cs = containers(&out);
    assert_eq!(cs.len(), 1);
    assert_eq!(cs[0]["image"], "nginx:1.25");
    assert_eq!(cs[0]["env"], json!([{"name": "A", "value": "1"}]));
    assert_eq!(cs[0]["ports"], json!([{"containerPort": 80, "protocol": "TCP"}]));
    assert!(!out.to_string().contains("$setElementOrder"));
}

#[test]
fn directives_never_leak_into_new_values() {
    let patch = json!({"spec": {"template": {"spec": {"containers": [
        {"name": "new", "$setElementOrder/env": [{"name": "X"}], "env": [{"name": "X", "value": "1"}, {"$patch": "delete", "name": "Y"}],
         "resources": {"$retainKeys": ["limits"], "limits": {"cpu": "1"}}}
    ]}}}});
    let out = smp(&deployment(), patch);
    assert!(!out.to_string().contains('$'), "{out}");
    let new = containers(&out).iter().find(|c| c["name"] == "new").unwrap();
    assert_eq!(new["env"], json!([{"name": "X", "value": "1"}]));
    assert_eq!(new["resources"], json!({"limits": {"cpu": "1"}}));
}

#[test]
fn missing_merge_key_is_an_error() {
    let err = smp_err(
        &deployment(),
        json!({"spec": {"template": {"spec": {"containers": [{"image": "x"}]}}}}),
    );
    assert!(
        err.to_string().contains("does not contain declared merge key: name"),
        "{err}"
    );
    let err = smp_err(
        &deployment(),
        json!({"spec": {"template": {"spec": {"containers": [{"$patch": "delete"}]}}}}),
    );
    assert!(err.to_string().contains("merge key"), "{err}");
}

#[test]
fn malformed_directives_are_errors() {
    for patch in [
        json!({"metadata": {"labels": {"$patch": "explode"}}}),
        json!({"metadata": {"labels": {"$patch": 3}}}),
        json!({"spec": {"template": {"spec": {"containers": [{"$patch": "merge", "name": "app"}]}}}}),
        json!({"spec": {"template": {"spec": {"containers": [{"$patch": "bogus", "name": "app"}]}}}}),
        json!({"spec": {"template": {"spec": {"$setElementOrder/containers": "app"}}}}),
        json!({"spec": {"template": {"spec": {"$setElementOrder/containers": [{"image": "x"}]}}}}),
        json!({"spec": {"template": {"spec": {"$setElementOrderX/containers": []}}}}),
        json!({"spec": {"template": {"spec": {
            "$setElementOrder/containers": [{"name": "app"}, {"name": "sidecar"}],
            "containers": [{"name": "sidecar", "image": "a"}, {"name": "app", "image": "b"}]
        }}}}),
    ] {
        assert!(
            matches!(
                strategic_merge_patch(&deployment(), &patch, &deploy_strategy()),
                Err(PatchError::Invalid(_))
            ),
            "{patch}"
        );
    }
}

#[test]
fn mixed_and_nested_list_elements_are_errors() {
    let s = Strategy::new().with("l", FieldStrategy::MergeSet);
    assert!(strategic_merge_patch(&json!({"l": ["a"]}), &json!({"l": [1]}), &s).is_err());
    assert!(strategic_merge_patch(&json!({"l": [["a"]]}), &json!({"l": [["b"]]}), &s).is_err());
    assert!(strategic_merge_patch(&json!({"l": [{"a": 1}]}), &json!({"l": [{"a": 2}]}), &s).is_err());
}

#[test]
fn non_object_documents_are_errors() {
    assert!(strategic_merge_patch(&json!({}), &json!([1]), &Strategy::new()).is_err());
    assert!(strategic_merge_patch(&json!("x"), &json!({}), &Strategy::new()).is_err());
}

#[test]
fn type_changes_replace() {
    let out = strategic_merge_patch(
        &json!({"a": {"b": 1}, "c": [1]}),
        &json!({"a": [1], "c": {"d": null, "e": 2}}),
        &Strategy::new(),
    )
    .unwrap();
    assert_eq!(out, json!({"a": [1], "c": {"e": 2}}));
}

#[test]
fn replace_strategy_map_is_not_merged() {
    let pdb = json!({"spec": {"selector": {"matchLabels": {"app": "a"}, "matchExpressions": []}}});
    let s = Strategy::for_kind("policy", "PodDisruptionBudget").unwrap();
    let out = strategic_merge_patch(&pdb, &json!({"spec": {"selector": {"matchLabels": {"app": "b"}}}}), &s).unwrap();
    assert_eq!(out["spec"]["selector"], json!({"matchLabels": {"app": "b"}}));
}

#[test]
fn service_ports_merge_by_port() {
    let svc = json!({"spec": {"ports": [{"port": 80, "targetPort": 8080}, {"port": 443}]}});
    let s = Strategy::for_kind("", "Service").unwrap();
    let out = strategic_merge_patch(
        &svc,
        &json!({"spec": {"ports": [{"port": 80, "targetPort": 9090}]}}),
        &s,
    )
    .unwrap();
    assert_eq!(
        out["spec"]["ports"],
        json!([{"port": 80, "targetPort": 9090}, {"port": 443}])
    );
}

/// apimachinery's "set elements order in a list with server-only items 3".
#[test]
fn set_element_order_with_server_only_items() {
    let s = Strategy::new().with(
        "mergingList",
        FieldStrategy::MergeByKey {
            key: "name".into(),
            retain_keys: false,
        },
    );
    let current = json!({"mergingList": [
        {"name": 1, "other": "a"}, {"name": 2, "value": 2}, {"name": 7}, {"name": 9}, {"name": 8},
        {"name": 3, "value": 3}, {"name": 4, "value": 4}
    ]});
    let patch = json!({"$setElementOrder/mergingList": [{"name": 2}, {"name": 1}, {"name": 4}, {"name": 3}]});
    let out = strategic_merge_patch(&current, &patch, &s).unwrap();
    assert_eq!(
        names(&out["mergingList"], "name"),
        [2, 1, 7, 9, 8, 4, 3].map(|n| json!(n)).to_vec()
    );
}

/// apimachinery's "merge lists of scalars" (three-way result).
#[test]
fn set_element_order_on_a_primitive_list() {
    let s = Strategy::new().with("mergingIntList", FieldStrategy::MergeSet);
    let out = strategic_merge_patch(
        &json!({"mergingIntList": [1, 2, 4]}),
        &json!({"$setElementOrder/mergingIntList": [1, 2, 3], "mergingIntList": [3]}),
        &s,
    )
    .unwrap();
    assert_eq!(out["mergingIntList"], json!([1, 2, 3, 4]));
}

/// apimachinery's "$setElementOrder contains item that is not present in the list to be merged".
#[test]
fn set_element_order_naming_absent_items() {
    let s = Strategy::new().with(
        "mergingList",
        FieldStrategy::MergeByKey {
            key: "name".into(),
            retain_keys: false,
        },
    );
    let out = strategic_merge_patch(
        &json!({"mergingList": [{"name": 1}, {"name": 3}]}),
        &json!({"$setElementOrder/mergingList": [{"name": 3}, {"name": 2}, {"name": 1}],
                "mergingList": [{"name": 3, "value": 3}, {"name": 1, "value": 1}]}),
        &s,
    )
    .unwrap();
    assert_eq!(
        out["mergingList"],
        json!([{"name": 3, "value": 3}, {"name": 1, "value": 1}])
    );
}

#[test]
fn unknown_kind_has_no_strategy() {
    assert!(Strategy::for_kind("argoproj.io", "Rollout").is_none());
    assert!(Strategy::for_kind("example.com", "Widget").is_none());
}

#[test]
fn original_is_not_modified() {
    let original = deployment();
    let _ = smp(&original, json!({"spec": {"replicas": 9}}));
    assert_eq!(original, deployment());
}
