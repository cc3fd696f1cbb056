//! `db::tagged_versions`, the artifact + tag list answered from the tag
//! links: the same pages as the general path, and it reads only the links'
//! index plus the page's own versions.

use serde_json::json;
use std::sync::Mutex;
use trove::db::tables::ARTIFACT_VERSIONS;
use trove::db::{self, artifact_versions, list, projects, tagged_versions, version_list, Db};
use trove::filter::{self, ListQuery};
use trove::models::artifact_version::ArtifactVersionRequest;
use trove::models::project::ProjectRequest;

/// Two projects that both have an artifact `art0`; versions with 2–3 tags
/// from a pool; `created` values tied in groups of four (ties are broken by
/// id, which only the version row has).
fn seeded() -> (tempfile::TempDir, Db) {
    let (dir, db) = crate::helpers::prepared_db();
    let mut conn = db.conn().unwrap();
    db::write_sync(&mut conn, |tx| {
        let main = projects::default_project(tx)?.id.hyphenated();
        let other_req = ProjectRequest { name: "other".into(), display_name: "o".into(), description: String::new() };
        let other = projects::insert(tx, &other_req)?.id.hyphenated();
        for i in 0..90usize {
            let (project, artifact) = match i % 6 {
                5 => (&other, "art0".to_string()),
                k => (&main, format!("art{}", k % 3)),
            };
            let mut tags = vec![format!("t{}", i % 4), "common".to_string()];
            if i % 5 == 0 {
                tags.push("rare".into());
            }
            let body = json!({
                "project": project, "artifact_name": artifact, "type": "DataArtifact",
                "uri": format!("/d/{i}"), "save_type": "manual", "materializer": "m.M", "data_type": "builtins.int",
                "tags": tags,
            });
            artifact_versions::create(tx, &ArtifactVersionRequest::parse(&body, &["body"]).unwrap(), 1)?;
        }
        tx.execute_batch(
            "UPDATE artifact_versions SET created = 1700000000000000 + pk / 4;
             UPDATE artifact_version_tags SET created = (SELECT v.created FROM artifact_versions v WHERE v.pk = version_pk);",
        )?;
        Ok(())
    })
    .unwrap();
    (dir, db)
}

fn query(params: &[(&str, String)]) -> ListQuery {
    let pairs: Vec<(String, String)> = params.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    filter::parse(&ARTIFACT_VERSIONS, &pairs).unwrap()
}

type Outcome = Result<(Vec<i64>, u64, u64), String>;

fn general(conn: &rusqlite::Connection, q: &ListQuery) -> Outcome {
    let project_pk = projects::default_project(conn).unwrap().pk;
    let (scope, params) = version_list::scope(conn, q).unwrap();
    assert!(scope.starts_with("av.project_pk = ?") && params[0] == project_pk.into());
    list::page_pks(conn, &ARTIFACT_VERSIONS, &scope, params, q)
        .map(|p| (p.pks, p.total, p.total_pages))
        .map_err(|e| e.to_string())
}

fn by_links(conn: &rusqlite::Connection, q: &ListQuery) -> Option<Outcome> {
    let project_pk = projects::default_project(conn).unwrap().pk;
    match tagged_versions::page(conn, project_pk, q) {
        Ok(Some(p)) => Some(Ok((p.pks, p.total, p.total_pages))),
        Ok(None) => None,
        Err(e) => Some(Err(e.to_string())),
    }
}

#[test]
fn the_tag_link_path_lists_exactly_what_the_general_path_lists() {
    let (_dir, db) = seeded();
    let conn = db.conn().unwrap();
    let art1_id: String = conn.query_row("SELECT id FROM artifacts WHERE name = 'art1'", [], |r| r.get(0)).unwrap();
    let other_art0: String = conn
        .query_row(
            "SELECT a.id FROM artifacts a JOIN projects p ON p.pk = a.project_pk WHERE p.name = 'other'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let hyphenated = |h: &str| format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..]);
    let artifacts =
        ["art0".to_string(), "art2".into(), "missing".into(), art1_id.clone(), hyphenated(&art1_id), other_art0];
    let (mut compared, mut non_empty) = (0, 0);
    for artifact in &artifacts {
        for tag in ["common", "t1", "rare", "nope"] {
            for sort in [None, Some("desc:created"), Some("asc:created")] {
                for size in [1u64, 3, 7, 20] {
                    let mut page = 1;
                    loop {
                        let mut params = vec![
                            ("artifact", artifact.clone()),
                            ("tags", tag.to_string()),
                            ("size", size.to_string()),
                            ("page", page.to_string()),
                        ];
                        if let Some(s) = sort {
                            params.push(("sort_by", s.to_string()));
                        }
                        let q = query(&params);
                        let expected = general(&conn, &q);
                        let got = by_links(&conn, &q).unwrap_or_else(|| panic!("{params:?} took the general path"));
                        assert_eq!(got, expected, "{params:?}");
                        compared += 1;
                        match expected {
                            Ok((pks, ..)) if !pks.is_empty() => non_empty += 1,
                            _ => break,
                        }
                        page += 1;
                    }
                }
            }
        }
    }
    assert!(compared > 400 && non_empty > 300, "{compared} pages compared, {non_empty} non-empty");
}

#[test]
fn other_lists_take_the_general_path() {
    let (_dir, db) = seeded();
    let conn = db.conn().unwrap();
    let s = |v: &str| v.to_string();
    let cases: &[&[(&str, String)]] = &[
        &[("tags", s("common"))],
        &[("artifact", s("art0"))],
        &[("artifact", s("art0")), ("tags", s("common")), ("version", s("1"))],
        &[("artifact", s("art0")), ("tags", s("common")), ("tags", s("t1"))],
        &[("artifact", s("art0")), ("tags", s("contains:comm"))],
        &[("artifact", s("art0")), ("tags", s("common")), ("sort_by", s("version"))],
        &[("artifact", s("art0")), ("tags", s("common")), ("logical_operator", s("or"))],
        &[("artifact", s("art0")), ("tags", s("common")), ("scope_user", s("00000000-0000-0000-0000-000000000001"))],
    ];
    for params in cases {
        assert_eq!(by_links(&conn, &query(params)), None, "{params:?}");
    }
}

static TRACED: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn trace(sql: &str) {
    TRACED.lock().unwrap().push(sql.to_string());
}

/// The count reads only the (tag, artifact) range of the links' index; the
/// page walks it in `created` order and sorts only ties (no sort of all
/// matches), so it stops after the page.
#[test]
fn the_tag_link_path_reads_the_link_index_and_the_page_only() {
    let (_dir, db) = seeded();
    let mut conn = db.conn().unwrap();
    for sort in ["asc:created", "desc:created"] {
        TRACED.lock().unwrap().clear();
        conn.trace(Some(trace));
        let q = query(&[("artifact", "art1".into()), ("tags", "common".into()), ("sort_by", sort.into())]);
        assert!(by_links(&conn, &q).is_some());
        conn.trace(None);
        let statements: Vec<String> =
            TRACED.lock().unwrap().drain(..).filter(|s| s.contains("artifact_version_tags")).collect();
        assert_eq!(statements.len(), 2, "{statements:?}");
        let plan = |sql: &str| -> String {
            let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
            let rows = stmt.query_map([], |r| r.get::<_, String>(3)).unwrap();
            rows.map(Result::unwrap).collect::<Vec<_>>().join(" | ")
        };
        let count = plan(&statements[0]);
        assert_eq!(
            count, "SEARCH artifact_version_tags USING COVERING INDEX artifact_version_tags_by_tag (tag_pk=? AND artifact_pk=?)",
            "{}",
            statements[0]
        );
        let page = plan(&statements[1]);
        assert!(
            page.starts_with("SEARCH l USING COVERING INDEX artifact_version_tags_by_tag (tag_pk=? AND artifact_pk=?)"),
            "{page}"
        );
        // SQLite 3.4x says "RIGHT PART", newer releases "LAST TERM".
        let partial = page.contains("FOR LAST TERM OF ORDER BY") || page.contains("FOR RIGHT PART OF ORDER BY");
        assert!(partial && !page.contains("FOR ORDER BY"), "{page}");
    }
}
