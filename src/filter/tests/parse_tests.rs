//! Parser unit tests: single parameters, operator syntax per column type,
//! error status and message texts (as measured on the reference).

use rusqlite::types::Value;

use super::super::{check_page, parse, FilterError, ListQuery, Logical, Sort};
use super::fixture::pairs;
use crate::db::tables::{ARTIFACTS, ARTIFACT_VERSIONS as AV, COMPONENTS, USERS};

fn q(items: &[(&str, &str)]) -> Result<ListQuery, FilterError> {
    parse(&AV, &pairs(items))
}

fn sql(items: &[(&str, &str)]) -> (String, Vec<Value>) {
    let w = q(items).expect("parses").where_sql(&AV).expect("compiles");
    (w.sql, w.params)
}

fn err(items: &[(&str, &str)]) -> FilterError {
    match q(items) {
        Err(e) => e,
        Ok(q) => q.where_sql(&AV).expect_err("should fail"),
    }
}

fn shape_a(items: &[(&str, &str)]) -> (String, &'static str, String) {
    match err(items) {
        FilterError::Validation { loc, kind, input, .. } => (loc, kind, input),
        other => panic!("expected shape A, got {other:?}"),
    }
}

const TAIL: &str = "[type=value_error, input_value={'sort_by': 'created', 'l...e, 'pipeline_run': None}, input_type=dict]\n    For further information visit https://errors.pydantic.dev/2.12/v/value_error";

fn model_msg(msg: &str) -> FilterError {
    FilterError::Invalid(format!("1 validation error for ArtifactVersionFilter\n  Value error, {msg} {TAIL}"))
}

#[test]
fn defaults() {
    let q = q(&[("tag", "ignored"), ("hydrate", "True")]).unwrap();
    assert_eq!((q.page, q.size, q.hydrate, q.logical, q.sort), (1, 20, Some(true), Logical::And, Sort::default()));
    assert_eq!((q.project.as_deref(), q.scope_user, q.conditions.len()), (None, None, 0));
    assert_eq!(q.where_sql(&AV).unwrap().sql, "1");
    assert_eq!(q.order_sql(&AV), "av.created ASC, av.id ASC");
    assert_eq!(q.offset(), 0);
}

#[test]
fn single_params() {
    let q1 =
        q(&[("page", "1"), ("page", " 3 "), ("size", "2.0"), ("project", ""), ("logical_operator", "or")]).unwrap();
    assert_eq!((q1.page, q1.size, q1.project.clone(), q1.logical, q1.offset()), (3, 2, None, Logical::Or, 4));
    assert_eq!(q(&[("page", "1_0"), ("size", "+7")]).map(|q| (q.page, q.size)).unwrap(), (10, 7));
    assert_eq!(q(&[("project", "other")]).unwrap().project.as_deref(), Some("other"));
    let u = "F4483725ED6B4617B7E5C547D9ED92C3";
    assert_eq!(q(&[("scope_user", u)]).unwrap().scope_user.map(|u| u.simple().to_string()), Some(u.to_lowercase()));
    for (v, b) in [("On", true), ("t", true), ("YES", true), ("0", false), ("off", false), ("n", false)] {
        assert_eq!(q(&[("hydrate", v)]).unwrap().hydrate, Some(b));
    }
}

#[test]
fn single_param_errors() {
    assert_eq!(shape_a(&[("page", "0")]), ("page".into(), "greater_than_equal", "0".into()));
    assert_eq!(shape_a(&[("page", "-1")]).1, "greater_than_equal");
    assert_eq!(shape_a(&[("page", "abc")]).1, "int_parsing");
    assert_eq!(shape_a(&[("page", "")]).1, "int_parsing");
    assert_eq!(shape_a(&[("page", "1.5")]).1, "int_parsing");
    assert_eq!(shape_a(&[("size", "0")]).1, "greater_than_equal");
    assert_eq!(shape_a(&[("size", "10001")]), ("size".into(), "less_than_equal", "10001".into()));
    assert_eq!(shape_a(&[("logical_operator", "OR")]).1, "enum");
    assert_eq!(shape_a(&[("hydrate", "nah")]).1, "bool_parsing");
    assert_eq!(shape_a(&[("only_unused", "maybe")]).1, "bool_parsing");
    assert_eq!(shape_a(&[("has_custom_name", "")]), ("has_custom_name".into(), "bool_parsing", "".into()));
    // FastAPI order: filter model parameters first, `hydrate` last.
    assert_eq!(shape_a(&[("hydrate", "x"), ("size", "0"), ("logical_operator", "x")]).0, "logical_operator");
    let e = err(&[("scope_user", "admin")]);
    assert_eq!(e.status(), 422);
    assert_eq!(
        e.to_string(),
        "1 validation error:\n  {'type': 'uuid_parsing', 'loc': ('query', 'scope_user'), 'msg': 'Input should be a valid UUID, invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `m` at 3', 'input': 'admin', 'ctx': {'error': 'invalid character: expected an optional prefix of `urn:uuid:` followed by [0-9a-fA-F-], found `m` at 3'}}"
    );
    assert_eq!(
        err(&[("size", "0")]).validation_entry().unwrap(),
        "{'type': 'greater_than_equal', 'loc': ('query', 'size'), 'msg': 'Input should be greater than or equal to 1', 'input': '0', 'ctx': {'ge': 1}}"
    );
}

#[test]
fn operator_syntax() {
    assert_eq!(sql(&[("version", "foo:bar")]), ("av.version = ?".into(), vec![Value::Text("foo:bar".into())]));
    assert_eq!(sql(&[("version", "EQUALS:1")]).1, vec![Value::Text("EQUALS:1".into())]);
    assert_eq!(sql(&[("version", "equals:a:b")]).1, vec![Value::Text("a:b".into())]);
    assert_eq!(sql(&[("uri", "")]), ("av.uri = ?".into(), vec![Value::Text("".into())]));
    assert_eq!(sql(&[("version", "isnull:")]).0, "av.version IS NULL");
    assert_eq!(sql(&[("version", "isnotnull:")]).0, "av.version IS NOT NULL");
    assert_eq!(
        err(&[("version", "isnull:x")]),
        model_msg(
            "When using 'isnull:'/'isnotnull:', use the explicit 'operator:' form without a value (e.g. 'isnull:')."
        )
    );
    let oneof = "When you are using the 'oneof:'/'notoneof:' filtering make sure that the provided value is a json formatted list.";
    for bad in ["oneof:notjson", r#"oneof:{"a":1}"#, r#"oneof:"1""#, "oneof:1,2", "notoneof:[1"] {
        assert_eq!(err(&[("version", bad)]), model_msg(oneof), "{bad}");
    }
}

#[test]
fn string_column_predicates() {
    let t = |s: &str| Value::Text(s.into());
    assert_eq!(sql(&[("version", "contains:%")]), ("av.version LIKE ?".into(), vec![t("%%%")]));
    assert_eq!(sql(&[("version", "notcontains:x")]), ("av.version NOT LIKE ?".into(), vec![t("%x%")]));
    assert_eq!(sql(&[("uri", "startswith:s3")]).1, vec![t("s3%")]);
    assert_eq!(sql(&[("uri", "endswith:/1")]).1, vec![t("%/1")]);
    assert_eq!(sql(&[("version", "notequals:1")]).0, "av.version != ?");
    let (s, p) = sql(&[("version", r#"oneof:["1",2,true,null]"#)]);
    assert_eq!(s, "(av.version IN (?, ?, ?) OR av.version IS NULL)");
    assert_eq!(p, vec![t("1"), Value::Integer(2), Value::Integer(1)]);
    assert_eq!(sql(&[("version", r#"notoneof:["1"]"#)]).0, "av.version NOT IN (?)");
    assert_eq!(sql(&[("version", "oneof:[]")]).0, "1");
    assert_eq!(
        sql(&[("version", "gt:1")]),
        ("(CAST(av.version AS REAL) > ? AND CAST(av.version AS REAL))".into(), vec![Value::Real(1.0)])
    );
    assert_eq!(sql(&[("version", "lte: 1_0 ")]).1, vec![Value::Real(10.0)]);
    assert_eq!(
        err(&[("version", "in:1")]).to_string(),
        "1 validation error for ArtifactVersionFilter\noperation\n  Value error, This datatype can not be filtered using this operation: 'in'. The allowed operations are: [<GenericFilterOps.EQUALS: 'equals'>, <GenericFilterOps.NOT_EQUALS: 'notequals'>, <GenericFilterOps.STARTSWITH: 'startswith'>, <GenericFilterOps.CONTAINS: 'contains'>, <GenericFilterOps.ENDSWITH: 'endswith'>, <GenericFilterOps.ONEOF: 'oneof'>, <GenericFilterOps.NOT_ONEOF: 'notoneof'>, <GenericFilterOps.NOT_CONTAINS: 'notcontains'>, <GenericFilterOps.IS_NULL: 'isnull'>, <GenericFilterOps.IS_NOT_NULL: 'isnotnull'>, <GenericFilterOps.GT: 'gt'>, <GenericFilterOps.GTE: 'gte'>, <GenericFilterOps.LT: 'lt'>, <GenericFilterOps.LTE: 'lte'>] [type=value_error, input_value=<GenericFilterOps.IN: 'in'>, input_type=GenericFilterOps]\n    For further information visit https://errors.pydantic.dev/2.12/v/value_error"
    );
    // Numeric comparison with a non-number: parse succeeds, the query fails (400).
    let q = q(&[("version", "lt:abc")]).unwrap();
    let e = q.where_sql(&AV).unwrap_err();
    assert_eq!(e.status(), 400);
    assert_eq!(e.to_string(), "Failed to compare the column 'ArtifactVersionSchema.version' to the value 'abc' (must be numeric): could not convert string to float: 'abc'");
}

#[test]
fn uuid_column_predicates() {
    let id = "3296e24a-de15-4c6a-9d2b-8a3f0b1c2d3e";
    let hex = "3296e24ade154c6a9d2b8a3f0b1c2d3e";
    for v in [id.to_string(), hex.to_string(), id.to_uppercase(), format!("{{{id}}}"), format!("urn:uuid:{id}")] {
        assert_eq!(sql(&[("id", &v)]), ("av.id = ?".into(), vec![Value::Text(hex.into())]), "{v}");
    }
    assert_eq!(sql(&[("id", "junk")]).0, "0");
    assert_eq!(sql(&[("id", "notequals:junk")]).0, "1");
    assert_eq!(sql(&[("id", &format!("notequals:{id}"))]).0, "av.id != ?");
    assert_eq!(sql(&[("id", "startswith:3296e24a-de15")]).1, vec![Value::Text("3296e24ade15%".into())]);
    let (s, p) = sql(&[("artifact_store_id", &format!(r#"oneof:["{id}", 1]"#))]);
    assert_eq!(
        (s.as_str(), p),
        ("av.artifact_store_id IN (?, ?)", vec![Value::Text(hex.into()), Value::Text("1".into())])
    );
    let e = q(&[("id", "gt:abc-def")]).unwrap().where_sql(&AV).unwrap_err();
    assert_eq!(e, FilterError::BadRequest("Failed to compare the column 'artifact_version.id' to the value 'abcdef' (must be numeric): could not convert string to float: 'abcdef'".into()));
}

#[test]
fn int_column() {
    assert_eq!(sql(&[("version_number", " 7 ")]), ("av.version_number = ?".into(), vec![Value::Real(7.0)]));
    assert_eq!(sql(&[("version_number", "gte:-2")]).0, "av.version_number >= ?");
    assert_eq!(sql(&[("version_number", "isnull:")]).0, "av.version_number IS NULL");
    let int_err = model_msg("The int filter only works with integer values.");
    for bad in ["abc", "1.5", "", "gt:x", "oneof:[1,2]", "0x1", "1e3"] {
        assert_eq!(err(&[("version_number", bad)]), int_err, "{bad}");
    }
    let e = err(&[("version_number", "contains:1")]).to_string();
    assert!(e.starts_with("1 validation error for ArtifactVersionFilter\noperation\n  Value error, This datatype can not be filtered using this operation: 'contains'. The allowed operations are: [<GenericFilterOps.EQUALS: 'equals'>, <GenericFilterOps.NOT_EQUALS: 'notequals'>, <GenericFilterOps.IS_NULL: 'isnull'>, <GenericFilterOps.IS_NOT_NULL: 'isnotnull'>, <GenericFilterOps.GT: 'gt'>, <GenericFilterOps.GTE: 'gte'>, <GenericFilterOps.LT: 'lt'>, <GenericFilterOps.LTE: 'lte'>] [type"), "{e}");
}

#[test]
fn datetime_column() {
    let us = 946_684_800_000_000i64; // 2000-01-01 00:00:00 UTC
    assert_eq!(sql(&[("created", "gt:2000-01-01 00:00:00")]), ("av.created > ?".into(), vec![Value::Integer(us)]));
    assert_eq!(sql(&[("created", "2000-1-1 0:0:0")]).1, vec![Value::Integer(us)]);
    assert_eq!(sql(&[("updated", "lte:2000-01-01\t 00:00:00")]).1, vec![Value::Integer(us)]);
    assert_eq!(
        sql(&[("created", "in:2000-01-01 00:00:00,2000-01-01 00:00:01")]),
        ("av.created BETWEEN ? AND ?".into(), vec![Value::Integer(us), Value::Integer(us + 1_000_000)])
    );
    let fmt = model_msg("The datetime filter only works with values in the following format: %Y-%m-%d %H:%M:%S");
    for bad in [
        "2000-01-01T00:00:00",
        "gt:2000-01-01T00:00:00Z",
        "gt:2000-01-01",
        "2000-01-01 00:00:00.123",
        "yesterday",
        "contains:2000",
        "gt:2000-02-30 00:00:00",
        "gt:2000-01-01 00:00:60",
        "gt:2000-01-01 24:00:00",
        "gt:0000-01-01 00:00:00",
        "gt: 2000-01-01 00:00:00",
        "gt:2000-01-01 00:00:00 ",
        "in:,",
        "oneof:[]",
    ] {
        assert_eq!(err(&[("created", bad)]), fmt, "{bad}");
    }
    assert_eq!(
        err(&[("created", "in:2000-01-01 00:00:00")]),
        model_msg("Two comma separated datetime values are required for the `in` operator.")
    );
    assert_eq!(
        err(&[("created", "gt:2000-01-01 00:00:00,2000-01-01 00:00:00")]),
        model_msg("Only a single datetime value is allowed for operator gt.")
    );
    assert!(err(&[("created", "contains:2000-01-01 00:00:00")]).to_string().contains("\noperation\n"));
}

#[test]
fn custom_filter_errors_are_query_time() {
    let e = |items: &[(&str, &str)]| {
        let parsed = q(items).expect("parse succeeds");
        parsed.where_sql(&AV).expect_err("query fails")
    };
    let no_value =
        "When using 'isnull:'/'isnotnull:', use the explicit 'operator:' form without a value (e.g. 'isnull:').";
    assert_eq!(e(&[("tags", "isnull:x")]), FilterError::BadRequest(no_value.into()));
    assert_eq!(e(&[("run_metadata", "a:isnull:x")]), FilterError::BadRequest(no_value.into()));
    assert_eq!(e(&[("artifact", "oneof:[bad")]).status(), 400);
    assert!(e(&[("tags", "in:x")]).to_string().starts_with("1 validation error for StrFilter\noperation\n"));
    assert!(e(&[("artifact", "in:x")]).to_string().starts_with("1 validation error for UUIDFilter\noperation\n"));
    assert_eq!(e(&[("user", "gt:1-2")]).to_string(), "Failed to compare the column 'UserSchema.name' to the value '1-2' (must be numeric): could not convert string to float: '1-2'");
    assert!(e(&[("pipeline_run", "gt:abc")]).to_string().contains("'pipeline_run.id'"));
    // The first failing condition in evaluation order wins (column filters first).
    assert_eq!(e(&[("tags", "in:x"), ("version", "lt:abc")]).status(), 400);
    // The alias is only evaluated when `artifact` is absent.
    assert!(q(&[("artifact", "a"), ("artifact_id", "oneof:bad")]).unwrap().where_sql(&AV).is_ok());
}

#[test]
fn run_metadata_format() {
    let msg = "Invalid run_metadata entry format: 'acc'. Entry must be in format 'key:value' for direct equality comparison or 'key:filterop:value' where filterop is one of: equals, notequals, contains, notcontains, startswith, endswith, oneof, notoneof, isnull, isnotnull, gte, gt, lte, lt, in.";
    assert_eq!(err(&[("run_metadata", "acc")]), model_msg(msg));
    let (s, p) = sql(&[("run_metadata", "acc:0.9")]);
    assert_eq!(s, "EXISTS (SELECT 1 FROM run_metadata f WHERE f.version_pk = av.pk AND (f.key = ? AND (f.value = ? OR f.value = ?)))");
    assert_eq!(p, vec![Value::Text("acc".into()), Value::Text("0.9".into()), Value::Text("\"0.9\"".into())]);
    assert_eq!(sql(&[("run_metadata", "contains:ac:0.9")]).1[0], Value::Text("contains".into()));
}

#[test]
fn sorting() {
    let sort = |v: &str| q(&[("sort_by", v)]).map(|q| q.order_sql(&AV));
    assert_eq!(sort("desc:version").unwrap(), "av.version DESC, av.id DESC");
    assert_eq!(sort("xyz:updated").unwrap(), "av.updated ASC, av.id ASC");
    assert_eq!(sort("DESC:created").unwrap(), "av.created ASC, av.id ASC");
    assert_eq!(sort("id").unwrap(), "av.id ASC");
    assert!(sort("desc:user").unwrap().ends_with("DESC, av.pk ASC"));
    assert!(sort("tags").unwrap().contains("group_concat(f.name, ', ' ORDER BY f.name)"));
    let invalid = |v: &str, msg: &str| {
        let e = sort(v).unwrap_err();
        assert_eq!(e.status(), 422);
        let want = format!("1 validation error for ArtifactVersionFilter\nsort_by\n  Value error, {msg} [type=value_error, input_value=");
        assert!(e.to_string().starts_with(&want), "{v}: {e}");
    };
    for v in [
        "name",
        "foo",
        "desc:foo",
        "",
        "asc:",
        "desc:",
        "sideways:desc:created",
        "save_type",
        "tag",
        "created; DROP TABLE x",
    ] {
        invalid(v, "You can only sort by valid fields of this resource");
    }
    for v in ["project", "artifact_id", "only_unused", "page", "sort_by", "run_metadata"] {
        invalid(v, &format!("This resource can not be sorted by this field: '{v}'"));
    }
    invalid("desc:project", "This resource can not be sorted by this field: 'desc:project'");
    invalid("foo:project", "This resource can not be sorted by this field: 'project'");
    let art = parse(&ARTIFACTS, &pairs(&[("sort_by", "desc:latest_version")])).unwrap();
    assert!(art.order_sql(&ARTIFACTS).ends_with("DESC, a.id DESC"));
}

#[test]
fn pages() {
    let page = |p: &str, s: &str, total: u64| check_page(&q(&[("page", p), ("size", s)]).unwrap(), total);
    assert_eq!(page("1", "2", 0), Ok(1));
    assert_eq!(page("3", "2", 5), Ok(3));
    assert_eq!(page("4", "2", 5).unwrap_err().to_string(), "Invalid page 4. The requested page size is 2 and there are a total of 5 items for this query. The maximum page value therefore is 3.");
    assert_eq!(page("2", "20", 0).unwrap_err().status(), 400);
}

#[test]
fn other_resources_parse() {
    let users = |items: &[(&str, &str)]| parse(&USERS, &pairs(items));
    assert_eq!(users(&[("active", "on")]).unwrap().where_sql(&USERS).unwrap().sql, "u.active = ?");
    assert_eq!(users(&[("external_user_id", "isnull:")]).unwrap().where_sql(&USERS).unwrap().sql, "NULL IS NULL");
    assert_eq!(
        users(&[("active", "maybe")]).unwrap_err().to_string(),
        "1 validation error for UserFilter\nvalue\n  Value error, The bool filter only works with boolean values. [type=value_error, input_value='maybe', input_type=str]\n    For further information visit https://errors.pydantic.dev/2.12/v/value_error"
    );
    assert!(users(&[("active", "in:x")])
        .unwrap_err()
        .to_string()
        .starts_with("2 validation errors for UserFilter\noperation\n"));
    assert!(users(&[("project", "x"), ("scope_user", "x")]).is_ok()); // not parameters of this list
    let c = parse(
        &COMPONENTS,
        &pairs(&[("scope_type", "orchestrator"), ("logical_operator", "or"), ("name", "a"), ("name", "b")]),
    )
    .unwrap()
    .where_sql(&COMPONENTS)
    .unwrap();
    assert_eq!(c.sql, "(c.name = ? OR c.name = ?) AND c.type = ?");
}

#[test]
fn values_never_become_sql() {
    let evil = "x' OR 1=1; DROP TABLE artifact_versions; --";
    for k in ["version", "artifact", "user", "tags", "uri", "id", "run_metadata", "model"] {
        for prefix in ["", "contains:", "startswith:", "oneof:[\"", "notequals:"] {
            let v = if prefix == "oneof:[\"" { format!("{prefix}{evil}\"]") } else { format!("{prefix}{evil}") };
            let v = if k == "run_metadata" { format!("k:{v}") } else { v };
            let parsed = q(&[(k, &v)]).unwrap();
            let w = parsed.where_sql(&AV).unwrap();
            assert!(!w.sql.contains("DROP") && !w.sql.contains('\''), "{k}={v}: {}", w.sql);
            assert_eq!(w.sql.matches('?').count(), w.params.len(), "{k}={v}");
        }
    }
}
