//! Hand-made schemas and objects: each check's exact wording, and CRD schemas the server refuses.

use serde_json::{Value, json};

use super::*;

fn rollout_like() -> Value {
    json!({
        "type": "object",
        "properties": {
            "apiVersion": {"type": "string"},
            "kind": {"type": "string"},
            "metadata": {"type": "object"},
            "spec": {
                "type": "object",
                "required": ["selector"],
                "properties": {
                    "replicas": {"type": "integer", "format": "int32"},
                    "selector": {"type": "object", "properties": {
                        "matchLabels": {"type": "object", "additionalProperties": {"type": "string"}}}},
                    "strategy": {"type": "object", "properties": {
                        "type": {"type": "string", "enum": ["Recreate", "RollingUpdate"]},
                        "maxSurge": {"anyOf": [{"type": "integer"}, {"type": "string"}], "x-kubernetes-int-or-string": true},
                        "steps": {"type": "array", "items": {"type": "object", "properties": {
                            "setWeight": {"type": "integer", "format": "int32", "minimum": 0, "maximum": 100},
                            "pause": {"type": "object", "properties": {"duration": {"type": "string"}}}}}}}},
                    "ports": {"type": "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"],
                        "items": {"type": "object", "required": ["name"], "properties": {
                            "name": {"type": "string"}, "port": {"type": "integer"}}}},
                    "analysis": {"type": "object", "properties": {
                        "interval": {"type": "string", "default": "5m"},
                        "count": {"type": "integer", "default": 1}}},
                    "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                    "started": {"type": "string", "format": "date-time"},
                    "note": {"type": "string", "nullable": true}}},
            "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}
    })
}

fn lines(causes: &[Cause]) -> Vec<String> {
    causes.iter().map(ToString::to_string).collect()
}

fn base() -> Value {
    json!({"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "metadata": {"name": "r"},
           "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "x"}}}})
}

#[test]
fn a_valid_object_has_no_causes() {
    let s = rollout_like();
    let mut obj = base();
    obj["spec"]["strategy"] =
        json!({"type": "Recreate", "maxSurge": "25%", "steps": [{"setWeight": 20}, {"pause": {}}]});
    obj["spec"]["ports"] = json!([{"name": "http", "port": 80}, {"name": "grpc", "port": 81}]);
    obj["spec"]["started"] = json!("2024-01-02T03:04:05Z");
    obj["spec"]["note"] = Value::Null;
    assert_eq!(lines(&process(&mut obj, &s)), Vec::<String>::new());
}

#[test]
fn wrong_type_is_type_invalid() {
    let mut obj = base();
    obj["spec"]["replicas"] = json!("string");
    let causes = validate(&obj, &rollout_like());
    assert_eq!(causes.len(), 1);
    assert_eq!(causes[0].reason, "FieldValueTypeInvalid");
    assert_eq!(causes[0].field, "spec.replicas");
    assert_eq!(
        causes[0].to_string(),
        "spec.replicas: Invalid value: \"string\": spec.replicas in body must be of type integer: \"string\""
    );
}

#[test]
fn missing_required_field() {
    let obj = json!({"spec": {"replicas": 1}});
    let causes = validate(&obj, &rollout_like());
    assert_eq!(
        causes,
        vec![Cause {
            reason: "FieldValueRequired",
            field: "spec.selector".into(),
            message: "Required value".into()
        }]
    );
}

#[test]
fn bad_enum_value() {
    let mut obj = base();
    obj["spec"]["strategy"] = json!({"type": "x"});
    assert_eq!(
        lines(&validate(&obj, &rollout_like())),
        vec!["spec.strategy.type: Unsupported value: \"x\": supported values: \"Recreate\", \"RollingUpdate\""]
    );
    assert_eq!(validate(&obj, &rollout_like())[0].reason, "FieldValueNotSupported");
}

#[test]
fn int_or_string_accepts_both_and_rejects_others() {
    let s = rollout_like();
    for ok in [json!(1), json!("25%")] {
        let mut obj = base();
        obj["spec"]["strategy"] = json!({"maxSurge": ok});
        assert!(validate(&obj, &s).is_empty());
    }
    let mut obj = base();
    obj["spec"]["strategy"] = json!({"maxSurge": true});
    assert_eq!(
        lines(&validate(&obj, &s)),
        vec![
            "spec.strategy.maxSurge: Invalid value: \"boolean\": spec.strategy.maxSurge in body must be of type integer,string: \"boolean\"",
            "<nil>: Invalid value: \"\": \"spec.strategy.maxSurge\" must validate at least one schema (anyOf)",
            "spec.strategy.maxSurge: Invalid value: \"boolean\": spec.strategy.maxSurge in body must be of type integer: \"boolean\"",
        ]
    );
}

#[test]
fn int32_out_of_range_and_bounds() {
    let mut obj = base();
    obj["spec"]["replicas"] = json!(3_000_000_000_i64);
    obj["spec"]["strategy"] = json!({"steps": [{"setWeight": 101}]});
    assert_eq!(
        lines(&validate(&obj, &rollout_like())),
        vec![
            "<nil>: Invalid value: \"\": Checked value must be of type integer with format int32 in spec.replicas",
            "spec.strategy.steps[0].setWeight: Invalid value: 101: spec.strategy.steps[0].setWeight in body should be less than or equal to 100",
        ]
    );
}

#[test]
fn duplicate_in_a_map_list() {
    let mut obj = base();
    obj["spec"]["ports"] = json!([{"name": "http", "port": 80}, {"name": "http", "port": 81}]);
    let causes = validate(&obj, &rollout_like());
    assert_eq!(causes.len(), 1);
    assert_eq!(causes[0].reason, "FieldValueDuplicate");
    assert_eq!(
        causes[0].to_string(),
        "spec.ports[1]: Duplicate value: map[string]interface {}{\"name\":\"http\"}"
    );
}

#[test]
fn nulls_and_formats() {
    let s = rollout_like();
    let mut obj = base();
    obj["spec"]["selector"] = Value::Null;
    obj["spec"]["started"] = json!("yesterday");
    assert_eq!(
        lines(&validate(&obj, &s)),
        vec![
            "spec.selector: Invalid value: \"null\": spec.selector in body must be of type object: \"null\"",
            "spec.started: Invalid value: \"yesterday\": spec.started in body must be of type date-time: \"yesterday\"",
        ]
    );
    // Pruning drops the non-nullable null first, so the request fails on the required field instead.
    assert!(lines(&process(&mut obj, &s)).contains(&"spec.selector: Required value".to_string()));
}

#[test]
fn string_array_and_object_limits() {
    let s = json!({"type": "object", "properties": {
        "name": {"type": "string", "minLength": 2, "maxLength": 3, "pattern": "^[a-z]+$"},
        "code": {"type": "string", "pattern": "^[a-z]+$"},
        "list": {"type": "array", "minItems": 1, "maxItems": 2, "uniqueItems": true, "items": {"type": "integer"}},
        "set": {"type": "array", "uniqueItems": true, "items": {"type": "integer"}},
        "map": {"type": "object", "minProperties": 1, "maxProperties": 1, "additionalProperties": {"type": "string"}},
        "few": {"type": "object", "minProperties": 2, "additionalProperties": {"type": "string"}},
        "count": {"type": "number", "multipleOf": 0.5},
        "short": {"type": "array", "minItems": 1, "items": {"type": "string"}}}});
    let obj = json!({"name": "abcd", "code": "A1", "list": [1, 2, 3], "set": [1, 1], "map": {"a": "x", "b": "y"},
                     "few": {"a": "x"}, "count": 0.7, "short": []});
    assert_eq!(
        lines(&validate(&obj, &s)),
        vec![
            "code: Invalid value: \"A1\": code in body should match '^[a-z]+$'",
            "count: Invalid value: 0.7: count in body should be a multiple of 0.5",
            "few: Invalid value: 1: few in body should have at least 2 properties",
            "list: Too many: 3: must have at most 2 items",
            "map: Too many: 2: must have at most 1 items",
            "name: Too long: may not be more than 3 bytes",
            "set: Invalid value: \"\": set in body shouldn't contain duplicates",
            "short: Invalid value: 0: short in body should have at least 1 items",
        ]
    );
    let reasons: Vec<&str> = validate(&obj, &s).iter().map(|c| c.reason).collect();
    assert_eq!(reasons[3], "FieldValueTooMany");
    assert_eq!(reasons[5], "FieldValueTooLong");
    let short = json!({"name": "a"});
    assert_eq!(
        lines(&validate(&short, &s)),
        vec!["name: Invalid value: \"a\": name in body should be at least 2 chars long"]
    );
}

#[test]
fn combinators() {
    let s = json!({"type": "object", "properties": {
        "one": {"type": "object", "oneOf": [{"required": ["a"]}, {"required": ["b"]}],
                "properties": {"a": {"type": "string"}, "b": {"type": "string"}}},
        "all": {"type": "integer", "allOf": [{"minimum": 1}, {"maximum": 5}]},
        "not": {"type": "string", "not": {"enum": ["no"]}}}});
    let obj = json!({"one": {"a": "x", "b": "y"}, "all": 9, "not": "no"});
    assert_eq!(
        lines(&validate(&obj, &s)),
        vec![
            "all: Invalid value: 9: all in body should be less than or equal to 5",
            "<nil>: Invalid value: \"\": \"all\" must validate all the schemas (allOf)",
            "<nil>: Invalid value: \"\": \"not\" must not validate the schema (not)",
            "<nil>: Invalid value: \"\": \"one\" must validate one and only one schema (oneOf). Found 2 valid alternatives",
        ]
    );
    let none = json!({"one": {}});
    assert_eq!(
        lines(&validate(&none, &s)),
        vec![
            "<nil>: Invalid value: \"\": \"one\" must validate one and only one schema (oneOf). Found none valid",
            "one.a: Required value",
        ]
    );
}

#[test]
fn pruning_and_defaults_through_process() {
    let s = rollout_like();
    let mut obj = base();
    obj["spec"]["unknown"] = json!(1);
    obj["spec"]["extra"] = json!({"free": {"form": [1, 2]}});
    obj["spec"]["analysis"] = json!({"count": null});
    obj["metadata"]["labels"] = json!({"a": "b"});
    assert_eq!(prune_and_report(&mut obj.clone(), &s), vec!["spec.unknown"]);
    assert!(process(&mut obj, &s).is_empty());
    assert!(obj["spec"].get("unknown").is_none());
    assert_eq!(obj["spec"]["extra"], json!({"free": {"form": [1, 2]}}));
    assert_eq!(obj["spec"]["analysis"], json!({"interval": "5m", "count": 1}));
    assert_eq!(obj["metadata"], json!({"name": "r", "labels": {"a": "b"}}));
}

fn structural(schema: Value) -> Vec<String> {
    check_structural(&schema)
}

#[test]
fn structural_accepts_a_good_schema() {
    assert_eq!(structural(rollout_like()), Vec::<String>::new());
}

#[test]
fn structural_rejects_untyped_fields_and_bad_maps() {
    let p = "spec.validation.openAPIV3Schema";
    assert_eq!(
        structural(json!({"type": "object", "properties": {"spec": {"properties": {"a": {"type": "string"}}}}})),
        vec![format!(
            "{p}.properties[spec].type: Required value: must not be empty for specified object fields"
        )]
    );
    assert_eq!(
        structural(json!({"type": "object", "properties": {"spec": {"type": "object",
            "properties": {"a": {"type": "string"}}, "additionalProperties": {"type": "string"}}}})),
        vec![format!(
            "{p}.properties[spec].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive"
        )]
    );
    assert_eq!(
        structural(json!({"type": "object", "properties": {"list": {"type": "array"}}})),
        vec![format!("{p}.properties[list].items: Required value: must be specified")]
    );
    assert_eq!(
        structural(json!({"type": "array", "items": {"type": "string"}})),
        vec![format!(
            "{p}.type: Invalid value: \"array\": must be object at the root"
        )]
    );
}

#[test]
fn structural_rejects_metadata_and_value_validation_structure() {
    let p = "spec.validation.openAPIV3Schema";
    assert_eq!(
        structural(
            json!({"type": "object", "properties": {"metadata": {"type": "object", "properties": {
            "name": {"type": "string", "maxLength": 10}, "labels": {"type": "object"}}}}})
        ),
        vec![format!(
            "{p}.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified"
        )]
    );
    assert!(
        structural(
            json!({"type": "object", "properties": {"metadata": {"type": "object", "properties": {
        "name": {"type": "string", "maxLength": 10}}}}})
        )
        .is_empty()
    );
    assert_eq!(
        structural(json!({"type": "object", "properties": {"x": {"type": "string",
            "anyOf": [{"type": "string", "description": "d"}, {"pattern": "^a"}]}}})),
        vec![
            format!("{p}.properties[x].anyOf[0].description: Forbidden: must be empty to be structural"),
            format!("{p}.properties[x].anyOf[0].type: Forbidden: must be empty to be structural"),
        ]
    );
    assert_eq!(
        structural(json!({"type": "object", "properties": {"a": {"type": "string"}},
            "anyOf": [{"properties": {"b": {"minLength": 1}}}]})),
        vec![format!(
            "{p}.properties[b]: Required value: because it is defined in {p}.anyOf[0].properties[b]"
        )]
    );
}

#[test]
fn structural_rejects_keyword_misuse() {
    let p = "spec.validation.openAPIV3Schema";
    assert_eq!(
        structural(json!({"type": "object", "properties": {
            "u": {"type": "array", "uniqueItems": true, "items": {"type": "string"}},
            "m": {"type": "array", "x-kubernetes-list-type": "map", "items": {"type": "object", "properties": {"k": {"type": "string"}}}},
            "t": {"type": "strin"},
            "d": {"type": "integer", "default": "x"},
            "r": {"$ref": "#/x", "type": "string"}}})),
        vec![
            format!(
                "{p}.properties[m].x-kubernetes-list-map-keys: Required value: must not be empty if x-kubernetes-list-type is map"
            ),
            format!("{p}.properties[r].$ref: Forbidden: $ref is not supported"),
            format!(
                "{p}.properties[t].type: Unsupported value: \"strin\": supported values: \"array\", \"boolean\", \"integer\", \"number\", \"object\", \"string\""
            ),
            format!(
                "{p}.properties[u].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic"
            ),
        ]
    );
    // Without the unconvertible `$ref`, the default is checked against its schema (the validator names the
    // default itself "", hence the odd message).
    assert_eq!(
        structural(json!({"type": "object", "properties": {"d": {"type": "integer", "default": "x"}}})),
        vec![format!(
            "{p}.properties[d].default: Invalid value: \"string\":  in body must be of type integer: \"string\""
        )]
    );
    assert_eq!(
        structural(json!({"type": "object", "properties": {"s": {"type": "string", "$schema": "http://x"}}})),
        vec![format!(
            "{p}: Invalid value: \"\": OpenAPIV3Schema 'schema' is not supported"
        )]
    );
    assert_eq!(
        structural(json!({"type": "object", "nullable": true, "additionalProperties": {"type": "string"}})),
        vec![
            format!("{p}.nullable: Forbidden: nullable cannot be true at the root"),
            format!("{p}.additionalProperties: Forbidden: must not be used at the root"),
        ]
    );
    assert_eq!(
        structural(json!({"type": "object", "properties": {"metadata": {"type": "object", "default": {"name": "x"}}}})),
        vec![format!(
            "{p}.properties[metadata].default: Forbidden: must not be set in top-level metadata"
        )]
    );
}
