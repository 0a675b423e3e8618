//! `UpdateHash`: the VirtualNodes' pod selectors, stable first.

use super::*;

fn update_hash(read: &[Value], canary: &str, stable: &str) -> (Result<(), RouterError>, Vec<RoutingWrite>) {
    let ro = rollout();
    let mut objects = Objects::new(read);
    let result = router(&ro).update_hash(&mut objects, canary, stable, &[]);
    let events = objects.take_events();
    if result.is_err() {
        let warned: Vec<_> = events.iter().map(|e| (e.warning, e.reason.as_str())).collect();
        assert_eq!(warned, [(true, "VirtualNodeNotFound")]);
    } else {
        assert!(events.is_empty());
    }
    (result, objects.take_writes())
}

#[test]
fn update_hash_points_the_stable_then_the_canary_node() {
    // TestUpdateHash: (new canary, new stable, existing canary, existing stable, expected canary,
    // expected stable).
    let cases = [
        ("canary-new", "stable-new", None, None, "canary-new", "stable-new"),
        (
            "canary-new",
            "stable-new",
            Some("canary-old"),
            Some("stable-old"),
            "canary-new",
            "stable-new",
        ),
        (
            "",
            "",
            Some("canary-old"),
            Some("stable-old"),
            "canary-hash",
            "stable-hash",
        ),
        (
            "12345",
            "12345",
            Some("canary-old"),
            Some("stable-old"),
            "canary-hash",
            "12345",
        ),
    ];
    for (canary, stable, old_canary, old_stable, want_canary, want_stable) in cases {
        let read = [vnode("canary", old_canary), vnode("stable", old_stable)];
        let (result, writes) = update_hash(&read, canary, stable);
        result.expect("updated");
        assert_eq!(
            writes,
            [
                RoutingWrite::Update(vnode("stable", Some(want_stable))),
                RoutingWrite::Update(vnode("canary", Some(want_canary))),
            ],
            "{canary}/{stable}"
        );
    }
}

#[test]
fn nodes_already_pointed_are_not_rewritten() {
    let read = [vnode("canary", Some("c1")), vnode("stable", Some("s1"))];
    let (result, writes) = update_hash(&read, "c1", "s1");
    result.expect("unchanged");
    assert!(writes.is_empty());
    // Only the canary changes.
    let (result, writes) = update_hash(&read, "c2", "s1");
    result.expect("updated");
    assert_eq!(writes, [RoutingWrite::Update(vnode("canary", Some("c2")))]);
}

#[test]
fn a_missing_node_is_an_error_after_the_nodes_before_it() {
    // TestUpdateHashWhenGetStableVirtualNodeFails
    let (result, writes) = update_hash(&[vnode("canary", None)], "canary-new", "stable-new");
    assert_eq!(
        result.expect_err("no stable node").to_string(),
        "Virtual-node is missing"
    );
    assert!(writes.is_empty());
    let ro = rollout();
    let mut objects = Objects::new(&[vnode("canary", None)]);
    let _ = router(&ro).update_hash(&mut objects, "c", "s", &[]);
    assert_eq!(
        objects.take_events()[0].message,
        "VirtualNode `mysvc-stable-vn` not found in namespace `myns`"
    );
    // TestUpdateHashWhenGetCanaryVirtualNodeFails: the stable node was updated first.
    let (result, writes) = update_hash(&[vnode("stable", None)], "canary-new", "stable-new");
    assert_eq!(
        result.expect_err("no canary node").to_string(),
        "Virtual-node is missing"
    );
    assert_eq!(writes, [RoutingWrite::Update(vnode("stable", Some("stable-new")))]);
}

#[test]
fn a_node_without_match_labels_gets_them() {
    // TestUpdateHashWithVirtualNodeMissingMatchLabels
    let bare = |role: &str| {
        let mut node = vnode(role, None);
        node["spec"]["podSelector"] = json!({});
        node
    };
    let (result, writes) = update_hash(&[bare("canary"), bare("stable")], "canary-new", "stable-new");
    result.expect("updated");
    let pointed = |role: &str, hash: &str| {
        let mut node = bare(role);
        node["spec"]["podSelector"]["matchLabels"] = json!({"rollouts-pod-template-hash": hash});
        RoutingWrite::Update(node)
    };
    assert_eq!(
        writes,
        [pointed("stable", "stable-new"), pointed("canary", "canary-new")]
    );
}

/// A promotion makes the canary the stable: the canary node gets the placeholder only once the
/// VirtualRouter sends it nothing (upstream points it at no pod while its weight is still there).
#[test]
fn the_canary_node_keeps_its_pods_while_it_has_weight() {
    let read = [
        vsvc_with_vrouter(),
        vrouter("httpRoute", 100, 0),
        vnode("canary", Some("new")),
        vnode("stable", Some("old")),
    ];
    let (result, writes) = update_hash(&read, "new", "new");
    result.expect("updated");
    assert_eq!(writes, [RoutingWrite::Update(vnode("stable", Some("new")))]);

    let read = [
        vsvc_with_vrouter(),
        vrouter("httpRoute", 0, 100),
        vnode("canary", Some("new")),
        vnode("stable", Some("new")),
    ];
    let (result, writes) = update_hash(&read, "new", "new");
    result.expect("updated");
    assert_eq!(writes, [RoutingWrite::Update(vnode("canary", Some("canary-hash")))]);

    // Still an error when the canary node is missing.
    let read = [
        vsvc_with_vrouter(),
        vrouter("httpRoute", 100, 0),
        vnode("stable", Some("old")),
    ];
    let (result, _) = update_hash(&read, "new", "new");
    assert_eq!(
        result.expect_err("no canary node").to_string(),
        "Virtual-node is missing"
    );
}
