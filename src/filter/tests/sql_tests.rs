//! Compiled filters against a real SQLite database (trove's schema).
//! Expected rows are those the reference server returned for the same data.

use super::super::FilterError;
use super::fixture::{hex_id, list, names, seeded_db};
use crate::db::tables::{ARTIFACTS, ARTIFACT_VERSIONS as AV, COMPONENTS, PROJECTS, STACKS, TAGS, USERS};

const ALL: &[&str] = &[
    "alpha:1",
    "alpha:2",
    "alpha:10",
    "alpha:rc-1",
    "alpha:007",
    "beta:0",
    "beta: 7",
    "beta:1e1",
    "beta:%x_",
    "gamma:1",
    "gamma:2",
];

fn check(query: &[(&str, &str)], want: &[&str]) {
    let conn = seeded_db();
    assert_eq!(names(&conn, &AV, query), want, "query {query:?}");
}

#[test]
fn string_operators() {
    check(&[("version", "1")], &["alpha:1", "gamma:1"]);
    check(&[("version", "startswith:RC")], &["alpha:rc-1"]);
    check(&[("version", "contains:_")], ALL); // unescaped LIKE wildcard
    check(&[("uri", "contains:%_")], ALL);
    check(&[("uri", "startswith:S3://")], &ALL[..8].iter().chain(&ALL[9..]).copied().collect::<Vec<_>>());
    check(&[("version", "oneof:[1,10]")], &["alpha:1", "alpha:10", "gamma:1"]);
    check(
        &[("version", r#"notoneof:["1",null]"#)],
        &["alpha:2", "alpha:10", "alpha:rc-1", "alpha:007", "beta:0", "beta: 7", "beta:1e1", "beta:%x_", "gamma:2"],
    );
    check(&[("version", "oneof:[]")], ALL);
    check(&[("version", "notoneof:[]")], ALL);
    check(&[("version", "foo:bar")], &[]);
    check(&[("version", "")], &[]);
    check(&[("type", "ModelArtifact")], &["alpha:rc-1"]);
    check(&[("data_type", "contains:builtins")], ALL);
    check(&[("data_type", "builtins.list")], &[]);
}

#[test]
fn numeric_comparison_of_text() {
    check(&[("version", "gt:1")], &["alpha:2", "alpha:10", "alpha:007", "beta: 7", "beta:1e1", "gamma:2"]);
    // "0" and non-numeric strings never match, even `gte:0`.
    check(
        &[("version", "gte:0")],
        &["alpha:1", "alpha:2", "alpha:10", "alpha:007", "beta: 7", "beta:1e1", "gamma:1", "gamma:2"],
    );
    check(&[("version", "gt:inf")], &[]);
    let conn = seeded_db();
    let err = list(&conn, &AV, &[("version", "lt:abc")]).unwrap_err();
    assert_eq!(
        err,
        FilterError::BadRequest(
            "Failed to compare the column 'ArtifactVersionSchema.version' to the value 'abc' (must be numeric): could not convert string to float: 'abc'".into()
        )
    );
}

#[test]
fn version_number() {
    check(&[("version_number", "7")], &["alpha:007", "beta: 7"]);
    check(&[("version_number", "isnull:")], &["alpha:rc-1", "beta:1e1", "beta:%x_"]);
    check(
        &[("version_number", "lt:10")],
        &["alpha:1", "alpha:2", "alpha:007", "beta:0", "beta: 7", "gamma:1", "gamma:2"],
    );
    check(&[("version_number", "gt:1"), ("version_number", "lt:3")], &["alpha:2", "gamma:2"]);
}

#[test]
fn uuid_columns() {
    let id = hex_id(100);
    let hyphenated = format!("{}-{}-{}-{}-{}", &id[..8], &id[8..12], &id[12..16], &id[16..20], &id[20..]);
    check(&[("id", &hyphenated)], &["alpha:1"]);
    check(&[("id", &id.to_uppercase())], &["alpha:1"]);
    check(&[("id", &format!("startswith:{}", &hyphenated[..13]))], &["alpha:1"]);
    check(&[("id", "junk")], &[]);
    check(&[("id", "notequals:junk")], ALL);
    check(&[("id", &format!("notequals:{id}"))], &ALL[1..]);
    check(&[("id", "oneof:[1]")], &[]);
    check(&[("artifact_store_id", "isnull:")], ALL);
    check(&[("artifact_store_id", "notequals:junk")], ALL);
}

#[test]
fn datetimes() {
    check(&[("created", "in:2000-01-01 00:00:00,2999-01-01 00:00:00")], ALL);
    check(&[("created", "lt:2000-01-01 00:00:00")], &[]);
    check(&[("created", "gt:2023-11-14 22:13:20")], &ALL[1..]); // fixture: 1_700_000_000 s + i ms
    check(&[("created", "2023-11-14 22:13:20")], &["alpha:1"]);
    check(&[("updated", "gte:2000-1-1 0:0:0")], ALL);
}

#[test]
fn tags() {
    check(&[("tags", "red")], &["alpha:1", "alpha:2", "gamma:1"]);
    check(&[("tags", "contains:_x")], &["beta:0"]);
    check(&[("tags", "contains:GREEN")], &["beta:0"]);
    check(&[("tags", "notequals:red")], &["alpha:1", "beta:0", "gamma:1"]);
    check(
        &[("tags", "isnull:")],
        &["alpha:10", "alpha:rc-1", "alpha:007", "beta: 7", "beta:1e1", "beta:%x_", "gamma:2"],
    );
    check(&[("tags", "oneof:[]")], &["alpha:1", "alpha:2", "beta:0", "gamma:1"]);
    check(&[("tags", "red"), ("tags", "blue")], &["alpha:1"]);
    check(&[("tags", "blue"), ("tags", "zeta"), ("logical_operator", "or")], &["alpha:1", "gamma:1"]);
    check(&[("tags", "arttag")], &[]); // artifact-level tags do not count
}

#[test]
fn users_and_artifacts() {
    check(&[("user", "bob")], &["gamma:1", "gamma:2"]);
    check(&[("user", "Bob Builder")], &["gamma:1", "gamma:2"]);
    check(&[("user", "contains:BUILD")], &["gamma:1", "gamma:2"]);
    check(&[("user", "ADMIN")], &[]);
    check(&[("user", &hex_id(2).to_uppercase())], &["gamma:1", "gamma:2"]);
    check(&[("artifact", "gamma")], &["gamma:1", "gamma:2"]);
    check(&[("artifact", &hex_id(23))], &["gamma:1", "gamma:2"]);
    check(&[("artifact", "startswith:ga")], &["gamma:1", "gamma:2"]);
    check(&[("artifact", r#"notoneof:["alpha"]"#)], ALL); // the id part matches
    check(&[("artifact", "alpha"), ("artifact", "beta")], &[]);
    check(&[("artifact_id", "gamma")], &["gamma:1", "gamma:2"]);
    check(&[("artifact", "gamma"), ("artifact_id", "beta")], &["gamma:1", "gamma:2"]);
    check(&[("artifact", "' OR 1=1 --")], &[]);
    check(&[("has_custom_name", "true")], &["beta:0", "beta: 7", "beta:1e1", "beta:%x_"]);
    check(&[("only_unused", "true")], ALL);
    check(&[("model", "x")], &[]);
    check(&[("pipeline_run", "x"), ("logical_operator", "or"), ("version", "2")], &["alpha:2", "gamma:2"]);
}

#[test]
fn run_metadata() {
    check(&[("run_metadata", "acc:gt:0.92")], &["alpha:2"]);
    check(&[("run_metadata", "acc:lte:0")], &[]);
    check(&[("run_metadata", "name:contains:ALP")], &["alpha:1"]);
    check(&[("run_metadata", "name:ALPHA")], &[]);
    check(&[("run_metadata", "acc:high")], &["alpha:10"]);
    check(&[("run_metadata", r#"acc:oneof:[0.9, "high"]"#)], &["alpha:1", "alpha:10"]);
    check(&[("run_metadata", "acc:notequals:0.9")], &["alpha:2", "alpha:10", "gamma:1", "gamma:2"]);
    check(&[("run_metadata", "flag:true")], &["gamma:1"]);
    check(&[("run_metadata", "lst:[1, 2]")], &["gamma:1"]);
    check(&[("run_metadata", "contains:ac:0.9")], &[]);
    check(&[("run_metadata", "acc:gt:0.8"), ("run_metadata", "name:alpha")], &["alpha:1"]);
}

#[test]
fn logical_or_and_scoping() {
    check(
        &[("logical_operator", "or"), ("tags", "isnull:"), ("version", "1")],
        &["alpha:1", "alpha:10", "alpha:rc-1", "alpha:007", "beta: 7", "beta:1e1", "beta:%x_", "gamma:1", "gamma:2"],
    );
    check(&[("logical_operator", "or"), ("only_unused", "true"), ("version", "nope")], ALL);
    check(&[("logical_operator", "or"), ("version", "999")], &[]);
    check(&[("logical_operator", "or")], ALL);
    check(&[("project", "other")], &["alpha:1"]);
    check(&[("scope_user", &hex_id(2))], &["gamma:1", "gamma:2"]);
}

#[test]
fn sorting() {
    check(&[("sort_by", "desc:created"), ("artifact", "beta")], &["beta:%x_", "beta:1e1", "beta: 7", "beta:0"]);
    check(
        &[("sort_by", "version"), ("artifact", "alpha")],
        &["alpha:007", "alpha:1", "alpha:10", "alpha:2", "alpha:rc-1"],
    );
    check(
        &[("sort_by", "version_number"), ("artifact", "beta"), ("version_number", "isnotnull:")],
        &["beta:0", "beta: 7"],
    );
    check(
        &[("sort_by", "desc:version_number"), ("artifact", "alpha")],
        &["alpha:10", "alpha:007", "alpha:2", "alpha:1", "alpha:rc-1"],
    );
    check(&[("sort_by", "xyz:created"), ("artifact", "beta")], &["beta:0", "beta: 7", "beta:1e1", "beta:%x_"]);
    check(
        &[("sort_by", "tags")],
        &[
            "alpha:10",
            "alpha:rc-1",
            "alpha:007",
            "beta: 7",
            "beta:1e1",
            "beta:%x_",
            "gamma:2",
            "beta:0",
            "alpha:1",
            "alpha:2",
            "gamma:1",
        ],
    );
    check(
        &[("sort_by", "desc:tags")],
        &[
            "gamma:1",
            "alpha:2",
            "alpha:1",
            "beta:0",
            "alpha:10",
            "alpha:rc-1",
            "alpha:007",
            "beta: 7",
            "beta:1e1",
            "beta:%x_",
            "gamma:2",
        ],
    );
    check(
        &[("sort_by", "desc:user")],
        &[
            "gamma:1",
            "gamma:2",
            "alpha:1",
            "alpha:2",
            "alpha:10",
            "alpha:rc-1",
            "alpha:007",
            "beta:0",
            "beta: 7",
            "beta:1e1",
            "beta:%x_",
        ],
    );
}

#[test]
fn pagination() {
    let conn = seeded_db();
    let page = |p: &str| list(&conn, &AV, &[("size", "4"), ("page", p)]);
    assert_eq!(page("1").unwrap(), (11, 3, ALL[..4].iter().map(|s| s.to_string()).collect()));
    assert_eq!(page("3").unwrap(), (11, 3, ALL[8..].iter().map(|s| s.to_string()).collect()));
    assert_eq!(
        page("4").unwrap_err(),
        FilterError::BadRequest("Invalid page 4. The requested page size is 4 and there are a total of 11 items for this query. The maximum page value therefore is 3.".into())
    );
    assert_eq!(list(&conn, &AV, &[("artifact", "nothing")]).unwrap(), (0, 1, vec![]));
    assert!(list(&conn, &AV, &[("artifact", "nothing"), ("page", "2")]).is_err());
}

#[test]
fn other_resources() {
    let conn = seeded_db();
    assert_eq!(names(&conn, &USERS, &[("active", "on")]), ["admin", "bob"]);
    assert_eq!(names(&conn, &USERS, &[("full_name", "contains:build")]), ["bob"]);
    assert_eq!(names(&conn, &USERS, &[("external_user_id", "isnull:")]), ["admin", "bob"]);
    assert_eq!(names(&conn, &USERS, &[("sort_by", "desc:name")]), ["bob", "admin"]);
    assert_eq!(names(&conn, &PROJECTS, &[("name", "contains:e")]), ["default", "other"]);
    assert_eq!(names(&conn, &ARTIFACTS, &[("tags", "arttag")]), ["alpha"]);
    assert_eq!(names(&conn, &ARTIFACTS, &[("has_custom_name", "true")]), ["beta"]);
    assert_eq!(names(&conn, &ARTIFACTS, &[("user", "bob")]), ["gamma"]);
    assert_eq!(names(&conn, &ARTIFACTS, &[("sort_by", "desc:latest_version")]), ["gamma", "beta", "alpha"]);
    assert_eq!(names(&conn, &TAGS, &[("resource_type", "artifact"), ("sort_by", "name")]), ["arttag", "red"]);
    assert_eq!(names(&conn, &TAGS, &[("sort_by", "name")]), ["Green_x", "arttag", "blue", "red", "zeta"]);
    assert_eq!(names(&conn, &STACKS, &[("component", "default")]), ["default"]);
    assert_eq!(
        names(&conn, &STACKS, &[("component_id", &hex_id(31)), ("component_id", &hex_id(32))]),
        Vec::<String>::new()
    );
    assert_eq!(
        names(
            &conn,
            &STACKS,
            &[("component_id", &hex_id(31)), ("component_id", &hex_id(32)), ("logical_operator", "or")]
        ),
        ["default"]
    );
    assert_eq!(names(&conn, &COMPONENTS, &[("scope_type", "orchestrator")]), ["default"]);
    assert_eq!(names(&conn, &COMPONENTS, &[("stack_id", &hex_id(41)), ("sort_by", "type")]), ["default", "default"]);
    assert_eq!(names(&conn, &COMPONENTS, &[("connector_id", "x")]), Vec::<String>::new());
}
