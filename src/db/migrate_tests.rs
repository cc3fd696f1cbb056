//! Tests of [`super`]: fresh and newer databases, and each upgrade step
//! from an older schema to the shape of a fresh one.

use super::*;

#[test]
fn fresh_database_gets_the_current_schema() {
    let mut conn = Connection::open_in_memory().unwrap();
    migrate(&mut conn).unwrap();
    let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, SCHEMA_VERSION);
    // A second run is a no-op.
    migrate(&mut conn).unwrap();
}

#[test]
fn newer_database_is_refused_and_untouched() {
    let mut conn = Connection::open_in_memory().unwrap();
    conn.execute_batch("CREATE TABLE future (x); PRAGMA user_version = 99;").unwrap();
    let err = migrate(&mut conn).unwrap_err().to_string();
    assert!(err.contains("newer trove"), "{err}");
    let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, 99);
}

#[test]
fn foreign_database_is_refused() {
    let mut conn = Connection::open_in_memory().unwrap();
    conn.execute_batch("CREATE TABLE other (x);").unwrap();
    assert!(migrate(&mut conn).is_err());
}

/// What versions 10, 9, 8, 7, 6, 5 and 4 added (or changed), removed again
/// to build older databases.
const UNDO_10: &str = "DROP TABLE snapshot_steps;
     CREATE TABLE snapshot_steps (
         snapshot_pk INTEGER NOT NULL REFERENCES snapshots(pk) ON DELETE CASCADE,
         name TEXT NOT NULL, position INTEGER NOT NULL, config TEXT NOT NULL,
         PRIMARY KEY (snapshot_pk, name)
     ) WITHOUT ROWID;";
const UNDO_9: &str =
    "ALTER TABLE snapshots DROP COLUMN substitutions; ALTER TABLE snapshots DROP COLUMN execution_mode;";
const UNDO_8: &str = "DROP TABLE api_keys; ALTER TABLE users DROP COLUMN avatar_url;
     ALTER TABLE users DROP COLUMN description;";
const UNDO_7: &str = "DROP TABLE model_version_metadata; DROP TABLE model_version_runs;
     DROP TABLE model_version_artifacts; DROP TABLE model_version_tags; DROP TABLE model_versions;
     DROP TABLE model_tags; DROP TABLE models;";
const UNDO_6: &str = "DROP TABLE run_step_metadata; DROP TABLE logs; DROP TABLE step_artifacts;
     DROP TABLE step_parents; DROP TABLE steps; DROP TABLE run_tags; DROP TABLE runs; DROP TABLE snapshot_steps;
     DROP TABLE snapshots; DROP TABLE pipeline_tags; DROP TABLE pipelines;";
const UNDO_5: &str = "DROP TRIGGER version_tag_pks_insert; DROP TRIGGER version_tag_pks_delete;
     ALTER TABLE artifact_versions DROP COLUMN tag_pks;";
const UNDO_4: &str =
    "DROP TRIGGER version_blocks_first; DROP TRIGGER version_blocks_insert; DROP TRIGGER version_blocks_delete;
     DROP TRIGGER version_blocks_move; DROP TABLE version_blocks;";

/// The current schema with what later versions added removed again
/// (`undo`, newest first): the shape of an older database.
fn older_schema(undo: &[&str]) -> Connection {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(SCHEMA_SQL).unwrap();
    for step in undo {
        conn.execute_batch(step).unwrap();
    }
    conn
}

fn tag_pks(conn: &Connection) -> Vec<String> {
    let mut stmt = conn.prepare("SELECT tag_pks FROM artifact_versions ORDER BY pk").unwrap();
    stmt.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap()
}

/// A version-4 database: every version row gets the pks of its tags, and
/// the triggers keep them through inserts and deletes of links, also by
/// a deleted tag.
#[test]
fn version_4_versions_get_their_tag_pks() {
    let mut conn = older_schema(&[UNDO_10, UNDO_9, UNDO_8, UNDO_7, UNDO_6, UNDO_5]);
    conn.execute_batch(
        "PRAGMA foreign_keys = ON;
         INSERT INTO projects (pk, id, name, display_name, created, updated) VALUES (1, 'p', 'default', 'd', 0, 0);
         INSERT INTO artifacts (pk, id, project_pk, name, created, updated) VALUES (1, 'a', 1, 'x', 0, 0);
         INSERT INTO artifact_versions (pk, id, artifact_pk, project_pk, version, uri, type, materializer, data_type,
             save_type, created, updated)
           VALUES (1, 'v1', 1, 1, '1', 'u', 't', '{}', '{}', 'manual', 1, 0),
                  (2, 'v2', 1, 1, '2', 'u', 't', '{}', '{}', 'manual', 2, 0),
                  (3, 'v3', 1, 1, '3', 'u', 't', '{}', '{}', 'manual', 3, 0);
         INSERT INTO tags (pk, id, name, color, created, updated)
           VALUES (4, 't4', 'a', 'red', 0, 0), (7, 't7', 'b', 'red', 0, 0), (9, 't9', 'c', 'red', 0, 0);
         INSERT INTO artifact_version_tags (version_pk, tag_pk, artifact_pk, created)
           VALUES (1, 9, 1, 1), (1, 4, 1, 1), (2, 7, 1, 2);
         PRAGMA user_version = 4;",
    )
    .unwrap();
    migrate(&mut conn).unwrap();
    assert_eq!(tag_pks(&conn), ["4,9", "7", ""]);
    conn.execute_batch(
        "INSERT INTO artifact_version_tags (version_pk, tag_pk, artifact_pk, created) VALUES (3, 4, 1, 3), (2, 9, 1, 2);
         DELETE FROM artifact_version_tags WHERE version_pk = 1 AND tag_pk = 4;",
    )
    .unwrap();
    assert_eq!(tag_pks(&conn), ["9", "7,9", "4"]);
    conn.execute_batch("DELETE FROM tags WHERE pk = 9;").unwrap();
    assert_eq!(tag_pks(&conn), ["", "7", "4"]);
}

/// A version-3 database gets its versions cut into blocks of 256 in list
/// order (ties in `created` broken by id), per project; the triggers
/// then keep counting.
#[test]
fn version_3_versions_are_cut_into_blocks() {
    let mut conn = older_schema(&[UNDO_10, UNDO_9, UNDO_8, UNDO_7, UNDO_6, UNDO_5, UNDO_4]);
    conn.execute_batch(
        "INSERT INTO projects (pk, id, name, display_name, created, updated)
           VALUES (1, 'p1', 'default', 'd', 0, 0), (2, 'p2', 'other', 'o', 0, 0), (3, 'p3', 'empty', 'e', 0, 0);
         INSERT INTO artifacts (pk, id, project_pk, name, created, updated) VALUES (1, 'a1', 1, 'x', 0, 0), (2, 'a2', 2, 'y', 0, 0);
         WITH RECURSIVE i(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM i WHERE k < 599)
         INSERT INTO artifact_versions (id, artifact_pk, project_pk, version, uri, type, materializer, data_type,
             save_type, created, updated)
           SELECT printf('%032x', (k * 7919) % 600), 1 + (k % 4 = 3), 1 + (k % 4 = 3), k, 'u', 't', '{}', '{}',
                  'manual', k / 3, 0 FROM i;
         PRAGMA user_version = 3;",
    )
    .unwrap();
    migrate(&mut conn).unwrap();
    let blocks = |conn: &Connection| -> Vec<(i64, i64, String, i64)> {
        conn.prepare("SELECT project_pk, created, id, n FROM version_blocks ORDER BY project_pk, created, id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    // 450 versions in project 1: blocks at positions 0 and 256 of its
    // list; 150 in project 2: one block; the empty project its first one.
    let (created, id): (i64, String) = conn
        .query_row(
            "SELECT created, id FROM artifact_versions WHERE project_pk = 1 ORDER BY created, id LIMIT 1 OFFSET 256",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let first = |project, n| (project, i64::MIN, String::new(), n);
    assert_eq!(blocks(&conn), vec![first(1, 256), (1, created, id.clone(), 194), first(2, 150), first(3, 0)]);
    // The triggers count on from there.
    conn.execute_batch(
        "INSERT INTO artifacts (pk, id, project_pk, name, created, updated) VALUES (3, 'a3', 3, 'z', 0, 0);
         INSERT INTO artifact_versions (id, artifact_pk, project_pk, version, uri, type, materializer, data_type,
             save_type, created, updated)
           VALUES ('new1', 1, 1, 'n', 'u', 't', '{}', '{}', 'manual', 1000, 0),
                  ('new3', 3, 3, 'n', 'u', 't', '{}', '{}', 'manual', 1000, 0);",
    )
    .unwrap();
    assert_eq!(blocks(&conn), vec![first(1, 256), (1, created, id, 195), first(2, 150), first(3, 1)]);
    let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, SCHEMA_VERSION);
}

/// A version-1 database (tag links with neither their artifact nor
/// their version's `created`) is upgraded in place through every step:
/// links keep their rows and gain both.
#[test]
fn version_1_tag_links_get_their_artifact_and_created() {
    let mut conn = older_schema(&[UNDO_10, UNDO_9, UNDO_8, UNDO_7, UNDO_6, UNDO_5, UNDO_4]);
    conn.execute_batch(
        "DROP TABLE artifact_version_tags;
         CREATE TABLE artifact_version_tags (
             version_pk INTEGER NOT NULL REFERENCES artifact_versions(pk) ON DELETE CASCADE,
             tag_pk     INTEGER NOT NULL REFERENCES tags(pk) ON DELETE CASCADE,
             PRIMARY KEY (version_pk, tag_pk)
         ) WITHOUT ROWID;
         CREATE INDEX artifact_version_tags_by_tag ON artifact_version_tags (tag_pk, version_pk);
         UPDATE sqlite_stat1 SET stat = '2000000 1000 1' WHERE idx = 'artifact_version_tags_by_tag';
         INSERT INTO projects (pk, id, name, display_name, created, updated) VALUES (1, 'p', 'default', 'd', 0, 0);
         INSERT INTO artifacts (pk, id, project_pk, name, created, updated) VALUES (7, 'a7', 1, 'x', 0, 0), (8, 'a8', 1, 'y', 0, 0);
         INSERT INTO artifact_versions (pk, id, artifact_pk, project_pk, version, uri, type, materializer, data_type,
             save_type, created, updated)
           VALUES (1, 'v1', 7, 1, '1', 'u', 't', '{}', '{}', 'manual', 100, 0),
                  (2, 'v2', 8, 1, '1', 'u', 't', '{}', '{}', 'manual', 200, 0);
         INSERT INTO tags (pk, id, name, color, created, updated) VALUES (1, 't1', 'a', 'red', 0, 0), (2, 't2', 'b', 'red', 0, 0);
         INSERT INTO artifact_version_tags VALUES (1, 1), (1, 2), (2, 1);
         PRAGMA user_version = 1;",
    )
    .unwrap();
    migrate(&mut conn).unwrap();
    let links: Vec<(i64, i64, i64, i64)> = conn
        .prepare("SELECT version_pk, tag_pk, artifact_pk, created FROM artifact_version_tags ORDER BY 1, 2")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(links, vec![(1, 1, 7, 100), (1, 2, 7, 100), (2, 1, 8, 200)]);
    assert_eq!(tag_pks(&conn), ["1,2", "1"]);
    let (index, stat): (String, String) = conn
        .query_row(
            "SELECT m.sql, s.stat FROM sqlite_master m JOIN sqlite_stat1 s ON s.idx = m.name
             WHERE m.name = 'artifact_version_tags_by_tag'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(index.contains("(tag_pk, artifact_pk, created, version_pk)"), "{index}");
    assert_eq!(stat, "2000000 1000 10 1 1");
    let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, SCHEMA_VERSION);
}

/// Every table, index and trigger with its SQL.
fn shape(c: &Connection) -> Vec<String> {
    c.prepare("SELECT name || ':' || sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// [`shape`] of a fresh database.
fn fresh_shape() -> Vec<String> {
    let fresh = Connection::open_in_memory().unwrap();
    fresh.execute_batch(SCHEMA_SQL).unwrap();
    shape(&fresh)
}

/// A version-9 database keeps its step configurations, in order, in the
/// rowid table a fresh one has, with the parts step writes and responses
/// read taken out (`spec`; `config` without its substitutions).
#[test]
fn version_9_step_configurations_move_to_a_rowid_table() {
    let mut conn = older_schema(&[UNDO_10]);
    conn.execute_batch(
        r#"INSERT INTO projects (pk, id, name, display_name, created, updated) VALUES (1, 'p', 'default', 'd', 0, 0);
         INSERT INTO pipelines (pk, id, project_pk, name, created, updated) VALUES (1, 'pl', 1, 'x', 0, 0);
         INSERT INTO snapshots (pk, id, project_pk, pipeline_pk, run_name_template, pipeline_configuration,
             step_count, metadata, created, updated) VALUES (1, 's1', 1, 1, 't', '{}', 2, '{}', 0, 0);
         INSERT INTO snapshot_steps (snapshot_pk, name, position, config)
           VALUES (1, 'total', 1, '{"spec": {"upstream_steps": ["load"]}, "config": {"a": 1.0, "substitutions": {}, "b": "\u00e9"}}'),
                  (1, 'load', 0, '{"spec":{},"config":"not an object"}');
         PRAGMA user_version = 9;"#,
    )
    .unwrap();
    migrate(&mut conn).unwrap();
    assert_eq!(shape(&conn), fresh_shape());
    type Parts = (String, String, Option<String>, Option<String>);
    let steps: Vec<Parts> = conn
        .prepare("SELECT name, config, spec, step_config FROM snapshot_steps WHERE snapshot_pk = 1 ORDER BY position")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for (name, config, spec, step_config) in &steps {
        let parts = crate::models::step_parts::StepParts::of(&crate::models::raw::minified(config));
        assert_eq!((spec, step_config), (&parts.spec, &parts.step_config), "{name}: the rules of a create");
    }
    let some = |s: &str| Some(s.to_string());
    assert_eq!(
        steps,
        [
            ("load".into(), r#"{"spec":{},"config":"not an object"}"#.into(), some("{}"), None),
            (
                "total".into(),
                r#"{"spec": {"upstream_steps": ["load"]}, "config": {"a": 1.0, "substitutions": {}, "b": "\u00e9"}}"#
                    .into(),
                some(r#"{"upstream_steps":["load"]}"#),
                some(r#"{"a":1.0,"b":"\u00e9"}"#)
            ),
        ]
    );
}

/// A version-8 database gets each snapshot's execution mode (a string)
/// and substitutions (an object) out of its configuration, as a fresh one
/// has those columns; other types stay NULL.
#[test]
fn version_8_snapshots_get_their_configuration_keys() {
    let mut conn = older_schema(&[UNDO_10, UNDO_9]);
    conn.execute_batch(
        r#"INSERT INTO projects (pk, id, name, display_name, created, updated) VALUES (1, 'p', 'default', 'd', 0, 0);
         INSERT INTO pipelines (pk, id, project_pk, name, created, updated) VALUES (1, 'pl', 1, 'x', 0, 0);
         INSERT INTO snapshots (pk, id, project_pk, pipeline_pk, run_name_template, pipeline_configuration,
             step_count, metadata, created, updated)
           VALUES (1, 's1', 1, 1, 't', '{"execution_mode":"continue_on_failure","substitutions":{"a":"b","n":1}}', 1, '{}', 0, 0),
                  (2, 's2', 1, 1, 't', '{"execution_mode":3,"substitutions":"x"}', 1, '{}', 0, 0),
                  (3, 's3', 1, 1, 't', '{}', 1, '{}', 0, 0);
         PRAGMA user_version = 8;"#,
    )
    .unwrap();
    migrate(&mut conn).unwrap();
    assert_eq!(shape(&conn), fresh_shape());
    let keys: Vec<(Option<String>, Option<String>)> = conn
        .prepare("SELECT execution_mode, substitutions FROM snapshots ORDER BY pk")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let some = |s: &str| Some(s.to_string());
    assert_eq!(keys, [(some("continue_on_failure"), some(r#"{"a":"b","n":1}"#)), (None, None), (None, None)]);
}

/// A version-7 database gains the API key table and service-account
/// descriptions, as a fresh one has them, and keeps its users.
#[test]
fn version_7_gets_the_api_keys() {
    let mut conn = older_schema(&[UNDO_10, UNDO_9, UNDO_8]);
    conn.execute_batch(
        "INSERT INTO users (id, name, created, updated) VALUES ('u', 'admin', 0, 0);
         PRAGMA user_version = 7;",
    )
    .unwrap();
    migrate(&mut conn).unwrap();
    assert_eq!(shape(&conn), fresh_shape());
    let described: String = conn.query_row("SELECT description FROM users", [], |r| r.get(0)).unwrap();
    assert_eq!(described, "");
}

/// A version-6 database gains the model tables, as a fresh one has them.
#[test]
fn version_6_gets_the_model_tables() {
    let mut conn = older_schema(&[UNDO_10, UNDO_9, UNDO_8, UNDO_7]);
    conn.execute_batch("PRAGMA user_version = 6;").unwrap();
    migrate(&mut conn).unwrap();
    assert_eq!(shape(&conn), fresh_shape());
}

/// A version-5 database gains the run tables, with the same columns as
/// a fresh one, and keeps its versions.
#[test]
fn version_5_gets_the_run_tables() {
    let mut conn = older_schema(&[UNDO_10, UNDO_9, UNDO_8, UNDO_7, UNDO_6]);
    conn.execute_batch(
        "INSERT INTO projects (pk, id, name, display_name, created, updated) VALUES (1, 'p', 'default', 'd', 0, 0);
         PRAGMA user_version = 5;",
    )
    .unwrap();
    migrate(&mut conn).unwrap();
    assert_eq!(shape(&conn), fresh_shape());
    let projects: i64 = conn.query_row("SELECT count(*) FROM projects", [], |r| r.get(0)).unwrap();
    assert_eq!(projects, 1);
}
