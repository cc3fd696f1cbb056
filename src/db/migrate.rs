//! Schema versions: `schema.sql` is the complete current schema; the version
//! lives in `PRAGMA user_version`. An empty database gets the schema; an older
//! one runs the upgrade steps, all in one IMMEDIATE transaction; a newer one
//! (written by a newer trove) is refused and left untouched.

use super::{DbError, DbResult};
use rusqlite::{Connection, TransactionBehavior};

pub const SCHEMA_SQL: &str = include_str!("../../schema.sql");
pub const SCHEMA_VERSION: i64 = 1;

/// `UPGRADES[i]` upgrades a database from version `i + 1` to `i + 2`.
/// Append a step here (and bump `SCHEMA_VERSION`, and edit `schema.sql`)
/// whenever the schema changes.
const UPGRADES: &[&str] = &[];

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
}
