//! What already exists on the target server, by name: the lookups that make
//! a migration resumable (nothing is created twice, no progress file).

use super::client::{id_of, name_of, Client, HttpError};
use crate::db::migration_source::Snapshot;
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// `(project name, name)`.
pub type Named = (String, String);
/// `(project name, owner name, name)`: a version of an artifact or model.
pub type Versioned = (String, String, String);

#[derive(Default)]
pub struct Target {
    /// Project name → id.
    pub projects: HashMap<String, String>,
    /// Tag name → exclusive.
    pub tags: HashMap<String, bool>,
    /// → artifact id.
    pub artifacts: HashMap<Named, String>,
    /// → artifact version id.
    pub versions: HashMap<Versioned, String>,
    /// → model id.
    pub models: HashMap<Named, String>,
    /// → model version id and the keys of its run metadata.
    pub model_versions: HashMap<Versioned, (String, HashSet<String>)>,
    /// `(model version id, artifact version id)` links.
    pub model_version_artifacts: HashSet<(String, String)>,
    pub pipelines: HashSet<Named>,
    /// The id of the target's first artifact store: versions that name an
    /// artifact store get this one (trove's store ids mean nothing there).
    pub artifact_store: Option<String>,
}

impl Target {
    /// Look up, in the projects the snapshot holds, everything it would create.
    pub fn load(client: &Client, snapshot: &Snapshot) -> Result<Target, HttpError> {
        let mut target = Target::default();
        client.each("/projects", &[], |p| {
            if let (Some(name), Some(id)) = (name_of(p), id_of(p)) {
                target.projects.insert(name.to_string(), id.to_string());
            }
        })?;
        client.each("/tags", &[], |t| {
            let exclusive = t.pointer("/body/exclusive").and_then(Value::as_bool).unwrap_or(false);
            target.tags.extend(name_of(t).map(|name| (name.to_string(), exclusive)));
        })?;
        let stores = client.get("/components", &[("type", "artifact_store"), ("size", "1")])?;
        target.artifact_store = stores.pointer("/items/0/id").and_then(Value::as_str).map(str::to_string);
        if !snapshot.model_version_artifacts.is_empty() {
            client.each("/model_version_artifacts", &[], |link| {
                let mv = link.pointer("/body/model_version").and_then(Value::as_str);
                let av = link.pointer("/body/artifact_version/id").and_then(Value::as_str);
                if let (Some(mv), Some(av)) = (mv, av) {
                    target.model_version_artifacts.insert((mv.to_string(), av.to_string()));
                }
            })?;
        }
        for project in &snapshot.projects {
            if let Some(id) = target.projects.get(&project.name).cloned() {
                target.load_project(client, &project.name, &id)?;
            }
        }
        Ok(target)
    }

    fn load_project(&mut self, client: &Client, project: &str, id: &str) -> Result<(), HttpError> {
        let scope = [("project", id)];
        client.each("/artifacts", &scope, |a| {
            if let (Some(name), Some(id)) = (name_of(a), id_of(a)) {
                self.artifacts.insert((project.to_string(), name.to_string()), id.to_string());
            }
        })?;
        client.each("/artifact_versions", &scope, |v| {
            let artifact = v.pointer("/body/artifact/name").and_then(Value::as_str);
            let version = v.pointer("/body/version").and_then(Value::as_str);
            if let (Some(artifact), Some(version), Some(id)) = (artifact, version, id_of(v)) {
                self.versions.insert((project.to_string(), artifact.to_string(), version.to_string()), id.to_string());
            }
        })?;
        client.each("/models", &scope, |m| {
            if let (Some(name), Some(id)) = (name_of(m), id_of(m)) {
                self.models.insert((project.to_string(), name.to_string()), id.to_string());
            }
        })?;
        client.each("/model_versions", &[("project", id), ("hydrate", "true")], |v| {
            let model = v.pointer("/body/model/name").and_then(Value::as_str);
            if let (Some(model), Some(name), Some(id)) = (model, name_of(v), id_of(v)) {
                let keys = match v.pointer("/metadata/run_metadata") {
                    Some(Value::Object(m)) => m.keys().cloned().collect(),
                    _ => HashSet::new(),
                };
                self.model_versions
                    .insert((project.to_string(), model.to_string(), name.to_string()), (id.to_string(), keys));
            }
        })?;
        client.each("/pipelines", &scope, |p| {
            if let Some(name) = name_of(p) {
                self.pipelines.insert((project.to_string(), name.to_string()));
            }
        })?;
        Ok(())
    }
}
