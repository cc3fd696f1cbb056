//! Property test: random artifact versions in SQLite and random filters;
//! the compiled SQL must select exactly what a plain-Rust evaluation of the
//! reference semantics selects (and fail exactly when it predicts a 400).

use proptest::prelude::*;
use rusqlite::Connection;

use super::super::{parse, FilterError, ResourceSpec};
use super::fixture::{empty_db, insert_version, NewVersion};
use crate::db::tables::ARTIFACT_VERSIONS as AV;

const VERSIONS: &[&str] =
    &["1", "2", "10", "007", " 7", "0", "-3", "1.5", "1e1", "rc-1", "beta", "%x_", "_a", "A", "a", "3abc", ""];
const URIS: &[&str] = &["s3://b/x/1", "S3://B/y", "/local/%_/Y", "gs://a_b/c", "s3://b/x/10"];
pub(super) const TAGS: &[&str] = &["red", "blue", "Green_x", "r_d", "RED2"];
const KEYS: &[&str] = &["acc", "name", "n"];
const META: &[&str] = &["0.9", "0", "5", "\"alpha\"", "\"5\"", "true", "-2", "\"high\"", "0.95", "[1, 2]"];
pub(super) const ARTIFACTS: &[(&str, &str)] =
    &[("alpha", "a1a1a1a1000040008000000000000001"), ("beta", "3296e24a000040008000000000000002")];
const USERS: &[(&str, &str, &str)] =
    &[("admin", "", "0b0b0b0b000040008000000000000001"), ("bob", "Bob Builder", "1e5b0b0b000040008000000000000002")];
const WORDS: &[&str] = &[
    "1", "10", "a", "A", "%", "_", "x_", "rc", "", "1.5", "7", "beta", "S3", "/1", "0", "high", "alpha", "5", "red",
    "e", "bob", "-1",
];
const NUMS: &[&str] = &["0", "1", "2.5", "-1", "10", "1e1", " 3", "abc", "7", "inf"];
const STR_OPS: &[&str] = &[
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
    id: String,
    artifact: usize,
    user: Option<usize>,
    version: &'static str,
    uri: &'static str,
    kind: &'static str,
    tags: Vec<&'static str>,
    meta: Vec<(&'static str, &'static str)>,
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

// ------------------------------------------------------------- evaluator

/// SQLite `LIKE` without ESCAPE: `%`, `_` (one character), ASCII case folding.
fn like(pattern: &[char], text: &[char]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some(('%', rest)) => (0..=text.len()).any(|i| like(rest, &text[i..])),
        Some((p, rest)) => match text.split_first() {
            Some((t, trest)) => (*p == '_' || p.eq_ignore_ascii_case(t)) && like(rest, trest),
            None => false,
        },
    }
}

fn like_str(pattern: &str, text: &str) -> bool {
    like(&pattern.chars().collect::<Vec<_>>(), &text.chars().collect::<Vec<_>>())
}

/// SQLite `CAST(text AS REAL)`: the longest numeric prefix, else 0.
fn cast_real(s: &str) -> f64 {
    let s = s.trim_start();
    let b = s.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let digits_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let mut digits = i - digits_start;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let f = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        digits += i - f;
    }
    if digits == 0 {
        return 0.0;
    }
    let mut end = i;
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let mut j = i + 1;
        if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
            j += 1;
        }
        let e = j;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        if j > e {
            end = j;
        }
    }
    s[..end].trim_end_matches('.').parse::<f64>().or_else(|_| s[..end].parse()).unwrap_or(0.0)
}

fn split_op(raw: &str) -> (&str, &str) {
    match raw.split_once(':') {
        Some((op, v)) if STR_OPS.contains(&op) && !op.is_empty() => (op, v),
        _ => ("equals", raw),
    }
}

fn num_cmp(op: &str, col: f64, v: f64) -> bool {
    col != 0.0
        && match op {
            "gt" => col > v,
            "gte" => col >= v,
            "lt" => col < v,
            _ => col <= v,
        }
}

/// StrFilter on one (nullable) text value; `json` = run-metadata value.
fn eval_str(op: &str, v: &str, col: Option<&str>, json: bool) -> Result<bool, ()> {
    if matches!(op, "gt" | "gte" | "lt" | "lte") {
        let f: f64 = v.trim().parse().map_err(|_| ())?;
        return Ok(col.is_some_and(|c| num_cmp(op, cast_real(c), f)));
    }
    let Some(c) = col else { return Ok(op == "isnull") };
    let q = |s: &str| format!("\"{s}\"");
    let items = || serde_json::from_str::<Vec<String>>(v).unwrap_or_default();
    Ok(match op {
        "isnull" => false,
        "isnotnull" => true,
        "contains" => like_str(&format!("%{v}%"), c),
        "notcontains" => !like_str(&format!("%{v}%"), c),
        "startswith" => like_str(&format!("{v}%"), c) || (json && like_str(&format!("\"{v}%"), c)),
        "endswith" => like_str(&format!("%{v}"), c) || (json && like_str(&format!("%{v}\""), c)),
        "oneof" => items().is_empty() || items().iter().any(|i| c == i || (json && c == q(i))),
        "notoneof" => items().iter().all(|i| c != i && !(json && c == q(i))),
        "notequals" => c != v && !(json && c == q(v)),
        _ => c == v || (json && c == q(v)),
    })
}

/// UUIDFilter on a 32-hex id.
fn eval_uuid(op: &str, v: &str, id: &str) -> Result<bool, ()> {
    let stripped = v.replace('-', "");
    let valid = stripped.len() == 32 && stripped.chars().all(|c| c.is_ascii_hexdigit());
    match op {
        "equals" => Ok(valid && stripped.to_lowercase() == id),
        "notequals" => Ok(!valid || stripped.to_lowercase() != id),
        "oneof" | "notoneof" => {
            let items: Vec<String> = serde_json::from_str::<Vec<String>>(v).unwrap_or_default();
            let items: Vec<String> = items.iter().map(|i| i.replace('-', "")).collect();
            eval_str(op, &serde_json::to_string(&items).unwrap_or_default(), Some(id), false)
        }
        _ => eval_str(op, &stripped, Some(id), false),
    }
}

pub(super) fn eval(r: &Row, param: &str, raw: &str) -> Result<bool, ()> {
    let (op, v) = split_op(raw);
    match param {
        "version" => eval_str(op, v, Some(r.version), false),
        "uri" => eval_str(op, v, Some(r.uri), false),
        "type" => eval_str(op, v, Some(r.kind), false),
        "id" => eval_uuid(op, v, &r.id),
        "version_number" => {
            let n: Option<i64> = r.version.trim().parse().ok();
            let want: i64 = v.parse().unwrap_or(0);
            Ok(match (op, n) {
                ("isnull", n) => n.is_none(),
                ("isnotnull", n) => n.is_some(),
                (_, None) => false,
                ("notequals", Some(n)) => n != want,
                ("gt", Some(n)) => n > want,
                ("gte", Some(n)) => n >= want,
                ("lt", Some(n)) => n < want,
                ("lte", Some(n)) => n <= want,
                (_, Some(n)) => n == want,
            })
        }
        "tags" => match op {
            "isnull" => Ok(r.tags.is_empty()),
            "isnotnull" => Ok(!r.tags.is_empty()),
            _ => {
                let hits: Result<Vec<bool>, ()> = r.tags.iter().map(|t| eval_str(op, v, Some(t), false)).collect();
                // The reference validates the value even without tags.
                eval_str(op, v, Some(""), false)?;
                Ok(hits?.into_iter().any(|b| b))
            }
        },
        "run_metadata" => {
            let (key, rest) = raw.split_once(':').unwrap_or((raw, ""));
            let (op, v) = split_op(rest);
            eval_str(op, v, Some(""), true)?;
            let hits: Result<Vec<bool>, ()> =
                r.meta.iter().filter(|(k, _)| *k == key).map(|(_, val)| eval_str(op, v, Some(val), true)).collect();
            Ok(hits?.into_iter().any(|b| b))
        }
        "artifact" => {
            let (name, id) = ARTIFACTS[r.artifact];
            Ok(eval_uuid(op, v, id)? | eval_str(op, v, Some(name), false)?)
        }
        _ => {
            // Validate the value even when the row has no creator.
            let (_, _, some_id) = USERS[0];
            eval_uuid(op, v, some_id)?;
            eval_str(op, v, Some(""), false)?;
            let Some(u) = r.user else { return Ok(false) };
            let (name, full, id) = USERS[u];
            Ok(eval_uuid(op, v, id)? | eval_str(op, v, Some(name), false)? | eval_str(op, v, Some(full), false)?)
        }
    }
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

#[test]
fn evaluator_helpers() {
    assert!(like_str("%x_", "AX1") && !like_str("x_", "x") && like_str("_", "ü"));
    assert_eq!(
        (cast_real(" 7"), cast_real("1e1"), cast_real("rc-1"), cast_real("3abc"), cast_real("1.5x")),
        (7.0, 10.0, 0.0, 3.0, 1.5)
    );
    assert_eq!((cast_real("3296e24a"), cast_real("1e"), cast_real("-3"), cast_real(".5")), (3.296e27, 1.0, -3.0, 0.5));
}
