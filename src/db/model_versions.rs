//! Model versions: numbered per model, with stages; create, get, list,
//! update, delete, the batch loader, and the version a run creates for
//! itself (`pipeline-runs.md` §5.1).

use super::models::{insert_model, model_pk, models_by_pks};
use super::tables::MODEL_VERSIONS;
use super::tags::{self, TagLinks};
use super::{is_unique_violation, list, pk_array, projects, run_metadata, users, DbError, DbResult};
use crate::filter::ListQuery;
use crate::models::model::{Model, ModelBody, ModelFields, TEXT_FIELDS};
use crate::models::model_version::{
    no_services, ModelVersion, ModelVersionBody, ModelVersionMetadata, ModelVersionRequest, ModelVersionResources,
    ModelVersionResponse, ModelVersionUpdate,
};
use crate::models::tag::TagRef;
use crate::models::{Entity, Id, Page, Ts};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{Map, Value};
use std::collections::HashMap;

fn version_not_found(id: &Id) -> DbError {
    DbError::NotFound(format!(
        "\"Unable to get model version with ID '{}': No model version with this ID found\"",
        id.hyphenated()
    ))
}

const VERSION_SELECT: &str = "SELECT v.pk, v.id, v.name, v.created, v.updated, u.id, p.id, v.stage, v.number,
        v.user_pk, v.description, v.model_pk
 FROM model_versions v JOIN projects p ON p.pk = v.project_pk LEFT JOIN users u ON u.pk = v.user_pk";

/// Version rows by pk in order, with their models (one query each).
fn versions_by_pks(conn: &Connection, pks: &[i64]) -> DbResult<Vec<ModelVersion>> {
    if pks.is_empty() {
        // Runs without a model: no statements.
        return Ok(Vec::new());
    }
    let sql = format!("{VERSION_SELECT} WHERE v.pk IN (SELECT value FROM rarray(?1))");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows: Vec<(ModelVersion, i64)> = stmt
        .query_map([pk_array(pks)], |r| {
            Ok((
                r.get(0)?,
                r.get::<_, Id>(1)?,
                r.get(2)?,
                Ts(r.get(3)?),
                Ts(r.get(4)?),
                r.get::<_, Option<Id>>(5)?,
                r.get::<_, Id>(6)?,
                r.get(7)?,
                r.get(8)?,
                r.get(9)?,
                r.get(10)?,
                r.get(11)?,
            ))
        })?
        .map(|row| {
            row.map(
                |(
                    pk,
                    id,
                    name,
                    created,
                    updated,
                    user_id,
                    project_id,
                    stage,
                    number,
                    user_pk,
                    description,
                    model_pk,
                )| {
                    let placeholder = Entity::named(
                        Id::nil(),
                        String::new(),
                        ModelBody { created, updated, user_id: None, project_id },
                        None,
                        None,
                    );
                    let body =
                        ModelVersionBody { created, updated, user_id, project_id, stage, number, model: placeholder };
                    (ModelVersion { pk, id, name, body, user_pk, description }, model_pk)
                },
            )
        })
        .collect::<Result<_, _>>()?;
    let models: HashMap<i64, Model> =
        models_by_pks(conn, &rows.iter().map(|r| r.1).collect::<Vec<_>>())?.into_iter().map(|m| (m.pk, m)).collect();
    let mut found: HashMap<i64, ModelVersion> = HashMap::new();
    for (mut v, model_pk) in rows {
        if let Some(m) = models.get(&model_pk) {
            v.body.model = m.nested();
        }
        found.insert(v.pk, v);
    }
    Ok(pks.iter().filter_map(|pk| found.remove(pk)).collect())
}

/// The versions as nested in runs: body only.
pub fn nested_versions(conn: &Connection, pks: &[i64]) -> DbResult<HashMap<i64, ModelVersionResponse>> {
    Ok(versions_by_pks(conn, pks)?
        .into_iter()
        .map(|v| (v.pk, Entity::named(v.id, v.name, v.body, None, None)))
        .collect())
}

/// Version responses for `pks` in order: rows, models, users, tags, metadata.
pub fn load_versions(conn: &Connection, pks: &[i64], hydrate: bool) -> DbResult<Vec<ModelVersionResponse>> {
    let versions = versions_by_pks(conn, pks)?;
    let users = users::nested_by_pks(conn, &versions.iter().filter_map(|v| v.user_pk).collect::<Vec<_>>())?;
    let mut tags = tags::for_owners(conn, TagLinks::ModelVersions, pks)?;
    let mut metadata = match hydrate {
        true => version_metadata(conn, pks)?,
        false => HashMap::new(),
    };
    Ok(versions
        .into_iter()
        .map(|v| {
            let resources = ModelVersionResources {
                user: v.user_pk.and_then(|pk| users.get(&pk).cloned()),
                services: no_services(),
                tags: tags.remove(&v.pk).unwrap_or_default(),
            };
            let meta = hydrate.then(|| ModelVersionMetadata {
                description: v.description.clone(),
                run_metadata: metadata.remove(&v.pk).unwrap_or_else(run_metadata::empty),
            });
            Entity::named(v.id, v.name, v.body, meta, Some(resources))
        })
        .collect())
}

fn version_metadata(
    conn: &Connection,
    pks: &[i64],
) -> DbResult<HashMap<i64, crate::models::artifact_version::RunMetadata>> {
    let mut stmt = conn.prepare_cached(
        "SELECT m.model_version_pk, m.pk, m.key, m.value FROM rarray(?1) r
         CROSS JOIN model_version_metadata m ON m.model_version_pk = r.value",
    )?;
    let rows = stmt.query_map([pk_array(pks)], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    Ok(run_metadata::fold(rows.collect::<Result<_, _>>()?))
}

pub fn version_pk(conn: &Connection, id: &Id) -> DbResult<i64> {
    conn.prepare_cached("SELECT pk FROM model_versions WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?
        .ok_or_else(|| version_not_found(id))
}

pub fn get_version(conn: &Connection, id: &Id, hydrate: bool) -> DbResult<ModelVersionResponse> {
    let pk = version_pk(conn, id)?;
    load_versions(conn, &[pk], hydrate)?.pop().ok_or_else(|| version_not_found(id))
}

/// Insert a version with the next number of its model (`name` defaults to
/// the number); its pk.
fn insert_version(
    conn: &Connection,
    model_pk: i64,
    name: Option<&str>,
    description: Option<&str>,
    tags: &[TagRef],
    user_pk: i64,
    producer_run: Option<i64>,
) -> DbResult<i64> {
    let (project_pk, number): (i64, i64) = conn
        .prepare_cached(
            "SELECT m.project_pk, COALESCE((SELECT MAX(number) FROM model_versions WHERE model_pk = m.pk), 0) + 1
             FROM models m WHERE m.pk = ?1",
        )?
        .query_row([model_pk], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let name = name.map_or_else(|| number.to_string(), str::to_string);
    let inserted = conn
        .prepare_cached(
            "INSERT INTO model_versions (id, project_pk, model_pk, user_pk, name, number, description, producer_run_pk,
                                         created, updated)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
        )?
        .execute(params![
            Id::new_v4(),
            project_pk,
            model_pk,
            user_pk,
            name,
            number,
            description,
            producer_run,
            Ts::now().0
        ]);
    match inserted {
        Ok(_) => {}
        Err(e) if is_unique_violation(&e) => {
            return Err(DbError::Conflict(format!(
                "Unable to create model version {name}: A model version with this name already exists."
            )))
        }
        Err(e) => return Err(e.into()),
    }
    let pk = conn.last_insert_rowid();
    let tag_pks = tags::resolve_or_create(conn, tags, user_pk)?;
    tags::attach_to(conn, TagLinks::ModelVersions, pk, &tag_pks)?;
    Ok(pk)
}

pub fn create_version(conn: &Connection, req: &ModelVersionRequest, user_pk: i64) -> DbResult<ModelVersionResponse> {
    projects::get_by_id(conn, &req.project)?;
    let model = model_pk(conn, &req.model.hyphenated(), None)?;
    let pk = insert_version(conn, model, req.name.as_deref(), req.description.as_deref(), &req.tags, user_pk, None)?;
    if let Some(stage) = &req.stage {
        set_stage(conn, pk, stage, false)?;
    }
    Ok(load_versions(conn, &[pk], true)?.remove(0))
}

/// Give a version a stage; another version of the model holding it keeps it
/// unless `force` (then it is archived).
fn set_stage(conn: &Connection, pk: i64, stage: &str, force: bool) -> DbResult<()> {
    if !matches!(stage, "none" | "archived") {
        let holder: Option<String> = conn
            .prepare_cached(
                "SELECT o.name FROM model_versions o JOIN model_versions v ON v.model_pk = o.model_pk
                 WHERE v.pk = ?1 AND o.pk <> ?1 AND o.stage = ?2",
            )?
            .query_row(params![pk, stage], |r| r.get(0))
            .optional()?;
        if let Some(holder) = holder {
            if !force {
                return Err(DbError::Conflict(format!(
                    "Model version {holder} has been set to {stage}, but there could be only one {stage} model version. \
                     Use force=True to move {holder} to archived and set this version to {stage}."
                )));
            }
            conn.prepare_cached(
                "UPDATE model_versions SET stage = 'archived'
                 WHERE model_pk = (SELECT model_pk FROM model_versions WHERE pk = ?1) AND pk <> ?1 AND stage = ?2",
            )?
            .execute(params![pk, stage])?;
        }
    }
    conn.prepare_cached("UPDATE model_versions SET stage = ?2 WHERE pk = ?1")?.execute(params![pk, stage])?;
    Ok(())
}

pub fn update_version(
    conn: &Connection,
    id: &Id,
    upd: &ModelVersionUpdate,
    user_pk: i64,
) -> DbResult<ModelVersionResponse> {
    let pk = version_pk(conn, id)?;
    if let Some(stage) = &upd.stage {
        set_stage(conn, pk, stage, upd.force)?;
    }
    if let Some(name) = &upd.name {
        conn.prepare_cached("UPDATE model_versions SET name = ?2 WHERE pk = ?1")?.execute(params![pk, name]).map_err(
            |e| match is_unique_violation(&e) {
                true => DbError::Conflict(format!("A model version with the name {name} already exists.")),
                false => e.into(),
            },
        )?;
    }
    if let Some(description) = &upd.description {
        conn.prepare_cached("UPDATE model_versions SET description = ?2 WHERE pk = ?1")?
            .execute(params![pk, description])?;
    }
    let tag_pks = tags::resolve_or_create(conn, &upd.add_tags, user_pk)?;
    tags::attach_to(conn, TagLinks::ModelVersions, pk, &tag_pks)?;
    tags::detach_from(conn, TagLinks::ModelVersions, pk, &upd.remove_tags)?;
    conn.prepare_cached("UPDATE model_versions SET updated = ?2 WHERE pk = ?1")?.execute(params![pk, Ts::now().0])?;
    Ok(load_versions(conn, &[pk], true)?.remove(0))
}

/// Delete a version and its links (the artifact versions and runs stay).
pub fn delete_version(conn: &Connection, id: &Id) -> DbResult<()> {
    let pk = version_pk(conn, id)?;
    conn.prepare_cached("DELETE FROM model_versions WHERE pk = ?1")?.execute([pk])?;
    Ok(())
}

pub fn list_versions(conn: &Connection, q: &ListQuery) -> DbResult<Page<ModelVersionResponse>> {
    let page = list::project_page(conn, &MODEL_VERSIONS, q)?;
    let items = load_versions(conn, &page.pks, q.hydrate.unwrap_or(false))?;
    Ok(page.with_items(q, items))
}

/// `run.config.model`, formatted with the run's substitutions: the model
/// (get or create) and its version for this run (§5.1); the version pk.
pub fn version_for_run(
    conn: &Connection,
    project_pk: i64,
    configured: &Map<String, Value>,
    substitutions: &Map<String, Value>,
    run_pk: i64,
    user_pk: i64,
) -> DbResult<Option<i64>> {
    let format = |s: &str| {
        let mut out = s.to_string();
        for (k, v) in substitutions {
            if let Some(v) = v.as_str() {
                out = out.replace(&format!("{{{k}}}"), v);
            }
        }
        out
    };
    let Some(name) = configured.get("name").and_then(Value::as_str).map(format) else { return Ok(None) };
    let existing: Option<i64> = conn
        .prepare_cached("SELECT pk FROM models WHERE project_pk = ?1 AND name = ?2")?
        .query_row(params![project_pk, name], |r| r.get(0))
        .optional()?;
    let model_pk = match existing {
        Some(pk) => pk,
        None => {
            let mut fields = ModelFields::default();
            for (i, key) in TEXT_FIELDS.iter().enumerate() {
                fields.texts[i] = Some(configured.get(*key).and_then(Value::as_str).map(str::to_string));
            }
            fields.save_models_to_registry = configured.get("save_models_to_registry").and_then(Value::as_bool);
            insert_model(conn, project_pk, &name, &fields, user_pk)?
        }
    };
    let description = configured.get("description").and_then(Value::as_str);
    let tags: Vec<TagRef> = configured
        .get("tags")
        .and_then(Value::as_array)
        .map(|t| t.iter().filter_map(Value::as_str).map(|s| TagRef::Name(s.to_string())).collect())
        .unwrap_or_default();
    let version = match configured.get("version") {
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(Value::String(s)) => Some(format(s)),
        _ => None,
    };
    let pk = match version {
        None => {
            let again: Option<i64> = conn
                .prepare_cached("SELECT pk FROM model_versions WHERE model_pk = ?1 AND producer_run_pk = ?2")?
                .query_row([model_pk, run_pk], |r| r.get(0))
                .optional()?;
            match again {
                Some(pk) => pk,
                None => insert_version(conn, model_pk, None, description, &tags, user_pk, Some(run_pk))?,
            }
        }
        Some(v) => {
            let sql = match v.as_str() {
                "latest" => {
                    "SELECT pk FROM model_versions WHERE model_pk = ?1 AND ?2 = ?2 ORDER BY number DESC LIMIT 1"
                }
                "production" | "staging" | "archived" | "none" => {
                    "SELECT pk FROM model_versions WHERE model_pk = ?1 AND stage = ?2"
                }
                n if n.parse::<i64>().is_ok() => "SELECT pk FROM model_versions WHERE model_pk = ?1 AND number = ?2",
                _ => "SELECT pk FROM model_versions WHERE model_pk = ?1 AND name = ?2",
            };
            let found: Option<i64> =
                conn.prepare_cached(sql)?.query_row(params![model_pk, v], |r| r.get(0)).optional()?;
            match found {
                Some(pk) => pk,
                None if v.parse::<i64>().is_err() && !crate::models::model_version::STAGES.contains(&v.as_str()) => {
                    insert_version(conn, model_pk, Some(&v), description, &tags, user_pk, None)?
                }
                None => {
                    return Err(DbError::NotFound(format!(
                        "\"No model version found for model {name} with version {v}\""
                    )))
                }
            }
        }
    };
    super::model_links::link_run(conn, pk, run_pk, user_pk)?;
    Ok(Some(pk))
}
