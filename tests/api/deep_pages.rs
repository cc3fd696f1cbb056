//! `db::version_blocks`: deep pages of the unfiltered version list skip
//! whole blocks of versions. They list exactly what the general path (a plain
//! OFFSET) lists, through creates that split blocks, ties in `created`,
//! moves, deletes and a deleted artifact; and the block sizes stay exact.

use serde_json::json;
use trove::db::tables::ARTIFACT_VERSIONS;
use trove::db::{self, artifact_versions, list, projects, version_blocks, version_list, Db};
use trove::filter::{self, ListQuery};
use trove::models::artifact_version::ArtifactVersionRequest;
use trove::models::project::ProjectRequest;

const BLOCK: i64 = version_blocks::BLOCK;

/// `n` versions through the create path (so blocks split as they fill),
/// every fifth one in a second project.
fn create_versions(db: &Db, n: usize, first: usize) {
    let mut conn = db.conn().unwrap();
    db::write_sync(&mut conn, |tx| {
        let main = projects::default_project(tx)?.id.hyphenated();
        let other = match projects::get(tx, "other") {
            Ok(p) => p.id.hyphenated(),
            Err(_) => projects::insert(
                tx,
                &ProjectRequest { name: "other".into(), display_name: "o".into(), description: String::new() },
            )?
            .id
            .hyphenated(),
        };
        for i in first..first + n {
            let project = if i % 5 == 4 { &other } else { &main };
            let body = json!({
                "project": project, "artifact_name": format!("art{}", i % 3), "type": "DataArtifact",
                "uri": format!("/d/{i}"), "save_type": "manual", "materializer": "m.M", "data_type": "builtins.int",
            });
            artifact_versions::create(tx, &ArtifactVersionRequest::parse(&body, &["body"]).unwrap(), 1)?;
        }
        Ok(())
    })
    .unwrap();
}

fn query(page: u64, size: u64, sort: Option<&str>) -> ListQuery {
    let mut pairs = vec![("page".to_string(), page.to_string()), ("size".to_string(), size.to_string())];
    if let Some(s) = sort {
        pairs.push(("sort_by".to_string(), s.to_string()));
    }
    filter::parse(&ARTIFACT_VERSIONS, &pairs).unwrap()
}

/// Every block holds exactly the versions from its key to the next block's.
fn assert_blocks_exact(conn: &rusqlite::Connection) {
    let wrong: Vec<(i64, i64, i64)> = conn
        .prepare(
            "SELECT b.pk, b.n,
                    (SELECT count(*) FROM artifact_versions v WHERE v.project_pk = b.project_pk
                        AND (v.created, v.id) >= (b.created, b.id)
                        AND NOT EXISTS (SELECT 1 FROM version_blocks c WHERE c.project_pk = b.project_pk
                            AND (c.created, c.id) > (b.created, b.id) AND (c.created, c.id) <= (v.created, v.id)))
             FROM version_blocks b",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .filter(|(_, n, actual)| n != actual)
        .collect();
    assert!(wrong.is_empty(), "blocks (pk, n, actual): {wrong:?}");
}

/// Every page, both directions, several sizes: from `2 × BLOCK` rows deep
/// on, the block path answers, and answers what the general path answers.
fn assert_deep_pages_match(conn: &rusqlite::Connection) -> usize {
    let project_pk = projects::default_project(conn).unwrap().pk;
    let total: u64 = conn
        .query_row("SELECT count(*) FROM artifact_versions WHERE project_pk = ?1", [project_pk], |r| r.get(0))
        .unwrap();
    let mut compared = 0;
    for sort in [None, Some("desc:created"), Some("asc:created")] {
        for size in [1u64, 7, 20, 50] {
            for page in 1..=total.div_ceil(size) {
                let q = query(page, size, sort);
                let (scope, params) = version_list::scope(conn, &q).unwrap();
                let general = list::page_pks(conn, &ARTIFACT_VERSIONS, &scope, params, &q).unwrap();
                match version_blocks::page(conn, project_pk, &q, total).unwrap() {
                    Some(blocks) => {
                        assert_eq!(
                            (&blocks.pks, blocks.total, blocks.total_pages),
                            (&general.pks, general.total, general.total_pages),
                            "page {page} size {size} {sort:?}"
                        );
                        assert!(!blocks.pks.is_empty());
                        compared += 1;
                    }
                    // Shallow pages, and pages inside the newest block of a
                    // descending list, are left to the general path.
                    None => assert!(
                        q.offset() < 2 * BLOCK as u64 || sort == Some("desc:created"),
                        "page {page} size {size} {sort:?} took the general path"
                    ),
                }
            }
        }
    }
    compared
}

#[test]
fn deep_pages_list_exactly_what_an_offset_lists() {
    let (_dir, db) = crate::helpers::prepared_db();
    create_versions(&db, 1_500, 0);
    let conn = db.conn().unwrap();
    assert_blocks_exact(&conn);
    let biggest: i64 = conn.query_row("SELECT max(n) FROM version_blocks", [], |r| r.get(0)).unwrap();
    let blocks: i64 = conn.query_row("SELECT count(*) FROM version_blocks", [], |r| r.get(0)).unwrap();
    assert!(biggest <= 2 * BLOCK && blocks >= 4, "the creates split blocks: {blocks} blocks, biggest {biggest}");
    assert!(assert_deep_pages_match(&conn) > 500);

    // Ties in `created` (ids break them, against pk order), moving versions
    // across block keys; then deletes, one of a whole artifact.
    conn.execute_batch("UPDATE artifact_versions SET created = created - created % 4 - (pk % 3) * 2").unwrap();
    assert_blocks_exact(&conn);
    assert!(assert_deep_pages_match(&conn) > 500);
    conn.execute_batch(
        "DELETE FROM artifact_versions WHERE pk % 7 = 3;
         DELETE FROM artifacts WHERE name = 'art2' AND project_pk = (SELECT pk FROM projects WHERE name = 'default');",
    )
    .unwrap();
    assert_blocks_exact(&conn);
    assert!(assert_deep_pages_match(&conn) > 200);
    drop(conn);

    // More creates after all that split the (now uneven) blocks again.
    create_versions(&db, 700, 2_000);
    let conn = db.conn().unwrap();
    assert_blocks_exact(&conn);
    assert!(assert_deep_pages_match(&conn) > 500);
}

/// The blocks are walked by their index, and the page reads the list's
/// covering index from the block's key.
#[test]
fn deep_pages_read_the_blocks_and_a_range_of_the_list_index() {
    let (_dir, db) = crate::helpers::prepared_db();
    let conn = db.conn().unwrap();
    let plan = |sql: &str| -> String {
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let rows = stmt.query_map([], |r| r.get::<_, String>(3)).unwrap();
        rows.map(Result::unwrap).collect::<Vec<_>>().join(" | ")
    };
    for dir in ["", " DESC"] {
        let blocks = plan(&format!(
            "SELECT created, id, n FROM version_blocks WHERE project_pk = 1 ORDER BY created{dir}, id{dir}"
        ));
        assert!(
            blocks.starts_with("SEARCH version_blocks USING INDEX sqlite_autoindex_version_blocks_1 (project_pk=?)"),
            "{blocks}"
        );
        assert!(!blocks.contains("TEMP B-TREE"), "{blocks}");
        let op = if dir.is_empty() { ">=" } else { "<" };
        let page = plan(&format!(
            "SELECT pk FROM artifact_versions WHERE project_pk = 1 AND (created, id) {op} (5, 'x')
             ORDER BY created{dir}, id{dir} LIMIT 20 OFFSET 100"
        ));
        assert!(page.starts_with("SEARCH artifact_versions USING COVERING INDEX artifact_versions_by_project_created (project_pk=? AND (created,id)"), "{page}");
        assert!(!page.contains("TEMP B-TREE"), "{page}");
    }
}
