//! What `trove migrate` reads: the whole database as plain records, in one
//! read transaction (a consistent snapshot, also while a server writes).
//! Names, not ids, link the records: the target server has its own ids.

use super::{DbError, DbResult};
use rusqlite::{Connection, OpenFlags, Row};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::path::Path;

pub struct Project {
    pub name: String,
    pub display_name: String,
    pub description: String,
}

pub struct Tag {
    pub name: String,
    pub color: String,
    pub exclusive: bool,
}

pub struct Artifact {
    pub project: String,
    pub name: String,
    pub has_custom_name: bool,
    pub tags: Vec<String>,
}

pub struct Version {
    pub project: String,
    pub artifact: String,
    pub version: String,
    pub uri: String,
    pub kind: String,
    pub materializer: Value,
    pub data_type: Value,
    pub save_type: String,
    pub has_artifact_store: bool,
    pub content_hash: Option<String>,
    pub item_count: Option<i64>,
    pub tags: Vec<String>,
    /// As the version's response shows it (newest value per key, objects merged).
    pub metadata: Map<String, Value>,
    /// `(type, uri)` in insertion order.
    pub visualizations: Vec<(String, String)>,
}

pub struct Model {
    pub project: String,
    pub name: String,
    /// license, description, audience, use_cases, limitations, trade_offs, ethics.
    pub texts: Vec<(&'static str, Option<String>)>,
    pub save_models_to_registry: bool,
    pub tags: Vec<String>,
}

pub struct ModelVersion {
    pub project: String,
    pub model: String,
    pub name: String,
    pub number: i64,
    pub description: Option<String>,
    pub stage: Option<String>,
    pub tags: Vec<String>,
    pub metadata: Vec<MetadataEntry>,
}

/// `(key, value, type)`: the newest value of a key (objects merged) and its type.
pub type MetadataEntry = (String, Value, String);

/// A model version's link to an artifact version.
pub struct ModelVersionArtifact {
    pub project: String,
    pub model: String,
    pub model_version: String,
    /// The artifact version's project, artifact and version.
    pub version: (String, String, String),
}

pub struct Pipeline {
    pub project: String,
    pub name: String,
    pub description: Option<String>,
    pub tags: Vec<String>,
}

/// Everything `trove migrate` pushes, in creation order (oldest first), and
/// the counts of what it does not.
pub struct Snapshot {
    pub projects: Vec<Project>,
    pub tags: Vec<Tag>,
    pub artifacts: Vec<Artifact>,
    pub versions: Vec<Version>,
    pub models: Vec<Model>,
    pub model_versions: Vec<ModelVersion>,
    pub pipelines: Vec<Pipeline>,
    pub model_version_artifacts: Vec<ModelVersionArtifact>,
    pub runs: u64,
    pub steps: u64,
    pub users: u64,
    /// Links of model versions to runs.
    pub model_version_runs: u64,
}

/// Open the database at `path` read-only (refusing a missing one or one of
/// another schema version) and read it in one transaction.
pub fn read(path: &Path) -> DbResult<Snapshot> {
    if !path.is_file() {
        return Err(DbError::NotFound(format!("there is no database at {} (check --data-dir)", path.display())));
    }
    let mut conn =
        Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version != super::migrate::SCHEMA_VERSION {
        return Err(DbError::Schema(format!(
            "the database has schema version {version}, this trove reads {}; start this trove's server once to upgrade it",
            super::migrate::SCHEMA_VERSION
        )));
    }
    let tx = conn.transaction()?;
    let snapshot = read_all(&tx)?;
    tx.finish()?;
    Ok(snapshot)
}

fn read_all(conn: &Connection) -> DbResult<Snapshot> {
    let tag_names: HashMap<i64, String> =
        rows(conn, "SELECT pk, name FROM tags", |r| Ok((r.get(0)?, r.get(1)?)))?.into_iter().collect();
    let tags_of = |table: &str, owner: &str| -> DbResult<HashMap<i64, Vec<String>>> {
        let mut out: HashMap<i64, Vec<String>> = HashMap::new();
        let sql = format!("SELECT {owner}, tag_pk FROM {table}");
        for (owner, tag) in rows(conn, &sql, |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))? {
            out.entry(owner).or_default().extend(tag_names.get(&tag).cloned());
        }
        out.values_mut().for_each(|v| v.sort());
        Ok(out)
    };
    let projects = rows(conn, "SELECT name, display_name, description FROM projects ORDER BY created, pk", |r| {
        Ok(Project { name: r.get(0)?, display_name: r.get(1)?, description: r.get(2)? })
    })?;
    let tags = rows(conn, "SELECT name, color, exclusive FROM tags ORDER BY created, pk", |r| {
        Ok(Tag { name: r.get(0)?, color: r.get(1)?, exclusive: r.get(2)? })
    })?;
    let mut artifact_tags = tags_of("artifact_tags", "artifact_pk")?;
    let artifacts = rows(
        conn,
        "SELECT a.pk, p.name, a.name, a.has_custom_name FROM artifacts a JOIN projects p ON p.pk = a.project_pk
         ORDER BY a.created, a.pk",
        |r| Ok((r.get::<_, i64>(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?
    .into_iter()
    .map(|(pk, project, name, has_custom_name)| Artifact {
        project,
        name,
        has_custom_name,
        tags: artifact_tags.remove(&pk).unwrap_or_default(),
    })
    .collect();
    let versions = versions(conn, &tags_of("artifact_version_tags", "version_pk")?)?;
    let mut model_tags = tags_of("model_tags", "model_pk")?;
    let models = rows(
        conn,
        "SELECT m.pk, p.name, m.name, m.license, m.description, m.audience, m.use_cases, m.limitations,
                m.trade_offs, m.ethics, m.save_models_to_registry
         FROM models m JOIN projects p ON p.pk = m.project_pk ORDER BY m.created, m.pk",
        |r| {
            let names = ["license", "description", "audience", "use_cases", "limitations", "trade_offs", "ethics"];
            let texts =
                names.iter().enumerate().map(|(i, n)| Ok((*n, r.get(3 + i)?))).collect::<rusqlite::Result<_>>()?;
            Ok((r.get::<_, i64>(0)?, r.get(1)?, r.get(2)?, texts, r.get(10)?))
        },
    )?
    .into_iter()
    .map(|(pk, project, name, texts, save_models_to_registry)| Model {
        project,
        name,
        texts,
        save_models_to_registry,
        tags: model_tags.remove(&pk).unwrap_or_default(),
    })
    .collect();
    let mut mv_tags = tags_of("model_version_tags", "model_version_pk")?;
    let mut mv_metadata = model_version_metadata(conn)?;
    let model_versions = rows(
        conn,
        "SELECT v.pk, p.name, m.name, v.name, v.number, v.description, v.stage
         FROM model_versions v JOIN models m ON m.pk = v.model_pk JOIN projects p ON p.pk = v.project_pk
         ORDER BY m.pk, v.number",
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                ModelVersion {
                    project: r.get(1)?,
                    model: r.get(2)?,
                    name: r.get(3)?,
                    number: r.get(4)?,
                    description: r.get(5)?,
                    stage: r.get(6)?,
                    tags: Vec::new(),
                    metadata: Vec::new(),
                },
            ))
        },
    )?
    .into_iter()
    .map(|(pk, v)| ModelVersion {
        tags: mv_tags.remove(&pk).unwrap_or_default(),
        metadata: mv_metadata.remove(&pk).unwrap_or_default(),
        ..v
    })
    .collect();
    let mut pipeline_tags = tags_of("pipeline_tags", "pipeline_pk")?;
    let pipelines = rows(
        conn,
        "SELECT x.pk, p.name, x.name, x.description FROM pipelines x JOIN projects p ON p.pk = x.project_pk
         ORDER BY x.created, x.pk",
        |r| Ok((r.get::<_, i64>(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )?
    .into_iter()
    .map(|(pk, project, name, description)| Pipeline {
        project,
        name,
        description,
        tags: pipeline_tags.remove(&pk).unwrap_or_default(),
    })
    .collect();
    let count = |table: &str| -> DbResult<u64> {
        Ok(conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get::<_, i64>(0))? as u64)
    };
    Ok(Snapshot {
        projects,
        tags,
        artifacts,
        versions,
        models,
        model_versions,
        pipelines,
        runs: count("runs")?,
        steps: count("steps")?,
        users: count("users")?,
        model_version_artifacts: model_version_artifacts(conn)?,
        model_version_runs: count("model_version_runs")?,
    })
}

/// Every artifact version in creation order, with its tags, shown metadata
/// and visualizations.
fn versions(conn: &Connection, tags: &HashMap<i64, Vec<String>>) -> DbResult<Vec<Version>> {
    let metadata_rows = rows(conn, "SELECT version_pk, pk, key, value FROM run_metadata", |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })?;
    let mut metadata = super::run_metadata::fold(metadata_rows);
    let mut visualizations: HashMap<i64, Vec<(String, String)>> = HashMap::new();
    for (pk, kind, uri) in rows(conn, "SELECT version_pk, type, uri FROM visualizations ORDER BY pk", |r| {
        Ok((r.get::<_, i64>(0)?, r.get(1)?, r.get(2)?))
    })? {
        visualizations.entry(pk).or_default().push((kind, uri));
    }
    let json = |text: String| serde_json::from_str(&text).unwrap_or(Value::String(text));
    rows(
        conn,
        "SELECT v.pk, p.name, a.name, v.version, v.uri, v.type, v.materializer, v.data_type, v.save_type,
                v.artifact_store_id IS NOT NULL, v.content_hash, v.item_count
         FROM artifact_versions v JOIN artifacts a ON a.pk = v.artifact_pk JOIN projects p ON p.pk = v.project_pk
         ORDER BY v.created, v.pk",
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                Version {
                    project: r.get(1)?,
                    artifact: r.get(2)?,
                    version: r.get(3)?,
                    uri: r.get(4)?,
                    kind: r.get(5)?,
                    materializer: json(r.get(6)?),
                    data_type: json(r.get(7)?),
                    save_type: r.get(8)?,
                    has_artifact_store: r.get(9)?,
                    content_hash: r.get(10)?,
                    item_count: r.get(11)?,
                    tags: Vec::new(),
                    metadata: Map::new(),
                    visualizations: Vec::new(),
                },
            ))
        },
    )?
    .into_iter()
    .map(|(pk, v)| {
        let metadata = metadata.remove(&pk).map(|m| m.0).unwrap_or_default();
        Ok(Version {
            tags: tags.get(&pk).cloned().unwrap_or_default(),
            metadata: metadata
                .into_iter()
                .map(|(k, raw)| Ok((k, serde_json::from_str(raw.get())?)))
                .collect::<Result<_, serde_json::Error>>()
                .map_err(|e| DbError::Schema(format!("stored run metadata is not JSON: {e}")))?,
            visualizations: visualizations.remove(&pk).unwrap_or_default(),
            ..v
        })
    })
    .collect()
}

/// Each model version's metadata as it shows it, with the newest type per key.
fn model_version_metadata(conn: &Connection) -> DbResult<HashMap<i64, Vec<MetadataEntry>>> {
    let entries = rows(conn, "SELECT model_version_pk, pk, key, value, type FROM model_version_metadata", |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
        ))
    })?;
    let mut types: HashMap<(i64, String), (i64, String)> = HashMap::new();
    for (owner, pk, key, _, kind) in &entries {
        let newest = types.entry((*owner, key.clone())).or_insert((*pk, kind.clone()));
        if *pk > newest.0 {
            *newest = (*pk, kind.clone());
        }
    }
    let folded = super::run_metadata::fold(entries.into_iter().map(|(o, pk, k, v, _)| (o, pk, k, v)).collect());
    let mut out = HashMap::new();
    for (owner, metadata) in folded {
        let mut list = Vec::new();
        for (key, raw) in metadata.0 {
            let value =
                serde_json::from_str(raw.get()).map_err(|e| DbError::Schema(format!("stored metadata: {e}")))?;
            let kind = types.remove(&(owner, key.clone())).map(|t| t.1).unwrap_or_default();
            list.push((key, value, kind));
        }
        out.insert(owner, list);
    }
    Ok(out)
}

fn model_version_artifacts(conn: &Connection) -> DbResult<Vec<ModelVersionArtifact>> {
    rows(
        conn,
        "SELECT p.name, m.name, mv.name, vp.name, a.name, v.version
         FROM model_version_artifacts l
         JOIN model_versions mv ON mv.pk = l.model_version_pk JOIN models m ON m.pk = mv.model_pk
         JOIN projects p ON p.pk = mv.project_pk
         JOIN artifact_versions v ON v.pk = l.version_pk JOIN artifacts a ON a.pk = v.artifact_pk
         JOIN projects vp ON vp.pk = v.project_pk
         ORDER BY l.created, l.pk",
        |r| {
            Ok(ModelVersionArtifact {
                project: r.get(0)?,
                model: r.get(1)?,
                model_version: r.get(2)?,
                version: (r.get(3)?, r.get(4)?, r.get(5)?),
            })
        },
    )
}

fn rows<T>(conn: &Connection, sql: &str, f: impl FnMut(&Row) -> rusqlite::Result<T>) -> DbResult<Vec<T>> {
    let mut stmt = conn.prepare(sql)?;
    let out = stmt.query_map([], f)?.collect::<Result<_, _>>()?;
    Ok(out)
}
