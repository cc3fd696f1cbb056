//! Property test: random artifact versions in SQLite and random filters;
//! the compiled SQL must select exactly what a plain-Rust evaluation of the
//! reference semantics selects (and fail exactly when it predicts a 400).

use proptest::prelude::*;
use rusqlite::Connection;

use super::super::{parse, FilterError, ResourceSpec};
use super::fixture::{empty_db, insert_version, NewVersion};
use super::reference_eval::eval;
use crate::db::tables::ARTIFACT_VERSIONS as AV;

const VERSIONS: &[&str] =
    &["1", "2", "10", "007", " 7", "0", "-3", "1.5", "1e1", "rc-1", "beta", "%x_", "_a", "A", "a", "3abc", ""];
const URIS: &[&str] = &["s3://b/x/1", "S3://B/y", "/local/%_/Y", "gs://a_b/c", "s3://b/x/10"];
pub(super) const TAGS: &[&str] = &["red", "blue", "Green_x", "r_d", "RED2"];
const KEYS: &[&str] = &["acc", "name", "n"];
const META: &[&str] = &["0.9", "0", "5", "\"alpha\"", "\"5\"", "true", "-2", "\"high\"", "0.95", "[1, 2]"];
pub(super) const ARTIFACTS: &[(&str, &str)] =
    &[("alpha", "a1a1a1a1000040008000000000000001"), ("beta", "3296e24a000040008000000000000002")];
pub(super) const USERS: &[(&str, &str, &str)] =
    &[("admin", "", "0b0b0b0b000040008000000000000001"), ("bob", "Bob Builder", "1e5b0b0b000040008000000000000002")];
const WORDS: &[&str] = &[
    "1", "10", "a", "A", "%", "_", "x_", "rc", "", "1.5", "7", "beta", "S3", "/1", "0", "high", "alpha", "5", "red",
    "e", "bob", "-1",
];
const NUMS: &[&str] = &["0", "1", "2.5", "-1", "10", "1e1", " 3", "abc", "7", "inf"];
pub(super) const STR_OPS: &[&str] = &[
    "",
    "equals",
    "notequals",
    "contains",
    "notcontains",
    "startswith",
    "endswith",
    "oneof",
    "notoneof",
    "gt",
    "gte",
    "lt",
    "lte",
    "isnull",
    "isnotnull",
];
const INT_OPS: &[&str] = &["", "notequals", "gt", "gte", "lt", "lte", "isnull", "isnotnull"];
const PARAMS: &[&str] = &["version", "uri", "type", "tags", "run_metadata", "artifact", "user", "version_number", "id"];

#[derive(Debug, Clone)]
pub(super) struct Row {
    pub(super) id: String,
    pub(super) artifact: usize,
    pub(super) user: Option<usize>,
    pub(super) version: &'static str,
    pub(super) uri: &'static str,
    pub(super) kind: &'static str,
    pub(super) tags: Vec<&'static str>,
    pub(super) meta: Vec<(&'static str, &'static str)>,
}

/// Rows with distinct ids and distinct (artifact, version) pairs.
pub(super) fn rows() -> impl Strategy<Value = Vec<Row>> {
    proptest::collection::vec(row(), 1..10).prop_map(|rows| {
        let mut pairs = std::collections::HashSet::new();
        let mut ids = std::collections::HashSet::new();
        rows.into_iter().filter(|r| pairs.insert((r.artifact, r.version)) && ids.insert(r.id.clone())).collect()
    })
}

fn row() -> impl Strategy<Value = Row> {
    (
        "[0-9a-f]{32}",
        0..ARTIFACTS.len(),
        proptest::option::of(0..USERS.len()),
        proptest::sample::select(VERSIONS),
        proptest::sample::select(URIS),
        proptest::sample::select(&["DataArtifact", "ModelArtifact"][..]),
        proptest::sample::subsequence(TAGS, 0..3),
        proptest::collection::vec((proptest::sample::select(KEYS), proptest::sample::select(META)), 0..3),
    )
        .prop_map(|(id, artifact, user, version, uri, kind, tags, meta)| Row {
            id,
            artifact,
            user,
            version,
            uri,
            kind,
            tags,
            meta,
        })
}

/// (param, operator or "", value) → raw query value.
pub(super) fn filter() -> impl Strategy<Value = (String, String)> {
    (
        proptest::sample::select(PARAMS),
        0..STR_OPS.len(),
        0..INT_OPS.len(),
        proptest::collection::vec(0..WORDS.len(), 0..3),
        0..NUMS.len(),
        0..KEYS.len(),
        -4i64..12,
    )
        .prop_map(|(param, so, io, words, num, key, int)| {
            let op = if param == "version_number" { INT_OPS[io] } else { STR_OPS[so] };
            let value = match op {
                "isnull" | "isnotnull" => String::new(),
                "oneof" | "notoneof" => {
                    serde_json::to_string(&words.iter().map(|w| WORDS[*w]).collect::<Vec<_>>()).unwrap_or_default()
                }
                _ if param == "version_number" => int.to_string(),
                "gt" | "gte" | "lt" | "lte" => NUMS[num].to_string(),
                _ => WORDS[words.first().copied().unwrap_or(0)].to_string(),
            };
            let mut raw = if op.is_empty() { value } else { format!("{op}:{value}") };
            if param == "run_metadata" {
                raw = format!("{}:{raw}", KEYS[key]);
            }
            (param.to_string(), raw)
        })
}

// ------------------------------------------------------------------ SQL

pub(super) fn load(rows: &[Row]) -> Connection {
    let conn = empty_db();
    let mut setup =
        String::from("INSERT INTO projects(id,name,display_name,created,updated) VALUES ('p1','default','d',0,0);");
    for (name, full, id) in USERS {
        setup.push_str(&format!(
            "INSERT INTO users(id,name,full_name,created,updated) VALUES ('{id}','{name}','{full}',0,0);"
        ));
    }
    for (name, id) in ARTIFACTS {
        setup.push_str(&format!(
            "INSERT INTO artifacts(id,project_pk,name,created,updated) VALUES ('{id}',1,'{name}',0,0);"
        ));
    }
    conn.execute_batch(&setup).expect("setup");
    for (i, r) in rows.iter().enumerate() {
        let v = NewVersion {
            artifact: ARTIFACTS[r.artifact].0,
            version: r.version,
            uri: r.uri,
            kind: r.kind,
            tags: &r.tags,
            meta: &r.meta,
            user_pk: r.user.map(|u| u as i64 + 1),
        };
        insert_version(&conn, 1, i as u32 + 1, i as i64 * 1000, "{}", &v);
        conn.execute("UPDATE artifact_versions SET id = ?1 WHERE pk = ?2", rusqlite::params![r.id, i as i64 + 1])
            .expect("set id");
    }
    conn
}

pub(super) fn select(conn: &Connection, params: &[(String, String)]) -> Result<Vec<i64>, FilterError> {
    select_with(conn, &AV, params)
}

/// [`select`] against another description of the versions table.
pub(super) fn select_with(
    conn: &Connection,
    spec: &ResourceSpec,
    params: &[(String, String)],
) -> Result<Vec<i64>, FilterError> {
    let q = parse(spec, params)?;
    let w = q.where_sql(spec)?;
    let sql = format!("SELECT av.pk FROM artifact_versions av WHERE {} ORDER BY {}", w.sql, q.order_sql(spec));
    let mut stmt = conn.prepare(&sql).unwrap_or_else(|e| panic!("{e}: {sql}"));
    let rows = stmt.query_map(rusqlite::params_from_iter(&w.params), |r| r.get(0)).and_then(|r| r.collect());
    Ok(rows.unwrap_or_else(|e| panic!("{e}: {sql}")))
}

proptest! {
    // No regression files: they would land outside src/filter.
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn sql_matches_reference_semantics(
        rows in rows(),
        filters in proptest::collection::vec(filter(), 1..4),
        or in any::<bool>(),
    ) {
        let conn = load(&rows);
        let mut params: Vec<(String, String)> = filters.clone();
        params.push(("logical_operator".into(), if or { "or" } else { "and" }.into()));
        let expected: Result<Vec<i64>, ()> = (|| {
            let mut out = Vec::new();
            for (i, r) in rows.iter().enumerate() {
                let results: Vec<bool> = filters.iter().map(|(p, v)| eval(r, p, v)).collect::<Result<_, _>>()?;
                if (or && results.iter().any(|b| *b)) || (!or && results.iter().all(|b| *b)) {
                    out.push(i as i64 + 1);
                }
            }
            Ok(out)
        })();
        match (select(&conn, &params), expected) {
            (Ok(mut got), Ok(want)) => {
                got.sort_unstable();
                prop_assert_eq!(got, want, "filters {:?} or={}", filters, or);
            }
            (Err(FilterError::BadRequest(_)), Err(())) => {}
            (got, want) => prop_assert!(false, "filters {:?}: got {:?}, want {:?}", filters, got, want),
        }
    }

    #[test]
    fn order_matches_reference_semantics(
        rows in rows(),
        key in proptest::sample::select(&["version", "version_number", "uri", "created", "type"][..]),
        desc in any::<bool>(),
    ) {
        let conn = load(&rows);
        let sort = format!("{}{key}", if desc { "desc:" } else { "" });
        let got = select(&conn, &[("sort_by".to_string(), sort)]).expect("sorts");
        let mut want: Vec<(usize, &Row)> = rows.iter().enumerate().collect();
        let sort_key = |(i, r): &(usize, &Row)| -> (Option<String>, Option<i64>, String) {
            match key {
                "version" => (Some(r.version.to_string()), None, r.id.clone()),
                "version_number" => (None, r.version.trim().parse().ok(), r.id.clone()),
                "uri" => (Some(r.uri.to_string()), None, r.id.clone()),
                "type" => (Some(r.kind.to_string()), None, r.id.clone()),
                _ => (None, Some(*i as i64), r.id.clone()),
            }
        };
        want.sort_by_key(sort_key);
        if desc {
            want.reverse();
        }
        let want: Vec<i64> = want.iter().map(|(i, _)| *i as i64 + 1).collect();
        prop_assert_eq!(got, want);
    }
}
