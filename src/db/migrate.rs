//! Schema versions: `schema.sql` is the complete current schema; the version
//! lives in `PRAGMA user_version`. An empty database gets the schema; an older
//! one runs the upgrade steps, all in one IMMEDIATE transaction; a newer one
//! (written by a newer trove) is refused and left untouched.

use super::{DbError, DbResult};
use rusqlite::{Connection, TransactionBehavior};

pub const SCHEMA_SQL: &str = include_str!("../../schema.sql");
pub const SCHEMA_VERSION: i64 = 3;

/// `UPGRADES[i]` upgrades a database from version `i + 1` to `i + 2`.
/// Append a step here (and bump `SCHEMA_VERSION`, and edit `schema.sql`)
/// whenever the schema changes.
const UPGRADES: &[&str] = &[
    // 1 → 2: tag links carry their version's artifact (see schema.sql).
    "ALTER TABLE artifact_version_tags ADD COLUMN artifact_pk INTEGER NOT NULL DEFAULT 0;
     UPDATE artifact_version_tags
        SET artifact_pk = (SELECT v.artifact_pk FROM artifact_versions v WHERE v.pk = version_pk);
     DROP INDEX artifact_version_tags_by_tag;
     CREATE INDEX artifact_version_tags_by_tag ON artifact_version_tags (tag_pk, artifact_pk, version_pk);
     -- DROP INDEX removed its statistics; seed them again, as schema.sql does.
     INSERT INTO sqlite_stat1 (tbl, idx, stat)
       VALUES ('artifact_version_tags', 'artifact_version_tags_by_tag', '2000000 1000 10 1');",
    // 2 → 3: tag links also carry their version's `created`, indexed after
    // the artifact (see schema.sql).
    "ALTER TABLE artifact_version_tags ADD COLUMN created INTEGER NOT NULL DEFAULT 0;
     UPDATE artifact_version_tags
        SET created = (SELECT v.created FROM artifact_versions v WHERE v.pk = version_pk);
     DROP INDEX artifact_version_tags_by_tag;
     CREATE INDEX artifact_version_tags_by_tag ON artifact_version_tags (tag_pk, artifact_pk, created, version_pk);
     INSERT INTO sqlite_stat1 (tbl, idx, stat)
       VALUES ('artifact_version_tags', 'artifact_version_tags_by_tag', '2000000 1000 10 1 1');",
];

pub fn migrate(conn: &mut Connection) -> DbResult<()> {
    const _: () = assert!(UPGRADES.len() as i64 == SCHEMA_VERSION - 1);
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > SCHEMA_VERSION {
        return Err(DbError::Schema(format!(
            "this database was written by a newer trove (schema version {version}, this binary knows up to {SCHEMA_VERSION}); \
             upgrade trove or point --data-dir at another folder"
        )));
    }
    if version == SCHEMA_VERSION {
        return Ok(());
    }
    if version == 0 {
        let tables: i64 = tx.query_row("SELECT count(*) FROM sqlite_master WHERE type = 'table'", [], |r| r.get(0))?;
        if tables > 0 {
            return Err(DbError::Schema(
                "the database file is not a trove database (it has tables but no schema version)".into(),
            ));
        }
        tx.execute_batch(SCHEMA_SQL)?;
    } else {
        // Rewriting the tag links of 1M versions takes ~30 s: say why start-up waits.
        tracing::info!(from = version, to = SCHEMA_VERSION, "upgrading the database schema");
        for step in &UPGRADES[(version - 1) as usize..] {
            tx.execute_batch(step)?;
        }
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
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

    /// A version-1 database (tag links with neither their artifact nor
    /// their version's `created`) is upgraded in place through every step:
    /// links keep their rows and gain both.
    #[test]
    fn version_1_tag_links_get_their_artifact_and_created() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(SCHEMA_SQL).unwrap();
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
}
