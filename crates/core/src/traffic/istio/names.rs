//! How a Rollout names Istio objects and how a route names its destination host.

/// The namespace and name of `virtualService.name` (upstream `GetVirtualServiceNamespaceName`):
/// `name.namespace` selects another namespace. A trailing `.cluster.local` is dropped first; the last
/// dot-separated part is then the namespace (a namespace holds no dot) and the rest, dots included,
/// the name. The namespace is empty when the name has no dot.
pub fn namespace_and_name(reference: &str) -> (String, String) {
    let reference = reference.strip_suffix(".cluster.local").unwrap_or(reference);
    match reference.rsplit_once('.') {
        Some((name, namespace)) => (namespace.to_string(), name.to_string()),
        None => (String::new(), reference.to_string()),
    }
}

/// The Service a destination host names: the part before the first dot (`canary.ns.svc` is
/// `canary`); empty when the host starts with a dot, which then matches no Service.
pub fn short_host(host: &str) -> &str {
    host.split_once('.').map_or(host, |(service, _)| service)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_upstream_parsing() {
        let cases = [
            ("test", ("", "test")),
            ("test.namespace", ("namespace", "test")),
            ("test.namespace.cluster.local", ("namespace", "test")),
            // Only `.cluster.local` is dropped, as upstream does: `.svc` is then the namespace.
            ("test.namespace.svc.cluster.local", ("svc", "test.namespace")),
            // A name holding dots keeps them (upstream issue #4709).
            ("my.vs.name.namespace", ("namespace", "my.vs.name")),
            ("", ("", "")),
        ];
        for (reference, (namespace, name)) in cases {
            assert_eq!(
                namespace_and_name(reference),
                (namespace.to_string(), name.to_string()),
                "{reference}"
            );
        }
    }

    #[test]
    fn hosts_are_shortened_to_the_service() {
        assert_eq!(short_host("canary"), "canary");
        assert_eq!(short_host("canary.namespace.svc.cluster.local"), "canary");
        assert_eq!(short_host(".odd"), "");
    }
}
