//! Tests of the artifact-version request parsing.

use super::*;
use serde_json::json;

#[test]
fn version_numbers_follow_python_int() {
    for (s, n) in [("007", Some(7)), (" 8", Some(8)), ("-5", Some(-5)), ("1_000", Some(1000)), ("+3", Some(3))] {
        assert_eq!(version_number(s), n, "{s}");
    }
    for s in ["2.0", "rc-1", "", "_1", "1__0", "1_", "99999999999999999999", "v1", "٣"] {
        assert_eq!(version_number(s), None, "{s}");
    }
}

fn body(extra: Value) -> Value {
    let mut b = json!({
        "project": "00a3d563-20a0-44c0-9840-840935170ff0", "artifact_name": "a",
        "type": "DataArtifact", "uri": "/x", "save_type": "manual",
        "materializer": "zenml.materializers.built_in_materializer.BuiltInMaterializer",
        "data_type": {"module": "builtins", "attribute": "int", "type": "builtin", "extra": 1},
    });
    b.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    b
}

#[test]
fn sources_are_stored_as_compact_json_in_field_order() {
    let r = ArtifactVersionRequest::parse(&body(json!({})), &["body"]).unwrap();
    assert_eq!(
        r.materializer,
        r#"{"module":"zenml.materializers.built_in_materializer","attribute":"BuiltInMaterializer","type":"unknown"}"#
    );
    assert_eq!(r.data_type, r#"{"module":"builtins","attribute":"int","type":"builtin","extra":1}"#);
}

#[test]
fn versions_follow_the_spec() {
    let v = |x: Value| ArtifactVersionRequest::parse(&body(json!({ "version": x })), &["body"]);
    assert_eq!(v(json!(10)).unwrap().version.as_deref(), Some("10"));
    assert_eq!(v(json!(true)).unwrap().version.as_deref(), Some("1"));
    assert_eq!(v(json!(2.0)).unwrap().version.as_deref(), Some("2"));
    assert_eq!(v(json!("0")).unwrap().version.as_deref(), Some("0"));
    assert_eq!(v(json!(null)).unwrap().version, None);
    assert!(matches!(v(json!(0)), Err(Invalid::Rule(_))));
    assert!(matches!(v(json!("")), Err(Invalid::Rule(_))));
    assert!(matches!(v(json!(1.5)), Err(Invalid::Schema(_))));
    assert!(matches!(v(json!("x".repeat(255))), Err(Invalid::Schema(_))));
    assert!(v(json!("x".repeat(254))).is_ok());
}

#[test]
fn every_missing_field_is_reported() {
    match ArtifactVersionRequest::parse(&json!({}), &["body"]) {
        Err(Invalid::Schema(issues)) => assert_eq!(issues.len(), 7, "{issues:?}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn artifact_reference_rules() {
    let id = json!("3fe1ba14-4f60-46f4-89cd-7bdddfe89489");
    let both = body(json!({ "artifact_id": id }));
    assert!(matches!(ArtifactVersionRequest::parse(&both, &["body"]), Err(Invalid::Schema(_))));
    let neither = body(json!({ "artifact_name": "" }));
    assert!(matches!(ArtifactVersionRequest::parse(&neither, &["body"]), Err(Invalid::Schema(_))));
    let long = body(json!({ "artifact_name": "n".repeat(256) }));
    assert!(matches!(ArtifactVersionRequest::parse(&long, &["body"]), Err(Invalid::Value(_))));
}

#[test]
fn metadata_keeps_types_and_drops_oversized_values() {
    let big = "x".repeat(70_000);
    let r = ArtifactVersionRequest::parse(
        &body(json!({ "metadata": {"f": 2.0, "i": 1, "s": "a", "l": [1, 2], "big": big} })),
        &["body"],
    )
    .unwrap();
    let got: Vec<_> = r.metadata.iter().map(|m| (m.key.as_str(), m.value.as_str(), m.type_name)).collect();
    assert_eq!(got, vec![("f", "2.0", "float"), ("i", "1", "int"), ("s", "\"a\"", "str"), ("l", "[1, 2]", "list")]);
}
