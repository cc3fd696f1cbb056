//! Creating on the target what it lacks, kind by kind (projects, tags,
//! artifacts, versions; models and the rest in [`super::push_models`]),
//! each looked up by name first ([`super::target`]), so a second run
//! creates nothing.

use super::client::{id_of, Client, HttpError};
use super::report::{Kind, Report};
use super::target::Target;
use crate::db::migration_source::{Snapshot, Version};
use serde_json::{json, Map, Value};

/// Versions per `POST /artifact_versions/batch`.
const BATCH: usize = 50;

/// Why a run ended before everything was created.
#[derive(Debug)]
pub enum Stop {
    /// `--limit` creates were made.
    Limit,
    Http(HttpError),
}

impl From<HttpError> for Stop {
    fn from(e: HttpError) -> Stop {
        Stop::Http(e)
    }
}

pub struct Pusher<'a> {
    pub client: Option<&'a Client>,
    pub target: Target,
    pub report: Report,
    /// Creates left before `Stop::Limit` (`None`: no limit).
    pub budget: Option<u64>,
}

impl Pusher<'_> {
    /// Push the whole snapshot (or, without a client, a dry run: count).
    pub fn push(&mut self, s: &Snapshot) -> Result<(), Stop> {
        for p in &s.projects {
            if self.target.projects.contains_key(&p.name) {
                self.report.tally(Kind::Project).existing += 1;
                continue;
            }
            let body = json!({"name": p.name, "display_name": p.display_name, "description": p.description});
            let id = self.create(Kind::Project, "/projects", &body)?;
            self.target.projects.insert(p.name.clone(), id);
        }
        for t in &s.tags {
            if self.target.tags.contains_key(&t.name) {
                self.report.tally(Kind::Tag).existing += 1;
                continue;
            }
            let body = json!({"name": t.name, "color": t.color, "exclusive": t.exclusive});
            self.create(Kind::Tag, "/tags", &body)?;
            self.target.tags.insert(t.name.clone(), t.exclusive);
        }
        for a in &s.artifacts {
            let key = (a.project.clone(), a.name.clone());
            if self.target.artifacts.contains_key(&key) {
                self.report.tally(Kind::Artifact).existing += 1;
                continue;
            }
            let tags = self.attachable("artifact", &a.name, &a.tags);
            let body = json!({"project": self.project(&a.project), "name": a.name,
                              "has_custom_name": a.has_custom_name, "tags": tags});
            let id = self.create(Kind::Artifact, "/artifacts", &body)?;
            self.target.artifacts.insert(key, id);
        }
        self.push_versions(&s.versions)?;
        self.push_models(s)?;
        Ok(())
    }

    /// The versions the target lacks, in creation order, in batches.
    fn push_versions(&mut self, versions: &[Version]) -> Result<(), Stop> {
        let mut pending: Vec<&Version> = Vec::new();
        for v in versions {
            if self.target.versions.contains_key(&(v.project.clone(), v.artifact.clone(), v.version.clone())) {
                self.report.tally(Kind::ArtifactVersion).existing += 1;
                continue;
            }
            pending.push(v);
        }
        for chunk in pending.chunks(BATCH) {
            let take = match self.budget {
                Some(0) => return Err(Stop::Limit),
                Some(left) => chunk.len().min(left as usize),
                None => chunk.len(),
            };
            let chunk = &chunk[..take];
            if let Some(client) = self.client {
                let bodies: Vec<Value> = chunk.iter().map(|v| self.version_body(v)).collect();
                let created = client.post("/artifact_versions/batch", &Value::Array(bodies))?;
                let ids = created.as_array().map(|a| a.iter().map(|v| id_of(v).unwrap_or_default()).collect());
                for (v, id) in chunk.iter().zip(ids.unwrap_or_else(Vec::new)) {
                    self.target.versions.insert((v.project.clone(), v.artifact.clone(), v.version.clone()), id.into());
                }
            }
            self.spend(Kind::ArtifactVersion, chunk.len() as u64);
        }
        Ok(())
    }

    fn version_body(&self, v: &Version) -> Value {
        let artifact = self.target.artifacts.get(&(v.project.clone(), v.artifact.clone()));
        let visualizations: Vec<Value> =
            v.visualizations.iter().map(|(kind, uri)| json!({"type": kind, "uri": uri})).collect();
        json!({
            "project": self.project(&v.project),
            "artifact_id": artifact,
            "version": v.version,
            "type": v.kind,
            "uri": v.uri,
            "materializer": v.materializer,
            "data_type": v.data_type,
            "save_type": v.save_type,
            "artifact_store_id": if v.has_artifact_store { self.target.artifact_store.clone() } else { None },
            "content_hash": v.content_hash,
            "item_count": v.item_count,
            "tags": v.tags,
            "visualizations": visualizations,
            "metadata": if v.metadata.is_empty() { Value::Null } else { Value::Object(Map::clone(&v.metadata)) },
        })
    }

    /// The tags ZenML attaches to a `what` other than an artifact version
    /// (or a run): the exclusive ones are left out, with a note.
    pub(super) fn attachable(&mut self, what: &str, name: &str, tags: &[String]) -> Vec<String> {
        let (exclusive, rest): (Vec<_>, Vec<_>) =
            tags.iter().cloned().partition(|t| self.target.tags.get(t).copied().unwrap_or(false));
        for tag in exclusive {
            self.report.notes.push(format!(
                "the exclusive tag {tag} is not attached to the {what} {name}: ZenML attaches exclusive tags only to runs, snapshots, deployments and artifact versions"
            ));
        }
        rest
    }

    /// The target id of a project (empty in a dry run before it exists).
    pub(super) fn project(&self, name: &str) -> String {
        self.target.projects.get(name).cloned().unwrap_or_default()
    }

    /// Create one object (in a dry run: count it); its id on the target.
    pub(super) fn create(&mut self, kind: Kind, path: &str, body: &Value) -> Result<String, Stop> {
        Ok(id_of(&self.create_returning(kind, path, body)?).unwrap_or_default().to_string())
    }

    /// Create one object (in a dry run: count it); the target's answer
    /// (`null` in a dry run).
    pub(super) fn create_returning(&mut self, kind: Kind, path: &str, body: &Value) -> Result<Value, Stop> {
        if self.budget == Some(0) {
            return Err(Stop::Limit);
        }
        let answer = match self.client {
            Some(client) => client.post(path, body)?,
            None => Value::Null,
        };
        self.spend(kind, 1);
        Ok(answer)
    }

    fn spend(&mut self, kind: Kind, n: u64) {
        self.report.tally(kind).created += n;
        if let Some(left) = &mut self.budget {
            *left = left.saturating_sub(n);
        }
    }
}
