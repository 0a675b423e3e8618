//! Upstream's reference validation of Ambassador Mappings: each must exist, and none may set a weight.

use super::*;

#[test]
fn a_missing_mapping_names_the_api_servers_error() {
    let ro = rollout(&[BASE, "other-mapping"]);
    let objects = Objects::new(&[base_mapping()]);
    let error = router(&ro, DEFAULT_API_VERSION)
        .missing_reference(&objects)
        .expect("missing");
    assert_eq!(
        error.to_string(),
        "spec.strategy.canary.trafficRouting.ambassador.mappings: Invalid value: \"other-mapping\": \
         mappings.getambassador.io \"other-mapping\" not found"
    );
    let all = Objects::new(&[base_mapping(), {
        let mut other = base_mapping();
        other["metadata"]["name"] = json!("other-mapping");
        other
    }]);
    assert!(router(&ro, DEFAULT_API_VERSION).missing_reference(&all).is_none());
}

#[test]
fn a_base_mapping_with_a_weight_is_invalid() {
    let ro = rollout(&[BASE]);
    let mut base = base_mapping();
    base["spec"]["weight"] = json!(20);
    let error = router(&ro, DEFAULT_API_VERSION)
        .validate(&Objects::new(&[base]))
        .expect("invalid");
    assert_eq!(
        error.to_string(),
        "spec.weight: Invalid value: \"myapp-mapping\": Ambassador mapping \"myapp-mapping\" can not define weight"
    );
    assert!(
        router(&ro, DEFAULT_API_VERSION)
            .validate(&Objects::new(&[base_mapping()]))
            .is_none()
    );
}
