//! Shared helpers: an in-memory trove database and a list runner that does
//! what a handler does with a [`ListQuery`].

use rusqlite::{params, Connection};

use super::super::{check_page, parse, FilterError, ResourceSpec};
use crate::db::tables::{ARTIFACTS, ARTIFACT_VERSIONS, COMPONENTS};
use crate::db::tables::{PROJECTS, STACKS, TAGS, USERS};

pub const SCHEMA: &str = include_str!("../../../schema.sql");

pub fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// 32-hex id derived from a small number (stable, distinct).
pub fn hex_id(n: u32) -> String {
    format!("{:08x}aaaa4bbb8ccc{:012x}", n.wrapping_mul(2_654_435_761), n)
}

pub fn empty_db() -> Connection {
    let conn = Connection::open_in_memory().expect("in-memory db");
    conn.execute_batch(SCHEMA).expect("schema applies");
    conn
}

/// A version to insert: (artifact, version, uri, type, tags, metadata).
pub struct NewVersion<'a> {
    pub artifact: &'a str,
    pub version: &'a str,
    pub uri: &'a str,
    pub kind: &'a str,
    pub tags: &'a [&'a str],
    pub meta: &'a [(&'a str, &'a str)],
    pub user_pk: Option<i64>,
}

/// Fixture shared by the SQL tests (mirrors data measured on the reference):
/// users admin (pk 1) and bob "Bob Builder" (pk 2); projects default (1)
/// and other (2); artifacts alpha, beta (custom name), gamma; one stack
/// with two components.
pub fn seeded_db() -> Connection {
    let conn = empty_db();
    let ts = 1_700_000_000_000_000i64;
    conn.execute_batch(&format!(
        "INSERT INTO users(id,name,full_name,active,created,updated) VALUES
            ('{u1}','admin','',1,{ts},{ts}), ('{u2}','bob','Bob Builder',1,{ts}+1,{ts}+1);
         INSERT INTO projects(id,name,display_name,created,updated) VALUES
            ('{p1}','default','default',{ts},{ts}), ('{p2}','other','Other',{ts}+1,{ts});
         INSERT INTO artifacts(id,project_pk,name,has_custom_name,user_pk,created,updated) VALUES
            ('{a1}',1,'alpha',0,1,{ts},{ts}), ('{a2}',1,'beta',1,1,{ts}+1,{ts}), ('{a3}',1,'gamma',0,2,{ts}+2,{ts}),
            ('{a4}',2,'alpha',0,1,{ts},{ts});
         INSERT INTO stack_components(id,name,type,flavor,created,updated) VALUES
            ('{c1}','default','orchestrator','local',{ts},{ts}), ('{c2}','default','artifact_store','local',{ts},{ts});
         INSERT INTO stacks(id,name,created,updated) VALUES ('{s1}','default',{ts},{ts});
         INSERT INTO stack_component_links VALUES (1,1), (1,2);",
        u1 = hex_id(1),
        u2 = hex_id(2),
        p1 = hex_id(11),
        p2 = hex_id(12),
        a1 = hex_id(21),
        a2 = hex_id(22),
        a3 = hex_id(23),
        a4 = hex_id(24),
        c1 = hex_id(31),
        c2 = hex_id(32),
        s1 = hex_id(41),
    ))
    .expect("seed");
    let dm =
        r#"{"module":"zenml.materializers.built_in_materializer","attribute":"BuiltInMaterializer","type":"unknown"}"#;
    let versions: &[NewVersion] = &[
        NewVersion {
            artifact: "alpha",
            version: "1",
            uri: "s3://b/alpha/1",
            kind: "DataArtifact",
            tags: &["red", "blue"],
            meta: &[("acc", "0.9"), ("name", "\"alpha\""), ("n", "5"), ("z", "0"), ("neg", "-2"), ("s5", "\"5\"")],
            user_pk: Some(1),
        },
        NewVersion {
            artifact: "alpha",
            version: "2",
            uri: "s3://b/alpha/2",
            kind: "DataArtifact",
            tags: &["red"],
            meta: &[("acc", "0.95"), ("name", "\"beta\"")],
            user_pk: Some(1),
        },
        NewVersion {
            artifact: "alpha",
            version: "10",
            uri: "s3://b/alpha/10",
            kind: "DataArtifact",
            tags: &[],
            meta: &[("acc", "\"high\"")],
            user_pk: Some(1),
        },
        NewVersion {
            artifact: "alpha",
            version: "rc-1",
            uri: "s3://b/alpha/rc-1",
            kind: "ModelArtifact",
            tags: &[],
            meta: &[],
            user_pk: Some(1),
        },
        NewVersion {
            artifact: "alpha",
            version: "007",
            uri: "s3://b/alpha/007",
            kind: "DataArtifact",
            tags: &[],
            meta: &[],
            user_pk: Some(1),
        },
        NewVersion {
            artifact: "beta",
            version: "0",
            uri: "s3://b/beta/0",
            kind: "DataArtifact",
            tags: &["Green_x"],
            meta: &[],
            user_pk: Some(1),
        },
        NewVersion {
            artifact: "beta",
            version: " 7",
            uri: "s3://b/beta/ 7",
            kind: "DataArtifact",
            tags: &[],
            meta: &[],
            user_pk: Some(1),
        },
        NewVersion {
            artifact: "beta",
            version: "1e1",
            uri: "s3://b/beta/1e1",
            kind: "DataArtifact",
            tags: &[],
            meta: &[],
            user_pk: Some(1),
        },
        NewVersion {
            artifact: "beta",
            version: "%x_",
            uri: "/local/%_/Y",
            kind: "DataArtifact",
            tags: &[],
            meta: &[],
            user_pk: Some(1),
        },
        NewVersion {
            artifact: "gamma",
            version: "1",
            uri: "s3://b/gamma/1",
            kind: "DataArtifact",
            tags: &["red", "zeta"],
            meta: &[("acc", "0.5"), ("flag", "true"), ("lst", "[1, 2]"), ("d", "{\"a\": 1}")],
            user_pk: Some(2),
        },
        NewVersion {
            artifact: "gamma",
            version: "2",
            uri: "s3://b/gamma/2",
            kind: "DataArtifact",
            tags: &[],
            meta: &[("acc", "0")],
            user_pk: Some(2),
        },
    ];
    for (i, v) in versions.iter().enumerate() {
        insert_version(&conn, 1, 100 + i as u32, ts + i as i64 * 1000, dm, v);
    }
    let other = NewVersion {
        artifact: "alpha",
        version: "1",
        uri: "s3://b/other",
        kind: "DataArtifact",
        tags: &[],
        meta: &[],
        user_pk: Some(1),
    };
    insert_version(&conn, 2, 200, ts + 99_000, dm, &other);
    conn.execute_batch(
        "INSERT INTO tags(id,name,color,created,updated) VALUES ('arttagid','arttag','grey',0,0);
         INSERT INTO artifact_tags VALUES (1,(SELECT pk FROM tags WHERE name='arttag')),
                                          (1,(SELECT pk FROM tags WHERE name='red'));",
    )
    .expect("artifact tags");
    conn
}

pub fn insert_version(conn: &Connection, project_pk: i64, n: u32, created: i64, materializer: &str, v: &NewVersion) {
    let version_number: Option<i64> = v.version.trim().parse().ok();
    conn.execute(
        "INSERT INTO artifact_versions(id,artifact_pk,project_pk,user_pk,version,version_number,uri,type,materializer,
                                       data_type,save_type,created,updated)
         VALUES (?1,(SELECT pk FROM artifacts WHERE name=?2 AND project_pk=?3),?3,?4,?5,?6,?7,?8,?9,?10,'manual',?11,?11)",
        params![
            hex_id(n),
            v.artifact,
            project_pk,
            v.user_pk,
            v.version,
            version_number,
            v.uri,
            v.kind,
            materializer,
            r#"{"module":"builtins","attribute":"list","type":"unknown"}"#,
            created
        ],
    )
    .expect("insert version");
    let vpk = conn.last_insert_rowid();
    for t in v.tags {
        conn.execute(
            "INSERT OR IGNORE INTO tags(id,name,color,created,updated) VALUES (lower(hex(randomblob(16))),?1,'red',0,0)",
            [t],
        )
        .expect("tag");
        conn.execute(
            "INSERT INTO artifact_version_tags (version_pk, tag_pk, artifact_pk, created)
             SELECT v.pk, t.pk, v.artifact_pk, v.created FROM artifact_versions v, tags t WHERE v.pk = ?1 AND t.name = ?2",
            params![vpk, t],
        )
        .expect("tag link");
    }
    for (k, val) in v.meta {
        conn.execute(
            "INSERT INTO run_metadata(version_pk,key,value,type,created) VALUES (?1,?2,?3,'str',0)",
            params![vpk, k, val],
        )
        .expect("metadata");
    }
}

/// A list page: (total, total_pages, labels of the page's rows).
pub type Page = (u64, u64, Vec<String>);

/// Runs a list request the way a handler would (project = `default`
/// unless given; users exclude service accounts).
pub fn list(conn: &Connection, spec: &ResourceSpec, query: &[(&str, &str)]) -> Result<Page, FilterError> {
    let q = parse(spec, &pairs(query))?;
    let (from, label) = if std::ptr::eq(spec, &ARTIFACT_VERSIONS) {
        ("artifact_versions av JOIN artifacts lbl ON lbl.pk = av.artifact_pk", "lbl.name || ':' || av.version")
    } else if std::ptr::eq(spec, &ARTIFACTS) {
        ("artifacts a", "a.name")
    } else if std::ptr::eq(spec, &TAGS) {
        ("tags t", "t.name")
    } else if std::ptr::eq(spec, &USERS) {
        ("users u", "u.name")
    } else if std::ptr::eq(spec, &PROJECTS) {
        ("projects p", "p.name")
    } else if std::ptr::eq(spec, &STACKS) {
        ("stacks s", "s.name")
    } else if std::ptr::eq(spec, &COMPONENTS) {
        ("stack_components c", "c.name")
    } else {
        panic!("unknown spec")
    };
    let alias = spec.alias;
    let mut conds = Vec::new();
    let mut values: Vec<rusqlite::types::Value> = Vec::new();
    if spec.param("project").is_some() {
        conds.push(format!("{alias}.project_pk = (SELECT pk FROM projects WHERE name = ? OR id = ?)"));
        let p = q.project.clone().unwrap_or_else(|| "default".into());
        values.push(p.clone().into());
        values.push(p.replace('-', "").to_lowercase().into());
    }
    if let Some(u) = q.scope_user {
        conds.push(format!("{alias}.user_pk IN (SELECT pk FROM users WHERE id = ?)"));
        values.push(u.simple().to_string().into());
    }
    let w = q.where_sql(spec)?;
    conds.push(w.sql);
    values.extend(w.params);
    let where_sql = conds.join(" AND ");
    let total: i64 = conn
        .query_row(
            &format!("SELECT count(*) FROM {from} WHERE {where_sql}"),
            rusqlite::params_from_iter(&values),
            |r| r.get(0),
        )
        .unwrap_or_else(|e| panic!("count failed: {e}: {where_sql}"));
    let total = total as u64;
    let total_pages = check_page(&q, total)?;
    let sql = format!(
        "SELECT {label} FROM {from} WHERE {where_sql} ORDER BY {} LIMIT {} OFFSET {}",
        q.order_sql(spec),
        q.size,
        q.offset()
    );
    let mut stmt = conn.prepare(&sql).unwrap_or_else(|e| panic!("prepare failed: {e}: {sql}"));
    let rows = stmt
        .query_map(rusqlite::params_from_iter(&values), |r| r.get::<_, String>(0))
        .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
        .unwrap_or_else(|e| panic!("query failed: {e}: {sql}"));
    Ok((total, total_pages, rows))
}

/// Labels of all matching rows (one big page).
pub fn names(conn: &Connection, spec: &ResourceSpec, query: &[(&str, &str)]) -> Vec<String> {
    let mut q = query.to_vec();
    q.push(("size", "10000"));
    match list(conn, spec, &q) {
        Ok((_, _, rows)) => rows,
        Err(e) => panic!("{query:?} failed: {e}"),
    }
}
