//! Golden plans of the blue-green strategy: each transition as its exact ordered writes.

use super::world::{World, bluegreen_rollout, describe_all, selector_of, service};

const ACTIVE: &str = "rollout-bluegreen-active";
const PREVIEW: &str = "rollout-bluegreen-preview";

fn world() -> World {
    let mut w = World::new(bluegreen_rollout());
    w.services = vec![
        service(ACTIVE, "rollout-bluegreen"),
        service(PREVIEW, "rollout-bluegreen"),
    ];
    w
}

#[test]
fn smoke() {
    let mut w = world();
    for _ in 0..10 {
        let p = w.reconcile();
        eprintln!("{:#?}", describe_all(&p));
        w.settle();
    }
    eprintln!(
        "active={} preview={} status={}",
        selector_of(&w, ACTIVE),
        selector_of(&w, PREVIEW),
        serde_json::to_string_pretty(w.status()).unwrap()
    );
    w.set_image("argoproj/rollouts-demo:green");
    for _ in 0..10 {
        let p = w.reconcile();
        eprintln!("{:#?}", describe_all(&p));
        w.settle();
    }
    eprintln!(
        "active={} preview={} phase={:?} sizes={:?}",
        selector_of(&w, ACTIVE),
        selector_of(&w, PREVIEW),
        w.status().phase,
        w.sizes()
    );
    w.patch_status(serde_json::json!({"pauseConditions": null}));
    for _ in 0..6 {
        let p = w.reconcile();
        eprintln!("{:#?}", describe_all(&p));
        w.settle();
    }
    eprintln!(
        "active={} preview={} phase={:?} sizes={:?}",
        selector_of(&w, ACTIVE),
        selector_of(&w, PREVIEW),
        w.status().phase,
        w.sizes()
    );
    w.advance(31);
    for _ in 0..4 {
        let p = w.reconcile();
        eprintln!("{:#?}", describe_all(&p));
        w.settle();
    }
    eprintln!(
        "active={} preview={} phase={:?} sizes={:?}",
        selector_of(&w, ACTIVE),
        selector_of(&w, PREVIEW),
        w.status().phase,
        w.sizes()
    );
}
