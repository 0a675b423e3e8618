//! The shared matching pieces.

use super::super::matching::{HostMap, Weighted, path_has_prefix};
use super::super::objects::service_of_host;
use super::*;

#[test]
fn weighted_walks_cumulative_weights_and_never_picks_weight_0() {
    let weighted = Weighted::new([(1, "a"), (0, "never"), (3, "b")]);
    assert_eq!(weighted.weights(), [1, 3]);
    let picks: Vec<&str> = (0..4)
        .map(|x| *weighted.pick(&mut Script(vec![x])).expect("a value"))
        .collect();
    assert_eq!(picks, ["a", "b", "b", "b"]);
    assert!(Weighted::new([(0, "x")]).pick(&mut Script(vec![])).is_none());
    assert!(Weighted::<&str>::new([]).pick(&mut Script(vec![])).is_none());
}

#[test]
fn prefixes_match_by_path_element() {
    for (path, prefix, holds) in [
        ("/foo", "/foo", true),
        ("/foo/", "/foo", true),
        ("/foo/bar", "/foo/", true),
        ("/foobar", "/foo", false),
        ("/anything", "/", true),
        ("/", "/", true),
        ("/fo", "/foo", false),
    ] {
        assert_eq!(path_has_prefix(path, prefix), holds, "{path} under {prefix}");
    }
}

#[test]
fn host_map_prefers_exact_then_the_longest_wildcard() {
    let mut map: HostMap<Vec<&str>> = HostMap::default();
    map.entry("a.example.com").push("exact");
    map.entry("*.example.com").push("short");
    map.entry("*.b.example.com").push("long");
    map.entry("").push("any");
    map.finish();
    assert_eq!(map.specific("a.example.com").map(|v| v[0]), Some("exact"));
    assert_eq!(map.specific("x.b.example.com").map(|v| v[0]), Some("long"));
    assert_eq!(map.specific("x.example.com").map(|v| v[0]), Some("short"));
    assert_eq!(map.specific("example.com"), None);
    assert_eq!(map.any().map(|v| v[0]), Some("any"));
}

#[test]
fn service_host_forms() {
    assert_eq!(service_of_host("web", "shop"), Some(("shop", "web")));
    assert_eq!(service_of_host("web.prod", "shop"), Some(("prod", "web")));
    assert_eq!(service_of_host("web.prod.svc", "shop"), Some(("prod", "web")));
    assert_eq!(
        service_of_host("web.prod.svc.cluster.local", "shop"),
        Some(("prod", "web"))
    );
    assert_eq!(service_of_host("www.example.com", "shop"), None);
    assert_eq!(service_of_host("", "shop"), None);
}

#[test]
fn wildcards_match_as_aws_conditions_read_them() {
    use super::super::matching::glob_matches;
    for (pattern, value, fold, expected) in [
        ("/*", "/", false, true),
        ("/*", "/anything/at/all", false, true),
        ("/api/*", "/api", false, false),
        ("/a?c", "/abc", false, true),
        ("/a?c", "/ac", false, false),
        ("*-please", "canary-please", false, true),
        ("*a*b*c", "xxaxxbxxc", false, true),
        ("*a*b*c", "xxaxxcxxb", false, false),
        ("Yes", "yES", true, true),
        ("Yes", "yES", false, false),
        ("", "", false, true),
        ("", "x", false, false),
        ("***", "", false, true),
    ] {
        assert_eq!(glob_matches(pattern, value, fold), expected, "{pattern} ~ {value}");
    }
}
