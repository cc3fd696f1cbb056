//! Schema versions: `schema.sql` is the complete current schema; the version
//! lives in `PRAGMA user_version`. An empty database gets the schema; an older
//! one runs the upgrade steps, all in one IMMEDIATE transaction; a newer one
//! (written by a newer trove) is refused and left untouched.

use super::{DbError, DbResult};
use crate::models::step_parts::{spec_sql, step_config_sql};
use rusqlite::{Connection, TransactionBehavior};

pub const SCHEMA_SQL: &str = include_str!("../../schema.sql");
pub const SCHEMA_VERSION: i64 = 10;

/// `UPGRADES[i]` upgrades a database from version `i + 1` to `i + 2`.
/// Append a step here (and bump `SCHEMA_VERSION`, and edit `schema.sql`)
/// whenever the schema changes. A line `-- schema.sql section: NAME` runs
/// that section of `schema.sql` (see [`section`]), so new tables and
/// triggers are written once.
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
    // 3 → 4: deep pages skip whole blocks of versions (see schema.sql); cut
    // each project's versions into blocks of 256 in list order (every
    // project has its first block, if only with n = 0).
    "-- schema.sql section: version_blocks
     INSERT INTO version_blocks (project_pk, created, id, n) SELECT pk, -9223372036854775808, '', 0 FROM projects;
     INSERT INTO version_blocks (project_pk, created, id, n)
       SELECT project_pk,
              CASE WHEN pos = 0 THEN -9223372036854775808 ELSE created END,
              CASE WHEN pos = 0 THEN '' ELSE id END,
              min(256, total - pos)
       FROM (SELECT project_pk, created, id,
                    row_number() OVER (PARTITION BY project_pk ORDER BY created, id) - 1 AS pos,
                    count(*) OVER (PARTITION BY project_pk) AS total
             FROM artifact_versions)
       WHERE pos % 256 = 0
       ON CONFLICT (project_pk, created, id) DO UPDATE SET n = excluded.n;",
    // 4 → 5: each version row carries its tags' pks (see schema.sql).
    "ALTER TABLE artifact_versions ADD COLUMN tag_pks TEXT NOT NULL DEFAULT '';
     -- schema.sql section: version_tag_pks
     UPDATE artifact_versions
        SET tag_pks = (SELECT group_concat(tag_pk) FROM artifact_version_tags WHERE version_pk = artifact_versions.pk)
      WHERE pk IN (SELECT version_pk FROM artifact_version_tags);",
    // 5 → 6: pipelines, snapshots, runs, steps, logs (see schema.sql).
    "-- schema.sql section: pipelines",
    // 6 → 7: models, model versions and their links.
    "-- schema.sql section: models",
    // 7 → 8: service-account descriptions and API keys.
    "-- schema.sql section: api_keys",
    // 8 → 9: the keys step writes read of a snapshot's configuration, in columns.
    "-- schema.sql section: snapshot_keys
     UPDATE snapshots SET
        execution_mode = CASE json_type(pipeline_configuration, '$.execution_mode')
            WHEN 'text' THEN json_extract(pipeline_configuration, '$.execution_mode') END,
        substitutions = CASE json_type(pipeline_configuration, '$.substitutions')
            WHEN 'object' THEN json_extract(pipeline_configuration, '$.substitutions') END;",
    // 9 → 10: step configurations in a rowid table, with the two parts step
    // writes and responses read (see schema.sql and `models::step_parts`).
    concat!(
        "ALTER TABLE snapshot_steps RENAME TO snapshot_steps_9;
     -- schema.sql section: snapshot_steps
     INSERT INTO snapshot_steps (snapshot_pk, name, position, config, spec, step_config)
       SELECT snapshot_pk, name, position, config, ",
        spec_sql!("config"),
        ", ",
        step_config_sql!("config"),
        "
       FROM snapshot_steps_9 ORDER BY snapshot_pk, position;
     DROP TABLE snapshot_steps_9;"
    ),
];

/// The text of `schema.sql` from the line `-- section: NAME …` to the line
/// `-- end of section: NAME`.
fn section(name: &str) -> DbResult<&'static str> {
    let start = format!("-- section: {name} ");
    let end = format!("-- end of section: {name}");
    let from = SCHEMA_SQL.find(&start);
    let to = SCHEMA_SQL.find(&end);
    match (from, to) {
        (Some(from), Some(to)) if from < to => Ok(&SCHEMA_SQL[from..to]),
        _ => Err(DbError::Schema(format!("schema.sql has no section {name}"))),
    }
}

/// An upgrade step with its `-- schema.sql section: NAME` lines replaced by
/// those sections.
fn expand(step: &str) -> DbResult<String> {
    let mut sql = String::new();
    for line in step.lines() {
        match line.trim().strip_prefix("-- schema.sql section: ") {
            Some(name) => sql.push_str(section(name.trim())?),
            None => sql.push_str(line),
        }
        sql.push('\n');
    }
    Ok(sql)
}

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
        // An upgrade of a large database can take a while (see
        // bench/README.md, "Schema upgrades"): say why start-up waits.
        tracing::info!(from = version, to = SCHEMA_VERSION, "upgrading the database schema");
        for step in &UPGRADES[(version - 1) as usize..] {
            tx.execute_batch(&expand(step)?)?;
        }
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
#[path = "migrate_tests.rs"]
mod tests;
