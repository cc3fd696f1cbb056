//! First-start state: the server id, the `default` project and the `default`
//! stack (a local orchestrator and a local artifact store). Idempotent: run on
//! every start; ids stay stable across restarts.

use super::DbResult;
use crate::models::{Id, Ts};
use rusqlite::{params, Connection, OptionalExtension};

/// The server id (JWT issuer/audience, `/info` id), created once.
pub fn server_id(conn: &Connection) -> DbResult<Id> {
    let found: Option<Id> =
        conn.query_row("SELECT value FROM server_settings WHERE key = 'server_id'", [], |r| r.get(0)).optional()?;
    if let Some(id) = found {
        return Ok(id);
    }
    let id = Id::new_v4();
    conn.execute("INSERT INTO server_settings (key, value) VALUES ('server_id', ?1)", [id])?;
    Ok(id)
}

pub fn ensure_default_project(conn: &Connection) -> DbResult<()> {
    let now = Ts::now();
    conn.execute(
        "INSERT OR IGNORE INTO projects (id, name, display_name, description, created, updated)
         VALUES (?1, 'default', 'default', '', ?2, ?2)",
        params![Id::new_v4(), now.0],
    )?;
    Ok(())
}

/// The default stack; the artifact store's `path` follows the configuration.
pub fn ensure_default_stack(conn: &Connection, artifact_store_path: &str) -> DbResult<()> {
    let now = Ts::now();
    let config = serde_json::json!({ "path": artifact_store_path }).to_string();
    for (ctype, configuration) in [("orchestrator", "{}".to_string()), ("artifact_store", config)] {
        conn.execute(
            "INSERT INTO stack_components (id, name, type, flavor, configuration, created, updated)
             VALUES (?1, 'default', ?2, 'local', ?3, ?4, ?4)
             ON CONFLICT (type, name) DO UPDATE SET
               configuration = excluded.configuration,
               updated = CASE WHEN configuration = excluded.configuration THEN updated ELSE excluded.updated END",
            params![Id::new_v4(), ctype, configuration, now.0],
        )?;
    }
    conn.execute(
        "INSERT OR IGNORE INTO stacks (id, name, description, created, updated) VALUES (?1, 'default', '', ?2, ?2)",
        params![Id::new_v4(), now.0],
    )?;
    conn.execute(
        "INSERT OR IGNORE INTO stack_component_links (stack_pk, component_pk)
         SELECT s.pk, c.pk FROM stacks s, stack_components c WHERE s.name = 'default' AND c.name = 'default'",
        [],
    )?;
    Ok(())
}

/// The `server_settings` key naming the account whose generated password
/// has not been shown yet: set in the transaction that creates the account,
/// removed once the password is printed or changed.
const UNSHOWN_PASSWORD: &str = "unshown_generated_password";

/// Remember that `user`'s generated password has not been shown yet.
pub fn mark_password_unshown(conn: &Connection, user: &str) -> DbResult<()> {
    conn.execute(
        "INSERT INTO server_settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        params![UNSHOWN_PASSWORD, user],
    )?;
    Ok(())
}

/// `user`'s password was shown (or replaced): forget the mark.
pub fn password_shown(conn: &Connection, user: &str) -> DbResult<()> {
    conn.execute("DELETE FROM server_settings WHERE key = ?1 AND value = ?2", params![UNSHOWN_PASSWORD, user])?;
    Ok(())
}

/// The account whose generated password was never shown, if any.
pub fn unshown_password(conn: &Connection) -> DbResult<Option<String>> {
    Ok(conn
        .query_row("SELECT value FROM server_settings WHERE key = ?1", [UNSHOWN_PASSWORD], |r| r.get(0))
        .optional()?)
}
