//! Models: create, get, list, update, delete and the batch loader. Their
//! versions are in [`super::model_versions`].

use super::tables::MODELS;
use super::tags::{self, TagLinks};
use super::{is_unique_violation, list, pk_array, projects, users, DbError, DbResult};
use crate::filter::ListQuery;
use crate::models::model::{
    Model, ModelBody, ModelFields, ModelMetadata, ModelRequest, ModelResources, ModelResponse, ModelUpdate, TEXT_FIELDS,
};
use crate::models::{Entity, Id, Page, Ts};
use rusqlite::{params, Connection, OptionalExtension, Row};
use std::collections::HashMap;

const MODEL_SELECT: &str = "SELECT m.pk, m.id, m.name, m.created, m.updated, u.id, p.id, m.user_pk, m.license,
        m.description, m.audience, m.use_cases, m.limitations, m.trade_offs, m.ethics, m.save_models_to_registry
 FROM models m JOIN projects p ON p.pk = m.project_pk LEFT JOIN users u ON u.pk = m.user_pk";

fn model_row(r: &Row) -> rusqlite::Result<Model> {
    Ok(Model {
        pk: r.get(0)?,
        id: r.get::<_, Id>(1)?,
        name: r.get(2)?,
        body: ModelBody {
            created: Ts(r.get(3)?),
            updated: Ts(r.get(4)?),
            user_id: r.get::<_, Option<Id>>(5)?,
            project_id: r.get::<_, Id>(6)?,
        },
        user_pk: r.get(7)?,
        metadata: ModelMetadata {
            license: r.get(8)?,
            description: r.get(9)?,
            audience: r.get(10)?,
            use_cases: r.get(11)?,
            limitations: r.get(12)?,
            trade_offs: r.get(13)?,
            ethics: r.get(14)?,
            save_models_to_registry: r.get(15)?,
        },
    })
}

pub fn model_not_found(id: &str) -> DbError {
    DbError::NotFound(format!("\"Unable to get model with ID '{id}': No model with this ID found\""))
}

pub(super) fn models_by_pks(conn: &Connection, pks: &[i64]) -> DbResult<Vec<Model>> {
    let sql = format!("{MODEL_SELECT} WHERE m.pk IN (SELECT value FROM rarray(?1))");
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut found: HashMap<i64, Model> =
        stmt.query_map([pk_array(pks)], model_row)?.map(|m| m.map(|m| (m.pk, m))).collect::<Result<_, _>>()?;
    Ok(pks.iter().filter_map(|pk| found.remove(pk)).collect())
}

/// Model responses for `pks` in order: rows, newest versions, users, tags.
pub fn load_models(conn: &Connection, pks: &[i64], hydrate: bool) -> DbResult<Vec<ModelResponse>> {
    let models = models_by_pks(conn, pks)?;
    let mut latest: HashMap<i64, (String, Id)> = conn
        .prepare_cached(
            "SELECT r.value, v.name, v.id FROM rarray(?1) r
             CROSS JOIN model_versions v ON v.pk = (SELECT x.pk FROM model_versions x WHERE x.model_pk = r.value
                                                    ORDER BY x.number DESC LIMIT 1)",
        )?
        .query_map([pk_array(pks)], |r| Ok((r.get(0)?, (r.get(1)?, r.get::<_, Id>(2)?))))?
        .collect::<Result<_, _>>()?;
    let users = users::nested_by_pks(conn, &models.iter().filter_map(|m| m.user_pk).collect::<Vec<_>>())?;
    let mut tags = tags::for_owners(conn, TagLinks::Models, pks)?;
    Ok(models
        .into_iter()
        .map(|m| {
            let newest = latest.remove(&m.pk);
            let resources = ModelResources {
                user: m.user_pk.and_then(|pk| users.get(&pk).cloned()),
                tags: tags.remove(&m.pk).unwrap_or_default(),
                latest_version_name: newest.as_ref().map(|n| n.0.clone()),
                latest_version_id: newest.map(|n| n.1),
                visualizations: Vec::new(),
            };
            let metadata = hydrate.then_some(m.metadata);
            Entity::named(m.id, m.name, m.body, metadata, Some(resources))
        })
        .collect())
}

/// A model by id or name in a project (the default one when `None`).
pub(super) fn model_pk(conn: &Connection, name_or_id: &str, project_pk: Option<i64>) -> DbResult<i64> {
    let id = Id::parse(name_or_id).map(|h| h.simple()).unwrap_or_default();
    let project_pk = match project_pk {
        Some(pk) => pk,
        None => projects::default_pk(conn)?,
    };
    conn.prepare_cached("SELECT pk FROM models WHERE id = ?1 OR (name = ?2 AND project_pk = ?3)")?
        .query_row(params![id, name_or_id, project_pk], |r| r.get(0))
        .optional()?
        .ok_or_else(|| model_not_found(name_or_id))
}

pub fn get_model(conn: &Connection, name_or_id: &str, hydrate: bool) -> DbResult<ModelResponse> {
    let pk = model_pk(conn, name_or_id, None)?;
    load_models(conn, &[pk], hydrate)?.pop().ok_or_else(|| model_not_found(name_or_id))
}

pub(super) fn insert_model(
    conn: &Connection,
    project_pk: i64,
    name: &str,
    fields: &ModelFields,
    user_pk: i64,
) -> DbResult<i64> {
    let text = |i: usize| fields.texts[i].clone().flatten();
    let inserted = conn
        .prepare_cached(
            "INSERT INTO models (id, project_pk, user_pk, name, license, description, audience, use_cases, limitations,
                                 trade_offs, ethics, save_models_to_registry, created, updated)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13)",
        )?
        .execute(params![
            Id::new_v4(),
            project_pk,
            user_pk,
            name,
            text(0),
            text(1),
            text(2),
            text(3),
            text(4),
            text(5),
            text(6),
            fields.save_models_to_registry.unwrap_or(true),
            Ts::now().0
        ]);
    match inserted {
        Ok(_) => Ok(conn.last_insert_rowid()),
        Err(e) if is_unique_violation(&e) => Err(DbError::Conflict(format!(
            "Unable to register model with name '{name}': Found an existing model with the same name."
        ))),
        Err(e) => Err(e.into()),
    }
}

pub fn create_model(conn: &Connection, req: &ModelRequest, user_pk: i64) -> DbResult<ModelResponse> {
    let project = projects::get_by_id(conn, &req.project)?;
    let pk = insert_model(conn, project.pk, &req.name, &req.fields, user_pk)?;
    let tag_pks = tags::resolve_or_create(conn, &req.tags, user_pk)?;
    tags::attach_to(conn, TagLinks::Models, pk, &tag_pks)?;
    Ok(load_models(conn, &[pk], true)?.remove(0))
}

pub fn update_model(conn: &Connection, id: &str, upd: &ModelUpdate, user_pk: i64) -> DbResult<ModelResponse> {
    let pk = model_pk(conn, id, None)?;
    if let Some(name) = &upd.name {
        conn.prepare_cached("UPDATE models SET name = ?2 WHERE pk = ?1")?.execute(params![pk, name]).map_err(|e| {
            match is_unique_violation(&e) {
                true => DbError::Conflict(format!("A model with the name {name} already exists.")),
                false => e.into(),
            }
        })?;
    }
    for (i, key) in TEXT_FIELDS.iter().enumerate() {
        if let Some(value) = &upd.fields.texts[i] {
            conn.prepare_cached(&format!("UPDATE models SET {key} = ?2 WHERE pk = ?1"))?.execute(params![pk, value])?;
        }
    }
    if let Some(save) = upd.fields.save_models_to_registry {
        conn.prepare_cached("UPDATE models SET save_models_to_registry = ?2 WHERE pk = ?1")?
            .execute(params![pk, save])?;
    }
    let tag_pks = tags::resolve_or_create(conn, &upd.add_tags, user_pk)?;
    tags::attach_to(conn, TagLinks::Models, pk, &tag_pks)?;
    tags::detach_from(conn, TagLinks::Models, pk, &upd.remove_tags)?;
    conn.prepare_cached("UPDATE models SET updated = ?2 WHERE pk = ?1")?.execute(params![pk, Ts::now().0])?;
    Ok(load_models(conn, &[pk], true)?.remove(0))
}

/// Delete a model with its versions and their links (artifacts stay).
pub fn delete_model(conn: &Connection, id: &str) -> DbResult<()> {
    let pk = model_pk(conn, id, None)?;
    conn.prepare_cached("DELETE FROM models WHERE pk = ?1")?.execute([pk])?;
    Ok(())
}

pub fn list_models(conn: &Connection, q: &ListQuery) -> DbResult<Page<ModelResponse>> {
    let page = list::project_page(conn, &MODELS, q)?;
    let items = load_models(conn, &page.pks, q.hydrate.unwrap_or(false))?;
    Ok(page.with_items(q, items))
}
