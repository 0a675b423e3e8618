use super::{marshal, round_up_milli, semantic_key};

#[test]
fn canonical_text_is_kept_verbatim() {
    for text in [
        "500m",
        "1Mi",
        "100Mi",
        "2Ki",
        "1024",
        "128974848",
        "129e6",
        "1E3",
        "100e-3",
        "10k",
        "-1",
        "+500m",
    ] {
        assert_eq!(marshal(text).as_deref(), Some(text), "{text}");
    }
}

#[test]
fn other_text_is_canonicalised() {
    let cases = [
        ("0", "0"),
        ("0m", "0"),
        ("0.5", "500m"),
        ("0.1", "100m"),
        ("1.5", "1500m"),
        ("1000m", "1"),
        ("1000", "1k"),
        ("1000k", "1M"),
        ("1024Mi", "1Gi"),
        ("8Ki", "8Ki"),
        ("32Mi", "32Mi"),
        ("1.5Gi", "1536Mi"),
        ("0.5Gi", "512Mi"),
        ("0.1n", "1n"),
        ("1000e-3", "1"),
        ("12000e3", "12e6"),
        // No SI suffix for 10^21: apimachinery prints the bare number.
        ("1000E", "1"),
        (" 2 ", "2"),
    ];
    for (text, want) in cases {
        assert_eq!(marshal(text).as_deref(), Some(want), "{text}");
    }
}

#[test]
fn invalid_quantities_are_rejected() {
    for text in ["", "abc", "1.2.3", "1Kb", "1e", "--1"] {
        assert_eq!(marshal(text), None, "{text}");
    }
}

#[test]
fn semantic_keys_compare_by_value() {
    assert_eq!(semantic_key("1Ki"), semantic_key("1024"));
    assert_eq!(semantic_key("1000m"), semantic_key("1"));
    assert_eq!(semantic_key("0.5"), semantic_key("500m"));
    assert_ne!(semantic_key("1Gi"), semantic_key("1G"));
    assert_eq!(semantic_key("0"), semantic_key("0Mi"));
}

#[test]
fn milli_rounding_goes_up() {
    assert_eq!(round_up_milli("0.0001").as_deref(), Some("1m"));
    assert_eq!(round_up_milli("100m").as_deref(), Some("100m"));
    assert_eq!(round_up_milli("1Gi").as_deref(), Some("1Gi"));
    assert_eq!(round_up_milli("1.00001").as_deref(), Some("1001m"));
}
