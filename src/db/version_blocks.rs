//! Deep pages of a project's unfiltered version list, sorted by `created`.
//!
//! A page number is an OFFSET, and SQLite steps over every skipped entry of
//! the index: a deep page spent most of its time skipping (see
//! bench/README.md, "Deep pages").
//! `version_blocks` (see `schema.sql`) cuts each project's versions, in list
//! order (created, id), into blocks whose sizes the triggers keep exact. A
//! deep page sums block sizes up to the block holding its first row, then
//! skips only inside that block: ~`offset / BLOCK` block rows plus fewer
//! than `2 × BLOCK` index entries, whatever the page number.
//!
//! Only the block sizes must be right for the pages to be right, and the
//! triggers keep them so on every insert, delete and move. Splitting big
//! blocks ([`split_full`]) only keeps the skipping short.
//!
//! Fast path of [`super::list::page_pks`] (a plain OFFSET), which it must
//! agree with page for page: compared by `tests/api/deep_pages.rs` (the
//! functions) and `tests/api/fast_paths.rs` (the HTTP list).

use super::list::PkPage;
use super::tables::ARTIFACT_VERSIONS;
use super::DbResult;
use crate::filter::{self, ListQuery};
use rusqlite::{params, Connection, OptionalExtension};

/// Blocks are split into one of `BLOCK` versions and the rest once they hold
/// more than twice that.
pub const BLOCK: i64 = 256;

/// After inserting the version at (`created`, `id`) in `project_pk`: split
/// its block if it now holds more than `2 × BLOCK` versions (one index
/// lookup per insert; a split every `BLOCK` appends).
pub fn split_full(conn: &Connection, project_pk: i64, created: i64, id: &str) -> DbResult<()> {
    let block: Option<(i64, i64, String, i64)> = conn
        .prepare_cached(
            "SELECT pk, created, id, n FROM version_blocks
             WHERE project_pk = ?1 AND (created, id) <= (?2, ?3) ORDER BY created DESC, id DESC LIMIT 1",
        )?
        .query_row(params![project_pk, created, id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?;
    let Some((pk, start_created, start_id, n)) = block.filter(|b| b.3 > 2 * BLOCK) else { return Ok(()) };
    let (at_created, at_id): (i64, String) = conn
        .prepare_cached(
            "SELECT created, id FROM artifact_versions
             WHERE project_pk = ?1 AND (created, id) >= (?2, ?3) ORDER BY created, id LIMIT 1 OFFSET ?4",
        )?
        .query_row(params![project_pk, start_created, start_id, BLOCK], |r| Ok((r.get(0)?, r.get(1)?)))?;
    conn.prepare_cached("UPDATE version_blocks SET n = ?2 WHERE pk = ?1")?.execute(params![pk, BLOCK])?;
    conn.prepare_cached("INSERT INTO version_blocks (project_pk, created, id, n) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![project_pk, at_created, at_id, n - BLOCK])?;
    Ok(())
}

/// The page of keys of an unfiltered list of `project_pk` (no conditions,
/// no `scope_user`) holding `total` versions, when it is sorted by `created`
/// and starts deep enough for the blocks to pay off; `None` means "use the
/// general path".
pub fn page(conn: &Connection, project_pk: i64, q: &ListQuery, total: u64) -> DbResult<Option<PkPage>> {
    let offset = q.offset();
    let Some(desc) = q.by_created(&ARTIFACT_VERSIONS).filter(|_| offset >= 2 * BLOCK as u64) else { return Ok(None) };
    let total_pages = filter::check_page(q, total)?;
    let (sql_blocks, sql_page) = match desc {
        false => (
            "SELECT created, id, n FROM version_blocks WHERE project_pk = ?1 ORDER BY created, id",
            "SELECT pk FROM artifact_versions WHERE project_pk = ?1 AND (created, id) >= (?2, ?3)
             ORDER BY created, id LIMIT ?4 OFFSET ?5",
        ),
        // Walking down from the newest block, block k is bounded by the start
        // of block k + 1: its rows are those below that key.
        true => (
            "SELECT created, id, n FROM version_blocks WHERE project_pk = ?1 ORDER BY created DESC, id DESC",
            "SELECT pk FROM artifact_versions WHERE project_pk = ?1 AND (created, id) < (?2, ?3)
             ORDER BY created DESC, id DESC LIMIT ?4 OFFSET ?5",
        ),
    };
    // The block holding row `offset`, and that row's place inside it. For a
    // descending list the bound is the start of the block walked before it;
    // the newest block has none, and a page starting there is not deep.
    let mut blocks = conn.prepare_cached(sql_blocks)?;
    let mut rows = blocks.query([project_pk])?;
    let (mut before, mut bound) = (0u64, None::<(i64, String)>);
    let mut found = None;
    while let Some(r) = rows.next()? {
        let (created, id, n): (i64, String, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
        let n = n.max(0) as u64;
        if before + n > offset {
            found = Some(match desc {
                false => (created, id, offset - before),
                true => match bound.take() {
                    Some((c, i)) => (c, i, offset - before),
                    None => return Ok(None),
                },
            });
            break;
        }
        before += n;
        bound = Some((created, id));
    }
    drop(rows);
    // Blocks always cover the `total` rows; if they ever did not, the
    // general path still answers right.
    let Some((created, id, skip)) = found else { return Ok(None) };
    let pks = conn
        .prepare_cached(sql_page)?
        .query_map(params![project_pk, created, id, q.size as i64, skip as i64], |r| r.get(0))?
        .collect::<Result<Vec<i64>, _>>()?;
    Ok(Some(PkPage { pks, total, total_pages }))
}
