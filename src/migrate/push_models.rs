//! Models, their versions (with their run metadata and artifact links) and
//! pipelines: the part of [`super::push`] after the artifact versions.

use super::push::{Pusher, Stop};
use super::report::Kind;
use crate::db::migration_source::{ModelVersion, Snapshot};
use serde_json::{json, Map, Value};
use std::collections::HashSet;

impl Pusher<'_> {
    pub(super) fn push_models(&mut self, s: &Snapshot) -> Result<(), Stop> {
        for m in &s.models {
            let key = (m.project.clone(), m.name.clone());
            if self.target.models.contains_key(&key) {
                self.report.tally(Kind::Model).existing += 1;
                continue;
            }
            let tags = self.attachable("model", &m.name, &m.tags);
            let mut body = json!({"project": self.project(&m.project), "name": m.name, "tags": tags,
                                  "save_models_to_registry": m.save_models_to_registry});
            for (field, text) in &m.texts {
                body[*field] = json!(text);
            }
            let id = self.create(Kind::Model, "/models", &body)?;
            self.target.models.insert(key, id);
        }
        for v in &s.model_versions {
            self.push_model_version(v)?;
        }
        for link in &s.model_version_artifacts {
            let mv =
                self.target.model_versions.get(&(link.project.clone(), link.model.clone(), link.model_version.clone()));
            let mv = mv.map(|(id, _)| id.clone()).unwrap_or_default();
            let av = self.target.versions.get(&link.version).cloned().unwrap_or_default();
            if !mv.is_empty() && self.target.model_version_artifacts.contains(&(mv.clone(), av.clone())) {
                self.report.tally(Kind::ModelVersionArtifact).existing += 1;
                continue;
            }
            let body = json!({"model_version": mv, "artifact_version": av});
            self.create(Kind::ModelVersionArtifact, "/model_version_artifacts", &body)?;
            self.target.model_version_artifacts.insert((mv, av));
        }
        for p in &s.pipelines {
            let key = (p.project.clone(), p.name.clone());
            if self.target.pipelines.contains(&key) {
                self.report.tally(Kind::Pipeline).existing += 1;
                continue;
            }
            let tags = self.attachable("pipeline", &p.name, &p.tags);
            let body = json!({"project": self.project(&p.project), "name": p.name,
                              "description": p.description, "tags": tags});
            self.create(Kind::Pipeline, "/pipelines", &body)?;
            self.target.pipelines.insert(key);
        }
        Ok(())
    }

    /// A model version (unless there) and the metadata keys it lacks.
    fn push_model_version(&mut self, v: &ModelVersion) -> Result<(), Stop> {
        let key = (v.project.clone(), v.model.clone(), v.name.clone());
        let (id, keys) = match self.target.model_versions.get(&key) {
            Some(found) => {
                self.report.tally(Kind::ModelVersion).existing += 1;
                found.clone()
            }
            None => {
                let model = self.target.models.get(&(v.project.clone(), v.model.clone())).cloned().unwrap_or_default();
                let tags = self.attachable("model version", &format!("{}/{}", v.model, v.name), &v.tags);
                let body = json!({"project": self.project(&v.project), "model": model, "name": v.name,
                                  "description": v.description, "stage": v.stage, "tags": tags});
                let answer = self.create_returning(Kind::ModelVersion, "/model_versions", &body)?;
                let number = answer.pointer("/body/number").cloned();
                if number.as_ref().is_some_and(|n| *n != json!(v.number)) {
                    self.report.notes.push(format!(
                        "model version {}/{} has number {} on the target (trove: {}): ZenML numbers versions in the order they are created",
                        v.model,
                        v.name,
                        number.unwrap_or_default(),
                        v.number
                    ));
                }
                let id = answer.get("id").and_then(Value::as_str).unwrap_or_default().to_string();
                self.target.model_versions.insert(key.clone(), (id.clone(), HashSet::new()));
                (id, HashSet::new())
            }
        };
        let missing: Vec<_> = v.metadata.iter().filter(|(k, _, _)| !keys.contains(k)).collect();
        let there = (v.metadata.len() - missing.len()) as u64;
        self.report.tally(Kind::ModelVersionMetadata).existing += there;
        if missing.is_empty() {
            return Ok(());
        }
        let values: Map<String, Value> = missing.iter().map(|(k, value, _)| (k.clone(), value.clone())).collect();
        let types: Map<String, Value> = missing.iter().map(|(k, _, kind)| (k.clone(), json!(kind))).collect();
        let body = json!({"project": self.project(&v.project), "resources": [{"id": id, "type": "model_version"}],
                          "values": values, "types": types});
        self.create_returning(Kind::ModelVersionMetadata, "/run-metadata", &body)?;
        // One request, but as many keys.
        self.report.tally(Kind::ModelVersionMetadata).created += missing.len() as u64 - 1;
        if let Some((_, keys)) = self.target.model_versions.get_mut(&key) {
            keys.extend(missing.iter().map(|(k, _, _)| k.clone()));
        }
        Ok(())
    }
}
