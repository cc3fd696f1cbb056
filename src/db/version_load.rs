//! Build artifact-version responses for a set of primary keys in a fixed
//! number of queries, whatever the number of versions: the rows with their
//! artifact and their tags' pks (1), their users (2), those tags (3), their
//! producing steps (4) and, when hydrating, run metadata (5) and
//! visualizations (6). Never one query
//! per item, and no read of the tag links: each version row carries the pks
//! of its tags (`tag_pks`, kept by triggers, see `schema.sql`), which at 1M
//! versions saves a random page read per version. That copy is a fast path
//! of the links themselves (`artifact_version_tags`, what the `tags` filter
//! reads) and must agree with them: compared by `tests/api/fast_paths.rs`.
//!
//! Each query walks the sorted pk array and looks its rows up by key (see
//! [`super::pk_array`]); the orders a response needs (tags by name, metadata
//! and visualizations as recorded) are restored here, so no query sorts.

use super::{pk_array, tags, users, DbResult};
use crate::models::artifact::{Artifact, ArtifactNested};
use crate::models::artifact_version::{
    ArtifactVersionBody, ArtifactVersionMetadata, ArtifactVersionResources, ArtifactVersionResponse, RunMetadata,
    VisualizationBody, VisualizationResponse,
};
use crate::models::{Entity, Id, Shared, Ts};
use rusqlite::Connection;
use serde_json::value::RawValue;
use std::collections::HashMap;

/// The version rows with their artifact, from `$from` (which names the
/// versions `av`), then `$rest`.
macro_rules! rows_sql {
    ($from:literal, $rest:literal) => {
        concat!(
            "SELECT av.pk, av.id, av.created, av.updated, u.id, p.id,
                    a.id, a.name, a.has_custom_name, a.created, a.updated, au.id, ap.id,
                    av.version, av.uri, av.type, av.materializer, av.data_type, av.save_type,
                    av.artifact_store_id, av.content_hash, av.item_count, av.user_pk, av.tag_pks,
                    av.artifact_pk
             FROM ",
            $from,
            "
             JOIN artifacts a ON a.pk = av.artifact_pk
             JOIN projects p ON p.pk = av.project_pk
             JOIN projects ap ON ap.pk = a.project_pk
             LEFT JOIN users u ON u.pk = av.user_pk
             LEFT JOIN users au ON au.pk = a.user_pk",
            $rest
        )
    };
}

fn raw_json(text: String) -> Box<RawValue> {
    RawValue::from_string(text).unwrap_or_else(|_| RawValue::from_string("null".into()).expect("valid JSON"))
}

struct Row {
    body: ArtifactVersionBody,
    id: Id,
    user_pk: Option<i64>,
    tag_pks: Vec<i64>,
}

/// `tag_pks` as stored: comma-separated pks.
fn parse_pks(text: &str) -> Vec<i64> {
    text.split(',').filter_map(|pk| pk.trim().parse().ok()).collect()
}

/// Responses for `pks`, in the order of `pks` (unknown pks are skipped).
pub fn load(conn: &Connection, pks: &[i64], hydrate: bool) -> DbResult<Vec<ArtifactVersionResponse>> {
    if pks.is_empty() {
        return Ok(Vec::new());
    }
    let rows = rows_of(conn, pks)?;
    assemble(conn, pks, rows, hydrate)
}

/// The rows of `pks` (not empty), one query.
fn rows_of(conn: &Connection, pks: &[i64]) -> DbResult<HashMap<i64, Row>> {
    let mut stmt =
        conn.prepare_cached(rows_sql!("rarray(?1) r CROSS JOIN artifact_versions av ON av.pk = r.value", ""))?;
    let rows = read_rows(stmt.query([pk_array(pks)])?, pks.len())?;
    Ok(rows)
}

/// Responses without metadata and resources (a version nested in a step or
/// a model-version link shows its body only), by pk: the rows alone, none
/// of the queries for users, tags and producers that [`load`] adds.
pub fn bodies(conn: &Connection, pks: &[i64]) -> DbResult<HashMap<i64, ArtifactVersionResponse>> {
    if pks.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(rows_of(conn, pks)?
        .into_iter()
        .map(|(pk, row)| {
            let entity = Entity {
                body: row.body,
                metadata: None,
                resources: None,
                id: row.id,
                permission_denied: false,
                name: None,
            };
            (pk, entity)
        })
        .collect())
}

/// The response for one version id (`None` when there is no such version).
pub fn load_by_id(conn: &Connection, id: &Id, hydrate: bool) -> DbResult<Option<ArtifactVersionResponse>> {
    let mut stmt = conn.prepare_cached(rows_sql!("artifact_versions av", " WHERE av.id = ?1"))?;
    let rows = read_rows(stmt.query([id])?, 1)?;
    let pks: Vec<i64> = rows.keys().copied().collect();
    Ok(assemble(conn, &pks, rows, hydrate)?.pop())
}

/// The rows by pk; `expected` sizes the map up front (growing it moved the
/// large rows again at each doubling; see bench/README.md, "Batch
/// loaders"). Versions of
/// the same artifact share its nested object ([`Shared`]).
fn read_rows(mut q: rusqlite::Rows, expected: usize) -> DbResult<HashMap<i64, Row>> {
    let mut rows: HashMap<i64, Row> = HashMap::with_capacity(expected);
    let mut artifacts: HashMap<i64, Shared<ArtifactNested>> = HashMap::new();
    while let Some(r) = q.next()? {
        let artifact_pk: i64 = r.get(24)?;
        let artifact = match artifacts.get(&artifact_pk) {
            Some(artifact) => artifact.clone(),
            None => {
                let artifact = Shared::new(
                    Artifact {
                        id: r.get::<_, Id>(6)?,
                        name: r.get(7)?,
                        has_custom_name: r.get(8)?,
                        created: Ts(r.get(9)?),
                        updated: Ts(r.get(10)?),
                        user_id: r.get::<_, Option<Id>>(11)?,
                        project_id: r.get::<_, Id>(12)?,
                    }
                    .nested(),
                );
                artifacts.insert(artifact_pk, artifact.clone());
                artifact
            }
        };
        let body = ArtifactVersionBody {
            created: Ts(r.get(2)?),
            updated: Ts(r.get(3)?),
            user_id: r.get::<_, Option<Id>>(4)?,
            project_id: r.get::<_, Id>(5)?,
            artifact,
            version: r.get(13)?,
            uri: r.get(14)?,
            artifact_type: r.get(15)?,
            materializer: raw_json(r.get(16)?),
            data_type: raw_json(r.get(17)?),
            save_type: r.get(18)?,
            artifact_store_id: r.get::<_, Option<Id>>(19)?,
            content_hash: r.get(20)?,
            item_count: r.get(21)?,
        };
        let tag_pks = parse_pks(r.get_ref(23)?.as_str().map_err(rusqlite::Error::from)?);
        rows.insert(r.get(0)?, Row { body, id: r.get::<_, Id>(1)?, user_pk: r.get(22)?, tag_pks });
    }
    Ok(rows)
}

/// Users, tags and (when hydrating) metadata and visualizations of `rows`,
/// one query each, assembled in the order of `pks`.
fn assemble(
    conn: &Connection,
    pks: &[i64],
    mut rows: HashMap<i64, Row>,
    hydrate: bool,
) -> DbResult<Vec<ArtifactVersionResponse>> {
    // pk_array makes both sets distinct.
    let user_pks: Vec<i64> = rows.values().filter_map(|r| r.user_pk).collect();
    let users = users::nested_by_pks(conn, &user_pks)?;
    let tag_pks: Vec<i64> = rows.values().flat_map(|r| r.tag_pks.iter().copied()).collect();
    let tags = match tag_pks.is_empty() {
        true => HashMap::new(),
        false => tags::nested_by_pks(conn, &tag_pks)?,
    };
    let mut producers = producers(conn, pks)?;
    let (mut metadata, mut visualizations) = if hydrate {
        (run_metadata(conn, pks)?, visualizations_of(conn, pks)?)
    } else {
        (HashMap::new(), HashMap::new())
    };

    let mut out = Vec::with_capacity(pks.len());
    for pk in pks {
        let Some(row) = rows.remove(pk) else { continue };
        let resources = ArtifactVersionResources {
            user: row.user_pk.and_then(|u| users.get(&u)).cloned(),
            tags: {
                let mut of_row: Vec<_> = row.tag_pks.iter().filter_map(|t| tags.get(t).cloned()).collect();
                of_row.sort_unstable_by(|a, b| a.name.cmp(&b.name));
                of_row
            },
            producer_step_run_id: producers.get(pk).map(|p| p.0),
            producer_pipeline_run_id: producers.remove(pk).map(|p| p.1),
        };
        let meta = hydrate.then(|| ArtifactVersionMetadata {
            visualizations: visualizations.remove(pk).unwrap_or_default(),
            run_metadata: metadata.remove(pk).unwrap_or_default(),
        });
        out.push(Entity {
            body: row.body,
            metadata: meta,
            resources: Some(resources),
            id: row.id,
            permission_denied: false,
            name: None,
        });
    }
    Ok(out)
}

/// The producer of each version: the oldest `completed` step run that has
/// it as an output (cached steps also list it, but never count), with its
/// run: `(step id, run id)`.
fn producers(conn: &Connection, pks: &[i64]) -> DbResult<HashMap<i64, (Id, Id)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT sa.version_pk, s.created, s.pk, s.id, run.id
         FROM rarray(?1) r CROSS JOIN step_artifacts sa ON sa.version_pk = r.value AND sa.is_output = 1
         JOIN steps s ON s.pk = sa.step_pk AND s.status = 'completed'
         JOIN runs run ON run.pk = s.run_pk",
    )?;
    let mut out: HashMap<i64, (i64, i64, Id, Id)> = HashMap::new();
    let mut rows = stmt.query([pk_array(pks)])?;
    while let Some(r) = rows.next()? {
        let (version_pk, created, step_pk): (i64, i64, i64) = (r.get(0)?, r.get(1)?, r.get(2)?);
        let older = out.get(&version_pk).is_none_or(|p| (created, step_pk) < (p.0, p.1));
        if older {
            out.insert(version_pk, (created, step_pk, r.get::<_, Id>(3)?, r.get::<_, Id>(4)?));
        }
    }
    Ok(out.into_iter().map(|(pk, (_, _, step, run))| (pk, (step, run))).collect())
}

/// The run metadata of many versions (the rules of [`super::run_metadata::fold`]).
fn run_metadata(conn: &Connection, pks: &[i64]) -> DbResult<HashMap<i64, RunMetadata>> {
    let mut stmt = conn.prepare_cached(
        "SELECT m.version_pk, m.pk, m.key, m.value
         FROM rarray(?1) r CROSS JOIN run_metadata m ON m.version_pk = r.value",
    )?;
    let rows = stmt.query_map([pk_array(pks)], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    Ok(super::run_metadata::fold(rows.collect::<Result<_, _>>()?))
}

fn visualizations_of(conn: &Connection, pks: &[i64]) -> DbResult<HashMap<i64, Vec<VisualizationResponse>>> {
    let mut stmt = conn.prepare_cached(
        "SELECT v.version_pk, v.pk, v.id, v.type, v.uri, v.created, v.updated
         FROM rarray(?1) r CROSS JOIN visualizations v ON v.version_pk = r.value",
    )?;
    let mut rows = stmt
        .query_map([pk_array(pks)], |r| {
            let vis = Entity {
                body: VisualizationBody {
                    created: Ts(r.get(5)?),
                    updated: Ts(r.get(6)?),
                    vtype: r.get(3)?,
                    uri: r.get(4)?,
                },
                metadata: None,
                resources: None,
                id: r.get::<_, Id>(2)?,
                permission_denied: false,
                name: None,
            };
            Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, vis))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    // In the order they were recorded (sorted here, as in `run_metadata`).
    rows.sort_unstable_by_key(|row| (row.0, row.1));
    let mut out: HashMap<i64, Vec<VisualizationResponse>> = HashMap::new();
    for (version_pk, _, vis) in rows {
        out.entry(version_pk).or_default().push(vis);
    }
    Ok(out)
}
